"""The Customers tab as one piece: the list's requests open the detail, the add dialog, the
sale screen and the export; segments are built when first shown and a segment's
double-click filters the list; the main window opens a customer from an order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QMessageBox

from primedist.services import segments as segments_svc
from primedist.services.context import ServiceContext
from primedist.ui import file_dialogs
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

    def save_as(dialog):
        offered.extend(dialog.nameFilters())
        return [str(tmp_path / "khach")], "Text, tab-separated (*.txt)"

    monkeypatch.setattr(file_dialogs, "run_dialog", save_as)
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


def _key_rows(page: CustomersPage) -> list[int]:
    model = page.list.model
    model.load_all_keys()
    return [k for r in range(model.rowCount()) if (k := model.key_at(r)) is not None]


def test_the_list_is_read_again_when_the_tab_shows_again(qtbot, owner_ctx, customers):
    """Customers a sync or an import added while another tab was open show (and count)
    when the Customers tab shows again; the search and the selection stay. It showed the
    count of before until a new search."""
    from PySide6.QtWidgets import QTabWidget, QWidget

    tabs = show_widget(qtbot, QTabWidget(), 1300, 760)
    page = CustomersPage(owner_ctx)
    tabs.addTab(page, "Customers")
    tabs.addTab(QWidget(), "Home")
    lst = page.list
    qtbot.waitUntil(lambda: lst.model.rowCount() == 3, timeout=WAIT)
    lst.search_for("Nguyễn")
    qtbot.waitUntil(lambda: lst.model.rowCount() == 1, timeout=WAIT)
    tabs.setCurrentIndex(1)
    # While hidden, customers come from elsewhere (another thread, another process).
    added = make_customers(owner_ctx.engine, 3, names=["Nguyễn Văn Nam", "Nguyễn Bình", "Tô Hà"])
    assert lst.count.text() == "1 customer"
    tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: lst.count.text() == "3 customers", timeout=WAIT)
    assert set(_key_rows(page)) == {customers[0], added[0], added[1]}
    assert lst.search_text() == "Nguyễn"
    # The selection (one row of six) stays on its customer.
    lst.search_for("")
    qtbot.waitUntil(lambda: lst.model.rowCount() == 6, timeout=WAIT)
    lst.select_ids([customers[1]])
    tabs.setCurrentIndex(1)
    make_customers(owner_ctx.engine, 1)
    tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: lst.count.text() == "7 customers", timeout=WAIT)
    assert lst.selected_ids() == [customers[1]]
    assert lst.selection_label.text() == "1 selected"
    page.shutdown()


def test_all_matching_asks_again_when_more_match_than_shown(
    qtbot, monkeypatch, page, customers, owner_ctx
):
    """ "Select all 3 matching", then a sync adds customers the list has not read yet: the
    bulk action says how many it will really touch before it does."""
    from primedist.services import tags as tags_svc
    from primedist.ui.customers import segments as segments_ui

    tag = tags_svc.create_tag(owner_ctx, "Khách quen")
    monkeypatch.setattr(segments_ui, "pick_tag", lambda _parent, _ctx: tag)
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def question(_parent, _title, text, *_a):  # type: ignore[no-untyped-def]
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    lst = page.list
    lst.view.selectRow(0)
    lst.select_all_matching()
    assert lst.selection_label.text() == "All 3 matching customers are selected."
    added = make_customers(owner_ctx.engine, 2)  # the list still shows 3
    lst.tag_selected()
    assert asked == [
        "5 customers match the search and filters now, not 3 as the list showed: customers "
        "were added or changed since (a sync, an import). Go on with all 5?"
    ]
    # No: nothing is tagged, and the list shows the 5, all still selected.
    assert tags_svc.list_tags(owner_ctx)[-1].count == 0
    assert lst.model.rowCount() == 5 and lst.all_matching_selected()
    assert lst.selection_label.text() == "All 5 matching customers are selected."
    # The count is now right: no question, and all five are tagged.
    lst.tag_selected()
    qtbot.waitUntil(lambda: "tagged" in lst.message.text(), timeout=WAIT)
    assert len(asked) == 1 and lst.message.text() == "5 customers tagged"
    assert next(t.count for t in tags_svc.list_tags(owner_ctx) if t.id == tag) == 5
    assert added[1] in lst.matching_ids()
    # Yes goes on with every customer matching now.
    make_customers(owner_ctx.engine, 1)
    answer[0] = QMessageBox.StandardButton.Yes
    lst.tag_selected()
    qtbot.waitUntil(lambda: "6 customers" in lst.message.text(), timeout=WAIT)
    assert len(asked) == 2 and lst.message.text() == "6 customers tagged (5 already had the tag)"
