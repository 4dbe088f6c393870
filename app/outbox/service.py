"""The outbox: queue mail in the caller's unit of work; claim due messages, deliver, retry with backoff.

Other domains send email only through `enqueue`: the message is a row in the same transaction as
the action that caused it, so a rolled-back request sends nothing and a slow mail server never
holds up a page.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.outbox.models import STATUSES, OutboxMessage
from app.outbox.schemas import DevMessage, OutboxCounts

log = logging.getLogger("qi_academy.outbox")

MAX_ATTEMPTS = 8  # about two hours of retries (1, 2, 4 ... 60 minutes apart), then 'failed'
BATCH = 50
# A claimed message is invisible to other delivery loops this long; if the process dies while
# sending, the message becomes due again afterwards (delivery is at least once).
LEASE = timedelta(minutes=5)
SENT_RETENTION = timedelta(days=30)
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")
_LINK = re.compile(r"https?://[^\s<>\"']+")


def enqueue(session: Session, *, to: str, subject: str, body: str) -> OutboxMessage:
    """Queue an email; it is sent after the caller's transaction commits, never if it rolls back."""
    to = to.strip()
    if not _ADDRESS.match(to) or len(to) > 254:
        raise InvalidInput(f"'{to[:80]}' is not an email address the outbox can send to.")
    subject = " ".join(subject.split())[:200]  # one line: no header injection through the subject
    if not subject:
        raise InvalidInput("An email needs a subject.")
    now = utcnow()
    message = OutboxMessage(
        to_address=to,
        subject=subject,
        body=body,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4, 8, 16, 32 minutes, then hourly."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


@dataclass(frozen=True)
class Claimed:
    id: int
    to_address: str
    subject: str
    body: str
    attempts: int


def claim_due(session: Session, *, now: datetime, limit: int = BATCH) -> list[Claimed]:
    """Take up to `limit` due messages for this delivery loop and lease them for a while.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent loops claim disjoint messages without
    waiting. SQLite: the write transaction (BEGIN IMMEDIATE) already admits one claimer at a time.
    """
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    claimed = []
    for message in session.scalars(stmt):
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        claimed.append(
            Claimed(
                id=message.id,
                to_address=message.to_address,
                subject=message.subject,
                body=message.body,
                attempts=message.attempts,
            )
        )
    session.flush()
    return claimed


def settle(session: Session, *, claimed: Claimed, error: str | None, now: datetime) -> str:
    """Record one attempt's outcome; returns the message's new status ('gone' if it was erased)."""
    message = session.get(OutboxMessage, claimed.id)
    if message is None:  # erased meanwhile, for example by an account deletion
        return "gone"
    if error is None:
        message.status = "sent"
        message.sent_at = now
        message.last_error = None
    else:
        message.last_error = error[:500]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.next_attempt_at = now + backoff(message.attempts)
    session.flush()
    return message.status


def purge_sent(session: Session, *, now: datetime) -> int:
    """Forget sent messages after the retention period: they hold addresses and links."""
    result = session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status == "sent", OutboxMessage.sent_at < now - SENT_RETENTION
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget_address(session: Session, *, to_address: str) -> int:
    """Erase every message to one address (an account being deleted), sent or not."""
    result = session.execute(delete(OutboxMessage).where(OutboxMessage.to_address == to_address))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def counts(session: Session) -> OutboxCounts:
    rows = dict(
        session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return OutboxCounts(**{s: int(rows.get(s, 0)) for s in STATUSES})


def read_dev_outbox(directory: Path, *, limit: int = 50) -> list[DevMessage]:
    """The newest .eml files the file transport wrote, parsed for the /dev/outbox page."""
    if not directory.is_dir():
        return []
    files = sorted(directory.glob("*.eml"), reverse=True)[:limit]
    parser = BytesParser(policy=policy.default)
    out = []
    for path in files:
        with path.open("rb") as fh:
            msg = parser.parse(fh)
        part = msg.get_body(preferencelist=("plain",)) if isinstance(msg, EmailMessage) else None
        body = part.get_content() if part is not None else ""
        out.append(
            DevMessage(
                file=path.name,
                to=str(msg.get("To", "")),
                subject=str(msg.get("Subject", "")),
                date=str(msg.get("Date", "")),
                body=body,
                links=_LINK.findall(body),
            )
        )
    return out
