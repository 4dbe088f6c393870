"""admin, outbox, feedback, privacy

outbox_message, module_feedback, session_feedback, password_reset, user_account.deleted_at.

Revision ID: 16098e6bca20
Revises: 7b8e81d6b713
Create Date: 2026-11-21 23:45:17.526776
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "16098e6bca20"
down_revision: str | None = "7b8e81d6b713"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_outbox_message_status")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_message_attempts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_message_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_outbox_message_to_address", ["to_address"], unique=False)

    op.create_table(
        "module_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "comment IS NULL OR length(comment) <= 2000", name=op.f("ck_module_feedback_comment")
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_module_feedback_rating")),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["module.id"],
            name=op.f("fk_module_feedback_module_id_module"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_module_feedback_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_feedback")),
        sa.UniqueConstraint(
            "user_id", "module_id", name=op.f("uq_module_feedback_user_id_module_id")
        ),
    )
    with op.batch_alter_table("module_feedback", schema=None) as batch_op:
        batch_op.create_index(
            "ix_module_feedback_module_updated", ["module_id", "updated_at"], unique=False
        )
        batch_op.create_index("ix_module_feedback_updated", ["updated_at"], unique=False)

    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_password_reset_requested_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_password_reset_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_reset_user_id"), ["user_id"], unique=False)

    op.create_table(
        "session_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "comment IS NULL OR length(comment) <= 2000", name=op.f("ck_session_feedback_comment")
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_session_feedback_rating")),
        sa.ForeignKeyConstraint(
            ["cohort_id", "session_id"],
            ["workshop_session.cohort_id", "workshop_session.id"],
            name="fk_session_feedback_session_in_cohort",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_session_feedback_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_session_feedback_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_feedback")),
        sa.UniqueConstraint(
            "user_id", "session_id", name=op.f("uq_session_feedback_user_id_session_id")
        ),
    )
    with op.batch_alter_table("session_feedback", schema=None) as batch_op:
        batch_op.create_index(
            "ix_session_feedback_cohort_updated", ["cohort_id", "updated_at"], unique=False
        )
        batch_op.create_index("ix_session_feedback_session", ["session_id"], unique=False)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")

    with op.batch_alter_table("session_feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_session_feedback_session")
        batch_op.drop_index("ix_session_feedback_cohort_updated")

    op.drop_table("session_feedback")
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_user_id"))

    op.drop_table("password_reset")
    with op.batch_alter_table("module_feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_module_feedback_updated")
        batch_op.drop_index("ix_module_feedback_module_updated")

    op.drop_table("module_feedback")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_to_address")
        batch_op.drop_index("ix_outbox_message_due")

    op.drop_table("outbox_message")
