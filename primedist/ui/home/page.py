"""Home: what must I do today, and how is the business going (services.reports.dashboard).

The figures are read off the UI thread (Op); a newer request wins over an older one that
finishes late. They are read again when the range or shops change, each time the page
shows again (sales, confirms or syncs may have happened on the other tabs meanwhile) and,
while it shows, when a marketplace sync ends or the main window's watch (`ui.data_watch`)
sees the data changed elsewhere (a sale or a confirm at another PC, an import). To-do
cards open the Orders or Products list filtered the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QHideEvent,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import shop_tz
from primedist.core.money import format_money, format_number
from primedist.domain.enums import Channel, Module, Role
from primedist.errors import PrimedistError
from primedist.queries.customers import CustomerFilter
from primedist.queries.orders import STATUS_TABS, OrderFilter
from primedist.queries.products import ProductFilter
from primedist.services import backup, reports
from primedist.services.context import ServiceContext
from primedist.services.shops import list_shops
from primedist.services.sync import SYNC_STATE, SyncState
from primedist.ui.analytics.definitions import definition
from primedist.ui.formatting import format_percent
from primedist.ui.home.activity_text import feed_line
from primedist.ui.home.backup_notice import BackupNotice
from primedist.ui.home.controls import FiguresPage, RangeBar, change_text, compared_with
from primedist.ui.home.first_steps import FirstStepsCard
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.list_tools import alive
from primedist.ui.ops import Op, failure_text
from primedist.ui.widgets import align_headers, rows_height

#: To-do cards in order: key → (the Orders tab's status tab, or "" for products).
TODO_CARDS = (("pending", "pending"), ("to_pack", "confirmed"), ("shipping", "shipping"),
              ("return_refund", "return_refund"), ("cancelled", "cancelled"),
              ("low_stock", ""), ("no_revenue", ""))  # fmt: skip

#: The marketplace table's number columns (revenue, change), right-aligned like all money.
CHANNEL_NUMBERS = (1, 2)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: The keys that open a focused clickable card, as a click does.
OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)


def todo_module(key: str) -> Module:
    """The module whose list a to-do card opens (and whose users alone see it)."""
    return reports.TODO_MODULES[key]


#: The tabs Home's welcome offers to open (a staff member's Home without figures): key →
#: the module it needs, in the main window's order.
SHORTCUTS = (("analytics", Module.ANALYTICS), ("products", Module.PRODUCTS),
             ("orders", Module.ORDERS), ("customers", Module.CUSTOMERS),
             ("settings", Module.SETTINGS))  # fmt: skip


#: Each channel's colour on the pie, whichever channels have orders (Shopee stays orange
#: when it is alone), as the demo with every channel shows them.
PIE_COLOURS = {Channel.SHOPEE: "#ee4d2d", Channel.LAZADA: "#0f146d", Channel.TIKI: "#1a94ff",
               Channel.TIKTOK: "#111111", Channel.OFFLINE: "#16a34a",
               Channel.WEBSTORE: "#a855f7"}  # fmt: skip
#: A channel the table above does not know (a newer version's data).
PIE_OTHER = "#9ca3af"
#: While Home shows, how often it looks whether a marketplace sync ended (a cheap read of
#: the scheduler's status object, no database).
SYNC_WATCH_MS = 2000


#: lupdate extracts translate("Context", "literal") calls, not a wrapper's.
translate = QCoreApplication.translate


def slice_colour(channel: str) -> str:
    """The pie's colour of a channel (its stored value)."""
    try:
        return PIE_COLOURS[Channel(channel)]
    except ValueError:
        return PIE_OTHER


class PieChart(QWidget):
    """New orders by channel: slices drawn with QPainter (no chart library needed), the
    legend on the right; the widget asks for the width its legend needs, never clipping it."""

    PIE_MIN, SWATCH, GAP, ROW = 120, 12, 8, 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: (label, orders) of the slices drawn, and their colours.
        self.slices: list[tuple[str, int]] = []
        self.colours: list[str] = []
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_slices(self, slices: list[tuple[str, str, int]]) -> None:
        """(channel, label, orders) of each slice; a channel without orders gets none."""
        shown = [(channel, label, n) for channel, label, n in slices if n > 0]
        self.slices = [(label, n) for _c, label, n in shown]
        self.colours = [slice_colour(channel) for channel, _l, _n in shown]
        self.updateGeometry()
        self.update()

    def legend_lines(self) -> list[str]:
        total = sum(n for _l, n in self.slices)
        lang = current_language()
        return [f"{label}: {format_number(n, lang)} ({format_percent(n * 100 / total, lang, 1)})"
                for label, n in self.slices] if total else []  # fmt: skip

    def legend_width(self) -> int:
        metrics = self.fontMetrics()
        widths = [metrics.horizontalAdvance(line) for line in self.legend_lines()]
        return self.SWATCH + self.GAP + max(widths, default=0) + 8

    def minimumSizeHint(self) -> QSize:
        return QSize(self.PIE_MIN + 2 * self.GAP + self.legend_width(), self.PIE_MIN + 10)

    def sizeHint(self) -> QSize:
        return QSize(180 + 3 * self.GAP + self.legend_width(), 190)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        lines = self.legend_lines()
        if not lines:
            painter.setPen(QColor("#9ca3af"))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, translate("HomePage", "No orders")
            )
            return
        total = sum(n for _l, n in self.slices)
        side = max(40, min(self.height() - 10, self.width() - self.legend_width() - 3 * self.GAP))
        box = QRectF(self.GAP, (self.height() - side) / 2, side, side)
        angle = 90 * 16
        legend_x = box.right() + 2 * self.GAP
        legend_y = (self.height() - len(lines) * self.ROW) / 2
        drawn = zip(self.slices, self.colours, lines, strict=True)
        for i, ((_label, n), colour, line) in enumerate(drawn):
            span = -round(n * 360 * 16 / total)
            painter.setBrush(QColor(colour))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPie(box, angle, span)
            angle += span
            y = legend_y + i * self.ROW
            painter.drawRoundedRect(QRectF(legend_x, y + 3, self.SWATCH, self.SWATCH), 3, 3)
            painter.setPen(QColor("#111827"))
            painter.drawText(QPointF(legend_x + self.SWATCH + self.GAP, y + 14), line)


class Card(QFrame):
    """A white panel: a muted title (with room for an action on its right), a large bold
    figure and a change line; `compact` for the to-do row, `clickable` when it opens
    something (hand cursor and a hover outline from resources/style.qss). `narrow` for
    cards five in a row (Analytics on a 1280-pixel screen): the title and the change line
    wrap, and the note and actions get a line of their own at the bottom (on the title's
    line they went over it and were cut)."""

    clicked = Signal()

    def __init__(self, key: str, clickable: bool = False, parent: QWidget | None = None, *,
                 compact: bool = False, narrow: bool = False) -> None:  # fmt: skip
        super().__init__(parent)
        self.key = key
        self.setObjectName("card")
        self.setProperty("compact", compact)
        self.setProperty("clickable", clickable)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover, clickable)
        # Narrow cards are as tall as the row's tallest (a wrapped line makes one taller).
        tall = QSizePolicy.Policy.Preferred if narrow else QSizePolicy.Policy.Maximum
        self.setSizePolicy(QSizePolicy.Policy.Preferred, tall)
        layout = QVBoxLayout(self)
        # Narrow cards have a line more: tighter margins and spacing make room for it (a
        # top five below them still fits whole on a 1366 × 768 laptop).
        margins = (14, 10, 14, 10) if compact else (16, 6, 16, 6) if narrow else (16, 12, 16, 12)
        layout.setContentsMargins(*margins)
        layout.setSpacing(2 if compact or narrow else 4)
        self.head = QHBoxLayout()
        self.head.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel()
        self.title.setObjectName("muted")
        self.title.setWordWrap(narrow)
        self.head.addWidget(self.title, 1 if narrow else 0)
        if not narrow:
            self.head.addStretch(1)
        if clickable:  # a chevron says "this opens something", as on KiotViet's cards
            chevron = QLabel("›")
            chevron.setObjectName("cardChevron")
            self.head.addWidget(chevron)
        layout.addLayout(self.head)
        self.value = QLabel("…")
        self.value.setObjectName("cardValue")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout.addWidget(self.value)
        self.change = QLabel()
        self.change.setObjectName("cardChange")
        self.change.setWordWrap(narrow)
        layout.addWidget(self.change)
        self.change.setVisible(not compact)
        #: Where the note and actions go: the title's line, or a line of their own at the
        #: bottom (the note on its left, the actions on its right).
        self.extras = self.head
        if narrow:
            self.extras = QHBoxLayout()
            self.extras.setContentsMargins(0, 0, 0, 0)
            self.extras.addStretch(1)
            layout.addStretch(1)  # the bottom lines of a row's cards level
            layout.addLayout(self.extras)
        self._narrow = narrow
        self._clickable = clickable
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            # Tab reaches it (a blue frame from resources/style.qss); Enter or Space opens it.
            self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def add_action(self, widget: QWidget) -> None:
        """Put a button (e.g. "See detail") at the right of the title's line (of the bottom
        line on a narrow card)."""
        self.extras.addWidget(widget)

    def mouseReleaseEvent(self, event: Any) -> None:
        if self._clickable and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._clickable and event.key() in OPEN_KEYS and not event.isAutoRepeat():
            self.clicked.emit()
            return
        super().keyPressEvent(event)

    def name_for_readers(self) -> None:
        """What a screen reader says on reaching the card: its title and figure
        ("Pending 12"); called whenever either changes."""
        title = self.title.text().removesuffix(" ⓘ")
        self.setAccessibleName(f"{title} {self.value.text()}".strip())

    def set_note(self, text: str, tip: str = "") -> None:
        """A small muted figure (e.g. the margin) at the right of the title's line (on a
        narrow card at the left of the bottom line, before the actions)."""
        note = getattr(self, "note", None)
        if note is None:
            note = self.note = QLabel()
            note.setObjectName("cardNote")
            if self._narrow:
                self.extras.insertWidget(0, note)
            else:
                self.extras.addWidget(note)
        note.setText(text)
        note.setToolTip(tip)
        note.setVisible(bool(text))

    def show_margin(self, profit: int, revenue: int) -> None:
        """ "Margin 32.5%" = gross profit ÷ revenue of the same period (none without revenue)."""
        text = ""
        if revenue > 0:
            pct = format_percent(profit * 100 / revenue, current_language(), 1)
            text = translate("HomePage", "Margin %1").replace("%1", pct)
        self.set_note(text, translate("HomePage", "Gross profit ÷ revenue of the same period"))

    def show_change(self, pct: float | None, previous: str, *, points: bool = False) -> None:
        text, colour = change_text(pct, points=points)
        # A line too long (narrow cards) breaks before "previous: …", not inside it.
        before = "color:#6b7280; white-space:nowrap"
        self.change.setText(f"<span style='color:{colour}'>{text}</span> "
                            f"<span style='{before}'>{previous}</span>")  # fmt: skip


def fit_height(table: QTableWidget) -> None:
    """Make a short table exactly as tall as its header and rows (no empty panel below)."""
    table.setFixedHeight(rows_height(table))


def fit_lines(listing: QListWidget) -> None:
    """A list no taller than its lines as laid out (a long one wrapped over two), at least
    its minimum: a short list never grows."""
    listing.doItemsLayout()
    lines = sum(
        max(listing.visualItemRect(listing.item(r)).height(), listing.sizeHintForRow(r))
        for r in range(listing.count())
    )
    listing.setMaximumHeight(max(listing.minimumHeight(), lines + 2 * listing.frameWidth() + 6))


class CardRow(QWidget):
    """The to-do cards in one row when they fit the page's width, else in two (eight
    cards on a 1024-pixel window: one row pushed the page past the window's edge and cut
    the titles "Trả hàng/Hoàn tiền", "Sản phẩm chưa bán" and the money of "Khách nợ")."""

    def __init__(self, spacing: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(spacing)
        self.cards: list[QWidget] = []
        self._placed: tuple[int, ...] = ()

    def add(self, card: QWidget) -> None:
        # A child from the start: a parentless card shown before it was laid out opened as
        # a window of its own, and one reparented into the grid while the page showed was
        # hidden by Qt, left out of the grid, then shown over the first card ("Customers
        # owe" on "Pending").
        card.setParent(self)
        card.installEventFilter(self)
        self.cards.append(card)
        self.arrange()

    def arrange(self) -> None:
        """Lay the shown cards out for the current width: again when one shows or hides
        or a title changes (the language), whoever changed it."""
        shown = [c for c in self.cards if not c.isHidden()]
        spacing = self.grid.spacing()
        one_row = sum(c.sizeHint().width() for c in shown) + spacing * max(len(shown) - 1, 0)
        cols = len(shown) if one_row <= self.width() or len(shown) <= 4 else -(-len(shown) // 2)
        placed = (cols, *(id(c) for c in shown))
        if placed == self._placed:
            return
        self._placed = placed
        for card in self.cards:
            self.grid.removeWidget(card)
        for col in range(self.grid.columnCount()):
            self.grid.setColumnStretch(col, 0)
        per_row = max(cols, 1)
        for i, card in enumerate(shown):
            self.grid.addWidget(card, i // per_row, i % per_row)
        # The hidden ones stay in the grid, on a row of their own that takes no room: one
        # shown later is laid out, never left where it last was, over another card.
        spare_row = -(-len(shown) // per_row)
        for i, card in enumerate(c for c in self.cards if c.isHidden()):
            self.grid.addWidget(card, spare_row, i)
        for col in range(cols):
            self.grid.setColumnStretch(col, 1)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            self.arrange()
        return False

    def event(self, event: QEvent) -> bool:
        # A card's size changed (a title in another language, a larger figure): one row
        # may no longer fit, or fit again.
        if event.type() == QEvent.Type.LayoutRequest:
            self.arrange()
        return super().event(event)

    def minimumSizeHint(self) -> QSize:
        """As narrow as two rows of the cards: one row is what the width decides."""
        shown = [c for c in self.cards if not c.isHidden()]
        per_row = -(-len(shown) // 2)
        widest = max((c.minimumSizeHint().width() for c in shown), default=0)
        width = per_row * widest + self.grid.spacing() * max(per_row - 1, 0)
        return QSize(width, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.arrange()


class FeedList(QListWidget):
    """The latest events, each line whole: a long one wraps at the list's width (a
    sideways scroll bar covered a line of a narrow window), the list as tall as its
    lines at every width."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            fit_lines(self)


def spread_columns(table: QTableWidget) -> None:
    """Each column as wide as its title or its widest cell, and the width left over
    shared among them all (packed on the left, they left the marketplace table's right
    two thirds empty on a wide screen); the table never narrower than its texts."""
    header = table.horizontalHeader()
    needs = [max(header.sectionSizeHint(c), table.sizeHintForColumn(c))
             for c in range(table.columnCount())]  # fmt: skip
    table.setMinimumWidth(sum(needs) + 2 * table.frameWidth())
    spare = max(0, table.viewport().width() - sum(needs)) // max(1, len(needs))
    for c, need in enumerate(needs):
        header.resizeSection(c, need + spare)


def show_all(widgets: tuple[QWidget, ...], visible: bool) -> None:
    for widget in widgets:
        widget.setVisible(visible)


class ColumnSpreader(QObject):
    """Spreads a table's columns (spread_columns) again each time its viewport is resized."""

    def __init__(self, table: QTableWidget) -> None:
        super().__init__(table)
        self.table = table
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # What a spread measured before the layout settled leaves (a scroll bar gone since):
        # the last column takes it, no grey strip at the right.
        table.horizontalHeader().setStretchLastSection(True)
        # Never a sideways scroll bar: the table is as wide as its texts at least (its
        # minimum width), and a bar would cover its last row (the counter's).
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The viewport, not the table: when the table's own resize is seen, its viewport
        # still has the old width, and columns spread over a wider window overflowed.
        self.viewport = table.viewport()
        self.viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.viewport and event.type() == QEvent.Type.Resize and alive(self.table):
            spread_columns(self.table)
        return False


class HomePage(FiguresPage):
    """Home (see module docstring)."""

    #: Open the Orders tab: (status tab key, OrderFilter).
    openOrders = Signal(str, object)
    #: Open the Products list: a ProductFilter.
    openProducts = Signal(object)
    #: Open the Customers list: a CustomerFilter (the Customers owe card).
    openCustomers = Signal(object)
    #: A refresh finished (tests wait on it).
    refreshed = Signal()
    #: The figures are read again whenever Home shows after it was hidden (FiguresPage):
    #: a change made elsewhere meanwhile asks the main window nothing more then.
    refreshes_when_shown = True
    #: A first step was chosen on the Getting started card (a key of first_steps.STEPS).
    startStep = Signal(str)
    #: The welcome (a Home without figures) asks for a tab: its key (one of SHORTCUTS).
    openTab = Signal(str)
    #: The backup notice's link: open Settings → Backup & restore.
    openBackup = Signal()

    def __init__(
        self, ctx: ServiceContext, parent: QWidget | None = None, *,
        sync_state: SyncState = SYNC_STATE,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("page_home")
        self.ctx = ctx
        self.tz = shop_tz()
        self.data: reports.Dashboard | None = None
        self._seq = 0
        self._sync_state = sync_state
        self._syncs_seen = self._sync_mark()
        self.sync_watch = QTimer(self)
        self.sync_watch.setInterval(SYNC_WATCH_MS)
        self.sync_watch.timeout.connect(self._watch_syncs)
        #: What the user's modules let them see (the figures read say it again, for the
        #: account as it stands then).
        self.parts = reports.home_parts(ctx.actor)
        outer = QVBoxLayout(self)
        self.bar = RangeBar(lambda: reports.today(ctx))
        outer.addWidget(self.bar)
        # No figure follows the dates or shops: no range bar to choose them.
        self.bar.setVisible(self.parts.ranged)
        self.welcome = self._welcome()
        outer.addWidget(self.welcome)
        # A new shop's first steps, for those who may take them (owner and managers).
        self.first_steps = FirstStepsCard()
        self.first_steps.stepChosen.connect(self.startStep)
        self.may_set_up = ctx.actor.can(Module.SETTINGS)
        outer.addWidget(self.first_steps)
        # The backups all on this PC for a week or more (the owner and managers: who back
        # up and restore).
        self.may_back_up = ctx.actor.role in (Role.OWNER, Role.MANAGER)
        self.backup_notice = BackupNotice()
        self.backup_notice.openBackup.connect(self.openBackup)
        outer.addWidget(self.backup_notice)
        self.todo_title = QLabel()
        self.todo_title.setObjectName("sectionTitle")
        outer.addWidget(self.todo_title)
        self.todo_row = todo = CardRow(10)
        self.todo: dict[str, Card] = {}
        for key, _tab in TODO_CARDS:
            # Everyone sees the counts; only who may open the list behind a card can click.
            card = Card(key, clickable=ctx.actor.can(todo_module(key)), compact=True)
            card.clicked.connect(lambda k=key: self.open_todo(k))
            self.todo[key] = card
            todo.add(card)
        # What customers owe for sales on account (not a count: the money), for those who
        # may see customers; the figure is the shop's, whatever the range and shops.
        self.owing = Card("owing", clickable=True, compact=True)
        self.owing.clicked.connect(self.open_owing)
        self.owing.setVisible(False)
        todo.add(self.owing)
        outer.addWidget(todo)
        figures = QHBoxLayout()
        figures.setSpacing(10)
        self.revenue = Card("revenue")
        self.profit = Card("profit")  # for who sees Analytics (the costs are the shop's)
        self.profit.setVisible(False)
        # Revenue sold with no cost price counts whole as profit: said under the figure,
        # one click from the products to give a cost (a synced shop's often have none).
        self.no_cost = QPushButton()
        self.no_cost.setObjectName("noCostLink")
        self.no_cost.setCursor(Qt.CursorShape.PointingHandCursor)
        self.no_cost.setVisible(False)
        self.no_cost.clicked.connect(self.open_no_cost)
        profit_layout = self.profit.layout()
        assert profit_layout is not None
        profit_layout.addWidget(self.no_cost)
        self.new_orders = Card("new_orders")
        figures.addWidget(self.revenue)
        figures.addWidget(self.profit)
        figures.addWidget(self.new_orders)
        outer.addLayout(figures)
        outer.addLayout(self._channels_row())
        events_row = QHBoxLayout()
        self.events_title = QLabel()
        self.events_title.setObjectName("sectionTitle")
        self.see_more = QPushButton()
        self.see_more.setObjectName("linkButton")
        self.see_more.setCursor(Qt.CursorShape.PointingHandCursor)
        self.see_more.clicked.connect(self.show_all_events)
        events_row.addWidget(self.events_title)
        events_row.addStretch(1)
        events_row.addWidget(self.see_more)
        outer.addLayout(events_row)
        self.events = FeedList()
        self.events.setObjectName("homeEvents")
        self.events.setMinimumHeight(90)
        outer.addWidget(self.events)
        # A tall screen's spare height below the page, not in a list of 5 lines (it took
        # 40% of a 1080-pixel screen).
        outer.addStretch(1)
        self.bar.changed.connect(self.refresh)
        self._show_parts()
        self.retranslate()
        self.refresh()  # fills the shop picker too

    def _welcome(self) -> QFrame:
        """For a staff member whose modules show no figure here: their name, a line
        saying so, and a button to each tab they may open."""
        panel = QFrame()
        panel.setObjectName("homeWelcome")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(16, 12, 16, 12)
        self.welcome_title = QLabel()
        self.welcome_title.setObjectName("sectionTitle")
        self.welcome_text = QLabel()
        self.welcome_text.setObjectName("muted")
        self.welcome_text.setWordWrap(True)
        layout.addWidget(self.welcome_title)
        layout.addWidget(self.welcome_text)
        buttons = QHBoxLayout()
        self.shortcuts: dict[str, QPushButton] = {}
        for key, module in SHORTCUTS:
            if not self.ctx.actor.can(module):
                continue
            button = QPushButton()
            button.setObjectName("linkButton")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _c=False, k=key: self.openTab.emit(k))
            buttons.addWidget(button)
            self.shortcuts[key] = button
        buttons.addStretch(1)
        layout.addLayout(buttons)
        panel.hide()
        return panel

    def _channels_row(self) -> QHBoxLayout:
        """The per-marketplace table sized to its rows, and the pie beside it with room for
        its legend."""
        row = QHBoxLayout()
        row.setSpacing(10)
        self.channels = QTableWidget(0, 4)
        self.channels.setObjectName("channelTable")
        self.channels.verticalHeader().setVisible(False)
        self.channels.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.channels.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.channels.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.channels.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        align_headers(self.channels, right=CHANNEL_NUMBERS)
        ColumnSpreader(self.channels)
        self.pie_panel = QFrame()
        self.pie_panel.setObjectName("card")
        pie_layout = QVBoxLayout(self.pie_panel)
        pie_layout.setContentsMargins(8, 6, 8, 6)
        self.pie = PieChart()
        pie_layout.addWidget(self.pie)
        row.addWidget(self.channels, 3, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.pie_panel, 2, Qt.AlignmentFlag.AlignTop)
        return row

    # Data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the figures for the range and shops in the background (the shops first,
        here: a few rows, and a shop added since sign-in joins the picker)."""
        self._seq += 1
        seq, ctx = self._seq, self.ctx
        self.bar.set_shops(list_shops(ctx))
        (first, last), shops = self.bar.range(), self.bar.shop_ids()
        compare = self.bar.compare()  # This month: against the same days of last month
        self.running += 1
        Op(
            self,
            lambda _job: reports.dashboard(ctx, first, last, shops, compare=compare),
            title=translate("HomePage", "Reading the figures"),
        ).success(lambda d: self._show(seq, d, (first, last))).failure(
            lambda exc: self._refused(self.bar, exc) if seq == self._seq else None
        ).finally_(self._finished).run()
        if self.may_set_up:
            Op(self, lambda _job: reports.first_steps(ctx)).success(self._show_steps).run()
        if self.may_back_up:
            Op(self, lambda _job: backup.outside_notice(ctx)).success(self._show_backup).failure(
                self._no_backup_notice
            ).run()

    def _show_backup(self, notice: backup.OutsideNotice | None) -> None:
        if alive(self):
            self.backup_notice.show_notice(notice)

    def _no_backup_notice(self, exc: BaseException) -> None:
        """A refusal (the account no longer a manager's) hides the notice, unsaid: it is
        advice, not what the user asked for; a bug is reported as usual."""
        if alive(self):
            self.backup_notice.show_notice(None)
            if not isinstance(exc, PrimedistError):
                failure_text(self, exc)

    def _show_steps(self, steps: reports.FirstSteps) -> None:
        if alive(self):
            self.first_steps.show_steps(steps)

    # Staying current (and read again on show: FiguresPage) -------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        self._syncs_seen = self._sync_mark()
        self.sync_watch.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.sync_watch.stop()

    def _sync_mark(self) -> tuple[Any, frozenset[str]]:
        """(last successful sync, shops syncing now, here or on another PC) of the
        scheduler's status object (the status bar reads the other PCs' into it)."""
        snap = self._sync_state.snapshot()
        elsewhere = {f"{shop} ({pc})" for shop, pc in snap.get("elsewhere", [])}
        return snap["last_sync_at"], frozenset(snap["running"]) | elsewhere

    def follow_changes(self, *, arriving: bool = False) -> bool:
        """The shop's data changed elsewhere (the main window's `DataWatch`, while Home
        shows): the figures are read again, after the read running now if one is; not
        while a menu is open (the shops, a range, a calendar) or a mouse button is held
        (unless Home just showed: `arriving`, the tab clicked), which the figures read
        would move under the user: False, asked again at the watch's next read."""
        if QApplication.activePopupWidget() is not None:
            return False
        if not arriving and QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            return False
        self.refresh_when_idle()
        return True

    def _watch_syncs(self) -> None:
        """While Home shows: a sync that ended (a new last sync, or a shop no longer
        syncing, even after a failure half-way) may have brought orders: read again."""
        last, running = mark = self._sync_mark()
        seen_last, seen_running = self._syncs_seen
        self._syncs_seen = mark
        if last != seen_last or seen_running - running:
            self.refresh_when_idle()

    def _show(self, seq: int, data: reports.Dashboard, days: tuple[date, date]) -> None:
        if seq != self._seq or not alive(self):
            return
        self.data, self.shown_range = data, days
        self._fill()
        self.refreshed.emit()

    def _show_parts(self) -> None:
        """Show what the user may see, hide the rest (not zeros): as their modules allow
        until the figures come, then as the figures read say (their account now)."""
        data = self.data
        todo = self.parts.todo if data is None else tuple(data.todo)
        sales = self.parts.sales if data is None else data.revenue is not None
        for key, card in self.todo.items():
            card.setVisible(key in todo)
        self.todo_row.arrange()
        owing = not self.owing.isHidden()
        self.todo_title.setVisible(bool(todo) or owing)
        show_all((self.revenue, self.new_orders, self.channels, self.pie_panel), sales)
        events = self.parts.news or bool(data is not None and data.events)
        show_all((self.events_title, self.see_more, self.events), events)
        # Until the figures come, the debts are not known: no welcome that would go.
        figures = bool(todo) or sales or (owing if data is not None else self.parts.owing)
        self.welcome.setVisible(not figures)

    def _fill(self) -> None:
        data = self.data
        if data is None:
            return
        lang = current_language()
        for key, card in self.todo.items():
            card.value.setText(format_number(data.todo.get(key, 0), lang))
            card.name_for_readers()
        self._fill_owing()
        self._show_parts()
        self._fill_events()
        self.profit.setVisible(data.profit is not None)
        if data.revenue is None or data.new_orders is None:
            return  # nor the marketplaces and the pie (reports.home_parts)
        previous = translate("HomePage", "vs previous period: %1")
        self.revenue.value.setText(format_money(data.revenue.current, lang))
        self.revenue.show_change(
            data.revenue.change_pct,
            previous.replace("%1", format_money(data.revenue.previous, lang)),
        )
        if data.profit is not None:
            self.profit.value.setText(format_money(data.profit.current, lang))
            self.profit.show_change(
                data.profit.change_pct,
                previous.replace("%1", format_money(data.profit.previous, lang)),
            )
            self.profit.show_margin(data.profit.current, data.revenue.current)
        self._fill_no_cost()
        self.new_orders.value.setText(format_number(data.new_orders.current, lang))
        self.new_orders.show_change(
            data.new_orders.change_pct,
            previous.replace("%1", format_number(data.new_orders.previous, lang)),
        )
        against = compared_with(data.period, lang)
        for card in (self.revenue, self.profit, self.new_orders):
            card.change.setToolTip(against)
        self._fill_channels(data.channels or [], data.pie or {})

    def _fill_no_cost(self) -> None:
        """ "⚠ 9,380,000 ₫ of revenue has no cost price (3 products)" under the gross
        profit, when some of the range's revenue was sold with no cost."""
        no_cost = None if self.data is None else self.data.no_cost
        self.no_cost.setVisible(bool(no_cost and no_cost[0] > 0))
        if not no_cost:
            return
        revenue, products = no_cost
        lang = current_language()
        text = (
            translate("HomePage", "%1 of revenue has no cost price (1 product)")
            if products == 1
            else translate("HomePage", "%1 of revenue has no cost price (%2 products)")
        )
        self.no_cost.setText("⚠ " + text.replace("%1", format_money(revenue, lang))
                             .replace("%2", format_number(products, lang)))  # fmt: skip
        tip = translate(
            "HomePage",
            "Lines sold with no cost price count their whole price as gross profit, so it "
            "shows too high. Click to see the products with no cost price and give them "
            "one: sales from then on count it (orders already made keep theirs).",
        )
        self.no_cost.setToolTip(tip)

    def open_no_cost(self) -> None:
        """The Products list of the products with no cost price, on Home's shops."""
        self.openProducts.emit(ProductFilter(shop_ids=self.bar.shop_ids(),
                                             statuses=("no_cost",)))  # fmt: skip

    def _fill_channels(self, channels: list[reports.ChannelRow], pie: dict[str, int]) -> None:
        lang = current_language()
        self.channels.setRowCount(len(channels))
        for r, row in enumerate(channels):
            text, colour = change_text(row.revenue.change_pct)
            if not row.channel.is_marketplace:  # the shop's own counter: nothing to link
                shops = "—"
            elif row.shops_total:
                shops = (translate("HomePage", "%1/%2 Shop").replace("%1", str(row.shops_linked))
                         .replace("%2", str(row.shops_total)))  # fmt: skip
            else:
                shops = translate("HomePage", "Not linked yet")
            cells = (enum_label(row.channel), format_money(row.revenue.current, lang), text, shops)
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if c in CHANNEL_NUMBERS:  # amounts and changes line up on their digits
                    item.setTextAlignment(RIGHT)
                if c == 2:
                    item.setForeground(QColor(colour))
                self.channels.setItem(r, c, item)
        fit_height(self.channels)
        spread_columns(self.channels)
        self.pie_panel.setFixedHeight(max(self.channels.height(), self.pie.PIE_MIN + 24))
        labels = {r.channel.value: enum_label(r.channel) for r in channels}
        self.pie.set_slices([(k, labels.get(k, k), n) for k, n in pie.items()])

    def _fill_events(self) -> None:
        events = [] if self.data is None else self.data.events
        self.events.clear()
        for e in events:
            self.events.addItem(feed_line(e, self.tz))
        if not events and self.ctx.actor.role in (Role.OWNER, Role.MANAGER):
            # Say what will show: a first product or sale is not an event.
            self.events.addItem(translate(
                "HomePage", "Nothing yet. Order syncs, imports, goods received, backups, "
                "low stock and customer rank changes will show here."))  # fmt: skip
        elif not events:  # a staff member sees only some of them
            self.events.addItem(translate("HomePage", "No news yet."))
        fit_lines(self.events)

    def _fill_owing(self) -> None:
        owing = self.data.owing if self.data is not None else None
        self.owing.setVisible(owing is not None and owing[0] > 0)  # a shop that sells on
        self.todo_row.arrange()  # account sees it; the others are spared a card of zeros
        if owing is None:
            return
        count, owed = owing
        lang = current_language()
        self.owing.title.setText(translate("HomePage", "Customers owe (%1)").replace(
            "%1", format_number(count, lang)))  # fmt: skip
        self.owing.value.setText(format_money(owed, lang))
        self.owing.name_for_readers()

    # Actions ------------------------------------------------------------------------------
    def open_owing(self) -> None:
        """The Customers list of those who owe money (sales on account)."""
        self.openCustomers.emit(CustomerFilter(owes_money=True))

    def open_todo(self, key: str) -> None:
        """Open the list behind a to-do card, filtered like the card's count."""
        (first, last), shops = self.bar.range(), self.bar.shop_ids()
        if key == "low_stock":
            self.openProducts.emit(ProductFilter(shop_ids=shops, statuses=("low_stock",)))
        elif key == "no_revenue":
            self.show_no_revenue()
        elif key in reports.WAITING:  # work waiting now: every date, as the count
            # Return/Refund counts the returns under way, not those already returned.
            flt = OrderFilter(shop_ids=shops, returns_under_way=key == "return_refund")
            self.openOrders.emit(dict(TODO_CARDS)[key], flt)
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
        table.verticalHeader().setVisible(False)
        align_headers(table, right=(1,))  # the stock
        # The names take the width the stock leaves (they read "Đèn ngủ …" in a narrow
        # column beside an empty half); one still too long is whole in its tooltip.
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(table)
        dialog.resize(520, 420)
        (first, last), shops, ctx = self.bar.range(), self.bar.shop_ids(), self.ctx

        def fill(rows: list[tuple[int, str, int]]) -> None:
            if not alive(table):
                return
            table.setRowCount(len(rows))
            for r, (_pid, name, stock) in enumerate(rows):
                item = QTableWidgetItem(name)
                item.setToolTip(name)
                table.setItem(r, 0, item)
                available = QTableWidgetItem(format_number(stock, current_language()))
                available.setTextAlignment(RIGHT)
                table.setItem(r, 1, available)

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
            for e in rows:
                listing.addItem(feed_line(e, tz))

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
            # The Orders tab it opens is named by the status (Confirmed): the card says so
            # first, then what is to do, so the owner reads one name for one list.
            "to_pack": translate("HomePage", "%1 – to pack").replace(
                "%1", enum_label(STATUS_TABS[dict(TODO_CARDS)["to_pack"]][0])
            ),
            "shipping": translate("HomePage", "Shipping"),
            "return_refund": translate("HomePage", "Return/Refund"),
            "cancelled": translate("HomePage", "Cancelled"),
            "low_stock": translate("HomePage", "Low on stock"),
            "no_revenue": translate("HomePage", "No revenue"),
        }
        tips = {
            "pending": translate("HomePage", "Orders waiting for you to confirm them."),
            "to_pack": translate(
                "HomePage", "Confirmed orders not yet handed to the carrier: to pack."),
            "shipping": translate("HomePage", "Orders out for delivery."),
            "return_refund": translate(
                "HomePage", "Returns under way: the goods or the refund still to settle."),
            "cancelled": translate(
                "HomePage", "Orders placed in the dates above that were cancelled."),
            "low_stock": translate("HomePage", "Products low on stock."),
            "no_revenue": translate(
                "HomePage", "Active products with no order counted in revenue in the dates "
                "above."),
        }  # fmt: skip
        waiting = translate("HomePage", "Waiting now, whatever the dates above.")
        for key, card in self.todo.items():
            card.title.setText(titles[key])
            card.name_for_readers()
            tip = tips[key] + (" " + waiting if key in reports.WAITING else "")
            card.setToolTip(tip)
        self.owing.setToolTip(translate(
            "HomePage", "What customers owe for sales on account (the whole shop, whatever "
            "the dates): click to see who"))  # fmt: skip
        self._fill_owing()
        self.revenue.title.setText(translate("HomePage", "Total revenue") + " ⓘ")
        self.revenue.setToolTip(definition("revenue"))
        self.profit.title.setText(translate("HomePage", "Gross profit") + " ⓘ")
        self.profit.setToolTip(definition("profit"))
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
        self._retranslate_welcome()
        self._fill()

    def _retranslate_welcome(self) -> None:
        self.welcome_title.setText(translate("HomePage", "Hello, %1").replace(
            "%1", self.ctx.actor.name))  # fmt: skip
        text = translate("HomePage", "Your account has no shop figures to show here.")
        if self.shortcuts:
            text += " " + translate("HomePage", "Your work is on the tabs below.")
        else:
            text += " " + translate(
                "HomePage", "Ask the shop owner for access to the parts of the shop you "
                "work on.")  # fmt: skip
        self.welcome_text.setText(text)
        names = {
            "analytics": translate("HomePage", "Open Analytics"),
            "products": translate("HomePage", "Open Products"),
            "orders": translate("HomePage", "Open Orders"),
            "customers": translate("HomePage", "Open Customers"),
            "settings": translate("HomePage", "Open Settings"),
        }
        for key, button in self.shortcuts.items():
            button.setText(names[key])
