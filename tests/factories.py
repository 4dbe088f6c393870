"""Small factories and helpers: users, sign-in, CSRF tokens, quiz answers."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.content.registry import RegisteredModule

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def make_user(
    db: Session,
    *,
    email: str | None = None,
    roles: list[Role] | None = None,
    password: str = PASSWORD,
    name: str = "Asha Patel",
) -> User:
    user = accounts_service.create_user(
        db,
        email=email or f"user{next(_seq)}@example.nhs.uk",
        password=password,
        full_name=name,
        organisation="Leeds Teaching Hospitals NHS Trust",
        staff_group="nursing_midwifery",
        roles=roles or [Role.LEARNER],
    )
    db.flush()
    return user


def csrf_token(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    match = re.search(r'csrf_token(?:" value="|=)([0-9a-f]{64})', page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    token = csrf_token(client, "/login")
    r = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/dashboard"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def bearer(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def answers(module: RegisteredModule, *, correct: bool = True) -> dict[str, list[str]]:
    """All right, or all wrong (the first wrong option; for a question with none wrong, an incomplete set)."""
    out: dict[str, list[str]] = {}
    for q in module.source.questions:
        if correct:
            out[q.id] = sorted(q.correct_ids)
        else:
            wrong = [o.id for o in q.options if not o.correct]
            out[q.id] = wrong[:1]
    return out


def sessions_on(db: Session) -> Callable[[], Session]:
    """Sessions on the test's connection, as background jobs open them (each commit a savepoint)."""
    return lambda: Session(
        bind=db.get_bind(),
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=False,
    )


def verification_path(database_url: str, to: str) -> str:
    """The path of the latest email-verification link the outbox holds for `to`."""
    from sqlalchemy import select

    from app.core.db import make_engine
    from app.outbox.models import OutboxMessage

    engine = make_engine(database_url)
    with Session(engine) as session:
        bodies = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.to_address == to)
            .order_by(OutboxMessage.id.desc())
        ).all()
    engine.dispose()
    for body in bodies:
        match = re.search(r"https?://[^/\s]+(/verify-email/\S+)", body)
        if match:
            return match.group(1)
    raise AssertionError(f"no verification email to {to}")


def confirm_email(client: TestClient | httpx.Client, database_url: str, to: str) -> None:
    """Confirm `to` as its owner would: open the emailed link and press the button."""
    path = verification_path(database_url, to)
    page = client.get(path)
    match = re.search(r'csrf_token(?:" value="|=)([0-9a-f]{64})', page.text)
    assert page.status_code == 200, page.text
    assert match, page.text
    done = client.post(path, data={"csrf_token": match.group(1)})
    assert done.status_code == 200, done.text
    assert "Your email address is confirmed" in done.text, done.text
