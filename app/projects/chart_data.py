"""A measure's chart from what the project holds: for the chart pages, the write-up and the API."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.projects import charts as project_charts
from app.projects import export, service
from app.projects.charts import ChartView
from app.projects.schemas import (
    ChartPublic,
    ChartRowPublic,
    ChartType,
    PdsaMarkPublic,
    SignalPublic,
)


def measure_chart(
    session: Session, *, project_id: int, measure_id: int, chart_type: ChartType | None
) -> ChartView:
    """The measure's chart of this type (left out: its own, from its rules), with the project's
    PDSA cycles marked on it."""
    measure = service.measure_data(session, project_id=project_id, measure_id=measure_id)
    cycles = service.cycles(session, project_id=project_id)
    if chart_type is None:
        chart_type = project_charts.default_type(measure.method)
    elif chart_type not in dict(project_charts.available_types(measure)):
        raise NotFound(
            f"A {project_charts.type_name(chart_type)} cannot be drawn for this measure; its "
            "page lists the charts it can use."
        )
    return project_charts.build(measure, cycles, chart_type)


def chart_public(view: ChartView) -> ChartPublic:
    """The chart in words for the API: centre, limits, signals, notes per point, PDSA marks."""
    return ChartPublic(
        type=view.chart_type,
        title=view.title,
        rules=view.rules,
        available=view.chart is not None,
        message=view.message,
        description=view.description,
        summary=view.summary,
        signals=[SignalPublic(**vars(s)) for s in view.signals],
        notices=view.notices,
        data=[ChartRowPublic(**vars(r)) for r in view.rows],
        pdsa=[PdsaMarkPublic(**vars(m)) for m in view.marks],
        improvement=view.improvement,
    )


def export_charts(session: Session, *, project_id: int, base_url: str) -> list[export.Chart]:
    """Each measure's own chart (run or XmR, from its rule set), for the write-up."""
    cycles = service.cycles(session, project_id=project_id)
    out = []
    for m in service.measures(session, project_id=project_id):
        kind = project_charts.default_type(m.method)
        url = f"{base_url}/projects/{project_id}/measures/{m.id}/chart.png?type={kind}"
        out.append(export.Chart(m, project_charts.build(m, cycles, kind), url))
    return out
