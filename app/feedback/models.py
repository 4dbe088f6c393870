"""Ratings, 1 to 5 with an optional comment, one per learner per module and per workshop session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

COMMENT_MAX = 2000


class ModuleFeedback(Base):
    __tablename__ = "module_feedback"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint(f"comment IS NULL OR length(comment) <= {COMMENT_MAX}", name="comment"),
        Index("ix_module_feedback_module_updated", "module_id", "updated_at"),
        Index("ix_module_feedback_updated", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The row outlives an account deletion (the comment is erased, the rating stays in averages).
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="RESTRICT"))
    rating: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SessionFeedback(Base):
    __tablename__ = "session_feedback"
    __table_args__ = (
        UniqueConstraint("user_id", "session_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint(f"comment IS NULL OR length(comment) <= {COMMENT_MAX}", name="comment"),
        # The session belongs to the cohort recorded here, so a cohort's feedback is one index away.
        ForeignKeyConstraint(
            ["cohort_id", "session_id"],
            ["workshop_session.cohort_id", "workshop_session.id"],
            name="fk_session_feedback_session_in_cohort",
            ondelete="CASCADE",
        ),
        Index("ix_session_feedback_cohort_updated", "cohort_id", "updated_at"),
        Index("ix_session_feedback_session", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    session_id: Mapped[int]
    rating: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
