"""`primedist price-schedule`: a price change scheduled, run when due, listed, stopped, from
the command line (the shop's time zone), and errors that name the cause."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.core.clock import shop_tz
from primedist.db.store import open_store
from tests.factories import make_product


@pytest.fixture
def shop(data_dir: Path) -> Path:
    engine = open_store(resolve_settings(data_dir))
    make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 3), ("COC-2", 49_000, 1)])
    make_product(engine, "Đĩa gốm", [("DIA-1", 120_000, 5)])
    engine.dispose()
    return data_dir


def discounts(data_dir: Path) -> dict[str, int | None]:
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        return dict(conn.execute("SELECT sku, discount_price FROM variants ORDER BY sku"))
    finally:
        conn.close()


def at(minutes: int) -> str:
    """A time `minutes` from now, as typed in the shop's time zone."""
    return (datetime.now(shop_tz()) + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


def test_a_sale_scheduled_runs_when_due_and_stops(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    added = cli(*d, "price-schedule", "add", "Sale 12.12", "20%off", "--field", "discount",
                "--sku", "COC-1", "--round", "1000", "--from", at(-1), "--to", at(600),
                "--json")  # fmt: skip
    assert added.code == EXIT_OK, added.err
    data = added.json()
    assert (data["name"], data["state"], data["products"]) == ("Sale 12.12", "scheduled", 1)
    assert data["rule"] == "discount price 20% off the selling price, rounded to 1,000"
    assert discounts(shop)["COC-1"] is None  # not before the scheduler runs it
    run = cli(*d, "price-schedule", "run")
    assert run.code == EXIT_OK and run.out.strip() == "started: Sale 12.12"
    assert discounts(shop) == {"COC-1": 36_000, "COC-2": 39_000, "DIA-1": None}
    listed = cli(*d, "price-schedule", "list")
    assert f"#{data['id']}  Sale 12.12  [running]" in listed.out
    stopped = cli(*d, "price-schedule", "stop", str(data["id"]), "--json")
    assert stopped.json()["state"] == "done" and stopped.json()["restored"] == 2
    assert set(discounts(shop).values()) == {None}
    assert cli(*d, "price-schedule", "list").out.strip() == ("No price changes are waiting or "
                                                              "running.")  # fmt: skip
    assert "[done]" in cli(*d, "price-schedule", "list", "--all").out


def test_a_change_already_over_when_run_starts_and_ends_at_once(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    cli(*d, "price-schedule", "add", "Giờ vàng", "-5000", "--all", "--from", at(-3),
        "--to", at(-1))  # fmt: skip
    run = cli(*d, "price-schedule", "run", "--json")
    assert run.json() == {"started": ["Giờ vàng"], "ended": ["Giờ vàng"], "failed": []}
    assert cli(*d, "price-schedule", "run").out.strip() == "Nothing was due."


def test_errors_name_the_cause(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    bad_time = cli(*d, "price-schedule", "add", "X", "+10%", "--all", "--from", "thứ sáu")
    assert bad_time.code == EXIT_USAGE and "is not a time (YYYY-MM-DD HH:MM" in bad_time.err
    backwards = cli(*d, "price-schedule", "add", "X", "+10%", "--all", "--from", at(60),
                    "--to", at(30))  # fmt: skip
    assert backwards.code == EXIT_USAGE
    assert "is not after --from" in backwards.error_line()
    unknown = cli(*d, "price-schedule", "stop", "42")
    assert unknown.code == EXIT_ERROR and "no scheduled price change 42" in unknown.err


def test_add_and_list_give_the_same_times_in_utc(cli: Any, shop: Path) -> None:
    """`add --json` and `list --json` name a schedule's times alike: in UTC, as the other
    --json outputs do (the text shows them in the shop's time)."""
    d = ("--data-dir", str(shop))
    starts, ends = at(60), at(120)
    added = cli(*d, "price-schedule", "add", "Sale", "-5000", "--sku", "DIA-1", "--from",
                starts, "--to", ends, "--json")  # fmt: skip
    assert added.code == EXIT_OK, added.err
    listed = cli(*d, "price-schedule", "list", "--json").json()["schedules"]
    got = added.json()
    assert (got["starts_at"], got["ends_at"]) == (listed[0]["starts_at"], listed[0]["ends_at"])
    first = datetime.strptime(starts, "%Y-%m-%d %H:%M").replace(tzinfo=shop_tz())
    assert datetime.fromisoformat(got["starts_at"]) == first
    assert got["starts_at"].endswith("+00:00")
    text = cli(*d, "price-schedule", "list").out
    assert f"{starts} → {ends}" in text and text.rstrip().endswith(", 1 product")
