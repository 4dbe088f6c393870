"""Background jobs in the app's lifespan: call a function every few seconds, off the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

log = logging.getLogger("qi_academy.jobs")


async def repeat(
    job: Callable[[], object], *, seconds: float, stop: asyncio.Event, name: str
) -> None:
    """Run `job` in a worker thread every `seconds` until `stop` is set.

    A failed run is logged and never ends the loop: the database may be briefly away, and the
    next run tries again.
    """
    while not stop.is_set():
        try:
            await asyncio.to_thread(job)
        except Exception:
            log.exception("background job %r failed", name)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


@asynccontextmanager
async def running(
    job: Callable[[], object], *, seconds: float, name: str, grace_seconds: float = 5.0
) -> AsyncIterator[None]:
    """Keep `job` repeating while the app serves; on shutdown let a run in progress finish."""
    stop = asyncio.Event()
    task = asyncio.create_task(repeat(job, seconds=seconds, stop=stop, name=name))
    try:
        yield
    finally:
        stop.set()
        with suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=grace_seconds)
