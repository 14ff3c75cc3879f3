"""`primedist --demo` as a real process: the sandboxes start, the demo's Shopee, Lazada,
TikTok Shop and Tiki shops are linked to them, and the scheduler's first pull brings their
orders in while the app runs."""

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
        hosts = dict(db.execute("SELECT channel, api_host FROM shops WHERE status = 'active'"
                                " AND channel != 'offline'"))  # fmt: skip
    assert host.startswith("http://127.0.0.1:")
    assert after - before >= 8  # half a day of each sandbox's orders (4 shops, ≥ 8 a day)
    assert any("new" in line for line in log), log
    # Every marketplace shop linked to its own sandbox, its tokens stored encrypted.
    assert sorted(hosts) == ["lazada", "shopee", "tiki", "tiktok"]
    assert len(set(hosts.values())) == 4
    assert all(h.startswith("http://127.0.0.1:") for h in hosts.values())
    assert len(tokens) == 4 and all(t[0].startswith("gAAAAA") for t in tokens)
    assert (data / "secret.key").is_file()
