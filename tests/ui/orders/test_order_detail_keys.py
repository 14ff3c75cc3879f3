# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The order detail from the keyboard: a staff note typed and not saved is not lost on
Esc or Close without a question (Save / Discard / Cancel), and Tab goes through the items
and history tables instead of staying in them."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from tests.ui.orders.test_order_detail import (  # noqa: F401  (fixtures)
    WAIT_MS,
    counter_sale,
    open_detail,
    order_of,
    variants,
)

pytestmark = pytest.mark.usefixtures("english")

Button = QMessageBox.StandardButton
SHIFT = Qt.KeyboardModifier.ShiftModifier


class Answers:
    """Stands in for QMessageBox.question: records the question, gives `answer`."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, Any]] = []
        self.answer = Button.Cancel

    def __call__(self, _parent, title, text, buttons=None, *_args) -> Button:
        self.asked.append((title, text, buttons))
        return self.answer


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    asker = Answers()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


def test_escape_with_a_typed_note_asks_and_cancel_keeps_it(
    qtbot, answers: Answers, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    dialog = open_detail(qtbot, owner_ctx, counter_sale(owner_ctx, variants))
    qtbot.keyClicks(dialog.note_edit, "Khach hen lay chieu")
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Escape)
    assert len(answers.asked) == 1
    title, text, buttons = answers.asked[0]
    assert (title, text) == ("Unsaved note", "The staff note is not saved. Save it before closing?")
    assert buttons == Button.Save | Button.Discard | Button.Cancel
    assert dialog.isVisible() and dialog.note_edit.toPlainText() == "Khach hen lay chieu"
    # The Close button asks the same.
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert len(answers.asked) == 2 and dialog.isVisible()


def test_discard_closes_without_saving_the_note(
    qtbot, answers: Answers, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = counter_sale(owner_ctx, variants)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    qtbot.keyClicks(dialog.note_edit, "nhap")
    answers.answer = Button.Discard
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Escape)
    assert len(answers.asked) == 1 and not dialog.isVisible()
    assert order_of(engine, order_id).staff_note in (None, "")


def test_save_stores_the_note_then_closes(
    qtbot, answers: Answers, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = counter_sale(owner_ctx, variants)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    qtbot.keyClicks(dialog.note_edit, "Goi truoc khi giao")
    answers.answer = Button.Save
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert order_of(engine, order_id).staff_note == "Goi truoc khi giao"


def test_save_while_another_action_runs_saves_the_note_once_it_ends(
    qtbot, answers: Answers, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = counter_sale(owner_ctx, variants)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    qtbot.keyClicks(dialog.note_edit, "Khach VIP")
    answers.answer = Button.Save
    qtbot.mouseClick(dialog.flag_button, Qt.MouseButton.LeftButton)
    assert not dialog.flag_button.isEnabled()  # flagging runs in the background
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    order = order_of(engine, order_id)
    assert order.flagged and order.staff_note == "Khach VIP"


def test_nothing_typed_or_the_note_saved_closes_without_a_question(
    qtbot, answers: Answers, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    dialog = open_detail(qtbot, owner_ctx, counter_sale(owner_ctx, variants))
    qtbot.keyClicks(dialog.note_edit, "da luu")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_note_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Escape)
    assert answers.asked == [] and not dialog.isVisible()


def test_tab_goes_through_the_tables_and_on(
    qtbot, answers: Answers, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    dialog = open_detail(qtbot, owner_ctx, counter_sale(owner_ctx, variants))
    dialog.close_button.setFocus()
    seen = []
    for _ in range(3):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        seen.append(dialog.focusWidget())
    # Close → the items → the history → the note: one Tab each, not one per cell.
    assert seen == [dialog.items_table, dialog.history_table, dialog.note_edit]
    for expected in (dialog.history_table, dialog.items_table, dialog.close_button):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Backtab, SHIFT)  # Shift+Tab
        assert dialog.focusWidget() is expected
