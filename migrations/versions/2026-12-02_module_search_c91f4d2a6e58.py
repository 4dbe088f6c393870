"""module_search: full-text search across module titles, sections and the glossary

Adds `search_entry` (one row per module summary, section and glossary term) and its full-text
index, which differs by database: an FTS5 external-content table `search_entry_fts` (porter
stemming) on SQLite; a generated, weighted `document` tsvector column with a GIN index on
PostgreSQL. The rows are rebuilt by the content sync whenever the content version changes, so
upgrade leaves the table empty until the next start-up or `qi-academy content sync`.
Downgrade drops the index and the table.

Revision ID: c91f4d2a6e58
Revises: b4c8e1f07a29
Create Date: 2026-12-02 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c91f4d2a6e58"
down_revision: str | None = "b4c8e1f07a29"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("tier", sa.String(length=10), nullable=True),
        sa.Column("slug", sa.String(length=80), nullable=True),
        sa.Column("module_title", sa.String(length=200), nullable=True),
        sa.Column("section", sa.Integer(), nullable=True),
        sa.Column("anchor", sa.String(length=100), nullable=True),
        sa.Column("heading", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entry")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE search_entry ADD COLUMN document tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', heading), 'A') || "
            "setweight(to_tsvector('english', body), 'B')) STORED"
        )
        op.execute("CREATE INDEX ix_search_entry_document ON search_entry USING gin (document)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_entry_fts USING fts5(heading, body, "
            "content='search_entry', content_rowid='id', tokenize='porter unicode61')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_entry_document")
    else:
        op.execute("DROP TABLE IF EXISTS search_entry_fts")
    op.drop_table("search_entry")
