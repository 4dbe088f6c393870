"""Workshop sessions of a cohort: schedule, list and cancel them (times without a zone are UK time)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.cohorts.models import Attendance, Cohort, WorkshopSession
from app.cohorts.schemas import SessionCreate, SessionPublic
from app.core.db import as_utc, utcnow
from app.core.errors import NotFound
from app.core.timefmt import LONDON


def _session_public(s: WorkshopSession) -> SessionPublic:
    return SessionPublic(
        id=s.id,
        cohort_id=s.cohort_id,
        title=s.title,
        starts_at=as_utc(s.starts_at),
        ends_at=as_utc(s.ends_at),
        venue=s.venue,
        online_url=s.online_url,
    )


def _utc(value: datetime) -> datetime:
    """Times without a zone are UK local times (what a trainer in England types)."""
    aware = value if value.tzinfo else value.replace(tzinfo=LONDON)
    return aware.astimezone(UTC)


def create_session(session: Session, *, cohort: Cohort, data: SessionCreate) -> SessionPublic:
    row = WorkshopSession(
        cohort_id=cohort.id,
        title=data.title,
        starts_at=_utc(data.starts_at),
        ends_at=_utc(data.ends_at),
        venue=data.venue or None,
        online_url=str(data.online_url) if data.online_url else None,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return _session_public(row)


def sessions_for(session: Session, *, cohort_id: int) -> list[SessionPublic]:
    return [
        _session_public(s)
        for s in session.scalars(
            select(WorkshopSession)
            .where(WorkshopSession.cohort_id == cohort_id)
            .order_by(WorkshopSession.starts_at, WorkshopSession.id)
        )
    ]


def get_session(session: Session, *, cohort_id: int, session_id: int) -> SessionPublic:
    row = session.scalar(
        select(WorkshopSession).where(
            WorkshopSession.id == session_id, WorkshopSession.cohort_id == cohort_id
        )
    )
    if row is None:
        raise NotFound("This cohort has no such session. Choose one from the sessions list.")
    return _session_public(row)


def delete_session(session: Session, *, cohort: Cohort, session_id: int) -> None:
    """Cancel a session; its register goes with it."""
    get_session(session, cohort_id=cohort.id, session_id=session_id)
    session.execute(
        delete(WorkshopSession).where(
            WorkshopSession.id == session_id, WorkshopSession.cohort_id == cohort.id
        )
    )
    session.flush()


def session_counts(session: Session, *, cohort_id: int, now: datetime) -> tuple[int, int]:
    """(planned, held so far): every session of the cohort, and those that have started by `now`
    or already have a register (a trainer may take it at the door, a minute early)."""
    registered = (
        select(Attendance.session_id)
        .where(Attendance.cohort_id == cohort_id, Attendance.session_id == WorkshopSession.id)
        .exists()
    )
    held_filter = (WorkshopSession.starts_at <= now) | registered
    planned, held = session.execute(
        select(func.count(), func.count().filter(held_filter)).where(
            WorkshopSession.cohort_id == cohort_id
        )
    ).one()
    return int(planned or 0), int(held or 0)


def session_count(session: Session, *, cohort_id: int) -> int:
    return int(
        session.scalar(select(func.count()).where(WorkshopSession.cohort_id == cohort_id)) or 0
    )
