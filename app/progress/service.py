"""Progress: section reads, quiz outcomes, completion, and the dashboard built from them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User
from app.content import service as content_service
from app.content.registry import ContentRegistry, RegisteredModule
from app.content.schemas import TIERS
from app.core.db import as_utc, utcnow
from app.core.events import publish
from app.progress.events import ModuleStarted
from app.progress.models import ModuleProgress
from app.progress.schemas import (
    Dashboard,
    ModuleCard,
    ModuleLink,
    ModuleStatus,
    ProgressPublic,
    Status,
    TierCard,
    TierProgress,
)

_STAFF_ROLES = (Role.TRAINER, Role.LEADER, Role.ADMIN)


def unlocked_tiers(
    user: User | None, *, enrolled: bool = False, gold_candidate: bool = False
) -> set[str]:
    """Tiers a person may open. Bronze is for everyone; cohorts and Gold candidacy widen this.

    `enrolled` says the learner is in a Silver cohort; the caller asks the cohorts service, and only
    when Silver is in question, so Bronze pages cost no extra query. `gold_candidate` likewise
    comes from the gold service, asked only when Gold is in question.
    """
    if user is not None and user.has_role(*_STAFF_ROLES):
        return set(TIERS)
    tiers = {"bronze"}
    if user is not None and enrolled:
        tiers.add("silver")
    if user is not None and gold_candidate:
        tiers.add("gold")
    return tiers


_ROWS_OF_USER = select(ModuleProgress).where(ModuleProgress.user_id == bindparam("user_id"))


def rows_for(session: Session, *, user_id: int) -> dict[int, ModuleProgress]:
    """Every progress row of one learner, keyed by module id: one query however many modules."""
    rows = session.scalars(_ROWS_OF_USER, {"user_id": user_id})
    return {r.module_id: r for r in rows}


def completed_slugs(rows: dict[int, ModuleProgress], registry: ContentRegistry) -> set[str]:
    done = set()
    for module_id, row in rows.items():
        module = registry.by_id(module_id)
        if module is not None and row.completed_at is not None:
            done.add(module.slug)
    return done


def _get_or_create(
    session: Session, *, user_id: int, module: RegisteredModule, rows: dict[int, ModuleProgress]
) -> ModuleProgress:
    """The learner's row for this module; making it publishes ModuleStarted (xAPI: launched)."""
    module_id = module.module_id
    row = rows.get(module_id)
    if row is not None:
        return row
    now = utcnow()
    row = ModuleProgress(
        user_id=user_id,
        module_id=module_id,
        status="in_progress",
        last_section=0,
        started_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same learner in two tabs: the other tab started it
        row = session.scalars(
            select(ModuleProgress).where(
                ModuleProgress.user_id == user_id, ModuleProgress.module_id == module_id
            )
        ).one()
    else:
        started = ModuleStarted(
            user_id=user_id, module_id=module_id, slug=module.slug, tier=module.tier
        )
        publish(session, started)
    rows[module_id] = row
    return row


def section_changed(
    rows: dict[int, ModuleProgress], *, module: RegisteredModule, section: int
) -> bool:
    row = rows.get(module.module_id)
    return row is None or row.last_section != section


def record_section_view(
    session: Session,
    *,
    user_id: int,
    module: RegisteredModule,
    section: int,
    rows: dict[int, ModuleProgress],
) -> None:
    """Remember where the learner is, so 'resume' takes them back there."""
    if not section_changed(rows, module=module, section=section):
        return
    row = _get_or_create(session, user_id=user_id, module=module, rows=rows)
    row.last_section = section
    row.updated_at = utcnow()
    session.flush()


def record_quiz_result(
    session: Session,
    *,
    user_id: int,
    module: RegisteredModule,
    score: int,
    passed: bool,
    rows: dict[int, ModuleProgress],
) -> bool:
    """Keep the best score; complete the module on its first pass. Returns True if newly completed."""
    row = _get_or_create(session, user_id=user_id, module=module, rows=rows)
    now = utcnow()
    row.best_score = max(row.best_score or 0, score)
    row.updated_at = now
    newly = False
    if passed and row.completed_at is None:
        row.status = "completed"
        row.completed_at = now
        row.completed_version_id = module.version_id
        row.cpd_minutes = module.meta.cpd_minutes
        newly = True
    session.flush()
    return newly


def status_of(row: ModuleProgress | None) -> Status:
    if row is None:
        return "not_started"
    return "completed" if row.completed_at is not None else "in_progress"


def progress_public(
    *, registry: ContentRegistry, rows: dict[int, ModuleProgress]
) -> ProgressPublic:
    tiers = []
    for tier in TIERS:
        modules = registry.tier(tier)
        done = [
            rows[m.module_id] for m in modules if status_of(rows.get(m.module_id)) == "completed"
        ]
        tiers.append(
            TierProgress(
                tier=tier,
                modules_total=len(modules),
                modules_completed=len(done),
                cpd_minutes=sum(r.cpd_minutes or 0 for r in done),
            )
        )
    statuses = [
        ModuleStatus(
            slug=m.slug,
            status=status_of(rows.get(m.module_id)),  # type: ignore[arg-type]
            best_score=rows[m.module_id].best_score if m.module_id in rows else None,
            completed_at=as_utc(rows[m.module_id].completed_at)  # type: ignore[arg-type]
            if m.module_id in rows and rows[m.module_id].completed_at
            else None,
        )
        for m in registry.all()
    ]
    return ProgressPublic(tiers=tiers, modules=statuses)


def dashboard(
    *, registry: ContentRegistry, rows: dict[int, ModuleProgress], unlocked: set[str]
) -> Dashboard:
    completed = completed_slugs(rows, registry)
    summary = progress_public(registry=registry, rows=rows)
    cards = []
    for tp in summary.tiers:
        lock = content_service.tier_lock_reason(tp.tier, unlocked_tiers=unlocked)
        next_module = None
        if lock is None:
            for m in registry.tier(tp.tier):
                if m.slug not in completed and not content_service.prerequisite_reason(
                    m, registry=registry, completed=completed
                ):
                    row = rows.get(m.module_id)
                    next_module = ModuleLink(
                        slug=m.slug,
                        title=m.meta.title,
                        tier=m.tier,
                        section=row.last_section if row else 0,
                    )
                    break
        cards.append(
            TierCard(
                tier=tp.tier,
                name=content_service.tier_name(tp.tier),
                modules_total=tp.modules_total,
                modules_completed=tp.modules_completed,
                percent=percent(tp.modules_completed, tp.modules_total),
                cpd_minutes=tp.cpd_minutes,
                locked_reason=lock,
                next_module=next_module,
            )
        )
    in_progress = [
        r for r in rows.values() if r.completed_at is None and registry.by_id(r.module_id)
    ]
    resume = None
    if in_progress:
        latest = max(in_progress, key=lambda r: as_utc(r.updated_at))
        current = registry.by_id(latest.module_id)
        assert current is not None  # filtered above
        resume = ModuleLink(
            slug=current.slug,
            title=current.meta.title,
            tier=current.tier,
            section=latest.last_section,
        )
    return Dashboard(
        tiers=cards, resume=resume, cpd_minutes_total=sum(c.cpd_minutes for c in cards)
    )


def module_cards(
    *,
    registry: ContentRegistry,
    tier: str,
    user: User | None,
    rows: dict[int, ModuleProgress],
    unlocked: set[str] | None = None,
) -> list[ModuleCard]:
    """A tier's modules in order, each with this person's status and why it is locked, if it is."""
    unlocked = unlocked_tiers(user) if unlocked is None else unlocked
    completed = completed_slugs(rows, registry)
    cards = []
    for m in registry.tier(tier):
        row = rows.get(m.module_id)
        cards.append(
            ModuleCard(
                slug=m.slug,
                title=m.meta.title,
                order=m.meta.order,
                summary=m.meta.summary,
                cpd_minutes=m.meta.cpd_minutes,
                status=status_of(row),  # type: ignore[arg-type]
                best_score=row.best_score if row else None,
                locked_reason=None
                if user is None and tier == "bronze"
                else content_service.lock_reason(
                    m, registry=registry, unlocked_tiers=unlocked, completed=completed
                ),
            )
        )
    return cards


def status_matrix(
    session: Session, *, user_ids: Collection[int], module_ids: Collection[int]
) -> dict[tuple[int, int], tuple[Status, int | None]]:
    """(status, best score) per (learner, module) for many learners at once: one query.

    Pairs with no progress row are absent: the learner has not started that module.
    """
    if not user_ids or not module_ids:
        return {}
    rows = session.execute(
        select(
            ModuleProgress.user_id,
            ModuleProgress.module_id,
            ModuleProgress.completed_at,
            ModuleProgress.best_score,
        ).where(
            ModuleProgress.user_id.in_(list(user_ids)),
            ModuleProgress.module_id.in_(list(module_ids)),
        )
    )
    return {
        (user_id, module_id): ("completed" if done is not None else "in_progress", best)
        for user_id, module_id, done, best in rows
    }


def passed_counts(
    session: Session, *, user_ids: Collection[int], module_ids: Collection[int]
) -> dict[int, int]:
    """How many of `module_ids` each learner has passed, counted in SQL."""
    if not user_ids or not module_ids:
        return {}
    rows = session.execute(
        select(ModuleProgress.user_id, func.count())
        .where(
            ModuleProgress.user_id.in_(list(user_ids)),
            ModuleProgress.module_id.in_(list(module_ids)),
            ModuleProgress.completed_at.is_not(None),
        )
        .group_by(ModuleProgress.user_id)
    )
    return {int(user_id): int(count) for user_id, count in rows}


def percent(part: int, whole: int) -> int:
    """Whole-number percentage rounded half up, as people expect (1 of 8 is 13%, not 12%)."""
    return (200 * part + whole) // (2 * whole) if whole else 0


def reading_percent(*, section: int, sections: int, completed: bool) -> int:
    """Progress through a module: each section is a step and the quiz is the last one."""
    if completed:
        return 100
    return percent(section, sections + 1)


def completions_for(
    session: Session, *, user_ids: Collection[int]
) -> list[tuple[int, int, datetime]]:
    """(user id, module id, completed at) for every completed module of these learners."""
    if not user_ids:
        return []
    rows = session.execute(
        select(ModuleProgress.user_id, ModuleProgress.module_id, ModuleProgress.completed_at).where(
            ModuleProgress.user_id.in_(list(user_ids)), ModuleProgress.completed_at.is_not(None)
        )
    )
    return [(int(u), int(m), as_utc(done)) for u, m, done in rows if done is not None]
