"""`primedist sync --loop` logs where the app does (README: the data dir's
logs/primedist.log): nobody watches a headless scheduler, so its log is all there is."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def test_the_loop_writes_its_jobs_to_the_log_file(data_dir: Path) -> None:
    log = data_dir / "logs" / "primedist.log"
    assert not log.exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIMEDIST_")}
    loop = subprocess.Popen(
        [sys.executable, "-m", "primedist", "--data-dir", str(data_dir), "sync", "--loop"],
        stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert loop.stderr is not None
        first = loop.stderr.readline()
        assert first.startswith("Syncing on schedule") and str(log) in first
        deadline = time.monotonic() + 60
        text = ""
        while "primedist.jobs.ranks" not in text and time.monotonic() < deadline:
            time.sleep(0.1)
            text = log.read_text(encoding="utf-8") if log.exists() else ""
    finally:
        loop.terminate()
        loop.wait(timeout=30)
    # The catch-up's jobs: the first daily backup of the new shop, the ranks of the day.
    assert "INFO primedist.jobs.backup: daily backup written to primedist-" in text
    assert "INFO primedist.jobs.ranks: Ranks: " in text
