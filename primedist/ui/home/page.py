"""Home: what must I do today, and how is the business going (services.reports.dashboard).

The figures are read off the UI thread (Op); a newer request wins over an older one that
finishes late. To-do cards open the Orders or Products list filtered the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_datetime, shop_tz
from primedist.core.money import format_money, format_number
from primedist.queries.orders import OrderFilter
from primedist.queries.products import ProductFilter
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.services.shops import list_shops
from primedist.ui.analytics.definitions import definition
from primedist.ui.home.controls import RangeBar, change_text
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.list_tools import alive
from primedist.ui.ops import Op

#: To-do cards in order: key → (the Orders tab's status tab, or "" for products).
TODO_CARDS = (("pending", "pending"), ("shipping", "shipping"),
              ("return_refund", "return_refund"), ("cancelled", "cancelled"),
              ("low_stock", ""), ("no_revenue", ""))  # fmt: skip
PIE_COLOURS = ("#ee4d2d", "#0f146d", "#1a94ff", "#111111", "#16a34a", "#a855f7")


#: lupdate extracts translate("Context", "literal") calls, not a wrapper's.
translate = QCoreApplication.translate


class PieChart(QWidget):
    """New orders by channel: slices drawn with QPainter (no chart library needed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(220, 180)
        self.slices: list[tuple[str, int]] = []

    def set_slices(self, slices: list[tuple[str, int]]) -> None:
        self.slices = [(label, n) for label, n in slices if n > 0]
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        total = sum(n for _l, n in self.slices)
        side = min(self.height() - 10, self.width() // 2)
        box = QRectF(5, 5, side, side)
        if not total:
            painter.setPen(QColor("#9ca3af"))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, translate("HomePage", "No orders")
            )
            return
        angle = 90 * 16
        for i, (label, n) in enumerate(self.slices):
            span = -round(n * 360 * 16 / total)
            painter.setBrush(QColor(PIE_COLOURS[i % len(PIE_COLOURS)]))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPie(box, angle, span)
            angle += span
            y = 12 + i * 20
            painter.drawRect(QRectF(side + 20, y, 12, 12))
            painter.setPen(QColor("#111827"))
            share = n * 100 / total
            painter.drawText(QPointF(side + 38, y + 11), f"{label}: {n:,} ({share:.1f}%)")


class Card(QFrame):
    """A titled figure with an optional change line; clickable when it opens something."""

    clicked = Signal()

    def __init__(self, key: str, clickable: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setObjectName("muted")
        self.value = QLabel("…")
        self.value.setObjectName("cardValue")
        self.change = QLabel()
        for w in (self.title, self.value, self.change):
            layout.addWidget(w)
        self._clickable = clickable
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: Any) -> None:
        if self._clickable and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def show_change(self, pct: float | None, previous: str) -> None:
        text, colour = change_text(pct)
        self.change.setText(f"<span style='color:{colour}'>{text}</span> "
                            f"<span style='color:#6b7280'>{previous}</span>")  # fmt: skip


class HomePage(QWidget):
    """Home (see module docstring)."""

    #: Open the Orders tab: (status tab key, OrderFilter).
    openOrders = Signal(str, object)
    #: Open the Products list: a ProductFilter.
    openProducts = Signal(object)
    #: A refresh finished (tests wait on it).
    refreshed = Signal()

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_home")
        self.ctx = ctx
        self.tz = shop_tz()
        self.data: reports.Dashboard | None = None
        self._seq = 0
        self.running = 0
        outer = QVBoxLayout(self)
        self.bar = RangeBar(reports.today(ctx))
        outer.addWidget(self.bar)
        self.todo_title = QLabel()
        self.todo_title.setObjectName("sectionTitle")
        outer.addWidget(self.todo_title)
        todo = QHBoxLayout()
        self.todo: dict[str, Card] = {}
        for key, _tab in TODO_CARDS:
            card = Card(key, clickable=True)
            card.clicked.connect(lambda k=key: self.open_todo(k))
            self.todo[key] = card
            todo.addWidget(card)
        outer.addLayout(todo)
        figures = QHBoxLayout()
        self.revenue = Card("revenue")
        self.new_orders = Card("new_orders")
        figures.addWidget(self.revenue)
        figures.addWidget(self.new_orders)
        outer.addLayout(figures)
        grid = QGridLayout()
        self.channels = QTableWidget(0, 4)
        self.channels.setObjectName("channelTable")
        self.channels.verticalHeader().setVisible(False)
        self.channels.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.pie = PieChart()
        grid.addWidget(self.channels, 0, 0)
        grid.addWidget(self.pie, 0, 1)
        outer.addLayout(grid, 1)
        events_row = QHBoxLayout()
        self.events_title = QLabel()
        self.events_title.setObjectName("sectionTitle")
        self.see_more = QPushButton()
        self.see_more.clicked.connect(self.show_all_events)
        events_row.addWidget(self.events_title)
        events_row.addStretch(1)
        events_row.addWidget(self.see_more)
        outer.addLayout(events_row)
        self.events = QListWidget()
        self.events.setMaximumHeight(130)
        outer.addWidget(self.events)
        self.bar.changed.connect(self.refresh)
        self.bar.set_shops(list_shops(ctx))
        self.retranslate()
        self.refresh()

    # Data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the figures for the range and shops in the background."""
        self._seq += 1
        seq, ctx = self._seq, self.ctx
        (first, last), shops = self.bar.range(), self.bar.shop_ids()
        self.running += 1
        Op(
            self,
            lambda _job: reports.dashboard(ctx, first, last, shops),
            title=translate("HomePage", "Reading the figures"),
        ).success(lambda d: self._show(seq, d)).finally_(self._finished).run()

    def _finished(self) -> None:
        self.running -= 1

    def _show(self, seq: int, data: reports.Dashboard) -> None:
        if seq != self._seq or not alive(self):
            return
        self.data = data
        self._fill()
        self.refreshed.emit()

    def _fill(self) -> None:
        data = self.data
        if data is None:
            return
        lang = current_language()
        for key, card in self.todo.items():
            card.value.setText(format_number(data.todo.get(key, 0), lang))
        previous = translate("HomePage", "vs previous period: %1")
        self.revenue.value.setText(format_money(data.revenue.current, lang))
        self.revenue.show_change(
            data.revenue.change_pct,
            previous.replace("%1", format_money(data.revenue.previous, lang)),
        )
        self.new_orders.value.setText(format_number(data.new_orders.current, lang))
        self.new_orders.show_change(
            data.new_orders.change_pct,
            previous.replace("%1", format_number(data.new_orders.previous, lang)),
        )
        self.channels.setRowCount(len(data.channels))
        for r, row in enumerate(data.channels):
            text, colour = change_text(row.revenue.change_pct)
            shops = (translate("HomePage", "%1/%2 Shop").replace("%1", str(row.shops_linked))
                     .replace("%2", str(row.shops_total)) if row.shops_total
                     else translate("HomePage", "Not linked yet"))  # fmt: skip
            cells = (enum_label(row.channel), format_money(row.revenue.current, lang), text, shops)
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if c == 2:
                    item.setForeground(QColor(colour))
                self.channels.setItem(r, c, item)
        self.channels.resizeColumnsToContents()
        labels = {r.channel.value: enum_label(r.channel) for r in data.channels}
        self.pie.set_slices([(labels.get(k, k), n) for k, n in data.pie.items()])
        self.events.clear()
        for e in data.events:
            self.events.addItem(f"{format_datetime(e.created_at, self.tz, lang)}  "
                                f"{e.shop + ': ' if e.shop else ''}{e.message}")  # fmt: skip
        if not data.events:
            self.events.addItem(translate("HomePage", "Nothing has happened yet."))

    # Actions ------------------------------------------------------------------------------
    def open_todo(self, key: str) -> None:
        """Open the list behind a to-do card, filtered like the card's count."""
        (first, last), shops = self.bar.range(), self.bar.shop_ids()
        if key == "low_stock":
            self.openProducts.emit(ProductFilter(shop_ids=shops, statuses=("low_stock",)))
        elif key == "no_revenue":
            self.show_no_revenue()
        else:
            tab = dict(TODO_CARDS)[key]
            self.openOrders.emit(tab, OrderFilter(shop_ids=shops, date_from=first, date_to=last))

    def show_no_revenue(self) -> QDialog:
        """The active products with no counted order in the range (read in the background)."""
        dialog = QDialog(self)
        dialog.setObjectName("noRevenueDialog")
        dialog.setWindowTitle(translate("HomePage", "Products with no revenue"))
        layout = QVBoxLayout(dialog)
        table = QTableWidget(0, 2)
        table.setHorizontalHeaderLabels(
            [translate("HomePage", "Product"), translate("HomePage", "Available")]
        )
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(table)
        dialog.resize(520, 420)
        (first, last), shops, ctx = self.bar.range(), self.bar.shop_ids(), self.ctx

        def fill(rows: list[tuple[int, str, int]]) -> None:
            if not alive(table):
                return
            table.setRowCount(len(rows))
            for r, (_pid, name, stock) in enumerate(rows):
                table.setItem(r, 0, QTableWidgetItem(name))
                table.setItem(r, 1, QTableWidgetItem(format_number(stock, current_language())))

        Op(self, lambda _job: reports.no_revenue_products(ctx, first, last, shops)).success(
            fill).run()  # fmt: skip
        dialog.show()
        return dialog

    def show_all_events(self) -> QDialog:
        """ "See more": the newest 200 events of the chosen shops."""
        dialog = QDialog(self)
        dialog.setObjectName("eventsDialog")
        dialog.setWindowTitle(translate("HomePage", "Latest events"))
        layout = QVBoxLayout(dialog)
        listing = QListWidget()
        layout.addWidget(listing)
        dialog.resize(560, 480)
        ctx, shops, tz = self.ctx, self.bar.shop_ids(), self.tz

        def fill(rows: list[reports.EventRow]) -> None:
            if not alive(listing):
                return
            lang = current_language()
            for e in rows:
                listing.addItem(f"{format_datetime(e.created_at, tz, lang)}  "
                                f"{e.shop + ': ' if e.shop else ''}{e.message}")  # fmt: skip

        Op(self, lambda _job: reports.events(ctx, shops)).success(fill).run()
        dialog.show()
        return dialog

    def range(self) -> tuple[date, date]:
        return self.bar.range()

    # Language -----------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.todo_title.setText(translate("HomePage", "To do"))
        titles = {
            "pending": translate("HomePage", "Pending"),
            "shipping": translate("HomePage", "Shipping"),
            "return_refund": translate("HomePage", "Return/Refund"),
            "cancelled": translate("HomePage", "Cancelled"),
            "low_stock": translate("HomePage", "Low on stock"),
            "no_revenue": translate("HomePage", "No revenue"),
        }
        for key, card in self.todo.items():
            card.title.setText(titles[key])
            card.setToolTip(definition("todo"))
        self.revenue.title.setText(translate("HomePage", "Total revenue") + " ⓘ")
        self.revenue.setToolTip(definition("revenue"))
        self.new_orders.title.setText(translate("HomePage", "New orders") + " ⓘ")
        self.new_orders.setToolTip(definition("new_orders"))
        self.channels.setHorizontalHeaderLabels(
            [
                translate("HomePage", "Marketplace"),
                translate("HomePage", "Revenue"),
                translate("HomePage", "Change"),
                translate("HomePage", "Shops connected"),
            ]
        )
        self.events_title.setText(translate("HomePage", "Latest events"))
        self.see_more.setText(translate("HomePage", "See more"))
        self._fill()
