"""Learner pages' assembly: a tier's modules, a section, the modules list, a quiz and its result.

The routes parse and render; what each page shows is put together here from the content,
progress, quizzes and awards services. A quiz submitted with errors raises FormInvalid, so the
one handler redraws it after the rollback.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from app.accounts.models import User
from app.awards import bronze
from app.awards.access import open_tiers
from app.content import service as content_service
from app.content.registry import ContentRegistry
from app.content.schemas import TIER_NAMES, TIERS, ModuleList, ModuleSummary, Tier
from app.core.errors import AppError, NotFound
from app.core.forms import FormInvalid
from app.learning.dependencies import ModuleAccess
from app.progress import service as progress_service
from app.quizzes import service as quiz_service
from app.quizzes.schemas import AttemptPublic

QUIZ = "quizzes/quiz.html"
RESULT = "quizzes/result.html"
SECTION = "content/section.html"
TIER = "content/tier.html"

# --- reading ----------------------------------------------------------------------------------


def tier_context(
    session: Session, *, tier: str, user: User | None, registry: ContentRegistry
) -> dict[str, Any]:
    """A tier's modules in order, with the learner's status and any lock."""
    rows = progress_service.rows_for(session, user_id=user.id) if user else {}
    unlocked = open_tiers(session, user, tier=tier)
    cards = progress_service.module_cards(
        registry=registry, tier=tier, user=user, rows=rows, unlocked=unlocked
    )
    return {
        "title": f"{TIER_NAMES[tier]} modules",
        "tier": tier,
        "tier_name": TIER_NAMES[tier],
        "cards": cards,
        "tier_lock": content_service.tier_lock_reason(tier, unlocked_tiers=unlocked),
        "nav": tier,
    }


def check_section(access: ModuleAccess, number: int) -> None:
    sections = access.module.source.sections
    if not 1 <= number <= len(sections):
        raise NotFound(f"This module has sections 1 to {len(sections)}.")


async def record_section_view(session: Session, *, access: ModuleAccess, number: int) -> None:
    """Remember where the learner is; only a changed section goes to the threadpool to write."""
    if progress_service.section_changed(access.rows, module=access.module, section=number - 1):
        await run_in_threadpool(
            progress_service.record_section_view,
            session,
            user_id=access.user.id,
            module=access.module,
            section=number - 1,
            rows=access.rows,
        )


def section_page(access: ModuleAccess, *, number: int) -> tuple[Hashable, dict[str, Any]]:
    """The cache key and context of one section: contents, progress bar, previous and next."""
    sections = access.module.source.sections
    row = access.rows.get(access.module.module_id)
    completed = bool(row and row.completed_at)
    percent = progress_service.reading_percent(
        section=number, sections=len(sections), completed=completed
    )
    # Everything on this page but the viewer's name, CSRF token and nonce follows from the key.
    key = (access.module.version_id, number, completed)
    return key, {
        "title": f"{sections[number - 1].title} - {access.module.meta.title}",
        "module": access.module.meta,
        "sections": sections,
        "number": number,
        "section": sections[number - 1],
        "percent": percent,
        "completed": completed,
        "tier_name": TIER_NAMES[access.module.tier],
        "nav": access.module.tier,
    }


def module_list(
    session: Session, *, registry: ContentRegistry, user: User, tier: Tier | None
) -> ModuleList:
    """Modules, optionally of one tier, with whether each is locked for this person."""
    rows = progress_service.rows_for(session, user_id=user.id)
    unlocked = open_tiers(session, user, tier=tier)
    data = [
        ModuleSummary(
            slug=c.slug,
            title=c.title,
            tier=t,
            order=c.order,
            summary=c.summary,
            cpd_minutes=c.cpd_minutes,
            locked=c.locked_reason is not None,
            locked_reason=c.locked_reason,
        )
        for t in ([tier] if tier else TIERS)
        for c in progress_service.module_cards(
            registry=registry, tier=t, user=user, rows=rows, unlocked=unlocked
        )
    ]
    return ModuleList(data=data, count=len(data))


# --- quizzes ----------------------------------------------------------------------------------


def quiz_context(
    access: ModuleAccess,
    *,
    chosen: dict[str, list[str]] | None = None,
    order: str | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The module's quiz, options in a fresh order (or the `order` it was shown in), with what
    the learner chose last time."""
    m = access.module
    order = order if order and len(order) <= 64 else secrets.token_hex(8)
    return {
        "title": f"Quiz: {m.meta.title}",
        "module": m.meta,
        "quiz": quiz_service.public_quiz(m, order=order),
        "order": order,
        "chosen": chosen or {},
        "errors": errors or {},
        "tier_name": TIER_NAMES[m.tier],
        "nav": m.tier,
    }


def submit_quiz(session: Session, *, access: ModuleAccess, form_data: FormData) -> AttemptPublic:
    """Grade and store the quiz form, or redraw the quiz with the answers and what to fix."""
    answers = {
        q.id: [v for v in form_data.getlist(f"answer-{q.id}") if isinstance(v, str)]
        for q in access.module.source.questions
    }
    try:
        return quiz_service.submit_attempt(
            session, user_id=access.user.id, module=access.module, answers=answers, rows=access.rows
        )
    except AppError as exc:
        errors = _unanswered(access, answers) or {"question-1": exc.message}
        order = form_data.get("order")
        context = quiz_context(
            access, chosen=answers, order=order if isinstance(order, str) else None, errors=errors
        )
        raise FormInvalid(errors, template=QUIZ, context=context) from exc


def _unanswered(access: ModuleAccess, answers: dict[str, list[str]]) -> dict[str, str]:
    """One error per question left blank, keyed by its first option's id on the page."""
    errors = {}
    for n, q in enumerate(access.module.source.questions, 1):
        if not answers.get(q.id):
            what = "at least one answer" if q.type == "multiple" else "an answer"
            errors[f"question-{n}"] = f"Select {what} for question {n}"
    return errors


def attempt_context(session: Session, *, access: ModuleAccess, attempt_id: int) -> dict[str, Any]:
    """One attempt's result: score, pass or not, and feedback per question."""
    attempt = quiz_service.get_attempt(
        session, attempt_id=attempt_id, user_id=access.user.id, module=access.module
    )
    tier = access.module.tier
    earned = None
    if attempt.passed:
        earned = bronze.earned_now(
            session, user_id=access.user.id, tier=tier, registry=access.registry, rows=access.rows
        )
    return {
        "title": f"Quiz result: {access.module.meta.title}",
        "module": access.module.meta,
        "attempt": attempt,
        "questions": {q.id: q for q in access.module.source.questions},
        "tier_name": TIER_NAMES[tier],
        "nav": tier,
        "earned": earned,
        # Every module done, but the award waits for a confirmed address: say so, offer the link.
        "awaiting_email": access.user.email
        if attempt.passed
        and earned is None
        and access.user.email_verified_at is None
        and tier in bronze.AUTOMATIC_TIERS
        and bronze.tier_complete(access.registry, access.rows, tier)
        else None,
        "next_module": _next_module(access) if attempt.passed else None,
    }


def _next_module(access: ModuleAccess) -> Any:
    """The first module of the tier after this one that the learner has not completed."""
    modules = access.registry.tier(access.module.tier)
    later = [m for m in modules if m.meta.order > access.module.meta.order]
    for m in later:
        if progress_service.status_of(access.rows.get(m.module_id)) != "completed":
            return m.meta
    return None
