"""Schemathesis hooks for tests/test_schemathesis.py, loaded through SCHEMATHESIS_HOOKS.

The test passes the signed-in persona through the environment:
WERKMAAT_ST_SESSION and WERKMAAT_ST_CSRF (cookie values), WERKMAAT_ST_PROTECTED_SESSION (the id
of that session, as listed by GET /api/me/devices).
"""

from __future__ import annotations

import json
import os
import re
import uuid

import schemathesis

from backend.i18n import SUPPORTED, catalogue

SESSION = os.environ.get("WERKMAAT_ST_SESSION", "")
CSRF = os.environ.get("WERKMAAT_ST_CSRF", "")
PROTECTED_SESSION = os.environ.get("WERKMAAT_ST_PROTECTED_SESSION", "").lower()


# Registered as schemathesis auth (not as a plain `-H Cookie: ...`): schemathesis then knows these
# are the credentials, leaves them off in its negative "missing werkmaat_session cookie" cases and
# strips them in the `ignored_auth` probes. A raw Cookie header would be sent with every request,
# so "no session" cases would still be signed in. The CSRF cookie and its header travel with the
# session, as a browser sends them. `retry_on=[]`: a 401 is never papered over by re-applying them.
@schemathesis.auth(refresh_interval=None, retry_on=[])
class PersonaCookies:
    def get(self, case, context) -> dict[str, str]:
        return {"session": SESSION, "csrf": CSRF}

    def set(self, case, data, context) -> None:
        case.cookies = {**(case.cookies or {}), "werkmaat_session": data["session"],
                        "werkmaat_csrf": data["csrf"]}
        case.headers = {**(case.headers or {}), "X-CSRF-Token": data["csrf"]}


# Schemathesis learns ids from responses: `GET /api/me/devices` lists the run's own session, and
# `DELETE /api/me/devices/{device_id}` with that id would sign the run out halfway, after which every
# answer is a 401 and nothing else gets tested. The operation stays in the run; only the one id of
# the run's own session is swapped for an unknown device (so that request tests the 404 path).
@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    if (PROTECTED_SESSION and case.operation.path == "/api/me/devices/{device_id}"
            and str((case.path_parameters or {}).get("device_id", "")).lower() == PROTECTED_SESSION):
        case.path_parameters["device_id"] = str(uuid.uuid4())
    # An Idempotency-Key names one action: the server answers a reused key with another body 422
    # (tests/test_no_500.py pins that). Schemathesis draws the header once and reuses it for every
    # case of an operation, so each call gets a key of its own, as the app's outbox does.
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key":
            headers[name] = str(uuid.uuid4())


# --- the one narrowing of a check ------------------------------------------------------------------
#
# `positive_data_acceptance` (ST202) sends requests that match the OpenAPI schema and expects them to
# be accepted. Every rule about a single value is in the schema (types, lengths, ranges, patterns for
# phone, e-mail and non-blank names, no unknown fields, "token or code", "both coordinates or
# neither"), so a 400 for any of those still fails the run. What JSON Schema cannot say are rules
# about other records, about today, or between two dates; the API answers them with a 400 naming the
# field (the contract tests/test_validation.py pins), and schemathesis, which draws random ids and
# dates, meets them all the time. Only a 400 whose every error is one of these rules is let through.
BUSINESS_RULES = {
    # an id that is no record of the asker's organisation (random uuids)
    "coach_unknown", "buddy_unknown", "workplace_unknown", "organisation_unknown", "worker_unknown",
    # depends on the stored record (the person's role, the workplace's other coordinate, ...)
    "only_for_workers", "coordinates_pair", "series_ended", "email_taken",
    # "at least one worker": from workerIds or from the members of the chosen group
    "workers_required",
    # between two values, or against today
    "end_before_start", "longer_than_a_day", "until_before_from", "series_too_long", "range_too_long",
    "item_cancelled", "sick_range_too_long", "sick_too_far_back", "late_today_only",
    "reminder_in_past",
    # passwords: the current one (unknown to the run), a reset link's token (random), what zxcvbn
    # finds guessable or the same as before, a person who signs in by invite
    "password_current_wrong", "reset_invalid", "password_too_common", "password_has_name", "password_same",
    "password_not_used",
    # check-in only while its window is open
    "check_in_opens_today", "check_in_opens_day", "check_in_ended_today", "check_in_ended_day",
    # the person has no workers yet
    "caseload_empty",
    # transit: a date outside the loaded timetables, none loaded yet, a shift that is over
    "transit_date_not_covered", "transit_no_data", "transit_shift_over",
    # a push address must be one of the push services this server is configured to post to (an
    # allow-list against SSRF); a random URL never is
    "push_endpoint_not_a_url", "push_endpoint_https_required", "push_endpoint_unknown_push_service",
    # mobility: the stored home, shift and workplace; the geocoder's answer for a random address;
    # "an address or coordinates", "a shift or a period" (either field may be left out alone); dates
    # outside 2000-2100
    "home_missing", "item_not_shift", "shift_already_started", "no_shifts_in_range", "request_range_too_long",
    "request_needs_item_or_days", "address_or_coordinates", "address_not_found", "geocoder_off",
    "geocoder_failed", "workplace_no_address", "workplace_no_coordinates", "date_out_of_range",
    # coaching: against the worker's start, today, the stored status or template, two settings
    "date_before_start", "start_after_milestone", "reached_in_future", "reached_needs_status", "moved_on_needs_job",
    "stopped_needs_reason", "moved_on_job_too_long", "template_unknown", "step_unknown", "absences_more_than_window",
    # the phrasebook: a phrase id (random) and its slots, which depend on the stored phrase; an
    # admin's text whose slots are unknown or differ from the Dutch; a title and a phrase at once
    "phrase_unknown", "slot_missing", "slot_unknown", "slot_time_invalid", "slot_date_invalid", "slot_items_invalid",
    "phrase_braces", "phrase_slot_unknown", "phrase_slots_differ", "phrase_or_title",
}
# Rules that hold for one field only: staff must say for whom they report.
BUSINESS_RULE_FIELDS = {("personId", "field_required"), ("workerId", "worker_required")}


def _template(text: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", ".*", re.escape(text)) + "$")


_MESSAGES = [(key, _template(form)) for language in SUPPORTED for key, text in catalogue(language).items()
             for form in (text.values() if isinstance(text, dict) else [text])]


def _is_business_rule(field: str, message: str) -> bool:
    keys = {key for key, template in _MESSAGES if template.match(message)}
    return bool(keys & BUSINESS_RULES or {(field, key) for key in keys} & BUSINESS_RULE_FIELDS)


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    if failure.code != "ST202" or response.status_code != 400:
        return True
    try:
        errors = json.loads(response.content)["errors"]
    except (ValueError, KeyError, TypeError):
        return True
    return not (errors and all(_is_business_rule(e["field"], e["message"]) for e in errors))
