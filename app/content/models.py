"""Content tables: a module (by slug) and each version of it learners have seen (by content hash)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class Module(Base):
    __tablename__ = "module"
    __table_args__ = (CheckConstraint("tier IN ('bronze', 'silver', 'gold')", name="tier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    tier: Mapped[str] = mapped_column(String(10), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Set when a module's file disappears; its versions, attempts and completions stay.
    retired_at: Mapped[datetime | None]


class ModuleVersion(Base):
    __tablename__ = "module_version"
    __table_args__ = (UniqueConstraint("module_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="RESTRICT"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    cpd_minutes: Mapped[int]
    pass_mark: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class SearchEntry(Base):
    """One searchable piece of the catalogue: a module's title and summary, a section, or a
    glossary term. Rebuilt whenever the content version changes (app/content/search.py).

    The full-text index lives beside it and is not mapped: an FTS5 table `search_entry_fts` on
    SQLite, a generated `document` tsvector column with a GIN index on PostgreSQL (see the
    migration); `search.OUTSIDE_MODELS` tells Alembic's comparison to leave them be.
    """

    __tablename__ = "search_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # module, section or term
    tier: Mapped[str | None] = mapped_column(String(10))  # None: the glossary, open to all
    slug: Mapped[str | None] = mapped_column(String(80))
    module_title: Mapped[str | None] = mapped_column(String(200))
    section: Mapped[int | None]  # 1-based, for a section
    anchor: Mapped[str | None] = mapped_column(String(100))  # a glossary term's id
    heading: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
