"""The trainer role a Gold certification carries: granted, withdrawn, lapsed, swept and reminded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User, UserRole
from app.audit import service as audit
from app.core.db import as_utc, utcnow
from app.core.errors import Conflict, InvalidInput
from app.credentials import service as credentials_service
from app.gold.models import GoldCertification
from app.gold.records import certs_of, get_certification, is_current
from app.gold.schemas import GoldNotice

REMINDER_DAYS = 90


def _grant_trainer(session: Session, *, user_id: int, until: datetime) -> None:
    """The trainer role, until `until`; a role an administrator gave without an end keeps none."""
    row = session.get(UserRole, (user_id, Role.TRAINER.value))
    if row is None:
        row = UserRole(user_id=user_id, role=Role.TRAINER.value, granted_at=utcnow())
        row.expires_at = until
        session.add(row)
    elif row.expires_at is not None:
        row.expires_at = max(as_utc(row.expires_at), until)
    session.flush()


def _remove_trainer(session: Session, *, user_id: int) -> bool:
    row = session.get(UserRole, (user_id, Role.TRAINER.value))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def _revoke_credential(
    session: Session, *, credential_id: str | None, actor: User, reason: str
) -> None:
    if credential_id is None:
        return
    credential = credentials_service.get(session, credential_id=uuid.UUID(credential_id))
    if credential.status == "revoked":
        return  # revoked already from the credential's own page
    credentials_service.revoke(session, credential=credential, actor=actor, reason=reason)


def link_credential(
    session: Session, *, certification_id: int, credential_id: str, valid_until: datetime | None
) -> None:
    """Record the Gold credential issued for a certification, and make its holder a trainer."""
    cert = get_certification(session, certification_id=certification_id)
    cert.credential_id = credential_id
    if valid_until is not None:
        cert.expires_at = as_utc(valid_until)
    _grant_trainer(session, user_id=cert.user_id, until=as_utc(cert.expires_at))


def revoke(
    session: Session, *, certification_id: int, leader: User, reason: str
) -> GoldCertification:
    """Withdraw a certification now: the credential is revoked and the trainer role removed."""
    cert = get_certification(session, certification_id=certification_id)
    if cert.revoked_at is not None:
        raise Conflict("This certification has already been revoked.")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Enter the reason for revoking this certification", field="reason")
    if len(reason) > 500:  # it becomes the public reason on the credential's verification page
        raise InvalidInput("The reason must be 500 characters or fewer", field="reason")
    _withdraw(session, cert=cert, actor_id=leader.id, reason=reason)
    _revoke_credential(session, credential_id=cert.credential_id, actor=leader, reason=reason)
    return cert


def _withdraw(
    session: Session, *, cert: GoldCertification, actor_id: int | None, reason: str
) -> None:
    """End a certification now: recorded, audited, and the trainer role goes unless another is current."""
    now = utcnow()
    cert.revoked_at = now
    cert.revoked_reason = reason[:4000]
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="gold.revoke",
        target_type="gold_certification",
        target_id=cert.id,
        detail={"user_id": cert.user_id, "reason": reason[:500]},
    )
    _lapse(session, user_id=cert.user_id, now=now, actor_id=actor_id)


def on_credential_revoked(
    session: Session, *, credential_id: str, actor_id: int | None, reason: str
) -> None:
    """A Gold credential revoked from its own page or the API withdraws its certification.

    Revoking the badge alone would leave the certification current and the trainer role in
    place. The role goes only if no other certification of theirs is current, so revoking a
    credential superseded by a renewal leaves the renewed trainer a trainer.
    """
    cert = session.scalar(
        select(GoldCertification).where(
            GoldCertification.credential_id == credential_id,
            GoldCertification.revoked_at.is_(None),
        )
    )
    if cert is not None:  # None too when Gold's own revoke() revoked the credential
        _withdraw(session, cert=cert, actor_id=actor_id, reason=" ".join(reason.split()))


def _lapse(
    session: Session,
    *,
    user_id: int,
    now: datetime,
    actor_id: int | None,
    user: User | None = None,
) -> bool:
    """Take the trainer role away if no Gold certification of theirs is current. True if removed.

    Pass `user` when its roles are loaded (the signed-in user) so the change shows at once.
    """
    certs = certs_of(session, user_id=user_id)
    if not certs or any(is_current(c, now) for c in certs):
        return False
    latest = certs[-1]
    if latest.role_removed_at is None:
        latest.role_removed_at = now
    if user is not None:
        held = [r for r in user.roles if r.role == Role.TRAINER.value]
        for role in held:
            user.roles.remove(role)  # delete-orphan: the row goes at flush
        removed = bool(held)
    else:
        removed = _remove_trainer(session, user_id=user_id)
    session.flush()
    if removed:
        audit.record(
            session,
            actor_id=actor_id,
            action="gold.role_removed",
            target_type="user",
            target_id=user_id,
            detail={
                "certification_id": latest.id,
                "why": "revoked" if latest.revoked_at else "expired",
            },
        )
    return removed


def dashboard_notice(session: Session, *, user: User) -> GoldNotice | None:
    """A reminder for trainers whose Gold lapses within 90 days; no query at all for anyone else.

    Read only: a lapsed role no longer counts (its row's expires_at) and the sweep removes it.
    """
    if not any(r.role == Role.TRAINER.value for r in user.roles):  # lapsed roles too
        return None
    now = utcnow()
    certs = certs_of(session, user_id=user.id)
    if not certs:
        return None
    current = [c for c in certs if is_current(c, now)]
    if not current:  # the role has lapsed with it; the hourly sweep removes the row
        latest = certs[-1]
        return GoldNotice(expires_at=as_utc(latest.expires_at), days_left=0, expired=True)
    expires = as_utc(current[-1].expires_at)
    if expires - now > timedelta(days=REMINDER_DAYS):
        return None
    return GoldNotice(expires_at=expires, days_left=(expires - now).days, expired=False)


@dataclass(frozen=True)
class SweepResult:
    roles_removed: int
    reminders: int


def sweep(session: Session, *, now: datetime | None = None) -> SweepResult:
    """Remove the trainer role from lapsed Gold trainers; email those lapsing within 90 days."""
    from app.outbox import service as outbox_service

    now = now or utcnow()
    latest_ids = select(func.max(GoldCertification.id)).group_by(GoldCertification.user_id)
    latest = list(
        session.scalars(select(GoldCertification).where(GoldCertification.id.in_(latest_ids)))
    )
    removed = reminded = 0
    for cert in latest:
        if not is_current(cert, now):
            removed += _lapse(session, user_id=cert.user_id, now=now, actor_id=None)
        elif cert.reminded_at is None and as_utc(cert.expires_at) - now <= timedelta(
            days=REMINDER_DAYS
        ):
            user = session.get(User, cert.user_id)
            if user is None:
                continue
            outbox_service.enqueue(
                session,
                to=user.email,
                subject="Your QI Academy Gold trainer certification expires soon",
                body=(
                    f"Dear {user.full_name},\n\nYour Gold trainer certification expires on "
                    f"{as_utc(cert.expires_at):%d %B %Y}. To keep your trainer role, apply to "
                    "renew: show the Silver cohorts you have run since you were certified.\n\n"
                    "Renew at /gold\n\nQI Academy"
                ),
            )
            cert.reminded_at = now
            reminded += 1
    session.flush()
    return SweepResult(roles_removed=removed, reminders=reminded)
