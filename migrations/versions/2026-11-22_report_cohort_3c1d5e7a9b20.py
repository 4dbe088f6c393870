"""report_cohort: per-cohort learners and Silver holders for cohorts running and the lineage

Revision ID: 3c1d5e7a9b20
Revises: 16098e6bca20
Create Date: 2026-11-22 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c1d5e7a9b20"
down_revision: str | None = "16098e6bca20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_cohort",
        sa.Column("cohort_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.Column("to_silver", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cohort_id", name=op.f("pk_report_cohort")),
    )


def downgrade() -> None:
    op.drop_table("report_cohort")
