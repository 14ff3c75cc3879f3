"""Create order: a keyboard-first counter, phone or chat sale.

A whole counter sale without the mouse: scan → scan → F4, type the cash → F9. The product
field has the focus; a barcode scanner types the code and Enter into it. Totals come from
`services.orders.quote_order` on every change (a few milliseconds, so on the UI thread,
debounced); Save calls `create_order` and resets the dialog for the next customer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QKeyCombination,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QIntValidator,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
    QShowEvent,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from primedist.core.money import format_money, format_number, parse_money
from primedist.core.phone import looks_like_phone_query
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.errors import PrimedistError
from primedist.printing.content import Payment
from primedist.printing.model import DocumentType
from primedist.services.bulk_shipping import address_problem
from primedist.services.context import ServiceContext
from primedist.services.customer_account import get_balance
from primedist.services.customers import CustomerRef, DuplicatePhone
from primedist.services.exchange import exchangeable_order
from primedist.services.order_edit import (
    EditQuote,
    edit_start,
    quote_edit,
    repeat_draft,
    update_order,
)
from primedist.services.orders import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    CreatedOrder,
    DraftLine,
    OrderDraft,
    Quote,
    QuoteLine,
    StockShortage,
    create_order,
    order_detail,
    quote_order,
)
from primedist.services.sale_lookup import (
    CustomerHit,
    VariantHit,
    default_address,
    find_variant_by_code,
    get_customer,
    order_buyer,
    quick_create_customer,
    search_customers,
    search_variants,
    variant_hits,
)
from primedist.ui.errors import show_error
from primedist.ui.formatting import phone_text
from primedist.ui.i18n import current_language
from primedist.ui.labels import QT_TRANSLATE_NOOP, enum_label
from primedist.ui.list_tools import count_text
from primedist.ui.messages import error_text, localize
from primedist.ui.money_form import MoneyEdit
from primedist.ui.ops import Op, failure_text
from primedist.ui.orders.bulk_ship import BulkShipDialog
from primedist.ui.orders.delivery_address import province_combo
from primedist.ui.printing.actions import (
    OrderPrinter,
    PrintNotice,
    receipt_after_sale,
    remember_receipt_after_sale,
)
from primedist.ui.widgets import (
    WholeColumnScroll,
    column_scroll,
    fit_to_screen,
)

# The dialog's keys, as the hint line and the README show them.
SHORTCUTS: list[tuple[str, str]] = [
    ("F2", QT_TRANSLATE_NOOP("orders", "Product search / barcode")),
    ("F3", QT_TRANSLATE_NOOP("orders", "Customer search")),
    ("F4", QT_TRANSLATE_NOOP("orders", "Cash received")),
    ("F6", QT_TRANSLATE_NOOP("orders", "Order discount")),
    ("F7", QT_TRANSLATE_NOOP("orders", "Voucher")),
    ("F8", QT_TRANSLATE_NOOP("orders", "Exchange items of a receipt")),
    ("+ / − / Ctrl+↑ / Ctrl+↓", QT_TRANSLATE_NOOP("orders", "Quantity of the selected line")),
    ("Delete", QT_TRANSLATE_NOOP("orders", "Remove the selected line")),
    ("F9 / Ctrl+Enter", QT_TRANSLATE_NOOP("orders", "Save")),
    ("Ctrl+P", QT_TRANSLATE_NOOP("orders", "Reprint last receipt")),
    ("Esc", QT_TRANSLATE_NOOP("orders", "Close")),
]
#: F4's words when the sale is on account: it goes to the cash paid now.
PAID_NOW_HINT = QT_TRANSLATE_NOOP("orders", "Paid now")

PAYMENT_METHODS = (
    PaymentMethod.CASH,
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.COD,
    PaymentMethod.E_WALLET,
    PaymentMethod.ON_ACCOUNT,
)
#: ui.ini: the type of the last order saved from a customer's Create order on this PC.
CUSTOMER_TYPE_KEY = "sale/customer_order_type"
#: Create order from a customer, the first time: a customer looked up in the list is
#: mostly one who rang or wrote (the one at the counter is picked with F3).
FIRST_CUSTOMER_TYPE = OrderSource.PHONE
QUOTE_DEBOUNCE_MS = 50
CUSTOMER_DEBOUNCE_MS = 150
#: The delivery address is checked with the carrier this long after the last key.
ADDRESS_CHECK_MS = 400
#: Products are suggested this long after the last key: a scanner types its code and
#: Enter much faster, so a scan is looked up as a code, never listed.
PRODUCT_DEBOUNCE_MS = 250
RED = QColor("#B91C1C")
#: A price below the cost: a warning, not an error (clearance sales are allowed).
AMBER = QColor("#B45309")
#: Lines named by the below-cost warning (the rest: "…").
COST_WARNING_LINES = 3
#: The total's font size (smaller when its figure would not fit: `FitLabel`).
TOTAL_POINTS = 20.0
#: The problems and warnings keep room for up to this many lines (taken from the fields
#: above on a low screen: they scroll); more of them scroll.
MESSAGE_LINES = 4
#: The lines table keeps room for its header and three lines (a low screen: the
#: delivery under it scrolls rather than squash the lines to nothing).
LINES_MIN_HEIGHT = 150

STYLE = """
QLineEdit#productSearch { font-size: 12pt; padding: 8px 10px; }
QPushButton[segment="true"] { border-radius: 0; padding: 6px 14px; }
QPushButton[segment="true"]:checked { background: #DBEAFE; border-color: #2563EB;
    color: #1D4ED8; }
QPushButton#saveButton { background: #2563EB; color: #FFFFFF; border: 1px solid #2563EB;
    font-weight: 600; font-size: 11pt; padding: 10px 22px; }
QPushButton#saveButton:hover { background: #1D4ED8; }
QPushButton#saveButton:disabled { background: #93C5FD; border-color: #93C5FD; }
QFrame#totals { background: #F9FAFB; border: 1px solid #E5E7EB; border-radius: 8px; }
QFrame#totals QLabel { background: transparent; }
QLabel#totalLabel { font-weight: 700; color: #111827; }
QLabel#totalCaption { font-size: 12pt; font-weight: 600; color: #111827; }
QLabel#changeDue { font-weight: 700; color: #166534; }
QLabel#changeDue[short="true"] { color: #B91C1C; }
QLabel#owedValue { font-weight: 700; color: #B45309; }
QLabel#alreadyValue { color: #6B7280; }
QLabel#problems, QLabel#lineRefusal { color: #B91C1C; }
QScrollArea#saleMessages, QWidget#saleMessagesColumn, QScrollArea#saleFields,
    QWidget#saleFieldsColumn, QScrollArea#saleDelivery,
    QWidget#saleDeliveryColumn { background: transparent; }
QLabel#costWarning, QLabel#voucherNote, QLabel#addressWarning { color: #B45309; }
QLabel#savedLabel { color: #166534; background: #F0FDF4; border: 1px solid #BBF7D0;
    border-radius: 6px; padding: 6px 8px; font-weight: 600; }
QLabel#hints, QLabel#fieldCaption, QLabel#pointsBalance { color: #6B7280; }
QFrame#customerCard { background: #F9FAFB; border: 1px solid #E5E7EB; border-radius: 6px; }
QFrame#customerCard QLabel { background: transparent; }
QPushButton#walkInButton { padding: 2px 10px; }
QLineEdit[invalid="true"] { border: 1px solid #DC2626; background: #FEF2F2; }
QListWidget#pickList { background: #FFFFFF; border: 1px solid #93C5FD; border-radius: 4px;
    selection-background-color: #DBEAFE; selection-color: #111827; }
QListWidget#pickList::item { padding: 5px 8px; }
"""


def money_text(amount: int) -> str:
    return format_money(amount, current_language())


def minus_text(amount: int) -> str:
    return money_text(-amount) if amount else money_text(0)


# --------------------------------------------------------------------------- small widgets


def parse_percent(text: str) -> Decimal:
    """"10%", "10 %", "10,5%" or "10.5%" → the percentage; ValueError otherwise."""
    number = text.strip().removesuffix("%").replace(" ", "").replace("\u00a0", "")
    try:
        value = Decimal(number.replace(",", "."))
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def percent_of(goods: int, percent: Decimal) -> int:
    """`percent` of `goods` in whole đồng, rounded down as a voucher's percentage is
    (`pricing`: merchandise × value // 100)."""
    return int(Decimal(goods) * percent // 100)


class DiscountEdit(MoneyEdit):
    """The order discount: an amount, or a percentage of the goods ("10%")."""

    def percent(self) -> Decimal | None:
        """The percentage typed (None: an amount or nothing); ValueError when the number
        before "%" is no number."""
        text = self.text().strip()
        return parse_percent(text) if text.endswith("%") else None

    def _valid(self) -> bool:
        try:
            percent = self.percent()
        except ValueError:
            return False
        return super()._valid() if percent is None else 0 <= percent <= 100

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if self.text().strip().endswith("%"):  # a percentage stays as typed
            QLineEdit.focusOutEvent(self, event)
            return
        super().focusOutEvent(event)


class KeyHints(QLabel):
    """The dialog's keys in lines as wide as the label: a line breaks between two keys,
    never inside one (word wrap left "+ / −" on a line and "Ctrl+↑" on the next)."""

    SEPARATOR = "   ·   "

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("hints")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setMinimumWidth(1)  # the lines follow the width, not the width the lines
        self.hints: list[str] = []

    def set_hints(self, hints: list[str]) -> None:
        self.hints = hints
        self._wrap()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._wrap()

    def _wrap(self) -> None:
        metrics, width = self.fontMetrics(), self.contentsRect().width()
        lines: list[str] = []
        for hint in self.hints:
            joined = f"{lines[-1]}{self.SEPARATOR}{hint}" if lines else ""
            if joined and metrics.horizontalAdvance(joined) <= width:
                lines[-1] = joined
            else:
                lines.append(hint)
        self.setText("\n".join(lines))


class FitLabel(QLabel):
    """A one-line label in a big font that steps down until the whole text fits its width:
    a total of many digits shows every one of them, smaller, instead of losing the first
    ones at the left edge."""

    SMALLEST_PT = 8.0

    def __init__(self, points: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._points = points
        self._fit()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def minimumSizeHint(self) -> QSize:
        # Any width: the font fits the text into what the layout can give.
        return QSize(0, super().minimumSizeHint().height())

    def _fit(self) -> None:
        font = QFont(self.font())
        size = self._points
        font.setPointSizeF(size)
        room = self.contentsRect().width()
        while size > self.SMALLEST_PT and QFontMetrics(font).horizontalAdvance(self.text()) > room:
            size -= 1
            font.setPointSizeF(size)
        if font.pointSizeF() != self.font().pointSizeF():
            self.setFont(font)


#: What a shortened message keeps whole: a word with a digit (an order number, an amount)
#: and the currency after an amount ("451.000 ₫", "451,000 VND").
WHOLE_WORD = re.compile(r"(?<!\S)\S*\d\S*(?:[ \u00a0](?:₫|VND)(?!\S))?")
ELLIPSIS = "…"


def shorten_at_words(text: str, width: int, advance: Callable[[str], int]) -> str:
    """`text` within `width` (as `advance` measures it), shortened between words only: the
    words of a number stay whole (WHOLE_WORD), the others go one at a time from the end
    (a sentence's start says most), "…" where they were ("Saved DH26-0001 — change due
    451,000 VND" → "Saved DH26-0001 — change … 451,000 VND"). Short of room even then:
    the whole words from the start that fit, then "…"."""
    if advance(text) <= width:
        return text
    tokens: list[tuple[str, bool]] = []  # (word, kept whole)
    at = 0
    for whole in WHOLE_WORD.finditer(text):
        tokens += [(word, False) for word in text[at : whole.start()].split()]
        tokens.append((whole.group(), True))
        at = whole.end()
    tokens += [(word, False) for word in text[at:].split()]
    droppable = [i for i, (_word, kept) in enumerate(tokens) if not kept]
    dropped: set[int] = set()

    def shown(upto: int | None = None) -> str:
        words: list[str] = []
        for i, (word, _kept) in enumerate(tokens[:upto]):
            if i not in dropped:
                words.append(word)
            elif not words or words[-1] != ELLIPSIS:
                words.append(ELLIPSIS)
        return " ".join(words)

    while droppable and advance(shown()) > width:
        dropped.add(droppable.pop())
    if advance(shown()) <= width:
        return shown()
    dropped.clear()
    for upto in range(len(tokens) - 1, 0, -1):
        start = shown(upto)
        cut = start if start.endswith(ELLIPSIS) else f"{start} {ELLIPSIS}"
        if advance(cut) <= width:
            return cut
    return ELLIPSIS


class MessageLabel(QLabel):
    """A one-line message that never widens its window: short of room it drops words
    (`shorten_at_words`), never cutting one, and keeps the order number and the amount
    whole ("Đã lưu DH26-0001 — tiền thừa … 171.000 ₫"); whole in its tooltip. The till's
    "Saved …" grew the dialog past a 1024-pixel screen; cut in its middle by letters it
    read "…hừa trả khách". One line, not two: two would make the top bar taller and the
    lines' table shorter at 768 pixels."""

    def __init__(self) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)

    def minimumSizeHint(self) -> QSize:
        return QSize(min(80, self.sizeHint().width()), super().minimumSizeHint().height())

    def setText(self, text: str) -> None:
        super().setText(text)
        self._tip()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._tip()

    def shown_text(self) -> str:
        """The text as it shows in the label's width."""
        room = self.contentsRect().width()
        return shorten_at_words(self.text(), room, self.fontMetrics().horizontalAdvance)

    def _tip(self) -> None:
        self.setToolTip(self.text() if self.shown_text() != self.text() else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        shown = self.shown_text()
        if shown == self.text():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        self.drawFrame(painter)  # the style sheet's background and border
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()),
                                  self.palette(), self.isEnabled(), shown,
                                  self.foregroundRole())  # fmt: skip


class CustomerCard(QFrame):
    """The chosen customer: the name (bold) and code beside `button` (Walk-in), then the
    phone, level and points under both, the card's whole width. Each line is cut with "…"
    to its width, never wrapped (a third line made the fields above the total scroll),
    and the whole of it is the tooltip then."""

    GREY = "#6B7280"

    def __init__(self, button: QWidget) -> None:
        super().__init__()
        self.setObjectName("customerCard")
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 5, 8, 6)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        self.first, self.second = QLabel(), QLabel()
        for label in (self.first, self.second):
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setMinimumWidth(1)  # the lines follow the width, not the width the lines
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        grid.addWidget(self.first, 0, 0)
        grid.addWidget(button, 0, 1)
        grid.addWidget(self.second, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self._card = ("", "", "", False)

    def set_card(self, title: str, aside: str, details: str, *, grey_details: bool) -> None:
        """`title` in bold and `aside` in grey on the first line, `details` on the second."""
        self._card = (title, aside, details, grey_details)
        self._fit()

    def text(self) -> str:
        """The card's words, whole: the name and code, then the details."""
        title, aside, details, _grey = self._card
        return "\n".join(p for p in (f"{title}  {aside}".strip(), details) if p)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        title, aside, details, grey = self._card
        plain = self.first.fontMetrics()
        bold = QFont(self.first.font())
        bold.setBold(True)
        strong = QFontMetrics(bold)
        room, gap = max(self.first.width(), 1), plain.horizontalAdvance("  ")
        # The code keeps what the name leaves (the name at least half the line).
        aside_room = max(room - min(strong.horizontalAdvance(title), room // 2) - gap, 0)
        short_aside = plain.elidedText(aside, Qt.TextElideMode.ElideRight, aside_room)
        title_room = room - (plain.horizontalAdvance(short_aside) + gap if short_aside else 0)
        short_title = strong.elidedText(title, Qt.TextElideMode.ElideRight, title_room)
        short_details = plain.elidedText(details, Qt.TextElideMode.ElideRight,
                                         max(self.second.width(), 1))  # fmt: skip
        first = f"<b>{_html(short_title)}</b>"
        if short_aside:
            first += f"&nbsp;&nbsp;<span style='color:{self.GREY}'>{_html(short_aside)}</span>"
        second = _html(short_details)
        self.first.setText(first)
        self.second.setText(f"<span style='color:{self.GREY}'>{second}</span>" if grey else second)
        cut = (short_title, short_aside, short_details) != (title, aside, details)
        self.setToolTip(self.text() if cut else "")


class PickList(QListWidget):
    """Search results under a field. The field keeps the focus and drives the list with
    Up/Down/Enter/Esc (see `SearchField`); a click picks too."""

    picked = Signal(object)
    # Enter on a list with nothing to pick.
    pickedNothing = Signal()
    VISIBLE_ROWS = 8

    def __init__(self, host: QWidget, *, enter_picks_first: bool = True) -> None:
        super().__init__(host)
        self.setObjectName("pickList")
        # False: Enter with no row highlighted is the field's own Enter (the product
        # field's code lookup: rows suggested while typing are not picked by a scan's Enter).
        self.enter_picks_first = enter_picks_first
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setUniformItemSizes(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.itemClicked.connect(lambda item: self._pick_item(item))
        # Typed on since these rows were found: Enter searches again instead of picking.
        self.stale = False
        self.hide()

    def show_rows(self, anchor: QWidget, rows: Sequence[tuple[str, object]], empty: str) -> None:
        self.clear()
        for text, data in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, data)
            self.addItem(item)
        if not rows:
            item = QListWidgetItem(empty)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)
        host = self.parentWidget()
        assert host is not None
        top_left = anchor.mapTo(host, QPoint(0, anchor.height() + 2))
        visible = min(self.count(), self.VISIBLE_ROWS)
        # As wide as its rows (a customer's name, phone and code), within the dialog: a
        # field near its right edge gets a list reaching out to the left of it.
        bar = self.verticalScrollBar().sizeHint().width() if self.count() > visible else 0
        rows_width = self.sizeHintForColumn(0) + 2 * self.frameWidth() + bar + 4
        width = min(max(anchor.width(), 460, rows_width), host.width() - 24)
        x = max(12, min(top_left.x(), host.width() - 12 - width))
        height = visible * max(self.sizeHintForRow(0), 24) + 2 * self.frameWidth() + 2
        self.setGeometry(x, top_left.y(), width, height)
        self.setCurrentRow(-1)
        self.stale = False
        self.show()
        self.raise_()

    def step(self, delta: int) -> None:
        """Move the highlight; the first Down highlights the first row."""
        if not self.count() or not self.item(0).flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        row = self.currentRow()
        new = 0 if row < 0 else max(0, min(self.count() - 1, row + delta))
        self.setCurrentRow(new)

    def pick(self) -> None:
        """Pick the highlighted row (the first when none is)."""
        item = self.currentItem() or self.item(0)
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self._pick_item(item)
        else:
            self.pickedNothing.emit()

    def takes_enter(self) -> bool:
        """Whether Enter in the field picks from this list (see `enter_picks_first`)."""
        return not self.stale and (self.enter_picks_first or self.currentRow() >= 0)

    def _pick_item(self, item: QListWidgetItem) -> None:
        if not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        self.hide()
        self.picked.emit(item.data(Qt.ItemDataRole.UserRole))


class SearchField(QLineEdit):
    """A line edit that drives its PickList from the keyboard. With `line_keys`, an empty
    field also passes +/−, Up/Down and Delete on to the lines of the sale."""

    submitted = Signal(str)
    stepQuantity = Signal(int)
    moveLine = Signal(int)
    removeLine = Signal()

    def __init__(self, name: str, popup: PickList, *, line_keys: bool = False) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setClearButtonEnabled(True)
        self.popup = popup
        self._line_keys = line_keys

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._handle(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def _handle(self, event: QKeyEvent) -> bool:
        key = Qt.Key(event.key())
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.ignore()  # Ctrl+Enter saves: the dialog takes it
            return False
        if self.popup.isVisible() and self._popup_key(key):
            return True
        if enter:
            self.submitted.emit(self.text())
            return True
        if self._line_keys and not self.text():
            return self._line_key(key, event.text())
        return False

    def _popup_key(self, key: Qt.Key) -> bool:
        steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1,
                 Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}  # fmt: skip
        if key in steps:
            self.popup.step(steps[key])
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.popup.takes_enter():
            self.popup.pick()
        elif key == Qt.Key.Key_Escape:
            self.popup.hide()
        else:
            return False
        return True

    def _line_key(self, key: Qt.Key, text: str) -> bool:
        if text == "+":
            self.stepQuantity.emit(1)
        elif text in ("-", "−"):
            self.stepQuantity.emit(-1)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.moveLine.emit(1 if key == Qt.Key.Key_Down else -1)
        elif key == Qt.Key.Key_Delete:
            self.removeLine.emit()
        else:
            return False
        return True

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.popup.hide()
        super().focusOutEvent(event)


# --------------------------------------------------------------------------- lines


@dataclass
class SaleLine:
    hit: VariantHit
    quantity: int = 1
    # Set only when the user typed a price; None = the customer's price (from the quote).
    unit_price: int | None = None
    discount: int = 0
    quoted: QuoteLine | None = None

    @property
    def price(self) -> int:
        if self.quoted is not None and self.quoted.quantity == self.quantity:
            return self.quoted.unit_price
        return self.unit_price if self.unit_price is not None else self.hit.price

    @property
    def subtotal(self) -> int:
        return self.quantity * self.price - self.discount

    @property
    def price_level(self) -> str | None:
        """The customer level whose price applies (None: list price or typed)."""
        if self.unit_price is not None or self.quoted is None:
            return None
        return self.quoted.price_level

    @property
    def available(self) -> int:
        return self.quoted.available if self.quoted is not None else self.hit.available

    @property
    def below_cost(self) -> bool:
        """The quote says this line sells below its cost (for these very quantities)."""
        q = self.quoted
        return q is not None and q.below_cost and q.quantity == self.quantity


def below_cost_text(line: SaleLine) -> str:
    """Why a line is amber: its unit cost and the loss when this user may see costs."""
    q = line.quoted
    if q is None or q.unit_cost is None:
        return QCoreApplication.translate("orders", "Sold below the cost price")
    lang = current_language()
    text = QCoreApplication.translate(
        "orders", "Below cost: the unit cost is %1; this line loses %2"
    )  # fmt: skip
    loss = q.quantity * q.unit_cost - q.subtotal
    return text.replace("%1", format_number(q.unit_cost, lang)).replace(
        "%2", format_number(loss, lang)
    )


def _price_text(line: SaleLine, lang: str) -> str:
    """The unit price, with the level's name when the customer's level price applies."""
    text = format_number(line.price, lang)
    return f"{text} · {line.price_level}" if line.price_level else text


class LinesModel(QAbstractTableModel):
    """The lines of the sale; quantity, unit price and discount are editable."""

    changed = Signal()
    #: A value typed into a cell was not taken (the cell keeps its own): why, in words.
    refused = Signal(str)
    PRODUCT, VARIANT, SKU, QTY, PRICE, DISCOUNT, SUBTOTAL, STOCK = range(8)
    NUMERIC = (QTY, PRICE, DISCOUNT, SUBTOTAL, STOCK)
    EDITABLE = (QTY, PRICE, DISCOUNT)
    #: Amber (with the reason as a tooltip) when the line sells below its cost.
    COSTED = (PRICE, SUBTOTAL)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[SaleLine] = []
        self.short_skus: set[str] = set()
        #: The lines came from a stored order: a fixed price is the order's, not typed.
        self.order_prices = False

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.lines)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else 8

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:  # over the cells: numbers right
            flag = Qt.AlignmentFlag
            side = flag.AlignRight if section in self.NUMERIC else flag.AlignLeft
            return int(side | flag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._headers()[section]

    @staticmethod
    def _headers() -> list[str]:
        return [
            QCoreApplication.translate("orders", "Product"),
            QCoreApplication.translate("orders", "Variant"),
            QCoreApplication.translate("orders", "SKU"),
            QCoreApplication.translate("orders", "Qty"),
            QCoreApplication.translate("orders", "Unit price"),
            QCoreApplication.translate("orders", "Discount"),
            # A line's amount (vi "Thành tiền"), not the order's subtotal (vi "Tổng tiền hàng").
            QCoreApplication.translate("orders", "Subtotal", "a sale line's amount"),
            QCoreApplication.translate("orders", "In stock"),
        ]

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() in self.EDITABLE else base

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid() or index.row() >= len(self.lines):
            return None
        line, col = self.lines[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(line, col)
        if role == Qt.ItemDataRole.EditRole and col in self.EDITABLE:
            return str({self.QTY: line.quantity, self.PRICE: line.price,
                        self.DISCOUNT: line.discount}[col])  # fmt: skip
        if role == Qt.ItemDataRole.TextAlignmentRole and col in self.NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.STOCK and self.is_short(line):
            return QBrush(RED)
        if role == Qt.ItemDataRole.ForegroundRole and col in self.COSTED and line.below_cost:
            return QBrush(AMBER)
        if role == Qt.ItemDataRole.FontRole:
            return self._font(line, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(line, col)
        return None

    def _display(self, line: SaleLine, col: int) -> str:
        lang = current_language()
        values = {
            self.PRODUCT: line.hit.product_name,
            self.VARIANT: line.hit.variant_name or "",
            self.SKU: line.hit.sku,
            self.QTY: format_number(line.quantity, lang),
            self.PRICE: _price_text(line, lang),
            self.DISCOUNT: format_number(line.discount, lang) if line.discount else "",
            self.SUBTOTAL: format_number(line.subtotal, lang),
            self.STOCK: format_number(line.available, lang),
        }
        return values[col]

    def _font(self, line: SaleLine, col: int) -> QFont | None:
        short = col == self.STOCK and self.is_short(line)
        typed = col == self.PRICE and line.unit_price is not None
        if not (short or typed):
            return None
        font = QFont()
        font.setBold(short)
        font.setItalic(typed)
        return font

    def _tooltip(self, line: SaleLine, col: int) -> str | None:
        if col in self.COSTED and line.below_cost:
            return below_cost_text(line)
        if col in (self.PRODUCT, self.VARIANT, self.SKU):
            hit = line.hit
            return " — ".join(p for p in (hit.product_name, hit.variant_name, hit.sku) if p)
        if col == self.STOCK and self.is_short(line):
            text = QCoreApplication.translate("orders", "Only %1 available")
            return text.replace("%1", format_number(line.available, current_language()))
        if col == self.PRICE and line.unit_price is not None:
            if self.order_prices:
                return QCoreApplication.translate(
                    "orders", "The price on the order; clear it for the customer's price today"
                )
            return QCoreApplication.translate(
                "orders", "Price typed by hand; clear it for the customer's price"
            )
        if col == self.PRICE and line.price_level:
            text = QCoreApplication.translate("orders", "Price of the level %1 (list price %2)")
            listed = format_number(line.hit.price, current_language())
            return text.replace("%1", line.price_level).replace("%2", listed)
        return None

    def is_short(self, line: SaleLine) -> bool:
        return line.quantity > line.available or line.hit.sku in self.short_skus

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: object,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        line, col, text = self.lines[index.row()], index.column(), str(value or "").strip()
        if col not in self.EDITABLE:
            return False
        try:  # "1.000" is a thousand, in a quantity too
            number = parse_money(text, current_language()) if text else None
        except ValueError:
            self.refused.emit(self._refusal(col, text))
            return False
        if col == self.QTY:
            if number is None or not 1 <= number <= MAX_QUANTITY:
                self.refused.emit(self._refusal(col, text))
                return False
            line.quantity = number
        elif col == self.PRICE:
            line.unit_price = number
        else:
            line.discount = number or 0
        self._row_changed(index.row())
        return True

    def _refusal(self, col: int, text: str) -> str:
        """Why `text` typed into column `col` was not taken."""
        lang = current_language()
        if col == self.QTY:
            return QCoreApplication.translate(
                "orders", "Quantity “%1”: type a whole number from 1 to %2."
            ).replace("%1", text).replace("%2", format_number(MAX_QUANTITY, lang))  # fmt: skip
        what = self._headers()[col]
        digits = text.replace(".", "").replace(",", "").replace(" ", "")
        if digits.isdigit() and len(digits) > len(str(MAX_AMOUNT)):  # past any price
            return QCoreApplication.translate("orders", "%1 cannot be more than %2.").replace(
                "%1", what).replace("%2", format_number(MAX_AMOUNT, lang))  # fmt: skip
        return QCoreApplication.translate(
            "orders", "%1: “%2” is not an amount of money."
        ).replace("%1", what).replace("%2", text)  # fmt: skip

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        self.changed.emit()

    # ----------------------------------------------------------------------- edits

    def add(self, hit: VariantHit) -> int:
        """Add one of `hit` (+1 on its line when it already has one); returns the row."""
        for row, line in enumerate(self.lines):
            if line.hit.variant_id == hit.variant_id:
                self.bump(row, 1)
                return row
        row = len(self.lines)
        self.beginInsertRows(QModelIndex(), row, row)
        self.lines.append(SaleLine(hit))
        self.endInsertRows()
        self.changed.emit()
        return row

    def bump(self, row: int, delta: int) -> None:
        if 0 <= row < len(self.lines):
            line = self.lines[row]
            line.quantity = max(1, min(MAX_QUANTITY, line.quantity + delta))
            self._row_changed(row)

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.lines):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.lines[row]
            self.endRemoveRows()
            self.changed.emit()

    def load(self, lines: list[SaleLine], *, order_prices: bool) -> None:
        """These lines instead of the present ones (an order opened for editing: their
        prices are the order's; a repeated order's are today's)."""
        self.order_prices = order_prices
        self.beginResetModel()
        self.lines = lines
        self.short_skus.clear()
        self.endResetModel()
        self.changed.emit()

    def clear(self) -> None:
        self.beginResetModel()
        self.lines.clear()
        self.short_skus.clear()
        self.endResetModel()

    def draft_lines(self) -> tuple[DraftLine, ...]:
        return tuple(
            DraftLine(ln.hit.variant_id, ln.quantity, ln.unit_price, ln.discount)
            for ln in self.lines
        )

    def apply_quote(self, quote: Quote | None) -> None:
        """Show the quote's prices and stock (when it is for these very lines)."""
        quoted = list(quote.lines) if quote is not None else []
        same = [q.variant_id for q in quoted] == [ln.hit.variant_id for ln in self.lines]
        for i, line in enumerate(self.lines):
            line.quoted = quoted[i] if same else None
        self.short_skus = {s.sku for s in quote.shortages} if quote is not None else set()
        if self.lines:
            last = self.index(len(self.lines) - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)


#: The widest the unit price column grows to show a level's name beside the price.
MAX_PRICE_WIDTH = 200
#: The widest the quantity column grows (1.000.000, the most a line takes).
MAX_QTY_WIDTH = 90
#: The widest the line total grows (1.000.000.000.000, the most a line comes to).
MAX_SUBTOTAL_WIDTH = 150
#: The product's name, at least, when the table has room for it.
PRODUCT_MIN_WIDTH = 160
#: The widest the variant and SKU columns grow to their cells when there is room
#: (a long variant "Men rạn / 16 cm" whole); the product takes the rest.
TEXT_WIDTHS = {LinesModel.VARIANT: 150, LinesModel.SKU: 128}
#: Short of room (1024 pixels wide), the name, variant and SKU give up width in this
#: order, each down to its floor, before the table scrolls sideways: the numbers (the
#: line total, the stock) stay in sight, and a cut name shows whole in its tooltip.
TEXT_SHRINK = (
    (LinesModel.SKU, 72), (LinesModel.PRODUCT, 110), (LinesModel.SKU, 48),
    (LinesModel.VARIANT, 80), (LinesModel.PRODUCT, 72), (LinesModel.SKU, 40),
    (LinesModel.VARIANT, 56),
)  # fmt: skip


class LinesView(QTableView):
    """The lines table: +/− change the quantity, Delete removes the line. The numbers
    keep their widths and the product, variant and SKU share the rest (see `fit_columns`);
    in a narrow window the Discount column waits until a line has a discount (the row
    menu's "Discount on this line…" shows it and opens the cell)."""

    stepQuantity = Signal(int)
    removeLine = Signal()
    #: A cell edited from the keyboard is closed (Enter, Esc): the next scan is the
    #: product field's, not the cell's.
    cellDone = Signal()

    def __init__(self, model: LinesModel) -> None:
        super().__init__()
        self.setObjectName("lines")
        self.setModel(model)
        self.lines_model = model
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        # Tab leaves for the next field (the note, the customer); arrows move between
        # cells, and Tab in a cell being edited still goes on to the next one.
        self.setTabKeyNavigation(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(30)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        widths = {LinesModel.QTY: 40, LinesModel.PRICE: 78, LinesModel.DISCOUNT: 70,
                  LinesModel.SUBTOTAL: 92, LinesModel.STOCK: 68}  # fmt: skip
        #: The variant or SKU width the cashier dragged: theirs, room allowing.
        self.dragged: dict[int, int] = {}
        #: The Discount column asked for from the row menu (until the lines are cleared).
        self.discount_asked = False
        #: The Discount column's header width (a hidden column's size hint is 0).
        self.discount_width = 90
        self._fitting = False
        for col, width in widths.items():
            self.setColumnWidth(col, width)
        # "275.000 · VIP" (a level price) is wider than a price, "1.000" than a quantity:
        # the column grows to it.
        for signal in (model.dataChanged, model.rowsInserted, model.modelReset):
            signal.connect(self.fit_prices)
        model.rowsRemoved.connect(self.fit_columns)
        model.modelReset.connect(self._lines_cleared)
        header.sectionResized.connect(self._column_resized)
        # The headers in the language shown (retranslated: headerDataChanged).
        model.headerDataChanged.connect(lambda *_a: self.fit_headers())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit_headers()  # polished now: the app's header font and padding apply

    def fit_headers(self) -> None:
        """Each column (but the product's, which takes the rest) at least as wide as its
        header: in English "Subtotal" ran into "In stock". Never narrower than it is."""
        header = self.horizontalHeader()
        header.ensurePolished()
        for col in range(header.count()):
            if col != LinesModel.PRODUCT:
                needed = header.sectionSizeHint(col)
                shown = not header.isSectionHidden(col) and col not in TEXT_WIDTHS
                if shown and needed > self.columnWidth(col):
                    self.setColumnWidth(col, needed)
        self.fit_columns()

    def _column_resized(self, column: int, _old: int, new: int) -> None:
        if self._fitting:
            return
        if column in TEXT_WIDTHS and new > 0:
            self.dragged[column] = new
        self.fit_columns()

    def _lines_cleared(self) -> None:
        self.discount_asked = False
        self.fit_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        # The viewport's width changed (a vertical scroll bar came); not before __init__'s end.
        if not getattr(self, "_fitting", True):
            self.fit_columns()

    def _numbers_width(self, with_discount: bool) -> int:
        """The numeric columns' width; a hidden Discount column counts as its header."""
        header, total = self.horizontalHeader(), 0
        for col in LinesModel.NUMERIC:
            if col != LinesModel.DISCOUNT:
                total += self.columnWidth(col)
            elif with_discount:
                hidden = header.isSectionHidden(col)
                total += self.discount_width if hidden else self.columnWidth(col)
        return total

    def wanted(self, col: int) -> int:
        """The variant's or SKU's width with room: its header and cells (SKUs like
        ASML0001-DEN-S and variants like "Xanh navy / M" are read at the counter), up to
        TEXT_WIDTHS; or the width the cashier dragged it to."""
        if col in self.dragged:
            return self.dragged[col]
        cells = min(self.sizeHintForColumn(col), TEXT_WIDTHS[col])
        return max(self.horizontalHeader().sectionSizeHint(col), cells)

    def fit_columns(self) -> None:
        """Numbers first, at their widths; the product, variant and SKU share the rest:
        with room, the variant and SKU get their wanted widths and the product the rest
        (PRODUCT_MIN_WIDTH at least); short of it they give up width as TEXT_SHRINK says,
        and only past its floors does the table scroll sideways. The Discount column shows
        when a line has a discount, when asked for, or when it costs the names nothing."""
        header = self.horizontalHeader()
        if not header.isSectionHidden(LinesModel.DISCOUNT):
            self.discount_width = header.sectionSizeHint(LinesModel.DISCOUNT)
        room = self.viewport().width()
        texts = (LinesModel.PRODUCT, LinesModel.VARIANT, LinesModel.SKU)
        wanted = {col: self.wanted(col) for col in TEXT_WIDTHS}
        full = PRODUCT_MIN_WIDTH + sum(wanted.values())
        has_discount = any(line.discount for line in self.lines_model.lines)
        show_discount = (has_discount or self.discount_asked
                         or room - self._numbers_width(True) >= full)  # fmt: skip
        self._fitting = True
        try:
            if header.isSectionHidden(LinesModel.DISCOUNT) == show_discount:
                self.setColumnHidden(LinesModel.DISCOUNT, not show_discount)
                if show_discount:
                    self.setColumnWidth(LinesModel.DISCOUNT, self.discount_width)
            spare = room - self._numbers_width(show_discount)
            widths = {LinesModel.PRODUCT: PRODUCT_MIN_WIDTH, **wanted}
            excess = sum(widths.values()) - spare
            for col, floor in TEXT_SHRINK:
                if excess <= 0:
                    break
                given = max(0, min(excess, widths[col] - floor))
                widths[col] -= given
                excess -= given
            if excess < 0:  # room to spare: the product's
                widths[LinesModel.PRODUCT] -= excess
            for col in texts:
                if self.columnWidth(col) != widths[col]:
                    self.setColumnWidth(col, widths[col])
        finally:
            self._fitting = False

    def fit_prices(self) -> None:
        """Widen the unit price column to its widest cell (up to MAX_PRICE_WIDTH: a long
        level name is then elided at its end, the price before it stays whole), the
        quantity and the line total to theirs; never narrower than they are (the cashier
        may have widened them). Then the columns share the width again."""
        fits = ((LinesModel.PRICE, MAX_PRICE_WIDTH), (LinesModel.QTY, MAX_QTY_WIDTH),
                (LinesModel.SUBTOTAL, MAX_SUBTOTAL_WIDTH))  # fmt: skip
        for col, most in fits:
            needed = min(self.sizeHintForColumn(col), most)
            if needed > self.columnWidth(col):
                self.setColumnWidth(col, needed)
        self.fit_columns()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """A line's menu: "Discount on this line…" (the Discount column may be hidden)."""
        mouse = event.reason() == QContextMenuEvent.Reason.Mouse
        index = self.indexAt(event.pos()) if mouse else self.currentIndex()
        if not index.isValid():
            return
        menu = QMenu(self)
        action = menu.addAction(QCoreApplication.translate("orders", "Discount on this line…"))
        action.triggered.connect(lambda: self.edit_discount(index.row()))
        menu.exec(event.globalPos())

    def edit_discount(self, row: int) -> None:
        """Show the Discount column and open the line's discount cell."""
        self.discount_asked = True
        self.fit_columns()
        index = self.model().index(row, LinesModel.DISCOUNT)
        self.setCurrentIndex(index)
        self.scrollTo(index)
        self.edit(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            if event.text() == "+":
                self.stepQuantity.emit(1)
                return
            if event.text() in ("-", "−"):
                self.stepQuantity.emit(-1)
                return
            # Delete only: Backspace is the key that corrects a typo, it must not take the
            # whole line away without a word.
            if event.key() == Qt.Key.Key_Delete:
                self.removeLine.emit()
                return
        super().keyPressEvent(event)

    def closeEditor(
        self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint
    ) -> None:  # fmt: skip
        super().closeEditor(editor, hint)
        moving_on = hint in (QAbstractItemDelegate.EndEditHint.EditNextItem,
                             QAbstractItemDelegate.EndEditHint.EditPreviousItem)  # fmt: skip
        # The view has the focus back when the editor had it (not after a click elsewhere).
        if not moving_on and self.hasFocus():
            self.cellDone.emit()


# --------------------------------------------------------------------------- new customer


class QuickCustomerDialog(QDialog):
    """A customer made on the spot: the name, and a phone if the buyer gives one."""

    created = Signal(object)

    def __init__(
        self, ctx: ServiceContext, parent: QWidget | None = None, *, name: str = "",
        phone: str = "",
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("quickCustomerDialog")
        self.setWindowTitle(QCoreApplication.translate("orders", "New customer"))
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(name)
        self.name.setObjectName("newCustomerName")
        self.phone = QLineEdit(phone)
        self.phone.setObjectName("newCustomerPhone")
        self.phone.setPlaceholderText(QCoreApplication.translate("orders", "Optional"))
        form.addRow(QCoreApplication.translate("orders", "Name"), self.name)
        form.addRow(QCoreApplication.translate("orders", "Phone"), self.phone)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        # A phone another customer has: that customer is most likely the one at the counter.
        self.use_existing = QPushButton()
        self.use_existing.setObjectName("useExistingCustomer")
        self.use_existing.hide()
        self.use_existing.clicked.connect(self._use_existing)
        self.existing: CustomerRef | None = None
        layout.addWidget(self.use_existing)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("primaryButton")
        self.save = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save.setText(QCoreApplication.translate("orders", "Create customer"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            QCoreApplication.translate("orders", "Cancel")
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.name.textChanged.connect(lambda t: self.save.setEnabled(bool(t.strip())))
        # The offer and the refusal were about the name and phone as they were: a changed
        # one withdraws them (Enter creates again, not sells to the other customer).
        for edit in (self.name, self.phone):
            edit.textChanged.connect(self._withdraw)
        self.save.setEnabled(bool(name.strip()))
        (self.phone if name.strip() else self.name).setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in the name goes on to the phone (the buyer may give one); in the phone
        # it creates the customer.
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self.focusWidget() is self.name:
            self.phone.setFocus()
            return
        super().keyPressEvent(event)

    def accept(self) -> None:
        if not self.name.text().strip():
            return
        try:
            hit = quick_create_customer(self.ctx, self.name.text(), self.phone.text() or None)
        except PrimedistError as exc:
            self.error.setText(error_text(exc))
            self.error.show()
            self._offer(exc.existing if isinstance(exc, DuplicatePhone) else None)
            return
        self.created.emit(hit)
        super().accept()

    def _offer(self, existing: CustomerRef | None) -> None:
        self.existing = existing
        self.use_existing.setVisible(existing is not None)
        # The button Enter presses looks like the main one: the offer while it stands.
        _primary(self.use_existing if existing is not None else self.save,
                 self.save if existing is not None else self.use_existing)  # fmt: skip
        if existing is not None:
            self.use_existing.setText(QCoreApplication.translate(
                "orders", "Sell to %1 (%2)").replace("%1", existing.name).replace(
                "%2", existing.code))  # fmt: skip
            # The focus stays in the phone, selected: Enter takes the offer (the default
            # button), a number typed instead replaces it and withdraws the offer.
            self.phone.setFocus()
            self.phone.selectAll()
        self.adjustSize()  # taller for the message and the offer: the fields keep their size

    def _withdraw(self) -> None:
        self.error.hide()
        if self.existing is not None:
            self._offer(None)

    def _use_existing(self) -> None:
        hit = get_customer(self.ctx, self.existing.id) if self.existing is not None else None
        if hit is None:  # deleted meanwhile
            self._offer(None)
            return
        self.created.emit(hit)
        super().accept()


def _primary(main: QPushButton, other: QPushButton) -> None:
    """`main` styled and pressed by Enter as the dialog's main button, `other` not."""
    for button, name in ((main, "primaryButton"), (other, "")):
        button.setDefault(button is main)
        if button.objectName() != name:
            button.setObjectName(name)
            button.style().unpolish(button)
            button.style().polish(button)


# --------------------------------------------------------------------------- the dialog


def _caption(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("fieldCaption")
    return label


def _cell(caption: QLabel, *widgets: QWidget) -> QWidget:
    """A caption above its field(s), as one widget (hidden as one)."""
    cell = QWidget()
    box = QVBoxLayout(cell)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    box.addWidget(caption)
    row = QHBoxLayout()
    row.setSpacing(6)
    for w in widgets:
        row.addWidget(w, 1 if isinstance(w, QLineEdit | QComboBox) else 0)
    box.addLayout(row)
    return cell


class SaleDialog(QDialog):
    """Create order: counter, phone or chat sale (see the module docstring and SHORTCUTS).
    With `edit_order_id`: the same form on a stored own order, to change it
    (`services/order_edit.py`); Save stores the changes and closes."""

    orderCreated = Signal(int)
    #: In edit mode, after the changes were saved (the order's id).
    orderSaved = Signal(int)
    #: The delivery address's check with the shop's carrier is over (answered or not).
    addressChecked = Signal()
    #: The rows of the totals box, top to bottom.
    TOTAL_KEYS: tuple[str, ...] = ("subtotal", "discount", "voucher", "points", "shipping",
                                   "total", "change", "owed", "already")  # fmt: skip

    def __init__(
        self, ctx: ServiceContext, parent: QWidget | None = None, *, customer_id: int | None = None,
        edit_order_id: int | None = None, edit_number: str = "",
        repeat_order_id: int | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self.editing = edit_order_id
        self.edit_number = edit_number
        #: The order as loaded (edit mode), to know whether anything changed.
        self._loaded: OrderDraft | None = None
        #: The edited order's `updated_at` as loaded: Save refuses when it changed since.
        self._loaded_at: datetime | None = None
        #: Points the edited order redeemed from this customer: theirs to use again.
        self._lent_points: tuple[int, int] | None = None
        #: What the edited order (on account) added to its customer's balance: not "already".
        self._lent_owed: tuple[int, int] | None = None
        #: The chosen customer's balance as read (customer id, owed; None: not readable).
        self._balance: tuple[int, int | None] | None = None
        self.setObjectName("saleDialog")
        self.setStyleSheet(STYLE)
        fit_to_screen(self, 1320, 760)  # the counter's main screen: room for names
        self.customer: CustomerHit | None = None
        self.source = OrderSource.COUNTER
        self.quote: Quote | None = None
        self.problems: list[str] = []
        self.last_created: CreatedOrder | None = None
        self._prefilled: dict[QLineEdit, str] = {}
        #: The name last searched with matches listed (a scan may be typed after it).
        self._searched = ""
        self._quote_timer = self._timer(QUOTE_DEBOUNCE_MS, self.requote)
        self._customer_timer = self._timer(CUSTOMER_DEBOUNCE_MS, self._search_customers)
        self._product_timer = self._timer(PRODUCT_DEBOUNCE_MS, self._suggest_products)
        self._address_timer = self._timer(ADDRESS_CHECK_MS, self._check_address)
        #: The delivery (province, ward) last asked about to the carrier.
        self._address_checked: tuple[str, str] | None = None
        #: The carrier's last answer: that (province, ward), why it cannot place it or None.
        self._address_answer: tuple[tuple[str, str], str | None] | None = None
        #: The (province, ward) and number of the order just saved, whose warning stays
        #: while the fields wait for the next sale.
        self._saved_address: tuple[tuple[str, str], str] | None = None
        self._build()
        self._connect()
        self._install_keys()
        self.retranslate()
        #: Opened by a customer's Create order: its type is remembered when saved.
        self._from_customer = (customer_id is not None and edit_order_id is None
                               and repeat_order_id is None)  # fmt: skip
        self._set_source(customer_order_type(ctx) if self._from_customer else OrderSource.COUNTER)
        if customer_id is not None:
            self.set_customer(get_customer(ctx, customer_id))
        if edit_order_id is not None:
            self._load_order(edit_order_id)
        elif repeat_order_id is not None:
            self._load_repeat(repeat_order_id)
        self.requote()
        if self._loaded is not None and self._loaded.payment_method == PaymentMethod.ON_ACCOUNT:
            if self._loaded.customer_id is not None and self.quote is not None:
                self._lent_owed = (self._loaded.customer_id, self.quote.owed)
                self._show_account()
        self.product_search.setFocus()

    def _load_order(self, order_id: int) -> None:
        """Fill the form with the stored order (edit mode)."""
        draft, self._loaded_at = edit_start(self.ctx, order_id)
        for button in self.type_buttons.values():
            button.setEnabled(False)  # an order keeps its type
        self.exchange_button.hide()
        if draft.customer_id is not None:
            self._lent_points = (draft.customer_id, draft.points)
        self._fill_from(draft, sellable_only=False, blanks=True)
        lang = current_language()
        self.order_discount.setText(
            format_number(draft.order_discount, lang) if draft.order_discount else ""
        )
        self.voucher.setText(draft.voucher_code or "")
        self.points.setText(str(draft.points) if draft.points else "")
        self.note.setText(draft.note or "")
        self._prefilled.clear()
        self.print_receipt.hide()
        self._loaded = self._comparable()

    def _load_repeat(self, order_id: int) -> None:
        """A new sale like a stored order (Order again): its customer, items at today's
        prices, fee, payment and delivery; a product no longer sold is left out."""
        draft = repeat_draft(self.ctx, order_id)
        self._fill_from(draft, sellable_only=True, blanks=False)
        gone = len(draft.lines) - self.model.rowCount()
        if gone:
            self.saved_label.setText(count_text(
                gone,
                QCoreApplication.translate(
                    "orders", "%n product of that order is no longer sold: left out."),
                QCoreApplication.translate(
                    "orders", "%n products of that order are no longer sold: left out."),
            ))  # fmt: skip
            self.saved_label.show()

    def _fill_from(self, draft: OrderDraft, *, sellable_only: bool, blanks: bool) -> None:
        """Type, customer, lines (a fixed price is the order's), shipping fee, payment and
        delivery from `draft`. `blanks`: an empty delivery value empties its field (else the
        customer's default address stays)."""
        self._set_source(draft.source)
        if draft.customer_id is not None:
            # An edited order keeps its own buyer, even one deleted since (not a walk-in).
            buyer = (order_buyer(self.ctx, self.editing) if self.editing is not None
                     else get_customer(self.ctx, draft.customer_id))  # fmt: skip
            self.set_customer(buyer)
        ids = [ln.variant_id for ln in draft.lines]
        hits = {h.variant_id: h for h in variant_hits(self.ctx, ids, sellable_only=sellable_only)}
        lines = [SaleLine(hits[ln.variant_id], ln.quantity, ln.unit_price, ln.discount)
                 for ln in draft.lines if ln.variant_id in hits]  # fmt: skip
        self.model.load(lines, order_prices=any(ln.unit_price is not None for ln in draft.lines))
        fee = draft.shipping_fee
        self.shipping_fee.setText(format_number(fee, current_language()) if fee else "")
        if draft.payment_method in PAYMENT_METHODS:
            self.payment.setCurrentIndex(PAYMENT_METHODS.index(draft.payment_method))
        paid = draft.paid_now
        self.paid_now.setText(format_number(paid, current_language()) if paid else "")
        for field, text in ((self.ship_name, draft.ship_name), (self.ship_phone, draft.ship_phone),
                            (self.ship_address, draft.ship_address),
                            (self.ship_ward, draft.ship_ward)):  # fmt: skip
            if text or blanks:
                field.setText(text or "")
        if draft.ship_province or blanks:
            self.ship_province.setCurrentText(draft.ship_province or "")

    def _comparable(self) -> OrderDraft:
        """The draft without what a save does not keep (cash handed over, status, shop)."""
        return replace(self.draft()[0], cash_received=None, status=None, shop_id=None)

    def _unsaved_edit(self) -> bool:
        return self._loaded is not None and self._comparable() != self._loaded

    def _timer(self, ms: int, fn: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(fn)
        return timer

    # ----------------------------------------------------------------------- layout

    def _build(self) -> None:
        self.product_popup = PickList(self, enter_picks_first=False)
        self.customer_popup = PickList(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 12, 14, 10)
        outer.setSpacing(10)
        outer.addLayout(self._build_type_bar())
        body = QHBoxLayout()
        body.setSpacing(14)
        left = self._build_left()
        # The keys under the lines, not under the right column: its room is the fields'.
        self.hints = KeyHints()
        left.addWidget(self.hints)
        body.addLayout(left, 1)
        right = QWidget()
        right.setFixedWidth(360)
        right.setLayout(self._build_right())
        body.addWidget(right)
        outer.addLayout(body, 1)

    def _build_type_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(0)
        self.type_group = QButtonGroup(self)
        self.type_buttons: dict[OrderSource, QPushButton] = {}
        names = {OrderSource.COUNTER: "typeCounter", OrderSource.PHONE: "typePhone",
                 OrderSource.CHAT: "typeChat"}  # fmt: skip
        for source, name in names.items():
            button = QPushButton()
            button.setObjectName(name)
            button.setProperty("segment", True)
            button.setCheckable(True)
            button.setAutoDefault(False)
            self.type_group.addButton(button)
            self.type_buttons[source] = button
            bar.addWidget(button)
        self.type_buttons[OrderSource.COUNTER].setChecked(True)
        bar.addStretch(1)
        self.saved_label = MessageLabel()
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.hide()
        bar.addWidget(self.saved_label)
        self.next_steps = self._build_next_steps()
        bar.addWidget(self.next_steps)
        bar.addSpacing(12)
        self.exchange_button = QPushButton()
        self.exchange_button.setObjectName("exchangeButton")
        self.exchange_button.setAutoDefault(False)
        self.exchange_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # scans go to the product
        self.exchange_button.clicked.connect(self.start_exchange)
        # Items coming back need the right "Refunds and returns" (the tooltip says who).
        self.exchange_button.setEnabled(self.ctx.actor.may_refund)
        bar.addWidget(self.exchange_button)
        return bar

    def _build_next_steps(self) -> QWidget:
        """After a phone or chat order is saved: ship it, print its packing slip."""
        steps = QWidget()
        row = QHBoxLayout(steps)
        row.setContentsMargins(6, 0, 0, 0)
        row.setSpacing(6)
        self.ship_saved_button = QPushButton()
        self.ship_saved_button.setObjectName("shipSavedButton")
        self.ship_saved_button.clicked.connect(self.ship_saved)
        self.slip_button = QPushButton()
        self.slip_button.setObjectName("packingSlipButton")
        self.slip_button.clicked.connect(self.print_packing_slip)
        for button in (self.ship_saved_button, self.slip_button):
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the next scan goes to the product
            row.addWidget(button)
        # Its own printer: a failed slip must not offer to stop printing receipts.
        self.slip_printer = OrderPrinter(self, self.ctx)
        steps.hide()
        return steps

    def _build_left(self) -> QVBoxLayout:
        left = QVBoxLayout()
        left.setSpacing(8)
        self.product_search = SearchField("productSearch", self.product_popup, line_keys=True)
        # A receipt that did not print is said here, not in a modal box: the box took the
        # next customer's scan (its Enter opened the preview, the code was lost).
        self.print_notice = PrintNotice()
        left.addWidget(self.print_notice)
        left.addWidget(self.product_search)
        self.model = LinesModel(self)
        self.lines = LinesView(self.model)
        self.lines.setMinimumHeight(LINES_MIN_HEIGHT)
        left.addWidget(self.lines, 1)
        self.line_refusal = QLabel()
        self.line_refusal.setTextFormat(Qt.TextFormat.PlainText)
        self.line_refusal.setObjectName("lineRefusal")
        self.line_refusal.setWordWrap(True)
        self.line_refusal.hide()
        left.addWidget(self.line_refusal)
        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("muted")
        left.addWidget(self.empty_hint)
        # A phone order's delivery and the note scroll on a low screen (1024×576 at
        # 125 %): the dialog fits it, a few lines of the sale still in sight above.
        column = QWidget()
        column.setObjectName("saleDeliveryColumn")
        box = QVBoxLayout(column)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        box.addWidget(self._build_delivery())
        self.note_caption = _caption()
        self.note = QLineEdit()
        self.note.setObjectName("note")
        box.addWidget(_cell(self.note_caption, self.note))
        self.delivery_scroll = column_scroll(column, "saleDelivery", WholeColumnScroll())
        self.delivery_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        left.addWidget(self.delivery_scroll)
        return left

    def _build_delivery(self) -> QGroupBox:
        self.delivery = QGroupBox()
        self.delivery.setObjectName("delivery")
        grid = QGridLayout(self.delivery)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        self.ship_name, self.ship_phone = QLineEdit(), QLineEdit()
        self.ship_address, self.ship_ward = QLineEdit(), QLineEdit()
        for edit, name in ((self.ship_name, "shipName"), (self.ship_phone, "shipPhone"),
                           (self.ship_address, "shipAddress"),
                           (self.ship_ward, "shipWard")):  # fmt: skip
            edit.setObjectName(name)
        self.ship_province = province_combo("shipProvince")
        self.ship_captions = [_caption() for _ in range(5)]
        # The 2025 map: street, ward or commune, province (the carrier places a parcel by
        # the ward; without it the order cannot be shipped in bulk).
        grid.addWidget(_cell(self.ship_captions[0], self.ship_name), 0, 0)
        grid.addWidget(_cell(self.ship_captions[1], self.ship_phone), 0, 1)
        grid.addWidget(_cell(self.ship_captions[2], self.ship_address), 1, 0, 1, 2)
        grid.addWidget(_cell(self.ship_captions[3], self.ship_ward), 2, 0)
        grid.addWidget(_cell(self.ship_captions[4], self.ship_province), 2, 1)
        # Right under the address: the carrier would not find it (the order still saves).
        self.address_warning = QLabel()
        self.address_warning.setObjectName("addressWarning")
        self.address_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.address_warning.setWordWrap(True)
        self.address_warning.hide()
        grid.addWidget(self.address_warning, 3, 0, 1, 2)
        return self.delivery

    def _build_right(self) -> QVBoxLayout:
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(8)
        right.addWidget(self._build_fields())
        # The total and Save stay in sight: on a low screen (1024×576 at 125 %) the fields
        # above scroll, and the dialog fits (Save was below the screen's edge).
        right.addWidget(self._build_totals())
        right.addWidget(self._build_messages(), 1)
        self.print_receipt = QCheckBox()
        self.print_receipt.setObjectName("printReceipt")
        self.print_receipt.setChecked(receipt_after_sale(self.ctx))
        self.print_receipt.toggled.connect(lambda on: remember_receipt_after_sale(self.ctx, on))
        self.printer = OrderPrinter(self, self.ctx)
        self.printer.after_sale = self.print_receipt  # no printer: its box offers to untick it
        self.printer.notice = self.print_notice
        self.reprint_button = QPushButton()
        self.reprint_button.setObjectName("reprintButton")
        self.reprint_button.setAutoDefault(False)
        self.reprint_button.clicked.connect(self.reprint_receipt)
        if self.editing is not None:  # the edit's Save closes the screen: nothing to reprint
            self.reprint_button.hide()
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveButton")
        self.save_button.setAutoDefault(False)
        # The receipt's checkbox above its Reprint, Save as high as both: side by side the
        # column's 360 px cut both texts ("In hóa đơn sau l…", "…đơn gần nhất"), and a
        # row of its own would take its height from the fields above.
        self.save_button.setSizePolicy(QSizePolicy.Policy.Preferred,
                                       QSizePolicy.Policy.Preferred)  # fmt: skip
        row = QGridLayout()
        row.setHorizontalSpacing(6)
        row.setVerticalSpacing(4)
        row.addWidget(self.print_receipt, 0, 0)
        row.addWidget(self.reprint_button, 1, 0, Qt.AlignmentFlag.AlignLeft)
        row.addWidget(self.save_button, 0, 1, 2, 1)
        row.setColumnStretch(0, 1)
        right.addLayout(row)
        return right

    def _build_fields(self) -> QScrollArea:
        """The customer and the discounts and payment, scrolling when the dialog is lower
        than them (never when the problems need room: those take what is left)."""
        column = QWidget()
        column.setObjectName("saleFieldsColumn")
        box = QVBoxLayout(column)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        box.addWidget(self._build_customer())
        box.addWidget(self._build_payment())
        self.fields_scroll = column_scroll(column, "saleFields", WholeColumnScroll())
        self.fields_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields
        return self.fields_scroll

    def _build_messages(self) -> QScrollArea:
        """The problems (red) and the below-cost warning (amber) in the room left under
        the totals: many of them scroll there instead of squashing the fields above."""
        column = QWidget()
        column.setObjectName("saleMessagesColumn")
        box = QVBoxLayout(column)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        self.problems_label = QLabel()
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problems_label.setObjectName("problems")
        self.problems_label.setWordWrap(True)
        box.addWidget(self.problems_label)
        self.cost_warning = QLabel()
        self.cost_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.cost_warning.setObjectName("costWarning")
        self.cost_warning.setWordWrap(True)
        self.cost_warning.hide()
        box.addWidget(self.cost_warning)
        self.voucher_note = QLabel()  # an edited order's voucher priced by a changed rule
        self.voucher_note.setTextFormat(Qt.TextFormat.PlainText)
        self.voucher_note.setObjectName("voucherNote")
        self.voucher_note.setWordWrap(True)
        self.voucher_note.hide()
        box.addWidget(self.voucher_note)
        box.addStretch(1)
        self.messages = column_scroll(column, "saleMessages")
        self.messages.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from field to field
        # Only the room the fields leave (and `_fit_messages`' lines): never theirs.
        self.messages.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        return self.messages

    def _build_customer(self) -> QGroupBox:
        self.customer_box = QGroupBox()
        box = QVBoxLayout(self.customer_box)
        box.setSpacing(6)
        row = QHBoxLayout()
        self.customer_search = SearchField("customerSearch", self.customer_popup)
        self.new_customer_button = QPushButton()
        self.new_customer_button.setObjectName("newCustomerButton")
        self.new_customer_button.setAutoDefault(False)
        row.addWidget(self.customer_search, 1)
        row.addWidget(self.new_customer_button)
        box.addLayout(row)
        self.walk_in_button = QPushButton()
        self.walk_in_button.setObjectName("walkInButton")
        self.walk_in_button.setAutoDefault(False)
        # In the card, beside the name: the phone, level and points under it have the
        # card's whole width (beside the button they wrapped to a third line).
        self.customer_card = CustomerCard(self.walk_in_button)
        box.addWidget(self.customer_card)
        return self.customer_box

    def _build_payment(self) -> QGroupBox:
        self.payment_box = QGroupBox()
        grid = QGridLayout(self.payment_box)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        self.order_discount = DiscountEdit("orderDiscount")
        self.order_discount.setPlaceholderText("0 / 10%")
        # What a percentage typed comes to, live, as the points box shows its đồng.
        self.discount_worth = QLabel()
        self.discount_worth.setObjectName("pointsBalance")
        self.discount_worth.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.voucher = QLineEdit()
        self.voucher.setObjectName("voucherCode")
        self.points = QLineEdit()
        self.points.setObjectName("points")
        self.points.setValidator(QIntValidator(0, 999_999_999, self.points))
        self.points.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.points.setPlaceholderText("0")
        self.points_balance = QLabel()
        self.points_balance.setObjectName("pointsBalance")
        self.points_most = QPushButton()
        self.points_most.setObjectName("linkButton")
        self.points_most.setAutoDefault(False)
        self.points_most.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # scans go to the product
        self.points_most.setCursor(Qt.CursorShape.PointingHandCursor)
        self.points_most.clicked.connect(self.use_most_points)
        # What the points typed are worth, live: the owner sees the đồng before the limit.
        self.points_worth = QLabel()
        self.points_worth.setObjectName("pointsBalance")
        self.points_worth.setMinimumHeight(self.points_worth.fontMetrics().lineSpacing())
        self.shipping_fee = MoneyEdit("shippingFee")
        self.payment = QComboBox()
        self.payment.setObjectName("paymentMethod")
        for method in PAYMENT_METHODS:
            self.payment.addItem("", method)
        self.cash = MoneyEdit("cashReceived")
        self.paid_now = MoneyEdit("paidNow")
        self.pay_captions = [_caption() for _ in range(7)]
        self.cash_cell = _cell(self.pay_captions[5], self.cash)
        self.paid_now_cell = _cell(self.pay_captions[6], self.paid_now)
        discount_cell = _cell(self.pay_captions[0], self.order_discount)
        discount_box = discount_cell.layout()
        assert isinstance(discount_box, QVBoxLayout)
        discount_box.addWidget(self.discount_worth)
        self.discount_worth.hide()  # shown for a percentage only: no blank line otherwise
        grid.addWidget(discount_cell, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(_cell(self.pay_captions[1], self.voucher), 0, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(
            _cell(self.pay_captions[2], self.shipping_fee), 1, 0, Qt.AlignmentFlag.AlignTop
        )  # level with the points box, not centred
        grid.addWidget(self._points_cell(), 1, 1)
        grid.addWidget(_cell(self.pay_captions[4], self.payment), 2, 0)
        grid.addWidget(self.cash_cell, 2, 1)
        grid.addWidget(self.paid_now_cell, 2, 1)  # on account, instead of the cash
        return self.payment_box

    def _points_cell(self) -> QWidget:
        """Points to redeem: "Use the most" on the caption's line, the box with the balance,
        what the points are worth under it."""
        cell = _cell(self.pay_captions[3], self.points, self.points_balance)
        box = cell.layout()
        assert isinstance(box, QVBoxLayout)
        caption_row = QHBoxLayout()
        caption_row.setSpacing(4)
        box.removeWidget(self.pay_captions[3])
        caption_row.addWidget(self.pay_captions[3], 1)
        caption_row.addWidget(self.points_most)
        # As high as the caption: the box stays level with the shipping fee's beside it.
        self.points_most.setMaximumHeight(self.pay_captions[3].sizeHint().height())
        box.insertLayout(0, caption_row)
        box.addWidget(self.points_worth)
        return cell

    def _build_totals(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("totals")
        grid = QGridLayout(frame)
        grid.setContentsMargins(12, 8, 12, 8)
        grid.setVerticalSpacing(3)
        self.total_captions: dict[str, QLabel] = {}
        self.total_values: dict[str, QLabel] = {}
        for row, key in enumerate(self.TOTAL_KEYS):
            caption = QLabel()
            value = FitLabel(TOTAL_POINTS) if key == "total" else QLabel()
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setObjectName(f"{key}Value")
            self.total_captions[key], self.total_values[key] = caption, value
            grid.addWidget(caption, row, 0)
            grid.addWidget(value, row, 1)
        # The figures take the room the captions leave (a long total: all of it).
        grid.setColumnStretch(1, 1)
        self.total_captions["total"].setObjectName("totalCaption")
        self.total_values["total"].setObjectName("totalLabel")
        self.total_values["change"].setObjectName("changeDue")
        return frame

    def retranslate(self) -> None:
        if self.editing is None:
            self.setWindowTitle(QCoreApplication.translate("orders", "Create order"))
        else:
            self.setWindowTitle(QCoreApplication.translate("orders", "Edit order %1").replace(
                "%1", self.edit_number))  # fmt: skip
        buttons = self.type_buttons
        buttons[OrderSource.COUNTER].setText(QCoreApplication.translate("orders", "Counter sale"))
        buttons[OrderSource.PHONE].setText(QCoreApplication.translate("orders", "Phone order"))
        buttons[OrderSource.CHAT].setText(
            QCoreApplication.translate("orders", "Chat order (Facebook, Zalo)")
        )
        self.exchange_button.setText(QCoreApplication.translate("orders", "Exchange…  (F8)"))
        self.ship_saved_button.setText(QCoreApplication.translate("orders", "Ship…"))
        self.ship_saved_button.setToolTip(QCoreApplication.translate(
            "orders", "Create the shipment of the order just saved with your carrier"))  # fmt: skip
        self.slip_button.setText(QCoreApplication.translate("orders", "Print packing slip"))
        self.slip_button.setToolTip(QCoreApplication.translate(
            "orders", "Print the packing slip of the order just saved"))  # fmt: skip
        self._exchange_tip()
        self._retranslate_left()
        self._retranslate_customer()
        self._retranslate_payment()
        self._retranslate_totals()
        self._show_hints()
        self._show_customer()
        self._show_quote()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 7)

    def _retranslate_left(self) -> None:
        self.product_search.setPlaceholderText(
            QCoreApplication.translate(
                "orders", "Scan a barcode or type a product name or SKU, then Enter  (F2)"
            )
        )
        self.empty_hint.setText(
            QCoreApplication.translate(
                "orders", "Enter adds the product; +/− change the quantity of the selected line."
            )
        )
        self.delivery.setTitle(QCoreApplication.translate("orders", "Delivery"))
        texts = [
            QCoreApplication.translate("orders", "Recipient"),
            QCoreApplication.translate("orders", "Phone"),
            QCoreApplication.translate("orders", "Street address"),
            QCoreApplication.translate("orders", "Ward / commune"),
            QCoreApplication.translate("orders", "Province / city"),
        ]
        for caption, text in zip(self.ship_captions, texts, strict=True):
            caption.setText(text)
        self._show_address_warning()
        self.note_caption.setText(QCoreApplication.translate("orders", "Note"))

    def _retranslate_customer(self) -> None:
        # F3 in the title: at the end of the field's hint it was cut to "(…".
        self.customer_box.setTitle(QCoreApplication.translate("orders", "Customer (F3)"))
        self.customer_search.setPlaceholderText(
            QCoreApplication.translate("orders", "Name, phone or code")
        )
        self.new_customer_button.setText(QCoreApplication.translate("orders", "+ New customer"))
        self.walk_in_button.setText(QCoreApplication.translate("orders", "Walk-in"))
        self.walk_in_button.setToolTip(
            QCoreApplication.translate("orders", "Sell to a walk-in customer")
        )

    def _retranslate_payment(self) -> None:
        self.payment_box.setTitle(QCoreApplication.translate("orders", "Discounts and payment"))
        texts = [
            QCoreApplication.translate("orders", "Order discount (F6)"),
            QCoreApplication.translate("orders", "Voucher code (F7)"),
            QCoreApplication.translate("orders", "Shipping fee"),
            QCoreApplication.translate("orders", "Points to redeem"),
            QCoreApplication.translate("orders", "Payment method"),
            QCoreApplication.translate("orders", "Cash received (F4)"),
            QCoreApplication.translate("orders", "Paid now (F4)"),
        ]
        for caption, text in zip(self.pay_captions, texts, strict=True):
            caption.setText(text)
        self.points_most.setText(QCoreApplication.translate("orders", "Use the most"))
        self.points_most.setToolTip(QCoreApplication.translate(
            "orders", "The most points this sale may take (Settings → Loyalty points)"
        ))
        for i, method in enumerate(PAYMENT_METHODS):
            self.payment.setItemText(i, enum_label(method))
        self.paid_now.setToolTip(
            QCoreApplication.translate(
                "orders", "What the customer pays now in cash; the rest is owed (empty: all of it)"
            )
        )
        self.print_receipt.setText(
            QCoreApplication.translate("orders", "Print receipt after saving")
        )
        self.print_receipt.setToolTip(
            QCoreApplication.translate(
                "orders", "Print the receipt on the receipt printer (Settings → Printers)"
            )
        )
        self.reprint_button.setText(
            QCoreApplication.translate("orders", "Reprint last receipt  (Ctrl+P)")
        )
        self.reprint_button.setToolTip(
            QCoreApplication.translate(
                "orders", "Print the receipt of the last sale saved on this screen again"
            )
        )
        self.save_button.setText(
            QCoreApplication.translate("orders", "Save  (F9)") if self.editing is None
            else QCoreApplication.translate("orders", "Save changes  (F9)")
        )  # fmt: skip

    def _retranslate_totals(self) -> None:
        texts = {
            "subtotal": QCoreApplication.translate("orders", "Subtotal"),
            "discount": QCoreApplication.translate("orders", "Order discount"),
            "voucher": QCoreApplication.translate("orders", "Voucher"),
            "points": QCoreApplication.translate("orders", "Points"),
            "shipping": QCoreApplication.translate("orders", "Shipping fee"),
            "total": QCoreApplication.translate("orders", "Total"),
            "change": QCoreApplication.translate("orders", "Still to pay")
            if getattr(self, "_short", False)
            else QCoreApplication.translate("orders", "Change due"),
            "owed": QCoreApplication.translate("orders", "Owed for this sale"),
            "already": QCoreApplication.translate("orders", "Already owes"),
        }
        for key, text in texts.items():
            self.total_captions[key].setText(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _exchange_tip(self) -> None:
        self.exchange_button.setToolTip(
            QCoreApplication.translate(
                "orders", "A customer brings items of a receipt back and takes others instead"
            )
            if self.exchange_button.isEnabled()
            else QCoreApplication.translate(
                "orders", "Only the owner, a manager or staff with the right “Refunds and "
                "returns” may exchange items."
            )
        )  # fmt: skip

    def follow_rights(self) -> None:
        """The right "Refunds and returns" was given while signed in (`ctx.actor` says so
        now: `MainWindow.follow_rights_given`): Exchange and F8 work at once."""
        self.exchange_button.setEnabled(self.ctx.actor.may_refund)
        self._exchange_tip()
        self._show_hints()

    def _show_hints(self) -> None:
        """The keys that do something here: F4 while its cash field shows (or at the
        counter, where it brings the field back), F8 while exchanges can start."""
        cash, hints = self.payment.currentData() == PaymentMethod.CASH, []
        for key, action in SHORTCUTS:
            if key == "F4" and self._on_account():
                action = PAID_NOW_HINT
            elif key == "F4" and self.source != OrderSource.COUNTER and not cash:
                continue  # a delivery paid by COD, transfer…: no cash field to go to
            elif key == "F8" and not (self.exchange_button.isVisibleTo(self)
                                      and self.exchange_button.isEnabled()):  # fmt: skip
                continue  # editing an order, in an exchange already, or no refund right
            hints.append(f"{key}  {QCoreApplication.translate('orders', action)}")
        self.hints.set_hints(hints)

    def showEvent(self, event: QShowEvent) -> None:
        self._show_hints()  # editing or exchanging hid F8's button after the texts
        super().showEvent(event)
        self._fit_messages()  # as wide as they show now (an edited order's problems)

    # ----------------------------------------------------------------------- wiring

    def _connect(self) -> None:
        ps = self.product_search
        ps.submitted.connect(self._on_product_entered)
        ps.textEdited.connect(self._on_product_typed)
        ps.stepQuantity.connect(self.step_quantity)
        ps.moveLine.connect(self._move_line)
        ps.removeLine.connect(self.remove_line)
        self.product_popup.picked.connect(self._on_product_picked)
        cs = self.customer_search
        cs.textEdited.connect(self._on_customer_typed)
        cs.submitted.connect(lambda _t: self._search_customers())
        self.customer_popup.picked.connect(self._on_customer_picked)
        self.customer_popup.pickedNothing.connect(self.open_new_customer)
        self.new_customer_button.clicked.connect(self.open_new_customer)
        self.walk_in_button.clicked.connect(lambda: self.set_customer(None))
        self.lines.stepQuantity.connect(self.step_quantity)
        self.lines.removeLine.connect(self.remove_line)
        self.lines.cellDone.connect(self.product_search.setFocus)
        self.model.changed.connect(self._changed)
        self.model.refused.connect(self._show_refusal)
        # Said until the lines change (or the next sale starts).
        self.model.changed.connect(self.line_refusal.hide)
        self.model.modelReset.connect(self.line_refusal.hide)
        self.type_group.buttonClicked.connect(self._on_type_clicked)
        for edit in (self.order_discount, self.voucher, self.shipping_fee, self.cash,
                     self.paid_now):  # fmt: skip
            edit.textChanged.connect(self._changed)
        for edit in (self.cash, self.paid_now, self.order_discount, self.voucher, self.points,
                     self.shipping_fee):  # fmt: skip
            # Enter after the cash, a discount or a voucher code (typed, or a printed
            # voucher scanned: a scanner ends with Enter): back to the products, where the
            # next scan belongs, not typed onto the code; never swallowed in silence.
            edit.returnPressed.connect(lambda: self._focus(self.product_search))
        self.points.textChanged.connect(self._changed)
        self.points.textChanged.connect(self._show_points_worth)
        self.payment.currentIndexChanged.connect(self._on_payment_changed)
        for signal in (self.ship_ward.textChanged, self.ship_province.currentTextChanged):
            signal.connect(lambda _text: self._address_edited())
        # A field left, or Enter in it: what was typed there is checked now.
        for line in (self.ship_ward, self.ship_province.lineEdit()):
            if line is not None:
                line.editingFinished.connect(self._address_timer.start)
                line.returnPressed.connect(lambda: self._check_address(now=True))
        self.save_button.clicked.connect(self.save)

    def _key_actions(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("F2", lambda: self._focus(self.product_search)),
            ("F3", lambda: self._focus(self.customer_search)),
            ("F4", self._focus_cash),
            ("F6", lambda: self._focus(self.order_discount)),
            ("F7", lambda: self._focus(self.voucher)),
            ("F8", self.start_exchange),
            ("Ctrl+Up", lambda: self.step_quantity(1)),
            ("Ctrl+Down", lambda: self.step_quantity(-1)),
            ("F9", self.save),
            ("Ctrl+Return", self.save),
            ("Ctrl+Enter", self.save),
            ("Ctrl+P", self.reprint_receipt),
        ]

    def _install_keys(self) -> None:
        self._keys = [(QKeySequence(k), fn) for k, fn in self._key_actions()]
        for seq, fn in self._keys:
            QShortcut(seq, self, fn)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """The same keys when a shortcut could not fire (e.g. the window is not active),
        and Enter never presses a button by accident."""
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        pressed = QKeySequence(QKeyCombination(mods, Qt.Key(event.key())))
        for seq, fn in self._keys:
            if pressed == seq:
                event.accept()
                fn()
                return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    # ----------------------------------------------------------------------- exchange

    def start_exchange(self) -> None:
        """F8: ask for the receipt's order number (typed or scanned from its code)."""
        if self.exchange_button.isHidden() or not self.exchange_button.isEnabled():
            return  # editing an order, in an exchange already, or no refund right
        prompt = QInputDialog(self)
        prompt.setObjectName("exchangePrompt")
        prompt.setWindowTitle(QCoreApplication.translate("orders", "Exchange items"))
        prompt.setLabelText(
            QCoreApplication.translate(
                "orders", "Order number on the receipt (type it, or scan the receipt's code):"
            )
        )
        prompt.textValueSelected.connect(self._exchange_number)
        prompt.finished.connect(prompt.deleteLater)
        self.exchange_prompt = prompt
        prompt.open()

    def _exchange_number(self, number: str) -> None:
        """The order found: what comes back, then the exchange sale (ui.orders.exchange)."""
        from primedist.ui.orders.exchange import open_exchange  # it builds on this module

        try:
            detail = order_detail(self.ctx, exchangeable_order(self.ctx, number))
        except PrimedistError as exc:
            show_error(self, error_text(exc))
            return
        open_exchange(self, self.ctx, detail, lambda _id: None, self._exchanged)

    def _exchanged(self, text: str) -> None:
        """The exchange saved (its screen closed): the new order and what changes hands."""
        self.next_steps.hide()
        self.saved_label.setText(text)
        self.saved_label.show()

    def _focus(self, widget: QLineEdit) -> None:
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        widget.selectAll()

    def _focus_cash(self) -> None:
        if self.payment.currentData() == PaymentMethod.ON_ACCOUNT:
            self._focus(self.paid_now)  # the cash of a sale on account
            return
        if self.payment.currentData() != PaymentMethod.CASH:
            if self.source != OrderSource.COUNTER:
                return  # a delivery paid by COD, transfer…: F4 must not change how it is paid
            self.payment.setCurrentIndex(PAYMENT_METHODS.index(PaymentMethod.CASH))
        self._focus(self.cash)

    # ----------------------------------------------------------------------- products

    def _on_product_typed(self) -> None:
        self.product_popup.stale = True
        self._product_timer.start()

    def _suggest_products(self) -> None:
        """The matches of what is typed so far, listed as the customer's are (on the UI
        thread: limited to 20, the indexed search takes milliseconds at 100,000 products).
        None is highlighted: Enter still looks the text up as a code first."""
        self._product_timer.stop()
        text = self.product_search.text().strip()
        if not text or self.focusWidget() is not self.product_search:
            self.product_popup.hide()  # emptied, or the cashier moved on (F3, F4…)
            return
        try:
            hits = search_variants(self.ctx, text)
        except PrimedistError as exc:
            self._show_problems([error_text(exc)])
            return
        rows = [(self._hit_text(h), h) for h in hits]
        empty = QCoreApplication.translate("orders", "No product matches “%1”").replace("%1", text)
        self.product_popup.show_rows(self.product_search, rows, empty)
        # A code scanned after the name is still found (`_scanned_after`).
        self._searched = text if rows else ""

    def _on_product_entered(self, text: str) -> None:
        self._product_timer.stop()  # a scan's Enter: added now, never listed after
        text = text.strip()
        if not text:
            return
        searched, self._searched = self._searched, ""
        try:
            # The code as saved, or as printed / read another way (services.sale_lookup).
            hit = find_variant_by_code(self.ctx, text) or self._scanned_after(searched, text)
            hits = [] if hit is not None else search_variants(self.ctx, text)
        except PrimedistError as exc:
            self._show_problems([error_text(exc)])
            return
        if hit is None and len(hits) == 1:
            hit = hits[0]  # a name typed and Enter at once: its only match, no second Enter
        if hit is not None:
            self.add_product(hit)
            return
        rows = [(self._hit_text(h), h) for h in hits]
        empty = QCoreApplication.translate("orders", "No product matches “%1”").replace("%1", text)
        self.product_popup.show_rows(self.product_search, rows, empty)
        if not rows:  # selected: the next scan replaces the unknown code, not types after it
            self.product_search.selectAll()
            QApplication.beep()  # heard by a cashier looking at the goods, not the screen
        else:  # not selected: the cashier may type on to narrow the name down
            self._searched = text
            self.product_popup.setCurrentRow(0)  # what the next Enter adds, in sight

    def _scanned_after(self, searched: str, text: str) -> VariantHit | None:
        """The product of a code scanned while a name search's list showed: the scanner
        typed it after the name ("ao so mi8937653246184"); None when what follows the name
        is no code (more of the name, typed to narrow it down)."""
        if not searched or not text.startswith(searched):
            return None
        code = text.removeprefix(searched).strip()
        if not code or any(ch.isspace() for ch in code):
            return None
        return find_variant_by_code(self.ctx, code)

    @staticmethod
    def _hit_text(hit: VariantHit) -> str:
        name = f"{hit.product_name} — {hit.variant_name}" if hit.variant_name else hit.product_name
        stock = QCoreApplication.translate("orders", "%1 in stock").replace(
            "%1", format_number(hit.available, current_language())
        )
        return f"{name}   ·   {hit.sku}   ·   {money_text(hit.price)}   ·   {stock}"

    def _on_product_picked(self, hit: object) -> None:
        assert isinstance(hit, VariantHit)
        self.add_product(hit)

    def add_product(self, hit: VariantHit) -> None:
        """One more of `hit` (a new line, or +1 on its line); clears the product field."""
        self.saved_label.hide()
        self.next_steps.hide()
        row = self.model.add(hit)
        self.lines.selectRow(row)
        self.lines.scrollTo(self.model.index(row, 0))
        self.product_search.clear()
        self.product_popup.hide()
        self.product_search.setFocus()

    def _selected_row(self) -> int:
        rows = self.lines.selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        return self.model.rowCount() - 1

    def step_quantity(self, delta: int) -> None:
        row = self._selected_row()
        if row >= 0:
            self.model.bump(row, delta)
            self.lines.selectRow(row)

    def remove_line(self) -> None:
        row = self._selected_row()
        if row < 0:
            return
        self.model.remove(row)
        if self.model.rowCount():
            self.lines.selectRow(min(row, self.model.rowCount() - 1))

    def _show_refusal(self, why: str) -> None:
        """A value typed into the lines that was not taken: why, under the lines."""
        self.line_refusal.setText(why)
        self.line_refusal.show()

    def _move_line(self, delta: int) -> None:
        if self.model.rowCount():
            row = max(0, min(self.model.rowCount() - 1, self._selected_row() + delta))
            self.lines.selectRow(row)

    # ----------------------------------------------------------------------- customers

    def _on_customer_typed(self) -> None:
        self.customer_popup.stale = True
        self._customer_timer.start()

    def _search_customers(self) -> None:
        self._customer_timer.stop()
        text = self.customer_search.text().strip()
        if not text:
            self.customer_popup.hide()
            return
        try:
            hits = search_customers(self.ctx, text)
        except PrimedistError as exc:
            self._show_problems([error_text(exc)])
            return
        rows = [(self._customer_text(h), h) for h in hits]
        empty = QCoreApplication.translate(
            "orders", "No customer matches “%1” — “+ New customer” adds one"
        ).replace("%1", text)
        self.customer_popup.show_rows(self.customer_search, rows, empty)

    @staticmethod
    def _customer_text(hit: CustomerHit) -> str:
        parts = [hit.name, phone_text(hit.phone), hit.code, enum_label(hit.rank)]
        return "   ·   ".join(p for p in parts if p)

    def _on_customer_picked(self, hit: object) -> None:
        assert isinstance(hit, CustomerHit)
        self.set_customer(hit)
        self.product_search.setFocus()

    def set_customer(self, hit: CustomerHit | None) -> None:
        """The buyer of the sale (None = walk-in): card, points, delivery prefill, prices."""
        self.customer = hit
        self._balance = None
        self.customer_search.clear()
        self.customer_popup.hide()
        self.points.clear()
        if self.source != OrderSource.COUNTER:
            self._prefill_delivery()
        self._show_customer()
        self._changed()

    def _show_customer(self) -> None:
        hit = self.customer
        balance = self._points_balance()
        self.walk_in_button.setVisible(hit is not None)
        self.points.setEnabled(bool(hit and balance))
        # Shown only when there are points to use (greyed beside "Dùng điểm" for a walk-in
        # it read as a placeholder, and widened the fields' column on a small screen).
        self.points_most.setEnabled(bool(hit and balance))
        self.points_most.setVisible(bool(hit and balance))
        # The worth's line too: without points it only took a row from the payment fields
        # (with problems listed, the method and cash boxes were squashed).
        self.points_worth.setVisible(bool(hit and balance))
        if hit is None:
            title = QCoreApplication.translate("orders", "Walk-in customer")
            note = QCoreApplication.translate("orders", "List prices, no points")
            self.customer_card.set_card(title, "", note, grey_details=True)
            self.points_balance.setText("")
            return
        points = QCoreApplication.translate("orders", "%1 points").replace(
            "%1", format_number(balance, current_language())
        )
        details = "  ·  ".join(
            p for p in (phone_text(hit.phone), enum_label(hit.rank), points) if p
        )
        self.customer_card.set_card(hit.name, hit.code, details, grey_details=False)
        self.points_balance.setText(
            QCoreApplication.translate("orders", "of %1").replace(
                "%1", format_number(balance, current_language())
            )
        )

    def _points_balance(self) -> int:
        """The customer's points to use: with what the edited order redeemed from them."""
        hit = self.customer
        if hit is None:
            return 0
        lent = self._lent_points
        return hit.points_balance + (lent[1] if lent is not None and lent[0] == hit.id else 0)

    def _prefill_delivery(self) -> None:
        """The customer's name, phone and default address into the delivery fields; what
        the user typed stays, what an earlier prefill put there is replaced."""
        hit = self.customer
        address = None
        if hit is not None:
            try:
                address = default_address(self.ctx, hit.id)
            except PrimedistError:
                address = None
        values = {
            self.ship_name: (address and address.recipient) or (hit.name if hit else ""),
            self.ship_phone: (address and address.phone) or (hit.phone if hit else "") or "",
            self.ship_address: address.address if address else "",
            self.ship_ward: (address and address.ward) or "",
            self.ship_province.lineEdit(): (address and address.province) or "",
        }
        for edit, value in values.items():
            if edit is not None and edit.text() in ("", self._prefilled.get(edit, "")):
                edit.setText(value)
                self._prefilled[edit] = value

    def _typed_address(self) -> tuple[str, str]:
        return self.ship_province.currentText().strip(), self.ship_ward.text().strip()

    def _address_edited(self) -> None:
        """The ward or province changed: a warning on other words goes at once, the new
        ones are checked after a pause (`_check_address`)."""
        if any(self._typed_address()):
            self._saved_address = None  # the next order's address: the last one's warning goes
        self._show_address_warning()
        self._address_timer.start()

    def _still_typing(self, province: str) -> bool:
        """The ward's field has the focus, or the province's with a text that is no
        province yet ("hcm" before Enter): checked when left, not half-typed."""
        line = self.ship_province.lineEdit()
        on_province = self.ship_province.hasFocus() or (line is not None and line.hasFocus())
        return self.ship_ward.hasFocus() or (
            on_province and self.ship_province.findText(province, Qt.MatchFlag.MatchExactly) < 0
        )

    def _check_address(self, *, now: bool = False) -> None:
        """Can the shop's carrier place the delivery address (as Ship… will check it)?
        Asked off the UI thread: GHN's lists are fetched the first time. A warning, not a
        refusal: the owner asks the customer again while they are still on the phone.
        `now`: even from the field being typed in (the order is being saved)."""
        self._address_timer.stop()
        address = self._typed_address()
        if address == self._address_checked or (not now and self._still_typing(address[0])):
            return
        self._address_checked = address
        if self.source == OrderSource.COUNTER or not all(address):
            return
        ctx = self.ctx
        Op(self, lambda _job: address_problem(ctx, *address), network=True,
           title=QCoreApplication.translate("orders", "Checking the delivery address")).success(
            lambda problem: self._address_result(address, problem)
        ).failure(self._address_unchecked).run()  # fmt: skip

    def _address_result(self, address: tuple[str, str], problem: str | None) -> None:
        self._address_answer = (address, problem)
        self._show_address_warning()
        self.addressChecked.emit()

    def _address_unchecked(self, exc: BaseException) -> None:
        """No answer (offline, GHN down): nothing is said now (Ship… checks again), and
        the next change asks again."""
        self._address_checked = None
        if not isinstance(exc, PrimedistError):
            failure_text(self, exc)  # a bug: reported as the app reports a failed job
        self.addressChecked.emit()

    def _show_address_warning(self) -> None:
        """The carrier's answer on the address in the fields, or, while they are empty for
        the next sale, on the order just saved (its check may answer after the save)."""
        answer, saved, text = self._address_answer, self._saved_address, ""
        if answer is not None and answer[1] is not None and self.source != OrderSource.COUNTER:
            problem = localize(answer[1])
            if answer[0] == self._typed_address():
                text = QCoreApplication.translate(
                    "orders", "⚠ %1 The order can still be saved: check the address with the "
                    "customer now.").replace("%1", problem)  # fmt: skip
            elif saved is not None and saved[0] == answer[0]:
                text = QCoreApplication.translate(
                    "orders", "⚠ Order %1: %2 Fix its delivery address before shipping."
                ).replace("%1", saved[1]).replace("%2", problem)  # fmt: skip
        self.address_warning.setText(text)
        self.address_warning.setVisible(bool(text))

    def open_new_customer(self) -> QuickCustomerDialog:
        """The small "New customer" dialog, prefilled from the customer search text."""
        typed = self.customer_search.text().strip()
        is_phone = looks_like_phone_query(typed)
        dialog = QuickCustomerDialog(
            self.ctx, self, name="" if is_phone else typed, phone=typed if is_phone else ""
        )
        dialog.created.connect(self._on_customer_created)
        dialog.open()
        return dialog

    def _on_customer_created(self, hit: object) -> None:
        assert isinstance(hit, CustomerHit)
        self.set_customer(hit)
        self.product_search.setFocus()

    # ----------------------------------------------------------------------- order type

    def _on_type_clicked(self, button: QAbstractButton) -> None:
        for source, b in self.type_buttons.items():
            if b is button:
                self._set_source(source)

    def _set_source(self, source: OrderSource) -> None:
        self.source = source
        self.type_buttons[source].setChecked(True)
        delivery = source != OrderSource.COUNTER
        self.delivery.setVisible(delivery)
        self._offer_cod(delivery)
        default = PaymentMethod.COD if delivery else PaymentMethod.CASH
        self.payment.setCurrentIndex(PAYMENT_METHODS.index(default))
        if delivery:
            self._prefill_delivery()
        self._on_payment_changed()

    def _offer_cod(self, shown: bool) -> None:
        """COD only for a delivery: nobody delivers a counter sale (it was saved completed,
        unpaid and not owed). Hidden and disabled, so the arrow keys skip it too."""
        row = PAYMENT_METHODS.index(PaymentMethod.COD)
        model, view = self.payment.model(), self.payment.view()
        if isinstance(model, QStandardItemModel) and (item := model.item(row)) is not None:
            item.setEnabled(shown)
        if isinstance(view, QListView):
            view.setRowHidden(row, not shown)

    def _on_payment_changed(self) -> None:
        cash = self.payment.currentData() == PaymentMethod.CASH
        self.cash_cell.setVisible(cash)
        self.paid_now_cell.setVisible(self._on_account())
        self.total_captions["change"].setVisible(cash)
        self.total_values["change"].setVisible(cash)
        self._show_account()
        self._show_hints()
        self._changed()

    def _on_account(self) -> bool:
        return bool(self.payment.currentData() == PaymentMethod.ON_ACCOUNT)

    def _owed_before(self) -> int | None:
        """What the chosen customer owes before this sale (None: walk-in, or the user may
        not read accounts). Read once per customer; the edited order's own debt left out."""
        hit = self.customer
        if hit is None:
            return None
        if self._balance is None or self._balance[0] != hit.id:
            try:
                owed: int | None = get_balance(self.ctx, hit.id).owed
            except PrimedistError:  # no Customers access (PermissionDenied): no hint
                owed = None
            self._balance = (hit.id, owed)
        owed = self._balance[1]
        lent = self._lent_owed
        if owed is not None and lent is not None and lent[0] == hit.id:
            owed -= lent[1]
        return owed

    def _show_account(self) -> None:
        """On account: what this sale leaves owed and what the customer owes already."""
        on_account = self._on_account()
        before = self._owed_before() if on_account else None
        for key, shown in (("owed", on_account), ("already", before is not None)):
            self.total_captions[key].setVisible(shown)
            self.total_values[key].setVisible(shown)
        q = self.quote
        self.total_values["owed"].setText("—" if q is None else money_text(q.owed))
        self.total_values["already"].setText("" if before is None else money_text(before))

    # ----------------------------------------------------------------------- quote

    def _changed(self) -> None:
        self._quote_timer.start()

    def draft(self) -> tuple[OrderDraft, list[str]]:
        """The sale as the screen holds it, and what the screen itself finds wrong."""
        problems: list[str] = []

        def amount(edit: MoneyEdit, caption: QLabel) -> int | None:
            try:
                return edit.amount()
            except ValueError:
                what = caption.text().split(" (")[0]
                problems.append(QCoreApplication.translate(
                    "orders", "%1: “%2” is not an amount of money."
                ).replace("%1", what).replace("%2", edit.text()))  # fmt: skip
                return None

        method = PaymentMethod(self.payment.currentData())
        cash = amount(self.cash, self.pay_captions[5]) if method == PaymentMethod.CASH else None
        order_discount = self._order_discount(problems)
        on_account = method == PaymentMethod.ON_ACCOUNT
        paid_now = (amount(self.paid_now, self.pay_captions[6]) or 0) if on_account else 0
        delivery = self.source != OrderSource.COUNTER
        draft = OrderDraft(
            lines=self.model.draft_lines(),
            customer_id=self.customer.id if self.customer else None,
            source=self.source,
            order_discount=order_discount,
            voucher_code=self.voucher.text().strip() or None,
            points=int(self.points.text() or 0) if self.customer else 0,
            shipping_fee=amount(self.shipping_fee, self.pay_captions[2]) or 0,
            payment_method=method,
            cash_received=cash,
            paid_now=paid_now,
            note=self.note.text().strip() or None,
            ship_name=(self.ship_name.text().strip() or None) if delivery else None,
            ship_phone=(self.ship_phone.text().strip() or None) if delivery else None,
            ship_address=(self.ship_address.text().strip() or None) if delivery else None,
            ship_ward=(self.ship_ward.text().strip() or None) if delivery else None,
            ship_province=(self.ship_province.currentText().strip() or None) if delivery else None,
        )
        return draft, problems

    def _order_discount(self, problems: list[str]) -> int:
        """The order discount typed: an amount, or a percentage of the goods (the lines
        after their own discounts, at the prices last quoted); a problem said otherwise."""
        edit, what = self.order_discount, self.pay_captions[0].text().split(" (")[0]
        try:
            percent = edit.percent()
        except ValueError:
            problems.append(QCoreApplication.translate("orders", "%1: “%2” is not a percentage.")
                            .replace("%1", what).replace("%2", edit.text()))  # fmt: skip
            return 0
        if percent is None:
            try:
                return edit.amount() or 0
            except ValueError:
                problems.append(QCoreApplication.translate(
                    "orders", "%1: “%2” is not an amount of money."
                ).replace("%1", what).replace("%2", edit.text()))  # fmt: skip
                return 0
        if not 0 <= percent <= 100:
            problems.append(QCoreApplication.translate(
                "orders", "%1: a percentage must be between 0% and 100% of the goods."
            ).replace("%1", what))  # fmt: skip
            return 0
        return percent_of(sum(line.subtotal for line in self.model.lines), percent)

    def requote(self) -> None:
        """Price the sale now and show it (totals, line prices, problems, Save)."""
        self._quote_timer.stop()
        draft, problems = self.draft()
        try:
            self.quote = self._price(draft)
            percent = self._typed_percent()
            if percent is not None and 0 <= percent <= 100:
                # The goods priced by the quote (a customer's level price, say) may differ
                # from the screen's before it: the percentage is of the quoted goods.
                wanted = percent_of(self.quote.subtotal, percent)
                if wanted != draft.order_discount:
                    draft = replace(draft, order_discount=wanted)
                    self.quote = self._price(draft)
            found = list(self.quote.problems)
            if not draft.lines:  # "add a product" is what the screen says already
                found = [p for p in found if not p.startswith("Add at least one product")]
            problems += [localize(p) for p in found]
        except PrimedistError as exc:
            self.quote = None
            problems.append(error_text(exc))
        self.model.apply_quote(self.quote)
        note = self.quote.voucher_note if isinstance(self.quote, EditQuote) else None
        self.voucher_note.setText("⚠ " + localize(note) if note else "")
        self.voucher_note.setVisible(bool(note))
        self._show_quote()
        self._show_problems(problems)

    def _price(self, draft: OrderDraft) -> Quote:
        """The sale priced (its problems included) as the service will save it."""
        if self.editing is None:
            return quote_order(self.ctx, draft)
        return quote_edit(self.ctx, self.editing, draft)

    def _show_quote(self) -> None:
        q = self.quote
        values = self.total_values
        self.empty_hint.setVisible(not self.model.rowCount())
        if q is None:
            for label in values.values():
                label.setText("—")
            self._show_account()
            self._show_cost_warning()
            return
        values["subtotal"].setText(money_text(q.subtotal))
        values["discount"].setText(minus_text(q.order_discount))
        self._show_discount_worth()
        values["voucher"].setText(minus_text(q.voucher_discount))
        values["points"].setText(minus_text(q.points_discount))
        self._show_points_worth()
        values["shipping"].setText(money_text(q.shipping_fee))
        values["total"].setText(money_text(q.total))
        short = q.change_due is not None and q.change_due < 0
        values["change"].setText("—" if q.change_due is None else money_text(abs(q.change_due)))
        self._mark_short(short)
        self._show_account()
        self._show_cost_warning()

    def _typed_percent(self) -> Decimal | None:
        try:
            return self.order_discount.percent()
        except ValueError:
            return None

    def _show_discount_worth(self) -> None:
        """Under the order discount, for a percentage: "= 29,900 ₫" (what it takes off)."""
        percent = self._typed_percent()
        shown = self.quote is not None and percent is not None and 0 <= percent <= 100
        self.discount_worth.setText("= " + money_text(self.quote.order_discount)
                                    if shown and self.quote is not None else "")  # fmt: skip
        self.discount_worth.setVisible(shown)

    def _show_points_worth(self) -> None:
        """Under the points box: "= 149,000 đ" for the points typed, else what one point
        is worth (known from the last quote; nothing for a walk-in)."""
        value = self.quote.point_value if self.quote is not None and self.customer else 0
        typed = int(self.points.text() or 0) if self.points.hasAcceptableInput() else 0
        if not value or not self.points.isEnabled():
            text = ""
        elif typed:
            text = "= " + money_text(typed * value)
        else:
            text = QCoreApplication.translate("orders", "1 point = %1").replace(
                "%1", money_text(value))  # fmt: skip
        self.points_worth.setText(text)

    def use_most_points(self) -> None:
        """Use the most: the most points the customer may redeem on this sale (their
        balance, the cap of Settings → Points, never more than the sale costs)."""
        self.requote()
        most = self.quote.points_most if self.quote is not None else 0
        self.points.setText(str(most) if most else "")
        self.requote()

    def _mark_short(self, short: bool) -> None:
        """Cash short of the total: "Still to pay" in red, not the green change due."""
        label = self.total_values["change"]
        if label.property("short") != short:
            self._short = short
            label.setProperty("short", short)
            label.style().unpolish(label)
            label.style().polish(label)
            self._retranslate_totals()

    def _show_cost_warning(self) -> None:
        """Lines sold below their cost, said under the totals (Save stays enabled)."""
        below = [line for line in self.model.lines if line.below_cost]
        if not below:
            self.cost_warning.hide()
            self._fit_messages()
            return
        lang = current_language()
        parts = []
        for line in below[:COST_WARNING_LINES]:
            q = line.quoted
            assert q is not None
            if q.unit_cost is None:
                parts.append(line.hit.sku)
            else:
                each = q.subtotal // max(q.quantity, 1)
                parts.append(f"{line.hit.sku} {format_number(each, lang)} < "
                             f"{format_number(q.unit_cost, lang)}")  # fmt: skip
        if len(below) > COST_WARNING_LINES:
            parts.append("…")
        text = QCoreApplication.translate("orders", "Sold below cost: %1")
        self.cost_warning.setText("⚠ " + text.replace("%1", "; ".join(parts)))
        self.cost_warning.show()
        self._fit_messages()

    def _show_problems(self, problems: list[str]) -> None:
        self.problems = problems
        self.problems_label.setText("\n".join(problems))
        self.problems_label.setVisible(bool(problems))
        self.save_button.setEnabled(bool(self.model.rowCount()) and not problems)
        self._fit_messages()

    def _fit_messages(self) -> None:
        """Room for the problems and warning as they wrap, up to MESSAGE_LINES lines (a
        second problem was cut behind a scroll bar; taken from the stretch first, then from
        the fields, which scroll), none when there are none."""
        shown = bool(self.problems) or not (self.cost_warning.isHidden()
                                            and self.voucher_note.isHidden())  # fmt: skip
        column = self.messages.widget()
        if not shown or column is None:
            self.messages.setMinimumHeight(0)
            return
        needed = column.heightForWidth(self.messages.width())
        most = MESSAGE_LINES * self.problems_label.fontMetrics().lineSpacing()
        self.messages.setMinimumHeight(min(needed if needed > 0 else most, most))

    # ----------------------------------------------------------------------- save

    def save(self) -> None:
        """Save the sale (F9): asks before selling stock that is not there."""
        self.requote()
        if not self.save_button.isEnabled():
            return
        draft, _ = self.draft()
        created = self._create(draft, allow_negative_stock=False)
        if created is not None:
            self._saved(created)

    def _create(self, draft: OrderDraft, *, allow_negative_stock: bool) -> CreatedOrder | None:
        # On the UI thread on purpose: a sale saves in a few milliseconds, and the keys of
        # the next scan queue behind it and land in the fresh sale, not in this one.
        try:
            with _busy():
                return self._store(draft, allow_negative_stock)
        except StockShortage as exc:
            if allow_negative_stock or not self._sell_anyway(exc):
                return None
            return self._create(draft, allow_negative_stock=True)
        except PrimedistError as exc:
            self._show_problems([error_text(exc)])
            return None

    def _store(self, draft: OrderDraft, allow_negative_stock: bool) -> CreatedOrder:
        """Save the sale through its service (a new sale, or the edited order)."""
        if self.editing is not None:
            # Saved only if nobody changed the order since the form loaded it.
            return update_order(self.ctx, self.editing, draft, loaded_at=self._loaded_at,
                                allow_negative_stock=allow_negative_stock)  # fmt: skip
        return create_order(self.ctx, draft, allow_negative_stock=allow_negative_stock)

    def _sell_anyway(self, exc: StockShortage) -> bool:
        lang = current_language()
        items = "\n".join(
            QCoreApplication.translate("orders", "%1: %2 available, %3 wanted")
            .replace("%1", s.sku).replace("%2", format_number(s.available, lang))
            .replace("%3", format_number(s.wanted, lang))
            for s in exc.shortages
        )  # fmt: skip
        text = QCoreApplication.translate(
            "orders", "Not enough stock:\n%1\n\nSell anyway?"
        ).replace("%1", items)
        answer = QMessageBox.question(
            self, QCoreApplication.translate("orders", "Not enough stock"), text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def _saved(self, created: CreatedOrder) -> None:
        self.last_created = created
        if self.editing is not None:
            self._loaded = None  # saved: nothing to lose
            self.orderSaved.emit(created.id)
            self.accept()
            return
        self.orderCreated.emit(created.id)
        if created.change_due is not None:
            text = QCoreApplication.translate("orders", "Saved %1 — change due %2").replace(
                "%2", money_text(created.change_due)
            )
        elif self._on_account() and self.quote is not None:
            text = QCoreApplication.translate("orders", "Saved %1 — owed %2").replace(
                "%2", money_text(self.quote.owed)
            )
        else:
            text = QCoreApplication.translate("orders", "Saved %1 — total %2").replace(
                "%2", money_text(created.total)
            )
        self.saved_label.setText(text.replace("%1", created.external_id))
        self.saved_label.show()
        # A phone or chat order is shipped: its next steps, while the next sale is empty.
        self.next_steps.setVisible(self.source != OrderSource.COUNTER)
        if self._from_customer:
            remember_customer_order_type(self.ctx, self.source)
            self._from_customer = False  # the next sale on this screen is a walk-in's
        if self.print_receipt.isChecked():
            self.printer.print(
                [created.id],
                DocumentType.RECEIPT,
                payment=_receipt_payment(created),
                open_drawer=self._took_cash(),
            )
        address = self._typed_address()
        delivery = self.source != OrderSource.COUNTER and all(address)
        if delivery:
            self._check_address(now=True)  # saved before it was checked: asked now
        self.reset()
        if delivery:
            # Its warning stays (with the order number) while the fields wait for the next.
            self._saved_address = (address, created.external_id)
        self._show_address_warning()

    def ship_saved(self) -> QDialog | None:
        """The carrier dialog of the Orders tab (Ship…) for the order just saved."""
        created = self.last_created
        if created is None:
            return None
        dialog = BulkShipDialog(self.ctx, [created.id], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.openOrder.connect(self._open_order)
        self.ship_dialog = dialog
        dialog.open()
        return dialog

    def _open_order(self, order_id: int) -> None:
        """An order the carrier dialog cannot ship (its address): its detail, to fix it."""
        from primedist.ui.orders.detail import OrderDetailDialog

        detail = OrderDetailDialog(self.ctx, order_id, self.ship_dialog)
        detail.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        detail.open()

    def print_packing_slip(self) -> None:
        """The packing slip of the order just saved (Settings → Printers → Packing slip)."""
        if self.last_created is not None:
            self.slip_printer.print([self.last_created.id], DocumentType.PACKING_SLIP)

    def reprint_receipt(self) -> None:
        """Ctrl+P: the receipt of the last sale saved on this screen, on the receipt
        printer as after saving (for a sale saved with "Print receipt after saving" off, or
        a jammed printer); a reprint never opens the cash drawer."""
        created = self.last_created
        if created is None:
            self.saved_label.setText(
                QCoreApplication.translate("orders", "No sale saved on this screen yet.")
            )
        else:
            self.printer.print([created.id], DocumentType.RECEIPT,
                               payment=_receipt_payment(created))  # fmt: skip
            self.saved_label.setText(
                QCoreApplication.translate("orders", "Printing the receipt of %1 again").replace(
                    "%1", created.external_id
                )
            )
        self.saved_label.show()

    def _took_cash(self) -> bool:
        """Whether cash went into the till with this sale: a cash sale, or one on account
        with something paid now (recorded as cash)."""
        method = self.payment.currentData()
        if method == PaymentMethod.ON_ACCOUNT:
            return bool(self.paid_now.amount())
        return bool(method == PaymentMethod.CASH)

    def reset(self) -> None:
        """Ready for the next customer: no lines, walk-in, empty fields, product focus."""
        self.model.clear()
        self.product_popup.hide()
        self.customer_popup.hide()
        edits = (self.order_discount, self.voucher, self.shipping_fee, self.cash, self.paid_now,
                 self.note)  # fmt: skip
        for edit in (*edits, self.ship_name, self.ship_phone, self.ship_address, self.ship_ward):
            edit.clear()
        self.product_search.clear()
        self.ship_province.setCurrentIndex(0)
        self._prefilled.clear()
        self.set_customer(None)
        self._set_source(self.source)
        self.requote()
        self.product_search.setFocus()

    def reject(self) -> None:
        """Esc / close: asks first when the sale has lines (an edit: unsaved changes)."""
        if self.editing is not None:
            losing = self._unsaved_edit()
            title = QCoreApplication.translate("orders", "Close the order")
            text = QCoreApplication.translate(
                "orders", "The changes to this order are not saved. Close and lose them?"
            )
        else:
            losing = bool(self.model.rowCount())
            title = QCoreApplication.translate("orders", "Close the sale")
            text = QCoreApplication.translate(
                "orders", "This sale is not saved. Close it and lose its lines?"
            )
        if losing:
            yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
            if QMessageBox.question(self, title, text, yes | no, no) != yes:
                return
        super().reject()


def _prefs(ctx: ServiceContext) -> QSettings | None:
    if ctx.settings is None:
        return None
    return QSettings(str(ctx.settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)


def customer_order_type(ctx: ServiceContext) -> OrderSource:
    """The type Create order from a customer opens on: the last saved so on this PC."""
    prefs = _prefs(ctx)
    value = str(prefs.value(CUSTOMER_TYPE_KEY, "", type=str)) if prefs is not None else ""
    try:
        return OrderSource(value) if value else FIRST_CUSTOMER_TYPE
    except ValueError:
        return FIRST_CUSTOMER_TYPE


def remember_customer_order_type(ctx: ServiceContext, source: OrderSource) -> None:
    prefs = _prefs(ctx)
    if prefs is not None:
        prefs.setValue(CUSTOMER_TYPE_KEY, source.value)
        prefs.sync()


def _receipt_payment(created: CreatedOrder) -> Payment:
    """What the receipt says was paid: the cash received (the change due shown) for a
    cash sale, nothing more for the others."""
    cash = None if created.change_due is None else created.total + created.change_due
    return Payment(cash)


@contextmanager
def _busy() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
