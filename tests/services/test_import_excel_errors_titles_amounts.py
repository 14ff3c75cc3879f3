"""The importers on the tester's files (real migrated store): an Excel error cell (#N/A of a
VLOOKUP) refuses the file instead of reading as 0 đồng, a title naming a column is not the
header, a CSV's title line does not decide its separator, and whole amounts written as a
locale writes them (150.000,00) are read."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine

from primedist.errors import ValidationError
from primedist.services import suppliers as sup
from primedist.services.context import ServiceContext
from primedist.services.order_import import import_orders
from primedist.services.product_import import import_products
from tests.services.test_order_import import order
from tests.services.test_order_import import rows as sql_rows
from tests.services.test_product_import import COUNTER, mug, variant, write_csv


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """Cells as openpyxl types them: "#N/A" is an error cell, as Excel saves a VLOOKUP
    that found nothing."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_na_cost_and_discount_price_do_not_wipe_a_products_prices(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    write_csv(tmp_path / "p.csv", [mug(sku="TTVC0008-XAM", price="99000", cost="45200",
                                       discount_price="83000")])  # fmt: skip
    import_products(owner_ctx, tmp_path / "p.csv")
    path = write_xlsx(tmp_path / "p14.xlsx", [
        ["Tên sản phẩm", "Mã SKU", "Giá bán", "Giá khuyến mãi", "Giá vốn", "shops"],
        ["Cốc sứ", "TTVC0008-XAM", 99000, "#N/A", "#N/A", COUNTER],
    ])  # fmt: skip
    with pytest.raises(ValidationError) as info:
        import_products(owner_ctx, path)
    assert (info.value.row, info.value.column) == (2, "Giá khuyến mãi")
    assert "#N/A is an Excel error" in info.value.reason
    stored = variant(engine, "TTVC0008-XAM")
    assert (stored["cost"], stored["price"], stored["discount_price"]) == (45200, 99000, 83000)


def test_na_shipping_fee_refuses_the_order_file(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "o8.xlsx", [
        ["order_id", "order_date", "shop", "status", "sku", "quantity", "unit_price",
         "shipping_fee", "discount"],
        ["NA1", "01/12/2026", COUNTER, "completed", "AO-X1", 1, 120000, "#N/A", "#N/A"],
    ])  # fmt: skip
    with pytest.raises(ValidationError, match=r"row 2, column 'shipping_fee': #N/A is an Excel"):
        import_orders(owner_ctx, path)
    assert sql_rows(engine, "SELECT count(*) FROM orders") == [(0,)]


def test_a_supplier_title_naming_a_column_is_not_imported_as_a_supplier(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "s1.xlsx", [
        ["NHÀ CUNG CẤP"],
        ["Tên nhà cung cấp", "Số điện thoại", "Nợ đầu kỳ"],
        ["NCC Test", "0912345678", 1250000],
    ])  # fmt: skip
    report = sup.import_suppliers(owner_ctx, path)
    assert (report.rows, report.created, report.opening_total) == (1, 1, 1_250_000)
    suppliers = {s.name: s for s in sup.list_suppliers(owner_ctx)}
    assert "Tên nhà cung cấp" not in suppliers
    assert (suppliers["NCC Test"].phone, suppliers["NCC Test"].debt) == ("0912345678", 1_250_000)


def test_orders_csv_below_a_title_line_with_locale_amounts(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "o3.csv"
    path.write_text(
        "\ufeffDANH SÁCH ĐƠN HÀNG THÁNG 12\n"
        "order_id;order_date;shop;status;sku;quantity;unit_price;shipping_fee\n"
        f"C1;05/01/2026;{COUNTER};completed;AO-X1;2;120000,00;15 000\n",
        encoding="utf-8",
    )
    report = import_orders(owner_ctx, path)
    assert (report.orders_inserted, report.rejected) == (1, [])
    stored = order(engine, "C1")
    assert (stored["subtotal"], stored["shipping_fee"]) == (240_000, 15_000)


def test_product_prices_with_decimal_zeros(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "p11.csv"
    path.write_text(
        "Tên sản phẩm;Mã SKU;Giá bán;Giá vốn;shops\n"
        f'Áo A;AO-A1;150000,00;"1.250,00";{COUNTER}\n'
        f'Áo C;AO-C1;"150.000,00";1 250;{COUNTER}\n',
        encoding="utf-8",
    )
    report = import_products(owner_ctx, path)
    assert report.rejected == []
    assert [(variant(engine, s)["price"], variant(engine, s)["cost"]) for s in ("AO-A1", "AO-C1")
            ] == [(150_000, 1_250), (150_000, 1_250)]  # fmt: skip
