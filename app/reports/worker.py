"""Keeps the report rollups fresh in the background, so no leader's request waits for a refresh."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from app.core import jobs
from app.core.config import Settings, get_settings
from app.core.db import SessionFactory, get_sessionmaker, session_scope
from app.reports import service

log = logging.getLogger("qi_academy.reports")

# Looks every 15 s; refresh_if_stale refreshes when the rollups are a minute old.
POLL_SECONDS = 15.0
# A full rebuild picks up what an incremental refresh cannot see (back-dated rows, erasures).
FULL_REBUILD_AFTER = timedelta(days=1)


def worker_enabled(settings: Settings) -> bool:
    """On in dev and prod unless QIA_REPORTS_WORKER=false (then run `qi-academy reports refresh`)."""
    return settings.reports_worker and settings.env != "test"


def refresh_when_stale(factory: SessionFactory) -> bool:
    """One look: bring the rollups up to date in their own transaction if they are a minute old."""
    with session_scope(factory) as session:
        refreshed = service.refresh_if_stale(session, full_after=FULL_REBUILD_AFTER)
    if refreshed:
        log.debug("report rollups refreshed")
    return refreshed


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """Refresh with the app running; a refresh in progress may finish on shutdown."""
    if not worker_enabled(get_settings()):
        yield
        return
    factory = get_sessionmaker()
    async with jobs.running(
        lambda: refresh_when_stale(factory), seconds=POLL_SECONDS, name="reports", grace_seconds=10
    ):
        yield
