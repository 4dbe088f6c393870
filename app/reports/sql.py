"""Dialect helpers so report SQL runs the same on SQLite (tests, small sites) and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement


def month_of(session: Session, column: Any) -> ColumnElement[str]:
    """'YYYY-MM' of a timestamp, computed in the database (date_trunc or strftime)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("month", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)
