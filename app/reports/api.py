"""The leaders' reports as JSON (/api/v1/reports/...): the dashboard's tables, with the same filters.

They read the rollups as they stand (a background job refreshes them), so a figure can be up to a
refresh interval behind the live tables: each response says when with `refreshed_at`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from app.accounts.dependencies import LeaderUser
from app.content.dependencies import ContentDep
from app.core.deps import SessionDep
from app.feedback import service as feedback_service
from app.gold.schemas import LineageList
from app.reports import capability_router, lineage, service
from app.reports.dependencies import Filters
from app.reports.schemas import (
    CohortsReport,
    CompletionsReport,
    FeedbackReport,
    FunnelReport,
    ProjectsReport,
    QuizPassRatesReport,
    QuizRowPublic,
    RegistrationsReport,
    ReportFilters,
    ReportTable,
    SummaryPublic,
)

_reports = APIRouter(prefix="/api/v1/reports", tags=["reports"])
_gold = APIRouter(prefix="/api/v1", tags=["gold"])  # the lineage, read from the report rollups
T = TypeVar("T", bound=ReportTable)


def _table(model: type[T], rows: Sequence[Any], f: ReportFilters, session: Session) -> T:
    return model(data=rows, count=len(rows), filters=f, refreshed_at=service.refreshed_at(session))


@_reports.get("/summary")
def read_summary(f: Filters, session: SessionDep) -> SummaryPublic:
    """Learners registered in all (for the organisation and staff group) and within the range."""
    summary = service.summary(session, f)
    return SummaryPublic(
        **summary.model_dump(), filters=f, refreshed_at=service.refreshed_at(session)
    )


@_reports.get("/registrations")
def read_registrations(f: Filters, session: SessionDep) -> RegistrationsReport:
    """Learners registered per month in the range."""
    rows = service.registrations(session, f)
    return _table(RegistrationsReport, rows, f, session)


@_reports.get("/completions")
def read_completions(f: Filters, session: SessionDep) -> CompletionsReport:
    """Bronze, Silver and Gold awarded per month in the range (revoked credentials do not count)."""
    rows = service.completions(session, f)
    return _table(CompletionsReport, rows, f, session)


@_reports.get("/funnel")
def read_funnel(f: Filters, session: SessionDep) -> FunnelReport:
    """Per organisation and staff group: registrations and each level's completions in the range."""
    rows = service.funnel(session, f)
    return _table(FunnelReport, rows, f, session)


@_reports.get("/cohorts")
def read_cohorts(f: Filters, session: SessionDep) -> CohortsReport:
    """Cohorts running at any time in the range, with active learners and the lead trainer."""
    rows = service.cohorts_running(session, f)
    return _table(CohortsReport, rows, f, session)


@_reports.get("/projects")
def read_projects(f: Filters, session: SessionDep) -> ProjectsReport:
    """Projects signed off in the range, by organisation, and how many show improvement."""
    rows = service.projects(session, f)
    return _table(ProjectsReport, rows, f, session)


@_reports.get("/quiz-pass-rates")
def read_quiz_pass_rates(f: Filters, session: SessionDep) -> QuizPassRatesReport:
    """Per module: quiz attempts, passing attempts and the pass rate in the range."""
    rows = [QuizRowPublic(**r.model_dump()) for r in service.quiz_pass_rates(session, f)]
    return _table(QuizPassRatesReport, rows, f, session)


@_reports.get("/feedback")
def read_feedback(_leader: LeaderUser, session: SessionDep, registry: ContentDep) -> FeedbackReport:
    """Module ratings, lowest average first, and the newest comments (all time, not filtered)."""
    summary = feedback_service.summary(session, registry=registry)
    return FeedbackReport(
        data=summary.modules, count=len(summary.modules), recent_comments=summary.recent_comments
    )


OrgFilter = Annotated[int | None, Query(alias="organisation")]


@_gold.get("/gold/lineage")
def read_lineage(
    _leader: LeaderUser, session: SessionDep, organisation: OrgFilter = None
) -> LineageList:
    """The cascade: who certified each trainer, cohorts they ran, learners they brought to Silver."""
    rows = lineage.lineage(session, organisation_id=organisation)
    return LineageList(data=rows, count=len(rows))


api = APIRouter()
api.include_router(_reports)
api.include_router(_gold)
api.include_router(capability_router.api)  # /api/v1/organisations/{id}/capability-*
