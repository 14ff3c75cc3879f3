"""Analytics: the metric cards (each with ⓘ and the previous period), the top lists and
the product rank; "See detail" shows a metric's page (ui/analytics/detail.py). The figures
are read again each time the page shows again (orders may have changed on other tabs)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.money import format_money, format_number
from primedist.domain.enums import Module
from primedist.domain.report import NO_PRODUCT
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.services.shops import list_shops
from primedist.ui.analytics.definitions import definition
from primedist.ui.analytics.detail import DetailPage, FigureHeader
from primedist.ui.formatting import format_percent
from primedist.ui.home.controls import FiguresPage, RangeBar, change_text, compared_with
from primedist.ui.home.page import Card
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import EmptyHint, alive, keyboard_menu_at_current
from primedist.ui.ops import Op

#: The metric cards: key → metric of its detail page.
CARDS = ("revenue", "orders", "units", "profit", "repeat_rate")
#: The ranking tables: key → (ranking of its detail page).
TABLES = (("locations_orders", "province"), ("locations_revenue", "province"),
          ("carriers", "carrier"), ("products", "product"))  # fmt: skip
#: The top lists ranked by orders: their detail page too (sorted and charted by orders).
BY_ORDERS = ("locations_orders", "carriers")


#: lupdate extracts translate("Context", "literal") calls, not a wrapper's.
translate = QCoreApplication.translate


#: The product rank's columns the service orders by (reports.PRODUCT_ORDERS): a sort on
#: one asks the service again, as its first rows come from every product.
RANK_COLUMNS = {1: "units", 2: "revenue", 3: "profit", 4: "revenue_change"}

#: The row height of the top lists (the style's 30 px left a top 5 two pixels short).
TOP_ROW_HEIGHT = 28
#: The product rank's rows (reports.analytics' top_products).
RANK_ROWS = 10
#: A ranking row's key (province code, carrier, product id) on its first cell.
ROW_KEY = Qt.ItemDataRole.UserRole + 1


class NumberItem(QTableWidgetItem):
    """A cell that sorts by its number (the product rank's columns), not its text."""

    def __init__(self, text: str, value: float) -> None:
        super().__init__(text)
        self.setData(Qt.ItemDataRole.UserRole, value)
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(Qt.ItemDataRole.UserRole), other.data(Qt.ItemDataRole.UserRole)
        if isinstance(mine, int | float) and isinstance(theirs, int | float):
            return mine < theirs
        return super().__lt__(other)


class KeepColours(QStyledItemDelegate):
    """A selected row's cells keep their own text colour (the change's green ▲ / red ▼):
    the selection's text colour turned them black."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        colour = index.data(Qt.ItemDataRole.ForegroundRole)
        if colour is not None:
            option.palette.setBrush(QPalette.ColorRole.HighlightedText, QBrush(colour))


def link_button(name: str) -> QPushButton:
    """A flat "See detail" link (styled by resources/style.qss `QPushButton#linkButton`);
    the key lives in the `detailKey` property as the object name is the style's."""
    button = QPushButton()
    button.setObjectName("linkButton")
    button.setProperty("detailKey", name)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


def stretch_columns(table: QTableWidget) -> None:
    """The first (name) column takes the panel's spare width; the figures fit their text."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)


def align_headers(table: QTableWidget) -> None:
    """Headers sit over their cells: the name on the left, the figures on the right."""
    for c in range(table.columnCount()):
        item = table.horizontalHeaderItem(c)
        if item is not None:
            side = Qt.AlignmentFlag.AlignLeft if c == 0 else Qt.AlignmentFlag.AlignRight
            item.setTextAlignment(side | Qt.AlignmentFlag.AlignVCenter)


def change_item(pct: float | None) -> NumberItem:
    text, colour = change_text(pct)
    item = NumberItem(text, float("-inf") if pct is None else pct)
    item.setForeground(Qt.GlobalColor.darkGreen if colour == "#15803d" else (
        Qt.GlobalColor.darkRed if colour == "#b91c1c" else Qt.GlobalColor.gray))  # fmt: skip
    return item


class AnalyticsPage(FiguresPage):
    """The cards page and, stacked over it, a metric's detail page."""

    refreshed = Signal()
    #: Drill-down: open the Orders tab (status tab key, OrderFilter) — a ranking row's orders.
    openOrders = Signal(str, object)
    #: A product rank row's menu: its editor / its stock history (product id).
    openProduct = Signal(int)
    openStockHistory = Signal(int)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_analytics")
        self.ctx = ctx
        self.data: reports.Analytics | None = None
        self._seq = 0
        self.detail: DetailPage | None = None
        #: Where the overview was scrolled to when a detail page opened ("← Back" returns).
        self.overview_scroll = 0
        self.stack = QStackedWidget()
        self.stack.currentChanged.connect(lambda _i: self.updateGeometry())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        main = QWidget()
        self.stack.addWidget(main)
        layout = QVBoxLayout(main)
        self.bar = RangeBar(lambda: reports.today(ctx))
        layout.addWidget(self.bar)
        cards = QHBoxLayout()
        cards.setSpacing(10)
        self.cards: dict[str, Card] = {}
        self.detail_buttons: dict[str, QPushButton] = {}
        for key in CARDS:
            card = Card(key, narrow=True)  # five in a row: whole on a 1280-pixel screen
            button = link_button(key)
            button.clicked.connect(lambda _c=False, k=key: self.open_detail(k))
            card.add_action(button)
            self.cards[key] = card
            self.detail_buttons[key] = button
            cards.addWidget(card)
        layout.addLayout(cards)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        self.tables: dict[str, QTableWidget] = {}
        self.table_titles: dict[str, QLabel] = {}
        self.empty_hints: dict[str, EmptyHint] = {}
        for i, (key, ranking) in enumerate(TABLES):
            box = QVBoxLayout()
            head = QHBoxLayout()
            title = QLabel()
            title.setObjectName("sectionTitle")
            button = link_button(key)
            button.clicked.connect(
                lambda _c=False, r=ranking, o=key in BY_ORDERS: self.open_detail(r, by_orders=o)
            )
            self.detail_buttons[key] = button
            head.addWidget(title)
            head.addStretch(1)
            head.addWidget(button)
            table = QTableWidget(0, 5 if key == "products" else 3)
            table.setObjectName(f"table_{key}")
            if key == "products":  # the sort arrow over its title, not beside it
                table.setHorizontalHeader(FigureHeader(table))
            table.verticalHeader().setVisible(False)
            # Compact rows: a top 5 fits whole on a 1366 × 768 laptop (no scroll bar).
            table.verticalHeader().setDefaultSectionSize(TOP_ROW_HEIGHT)
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            if key == "products":  # a rank: most units first until the owner sorts
                table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.DescendingOrder)
                table.setSortingEnabled(True)
                table.horizontalHeader().sortIndicatorChanged.connect(self._rank_products)
            table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
            table.setItemDelegate(KeepColours(table))
            # Double-click or Enter: the orders the row counts, on the Orders tab.
            table.activated.connect(
                lambda index, k=key, r=ranking: self.open_orders(r, self.row_key(k, index.row()))
            )
            if key == "products":
                table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                table.customContextMenuRequested.connect(self._product_menu)
                keyboard_menu_at_current(table)  # the Menu key: the current row's menu
            stretch_columns(table)
            # Nothing narrows a top list (no search): the hint's "filtered" case never is.
            self.empty_hints[key] = EmptyHint(table, partial(self.empty_texts, key), bool)
            box.addLayout(head)
            box.addWidget(table, 1)  # as tall as its rows (_cap_heights), the rest under it
            box.addStretch(0)
            # The three top 5s side by side, the product rank under them across the page:
            # beside a top 5 its figures left the names 80 pixels at 1024 ("Áo sơ mi ...").
            if key == "products":
                grid.addLayout(box, 1, 0, 1, len(TABLES) - 1)
            else:
                grid.addLayout(box, 0, i)
                grid.setColumnStretch(i, 1)
            self.tables[key] = table
            self.table_titles[key] = title
        # A tall screen's spare height to the product rank's rows, then below the tables,
        # not inside them (the top 5s were half empty at 1080).
        grid.setRowStretch(1, 1)
        layout.addLayout(grid, 1)
        self.bar.changed.connect(self.refresh)
        self.retranslate()
        self.refresh()  # fills the shop picker too

    # Data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the figures in the background (the shops first, here: a shop added since
        sign-in joins the picker), and the detail page's if it shows (orders changed)."""
        self._seq += 1
        seq, ctx = self._seq, self.ctx
        self.bar.set_shops(list_shops(ctx))
        (first, last), shops = self.bar.range(), self.bar.shop_ids()
        by, descending = self.product_order()
        compare = self.bar.compare()
        self.running += 1
        Op(
            self,
            lambda _job: reports.analytics(
                ctx, first, last, shops, rank_by=by, descending=descending, compare=compare
            ),
            title=translate("AnalyticsPage", "Reading the figures"),
        ).success(lambda a: self._show(seq, a, (first, last))).failure(
            lambda exc: self._refused(self.bar, exc) if seq == self._seq else None
        ).finally_(self._finished).run()
        if self.detail is not None and self.stack.currentWidget() is self.detail:
            self.detail.reload()

    def _show(self, seq: int, data: reports.Analytics, days: tuple[date, date]) -> None:
        if seq != self._seq or not alive(self):
            return
        self.data, self.shown_range = data, days
        self._fill()
        self.refreshed.emit()

    def _fill(self) -> None:
        a = self.data
        if a is None:
            return
        lang = current_language()
        before = translate("AnalyticsPage", "previous: %1")
        for key, fig, money in (("revenue", a.revenue, True), ("orders", a.orders, False),
                                ("units", a.units, False), ("profit", a.profit, True)):  # fmt: skip
            fmt = format_money if money else format_number
            self.cards[key].value.setText(fmt(fig.current, lang))
            self.cards[key].show_change(
                fig.change_pct, before.replace("%1", fmt(fig.previous, lang))
            )
        self.cards["profit"].show_margin(a.profit.current, a.revenue.current)
        rate = a.repeat_rate
        card = self.cards["repeat_rate"]
        card.value.setText("—" if rate.current_pct is None else format_percent(rate.current_pct))
        prev = "—" if rate.previous_pct is None else format_percent(rate.previous_pct)
        card.show_change(rate.change_points, before.replace("%1", prev), points=True)
        against = compared_with(a.period, lang)
        for shown in self.cards.values():
            shown.change.setToolTip(against)
        self._show_definitions()
        self._fill_groups(self.tables["locations_orders"], a.top_locations_by_orders, "orders")
        self._fill_groups(self.tables["locations_revenue"], a.top_locations_by_revenue, "revenue")
        self._fill_groups(self.tables["carriers"], a.top_carriers, "orders")
        self._fill_products(a.products)
        self._cap_heights()

    def _cap_heights(self) -> None:
        """Each table at most as tall as the rows it can hold: a top 5's five, the rank's
        first ten (reports.analytics' top_products); shorter when the screen is."""
        for key, table in self.tables.items():
            rows = RANK_ROWS if key == "products" else reports.TOP
            header = table.horizontalHeader().sizeHint().height()
            table.setMaximumHeight(header + rows * TOP_ROW_HEIGHT + 2 * table.frameWidth() + 2)

    def empty_texts(self, key: str) -> tuple[str, str]:
        """An empty top list's line (EmptyHint: no search narrows it, so twice the same):
        no orders in the range at all, or none with a province / carrier (counter sales)."""
        a = self.data
        if a is None:  # not read yet: no reason to give
            return "", ""
        if not a.orders.current:
            text = translate("AnalyticsPage", "No orders in this range")
        elif key == "products":
            text = translate("AnalyticsPage", "No products sold in this range")
        elif key == "carriers":
            text = translate("AnalyticsPage", "No carrier on the orders of this range")
        else:
            text = translate("AnalyticsPage", "No province/city on the orders of this range")
        return text, text

    def _fill_groups(self, table: QTableWidget, rows: list[reports.RankRow], by: str) -> None:
        lang = current_language()
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            fig = row.orders if by == "orders" else row.revenue
            shown = format_number(fig.current, lang) if by == "orders" else format_money(
                fig.current, lang)  # fmt: skip
            name = QTableWidgetItem(row.label or translate("AnalyticsPage", "Unknown"))
            name.setData(ROW_KEY, row.key)
            name.setToolTip(name.text())  # the whole name, however narrow the column
            table.setItem(r, 0, name)
            table.setItem(r, 1, NumberItem(shown, fig.current))
            table.setItem(r, 2, change_item(fig.change_pct))
        self._update_hint(table)

    def _update_hint(self, table: QTableWidget) -> None:
        """The empty line of the table: its text may change while its rows stay 0 (another
        range, the language)."""
        key = next(k for k, t in self.tables.items() if t is table)
        self.empty_hints[key].update_hint()

    def product_order(self) -> tuple[str, bool]:
        """The product rank's order as sorted on screen: (a PRODUCT_ORDERS key, descending);
        by units for the name column (its names are sorted where they are)."""
        header = self.tables["products"].horizontalHeader()
        by = RANK_COLUMNS.get(header.sortIndicatorSection())
        if by is None:
            return "units", True
        return by, header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

    def _rank_products(self, section: int, _order: Qt.SortOrder) -> None:
        """A figure's header clicked: its first rows among every product sold."""
        if section not in RANK_COLUMNS or self.data is None:
            return
        seq, ctx = self._seq, self.ctx
        (first, last), shops = self.bar.range(), self.bar.shop_ids()
        by, descending = self.product_order()
        compare = self.bar.compare()
        self.running += 1
        Op(self, lambda _job: reports.product_rank(ctx, first, last, shops, by=by,
                                                   descending=descending,
                                                   compare=compare)).success(
            lambda rows: self._show_products(seq, by, descending, rows)).finally_(
            self._finished).run()  # fmt: skip

    def _show_products(
        self, seq: int, by: str, descending: bool, rows: list[reports.RankRow]
    ) -> None:
        if seq != self._seq or not alive(self) or self.data is None:
            return
        if self.product_order() != (by, descending):  # sorted again meanwhile
            return
        self.data = replace(self.data, products=rows)
        self._fill_products(rows)
        self.refreshed.emit()

    def _fill_products(self, rows: list[reports.RankRow]) -> None:
        lang = current_language()
        table = self.tables["products"]
        table.setSortingEnabled(False)
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            assert row.units is not None
            name = QTableWidgetItem(
                row.label or translate("AnalyticsPage", "Items no longer in the catalogue")
            )
            name.setData(ROW_KEY, row.key)
            name.setToolTip(name.text())  # the whole name, however narrow the column
            table.setItem(r, 0, name)
            table.setItem(
                r, 1, NumberItem(format_number(row.units.current, lang), row.units.current)
            )
            table.setItem(
                r, 2, NumberItem(format_money(row.revenue.current, lang), row.revenue.current)
            )
            # The units' change is on the detail page: the names keep their width here.
            profit = row.profit.current if row.profit else 0
            table.setItem(r, 3, NumberItem(format_money(profit, lang), profit))
            table.setItem(r, 4, change_item(row.revenue.change_pct))
        table.setSortingEnabled(True)
        self._update_hint(table)

    # Drill-down -----------------------------------------------------------------------------
    def row_key(self, key: str, row: int) -> str | None:
        """The ranking key of a table's row (as sorted on screen)."""
        item = self.tables[key].item(row, 0)
        value = None if item is None else item.data(ROW_KEY)
        return None if value is None else str(value)

    def open_orders(self, ranking: str, row_key: str | None) -> None:
        """The orders a ranking row counts (the range's days and shops, counted in revenue,
        its province, carrier or product) on the Orders tab. Items no longer in the
        catalogue have no product to filter by."""
        if row_key is None or (ranking == "product" and int(row_key) == NO_PRODUCT):
            return
        if self.shown_range is None:
            return
        # The days the figures were read for (the bar may have moved since).
        (first, last), shops = self.shown_range, self.bar.shop_ids()
        flt = reports.orders_behind(self.ctx, ranking, row_key, first, last, shops)
        self.openOrders.emit("all", flt)

    def _product_menu(self, pos: QPoint) -> QMenu | None:
        table = self.tables["products"]
        index = table.indexAt(pos)
        if not index.isValid():
            return None
        menu = self.product_menu(index.row())
        if menu is not None:
            menu.popup(table.viewport().mapToGlobal(pos))
        return menu

    def product_menu(self, row: int) -> QMenu | None:
        """A product rank row's menu: its orders; its editor and stock history (with
        Products access)."""
        key = self.row_key("products", row)
        if key is None or int(key) == NO_PRODUCT:
            return None
        pid = int(key)
        menu = QMenu(self)
        if self.ctx.can(Module.ORDERS):
            menu.addAction(translate("AnalyticsPage", "Orders of this product")).triggered.connect(
                lambda: self.open_orders("product", key))  # fmt: skip
        if self.ctx.can(Module.PRODUCTS):
            menu.addAction(translate("AnalyticsPage", "Open product")).triggered.connect(
                lambda: self.openProduct.emit(pid))  # fmt: skip
            menu.addAction(translate("AnalyticsPage", "Stock history")).triggered.connect(
                lambda: self.openStockHistory.emit(pid))  # fmt: skip
        self.context_menu = menu
        return menu if menu.actions() else None

    # Detail -------------------------------------------------------------------------------
    def open_detail(self, metric: str, *, by_orders: bool = False) -> DetailPage:
        """Show a metric's detail page for the current range and shops (a province or
        carrier ranking `by_orders`: sorted and charted by orders, not revenue)."""
        if self.detail is not None:
            self.stack.removeWidget(self.detail)
            self.detail.deleteLater()
        (first, last), shops = self.bar.range(), self.bar.shop_ids()
        self.detail = DetailPage(
            self.ctx, metric, first, last, shops, by_orders=by_orders, compare=self.bar.compare()
        )
        self.detail.back.connect(self.show_overview)
        self.stack.addWidget(self.detail)
        self.stack.setCurrentWidget(self.detail)
        # At its top (title, Back, the grain): opened from a scrolled overview it kept the
        # overview's scroll, part-way down.
        scroll = self.scroll_area()
        if scroll is not None:
            self.overview_scroll = scroll.verticalScrollBar().value()
            scroll.verticalScrollBar().setValue(0)
        return self.detail

    # The page as tall as the overview or detail page it shows (the tab's scroll area asks
    # these): a stack asks for its tallest page's height, and back from a detail page the
    # overview scrolled on into blank space.
    def sizeHint(self) -> QSize:
        return self._shown().sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self._shown().minimumSizeHint()

    def heightForWidth(self, width: int) -> int:
        return self._shown().heightForWidth(width)

    def _shown(self) -> QWidget:
        page = self.stack.currentWidget()
        return self.stack if page is None else page

    def show_overview(self) -> None:
        """Back from a detail page: the cards and tables, scrolled where they were."""
        self.stack.setCurrentIndex(0)
        scroll = self.scroll_area()
        if scroll is not None:
            # The bar spans the overview now, not the detail page (its queued relayout): a
            # shorter detail page's bar would cut the value short.
            QCoreApplication.sendPostedEvents(scroll.viewport(), QEvent.Type.LayoutRequest)
            scroll.verticalScrollBar().setValue(self.overview_scroll)

    def scroll_area(self) -> QScrollArea | None:
        """The scroll area the tab puts the page in (none when shown alone)."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        return parent

    # Language -----------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        titles = {
            "revenue": translate("AnalyticsPage", "Total revenue"),
            "orders": translate("AnalyticsPage", "Total orders"),
            "units": translate("AnalyticsPage", "Products sold"),
            "profit": translate("AnalyticsPage", "Gross profit"),
            "repeat_rate": translate("AnalyticsPage", "Repeat purchase customer rate"),
        }
        for key, card in self.cards.items():
            card.title.setText(titles[key] + " ⓘ")
        for button in self.detail_buttons.values():
            button.setText(translate("AnalyticsPage", "See detail"))
        table_titles = {
            "locations_orders": (
                translate("AnalyticsPage", "Top 5 locations by orders"),
                "province",
                translate("AnalyticsPage", "Orders"),
            ),
            "locations_revenue": (
                translate("AnalyticsPage", "Top 5 locations by revenue"),
                "province",
                translate("AnalyticsPage", "Revenue"),
            ),
            "carriers": (
                translate("AnalyticsPage", "Top 5 shipping providers"),
                "carrier",
                translate("AnalyticsPage", "Orders"),
            ),
            "products": (translate("AnalyticsPage", "Product rank"), "product", ""),
        }
        for key, (title, metric, figure) in table_titles.items():
            self.table_titles[key].setText(title + " ⓘ")
            if key == "products":
                self.tables[key].setHorizontalHeaderLabels(
                    [
                        # Two-line titles: the product names get the width (they read
                        # "Chân váy xếp ly ..." under one-line titles).
                        translate("AnalyticsPage", "Product"),
                        translate("AnalyticsPage", "Units\nsold"),
                        translate("AnalyticsPage", "Revenue"),
                        translate("AnalyticsPage", "Gross\nprofit"),
                        translate("AnalyticsPage", "Revenue\nchange"),
                    ]  # fmt: skip
                )
            else:
                first = (
                    translate("AnalyticsPage", "Province/city")
                    if metric == "province"
                    else translate("AnalyticsPage", "Carrier")
                )
                self.tables[key].setHorizontalHeaderLabels(
                    [first, figure, translate("AnalyticsPage", "Change")]
                )
            align_headers(self.tables[key])
        self._cap_heights()  # the titles' lines set the headers' height
        self._show_definitions()
        self._fill()

    def _show_definitions(self) -> None:
        """The ⓘ texts: what a figure is, what it is compared with, and the dates it is
        compared with now (a fixed "17:50" example read wrong at any other time)."""
        a = self.data
        against = "" if a is None else "\n" + translate(
            "AnalyticsPage", "For the dates chosen: %1").replace(
            "%1", compared_with(a.period, current_language()))  # fmt: skip
        previous = "\n" + definition("previous") + against
        for key, card in self.cards.items():
            card.title.setToolTip(definition(key) + previous)
        for key, ranking in TABLES:
            self.table_titles[key].setToolTip(definition(ranking) + previous)
