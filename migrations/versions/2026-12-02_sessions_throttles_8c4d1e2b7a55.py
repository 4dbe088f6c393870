"""sessions_throttles: server-side sessions (sign-out ends them) and atomic throttle counters

user_session: one row per signed-in browser or API token; the token carries its id (`sid`).
throttle: a counter per key in a fixed window, updated with one INSERT ... ON CONFLICT ... RETURNING,
so concurrent sign-in guesses cannot all pass a limit.

Downgrade drops both tables: tokens then fall back to token_version only (as before), and the
throttle starts empty.

Revision ID: 8c4d1e2b7a55
Revises: 5a7e2c1f9d30
Create Date: 2026-12-02 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c4d1e2b7a55"
down_revision: str | None = "5a7e2c1f9d30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id", sa.String(length=43), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
    )
    op.create_index(
        "ix_user_session_user_expires", "user_session", ["user_id", "expires_at"], unique=False
    )
    op.create_table(
        "throttle",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle")),
    )


def downgrade() -> None:
    op.drop_table("throttle")
    op.drop_index("ix_user_session_user_expires", table_name="user_session")
    op.drop_table("user_session")
