"""Accounts tables: users, their roles, organisations and login attempts (for rate limiting)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from app.accounts.constants import ORGANISATION_KINDS, STAFF_GROUPS, Role
from app.core.db import Base, as_utc


def _in(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Organisation(Base):
    __tablename__ = "organisation"
    __table_args__ = (CheckConstraint(_in("kind", ORGANISATION_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Case-folded name, unique, so "Leeds Teaching Hospitals" and "leeds teaching hospitals" are one.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="other", server_default="other")
    region: Mapped[str | None] = mapped_column(String(100))
    # Listed: an administrator added it (or approved it), so people pick it from the list. Not
    # listed: a name someone typed under "My organisation is not listed", waiting for an admin
    # to add it to the list or merge it into a listed one.
    listed: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(_in("staff_group", STAFF_GROUPS), name="staff_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    staff_group: Mapped[str] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # Bumped on password change or deactivation: every token issued before stops working.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    last_login_at: Mapped[datetime | None]
    # When the holder proved they read mail at `email` (a link we sent, a password set from an
    # emailed link, or an organisation's sign-on). NULL: a credential waits until they do.
    email_verified_at: Mapped[datetime | None]
    # Set when the holder deletes their account: personal data is gone, the row keeps aggregates whole.
    deleted_at: Mapped[datetime | None]

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="raise"
    )
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    # Loaded with the signed-in user in the same statement (auth._USER_IN_SESSION): the bell's count.
    unread_notifications: Mapped[int | None] = query_expression()

    @property
    def role_names(self) -> set[str]:
        """Roles held now: a role past its `expires_at` (a lapsed Gold trainer's) no longer counts."""
        now = datetime.now(UTC)
        return {r.role for r in self.roles if r.expires_at is None or as_utc(r.expires_at) > now}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_names & {r.value for r in roles})


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (CheckConstraint(_in("role", [r.value for r in Role]), name="role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # None: until taken away. Set for a trainer role that comes from a Gold certification.
    expires_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="roles", lazy="raise")


class LoginAttempt(Base):
    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_created", "email", "created_at"),
        Index("ix_login_attempt_ip_created", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column()


class PasswordReset(Base):
    """A single-use, expiring link to set a new password; only a keyed hash of the token is stored."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The admin who sent the link, or NULL when the holder asked for it from the sign-in page.
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class EmailVerification(Base):
    """A single-use, expiring link that proves the holder reads mail at `email`: their address
    on registration, or the new one they asked to change to (which replaces the old only then).
    Only a keyed hash of the token is stored, as for password resets."""

    __tablename__ = "email_verification"
    __table_args__ = (Index("ix_email_verification_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class UserSession(Base):
    """One signed-in browser or API client. The session token names it (`sid`); signing out
    revokes exactly this row, "sign out everywhere" every row of the user."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user_expires", "user_id", "expires_at"),)

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # "web" (cookie) or "api" (Bearer token)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class Throttle(Base):
    """A counter per key ("pair:<email>|<ip>", "account:<email>", "ip:<ip>", "register:<ip>", ...)
    in a fixed window. Checked and counted in one statement, so concurrent requests cannot all
    pass a limit they each saw unreached (app/accounts/throttle.py)."""

    __tablename__ = "throttle"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime]
