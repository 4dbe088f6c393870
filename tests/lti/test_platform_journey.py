"""Against a real LTI 1.3 platform (lti1p3platform): a teacher adds modules through Deep Linking
(the platform verifies our signed response with its own code), a learner launches one, passes
its quiz, and the score reaches the platform's line item after commit; the teacher's launch
syncs a Silver cohort from the platform's roster (NRPS)."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.cohorts import service as cohorts_service
from app.content.registry import ContentRegistry
from app.core.config import get_settings
from app.lti import worker
from app.lti.models import LtiCohortLink, LtiPlatform, LtiScore, LtiUser
from tests.factories import answers, csrf_token, sessions_on
from tests.lti import platform as lms
from tests.lti.conftest import LEARNER_SUB, launch


def _add_modules(browser: TestClient, world: lms.World, slugs: list[str]) -> str:
    """The teacher's deep-linking launch, the picker, and the response posted to the platform."""
    r = launch(browser, world, user="teacher", hint="deep-link")
    assert r.status_code == 303, r.text
    picker = r.headers["location"]
    assert picker.startswith("/lti/deep-linking/")
    page = browser.get(picker)
    assert "Choose modules for your course" in page.text
    token = csrf_token(browser, picker)
    data = {"csrf_token": token, "modules": slugs}
    done = browser.post(picker, data=data)
    assert done.status_code == 200, done.text
    assert f"form-action 'self' {world.base}" in done.headers["content-security-policy"]
    action = re.search(r'action="([^"]+)" id="deep-link-return"', done.text).group(1)  # type: ignore[union-attr]
    jwt = re.search(r'name="JWT" value="([^"]+)"', done.text).group(1)  # type: ignore[union-attr]
    assert action == world.base + "/deep-link-return"
    accepted = httpx.post(action, data={"JWT": jwt}, timeout=10)
    assert (accepted.status_code, world.deep_link_errors) == (200, [])
    return jwt


def test_deep_linking_launch_quiz_and_score_reach_the_platform(
    browser: TestClient,
    db: Session,
    world: lms.World,
    registered: LtiPlatform,
    registry: ContentRegistry,
) -> None:
    module = registry.tier("bronze")[0]
    _add_modules(browser, world, [module.slug])
    # The platform saved one resource link with our custom parameter and a line item.
    [item] = world.deep_link_items
    assert item["type"] == "ltiResourceLink"
    assert item["custom"] == {"qia_module": module.slug}
    assert item["lineItem"]["scoreMaximum"] == 100
    [(link_id, link)] = world.links.items()
    assert link.lineitem_id in world.lineitems

    browser.cookies.clear()  # the learner, in another browser
    r = launch(browser, world, user="learner", hint=link_id)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/modules/{module.slug}"
    cookies = r.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("qia_session="))
    assert "samesite=none" in session_cookie.lower()
    assert "secure" in session_cookie.lower()
    learner = db.scalar(select(User).where(User.email == "lena@leeds.nhs.uk"))
    assert learner is not None
    assert learner.organisation_id == registered.organisation_id
    assert db.scalar(select(LtiUser.user_id).where(LtiUser.subject == LEARNER_SUB)) == learner.id

    # The module opens inside the platform's frame, and only that platform's.
    page = browser.get(f"/modules/{module.slug}/sections/1")
    assert page.status_code == 200
    assert f"frame-ancestors {world.base}" in page.headers["content-security-policy"]
    assert "x-frame-options" not in page.headers

    token = csrf_token(browser, f"/modules/{module.slug}/quiz")
    passed = browser.post(
        f"/api/v1/modules/{module.slug}/attempts",
        json={"answers": answers(module)},
        headers={"X-CSRF-Token": token},
    )
    assert passed.status_code == 201, passed.text
    assert world.scores == {}  # nothing is sent inside the request: it waits for the outbox
    report = worker.deliver_due(sessions_on(db), settings=get_settings())
    assert (report.sent, report.errors) == (1, [])
    [score] = world.scores[link.lineitem_id]  # type: ignore[index]
    assert score["userId"] == LEARNER_SUB
    assert (score["scoreGiven"], score["scoreMaximum"]) == (100, 100)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    row = db.scalar(select(LtiScore))
    assert row is not None
    assert row.status == "sent"


def test_a_score_the_platform_refuses_is_retried_later(
    browser: TestClient,
    db: Session,
    world: lms.World,
    registered: LtiPlatform,
    registry: ContentRegistry,
) -> None:
    module = registry.tier("bronze")[0]
    world.links["l1"] = lms.Link("l1", module.meta.title, {"qia_module": module.slug}, "gone")
    r = launch(browser, world, user="learner", hint="l1")
    assert r.status_code == 303
    token = csrf_token(browser, f"/modules/{module.slug}/quiz")
    browser.post(
        f"/api/v1/modules/{module.slug}/attempts",
        json={"answers": answers(module)},
        headers={"X-CSRF-Token": token},
    )
    world.tool_keys = {"keys": []}  # the platform lost our keys: it refuses the token request
    report = worker.deliver_due(sessions_on(db), settings=get_settings())
    assert (report.sent, report.retrying) == (0, 1)
    row = db.scalar(select(LtiScore))
    assert row is not None
    assert row.status == "pending"
    assert row.attempts == 1
    assert row.last_error
    assert "token URL" in row.last_error
    assert registered.id


def test_a_teachers_launch_syncs_a_cohort_from_the_roster(
    browser: TestClient, db: Session, world: lms.World, registered: LtiPlatform
) -> None:
    world.links["l1"] = lms.Link("l1", "Course home", {}, None)
    r = launch(browser, world, user="teacher", hint="l1")
    assert r.status_code == 303, r.text
    link = db.scalar(select(LtiCohortLink).where(LtiCohortLink.platform_id == registered.id))
    assert link is not None
    cohort = cohorts_service.get_cohort(db, cohort_id=link.cohort_id)
    assert cohort.name == "Improving patient flow"
    members = cohorts_service.members(db, cohort_id=cohort.id)
    assert [m.email for m in members] == ["lena@leeds.nhs.uk"]
    # A second launch brings the same cohort up to date rather than making another.
    world.people["new"] = lms.Person("moodle-user-30", "Nia New", "nia@leeds.nhs.uk", [lms.LEARNER])
    browser.cookies.clear()
    launch(browser, world, user="teacher", hint="l1")
    assert db.scalars(select(LtiCohortLink)).all() == [link]
    emails = sorted(m.email for m in cohorts_service.members(db, cohort_id=cohort.id))
    assert emails == ["lena@leeds.nhs.uk", "nia@leeds.nhs.uk"]
