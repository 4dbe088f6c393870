"""Quiz attempts: every submission, its score and the module version it was taken against."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class QuizAttempt(Base):
    __tablename__ = "quiz_attempt"
    __table_args__ = (
        CheckConstraint("score BETWEEN 0 AND 100", name="score"),
        Index("ix_quiz_attempt_user_module", "user_id", "module_id"),
        Index("ix_quiz_attempt_module_created", "module_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="RESTRICT"))
    module_version_id: Mapped[int] = mapped_column(
        ForeignKey("module_version.id", ondelete="RESTRICT")
    )
    score: Mapped[int]
    passed: Mapped[bool]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
