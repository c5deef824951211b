"""Notification texts of the mobility domain, in Dutch and English (error messages are in
`backend.i18n`)."""

from __future__ import annotations

# Notification title and body per language; filled with str.format. `{advice}` in a worker's
# cancellation notice is `backend.transit.commute.Advice.text`: the very sentence the worker's Today
# card and "Hoe geraak ik op het werk?" show.
NOTICES = {
    "nl": {
        "ride_proposed": ("Kan je {name} meenemen?", "{day} om {time}. Omweg {detour} km. Open Werkmaat om te antwoorden."),
        "ride_confirmed": ("Je hebt een rit", "{day}: {driver} haalt je op om {time}."),
        "ride_cancelled_worker": ("Je rit is geannuleerd", "{day}: {driver} kan niet rijden. Reden: {reason}. {advice}"),
        "ride_cancelled_coach": ("Rit van {name} geannuleerd", "{day}: {driver} kan niet rijden. Reden: {reason}."),
        "ride_cancelled_worker_transit": ("Je rit is geannuleerd: neem lijn {line}", "{day}: {driver} kan niet rijden. Reden: {reason}. {advice} Kijk bij 'Hoe geraak ik op het werk?'."),
        "ride_cancelled_worker_no_transit": ("Je rit is geannuleerd: bel je coach", "{day}: {driver} kan niet rijden. Reden: {reason}. {advice}"),
        "ride_cancelled_coach_no_transit": ("Rit van {name} geannuleerd: geen vervoer", "{day}: {driver} kan niet rijden. Reden: {reason}. Er is geen openbaar vervoer op tijd. Zoek een andere rit."),
        "ride_cancelled_sick": ("{name} is ziek", "{day}: je hoeft {name} niet op te halen."),
        "ride_not_needed": ("{name} heeft geen rit nodig", "{day}: je hoeft {name} niet op te halen."),
    },
    "en": {
        "ride_proposed": ("Can you take {name}?", "{day} at {time}. Detour {detour} km. Open Werkmaat to answer."),
        "ride_confirmed": ("You have a ride", "{day}: {driver} picks you up at {time}."),
        "ride_cancelled_worker": ("Your ride was cancelled", "{day}: {driver} cannot drive. Reason: {reason}. {advice}"),
        "ride_cancelled_coach": ("{name}'s ride cancelled", "{day}: {driver} cannot drive. Reason: {reason}."),
        "ride_cancelled_worker_transit": ("Your ride was cancelled: take line {line}", "{day}: {driver} cannot drive. Reason: {reason}. {advice} See 'How do I get to work?'."),
        "ride_cancelled_worker_no_transit": ("Your ride was cancelled: call your coach", "{day}: {driver} cannot drive. Reason: {reason}. {advice}"),
        "ride_cancelled_coach_no_transit": ("{name}'s ride cancelled: no transport", "{day}: {driver} cannot drive. Reason: {reason}. No public transport in time. Find another ride."),
        "ride_cancelled_sick": ("{name} is sick", "{day}: you need not pick {name} up."),
        "ride_not_needed": ("{name} needs no ride", "{day}: you need not pick {name} up."),
    },
}

# The advice when nothing is known of another way to work (no transit planner wired in).
ADVICE_UNKNOWN = {"nl": "Bel je coach als je geen vervoer hebt.", "en": "Call your coach if you have no transport."}


def notice(key: str, language: str, **params: object) -> tuple[str, str]:
    title, body = NOTICES.get(language, NOTICES["nl"]).get(key) or NOTICES["nl"][key]
    return title.format(**params), body.format(**params)
