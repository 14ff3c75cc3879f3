"""Migration 0014 on a store with tags: the defaults get their keys (by their English
name, else a renamed one by creation order), other tags none; the quick filter then finds
the renamed "Often returns"; the downgrade drops the column again."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from tests.db.test_migrations import schema_diff

BEFORE = "0013_activity_args"


def _tags(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, default_key FROM tags ORDER BY id"))
        return {str(name): key for name, key in rows}


def test_upgrade_keys_the_default_tags_even_renamed(engine: Engine) -> None:
    store.migrate(engine, BEFORE, down=True)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO tags (name, is_default, created_at) VALUES "
                    "('VIP', false, '2026-01-01 00:00:00'), "
                    "('Potential', true, '2026-01-01 00:00:00'), "
                    "('Trả hàng nhiều', true, '2026-01-01 00:00:00')")
        )  # fmt: skip

    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert _tags(engine) == {"VIP": None, "Potential": "potential",
                             "Trả hàng nhiều": "often_returns"}  # fmt: skip
    assert schema_diff(engine) == []

    store.migrate(engine, BEFORE, down=True)
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("tags")}
    assert "default_key" not in columns
    store.migrate(engine, "head")
    assert _tags(engine)["Trả hàng nhiều"] == "often_returns"


def test_upgrade_keys_by_english_name_first(engine: Engine) -> None:
    """Defaults created in the other order, one of them renamed: the one still called
    "Often returns" keeps that key, the renamed one gets the other."""
    store.migrate(engine, BEFORE, down=True)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO tags (name, is_default, created_at) VALUES "
                    "('often returns', true, '2026-01-01 00:00:00'), "
                    "('Tiềm năng', true, '2026-01-01 00:00:00')")
        )  # fmt: skip
    store.migrate(engine, "head")
    assert _tags(engine) == {"often returns": "often_returns", "Tiềm năng": "potential"}
