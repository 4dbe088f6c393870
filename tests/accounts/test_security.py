"""Issue 9's holes, each closed: sessions that end, CSRF bound to a session, throttles that cannot be
turned into a lock-out or bypassed with a forged address, and the headers that keep pages private."""

from __future__ import annotations

import concurrent.futures
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.accounts import auth
from app.content.registry import ContentRegistry
from app.core.config import Settings, get_settings
from tests.dbutil import fresh_database, migrate
from tests.factories import PASSWORD, bearer, csrf_token, make_user, sign_in
from tests.servers import running

TOKEN_URL = "/api/v1/auth/token"


def _client(app: FastAPI, ip: str = "203.0.113.7") -> TestClient:
    return TestClient(app, base_url="http://testserver", client=(ip, 40000))


def _guess(
    client: TestClient, email: str, password: str = "wrong-password!", **headers: str
) -> int:
    data = {"username": email, "password": password}
    return client.post(TOKEN_URL, data=data, headers=headers).status_code


# --- sessions ----------------------------------------------------------------------------------


def test_a_signed_out_cookie_no_longer_opens_pages_or_the_api(
    client: TestClient, db: Session
) -> None:
    user = make_user(db)
    sign_in(client, user.email)
    old = client.cookies.get("qia_session")
    assert old
    token = csrf_token(client, "/dashboard")
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    client.cookies.set("qia_session", old)  # as if someone had copied the cookie before sign-out
    page = client.get("/dashboard", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"})
    assert api.status_code == 401


def test_a_revoked_bearer_token_is_refused_and_others_keep_working(
    client: TestClient, db: Session
) -> None:
    user = make_user(db)
    first, second = bearer(client, user.email), bearer(client, user.email)
    assert client.post("/api/v1/auth/logout", headers=first).status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_sign_out_everywhere_ends_every_session(app: FastAPI, db: Session) -> None:
    user = make_user(db)
    phone, laptop = _client(app, "198.51.100.1"), _client(app, "198.51.100.2")
    sign_in(phone, user.email)
    sign_in(laptop, user.email)
    api = bearer(laptop, user.email)
    token = csrf_token(phone, "/dashboard")
    r = phone.post("/logout/everywhere", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert laptop.get("/dashboard", follow_redirects=False).status_code == 303
    assert laptop.get("/api/v1/me", headers=api).status_code == 401
    assert auth.active_sessions(db, user_id=user.id) == []


# --- CSRF --------------------------------------------------------------------------------------


def test_a_cookie_authenticated_json_write_needs_the_token_and_our_origin(
    client: TestClient, db: Session
) -> None:
    user = make_user(db)
    sign_in(client, user.email)
    token = csrf_token(client, "/dashboard")
    no_token = client.post("/api/v1/auth/logout")
    assert no_token.status_code == 403
    assert no_token.json()["error"] == "CsrfFailed"
    foreign = client.post(
        "/api/v1/auth/logout",
        headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert foreign.json()["error"] == "CrossSiteRequest"
    assert "another website" in foreign.json()["detail"]
    cross = client.post(
        "/api/v1/auth/logout", headers={"X-CSRF-Token": token, "Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == 403
    assert client.get("/api/v1/me").status_code == 200  # nothing above ended the session
    ok = client.post(
        "/api/v1/auth/logout", headers={"X-CSRF-Token": token, "Origin": "http://testserver"}
    )
    assert ok.status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_a_no_referrer_page_posts_with_origin_null_and_the_token_decides(
    client: TestClient, db: Session
) -> None:
    # A page sent with Referrer-Policy: no-referrer (the reset link's) makes Chromium send
    # `Origin: null` with its form; Sec-Fetch-Site still says whether the post is our own.
    user = make_user(db)
    sign_in(client, user.email)
    token = csrf_token(client, "/dashboard")
    cross = client.post(
        "/api/v1/auth/logout",
        headers={"X-CSRF-Token": token, "Origin": "null", "Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    assert cross.json()["error"] == "CrossSiteRequest"
    forged = client.post(
        "/api/v1/auth/logout",
        headers={"X-CSRF-Token": "forged", "Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert forged.status_code == 403
    assert forged.json()["error"] == "CsrfFailed"
    ours = client.post(
        "/api/v1/auth/logout",
        headers={"X-CSRF-Token": token, "Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert ours.status_code == 204


def test_bearer_token_calls_need_no_csrf_token(client: TestClient, db: Session) -> None:
    user = make_user(db)
    headers = {**bearer(client, user.email), "Origin": "https://somewhere.example"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204


def test_another_browsers_csrf_token_is_refused(app: FastAPI, db: Session) -> None:
    mine, theirs = _client(app, "198.51.100.3"), _client(app, "198.51.100.4")
    user, other = make_user(db), make_user(db)
    sign_in(mine, user.email)
    sign_in(theirs, other.email)
    their_token = csrf_token(theirs, "/dashboard")
    r = mine.post("/logout", data={"csrf_token": their_token}, follow_redirects=False)
    assert r.status_code == 403
    assert mine.get("/dashboard", follow_redirects=False).status_code == 200


def test_a_token_from_before_sign_in_stops_working_after_it(
    client: TestClient, db: Session
) -> None:
    user = make_user(db)
    anonymous = csrf_token(client, "/login")
    sign_in(client, user.email)
    r = client.post("/logout", data={"csrf_token": anonymous}, follow_redirects=False)
    assert r.status_code == 403


def test_the_sign_out_button_posts_a_form_with_no_token_in_any_url(
    client: TestClient, db: Session
) -> None:
    sign_in(client, make_user(db).email)
    page = client.get("/dashboard").text
    assert re.search(
        r'<form class="nhsuk-header__account-form" action="/logout" method="post"', page
    )
    assert "csrf_token=" not in page


# --- throttles ---------------------------------------------------------------------------------


def test_guesses_from_one_address_never_lock_out_the_owner_elsewhere(
    app: FastAPI, db: Session
) -> None:
    user = make_user(db)
    attacker, owner = _client(app, "203.0.113.66"), _client(app, "198.51.100.10")
    limit = get_settings().login_max_failures_per_pair
    assert [_guess(attacker, user.email) for _ in range(limit)] == [401] * limit
    assert _guess(attacker, user.email) == 429
    assert _guess(attacker, user.email, PASSWORD) == 429  # the pair is blocked, even with it right
    assert _guess(owner, user.email, PASSWORD) == 200


def test_a_forged_forwarded_for_changes_nothing_without_a_trusted_proxy(
    app: FastAPI, db: Session
) -> None:
    user = make_user(db)
    attacker = _client(app, "203.0.113.67")
    limit = get_settings().login_max_failures_per_pair
    codes = [
        _guess(attacker, user.email, **{"X-Forwarded-For": f"10.9.{i}.1"}) for i in range(limit + 3)
    ]
    assert codes == [401] * limit + [429] * 3
    blocked = attacker.post(
        TOKEN_URL,
        data={"username": user.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "192.0.2.200"},
    )
    assert blocked.status_code == 429


def test_forwarded_for_is_honoured_only_from_a_trusted_proxy(
    app: FastAPI, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "trusted_proxies", "10.0.0.0/8")
    user = make_user(db)
    balancer = _client(app, "10.1.2.3")
    limit = get_settings().login_max_failures_per_pair
    for _ in range(limit):
        assert _guess(balancer, user.email, **{"X-Forwarded-For": "203.0.113.90"}) == 401
    assert _guess(balancer, user.email, **{"X-Forwarded-For": "203.0.113.90"}) == 429
    # Another client behind the same balancer is another address; a spoofed left-most entry
    # is ignored (the balancer appended the real one on the right).
    other = {"X-Forwarded-For": "203.0.113.90, 198.51.100.77"}
    assert _guess(balancer, user.email, PASSWORD, **other) == 200
    stranger = _client(app, "192.0.2.50")  # not a proxy: its header is ignored
    for _ in range(limit):
        _guess(stranger, user.email, **{"X-Forwarded-For": "10.1.1.1"})
    assert _guess(stranger, user.email, PASSWORD, **{"X-Forwarded-For": "10.1.1.1"}) == 429


def test_a_browser_that_signed_in_before_is_exempt_from_the_account_wide_limit(
    app: FastAPI, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "login_max_failures_per_account", 3)
    user = make_user(db)
    owner = _client(app, "198.51.100.20")
    sign_in(owner, user.email)  # gets the device cookie
    for i in range(3):  # a guesser rotating addresses uses up the account-wide allowance
        assert _guess(_client(app, f"203.0.113.{100 + i}"), user.email) == 401
    assert _guess(_client(app, "203.0.113.150"), user.email, PASSWORD) == 429
    assert _guess(owner, user.email, PASSWORD) == 200


def test_registration_is_limited_per_address(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "register_max_per_ip_per_hour", 2)
    client = _client(app, "198.51.100.30")
    body = {
        "password": "correct horse battery",
        "full_name": "Sam Jones",
        "organisation": "Oak Lodge Care Home",
        "staff_group": "nursing_midwifery",
    }
    codes = [
        client.post(
            "/api/v1/auth/register", json={**body, "email": f"s{i}@example.nhs.uk"}
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]


# --- headers and settings ----------------------------------------------------------------------


def test_signed_in_pages_and_personal_api_answers_are_never_stored(
    client: TestClient, db: Session
) -> None:
    assert "no-store" not in client.get("/").headers.get("cache-control", "")
    user = make_user(db)
    sign_in(client, user.email)
    assert client.get("/dashboard").headers["cache-control"] == "no-store"
    assert (
        client.get("/api/v1/me", headers=bearer(client, user.email)).headers["cache-control"]
        == "no-store"
    )


def test_hsts_is_sent_whenever_cookies_are_secure() -> None:
    from app.core.middleware import SecurityMiddleware

    async def ok(_scope: object, _receive: object, send: object) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b""})  # type: ignore[operator]

    for secure, expected in ((True, "max-age=31536000; includeSubDomains"), (False, None)):
        client = TestClient(SecurityMiddleware(ok, secure_cookies=secure))  # type: ignore[arg-type]
        assert client.get("/").headers.get("strict-transport-security") == expected


def test_the_docs_page_has_a_csp_for_its_own_bundle_only(client: TestClient) -> None:
    page = client.get("/docs")
    csp = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
    assert "default-src 'none'" in csp
    assert f'<script nonce="{nonce}">' in page.text
    assert "https://" not in csp


def test_docs_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, registry: ContentRegistry) -> None:
    from app.main import create_app

    monkeypatch.setattr(get_settings(), "api_docs", False)
    app = create_app()
    app.state.content = registry
    with TestClient(app) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/openapi.json").status_code == 404


@pytest.mark.parametrize("secret", ["a" * 40, "abcdefghij" * 4, "changeme" * 5])
def test_a_prod_secret_without_real_entropy_is_refused(secret: str) -> None:
    with pytest.raises(ValidationError, match=r"secrets\.token_urlsafe"):
        Settings(env="prod", secret_key=secret)


def test_a_random_prod_secret_is_accepted() -> None:
    import secrets

    assert Settings(env="prod", secret_key=secrets.token_urlsafe(48)).env == "prod"


# --- concurrency, against real servers -----------------------------------------------------------


@pytest.fixture(scope="module")
def two_workers() -> Iterator[str]:
    url = fresh_database("throttle_race")
    migrate(url)
    with running(url, workers=2) as server:
        yield server.base


def test_forty_simultaneous_wrong_passwords_are_checked_at_most_the_limit(two_workers: str) -> None:
    """Two uvicorn workers, one database: the check and the count are one statement per key."""
    email = "race-target@example.nhs.uk"
    body = {
        "email": email,
        "password": PASSWORD,
        "full_name": "Race Target",
        "organisation": "Ward 7",
        "staff_group": "nursing_midwifery",
    }
    assert httpx.post(f"{two_workers}/api/v1/auth/register", json=body).status_code == 201

    def guess(_: int) -> int:
        data = {"username": email, "password": "wrong-password!"}
        return httpx.post(f"{two_workers}{TOKEN_URL}", data=data, timeout=60).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        codes = list(pool.map(guess, range(40)))
    limit = get_settings().login_max_failures_per_pair
    assert codes.count(401) <= limit, codes  # 401: the password was actually checked
    assert codes.count(401) + codes.count(429) == 40, codes
    assert codes.count(429) >= 40 - limit


def test_staff_groups_are_one_list_in_the_api_and_the_type() -> None:
    from typing import get_args

    from app.accounts.constants import STAFF_GROUPS, StaffGroupCode

    assert list(get_args(StaffGroupCode)) == list(STAFF_GROUPS)


def test_the_staff_group_vocabulary_is_served_and_documented(client: TestClient) -> None:
    from app.accounts.constants import STAFF_GROUPS

    listed = client.get("/api/v1/staff-groups").json()
    assert [i["value"] for i in listed] == list(STAFF_GROUPS)
    spec = client.get("/openapi.json").json()
    field = spec["components"]["schemas"]["UserCreate"]["properties"]["staff_group"]
    assert field["enum"] == list(STAFF_GROUPS)
