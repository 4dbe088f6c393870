"""Teams' (or learners') measures side by side for their trainer: a funnel plot per measure that
two or more projects of a cohort share by name, from each project's latest period.

Only proportions and rates: a funnel compares cases out of a denominator (or events per exposure)
at one point in time, and a measurement has no denominator to say how much chance there is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.analysis import funnel_view
from app.analysis.funnel import Overdispersion
from app.projects.dataio import day
from app.projects.measure_charts import RATE_PER
from app.projects.models import DataPoint, Measure, Project
from app.projects.schemas import CohortProjectRow


@dataclass(frozen=True)
class Comparison:
    name: str
    data_type: str
    unit: str
    periods: str  # which periods the dots are, in words
    view: funnel_view.FunnelView


def measure_funnels(
    session: Session,
    *,
    cohort_id: int,
    rows: list[CohortProjectRow],
    spread: Overdispersion = "none",
) -> list[Comparison]:
    """One funnel per proportion or rate measure shared by name across the cohort's projects."""
    owners = {r.project_id: r.owner for r in rows if r.project_id is not None}
    measures = session.execute(
        select(Measure.id, Measure.project_id, Measure.name, Measure.data_type, Measure.unit)
        .join(Project, Project.id == Measure.project_id)
        .where(Project.cohort_id == cohort_id, Measure.data_type.in_(("proportion", "rate")))
    ).all()
    latest: dict[int, DataPoint] = {}
    ids = [m.id for m in measures]
    for point in session.scalars(
        select(DataPoint).where(DataPoint.measure_id.in_(ids)).order_by(DataPoint.period)
    ):
        if point.denominator:
            latest[point.measure_id] = point  # the last one read is the latest period
    groups: dict[tuple[str, str], list[tuple[str, DataPoint, str]]] = {}
    for m in measures:
        if m.id in latest and m.project_id in owners:
            key = (m.name.strip().lower(), m.data_type)
            groups.setdefault(key, []).append((owners[m.project_id], latest[m.id], m.name))
    out: list[Comparison] = []
    for (_, data_type), units in sorted(groups.items()):
        units.sort(key=lambda u: u[0])
        proportion = data_type == "proportion"
        view = funnel_view.compare(
            [u[0] for u in units],
            [u[1].value for u in units],
            [u[1].denominator or 0.0 for u in units],
            title=f"{units[0][2]}: the latest period of each project",
            chart_id=f"funnel-{len(out) + 1}",
            denominator_label="Denominator" if proportion else "Exposure",
            kind="proportion" if proportion else "rate",
            multiply=100.0 if proportion else RATE_PER,
            unit="%" if proportion else "",
            spread=spread,
        )
        if view is None:
            continue
        dates = sorted({u[1].period for u in units})
        when = day(dates[0]) if len(dates) == 1 else f"{day(dates[0])} to {day(dates[-1])}"
        unit = "" if proportion else f" per {RATE_PER:,.0f} of exposure"
        out.append(Comparison(units[0][2], data_type, unit, when, view))
    return out
