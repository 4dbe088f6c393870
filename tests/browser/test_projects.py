"""QI projects in a real browser: a learner builds a project (aim, team, driver diagram, measures,
data, charts, PDSA cycles) and submits it; the trainer asks for changes, then signs it off.

Every page on both journeys is checked with axe-core (zero WCAG 2.2 AA violations), including
the run and XmR chart pages and pages showing form errors.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.cohorts import service as cohorts_service
from app.cohorts.schemas import CohortCreate
from app.core.db import make_engine
from tests.browser.conftest import assert_accessible

PASSWORD = "orchard-heron-copper"
TRAINER = "projects.trainer@example.nhs.uk"
LEARNER = "projects.learner@example.nhs.uk"
COHORT = "Silver for Individuals - Sheffield projects"
BASELINE = [60, 63, 61, 64, 62, 59, 63, 62, 61, 64, 60, 62]
AFTER = [80, 84, 86, 83, 88, 85, 87, 86, 89, 88]


def _setup(url: str) -> int:
    """A trainer, a cohort and an enrolled learner, made with the services and committed."""
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        users = {}
        for email, name, role in (
            (TRAINER, "Priya Trainer", Role.TRAINER),
            (LEARNER, "Grace Mensah", Role.LEARNER),
        ):
            users[email] = accounts_service.create_user(
                session,
                email=email,
                password=PASSWORD,
                full_name=name,
                organisation="Sheffield Teaching Hospitals NHS Foundation Trust",
                staff_group="nursing_midwifery",
                roles=[role],
            )
        session.flush()
        today = date.today()
        cohort = cohorts_service.create_cohort(
            session,
            data=CohortCreate(
                name=COHORT,
                kind="individuals",
                organisation="Sheffield Teaching Hospitals NHS Foundation Trust",
                starts_on=today,
                ends_on=today + timedelta(days=180),
                capacity=20,
                attendance_required=0,
            ),
            creator=users[TRAINER],
        )
        cohorts_service.join_by_code(session, code=cohort.invite_code, user=users[LEARNER])
        cohort_id = cohort.id
    engine.dispose()
    return cohort_id


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))


def _csv(values: list[int], start: date = date(2026, 1, 5)) -> str:
    lines = ["date,value"]
    lines += [f"{start + timedelta(weeks=i):%d/%m/%Y},{v}" for i, v in enumerate(values)]
    return "\n".join(lines)


def test_learner_builds_and_submits_and_trainer_signs_off(
    live_server: dict[str, str], page: Any
) -> None:
    base, url = live_server["base"], live_server["database_url"]
    cohort_id = _setup(url)

    # --- the learner starts a project and writes a vague aim first
    _sign_in(page, base, LEARNER)
    page.goto(base + "/projects")
    assert_accessible(page, "my projects (not started)")
    page.click("button:has-text('Start your project')")  # no title: the form says so
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page, "my projects (start error)")
    page.fill("input[name=title]", "Faster Parkinson's doses on Ward 7")
    page.click("button:has-text('Start your project')")
    page.wait_for_url(re.compile(r"/projects/\d+\?done=started$"))
    project_url = page.url.split("?")[0]
    page.fill("#aim", "Improve medicine timing")
    page.click("button:has-text('Save')")
    expect(page.get_by_text("Say by when")).to_be_visible()
    assert_accessible(page, "overview with aim hints")
    page.fill(
        "#aim",
        "Increase time-critical Parkinson's doses given within 30 minutes on Ward 7 "
        "from 62% to 90% by 31 March 2027",
    )
    page.fill("#problem", "Patient 943 476 5919 missed doses.")  # an NHS number: refused
    page.click("button:has-text('Save')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert "Error:" in page.title()
    assert_accessible(page, "overview refusing an NHS number")
    page.fill("#problem", "About a third of time-critical doses are given late on the ward.")
    page.fill("#reflection", "Involving the night team changed everything.")
    page.fill("#sustainability", "The medicines link nurse owns the process; audited monthly.")
    page.click("button:has-text('Save')")
    expect(page.get_by_text("Your changes have been saved")).to_be_visible()

    # --- team and driver diagram
    page.click("nav[aria-label='Project sections'] a:has-text('Team')")
    page.fill("#name", "Sam Okafor")
    page.fill("#role", "Ward manager (sponsor)")
    page.click("button:has-text('Add to the team')")
    expect(page.get_by_role("cell", name="Sam Okafor", exact=True)).to_be_visible()
    assert_accessible(page, "team")
    page.click("nav[aria-label='Project sections'] a:has-text('Driver diagram')")
    for parent_label, text in (
        ("Under the aim", "Reliable drug rounds"),
        ("Under primary driver 'Reliable drug rounds'", "Staff know which doses are critical"),
        (
            "Under secondary driver 'Staff know which doses are critical'",
            "Timing sticker on the chart",
        ),
    ):
        option = page.locator("#parent_id option", has_text=parent_label).first
        page.select_option("#parent_id", value=option.get_attribute("value"))
        page.fill("#text", text)
        page.click("button:has-text('Add to the diagram')")
    expect(page.locator(".qia-driver--change_idea", has_text="Timing sticker")).to_be_visible()
    assert_accessible(page, "driver diagram")

    # --- a measure, data with a mistake, then the charts
    page.click("nav[aria-label='Project sections'] a:has-text('Measures and data')")
    page.check("input[name=kind][value=outcome]")
    page.fill("#name", "Doses on time")
    page.fill("#definition", "Time-critical doses given within 30 minutes, from the weekly audit.")
    page.fill("#unit", "% of doses")
    page.check("input[name=direction][value=increase]")
    page.fill("#target", "90")
    page.fill("#baseline_points", "12")
    page.check("input[name=is_main]")
    assert_accessible(page, "measures with the add form")
    page.click("button:has-text('Add the measure')")
    page.wait_for_url(re.compile(r"/measures/\d+\?done=saved$"))
    measure_url = page.url.split("?")[0]
    # XmR is recommended for a measurement; this learner chooses the IHI run chart instead.
    expect(page.get_by_text("we recommend a chart with limits")).to_be_visible()
    page.check("input[name=method][value=run_ihi]")
    page.click("button:has-text('Save the measure')")
    page.wait_for_url(re.compile(r"/measures/\d+\?done=saved$"))
    page.fill("#csv", _csv(BASELINE) + "\n31/02/2026,70\n")
    page.click("button:has-text('Save the data')")
    expect(page.get_by_text("Line 14: '31/02/2026' is not a real date")).to_be_visible()
    assert_accessible(page, "measure with data errors")
    page.fill("#csv", _csv(BASELINE + AFTER))
    page.click("button:has-text('Save the data')")
    expect(page.get_by_text("New values: 22. Values replaced: 0.")).to_be_visible()
    expect(page.get_by_text("22 values, oldest first")).to_be_visible()
    assert_accessible(page, "measure with data")

    # --- PDSA cycles linked to the change idea
    page.click("nav[aria-label='Project sections'] a:has-text('PDSA cycles')")
    for i, starts in enumerate(("30/03/2026", "06/04/2026"), start=1):
        page.fill("#title", f"Sticker test {i}")
        page.select_option("#change_idea_id", label="Timing sticker on the chart")
        page.fill("#starts_on", starts)
        page.fill("#plan", "One bay for one week.")
        page.fill("#prediction", "Fewer late doses.")
        page.fill("#do", "Done as planned.")
        page.fill("#study", "Late doses fell, as predicted.")
        page.check("input[name=decision][value=adapt]")
        page.click("button:has-text('Save the cycle')")
        page.wait_for_url(re.compile(r"/pdsa/\d+\?done=saved$"))
        assert_accessible(page, f"PDSA cycle {i}")
        page.click("nav[aria-label='Project sections'] a:has-text('PDSA cycles')")
    assert_accessible(page, "PDSA cycles")

    page.goto(measure_url + "/chart?type=run")
    expect(page.locator("figure.qia-chart svg[role=img]")).to_be_visible()
    expect(page.locator("figure.qia-chart svg text", has_text="PDSA 1")).to_have_count(1)
    expect(page.get_by_role("rowheader", name=re.compile("^Shift 6 or more"))).to_be_visible()
    expect(page.get_by_text("Above the median; part of a shift").first).to_be_visible()
    assert_accessible(page, "run chart")
    page.goto(measure_url + "/chart?type=xmr")
    expect(page.get_by_text("Special cause: improvement").first).to_be_visible()
    assert_accessible(page, "XmR chart")
    # On a 375 px phone the chart keeps labels of at least 12 px and scrolls inside its box.
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    box = page.locator(".qia-chart__scroll")
    expect(box).to_be_visible()
    scale = page.evaluate(
        "() => { const s = document.querySelector('.qia-chart__scroll svg');"
        " return s.getBoundingClientRect().width / s.viewBox.baseVal.width; }"
    )
    assert 11 * scale >= 12, scale
    assert page.evaluate(
        "() => { const b = document.querySelector('.qia-chart__scroll');"
        " return b.scrollWidth > b.clientWidth; }"
    )
    assert page.evaluate("() => document.documentElement.scrollWidth <= 375")
    assert_accessible(page, "XmR chart on a phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.click("nav[aria-label='Project sections'] a:has-text('Charts')")
    assert_accessible(page, "charts")

    # --- submit
    page.click("nav[aria-label='Project sections'] a:has-text('Submit for sign-off')")
    assert_accessible(page, "submit")
    page.click("button:has-text('Submit for sign-off')")
    expect(page.get_by_text("Waiting for the trainer's decision")).to_be_visible()
    assert_accessible(page, "history (submitted)")
    page.click("nav[aria-label='Project sections'] a:has-text('Export')")
    assert_accessible(page, "export")
    page.click("button:has-text('Sign out')")

    # --- the trainer asks for changes, with a rule the form enforces
    _sign_in(page, base, TRAINER)
    page.goto(f"{base}/trainer/cohorts/{cohort_id}/projects")
    expect(page.get_by_text("1 project waiting for your decision")).to_be_visible()
    assert_accessible(page, "trainer project list")
    page.click('a:has-text("Faster Parkinson\'s doses on Ward 7")')
    assert_accessible(page, "review page")
    for criterion in ("aim", "measurement", "testing", "learning"):
        page.check(f"input[name={criterion}][value=met]")
    page.check("input[name=sustainability][value=not_yet_met]")
    page.check("input[name=decision][value=approve]")
    page.click("button:has-text('Record the decision')")
    expect(page.get_by_text("not yet met: sustainability").first).to_be_visible()
    assert_accessible(page, "review with the sign-off rule error")
    page.fill("#comment", "Sustainability (not yet met): say how new staff will learn the process.")
    page.check("input[name=decision][value=changes]")
    page.click("button:has-text('Record the decision')")
    expect(page.get_by_text("Your decision has been recorded")).to_be_visible()
    assert_accessible(page, "review after asking for changes")
    page.goto(measure_url + "/chart?type=xmr")  # trainers read the learner's charts
    expect(page.get_by_text("reading this project as a trainer")).to_be_visible()
    assert_accessible(page, "XmR chart as the trainer")
    page.click("button:has-text('Sign out')")

    # --- the learner responds and resubmits
    _sign_in(page, base, LEARNER)
    page.goto(project_url + "/history")
    expect(page.get_by_text("how new staff will learn the process")).to_be_visible()
    assert_accessible(page, "history with the trainer's comment")
    page.goto(project_url)
    page.fill(
        "#sustainability",
        "Owner: link nurse. In the induction pack. Audited monthly at the huddle.",
    )
    page.click("button:has-text('Save')")
    page.goto(project_url + "/submit")
    page.click("button:has-text('Submit for sign-off')")
    page.click("button:has-text('Sign out')")

    # --- the trainer signs it off
    _sign_in(page, base, TRAINER)
    page.goto(f"{base}/trainer/cohorts/{cohort_id}/projects")
    page.click('a:has-text("Faster Parkinson\'s doses on Ward 7")')
    for criterion in ("aim", "measurement", "testing", "learning", "sustainability"):
        page.check(f"input[name={criterion}][value=met]")
    page.fill("#comment", "All five criteria are met. The timing sticker story is worth sharing.")
    page.check("input[name=decision][value=approve]")
    page.click("button:has-text('Record the decision')")
    expect(page.get_by_text("This project has been signed off.")).to_be_visible()
    assert_accessible(page, "review after sign-off")
    page.click("button:has-text('Sign out')")

    _sign_in(page, base, LEARNER)
    page.goto(base + "/projects")
    expect(page.get_by_text("Signed off")).to_be_visible()
    assert_accessible(page, "my projects (signed off)")
