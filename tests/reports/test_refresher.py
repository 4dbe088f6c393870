"""The rollups are refreshed in the background, never inside a leader's request."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.core import jobs
from app.core.config import get_settings
from app.reports import service, worker
from app.reports.models import ReportRefresh
from tests.factories import sessions_on, sign_in
from tests.gold.factories import person


def test_the_dashboard_reads_the_rollups_and_never_refreshes_them(
    client: TestClient, db: Session
) -> None:
    leader = person(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    page = client.get("/leader/reports")
    assert page.status_code == 200
    assert "Figures not ready yet" in page.text
    assert db.get(ReportRefresh, 1) is None  # the request refreshed nothing
    assert client.get("/leader/reports/registrations.csv").text.count("\n") == 13  # 12 months of 0

    assert worker.refresh_when_stale(sessions_on(db)) is True
    page = client.get("/leader/reports")
    assert "Figures not ready yet" not in page.text
    assert "Figures as of" in page.text
    rows = client.get("/leader/reports/registrations.csv").text.splitlines()
    assert rows[-1].endswith(",1")  # the leader, registered this month


def test_the_refresher_refreshes_once_a_minute_and_rebuilds_in_full_daily(db: Session) -> None:
    factory = sessions_on(db)
    assert worker.refresh_when_stale(factory) is True  # never built: a full build
    assert worker.refresh_when_stale(factory) is False  # fresh
    state = db.get(ReportRefresh, 1)
    assert state is not None
    full_at = state.full_at
    state.refreshed_at -= timedelta(minutes=2)
    db.flush()
    assert worker.refresh_when_stale(factory) is True
    db.refresh(state)
    assert state.from_month != ""  # incremental
    assert state.full_at == full_at
    state.full_at -= timedelta(days=1, minutes=1)
    db.flush()
    assert worker.refresh_when_stale(factory) is True
    db.refresh(state)
    assert state.from_month == ""  # a full rebuild
    assert state.full_at > full_at
    assert service.refresh_if_stale(db) is False


def test_a_failing_job_is_logged_and_the_loop_goes_on_until_stopped() -> None:
    calls: list[int] = []

    def job() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database is away")

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(jobs.repeat(job, seconds=0.01, stop=stop, name="test"))
        for _ in range(500):
            if len(calls) >= 3:
                break
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(task, timeout=5)

    # Its own thread: a browser test's Playwright loop may already run in this worker's main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, scenario()).result(timeout=30)
    assert len(calls) >= 3
    settled = len(calls)
    assert len(calls) == settled  # stopped: nothing runs after the loop ends


def test_the_refresher_never_starts_under_tests_and_can_be_turned_off() -> None:
    settings = get_settings()
    assert worker.worker_enabled(settings) is False
    assert worker.worker_enabled(settings.model_copy(update={"env": "dev"})) is True
    assert (
        worker.worker_enabled(settings.model_copy(update={"env": "dev", "reports_worker": False}))
        is False
    )
