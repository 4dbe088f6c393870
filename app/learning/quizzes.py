"""Quizzes: take one, see the result, retake; and the attempts API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from app.content.schemas import TIER_NAMES
from app.core.deps import SessionDep, verify_csrf
from app.core.errors import AppError
from app.core.templating import render
from app.learning.dependencies import OpenModule
from app.quizzes import service
from app.quizzes.schemas import AttemptCreate, AttemptPublic

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["quizzes"])


def _quiz_page(
    request: Request,
    access: OpenModule,
    *,
    chosen: dict[str, list[str]] | None = None,
    error: str | None = None,
) -> Response:
    m = access.module
    return render(
        request,
        "quizzes/quiz.html",
        {
            "title": f"Quiz: {m.meta.title}",
            "module": m.meta,
            "quiz": service.public_quiz(m),
            "chosen": chosen or {},
            "errors": {"quiz": error} if error else {},
            "tier_name": TIER_NAMES[m.tier],
            "nav": m.tier,
        },
        status_code=422 if error else 200,
    )


@pages.get("/modules/{slug}/quiz")
def quiz_page(request: Request, access: OpenModule) -> Response:
    """The module's quiz, options in a fresh order."""
    return _quiz_page(request, access)


@pages.post("/modules/{slug}/quiz")
async def quiz_submit(request: Request, access: OpenModule, session: SessionDep) -> Response:
    """Grade the answers, store the attempt and show the result."""
    form = await request.form()
    answers = {
        q.id: [v for v in form.getlist(f"answer-{q.id}") if isinstance(v, str)]
        for q in access.module.source.questions
    }
    try:
        attempt = service.submit_attempt(
            session,
            user_id=access.user.id,
            module=access.module,
            answers=answers,
            rows=access.rows,
        )
    except AppError as exc:
        return _quiz_page(request, access, chosen=answers, error=exc.message)
    return RedirectResponse(f"/modules/{access.module.slug}/attempts/{attempt.id}", status_code=303)


@pages.get("/modules/{slug}/attempts/{attempt_id}")
def attempt_page(
    request: Request, attempt_id: int, access: OpenModule, session: SessionDep
) -> Response:
    """The result of one attempt: score, pass or not, and feedback per question."""
    attempt = service.get_attempt(
        session, attempt_id=attempt_id, user_id=access.user.id, module=access.module
    )
    questions = {q.id: q for q in access.module.source.questions}
    return render(
        request,
        "quizzes/result.html",
        {
            "title": f"Quiz result: {access.module.meta.title}",
            "module": access.module.meta,
            "attempt": attempt,
            "questions": questions,
            "tier_name": TIER_NAMES[access.module.tier],
            "nav": access.module.tier,
        },
    )


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
