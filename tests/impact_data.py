"""The fixed data set of the impact report tests, and its figures computed by hand.

Organisation X, March 2026 (Europe/Brussels). Seven workers W1-W7 are planned; W8 only in a
cancelled shift, W9 only in a shift that starts (local time) on 28 February.

  item                                   hours  planned         attended (present/late)
  S1 shift  2 Mar 08:00-16:00            8      W1-W6           W1-W5 (W6 absent)
  S2 shift  3 Mar 08:00-12:00            4      W1-W7           W1-W3 present, W4 late (W5 absent,
                                                                W6 nothing, W7 excused)
  T1 training 10 Mar 13:00-16:30         3.5    W1-W3           W1, W2 (W3 absent)
  E  shift  1 Mar 00:30-02:30            2      W7              W7
  C  shift  4 Mar cancelled              -      W1, W8          (W1 present: not counted)
  O  shift 28 Feb 23:30 - 1 Mar 01:30    -      W9              (outside the period)
  I  intake 5 Mar 09:00-10:00            -      W1              (not work or training)

  planned  = 6*8 + 7*4 + 3*3.5 + 2 = 88.5 h;  attended = 5*8 + 4*4 + 2*3.5 + 2 = 65 h
  rate     = 65 / 88.5 = 73.4 %;  training hours = 7.0;  workers active = 7

Milestones reached in March: Intake W1-W7 (7), VCA-attest W1-W5 (5), Heftruckattest W1-W2 (2: "<5");
Stage of W3 was reached in February, W4's is only planned, W5's "Rijbewijs" was skipped.
Total 14 is hidden as "≥13" (7 + 5 + 1 per hidden row) because one row is hidden.

Moved on in March: productie W1, W2, W3, W5, W6 (5), logistiek W4 (1: "<5"); W8 moved on in April,
W7 stopped. Total 6 -> "≥6". Days on the programme: 379, 186, 730, 297, 120, 60; median
(186 + 297) / 2 = 241.5 days = 7.9 months (of 365.25 / 12 days).
"""

W = [f"W{i}" for i in range(1, 10)]


def spec(organisation: str) -> dict:
    return {
        "organisation": organisation,
        "workers": W,
        "items": [
            {"kind": "shift", "start": "2026-03-02 08:00", "end": "2026-03-02 16:00",
             "participants": W[:6], "attendance": {w: "present" for w in W[:5]} | {"W6": "absent"}},
            {"kind": "shift", "start": "2026-03-03 08:00", "end": "2026-03-03 12:00", "participants": W[:7],
             "attendance": {"W1": "present", "W2": "present", "W3": "present", "W4": "late", "W5": "absent",
                            "W7": "excused"}},
            {"kind": "training", "start": "2026-03-10 13:00", "end": "2026-03-10 16:30", "participants": W[:3],
             "attendance": {"W1": "present", "W2": "present", "W3": "absent"}},
            {"kind": "shift", "start": "2026-03-01 00:30", "end": "2026-03-01 02:30", "participants": ["W7"],
             "attendance": {"W7": "present"}},
            {"kind": "shift", "start": "2026-03-04 08:00", "end": "2026-03-04 16:00", "cancelled": True,
             "participants": ["W1", "W8"], "attendance": {"W1": "present"}},
            {"kind": "shift", "start": "2026-02-28 23:30", "end": "2026-03-01 01:30", "participants": ["W9"],
             "attendance": {"W9": "present"}},
            {"kind": "intake", "start": "2026-03-05 09:00", "end": "2026-03-05 10:00", "participants": ["W1"],
             "attendance": {"W1": "present"}},
        ],
        "files": {
            "W1": {"status": "moved_on", "since": "2026-03-15", "started": "2025-03-01", "movedOnTo": "productie"},
            "W2": {"status": "moved_on", "since": "2026-03-20", "started": "2025-09-15", "movedOnTo": "productie"},
            "W3": {"status": "moved_on", "since": "2026-03-10", "started": "2024-03-10", "movedOnTo": "productie"},
            "W4": {"status": "moved_on", "since": "2026-03-25", "started": "2025-06-01", "movedOnTo": "logistiek"},
            "W5": {"status": "moved_on", "since": "2026-03-31", "started": "2025-12-01", "movedOnTo": "productie"},
            "W6": {"status": "moved_on", "since": "2026-03-02", "started": "2026-01-01", "movedOnTo": "productie"},
            "W7": {"status": "stopped", "since": "2026-03-20", "started": "2025-01-01", "reason": "verhuisd"},
            "W8": {"status": "moved_on", "since": "2026-04-02", "started": "2025-01-01", "movedOnTo": "productie"},
        },
        "milestones": (
            [{"person": w, "title": "Intake", "reachedOn": "2026-03-03", "evidence": "gesprek"} for w in W[:7]]
            + [{"person": w, "title": "VCA-attest", "reachedOn": "2026-03-12"} for w in W[:5]]
            + [{"person": w, "title": "Heftruckattest", "reachedOn": "2026-03-31"} for w in W[:2]]
            + [{"person": "W3", "title": "Stage", "reachedOn": "2026-02-15"},
               {"person": "W4", "title": "Stage", "status": "planned"},
               {"person": "W5", "title": "Rijbewijs", "status": "skipped", "reachedOn": "2026-03-05"}]
        ),
        "notes": [{"person": "W1", "body": "Gesprek over thuissituatie."}],
    }


# figure key -> display text
EXPECTED_FIGURES = {
    "workersActive": "7",
    "plannedHours": "88,5",
    "attendedHours": "65,0",
    "attendanceRate": "73,4",
    "trainingHours": "7,0",
    "milestonesReached": "≥13",
    "movedOn": "≥6",
    "medianMonthsOnProgramme": "7,9",
}
EXPECTED_VALUES = {"workersActive": 7, "plannedHours": 88.5, "attendedHours": 65.0, "attendanceRate": 73.4,
                   "trainingHours": 7.0, "milestonesReached": None, "movedOn": None,
                   "medianMonthsOnProgramme": 7.9}
EXPECTED_BREAKDOWNS = {
    "milestonesReached": [("Intake", "7"), ("VCA-attest", "5"), ("Heftruckattest", "<5")],
    "movedOn": [("productie", "5"), ("logistiek", "<5")],
}
