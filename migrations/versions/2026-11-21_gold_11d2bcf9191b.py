"""gold: candidacies, observed teaching sessions, certifications

Revision ID: 11d2bcf9191b
Revises: 513b74886893
Create Date: 2026-11-21 23:42:07.404386
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "11d2bcf9191b"
down_revision: str | None = "513b74886893"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gold_candidacy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("nominated_by_id", sa.Integer(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reasons", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(status = 'open') = (decided_at IS NULL)",
            name=op.f("ck_gold_candidacy_decided_when_closed"),
        ),
        sa.CheckConstraint("kind IN ('initial', 'renewal')", name=op.f("ck_gold_candidacy_kind")),
        sa.CheckConstraint(
            "origin IN ('applied', 'nominated')", name=op.f("ck_gold_candidacy_origin")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'certified', 'declined', 'withdrawn')",
            name=op.f("ck_gold_candidacy_status"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_gold_candidacy_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["nominated_by_id"],
            ["user_account.id"],
            name=op.f("fk_gold_candidacy_nominated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_gold_candidacy_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_candidacy")),
    )
    with op.batch_alter_table("gold_candidacy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gold_candidacy_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_gold_candidacy_one_open",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "gold_certification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("candidacy_id", sa.Integer(), nullable=False),
        sa.Column("certified_by_id", sa.Integer(), nullable=True),
        sa.Column("certified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credential_id", sa.String(length=64), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("role_removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "expires_at > certified_at",
            name=op.f("ck_gold_certification_expiry_after_certification"),
        ),
        sa.ForeignKeyConstraint(
            ["candidacy_id"],
            ["gold_candidacy.id"],
            name=op.f("fk_gold_certification_candidacy_id_gold_candidacy"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["certified_by_id"],
            ["user_account.id"],
            name=op.f("fk_gold_certification_certified_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_gold_certification_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_certification")),
        sa.UniqueConstraint("candidacy_id", name=op.f("uq_gold_certification_candidacy_id")),
    )
    with op.batch_alter_table("gold_certification", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gold_certification_certified_by", ["certified_by_id"], unique=False
        )
        batch_op.create_index("ix_gold_certification_expires", ["expires_at"], unique=False)
        batch_op.create_index(
            "ix_gold_certification_user_expires", ["user_id", "expires_at"], unique=False
        )

    op.create_table(
        "teaching_observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidacy_id", sa.Integer(), nullable=False),
        sa.Column("observer_id", sa.Integer(), nullable=True),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("planning", sa.String(length=12), nullable=False),
        sa.Column("facilitation", sa.String(length=12), nullable=False),
        sa.Column("content_accuracy", sa.String(length=12), nullable=False),
        sa.Column("inclusion", sa.String(length=12), nullable=False),
        sa.Column("feedback", sa.String(length=12), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "content_accuracy IN ('not_yet_met', 'met', 'exceeded')",
            name=op.f("ck_teaching_observation_content_accuracy"),
        ),
        sa.CheckConstraint(
            "facilitation IN ('not_yet_met', 'met', 'exceeded')",
            name=op.f("ck_teaching_observation_facilitation"),
        ),
        sa.CheckConstraint(
            "feedback IN ('not_yet_met', 'met', 'exceeded')",
            name=op.f("ck_teaching_observation_feedback"),
        ),
        sa.CheckConstraint(
            "inclusion IN ('not_yet_met', 'met', 'exceeded')",
            name=op.f("ck_teaching_observation_inclusion"),
        ),
        sa.CheckConstraint(
            "planning IN ('not_yet_met', 'met', 'exceeded')",
            name=op.f("ck_teaching_observation_planning"),
        ),
        sa.ForeignKeyConstraint(
            ["candidacy_id"],
            ["gold_candidacy.id"],
            name=op.f("fk_teaching_observation_candidacy_id_gold_candidacy"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["observer_id"],
            ["user_account.id"],
            name=op.f("fk_teaching_observation_observer_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teaching_observation")),
    )
    with op.batch_alter_table("teaching_observation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_teaching_observation_candidacy_id"), ["candidacy_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("teaching_observation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teaching_observation_candidacy_id"))

    op.drop_table("teaching_observation")
    with op.batch_alter_table("gold_certification", schema=None) as batch_op:
        batch_op.drop_index("ix_gold_certification_user_expires")
        batch_op.drop_index("ix_gold_certification_expires")
        batch_op.drop_index("ix_gold_certification_certified_by")

    op.drop_table("gold_certification")
    with op.batch_alter_table("gold_candidacy", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_gold_candidacy_one_open",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_gold_candidacy_user_id"))

    op.drop_table("gold_candidacy")
