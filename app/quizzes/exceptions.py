"""Errors the quizzes domain raises."""

from __future__ import annotations

from app.core.errors import InvalidInput, NotFound


class AnswersInvalid(InvalidInput):
    pass


class AttemptNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("That quiz attempt does not exist or is not yours.")
