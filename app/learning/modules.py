"""Reading: the home page, a tier's modules, a module's sections, the glossary, the modules API."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import CurrentUser, OptionalUser
from app.awards.access import open_tiers
from app.content import glossary, service
from app.content.dependencies import ContentDep, GlossaryDep
from app.content.schemas import (
    TIER_NAMES,
    TIERS,
    ModuleDetail,
    ModuleList,
    ModuleSummary,
    SectionPublic,
)
from app.core.deps import SessionDep
from app.core.errors import NotFound
from app.core.templating import render, render_cached
from app.learning.dependencies import OpenModule
from app.progress import service as progress_service
from app.quizzes import service as quiz_service

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["modules"])

TierParam = Annotated[
    Literal["bronze", "silver", "gold"], Path(description="bronze, silver or gold")
]


@pages.get("/")
def home(request: Request, _viewer: OptionalUser, registry: ContentDep) -> Response:
    """The landing page: what QI Academy is and the three tiers."""
    tiers = [
        {
            "tier": t,
            "name": TIER_NAMES[t],
            "count": len(registry.tier(t)),
            "minutes": sum(m.meta.cpd_minutes for m in registry.tier(t)),
        }
        for t in TIERS
    ]
    return render(
        request,
        "content/home.html",
        {"title": "Learn to improve care", "tiers": tiers, "nav": "home"},
    )


@pages.get("/glossary")
def glossary_page(request: Request, _viewer: OptionalUser, terms: GlossaryDep) -> Response:
    """Every term the modules link to, in plain words, each with an anchor to link to."""
    return render(
        request,
        "content/glossary.html",
        {"title": "Glossary", "terms": glossary.page_terms(terms), "nav": "glossary"},
    )


@pages.get("/learn/{tier}")
def tier_index(
    request: Request, tier: TierParam, user: OptionalUser, registry: ContentDep, session: SessionDep
) -> Response:
    """A tier's modules in order, with the learner's status and any lock."""
    rows = progress_service.rows_for(session, user_id=user.id) if user else {}
    unlocked = open_tiers(session, user, tier=tier)
    cards = progress_service.module_cards(
        registry=registry, tier=tier, user=user, rows=rows, unlocked=unlocked
    )
    lock = service.tier_lock_reason(tier, unlocked_tiers=unlocked)
    return render(
        request,
        "content/tier.html",
        {
            "title": f"{TIER_NAMES[tier]} modules",
            "tier": tier,
            "tier_name": TIER_NAMES[tier],
            "cards": cards,
            "tier_lock": lock,
            "nav": tier,
        },
    )


@pages.get("/modules/{slug}")
def resume_module(slug: str, access: OpenModule) -> Response:
    """Send the learner to where they stopped in this module."""
    row = access.rows.get(access.module.module_id)
    section = min((row.last_section if row else 0) + 1, len(access.module.source.sections))
    return RedirectResponse(f"/modules/{slug}/sections/{section}", status_code=303)


@pages.get("/modules/{slug}/sections/{number}")
async def read_section(
    request: Request, number: int, access: OpenModule, session: SessionDep
) -> Response:
    """One section of a module, with contents, progress bar and previous/next."""
    sections = access.module.source.sections
    if not 1 <= number <= len(sections):
        raise NotFound(f"This module has sections 1 to {len(sections)}.")
    if progress_service.section_changed(access.rows, module=access.module, section=number - 1):
        await run_in_threadpool(
            progress_service.record_section_view,
            session,
            user_id=access.user.id,
            module=access.module,
            section=number - 1,
            rows=access.rows,
        )
    row = access.rows.get(access.module.module_id)
    completed = bool(row and row.completed_at)
    percent = progress_service.reading_percent(
        section=number, sections=len(sections), completed=completed
    )
    # Everything on this page but the viewer's name, CSRF token and nonce follows from the key.
    return render_cached(
        request,
        "content/section.html",
        key=(access.module.version_id, number, completed),
        context={
            "title": f"{sections[number - 1].title} - {access.module.meta.title}",
            "module": access.module.meta,
            "sections": sections,
            "number": number,
            "section": sections[number - 1],
            "percent": percent,
            "completed": completed,
            "tier_name": TIER_NAMES[access.module.tier],
            "nav": access.module.tier,
        },
    )


@api.get("/modules")
def list_modules(
    registry: ContentDep,
    user: CurrentUser,
    session: SessionDep,
    tier: Annotated[Literal["bronze", "silver", "gold"] | None, Query()] = None,
) -> ModuleList:
    """Modules, optionally of one tier, with whether each is locked for you."""
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


@api.get("/modules/{slug}")
def read_module(access: OpenModule) -> ModuleDetail:
    """A module's sections and its quiz (without answers)."""
    m = access.module
    return ModuleDetail(
        slug=m.slug,
        title=m.meta.title,
        tier=m.tier,
        cpd_minutes=m.meta.cpd_minutes,
        outcomes=m.meta.outcomes,
        sections=[SectionPublic(title=s.title, html=s.html) for s in m.source.sections],
        quiz=quiz_service.public_quiz(m),
    )
