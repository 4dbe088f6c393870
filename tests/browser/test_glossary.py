"""The glossary in a real browser: reached from a module's first-use link, accessible, readable at 375 px."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_fits


def test_glossary_page_is_accessible_and_fits_a_phone(
    live_server: dict[str, str], page: Any
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server["base"] + "/glossary")
    expect(page.locator("h1")).to_have_text("Glossary")
    expect(page.locator("#run-chart")).to_be_visible()
    assert_accessible(page, "glossary at 375 px")
    assert_fits(page, "the glossary")
    page.click("#run-chart a[href='#median']")
    expect(page.locator("#median")).to_be_in_viewport()
