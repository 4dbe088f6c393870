"""The register of a workshop session: marks per learner, AttendanceRecorded, and attendance counts."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.cohorts.events import AttendanceRecorded
from app.cohorts.models import Attendance, Cohort, Enrolment
from app.cohorts.schemas import RegisterRow
from app.cohorts.sessions import get_session
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.core.events import publish


def register_for(session: Session, *, cohort_id: int, session_id: int) -> list[RegisterRow]:
    """Every active learner with their mark for this session (None if not yet marked)."""
    rows = list(
        session.execute(
            select(Enrolment.user_id, Attendance.status)
            .outerjoin(
                Attendance,
                and_(
                    Attendance.enrolment_id == Enrolment.id,
                    Attendance.session_id == session_id,
                ),
            )
            .where(Enrolment.cohort_id == cohort_id, Enrolment.status == "active")
        )
    )
    users = accounts_service.users_by_id(session, user_ids=[u for u, _ in rows])
    out = [
        RegisterRow(user_id=u, full_name=users[u].full_name, status=status)  # type: ignore[arg-type]
        for u, status in rows
    ]
    return sorted(out, key=lambda r: (r.full_name.casefold(), r.user_id))


def record_attendance(
    session: Session,
    *,
    cohort: Cohort,
    session_id: int,
    marks: Mapping[int, str],
    actor_id: int,
) -> list[RegisterRow]:
    """Save the register: present or absent per learner, replacing earlier marks.

    Publishes AttendanceRecorded, on which awards decides who has now completed Silver.
    """
    get_session(session, cohort_id=cohort.id, session_id=session_id)
    enrolments = {
        int(user_id): int(enrolment_id)
        for user_id, enrolment_id in session.execute(
            select(Enrolment.user_id, Enrolment.id).where(
                Enrolment.cohort_id == cohort.id, Enrolment.status == "active"
            )
        )
    }
    strangers = [u for u in marks if u not in enrolments]
    if strangers:
        raise InvalidInput(
            f"These people are not learners in this cohort: {', '.join(map(str, strangers))}.",
            field="marks",
        )
    bad = {s for s in marks.values() if s not in ("present", "absent")}
    if bad:
        raise InvalidInput("Mark each learner present or absent.", field="marks")
    existing = {
        a.enrolment_id: a
        for a in session.scalars(select(Attendance).where(Attendance.session_id == session_id))
    }
    now = utcnow()
    for user_id, status in marks.items():
        enrolment_id = enrolments[user_id]
        row = existing.get(enrolment_id)
        if row is None:
            session.add(
                Attendance(
                    session_id=session_id,
                    enrolment_id=enrolment_id,
                    cohort_id=cohort.id,
                    status=status,
                    recorded_by_id=actor_id,
                    recorded_at=now,
                )
            )
        elif row.status != status:
            row.status, row.recorded_by_id, row.recorded_at = status, actor_id, now
    session.flush()
    publish(
        session,
        AttendanceRecorded(
            cohort_id=cohort.id, session_id=session_id, user_ids=tuple(marks), actor_id=actor_id
        ),
    )
    return register_for(session, cohort_id=cohort.id, session_id=session_id)


def attended_counts(
    session: Session, *, cohort_id: int, user_ids: Collection[int]
) -> dict[int, int]:
    """Sessions each learner was marked present at, counted in SQL."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(Enrolment.user_id, func.count())
        .join(Attendance, Attendance.enrolment_id == Enrolment.id)
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.user_id.in_(list(user_ids)),
            Attendance.status == "present",
        )
        .group_by(Enrolment.user_id)
    )
    return {int(u): int(n) for u, n in rows}
