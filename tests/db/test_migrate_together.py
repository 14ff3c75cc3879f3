"""Two PCs starting at once on an empty database (PostgreSQL; on SQLite the app and a
command on one file): one migrates, the other waits for it and finds the schema current.
Before, the second failed: "Upgrading the database failed (... duplicate key ...
CREATE TABLE alembic_version ...)".

Each start is a real process (Alembic's context is one per process), all opening the
store together at a shared deadline.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from primedist.db import engine as engine_module
from primedist.db.engine import make_engine
from primedist.db.store import HEAD_REVISION, current_revision, upgrade
from tests.conftest import PG_URL, _pg_admin, _pg_recreate

ROOT = Path(__file__).resolve().parents[2]
STARTS = 2
#: Time for every process to import the app before the common start.
HEAD_START = 2.5

#: One PC starting: open (and migrate) the store at `at`, then say the revision or error.
START = """
import json, sys, time
from pathlib import Path
import alembic.command  # imported before the start, as the migration would
from primedist.config import resolve_settings
from primedist.db.store import current_revision, open_store
folder, url, at = sys.argv[1], sys.argv[2] or None, float(sys.argv[3])
settings = resolve_settings(Path(folder), url)
time.sleep(max(0.0, at - time.time()))
try:
    engine = open_store(settings)
    print(json.dumps({"revision": current_revision(engine)}))
    engine.dispose()
except Exception as exc:
    print(json.dumps({"error": str(exc)}))
"""


@pytest.fixture
def empty_url() -> Iterator[str]:
    """An empty PostgreSQL database (PG_URL's server), or "" on SQLite."""
    if not PG_URL:
        yield ""
        return
    name = f"{sa.make_url(PG_URL).database}_empty"
    admin = _pg_admin(PG_URL)
    _pg_recreate(admin, name)
    yield sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_pcs_starting_together_on_an_empty_database_all_open_it(
    tmp_path: Path, empty_url: str
) -> None:
    at = time.time() + HEAD_START
    # On SQLite they share one data dir (one file); on PostgreSQL each PC has its own.
    folders = [tmp_path / ("shop" if not empty_url else f"pc{i}") for i in range(STARTS)]
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", START, str(folder), empty_url, str(at)],
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        for folder in folders
    ]
    answers = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in starts]
    assert answers == [{"revision": HEAD_REVISION}] * STARTS


def test_a_start_waits_out_another_processs_long_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: the other process's migration holds the write lock longer than the busy
    timeout a sale waits (a table rebuilt on a big shop): this start waits for it."""
    if PG_URL:
        pytest.skip("SQLite's write lock; PostgreSQL waits on its advisory lock")
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    file = tmp_path / "primedist.db"
    holder = sqlite3.connect(file, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")  # as the app's connections set it
    holder.execute("BEGIN IMMEDIATE")  # the other process, migrating
    release = threading.Timer(1.5, holder.commit)
    release.start()
    engine = make_engine(f"sqlite:///{file}")
    try:
        upgrade(engine)
        assert current_revision(engine) == HEAD_REVISION
    finally:
        release.join()
        holder.close()
        engine.dispose()
