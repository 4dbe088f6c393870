"""Admin test helpers: people in each role, signed in by cookie or by Bearer token."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User
from app.outbox.models import OutboxMessage
from tests.factories import bearer, make_user, sign_in

_seq = itertools.count(1)
NAMES = {
    Role.LEARNER: "Grace Mensah",
    Role.TRAINER: "Tomasz Nowak",
    Role.LEADER: "Priya Shah",
    Role.ADMIN: "Morgan Ellis",
}


def person(db: Session, role: Role, *, name: str | None = None) -> User:
    return make_user(
        db,
        roles=[role],
        name=name or NAMES[role],
        email=f"{role.value}{next(_seq)}@example.nhs.uk",
    )


def admin_signed_in(client: TestClient, db: Session) -> User:
    admin = person(db, Role.ADMIN)
    sign_in(client, admin.email)
    return admin


def admin_api(client: TestClient, db: Session) -> tuple[User, dict[str, str]]:
    admin = person(db, Role.ADMIN)
    return admin, bearer(client, admin.email)


def emails_to(db: Session, address: str) -> list[OutboxMessage]:
    return list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id)
        )
    )
