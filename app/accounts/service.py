"""Accounts: registration, users, roles, organisations and user look-ups.

Signing in and sessions are in `auth`, password resets and invitations in `resets`; both are
re-exported here, so other domains keep one door into accounts.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app.accounts import organisations, verification
from app.accounts.auth import confirm_password, end_sessions, get_active_user, normalise_email
from app.accounts.constants import Role
from app.accounts.events import AccountAnonymised, EmailVerified
from app.accounts.exceptions import (
    AccountDeleted,
    EmailTaken,
    OrganisationNameTaken,
    OrganisationNotFound,
    UserNotFound,
)
from app.accounts.models import LoginAttempt, Organisation, PasswordReset, User, UserRole
from app.accounts.resets import (
    INVITATION_LIFETIME,
    RESET_LIFETIME_ADMIN,
    RESET_LIFETIME_SELF,
    RESET_MAX_REQUESTS_PER_HOUR,
    issue_password_reset,
    request_password_reset,
    reset_link_usable,
    reset_password,
    send_invitation,
)
from app.accounts.schemas import UserCreate, UserPublic
from app.core.config import Settings
from app.core.db import utcnow
from app.core.events import publish
from app.core.security import hash_password

__all__ = [
    "INVITATION_LIFETIME",
    "RESET_LIFETIME_ADMIN",
    "RESET_LIFETIME_SELF",
    "RESET_MAX_REQUESTS_PER_HOUR",
    "confirm_password",
    "end_sessions",
    "get_active_user",
    "issue_password_reset",
    "normalise_email",
    "organisations",
    "request_password_reset",
    "reset_link_usable",
    "reset_password",
    "send_invitation",
    "verification",
]


def get_or_create_organisation(session: Session, *, name: str) -> Organisation:
    key = " ".join(name.split()).casefold()
    org = session.scalar(select(Organisation).where(Organisation.name_key == key))
    if org is None:
        # A name nobody has listed: it waits for an admin to list it or merge it into one.
        org = Organisation(name=" ".join(name.split()), name_key=key, kind="other", listed=False)
        try:
            with session.begin_nested():
                session.add(org)
        except IntegrityError:  # created by a concurrent request a moment ago
            org = session.scalars(select(Organisation).where(Organisation.name_key == key)).one()
    return org


def register(session: Session, *, data: UserCreate, settings: Settings) -> User:
    """A new learner signs themselves up: nobody has vouched for the address, so a link to
    confirm it goes out at once (credentials wait for it)."""
    user = create_user(
        session,
        email=data.email,
        password=data.password,
        full_name=data.full_name,
        organisation=data.organisation,
        staff_group=data.staff_group,
        roles=[Role.LEARNER],
        email_verified=False,
    )
    session.flush()
    verification.send_link(session, user=user, email=user.email, settings=settings)
    return user


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None,
    full_name: str,
    organisation: str | None,
    staff_group: str,
    roles: list[Role],
    email_verified: bool = True,
) -> User:
    """Make an account. `email_verified` is False only for self-registration: an account made
    by the demo, an administrator, a trainer's invitation (whose set-password link proves the
    address) or an organisation's sign-on has its address vouched for."""
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
        email_verified_at=utcnow() if email_verified else None,
    )
    user.roles = [UserRole(role=r.value) for r in sorted(set(roles) | {Role.LEARNER})]
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:  # two registrations for one email at the same moment
        raise EmailTaken() from exc
    user.organisation = org
    return user


def account_status(user: User) -> str:
    """A key of ACCOUNT_STATUSES. Invited: made for them (a trainer's import, an admin) and never
    signed in, with no password yet; someone who signs in through their organisation is active."""
    if user.deleted_at is not None:
        return "deleted"
    if not user.is_active:
        return "deactivated"
    if user.password_hash is None and user.last_login_at is None:
        return "invited"
    return "active"


def is_email_verified(session: Session, *, user_id: int) -> bool:
    """Whether this person's address is proven (credentials are issued only to one that is)."""
    verified = session.scalar(select(User.email_verified_at).where(User.id == user_id))
    return verified is not None


def record_external_sign_in(
    session: Session, *, user: User, organisation_id: int | None = None
) -> None:
    """A sign-in vouched for elsewhere (an organisation's identity provider): note when, and
    place the account in `organisation_id` if given."""
    user.last_login_at = utcnow()
    if user.email_verified_at is None:  # the provider vouches for the address
        user.email_verified_at = utcnow()
        publish(session, EmailVerified(user_id=user.id, first=True))
    if organisation_id is not None and user.organisation_id != organisation_id:
        user.organisation_id = organisation_id
        user.organisation = session.get(Organisation, organisation_id)
    session.flush()


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
    publish(session, AccountAnonymised(user_id=user.id))  # sso forgets the linked identities


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


def organisation_names(session: Session, *, organisation_ids: Collection[int]) -> dict[int, str]:
    """Organisations' names by id, for lists: one query."""
    if not organisation_ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(
            Organisation.id.in_(list(organisation_ids))
        )
    )
    return {r.id: r.name for r in rows}


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


def users_in_organisation(session: Session, *, organisation_id: int) -> list[User]:
    """The organisation's current people (not deleted), by name: one query."""
    return list(
        session.scalars(
            select(User)
            .where(User.organisation_id == organisation_id, User.deleted_at.is_(None))
            .order_by(func.lower(User.full_name), User.id)
        )
    )
