"""Outbox tables: one row per email, and one per other task (xAPI statements), queued with the
action that caused it and delivered after the commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

STATUSES = ("pending", "sent", "failed")


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        # The delivery loop's query: due pending messages, oldest first.
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        Index("ix_outbox_message_to_address", "to_address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # pending: waiting for its first try or a retry; sent: handed to the mail server;
    # failed: given up after the last retry (last_error says why).
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class OutboxTask(Base):
    """Work other than mail that must wait for the commit (an xAPI statement, later an LMS grade).

    `kind` names the sender that delivers it (registered in app/workers.py); `key` is the task's
    idempotency key, made when the task was queued (an xAPI statement id), so a retry after a
    lost answer sends the very same thing again and the receiver can recognise it.
    """

    __tablename__ = "outbox_task"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        UniqueConstraint("kind", "key"),
        Index("ix_outbox_task_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(100))
    # Whose data the payload holds, so deleting an account can erase its queued tasks.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
