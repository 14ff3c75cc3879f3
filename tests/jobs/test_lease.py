"""Job leases (`jobs/lease.py`) on the real migrated database: SQLite, or PostgreSQL when
PRIMEDIST_TEST_DATABASE_URL is set; the two-process tests run real app processes
(`tests/pg/racer.py`) on the same database, as two PCs would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.jobs import lease
from primedist.jobs.scheduler import PER_PC_JOBS, LeasedBackgroundScheduler
from tests.pg.racing import Racers

SHORT = timedelta(seconds=1)


def test_one_holder_at_a_time_until_release(engine: Engine) -> None:
    assert lease.try_acquire(engine, "backup.daily", holder="pc-a")
    assert not lease.try_acquire(engine, "backup.daily", holder="pc-b")
    assert not lease.try_acquire(engine, "backup.daily", holder="pc-a")  # not re-entrant
    assert lease.try_acquire(engine, "ranks.nightly", holder="pc-b")  # another job is free
    assert not lease.renew(engine, "backup.daily", holder="pc-b")
    lease.release(engine, "backup.daily", holder="pc-b")  # not its lease: nothing happens
    assert not lease.try_acquire(engine, "backup.daily", holder="pc-b")
    lease.release(engine, "backup.daily", holder="pc-a")
    assert lease.try_acquire(engine, "backup.daily", holder="pc-b")


def test_a_holder_takes_its_own_running_lease_back_only_when_it_asks(engine: Engine) -> None:
    """`reclaim` (a shop's sync, under its own per-process lock): a lease of this holder a
    failed release left running is taken back; another holder's never is."""
    assert lease.holder_of(engine, "sync.pull.1") is None
    assert lease.try_acquire(engine, "sync.pull.1", holder="pc-a")
    assert not lease.try_acquire(engine, "sync.pull.1", holder="pc-a")
    assert not lease.try_acquire(engine, "sync.pull.1", holder="pc-b", reclaim=True)
    assert lease.try_acquire(engine, "sync.pull.1", holder="pc-a", reclaim=True)
    assert lease.holder_of(engine, "sync.pull.1") == "pc-a"
    lease.release(engine, "sync.pull.1", holder="pc-a")
    assert lease.holder_of(engine, "sync.pull.1") == "pc-a"  # who held it last


def a_gone_process() -> int:
    """The id of a process of this PC that has ended (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_lease_left_by_a_process_of_this_pc_that_is_gone_is_taken_at_once(
    engine: Engine,
) -> None:
    """A sync killed (kill -9, a crash) leaves its lease running: the next sync on this PC
    must not be refused as "Already syncing on <this PC>" until it expires."""
    dead = f"{lease.HOST}:{a_gone_process()}:deadbeef"
    assert lease.try_acquire(engine, "sync.pull.7", holder=dead)
    assert lease.dead_here(dead)
    assert lease.try_acquire(engine, "sync.pull.7", holder="pc-b")
    assert lease.holder_of(engine, "sync.pull.7") == "pc-b"
    assert not lease.renew(engine, "sync.pull.7", holder=dead)


def test_where_processes_cannot_be_asked_a_lease_runs_out_as_another_pcs(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows: `os.kill(pid, 0)` would end the process (the app's status bar would kill
    a `sync --loop` running beside it): no process is asked, the lease runs out."""
    monkeypatch.setattr(lease, "CAN_ASK_PROCESSES", False)

    def never(_pid: int, _sig: int) -> None:
        raise AssertionError("a process was signalled")

    monkeypatch.setattr(lease.os, "kill", never)
    dead = f"{lease.HOST}:{a_gone_process()}:deadbeef"
    assert not lease.dead_here(dead)
    assert lease.try_acquire(engine, "sync.pull.6", holder=dead)
    assert not lease.try_acquire(engine, "sync.pull.6", holder="pc-b")


def test_a_lease_of_a_live_process_or_of_another_pc_is_not_taken(engine: Engine) -> None:
    alive = f"{lease.HOST}:{os.getppid()}:cafe0001"  # the process that started the tests
    assert not lease.dead_here(alive)
    assert lease.try_acquire(engine, "sync.pull.8", holder=alive)
    assert not lease.try_acquire(engine, "sync.pull.8", holder="pc-b")
    # The same process id on another PC: nothing can be known of it from here.
    elsewhere = f"other-{lease.HOST}:{a_gone_process()}:cafe0002"
    assert not lease.dead_here(elsewhere)
    assert lease.try_acquire(engine, "sync.pull.9", holder=elsewhere)
    assert not lease.try_acquire(engine, "sync.pull.9", holder="pc-b")
    assert not lease.dead_here(lease.HOLDER)  # this process: alive


def test_an_expired_lease_is_taken_over_and_lost_by_its_holder(engine: Engine) -> None:
    assert lease.try_acquire(engine, "sync.outbox", holder="pc-a", lease=SHORT)
    assert not lease.try_acquire(engine, "sync.outbox", holder="pc-b", lease=SHORT)
    time.sleep(1.2)
    assert lease.try_acquire(engine, "sync.outbox", holder="pc-b", lease=SHORT)
    assert not lease.renew(engine, "sync.outbox", holder="pc-a")


def test_a_crashed_pc_blocks_a_shop_for_two_minutes_at_most(engine: Engine) -> None:
    """Another PC that dies mid-sync (switched off) cannot be seen from here: its lease
    runs out, 2 minutes after its last renewal, and the shop syncs again."""
    assert lease.try_acquire(engine, "sync.pull.3", holder="KHO-PC:4242:0badc0de")
    with engine.connect() as conn:
        taken, ends = conn.execute(
            sa.select(lease.locks_t.c.acquired_at, lease.locks_t.c.expires_at)
        ).one()
    assert ends - taken == timedelta(minutes=2)
    assert not lease.try_acquire(engine, "sync.pull.3", holder="pc-b")
    with engine.begin() as conn:  # two minutes pass with no renewal
        conn.execute(lease.locks_t.update().values(
            acquired_at=taken - lease.LEASE, expires_at=ends - lease.LEASE))
    assert lease.try_acquire(engine, "sync.pull.3", holder="pc-b")


def test_a_running_job_keeps_its_lease_past_the_lease_length(engine: Engine) -> None:
    with lease.held(engine, "ranks.nightly", holder="pc-a", lease=timedelta(seconds=0.6)) as ours:
        assert ours
        time.sleep(1.5)  # 2.5 lease lengths: renewed meanwhile
        assert not lease.try_acquire(engine, "ranks.nightly", holder="pc-b")
    assert lease.try_acquire(engine, "ranks.nightly", holder="pc-b")


def test_the_scheduler_runs_a_job_only_under_its_lease(engine: Engine) -> None:
    runs: list[str] = []
    scheduler = LeasedBackgroundScheduler(timezone="UTC")
    scheduler.lease_engine = engine
    job = scheduler.add_job(runs.append, "interval", minutes=1, args=["shared"], id="t.job")
    local = scheduler.add_job(runs.append, "interval", minutes=1, args=["mine"],
                              id=next(iter(PER_PC_JOBS)))  # fmt: skip
    job.func(*job.args)
    assert lease.try_acquire(engine, "t.job", holder="other-pc")
    job.func(*job.args)  # held by the other PC: skipped
    local.func(*local.args)  # this PC's own bookkeeping runs regardless
    assert runs == ["shared", "mine"]


def job_racers(settings: Settings, lease_seconds: float) -> Racers:
    pc = ["job", settings.database_url, "ranks.nightly", str(lease_seconds)]
    return Racers(pc, pc)


def ran_by(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def test_two_pcs_starting_a_job_together_run_it_once(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    with job_racers(settings, 60) as pcs:
        for round_no in range(5):
            log = tmp_path / f"round{round_no}.log"
            pcs.race({"log": str(log), "hold": 0.3})
            assert len(ran_by(log)) == 1


def test_a_crashed_pcs_lease_expires_and_another_pc_takes_the_job_over(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    pc = ["job", settings.database_url, "ranks.nightly", "4"]
    log = tmp_path / "jobs.log"
    with Racers(pc) as survivor, Racers(pc) as crashing:
        crashing.procs[0].stdin.write('{"at": 0, "crash": true}\n')  # type: ignore[union-attr]
        crashing.procs[0].stdin.flush()  # type: ignore[union-attr]
        assert crashing.procs[0].wait(30) == 3  # died holding the lease
        # As another PC's: a process of this PC that is gone gives its lease up at once.
        with engine.begin() as conn:
            conn.execute(lease.locks_t.update().values(holder="KHO-PC:4242:0badc0de"))
        survivor.race({"log": str(log)})
        assert ran_by(log) == []  # the dead PC's lease still runs
        with engine.connect() as conn:
            left = conn.execute(sa.select(lease.locks_t.c.expires_at)).scalar_one()
        time.sleep(max(0.0, (left - datetime.now(UTC)).total_seconds()) + 0.2)
        survivor.race({"log": str(log)})
        assert ran_by(log) == [str(survivor.procs[0].pid)]


@pytest.fixture(autouse=True)
def _no_leftover_leases(engine: Engine) -> None:
    """Each test starts with no lease (the engine fixture gives a fresh database)."""
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM job_locks").scalar_one() == 0
