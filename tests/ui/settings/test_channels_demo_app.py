"""`primedist --demo` as a real process: the sandbox starts, the demo's Shopee shop is
linked to it, and the scheduler's first pull brings its orders in while the app runs."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.services import demo
from primedist.services.context import ServiceContext

#: Seconds the app stays up after its window shows: the first pull runs 5 s after linking.
RUN_FOR = 9


def test_the_demo_app_syncs_live_orders_from_the_sandbox(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    engine = open_store(resolve_settings(data))
    try:
        ctx = ServiceContext(engine)
        demo.generate_demo(ctx.with_actor(demo.ensure_demo_owner(ctx)), orders=300, customers=50)
    finally:
        engine.dispose()
    with sqlite3.connect(data / "primedist.db") as db:
        before = db.execute("SELECT count(*) FROM orders").fetchone()[0]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PRIMEDIST_STARTUP_PROBE": f"idle={RUN_FOR}"}  # fmt: skip
    env.pop("PRIMEDIST_DATA_DIR", None)
    argv = [sys.executable, "-m", "primedist", "--data-dir", str(data), "--demo"]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "primedist-shown" in proc.stdout
    with sqlite3.connect(data / "primedist.db") as db:
        (host,) = db.execute(
            "SELECT api_host FROM shops WHERE channel = 'shopee' AND status = 'active'"
        ).fetchone()
        after = db.execute("SELECT count(*) FROM orders").fetchone()[0]
        log = [r[0] for r in db.execute("SELECT message FROM sync_log")]
        tokens = db.execute("SELECT access_token_enc FROM shop_credentials").fetchall()
    assert host.startswith("http://127.0.0.1:")
    assert after - before >= 100  # about two days of sandbox orders
    assert any("new" in line for line in log), log
    assert len(tokens) == 1 and tokens[0][0].startswith("gAAAAA")  # stored encrypted
    assert (data / "secret.key").is_file()
