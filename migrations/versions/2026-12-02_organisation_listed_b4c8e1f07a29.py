"""organisation_listed: people pick organisations from the list admins keep; typed names wait

Adds `organisation.listed`. Organisations an administrator creates are listed, and registration
and account settings offer them; a name someone types under "My organisation is not listed"
makes an unlisted organisation that an administrator can add to the list or merge into a listed
one (people, cohorts, sign-on providers and report history move with it).

Upgrade counts every existing organisation as listed (nothing disappears from anyone's choices;
an admin can merge duplicates). Downgrade drops the column.

Revision ID: b4c8e1f07a29
Revises: a7d2e9c41b36
Create Date: 2026-12-02 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4c8e1f07a29"
down_revision: str | None = "a7d2e9c41b36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("listed", sa.Boolean(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("listed")
