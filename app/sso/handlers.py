"""What single sign-on does when other domains tell it something happened."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.accounts.events import AccountAnonymised
from app.sso.models import ExternalIdentity


def on_account_deleted(session: Session, event: AccountAnonymised) -> None:
    """Forget which provider identities led to a deleted account: signing in through the
    organisation again makes a new account rather than finding the deleted one."""
    session.execute(delete(ExternalIdentity).where(ExternalIdentity.user_id == event.user_id))
