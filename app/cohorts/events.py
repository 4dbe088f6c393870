"""Events the cohorts domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import Event


@dataclass(frozen=True, kw_only=True)
class AttendanceRecorded(Event):
    """A trainer saved a session's register; `user_ids` are the learners it marked."""

    cohort_id: int
    session_id: int
    user_ids: tuple[int, ...]
    actor_id: int
