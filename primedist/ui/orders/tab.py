"""The Orders tab: status tabs with live counts, search, filter chips, bulk actions.

The list is an `OrdersTableModel` (SqlTableModel over ORDERS_SPEC: keys only, keyset
paged), so typing in the search box or switching a status tab re-runs one fast keyset
query. The status counts are one GROUP BY, run off the UI thread through `Op`, debounced
after every filter or search change; an answer to an older request is dropped.
Every action that writes goes through `Op` too, then the list and the counts refresh.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QStyleOptionViewItem,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import Engine

from primedist.core.clock import format_date, shop_tz, to_local
from primedist.core.messages import Message
from primedist.core.money import format_money, format_number, parse_money
from primedist.domain.enums import Channel, Module, OrderStatus, PaymentMethod
from primedist.domain.geo import PROVINCE_BY_CODE
from primedist.domain.order import TRANSITIONS
from primedist.errors import PrimedistError
from primedist.queries.orders import (
    ORDERS_SPEC,
    STATUS_TABS,
    UNFILTERED_CAP,
    OrderFilter,
    UnfilteredCounts,
    cancellable_per_channel,
    list_state,
    orders,
    orders_per_channel,
    status_counts,
    unfiltered_counts,
)
from primedist.services.context import ServiceContext
from primedist.services.import_templates import TemplateKind
from primedist.services.order_edit import edit_lock
from primedist.services.orders import BulkResult, cancel_orders, confirm_orders, set_flag
from primedist.services.outbox import KIND_ACTIONS, channel_can
from primedist.services.shops import ShopInfo
from primedist.services.sync import SYNC_STATE, SyncState
from primedist.ui import list_tools
from primedist.ui.action_row import ActionRow
from primedist.ui.export_right import gate_export
from primedist.ui.file_dialogs import IMPORT, ask_open_file
from primedist.ui.formatting import CellFormatter, phone_text
from primedist.ui.i18n import current_language
from primedist.ui.import_report import ImportReportDialog
from primedist.ui.import_template import retranslate_button, template_button
from primedist.ui.labels import enum_label
from primedist.ui.list_tools import (
    ACTIONS_STYLE,
    CHIP_STYLE,
    NARROW_LIST_STYLE,
    FilteredListPage,
    alive,
    ask_save_path,
    count_text,
    export_done_box,
    number,
    push_button,
    setup_list_view,
    short_list,
    sort_by_default,
)
from primedist.ui.messages import localize
from primedist.ui.ops import Op
from primedist.ui.orders.bulk_ship import BulkShipDialog
from primedist.ui.orders.dialogs import ask_cancel_reason
from primedist.ui.printing.actions import OrderPrinter, print_menu
from primedist.ui.printing.carrier_labels import CarrierLabels
from primedist.ui.sync.status import POLL_MS, last_message_text
from primedist.ui.table_model import Index, SqlTableModel
from primedist.ui.widgets import first_shown_column, icon

if TYPE_CHECKING:
    from primedist.ui.orders.detail import OrderDetailDialog

#: Columns the list loads but does not show (drawn as icons instead).
HIDDEN_COLUMNS = ("channel", "flagged", "outbox_pending", "outbox_failed")
#: Column widths of this view where the spec's default is too narrow (shop names are long).
VIEW_WIDTHS = {"shop": 215}
#: How narrow the columns may get in a narrow window (1024 px: the columns above add up
#: to 1250 px against 975 of room), so that the list does not scroll sideways: an 18-digit
#: marketplace order ID, a short shop name beside its channel's icon, "1,077,500 VND",
#: "Bank transfer", a customer's full name, a phone and a date with its time stay whole;
#: a longer cell is cut with "…" and shows whole as its tooltip. With room (1366 px) the
#: columns keep their widths.
NARROW_WIDTHS = {
    "external_id": 150, "shop": 122, "item_count": 50, "total": 98, "status": 97,
    "payment_method": 96, "buyer_name": 130, "buyer_phone": 95, "created_at": 120,
}  # fmt: skip
#: Filter chip kinds, in chip order.
CHIP_KINDS = ("shop", "value", "payment", "date", "flagged", "returning")
#: The chip kinds that are on/off (a checkable Filters menu item, no editor).
TOGGLE_KINDS = ("flagged", "returning")
#: Chips only Analytics' drill-down sets (no editor: × removes them).
DRILL_KINDS = ("counted", "province", "carrier", "product")
STATUS_COLOURS = {
    OrderStatus.PENDING: "#B45309",
    OrderStatus.CONFIRMED: "#1D4ED8",
    OrderStatus.SHIPPING: "#6D28D9",
    OrderStatus.COMPLETED: "#047857",
    OrderStatus.CANCELLED: "#6B7280",
    OrderStatus.RETURN_REFUND: "#B91C1C",
    OrderStatus.RETURNED: "#B91C1C",
}
#: The "Walk-in customer" of an order without a buyer: quiet, it is no name.
WALK_IN_COLOUR = "#6B7280"
#: Skipped orders named in a bulk result message before "and N more" (a marketplace's
#: refusal is a long sentence).
SKIPPED_SHOWN = 3
#: The Orders tab's keys for its main actions (README, Keyboard): Confirm; Ship… (G:
#: giao hàng); the Print menu (as the sale screen's Ctrl+P reprints).
CONFIRM_KEYS = ("Ctrl+Return", "Ctrl+Enter")
SHIP_KEYS = ("Ctrl+G",)
PRINT_KEYS = ("Ctrl+P",)

_TABS_STYLE = """
QTabBar#statusTabs::tab { background: transparent; color: #4B5563; padding: 7px 14px;
    margin-right: 2px; border: none; border-bottom: 2px solid transparent; }
QTabBar#statusTabs::tab:selected { color: #1D4ED8; border-bottom: 2px solid #2563EB;
    font-weight: 600; }
QTabBar#statusTabs::tab:hover:!selected { color: #111827; }
QFrame#statusStrip { background: #FFFFFF; border: 1px solid #E5E7EB; border-radius: 8px; }
"""
#: The status tabs short of room: tighter (the bar's own sheet: it overrides the main
#: window's tabs' padding); what a tab saves so (padding 14 → 7 px each side, margin 2 → 0).
TIGHT_TABS_STYLE = "QTabBar::tab { padding: 7px 7px; margin-right: 0; }"
TIGHT_TAB_SAVING = 2 * 7 + 2
_NEW_ORDER_STYLE = """
QPushButton#newOrderButton { background: #2563EB; color: #FFFFFF; border: 1px solid #2563EB;
    font-weight: 600; padding: 6px 16px; }
QPushButton#newOrderButton:hover { background: #1D4ED8; }
"""
STYLE = _TABS_STYLE + CHIP_STYLE + _NEW_ORDER_STYLE + ACTIONS_STYLE + NARROW_LIST_STYLE
#: The message bar when a bulk action did nothing (every order skipped, e.g. a cancel the
#: marketplace refused): an error's colours, not a success's green.
#: The status cell of an order whose marketplace action failed.
FAILED_COLOUR = "#B91C1C"
NOTHING_DONE_STYLE = """
QFrame#actionMessage { background: #FEF2F2; border: 1px solid #FECACA; border-radius: 6px; }
QFrame#actionMessage QLabel, QFrame#actionMessage QToolButton { color: #B91C1C; }
"""


def count_statuses(engine: Engine, flt: OrderFilter, tz: tzinfo, search: str) -> dict[str, int]:
    """The status tab counts (runs on the database worker)."""
    with engine.connect() as conn:
        return status_counts(conn, flt, tz, search)


def count_unfiltered(engine: Engine, search: str) -> UnfilteredCounts | None:
    """The search's status tab counts with the filter chips off (runs on the database
    worker, after `count_statuses` found nothing under the chips)."""
    with engine.connect() as conn:
        return unfiltered_counts(conn, search)


def _can_become(status: str | None, to: OrderStatus) -> bool:
    if status is None:
        return False
    try:
        return to in TRANSITIONS[OrderStatus(status)]
    except ValueError:
        return False


# --------------------------------------------------------------------------- cancel by hand


#: Most selected orders whose channels a bulk Cancel counts on the UI thread before its
#: dialog opens (about 35 ms for 20,000; a whole list of a million takes seconds).
COUNT_ON_UI_THREAD = 20_000


def _by_hand_channels(kind: str) -> tuple[Channel, ...]:
    """The marketplaces the app cannot carry out `kind` ("order.cancel") on."""
    action = KIND_ACTIONS[kind]
    return tuple(c for c in Channel if c.is_marketplace and not channel_can(c, action))


def cancel_by_hand_channels() -> tuple[Channel, ...]:
    """The marketplaces the app cannot cancel on (Lazada, TikTok Shop, Tiki): an order
    cancelled here stays open there until the seller cancels it in their Seller Center."""
    return _by_hand_channels("order.cancel")


def confirm_by_hand_channels() -> tuple[Channel, ...]:
    """The marketplaces the app cannot confirm on (Lazada, TikTok Shop, Tiki): an order
    confirmed here waits there until the seller confirms it in their Seller Center."""
    return _by_hand_channels("order.confirm")


def _most_first(counts: dict[Channel, int]) -> list[tuple[Channel, int]]:
    """The channels with orders, the most first (then in Channel order: a stable text)."""
    order = list(Channel)
    return sorted(
        ((c, n) for c, n in counts.items() if n), key=lambda i: (-i[1], order.index(i[0]))
    )


def _and_list(items: Sequence[str]) -> str:
    """ "A, B and C" in the UI language."""
    if len(items) == 1:
        return items[0]
    both = QCoreApplication.translate("orders", "%1 and %2")
    return both.replace("%2", items[-1]).replace("%1", ", ".join(items[:-1]))


def cancel_by_hand_note(counts: dict[Channel, int], selected: int) -> str:
    """Said in the cancel dialog of `selected` orders before the user confirms: how many
    of them are on each channel the app cannot cancel on (`counts`), so must be cancelled
    in its Seller Center too. "" when none."""
    ranked = _most_first(counts)
    if not ranked:
        return ""
    first = enum_label(ranked[0][0])
    if selected == 1:
        who = QCoreApplication.translate("orders", "This order is on %1").replace("%1", first)
    else:
        lead = count_text(
            ranked[0][1],
            QCoreApplication.translate("orders", "%n of these orders is on %1"),
            QCoreApplication.translate("orders", "%n of these orders are on %1"),
        )
        more = QCoreApplication.translate("orders", "%n on %1")
        who = _and_list(
            [lead.replace("%1", first)]
            + [more.replace("%n", number(n)).replace("%1", enum_label(c)) for c, n in ranked[1:]]
        )
    if sum(n for _c, n in ranked) == 1:
        text = QCoreApplication.translate(
            "orders",
            "%1: the app cannot cancel orders there; after cancelling it here, cancel it in "
            "%2 Seller Center too.",
        )
    elif len(ranked) == 1:
        text = QCoreApplication.translate(
            "orders",
            "%1: the app cannot cancel orders there; after cancelling them here, cancel them "
            "in %2 Seller Center too.",
        )
    else:
        text = QCoreApplication.translate(
            "orders",
            "%1: the app cannot cancel orders there; after cancelling them here, cancel them "
            "in those Seller Centers too.",
        )
    return text.replace("%2", first).replace("%1", who)


def cancel_by_hand_reminder(counts: dict[Channel, int]) -> str:
    """After a bulk cancel, how many of the orders it cancelled are still open on a channel
    the app cannot cancel on (`counts`), and which channels. "" when none."""
    ranked = _most_first(counts)
    if not ranked:
        return ""
    return (
        QCoreApplication.translate("orders", "%n still to cancel in Seller Center: %1")
        .replace("%n", number(sum(n for _c, n in ranked)))
        .replace("%1", ", ".join(enum_label(c) for c, _n in ranked))
    )


def confirm_by_hand_reminder(counts: dict[Channel, int]) -> str:
    """After a bulk confirm, how many of the orders it confirmed must be confirmed in
    their Seller Center too (`counts`, by channel), and which channels. "" when none."""
    ranked = _most_first(counts)
    if not ranked:
        return ""
    return (
        QCoreApplication.translate("orders", "%n still to confirm in Seller Center: %1")
        .replace("%n", number(sum(n for _c, n in ranked)))
        .replace("%1", ", ".join(enum_label(c) for c, _n in ranked))
    )


def walk_in_text() -> str:
    """What an order without a buyer shows for its customer (as its detail says)."""
    return QCoreApplication.translate("orders", "Walk-in customer")


# --------------------------------------------------------------------------- model


class OrdersTableModel(SqlTableModel):
    """SqlTableModel over ORDERS_SPEC with the tab's icons: the shop's channel badge, a
    flag on flagged orders, a clock on orders waiting to be sent to the marketplace."""

    def __init__(self, engine: Engine, parent: Any = None) -> None:
        super().__init__(engine, ORDERS_SPEC, formatter=CellFormatter(), parent=parent)
        self.col = {c.key: i for i, c in enumerate(ORDERS_SPEC.columns)}
        self._shown = len(ORDERS_SPEC.columns)
        self._icons: dict[str, QIcon] = {}

    def _format_row(self, kinds: list[str], raw: tuple[Any, ...]) -> tuple[str, ...]:
        # The stored channel and status ride along after the shown cells (icons, rules).
        cells = super()._format_row(kinds, raw)
        # Phones read as on the sale screen and the detail; sorting and search keep the
        # stored digits (the query's column).
        phone = self.col["buyer_phone"]
        cells = (*cells[:phone], phone_text(raw[phone]), *cells[phone + 1 :])
        # An order without a buyer (a walk-in counter sale) says so, as its detail does,
        # in grey: an empty cell reads as missing data.
        name, walk_in = self.col["buyer_name"], not raw[self.col["buyer_name"]]
        if walk_in:
            cells = (*cells[:name], walk_in_text(), *cells[name + 1 :])
        channel, status = raw[self.col["channel"]], raw[self.col["status"]]
        return (*cells, str(channel or ""), str(status or ""), "1" if walk_in else "")

    def raw_value(self, row: int, which: str) -> str | None:
        """The stored "channel" or "status" of a row, "walk_in" ("1" for an order without
        a buyer, else ""), or the shown cell of another column ("external_id"); None while
        it loads."""
        cells = self._row(row) if 0 <= row < self.rowCount() else None
        if cells is None or len(cells) <= self._shown:
            return None
        extras = ("channel", "status", "walk_in")
        if which in extras:
            return cells[self._shown + extras.index(which)]
        return cells[self.col[which]]

    def is_marked(self, row: int, key: str) -> bool:
        """True when the bool column `key` (flagged, outbox_pending) is set for a row."""
        cells = self._row(row) if 0 <= row < self.rowCount() else None
        return bool(cells and cells[self.col[key]])

    def failed_reason(self, row: int) -> str:
        """Why the row's marketplace action failed for good ('' when none did)."""
        cells = self._row(row) if 0 <= row < self.rowCount() else None
        return str(cells[self.col["outbox_failed"]] or "") if cells else ""

    def _failed_status(self, row: int, role: int) -> Any:
        """The status cell of an order whose marketplace action failed: ⚠ and its status,
        in red, the reason as the tooltip (the order shows the local change). A mark, not
        words: the column keeps its width and the list fits a 1366 px window."""
        if role == Qt.ItemDataRole.DisplayRole:
            shown = super().data(self.index(row, self.col["status"]), role)
            return f"⚠ {shown}"
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(FAILED_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole:
            return QCoreApplication.translate(
                "orders",
                "Not sent to the marketplace: %1 (Retry or Discard in the order or the Sync panel)",
            ).replace("%1", last_message_text(self.failed_reason(row)))
        return None

    def _icon(self, name: str) -> QIcon:
        if name not in self._icons:
            self._icons[name] = icon(name)
        return self._icons[name]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self.rowCount():
            return None
        if index.column() == self.col["status"] and self.failed_reason(index.row()):
            shown = self._failed_status(index.row(), role)  # the "not sent" badge
            if shown is not None:
                return shown
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decoration(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index.row(), index.column())
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.col["status"]:
            status = self.raw_value(index.row(), "status")
            colour = STATUS_COLOURS.get(OrderStatus(status)) if status in STATUS_COLOURS else None
            return QColor(colour) if colour else None
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.column() == self.col["buyer_name"]
            and self.raw_value(index.row(), "walk_in")
        ):
            return QColor(WALK_IN_COLOUR)
        return super().data(index, role)

    def _decoration(self, row: int, column: int) -> QIcon | None:
        if column == self.col["shop"]:
            channel = self.raw_value(row, "channel")
            return self._icon(f"channel_{channel}") if channel else None
        if column == self.col["external_id"] and self.is_marked(row, "flagged"):
            return self._icon("flag")
        if column == self.col["status"] and self.is_marked(row, "outbox_pending"):
            return self._icon("outbox_pending")
        return None

    def _tooltip(self, row: int, column: int) -> str | None:
        if column == self.col["shop"]:
            return enum_label(self.raw_value(row, "channel")) or None
        if column == self.col["external_id"] and self.is_marked(row, "flagged"):
            return QCoreApplication.translate("orders", "Flagged")
        if column == self.col["status"] and self.is_marked(row, "outbox_pending"):
            return QCoreApplication.translate(
                "orders", "Waiting to be sent to the marketplace (sent when back online)"
            )
        return None


def short_shop_name(name: str, channel: str | None) -> str:
    """A shop's name without its channel at its end ("Prime Store - TikTok Shop" →
    "Prime Store"): the channel's icon beside it says it. The name as it is otherwise."""
    label = enum_label(channel) if channel else ""
    if not label or not name.casefold().endswith(label.casefold()):
        return name
    short = name[: -len(label)].rstrip(" -–—·|:(/")
    return short or name


class OrderCells(list_tools.ElidedTips):
    """The list's cells: a shop name too long for its column drops the channel its icon
    shows ("Prime Store" beside TikTok Shop's icon) before it is cut with "…"; a cut cell
    shows whole as its tooltip."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        model = index.model()
        if not isinstance(model, OrdersTableModel) or index.column() != model.col["shop"]:
            return
        if not list_tools.text_fits(option, option.widget):
            option.text = short_shop_name(option.text, model.raw_value(index.row(), "channel"))


# --------------------------------------------------------------------------- filters


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class FilterDialog(list_tools.FilterDialog):
    """Edits one kind of filter (shop, value, payment, date); `updated` once accepted."""

    def __init__(
        self,
        kind: str,
        flt: OrderFilter,
        *,
        shops: Sequence[ShopInfo] = (),
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(kind, flt, name=f"filterDialog_{kind}", parent=parent)
        self.updated: OrderFilter = flt
        self._flt: OrderFilter = flt
        self._today = today or date.today()
        builders: dict[str, Callable[[QVBoxLayout], None]] = {
            "shop": lambda lay: self._build_shops(lay, shops),
            "value": self._build_value,
            "payment": self._build_payment,
            "date": self._build_date,
        }
        builders[kind](self.body)
        self.finish()

    # Building -----------------------------------------------------------------------------
    def _build_shops(self, layout: QVBoxLayout, shops: Sequence[ShopInfo]) -> None:
        self.title.setText(QCoreApplication.translate("orders", "Show orders of these shops"))
        lst = self.checklist(layout)
        for shop in shops:
            item = lst.add_choice(shop.name, shop.id, shop.id in self._flt.shop_ids)
            item.setIcon(icon(f"channel_{shop.channel.value}"))

    def _build_payment(self, layout: QVBoxLayout) -> None:
        self.title.setText(QCoreApplication.translate("orders", "Show orders paid by"))
        lst = self.checklist(layout)
        for method in PaymentMethod:
            lst.add_choice(enum_label(method), method.value, method in self._flt.payment_methods)

    def _build_value(self, layout: QVBoxLayout) -> None:
        self.title.setText(QCoreApplication.translate("orders", "Order value between"))
        lang = current_language()
        form = QFormLayout()
        self.min_edit = QLineEdit()
        self.min_edit.setObjectName("minTotal")
        self.max_edit = QLineEdit()
        self.max_edit.setObjectName("maxTotal")
        list_tools.set_range_hints(self.min_edit, self.max_edit,
                                   list_tools.example_amount(100_000, lang),
                                   list_tools.example_amount(2_000_000, lang))  # fmt: skip
        if self._flt.min_total is not None:
            self.min_edit.setText(format_money(self._flt.min_total, lang))
        if self._flt.max_total is not None:
            self.max_edit.setText(format_money(self._flt.max_total, lang))
        form.addRow(QCoreApplication.translate("orders", "At least"), self.min_edit)
        form.addRow(QCoreApplication.translate("orders", "At most"), self.max_edit)
        layout.addLayout(form)

    def _build_date(self, layout: QVBoxLayout) -> None:
        self.title.setText(QCoreApplication.translate("orders", "Orders placed"))
        form = QFormLayout()
        fresh = self._flt.date_from is None and self._flt.date_to is None
        start = self._flt.date_from or self._today - timedelta(days=29)
        end = self._flt.date_to or self._today
        self.from_check, self.from_edit = self._date_row(
            form, QCoreApplication.translate("orders", "From"), start,
            fresh or self._flt.date_from is not None,
        )  # fmt: skip
        self.to_check, self.to_edit = self._date_row(
            form, QCoreApplication.translate("orders", "To"), end,
            fresh or self._flt.date_to is not None,
        )  # fmt: skip
        layout.addLayout(form)

    @staticmethod
    def _date_row(
        form: QFormLayout, label: str, day: date, on: bool
    ) -> tuple[QCheckBox, QDateEdit]:
        check = QCheckBox(label)
        check.setChecked(on)
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setEnabled(on)
        check.toggled.connect(edit.setEnabled)
        form.addRow(check, edit)
        return check, edit

    # Reading ------------------------------------------------------------------------------
    def read(self) -> OrderFilter:
        """The filter with this dialog's part replaced; ValueError (translated) if invalid."""
        if self.kind == "shop":
            return replace(self._flt, shop_ids=tuple(int(v) for v in self.checked()))
        if self.kind == "payment":
            methods = tuple(PaymentMethod(v) for v in self.checked())
            return replace(self._flt, payment_methods=methods)
        if self.kind == "value":
            return self._read_value()
        return self._read_date()

    def _read_value(self) -> OrderFilter:
        lang = current_language()
        amounts: list[int | None] = []
        for edit in (self.min_edit, self.max_edit):
            text = edit.text().strip()
            try:
                amount = parse_money(text, lang) if text else None
            except ValueError:
                amount = -1
            if amount is not None and amount < 0:
                edit.setFocus()
                raise ValueError(
                    QCoreApplication.translate(
                        "orders", "Enter an amount in đồng, such as %1."
                    ).replace("%1", format_money(100_000, lang))
                )
            amounts.append(amount)
        low, high = amounts
        if low is not None and high is not None and low > high:
            raise ValueError(
                QCoreApplication.translate("orders", "The lower amount is above the upper one.")
            )
        return replace(self._flt, min_total=low, max_total=high)

    def _read_date(self) -> OrderFilter:
        start = _day(self.from_edit.date()) if self.from_check.isChecked() else None
        end = _day(self.to_edit.date()) if self.to_check.isChecked() else None
        if start is not None and end is not None and start > end:
            raise ValueError(QCoreApplication.translate("orders", "The start is after the end."))
        return replace(self._flt, date_from=start, date_to=end)


def cleared(flt: OrderFilter, kind: str) -> OrderFilter:
    """The filter without one chip."""
    fields: dict[str, dict[str, Any]] = {
        "shop": {"shop_ids": ()},
        "value": {"min_total": None, "max_total": None},
        "payment": {"payment_methods": ()},
        "date": {"date_from": None, "date_to": None},
        "flagged": {"flagged_only": False},
        "returning": {"returns_under_way": False},
        "counted": {"counted_only": False},
        "province": {"province": None},
        "carrier": {"carriers": ()},
        "product": {"product_id": None, "product_name": ""},
    }
    return replace(flt, **fields[kind])


def import_summary(report: Any) -> str:
    """The orders import's one-line summary, in the UI language."""
    lang = current_language()
    return (
        QCoreApplication.translate(
            "orders", "Orders in %1: %2 new, %3 updated, %4 unchanged, %5 rejected."
        )
        .replace("%1", str(report.file))
        .replace("%2", format_number(report.orders_inserted, lang))
        .replace("%3", format_number(report.orders_updated, lang))
        .replace("%4", format_number(report.orders_unchanged, lang))
        .replace("%5", format_number(report.orders_rejected, lang))
    )


# --------------------------------------------------------------------------- page


class OrdersPage(FilteredListPage):
    """Status tabs with counts, search, filter chips, bulk actions and the order list."""

    #: Emitted when new status counts are shown.
    countsChanged = Signal()
    #: The user asked to see a customer (from an order's detail): the customer's id.
    openCustomer = Signal(int)

    model: OrdersTableModel
    _filter: OrderFilter

    COUNTS_DEBOUNCE_MS = 150
    #: Selections up to this many rows have their statuses read to enable Confirm/Cancel;
    #: beyond, the actions stay enabled and the service skips what does not apply.
    STATUS_CHECK_LIMIT = 200

    def __init__(
        self, ctx: ServiceContext, parent: QWidget | None = None, sync_state: SyncState = SYNC_STATE
    ) -> None:
        super().__init__(ctx, OrderFilter(), parent)
        self.setObjectName("list_orders")
        self.setStyleSheet(STYLE)
        self.tz = shop_tz()
        self._tab = "all"
        #: The status counts shown (empty until the first answer).
        self.counts: dict[str, int] = {}
        #: The (filter, search) the counts shown are of.
        self._counted_for: tuple[OrderFilter, str] | None = None
        #: The search's counts with the chips off, read with `counts` when the chips hide
        #: every match (None otherwise).
        self.unfiltered: UnfilteredCounts | None = None
        self._counts_seq = 0
        self._counts_running = 0
        self._exporting = False
        self.filter_dialog: FilterDialog | None = None
        self.context_menu: QMenu | None = None
        self.edit_dialog: QDialog | None = None
        self.last_message: QMessageBox | None = None
        self.import_dialog: ImportReportDialog | None = None
        self.export_import_dialog: Any = None
        #: The search Enter was pressed on: an exact order number found only under another
        #: status tab opens that tab (`_jump_if_one_order`), the order then selected
        #: (`_jump_to`, once the tab's rows are read).
        self._entered: str | None = None
        self._jump_to: int | None = None
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(self.COUNTS_DEBOUNCE_MS)
        self._counts_timer.timeout.connect(self._run_counts)
        # The scheduler's deliveries clear the "waiting to be sent" clocks: they only update
        # the outbox counts of SYNC_STATE (as the Sync panel, the list follows them).
        self._sync_state = sync_state
        self._outbox_counts = self._read_outbox_counts()
        self._outbox_timer = QTimer(self)
        self._outbox_timer.setInterval(POLL_MS)
        self._outbox_timer.timeout.connect(self._watch_outbox)
        self._outbox_timer.start()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self._build_status_strip())
        toggles = {"flagged": self._on_flagged_toggled, "returning": self._on_returning_toggled}
        layout.addLayout(self._build_search_row(CHIP_KINDS, toggles))
        layout.addWidget(self._build_chips())
        layout.addWidget(self._build_actions())
        layout.addWidget(self._build_message())
        layout.addWidget(self._build_view(), 1)
        self.search.returnPressed.connect(self._on_search_entered)
        # A print starts with its menu: the last action's outcome goes.
        self.print_button.menu().aboutToShow.connect(self.message_bar.hide)
        self.model.queryChanged.connect(lambda _n: self._select_jumped())
        self._build_keys()
        self.retranslate()
        sort_by_default(self.view, ORDERS_SPEC)
        self._schedule_counts()

    # Construction -------------------------------------------------------------------------
    def _build_status_strip(self) -> QWidget:
        strip = QFrame()
        strip.setObjectName("statusStrip")
        row = QHBoxLayout(strip)
        row.setContentsMargins(6, 0, 6, 0)
        self.status_tabs = QTabBar()
        self.status_tabs.setObjectName("statusTabs")
        self.status_tabs.setDrawBase(False)
        self.status_tabs.setExpanding(False)
        for key in STATUS_TABS:
            self.status_tabs.setTabData(self.status_tabs.addTab(""), key)
        self.status_tabs.currentChanged.connect(self._on_status_tab)
        # The whole row (the tabs stay on the left): the bar's own size hint trails its
        # texts, which grow with the counts, and it scrolled with room to spare.
        row.addWidget(self.status_tabs, 1)
        self.status_tabs.installEventFilter(self)  # its width: `_fit_tabs`
        return strip

    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        if watched is self.status_tabs and event.type() == QEvent.Type.Resize:
            self._fit_tabs()
        return super().eventFilter(watched, event)

    def _fit_tabs(self) -> None:
        """Tighter status tabs when they do not all fit the row (a 1024 px window in
        Vietnamese, with a shop's counts): every tab in sight, no scroll arrows."""
        bar = self.status_tabs
        tight = bool(bar.styleSheet())
        needed = sum(bar.tabSizeHint(i).width() for i in range(bar.count()))
        if tight:  # as wide as they would be with the usual padding
            needed += bar.count() * TIGHT_TAB_SAVING
        if (needed > bar.width()) != tight:
            bar.setStyleSheet("" if tight else TIGHT_TABS_STYLE)

    @property
    def tight_tabs(self) -> bool:
        """The status tabs are tighter than usual (short of room)."""
        return bool(self.status_tabs.styleSheet())

    def _build_actions(self) -> ActionRow:
        row = self.actions_row = ActionRow()
        self.selection_label = QLabel()
        self.selection_label.setObjectName("muted")
        self.confirm_button = push_button("confirmButton", self.confirm_selected)
        self.cancel_button = push_button("cancelOrdersButton", self.cancel_selected)
        self.ship_button = push_button("shipOrdersButton", self.ship_selected)
        self.flag_button = push_button("flagButton", lambda: self.flag_selected(True), "flag")
        self.unflag_button = push_button("unflagButton", lambda: self.flag_selected(False))
        self.export_button = push_button("exportButton", self.export)
        self.print_button = push_button("printButton", lambda: None)
        self.printer = OrderPrinter(self, self.ctx)
        self.printer.printed.connect(self.show_message)
        # The carriers' labels of the selection: one document, one job (Print → Shipping labels).
        self.carrier_labels = CarrierLabels(self, self.ctx)
        self.carrier_labels.printed.connect(self.show_message)
        self.print_button.setMenu(print_menu(self, self.printer, self.selected_ids, bulk=True,
                                             carrier_labels=self.carrier_labels))  # fmt: skip
        self.import_button = push_button("importButton", self.import_file)
        self.template_button = template_button(self, self.ctx, TemplateKind.ORDERS)
        self.new_button = push_button("newOrderButton", self.new_order)
        self.end_of_day_button = push_button("endOfDayButton", self.open_end_of_day)
        for w in (self.confirm_button, self.cancel_button, self.ship_button, self.flag_button,
                  self.unflag_button):  # fmt: skip
            row.add(w)
        row.add_spacing(12)
        row.add(self.selection_label)
        row.add_stretch()
        for w in (self.end_of_day_button, self.export_button, self.print_button,
                  self.import_button, self.template_button):  # fmt: skip
            row.add(w)
        row.add_more()
        row.add_spacing(12)
        row.add(self.new_button)
        # Short of room, these go into More, the least used first; New order stays.
        row.set_overflow_order(
            (self.template_button, self.import_button, self.unflag_button, self.export_button,
             self.flag_button, self.end_of_day_button, self.cancel_button, self.print_button,
             self.ship_button, self.confirm_button)
        )  # fmt: skip
        return row

    def _build_keys(self) -> None:
        """The toolbar's main actions from the keyboard, while the keyboard is on this page
        (the search, the list or a button; not in a dialog over it): a shortcut does what
        a click on its button does, nothing while the button is disabled."""
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut

        def key(keys: Sequence[str], slot: Callable[[], object]) -> QShortcut:
            shortcut = QShortcut(self)
            shortcut.setKeys([QKeySequence(k) for k in keys])
            shortcut.setContext(context)
            shortcut.activated.connect(slot)
            return shortcut

        self.confirm_key = key(CONFIRM_KEYS, self.confirm_button.click)
        self.ship_key = key(SHIP_KEYS, self.ship_button.click)
        self.print_key = key(PRINT_KEYS, self.open_print_menu)

    def open_print_menu(self) -> QMenu | None:
        """Ctrl+P: the Print button's menu (↑ ↓ and Enter pick a document), under the
        button, or on the current row while the button waits in More."""
        menu = self.print_button.menu()
        if menu is None or not self.print_button.isEnabled():
            return None
        button = self.print_button
        if button.isVisible():
            at = button.mapToGlobal(button.rect().bottomLeft())
        else:
            current = self.view.currentIndex()
            rect = self.view.visualRect(current) if current.isValid() else QRect()
            at = self.view.viewport().mapToGlobal(rect.center())
        menu.popup(at)
        return menu

    def _build_view(self) -> QTableView:
        self.model = OrdersTableModel(self.ctx.engine, parent=self)
        view = self.view = QTableView()
        view.setObjectName("ordersView")
        setup_list_view(
            view,
            self.model,
            hidden=HIDDEN_COLUMNS,
            widths=VIEW_WIDTHS,
            icon_size=QSize(16, 16),
            stretch="buyer_name",
            narrow=NARROW_WIDTHS,
        )
        view.setItemDelegate(OrderCells(view))
        view.activated.connect(self.open_detail)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._show_context_menu)
        self._watch_view()
        self.empty_hint.linkActivated.connect(self._on_hint_link)
        return view

    # Text ---------------------------------------------------------------------------------
    def narrowed(self) -> bool:
        return super().narrowed() or self._tab != "all"

    def empty_texts(self) -> tuple[str, str]:
        if self.ctx.actor.can(Module.SETTINGS):
            empty = self.tr(
                "No orders yet: make a sale with New order, import a file, or "
                "connect a marketplace shop in Settings → Sales channels."
            )
        else:  # Settings is not theirs to open
            empty = self.tr(
                "No orders yet: make a sale with New order or import a file. For "
                "a marketplace shop's orders, ask the shop owner to connect it."
            )
        elsewhere = self.matches_elsewhere()
        if elsewhere is None:
            hidden = self.hidden_by_filters()
            if hidden is not None:
                return self._hidden_text(*hidden), empty
            return self.tr("No orders match the search, the status tab and the filters."), empty
        # Say where the matches are and offer that tab (the search stays): a number found
        # under another tab read as no such order.
        n, key = elsewhere
        if key == "all":
            text = self.tr("No order on this tab matches; %n under other tabs")
            link = self.tr("Show all")
        else:
            text = self.tr("No order on this tab matches; %n under %1")
            link = self.tr("Show")
        text = text.replace("%n", number(n)).replace("%1", self._status_label(key))
        return f'{html.escape(text)} — <a href="{key}">{html.escape(link)}</a>', empty

    def matches_elsewhere(self) -> tuple[int, str] | None:
        """When no order of this status tab matches but others do (as the latest counts
        say): how many, and the tab to show them — the only one holding them, else All."""
        current = self._counted_for == (self._filter, self._search)  # not an older search's
        if self._tab == "all" or not current or self.counts.get(self._tab, 0):
            return None
        total = self.counts.get("all", 0)
        holding = [k for k in STATUS_TABS if k != "all" and self.counts.get(k, 0)]
        if not total or not holding:
            return None
        return total, holding[0] if len(holding) == 1 else "all"

    def hidden_by_filters(self) -> tuple[str, str] | None:
        """When the filter chips hide every match of the search but orders match without
        them (as the latest counts say): how many (its text, "1,000+" past the cap read)
        and the status tab showing them once the chips are cleared — this one when it holds
        some, else the only one holding them, else All."""
        current = self._counted_for == (self._filter, self._search)
        found = self.unfiltered
        if not current or found is None or self.counts.get("all", 0):
            return None
        counts = found.counts
        if not counts.get("all", 0):
            return None
        holding = [k for k in STATUS_TABS if k != "all" and counts.get(k, 0)]
        if counts.get(self._tab, 0):
            key = self._tab
        elif len(holding) == 1 and not found.capped:  # past the cap, others may hold more
            key = holding[0]
        else:
            key = "all"
        n = min(counts[key], UNFILTERED_CAP)
        return number(n) + ("+" if found.capped else ""), key

    def _hidden_text(self, n: str, key: str) -> str:
        """The empty list's line when the chips hide the matches: one link clears them and
        shows the tab holding the matches (the search kept), so one click finds the order."""
        if key == self._tab:
            text = self.tr("No orders match with the current filters — %n match without them.")
            link = self.tr("Clear filters")
        elif key == "all":
            text = self.tr(
                "No orders match with the current filters — %n match without them, under "
                "other tabs."
            )
            link = self.tr("Clear filters and show all")
        else:
            text = self.tr(
                "No orders match with the current filters — %n match without them, under %1."
            )
            link = self.tr("Clear filters and show")
        text = text.replace("%n", n).replace("%1", self._status_label(key))
        return f'{html.escape(text)} <a href="clear:{key}">{html.escape(link)}</a>'

    def _on_hint_link(self, href: str) -> None:
        """The empty list's link: a status tab to show, or `clear:<tab>` (the chips cleared,
        then that tab shown)."""
        clear, _, key = href.rpartition(":")
        if clear:
            self.set_filter(self._empty)
        self.select_status_tab(key)

    def retranslate(self) -> None:
        self.search.setPlaceholderText(
            QCoreApplication.translate("orders", "Search by order ID, customer name or phone")
        )
        self.filter_button.setText(QCoreApplication.translate("orders", "Filters"))
        menu = {
            "shop": QCoreApplication.translate("orders", "Shop…"),
            "value": QCoreApplication.translate("orders", "Order value…"),
            "payment": QCoreApplication.translate("orders", "Payment method…"),
            "date": QCoreApplication.translate("orders", "Order date…"),
            "flagged": QCoreApplication.translate("orders", "Flagged only"),
            "returning": QCoreApplication.translate("orders", "Returns under way only"),
        }
        for kind, text in menu.items():
            self.filter_actions[kind].setText(text)
        self.clear_filters.setText(QCoreApplication.translate("orders", "Clear all"))
        self.confirm_button.setText(QCoreApplication.translate("orders", "Confirm"))
        self.cancel_button.setText(QCoreApplication.translate("orders", "Cancel orders"))
        self.ship_button.setText(QCoreApplication.translate("orders", "Ship…"))
        self.confirm_button.setToolTip(
            QCoreApplication.translate("orders", "Confirm the selected orders (Ctrl+Enter)")
        )
        self.ship_button.setToolTip(
            QCoreApplication.translate(
                "orders",
                "Create shipments with your GHN or J&T account for the selected orders (Ctrl+G)",
            )
        )
        self.flag_button.setText(QCoreApplication.translate("orders", "Flag"))
        self.unflag_button.setText(QCoreApplication.translate("orders", "Unflag"))
        self.end_of_day_button.setText(QCoreApplication.translate("orders", "End of day"))
        self.end_of_day_button.setToolTip(
            QCoreApplication.translate(
                "orders", "The day's sales by payment method, refunds and cash in the drawer: "
                "check the till, print or export it"
            )
        )  # fmt: skip
        self.print_button.setText(QCoreApplication.translate("orders", "Print"))
        self.print_button.setToolTip(
            QCoreApplication.translate("orders", "Print the selected orders (Ctrl+P)")
        )
        self.import_button.setText(QCoreApplication.translate("orders", "Import"))
        self.import_button.setToolTip(
            QCoreApplication.translate("orders", "Import orders from an Excel or CSV file")
        )
        retranslate_button(self.template_button)
        self.new_button.setText(QCoreApplication.translate("orders", "New order"))
        self.new_button.setShortcut(QKeySequence(Qt.Key.Key_F2))  # setText cleared it
        self.new_button.setToolTip(
            QCoreApplication.translate("orders", "Counter, phone or chat sale (F2)")
        )
        self._show_tab_texts()
        self._rebuild_chips()
        self._show_count()
        self._update_actions()

    @staticmethod
    def _status_label(key: str) -> str:
        """A status tab's name: the status's own label (as in the Status column)."""
        if key == "all":
            return QCoreApplication.translate("orders", "All")
        return enum_label(STATUS_TABS[key][0])

    def _show_tab_texts(self) -> None:
        lang = current_language()
        for i in range(self.status_tabs.count()):
            key = self.status_tabs.tabData(i)
            text = self._status_label(key)
            if key in self.counts:
                text = f"{text} ({format_number(self.counts[key], lang)})"
            self.status_tabs.setTabText(i, text)
        self._fit_tabs()

    def _show_count(self) -> None:
        n = self.model.rowCount()
        self.count.setText(
            count_text(
                n,
                QCoreApplication.translate("orders", "%n order"),
                QCoreApplication.translate("orders", "%n orders"),
            )
        )

    # Status tabs and counts ---------------------------------------------------------------
    @property
    def status_tab(self) -> str:
        return self._tab

    def select_status_tab(self, key: str) -> None:
        """Show one status tab ("all", "pending", ... as in STATUS_TABS)."""
        self.status_tabs.setCurrentIndex(list(STATUS_TABS).index(key))

    def _on_status_tab(self, index: int) -> None:
        key = self.status_tabs.tabData(index)
        if key and key != self._tab:
            self._tab = key
            self.message_bar.hide()  # the last action's outcome was about the other tab
            self._apply()

    @property
    def counts_pending(self) -> bool:
        """True while new counts are awaited (debounce running or a query in flight).
        A closed page awaits none: a query in flight finds it gone and is dropped."""
        if not alive(self):
            return False
        return self._counts_timer.isActive() or self._counts_running > 0

    def _schedule_counts(self) -> None:
        self._counts_timer.start()

    def _run_counts(self) -> None:
        self._counts_seq += 1
        seq = self._counts_seq
        engine, flt, tz, search = self.ctx.engine, self._filter, self.tz, self._search
        self._counts_running += 1

        def count(_job: Any) -> tuple[dict[str, int], UnfilteredCounts | None]:
            counts = count_statuses(engine, flt, tz, search)
            # Nothing under the chips: do they hide the order? (a count capped at
            # UNFILTERED_CAP matches, through the search index the count above used.)
            hidden = None
            if not counts.get("all", 0) and search.strip() and flt != OrderFilter():
                hidden = count_unfiltered(engine, search)
            return counts, hidden

        Op(
            self,
            count,
            title=QCoreApplication.translate("orders", "Counting orders"),
        ).success(
            lambda answer: self._show_counts(seq, answer[0], (flt, search), answer[1])
        ).finally_(self._counts_finished).run()

    def _counts_finished(self) -> None:
        self._counts_running -= 1

    def _show_counts(
        self, seq: int, counts: dict[str, int], of: tuple[OrderFilter, str],
        unfiltered: UnfilteredCounts | None = None,
    ) -> None:  # fmt: skip
        if seq != self._counts_seq or not alive(self):
            return  # an older request finished late, or the page is gone
        self.counts, self._counted_for, self.unfiltered = counts, of, unfiltered
        self._show_tab_texts()
        self.empty_hint.update_hint()  # it may now say which tab holds the matches
        self.countsChanged.emit()
        self._jump_if_one_order()

    # Search and filters -------------------------------------------------------------------
    def _on_search(self, text: str) -> None:
        if text.strip() != self._entered:
            self._entered = None  # typed on since Enter
        self.message_bar.hide()  # a new search: the last action's outcome is old news
        super()._on_search(text)
        self._schedule_counts()

    def _on_search_entered(self) -> None:
        self._entered = self.search.text().strip() or None

    def _jump_if_one_order(self) -> None:
        """Enter on an exact order number that only another status tab holds: that tab,
        the order selected and the keyboard on it (the empty list's Show took the mouse)."""
        entered = self._entered
        if entered is None or self._counted_for != (self._filter, self._search):
            return  # no Enter, or the counts of an older search
        self._entered = None
        elsewhere = self.matches_elsewhere()
        if elsewhere is None or elsewhere != (1, elsewhere[1]) or elsewhere[1] == "all":
            return
        with self.ctx.engine.connect() as conn:  # one indexed look-up
            numbers = orders.c.external_id.in_({entered, entered.upper()})
            found = conn.execute(sa.select(orders.c.id).where(numbers)).scalars().all()
        if len(found) != 1:
            return  # a name or a phone: the list's line offers the tab
        self._jump_to = found[0]
        self.select_status_tab(elsewhere[1])

    def _select_jumped(self) -> None:
        key, self._jump_to = self._jump_to, None
        if key is None or not self.select_ids([key]):
            return
        index = self.model.index(self._row_of(key, 0), first_shown_column(self.view))
        select = self.view.selectionModel()
        select.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        self.view.scrollTo(index)
        self.view.setFocus()

    def set_filter(self, flt: OrderFilter) -> None:
        """Show the orders of a filter: chips, list and counts follow."""
        if flt != self._filter:
            super().set_filter(flt)
            self._schedule_counts()

    def _cleared(self, flt: OrderFilter, kind: str) -> OrderFilter:
        return cleared(flt, kind)

    def _apply(self) -> None:
        """Run the list query for the filter, status tab and search; keep the sort."""
        state = self.model.state
        self.model.set_state(
            list_state(
                self._filter, self._tab, self.tz, search=self._search,
                sort_key=state.sort_key, descending=state.descending,
            )
        )  # fmt: skip

    def today(self) -> date:
        return to_local(self.ctx.clock.now(), self.tz).date()

    def edit_filter(self, kind: str) -> FilterDialog:
        """Open the editor of one filter kind (`open_filter_dialog`)."""
        shops = self.shops(reload=True) if kind == "shop" else ()
        dialog = FilterDialog(kind, self._filter, shops=shops, today=self.today(), parent=self)
        self.filter_dialog = dialog
        self.open_filter_dialog(dialog)
        return dialog

    def _on_flagged_toggled(self, checked: bool) -> None:
        self.set_filter(replace(self._filter, flagged_only=checked))

    def _on_returning_toggled(self, checked: bool) -> None:
        self.set_filter(replace(self._filter, returns_under_way=checked))

    def chip_texts(self) -> dict[str, str]:
        """{kind: text} of the active filters, in chip order."""
        f, lang, out = self._filter, current_language(), {}
        if f.shop_ids:
            names = {s.id: s.name for s in self.shops()}
            shown = [names.get(i, f"#{i}") for i in f.shop_ids]
            out["shop"] = QCoreApplication.translate("orders", "Shop: %1").replace(
                "%1", short_list(shown)
            )
        if f.min_total is not None or f.max_total is not None:
            out["value"] = self._range_text(
                QCoreApplication.translate("orders", "Value: %1 – %2"),
                QCoreApplication.translate("orders", "Value: from %1"),
                QCoreApplication.translate("orders", "Value: up to %1"),
                *(None if v is None else format_money(v, lang) for v in (f.min_total, f.max_total)),
            )
        if f.payment_methods:
            shown = [enum_label(m) for m in f.payment_methods]
            out["payment"] = QCoreApplication.translate("orders", "Payment: %1").replace(
                "%1", short_list(shown)
            )
        if f.date_from is not None or f.date_to is not None:
            out["date"] = self._range_text(
                QCoreApplication.translate("orders", "Date: %1 – %2"),
                QCoreApplication.translate("orders", "Date: from %1"),
                QCoreApplication.translate("orders", "Date: until %1"),
                *(None if d is None else format_date(d, lang) for d in (f.date_from, f.date_to)),
            )
        if f.flagged_only:
            out["flagged"] = QCoreApplication.translate("orders", "Flagged")
        if f.returns_under_way:  # Home's Return/Refund card: its count, not those returned
            out["returning"] = QCoreApplication.translate("orders", "Return under way")
        # Analytics' drill-down (a ranking row's orders): removed by ×, not edited here.
        unknown = QCoreApplication.translate("orders", "unknown")
        if f.counted_only:
            out["counted"] = QCoreApplication.translate("orders", "Counted in revenue")
        if f.province is not None:
            province = PROVINCE_BY_CODE.get(f.province)
            name = province.name if province else (f.province or unknown)
            out["province"] = QCoreApplication.translate("orders", "Province/city: %1").replace(
                "%1", name
            )
        if f.carriers:
            out["carrier"] = QCoreApplication.translate("orders", "Carrier: %1").replace(
                "%1", f.carriers[0] or unknown
            )
        if f.product_id is not None:
            out["product"] = QCoreApplication.translate("orders", "Product: %1").replace(
                "%1", f.product_name or f"#{f.product_id}"
            )
        return out

    @staticmethod
    def _range_text(both: str, low_only: str, high_only: str, *ends: str | None) -> str:
        low, high = ends
        if low is not None and high is not None:
            return both.replace("%1", low).replace("%2", high)
        return (
            low_only.replace("%1", low) if low is not None else high_only.replace("%1", high or "")
        )

    def _rebuild_chips(self) -> None:
        super()._rebuild_chips()
        on = {"flagged": self._filter.flagged_only, "returning": self._filter.returns_under_way}
        for kind, checked in on.items():
            action = self.filter_actions[kind]
            action.blockSignals(True)
            action.setChecked(checked)
            action.blockSignals(False)

    def _on_chip_clicked(self, kind: str) -> None:
        if kind not in TOGGLE_KINDS and kind not in DRILL_KINDS:
            self.edit_filter(kind)

    # Selection (selected_ids, select_ids, selected_count: SqlListPage) --------------------
    def _update_actions(self) -> None:
        spans = self._selected_spans()
        n = sum(b - t + 1 for t, b in spans)
        lang = current_language()
        self.selection_label.setText(
            QCoreApplication.translate("orders", "%n selected").replace(
                "%n", format_number(n, lang)
            )
            if n
            else ""
        )
        free = n > 0 and not self._busy
        statuses = self._known_statuses(spans, n)
        self.confirm_button.setEnabled(free and self._any_can(statuses, OrderStatus.CONFIRMED))
        self.cancel_button.setEnabled(free and self._any_can(statuses, OrderStatus.CANCELLED))
        self.ship_button.setEnabled(free and self._any_shippable(statuses))
        self.flag_button.setEnabled(free)
        self.unflag_button.setEnabled(free)
        self.import_button.setEnabled(not self._busy)
        self.export_button.setEnabled(not self._exporting)
        self.print_button.setEnabled(n > 0)
        # A row left selected (an order opened and closed) narrows the export: said on the
        # button, not found out in the file.
        self.export_button.setText(self._export_text(n))
        self.export_button.setToolTip(
            count_text(
                n,
                QCoreApplication.translate("orders", "Export %n selected order to Excel"),
                QCoreApplication.translate("orders", "Export %n selected orders to Excel"),
            )
            if n
            else QCoreApplication.translate("orders", "Export every order of this view to Excel")
        )
        gate_export(self.export_button, self.ctx)  # the right "Export data"

    @staticmethod
    def _export_text(selected: int) -> str:
        """The Export button: "Export", or "Export (N)" with N orders selected (the whole
        sentence is its tooltip: the toolbar has no room for it at 1280 px in Vietnamese)."""
        if not selected:
            return QCoreApplication.translate("orders", "Export")
        return QCoreApplication.translate("orders", "Export (%n)").replace(
            "%n", format_number(selected, current_language())
        )

    @staticmethod
    def _export_title(selected: int) -> str:
        """The save dialog's title: how many selected orders are exported."""
        return count_text(
            selected,
            QCoreApplication.translate("orders", "Export %n selected order"),
            QCoreApplication.translate("orders", "Export %n selected orders"),
        )

    def _known_statuses(self, spans: list[tuple[int, int]], n: int) -> set[str | None] | None:
        """The statuses of the selected rows as far as known (None: unknown). Past
        STATUS_CHECK_LIMIT, or with rows still loading, a status tab still says which
        statuses its rows can have (the Completed tab's cannot be confirmed)."""
        statuses = self._statuses(spans) if 0 < n <= self.STATUS_CHECK_LIMIT else None
        if (statuses is None or None in statuses) and STATUS_TABS[self._tab]:
            return {status.value for status in STATUS_TABS[self._tab]}
        return statuses

    def _statuses(self, spans: list[tuple[int, int]]) -> set[str | None]:
        return {self.model.raw_value(row, "status") for t, b in spans for row in range(t, b + 1)}

    @staticmethod
    def _any_can(statuses: set[str | None] | None, to: OrderStatus) -> bool:
        """Unknown statuses (big selection, rows loading) leave the action to the service."""
        if statuses is None or None in statuses:
            return True
        return any(_can_become(s, to) for s in statuses)

    @staticmethod
    def _any_shippable(statuses: set[str | None] | None) -> bool:
        """The shop's carrier takes pending and confirmed orders (the dialog says which
        of them are marketplace orders, shipped by their marketplace)."""
        if statuses is None or None in statuses:
            return True
        return bool(statuses & {OrderStatus.PENDING.value, OrderStatus.CONFIRMED.value})

    # Actions (busy, _run: SqlListPage; confirm, cancel, flag and import are busy) ---------
    def confirm_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        ctx = self.ctx
        # Lazada, TikTok Shop and Tiki orders must be confirmed in their Seller Center
        # too: the result says how many (as a bulk Cancel's does).
        by_hand = confirm_by_hand_channels()

        def confirm() -> tuple[BulkResult, dict[Channel, int]]:
            result = confirm_orders(ctx, ids)
            with ctx.engine.connect() as conn:
                return result, orders_per_channel(conn, result.done, by_hand)

        self._run(
            QCoreApplication.translate("orders", "Confirming orders"),
            confirm,
            lambda r: self._show_bulk(
                r[0],
                QCoreApplication.translate("orders", "%n order confirmed"),
                QCoreApplication.translate("orders", "%n orders confirmed"),
                reminder=confirm_by_hand_reminder(r[1]),
            ),
        )

    def cancel_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        # Lazada, TikTok Shop and Tiki orders stay open there: said before the user
        # confirms, and again in the result (the dialog is gone by then).
        by_hand = cancel_by_hand_channels()
        engine = self.ctx.engine

        def count() -> dict[Channel, int]:
            with engine.connect() as conn:
                return cancellable_per_channel(conn, ids, by_hand)

        if len(ids) <= COUNT_ON_UI_THREAD:
            self._ask_and_cancel(ids, by_hand, count())
            return
        # A selection of a big shop's whole list: seconds of reading, not on the UI thread.
        self._set_busy(True)
        op = Op(self, lambda _job: count(), title=QCoreApplication.translate(
            "orders", "Counting the orders to cancel"))  # fmt: skip
        # The dialog opens once the page is no longer busy (finally_ runs after success).
        op.success(lambda waiting: QTimer.singleShot(
            0, self, lambda: self._ask_and_cancel(ids, by_hand, waiting)))  # fmt: skip
        op.finally_(lambda: self._set_busy(False) if alive(self) else None)
        op.run()

    def _ask_and_cancel(
        self, ids: list[int], by_hand: Sequence[Channel], waiting: dict[Channel, int]
    ) -> None:
        reason = ask_cancel_reason(self, len(ids), note=cancel_by_hand_note(waiting, len(ids)))
        if not reason:
            return
        ctx = self.ctx

        def cancel() -> tuple[BulkResult, dict[Channel, int]]:
            result = cancel_orders(ctx, ids, reason)
            with ctx.engine.connect() as conn:
                return result, orders_per_channel(conn, result.done, by_hand)

        self._run(
            QCoreApplication.translate("orders", "Cancelling orders"),
            cancel,
            lambda r: self._show_bulk(
                r[0],
                QCoreApplication.translate("orders", "%n order cancelled"),
                QCoreApplication.translate("orders", "%n orders cancelled"),
                reminder=cancel_by_hand_reminder(r[1]),
            ),
        )

    def _run(
        self, title: str, fn: Callable[[], Any], done: Callable[[Any], None], *,
        progress: bool = False,
    ) -> None:  # fmt: skip
        self.message_bar.hide()  # the last action's outcome, not this one's
        super()._run(title, fn, done, progress=progress)

    def ship_selected(self) -> BulkShipDialog | None:
        """The bulk shipping dialog for the selected orders."""
        ids = self.selected_ids()
        if not ids:
            return None
        self.message_bar.hide()
        dialog = BulkShipDialog(self.ctx, ids, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self.refresh)
        dialog.openOrder.connect(lambda order_id: self._open_from_bulk(dialog, order_id))
        dialog.open()
        return dialog

    def _open_from_bulk(self, bulk: BulkShipDialog, order_id: int) -> None:
        """An order of the bulk dialog, over it; the dialog checks again afterwards (the
        owner may have fixed the address or shipped it by hand)."""
        detail = self.open_order(order_id, parent=bulk)
        detail.finished.connect(lambda _r: bulk.plan() if alive(bulk) else None)

    def flag_selected(self, flagged: bool) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        ctx = self.ctx
        if flagged:
            one = QCoreApplication.translate("orders", "%n order flagged")
            many = QCoreApplication.translate("orders", "%n orders flagged")
        else:
            one = QCoreApplication.translate("orders", "%n order unflagged")
            many = QCoreApplication.translate("orders", "%n orders unflagged")
        self._run(
            QCoreApplication.translate("orders", "Flagging orders"),
            lambda: set_flag(ctx, ids, flagged),
            lambda n: self.show_message(count_text(int(n), one, many)),
        )

    def _show_bulk(self, result: BulkResult, one: str, many: str, *, reminder: str = "") -> None:
        """What was done (and `reminder`, what is left to do by hand), then what was
        skipped and why."""
        text = count_text(len(result.done), one, many)
        if reminder:
            text += f" ({reminder})"
        if result.skipped:
            nothing_done = not result.done
            self.show_message(text + "; " + self._skipped_text(result.skipped), failed=nothing_done)
        else:
            self.show_message(text)

    def show_message(self, text: str, *, failed: bool = False) -> None:
        """The outcome of the last action, above the list; in an error's colours when the
        action did nothing (`failed`), green otherwise."""
        self.message_bar.setStyleSheet(NOTHING_DONE_STYLE if failed else "")
        self.message_bar.setProperty("failed", failed)
        super().show_message(text)

    @classmethod
    def _skipped_text(cls, skipped: Sequence[tuple[int, str, str]]) -> str:
        """ "N skipped: " and why, for the first few (a refusal is a sentence of its own:
        "; " between them, no full stop), then how many more."""
        shown = [cls._skipped_order(ext, why).rstrip(".")
                 for _id, ext, why in skipped[:SKIPPED_SHOWN]]  # fmt: skip
        listed = "; ".join(shown)
        if len(skipped) > SKIPPED_SHOWN:
            listed += "; " + count_text(
                len(skipped) - SKIPPED_SHOWN,
                QCoreApplication.translate("orders", "and %n more order"),
                QCoreApplication.translate("orders", "and %n more orders"),
            )
        count = format_number(len(skipped), current_language())
        return (QCoreApplication.translate("orders", "%n skipped: %1")
                .replace("%n", count).replace("%1", listed))  # fmt: skip

    @classmethod
    def _skipped_order(cls, ext: str, why: str) -> str:
        """The order and why it was skipped: "PD1 (Completed)", or the refusal alone when
        it names the order itself (not the number twice)."""
        reason = cls._skip_reason(why)
        if isinstance(why, Message) and ext in (str(v) for v in why.values.values()):
            return reason
        return f"{ext} ({reason})"

    @staticmethod
    def _skip_reason(why: str) -> str:
        try:
            return enum_label(OrderStatus(why))
        except ValueError:
            if why == "no longer exists":
                return QCoreApplication.translate("orders", "no longer exists")
            return localize(why)  # a refusal (a live shipment, an exchange) as a message

    def _read_outbox_counts(self) -> tuple[int, int]:
        snap = self._sync_state.snapshot()
        return snap["waiting"], snap["failed"]

    def _watch_outbox(self) -> None:
        """Actions delivered (or failed for good): the rows' clocks are read again."""
        counts = self._read_outbox_counts()
        if counts != self._outbox_counts:
            self._outbox_counts = counts
            self.model.reread()

    def refresh(self) -> None:
        """Re-run the list (keeping the selection where possible) and the counts."""
        super().refresh()
        self._schedule_counts()

    # Export and import --------------------------------------------------------------------
    def default_export_path(self) -> Path:
        folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
        return folder / f"orders-{self.today():%Y%m%d}.xlsx"

    def open_end_of_day(self) -> None:
        """The end-of-day report, for closing the till (a dialog of its own)."""
        from primedist.ui.orders.end_of_day import EndOfDayDialog

        dialog = EndOfDayDialog(self.ctx, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def export(self) -> None:
        """Export the selection, or every order of the current view, to an .xlsx file."""
        ids = self.selected_ids()
        # The save dialog's title says which, as the button does.
        title = self._export_title(len(ids)) if ids else QCoreApplication.translate(
            "orders", "Export orders")  # fmt: skip
        suggested = self.default_export_path()
        target = ask_save_path(self, title, suggested.parent, suggested.name, self.ctx)
        if target is None:
            return
        self.message_bar.hide()
        from primedist.services.order_export import export_orders

        ctx, state, lang = self.ctx, self.model.state, current_language()
        keys = ids or None
        self._exporting = True
        self._update_actions()
        Op(
            self,
            lambda job: export_orders(
                ctx,
                target,
                state=None if keys else state,
                keys=keys,
                lang=lang,
                progress=job.progress,
            ),  # fmt: skip
            title=QCoreApplication.translate("orders", "Exporting orders"),
        ).with_progress(beside=True).success(self._export_done).finally_(
            self._export_finished
        ).run()

    def _export_finished(self) -> None:
        self._exporting = False
        if alive(self):
            self._update_actions()

    def _export_done(self, report: Any) -> None:
        if not alive(self):
            return
        text = count_text(
            report.rows,
            QCoreApplication.translate("orders", "%n order exported to %1."),
            QCoreApplication.translate("orders", "%n orders exported to %1."),
        ).replace("%1", str(report.path))
        box = export_done_box(
            self,
            QCoreApplication.translate("orders", "Export finished"),
            text,
            QCoreApplication.translate("orders", "Open folder"),
            report.path,
        )
        box.setObjectName("ordersMessage")
        self.last_message = box
        box.open()

    def import_file(self) -> None:
        """Import orders from an .xlsx/.csv file, then show what was imported and rejected."""
        source = ask_open_file(
            self, self.ctx, IMPORT,
            QCoreApplication.translate("orders", "Import orders"),
            QCoreApplication.translate("orders", "Orders file (*.xlsx *.csv *.txt)"),
        )  # fmt: skip
        if source is None:
            return
        from primedist.services.seller_center_import import detect_file_format

        self._set_busy(True)
        Op(
            self,
            lambda _job: detect_file_format(source),
            title=QCoreApplication.translate("orders", "Reading the file"),
        ).success(lambda fmt: self._import_as(source, fmt)).finally_(
            lambda: self._set_busy(False)
        ).run()

    def _import_as(self, source: Path, fmt: Any) -> None:
        """The template at once; a Seller Center export after choosing its shop."""
        from primedist.io.seller_center import ExportFormat
        from primedist.ui.orders.import_dialog import ExportImportDialog

        if not alive(self):
            return
        if fmt == ExportFormat.TEMPLATE:
            self._run_import(source, fmt, None)
            return
        dialog = ExportImportDialog(self.ctx, source.name, fmt, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._run_import(source, dialog.chosen_format(), dialog.chosen_shop())
        )
        self.export_import_dialog = dialog
        dialog.open()

    def _run_import(self, source: Path, fmt: Any, shop: str | None) -> None:
        from primedist.services.seller_center_import import import_orders_file

        ctx = self.ctx
        self._set_busy(True)
        Op(
            self,
            lambda job: import_orders_file(ctx, source, fmt=fmt, shop=shop, progress=job.progress),
            title=QCoreApplication.translate("orders", "Importing orders"),
        ).with_progress().success(lambda r: self._after(self._show_import, r)).finally_(
            lambda: self._set_busy(False)
        ).run()

    def _show_import(self, report: Any) -> None:
        dialog = ImportReportDialog(import_summary(report), report.rejected, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.import_dialog = dialog
        dialog.open()

    # Dialogs of other parts ---------------------------------------------------------------
    def new_order(self) -> None:
        """The sale screen (counter, phone or chat order); the list refreshes on save."""
        from primedist.ui.orders.sale import SaleDialog

        dialog = SaleDialog(self.ctx, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.orderCreated.connect(lambda _id: self.refresh())
        dialog.open()

    def _show_context_menu(self, pos: QPoint) -> None:
        """Right-click on a row: it joins the selection (alone, unless it is in it)."""
        index = self.view.indexAt(pos)
        key = self.model.key_at(index.row()) if index.isValid() else None
        if key is None:
            return
        selection = self.view.selectionModel()
        if not selection.isRowSelected(index.row(), QModelIndex()):
            self.view.selectRow(index.row())
        number = self.model.raw_value(index.row(), "external_id") or ""
        self.build_context_menu(key, number).popup(self.view.viewport().mapToGlobal(pos))

    def build_context_menu(self, order_id: int, number: str = "") -> QMenu:
        """The row menu: open or edit that order, then the toolbar's actions on the
        selection (enabled as the buttons are)."""
        menu = QMenu(self)
        menu.setObjectName("ordersMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(QCoreApplication.translate("orders", "Open…")).triggered.connect(
            lambda: self.open_order(order_id)
        )
        edit = menu.addAction(QCoreApplication.translate("orders", "Edit…"))
        edit.triggered.connect(lambda: self.edit_order(order_id, number))
        edit.setEnabled(self._editable(order_id))
        menu.addAction(QCoreApplication.translate("orders", "Order again…")).triggered.connect(
            lambda: self.order_again(order_id)
        )
        menu.addSeparator()
        for button in (self.confirm_button, self.cancel_button, self.ship_button,
                       self.flag_button, self.unflag_button):  # fmt: skip
            action = menu.addAction(button.text())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)
        prints = print_menu(menu, self.printer, self.selected_ids, bulk=True,
                            carrier_labels=self.carrier_labels)  # fmt: skip
        prints.setTitle(self.print_button.text())
        menu.addMenu(prints).setEnabled(self.print_button.isEnabled())
        self.context_menu = menu
        return menu

    def _editable(self, order_id: int) -> bool:
        try:
            return edit_lock(self.ctx, order_id) is None
        except PrimedistError:
            return False

    def edit_order(self, order_id: int, number: str = "") -> None:
        """The sale form on an own order (Edit… of the row menu); the list refreshes on save."""
        from primedist.ui.orders.sale import SaleDialog

        dialog = SaleDialog(self.ctx, parent=self, edit_order_id=order_id, edit_number=number)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.orderSaved.connect(lambda _id: self.refresh())
        self.edit_dialog = dialog
        dialog.open()

    def order_again(self, order_id: int) -> None:
        """A new sale like this order (Order again… of the row menu)."""
        from primedist.ui.orders.sale import SaleDialog

        dialog = SaleDialog(self.ctx, parent=self, repeat_order_id=order_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.orderCreated.connect(lambda _id: self.refresh())
        self.edit_dialog = dialog
        dialog.open()

    def open_detail(self, index: QModelIndex | QPersistentModelIndex) -> None:
        """The order detail of a row (double-click or Enter)."""
        key = self.model.key_at(index.row())
        if key is not None:
            self.open_order(key)

    def open_order(self, order_id: int, parent: QWidget | None = None) -> OrderDetailDialog:
        """An order's detail over the list (or over `parent`)."""
        from primedist.ui.orders.detail import OrderDetailDialog

        dialog = OrderDetailDialog(self.ctx, order_id, parent=parent or self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self.refresh)
        dialog.openCustomer.connect(lambda customer_id: self._open_customer(dialog, customer_id))
        dialog.open()
        return dialog

    def _open_customer(self, detail: QDialog, customer_id: int) -> None:
        """An order's customer in the Customers tab, then its detail closes. When the
        Customers tab did not take this page's place (the customer was deleted meanwhile,
        or the user has no Customers access: the main window says so), the detail stays."""
        self.openCustomer.emit(customer_id)
        if not self.isVisible():
            detail.close()

    def shutdown(self) -> None:
        """Stop background loading (the window is closing)."""
        if alive(self):
            self._counts_timer.stop()
            self._outbox_timer.stop()
            self.model.stop()
