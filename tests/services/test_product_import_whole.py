"""Re-importing an edited export: a product is applied whole or not at all (a name changed
on one of its rows rejects every row of it), and a `shops` cell leaving out shops the
product is listed on is imported with a note (an import never removes a listing)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel
from primedist.services import catalogue
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.product_export import export_products
from primedist.services.product_import import HEADERS, import_products
from tests.factories import make_shop
from tests.services.test_product_import import dump, table_rows

NAME = "Áo sơ mi linen dáng ôm"
SHOP = "Prime Official - Shopee"


@pytest.fixture
def shirt(owner_ctx: ServiceContext, engine: Engine) -> int:
    """A three-size shirt listed on a Shopee shop."""
    shop = make_shop(engine, SHOP, Channel.SHOPEE)
    variants = [VariantDraft(sku=f"ASML-{s}", option1=s, price=250_000, stock=5)
                for s in ("S", "M", "L")]  # fmt: skip
    draft = ProductDraft(name=NAME, option1_name="Size", variants=variants, shop_ids=[shop])
    return catalogue.create_product(owner_ctx, draft)


def edited_export(ctx: ServiceContext, path: Path, column: str, values: dict[int, object]) -> Path:
    """The export with `column` set on the rows given (0 = the first variant's row)."""
    export_products(ctx, path, lang="vi")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    at = header.index(HEADERS[column][0]) + 1
    for i, value in values.items():
        sheet.cell(2 + i, at).value = value
    book.save(path)
    return path


def test_a_name_changed_on_one_row_rejects_the_whole_product(
    owner_ctx: ServiceContext, engine: Engine, shirt: int, tmp_path: Path
) -> None:
    path = edited_export(owner_ctx, tmp_path / "p.xlsx", "product_name",
                         {0: f"{NAME} 2025"})  # fmt: skip
    before = dump(engine)
    report = import_products(owner_ctx, path)
    assert (report.products_updated, report.products_rejected) == (0, 2)
    assert report.listing_upserts == 0
    assert sorted(r.row for r in report.rejected) == [2, 3, 4]
    first = next(r for r in report.rejected if r.row == 2)
    assert first.reason == (
        f"these rows update the same product as the rows of '{NAME}' (row 3): a product's "
        "rows need one product name"
    )
    assert dump(engine) == before  # nothing of it applied: no rename, no listing push
    assert table_rows(engine, "products", id=shirt)[0]["name"] == NAME


def test_an_emptied_shops_cell_keeps_the_listing_and_says_so(
    owner_ctx: ServiceContext, engine: Engine, shirt: int, tmp_path: Path
) -> None:
    path = edited_export(owner_ctx, tmp_path / "p.xlsx", "shops", {0: None, 1: None, 2: None})
    before = dump(engine)
    report = import_products(owner_ctx, path)
    assert report.rejected == []
    assert report.products_unchanged == 1
    assert [(n.row, n.column, n.reason) for n in report.notes] == [
        (2, "Gian hàng", f"still listed on {SHOP}: an import never removes a listing; to "
                         "unlist the product, untick the shop in its editor"),
    ]  # fmt: skip
    assert report.to_json()["notes"][0]["row"] == 2
    assert dump(engine) == before
    # The export as it is: no note.
    export_products(owner_ctx, tmp_path / "same.xlsx", lang="vi")
    assert import_products(owner_ctx, tmp_path / "same.xlsx").notes == []


def test_a_retail_barcode_with_a_wrong_check_digit_is_refused(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "product_name,sku,barcode,price\n"
        "Cà phê,CF-1,8937653245874,95000\n"  # EAN-13 whose check digit is 3
        "Trà,TRA-1,8937653245873,45000\n"
        "Bánh,BANH-1,SP-00012345,30000\n"  # internal / Code 128: free
        "Kẹo,KEO-1,12345678901234,10000\n",  # 14 digits: not a retail code
        encoding="utf-8",
    )
    report = import_products(owner_ctx, path)
    assert [(r.row, r.column, r.reason) for r in report.rejected] == [
        (2, "barcode", "8937653245874 is not a valid EAN-13: its last (check) digit should be "
                       "3 (8937653245873)."),
    ]  # fmt: skip
    assert report.products_created == 3
    assert {r["sku"] for r in table_rows(engine, "variants")} == {"TRA-1", "BANH-1", "KEO-1"}
