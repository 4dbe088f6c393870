"""Events the projects domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import Event


@dataclass(frozen=True, kw_only=True)
class ProjectSignedOff(Event):
    """A trainer signed a project off; `user_ids` are its learner or its team's members."""

    project_id: int
    cohort_id: int
    user_ids: tuple[int, ...]
    actor_id: int
