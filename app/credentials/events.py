"""Events the credentials domain publishes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.core.events import Event


@dataclass(frozen=True, kw_only=True)
class CredentialIssued(Event):
    """A credential was signed and stored (a first award, a re-award or a renewal)."""

    credential_id: uuid.UUID
    user_id: int
    achievement: str
    supersedes_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class CredentialRevoked(Event):
    """A credential was revoked by a person (or by the holder deleting their account)."""

    credential_id: uuid.UUID
    user_id: int
    achievement: str
    actor_id: int | None
    reason: str
