"""The order detail: header, items, money breakdown, customer and shipping, status history,
staff note, and the actions the order's status allows (confirm, ship, complete, cancel,
return, flag)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import as_utc
from primedist.core.messages import Message, reread
from primedist.core.money import format_money, format_number
from primedist.core.text import clean_text
from primedist.domain.enums import Module, OrderSource, OrderStatus, StockState
from primedist.domain.order import Order
from primedist.errors import PrimedistError
from primedist.printing.content import owed_on_account
from primedist.services import delivery as delivery_svc
from primedist.services import order_edit as edit_svc
from primedist.services import orders as svc
from primedist.services import outbox_delivery as outbox_svc
from primedist.services.changes import RecordStamp, order_stamp
from primedist.services.context import ServiceContext
from primedist.services.orders import HistoryEntry, OrderDetail, OrderEvent
from primedist.services.outbox import KIND_ACTIONS, channel_can
from primedist.services.shipping import CARRIER_NAMES, OwnOrder
from primedist.services.sync import SYNC_STATE, SyncState
from primedist.ui.detail_follow import (
    FollowNotes,
    FollowTexts,
    RecordFollow,
    change_time_text,
    scroll_kept,
)
from primedist.ui.errors import show_error
from primedist.ui.formatting import phone_text, when_text
from primedist.ui.i18n import current_language
from primedist.ui.labels import QT_TRANSLATE_NOOP, STATUS_WORDS, enum_label, status_word
from primedist.ui.list_tools import count_text
from primedist.ui.messages import error_text, localize
from primedist.ui.ops import Op, failure_text
from primedist.ui.orders.delivery_address import DeliveryAddressDialog
from primedist.ui.orders.dialogs import ask_cancel_reason
from primedist.ui.orders.exchange import open_exchange
from primedist.ui.orders.returns import ReturnDialog
from primedist.ui.orders.sale import SaleDialog
from primedist.ui.orders.shipment import ShipmentsPanel
from primedist.ui.printing.actions import OrderPrinter, print_menu
from primedist.ui.sync.status import last_message_text, outbox_changed
from primedist.ui.widgets import (
    CELL_PADDING,
    WrapDelegate,
    align_headers,
    button_text,
    column_scroll,
    fit_to_screen,
    longest_word,
    rows_height,
    set_style_property,
)

MINUS = "\u2212"
DASH = "—"
#: The side panel's width (money, customer, shipments), unless its cards need more.
SIDE_PANEL_WIDTH = 340

#: `seller_discount` of a marketplace order: the seller's share of its promotions; of the
#: shop's own sale: what the sale screen calls the order discount (F6).
SELLER_DISCOUNT = QT_TRANSLATE_NOOP("orders", "Seller discount")
ORDER_DISCOUNT = QT_TRANSLATE_NOOP("orders", "Order discount")
#: The voucher and points rows' captions when the order names no code or points (a
#: channel's voucher); otherwise the code and the points show (`_voucher_caption`).
VOUCHER_DISCOUNT = QT_TRANSLATE_NOOP("orders", "Discount code")
POINTS_DISCOUNT = QT_TRANSLATE_NOOP("orders", "Points discount")

#: The parts of the total, in the order the breakdown shows them: (field, label, sign).
MONEY_PARTS: tuple[tuple[str, str, int], ...] = (
    ("subtotal", QT_TRANSLATE_NOOP("orders", "Subtotal"), 1),
    ("marketplace_discount", QT_TRANSLATE_NOOP("orders", "Marketplace discount"), -1),
    ("voucher_discount", VOUCHER_DISCOUNT, -1),
    ("points_discount", POINTS_DISCOUNT, -1),
    ("shipping_fee", QT_TRANSLATE_NOOP("orders", "Shipping fee"), 1),
    ("seller_discount", SELLER_DISCOUNT, -1),
    ("shop_promotion", QT_TRANSLATE_NOOP("orders", "Shop promotion"), -1),
)

SOURCE_LABELS: dict[str, str] = {
    OrderSource.MARKETPLACE: QT_TRANSLATE_NOOP("orders", "Marketplace"),
    OrderSource.COUNTER: QT_TRANSLATE_NOOP("orders", "Counter sale"),
    OrderSource.PHONE: QT_TRANSLATE_NOOP("orders", "Phone order"),
    OrderSource.CHAT: QT_TRANSLATE_NOOP("orders", "Chat order"),
    OrderSource.IMPORT: QT_TRANSLATE_NOOP("orders", "Imported"),
}

#: Who made a status change when no user did (OrderStatusChange.source).
CHANGE_SOURCES: dict[str, str] = {
    "user": QT_TRANSLATE_NOOP("orders", "System"),
    "sync": QT_TRANSLATE_NOOP("orders", "Marketplace sync"),
    "carrier": QT_TRANSLATE_NOOP("orders", "Carrier"),
    "import": QT_TRANSLATE_NOOP("orders", "Import"),
}

#: Sources whose history rows are the other side's doing, whoever asked for the news.
EXTERNAL_SOURCES = ("sync", "carrier")

#: History notes the services write in English, shown translated.
KNOWN_NOTES: dict[str, str] = {
    "Counter sale": QT_TRANSLATE_NOOP("orders", "Counter sale"),
    "Phone order": QT_TRANSLATE_NOOP("orders", "Phone order"),
    "Chat order": QT_TRANSLATE_NOOP("orders", "Chat order"),
    "New order": QT_TRANSLATE_NOOP("orders", "New order"),
}


#: A return's status history note (`services.orders.return_in`, stored in English).
RETURN_NOTE = "Returned {items} item(s), refund {refund}: {reason}"
#: Status history notes the services write from a template, each with the template it
#: shows as: older wordings read as today's (a return's refund once said "đ" in every
#: language). The older first: today's would read its "… đ" as the refund.
#: … with units written off instead of restocked (defective).
KEPT_NOTE = "Returned {items} item(s), refund {refund}, {kept} not restocked: {reason}"
#: An exchange's return, plain and with units written off.
EXCHANGE_NOTE = "Returned {items} item(s) for an exchange, credit {credit}: {reason}"
EXCHANGE_KEPT_NOTE = (
    "Returned {items} item(s) for an exchange, credit {credit}, {kept} not restocked: {reason}"
)
NOTE_TEMPLATES = {
    "Returned {items} item(s), refund {refund} đ: {reason}": RETURN_NOTE,
    KEPT_NOTE: KEPT_NOTE,
    RETURN_NOTE: RETURN_NOTE,
    EXCHANGE_KEPT_NOTE: EXCHANGE_KEPT_NOTE,
    EXCHANGE_NOTE: EXCHANGE_NOTE,
}
#: A return's reasons the services write (`services.shipping._finish_return`).
REASON_TEMPLATES = ("Returned by the carrier ({shipment})",)
#: The carrier's news (`services.shipping._apply_status`): "GHN: Picked up"; older notes
#: said "GHN: Lấy hàng thành công (picked)" whatever the language.
CARRIER_NOTE = "{carrier}: {status}"
OLD_CARRIER_NOTE = "{carrier}: {label} ({status})"
#: The carrier's statuses by their English words (how today's notes name them).
STATUS_BY_WORD = {word: status for status, word in STATUS_WORDS.items()}


def _history_note(note: str) -> str:
    """A status history note in the reader's language where the app wrote it."""
    known = KNOWN_NOTES.get(note)
    if known:
        return _orders(known)
    carrier_news = _carrier_note(note)
    if carrier_news is not None:
        return carrier_news
    for template, shown_as in NOTE_TEMPLATES.items():
        message = reread(note, template)
        # A refund that reads back as no number is another template's ("259,000 đ").
        values = {} if message is None else message.values
        if message is not None and isinstance(values.get("refund", values.get("credit")), int):
            reason = str(message.values.get("reason", ""))
            for reason_template in REASON_TEMPLATES:
                reason = reread(reason, reason_template) or reason
            return localize(Message(shown_as, {**message.values, "reason": reason}))
    return note


def _carrier_note(note: str) -> str | None:
    """A carrier's status note in the reader's words (None: the note is not one). Only a
    carrier the app ships with and a status it knows: a typed note may have a colon."""
    old = reread(note, OLD_CARRIER_NOTE)
    if old is not None and old.values["status"] in STATUS_WORDS:
        carrier, status = old.values["carrier"], str(old.values["status"])
    else:
        new = reread(note, CARRIER_NOTE)
        if new is None or new.values["status"] not in STATUS_BY_WORD:
            return None
        carrier, status = new.values["carrier"], STATUS_BY_WORD[new.values["status"]]
    if carrier not in CARRIER_NAMES.values():
        return None
    return localize(Message(CARRIER_NOTE, {"carrier": carrier, "status": status_word(status)}))


def _costless_lines(detail: OrderDetail) -> int:
    """How many lines with units kept have no cost (none recorded, or 0): the gross
    profit counts their whole subtotal (`services.orders.line_profit`)."""
    return sum(1 for ln in detail.lines if ln.quantity > ln.returned_quantity and not ln.unit_cost)


def _orders(text: str) -> str:
    """Translate a string marked with QT_TRANSLATE_NOOP("orders", ...)."""
    return QCoreApplication.translate("orders", text)


def money(amount: int, sign: int = 1) -> str:
    """An amount for the breakdown; a deduction shows as −12.000 ₫."""
    text = format_money(amount, current_language())
    return f"{MINUS}{text}" if sign < 0 and amount else text


def _each(step: Callable[[ServiceContext, int], None], ctx: ServiceContext, ids: list[int]) -> None:
    for i in ids:
        step(ctx, i)


#: The failed-action line: the error colours of the lists' message bar.
FAILED_BOX_STYLE = (
    "QFrame#failedAction { background: #FEF2F2; border: 1px solid #FECACA; border-radius: 6px; }"
    " QFrame#failedAction QLabel { color: #991B1B; border: none; background: transparent; }"
)


#: Where `order_stamp`'s state has the order's "waiting for the marketplace" mark.
STAMP_PENDING = 3
#: How often a shown "waiting" banner follows the sync state and reads the order's mark.
BANNER_POLL_MS = 2000


def _label(name: str = "", *, selectable: bool = False, wrap: bool = False) -> QLabel:
    label = QLabel()
    # Order numbers, names and addresses come from imports and channels: never as markup.
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(wrap)
    return label


def _card(title: QLabel) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("detailCard")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 12, 14, 12)
    layout.setSpacing(6)
    title.setObjectName("sectionTitle")
    layout.addWidget(title)
    return frame, layout


def _cap_to_rows(table: QTableWidget) -> None:
    """At most as tall as the header and every row (it may still shrink and scroll)."""
    table.setMaximumHeight(rows_height(table))


#: The items table's line discount column (hidden when no line has one).
ITEM_DISCOUNT = 5


def _table(columns: int, stretch: int, right: tuple[int, ...] = ()) -> QTableWidget:
    """A read-only table whose `stretch` column takes the room left and wraps its text
    (headers over their cells: `right` for the number columns)."""
    table = QTableWidget(0, columns)
    align_headers(table, right)
    table.setWordWrap(True)
    table.setItemDelegate(WrapDelegate(table))
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setTabKeyNavigation(False)  # Tab goes on to the next table or button; arrows scroll
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(30)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.sectionResized.connect(lambda *_args: table.resizeRowsToContents())
    return table


#: The status history's note column keeps at least this share of the table's width (less
#: when its notes need less).
NOTE_SHARE = 0.35


def _fit_history_columns(table: QTableWidget) -> None:
    """Time, change and who take what their text needs while the note keeps
    `NOTE_SHARE` of the width, or what its notes need when less (no room kept for empty
    notes); when that is too little, change and who give way and wrap between words (a
    long note squeezed to a few letters a line is unreadable)."""
    header = table.horizontalHeader()
    room = table.viewport().width()
    needs = [max(table.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(4)]
    left = room - min(int(room * NOTE_SHARE), needs[3]) - needs[0]
    if needs[1] + needs[2] <= left or left <= 0 or table.rowCount() == 0:
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        return
    # Both give way in proportion, but never below about half their width (two lines) or
    # their longest word.
    scale = left / (needs[1] + needs[2])
    change, who = (max(longest_word(table, c), needs[c] // 2 + CELL_PADDING,
                       int(needs[c] * scale)) for c in (1, 2))  # fmt: skip
    for column, width in ((1, change), (2, who)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)


def _item(text: str, *, right: bool = False, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tip:
        item.setToolTip(tip)
    return item


def _address(order: Order) -> str:
    parts = (order.ship_address, order.ship_ward, order.ship_district, order.ship_province)
    return ", ".join(p.strip() for p in parts if p and p.strip())


class OrderDetailDialog(QDialog):
    """Everything about one order, and the actions its status allows."""

    #: After any successful action (the list refreshes).
    changed = Signal()
    #: The customer's id, when the user opens the customer.
    openCustomer = Signal(int)

    def __init__(
        self, ctx: ServiceContext, order_id: int, parent: QWidget | None = None,
        sync_state: SyncState = SYNC_STATE,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self.order_id = order_id
        self._sync_state = sync_state
        self.detail: OrderDetail | None = None
        self.return_dialog: ReturnDialog | None = None
        self.address_dialog: DeliveryAddressDialog | None = None
        self.edit_dialog: SaleDialog | None = None
        self.again_dialog: SaleDialog | None = None
        self._busy = False
        self._saved_note = ""
        #: The stored note the typed text started from: Save is refused when the note
        #: stored by then is another (changed on another screen or PC).
        self._note_base = ""
        #: Save chosen on closing with a typed note: "waiting" for the action running to
        #: end, "saving" the note (the dialog closes once it is stored), or "".
        self._closing_save = ""
        #: What the printer said last (printed, copied as text).
        self.last_printer_note = ""
        # Reads the order's stamp on the database worker: the context and the id only.
        self.follow = RecordFollow(self, functools.partial(order_stamp, ctx, order_id),
                                   ctx.clock.now)  # fmt: skip
        self.follow.moved.connect(self._changed_elsewhere)
        self.setObjectName("orderDetail")
        self.setSizeGripEnabled(True)
        fit_to_screen(self, 1100, 760)  # the items table: seven columns beside the side panel
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 14, 18, 14)
        outer.setSpacing(10)
        outer.addLayout(self._build_header())
        body = QHBoxLayout()
        body.setSpacing(12)
        body.addLayout(self._build_left(), 1)
        body.addWidget(self._build_right())
        outer.addLayout(body, 1)
        outer.addLayout(self._build_actions())
        self._retranslate()
        self.follow.mark_shown()
        self.detail = svc.order_detail(ctx, order_id)
        self._show_detail()
        self.close_button.setFocus()

    # ------------------------------------------------------------------ building

    def _build_header(self) -> QVBoxLayout:
        layout = QVBoxLayout()
        layout.setSpacing(6)
        top = QHBoxLayout()
        top.setSpacing(10)
        self.number = _label("orderNumber", selectable=True)
        self.number.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.status_pill = _label("statusPill")
        self.flag_marker = _label("flagMarker")
        top.addWidget(self.number)
        top.addWidget(self.status_pill)
        top.addWidget(self.flag_marker)
        top.addStretch(1)
        layout.addLayout(top)
        meta = QGridLayout()
        meta.setHorizontalSpacing(28)
        meta.setVerticalSpacing(0)
        self.meta_captions: list[QLabel] = []
        self.meta_values: dict[str, QLabel] = {}
        for col, key in enumerate(("shop", "payment", "date", "source")):
            caption = _label("muted")
            value = _label(selectable=True)
            self.meta_captions.append(caption)
            self.meta_values[key] = value
            meta.addWidget(caption, 0, col)
            meta.addWidget(value, 1, col)
        meta.setColumnStretch(4, 1)
        layout.addLayout(meta)
        self.outbox_banner = _label("banner", wrap=True)
        # Follows going offline (or back) while the action waits: the status bar's state.
        self.banner_timer = QTimer(self)
        self.banner_timer.setInterval(BANNER_POLL_MS)
        self.banner_timer.timeout.connect(self._fill_outbox_banner)
        self._checking_sent = False
        self._build_failed_box()
        # The channel cannot be told from here: the seller repeats the step there.
        self.by_hand_note = _label("banner", wrap=True)
        self.cancel_note = _label("cancelNote", selectable=True, wrap=True)
        # Changed elsewhere: read again ("Updated with a change made elsewhere at 10:42"),
        # or, with something typed here, the banner and its Reload.
        self.followed_note = _label("muted", wrap=True)
        self.follow_notes = FollowNotes(self.followed_note, self._follow_texts)
        self.changed_banner = self.follow_notes.banner
        self.changed_banner.reload_button.clicked.connect(self._reload_changed)
        layout.addWidget(self.changed_banner)
        layout.addWidget(self.followed_note)
        layout.addWidget(self.outbox_banner)
        layout.addWidget(self.failed_box)
        layout.addWidget(self.by_hand_note)
        layout.addWidget(self.cancel_note)
        return layout

    def _build_left(self) -> QVBoxLayout:
        layout = QVBoxLayout()
        layout.setSpacing(6)
        self.items_title = _label("sectionTitle")
        self.items_table = _table(7, 0, right=(3, 4, ITEM_DISCOUNT, 6))
        self.items_table.setObjectName("orderItems")
        self.history_title = _label("sectionTitle")
        self.history_table = _table(4, 3)
        self.history_table.setObjectName("orderHistory")
        self.items_empty = _label("muted")
        self.history_empty = _label("muted")
        layout.addWidget(self.items_title)
        layout.addWidget(self.items_empty)
        layout.addWidget(self.items_table, 3)
        layout.addSpacing(4)
        layout.addWidget(self.history_title)
        layout.addWidget(self.history_empty)
        layout.addWidget(self.history_table, 2)
        layout.addStretch(0)  # takes the room only when both tables are empty (hidden)
        layout.addSpacing(4)
        layout.addLayout(self._build_note())
        return layout

    def _build_right(self) -> QScrollArea:
        column = QWidget()
        column.setObjectName("detailColumn")
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self._build_money())
        layout.addWidget(self._build_customer())
        self.shipments_panel = ShipmentsPanel(self.ctx, column)
        self.shipments_panel.changed.connect(self._after_change)
        layout.addWidget(self.shipments_panel)
        layout.addStretch(1)
        # Scrolls only when the window is too short for both cards.
        self.side_column = column
        self.side_scroll = scroll = column_scroll(column, "detailScroll")
        scroll.setFixedWidth(SIDE_PANEL_WIDTH)
        # The cards' texts change (language, shipments): their layout asks again.
        column.installEventFilter(self)
        return scroll

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and watched is self.side_column:
            self._fit_side_panel()
        return super().eventFilter(watched, event)

    def _fit_side_panel(self) -> None:
        """SIDE_PANEL_WIDTH, or wider when the cards need it (longer Vietnamese button
        texts): the column never scrolls sideways, so it must not be cut off at the edge."""
        if not shiboken6.isValid(self):
            return
        needed = self.side_column.minimumSizeHint().width()
        bar = self.side_scroll.verticalScrollBar().sizeHint().width()
        self.side_scroll.setFixedWidth(max(SIDE_PANEL_WIDTH, needed + bar))

    def _build_money(self) -> QFrame:
        self.money_title = QLabel()
        frame, layout = _card(self.money_title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        self.money_captions: dict[str, QLabel] = {}
        self.money_values: dict[str, QLabel] = {}
        keys = [key for key, _label_text, _sign in MONEY_PARTS]
        rows = [*keys, "total", "commission", "refunded", "paid", "owed", "cash", "change",
                "profit"]  # fmt: skip
        for row, key in enumerate(rows):
            caption, value = _label(wrap=True), _label(selectable=True)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.money_captions[key], self.money_values[key] = caption, value
            grid.addWidget(caption, 2 * row, 0)
            grid.addWidget(value, 2 * row, 1)
        grid.setColumnStretch(0, 1)
        total_row = 2 * len(keys)
        rule = QFrame()
        rule.setObjectName("moneyRule")
        rule.setFrameShape(QFrame.Shape.HLine)
        grid.addWidget(rule, total_row - 1, 0, 1, 2)
        for key in ("total",):
            self.money_captions[key].setObjectName("moneyTotal")
            self.money_values[key].setObjectName("moneyTotal")
        # Not money of the order: the shop's own figure, set apart in grey.
        self.money_captions["profit"].setObjectName("muted")
        self.money_values["profit"].setObjectName("muted")
        self.commission_note = _label("muted", wrap=True)
        grid.addWidget(self.commission_note, total_row + 3, 0, 1, 2)
        self.exchange_note = _label("exchangeNote", wrap=True)
        grid.addWidget(self.exchange_note, total_row + 5, 0, 1, 2)
        self.profit_note = _label("muted", wrap=True)
        grid.addWidget(self.profit_note, 2 * rows.index("profit") + 1, 0, 1, 2)
        layout.addLayout(grid)
        return frame

    def _build_customer(self) -> QFrame:
        self.customer_title = QLabel()
        frame, layout = _card(self.customer_title)
        self.customer_button = QPushButton()
        self.customer_button.setObjectName("linkButton")
        self.customer_button.setAutoDefault(False)
        self.customer_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.customer_button.clicked.connect(self._open_customer)
        self.customer_phone = _label(selectable=True)
        row = QHBoxLayout()
        row.addWidget(self.customer_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.customer_phone)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        self.ship_captions: list[QLabel] = []
        self.ship_values: dict[str, QLabel] = {}
        for row_no, key in enumerate(("ship_to", "address", "carrier", "tracking")):
            caption, value = _label("muted"), _label(selectable=True, wrap=True)
            caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.ship_captions.append(caption)
            self.ship_values[key] = value
            grid.addWidget(caption, row_no, 0)
            grid.addWidget(value, row_no, 1)
        grid.setColumnStretch(1, 1)
        layout.addSpacing(4)
        layout.addLayout(grid)
        # An own order's recipient and address, until a carrier has them.
        self.address_button = QPushButton()
        self.address_button.setObjectName("linkButton")
        self.address_button.setProperty("action", True)  # greyed when disabled (style.qss)
        self.address_button.setAutoDefault(False)
        self.address_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.address_button.clicked.connect(self._edit_address)
        self._address_lock: str | None = None
        self._edit_lock: str | None = None
        #: Why Cancel is refused though the status allows it (a live shipment, an exchange).
        self._cancel_lock: str | None = None
        #: Why Ship is refused though the status allows it (a live carrier shipment).
        self._ship_lock: str | None = None
        row = QHBoxLayout()
        row.addWidget(self.address_button)
        row.addStretch(1)
        layout.addLayout(row)
        return frame

    def _build_note(self) -> QVBoxLayout:
        layout = QVBoxLayout()
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.note_title = _label("sectionTitle")
        self.note_hint = _label("muted")
        self.save_note_button = QPushButton()
        self.save_note_button.setObjectName("actionButton")
        self.save_note_button.setAutoDefault(False)
        self.save_note_button.clicked.connect(self._save_note)
        top.addWidget(self.note_title)
        top.addWidget(self.note_hint, 1)
        top.addWidget(self.save_note_button)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("staffNote")
        self.note_edit.setFixedHeight(56)
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.textChanged.connect(self._update_note_button)
        # A save refused because the note changed meanwhile: why, and the note as it is
        # now, beside the typed text kept, to merge.
        self.note_conflict = _label("noteConflict", selectable=True, wrap=True)
        self.note_conflict.setProperty("error", True)
        self.note_conflict.hide()
        layout.addLayout(top)
        layout.addWidget(self.note_edit)
        layout.addWidget(self.note_conflict)
        return layout

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)

        def button(name: str, slot: Callable[[], object]) -> QPushButton:
            b = QPushButton()
            b.setObjectName(name)
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            row.addWidget(b)
            return b

        self.confirm_button = button("primaryButton", self._confirm)
        self.ship_button = button("actionButton", lambda: self._move_to(OrderStatus.SHIPPING))
        self.complete_button = button("actionButton", lambda: self._move_to(OrderStatus.COMPLETED))
        self.edit_button = button("actionButton", self._edit_order)
        self.cancel_button = button("dangerButton", self._cancel)
        self.return_button = button("actionButton", self._open_return)
        self.exchange_button = button("actionButton", self._open_exchange)
        self.again_button = button("actionButton", self._order_again)
        self.flag_button = button("actionButton", self._toggle_flag)
        self.print_button = button("printButton", lambda: None)
        self.printer = OrderPrinter(self, self.ctx)
        self.printer.printed.connect(self._said_by_printer)
        self.print_button.setMenu(print_menu(self, self.printer, lambda: [self.order_id]))
        row.addStretch(1)
        self.close_button = button("closeButton", self.close)
        return row

    def _said_by_printer(self, text: str) -> None:
        """Printed, or copied as text: said under the Print button for a moment."""
        self.last_printer_note = text
        button = self.print_button
        QToolTip.showText(button.mapToGlobal(QPoint(0, button.height())), text, button)

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            if self.detail is not None:
                self._fill()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        captions = (self.tr("Shop"), self.tr("Payment"), self.tr("Order date"), self.tr("Source"))
        for label, text in zip(self.meta_captions, captions, strict=True):
            label.setText(text)
        self.items_title.setText(self.tr("Items"))
        self.history_title.setText(self.tr("Status history"))
        self.items_table.setHorizontalHeaderLabels(
            [self.tr("Product"), self.tr("Variant"), self.tr("SKU"), self.tr("Qty"),
             self.tr("Unit price"), self.tr("Discount"), self.tr("Subtotal")]
        )  # fmt: skip
        self.items_empty.setText(self.tr("No items are recorded for this order."))
        self.history_empty.setText(self.tr("No status changes are recorded for this order."))
        self.history_table.setHorizontalHeaderLabels(
            [self.tr("When"), self.tr("Status"), self.tr("By"), self.tr("Note")]
        )
        self.money_title.setText(self.tr("Payment"))
        for key, text, _sign in MONEY_PARTS:
            self.money_captions[key].setText(_orders(text))
        self.money_captions["total"].setText(self.tr("Total"))
        self.money_captions["commission"].setText(self.tr("Channel commission"))
        self.money_captions["refunded"].setText(self.tr("Refunded"))
        self.money_captions["paid"].setText(self.tr("Paid"))
        self.money_captions["owed"].setText(self.tr("Owed"))
        self.money_captions["cash"].setText(self.tr("Cash received"))
        self.money_captions["change"].setText(self.tr("Change given"))
        self.money_captions["owed"].setToolTip(
            self.tr("What this sale on account leaves owed, as its receipt says; what the "
                    "customer pays later counts on their account.")
        )  # fmt: skip
        self.money_captions["profit"].setText(self.tr("Gross profit"))
        self.money_captions["profit"].setToolTip(
            self.tr("What the items kept sold for, less what they cost the shop when sold "
                    "(as Analytics' Gross profit).")
        )  # fmt: skip
        self.commission_note.setText(
            self.tr("The commission is paid by the shop to the channel, not part of the total.")
        )
        self.customer_title.setText(self.tr("Customer"))
        ship = (self.tr("Ship to"), self.tr("Address"), self.tr("Carrier"), self.tr("Tracking"))
        for label, text in zip(self.ship_captions, ship, strict=True):
            label.setText(text)
        self.note_title.setText(self.tr("Staff note"))
        self.note_edit.setPlaceholderText(self.tr("A note for the team about this order"))
        self.save_note_button.setText(self.tr("Save note"))
        self.note_hint.setText(self.tr("only staff see it, never printed"))
        self._retranslate_actions()

    def _retranslate_actions(self) -> None:
        self.confirm_button.setText(self.tr("Confirm"))
        self.ship_button.setText(self.tr("Ship"))
        self.complete_button.setText(self.tr("Complete"))
        self.edit_button.setText(self.tr("Edit…"))
        self.again_button.setText(self.tr("Order again…"))
        self.again_button.setToolTip(
            self.tr("A new sale with this customer and these items, at today's prices")
        )
        self.cancel_button.setText(self.tr("Cancel order"))
        self.return_button.setText(self.tr("Return…"))
        self.exchange_button.setText(self.tr("Exchange…"))
        self.print_button.setText(self.tr("Print"))
        self.print_button.setToolTip(self.tr("Print a receipt, invoice or packing slip"))
        self.close_button.setText(self.tr("Close"))
        self.close_button.setToolTip(self.tr("Close (Esc)"))
        self.changed_banner.reload_button.setText(self.tr("Reload"))
        self.follow_notes.say()

    # ------------------------------------------------------------------ showing the order

    def reload(self) -> bool:
        """Read the order again and show it (after an action, or on demand); False when it
        could not be read (the user was told why)."""
        try:
            self.follow.mark_shown()  # first: a change between the two reads is seen
            self.detail = svc.order_detail(self.ctx, self.order_id)
        except PrimedistError as exc:
            show_error(self, error_text(exc))
            return False
        self.follow_notes.clear()  # what is shown is the order as it is
        self._show_detail()
        return True

    # ------------------------------------------------------------------ changed elsewhere

    def _changed_elsewhere(self, stamp: RecordStamp) -> None:
        """Another PC, a sync, an import changed the order (`RecordFollow`): read it again
        in place, its buttons as its status now allows; with a note typed or an edit open
        here, the banner says so instead and Reload is the user's (nothing typed is lost)."""
        if self._busy or self.detail is None:
            return  # the action running reads the order again when it ends
        at = change_time_text(self.follow.changed_at(stamp), self.ctx.clock.now())
        on = self.follow.changed_on(stamp)
        if self.follow_notes.react(stamp, at, unsaved=self._unsaved_input(), on=on):
            self._reload_followed(at, on)

    def _unsaved_input(self) -> bool:
        """A staff note typed and not saved, or a dialog over the order still open (its
        edit, a return, the delivery address, a shipment)."""
        open_over = (self.edit_dialog, self.return_dialog, self.address_dialog,
                     self.shipments_panel.dialog)  # fmt: skip
        return self._unsaved_note() or any(
            d is not None and shiboken6.isValid(d) and d.isVisible() for d in open_over
        )

    def _reload_followed(self, at: str, on: str) -> None:
        with scroll_kept(self.items_table, self.history_table, self.side_scroll):
            read = self.reload()
        if read:
            self.follow_notes.read_again(at, on)

    def _reload_changed(self) -> None:
        """Reload of the banner: the order as it is now, the typed note kept."""
        if not self._busy and not self.follow_notes.gone:
            notes = self.follow_notes
            self._reload_followed(notes.banner_at, notes.banner_on)

    def _follow_texts(self) -> FollowTexts:
        """`FollowNotes`' words: read again, changed with something typed, gone; the first
        two naming the PC ("%1" the PC, "%2" the time)."""
        return FollowTexts(self.tr("Updated with a change made elsewhere at %1."),
                           self.tr("This order was changed elsewhere at %1."),
                           self.tr("This order no longer exists: it was deleted elsewhere."),
                           self.tr("Updated with a change made on %1 at %2."),
                           self.tr("This order was changed on %1 at %2."))  # fmt: skip

    def _show_detail(self) -> None:
        assert self.detail is not None
        self._show_note(self.detail.order.staff_note or "")
        self._fill()

    def _show_note(self, note: str) -> None:
        """The stored note in the editor; what the user is typing is kept (only an
        unchanged note is replaced)."""
        typed = self.note_edit.toPlainText()
        if typed == self._saved_note:
            self.note_edit.setPlainText(note)
        # As stored, the typed text is this note (just saved: its stray spaces and invisible
        # characters cleaned away): what the next save starts from.
        if typed == self._saved_note or clean_text(typed) == clean_text(note):
            self._note_base = note  # the editor shows what is stored (or was just saved)
            self.note_conflict.hide()
        self._saved_note = note

    def _fill(self) -> None:
        assert self.detail is not None
        self._fill_header(self.detail)
        self._fill_items(self.detail)
        self._fill_money(self.detail)
        self._fill_profit(self.detail)
        self._fill_exchanges(self.detail)
        self._fill_customer(self.detail)
        self._fill_history(self.detail.history, self.detail.events)
        self.shipments_panel.show_order(self.detail.order)
        self._update_note_button()
        self._update_actions()

    def _fill_header(self, detail: OrderDetail) -> None:
        order = detail.order
        self.setWindowTitle(self.tr("Order %1").replace("%1", order.external_id))
        self.number.setText(order.external_id)
        self.status_pill.setText(enum_label(order.status))
        set_style_property(self.status_pill, "status", order.status.value)
        self.flag_marker.setText("⚑ " + self.tr("Flagged"))
        self.flag_marker.setVisible(order.flagged)
        channel = enum_label(detail.channel)
        name = detail.shop.name
        shop = name if name == channel else f"{name} · {channel}"
        self.meta_values["shop"].setText(shop)
        self.meta_values["payment"].setText(enum_label(order.payment_method))
        self.meta_values["date"].setText(when_text(order.created_at))
        source = SOURCE_LABELS.get(order.source)
        self.meta_values["source"].setText(_orders(source) if source else str(order.source))
        self._fill_outbox_banner()
        self._fill_failed(detail, channel)
        self._fill_by_hand(detail.by_hand, channel)
        reason = order.cancel_reason or ""
        self.cancel_note.setText(self.tr("Cancel reason: %1").replace("%1", reason))
        self.cancel_note.setVisible(bool(reason))

    def _fill_outbox_banner(self) -> None:
        """The order's action waiting for the marketplace (or carrier), as it stands: being
        sent (online: it goes out in seconds), offline (as the status bar says), or why a
        try did not go through. Polled from the sync state while shown (no database read:
        the order reloads once the action is sent)."""
        detail = self.detail
        pending = detail is not None and detail.order.outbox_pending
        self.outbox_banner.setVisible(pending)
        if not pending:
            self.banner_timer.stop()
            return
        assert detail is not None
        to = enum_label(detail.channel) if self._is_marketplace() else self.tr("the carrier")
        snap = self._sync_state.snapshot()
        note = last_message_text(detail.waiting_note)
        if snap["offline"]:
            text = self.tr("Waiting to be sent to %1: the app is offline. It goes out when "
                           "the connection is back.")  # fmt: skip
        elif note:
            text = self.tr("Not sent to %1 yet: %2")
        elif snap["marketplace_error"]:
            text = self.tr("Not sent to %1 yet: %1 answered with an error. The app tries "
                           "again by itself.")  # fmt: skip
        else:
            text = self.tr("Sending to %1…")
        self.outbox_banner.setText(text.replace("%1", to).replace("%2", note))
        if not self.banner_timer.isActive():
            self.banner_timer.start()
        self._check_sent()

    def _check_sent(self) -> None:
        """While the action waits, read the order's stamp (by primary key, off the UI
        thread): a delivery writes no audit row, so the main window's watch does not see
        it; once the order moved (its action sent), it is read again and the banner goes."""
        if self._checking_sent or self._busy or not self.isVisible():
            return
        self._checking_sent = True
        read = functools.partial(order_stamp, self.ctx, self.order_id)
        Op(self, lambda _job: read()).success(self._sent_read).finally_(
            self._sent_checked
        ).run()

    def _sent_read(self, stamp: RecordStamp) -> None:
        waits = bool(stamp.state[STAMP_PENDING]) if not stamp.gone else True
        if not waits and not self._busy and not self._unsaved_input():
            self.reload()

    def _sent_checked(self) -> None:
        self._checking_sent = False

    def _fill_items(self, detail: OrderDetail) -> None:
        lang = current_language()
        table = self.items_table
        table.setRowCount(len(detail.lines))
        for row, line in enumerate(detail.lines):
            qty = format_number(line.quantity, lang)
            if line.returned_quantity:
                returned = format_number(line.returned_quantity, lang)
                qty = self.tr("%1 (returned %2)").replace("%1", qty).replace("%2", returned)
            cells = (
                _item(line.product_name, tip=line.product_name),
                _item(line.variant_name or ""),
                _item(line.sku or ""),
                _item(qty, right=True),
                _item(format_money(line.unit_price, lang), right=True),
                _item(money(line.discount, -1) if line.discount else "", right=True),
                _item(format_money(line.subtotal, lang), right=True),
            )
            for col, cell in enumerate(cells):
                table.setItem(row, col, cell)
        # Quantity × unit price − discount = subtotal, on the row; no column of blanks.
        table.setColumnHidden(ITEM_DISCOUNT, not any(ln.discount for ln in detail.lines))
        table.resizeRowsToContents()
        self._show_empty(table, self.items_empty)

    def _fill_money(self, detail: OrderDetail) -> None:
        order = detail.order
        discount = SELLER_DISCOUNT if self._is_marketplace() else ORDER_DISCOUNT
        self.money_captions["seller_discount"].setText(_orders(discount))
        self.money_captions["voucher_discount"].setText(self._voucher_caption(detail))
        self.money_captions["points_discount"].setText(self._points_caption(order))
        for key, _text, sign in MONEY_PARTS:
            amount = int(getattr(order, key))
            self.money_values[key].setText(money(amount, sign))
            # A discount of nothing is noise; subtotal and shipping always show.
            shown = sign > 0 or amount != 0
            self.money_captions[key].setVisible(shown)
            self.money_values[key].setVisible(shown)
        self.money_values["total"].setText(money(order.total))
        self.money_values["commission"].setText(money(order.commission))
        self.money_values["refunded"].setText(money(order.refunded_amount, -1))
        # A sale on account that still leaves something owed: paid at once and the rest,
        # as its receipt says them.
        owed = owed_on_account(order)
        self.money_values["paid"].setText(money(detail.paid_towards))
        self.money_values["owed"].setText(money(owed))
        show_commission = bool(order.commission) or self._is_marketplace()
        # A cash sale's cash handed over and change, as its receipt says them (kept since
        # migration 0034; an older sale's was never stored).
        cash = order.cash_received
        change = None if cash is None else cash - (order.total - detail.exchange_credit)
        self.money_values["cash"].setText(money(cash or 0))
        self.money_values["change"].setText(money(change or 0))
        cash_sale = change is not None and change >= 0
        shown_rows = {"commission": show_commission, "refunded": order.refunded_amount > 0,
                      "paid": owed > 0, "owed": owed > 0, "cash": cash_sale,
                      "change": cash_sale}  # fmt: skip
        for key, shown in shown_rows.items():
            self.money_captions[key].setVisible(shown)
            self.money_values[key].setVisible(shown)
        self.commission_note.setVisible(show_commission)

    def _voucher_caption(self, detail: OrderDetail) -> str:
        """The voucher row's caption, "Discount code SALE10": the shop's voucher it came from."""
        if not detail.voucher_code:
            return _orders(VOUCHER_DISCOUNT)
        return self.tr("Discount code %1").replace("%1", detail.voucher_code)

    def _points_caption(self, order: Order) -> str:
        """The points row's caption, "Points discount (20 points)": how many points it took."""
        if not order.points_used:
            return _orders(POINTS_DISCOUNT)
        return count_text(
            order.points_used,
            self.tr("Points discount (%n point)"),
            self.tr("Points discount (%n points)"),
        )

    def _fill_profit(self, detail: OrderDetail) -> None:
        """The order's gross profit, for those who see Analytics (costs are the shop's): the
        service leaves it out (None) for the others, as their account stands now."""
        profit = detail.gross_profit
        shown = profit is not None
        self.money_values["profit"].setText(money(profit or 0))
        self.money_captions["profit"].setVisible(shown)
        self.money_values["profit"].setVisible(shown)
        # A line without a cost counts 0: its whole price is profit, which must not pass
        # for a real margin.
        costless = _costless_lines(detail)
        self.profit_note.setText(count_text(
            costless,
            self.tr("%n line has no cost: its whole price counts as profit"),
            self.tr("%n lines have no cost: their whole price counts as profit"),
        ))  # fmt: skip
        self.profit_note.setVisible(shown and costless > 0)

    def _fill_exchanges(self, detail: OrderDetail) -> None:
        """Which exchanges the order took part in, and what they did to the money."""
        lang = current_language()
        texts = []
        for x in detail.exchanges:
            amount = x.amount
            if not x.paid_this:
                text = self.tr("Items of this order were exchanged for order %1 (%2).")
            elif not x.settled:
                text = self.tr("Items returned from order %1 (%2) came off what the customer "
                               "owes.")  # fmt: skip
            elif x.given_back:
                # Worth more than this order: what paid it, and the rest handed back.
                amount = x.used
                text = self.tr("Items returned from order %1 paid %2 of it; %3 was given "
                               "back to the customer.")  # fmt: skip
            else:
                text = self.tr("Items returned from order %1 paid %2 of it.")
            text = text.replace("%3", format_money(x.given_back, lang))
            texts.append(text.replace("%1", x.number).replace("%2", format_money(amount, lang)))
        self.exchange_note.setText("\n".join(texts))
        self.exchange_note.setVisible(bool(texts))

    def _build_failed_box(self) -> None:
        """A marketplace action that failed for good: why, and Retry / Discard (as the Sync
        panel's), so the owner sees it on the order that still shows the local change."""
        self.failed_box = QFrame()
        self.failed_box.setObjectName("failedAction")
        self.failed_box.setStyleSheet(FAILED_BOX_STYLE)
        row = QHBoxLayout(self.failed_box)
        row.setContentsMargins(10, 6, 10, 6)
        self.failed_note = _label(selectable=True, wrap=True)
        self.failed_note.setSizePolicy(QSizePolicy.Policy.Expanding,
                                       QSizePolicy.Policy.Preferred)  # fmt: skip
        self.retry_failed_button = QPushButton()
        self.retry_failed_button.clicked.connect(self._retry_failed)
        self.discard_failed_button = QPushButton()
        self.discard_failed_button.clicked.connect(self._discard_failed)
        row.addWidget(self.failed_note, 1)
        row.addWidget(self.retry_failed_button)
        row.addWidget(self.discard_failed_button)
        self.failed_box.setVisible(False)

    def _fill_failed(self, detail: OrderDetail, channel: str) -> None:
        failed = detail.failed_actions
        self.failed_box.setVisible(bool(failed))
        if not failed:
            return
        # Each failure leads with our own words (why), the platform's text after it.
        lines = [self.tr("⚠ Not sent to %1: %2").replace("%1", channel)
                 .replace("%2", last_message_text(f.last_error) or self.tr("no reason given"))
                 for f in failed]  # fmt: skip
        lines.append(self.tr("The order shows here as it was changed, not as %1 has it.")
                     .replace("%1", channel))  # fmt: skip
        self.failed_note.setText("\n".join(lines))
        self.retry_failed_button.setText(self.tr("Retry"))
        self.retry_failed_button.setToolTip(self.tr("Send it to %1 again").replace("%1", channel))
        self.discard_failed_button.setText(self.tr("Discard"))
        self.discard_failed_button.setToolTip(
            self.tr("Do not send it; the next sync brings the order as %1 has it").replace(
                "%1", channel
            )
        )

    def _failed_ids(self) -> list[int]:
        return [f.id for f in self.detail.failed_actions] if self.detail else []

    def _retry_failed(self) -> None:
        ids, ctx = self._failed_ids(), self.ctx
        if ids:
            self._run(self.tr("Retrying"),
                      lambda: _each(outbox_svc.retry_action, ctx, ids))  # fmt: skip

    def _discard_failed(self) -> None:
        ids, ctx = self._failed_ids(), self.ctx
        if ids:
            self._run(self.tr("Discarding"),
                      lambda: _each(outbox_svc.discard_action, ctx, ids))  # fmt: skip

    def _fill_by_hand(self, action: str | None, channel: str) -> None:
        if action == "confirm":
            text = self.tr("Confirm it in %1 Seller Center too: the app cannot confirm %1 orders.")
        elif action == "cancel":
            text = self.tr("Cancel it in %1 Seller Center too: the app cannot cancel %1 orders.")
        else:
            text = ""
        self.by_hand_note.setText(text.replace("%1", channel))
        self.by_hand_note.setVisible(bool(text))

    def _is_marketplace(self) -> bool:
        return self.detail is not None and self.detail.channel.is_marketplace

    def _fill_customer(self, detail: OrderDetail) -> None:
        order, customer = detail.order, detail.customer
        linked = False
        if customer is None:
            # Names as written: a button hides an "&" ("Gốm & Sứ Bát Tràng").
            self.customer_button.setText(button_text(order.buyer_name or "") or self.tr(
                "Walk-in customer"))  # fmt: skip
            self.customer_button.setToolTip(self.tr("Not linked to a customer"))
        elif customer.deleted_at is not None:
            # Nothing to open: the Customers tab no longer lists them.
            self.customer_button.setText(
                self.tr("%1 (deleted)").replace("%1", button_text(customer.name)))  # fmt: skip
            self.customer_button.setToolTip(self.tr("This customer was deleted."))
        elif not self.ctx.actor.can(Module.CUSTOMERS):
            self.customer_button.setText(button_text(customer.name))
            self.customer_button.setToolTip(self.tr("You have no access to Customers."))
        else:
            linked = True
            self.customer_button.setText(button_text(customer.name))
            self.customer_button.setToolTip(self.tr("Open the customer"))
        self.customer_button.setEnabled(linked)
        self.customer_phone.setText(phone_text(order.buyer_phone))
        self.customer_phone.setVisible(bool(order.buyer_phone))
        ship_to = " · ".join(p for p in (order.ship_name, phone_text(order.ship_phone)) if p)
        values = {
            "ship_to": ship_to,
            "address": _address(order),
            "carrier": order.carrier or "",
            "tracking": order.tracking_number or "",
        }
        for key, text in values.items():
            self.ship_values[key].setText(text or DASH)
        self._fill_own_order_actions(order)

    def _fill_own_order_actions(self, order: Order) -> None:
        """Edit… and Change delivery address…: shown on an own order that has not left
        yet; disabled (with why) while a live shipment was made for it as it is."""
        state = OwnOrder(order, (), marketplace_shop=self._is_marketplace())
        editable = state.own and state.open
        self.address_button.setVisible(editable)
        self.edit_button.setVisible(editable)
        self._address_lock = self._edit_lock = None
        if editable:
            self._address_lock = self._lock_text(delivery_svc.address_lock)
            self._edit_lock = self._lock_text(edit_svc.edit_lock)
        self.address_button.setText(self.tr("Change delivery address…"))
        self.address_button.setToolTip(self._address_lock or "")
        if edit_svc.sold_before_today(order, self.ctx.clock.now()):  # that day is closed
            what = self.tr("Sold on an earlier day: only the delivery details, note and "
                           "customer can still change")  # fmt: skip
        else:
            what = self.tr("Change the items, prices, discounts and payment")
        self.edit_button.setToolTip(self._edit_lock or what)
        self._cancel_lock = self._lock_text(svc.cancel_lock) if order.can_cancel() else None
        self.cancel_button.setToolTip(self._cancel_lock or "")
        self._ship_lock = self._ship_lock_text(order)
        self.ship_button.setToolTip(self._ship_lock or "")

    def _ship_lock_text(self, order: Order) -> str | None:
        """Why Ship waits though the status allows it: a live carrier shipment ships the
        order already (shipping it by hand too would ship it twice)."""
        if not order.can_change_to(OrderStatus.SHIPPING):
            return None
        try:
            live = svc.live_shipment(self.ctx, self.order_id)
        except PrimedistError as exc:
            return error_text(exc)
        if live is None:
            return None
        return self.tr(
            "Shipment %1 with the carrier is live: cancel it first to ship the order by hand."
        ).replace("%1", live)

    def _lock_text(self, lock: Callable[[ServiceContext, int], Message | None]) -> str | None:
        try:
            found = lock(self.ctx, self.order_id)
        except PrimedistError as exc:
            return error_text(exc)
        return None if found is None else localize(found)

    def _fill_history(self, history: tuple[HistoryEntry, ...],
                      events: tuple[OrderEvent, ...] = ()) -> None:  # fmt: skip
        """The status changes, with the order's edits and address changes among them."""
        table = self.history_table
        rows: list[HistoryEntry | OrderEvent] = [*history, *events]
        rows.sort(key=lambda r: as_utc(r.changed_at))  # stable: a status change first
        table.setRowCount(len(rows))
        for row, item in enumerate(rows):
            if isinstance(item, OrderEvent):
                self._fill_event(row, item)
                continue
            entry = item
            change = enum_label(entry.to_status)
            if entry.from_status not in (None, entry.to_status):  # same = an event (a return)
                change = f"{enum_label(entry.from_status)} → {change}"
            # The carrier's or the marketplace's word, even when a user asked for it now.
            who = entry.user_name
            if not who or entry.source in EXTERNAL_SOURCES:
                who = _orders(CHANGE_SOURCES.get(entry.source, "System"))
            note = entry.note or ""
            # Older syncs noted the platform's own status code ("PROCESSED"): in the tip only.
            shown = "" if entry.source == "sync" else _history_note(note)
            cells = (
                _item(when_text(entry.changed_at)),
                _item(change),
                _item(who, tip=entry.user_name or ""),
                _item(shown, tip=note),
            )
            for col, cell in enumerate(cells):
                table.setItem(row, col, cell)
        _fit_history_columns(table)
        table.resizeRowsToContents()
        self._show_empty(table, self.history_empty)

    def _fill_event(self, row: int, event: OrderEvent) -> None:
        if event.action == "order.edit":
            what = self.tr("Edited")
            lang = current_language()
            before, after = event.before.get("total"), event.after.get("total")
            note = ""
            if isinstance(before, int) and isinstance(after, int):
                note = (self.tr("Total %1 → %2").replace("%1", format_money(before, lang))
                        .replace("%2", format_money(after, lang)))  # fmt: skip
        else:
            what = self.tr("Delivery address changed")
            parts = (event.after.get(k) for k in ("ship_address", "ship_ward", "ship_district",
                                                  "ship_province"))  # fmt: skip
            note = ", ".join(str(p) for p in parts if p)
        cells = (_item(when_text(event.changed_at)), _item(what),
                 _item(event.user_name or _orders("System")), _item(note, tip=note))  # fmt: skip
        for col, cell in enumerate(cells):
            self.history_table.setItem(row, col, cell)

    @staticmethod
    def _show_empty(table: QTableWidget, note: QLabel) -> None:
        """An empty table gives way to a line that says so; a short one is no taller than
        its rows (the room goes to the other table, not to an empty panel)."""
        empty = table.rowCount() == 0
        table.setVisible(not empty)
        note.setVisible(empty)
        _cap_to_rows(table)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        _fit_history_columns(self.history_table)
        for table in (self.items_table, self.history_table):  # wrapped rows change height
            table.resizeRowsToContents()
            _cap_to_rows(table)

    # ------------------------------------------------------------------ actions

    def _update_actions(self) -> None:
        order = self.detail.order if self.detail is not None else None
        idle = order is not None and not self._busy
        refunds = self._may_refund()
        rules = {
            self.confirm_button: order is not None and order.can_confirm(),
            self.ship_button: order is not None
            and order.can_change_to(OrderStatus.SHIPPING)
            and self._ship_lock is None,
            self.complete_button: order is not None and order.can_change_to(OrderStatus.COMPLETED),
            self.cancel_button: order is not None
            and order.can_cancel()
            and self._cancel_lock is None,
            self.return_button: order is not None and self._returnable() and refunds,
            self.exchange_button: order is not None and self._exchangeable() and refunds,
            self.flag_button: order is not None,
            self.address_button: order is not None and self._address_lock is None,
            self.edit_button: order is not None and self._edit_lock is None,
            self.again_button: order is not None and bool(self.detail and self.detail.lines),
        }
        for button, allowed in rules.items():
            button.setEnabled(idle and allowed)
        flagged = order is not None and order.flagged
        self.flag_button.setText(self.tr("Unflag") if flagged else self.tr("Flag"))
        returnable = order is not None and self._returnable()
        if returnable:
            return_tip = ""
        elif order is not None and order.status == OrderStatus.SHIPPING and not (
                self._is_marketplace()):  # fmt: skip
            # A parcel of the shop's own that comes back undelivered has no return: the
            # order is cancelled, and Cancel says that its items go back into stock.
            return_tip = self.tr("Only completed orders can be returned. If the parcel comes "
                                 "back undelivered, press Cancel order: its items go back "
                                 "into stock.")  # fmt: skip
        else:
            return_tip = self.tr("Only completed orders can be returned.")
        if returnable and not refunds:  # the order could: the user may not
            return_tip = self._refund_right_tip()
        self.return_button.setToolTip(return_tip)
        if order is not None and self._is_marketplace():
            tip = self.tr("A marketplace order is exchanged through its marketplace.")
        elif returnable and not refunds:
            tip = self._refund_right_tip()
        elif returnable:
            tip = self.tr("The customer brings items back and takes others instead")
        else:
            tip = self.tr("Only completed orders can be exchanged.")
        self.exchange_button.setToolTip(tip)

    def _may_refund(self) -> bool:
        """The signed-in user's right "Refunds and returns" as their account stands now
        (read with the order: `OrderDetail.may_refund`)."""
        return self.detail is not None and self.detail.may_refund

    def _refund_right_tip(self) -> str:
        return self.tr("Only the owner, a manager or staff with the right “Refunds and "
                       "returns” may take returns and exchange items.")  # fmt: skip

    def _returnable(self) -> bool:
        assert self.detail is not None
        if self.detail.order.status not in svc.RETURNABLE:
            return False
        return any(line.returned_quantity < line.quantity for line in self.detail.lines)

    def _exchangeable(self) -> bool:
        return not self._is_marketplace() and self._returnable()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_actions()
        self._update_note_button()

    def _run(
        self, title: str, work: Callable[[], object],
        refused: Callable[[BaseException], None] | None = None,
    ) -> None:  # fmt: skip
        """Run a service call in the background, then show the order as it is now; tell the
        list when the call worked (a failure is shown to the user by Op, or `refused`)."""
        if self._busy:
            return
        self._set_busy(True)
        worked: list[bool] = []
        op = Op(self, lambda _job: work(), engine=self.ctx.engine, title=title).success(
            lambda _result: worked.append(True)
        )
        if refused is not None:
            op.failure(refused)
        op.finally_(lambda: self._finish(bool(worked))).run()

    def _finish(self, worked: bool) -> None:
        if not shiboken6.isValid(self):  # closed and deleted meanwhile
            return
        self.reload()  # also after a failure: someone else may have changed the order
        self._set_busy(False)
        if worked:
            self.changed.emit()
            # A confirm, a cancel may have queued the order's action: sent now (the app's
            # scheduler, `DeliverOnChanges`) and counted by the status bar.
            outbox_changed()
        step, self._closing_save = self._closing_save, ""
        if step == "waiting":  # the action running when Save was chosen: now the note
            self._save_and_close()
        elif step == "saving" and worked and not self._unsaved_note():
            super().reject()  # a failed save stays open, the note still typed

    def _after_change(self) -> None:
        if shiboken6.isValid(self):
            self.reload()
            self.changed.emit()

    def _confirm(self) -> None:
        self._run(
            self.tr("Confirming the order"),
            lambda: svc.change_status(self.ctx, self.order_id, OrderStatus.CONFIRMED),
        )

    def _move_to(self, status: OrderStatus) -> None:
        title = self.tr("Updating the order status")
        self._run(title, lambda: svc.change_status(self.ctx, self.order_id, status))

    def _cancel(self) -> None:
        assert self.detail is not None
        # An order imported as history never moved stock: its cancel moves none either.
        restock = self.detail.order.stock_state in (StockState.RESERVED, StockState.CONSUMED)
        reason = ask_cancel_reason(self, note=self._cancel_by_hand_note(), restock=restock)
        if not reason:
            return
        self._run(
            self.tr("Cancelling the order"),
            lambda: svc.change_status(
                self.ctx, self.order_id, OrderStatus.CANCELLED, reason=reason
            ),
        )

    def _cancel_by_hand_note(self) -> str:
        """Said in the cancel dialog, before the user confirms, for a channel the app cannot
        cancel on (Lazada, TikTok Shop, Tiki): the order must be cancelled there too."""
        if self.detail is None or not self._is_marketplace():
            return ""
        if channel_can(self.detail.channel, KIND_ACTIONS["order.cancel"]):
            return ""
        return self.tr(
            "The app cannot cancel orders on %1: after cancelling it here, cancel it in %1 "
            "Seller Center too."
        ).replace("%1", enum_label(self.detail.channel))

    def _toggle_flag(self) -> None:
        assert self.detail is not None
        flagged = not self.detail.order.flagged
        self._run(
            self.tr("Flagging the order"),
            lambda: svc.set_flag(self.ctx, [self.order_id], flagged),
        )

    def _save_note(self) -> None:
        text, loaded = self.note_edit.toPlainText(), self._note_base
        self._run(
            self.tr("Saving the note"),
            lambda: svc.set_staff_note(self.ctx, self.order_id, text, loaded=loaded),
            refused=self._note_refused,
        )

    def _note_refused(self, exc: BaseException) -> None:
        """The note changed on another screen meanwhile: the typed text stays in the
        editor, the note as it is now is shown under it; saved again (merged or not), it
        goes in over that one."""
        if not isinstance(exc, svc.NoteChanged):
            text = failure_text(self, exc)  # anything else: as Op shows it
            if text:
                show_error(self, text)
            return
        self._note_base = exc.current
        now = exc.current or self.tr("(no note)")
        self.note_conflict.setText(
            error_text(exc) + "\n" + self.tr("The note now: %1").replace("%1", now)
        )
        self.note_conflict.show()

    def _save_and_close(self) -> None:
        """Save the typed note (once the action running ends), then close."""
        self._closing_save = "waiting" if self._busy else "saving"
        if not self._busy:
            self._save_note()

    def _unsaved_note(self) -> bool:
        # As the service stores it: a note saved with a stray space is saved, not pending.
        return clean_text(self.note_edit.toPlainText()) != clean_text(self._saved_note)

    def _update_note_button(self) -> None:
        self.save_note_button.setEnabled(self._unsaved_note() and not self._busy)

    def reject(self) -> None:
        """Esc / Close: with a staff note typed and not saved, ask Save / Discard / Cancel
        (Save closes once the note is stored)."""
        if self._unsaved_note():
            save, discard, cancel = (QMessageBox.StandardButton.Save,
                                     QMessageBox.StandardButton.Discard,
                                     QMessageBox.StandardButton.Cancel)  # fmt: skip
            answer = QMessageBox.question(
                self,
                self.tr("Unsaved note"),
                self.tr("The staff note is not saved. Save it before closing?"),
                save | discard | cancel,
                save,
            )
            if answer == save:
                self._save_and_close()
            if answer != discard:
                return
        super().reject()

    def _open_return(self) -> None:
        assert self.detail is not None
        dialog = ReturnDialog(self.ctx, self.detail, self)
        dialog.accepted.connect(self._after_change)
        dialog.finished.connect(dialog.deleteLater)
        self.return_dialog = dialog
        dialog.open()

    def _open_exchange(self) -> None:
        """Exchange (đổi hàng): what comes back, then what is taken instead; saved together."""
        assert self.detail is not None
        self.return_dialog = open_exchange(self, self.ctx, self.detail,
                                           lambda _id: self._after_change())  # fmt: skip

    def _edit_order(self) -> None:
        """The sale form on this order; the detail shows the order again once saved."""
        assert self.detail is not None
        dialog = SaleDialog(self.ctx, self, edit_order_id=self.order_id,
                            edit_number=self.detail.order.external_id)  # fmt: skip
        dialog.orderSaved.connect(lambda _id: self._after_change())
        dialog.finished.connect(dialog.deleteLater)
        self.edit_dialog = dialog
        dialog.open()

    def _order_again(self) -> None:
        """The sale form filled like this order (a new order; the list refreshes)."""
        dialog = SaleDialog(self.ctx, self, repeat_order_id=self.order_id)
        dialog.orderCreated.connect(lambda _id: self.changed.emit())
        dialog.finished.connect(dialog.deleteLater)
        self.again_dialog = dialog
        dialog.open()

    def _edit_address(self) -> None:
        assert self.detail is not None
        order = self.detail.order
        customer = self.detail.customer.name if self.detail.customer else None
        dialog = DeliveryAddressDialog(self.ctx, self.order_id, order.external_id,
                                       delivery_svc.DeliveryAddress.of(order), self,
                                       customer_name=customer)  # fmt: skip
        dialog.accepted.connect(self._after_change)
        dialog.finished.connect(dialog.deleteLater)
        self.address_dialog = dialog
        dialog.open()

    def _open_customer(self) -> None:
        if self.detail is not None and self.detail.customer is not None:
            customer_id = self.detail.customer.id
            if customer_id is not None:
                self.openCustomer.emit(customer_id)
