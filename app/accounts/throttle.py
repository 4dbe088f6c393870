"""Throttles that hold under concurrency: check-and-count in one statement per key.

`reserve` counts an attempt against each key only if the key is under its limit, with
INSERT ... ON CONFLICT DO UPDATE ... WHERE count < limit RETURNING count: the database serialises
concurrent requests on the key's row, so forty simultaneous guesses against a limit of five get
exactly five reservations, on SQLite and PostgreSQL alike. A key whose window has passed starts
again at one. Callers `release` what they reserved when the attempt turns out to be good, so the
counters count failures only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.accounts.models import Throttle


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int
    window: timedelta


def _take(session: Session, item: Limit, now: datetime) -> bool:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    cutoff = now - item.window
    expired = Throttle.window_started_at <= cutoff
    upsert = insert(Throttle).values(key=item.key, count=1, window_started_at=now)
    stmt = upsert.on_conflict_do_update(
        index_elements=[Throttle.key],
        set_={
            "count": case((expired, 1), else_=Throttle.count + 1),
            "window_started_at": case((expired, now), else_=Throttle.window_started_at),
        },
        where=expired | (Throttle.count < item.limit),
    ).returning(Throttle.count)
    return session.execute(stmt).first() is not None


def reserve(session: Session, limits: Sequence[Limit], *, now: datetime) -> Limit | None:
    """Count one attempt against every key, or against none: returns the first limit reached.

    Keys are tried in order; if one is at its limit, those already counted are given back, so
    a refused attempt never uses up another key's allowance.
    """
    taken: list[Limit] = []
    for item in limits:
        if not _take(session, item, now):
            release(session, taken)
            return item
        taken.append(item)
    return None


def release(session: Session, limits: Sequence[Limit]) -> None:
    """Give back one reserved attempt per key (the attempt was good)."""
    for item in limits:
        session.execute(
            update(Throttle)
            .where(Throttle.key == item.key, Throttle.count > 0)
            .values(count=Throttle.count - 1)
        )


def clear_account(session: Session, *, email: str) -> None:
    """Forget an account's failures from every address (its holder has proved who they are)."""
    session.execute(
        update(Throttle)
        .where(
            (Throttle.key == f"account:{email}")
            | Throttle.key.startswith(f"pair:{email}|", autoescape=True)
        )
        .values(count=0)
    )


def clear(session: Session, keys: Sequence[str]) -> None:
    """Forget keys entirely (a successful sign-in resets its own address's failures)."""
    for key in keys:
        session.execute(update(Throttle).where(Throttle.key == key).values(count=0))
