"""Report pages' assembly: the dashboard's context with its charts, and each table as CSV rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.constants import STAFF_GROUPS
from app.analysis import funnel_view
from app.analysis.funnel import Overdispersion
from app.core.errors import NotFound
from app.core.timefmt import month, plural
from app.gold.schemas import LineageRow
from app.reports import service
from app.reports.charts import bar_chart
from app.reports.schemas import (
    CompletionMonth,
    FunnelRow,
    MonthCount,
    OrganisationRate,
    ReportFilters,
)

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
        ["organisation", "signed_off", "showing_improvement", "judged_exemplary"],
        lambda s, f: (
            [r.organisation, r.signed_off, r.showing_improvement, r.judged_exemplary]
            for r in service.projects(s, f)
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


def table(name: str) -> Table:
    """A dashboard table's CSV header and rows, by the name in its download link."""
    found = TABLES.get(name)
    if found is None:
        raise NotFound(
            f"There is no report called '{name[:40]}'. Choose one of: {', '.join(TABLES)}."
        )
    return found


def _charts(registrations: list[MonthCount], completions: list[CompletionMonth]) -> dict[str, Any]:
    return {
        "registrations": bar_chart(
            chart_id="chart-registrations",
            title="Learners registered per month",
            description=f"{plural(sum(r.count for r in registrations), 'learner')} registered from "
            f"{month(registrations[0].month)} to {month(registrations[-1].month)}. "
            "The table below gives each month.",
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


def quiz_funnel(
    rows: list[OrganisationRate], spread: Overdispersion = "none"
) -> funnel_view.FunnelView | None:
    """Organisations' quiz pass rates on a funnel plot (None with fewer than two)."""
    return funnel_view.compare(
        [r.organisation for r in rows],
        [r.count for r in rows],
        [r.out_of for r in rows],
        title="Quiz pass rate by organisation, against the number of attempts",
        chart_id="chart-quiz-funnel",
        denominator_label="Quiz attempts",
        spread=spread,
    )


def completion_funnel(
    rows: list[FunnelRow], spread: Overdispersion = "none"
) -> funnel_view.FunnelView | None:
    """Organisations' Bronze completions per 100 learners registered in the range, as a rate:
    completions may include learners who registered earlier, so it is not a proportion."""
    totals: dict[str, list[int]] = {}
    for r in rows:
        pair = totals.setdefault(r.organisation, [0, 0])
        pair[0] += r.bronze
        pair[1] += r.registered
    return funnel_view.compare(
        list(totals),
        [b for b, _ in totals.values()],
        [n for _, n in totals.values()],
        title="Bronze completions per 100 learners registered, by organisation",
        chart_id="chart-completion-funnel",
        denominator_label="Learners registered",
        kind="rate",
        unit=" per 100",
        spread=spread,
    )


def dashboard_context(
    session: Session, f: ReportFilters, spread: Overdispersion = "none"
) -> dict[str, Any]:
    """Registrations, completions, the funnel, cohorts, projects and quiz pass rates, charted."""
    registrations = service.registrations(session, f)
    completions = service.completions(session, f)
    funnel_rows = service.funnel(session, f)
    return {
        "title": "Reports",
        "filters": f,
        "organisations": service.organisations(session),
        "staff_groups": STAFF_GROUPS,
        "summary": service.summary(session, f),
        "registrations": registrations,
        "completions": completions,
        "funnel": funnel_rows,
        "completion_funnel": completion_funnel(funnel_rows, spread),
        "spread": spread,
        "spread_choices": funnel_view.SPREAD_CHOICES,
        "cohorts": service.cohorts_running(session, f),
        "projects": service.projects(session, f),
        "quizzes": service.quiz_pass_rates(session, f),
        "quiz_funnel": quiz_funnel(service.quiz_passes_by_organisation(session, f), spread),
        "charts": _charts(registrations, completions),
        "refreshed_at": service.refreshed_at(session),
        "nav": "leader",
    }


LINEAGE_HEADER = [
    "trainer",
    "organisation",
    "certified_by",
    "certified_on",
    "cohorts_led",
    "cohorts_co_facilitated",
    "learners",
    "learners_to_silver",
]


def lineage_rows(rows: Iterable[LineageRow]) -> Iterable[list[Any]]:
    """The lineage table's CSV rows, in LINEAGE_HEADER's order."""
    return (
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
    )
