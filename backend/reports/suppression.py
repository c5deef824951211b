"""Small-group suppression: no figure of the report may describe fewer than 5 people.

The rules (also in the README):

1. A count of people from 1 to 4 is shown as "<5" (value null). Zero is shown: it describes nobody.
2. Figures about a group of people (hours, attendance rate, median months) are hidden ("–") when
   the group has 1 to 4 people.
3. A breakdown (people per milestone, per kind of job) shows its total exactly only when none of its
   rows is suppressed. Otherwise a suppressed row could be recovered by subtracting the visible
   rows from the total, so the total is shown as a lower bound "≥N", where N is the sum of the
   visible rows plus one per suppressed row (which anyone can work out from the rows anyway).
   A total under 5 is "<5", as in rule 1.
"""

from __future__ import annotations


from backend.reports.schemas import Breakdown, BreakdownRow, Figure

THRESHOLD = 5
SMALL = "<5"
HIDDEN = "–"


def is_small(n: int) -> bool:
    return 0 < n < THRESHOLD


def number_text(value: float, decimals: int = 0) -> str:
    """A number as Belgians write it: decimal comma, no thousands separator (also fine in CSV)."""
    if decimals == 0:
        return str(int(round(value)))
    return f"{value:.{decimals}f}".replace(".", ",")


def people(key: str, n: int) -> Figure:
    """A count of people (rule 1)."""
    if is_small(n):
        return Figure(key=key, value=None, display=SMALL, unit="people", suppressed=True)
    return Figure(key=key, value=n, display=number_text(n), unit="people")


def about_group(key: str, value: float | None, group_size: int, unit: str, decimals: int = 1) -> Figure:
    """A figure computed over a group of people (rule 2); `value` None means there is nothing to show."""
    if is_small(group_size) or value is None:
        return Figure(key=key, value=None, display=HIDDEN, unit=unit, suppressed=is_small(group_size))
    rounded = round(value, decimals) if decimals else round(value)
    return Figure(key=key, value=rounded, display=number_text(rounded, decimals), unit=unit)


def breakdown(key: str, counts: dict[str, int]) -> Breakdown:
    """People per group, largest first, with the total protected by rule 3."""
    rows: list[BreakdownRow] = []
    visible, hidden = 0, 0
    for label, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if n <= 0:
            continue
        if is_small(n):
            hidden += 1
            rows.append(BreakdownRow(label=label, value=None, display=SMALL, suppressed=True))
        else:
            visible += n
            rows.append(BreakdownRow(label=label, value=n, display=number_text(n)))
    total = sum(n for n in counts.values() if n > 0)
    if hidden == 0 or is_small(total):
        figure = people(key, total)
    else:
        bound = visible + hidden
        figure = Figure(key=key, value=None, display=f"≥{bound}", unit="people", suppressed=True)
    return Breakdown(key=key, rows=rows, total=figure)
