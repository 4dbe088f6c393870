"""The QI portfolio in a real browser: a nurse checks and registers a project, the QI lead
approves it and opens the portfolio dashboard, the team records a progress score and the QI lead
confirms it and mentions the nurse in a comment, which her bell shows.

Every page on the journey (and a page showing form errors) has zero axe-core WCAG 2.2 AA
violations and no horizontal scrolling at 375 px.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.core.db import make_engine
from app.portfolio import service as portfolio_service
from tests.browser.conftest import assert_accessible, assert_fits

PASSWORD = "kestrel-meadow-lantern"
NURSE = "portfolio.nurse@example.nhs.uk"
LEAD = "portfolio.lead@example.nhs.uk"
ORG = "Bradford Teaching Hospitals NHS Foundation Trust"


def _setup(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        made = {}
        for email, name, roles in (
            (NURSE, "Nia Okafor", [Role.LEARNER]),
            (LEAD, "Quinn Harper", [Role.LEARNER]),
            ("portfolio.leader@example.nhs.uk", "Lee Leader", [Role.LEADER]),
        ):
            made[email] = accounts_service.create_user(
                session,
                email=email,
                password=PASSWORD,
                full_name=name,
                organisation=ORG,
                staff_group="nursing_midwifery",
                roles=roles,
            )
        session.flush()
        org_id = made[LEAD].organisation_id
        assert org_id is not None
        portfolio_service.grant_qi_lead(
            session, organisation_id=org_id, email=LEAD, by=made["portfolio.leader@example.nhs.uk"]
        )
    engine.dispose()


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))


def _check(page: Any, name: str) -> None:
    """Zero axe violations, and nothing wider than a 375 px phone (waiting for the header's
    script to fold its navigation after the resize)."""
    assert_accessible(page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_fits(page, name)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_nurse_registers_qi_lead_approves_team_scores(
    browser: Any, page: Any, live_server: dict[str, str]
) -> None:
    base = live_server["base"]
    _setup(live_server["database_url"])

    # The nurse checks what kind of project it is, then registers it.
    _sign_in(page, base, NURSE)
    page.click(
        "a.nhsuk-header__navigation-link:has-text('QI portfolio'), a:has-text('QI portfolio')"
    )
    expect(page.locator("h1")).to_have_text("QI portfolio")
    _check(page, "portfolio home")
    page.click("text=Register a project")
    expect(page.locator("h1")).to_contain_text("Is it QI")
    _check(page, "the classifier")
    for name in ("randomised", "changes_care", "generalisable"):
        page.check(f"input[name='{name}'][value='no']")
    page.check("input[name='purpose'][value='improve']")
    page.click("button:has-text('Check my answers')")
    expect(page.locator("#outcome")).to_contain_text("quality improvement")
    _check(page, "the classifier's outcome")
    page.click("text=Register this project")
    expect(page.locator("h1")).to_have_text("Register a project")
    page.click("button:has-text('Register the project')")  # nothing filled in
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a title")
    _check(page, "registration with errors")
    page.fill("#title", "Drinks at the 3pm round")
    page.fill("#aim", "Increase residents offered a drink at 3pm from 60% to 95% by June 2027")
    page.fill("#division", "Care of older people")
    page.check("input[name='themes'][value='nutrition']")
    page.click("button:has-text('Register the project')")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("has been registered")
    expect(page.locator("strong.nhsuk-tag")).to_have_text("Waiting for approval")
    _check(page, "a project waiting for approval")
    project_url = page.url.split("?")[0]

    # The QI lead approves it.
    lead_context = browser.new_context(bypass_csp=True)
    lead = lead_context.new_page()
    lead.set_default_timeout(15000)
    _sign_in(lead, base, LEAD)
    lead.goto(base + "/portfolio")
    expect(lead.locator("h2", has_text="Waiting for your approval")).to_be_visible()
    lead.click("text=Drinks at the 3pm round")
    lead.check("input[name='decision'][value='approved']")
    lead.click("button:has-text('Record the decision')")
    expect(lead.locator(".nhsuk-notification-banner")).to_contain_text("has been approved")
    _check(lead, "an approved project, as QI lead")
    lead.goto(base + "/portfolio")
    lead.click("text=All projects and settings")
    expect(lead.locator("h2", has_text="QI leads")).to_be_visible()
    _check(lead, "the organisation's portfolio")
    lead.click("text=Open the portfolio dashboard")
    expect(lead.locator("h2", has_text="Projects by status")).to_be_visible()
    _check(lead, "the portfolio dashboard")
    lead.click("nav[aria-label='Dashboard views'] >> text=Theme")
    expect(lead.locator("table")).to_contain_text("Nutrition and hydration")
    _check(lead, "the dashboard's themes")

    # The team records a progress score.
    page.goto(project_url)
    expect(page.locator("strong.nhsuk-tag")).to_have_text("Active")
    page.check("input[name='score'][value='2.0']")
    page.fill("#note", "Baseline collected; studying causes")
    page.click("button:has-text('Record the score')")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("has been recorded")
    expect(page.locator("#scores")).to_contain_text("2.0 Activity, but no changes")
    expect(page.locator(".qia-chart svg")).to_be_visible()
    _check(page, "a project with a progress score")

    # The QI lead confirms it; the current score follows.
    lead.goto(project_url)
    lead.click("#scores button:has-text('Confirm')")
    expect(lead.locator(".nhsuk-notification-banner")).to_contain_text("has been confirmed")
    expect(lead.locator(".nhsuk-summary-list")).to_contain_text("2.0: Activity, but no changes")
    expect(lead.locator("#scores")).to_contain_text("By Quinn Harper")

    # The QI lead mentions the nurse in a comment; her bell shows it.
    lead.fill("#body", "@Nia Okafor well done on the baseline.")
    lead.click("button:has-text('Add comment')")
    expect(lead.locator(".nhsuk-notification-banner")).to_contain_text("comment has been added")
    lead_context.close()
    page.goto(base + "/portfolio")
    expect(page.locator(".qia-bell")).to_contain_text("1")
    page.click(".nhsuk-header__account-link:has-text('Notifications')")
    expect(page.locator("main")).to_contain_text("Quinn Harper mentioned you")
    _check(page, "notifications")
