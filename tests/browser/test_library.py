"""The project library in a real browser: a team proposes its project with consent, the second
team member agrees and it is published; a learner of another organisation finds it in the library
and adapts it.

Every new page (the project's library section, the library, a published project, the adapted
project) has zero axe-core WCAG 2.2 AA violations and no horizontal scrolling at 375 px.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.core.db import make_engine
from app.portfolio import scores
from app.portfolio import service as portfolio_service
from app.portfolio.schemas import RegistrationCreate, ReviewCreate, ScoreCreate
from tests.browser.test_portfolio import PASSWORD, _check

NURSE = "library.nurse@example.nhs.uk"
MATE = "library.mate@example.nhs.uk"
LEAD = "library.lead@example.nhs.uk"
FOREIGN = "library.learner@example.nhs.uk"
ORG = "Calderdale and Huddersfield NHS Foundation Trust"
OTHER = "Airedale NHS Foundation Trust"
TITLE = "Fewer falls on the stroke unit"


def _setup(url: str) -> None:
    """A team of two with an approved project whose QI lead confirmed a score of 4.0."""
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        made = {}
        for email, name, org, roles in (
            (NURSE, "Nell Ward", ORG, [Role.LEARNER]),
            (MATE, "Matt Bay", ORG, [Role.LEARNER]),
            (LEAD, "Lena Quill", ORG, [Role.LEARNER]),
            ("library.leader@example.nhs.uk", "Leo Leader", ORG, [Role.LEADER]),
            (FOREIGN, "Farah Khan", OTHER, [Role.LEARNER]),
        ):
            made[email] = accounts_service.create_user(
                session,
                email=email,
                password=PASSWORD,
                full_name=name,
                organisation=org,
                staff_group="nursing_midwifery",
                roles=roles,
            )
        session.flush()
        org_id = made[LEAD].organisation_id
        assert org_id is not None
        portfolio_service.grant_qi_lead(
            session, organisation_id=org_id, email=LEAD, by=made["library.leader@example.nhs.uk"]
        )
        data = RegistrationCreate.model_validate(
            {
                "title": TITLE,
                "aim": "Reduce falls on the stroke unit from 8 to 4 a month by March 2027",
                "division": "Stroke services",
                "themes": ["falls"],
                "team": [MATE],
                "answers": {
                    "randomised": "no",
                    "changes_care": "no",
                    "generalisable": "no",
                    "purpose": "improve",
                },
            }
        )
        project = portfolio_service.register(session, user=made[NURSE], kind="qi", data=data)
        lead_access = portfolio_service.access(session, project_id=project.id, user=made[LEAD])
        portfolio_service.review(session, acc=lead_access, data=ReviewCreate(decision="approved"))
        team_access = portfolio_service.access(session, project_id=project.id, user=made[NURSE])
        row = scores.set_score(
            session,
            acc=team_access,
            data=ScoreCreate.model_validate({"score": "4.0", "scored_on": "2026-11-02"}),
        )
        scores.confirm(session, acc=lead_access, score_id=row.id)
    engine.dispose()


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))


def test_team_publishes_with_consent_and_another_organisation_adapts_it(
    browser: Any, page: Any, live_server: dict[str, str]
) -> None:
    base = live_server["base"]
    _setup(live_server["database_url"])

    # The nurse proposes the project for the whole community, with the lessons learned.
    _sign_in(page, base, NURSE)
    page.goto(base + "/portfolio")
    page.click(f"text={TITLE}")
    expect(page.locator("h2#library")).to_be_visible()
    page.click("button:has-text('Propose for the library')")  # nothing chosen
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose where to publish")
    _check(page, "proposing with errors")
    page.check("input[name='scope'][value='community']")
    page.fill("#lessons", "Ask the night team first: they knew where the falls happened.")
    page.click("button:has-text('Propose for the library')")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("asked to agree")
    expect(page.locator("main")).to_contain_text("Not answered yet: Matt Bay")
    _check(page, "a project waiting for the team's consent")
    project_url = page.url.split("?")[0]

    # The other team member is asked, and agrees: it is published.
    mate_context = browser.new_context(bypass_csp=True)
    mate = mate_context.new_page()
    mate.set_default_timeout(15000)
    _sign_in(mate, base, MATE)
    mate.goto(project_url)
    expect(mate.locator("legend", has_text="Do you agree to publish this project?")).to_be_visible()
    _check(mate, "the consent request")
    mate.check("input[name='consent'][value='yes']")
    mate.click("button:has-text('Send your answer')")
    expect(mate.locator(".nhsuk-notification-banner")).to_contain_text("published in the library")
    _check(mate, "a published project, as its team")
    mate_context.close()

    # A learner of another organisation finds it in the library and adapts it.
    other_context = browser.new_context(bypass_csp=True)
    other = other_context.new_page()
    other.set_default_timeout(15000)
    _sign_in(other, base, FOREIGN)
    other.goto(base + "/portfolio")
    other.click("text=Search the project library")
    expect(other.locator("h1")).to_have_text("Project library")
    other.fill("#topic", "falls")
    other.fill("#setting", "stroke")
    other.click("button:has-text('Search the library')")
    expect(other.locator("main")).to_contain_text(TITLE)
    _check(other, "the library's search results")
    other.click(f"a:has-text('{TITLE}')")
    expect(other.locator("h1")).to_have_text(TITLE)
    expect(other.locator("main")).to_contain_text("Ask the night team first")
    expect(other.locator(".qia-chart svg")).to_be_visible()
    _check(other, "a published project")
    other.click("button:has-text('Adapt this project')")
    expect(other.locator(".nhsuk-notification-banner")).to_contain_text("started from the one")
    expect(other.locator("#aim")).to_have_value(
        "Reduce falls on the stroke unit from 8 to 4 a month by March 2027"
    )
    _check(other, "an adapted project's registration")
    other.fill("#division", "Stroke rehabilitation")
    other.click("button:has-text('Save')")
    expect(other.locator("main")).to_contain_text("Adapted from")
    _check(other, "an adapted project")
    other_context.close()
