"""The hourly Gold sweep in the background: lapsed trainers lose the role, reminders are queued.

Without it a lapsed trainer's role would go only when they next open a page that checks it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from app.core import jobs
from app.core.config import Settings, get_settings
from app.core.db import SessionFactory, get_sessionmaker, session_scope
from app.gold import service

SWEEP_SECONDS = 3600.0


def worker_enabled(settings: Settings) -> bool:
    """On in dev and prod unless QIA_GOLD_WORKER=false (then run `qi-academy gold expire`)."""
    return settings.gold_worker and settings.env != "test"


def sweep(factory: SessionFactory | None = None) -> service.SweepResult:
    """One sweep in its own transaction."""
    with session_scope(factory) as session:
        return service.sweep(session)


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """Sweep when the app starts and every hour while it runs."""
    if not worker_enabled(get_settings()):
        yield
        return
    factory = get_sessionmaker()
    async with jobs.running(lambda: sweep(factory), seconds=SWEEP_SECONDS, name="gold sweep"):
        yield
