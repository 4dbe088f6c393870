"""The four journeys of the first hour of real users, at 1280 and at 375 px, as a person takes them:
signing in and following links, never typing an address they were not given.

On every page each person sees: zero axe-core violations, no sideways scrolling, no raw markup in the
text (tests/browser/checks.py); and the HTML of every page passes the Nu HTML Checker (conftest).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.content.loader import load_content
from app.core.config import get_settings
from app.reports import service as reports_service
from tests.browser.checks import PageChecks
from tests.browser.steps import nav, qr_url, register, seed, sign_in, sign_out
from tests.factories import verification_path
from tests.gold.factories import cohort, person

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}
BRONZE = sorted(
    (m for m in load_content(get_settings().content_dir).modules if m.meta.tier == "bronze"),
    key=lambda m: m.meta.order,
)


@pytest.fixture(params=list(SIZES))
def device(request: pytest.FixtureRequest, new_page: Callable[..., Any]) -> Callable[[], Any]:
    """A person's own browser at this width; every page it loads goes through the checks."""
    checks = PageChecks()
    size = SIZES[request.param]

    def open_browser() -> Any:
        return checks.watch(new_page(viewport=size))

    open_browser.checks = checks  # type: ignore[attr-defined]
    open_browser.phone = size["width"] < 768  # type: ignore[attr-defined]
    return open_browser


def _checks(device: Any) -> PageChecks:
    return device.checks  # type: ignore[no-any-return]


def _tag() -> str:
    return uuid.uuid4().hex[:8]


# --- (a) a care-home worker does Bronze ------------------------------------------------------------


def _answer(page: Any, module: Any, *, correct: bool) -> None:
    for q in module.questions:
        right = [o for o in q.options if o.correct]
        wrong = [o for o in q.options if not o.correct]
        picks = (right if q.type == "multiple" else right[:1]) if correct else wrong[:1]
        for option in picks:
            page.check(f'input[value="{option.id}"]')


def _take_quiz(page: Any, checks: PageChecks, module: Any) -> None:
    expect(page.locator("h1")).to_contain_text(module.meta.title)
    checks.seen(page, f"quiz {module.meta.order}")
    _answer(page, module, correct=True)
    page.click("button:has-text('Submit answers')")
    expect(page.get_by_text("You passed with 100%").first).to_be_visible()
    checks.seen(page, f"quiz result {module.meta.order}")


def test_care_home_worker_earns_bronze_and_an_employer_checks_the_certificate(
    live_server: dict[str, str], device: Any, tmp_path: Path
) -> None:
    base, checks = live_server["base"], _checks(device)
    page = device()
    page.goto(base + "/")
    expect(page.locator(".nhsuk-hero__heading")).to_be_visible()
    checks.seen(page, "home")
    page.get_by_role("link", name="Create a free account and start Bronze").click()
    email = f"mercy.{_tag()}@oaklodge.example.org"
    register(page, checks, name="Mercy Adjei", email=email, where="from the home page")
    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.get_by_text("0 of 8 modules completed (0%)")).to_be_visible()
    checks.seen(page, "dashboard (new)")
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    # She opens the email: the Bronze badge and certificate wait for a confirmed address.
    page.goto(base + verification_path(live_server["database_url"], email))
    checks.seen(page, "confirm email address")
    page.get_by_role("button", name="Confirm email address").click()
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()
    checks.seen(page, "email address confirmed")
    page.goto(base + "/dashboard")
    expect(page.get_by_role("heading", name="Confirm your email address")).to_have_count(0)
    checks.seen(page, "dashboard (address confirmed)")

    page.get_by_role("link", name="See all Bronze modules").click()
    expect(page.locator("h1")).to_have_text("Bronze modules")
    checks.seen(page, "Bronze modules")
    first = BRONZE[0]
    page.get_by_role("link", name=f"1. {first.meta.title}").click()
    expect(page.locator("h1")).to_have_text(first.meta.title)
    checks.seen(page, "module 1, section 1")
    for number in range(2, len(first.sections) + 1):
        page.locator("a[rel=next]").click()
        expect(page.locator("article h2")).to_have_text(first.sections[number - 1].title)
        checks.seen(page, f"module 1, section {number}")
    page.get_by_role("button", name="Take the quiz").click()  # a link drawn as a button
    expect(page.locator("h1")).to_contain_text(first.meta.title)
    checks.seen(page, "quiz 1")
    page.click("button:has-text('Submit answers')")  # nothing answered: every question says so
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    checks.seen(page, "quiz 1 with errors")
    _answer(page, first, correct=False)
    page.click("button:has-text('Submit answers')")
    expect(page.get_by_text(re.compile(r"The pass mark is \d+%"))).to_be_visible()
    checks.seen(page, "quiz 1 result (not passed)")
    page.get_by_role("button", name="Retake the quiz").click()
    _take_quiz(page, checks, first)

    for module in BRONZE[1:]:
        page.get_by_role("button", name=f"Next module: {module.meta.title}").click()
        expect(page.locator("h1")).to_have_text(module.meta.title)
        checks.seen(page, f"module {module.meta.order}, section 1")
        page.locator(".nhsuk-contents-list").get_by_role("link", name="Quiz").click()
        _take_quiz(page, checks, module)

    # The last quiz is the moment: the panel, the certificate, the badge and what comes next.
    expect(page.locator(".nhsuk-panel")).to_contain_text("You have earned QI Academy Bronze")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    verify_url = qr_url(pdf, tmp_path)
    assert re.fullmatch(re.escape(base) + r"/verify/[0-9a-f-]{36}", verify_url), verify_url
    page.get_by_role("link", name="See your badge and how to share it").click()
    expect(page.locator("h1")).to_have_text("My achievements")
    checks.seen(page, "my achievements")
    nav(page, "My learning")
    expect(page.get_by_text("8 of 8 modules completed (100%)")).to_be_visible()
    checks.seen(page, "dashboard (Bronze done)")

    employer = device()  # someone else's phone, signed out, pointed at the QR code
    employer.goto(verify_url)
    expect(employer.get_by_text("This credential is valid")).to_be_visible()
    expect(employer.get_by_text("Mercy Adjei").first).to_be_visible()
    checks.seen(employer, "verification from the QR code")
    checks.assert_clean()


# --- (b) a trainer runs a Silver cohort ------------------------------------------------------------


def test_trainer_runs_a_silver_cohort_that_a_newcomer_joins_by_invite_link(
    live_server: dict[str, str], device: Any
) -> None:
    base, checks = live_server["base"], _checks(device)
    given = seed(
        live_server["database_url"],
        lambda db: {"trainer": person(db, roles=[Role.TRAINER], name="Tariq Trainer").email},
    )
    name = f"Silver for Individuals - Oak Lodge {_tag()}"
    trainer = device()
    sign_in(trainer, checks, base, given["trainer"])
    nav(trainer, "Trainer")
    expect(trainer.locator("h1")).to_have_text("Your cohorts")
    checks.seen(trainer, "your cohorts")
    trainer.get_by_role("link", name="Create a cohort").click()
    checks.seen(trainer, "create a cohort")
    trainer.fill("#name", name)
    trainer.check("input[name=kind][value=individuals]")
    trainer.fill("#organisation", "Oak Lodge Care Home")
    # LEAD: the NHS.UK date input (issue 10) may replace these native date fields.
    trainer.fill("#starts_on", (date.today() - timedelta(days=7)).isoformat())
    trainer.fill("#ends_on", (date.today() + timedelta(days=120)).isoformat())
    trainer.fill("#capacity", "12")
    trainer.fill("#attendance_required", "50")
    trainer.click("button:has-text('Create cohort')")
    expect(trainer.get_by_text("Cohort created")).to_be_visible()
    checks.seen(trainer, "learners and teams (created)")
    invite = trainer.locator("#invite-link").inner_text().strip()
    assert invite.startswith(base + "/cohorts/join/"), invite

    # A newcomer opens the invite link from their email, signed out, and makes an account.
    newcomer = device()
    newcomer.goto(invite)
    expect(newcomer.locator("h1")).to_have_text(f"You are invited to join {name}")
    checks.seen(newcomer, "invite link, signed out")
    newcomer.locator("main").get_by_role("button", name="Create an account").click()
    email = f"precious.{_tag()}@oaklodge.example.org"
    register(newcomer, checks, name="Precious Moyo", email=email, where="from the invite link")
    expect(newcomer.locator("h1")).to_have_text(name)
    checks.seen(newcomer, "join confirmation")
    newcomer.click("button:has-text('Join this cohort')")
    newcomer.wait_for_url(re.compile(r"/cohorts/\d+\?done=joined$"))
    checks.seen(newcomer, "my cohort")

    # She starts her project and sends it for sign-off.
    nav(newcomer, "My projects")
    checks.seen(newcomer, "my projects")
    newcomer.fill("input[name=title]", "Fewer falls at night in the east wing")
    newcomer.click("button:has-text('Start your project')")
    newcomer.wait_for_url(re.compile(r"/projects/\d+\?done=started$"))
    checks.seen(newcomer, "project overview")
    newcomer.fill(
        "#aim",
        "Reduce falls at night in the east wing from 6 a month to 2 a month by 31 March 2027",
    )
    newcomer.click("button:has-text('Save')")
    expect(newcomer.get_by_text("Your changes have been saved")).to_be_visible()
    checks.seen(newcomer, "project overview (saved)")
    newcomer.locator("nav[aria-label='Project sections']").get_by_role(
        "link", name="Submit for sign-off"
    ).click()
    checks.seen(newcomer, "submit for sign-off")
    newcomer.click("button:has-text('Submit for sign-off')")
    expect(newcomer.get_by_text("Waiting for the trainer's decision")).to_be_visible()
    checks.seen(newcomer, "project history (submitted)")

    # The trainer sees her, holds a workshop, takes the register and reviews the project.
    cohort_nav = trainer.locator("nav[aria-label='Cohort sections']")
    cohort_nav.get_by_role("link", name="Learners and teams").click()
    expect(trainer.get_by_role("link", name=re.compile("^Precious Moyo"))).to_be_visible()
    checks.seen(trainer, "learners and teams (joined)")
    cohort_nav.get_by_role("link", name="Workshop sessions").click()
    checks.seen(trainer, "workshop sessions")
    trainer.fill("#title", "Workshop 1: understanding your system")
    trainer.fill("#date", date.today().isoformat())
    trainer.fill("#start_time", "00:00")
    trainer.fill("#end_time", "00:30")
    trainer.fill("#venue", "The day room")
    trainer.click("button:has-text('Add session')")
    trainer.wait_for_url(re.compile(r"done=session$"))
    checks.seen(trainer, "workshop sessions (added)")
    trainer.get_by_role("link", name=re.compile("^Take the register")).click()
    checks.seen(trainer, "register")
    trainer.locator("input[value=present]").first.check()
    trainer.click("button:has-text('Save register')")
    expect(trainer.get_by_text("Register saved")).to_be_visible()
    checks.seen(trainer, "register (saved)")
    trainer.locator(".nhsuk-back-link").click()  # back to the sessions
    checks.seen(trainer, "workshop sessions (register taken)")
    cohort_nav.get_by_role("link", name="Dashboard").click()
    expect(trainer.get_by_text("1 of 1 held so far (100%)")).to_be_visible()
    checks.seen(trainer, "cohort dashboard")
    cohort_nav.get_by_role("link", name="Projects").click()
    expect(trainer.get_by_text("1 project waiting for your decision")).to_be_visible()
    checks.seen(trainer, "cohort projects")
    trainer.get_by_role("link", name="Fewer falls at night in the east wing").click()
    checks.seen(trainer, "review")
    trainer.check("input[name=aim][value=met]")
    for criterion in ("measurement", "testing", "learning", "sustainability"):
        trainer.check(f"input[name={criterion}][value=not_yet_met]")
    trainer.fill("#comment", "A clear aim. Now add a measure and test a change with a PDSA cycle.")
    trainer.check("input[name=decision][value=changes]")
    trainer.click("button:has-text('Record the decision')")
    expect(trainer.get_by_text("Your decision has been recorded")).to_be_visible()
    checks.seen(trainer, "review (decided)")
    checks.assert_clean()


# --- (c) a learner logs a QI project ---------------------------------------------------------------


def _enrolled_learner(db: Session) -> dict[str, Any]:
    lead = person(db, roles=[Role.TRAINER], name="Priya Trainer")
    learner = person(db, name="Grace Mensah")
    cohort(db, lead=lead, learners=[learner], name=f"Silver cohort {_tag()}")
    return {"learner": learner.email}


def _weekly(values: list[int]) -> str:
    start = date(2026, 1, 5)
    rows = [f"{start + timedelta(weeks=i):%d/%m/%Y},{v}" for i, v in enumerate(values)]
    return "\n".join(["date,value", *rows])


def test_learner_logs_a_qi_project_from_aim_to_submission(
    live_server: dict[str, str], device: Any
) -> None:
    base, checks = live_server["base"], _checks(device)
    given = seed(live_server["database_url"], _enrolled_learner)
    page = device()
    sign_in(page, checks, base, given["learner"])
    nav(page, "My projects")
    checks.seen(page, "my projects")
    page.fill("input[name=title]", "Time-critical medicines on time")
    page.click("button:has-text('Start your project')")
    page.wait_for_url(re.compile(r"/projects/\d+\?done=started$"))
    checks.seen(page, "overview")
    page.fill("#aim", "Improve medicine timing")
    page.click("button:has-text('Save')")
    expect(page.get_by_text("Say by when")).to_be_visible()
    checks.seen(page, "overview with aim hints")
    page.fill(
        "#aim",
        "Increase time-critical doses given within 30 minutes on Ward 7 from 62% to 90% "
        "by 31 March 2027",
    )
    page.fill("#reflection", "Involving the night team changed everything.")
    page.fill("#sustainability", "The medicines link nurse owns it; audited monthly.")
    page.click("button:has-text('Save')")
    expect(page.get_by_text("Your changes have been saved")).to_be_visible()
    checks.seen(page, "overview (saved)")

    sections = page.locator("nav[aria-label='Project sections']")
    sections.get_by_role("link", name="Measures and data").click()
    checks.seen(page, "measures")
    page.check("input[name=kind][value=outcome]")
    page.fill("#name", "Doses on time")
    page.fill("#definition", "Time-critical doses given within 30 minutes, from the weekly audit.")
    page.fill("#unit", "% of doses")
    page.check("input[name=direction][value=increase]")
    page.fill("#target", "90")
    page.fill("#baseline_points", "12")
    page.click("button:has-text('Add the measure')")
    page.wait_for_url(re.compile(r"/measures/\d+\?done=saved$"))
    checks.seen(page, "measure")
    page.fill("#csv", _weekly([60, 63, 61, 64, 62, 59, 63, 62, 61, 64, 60, 62, 80, 84, 86, 83]))
    page.click("button:has-text('Save the data')")
    expect(page.get_by_text("New values: 16. Values replaced: 0.")).to_be_visible()
    checks.seen(page, "measure with data")
    page.get_by_role("link", name="See this measure's chart").click()
    expect(page.locator("figure.qia-chart svg[role=img]")).to_be_visible()
    checks.seen(page, "run chart")
    if device.phone:  # labels stay at least 12 px: the chart scrolls inside its own box
        scale = page.evaluate(
            "() => { const s = document.querySelector('.qia-chart__scroll svg');"
            " return s.getBoundingClientRect().width / s.viewBox.baseVal.width; }"
        )
        assert 11 * scale >= 12, scale

    sections.get_by_role("link", name="PDSA cycles").click()
    checks.seen(page, "PDSA cycles (none)")
    for number, starts in ((1, "30/03/2026"), (2, "06/04/2026")):
        page.fill("#title", f"Timing sticker, test {number}")
        page.fill("#starts_on", starts)
        page.fill("#plan", "One bay for one week.")
        page.fill("#prediction", "Fewer late doses.")
        page.fill("#do", "Done as planned.")
        page.fill("#study", "Late doses fell, as predicted.")
        page.check("input[name=decision][value=adapt]")
        page.click("button:has-text('Save the cycle')")
        page.wait_for_url(re.compile(r"/pdsa/\d+\?done=saved$"))
        checks.seen(page, f"PDSA cycle {number}")
        sections.get_by_role("link", name="PDSA cycles").click()
        checks.seen(page, f"PDSA cycles ({number})")

    sections.get_by_role("link", name="Submit for sign-off").click()
    checks.seen(page, "submit")
    page.click("button:has-text('Submit for sign-off')")
    expect(page.get_by_text("Waiting for the trainer's decision")).to_be_visible()
    checks.seen(page, "history (submitted)")
    checks.assert_clean()


# --- (d) a leader reads the reports; an admin manages users ----------------------------------------


def _leader_and_admin(db: Session) -> dict[str, Any]:
    tag = _tag()
    leader = person(db, roles=[Role.LEADER], name=f"Lola Leader {tag}")
    admin = person(db, roles=[Role.ADMIN], name=f"Ade Admin {tag}")
    carer = person(db, name=f"Kofi Carer {tag}", organisation="Oak Lodge Care Home")
    reports_service.refresh(db)  # what the background refresher does every minute
    return {"leader": leader.email, "admin": admin.email, "carer": carer.full_name}


def test_leader_reads_the_reports_and_admin_manages_a_user(
    live_server: dict[str, str], device: Any
) -> None:
    base, checks = live_server["base"], _checks(device)
    given = seed(live_server["database_url"], _leader_and_admin)
    leader = device()
    sign_in(leader, checks, base, given["leader"])
    nav(leader, "Leader")
    expect(leader.get_by_text("Figures as of")).to_be_visible()
    checks.seen(leader, "reports")
    leader.select_option("#staff_group", "nursing_midwifery")
    leader.click("button:has-text('Apply filters')")
    leader.wait_for_url(re.compile(r"staff_group=nursing_midwifery"))
    checks.seen(leader, "reports (filtered)")
    with leader.expect_download() as download:
        leader.get_by_role("link", name=re.compile("Download this table.*registrations")).click()
    assert Path(download.value.path()).read_text().strip()
    sign_out(leader, checks)

    admin = device()
    sign_in(admin, checks, base, given["admin"])
    nav(admin, "Admin")
    checks.seen(admin, "admin overview")
    admin.locator("nav[aria-label='Administration']").get_by_role("link", name="Users").click()
    expect(admin.locator("h1")).to_have_text("Users")
    checks.seen(admin, "users")
    admin.fill("#q", given["carer"])
    admin.click("button:has-text('Search')")
    expect(admin.get_by_text("Showing 1 to 1 of 1 user.")).to_be_visible()
    checks.seen(admin, "users (searched)")
    admin.get_by_role("link", name=given["carer"]).click()
    expect(admin.locator("h1")).to_have_text(given["carer"])
    checks.seen(admin, "user")
    admin.check("input[name=roles][value=trainer]")
    admin.click("button:has-text('Save roles')")
    expect(admin.locator(".nhsuk-notification-banner")).to_be_visible()
    checks.seen(admin, "user (roles saved)")
    admin.get_by_role("button", name="Deactivate account").click()  # a link drawn as a button
    checks.seen(admin, "deactivate: are you sure")
    admin.get_by_role("button", name="Yes, deactivate this account").click()
    expect(admin.locator(".nhsuk-tag", has_text="Deactivated")).to_be_visible()
    checks.seen(admin, "user (deactivated)")
    checks.assert_clean()
