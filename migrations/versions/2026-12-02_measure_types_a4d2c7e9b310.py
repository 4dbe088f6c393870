"""measure_types: a measure knows what it records (continuous, proportion, count, rate, rare event)

Every measure so far is continuous (one number a period), so the new column defaults to that and
existing measures chart as before. A data point gains a denominator: the people who could have
been cases (a proportion) or the exposure (a rate). The chart rules grow the attribute and
rare-event charts (p, p', u, u', c, g, t).

Downgrade: the older schema has one number a period and four chart rule sets. Data points of
proportion and rate measures keep their numerator (their value) and lose the denominator; a
measure on an attribute chart goes back to the run chart (Anhøj rules), which every series
can draw. Nothing else is lost.

Revision ID: a4d2c7e9b310
Revises: 7d2e4f9a1b36
Create Date: 2026-12-02 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4d2c7e9b310"
down_revision: str | None = "7d2e4f9a1b36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported from the app: a migration states the schema as it was at this revision.
OLD_METHODS = "method IN ('run_anhoej', 'run_ihi', 'i_anhoej', 'xmr_mdc')"
NEW_METHODS = (
    "method IN ('run_anhoej', 'run_ihi', 'i_anhoej', 'xmr_mdc', 'p_anhoej', 'pp_anhoej', "
    "'u_anhoej', 'up_anhoej', 'c_anhoej', 'g_anhoej', 't_anhoej')"
)
DATA_TYPES = "data_type IN ('continuous', 'proportion', 'count', 'rate', 'rare_event')"


def upgrade() -> None:
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "data_type", sa.String(length=12), server_default="continuous", nullable=False
            )
        )
        batch_op.drop_constraint(op.f("ck_measure_method"), type_="check")
        batch_op.create_check_constraint(op.f("ck_measure_method"), NEW_METHODS)
        batch_op.create_check_constraint(op.f("ck_measure_data_type"), DATA_TYPES)
    with op.batch_alter_table("data_point", schema=None) as batch_op:
        batch_op.add_column(sa.Column("denominator", sa.Double(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_data_point_denominator"), "denominator IS NULL OR denominator > 0"
        )


def downgrade() -> None:
    op.execute(sa.text(f"UPDATE measure SET method = 'run_anhoej' WHERE NOT ({OLD_METHODS})"))
    with op.batch_alter_table("data_point", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_data_point_denominator"), type_="check")
        batch_op.drop_column("denominator")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_measure_data_type"), type_="check")
        batch_op.drop_constraint(op.f("ck_measure_method"), type_="check")
        batch_op.create_check_constraint(op.f("ck_measure_method"), OLD_METHODS)
        batch_op.drop_column("data_type")
