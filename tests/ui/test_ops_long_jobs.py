"""A long reading job (an export) runs beside the other database work: Home, Analytics and
the status counts still answer while it runs. Everything else stays serialised, one job
after another (a long writer included: a sale waits its turn, never fails as busy), and a
restore runs with nothing beside it."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.ui import ops
from primedist.ui.ops import Job, Op, tracker

WAIT_MS = 10_000


@pytest.fixture(autouse=True)
def _no_job_left(qapp):
    yield
    for job in list(tracker().jobs):
        job.progress.cancel()
    assert ops._long_pool.submit(lambda: None).result(timeout=20) is None
    assert ops._db_pool.submit(lambda: None).result(timeout=20) is None


def test_a_short_read_completes_while_a_long_job_runs(qtbot, engine: Engine):
    release = threading.Event()
    long_started = threading.Event()
    long_done: list[str] = []

    def export(job: Job) -> str:
        with engine.connect() as conn:  # a long export reading the store
            conn.execute(sa.text("SELECT count(*) FROM shops")).scalar()
            long_started.set()
            assert release.wait(WAIT_MS / 1000)
        return "exported"

    Op(None, export, title="Exporting").with_progress(beside=True).success(long_done.append).run()
    assert long_started.wait(WAIT_MS / 1000)

    counts: list[int] = []

    def read_counts(_job: Job) -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM users")).scalar_one())

    Op(None, read_counts).success(counts.append).run()
    try:
        qtbot.waitUntil(lambda: len(counts) == 1, timeout=WAIT_MS)
        assert long_done == []  # the export is still running
    finally:
        release.set()
    qtbot.waitUntil(lambda: long_done == ["exported"], timeout=WAIT_MS)


def test_short_jobs_still_take_turns(qtbot):
    inside = 0
    most = 0
    lock = threading.Lock()
    finished: list[int] = []

    def short(i: int) -> int:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        threading.Event().wait(0.01)
        with lock:
            inside -= 1
        return i

    for i in range(5):
        Op(None, lambda _job, i=i: short(i)).success(finished.append).run()
    qtbot.waitUntil(lambda: len(finished) == 5, timeout=WAIT_MS)
    assert finished == [0, 1, 2, 3, 4] and most == 1


def test_a_long_writer_keeps_its_turn(qtbot):
    """An import (progress, not `beside`): a sale saved meanwhile waits behind it."""
    release = threading.Event()
    started = threading.Event()
    order: list[str] = []

    def import_file(_job: Job) -> None:
        started.set()
        assert release.wait(WAIT_MS / 1000)
        order.append("imported")

    Op(None, import_file, title="Importing").with_progress().run()
    assert started.wait(WAIT_MS / 1000)
    Op(None, lambda _job: order.append("sale")).run()
    qtbot.wait(200)
    assert order == []
    release.set()
    qtbot.waitUntil(lambda: order == ["imported", "sale"], timeout=WAIT_MS)


def test_a_restore_waits_for_an_export_and_keeps_the_next_out(qtbot):
    """A restore swaps the database file: an export running holds it back, and an export
    started during the restore waits for its end."""
    release_export = threading.Event()
    release_restore = threading.Event()
    export_started = threading.Event()
    order: list[str] = []

    def export(_job: Job) -> None:
        export_started.set()
        assert release_export.wait(WAIT_MS / 1000)
        order.append("export")

    def restore(_job: Job) -> None:
        order.append("restore starts")
        assert release_restore.wait(WAIT_MS / 1000)
        order.append("restore ends")

    Op(None, export, title="Exporting").with_progress(beside=True).run()
    assert export_started.wait(WAIT_MS / 1000)
    Op(None, restore, title="Restoring").with_progress(alone=True).run()
    qtbot.wait(200)
    assert order == []  # the restore waits for the export
    release_export.set()
    qtbot.waitUntil(lambda: order == ["export", "restore starts"], timeout=WAIT_MS)
    Op(None, lambda _job: order.append("second export"), title="Exporting").with_progress(
        beside=True
    ).run()
    qtbot.wait(200)
    assert order == ["export", "restore starts"]  # not beside the restore
    release_restore.set()
    qtbot.waitUntil(
        lambda: order == ["export", "restore starts", "restore ends", "second export"],
        timeout=WAIT_MS,
    )
