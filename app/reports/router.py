"""The leaders' dashboard and a CSV download for each of its tables (same filters)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.accounts.constants import STAFF_GROUPS
from app.accounts.dependencies import LeaderUser
from app.core.csv import csv_response
from app.core.deps import SessionDep, verify_csrf
from app.core.errors import NotFound
from app.core.templating import render
from app.reports import lineage as lineage_view
from app.reports import service
from app.reports.api import api
from app.reports.charts import bar_chart
from app.reports.dependencies import Filters
from app.reports.schemas import ReportFilters

__all__ = ["api", "pages"]  # the api routes live in api.py

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

Table = tuple[list[str], Callable[[Session, ReportFilters], Iterable[Sequence[Any]]]]

TABLES: dict[str, Table] = {
    "registrations": (
        ["month", "learners_registered"],
        lambda s, f: ([r.month, r.count] for r in service.registrations(s, f)),
    ),
    "completions": (
        ["month", "bronze", "silver", "gold"],
        lambda s, f: ([r.month, r.bronze, r.silver, r.gold] for r in service.completions(s, f)),
    ),
    "funnel": (
        ["organisation", "staff_group", "registered", "bronze", "silver", "gold"],
        lambda s, f: (
            [r.organisation, r.staff_group, r.registered, r.bronze, r.silver, r.gold]
            for r in service.funnel(s, f)
        ),
    ),
    "cohorts": (
        ["cohort", "organisation", "starts_on", "ends_on", "learners", "lead_trainer"],
        lambda s, f: (
            [r.name, r.organisation, r.starts_on, r.ends_on, r.learners, r.lead_trainer]
            for r in service.cohorts_running(s, f)
        ),
    ),
    "projects": (
        ["organisation", "signed_off", "showing_improvement"],
        lambda s, f: (
            [r.organisation, r.signed_off, r.showing_improvement] for r in service.projects(s, f)
        ),
    ),
    "quizzes": (
        ["tier", "module", "attempts", "passed", "pass_rate_percent"],
        lambda s, f: (
            [r.tier, r.title, r.attempts, r.passed, r.pass_rate]
            for r in service.quiz_pass_rates(s, f)
        ),
    ),
}


@pages.get("/leader/reports")
def reports_dashboard(request: Request, f: Filters, session: SessionDep) -> Response:
    """Registrations, completions, the funnel, cohorts, projects and quiz pass rates."""
    registrations = service.registrations(session, f)
    completions = service.completions(session, f)
    charts = {
        "registrations": bar_chart(
            chart_id="chart-registrations",
            title="Learners registered per month",
            description=f"{sum(r.count for r in registrations)} learners registered from "
            f"{registrations[0].month} to {registrations[-1].month}. The table below gives each month.",
            labels=[r.month for r in registrations],
            series={"Registered": [r.count for r in registrations]},
        ),
        "completions": bar_chart(
            chart_id="chart-completions",
            title="Bronze, Silver and Gold completions per month",
            description=f"{sum(r.bronze for r in completions)} Bronze, "
            f"{sum(r.silver for r in completions)} Silver and {sum(r.gold for r in completions)} "
            "Gold completions in the range. The table below gives each month.",
            labels=[r.month for r in completions],
            series={
                "Bronze": [r.bronze for r in completions],
                "Silver": [r.silver for r in completions],
                "Gold": [r.gold for r in completions],
            },
        ),
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "title": "Reports",
            "filters": f,
            "organisations": service.organisations(session),
            "staff_groups": STAFF_GROUPS,
            "summary": service.summary(session, f),
            "registrations": registrations,
            "completions": completions,
            "funnel": service.funnel(session, f),
            "cohorts": service.cohorts_running(session, f),
            "projects": service.projects(session, f),
            "quizzes": service.quiz_pass_rates(session, f),
            "charts": charts,
            "refreshed_at": service.refreshed_at(session),
            "nav": "leader",
        },
    )


@pages.get("/leader/reports/{name}.csv")
def report_csv(name: str, f: Filters, session: SessionDep) -> Response:
    """One dashboard table as CSV, with the same filters."""
    table = TABLES.get(name)
    if table is None:
        raise NotFound(
            f"There is no report called '{name[:40]}'. Choose one of: {', '.join(TABLES)}."
        )
    header, rows = table
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
    return csv_response(
        "lineage.csv",
        [
            "trainer",
            "organisation",
            "certified_by",
            "certified_on",
            "cohorts_led",
            "cohorts_co_facilitated",
            "learners",
            "learners_to_silver",
        ],
        (
            [
                r.trainer_name,
                r.organisation,
                r.certified_by,
                r.certified_at.date().isoformat() if r.certified_at else None,
                r.cohorts_led,
                r.cohorts_co,
                r.learners,
                r.learners_to_silver,
            ]
            for r in rows
        ),
    )
