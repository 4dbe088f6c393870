"""The delivery loop: sends due mail off the event loop, each outcome in its own transaction.

Services only take a session; this module owns the transactions (claim, then one per outcome), so
a slow or failing mail server never holds a database lock or a request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from app.core import jobs
from app.core.config import Settings, get_settings
from app.core.db import SessionFactory, get_sessionmaker, session_scope, utcnow
from app.outbox import service, tasks
from app.outbox.schemas import DeliveryReport
from app.outbox.service import Claimed
from app.outbox.transport import SMTP_TIMEOUT_SECONDS, Transport, build_message, transport_for

log = logging.getLogger("qi_academy.outbox")

POLL_SECONDS = 2.0
PURGE_EVERY_SECONDS = 3600.0


def worker_enabled(settings: Settings) -> bool:
    """On in dev and prod unless QIA_OUTBOX_WORKER=false (then run `qi-academy outbox deliver`)."""
    return settings.outbox_worker and settings.env != "test"


def deliver_due(
    factory: SessionFactory,
    *,
    transport: Transport,
    settings: Settings,
    clock: Callable[[], datetime] = utcnow,
    limit: int = service.BATCH,
) -> DeliveryReport:
    """One pass: claim due messages (committed), send each, record each outcome in its own commit."""
    with session_scope(factory) as session:
        claimed = service.claim_due(session, now=clock(), limit=limit)
    report = DeliveryReport()
    for item in claimed:
        error = _send(transport, item, settings)
        with session_scope(factory) as session:
            status = service.settle(session, claimed=item, error=error, now=clock())
        if status == "sent":
            report.sent += 1
        elif status == "failed":
            report.failed += 1
            log.error("outbox message %s failed for good: %s", item.id, error)
        elif status == "pending":
            report.retrying += 1
        if error:
            report.errors.append(f"message {item.id}: {error}")
    return report


def _send(transport: Transport, item: Claimed, settings: Settings) -> str | None:
    message: EmailMessage = build_message(
        settings=settings,
        message_id=item.id,
        to_address=item.to_address,
        subject=item.subject,
        body=item.body,
    )
    try:
        transport.send(message)
    except Exception as exc:  # any failure of the mail server is retried, whatever its type
        log.warning("outbox message %s not sent (attempt %s): %s", item.id, item.attempts, exc)
        return f"{type(exc).__name__}: {exc}"
    return None


def deliver_tasks(
    factory: SessionFactory,
    *,
    clock: Callable[[], datetime] = utcnow,
    limit: int = service.BATCH,
) -> DeliveryReport:
    """One pass over due tasks: each sender reads in a short transaction, delivers outside any."""
    with session_scope(factory) as session:
        claimed = tasks.claim_due(session, now=clock(), limit=limit)
    report = DeliveryReport()
    for item in claimed:
        error, final = _deliver_task(factory, item)
        with session_scope(factory) as session:
            status = tasks.settle(session, claimed=item, error=error, now=clock(), final=final)
        if status == "sent":
            report.sent += 1
        elif status == "failed":
            report.failed += 1
            log.error("outbox task %s (%s) failed for good: %s", item.id, item.kind, error)
        elif status == "pending":
            report.retrying += 1
        if error:
            report.errors.append(f"task {item.id}: {error}")
    return report


def _deliver_task(factory: SessionFactory, item: tasks.ClaimedTask) -> tuple[str | None, bool]:
    """(error or None, whether to give up now)."""
    sender = tasks.senders.get(item.kind)
    if sender is None:
        return f"no sender is registered for {item.kind!r}", False
    try:
        with session_scope(factory) as session:
            delivery = sender(session, item.payload)
        delivery()
    except tasks.TaskObsolete as exc:
        return str(exc), True
    except Exception as exc:  # any failure of the receiving system is retried, whatever its type
        log.warning("outbox task %s not delivered (attempt %s): %s", item.id, item.attempts, exc)
        return f"{type(exc).__name__}: {exc}", False
    return None, False


def purge(factory: SessionFactory) -> int:
    """Forget sent messages past the retention period (they hold addresses and links)."""
    with session_scope(factory) as session:
        return service.purge_sent(session, now=utcnow()) + tasks.purge_sent(session, now=utcnow())


def _pass(factory: SessionFactory, transport: Transport, settings: Settings) -> Callable[[], None]:
    last_purge = [0.0]

    def one_pass() -> None:
        deliver_due(factory, transport=transport, settings=settings)
        deliver_tasks(factory)
        if time.monotonic() - last_purge[0] > PURGE_EVERY_SECONDS:
            purge(factory)
            last_purge[0] = time.monotonic()

    return one_pass


async def run(
    factory: SessionFactory,
    *,
    transport: Transport,
    settings: Settings,
    stop: asyncio.Event,
    poll_seconds: float = POLL_SECONDS,
) -> None:
    """Deliver due messages every few seconds until `stop` is set; a failed pass never ends the loop."""
    await jobs.repeat(
        _pass(factory, transport, settings), seconds=poll_seconds, stop=stop, name="outbox"
    )


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """Start the loop with the app and stop it (letting a send in progress finish) on shutdown."""
    settings = get_settings()
    if not worker_enabled(settings):
        yield
        return
    if settings.env == "prod" and not settings.smtp_host:
        log.error("QIA_SMTP_HOST is not set: email will be queued and retried, not sent")
    job = _pass(get_sessionmaker(), transport_for(settings), settings)
    async with jobs.running(
        job, seconds=POLL_SECONDS, name="outbox", grace_seconds=SMTP_TIMEOUT_SECONDS + 5
    ):
        yield
