"""Money typed on the command line as on the screens ("150k", "1,5k", "150.000"): every
money argument takes it, and one that is not money is refused naming the option and the
value (delivery lists, read by `io.tabular`, stay strict)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.db.store import open_store
from tests.cli_support import table_count
from tests.factories import make_product
from tests.test_cli_customer_accounts import shop as customer_shop  # noqa: F401
from tests.test_cli_prices import prices


@pytest.fixture
def shop(data_dir: Path) -> Path:
    engine = open_store(resolve_settings(data_dir))
    make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 3)])
    make_product(engine, "Đĩa gốm", [("DIA-1", 120_000, 5)])
    engine.dispose()
    return data_dir


def test_purchasing_takes_amounts_as_the_screens_do(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    added = cli(*d, "purchase-orders", "add", "--supplier", "Gốm Minh Long",
                "--line", "COC-1:10:30k", "--line", "DIA-1:2:1,5k", "--json")  # fmt: skip
    assert added.code == EXIT_OK, added.err
    assert added.json()["total_cost"] == 10 * 30_000 + 2 * 1_500
    got = cli(*d, "receive", "--order", "DHN000001", "--paid", "100k", "--json")
    assert got.code == EXIT_OK, got.err
    assert (got.json()["paid"], got.json()["owed"]) == (100_000, 203_000)
    paid = cli(*d, "suppliers", "pay", "NCC000001", "1,5k", "--json")
    assert paid.code == EXIT_OK, paid.err
    assert (paid.json()["amount"], paid.json()["debt"]) == (1_500, 201_500)
    less = cli(*d, "suppliers", "adjust", "NCC000001", "-50k", "--reason", "Chiết khấu",
               "--json")  # fmt: skip
    assert less.code == EXIT_OK, less.err
    assert (less.json()["amount"], less.json()["debt"]) == (-50_000, 151_500)
    back = cli(*d, "suppliers", "return", "PN000001", "COC-1:1", "--reason", "Vỡ",
               "--refund", "30.000đ", "--json")  # fmt: skip
    assert back.code == EXIT_OK, back.err
    assert back.json()["refund"] == 30_000


def test_customer_money_and_the_till_count_take_shorthand(
    cli: Any,
    customer_shop: Path,  # noqa: F811
) -> None:
    d = ("--data-dir", str(customer_shop))
    paid = cli(*d, "customers", "pay", "KH000001", "20k", "--json")
    assert paid.code == EXIT_OK, paid.err
    assert paid.json()["amount"] == 20_000
    assert cli(*d, "customers", "adjust", "KH000002", "300k", "--reason", "Nợ cũ").code == 0
    less = cli(*d, "customers", "adjust", "KH000002", "-1,5k", "--reason", "Bớt", "--json")
    assert less.code == EXIT_OK, less.err
    assert less.json()["owed"] == 298_500
    till = cli(*d, "report", "end-of-day", "--counted", "1,5k", "--float", "100k", "--json")
    assert till.code == EXIT_OK, till.err
    assert (till.json()["till"]["counted"], till.json()["till"]["opening_float"]) == (
        1_500, 100_000)  # fmt: skip


def test_price_changes_take_shorthand_amounts(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    assert cli(*d, "prices", "=150k", "--sku", "DIA-1").code == EXIT_OK
    assert prices(shop)["DIA-1"] == (150_000, None)
    up = cli(*d, "prices", "+1,5k", "--sku", "COC-1", "--round", "1k")
    assert up.code == EXIT_OK, up.err
    assert prices(shop)["COC-1"] == (47_000, None)  # 46,500 rounded to 1,000
    down = cli(*d, "prices", "-2k", "--sku", "DIA-1")
    assert down.code == EXIT_OK, down.err
    assert prices(shop)["DIA-1"] == (148_000, None)
    start = f"{datetime.now() + timedelta(days=30):%Y-%m-%d} 00:00"
    later = cli(*d, "price-schedule", "add", "Xả kho", "-5k", "--sku", "DIA-1", "--from",
                start, "--json")  # fmt: skip
    assert later.code == EXIT_OK, later.err
    assert later.json()["rule"] == "selling price down 5,000"


def test_what_is_not_money_is_refused_naming_the_option_and_the_value(
    cli: Any, shop: Path, tmp_path: Path
) -> None:
    d = ("--data-dir", str(shop))
    pay = cli(*d, "suppliers", "pay", "Gốm", "150x")
    assert pay.code == EXIT_USAGE
    assert "argument AMOUNT: '150x' is not an amount of money" in pay.err
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,1,30000\n", encoding="utf-8")
    receive = cli(*d, "receive", str(path), "--supplier", "Gốm", "--paid", "1,5")
    assert receive.code == EXIT_USAGE
    assert "argument --paid: '1,5' is not a whole number of đồng" in receive.err
    count = cli(*d, "report", "end-of-day", "--counted", "-5k")
    assert count.code == EXIT_USAGE and "argument --counted: '-5k' must be 0 or more" in count.err
    line = cli(*d, "purchase-orders", "add", "--supplier", "Gốm", "--line", "COC-1:1:abc")
    assert line.code == EXIT_USAGE and "argument --line: 'COC-1:1:abc' is not SKU:QTY" in line.err
    assert table_count(shop, "goods_receipts") == 0 and table_count(shop, "suppliers") == 0


def test_delivery_lists_stay_strict(cli: Any, shop: Path, tmp_path: Path) -> None:
    """Only what is typed on the command line reads shorthand: a file's cells do not."""
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,1,30k\n", encoding="utf-8")
    run = cli("--data-dir", str(shop), "receive", str(path))
    assert run.code == EXIT_ERROR and "unit_cost" in run.err
    assert table_count(shop, "goods_receipts") == 0
