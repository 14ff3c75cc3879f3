"""A row of action buttons that never cuts a button's text.

When the row lacks room (a small window, the longer Vietnamese texts), its less used
buttons leave it, least used first, for the "More" menu button; they come back as the row
widens. In the menu each keeps its text, icon, tooltip, enabled state and submenu, and its
shortcut works while it is there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QSize
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractButton, QHBoxLayout, QMenu, QPushButton, QWidget

W = TypeVar("W", bound=QWidget)


class ActionRow(QWidget):
    """Add the widgets with `add`, `add_spacing`, `add_stretch` and `add_more` (where the
    More button goes), then `set_overflow_order`. Hide an added widget with `set_shown`
    only: the row shows and hides them."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(spacing)
        self._shown: dict[QWidget, bool] = {}
        self._order: list[QAbstractButton] = []
        self._in_more: list[QAbstractButton] = []
        self._proxies: dict[QAbstractButton, QAction] = {}
        self._relaying = False
        self.more_button = QPushButton()
        self.more_button.setObjectName("moreButton")
        self.more_menu = QMenu(self.more_button)
        self.more_menu.setObjectName("moreMenu")
        self.more_menu.setToolTipsVisible(True)
        self.more_menu.aboutToShow.connect(self._fill_menu)  # enabled states change
        self.more_button.setMenu(self.more_menu)
        self.more_button.hide()
        self._retranslate()

    # Building -----------------------------------------------------------------------------
    def add(self, widget: W) -> W:
        self._row.addWidget(widget)
        self._shown[widget] = True
        return widget

    def add_spacing(self, width: int) -> None:
        self._row.addSpacing(width)

    def add_stretch(self) -> None:
        self._row.addStretch(1)

    def add_more(self) -> None:
        """The More button goes here (shown only when a button is in its menu)."""
        self._row.addWidget(self.more_button)

    def set_overflow_order(self, buttons: Sequence[QAbstractButton]) -> None:
        """The buttons that may go into More, the least used first; the others stay."""
        self._order = list(buttons)
        self._relayout()

    def set_shown(self, widget: QWidget, shown: bool) -> None:
        """Show or hide an added widget for good (not offered in More when hidden)."""
        self._shown[widget] = shown
        widget.setVisible(shown and widget not in self._in_more)
        self._relayout()

    # What is where ------------------------------------------------------------------------
    def in_more(self) -> list[QAbstractButton]:
        """The buttons in the More menu, in the row's order."""
        return list(self._in_more)

    def menu_action(self, button: QAbstractButton) -> QAction | None:
        """The More menu's action for `button` (None: the button is in the row)."""
        return self._proxies.get(button) if button in self._in_more else None

    # Room ---------------------------------------------------------------------------------
    def _width(self, out: set[QWidget]) -> int:
        """The row's width with the buttons in `out` in More, counted as QHBoxLayout does:
        spacing between the widgets shown, spacers as wide as they are."""
        total, shown = 0, 0
        margins = self._row.contentsMargins()
        for i in range(self._row.count()):
            item = self._row.itemAt(i)
            if item is None:
                continue
            widget = item.widget()
            if widget is None:
                total += item.sizeHint().width()
                continue
            if widget is self.more_button:
                visible = bool(out)
            else:
                visible = self._shown.get(widget, True) and widget not in out
            if visible:
                hint = widget.sizeHint().expandedTo(widget.minimumSizeHint())
                total += max(hint.width(), widget.minimumWidth())
                shown += 1
        return total + self._row.spacing() * max(shown - 1, 0) + margins.left() + margins.right()

    def _in_row_order(self) -> list[QAbstractButton]:
        items = [self._row.itemAt(i) for i in range(self._row.count())]
        widgets = [item.widget() for item in items if item is not None]
        return [w for w in widgets if isinstance(w, QAbstractButton) and w in self._order]

    def _candidates(self) -> list[QAbstractButton]:
        return [b for b in self._order if self._shown.get(b, True)]

    def minimumSizeHint(self) -> QSize:
        """As narrow as the row is with every button it may move in More: the window may
        be as small as the screen (the row then makes room itself)."""
        height = super().minimumSizeHint().height()
        return QSize(self._width(set(self._candidates())), height)

    def _relayout(self) -> None:
        if self._relaying or not self.isVisible():
            return
        self._relaying = True
        try:
            room = self.contentsRect().width()
            out: set[QWidget] = set()
            for button in self._candidates():
                if self._width(out) <= room:
                    break
                out.add(button)
            self._in_more = [b for b in self._in_row_order() if b in out]
            for widget, shown in self._shown.items():
                widget.setVisible(shown and widget not in out)
            self.more_button.setVisible(bool(out))
            self._fill_menu()
            self.updateGeometry()
        finally:
            self._relaying = False

    def _fill_menu(self) -> None:
        """The menu lists the buttons in More, as they are now; a shortcut works only for
        the button's stand-in while the button is hidden (never both at once)."""
        self.more_menu.clear()
        for button in self._in_row_order():
            action = self._proxy(button)
            here = button in self._in_more
            action.setShortcut(button.shortcut() if here else QKeySequence())
            if not here:
                continue
            action.setText(button.text())
            action.setIcon(button.icon())
            action.setToolTip(button.toolTip() or button.text())
            action.setEnabled(button.isEnabled())
            menu = button.menu() if isinstance(button, QPushButton) else None
            if menu is not None:
                action.setMenu(menu)
            self.more_menu.addAction(action)

    def _proxy(self, button: QAbstractButton) -> QAction:
        action = self._proxies.get(button)
        if action is None:
            action = QAction(self)
            action.setObjectName(f"{button.objectName()}More")
            # click() does nothing on a disabled button: the shortcut honours it too.
            action.triggered.connect(lambda _checked=False, b=button: b.click())
            self.addAction(action)  # its shortcut works with the menu closed
            self._proxies[button] = action
        return action

    # Events -------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._relayout()

    def event(self, event: QEvent) -> bool:
        done = super().event(event)
        # A button's text changed (the language, "Export (3)"): it may fit no more.
        if event.type() == QEvent.Type.LayoutRequest:
            self._relayout()
        return done

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.more_button.setText(QCoreApplication.translate("ActionRow", "More"))


class WholeActionRow(ActionRow):
    """An action row sharing its line with a search (and filters): it asks for the width
    of every button in it, so the line gives it that before the search grows, and it moves
    buttons into More only when the window is short of it (1024 px)."""

    def sizeHint(self) -> QSize:
        return QSize(self._width(set()), super().sizeHint().height())
