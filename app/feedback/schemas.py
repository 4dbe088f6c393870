"""Feedback schemas: what a rating carries, and the summaries trainers and leaders read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, field_validator

from app.core.schemas import Schema
from app.feedback.models import COMMENT_MAX

Rating = Annotated[int, Field(ge=1, le=5, description="1 (very poor) to 5 (very good)")]

RATING_LABELS = {1: "Very poor", 2: "Poor", 3: "Average", 4: "Good", 5: "Very good"}


class FeedbackCreate(Schema):
    rating: Rating
    comment: str | None = Field(default=None, max_length=COMMENT_MAX)

    @field_validator("comment")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class ModuleFeedbackPublic(Schema):
    module: str = Field(description="The module's slug")
    rating: int
    comment: str | None
    created_at: datetime
    updated_at: datetime


class ModuleRating(Schema):
    """One module's ratings, as leaders see them."""

    slug: str
    title: str
    tier: str
    ratings: int
    average: float | None
    comments: int


class FeedbackComment(Schema):
    """A comment without its author: feedback is read for what it says, not who said it."""

    module_slug: str
    module_title: str
    rating: int
    comment: str
    updated_at: datetime


class FeedbackSummary(Schema):
    modules: list[ModuleRating] = Field(description="Lowest average first; unrated modules last")
    recent_comments: list[FeedbackComment]


class SessionFeedbackPublic(Schema):
    cohort_id: int
    session_id: int
    rating: int
    comment: str | None
    created_at: datetime
    updated_at: datetime


class SessionRating(Schema):
    """One workshop session's ratings, as its cohort's trainers see them."""

    session_id: int
    title: str
    starts_at: datetime
    ratings: int
    average: float | None


class SessionComment(Schema):
    session_id: int
    session_title: str
    rating: int
    comment: str
    updated_at: datetime


class CohortFeedback(Schema):
    """What a cohort's trainers see: its sessions' feedback and its learners' module ratings."""

    cohort_id: int
    sessions: list[SessionRating]
    session_comments: list[SessionComment]
    modules: list[ModuleRating] = Field(description="Rated modules only, lowest average first")
    module_comments: list[FeedbackComment]


class RateableSession(Schema):
    """A workshop session the learner attended a cohort for, and their rating of it if any."""

    cohort_id: int
    cohort_name: str
    session_id: int
    title: str
    starts_at: datetime
    rating: int | None


class RateableModule(Schema):
    slug: str
    title: str
    tier: str
    rating: int | None


class MyFeedback(Schema):
    modules: list[RateableModule]
    sessions: list[RateableSession]
