"""Shared column helpers: naming convention, enum columns, UTC timestamps."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Deterministic constraint names so Alembic batch migrations can find them on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = SQLModel.metadata
metadata.naming_convention = NAMING_CONVENTION


def utcnow() -> datetime:
    """Aware UTC now (the default for created/updated columns)."""
    return datetime.now(UTC)


def enum_type(enum_cls: type[enum.Enum]) -> sa.Enum:
    """Store an enum by value as VARCHAR on every backend (no native PG enum types)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=max(len(str(m.value)) for m in enum_cls) + 8,
        values_callable=lambda e: [str(m.value) for m in e],
        validate_strings=True,
    )


def enum_field(enum_cls: type[enum.Enum], default: Any = ..., **kw: Any) -> Any:
    """A SQLModel Field stored with `enum_type`."""
    return Field(default=default, sa_type=enum_type(enum_cls), **kw)


def money_field(default: int = 0, **kw: Any) -> Any:
    """Money: integer in the currency's smallest unit, never NULL, never float."""
    return Field(default=default, sa_type=sa.BigInteger, **kw)


def fk(target: str, *, ondelete: str | None = None, **kw: Any) -> Any:
    """A foreign key column; `ondelete` is CASCADE / SET NULL / RESTRICT when it matters."""
    if ondelete is not None:
        kw["ondelete"] = ondelete
    kw.setdefault("default", None)
    return Field(foreign_key=target, **kw)


def text_field(default: str | None = None, **kw: Any) -> Any:
    """Unbounded text (notes, descriptions, JSON)."""
    return Field(default=default, sa_type=sa.Text, **kw)


__all__ = [
    "Field",
    "SQLModel",
    "enum_field",
    "enum_type",
    "fk",
    "metadata",
    "money_field",
    "text_field",
    "utcnow",
]


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core Table of a SQLModel table class (for bulk paths and list queries)."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table
