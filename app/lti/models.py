"""LTI tables: registered platforms and deployments, the tool's key, launches in flight, the
people and resource links platforms sent us, and scores waiting to go back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base


class LtiPlatform(Base):
    """A learning platform (a Moodle site, say) an admin registered: launches from it are trusted."""

    __tablename__ = "lti_platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(500))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    keyset_url: Mapped[str] = mapped_column(String(1000))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="LtiDeployment.deployment_id",
    )


class LtiDeployment(Base):
    """One deployment of the tool on a platform (a site-wide or course install in Moodle)."""

    __tablename__ = "lti_deployment"

    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platform.id", ondelete="CASCADE"), primary_key=True
    )
    deployment_id: Mapped[str] = mapped_column(String(255), primary_key=True)

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments", lazy="raise")


class LtiToolKey(Base):
    """The tool's own signing key (deep-linking responses, client assertions); the private half
    is encrypted with a key derived from QIA_SECRET_KEY."""

    __tablename__ = "lti_tool_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_jwk_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class LtiLogin(Base):
    """One login initiation in flight: its state (hashed) and nonce, each usable once."""

    __tablename__ = "lti_login"
    __table_args__ = (Index("ix_lti_login_expires_at", "expires_at"),)

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LtiUser(Base):
    """A person at a platform (its `sub`), linked to one account."""

    __tablename__ = "lti_user"
    __table_args__ = (UniqueConstraint("platform_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class LtiGradeTarget(Base):
    """Where a learner's score for a module goes: the platform's line item, for their `sub`."""

    __tablename__ = "lti_grade_target"
    __table_args__ = (UniqueConstraint("platform_id", "user_id", "lineitem_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(255))
    module_slug: Mapped[str] = mapped_column(String(200))
    lineitem_url: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime]


class LtiDeepLink(Base):
    """A teacher's deep-linking request, kept while they choose modules (single use)."""

    __tablename__ = "lti_deep_link"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    return_url: Mapped[str] = mapped_column(String(1000))
    data: Mapped[str | None] = mapped_column(String(2000))
    accept_multiple: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LtiCohortLink(Base):
    """The Silver cohort kept in step with a platform course's roster (NRPS)."""

    __tablename__ = "lti_cohort_link"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    synced_at: Mapped[datetime]


class LtiScore(Base):
    """A score waiting to be posted to a platform's line item: the LTI side of the outbox, queued
    in the pass's transaction, posted after commit, retried with the outbox's backoff."""

    __tablename__ = "lti_score"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        Index("ix_lti_score_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(255))
    lineitem_url: Mapped[str] = mapped_column(String(1000))
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
