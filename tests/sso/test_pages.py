"""Single sign-on pages and the admin pages and API, through the app (the real provider for
discovery): what a person sees when something is wrong, and what an admin can register."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.sso.models import IdentityProvider
from app.sso.router import STARTS_PER_IP_PER_HOUR
from tests.factories import csrf_token, make_user, sign_in
from tests.sso import provider as oidc_provider


def _start(client: TestClient, email: str) -> tuple[int, str]:
    token = csrf_token(client, "/sso")
    r = client.post(
        "/sso/start", data={"email": email, "next": "/learn/bronze", "csrf_token": token}
    )
    return r.status_code, r.text


def _refresh_url(text: str) -> str:
    """The provider's URL from the redirect page's meta refresh."""
    match = re.search(r'content="0;\s*url=([^"]+)"', text)
    assert match, text
    return html.unescape(match.group(1))


def test_the_sign_in_page_offers_signing_in_with_your_organisation(client: TestClient) -> None:
    page = client.get("/login?next=/learn/silver")
    assert 'href="/sso?next=/learn/silver"' in page.text
    assert "Sign in with your organisation" in client.get("/sso").text


def test_an_email_whose_domain_has_no_provider_is_told_to_use_a_password(
    client: TestClient, idp: IdentityProvider
) -> None:
    assert idp.id
    status, text = _start(client, "someone@elsewhere.example")
    assert status == 422
    assert "There is a problem" in text
    assert "elsewhere.example addresses do not sign in to QI Academy through" in text
    status, text = _start(client, "  ")
    assert (status, "Enter your work email address" in text) == (422, True)


def test_a_known_domain_goes_to_the_provider_with_pkce_state_and_nonce(
    client: TestClient, idp: IdentityProvider
) -> None:
    status, text = _start(client, "alice@LEEDS.nhs.uk")
    assert status == 200
    url = _refresh_url(text)
    assert url.startswith(f"{idp.issuer}/auth?")
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == ["qia"]
    assert query["redirect_uri"] == ["http://testserver/sso/callback"]
    assert query["code_challenge_method"] == ["S256"]
    assert set(query) >= {"state", "nonce", "code_challenge", "scope"}
    assert "openid" in query["scope"][0].split()


def test_a_callback_that_we_did_not_start_or_that_the_provider_refused_says_so(
    client: TestClient, idp: IdentityProvider
) -> None:
    r = client.get("/sso/callback?state=made-up&code=x")
    assert r.status_code == 400
    assert "This sign-in is not one we started" in r.text
    assert "qia_session" not in r.cookies
    _, text = _start(client, "alice@leeds.nhs.uk")
    state = parse_qs(urlsplit(_refresh_url(text)).query)["state"]
    r = client.get(f"/sso/callback?state={state[0]}&error=access_denied")
    assert r.status_code == 400
    assert "answered &#39;access_denied&#39;" in r.text
    assert idp.id


def test_an_admin_registers_a_provider_and_a_bad_issuer_is_explained(
    client: TestClient, db: Session, issuer: str
) -> None:
    admin = make_user(db, roles=[Role.ADMIN])
    org_id = admin.organisation_id
    sign_in(client, admin.email)
    token = csrf_token(client, "/admin/sso/new")
    form = {
        "csrf_token": token,
        "name": "Leeds Teaching Hospitals",
        "issuer": "http://127.0.0.1:9",  # nothing listens there
        "client_id": "qia",
        "client_secret": oidc_provider.CLIENT_SECRET,
        "domains": "leeds.nhs.uk\n@LTHT.nhs.uk",
        "organisation_id": str(org_id),
        "default_staff_group": "nursing_midwifery",
    }
    r = client.post("/admin/sso/new", data=form)
    assert r.status_code == 422
    assert "did not give an OpenID Connect discovery document" in r.text
    r = client.post("/admin/sso/new", data={**form, "issuer": issuer, "domains": "not a domain!"})
    assert r.status_code == 422
    assert "is not an email domain" in r.text
    r = client.post("/admin/sso/new", data={**form, "issuer": issuer}, follow_redirects=False)
    assert r.status_code == 303
    provider = db.scalars(select(IdentityProvider)).one()
    assert [d.domain for d in provider.domains] == ["leeds.nhs.uk", "ltht.nhs.uk"]
    assert oidc_provider.CLIENT_SECRET not in provider.client_secret_encrypted
    listed = client.get("/api/v1/admin/identity-providers").json()
    assert [(p["issuer"], p["domains"]) for p in listed] == [
        (issuer, ["leeds.nhs.uk", "ltht.nhs.uk"])
    ]
    assert "client_secret" not in listed[0]
    assert listed[0]["redirect_uri"] == "http://testserver/sso/callback"


def test_only_admins_see_identity_providers(client: TestClient, db: Session) -> None:
    learner = make_user(db)
    sign_in(client, learner.email)
    assert client.get("/api/v1/admin/identity-providers").status_code == 403
    assert client.get("/admin/sso").status_code == 403


def test_editing_a_provider_keeps_its_secret_and_refuses_a_domain_another_one_has(
    client: TestClient, db: Session, idp: IdentityProvider
) -> None:
    admin = make_user(db, roles=[Role.ADMIN])
    sign_in(client, admin.email)
    sealed = idp.client_secret_encrypted
    page = client.get(f"/admin/sso/{idp.id}")
    assert page.status_code == 200
    assert oidc_provider.CLIENT_SECRET not in page.text
    form = {
        "csrf_token": csrf_token(client, f"/admin/sso/{idp.id}"),
        "name": "Leeds Teaching Hospitals NHS Trust",
        "issuer": idp.issuer,
        "client_id": "qia",
        "client_secret": "",
        "domains": "leeds.nhs.uk\nleedsth.nhs.uk",
        "organisation_id": str(idp.organisation_id),
        "default_staff_group": "medical_dental",
        "enabled": "yes",
    }
    r = client.post(f"/admin/sso/{idp.id}", data=form, follow_redirects=False)
    assert r.status_code == 303
    db.expire_all()
    saved = db.get(IdentityProvider, idp.id)
    assert saved is not None
    assert saved.client_secret_encrypted == sealed
    assert (saved.name, saved.default_staff_group) == (
        "Leeds Teaching Hospitals NHS Trust",
        "medical_dental",
    )
    assert [d.domain for d in saved.domains] == ["leeds.nhs.uk", "leedsth.nhs.uk"]
    other = {**form, "name": "Another trust", "client_secret": "s", "domains": "leedsth.nhs.uk"}
    other["csrf_token"] = csrf_token(client, "/admin/sso/new")
    r = client.post("/admin/sso/new", data=other)
    assert r.status_code == 409
    assert "leedsth.nhs.uk is already registered for another identity provider" in r.text


def test_starting_sign_ins_is_limited_per_network(
    client: TestClient, idp: IdentityProvider
) -> None:
    assert idp.id
    token = csrf_token(client, "/sso")
    data = {"email": "alice@leeds.nhs.uk", "next": "", "csrf_token": token}
    codes = [
        client.post("/sso/start", data=data).status_code for _ in range(STARTS_PER_IP_PER_HOUR)
    ]
    assert set(codes) == {200}
    refused = client.post("/sso/start", data=data)
    assert refused.status_code == 429
    assert "Too many sign-ins were started from this network" in refused.text
