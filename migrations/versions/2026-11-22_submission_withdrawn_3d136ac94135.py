"""submission_withdrawn: a submission can be withdrawn by its team before the trainer decides

A withdrawn submission keeps decided_at and decided_by_id (when and by whom it stopped waiting),
so the rule "waiting exactly while decided_at is empty" (ck_submission_decided) is unchanged. Only
the status list grows, and a new rule says a withdrawn submission carries no scores or comment.

Downgrade deletes withdrawn submissions: the older schema has no way to say "withdrawn", and
turning them into trainer decisions would invent assessments nobody made. Their projects are
already back in "draft" or "changes_requested", which the older code understands, and each
withdrawal is still in the audit log ("project.withdrawn").

Revision ID: 3d136ac94135
Revises: 3c1d5e7a9b20
Create Date: 2026-11-22 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3d136ac94135"
down_revision: str | None = "3c1d5e7a9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported from the app: a migration states the schema as it was at this revision.
OLD_STATUSES = "status IN ('submitted', 'changes_requested', 'signed_off')"
NEW_STATUSES = "status IN ('submitted', 'changes_requested', 'signed_off', 'withdrawn')"
NO_ASSESSMENT = (
    "status <> 'withdrawn' OR (aim_score IS NULL AND measurement_score IS NULL AND "
    "testing_score IS NULL AND learning_score IS NULL AND sustainability_score IS NULL AND "
    "comment IS NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_submission_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_submission_status"), NEW_STATUSES)
        batch_op.create_check_constraint(op.f("ck_submission_withdrawn"), NO_ASSESSMENT)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM submission WHERE status = 'withdrawn'"))
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_submission_withdrawn"), type_="check")
        batch_op.drop_constraint(op.f("ck_submission_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_submission_status"), OLD_STATUSES)
