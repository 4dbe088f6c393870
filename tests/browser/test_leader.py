"""An improvement leader in a real browser: assess and certify a Gold candidate, read the lineage,
the reports (with filters and CSV links) and the trainer directory; zero axe violations throughout."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.content import service as content_service
from app.content.registry import load_or_fail
from app.core.config import get_settings
from app.core.db import make_engine
from app.gold import service as gold_service
from app.reports import service as reports_service
from app.reports.models import ReportRefresh
from tests.browser.conftest import assert_accessible, assert_fits
from tests.factories import PASSWORD
from tests.gold.factories import cohort, pass_gold_modules, person, quick_credential


def _seed(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url)
    tag = uuid.uuid4().hex[:6]
    try:
        with Session(engine) as db, db.begin():
            registry = content_service.sync(db, modules=load_or_fail(get_settings().content_dir))
            leader = person(db, roles=[Role.LEADER], name=f"Lola Leader {tag}")
            candidate = person(db, name=f"Kwame Candidate {tag}", organisation="Derby Trust")
            quick_credential(db, user=candidate, achievement="silver")
            pass_gold_modules(db, registry, candidate)
            lead = person(db, roles=[Role.TRAINER], name=f"Tariq Trainer {tag}")
            cohort(db, lead=lead, co=[candidate], name=f"Derby Silver {tag}")
            candidacy = gold_service.apply(db, user=candidate)
            return {
                "leader": leader.email,
                "candidate": candidate.full_name,
                "candidacy": str(candidacy.id),
            }
    finally:
        engine.dispose()


def test_leader_certifies_a_gold_candidate_and_reads_reports(
    live_server: dict[str, str], page: Any
) -> None:
    base = live_server["base"]
    seed = _seed(live_server["database_url"])
    page.goto(base + "/login")
    page.fill("#email", seed["leader"])
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))

    page.goto(base + "/leader/gold")
    expect(page.get_by_role("link", name=seed["candidate"])).to_be_visible()
    assert_accessible(page, "gold candidates")
    page.click("button:has-text('Nominate')")  # empty: the error summary
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page, "nominate with errors")

    page.get_by_role("link", name=seed["candidate"]).click()
    page.wait_for_url(re.compile(r"/leader/gold/candidates/\d+$"))
    expect(
        page.get_by_text("An observed teaching session, recorded by an improvement leader")
    ).to_be_visible()
    assert_accessible(page, "assess candidate")

    page.fill("#observed_on", "2026-01-15")
    for criterion in ("planning", "facilitation", "content_accuracy", "inclusion", "feedback"):
        page.check(f'input[name="{criterion}"][value="met"]')
    page.fill("#notes", "Well-paced session; every learner took part.")
    page.click("button:has-text('Record observation')")
    page.wait_for_url(re.compile(r"/leader/gold/candidates/\d+$"))
    expect(page.get_by_text("The evidence is complete.")).to_be_visible()
    assert_accessible(page, "assess candidate (evidence complete)")

    page.check('input[name="decision"][value="certify"]')
    page.fill("#reasons", "Met every criterion in the observed session.")
    page.click("button:has-text('Record decision')")
    page.wait_for_url(re.compile(r"/leader/gold$"))
    row = page.locator("tr", has_text=seed["candidate"])
    expect(row.get_by_text("current")).to_be_visible()
    assert_accessible(page, "gold candidates after certifying")

    page.goto(base + "/leader/lineage")
    expect(page.locator("td", has_text=seed["candidate"])).to_be_visible()
    assert_accessible(page, "lineage")

    engine = make_engine(live_server["database_url"])
    with (
        Session(engine) as db,
        db.begin(),
    ):  # as on a new server: other tests here may have refreshed
        db.execute(delete(ReportRefresh))
    page.goto(base + "/leader/reports")
    expect(page.get_by_text("Figures not ready yet")).to_be_visible()
    assert_accessible(page, "reports before the first refresh")
    with Session(engine) as db, db.begin():
        reports_service.refresh(db)  # what the background refresher does every minute
    engine.dispose()
    page.reload()
    expect(page.get_by_text("Figures as of")).to_be_visible()
    expect(page.locator("svg.qia-chart")).to_have_count(2)
    assert_accessible(page, "reports")
    expect(page.get_by_role("navigation", name="Contents")).to_be_visible()
    expect(page.locator("#headlines")).to_contain_text(" to ")
    expect(page.locator("body")).not_to_contain_text(re.compile(r"\b1 cohorts\b|\b20\d\d-\d\d\b"))
    page.set_viewport_size({"width": 375, "height": 800})
    assert_fits(page, "reports")
    assert_accessible(page, "reports at 375 px")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.select_option("#staff_group", "nursing_midwifery")
    page.click("button:has-text('Apply filters')")
    page.wait_for_url(re.compile(r"staff_group=nursing_midwifery"))
    assert "staff_group=nursing_midwifery" in (
        page.get_by_role(
            "link", name=re.compile("Download this table.*registrations")
        ).get_attribute("href")
        or ""
    )
    assert_accessible(page, "reports (filtered)")

    page.goto(base + "/trainers")
    expect(page.locator("td", has_text=seed["candidate"])).to_be_visible()
    assert_accessible(page, "trainer directory")


def test_learners_are_refused_leader_pages(live_server: dict[str, str], page: Any) -> None:
    base = live_server["base"]
    engine = make_engine(live_server["database_url"])
    with Session(engine) as db, db.begin():
        learner = person(db).email
    engine.dispose()
    page.goto(base + "/login")
    page.fill("#email", learner)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))
    response = page.goto(base + "/leader/reports")
    assert response is not None
    assert response.status == 403
    assert_accessible(page, "forbidden")
