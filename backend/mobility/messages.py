"""Texts of the mobility domain, in Dutch and English: error messages (added to `backend.i18n`'s
catalogue at import, so parallel domains never edit the same lines) and notification texts."""

from __future__ import annotations

from backend.i18n import MESSAGES

ERRORS = {
    "nl": {
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
        "until_before_from": "De einddatum ligt voor de begindatum.",
        "worker_required": "Kies een werknemer.",
        "only_for_buddies": "Dit is alleen voor buddy's.",
        "date_out_of_range": "Kies een datum tussen 2000 en 2100.",
    },
    "en": {
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
        "until_before_from": "The end date is before the start date.",
        "worker_required": "Choose a worker.",
        "only_for_buddies": "This is for buddies only.",
        "date_out_of_range": "Choose a date between 2000 and 2100.",
    },
}

for _language, _texts in ERRORS.items():
    for _key, _text in _texts.items():
        MESSAGES[_language].setdefault(_key, _text)

# Notification title and body per language; filled with str.format.
NOTICES = {
    "nl": {
        "ride_proposed": ("Kan je {name} meenemen?", "{day} om {time}. Omweg {detour} km. Open Werkmaat om te antwoorden."),
        "ride_confirmed": ("Je hebt een rit", "{day}: {driver} haalt je op om {time}."),
        "ride_cancelled_worker": ("Je rit is geannuleerd", "{day}: {driver} kan niet rijden. Reden: {reason}. Bel je coach als je geen vervoer hebt."),
        "ride_cancelled_coach": ("Rit van {name} geannuleerd", "{day}: {driver} kan niet rijden. Reden: {reason}."),
        "ride_cancelled_sick": ("{name} is ziek", "{day}: je hoeft {name} niet op te halen."),
        "ride_not_needed": ("{name} heeft geen rit nodig", "{day}: je hoeft {name} niet op te halen."),
    },
    "en": {
        "ride_proposed": ("Can you take {name}?", "{day} at {time}. Detour {detour} km. Open Werkmaat to answer."),
        "ride_confirmed": ("You have a ride", "{day}: {driver} picks you up at {time}."),
        "ride_cancelled_worker": ("Your ride was cancelled", "{day}: {driver} cannot drive. Reason: {reason}. Call your coach if you have no transport."),
        "ride_cancelled_coach": ("{name}'s ride cancelled", "{day}: {driver} cannot drive. Reason: {reason}."),
        "ride_cancelled_sick": ("{name} is sick", "{day}: you need not pick {name} up."),
        "ride_not_needed": ("{name} needs no ride", "{day}: you need not pick {name} up."),
    },
}


def notice(key: str, language: str, **params: object) -> tuple[str, str]:
    title, body = NOTICES.get(language, NOTICES["nl"]).get(key) or NOTICES["nl"][key]
    return title.format(**params), body.format(**params)
