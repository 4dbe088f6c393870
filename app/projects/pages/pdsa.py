"""PDSA cycle pages: the list with a form to plan one, and one cycle with a form to update it."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from app.core.deps import SessionDep
from app.core.errors import AppError, NotFound
from app.core.forms import form_dict
from app.core.responses import done_redirect
from app.projects import charts as project_charts
from app.projects import service
from app.projects.constants import DECISION_NAMES
from app.projects.dependencies import ProjectForMember, ProjectForReader
from app.projects.pages.common import Page, dates, nones, page_router, workspace_page
from app.projects.permissions import ProjectAccess
from app.projects.schemas import PdsaIn, PdsaPublic

pages = page_router()

PDSA_FIELDS = (
    "title",
    "change_idea_id",
    "starts_on",
    "ends_on",
    "plan",
    "prediction",
    "do",
    "study",
    "act",
    "decision",
)


def pdsa_form(form: FormData) -> dict[str, Any]:
    return nones(form_dict(form, *PDSA_FIELDS), "change_idea_id", "ends_on", "decision")


def pdsa_in(form: dict[str, Any]) -> PdsaIn:
    """The cycle as sent, with its dates read as on the data forms (ValidationError if wrong)."""
    return PdsaIn.model_validate(dates(form, "starts_on", "ends_on"))


def cycle_values(cycle: PdsaPublic) -> dict[str, Any]:
    """A stored cycle as the form shows it."""
    values = cycle.model_dump()
    values["starts_on"] = cycle.starts_on.isoformat()
    values["ends_on"] = cycle.ends_on.isoformat() if cycle.ends_on else ""
    values["change_idea_id"] = str(cycle.change_idea_id or "")
    values["decision"] = cycle.decision or ""
    return values


def _pdsa(
    request: Request,
    access: ProjectAccess,
    session: Session,
    *,
    cycle_id: int | None = None,
    form: dict[str, Any] | None = None,
) -> Page:
    """The list of cycles (`cycle_id` None) or one cycle's page."""
    cycles = service.cycles(session, project_id=access.project.id)
    ideas = [
        n for n in service.nodes(session, project_id=access.project.id) if n.kind == "change_idea"
    ]
    labels = project_charts.pdsa_labels(cycles)
    current = None
    if cycle_id is not None:
        current = next((c for c in cycles if c.id == cycle_id), None)
        if current is None:
            raise NotFound("This project has no such PDSA cycle.")
    values = form if form is not None else (cycle_values(current) if current else {})
    title = f"{labels[current.id]}: {current.title}" if current else "PDSA cycles"
    template = "pdsa_cycle.html" if cycle_id is not None else "pdsa.html"
    context = {
        "cycles": cycles,
        "labels": labels,
        "ideas": ideas,
        "cycle": current,
        "form": values,
        "decisions": DECISION_NAMES,
    }
    return workspace_page(request, access, "pdsa", template, title, context)


@pages.get("/projects/{project_id}/pdsa")
def pdsa_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """The PDSA cycles, each linked to a change idea, and a form to plan a new one."""
    return _pdsa(request, access, session).render(request)


@pages.post("/projects/{project_id}/pdsa")
async def pdsa_add(request: Request, access: ProjectForMember, session: SessionDep) -> Response:
    """Record a PDSA cycle."""
    form = pdsa_form(await request.form())
    try:
        row = service.create_cycle(session, access=access, data=pdsa_in(form))
    except (ValidationError, AppError) as exc:
        raise _pdsa(request, access, session, form=form).refuse(exc, "ends_on") from exc
    return done_redirect(f"/projects/{access.project.id}/pdsa/{row.id}", "saved")


@pages.get("/projects/{project_id}/pdsa/{cycle_id}")
def pdsa_cycle_page(
    request: Request, access: ProjectForReader, cycle_id: int, session: SessionDep
) -> Response:
    """One PDSA cycle: plan with prediction, do, study, act, and a form to update it."""
    return _pdsa(request, access, session, cycle_id=cycle_id).render(request)


@pages.post("/projects/{project_id}/pdsa/{cycle_id}")
async def pdsa_edit(
    request: Request, access: ProjectForMember, cycle_id: int, session: SessionDep
) -> Response:
    """Update a PDSA cycle as it runs: what happened, what it showed, what next."""
    form = pdsa_form(await request.form())
    try:
        service.update_cycle(session, access=access, cycle_id=cycle_id, data=pdsa_in(form))
    except (ValidationError, AppError) as exc:
        page = _pdsa(request, access, session, cycle_id=cycle_id, form=form)
        raise page.refuse(exc, "ends_on") from exc
    return done_redirect(f"/projects/{access.project.id}/pdsa/{cycle_id}", "saved")


@pages.post("/projects/{project_id}/pdsa/{cycle_id}/delete")
def pdsa_delete(access: ProjectForMember, cycle_id: int, session: SessionDep) -> Response:
    """Delete a PDSA cycle."""
    service.delete_cycle(session, access=access, cycle_id=cycle_id)
    return done_redirect(f"/projects/{access.project.id}/pdsa", "deleted")
