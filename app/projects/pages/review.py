"""Trainers' pages: a cohort's projects, and one project's review with the rubric and decision."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from app.analysis import funnel_view
from app.analysis.funnel import Overdispersion
from app.cohorts.dependencies import CohortForTrainer
from app.cohorts.models import Cohort
from app.core.deps import SessionDep
from app.core.errors import AppError
from app.core.forms import form_dict
from app.core.responses import done_message, done_redirect
from app.projects import aim as aim_helper
from app.projects import compare, service, views
from app.projects.constants import (
    IMPACT_HINTS,
    IMPACT_NAMES,
    IMPACTS,
    LEVEL_NAMES,
    LEVELS,
    RUBRIC,
    RUBRIC_MET,
    RUBRIC_NAMES,
)
from app.projects.dependencies import CohortProjectForTrainer
from app.projects.pages.common import DONE, Page, nones, page_router
from app.projects.permissions import ProjectAccess
from app.projects.schemas import ReviewCreate

pages = page_router()


def review_form(form: FormData) -> tuple[dict[str, str], dict[str, Any]]:
    """The rubric form as sent (to show again) and as the schema reads it (a level left
    unchosen is none)."""
    sent = form_dict(form, *RUBRIC, "comment", "decision", "impact", "impact_reasons")
    return sent, nones(sent, *RUBRIC, "decision", "impact")


def _review(
    request: Request, access: ProjectAccess, session: Session, form: dict[str, str] | None = None
) -> Page:
    detail = service.detail(session, access=access)
    context = {
        "title": f"Review: {detail.title}",
        "nav": "trainer",
        "project": detail,
        "ws": views.workspace(access, "review"),
        "items": service.readiness(detail),
        "hints": aim_helper.aim_hints(detail.aim),
        "submissions": service.history(session, project_id=detail.id),
        "rubric": [(c, RUBRIC_NAMES[c], RUBRIC_MET[c]) for c in RUBRIC],
        "levels": [(level, LEVEL_NAMES[level]) for level in LEVELS],
        "impacts": [(i, IMPACT_NAMES[i], IMPACT_HINTS[i]) for i in IMPACTS],
        "score_rubric": [(c, RUBRIC_NAMES[c]) for c in RUBRIC],
        "level_names": LEVEL_NAMES,
        "status_label": views.status_label,
        "colours": views.STATUS_COLOURS,
        "form": form or {},
        "errors": {},
        "done": done_message(request, DONE),
    }
    return Page("projects/review.html", context)


def _cohort_projects(session: Session, cohort: Cohort, spread: Overdispersion = "none") -> Page:
    rows = service.cohort_projects(session, cohort=cohort)
    comparisons = compare.measure_funnels(session, cohort_id=cohort.id, rows=rows, spread=spread)
    context = {
        "title": f"Projects: {cohort.name}",
        "nav": "trainer",
        "cohort": cohort,
        "rows": rows,
        "comparisons": comparisons,
        "spread": spread,
        "spread_choices": funnel_view.SPREAD_CHOICES,
        "waiting": sum(1 for r in rows if r.status == "submitted"),
        "colours": views.STATUS_COLOURS,
    }
    return Page("projects/trainer_list.html", context)


@pages.get("/trainer/cohorts/{cohort_id}/projects")
def trainer_projects(
    request: Request,
    cohort: CohortForTrainer,
    session: SessionDep,
    spread: Annotated[Overdispersion, Query(alias="limits")] = "none",
) -> Response:
    """The cohort's projects: who has started, submitted, or been signed off; `limits` chooses
    the funnel plots' overdispersion adjustment."""
    return _cohort_projects(session, cohort.cohort, spread).render(request)


@pages.get("/trainer/cohorts/{cohort_id}/projects/{project_id}")
def review_page(request: Request, access: CohortProjectForTrainer, session: SessionDep) -> Response:
    """A project for review: the work, a readiness summary, the rubric form and the history."""
    return _review(request, access, session).render(request)


@pages.post("/trainer/cohorts/{cohort_id}/projects/{project_id}/review")
async def review_submit(
    request: Request, access: CohortProjectForTrainer, session: SessionDep
) -> Response:
    """Score the rubric and approve, or ask for changes with a comment."""
    sent, values = review_form(await request.form())
    try:
        service.review(session, access=access, data=ReviewCreate.model_validate(values))
    except (ValidationError, AppError) as exc:
        raise _review(request, access, session, sent).refuse(exc, "decision") from exc
    project = access.project
    return done_redirect(f"/trainer/cohorts/{project.cohort_id}/projects/{project.id}", "decided")
