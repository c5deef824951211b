"""Server-side messages in Dutch (default) and English, chosen by `Accept-Language`.

Keep sentences short and say what to do. Keys are stable; placeholders use `str.format`.
"""

from __future__ import annotations

SUPPORTED = ("nl", "en")
DEFAULT = "nl"

MESSAGES: dict[str, dict[str, str]] = {
    "nl": {
        "invalid_input": "Controleer wat je invulde.",
        "invalid_json": "De gegevens zijn geen geldige JSON.",
        "field_required": "Dit veld is verplicht.",
        "field_type_str": "Vul tekst in.",
        "field_type_int": "Vul een geheel getal in.",
        "field_type_number": "Vul een getal in.",
        "field_type_bool": "Kies ja of nee.",
        "field_type_object": "Dit moet een object zijn.",
        "field_type_array": "Dit moet een lijst zijn.",
        "field_type": "Deze waarde heeft het verkeerde type.",
        "field_too_short": "Vul minstens {n} teken(s) in.",
        "field_too_long": "Gebruik hoogstens {n} tekens.",
        "field_too_small": "Kies een waarde van minstens {n}.",
        "field_too_large": "Kies een waarde van hoogstens {n}.",
        "field_choice": "Kies een van: {choices}.",
        "field_uuid": "Dit is geen geldige id.",
        "field_datetime": "Vul een geldige datum en tijd in.",
        "field_date": "Vul een geldige datum in (JJJJ-MM-DD).",
        "field_unknown": "Dit veld bestaat niet.",
        "field_invalid": "Deze waarde is niet geldig.",
        "email_invalid": "Vul een geldig e-mailadres in.",
        "email_taken": "Dit e-mailadres is al in gebruik.",
        "phone_invalid": "Vul een geldig telefoonnummer in, bv. 0470 12 34 56.",
        "password_too_short": "Het wachtwoord moet minstens {n} tekens hebben.",
        "not_signed_in": "Je bent niet aangemeld.",
        "forbidden": "Dat mag je niet doen.",
        "not_found": "Niet gevonden.",
        "method_not_allowed": "Deze actie kan hier niet.",
        "csrf_failed": "De pagina is verouderd. Laad ze opnieuw en probeer nog eens.",
        "login_failed": "E-mailadres of wachtwoord klopt niet.",
        "login_locked": "Te veel pogingen. Probeer het over {minutes} minuten opnieuw.",
        "invite_needs_token_or_code": "Vul je code in.",
        "invite_invalid": "Deze code of link werkt niet (meer). Vraag je coach om een nieuwe.",
        "too_many_requests": "Te veel verzoeken. Wacht even en probeer opnieuw.",
        "server_error": "Er ging iets mis bij ons. Probeer het later opnieuw.",
        "role_not_allowed": "Je kunt hier geen {role} aanmaken.",
        "organisation_required": "Kies een organisatie.",
        "organisation_unknown": "Deze organisatie bestaat niet.",
        "workplace_unknown": "Deze werkplek bestaat niet in jouw organisatie.",
        "coach_unknown": "Deze coach bestaat niet in jouw organisatie.",
        "buddy_unknown": "Deze buddy bestaat niet in jouw organisatie.",
        "only_for_workers": "Dit kan alleen bij een werknemer.",
        "email_required": "Een coach heeft een e-mailadres nodig.",
        "password_required": "Een coach heeft een wachtwoord nodig.",
        "no_invite_for_role": "Coaches melden zich aan met e-mail en wachtwoord, niet met een uitnodiging.",
        "person_inactive": "Deze persoon is niet actief.",
        "cannot_deactivate_self": "Je kunt jezelf niet deactiveren.",
        "latitude_range": "De breedtegraad ligt tussen -90 en 90.",
        "longitude_range": "De lengtegraad ligt tussen -180 en 180.",
        "coordinates_pair": "Vul breedtegraad en lengtegraad allebei in, of geen van beide.",
        "blank": "Vul iets in, niet alleen spaties.",
        "group_not_yours": "Deze groep is niet van jou. Kies een eigen groep.",
        "workers_required": "Kies minstens een werknemer of een groep.",
        "worker_unknown": "Deze werknemer bestaat niet in jouw organisatie.",
        "end_before_start": "Het einde moet na het begin liggen.",
        "longer_than_a_day": "Een item duurt hoogstens 24 uur. Maak er een reeks van.",
        "until_before_from": "De einddatum moet na de begindatum liggen.",
        "series_too_long": "Een reeks loopt hoogstens 3 jaar.",
        "series_ended": "Deze reeks is gestopt.",
        "range_too_long": "Kies een periode van hoogstens {n} dagen.",
        "check_in_own_only": "Je kunt alleen voor jezelf inchecken.",
        "check_in_today_only": "Inchecken kan alleen op de dag zelf.",
        "item_cancelled": "Dit is afgelast.",
        "report_own_only": "Je kunt alleen voor jezelf iets melden.",
        "sick_range_too_long": "Een ziekmelding duurt hoogstens {n} dagen. Meld daarna opnieuw.",
        "sick_too_far_back": "Je kunt hoogstens 7 dagen terug ziek melden. Bel je coach.",
        "late_today_only": "Te laat melden kan alleen voor vandaag.",
        "idempotency_key_invalid": "De Idempotency-Key moet 8 tot 100 letters, cijfers of - _ . : hebben.",
        "request_in_progress": "Dit wordt nog verwerkt. Probeer zo meteen opnieuw.",
        "push_endpoint_too_long": "Dit push-adres is te lang.",
        "push_endpoint_not_a_url": "Dit push-adres is geen geldige URL.",
        "push_endpoint_https_required": "Een push-adres moet met https beginnen.",
        "push_endpoint_unknown_push_service": "Dit push-adres hoort niet bij een gekende pushdienst.",
        "caseload_empty": "Je hebt nog geen werknemers.",
        "reminder_in_past": "Dit tijdstip is al voorbij. Kies een moment in de toekomst.",
        # mobility: places and rides
        "geocoder_off": "Adressen opzoeken staat uit. Vul de coördinaten in of gebruik 'Mijn locatie'.",
        "geocoder_failed": "Het adres kon nu niet opgezocht worden. Probeer later opnieuw of vul de coördinaten in.",
        "address_not_found": "Dit adres is niet gevonden. Controleer het, of vul de coördinaten in.",
        "address_or_coordinates": "Vul een adres of coördinaten in.",
        "workplace_no_address": "Deze werkplek heeft geen adres om op te zoeken.",
        "workplace_no_coordinates": "Deze werkplek heeft nog geen coördinaten. Vraag de coach om ze in te vullen.",
        "home_missing": "Er is nog geen thuisadres met coördinaten. Vul het eerst in.",
        "request_needs_item_or_days": "Kies een shift, of een eerste en laatste dag.",
        "item_not_shift": "Kies een shift van deze werknemer.",
        "shift_already_started": "Deze shift is al begonnen of voorbij.",
        "no_shifts_in_range": "Er zijn geen shifts in deze periode.",
        "request_range_too_long": "Kies hoogstens {n} dagen.",
        "request_exists": "Voor deze shift is er al een rit gevraagd.",
        "ride_full": "Deze rit is al vol op die dag.",
        "ride_cancelled": "Deze rit is geannuleerd.",
        "ride_already_decided": "Over deze rit is al beslist.",
        "ride_taken": "Deze werknemer heeft al een rit voor die shift.",
        "ride_not_confirmed": "Dit kan alleen bij een bevestigde rit.",
        "ride_not_started": "Dit kan pas op de dag van de rit.",
        "worker_required": "Kies een werknemer.",
        "only_for_buddies": "Dit is alleen voor buddy's.",
        "date_out_of_range": "Kies een datum tussen 2000 en 2100.",
    },
    "en": {
        "invalid_input": "Please check what you entered.",
        "invalid_json": "The data is not valid JSON.",
        "field_required": "This field is required.",
        "field_type_str": "Enter text.",
        "field_type_int": "Enter a whole number.",
        "field_type_number": "Enter a number.",
        "field_type_bool": "Choose yes or no.",
        "field_type_object": "This must be an object.",
        "field_type_array": "This must be a list.",
        "field_type": "This value has the wrong type.",
        "field_too_short": "Enter at least {n} character(s).",
        "field_too_long": "Use at most {n} characters.",
        "field_too_small": "Choose a value of at least {n}.",
        "field_too_large": "Choose a value of at most {n}.",
        "field_choice": "Choose one of: {choices}.",
        "field_uuid": "This is not a valid id.",
        "field_datetime": "Enter a valid date and time.",
        "field_date": "Enter a valid date (YYYY-MM-DD).",
        "field_unknown": "This field does not exist.",
        "field_invalid": "This value is not valid.",
        "email_invalid": "Enter a valid e-mail address.",
        "email_taken": "This e-mail address is already in use.",
        "phone_invalid": "Enter a valid phone number, e.g. 0470 12 34 56.",
        "password_too_short": "The password needs at least {n} characters.",
        "not_signed_in": "You are not signed in.",
        "forbidden": "You are not allowed to do that.",
        "not_found": "Not found.",
        "method_not_allowed": "This action is not possible here.",
        "csrf_failed": "This page is out of date. Reload it and try again.",
        "login_failed": "E-mail address or password is not correct.",
        "login_locked": "Too many attempts. Try again in {minutes} minutes.",
        "invite_needs_token_or_code": "Enter your code.",
        "invite_invalid": "This code or link does not work (any more). Ask your coach for a new one.",
        "too_many_requests": "Too many requests. Wait a moment and try again.",
        "server_error": "Something went wrong on our side. Please try again later.",
        "role_not_allowed": "You cannot create a {role} here.",
        "organisation_required": "Choose an organisation.",
        "organisation_unknown": "This organisation does not exist.",
        "workplace_unknown": "This workplace does not exist in your organisation.",
        "coach_unknown": "This coach does not exist in your organisation.",
        "buddy_unknown": "This buddy does not exist in your organisation.",
        "only_for_workers": "This is only possible for a worker.",
        "email_required": "A coach needs an e-mail address.",
        "password_required": "A coach needs a password.",
        "no_invite_for_role": "Coaches sign in with e-mail and password, not with an invite.",
        "person_inactive": "This person is not active.",
        "cannot_deactivate_self": "You cannot deactivate yourself.",
        "latitude_range": "Latitude lies between -90 and 90.",
        "longitude_range": "Longitude lies between -180 and 180.",
        "coordinates_pair": "Enter both latitude and longitude, or neither.",
        "blank": "Enter something, not only spaces.",
        "group_not_yours": "This group is not yours. Choose one of your own groups.",
        "workers_required": "Choose at least one worker or a group.",
        "worker_unknown": "This worker does not exist in your organisation.",
        "end_before_start": "The end must be after the start.",
        "longer_than_a_day": "An item lasts 24 hours at most. Make it a series instead.",
        "until_before_from": "The end date must be after the start date.",
        "series_too_long": "A series lasts 3 years at most.",
        "series_ended": "This series has stopped.",
        "range_too_long": "Choose a period of at most {n} days.",
        "check_in_own_only": "You can only check in for yourself.",
        "check_in_today_only": "You can only check in on the day itself.",
        "item_cancelled": "This has been cancelled.",
        "report_own_only": "You can only report for yourself.",
        "sick_range_too_long": "A sick report lasts {n} days at most. Report again after that.",
        "sick_too_far_back": "You can report sick at most 7 days back. Call your coach.",
        "late_today_only": "You can only report being late for today.",
        "idempotency_key_invalid": "The Idempotency-Key must have 8 to 100 letters, digits or - _ . :.",
        "request_in_progress": "This is still being processed. Try again in a moment.",
        "push_endpoint_too_long": "This push address is too long.",
        "push_endpoint_not_a_url": "This push address is not a valid URL.",
        "push_endpoint_https_required": "A push address must start with https.",
        "push_endpoint_unknown_push_service": "This push address does not belong to a known push service.",
        "caseload_empty": "You have no workers yet.",
        "reminder_in_past": "This moment has passed. Choose a time in the future.",
        # mobility: places and rides
        "geocoder_off": "Address look-up is off. Enter the coordinates or use 'My location'.",
        "geocoder_failed": "The address could not be looked up now. Try again later or enter the coordinates.",
        "address_not_found": "This address was not found. Check it, or enter the coordinates.",
        "address_or_coordinates": "Enter an address or coordinates.",
        "workplace_no_address": "This workplace has no address to look up.",
        "workplace_no_coordinates": "This workplace has no coordinates yet. Ask the coach to enter them.",
        "home_missing": "There is no home address with coordinates yet. Enter it first.",
        "request_needs_item_or_days": "Choose a shift, or a first and last day.",
        "item_not_shift": "Choose a shift of this worker.",
        "shift_already_started": "This shift has already started or is over.",
        "no_shifts_in_range": "There are no shifts in this period.",
        "request_range_too_long": "Choose at most {n} days.",
        "request_exists": "A ride was already asked for this shift.",
        "ride_full": "This ride is already full on that day.",
        "ride_cancelled": "This ride was cancelled.",
        "ride_already_decided": "This ride was already decided.",
        "ride_taken": "This worker already has a ride for that shift.",
        "ride_not_confirmed": "This is only possible for a confirmed ride.",
        "ride_not_started": "This is only possible on the day of the ride.",
        "worker_required": "Choose a worker.",
        "only_for_buddies": "This is for buddies only.",
        "date_out_of_range": "Choose a date between 2000 and 2100.",
    },
}


def pick_language(accept_language: str | None) -> str:
    """The best supported language for an `Accept-Language` header (RFC 9110 q-values)."""
    if not accept_language:
        return DEFAULT
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.split("-")[0]
        if primary in SUPPORTED and quality > 0:
            ranked.append((-quality, index, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT


def translate(key: str, language: str, **params: object) -> str:
    """The message `key` in `language` (falling back to Dutch), with its placeholders filled."""
    catalogue = MESSAGES.get(language, MESSAGES[DEFAULT])
    template = catalogue.get(key) or MESSAGES[DEFAULT].get(key) or key
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
