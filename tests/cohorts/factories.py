"""Cohort factories: trainers, cohorts (through the real service), enrolments, sessions, passes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User
from app.cohorts import service
from app.cohorts.models import Cohort
from app.cohorts.schemas import CohortCreate, SessionCreate, SessionPublic
from app.content.registry import ContentRegistry
from app.progress import service as progress_service
from tests.factories import make_user

_seq = itertools.count(1)


def make_trainer(db: Session, *, name: str = "Tomasz Nowak") -> User:
    return make_user(
        db, roles=[Role.TRAINER], name=name, email=f"trainer{next(_seq)}@example.nhs.uk"
    )


def make_cohort(
    db: Session,
    *,
    lead: User,
    kind: str = "individuals",
    capacity: int = 20,
    attendance_required: int = 75,
    co_trainers: list[str] | None = None,
    name: str | None = None,
) -> Cohort:
    today = date.today()
    cohort = service.create_cohort(
        db,
        data=CohortCreate(
            name=name or f"Silver cohort {next(_seq)}",
            kind=kind,  # type: ignore[arg-type]
            organisation="Leeds Teaching Hospitals NHS Trust",
            starts_on=today,
            ends_on=today + timedelta(days=120),
            capacity=capacity,
            attendance_required=attendance_required,
            co_trainers=co_trainers or [],
        ),
        creator=lead,
    )
    db.flush()
    return cohort


def enrol(db: Session, cohort: Cohort, *users: User) -> None:
    for user in users:
        service.join_by_code(db, code=cohort.invite_code, user=user)
    db.flush()


def make_learner(db: Session, cohort: Cohort | None = None, *, name: str = "Asha Patel") -> User:
    user = make_user(db, name=name)
    if cohort is not None:
        enrol(db, cohort, user)
    return user


def make_session(
    db: Session, cohort: Cohort, *, title: str = "Workshop 1", days: int = 7
) -> SessionPublic:
    start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=days)
    return service.create_session(
        db,
        cohort=cohort,
        data=SessionCreate(
            title=title,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            venue="Room 4, Education Centre",
            online_url=None,
        ),
    )


def pass_silver(
    db: Session, registry: ContentRegistry, user: User, *, count: int | None = None
) -> None:
    """Record a pass of the first `count` Silver modules (all by default), as the quiz would."""
    rows = progress_service.rows_for(db, user_id=user.id)
    for module in registry.tier("silver")[:count]:
        progress_service.record_quiz_result(
            db, user_id=user.id, module=module, score=90, passed=True, rows=rows
        )
    db.flush()
