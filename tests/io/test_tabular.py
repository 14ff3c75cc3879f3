"""The generic .csv/.xlsx reader: header rules, row numbers, file-level refusals, cell values."""

from __future__ import annotations

import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from primedist.errors import ValidationError
from primedist.io import tabular
from primedist.io.tabular import (
    cell_text,
    normalize_header,
    open_table,
    parse_datetime,
    parse_whole_number,
)


def read_all(path: Path, **kw: object) -> tuple[list[str], list[tuple[int, list[object]]]]:
    with open_table(path, **kw) as table:  # type: ignore[arg-type]
        return table.header, list(table.rows())


def write_xlsx(path: Path, rows: list[list[object]], *, start_row: int = 1) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for r, values in enumerate(rows, start_row):
        for c, value in enumerate(values, 1):
            if value is not None:
                sheet.cell(r, c).value = value
    book.save(path)
    return path


# Header and rows -----------------------------------------------------------------------
def test_header_is_trimmed_case_insensitive_and_spaces_read_as_underscores() -> None:
    assert normalize_header("  Order ID ") == "order_id"
    assert normalize_header("UNIT_PRICE") == "unit_price"
    assert normalize_header("") == ""


def test_csv_rows_carry_spreadsheet_row_numbers_and_skip_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("\n Order ID ,SKU,Extra\nA1,S1\n\n , ,\nA2,S2,x,overflow\n", encoding="utf-8")
    with open_table(path, required=["order_id", "sku"]) as table:
        assert table.header == ["order_id", "sku", "extra"]
        assert table.columns == {"order_id": 0, "sku": 1, "extra": 2}
        assert table.header_row == 2
        rows = list(table.rows())
        assert table.rows_read == 2
        assert table.fraction == 1.0
    # Short rows are padded, long rows cut to the header's width.
    assert rows == [(3, ["A1", "S1", ""]), (6, ["A2", "S2", "x"])]


def test_quoted_newlines_keep_record_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('a,b\n"line one\nline two",1\nnext,2\n', encoding="utf-8")
    _header, rows = read_all(path)
    assert rows == [(2, ["line one\nline two", "1"]), (3, ["next", "2"])]


@pytest.mark.parametrize(("delimiter", "suffix"), [(";", "csv"), ("\t", "csv"), (",", "csv"),
                                                  ("\t", "txt"), (",", "txt")])  # fmt: skip
def test_delimiter_is_sniffed_from_the_header(tmp_path: Path, delimiter: str, suffix: str) -> None:
    path = tmp_path / f"a.{suffix}"
    text = delimiter.join(["order_id", "note", "unit_price"]) + "\n"
    text += delimiter.join(["A1", '"a, b; c"', "12000"]) + "\n"
    path.write_text(text, encoding="utf-8")
    header, rows = read_all(path)
    assert header == ["order_id", "note", "unit_price"]
    assert rows == [(2, ["A1", "a, b; c", "12000"])]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("\ufefforder_id,tên\nA1,Đặng Văn Đạt\n".encode())
    header, rows = read_all(path)
    assert header == ["order_id", "tên"]
    assert rows == [(2, ["A1", "Đặng Văn Đạt"])]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_text_typed_with_combining_marks_reads_as_precomposed(
    tmp_path: Path, suffix: str
) -> None:
    """"Unicode tổ hợp" (a Vietnamese keyboard setting): the same letters, one form."""
    composed = "Cửa hàng Quận 1"
    combining = unicodedata.normalize("NFD", composed)
    assert combining != composed
    if suffix == ".csv":
        path = tmp_path / "a.csv"
        path.write_text(f"shop,qty\n{combining},2\n", encoding="utf-8")
    else:
        path = write_xlsx(tmp_path / "a.xlsx", [["shop", "qty"], [combining, 2]])
    _header, rows = read_all(path)
    assert rows[0][1][0] == composed


def test_xlsx_cells_keep_their_types_and_row_numbers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["Order ID", "Qty", "Day", "When", None],
            ["A1", 2, date(2026, 1, 5), datetime(2026, 1, 5, 10, 30), None],
            [None, None, None, None, None],
            [12345, 1.5, "05/01/2026", None, None],
        ],
        start_row=3,
    )
    with open_table(path) as table:
        assert table.header_row == 3
        assert table.columns == {"order_id": 0, "qty": 1, "day": 2, "when": 3}
        rows = list(table.rows())
    assert rows[0] == (4, ["A1", 2.0, date(2026, 1, 5), datetime(2026, 1, 5, 10, 30)])
    assert rows[1][0] == 6
    assert rows[1][1][:3] == [12345.0, 1.5, "05/01/2026"]


def test_xlsx_formula_looking_text_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "name"
    cell = sheet["A2"]
    cell.value = '=HYPERLINK("http://evil.example","Bấm")'
    cell.data_type = "s"
    book.save(path)
    _header, rows = read_all(path)
    assert rows == [(2, ['=HYPERLINK("http://evil.example","Bấm")'])]


# File-level refusals -------------------------------------------------------------------
def refusal(path: Path, **kw: object) -> str:
    with pytest.raises(ValidationError) as info:
        read_all(path, **kw)
    return info.value.user_message


def test_missing_file(tmp_path: Path) -> None:
    assert "File not found" in refusal(tmp_path / "nope.csv")


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    assert "is not a file" in refusal(tmp_path / "dir.csv")


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    path.write_text("order_id\nA1\n")
    assert "unsupported file type '.json'; use .xlsx, .csv or .txt" in refusal(path)


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", "\ufeff".encode()])
def test_empty_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    assert "is empty" in refusal(path)


def test_header_only(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("order_id,sku\n\n")
    assert "has a header but no data rows" in refusal(path)


def test_header_only_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [["order_id", "sku"]])
    assert "has a header but no data rows" in refusal(path)


def test_empty_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [])
    assert "is empty" in refusal(path)


def test_duplicate_header_names_both_columns(tmp_path: Path) -> None:
    """Quoted as written and named by the letters the spreadsheet shows."""
    path = tmp_path / "a.csv"
    path.write_text("Order ID,SKU,order_id\nA1,S1,A2\n")
    with pytest.raises(ValidationError) as info:
        read_all(path)
    assert info.value.row == 1
    assert info.value.column == "Order ID"
    assert "appears twice in the header" in info.value.user_message
    assert "columns A and C" in info.value.user_message


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("order_id,quantity\nA1,1\n")
    with pytest.raises(ValidationError) as info:
        read_all(path, required=["order_id", "sku", "quantity"])
    assert info.value.column == "sku"
    assert "column 'sku'" in info.value.user_message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("order_id,name\nA1,Crème brûlée\n".encode("latin-1"))
    message = refusal(path)
    assert "is not UTF-8 text" in message
    assert "CSV UTF-8" in message


def test_not_utf8_far_into_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    good = "".join(f"A{i},ok\n" for i in range(5_000))
    path.write_bytes(("order_id,name\n" + good).encode() + b"A9,caf\xe9\n")
    assert "is not UTF-8 text" in refusal(path)


def test_a_text_file_named_xlsx_is_not_excel(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    path.write_text("order_id,sku\nA1,S1\n")
    assert "is not a real Excel file" in refusal(path)


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "cannot be read as an Excel file" in refusal(path)


def test_a_truncated_workbook(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [["order_id"], ["A1"]])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:2_000])
    assert "cannot be read as an Excel file" in refusal(path)


def test_a_workbook_that_unpacks_too_big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [["order_id"], ["A1"]])
    assert read_all(path)[1] == [(2, ["A1"])]
    monkeypatch.setattr(tabular, "MAX_UNPACKED_BYTES", 1_000)
    assert "a.xlsx unpacks to 0 MB: the limit is 0 MB" in refusal(path)


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.csv"
    path.write_text("order_id\n" + "A1\n" * 1000)
    assert read_all(path)[1][0] == (2, ["A1"])
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 1_000)
    message = refusal(path)
    assert "a.csv is 0 MB: the limit is 0 MB; split it into smaller files" == message
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 200 * 1_048_576)
    assert len(read_all(path)[1]) == 1000
    assert "split it into smaller files" in refusal(path, max_bytes=100)


def test_row_limit_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.csv"
    path.write_text("order_id\nA1\nA2\nA3\n")
    assert len(read_all(path, max_rows=3)[1]) == 3
    monkeypatch.setattr(tabular, "MAX_DATA_ROWS", 2)
    assert "more than 2 data rows" in refusal(path)


def test_row_limit_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [["order_id"], ["A1"], ["A2"], ["A3"]])
    assert "more than 2 data rows" in refusal(path, max_rows=2)


# Cell values ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("  Áo thun  ", "Áo thun"),
        (12345.0, "12345"),
        (939921717.0, "939921717"),
        (1.5, "1.5"),
        (7, "7"),
        (True, "TRUE"),
        (datetime(2026, 1, 5, 10, 30), "2026-01-05 10:30:00"),
        (date(2026, 1, 5), "2026-01-05"),
        (None, ""),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "number"),
    [("12000", 12000), (" 12000 ", 12000), ("12000.0", 12000), ("12000.00", 12000),
     (12000, 12000), (12000.0, 12000), ("-5", -5), ("+7", 7), ("0", 0)],
)  # fmt: skip
def test_whole_numbers(value: object, number: int) -> None:
    assert parse_whole_number(value) == number  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("12.5", "'12.5' is not a whole number"),
        (12.5, "12.5 is not a whole number"),
        ("12.000", "thousands separator: write the plain number (12000)"),
        ("1,250,000", "thousands separator: write the plain number (1250000)"),
        ("abc", "'abc' is not a number"),
        ("", "'' is not a number"),
        (True, "TRUE is not a number"),
        (float("nan"), "nan is not a whole number"),
        (float("inf"), "inf is not a whole number"),
        ("1e5", "'1e5' is not a whole number"),
        (date(2026, 1, 5), "'2026-01-05' is not a number"),
    ],
)
def test_not_whole_numbers(value: object, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_whole_number(value)  # type: ignore[arg-type]
    assert reason in str(info.value)


@pytest.mark.parametrize(
    ("value", "when"),
    [
        ("2026-01-31", datetime(2026, 1, 31)),
        ("2026-01-31 14:05", datetime(2026, 1, 31, 14, 5)),
        ("2026-01-31 14:05:30", datetime(2026, 1, 31, 14, 5, 30)),
        ("2026-01-31T14:05:30", datetime(2026, 1, 31, 14, 5, 30)),
        ("31/01/2026", datetime(2026, 1, 31)),
        ("1/2/2026", datetime(2026, 2, 1)),
        ("31/01/2026 14:05", datetime(2026, 1, 31, 14, 5)),
        ("31/01/2026 14:05:30", datetime(2026, 1, 31, 14, 5, 30)),
        (date(2026, 1, 31), datetime(2026, 1, 31)),
        (datetime(2026, 1, 31, 9, 0), datetime(2026, 1, 31, 9, 0)),
    ],
)
def test_dates(value: object, when: datetime) -> None:
    assert parse_datetime(value) == when  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("31/02/2026", "'31/02/2026' is not a real date and time"),
        ("2026-01-31 25:00", "is not a real date and time"),
        ("01/31/2026", "is not a real date and time"),
        ("yesterday", "'yesterday' is not a date (use YYYY-MM-DD or DD/MM/YYYY"),
        ("2026/01/31", "is not a date"),
        (45000.0, "45000 is a number, not a date: format the cell as a date"),
        ("0001-01-01", "'0001-01-01' is not a possible date (the year must be 1900–2999)"),
        ("31/12/9999 23:59", "is not a possible date"),
        (date(1899, 12, 31), "is not a possible date"),
    ],
)
def test_not_dates(value: object, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_datetime(value)  # type: ignore[arg-type]
    assert reason in str(info.value)
