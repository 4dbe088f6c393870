"""Feedback: rate completed modules and attended sessions (upsert), summaries, erasure on deletion."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.cohorts import service as cohorts_service
from app.cohorts.schemas import SessionPublic
from app.content.registry import ContentRegistry, RegisteredModule
from app.core.db import as_utc, utcnow
from app.core.errors import Forbidden
from app.feedback.models import ModuleFeedback, SessionFeedback
from app.feedback.schemas import (
    CohortFeedback,
    FeedbackComment,
    FeedbackCreate,
    FeedbackSummary,
    ModuleFeedbackPublic,
    ModuleRating,
    MyFeedback,
    RateableModule,
    RateableSession,
    SessionComment,
    SessionFeedbackPublic,
    SessionRating,
)
from app.progress import service as progress_service

RECENT_COMMENTS = 10
COHORT_COMMENTS = 50


class NotCompleted(Forbidden):
    kind = "NotCompleted"

    def __init__(self) -> None:
        super().__init__("Pass this module's quiz before you rate it.")


def _public(row: ModuleFeedback, slug: str) -> ModuleFeedbackPublic:
    return ModuleFeedbackPublic(
        module=slug,
        rating=row.rating,
        comment=row.comment,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def has_completed(session: Session, *, user_id: int, module: RegisteredModule) -> bool:
    rows = progress_service.rows_for(session, user_id=user_id)
    return progress_service.status_of(rows.get(module.module_id)) == "completed"


def rate_module(
    session: Session, *, user_id: int, module: RegisteredModule, data: FeedbackCreate
) -> ModuleFeedbackPublic:
    """Rate a module the learner has completed; rating it again replaces the earlier rating."""
    if not has_completed(session, user_id=user_id, module=module):
        raise NotCompleted()
    now = utcnow()
    row = _own(session, user_id=user_id, module_id=module.module_id)
    if row is None:
        row = ModuleFeedback(
            user_id=user_id,
            module_id=module.module_id,
            rating=data.rating,
            comment=data.comment,
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # the same learner rating in two tabs at once
            row = _own(session, user_id=user_id, module_id=module.module_id)
            assert row is not None
    row.rating = data.rating
    row.comment = data.comment
    row.updated_at = now
    session.flush()
    return _public(row, module.slug)


def _own(session: Session, *, user_id: int, module_id: int) -> ModuleFeedback | None:
    return session.scalar(
        select(ModuleFeedback).where(
            ModuleFeedback.user_id == user_id, ModuleFeedback.module_id == module_id
        )
    )


def own_rating(
    session: Session, *, user_id: int, module: RegisteredModule
) -> ModuleFeedbackPublic | None:
    row = _own(session, user_id=user_id, module_id=module.module_id)
    return _public(row, module.slug) if row else None


def for_user(
    session: Session, *, user_id: int, registry: ContentRegistry
) -> list[ModuleFeedbackPublic]:
    """Everything one person has rated (for their data export)."""
    rows = session.scalars(
        select(ModuleFeedback)
        .where(ModuleFeedback.user_id == user_id)
        .order_by(ModuleFeedback.created_at, ModuleFeedback.id)
    )
    out = []
    for row in rows:
        module = registry.by_id(row.module_id)
        out.append(_public(row, module.slug if module else f"module-{row.module_id}"))
    return out


def erase_comments_of(session: Session, *, user_id: int) -> int:
    """Remove a deleted account's words; their ratings stay, anonymous, in the averages."""
    erased = 0
    for model in (ModuleFeedback, SessionFeedback):
        result = session.execute(
            update(model)
            .where(model.user_id == user_id, model.comment.is_not(None))
            .values(comment=None)
        )
        erased += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return erased


def module_ratings(
    session: Session, *, registry: ContentRegistry, user_ids: Sequence[int] | None = None
) -> list[ModuleRating]:
    """Every module's count and average, lowest average first, unrated modules last: one query.

    With `user_ids`, only those learners' ratings count (a cohort's learners).
    """
    who = [ModuleFeedback.user_id.in_(user_ids)] if user_ids is not None else []
    stats = {
        module_id: (int(n), float(avg), int(said))
        for module_id, n, avg, said in session.execute(
            select(
                ModuleFeedback.module_id,
                func.count(),
                func.avg(ModuleFeedback.rating),
                func.count(ModuleFeedback.comment),
            )
            .where(*who)
            .group_by(ModuleFeedback.module_id)
        )
    }
    out = []
    for module in registry.all():
        n, avg, said = stats.get(module.module_id, (0, None, 0))
        out.append(
            ModuleRating(
                slug=module.slug,
                title=module.meta.title,
                tier=module.tier,
                ratings=n,
                average=round(avg, 2) if avg is not None else None,
                comments=said,
            )
        )
    order = {m.slug: i for i, m in enumerate(registry.all())}
    out.sort(key=lambda r: (r.average is None, r.average or 0, order[r.slug]))
    return out


def comments(
    session: Session,
    *,
    registry: ContentRegistry,
    module: RegisteredModule | None = None,
    user_ids: Sequence[int] | None = None,
    limit: int = RECENT_COMMENTS,
    offset: int = 0,
) -> tuple[list[FeedbackComment], int]:
    """Comments newest first, for every module or one (and some learners); how many in all."""
    conditions: list[ColumnElement[bool]] = [ModuleFeedback.comment.is_not(None)]
    if module is not None:
        conditions.append(ModuleFeedback.module_id == module.module_id)
    if user_ids is not None:
        conditions.append(ModuleFeedback.user_id.in_(user_ids))
    total = session.scalar(select(func.count()).select_from(ModuleFeedback).where(*conditions))
    rows = session.execute(
        select(
            ModuleFeedback.module_id,
            ModuleFeedback.rating,
            ModuleFeedback.comment,
            ModuleFeedback.updated_at,
        )
        .where(*conditions)
        .order_by(ModuleFeedback.updated_at.desc(), ModuleFeedback.id.desc())
        .limit(limit)
        .offset(offset)
    )
    out = []
    for module_id, rating, comment, updated_at in rows:
        m = registry.by_id(module_id)
        if m is None:
            continue
        out.append(
            FeedbackComment(
                module_slug=m.slug,
                module_title=m.meta.title,
                rating=rating,
                comment=comment,
                updated_at=as_utc(updated_at),
            )
        )
    return out, int(total or 0)


def summary(session: Session, *, registry: ContentRegistry) -> FeedbackSummary:
    recent, _ = comments(session, registry=registry)
    return FeedbackSummary(
        modules=module_ratings(session, registry=registry), recent_comments=recent
    )


# ---- workshop sessions -------------------------------------------------------------------------


class NotInCohort(Forbidden):
    kind = "NotInCohort"

    def __init__(self) -> None:
        super().__init__("Only learners in this cohort can rate its workshop sessions.")


class SessionNotStarted(Forbidden):
    kind = "SessionNotStarted"

    def __init__(self) -> None:
        super().__init__("You can rate this workshop session once it has started.")


def rateable_session(
    session: Session, *, user_id: int, cohort_id: int, session_id: int
) -> SessionPublic:
    """The session, if this learner may rate it: active in its cohort, and it has started."""
    if cohorts_service.get_enrolment(session, cohort_id=cohort_id, user_id=user_id) is None:
        raise NotInCohort()
    workshop = cohorts_service.get_session(session, cohort_id=cohort_id, session_id=session_id)
    if as_utc(workshop.starts_at) > utcnow():
        raise SessionNotStarted()
    return workshop


def _session_public(row: SessionFeedback) -> SessionFeedbackPublic:
    return SessionFeedbackPublic(
        cohort_id=row.cohort_id,
        session_id=row.session_id,
        rating=row.rating,
        comment=row.comment,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def _own_session(session: Session, *, user_id: int, session_id: int) -> SessionFeedback | None:
    return session.scalar(
        select(SessionFeedback).where(
            SessionFeedback.user_id == user_id, SessionFeedback.session_id == session_id
        )
    )


def rate_session(
    session: Session, *, user_id: int, cohort_id: int, session_id: int, data: FeedbackCreate
) -> SessionFeedbackPublic:
    """Rate a workshop session of your cohort once it has started; again to change the rating."""
    rateable_session(session, user_id=user_id, cohort_id=cohort_id, session_id=session_id)
    now = utcnow()
    row = _own_session(session, user_id=user_id, session_id=session_id)
    if row is None:
        row = SessionFeedback(
            user_id=user_id,
            cohort_id=cohort_id,
            session_id=session_id,
            rating=data.rating,
            comment=data.comment,
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # two tabs at once
            row = _own_session(session, user_id=user_id, session_id=session_id)
            assert row is not None
    row.rating = data.rating
    row.comment = data.comment
    row.updated_at = now
    session.flush()
    return _session_public(row)


def own_session_rating(
    session: Session, *, user_id: int, session_id: int
) -> SessionFeedbackPublic | None:
    row = _own_session(session, user_id=user_id, session_id=session_id)
    return _session_public(row) if row else None


def session_feedback_for_user(session: Session, *, user_id: int) -> list[SessionFeedbackPublic]:
    rows = session.scalars(
        select(SessionFeedback)
        .where(SessionFeedback.user_id == user_id)
        .order_by(SessionFeedback.created_at, SessionFeedback.id)
    )
    return [_session_public(r) for r in rows]


def cohort_feedback(
    session: Session, *, cohort_id: int, registry: ContentRegistry
) -> CohortFeedback:
    """A cohort's feedback for its trainers, without names: a fixed number of queries."""
    workshops = {w.id: w for w in cohorts_service.sessions_for(session, cohort_id=cohort_id)}
    stats = {
        sid: (int(n), float(avg))
        for sid, n, avg in session.execute(
            select(SessionFeedback.session_id, func.count(), func.avg(SessionFeedback.rating))
            .where(SessionFeedback.cohort_id == cohort_id)
            .group_by(SessionFeedback.session_id)
        )
    }
    sessions = [
        SessionRating(
            session_id=w.id,
            title=w.title,
            starts_at=w.starts_at,
            ratings=stats.get(w.id, (0, 0.0))[0],
            average=round(stats[w.id][1], 2) if w.id in stats else None,
        )
        for w in workshops.values()
    ]
    said = session.execute(
        select(
            SessionFeedback.session_id,
            SessionFeedback.rating,
            SessionFeedback.comment,
            SessionFeedback.updated_at,
        )
        .where(SessionFeedback.cohort_id == cohort_id, SessionFeedback.comment.is_not(None))
        .order_by(SessionFeedback.updated_at.desc(), SessionFeedback.id.desc())
        .limit(COHORT_COMMENTS)
    )
    session_comments = [
        SessionComment(
            session_id=sid,
            session_title=workshops[sid].title if sid in workshops else "Session",
            rating=rating,
            comment=comment,
            updated_at=as_utc(updated_at),
        )
        for sid, rating, comment, updated_at in said
    ]
    learners = cohorts_service.active_learner_ids(session, cohort_id=cohort_id)
    modules = [
        m for m in module_ratings(session, registry=registry, user_ids=learners) if m.ratings
    ]
    module_comments, _ = comments(
        session, registry=registry, user_ids=learners, limit=COHORT_COMMENTS
    )
    return CohortFeedback(
        cohort_id=cohort_id,
        sessions=sessions,
        session_comments=session_comments,
        modules=modules,
        module_comments=module_comments,
    )


def my_feedback(session: Session, *, user_id: int, registry: ContentRegistry) -> MyFeedback:
    """What a learner can rate: completed modules and started sessions, with their ratings."""
    rows = progress_service.rows_for(session, user_id=user_id)
    mine = {
        r.module_id: r.rating
        for r in session.scalars(select(ModuleFeedback).where(ModuleFeedback.user_id == user_id))
    }
    modules = [
        RateableModule(slug=m.slug, title=m.meta.title, tier=m.tier, rating=mine.get(m.module_id))
        for m in registry.all()
        if progress_service.status_of(rows.get(m.module_id)) == "completed"
    ]
    rated = {
        r.session_id: r.rating
        for r in session.scalars(select(SessionFeedback).where(SessionFeedback.user_id == user_id))
    }
    now = utcnow()
    sessions = []
    for cohort in cohorts_service.cohorts_for_learner(session, user_id=user_id):
        for w in cohorts_service.sessions_for(session, cohort_id=cohort.id):
            if as_utc(w.starts_at) <= now:
                sessions.append(
                    RateableSession(
                        cohort_id=cohort.id,
                        cohort_name=cohort.name,
                        session_id=w.id,
                        title=w.title,
                        starts_at=w.starts_at,
                        rating=rated.get(w.id),
                    )
                )
    return MyFeedback(modules=modules, sessions=sessions)
