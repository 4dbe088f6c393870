"""Launches the LTI 1.3 security framework says to refuse, from the real platform
(lti1p3platform): each says why, and nobody is signed in."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.content import registry
from app.core.db import utcnow
from app.lti.models import LtiLogin, LtiPlatform
from tests.lti import platform as lms
from tests.lti.conftest import launch, path, platform_form, post_launch


def _refused(r, text: str) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code in (400, 401), r.text
    assert "There is a problem" in r.text
    assert "We could not open this activity" in r.text
    assert text in r.text, r.text
    assert "qia_session" not in r.headers.get("set-cookie", "")


def _link(world: lms.World, slug: str | None = None) -> str:
    slug = slug or registry.current().tier("bronze")[0].slug
    world.links["l1"] = lms.Link("l1", "Model for improvement", {"qia_module": slug}, None)
    return "l1"


def test_a_launch_with_a_bad_signature_is_refused(
    browser: TestClient, db: Session, world: lms.World, registered: LtiPlatform
) -> None:
    world.tamper = "signature"
    r = launch(browser, world, user="learner", hint=_link(world))
    _refused(r, "its signature does not match the platform&#39;s keys")
    assert db.scalar(select(User).where(User.email == "lena@leeds.nhs.uk")) is None
    assert registered.id


def test_a_launch_from_an_unknown_deployment_is_refused(
    browser: TestClient, db: Session, world: lms.World, registered: LtiPlatform
) -> None:
    registered.deployments[0].deployment_id = "only-this-one"
    db.flush()
    r = launch(browser, world, user="learner", hint=_link(world))
    _refused(r, "it came from a deployment that is not registered (deployment-1)")


def test_a_replayed_launch_is_refused(
    browser: TestClient, world: lms.World, registered: LtiPlatform
) -> None:
    form = platform_form(browser, world, user="learner", hint=_link(world))
    assert post_launch(browser, form).status_code == 303
    _refused(post_launch(browser, form), "this launch has already been used (each works once)")
    assert registered.id


def test_an_old_id_token_with_a_new_state_fails_on_its_nonce(
    browser: TestClient, world: lms.World, registered: LtiPlatform
) -> None:
    old = platform_form(browser, world, user="learner", hint=_link(world))
    assert post_launch(browser, old).status_code == 303
    fresh = platform_form(browser, world, user="learner", hint="l1")
    fresh.id_token = old.id_token  # a captured id_token replayed into a new launch
    _refused(post_launch(browser, fresh), "the nonce does not match")
    assert registered.id


def test_a_stale_launch_is_refused(
    browser: TestClient, db: Session, world: lms.World, registered: LtiPlatform
) -> None:
    form = platform_form(browser, world, user="learner", hint=_link(world))
    db.execute(update(LtiLogin).values(expires_at=utcnow() - timedelta(seconds=1)))
    _refused(post_launch(browser, form), "took longer than 10 minutes and has expired")
    assert registered.id


def test_a_launch_from_another_browser_is_refused(
    browser: TestClient, world: lms.World, registered: LtiPlatform
) -> None:
    form = platform_form(browser, world, user="learner", hint=_link(world))
    browser.cookies.clear()  # the state cookie stayed in the browser that started
    _refused(post_launch(browser, form), "started in a different browser window")
    assert registered.id


def test_a_launch_for_another_tool_or_unknown_platform_is_refused(
    browser: TestClient, db: Session, world: lms.World, registered: LtiPlatform
) -> None:
    r = browser.get("/lti/login?iss=https://moodle.elsewhere.example&login_hint=1")
    _refused(r, "is not registered with QI Academy")
    r = browser.get(
        path(lms.login_url(world, user="learner", hint="x")).replace(
            "target_link_uri=http%3A%2F%2Ftestserver", "target_link_uri=https%3A%2F%2Fevil.example"
        )
    )
    _refused(r, "points at a different tool")
    _refused(
        browser.post("/lti/launch", data={"id_token": "x", "state": "y"}),
        "not one QI Academy started",
    )
    registered.client_id = "someone-else"
    db.flush()
    r = browser.get(path(lms.login_url(world, user="learner", hint="x")))
    _refused(r, "is not registered with QI Academy")


def test_an_id_token_meant_for_another_client_is_refused(
    browser: TestClient, db: Session, world: lms.World, registered: LtiPlatform
) -> None:
    form = platform_form(browser, world, user="learner", hint=_link(world))
    registered.client_id = "qia-tool-2"  # the admin re-registered us under another client ID
    db.flush()
    _refused(post_launch(browser, form), "it was meant for a different tool (audience)")


def test_an_expired_id_token_or_another_lti_version_is_refused(
    browser: TestClient, world: lms.World, registered: LtiPlatform
) -> None:
    world.tamper = "expired"
    _refused(launch(browser, world, user="learner", hint=_link(world)), "it has expired")
    world.tamper = "version"
    _refused(launch(browser, world, user="learner", hint="l1"), "it is not an LTI 1.3.0 message")
    assert registered.id


def test_a_link_to_a_module_we_do_not_have_is_explained(
    browser: TestClient, db: Session, world: lms.World, registered: LtiPlatform
) -> None:
    r = launch(browser, world, user="learner", hint=_link(world, "x"))
    _refused(r, "the activity opens a module QI Academy does not have (x)")
    assert db.scalar(select(User).where(User.email == "lena@leeds.nhs.uk")) is None
    assert registered.id


def test_deep_linking_where_resource_links_are_not_accepted_is_explained(
    browser: TestClient, world: lms.World, registered: LtiPlatform
) -> None:
    world.tamper = "links-only"
    r = launch(browser, world, user="teacher", hint="deep-link")
    _refused(r, "the platform does not accept LTI resource links here")
    assert registered.id
