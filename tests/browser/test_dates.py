"""js/dates.js works out today's date in Brussels from the EU rule instead of Intl (the first Intl
date formatter of a page costs 30-140 ms of a phone's main thread, on the way to the Home). Checked
against Intl's time zone data: every hour around each clock change from 2024 to 2035, and noon and
midnight of every day of 2026, in a phone whose own zone is far from Brussels."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

COMPARE = """async () => {
  const { today } = await import("/js/dates.js");
  const intl = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Brussels" });
  const instants = [];
  const HOUR = 3600 * 1000;
  for (let year = 2024; year <= 2035; year += 1) {
    for (const month of [2, 9]) {
      const last = new Date(Date.UTC(year, month + 1, 0));
      const sunday = Date.UTC(year, month, last.getUTCDate() - last.getUTCDay());
      for (let h = -30; h <= 30; h += 1) instants.push(sunday + h * HOUR, sunday + h * HOUR - 1);
    }
  }
  for (let day = 0; day < 366; day += 1) {
    const base = Date.UTC(2026, 0, 1) + day * 24 * HOUR;
    instants.push(base - 1, base, base + 12 * HOUR, base + 22 * HOUR + 59 * 60 * 1000, base + 23 * HOUR);
  }
  const wrong = [];
  for (const at of instants) {
    const date = new Date(at);
    if (today(date) !== intl.format(date)) wrong.push([date.toISOString(), today(date), intl.format(date)]);
  }
  return { checked: instants.length, wrong: wrong.slice(0, 10), now: today() === intl.format(new Date()) };
}"""


@pytest.mark.parametrize("zone", ["Europe/Brussels", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_today_in_brussels_matches_intl(new_context, zone):
    page = new_context("phone", timezone_id=zone).new_page()
    page.goto("/offline.html")
    result = page.evaluate(COMPARE)
    assert result["checked"] > 3000
    assert result["wrong"] == []
    assert result["now"]
