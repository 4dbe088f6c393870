"""Migrations: up, all the way down, and up again on this engine; and no drift from the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.content.search import outside_models
from app.core.db import Base, make_engine
from tests.dbutil import downgrade, fresh_database, migrate

TABLES = {
    "user_account",
    "user_role",
    "organisation",
    "login_attempt",
    "module",
    "module_version",
    "module_progress",
    "quiz_attempt",
}


def test_upgrade_downgrade_upgrade() -> None:
    url = fresh_database("migrations")
    engine = make_engine(url)
    try:
        migrate(url)
        assert TABLES <= set(inspect(engine).get_table_names())
        downgrade(url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(url)
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_object": outside_models}
        ctx = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models differ from migrations; run alembic revision --autogenerate: {diff}"
