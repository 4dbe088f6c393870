"""portfolio_registry: an organisation's QI portfolio (registry, QI leads, reviews, progress scores)

New tables: portfolio_project (registered work, or a Silver cohort's project linked by
cohort_project_id), its team (portfolio_member) and themes (portfolio_theme), QI leads' decisions
(portfolio_review), the QI lead role scoped to an organisation (qi_lead), an organisation's research
office (portfolio_setting) and the dated IHI progress scores (portfolio_score).

Upgrade also enters every existing cohort project of an organisation's cohort into the registry,
active, with its learner or its team's active members as the team (new ones arrive by the
ProjectStarted event). Downgrade drops the tables: cohort projects themselves are untouched.

Revision ID: 9b4f2d6a1e73
Revises: a7d3e9f1c5b2
Create Date: 2026-12-02 18:24:39.786202
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9b4f2d6a1e73"
down_revision: str | None = "a7d3e9f1c5b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portfolio_setting",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("research_office_url", sa.String(length=300), nullable=False),
        sa.Column("research_office_email", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_portfolio_setting_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_portfolio_setting")),
    )
    op.create_table(
        "qi_lead",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["user_account.id"],
            name=op.f("fk_qi_lead_granted_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_qi_lead_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_qi_lead_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", "user_id", name=op.f("pk_qi_lead")),
    )
    with op.batch_alter_table("qi_lead", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qi_lead_user_id"), ["user_id"], unique=False)

    op.create_table(
        "portfolio_project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("cohort_project_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("aim", sa.Text(), nullable=False),
        sa.Column("division", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("lead_staff_group", sa.String(length=40), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('qi', 'audit', 'service_evaluation')", name=op.f("ck_portfolio_project_kind")
        ),
        sa.CheckConstraint(
            "status IN ('awaiting_approval', 'returned', 'active', 'completed', 'stopped')",
            name=op.f("ck_portfolio_project_status"),
        ),
        sa.CheckConstraint(
            "score IS NULL OR score IN (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)",
            name=op.f("ck_portfolio_project_score"),
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["user_account.id"],
            name=op.f("fk_portfolio_project_coach_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_project_id"],
            ["project.id"],
            name=op.f("fk_portfolio_project_cohort_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["user_account.id"],
            name=op.f("fk_portfolio_project_lead_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_portfolio_project_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_project")),
        sa.UniqueConstraint(
            "cohort_project_id", name=op.f("uq_portfolio_project_cohort_project_id")
        ),
        sa.UniqueConstraint("id", "organisation_id", name="uq_portfolio_project_id_organisation"),
    )
    with op.batch_alter_table("portfolio_project", schema=None) as batch_op:
        batch_op.create_index("ix_portfolio_project_coach", ["coach_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_portfolio_project_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(
            "ix_portfolio_project_org_approved", ["organisation_id", "approved_at"], unique=False
        )
        batch_op.create_index(
            "ix_portfolio_project_org_created", ["organisation_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_portfolio_project_org_division", ["organisation_id", "division"], unique=False
        )
        batch_op.create_index(
            "ix_portfolio_project_org_score", ["organisation_id", "score"], unique=False
        )
        batch_op.create_index(
            "ix_portfolio_project_org_staff", ["organisation_id", "lead_staff_group"], unique=False
        )
        batch_op.create_index(
            "ix_portfolio_project_org_status",
            ["organisation_id", "status", "updated_at"],
            unique=False,
        )

    op.create_table(
        "portfolio_member",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["portfolio_project.id"],
            name=op.f("fk_portfolio_member_project_id_portfolio_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_portfolio_member_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("pk_portfolio_member")),
    )
    with op.batch_alter_table("portfolio_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolio_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "portfolio_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approved', 'returned')", name=op.f("ck_portfolio_review_decision")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_portfolio_review_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["portfolio_project.id"],
            name=op.f("fk_portfolio_review_project_id_portfolio_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_review")),
    )
    with op.batch_alter_table("portfolio_review", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portfolio_review_project", ["project_id", "decided_at"], unique=False
        )

    op.create_table(
        "portfolio_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("scored_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "score IN (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)",
            name=op.f("ck_portfolio_score_score"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["user_account.id"],
            name=op.f("fk_portfolio_score_confirmed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["portfolio_project.id"],
            name=op.f("fk_portfolio_score_project_id_portfolio_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"],
            ["user_account.id"],
            name=op.f("fk_portfolio_score_set_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_score")),
    )
    with op.batch_alter_table("portfolio_score", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portfolio_score_project_scored", ["project_id", "scored_on"], unique=False
        )

    op.create_table(
        "portfolio_theme",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=30), nullable=False),
        sa.CheckConstraint(
            "theme IN ('patient_safety', 'patient_experience', 'flow', 'falls', 'pressure_ulcers', 'infection', 'medicines', 'nutrition', 'deterioration', 'end_of_life', 'mental_health', 'inequalities', 'staff_wellbeing', 'efficiency', 'sustainability', 'other')",
            name=op.f("ck_portfolio_theme_theme"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "organisation_id"],
            ["portfolio_project.id", "portfolio_project.organisation_id"],
            name="fk_portfolio_theme_project_in_organisation",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "theme", name=op.f("pk_portfolio_theme")),
    )
    with op.batch_alter_table("portfolio_theme", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portfolio_theme_org_theme", ["organisation_id", "theme"], unique=False
        )
    _enter_cohort_projects()


def _enter_cohort_projects() -> None:
    empty = "CAST('{}' AS JSON)" if op.get_bind().dialect.name == "postgresql" else "'{}'"
    op.execute(
        "INSERT INTO portfolio_project (organisation_id, cohort_project_id, kind, title, aim,"
        " division, status, lead_id, lead_staff_group, answers, created_at, updated_at,"
        " approved_at)"
        f" SELECT c.organisation_id, p.id, 'qi', p.title, '', '', 'active', p.user_id,"
        f" COALESCE(u.staff_group, 'other'), {empty}, p.created_at, p.updated_at, p.created_at"
        " FROM project p JOIN cohort c ON c.id = p.cohort_id"
        " LEFT JOIN user_account u ON u.id = p.user_id"
        " WHERE c.organisation_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO portfolio_member (project_id, user_id)"
        " SELECT pp.id, p.user_id FROM portfolio_project pp"
        " JOIN project p ON p.id = pp.cohort_project_id WHERE p.user_id IS NOT NULL"
        " UNION"
        " SELECT pp.id, e.user_id FROM portfolio_project pp"
        " JOIN project p ON p.id = pp.cohort_project_id"
        " JOIN enrolment e ON e.team_id = p.team_id AND e.status = 'active'"
    )


def downgrade() -> None:
    with op.batch_alter_table("portfolio_theme", schema=None) as batch_op:
        batch_op.drop_index("ix_portfolio_theme_org_theme")

    op.drop_table("portfolio_theme")
    with op.batch_alter_table("portfolio_score", schema=None) as batch_op:
        batch_op.drop_index("ix_portfolio_score_project_scored")

    op.drop_table("portfolio_score")
    with op.batch_alter_table("portfolio_review", schema=None) as batch_op:
        batch_op.drop_index("ix_portfolio_review_project")

    op.drop_table("portfolio_review")
    with op.batch_alter_table("portfolio_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_member_user_id"))

    op.drop_table("portfolio_member")
    with op.batch_alter_table("portfolio_project", schema=None) as batch_op:
        batch_op.drop_index("ix_portfolio_project_org_status")
        batch_op.drop_index("ix_portfolio_project_org_staff")
        batch_op.drop_index("ix_portfolio_project_org_score")
        batch_op.drop_index("ix_portfolio_project_org_division")
        batch_op.drop_index("ix_portfolio_project_org_created")
        batch_op.drop_index("ix_portfolio_project_org_approved")
        batch_op.drop_index(batch_op.f("ix_portfolio_project_lead_id"))
        batch_op.drop_index("ix_portfolio_project_coach")

    op.drop_table("portfolio_project")
    with op.batch_alter_table("qi_lead", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qi_lead_user_id"))

    op.drop_table("qi_lead")
    op.drop_table("portfolio_setting")
