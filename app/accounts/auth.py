"""Signing in: throttled password checks, server-side sessions that end, and device cookies.

Throttles (README "Security"): failures are counted per (account, address) pair (tight), per
account across all addresses (looser) and per address (any account). A guess from one address
therefore never locks the account's owner out from another, and a browser that has signed in to
the account before carries a device cookie that exempts it from the account-wide limit, so even a
guesser rotating addresses cannot lock out someone who knows their password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, joinedload, with_expression

from app.accounts import throttle
from app.accounts.exceptions import InvalidCredentials, LoginThrottled
from app.accounts.models import LoginAttempt, User, UserSession
from app.accounts.throttle import Limit
from app.core.config import Settings
from app.core.db import SessionFactory, session_scope, utcnow
from app.core.security import hash_password, needs_rehash, verify_password
from app.notifications.models import Notification

DEVICE_COOKIE = "qia_device"
DEVICE_DAYS = 365


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- device cookies ----------------------------------------------------------------------------


def _device_mac(user_id: int, settings: Settings) -> str:
    message = f"device:{user_id}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def device_cookie(user_id: int, settings: Settings) -> str:
    """The cookie a browser gets after signing in: it names the account, signed with our key."""
    return f"{user_id}.{_device_mac(user_id, settings)}"


def device_user(value: str | None, settings: Settings) -> int | None:
    """The account a device cookie was given for, if it is genuine."""
    if not value or "." not in value:
        return None
    user_part, mac = value.split(".", 1)
    if not user_part.isdigit() or len(user_part) > 18:
        return None
    user_id = int(user_part)
    return user_id if hmac.compare_digest(mac, _device_mac(user_id, settings)) else None


# --- throttles ---------------------------------------------------------------------------------


def sign_in_limits(*, email: str, ip: str, trusted_device: bool, settings: Settings) -> list[Limit]:
    window = timedelta(minutes=settings.login_window_minutes)
    limits = [Limit(f"pair:{email}|{ip}", settings.login_max_failures_per_pair, window)]
    if not trusted_device:
        limits.append(Limit(f"account:{email}", settings.login_max_failures_per_account, window))
    limits.append(Limit(f"ip:{ip}", settings.login_max_failures_per_ip, window))
    return limits


def hourly_limit(kind: str, ip: str, limit: int) -> Limit:
    """Registrations and reset requests per address."""
    return Limit(f"{kind}:{ip}", limit, timedelta(hours=1))


def check_rate(isolated: SessionFactory, limit: Limit, *, message: str, minutes: int = 60) -> None:
    """Count one request against `limit` in its own committed transaction, or refuse it (429).

    Its own transaction on purpose: the count must stand even when the request then fails.
    """
    with session_scope(isolated) as tx:
        refused = throttle.reserve(tx, [limit], now=utcnow())
    if refused is not None:
        raise LoginThrottled(minutes, message=message)


# --- sign-in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    user_id: int | None
    password_hash: str | None
    active: bool


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    ip: str,
    device: str | None,
    settings: Settings,
    isolated: SessionFactory,
) -> User:
    """Check a password under the throttles; every attempt is recorded.

    The throttle counts and the record of a failed attempt are written in their own short
    transactions (`isolated`), on purpose: they must stand although this request then fails, and
    concurrent guesses must see each other's counts. They run before this request's own session
    touches the database, so on SQLite the two never wait for each other's write lock.
    """
    email = normalise_email(email)[:254]
    now = utcnow()
    with session_scope(isolated) as tx:
        row = tx.execute(
            select(User.id, User.password_hash, User.is_active).where(User.email == email)
        ).first()
        found = _Candidate(row[0], row[1], bool(row[2])) if row else _Candidate(None, None, False)
        trusted = found.user_id is not None and device_user(device, settings) == found.user_id
        limits = sign_in_limits(email=email, ip=ip, trusted_device=trusted, settings=settings)
        refused = throttle.reserve(tx, limits, now=now)
        if refused is not None:
            tx.add(LoginAttempt(email=email, ip=ip, succeeded=False, created_at=now))
    if refused is not None:
        raise LoginThrottled(settings.login_window_minutes)
    ok = verify_password(password, found.password_hash)  # constant time, even for no account
    if not ok or not found.active or found.user_id is None:
        with session_scope(isolated) as tx:
            tx.add(LoginAttempt(email=email, ip=ip, succeeded=False, created_at=now))
        raise InvalidCredentials()
    user = (
        session.scalars(
            select(User)
            .options(joinedload(User.roles), joinedload(User.organisation))
            .where(User.id == found.user_id)
        )
        .unique()
        .one()
    )
    # A good password: the reserved attempts were not failures, and this address starts afresh.
    throttle.release(session, limits[1:])
    throttle.clear(session, [limits[0].key])
    session.add(LoginAttempt(email=email, ip=ip, succeeded=True, created_at=now))
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.flush()
    return user


def confirm_password(
    session: Session, *, user: User, password: str, ip: str, settings: Settings
) -> bool:
    """Re-check the signed-in user's password before something drastic; throttled like sign-in.

    Counted in the request's own transaction (the user is already loaded, so on SQLite a second
    transaction would wait for this one): a caller that turns False into an error page must return
    that page rather than raise, so the count is kept.
    """
    limits = sign_in_limits(email=user.email, ip=ip, trusted_device=True, settings=settings)
    if throttle.reserve(session, limits, now=utcnow()) is not None:
        raise LoginThrottled(settings.login_window_minutes)
    if verify_password(password, user.password_hash):
        throttle.release(session, limits)
        return True
    session.add(LoginAttempt(email=user.email, ip=ip, succeeded=False, created_at=utcnow()))
    session.flush()
    return False


# --- sessions ----------------------------------------------------------------------------------


def start_session(
    session: Session,
    *,
    user: User,
    kind: str,
    settings: Settings,
    ip: str | None = None,
    user_agent: str | None = None,
) -> UserSession:
    """A new server-side session for `user` ("web": the cookie; "api": a Bearer token)."""
    now = utcnow()
    row = UserSession(
        id=secrets.token_urlsafe(32),
        user_id=user.id,
        kind=kind,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.token_minutes),
        ip=ip,
        user_agent=(user_agent or "")[:200] or None,
    )
    session.add(row)
    session.flush()
    return row


def end_session(session: Session, *, session_id: str) -> None:
    """Sign out: this session's token stops working at once, on every instance."""
    session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_sessions(session: Session, *, user_id: int, keep: str | None = None) -> int:
    """Sign out everywhere (or everywhere but `keep`, after a password change)."""
    query = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep)
    result = session.execute(query.values(revoked_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def active_sessions(
    session: Session, *, user_id: int, now: datetime | None = None
) -> list[UserSession]:
    now = now or utcnow()
    return list(
        session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
            )
            .order_by(UserSession.created_at.desc())
        )
    )


# Built once: this runs on every signed-in request, and building the loader options each time
# cost more than the query (py-spy, module page under load). The session check is folded into
# the same query, so ending sessions costs no extra statement per page.
_UNREAD = (
    select(func.count())
    .where(Notification.user_id == User.id, Notification.read_at.is_(None))
    .correlate(User)
    .scalar_subquery()
)
_USER_IN_SESSION = (
    select(User)
    .options(
        joinedload(User.roles),
        joinedload(User.organisation),
        with_expression(User.unread_notifications, _UNREAD),
    )
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        UserSession.id == bindparam("session_id"),
        UserSession.revoked_at.is_(None),
        UserSession.expires_at > bindparam("now"),
    )
)


def get_active_user(
    session: Session, *, user_id: int, token_version: int, session_id: str
) -> User | None:
    """The signed-in user, if the account is active and this session has not ended: one query."""
    user = (
        session.scalars(
            _USER_IN_SESSION, {"user_id": user_id, "session_id": session_id, "now": utcnow()}
        )
        .unique()
        .first()
    )
    if user is None or not user.is_active or user.token_version != token_version:
        return None
    return user
