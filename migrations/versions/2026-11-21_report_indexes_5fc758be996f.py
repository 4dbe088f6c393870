"""reports: monthly rollups and the indexes that build them at a million learners

Revision ID: 5fc758be996f
Revises: 141e4a2ff9b1
Create Date: 2026-11-21 23:43:29.954260
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5fc758be996f"
down_revision: str | None = "141e4a2ff9b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("status = 'active'")


def _group_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("staff_group", sa.String(length=40), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "report_learner_month",
        *_group_columns(),
        sa.Column("registered", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "organisation_id", "staff_group", name=op.f("pk_report_learner_month")
        ),
    )
    op.create_index(
        "ix_report_learner_month_org", "report_learner_month", ["organisation_id", "month"]
    )
    op.create_table(
        "report_completion_month",
        *_group_columns(),
        sa.Column("achievement", sa.String(length=40), nullable=False),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month",
            "organisation_id",
            "staff_group",
            "achievement",
            name=op.f("pk_report_completion_month"),
        ),
    )
    op.create_index(
        "ix_report_completion_month_org", "report_completion_month", ["organisation_id", "month"]
    )
    op.create_table(
        "report_quiz_month",
        *_group_columns(),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month",
            "organisation_id",
            "staff_group",
            "module_id",
            name=op.f("pk_report_quiz_month"),
        ),
    )
    op.create_index("ix_report_quiz_month_org", "report_quiz_month", ["organisation_id", "month"])
    op.create_table(
        "report_project",
        sa.Column("project_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("shows_improvement", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_report_project")),
    )
    op.create_index("ix_report_project_month", "report_project", ["month", "organisation_id"])
    op.create_table(
        "report_refresh",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("full_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_month", sa.String(length=7), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("last_user_id", sa.Integer(), nullable=False),
        sa.Column("last_attempt_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_report_refresh_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_refresh")),
    )
    op.create_index(
        "ix_report_user_created_group",
        "user_account",
        ["created_at", "organisation_id", "staff_group"],
    )
    op.create_index(
        "ix_report_credential_awarded",
        "credential",
        ["awarded_at", "achievement", "user_id"],
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )
    op.create_index("ix_report_credential_revoked", "credential", ["revoked_at"])
    op.create_index(
        "ix_report_quiz_attempt_created",
        "quiz_attempt",
        ["created_at", "module_id", "passed", "user_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_report_quiz_attempt_created", table_name="quiz_attempt")
    op.drop_index("ix_report_credential_revoked", table_name="credential")
    op.drop_index("ix_report_credential_awarded", table_name="credential")
    op.drop_index("ix_report_user_created_group", table_name="user_account")
    op.drop_table("report_refresh")
    op.drop_index("ix_report_project_month", table_name="report_project")
    op.drop_table("report_project")
    op.drop_index("ix_report_quiz_month_org", table_name="report_quiz_month")
    op.drop_table("report_quiz_month")
    op.drop_index("ix_report_completion_month_org", table_name="report_completion_month")
    op.drop_table("report_completion_month")
    op.drop_index("ix_report_learner_month_org", table_name="report_learner_month")
    op.drop_table("report_learner_month")
