"""Progress: one row per learner and module, from first read to completion (never erased)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class ModuleProgress(Base):
    __tablename__ = "module_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id"),
        CheckConstraint("status IN ('in_progress', 'completed')", name="status"),
        CheckConstraint("best_score IS NULL OR (best_score BETWEEN 0 AND 100)", name="best_score"),
        Index("ix_module_progress_module_completed", "module_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    last_section: Mapped[int] = mapped_column(default=0)
    best_score: Mapped[int | None]
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    # The version passed and the CPD it was worth then: later edits never change what was earned.
    completed_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_version.id", ondelete="RESTRICT")
    )
    cpd_minutes: Mapped[int | None]
