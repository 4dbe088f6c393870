"""credential_status_index: each credential's position in the W3C Bitstring Status List

New credentials name a BitstringStatusListEntry: a random position, unique across credentials, in
a list of 131,072 entries (the spec's minimum, so a position says nothing about its holder).
Credentials issued before have NULL and keep the 1EdTech Revocation List they name. Downgrade
drops the column; the credentials that named a position still verify by signature, and their
status list is no longer served.

Revision ID: c3e9a1d4b7f2
Revises: e5a1c9d24f70
Create Date: 2026-12-02 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3e9a1d4b7f2"
down_revision: str | None = "e5a1c9d24f70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_list_index", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_credential_status_list_index"), ["status_list_index"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_credential_status_list_index"),
            "status_list_index IS NULL OR (status_list_index >= 0 AND status_list_index < 131072)",
        )


def downgrade() -> None:
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_credential_status_list_index"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_credential_status_list_index"), type_="unique")
        batch_op.drop_column("status_list_index")
