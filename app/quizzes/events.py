"""Events the quizzes domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import Event


@dataclass(frozen=True, kw_only=True)
class ModulePassed(Event):
    """A quiz pass completed a module for this learner for the first time."""

    user_id: int
    module_id: int
    slug: str
    tier: str
    score: int


@dataclass(frozen=True, kw_only=True)
class QuizAttempted(Event):
    """A learner submitted a quiz and it was graded (every attempt, passed or not)."""

    user_id: int
    module_id: int
    attempt_id: int
    slug: str
    tier: str
    score: int
    pass_mark: int
    passed: bool
