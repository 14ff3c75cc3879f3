"""Settings → Audit log: the list's columns fitted to its width, each cell's whole text
on hover.

The log's rows are long (a summary, the values before and after a change) and the page
sits beside Settings' menu: seven columns at their own widths ran past the right edge
(Before / After behind a sideways scrollbar at 1366 × 768 and 1600 × 1000) while a user's
or a setting's name was cut short. Here the short columns are as wide as their text and
the three long ones share what is left; a cell still cut with "…" says all on hover.

The PC column shows only when the rows read for the list name more than one PC (several
PCs on one database): at a shop with one PC it would repeat its name on every row.
"""

from __future__ import annotations

import html
import math
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QTableView

from primedist.services.audit_log import page_records, record_names
from primedist.ui.list_tools import alive
from primedist.ui.settings.audit_labels import named_record_label
from primedist.ui.table_model import PLACEHOLDER, Index, SqlTableModel

#: Columns as wide as their text in the rows shown: (least, most) pixels. On a narrow
#: screen they give way down to the least before the list scrolls sideways (None: the
#: time, never cut).
FITTED: dict[str, tuple[int | None, int]] = {
    "created_at": (None, 220), "user": (150, 220), "pc": (90, 180), "action": (150, 240),
    "entity": (130, 240),
}  # fmt: skip
#: The order they give way in: the action, the record and the PC first, a person's name last.
GIVING_WAY = (("action", "entity", "pc"), ("user",))
#: Columns sharing the width the others leave: (weight, least width; below, it scrolls).
SHARED = {"summary": (2, 180), "before": (1, 120), "after": (1, 120)}
#: Columns whose cells show their whole text as a tooltip.
TIPPED = frozenset({"user", "pc", "action", "entity", "summary", "before", "after"})


class AuditTableModel(SqlTableModel):
    """The audit rows, with a cell's whole text as its tooltip (a long one wrapped), and
    whether the rows read for the list name more than one PC (`several_pcs`)."""

    #: `several_pcs` changed (a new list names one PC only, or a page read a second PC).
    #: Emitted while a page is read for the view: connect it queued.
    severalPcsChanged = Signal(bool)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pc_at = [c.key for c in self.spec.columns].index("pc")
        self._record_at = [c.key for c in self.spec.columns].index("entity")
        #: The names of the records of the page being read ("customer 12" → its name).
        self._names: dict[str, str] = {}
        #: The PCs named by the rows of this list read so far (a row from before: none).
        self._pcs: set[str] = set()
        self.several_pcs = False
        self.modelAboutToBeReset.connect(self._pcs.clear)

    def _format_row(self, kinds: list[str], raw: tuple[Any, ...]) -> tuple[str, ...]:
        if raw[self._pc_at]:
            self._pcs.add(raw[self._pc_at])
        cells = super()._format_row(kinds, raw)
        record = raw[self._record_at]
        if record in self._names:  # "khách hàng: Nguyễn Văn An (KH000012)", not its id
            named = named_record_label(str(record), self._names[record])
            cells = (*cells[: self._record_at], named, *cells[self._record_at + 1 :])
        return cells

    def _fetch_page(self, page_no: int) -> list[tuple[str, ...] | None] | None:
        # The page's records named first: one query per kind, not one per row.
        start = page_no * self.PAGE
        keys = [k for k in (self.key_at(r) for r in range(start, start + self.PAGE))
                if k is not None]  # fmt: skip
        self._names = {}
        if keys:
            with self._engine.connect() as conn:
                self._names = record_names(conn, page_records(conn, keys))
        page = super()._fetch_page(page_no)
        # Said as each page is read, not at the reset: a new list like the last one (a
        # filter changed) keeps the column as it is, without a flicker.
        several = len(self._pcs) > 1
        if several != self.several_pcs:
            self.several_pcs = several
            self.severalPcsChanged.emit(several)
        return page

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.ToolTipRole:
            return super().data(index, role)
        if not index.isValid() or self.spec.columns[index.column()].key not in TIPPED:
            return None
        text = super().data(index, Qt.ItemDataRole.DisplayRole)
        if not text or text == PLACEHOLDER:
            return None
        return f"<p>{html.escape(str(text))}</p>"  # rich text: Qt wraps it to the screen


class AuditColumns(QObject):
    """Fits the columns of `view` (an AuditTableModel's) to its width: measured for each
    new list of rows and as its pages load (only wider until the next list, so columns
    do not jump while scrolling), shared out again when the list is resized. A column
    the user drags keeps that width; the shared ones take the rest."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self._view = view
        model = view.model()
        assert isinstance(model, SqlTableModel)
        self._keys = keys = [c.key for c in model.spec.columns]
        self._fitted = {keys.index(k): span for k, span in FITTED.items()}
        self._giving_way = [[keys.index(k) for k in group] for group in GIVING_WAY]
        self._shared = {keys.index(k): share for k, share in SHARED.items()}
        self._text: dict[int, int] = {}  # a fitted column's widest text in this list
        self._pinned: set[int] = set()  # columns the user sized
        self._busy = False
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self.fit)
        view.viewport().installEventFilter(self)
        view.horizontalHeader().sectionResized.connect(self._on_resized)
        model.modelReset.connect(self._new_rows)
        model.dataChanged.connect(lambda *_: self._soon.start())
        model.headerDataChanged.connect(lambda *_: self._soon.start())  # a new language

    def set_shown(self, key: str, shown: bool) -> None:
        """Show or hide a column (its header says it was resized: not the user's width)."""
        column = self._keys.index(key)
        self._busy = True
        try:
            self._view.setColumnHidden(column, not shown)
        finally:
            self._busy = False
        self.fit()

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _new_rows(self) -> None:
        self._text.clear()
        self._soon.start()

    def _on_resized(self, index: int, _old: int, _new: int) -> None:
        if not self._busy:
            self._pinned.add(index)
            self.fit()

    def fit(self) -> None:
        view = self._view
        if not alive(view):
            return
        header = view.horizontalHeader()
        shared = [c for c in self._shared if c not in self._pinned]
        self._busy = True
        try:
            least_shared = sum(self._shared[c][1] for c in shared)
            for column, width in self._fitted_widths(least_shared).items():
                view.setColumnWidth(column, width)
            taken = sum(
                view.columnWidth(c)
                for c in range(header.count())
                if c not in shared and not header.isSectionHidden(c)
            )
            # Each its least width, and the rest by weight.
            extra = max(0, view.viewport().width() - taken - least_shared)
            weights = sum(self._shared[c][0] for c in shared) or 1
            for column in shared:
                weight, least = self._shared[column]
                width = least + extra * weight // weights
                view.setColumnWidth(column, max(header.sectionSizeHint(column), width))
        finally:
            self._busy = False

    def _fitted_widths(self, least_shared: int) -> dict[int, int]:
        """The fitted columns' widths: their text's (within their span), each cut back
        toward its least, by its share of the room, when they would leave the shared
        columns less than their least widths."""
        view, header = self._view, self._view.horizontalHeader()
        wanted: dict[int, int] = {}
        for column, (_least, most) in self._fitted.items():
            if column not in self._pinned and not header.isSectionHidden(column):
                text = max(self._text.get(column, 0), view.sizeHintForColumn(column))
                self._text[column] = text
                wanted[column] = max(header.sectionSizeHint(column), min(most, text))
        pinned = sum(view.columnWidth(c) for c in self._pinned if not header.isSectionHidden(c))
        excess = pinned + sum(wanted.values()) + least_shared - view.viewport().width()
        for group in self._giving_way:
            room = {c: self._room(c, wanted[c]) for c in group if c in wanted}
            given = min(max(0, excess), sum(room.values()))
            for c, r in room.items():  # each by its share of the group's room
                wanted[c] -= math.ceil(r * given / sum(room.values())) if given else 0
            excess -= given
        return wanted

    def _room(self, column: int, width: int) -> int:
        """How much narrower than `width` a fitted column may be made."""
        least = self._fitted[column][0]
        if least is None:
            return 0
        return max(0, width - max(least, self._view.horizontalHeader().sectionSizeHint(column)))
