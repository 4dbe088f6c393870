"""The portfolio dashboard of an organisation, for its QI leads and for leaders; every table as CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Request
from starlette.responses import Response

from app.core.csv import csv_response
from app.core.deps import SessionDep
from app.portfolio import dashboard
from app.portfolio.dependencies import LedOrganisation
from app.portfolio.pages.common import page, page_router

pages = page_router()

View = Literal[
    "status", "score", "theme", "division", "staff_group", "months", "stale", "improving"
]
ViewQuery = Annotated[View, Query(description="Which count to show")]


@pages.get("/portfolio/organisations/{organisation_id}/dashboard")
def portfolio_dashboard(
    request: Request, org: LedOrganisation, session: SessionDep, view: ViewQuery = "status"
) -> Response:
    """One view: counts by status, score, theme, division or staff group; months; stale projects."""
    t = dashboard.table(session, organisation_id=org.id, key=view)
    names = dashboard.VIEW_NAMES
    context = {"organisation": {"id": org.id, "name": org.name}, "t": t, "views": names}
    title = f"Portfolio dashboard, {names[view].lower()}: {org.name}"
    return page(request, "dashboard.html", title, **context).render(request)


@pages.get("/portfolio/organisations/{organisation_id}/dashboard/{table}.csv")
def dashboard_csv(org: LedOrganisation, table: str, session: SessionDep) -> Response:
    """One of the dashboard's tables as a CSV file (cells that look like formulas are quoted)."""
    t = dashboard.table(session, organisation_id=org.id, key=table)
    return csv_response(f"portfolio-{org.id}-{t.key}.csv", t.header, t.rows)
