"""Password reset links: asked for from the sign-in page or sent by an admin; single use, expiring."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import LoginAttempt, PasswordReset
from app.core.config import get_settings
from app.core.db import utcnow
from tests.admin.factories import emails_to, person
from tests.factories import PASSWORD, bearer, csrf_token

NEW_PASSWORD = "thistle-saddle-quartz"


def ask(client: TestClient, email: str) -> str:
    token = csrf_token(client, "/forgot-password")
    r = client.post("/forgot-password", data={"csrf_token": token, "email": email})
    assert r.status_code == 200, r.text
    return r.text


def link_in(body: str) -> str:
    found = re.search(r"http://testserver(/reset-password/[A-Za-z0-9_-]+)", body)
    assert found, body
    return found.group(1)


def choose(client: TestClient, path: str, password: str) -> object:
    return client.post(
        path, data={"csrf_token": csrf_token(client, "/login"), "password": password}
    )


def test_sign_in_page_links_to_forgot_password(client: TestClient) -> None:
    assert 'href="/forgot-password"' in client.get("/login").text
    assert "Reset your password" in client.get("/forgot-password").text


def test_forgot_password_answers_the_same_for_known_and_unknown_emails(
    client: TestClient, db: Session
) -> None:
    user = person(db, Role.LEARNER, name="Hana Novak")
    known = ask(client, user.email.upper())
    unknown = ask(client, "nobody-here@example.nhs.uk")
    strip = re.compile(r'value="[0-9a-f]{64}"|nonce-[^"\']+|nonce="[^"]+"|<strong>[^<]*</strong>')
    assert strip.sub("", known) == strip.sub("", unknown)
    assert "Check your email" in known
    [email] = emails_to(db, user.email)
    assert email.subject == "Set a new password for QI Academy"
    assert "Hello Hana Novak" in email.body
    assert "60 minutes" in email.body
    assert emails_to(db, "nobody-here@example.nhs.uk") == []


def test_forgot_password_needs_an_email_address(client: TestClient) -> None:
    token = csrf_token(client, "/forgot-password")
    empty = client.post("/forgot-password", data={"csrf_token": token, "email": ""})
    assert empty.status_code == 422
    assert "Enter your email address" in empty.text
    bad = client.post("/forgot-password", data={"csrf_token": token, "email": "not-an-email"})
    assert bad.status_code == 422
    assert "right format" in bad.text


def test_reset_link_sets_a_new_password_once_and_ends_every_session(
    client: TestClient, db: Session
) -> None:
    user = person(db, Role.LEARNER)
    old_session = bearer(client, user.email)
    ask(client, user.email)
    path = link_in(emails_to(db, user.email)[0].body)
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    done = choose(client, path, NEW_PASSWORD)
    assert done.status_code == 200  # type: ignore[attr-defined]
    assert "Your password has been changed" in done.text  # type: ignore[attr-defined]
    assert client.get("/api/v1/me", headers=old_session).status_code == 401
    assert bearer(client, user.email, NEW_PASSWORD)
    # Used: the same link now says it has expired, and changes nothing.
    again = client.get(path)
    assert again.status_code == 410
    assert "This link has expired" in again.text
    reuse = choose(client, path, "another-pass-phrase")
    assert reuse.status_code == 410  # type: ignore[attr-defined]
    assert bearer(client, user.email, NEW_PASSWORD)


def test_a_weak_password_is_refused_and_the_link_still_works(
    client: TestClient, db: Session
) -> None:
    user = person(db, Role.LEARNER)
    ask(client, user.email)
    path = link_in(emails_to(db, user.email)[0].body)
    weak = choose(client, path, "short")
    assert weak.status_code == 422  # type: ignore[attr-defined]
    assert "at least 10 characters" in weak.text  # type: ignore[attr-defined]
    assert "Error:" in weak.text  # type: ignore[attr-defined]
    assert bearer(client, user.email, PASSWORD)  # unchanged
    assert choose(client, path, NEW_PASSWORD).status_code == 200  # type: ignore[attr-defined]


def test_an_expired_or_made_up_link_is_refused(client: TestClient, db: Session) -> None:
    user = person(db, Role.LEARNER)
    ask(client, user.email)
    path = link_in(emails_to(db, user.email)[0].body)
    db.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get(path).status_code == 410
    assert choose(client, path, NEW_PASSWORD).status_code == 410  # type: ignore[attr-defined]
    assert client.get("/reset-password/made-up-token").status_code == 410
    assert client.get("/reset-password/" + "x" * 500).status_code == 410
    assert bearer(client, user.email, PASSWORD)


def test_only_a_hash_of_the_token_is_stored(client: TestClient, db: Session) -> None:
    user = person(db, Role.LEARNER)
    ask(client, user.email)
    token = link_in(emails_to(db, user.email)[0].body).rsplit("/", 1)[1]
    stored = db.scalars(select(PasswordReset.token_hash)).all()
    assert token not in stored
    assert all(len(h) == 64 for h in stored)


def test_a_new_password_ends_older_links_too(client: TestClient, db: Session) -> None:
    user = person(db, Role.LEARNER)
    ask(client, user.email)
    ask(client, user.email)
    first, second = (link_in(e.body) for e in emails_to(db, user.email))
    assert choose(client, second, NEW_PASSWORD).status_code == 200  # type: ignore[attr-defined]
    assert client.get(first).status_code == 410


def test_self_service_links_are_limited_per_hour(client: TestClient, db: Session) -> None:
    user = person(db, Role.LEARNER)
    for _ in range(5):
        assert "Check your email" in ask(client, user.email)
    assert len(emails_to(db, user.email)) == accounts_service.RESET_MAX_REQUESTS_PER_HOUR


def test_no_link_for_a_deactivated_account(client: TestClient, db: Session) -> None:
    user = person(db, Role.LEARNER)
    accounts_service.set_active(db, user=user, active=False)
    assert "Check your email" in ask(client, user.email)
    assert emails_to(db, user.email) == []


def test_a_reset_clears_failed_sign_ins_so_the_holder_is_not_locked_out(
    client: TestClient, db: Session
) -> None:
    user = person(db, Role.LEARNER)
    for _ in range(get_settings().login_max_failures_per_account):
        client.post(
            "/api/v1/auth/token", data={"username": user.email, "password": "wrong-guess-1"}
        )
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}
        ).status_code
        == 429
    )
    ask(client, user.email)
    assert (
        choose(client, link_in(emails_to(db, user.email)[0].body), NEW_PASSWORD).status_code == 200
    )  # type: ignore[attr-defined]
    assert bearer(client, user.email, NEW_PASSWORD)
    assert (
        db.scalar(
            select(LoginAttempt.id).where(
                LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)
            )
        )
        is None
    )
