"""credentials: issued Open Badges (one active per learner and achievement) and subject ids

Revision ID: 141e4a2ff9b1
Revises: 11d2bcf9191b
Create Date: 2026-11-21 23:42:42.437215
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "141e4a2ff9b1"
down_revision: str | None = "11d2bcf9191b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credential",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("achievement", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modules", sa.JSON(), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("jwt", sa.Text(), nullable=False),
        sa.Column("certificate_pdf", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(
            "status <> 'revoked' OR (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)",
            name=op.f("ck_credential_revoked_has_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'revoked', 'superseded')", name=op.f("ck_credential_status")
        ),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until > issued_at", name=op.f("ck_credential_valid_until")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["user_account.id"],
            name=op.f("fk_credential_revoked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["credential.id"],
            name=op.f("fk_credential_supersedes_id_credential"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_credential_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_credential_supersedes_id")),
    )
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.create_index("ix_credential_user_issued", ["user_id", "issued_at"], unique=False)
        batch_op.create_index(
            "uq_credential_user_achievement_active",
            ["user_id", "achievement"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "credential_subject",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.String(length=45), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_credential_subject_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_credential_subject")),
        sa.UniqueConstraint("subject_id", name=op.f("uq_credential_subject_subject_id")),
    )


def downgrade() -> None:
    op.drop_table("credential_subject")
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_credential_user_achievement_active",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index("ix_credential_user_issued")

    op.drop_table("credential")
