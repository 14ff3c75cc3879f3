"""The app's background scheduler (APScheduler 3.x) and its job modules.

Each module named in JOB_MODULES (under `primedist.jobs`) defines
`add_jobs(scheduler: BaseScheduler, ctx: ServiceContext) -> None` and may define
`catch_up(ctx: ServiceContext) -> None`, run once when the scheduler starts (in the
scheduler's own thread, never the UI's). Add your module with a one-line edit below.

Every job coalesces missed runs into one, never overlaps itself (max_instances=1), and
runs on a worker thread: the GUI and `primedist sync --loop` share this file.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from importlib import import_module
from types import ModuleType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from primedist.services.context import ServiceContext

log = logging.getLogger(__name__)

#: Job modules under primedist.jobs, one per line (helpers add theirs with a one-line edit).
JOB_MODULES: tuple[str, ...] = (
    # "area",  <- one line per module, e.g. "sync" for primedist/jobs/sync.py
    "sync",
    "backup",
    "ranks",
    "shipping",
    "channels",
)

#: Defaults for every job: one run at a time, missed runs merged, late runs still run.
JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}

#: Worker threads: enough for one sync per shop plus the outbox and housekeeping.
WORKERS = 4


def job_modules() -> list[ModuleType]:
    return [import_module(f"primedist.jobs.{name}") for name in JOB_MODULES]


def build_scheduler(ctx: ServiceContext, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler with every module's jobs added (not started)."""
    factory: Callable[..., BaseScheduler] = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = factory(
        executors={"default": ThreadPoolExecutor(WORKERS)},
        job_defaults=JOB_DEFAULTS,
        timezone="UTC",
    )
    for module in job_modules():
        module.add_jobs(scheduler, ctx)
    return scheduler


def catch_up_all(ctx: ServiceContext) -> None:
    """Run each module's `catch_up` once; one failing module does not stop the others."""
    for module in job_modules():
        catch_up = getattr(module, "catch_up", None)
        if catch_up is None:
            continue
        try:
            catch_up(ctx)
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
            catch_up_all(self.ctx)
            if not self._stopping.is_set():
                self.scheduler.start()

        self._thread = threading.Thread(target=run, name="scheduler-start", daemon=True)
        self._thread.start()

    def stop(self, wait: bool = False) -> None:
        """Stop scheduling; running jobs finish in the background unless `wait`."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)


def run_forever(ctx: ServiceContext) -> None:
    """The headless loop (`primedist sync --loop`): catch up, then run jobs until Ctrl+C."""
    catch_up_all(ctx)
    scheduler = build_scheduler(ctx, blocking=True)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
