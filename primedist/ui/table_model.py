"""One SQL-backed table model for every list.

The model holds only the keys of the current query (an `array('q')`, 8 bytes a row), in
list order. Keys arrive in keyset chunks: the first chunk synchronously (the first page
shows at once), the rest on idle timer ticks of bounded cost (each chunk sized from the
time the last one took: `CHUNK_BUDGET_MS`), so a 1,000,000-row list never stalls the
window. `rowCount()` is the SQL count, so the scroll bar is right from the start; rows
whose key has not arrived yet show a placeholder until it does. Visible rows are
fetched by key, a page at a time, into a small LRU cache. Sorting and filtering re-run the
SQL; nothing is sorted or filtered in Python.

A search loads every matching key in one query (the full-text match set is built whole
anyway, so keyset chunks would rebuild it each time). It runs on the UI thread under a
time budget (SQLite progress handler); a broad search that needs longer is interrupted and
re-run on a background thread while the list shows `busy`, so typing never freezes.
"""

from __future__ import annotations

import logging
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
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
from sqlalchemy.exc import OperationalError

from primedist.queries.spec import (
    QuerySpec,
    QueryState,
    count_rows,
    fetch_keys,
    fetch_rows,
    keys_stmt,
)
from primedist.ui.ops import on_ui_thread

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
#: Turns a raw value of a column kind into display text.
Formatter = Callable[[str, Any], str]

PLACEHOLDER = "…"

# Broad searches that outrun the UI-thread budget (reads only: WAL readers run alongside).
_search_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="primedist-search")


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
    #: A search is running in the background (True), or finished (False).
    busyChanged = Signal(bool)

    FIRST_CHUNK = 500
    #: The most keys one timer tick loads.
    CHUNK = 10_000
    #: How long one timer tick's chunk may hold the UI thread: the next chunk is sized from
    #: the time the last one took (a filter whose matches are sparse in the walked index
    #: took 200–280 ms per 10,000 keys at 1,000,000 orders).
    CHUNK_BUDGET_MS = 40
    #: A chunk grows at most this many times over the last one (one quick chunk is no
    #: promise for the next stretch of the index), and never drops below MIN_CHUNK.
    CHUNK_GROWTH = 4
    MIN_CHUNK = 50
    PAGE = 100
    MAX_PAGES = 64
    #: How long a search may hold the UI thread before it moves to the background.
    SEARCH_BUDGET_MS = 40
    #: How long `load_keys_to` may hold the UI thread (a refresh putting the user back
    #: deep in a long list); the keys beyond load on the timer ticks, as usual.
    RELOAD_BUDGET_MS = 150

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
        self._chunk = self.FIRST_CHUNK
        self._pages: OrderedDict[int, list[tuple[str, ...] | None]] = OrderedDict()
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._load_next_chunk)
        self._generation = 0
        self._busy = False

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

    @property
    def busy(self) -> bool:
        """True while a search runs in the background."""
        return self._busy

    def set_state(self, state: QueryState, *, keep_rows: bool = False) -> None:
        """Run a new query (search, filters, sort) and reset the view to its first rows.
        `keep_rows`: a search that moves to the background leaves the rows shown until it
        answers, instead of an empty list meanwhile (the same query read again)."""
        self._timer.stop()
        self._generation += 1
        if state.search.strip() and self._spec.search is not None:
            self._search(state, keep_rows=keep_rows)
            return
        self._set_busy(False)
        self.beginResetModel()
        self._state = state
        self._keys = array("q")
        self._after = None
        self._chunk = self.FIRST_CHUNK
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

    def _search(self, state: QueryState, *, keep_rows: bool = False) -> None:
        keys = self._search_within_budget(state)
        if keys is not None:
            self._set_busy(False)
            self._show_keys(state, keys)
            return
        if not keep_rows:
            self._show_keys(state, [], announce=False)
        self._set_busy(True)
        generation, engine, stmt_for = self._generation, self._engine, self._all_keys_stmt

        def work() -> None:
            if generation != self._generation:
                return  # superseded before it started
            try:
                with engine.connect() as conn:
                    found = list(conn.execute(stmt_for(conn, state)).scalars())
            except Exception:
                log.exception("background search failed")
                found = []
            on_ui_thread(lambda: self._search_done(generation, state, found))

        _search_pool.submit(work)

    def _search_done(self, generation: int, state: QueryState, keys: list[int]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return  # the model is gone, or a newer query replaced this one
        self._set_busy(False)
        self._show_keys(state, keys)

    def _all_keys_stmt(self, conn: Any, state: QueryState) -> Any:
        return keys_stmt(self._spec, state, conn.dialect.name, after=None, limit=None, conn=conn)

    def _search_within_budget(self, state: QueryState) -> list[int] | None:
        """Every matching key, or None when the query needs more than the budget."""
        with self._engine.connect() as conn:
            stmt = self._all_keys_stmt(conn, state)
            if conn.dialect.name != "sqlite":
                return list(conn.execute(stmt).scalars())
            raw: Any = conn.connection.driver_connection
            deadline = time.perf_counter() + self.SEARCH_BUDGET_MS / 1000
            raw.set_progress_handler(lambda: int(time.perf_counter() > deadline), 2000)
            try:
                return list(conn.execute(stmt).scalars())
            except OperationalError as exc:
                if "interrupt" not in str(exc.orig):
                    raise
                return None
            finally:
                raw.set_progress_handler(None, 0)

    def _show_keys(self, state: QueryState, keys: list[int], *, announce: bool = True) -> None:
        self.beginResetModel()
        self._state = state
        self._keys = array("q", keys)
        self._count = len(keys)
        self._after = None
        self._complete = True
        self._pages.clear()
        self.endResetModel()
        if announce:
            self.queryChanged.emit(self._count)
            self.keysLoaded.emit(self._count)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)

    def refresh(self, *, keep_rows: bool = False) -> None:
        """Re-run the current query (after a change elsewhere); `keep_rows`: see set_state."""
        self.set_state(self._state, keep_rows=keep_rows)

    def reformat(self) -> None:
        """Redraw every cell and header from SQL rows again (language changed): keys stay."""
        self.reread()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._spec.columns) - 1)

    def reread(self) -> None:
        """Read the rows again from SQL (their values changed elsewhere, not which rows
        the query holds): the keys, hence the order, the selection and the scroll, stay;
        only the rows on screen are fetched again."""
        self._pages.clear()
        if self._count:
            last = self.index(self._count - 1, len(self._spec.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def key_at(self, row: int) -> int | None:
        """The primary key of a row, or None while its key is still loading."""
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def load_keys_to(self, rows: int) -> None:
        """Load keys now until `rows` of them are (or every key), for at most
        RELOAD_BUDGET_MS: the rows a refresh puts back on screen and selects have theirs
        at once (not the placeholder, nor a selection lost for want of its keys)."""
        deadline = time.perf_counter() + self.RELOAD_BUDGET_MS / 1000
        while not self._complete and len(self._keys) < rows and time.perf_counter() < deadline:
            self._load_next_chunk()

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
        """Sort in SQL by a sortable column; unsortable columns are ignored (the header
        puts its arrow back: `list_tools.setup_list_view`)."""
        if not self.sortable(column):
            return
        desc = order == Qt.SortOrder.DescendingOrder
        self.set_state(self._state.with_sort(self._spec.columns[column].key, desc))

    def sortable(self, column: int) -> bool:
        """True when the rows can be sorted by `column` (the spec gives it a sort)."""
        return 0 <= column < len(self._spec.columns) and self._spec.columns[column].sort is not None

    def sort_order(self) -> tuple[int, Qt.SortOrder]:
        """The column the rows are sorted by now, and how (the spec's default sort until
        another is chosen)."""
        keys = [c.key for c in self._spec.columns]
        column = keys.index(self._state.sort_key or self._spec.default_sort)
        if not self.sortable(column):  # as the query does (`queries.spec`)
            column = keys.index(self._spec.default_sort)
        desc = self._state.descending
        if desc is None:
            desc = self._spec.default_descending
        return column, Qt.SortOrder.DescendingOrder if desc else Qt.SortOrder.AscendingOrder

    # Internals --------------------------------------------------------------------------
    @staticmethod
    def _alignment(kind: str) -> int:
        right = kind in ("money", "int", "percent")
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
        started = time.perf_counter()
        with self._engine.connect() as conn:
            self._append_keys(conn, self._chunk)
        self._chunk = self._next_chunk(self._chunk, time.perf_counter() - started)
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

    def _next_chunk(self, size: int, seconds: float) -> int:
        """The size of the next chunk: as many keys as the last chunk's pace loads within
        `CHUNK_BUDGET_MS`, growing at most `CHUNK_GROWTH` times, between MIN_CHUNK and CHUNK."""
        most = min(self.CHUNK, size * self.CHUNK_GROWTH)
        if seconds <= 0:
            return max(self.MIN_CHUNK, most)
        paced = int(size * self.CHUNK_BUDGET_MS / 1000 / seconds)
        return max(self.MIN_CHUNK, min(most, paced))

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
