"""The portfolio dashboard: an organisation's projects counted by status, score, theme, division
and the lead's staff group, month by month, those with no update for 8 weeks, and those whose
measures show improvement. Each is its own
view (a page and a CSV): one GROUP BY on an index, or one indexed range, so each stays under
100 ms at 100,000 projects (bench/portfolio.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.accounts.constants import STAFF_GROUPS
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.timefmt import day, month
from app.portfolio.constants import KINDS, SCALE, STALE_DAYS, STATUSES, THEMES
from app.portfolio.models import PortfolioProject, PortfolioTheme
from app.projects import service as projects_service

STALE_LIMIT = 100
MONTHS = 12
TABLES = ("status", "score", "theme", "division", "staff_group", "months", "stale", "improving")
IMPROVING_LIMIT = 500
VIEW_NAMES = {
    "status": "Status",
    "score": "Progress score",
    "theme": "Theme",
    "division": "Division or service",
    "staff_group": "Lead's staff group",
    "months": "Month by month",
    "stale": "No update for 8 weeks",
    "improving": "Measures showing improvement",
}


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    header: list[str]
    rows: list[list[Any]]
    numeric: tuple[int, ...] = (1,)
    note: str = ""
    links: dict[int, int] = field(default_factory=dict)  # row index -> project id


class NoSuchTable(NotFound):
    def __init__(self) -> None:
        super().__init__("There is no such table. Go back to the dashboard and choose a download.")


def _month_of(session: Session, column: Any) -> ColumnElement[Any]:
    """The month a timestamp falls in, computed in the database; `_month_key` reads it."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("month", column)
    return func.strftime("%Y-%m", column)


def _month_key(value: Any) -> str:
    return value.strftime("%Y-%m") if isinstance(value, datetime) else str(value)


def _most(pair: tuple[str, int]) -> tuple[int, str]:
    """Largest count first, then by name."""
    return (-pair[1], pair[0])


def _counts(session: Session, org: int, column: Any) -> dict[Any, int]:
    """One GROUP BY on an (organisation_id, column) index: an index-only scan."""
    rows = session.execute(
        select(column, func.count()).where(PortfolioProject.organisation_id == org).group_by(column)
    ).all()
    return {key: int(n) for key, n in rows}


def _status(session: Session, org: int) -> Table:
    counts = _counts(session, org, PortfolioProject.status)
    rows: list[list[Any]] = [[name, counts.get(key, 0)] for key, name in STATUSES.items()]
    rows.append(["All projects", sum(counts.values())])
    return Table("status", "Projects by status", ["Status", "Projects"], rows)


def _score(session: Session, org: int) -> Table:
    counts = _counts(session, org, PortfolioProject.score)
    rows: list[list[Any]] = [
        [f"{s} {name}", counts.get(float(s), 0)] for s, (name, _text) in SCALE.items()
    ]
    rows.append(["No confirmed score yet", counts.get(None, 0)])
    return Table(
        "score", "Projects by latest confirmed IHI progress score", ["Score", "Projects"], rows
    )


def _theme(session: Session, org: int) -> Table:
    found = dict(
        session.execute(
            select(PortfolioTheme.theme, func.count())
            .where(PortfolioTheme.organisation_id == org)
            .group_by(PortfolioTheme.theme)
        ).all()
    )
    pairs = sorted(((name, int(found.get(key, 0))) for key, name in THEMES.items()), key=_most)
    rows: list[list[Any]] = [list(p) for p in pairs]
    return Table(
        "theme",
        "Projects by theme",
        ["Theme", "Projects"],
        rows,
        note="A project can have up to 5 themes, so these add up to more than the projects.",
    )


def _division(session: Session, org: int) -> Table:
    counts = _counts(session, org, PortfolioProject.division)
    pairs = sorted(((str(k or "Not given"), n) for k, n in counts.items()), key=_most)
    rows: list[list[Any]] = [list(p) for p in pairs]
    return Table(
        "division", "Projects by division or service", ["Division or service", "Projects"], rows
    )


def _staff_group(session: Session, org: int) -> Table:
    counts = _counts(session, org, PortfolioProject.lead_staff_group)
    pairs = sorted(((name, counts.get(key, 0)) for key, name in STAFF_GROUPS.items()), key=_most)
    rows: list[list[Any]] = [list(p) for p in pairs]
    return Table(
        "staff_group",
        "Projects by the project lead's staff group",
        ["Staff group", "Projects"],
        rows,
    )


def _month_starts(today: date) -> list[date]:
    first = today.replace(day=1)
    out = [first]
    for _ in range(MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return out[::-1]


def _per_month(session: Session, org: int, column: Any, since: datetime) -> dict[str, int]:
    """Rows per month from `since`: a range on the (organisation_id, column) index."""
    key = _month_of(session, column)
    rows = session.execute(
        select(key, func.count())
        .where(PortfolioProject.organisation_id == org, column >= since)
        .group_by(key)
    ).all()
    return {_month_key(k): int(n) for k, n in rows}


def _months(session: Session, org: int, today: date) -> Table:
    starts = _month_starts(today)
    since = datetime(starts[0].year, starts[0].month, 1, tzinfo=utcnow().tzinfo)
    made = _per_month(session, org, PortfolioProject.created_at, since)
    approved = _per_month(session, org, PortfolioProject.approved_at, since)
    rows = [[month(s), made.get(f"{s:%Y-%m}", 0), approved.get(f"{s:%Y-%m}", 0)] for s in starts]
    return Table(
        "months",
        "Projects registered and approved each month, the last 12 months",
        ["Month", "Registered", "Approved"],
        rows,
        numeric=(1, 2),
    )


def _stale(session: Session, org: int, now: datetime) -> Table:
    cutoff = now - timedelta(days=STALE_DAYS)
    where = (
        PortfolioProject.organisation_id == org,
        PortfolioProject.status == "active",
        PortfolioProject.updated_at < cutoff,
    )
    total = int(session.scalar(select(func.count()).where(*where)) or 0)
    projects = session.execute(
        select(
            PortfolioProject.id,
            PortfolioProject.title,
            PortfolioProject.kind,
            PortfolioProject.division,
            PortfolioProject.updated_at,
        )
        .where(*where)
        .order_by(PortfolioProject.updated_at, PortfolioProject.id)
        .limit(STALE_LIMIT)
    ).all()
    rows = [[p.title, KINDS[p.kind], p.division, day(p.updated_at)] for p in projects]
    shown = f"the {STALE_LIMIT} longest without one are listed" if total > STALE_LIMIT else ""
    return Table(
        "stale",
        f"Active projects with no update for 8 weeks: {total}",
        ["Project", "Kind", "Division or service", "Last change"],
        rows,
        numeric=(),
        note=f"Oldest first; {shown}." if shown else "Oldest first.",
        links={i: p.id for i, p in enumerate(projects)},
    )


def _improving(session: Session, org: int) -> Table:
    """Active Silver cohort projects (the ones with measures and data here) whose charts show
    improvement: a special cause in the measure's own improvement direction, as its page shows."""
    linked = session.execute(
        select(
            PortfolioProject.id,
            PortfolioProject.cohort_project_id,
            PortfolioProject.title,
            PortfolioProject.division,
        )
        .where(
            PortfolioProject.organisation_id == org,
            PortfolioProject.status == "active",
            PortfolioProject.cohort_project_id.is_not(None),
        )
        .order_by(PortfolioProject.updated_at.desc(), PortfolioProject.id)
        .limit(IMPROVING_LIMIT)
    ).all()
    improving = projects_service.improving_measures(
        session, project_ids=[p.cohort_project_id for p in linked if p.cohort_project_id]
    )
    shown = [p for p in linked if p.cohort_project_id in improving]
    rows = [[p.title, p.division, ", ".join(improving[p.cohort_project_id])] for p in shown]
    checked = (
        f"the {IMPROVING_LIMIT} most recently updated" if len(linked) == IMPROVING_LIMIT else ""
    )
    return Table(
        "improving",
        f"Active projects with a measure showing improvement: {len(shown)} of {len(linked)}",
        ["Project", "Division or service", "Measures showing improvement"],
        rows,
        numeric=(),
        note=(
            "Counted among active Silver cohort projects, which record their measures here"
            + (f" ({checked})." if checked else ".")
            + " A measure shows improvement when its XmR chart has a special cause in the"
            " direction the team wants (Making Data Count rules)."
        ),
        links={i: p.id for i, p in enumerate(shown)},
    )


BUILDERS = {
    "status": _status,
    "score": _score,
    "theme": _theme,
    "division": _division,
    "staff_group": _staff_group,
    "improving": _improving,
}


def table(
    session: Session, *, organisation_id: int, key: str, now: datetime | None = None
) -> Table:
    """One view of the dashboard: one or two statements on indexes."""
    if key not in TABLES:
        raise NoSuchTable()
    when = now or utcnow()
    if key == "months":
        return _months(session, organisation_id, when.date())
    if key == "stale":
        return _stale(session, organisation_id, when)
    return BUILDERS[key](session, organisation_id)
