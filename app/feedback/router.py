"""Feedback pages and API: rate a module after passing it; leaders read the summary."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import CurrentUser, LeaderUser
from app.cohorts import service as cohorts_service
from app.cohorts.dependencies import CohortForTrainer, TrainerUser
from app.content.dependencies import ContentDep, ModuleDep
from app.content.schemas import TIER_NAMES
from app.core.deps import SessionDep, verify_csrf
from app.core.errors import NotFound
from app.core.forms import form_dict
from app.core.templating import render
from app.feedback import service, views
from app.feedback.schemas import (
    CohortFeedback,
    FeedbackCreate,
    FeedbackSummary,
    ModuleFeedbackPublic,
    MyFeedback,
    SessionFeedbackPublic,
)

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["feedback"])


@pages.get("/modules/{slug}/feedback")
def rating_page(
    request: Request, user: CurrentUser, module: ModuleDep, session: SessionDep, saved: bool = False
) -> Response:
    """The form to rate a completed module, holding the learner's earlier rating if any."""
    if not service.has_completed(session, user_id=user.id, module=module):
        raise service.NotCompleted()
    own = service.own_rating(session, user_id=user.id, module=module)
    form = {"rating": str(own.rating), "comment": own.comment or ""} if own else {}
    return render(
        request, views.RATE_TEMPLATE, views.rating_context(module, form=form, saved=saved)
    )


@pages.post("/modules/{slug}/feedback")
async def rating_submit(
    request: Request, user: CurrentUser, module: ModuleDep, session: SessionDep
) -> Response:
    """Save the rating, or show what to fix."""
    form = form_dict(await request.form(), "rating", "comment")
    ctx = views.rating_context(module, form=form)
    data = views.feedback_create(form, template=views.RATE_TEMPLATE, context=ctx)
    service.rate_module(session, user_id=user.id, module=module, data=data)
    return RedirectResponse(f"/modules/{module.slug}/feedback?saved=true", status_code=303)


@pages.get("/leader/feedback")
def leader_summary(
    request: Request, _leader: LeaderUser, registry: ContentDep, session: SessionDep
) -> Response:
    """Every module's ratings, lowest first, and the newest comments."""
    return render(
        request,
        "feedback/leader_summary.html",
        {
            "title": "Learner feedback",
            "summary": service.summary(session, registry=registry),
            "tier_names": TIER_NAMES,
            "nav": "feedback",
        },
    )


@pages.get("/leader/feedback/modules/{slug}")
def leader_module_comments(
    request: Request,
    _leader: LeaderUser,
    module: ModuleDep,
    registry: ContentDep,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """Every comment on one module, newest first."""
    ctx = views.module_comments_context(session, registry=registry, module=module, page=page)
    return render(request, "feedback/leader_module.html", ctx)


@api.put("/modules/{slug}/feedback")
def rate_module(
    data: FeedbackCreate, user: CurrentUser, module: ModuleDep, session: SessionDep
) -> ModuleFeedbackPublic:
    """Rate a module you have completed (1 to 5, optional comment); again to change it."""
    return service.rate_module(session, user_id=user.id, module=module, data=data)


@api.get("/modules/{slug}/feedback")
def read_own_rating(
    user: CurrentUser, module: ModuleDep, session: SessionDep
) -> ModuleFeedbackPublic:
    """Your rating of a module."""
    own = service.own_rating(session, user_id=user.id, module=module)
    if own is None:
        raise NotFound("You have not rated this module yet.")
    return own


@api.get("/leader/feedback")
def read_feedback_summary(
    _leader: LeaderUser, registry: ContentDep, session: SessionDep
) -> FeedbackSummary:
    """Every module's ratings (lowest average first) and the newest comments. Leaders and admins."""
    return service.summary(session, registry=registry)


# ---- workshop sessions, trainers, and the learner's own list ------------------------------------


@pages.get("/cohorts/{cohort_id}/sessions/{session_id}/feedback")
def session_rating_page(
    request: Request,
    cohort_id: int,
    session_id: int,
    user: CurrentUser,
    session: SessionDep,
    saved: bool = False,
) -> Response:
    """The form to rate a workshop session of your cohort, once it has started."""
    workshop = service.rateable_session(
        session, user_id=user.id, cohort_id=cohort_id, session_id=session_id
    )
    own = service.own_session_rating(session, user_id=user.id, session_id=session_id)
    form = {"rating": str(own.rating), "comment": own.comment or ""} if own else {}
    ctx = views.session_rating_context(workshop, form=form, saved=saved)
    return render(request, views.RATE_SESSION_TEMPLATE, ctx)


@pages.post("/cohorts/{cohort_id}/sessions/{session_id}/feedback")
async def session_rating_submit(
    request: Request, cohort_id: int, session_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    """Save the session rating, or show what to fix."""
    workshop = service.rateable_session(
        session, user_id=user.id, cohort_id=cohort_id, session_id=session_id
    )
    form = form_dict(await request.form(), "rating", "comment")
    ctx = views.session_rating_context(workshop, form=form)
    data = views.feedback_create(form, template=views.RATE_SESSION_TEMPLATE, context=ctx)
    service.rate_session(
        session, user_id=user.id, cohort_id=cohort_id, session_id=session_id, data=data
    )
    return RedirectResponse(
        f"/cohorts/{cohort_id}/sessions/{session_id}/feedback?saved=true", status_code=303
    )


@pages.get("/me/feedback")
def my_feedback_page(
    request: Request, user: CurrentUser, registry: ContentDep, session: SessionDep
) -> Response:
    """What you can rate, and what you have rated."""
    return render(
        request,
        "feedback/mine.html",
        {
            "title": "Your feedback",
            "feedback": service.my_feedback(session, user_id=user.id, registry=registry),
        },
    )


@pages.get("/trainer/feedback")
def trainer_feedback_list(request: Request, user: TrainerUser, session: SessionDep) -> Response:
    """The cohorts you run, each with a link to its feedback."""
    cohorts = cohorts_service.cohorts_for_trainer(session, user_id=user.id)
    return render(
        request,
        "feedback/trainer_list.html",
        {"title": "Feedback on your cohorts", "cohorts": cohorts, "nav": "trainer"},
    )


@pages.get("/trainer/cohorts/{cohort_id}/feedback")
def trainer_cohort_feedback(
    request: Request, access: CohortForTrainer, registry: ContentDep, session: SessionDep
) -> Response:
    """A cohort's session ratings and its learners' module ratings, without names."""
    cohort = access.cohort
    ctx = views.trainer_cohort_context(
        session, cohort_id=cohort.id, cohort_name=cohort.name, registry=registry
    )
    return render(request, "feedback/trainer_cohort.html", ctx)


@api.put("/cohorts/{cohort_id}/sessions/{session_id}/feedback")
def rate_session(
    cohort_id: int, session_id: int, data: FeedbackCreate, user: CurrentUser, session: SessionDep
) -> SessionFeedbackPublic:
    """Rate a workshop session of your cohort (once it has started); again to change it."""
    return service.rate_session(
        session, user_id=user.id, cohort_id=cohort_id, session_id=session_id, data=data
    )


@api.get("/cohorts/{cohort_id}/feedback")
def read_cohort_feedback(
    access: CohortForTrainer, registry: ContentDep, session: SessionDep
) -> CohortFeedback:
    """The cohort's session and module feedback, without names. The cohort's trainers only."""
    return service.cohort_feedback(session, cohort_id=access.cohort.id, registry=registry)


@api.get("/me/feedback")
def read_my_feedback(user: CurrentUser, registry: ContentDep, session: SessionDep) -> MyFeedback:
    """The modules and sessions you can rate, with your ratings."""
    return service.my_feedback(session, user_id=user.id, registry=registry)
