"""Reading credentials: one by id, a learner's list, their status and the links to each form."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from app.accounts.models import User
from app.core.db import as_utc, utcnow
from app.core.errors import NotFound
from app.credentials import catalogue, wallet
from app.credentials import openbadges as ob
from app.credentials.achievements import get_achievements
from app.credentials.exceptions import HolderErased
from app.credentials.models import Credential
from app.credentials.schemas import CredentialLinks, CredentialPublic, Status


def get(session: Session, *, credential_id: uuid.UUID, load: Sequence[str] = ()) -> Credential:
    """One credential by id, with the named deferred columns (document, jwt, certificate_pdf)."""
    options = [undefer(getattr(Credential, name)) for name in load]
    found = session.scalar(
        select(Credential).where(Credential.id == credential_id).options(*options)
    )
    if found is None:
        raise NotFound(
            "No QI Academy credential has this id. Check the link: it should end with the "
            "credential id exactly as it was shared."
        )
    return found


def holder_erased(session: Session, *, credential: Credential) -> bool:
    """Whether the holder deleted their account: then their name and the forms that carry it
    (JSON, JWT, badges, certificate) are no longer shown, though the record still verifies."""
    deleted_at = session.scalar(select(User.deleted_at).where(User.id == credential.user_id))
    return deleted_at is not None


def check_published(session: Session, *, credential: Credential) -> None:
    if holder_erased(session, credential=credential):
        raise HolderErased()


def status_of(credential: Credential, *, now: datetime) -> Status:
    if credential.status == "revoked":
        return "revoked"
    if credential.status == "superseded":
        return "superseded"
    if credential.valid_until is not None and as_utc(credential.valid_until) <= now:
        return "expired"
    return "active"


def links(credential_id: uuid.UUID) -> CredentialLinks:
    url = ob.credential_url(base_url=catalogue.base_url(), credential_id=credential_id)
    return CredentialLinks(
        json_=url,
        jwt=f"{url}.jwt",
        png=f"{url}.png",
        svg=f"{url}.svg",
        pdf=f"{url}.pdf",
        verify=ob.verification_url(base_url=catalogue.base_url(), credential_id=credential_id),
        jsonld=f"{url}.jsonld",
        wallet=wallet.universal_link(base_url=catalogue.base_url(), credential_id=credential_id),
        wallet_qr=f"{url}/wallet-qr.svg",
        exchange=wallet.exchange_url(base_url=catalogue.base_url(), credential_id=credential_id),
    )


def to_public(credential: Credential, *, now: datetime) -> CredentialPublic:
    definition = get_achievements().get(credential.achievement)
    return CredentialPublic(
        id=credential.id,
        achievement=credential.achievement,
        achievement_name=definition.name if definition else credential.achievement,
        tier=definition.tier if definition else "",
        cpd_hours=definition.cpd_hours if definition else 0.0,
        issued_at=as_utc(credential.issued_at),
        awarded_at=as_utc(credential.awarded_at),
        valid_until=as_utc(credential.valid_until) if credential.valid_until else None,
        status=status_of(credential, now=now),
        revocation_reason=credential.revocation_reason,
        links=links(credential.id),
    )


def list_for_user(session: Session, *, user_id: int) -> list[CredentialPublic]:
    """Every credential a learner holds or held, newest first: one query."""
    now = utcnow()
    rows = session.scalars(
        select(Credential)
        .where(Credential.user_id == user_id)
        .order_by(Credential.issued_at.desc(), Credential.id)
    )
    return [to_public(row, now=now) for row in rows]


def active_for(
    session: Session, *, user_ids: Sequence[int]
) -> list[tuple[int, str, datetime, datetime | None]]:
    """(user id, achievement, issued at, valid until) of these learners' active credentials."""
    if not user_ids:
        return []
    rows = session.execute(
        select(
            Credential.user_id, Credential.achievement, Credential.issued_at, Credential.valid_until
        ).where(Credential.user_id.in_(list(user_ids)), Credential.status == "active")
    )
    return [
        (int(u), str(a), as_utc(issued), as_utc(until) if until else None)
        for u, a, issued, until in rows
    ]
