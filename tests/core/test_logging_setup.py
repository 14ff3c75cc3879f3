"""The log file keeps our INFO lines and the scheduler's warnings, not APScheduler's
per-run INFO chatter (which filled the rotated files in days)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler

from primedist.core.logging_setup import QUIET_LOGGERS, setup_logging


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    try:
        yield setup_logging(tmp_path / "logs")
    finally:
        for handler in set(root.handlers) - set(handlers):
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        for name, was in quiet.items():
            logging.getLogger(name).setLevel(was)


def _run_once(scheduler: BackgroundScheduler, func: object) -> None:
    done = threading.Event()
    scheduler.add_listener(lambda _e: done.set(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.add_job(func, id="every.minute", next_run_time=datetime.now(UTC))
    scheduler.start()
    try:
        assert done.wait(10)
    finally:
        scheduler.shutdown(wait=True)


def test_the_schedulers_routine_lines_stay_out_and_ours_and_failures_go_in(
    log_file: Path,
) -> None:
    def job() -> None:
        logging.getLogger("primedist.jobs.sync").info("shopee: 3 orders")

    _run_once(BackgroundScheduler(timezone="UTC"), job)

    def failing() -> None:
        raise RuntimeError("the marketplace is down")

    _run_once(BackgroundScheduler(timezone="UTC"), failing)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "INFO primedist.jobs.sync: shopee: 3 orders" in text
    assert "Running job" not in text and "executed successfully" not in text
    assert "ERROR apscheduler" in text and "RuntimeError: the marketplace is down" in text
