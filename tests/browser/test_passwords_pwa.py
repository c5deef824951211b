"""Passwords in real Chromium: a coach changes their own password in Settings, an admin makes a
reset link and the coach sets a new password with it; axe on each screen."""

from __future__ import annotations

import re
import uuid

import pytest

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, COACH_PASSWORD, Client, create_person

pytestmark = pytest.mark.browser
NEW_PASSWORD = "paars kanon achter het station"


def new_coach(personas) -> tuple[str, str]:
    email = f"pw.coach.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    person = create_person(personas["admin"], role="coach", firstName="Sofie", lastName="Peeters", email=email,
                           password=COACH_PASSWORD, organisationId=personas.org_a)["person"]
    return email, person["id"]


def sign_in(page, email: str, password: str) -> None:
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(email)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(password)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.wait_for_url(re.compile(r"#/home$"))


def test_coach_changes_own_password_in_settings(personas, new_context, assert_accessible):
    email, _ = new_coach(personas)
    other_device = Client(personas.server.url)
    assert other_device.login(email, COACH_PASSWORD).status_code == 200
    page = new_context("laptop").new_page()
    sign_in(page, email, COACH_PASSWORD)
    page.goto("/#/settings")
    page.get_by_role("heading", name="Wachtwoord wijzigen").wait_for()
    current = page.get_by_label(re.compile("^Huidig wachtwoord"))
    new = page.get_by_label(re.compile("^Nieuw wachtwoord"))
    current.fill(COACH_PASSWORD)
    new.fill("wachtwoord1234")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    page.get_by_text(re.compile("te makkelijk te raden")).first.wait_for()
    assert_accessible(page, "settings with a refused password")
    current.fill(COACH_PASSWORD)
    new.fill(NEW_PASSWORD)
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    page.get_by_text("Je wachtwoord is gewijzigd. Je andere toestellen zijn afgemeld.").first.wait_for()
    assert_accessible(page, "settings after the change")
    assert other_device.get("/api/me").status_code == 401, "the other session ended"
    assert Client(personas.server.url).login(email, NEW_PASSWORD).status_code == 200


def test_admin_reset_link_lets_the_coach_choose_a_new_password(personas, new_context, assert_accessible):
    email, coach_id = new_coach(personas)
    admin_page = new_context("laptop").new_page()
    sign_in(admin_page, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin_page.goto(f"/#/people/{coach_id}")
    admin_page.get_by_role("button", name="Maak een herstellink").click()
    admin_page.get_by_role("heading", name="Herstellink voor Sofie").wait_for()
    link = admin_page.get_by_label("Herstellink").input_value().strip()
    assert link.startswith(personas.server.url + "/#/reset/")
    assert_accessible(admin_page, "reset link for the admin")

    coach_page = new_context("phone").new_page()
    coach_page.goto(link)
    coach_page.get_by_role("heading", name="Nieuw wachtwoord kiezen").wait_for()
    token = link.split("/#/reset/")[1]
    assert token not in coach_page.url, "the token leaves the address bar"
    assert_accessible(coach_page, "reset page")
    coach_page.get_by_label(re.compile("^Nieuw wachtwoord")).fill("kort")
    coach_page.get_by_role("button", name="Wachtwoord opslaan").click()
    coach_page.get_by_text(re.compile("te kort")).first.wait_for()
    coach_page.get_by_label(re.compile("^Nieuw wachtwoord")).fill(NEW_PASSWORD)
    coach_page.get_by_role("button", name="Wachtwoord opslaan").click()
    coach_page.wait_for_url(re.compile(r"#/home$"))
    assert_accessible(coach_page, "coach home after the reset")
    assert Client(personas.server.url).login(email, NEW_PASSWORD).status_code == 200
    assert Client(personas.server.url).login(email, COACH_PASSWORD).status_code == 401
