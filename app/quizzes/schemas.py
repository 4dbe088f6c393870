"""Quiz schemas: what a submission carries and what the learner gets back."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.schemas import Schema

OptionId = Annotated[str, StringConstraints(max_length=64)]


class AttemptCreate(Schema):
    answers: dict[Annotated[str, StringConstraints(max_length=80)], list[OptionId]] = Field(
        max_length=200,
        description="Question id to the ids of the options chosen",
    )


class QuestionResult(Schema):
    question_id: str
    correct: bool
    feedback: str
    explanation: str


class AttemptPublic(Schema):
    id: int
    score: int
    passed: bool
    pass_mark: int
    results: list[QuestionResult]
