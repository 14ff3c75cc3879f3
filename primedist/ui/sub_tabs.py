"""A tab page made of sub-tabs: a list first, other pages built the first time they show.

The Products and Customers tabs are such pages. The list is refreshed when the user comes
back to it (another sub-page or a dialog may have changed its rows), dialogs opened from
the page refresh it when they close, and `shutdown` stops every built sub-page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QTabWidget, QVBoxLayout, QWidget

from primedist.ui.widgets import SearchBox

#: The property that makes a plain line edit its page's search (or scan) field, as a
#: SearchBox is: Ctrl+F and a sub-page shown the first time put the keys there.
SEARCH_FIELD = "pageSearch"


def mark_search(field: QLineEdit) -> None:
    """`field` is its page's search (or scan) field (see SEARCH_FIELD)."""
    field.setProperty(SEARCH_FIELD, True)


def search_fields(root: QWidget) -> list[QLineEdit]:
    """The search boxes and the fields marked with `mark_search` under `root`."""
    return [field for field in root.findChildren(QLineEdit)
            if isinstance(field, SearchBox) or field.property(SEARCH_FIELD)]  # fmt: skip


def _first_field(page: QWidget) -> QWidget | None:
    """The first widget of `page` that Tab reaches (None when there is none)."""
    widget = page.nextInFocusChain()
    while widget is not None and widget is not page:
        if (page.isAncestorOf(widget) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and widget.isEnabled() and widget.isVisibleTo(page)):  # fmt: skip
            return widget
        widget = widget.nextInFocusChain()
    return None


class SubTabsPage(QWidget):
    """`list` in the first sub-tab; `add_lazy(build)` adds a sub-tab built on first show."""

    def __init__(self, name: str, list_page: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"page_{name}")
        self.last_dialog: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.setObjectName(f"{name}Tabs")
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs)
        self.list = list_page
        self.tabs.addTab(list_page, "")
        self._built: dict[int, QWidget] = {0: list_page}
        self._lazy: dict[int, Callable[[], QWidget]] = {}
        self._holders: dict[int, QVBoxLayout] = {}
        self.tabs.currentChanged.connect(self._on_tab)

    def add_lazy(self, build: Callable[[], QWidget]) -> int:
        """A sub-tab whose page `build()` makes the first time it is shown; its index."""
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        index = self.tabs.addTab(holder, "")
        self._lazy[index] = build
        self._holders[index] = layout
        return index

    def _on_tab(self, index: int) -> None:
        build = self._lazy.pop(index, None)
        if build is not None:
            page = self._built[index] = build()
            layout = self._holders[index]
            layout.addWidget(page)
            self._focus_new_page(layout.parentWidget(), page)
        elif index == 0:
            self.list.refresh()  # another sub-page may have changed the list's rows

    def _focus_new_page(self, holder: QWidget | None, page: QWidget) -> None:
        """Leaving a page moved the keys to the empty holder of the one shown (nothing to
        type in): they go to its search or scan field, else its first field, once built.
        Keys elsewhere (the sub-tab bar, a dialog) stay there."""
        if self.window().focusWidget() not in (None, holder):
            return
        page.show()  # it shows later else, and a hidden field takes no focus
        fields = [f for f in search_fields(page) if f.isVisibleTo(page) and f.isEnabled()]
        target = fields[0] if fields else _first_field(page)
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_tab(self, index: int) -> QWidget:
        """Show a sub-page (built now if it was not) and return it."""
        self.tabs.setCurrentIndex(index)
        self._on_tab(index)  # built already when the index did not change
        return self._built[index]

    def open_dialog(self, dialog: QDialog) -> QDialog:
        """Open `dialog` (deleted on close); the list refreshes when it closes."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._refresh_list())
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def follow_changes(self) -> bool:
        """The shop's data changed elsewhere (`ui.data_watch`): the list, when its sub-tab
        shows, reads its rows again in place (False while the user is busy in it: ask
        again later); on another sub-tab, it is read again on coming back to it."""
        if self.tabs.currentIndex() != 0:
            return True
        return bool(self.list.follow_changes())

    def _refresh_list(self) -> None:
        if shiboken6.isValid(self):
            self.list.refresh()

    def shutdown(self) -> None:
        """Stop the background work of every built sub-page (the window is closing)."""
        for page in self._built.values():
            stop = getattr(page, "shutdown", None)
            if shiboken6.isValid(page) and callable(stop):
                stop()
