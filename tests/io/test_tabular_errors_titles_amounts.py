"""The reader on real shop files: Excel error cells, a title above the header (an .xlsx's
title naming a column, a CSV's title line without separators) and whole amounts written
as a Vietnamese or English locale writes them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from primedist.errors import ValidationError
from primedist.io.tabular import Row, open_table, parse_whole_number

#: What a header cell names, as an importer's `rename` reads it (the supplier import's).
ALIASES = {"nhà_cung_cấp": "name", "tên_nhà_cung_cấp": "name", "số_điện_thoại": "phone",
           "nợ_đầu_kỳ": "opening_debt"}  # fmt: skip


def rename(name: str) -> str:
    return ALIASES.get(name, name)


def write_xlsx(path: Path, rows: list[list[object]], *, start_row: int = 1) -> Path:
    """Cells as openpyxl types them: "#N/A" (one of its error codes) is an error cell, as
    Excel saves a VLOOKUP that found nothing; "=…" a formula with no saved value."""
    book = openpyxl.Workbook()
    sheet = book.active
    for r, values in enumerate(rows, start_row):
        for c, value in enumerate(values, 1):
            if value is not None:
                sheet.cell(r, c).value = value
    book.save(path)
    return path


def read_all(path: Path, **kw: object) -> tuple[int, list[str], list[tuple[int, Row]]]:
    with open_table(path, **kw) as table:  # type: ignore[arg-type]
        return table.header_row, table.header, list(table.rows())


def refusal(path: Path, **kw: object) -> str:
    with pytest.raises(ValidationError) as info:
        read_all(path, **kw)
    return str(info.value)


# Excel error cells ---------------------------------------------------------------------
@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?"])
def test_an_excel_error_cell_is_refused_naming_its_row_and_column(
    tmp_path: Path, error: str
) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["Mã SKU", "Giá bán", "Giá vốn"],
        ["AO-1", 99000, 45200],
        ["AO-2", 99000, error],  # a VLOOKUP that found nothing: not "no cost"
    ])  # fmt: skip
    assert refusal(path) == (
        f"row 3, column 'Giá vốn': {error} is an Excel error (a formula that failed, such as "
        "a VLOOKUP that found nothing): fix the cell or clear it"
    )


def test_the_reporters_workbook_with_na_in_cost_and_discount_price(tmp_path: Path) -> None:
    """Excel's own file (shared strings, a VLOOKUP's formula beside its saved #N/A)."""
    path = tmp_path / "p14.xlsx"
    write_xlsx(path, [["Tên sản phẩm", "Mã SKU", "Giá bán", "Giá khuyến mãi", "Giá vốn"],
                      ["Túi tote", "TTVC0008-XAM", 99000, "#N/A", "#N/A"]])  # fmt: skip
    _rewrite_sheet(path, lambda xml: xml.replace(
        b'<c r="D2" t="e"><v>#N/A</v>',
        b'<c r="D2" s="0" t="e"><f>VLOOKUP(B2,Sheet2!A:B,2,0)</f><v>#N/A</v>'))  # fmt: skip
    assert "row 2, column 'Giá khuyến mãi': #N/A is an Excel error" in refusal(path)


def test_error_cells_above_the_header_or_under_no_header_do_not_count(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["BẢNG GIÁ", "#REF!"],  # a title row's broken formula
        ["Tên nhà cung cấp", "Số điện thoại", None],
        ["Gốm Minh Long", "0909112233", "#N/A"],  # a helper column without a header
        ["Nhựa Song Long", "=VLOOKUP(A4,B:B,1,0)", None],  # a formula with no saved value
    ])  # fmt: skip
    header_row, header, rows = read_all(path, required=["name"], rename=rename)
    assert header_row == 2
    assert rows == [(3, ["Gốm Minh Long", "0909112233", ""]), (4, ["Nhựa Song Long", "", ""])]


def test_a_formula_filled_down_past_the_data_does_not_count(tmp_path: Path) -> None:
    """Rows holding nothing but a VLOOKUP's #N/A under the data are blank rows, as they
    read before: the data above imports."""
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["Mã SKU", "Giá bán", "Giá vốn"],
        ["AO-1", 99000, 45200],
        [None, None, "#N/A"],
        [None, None, "#N/A"],
    ])  # fmt: skip
    _, _, rows = read_all(path)
    assert [number for number, cells in rows if any(cells)] == [2]


def test_an_error_cell_is_placed_when_the_sheet_starts_further_right(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", [[None, None, "sku", "cost"], [None, None, "A", 1],
                                           [None, None, "B", "#DIV/0!"]], start_row=3)  # fmt: skip
    assert refusal(path).startswith("row 5, column 'cost': #DIV/0! is an Excel error")


def test_an_error_cell_without_its_reference_is_found_by_its_position(tmp_path: Path) -> None:
    """The format lets a writer leave out a cell's reference (r="B3"): it is the one after."""
    path = write_xlsx(
        tmp_path / "p.xlsx", [["sku", "cost", "price"], ["A", 1, 2], ["B", "#N/A", 3]]
    )
    _rewrite_sheet(path, lambda xml: re.sub(rb' r="[A-C]3"', b"", xml))
    assert refusal(path).startswith("row 3, column 'cost': #N/A is an Excel error")


def _rewrite_sheet(path: Path, change: object) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = change(parts[sheet])  # type: ignore[operator]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


# The header below a title --------------------------------------------------------------
def test_a_title_naming_a_column_is_not_the_header(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s1.xlsx", [
        ["NHÀ CUNG CẤP", None, None],
        ["Tên nhà cung cấp", "Số điện thoại", "Nợ đầu kỳ"],
        ["NCC Test", 912345678, 1250000],
    ])  # fmt: skip
    header_row, header, rows = read_all(path, required=["name"], rename=rename)
    assert header_row == 2
    assert header == ["name", "phone", "opening_debt"]
    assert rows == [(3, ["NCC Test", 912345678.0, 1250000.0])]


def test_a_lone_title_loses_to_a_header_naming_as_many_known_columns(tmp_path: Path) -> None:
    """A header in the template's keys names no alias: the title cell still loses the tie."""
    path = write_xlsx(tmp_path / "s.xlsx", [["Nhà cung cấp"], ["name", "phone", "note"],
                                           ["Gốm", "0909112233", "Nhà cung cấp"]])  # fmt: skip
    header_row, header, rows = read_all(path, required=["name"], rename=rename)
    assert (header_row, header) == (2, ["name", "phone", "note"])
    assert rows == [(3, ["Gốm", "0909112233", "Nhà cung cấp"])]


def test_a_data_row_naming_a_column_does_not_take_the_header(tmp_path: Path) -> None:
    """A header in keys names one known column, and so does a supplier called "Nhà cung
    cấp" below it: the first of them is the header."""
    path = tmp_path / "s.csv"
    path.write_text("name,note\nGốm,x\nNhà cung cấp,sỉ\nSứ,y\n", encoding="utf-8")
    header_row, header, rows = read_all(path, required=["name"], rename=rename)
    assert (header_row, header) == (1, ["name", "note"])
    assert [number for number, _cells in rows] == [2, 3, 4]


def test_without_required_columns_the_first_row_is_the_header(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("name\nGốm,extra\nSứ,more\n", encoding="utf-8")
    assert read_all(path)[:2] == (1, ["name"])


@pytest.mark.parametrize(
    "title",
    ["DANH SÁCH ĐƠN HÀNG THÁNG 12", "DANH SÁCH ĐƠN HÀNG, THÁNG 12", "Xuất ngày 01/12/2026\t"],
)
def test_a_csv_title_line_does_not_decide_the_separator(tmp_path: Path, title: str) -> None:
    path = tmp_path / "o3.csv"
    path.write_text(
        f"\ufeff{title}\n"
        "order_id;order_date;shop;status;sku;quantity;unit_price\n"
        "C1;01/12/2026;Cửa hàng Test;completed;AO-X1;1;120000\n",
        encoding="utf-8",
    )
    header_row, header, rows = read_all(path, required=["order_id", "sku", "quantity"])
    assert header_row == 2
    assert header == ["order_id", "order_date", "shop", "status", "sku", "quantity",
                      "unit_price"]  # fmt: skip
    assert rows == [(3, ["C1", "01/12/2026", "Cửa hàng Test", "completed", "AO-X1", "1",
                         "120000"])]  # fmt: skip


def test_the_separator_of_a_header_alone_under_a_title(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Đơn hàng, tháng 12\n\norder_id;sku\nA;B\n", encoding="utf-8")
    assert read_all(path, required=["sku"])[1:] == (["order_id", "sku"], [(4, ["A", "B"])])


# Whole amounts as a locale writes them --------------------------------------------------
@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("150000,00", 150_000),
        ("150000,0", 150_000),
        ("150000.00", 150_000),
        ("150.000,00", 150_000),
        ("1.250.000,00", 1_250_000),
        ("1,250,000.00", 1_250_000),
        ("1.250,00", 1_250),
        ("150 000", 150_000),
        ("1 250 000", 1_250_000),
        ("1\u00a0250\u00a0000", 1_250_000),  # a non-breaking space, as Excel's format puts
        ("1\u202f250\u202f000,00", 1_250_000),
        ("150 000,00", 150_000),
        ("-1.250.000,00", -1_250_000),
        ("12,00", 12),
    ],
)
def test_whole_amounts_in_locale_forms(text: str, number: int) -> None:
    assert parse_whole_number(text) == number


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("150000,50", "'150000,50' is not a whole number"),
        ("150.000,50", "'150.000,50' is not a whole number"),
        ("1,250,000.5", "'1,250,000.5' is not a whole number"),
        ("150 000,5", "'150 000,5' is not a whole number"),
        ("12.000", "'12.000' has a thousands separator: write the plain number (12000)"),
        ("1,250,000", "'1,250,000' has a thousands separator: write the plain number (1250000)"),
        ("1.250.000", "'1.250.000' has a thousands separator: write the plain number (1250000)"),
        ("1.250.000.00", "'1.250.000.00' is not a number"),  # one separator for both
        ("1 250.000", "'1 250.000' is not a number"),  # two kinds of thousands separator
        ("12 34", "'12 34' is not a number"),
        ("1.250,000", "has a thousands separator"),  # 1250 or 1,250,000?
    ],
)
def test_amounts_that_are_not_whole_or_are_ambiguous(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_whole_number(text)
    assert reason in str(info.value)
