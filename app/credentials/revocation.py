"""Revoking: who may manage a credential, revoking it for good, and the list verifiers check."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User
from app.audit import service as audit_service
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, InvalidInput
from app.core.events import publish
from app.credentials import catalogue, data_integrity, signing, status_lists
from app.credentials import openbadges as ob
from app.credentials.events import CredentialRevoked
from app.credentials.models import Credential, StatusList

REVOCATION = "revocation"


def revocation_list(session: Session) -> dict[str, Any]:
    """The 1EdTech revocation list every credential's credentialStatus points at."""
    base_url = catalogue.base_url()
    revoked = session.execute(
        select(Credential.id, Credential.revocation_reason).where(Credential.status == "revoked")
    )
    entries = [
        status_lists.RevocationEntry(
            credential_id=ob.credential_url(base_url=base_url, credential_id=cid),
            revoked=True,
            reason=reason,
        )
        for cid, reason in revoked
    ]
    return status_lists.build_revocation_list(
        base_url=base_url, issuer_id=catalogue.issuer().id, entries=entries
    )


def taken_positions(session: Session) -> set[int]:
    """Every Bitstring Status List position already given to a credential."""
    rows = session.scalars(
        select(Credential.status_list_index).where(Credential.status_list_index.is_not(None))
    )
    return {index for index in rows if index is not None}


def revoked_positions(session: Session) -> frozenset[int]:
    rows = session.scalars(
        select(Credential.status_list_index).where(
            Credential.status == "revoked", Credential.status_list_index.is_not(None)
        )
    )
    return frozenset(index for index in rows if index is not None)


def bitstring_status_list(session: Session) -> dict[str, Any]:
    """The signed BitstringStatusListCredential as stored (signed once, not per request).

    It is stored when the first credential is issued and re-signed on each revocation (same
    transaction). Until the first issue (or if QIA_BASE_URL moved since) it is made for the
    request without being stored: a GET never writes, and no credential names it yet.
    """
    row = session.get(StatusList, REVOCATION)
    if row is None:
        raise RuntimeError("the status_list row is missing: run the migrations")
    if _is_current(row):
        assert row.document is not None
        return row.document
    return _signed(session)


def ensure_status_list(session: Session) -> None:
    """Store the signed list if it is not stored yet (a credential now names it)."""
    row = session.get(StatusList, REVOCATION)
    if row is None or not _is_current(row):
        refresh_status_list(session)


def _is_current(row: StatusList) -> bool:
    url = ob.bitstring_status_list_url(base_url=catalogue.base_url())
    return row.document is not None and row.document.get("id") == url


def refresh_status_list(session: Session) -> None:
    """Remake the stored list from the database, holding its row so revocations queue up.

    The row lock (FOR UPDATE; SQLite has one writer anyway) makes a second revocation wait for
    the first to commit, then read both: neither bit is lost to a stale read.
    """
    row = session.scalars(
        select(StatusList).where(StatusList.purpose == REVOCATION).with_for_update()
    ).one()
    row.document = _signed(session)
    row.updated_at = utcnow()
    session.flush()


def _signed(session: Session) -> dict[str, Any]:
    now = utcnow()
    document = status_lists.bitstring_status_list_credential(
        base_url=catalogue.base_url(),
        issuer_id=catalogue.issuer().id,
        revoked_positions=revoked_positions(session),
        valid_from=now,
    )
    key, verification_method = signing.proof_key()
    return data_integrity.add_proof(
        document, private_key=key.private_key, verification_method=verification_method, created=now
    )


def may_manage(session: Session, *, actor: User | None, holder_id: int) -> bool:
    """Admins manage every credential; a leader those of learners in their own organisation."""
    if actor is None:
        return False
    if actor.has_role(Role.ADMIN):
        return True
    if not actor.has_role(Role.LEADER) or actor.organisation_id is None:
        return False
    holder_org = session.scalar(select(User.organisation_id).where(User.id == holder_id))
    return holder_org == actor.organisation_id


def may_revoke(session: Session, *, actor: User | None, credential_id: uuid.UUID) -> bool:
    """Whether to offer `actor` the revoke button on a credential's verification page."""
    if actor is None or not actor.has_role(Role.ADMIN, Role.LEADER):
        return False  # most viewers: no query
    holder_id = session.scalar(
        select(Credential.user_id).where(
            Credential.id == credential_id, Credential.status != "revoked"
        )
    )
    return holder_id is not None and may_manage(session, actor=actor, holder_id=holder_id)


def check_may_manage(session: Session, *, actor: User, credential: Credential) -> None:
    if not may_manage(session, actor=actor, holder_id=credential.user_id):
        raise Forbidden(
            "Only an admin, or a leader in the holder's organisation, can manage this credential."
        )


def revoke(session: Session, *, credential: Credential, actor: User, reason: str) -> Credential:
    """Revoke for good, with the reason verifiers will see; recorded in the audit log."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("Enter the reason for revoking this credential.", field="reason")
    previous = credential.status
    now = utcnow()
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Credential)
            .where(Credential.id == credential.id, Credential.status != "revoked")
            .values(
                status="revoked", revoked_at=now, revoked_by_id=actor.id, revocation_reason=reason
            )
        ),
    )
    if result.rowcount != 1:
        raise Conflict("This credential has already been revoked.")
    audit_service.record(
        session,
        actor_id=actor.id,
        action="credential.revoke",
        target_type="credential",
        target_id=str(credential.id),
        detail={
            "reason": reason,
            "holder_user_id": credential.user_id,
            "achievement": credential.achievement,
            "previous_status": previous,
        },
    )
    publish(
        session,
        CredentialRevoked(
            credential_id=credential.id,
            user_id=credential.user_id,
            achievement=credential.achievement,
            actor_id=actor.id,
            reason=reason,
        ),
    )
    return credential
