"""Chart pages: every measure's charts, one chart as accessible SVG with its words, and its PNG."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.core.deps import SessionDep
from app.core.errors import NotFound
from app.core.responses import attachment
from app.projects import chart_data, chooser, service
from app.projects import charts as project_charts
from app.projects.constants import MEASURE_KIND_NAMES
from app.projects.dependencies import ProjectForReader
from app.projects.pages.common import Page, page_router, workspace_page
from app.projects.permissions import ProjectAccess
from app.projects.schemas import ChartType

pages = page_router()

ChartTypeQuery = Annotated[ChartType | None, Query(alias="type")]


def _charts(request: Request, access: ProjectAccess, session: Session) -> Page:
    context = {
        "measures": service.measures(session, project_id=access.project.id),
        "default_type": project_charts.default_type,
        "available_types": project_charts.available_types,
        "kinds": MEASURE_KIND_NAMES,
    }
    return workspace_page(request, access, "charts", "charts.html", "Charts", context)


def _chart(
    request: Request,
    access: ProjectAccess,
    session: Session,
    measure_id: int,
    kind: ChartType | None,
) -> Page:
    view = chart_data.measure_chart(
        session, project_id=access.project.id, measure_id=measure_id, chart_type=kind
    )
    measure = service.measure_data(session, project_id=access.project.id, measure_id=measure_id)
    context = {
        "view": view,
        "measure_id": measure_id,
        "fmt": project_charts.charts.fmt,
        "others": [t for t in project_charts.available_types(measure) if t[0] != view.chart_type],
        "recommendation": chooser.recommend(measure.data_type),
        "own": project_charts.default_type(measure.method) == view.chart_type,
    }
    return workspace_page(request, access, "charts", "chart.html", view.title, context)


def chart_png_download(
    session: Session, access: ProjectAccess, measure_id: int, kind: ChartType | None
) -> Response:
    """The chart as a PNG download, or 404 saying why it cannot be drawn yet."""
    view = chart_data.measure_chart(
        session, project_id=access.project.id, measure_id=measure_id, chart_type=kind
    )
    png = view.png()
    if png is None:
        raise NotFound(view.message or "This chart cannot be drawn yet.")
    name = f"project-{access.project.id}-measure-{measure_id}-{view.chart_type}.png"
    return attachment(png, filename=name, media_type="image/png", private=False)  # see write_up


@pages.get("/projects/{project_id}/charts")
def charts_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """Every measure's charts, with links to each chart and its PNG download."""
    return _charts(request, access, session).render(request)


@pages.get("/projects/{project_id}/measures/{measure_id}/chart")
def chart_page(
    request: Request,
    access: ProjectForReader,
    measure_id: int,
    session: SessionDep,
    chart_type: ChartTypeQuery = None,
) -> Response:
    """The measure's chart (or another it can draw) as accessible SVG, its signals in words, and a data table."""
    return _chart(request, access, session, measure_id, chart_type).render(request)


@pages.get("/projects/{project_id}/measures/{measure_id}/chart.png")
def chart_png(
    access: ProjectForReader,
    measure_id: int,
    session: SessionDep,
    chart_type: ChartTypeQuery = None,
) -> Response:
    """The chart as a PNG image for reports."""
    return chart_png_download(session, access, measure_id, chart_type)
