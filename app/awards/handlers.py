"""Awards listens: each event that could complete a tier is checked against that tier's rule."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.events import EmailVerified
from app.awards import bronze, gold, silver
from app.cohorts.events import AttendanceRecorded
from app.content.registry import current
from app.gold.events import CertificationDecided
from app.projects.events import ProjectSignedOff
from app.quizzes.events import ModulePassed


def on_module_passed(session: Session, event: ModulePassed) -> None:
    """The pass that completes the last Bronze module earns Bronze at once; a Silver module
    passed last (after attendance and sign-off) completes Silver there and then."""
    if event.tier == "bronze":
        bronze.award_if_earned(session, user_id=event.user_id, tier="bronze", registry=current())
    elif event.tier == "silver":
        silver.check_learner(session, user_id=event.user_id, registry=current())


def on_attendance_recorded(session: Session, event: AttendanceRecorded) -> None:
    silver.check_completion(
        session,
        cohort_id=event.cohort_id,
        user_ids=event.user_ids,
        registry=current(),
        actor_id=event.actor_id,
    )


def on_project_signed_off(session: Session, event: ProjectSignedOff) -> None:
    silver.check_completion(
        session,
        cohort_id=event.cohort_id,
        user_ids=event.user_ids,
        registry=current(),
        actor_id=event.actor_id,
    )


def on_certification_decided(session: Session, event: CertificationDecided) -> None:
    if event.certified and event.certification_id is not None:
        gold.award(
            session,
            user_id=event.user_id,
            certification_id=event.certification_id,
            renewal=event.renewal,
            actor_id=event.actor_id,
            registry=current(),
        )


def on_email_verified(session: Session, event: EmailVerified) -> None:
    """An address was confirmed for the first time: issue what was waiting for it."""
    if not event.first:
        return
    registry = current()
    bronze.award_if_earned(session, user_id=event.user_id, tier="bronze", registry=registry)
    silver.check_learner(session, user_id=event.user_id, registry=registry)
