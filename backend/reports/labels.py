"""Readable names of the report's sections, figures and units for the CSV, in Dutch and English.

The words are the app's own (`impact.figure.*` in pwa/i18n/*.json; tests/test_impact_report.py
checks they stay equal), so a coach finds the same name in Excel as on the screen. A section a
domain registers brings its labels here too; a key without a label falls back to the key itself.
"""

from __future__ import annotations

SECTIONS = {
    "nl": {"period": "Periode", "attendance": "Aanwezigheid", "trajectory": "Traject", "rides": "Ritten"},
    "en": {"period": "Period", "attendance": "Attendance", "trajectory": "Trajectory", "rides": "Rides"},
}

FIGURES = {
    "nl": {
        "from": "Van", "to": "Tot en met",
        "workersActive": "Actieve werknemers", "plannedHours": "Geplande uren", "attendedHours": "Gewerkte uren",
        "attendanceRate": "Aanwezigheid", "trainingHours": "Opleidingsuren",
        "milestonesReached": "Mijlpalen bereikt", "movedOn": "Doorgestroomd naar gewoon werk",
        "medianMonthsOnProgramme": "Mediaan maanden in traject",
        "volunteersDriving": "Vrijwilligers die reden", "workersRiding": "Werknemers die meereden",
        "ridesGiven": "Ritten door vrijwilligers", "kilometresDriven": "Kilometers gereden",
    },
    "en": {
        "from": "From", "to": "To (inclusive)",
        "workersActive": "Active workers", "plannedHours": "Planned hours", "attendedHours": "Hours worked",
        "attendanceRate": "Attendance", "trainingHours": "Training hours",
        "milestonesReached": "Milestones reached", "movedOn": "Moved on to regular work",
        "medianMonthsOnProgramme": "Median months on the programme",
        "volunteersDriving": "Volunteers who drove", "workersRiding": "Workers who rode along",
        "ridesGiven": "Rides by volunteers", "kilometresDriven": "Kilometres driven",
    },
}

UNITS = {
    "nl": {"date": "datum", "count": "aantal", "people": "mensen", "hours": "uur", "percent": "%",
           "months": "maanden", "km": "km"},
    "en": {"date": "date", "count": "count", "people": "people", "hours": "hours", "percent": "%",
           "months": "months", "km": "km"},
}

HEADER = {
    "nl": ["Onderdeel", "Cijfer", "Groep", "Waarde", "Eenheid", "Sleutel"],
    "en": ["Section", "Figure", "Group", "Value", "Unit", "Key"],
}
TOTAL = {"nl": "Totaal", "en": "Total"}


def _pick(table: dict[str, dict[str, str]], language: str, key: str) -> str:
    return table.get(language, table["nl"]).get(key) or table["nl"].get(key) or key


def section(language: str, key: str) -> str:
    return _pick(SECTIONS, language, key)


def figure(language: str, key: str) -> str:
    return _pick(FIGURES, language, key)


def unit(language: str, key: str) -> str:
    return _pick(UNITS, language, key)
