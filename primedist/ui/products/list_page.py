"""The Products list: search, filter chips, a sortable SQL-backed table and bulk actions.

The table is a `ProductsTableModel` (SqlTableModel over PRODUCTS_SPEC: keys only, keyset
paged on covering sort indexes, see `queries.products`). It draws the
first image as the name's thumbnail, the channels of the listing shops as icons, a price
range as `29.000 ₫ - 49.000 ₫`, stock in red when out and amber when low, and hidden
products greyed. Hide, Unhide and Delete run through `Op` off the UI thread and refresh
the list; Add, Edit, Export, Import and the stock actions are signals the main window
wires to the dialogs of other parts.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import Engine

from primedist.core.clock import shop_tz, to_local
from primedist.core.money import format_money, format_money_range, format_number, parse_money
from primedist.queries.products import (
    PRODUCTS_SPEC,
    STATUS_CHOICES,
    ProductFilter,
    category_names,
    list_state,
)
from primedist.queries.spec import QueryState
from primedist.queries.stock import ShortVariant, product_short_variants, short_variants_of
from primedist.services import price_schedule as ps
from primedist.services.context import ServiceContext
from primedist.services.import_templates import TemplateKind
from primedist.services.product_status import (
    DeleteResult,
    delete_products,
    hide_products,
    unhide_products,
)
from primedist.services.shops import ShopInfo
from primedist.ui import list_tools
from primedist.ui.action_row import ActionRow
from primedist.ui.export_right import gate_export
from primedist.ui.formatting import CellFormatter
from primedist.ui.i18n import current_language
from primedist.ui.import_template import retranslate_button, template_button
from primedist.ui.labels import QT_TRANSLATE_NOOP, enum_label
from primedist.ui.list_tools import (
    ACTIONS_STYLE,
    CHIP_STYLE,
    FilteredListPage,
    alive,
    count_text,
    push_button,
    setup_list_view,
    short_list,
    sort_by_default,
)
from primedist.ui.table_model import Index, SqlTableModel
from primedist.ui.widgets import button_text, icon

#: Column headers of PRODUCTS_SPEC (context "columns", as SqlTableModel translates them).
COLUMN_LABELS = (
    QT_TRANSLATE_NOOP("columns", "Image"),
    QT_TRANSLATE_NOOP("columns", "Product name"),
    QT_TRANSLATE_NOOP("columns", "SKU"),
    QT_TRANSLATE_NOOP("columns", "Shop"),
    QT_TRANSLATE_NOOP("columns", "Price"),
    QT_TRANSLATE_NOOP("columns", "Discount price"),
    QT_TRANSLATE_NOOP("columns", "Stock"),
    QT_TRANSLATE_NOOP("columns", "On order"),
    QT_TRANSLATE_NOOP("columns", "Status"),
    QT_TRANSLATE_NOOP("columns", "Created"),
)
#: Loaded but not shown as columns (drawn as icons, colours, ranges and tooltips).
HIDDEN_COLUMNS = (
    "thumbnail", "channels", "price_max", "discount_max", "on_hand", "variant_count",
    "low_stock", "unlinked",
)  # fmt: skip
#: Column widths of this view where the spec's own do not suit it (the price columns are
#: sized to the prices in view: `_fit_price_columns`). Narrow enough that every column
#: fits a maximised 1366 px window in both languages; the name takes the room left.
VIEW_WIDTHS = {"name": 190, "skus": 130, "shops": 165}
#: A price cell's room beside its text: the style sheet's padding and the style's margins.
PRICE_ROOM = 28
#: The gap beside a Price cell's clock (a scheduled change coming), and the clock's size.
ICON_GAP = 4
CLOCK_SIZE = 16
#: The widest the Stock column grows in the low-stock view (naming the low variants).
LOW_STOCK_WIDTH = 300
#: In the low-stock view these follow the product's name (what is low, what is coming):
#: after the SKU, shop and price columns they needed a sideways scroll at 1024 px.
LOW_VIEW_FIRST = ("stock", "on_order")
#: The most rows a price column is measured over (those in view: a tall window).
MEASURED_ROWS = 80
#: Filter chip kinds, in chip order.
CHIP_KINDS = ("shop", "price", "discount", "stock", "status", "category")
OUT_OF_STOCK_COLOUR = "#B91C1C"
LOW_STOCK_COLOUR = "#B45309"
HIDDEN_COLOUR = "#9CA3AF"
THUMB = 28

_ADD_PRODUCT_STYLE = """
QPushButton#addProductButton { background: #2563EB; color: #FFFFFF; border: 1px solid #2563EB;
    font-weight: 600; padding: 6px 16px; }
QPushButton#addProductButton:hover { background: #1D4ED8; }
"""
STYLE = CHIP_STYLE + _ADD_PRODUCT_STYLE + ACTIONS_STYLE


def status_label(status: str) -> str:
    """The display name of a status chip choice or product status."""
    labels = {
        "active": QCoreApplication.translate("products", "Active"),
        "hidden": QCoreApplication.translate("products", "Hidden"),
        "out_of_stock": QCoreApplication.translate("products", "Out of stock"),
        "low_stock": QCoreApplication.translate("products", "Low stock"),
        "no_weight": QCoreApplication.translate("products", "No weight yet"),
        "not_linked": QCoreApplication.translate("products", "Not linked on a marketplace"),
        "no_cost": QCoreApplication.translate("products", "No cost price"),
        "archived": QCoreApplication.translate("products", "Archived"),
    }
    return labels.get(status, status)


# --------------------------------------------------------------------------- model


class ProductsTableModel(SqlTableModel):
    """SqlTableModel over PRODUCTS_SPEC with the list's drawing: thumbnail on the name,
    channel icons on the shops, price ranges, stock colours and tooltips, hidden greyed."""

    #: The first rows show at once; the rest arrive in ticks of bounded cost (a tick
    #: walks the sort's covering index).
    FIRST_CHUNK = 200
    CHUNK = 4_000
    THUMB_CACHE = 300
    #: Extra values kept after the shown cells of a row, in this order.
    EXTRAS = ("thumb", "channels", "status", "flag", "on_hand", "reserved", "shops", "unlinked")

    def __init__(
        self, engine: Engine, *, image_root: Path | None = None, parent: Any = None
    ) -> None:
        super().__init__(engine, PRODUCTS_SPEC, formatter=CellFormatter(), parent=parent)
        self.col = {c.key: i for i, c in enumerate(PRODUCTS_SPEC.columns)}
        self._shown = len(PRODUCTS_SPEC.columns)
        self._image_root = image_root
        self._icons: dict[str, QIcon] = {}
        self._thumbs: OrderedDict[str, QIcon | None] = OrderedDict()
        # Before any query: the listed products (never archived ones), newest first.
        self._state = list_state(ProductFilter())
        #: The low-stock view (its status chip on): a short row's Stock cell names its low
        #: variants ("Xám / M: 0 · Tím than / S: 5"), read once per page of rows.
        self.name_short = False
        self._short_of: dict[int, list[ShortVariant]] = {}
        #: The products of the pages read whose price a schedule changes next (the Price
        #: cell's clock and tooltip).
        self._coming: dict[int, ps.Coming] = {}

    def set_state(self, state: QueryState, *, keep_rows: bool = False) -> None:
        self._short_of = {}
        self._coming = {}
        super().set_state(state, keep_rows=keep_rows)

    def coming(self, row: int) -> ps.Coming | None:
        """The row's next scheduled price change (None: none, or not read yet)."""
        key = self.key_at(row)
        return self._coming.get(key) if key is not None else None

    def _fetch_page(self, page_no: int) -> list[tuple[str, ...] | None] | None:
        page = super()._fetch_page(page_no)
        if page is None:
            return page
        start = page_no * self.PAGE
        keys = self._keys[start : start + len(page)]
        # The page's coming price changes: one query a page, never one per row.
        with self._engine.connect() as conn:
            coming = ps.coming_changes(conn, keys)
        for key in keys:
            self._coming.pop(key, None)
        self._coming.update(coming)
        if not self.name_short:
            return page
        # The low rows' variants: one query over the page's low products (never one per
        # row), their Stock cells then name them.
        at = self._shown + self.EXTRAS.index("flag")
        low = [k for k, cells in zip(keys, page, strict=False)
               if cells is not None and len(cells) > at and cells[at] == "low"]  # fmt: skip
        if not low:
            return page
        with self._engine.connect() as conn:
            found = short_variants_of(conn, low)
        self._short_of.update({k: found.get(k, []) for k in low})
        stock = self.col["stock"]
        named = list(page)
        for i, (key, cells) in enumerate(zip(keys, page, strict=False)):
            text = self.short_cell_text(found.get(key, [])) if key in found else ""
            if cells is not None and text:
                named[i] = (*cells[:stock], text, *cells[stock + 1 :])
        if self._pages.get(page_no) is page:
            self._pages[page_no] = named
        return named

    #: Low variants a Stock cell names; the rest are counted ("+2").
    CELL_NAMED = 3

    def short_cell_text(self, short: Sequence[ShortVariant]) -> str:
        """`Xám / M: 0 · Tím than / S: 5 · +2`: the low variants with what is available,
        the fewest first ('' for none)."""
        lang = current_language()
        parts = [f"{v.name}: {format_number(v.available, lang)}" for v in short[: self.CELL_NAMED]]
        more = len(short) - self.CELL_NAMED
        if more > 0:
            parts.append("+" + format_number(more, lang))
        return " · ".join(parts)

    def short_variants(self, row: int) -> list[ShortVariant]:
        """The low variants of a row as its cell was drawn (empty outside the low view)."""
        key = self.key_at(row)
        return list(self._short_of.get(key, [])) if key is not None else []

    # Cells ------------------------------------------------------------------------------
    def _format_row(self, kinds: list[str], raw: tuple[Any, ...]) -> tuple[str, ...]:
        col, lang = self.col, current_language()
        cells = list(super()._format_row(kinds, raw))
        count = int(raw[col["variant_count"]] or 0)
        low, high = raw[col["price"]], raw[col["price_max"]]
        cells[col["price"]] = format_money_range(int(low), int(high), lang) if count else ""
        d_low, d_high = raw[col["discount_price"]], raw[col["discount_max"]]
        cells[col["discount_price"]] = (
            "—" if d_low is None else format_money_range(int(d_low), int(d_high), lang)
        )
        status = str(raw[col["status"]] or "")
        cells[col["status"]] = status_label(status)
        cells[col["thumbnail"]] = ""
        cells[col["skus"]] = str(raw[col["skus"]] or "")
        if not raw[col["on_order"]]:
            cells[col["on_order"]] = ""  # most products await nothing: keep the column quiet
        available, on_hand = int(raw[col["stock"]] or 0), int(raw[col["on_hand"]] or 0)
        flag = "out" if count and available <= 0 else "low" if raw[col["low_stock"]] else ""
        extras = (
            str(raw[col["thumbnail"]] or ""),
            str(raw[col["channels"]] or ""),
            status,
            flag,
            str(on_hand),
            str(on_hand - available),
            str(raw[col["shops"]] or ""),
            str(raw[col["unlinked"]] or ""),
        )
        return (*cells, *extras)

    def extra(self, row: int, which: str) -> str | None:
        """An extra value of a row (see EXTRAS); None while the row loads."""
        cells = self._row(row) if 0 <= row < self.rowCount() else None
        if cells is None or len(cells) <= self._shown:
            return None
        return cells[self._shown + self.EXTRAS.index(which)]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self.rowCount():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decoration(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, column)
        return super().data(index, role)

    def _icon(self, name: str) -> QIcon:
        if name not in self._icons:
            self._icons[name] = icon(name)
        return self._icons[name]

    def _decoration(self, row: int, column: int) -> QIcon | None:
        if column == self.col["price"] and self.coming(row) is not None:
            return self._icon("price_change")  # a scheduled price change is coming
        if column == self.col["name"]:
            thumb = self.thumbnail(self.extra(row, "thumb") or "")
            # A loaded row without an image gets a quiet placeholder: names stay aligned.
            return thumb or (self._icon("no_image") if self.extra(row, "thumb") == "" else None)
        if column == self.col["shops"]:
            channels = self.extra(row, "channels")
            return self.channel_icon(channels.split(", ")) if channels else None
        return None

    def thumbnail(self, stored: str) -> QIcon | None:
        """The thumbnail of a stored image path (relative to the data dir), scaled to the
        row; None when there is none or it cannot be read."""
        if not stored:
            return None
        if stored in self._thumbs:
            self._thumbs.move_to_end(stored)
            return self._thumbs[stored]
        path = Path(stored)
        if not path.is_absolute() and self._image_root is not None:
            path = self._image_root.joinpath(*stored.split("/"))
        pixmap = QPixmap(str(path)) if path.is_file() else QPixmap()
        result: QIcon | None = None
        if not pixmap.isNull():
            result = QIcon(
                pixmap.scaled(
                    THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )  # fmt: skip
        self._thumbs[stored] = result
        if len(self._thumbs) > self.THUMB_CACHE:
            self._thumbs.popitem(last=False)
        return result

    def channel_icon(self, channels: Iterable[str]) -> QIcon | None:
        """One icon showing each distinct channel once, side by side."""
        distinct = sorted({c for c in channels if c})
        if not distinct:
            return None
        key = "channels:" + ",".join(distinct)
        if key not in self._icons:
            size, gap = 16, 3
            pixmap = QPixmap(len(distinct) * (size + gap) - gap, size)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            for i, channel in enumerate(distinct):
                self._icon(f"channel_{channel}").paint(painter, i * (size + gap), 0, size, size)
            painter.end()
            self._icons[key] = QIcon(pixmap)
        return self._icons[key]

    def _tooltip(self, row: int, column: int) -> str | None:
        if column == self.col["price"] and (coming := self.coming(row)) is not None:
            day = f"{to_local(coming.at, shop_tz()):%d/%m}"  # "12/12": within a year
            if coming.starts:
                text = QCoreApplication.translate("products", "Price changes on %1 (%2)")
            else:  # a running change's end: its prices go back
                text = QCoreApplication.translate("products", "Price goes back on %1 (%2)")
            return text.replace("%1", day).replace("%2", coming.name)
        if column == self.col["stock"]:
            on_hand, reserved = self.extra(row, "on_hand"), self.extra(row, "reserved")
            if on_hand is None or reserved is None:
                return None
            lang = current_language()
            text = (
                QCoreApplication.translate("products", "On hand %1, reserved by open orders %2")
                .replace("%1", format_number(int(on_hand), lang))
                .replace("%2", format_number(int(reserved), lang))
            )
            flag = self.extra(row, "flag")
            if flag == "low":
                text += "\n" + self._short_variants_text(row)
            elif flag:
                text += " — " + status_label("out_of_stock")
            return text
        if column == self.col["on_order"]:
            awaited = super().data(self.index(row, column))
            if not awaited:
                return None
            return QCoreApplication.translate(
                "products", "%1 units still to come on open purchase orders"
            ).replace("%1", awaited)
        if column == self.col["shops"]:
            channels = (self.extra(row, "channels") or "").split(", ")
            names = (self.extra(row, "shops") or "").split(", ")
            unlinked = set((self.extra(row, "unlinked") or "").split(", ")) - {""}
            not_linked = QCoreApplication.translate(
                "products", "not linked to its item yet: its stock is not sent there"
            )
            pairs = [
                f"{name} ({enum_label(ch)})" + (f" — {not_linked}" if name in unlinked else "")
                for name, ch in zip(names, channels, strict=False) if name
            ]  # fmt: skip
            return "\n".join(pairs) or None
        if column in (self.col["skus"], self.col["name"]):
            return super().data(self.index(row, column)) or None  # the whole text
        return None

    #: Variants a stock tooltip names; the rest are counted ("+2 more").
    SHORT_NAMED = 3

    def _short_variants_text(self, row: int) -> str:
        """`Low stock: Xanh rêu / M (0), Đỏ / L (2) +1 more`: which variants make a low row
        amber (its total may look plenty). Read when the tooltip asks, for that row only:
        the list's page query stays on the products' summary columns. In the low-stock
        view (the cell names them already) every one with its level, and what a
        double-click does."""
        if self.name_short:
            cached = self.short_variants(row)
            if cached:
                return self._low_view_tip(cached)
        key = self.key_at(row)
        found = []
        if key is not None:
            with self._engine.connect() as conn:
                found = product_short_variants(conn, key)
        if not found:
            return status_label("low_stock")
        lang = current_language()
        named = ", ".join(
            f"{v.name} ({format_number(v.available, lang)})" for v in found[: self.SHORT_NAMED]
        )
        more = len(found) - self.SHORT_NAMED
        if more > 0:
            named += " " + QCoreApplication.translate("products", "+%1 more").replace(
                "%1", format_number(more, lang)
            )
        return QCoreApplication.translate("products", "Low stock: %1").replace("%1", named)

    #: Low variants the low-stock view's tooltip lists, one a line.
    TIP_NAMED = 12

    def _low_view_tip(self, short: Sequence[ShortVariant]) -> str:
        lang = current_language()
        lines = [QCoreApplication.translate("products", "Low stock:")]
        for v in short[: self.TIP_NAMED]:
            text = f"  {v.name}: {format_number(v.available, lang)}"
            if v.level is not None:
                text += " " + QCoreApplication.translate("products", "(level %1)").replace(
                    "%1", format_number(v.level, lang)
                )
            lines.append(text)
        more = len(short) - self.TIP_NAMED
        if more > 0:
            lines.append("  " + QCoreApplication.translate("products", "+%1 more").replace(
                "%1", format_number(more, lang)))  # fmt: skip
        lines.append(QCoreApplication.translate(
            "products", "Double-click: stock in or correct the count of %1").replace(
                "%1", short[0].name))  # fmt: skip
        return "\n".join(lines)

    def _foreground(self, row: int, column: int) -> QColor | None:
        flag = self.extra(row, "flag")
        if column == self.col["stock"] and flag:
            return QColor(OUT_OF_STOCK_COLOUR if flag == "out" else LOW_STOCK_COLOUR)
        if column == self.col["shops"] and self.extra(row, "unlinked"):
            return QColor(LOW_STOCK_COLOUR)  # amber: a listing its stock does not reach
        if self.extra(row, "status") == "hidden":
            return QColor(HIDDEN_COLOUR)
        return None


# --------------------------------------------------------------------------- filters


class ClockBesidePrice(QStyledItemDelegate):
    """A Price cell's clock (a scheduled change coming) drawn just before the price, not
    at the cell's far left, a column's width away from the right-aligned number it is
    about. The prices stay lined up on the right, with or without a clock."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        clock = self.clock_rect(opt)
        if clock is None:
            super().paint(painter, option, index)
            return
        icon = QIcon(opt.icon)  # a copy: `opt.icon` is the option's own, cleared next
        opt.icon = QIcon()  # the style would draw it at the cell's left
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        icon.paint(painter, clock, Qt.AlignmentFlag.AlignCenter,
                   QIcon.Mode.Selected if selected else QIcon.Mode.Normal)  # fmt: skip

    def clock_rect(self, opt: QStyleOptionViewItem) -> QRect | None:
        """Where the clock goes in a cell initialised by initStyleOption: ICON_GAP before
        the text as the style draws it (None: no clock)."""
        if not opt.features & QStyleOptionViewItem.ViewItemFeature.HasDecoration:
            return None
        plain = QStyleOptionViewItem(opt)
        plain.icon = QIcon()
        plain.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        text = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, plain, opt.widget)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, opt.widget) + 1
        width = opt.fontMetrics.horizontalAdvance(opt.text)
        text_left = max(text.left() + margin, text.right() - margin - width + 1)
        left = max(opt.rect.left(), text_left - ICON_GAP - CLOCK_SIZE)
        top = opt.rect.top() + (opt.rect.height() - CLOCK_SIZE) // 2
        return QRect(left, top, CLOCK_SIZE, CLOCK_SIZE)


class FilterDialog(list_tools.FilterDialog):
    """Edits one kind of filter (shop, price, discount, stock, status, category);
    `updated` holds the new filter once accepted."""

    def __init__(
        self,
        kind: str,
        flt: ProductFilter,
        *,
        shops: Sequence[ShopInfo] = (),
        categories: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(kind, flt, name=f"productFilter_{kind}", parent=parent)
        self.updated: ProductFilter = flt
        self._flt: ProductFilter = flt
        layout = self.body
        if kind == "shop":
            self._build_shops(layout, shops)
        elif kind == "status":
            self._build_statuses(layout)
        elif kind == "category":
            self._build_category(layout, categories)
        else:
            self._build_range(layout)
        self.finish()

    # Building -------------------------------------------------------------------------
    def _build_shops(self, layout: QVBoxLayout, shops: Sequence[ShopInfo]) -> None:
        self.title.setText(
            QCoreApplication.translate("products", "Show products listed on these shops")
        )
        lst = self.checklist(layout)
        for shop in shops:
            item = lst.add_choice(shop.name, shop.id, shop.id in self._flt.shop_ids)
            item.setIcon(icon(f"channel_{shop.channel.value}"))

    def _build_statuses(self, layout: QVBoxLayout) -> None:
        self.title.setText(QCoreApplication.translate("products", "Show products that are"))
        lst = self.checklist(layout)
        for status in STATUS_CHOICES:
            lst.add_choice(status_label(status), status, status in self._flt.statuses)

    def _build_category(self, layout: QVBoxLayout, categories: Sequence[str]) -> None:
        self.title.setText(QCoreApplication.translate("products", "Show products of the category"))
        self.combo = QComboBox()
        self.combo.setObjectName("categoryCombo")
        self.combo.setEditable(True)
        self.combo.addItems(list(categories))
        self.combo.setCurrentText(self._flt.category or (categories[0] if categories else ""))
        layout.addWidget(self.combo)

    def _range_ends(self) -> tuple[int | None, int | None]:
        f = self._flt
        return {
            "price": (f.price_min, f.price_max),
            "discount": (f.discount_min, f.discount_max),
            "stock": (f.stock_min, f.stock_max),
        }[self.kind]

    def _build_range(self, layout: QVBoxLayout) -> None:
        titles = {
            "price": QCoreApplication.translate("products", "Unit price between"),
            "discount": QCoreApplication.translate("products", "Discount price between"),
            "stock": QCoreApplication.translate("products", "Available stock between"),
        }
        self.title.setText(titles[self.kind])
        lang = current_language()
        form = QFormLayout()
        self.min_edit = QLineEdit()
        self.min_edit.setObjectName("rangeMin")
        self.max_edit = QLineEdit()
        self.max_edit.setObjectName("rangeMax")
        money = self.kind != "stock"
        amount = list_tools.example_amount
        examples = (amount(100_000, lang), amount(500_000, lang)) if money else ("1", "10")
        list_tools.set_range_hints(self.min_edit, self.max_edit, *examples)
        for edit, value in zip((self.min_edit, self.max_edit), self._range_ends(), strict=True):
            if value is not None:
                edit.setText(self._show(value, money, lang))
        form.addRow(QCoreApplication.translate("products", "At least"), self.min_edit)
        form.addRow(QCoreApplication.translate("products", "At most"), self.max_edit)
        layout.addLayout(form)

    @staticmethod
    def _show(value: int, money: bool, lang: str) -> str:
        return format_money(value, lang) if money else str(value)

    # Reading --------------------------------------------------------------------------
    def read(self) -> ProductFilter:
        """The filter with this dialog's part replaced; ValueError (translated) if invalid."""
        if self.kind == "shop":
            return replace(self._flt, shop_ids=tuple(int(v) for v in self.checked()))
        if self.kind == "status":
            return replace(self._flt, statuses=tuple(str(v) for v in self.checked()))
        if self.kind == "category":
            return replace(self._flt, category=self.combo.currentText().strip() or None)
        low, high = self._read_range()
        fields = {
            "price": ("price_min", "price_max"),
            "discount": ("discount_min", "discount_max"),
            "stock": ("stock_min", "stock_max"),
        }[self.kind]
        ends: dict[str, Any] = {fields[0]: low, fields[1]: high}
        return replace(self._flt, **ends)

    def _read_range(self) -> tuple[int | None, int | None]:
        lang = current_language()
        money = self.kind != "stock"
        values: list[int | None] = []
        for edit in (self.min_edit, self.max_edit):
            text = edit.text().strip()
            if not text:
                values.append(None)
                continue
            try:
                value = parse_money(text, lang) if money else int(text.replace(" ", ""))
            except ValueError:
                value = None
            if value is None or (money and value < 0):
                edit.setFocus()
                raise ValueError(
                    QCoreApplication.translate(
                        "products", "Enter an amount in đồng, such as %1."
                    ).replace("%1", format_money(100_000, lang))
                    if money
                    else QCoreApplication.translate("products", "Enter a whole number, such as 10.")
                )
            values.append(value)
        low, high = values
        if low is not None and high is not None and low > high:
            raise ValueError(
                QCoreApplication.translate("products", "The lower value is above the upper one.")
            )
        return low, high


def cleared(flt: ProductFilter, kind: str) -> ProductFilter:
    """The filter without one chip."""
    fields: dict[str, dict[str, Any]] = {
        "shop": {"shop_ids": ()},
        "price": {"price_min": None, "price_max": None},
        "discount": {"discount_min": None, "discount_max": None},
        "stock": {"stock_min": None, "stock_max": None},
        "status": {"statuses": ()},
        "category": {"category": None},
    }
    return replace(flt, **fields[kind])


# --------------------------------------------------------------------------- page


class ProductListPage(FilteredListPage):
    """Search, filter chips, the product list and its actions (see the module docstring)."""

    #: "Add product" was clicked.
    addRequested = Signal()
    #: A product should open in the editor (double-click or Enter on its row).
    editRequested = Signal(int)
    #: Export: a list of the selected product ids, or None for the current filter/search.
    exportRequested = Signal(object)
    #: "Import" was clicked.
    importRequested = Signal()
    #: The context menu's "Stock in/out…" on a product.
    stockRequested = Signal(int)
    #: Stock in/out of one variant of a product (its low one): (product id, variant id).
    stockVariantRequested = Signal(int, int)
    #: "Receive goods…": a goods receipt of what of these products is low (ids).
    receiveRequested = Signal(list)
    #: The context menu's "Stock history" on a product.
    historyRequested = Signal(int)
    #: "Print labels" on the selected products (or the context menu's product): their ids.
    labelsRequested = Signal(list)
    #: "Order" on the selected products (or the context menu's product): their ids.
    orderRequested = Signal(list)
    #: Change prices of these products (ids).
    pricesRequested = Signal(list)
    #: Show the scheduled price changes.
    schedulesRequested = Signal()

    model: ProductsTableModel
    _filter: ProductFilter

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, ProductFilter(), parent)
        self.setObjectName("list_products")
        self.setStyleSheet(STYLE)
        self.filter_dialog: FilterDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.context_menu: QMenu | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(self._build_search_row(CHIP_KINDS))
        layout.addWidget(self._build_chips())
        layout.addWidget(self._build_actions())
        layout.addWidget(self._build_message())
        layout.addWidget(self._build_view(), 1)
        self.retranslate()
        sort_by_default(self.view, PRODUCTS_SPEC)

    # Construction -------------------------------------------------------------------------
    def _build_actions(self) -> ActionRow:
        row = self.actions_row = ActionRow()
        self.selection_label = QLabel()
        self.selection_label.setObjectName("muted")
        self.hide_button = push_button("hideButton", self.hide_selected)
        self.unhide_button = push_button("unhideButton", self.unhide_selected)
        self.delete_button = push_button("deleteButton", self.delete_selected)
        self.labels_button = push_button("labelsButton", self.print_labels)
        self.order_button = push_button("orderProductsButton", self.order_selected)
        self.stock_button = push_button("stockButton", self.stock_selected)
        self.prices_button = push_button("pricesButton", self.change_prices)
        self.schedules_button = push_button("schedulesButton", self.schedulesRequested.emit)
        self.export_button = push_button("exportButton", self.export)
        self.import_button = push_button("importButton", self.importRequested.emit)
        self.template_button = template_button(self, self.ctx, TemplateKind.PRODUCTS)
        self.add_button = push_button("addProductButton", self.addRequested.emit)
        for w in (self.hide_button, self.unhide_button, self.delete_button):
            row.add(w)
        row.add_spacing(12)
        row.add(self.selection_label)
        row.add_stretch()
        for w in (self.stock_button, self.prices_button, self.schedules_button,
                  self.order_button, self.labels_button, self.export_button,
                  self.import_button, self.template_button):  # fmt: skip
            row.add(w)
        row.add_more()
        row.add_spacing(12)
        row.add(self.add_button)
        # Short of room, these go into More, the least used first; Add product stays.
        row.set_overflow_order(
            (self.template_button, self.schedules_button, self.unhide_button,
             self.import_button, self.order_button, self.labels_button, self.export_button,
             self.delete_button, self.prices_button, self.stock_button, self.hide_button)
        )  # fmt: skip
        return row

    def _build_view(self) -> QTableView:
        root = self.ctx.settings.data_dir if self.ctx.settings else None
        self.model = ProductsTableModel(self.ctx.engine, image_root=root, parent=self)
        view = self.view = QTableView()
        view.setObjectName("productsView")
        setup_list_view(
            view, self.model, hidden=HIDDEN_COLUMNS, widths=VIEW_WIDTHS,
            icon_size=QSize(96, THUMB), row_height=THUMB + 8, stretch="name",
        )  # fmt: skip
        self.price_delegate = ClockBesidePrice(view)
        view.setItemDelegateForColumn(self.model.col["price"], self.price_delegate)
        view.activated.connect(self._on_activated)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._show_context_menu)
        self._watch_view()
        # The price columns follow the prices in view, measured on the next loop turn:
        # never inside a paint (where the rows are fetched), once per burst of changes.
        self._exact_fit = True
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit_price_columns)
        self.model.modelReset.connect(self._refit_price_columns)
        self.model.dataChanged.connect(lambda *_a: self._fit_timer.start())
        self.model.rowsInserted.connect(lambda *_a: self._fit_timer.start())
        view.verticalScrollBar().valueChanged.connect(lambda _v: self._fit_timer.start())
        return view

    # Text ---------------------------------------------------------------------------------
    def empty_texts(self) -> tuple[str, str]:
        return (
            self.tr("No products match the search and the filters."),
            self.tr("No products yet: add one with Add product, or import a file."),
        )

    def _refit_price_columns(self) -> None:
        """Size the price columns afresh (a new query or language), once the rows show."""
        self._exact_fit = True
        self._fit_timer.start()

    def _fit_price_columns(self) -> None:
        """Price columns as wide as the widest price in view (at least their title), not
        a seven-digit range most shops never show: Status and Created then fit a 1366 px
        window. While one query's rows scroll by they only widen (no jumping columns);
        a new search, filter or language sizes them afresh."""
        view, model = self.view, self.model
        if not alive(view):
            return
        exact, self._exact_fit = self._exact_fit, False
        first = max(view.rowAt(0), 0)
        last = view.rowAt(view.viewport().height() - 1)
        last = min(model.rowCount() - 1 if last < 0 else last, first + MEASURED_ROWS)
        metrics, header = view.fontMetrics(), view.horizontalHeader()
        clock = CLOCK_SIZE + ICON_GAP
        for key in ("price", "discount_price"):
            column = model.col[key]
            # A Price cell with a coming change has its clock beside the text.
            widest = max((metrics.horizontalAdvance(t) + (
                          clock if key == "price" and model.coming(row) else 0)
                          for row in range(first, last + 1)
                          if isinstance(t := model.index(row, column).data(), str)),
                         default=0)  # fmt: skip
            width = max(header.sectionSizeHint(column), widest + PRICE_ROOM)
            if not exact:
                width = max(width, view.columnWidth(column))
            if width != view.columnWidth(column):
                view.setColumnWidth(column, width)
        self._fit_stock_column(exact, first, last)

    def _fit_stock_column(self, exact: bool, first: int, last: int) -> None:
        """In the low-stock view the Stock cells name the low variants: the column takes
        their width (up to LOW_STOCK_WIDTH, the tooltip has the rest); elsewhere it is
        back to its own width once a new query shows."""
        view, model = self.view, self.model
        column = model.col["stock"]
        if not model.name_short:
            if exact:
                view.setColumnWidth(column, PRODUCTS_SPEC.columns[column].width)
            return
        texts = (model.index(row, column).data() for row in range(first, last + 1))
        widest = max((view.fontMetrics().horizontalAdvance(t) for t in texts
                      if isinstance(t, str)), default=0)  # fmt: skip
        width = min(max(PRODUCTS_SPEC.columns[column].width, widest + PRICE_ROOM),
                    LOW_STOCK_WIDTH)  # fmt: skip
        if not exact:
            width = max(width, view.columnWidth(column))
        if width != view.columnWidth(column):
            view.setColumnWidth(column, width)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit_timer.start()  # a taller window shows more rows

    def retranslate(self) -> None:
        self._refit_price_columns()  # "VND" prices are a third wider than "₫" ones
        self.search.setPlaceholderText(
            QCoreApplication.translate("products", "Search by product name, SKU or barcode")
        )
        self.filter_button.setText(QCoreApplication.translate("products", "Filters"))
        menu = {
            "shop": QCoreApplication.translate("products", "Shop…"),
            "price": QCoreApplication.translate("products", "Unit price…"),
            "discount": QCoreApplication.translate("products", "Discount price…"),
            "stock": QCoreApplication.translate("products", "Stock…"),
            "status": QCoreApplication.translate("products", "Status…"),
            "category": QCoreApplication.translate("products", "Category…"),
        }
        for kind, text in menu.items():
            self.filter_actions[kind].setText(text)
        self.clear_filters.setText(QCoreApplication.translate("products", "Clear all"))
        self.hide_button.setText(QCoreApplication.translate("products", "Hide"))
        self.hide_button.setToolTip(
            QCoreApplication.translate("products", "Hide the selected products (they stop selling)")
        )
        self.unhide_button.setText(QCoreApplication.translate("products", "Unhide"))
        self.delete_button.setText(QCoreApplication.translate("products", "Delete"))
        self.labels_button.setText(QCoreApplication.translate("products", "Print labels"))
        self.order_button.setText(QCoreApplication.translate("products", "Order…"))
        self.stock_button.setText(QCoreApplication.translate("products", "Stock in/out…"))
        self.stock_button.setToolTip(QCoreApplication.translate(
            "products", "Stock in, stock out or correct the count of the selected product, "
            "on its lowest variant"))  # fmt: skip
        self.prices_button.setText(QCoreApplication.translate("products", "Change prices…"))
        self.prices_button.setToolTip(QCoreApplication.translate(
            "products", "Change the selling price, discount price or cost of every variant of "
            "the selected products at once: set, or up or down by a percentage or an amount, "
            "rounded"))  # fmt: skip
        self.schedules_button.setText(QCoreApplication.translate("products", "Scheduled prices"))
        self.schedules_button.setToolTip(QCoreApplication.translate(
            "products", "Price changes that start (and end) at a set time: a weekend sale, a "
            "new price list"))  # fmt: skip
        self.order_button.setToolTip(QCoreApplication.translate(
            "products", "A purchase order of the selected products: what of them is low on "
            "stock, brought up to twice its level less what is on order, from the supplier "
            "that delivered them last"))  # fmt: skip
        self.labels_button.setToolTip(
            QCoreApplication.translate(
                "products", "Print barcode labels for the selected products' variants"
            )
        )
        self.export_button.setText(QCoreApplication.translate("products", "Export"))
        self.import_button.setText(QCoreApplication.translate("products", "Import"))
        self.import_button.setToolTip(
            QCoreApplication.translate("products", "Import products from an Excel or CSV file")
        )
        retranslate_button(self.template_button)
        self.add_button.setText(QCoreApplication.translate("products", "Add product"))
        self._rebuild_chips()
        self._show_count()
        self._update_actions()

    def _show_count(self) -> None:
        self.count.setText(
            count_text(
                self.model.rowCount(),
                QCoreApplication.translate("products", "%n product"),
                QCoreApplication.translate("products", "%n products"),
            )
        )

    # Search and filters -------------------------------------------------------------------
    def search_text(self) -> str:
        """The search box text the list shows (as last applied)."""
        return self._search

    def set_search(self, text: str) -> None:
        """Search now (as if typed and Enter pressed)."""
        self.search.setText(text)
        self._on_search(text)

    def query_state(self) -> QueryState:
        """The list's query: filter clauses, search and sort (what an export of the view
        pages with)."""
        return self.model.state

    def _cleared(self, flt: ProductFilter, kind: str) -> ProductFilter:
        return cleared(flt, kind)

    def _apply(self) -> None:
        """Run the list query for the filter and search; keep the sort."""
        state = self.model.state
        self.model.name_short = "low_stock" in self._filter.statuses
        self._order_columns()
        self.model.set_state(
            list_state(self._filter, search=self._search, sort_key=state.sort_key,
                       descending=state.descending)
        )  # fmt: skip

    def _order_columns(self) -> None:
        """The low-stock view shows Stock and On order right after the name (LOW_VIEW_FIRST);
        any other view the spec's order. Only the header's visual order moves: the
        columns keep their indexes (sort, export, tooltips)."""
        header, col = self.view.horizontalHeader(), self.model.col
        if self.model.name_short:
            at = header.visualIndex(col["name"])
            for offset, key in enumerate(LOW_VIEW_FIRST, start=1):
                header.moveSection(header.visualIndex(col[key]), at + offset)
            return
        for logical in range(header.count()):  # back in order, left to right
            if header.visualIndex(logical) != logical:
                header.moveSection(header.visualIndex(logical), logical)

    def edit_filter(self, kind: str) -> FilterDialog:
        """Open the editor of one filter kind (`open_filter_dialog`)."""
        shops = self.shops(reload=True) if kind == "shop" else ()
        categories: list[str] = []
        if kind == "category":
            with self.ctx.engine.connect() as conn:
                categories = category_names(conn)
        dialog = FilterDialog(kind, self._filter, shops=shops, categories=categories, parent=self)
        self.filter_dialog = dialog
        self.open_filter_dialog(dialog)
        return dialog

    def chip_texts(self) -> dict[str, str]:
        """{kind: text} of the active filters, in chip order."""
        f, lang, out = self._filter, current_language(), {}
        if f.shop_ids:
            names = {s.id: s.name for s in self.shops()}
            shown = [names.get(i, f"#{i}") for i in f.shop_ids]
            out["shop"] = QCoreApplication.translate("products", "Shop: %1").replace(
                "%1", short_list(shown)
            )
        ranges = (
            (
                "price",
                QCoreApplication.translate("products", "Price"),
                f.price_min,
                f.price_max,
                True,
            ),
            (
                "discount",
                QCoreApplication.translate("products", "Discount price"),
                f.discount_min,
                f.discount_max,
                True,
            ),
            (
                "stock",
                QCoreApplication.translate("products", "Stock"),
                f.stock_min,
                f.stock_max,
                False,
            ),
        )
        for kind, label, low, high, money in ranges:
            if low is None and high is None:
                continue
            shown_ends = [
                None if v is None else (format_money(v, lang) if money else format_number(v, lang))
                for v in (low, high)
            ]  # fmt: skip
            out[kind] = label + ": " + self._range_text(*shown_ends)
        if f.statuses:
            out["status"] = QCoreApplication.translate("products", "Status: %1").replace(
                "%1", short_list([status_label(s) for s in f.statuses], 4)
            )
        if f.category:
            out["category"] = QCoreApplication.translate("products", "Category: %1").replace(
                "%1", f.category
            )
        return out

    @staticmethod
    def _range_text(low: str | None, high: str | None) -> str:
        if low is not None and high is not None:
            return f"{low} – {high}"
        if low is not None:
            return QCoreApplication.translate("products", "from %1").replace("%1", low)
        return QCoreApplication.translate("products", "up to %1").replace("%1", high or "")

    # Selection (selected_ids, select_ids, selected_count: SqlListPage) --------------------
    #: Selections up to this size enable Hide/Unhide by the rows' statuses.
    STATUS_CHECK_LIMIT = 500

    def _statuses(self) -> set[str | None]:
        return {
            self.model.extra(row, "status")
            for top, bottom in self._selected_spans()
            for row in range(top, bottom + 1)
        }

    def _update_actions(self) -> None:
        n = self.selected_count()
        self.selection_label.setText(
            QCoreApplication.translate("products", "%n selected").replace(
                "%n", format_number(n, current_language())
            )
            if n
            else ""
        )
        free = n > 0 and not self._busy
        # Unknown statuses (a big selection, rows still loading) leave it to the service.
        statuses = self._statuses() if 0 < n <= self.STATUS_CHECK_LIMIT else {None}
        unsure = None in statuses
        self.hide_button.setEnabled(free and (unsure or "active" in statuses))
        self.unhide_button.setEnabled(free and (unsure or "hidden" in statuses))
        self.delete_button.setEnabled(free)
        self.labels_button.setEnabled(n > 0)
        self.order_button.setEnabled(n > 0)
        self.stock_button.setEnabled(n == 1)
        self.prices_button.setEnabled(free)
        self.import_button.setEnabled(not self._busy)
        self.export_button.setToolTip(
            QCoreApplication.translate("products", "Export the selected products to Excel")
            if n
            else QCoreApplication.translate(
                "products", "Export every product of this view to Excel"
            )
        )
        gate_export(self.export_button, self.ctx)  # the right "Export data"

    # Signals to other parts ---------------------------------------------------------------
    def _key(self, index: QModelIndex | QPersistentModelIndex) -> int | None:
        return self.model.key_at(index.row()) if index.isValid() else None

    def _on_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        key = self._key(index)
        if key is None:
            return
        # A low or empty Stock cell opens the stock dialog on its lowest variant: the
        # fix of a low row is a step away (the rest of the row edits the product).
        if index.column() == self.model.col["stock"] and self.model.extra(index.row(), "flag"):
            self.open_stock_for(key)
            return
        self.editRequested.emit(key)

    def short_variants(self, product_id: int) -> list[ShortVariant]:
        """The product's low variants now, the fewest available first (one query)."""
        with self.ctx.engine.connect() as conn:
            return product_short_variants(conn, product_id)

    def open_stock_for(self, product_id: int, short: Sequence[ShortVariant] | None = None) -> None:
        """Ask for the stock dialog of a product, on its lowest variant when one is low."""
        short = self.short_variants(product_id) if short is None else short
        if short:
            self.stockVariantRequested.emit(product_id, short[0].variant_id)
        else:
            self.stockRequested.emit(product_id)

    def stock_selected(self) -> None:
        """Stock in/out of the one product selected (on its lowest variant)."""
        ids = self.selected_ids()
        if len(ids) == 1:
            self.open_stock_for(ids[0])

    def print_labels(self) -> None:
        """Ask for labels of the selected products."""
        ids = self.selected_ids()
        if ids:
            self.labelsRequested.emit(ids)

    def order_selected(self) -> None:
        """Ask for a purchase order of the selected products."""
        ids = self.selected_ids()
        if ids:
            self.orderRequested.emit(ids)

    def change_prices(self) -> None:
        """Ask to change the prices of the selected products."""
        ids = self.selected_ids()
        if ids:
            self.pricesRequested.emit(ids)

    def export(self) -> None:
        """Ask for an export: the selected ids, or None for the whole filtered list."""
        self.exportRequested.emit(self.selected_ids() or None)

    def _show_context_menu(self, pos: QPoint) -> None:
        key = self._key(self.view.indexAt(pos))
        if key is None:
            return
        menu = self.build_context_menu(key)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    #: Low variants the row menu's "Stock in/out" offers one by one.
    MENU_VARIANTS = 8

    def build_context_menu(self, product_id: int) -> QMenu:
        """The row menu of a product: edit, stock in/out, stock history."""
        menu = QMenu(self)
        menu.setObjectName("productMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(QCoreApplication.translate("products", "Edit…")).triggered.connect(
            lambda: self.editRequested.emit(product_id)
        )
        menu.addSeparator()
        short = self.short_variants(product_id)
        stock_text = QCoreApplication.translate("products", "Stock in/out…")
        if len(short) > 1:  # which low variant: each one, then any other
            sub = menu.addMenu(stock_text)
            sub.setObjectName("stockMenu")
            lang = current_language()
            for v in short[: self.MENU_VARIANTS]:
                text = f"{button_text(v.name)} ({format_number(v.available, lang)})…"
                sub.addAction(text).triggered.connect(
                    lambda _c=False, vid=v.variant_id: self.stockVariantRequested.emit(
                        product_id, vid))  # fmt: skip
            sub.addSeparator()
            other = sub.addAction(QCoreApplication.translate("products", "Another variant…"))
            other.triggered.connect(lambda: self.stockRequested.emit(product_id))
        else:
            menu.addAction(stock_text).triggered.connect(
                lambda: self.open_stock_for(product_id, short))  # fmt: skip
        if short:
            receive = menu.addAction(QCoreApplication.translate("products", "Receive goods…"))
            receive.triggered.connect(lambda: self.receiveRequested.emit([product_id]))
        menu.addAction(QCoreApplication.translate("products", "Stock history")).triggered.connect(
            lambda: self.historyRequested.emit(product_id)
        )
        menu.addAction(QCoreApplication.translate("products", "Print labels…")).triggered.connect(
            lambda: self.labelsRequested.emit([product_id])
        )
        menu.addAction(QCoreApplication.translate("products", "Order…")).triggered.connect(
            lambda: self.orderRequested.emit([product_id])
        )
        menu.addAction(QCoreApplication.translate("products", "Change prices…")).triggered.connect(
            lambda: self.pricesRequested.emit([product_id])
        )
        self.context_menu = menu
        return menu

    # Actions (busy, _run: SqlListPage; hide, unhide and delete are busy) -----------------
    def hide_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            ctx = self.ctx
            self._run(
                QCoreApplication.translate("products", "Hiding products"),
                lambda: hide_products(ctx, ids),
                lambda n: self.show_message(
                    count_text(
                        int(n),
                        QCoreApplication.translate("products", "%n product hidden"),
                        QCoreApplication.translate("products", "%n products hidden"),
                    )
                ),
            )

    def unhide_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            ctx = self.ctx
            self._run(
                QCoreApplication.translate("products", "Showing products again"),
                lambda: unhide_products(ctx, ids),
                lambda n: self.show_message(
                    count_text(
                        int(n),
                        QCoreApplication.translate("products", "%n product unhidden"),
                        QCoreApplication.translate("products", "%n products unhidden"),
                    )
                ),
            )

    def delete_selected(self) -> QMessageBox | None:
        """Ask to confirm, then delete the selection (the box is `confirm_box`)."""
        ids = self.selected_ids()
        if not ids:
            return None
        text = count_text(
            len(ids),
            QCoreApplication.translate("products", "Delete %n product?"),
            QCoreApplication.translate("products", "Delete %n products?"),
        ) + "\n\n" + QCoreApplication.translate(
            "products",
            "Products that have orders, goods receipts, purchase orders, stock or stock "
            "history are archived, not erased: they leave this list and the marketplaces "
            "are told none are left, but they stay on their orders and receipts. The others "
            "are deleted with their variants and images. This cannot be undone."
        )  # fmt: skip
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            QCoreApplication.translate("products", "Delete products"),
            text,
            parent=self,
        )
        box.setObjectName("confirmDelete")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText(
            QCoreApplication.translate("products", "Delete")
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._on_delete_answer(box, ids))
        self.confirm_box = box
        box.open()
        return box

    def _on_delete_answer(self, box: QMessageBox, ids: list[int]) -> None:
        yes = box.button(QMessageBox.StandardButton.Yes)
        if box.clickedButton() is not yes:
            return
        ctx = self.ctx
        self._run(
            QCoreApplication.translate("products", "Deleting products"),
            lambda: delete_products(ctx, ids),
            self._show_deleted,
        )

    def _show_deleted(self, result: DeleteResult) -> None:
        parts = []
        if result.deleted or not result.archived:
            parts.append(
                count_text(
                    result.deleted,
                    QCoreApplication.translate("products", "%n product deleted"),
                    QCoreApplication.translate("products", "%n products deleted"),
                )
            )
        if result.archived:
            parts.append(
                count_text(
                    result.archived,
                    QCoreApplication.translate(
                        "products", "%n product archived (it has orders, receipts or stock)"
                    ),
                    QCoreApplication.translate(
                        "products", "%n products archived (they have orders, receipts or stock)"
                    ),
                )
            )
        self.show_message("; ".join(parts))

    def shutdown(self) -> None:
        """Stop background loading (the window is closing)."""
        if alive(self):
            self.model.stop()
