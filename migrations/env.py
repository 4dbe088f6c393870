"""Alembic environment: the URL from app settings (or the caller's connection), the app's metadata."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

import app.models  # noqa: F401
from app.content.search import outside_models
from app.core.config import get_settings
from app.core.db import Base, make_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _render_item(type_: str, obj: object, _autogen_context: object) -> str | bool:
    """Autogenerate writes the app's UTCDateTime as the plain column type it stores."""
    from app.core.db import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        render_item=_render_item,
        include_object=outside_models,
    )


def run_migrations_offline() -> None:
    context.configure(
        render_item=_render_item,
        url=get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # tests hand in their own connection
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.attributes.get("url") or get_settings().database_url)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # Batch mode copies a table, drops the old one and renames the copy; with foreign keys
            # on, that drop cascades deletes into every child table (a downgrade that rebuilt
            # user_account emptied submission). Alembic's batch documentation says to turn them off.
            # Straight to the driver: the pragma is a no-op inside the BEGIN SQLAlchemy would emit.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
