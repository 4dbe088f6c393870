"""Password resets and invitations: single-use, keyed links that set a password and end sessions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.accounts import throttle
from app.accounts.auth import normalise_email
from app.accounts.exceptions import AccountDeleted, ResetLinkInvalid
from app.accounts.models import LoginAttempt, PasswordReset, User
from app.accounts.schemas import check_password
from app.core.config import Settings
from app.core.db import as_utc, utcnow
from app.core.errors import InvalidInput
from app.core.security import hash_password
from app.outbox import service as outbox_service

RESET_LIFETIME_SELF = timedelta(minutes=60)
RESET_LIFETIME_ADMIN = timedelta(hours=24)
INVITATION_LIFETIME = timedelta(days=7)
RESET_MAX_REQUESTS_PER_HOUR = 3  # self-service links per account: stops the form mailing someone


def _reset_hash(token: str, settings: Settings) -> str:
    # Keyed: neither a copy of the table nor the key alone is enough to forge a working link.
    return hmac.new(settings.secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def _reset_link(
    session: Session,
    *,
    user: User,
    settings: Settings,
    requested_by_id: int | None,
    lifetime: timedelta,
) -> tuple[str, str]:
    """A new single-use set-password token for `user`: (token, link)."""
    if user.deleted_at is not None:
        raise AccountDeleted()
    now = utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=_reset_hash(token, settings),
            requested_by_id=requested_by_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token, f"{settings.base_url}/reset-password/{token}"


def issue_password_reset(
    session: Session, *, user: User, settings: Settings, requested_by_id: int | None = None
) -> str:
    """Create a single-use reset link for `user` and queue the email carrying it; returns the token."""
    lifetime = RESET_LIFETIME_ADMIN if requested_by_id is not None else RESET_LIFETIME_SELF
    token, link = _reset_link(
        session, user=user, settings=settings, requested_by_id=requested_by_id, lifetime=lifetime
    )
    why = (
        "An administrator of QI Academy has sent you a link to set a new password."
        if requested_by_id is not None
        else "Someone, hopefully you, asked to reset the password of your QI Academy account."
    )
    valid_for = "24 hours" if requested_by_id is not None else "60 minutes"
    body = (
        f"Hello {user.full_name},\n\n{why}\n\n"
        f"Set a new password here (the link works once, for {valid_for}):\n{link}\n\n"
        "If you did not expect this email, you can ignore it: your password has not changed.\n\n"
        "QI Academy\n"
    )
    outbox_service.enqueue(
        session, to=user.email, subject="Set a new password for QI Academy", body=body
    )
    session.flush()
    return token


def send_invitation(
    session: Session, *, user: User, settings: Settings, invited_by_id: int, reason: str
) -> str:
    """Email an invited account (no password yet) a link to choose one; returns the token.

    `reason` says why they are invited, as a sentence ("Your trainer has enrolled you in ...").
    """
    token, link = _reset_link(
        session,
        user=user,
        settings=settings,
        requested_by_id=invited_by_id,
        lifetime=INVITATION_LIFETIME,
    )
    body = (
        f"Hello {user.full_name},\n\n{reason}\n\n"
        "QI Academy is where health and social care staff learn quality improvement. "
        "Your account is ready: choose a password to sign in (the link works once, for 7 days):\n"
        f"{link}\n\n"
        "If the link has expired, use 'Forgot your password?' on the sign-in page with this "
        "email address.\n\nQI Academy\n"
    )
    outbox_service.enqueue(
        session, to=user.email, subject="You are invited to QI Academy", body=body
    )
    session.flush()
    return token


def request_password_reset(session: Session, *, email: str, settings: Settings) -> None:
    """'Forgot your password?': the same outcome whether or not the email has an account."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)[:254]))
    if user is None or not user.is_active or user.deleted_at is not None:
        return
    recent = session.scalar(
        select(func.count())
        .select_from(PasswordReset)
        .where(
            PasswordReset.user_id == user.id,
            PasswordReset.requested_by_id.is_(None),
            PasswordReset.created_at > utcnow() - timedelta(hours=1),
        )
    )
    if (recent or 0) >= RESET_MAX_REQUESTS_PER_HOUR:
        return
    issue_password_reset(session, user=user, settings=settings)


def _usable_reset(session: Session, *, token: str, settings: Settings) -> PasswordReset | None:
    if not token or len(token) > 128:
        return None
    reset = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _reset_hash(token, settings))
    )
    if reset is None or reset.used_at is not None or as_utc(reset.expires_at) <= utcnow():
        return None
    return reset


def reset_link_usable(session: Session, *, token: str, settings: Settings) -> bool:
    return _usable_reset(session, token=token, settings=settings) is not None


def reset_password(session: Session, *, token: str, password: str, settings: Settings) -> User:
    """Set a new password with a reset link: once only; every session and older link ends."""
    reset = _usable_reset(session, token=token, settings=settings)
    if reset is None:
        raise ResetLinkInvalid()
    try:
        check_password(password)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="password") from exc
    now = utcnow()
    # Spend the link atomically: of two requests racing with one link, only one gets a row.
    spent = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    user = session.get(User, reset.user_id)
    if spent.rowcount != 1 or user is None or not user.is_active or user.deleted_at:  # type: ignore[attr-defined]
        raise ResetLinkInvalid()
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    user.password_hash = hash_password(password)
    user.token_version += 1
    # The link came by email to this address: following it proves the address too.
    if user.email_verified_at is None:
        user.email_verified_at = now
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)
        )
    )
    throttle.clear_account(session, email=user.email)
    session.flush()
    return user
