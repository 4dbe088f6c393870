"""The learner's projects, starting one, and a project's overview and aim, team and driver
diagram."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import CurrentUser
from app.accounts.models import User
from app.core.deps import SessionDep
from app.core.errors import AppError
from app.core.forms import form_dict
from app.core.responses import done_redirect
from app.projects import aim as aim_helper
from app.projects import service, views
from app.projects.constants import NODE_NAMES
from app.projects.dependencies import ProjectForMember, ProjectForReader
from app.projects.exceptions import ProjectExists
from app.projects.pages.common import Page, form_errors, page_router, status_of, workspace_page
from app.projects.permissions import ProjectAccess
from app.projects.schemas import MemberCreate, NodeCreate, NodeUpdate, ProjectStart, ProjectUpdate

pages = page_router()

NARRATIVE = ("title", "problem", "background", "setting", "aim", "reflection", "sustainability")


# --- learner: my projects ---------------------------------------------------------------------


def _projects(user: User, session: Session, *, form: dict[str, str] | None = None) -> Page:
    return Page(
        "projects/my_projects.html",
        {
            "title": "My projects",
            "nav": "projects",
            "rows": service.my_projects(session, user=user),
            "errors": {},
            "form": form or {},
            "status_label": views.status_label,
            "colours": views.STATUS_COLOURS,
        },
    )


def _start_errors(exc: ValidationError | AppError) -> dict[str, str]:
    """The page has one field to show errors on: a bad cohort is told beside the title."""
    errors = form_errors(exc, "title")
    if "cohort_id" in errors:
        errors["title"] = errors.pop("cohort_id")
    return errors


@pages.get("/projects")
def my_projects(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """The learner's cohorts and their project in each (or a button to start it)."""
    return _projects(user, session).render(request)


@pages.post("/projects")
async def start_project(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Start the learner's (or their team's) project in a cohort."""
    form = form_dict(await request.form(), "cohort_id", "title")
    try:
        project = service.start_project(session, user=user, data=ProjectStart.model_validate(form))
    except ProjectExists as exc:
        session.rollback()  # nothing half-written: the one that exists is opened instead
        return RedirectResponse(f"/projects/{exc.project_id}", status_code=303)
    except (ValidationError, AppError) as exc:
        page = _projects(user, session, form=form)
        raise page.invalid(_start_errors(exc), status_of(exc)) from exc
    return done_redirect(f"/projects/{project.id}", "started")


# --- overview and aim -------------------------------------------------------------------------


def _overview(
    request: Request, access: ProjectAccess, session: Session, form: dict[str, str] | None = None
) -> Page:
    project = service.project_public(session, access=access)
    values = form or {k: getattr(project, k) for k in NARRATIVE}
    decided = [h for h in service.history(session, project_id=project.id) if h.decided_at]
    context = {
        "project": project,
        "form": values,
        # The trainer's latest decision and comment, here as well as on the History tab.
        "latest_decision": decided[0] if decided else None,
        "checks": aim_helper.check_aim(values["aim"]) if values["aim"].strip() else [],
        "hints": aim_helper.aim_hints(values["aim"]),
    }
    return workspace_page(request, access, "overview", "overview.html", "Overview and aim", context)


@pages.get("/projects/{project_id}")
def overview_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """The problem, the aim (with the aim helper's checks) and the write-up's narrative."""
    return _overview(request, access, session).render(request)


@pages.post("/projects/{project_id}")
async def overview_submit(
    request: Request, access: ProjectForMember, session: SessionDep
) -> Response:
    """Save the narrative; the aim helper's hints never block saving."""
    form = form_dict(await request.form(), *NARRATIVE)
    try:
        service.update_project(session, access=access, data=ProjectUpdate.model_validate(form))
    except (ValidationError, AppError) as exc:
        raise _overview(request, access, session, form).refuse(exc, "title") from exc
    return done_redirect(f"/projects/{access.project.id}", "saved")


# --- team -------------------------------------------------------------------------------------


def _team(
    request: Request, access: ProjectAccess, session: Session, form: dict[str, str] | None = None
) -> Page:
    context = {
        "members": service.members(session, project_id=access.project.id),
        "enrolled": service.team_member_names(session, project=access.project),
        "is_team": access.project.team_id is not None,
        "form": form or {},
    }
    return workspace_page(request, access, "team", "team.html", "Team", context)


@pages.get("/projects/{project_id}/team")
def team_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """Who works on the project: the team's learners and the colleagues they list."""
    return _team(request, access, session).render(request)


@pages.post("/projects/{project_id}/team")
async def team_add(request: Request, access: ProjectForMember, session: SessionDep) -> Response:
    """Add a person to the project team."""
    form = form_dict(await request.form(), "name", "role")
    try:
        service.add_member(session, access=access, data=MemberCreate.model_validate(form))
    except (ValidationError, AppError) as exc:
        raise _team(request, access, session, form).refuse(exc, "name") from exc
    return done_redirect(f"/projects/{access.project.id}/team", "saved")


@pages.post("/projects/{project_id}/team/{member_id}/delete")
def team_delete(access: ProjectForMember, member_id: int, session: SessionDep) -> Response:
    """Take a person off the project team."""
    service.delete_member(session, access=access, member_id=member_id)
    return done_redirect(f"/projects/{access.project.id}/team", "deleted")


# --- driver diagram ---------------------------------------------------------------------------


def _drivers(
    request: Request, access: ProjectAccess, session: Session, form: dict[str, str] | None = None
) -> Page:
    all_nodes = service.nodes(session, project_id=access.project.id)
    context = {
        "tree": service.tree(all_nodes),
        "parents": [n for n in all_nodes if n.kind != "change_idea"],
        "node_names": NODE_NAMES,
        "form": form or {},
    }
    return workspace_page(request, access, "drivers", "drivers.html", "Driver diagram", context)


@pages.get("/projects/{project_id}/drivers")
def drivers_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """The driver diagram drawn as a tree, with forms to add, change and delete boxes."""
    return _drivers(request, access, session).render(request)


@pages.post("/projects/{project_id}/drivers")
async def drivers_add(request: Request, access: ProjectForMember, session: SessionDep) -> Response:
    """Add a box under another: its kind follows from where it goes."""
    form = form_dict(await request.form(), "parent_id", "text")
    try:
        service.add_node(session, access=access, data=NodeCreate.model_validate(form))
    except (ValidationError, AppError) as exc:
        raise _drivers(request, access, session, form).refuse(exc, "text") from exc
    return done_redirect(f"/projects/{access.project.id}/drivers", "saved")


@pages.post("/projects/{project_id}/drivers/{node_id}")
async def drivers_edit(
    request: Request, access: ProjectForMember, node_id: int, session: SessionDep
) -> Response:
    """Change the words in a box."""
    form = form_dict(await request.form(), "text")
    try:
        data = NodeUpdate.model_validate(form)
        service.update_node(session, access=access, node_id=node_id, data=data)
    except (ValidationError, AppError) as exc:
        # The error is shown beside the box that was being changed.
        errors = {f"text-{node_id}": form_errors(exc, "text").get("text", "Check the words")}
        raise _drivers(request, access, session).invalid(errors, status_of(exc)) from exc
    return done_redirect(f"/projects/{access.project.id}/drivers", "saved")


@pages.post("/projects/{project_id}/drivers/{node_id}/delete")
def drivers_delete(
    request: Request, access: ProjectForMember, node_id: int, session: SessionDep
) -> Response:
    """Delete a box and everything under it."""
    try:
        service.delete_node(session, access=access, node_id=node_id)
    except AppError as exc:
        errors = {f"text-{node_id}": exc.message}
        raise _drivers(request, access, session).invalid(errors, exc.status_code) from exc
    return done_redirect(f"/projects/{access.project.id}/drivers", "deleted")
