"""The customers import wizard, driven like a user on a real migrated store: a repeated
header refused at the mapping step only while a field is read from it; the preview
numbered with the sheet's rows; rows with a value left out listed after the rejected
ones, the summary counting those values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from primedist.services.context import ServiceContext
from primedist.ui.customers.import_wizard import MAPPING, POLICY, REPORT, ImportWizard
from tests.services.test_customer_import import write_csv
from tests.ui.customers.test_import_wizard import names, open_wizard
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english")


def load(qtbot: Any, ctx: ServiceContext, path: Path) -> ImportWizard:
    wizard = open_wizard(qtbot, ctx)
    wizard.load_file(path)
    qtbot.waitUntil(lambda: wizard.step() == MAPPING, timeout=WAIT)
    return wizard


def run(qtbot: Any, wizard: ImportWizard) -> None:
    wizard.next_button.click()
    assert wizard.step() == POLICY
    wizard.next_button.click()  # "Import"
    qtbot.waitUntil(lambda: wizard.step() == REPORT, timeout=WAIT)


def test_a_repeated_header_blocks_only_while_it_is_mapped(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, no_crash: Any
) -> None:
    """The tester's dup_header.xlsx: `Ghi chú` on columns C and D."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Họ tên", "SĐT", "Ghi chú", "Ghi chú"])
    sheet.append(["A", "0939921740", "x", "y"])
    book.save(tmp_path / "dup_header.xlsx")
    wizard = load(qtbot, owner_ctx, tmp_path / "dup_header.xlsx")
    assert wizard.mapping()["note"] == "Ghi chú"  # guessed
    assert wizard.mapping_error.text() == (
        "The file has the column “Ghi chú” more than once (columns C, D): keep one in the "
        "file, or set Note to “(not imported)”."
    )
    assert not wizard.next_button.isEnabled()
    wizard.set_mapping("note", None)
    assert wizard.mapping_error.isHidden() and wizard.next_button.isEnabled()
    run(qtbot, wizard)
    assert wizard.report is not None and wizard.report.imported == 1
    assert names(owner_ctx) == ["A"]


def test_preview_rows_are_numbered_as_the_sheet_and_the_report(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, no_crash: Any
) -> None:
    rows = [[f"Khách {i}", f"09399217{i:02d}"] for i in range(9)]
    rows[3] = ["", ""]  # a blank row: skipped, its number too
    wizard = load(qtbot, owner_ctx, write_csv(tmp_path / "k.csv", ["Họ tên", "SĐT"], rows))
    table = wizard.preview_table
    labels = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    assert labels == ["2", "3", "4", "6", "7", "8", "9", "10"]
    assert table.item(7, 0).text() == "Khách 8"  # sheet row 10, as the report says


def test_rows_with_a_value_left_out_come_after_the_rejected_ones(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, no_crash: Any
) -> None:
    rows = [
        ["Hoa", "0939921717", "15/03/1990"],
        ["Mai", "0939921718", "32/13/1990"],
        ["Lan", "12", ""],
    ]
    path = write_csv(tmp_path / "k.csv", ["Họ tên", "SĐT", "Ngày sinh"], rows)
    wizard = load(qtbot, owner_ctx, path)
    run(qtbot, wizard)
    assert wizard.summary_label.text() == (
        "3 rows read: 2 new customers, 0 updated, 0 unchanged, 0 skipped, 1 rejected. "
        "1 values could not be read and were left out: the rows below name them."
    )
    table = wizard.report_table
    shown = [[table.item(r, c).text() for c in (0, 1, 3, 4)] for r in range(table.rowCount())]
    assert shown == [
        ["4", "Rejected", "SĐT", "'12' is not a phone number"],
        ["3", "Imported", "Ngày sinh", "'32/13/1990' is not a real date: this value was not "
         "imported"],
        ["2", "Imported", "", ""],
    ]  # fmt: skip
