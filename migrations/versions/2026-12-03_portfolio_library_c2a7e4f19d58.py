"""portfolio_library: publications with the team's consent, and adapted projects

New tables: portfolio_publication (a project proposed for or published in the library, its scope,
lessons learned, and what the library lists and searches, copied when published; on PostgreSQL
trigram indexes for the text searches, with the pg_trgm extension), portfolio_consent (each team
member's answer) and portfolio_adaptation (what an adapted project came from, with the copied
driver diagram and measure definitions). Downgrade drops them.

Revision ID: c2a7e4f19d58
Revises: c4b8e2d91a37
Create Date: 2026-12-03 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2a7e4f19d58"
down_revision: str | None = "c4b8e2d91a37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_COLUMNS = ("topic", "setting", "measure_names")


def upgrade() -> None:
    op.create_table(
        "portfolio_publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("aim", sa.Text(), nullable=False),
        sa.Column("division", sa.String(length=120), nullable=False),
        sa.Column("lead_staff_group", sa.String(length=40), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("setting", sa.String(length=120), nullable=False),
        sa.Column("measure_names", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "scope IN ('organisation', 'community')", name=op.f("ck_portfolio_publication_scope")
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'published', 'refused', 'withdrawn')",
            name=op.f("ck_portfolio_publication_status"),
        ),
        sa.CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL)",
            name=op.f("ck_portfolio_publication_published"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_portfolio_publication_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["portfolio_project.id"],
            name=op.f("fk_portfolio_publication_project_id_portfolio_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["user_account.id"],
            name=op.f("fk_portfolio_publication_proposed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["user_account.id"],
            name=op.f("fk_portfolio_publication_withdrawn_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_publication")),
        sa.UniqueConstraint("project_id", name=op.f("uq_portfolio_publication_project_id")),
    )
    with op.batch_alter_table("portfolio_publication", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portfolio_publication_library", ["status", "published_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_portfolio_publication_org",
            ["organisation_id", "status", "published_at"],
            unique=False,
        )

    if op.get_bind().dialect.name == "postgresql":
        # The library's "contains" searches (LIKE '%...%') use trigram indexes on PostgreSQL.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in TRIGRAM_COLUMNS:
            op.execute(
                f"CREATE INDEX ix_portfolio_publication_{column}_trgm ON portfolio_publication "
                f"USING gin ({column} gin_trgm_ops)"
            )

    op.create_table(
        "portfolio_consent",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "decision IN ('pending', 'consented', 'refused')",
            name=op.f("ck_portfolio_consent_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["portfolio_publication.id"],
            name=op.f("fk_portfolio_consent_publication_id_portfolio_publication"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_portfolio_consent_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("publication_id", "user_id", name=op.f("pk_portfolio_consent")),
    )
    with op.batch_alter_table("portfolio_consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolio_consent_user_id"), ["user_id"], unique=False)

    op.create_table(
        "portfolio_adaptation",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("source_title", sa.String(length=200), nullable=False),
        sa.Column("source_organisation", sa.String(length=200), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["portfolio_project.id"],
            name=op.f("fk_portfolio_adaptation_project_id_portfolio_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["portfolio_project.id"],
            name=op.f("fk_portfolio_adaptation_source_id_portfolio_project"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_portfolio_adaptation")),
    )
    with op.batch_alter_table("portfolio_adaptation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portfolio_adaptation_source_id"), ["source_id"], unique=False
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in TRIGRAM_COLUMNS:
            op.execute(f"DROP INDEX IF EXISTS ix_portfolio_publication_{column}_trgm")
    with op.batch_alter_table("portfolio_adaptation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_adaptation_source_id"))
    op.drop_table("portfolio_adaptation")
    with op.batch_alter_table("portfolio_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_consent_user_id"))
    op.drop_table("portfolio_consent")
    with op.batch_alter_table("portfolio_publication", schema=None) as batch_op:
        batch_op.drop_index("ix_portfolio_publication_org")
        batch_op.drop_index("ix_portfolio_publication_library")
    op.drop_table("portfolio_publication")
