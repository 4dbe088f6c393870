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


@dataclass(frozen=True, kw_only=True)
class ProjectStarted(Event):
    """A learner started a cohort project; `user_ids` are its learner (first) and team members.
    `organisation_id` is the cohort's (None: the project belongs to no organisation's portfolio)."""

    project_id: int
    cohort_id: int
    organisation_id: int | None
    title: str
    user_ids: tuple[int, ...]
