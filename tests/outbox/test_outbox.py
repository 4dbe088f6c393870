"""The outbox: queued in the request's transaction, delivered later, retried with backoff."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from app.core.config import Settings, get_settings
from app.core.db import as_utc, utcnow
from app.core.deps import SessionDep, _settings
from app.core.errors import InvalidInput
from app.outbox import service, worker
from app.outbox.models import OutboxMessage
from app.outbox.transport import FileTransport, SmtpTransport
from tests.factories import sessions_on
from tests.outbox.smtp_server import closed_port, smtp_server


def smtp_settings(port: int) -> Settings:
    return get_settings().model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )


def fetch(db: Session, message_id: int) -> OutboxMessage:
    db.expire_all()
    row = db.get(OutboxMessage, message_id)
    assert row is not None
    return row


def test_enqueue_then_deliver_writes_an_eml_file(db: Session, tmp_path: Path) -> None:
    message = service.enqueue(
        db, to="nina.okafor@example.nhs.uk", subject="Welcome", body="Hello Nina,\n\nWelcome."
    )
    assert message.status == "pending"
    report = worker.deliver_due(
        sessions_on(db), transport=FileTransport(tmp_path), settings=get_settings()
    )
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1
    parsed = BytesParser(policy=policy.default).parse(files[0].open("rb"))
    assert parsed["To"] == "nina.okafor@example.nhs.uk"
    assert parsed["Subject"] == "Welcome"
    assert parsed["From"] == get_settings().smtp_from
    assert "Welcome." in parsed.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    row = fetch(db, message.id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
    assert row.sent_at is not None
    # Sent once: another pass finds nothing due.
    again = worker.deliver_due(
        sessions_on(db), transport=FileTransport(tmp_path), settings=get_settings()
    )
    assert again.claimed == 0
    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_a_rolled_back_request_sends_nothing(app: FastAPI, client: TestClient, db: Session) -> None:
    # A route that queues an email and then fails, in the app's real unit of work.
    @app.post("/api/test-only/enqueue-then-fail")
    def failing_route(session: SessionDep) -> None:
        service.enqueue(session, to="ghost@example.nhs.uk", subject="Never", body="Never sent")
        raise InvalidInput("the action after the email failed")

    before = db.scalar(select(func.count()).select_from(OutboxMessage))
    r = client.post("/api/test-only/enqueue-then-fail")
    assert r.status_code == 422
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == before
    assert (
        db.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "ghost@example.nhs.uk"))
        is None
    )


def test_failed_send_is_retried_with_backoff_then_sent(db: Session) -> None:
    message = service.enqueue(
        db, to="asha.patel@example.nhs.uk", subject="Your badge", body="You earned Bronze."
    )
    start = utcnow()
    refused = SmtpTransport(smtp_settings(closed_port()))
    report = worker.deliver_due(
        sessions_on(db), transport=refused, settings=get_settings(), clock=lambda: start
    )
    assert (report.sent, report.retrying) == (0, 1)
    row = fetch(db, message.id)
    assert row.status == "pending"
    assert row.attempts == 1
    assert "Connection" in (row.last_error or "") or "refused" in (row.last_error or "")
    assert as_utc(row.next_attempt_at) == start + timedelta(minutes=1)

    # Not due yet: a pass a moment later does not touch it.
    soon = worker.deliver_due(
        sessions_on(db),
        transport=refused,
        settings=get_settings(),
        clock=lambda: start + timedelta(seconds=30),
    )
    assert soon.claimed == 0

    with smtp_server() as server:
        later = start + timedelta(seconds=61)
        ok = worker.deliver_due(
            sessions_on(db),
            transport=SmtpTransport(smtp_settings(server.port)),
            settings=get_settings(),
            clock=lambda: later,
        )
        assert ok.sent == 1
        assert len(server.received) == 1
        got = server.received[0]
        assert got["To"] == "asha.patel@example.nhs.uk"
        assert got["Subject"] == "Your badge"
        assert "You earned Bronze." in got.get_content()
    row = fetch(db, message.id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_message_fails_for_good_after_the_last_retry(db: Session) -> None:
    message = service.enqueue(db, to="x@example.nhs.uk", subject="Hello", body="Hi")
    refused = SmtpTransport(smtp_settings(closed_port()))
    now = utcnow()
    for attempt in range(1, service.MAX_ATTEMPTS + 1):
        worker.deliver_due(
            sessions_on(db), transport=refused, settings=get_settings(), clock=lambda t=now: t
        )
        row = fetch(db, message.id)
        assert row.attempts == attempt
        now = as_utc(row.next_attempt_at) + timedelta(seconds=1)
    assert row.status == "failed"
    assert row.last_error
    # Given up: never claimed again.
    later = now + timedelta(days=1)
    assert (
        worker.deliver_due(
            sessions_on(db), transport=refused, settings=get_settings(), clock=lambda: later
        ).claimed
        == 0
    )


def test_backoff_doubles_then_stays_hourly() -> None:
    assert [service.backoff(n).total_seconds() for n in (1, 2, 3, 6, 7, 8)] == [
        60,
        120,
        240,
        1920,
        3600,
        3600,
    ]


def test_a_claimed_message_is_leased_not_claimed_twice(db: Session) -> None:
    service.enqueue(db, to="a@example.nhs.uk", subject="One", body="1")
    now = utcnow()
    first = service.claim_due(db, now=now)
    assert [c.subject for c in first] == ["One"]
    assert service.claim_due(db, now=now + timedelta(minutes=4)) == []
    # A loop that died mid-send: after the lease the message is due again.
    assert [c.subject for c in service.claim_due(db, now=now + service.LEASE)] == ["One"]


def test_enqueue_refuses_an_address_it_cannot_send_to_and_keeps_the_subject_on_one_line(
    db: Session,
) -> None:
    with pytest.raises(InvalidInput, match="not an email address"):
        service.enqueue(db, to="not an address", subject="Hi", body="x")
    with pytest.raises(InvalidInput):
        service.enqueue(db, to="a@b.nhs.uk\r\nBcc: evil@example.com", subject="Hi", body="x")
    message = service.enqueue(
        db, to="a@example.nhs.uk", subject="Hello\r\nBcc: evil@example.com", body="x"
    )
    assert message.subject == "Hello Bcc: evil@example.com"


def test_sent_messages_are_purged_after_the_retention_period(db: Session, tmp_path: Path) -> None:
    message = service.enqueue(db, to="old@example.nhs.uk", subject="Old", body="x")
    worker.deliver_due(sessions_on(db), transport=FileTransport(tmp_path), settings=get_settings())
    assert service.purge_sent(db, now=utcnow() + timedelta(days=29)) == 0
    assert service.purge_sent(db, now=utcnow() + service.SENT_RETENTION + timedelta(hours=1)) >= 1
    assert db.scalar(select(OutboxMessage.id).where(OutboxMessage.id == message.id)) is None


@pytest.fixture
def committed(engine: Engine) -> Iterator[Callable[..., int]]:
    """Messages committed for real (the delivery loop and the CLI open their own connections)."""
    ids: list[int] = []

    def add(to: str = "loop@example.nhs.uk", subject: str = "Committed") -> int:
        with Session(engine) as s, s.begin():
            ids.append(service.enqueue(s, to=to, subject=subject, body="From a commit.").id)
        return ids[-1]

    yield add
    with Session(engine) as s, s.begin():
        s.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))


def test_postgresql_delivery_loops_claim_disjoint_messages(
    engine: Engine, committed: Callable[..., int]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite's write lock admits one claimer at a time")
    for n in range(4):
        committed(subject=f"m{n}")
    now = utcnow()
    with Session(engine) as first, first.begin():
        a = service.claim_due(first, now=now, limit=2)  # rows stay locked until this commits
        with Session(engine) as second, second.begin():
            b = service.claim_due(second, now=now, limit=10)
    mine = {c.subject for c in a} | {c.subject for c in b}
    assert {c.id for c in a}.isdisjoint({c.id for c in b})
    assert {"m0", "m1", "m2", "m3"} <= mine
    assert len(a) == 2


def test_the_delivery_loop_sends_and_stops(
    engine: Engine, committed: Callable[..., int], tmp_path: Path
) -> None:
    message_id = committed(to="worker@example.nhs.uk", subject="From the loop")

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(
            worker.run(
                lambda: Session(engine, expire_on_commit=False),
                transport=FileTransport(tmp_path),
                settings=get_settings(),
                stop=stop,
                poll_seconds=0.05,
            )
        )
        for _ in range(200):
            if list(tmp_path.glob("*.eml")):
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, timeout=10)

    # Its own thread: a browser test's Playwright loop may already run in this worker's main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, scenario()).result(timeout=60)
    assert any("From the loop" in p.read_text() for p in tmp_path.glob("*.eml"))
    with Session(engine) as s:
        row = s.get(OutboxMessage, message_id)
        assert row is not None
        assert row.status == "sent"


def test_the_worker_never_starts_under_tests() -> None:
    assert worker.worker_enabled(get_settings()) is False
    assert worker.worker_enabled(get_settings().model_copy(update={"env": "dev"})) is True
    assert (
        worker.worker_enabled(
            get_settings().model_copy(update={"env": "dev", "outbox_worker": False})
        )
        is False
    )


def test_cli_outbox_deliver_sends_what_is_due(
    database_url: str,
    committed: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.cli import main
    from app.core import config
    from app.core import db as core_db

    committed(to="cli@example.nhs.uk", subject="Sent by the CLI")
    monkeypatch.setenv("QIA_DATABASE_URL", database_url)
    monkeypatch.setenv("QIA_VAR_DIR", str(tmp_path))
    for cached in (config.get_settings, core_db.get_engine, core_db.get_sessionmaker):
        cached.cache_clear()
    try:
        assert main(["outbox", "deliver"]) == 0
    finally:
        monkeypatch.undo()
        for cached in (config.get_settings, core_db.get_engine, core_db.get_sessionmaker):
            cached.cache_clear()
    assert "sent" in capsys.readouterr().out
    assert any("Sent by the CLI" in p.read_text() for p in (tmp_path / "outbox").glob("*.eml"))


def _as(env: str, var_dir: Path) -> Callable[[], Settings]:
    settings = get_settings().model_copy(update={"env": env, "var_dir": var_dir})
    return lambda: settings


def test_dev_outbox_page_lists_emails_in_development_only(
    app: FastAPI, client: TestClient, db: Session, tmp_path: Path
) -> None:
    service.enqueue(
        db,
        to="dev@example.nhs.uk",
        subject="Set a new password",
        body="Use http://testserver/reset-password/abc123 within the hour.",
    )
    worker.deliver_due(
        sessions_on(db), transport=FileTransport(tmp_path / "outbox"), settings=get_settings()
    )
    app.dependency_overrides[_settings] = _as("dev", tmp_path)
    page = client.get("/dev/outbox")
    assert page.status_code == 200
    assert "Set a new password" in page.text
    assert "dev@example.nhs.uk" in page.text
    assert 'href="http://testserver/reset-password/abc123"' in page.text
    for env in ("prod", "test"):
        app.dependency_overrides[_settings] = _as(env, tmp_path)
        assert client.get("/dev/outbox").status_code == 404


def test_counts_by_status(db: Session, tmp_path: Path) -> None:
    before = service.counts(db)
    service.enqueue(db, to="c@example.nhs.uk", subject="C", body="c")
    assert service.counts(db).pending == before.pending + 1
    worker.deliver_due(sessions_on(db), transport=FileTransport(tmp_path), settings=get_settings())
    after = service.counts(db)
    assert (after.pending, after.sent) == (before.pending, before.sent + 1)
