"""retry_when_busy: a unit of work that SQLite refuses as busy (a read transaction that
wants to write after another connection committed) runs again from a fresh snapshot."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db.engine import is_sqlite_busy, retry_when_busy


def _upgrade_after_another_commit(engine: Engine, attempts: list[int]) -> int:
    """Read, let another connection commit (first attempt only), then write."""
    with engine.begin() as conn:
        seen = conn.exec_driver_sql("SELECT count(*) FROM app_settings").scalar_one()
        attempts.append(seen)
        if len(attempts) == 1:
            with engine.begin() as other:
                other.exec_driver_sql(
                    "INSERT INTO app_settings (key, value_json, updated_at)"
                    " VALUES ('race.other', '1', '2026-12-02 00:00:00')"
                )
        conn.exec_driver_sql(
            "INSERT INTO app_settings (key, value_json, updated_at)"
            " VALUES ('race.mine', '2', '2026-12-02 00:00:00')"
        )
        return int(seen)


def test_a_stale_read_transaction_is_run_again(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has no read-to-write upgrade failure")
    attempts: list[int] = []
    with pytest.raises(sa.exc.OperationalError) as refused:
        _upgrade_after_another_commit(engine, attempts)
    assert is_sqlite_busy(refused.value)

    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM app_settings WHERE key LIKE 'race.%'")
    attempts.clear()
    seen = retry_when_busy(lambda: _upgrade_after_another_commit(engine, attempts), pause=0)
    assert len(attempts) == 2 and seen == attempts[0] + 1  # the retry saw the other's row
    with engine.connect() as conn:
        keys = (
            conn.exec_driver_sql(
                "SELECT key FROM app_settings WHERE key LIKE 'race.%' ORDER BY key"
            )
            .scalars()
            .all()
        )
    assert keys == ["race.mine", "race.other"]


def test_other_errors_are_not_retried(engine: Engine) -> None:
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT * FROM no_such_table")

    with pytest.raises(sa.exc.DBAPIError):  # OperationalError on SQLite, another on PG
        retry_when_busy(broken, pause=0)
    assert calls == [1]
