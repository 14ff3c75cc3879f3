"""Import templates: an empty file to fill in (header row, text columns, guide sheet) that
the import reads back once filled in, in Vietnamese and in English."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from primedist.errors import ValidationError
from primedist.services import customer_import, order_import, product_import
from primedist.services.context import ServiceContext
from primedist.services.import_templates import (
    CUSTOMER_GUIDE,
    ORDER_GUIDE,
    PRODUCT_GUIDE,
    TemplateKind,
    template_headers,
    write_import_template,
)
from tests.factories import make_shop

COUNTER = "Cửa hàng Thử"  # the shop `setup_shop` creates: this database's first shop

GUIDES = {TemplateKind.ORDERS: ORDER_GUIDE, TemplateKind.PRODUCTS: PRODUCT_GUIDE,
          TemplateKind.CUSTOMERS: CUSTOMER_GUIDE}  # fmt: skip


def import_file(ctx: ServiceContext, kind: TemplateKind, path: Path) -> object:
    if kind == TemplateKind.ORDERS:
        return order_import.import_orders(ctx, path)
    if kind == TemplateKind.PRODUCTS:
        return product_import.import_products(ctx, path)
    return customer_import.import_customers(ctx, path, on_duplicate="skip")


def column_format(sheet: object, column: int) -> str:
    letter = get_column_letter(column + 1)
    for dims in sheet.column_dimensions.values():  # type: ignore[attr-defined]
        if dims.min <= column + 1 <= dims.max:
            return str(dims.number_format)
    raise AssertionError(f"no format for column {letter}")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind", list(TemplateKind))
def test_a_filled_in_template_imports_and_an_empty_one_is_refused(
    owner_ctx: ServiceContext, engine: object, tmp_path: Path, kind: TemplateKind, lang: str
) -> None:
    make_shop(engine, "Prime Official - Shopee")  # type: ignore[arg-type]
    make_shop(engine, "Prime Cửa hàng", "offline")  # type: ignore[arg-type]
    path = write_import_template(owner_ctx, kind, tmp_path / f"{kind}.xlsx", lang)
    book = openpyxl.load_workbook(path)
    data, guide = book.worksheets
    headers = [c.value for c in data[1]]
    assert headers == template_headers(kind, lang) and data.max_row == 1  # no data in it
    lines = GUIDES[kind]
    rows = list(guide.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == headers and all(r[2] for r in rows)  # each column guided
    required = {TemplateKind.ORDERS: order_import.REQUIRED,
                TemplateKind.PRODUCTS: product_import.REQUIRED,
                TemplateKind.CUSTOMERS: customer_import.REQUIRED}[kind]  # fmt: skip
    marked = {line.key for line, row in zip(lines, rows, strict=True) if row[1]}
    assert marked == set(required)  # what the import insists on, and nothing else
    texts = [i for i, line in enumerate(lines) if line.text]
    assert texts and all(column_format(data, i) == "@" for i in texts)  # leading zeros kept

    with pytest.raises(ValidationError, match="has a header but no data rows"):
        import_file(owner_ctx, kind, path)

    data.append([r[3] or None for r in rows])  # the guide's examples, as typed
    filled = tmp_path / f"{kind}-filled.xlsx"
    book.save(filled)
    report = import_file(owner_ctx, kind, filled)
    assert report.rejected == []  # type: ignore[attr-defined]
    assert report.changed  # type: ignore[attr-defined]


def test_a_template_is_an_xlsx_file(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="Save the template as an .xlsx file"):
        write_import_template(owner_ctx, "orders", tmp_path / "mau.csv")
    with pytest.raises(ValueError):
        write_import_template(owner_ctx, "invoices", tmp_path / "mau.xlsx")


def guide_of(path: Path) -> dict[str, tuple[object, ...]]:
    """The guide sheet's rows by column header: (header, required, how, example)."""
    sheet = openpyxl.load_workbook(path).worksheets[1]
    return {str(r[0]): r for r in sheet.iter_rows(min_row=2, values_only=True)}


@pytest.mark.parametrize(
    ("lang", "active", "hidden"), [("vi", "Đang bán", "Đang ẩn"), ("en", "active", "hidden")]
)
def test_the_products_guide_gives_this_shop_and_the_status_words_of_its_language(
    owner_ctx: ServiceContext, engine: object, tmp_path: Path, lang: str, active: str,
    hidden: str,
) -> None:  # fmt: skip
    make_shop(engine, "Nón lá Lazada", "lazada")  # type: ignore[arg-type]
    path = write_import_template(owner_ctx, "products", tmp_path / "p.xlsx", lang)
    guide = guide_of(path)
    i = 0 if lang == "vi" else 1
    shops = guide[product_import.HEADERS["shops"][i]]
    assert shops[3] == COUNTER  # a shop of this database, not a made-up one
    status = guide[product_import.HEADERS["status"][i]]
    assert status[3] == active
    how = str(status[2])
    assert how.startswith(f"{active} (") and f" {hidden}" in how  # the file's words first
    orders = guide_of(write_import_template(owner_ctx, "orders", tmp_path / "o.xlsx", lang))
    assert orders["shop"][3] == COUNTER
