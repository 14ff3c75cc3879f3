"""The Customers tab as one piece: the list's requests open the detail, the add dialog, the
sale screen and the export; segments are built when first shown and a segment's
double-click filters the list; the main window opens a customer from an order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from primedist.services import segments as segments_svc
from primedist.services.context import ServiceContext
from primedist.ui.customers.detail import CustomerDetailDialog
from primedist.ui.customers.editor import CustomerEditor
from primedist.ui.customers.page import CustomersPage
from primedist.ui.customers.segments import TagsDialog
from primedist.ui.orders.sale import SaleDialog
from tests.factories import make_customers
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


@pytest.fixture
def customers(owner_ctx: ServiceContext) -> list[int]:
    return make_customers(owner_ctx.engine, 3, names=["Nguyễn Thị Hoa", "Đặng Văn Đạt", "Lê An"])


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext, customers: list[int]) -> Iterator[CustomersPage]:
    p = show_widget(qtbot, CustomersPage(owner_ctx), 1300, 760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 3, timeout=WAIT)
    yield p
    p.shutdown()


def test_list_requests_open_the_dialogs(qtbot, page, customers):
    page.list.openRequested.emit(customers[0])
    assert isinstance(page.last_dialog, CustomerDetailDialog)
    page.last_dialog.reject()
    page.list.addRequested.emit()
    assert isinstance(page.last_dialog, CustomerEditor)
    page.last_dialog.reject()
    page.list.createOrderRequested.emit(customers[1])
    sale = page.last_dialog
    assert isinstance(sale, SaleDialog)
    assert sale.customer is not None and sale.customer.id == customers[1]
    sale.reject()
    page.manage_tags()
    assert isinstance(page.last_dialog, TagsDialog)
    page.last_dialog.reject()


def test_export_of_the_selection_writes_those_customers(qtbot, page, customers, tmp_path: Path):
    target = tmp_path / "khach.xlsx"
    page.export([customers[0], customers[2]], target)
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, QMessageBox), timeout=WAIT)
    sheet = openpyxl.load_workbook(target, read_only=True).active
    assert sheet is not None
    names = {str(cell) for row in sheet.iter_rows(min_row=2, values_only=True) for cell in row}
    assert "Nguyễn Thị Hoa" in names and "Lê An" in names and "Đặng Văn Đạt" not in names


def test_a_tab_separated_text_file_can_be_chosen(qtbot, page, customers, tmp_path, monkeypatch):
    """The save dialog offers .txt; the type chosen names the file and the format."""
    offered: list[str] = []

    def save_as(_parent, _title, _path, filters):
        offered.extend(filters.split(";;"))
        return str(tmp_path / "khach"), "Text, tab-separated (*.txt)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    assert page.ask_export_path() == (tmp_path / "khach.txt", "txt")
    assert offered == ["Excel workbook (*.xlsx)", "CSV, UTF-8 (*.csv)",
                       "Text, tab-separated (*.txt)"]  # fmt: skip
    page.export([customers[0]], tmp_path / "khach.txt", fmt="txt", columns=["name", "phone"])
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, QMessageBox), timeout=WAIT)
    lines = (tmp_path / "khach.txt").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Name\tPhone" and lines[1].startswith("Nguyễn Thị Hoa\t")


def test_a_segment_double_click_filters_the_list(qtbot, page, customers, owner_ctx):
    seg = segments_svc.create_segment(owner_ctx, "Khách sỉ")
    segments_svc.add_to_segment(owner_ctx, seg, [customers[1]])
    segments = page.show_segments()
    qtbot.waitUntil(segments.isVisible, timeout=WAIT)
    segments.membersRequested.emit(seg)
    assert page.tabs.currentIndex() == 0
    assert page.list.current_filter().segment_ids == (seg,)
    qtbot.waitUntil(lambda: page.list.model.rowCount() == 1, timeout=WAIT)


def test_show_customer_searches_the_code_and_opens_the_detail(qtbot, page, customers):
    dialog = page.show_customer(customers[2], f"KH{customers[2]:06d}")
    assert isinstance(dialog, CustomerDetailDialog)
    assert page.list.search_text() == f"KH{customers[2]:06d}"
    qtbot.waitUntil(lambda: page.list.model.rowCount() == 1, timeout=WAIT)
    dialog.reject()


def test_export_columns_can_be_chosen(qtbot, page, customers, tmp_path: Path):
    from primedist.ui.customers.page import ExportColumnsDialog

    dialog = ExportColumnsDialog("en")
    qtbot.addWidget(dialog)
    assert dialog.columns()[:2] == ["code", "name"]  # everything ticked at first
    dialog.none_button.click()
    assert dialog.columns() == []
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok is not None and not ok.isEnabled()
    for i in range(dialog.list.count()):
        item = dialog.list.item(i)
        if item.data(0x0100) in ("code", "name"):
            item.setCheckState(item.checkState().Checked)
    assert dialog.columns() == ["code", "name"] and ok.isEnabled()
    target = tmp_path / "two.xlsx"
    page.export(None, target, columns=dialog.columns())
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, QMessageBox), timeout=WAIT)
    sheet = openpyxl.load_workbook(target, read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 2 and len(rows) == 4  # header + the 3 customers
