"""The mouse wheel scrolls the page, not the box under the pointer: a combo box, spin box,
date edit or slider inside a scrolled area (a Settings page, the product editor, a list)
takes the wheel only once it has the keyboard focus (a click or Tab gives it, the wheel
never does). Unfocused, the wheel goes on to what holds it, so the page scrolls instead
of a value silently changing under a pointer passing by. Outside any scroll area, and in
an open combo list, the wheel works as usual.

Installed once for the app (`install_wheel_guard`, from `app.make_app`). It watches the
top-level QWindows, as `lock.IdleWatcher` does, not the QApplication: an application-wide
Python event filter is handed objects still under construction and PySide crashes
wrapping them. A wheel on a window marks the value box under the pointer (its own event
filter, and StrongFocus instead of WheelFocus); the box's filter then passes the wheel on
while it has no focus. Qt's routing of the wheel (popups, modal windows, a touchpad's
scroll phases) is left as it is."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QWheelEvent, QWindow
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

#: Boxes whose value the wheel changes (spin boxes include the date and time edits).
VALUE_BOXES = (QComboBox, QAbstractSpinBox, QAbstractSlider)


def is_value_box(widget: QWidget) -> bool:
    return isinstance(widget, VALUE_BOXES) and not isinstance(widget, QScrollBar)


def in_scroll_area(widget: QWidget) -> bool:
    """`widget` is inside a scrolled area (a scroll area, a list or table) of its window."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        if parent.isWindow():
            return False
        parent = parent.parentWidget()
    return False


class WheelGuard(QObject):
    """See the module docstring."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._windows: dict[int, QWindow] = {}
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication), "create the QApplication first"
        # A window shown later (a dialog) gets the focus: watched from then on.
        app.focusWindowChanged.connect(self.watch_windows)
        self.watch_windows()

    def watch_windows(self, *_args: object) -> None:
        for window in QGuiApplication.topLevelWindows():
            key = id(window)
            if key not in self._windows:
                self._windows[key] = window
                window.installEventFilter(self)
                window.destroyed.connect(lambda _o=None, k=key: self._windows.pop(k, None))

    def stop(self) -> None:
        """Watch no more (the boxes already marked keep StrongFocus)."""
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.disconnect(self.watch_windows)
        for window in self._windows.values():
            if shiboken6.isValid(window):
                window.removeEventFilter(self)
        self._windows.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(event, QWheelEvent):
            return False
        if isinstance(watched, QWindow):
            self._mark_box_under(watched, event)
            return False  # Qt delivers it: to the box, whose filter is below
        if isinstance(watched, QWidget) and is_value_box(watched):
            return self._pass_on_unfocused(watched, event)
        return False

    def _mark_box_under(self, window: QWindow, event: QWheelEvent) -> None:
        """Watch the value box the wheel is about to reach (if any), before Qt's delivery
        would give a WheelFocus box the focus."""
        if QApplication.activePopupWidget() is not None:
            return  # an open combo list (or menu) has the wheel
        root = next((w for w in QApplication.topLevelWidgets() if w.windowHandle() is window),
                    None)  # fmt: skip
        if root is None:
            return
        widget: QWidget | None = root.childAt(event.position().toPoint())
        while widget is not None and not widget.isWindow():
            if is_value_box(widget):
                if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
                widget.installEventFilter(self)  # once: Qt does not add a filter twice
                return
            widget = widget.parentWidget()

    def _pass_on_unfocused(self, box: QWidget, event: QWheelEvent) -> bool:
        """An unfocused box in a scrolled area: the wheel goes to what holds it, as Qt
        passes on a wheel a widget ignores (True: the box does not get it)."""
        focus = QApplication.focusWidget()
        if box.hasFocus() or (focus is not None and box.isAncestorOf(focus)):
            return False
        if QApplication.activePopupWidget() is not None or not in_scroll_area(box):
            return False
        where = event.globalPosition()
        parent = box.parentWidget()
        while parent is not None:
            passed = QWheelEvent(
                parent.mapFromGlobal(where), where, event.pixelDelta(), event.angleDelta(),
                event.buttons(), event.modifiers(), event.phase(), event.inverted(),
                event.source(), event.pointingDevice(),
            )  # fmt: skip
            QApplication.sendEvent(parent, passed)
            if passed.isAccepted() or parent.isWindow():
                break
            if parent.testAttribute(Qt.WidgetAttribute.WA_NoMousePropagation):
                break
            parent = parent.parentWidget()
        event.accept()  # handled here: Qt passes it no further
        return True


_guard: WheelGuard | None = None


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """The app's guard (idempotent); call it on the UI thread once the app exists."""
    global _guard
    if _guard is None or not shiboken6.isValid(_guard):
        _guard = WheelGuard(app)
    return _guard
