"""Reading: the home page, a tier's modules, a module's sections, the glossary, the modules API."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import CurrentUser, OptionalUser
from app.content import glossary
from app.content.dependencies import ContentDep, GlossaryDep
from app.content.schemas import (
    TIER_NAMES,
    TIERS,
    ModuleDetail,
    ModuleList,
    SectionPublic,
)
from app.core.deps import SessionDep
from app.core.templating import render, render_cached
from app.learning import views
from app.learning.dependencies import OpenModule
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
    context = views.tier_context(session, tier=tier, user=user, registry=registry)
    return render(request, views.TIER, context)


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
    views.check_section(access, number)
    await views.record_section_view(session, access=access, number=number)
    key, context = views.section_page(access, number=number)
    return render_cached(request, views.SECTION, key=key, context=context)


@api.get("/modules")
def list_modules(
    registry: ContentDep,
    user: CurrentUser,
    session: SessionDep,
    tier: Annotated[Literal["bronze", "silver", "gold"] | None, Query()] = None,
) -> ModuleList:
    """Modules, optionally of one tier, with whether each is locked for you."""
    return views.module_list(session, registry=registry, user=user, tier=tier)


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
