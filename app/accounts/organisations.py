"""Organisations people choose from: the list admins keep, names typed under "My organisation is
not listed", and merging a name into a listed organisation (people and history move with it)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.accounts.events import OrganisationsMerged
from app.accounts.models import Organisation, User
from app.core.errors import InvalidInput
from app.core.events import publish


def listed_names(session: Session) -> list[str]:
    """The names people pick from, by name. Unlisted names others typed are never offered."""
    return list(
        session.scalars(
            select(Organisation.name)
            .where(Organisation.listed.is_(True))
            .order_by(func.lower(Organisation.name))
        )
    )


def add_to_list(session: Session, *, organisation: Organisation) -> bool:
    """Make a typed name a listed organisation; False if it already was."""
    if organisation.listed:
        return False
    organisation.listed = True
    session.flush()
    return True


def merge(session: Session, *, source: Organisation, target: Organisation) -> int:
    """Move everyone and everything from `source` into the listed `target`, then delete `source`.

    Accounts move here; every other domain that keeps an organisation (cohorts, sign-on
    providers, report rollups) moves its rows in its handler of `OrganisationsMerged`, in this
    transaction. Returns how many accounts moved.
    """
    if source.id == target.id:
        raise InvalidInput("Choose a different organisation to merge into.", field="target")
    if not target.listed:
        raise InvalidInput("Choose a listed organisation to merge into.", field="target")
    moved = session.execute(
        update(User).where(User.organisation_id == source.id).values(organisation_id=target.id)
    )
    publish(session, OrganisationsMerged(source_id=source.id, target_id=target.id))
    session.delete(source)
    session.flush()
    return int(moved.rowcount)  # type: ignore[attr-defined]
