"""projects: QI project workspace (team, driver diagram, measures, data, PDSA cycles) and sign-off

Revision ID: 7b8e81d6b713
Revises: 5fc758be996f
Create Date: 2026-11-21 23:44:18.991818
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b8e81d6b713"
down_revision: str | None = "5fc758be996f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("background", sa.Text(), nullable=False),
        sa.Column("setting", sa.Text(), nullable=False),
        sa.Column("aim", sa.Text(), nullable=False),
        sa.Column("reflection", sa.Text(), nullable=False),
        sa.Column("sustainability", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'changes_requested', 'signed_off')",
            name=op.f("ck_project_status"),
        ),
        sa.CheckConstraint(
            "(user_id IS NULL AND team_id IS NOT NULL) OR (user_id IS NOT NULL AND team_id IS NULL)",
            name=op.f("ck_project_one_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id", "team_id"],
            ["team.cohort_id", "team.id"],
            name="fk_project_team_in_cohort",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_project_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_project_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("cohort_id", "team_id", name=op.f("uq_project_cohort_id_team_id")),
        sa.UniqueConstraint("cohort_id", "user_id", name=op.f("uq_project_cohort_id_user_id")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_user_id"), ["user_id"], unique=False)

    op.create_table(
        "driver_node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'aim') = (parent_id IS NULL)", name=op.f("ck_driver_node_root_is_aim")
        ),
        sa.CheckConstraint(
            "kind IN ('aim', 'primary', 'secondary', 'change_idea')",
            name=op.f("ck_driver_node_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "parent_id"],
            ["driver_node.project_id", "driver_node.id"],
            name="fk_driver_node_parent_in_project",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_driver_node_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_driver_node")),
        sa.UniqueConstraint("project_id", "id", name="uq_driver_node_project_id_id"),
    )
    with op.batch_alter_table("driver_node", schema=None) as batch_op:
        batch_op.create_index("ix_driver_node_parent", ["parent_id"], unique=False)
        batch_op.create_index(
            "uq_driver_node_one_aim",
            ["project_id"],
            unique=True,
            sqlite_where=sa.text("kind = 'aim'"),
            postgresql_where=sa.text("kind = 'aim'"),
        )

    op.create_table(
        "measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=60), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("target", sa.Double(), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("baseline_points", sa.Integer(), nullable=True),
        sa.Column("is_main", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "direction IN ('increase', 'decrease', 'neutral')", name=op.f("ck_measure_direction")
        ),
        sa.CheckConstraint(
            "kind IN ('outcome', 'process', 'balancing')", name=op.f("ck_measure_kind")
        ),
        sa.CheckConstraint(
            "method IN ('run_anhoej', 'run_ihi', 'i_anhoej', 'xmr_mdc')",
            name=op.f("ck_measure_method"),
        ),
        sa.CheckConstraint(
            "baseline_points IS NULL OR baseline_points >= 2", name=op.f("ck_measure_baseline")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_measure_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_measure_project_id_name")),
    )
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.create_index(
            "uq_measure_one_main",
            ["project_id"],
            unique=True,
            sqlite_where=sa.text("is_main"),
            postgresql_where=sa.text("is_main"),
        )

    op.create_table(
        "project_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_project_comment_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_comment_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_comment")),
    )
    with op.batch_alter_table("project_comment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_project_comment_project_created", ["project_id", "created_at"], unique=False
        )

    op.create_table(
        "project_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_member_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_member")),
    )
    with op.batch_alter_table("project_member", schema=None) as batch_op:
        batch_op.create_index("ix_project_member_project", ["project_id", "position"], unique=False)

    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("aim_score", sa.String(length=12), nullable=True),
        sa.Column("measurement_score", sa.String(length=12), nullable=True),
        sa.Column("testing_score", sa.String(length=12), nullable=True),
        sa.Column("learning_score", sa.String(length=12), nullable=True),
        sa.Column("sustainability_score", sa.String(length=12), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(status = 'submitted') = (decided_at IS NULL)", name=op.f("ck_submission_decided")
        ),
        sa.CheckConstraint(
            "aim_score IS NULL OR aim_score IN ('not_yet_met', 'met', 'exceeded')",
            name=op.f("ck_submission_aim"),
        ),
        sa.CheckConstraint(
            "learning_score IS NULL OR learning_score IN ('not_yet_met', 'met', 'exceeded')",
            name=op.f("ck_submission_learning"),
        ),
        sa.CheckConstraint(
            "measurement_score IS NULL OR measurement_score IN ('not_yet_met', 'met', 'exceeded')",
            name=op.f("ck_submission_measurement"),
        ),
        sa.CheckConstraint(
            "status <> 'signed_off' OR (aim_score IN ('met', 'exceeded') AND measurement_score IN ('met', 'exceeded') AND testing_score IN ('met', 'exceeded') AND learning_score IN ('met', 'exceeded') AND sustainability_score IN ('met', 'exceeded'))",
            name=op.f("ck_submission_signoff_rule"),
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'changes_requested', 'signed_off')",
            name=op.f("ck_submission_status"),
        ),
        sa.CheckConstraint(
            "sustainability_score IS NULL OR sustainability_score IN ('not_yet_met', 'met', 'exceeded')",
            name=op.f("ck_submission_sustainability"),
        ),
        sa.CheckConstraint(
            "testing_score IS NULL OR testing_score IN ('not_yet_met', 'met', 'exceeded')",
            name=op.f("ck_submission_testing"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_submission_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_submission_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["user_account.id"],
            name=op.f("fk_submission_submitted_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submission_project_submitted", ["project_id", "submitted_at"], unique=False
        )
        batch_op.create_index(
            "uq_submission_one_open",
            ["project_id"],
            unique=True,
            sqlite_where=sa.text("status = 'submitted'"),
            postgresql_where=sa.text("status = 'submitted'"),
        )

    op.create_table(
        "data_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_data_point_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_point")),
        sa.UniqueConstraint("measure_id", "period", name=op.f("uq_data_point_measure_id_period")),
    )
    op.create_table(
        "measure_rebase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_rebase_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_rebase")),
        sa.UniqueConstraint(
            "measure_id", "starts_on", name=op.f("uq_measure_rebase_measure_id_starts_on")
        ),
    )
    op.create_table(
        "pdsa_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("change_idea_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("prediction", sa.Text(), nullable=False),
        sa.Column("do", sa.Text(), nullable=False),
        sa.Column("study", sa.Text(), nullable=False),
        sa.Column("act", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('adopt', 'adapt', 'abandon')",
            name=op.f("ck_pdsa_cycle_decision"),
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_pdsa_cycle_dates")
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "change_idea_id"],
            ["driver_node.project_id", "driver_node.id"],
            name="fk_pdsa_cycle_change_idea_in_project",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_pdsa_cycle_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pdsa_cycle")),
    )
    with op.batch_alter_table("pdsa_cycle", schema=None) as batch_op:
        batch_op.create_index("ix_pdsa_cycle_change_idea", ["change_idea_id"], unique=False)
        batch_op.create_index(
            "ix_pdsa_cycle_project_starts", ["project_id", "starts_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pdsa_cycle", schema=None) as batch_op:
        batch_op.drop_index("ix_pdsa_cycle_project_starts")
        batch_op.drop_index("ix_pdsa_cycle_change_idea")

    op.drop_table("pdsa_cycle")
    op.drop_table("measure_rebase")
    op.drop_table("data_point")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_submission_one_open",
            sqlite_where=sa.text("status = 'submitted'"),
            postgresql_where=sa.text("status = 'submitted'"),
        )
        batch_op.drop_index("ix_submission_project_submitted")

    op.drop_table("submission")
    with op.batch_alter_table("project_member", schema=None) as batch_op:
        batch_op.drop_index("ix_project_member_project")

    op.drop_table("project_member")
    with op.batch_alter_table("project_comment", schema=None) as batch_op:
        batch_op.drop_index("ix_project_comment_project_created")

    op.drop_table("project_comment")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_measure_one_main",
            sqlite_where=sa.text("is_main"),
            postgresql_where=sa.text("is_main"),
        )

    op.drop_table("measure")
    with op.batch_alter_table("driver_node", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_driver_node_one_aim",
            sqlite_where=sa.text("kind = 'aim'"),
            postgresql_where=sa.text("kind = 'aim'"),
        )
        batch_op.drop_index("ix_driver_node_parent")

    op.drop_table("driver_node")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_user_id"))
        batch_op.drop_index(batch_op.f("ix_project_team_id"))

    op.drop_table("project")
