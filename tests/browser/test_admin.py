"""The admin journey in a real browser (users, roles, deactivation, reset links, organisations, audit
log), a learner resetting their password and deleting their account, and the leader's feedback page.

Every page is checked with axe-core: zero WCAG 2.2 AA violations.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.content import service as content_service
from app.content.loader import load_content
from app.content.registry import load_or_fail
from app.core.config import get_settings
from app.core.db import make_engine
from app.outbox.models import OutboxMessage
from app.progress import service as progress_service
from tests.browser.conftest import assert_accessible
from tests.browser.steps import nav
from tests.cohorts.factories import enrol, make_cohort, make_session, make_trainer
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import make_user

PASSWORD = "orchard-heron-copper"
ADMIN = "admin.journey@example.nhs.uk"
LEARNER = "learner.journey@example.nhs.uk"
LEAVER = "leaver.journey@example.nhs.uk"


def _make_users(url: str, *people: tuple[str, str, Role]) -> None:
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for email, name, role in people:
            accounts_service.create_user(
                session,
                email=email,
                password=PASSWORD,
                full_name=name,
                organisation="Bradford District Care NHS Foundation Trust",
                staff_group="other",
                roles=[role],
            )
    engine.dispose()


def _reset_link(url: str, email: str) -> str:
    engine = make_engine(url)
    with Session(engine) as session:
        body = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id.desc())
        ).first()
    engine.dispose()
    assert body, f"no email to {email}"
    found = re.search(r"https?://\S+/reset-password/\S+", body)
    assert found, body
    return found.group(0)


def _sign_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))


def test_admin_journey_with_zero_axe_violations(live_server: dict[str, str], page: Any) -> None:
    base, url = live_server["base"], live_server["database_url"]
    _make_users(url, (ADMIN, "Morgan Ellis", Role.ADMIN), (LEARNER, "Kofi Boateng", Role.LEARNER))
    _sign_in(page, base, ADMIN)

    nav(page, "Admin")  # at 1280 px the header may fold it under 'More'
    page.wait_for_url(re.compile(r"/admin$"))
    expect(page.locator("h1")).to_have_text("Administration")
    assert_accessible(page, "admin overview")

    page.click("main a:has-text('Users')")
    page.wait_for_url(re.compile(r"/admin/users$"))
    assert_accessible(page, "admin users")
    page.fill("#q", "kofi")
    page.click("button:has-text('Search')")
    page.wait_for_url(re.compile(r"q=kofi"))
    expect(page.get_by_text("Showing 1 to 1 of 1 user.")).to_be_visible()
    assert_accessible(page, "admin users search")
    page.click("a:has-text('Kofi Boateng')")
    page.wait_for_url(re.compile(r"/admin/users/\d+$"))
    learner_page = page.url
    assert_accessible(page, "admin user")

    page.check("input[name=roles][value=trainer]")
    page.click("button:has-text('Save roles')")
    page.wait_for_url(re.compile(r"done=roles"))
    expect(page.get_by_text("Roles saved")).to_be_visible()
    assert_accessible(page, "admin user (roles saved)")

    page.click("button:has-text('Email a password reset link')")
    page.wait_for_url(re.compile(r"done=reset"))
    expect(page.get_by_text("A password reset link has been emailed")).to_be_visible()

    page.click("a:has-text('Deactivate account')")
    expect(page.locator("h1")).to_contain_text("Deactivate")
    assert_accessible(page, "deactivate account (check)")
    page.click("button:has-text('Yes, deactivate this account')")
    page.wait_for_url(re.compile(r"done=deactivated"))
    expect(page.locator("main .nhsuk-tag", has_text="Deactivated")).to_be_visible()
    assert_accessible(page, "admin user (deactivated)")
    page.click("button:has-text('Reactivate account')")
    page.wait_for_url(re.compile(r"done=reactivated"))

    # An admin cannot take away their own admin role: the error summary says so.
    page.goto(base + "/admin/users?q=morgan")
    page.click("main a:has-text('Morgan Ellis')")
    page.uncheck("input[name=roles][value=admin]")
    page.click("button:has-text('Save roles')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page.get_by_text("You cannot remove your own admin role").first).to_be_visible()
    assert "Error:" in page.title()
    assert_accessible(page, "admin user (error)")

    page.goto(base + "/admin/organisations")
    assert_accessible(page, "admin organisations")
    page.click("a:has-text('Add an organisation')")
    page.wait_for_url(re.compile(r"/admin/organisations/new$"))
    assert_accessible(page, "add organisation")
    page.click("button:has-text('Save organisation')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page, "add organisation (errors)")
    page.fill("#name", "Moorside Surgery")
    page.check("input[name=kind][value=primary_care]")
    page.select_option("#region", "North East and Yorkshire")
    page.click("button:has-text('Save organisation')")
    page.wait_for_url(re.compile(r"done=created"))
    row = page.locator("tr", has_text="Moorside Surgery")
    expect(row.get_by_text("Primary care")).to_be_visible()
    expect(row.get_by_text("North East and Yorkshire")).to_be_visible()
    page.click("a:has-text('Bradford District Care NHS Foundation Trust')")
    assert_accessible(page, "edit organisation")
    page.check("input[name=kind][value=nhs_trust]")
    page.click("button:has-text('Save organisation')")
    page.wait_for_url(re.compile(r"done=saved"))

    page.goto(base + "/admin/audit")
    for words in (
        "Changed the roles of Kofi Boateng (added: trainer)",
        "Sent a password reset link to Kofi Boateng",
        "Deactivated Kofi Boateng",
        "Reactivated Kofi Boateng",
        "Created organisation",
        "Edited organisation",
    ):
        expect(page.get_by_text(words).first, words).to_be_visible()
    assert_accessible(page, "audit log")
    page.select_option("#action", "user.deactivated")
    page.click("button:has-text('Show')")
    page.wait_for_url(re.compile(r"action=user.deactivated"))
    expect(page.get_by_text("Reactivated Kofi Boateng")).to_have_count(0)

    page.goto(base + "/leader/feedback")
    expect(page.locator("h1")).to_have_text("Learner feedback")
    assert_accessible(page, "leader feedback")

    # The learner uses the link the admin sent: a new password, then signs in with it.
    page.click("button:has-text('Sign out')")
    page.goto(_reset_link(url, LEARNER).replace("http://testserver", base))
    expect(page.locator("h1")).to_have_text("Choose a new password")
    assert_accessible(page, "reset password")
    page.fill("#password", "short")
    page.click("button:has-text('Save new password')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page, "reset password (error)")
    page.fill("#password", "kettle-lantern-willow")
    page.click("button:has-text('Save new password')")
    expect(page.get_by_text("Your password has been changed")).to_be_visible()
    assert_accessible(page, "password changed")
    _sign_in(page, base, LEARNER, "kettle-lantern-willow")
    assert learner_page  # the admin's page for this learner existed all along


def test_forgot_password_and_account_deletion_with_zero_axe_violations(
    live_server: dict[str, str], page: Any
) -> None:
    base = live_server["base"]
    page.goto(base + "/login")
    page.click("a:has-text('Forgot your password?')")
    page.wait_for_url(re.compile(r"/forgot-password$"))
    assert_accessible(page, "forgot password")
    page.click("button:has-text('Send the link')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page, "forgot password (error)")
    page.fill("#email", "nobody.at.all@example.nhs.uk")
    page.click("button:has-text('Send the link')")
    expect(page.locator("h1")).to_have_text("Check your email")
    assert_accessible(page, "check your email")

    _make_users(live_server["database_url"], (LEAVER, "Lena Leaver", Role.LEARNER))
    _sign_in(page, base, LEAVER)
    page.click("header a:has-text('Lena Leaver')")
    page.wait_for_url(re.compile(r"/account$"))
    assert_accessible(page, "your account")
    page.click("a:has-text('Download a copy of your data or delete your account')")
    page.wait_for_url(re.compile(r"/me/data$"))
    assert_accessible(page, "your data")
    with page.expect_download() as download:
        page.click("a:has-text('Download your data (JSON)')")
    assert download.value.suggested_filename.startswith("qi-academy-data-")
    page.fill("#password", "not-my-password")
    page.click("button:has-text('Delete my account')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page, "your data (wrong password)")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Delete my account')")
    page.wait_for_url(re.compile(r"/account-deleted$"))
    expect(page.get_by_text("Your account has been deleted")).to_be_visible()
    assert_accessible(page, "account deleted")
    page.goto(base + "/login")
    page.fill("#email", LEAVER)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()


def test_feedback_pages_for_learner_trainer_and_leader_with_zero_axe_violations(
    live_server: dict[str, str], page: Any
) -> None:
    base, url = live_server["base"], live_server["database_url"]
    first = min(
        (m for m in load_content(get_settings().content_dir).modules if m.tier == "bronze"),
        key=lambda m: m.meta.order,
    )
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        trainer = make_trainer(session, name="Tara Trainer")
        cohort = make_cohort(session, lead=trainer, name="Feedback cohort")
        learner = make_user(session, email="rater.journey@example.nhs.uk", name="Rae Rater")
        enrol(session, cohort, learner)
        workshop = make_session(session, cohort, title="Process mapping", days=-1)
        leader = make_user(session, email="leader.journey@example.nhs.uk", roles=[Role.LEADER])
        trainer_email, cohort_id, leader_email = trainer.email, cohort.id, leader.email
        registry = content_service.sync(session, modules=load_or_fail(get_settings().content_dir))
        module = registry.get(first.slug)
        assert module is not None
        progress_service.record_quiz_result(
            session,
            user_id=learner.id,
            module=module,
            score=100,
            passed=True,
            rows=progress_service.rows_for(session, user_id=learner.id),
        )
    engine.dispose()

    _sign_in(page, base, "rater.journey@example.nhs.uk", FACTORY_PASSWORD)
    page.goto(base + "/me/feedback")
    assert_accessible(page, "my feedback")
    page.click(f"a:has-text('{first.meta.title}')")
    page.wait_for_url(re.compile(rf"/modules/{first.slug}/feedback$"))
    assert_accessible(page, "rate module")
    page.click("button:has-text('Send feedback')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page, "rate module (error)")
    page.check("input[name=rating][value='2']")
    page.fill("#comment", "Hard to follow the worked example.")
    page.click("button:has-text('Send feedback')")
    page.wait_for_url(re.compile(r"saved=true"))
    expect(page.get_by_text("Your feedback has been saved")).to_be_visible()
    assert_accessible(page, "rate module (saved)")
    page.goto(base + "/me/feedback")
    page.click("a:has-text('Process mapping')")
    assert_accessible(page, "rate session")
    page.check("input[name=rating][value='5']")
    page.fill("#comment", "Great hands-on session.")
    page.click("button:has-text('Send feedback')")
    page.wait_for_url(re.compile(r"saved=true"))
    page.click("button:has-text('Sign out')")

    _sign_in(page, base, trainer_email, FACTORY_PASSWORD)
    page.goto(base + "/trainer/feedback")
    assert_accessible(page, "trainer feedback list")
    page.click("a:has-text('Feedback cohort')")
    page.wait_for_url(re.compile(rf"/trainer/cohorts/{cohort_id}/feedback$"))
    expect(page.get_by_text("Great hands-on session.")).to_be_visible()
    expect(page.get_by_text("Hard to follow the worked example.")).to_be_visible()
    expect(page.get_by_text("Rae Rater")).to_have_count(0)
    assert_accessible(page, "trainer cohort feedback")
    page.click("button:has-text('Sign out')")

    _sign_in(page, base, leader_email, FACTORY_PASSWORD)
    page.goto(base + f"/leader/feedback/modules/{first.slug}")
    expect(page.get_by_text("Hard to follow the worked example.")).to_be_visible()
    assert_accessible(page, "leader module feedback")
    assert workshop.title == "Process mapping"
