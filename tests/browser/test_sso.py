"""Single sign-on in a real browser against a real OpenID provider (node-oidc-provider, started
here): an admin registers the organisation's provider; a member of staff signs in through it,
gets an account in that organisation, signs out (offered the provider's sign-out too), and signs
in again to the same account. A replayed callback is refused with a message.

Chromium may reach only 127.0.0.1 (the app and the provider): every other request is aborted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import Organisation, User
from app.core.db import make_engine
from app.sso.models import ExternalIdentity
from tests.browser.conftest import assert_accessible
from tests.sso import provider as oidc_provider

ADMIN = "sso.admin@example.nhs.uk"
PASSWORD = "lantern-meadow-quartz"
ORG = "York and Scarborough Teaching Hospitals"
STAFF = "bea@york.nhs.uk"


@pytest.fixture(scope="module")
def issuer(live_server: dict[str, str]) -> Iterator[str]:
    clients = [oidc_provider.client("qia-browser", live_server["base"])]
    accounts = {"bea-4711": {"email": STAFF, "email_verified": True, "name": "Bea Brown"}}
    with oidc_provider.running(clients, accounts) as url:
        yield url


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


def _facts(url: str) -> tuple[list[tuple[int, str | None, str, bool]], int]:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.execute(
            select(User.id, Organisation.name, User.staff_group, User.password_hash.is_(None))
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(User.email == STAFF)
        ).all()
        links = session.scalar(select(func.count()).select_from(ExternalIdentity)) or 0
    engine.dispose()
    return [tuple(r) for r in rows], int(links)  # type: ignore[misc]


def _local_only(page: Any) -> None:
    def route(r: Any) -> None:
        if urlsplit(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            r.abort()

    page.context.route("**/*", route)


def _sign_in_at_provider(page: Any, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_role("link", name="Sign in with your organisation").click()
    assert_accessible(page, "sign in with your organisation")
    page.get_by_label("Your work email address").fill(STAFF)
    page.get_by_role("button", name="Continue").click()
    page.locator("input[name=login]").fill("bea-4711")
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    consent = page.get_by_role("button", name="Continue")
    dashboard = page.get_by_role("heading", level=1)
    expect(consent.or_(dashboard).first).to_be_visible()
    if page.url.startswith(base) is False:
        consent.click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/dashboard"))


def test_staff_sign_in_through_their_organisation_and_back_to_the_same_account(
    page: Any, live_server: dict[str, str], issuer: str
) -> None:
    base, url = live_server["base"], live_server["database_url"]
    _seed(url)
    _local_only(page)

    # The organisation's admin registers its provider.
    page.goto(f"{base}/login")
    page.get_by_label("Email address", exact=True).fill(ADMIN)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/admin/sso/new")
    expect(page.get_by_text(f"{base}/sso/callback")).to_be_visible()
    assert_accessible(page, "add an identity provider")
    page.get_by_label("Name").fill(ORG)
    page.get_by_label("Issuer URL").fill(issuer)
    page.get_by_label("Client ID").fill("qia-browser")
    page.get_by_label("Client secret").fill(oidc_provider.CLIENT_SECRET)
    page.get_by_label("Email domains").fill("york.nhs.uk")
    page.get_by_label("Organisation").select_option(label=ORG)
    page.get_by_label("Staff group for new accounts").select_option("allied_health_professionals")
    page.get_by_role("button", name="Save identity provider").click()
    expect(page.get_by_text("Identity provider added.")).to_be_visible()
    expect(page.get_by_role("link", name=ORG)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # A member of staff signs in through the provider: a new account in the organisation.
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if "/sso/callback" in r.url else None)
    _sign_in_at_provider(page, base)
    expect(page.get_by_text("Bea Brown").first).to_be_visible()
    rows, links = _facts(url)
    assert rows == [(rows[0][0], ORG, "allied_health_professionals", True)]
    assert links == 1
    first_id = rows[0][0]

    # Sign out: our session ends and the provider's sign-out is offered.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out of QI Academy")).to_be_visible()
    assert_accessible(page, "signed out")
    page.get_by_role("button", name=f"Sign out of {ORG} too").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{base}/login")
    page.goto(f"{base}/dashboard")
    expect(page).to_have_url(re.compile(r"/login"))

    # The provider's answer, replayed, signs nobody in.
    assert callbacks
    page.goto(callbacks[0])
    expect(page.get_by_text("This sign-in has already been used").first).to_be_visible()
    assert_accessible(page, "replayed sign-in")

    # Signing in again (the provider asks again: its session ended too) finds the same account.
    _sign_in_at_provider(page, base)
    rows, links = _facts(url)
    assert [r[0] for r in rows] == [first_id]
    assert links == 1
