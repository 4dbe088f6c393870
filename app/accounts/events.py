"""Events the accounts domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import Event


@dataclass(frozen=True, kw_only=True)
class AccountAnonymised(Event):
    """A holder deleted their account: what identifies them is gone from accounts' tables."""

    user_id: int


@dataclass(frozen=True, kw_only=True)
class EmailVerified(Event):
    """A holder proved they read mail at their account's address (on registration or a change)."""

    user_id: int
    first: bool  # the account had no verified address before: awards may have been waiting


@dataclass(frozen=True, kw_only=True)
class OrganisationsMerged(Event):
    """An admin merged organisation `source_id` into `target_id`; source is deleted after this.
    Every domain that keeps an organisation id moves its rows to the target."""

    source_id: int
    target_id: int
