"""Measures: the family of measures, one measure's page with its settings, and the dates its
XmR limits are recalculated from (its data is in data.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from app.core.deps import SessionDep
from app.core.errors import AppError
from app.core.forms import form_dict
from app.core.responses import done_redirect
from app.projects import charts as project_charts
from app.projects import chooser, dataio, service
from app.projects.constants import DIRECTION_NAMES, MEASURE_KIND_NAMES, METHOD_NAMES, PAIRED_TYPES
from app.projects.dependencies import ProjectForMember, ProjectForReader
from app.projects.pages.common import Page, dates, nones, page_router, workspace_page
from app.projects.permissions import ProjectAccess
from app.projects.schemas import MeasureIn, RebaseCreate

pages = page_router()

MEASURE_FIELDS = (
    "kind",
    "data_type",
    "name",
    "definition",
    "unit",
    "direction",
    "target",
    "method",
    "baseline_points",
    "is_main",
)
CHOICES = {
    "kinds": MEASURE_KIND_NAMES,
    "directions": DIRECTION_NAMES,
    "methods": METHOD_NAMES,
    "questions": chooser.QUESTIONS,
    "type_names": chooser.TYPE_NAMES,
    "line_shapes": dataio.LINE_SHAPES,
}


def measure_form(form: FormData, *, was: str | None = None) -> dict[str, Any]:
    """The form's fields; no chart chosen (or a new type, `was` the old one) means the chart
    recommended for the type."""
    values: dict[str, Any] = nones(
        form_dict(form, *MEASURE_FIELDS), "target", "baseline_points", "method"
    )
    values["is_main"] = values["is_main"] == "yes"
    values["data_type"] = values["data_type"] or "continuous"
    if was is not None and values["data_type"] != was:
        values["method"] = None
    return values


def _measures(
    request: Request, access: ProjectAccess, session: Session, form: dict[str, Any] | None = None
) -> Page:
    context = {
        "measures": service.measures(session, project_id=access.project.id),
        "form": form or {"data_type": "continuous"},
        "chart_choices": (),
        "available_types": project_charts.available_types,
        **CHOICES,
    }
    return workspace_page(
        request, access, "measures", "measures.html", "Measures and data", context
    )


def measure_view(
    request: Request,
    access: ProjectAccess,
    session: Session,
    measure_id: int,
    *,
    form: dict[str, Any] | None = None,
    data_errors: Sequence[str] = (),
) -> Page:
    """One measure's page. `form` is the settings form sent, or the data, CSV or rebase form
    sent (under "_point", "_csv" or "_rebase")."""
    measure = service.measure_data(session, project_id=access.project.id, measure_id=measure_id)
    context = {
        "measure": measure,
        "recommendation": chooser.recommend(measure.data_type),
        "chart": chooser.CHARTS[measure.method],
        "chart_choices": chooser.choices(measure.data_type),
        "paired": measure.data_type in PAIRED_TYPES,
        "form": form or measure.model_dump(),
        "data_errors": data_errors,
        "point_form": (form or {}).get("_point", {}),
        "csv_text": (form or {}).get("_csv", ""),
        "rebase_form": (form or {}).get("_rebase", {}),
        **CHOICES,
    }
    return workspace_page(request, access, "measures", "measure.html", measure.name, context)


@pages.get("/projects/{project_id}/measures")
def measures_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """The family of measures (outcome, process, balancing) and a form to define one."""
    return _measures(request, access, session).render(request)


@pages.post("/projects/{project_id}/measures")
async def measures_add(request: Request, access: ProjectForMember, session: SessionDep) -> Response:
    """Define a measure."""
    form = measure_form(await request.form())
    try:
        measure = service.create_measure(
            session, access=access, data=MeasureIn.model_validate(form)
        )
    except (ValidationError, AppError) as exc:
        raise _measures(request, access, session, form).refuse(exc, "kind") from exc
    return done_redirect(f"/projects/{access.project.id}/measures/{measure.id}", "saved")


@pages.get("/projects/{project_id}/measures/{measure_id}")
def measure_page(
    request: Request, access: ProjectForReader, measure_id: int, session: SessionDep
) -> Response:
    """One measure: its definition and settings, its data, and forms to add data."""
    return measure_view(request, access, session, measure_id).render(request)


@pages.post("/projects/{project_id}/measures/{measure_id}")
async def measure_edit(
    request: Request, access: ProjectForMember, measure_id: int, session: SessionDep
) -> Response:
    """Change a measure's definition or chart settings."""
    current = service.measure_data(session, project_id=access.project.id, measure_id=measure_id)
    form = measure_form(await request.form(), was=current.data_type)
    try:
        data = MeasureIn.model_validate(form)
        service.update_measure(session, access=access, measure_id=measure_id, data=data)
    except (ValidationError, AppError) as exc:
        page = measure_view(request, access, session, measure_id, form=form)
        raise page.refuse(exc, "kind") from exc
    return done_redirect(f"/projects/{access.project.id}/measures/{measure_id}", "saved")


@pages.post("/projects/{project_id}/measures/{measure_id}/delete")
def measure_delete(access: ProjectForMember, measure_id: int, session: SessionDep) -> Response:
    """Delete a measure and its data."""
    service.delete_measure(session, access=access, measure_id=measure_id)
    return done_redirect(f"/projects/{access.project.id}/measures", "deleted")


@pages.post("/projects/{project_id}/measures/{measure_id}/rebase")
async def rebase_add(
    request: Request, access: ProjectForMember, measure_id: int, session: SessionDep
) -> Response:
    """Recalculate the XmR limits from a date, after a real change to the process."""
    form = form_dict(await request.form(), "starts_on", "reason")
    try:
        data = RebaseCreate.model_validate(dates(form, "starts_on"))
        service.add_rebase(session, access=access, measure_id=measure_id, data=data)
    except (ValidationError, AppError) as exc:
        page = measure_view(request, access, session, measure_id, form={"_rebase": form})
        raise page.refuse(exc, "starts_on") from exc
    return done_redirect(f"/projects/{access.project.id}/measures/{measure_id}", "saved")


@pages.post("/projects/{project_id}/measures/{measure_id}/rebase/{rebase_id}/delete")
def rebase_delete(
    access: ProjectForMember, measure_id: int, rebase_id: int, session: SessionDep
) -> Response:
    """Stop recalculating the limits from that date."""
    service.delete_rebase(session, access=access, measure_id=measure_id, rebase_id=rebase_id)
    return done_redirect(f"/projects/{access.project.id}/measures/{measure_id}", "deleted")
