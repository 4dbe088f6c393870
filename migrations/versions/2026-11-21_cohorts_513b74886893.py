"""cohorts

Revision ID: 513b74886893
Revises: 2d8683974182
Create Date: 2026-11-21 23:37:06.114553
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "513b74886893"
down_revision: str | None = "2d8683974182"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cohort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("attendance_required", sa.Integer(), nullable=False),
        sa.Column("invite_code", sa.String(length=32), nullable=False),
        sa.Column("invite_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('individuals', 'teams')", name=op.f("ck_cohort_kind")),
        sa.CheckConstraint(
            "attendance_required BETWEEN 0 AND 100", name=op.f("ck_cohort_attendance_required")
        ),
        sa.CheckConstraint("capacity BETWEEN 1 AND 500", name=op.f("ck_cohort_capacity")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_cohort_dates")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_cohort_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_cohort_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort")),
        sa.UniqueConstraint("invite_code", name=op.f("uq_cohort_invite_code")),
    )
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "cohort_trainer",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=4), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('lead', 'co')", name=op.f("ck_cohort_trainer_role")),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_cohort_trainer_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_cohort_trainer_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort_id", "user_id", name=op.f("pk_cohort_trainer")),
    )
    with op.batch_alter_table("cohort_trainer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohort_trainer_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_cohort_trainer_one_lead",
            ["cohort_id"],
            unique=True,
            sqlite_where=sa.text("role = 'lead'"),
            postgresql_where=sa.text("role = 'lead'"),
        )

    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name=op.f("fk_team_cohort_id_cohort"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("cohort_id", "id", name="uq_team_cohort_id_id"),
        sa.UniqueConstraint("cohort_id", "name", name=op.f("uq_team_cohort_id_name")),
    )
    op.create_table(
        "workshop_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=True),
        sa.Column("online_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_workshop_session_times")),
        sa.CheckConstraint(
            "venue IS NOT NULL OR online_url IS NOT NULL", name=op.f("ck_workshop_session_where")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_workshop_session_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_session")),
        sa.UniqueConstraint("cohort_id", "id", name="uq_workshop_session_cohort_id_id"),
    )
    with op.batch_alter_table("workshop_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workshop_session_cohort_starts", ["cohort_id", "starts_at"], unique=False
        )

    op.create_table(
        "enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('active', 'removed')", name=op.f("ck_enrolment_status")),
        sa.ForeignKeyConstraint(
            ["cohort_id", "team_id"],
            ["team.cohort_id", "team.id"],
            name="fk_enrolment_team_in_cohort",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_enrolment_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_enrolment_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment")),
        sa.UniqueConstraint("cohort_id", "id", name="uq_enrolment_cohort_id_id"),
        sa.UniqueConstraint("cohort_id", "user_id", name=op.f("uq_enrolment_cohort_id_user_id")),
    )
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolment_user_id"), ["user_id"], unique=False)

    op.create_table(
        "attendance",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('present', 'absent')", name=op.f("ck_attendance_status")),
        sa.ForeignKeyConstraint(
            ["cohort_id", "enrolment_id"],
            ["enrolment.cohort_id", "enrolment.id"],
            name="fk_attendance_enrolment_in_cohort",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id", "session_id"],
            ["workshop_session.cohort_id", "workshop_session.id"],
            name="fk_attendance_session_in_cohort",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_attendance_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_attendance_recorded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("session_id", "enrolment_id", name=op.f("pk_attendance")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index("ix_attendance_enrolment", ["enrolment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_enrolment")
        batch_op.drop_index(batch_op.f("ix_attendance_cohort_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_user_id"))
        batch_op.drop_index(batch_op.f("ix_enrolment_team_id"))

    op.drop_table("enrolment")
    with op.batch_alter_table("workshop_session", schema=None) as batch_op:
        batch_op.drop_index("ix_workshop_session_cohort_starts")

    op.drop_table("workshop_session")
    op.drop_table("team")
    with op.batch_alter_table("cohort_trainer", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_cohort_trainer_one_lead",
            sqlite_where=sa.text("role = 'lead'"),
            postgresql_where=sa.text("role = 'lead'"),
        )
        batch_op.drop_index(batch_op.f("ix_cohort_trainer_user_id"))

    op.drop_table("cohort_trainer")
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_organisation_id"))

    op.drop_table("cohort")
