"""Closing the till from the keyboard: Enter in the count's note does not record the
count (it closed the till with a 43,000 shortage, unasked), and a count short or over is
recorded only once the difference, named, is confirmed."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from primedist.services import till
from primedist.ui.orders.end_of_day import EndOfDayDialog
from tests.ui.orders.test_end_of_day_dialog import money, open_dialog, sales  # noqa: F401
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("quiet", "english")


def answer_next_box(qtbot: Any, button: QMessageBox.StandardButton) -> list[str]:
    """Press `button` in the message box shown within a second; returns [its text] once
    it showed."""
    seen: list[str] = []
    tries = [50]

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            tries[0] -= 1
            if tries[0]:
                QTimer.singleShot(20, press)
            return
        seen.append(box.text())
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
        box.button(button).click()

    QTimer.singleShot(0, press)
    return seen


def test_enter_in_the_note_does_not_close_the_till(
    qtbot, owner_ctx, sales, monkeypatch  # noqa: F811
):
    asked: list[int] = []
    monkeypatch.setattr(EndOfDayDialog, "confirm_difference",
                        lambda *_a: bool(asked.append(1)))  # fmt: skip
    dialog = open_dialog(qtbot, owner_ctx)
    dialog.float_edit.setText("500000")
    dialog.counted_edit.setText("757000")  # 43,000 short
    dialog.count_note.setFocus()
    qtbot.keyClicks(dialog.count_note, "thieu tien le")
    qtbot.keyClick(dialog.count_note, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.count_note, Qt.Key.Key_Enter)
    qtbot.wait(200)
    assert asked == []  # not even asked: Enter in the note does nothing
    assert dialog.isVisible() and dialog.last_count is None
    assert till.till_counts(owner_ctx, dialog.chosen_day()) == []
    assert dialog.count_note.text() == "thieu tien le"


def test_a_shortage_is_recorded_only_when_confirmed(qtbot, owner_ctx, sales):  # noqa: F811
    dialog = open_dialog(qtbot, owner_ctx)
    dialog.float_edit.setText("500000")
    dialog.counted_edit.setText("757000")
    asked = answer_next_box(qtbot, QMessageBox.StandardButton.No)
    qtbot.mouseClick(dialog.close_till_button, Qt.MouseButton.LeftButton)
    assert asked == [
        f"The drawer is {money(43_000)} short: counted {money(757_000)}, expected "
        f"{money(800_000)}. Record this count?"
    ]
    qtbot.wait(200)
    assert till.till_counts(owner_ctx, dialog.chosen_day()) == []

    asked = answer_next_box(qtbot, QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.close_till_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    qtbot.waitUntil(lambda: dialog.last_count is not None, timeout=WAIT)
    (saved,) = till.till_counts(owner_ctx, dialog.chosen_day())
    assert saved.difference == -43_000


def test_an_exact_count_is_recorded_unasked(qtbot, owner_ctx, sales):  # noqa: F811
    dialog = open_dialog(qtbot, owner_ctx)
    dialog.float_edit.setText("500000")
    dialog.counted_edit.setText("800000")
    asked = answer_next_box(qtbot, QMessageBox.StandardButton.No)
    qtbot.mouseClick(dialog.close_till_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_count is not None, timeout=WAIT)
    qtbot.wait(1200)
    assert asked == [] and dialog.status.text() == "Till counted: Exact"
