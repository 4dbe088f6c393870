"""Coaching pages: a QI lead assigns a coach, a team asks for one, anyone on the project comments;
a person's notifications and their email choice."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError
from starlette.responses import Response

from app.accounts.dependencies import CurrentUser
from app.core.deps import SessionDep
from app.core.errors import AppError
from app.core.forms import form_dict
from app.core.responses import done_redirect
from app.notifications import service as notifications
from app.portfolio import coaching
from app.portfolio.dependencies import PortfolioMember, PortfolioQiLead, PortfolioReader
from app.portfolio.pages.common import page, page_router
from app.portfolio.pages.registry import project_page
from app.portfolio.schemas import QiLeadCreate

pages = page_router()


@pages.post("/portfolio/projects/{project_id}/coach")
async def assign_coach(request: Request, acc: PortfolioQiLead, session: SessionDep) -> Response:
    """A QI lead names the project's coach (answering any request for one)."""
    form = form_dict(await request.form(), "email")
    try:
        data = QiLeadCreate.model_validate(form)
        coaching.assign_coach(session, acc=acc, email=str(data.email))
    except (ValidationError, AppError) as exc:
        raise project_page(request, acc, session).refuse(exc, "email", coach_form=form) from exc
    return done_redirect(f"/portfolio/projects/{acc.project.id}", "coached")


@pages.post("/portfolio/projects/{project_id}/coach-request")
async def ask_for_coach(request: Request, acc: PortfolioMember, session: SessionDep) -> Response:
    """The team asks its QI leads for a coach."""
    form = form_dict(await request.form(), "note")
    coaching.ask_for_coach(session, acc=acc, note=form["note"].strip()[:2000])
    return done_redirect(f"/portfolio/projects/{acc.project.id}", "asked")


@pages.post("/portfolio/projects/{project_id}/comments")
async def add_comment(request: Request, acc: PortfolioReader, session: SessionDep) -> Response:
    """A comment; "@Full Name" tells that person."""
    form = form_dict(await request.form(), "body")
    try:
        coaching.add_comment(session, acc=acc, body=form["body"])
    except AppError as exc:
        raise project_page(request, acc, session).refuse(exc, "body", comment_form=form) from exc
    return done_redirect(f"/portfolio/projects/{acc.project.id}", "commented")


@pages.get("/notifications")
def notification_list(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """The person's latest notifications, unread first in bold."""
    rows = notifications.recent(session, user_id=user.id)
    wants = notifications.email_wanted(session, user_id=user.id)
    return page(request, "notifications.html", "Notifications", rows=rows, email=wants).render(
        request
    )


@pages.post("/notifications/read")
def mark_read(user: CurrentUser, session: SessionDep) -> Response:
    """Mark every notification as read."""
    notifications.mark_all_read(session, user_id=user.id)
    return done_redirect("/notifications", "read")


@pages.post("/notifications/settings")
async def email_setting(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Turn notification emails on or off."""
    choice = form_dict(await request.form(), "email")["email"]
    notifications.set_email(session, user_id=user.id, email=choice != "off")
    return done_redirect("/notifications", "saved")
