"""Report queries: every number is a SQL aggregate (GROUP BY in the database), never rows in Python.

Reports are a read model across domains: they join accounts, cohorts and content tables and
read the rollups (`rollups`: built in SQL, refreshed every minute) directly, because a million
learners cannot go through per-learner service calls. They write nothing but the capability plan
(capability.py, the leaders' targets); this module is also the domain's one service surface, so
the rollups' refresh is reached through it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from app.accounts.constants import STAFF_GROUPS
from app.accounts.models import Organisation, User
from app.cohorts.models import Cohort, CohortTrainer
from app.content.models import Module
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.reports.models import (
    ReportCohort,
    ReportCompletionMonth,
    ReportLearnerMonth,
    ReportProject,
    ReportQuizMonth,
)
from app.reports.rollups import (
    ALL_STAFF,
    REFRESH_SECONDS,
    TIERS,
    TOTAL_ORG,
    RefreshResult,
    cohort_reach,
    month_key,
    refresh,
    refresh_if_stale,
    refreshed_at,
    shows_improvement,
)
from app.reports.schemas import (
    CohortRow,
    CompletionMonth,
    FunnelRow,
    MonthCount,
    OrganisationRate,
    ProjectRow,
    QuizRow,
    ReportFilters,
    Summary,
)

__all__ = [
    "ALL_STAFF",
    "REFRESH_SECONDS",
    "TIERS",
    "TOTAL_ORG",
    "RefreshResult",
    "cohort_reach",
    "cohorts_running",
    "completions",
    "filters",
    "funnel",
    "organisations",
    "projects",
    "quiz_pass_rates",
    "refresh",
    "refresh_if_stale",
    "refreshed_at",
    "registrations",
    "shows_improvement",
    "summary",
]

_Q = TypeVar("_Q", bound=Select)  # type: ignore[type-arg]
MAX_RANGE_DAYS = 366 * 10


def _month_end(day: date) -> date:
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)


def filters(
    *,
    organisation_id: int | None,
    staff_group: str | None,
    date_from: date | None,
    date_to: date | None,
) -> ReportFilters:
    """Check the filters and fill the defaults (the last twelve months). Ranges are whole months."""
    today = utcnow().date()
    date_to = _month_end(date_to or today)
    if date_from is None:
        back = date_to.replace(day=1) - timedelta(days=330)
        date_from = back.replace(day=1)
    date_from = date_from.replace(day=1)
    if date_from > date_to:
        raise InvalidInput(
            "The 'from' month must be on or before the 'to' month", field="date_from"
        )
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise InvalidInput("Choose a range of ten years or less", field="date_from")
    if staff_group and staff_group not in STAFF_GROUPS:
        raise InvalidInput("Choose a staff group from the list", field="staff_group")
    return ReportFilters(
        organisation_id=organisation_id,
        staff_group=staff_group or None,
        date_from=date_from,
        date_to=date_to,
    )


def _grouped(query: _Q, table: Any, f: ReportFilters) -> _Q:
    query = query.where(table.month >= month_key(f.start), table.month <= month_key(f.end_day))
    if f.organisation_id is not None:
        query = query.where(table.organisation_id == f.organisation_id)
    if f.staff_group:
        query = query.where(table.staff_group == f.staff_group)
    return query


def _months(f: ReportFilters) -> list[str]:
    out, year, month = [], f.date_from.year, f.date_from.month
    while (year, month) <= (f.date_to.year, f.date_to.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def summary(session: Session, f: ReportFilters) -> Summary:
    t = ReportLearnerMonth
    in_range = and_(t.month >= month_key(f.start), t.month <= month_key(f.end_day))
    query = select(
        func.coalesce(func.sum(t.registered), 0),
        func.coalesce(func.sum(case((in_range, t.registered), else_=0)), 0),
    )
    if f.organisation_id is not None:
        query = query.where(t.organisation_id == f.organisation_id)
    if f.staff_group:
        query = query.where(t.staff_group == f.staff_group)
    total, ranged = session.execute(query).one()
    return Summary(registered_total=int(total), registered_in_range=int(ranged))


def registrations(session: Session, f: ReportFilters) -> list[MonthCount]:
    """Learners registered per month in the range."""
    t = ReportLearnerMonth
    query = _grouped(select(t.month, func.sum(t.registered)), t, f).group_by(t.month)
    rows = {m: int(n) for m, n in session.execute(query)}
    return [MonthCount(month=m, count=rows.get(m, 0)) for m in _months(f)]


def completions(session: Session, f: ReportFilters) -> list[CompletionMonth]:
    """Bronze, Silver and Gold first awarded per month (revoked credentials do not count)."""
    t = ReportCompletionMonth
    query = _grouped(select(t.month, t.achievement, func.sum(t.completions)), t, f).group_by(
        t.month, t.achievement
    )
    counts = {(m, a): int(n) for m, a, n in session.execute(query)}
    return [
        CompletionMonth(
            month=m,
            bronze=counts.get((m, "bronze"), 0),
            silver=counts.get((m, "silver"), 0),
            gold=counts.get((m, "gold"), 0),
        )
        for m in _months(f)
    ]


def funnel(session: Session, f: ReportFilters) -> list[FunnelRow]:
    """Per organisation and staff group in the range: registrations and each level's completions.

    Two grouped queries over the rollups, merged by group key: the number of groups is
    organisations x staff groups, never the number of learners.
    """
    lm, cm = ReportLearnerMonth, ReportCompletionMonth
    registered = session.execute(
        _grouped(
            select(lm.organisation_id, lm.staff_group, func.sum(lm.registered)), lm, f
        ).group_by(lm.organisation_id, lm.staff_group)
    )
    held = session.execute(
        _grouped(
            select(cm.organisation_id, cm.staff_group, cm.achievement, func.sum(cm.completions)),
            cm,
            f,
        ).group_by(cm.organisation_id, cm.staff_group, cm.achievement)
    )
    groups: dict[tuple[int, str], dict[str, int]] = {}
    for org, staff, n in registered:
        groups.setdefault((org, staff), {})["registered"] = int(n)
    for org, staff, tier, n in held:
        groups.setdefault((org, staff), {})[tier] = int(n)
    names = _organisation_names(session, {org for org, _ in groups if org})
    rows = [
        FunnelRow(
            organisation=names.get(org, "No organisation"),
            staff_group=STAFF_GROUPS.get(staff, staff),
            registered=c.get("registered", 0),
            bronze=c.get("bronze", 0),
            silver=c.get("silver", 0),
            gold=c.get("gold", 0),
        )
        for (org, staff), c in groups.items()
    ]
    return sorted(rows, key=lambda r: (r.organisation, r.staff_group))


def _organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    )
    return dict(rows.all())


def cohorts_running(session: Session, f: ReportFilters) -> list[CohortRow]:
    """Cohorts running at any time in the range, with active learners and the lead trainer."""
    learners = func.coalesce(ReportCohort.learners, 0)
    query = (
        select(
            Cohort.id,
            Cohort.name,
            Organisation.name,
            Cohort.starts_on,
            Cohort.ends_on,
            learners,
            User.full_name,
        )
        .outerjoin(Organisation, Organisation.id == Cohort.organisation_id)
        .outerjoin(ReportCohort, ReportCohort.cohort_id == Cohort.id)
        .outerjoin(
            CohortTrainer, and_(CohortTrainer.cohort_id == Cohort.id, CohortTrainer.role == "lead")
        )
        .outerjoin(User, User.id == CohortTrainer.user_id)
        .where(Cohort.starts_on <= f.date_to, Cohort.ends_on >= f.date_from)
        .order_by(Cohort.starts_on, Cohort.id)
    )
    if f.organisation_id is not None:
        query = query.where(Cohort.organisation_id == f.organisation_id)
    return [
        CohortRow(
            id=i,
            name=name,
            organisation=org,
            starts_on=starts,
            ends_on=ends,
            learners=int(n),
            lead_trainer=lead,
        )
        for i, name, org, starts, ends, n, lead in session.execute(query)
    ]


def projects(session: Session, f: ReportFilters) -> list[ProjectRow]:
    """Projects signed off in the range, by organisation, and how many show improvement."""
    t = ReportProject
    query = (
        select(
            t.organisation_id,
            func.count(),
            func.sum(case((t.shows_improvement, 1), else_=0)),
            func.sum(case((t.judged_exemplary, 1), else_=0)),
        )
        .where(t.month >= month_key(f.start), t.month <= month_key(f.end_day))
        .group_by(t.organisation_id)
    )
    if f.organisation_id is not None:
        query = query.where(t.organisation_id == f.organisation_id)
    counts = session.execute(query).all()
    names = _organisation_names(session, {org for org, _, _, _ in counts if org})
    rows = [
        ProjectRow(
            organisation=names.get(org, "No organisation"),
            signed_off=int(n),
            showing_improvement=int(i or 0),
            judged_exemplary=int(e or 0),
        )
        for org, n, i, e in counts
    ]
    return sorted(rows, key=lambda r: r.organisation)


def quiz_pass_rates(session: Session, f: ReportFilters) -> list[QuizRow]:
    """Per module: attempts and passing attempts in the range."""
    t = ReportQuizMonth
    query = (
        select(t.module_id, func.sum(t.attempts), func.sum(t.passed))
        .where(
            t.month >= month_key(f.start),
            t.month <= month_key(f.end_day),
            # the refresh keeps totals per organisation, per staff group and overall
            t.organisation_id == (TOTAL_ORG if f.organisation_id is None else f.organisation_id),
            t.staff_group == (f.staff_group or ALL_STAFF),
        )
        .group_by(t.module_id)
    )
    counts = {m: (int(a), int(p)) for m, a, p in session.execute(query)}
    modules = session.execute(
        select(Module.id, Module.slug, Module.title, Module.tier)
        .where(Module.retired_at.is_(None))
        .order_by(case({t: i for i, t in enumerate(TIERS)}, value=Module.tier), Module.position)
    )
    return [
        QuizRow(
            slug=slug,
            title=title,
            tier=tier,
            attempts=counts.get(mid, (0, 0))[0],
            passed=counts.get(mid, (0, 0))[1],
        )
        for mid, slug, title, tier in modules
    ]


def quiz_passes_by_organisation(session: Session, f: ReportFilters) -> list[OrganisationRate]:
    """Per organisation: passing quiz attempts out of all attempts in the range (every module),
    for comparing organisations on a funnel plot."""
    t = ReportQuizMonth
    query = (
        select(t.organisation_id, func.sum(t.passed), func.sum(t.attempts))
        .where(
            t.month >= month_key(f.start),
            t.month <= month_key(f.end_day),
            t.organisation_id != TOTAL_ORG,
            t.staff_group == (f.staff_group or ALL_STAFF),
        )
        .group_by(t.organisation_id)
    )
    if f.organisation_id is not None:
        query = query.where(t.organisation_id == f.organisation_id)
    counts = [(org, int(p), int(a)) for org, p, a in session.execute(query) if a]
    names = _organisation_names(session, {org for org, _, _ in counts if org})
    rows = [
        OrganisationRate(organisation=names.get(org, "No organisation"), count=p, out_of=a)
        for org, p, a in counts
    ]
    return sorted(rows, key=lambda r: r.organisation)


def organisations(session: Session) -> list[tuple[int, str]]:
    return list(
        session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name))
    )
