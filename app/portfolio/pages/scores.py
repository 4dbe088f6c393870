"""Progress score forms: the team records a score; a QI lead or the coach confirms it; the
project is marked completed or stopped."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError
from starlette.responses import Response

from app.core.deps import SessionDep
from app.core.errors import AppError
from app.core.forms import form_dict
from app.core.responses import done_redirect
from app.portfolio import scores, service
from app.portfolio.dependencies import PortfolioMember, PortfolioReader
from app.portfolio.pages.common import page_router
from app.portfolio.pages.registry import project_page
from app.portfolio.schemas import ScoreCreate

pages = page_router()


@pages.post("/portfolio/projects/{project_id}/scores")
async def record_score(request: Request, acc: PortfolioMember, session: SessionDep) -> Response:
    """The team records where the project stands on the IHI scale, and when."""
    form = form_dict(await request.form(), "score", "scored_on", "note")
    try:
        scores.set_score(session, acc=acc, data=ScoreCreate.model_validate(form))
    except (ValidationError, AppError) as exc:
        context = {"form": {**form, "decision": "", "comment": ""}}
        raise project_page(request, acc, session).refuse(exc, "score", **context) from exc
    return done_redirect(f"/portfolio/projects/{acc.project.id}", "scored")


@pages.post("/portfolio/projects/{project_id}/scores/{score_id}/confirm")
def confirm_score(acc: PortfolioReader, score_id: int, session: SessionDep) -> Response:
    """A QI lead of the organisation or the project's coach confirms a score."""
    scores.confirm(session, acc=acc, score_id=score_id)
    return done_redirect(f"/portfolio/projects/{acc.project.id}", "confirmed")


@pages.post("/portfolio/projects/{project_id}/status")
async def change_status(request: Request, acc: PortfolioReader, session: SessionDep) -> Response:
    """Mark the project completed or stopped (or active again)."""
    status = form_dict(await request.form(), "status")["status"]
    service.set_status(session, acc=acc, status=status)
    return done_redirect(f"/portfolio/projects/{acc.project.id}", "status")
