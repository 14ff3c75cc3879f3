"""`primedist import products FILE` and `primedist export products FILE`: exit codes,
reports, filters and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, IMPORT_REJECTS_SHOWN
from tests.cli_support import table_count
from tests.services.test_product_import import grid, mug, write_csv

SHOP = "Cửa hàng CLI"  # the shop `primedist init` creates


@pytest.fixture(autouse=True)
def _isolated(cli_env: None) -> None:
    """Every test here runs the CLI without the environment leaking in."""


def shirt() -> list[dict[str, Any]]:
    return [{**row, "shops": SHOP} for row in grid()]


def test_import_json_lists_counts_and_rejected_rows(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    rows = [*shirt(), mug(shops=SHOP), mug("Hỏng", "BAD-1", price="12.5", shops=SHOP)]
    path = write_csv(tmp_path / "products.csv", rows)
    run = cli("--data-dir", str(data_dir), "import", "products", str(path), "--json")
    assert run.code == EXIT_OK, run.err
    data = json.loads(run.out)
    assert data["rows_rejected"] == [
        {"row": 9, "column": "price",
         "reason": "'12.5' is not a whole number"},
    ]  # fmt: skip
    assert {k: data[k] for k in ("file", "rows_read", "products_created", "products_updated",
                                 "products_unchanged", "products_rejected", "variants_created",
                                 "stock_moves", "listings_added")} == {
        "file": "products.csv", "rows_read": 8, "products_created": 2, "products_updated": 0,
        "products_unchanged": 0, "products_rejected": 1, "variants_created": 7,
        "stock_moves": 6, "listings_added": 2,
    }  # fmt: skip
    assert table_count(data_dir, "variants") == 7
    again = cli("--data-dir", str(data_dir), "import", "products", str(path), "--json")
    assert (again.code, again.json()["products_unchanged"]) == (EXIT_OK, 2)


def test_import_text_lists_at_most_twenty_rejected_rows(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    rows = [mug(f"P{i}", f"S{i}", price="-1", shops=SHOP) for i in range(25)]
    path = write_csv(tmp_path / "p.csv", rows)
    run = cli("--data-dir", str(data_dir), "import", "products", str(path))
    assert run.code == EXIT_OK
    lines = run.out.splitlines()
    assert lines[0].startswith("Imported p.csv: 25 rows; products 0 new, 0 updated, 0 unchanged, "
                               "25 rejected;")  # fmt: skip
    assert lines[1] == "  row 2, price: -1 must not be negative"
    assert len(lines) == 1 + IMPORT_REJECTS_SHOWN + 1
    assert lines[-1] == "  ... and 5 more rejected rows (--json lists them all)"


def test_import_file_errors_are_one_line(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [mug()], ["product_name", "price"])
    run = cli("--data-dir", str(data_dir), "import", "products", str(path))
    assert run.code == EXIT_ERROR
    assert run.error_line() == (
        "primedist: error: column 'sku': p.csv has no such column in its header (row 1); "
        "the required columns are: product_name, sku, price"
    )
    fake = tmp_path / "p.xlsx"
    fake.write_text("product_name,sku,price\n")
    run = cli("--data-dir", str(data_dir), "import", "products", str(fake), "--json")
    assert run.code == EXIT_ERROR
    assert "p.xlsx is not a real Excel file" in run.error_line()
    assert table_count(data_dir, "products") == 0
    assert cli("--data-dir", str(data_dir), "import", "products").code == EXIT_USAGE


def test_export_with_filters_and_languages(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    rows = [*shirt(), mug(shops=SHOP, status="hidden"), mug("Bình gốm", "BINH-1", shops="")]
    path = write_csv(tmp_path / "p.csv", rows)
    assert cli("--data-dir", str(data_dir), "import", "products", str(path)).code == EXIT_OK

    def export(*args: str) -> list[tuple[Any, ...]]:
        out = tmp_path / "out.xlsx"
        run = cli("--data-dir", str(data_dir), "export", "products", str(out), "--json", *args)
        assert run.code == EXIT_OK, run.err
        data = run.json()
        assert data["file"] == str(out)
        sheet = openpyxl.load_workbook(out).active
        values = list(sheet.iter_rows(values_only=True))
        assert data["rows"] == len(values) - 1
        return values

    everything = export()
    assert everything[0][:2] == ("Tên sản phẩm", "Danh mục")
    assert len(everything) == 1 + 8
    hidden = export("--status", "hidden", "--lang", "en")
    assert hidden[0][:2] == ("Product name", "Category")
    assert [r[3] for r in hidden[1:]] == ["COC-1"]
    # The shop `init` makes is the counter: it sells every product, listed or not (the
    # mug in no shop too).
    assert len(export("--shop", SHOP)) == 1 + 8
    assert len(export("--status", "active", "--status", "hidden", "--shop", SHOP)) == 1 + 8
    assert [r[3] for r in export("--search", "binh gom")[1:]] == ["BINH-1"]
    text = cli("--data-dir", str(data_dir), "export", "products", str(tmp_path / "t.xlsx"))
    assert text.out.startswith(f"Exported 8 variants to {tmp_path / 't.xlsx'} in ")
    # The export imports back unchanged.
    back = cli("--data-dir", str(data_dir), "import", "products", str(tmp_path / "t.xlsx"),
               "--json").json()  # fmt: skip
    assert (back["products_unchanged"], back["variants_unchanged"]) == (3, 8)


def test_export_errors(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "out.xlsx")
    run = cli("--data-dir", str(data_dir), "export", "products", out, "--shop", "Không có")
    assert run.code == EXIT_USAGE  # a value of an option, like --status sold
    assert run.error_line().startswith("primedist: error: argument --shop: No shop is named")
    run = cli("--data-dir", str(data_dir), "export", "products", out, "--status", "sold")
    assert run.code == EXIT_USAGE
    assert "'sold' is not a product status" in run.err
    run = cli("--data-dir", str(data_dir), "export", "products", str(tmp_path / "out.csv"))
    assert run.code == EXIT_ERROR
    assert "Export to an .xlsx file" in run.error_line()
