"""Submitting for sign-off, withdrawing a submission, and the history of decisions and comments."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.core.deps import SessionDep
from app.core.errors import AppError
from app.core.forms import form_dict
from app.core.responses import done_redirect
from app.projects import aim as aim_helper
from app.projects import service, views
from app.projects.constants import LEVEL_NAMES, RUBRIC, RUBRIC_MET, RUBRIC_NAMES
from app.projects.dependencies import ProjectForMember, ProjectForReader
from app.projects.pages.common import Page, page_router, workspace_page
from app.projects.permissions import ProjectAccess
from app.projects.schemas import CommentCreate

pages = page_router()


def _submit(request: Request, access: ProjectAccess, session: Session) -> Page:
    detail = service.detail(session, access=access)
    context = {
        "items": service.readiness(detail),
        "hints": aim_helper.aim_hints(detail.aim),
        "rubric": [(c, RUBRIC_NAMES[c], RUBRIC_MET[c]) for c in RUBRIC],
    }
    return workspace_page(request, access, "submit", "submit.html", "Submit for sign-off", context)


def _history(
    request: Request, access: ProjectAccess, session: Session, form: dict[str, str] | None = None
) -> Page:
    context = {
        "submissions": service.history(session, project_id=access.project.id),
        "comments": service.comments(session, project_id=access.project.id),
        "score_rubric": [(c, RUBRIC_NAMES[c]) for c in RUBRIC],
        "level_names": LEVEL_NAMES,
        "status_label": views.status_label,
        "colours": views.STATUS_COLOURS,
        "form": form or {},
    }
    return workspace_page(
        request, access, "history", "history.html", "History and comments", context
    )


@pages.get("/projects/{project_id}/submit")
def submit_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """What the trainer will look for, a checklist, and the button to submit."""
    return _submit(request, access, session).render(request)


@pages.post("/projects/{project_id}/submit")
def submit_project(request: Request, access: ProjectForMember, session: SessionDep) -> Response:
    """Submit the project for sign-off."""
    try:
        service.submit(session, access=access)
    except AppError as exc:
        page = _submit(request, access, session)
        raise page.invalid({"submit": exc.message}, exc.status_code) from exc
    return done_redirect(f"/projects/{access.project.id}/history", "submitted")


@pages.post("/projects/{project_id}/withdraw")
def withdraw_submission(
    request: Request, access: ProjectForMember, session: SessionDep
) -> Response:
    """Withdraw the submission waiting for the trainer, so the project can be changed again."""
    try:
        service.withdraw(session, access=access)
    except AppError as exc:
        page = _history(request, access, session)
        raise page.invalid({"withdraw": exc.message}, exc.status_code) from exc
    return done_redirect(f"/projects/{access.project.id}/history", "withdrawn")


@pages.get("/projects/{project_id}/history")
def history_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """Every submission, each decision with its rubric scores, and the comments."""
    return _history(request, access, session).render(request)


@pages.post("/projects/{project_id}/comments")
async def comment_add(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """Add a comment (team members and the cohort's trainers)."""
    form = form_dict(await request.form(), "body")
    try:
        service.add_comment(session, access=access, data=CommentCreate.model_validate(form))
    except (ValidationError, AppError) as exc:
        raise _history(request, access, session, form).refuse(exc, "body") from exc
    return done_redirect(f"/projects/{access.project.id}/history", "commented")
