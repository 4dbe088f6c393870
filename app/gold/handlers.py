"""What the gold domain does when other domains publish events."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.credentials.events import CredentialRevoked
from app.gold import service


def on_credential_revoked(session: Session, event: CredentialRevoked) -> None:
    """Revoking a Gold credential from its own page withdraws the certification behind it."""
    if event.achievement == service.GOLD:
        service.on_credential_revoked(
            session,
            credential_id=str(event.credential_id),
            actor_id=event.actor_id,
            reason=event.reason,
        )
