"""xapi and ESR: outbox tasks, organisations' learning record stores, learners' opaque xAPI
names, and ESR competence mappings

Downgrade drops the four tables: statements not yet sent are lost (the learning they describe
stays in QI Academy's own tables), and so are the ESR names admins entered.

Revision ID: a7d3e9f1c5b2
Revises: c91f4d2a6e58
Create Date: 2026-12-02 18:01:49.688648
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d3e9f1c5b2"
down_revision: str | None = "c91f4d2a6e58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "esr_competence_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_key", sa.String(length=100), nullable=False),
        sa.Column("competence_name", sa.String(length=200), nullable=False),
        sa.Column("valid_months", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source_kind IN ('achievement', 'module')",
            name=op.f("ck_esr_competence_mapping_source_kind"),
        ),
        sa.CheckConstraint(
            "valid_months IS NULL OR (valid_months >= 1 AND valid_months <= 120)",
            name=op.f("ck_esr_competence_mapping_valid_months"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_esr_competence_mapping_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_esr_competence_mapping")),
        sa.UniqueConstraint(
            "organisation_id",
            "source_kind",
            "source_key",
            name=op.f("uq_esr_competence_mapping_organisation_id_source_kind_source_key"),
        ),
    )
    with op.batch_alter_table("esr_competence_mapping", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_esr_competence_mapping_organisation_id"),
            ["organisation_id"],
            unique=False,
        )

    op.create_table(
        "lrs_connection",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=500), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("password_encrypted", sa.String(length=2000), nullable=False),
        sa.Column("send_email", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_lrs_connection_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_lrs_connection")),
    )
    op.create_table(
        "outbox_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_outbox_task_status")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_task_attempts")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_outbox_task_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_task")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_outbox_task_kind_key")),
    )
    with op.batch_alter_table("outbox_task", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_task_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_task_user_id"), ["user_id"], unique=False)

    op.create_table(
        "xapi_actor",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_xapi_actor_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_xapi_actor")),
        sa.UniqueConstraint("name", name=op.f("uq_xapi_actor_name")),
    )


def downgrade() -> None:
    op.drop_table("xapi_actor")
    with op.batch_alter_table("outbox_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_task_user_id"))
        batch_op.drop_index("ix_outbox_task_due")

    op.drop_table("outbox_task")
    op.drop_table("lrs_connection")
    with op.batch_alter_table("esr_competence_mapping", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_esr_competence_mapping_organisation_id"))

    op.drop_table("esr_competence_mapping")
