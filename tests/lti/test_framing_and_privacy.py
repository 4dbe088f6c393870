"""Only a checked launch opens our pages to a platform's frame; a deleted account's platform
identities go with it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.lti import framing
from app.lti.models import LtiPlatform, LtiUser
from tests.lti import platform as lms
from tests.lti.conftest import launch


def test_a_forged_frame_cookie_keeps_the_page_unframeable(client: TestClient) -> None:
    forged = framing.cookie_value("https://evil.example")[:-4] + "0000"
    client.cookies.set(framing.FRAME_COOKIE, forged)
    page = client.get("/glossary")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    client.cookies.clear()  # a browser inside the frame: our first-party cookies are not sent
    client.cookies.set(framing.FRAME_COOKIE, framing.cookie_value("https://moodle.example"))
    page = client.get("/glossary")
    assert "frame-ancestors https://moodle.example" in page.headers["content-security-policy"]
    csrf = next(c for c in page.headers.get_list("set-cookie") if c.startswith("qia_csrf="))
    assert "SameSite=None; Secure" in csrf  # a third-party frame only sends these back


def test_deleting_an_account_forgets_its_platform_identity(
    browser: TestClient, db: Session, world: lms.World, registered: LtiPlatform
) -> None:
    world.links["l1"] = lms.Link("l1", "Course home", {}, None)
    assert launch(browser, world, user="learner", hint="l1").status_code == 303
    found = db.scalar(select(User.id).where(User.email == "lena@leeds.nhs.uk"))
    assert found is not None
    user = accounts_service.get_user(db, user_id=found)
    accounts_service.anonymise_user(db, user=user)
    assert db.scalar(select(func.count()).select_from(LtiUser)) == 0
    # Launching again makes a new account rather than finding the deleted one.
    browser.cookies.clear()
    assert launch(browser, world, user="learner", hint="l1").status_code == 303
    again = db.scalar(select(User).where(User.email == "lena@leeds.nhs.uk"))
    assert again is not None
    assert again.id != user.id
    assert registered.id
