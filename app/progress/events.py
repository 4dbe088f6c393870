"""Events the progress domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import Event


@dataclass(frozen=True, kw_only=True)
class ModuleStarted(Event):
    """A learner opened a module for the first time (their progress row was made)."""

    user_id: int
    module_id: int
    slug: str
    tier: str
