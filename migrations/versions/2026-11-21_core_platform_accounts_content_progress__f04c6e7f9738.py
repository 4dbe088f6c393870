"""core platform: accounts, content, progress, quizzes

Revision ID: f04c6e7f9738
Revises:
Create Date: 2026-11-21 23:15:28.490319
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f04c6e7f9738"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_login_attempt_email_created", ["email", "created_at"], unique=False
        )
        batch_op.create_index("ix_login_attempt_ip_created", ["ip", "created_at"], unique=False)

    op.create_table(
        "module",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("tier", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("tier IN ('bronze', 'silver', 'gold')", name=op.f("ck_module_tier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module")),
        sa.UniqueConstraint("slug", name=op.f("uq_module_slug")),
    )
    with op.batch_alter_table("module", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_module_tier"), ["tier"], unique=False)

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), server_default="other", nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('nhs_trust', 'primary_care', 'social_care', 'other')",
            name=op.f("ck_organisation_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("name_key", name=op.f("uq_organisation_name_key")),
    )
    op.create_table(
        "module_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("cpd_minutes", sa.Integer(), nullable=False),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["module.id"],
            name=op.f("fk_module_version_module_id_module"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_version")),
        sa.UniqueConstraint(
            "module_id", "content_hash", name=op.f("uq_module_version_module_id_content_hash")
        ),
    )
    with op.batch_alter_table("module_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_module_version_module_id"), ["module_id"], unique=False
        )

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("staff_group", sa.String(length=40), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("token_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "staff_group IN ('add_prof_scientific_technical', 'additional_clinical_services', 'administrative_clerical', 'allied_health_professionals', 'estates_ancillary', 'healthcare_scientists', 'medical_dental', 'nursing_midwifery', 'students', 'social_care', 'other')",
            name=op.f("ck_user_account_staff_group"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_user_account_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_account_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_user_account_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "module_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("last_section", sa.Integer(), nullable=False),
        sa.Column("best_score", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_version_id", sa.Integer(), nullable=True),
        sa.Column("cpd_minutes", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('in_progress', 'completed')", name=op.f("ck_module_progress_status")
        ),
        sa.CheckConstraint(
            "best_score IS NULL OR (best_score BETWEEN 0 AND 100)",
            name=op.f("ck_module_progress_best_score"),
        ),
        sa.ForeignKeyConstraint(
            ["completed_version_id"],
            ["module_version.id"],
            name=op.f("fk_module_progress_completed_version_id_module_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["module.id"],
            name=op.f("fk_module_progress_module_id_module"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_module_progress_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_progress")),
        sa.UniqueConstraint(
            "user_id", "module_id", name=op.f("uq_module_progress_user_id_module_id")
        ),
    )
    with op.batch_alter_table("module_progress", schema=None) as batch_op:
        batch_op.create_index(
            "ix_module_progress_module_completed", ["module_id", "completed_at"], unique=False
        )

    op.create_table(
        "quiz_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("module_version_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f("ck_quiz_attempt_score")),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["module.id"],
            name=op.f("fk_quiz_attempt_module_id_module"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["module_version_id"],
            ["module_version.id"],
            name=op.f("fk_quiz_attempt_module_version_id_module_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_quiz_attempt_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempt")),
    )
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quiz_attempt_module_created", ["module_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_quiz_attempt_user_module", ["user_id", "module_id"], unique=False)

    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column(
            "granted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('learner', 'trainer', 'leader', 'admin')", name=op.f("ck_user_role_role")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_role_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )


def downgrade() -> None:
    op.drop_table("user_role")
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_quiz_attempt_user_module")
        batch_op.drop_index("ix_quiz_attempt_module_created")

    op.drop_table("quiz_attempt")
    with op.batch_alter_table("module_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_module_progress_module_completed")

    op.drop_table("module_progress")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_user_account_created_at"))

    op.drop_table("user_account")
    with op.batch_alter_table("module_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_module_version_module_id"))

    op.drop_table("module_version")
    op.drop_table("organisation")
    with op.batch_alter_table("module", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_module_tier"))

    op.drop_table("module")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_ip_created")
        batch_op.drop_index("ix_login_attempt_email_created")

    op.drop_table("login_attempt")
