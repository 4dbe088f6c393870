"""Feedback page helpers: the rating form (parsed, and worded when wrong) and what each page shows."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.cohorts.schemas import SessionPublic
from app.content.registry import ContentRegistry, RegisteredModule
from app.content.schemas import TIER_NAMES
from app.core.forms import FormInvalid, field_errors
from app.core.pagination import Pager, offset_for
from app.feedback import service
from app.feedback.models import COMMENT_MAX
from app.feedback.schemas import RATING_LABELS, FeedbackCreate

RATE_TEMPLATE = "feedback/rate.html"
RATE_SESSION_TEMPLATE = "feedback/rate_session.html"
COMMENTS_PER_PAGE = 20
RATING_MESSAGE = "Choose a rating from 1 (very poor) to 5 (very good)"


def rating_errors(exc: ValidationError) -> dict[str, str]:
    """What to fix: the comment in its own words ("Comment must be 2000 characters or fewer"),
    and one wording for every rating problem (missing, not a number, out of range)."""
    errors = field_errors(
        exc, {"comment": "comment"}, default="rating", order=("rating", "comment")
    )
    return {
        field: message if field == "comment" else RATING_MESSAGE
        for field, message in errors.items()
    }


def feedback_create(
    form: dict[str, str], *, template: str, context: dict[str, Any]
) -> FeedbackCreate:
    """The rating form as FeedbackCreate, or FormInvalid to draw `template` again with what to fix."""
    try:
        return FeedbackCreate.model_validate(
            {"rating": form["rating"] or None, "comment": form["comment"]}
        )
    except ValidationError as exc:
        raise FormInvalid(rating_errors(exc), template=template, context=context) from exc


def rating_context(
    module: RegisteredModule, *, form: dict[str, str], saved: bool = False
) -> dict[str, Any]:
    return {
        "title": f"Rate {module.meta.title}",
        "module": module.meta,
        "tier_name": TIER_NAMES[module.tier],
        "form": form,
        "errors": {},
        "saved": saved,
        "labels": RATING_LABELS,
        "comment_max": COMMENT_MAX,
        "nav": module.tier,
    }


def session_rating_context(
    workshop: SessionPublic, *, form: dict[str, str], saved: bool = False
) -> dict[str, Any]:
    return {
        "title": f"Rate {workshop.title}",
        "workshop": workshop,
        "form": form,
        "errors": {},
        "saved": saved,
        "nav": "cohorts",
    }


def module_comments_context(
    session: Session, *, registry: ContentRegistry, module: RegisteredModule, page: int
) -> dict[str, Any]:
    """One module's rating and a page of its comments, newest first."""
    items, total = service.comments(
        session,
        registry=registry,
        module=module,
        limit=COMMENTS_PER_PAGE,
        offset=offset_for(page, COMMENTS_PER_PAGE),
    )
    rating = next(
        r for r in service.module_ratings(session, registry=registry) if r.slug == module.slug
    )
    pager = Pager(page=page, per_page=COMMENTS_PER_PAGE, total=total)
    return {
        "title": f"Feedback on {module.meta.title}",
        "module": module.meta,
        "rating": rating,
        "comments": items,
        "pager": pager,
        "pagination": pager.links(f"/leader/feedback/modules/{module.slug}"),
        "nav": "feedback",
    }


def trainer_cohort_context(
    session: Session, *, cohort_id: int, cohort_name: str, registry: ContentRegistry
) -> dict[str, Any]:
    """A cohort's session ratings and its learners' module ratings, without names."""
    return {
        "title": f"Feedback: {cohort_name}",
        "cohort_id": cohort_id,
        "cohort_name": cohort_name,
        "feedback": service.cohort_feedback(session, cohort_id=cohort_id, registry=registry),
        "nav": "trainer",
    }
