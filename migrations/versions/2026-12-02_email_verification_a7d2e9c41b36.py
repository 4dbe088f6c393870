"""email_verification: an address is proven before a credential is issued to it

Adds `user_account.email_verified_at` and the `email_verification` table of single-use,
expiring links (keyed hashes only) that prove an address on registration or on a change of
address in account settings.

Upgrade counts every existing account as verified from when it was made: those people were
issued credentials under the old rule and nothing should be taken back or held up. Only accounts
registered from now on wait for their link. Downgrade drops the table and the column (pending
changes of address are forgotten; the old addresses were never replaced).

Revision ID: a7d2e9c41b36
Revises: b71c4e9a2d60
Create Date: 2026-12-02 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d2e9c41b36"
down_revision: str | None = "b71c4e9a2d60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE user_account SET email_verified_at = created_at WHERE deleted_at IS NULL")
    op.create_table(
        "email_verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_email_verification_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_verification")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_verification_token_hash")),
    )
    op.create_index(
        "ix_email_verification_user_created",
        "email_verification",
        ["user_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_email_verification_user_created", table_name="email_verification")
    op.drop_table("email_verification")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
