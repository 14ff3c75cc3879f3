"""`primedist ranks recompute [--dry-run] [--json]`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_OK, EXIT_USAGE
from tests.cli_support import table_count


@pytest.fixture(autouse=True)
def _isolated(cli_env: None) -> None:
    """Every test here runs the CLI without the environment leaking in."""


def add_customers(data_dir: Path) -> None:
    """A would-be Gold (Copper now) and a would-be Silver (Diamond now)."""
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        conn.executemany(
            "INSERT INTO customers (code, name, gender, rank, rank_pinned, level_pinned,"
            " points_balance, points_earned, total_orders, successful_orders, cancelled_orders,"
            " returned_orders, total_expenses, channels, search_text, created_at, updated_at)"
            " VALUES (?, ?, 'unknown', ?, 0, 0, 0, 0, 1, 1, 0, 0, ?, '', '', "
            " '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')",
            [("KH1", "Hoa", "copper", 6_000_000), ("KH2", "Lan", "diamond", 1_200_000)],
        )
        conn.commit()
    finally:
        conn.close()


def ranks_of(data_dir: Path) -> list[str]:
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        return [r[0] for r in conn.execute("SELECT rank FROM customers ORDER BY code")]
    finally:
        conn.close()


def test_dry_run_then_recompute(cli: Any, data_dir: Path) -> None:
    add_customers(data_dir)
    dry = cli("--data-dir", str(data_dir), "ranks", "recompute", "--dry-run", "--json")
    assert dry.code == EXIT_OK, dry.err
    data = dry.json()
    assert (data["dry_run"], data["up"], data["down"]) == (True, 1, 1)
    assert data["by_rank"]["gold"] == {"up": 1, "down": 0}
    assert data["by_rank"]["silver"] == {"up": 0, "down": 1}
    assert data["counts"] == {"diamond": 0, "gold": 1, "silver": 1, "copper": 0}
    assert (
        ranks_of(data_dir) == ["copper", "diamond"] and table_count(data_dir, "rank_history") == 0
    )

    run = cli("--data-dir", str(data_dir), "ranks", "recompute")
    assert run.code == EXIT_OK, run.err
    assert run.out.startswith("Ranks: 1 moved up, 1 moved down")
    assert "gold" in run.out and "1 moved up into it" in run.out
    assert "  bronze " in run.out and "copper" not in run.out  # as the app names it
    assert "Ranked by money spent, over all orders." in run.out  # words, not setting codes
    assert ranks_of(data_dir) == ["gold", "silver"] and table_count(data_dir, "rank_history") == 2


def test_usage_errors(cli: Any, data_dir: Path) -> None:
    assert cli("--data-dir", str(data_dir), "ranks").code == EXIT_USAGE
    assert cli("--data-dir", str(data_dir), "ranks", "recompute", "--wet").code == EXIT_USAGE
