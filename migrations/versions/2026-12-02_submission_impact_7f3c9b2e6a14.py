"""submission_impact: the trainer's impact judgement on sign-off (QIPAT style), in reports too

Adds submission.impact (unsatisfactory, satisfactory or exemplary; NULL for earlier sign-offs and for
decisions that are not sign-offs) with a check constraint, and submission.impact_reasons. The report
rollup report_project gains judged_exemplary (false for rows made before; the next full refresh
fills it), so leaders' reports show the share judged exemplary. Downgrade drops all three.

Revision ID: 7f3c9b2e6a14
Revises: 4d8e1a7c2b95
Create Date: 2026-12-02 18:54:26.321183
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7f3c9b2e6a14"
down_revision: str | None = "4d8e1a7c2b95"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("impact", sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column("impact_reasons", sa.Text(), nullable=True))
        batch_op.create_check_constraint(
            "impact", "impact IS NULL OR impact IN ('unsatisfactory', 'satisfactory', 'exemplary')"
        )

    with op.batch_alter_table("report_project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("judged_exemplary", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("report_project", schema=None) as batch_op:
        batch_op.drop_column("judged_exemplary")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_constraint("impact", type_="check")
        batch_op.drop_column("impact_reasons")
        batch_op.drop_column("impact")
