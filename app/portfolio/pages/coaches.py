"""The coach directory, alongside the trainer directory: who coaches QI projects, and where."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from app.accounts.dependencies import CurrentUser
from app.core.deps import SessionDep
from app.portfolio import coaching
from app.portfolio.pages.common import page, page_router

pages = page_router()


OrgFilter = Annotated[int | None, Query(description="Only this organisation's coaches")]


@pages.get("/coaches")
def coach_directory(
    request: Request, _user: CurrentUser, session: SessionDep, organisation: OrgFilter = None
) -> Response:
    """People coaching active QI projects, by organisation, with the themes they coach."""
    entries = coaching.coach_directory(session, organisation_id=organisation)
    orgs = coaching.coach_organisations(session)
    context = {"entries": entries, "organisations": orgs, "selected": organisation}
    return page(request, "coaches.html", "Find a QI coach", **context).render(request)
