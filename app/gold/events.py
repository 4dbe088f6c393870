"""Events the gold domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import Event


@dataclass(frozen=True, kw_only=True)
class CertificationDecided(Event):
    """An improvement leader decided a Gold candidacy (certified or declined)."""

    candidacy_id: int
    user_id: int
    certified: bool
    renewal: bool
    certification_id: int | None
    actor_id: int
