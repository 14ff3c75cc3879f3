"""A tab page made of sub-tabs: a list first, other pages built the first time they show.

The Products and Customers tabs are such pages. The list is refreshed when the user comes
back to it (another sub-page or a dialog may have changed its rows), dialogs opened from
the page refresh it when they close, and `shutdown` stops every built sub-page.

Changes made elsewhere (`ui.data_watch`) reach the sub-pages too: the main window calls
`changed_elsewhere` (every built sub-page is behind) and `follow_changes` while the tab
shows. The sub-page shown reads its rows again in place through its own
`follow_changes(arriving=...)` (False: the user is busy there, asked again at the next
read); another built one when it shows again. A sub-page without `follow_changes` (the
stock-take's count sheet, a snapshot being counted) is never read again by the watch;
one never built costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QLineEdit,
    QTableView,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

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


def dialog_open(page: QWidget) -> bool:
    """A dialog of `page` shows: an editor, a question, a message (it may be about the
    rows read now, and reading them again under it moves what it is about)."""
    return any(d.isVisible() for d in page.findChildren(QDialog))


def in_the_way(page: QWidget, *, arriving: bool = False) -> bool:
    """Whether reading `page`'s rows again now gets in the user's way: a dialog of its own
    open, and, unless it just showed (`arriving`: nothing of it can be under way then, and
    the mouse may still hold the sub-tab clicked), a menu open, a mouse button held or a
    cell of one of its tables edited."""
    if dialog_open(page):
        return True
    if arriving:
        return False
    if QApplication.activePopupWidget() is not None:
        return True
    if QApplication.mouseButtons() != Qt.MouseButton.NoButton:
        return True
    return any(view.state() == QAbstractItemView.State.EditingState
               for view in page.findChildren(QAbstractItemView))  # fmt: skip


@dataclass(frozen=True)
class TablePlace:
    """Where a sub-page's table was scrolled before its rows were read again in place:
    the scroll, and the key of the first row on screen (`keys`: the rows' keys in order)."""

    scroll: int
    top_key: object | None

    @classmethod
    def of(cls, table: QTableView, keys: Sequence[object]) -> TablePlace:
        row = table.rowAt(0)
        return cls(table.verticalScrollBar().value(),
                   keys[row] if 0 <= row < len(keys) else None)  # fmt: skip

    def restore(self, table: QTableView, keys: Sequence[object]) -> None:
        """At the top, the table stays there (new rows show there); scrolled down, the
        same first row stays on screen (rows came or went above it), else the scroll."""
        table.doItemsLayout()
        if self.scroll > 0 and self.top_key is not None and self.top_key in keys:
            index = table.model().index(list(keys).index(self.top_key), 0)
            table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)
        else:
            table.verticalScrollBar().setValue(self.scroll)


class SearchedRowsFollow:
    """`follow_changes` of a sub-page listing rows (with an `id`) for a search run with
    Enter (Purchase orders, Goods receipts): its rows read again in place — the search
    as last run (`_searched`: not a text typed since without Enter), the row selected
    and the rows on screen kept —; not while the user is in the way (`in_the_way`)."""

    table: QTableWidget
    rows: Sequence[Any]
    _searched: str

    def current(self) -> Any: ...

    def _read(
        self, text: str, place: TablePlace | None = None, keep: int | None = None
    ) -> None: ...

    def follow_changes(self, *, arriving: bool = False) -> bool:
        """False: the user is busy there (ask again later)."""
        assert isinstance(self, QWidget)
        if in_the_way(self, arriving=arriving):
            return False
        current = self.current()
        self._read(self._searched, TablePlace.of(self.table, [row.id for row in self.rows]),
                   current.id if current is not None else None)  # fmt: skip
        return True


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
        #: The built sub-pages (not the list) whose data changed elsewhere since they read it.
        self._behind: set[int] = set()
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
        elif index in self._behind:
            self._follow(index, arriving=True)  # changed elsewhere while another showed

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

    def changed_elsewhere(self) -> None:
        """The shop's data changed elsewhere (`ui.data_watch`): every built sub-page is
        behind (the list is read again whenever its sub-tab shows)."""
        self._behind = {index for index in self._built if index != 0}

    @property
    def behind(self) -> bool:
        """The sub-page shown is behind still (the user was busy in it when it showed):
        the main window asks `follow_changes` again at the next read."""
        return self.tabs.currentIndex() in self._behind

    def follow_changes(self, *, arriving: bool = False) -> bool:
        """The shop's data changed elsewhere (`ui.data_watch`): the sub-page shown reads
        its rows again in place (False while the user is busy in it: ask again later); the
        others are read again when they show. `arriving`: the tab just showed."""
        index = self.tabs.currentIndex()
        if index == 0:
            return bool(self.list.follow_changes(arriving=arriving))
        return self._follow(index, arriving=arriving)

    def _follow(self, index: int, *, arriving: bool) -> bool:
        """Sub-page `index` (built, behind) reads its rows again in place; False when the
        user is busy in it (it stays behind)."""
        if index not in self._behind:
            return True
        page = self._built.get(index)
        follow = getattr(page, "follow_changes", None)
        if page is not None and shiboken6.isValid(page) and callable(follow):
            if not follow(arriving=arriving):
                return False
        self._behind.discard(index)
        return True

    def _refresh_list(self) -> None:
        if shiboken6.isValid(self):
            self.list.refresh()

    def shutdown(self) -> None:
        """Stop the background work of every built sub-page (the window is closing)."""
        for page in self._built.values():
            stop = getattr(page, "shutdown", None)
            if shiboken6.isValid(page) and callable(stop):
                stop()
