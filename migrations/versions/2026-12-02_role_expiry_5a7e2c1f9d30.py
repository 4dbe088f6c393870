"""role_expiry: a role can end on a date (a Gold trainer's role ends with their certification)

Before, the trainer role of a lapsed Gold trainer was taken away when they next opened a trainer
page, which wrote during GET requests. Now the role row carries `expires_at`: a role past it no
longer counts, and the hourly Gold sweep deletes the row and records why. Roles granted by an
administrator have no end (NULL).

Upgrade sets the end of each Gold-backed trainer role to the latest expiry of that person's
unrevoked certifications (trainers who were never certified keep NULL). Downgrade drops the
column: the older code then removes lapsed roles on the next visit, as it used to.

Revision ID: 5a7e2c1f9d30
Revises: 3d136ac94135
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a7e2c1f9d30"
down_revision: str | None = "3d136ac94135"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE user_role SET expires_at = ("
        " SELECT max(g.expires_at) FROM gold_certification g"
        " WHERE g.user_id = user_role.user_id AND g.revoked_at IS NULL)"
        " WHERE role = 'trainer' AND EXISTS ("
        " SELECT 1 FROM gold_certification g WHERE g.user_id = user_role.user_id"
        " AND g.revoked_at IS NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
