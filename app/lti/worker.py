"""The score delivery loop: posts due scores to platforms, each outcome in its own transaction."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from app.core import jobs
from app.core.config import Settings, get_settings
from app.core.db import SessionFactory, get_sessionmaker, session_scope, utcnow
from app.lti import grades
from app.outbox.schemas import DeliveryReport
from app.outbox.worker import POLL_SECONDS, worker_enabled

log = logging.getLogger("qi_academy.lti")


def deliver_due(
    factory: SessionFactory, *, settings: Settings, clock: Callable[[], datetime] = utcnow
) -> DeliveryReport:
    """One pass: claim due scores (committed), post each, record each outcome in its own commit."""
    with session_scope(factory) as session:
        claimed = grades.claim_due(session, now=clock())
    report = DeliveryReport()
    for item in claimed:
        error = None
        try:
            with session_scope(factory) as session:
                grades.post_score(session, settings, item)
        except Exception as exc:  # any failure of the platform is retried, whatever its type
            error = f"{type(exc).__name__}: {exc}"
            log.warning("LTI score %s not posted (try again later): %s", item.id, error)
            report.errors.append(f"score {item.id}: {error}")
        with session_scope(factory) as session:
            status = grades.settle(session, claimed=item, error=error, now=clock())
        report.sent += status == "sent"
        report.retrying += status == "pending"
        report.failed += status == "failed"
    return report


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """Run with the outbox's switch (QIA_OUTBOX_WORKER): scores are outbox work."""
    settings = get_settings()
    if not worker_enabled(settings):
        yield
        return
    factory = get_sessionmaker()
    async with jobs.running(
        lambda: deliver_due(factory, settings=settings), seconds=POLL_SECONDS, name="lti-scores"
    ):
        yield
