"""Registration, sign-in, tokens and the bad input each must refuse without writing anything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jose import jwt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import LoginAttempt, User
from app.core.config import get_settings
from tests.factories import PASSWORD, bearer, csrf_token, make_user, sign_in

GOOD = {
    "email": "nina.okafor@example.nhs.uk",
    "password": "kettle-harbour-meadow",
    "full_name": "Nina Okafor",
    "organisation": "Oak Lodge Care Home",
    "staff_group": "social_care",
}


def users(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(User)) or 0


def test_register_api_creates_a_learner(client: TestClient, db: Session) -> None:
    r = client.post("/api/v1/auth/register", json=GOOD)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["email"] == GOOD["email"]
    assert body["roles"] == ["learner"]
    assert body["organisation"] == "Oak Lodge Care Home"
    assert "password" not in r.text
    assert "$argon2id$" not in r.text
    stored = db.scalar(select(User).where(User.email == GOOD["email"]))
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_register_twice_is_409_and_writes_nothing(client: TestClient, db: Session) -> None:
    assert client.post("/api/v1/auth/register", json=GOOD).status_code == 201
    before = users(db)
    r = client.post("/api/v1/auth/register", json={**GOOD, "email": GOOD["email"].upper()})
    assert r.status_code == 409
    assert r.json()["error"] == "Conflict"
    assert "already exists" in r.json()["detail"]
    assert users(db) == before


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"email": "not-an-email"}, "email", "email"),
        ({"password": "short"}, "password", "at least 10 characters"),
        ({"password": "password123"}, "password", "too easy to guess"),
        (
            {"staff_group": "wizard"},
            "staff_group",
            "staff_group: choose one of 'add_prof_scientific_technical'",
        ),
        ({"full_name": ""}, "full_name", "at least 1 character"),
        ({"full_name": "x" * 201}, "full_name", "at most 200 characters"),
        ({"organisation": "y" * 5000}, "organisation", "at most 200 characters"),
        ({"password": 12345678901}, "password", "valid string"),
        ({"email": ["a@b.com"]}, "email", "valid string"),
    ],
)
def test_register_bad_input_is_422_with_field_message(
    client: TestClient, db: Session, change: dict[str, object], field: str, words: str
) -> None:
    before = users(db)
    r = client.post("/api/v1/auth/register", json={**GOOD, **change})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "InvalidInput"
    assert any(e["field"] == field and words in e["message"] for e in body["errors"]), body
    assert users(db) == before


def test_malformed_json_is_422_that_says_so(client: TestClient, db: Session) -> None:
    before = users(db)
    r = client.post(
        "/api/v1/auth/register",
        content=b'{"email": "a@b.com",',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert "not valid JSON" in r.json()["detail"]
    assert users(db) == before


def test_token_and_me(client: TestClient, db: Session) -> None:
    user = make_user(db)
    headers = bearer(client, user.email)
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["email"] == user.email
    assert me["roles"] == ["learner"]


def test_wrong_password_is_401_and_unknown_email_the_same(client: TestClient, db: Session) -> None:
    user = make_user(db)
    wrong = client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": "not-the-password"}
    )
    unknown = client.post(
        "/api/v1/auth/token",
        data={"username": "nobody@example.nhs.uk", "password": "whatever-it-is"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"] == "Unauthorized"


def test_failed_logins_are_recorded_and_rate_limited_per_account_and_address(
    client: TestClient, db: Session
) -> None:
    user = make_user(db)
    for _ in range(get_settings().login_max_failures_per_pair):
        assert (
            client.post(
                "/api/v1/auth/token", data={"username": user.email, "password": "wrong-password!"}
            ).status_code
            == 401
        )
    assert (
        db.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == user.email)
        )
        == 5
    )
    r = client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert r.status_code == 429
    assert "Wait 15 minutes" in r.json()["detail"]


def test_failed_logins_are_rate_limited_per_ip(client: TestClient, db: Session) -> None:
    for i in range(get_settings().login_max_failures_per_ip):
        client.post(
            "/api/v1/auth/token",
            data={"username": f"guess{i}@example.nhs.uk", "password": "wrong-password!"},
        )
    user = make_user(db)
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}
        ).status_code
        == 429
    )


def _claims(user: User, **over: object) -> dict[str, object]:
    s = get_settings()
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": str(user.id),
        "ver": 0,
        "sid": _SESSIONS[user.id],
        "iss": s.jwt_issuer,
        "aud": s.jwt_audience,
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    claims.update(over)
    return claims


_SESSIONS: dict[int, str] = {}


def _rsa_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.parametrize(
    "kind",
    [
        "expired",
        "tampered",
        "alg_none",
        "other_key",
        "rs256",
        "wrong_audience",
        "garbage",
        "stale_version",
    ],
)
def test_bad_tokens_are_refused(client: TestClient, db: Session, kind: str) -> None:
    user = make_user(db)
    # A real, live session: each token below fails for its own fault, not for a missing session.
    _SESSIONS[user.id] = auth.start_session(db, user=user, kind="api", settings=get_settings()).id
    secret = get_settings().secret_key
    good = jwt.encode(_claims(user), secret, algorithm="HS256")
    ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {good}"})
    assert ok.status_code == 200
    if kind == "expired":
        token = jwt.encode(
            _claims(user, exp=datetime.now(UTC) - timedelta(seconds=1)), secret, algorithm="HS256"
        )
    elif kind == "tampered":
        head, payload, sig = good.split(".")
        token = f"{head}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{sig}"
    elif kind == "alg_none":
        import base64
        import json

        def b64(d: dict[str, object]) -> str:
            return (
                base64.urlsafe_b64encode(json.dumps(d, default=str).encode()).rstrip(b"=").decode()
            )

        claims = _claims(user)
        claims["exp"] = int(datetime.now(UTC).timestamp()) + 300
        claims["iat"] = int(datetime.now(UTC).timestamp())
        token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    elif kind == "other_key":
        token = jwt.encode(
            _claims(user), "another-secret-that-is-long-enough-000000", algorithm="HS256"
        )
    elif kind == "rs256":
        token = jwt.encode(_claims(user), _rsa_pem().decode(), algorithm="RS256")
    elif kind == "wrong_audience":
        token = jwt.encode(_claims(user, aud="someone-else"), secret, algorithm="HS256")
    elif kind == "stale_version":
        token = jwt.encode(_claims(user, ver=7), secret, algorithm="HS256")
    else:
        token = "not.a.token"
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json()["error"] == "Unauthorized"
    assert "Sign in" in r.json()["detail"]


def test_register_page_signs_the_learner_in(client: TestClient) -> None:
    token = csrf_token(client, "/register")
    r = client.post("/register", data={**GOOD, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/dashboard"
    cookie = r.headers["set-cookie"]
    assert "qia_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "My learning" in client.get("/dashboard").text


def test_register_page_shows_error_summary_and_keeps_answers(
    client: TestClient, db: Session
) -> None:
    token = csrf_token(client, "/register")
    before = users(db)
    r = client.post(
        "/register", data={**GOOD, "email": "nope", "password": "x", "csrf_token": token}
    )
    assert r.status_code == 422
    assert "nhsuk-error-summary" in r.text
    assert "There is a problem" in r.text
    assert 'href="#email"' in r.text
    assert 'href="#password"' in r.text
    assert 'value="Nina Okafor"' in r.text  # what was typed is kept
    assert r.text.count("kettle-harbour-meadow") == 0  # but never the password
    assert "<title>Error: " in r.text
    assert users(db) == before


def test_form_post_without_csrf_token_is_refused(client: TestClient, db: Session) -> None:
    client.get("/register")
    before = users(db)
    r = client.post("/register", data=GOOD)
    assert r.status_code == 403
    assert "form has expired" in r.text
    assert users(db) == before


def test_login_page_wrong_password_shows_error(client: TestClient, db: Session) -> None:
    user = make_user(db)
    token = csrf_token(client, "/login")
    r = client.post(
        "/login",
        data={"email": user.email, "password": "nope-nope-nope", "csrf_token": token, "next": "/"},
    )
    assert r.status_code == 401
    assert "Email address or password is not right" in r.text


def test_login_then_logout(client: TestClient, db: Session) -> None:
    user = make_user(db)
    sign_in(client, user.email)
    assert client.get("/dashboard", follow_redirects=False).status_code == 200
    token = csrf_token(client, "/dashboard")
    assert client.post(f"/logout?csrf_token={token}", follow_redirects=False).status_code == 403
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_login_next_cannot_redirect_off_site(client: TestClient, db: Session) -> None:
    user = make_user(db)
    token = csrf_token(client, "/login")
    r = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/steal",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/dashboard"


def test_cli_creates_users_non_interactively(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli import main
    from app.core import config
    from app.core import db as core_db

    monkeypatch.setenv("QIA_DATABASE_URL", database_url)
    for cached in (config.get_settings, core_db.get_engine, core_db.get_sessionmaker):
        cached.cache_clear()
    try:
        assert (
            main(
                [
                    "users",
                    "create",
                    "--email",
                    "cli.trainer@example.nhs.uk",
                    "--name",
                    "Tomasz Nowak",
                    "--role",
                    "trainer",
                    "--password",
                    "lantern-pebble-walnut",
                ]
            )
            == 0
        )
        assert (
            main(
                [
                    "users",
                    "create",
                    "--email",
                    "cli.trainer@example.nhs.uk",
                    "--name",
                    "Again",
                    "--role",
                    "trainer",
                    "--password",
                    "lantern-pebble-walnut",
                ]
            )
            == 1
        )
        assert (
            main(
                [
                    "users",
                    "create",
                    "--email",
                    "weak@example.nhs.uk",
                    "--name",
                    "W",
                    "--role",
                    "learner",
                    "--password",
                    "short",
                ]
            )
            == 2
        )
        with core_db.get_sessionmaker()() as s:
            user = s.scalar(select(User).where(User.email == "cli.trainer@example.nhs.uk"))
            assert user is not None
            from app.accounts.models import UserRole

            roles = set(s.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))
            assert roles == {"learner", "trainer"}
            s.delete(user)
            s.commit()
    finally:
        for cached in (config.get_settings, core_db.get_engine, core_db.get_sessionmaker):
            cached.cache_clear()
