"""Record privileged actions (role changes, certifications, revocations, imports, deletions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.core.db import utcnow


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: str | int,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit entry in the caller's unit of work: it commits, or rolls back, with the action."""
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail or {},
        created_at=utcnow(),
    )
    session.add(event)
    session.flush()
    return event


def recent(session: Session, *, limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def page(
    session: Session, *, limit: int, offset: int = 0, action: str | None = None
) -> tuple[list[AuditEvent], int]:
    """A page of the log, newest first, optionally one kind of action; and how many match in all."""
    conditions = [AuditEvent.action == action] if action else []
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    events = session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(events), int(total)


def actions(session: Session) -> list[str]:
    """Every kind of action the log holds, for filtering."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def about(session: Session, *, target_type: str, target_id: str | int) -> list[AuditEvent]:
    """Everything recorded about one target, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == target_type, AuditEvent.target_id == str(target_id))
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )
