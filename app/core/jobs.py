"""Background jobs in the app's lifespan (or `qi-academy worker`): each runs once per period
across every instance of the app, off the event loop."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from app.core.config import get_settings
from app.core.db import SessionFactory, get_sessionmaker, session_scope, utcnow
from app.core.models import JobRun

log = logging.getLogger("qi_academy.jobs")
INSTANCE = f"{socket.gethostname()}:{os.getpid()}"[:100]
KEEP_RUNS = timedelta(days=2)

Claim = Callable[[int], bool]


async def repeat(
    job: Callable[[], object],
    *,
    seconds: float,
    stop: asyncio.Event,
    name: str,
    claim: Claim | None = None,
    finished: Callable[[int], None] | None = None,
) -> None:
    """Run `job` in a worker thread once per period of `seconds` until `stop` is set.

    Periods are aligned to the clock (period n starts at n x seconds since the epoch), so every
    instance wakes for the same period; `claim(period)` says whether this one runs it. A failed
    run is logged and never ends the loop: the database may be briefly away.
    """
    while not stop.is_set():
        period = int(time.time() // seconds)
        try:
            if claim is None or await asyncio.to_thread(claim, period):
                await asyncio.to_thread(job)
                if finished is not None:
                    await asyncio.to_thread(finished, period)
        except Exception:
            log.exception("background job %r failed", name)
        wait = max((period + 1) * seconds - time.time(), 0.0)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)


def claimer(name: str, factory: SessionFactory) -> tuple[Claim, Callable[[int], None]]:
    """Claim a period by inserting its row (the primary key admits one instance), and record
    when the run finished. Old rows are forgotten as new ones are made."""

    def claim(period: int) -> bool:
        try:
            with session_scope(factory) as session:
                session.add(
                    JobRun(name=name, period=period, instance=INSTANCE, started_at=utcnow())
                )
                session.flush()
                session.execute(
                    delete(JobRun).where(
                        JobRun.name == name, JobRun.started_at < utcnow() - KEEP_RUNS
                    )
                )
        except IntegrityError:
            return False  # another instance runs this period
        return True

    def finished(period: int) -> None:
        with session_scope(factory) as session:
            session.execute(
                update(JobRun)
                .where(JobRun.name == name, JobRun.period == period)
                .values(finished_at=utcnow())
            )

    return claim, finished


@asynccontextmanager
async def running(
    job: Callable[[], object], *, seconds: float, name: str, grace_seconds: float = 5.0
) -> AsyncIterator[None]:
    """Keep `job` running once per period across instances while the app serves; on shutdown
    let a run in progress finish. QIA_JOB_SECONDS='{"<name>": 2}' changes a period (tests)."""
    seconds = float(get_settings().job_seconds.get(name, seconds))
    claim, finished = claimer(name, get_sessionmaker())
    stop = asyncio.Event()
    task = asyncio.create_task(
        repeat(job, seconds=seconds, stop=stop, name=name, claim=claim, finished=finished)
    )
    try:
        yield
    finally:
        stop.set()
        with suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=grace_seconds)
