"""Importers given files as a shop's spreadsheet makes them, on a real migrated store: a
title above the header of a products or customers file; a SKU or barcode Excel rounded; a
supplier's tax code that lost its leading 0 in a number cell; errors naming a column as
the file writes it (MST, Giá nhập) and keeping their message for the user's language; a
birthday of today, early in the morning shop time."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from primedist.core.clock import FixedClock
from primedist.core.messages import Message
from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerPhone
from primedist.domain.product import Variant
from primedist.domain.supplier import Supplier
from primedist.errors import ValidationError
from primedist.services import goods_receipts as gr
from primedist.services import suppliers as sup
from primedist.services.context import ServiceContext
from primedist.services.customer_import import import_customers, read_preview
from primedist.services.product_import import import_products
from tests.services.test_goods_receipts import goods  # noqa: F401  (fixture)

customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
variants_t = table_of(Variant)
suppliers_t = table_of(Supplier)

NOT_EXACT = (
    "is not an exact id: Excel stored it as a number and dropped digits; format the column "
    "as text and type the ids again"
)


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def variants(ctx: ServiceContext) -> dict[str, str | None]:
    with ctx.engine.connect() as conn:
        return dict(conn.execute(sa.select(variants_t.c.sku, variants_t.c.barcode)).all())


# Products ---------------------------------------------------------------------------------


def test_a_products_file_with_a_title_above_its_header_imports(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """The tester's p5_title_keys.xlsx (template keys) and a title over the Vietnamese
    headers of the export: the header is found below it; rows keep their sheet numbers."""
    keys = write_xlsx(tmp_path / "keys.xlsx", [
        ["DANH SÁCH SẢN PHẨM THÁNG 11"],
        [],
        ["product_name", "sku", "price", "stock"],
        ["Áo thun", "AT-1", 100_000, 5],
    ])  # fmt: skip
    report = import_products(owner_ctx, keys)
    assert (report.products_created, report.rejected) == (1, [])
    vietnamese = write_xlsx(tmp_path / "vi.xlsx", [
        ["Cửa hàng Prime", None, None],
        ["Tên sản phẩm", "Mã SKU", "Giá bán"],
        ["Cốc sứ", "COC-1", 45_000],
        ["Đĩa sứ", "DIA-1", "năm mươi"],
    ])  # fmt: skip
    report = import_products(owner_ctx, vietnamese)
    assert report.products_created == 1
    ((row, column, reason),) = [(r.row, r.column, r.reason) for r in report.rejected]
    assert (row, column) == (4, "Giá bán") and "is not a number" in reason
    assert set(variants(owner_ctx)) == {"AT-1", "COC-1"}


def test_a_title_naming_no_required_column_is_still_refused_by_its_header(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", [["Sản phẩm"], ["Tên sản phẩm", "Giá bán"],
                                            ["Cốc", 1]])  # fmt: skip
    with pytest.raises(ValidationError) as info:
        import_products(owner_ctx, path)
    assert info.value.column == "product_name"
    assert "has no such column in its header (row 1)" in info.value.user_message


def test_a_sku_or_barcode_excel_rounded_is_refused(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """The tester's p12_sci.csv: Excel's "Save as CSV" wrote long codes in scientific
    notation; an .xlsx number cell of 16 digits or more lost its last ones."""
    saved = write_csv(tmp_path / "sci.csv", [
        ["Tên sản phẩm", "Mã SKU", "Mã vạch", "Giá bán"],
        ["Áo Z", "AO-Z1", "8.93505E+12", 100_000],
        ["Áo Y", "5.76461E+17", "", 100_000],
        ["Áo X", "AO-X1", "8935049510017", 100_000],
    ])  # fmt: skip
    report = import_products(owner_ctx, saved)
    assert [(r.row, r.column, r.reason) for r in report.rejected] == [
        (2, "Mã vạch", f"'8.93505E+12' {NOT_EXACT}"),
        (3, "Mã SKU", f"'5.76461E+17' {NOT_EXACT}"),
    ]
    book = write_xlsx(tmp_path / "long.xlsx", [
        ["product_name", "sku", "barcode", "price"],
        ["Cốc A", 1234567890123456789, None, 1_000],  # 19 digits: kept as 1.23456789012346E+18
        ["Cốc B", "COC-B", 1234567890123456, 1_000],  # 16 digits
        ["Cốc C", 893504951001, 8935049510024, 1_000],  # 12 and 13 digits: exact
    ])  # fmt: skip
    report = import_products(owner_ctx, book)
    assert [(r.row, r.column) for r in report.rejected] == [(2, "sku"), (3, "barcode")]
    assert all(NOT_EXACT in r.reason for r in report.rejected)
    assert variants(owner_ctx) == {"AO-X1": "8935049510017", "893504951001": "8935049510024"}


# Customers --------------------------------------------------------------------------------

TITLED = [
    ["DANH SÁCH KHÁCH HÀNG"],
    ["Xuất ngày 20/11/2026"],
    ["Tên khách hàng", "Số điện thoại", "Ghi chú"],
    ["Nguyễn Văn Test", "0912345678", "khách quen"],
    ["Trần B", "0987654321", ""],
]


def customers(ctx: ServiceContext) -> dict[str, list[str]]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(customers_t.c.name, phones_t.c.phone).select_from(
                customers_t.outerjoin(phones_t, phones_t.c.customer_id == customers_t.c.id)
            )
        ).all()
    out: dict[str, list[str]] = {}
    for name, phone in rows:
        out.setdefault(name, []).extend([phone] if phone else [])
    return out


def test_a_customers_file_with_a_title_previews_and_imports_below_it(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """The tester's c1_title.xlsx: the wizard's preview shows the real header and rows (not
    the title as the only column), and the import finds every name and phone."""
    path = write_xlsx(tmp_path / "c1_title.xlsx", TITLED)
    preview = read_preview(path)
    assert preview.headers == ["Tên khách hàng", "Số điện thoại", "Ghi chú"]
    assert preview.numbers == [4, 5]
    assert preview.rows[0] == ["Nguyễn Văn Test", "0912345678", "khách quen"]
    assert preview.guessed_mapping == {"name": "Tên khách hàng", "phone": "Số điện thoại",
                                       "note": "Ghi chú"}  # fmt: skip
    report = import_customers(owner_ctx, path, on_duplicate="skip")
    assert (report.imported, report.rejected) == (2, [])
    assert customers(owner_ctx) == {"Nguyễn Văn Test": ["0912345678"], "Trần B": ["0987654321"]}


def test_a_titled_customers_file_with_a_mapping_finds_the_mapped_name_header(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """A name header no guess knows ("Khách"), mapped by the user (--map name=Khách)."""
    rows = [["Khách hàng tháng 11"], ["Khách", "ĐT"], ["Lê C", "0912000111"]]
    path = write_csv(tmp_path / "c.csv", rows)
    report = import_customers(owner_ctx, path, mapping={"name": "Khách", "phone": "ĐT"})
    assert report.imported == 1
    assert customers(owner_ctx) == {"Lê C": ["0912000111"]}
    # Without a title, such a file still previews for the wizard's mapping.
    untitled = write_csv(tmp_path / "u.csv", rows[1:])
    assert (read_preview(untitled).headers, read_preview(untitled).guessed_mapping) == (
        ["Khách", "ĐT"],
        {"phone": "ĐT"},
    )


def test_two_name_headers_are_not_a_repeated_column(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """Họ tên and Tên both name a name column: the first is read, as before, and the
    preview calls neither repeated."""
    path = write_csv(tmp_path / "c.csv", [["Họ tên", "Tên", "SĐT"],
                                          ["Phạm Thị Dung", "Dung", "0912000222"]])  # fmt: skip
    assert read_preview(path).repeated == {}
    assert import_customers(owner_ctx, path).imported == 1
    assert customers(owner_ctx) == {"Phạm Thị Dung": ["0912000222"]}


def test_a_birthday_of_today_early_in_the_morning_shop_time_is_kept(
    owner_ctx: ServiceContext, clock: FixedClock, tmp_path: Path
) -> None:
    """06:00 on 20/11/2026 in Vietnam is 23:00 on the 19th in UTC: the shop's today is
    the 20th, and a birthday of the 20th is possible; the 21st is not."""
    clock.set(datetime(2026, 11, 19, 23, 0, tzinfo=UTC))
    path = write_csv(tmp_path / "b.csv", [["Họ tên", "SĐT", "Ngày sinh"],
                                          ["Bé Na", "0912000333", "20/11/2026"],
                                          ["Bé Mai", "0912000444", "21/11/2026"]])  # fmt: skip
    report = import_customers(owner_ctx, path)
    assert report.imported == 2
    with owner_ctx.engine.connect() as conn:
        born = dict(conn.execute(sa.select(customers_t.c.name, customers_t.c.birthday)).all())
    assert born == {"Bé Na": date(2026, 11, 20), "Bé Mai": None}
    assert [(n.row, n.column) for n in report.notes] == [(3, "Ngày sinh")]
    assert "21/11/2026 is not a possible birthday" in report.notes[0].reason


# Suppliers --------------------------------------------------------------------------------


def tax_codes(ctx: ServiceContext) -> dict[str, str | None]:
    with ctx.engine.connect() as conn:
        return dict(conn.execute(sa.select(suppliers_t.c.name, suppliers_t.c.tax_code)).all())


def test_a_tax_code_excel_stored_as_a_number_gets_its_leading_zero_back(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """The tester's s2.xlsx: MST 0101234567 typed into a number cell is 101234567; a
    branch's 0101234567001 (no dash) is 101234567001."""
    path = write_xlsx(tmp_path / "s2.xlsx", [
        ["Tên nhà cung cấp", "MST"],
        ["NCC Một", 101234567],
        ["NCC Hai", 101234567001],
        ["NCC Ba", "0312345678-001"],
        ["NCC Bốn", 3012345678],
    ])  # fmt: skip
    assert sup.import_suppliers(owner_ctx, path).created == 4
    assert tax_codes(owner_ctx) == {
        "NCC Một": "0101234567",
        "NCC Hai": "0101234567001",
        "NCC Ba": "0312345678-001",
        "NCC Bốn": "3012345678",
    }


@pytest.mark.parametrize(
    ("rows", "column", "reason"),
    [
        # Text is taken as typed: 9 digits are no tax code.
        ([["Tên nhà cung cấp", "MST"], ["NCC", "101234567"]], "MST",
         "A tax code has 10 digits (a branch's 13, as 0101234567-001): 101234567 is not one."),
        # A number cell of another length is no tax code that lost a 0.
        ([["Tên nhà cung cấp", "MST"], ["NCC", 10123456]], "MST",
         "A tax code has 10 digits (a branch's 13, as 0101234567-001): 10123456 is not one."),
        ([["Tên nhà cung cấp", "Nợ đầu kỳ"], ["NCC", "1 triệu"]], "Nợ đầu kỳ",
         "'1 triệu' is not a number"),
        ([["Tên nhà cung cấp", "Nợ đầu kỳ"], ["NCC", 200_000_000_000]], "Nợ đầu kỳ",
         "must be -100,000,000,000 to 100,000,000,000."),
        ([["Nhà cung cấp", "Email"], ["NCC", "x@"]], "Email", "x@ is not an email address."),
        ([["Tên nhà cung cấp"], ["NCC"], ["ncc"]], "Tên nhà cung cấp",
         "ncc is on rows 2 and 3: keep one."),
    ],
)  # fmt: skip
def test_supplier_import_errors_name_the_column_as_the_file_does(
    owner_ctx: ServiceContext, tmp_path: Path, rows: list[list[Any]], column: str, reason: str
) -> None:
    path = write_xlsx(tmp_path / "ncc.xlsx", rows)
    with pytest.raises(ValidationError) as info:
        sup.import_suppliers(owner_ctx, path)
    assert (info.value.row, info.value.column, info.value.reason) == (len(rows), column, reason)
    assert tax_codes(owner_ctx) == {}


# Goods receipt lines ----------------------------------------------------------------------


@pytest.mark.usefixtures("goods")
@pytest.mark.parametrize(
    ("text", "column", "template"),
    [
        ("Mã SKU,Số lượng,Giá nhập\nAT-S,2,1.250.000\n", "Giá nhập",
         "{cell} has a thousands separator: write the plain number ({plain})"),
        ("Mã SKU,Số lượng\nAT-S,2 cái\n", "Số lượng", "{cell} is not a number"),
        ("Mã SKU,Số lượng\nAT-S,0\n", "Số lượng", "must be {low} to {high} (got {value})."),
        ("Mã SKU,Số lượng\nKHONG-CO,1\n", "Mã SKU", "No product has the SKU or barcode {codes}."),
        ("ma sku,SO LUONG,Giá vốn\nAT-S,1,5\nAT-S,1,6\n", "Giá vốn",
         "SKU {sku} is on rows {first} and {second} with different unit costs: give one."),
    ],
)  # fmt: skip
def test_a_bad_receipt_line_keeps_its_message_and_names_the_files_column(
    owner_ctx: ServiceContext, tmp_path: Path, text: str, column: str, template: str
) -> None:
    """The tester's r1.csv and r3.csv: the reason is the service's Message (the UI shows it
    in Vietnamese), the column as the file has it."""
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        gr.read_receipt_file(owner_ctx, path)
    reason = info.value.reason
    assert isinstance(reason, Message) and reason.template == template
    assert info.value.column == column
