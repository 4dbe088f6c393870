"""The background loops, in one list: started by the web app's lifespan or by `qi-academy worker`.

Each loop runs once per period across every instance (app/core/jobs.py), so running the web app
on several machines, or beside a separate worker process, never doubles a job.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from app.gold import worker as gold_worker
from app.lti import worker as lti_worker
from app.outbox import tasks
from app.outbox import worker as outbox_worker
from app.reports import worker as reports_worker
from app.xapi import delivery as xapi_delivery
from app.xapi.service import KIND as XAPI_STATEMENT

log = logging.getLogger("qi_academy.workers")
# Outbox delivery (email, tasks such as xAPI statements), LTI scores, report rollups, the Gold sweep;
# each a no-op when its QIA_*_WORKER is off.
WORKERS = (outbox_worker, lti_worker, reports_worker, gold_worker)
# Who delivers each kind of outbox task (the outbox imports no domain; this table wires them).
tasks.senders.register(XAPI_STATEMENT, xapi_delivery.sender)


@asynccontextmanager
async def all_running(app: Any = None) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        for worker in WORKERS:
            await stack.enter_async_context(worker.lifespan(app))
        yield


async def serve_forever() -> None:
    """`qi-academy worker`: the loops alone, until SIGTERM or SIGINT (a run in progress finishes)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with all_running():
        log.info("background worker running: %s", ", ".join(w.__name__ for w in WORKERS))
        await stop.wait()
    log.info("background worker stopped")
