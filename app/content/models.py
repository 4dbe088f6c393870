"""Content tables: a module (by slug) and each version of it learners have seen (by content hash)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func
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
