"""LTI 1.3 in a real browser against a real platform (lti1p3platform, served here): an admin
registers the platform; a teacher adds a module through Deep Linking and the platform accepts
it; a learner launches it and lands in the module. Each new page is accessible and fits 375 px.

Chromium may reach only 127.0.0.1 (the app and the platform): every other request is aborted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.core.db import make_engine
from tests.browser.conftest import assert_accessible, assert_fits
from tests.lti import platform as lms

ADMIN = "lti.admin@example.nhs.uk"
PASSWORD = "lantern-meadow-quartz"
ORG = "Leeds Teaching Hospitals"


@pytest.fixture(scope="module")
def world(live_server: dict[str, str]) -> Iterator[lms.World]:
    people = {
        "learner": lms.Person("m-17", "Lena Learner", "lena@leeds.nhs.uk", [lms.LEARNER]),
        "teacher": lms.Person("m-2", "Tom Teacher", "tom@leeds.nhs.uk", [lms.INSTRUCTOR]),
    }
    with lms.running(lms.World(tool_base=live_server["base"], people=people)) as w:
        yield w


def _seed(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        accounts_service.create_user(
            session,
            email=ADMIN,
            password=PASSWORD,
            full_name="Sam Admin",
            organisation="QI Academy team",
            staff_group="other",
            roles=[Role.ADMIN],
        )
        accounts_service.create_organisation(session, name=ORG, kind="nhs_trust", region=None)
    engine.dispose()


def _local_only(page: Any) -> None:
    def route(r: Any) -> None:
        if urlsplit(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            r.abort()

    page.context.route("**/*", route)


def _fits(page: Any, name: str) -> None:
    assert_accessible(page, name)
    assert_fits(page, name)


def _launch(page: Any, world: lms.World, *, user: str, hint: str) -> None:
    page.goto(lms.login_url(world, user=user, hint=hint))
    page.get_by_role("button", name="Continue").click()


def test_register_deep_link_and_launch_in_a_browser(
    browser: Any, live_server: dict[str, str], world: lms.World
) -> None:
    base = live_server["base"]
    _seed(live_server["database_url"])
    admin = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 800})
    page = admin.new_page()
    _local_only(page)
    page.goto(f"{base}/login")
    page.get_by_label("Email address", exact=True).fill(ADMIN)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/admin/lti/new")
    _fits(page, "add a learning platform")
    page.get_by_role("button", name="Save learning platform").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    _fits(page, "add a learning platform, with errors")
    page.get_by_label("Name").fill("Leeds Moodle")
    page.get_by_label("Platform ID (issuer)").fill(world.base)
    page.get_by_label("Client ID").fill(lms.CLIENT_ID)
    page.get_by_label("Deployment IDs").fill(lms.DEPLOYMENT_ID)
    page.get_by_label("Authentication request URL").fill(world.base + "/auth")
    page.get_by_label("Access token URL").fill(world.base + "/token")
    page.get_by_label("Public keyset URL").fill(world.base + "/jwks")
    page.get_by_label("Organisation").select_option(label=ORG)
    page.get_by_role("button", name="Save learning platform").click()
    expect(page.get_by_text("Learning platform added.")).to_be_visible()
    _fits(page, "learning platforms")
    admin.close()
    world.tool_keys = httpx.get(f"{base}/lti/jwks", timeout=10).json()

    teacher = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 800})
    page = teacher.new_page()
    _local_only(page)
    _launch(page, world, user="teacher", hint="deep-link")
    expect(page.get_by_role("heading", name="Choose modules for your course")).to_be_visible()
    _fits(page, "choose modules")
    page.get_by_role("button", name="Add to your course").click()
    expect(
        page.get_by_text("Choose at least one module to add to your course").first
    ).to_be_visible()
    _fits(page, "choose modules, with errors")
    page.locator("input[name=modules]").first.check()
    page.get_by_role("button", name="Add to your course").click()
    expect(page.get_by_role("heading", name="Add these modules to your course")).to_be_visible()
    _fits(page, "deep-linking return")
    page.get_by_role("button", name="Go back to your course").click()
    expect(page.get_by_role("heading", name="Activities added")).to_be_visible()
    teacher.close()
    assert world.deep_link_errors == []
    [(link_id, link)] = world.links.items()

    learner = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 800})
    page = learner.new_page()
    _local_only(page)
    _launch(page, world, user="learner", hint=link_id)
    expect(page).to_have_url(f"{base}/modules/{link.custom['qia_module']}/sections/1")
    expect(page.get_by_text("Lena Learner").first).to_be_visible()
    page.goto(f"{base}/lti/login?iss=https://moodle.elsewhere.example&login_hint=1")
    expect(page.get_by_text("is not registered with QI Academy").first).to_be_visible()
    _fits(page, "launch refused")
    learner.close()
