"""Gold test factories: Silver holders, passed Gold modules, cohorts with trainers and learners."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.cohorts.models import Cohort, CohortTrainer, Enrolment
from app.content.registry import ContentRegistry
from app.core.db import utcnow
from app.credentials import service as credentials_service
from app.credentials.models import Credential
from app.gold import service as gold_service
from app.gold.models import GoldCandidacy, GoldCertification
from app.gold.schemas import DecisionCreate, ObservationCreate
from app.progress import service as progress_service
from tests.factories import PASSWORD

_seq = itertools.count(1)


def person(
    db: Session,
    *,
    roles: list[Role] | None = None,
    name: str = "Asha Patel",
    organisation: str = "Leeds Teaching Hospitals NHS Trust",
    staff_group: str = "nursing_midwifery",
) -> User:
    user = accounts_service.create_user(
        db,
        email=f"gold{next(_seq)}-{uuid.uuid4().hex[:6]}@example.nhs.uk",
        password=PASSWORD,
        full_name=name,
        organisation=organisation,
        staff_group=staff_group,
        roles=roles or [Role.LEARNER],
    )
    db.flush()
    return user


def quick_credential(
    db: Session, *, user: User, achievement: str, awarded_at: datetime | None = None
) -> Credential:
    """A credential row without signing (for reports and lineage counts)."""
    at = awarded_at or utcnow()
    row = Credential(
        id=uuid.uuid4(),
        user_id=user.id,
        achievement=achievement,
        status="active",
        holder_name=user.full_name,
        issued_at=at,
        awarded_at=at,
        modules=[],
        document={},
        jwt="",
    )
    db.add(row)
    db.flush()
    return row


def silver_holder(db: Session, registry: ContentRegistry, **kwargs: object) -> User:
    user = person(db, **kwargs)  # type: ignore[arg-type]
    credentials_service.issue(db, user_id=user.id, achievement_slug="silver", registry=registry)
    db.flush()
    return user


def pass_gold_modules(db: Session, registry: ContentRegistry, user: User) -> None:
    rows = progress_service.rows_for(db, user_id=user.id)
    for module in registry.tier("gold"):
        progress_service.record_quiz_result(
            db, user_id=user.id, module=module, score=100, passed=True, rows=rows
        )


def cohort(
    db: Session,
    *,
    lead: User,
    co: list[User] | None = None,
    learners: list[User] | None = None,
    removed: list[User] | None = None,
    starts_on: date | None = None,
    name: str | None = None,
) -> Cohort:
    n = next(_seq)
    starts = starts_on or (utcnow().date() - timedelta(days=10))
    now = utcnow()
    row = Cohort(
        name=name or f"Silver cohort {n}",
        kind="individuals",
        starts_on=starts,
        ends_on=starts + timedelta(days=120),
        capacity=30,
        attendance_required=75,
        invite_code=f"gold{n}{uuid.uuid4().hex[:8]}",
        invite_expires_at=now + timedelta(days=30),
        created_at=now,
    )
    db.add(row)
    db.flush()
    db.add(CohortTrainer(cohort_id=row.id, user_id=lead.id, role="lead", added_at=now))
    for c in co or []:
        db.add(CohortTrainer(cohort_id=row.id, user_id=c.id, role="co", added_at=now))
    for learner in learners or []:
        db.add(Enrolment(cohort_id=row.id, user_id=learner.id, status="active", enrolled_at=now))
    for learner in removed or []:
        db.add(
            Enrolment(
                cohort_id=row.id,
                user_id=learner.id,
                status="removed",
                enrolled_at=now,
                removed_at=now,
            )
        )
    db.flush()
    return row


def observation(*, all_met: bool = True) -> ObservationCreate:
    return ObservationCreate(
        observed_on=utcnow().date(),
        planning="met",
        facilitation="exceeded",
        content_accuracy="met",
        inclusion="met" if all_met else "not_yet_met",
        feedback="met",
        notes="Clear session plan; good use of a run chart exercise.",
    )


def ready_candidate(
    db: Session, registry: ContentRegistry, **kwargs: object
) -> tuple[User, GoldCandidacy, User]:
    """A Silver holder with every piece of Gold evidence in place; returns (candidate, candidacy, leader)."""
    candidate = silver_holder(db, registry, **kwargs)
    leader = person(db, roles=[Role.LEADER], name="Lena Leader")
    trainer = person(db, roles=[Role.TRAINER], name="Tom Trainer")
    candidacy = gold_service.apply(db, user=candidate)
    pass_gold_modules(db, registry, candidate)
    cohort(db, lead=trainer, co=[candidate])
    gold_service.record_observation(db, candidacy=candidacy, observer=leader, data=observation())
    return candidate, candidacy, leader


def certify(
    db: Session, registry: ContentRegistry, **kwargs: object
) -> tuple[User, GoldCertification, User]:
    candidate, candidacy, leader = ready_candidate(db, registry, **kwargs)
    cert = gold_service.decide(
        db,
        candidacy=candidacy,
        leader=leader,
        data=DecisionCreate(decision="certify", reasons="Strong, inclusive facilitation."),
        registry=registry,
    )
    assert cert is not None
    return candidate, cert, leader
