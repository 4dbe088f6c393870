"""lti: registered platforms and deployments, the tool key, launches in flight, platform
identities, grade targets, deep-link requests, roster-linked cohorts, scores to post

Downgrade drops the nine tables: accounts made by launches stay (without a password).

Revision ID: 7d2e4f9a1b36
Revises: c3e9a1d4b7f2
Create Date: 2026-12-02 18:03:00.675861
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d2e4f9a1b36"
down_revision: str | None = "c3e9a1d4b7f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lti_tool_key",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("private_jwk_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_lti_tool_key")),
    )
    op.create_table(
        "lti_platform",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("auth_login_url", sa.String(length=1000), nullable=False),
        sa.Column("auth_token_url", sa.String(length=1000), nullable=False),
        sa.Column("keyset_url", sa.String(length=1000), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_lti_platform_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_platform")),
        sa.UniqueConstraint("issuer", "client_id", name=op.f("uq_lti_platform_issuer_client_id")),
    )
    with op.batch_alter_table("lti_platform", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_platform_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "lti_deep_link",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("return_url", sa.String(length=1000), nullable=False),
        sa.Column("data", sa.String(length=2000), nullable=True),
        sa.Column("accept_multiple", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platform.id"],
            name=op.f("fk_lti_deep_link_platform_id_lti_platform"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lti_deep_link_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_lti_deep_link")),
    )
    op.create_table(
        "lti_deployment",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platform.id"],
            name=op.f("fk_lti_deployment_platform_id_lti_platform"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("platform_id", "deployment_id", name=op.f("pk_lti_deployment")),
    )
    op.create_table(
        "lti_grade_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("module_slug", sa.String(length=200), nullable=False),
        sa.Column("lineitem_url", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platform.id"],
            name=op.f("fk_lti_grade_target_platform_id_lti_platform"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lti_grade_target_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_grade_target")),
        sa.UniqueConstraint(
            "platform_id",
            "user_id",
            "lineitem_url",
            name=op.f("uq_lti_grade_target_platform_id_user_id_lineitem_url"),
        ),
    )
    with op.batch_alter_table("lti_grade_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lti_grade_target_user_id"), ["user_id"], unique=False)

    op.create_table(
        "lti_login",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platform.id"],
            name=op.f("fk_lti_login_platform_id_lti_platform"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_lti_login")),
        sa.UniqueConstraint("nonce", name=op.f("uq_lti_login_nonce")),
    )
    with op.batch_alter_table("lti_login", schema=None) as batch_op:
        batch_op.create_index("ix_lti_login_expires_at", ["expires_at"], unique=False)

    op.create_table(
        "lti_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("lineitem_url", sa.String(length=1000), nullable=False),
        sa.Column("score_given", sa.Float(), nullable=False),
        sa.Column("score_maximum", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_lti_score_status")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platform.id"],
            name=op.f("fk_lti_score_platform_id_lti_platform"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lti_score_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_score")),
    )
    with op.batch_alter_table("lti_score", schema=None) as batch_op:
        batch_op.create_index("ix_lti_score_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_lti_score_user_id"), ["user_id"], unique=False)

    op.create_table(
        "lti_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platform.id"],
            name=op.f("fk_lti_user_platform_id_lti_platform"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_lti_user_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_user")),
        sa.UniqueConstraint("platform_id", "subject", name=op.f("uq_lti_user_platform_id_subject")),
    )
    with op.batch_alter_table("lti_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lti_user_user_id"), ["user_id"], unique=False)

    op.create_table(
        "lti_cohort_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.String(length=255), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_lti_cohort_link_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platform.id"],
            name=op.f("fk_lti_cohort_link_platform_id_lti_platform"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_cohort_link")),
        sa.UniqueConstraint(
            "platform_id", "context_id", name=op.f("uq_lti_cohort_link_platform_id_context_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("lti_cohort_link")
    with op.batch_alter_table("lti_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_user_user_id"))

    op.drop_table("lti_user")
    with op.batch_alter_table("lti_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_score_user_id"))
        batch_op.drop_index("ix_lti_score_due")

    op.drop_table("lti_score")
    with op.batch_alter_table("lti_login", schema=None) as batch_op:
        batch_op.drop_index("ix_lti_login_expires_at")

    op.drop_table("lti_login")
    with op.batch_alter_table("lti_grade_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_grade_target_user_id"))

    op.drop_table("lti_grade_target")
    op.drop_table("lti_deployment")
    op.drop_table("lti_deep_link")
    with op.batch_alter_table("lti_platform", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_platform_organisation_id"))

    op.drop_table("lti_platform")
    op.drop_table("lti_tool_key")
