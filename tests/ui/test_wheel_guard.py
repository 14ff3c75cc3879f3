"""Scrolling a page with the mouse wheel never changes a box under the pointer: an
unfocused combo or spin box in a scroll area lets the page scroll; once focused (a click,
Tab) the wheel changes it; outside any scroll area a box takes the wheel as usual. Real
widgets, the wheel sent to their window as the system sends it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from primedist.ui.wheel_guard import WheelGuard
from tests.ui.support import show_widget


@pytest.fixture
def guard(qapp: Any) -> Iterator[WheelGuard]:
    """The app's guard, as `make_app` installs it; gone after the test."""
    watching = WheelGuard()
    yield watching
    watching.stop()
    watching.deleteLater()


def wheel(widget: QWidget, notches: int = -1) -> None:
    """One turn of the wheel (down by default) with the pointer on `widget`'s right end
    (a spin box's arrows, not its text: a wheel sent by a test is not passed on from the
    text to the box, as a real one is), sent to its window (where the system's wheel
    events arrive)."""
    window = widget.window()
    handle = window.windowHandle()
    assert handle is not None
    end = QPoint(widget.width() - 4, widget.height() // 2)
    inside = QPointF(widget.mapTo(window, end))
    event = QWheelEvent(
        inside, QPointF(window.mapToGlobal(inside.toPoint())), QPoint(),
        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(handle, event)


def combo() -> QComboBox:
    box = QComboBox()
    box.addItems(["Một", "Hai", "Ba", "Bốn"])
    return box


def scrolled_page(qtbot: Any, *boxes: QWidget) -> QScrollArea:
    """A page taller than its window, `boxes` at its top (under the pointer at once),
    after a search box (that has the focus when the window opens)."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.addWidget(QLineEdit())
    for box in boxes:
        layout.addWidget(box)
    layout.addSpacing(2000)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(page)
    show_widget(qtbot, scroll, 400, 300)
    scroll.activateWindow()
    qtbot.waitUntil(scroll.isActiveWindow)
    return scroll


def test_the_wheel_scrolls_the_page_over_a_box_until_it_is_focused(qtbot, guard) -> None:
    box = combo()
    scroll = scrolled_page(qtbot, box)
    bar = scroll.verticalScrollBar()
    assert bar.value() == 0 and bar.maximum() > 0

    wheel(box)
    assert box.currentIndex() == 0  # unchanged: the page scrolled instead
    assert bar.value() > 0
    assert not box.hasFocus()  # nor did the wheel give it the focus
    assert box.focusPolicy() == Qt.FocusPolicy.StrongFocus

    bar.setValue(0)
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    wheel(box)
    assert box.currentIndex() == 1  # focused: the wheel is the box's
    assert bar.value() == 0


def test_a_focused_spin_box_or_date_still_changes_with_the_wheel(qtbot, guard) -> None:
    spin, date = QSpinBox(), QDateEdit()
    spin.setValue(5)
    start = date.date()
    scroll = scrolled_page(qtbot, spin, date)
    bar = scroll.verticalScrollBar()

    wheel(spin, notches=1)
    wheel(date, notches=1)
    assert spin.value() == 5 and date.date() == start
    assert bar.value() == 0  # up at the top: nothing to scroll, nothing changed

    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    wheel(spin, notches=1)
    assert spin.value() == 6
    date.setFocus()
    qtbot.waitUntil(date.hasFocus)
    wheel(date, notches=1)
    assert date.date() != start


def test_a_box_outside_any_scroll_area_takes_the_wheel_as_usual(qtbot, guard) -> None:
    window = QWidget()
    box = combo()
    QVBoxLayout(window).addWidget(box)
    show_widget(qtbot, window, 300, 100)
    wheel(box)
    assert box.currentIndex() == 1
