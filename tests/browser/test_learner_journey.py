"""A learner in a real browser: register, read a module, fail then pass its quiz, see the dashboard change."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from app.content.loader import load_content
from app.core.config import get_settings
from app.core.timefmt import duration
from tests.browser.conftest import assert_accessible

FIRST = next(
    m
    for m in load_content(get_settings().content_dir).modules
    if m.slug == "why-quality-improvement"
)


def _answer(page: Any, *, correct: bool) -> None:
    for q in FIRST.questions:
        picks = [o for o in q.options if o.correct == correct] or [
            o for o in q.options if not o.correct
        ]
        for o in picks[: (len(picks) if q.type == "multiple" and correct else 1)]:
            page.check(f'input[value="{o.id}"]')


def test_learner_journey_with_zero_axe_violations(live_server: dict[str, str], page: Any) -> None:
    base = live_server["base"]
    page.goto(base + "/")
    expect(page.locator("h2", has_text="Three steps")).to_be_visible()
    assert_accessible(page, "home")

    page.goto(base + "/register")
    assert_accessible(page, "register")
    page.click("button:has-text('Create account')")  # empty form: the error summary
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert "Error:" in page.title()
    assert_accessible(page, "register with errors")

    page.fill("#full_name", "Grace Mensah")
    page.fill("#email", "grace.mensah@example.nhs.uk")
    page.fill("#password", "orchard-heron-copper")
    page.fill("#organisation", "Sheffield Teaching Hospitals NHS Foundation Trust")
    page.select_option("#staff_group", "estates_ancillary")
    page.click("button:has-text('Create account')")
    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.get_by_text("0 of 8 modules completed (0%)")).to_be_visible()
    assert_accessible(page, "dashboard")

    page.goto(base + "/learn/bronze")
    assert_accessible(page, "tier index")
    page.click(f"a[href='/modules/{FIRST.slug}']")
    page.wait_for_url(re.compile(r"/sections/1$"))
    expect(page.locator("h1")).to_have_text(FIRST.meta.title)
    assert_accessible(page, "module section")
    for _ in range(len(FIRST.sections) - 1):
        page.click("a[rel=next]")
    assert page.locator("progress#module-progress").get_attribute("value") != "0"
    page.click("a[rel=next]")  # the last 'next' is the quiz
    page.wait_for_url(re.compile(r"/quiz$"))
    assert_accessible(page, "quiz")

    _answer(page, correct=False)
    page.click("button:has-text('Submit answers')")
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    expect(page.get_by_text("The pass mark is 80%")).to_be_visible()
    assert_accessible(page, "quiz result (fail)")

    page.click("a:has-text('Retake the quiz')")
    _answer(page, correct=True)
    page.click("button:has-text('Submit answers')")
    expect(page.get_by_text("You passed with 100%")).to_be_visible()
    assert_accessible(page, "quiz result (pass)")

    page.goto(base + "/dashboard")
    expect(page.get_by_text("1 of 8 modules completed (13%)")).to_be_visible()
    expect(
        page.get_by_text(f"You have earned {duration(FIRST.meta.cpd_minutes)} of CPD")
    ).to_be_visible()

    page.click("button:has-text('Sign out')")
    page.goto(base + "/login")
    assert_accessible(page, "login")
    page.fill("#email", "grace.mensah@example.nhs.uk")
    page.fill("#password", "orchard-heron-copper")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.get_by_text("1 of 8 modules completed")).to_be_visible()


def test_locked_silver_tier_and_privacy_are_accessible(
    live_server: dict[str, str], page: Any
) -> None:
    page.goto(live_server["base"] + "/learn/silver")
    expect(page.get_by_text("Silver modules open when you join")).to_be_visible()
    assert_accessible(page, "silver tier (locked)")
    page.goto(live_server["base"] + "/privacy")
    assert_accessible(page, "privacy")
