"""Report rollups: monthly counts built in SQL, refreshed in full or incrementally, read by every report.

The refresh reads accounts, credentials, cohorts, quizzes and projects tables directly (reports
are a read model) and writes only the report_* tables.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, literal, select, text
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.analysis import spc
from app.cohorts.models import Cohort, Enrolment
from app.core.db import as_utc, utcnow
from app.credentials.models import Credential
from app.projects.measure_charts import series_of
from app.projects.models import DataPoint, Measure, MeasureRebase, Project, Submission
from app.projects.schemas import PointPublic
from app.quizzes.models import QuizAttempt
from app.reports.models import (
    ReportCohort,
    ReportCompletionMonth,
    ReportLearnerMonth,
    ReportProject,
    ReportQuizMonth,
    ReportRefresh,
)
from app.reports.sql import month_of

TIERS = ("bronze", "silver", "gold")
TOTAL_ORG = -1  # quiz rows summed over every organisation
ALL_STAFF = "*"  # quiz rows summed over every staff group


REFRESH_SECONDS = 60
# Rows committed a little after a refresh can carry earlier timestamps: re-read this much.
_OVERLAP = timedelta(hours=1)


@dataclass(frozen=True)
class RefreshResult:
    from_month: str | None  # None: a full rebuild
    duration_ms: int


def _month_start(month: str) -> datetime:
    return datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=UTC)


def month_key(moment: date | datetime) -> str:
    """'YYYY-MM' of a day or a moment, as the rollups key their months."""
    return f"{moment.year:04d}-{moment.month:02d}"


def _upsert_add(
    session: Session, table: Any, query: Any, columns: list[str], sums: list[str]
) -> None:
    """INSERT ... SELECT that adds to the counts of rows already there (ON CONFLICT DO UPDATE)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt: Any = dialect.insert(table).from_select(columns, query)
    keys = [c.name for c in table.__table__.primary_key.columns]
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={c: getattr(table, c) + stmt.excluded[c] for c in sums}
    )
    session.execute(stmt)


def _group_of(user_id: Any, *, few: bool) -> tuple[Any, Any, Any]:
    """(organisation, staff group, join) for rows keyed by user_id.

    A few rows (an incremental refresh) look each learner up by primary key; many rows (a full
    rebuild) hash-join the learners once.
    """
    if few:
        u = aliased(User)
        org = select(func.coalesce(u.organisation_id, 0)).where(u.id == user_id).scalar_subquery()
        staff = select(u.staff_group).where(u.id == user_id).scalar_subquery()
        return org, staff, None
    return func.coalesce(User.organisation_id, 0), User.staff_group, User.id == user_id


def refresh(session: Session, *, full: bool = False) -> RefreshResult:
    """Bring the monthly rollups up to date: in full, or with what is new since the last refresh.

    Registrations and quiz attempts are append-only, so an incremental refresh adds the rows
    with ids above the last refresh's watermark to the counts (a minute's worth: milliseconds).
    Completions are recounted from the month of the last refresh, and a credential revoked
    since then reopens the month it was awarded in. Rows back-dated into older months or
    deleted (erasure) need `full=True`: `qi-academy reports refresh --full`, nightly.
    """
    started = time.perf_counter()
    now = utcnow()
    state = session.get(ReportRefresh, 1)
    full = full or state is None
    since: str | None = None
    last_user = last_attempt = 0
    if state is not None and not full:
        last = as_utc(state.refreshed_at) - _OVERLAP
        since = month_key(last)
        revoked = session.scalar(
            select(func.min(Credential.awarded_at)).where(Credential.revoked_at >= last)
        )
        if revoked is not None and month_key(as_utc(revoked)) < since:
            since = month_key(as_utc(revoked))
        last_user, last_attempt = state.last_user_id, state.last_attempt_id
    if full:
        for table in (ReportLearnerMonth, ReportCompletionMonth, ReportQuizMonth):
            session.execute(delete(table))
    else:
        session.execute(delete(ReportCompletionMonth).where(ReportCompletionMonth.month >= since))
    top_user = session.scalar(select(func.max(User.id))) or 0
    top_attempt = session.scalar(select(func.max(QuizAttempt.id))) or 0

    month = month_of(session, User.created_at)
    org = func.coalesce(User.organisation_id, 0)
    learners = (
        select(month, org, User.staff_group, func.count())
        .where(User.id > last_user, User.id <= top_user)
        .group_by(month, org, User.staff_group)
    )
    _upsert_add(
        session,
        ReportLearnerMonth,
        learners,
        ["month", "organisation_id", "staff_group", "registered"],
        ["registered"],
    )

    org, staff, join = _group_of(Credential.user_id, few=not full)
    awards = select(
        month_of(session, Credential.awarded_at).label("month"),
        org.label("org"),
        staff.label("staff"),
        Credential.achievement,
    ).where(Credential.status == "active", Credential.achievement.in_(TIERS))
    if join is not None:
        awards = awards.join(User, join)
    if since:
        awards = awards.where(Credential.awarded_at >= _month_start(since))
    a = awards.subquery()
    session.execute(
        insert(ReportCompletionMonth).from_select(
            ["month", "organisation_id", "staff_group", "achievement", "completions"],
            select(a.c.month, a.c.org, a.c.staff, a.c.achievement, func.count()).group_by(
                a.c.month, a.c.org, a.c.staff, a.c.achievement
            ),
        )
    )

    org, staff, join = _group_of(QuizAttempt.user_id, few=not full)
    rows = select(
        month_of(session, QuizAttempt.created_at).label("month"),
        org.label("org"),
        staff.label("staff"),
        QuizAttempt.module_id,
        case((QuizAttempt.passed.is_(True), 1), else_=0).label("passed"),
    ).where(QuizAttempt.id > last_attempt, QuizAttempt.id <= top_attempt)
    if join is not None:
        rows = rows.join(User, join)
    q = rows.subquery()
    columns = ["month", "organisation_id", "staff_group", "module_id", "attempts", "passed"]
    if full:  # the fine rows from the attempts, then the totals from the fine rows
        session.execute(
            insert(ReportQuizMonth).from_select(
                columns,
                select(
                    q.c.month, q.c.org, q.c.staff, q.c.module_id, func.count(), func.sum(q.c.passed)
                ).group_by(q.c.month, q.c.org, q.c.staff, q.c.module_id),
            )
        )
        fine = ReportQuizMonth
        q = (
            select(
                fine.month,
                fine.organisation_id.label("org"),
                fine.staff_group.label("staff"),
                fine.module_id,
                fine.attempts,
                fine.passed,
            )
            .where(fine.organisation_id != TOTAL_ORG, fine.staff_group != ALL_STAFF)
            .subquery()
        )
        sums: tuple[Any, Any] = (func.sum(q.c.attempts), func.sum(q.c.passed))
        key = (q.c.month, q.c.module_id)
    else:
        sums = (func.count(), func.sum(q.c.passed))
        key = (q.c.month, q.c.module_id)
    sets: list[tuple[Any, Any]] = [(q.c.org, q.c.staff)] if not full else []
    sets += [
        (literal(TOTAL_ORG), literal(ALL_STAFF)),
        (literal(TOTAL_ORG), q.c.staff),
        (q.c.org, literal(ALL_STAFF)),
    ]
    for org_col, staff_col in sets:
        grouped = [c for c in (org_col, staff_col) if not isinstance(c, type(literal(0)))]
        query = select(key[0], org_col, staff_col, key[1], *sums).group_by(*key, *grouped)
        _upsert_add(session, ReportQuizMonth, query, columns, ["attempts", "passed"])

    _refresh_projects(session, start=_month_start(since) if since else None)
    _refresh_cohorts(session)
    duration = int((time.perf_counter() - started) * 1000)
    if state is None:
        state = ReportRefresh(id=1, refreshed_at=now, full_at=now, from_month="", duration_ms=0)
        session.add(state)
    state.refreshed_at = now
    state.from_month = since or ""
    state.duration_ms = duration
    state.last_user_id, state.last_attempt_id = top_user, top_attempt
    if full:
        state.full_at = now
    session.flush()
    if full and session.get_bind().dialect.name == "postgresql":
        for name in ("report_learner_month", "report_completion_month", "report_quiz_month"):
            session.execute(text(f"ANALYZE {name}"))  # fresh statistics for the range scans
    return RefreshResult(from_month=since, duration_ms=duration)


def _refresh_cohorts(session: Session) -> None:
    """Recount every cohort: enrolments move and Silver is awarded at any time, so no watermark."""
    silver = and_(
        Credential.user_id == Enrolment.user_id,
        Credential.achievement == "silver",
        Credential.status == "active",  # at most one per learner (a partial unique index)
    )
    session.execute(delete(ReportCohort))
    session.execute(
        insert(ReportCohort).from_select(
            ["cohort_id", "learners", "to_silver"],
            select(Enrolment.cohort_id, func.count(), func.count(Credential.user_id))
            .outerjoin(Credential, silver)
            .where(Enrolment.status == "active")
            .group_by(Enrolment.cohort_id),
        )
    )


def cohort_reach() -> Any:
    """Per cohort (a subquery): cohort_id, learners, to_silver, as of the last refresh."""
    return select(ReportCohort.cohort_id, ReportCohort.learners, ReportCohort.to_silver).subquery()


def refreshed_at(session: Session) -> datetime | None:
    """When the rollups were last brought up to date (None: never, so every figure would be 0)."""
    state = session.get(ReportRefresh, 1)
    return as_utc(state.refreshed_at) if state is not None else None


def refresh_if_stale(
    session: Session,
    *,
    max_age_seconds: int = REFRESH_SECONDS,
    full_after: timedelta | None = None,
) -> bool:
    """Bring the rollups up to date when they are older than a minute. True if it refreshed.

    With `full_after`, rebuild them in full when the last full rebuild is that old (the
    background refresher passes a day: back-dated rows and erasures reach the reports overnight).
    The row lock on report_refresh (PostgreSQL) or the write lock (SQLite) means two processes
    refreshing at once take turns; the second finds the rollups fresh.
    """
    state = session.scalar(select(ReportRefresh).where(ReportRefresh.id == 1).with_for_update())
    now = utcnow()
    if state is not None and full_after is not None and now - as_utc(state.full_at) >= full_after:
        refresh(session, full=True)
        return True
    if state is not None and now - as_utc(state.refreshed_at) < timedelta(seconds=max_age_seconds):
        return False
    refresh(session)
    return True


_CHUNK = 500


def shows_improvement(
    values: list[float], *, direction: str, baseline: int | None, rebase: list[int]
) -> bool:
    """A special cause in the improvement direction on the XmR chart (Making Data Count rules)."""
    if direction not in ("increase", "decrease") or len(values) < 2:
        return False
    try:
        chart = spc.xmr_mdc(
            values,
            baseline=baseline,
            improvement=direction,  # type: ignore[arg-type]
            rebase=rebase,
        )
    except (spc.SeriesError, ValueError):
        return False
    return any(p.point_type == "special_cause_improvement" for p in chart.points)


def _refresh_projects(session: Session, *, start: datetime | None) -> None:
    """Judge newly signed-off projects once; the dashboard then only counts rows."""
    if start is None:
        session.execute(delete(ReportProject))
    else:  # projects no longer signed off (reopened, deleted) drop out
        session.execute(
            delete(ReportProject).where(
                ReportProject.project_id.not_in(
                    select(Project.id).where(Project.status == "signed_off")
                )
            )
        )
    query = (
        select(Project.id, func.coalesce(Cohort.organisation_id, 0), Project.signed_off_at)
        .join(Cohort, Cohort.id == Project.cohort_id)
        .where(Project.status == "signed_off", Project.signed_off_at.is_not(None))
    )
    if start is not None:
        query = query.where(Project.signed_off_at >= start)
    signed = session.execute(query).all()
    for i in range(0, len(signed), _CHUNK):
        chunk = signed[i : i + _CHUNK]
        ids = [p for p, _, _ in chunk]
        improving = _improving(session, project_ids=ids)
        exemplary = set(
            session.scalars(
                select(Submission.project_id).where(
                    Submission.project_id.in_(ids),
                    Submission.status == "signed_off",
                    Submission.impact == "exemplary",
                )
            )
        )
        session.execute(delete(ReportProject).where(ReportProject.project_id.in_(ids)))
        session.add_all(
            ReportProject(
                project_id=pid,
                organisation_id=org,
                month=month_key(as_utc(at or utcnow())),
                shows_improvement=pid in improving,
                judged_exemplary=pid in exemplary,
            )
            for pid, org, at in chunk
        )
    session.flush()


def _improving(session: Session, *, project_ids: list[int]) -> set[int]:
    """Which of these projects' main outcome measures show improvement: three queries."""
    measures = session.execute(
        select(
            Measure.id,
            Measure.project_id,
            Measure.direction,
            Measure.baseline_points,
            Measure.data_type,
        ).where(Measure.project_id.in_(project_ids), Measure.is_main.is_(True))
    ).all()
    ids = [m.id for m in measures]
    if not ids:
        return set()
    stored: dict[int, list[PointPublic]] = {m: [] for m in ids}
    for mid, period, value, denominator in session.execute(
        select(DataPoint.measure_id, DataPoint.period, DataPoint.value, DataPoint.denominator)
        .where(DataPoint.measure_id.in_(ids))
        .order_by(DataPoint.measure_id, DataPoint.period)
    ):
        stored[mid].append(PointPublic(period=period, value=value, denominator=denominator))
    # As the measure's XmR chart plots them: percentages, rates, or days between rare events.
    points: dict[int, list[tuple[date, float]]] = {}
    for m in measures:
        charted = series_of(m.data_type, stored[m.id])
        points[m.id] = list(zip(charted.dates, charted.plotted, strict=True))
    rebases: dict[int, list[date]] = {m: [] for m in ids}
    for mid, starts in session.execute(
        select(MeasureRebase.measure_id, MeasureRebase.starts_on).where(
            MeasureRebase.measure_id.in_(ids)
        )
    ):
        rebases[mid].append(starts)
    out = set()
    for mid, project_id, direction, baseline, _ in measures:
        series = points[mid]
        rebase = sorted(
            {
                next((i for i, (p, _) in enumerate(series) if p >= d), len(series))
                for d in rebases[mid]
            }
            - {0, len(series)}
        )
        if shows_improvement(
            [v for _, v in series], direction=direction, baseline=baseline, rebase=rebase
        ):
            out.add(project_id)
    return out
