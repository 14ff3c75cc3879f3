"""The streaming .xlsx writer: typed cells, formula neutralising, abort leaves nothing."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from primedist.io.xlsx_writer import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    MONEY_FORMAT,
    XlsxColumn,
    XlsxStreamWriter,
    neutralise,
    unneutralise,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

COLUMNS = [
    XlsxColumn("Mã đơn hàng", "text", 20),
    XlsxColumn("Số điện thoại", "text"),
    XlsxColumn("Số SP", "int", 8),
    XlsxColumn("Tổng tiền", "money"),
    XlsxColumn("Ngày đặt", "datetime", 17),
    XlsxColumn("Ngày giao", "date"),
    XlsxColumn("Đánh dấu", "bool"),
]


def write(path: Path, rows: list[list[Any]], columns: list[XlsxColumn] = COLUMNS) -> Path:
    with XlsxStreamWriter(path, columns, sheet_name="Đơn hàng", tz=HCM) as writer:
        writer.write_rows(rows)
    return path


def excel_unescape(text: str) -> str:
    """Undo Excel's `_xHHHH_` escape of control characters (openpyxl leaves it as is)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    ws = load_workbook(path).active
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_typed_cells_round_trip(tmp_path: Path) -> None:
    placed = datetime(2026, 3, 1, 17, 30, 15, tzinfo=UTC)  # 00:30:15 on 2 March in HCM
    rows = [
        ["0241105123456", "0939921717", 3, 1_234_567_890, placed, date(2026, 3, 4), True],
        ["DH01", "84*****89", 0, 0, datetime(2026, 1, 2, 8, 5), None, False],
        ["00123", None, None, None, None, None, None],
    ]
    path = write(tmp_path / "typed.xlsx", rows)
    wb = load_workbook(path)
    ws = wb.active
    assert ws.title == "Đơn hàng"
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == pytest.approx(20, abs=1)

    order_id, phone, items, total, when, day, flagged = ws[2]
    # Digits stay text: leading zeros kept, never a number.
    assert (order_id.data_type, order_id.value) == ("s", "0241105123456")
    assert (phone.data_type, phone.value) == ("s", "0939921717")
    assert (items.data_type, items.value) == ("n", 3)
    assert (total.data_type, total.value, total.number_format) == ("n", 1_234_567_890, MONEY_FORMAT)
    assert when.is_date and when.number_format == DATETIME_FORMAT
    assert when.value == datetime(2026, 3, 2, 0, 30, 15)  # local time, naive
    assert day.is_date and day.number_format == DATE_FORMAT
    assert day.value == datetime(2026, 3, 4)
    assert flagged.value is True

    second = [c.value for c in ws[3]]
    assert second == ["DH01", "84*****89", 0, 0, datetime(2026, 1, 2, 8, 5), None, False]
    assert [c.value for c in ws[4]] == ["00123", None, None, None, None, None, None]
    assert ws.max_row == 4


@pytest.mark.parametrize(
    "hostile",
    [
        '=HYPERLINK("http://evil.example","Bấm vào đây")',
        "=1+1",
        "+84939921717",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=cmd|' /C calc'!A0",
        "\r=1+1",
        "'=SUM sale",  # already quoted: one more, as the imports take one off
        "'-20% tuần này",
    ],
)
def test_formula_text_is_neutralised(tmp_path: Path, hostile: str) -> None:
    assert neutralise(hostile) == "'" + hostile
    assert unneutralise(neutralise(hostile)) == hostile  # what the imports read back
    path = write(
        tmp_path / "hostile.xlsx",
        [[hostile, hostile, 1, 1, None, None, None]],
        COLUMNS,
    )
    ws = load_workbook(path).active
    for cell in ws[2][:2]:
        assert cell.data_type == "s"
        assert cell.value.startswith("'")
        assert excel_unescape(cell.value) == "'" + hostile


@pytest.mark.parametrize(
    "safe", ["Nguyễn Thị Hoa", "a=b", "0939921717", "2+2", "", "Đ=1", "'", "'quoted'"]
)
def test_ordinary_text_is_unchanged(safe: str) -> None:
    assert neutralise(safe) == safe
    assert unneutralise(safe) == safe


def test_enum_and_other_objects_are_written_as_text(tmp_path: Path) -> None:
    from primedist.domain.enums import OrderStatus

    path = write(
        tmp_path / "enum.xlsx",
        [[OrderStatus.COMPLETED, 12345, None, None, None, None, None]],
    )
    ws = load_workbook(path).active
    assert (ws["A2"].data_type, ws["A2"].value) == ("s", "completed")
    assert (ws["B2"].data_type, ws["B2"].value) == ("s", "12345")


def test_many_rows_stream(tmp_path: Path) -> None:
    n = 5_000
    with XlsxStreamWriter(tmp_path / "many.xlsx", COLUMNS[:4]) as writer:
        for i in range(n):
            writer.write_row([f"DH{i:06d}", f"09{i:08d}", i % 5, i * 1_000])
    assert writer.rows == n
    rows = sheet_rows(tmp_path / "many.xlsx")
    assert len(rows) == n + 1
    assert rows[-1] == (f"DH{n - 1:06d}", f"09{n - 1:08d}", (n - 1) % 5, (n - 1) * 1_000)


def test_file_appears_only_on_close(tmp_path: Path) -> None:
    path = tmp_path / "late.xlsx"
    writer = XlsxStreamWriter(path, COLUMNS[:1])
    writer.write_row(["x"])
    assert not path.exists()
    writer.close()
    assert path.is_file()
    writer.close()  # closing twice is harmless


def test_abort_leaves_no_file_and_no_temp_data(tmp_path: Path) -> None:
    path = tmp_path / "aborted.xlsx"
    with pytest.raises(RuntimeError), XlsxStreamWriter(path, COLUMNS[:1]) as writer:
        for i in range(100):
            writer.write_row([f"row {i}"])
        tmpdir = writer._tmpdir
        assert os.listdir(tmpdir)  # the row data is being streamed there
        raise RuntimeError("stop")
    assert not path.exists()
    assert not Path(tmpdir).exists()
    assert list(tmp_path.iterdir()) == []


def test_close_removes_temp_data(tmp_path: Path) -> None:
    writer = XlsxStreamWriter(tmp_path / "ok.xlsx", COLUMNS[:1])
    writer.write_row(["x"])
    writer.close()
    assert not Path(writer._tmpdir).exists()


def test_row_length_must_match_columns(tmp_path: Path) -> None:
    with pytest.raises(ValueError), XlsxStreamWriter(tmp_path / "bad.xlsx", COLUMNS) as writer:
        writer.write_row(["only one"])
    assert not (tmp_path / "bad.xlsx").exists()


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        XlsxColumn("X", "currency")


def test_a_sheet_holds_max_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from primedist.errors import ValidationError
    from primedist.io import xlsx_writer

    monkeypatch.setattr(xlsx_writer, "MAX_ROWS", 3)
    path = tmp_path / "full.xlsx"
    with (
        pytest.raises(ValidationError, match="at most 3 rows"),
        XlsxStreamWriter(path, COLUMNS[:1]) as writer,
    ):
        for i in range(4):
            writer.write_row([str(i)])
    assert writer.rows == 3
    assert not path.exists()
