"""What credentials do when told something happened (wired in app/events.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.credentials import revocation
from app.credentials.events import CredentialIssued, CredentialRevoked


def on_credential_issued(session: Session, event: CredentialIssued) -> None:  # noqa: ARG001
    """The status list the new credential names is stored (signed) from now on."""
    revocation.ensure_status_list(session)


def on_credential_revoked(session: Session, event: CredentialRevoked) -> None:  # noqa: ARG001
    """The revocation's bit is in the published status list once its transaction commits."""
    revocation.refresh_status_list(session)
