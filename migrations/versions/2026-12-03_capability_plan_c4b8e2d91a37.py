"""capability_plan: each organisation's target share of each staff group per tier

Adds capability_target (organisation, staff group, tier, target in hundredths of a percent), the
"dosing" plan leaders set and the capability report measures against. Downgrade drops it.

Revision ID: c4b8e2d91a37
Revises: 7f3c9b2e6a14
Create Date: 2026-12-03 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4b8e2d91a37"
down_revision: str | None = "7f3c9b2e6a14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "capability_target",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("staff_group", sa.String(length=40), nullable=False),
        sa.Column("tier", sa.String(length=6), nullable=False),
        sa.Column("hundredths", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "hundredths BETWEEN 0 AND 10000", name=op.f("ck_capability_target_hundredths")
        ),
        sa.CheckConstraint(
            "tier IN ('bronze', 'silver', 'gold')", name=op.f("ck_capability_target_tier")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_capability_target_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_capability_target_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "staff_group", "tier", name=op.f("pk_capability_target")
        ),
    )


def downgrade() -> None:
    op.drop_table("capability_target")
