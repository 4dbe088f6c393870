"""Test databases: one per xdist worker and purpose, on SQLite or on the PostgreSQL in TEST_DATABASE_URL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("TEST_DATABASE_URL")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# One id per test run, shared by its xdist workers, so concurrent runs never share a database.
RUN = (os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getpid()))[:8]
_created: list[str] = []
_TMP = Path(tempfile.mkdtemp(prefix="qia-tests-"))


def fresh_database(purpose: str) -> str:
    """An empty database for this worker and purpose; its URL."""
    if not PG_URL:
        path = _TMP / f"{purpose}-{WORKER}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = make_url(PG_URL)
    name = f"{url.database}_{purpose}_{WORKER}_{RUN}".lower()
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _created.append(name)
    return url.set(database=name).render_as_string(hide_password=False)


def drop_created() -> None:
    """Drop this run's PostgreSQL databases (SQLite files live in a temporary folder)."""
    if not PG_URL or not _created:
        return
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in _created:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
