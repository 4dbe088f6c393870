"""Pages and API about what people have earned: My achievements, and Silver progress in cohorts."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import CurrentUser
from app.awards import bronze, silver
from app.awards.schemas import CohortDashboard, LearnerCohortView
from app.cohorts import views as cohort_views
from app.cohorts.dependencies import CohortForLearner, CohortForTrainer
from app.cohorts.schemas import KIND_NAMES
from app.content.dependencies import ContentDep
from app.core.db import utcnow
from app.core.deps import SessionDep, verify_csrf
from app.core.errors import InvalidInput
from app.core.forms import FormInvalid
from app.core.responses import attachment, done_message
from app.core.templating import render

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["cohorts"])

ACHIEVEMENTS = "credentials/achievements.html"


# --- My achievements ---------------------------------------------------------------------------


def _achievements_context(
    user: CurrentUser, registry: ContentDep, session: SessionDep
) -> dict[str, object]:
    view = bronze.achievements(
        session, user_id=user.id, full_name=user.full_name, registry=registry
    )
    return {"title": "My achievements", "view": view, "nav": "achievements"}


@pages.get("/achievements")
def achievements_page(
    request: Request, user: CurrentUser, registry: ContentDep, session: SessionDep
) -> Response:
    """The learner's badges and certificates, with every download, and their CPD record."""
    ctx = _achievements_context(user, registry, session)
    return render(request, ACHIEVEMENTS, ctx)


@pages.post("/achievements/claim")
def claim_submit(
    user: CurrentUser,
    registry: ContentDep,
    session: SessionDep,
    tier: Annotated[Literal["bronze"], Form()] = "bronze",
) -> Response:
    """Get a badge earned before badges were issued (or whose issuing failed)."""
    try:
        bronze.claim(session, user_id=user.id, tier=tier, registry=registry)
    except InvalidInput as exc:
        ctx = _achievements_context(user, registry, session)
        raise FormInvalid({"claim": exc.message}, template=ACHIEVEMENTS, context=ctx) from exc
    return RedirectResponse("/achievements", status_code=303)


# --- Silver progress in a cohort ---------------------------------------------------------------


@pages.get("/trainer/cohorts/{cohort_id}")
def cohort_dashboard(
    request: Request, access: CohortForTrainer, session: SessionDep, registry: ContentDep
) -> Response:
    """Learners x Silver modules, attendance, projects and who has completed Silver."""
    view = silver.dashboard(session, cohort=access.cohort, modules=silver.module_columns(registry))
    ctx = cohort_views.trainer_frame(access, "dashboard", "Dashboard")
    ctx.update(view=view, cell_text=silver.cell_text, done=done_message(request, cohort_views.DONE))
    return render(request, "cohorts/trainer_dashboard.html", ctx)


@pages.get("/trainer/cohorts/{cohort_id}/export.csv")
def export_dashboard(
    access: CohortForTrainer, session: SessionDep, registry: ContentDep
) -> Response:
    """The cohort dashboard as a CSV file."""
    view = silver.dashboard(session, cohort=access.cohort, modules=silver.module_columns(registry))
    name = f"cohort-{access.cohort.id}-{utcnow():%Y-%m-%d}.csv"
    return attachment(
        silver.dashboard_csv(view), filename=name, media_type="text/csv; charset=utf-8"
    )


@pages.get("/cohorts/{cohort_id}")
def my_cohort(request: Request, access: CohortForLearner, session: SessionDep) -> Response:
    """One of the learner's cohorts: sessions, calendar files, team and Silver progress."""
    view = silver.learner_view(session, cohort=access.cohort, user_id=access.user.id)
    ctx = {
        "title": view.cohort.name,
        "view": view,
        "sessions": [cohort_views.session_view(s) for s in view.sessions],
        "kinds": KIND_NAMES,
        "done": done_message(request, cohort_views.DONE),
        "nav": "cohorts",
    }
    return render(request, "cohorts/learner_cohort.html", ctx)


@api.get("/cohorts/{cohort_id}/me")
def read_my_progress(access: CohortForLearner, session: SessionDep) -> LearnerCohortView:
    """Your team, the cohort's sessions and your Silver completion in it."""
    return silver.learner_view(session, cohort=access.cohort, user_id=access.user.id)


@api.get("/cohorts/{cohort_id}/dashboard")
def read_dashboard(
    access: CohortForTrainer, session: SessionDep, registry: ContentDep
) -> CohortDashboard:
    """Learners x Silver modules, attendance, projects and Silver completion (trainers only)."""
    return silver.dashboard(session, cohort=access.cohort, modules=silver.module_columns(registry))
