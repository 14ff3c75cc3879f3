"""The product import on a SKU that is on products of several shops (README allows the same
SKU on different shops): an export imports back unchanged, a row's `shops` says which
product it updates; and on the file's columns: the ones it does not know are a warning,
and rejected rows name the file's own header."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel
from primedist.services import catalogue
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.import_support import RejectedRow
from primedist.services.product_export import export_products
from primedist.services.product_import import HEADERS, import_products
from tests.factories import make_shop
from tests.services.test_product_import import SHOPEE as GRID_SHOP
from tests.services.test_product_import import (
    dump,
    grid,
    mug,
    table_rows,
    write_csv,
    write_xlsx,
)

SHOPEE = "Nón Shopee"
LAZADA = "Nón Lazada"
#: The refusal of a row that does not say which of the two products it updates.
WHICH = f"SKU 'NON-LA' is on products of shops {SHOPEE} and {LAZADA}: say which in the shops column"


@pytest.fixture
def two_shops(owner_ctx: ServiceContext, engine: Engine) -> dict[str, int]:
    """The same SKU NON-LA on a Shopee product and a Lazada product (made in the form)."""
    shopee = make_shop(engine, SHOPEE, Channel.SHOPEE)
    lazada = make_shop(engine, LAZADA, Channel.LAZADA)
    ids = {}
    for name, shop, price, stock in (("Nón lá Shopee", shopee, 50_000, 10),
                                     ("Nón lá Lazada", lazada, 52_000, 7)):  # fmt: skip
        draft = ProductDraft(name=name, variants=[VariantDraft(sku="NON-LA", price=price,
                             stock=stock)], shop_ids=[shop])  # fmt: skip
        ids[name] = catalogue.create_product(owner_ctx, draft)
    return ids


def prices(engine: Engine) -> dict[int, int]:
    """product id → the price of its NON-LA."""
    return {v["product_id"]: v["price"] for v in table_rows(engine, "variants", sku="NON-LA")}


def exported(ctx: ServiceContext, path: Path, lang: str = "vi") -> Path:
    export_products(ctx, path, lang=lang)
    return path


def edit_price(path: Path, product: str, price: int) -> None:
    """Change one row's price in the exported workbook (found by its product name)."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=True))
        if cells[HEADERS["product_name"][0]].value == product:
            cells[HEADERS["price"][0]].value = price
    book.save(path)


# --------------------------------------------------------------------------- one SKU, two shops


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_export_of_a_sku_on_two_shops_imports_back_unchanged(
    owner_ctx: ServiceContext, engine: Engine, two_shops: dict[str, int], tmp_path: Path,
    lang: str,
) -> None:  # fmt: skip
    path = exported(owner_ctx, tmp_path / "products.xlsx", lang)
    before = dump(engine)
    report = import_products(owner_ctx, path)
    assert report.rejected == []
    assert (report.products_unchanged, report.variants_unchanged) == (2, 2)
    assert (report.products_updated, report.products_created) == (0, 0)
    assert dump(engine) == before


def test_an_edited_price_changes_only_that_shops_variant(
    owner_ctx: ServiceContext, engine: Engine, two_shops: dict[str, int], tmp_path: Path
) -> None:
    path = exported(owner_ctx, tmp_path / "products.xlsx")
    edit_price(path, "Nón lá Lazada", 55_000)
    report = import_products(owner_ctx, path)
    assert report.rejected == []
    assert (report.products_updated, report.products_unchanged) == (1, 1)
    assert (report.variants_updated, report.variants_unchanged) == (1, 1)
    assert prices(engine) == {two_shops["Nón lá Shopee"]: 50_000,
                              two_shops["Nón lá Lazada"]: 55_000}  # fmt: skip


def test_a_one_row_update_says_which_shop(
    owner_ctx: ServiceContext, engine: Engine, two_shops: dict[str, int], tmp_path: Path
) -> None:
    header = ["product_name", "sku", "price", "shops"]
    row = {"product_name": "Nón lá Shopee", "sku": "NON-LA", "price": "49000"}
    report = import_products(
        owner_ctx, write_csv(tmp_path / "p.csv", [{**row, "shops": SHOPEE.upper()}], header)
    )
    assert (report.rejected, report.variants_updated) == ([], 1)
    assert prices(engine) == {two_shops["Nón lá Shopee"]: 49_000,
                              two_shops["Nón lá Lazada"]: 52_000}  # fmt: skip
    before = dump(engine)
    # No shops column, an empty cell, both shops, or another shop: which one is not said.
    cases = [
        write_csv(tmp_path / "none.csv", [row], header[:3]),
        write_xlsx(tmp_path / "empty.xlsx", [row], header),
        write_csv(tmp_path / "both.csv", [{**row, "shops": f"{SHOPEE}; {LAZADA}"}], header),
    ]
    for path in cases:
        report = import_products(owner_ctx, path)
        assert report.rejected == [RejectedRow(2, "sku", WHICH)], path.name
        assert report.products_rejected == 1
    assert dump(engine) == before


def test_the_same_sku_and_shops_twice_in_a_file_is_refused(
    owner_ctx: ServiceContext, engine: Engine, two_shops: dict[str, int], tmp_path: Path
) -> None:
    rows = [mug("Nón lá Shopee", "NON-LA", shops=SHOPEE), mug("Nón lá Lazada", "NON-LA",
            shops=LAZADA), mug("Nón mới", "NON-LA", shops=SHOPEE)]  # fmt: skip
    before = dump(engine)
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    assert report.rejected == [
        RejectedRow(2, "sku", "SKU 'NON-LA' appears again on row 4"),
        RejectedRow(4, "sku", "SKU 'NON-LA' is also on row 2 (once per file)"),
    ]
    assert (report.products_updated, report.products_rejected) == (1, 2)  # the Lazada row
    assert dump(engine) != before


def test_a_unique_sku_is_once_per_file_whatever_its_shops(
    owner_ctx: ServiceContext, engine: Engine, two_shops: dict[str, int], tmp_path: Path
) -> None:
    catalogue.create_product(owner_ctx, ProductDraft(
        name="Cốc", variants=[VariantDraft(sku="COC", price=1_000)], shop_ids=[]))  # fmt: skip
    for sku in ("COC", "MOI"):  # on one stored product, and new
        rows = [mug("Cốc A", sku, shops=SHOPEE), mug("Cốc B", sku, shops=LAZADA)]
        report = import_products(owner_ctx, write_csv(tmp_path / f"{sku}.csv", rows))
        assert report.rejected == [
            RejectedRow(2, "sku", f"SKU '{sku}' appears again on row 3"),
            RejectedRow(3, "sku", f"SKU '{sku}' is also on row 2 (once per file)"),
        ]


# --------------------------------------------------------------------------- the file's columns


@pytest.fixture
def shopee_grid(engine: Engine) -> None:
    """The shop the grid's rows name."""
    make_shop(engine, GRID_SHOP, Channel.SHOPEE)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_misspelt_column_is_a_warning_and_changes_nothing_else(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, kind: str
) -> None:
    write = {"csv": write_csv, "xlsx": write_xlsx}[kind]
    import_products(owner_ctx, write_csv(tmp_path / "first.csv", [mug(shops="")]))
    header = ["product_name", "sku", "price", "stok", "Ghi chú"]
    row = {"product_name": "Cốc sứ", "sku": "COC-1", "price": "46000", "stok": "99",
           "Ghi chú": "x"}  # fmt: skip
    report = import_products(owner_ctx, write(tmp_path / f"p.{kind}", [row], header))
    assert report.ignored_columns == ["stok", "Ghi chú"]
    assert (report.rejected, report.variants_updated, report.stock_moves) == ([], 1, 0)
    [stored] = table_rows(engine, "variants", sku="COC-1")
    assert (stored["price"], stored["stock"]) == (46_000, 4)
    data = json.loads(json.dumps(report.to_json(), default=str))
    assert data["ignored_columns"] == ["stok", "Ghi chú"]
    # The export's read-only columns and the known headers are not "unknown".
    header = ["Tên sản phẩm", "Mã SKU", "Giá bán", "Tồn thực tế", "Có thể bán", "Ngày tạo"]
    row = {"Tên sản phẩm": "Cốc sứ", "Mã SKU": "COC-1", "Giá bán": "46000"}
    assert import_products(owner_ctx, write(tmp_path / f"q.{kind}", [row], header)
                           ).ignored_columns == []  # fmt: skip


def test_rejected_rows_name_the_files_own_header(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    vi = {key: HEADERS[key][0] for key in ("product_name", "sku", "price", "stock", "shops")}
    rows = [
        {vi["product_name"]: "Cốc A", vi["sku"]: "A-1", vi["price"]: "1000", vi["stock"]: "-2"},
        {vi["product_name"]: "Cốc B", vi["sku"]: "B-1", vi["price"]: "1.5"},
        {vi["product_name"]: "Cốc C", vi["sku"]: "C-1", vi["price"]: "1", vi["shops"]: "Không"},
        {vi["product_name"]: "", vi["sku"]: "D-1", vi["price"]: "1"},
    ]
    report = import_products(owner_ctx, write_xlsx(tmp_path / "vi.xlsx", rows, list(vi.values())))
    assert [(r.row, r.column) for r in report.rejected] == [
        (2, "Tồn kho"), (3, "Giá bán"), (4, "Gian hàng"), (5, "Tên sản phẩm")]  # fmt: skip
    assert report.to_json()["rows_rejected"][0] == {
        "row": 2, "column": "Tồn kho", "reason": "-2 must not be negative"}  # fmt: skip
    # A file of keys keeps the keys; an English export's header is named as it is written.
    rows = [{**mug(), "stock": "-2"}]
    report = import_products(owner_ctx, write_csv(tmp_path / "keys.csv", rows))
    assert [(r.row, r.column) for r in report.rejected] == [(2, "stock")]
    en = [HEADERS[key][1] for key in ("product_name", "sku", "price", "weight_g")]
    rows = [dict(zip(en, ("Cốc", "E-1", "1", "0"), strict=True))]
    report = import_products(owner_ctx, write_csv(tmp_path / "en.csv", rows, en))
    assert [(r.row, r.column) for r in report.rejected] == [(2, "Weight (g)")]


def test_the_grid_in_vietnamese_headers_rejects_by_those_headers(
    owner_ctx: ServiceContext, shopee_grid: None, tmp_path: Path
) -> None:
    rows: list[dict[str, Any]] = grid()
    rows[1]["option1"], rows[1]["option2"] = "Đỏ", "S"  # the options of row 2 again
    localized = [{HEADERS[k][0]: v for k, v in row.items()} for row in rows]
    header = [HEADERS[k][0] for k in rows[0]]
    report = import_products(owner_ctx, write_xlsx(tmp_path / "g.xlsx", localized, header))
    [bad] = [r for r in report.rejected if r.column]
    assert (bad.row, bad.column) == (3, "Thuộc tính 1")


def test_the_cli_prints_the_ignored_columns(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    header = ["product_name", "sku", "price", "stok"]
    row = {"product_name": "Cốc", "sku": "C-1", "price": "1000", "stok": "5"}
    path = write_csv(tmp_path / "p.csv", [row], header)
    run = cli("--data-dir", str(data_dir), "import", "products", str(path))
    assert run.code == 0, run.err
    assert run.out.splitlines()[1] == "  Columns not recognised, ignored: stok"
    run = cli("--data-dir", str(data_dir), "import", "products", str(path), "--json")
    assert run.json()["ignored_columns"] == ["stok"]
