"""Accessibility statement, help and contact: reached from every page's footer, accessible at 1280
and 375 px, and the statement has the parts the GOV.UK model statement requires."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_fits

PAGES = [
    ("Accessibility statement", "Accessibility statement for QI Academy"),
    ("Help", "Help"),
    ("Contact us", "Contact us"),
]


@pytest.mark.parametrize("width", [1280, 375])
def test_footer_links_reach_help_contact_and_the_accessibility_statement(
    live_server: dict[str, str], page: Any, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for link, heading in PAGES:
        page.goto(live_server["base"] + "/")
        page.locator("footer").get_by_role("link", name=link, exact=True).click()
        expect(page.locator("h1")).to_have_text(heading)
        assert_accessible(page, f"{link} at {width} px")
        assert_fits(page, f"{link}")


def test_the_statement_has_every_part_the_model_statement_asks_for(
    live_server: dict[str, str], page: Any
) -> None:
    page.goto(live_server["base"] + "/accessibility")
    for part in (
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        expect(page.get_by_role("heading", name=part, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="support@qi-academy.nhs.uk").first).to_be_visible()


def test_a_new_account_reaches_its_settings_from_the_header_at_375_px(
    live_server: dict[str, str], page: Any
) -> None:
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(live_server["base"] + "/register")
    page.fill("#full_name", "Ife Adeyemi")
    page.fill("#email", "ife.adeyemi@example.nhs.uk")
    page.fill("#password", "copper heron meadow")
    page.fill("#organisation", "Oak Lodge Care Home")
    page.select_option("#staff_group", "nursing_midwifery")
    page.click("button:has-text('Create account')")
    expect(page).to_have_url(live_server["base"] + "/dashboard")
    page.goto(live_server["base"] + "/account")
    expect(page.locator("h1")).to_have_text("Your account")
    assert_accessible(page, "your account at 375 px")
    assert_fits(page, "your account")
    page.fill("#full_name", "")
    page.click("button:has-text('Save your details')")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter your full name")
    assert_accessible(page, "your account (error)")
