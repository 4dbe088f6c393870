"""Events the accounts domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import Event


@dataclass(frozen=True, kw_only=True)
class AccountAnonymised(Event):
    """A holder deleted their account: what identifies them is gone from accounts' tables."""

    user_id: int
