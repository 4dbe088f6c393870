"""Cohorts and their trainers: create a cohort, its invite link, co-trainers, lists and views."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ScalarSelect, and_, func, select
from sqlalchemy.orm import Session, joinedload

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.audit import service as audit_service
from app.cohorts.exceptions import CohortNotFound
from app.cohorts.models import Cohort, CohortTrainer, Enrolment
from app.cohorts.schemas import (
    MAX_CO_TRAINERS,
    CohortCreate,
    CohortPublic,
    CohortSummary,
    CohortTrainerView,
    TrainerPublic,
)
from app.core.db import as_utc, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.timefmt import LONDON

TRAINER_ROLES = (Role.TRAINER, Role.LEADER, Role.ADMIN)
# Invite codes are typed from slides and emails: no 0/O or 1/I/L to confuse.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 10


def new_invite_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


def _invite_expiry(cohort: Cohort) -> datetime:
    """Invites work until the end of the cohort's last day, UK time."""
    midnight = datetime.combine(cohort.ends_on + timedelta(days=1), time(0), tzinfo=LONDON)
    return midnight.astimezone(UTC)


def create_cohort(session: Session, *, data: CohortCreate, creator: User) -> Cohort:
    """A new cohort led by its creator, with co-trainers who must already be trainers."""
    co_trainers = _trainer_users(session, emails=data.co_trainers, exclude=creator.id)
    org = accounts_service.get_or_create_organisation(session, name=data.organisation)
    now = utcnow()
    cohort = Cohort(
        name=data.name,
        kind=data.kind,
        organisation_id=org.id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        capacity=data.capacity,
        attendance_required=data.attendance_required,
        invite_code=new_invite_code(),
        created_by_id=creator.id,
        created_at=now,
    )
    cohort.invite_expires_at = _invite_expiry(cohort)
    cohort.organisation = org
    cohort.trainers = [CohortTrainer(user_id=creator.id, role="lead", added_at=now)] + [
        CohortTrainer(user_id=u.id, role="co", added_at=now) for u in co_trainers
    ]
    session.add(cohort)
    session.flush()
    audit_service.record(
        session,
        actor_id=creator.id,
        action="cohort.create",
        target_type="cohort",
        target_id=cohort.id,
        detail={"name": cohort.name, "co_trainers": [u.id for u in co_trainers]},
    )
    return cohort


def _trainer_users(session: Session, *, emails: Collection[str], exclude: int) -> list[User]:
    wanted = [accounts_service.normalise_email(e) for e in emails]
    found = accounts_service.users_by_email(session, emails=wanted)
    problems = []
    for email in dict.fromkeys(wanted):
        user = found.get(email)
        if user is None:
            problems.append(f"{email} has no QI Academy account")
        elif not user.has_role(*TRAINER_ROLES):
            problems.append(f"{email} is not a trainer (an admin can give them the trainer role)")
    if problems:
        raise InvalidInput("Co-trainers: " + "; ".join(problems) + ".", field="co_trainers")
    return [found[e] for e in dict.fromkeys(wanted) if found[e].id != exclude]


def get_cohort(session: Session, *, cohort_id: int) -> Cohort:
    cohort = session.scalar(
        select(Cohort).options(joinedload(Cohort.organisation)).where(Cohort.id == cohort_id)
    )
    if cohort is None:
        raise CohortNotFound()
    return cohort


def cohort_with_role(
    session: Session, *, cohort_id: int, user_id: int
) -> tuple[Cohort | None, str | None, str | None]:
    """The cohort, this person's trainer role in it and their enrolment status: one query."""
    row = session.execute(
        select(Cohort, CohortTrainer.role, Enrolment.status)
        .options(joinedload(Cohort.organisation))
        .outerjoin(
            CohortTrainer,
            and_(CohortTrainer.cohort_id == Cohort.id, CohortTrainer.user_id == user_id),
        )
        .outerjoin(Enrolment, and_(Enrolment.cohort_id == Cohort.id, Enrolment.user_id == user_id))
        .where(Cohort.id == cohort_id)
    ).first()
    if row is None:
        return None, None, None
    return row[0], row[1], row[2]


def is_trainer_of(session: Session, *, cohort_id: int, user_id: int) -> bool:
    """True for the lead trainer and co-trainers of the cohort."""
    return (
        session.scalar(
            select(CohortTrainer.role).where(
                CohortTrainer.cohort_id == cohort_id, CohortTrainer.user_id == user_id
            )
        )
        is not None
    )


def trainers_of(session: Session, *, cohort_id: int) -> list[TrainerPublic]:
    rows = list(
        session.scalars(
            select(CohortTrainer)
            .where(CohortTrainer.cohort_id == cohort_id)
            .order_by(CohortTrainer.role.desc(), CohortTrainer.added_at)  # lead first
        )
    )
    users = accounts_service.users_by_id(session, user_ids=[r.user_id for r in rows])
    return [
        TrainerPublic(
            user_id=r.user_id,
            full_name=users[r.user_id].full_name,
            email=users[r.user_id].email,
            role=r.role,  # type: ignore[arg-type]
        )
        for r in rows
    ]


def add_co_trainer(session: Session, *, cohort: Cohort, email: str, actor_id: int) -> None:
    """Add an existing trainer to the cohort as a co-trainer."""
    user = _trainer_users(session, emails=[email], exclude=0)[0]
    if session.get(CohortTrainer, (cohort.id, user.id)) is not None:
        raise Conflict(f"{user.email} is already a trainer of this cohort.", field="email")
    trainers = session.scalar(select(func.count()).where(CohortTrainer.cohort_id == cohort.id))
    if (trainers or 0) - 1 >= MAX_CO_TRAINERS:
        raise Conflict(f"A cohort can have at most {MAX_CO_TRAINERS} co-trainers.", field="email")
    if get_enrolment(session, cohort_id=cohort.id, user_id=user.id) is not None:
        raise Conflict(
            f"{user.email} is a learner in this cohort; remove them as a learner first.",
            field="email",
        )
    session.add(CohortTrainer(cohort_id=cohort.id, user_id=user.id, role="co", added_at=utcnow()))
    session.flush()
    audit_service.record(
        session,
        actor_id=actor_id,
        action="cohort.trainer_add",
        target_type="cohort",
        target_id=cohort.id,
        detail={"user_id": user.id},
    )


def remove_co_trainer(session: Session, *, cohort: Cohort, user_id: int, actor_id: int) -> None:
    row = session.get(CohortTrainer, (cohort.id, user_id))
    if row is None:
        raise NotFound("That person is not a trainer of this cohort.")
    if row.role == "lead":
        raise Conflict("The lead trainer cannot be removed from their own cohort.")
    session.delete(row)
    session.flush()
    audit_service.record(
        session,
        actor_id=actor_id,
        action="cohort.trainer_remove",
        target_type="cohort",
        target_id=cohort.id,
        detail={"user_id": user_id},
    )


def reset_invite(session: Session, *, cohort: Cohort) -> None:
    """A new invite code: the old link stops working at once."""
    cohort.invite_code = new_invite_code()
    cohort.invite_expires_at = _invite_expiry(cohort)
    session.flush()


def _learner_count() -> ScalarSelect[int]:
    return (
        select(func.count())
        .where(Enrolment.cohort_id == Cohort.id, Enrolment.status == "active")
        .correlate(Cohort)
        .scalar_subquery()
    )


def cohorts_for_trainer(session: Session, *, user_id: int) -> list[CohortSummary]:
    """The cohorts this person leads or co-trains, newest first, with learner counts: one query."""
    rows = session.execute(
        select(Cohort, CohortTrainer.role, _learner_count())
        .join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
        .where(CohortTrainer.user_id == user_id)
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    )
    return [_summary(c, role, n) for c, role, n in rows]


def cohorts_for_learner(session: Session, *, user_id: int) -> list[CohortSummary]:
    """The cohorts this person is an active learner in, newest first: one query."""
    rows = session.execute(
        select(Cohort, _learner_count())
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.user_id == user_id, Enrolment.status == "active")
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    )
    return [_summary(c, "learner", n) for c, n in rows]


def other_cohorts_of(session: Session, *, user_id: int, cohort_id: int) -> list[CohortSummary]:
    """The other cohorts this trainer runs: where they may move a learner of `cohort_id`."""
    return [c for c in cohorts_for_trainer(session, user_id=user_id) if c.id != cohort_id]


def _summary(cohort: Cohort, role: str, learners: int) -> CohortSummary:
    return CohortSummary(
        id=cohort.id,
        name=cohort.name,
        kind=cohort.kind,  # type: ignore[arg-type]
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        capacity=cohort.capacity,
        learners=learners,
        role=role,  # type: ignore[arg-type]
    )


def active_count(session: Session, *, cohort_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Enrolment.cohort_id == cohort_id, Enrolment.status == "active"
            )
        )
        or 0
    )


def cohort_public(session: Session, *, cohort: Cohort) -> CohortPublic:
    return CohortPublic(
        id=cohort.id,
        name=cohort.name,
        kind=cohort.kind,  # type: ignore[arg-type]
        organisation=cohort.organisation.name if cohort.organisation else None,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        capacity=cohort.capacity,
        attendance_required=cohort.attendance_required,
        learners=active_count(session, cohort_id=cohort.id),
        trainers=trainers_of(session, cohort_id=cohort.id),
    )


def trainer_view(session: Session, *, cohort: Cohort) -> CohortTrainerView:
    return CohortTrainerView(
        **cohort_public(session, cohort=cohort).model_dump(),
        invite_code=cohort.invite_code,
        invite_expires_at=as_utc(cohort.invite_expires_at),
    )


def get_enrolment(
    session: Session, *, cohort_id: int, user_id: int, active_only: bool = True
) -> Enrolment | None:
    """This person's enrolment in the cohort (here, not in membership: a co-trainer must not be
    one of its learners)."""
    query = select(Enrolment).where(Enrolment.cohort_id == cohort_id, Enrolment.user_id == user_id)
    if active_only:
        query = query.where(Enrolment.status == "active")
    return session.scalar(query)


def lock_cohort(session: Session, *, cohort_id: int) -> Cohort:
    """Load the cohort locked for update, so two joins cannot both take the last place."""
    cohort = session.scalar(
        select(Cohort)
        .options(joinedload(Cohort.organisation))
        .where(Cohort.id == cohort_id)
        .with_for_update(of=Cohort)
        .execution_options(populate_existing=True)
    )
    if cohort is None:
        raise CohortNotFound()
    return cohort
