"""LTI fixtures: a real LTI 1.3 platform (lti1p3platform) served for the session, registered
with QI Academy by an admin in each test, and a browser-like client on https."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.core.config import get_settings
from app.lti import keys, platforms
from app.lti.models import LtiPlatform
from app.lti.schemas import PlatformCreate
from tests.factories import make_user
from tests.lti import platform as lms

LEARNER_SUB = "moodle-user-17"
TEACHER_SUB = "moodle-user-2"


@pytest.fixture(scope="session")
def platform_server() -> Iterator[lms.World]:
    with lms.running(lms.World(tool_base=get_settings().base_url)) as world:
        yield world


@pytest.fixture
def world(platform_server: lms.World) -> Iterator[lms.World]:
    """The platform with a fresh course: a teacher and a learner, nothing linked yet."""
    w = platform_server
    w.people = {
        "learner": lms.Person(LEARNER_SUB, "Lena Learner", "lena@leeds.nhs.uk", [lms.LEARNER]),
        "teacher": lms.Person(TEACHER_SUB, "Tom Teacher", "tom@leeds.nhs.uk", [lms.INSTRUCTOR]),
    }
    w.links, w.lineitems, w.scores = {}, {}, {}
    w.deep_link_items, w.deep_link_errors, w.tamper, w.token_requests = [], [], None, 0
    return w


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """On https, as a browser inside the platform's frame would be: Secure cookies come back."""
    with TestClient(app, base_url="https://testserver") as c:
        yield c


@pytest.fixture
def registered(db: Session, world: lms.World) -> LtiPlatform:
    """Leeds Moodle, registered by an admin; the platform knows our keyset."""
    admin = make_user(db, roles=[Role.ADMIN])
    org = accounts_service.create_organisation(
        db, name="Leeds Teaching Hospitals", kind="nhs_trust", region=None
    )
    db.flush()
    data = PlatformCreate(
        name="Leeds Moodle",
        issuer=world.base,
        client_id=lms.CLIENT_ID,
        deployment_ids=[lms.DEPLOYMENT_ID],
        auth_login_url=world.base + "/auth",
        auth_token_url=world.base + "/token",
        keyset_url=world.base + "/jwks",
        organisation_id=org.id,
    )
    platform = platforms.register_platform(db, actor=admin, data=data, settings=get_settings())
    world.tool_keys = keys.jwks(db, get_settings())
    return platform


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class LaunchForm:
    action: str
    id_token: str
    state: str


def platform_form(browser: TestClient, world: lms.World, *, user: str, hint: str) -> LaunchForm:
    """The platform starts a launch; we answer the login initiation; the platform signs."""
    start = lms.login_url(world, user=user, hint=hint)
    assert start.startswith(get_settings().base_url + "/lti/login?")
    r = browser.get(path(start), follow_redirects=False)
    assert r.status_code == 302, r.text
    page = httpx.get(r.headers["location"], timeout=10)
    assert page.status_code == 200, page.text
    found = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    action = re.search(r'action="([^"]+)"', page.text)
    assert action
    return LaunchForm(action.group(1), found["id_token"], found["state"])


def post_launch(browser: TestClient, form: LaunchForm) -> httpx.Response:
    data = {"id_token": form.id_token, "state": form.state}
    return browser.post(path(form.action), data=data, follow_redirects=False)


def launch(browser: TestClient, world: lms.World, *, user: str, hint: str) -> httpx.Response:
    return post_launch(browser, platform_form(browser, world, user=user, hint=hint))
