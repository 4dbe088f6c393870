"""Credential test helpers: complete Bronze modules, pass the last quiz, read downloads."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User
from app.content.registry import ContentRegistry
from app.credentials.models import Credential
from app.progress import service as progress_service
from tests.factories import answers, bearer, make_user


def complete_modules(
    db: Session,
    *,
    user_id: int,
    registry: ContentRegistry,
    tier: str = "bronze",
    skip_last: bool = False,
) -> None:
    """Pass a tier's quizzes straight through the progress service (no HTTP: setup, not the subject)."""
    modules = registry.tier(tier)
    rows = progress_service.rows_for(db, user_id=user_id)
    for module in modules[:-1] if skip_last else modules:
        progress_service.record_quiz_result(
            db, user_id=user_id, module=module, score=100, passed=True, rows=rows
        )
    db.flush()


def pass_quiz(
    client: TestClient, headers: dict[str, str], *, registry: ContentRegistry, slug: str
) -> Any:
    module = registry.get(slug)
    assert module is not None
    r = client.post(
        f"/api/v1/modules/{slug}/attempts", json={"answers": answers(module)}, headers=headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["passed"] is True
    return r.json()


def earn_bronze(
    client: TestClient,
    db: Session,
    registry: ContentRegistry,
    *,
    name: str = "Siobhán O'Connor",
    roles: list[Role] | None = None,
) -> tuple[User, dict[str, str], dict[str, Any]]:
    """A learner who passes the last Bronze quiz through the API; their credential as listed."""
    user = make_user(db, name=name, roles=roles)
    complete_modules(db, user_id=user.id, registry=registry, skip_last=True)
    headers = bearer(client, user.email)
    pass_quiz(client, headers, registry=registry, slug=registry.tier("bronze")[-1].slug)
    listed = client.get("/api/v1/me/credentials", headers=headers)
    assert listed.status_code == 200, listed.text
    data = listed.json()["data"]
    assert len(data) == 1, data
    return user, headers, data[0]


def credential_count(db: Session, *, user_id: int, status: str | None = None) -> int:
    query = select(func.count()).select_from(Credential).where(Credential.user_id == user_id)
    if status is not None:
        query = query.where(Credential.status == status)
    return db.scalar(query) or 0


def jwt_part(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def path_of(url: str) -> str:
    """The path of an absolute link, for TestClient (the links are absolute, on QIA_BASE_URL)."""
    assert url.startswith("http://testserver/"), url
    return url.removeprefix("http://testserver")
