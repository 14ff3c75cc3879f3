"""The app's background scheduler (APScheduler 3.x) and its job modules.

Each module named in JOB_MODULES (under `primedist.jobs`) defines
`add_jobs(scheduler: BaseScheduler, ctx: ServiceContext) -> None` and may define
`catch_up(ctx: ServiceContext) -> None`, run once when the scheduler starts (in the
scheduler's own thread, never the UI's). Add your module with a one-line edit below.

Every job coalesces missed runs into one, never overlaps itself (max_instances=1), and
runs on a worker thread: the GUI and `primedist sync --loop` share this file. Every job
added with an `id` (and every module's catch-up) runs under its lease in the database
(`jobs/lease.py`): with several PCs on one database, a job runs on one PC at a time. A
shop's pull job takes its lease itself (`services.sync.sync_shop`), as a sync of the shop
asked for by hand does: they exclude each other.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from importlib import import_module
from types import ModuleType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine

from primedist.db.backup import BackupStopped
from primedist.db.engine import retry_when_busy
from primedist.jobs.lease import leased
from primedist.services.backup import stop_running_backups
from primedist.services.context import ServiceContext
from primedist.services.sync import PULL_PREFIX

log = logging.getLogger(__name__)

#: Job modules under primedist.jobs, one per line (helpers add theirs with a one-line edit).
JOB_MODULES: tuple[str, ...] = (
    # "area",  <- one line per module, e.g. "sync" for primedist/jobs/sync.py
    "sync",
    "backup",
    "ranks",
    "shipping",
    "channels",
    "stock",
    "prices",
)

#: Defaults for every job: one run at a time, missed runs merged, late runs still run.
JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}

#: Jobs that keep this PC's own state (its scheduler's per-shop jobs, its status bar) and
#: so run on every PC, without a lease.
PER_PC_JOBS = frozenset({"sync.shops", "catch_up.sync"})

#: Jobs whose work takes the job's lease itself, also when asked for by hand: a shop's
#: pull (`sync.pull.<shop id>`, held by `sync_shop`). Wrapped too, the job would hold it
#: already when its sync asks, and be refused. The daily backup takes its own only on a
#: PC that can take the backup (`jobs.backup`).
SELF_LEASED_PREFIXES = (PULL_PREFIX, "backup.daily")

#: Worker threads: enough for one sync per shop plus the outbox and housekeeping.
WORKERS = 4

#: How long the app's quit waits for the start-up catch-up to give up (a backup stops
#: within a step of its copy; a sync within its request's timeout).
STOP_WAIT_SECONDS = 5.0


def job_modules() -> list[ModuleType]:
    return [import_module(f"primedist.jobs.{name}") for name in JOB_MODULES]


class _LeasedJobs(BaseScheduler):  # type: ignore[misc]  # APScheduler 3 has no types
    """Adds every job with an `id` wrapped in its database lease (`jobs/lease.leased`),
    but those of PER_PC_JOBS and SELF_LEASED_PREFIXES."""

    lease_engine: Engine

    def add_job(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        job_id = kwargs.get("id")
        if (job_id is not None and job_id not in PER_PC_JOBS and not isinstance(func, str)
                and not str(job_id).startswith(SELF_LEASED_PREFIXES)):  # fmt: skip
            func = leased(self.lease_engine, str(job_id), func)
        return super().add_job(func, *args, **kwargs)


class LeasedBackgroundScheduler(_LeasedJobs, BackgroundScheduler):  # type: ignore[misc]
    pass


class LeasedBlockingScheduler(_LeasedJobs, BlockingScheduler):  # type: ignore[misc]
    pass


def build_scheduler(ctx: ServiceContext, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler with every module's jobs added (not started)."""
    factory: Callable[..., _LeasedJobs] = (
        LeasedBlockingScheduler if blocking else LeasedBackgroundScheduler
    )
    scheduler = factory(
        executors={"default": ThreadPoolExecutor(WORKERS)},
        job_defaults=JOB_DEFAULTS,
        timezone="UTC",
    )
    scheduler.lease_engine = ctx.engine
    for module in job_modules():
        module.add_jobs(scheduler, ctx)
    return scheduler


def catch_up_all(ctx: ServiceContext, stopping: threading.Event | None = None) -> None:
    """Run each module's `catch_up` once (under the lease `catch_up.<module>`: one PC
    catches up); one failing module does not stop the others. Once `stopping` is set (the
    app is closing), the modules not yet caught up are left for the next start."""
    for module in job_modules():
        catch_up = getattr(module, "catch_up", None)
        if catch_up is None:
            continue
        if stopping is not None and stopping.is_set():
            return
        name = f"catch_up.{module.__name__.rsplit('.', 1)[-1]}"
        try:
            run = catch_up if name in PER_PC_JOBS else leased(ctx.engine, name, catch_up)
            retry_when_busy(lambda: run(ctx))  # noqa: B023 (called at once)
        except BackupStopped:
            log.info("catch-up of %s stopped: the app is closing", module.__name__)
        except Exception:  # a catch-up problem must not keep the app from starting
            log.exception("catch-up of %s failed", module.__name__)


class AppScheduler:
    """The GUI's scheduler: started after the main window shows, stopped on quit.

    `start()` returns at once; catch-up runs on a daemon thread, then the jobs start.
    """

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.scheduler: BaseScheduler = build_scheduler(ctx)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        def run() -> None:
            catch_up_all(self.ctx, self._stopping)
            if not self._stopping.is_set():
                self.scheduler.start()

        self._thread = threading.Thread(target=run, name="scheduler-start", daemon=True)
        self._thread.start()

    def stop(self, wait: bool = False) -> None:
        """Stop scheduling; running jobs finish in the background unless `wait`. A backup
        being written (the catch-up's, or a job's) stops at once and leaves no partial
        file: it would keep the process alive for minutes on a big store."""
        self._stopping.set()
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while self._thread is not None and self._thread.is_alive():
            stop_running_backups(self.ctx)  # again: the catch-up may start one meanwhile
            self._thread.join(timeout=min(0.05, max(deadline - time.monotonic(), 0)))
            if time.monotonic() >= deadline:
                break
        if self.scheduler.running:
            if wait:
                stop_running_backups(self.ctx)
            self.scheduler.shutdown(wait=wait)
        stop_running_backups(self.ctx)  # a job's backup in the scheduler's pool


def run_forever(ctx: ServiceContext) -> None:
    """The headless loop (`primedist sync --loop`): catch up, then run jobs until Ctrl+C."""
    catch_up_all(ctx)
    scheduler = build_scheduler(ctx, blocking=True)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
