"""`primedist report analytics` as text: the repeat purchase rate with its previous period
and change like every other line, "none" for an empty top list, and no change as a plain
0% (not "+0.00%", a rise) — tests/services/report_data.py's shop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from primedist.cli import EXIT_OK
from primedist.db.engine import make_engine
from primedist.domain.enums import OrderStatus
from primedist.services.order_effects import orders_changed
from tests.cli_support import Run
from tests.services.report_data import NOW, add_order, build

RANGE = ("--from", "2026-11-10", "--to", "2026-11-16")


@pytest.fixture
def shop_dir(data_dir: Path) -> Path:
    """The report shop, and 2 more counted orders before the range: 4 there as in it."""
    engine = make_engine(f"sqlite:///{data_dir / 'primedist.db'}")
    try:
        shop = build(engine)
        with engine.begin() as conn:
            before = [add_order(conn, shop.a, f"B{i}", datetime(2026, 11, 4, 9 + i),
                                OrderStatus.COMPLETED, total=10_000) for i in range(2)]  # fmt: skip
            orders_changed(conn, before, now=NOW)
    finally:
        engine.dispose()
    return data_dir


def test_the_text_report_compares_every_line(cli: Callable[..., Run], shop_dir: Path) -> None:
    run = cli("--data-dir", str(shop_dir), "report", "analytics", *RANGE)
    assert run.code == EXIT_OK, run.err
    lines = run.out.splitlines()
    assert "Total orders: 4 (previous 4, 0%)" in lines
    # 2 of 3 customers bought again; before, 0 of 2: 66.67 points more.
    assert ("Repeat purchase rate: 2/3 customers (66.67%) (previous 0/2 customers (0.00%), "
            "+66.67 pt)") in lines  # fmt: skip
    assert "Top locations: Hà Nội 2, Đà Nẵng 1, TP. Hồ Chí Minh 1" in lines
    assert "Top shipping providers: GHN 2, SPX Express 1" in lines
    as_json = cli("--data-dir", str(shop_dir), "report", "analytics", *RANGE, "--json").json()
    assert as_json["orders"] == {"current": 4, "previous": 4, "change_pct": 0.0}  # as before


def test_an_empty_range_says_none(cli: Callable[..., Run], shop_dir: Path) -> None:
    run = cli("--data-dir", str(shop_dir), "report", "analytics",
              "--from", "2025-01-01", "--to", "2025-01-07")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    lines = run.out.splitlines()
    assert "Top locations: none" in lines
    assert "Top shipping providers: none" in lines
    assert "Repeat purchase rate: 0/0 customers (—) (previous 0/0 customers (—), —)" in lines
    assert "Total orders: 0 (previous 0, —)" in lines
