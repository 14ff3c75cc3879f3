"""The reader against files as shops hand them over: changed while being read (saved
again, synced), merged cells in an .xlsx, a title above the header."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from primedist.errors import ValidationError
from primedist.io.tabular import open_table

CHANGED = "changed while it was being read (saved again or synced?): nothing was imported"


def big_csv(path: Path, rows: int = 20_000) -> Path:
    """More than the reader's read-ahead, so a change made after the first row is met."""
    lines = ["order_id,sku,quantity"] + [f"DH{n:06},AO-{n % 50},1" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_changing(path: Path, change: Callable[[Path], object]) -> int:
    """Read every row, calling `change(path)` once after the first; the rows read."""
    with open_table(path, required=["order_id"]) as table:
        for n, _row in enumerate(table.rows(), 1):
            if n == 1:
                change(path)
        return table.rows_read


def cut_at_a_line(path: Path) -> None:
    data = path.read_bytes()
    with path.open("r+b") as f:
        f.truncate(data.rfind(b"\n", 0, len(data) // 2) + 1)


def append_rows(path: Path) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write("DH999999,AO-1,1\n")


def rewrite_in_place(path: Path) -> None:
    """Same size, other content (a sync rewriting the file): only the time tells."""
    data = path.read_bytes()
    path.write_bytes(data.replace(b"AO-1,", b"AO-2,"))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize("change", [cut_at_a_line, append_rows, rewrite_in_place])
def test_a_csv_changed_while_read_is_refused(
    tmp_path: Path, change: Callable[[Path], None]
) -> None:
    path = big_csv(tmp_path / "chg.csv")
    with pytest.raises(ValidationError) as info:
        read_changing(path, change)
    assert info.value.user_message.startswith(f"chg.csv {CHANGED}")


def test_a_csv_left_alone_reads_whole(tmp_path: Path) -> None:
    assert read_changing(big_csv(tmp_path / "ok.csv"), lambda _path: None) == 20_000


def test_a_file_moved_away_while_read_is_refused(tmp_path: Path) -> None:
    path = big_csv(tmp_path / "gone.csv")
    with pytest.raises(ValidationError, match=re.escape(CHANGED)):
        read_changing(path, lambda p: p.rename(p.with_name("elsewhere.csv")))


def test_an_xlsx_saved_again_while_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "o.xlsx"
    book = openpyxl.Workbook()
    for n in range(5):
        book.active.append(["order_id", "sku"] if n == 0 else [f"DH{n}", "AO"])
    book.save(path)

    def save_again(p: Path) -> None:
        book.active.append(["DH9", "AO"])
        book.save(p)
        st = p.stat()
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))

    with pytest.raises(ValidationError, match="o.xlsx changed while it was being read"):
        read_changing(path, save_again)


# Merged cells --------------------------------------------------------------------------
def test_merged_cells_read_down_the_merged_rows(tmp_path: Path) -> None:
    """An order's columns merged over its two lines, the sheet starting at column B (so
    calamine's rows start there too), and a range over two columns and two rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    rows: list[list[object]] = [["order_id", "shop", "note", "x", "sku"],
            ["DH1", "Shop A", "gift", None, "AO-1"],
            [None, None, None, None, "AO-2"],
            ["DH2", "Shop B", None, None, "AO-3"]]  # fmt: skip
    for r, values in enumerate(rows, 1):
        for c, value in enumerate(values, 2):
            if value is not None:
                sheet.cell(r, c).value = value
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("C2:C3")
    sheet.merge_cells("D2:E3")  # "gift" shown over note and x: read under note only
    path = tmp_path / "merged.xlsx"
    book.save(path)
    with open_table(path, required=["order_id", "shop", "sku"]) as table:
        got = list(table.rows())
    assert got == [
        (2, ["DH1", "Shop A", "gift", "", "AO-1"]),
        (3, ["DH1", "Shop A", "gift", "", "AO-2"]),
        (4, ["DH2", "Shop B", "", "", "AO-3"]),
    ]


# The header below a title --------------------------------------------------------------
def test_the_header_below_a_title_and_a_blank_row(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("Báo cáo đơn hàng,,\n\norder_id,sku,quantity\nDH1,AO,1\n", encoding="utf-8")
    with open_table(path, required=["order_id", "sku"]) as table:
        assert (table.header_row, table.header) == (3, ["order_id", "sku", "quantity"])
        assert list(table.rows()) == [(4, ["DH1", "AO", "1"])]
    # Without required columns the first row is the header, as before.
    with open_table(path) as table:
        assert table.header_row == 1


def test_a_header_found_nowhere_is_named_on_its_first_row(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("Báo cáo\norder,sku\nDH1,AO\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"no such column in its header \(row 1\)"):
        open_table(path, required=["order_id", "sku"])
