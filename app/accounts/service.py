"""Accounts: registration, authentication with rate limiting, roles and user look-ups."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import ColumnElement, bindparam, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app.accounts.constants import Role
from app.accounts.exceptions import (
    AccountDeleted,
    EmailTaken,
    InvalidCredentials,
    LoginThrottled,
    OrganisationNameTaken,
    OrganisationNotFound,
    ResetLinkInvalid,
    UserNotFound,
)
from app.accounts.models import LoginAttempt, Organisation, PasswordReset, User, UserRole
from app.accounts.schemas import UserCreate, UserPublic, check_password
from app.core.config import Settings
from app.core.db import as_utc, utcnow
from app.core.errors import InvalidInput
from app.core.security import hash_password, needs_rehash, verify_password
from app.outbox import service as outbox_service


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_or_create_organisation(session: Session, *, name: str) -> Organisation:
    key = " ".join(name.split()).casefold()
    org = session.scalar(select(Organisation).where(Organisation.name_key == key))
    if org is None:
        org = Organisation(name=" ".join(name.split()), name_key=key, kind="other")
        try:
            with session.begin_nested():
                session.add(org)
        except IntegrityError:  # created by a concurrent request a moment ago
            org = session.scalars(select(Organisation).where(Organisation.name_key == key)).one()
    return org


def register(session: Session, *, data: UserCreate) -> User:
    return create_user(
        session,
        email=data.email,
        password=data.password,
        full_name=data.full_name,
        organisation=data.organisation,
        staff_group=data.staff_group,
        roles=[Role.LEARNER],
    )


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None,
    full_name: str,
    organisation: str | None,
    staff_group: str,
    roles: list[Role],
) -> User:
    email = normalise_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken()
    org = get_or_create_organisation(session, name=organisation) if organisation else None
    user = User(
        email=email,
        password_hash=hash_password(password) if password else None,
        full_name=full_name,
        organisation_id=org.id if org else None,
        staff_group=staff_group,
    )
    user.roles = [UserRole(role=r.value) for r in sorted(set(roles) | {Role.LEARNER})]
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:  # two registrations for one email at the same moment
        raise EmailTaken() from exc
    user.organisation = org
    return user


# Built once: this runs on every signed-in request, and building the loader options each time
# cost more than the query (py-spy, module page under load).
_USER_BY_ID = (
    select(User)
    .options(joinedload(User.roles), joinedload(User.organisation))
    .where(User.id == bindparam("user_id"))
)


def get_active_user(session: Session, *, user_id: int, token_version: int) -> User | None:
    """Load a signed-in user with roles and organisation in one query."""
    user = session.scalar(_USER_BY_ID, {"user_id": user_id})
    if user is None or not user.is_active or user.token_version != token_version:
        return None
    return user


def authenticate(
    session: Session, *, email: str, password: str, ip: str, settings: Settings
) -> User:
    """Check a password, throttled per account and per IP; every attempt is recorded."""
    email = normalise_email(email)[:254]
    now = utcnow()
    _check_throttle(session, email=email, ip=ip, settings=settings)
    user = session.scalar(
        select(User)
        .options(joinedload(User.roles), joinedload(User.organisation))
        .where(User.email == email)
    )
    ok = verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.is_active:
        session.add(LoginAttempt(email=email, ip=ip, succeeded=False, created_at=now))
        session.flush()
        raise InvalidCredentials()
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    session.add(LoginAttempt(email=email, ip=ip, succeeded=True, created_at=now))
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.flush()
    return user


def _check_throttle(session: Session, *, email: str, ip: str, settings: Settings) -> None:
    cutoff = utcnow() - timedelta(minutes=settings.login_window_minutes)
    failed = (LoginAttempt.succeeded.is_(False)) & (LoginAttempt.created_at > cutoff)
    by_email, by_ip = session.execute(
        select(
            func.coalesce(func.sum(case((LoginAttempt.email == email, 1), else_=0)), 0),
            func.coalesce(func.sum(case((LoginAttempt.ip == ip, 1), else_=0)), 0),
        ).where(failed, (LoginAttempt.email == email) | (LoginAttempt.ip == ip))
    ).one()
    if (
        by_email >= settings.login_max_failures_per_account
        or by_ip >= settings.login_max_failures_per_ip
    ):
        raise LoginThrottled(settings.login_window_minutes)


def to_public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        organisation=user.organisation.name if user.organisation else None,
        staff_group=user.staff_group,
        roles=sorted(user.role_names),
        created_at=user.created_at,
    )


def users_by_email(session: Session, *, emails: Collection[str]) -> dict[str, User]:
    """Users with any of these emails, keyed by normalised email, roles loaded: one query."""
    keys = {normalise_email(e) for e in emails}
    if not keys:
        return {}
    users = session.scalars(
        select(User).options(selectinload(User.roles)).where(User.email.in_(keys))
    )
    return {u.email: u for u in users}


def users_by_id(session: Session, *, user_ids: Collection[int]) -> dict[int, User]:
    """Users by id (names, emails, whether a password is set) for lists: one query, no roles."""
    if not user_ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(user_ids))))}


# --- Administration, password resets and account deletion ---------------------------------------

RESET_LIFETIME_SELF = timedelta(minutes=60)
RESET_LIFETIME_ADMIN = timedelta(hours=24)
INVITATION_LIFETIME = timedelta(days=7)
RESET_MAX_REQUESTS_PER_HOUR = 3  # self-service links per account: stops the form mailing someone


def get_user(session: Session, *, user_id: int) -> User:
    """One user with roles and organisation, or UserNotFound (404)."""
    user = session.scalar(
        select(User)
        .options(selectinload(User.roles), joinedload(User.organisation))
        .where(User.id == user_id)
    )
    if user is None:
        raise UserNotFound()
    return user


def search_users(
    session: Session, *, query: str = "", role: str | None = None, limit: int, offset: int
) -> tuple[list[User], int]:
    """A page of users whose name or email contains `query`, by name; and how many match in all."""
    conditions: list[ColumnElement[bool]] = []
    words = " ".join(query.split()).lower()
    if words:
        conditions.append(
            func.lower(User.full_name).contains(words, autoescape=True)
            | User.email.contains(words, autoescape=True)
        )
    if role:
        conditions.append(User.roles.any(UserRole.role == role))
    total = session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0
    users = session.scalars(
        select(User)
        .options(selectinload(User.roles), joinedload(User.organisation))
        .where(*conditions)
        .order_by(func.lower(User.full_name), User.id)
        .limit(limit)
        .offset(offset)
    )
    return list(users), int(total)


def set_roles(
    session: Session, *, user: User, roles: Collection[Role], end_sessions: bool = True
) -> tuple[list[str], list[str]]:
    """Give `user` exactly these roles (learner always stays); returns (added, removed).

    A change ends the user's sessions (token_version) unless `end_sessions` is False, which is for
    someone changing their own roles while signed in.
    """
    if user.deleted_at is not None:
        raise AccountDeleted()
    wanted = {Role(r).value for r in roles} | {Role.LEARNER.value}
    current = user.role_names
    added, removed = sorted(wanted - current), sorted(current - wanted)
    if not added and not removed:
        return [], []
    user.roles = [r for r in user.roles if r.role in wanted] + [UserRole(role=r) for r in added]
    if end_sessions:
        user.token_version += 1
    session.flush()
    return added, removed


def set_active(session: Session, *, user: User, active: bool) -> bool:
    """Deactivate (every session ends) or reactivate an account; False if nothing changed."""
    if user.deleted_at is not None:
        raise AccountDeleted()
    if user.is_active == active:
        return False
    user.is_active = active
    if not active:
        user.token_version += 1
    session.flush()
    return True


def count_active_admins(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ADMIN.value, User.is_active.is_(True))
        )
        or 0
    )


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
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)
        )
    )
    session.flush()
    return user


def confirm_password(
    session: Session, *, user: User, password: str, ip: str, settings: Settings
) -> bool:
    """Re-check the signed-in user's password before something drastic; throttled like sign-in."""
    _check_throttle(session, email=user.email, ip=ip, settings=settings)
    if verify_password(password, user.password_hash):
        return True
    session.add(LoginAttempt(email=user.email, ip=ip, succeeded=False, created_at=utcnow()))
    session.flush()
    return False


def login_attempts_for(session: Session, *, email: str) -> list[LoginAttempt]:
    return list(
        session.scalars(
            select(LoginAttempt)
            .where(LoginAttempt.email == email)
            .order_by(LoginAttempt.created_at.desc())
        )
    )


def anonymise_user(session: Session, *, user: User) -> None:
    """Erase what identifies the holder; keep the row so progress and report totals stay whole.

    Organisation, staff group and created_at stay: reports count by them and they no longer point
    at a person. Staff roles go; sessions and reset links end; sign-in attempts are deleted.
    """
    if user.deleted_at is not None:
        raise AccountDeleted()
    old_email = user.email
    user.email = f"deleted-{user.id}@invalid"
    user.full_name = "Deleted user"
    user.password_hash = None
    user.is_active = False
    user.token_version += 1
    user.last_login_at = None
    user.deleted_at = utcnow()
    user.roles = [r for r in user.roles if r.role == Role.LEARNER.value]
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == old_email))
    session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    session.flush()


def organisations_with_counts(session: Session) -> list[tuple[Organisation, int]]:
    """Every organisation by name with how many accounts belong to it: one query."""
    members = func.count(User.id)
    rows = session.execute(
        select(Organisation, members)
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(func.lower(Organisation.name), Organisation.id)
    ).all()
    return [(org, int(n)) for org, n in rows]


def get_organisation(session: Session, *, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise OrganisationNotFound()
    return org


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def create_organisation(
    session: Session, *, name: str, kind: str, region: str | None
) -> Organisation:
    key = _name_key(name)
    if session.scalar(select(Organisation.id).where(Organisation.name_key == key)) is not None:
        raise OrganisationNameTaken(name)
    org = Organisation(name=" ".join(name.split()), name_key=key, kind=kind, region=region)
    try:
        with session.begin_nested():
            session.add(org)
    except IntegrityError as exc:  # the same name created a moment ago
        raise OrganisationNameTaken(name) from exc
    return org


def update_organisation(
    session: Session, *, organisation: Organisation, name: str, kind: str, region: str | None
) -> dict[str, list[str | None]]:
    """Change name, kind and region; returns {field: [before, after]} for what changed."""
    clean = " ".join(name.split())
    key = _name_key(name)
    if key != organisation.name_key and session.scalar(
        select(Organisation.id).where(Organisation.name_key == key)
    ):
        raise OrganisationNameTaken(name)
    changes: dict[str, list[str | None]] = {}
    for field, value in (("name", clean), ("kind", kind), ("region", region)):
        before = getattr(organisation, field)
        if before != value:
            changes[field] = [before, value]
    try:
        # Inside the savepoint, so a clash rolls the object back too (it is expired and reloads).
        with session.begin_nested():
            for field, (_, value) in changes.items():
                setattr(organisation, field, value)
            organisation.name_key = key
            session.flush()
    except IntegrityError as exc:
        raise OrganisationNameTaken(name) from exc
    return changes


def user_counts(session: Session) -> tuple[int, int]:
    """How many accounts there are, and how many of them are active: one query."""
    total, active = session.execute(
        select(
            func.count(), func.coalesce(func.sum(case((User.is_active.is_(True), 1), else_=0)), 0)
        ).select_from(User)
    ).one()
    return int(total), int(active)
