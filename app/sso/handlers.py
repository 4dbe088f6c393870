"""What single sign-on does when other domains tell it something happened."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.accounts.events import AccountAnonymised, OrganisationsMerged
from app.sso.models import ExternalIdentity, IdentityProvider


def on_account_deleted(session: Session, event: AccountAnonymised) -> None:
    """Forget which provider identities led to a deleted account: signing in through the
    organisation again makes a new account rather than finding the deleted one."""
    session.execute(delete(ExternalIdentity).where(ExternalIdentity.user_id == event.user_id))


def on_organisations_merged(session: Session, event: OrganisationsMerged) -> None:
    """A merged organisation's sign-on provider now places people in the one it was merged into."""
    session.execute(
        update(IdentityProvider)
        .where(IdentityProvider.organisation_id == event.source_id)
        .values(organisation_id=event.target_id)
    )
