"""`primedist purchase-orders show` of an order a line of which got more than it ordered:
the line's received counts up to what it ordered, the rest shown as over, so the lines
explain the totals (text and JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from primedist.cli import EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from tests.factories import make_product


def test_an_over_delivered_line_shows_what_counts_and_what_came_over(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    engine = open_store(resolve_settings(data_dir))
    make_product(engine, "Áo sơ mi linen", [("DEN-M", 250_000, 0), ("DEN-L", 250_000, 0)])
    engine.dispose()
    d = ("--data-dir", str(data_dir))
    added = cli(*d, "purchase-orders", "add", "--supplier", "Đức Minh",
                "--line", "DEN-M:10:120000", "--line", "DEN-L:5:120000")  # fmt: skip
    assert added.code == EXIT_OK, added.err
    delivery = tmp_path / "giao.csv"
    delivery.write_text("sku,quantity\nDEN-M,4\nDEN-L,7\n", encoding="utf-8")
    got = cli(*d, "receive", str(delivery), "--order", "DHN000001", "--paid", "0")
    assert got.code == EXIT_OK, got.err

    text = cli(*d, "purchase-orders", "show", "DHN000001").out.splitlines()
    assert text[3].split()[0] == "DEN-M" and text[3].split()[-4:] == ["10", "4", "6", "120,000"]
    assert text[4].split()[0] == "DEN-L"
    assert text[4].split()[-6:] == ["5", "5", "(2", "over)", "0", "120,000"]
    assert text[5] == "2 lines, 15 units (9 received, 6 to come, 2 over), cost 1,800,000"

    shown = cli(*d, "purchase-orders", "show", "DHN000001", "--json").json()
    lines = shown["lines"]
    assert [(ln["received"], ln["over"], ln["remaining"]) for ln in lines] == [
        (4, 0, 6), (5, 2, 0)]  # fmt: skip
    assert sum(ln["received"] for ln in lines) == shown["order"]["received_units"] == 9
    assert sum(ln["remaining"] for ln in lines) == shown["order"]["awaited_units"] == 6


def test_receiving_says_what_came_over_what_the_order_awaited(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    """`receive --order` names, SKU by SKU, the units above what the order still awaited
    (as the goods receipt screen points them out), in text and JSON."""
    engine = open_store(resolve_settings(data_dir))
    make_product(engine, "Áo sơ mi linen", [("DEN-M", 250_000, 0), ("DEN-L", 250_000, 0)])
    engine.dispose()
    d = ("--data-dir", str(data_dir))
    added = cli(*d, "purchase-orders", "add", "--supplier", "Đức Minh",
                "--line", "DEN-M:10:120000", "--line", "DEN-L:5:120000")  # fmt: skip
    assert added.code == EXIT_OK, added.err
    first = tmp_path / "giao-1.csv"
    first.write_text("sku,quantity\nDEN-M,4\nDEN-L,7\n", encoding="utf-8")
    got = cli(*d, "receive", str(first), "--order", "DHN000001", "--paid", "0")
    assert got.code == EXIT_OK, got.err
    assert got.out.strip().endswith(
        " DHN000001 is partly received: 6 units still to come. Over what DHN000001 still "
        "awaited: 2 units of DEN-L.")  # fmt: skip
    second = tmp_path / "giao-2.csv"
    second.write_text("sku,quantity\nDEN-L,1\nDEN-M,7\n", encoding="utf-8")
    more = cli(*d, "receive", str(second), "--order", "DHN000001", "--paid", "0", "--json")
    assert more.code == EXIT_OK, more.err
    data = more.json()
    assert data["over"] == [{"sku": "DEN-M", "units": 1}, {"sku": "DEN-L", "units": 1}]
    assert data["over_units"] == 2
    lines = cli(*d, "purchase-orders", "show", "DHN000001", "--json").json()["lines"]
    assert [ln["over"] for ln in lines] == [1, 3]
