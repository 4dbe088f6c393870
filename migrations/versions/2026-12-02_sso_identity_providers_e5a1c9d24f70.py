"""sso: identity providers per organisation, their email domains, linked identities, sign-ins

Downgrade drops the four tables: accounts made through single sign-on stay, without a password
(their holders can set one with a reset link).

Revision ID: e5a1c9d24f70
Revises: b71f3a9e0c42
Create Date: 2026-12-02 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5a1c9d24f70"
down_revision: str | None = "b71f3a9e0c42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("client_secret_encrypted", sa.String(length=2000), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("default_staff_group", sa.String(length=40), nullable=False),
        sa.Column("trust_email", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_identity_provider_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_provider")),
    )
    op.create_index(
        op.f("ix_identity_provider_organisation_id"),
        "identity_provider",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "identity_provider_domain",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_provider.id"],
            name=op.f("fk_identity_provider_domain_provider_id_identity_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_identity_provider_domain")),
    )
    op.create_index(
        op.f("ix_identity_provider_domain_provider_id"),
        "identity_provider_domain",
        ["provider_id"],
        unique=False,
    )
    op.create_table(
        "external_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_provider.id"],
            name=op.f("fk_external_identity_provider_id_identity_provider"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_external_identity_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_identity")),
        sa.UniqueConstraint(
            "provider_id", "subject", name=op.f("uq_external_identity_provider_id_subject")
        ),
    )
    op.create_index(
        op.f("ix_external_identity_user_id"), "external_identity", ["user_id"], unique=False
    )
    op.create_table(
        "sso_login",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("next_path", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_provider.id"],
            name=op.f("fk_sso_login_provider_id_identity_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_sso_login")),
        sa.UniqueConstraint("nonce", name=op.f("uq_sso_login_nonce")),
    )
    op.create_index("ix_sso_login_expires_at", "sso_login", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sso_login_expires_at", table_name="sso_login")
    op.drop_table("sso_login")
    op.drop_index(op.f("ix_external_identity_user_id"), table_name="external_identity")
    op.drop_table("external_identity")
    op.drop_index(
        op.f("ix_identity_provider_domain_provider_id"), table_name="identity_provider_domain"
    )
    op.drop_table("identity_provider_domain")
    op.drop_index(op.f("ix_identity_provider_organisation_id"), table_name="identity_provider")
    op.drop_table("identity_provider")
