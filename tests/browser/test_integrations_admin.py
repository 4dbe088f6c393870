"""An admin sets up an organisation's learning record store (xAPI) and its ESR competence names in
a real browser: every page and its error summary with zero axe violations and no sideways
scrolling at 375 px."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.core.db import make_engine
from tests.browser.conftest import assert_accessible, assert_fits

PASSWORD = "lantern-meadow-quartz"
ADMIN = "integrations.admin@example.nhs.uk"
ORG = "Calderdale and Huddersfield NHS Foundation Trust"


def _admin(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        user = accounts_service.create_user(
            session,
            email=ADMIN,
            password=PASSWORD,
            full_name="Priya Shah",
            organisation=ORG,
            staff_group="other",
            roles=[Role.ADMIN],
        )
        org_id = user.organisation_id
    engine.dispose()
    assert org_id is not None
    return org_id


def _check(page: Any, name: str) -> None:
    assert_accessible(page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_fits(page, name)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_admin_sets_up_xapi_and_esr_with_zero_axe_violations(
    live_server: dict[str, str], page: Any
) -> None:
    base = live_server["base"]
    org_id = _admin(live_server["database_url"])
    page.goto(base + "/login")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))

    # Learning record stores: the list, a form sent wrong, then right.
    page.goto(base + "/admin/xapi")
    expect(page.get_by_role("heading", name="Learning record stores (xAPI)")).to_be_visible()
    _check(page, "the LRS list")
    page.get_by_role("link", name=re.compile(ORG)).first.click()
    expect(page.get_by_role("heading", name=f"Learning record store for {ORG}")).to_be_visible()
    _check(page, "the LRS form")
    page.fill("#endpoint", "not a web address")
    page.click("button:has-text('Save learning record store')")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the secret")
    _check(page, "the LRS form with errors")
    page.fill("#endpoint", "https://lrs.example.nhs.uk/xAPI/")
    page.fill("#username", "qi-academy")
    page.fill("#password", "a-long-lrs-secret")
    page.click("button:has-text('Save learning record store')")
    expect(page.get_by_text("Learning record store saved.")).to_be_visible()
    _check(page, "the LRS list after saving")

    # ESR: the organisations, the names form sent wrong, then right.
    page.goto(base + "/admin/esr")
    expect(page.get_by_role("heading", name="Electronic Staff Record (ESR)")).to_be_visible()
    _check(page, "the ESR list")
    page.goto(f"{base}/admin/esr/{org_id}")
    expect(page.get_by_role("heading", name=f"ESR competence names for {ORG}")).to_be_visible()
    _check(page, "the ESR names form")
    page.fill("#months-achievement-bronze", "ten")
    page.click("button:has-text('Save competence names')")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("whole number from 1 to 120")
    _check(page, "the ESR names form with errors")
    page.fill("#name-achievement-bronze", "QI Academy Bronze")
    page.fill("#months-achievement-bronze", "36")
    page.click("button:has-text('Save competence names')")
    expect(page.get_by_text("ESR competence names saved.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(f"Download completions for {ORG}")).click()
    assert download.value.suggested_filename == f"esr-completions-{org_id}.csv"
