"""`primedist receive FILE`: a goods receipt from a delivery list, its JSON and text, and
its one-line errors (nothing received)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.db.store import open_store
from tests.cli_support import table_count
from tests.factories import make_product


@pytest.fixture
def shop(data_dir: Path) -> Path:
    engine = open_store(resolve_settings(data_dir))
    make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 3)], barcodes=["8934563123456"])
    engine.dispose()
    return data_dir


def stock_of(data_dir: Path, sku: str) -> int:
    engine = open_store(resolve_settings(data_dir))
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT stock FROM variants WHERE sku = :s"),
                                    {"s": sku}).scalar_one())  # fmt: skip
    finally:
        engine.dispose()


def test_receive_a_delivery_list(cli: Any, shop: Path, tmp_path: Path) -> None:
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\n8934563123456,10,30000\ncoc-1,2,30000\n",
                    encoding="utf-8")  # fmt: skip
    run = cli("--data-dir", str(shop), "receive", str(path), "--supplier", "Gốm Minh Long",
              "--note", "PGH 0412", "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json() == {
        "id": 1, "code": "PN000001", "supplier": "Gốm Minh Long", "note": "PGH 0412",
        "lines": 1, "units": 12, "total_cost": 360_000, "supplier_id": 1, "paid": 360_000,
        "owed": 0, "purchase_order": None, "over": [], "over_units": 0,
    }  # fmt: skip
    assert stock_of(shop, "COC-1") == 15
    again = cli("--data-dir", str(shop), "receive", str(path))
    assert again.out.strip() == "Received PN000002: 1 line, 12 units, cost 360,000."


def test_a_bad_row_receives_nothing(cli: Any, shop: Path, tmp_path: Path) -> None:
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity\nCOC-1,5\nKHONG-CO,1\n", encoding="utf-8")
    run = cli("--data-dir", str(shop), "receive", str(path))
    assert run.code == EXIT_ERROR
    assert run.err.strip() == (
        "primedist: error: row 3, column 'sku': No product has the SKU or barcode KHONG-CO."
    )
    assert stock_of(shop, "COC-1") == 3
    assert table_count(shop, "goods_receipts") == 0
    assert cli("--data-dir", str(shop), "receive").code == EXIT_USAGE


def test_export_the_receipts(cli: Any, shop: Path, tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,4,30000\n", encoding="utf-8")
    assert cli("--data-dir", str(shop), "receive", str(path), "--supplier", "Gốm").code == 0
    out = tmp_path / "nhap.xlsx"
    run = cli("--data-dir", str(shop), "export", "receipts", str(out), "--search", "gom",
              "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json()["rows"] == 1 and run.json()["file"] == str(out)
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[1][0] == "PN000001" and rows[1][8:] == (4, 30_000, 120_000, None)


def test_a_delivery_above_what_one_payment_may_be(cli: Any, shop: Path, tmp_path: Path) -> None:
    """Nothing typed for --paid: refused for what the receipt costs, not for an amount
    paid nobody typed."""
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,20,10000000000\n", encoding="utf-8")
    run = cli("--data-dir", str(shop), "receive", str(path), "--supplier", "Gốm")
    assert run.error_line() == (
        "primedist: error: A receipt costs at most 100,000,000,000 (200,000,000,000 given): "
        "split the delivery.")  # fmt: skip
    assert table_count(shop, "goods_receipts") == 0 and stock_of(shop, "COC-1") == 3


def test_a_list_without_costs_against_an_order_costs_what_it_expected(
    cli: Any, shop: Path, tmp_path: Path
) -> None:
    d = ("--data-dir", str(shop))
    ordered = cli(*d, "purchase-orders", "add", "--supplier", "Gốm Minh Long",
                  "--line", "COC-1:10:30000")  # fmt: skip
    assert ordered.code == EXIT_OK, ordered.err
    no_column, blank = tmp_path / "giao.csv", tmp_path / "giao2.csv"
    no_column.write_text("sku,quantity\nCOC-1,6\n", encoding="utf-8")
    blank.write_text("sku,quantity,unit_cost\nCOC-1,4,\n", encoding="utf-8")
    run = cli(*d, "receive", str(no_column), "--order", "DHN000001", "--paid", "0", "--json")
    assert run.code == EXIT_OK, run.err
    assert {k: run.json()[k] for k in ("total_cost", "paid", "owed")} == {
        "total_cost": 180_000, "paid": 0, "owed": 180_000}  # fmt: skip
    rest = cli(*d, "receive", str(blank), "--order", "DHN000001")
    assert rest.out.strip() == ("Received PN000002 from Gốm Minh Long: 1 line, 4 units, "
                                "cost 120,000. DHN000001 is received.")  # fmt: skip
    owed = cli(*d, "suppliers", "list", "--json").json()
    assert owed["suppliers"][0]["debt"] == 180_000, owed
    assert stock_of(shop, "COC-1") == 13
    engine = open_store(resolve_settings(shop))
    with engine.connect() as conn:  # 3 with no cost (not 0 đồng), then 10 at 30.000
        cost = conn.execute(sa.text("SELECT cost FROM variants WHERE sku = 'COC-1'")).scalar()
    engine.dispose()
    assert cost == 30_000
