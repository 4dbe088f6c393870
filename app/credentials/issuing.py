"""Issuing: an Open Badges credential once per learner and achievement, signed and stored."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit_service
from app.content.registry import ContentRegistry
from app.core.db import as_utc, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.events import publish
from app.credentials import catalogue, data_integrity, revocation, signing, status_lists, vc_jwt
from app.credentials import openbadges as ob
from app.credentials.achievements import Achievement
from app.credentials.certificate import CpdActivity
from app.credentials.events import CredentialIssued
from app.credentials.models import Credential, CredentialSubject
from app.credentials.rendering import render_certificate
from app.outbox import service as outbox_service
from app.progress import service as progress_service
from app.progress.models import ModuleProgress

log = logging.getLogger(__name__)


def subject_id_for(session: Session, *, user_id: int) -> str:
    """The learner's credentialSubject.id: made once, the same in every credential they hold."""
    query = select(CredentialSubject.subject_id).where(CredentialSubject.user_id == user_id)
    existing = session.scalar(query)
    if existing is not None:
        return existing
    row = CredentialSubject(
        user_id=user_id, subject_id=f"urn:uuid:{uuid.uuid4()}", created_at=utcnow()
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same learner's first two credentials at the same moment
        return session.scalars(query).one()
    return row.subject_id


def _active(session: Session, *, user_id: int, slug: str) -> Credential | None:
    return session.scalar(
        select(Credential).where(
            Credential.user_id == user_id,
            Credential.achievement == slug,
            Credential.status == "active",
        )
    )


def earned_modules(
    registry: ContentRegistry, rows: dict[int, ModuleProgress], tier: str
) -> list[dict[str, Any]]:
    """The completed modules of a tier as the credential records them (its certificate's table)."""
    earned = []
    for module in registry.tier(tier):
        row = rows.get(module.module_id)
        if row is None or row.completed_at is None:
            continue
        earned.append(
            {
                "slug": module.slug,
                "title": module.meta.title,
                "tier": module.tier,
                "version_id": row.completed_version_id,
                "completed_at": ob.format_datetime(as_utc(row.completed_at)),
                "cpd_minutes": row.cpd_minutes if row.cpd_minutes is not None else 0,
            }
        )
    return earned


def _from_activities(activities: Sequence[CpdActivity]) -> list[dict[str, Any]]:
    return [
        {
            "slug": None,
            "title": a.title,
            "tier": a.tier,
            "version_id": None,
            "completed_at": ob.format_datetime(
                datetime.combine(a.completed_on, datetime.min.time(), UTC)
            ),
            "cpd_minutes": a.cpd_minutes,
        }
        for a in activities
    ]


def _basis(modules: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
    """What makes two awards the same: the same module versions (not when they were passed)."""
    return sorted((str(m.get("slug")), int(m.get("version_id") or 0)) for m in modules)


def same_basis(credential: Credential, modules: Sequence[dict[str, Any]]) -> bool:
    """Whether `credential` records exactly these module versions."""
    return _basis(credential.modules) == _basis(modules)


def history(session: Session, *, user_id: int, slug: str) -> list[Credential]:
    """Every credential of one achievement a learner has held, newest first."""
    return list(
        session.scalars(
            select(Credential)
            .where(Credential.user_id == user_id, Credential.achievement == slug)
            .order_by(Credential.issued_at.desc())
        )
    )


class _Superseded(Exception):
    """Another request superseded the same credential first."""


def issue(
    session: Session,
    *,
    user_id: int,
    achievement_slug: str,
    registry: ContentRegistry,
    reissue: bool = False,
    activities: Sequence[CpdActivity] | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Credential:
    """Issue `achievement_slug` to a learner; the caller has checked they earned it.

    Idempotent: with an active credential for the achievement already, returns it unchanged,
    unless `reissue` (renewal, or re-completion after content changed), which issues a new one
    and marks the old one superseded. Race-safe: a partial unique index allows one active
    credential per learner and achievement; a request that loses the race returns the winner's.
    `activities` is what the certificate lists (default: the learner's completed modules in the
    achievement's tier). `actor_id` is who awarded it, for the audit log (None: automatic).
    Only flushes; the caller's unit of work commits.
    """
    definition = catalogue.achievement(achievement_slug)
    current = _active(session, user_id=user_id, slug=definition.slug)
    if current is not None and not reissue:
        return current
    if activities is not None:
        modules = _from_activities(activities)
    else:
        rows = progress_service.rows_for(session, user_id=user_id)
        modules = earned_modules(registry, rows, definition.tier)
    return create(
        session,
        user_id=user_id,
        definition=definition,
        modules=modules,
        current=current,
        actor_id=actor_id,
        now=now,
    )


def create(
    session: Session,
    *,
    user_id: int,
    definition: Achievement,
    modules: list[dict[str, Any]],
    current: Credential | None,
    actor_id: int | None,
    now: datetime | None,
) -> Credential:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no learner with that id.")
    base_url = catalogue.base_url()
    issued_at = (now or utcnow()).astimezone(UTC).replace(microsecond=0)
    awarded_at = as_utc(current.awarded_at) if current is not None else issued_at
    valid_until = definition.valid_until(issued_at)
    credential_id = uuid.uuid4()
    holder = ob.Holder.from_email(
        subject_id=subject_id_for(session, user_id=user_id),
        email=user.email,
        display_name=user.full_name,
    )
    status_index = status_lists.random_index(revocation.taken_positions(session))
    document = ob.build_credential(
        base_url=base_url,
        credential_id=credential_id,
        achievement=definition.definition(base_url=base_url),
        holder=holder,
        issuer=catalogue.issuer(),
        valid_from=issued_at,
        valid_until=valid_until,
        awarded_at=awarded_at,
        status_list_index=status_index,
    )
    row = Credential(
        id=credential_id,
        user_id=user_id,
        achievement=definition.slug,
        status="active",
        holder_name=user.full_name,
        issued_at=issued_at,
        valid_until=valid_until,
        awarded_at=awarded_at,
        modules=modules,
        supersedes_id=current.id if current is not None else None,
        status_list_index=status_index,
        # Two complete forms: the VC-JWT signs the credential, and the JSON-LD credential carries
        # its own Data Integrity proof (what DCC wallets and verifiers accept).
        jwt=vc_jwt.sign_credential(document, signing.keyring()),
        document=_with_proof(document, created=issued_at),
    )
    try:
        with session.begin_nested():
            if current is not None:
                # Conditional, so two renewals at once cannot both supersede the same credential.
                result = cast(
                    CursorResult[Any],
                    session.execute(
                        update(Credential)
                        .where(Credential.id == current.id, Credential.status == "active")
                        .values(status="superseded")
                    ),
                )
                if result.rowcount != 1:
                    raise _Superseded()
            session.add(row)
    except (IntegrityError, _Superseded):
        winner = _active(session, user_id=user_id, slug=definition.slug)
        if winner is None:
            raise Conflict(
                "Another change to this learner's credentials happened at the same moment. "
                "Try again."
            ) from None
        return winner
    # Only the request that won makes the certificate; it is served from the row from now on.
    row.certificate_pdf = render_certificate(row, definition=definition)
    session.flush()
    audit_service.record(
        session,
        actor_id=actor_id,
        action="credential.issue",
        target_type="credential",
        target_id=str(credential_id),
        detail={
            "user_id": user_id,
            "achievement": definition.slug,
            "supersedes": str(current.id) if current is not None else None,
        },
    )
    _email_holder(session, user=user, credential=row, definition=definition)
    log.info("issued %s credential %s to user %s", definition.slug, credential_id, user_id)
    publish(
        session,
        CredentialIssued(
            credential_id=credential_id,
            user_id=user_id,
            achievement=definition.slug,
            supersedes_id=current.id if current is not None else None,
        ),
    )
    return row


def _with_proof(document: dict[str, Any], *, created: datetime) -> dict[str, Any]:
    key, verification_method = signing.proof_key()
    return data_integrity.add_proof(
        document,
        private_key=key.private_key,
        verification_method=verification_method,
        created=created,
    )


def _email_holder(
    session: Session, *, user: User, credential: Credential, definition: Achievement
) -> None:
    """Tell the holder their credential is ready: queued, so sent only if the issue commits."""
    base_url = catalogue.base_url()
    expiry = (
        f"It is valid until {as_utc(credential.valid_until):%d %B %Y}.\n\n"
        if credential.valid_until is not None
        else ""
    )
    body = (
        f"Hello {user.full_name},\n\nCongratulations: you have earned {definition.name}, "
        f"worth {definition.cpd_hours:g} CPD hours. {expiry}"
        f"Download your CPD certificate (PDF), your badge, and the signed credential for a "
        f"digital wallet or staff passport from My achievements:\n{base_url}/achievements\n\n"
        f"Anyone can check it, without an account, here:\n{base_url}/verify/{credential.id}\n\n"
        "QI Academy\n"
    )
    try:
        outbox_service.enqueue(
            session, to=user.email, subject=f"You have earned {definition.name}", body=body
        )
    except InvalidInput:  # an address the outbox cannot send to must not undo the award
        log.warning("no credential email for user %s: unusable address", user.id)
