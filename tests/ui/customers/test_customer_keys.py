"""The customer editor and detail from the keyboard: Tab goes Name → Phone, Esc asks
before losing what was typed, the detail opens with Close focused (not Delete…, which
Space would press) and Enter in an address form goes on to the next field."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from primedist.ui.customers.detail import AddressDialog, CustomerDetailDialog
from primedist.ui.customers.editor import CustomerEditor
from tests.factories import make_customers
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")

Button = QMessageBox.StandardButton


class Questions:
    """Stands in for QMessageBox.question: records the text, gives `answer`."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answer = Button.No

    def __call__(self, _parent, _title, text, *_args) -> Button:
        self.asked.append(text)
        return self.answer


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    asker = Questions()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


def open_editor(qtbot, ctx: ServiceContext, customer_id: int | None = None) -> CustomerEditor:
    return show_widget(qtbot, CustomerEditor(ctx, customer_id), 600, 640)


def tab_from(qtbot, widget) -> Any:
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    return widget.window().focusWidget()


# --------------------------------------------------------------------------- editor


def test_tab_goes_from_the_name_to_each_phone_then_another_phone(
    qtbot, questions: Questions, owner_ctx: ServiceContext
) -> None:
    editor = open_editor(qtbot, owner_ctx)
    editor.name_edit.setFocus()
    first = editor.phone_edits[0]
    assert tab_from(qtbot, editor.name_edit) is first
    assert tab_from(qtbot, first) is editor.add_phone_button
    assert tab_from(qtbot, editor.add_phone_button) is editor.email_edit
    # "+ Another phone": the new field comes after the first, before the link.
    editor.add_phone_button.click()
    second = editor.phone_edits[1]
    qtbot.waitUntil(second.isVisible)
    first.setFocus()
    assert tab_from(qtbot, first) is second
    assert tab_from(qtbot, second) is editor.add_phone_button


def test_escape_asks_before_losing_a_typed_customer(
    qtbot, questions: Questions, owner_ctx: ServiceContext
) -> None:
    editor = open_editor(qtbot, owner_ctx)
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Escape)  # nothing typed: closes at once
    assert questions.asked == [] and not editor.isVisible()

    editor = open_editor(qtbot, owner_ctx)
    qtbot.keyClicks(editor.name_edit, "Nguyen Van Test")
    qtbot.keyClicks(editor.phone_edits[0], "0912000111")
    qtbot.keyClick(editor.phone_edits[0], Qt.Key.Key_Escape)
    assert questions.asked == ["This customer is not saved. Close and lose what you typed?"]
    assert editor.isVisible() and editor.name_edit.text() == "Nguyen Van Test"
    questions.answer = Button.Yes
    qtbot.mouseClick(editor.buttons.button(editor.buttons.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)  # fmt: skip
    assert len(questions.asked) == 2 and not editor.isVisible()


def test_editing_asks_only_once_something_changed(
    qtbot, questions: Questions, owner_ctx: ServiceContext, engine: Engine
) -> None:
    (cid,) = make_customers(engine, 1, names=["Trần Văn Bình"])
    editor = open_editor(qtbot, owner_ctx, cid)
    assert editor.name_edit.text() == "Trần Văn Bình"
    editor.reject()  # as loaded: no question
    assert questions.asked == [] and not editor.isVisible()

    editor = open_editor(qtbot, owner_ctx, cid)
    qtbot.keyClicks(editor.email_edit, "binh@shop.vn")
    qtbot.keyClick(editor.email_edit, Qt.Key.Key_Escape)
    assert questions.asked == ["Your changes to this customer are not saved. Close and lose them?"]
    assert editor.isVisible()
    editor.email_edit.clear()  # back as it was: nothing to lose
    qtbot.keyClick(editor.email_edit, Qt.Key.Key_Escape)
    assert len(questions.asked) == 1 and not editor.isVisible()


# --------------------------------------------------------------------------- detail


class ShownWindows(QObject):
    """Every push button shown as a window of its own (not inside a dialog)."""

    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Show and isinstance(watched, QPushButton)
                and watched.isWindow()):  # fmt: skip
            self.buttons.append(watched.objectName())
        return False


def test_the_detail_opens_on_close_not_on_delete(
    qtbot, questions: Questions, owner_ctx: ServiceContext, engine: Engine
) -> None:
    (cid,) = make_customers(engine, 1, names=["Nguyễn Thị Lan"])
    watcher = ShownWindows()
    app = QApplication.instance()
    app.installEventFilter(watcher)
    try:
        dialog = CustomerDetailDialog(owner_ctx, cid)
    finally:
        app.removeEventFilter(watcher)
    show_widget(qtbot, dialog, 1100, 760)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    assert watcher.buttons == []  # Delete… never flashed up as its own window
    assert dialog.delete_button.isVisible()  # the owner may delete
    assert dialog.focusWidget() is dialog.close_button
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Space)  # Space presses Close
    assert questions.asked == [] and not dialog.isVisible()


def test_enter_in_an_address_goes_on_to_the_next_field(qtbot) -> None:
    dialog = show_widget(qtbot, AddressDialog(), 420, 320)
    edits = [dialog.edits[key] for key in AddressDialog.FIELDS]
    edits[0].setFocus()
    qtbot.keyClicks(edits[0], "Chi Lan")
    for before, after in zip(edits, edits[1:], strict=False):
        qtbot.keyClick(before, Qt.Key.Key_Return)
        assert dialog.isVisible() and dialog.focusWidget() is after
    qtbot.keyClicks(edits[-1], "Ha Noi")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        qtbot.keyClick(edits[-1], Qt.Key.Key_Return)  # the last field adds the address
    assert dialog.draft().recipient == "Chi Lan" and dialog.draft().province == "Ha Noi"
