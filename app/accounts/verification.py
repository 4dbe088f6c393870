"""Email verification: a single-use, expiring, keyed link proves the holder reads mail at an address.

On registration the link proves the address they signed up with; in account settings it proves a
new address, which replaces the old one only when the link is followed (the old keeps working
until then). A credential is issued only to a verified address (awards asks `is_verified`);
`EmailVerified` tells awards to issue what was waiting.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.accounts.auth import normalise_email
from app.accounts.events import EmailVerified
from app.accounts.exceptions import (
    AccountDeleted,
    EmailTaken,
    VerificationLinkInvalid,
    VerificationResendThrottled,
)
from app.accounts.models import EmailVerification, User
from app.core.config import Settings
from app.core.db import as_utc, utcnow
from app.core.errors import InvalidInput
from app.core.events import publish
from app.outbox import service as outbox_service

VERIFY_LIFETIME = timedelta(hours=48)
MAX_LINKS_PER_HOUR = 3  # per account: the resend button cannot be used to flood an inbox


def _hash(token: str, settings: Settings) -> str:
    # Keyed, as for reset links: a copy of the table alone cannot be turned into working links.
    key = f"verify:{settings.secret_key}".encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def is_verified(user: User) -> bool:
    return user.email_verified_at is not None


def pending_email(session: Session, *, user: User) -> str | None:
    """The new address this person asked to change to and has not confirmed yet (link still good)."""
    row = session.scalar(
        select(EmailVerification)
        .where(
            EmailVerification.user_id == user.id,
            EmailVerification.used_at.is_(None),
            EmailVerification.expires_at > utcnow(),
            EmailVerification.email != user.email,
        )
        .order_by(EmailVerification.created_at.desc(), EmailVerification.id.desc())
        .limit(1)
    )
    return row.email if row else None


def _check_rate(session: Session, *, user: User) -> None:
    recent = session.scalar(
        select(func.count())
        .select_from(EmailVerification)
        .where(
            EmailVerification.user_id == user.id,
            EmailVerification.created_at > utcnow() - timedelta(hours=1),
        )
    )
    if (recent or 0) >= MAX_LINKS_PER_HOUR:
        raise VerificationResendThrottled()


def send_link(session: Session, *, user: User, email: str, settings: Settings) -> str:
    """Queue (through the outbox) a link that proves `email` for `user`; returns the token."""
    if user.deleted_at is not None:
        raise AccountDeleted()
    _check_rate(session, user=user)
    now = utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        EmailVerification(
            user_id=user.id,
            email=email,
            token_hash=_hash(token, settings),
            created_at=now,
            expires_at=now + VERIFY_LIFETIME,
        )
    )
    link = f"{settings.base_url}/verify-email/{token}"
    change = email != user.email
    why = (
        "You asked to change the email address of your QI Academy account to this one. "
        "Your old address keeps working until you confirm."
        if change
        else "Thank you for creating a QI Academy account."
    )
    body = (
        f"Hello {user.full_name},\n\n{why}\n\n"
        "Confirm that this is your email address (the link works once, for 48 hours):\n"
        f"{link}\n\n"
        "We send your certificates and badges only to an address you have confirmed.\n\n"
        "If you did not expect this email, you can ignore it.\n\nQI Academy\n"
    )
    outbox_service.enqueue(
        session, to=email, subject="Confirm your email address for QI Academy", body=body
    )
    session.flush()
    return token


def resend(session: Session, *, user: User, settings: Settings) -> str:
    """Send the link again: to the new address if a change is waiting, else to the current one."""
    target = pending_email(session, user=user)
    if target is None and is_verified(user):
        raise InvalidInput("Your email address is already confirmed.", field="resend")
    return send_link(session, user=user, email=target or user.email, settings=settings)


def request_change(session: Session, *, user: User, new_email: str, settings: Settings) -> str:
    """Ask to use `new_email` (already validated): a link goes there; nothing changes until it is used."""
    email = normalise_email(new_email)
    if email == user.email:
        raise InvalidInput("This is already your email address. Enter a new one.", field="email")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken()
    return send_link(session, user=user, email=email, settings=settings)


def _usable(session: Session, *, token: str, settings: Settings) -> EmailVerification | None:
    if not token or len(token) > 128:
        return None
    row = session.scalar(
        select(EmailVerification).where(EmailVerification.token_hash == _hash(token, settings))
    )
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= utcnow():
        return None
    return row


def link_email(session: Session, *, token: str, settings: Settings) -> str | None:
    """The address a still-usable link would confirm, or None."""
    row = _usable(session, token=token, settings=settings)
    return row.email if row else None


def verify(session: Session, *, token: str, settings: Settings) -> User:
    """Follow a link: the address is proven (and, for a change, becomes the account's address)."""
    row = _usable(session, token=token, settings=settings)
    if row is None:
        raise VerificationLinkInvalid()
    now = utcnow()
    # Spend the link atomically: of two requests racing with one link, only one gets the row.
    spent = session.execute(
        update(EmailVerification)
        .where(EmailVerification.id == row.id, EmailVerification.used_at.is_(None))
        .values(used_at=now)
    )
    user = session.get(User, row.user_id)
    if spent.rowcount != 1 or user is None or not user.is_active or user.deleted_at:  # type: ignore[attr-defined]
        raise VerificationLinkInvalid()
    if row.email != user.email:
        if session.scalar(select(User.id).where(User.email == row.email)) is not None:
            raise EmailTaken()  # someone registered with it since the link was sent
        user.email = row.email
    # Every other waiting link of this account is spent: only the newest intent counts.
    session.execute(
        update(EmailVerification)
        .where(EmailVerification.user_id == user.id, EmailVerification.used_at.is_(None))
        .values(used_at=now)
    )
    first = user.email_verified_at is None
    user.email_verified_at = now
    session.flush()
    publish(session, EmailVerified(user_id=user.id, first=first))
    return user
