"""Shared fixtures: a migrated database per worker, content synced once, a rolled-back transaction per test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from tests.dbutil import drop_created, fresh_database, migrate

os.environ["QIA_ENV"] = "test"  # always: `make` exports QIA_ENV=dev for `make run`
os.environ.setdefault("QIA_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("QIA_BASE_URL", "http://testserver")
# Credential signing keys in a temporary folder, never var/keys (inherited by the browser server).
os.environ["QIA_KEYS_DIR"] = str(Path(tempfile.mkdtemp(prefix="qia-keys-")) / "keys")

from app.content import service as content_service
from app.content.registry import ContentRegistry, install, load_or_fail
from app.core.config import get_settings
from app.core.db import get_db, make_engine, unit_of_work
from app.core.deps import isolated_sessions
from app.main import create_app

ROOT = Path(__file__).resolve().parents[1]

# Property tests check correctness, not speed: a loaded CI machine must not fail them on time.
hypothesis_settings.register_profile("qia", deadline=None)
hypothesis_settings.load_profile("qia")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark browser tests. They may run on any xdist worker: each worker starts its own server and chromium."""
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    url = fresh_database("app")
    migrate(url)
    yield url
    drop_created()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def registry(engine: Engine) -> ContentRegistry:
    """The real content, synced (and committed) once, as the server does at start-up."""
    modules = load_or_fail(get_settings().content_dir)
    with Session(engine) as session, session.begin():
        synced = content_service.sync(session, modules=modules)
    install(synced)  # as the app does at start-up, for event handlers
    return synced


@pytest.fixture
def db(engine: Engine, registry: ContentRegistry) -> Iterator[Session]:  # noqa: ARG001 (content synced first)
    """A session inside a transaction that is rolled back after the test, whatever the app commits."""
    conn = engine.connect()
    outer = conn.begin()
    session = Session(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False, autoflush=False
    )
    yield session
    session.close()
    outer.rollback()
    conn.close()


@pytest.fixture
def app(db: Session, registry: ContentRegistry) -> FastAPI:
    application = create_app()
    application.state.content = registry

    # Each request gets its own session on the test's connection, as in production, but every
    # commit only releases a savepoint inside the transaction the test rolls back.
    def per_request() -> Iterator[Session]:
        session = Session(
            bind=db.get_bind(),
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            autoflush=False,
        )
        yield from unit_of_work(session)

    def isolated() -> Callable[[], Session]:
        # "Its own transaction" in a test: a session on the test's connection whose commit
        # releases a savepoint, so the test still rolls everything back.
        return lambda: Session(
            bind=db.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    application.dependency_overrides[get_db] = per_request
    application.dependency_overrides[isolated_sessions] = isolated
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as c:
        yield c


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)

    def _on(self, _conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(engine: Engine):  # type: ignore[no-untyped-def]
    return lambda: QueryCounter(engine)
