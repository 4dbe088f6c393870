"""Content pages that need nothing but the catalogue (the learner's pages are in app.learning)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.accounts.dependencies import OptionalUser
from app.content import glossary
from app.content.dependencies import GlossaryDep
from app.core.templating import render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["modules"])


@pages.get("/glossary")
def glossary_page(request: Request, _viewer: OptionalUser, terms: GlossaryDep) -> Response:
    """Every term the modules link to, in plain words, each with an anchor to link to."""
    return render(
        request,
        "content/glossary.html",
        {"title": "Glossary", "terms": glossary.page_terms(terms), "nav": "glossary"},
    )
