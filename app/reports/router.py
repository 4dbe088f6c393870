"""The leaders' dashboard and a CSV download for each of its tables (same filters)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.accounts.dependencies import LeaderUser
from app.analysis.funnel import Overdispersion
from app.core.csv import csv_response
from app.core.deps import SessionDep, verify_csrf
from app.core.templating import render
from app.reports import capability_router, views
from app.reports import lineage as lineage_view
from app.reports.api import api
from app.reports.dependencies import Filters

__all__ = ["api", "pages"]  # the api routes live in api.py

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


Spread = Annotated[Overdispersion, Query(alias="limits")]


@pages.get("/leader/reports")
def reports_dashboard(
    request: Request, f: Filters, session: SessionDep, spread: Spread = "none"
) -> Response:
    """Registrations, completions, the funnel, cohorts, projects and quiz pass rates; `limits`
    chooses the funnel plots' overdispersion adjustment."""
    context = views.dashboard_context(session, f, spread)
    return render(request, "reports/dashboard.html", context)


@pages.get("/leader/reports/{name}.csv")
def report_csv(name: str, f: Filters, session: SessionDep) -> Response:
    """One dashboard table as CSV, with the same filters."""
    header, rows = views.table(name)
    return csv_response(f"{name}-{f.date_from}-{f.date_to}.csv", header, rows(session, f))


OrgFilter = Annotated[int | None, Query(alias="organisation")]


@pages.get("/leader/lineage")
def lineage(
    request: Request, _leader: LeaderUser, session: SessionDep, organisation: OrgFilter = None
) -> Response:
    """The cascade: who certified whom, cohorts each trainer ran, learners they brought to Silver."""
    rows = lineage_view.lineage(session, organisation_id=organisation)
    return render(
        request, "gold/lineage.html", {"title": "Trainer lineage", "rows": rows, "nav": "leader"}
    )


@pages.get("/leader/lineage.csv")
def lineage_csv(
    _leader: LeaderUser, session: SessionDep, organisation: OrgFilter = None
) -> Response:
    """The lineage table as CSV."""
    rows = lineage_view.lineage(session, organisation_id=organisation)
    return csv_response("lineage.csv", views.LINEAGE_HEADER, views.lineage_rows(rows))


pages.include_router(capability_router.pages)  # /leader/capability: the plan and its report
