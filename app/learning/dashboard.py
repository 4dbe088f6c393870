"""My learning: the dashboard page and the progress API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.accounts.dependencies import CurrentUser
from app.awards.access import open_tiers
from app.content.dependencies import ContentDep
from app.core.deps import SessionDep
from app.core.responses import done_message
from app.core.templating import render
from app.gold import service as gold_service
from app.progress import service
from app.progress.schemas import ProgressPublic

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["progress"])
DONE = {"link_sent": "We have sent you a new link. It works for 48 hours."}


@pages.get("/dashboard")
def dashboard(
    request: Request, user: CurrentUser, registry: ContentDep, session: SessionDep
) -> Response:
    """How far the learner is through each tier, CPD minutes earned, and where to go next."""
    rows = service.rows_for(session, user_id=user.id)
    view = service.dashboard(registry=registry, rows=rows, unlocked=open_tiers(session, user))
    gold_notice = gold_service.dashboard_notice(session, user=user)  # trainers only: no query else
    context = {"title": "My learning", "view": view, "nav": "dashboard", "gold_notice": gold_notice}
    unconfirmed = None if user.email_verified_at else user.email
    done = done_message(request, DONE)
    return render(
        request, "progress/dashboard.html", {**context, "unconfirmed": unconfirmed, "done": done}
    )


@api.get("/me/progress")
def read_progress(user: CurrentUser, registry: ContentDep, session: SessionDep) -> ProgressPublic:
    """Your progress per tier and per module."""
    return service.progress_public(
        registry=registry, rows=service.rows_for(session, user_id=user.id)
    )
