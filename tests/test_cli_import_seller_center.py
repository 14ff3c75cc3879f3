"""`primedist import orders FILE --format shopee|lazada|tiktok|auto --shop NAME`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from tests.cli_support import table_count
from tests.services.seller_center_files import write_lazada, write_shopee

ROW = {"Mã đơn hàng": "2611050XYZ01", "Ngày đặt hàng": "2026-11-05 09:15",
       "Trạng Thái Đơn Hàng": "Hoàn thành", "Tên sản phẩm": "Áo thun", "Số lượng": 2,
       "Giá gốc": "90.000", "Giá ưu đãi": "90.000", "Tổng số tiền người mua thanh toán": "180.000",
       "SKU phân loại hàng": "AO-1"}  # fmt: skip


@pytest.fixture(autouse=True)
def _isolated(cli_env: None) -> None:
    """Every test here runs the CLI without the environment leaking in."""


def test_shopee_export_by_cli_twice(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    path = write_shopee(tmp_path / "Order.all.20261101_20261130.xlsx", [ROW])
    args = ("--data-dir", str(data_dir), "import", "orders", str(path), "--format", "shopee",
            "--shop", "Shopee Q1")  # fmt: skip
    run = cli(*args)
    assert run.code == EXIT_OK, run.err
    assert run.out.startswith(
        "Imported Order.all.20261101_20261130.xlsx (a Shopee order export) into Shopee Q1: "
        "1 rows; orders 1 new, 0 updated, 0 unchanged; 1 lines written"
    )
    again = cli(*args, "--json")
    assert again.code == EXIT_OK
    data = again.json()
    assert (data["orders_inserted"], data["orders_unchanged"], data["format"]) == (0, 1, "shopee")
    assert data["rows_rejected"] == []
    assert table_count(data_dir, "orders") == 1


def test_auto_detects_and_errors_are_one_line(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    lazada = write_lazada(tmp_path / "lazada.xlsx", [
        {"orderItemId": 1, "orderNumber": "L1", "createTime": "04 Jul 2022 11:46",
         "status": "pending", "unitPrice": 1000, "paidPrice": 1000, "itemName": "X"}])  # fmt: skip
    base = ("--data-dir", str(data_dir), "import", "orders")
    run = cli(*base, str(lazada), "--format", "auto", "--shop", "Lazada", "--json")
    assert run.code == EXIT_OK, run.err
    assert run.json()["format"] == "lazada"
    # A Seller Center export needs a shop; a broken file or an unknown format is refused.
    assert (
        "Name the shop the orders of a Lazada order export"
        in cli(*base, str(lazada), "--format", "lazada").error_line()
    )
    no_shop = cli(*base, str(lazada), "--format", "auto", "--shop", "")
    assert no_shop.code == EXIT_ERROR
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"garbage")
    line = cli(*base, str(broken), "--format", "tiktok", "--shop", "T").error_line()
    assert "broken.xlsx is not a real Excel file" in line
    assert cli(*base, str(lazada), "--format", "ebay").code == EXIT_USAGE
    assert table_count(data_dir, "orders") == 1


def test_an_export_given_without_its_format_names_the_format(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    """`--format` defaults to the order template: a Shopee export with `--shop` says to
    choose its format instead of asking to leave the shop out."""
    path = write_shopee(tmp_path / "shopee1.xlsx", [ROW])
    run = cli("--data-dir", str(data_dir), "import", "orders", str(path), "--shop", "SP Import")
    assert run.code == EXIT_ERROR
    assert run.error_line().endswith(
        "shopee1.xlsx is a Shopee order export, not the order template: import it with "
        "--format shopee (or --format auto)"
    )
    assert table_count(data_dir, "orders") == 0
