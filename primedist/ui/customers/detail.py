"""The customer detail: avatar, name, rank, level, code, contact details, addresses (at most
10: an 11th replaces the oldest, said before saving), tags, staff note (never printed),
assigned staff member, source and referrer; statistics for a date range (computed in SQL
on the database worker), order history (double-click opens the order), the account of
sales on account (what the customer owes, Receive payment…: `account_panel`), points
ledger (read-only), referred customers, and "Create order". The header says what the
customer owes, when they do.

Every read and change goes through `services.customer_detail` (Customers permission, audit
rows); changes run on the database worker, then the dialog shows the customer as stored.
Changed elsewhere (another PC, a sync, an order of theirs), the open detail reads them
again in place, or says so with something typed (`ui.detail_follow`).
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QDate, QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QCursor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import as_utc, format_date, shop_tz, to_local
from primedist.core.messages import Label, Message, reread
from primedist.core.money import format_money, format_number
from primedist.domain.customer import MAX_ADDRESSES
from primedist.domain.enums import Gender, OrderStatus, PointsKind, Role
from primedist.errors import PrimedistError
from primedist.services import customer_detail as svc
from primedist.services.changes import RecordStamp, customer_stamp
from primedist.services.context import ServiceContext
from primedist.services.customer_detail import (
    AddressDraft,
    AddressResult,
    CustomerProfile,
    OrderRow,
    PeriodStats,
    PointsRow,
)
from primedist.services.loyalty.points import ORDER_REASONS
from primedist.ui.customers.account_panel import AccountPanel
from primedist.ui.customers.list_page import confirm_delete, success_rate_tip
from primedist.ui.customers.loyalty_panel import PointsAdjustBar, RankPanel
from primedist.ui.detail_follow import (
    FollowNotes,
    FollowTexts,
    RecordFollow,
    change_time_text,
    scroll_kept,
)
from primedist.ui.errors import show_error
from primedist.ui.file_dialogs import PICTURE, ask_open_file
from primedist.ui.formatting import format_success_rate, phone_text, signed_number, when_text
from primedist.ui.i18n import current_language
from primedist.ui.labels import QT_TRANSLATE_NOOP, enum_label
from primedist.ui.messages import error_text, localize
from primedist.ui.ops import Op
from primedist.ui.widgets import align_headers, fit_to_screen

DASH = "—"
AVATAR_SIZE = 64
#: The points ledger's order number column (double-click: the order).
POINTS_ORDER_COLUMN = 4
#: An order number that opens its order (the app's link blue).
LINK_COLOUR = "#2563EB"
#: Orders and points entries read at a time (newest first; "Show more" reads the next).
ORDERS_PAGE = 200
POINTS_PAGE = 500
#: Contact values without spaces to wrap at (shown cut with "…", whole in the tooltip).
ELIDED_CONTACTS = frozenset({"email", "zalo", "facebook"})
#: Circle colours of initials avatars (picked from the name, so a customer keeps theirs).
AVATAR_COLOURS = ("#2563EB", "#059669", "#D97706", "#DC2626", "#7C3AED", "#DB2777", "#0891B2",
                  "#4D7C0F")  # fmt: skip

SOURCE_LABELS: dict[str, str] = {
    "counter": QT_TRANSLATE_NOOP("customers", "Counter"),
    "walk_in": QT_TRANSLATE_NOOP("customers", "Walk-in"),
    "referral": QT_TRANSLATE_NOOP("customers", "Referral"),
    "import": QT_TRANSLATE_NOOP("customers", "Import"),
    "manual": QT_TRANSLATE_NOOP("customers", "Added by hand"),
    "facebook": QT_TRANSLATE_NOOP("customers", "Facebook"),
    "zalo": QT_TRANSLATE_NOOP("customers", "Zalo"),
}

POINTS_KINDS: dict[str, str] = {
    PointsKind.EARN: QT_TRANSLATE_NOOP("customers", "Earned"),
    PointsKind.REDEEM: QT_TRANSLATE_NOOP("customers", "Redeemed"),
    PointsKind.ADJUST: QT_TRANSLATE_NOOP("customers", "Adjusted"),
    PointsKind.REFUND: QT_TRANSLATE_NOOP("customers", "Refunded"),
    PointsKind.EXPIRE: QT_TRANSLATE_NOOP("customers", "Expired"),
}
#: An earn entry that takes points away: the order is no longer successful (or smaller).
REVERSED_KIND = QT_TRANSLATE_NOOP("customers", "Reversed")


def _customers(text: str) -> str:
    return QCoreApplication.translate("customers", text)


def gender_label(gender: Gender | str) -> str:
    return enum_label(gender)


def source_label(source: str | None) -> str:
    if not source:
        return ""
    known = SOURCE_LABELS.get(source)
    if known:
        return _customers(known)
    return enum_label(source)  # a channel code (shopee, lazada, ...)


def points_kind_label(entry: PointsRow) -> str:
    """The kind of a ledger entry; an earn entry taking points back is a reversal."""
    if entry.kind == PointsKind.EARN and entry.delta < 0:
        return _customers(REVERSED_KIND)
    kind = POINTS_KINDS.get(entry.kind)
    return _customers(kind) if kind else str(entry.kind)


def points_reason(reason: str | None) -> str:
    """A ledger reason in the reader's language when the app wrote it (stored in English:
    `points.ORDER_REASONS`); a reason typed by hand is shown as typed."""
    if not reason or current_language() == "en":
        return reason or ""
    return _points_reason_in(reason, current_language())


@functools.lru_cache(maxsize=4096)
def _points_reason_in(reason: str, _language: str) -> str:
    """`points_reason` once per distinct text and language: a customer's ledger repeats
    a few reasons over hundreds of rows, each tried against every template."""
    for template in ORDER_REASONS:
        found = reread(reason, template.template)
        if found is not None:
            values = {k: _reason_value(v) for k, v in found.values.items()}
            return localize(Message(found.template, values))
    return reason


def _reason_value(value: object) -> object:
    """An order status written in words ("return refund") as the status again (shown by
    its label); an order ID read as a number stays the ID as written."""
    text = str(value)
    status = text.replace(" ", "_")
    if status in {s.value for s in OrderStatus}:
        return Label(status)
    return text


def _money(amount: int) -> str:
    return format_money(amount, current_language())


def _percent(rate: float | None) -> str:
    return DASH if rate is None else format_success_rate(rate * 100)


class ClickableLabel(QLabel):
    """A label that says when it is clicked (the avatar: change the picture)."""

    clicked = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


def avatar_colour(name: str) -> QColor:
    return QColor(AVATAR_COLOURS[zlib.crc32(name.encode()) % len(AVATAR_COLOURS)])


def avatar_pixmap(name: str, initials: str, image: str | None, size: int = AVATAR_SIZE) -> QPixmap:
    """The customer's picture in a circle, else their initials on a coloured circle."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    clip = QPainterPath()
    clip.addEllipse(QRectF(0, 0, size, size))
    picture = QPixmap(image) if image and Path(image).is_file() else QPixmap()
    if not picture.isNull():
        painter.setClipPath(clip)
        scaled = picture.scaled(
            size, size, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
            Qt.TransformationMode.SmoothTransformation,
        )  # fmt: skip
        painter.drawPixmap((size - scaled.width()) // 2, (size - scaled.height()) // 2, scaled)
    else:
        painter.fillPath(clip, avatar_colour(name))
        font = QFont()
        font.setPixelSize(size * 2 // 5)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, initials)
    painter.end()
    return pix


#: The most lines a contact value without spaces takes (an email, a link).
MAX_LINES = 3


class ElidedLabel(QLabel):
    """A value without spaces (an email, a Zalo / Facebook ID or link) on one line, or
    broken after its "@" (else a "." or "/") where the card is too narrow, cut with "…"
    only when even `MAX_LINES` lines are too short, the whole of it the tooltip then.
    Unbroken it would widen the contact card's grid past the card (every wrapped value
    beneath it then loses its second line). `text()` is what is shown; `full_text()` what
    was set."""

    def __init__(self) -> None:
        super().__init__()
        self._full = ""

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 2, hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the stylesheet's font, once polished
            self._elide()

    def _lines(self, width: int) -> str:
        fm, full = self.fontMetrics(), self._full

        def fits(part: str) -> bool:
            return fm.horizontalAdvance(part) <= width

        if fits(full):
            return full
        at = full.find("@") + 1
        if 0 < at < len(full) and fits(full[:at]) and fits(full[at:]):
            return f"{full[:at]}\n{full[at:]}"  # the name, then the domain
        # Else each line as long as fits, ending at a break; the last cut if need be.
        lines: list[str] = []
        rest = full
        while len(lines) < MAX_LINES - 1 and not fits(rest):
            breaks = [i + 1 for i, ch in enumerate(rest[:-1]) if ch in "@./_-"]
            cut = max((i for i in breaks if fits(rest[:i])), default=0)
            if not cut:
                break
            lines.append(rest[:cut])
            rest = rest[cut:]
        lines.append(fm.elidedText(rest, Qt.TextElideMode.ElideRight, width))
        return "\n".join(lines)

    def _elide(self) -> None:
        shown = self._lines(self.contentsRect().width())
        if shown != self.text():
            super().setText(shown)
            self.updateGeometry()  # one line or two: the grid gives it their height
        self.setToolTip(self._full if shown.replace("\n", "") != self._full else "")


def _label(name: str = "", *, selectable: bool = False, wrap: bool = False) -> QLabel:
    label = QLabel()
    # Names, addresses and notes come from imports and channels: never as markup.
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(wrap)
    return label


def _table(columns: int, stretch: int, right: tuple[int, ...] = ()) -> QTableWidget:
    table = QTableWidget(0, columns)
    align_headers(table, right)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _item(text: str, *, right: bool = False, key: int | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if key is not None:
        item.setData(Qt.ItemDataRole.UserRole, key)
    return item


def _more_row(name: str, more: Callable[[], None]) -> tuple[QLabel, QPushButton, QHBoxLayout]:
    """Under a long history: "Showing the newest 200 of 214 …" and "Show 14 more"."""
    label = _label("muted")
    label.setObjectName(f"{name}Label")
    button = QPushButton()
    button.setObjectName(f"{name}Button")
    button.setAutoDefault(False)
    button.clicked.connect(more)
    row = QHBoxLayout()
    row.addWidget(label, 1)
    row.addWidget(button)
    label.hide()
    button.hide()
    return label, button, row


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class AddressDialog(QDialog):
    """A new delivery address: recipient, phone, street, ward, district, province."""

    FIELDS = ("recipient", "phone", "street", "ward", "district", "province")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addressDialog")
        self.setWindowTitle(self.tr("Add address"))
        form = QFormLayout(self)
        labels = (self.tr("Recipient"), self.tr("Phone"), self.tr("Street, house number"),
                  self.tr("Ward / commune"), self.tr("District (old addresses)"),
                  self.tr("Province / city"))  # fmt: skip
        self.edits: dict[str, QLineEdit] = {}
        for key, text in zip(self.FIELDS, labels, strict=True):
            edit = QLineEdit()
            edit.setObjectName(f"address_{key}")
            self.edits[key] = edit
            form.addRow(text, edit)
        self.default_box = QCheckBox(self.tr("Default delivery address"))
        form.addRow(self.default_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("primaryButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter goes on to the next field; only in the last one does it add the address.
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        edits = list(self.edits.values())
        focus = self.focusWidget()
        if enter and focus in edits[:-1]:
            edits[edits.index(focus) + 1].setFocus()
            return
        super().keyPressEvent(event)

    def draft(self) -> AddressDraft:
        values = {k: (e.text().strip() or None) for k, e in self.edits.items()}
        return AddressDraft(**values, is_default=self.default_box.isChecked())


class CustomerDetailDialog(QDialog):
    """Everything about one customer (see the module docstring)."""

    #: After any saved change (the list refreshes).
    changed = Signal()
    #: An order of the history was double-clicked.
    openOrder = Signal(int)
    #: "Create order" for this customer.
    createOrder = Signal(int)

    def __init__(
        self, ctx: ServiceContext, customer_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.profile: CustomerProfile | None = None
        self.stats: PeriodStats | None = None
        self.stats_loading = False
        self.editor: QDialog | None = None
        self._busy = False
        self._saved_note = ""
        self._orders: list[OrderRow] = []
        self._orders_total = 0
        self._points: list[PointsRow] = []
        self._points_total = 0
        self.address_dialog: QDialog | None = None
        # Reads the customer's stamp on the database worker: the context and the id only.
        self.follow = RecordFollow(self, functools.partial(customer_stamp, ctx, customer_id),
                                   ctx.clock.now)  # fmt: skip
        self.follow.moved.connect(self._changed_elsewhere)
        self.setObjectName("customerDetail")
        self.setSizeGripEnabled(True)
        fit_to_screen(self, 1040, 720)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 14, 18, 14)
        outer.setSpacing(10)
        outer.addLayout(self._build_header())
        # Only once in the dialog: shown before, the button would open as its own window.
        self.delete_button.setVisible(self.ctx.actor.role in (Role.OWNER, Role.MANAGER))
        self.message = _label("messageBar", wrap=True)
        self.message.hide()
        outer.addWidget(self.message)
        self.followed_note = _label("muted", wrap=True)
        self.follow_notes = FollowNotes(self.followed_note, self._follow_texts)
        self.changed_banner = self.follow_notes.banner
        self.changed_banner.reload_button.clicked.connect(self._reload_changed)
        outer.addWidget(self.changed_banner)
        outer.addWidget(self.followed_note)
        body = QHBoxLayout()
        body.setSpacing(12)
        body.addWidget(self._build_contact(), 0)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("customerTabs")
        self.tabs.addTab(self._build_stats(), "")
        self.tabs.addTab(self._build_orders(), "")
        self.account_panel = AccountPanel(ctx, customer_id)
        self.account_panel.changed.connect(self._account_changed)
        self.account_panel.openOrder.connect(self.openOrder)
        self.tabs.addTab(self.account_panel, "")
        self.tabs.addTab(self._build_addresses(), "")
        self.tabs.addTab(self._build_tags_note(), "")
        self.tabs.addTab(self._build_points(), "")
        self.tabs.addTab(self._build_referred(), "")
        self.rank_panel = RankPanel(ctx, customer_id)
        self.rank_panel.changed.connect(self._loyalty_changed)
        self.tabs.addTab(self.rank_panel, "")
        body.addWidget(self.tabs, 1)
        outer.addLayout(body, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.close_button = QPushButton()
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close)
        row.addWidget(self.close_button)
        outer.addLayout(row)
        self._retranslate()
        self.reload()
        self.load_stats()
        # Not the first button of the header (Delete…: Space would ask to delete).
        self.close_button.setFocus()

    # ------------------------------------------------------------------ building

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(12)
        self.avatar = ClickableLabel()
        self.avatar.setObjectName("customerAvatar")
        self.avatar.setFixedSize(AVATAR_SIZE, AVATAR_SIZE)
        self.avatar.setCursor(Qt.CursorShape.PointingHandCursor)
        self.avatar.clicked.connect(lambda: self.avatar_menu().popup(QCursor.pos()))
        row.addWidget(self.avatar)
        names = QVBoxLayout()
        names.setSpacing(2)
        self.name_label = _label("customerName", selectable=True)
        self.meta_label = _label("muted", selectable=True)
        self.owed_label = _label("flagMarker", selectable=True)
        self.owed_label.hide()
        names.addWidget(self.name_label)
        names.addWidget(self.meta_label)
        names.addWidget(self.owed_label)
        row.addLayout(names, 1)
        self.edit_button = QPushButton()
        self.edit_button.setObjectName("actionButton")
        self.edit_button.setAutoDefault(False)
        self.edit_button.clicked.connect(self.open_editor)
        self.create_order_button = QPushButton()
        self.create_order_button.setObjectName("primaryButton")
        self.create_order_button.setAutoDefault(False)
        self.create_order_button.clicked.connect(lambda: self.createOrder.emit(self.customer_id))
        self.delete_button = QPushButton()
        self.delete_button.setObjectName("deleteCustomer")
        self.delete_button.setAutoDefault(False)
        self.delete_button.clicked.connect(self.delete_customer)
        row.addWidget(self.delete_button)
        row.addWidget(self.edit_button)
        row.addWidget(self.create_order_button)
        return row

    def _build_contact(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("detailCard")
        frame.setFixedWidth(280)  # the eight tabs beside it stay in view (1040 px wide)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(14, 12, 14, 12)
        self.contact_title = _label("sectionTitle")
        layout.addWidget(self.contact_title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.contact_keys = ("phones", "email", "zalo", "facebook", "gender", "birthday",
                             "source", "referrer", "created", "points")  # fmt: skip
        self.contact_captions: dict[str, QLabel] = {}
        self.contact_values: dict[str, QLabel] = {}
        for n, key in enumerate(self.contact_keys):
            caption, value = _label("muted"), self._contact_value(key)
            caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            value.setObjectName(f"contact_{key}")
            self.contact_captions[key], self.contact_values[key] = caption, value
            grid.addWidget(caption, n, 0)
            grid.addWidget(value, n, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        layout.addSpacing(8)
        self.staff_caption = _label("sectionTitle")
        self.staff_combo = QComboBox()
        self.staff_combo.setObjectName("assignedStaff")
        self.staff_combo.activated.connect(self._staff_chosen)
        layout.addWidget(self.staff_caption)
        layout.addWidget(self.staff_combo)
        layout.addStretch(1)
        return frame

    @staticmethod
    def _contact_value(key: str) -> QLabel:
        """A value of the contact card: wrapped at spaces (the grid gives it the height of
        its lines), an email or Zalo / Facebook ID cut with "…" instead."""
        if key not in ELIDED_CONTACTS:
            return _label(selectable=True, wrap=True)
        value = ElidedLabel()
        value.setTextFormat(Qt.TextFormat.PlainText)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return value

    def _build_stats(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        self.from_caption, self.to_caption = QLabel(), QLabel()
        today = to_local(self.ctx.clock.now(), shop_tz()).date()
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit, day in ((self.date_from, today - timedelta(days=365)), (self.date_to, today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setDate(_qdate(day))
        self.date_from.setObjectName("statsFrom")
        self.date_to.setObjectName("statsTo")
        self.stats_button = QPushButton()
        self.stats_button.setObjectName("actionButton")
        self.stats_button.setAutoDefault(False)
        self.stats_button.clicked.connect(self.load_stats)
        for w in (self.from_caption, self.date_from, self.to_caption, self.date_to,
                  self.stats_button):  # fmt: skip
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        self.stat_keys = ("total_orders", "successful", "expenses", "average", "success_rate")
        self.stat_captions: dict[str, QLabel] = {}
        self.stat_values: dict[str, QLabel] = {}
        for col, key in enumerate(self.stat_keys):
            caption, value = _label("muted"), _label("statValue", selectable=True)
            value.setProperty("stat", key)
            self.stat_captions[key], self.stat_values[key] = caption, value
            grid.addWidget(caption, 0, col)
            grid.addWidget(value, 1, col)
        layout.addLayout(grid)
        self.by_status_title = _label("sectionTitle")
        layout.addWidget(self.by_status_title)
        self.status_table = _table(2, 0, right=(1,))
        self.status_table.setObjectName("ordersByStatus")
        self.status_table.setRowCount(len(OrderStatus))
        layout.addWidget(self.status_table, 1)
        return page

    def _build_orders(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.orders_hint = _label("muted")
        self.orders_table = _table(5, 1, right=(4,))
        self.orders_table.setObjectName("customerOrders")
        self.orders_table.cellDoubleClicked.connect(self._order_double_clicked)
        self.orders_empty = _label("muted")
        layout.addWidget(self.orders_hint)
        layout.addWidget(self.orders_empty)
        layout.addWidget(self.orders_table, 1)
        self.orders_more_label, self.orders_more_button, row = _more_row(
            "ordersMore", self.show_more_orders
        )
        layout.addLayout(row)
        return page

    def _build_addresses(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.address_count = _label("muted")
        self.address_list = QListWidget()
        self.address_list.setObjectName("addressList")
        # Each address is two lines: banded and spaced so one never runs into the next.
        self.address_list.setAlternatingRowColors(True)
        self.address_list.setSpacing(3)
        self.address_list.itemSelectionChanged.connect(self._update_buttons)
        row = QHBoxLayout()
        self.add_address_button = QPushButton()
        self.add_address_button.setObjectName("actionButton")
        self.add_address_button.setAutoDefault(False)
        self.add_address_button.clicked.connect(self._ask_address)
        self.remove_address_button = QPushButton()
        self.remove_address_button.setObjectName("dangerButton")
        self.remove_address_button.setAutoDefault(False)
        self.remove_address_button.clicked.connect(self.remove_selected_address)
        row.addWidget(self.add_address_button)
        row.addWidget(self.remove_address_button)
        row.addStretch(1)
        layout.addWidget(self.address_count)
        layout.addWidget(self.address_list, 1)
        layout.addLayout(row)
        return page

    def _build_tags_note(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.tags_title = _label("sectionTitle")
        self.tag_list = QListWidget()
        self.tag_list.setObjectName("customerTags")
        self.tag_list.itemChanged.connect(lambda _i: self._update_buttons())
        self.save_tags_button = QPushButton()
        self.save_tags_button.setObjectName("actionButton")
        self.save_tags_button.setAutoDefault(False)
        self.save_tags_button.clicked.connect(self.save_tags)
        top = QHBoxLayout()
        top.addWidget(self.tags_title, 1)
        top.addWidget(self.save_tags_button)
        layout.addLayout(top)
        layout.addWidget(self.tag_list, 1)
        note_top = QHBoxLayout()
        self.note_title = _label("sectionTitle")
        self.note_hint = _label("muted")
        self.save_note_button = QPushButton()
        self.save_note_button.setObjectName("actionButton")
        self.save_note_button.setAutoDefault(False)
        self.save_note_button.clicked.connect(self.save_note)
        note_top.addWidget(self.note_title)
        note_top.addWidget(self.note_hint, 1)
        note_top.addWidget(self.save_note_button)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("staffNote")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(90)
        self.note_edit.textChanged.connect(self._update_buttons)
        layout.addLayout(note_top)
        layout.addWidget(self.note_edit)
        return page

    def _build_points(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.points_summary = _label(selectable=True)
        self.points_hint = _label("muted", wrap=True)
        self.points_table = _table(6, 5, right=(2, 3))
        self.points_table.setObjectName("pointsLedger")
        self.points_table.cellDoubleClicked.connect(self._points_order_double_clicked)
        layout.addWidget(self.points_summary)
        layout.addWidget(self.points_hint)
        self.points_adjust = PointsAdjustBar(self.ctx, self.customer_id)
        self.points_adjust.adjusted.connect(lambda _balance: self._loyalty_changed())
        layout.addWidget(self.points_adjust)
        layout.addWidget(self.points_table, 1)
        self.points_more_label, self.points_more_button, row = _more_row(
            "pointsMore", self.show_more_points
        )
        layout.addLayout(row)
        return page

    def _build_referred(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.referred_table = _table(5, 1, right=(2, 3))
        self.referred_table.setObjectName("referredCustomers")
        self.referred_empty = _label("muted")
        layout.addWidget(self.referred_empty)
        layout.addWidget(self.referred_table, 1)
        return page

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            if self.profile is not None:
                self._fill()
            self._fill_stats()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.avatar.setToolTip(self.tr("Click to choose or remove the customer's picture"))
        self.edit_button.setText(self.tr("Edit…"))
        self.delete_button.setText(self.tr("Delete…"))
        self.create_order_button.setText(self.tr("Create order"))
        self.close_button.setText(self.tr("Close"))
        self.changed_banner.reload_button.setText(self.tr("Reload"))
        self.follow_notes.say()
        for index, text in enumerate(
            (self.tr("Statistics"), self.tr("Orders"), self.tr("Account"), self.tr("Addresses"),
             self.tr("Tags and note"), self.tr("Points"), self.tr("Referrals"),
             self.tr("Rank"))
        ):  # fmt: skip
            self.tabs.setTabText(index, text)
        self.tabs.setTabToolTip(
            self.tabs.indexOf(self.account_panel),
            self.tr("Sales on account: what the customer owes, and their payments"),
        )
        self.owed_label.setToolTip(self.tr("For sales on account (the Account tab)"))
        self.contact_title.setText(self.tr("Contact"))
        captions = (self.tr("Phones"), self.tr("Email"), self.tr("Zalo"), self.tr("Facebook"),
                    self.tr("Gender"), self.tr("Birthday"), self.tr("Source"),
                    self.tr("Referred by"), self.tr("Customer since"),
                    self.tr("Points"))  # fmt: skip
        for key, text in zip(self.contact_keys, captions, strict=True):
            self.contact_captions[key].setText(text)
        self.staff_caption.setText(self.tr("Assigned staff member"))
        self.from_caption.setText(self.tr("From"))
        self.to_caption.setText(self.tr("to"))
        self.stats_button.setText(self.tr("Show"))
        stat_captions = (self.tr("Orders"), self.tr("Successful orders"),
                         self.tr("Total spent"), self.tr("Average order value"),
                         self.tr("Success rate"))  # fmt: skip
        for key, text in zip(self.stat_keys, stat_captions, strict=True):
            self.stat_captions[key].setText(text)
        for widget in (self.stat_captions["success_rate"], self.stat_values["success_rate"]):
            widget.setToolTip(success_rate_tip())
        self.by_status_title.setText(self.tr("Orders by status"))
        self.status_table.setHorizontalHeaderLabels([self.tr("Status"), self.tr("Orders")])
        self.orders_hint.setText(self.tr("Double-click an order to open it."))
        self.orders_empty.setText(self.tr("This customer has no orders yet."))
        self.orders_table.setHorizontalHeaderLabels(
            [self.tr("Order date"), self.tr("Order ID"), self.tr("Shop"), self.tr("Status"),
             self.tr("Total")]
        )  # fmt: skip
        self.add_address_button.setText(self.tr("Add address…"))
        self.remove_address_button.setText(self.tr("Remove"))
        self.tags_title.setText(self.tr("Tags"))
        self.save_tags_button.setText(self.tr("Save tags"))
        self.note_title.setText(self.tr("Staff note"))
        self.note_hint.setText(self.tr("only staff see it, never printed"))
        self.note_edit.setPlaceholderText(self.tr("A note for the team about this customer"))
        self.save_note_button.setText(self.tr("Save note"))
        self.points_hint.setText(
            self.tr(
                "Earned from successful orders (Settings → Points), taken back when an "
                "order is cancelled or returned, redeemed in Create order."
            )
        )
        self.points_table.setHorizontalHeaderLabels(
            [self.tr("When"), self.tr("Kind"), self.tr("Points"), self.tr("Balance"),
             self.tr("Order"), self.tr("Reason")]
        )  # fmt: skip
        self.referred_empty.setText(self.tr("Nobody was referred by this customer."))
        self.referred_table.setHorizontalHeaderLabels(
            [self.tr("Code"), self.tr("Name"), self.tr("Orders"), self.tr("Total spent"),
             self.tr("Created")]
        )  # fmt: skip

    # ------------------------------------------------------------------ loading

    def reload(self) -> bool:
        """Read the customer again (profile, orders, ledger, referred) and show it; False
        when they could not be read (the user was told why)."""
        try:
            self.follow.mark_shown()  # first: a change between the reads is seen
            self.profile = svc.customer_profile(self.ctx, self.customer_id)
            # As many as shown (more may have been asked for), each list paged in SQL.
            self._orders = svc.customer_orders(
                self.ctx, self.customer_id, max(ORDERS_PAGE, len(self._orders))
            )
            self._orders_total = svc.count_customer_orders(self.ctx, self.customer_id)
            self._points = svc.points_ledger(
                self.ctx, self.customer_id, max(POINTS_PAGE, len(self._points))
            )
            self._points_total = svc.count_points_entries(self.ctx, self.customer_id)
            self._referred = svc.referred_customers(self.ctx, self.customer_id)
        except PrimedistError as exc:
            show_error(self, error_text(exc))
            return False
        self.account_panel.reload()
        note = self.profile.note
        if self.note_edit.toPlainText() == self._saved_note:  # keep what is being typed
            self.note_edit.setPlainText(note)
        self._saved_note = note
        self.follow_notes.clear()  # what is shown is the customer as stored
        self._fill()
        return True

    # ------------------------------------------------------------------ changed elsewhere

    def _changed_elsewhere(self, stamp: RecordStamp) -> None:
        """Another PC, a sync, an order of theirs changed the customer (`RecordFollow`):
        read them again in place (the tab shown and the lists' places kept; the statistics
        too), or, with a note or tags not saved or an editor open, the banner says so and
        Reload is the user's (nothing typed is lost)."""
        if self._busy or self.profile is None:
            return  # the change running reads the customer again when it ends
        at = change_time_text(self.follow.changed_at(stamp), self.ctx.clock.now())
        on = self.follow.changed_on(stamp)
        if self.follow_notes.react(stamp, at, unsaved=self._unsaved_input(), on=on):
            self._reload_followed(at, on)

    def _unsaved_input(self) -> bool:
        """The note or the tags changed here and not saved, or the editor or a new
        address open over the customer."""
        typed = self.note_edit.toPlainText().strip() != self._saved_note.strip()
        open_over = (self.editor, self.address_dialog)
        over = any(d is not None and shiboken6.isValid(d) and d.isVisible() for d in open_over)
        return typed or over or self.ticked_tags() != self._stored_tags()

    def _reload_followed(self, at: str, on: str) -> None:
        lists = (self.orders_table, self.points_table, self.referred_table, self.address_list,
                 self.account_panel.table, self.rank_panel.history)  # fmt: skip
        with scroll_kept(*lists):
            read = self.reload()
        if not read:
            return
        if not self.rank_panel.busy:
            self.rank_panel.reload()
        start, end = self.stats_range()
        if not self.stats_loading and start <= end:
            self.load_stats()
        self.follow_notes.read_again(at, on)

    def _reload_changed(self) -> None:
        """Reload of the banner: the customer as stored now, the typed note kept."""
        if not self._busy and not self.follow_notes.gone:
            notes = self.follow_notes
            self._reload_followed(notes.banner_at, notes.banner_on)

    def _follow_texts(self) -> FollowTexts:
        """`FollowNotes`' words: read again, changed with something typed, gone; the first
        two naming the PC ("%1" the PC, "%2" the time)."""
        return FollowTexts(self.tr("Updated with a change made elsewhere at %1."),
                           self.tr("This customer was changed elsewhere at %1."),
                           self.tr("This customer no longer exists: they were deleted or "
                                   "merged elsewhere."),
                           self.tr("Updated with a change made on %1 at %2."),
                           self.tr("This customer was changed on %1 at %2."))  # fmt: skip

    def _fill(self) -> None:
        p = self.profile
        assert p is not None
        lang = current_language()
        self.setWindowTitle(self.tr("Customer %1").replace("%1", f"{p.name} ({p.code})"))
        self.avatar.setPixmap(avatar_pixmap(p.name, p.initials, p.avatar_path))
        self.name_label.setText(p.name)
        meta = [enum_label(p.rank)]
        if p.level:
            meta.append(p.level)
        meta.append(p.code)
        self.meta_label.setText(" · ".join(meta))
        referrer = f"{p.referrer.name} ({p.referrer.code})" if p.referrer else ""
        points = self.tr("%1 remaining / %2 earned")
        values = {
            # Spaced as on the lists and the sale ("0909 023 788"), one a line; copied so,
            # a number still dials, and a search finds it.
            "phones": "\n".join(phone_text(phone) for phone in p.phones),
            "email": p.email or "",
            "zalo": p.zalo_id or "",
            "facebook": p.facebook_id or "",
            "gender": gender_label(p.gender) if p.gender != Gender.UNKNOWN else "",
            "birthday": format_date(p.birthday, lang) if p.birthday else "",
            "source": source_label(p.source),
            "referrer": referrer,
            "created": format_date(as_utc(p.created_at), lang),
            "points": points.replace("%1", format_number(p.points_balance, lang)).replace(
                "%2", format_number(p.points_earned, lang)
            ),
        }
        for key, text in values.items():
            self.contact_values[key].setText(text or DASH)
        self._fill_staff(p)
        self._fill_orders()
        self._fill_addresses(p)
        self._fill_tags(p)
        self._fill_points(p)
        self._fill_referred()
        self.account_panel.customer_name = p.name
        self._fill_owed()
        self._update_buttons()

    def _fill_owed(self) -> None:
        """The header's "Owes …" (hidden when the customer owes nothing)."""
        balance = self.account_panel.balance
        owed = balance.owed if balance is not None else 0
        self.owed_label.setText(self.tr("Owes %1").replace("%1", _money(owed)) if owed > 0 else "")
        self.owed_label.setVisible(owed > 0)

    def _fill_staff(self, p: CustomerProfile) -> None:
        combo = self.staff_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("Nobody"), None)
        for s in p.staff:
            combo.addItem(s.name, s.id)
        index = combo.findData(p.assigned_user_id) if p.assigned_user_id is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _fill_orders(self) -> None:
        table = self.orders_table
        table.setRowCount(len(self._orders))
        for row, o in enumerate(self._orders):
            cells = (_item(when_text(o.created_at), key=o.id), _item(o.external_id), _item(o.shop),
                     _item(enum_label(o.status)), _item(_money(o.total), right=True))  # fmt: skip
            for col, cell in enumerate(cells):
                table.setItem(row, col, cell)
        empty = not self._orders
        table.setVisible(not empty)
        self.orders_hint.setVisible(not empty)
        self.orders_empty.setVisible(empty)
        self._show_more(self.orders_more_label, self.orders_more_button, len(self._orders),
                        self._orders_total, ORDERS_PAGE,
                        self.tr("Showing the newest %1 of %2 orders."))  # fmt: skip

    def _show_more(self, label: QLabel, button: QPushButton, shown: int, total: int,
                   page: int, text: str) -> None:  # fmt: skip
        """Say how many of how many rows are shown, with "Show N more" (hidden when all
        are)."""
        lang = current_language()
        left = total - shown
        label.setText(text.replace("%1", format_number(shown, lang))
                      .replace("%2", format_number(total, lang)))  # fmt: skip
        button.setText(self.tr("Show %1 more").replace("%1", format_number(min(left, page), lang)))
        for widget in (label, button):
            widget.setVisible(shown > 0 and left > 0)

    def show_more_orders(self) -> None:
        """The next page of older orders under those shown."""
        if not self._orders:
            return
        try:
            more = svc.customer_orders(self.ctx, self.customer_id, ORDERS_PAGE,
                                       after=self._orders[-1])  # fmt: skip
        except PrimedistError as exc:
            show_error(self, error_text(exc))
            return
        self._orders.extend(more)
        self._orders_total = max(self._orders_total, len(self._orders))
        self._fill_orders()

    def show_more_points(self) -> None:
        """The next page of older points entries under those shown."""
        if not self._points or self.profile is None:
            return
        try:
            more = svc.points_ledger(self.ctx, self.customer_id, POINTS_PAGE,
                                     after=self._points[-1])  # fmt: skip
        except PrimedistError as exc:
            show_error(self, error_text(exc))
            return
        self._points.extend(more)
        self._points_total = max(self._points_total, len(self._points))
        self._fill_points(self.profile)

    def _fill_addresses(self, p: CustomerProfile) -> None:
        self.address_list.clear()
        for a in p.addresses:
            who = " · ".join(x for x in (a.recipient, phone_text(a.phone)) if x)
            text = a.one_line() + (f"\n{who}" if who else "")
            if a.is_default:
                text = f"★ {text}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            if a.is_default:
                item.setToolTip(self.tr("Default delivery address"))
            self.address_list.addItem(item)
        self.address_count.setText(
            self.tr("%1 of at most %2 addresses; adding one more replaces the oldest.")
            .replace("%1", str(len(p.addresses)))
            .replace("%2", str(MAX_ADDRESSES))
        )

    def _fill_tags(self, p: CustomerProfile) -> None:
        self.tag_list.blockSignals(True)
        self.tag_list.clear()
        for t in p.tags:
            item = QListWidgetItem(t.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if t.ticked else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.tag_list.addItem(item)
        self.tag_list.blockSignals(False)

    def _fill_points(self, p: CustomerProfile) -> None:
        lang = current_language()
        self.points_summary.setText(
            self.tr("Remaining %1 · total earned %2")
            .replace("%1", format_number(p.points_balance, lang))
            .replace("%2", format_number(p.points_earned, lang))
        )
        table = self.points_table
        table.setRowCount(len(self._points))
        for row, e in enumerate(self._points):
            cells = (_item(when_text(e.created_at)), _item(points_kind_label(e)),
                     _item(signed_number(e.delta, lang), right=True),
                     _item(format_number(e.balance_after, lang), right=True),
                     self._order_link(e), _item(points_reason(e.reason)))  # fmt: skip
            for col, cell in enumerate(cells):
                table.setItem(row, col, cell)
        self._show_more(self.points_more_label, self.points_more_button, len(self._points),
                        self._points_total, POINTS_PAGE,
                        self.tr("Showing the newest %1 of %2 points entries."))  # fmt: skip

    def _fill_referred(self) -> None:
        lang = current_language()
        table = self.referred_table
        table.setRowCount(len(self._referred))
        for row, r in enumerate(self._referred):
            cells = (_item(r.code, key=r.id), _item(r.name),
                     _item(format_number(r.total_orders, lang), right=True),
                     _item(_money(r.total_expenses), right=True),
                     _item(format_date(as_utc(r.created_at), lang)))  # fmt: skip
            for col, cell in enumerate(cells):
                table.setItem(row, col, cell)
        empty = not self._referred
        table.setVisible(not empty)
        self.referred_empty.setVisible(empty)

    # ------------------------------------------------------------------ statistics

    def stats_range(self) -> tuple[date, date]:
        return _pydate(self.date_from.date()), _pydate(self.date_to.date())

    def set_stats_range(self, start: date, end: date) -> None:
        self.date_from.setDate(_qdate(start))
        self.date_to.setDate(_qdate(end))

    def load_stats(self) -> None:
        """Compute the statistics of the chosen range on the database worker."""
        start, end = self.stats_range()
        if end < start:
            self.show_message(self.tr("The end date is before the start date."))
            return
        ctx, cid = self.ctx, self.customer_id
        self.stats_loading = True
        self.stats_button.setEnabled(False)
        Op(
            self,
            lambda _job: svc.customer_period_stats(ctx, cid, start, end),
            engine=ctx.engine,
            title=self.tr("Customer statistics"),
        ).success(self._stats_loaded).finally_(self._stats_done).run()

    def _stats_loaded(self, stats: PeriodStats) -> None:
        if shiboken6.isValid(self):
            self.stats = stats
            self._fill_stats()

    def _stats_done(self) -> None:
        if shiboken6.isValid(self):
            self.stats_loading = False
            self.stats_button.setEnabled(True)

    def _fill_stats(self) -> None:
        st = self.stats
        lang = current_language()
        if st is None:
            for value in self.stat_values.values():
                value.setText(DASH)
            return
        avg = st.average_order_value
        values = {
            "total_orders": format_number(st.total_orders, lang),
            "successful": format_number(st.successful_orders, lang),
            "expenses": _money(st.total_expenses),
            "average": DASH if avg is None else _money(avg),
            "success_rate": _percent(st.success_rate),
        }
        for key, text in values.items():
            self.stat_values[key].setText(text)
        for row, status in enumerate(OrderStatus):
            self.status_table.setItem(row, 0, _item(enum_label(status)))
            count = format_number(st.by_status.get(status, 0), lang)
            self.status_table.setItem(row, 1, _item(count, right=True))

    # ------------------------------------------------------------------ changes

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _update_buttons(self) -> None:
        idle = not self._busy and self.profile is not None
        self.save_note_button.setEnabled(
            idle and self.note_edit.toPlainText().strip() != self._saved_note.strip()
        )
        self.save_tags_button.setEnabled(idle and self.ticked_tags() != self._stored_tags())
        self.add_address_button.setEnabled(idle)
        self.remove_address_button.setEnabled(idle and bool(self.address_list.selectedItems()))
        self.staff_combo.setEnabled(idle)
        self.edit_button.setEnabled(idle)
        self.delete_button.setEnabled(idle)

    def _stored_tags(self) -> list[int]:
        return sorted(t.id for t in self.profile.tags if t.ticked) if self.profile else []

    def ticked_tags(self) -> list[int]:
        ids = []
        for row in range(self.tag_list.count()):
            item = self.tag_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return sorted(ids)

    def _run(
        self, title: str, work: Callable[[], object], done: Callable[[object], None] | None = None
    ) -> None:
        """A change on the database worker; then the customer as stored; `changed` when it
        worked (a failure is shown by Op)."""
        if self._busy:
            return
        self._busy = True
        self._update_buttons()
        results: list[object] = []
        Op(self, lambda _job: work(), engine=self.ctx.engine, title=title).success(
            results.append
        ).finally_(lambda: self._finish(results, done)).run()

    def _finish(self, results: list[object], done: Callable[[object], None] | None) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.reload()  # also after a failure: the customer as it is now
        self._update_buttons()
        if results:
            if done is not None:
                done(results[0])
            self.changed.emit()

    def _account_changed(self) -> None:
        """A payment was received or cancelled (the panel shows it already)."""
        if shiboken6.isValid(self):
            self._fill_owed()
            try:  # what they owe is shown as it is: not a change made elsewhere
                self.follow.mark_shown()
            except PrimedistError:
                pass  # the next change read says what is wrong
            self.changed.emit()

    def _loyalty_changed(self) -> None:
        self.reload()
        self.changed.emit()

    def delete_customer(self) -> None:
        """Ask, delete, close (the list refreshes); a customer who owes money stays and
        the message says why."""
        if self._busy or not confirm_delete(self, 1):
            return
        from primedist.services.customer_delete import delete_customers

        ctx, cid = self.ctx, self.customer_id
        self._busy = True
        self._update_buttons()

        def done(report: Any) -> None:
            if not shiboken6.isValid(self):
                return
            if report.deleted:
                self.changed.emit()
                self.accept()
            else:
                self.show_message(localize(report.summary()))

        def settled() -> None:  # also after a failure (Op shows it)
            if shiboken6.isValid(self):
                self._busy = False
                self._update_buttons()

        op = Op(self, lambda _job: delete_customers(ctx, [cid]), engine=ctx.engine,
                title=self.tr("Deleting the customer"))  # fmt: skip
        op.success(done).finally_(settled).run()

    def avatar_menu(self) -> QMenu:
        """Choose a picture… / Remove the picture (when there is one)."""
        menu = QMenu(self)
        menu.setObjectName("avatarMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(self.tr("Choose a picture…")).triggered.connect(self.pick_avatar)
        remove = menu.addAction(self.tr("Remove the picture"))
        remove.setEnabled(bool(self.profile and self.profile.avatar_path))
        remove.triggered.connect(lambda: self.set_avatar(None))
        return menu

    def pick_avatar(self) -> None:
        path = ask_open_file(
            self, self.ctx, PICTURE, self.tr("Choose the customer's picture"),
            self.tr("Pictures (*.jpg *.jpeg *.png *.webp *.gif *.bmp)"),
        )  # fmt: skip
        if path is not None:
            self.set_avatar(str(path))

    def set_avatar(self, path: str | None) -> None:
        """Save `path` as the customer's picture (None: remove it)."""
        from primedist.services.customer_avatar import set_avatar

        ctx, cid = self.ctx, self.customer_id
        done = self.tr("Picture saved.") if path else self.tr("Picture removed.")
        self._run(self.tr("Saving the picture"), lambda: set_avatar(ctx, cid, path),
                  lambda _r: self.show_message(done))  # fmt: skip

    def save_note(self) -> None:
        text = self.note_edit.toPlainText()
        ctx, cid = self.ctx, self.customer_id
        self._run(self.tr("Saving the note"), lambda: svc.set_note(ctx, cid, text),
                  lambda _r: self.show_message(self.tr("Note saved.")))  # fmt: skip

    def save_tags(self) -> None:
        ids = self.ticked_tags()
        ctx, cid = self.ctx, self.customer_id
        self._run(self.tr("Saving the tags"), lambda: svc.set_tags(ctx, cid, ids),
                  lambda _r: self.show_message(self.tr("Tags saved.")))  # fmt: skip

    def _staff_chosen(self, index: int) -> None:
        user_id = self.staff_combo.itemData(index)
        self.assign_staff(None if user_id is None else int(user_id))

    def assign_staff(self, user_id: int | None) -> None:
        ctx, cid = self.ctx, self.customer_id
        self._run(self.tr("Assigning the customer"), lambda: svc.assign_staff(ctx, cid, user_id))

    def _ask_address(self) -> None:
        dialog = AddressDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.add_address(dialog.draft()))
        self.address_dialog = dialog
        dialog.open()

    def add_address(self, draft: AddressDraft) -> bool:
        """Save a new address; with MAX_ADDRESSES already, first say which one it replaces
        and ask. Returns False when the user said no."""
        assert self.profile is not None
        addresses = self.profile.addresses
        if len(addresses) >= MAX_ADDRESSES:
            answer = QMessageBox.question(
                self,
                self.tr("Replace the oldest address"),
                self.tr(
                    "This customer already has %1 addresses, the most kept. Saving this one "
                    "replaces the oldest:\n%2\n\nSave it?"
                )
                .replace("%1", str(MAX_ADDRESSES))
                .replace("%2", addresses[0].one_line()),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        ctx, cid = self.ctx, self.customer_id
        self._run(self.tr("Saving the address"), lambda: svc.add_address(ctx, cid, draft),
                  self._address_added)  # fmt: skip
        return True

    def _address_added(self, result: object) -> None:
        if isinstance(result, AddressResult) and result.replaced is not None:
            self.show_message(
                self.tr("Address added; it replaced the oldest one: %1").replace(
                    "%1", result.replaced.one_line()
                )
            )
        else:
            self.show_message(self.tr("Address added."))

    def remove_selected_address(self) -> None:
        items = self.address_list.selectedItems()
        if not items:
            return
        address_id = int(items[0].data(Qt.ItemDataRole.UserRole))
        ctx, cid = self.ctx, self.customer_id
        self._run(self.tr("Removing the address"),
                  lambda: svc.remove_address(ctx, cid, address_id))  # fmt: skip

    def _order_link(self, entry: PointsRow) -> QTableWidgetItem:
        """The entry's order number, blue as a link: a double-click opens the order."""
        item = _item(entry.order_number or "", key=entry.order_id)
        if entry.order_number and entry.order_id is not None:
            item.setForeground(QBrush(QColor(LINK_COLOUR)))
            item.setToolTip(self.tr("Double-click to open the order"))
        return item

    def _points_order_double_clicked(self, row: int, _column: int) -> None:
        item = self.points_table.item(row, POINTS_ORDER_COLUMN)
        order_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if order_id is not None and item is not None and item.text():
            self.openOrder.emit(int(order_id))

    def _order_double_clicked(self, row: int, _column: int) -> None:
        item = self.orders_table.item(row, 0)
        if item is not None:
            self.openOrder.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def open_editor(self) -> QDialog:
        from primedist.ui.customers.editor import CustomerEditor

        editor = CustomerEditor(self.ctx, self.customer_id, parent=self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.accepted.connect(self._edited)
        self.editor = editor
        editor.open()
        return editor

    def _edited(self) -> None:
        if shiboken6.isValid(self):
            self.reload()
            self.changed.emit()
