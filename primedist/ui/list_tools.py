"""Widgets and helpers shared by the SQL-backed list pages (orders, products, SKU groups).

A list page shows a `SqlTableModel` (keys only, keyset paged) in a `QTableView`:
`setup_list_view` sets the view up alike on every page and `sort_by_default` runs the
first query. `SqlListPage` is the base of such a page (the selection as list keys,
writing actions off the UI thread, the language switch); `FilteredListPage` adds the
search box, the Filters menu (`FilterButton`), the chips of the active filters
(`ChipBar`: click to edit, × to remove) and the message bar (`MessageBar`: what the
last action did). `FilterDialog` is the frame of a page's filter editors (`CheckList`
their tick lists); `export_done_box` offers to open the folder of an exported file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QDesktopServices,
    QFont,
    QFontMetrics,
    QHelpEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from primedist.core.money import format_number
from primedist.queries.spec import QuerySpec, QueryState
from primedist.services.context import ServiceContext
from primedist.services.shops import ShopInfo, list_shops
from primedist.ui.file_dialogs import EXPORT, ask_save_file
from primedist.ui.i18n import current_language
from primedist.ui.ops import Op
from primedist.ui.sync.status import outbox_changed
from primedist.ui.table_model import SqlTableModel
from primedist.ui.widgets import SearchBox, button_text, icon

# Translation context of the texts of this module.
CONTEXT = "filters"

#: Width a dialog's title bar takes besides its title: the icon, the window buttons, the
#: padding (Windows' buttons are 46 px wide each).
TITLE_BAR_ROOM = 170

# Style of the filter chips (a page's STYLE includes it).
CHIP_STYLE = """
QFrame[chip="true"] { background: #EFF6FF; border: 1px solid #BFDBFE; border-radius: 12px; }
QFrame[chip="true"] QToolButton { border: none; background: transparent; color: #1E40AF;
    padding: 2px 4px; }
QFrame[chip="true"] QToolButton#chipRemove { color: #60A5FA; font-weight: 600; }
QFrame[chip="true"] QToolButton#chipRemove:hover { color: #B91C1C; }
"""
# A list with narrow columns (`setup_list_view`'s `narrow`) short of room: less padding
# in its cells and titles (a page's STYLE includes it).
NARROW_LIST_STYLE = """
QTableView[narrow="true"]::item { padding: 0 4px; }
QTableView[narrow="true"] QHeaderView::section { padding: 8px 4px; }
"""
# Style of disabled action buttons and of the message bar (a page's STYLE includes it).
ACTIONS_STYLE = """
QPushButton:disabled { color: #9CA3AF; background: #F9FAFB; border-color: #E5E7EB; }
QFrame#actionMessage { background: #ECFDF5; border: 1px solid #A7F3D0; border-radius: 6px; }
QFrame#actionMessage QLabel { color: #065F46; }
QFrame#actionMessage QToolButton { border: none; background: transparent; color: #065F46; }
"""


def alive(obj: Any) -> bool:
    """False once Qt deleted the object (a background answer may come back later)."""
    return shiboken6.isValid(obj)


def number(n: int) -> str:
    """A whole number in the UI language (`1.234` or `1,234`)."""
    return format_number(n, current_language())


def count_text(n: int, one: str, many: str) -> str:
    """`one` or `many` (translated, with a %n) for n, the number in the UI language."""
    return (one if n == 1 else many).replace("%n", number(n))


def short_list(names: Sequence[str], limit: int = 3) -> str:
    """The first `limit` names, then `+N` for the others: `A, B, C +2`."""
    shown = ", ".join(names[:limit])
    return shown + (f" +{len(names) - limit}" if len(names) > limit else "")


def xlsx_path(chosen: str | Path) -> Path:
    """The path a save dialog returned, with `.xlsx` added when it has another ending.
    (A page asking where to export uses `ask_save_path`: it also asks before replacing
    the file that ending names.)"""
    return with_ending(Path(chosen), ".xlsx")


def with_ending(path: Path, ending: str) -> Path:
    """`path`, with `ending` (".xlsx") added when it has another (any case is kept)."""
    return path if path.suffix.lower() == ending else path.with_name(path.name + ending)


def push_button(name: str, slot: Callable[[], object], icon_name: str = "") -> QPushButton:
    """A button named `name` (objectName) calling `slot` when clicked, with a small icon."""
    button = QPushButton()
    button.setObjectName(name)
    if icon_name:
        button.setIcon(icon(icon_name))
        button.setIconSize(QSize(14, 14))
    button.clicked.connect(lambda _c=False: slot())
    return button


# --------------------------------------------------------------------------- the view


def setup_list_view(
    view: QTableView,
    model: SqlTableModel,
    *,
    hidden: Iterable[str] = (),
    widths: Mapping[str, int] | None = None,
    icon_size: QSize | None = None,
    row_height: int = 30,
    single: bool = False,
    stretch: str | None = None,
    narrow: Mapping[str, int] | None = None,
) -> None:
    """Show `model` in `view` as every list does: rows selected whole, sortable by a header
    click (the model re-runs the SQL), no row numbers, one line a row, the spec's column
    widths (`widths` overrides some) and the `hidden` columns hidden. The `stretch`
    column (the name) takes the width the columns leave free (`SpareWidth`); in a narrow
    window the `narrow` columns give up width down to theirs before the list scrolls."""
    hidden, widths = set(hidden), widths or {}
    view.setModel(model)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.SingleSelection
        if single
        else QAbstractItemView.SelectionMode.ExtendedSelection
    )
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    # Tab leaves the list (to the action buttons) instead of walking cell by cell: the
    # walk moved the current cell and collapsed a selection of several orders to one.
    view.setTabKeyNavigation(False)
    keyboard_menu_at_current(view)
    if icon_size is not None:
        view.setIconSize(icon_size)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(row_height)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(stretch is None)
    for i, col in enumerate(model.spec.columns):
        view.setColumnWidth(i, widths.get(col.key, col.width))
        view.setColumnHidden(i, col.key in hidden)
    fit_titles(view)
    keys = [c.key for c in model.spec.columns]
    spare = None
    if stretch is not None:
        shrink = {keys.index(k): w for k, w in (narrow or {}).items()}
        spare = SpareWidth(view, keys.index(stretch), shrink)
    # Titles change with the language ("Successful orders" / "Đơn thành công"); the
    # columns SpareWidth sizes keep their titles whole themselves.
    model.headerDataChanged.connect(lambda *_: refit_titles(view, spare))
    keep_sort_arrow(view, model)


def refit_titles(view: QTableView, spare: SpareWidth | None) -> None:
    """`fit_titles` after a change of language, the columns `spare` sizes left to it."""
    if not alive(view):
        return
    fit_titles(view, skip=spare.columns if spare is not None else ())
    if spare is not None:
        spare.fit()


class _KeyboardMenu(QObject):
    """See `keyboard_menu_at_current`."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if (
            event.type() != QEvent.Type.ContextMenu
            or not isinstance(event, QContextMenuEvent)
            or event.reason() != QContextMenuEvent.Reason.Keyboard
        ):
            return False
        view = self.view
        current = view.currentIndex()
        if current.isValid():
            view.scrollTo(current)
            view.customContextMenuRequested.emit(view.visualRect(current).center())
        event.accept()
        return True


def keyboard_menu_at_current(view: QAbstractItemView) -> None:
    """The Menu key (Shift+F10) opens `view`'s row menu on its current row. Qt hands the
    list the current cell's point in the list's own coordinates, but a row menu
    (`customContextMenuRequested`) reads the viewport's, which start under the header: it
    took the row below the current one (and a Confirm there hit the wrong order). Here
    the signal gets the current row's point in viewport coordinates, as a right-click
    does; the page's menu keeps the selection when that row is in it."""
    view.installEventFilter(_KeyboardMenu(view))


def keep_sort_arrow(view: QTableView, model: SqlTableModel) -> None:
    """The header's arrow stays on the column the rows are sorted by: a click on a column
    that cannot be sorted (the model ignores it) moves it back, where it was."""
    header = view.horizontalHeader()

    def put_back(column: int, _order: Qt.SortOrder) -> None:
        if model.sortable(column):
            return
        blocked = header.blockSignals(True)  # the model is sorted already: no query
        try:
            header.setSortIndicator(*model.sort_order())
        finally:
            header.blockSignals(blocked)

    header.sortIndicatorChanged.connect(put_back)


class SpareWidth(QObject):
    """Gives the width the columns leave free in `view` to one column (a name, cut with
    "…" otherwise), and takes it back when the view narrows, down to that column's own
    width. Narrower still (a 1024 px window), the `narrow` columns ({index: width}) give
    up width too, each down to its narrow width (never under its title), in proportion
    to what they can give; then the list scrolls sideways as before. Unlike a stretched
    last column, the spare room goes where the text is long, and every column stays
    resizable: a width the user sets is that column's own, kept at any window width."""

    def __init__(
        self, view: QTableView, column: int, narrow: Mapping[int, int] | None = None
    ) -> None:
        super().__init__(view)
        self._view, self._column = view, column
        #: The width each column sized here has with room to spare, and its narrowest.
        self._base = {c: view.columnWidth(c) for c in {column, *(narrow or {})}}
        self._narrow = dict(narrow or {})
        self._floor = {c: min(w, self._base[c]) for c, w in self._narrow.items()}
        self._busy = False
        view.viewport().installEventFilter(self)
        view.horizontalHeader().sectionResized.connect(self._on_resized)

    @property
    def columns(self) -> tuple[int, ...]:
        """The columns this sizes (the spare width's and the narrow ones)."""
        return tuple(self._base)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _on_resized(self, index: int, _old: int, _new: int) -> None:
        if index in self._base:
            if not self._busy:  # the user's own width: kept, the column's new floor
                self._base[index] = self._view.columnWidth(index)
                self._floor.pop(index, None)
        elif not self._busy:
            self.fit()

    def size_to_contents(self) -> None:
        """A list whose rows are written anew (a QTableWidget): every column as wide as
        its contents and title, which the columns sized here take as their width with
        room to spare (their narrow widths as given), then fitted to the view."""
        view = self._view
        busy, self._busy = self._busy, True
        try:
            self._tighten(False)  # measured with the usual padding, as a spec's widths are
            view.resizeColumnsToContents()
            self._base = {c: view.columnWidth(c) for c in self._base}
            self._floor = {c: min(w, self._base[c]) for c, w in self._narrow.items()}
        finally:
            self._busy = busy
        self.fit()

    def widths(self) -> dict[int, int]:
        """The widths the sized columns take in the view's width now."""
        view, header = self._view, self._view.horizontalHeader()
        shown = [c for c in self._base if not header.isSectionHidden(c)]
        room = view.viewport().width() - header.length()
        room += sum(view.columnWidth(c) for c in shown)
        if self._floor:  # short of room: tighter cells (the columns' own widths decide)
            self._tighten(sum(self._base[c] for c in shown) > room)
        # Never under a title (it changes with the language).
        titles = self._titles(shown)
        base = {c: max(self._base[c], header.sectionSizeHint(c)) for c in shown}
        floor = {c: max(min(self._floor.get(c, base[c]), base[c]), titles[c]) for c in shown}
        widths = dict(base)
        short = sum(base.values()) - room
        if short <= 0:
            widths[self._column] += -short
            return widths
        slack = {c: base[c] - floor[c] for c in shown}
        total = sum(slack.values())
        if total:
            given = min(short, total)
            for c in shown:  # each in proportion to what it can give
                widths[c] -= slack[c] * given // total
            # What the rounding left: from the first that can still give.
            over = sum(widths.values()) - room
            for c in shown:
                take = min(max(over, 0), widths[c] - floor[c])
                widths[c] -= take
                over -= take
        return widths

    def _tighten(self, narrow: bool) -> None:
        """Less padding in the cells and the titles of a list short of room (the view's
        `narrow` property: NARROW_LIST_STYLE)."""
        view = self._view
        if bool(view.property("narrow")) == narrow:
            return
        view.setProperty("narrow", narrow)
        for widget in (view, view.horizontalHeader()):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        view.viewport().update()

    def _titles(self, columns: Iterable[int]) -> dict[int, int]:
        """The width each column's title needs: with the room of the sort arrow where the
        list can be sorted by the column, else without it (the arrow never shows there;
        the header's hints keep its room on every column)."""
        header, model = self._view.horizontalHeader(), self._view.model()
        sortable = getattr(model, "sortable", lambda _c: True)
        with_arrow = {c: header.sectionSizeHint(c) for c in columns}
        shown = header.isSortIndicatorShown()
        header.setSortIndicatorShown(False)  # no signal, no sorting: only the hints
        try:
            plain = {c: header.sectionSizeHint(c) for c in columns}
        finally:
            header.setSortIndicatorShown(shown)
        return {c: with_arrow[c] if sortable(c) else plain[c] for c in with_arrow}

    def fit(self) -> None:
        if not alive(self._view):
            return
        busy, self._busy = self._busy, True
        try:
            for c, width in self.widths().items():
                if width != self._view.columnWidth(c):
                    self._view.setColumnWidth(c, width)
        finally:
            self._busy = busy


def text_fits(option: QStyleOptionViewItem, view: QWidget | None) -> bool:
    """True when a cell's text (`option`, filled by its delegate) shows whole, not cut."""
    style = view.style() if view is not None else QApplication.style()
    room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
    # The painter keeps a margin at each side of the text (QCommonStyle).
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return option.fontMetrics.horizontalAdvance(option.text) <= room.width() - 2 * margin


class ElidedTips(QStyledItemDelegate):
    """The cells of a list: one cut with "…" (a narrow window) or shortened shows its
    whole text as its tooltip, with the cell's own tooltip unless one says the other."""

    def tip(self, view: QAbstractItemView, index: QModelIndex) -> str | None:
        """What hovering the cell at `index` shows (None: nothing)."""
        option = QStyleOptionViewItem()
        option.initFrom(view.viewport())
        option.rect = view.visualRect(index)
        option.decorationSize = view.iconSize()
        option.widget = view
        return self._tip(option, index, view)

    def _tip(
        self, base: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex,
        view: QWidget,
    ) -> str | None:  # fmt: skip
        option = QStyleOptionViewItem(base)
        self.initStyleOption(option, index)
        own = index.data(Qt.ItemDataRole.ToolTipRole)
        own = str(own) if own else None
        # Cut with "…", or shortened by a delegate (`initStyleOption`): the whole text.
        whole = str(index.data() or "")
        if not whole or (option.text == whole and text_fits(option, view)):
            return own
        if own is None or own in whole:
            return whole
        return own if whole in own else f"{whole}\n{own}"

    def helpEvent(
        self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:  # fmt: skip
        if event is None or view is None or event.type() != QEvent.Type.ToolTip:
            return super().helpEvent(event, view, option, index)
        tip = self._tip(option, index, view)
        if tip:
            QToolTip.showText(event.globalPos(), tip, view)
        else:
            QToolTip.hideText()
        return True


def fit_titles(view: QTableView, skip: Iterable[int] = ()) -> None:
    """Widen a column whose title (with the sort arrow's room) does not fit, so no title
    shows clipped; a wider column is left as it is, and so are the `skip` ones."""
    if not alive(view):  # the model may outlive its view
        return
    header, skip = view.horizontalHeader(), set(skip)
    for i in range(header.count()):
        if not header.isSectionHidden(i) and i not in skip:
            needed = header.sectionSizeHint(i)
            if view.columnWidth(i) < needed:
                view.setColumnWidth(i, needed)


def sort_by_default(view: QTableView, spec: QuerySpec) -> None:
    """Show the spec's default sort on the header; setting the indicator sorts the model
    once: that is the list's first query."""
    column = [c.key for c in spec.columns].index(spec.default_sort)
    order = Qt.SortOrder.DescendingOrder if spec.default_descending else Qt.SortOrder.AscendingOrder
    view.horizontalHeader().setSortIndicator(column, order)


class EmptyHint(QLabel):
    """A line in the middle of an empty list, so that a blank table is never a puzzle:
    nothing matches the search and filters, or there is nothing yet (`texts()` gives
    both, read when shown: they follow the language). Clicks go through to the list,
    unless the text is rich text with a link (`linkActivated` then says which)."""

    def __init__(
        self,
        view: QTableView,
        texts: Callable[[], tuple[str, str]],
        narrowed: Callable[[], bool],
    ) -> None:
        super().__init__(view.viewport())
        self.setObjectName("emptyHint")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._view, self._texts, self._narrowed = view, texts, narrowed
        view.viewport().installEventFilter(self)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                       model.layoutChanged):  # fmt: skip
            signal.connect(self.update_hint)
        if isinstance(model, SqlTableModel):  # a new search may leave it as empty as before
            model.busyChanged.connect(lambda _busy: self.update_hint())
            model.queryChanged.connect(lambda _rows: self.update_hint())
        self.update_hint()

    def update_hint(self) -> None:
        if not alive(self):
            return
        model = self._view.model()
        empty = model.rowCount() == 0 and not getattr(model, "busy", False)
        if empty:
            filtered, nothing = self._texts()
            text = filtered if self._narrowed() else nothing
            # A link offers a way out (another status tab holds the matches): clickable.
            link = "<a href=" in text
            self.setTextFormat(Qt.TextFormat.RichText if link else Qt.TextFormat.PlainText)
            self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not link)
            self.setTextInteractionFlags(
                Qt.TextInteractionFlag.LinksAccessibleByMouse
                if link
                else Qt.TextInteractionFlag.NoTextInteraction
            )
            self.setText(text)
            self._place()
        self.setVisible(empty)

    def _place(self) -> None:
        """Across the list's visible area, a margin at each side; centred in it."""
        self.setGeometry(self._view.viewport().rect().adjusted(24, 0, -24, 0))

    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self._view.viewport():
            self._place()
        return super().eventFilter(watched, event)


@dataclass(frozen=True)
class _Place:
    """Where the user was in a list before a refresh: the selected keys, the current
    row's key, row and column (row -1: none) and the vertical scroll."""

    keep: list[int]
    key: int | None
    row: int
    column: int
    scroll: int
    #: How many rows must have their keys to put all this back (the last one selected,
    #: current or on screen, and a page more for rows added above them meanwhile).
    reach: int = 0
    #: The first row on screen and its key: scrolled down, the same rows stay on screen
    #: when rows come or go above them (at the top, new rows show there).
    top_row: int = -1
    top_key: int | None = None
    #: The current row was on screen: it stays there (else the user scrolled away from
    #: it, and is not taken back to it).
    current_shown: bool = True

    @property
    def on_one_row(self) -> bool:
        """Working down the list one order at a time: only the current row selected."""
        return self.keep == [self.key] and self.key is not None


class SqlListPage(QWidget):
    """The base of a page showing `model` (a SqlTableModel) in `view` (a QTableView): the
    selection as keys, writing actions run off the UI thread one at a time (`busy`), and
    the language switch. A subclass builds `model` and `view` and provides `retranslate()`
    and `_update_actions()` (enabling its buttons, reading `busy`)."""

    view: QTableView
    model: SqlTableModel

    # Selections up to this many rows are restored after a refresh.
    KEEP_SELECTION_LIMIT = 5_000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._busy = False
        #: Where to put the user back once a refresh's background search answers.
        self._pending_place: tuple[QueryState, _Place] | None = None
        self._place_watched = False
        #: A refresh for changes made elsewhere runs (`follow_changes`).
        self._following = False

    def retranslate(self) -> None:
        raise NotImplementedError

    def _update_actions(self) -> None:
        raise NotImplementedError

    def _show_count(self) -> None:
        raise NotImplementedError

    def _watch_view(self) -> None:
        """Keep the actions in step with the selection and the rows, and the count shown
        in step with the query (call once `view` shows `model`)."""
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_actions())
        self.model.modelReset.connect(self._update_actions)
        self.model.queryChanged.connect(lambda _n: self._show_count())
        self.model.keysLoaded.connect(lambda _n: self._show_count())
        self.empty_hint = EmptyHint(self.view, self.empty_texts, self.narrowed)

    def narrowed(self) -> bool:
        """Whether the user's search or filters hide rows (a subclass knows its own)."""
        state = self.model.state
        return bool(state.search.strip() or state.filters)

    def empty_texts(self) -> tuple[str, str]:
        """(nothing matches the search and filters, there is nothing yet) for the list."""
        return (
            QCoreApplication.translate("SqlListPage", "Nothing matches the search and filters."),
            QCoreApplication.translate("SqlListPage", "Nothing here yet."),
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.model.reformat()
            hint = getattr(self, "empty_hint", None)
            if hint is not None:
                hint.update_hint()
        super().changeEvent(event)

    # Selection ----------------------------------------------------------------------------
    def _selected_spans(self) -> list[tuple[int, int]]:
        """Selected rows as merged (first, last) spans, in list order."""
        selection = self.view.selectionModel().selection()
        spans = sorted((r.top(), r.bottom()) for r in selection.toList())
        merged: list[tuple[int, int]] = []
        for top, bottom in spans:
            if merged and top <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], bottom))
            else:
                merged.append((top, bottom))
        return merged

    def selected_count(self) -> int:
        return sum(bottom - top + 1 for top, bottom in self._selected_spans())

    def selected_ids(self) -> list[int]:
        """Keys (ids) of the selected rows, in list order (loads every key if needed)."""
        spans = self._selected_spans()
        if spans and spans[-1][1] >= self.model.loaded_keys:
            self.model.load_all_keys()
        ids = []
        for top, bottom in spans:
            for row in range(top, bottom + 1):
                key = self.model.key_at(row)
                if key is not None:
                    ids.append(key)
        return ids

    def select_ids(self, ids: Iterable[int]) -> int:
        """Select the rows of these keys among the loaded keys; returns how many."""
        wanted = set(ids)
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        found = 0
        for row in range(self.model.loaded_keys if wanted else 0):
            if self.model.key_at(row) in wanted:
                selection.select(self.model.index(row, 0), self.model.index(row, last))
                found += 1
                if found == len(wanted):
                    break
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.view.selectionModel().select(selection, flags)
        return found

    def refresh(self) -> None:
        """Re-run the list, keeping the selection where possible, the keyboard's current
        row (by key; if it left the list, the row now at its place) and the scroll (the
        same rows on screen, when rows came or went above them)."""
        spans = self._selected_spans()
        keep = self.selected_ids() if self.selected_count() <= self.KEEP_SELECTION_LIMIT else []
        current = self.view.currentIndex()
        first_shown = self.view.rowAt(0)
        last_shown = self.view.rowAt(self.view.viewport().height() - 1)
        if last_shown < 0 <= first_shown:  # the list ends on screen
            last_shown = self.model.rowCount() - 1
        place = _Place(
            keep,
            self.model.key_at(current.row()) if current.isValid() else None,
            current.row() if current.isValid() else -1,
            max(current.column(), 0),
            self.view.verticalScrollBar().value(),
            max(spans[-1][1] if keep else -1, current.row(), last_shown) + 1 + self.model.PAGE,
            first_shown,
            self.model.key_at(first_shown),
            first_shown <= current.row() <= last_shown,
        )  # fmt: skip
        self.model.refresh(keep_rows=self._following)
        if not self._following:
            # What changed the rows here may have queued marketplace actions (the status
            # bar reads another PC's itself).
            outbox_changed()
        if self.model.busy:  # a broad search answers later: put things back then
            self._pending_place = (self.model.state, place)
            if not self._place_watched:
                self._place_watched = True
                self.model.queryChanged.connect(lambda _n: self._restore_pending_place())
            return
        self._pending_place = None
        self._restore_place(place)

    def _restore_pending_place(self) -> None:
        pending = self._pending_place
        if pending is None or self.model.busy:
            return
        self._pending_place = None
        state, place = pending
        if state is self.model.state and alive(self):  # not another query since
            self._restore_place(place)

    def _restore_place(self, place: _Place) -> None:
        self.model.load_keys_to(place.reach)
        if place.keep:
            self.select_ids(place.keep)
        rows = self.model.rowCount()
        if place.row >= 0 and rows:
            row = self._row_of(place.key, place.row)
            index = self.model.index(min(row, rows - 1), place.column)
            flags = QItemSelectionModel.SelectionFlag.NoUpdate
            if place.on_one_row and not self.selected_count():
                # The row left the list (confirmed out of Pending): the next one takes its
                # place and its highlight, as a mail client does after a delete.
                flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                         | QItemSelectionModel.SelectionFlag.Rows)  # fmt: skip
            self.view.selectionModel().setCurrentIndex(index, flags)
        # The reset scrolled to the top: the rows laid out again, the same rows shown
        # (and the current row if it was on screen, should its key have moved out of them).
        self.view.doItemsLayout()
        self.view.verticalScrollBar().setValue(place.scroll + self._top_moved(place))
        current = self.view.currentIndex()
        if current.isValid() and place.current_shown:
            self.view.scrollTo(current, QAbstractItemView.ScrollHint.EnsureVisible)

    def _top_moved(self, place: _Place) -> int:
        """How far the scroll moves for the first row shown to stay first: rows added or
        gone above it (another PC's sale). Not at the top of the list: new rows show there."""
        if place.scroll <= 0 or place.top_key is None:
            return 0
        rows = self._row_of(place.top_key, place.top_row) - place.top_row
        if self.view.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerItem:
            return rows
        return rows * self.view.verticalHeader().defaultSectionSize()

    def _row_of(self, key: int | None, row: int) -> int:
        """The row of `key` among the loaded keys, nearest to `row` first; `row` itself
        when the key is no longer listed (the row that took its place)."""
        if key is None:
            return row
        loaded = self.model.loaded_keys
        for distance in range(max(row + 1, loaded - row)):
            for candidate in (row - distance, row + distance):
                if 0 <= candidate < loaded and self.model.key_at(candidate) == key:
                    return candidate
        return row

    # Changes made elsewhere -----------------------------------------------------------------
    def follow_changes(self, *, arriving: bool = False) -> bool:
        """The shop's data changed elsewhere (another PC, a sync: `ui.data_watch`): the list
        runs its query again in place, as `refresh` does (the selection, the current row
        and the scroll kept; the rows stay shown while a broad search reads). Not while
        the user is in the middle of something in it (`in_use`): False, ask again later.
        `arriving`: the list just showed (a sub-tab clicked): nothing of the user's can be
        under way in it but an action or a search still running."""
        if self.in_use(arriving=arriving):
            return False
        self._following = True
        try:
            self.refresh()
        finally:
            self._following = False
        return True

    def in_use(self, *, arriving: bool = False) -> bool:
        """Whether reading the rows again now would get in the user's way: an action or a
        search running, a cell being edited, a drag (a selection being drawn), a menu
        open (the row's, Filters, Print), a mouse button held down (not looked at when
        `arriving`: see `follow_changes`)."""
        if self._busy or self.model.busy:
            return True
        if arriving:
            return False
        if self.view.state() != QAbstractItemView.State.NoState:
            return True
        if QApplication.activePopupWidget() is not None:
            return True
        return QApplication.mouseButtons() != Qt.MouseButton.NoButton

    # Actions ------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while a writing action runs."""
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        if alive(self):
            self._update_actions()

    def _run(
        self, title: str, fn: Callable[[], Any], done: Callable[[Any], None], *,
        progress: bool = False,
    ) -> None:  # fmt: skip
        """Run a writing service call off the UI thread (busy meanwhile), then refresh the
        list and call `done(result)` (not when the page is gone)."""
        self._set_busy(True)
        op = Op(self, lambda _job: fn(), title=title).success(
            lambda result: self._after(done, result)
        )
        op.finally_(lambda: self._set_busy(False))
        (op.with_progress() if progress else op).run()

    def _after(self, done: Callable[[Any], None], result: Any) -> None:
        if not alive(self):
            return
        self.refresh()
        done(result)


# --------------------------------------------------------------------------- filters


class FilterButton(QPushButton):
    """ "Filters" (objectName filterButton) opening a menu of filter kinds: `kind_actions`
    (their texts set by the page). Choosing a kind calls `edit(kind)`; a kind in `toggles`
    is a checkable action calling its function with the new state instead."""

    def __init__(
        self,
        kinds: Iterable[str],
        edit: Callable[[str], object],
        toggles: Mapping[str, Callable[[bool], None]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("filterButton")
        toggles = toggles or {}
        self.filter_menu = QMenu(self)
        self.kind_actions: dict[str, QAction] = {}
        for kind in kinds:
            action = self.filter_menu.addAction("")
            if kind in toggles:
                action.setCheckable(True)
                action.toggled.connect(toggles[kind])
            else:
                action.triggered.connect(lambda _c=False, k=kind: edit(k))
            self.kind_actions[kind] = action
        self.setMenu(self.filter_menu)


class Chip(QFrame):
    """An active filter: its text (click to edit) and × to remove it."""

    removeRequested = Signal(str)
    editRequested = Signal(str)

    def __init__(self, kind: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"chip_{kind}")
        self.setProperty("chip", True)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 1, 4, 1)
        row.setSpacing(0)
        self.text = QToolButton()
        self.text.setObjectName("chipText")
        self.text.setText(button_text(text))  # a category "Giày dép & Túi" whole
        self.text.setCursor(Qt.CursorShape.PointingHandCursor)
        self.text.clicked.connect(lambda: self.editRequested.emit(kind))
        self.remove = QToolButton()
        self.remove.setObjectName("chipRemove")
        self.remove.setText("×")
        self.remove.setCursor(Qt.CursorShape.PointingHandCursor)
        self.remove.setToolTip(QCoreApplication.translate("filters", "Remove this filter"))
        self.remove.clicked.connect(lambda: self.removeRequested.emit(kind))
        row.addWidget(self.text)
        row.addWidget(self.remove)


class ChipBar(QWidget):
    """The chips of the active filters, then a "Clear all" link (`clear_button`, its text
    set by the page); hidden while no filter is on."""

    # A chip's × was clicked (its kind).
    removeRequested = Signal(str)
    # A chip's text was clicked (its kind).
    editRequested = Signal(str)
    # "Clear all" was clicked.
    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chips")
        self._chips: dict[str, Chip] = {}
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(6)
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("linkButton")
        self.clear_button.clicked.connect(lambda: self.clearRequested.emit())
        self._row.addWidget(self.clear_button)
        self._row.addStretch(1)
        self.hide()

    def chip(self, kind: str) -> Chip | None:
        """The chip of an active filter kind, None when that filter is off."""
        return self._chips.get(kind)

    def show_chips(self, texts: Mapping[str, str]) -> None:
        """Replace the chips by these ({kind: text}, in chip order)."""
        for old in self._chips.values():
            self._row.removeWidget(old)
            old.hide()
            old.deleteLater()
        self._chips = {}
        for i, (kind, text) in enumerate(texts.items()):
            chip = Chip(kind, text, self)
            chip.removeRequested.connect(self.removeRequested)
            chip.editRequested.connect(self.editRequested)
            self._row.insertWidget(i, chip)
            self._chips[kind] = chip
        self.setVisible(bool(texts))


class CheckList(QListWidget):
    """The tick list of a filter dialog: each item carries its value (UserRole)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterChecklist")
        self.setMinimumWidth(300)

    def add_choice(self, text: str, data: Any, checked: bool) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        item.setData(Qt.ItemDataRole.UserRole, data)
        self.addItem(item)
        return item

    def checked_values(self) -> list[Any]:
        """The values of the ticked items, in list order."""
        items = (self.item(i) for i in range(self.count()))
        return [
            it.data(Qt.ItemDataRole.UserRole)
            for it in items
            if it.checkState() == Qt.CheckState.Checked
        ]


class FilterDialog(QDialog):
    """The frame of a filter editor: a title, the kind's inputs, an error line and
    Apply/Cancel; `updated` holds the new filter once accepted.

    A subclass calls `__init__`, builds its inputs into `body` (setting `title`'s text),
    calls `finish()`, and implements `read()`: the filter with its part replaced, or
    ValueError with a translated message."""

    # Clear was pressed: the page drops this kind's filter (the dialog closes).
    cleared = Signal()

    def __init__(self, kind: str, flt: Any, *, name: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.kind = kind
        self.updated = flt
        self._flt = flt
        self.list: CheckList | None = None
        self.body = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setObjectName("dialogTitle")
        self.body.addWidget(self.title)

    def finish(self) -> None:
        """The error line and the buttons, under the inputs."""
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.body.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("primaryButton")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            QCoreApplication.translate("filters", "Apply")
        )
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        # Shown by the page while this kind's filter is on (`offer_clear`).
        self.clear_button = self.buttons.addButton(
            QCoreApplication.translate("filters", "Clear"), QDialogButtonBox.ButtonRole.ResetRole
        )
        self.clear_button.setObjectName("clearFilter")
        self.clear_button.setToolTip(
            QCoreApplication.translate("filters", "Remove this filter from the list")
        )
        self.clear_button.clicked.connect(self._clear)
        self.clear_button.hide()
        self.body.addWidget(self.buttons)
        title = self.title.text()
        self.setWindowTitle(title)
        # A dialog only as wide as its inputs gets a title bar that cuts its title ("Tổng
        # chi… khoảng"): room for the whole title beside the bar's icon and buttons.
        bold = QFont(self.font())
        bold.setBold(True)
        self.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(title) + TITLE_BAR_ROOM)

    def checklist(self, layout: QVBoxLayout) -> CheckList:
        """A tick list (`list`) added to `layout`."""
        self.list = CheckList()
        layout.addWidget(self.list)
        return self.list

    def checked(self) -> list[Any]:
        """The values ticked in `list`."""
        return self.list.checked_values() if self.list is not None else []

    def offer_clear(self, on: bool) -> None:
        """Show Clear: the filter of this kind is on the list now."""
        self.clear_button.setVisible(on)

    def _clear(self) -> None:
        self.cleared.emit()
        self.reject()

    def apply(self) -> None:
        """Check the input; accept with `updated` set, or say what is wrong."""
        try:
            self.updated = self.read()
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()

    def read(self) -> Any:
        raise NotImplementedError


#: A placeholder's room beside its text in a line edit (the style sheet's padding, frame).
HINT_ROOM = 24


def set_range_hints(low_edit: QLineEdit, high_edit: QLineEdit, low: str, high: str) -> None:
    """The placeholders of a range's At least / At most boxes: an example each and what
    leaving it empty means (both showed a bare example amount, the same kind twice), each
    box wide enough to show its whole hint."""
    hints = (
        QCoreApplication.translate("filters", "e.g. %1 (empty: no minimum)").replace("%1", low),
        QCoreApplication.translate("filters", "e.g. %1 (empty: no maximum)").replace("%1", high),
    )
    for edit, hint in zip((low_edit, high_edit), hints, strict=True):
        edit.setPlaceholderText(hint)
        edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(hint) + HINT_ROOM)


def example_amount(amount: int, lang: str) -> str:
    """An amount of money as a shop owner types it, for a hint: `500k`, `2tr` in
    Vietnamese (`parse_money` reads both), `500k`, `2,000,000` in English."""
    if amount and amount % 1_000_000 == 0:
        millions = amount // 1_000_000
        return f"{millions}tr" if lang == "vi" else format_number(amount, lang)
    if amount % 1_000 == 0:
        return f"{format_number(amount // 1_000, lang)}k"
    return format_number(amount, lang)


# --------------------------------------------------------------------------- messages


class MessageBar(QFrame):
    """The outcome of the last action, above a list (`label`), with × to close it and,
    when the outcome has something to open, a link (`link`) beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("actionMessage")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 4, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.link = QPushButton()
        self.link.setObjectName("linkButton")
        self.link.setCursor(Qt.CursorShape.PointingHandCursor)
        self.link.clicked.connect(self._follow)
        self.link.hide()
        self._on_link: Callable[[], object] | None = None
        close = QToolButton()
        close.setText("×")
        close.clicked.connect(self.hide)
        row.addWidget(self.label, 1)
        row.addWidget(self.link)
        row.addWidget(close)
        self.hide()

    def show_text(
        self, text: str, link: str = "", on_link: Callable[[], object] | None = None
    ) -> None:
        """Show `text`; with `link` and `on_link`, a link of that text calling it."""
        self.label.setText(text)
        self._on_link = on_link if link else None
        self.link.setText(link)
        self.link.setVisible(self._on_link is not None)
        self.show()

    def _follow(self) -> None:
        if self._on_link is not None:
            self._on_link()

    def changeEvent(self, event: QEvent) -> None:
        # The message was worded in the language before: closed rather than left stale.
        if event.type() == QEvent.Type.LanguageChange:
            self.hide()
        super().changeEvent(event)


class FilteredListPage(SqlListPage):
    """A SqlListPage with a search box, a Filters menu, chips of the active filters and a
    message bar. The subclass holds its filter in `_filter` (a frozen dataclass, empty at
    first: `_empty`) and provides `chip_texts()` ({kind: text} in chip order),
    `edit_filter(kind)`, `_cleared(filter, kind)` (the filter without one kind) and
    `_apply()` (runs the list query for `_filter` and `_search`, keeping the sort)."""

    def __init__(self, ctx: ServiceContext, empty: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._empty = empty
        self._filter = empty
        self._search = ""
        self._shops: list[ShopInfo] | None = None

    def chip_texts(self) -> dict[str, str]:
        raise NotImplementedError

    def edit_filter(self, kind: str) -> object:
        raise NotImplementedError

    def _cleared(self, flt: Any, kind: str) -> Any:
        raise NotImplementedError

    def _apply(self) -> None:
        raise NotImplementedError

    # Construction -------------------------------------------------------------------------
    def _build_search_row(
        self, kinds: Iterable[str], toggles: Mapping[str, Callable[[bool], None]] | None = None
    ) -> QHBoxLayout:
        """The search box, the Filters menu (`filter_actions`) and the row count."""
        bar = QHBoxLayout()
        self.search = SearchBox()
        self.search.setMinimumWidth(420)
        self.search.searchChanged.connect(self._on_search)
        self.filter_button = FilterButton(kinds, self.edit_filter, toggles)
        self.filter_menu = self.filter_button.filter_menu
        self.filter_actions = self.filter_button.kind_actions
        self.count = QLabel()
        self.count.setObjectName("muted")
        bar.addWidget(self.search)
        bar.addWidget(self.filter_button)
        bar.addStretch(1)
        bar.addWidget(self.count)
        return bar

    def _build_chips(self) -> QWidget:
        self.chips = ChipBar()
        self.chips.removeRequested.connect(self.remove_filter)
        self.chips.editRequested.connect(self._on_chip_clicked)
        self.chips.clearRequested.connect(lambda: self.set_filter(self._empty))
        self.clear_filters = self.chips.clear_button
        return self.chips

    def _build_message(self) -> QWidget:
        self.message_bar = MessageBar()
        self.message = self.message_bar.label
        return self.message_bar

    def show_message(self, text: str) -> None:
        """The outcome of the last action, above the list."""
        self.message_bar.show_text(text)

    # Search and filters -------------------------------------------------------------------
    def _on_search(self, text: str) -> None:
        self._search = text
        self._apply()

    def current_filter(self) -> Any:
        return self._filter

    def narrowed(self) -> bool:
        """The search or a filter chip (not the conditions every query carries)."""
        return bool(self._search.strip()) or self._filter != self._empty

    def set_filter(self, flt: Any) -> None:
        """Show the rows of a filter: chips and list follow."""
        if flt == self._filter:
            return
        self._filter = flt
        self._rebuild_chips()
        self._apply()

    def remove_filter(self, kind: str) -> None:
        self.set_filter(self._cleared(self._filter, kind))

    def open_filter_dialog(self, dialog: FilterDialog) -> FilterDialog:
        """Open a filter editor (not modal for the app: the list stays live): Apply sets
        its filter, Clear (offered while its kind is on) removes it."""
        kind = dialog.kind
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.set_filter(dialog.updated))
        dialog.cleared.connect(lambda: self.remove_filter(kind))
        dialog.offer_clear(self.chip(kind) is not None)
        dialog.open()
        return dialog

    def shops(self, *, reload: bool = False) -> list[ShopInfo]:
        """The shops (a few rows, read once; again when the shop picker opens)."""
        if self._shops is None or reload:
            self._shops = list_shops(self.ctx)
        return self._shops

    def chip(self, kind: str) -> Chip | None:
        """The chip of an active filter kind, None when that filter is off."""
        return self.chips.chip(kind)

    def _rebuild_chips(self) -> None:
        self.chips.show_chips(self.chip_texts())

    def _on_chip_clicked(self, kind: str) -> None:
        self.edit_filter(kind)


def ask_reason(parent: QWidget, title: str, question: str,
               answered: Callable[[str], object]) -> QInputDialog:  # fmt: skip
    """The box asking why (a document is cancelled, an order closed…): `answered(text)`
    once accepted (the service refuses an empty reason, naming it); opened, deleted when
    closed."""
    box = QInputDialog(parent)
    box.setWindowTitle(title)
    box.setLabelText(question)
    box.setTextValue("")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.textValueSelected.connect(answered)
    box.open()
    return box


def ask_save_path(parent: QWidget, title: str, folder: Path, name: str,
                  ctx: ServiceContext | None = None, *,
                  purpose: str = EXPORT) -> Path | None:  # fmt: skip
    """Where to save a file named `name` (.xlsx or .pdf, its ending) in `folder` by default
    (or the folder last used for `purpose`, with `ctx`): the user's choice with that ending added
    when it has another; None when cancelled. The dialog asked before replacing the name
    typed, so with the ending added this asks about the file really written (No: the
    dialog shows again)."""
    ending = Path(name).suffix.lower()
    kinds = {".xlsx": QCoreApplication.translate("exports", "Excel workbook (*.xlsx)"),
             ".pdf": QCoreApplication.translate("exports", "PDF document (*.pdf)")}  # fmt: skip
    suggested = folder / name
    while True:
        chosen = ask_save_file(parent, ctx, purpose, title, suggested, kinds[ending])
        if chosen is None:
            return None
        typed = chosen[0]
        target = with_ending(typed, ending)
        if target == typed or not target.exists() or ask_replace(parent, target, title):
            return target
        suggested = target


def ask_replace(parent: QWidget, path: Path, title: str) -> bool:
    """Yes/No (a box titled `title`): replace the existing `path`? No by default (tests
    replace it)."""
    question = QCoreApplication.translate(
        "exports", "%1 already exists.\nDo you want to replace it?"
    ).replace("%1", path.name)
    answer = QMessageBox.question(
        parent, title, question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


def export_finished(parent: QWidget, what: str, path: Path) -> QMessageBox:
    """The box saying `what` (e.g. "12 lines") was exported to `path`, with Open folder;
    opened."""
    text = QCoreApplication.translate("exports", "%1 exported to %2.")
    box = export_done_box(parent, QCoreApplication.translate("exports", "Export finished"),
                          text.replace("%1", what).replace("%2", str(path)),
                          QCoreApplication.translate("exports", "Open folder"), path)  # fmt: skip
    box.open()
    return box


def export_done_box(
    parent: QWidget, title: str, text: str, folder_button: str, path: Path
) -> QMessageBox:
    """An information box (deleted on close) saying an export finished, with a button
    (`folder_button`, its text) opening the folder of `path`, and Close; not yet open."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    folder = box.addButton(folder_button, QMessageBox.ButtonRole.ActionRole)
    folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))
    box.addButton(QMessageBox.StandardButton.Close)
    return box
