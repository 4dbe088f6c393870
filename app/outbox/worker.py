"""The delivery loop: an asyncio task started with the app that sends due mail off the event loop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from app.core.config import Settings, get_settings
from app.core.db import get_sessionmaker, utcnow
from app.outbox import service
from app.outbox.service import SessionFactory, transaction
from app.outbox.transport import SMTP_TIMEOUT_SECONDS, Transport, transport_for

log = logging.getLogger("qi_academy.outbox")

POLL_SECONDS = 2.0
PURGE_EVERY_SECONDS = 3600.0


def worker_enabled(settings: Settings) -> bool:
    """On in dev and prod unless QIA_OUTBOX_WORKER=false (then run `qi-academy outbox deliver`)."""
    return settings.outbox_worker and settings.env != "test"


async def run(
    factory: SessionFactory,
    *,
    transport: Transport,
    settings: Settings,
    stop: asyncio.Event,
    poll_seconds: float = POLL_SECONDS,
) -> None:
    """Deliver due messages every few seconds until `stop` is set; a failed pass never ends the loop."""
    last_purge = 0.0
    while not stop.is_set():
        try:
            await asyncio.to_thread(
                service.deliver_due, factory, transport=transport, settings=settings
            )
            if time.monotonic() - last_purge > PURGE_EVERY_SECONDS:
                await asyncio.to_thread(_purge, factory)
                last_purge = time.monotonic()
        except Exception:  # the database may be briefly away; try again on the next tick
            log.exception("outbox delivery pass failed")
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)


def _purge(factory: SessionFactory) -> None:
    with transaction(factory) as session:
        service.purge_sent(session, now=utcnow())


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """Start the loop with the app and stop it (letting a send in progress finish) on shutdown."""
    settings = get_settings()
    if not worker_enabled(settings):
        yield
        return
    if settings.env == "prod" and not settings.smtp_host:
        log.error("QIA_SMTP_HOST is not set: email will be queued and retried, not sent")
    stop = asyncio.Event()
    task = asyncio.create_task(
        run(get_sessionmaker(), transport=transport_for(settings), settings=settings, stop=stop)
    )
    try:
        yield
    finally:
        stop.set()
        with suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=SMTP_TIMEOUT_SECONDS + 5)
