"""xAPI: an organisation's LRS (saved by admins), learners' opaque names, statements queued.

Statements are queued as outbox tasks (kind `xapi.statement`) in the transaction of the action they
describe, complete with their id and timestamp, so they leave only if it commits and a retry
sends the same statement again (an LRS keeps one statement per id).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.audit import service as audit
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import NotFound
from app.outbox import tasks
from app.outbox.models import OutboxTask
from app.xapi import crypto
from app.xapi.models import LrsConnection, XapiActor
from app.xapi.schemas import LrsCreate, LrsPublic, LrsUpdate, OrganisationLrs
from app.xapi.statements import Actor

KIND = "xapi.statement"


# ---- the organisation's LRS ----------------------------------------------------------------------


def connection_for(session: Session, *, organisation_id: int) -> LrsConnection | None:
    return session.get(LrsConnection, organisation_id)


def _counts(session: Session, organisation_id: int) -> dict[str, int]:
    rows = session.execute(
        select(OutboxTask.status, func.count())
        .where(
            OutboxTask.kind == KIND,
            OutboxTask.payload["organisation_id"].as_integer() == organisation_id,
        )
        .group_by(OutboxTask.status)
    ).all()
    found = {str(status): int(n) for status, n in rows}
    return {s: found.get(s, 0) for s in ("pending", "sent", "failed")}


def to_public(session: Session, lrs: LrsConnection, *, organisation: str) -> LrsPublic:
    return LrsPublic(
        organisation_id=lrs.organisation_id,
        organisation=organisation,
        endpoint=lrs.endpoint,
        username=lrs.username,
        send_email=lrs.send_email,
        enabled=lrs.enabled,
        updated_at=lrs.updated_at,
        **_counts(session, lrs.organisation_id),
    )


def list_organisations(session: Session) -> list[OrganisationLrs]:
    """Every organisation, with its LRS where it has one (the admin list)."""
    saved = {c.organisation_id: c for c in session.scalars(select(LrsConnection))}
    out = []
    for org, _count in accounts_service.organisations_with_counts(session):
        lrs = saved.get(org.id)
        public = to_public(session, lrs, organisation=org.name) if lrs else None
        out.append(OrganisationLrs(organisation_id=org.id, organisation=org.name, lrs=public))
    return out


def save_connection(
    session: Session,
    *,
    actor: User,
    organisation_id: int,
    data: LrsCreate | LrsUpdate,
    settings: Settings,
) -> LrsConnection:
    """Add or change an organisation's LRS; an empty password on a change keeps the saved one."""
    org = accounts_service.get_organisation(session, organisation_id=organisation_id)
    lrs = connection_for(session, organisation_id=org.id)
    now = utcnow()
    if lrs is None:
        if not isinstance(data, LrsCreate):
            raise NotFound("This organisation has no learning record store yet. Add one first.")
        lrs = LrsConnection(organisation_id=org.id, created_at=now)
        session.add(lrs)
    values: dict[str, Any] = data.model_dump(exclude_none=True)
    password = values.pop("password", None)
    if password:
        lrs.password_encrypted = crypto.seal(password, settings)
    for field, value in values.items():
        setattr(lrs, field, value)
    lrs.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="xapi.lrs_saved",
        target_type="organisation",
        target_id=org.id,
        detail={"endpoint": lrs.endpoint, "enabled": lrs.enabled, "send_email": lrs.send_email},
    )
    return lrs


# ---- learners and statements ---------------------------------------------------------------------


def actor_name(session: Session, *, user_id: int) -> str:
    """The learner's opaque name in statements: made once, then always the same."""
    existing = session.get(XapiActor, user_id)
    if existing is not None:
        return existing.name
    row = XapiActor(user_id=user_id, name=str(uuid.uuid4()), created_at=utcnow())
    session.add(row)
    session.flush()
    return row.name


def destination(
    session: Session, *, user_id: int, settings: Settings
) -> tuple[LrsConnection, Actor] | None:
    """Where this learner's statements go and how they are named there; None if nowhere."""
    user = accounts_service.get_user(session, user_id=user_id)
    if user.organisation_id is None or user.deleted_at is not None:
        return None
    lrs = connection_for(session, organisation_id=user.organisation_id)
    if lrs is None or not lrs.enabled:
        return None
    name = actor_name(session, user_id=user_id)
    email = user.email if lrs.send_email else None
    return lrs, Actor(home_page=settings.base_url, name=name, email=email)


def queue(session: Session, *, lrs: LrsConnection, user_id: int, statement: dict[str, Any]) -> None:
    """Queue one statement for after the commit; a statement id already queued is left alone."""
    key = statement["id"]
    already = session.scalar(
        select(OutboxTask.id).where(OutboxTask.kind == KIND, OutboxTask.key == key)
    )
    if already is not None:  # a register saved twice: its statement is queued (or sent) once
        return
    payload = {"organisation_id": lrs.organisation_id, "statement": statement}
    tasks.enqueue_task(session, kind=KIND, key=key, payload=payload, user_id=user_id)
