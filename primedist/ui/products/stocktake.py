"""The stock-take page: load a count sheet, count by scanning or typing, see the
differences and their value, apply them in one transaction.

The sheet is one list of tuples in a table model of its own (5,000 lines load in a few
milliseconds and paint like any other table). A barcode scanner is a keyboard that types
the code and Enter: with the scan field focused, each scan adds one to the counted
quantity of the line whose barcode (or SKU) it is ("37*code": 37 of it, as in goods
receipts; "37*" alone: the line scanned last is 37), and selects it, scrolling only as far
as needed to show it (a view that jumps moves a line from under the pointer); an unknown
code beeps and says so. "37*code" typed into a Counted cell counts 37 on the line of that
code: this one, or another (shown, and said). A scan before any sheet is loaded loads the
chosen one first, then counts. A code scanned while a Counted cell has the keys counts as
a scan too (not as a count of billions), and a typed count is at most `MAX_COUNT`. Only
counted lines are applied (`services.stock.apply_stocktake`): the lines left blank keep their
stock. A count is applied as of the sheet's load: the difference counted − on hand shown
is added to the stock as it is then, so what was sold while counting stays sold (the
confirmation says how many lines moved meanwhile). Counts far below the stock (1 counted
of 140: a slip, or a shelf not finished) are named and confirmed before the confirmation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from primedist.core.money import format_money, format_number
from primedist.core.product_codes import other_code_spellings, split_times
from primedist.domain.goods_receipt import MAX_RECEIPT_QUANTITY
from primedist.errors import Cancelled, PrimedistError
from primedist.queries.stocktake import SheetRow, categories, count_sheet
from primedist.services.context import ServiceContext
from primedist.services.shops import list_shops
from primedist.services.stock import (
    MAX_REASON,
    StockLevel,
    StocktakeResult,
    apply_stocktake,
    levels_now,
)
from primedist.ui import errors as ui_errors
from primedist.ui.i18n import current_language
from primedist.ui.labels import QT_TRANSLATE_NOOP
from primedist.ui.list_tools import count_text
from primedist.ui.messages import error_text
from primedist.ui.ops import Job, Op
from primedist.ui.sub_tabs import mark_search
from primedist.ui.widgets import fit_to_screen, show_cell_colours

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex
CONTEXT = "stocktake"

HEADERS = (
    QT_TRANSLATE_NOOP("stocktake", "SKU"),
    QT_TRANSLATE_NOOP("stocktake", "Barcode"),
    QT_TRANSLATE_NOOP("stocktake", "Product"),
    QT_TRANSLATE_NOOP("stocktake", "Options"),
    QT_TRANSLATE_NOOP("stocktake", "Group"),
    QT_TRANSLATE_NOOP("stocktake", "On hand"),
    QT_TRANSLATE_NOOP("stocktake", "Counted"),
    QT_TRANSLATE_NOOP("stocktake", "Difference"),
    QT_TRANSLATE_NOOP("stocktake", "Difference value"),
)
COL_ON_HAND, COL_COUNTED, COL_DIFF, COL_VALUE = 5, 6, 7, 8
#: The most a line's count can be (as `apply_stocktake` allows): more is a slip, or a
#: barcode typed into the Counted cell.
MAX_COUNT = MAX_RECEIPT_QUANTITY
#: The columns of the confirmation's lines that change.
OUTCOME_HEADERS = (
    QT_TRANSLATE_NOOP("stocktake", "SKU"),
    QT_TRANSLATE_NOOP("stocktake", "Product"),
    QT_TRANSLATE_NOOP("stocktake", "On hand now"),
    QT_TRANSLATE_NOOP("stocktake", "Difference"),
    QT_TRANSLATE_NOOP("stocktake", "Becomes"),
    QT_TRANSLATE_NOOP("stocktake", "Held for orders"),
)
COL_OUTCOME_PRODUCT = 1
#: The confirmation's product column is at least this wide (a name, not "…") and asks for
#: no more (a longer name gives way, whole in its tooltip).
OUTCOME_PRODUCT_MIN, OUTCOME_PRODUCT_MAX = 220, 380
NUMERIC = (COL_ON_HAND, COL_COUNTED, COL_DIFF, COL_VALUE)
DIFF_BACKGROUND = QColor("#FFFBEB")
COUNTED_BACKGROUND = QColor("#F0FDF4")
LESS_COLOUR = QColor("#B91C1C")
MORE_COLOUR = QColor("#15803D")
#: A count under 1/FAR_BELOW_PART of an on hand of at least FAR_BELOW_STOCK is asked about
#: before applying (1 counted of 140 reads as a slip, not as 139 lost).
FAR_BELOW_PART, FAR_BELOW_STOCK = 10, 20
#: How many such lines the question names (the rest are counted).
FAR_BELOW_NAMED = 5
#: Room beside the widest SKU in its column (cell margins, a little air).
SKU_PADDING = 24


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def _num(n: int) -> str:
    return format_number(n, current_language())


def _signed(n: int) -> str:
    return ("+" if n > 0 else "") + _num(n)


def _signed_money(amount: int) -> str:
    return ("+" if amount > 0 else "") + format_money(amount, current_language())


@dataclass(frozen=True)
class Outcome:
    """What applying the count does to a counted line that changes: its on hand now, the
    difference counted (counted − the sheet's on hand), and what open orders hold of it."""

    sku: str
    product_name: str
    on_hand: int
    difference: int
    reserved: int

    @property
    def after(self) -> int:
        return self.on_hand + self.difference


@dataclass(frozen=True)
class Totals:
    """Lines counted, lines whose count differs, and the difference in units and đồng."""

    lines: int = 0
    differing: int = 0
    units: int = 0
    value: int = 0


#: A typed number: digits, maybe split by dots, commas or spaces ("1.200", "1,5", "1 200").
NUMBER_RE = re.compile(r"[0-9]+(?:[., \u00a0\u202f][0-9]+)*")
#: What may group a count's thousands: a dot, a comma, a space (plain, no-break, narrow).
THOUSANDS_RE = re.compile(r"[., \u00a0\u202f]")


class NotWholeCount(ValueError):
    """A number with decimals, or digits not grouped by thousands: '3.0', '1,5', '2.50'."""


def grouped_in_threes(text: str) -> bool:
    """Whether the separators of `text` (digits and separators) group its thousands: one
    kind of separator, 1 to 3 digits first (no leading 0), then groups of 3."""
    head, *tail = THOUSANDS_RE.split(text)
    return (
        len(set(THOUSANDS_RE.findall(text))) == 1
        and 1 <= len(head) <= 3
        and not head.startswith("0")
        and all(len(group) == 3 for group in tail)
    )


def parse_count(value: object) -> int | None:
    """A typed count: '' → None (not counted); '1.200', '1,200', '1 200' → 1200.
    NotWholeCount when it has decimals or is not grouped in threes ('1,5' is not 15);
    ValueError when it is no whole number of at least 0."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        if not text:
            return None
        if not NUMBER_RE.fullmatch(text):
            raise ValueError(text)
        # Dropping a decimal's separator would count "3.0" as 30: refused instead.
        if THOUSANDS_RE.search(text) and not grouped_in_threes(text):
            raise NotWholeCount(text)
        number = int(THOUSANDS_RE.sub("", text))
    if number < 0:
        raise ValueError(str(value))
    return number


class SheetModel(QAbstractTableModel):
    """The count sheet: the lines and what was counted of each (None = not counted)."""

    #: Emitted when a count changes (totals to refresh).
    countsChanged = Signal()
    #: A typed count was refused (the text typed).
    countRefused = Signal(str)
    #: A barcode or SKU of the sheet was typed into a Counted cell (a scan while the sheet
    #: had the keys): counted as a scan, not as the count.
    codeTyped = Signal(str)
    #: "37*code" typed into a line's Counted cell named another line: that line was
    #: counted (its row, the code typed).
    countedElsewhere = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SheetRow] = []
        self.counted: list[int | None] = []
        self._by_barcode: dict[str, int] = {}
        #: SKU as written → line; SKU case-folded → line (a scan in another case).
        self._by_exact_sku: dict[str, int] = {}
        self._by_sku: dict[str, int] = {}

    # ------------------------------------------------------------------ content

    def load(self, rows: Sequence[SheetRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.counted = [None] * len(self.rows)
        self._by_barcode, self._by_exact_sku, self._by_sku = {}, {}, {}
        for i, row in enumerate(self.rows):
            if row.barcode:
                self._by_barcode.setdefault(row.barcode.strip(), i)
            self._by_exact_sku.setdefault(row.sku.strip(), i)
            self._by_sku.setdefault(row.sku.strip().casefold(), i)
        # A line's own codes first: a member's code never hides another line's own.
        for i, row in enumerate(self.rows):
            for barcode in row.member_barcodes:
                self._by_barcode.setdefault(barcode.strip(), i)
            for sku in row.member_skus:
                self._by_exact_sku.setdefault(sku.strip(), i)
                self._by_sku.setdefault(sku.strip().casefold(), i)
        self.endResetModel()
        self.countsChanged.emit()

    def row_of_code(self, code: str) -> int | None:
        """The line a scanned code names: by barcode, else by SKU as written, else by SKU
        in any case (`AO-1` finds the line of AO-1, not that of an older ao-1), else by
        the code's other spellings (typed in its printed digit groups, UPC-A / EAN-13)."""
        code = code.strip()
        if not code:
            return None
        for spelling in (code, *other_code_spellings(code)):
            found = self._row_of_exact_code(spelling)
            if found is not None:
                return found
        return None

    def _row_of_exact_code(self, code: str) -> int | None:
        for found in (self._by_barcode.get(code), self._by_exact_sku.get(code)):
            if found is not None:
                return found
        return self._by_sku.get(code.casefold())

    def set_count(self, row: int, value: int | None) -> None:
        if self.counted[row] == value:
            return
        self.counted[row] = value
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        self.countsChanged.emit()

    def bump(self, row: int, times: int = 1) -> int:
        """`times` more counted on `row` (one a scan); returns the new count."""
        value = (self.counted[row] or 0) + times
        self.set_count(row, value)
        return value

    def far_below(self) -> list[tuple[str, int, int]]:
        """(SKU, counted, on hand on the sheet) of the counted lines far below their stock
        (see FAR_BELOW_PART), the largest shortfall first."""
        lines = [
            (row.sku, n, row.on_hand)
            for row, n in zip(self.rows, self.counted, strict=True)
            if n is not None and row.on_hand >= FAR_BELOW_STOCK and n * FAR_BELOW_PART < row.on_hand
        ]
        return sorted(lines, key=lambda line: line[1] - line[2])

    def counts(self) -> dict[int, int]:
        """{variant id: counted} of the counted lines."""
        return {
            row.variant_id: n
            for row, n in zip(self.rows, self.counted, strict=True)
            if n is not None
        }

    def seen(self) -> dict[int, int]:
        """{variant id: on hand when the sheet was loaded} of the counted lines: the count
        is applied as of then (`apply_stocktake`'s `seen`)."""
        return {
            row.variant_id: row.on_hand
            for row, n in zip(self.rows, self.counted, strict=True)
            if n is not None
        }

    def outcomes(self, now: Mapping[int, StockLevel]) -> list[Outcome]:
        """What applying the count does to each counted line that changes, from the stock
        `now` (variant id → level; a line missing there: as the sheet showed, none held)."""
        out = []
        for row, n in zip(self.rows, self.counted, strict=True):
            if n is None or n == row.on_hand:
                continue
            level = now.get(row.variant_id, StockLevel(row.on_hand, 0))
            out.append(Outcome(row.sku, row.product_name, level.on_hand, n - row.on_hand,
                               level.reserved))  # fmt: skip
        return out

    def stale(self, now: Mapping[int, StockLevel]) -> list[int]:
        """The counted lines that would end below 0 on the stock `now`: more went out of
        them while they were counted than was counted missing (their count is stale)."""
        return [
            r
            for r, (row, n) in enumerate(zip(self.rows, self.counted, strict=True))
            if n is not None
            and row.variant_id in now
            and now[row.variant_id].on_hand + n - row.on_hand < 0
        ]

    def count_again(self, lines: Sequence[int], now: Mapping[int, StockLevel]) -> None:
        """These lines to be counted again: their on hand as it is `now` (what a new count
        is applied against), their count cleared; the other lines keep theirs."""
        for r in lines:
            row = self.rows[r]
            self.rows[r] = replace(row, on_hand=now[row.variant_id].on_hand)
            self.counted[r] = None
            self.dataChanged.emit(self.index(r, 0), self.index(r, len(HEADERS) - 1))
        self.countsChanged.emit()

    def difference(self, row: int) -> int | None:
        n = self.counted[row]
        return None if n is None else n - self.rows[row].on_hand

    def totals(self) -> Totals:
        lines = differing = units = value = 0
        for row, n in zip(self.rows, self.counted, strict=True):
            if n is None:
                continue
            lines += 1
            diff = n - row.on_hand
            if diff:
                differing += 1
                units += diff
                value += diff * row.cost
        return Totals(lines, differing, units, value)

    # ------------------------------------------------------------------ Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _tr(HEADERS[section]) if 0 <= section < len(HEADERS) else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_COUNTED:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, c)
        if role == Qt.ItemDataRole.EditRole:
            n = self.counted[r]
            return "" if n is None else str(n)
        if role == Qt.ItemDataRole.TextAlignmentRole and c in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            diff = self.difference(r)
            if diff:
                return QBrush(DIFF_BACKGROUND)
            if diff == 0 and c == COL_COUNTED:
                return QBrush(COUNTED_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and c in (COL_DIFF, COL_VALUE):
            diff = self.difference(r)
            if diff:
                return QBrush(LESS_COLOUR if diff < 0 else MORE_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and self.rows[r].group_code:
            return QCoreApplication.translate(
                "stocktake", "Counts the stock of SKU group %1 (shared by its listings)"
            ).replace("%1", self.rows[r].group_code or "")
        return None

    def _display(self, r: int, c: int) -> str:
        row = self.rows[r]
        if c == 0:
            return row.sku
        if c == 1:
            return row.barcode or ""
        if c == 2:
            return row.product_name
        if c == 3:
            return row.options
        if c == 4:
            return row.group_code or ""
        if c == COL_ON_HAND:
            return _num(row.on_hand)
        n = self.counted[r]
        if n is None:
            return ""
        if c == COL_COUNTED:
            return _num(n)
        diff = n - row.on_hand
        if c == COL_DIFF:
            return _signed(diff)
        return _signed_money(diff * row.cost)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != COL_COUNTED:
            return False
        text = str(value).strip()
        if self.is_scan(text):
            self.codeTyped.emit(text)
            return False
        times, code = split_times(text)
        if times is not None:
            return self._count_by_code(index.row(), times, code, text)
        try:
            count = parse_count(value)
        except ValueError:
            self.countRefused.emit(str(value))
            return False
        if count is not None and count > MAX_COUNT:
            self.countRefused.emit(str(value))
            return False
        self.set_count(index.row(), count)
        return True

    def _count_by_code(self, row: int, count: int, code: str, text: str) -> bool:
        """A count typed as "37*code" into `row`'s Counted cell (as the scan field reads
        it): the line of `code` is counted 37, this one or another (countedElsewhere: this
        cell keeps its count); "37*" alone: this line. Refused (countRefused) past
        MAX_COUNT or for a code of no line of the sheet."""
        target = row if not code else self.row_of_code(code)
        if target is None or count > MAX_COUNT:
            self.countRefused.emit(text)
            return False
        self.set_count(target, count)
        if target == row:
            return True
        self.countedElsewhere.emit(target, code)
        return False

    def is_scan(self, text: str) -> bool:
        """Whether `text` typed into a Counted cell is a code of the sheet rather than a
        count: a barcode, or a SKU that is no count (letters in it, or past MAX_COUNT)."""
        if not text or self.row_of_code(text) is None:
            return False
        if text in self._by_barcode:
            return True
        try:
            count = parse_count(text)
        except ValueError:
            return True
        return count is not None and count > MAX_COUNT

    def reformat(self) -> None:
        """Repaint every cell (language switched)."""
        if self.rows:
            last = self.index(len(self.rows) - 1, len(HEADERS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HEADERS) - 1)


# --------------------------------------------------------------------------- dialogs


def totals_text(totals: Totals) -> str:
    return (
        QCoreApplication.translate(
            "stocktake", "Lines counted: %1 · differing: %2 · units: %3 · value: %4"
        )
        .replace("%1", _num(totals.lines))
        .replace("%2", _num(totals.differing))
        .replace("%3", _signed(totals.units))
        .replace("%4", _signed_money(totals.value))
    )


def _line_count_note(layout: QVBoxLayout, style: str, count: int, text: str) -> QLabel:
    """A note saying how many lines `text` (with %1) is about, shown only when there are
    any; added to `layout`."""
    note = QLabel(text.replace("%1", _num(count)))
    note.setObjectName(style)
    note.setWordWrap(True)
    note.setVisible(count > 0)
    layout.addWidget(note)
    return note


class ApplyStocktakeDialog(QDialog):
    """Confirms a stock-take: what it changes, and the reason (required)."""

    def __init__(
        self, totals: Totals, parent: QWidget | None = None, *, moved: int = 0,
        outcomes: Sequence[Outcome] = (),
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("applyStocktakeDialog")
        self.setWindowTitle(QCoreApplication.translate("stocktake", "Apply the stock-take"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        # A line whose stock moved since the sheet was loaded ends at its stock now plus
        # the difference counted, not at the number counted (`apply_stocktake`'s `seen`).
        intro_text = (
            QCoreApplication.translate(
                "stocktake",
                "The on-hand stock of the %1 counted lines becomes what you counted (%2 of "
                "them change). Lines you did not count keep their stock.",
            )
            if moved == 0
            else QCoreApplication.translate(
                "stocktake",
                "The stock of the %1 counted lines changes by the difference you counted "
                "against the sheet (%2 of them change), not to the number counted. Lines "
                "you did not count keep their stock.",
            )
        )
        self.intro = QLabel(
            intro_text.replace("%1", _num(totals.lines)).replace("%2", _num(totals.differing))
        )
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        #: Shown when the stock of counted lines moved since the sheet was loaded.
        self.moved = QLabel(
            QCoreApplication.translate(
                "stocktake",
                "The stock of %1 counted lines changed since the sheet was loaded (sales, "
                "goods in): the difference you counted is added to their stock as it is "
                "now, so those changes are kept.",
            ).replace("%1", _num(moved))
        )
        self.moved.setObjectName("stocktakeMoved")
        self.moved.setWordWrap(True)
        self.moved.setVisible(moved > 0)
        layout.addWidget(self.moved)
        self.summary = QLabel(totals_text(totals))
        self.summary.setObjectName("sectionTitle")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        layout.addWidget(self._outcomes_table(outcomes))
        below_zero = sum(1 for o in outcomes if o.after < 0)
        short = sum(1 for o in outcomes if 0 <= o.after < o.reserved)
        refused = QCoreApplication.translate(
            "stocktake",
            "%1 lines would end below 0: more went out of them while they were counted "
            "than was counted missing. Cancel, then count just those lines again: they "
            "will show their stock as it is now, with an empty count. Your other counts "
            "are kept.",
        )
        #: Lines that would end below 0 (refused by the service): nothing can be applied.
        self.below_zero = _line_count_note(layout, "errorText", below_zero, refused)
        warned = QCoreApplication.translate(
            "stocktake",
            "%1 lines end below what open orders hold of them: those orders cannot all be "
            "packed until more comes in.",
        )
        #: Lines that end below what open orders hold (a warning: applied all the same).
        self.short = _line_count_note(layout, "formProblem", short, warned)
        self.reason = QLineEdit()
        self.reason.setObjectName("stocktakeReason")
        self.reason.setMaxLength(MAX_REASON)
        self.reason.setPlaceholderText(
            QCoreApplication.translate("stocktake", "Reason (required), e.g. Kiểm kê cuối tháng")
        )
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(QCoreApplication.translate("stocktake", "Apply"))
        self.ok.setObjectName("primaryButton")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            QCoreApplication.translate("stocktake", "Cancel")
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.applicable = below_zero == 0
        self.reason.textChanged.connect(
            lambda _t: self.ok.setEnabled(self.applicable and bool(self.reason_text()))
        )
        self.ok.setEnabled(False)
        self.reason.setFocus()
        self._fit_to_table(layout)

    def _fit_to_table(self, layout: QVBoxLayout) -> None:
        """As wide as the changes table needs (each column its header and texts, the
        product's name OUTCOME_PRODUCT_MIN to OUTCOME_PRODUCT_MAX), up to the screen's free
        width: past that the product column gives way, then the table scrolls sideways."""
        table = self.outcomes
        if table.rowCount() == 0:
            return
        self.ensurePolished()
        table.ensurePolished()
        header = table.horizontalHeader()
        widths = [max(table.sizeHintForColumn(c), header.sectionSizeHint(c))
                  for c in range(table.columnCount())]  # fmt: skip
        product = widths[COL_OUTCOME_PRODUCT]
        widths[COL_OUTCOME_PRODUCT] = min(max(product, OUTCOME_PRODUCT_MIN), OUTCOME_PRODUCT_MAX)
        margins = layout.contentsMargins()
        # The vertical scrollbar's room is kept, so that many lines do not push a column out.
        width = (sum(widths) + 2 * table.frameWidth() + margins.left() + margins.right()
                 + table.verticalScrollBar().sizeHint().width())  # fmt: skip
        width = max(width, self.minimumWidth())
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
        fit_to_screen(self, width, max(height, self.sizeHint().height()))

    def _outcomes_table(self, outcomes: Sequence[Outcome]) -> QTableWidget:
        """Each line that changes: on hand now, the difference counted, what it becomes and
        what open orders hold; those ending below 0 first, then those below what is held."""
        table = self.outcomes = QTableWidget(0, len(OUTCOME_HEADERS))
        table.setObjectName("stocktakeOutcomes")
        table.setHorizontalHeaderLabels([_tr(text) for text in OUTCOME_HEADERS])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_OUTCOME_PRODUCT, QHeaderView.ResizeMode.Stretch)
        ordered = sorted(outcomes, key=lambda o: (o.after >= 0, o.after >= o.reserved))
        table.setRowCount(len(ordered))
        below = QCoreApplication.translate("stocktake", "Below 0: count it again")
        held = QCoreApplication.translate("stocktake", "Below the %1 held for open orders")
        for r, o in enumerate(ordered):
            cells = (o.sku, o.product_name, _num(o.on_hand), _signed(o.difference),
                     _num(o.after), _num(o.reserved) if o.reserved else "")  # fmt: skip
            flag = below if o.after < 0 else held.replace("%1", _num(o.reserved)) \
                if o.after < o.reserved else ""  # fmt: skip
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if flag:
                    item.setForeground(QBrush(LESS_COLOUR))
                    item.setToolTip(flag)
                elif c == COL_OUTCOME_PRODUCT:
                    item.setToolTip(text)  # whole when the column cuts it
                table.setItem(r, c, item)
        table.setVisible(bool(ordered))
        return table

    def reason_text(self) -> str:
        return self.reason.text().strip()


def ask_apply(
    parent: QWidget | None, totals: Totals, moved: int = 0, outcomes: Sequence[Outcome] = ()
) -> str | None:
    """The reason for applying the stock-take, or None when the user steps back; `moved`:
    how many counted lines' stock changed since the sheet was loaded; `outcomes`: what the
    lines that change become."""
    dialog = ApplyStocktakeDialog(totals, parent, moved=moved, outcomes=outcomes)
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.reason_text():
        return dialog.reason_text()
    return None


def confirm_far_below(parent: QWidget | None, lines: Sequence[tuple[str, int, int]]) -> bool:
    """Yes when the user confirms counts far below the stock, `lines` (SKU, counted, on
    hand): the first FAR_BELOW_NAMED are named, No is the default (a count of 1 against
    140 is a slip more often than 139 lost)."""
    named = [
        QCoreApplication.translate("stocktake", "%1: counted %2, in stock %3")
        .replace("%2", _num(counted))
        .replace("%3", _num(on_hand))
        .replace("%1", sku)  # last: a SKU may hold "%2"
        for sku, counted, on_hand in lines[:FAR_BELOW_NAMED]
    ]
    if len(lines) > FAR_BELOW_NAMED:
        named.append(count_text(
            len(lines) - FAR_BELOW_NAMED,
            QCoreApplication.translate("stocktake", "… and %n more line"),
            QCoreApplication.translate("stocktake", "… and %n more lines"),
        ))  # fmt: skip
    text = "\n\n".join((
        QCoreApplication.translate(
            "stocktake", "%1 lines are counted at under a tenth of their stock:"
        ).replace("%1", _num(len(lines))),
        "\n".join(named),
        QCoreApplication.translate(
            "stocktake", "Applying takes the difference off the stock. Are these counts right?"
        ),
    ))  # fmt: skip
    box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate(
        "stocktake", "Counts far below the stock"), text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)  # fmt: skip
    box.setObjectName("farBelowQuestion")
    box.setTextFormat(Qt.TextFormat.PlainText)  # SKUs as typed
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def confirm_discard(parent: QWidget | None, lines: int) -> bool:
    """True when the user agrees to drop `lines` counted lines (loading a new sheet)."""
    answer = QMessageBox.question(
        parent,
        QCoreApplication.translate("stocktake", "Load a new count sheet"),
        QCoreApplication.translate("stocktake", "Discard the counts of %1 lines?").replace(
            "%1", _num(lines)
        ),
    )
    return answer == QMessageBox.StandardButton.Yes


# --------------------------------------------------------------------------- page


class StocktakePage(QWidget):
    """Count sheet, scanning, differences, apply (see the module docstring)."""

    #: A sheet was loaded (its number of lines).
    sheetLoaded = Signal(int)
    #: A stock-take was applied (the StocktakeResult).
    applied = Signal(object)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("stocktakePage")
        self._busy = False
        #: A sheet is being loaded: scans wait in `_pending` meanwhile (the field stays on).
        self._loading = False
        self._pending: list[str] = []
        #: Words the message beside the scan field (again when the language changes).
        self._said: Callable[[], str] = lambda: ""
        #: The filters of the sheet shown (category, shop id).
        self.loaded_filters: tuple[str | None, int | None] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        self.help = QLabel()
        self.help.setObjectName("banner")
        self.help.setWordWrap(True)
        layout.addWidget(self.help)
        layout.addLayout(self._build_filters())
        layout.addLayout(self._build_scan())
        self.model = SheetModel(self)
        self.view = self._build_view()
        layout.addWidget(self.view, 1)
        self.totals_label = QLabel()
        self.totals_label.setObjectName("stocktakeTotals")
        layout.addWidget(self.totals_label)
        self.model.countsChanged.connect(self._update)
        self.model.countRefused.connect(self._count_refused)
        # Queued: the cell's editor closes first, then the scan selects its line.
        self.model.codeTyped.connect(self._code_typed, Qt.ConnectionType.QueuedConnection)
        self.model.countedElsewhere.connect(
            self._counted_elsewhere, Qt.ConnectionType.QueuedConnection
        )
        self.fill_filters()
        self._retranslate()
        self._update()

    # ------------------------------------------------------------------ building

    def _build_filters(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.category = QComboBox()
        self.category.setObjectName("stocktakeCategory")
        self.category.setMinimumWidth(200)
        self.shop = QComboBox()
        self.shop.setObjectName("stocktakeShop")
        self.shop.setMinimumWidth(200)
        self.load_button = QPushButton()
        self.load_button.setObjectName("loadSheetButton")
        self.load_button.clicked.connect(lambda: self.load())
        self.apply_button = QPushButton()
        self.apply_button.setObjectName("primaryButton")
        self.apply_button.clicked.connect(self.apply)
        self.category_caption, self.shop_caption = QLabel(), QLabel()
        self.category_caption.setBuddy(self.category)
        self.shop_caption.setBuddy(self.shop)
        for w in (self.category_caption, self.category, self.shop_caption, self.shop,
                  self.load_button):  # fmt: skip
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.apply_button)
        return bar

    def _build_scan(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.scan_field = QLineEdit()
        self.scan_field.setObjectName("scanField")
        self.scan_field.setMinimumWidth(360)
        self.scan_field.setClearButtonEnabled(True)
        mark_search(self.scan_field)  # Ctrl+F, and where the keys go when the page opens
        self.scan_field.returnPressed.connect(self._scanned)
        self.scan_message = QLabel()
        self.scan_message.setObjectName("muted")
        bar.addWidget(self.scan_field)
        bar.addWidget(self.scan_message, 1)
        return bar

    def _build_view(self) -> QTableView:
        view = QTableView()
        view.setObjectName("countSheet")
        view.setModel(self.model)
        show_cell_colours(view)  # the lines that differ
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(28)
        header = view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((130, 130, 260, 120, 90, 80, 80, 90, 130)):
            view.setColumnWidth(col, width)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        return view

    def fill_filters(self) -> None:
        """The category and shop choices (kept when still there)."""
        with self.ctx.engine.connect() as conn:
            cats = categories(conn)
        shops = list_shops(self.ctx)
        for combo, items in (
            (self.category, [(c, c) for c in cats]),
            (self.shop, [(s.name, s.id) for s in shops]),
        ):
            keep = combo.currentData()
            combo.clear()
            combo.addItem("", None)  # "All …", named by _retranslate
            for text, data in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(combo.findData(keep), 0) if keep is not None else 0)

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self.model.reformat()
            self._update()
            self.scan_message.setText(self._said())
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.help.setText(
            self.tr(
                "Load a count sheet, then scan each item with the barcode scanner (or type "
                "the counted quantity in the Counted column). Only counted lines are applied: "
                "lines left blank keep their stock."
            )
        )
        self.category_caption.setText(self.tr("&Category"))
        self.shop_caption.setText(self.tr("S&hop"))
        self.category.setItemText(0, self.tr("All categories"))
        self.shop.setItemText(0, self.tr("All shops"))
        self.load_button.setText(self.tr("&Load count sheet"))
        self.apply_button.setText(self.tr("&Apply stock-take…"))
        self.scan_field.setPlaceholderText(self.tr("Scan or type a barcode or SKU, then Enter"))

    # ------------------------------------------------------------------ state

    def totals(self) -> Totals:
        return self.model.totals()

    def _update(self) -> None:
        totals = self.model.totals()
        if self.model.rows:
            self.totals_label.setText(
                self.tr("%1 lines on the sheet.").replace("%1", _num(len(self.model.rows)))
                + "  "
                + totals_text(totals)
            )
        else:
            self.totals_label.setText(self.tr("No count sheet loaded."))
        self.apply_button.setEnabled(totals.lines > 0 and not self._busy)
        self.load_button.setEnabled(not self._busy)
        # On while a sheet loads: a scan then waits for it (a field turned off would send
        # the scanner's keys into the table).
        self.scan_field.setEnabled(not self._busy or self._loading)

    def _say(self, text_of: Callable[[], str], *, error: bool = False) -> None:
        """Show what `text_of` words beside the scan field, and word it again when the
        language changes (a message left in the other language read as a new problem)."""
        self._said = text_of
        self.scan_message.setObjectName("errorText" if error else "muted")
        self.scan_message.style().unpolish(self.scan_message)
        self.scan_message.style().polish(self.scan_message)
        self.scan_message.setText(text_of())

    def _count_refused(self, text: str) -> None:
        QApplication.beep()
        self._say(lambda: self._refusal(text), error=True)

    def _refusal(self, text: str) -> str:
        """Why `text` typed in a Counted cell is not a count."""
        too_many = not_whole = False
        times, code = split_times(text)
        if times is not None and times <= MAX_COUNT:  # "37*code": the code is no line's
            return self.tr(
                "Unknown code “%1”: no line of this sheet has that barcode or SKU."
            ).replace("%1", code)
        try:
            too_many = (parse_count(text) or 0) > MAX_COUNT
        except NotWholeCount:
            not_whole = True
        except ValueError:
            too_many = times is not None
        if not_whole:
            return self.tr("“%1” is not a whole number: a count has no decimals, and its "
                           "thousands go in groups of three, as in %2.").replace(
                "%1", text).replace("%2", _num(1200))  # fmt: skip
        if too_many:
            return self.tr("“%1” is more than a count can be (at most %2): type the number "
                           "counted, or scan in the scan field.").replace(
                "%1", text).replace("%2", _num(MAX_COUNT))  # fmt: skip
        return self.tr(
            "“%1” is not a count: type a whole number of 0 or more, or nothing."
        ).replace("%1", text)

    # ------------------------------------------------------------------ load

    def load(self, *, ask: bool = True, note: Callable[[], str] | None = None) -> None:
        """Load the count sheet of the chosen category and shop (off the UI thread);
        `note` replaces the "lines loaded" message once it is there."""
        if self._busy:
            return
        counted = self.model.totals().lines
        if ask and counted and not confirm_discard(self, counted):
            return
        category, shop_id = self.category.currentData(), self.shop.currentData()
        engine = self.ctx.engine

        def work(_job: Job) -> list[SheetRow]:
            with engine.connect() as conn:
                return count_sheet(conn, category=category, shop_id=shop_id)

        self._loading = True
        self._set_busy(True)
        Op(self, work, engine=engine, title=self.tr("Loading the count sheet")).success(
            lambda rows: self._loaded(rows, (category, shop_id), note)
        ).finally_(self._load_ended).run()

    def _load_ended(self) -> None:
        if not shiboken6.isValid(self):
            return
        self._loading = False
        self._set_busy(False)
        if self._pending:  # the load failed: the scans wait for the next one
            waiting = len(self._pending)
            self._say(lambda: self.tr("%1 scans are waiting: load the count sheet to "
                                      "count them.").replace("%1", _num(waiting)),
                      error=True)  # fmt: skip

    def _loaded(
        self,
        rows: list[SheetRow],
        filters: tuple[str | None, int | None],
        note: Callable[[], str] | None,
    ) -> None:
        if not shiboken6.isValid(self):
            return
        self.model.load(rows)
        self.fit_sku_column()
        self.loaded_filters = filters
        if note:
            self._say(note)
        elif rows:
            self._say(lambda: self.tr("%1 lines loaded. Scan the first item.").replace(
                "%1", _num(len(rows))))  # fmt: skip
        else:
            self._say(lambda: self.tr("No active product matches these filters."))
        self.scan_field.setFocus()
        # The scans that came before the sheet (or while it loaded), in their order.
        self._loading = False
        pending, self._pending = self._pending, []
        for code in pending:
            self.scan(code)
        self.sheetLoaded.emit(len(rows))

    def fit_sku_column(self) -> None:
        """The SKU column as wide as the longest SKU of the sheet (or its title): SKUs are
        what the counter reads; the product column takes what is left."""
        metrics = self.view.fontMetrics()
        widest = max((metrics.horizontalAdvance(row.sku) for row in self.model.rows), default=0)
        title = self.view.horizontalHeader().fontMetrics().horizontalAdvance(_tr(HEADERS[0]))
        # The cell's margins and a little air (the style's padding is not known here).
        self.view.setColumnWidth(0, max(widest, title) + SKU_PADDING)

    def _set_busy(self, busy: bool) -> None:
        if shiboken6.isValid(self):
            self._busy = busy
            self._update()
            if not busy:
                self.scan_field.setFocus()

    # ------------------------------------------------------------------ scan

    def _scanned(self) -> None:
        code = self.scan_field.text().strip()
        self.scan_field.clear()
        if code:
            self.scan(code)

    def _code_typed(self, code: str) -> None:
        """A code scanned into a Counted cell: counted as a scan, and the next scans go to
        the scan field."""
        if shiboken6.isValid(self):
            self.scan(code)
            self.scan_field.setFocus()

    def _counted_elsewhere(self, row: int, code: str) -> None:
        """A "37*code" typed into one line's Counted cell counted the line of that code:
        that line shown and selected, and said (the cell typed in keeps its count)."""
        if not shiboken6.isValid(self) or not 0 <= row < len(self.model.rows):
            return
        line, count = self.model.rows[row], self.model.counted[row] or 0
        self._show_line(row)

        def said() -> str:
            # In one pass: a code, SKU or name holding "%2" fills in nothing more.
            values = {"1": code, "2": line.sku, "3": line.product_name, "4": _num(count)}
            return re.sub(r"%([1-4])", lambda m: values[m.group(1)],
                          self.tr("“%1” is %2 · %3: that line is counted %4."))  # fmt: skip

        self._say(said)

    def scan(self, code: str) -> bool:
        """Count one more of the line with this barcode or SKU ("37*code": 37 more; "37*"
        alone: the current line's count is 37); False (and a beep) when no line has it.
        Before a sheet of the chosen filters is there (none loaded, or an uncounted one of
        other filters), the sheet is loaded first and the scan counted then (True)."""
        times, text = split_times(code)
        if times is not None and not 0 < times <= MAX_COUNT:
            return self._refuse(lambda: self.tr("Type 1 to %1 before the *.").replace(
                "%1", _num(MAX_COUNT)))  # fmt: skip
        if self._needs_sheet():
            self._pending.append(code)
            if not self._loading:
                self.load(ask=False)
            waiting = len(self._pending)
            self._say(lambda: self.tr("Loading the count sheet: %1 scans will be counted "
                                      "then.").replace("%1", _num(waiting)))  # fmt: skip
            return True
        if not text:
            return self._set_current(times)
        row = self.model.row_of_code(text)
        if row is None:
            if not self.model.rows:
                return self._refuse(lambda: self.tr("No active product matches these filters."))
            return self._refuse(lambda: self.tr(
                "Unknown code “%1”: no line of this sheet has that barcode or SKU.").replace(
                "%1", text))  # fmt: skip
        line = self.model.rows[row]
        if (self.model.counted[row] or 0) + (times or 1) > MAX_COUNT:
            return self._refuse(lambda: self.tr("%1: a count is at most %2.").replace(
                "%2", _num(MAX_COUNT)).replace("%1", line.sku))  # fmt: skip
        count = self.model.bump(row, times or 1)
        self._show_line(row)
        self._say_counted(line, count)
        return True

    def _needs_sheet(self) -> bool:
        """Whether a scan must wait for a sheet of the chosen filters: one is loading, or
        none is there, or the one there has no count and other filters."""
        if self._loading:
            return True
        filters = (self.category.currentData(), self.shop.currentData())
        return not self.model.totals().lines and self.loaded_filters != filters

    def _set_current(self, count: int | None) -> bool:
        """A count typed as "37*" alone: the current line (scanned last) is counted 37."""
        row = self.view.currentIndex().row()
        if count is None or not 0 <= row < len(self.model.rows):
            return self._refuse(lambda: self.tr(
                "Scan an item first: “%1*” then sets the count of the line scanned last.").replace(
                "%1", _num(count or 0)))  # fmt: skip
        self.model.set_count(row, count)
        self._show_line(row)
        self._say_counted(self.model.rows[row], count)
        return True

    def _show_line(self, row: int) -> None:
        """`row` current and selected, scrolled to only as far as needed: a view that moves
        on each scan puts another line under the pointer about to click."""
        index = self.model.index(row, COL_COUNTED)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def _say_counted(self, line: SheetRow, count: int) -> None:
        self._say(
            lambda: (
                self.tr("%1 · %2: counted %3")
                .replace("%1", line.sku)
                .replace("%2", line.product_name)
                .replace("%3", _num(count))
            )
        )

    def _refuse(self, text_of: Callable[[], str]) -> bool:
        QApplication.beep()
        self._say(text_of, error=True)
        return False

    # ------------------------------------------------------------------ apply

    def apply(self) -> None:
        """Confirm (with a reason), then set the counted lines' stock in one transaction."""
        counts = self.model.counts()
        if self._busy or not counts:
            return
        # The count is applied as of the sheet's load (what was sold since stays sold):
        # the totals shown are what is applied; say how many lines moved meanwhile.
        seen = self.model.seen()
        ctx = self.ctx
        try:
            now = levels_now(ctx, counts)
        except (PrimedistError, SQLAlchemyError):
            log.warning("stock-take: could not compare with the stock now", exc_info=True)
            now = {}
        moved = sum(1 for vid, n in seen.items() if now.get(vid, StockLevel(n, 0)).on_hand != n)
        far_below = self.model.far_below()
        if far_below and not confirm_far_below(self, far_below):
            return  # the counts are kept, to be checked
        reason = ask_apply(self, self.model.totals(), moved, self.model.outcomes(now))
        if not reason:
            # Refused (or stepped back) with stale lines: only those are counted again.
            stale = self.model.stale(now)
            if stale:
                self._count_again(stale, now)
            return

        def work(job: Job) -> StocktakeResult:
            job.progress.update(0.05, self.tr("%1 lines").replace("%1", _num(len(counts))))
            result = apply_stocktake(ctx, counts, reason=reason, seen=seen)
            job.progress.update(1.0)
            return result

        self._set_busy(True)
        # Busy until the sheet is loaded again (success) or the error is shown (failure).
        Op(self, work, engine=ctx.engine, title=self.tr("Applying the stock-take")).with_progress(
        ).success(self._applied).failure(self._apply_failed).run()  # fmt: skip

    def _count_again(self, lines: list[int], now: Mapping[int, StockLevel]) -> None:
        """Clear the stale lines' counts, on the stock as it is now, and show the first."""
        self.model.count_again(lines, now)
        self.view.selectRow(lines[0])
        self.view.scrollTo(self.model.index(lines[0], COL_COUNTED),
                           QAbstractItemView.ScrollHint.PositionAtCenter)  # fmt: skip
        self._say(
            lambda: self.tr("Count %1 lines again: they show their stock as it is now, with an "
                            "empty count. Your other counts are kept.").replace(
                "%1", _num(len(lines))),
            error=True,
        )  # fmt: skip

    def _applied(self, result: StocktakeResult) -> None:
        if not shiboken6.isValid(self):
            return
        self.applied.emit(result)

        def note() -> str:
            return (
                self.tr("Stock-take applied: %1 lines counted, %2 changed, %3 units, %4.")
                .replace("%1", _num(result.lines))
                .replace("%2", _num(result.changed))
                .replace("%3", _signed(result.difference_qty))
                .replace("%4", _signed_money(result.difference_value))
            )

        self._busy = False
        self.load(ask=False, note=note)  # the sheet with the new on hand, nothing counted

    def _apply_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        if isinstance(exc, PrimedistError):
            ui_errors.show_error(self, error_text(exc))
        elif not isinstance(exc, Cancelled):
            log.error("stock-take failed", exc_info=exc)
            ui_errors.show_crash(self, exc)
