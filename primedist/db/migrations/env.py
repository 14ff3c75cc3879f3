"""Alembic environment: the target is SQLModel.metadata; SQLite migrates in batch mode."""

from __future__ import annotations

from typing import Any

from alembic import context

import primedist.domain  # noqa: F401  (registers every table)
from primedist.db.engine import make_engine
from primedist.domain.base import metadata

config = context.config


def include_object(
    _obj: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any
) -> bool:
    """Leave the FTS5 virtual tables and their shadow tables out of autogenerate."""
    if type_ == "table" and name and "_fts" in name:
        return False
    return True


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run_migrations_online()
