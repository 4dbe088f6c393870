"""Search: the results page behind the header's search box (modules, sections, the glossary)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.accounts.dependencies import OptionalUser
from app.awards.access import open_tiers
from app.content import search
from app.content.schemas import TIER_NAMES
from app.core.deps import SessionDep
from app.core.templating import render

pages = APIRouter(include_in_schema=False)
api = APIRouter()


@pages.get("/search")
def search_page(
    request: Request,
    user: OptionalUser,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Modules, sections and glossary terms that match, from the tiers this person may open."""
    hits = search.search(session, query=q, tiers=open_tiers(session, user))
    title = f"Search results for {q.strip()}" if q.strip() else "Search"
    context = {"title": title, "q": q.strip(), "hits": hits, "tier_names": TIER_NAMES}
    return render(request, "content/search.html", context)
