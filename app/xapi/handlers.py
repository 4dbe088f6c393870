"""What xAPI does when other domains say something happened: queue the statements that say so.

Each handler runs in the publishing request's transaction and does nothing for a learner whose
organisation has no LRS switched on. Statement ids are made here, at event time: a random one for
a moment that happens once (a quiz attempt), a name-based one (uuid5) where the same fact can be
told twice (a register saved again, a credential), so the LRS still holds it once.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.accounts.events import AccountAnonymised
from app.cohorts import service as cohorts_service
from app.cohorts.events import AttendanceRecorded
from app.content import service as content_service
from app.content.registry import current
from app.core.config import get_settings
from app.core.db import utcnow
from app.credentials import service as credentials_service
from app.credentials.events import CredentialIssued
from app.outbox import tasks
from app.progress.events import ModuleStarted
from app.quizzes.events import ModulePassed, QuizAttempted
from app.xapi import service
from app.xapi import statements as st
from app.xapi.models import XapiActor

# Names statement ids made from facts (uuid5); fixed forever, or ids would change meaning.
_NAMESPACE = uuid.UUID("6f1d7c3a-52a8-4f0e-9a43-8d0c2b7e4a19")


def _module(slug: str) -> tuple[str, str]:
    found = current().get(slug)
    return (found.meta.title, found.tier) if found else (slug, "bronze")


def on_module_started(session: Session, event: ModuleStarted) -> None:
    """launched: the learner opened a module for the first time."""
    settings = get_settings()
    found = service.destination(session, user_id=event.user_id, settings=settings)
    if found is None:
        return
    lrs, actor = found
    title, _ = _module(event.slug)
    base = settings.base_url
    tier = st.tier_activity(base, tier=event.tier, name=content_service.tier_name(event.tier))
    doc = st.statement(
        actor=actor,
        verb=st.Verb.LAUNCHED,
        activity=st.module_activity(base, slug=event.slug, title=title),
        timestamp=utcnow(),
        grouping=tier,
    )
    service.queue(session, lrs=lrs, user_id=event.user_id, statement=doc)


def on_quiz_attempted(session: Session, event: QuizAttempted) -> None:
    """attempted, then passed or failed (with the score), for every quiz submission."""
    settings = get_settings()
    found = service.destination(session, user_id=event.user_id, settings=settings)
    if found is None:
        return
    lrs, actor = found
    title, _ = _module(event.slug)
    base = settings.base_url
    quiz = st.quiz_activity(base, slug=event.slug, title=title)
    module = st.module_activity(base, slug=event.slug, title=title)
    now = utcnow()
    attempted = st.statement(
        actor=actor, verb=st.Verb.ATTEMPTED, activity=quiz, timestamp=now, parent=module
    )
    outcome = st.statement(
        actor=actor,
        verb=st.Verb.PASSED if event.passed else st.Verb.FAILED,
        activity=quiz,
        timestamp=now,
        parent=module,
        result=st.score_result(score=event.score, passed=event.passed),
    )
    for doc in (attempted, outcome):
        service.queue(session, lrs=lrs, user_id=event.user_id, statement=doc)


def on_module_passed(session: Session, event: ModulePassed) -> None:
    """completed: a quiz pass completed the module."""
    settings = get_settings()
    found = service.destination(session, user_id=event.user_id, settings=settings)
    if found is None:
        return
    lrs, actor = found
    title, _ = _module(event.slug)
    base = settings.base_url
    result = {**st.score_result(score=event.score, passed=True), "completion": True}
    doc = st.statement(
        actor=actor,
        verb=st.Verb.COMPLETED,
        activity=st.module_activity(base, slug=event.slug, title=title),
        timestamp=utcnow(),
        result=result,
        grouping=st.tier_activity(
            base, tier=event.tier, name=content_service.tier_name(event.tier)
        ),
        statement_id=uuid.uuid5(_NAMESPACE, f"completed:{event.module_id}:{event.user_id}"),
    )
    service.queue(session, lrs=lrs, user_id=event.user_id, statement=doc)


def on_attendance_recorded(session: Session, event: AttendanceRecorded) -> None:
    """attended: for each learner the register marks present at the session."""
    settings = get_settings()
    marked = set(event.user_ids)
    present = [
        row.user_id
        for row in cohorts_service.register_for(
            session, cohort_id=event.cohort_id, session_id=event.session_id
        )
        if row.status == "present" and row.user_id in marked
    ]
    if not present:
        return
    workshop = cohorts_service.get_session(
        session, cohort_id=event.cohort_id, session_id=event.session_id
    )
    activity = st.session_activity(
        settings.base_url,
        cohort_id=event.cohort_id,
        session_id=event.session_id,
        title=workshop.title,
    )
    for user_id in present:
        found = service.destination(session, user_id=user_id, settings=settings)
        if found is None:
            continue
        lrs, actor = found
        doc = st.statement(
            actor=actor,
            verb=st.Verb.ATTENDED,
            activity=activity,
            timestamp=workshop.starts_at,
            statement_id=uuid.uuid5(_NAMESPACE, f"attended:{event.session_id}:{user_id}"),
        )
        service.queue(session, lrs=lrs, user_id=user_id, statement=doc)


def on_credential_issued(session: Session, event: CredentialIssued) -> None:
    """earned: a credential (Bronze, Silver, Gold) was issued to the learner."""
    settings = get_settings()
    found = service.destination(session, user_id=event.user_id, settings=settings)
    if found is None:
        return
    lrs, actor = found
    achievement = credentials_service.achievement(event.achievement)
    doc = st.statement(
        actor=actor,
        verb=st.Verb.EARNED,
        activity=st.achievement_activity(
            settings.base_url, slug=achievement.slug, name=achievement.name
        ),
        timestamp=utcnow(),
        statement_id=uuid.uuid5(_NAMESPACE, f"earned:{event.credential_id}"),
    )
    service.queue(session, lrs=lrs, user_id=event.user_id, statement=doc)


def on_account_deleted(session: Session, event: AccountAnonymised) -> None:
    """Forget the learner's opaque name and any statement not yet sent: they hold their record."""
    tasks.forget_user(session, user_id=event.user_id)
    session.execute(delete(XapiActor).where(XapiActor.user_id == event.user_id))
