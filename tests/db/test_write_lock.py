"""session_scope(write=True): a unit that reads then writes takes SQLite's write lock at
BEGIN, so another connection's commit between its reads and its write makes that writer
wait instead of failing the unit; a plain unit in the same race fails as `Busy`, with
nothing of it saved."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db.engine import session_scope
from primedist.errors import Busy

ROW = "INSERT INTO app_settings (key, value_json, updated_at) VALUES (:k, '1', '2026-12-05')"


def _race(engine: Engine, *, write: bool) -> int:
    """Read the settings, let another connection insert one (from a thread), then write."""
    other = threading.Thread(target=_insert_other, args=(engine,))
    with session_scope(engine, write=write) as session:
        seen = session.execute(sa.text("SELECT count(*) FROM app_settings")).scalar_one()
        other.start()
        if not write:
            other.join()  # it commits at once: this unit's snapshot is now stale
        session.execute(sa.text(ROW), {"k": "race.mine"})
    other.join()  # with the write lock it waited for this unit's commit
    return int(seen)


def _insert_other(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(ROW), {"k": "race.other"})


def _race_keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT key FROM app_settings WHERE key LIKE 'race.%'"))
        return sorted(rows.scalars())


@pytest.fixture
def sqlite_engine(engine: Engine) -> Engine:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's row locks have no read-to-write upgrade")
    return engine


def test_a_unit_that_writes_waits_for_the_other_writer(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM app_settings")).scalar_one()
    assert _race(sqlite_engine, write=True) == before
    assert _race_keys(sqlite_engine) == ["race.mine", "race.other"]


def test_a_plain_unit_in_the_same_race_fails_as_busy_and_saves_nothing(
    sqlite_engine: Engine,
) -> None:
    with pytest.raises(Busy, match="Another task is writing to the shop's data"):
        _race(sqlite_engine, write=False)
    assert _race_keys(sqlite_engine) == ["race.other"]
