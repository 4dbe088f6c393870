"""Silver cohorts in a real browser: a trainer sets up and runs a cohort; a learner joins and sees it.

Every page on both journeys is checked with axe-core (zero WCAG 2.2 AA violations).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.cohorts.models import Cohort
from app.core.db import make_engine
from tests.browser.conftest import assert_accessible

PASSWORD = "orchard-heron-copper"


def _make_users(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for email, name, roles in (
            ("lead.trainer@example.nhs.uk", "Lena Trainer", [Role.TRAINER]),
            ("co.trainer@example.nhs.uk", "Colin Trainer", [Role.TRAINER]),
            ("joiner@example.nhs.uk", "Jo Iner", [Role.LEARNER]),
        ):
            accounts_service.create_user(
                session,
                email=email,
                password=PASSWORD,
                full_name=name,
                organisation="Leeds Teaching Hospitals NHS Trust",
                staff_group="other",
                roles=roles,
            )
    engine.dispose()


def _invite_code(url: str, name: str) -> str:
    engine = make_engine(url)
    with Session(engine) as session:
        code = session.scalars(select(Cohort.invite_code).where(Cohort.name == name)).one()
    engine.dispose()
    return code


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))


def test_trainer_and_learner_cohort_journeys(
    live_server: dict[str, str], page: Any, tmp_path: Path
) -> None:
    base, url = live_server["base"], live_server["database_url"]
    _make_users(url)

    # The trainer creates a team cohort, with a mistake first.
    _sign_in(page, base, "lead.trainer@example.nhs.uk")
    expect(page.locator("header a[href='/trainer/cohorts']")).to_have_count(1)  # the nav link
    page.goto(base + "/trainer/cohorts")
    assert_accessible(page, "trainer cohort list (empty)")
    page.click("a:has-text('Create a cohort')")
    assert_accessible(page, "create cohort form")
    page.fill("#name", "Silver for Teams - Leeds spring")
    page.check("input[name=kind][value=teams]")
    page.fill("#organisation", "Leeds Teaching Hospitals NHS Trust")
    page.fill("#starts_on", "2027-03-01")
    page.fill("#ends_on", "2027-02-01")  # before the start: the form says so
    page.fill("#capacity", "12")
    page.fill("#attendance_required", "50")
    page.fill("#co_trainers", "co.trainer@example.nhs.uk")
    page.click("button:has-text('Create cohort')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert "Error:" in page.title()
    assert_accessible(page, "create cohort form with errors")
    page.fill("#ends_on", "2027-07-31")
    page.click("button:has-text('Create cohort')")
    page.wait_for_url(re.compile(r"/members\?done=created$"))
    expect(page.get_by_text("Cohort created")).to_be_visible()
    assert_accessible(page, "learners and teams")

    # Import learners from a CSV file: a bad file first, then a good one.
    bad = tmp_path / "bad.csv"
    bad.write_text("email,full_name,team\nnot-an-email,Someone,Ward 7\n")
    page.set_input_files("#file", str(bad))
    page.click("button:has-text('Import learners')")
    expect(page.get_by_text("line 2: 'not-an-email' is not a valid email address")).to_be_visible()
    assert_accessible(page, "import with errors")
    good = tmp_path / "learners.csv"
    good.write_text(
        "email,full_name,team\n"
        "amara.okafor@example.nhs.uk,Amara Okafor,Ward 7 falls\n"
        "ben.hughes@example.nhs.uk,Ben Hughes,Ward 7 falls\n"
    )
    page.set_input_files("#file", str(good))
    page.click("button:has-text('Import learners')")
    page.wait_for_url(re.compile(r"done=imported"))
    expect(page.get_by_text("2 new accounts created")).to_be_visible()
    expect(page.get_by_role("cell", name="Ward 7 falls").first).to_be_visible()
    assert_accessible(page, "learners after import")

    # Schedule a session and take the register.
    page.click("nav[aria-label='Cohort sections'] a:has-text('Workshop sessions')")
    assert_accessible(page, "sessions (none yet)")
    page.fill("#title", "Workshop 1: understanding your system")
    page.fill("#date", "2027-03-10")
    page.fill("#start_time", "09:30")
    page.fill("#end_time", "12:30")
    page.fill("#venue", "Room 4, Education Centre")
    page.click("button:has-text('Add session')")
    page.wait_for_url(re.compile(r"done=session$"))
    expect(page.get_by_text("Wednesday 10 March 2027, 9:30am to 12:30pm")).to_be_visible()
    assert_accessible(page, "sessions")
    page.click("a:has-text('Take the register')")
    assert_accessible(page, "register")
    page.locator("input[value=present]").first.check()
    page.click("button:has-text('Save register')")
    expect(page.get_by_text("Register saved")).to_be_visible()

    # The dashboard and its CSV export.
    page.click(".nhsuk-back-link")  # back to the sessions
    page.click("nav[aria-label='Cohort sections'] a:has-text('Dashboard')")
    expect(page.get_by_text("Amara Okafor")).to_be_visible()
    assert_accessible(page, "cohort dashboard")
    with page.expect_download() as download:
        page.click("a:has-text('Download the dashboard as a CSV file')")
    assert "Amara Okafor" in Path(download.value.path()).read_text()
    page.click("a:has-text('Amara Okafor')")
    expect(page.locator("h1")).to_have_text("Amara Okafor")
    assert_accessible(page, "manage a learner")
    page.click("button:has-text('Sign out')")

    # A learner joins with the invite link and sees the cohort, its sessions and Silver.
    code = _invite_code(url, "Silver for Teams - Leeds spring")
    _sign_in(page, base, "joiner@example.nhs.uk")
    expect(page.locator("header a[href='/trainer/cohorts']")).to_have_count(0)
    expect(page.locator("header a[href='/cohorts']")).to_have_count(1)
    page.goto(base + "/cohorts")
    assert_accessible(page, "my cohorts (none)")
    page.goto(f"{base}/cohorts/join/{code}")
    expect(page.locator("h1")).to_have_text("Silver for Teams - Leeds spring")
    assert_accessible(page, "join confirmation")
    page.click("button:has-text('Join this cohort')")
    page.wait_for_url(re.compile(r"/cohorts/\d+\?done=joined$"))
    expect(
        page.get_by_role("heading", name="Workshop 1: understanding your system")
    ).to_be_visible()
    assert_accessible(page, "learner cohort page")
    with page.expect_download() as download:
        page.click("a:has-text('Add all sessions to your calendar')")
    assert "BEGIN:VCALENDAR" in Path(download.value.path()).read_text()
    page.goto(base + "/learn/silver")
    expect(page.locator(".nhsuk-inset-text")).to_have_count(0)  # Silver is open now
    page.goto(base + "/cohorts/join/NOSUCHCODE")
    expect(page.get_by_text("We do not recognise this invite code")).to_be_visible()
    assert_accessible(page, "unknown invite code")
