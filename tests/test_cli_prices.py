"""`primedist prices`: many products' prices changed at once from the command line — the
forms of CHANGE, a dry run, JSON, and errors that name the cause and change nothing."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.cli_commands.prices import parse_change
from primedist.config import resolve_settings
from primedist.db.store import open_store
from tests.factories import make_product


@pytest.fixture
def shop(data_dir: Path) -> Path:
    engine = open_store(resolve_settings(data_dir))
    make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 3), ("COC-2", 49_000, 1)])
    make_product(engine, "Đĩa gốm", [("DIA-1", 120_000, 5)])
    engine.dispose()
    return data_dir


def prices(data_dir: Path) -> dict[str, tuple[int, int | None]]:
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        rows = conn.execute("SELECT sku, price, discount_price FROM variants ORDER BY sku")
        return {sku: (price, discount) for sku, price, discount in rows}
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=150000", ("set", Decimal(150_000))), ("+10%", ("percent", Decimal(10))),
     ("-12.5%", ("percent", Decimal("-12.5"))), ("+5,000", ("amount", Decimal(5000))),
     ("-2000", ("amount", Decimal(-2000))), ("20%off", ("percent_off", Decimal(20))),
     ("20 % off", ("percent_off", Decimal(20))), ("Remove", ("remove", Decimal(0)))],
)  # fmt: skip
def test_the_forms_of_a_change(text: str, expected: tuple[str, Decimal]) -> None:
    assert parse_change(text) == expected


def test_a_dry_run_then_the_change(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    before = prices(shop)
    dry = cli(*d, "prices", "+10%", "--sku", "COC-1", "--round", "1000", "--dry-run")
    assert dry.code == EXIT_OK, dry.err
    assert "COC-2" in dry.out and "49,000 → 54,000" in dry.out
    assert dry.out.strip().endswith("Selling price up 10%, rounded to 1,000: 2 of 2 variants "
                                    "would change (dry run).")  # fmt: skip
    assert prices(shop) == before
    run = cli(*d, "prices", "+10%", "--sku", "COC-1", "--round", "1000", "--json")
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"rule": "selling price up 10%, rounded to 1,000", "changed": 2,
                          "unchanged": 0, "products": 1, "marketplace_pushes": 0}  # fmt: skip
    assert prices(shop) == {"COC-1": (50_000, None), "COC-2": (54_000, None),
                            "DIA-1": (120_000, None)}  # fmt: skip
    off = cli(*d, "prices", "15%off", "--field", "discount", "--all")
    assert off.out.strip() == "Discount price 15% off the selling price: 3 variants changed, 0 "\
        "already so."  # fmt: skip
    assert prices(shop)["DIA-1"] == (120_000, 102_000)


def test_a_negative_percentage_is_a_change_not_an_option(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    down = cli(*d, "prices", "-10%", "--sku", "DIA-1")
    assert down.code == EXIT_OK, down.err
    assert prices(shop)["DIA-1"] == (108_000, None)
    start = f"{datetime.now() + timedelta(days=30):%Y-%m-%d} 00:00"
    later = cli(*d, "price-schedule", "add", "Xả kho", "-12.5%", "--sku", "COC-1",
                "--from", start)  # fmt: skip
    assert later.code == EXIT_OK, later.err
    assert "selling price down 12.5%" in later.out
    assert cli(*d, "prices", "--nope", "--all").code == EXIT_USAGE  # options still checked


def test_errors_name_the_cause_and_change_nothing(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    cli(*d, "prices", "=100000", "--field", "discount", "--sku", "DIA-1")
    before = prices(shop)
    below = cli(*d, "prices", "-30000", "--all")
    assert below.code == EXIT_ERROR
    assert below.err.strip() == ("primedist: error: DIA-1: the new price 90,000 is below its "
                                 "discount price 100,000: change or remove the discount price "
                                 "first. No price was changed.")  # fmt: skip
    unknown = cli(*d, "prices", "+5%", "--sku", "COC-1", "--sku", "KHONG-CO")
    assert unknown.code == EXIT_ERROR and "No product has the SKU KHONG-CO." in unknown.err
    bad = cli(*d, "prices", "10", "--all")
    assert bad.code == EXIT_USAGE and "'10' is not a price change" in bad.err
    assert cli(*d, "prices", "+5%").code == EXIT_USAGE  # neither --sku nor --all
    wrong = cli(*d, "prices", "remove", "--all")
    assert wrong.code == EXIT_ERROR and "Only the discount price can be" in wrong.err
    assert prices(shop) == before
