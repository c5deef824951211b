"""The transit package's messages (nl, en), added to `backend.i18n.MESSAGES` on import.

Kept here rather than in i18n.py so that parallel branches do not edit the same lines.
"""

from backend.i18n import MESSAGES

MESSAGES["nl"].update({
    "transit_no_data": "Er zijn nog geen dienstregelingen geladen. Vraag het aan de beheerder.",
    "transit_date_not_covered": "Voor die dag is er geen dienstregeling. Kies een dag van {first} tot {last}.",
    "transit_coordinates": "Vul breedtegraad,lengtegraad in, bv. 50.965,5.500.",
    "transit_latitude_range": "De breedtegraad ligt tussen -90 en 90.",
    "transit_longitude_range": "De lengtegraad ligt tussen -180 en 180.",
    "transit_datetime": "Vul een datum en tijd in, bv. 2027-01-05T08:00.",
    "transit_shift_over": "Deze shift is al voorbij.",
    "transit_home_unknown": "We weten niet waar je woont. Vraag het aan je coach.",
    "transit_workplace_unknown": "We weten niet waar je werkplek ligt. Vraag het aan je coach.",
    "transit_no_journey": "Geen bus of trein komt op tijd aan. Bel je coach.",
    # The advice (transit.commute.Advice): on "Hoe geraak ik op het werk?", Today and in the notice.
    "advice_transit": "Neem {mode} {line}: vertrek thuis om {leave}.",
    "advice_walk": "Ga te voet: vertrek thuis om {leave}.",
    "advice_late": "Je bent te laat: de volgende {mode} komt om {time} in {stop} (lijn {line}). "
                   "Je bent er om {arrival}. Bel je coach.",
    "advice_late_walk": "Je bent te laat: te voet ben je er om {arrival}. Bel je coach.",
    "advice_late_nothing": "Je bent te laat en geen bus of trein brengt je er nog. Bel je coach.",
    "advice_unknown": "Bel je coach als je geen vervoer hebt.",
    "transit_mode_bus": "bus",
    "transit_mode_tram": "tram",
    "transit_mode_metro": "metro",
    "transit_mode_train": "trein",
    "transit_mode_ferry": "boot",
    "transit_mode_other": "bus",
    # Notes on a ride leg (planner.leg_notes): headways, staying seated, pickup/drop-off rules.
    "transit_headway": "Er komt om de {minutes} minuten een {mode}. Wees aan de halte om {time}.",
    "transit_stay_seated": "Blijf zitten: de {mode} rijdt verder als lijn {line}.",
    "transit_pickup_phone_agency": "Bel eerst het vervoerbedrijf. De {mode} stopt in {stop} alleen als je belt.",
    "transit_pickup_ask_driver": "Steek je hand op in {stop}. De {mode} stopt daar alleen als je het vraagt.",
    "transit_drop_off_phone_agency": "Bel eerst het vervoerbedrijf om in {stop} uit te stappen.",
    "transit_drop_off_ask_driver": "Zeg aan de chauffeur dat je in {stop} wil uitstappen.",
})
MESSAGES["en"].update({
    "transit_no_data": "No timetables have been loaded yet. Ask the administrator.",
    "transit_date_not_covered": "There is no timetable for that day. Choose a day from {first} to {last}.",
    "transit_coordinates": "Enter latitude,longitude, e.g. 50.965,5.500.",
    "transit_latitude_range": "Latitude lies between -90 and 90.",
    "transit_longitude_range": "Longitude lies between -180 and 180.",
    "transit_datetime": "Enter a date and time, e.g. 2027-01-05T08:00.",
    "transit_shift_over": "This shift is already over.",
    "transit_home_unknown": "We don't know where you live. Ask your coach.",
    "transit_workplace_unknown": "We don't know where your workplace is. Ask your coach.",
    "transit_no_journey": "No bus or train arrives in time. Call your coach.",
    "advice_transit": "Take {mode} {line}: leave home at {leave}.",
    "advice_walk": "Walk: leave home at {leave}.",
    "advice_late": "You are late: the next {mode} comes at {time} at {stop} (line {line}). "
                   "You get there at {arrival}. Call your coach.",
    "advice_late_walk": "You are late: on foot you get there at {arrival}. Call your coach.",
    "advice_late_nothing": "You are late and no bus or train gets you there any more. Call your coach.",
    "advice_unknown": "Call your coach if you have no transport.",
    "transit_mode_bus": "bus",
    "transit_mode_tram": "tram",
    "transit_mode_metro": "metro",
    "transit_mode_train": "train",
    "transit_mode_ferry": "boat",
    "transit_mode_other": "bus",
    "transit_headway": "A {mode} comes every {minutes} min. Be at the stop by {time}.",
    "transit_stay_seated": "Stay seated: the {mode} goes on as line {line}.",
    "transit_pickup_phone_agency": "Phone the transport company first. The {mode} only stops at {stop} if you call.",
    "transit_pickup_ask_driver": "Raise your hand at {stop}. The {mode} only stops there if you ask.",
    "transit_drop_off_phone_agency": "Phone the transport company first to get off at {stop}.",
    "transit_drop_off_ask_driver": "Tell the driver you want to get off at {stop}.",
})
