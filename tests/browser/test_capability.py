"""The capability plan in a real browser: a leader opens it from the reports page, sets targets
(first with a mistake), and reads coverage against the plan with the gap in people.

Every page on the journey (and the form showing errors) has zero axe-core WCAG 2.2 AA
violations and no horizontal scrolling at 375 px.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.core.db import make_engine
from app.reports import service as reports_service
from tests.browser.conftest import assert_accessible
from tests.gold.factories import quick_credential

PASSWORD = "kestrel-meadow-lantern"
LEADER = "capability.leader@example.nhs.uk"
ORG = "Calderdale Capability NHS Trust"


def _setup(url: str) -> None:
    """Five nurses (two with Bronze, one with Silver) and one doctor in the trust; a leader."""
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        accounts_service.create_user(
            session,
            email=LEADER,
            password=PASSWORD,
            full_name="Cara Leader",
            organisation="NHS England",
            staff_group="other",
            roles=[Role.LEADER],
        )
        staff = [
            accounts_service.create_user(
                session,
                email=f"capability.{i}@example.nhs.uk",
                password=PASSWORD,
                full_name=f"Staff Member {i}",
                organisation=ORG,
                staff_group="medical_dental" if i == 5 else "nursing_midwifery",
                roles=[Role.LEARNER],
            )
            for i in range(6)
        ]
        session.flush()
        quick_credential(session, user=staff[0], achievement="bronze")
        quick_credential(session, user=staff[1], achievement="bronze")
        quick_credential(session, user=staff[0], achievement="silver")
        reports_service.refresh(session, full=True)
    engine.dispose()


def _check(page: Any, name: str) -> None:
    """Zero axe violations, and nothing wider than a 375 px phone."""
    assert_accessible(page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    try:
        page.wait_for_function(fits, timeout=5000)
    except PlaywrightTimeout:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        raise AssertionError(f"{name} scrolls sideways by {overflow}px at 375 px") from None
    page.set_viewport_size({"width": 1280, "height": 800})


def test_leader_sets_a_capability_plan_and_reads_the_gap(
    page: Any, live_server: dict[str, str]
) -> None:
    base = live_server["base"]
    _setup(live_server["database_url"])
    page.goto(base + "/login")
    page.fill("#email", LEADER)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))

    page.goto(base + "/leader/reports")
    page.click("a:has-text('Capability plans')")
    expect(page.locator("h1")).to_have_text("Capability plans")
    _check(page, "capability plans")
    page.click(f"a:has-text('{ORG}')")
    expect(page.locator("h1")).to_have_text("Capability report")
    expect(page.locator("main")).to_contain_text("no capability plan yet")
    _check(page, "capability report without a plan")

    page.click("a:has-text('Set the capability plan')")
    expect(page.locator("h1")).to_have_text("Capability plan")
    _check(page, "capability plan form")
    page.fill("#all-bronze", "100")
    page.fill("#target-silver-nursing_midwifery", "ten")
    page.click("button:has-text('Save capability plan')")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text(
        "Enter the Silver target for nursing and midwifery registered as a whole or decimal "
        "percentage from 0 to 100"
    )
    expect(page.locator("#all-bronze")).to_have_value("100")
    _check(page, "capability plan form with errors")

    page.fill("#target-silver-nursing_midwifery", "10")
    page.fill("#target-gold-nursing_midwifery", "2.5")
    page.click("button:has-text('Save capability plan')")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "The capability plan has been saved"
    )
    bronze = page.get_by_role("region", name="Bronze coverage by staff group")
    nurses = bronze.locator("tr", has_text="Nursing and midwifery registered")
    # 5 nurses, 2 with Bronze: 40%, against 100% is 5 people needed, 3 short.
    expect(nurses.locator("td")).to_have_text(["5", "2", "40.0%", "100%", "5", "3"])
    silver = page.get_by_role("region", name="Silver coverage by staff group")
    # 10% of 5 nurses is half a person: 1 needed, and 1 holds Silver, so no gap.
    expect(
        silver.locator("tr", has_text="Nursing and midwifery registered").locator("td")
    ).to_have_text(["5", "1", "20.0%", "10%", "1", "0"])
    no_staff = bronze.locator("tr", has_text="Administrative and clerical")
    expect(no_staff.locator("td").nth(2)).to_have_text("No staff in this group")
    expect(page.locator("a:has-text('Change the capability plan')")).to_be_visible()
    _check(page, "capability report with a plan")
