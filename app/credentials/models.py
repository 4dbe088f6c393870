"""Credentials tables: each learner's stable subject id, and every credential issued (never deleted)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

STATUSES = ("active", "revoked", "superseded")
_ACTIVE = text("status = 'active'")


class CredentialSubject(Base):
    """The `credentialSubject.id` a learner has in every credential: a urn:uuid, never their email."""

    __tablename__ = "credential_subject"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[str] = mapped_column(String(45), unique=True)  # urn:uuid: + 36
    created_at: Mapped[datetime]


class Credential(Base):
    """One issued OpenBadgeCredential: the signed token, the JSON it signs, and its certificate.

    `status` is what the platform decided (active, revoked, superseded); "expired" is worked out
    from `valid_until` when asked, because time passing is not an event anyone records.
    """

    __tablename__ = "credential"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(
            "status <> 'revoked' OR (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)",
            name="revoked_has_reason",
        ),
        CheckConstraint("valid_until IS NULL OR valid_until > issued_at", name="valid_until"),
        CheckConstraint(
            "status_list_index IS NULL OR (status_list_index >= 0 AND status_list_index < 131072)",
            name="status_list_index",
        ),
        # The race guard: however many completions land at once, one active credential per
        # learner and achievement. Revoked and superseded ones stay, so they still verify.
        Index(
            "uq_credential_user_achievement_active",
            "user_id",
            "achievement",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        Index("ix_credential_user_issued", "user_id", "issued_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Erasing a learner erases their credentials; verification then says "not found".
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    achievement: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="active")
    holder_name: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    # The first award of this achievement; kept when a credential is re-issued or renewed.
    awarded_at: Mapped[datetime]
    # What the credential was earned on: [{slug, title, tier, version_id, completed_at, cpd_minutes}].
    modules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("credential.id", ondelete="SET NULL"), unique=True
    )
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    # Its random position in the Bitstring Status List; NULL for credentials issued before it.
    status_list_index: Mapped[int | None] = mapped_column(unique=True)
    # The big columns load only when a route asks for them (undefer), never by accident.
    document: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True, deferred_raiseload=True)
    jwt: Mapped[str] = mapped_column(Text, deferred=True, deferred_raiseload=True)
    # Made once at issue (~100 ms) and served from here; NULL only if making it failed.
    certificate_pdf: Mapped[bytes | None] = mapped_column(
        LargeBinary, deferred=True, deferred_raiseload=True
    )


class StatusList(Base):
    """A signed BitstringStatusListCredential as published: remade when a credential is revoked,
    inside that transaction, and served as stored (not rebuilt per request).

    The row is made by the migration; `document` stays NULL until the list is first served or
    first changed (a migration has no signing key).
    """

    __tablename__ = "status_list"
    __table_args__ = (CheckConstraint("purpose IN ('revocation')", name="purpose"),)

    purpose: Mapped[str] = mapped_column(String(20), primary_key=True)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime | None]
