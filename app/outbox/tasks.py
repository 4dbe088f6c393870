"""Outbox tasks: work other than mail queued in the caller's unit of work, delivered after commit.

A domain queues a task with `enqueue_task(kind=..., key=..., payload=...)` inside the request that
caused it; the delivery loop (app/outbox/worker.py) later hands the payload to the sender
registered for its kind and retries with the mail's backoff until it succeeds or gives up.
Senders live in the domains above (the outbox imports none of them): app/workers.py registers
them, as app/events.py wires event handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.outbox.models import OutboxTask
from app.outbox.service import BATCH, LEASE, MAX_ATTEMPTS, SENT_RETENTION, backoff

# A sender reads what it needs (an LRS's address and credentials) in `session` and returns the
# call that delivers, which the loop runs outside any transaction; either step may raise, and
# any exception counts as a failed attempt. `TaskObsolete` instead ends the task at once.
Delivery = Callable[[], None]
Sender = Callable[[Session, dict[str, Any]], Delivery]


class TaskObsolete(Exception):
    """The task can never be delivered (its destination was removed): stop retrying it."""


class Senders:
    def __init__(self) -> None:
        self._senders: dict[str, Sender] = {}

    def register(self, kind: str, sender: Sender) -> None:
        self._senders[kind] = sender

    def get(self, kind: str) -> Sender | None:
        return self._senders.get(kind)


senders = Senders()


def enqueue_task(
    session: Session, *, kind: str, key: str, payload: dict[str, Any], user_id: int | None = None
) -> OutboxTask:
    """Queue a task; it is delivered after the caller's transaction commits, never if it rolls back."""
    now = utcnow()
    task = OutboxTask(
        kind=kind,
        key=key,
        user_id=user_id,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(task)
    session.flush()
    return task


@dataclass(frozen=True)
class ClaimedTask:
    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    attempts: int


def claim_due(session: Session, *, now: datetime, limit: int = BATCH) -> list[ClaimedTask]:
    """Take up to `limit` due tasks and lease them (SKIP LOCKED on PostgreSQL, as for mail)."""
    stmt = (
        select(OutboxTask)
        .where(OutboxTask.status == "pending", OutboxTask.next_attempt_at <= now)
        .order_by(OutboxTask.next_attempt_at, OutboxTask.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    claimed = []
    for task in session.scalars(stmt):
        task.attempts += 1
        task.next_attempt_at = now + LEASE
        claimed.append(ClaimedTask(task.id, task.kind, task.key, dict(task.payload), task.attempts))
    session.flush()
    return claimed


def settle(
    session: Session, *, claimed: ClaimedTask, error: str | None, now: datetime, final: bool = False
) -> str:
    """Record one attempt's outcome; `final` gives up at once. Returns the new status or 'gone'."""
    task = session.get(OutboxTask, claimed.id)
    if task is None:
        return "gone"
    if error is None:
        task.status, task.sent_at, task.last_error = "sent", now, None
    else:
        task.last_error = error[:500]
        if final or task.attempts >= MAX_ATTEMPTS:
            task.status = "failed"
        else:
            task.next_attempt_at = now + backoff(task.attempts)
    session.flush()
    return task.status


def purge_sent(session: Session, *, now: datetime) -> int:
    """Forget delivered tasks after the mail's retention period (they hold people's records)."""
    result = session.execute(
        delete(OutboxTask).where(
            OutboxTask.status == "sent", OutboxTask.sent_at < now - SENT_RETENTION
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget_user(session: Session, *, user_id: int) -> int:
    """Erase every task that holds one person's data, delivered or not (their account is deleted)."""
    result = session.execute(delete(OutboxTask).where(OutboxTask.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def for_kind(session: Session, *, kind: str) -> list[OutboxTask]:
    """Every task of one kind, oldest first (the admin page's counts, tests)."""
    return list(
        session.scalars(select(OutboxTask).where(OutboxTask.kind == kind).order_by(OutboxTask.id))
    )
