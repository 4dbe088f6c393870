"""Engine, session factory and the declarative base with one constraint naming convention."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, ClassVar

from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.core.config import get_settings
from app.core.timefmt import as_utc

__all__ = ["Base", "as_utc", "get_db", "get_engine", "get_sessionmaker", "utcnow"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that comes back with its time zone on every engine.

    Everything we store is UTC. PostgreSQL returns aware datetimes; SQLite returns naive ones, and
    the API then sent "2026-12-02T05:11:58" on one engine and "...Z" on the other. Reading through
    this type makes every datetime aware at the source, so one rule covers every model.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:  # noqa: ARG002
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:  # noqa: ARG002
        return as_utc(value) if value is not None else None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        if ":memory:" not in url and url != "sqlite://":
            # Keep enough connections for a busy server: past the pool (SQLAlchemy's default is
            # 5), every request opened a new connection and ran the pragmas again (7% of a page).
            kwargs.setdefault("pool_size", 20)
            kwargs.setdefault("max_overflow", 20)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # PostgreSQL's JIT compiles any plan whose estimated cost is high, and estimates over the
    # report tables are high: at a million learners it spent 1.2 s compiling a query that then ran
    # in 0.2 s. Short OLTP and report queries never win that back, so it is off per connection.
    kwargs.setdefault("connect_args", {"options": "-c jit=off"})
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy issues BEGIN itself instead.
    dbapi_conn.isolation_level = None
    # WAL lets readers carry on while one writer writes; foreign keys are off by default in SQLite.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the lock up front (IMMEDIATE) so two writers queue rather than fail to upgrade;
    # reads (GET pages) begin DEFERRED so they never wait for the write lock under WAL.
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    # Straight to the driver: this runs for every transaction, and SQLAlchemy's statement
    # machinery (events, result objects) cost more than the BEGIN itself.
    conn.connection.driver_connection.execute(
        "BEGIN DEFERRED" if mode == "DEFERRED" else "BEGIN IMMEDIATE"
    )


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    if settings.database_url.startswith("sqlite:///"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.database_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False, autoflush=False)


def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit once if the request succeeds; roll back if anything raised."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionFactory = Callable[[], Session]


@contextmanager
def session_scope(factory: SessionFactory | None = None) -> Iterator[Session]:
    """A unit of work outside a request (a CLI command, a background job): commit once or roll back."""
    yield from unit_of_work((factory or get_sessionmaker())())


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request; reads begin without the SQLite write lock.

    Async so that making the session costs no trip to the threadpool; only the commit or
    rollback at the end, which does I/O, runs there.
    """
    read_only = request.method in ("GET", "HEAD")
    session = get_sessionmaker()(bind=_read_engine() if read_only else get_engine())
    try:
        yield session
        await run_in_threadpool(_commit_and_close, session)
    except BaseException:
        await run_in_threadpool(_rollback_and_close, session)
        raise


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _rollback_and_close(session: Session) -> None:
    session.rollback()
    session.close()


@lru_cache
def _read_engine() -> Engine:
    return get_engine().execution_options(sqlite_begin="DEFERRED")
