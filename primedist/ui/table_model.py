"""One SQL-backed table model for every list.

The model holds only the keys of the current query (an `array('q')`, 8 bytes a row), in
list order. Keys arrive in keyset chunks: the first chunk synchronously (the first page
shows at once), the rest on idle timer ticks of bounded cost, so a 1,000,000-row list never
stalls the window. `rowCount()` is the SQL count, so the scroll bar is right from the start;
rows whose key has not arrived yet show a placeholder until it does. Visible rows are
fetched by key, a page at a time, into a small LRU cache. Sorting and filtering re-run the
SQL; nothing is sorted or filtered in Python.
"""

from __future__ import annotations

import logging
from array import array
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from sqlalchemy.engine import Engine

from primedist.queries.spec import QuerySpec, QueryState, count_rows, fetch_keys, fetch_rows

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
#: Turns a raw value of a column kind into display text.
Formatter = Callable[[str, Any], str]

PLACEHOLDER = "…"


def plain_formatter(kind: str, value: Any) -> str:
    """Fallback display: str() of the value, empty for NULL."""
    del kind
    return "" if value is None else str(value)


class SqlTableModel(QAbstractTableModel):
    """A read-only list over a QuerySpec; see the module docstring."""

    #: Emitted when every key of the current query is loaded (rows = rowCount()).
    keysLoaded = Signal(int)
    #: Emitted after a new query ran (search/filter/sort changed): the new row count.
    queryChanged = Signal(int)

    FIRST_CHUNK = 500
    CHUNK = 10_000
    PAGE = 100
    MAX_PAGES = 64

    def __init__(
        self,
        engine: Engine,
        spec: QuerySpec,
        *,
        formatter: Formatter = plain_formatter,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._engine = engine
        self._spec = spec
        self._fmt = formatter
        self._state = QueryState()
        self._keys = array("q")
        self._count = 0
        self._after: tuple[Any, int] | None = None
        self._complete = True
        self._pages: OrderedDict[int, list[tuple[str, ...] | None]] = OrderedDict()
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._load_next_chunk)

    # Public API -------------------------------------------------------------------------
    @property
    def spec(self) -> QuerySpec:
        return self._spec

    @property
    def state(self) -> QueryState:
        return self._state

    @property
    def loaded_keys(self) -> int:
        return len(self._keys)

    @property
    def complete(self) -> bool:
        """True when every key of the query has been loaded."""
        return self._complete

    def set_state(self, state: QueryState) -> None:
        """Run a new query (search, filters, sort) and reset the view to its first rows."""
        self._timer.stop()
        self.beginResetModel()
        self._state = state
        self._keys = array("q")
        self._after = None
        self._pages.clear()
        with self._engine.connect() as conn:
            self._count = count_rows(conn, self._spec, state)
            self._complete = self._count == 0
            if not self._complete:
                self._append_keys(conn, self.FIRST_CHUNK)
        self.endResetModel()
        self.queryChanged.emit(self._count)
        if self._complete:
            self._reconcile_count()
        else:
            self._timer.start()

    def refresh(self) -> None:
        """Re-run the current query (after a change elsewhere)."""
        self.set_state(self._state)

    def reformat(self) -> None:
        """Redraw every cell and header from SQL rows again (language changed): keys stay."""
        self._pages.clear()
        if self._count:
            last = self.index(self._count - 1, len(self._spec.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._spec.columns) - 1)

    def key_at(self, row: int) -> int | None:
        """The primary key of a row, or None while its key is still loading."""
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def load_all_keys(self) -> None:
        """Finish loading keys now (tests, 'select all', exports of the selection)."""
        while not self._complete:
            self._load_next_chunk()

    def stop(self) -> None:
        """Stop background key loading (the view is going away)."""
        self._timer.stop()

    # Qt model interface -----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._spec.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._spec.columns):
            return None
        col = self._spec.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("columns", col.label)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignment(col.kind)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._count:
            return None
        col = self._spec.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            row = self._row(index.row())
            if row is None:
                return PLACEHOLDER
            return row[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignment(col.kind)
        if role == Qt.ItemDataRole.UserRole:
            return self.key_at(index.row())
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL by a sortable column; unsortable columns are ignored."""
        if not 0 <= column < len(self._spec.columns):
            return
        col = self._spec.columns[column]
        if col.sort is None:
            return
        desc = order == Qt.SortOrder.DescendingOrder
        self.set_state(self._state.with_sort(col.key, desc))

    # Internals --------------------------------------------------------------------------
    @staticmethod
    def _alignment(kind: str) -> int:
        right = kind in ("money", "int")
        h = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
        return int(h | Qt.AlignmentFlag.AlignVCenter)

    def _append_keys(self, conn: Any, limit: int) -> int:
        page = fetch_keys(conn, self._spec, self._state, after=self._after, limit=limit)
        if page.keys:
            self._keys.extend(page.keys)
            self._after = page.after
        if len(page.keys) < limit:
            self._complete = True
        return len(page.keys)

    def _load_next_chunk(self) -> None:
        if self._complete:
            self._timer.stop()
            return
        first_new = len(self._keys)
        with self._engine.connect() as conn:
            self._append_keys(conn, self.CHUNK)
        last_new = min(len(self._keys), self._count) - 1
        if last_new >= first_new:
            # Rows that showed the placeholder now have keys: repaint them.
            self._drop_pages_from(first_new)
            self.dataChanged.emit(
                self.index(first_new, 0), self.index(last_new, len(self._spec.columns) - 1)
            )
        if self._complete:
            self._timer.stop()
            self._reconcile_count()

    def _reconcile_count(self) -> None:
        """Rows inserted or deleted between the count and the key scan: fix rowCount."""
        n = len(self._keys)
        if n > self._count:
            self.beginInsertRows(QModelIndex(), self._count, n - 1)
            self._count = n
            self.endInsertRows()
        elif n < self._count:
            self.beginRemoveRows(QModelIndex(), n, self._count - 1)
            self._count = n
            self._drop_pages_from(n)
            self.endRemoveRows()
        self.keysLoaded.emit(n)

    def _drop_pages_from(self, row: int) -> None:
        first_page = row // self.PAGE
        for page in [p for p in self._pages if p >= first_page]:
            del self._pages[page]

    def _row(self, row: int) -> tuple[str, ...] | None:
        page_no = row // self.PAGE
        page = self._pages.get(page_no)
        if page is None:
            page = self._fetch_page(page_no)
            if page is None:
                return None
        else:
            self._pages.move_to_end(page_no)
        return page[row - page_no * self.PAGE]

    def _fetch_page(self, page_no: int) -> list[tuple[str, ...] | None] | None:
        start = page_no * self.PAGE
        stop = min(start + self.PAGE, len(self._keys))
        if start >= stop:
            return None  # keys not loaded yet: placeholder until the chunk arrives
        keys = self._keys[start:stop]
        with self._engine.connect() as conn:
            rows = fetch_rows(conn, self._spec, keys)
        kinds = [c.kind for c in self._spec.columns]
        # A row deleted since the key scan shows blank rather than failing (None would
        # show the loading placeholder forever).
        blank = ("",) * len(kinds)
        page: list[tuple[str, ...] | None] = []
        for key in keys:
            raw = rows.get(key)
            page.append(blank if raw is None else self._format_row(kinds, raw))
        if stop - start < self.PAGE and not self._complete:
            # Cut short by keys still loading: not cached, fetched again once they arrive.
            return page + [None] * (self.PAGE - len(page))
        self._store_page(page_no, page)
        return page

    def _format_row(self, kinds: list[str], raw: tuple[Any, ...]) -> tuple[str, ...]:
        return tuple(self._fmt(k, v) for k, v in zip(kinds, raw, strict=True))

    def _store_page(self, page_no: int, page: list[tuple[str, ...] | None]) -> None:
        self._pages[page_no] = page
        if len(self._pages) > self.MAX_PAGES:
            self._pages.popitem(last=False)
