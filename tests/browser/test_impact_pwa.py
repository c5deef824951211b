"""The impact report screen for a coach (laptop and phone: period, tiles, charts, CSV download,
axe) and the audit log screen for an admin."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, COACH_PASSWORD, create_person
from impact_data import spec
from test_impact_report import seed

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report_coach(personas) -> str:
    admin = personas["admin"]
    org = admin.post("/api/organisations", json={"name": f"Rapport {uuid.uuid4().hex[:6]}", "kind": "lde",
                                                 "city": "Genk"}).json()["id"]
    email = f"rapport.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    create_person(admin, role="coach", firstName="Lotte", lastName="Janssens", email=email,
                  password=COACH_PASSWORD, organisationId=org)
    seed(personas.server, spec(org))
    return email


def sign_in(page, email: str, password: str) -> None:
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(email)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(password)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.wait_for_url(re.compile(r"#/home$"))


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_coach_reads_the_report_and_downloads_the_csv(report_coach, new_context, assert_accessible, size):
    page = new_context(size, accept_downloads=True).new_page()
    sign_in(page, report_coach, COACH_PASSWORD)
    page.locator("#nav").get_by_role("link", name=re.compile("Rapport")).click()
    main = page.locator("#main")
    main.get_by_role("heading", level=1, name="Impactrapport").wait_for()
    main.get_by_role("button", name="Vorige maand").click()
    main.get_by_text(re.compile(r"Periode: \d{4}-\d{2}-01 tot en met")).wait_for()
    main.get_by_label("Van").fill("2026-03-01")
    main.get_by_label("Tot en met").fill("2026-03-31")
    main.get_by_role("button", name="Toon rapport").click()
    main.get_by_text("Periode: 2026-03-01 tot en met 2026-03-31.").wait_for()

    tiles = {main.locator(".tile-label").nth(i).inner_text(): main.locator(".tile-value").nth(i).inner_text()
             for i in range(main.locator(".tile").count())}
    assert tiles["Actieve werknemers"] == "7" and tiles["Geplande uren"] == "88,5 u"
    assert tiles["Aanwezigheid"] == "73,4 %" and tiles["Doorgestroomd naar gewoon werk"] == "≥6"
    charts = main.locator("svg[role=img]")
    assert charts.count() == 3
    assert all(charts.nth(i).locator("title").count() == 1 for i in range(3))
    assert "Heftruckattest: <5" in charts.nth(1).get_attribute("aria-label")
    assert "<5" in charts.nth(1).text_content() and "88,5 u" in charts.nth(0).text_content()
    main.get_by_text("Toon als tabel").first.click()
    assert main.get_by_role("table").first.is_visible()
    assert_accessible(page, f"impact report ({size})")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "no sideways scrolling"

    with page.expect_download() as info:
        main.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == "impact-2026-03-01-2026-03-31.csv"
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert ["Aanwezigheid", "Geplande uren", "", "88,5", "uur", "attendance.plannedHours"] in rows


def test_admin_reads_the_audit_log(report_coach, personas, new_context, assert_accessible):
    # Something to find: coach A looks at worker A's file.
    assert personas["coach_a"].get(f"/api/people/{personas.ids['worker_a']}").status_code == 200
    page = new_context("laptop").new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Logboek").click()
    main = page.locator("#main")
    main.get_by_role("heading", level=1, name="Logboek").wait_for()
    main.get_by_role("table").wait_for()
    main.get_by_label("Over wie").select_option(personas.ids["worker_a"])
    main.get_by_role("button", name="Zoek").click()
    page.wait_for_function("() => [...document.querySelectorAll('#main td')].some(td => td.textContent === 'Dossier bekeken')")
    row = main.locator("tr", has_text="Dossier bekeken").first
    assert "Coach_A Coach" in row.inner_text() and "Ahmed Worker" in row.inner_text()
    assert_accessible(page, "audit log")
