"""`primedist audit` prints times in the shop's time zone, like the other commands (it
printed UTC, "02:14:39Z"); --json keeps each moment in UTC."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from primedist.cli import EXIT_OK


def setup_time(data_dir: Path) -> datetime:
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        (stored,) = conn.execute(
            "SELECT created_at FROM audit_events WHERE action = 'setup.complete'"
        ).fetchone()
    finally:
        conn.close()
    return datetime.fromisoformat(str(stored)).replace(tzinfo=UTC)


def test_audit_prints_shop_time_and_json_keeps_utc(cli: Any, data_dir: Path) -> None:
    moment = setup_time(data_dir)
    local = moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))

    run = cli("--data-dir", str(data_dir), "audit", "--kind", "setup")
    assert run.code == EXIT_OK, run.err
    (line,) = run.out.splitlines()
    assert line.startswith(f"{local:%Y-%m-%d %H:%M:%S}  Chủ CLI ")
    assert "Z " not in line and f"{moment:%H:%M:%S}" not in line  # not UTC (7 h behind)

    run = cli("--data-dir", str(data_dir), "audit", "--kind", "setup", "--json")
    (event,) = run.json()["events"]
    assert datetime.fromisoformat(event["created_at"]) == moment
    assert event["created_at"].endswith("+00:00")
