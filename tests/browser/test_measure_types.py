"""A learner makes a proportion measure, pastes 20 weeks of numerator/denominator pairs, is offered
a p chart in plain words and sees it with limits that change week to week; axe-core finds no
violations and nothing overflows a 375 px phone on these pages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.analysis import attribute
from app.analysis.charts import fmt
from app.cohorts import service as cohorts_service
from app.cohorts.schemas import CohortCreate
from app.core.db import make_engine
from app.projects import service as projects_service
from app.projects.schemas import MeasureIn, ProjectStart
from tests.browser.conftest import assert_accessible, assert_fits

PASSWORD = "orchard-heron-copper"
LEARNER = "drinks.learner@example.nhs.uk"
ORG = "Oak Lodge Care Home"
# Residents offered a drink at the 3pm round, out of the 21 to 27 residents each week.
DENOMINATORS = [24, 22, 25, 21, 27, 23, 26, 24, 22, 25, 21, 27, 23, 26, 24, 22, 25, 21, 27, 23]
NUMERATORS = [12, 11, 13, 10, 14, 12, 13, 12, 11, 13, 15, 20, 18, 21, 20, 18, 21, 17, 23, 19]


def _setup(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        trainer = accounts_service.create_user(
            session,
            email="drinks.trainer@example.nhs.uk",
            password=PASSWORD,
            full_name="Priya Trainer",
            organisation=ORG,
            staff_group="nursing_midwifery",
            roles=[Role.TRAINER],
        )
        learner = accounts_service.create_user(
            session,
            email=LEARNER,
            password=PASSWORD,
            full_name="Joy Adebayo",
            organisation=ORG,
            staff_group="nursing_midwifery",
            roles=[Role.LEARNER],
        )
        session.flush()
        today = date.today()
        cohort = cohorts_service.create_cohort(
            session,
            data=CohortCreate(
                name="Silver for Individuals - Oak Lodge",
                kind="individuals",
                organisation=ORG,
                starts_on=today,
                ends_on=today + timedelta(days=180),
                capacity=20,
                attendance_required=0,
            ),
            creator=trainer,
        )
        cohorts_service.join_by_code(session, code=cohort.invite_code, user=learner)
        # A colleague in the cohort records the same measure, so the trainer can compare.
        other = accounts_service.create_user(
            session,
            email="drinks.colleague@example.nhs.uk",
            password=PASSWORD,
            full_name="Sam Okafor",
            organisation=ORG,
            staff_group="nursing_midwifery",
            roles=[Role.LEARNER],
        )
        cohorts_service.join_by_code(session, code=cohort.invite_code, user=other)
        project = projects_service.start_project(
            session, user=other, data=ProjectStart(cohort_id=cohort.id, title="Drinks on Elm")
        )
        a = projects_service.access(session, project_id=project.id, user=other)
        measure = projects_service.create_measure(
            session,
            access=a,
            data=MeasureIn(  # type: ignore[call-arg]
                kind="process",
                data_type="proportion",
                name="Residents offered a drink at 3pm",
                definition="Residents offered a drink at the 3pm round, out of all residents.",
                unit="% of residents",
                direction="increase",
            ),
        )
        projects_service.save_points(
            session, access=a, measure_id=measure.id, points=[(date(2026, 9, 14), 9.0, 22.0)]
        )
        cohort_id = cohort.id
    engine.dispose()
    return cohort_id


def _fits_a_phone(page: Any, name: str) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.wait_for_function("window.innerWidth === 375")
    assert_fits(page, name)
    assert_accessible(page, f"{name} on a phone")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_proportion_measure_is_offered_a_p_chart_with_limits_for_each_week(
    live_server: dict[str, str], page: Any
) -> None:
    base = live_server["base"]
    cohort_id = _setup(live_server["database_url"])
    page.goto(base + "/login")
    page.fill("#email", LEARNER)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))
    page.goto(base + "/projects")
    page.fill("input[name=title]", "Drinks at the 3pm round")
    page.click("button:has-text('Start your project')")
    page.wait_for_url(re.compile(r"/projects/\d+\?done=started$"))

    page.click("nav[aria-label='Project sections'] a:has-text('Measures and data')")
    page.get_by_label("Are you counting people who did or did not get something?").check()
    page.check("input[name=kind][value=process]")
    page.fill("#name", "Residents offered a drink at 3pm")
    page.fill("#definition", "Residents offered a drink at the 3pm round, out of all residents.")
    page.fill("#unit", "% of residents")
    page.check("input[name=direction][value=increase]")
    assert_accessible(page, "measures with the chooser")
    _fits_a_phone(page, "measures with the chooser")
    page.click("button:has-text('Add the measure')")
    page.wait_for_url(re.compile(r"/measures/\d+\?done=saved$"))
    measure_url = page.url.split("?")[0]
    expect(page.locator(".qia-recommendation")).to_contain_text(
        "Are you counting people who did or did not get something? Yes: we recommend a chart "
        "of the percentage each week, with limits that follow how many people there were."
    )
    page.get_by_text("The technical names of these charts").click()
    expect(page.get_by_text("This measure uses the p chart")).to_be_visible()

    # A week with no residents is refused, saying which week and why; then all 20 weeks.
    start = date(2026, 5, 4)
    lines = [
        f"{start + timedelta(weeks=i):%d/%m/%Y},{n},{d}"
        for i, (n, d) in enumerate(zip(NUMERATORS, DENOMINATORS, strict=True))
    ]
    page.fill("#csv", "date,offered,residents\n" + "\n".join([*lines[:2], "18/05/2026,3,0"]))
    page.click("button:has-text('Save the data')")
    expect(
        page.get_by_text(
            "Line 4 (18 May 2026): the denominator is 0: a proportion needs at least one case"
        )
    ).to_be_visible()
    assert_accessible(page, "measure with a refused week")
    page.fill("#csv", "date,offered,residents\n" + "\n".join(lines))
    page.click("button:has-text('Save the data')")
    expect(page.get_by_text("New values: 20. Values replaced: 0.")).to_be_visible()
    assert_accessible(page, "proportion measure with data")
    _fits_a_phone(page, "proportion measure with data")

    page.click('a:has-text("See this measure\'s chart")')
    page.wait_for_url(re.compile(r"/chart$"))
    expect(page.locator(".qia-why-chart")).to_contain_text("limits are worked out for each week")
    svg = page.locator("figure.qia-chart svg[role=img]")
    expect(svg).to_be_visible()
    expect(svg.locator("title")).to_contain_text("p chart")
    expected = attribute.p_anhoej(NUMERATORS, DENOMINATORS)
    notes = page.locator("#data-table ~ .nhsuk-table-container tbody tr td:nth-child(3)")
    expect(notes).to_have_count(20)
    shown = [re.search(r"limits ([\d.]+)% to ([\d.]+)%", t) for t in notes.all_inner_texts()]
    limits = [(m.group(1), m.group(2)) for m in shown if m]
    assert limits == [
        (fmt(lo * 100), fmt(hi * 100))  # type: ignore[operator]
        for lo, hi in zip(expected.lcl, expected.ucl, strict=True)
    ]
    assert len(set(limits)) > 5, limits  # they follow each week's residents
    assert_accessible(page, "p chart")
    _fits_a_phone(page, "p chart")
    page.goto(measure_url + "/chart?type=run")
    expect(page.locator("figure.qia-chart svg[role=img]")).to_be_visible()
    assert_accessible(page, "run chart of a proportion")
    page.click("button:has-text('Sign out')")

    # The trainer compares the two projects' latest weeks on a funnel plot.
    page.goto(base + "/login")
    page.fill("#email", "drinks.trainer@example.nhs.uk")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))
    page.goto(f"{base}/trainer/cohorts/{cohort_id}/projects")
    expect(page.locator("#compare ~ figure.qia-chart svg[role=img]")).to_be_visible()
    table = page.locator(".qia-funnel-table tbody tr")
    expect(table).to_have_count(2)
    expect(table.first).to_contain_text("Joy Adebayo")
    assert_accessible(page, "the trainer's projects with a funnel plot")
    _fits_a_phone(page, "the trainer's projects with a funnel plot")
