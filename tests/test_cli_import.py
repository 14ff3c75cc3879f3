"""`primedist import orders FILE [--json]`: exit codes, the report, one-line file errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, IMPORT_REJECTS_SHOWN
from primedist.services.order_import import COLUMNS
from tests.cli_support import table_count

LINE = {
    "order_id": "DH001", "order_date": "05/01/2026 10:30", "shop": "Prime - Shopee",
    "channel": "shopee", "status": "completed", "customer_name": "Nguyễn Thị Hoa",
    "customer_phone": "0939921717", "buyer_id": "hoa.nt", "shipping_fee": "15000",
    "discount": "0", "sku": "AO-1", "product_name": "Áo thun", "quantity": "2",
    "unit_price": "120000",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _isolated(cli_env: None) -> None:
    """Every test here runs the CLI without the environment leaking in."""


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row.get(c, "") for c in COLUMNS])
    return path


def test_import_json_lists_counts_and_rejected_rows(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    rows = [LINE, {**LINE, "sku": "AO-2", "quantity": "0"}, {**LINE, "order_id": "DH002"}]
    path = write_csv(tmp_path / "orders.csv", rows)
    run = cli("--data-dir", str(data_dir), "import", "orders", str(path), "--json")
    assert run.code == EXIT_OK, run.err
    data = json.loads(run.out)
    assert data["rows_rejected"] == [
        {"row": 2, "column": None, "reason": "order rejected because of row 3"},
        {"row": 3, "column": "quantity", "reason": "0 must be at least 1"},
    ]
    assert {k: data[k] for k in ("file", "rows_read", "orders_inserted", "orders_updated",
                                 "orders_unchanged", "orders_rejected", "lines",
                                 "customers_created", "customers_linked", "shops_created",
                                 "products_created")} == {
        "file": "orders.csv", "rows_read": 3, "orders_inserted": 1, "orders_updated": 0,
        "orders_unchanged": 0, "orders_rejected": 1, "lines": 1, "customers_created": 1,
        "customers_linked": 0, "shops_created": 1, "products_created": 1,
    }  # fmt: skip
    assert isinstance(data["seconds"], float)
    assert table_count(data_dir, "orders") == 1

    again = cli("--data-dir", str(data_dir), "import", "orders", str(path), "--json")
    assert again.code == EXIT_OK
    assert (json.loads(again.out)["orders_unchanged"], table_count(data_dir, "orders")) == (1, 1)


def test_import_text_output_shows_the_first_rejected_rows(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    rows = [LINE] + [{**LINE, "order_id": f"X{i}", "unit_price": "1.5"} for i in range(25)]
    path = write_csv(tmp_path / "orders.csv", rows)
    run = cli("--data-dir", str(data_dir), "import", "orders", str(path))
    assert run.code == EXIT_OK
    lines = run.out.splitlines()
    assert lines[0].startswith("Imported orders.csv: 26 rows; orders 1 new, 0 updated, "
                               "0 unchanged, 25 rejected")  # fmt: skip
    assert lines[1] == "  row 3, unit_price: '1.5' is not a whole number"
    assert len(lines) == 1 + IMPORT_REJECTS_SHOWN + 1
    assert lines[-1] == "  ... and 5 more rejected rows (--json lists them all)"
    assert run.err == ""  # no progress bar when stderr is not a terminal


def test_file_level_problem_is_one_line_exit_1(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    fake = tmp_path / "orders.xlsx"
    fake.write_text("order_id,sku\n")
    run = cli("--data-dir", str(data_dir), "import", "orders", str(fake))
    assert run.code == EXIT_ERROR
    assert "orders.xlsx is not a real Excel file" in run.error_line()

    missing_column = tmp_path / "o.csv"
    missing_column.write_text("order_id,order_date,shop,status,sku,quantity\nA,2026-01-01,S,"
                              "pending,K,1\n")  # fmt: skip
    run = cli("--data-dir", str(data_dir), "import", "orders", str(missing_column), "--json")
    assert run.code == EXIT_ERROR
    assert "column 'unit_price'" in run.error_line()

    run = cli("--data-dir", str(data_dir), "import", "orders", str(tmp_path / "none.csv"))
    assert run.code == EXIT_ERROR
    assert "File not found" in run.error_line()
    assert table_count(data_dir, "orders") == 0


def test_import_before_setup_is_a_one_line_error(cli: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", [LINE])
    run = cli("--data-dir", str(tmp_path / "fresh"), "import", "orders", str(path))
    assert run.code == EXIT_ERROR
    assert "primedist init" in run.error_line()


@pytest.mark.parametrize("argv", [["import"], ["import", "orders"], ["import", "widgets", "x"]])
def test_usage_errors(cli: Any, data_dir: Path, argv: list[str]) -> None:
    run = cli("--data-dir", str(data_dir), *argv)
    assert run.code == EXIT_USAGE
    run.error_line()


def test_import_template_writes_the_empty_file_and_refuses_another_ending(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    import openpyxl

    target = tmp_path / "customers-template.xlsx"
    run = cli("--data-dir", str(data_dir), "import", "template", "customers", str(target),
              "--lang", "en", "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert json.loads(run.out) == {"file": str(target), "kind": "customers", "lang": "en"}
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Customers", "Guide"]
    assert [c.value for c in book.worksheets[0][1]][:2] == ["Name", "Phone"]
    bad = cli("--data-dir", str(data_dir), "import", "template", "orders", str(tmp_path / "x.csv"))
    assert bad.code == EXIT_ERROR
    assert "Save the template as an .xlsx file" in bad.error_line()
