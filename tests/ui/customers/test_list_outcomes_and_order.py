"""The Customers list after an action: Add customer says what it did (added, updated or
skipped) with Open, and shows that customer (searched by code, its row selected); an
outcome goes once the search or a filter changes, another action starts or the tab is
left. The export writes the customers in the order the list shows them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTabWidget, QWidget

from primedist.domain.customer import customer_code
from primedist.services.context import ServiceContext
from primedist.services.customer_detail import find_customer_by_code
from primedist.services.customers import DuplicatePolicy
from primedist.ui.customers.detail import CustomerDetailDialog
from primedist.ui.customers.editor import CustomerEditor
from primedist.ui.customers.page import CustomersPage
from tests.factories import make_customers, mobile
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")

NAMES = ["Nguyễn Thị Hoa", "Đặng Văn Đạt", "Lê An"]


@pytest.fixture
def customers(owner_ctx: ServiceContext) -> list[int]:
    return make_customers(owner_ctx.engine, 3, names=NAMES)


@pytest.fixture
def page(qtbot: Any, owner_ctx: ServiceContext, customers: list[int]) -> Iterator[CustomersPage]:
    p = show_widget(qtbot, CustomersPage(owner_ctx), 1300, 760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 3, timeout=WAIT)
    yield p
    p.shutdown()


def add(qtbot: Any, page: CustomersPage, name: str, phone: str = "") -> CustomerEditor:
    qtbot.mouseClick(page.list.add_button, Qt.MouseButton.LeftButton)
    editor = page.last_dialog
    assert isinstance(editor, CustomerEditor)
    editor.name_edit.setText(name)
    if phone:
        editor.phone_edits[0].setText(phone)
    return editor


def banner(page: CustomersPage) -> str:
    bar = page.list.message_bar
    return bar.label.text() if bar.isVisible() else ""


def test_a_customer_added_is_announced_and_shown(
    qtbot: Any, page: CustomersPage, customers: list[int]
) -> None:
    lst = page.list
    editor = add(qtbot, page, "Trần Kim Giang")
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    cid, outcome = saved.args
    code = customer_code(cid)
    assert outcome == "created"
    assert banner(page) == f"Added {code} Trần Kim Giang."
    assert lst.message_bar.link.isVisible() and lst.message_bar.link.text() == "Open"
    # Found by its code, its row chosen (not last of the whole list).
    assert lst.search_text() == code
    qtbot.waitUntil(lambda: lst.selected_ids() == [cid], timeout=WAIT)
    assert lst.model.rowCount() == 1
    qtbot.mouseClick(lst.message_bar.link, Qt.MouseButton.LeftButton)
    detail = page.last_dialog
    assert isinstance(detail, CustomerDetailDialog)
    detail.reject()


def test_a_phone_already_used_says_updated_or_skipped(
    qtbot: Any, page: CustomersPage, customers: list[int]
) -> None:
    owner = customers[0]
    editor = add(qtbot, page, "Hoa mới", mobile(owner))
    with qtbot.waitSignal(editor.saved, timeout=WAIT):
        editor.save(DuplicatePolicy.SKIP)
    code = customer_code(owner)
    assert banner(page) == (
        f"Skipped: the phone already belongs to {code} Nguyễn Thị Hoa, left unchanged."
    )
    assert page.list.search_text() == code
    editor = add(qtbot, page, "Nguyễn Thị Hoa Mai", mobile(owner))
    with qtbot.waitSignal(editor.saved, timeout=WAIT):
        editor.save(DuplicatePolicy.UPDATE)
    stored = find_customer_by_code(page.ctx, code)  # the name kept or replaced
    assert stored is not None and banner(page) == f"Updated {code} {stored.name}."


def test_an_old_outcome_goes_with_the_next_search_filter_action_or_tab(
    qtbot: Any, page: CustomersPage, customers: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    lst = page.list

    def said() -> None:
        lst.show_message("3 customers added to the segment")
        assert banner(page)

    said()
    lst.search_for("Hoa")
    assert banner(page) == ""
    said()
    lst.set_quick("female", True)
    assert banner(page) == ""
    said()
    lst.set_quick("female", True)  # the same filter again: nothing changed, it stays
    assert banner(page)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.No)
    lst.select_ids([lst.model.key_at(0)])
    said()
    lst.delete_selected()  # asked, then No: no action started, it stays
    assert banner(page)
    monkeypatch.setattr(lst, "exportRequested", _Signal())
    lst.export()  # another action starts
    assert banner(page) == ""
    said()
    qtbot.mouseClick(lst.import_button, Qt.MouseButton.LeftButton)
    assert banner(page) == ""
    page.last_dialog.reject()


class _Signal:
    """Stands for a signal nobody needs to answer (the export's file dialog)."""

    def emit(self, *_args: object) -> None:
        pass


def test_an_old_outcome_goes_when_the_tab_is_left(
    qtbot: Any, owner_ctx: ServiceContext, customers: list[int]
) -> None:
    tabs = show_widget(qtbot, QTabWidget(), 1300, 760)
    page = CustomersPage(owner_ctx)
    tabs.addTab(page, "Customers")
    tabs.addTab(QWidget(), "Home")
    qtbot.waitUntil(lambda: page.list.model.rowCount() == 3, timeout=WAIT)
    page.list.show_message("3 customers tagged")
    tabs.setCurrentIndex(1)
    tabs.setCurrentIndex(0)
    assert not page.list.message_bar.isVisible()
    page.shutdown()


def names(path: Path) -> list[str]:
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    return [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)]


def shown(page: CustomersPage) -> list[str]:
    model = page.list.model
    column = model.col["name"]
    return [str(model.index(r, column).data()) for r in range(model.rowCount())]


def test_the_export_is_in_the_lists_order(qtbot: Any, page: CustomersPage, tmp_path: Path) -> None:
    column = page.list.model.col["name"]
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        page.list.view.sortByColumn(column, order)
        qtbot.waitUntil(lambda o=order: page.list.model.sort_order() == (column, o), timeout=WAIT)
        target = tmp_path / f"{order.name}.xlsx"
        page.last_dialog = None
        page.export(None, target, columns=["name"])
        qtbot.waitUntil(lambda: isinstance(page.last_dialog, QMessageBox), timeout=WAIT)
        assert names(target) == shown(page)
    assert names(tmp_path / "DescendingOrder.xlsx") == sorted(NAMES, reverse=True)
