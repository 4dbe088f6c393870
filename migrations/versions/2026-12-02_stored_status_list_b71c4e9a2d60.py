"""stored_status_list: the Bitstring Status List credential is stored, remade on revocation

Before, /status/bitstring/revocation signed a new list on every request. Now one row per status
purpose holds the signed document: remade inside the revocation's transaction, served as stored.
Upgrade makes the row for `revocation` with no document yet (the app signs it on first use; a
migration has no key). Downgrade drops the table: the older code builds the list per request.

Revision ID: b71c4e9a2d60
Revises: a4d2c7e9b310
Create Date: 2026-12-02 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b71c4e9a2d60"
down_revision: str | None = "a4d2c7e9b310"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "status_list",
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("purpose IN ('revocation')", name=op.f("ck_status_list_purpose")),
        sa.PrimaryKeyConstraint("purpose", name=op.f("pk_status_list")),
    )
    op.bulk_insert(table, [{"purpose": "revocation", "document": None, "updated_at": None}])


def downgrade() -> None:
    op.drop_table("status_list")
