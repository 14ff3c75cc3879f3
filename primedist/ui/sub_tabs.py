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
from PySide6.QtWidgets import QDialog, QTabWidget, QVBoxLayout, QWidget


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
            self._built[index] = build()
            self._holders[index].addWidget(self._built[index])
        elif index == 0:
            self.list.refresh()  # another sub-page may have changed the list's rows

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

    def _refresh_list(self) -> None:
        if shiboken6.isValid(self):
            self.list.refresh()

    def shutdown(self) -> None:
        """Stop the background work of every built sub-page (the window is closing)."""
        for page in self._built.values():
            stop = getattr(page, "shutdown", None)
            if shiboken6.isValid(page) and callable(stop):
                stop()
