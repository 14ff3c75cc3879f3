"""`primedist report analytics` as text: the product rank under its own heading, "none"
for an empty range, and the items whose product is gone named as on screen (not "?")."""

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
    """The report shop, and a sale of an item no longer in the catalogue in the range."""
    engine = make_engine(f"sqlite:///{data_dir / 'primedist.db'}")
    try:
        shop = build(engine)
        with engine.begin() as conn:
            gone = add_order(conn, shop.a, "G1", datetime(2026, 11, 11, 9),
                             OrderStatus.COMPLETED, lines=[(None, 3, 10_000, 0)])  # fmt: skip
            orders_changed(conn, [gone], now=NOW)
    finally:
        engine.dispose()
    return data_dir


def test_the_product_rank_has_a_heading_and_names(cli: Callable[..., Run], shop_dir: Path) -> None:
    run = cli("--data-dir", str(shop_dir), "report", "analytics", *RANGE)
    assert run.code == EXIT_OK, run.err
    lines = run.out.splitlines()
    rank = lines.index("Product rank:")
    ranked = [line for line in lines[rank + 1 :] if line.startswith("  ")]
    assert ranked and all(line.lstrip()[0].isdigit() for line in ranked)
    assert any("Items no longer in the catalogue: 3 sold, 30,000" in line for line in ranked)
    assert not any(": ?" in line or ". ?:" in line for line in lines)


def test_an_empty_range_says_no_product(cli: Callable[..., Run], shop_dir: Path) -> None:
    run = cli("--data-dir", str(shop_dir), "report", "analytics",
              "--from", "2025-01-01", "--to", "2025-01-07")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.out.splitlines()[-1] == "Product rank: none"
