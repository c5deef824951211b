"""The admin's Home lists the app's languages ("Talen"): each in its own name and script (Arabic
right to left), with its review state and how many server texts it has; axe at 360 px."""

from __future__ import annotations

import pytest

from test_coach_screens import sign_in

browser = pytest.mark.browser


@browser
def test_admin_sees_each_language_with_its_review_state(personas, new_context, assert_accessible):
    from conftest import ADMIN_EMAIL, ADMIN_PASSWORD

    page = new_context("phone").new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    main = page.locator("#main")
    main.get_by_role("heading", level=2, name="Talen").wait_for()
    section = main.locator("section", has=page.get_by_role("heading", level=2, name="Talen"))
    rows = section.locator("li")
    assert rows.count() == 8
    names = section.locator(".row-title")
    assert names.all_inner_texts() == ["Nederlands", "English", "Français", "العربية", "Türkçe", "Polski", "Română",
                                       "Українська"]
    arabic = section.locator(".row-title[lang=ar]")
    assert arabic.get_attribute("dir") == "rtl"
    details = section.locator(".row-detail").all_inner_texts()
    assert details[0].startswith("Geschreven in de eigen taal")
    assert details[1].startswith("Nagelezen")
    assert all(d.startswith("Moet nog nagelezen worden") for d in details[2:]), details
    dutch = personas["admin"].get("/api/languages").json()["languages"][0]["dutchKeys"]
    assert f"{dutch} van {dutch} teksten van de server" in details[0]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "admin languages at 360 px")
