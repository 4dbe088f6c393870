"""A newcomer opens a cohort invite link while signed out, creates an account from the page that
explains the invitation, confirms their email address from the emailed link, and joins."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.cohorts import service as cohorts_service
from app.cohorts.models import Cohort
from app.cohorts.schemas import CohortCreate
from app.core.db import make_engine
from app.outbox.models import OutboxMessage
from tests.browser.conftest import assert_accessible, assert_fits


def _cohort(url: str) -> str:
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        lead = accounts_service.create_user(
            session,
            email="invite.lead@example.nhs.uk",
            password="orchard-heron-copper",
            full_name="Lena Trainer",
            organisation="Leeds Teaching Hospitals NHS Trust",
            staff_group="other",
            roles=[Role.TRAINER],
        )
        session.flush()
        cohort = cohorts_service.create_cohort(
            session,
            data=CohortCreate(
                name="Silver for Leeds wards",
                kind="individuals",
                organisation="Leeds Teaching Hospitals NHS Trust",
                starts_on=date.today(),
                ends_on=date.today() + timedelta(days=90),
                capacity=12,
                attendance_required=75,
                co_trainers=[],
            ),
            creator=lead,
        )
        session.flush()
        code = cohort.invite_code
    engine.dispose()
    return code


def _verification_link(url: str, to: str) -> str:
    engine = make_engine(url)
    with Session(engine) as session:
        body = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.to_address == to)
        ).one()
    engine.dispose()
    match = re.search(r"(/verify-email/\S+)", body)
    assert match, body
    return match.group(1)


def test_signed_out_invitation_then_register_then_join(
    live_server: dict[str, str], page: Any
) -> None:
    base, url = live_server["base"], live_server["database_url"]
    code = _cohort(url)
    page.goto(f"{base}/cohorts/join/{code}")
    expect(page.locator("h1")).to_have_text("You are invited to join Silver for Leeds wards")
    expect(page.get_by_text("Lena Trainer at Leeds Teaching Hospitals NHS Trust")).to_be_visible()
    expect(page.get_by_role("heading", name="What joining means")).to_be_visible()
    assert_accessible(page, "invitation (signed out)")

    page.get_by_role("button", name="Create an account").click()
    page.wait_for_url(re.compile(r"/register\?next="))
    page.fill("#full_name", "Nia Newcomer")
    page.fill("#email", "nia.newcomer@example.nhs.uk")
    page.fill("#password", "orchard-heron-copper")
    page.fill("#organisation", "Leeds Teaching Hospitals NHS Trust")
    page.select_option("#staff_group", "estates_ancillary")
    page.click("button:has-text('Create account')")
    page.wait_for_url(re.compile(rf"/cohorts/join/{code}$"))
    expect(page.locator("h1")).to_have_text("Silver for Leeds wards")
    assert_accessible(page, "join confirmation")

    page.goto(base + "/dashboard")
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    assert_accessible(page, "dashboard (address not confirmed)")
    page.goto(base + _verification_link(url, "nia.newcomer@example.nhs.uk"))
    assert_accessible(page, "confirm email address")
    page.get_by_role("button", name="Confirm email address").click()
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()
    assert_accessible(page, "email address confirmed")

    page.goto(f"{base}/cohorts/join/{code}")
    page.get_by_role("button", name="Join this cohort").click()
    page.wait_for_url(re.compile(r"/cohorts/\d+\?done=joined$"))
    expect(page.get_by_text("You have joined this cohort")).to_be_visible()


def _fits(page: Any, name: str) -> None:
    assert_fits(page, name)


def test_search_from_the_header_at_375_px(live_server: dict[str, str], page: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server["base"] + "/")
    page.fill("#search-field", "run chart")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=run"))
    expect(page.locator("h1")).to_contain_text("Search results for")
    expect(page.locator(".qia-search-results mark").first).to_be_visible()
    assert_accessible(page, "search results")
    _fits(page, "search results")
    page.goto(live_server["base"] + "/search?q=zzqxv")
    expect(page.get_by_text("There are no results for your search.")).to_be_visible()
    assert_accessible(page, "search, no results")
    _fits(page, "search, no results")
    page.goto(f"{live_server['base']}/cohorts/join/{_cohort_code_for_phone(live_server)}")
    assert_accessible(page, "invitation (signed out) at 375 px")
    _fits(page, "invitation (signed out)")


def _cohort_code_for_phone(live_server: dict[str, str]) -> str:
    engine = make_engine(live_server["database_url"])
    with Session(engine) as session:
        code = session.scalars(select(Cohort.invite_code).limit(1)).first()
    engine.dispose()
    return code or _cohort(live_server["database_url"])
