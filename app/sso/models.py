"""Single sign-on tables: identity providers, their email domains, linked identities, sign-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base


class IdentityProvider(Base):
    """An organisation's OpenID provider (Microsoft Entra ID, Okta, Keycloak, ...)."""

    __tablename__ = "identity_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # shown on the button: "Sign in with ..."
    # Exactly as the provider's discovery document states it: id_tokens must carry this `iss`.
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(500))
    # Encrypted with a key derived from QIA_SECRET_KEY (app/sso/crypto.py), never stored plain.
    client_secret_encrypted: Mapped[str] = mapped_column(String(2000))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    default_staff_group: Mapped[str] = mapped_column(String(40))
    # Some providers (Entra ID) send `email` but never `email_verified`; an admin may say the
    # provider only issues addresses it controls.
    trust_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    domains: Mapped[list[ProviderDomain]] = relationship(
        back_populates="provider",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="ProviderDomain.domain",
    )


class ProviderDomain(Base):
    """An email domain whose people sign in through one provider (unique: one provider a domain)."""

    __tablename__ = "identity_provider_domain"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("identity_provider.id", ondelete="CASCADE"), index=True
    )

    provider: Mapped[IdentityProvider] = relationship(back_populates="domains", lazy="raise")


class ExternalIdentity(Base):
    """A person at a provider (its `sub`), linked to one account: a changed email stays one account."""

    __tablename__ = "external_identity"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_provider.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class SsoLogin(Base):
    """One authorization request in flight: its state (hashed), nonce and PKCE verifier.

    Used once: the callback marks it used before anything else, so a replayed callback (the same
    state and code) or a replayed id_token (its nonce) is refused.
    """

    __tablename__ = "sso_login"
    __table_args__ = (Index("ix_sso_login_expires_at", "expires_at"),)

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_provider.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    code_verifier: Mapped[str] = mapped_column(String(128))
    # A hash of the browser's CSRF cookie: the callback must come back to the browser that left,
    # so nobody can sign someone else in to the attacker's account (login CSRF).
    browser_hash: Mapped[str] = mapped_column(String(64))
    next_path: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
