"""job_run: one row per background job and period, so several instances run each job once

Downgrade drops the table: a single instance then runs its loops as before.

Revision ID: b71f3a9e0c42
Revises: 8c4d1e2b7a55
Create Date: 2026-12-02 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b71f3a9e0c42"
down_revision: str | None = "8c4d1e2b7a55"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("period", sa.BigInteger(), nullable=False),
        sa.Column("instance", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", "period", name=op.f("pk_job_run")),
    )


def downgrade() -> None:
    op.drop_table("job_run")
