"""Quizzes: take one, see the result, retake; and the attempts API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from app.core.deps import SessionDep, verify_csrf
from app.core.templating import render
from app.learning import views
from app.learning.dependencies import OpenModule
from app.quizzes import service
from app.quizzes.schemas import AttemptCreate, AttemptPublic

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["quizzes"])


@pages.get("/modules/{slug}/quiz")
def quiz_page(request: Request, access: OpenModule) -> Response:
    """The module's quiz, options in a fresh order."""
    return render(request, views.QUIZ, views.quiz_context(access))


@pages.post("/modules/{slug}/quiz")
async def quiz_submit(request: Request, access: OpenModule, session: SessionDep) -> Response:
    """Grade the answers, store the attempt and show the result."""
    attempt = views.submit_quiz(session, access=access, form_data=await request.form())
    return RedirectResponse(f"/modules/{access.module.slug}/attempts/{attempt.id}", status_code=303)


@pages.get("/modules/{slug}/attempts/{attempt_id}")
def attempt_page(
    request: Request, attempt_id: int, access: OpenModule, session: SessionDep
) -> Response:
    """The result of one attempt: score, pass or not, and feedback per question."""
    context = views.attempt_context(session, access=access, attempt_id=attempt_id)
    return render(request, views.RESULT, context)


@api.post("/modules/{slug}/attempts", status_code=201)
def submit_attempt(data: AttemptCreate, access: OpenModule, session: SessionDep) -> AttemptPublic:
    """Submit answers to a module's quiz; returns the score and feedback per question."""
    return service.submit_attempt(
        session,
        user_id=access.user.id,
        module=access.module,
        answers=data.answers,
        rows=access.rows,
    )
