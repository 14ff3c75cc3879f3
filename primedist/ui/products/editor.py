"""Add / edit a product: texts, images, attributes and the variant grid, shops.

The grid has one row per variant (SKU). Up to two attributes (e.g. Colour: Đỏ, Xanh and
Size: S, M, L) and "Generate variants" build one row per combination, keeping the rows
already typed (a row with the same values keeps its SKU, prices and stock); with no
attribute the grid is a single variant. "Apply to all" copies a price, cost or stock into
every row. Save runs `services.catalogue.create_product` / `update_product` on the
database worker; what the service refuses is shown in red next to the field it names (the
grid row highlighted), and the dialog stays open. A stock typed over an existing variant's
is a stock movement: Save first asks its reason (`stock_reason.StockReasonDialog`; Cancel
saves nothing). Esc cancels (asking first when something was typed).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import shiboken6
from PySide6.QtCore import QEvent, QItemSelectionModel, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QImageReader,
    QKeySequence,
    QPixmap,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.money import format_number, parse_money
from primedist.core.text import fold
from primedist.domain.enums import Channel
from primedist.errors import PrimedistError, ValidationError
from primedist.queries.stock import VariantLevels, variant_levels
from primedist.services import catalogue as svc
from primedist.services.catalogue import ImageDraft, PricesSeen, ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.product_images import THUMB_SIZE, prepare_image
from primedist.services.shops import ShopInfo, list_shops
from primedist.ui.errors import show_crash
from primedist.ui.file_dialogs import PICTURE, ask_open_files
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.messages import error_text
from primedist.ui.ops import Op
from primedist.ui.products.list_page import LOW_STOCK_COLOUR, OUT_OF_STOCK_COLOUR
from primedist.ui.products.stock_reason import StockChange, StockReasonDialog
from primedist.ui.widgets import (
    WholeColumnScroll,
    align_headers,
    button_text,
    column_scroll,
    fit_to_screen,
    set_style_property,
    show_cell_colours,
)

log = logging.getLogger(__name__)

#: Grid columns, and the VariantDraft field each one edits.
OPT1, OPT2, SKU, BARCODE, COST, PRICE, DISCOUNT, STOCK, LOW, WEIGHT = range(10)
COLUMN_FIELDS = ("option1", "option2", "sku", "barcode", "cost", "price", "discount_price",
                 "stock", "low_stock_level", "weight_g")  # fmt: skip
#: Shown with thousands separators (money, and grams: "1.200" reads better than "1200").
GROUPED_COLUMNS = (COST, PRICE, DISCOUNT, WEIGHT)
NUMBER_COLUMNS = (COST, PRICE, DISCOUNT, STOCK, LOW, WEIGHT)
#: Starting widths (px) of the fixed columns; SKU takes the rest. A header longer than
#: its column (in the UI's language) widens it.
LEAST_WIDTHS = {OPT1: 90, OPT2: 90, BARCODE: 120, COST: 85, PRICE: 85, DISCOUNT: 85,
                STOCK: 70, LOW: 85, WEIGHT: 85}  # fmt: skip
#: The header section's padding (8 px a side in the style sheet) and the sort-free margin.
HEADER_PADDING = 24
#: The widest an attribute column grows to show its values whole (px): a longer value is
#: cut, so SKU keeps room.
MAX_ATTRIBUTE_WIDTH = 220
IMAGE_FILTER = "*.jpg *.jpeg *.png *.webp *.gif *.bmp"
ERROR_ROW = QColor("#FEF2F2")
#: The variant grid is as tall as its rows, at least this many (room to add one) and at
#: most that many (it scrolls past them): one scroll bar, the dialog's, up to 12 variants.
GRID_MIN_ROWS, GRID_MAX_ROWS = 3, 12
#: The shops listed before the "Sell on" list scrolls.
MAX_SHOWN_SHOPS = 6
ERROR_CELL = QColor("#FECACA")
#: An image item's content hash (`PreparedImage.digest`; a stored image's file name).
DIGEST_ROLE = Qt.ItemDataRole.UserRole + 1
#: On a grid row's SKU cell: its _RowMeta.sku_made.
SKU_MADE_ROLE = Qt.ItemDataRole.UserRole + 2
#: The rows a "remove these variants?" question names (the rest are counted).
MAX_LISTED_ROWS = 12

STYLE = """
QLabel#fieldCaption, QLabel#muted { color: #6B7280; }
QLabel[error="true"] { color: #B91C1C; }
QLabel#nameCounter { color: #6B7280; }
QLabel#nameCounter[over="true"] { color: #B91C1C; font-weight: 600; }
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {
    border: 1px solid #DC2626; background: #FEF2F2; }
QPushButton#saveButton { background: #2563EB; color: #FFFFFF; border: 1px solid #2563EB;
    font-weight: 600; padding: 8px 22px; }
QPushButton#saveButton:hover { background: #1D4ED8; }
QPushButton#saveButton:disabled { background: #93C5FD; border-color: #93C5FD; }
QListWidget#images { background: #F9FAFB; border: 1px dashed #D1D5DB; border-radius: 6px; }
"""


def _split_values(text: str) -> list[str]:
    """`Đỏ, Xanh,  đỏ` -> ["Đỏ", "Xanh"] (commas or semicolons; repeats dropped)."""
    seen: set[str] = set()
    values = []
    for part in text.replace(";", ",").split(","):
        value = part.strip()
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            values.append(value)
    return values


def _renamed_values(shown: Sequence[str], values: Sequence[str]) -> dict[str, str]:
    """Old value (casefolded) -> new value, for the values of a grid column renamed in the
    attribute's list: those no longer in it, paired in order with the ones new in it when
    there are as many of each (`Xanh rêu` → `Rêu` keeps its rows, SKU and stock)."""
    new_keys = {v.casefold() for v in values}
    old_values = list(dict.fromkeys(v.casefold() for v in shown if v))
    old_keys = set(old_values)
    gone = [v for v in old_values if v not in new_keys]
    added = [v for v in values if v.casefold() not in old_keys]
    if not gone or len(gone) != len(added):
        return {}
    return dict(zip(gone, added, strict=True))


class _RowMeta(NamedTuple):
    """What a grid row keeps of the variant it was loaded from (all None: a new row)."""

    variant_id: int | None = None
    stock_seen: int | None = None
    #: Carried to the save so prices left as shown do not undo a change made meanwhile.
    prices_seen: PricesSeen | None = None
    #: (SKU, value 1, value 2) when the app made the row's SKU from these values: while the
    #: SKU is still that one and not saved, changing a value makes it again.
    sku_made: tuple[str, str, str] | None = None


def _sku_part(value: str) -> str:
    """`Xanh lá` -> `XANHLA`: a SKU piece from an attribute value."""
    return "".join(ch for ch in fold(value).upper() if ch.isalnum())


def _made_sku(base: str, a: str, b: str) -> str:
    """BASE-VALUE1-VALUE2, as Generate variants and Fill in SKUs make a SKU."""
    return "-".join(p for p in (base, _sku_part(a), _sku_part(b)) if p)


def _sku_is_stale(sku: str, meta: _RowMeta, a: str, b: str) -> bool:
    """The row's SKU is one the app made from other values than `a`, `b`, never saved nor
    typed over: it is to be made again."""
    made = meta.sku_made
    return (
        meta.variant_id is None and made is not None and bool(sku) and sku == made[0]
        and (_sku_part(made[1]), _sku_part(made[2])) != (_sku_part(a), _sku_part(b))
    )  # fmt: skip


def _set_flag(widget: QWidget, name: str, on: bool) -> None:
    if bool(widget.property(name)) != on:
        set_style_property(widget, name, on)


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # errors quote SKUs and names as typed
    label.setProperty("error", True)
    label.setWordWrap(True)
    label.hide()
    return label


def _caption() -> QLabel:
    label = QLabel()
    label.setObjectName("fieldCaption")
    return label


def _caption_row(caption: QLabel, error: QLabel) -> QHBoxLayout:
    """A field's caption with its error on the same line: showing the error moves nothing
    (one line, cut rather than wrapped; the whole text in its tooltip)."""
    error.setWordWrap(False)
    error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    error.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    row = QHBoxLayout()
    row.setSpacing(12)
    row.addWidget(caption)
    row.addWidget(error, 1)
    return row


def _thumbnail(path: str | None) -> QIcon:
    """An icon of at most THUMB_SIZE pixels, decoded at that size (big photos stay cheap)."""
    if not path:
        return QIcon()
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(
            size.scaled(THUMB_SIZE, THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio)
        )
    image = reader.read()
    return QIcon(QPixmap.fromImage(image)) if not image.isNull() else QIcon()


class ProductEditor(QDialog):
    """Add a product (`product_id` None) or edit one; `saved_id` holds the id after a save."""

    def __init__(
        self, ctx: ServiceContext, product_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.product_id = product_id
        self.saved_id: int | None = None
        self._busy = False
        self._dirty = False
        self._loading = True
        self._formatting = False
        #: (row, column) -> the message of a grid cell refused, in row order.
        self._cell_errors: dict[tuple[int, int], str] = {}
        self._grid_note = ""  # a grid message not about one cell
        self._marked_rows: set[int] = set()
        self._group_codes: dict[int, str] = {}
        #: Shop id -> item id of the product's listing there (None: not linked yet).
        self._item_ids: dict[int, str | None] = {}
        #: Variant id -> quantity open orders hold; the variants sold or listed before.
        self._held: dict[int, int] = {}
        self._history: frozenset[int] = frozenset()
        #: What marks a low variant's stock besides the grid (None: a new product).
        self._levels: VariantLevels | None = None
        #: The reason asked on Save for stock typed over an existing variant's (the last).
        self.stock_reason_dialog: StockReasonDialog | None = None
        self.setObjectName("productEditor")
        self.setStyleSheet(STYLE)
        fit_to_screen(self, 1200, 860)
        self._build()
        self._connect()
        self.retranslate()
        self._load()
        self._loading = False
        self.name.setFocus()

    # ----------------------------------------------------------------------- layout

    def _scrolling_form(self, top: QHBoxLayout) -> QScrollArea:
        """The whole form in one scroll area (a 1366×768 laptop scrolls it; the lists in it
        are as tall as their rows, so they do not scroll inside it): the buttons stay on
        the screen, and a field reached by Tab is scrolled into view."""
        form = QWidget()
        layout = QVBoxLayout(form)
        layout.setContentsMargins(0, 0, 6, 0)  # clear of the scroll bar
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self._build_attributes())
        layout.addWidget(self._build_variants())
        # The description and images, edited less often than prices and stock, come after
        # the variants: a laptop shows the grid on opening.
        bottom = QHBoxLayout()
        bottom.setSpacing(14)
        bottom.addLayout(self._build_description(), 3)
        bottom.addWidget(self._build_images(), 2)
        layout.addLayout(bottom)
        # Room left on a tall screen goes below the form: an error shown does not move it.
        layout.addStretch(1)
        scroll = column_scroll(form, "editorForm", WholeColumnScroll())
        scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.form_scroll = scroll
        return scroll

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 12, 14, 10)
        outer.setSpacing(10)
        top = QHBoxLayout()
        top.setSpacing(14)
        top.addLayout(self._build_details(), 3)
        top.addWidget(self._build_shops(), 2)
        outer.addWidget(self._scrolling_form(top), 1)
        self.general_error = _error_label("generalError")
        outer.addWidget(self.general_error)
        buttons = QHBoxLayout()
        self.hint = QLabel()
        self.hint.setObjectName("muted")
        buttons.addWidget(self.hint, 1)
        # In the hint's place while something is refused: says so with the fields out of
        # sight (the form scrolls), on one line, so nothing moves.
        self.problems_note = _error_label("problemsNote")
        self.problems_note.setWordWrap(False)
        self.problems_note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        buttons.addWidget(self.problems_note, 1)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveButton")
        for button in (self.cancel_button, self.save_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        outer.addLayout(buttons)

    def _build_details(self) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(4)
        self.name_caption = _caption()
        self.name = QLineEdit()
        self.name.setObjectName("productName")
        self.name_counter = QLabel()
        self.name_counter.setObjectName("nameCounter")
        name_row = QHBoxLayout()
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.name_counter)
        self.name_error = _error_label("nameError")
        self.category_caption = _caption()
        self.category = QComboBox()
        self.category.setObjectName("category")
        self.category.setEditable(True)
        self.category.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.category_error = _error_label("categoryError")
        self.features_caption = _caption()
        self.features = QPlainTextEdit()
        self.features.setObjectName("features")
        self.features.setTabChangesFocus(True)
        self.features.setFixedHeight(56)
        for widget in (_caption_row(self.name_caption, self.name_error), name_row,
                       _caption_row(self.category_caption, self.category_error), self.category,
                       self.features_caption, self.features):  # fmt: skip
            if isinstance(widget, QHBoxLayout):
                box.addLayout(widget)
            else:
                box.addWidget(widget)
        box.addStretch(1)  # beside a taller side column: the fields stay together
        return box

    def _build_description(self) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(4)
        self.description_caption = _caption()
        self.description = QPlainTextEdit()
        self.description.setObjectName("description")
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(56)
        self.description.setMaximumHeight(150)
        box.addWidget(self.description_caption)
        box.addWidget(self.description)
        box.addStretch(1)
        return box

    def _build_images(self) -> QGroupBox:
        self.images_box = QGroupBox()
        box = QVBoxLayout(self.images_box)
        box.setSpacing(6)
        self.images = QListWidget()
        self.images.setObjectName("images")
        self.images.setViewMode(QListView.ViewMode.IconMode)
        self.images.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.images.setFlow(QListView.Flow.LeftToRight)
        self.images.setWrapping(False)
        self.images.setMovement(QListView.Movement.Snap)
        self.images.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.images.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.images.setFixedHeight(THUMB_SIZE + 30)
        self.images.setGridSize(QSize(THUMB_SIZE + 10, THUMB_SIZE + 10))
        box.addWidget(self.images)
        row = QHBoxLayout()
        self.add_image_button = QPushButton()
        self.add_image_button.setObjectName("addImageButton")
        self.remove_image_button = QPushButton()
        self.remove_image_button.setObjectName("removeImageButton")
        self.images_hint = QLabel()
        self.images_hint.setObjectName("muted")
        for button in (self.add_image_button, self.remove_image_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        row.addWidget(self.images_hint, 1)
        box.addLayout(row)
        self.images_error = _error_label("imagesError")
        box.addWidget(self.images_error)
        return self.images_box

    def _build_shops(self) -> QGroupBox:
        self.shops_box = QGroupBox()
        box = QVBoxLayout(self.shops_box)
        self.shop_checks: dict[int, QCheckBox] = {}
        holder = QWidget()
        inner = QVBoxLayout(holder)
        inner.setContentsMargins(0, 0, 0, 0)
        self.shops: list[ShopInfo] = list_shops(self.ctx)
        for shop in self.shops:
            check = QCheckBox()
            check.setObjectName(f"shop{shop.id}")
            check.setProperty("shopId", shop.id)
            self.shop_checks[shop.id] = check
            inner.addWidget(check)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(holder)
        scroll.setVisible(bool(self.shops))
        self.shops_scroll = scroll
        box.addWidget(scroll)
        self.no_shops = QLabel()
        self.no_shops.setObjectName("muted")
        self.no_shops.setWordWrap(True)
        box.addWidget(self.no_shops)
        self.shops_error = _error_label("shopsError")
        box.addWidget(self.shops_error)
        return self.shops_box

    def _build_attributes(self) -> QGroupBox:
        self.attributes_box = QGroupBox()
        grid = QGridLayout(self.attributes_box)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.attr_captions = [_caption() for _ in range(3)]
        self.attr_names: list[QLineEdit] = []
        self.attr_values: list[QLineEdit] = []
        for i in range(2):
            name, values = QLineEdit(), QLineEdit()
            name.setObjectName(f"attribute{i + 1}Name")
            values.setObjectName(f"attribute{i + 1}Values")
            self.attr_names.append(name)
            self.attr_values.append(values)
            grid.addWidget(name, i + 1, 0)
            grid.addWidget(values, i + 1, 1)
        grid.addWidget(self.attr_captions[0], 0, 0)
        grid.addWidget(self.attr_captions[1], 0, 1)
        grid.addWidget(self.attr_captions[2], 0, 2)
        self.base_sku = QLineEdit()
        self.base_sku.setObjectName("baseSku")
        grid.addWidget(self.base_sku, 1, 2)
        self.generate_button = QPushButton()
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setAutoDefault(False)
        grid.addWidget(self.generate_button, 2, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 1)
        self.attributes_error = _error_label("attributesError")
        grid.addWidget(self.attributes_error, 3, 0, 1, 3)
        return self.attributes_box

    def _build_variants(self) -> QGroupBox:
        self.variants_box = QGroupBox()
        box = QVBoxLayout(self.variants_box)
        box.setSpacing(6)
        bar = QHBoxLayout()
        self.apply_caption = QLabel()
        bar.addWidget(self.apply_caption)
        self.all_price, self.all_cost, self.all_stock = QLineEdit(), QLineEdit(), QLineEdit()
        self.all_weight = QLineEdit()
        for edit, name in ((self.all_price, "allPrice"), (self.all_cost, "allCost"),
                           (self.all_stock, "allStock"),
                           (self.all_weight, "allWeight")):  # fmt: skip
            edit.setObjectName(name)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            edit.setMaximumWidth(130)
            bar.addWidget(edit)
        self.apply_button = QPushButton()
        self.apply_button.setObjectName("applyAllButton")
        bar.addWidget(self.apply_button)
        bar.addStretch(1)
        self.add_row_button = QPushButton()
        self.add_row_button.setObjectName("addVariantButton")
        self.remove_row_button = QPushButton()
        self.remove_row_button.setObjectName("removeVariantButton")
        self.make_skus_button = QPushButton()
        self.make_skus_button.setObjectName("makeSkusButton")
        for button in (self.apply_button, self.add_row_button, self.remove_row_button,
                       self.make_skus_button):  # fmt: skip
            button.setAutoDefault(False)
        bar.addWidget(self.make_skus_button)
        bar.addWidget(self.add_row_button)
        bar.addWidget(self.remove_row_button)
        box.addLayout(bar)
        self.grid = QTableWidget(0, len(COLUMN_FIELDS))
        self.grid.setObjectName("variantGrid")
        show_cell_colours(self.grid)  # the refused cells' red
        align_headers(self.grid, right=NUMBER_COLUMNS)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.grid.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        # Tab leaves the grid (arrows move between cells; Tab in a cell being edited still
        # goes on to the next one).
        self.grid.setTabKeyNavigation(False)
        self.grid.setAlternatingRowColors(True)
        self.grid.verticalHeader().setDefaultSectionSize(28)
        header = self.grid.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(SKU, QHeaderView.ResizeMode.Stretch)
        for column, width in LEAST_WIDTHS.items():
            self.grid.setColumnWidth(column, width)
        box.addWidget(self.grid)
        model = self.grid.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._fit_grid_height)
        self.grid.horizontalScrollBar().rangeChanged.connect(self._fit_grid_height)
        self._fit_grid_height()
        self.variants_error = _error_label("variantsError")
        box.addWidget(self.variants_error)
        return self.variants_box

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_shops_height()

    def _fit_shops_height(self) -> None:
        """The shops' list as tall as its ticks (up to MAX_SHOWN_SHOPS), so they show
        without a scroll bar inside the dialog's (measured once styled: on show)."""
        shown = list(self.shop_checks.values())[:MAX_SHOWN_SHOPS]
        holder = self.shops_scroll.widget()
        layout = holder.layout() if holder is not None else None
        if not shown or layout is None:
            return
        spacing = layout.spacing() * (len(shown) - 1)
        self.shops_scroll.setFixedHeight(sum(c.sizeHint().height() for c in shown) + spacing)

    def _fit_grid_height(self, *_args: object) -> None:
        """The grid as tall as its rows (GRID_MIN_ROWS to GRID_MAX_ROWS), so its variants
        show without a scroll bar inside the dialog's."""
        grid = self.grid
        rows = min(max(grid.rowCount(), GRID_MIN_ROWS), GRID_MAX_ROWS)
        height = (grid.horizontalHeader().sizeHint().height()
                  + rows * grid.verticalHeader().defaultSectionSize()
                  + 2 * grid.frameWidth() + 2)  # fmt: skip
        if grid.horizontalScrollBar().maximum() > 0:  # columns wider than the grid
            height += grid.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        grid.setFixedHeight(height)

    # ----------------------------------------------------------------------- texts

    def retranslate(self) -> None:
        if self.product_id is None:
            self.setWindowTitle(self.tr("New product"))
        else:
            self.setWindowTitle(self.tr("Edit product"))
        self.name_caption.setText(self.tr("Product name"))
        self.name.setPlaceholderText(self.tr("e.g. Cotton T-shirt"))
        self.category_caption.setText(self.tr("Category"))
        self.features_caption.setText(self.tr("Features"))
        self.description_caption.setText(self.tr("Description"))
        self.images_box.setTitle(self.tr("Images"))
        self.add_image_button.setText(self.tr("Add…"))
        self.remove_image_button.setText(self.tr("Remove"))
        self.images_hint.setText(self.tr("The first image is the cover; drag to reorder."))
        self.shops_box.setTitle(self.tr("Sell on"))
        self._shop_texts()
        self.no_shops.setText(self.tr("No shop yet: add shops in Settings."))
        self.no_shops.setVisible(not self.shops)
        self.attributes_box.setTitle(self.tr("Attributes (up to two)"))
        self.attr_captions[0].setText(self.tr("Attribute"))
        self.attr_captions[1].setText(self.tr("Values, separated by commas"))
        self.attr_captions[2].setText(self.tr("Base SKU (optional)"))
        self.attr_names[0].setPlaceholderText(self.tr("e.g. Colour"))
        self.attr_names[1].setPlaceholderText(self.tr("e.g. Size"))
        self.attr_values[0].setPlaceholderText(self.tr("e.g. Red, Blue"))
        self.attr_values[1].setPlaceholderText(self.tr("e.g. S, M, L"))
        self.base_sku.setPlaceholderText(self.tr("e.g. AO-THUN"))
        self.base_sku.setToolTip(self.tr("New rows get the SKU BASE-VALUE1-VALUE2"))
        self.generate_button.setText(self.tr("Generate variants"))
        self.variants_box.setTitle(self.tr("Variants"))
        self.apply_caption.setText(self.tr("Apply to all:"))
        self.all_price.setPlaceholderText(self.tr("Price"))
        self.all_cost.setPlaceholderText(self.tr("Cost"))
        self.all_stock.setPlaceholderText(self.tr("Stock"))
        self.all_weight.setPlaceholderText(self.tr("Weight (g)"))
        self.apply_button.setText(self.tr("Apply"))
        self.add_row_button.setText(self.tr("+ Variant"))
        self.remove_row_button.setText(self.tr("Remove variant"))
        self.make_skus_button.setText(self.tr("Fill in SKUs"))
        self.make_skus_button.setToolTip(self.tr(
            "Gives each variant without a SKU one made from the base SKU, or else the product "
            "name, and its values (e.g. ASMLN-DEN-S), unused in the shop. SKUs already typed "
            "stay."
        ))  # fmt: skip
        self.cancel_button.setText(self.tr("Cancel"))
        self.save_button.setText(self.tr("Save  (Ctrl+S)"))
        self.hint.setText(
            self.tr("Stock typed here is recorded as a stock movement.")
            if self.product_id is None
            else self.tr("A stock changed here is recorded in the stock history, with the "
                         "reason asked on Save.")
        )  # fmt: skip
        self._update_problems_note()
        self._update_headers()
        self._update_counter()

    def _update_headers(self) -> None:
        names = self._attribute_names()
        headers = [
            names[0] or self.tr("Attribute 1"),
            names[1] or self.tr("Attribute 2"),
            self.tr("SKU"),
            self.tr("Barcode"),
            self.tr("Cost"),
            self.tr("Price"),
            self.tr("Discount price"),
            self.tr("Stock"),
            self.tr("Low-stock level"),
            self.tr("Weight (g)"),
        ]
        self.grid.setHorizontalHeaderLabels(headers)
        self._fit_headers(headers)
        weight = self.grid.horizontalHeaderItem(WEIGHT)
        if weight is not None:
            weight.setToolTip(self.tr("One item, packed. A parcel weighs the sum of its items "
                                      "(500 g for an item with no weight)."))  # fmt: skip
        self.grid.setColumnHidden(OPT1, names[0] is None)
        self.grid.setColumnHidden(OPT2, names[1] is None)
        self._fit_attributes()

    def _fit_headers(self, headers: list[str]) -> None:
        """Widen a column whose header would be cut (the headers' lengths differ by
        language); never narrow one, so a width the owner dragged stays."""
        font = QFont(self.grid.horizontalHeader().font())
        font.setWeight(QFont.Weight.DemiBold)  # the style sheet's header weight (600)
        metrics = QFontMetrics(font)
        for column in LEAST_WIDTHS:
            wanted = metrics.horizontalAdvance(headers[column]) + HEADER_PADDING
            if self.grid.columnWidth(column) < wanted:
                self.grid.setColumnWidth(column, wanted)

    def _fit_attributes(self) -> None:
        """Widen an attribute column to its widest value (at most `MAX_ATTRIBUTE_WIDTH`)
        before SKU, which stretches, takes the rest: "Vàng kem" whole, not "Và…". Never
        narrowed, like `_fit_headers`."""
        for column in (OPT1, OPT2):
            if self.grid.isColumnHidden(column) or not self.grid.rowCount():
                continue
            wanted = min(self.grid.sizeHintForColumn(column), MAX_ATTRIBUTE_WIDTH)
            if self.grid.columnWidth(column) < wanted:
                self.grid.setColumnWidth(column, wanted)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ----------------------------------------------------------------------- wiring

    def _connect(self) -> None:
        self.name.textChanged.connect(self._update_counter)
        self.name.textChanged.connect(self._check_name)
        self.category.editTextChanged.connect(
            lambda: self._field_edited(self.category, self.category_error)
        )
        for edit in self.attr_names:
            edit.textEdited.connect(
                lambda _text, e=edit: self._field_edited(e, self.attributes_error)
            )
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.add_image_button.clicked.connect(self.pick_images)
        self.remove_image_button.clicked.connect(self.remove_selected_images)
        self.generate_button.clicked.connect(self.generate_variants)
        self.apply_button.clicked.connect(self.apply_to_all)
        self.add_row_button.clicked.connect(lambda: self.add_row())
        self.remove_row_button.clicked.connect(self.remove_selected_rows)
        self.make_skus_button.clicked.connect(self.fill_in_skus)
        self.grid.itemChanged.connect(self._cell_changed)
        for name in self.attr_names:
            name.textChanged.connect(self._update_headers)
        edits: list[QLineEdit] = [self.name, *self.attr_names, *self.attr_values, self.base_sku]
        for edit in edits:
            edit.textEdited.connect(self._touched)
        self.category.editTextChanged.connect(self._touched)
        self.features.textChanged.connect(self._touched)
        self.description.textChanged.connect(self._touched)
        for check in self.shop_checks.values():
            check.toggled.connect(self._touched)
        self.images.model().rowsMoved.connect(self._touched)
        for keys in ("Ctrl+S", "Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.save)

    def _touched(self, *_args: object) -> None:
        if not self._loading:
            self._dirty = True

    def _update_counter(self) -> None:
        # The letters the save stores (`clean_name`: in NFC), not the code points typed:
        # a name typed with combining marks counts as many as one typed precomposed.
        n = len(svc.clean_name(self.name.text()))
        self.name_counter.setText(f"{n}/{svc.MAX_NAME}")
        _set_flag(self.name_counter, "over", n > svc.MAX_NAME)

    def _shop_texts(self) -> None:
        """Each shop's tick: its name and channel; a marketplace listing says whether it is
        linked to its item there (stock changes reach only a linked one)."""
        for shop in self.shops:
            check = self.shop_checks[shop.id]
            text, tip = f"{button_text(shop.name)}  ({enum_label(shop.channel)})", ""
            if shop.channel == Channel.OFFLINE:
                tip = self.tr(
                    "Your counter sells every product. Ticked, the product is listed on this "
                    "shop: the products' Shops column and shop filter show it."
                )
            if shop.channel.is_marketplace and shop.id in self._item_ids:
                item = self._item_ids[shop.id]
                if item:
                    text += " — " + self.tr("linked")
                    tip = self.tr("Item %1 on the marketplace: stock changes are sent there.")
                    tip = tip.replace("%1", item)
                else:
                    text += " — " + self.tr("not linked yet")
                    tip = self.tr(
                        "Its stock is not sent until it is linked to its item on the "
                        "marketplace: list it in Seller Center with the same SKUs, then Fetch "
                        "listings in Settings → Sales channels (its first synced order there "
                        "links it too)."
                    )
            check.setText(text)
            check.setToolTip(tip)

    # ----------------------------------------------------------------------- loading

    def _load(self) -> None:
        categories: list[str] = []
        try:
            categories = svc.list_categories(self.ctx)
            product = svc.get_product(self.ctx, self.product_id) if self.product_id else None
            counters = svc.counter_shop_ids(self.ctx) if product is None else []
        except PrimedistError as exc:
            self._show_general(error_text(exc))
            self.save_button.setEnabled(False)
            return
        self.category.addItems(["", *categories])
        if product is None:
            # The counter sells a new product from the start: ticked, the list says so.
            for shop_id in counters:
                if shop_id in self.shop_checks:
                    self.shop_checks[shop_id].setChecked(True)
            self.add_row()
            return
        d = product.draft
        with self.ctx.engine.connect() as conn:  # the list's low-stock rule, on the grid
            self._levels = variant_levels(conn, product.id)
        self._group_codes = dict(product.group_codes)
        self._item_ids = dict(product.item_ids)
        self._held, self._history = dict(product.held), product.history
        self._shop_texts()
        self.setWindowTitle(self.tr("Edit product — %1").replace("%1", d.name))
        self.name.setText(d.name)
        self.category.setEditText(d.category or "")
        self.features.setPlainText(d.features or "")
        self.description.setPlainText(d.description or "")
        for i, (name, values) in enumerate(
            ((d.option1_name, [v.option1 for v in d.variants]),
             (d.option2_name, [v.option2 for v in d.variants]))
        ):  # fmt: skip
            self.attr_names[i].setText(name or "")
            if name:
                self.attr_values[i].setText(", ".join(dict.fromkeys(x for x in values if x)))
        for shop_id in d.shop_ids:
            if shop_id in self.shop_checks:
                self.shop_checks[shop_id].setChecked(True)
        for image in d.images:
            self._add_image_item(image, image.thumb or image.path)
        for v in d.variants:
            self.add_row(v)
        self._fit_attributes()

    # ----------------------------------------------------------------------- images

    def pick_images(self) -> None:
        """Add… : choose image files (several at once)."""
        paths = ask_open_files(
            self, self.ctx, PICTURE, self.tr("Add images"),
            self.tr("Images (%1)").replace("%1", IMAGE_FILTER),
        )  # fmt: skip
        if paths:
            self.add_images([str(p) for p in paths])

    def add_images(self, paths: Sequence[str]) -> list[str]:
        """Add these files to the strip (checked first); returns the problems, also shown
        under the images."""
        problems, left_out = [], []
        # The pictures in the strip by content (a stored one's file is named by its hash).
        held = {self.images.item(i).data(DIGEST_ROLE) for i in range(self.images.count())}
        for path in paths:
            name = Path(path).name
            if self.images.count() >= svc.MAX_IMAGES:  # refused now, not at Save
                left_out.append(name)
                continue
            try:
                prepared = prepare_image(path)
            except ValidationError as exc:
                problems.append(error_text(exc))
                continue
            if prepared.digest in held:
                problems.append(self.tr("%1 is already among the images: not added again.")
                                .replace("%1", name))  # fmt: skip
                continue
            held.add(prepared.digest)
            self._add_image_item(ImageDraft(source=str(path)), str(path), prepared.digest)
            self._dirty = True
        if left_out:
            text = self.tr("At most %1 images per product: %2 not added.")
            problems.append(
                text.replace("%1", str(svc.MAX_IMAGES)).replace("%2", ", ".join(left_out))
            )
        self._show_field_error(self.images_error, "\n".join(problems))
        return problems

    def _add_image_item(
        self, image: ImageDraft, shown: str | None, digest: str | None = None
    ) -> None:
        item = QListWidgetItem(_thumbnail(shown), "")
        item.setData(Qt.ItemDataRole.UserRole, image)
        stored = Path(image.path).name.split(".")[0] if image.path else None
        item.setData(DIGEST_ROLE, digest or stored)
        item.setToolTip(image.source or image.path or "")
        item.setSizeHint(QSize(THUMB_SIZE + 8, THUMB_SIZE + 8))
        self.images.addItem(item)

    def remove_selected_images(self) -> None:
        for item in self.images.selectedItems():
            self.images.takeItem(self.images.row(item))
            self._dirty = True

    def image_drafts(self) -> list[ImageDraft]:
        items = (self.images.item(i) for i in range(self.images.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items]

    # ----------------------------------------------------------------------- grid

    def _attribute_names(self) -> tuple[str | None, str | None]:
        names = [n.text().strip() or None for n in self.attr_names]
        return names[0], names[1]

    def add_row(self, variant: VariantDraft | None = None) -> int:
        """Append a row (a variant of the product, or an empty one); returns its index."""
        row = self.grid.rowCount()
        self.grid.insertRow(row)
        v = variant or VariantDraft()
        lang = current_language()

        def grouped(value: int | None) -> str:
            return "" if value is None else format_number(value, lang)

        texts = [v.option1 or "", v.option2 or "", v.sku, v.barcode or "", grouped(v.cost),
                 grouped(v.price), grouped(v.discount_price), str(v.stock),
                 "" if v.low_stock_level is None else str(v.low_stock_level),
                 grouped(v.weight_g)]  # fmt: skip
        if variant is None:
            texts[COST] = texts[PRICE] = ""
        self._formatting = True
        try:
            for column in range(len(COLUMN_FIELDS)):
                item = QTableWidgetItem()
                if column in NUMBER_COLUMNS:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.grid.setItem(row, column, item)
        finally:
            self._formatting = False
        self._fill_row(row, texts, _RowMeta(v.id, v.stock_seen, v.prices_seen))
        if not self._loading:
            self._dirty = True
        return row

    def remove_selected_rows(self) -> None:
        """Remove variant: takes the selected rows off the grid, asking first when one holds
        stock, is held by open orders or was sold or listed before (No keeps them)."""
        rows = sorted({i.row() for i in self.grid.selectedIndexes()}, reverse=True)
        going = [(self._row_texts(r), self._row_meta(r)) for r in sorted(rows)]
        if not self._confirm_removing(going):
            return
        for row in rows:
            self.grid.removeRow(row)
            self._dirty = True
        self._set_cell_errors({})  # the rows moved: their marks would be on others

    def _row_texts(self, row: int) -> list[str]:
        return [self._text(row, c) for c in range(len(COLUMN_FIELDS))]

    def _text(self, row: int, column: int) -> str:
        item = self.grid.item(row, column)
        return item.text().strip() if item is not None else ""

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        if self._formatting:
            return
        self._dirty = True
        if item.column() in (OPT1, OPT2):
            self._fit_attributes()
        if item.column() in (STOCK, LOW):
            self._mark_stock(item.row())
        key = (item.row(), item.column())
        if key in self._cell_errors:  # corrected: its mark and message go at once
            errors = dict(self._cell_errors)
            problem = self._cell_problem(*key)
            if problem:
                errors[key] = problem
            else:
                del errors[key]
            self._set_cell_errors(errors, self._grid_note)
        if item.column() in GROUPED_COLUMNS and item.text().strip():
            try:
                value = parse_money(item.text().strip(), current_language())
            except ValueError:
                return
            self._formatting = True
            try:
                item.setText(format_number(value, current_language()))
            finally:
                self._formatting = False

    def generate_variants(self) -> None:
        """One row per combination of the attribute values, keeping rows already typed; a
        single row when there is no attribute."""
        self._clear_errors()
        pairs = [(n.text().strip(), _split_values(v.text()))
                 for n, v in zip(self.attr_names, self.attr_values, strict=True)]  # fmt: skip
        named = [(name, values) for name, values in pairs if name]
        for name, values in named:
            if not values:
                text = self.tr("Give the values of %1, separated by commas.").replace("%1", name)
                self._show_field_error(self.attributes_error, text)
                return
        moved_up = len(named) == 1 and not pairs[0][0]
        lists = [values for _name, values in named]
        combos: list[tuple[str, str]] = (
            [(a, b) for a, b in itertools.product(lists[0], lists[1])] if len(lists) == 2
            else [(a, "") for a in lists[0]] if lists else [("", "")]
        )  # fmt: skip
        old = [(self._row_texts(r), self._row_meta(r)) for r in range(self.grid.rowCount())]
        stale: list[int] = []  # rows whose SKU, made from their old values, is made again
        if not moved_up:  # a value renamed in its place keeps its rows
            for column, (_name, values) in zip((OPT1, OPT2), pairs, strict=True):
                renamed = _renamed_values([texts[column] for texts, _meta in old], values)
                for texts, _meta in old:
                    texts[column] = renamed.get(texts[column].casefold(), texts[column])
        used: set[int] = set()

        def find(a: str, b: str) -> int | None:
            key = (a.casefold(), b.casefold())
            for i, (texts, _meta) in enumerate(old):
                if i not in used and (texts[OPT1].casefold(), texts[OPT2].casefold()) == key:
                    return i
            for i, (texts, _meta) in enumerate(old):  # a row typed before the 2nd attribute
                if i not in used and texts[OPT1].casefold() == key[0] and not texts[OPT2]:
                    return i
            if not lists:  # no attribute: keep the first row
                return next((i for i in range(len(old)) if i not in used), None)
            return None

        template = old[0][0] if old else None
        base = self.base_sku.text().strip()
        rows: list[tuple[list[str], _RowMeta]] = []
        for a, b in combos:
            i = find(a, b)
            if i is not None:
                used.add(i)
                texts, meta = list(old[i][0]), old[i][1]
                if _sku_is_stale(texts[SKU], meta, a, b):
                    # A typo corrected in a value leaves no trace of it in the SKU.
                    texts[SKU], meta = "", meta._replace(sku_made=None)
                    if base:
                        texts[SKU] = _made_sku(base, a, b)
                        meta = meta._replace(sku_made=(texts[SKU], a, b))
                    else:
                        stale.append(len(rows))
            else:
                texts, meta = [""] * len(COLUMN_FIELDS), _RowMeta()
                if template is not None:
                    for column in (COST, PRICE, DISCOUNT, LOW, WEIGHT):
                        texts[column] = template[column]
                texts[STOCK] = "0"
                if base:
                    texts[SKU] = _made_sku(base, a, b)
                    meta = meta._replace(sku_made=(texts[SKU], a, b))
            texts[OPT1], texts[OPT2] = a, b
            rows.append((texts, meta))
        dropped = [old[i] for i in range(len(old)) if i not in used]
        if not self._confirm_dropping(dropped):
            return
        if moved_up:  # only the second row filled: move it up
            self.attr_names[0].setText(named[0][0])
            self.attr_values[0].setText(self.attr_values[1].text())
            self.attr_names[1].clear()
            self.attr_values[1].clear()
        self._set_rows(rows)
        if stale:  # made from the name, as Fill in SKUs made them
            self._make_skus(stale)
        self._update_headers()
        self._dirty = True

    def _confirm_dropping(self, dropped: list[tuple[list[str], _RowMeta]]) -> bool:
        """Whether the rows a regeneration leaves out may go: asks first, naming them, when
        one holds stock, is held by open orders or was sold or listed before."""
        lines = self._what_goes(dropped)
        if not lines:
            return True
        text = self.tr(
            "These variants are not in the new list and are removed when you save (one sold "
            "or listed before is kept inactive, with its stock, for its history):\n%1\n\n"
            "To rename a value, change it in its place in the list. Remove these variants?"
        ).replace("%1", "\n".join(lines))
        return self._ask_removing(text)

    def _confirm_removing(self, going: list[tuple[list[str], _RowMeta]]) -> bool:
        """Whether the rows chosen for Remove variant may go: asks first, naming them, when
        one holds stock, is held by open orders or was sold or listed before (its stock
        leaves the product's count with no stock movement)."""
        lines = self._what_goes(going)
        if not lines:
            return True
        text = self.tr(
            "These variants are removed when you save:\n%1\n\nOne sold or listed before "
            "stays, inactive, with its stock and its history, but is no longer sold nor "
            "counted in the product's stock; the others are deleted with their stock. Remove "
            "these variants?"
        ).replace("%1", "\n".join(lines))
        return self._ask_removing(text)

    def _what_goes(self, rows: list[tuple[list[str], _RowMeta]]) -> list[str]:
        """A line for each row whose removal loses something: its stock, what open orders
        hold of it, or that it was sold or listed before (the first MAX_LISTED_ROWS, the
        rest counted); none for a row that holds nothing."""
        lines = []
        for texts, meta in rows:
            vid = meta.variant_id
            try:
                stock = int(texts[STOCK] or 0)
            except ValueError:
                stock = meta.stock_seen or 0
            grouped = vid is not None and vid in self._group_codes  # the group keeps it
            parts = [self.tr("stock %1").replace("%1", str(stock))] if stock and not grouped else []
            if vid is not None and self._held.get(vid):
                parts.append(self.tr("%1 held for open orders").replace("%1", str(self._held[vid])))
            if vid is not None and vid in self._history:
                parts.append(self.tr("sold or listed before"))
            if parts:
                name = texts[SKU] or " / ".join(x for x in (texts[OPT1], texts[OPT2]) if x)
                lines.append(f"• {name}: {', '.join(parts)}")
        if len(lines) > MAX_LISTED_ROWS:
            more = self.tr("… and %1 more").replace("%1", str(len(lines) - MAX_LISTED_ROWS))
            lines = [*lines[:MAX_LISTED_ROWS], more]
        return lines

    def _ask_removing(self, text: str) -> bool:
        answer = QMessageBox.question(
            self, self.tr("Remove variants"), text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def _row_meta(self, row: int) -> _RowMeta:
        """What a row remembers of the variant it was loaded from."""
        sku, stock = self.grid.item(row, SKU), self.grid.item(row, STOCK)
        price = self.grid.item(row, PRICE)
        return _RowMeta(
            sku.data(Qt.ItemDataRole.UserRole) if sku is not None else None,
            stock.data(Qt.ItemDataRole.UserRole) if stock is not None else None,
            price.data(Qt.ItemDataRole.UserRole) if price is not None else None,
            sku.data(SKU_MADE_ROLE) if sku is not None else None,
        )

    def _set_rows(self, rows: list[tuple[list[str], _RowMeta]]) -> None:
        self.grid.setRowCount(0)
        self._set_cell_errors({})
        for texts, meta in rows:
            self._fill_row(self.add_row(), texts, meta)

    def _item(self, row: int, column: int) -> QTableWidgetItem:
        item = self.grid.item(row, column)
        assert item is not None
        return item

    def _fill_row(self, row: int, texts: list[str], meta: _RowMeta) -> None:
        vid = meta.variant_id
        self._formatting = True
        try:
            for column, text in enumerate(texts):
                self._item(row, column).setText(text)
            self._item(row, SKU).setData(Qt.ItemDataRole.UserRole, vid)
            self._item(row, SKU).setData(SKU_MADE_ROLE, meta.sku_made)
            self._item(row, PRICE).setData(Qt.ItemDataRole.UserRole, meta.prices_seen)
            stock = self._item(row, STOCK)
            stock.setData(Qt.ItemDataRole.UserRole, meta.stock_seen)
        finally:
            self._formatting = False
        self._mark_stock(row)

    def stock_mark(self, row: int) -> tuple[str, str]:
        """("out" | "low" | "", why) of a row's stock by the Products list's rule: available
        (the stock typed less what open orders hold) at or below 0, or at or below its
        low-stock level (the one typed, else its SKU group's, else the shops' default)."""
        levels = self._levels
        if levels is None:
            return "", ""
        try:
            stock = int(self._text(row, STOCK))
        except ValueError:
            return "", ""
        vid = self._item(row, SKU).data(Qt.ItemDataRole.UserRole)
        reserved, inherited = levels.inherited.get(vid, (0, levels.shop_default))
        own = self._text(row, LOW)
        level = int(own) if own.isdigit() else inherited
        available = stock - reserved
        lang = current_language()
        figures = (self.tr("%1 available, level %2").replace("%2", format_number(level, lang))
                   if level is not None else self.tr("%1 available")
                   ).replace("%1", format_number(available, lang))  # fmt: skip
        if reserved:
            figures += " · " + self.tr("%1 held for open orders").replace("%1", str(reserved))
        if available <= 0:
            return "out", self.tr("Out of stock: %1").replace("%1", figures)
        if level is not None and available <= level:
            return "low", self.tr("Low on stock: %1").replace("%1", figures)
        return "", ""

    def _mark_stock(self, row: int) -> None:
        """Colour a low (amber) or empty (red) stock cell, why in its tooltip."""
        item = self.grid.item(row, STOCK)
        sku = self.grid.item(row, SKU)
        if item is None or sku is None:
            return
        mark, why = self.stock_mark(row)
        vid = sku.data(Qt.ItemDataRole.UserRole)
        code = self._group_codes.get(vid) if vid is not None else None
        tips = [self.tr("Shared with SKU group %1").replace("%1", code)] if code else []
        colour = {"out": OUT_OF_STOCK_COLOUR, "low": LOW_STOCK_COLOUR}.get(mark)
        self._formatting = True
        try:
            item.setForeground(QBrush(QColor(colour)) if colour else QBrush())
            item.setToolTip("\n".join([*tips, why] if why else tips))
        finally:
            self._formatting = False

    def apply_to_all(self) -> None:
        """Copy the price, cost, stock and/or weight typed above the grid into every row."""
        self._clear_errors()
        lang = current_language()
        values: dict[int, str] = {}
        for column, edit in ((PRICE, self.all_price), (COST, self.all_cost),
                             (STOCK, self.all_stock), (WEIGHT, self.all_weight)):  # fmt: skip
            text = edit.text().strip()
            if not text:
                continue
            try:
                number = parse_money(text, lang)
            except ValueError:
                self._show_field_error(
                    self.variants_error, self.tr("%1 is not a number.").replace("%1", text)
                )
                _set_flag(edit, "invalid", True)
                return
            _set_flag(edit, "invalid", False)
            values[column] = format_number(number, lang) if column != STOCK else str(number)
        self._formatting = True
        try:
            for row in range(self.grid.rowCount()):
                for column, text in values.items():
                    self._item(row, column).setText(text)
        finally:
            self._formatting = False
        if values:
            self._dirty = True

    def fill_in_skus(self) -> None:
        """Fill in SKUs: each row without a SKU gets BASE-VALUE1-VALUE2, as Generate
        variants makes them, BASE being the base SKU typed or else one made from the product
        name (`svc.sku_stem`), with -2, -3… when another variant has it. Typed and saved
        SKUs stay; one the app made from values changed since is made again."""
        rows = self._skus_to_make()
        if not rows:
            return
        if not self.base_sku.text().strip() and not self.name.text().strip():
            self._clear_errors()
            text = self.tr(
                "Type the product name (or a base SKU) first: the SKUs are made from it."
            )
            _set_flag(self.name, "invalid", True)
            self._show_field_error(self.name_error, text)
            self.name.setFocus()
            return
        if self._make_skus(rows):
            self._check_name()  # "type the name first" goes once the SKUs are made

    def _blank_sku_rows(self) -> list[int]:
        return [row for row in range(self.grid.rowCount()) if not self._text(row, SKU)]

    def _skus_to_make(self) -> list[int]:
        """The rows without a SKU, and those whose SKU the app made from values since changed
        (never saved, not typed over)."""
        return [
            row for row in range(self.grid.rowCount())
            if not self._text(row, SKU)
            or _sku_is_stale(self._text(row, SKU), self._row_meta(row),
                             self._text(row, OPT1), self._text(row, OPT2))
        ]  # fmt: skip

    def _make_skus(self, rows: list[int] | None = None) -> bool:
        """Give these rows (else those without a SKU) one (see `fill_in_skus`; the name or
        base SKU is there); False, the reason shown, when the store cannot be asked."""
        blank = self._blank_sku_rows() if rows is None else rows
        base = self.base_sku.text().strip() or svc.sku_stem(self.name.text())
        values = [(self._text(row, OPT1), self._text(row, OPT2)) for row in blank]
        wanted = [_made_sku(base, a, b) for a, b in values]
        # The SKUs being replaced are no longer taken.
        typed = [self._text(row, SKU) for row in range(self.grid.rowCount()) if row not in blank]
        try:
            made = svc.unused_skus(self.ctx, wanted, typed)
        except PrimedistError as exc:
            self._show_general(error_text(exc))
            return False
        for row, sku, (a, b) in zip(blank, made, values, strict=True):
            self._item(row, SKU).setText(sku)  # clears the cell's error (_cell_changed)
            self._item(row, SKU).setData(SKU_MADE_ROLE, (sku, a, b))
        self._dirty = True
        return True

    # ----------------------------------------------------------------------- the draft

    def draft(self) -> ProductDraft:
        """The form as a ProductDraft; ValidationError (with the cell's field) when a
        number in the grid cannot be read."""
        names = self._attribute_names()
        variants = [self._variant(row) for row in range(self.grid.rowCount())]
        return ProductDraft(
            name=self.name.text(),
            category=self.category.currentText(),
            features=self.features.toPlainText(),
            description=self.description.toPlainText(),
            option1_name=names[0],
            option2_name=names[1],
            variants=variants,
            shop_ids=[sid for sid, check in self.shop_checks.items() if check.isChecked()],
            images=self.image_drafts(),
        )

    def _variant(self, row: int) -> VariantDraft:
        texts = self._row_texts(row)
        vid, seen, prices_seen, _made = self._row_meta(row)
        lang = current_language()

        def number(column: int) -> int | None:
            problem = self._cell_problem(row, column)
            if problem:
                raise ValidationError(problem, field=svc.variant_field(row, COLUMN_FIELDS[column]))
            return parse_money(texts[column], lang) if texts[column] else None

        names = self._attribute_names()
        return VariantDraft(
            id=vid,
            sku=texts[SKU],
            barcode=texts[BARCODE] or None,
            option1=texts[OPT1] or None if names[0] else None,
            option2=texts[OPT2] or None if names[1] else None,
            cost=number(COST) or 0,
            price=number(PRICE) or 0,
            discount_price=number(DISCOUNT),
            stock=number(STOCK) or 0,
            low_stock_level=number(LOW),
            weight_g=number(WEIGHT),
            stock_seen=seen,
            prices_seen=prices_seen,
        )

    def _cell_problem(self, row: int, column: int) -> str | None:
        """What the form itself refuses in a cell: a number it cannot read, a missing
        price (None: nothing)."""
        text = self._text(row, column)
        if column not in NUMBER_COLUMNS:
            return None
        label = self.tr("Variant %1").replace("%1", str(row + 1))
        if self._text(row, SKU):
            label += f" ({self._text(row, SKU)})"
        if not text:
            if column != PRICE:
                return None
            header = self.grid.horizontalHeaderItem(column)
            what = header.text().lower() if header is not None else COLUMN_FIELDS[column]
            return self.tr("%1: give its %2.").replace("%1", label).replace("%2", what)
        try:
            parse_money(text, current_language())
        except ValueError:
            return self.tr("%1: %2 is not a number.").replace("%1", label).replace("%2", text)
        return None

    def _name_problem(self) -> str | None:
        n = len(svc.clean_name(self.name.text()))
        if not n:
            return self.tr("Give the product a name.")
        if n > svc.MAX_NAME:
            text = self.tr("The name is %1 characters long; at most %2 are allowed.")
            return text.replace("%1", str(n)).replace("%2", str(svc.MAX_NAME))
        return None

    def _check_name(self) -> None:
        """A name marked wrong loses its mark as soon as it is right."""
        if self.name.property("invalid"):
            problem = self._name_problem()
            _set_flag(self.name, "invalid", problem is not None)
            self._show_field_error(self.name_error, problem or "")

    def _field_edited(self, edit: QWidget, label: QLabel) -> None:
        """A field the service refused loses its mark once it is changed."""
        if edit.property("invalid"):
            _set_flag(edit, "invalid", False)
            self._show_field_error(label, "")

    def show_problems(self) -> bool:
        """Everything Save can check in the form, shown at once (the name above it, each
        cell marked and its message under the grid) with the cursor on the first; True
        when there is something to correct."""
        self._clear_errors()
        problem = self._name_problem()
        if problem:
            _set_flag(self.name, "invalid", True)
            self._show_field_error(self.name_error, problem)
        errors = {}
        for row in range(self.grid.rowCount()):
            for column in NUMBER_COLUMNS:
                text = self._cell_problem(row, column)
                if text:
                    errors[(row, column)] = text
        self._set_cell_errors(errors)
        if problem:
            self.name.setFocus()
        elif errors:
            self._focus_cell(*next(iter(errors)))
        return bool(problem or errors)

    # ----------------------------------------------------------------------- errors

    def _show_field_error(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.setToolTip("" if label.wordWrap() else text)  # a one-line error may be cut
        label.setVisible(bool(text))
        self._update_problems_note()

    def _update_problems_note(self) -> None:
        """How many places are refused, beside the buttons (instead of the hint)."""
        labels = (self.name_error, self.category_error, self.attributes_error,
                  self.shops_error, self.images_error)  # fmt: skip
        count = sum(not label.isHidden() for label in labels) + len(self._cell_errors)
        count += bool(self._grid_note)
        text = self.tr("Fields to correct (in red): %1").replace("%1", str(count)) if count else ""
        self.problems_note.setText(text)
        self.problems_note.setVisible(bool(count))
        self.hint.setVisible(not count)

    def _show_general(self, text: str) -> None:
        self._show_field_error(self.general_error, text)

    def _clear_errors(self) -> None:
        for label in (self.name_error, self.category_error, self.images_error, self.shops_error,
                      self.attributes_error, self.variants_error, self.general_error):  # fmt: skip
            label.hide()
        for widget in (self.name, self.category, *self.attr_names, *self.attr_values,
                       self.all_price, self.all_cost, self.all_stock, self.all_weight):  # fmt: skip
            _set_flag(widget, "invalid", False)
        self._set_cell_errors({})  # and the note beside the buttons

    def _set_cell_errors(self, errors: dict[tuple[int, int], str], note: str = "") -> None:
        """Mark these cells (red, their rows pink) and list their messages under the grid,
        in row order, then `note`; the marks of cells no longer refused go."""
        self._cell_errors = dict(sorted(errors.items()))
        self._grid_note = note
        rows = {row for row, _column in self._cell_errors}
        self._formatting = True
        try:
            for row in (self._marked_rows | rows) & set(range(self.grid.rowCount())):
                for c in range(self.grid.columnCount()):
                    item = self.grid.item(row, c)
                    if item is not None:
                        shade = (ERROR_CELL if (row, c) in self._cell_errors
                                 else ERROR_ROW if row in rows else None)  # fmt: skip
                        item.setBackground(QBrush(shade) if shade is not None else QBrush())
        finally:
            self._formatting = False
        self._marked_rows = rows
        lines = [*self._cell_errors.values(), note] if note else list(self._cell_errors.values())
        self._show_field_error(self.variants_error, "\n".join(lines))

    def _focus_cell(self, row: int, column: int) -> None:
        """The keys go to the cell (typing fills it), shown in the grid and the dialog."""
        target = self.grid.item(row, column)
        if target is None:
            return
        # The cursor goes to the cell without selecting it, so its red stays visible.
        self.grid.scrollToItem(target)
        self.grid.clearSelection()
        self.grid.selectionModel().setCurrentIndex(
            self.grid.indexFromItem(target), QItemSelectionModel.SelectionFlag.NoUpdate
        )
        self.grid.setFocus()
        form = self.form_scroll.widget()
        if form is not None:
            rect = self.grid.visualItemRect(target)
            centre = self.grid.viewport().mapTo(form, rect.center())
            self.form_scroll.ensureVisible(centre.x(), centre.y(), 50, 60)

    def row_in_error(self) -> int | None:
        """The first grid row marked by the last errors (None when none is)."""
        return next(iter(self._cell_errors), (None, None))[0]

    def show_validation(self, exc: ValidationError) -> None:
        """Show a refusal next to the field it names."""
        self._clear_errors()
        text, name = error_text(exc), exc.field or ""
        cell = svc.parse_variant_field(name)
        if cell is not None:
            row, column_name = cell
            column = COLUMN_FIELDS.index(column_name) if column_name in COLUMN_FIELDS else SKU
            if column == SKU and row < self.grid.rowCount() and not self._text(row, SKU):
                text += "\n" + self.tr("Fill in SKUs (above the grid) makes the missing ones "
                                        "from the product name.")  # fmt: skip
            if row < self.grid.rowCount():
                self._set_cell_errors({(row, column): text})
                self._focus_cell(row, column)
            else:
                self._set_cell_errors({}, text)
        elif name == "name":
            _set_flag(self.name, "invalid", True)
            self._show_field_error(self.name_error, text)
            self.name.setFocus()
        elif name == "category":
            _set_flag(self.category, "invalid", True)
            self._show_field_error(self.category_error, text)
            self.category.setFocus()
        elif name in ("option1_name", "option2_name"):
            edit = self.attr_names[0 if name == "option1_name" else 1]
            _set_flag(edit, "invalid", True)
            self._show_field_error(self.attributes_error, text)
            edit.setFocus()
        elif name == "variants":
            self._set_cell_errors({}, text)
            self.grid.setFocus()
        elif name == "shop_ids":
            self._show_field_error(self.shops_error, text)
            if self.shop_checks:
                next(iter(self.shop_checks.values())).setFocus()
        elif name == "images":
            self._show_field_error(self.images_error, text)
            self.images.setFocus()
        else:
            self._show_general(text)

    # ----------------------------------------------------------------------- save

    def save(self) -> None:
        """Check the form (all its problems shown at once), fill in missing SKUs, then save
        in the background; the service's refusal shows by its field."""
        if self._busy or not self.save_button.isEnabled():
            return
        asked = self.stock_reason_dialog
        if asked is not None and shiboken6.isValid(asked) and asked.isVisible():
            return  # Ctrl+S again while the reason is asked
        if self.show_problems():
            return
        # A variant left without a SKU gets one, as Fill in SKUs makes it (unused).
        if self._blank_sku_rows() and not self._make_skus():
            return
        try:
            draft = self.draft()
        except ValidationError as exc:
            self.show_validation(exc)
            return
        changes = self.stock_changes(draft)
        if not changes:
            self._save_draft(draft, None)
            return
        # A stock typed over an existing variant's is a stock movement: it gets a reason,
        # as in Stock movement (Cancel: back to the form, nothing saved).
        asked = StockReasonDialog(changes, self)
        self.stock_reason_dialog = asked
        asked.accepted.connect(lambda: self._save_draft(draft, asked.reason()))
        asked.finished.connect(asked.deleteLater)
        asked.open()

    def stock_changes(self, draft: ProductDraft) -> list[StockChange]:
        """The existing variants whose stock the grid changes (a new one's is opening
        stock: no reason asked)."""
        if self.product_id is None:
            return []
        return [
            StockChange(" / ".join(o for o in (v.option1, v.option2) if o), v.sku,
                        v.stock_seen, v.stock)
            for v in draft.variants
            if v.id is not None and v.stock_seen is not None and v.stock != v.stock_seen
        ]  # fmt: skip

    def _save_draft(self, draft: ProductDraft, stock_reason: str | None) -> None:
        if self._busy or not shiboken6.isValid(self):
            return
        product_id = self.product_id
        ctx = self.ctx

        def work(_job: object) -> int:
            if product_id is None:
                return svc.create_product(ctx, draft)
            svc.update_product(ctx, product_id, draft, stock_reason=stock_reason)
            return product_id

        self._set_busy(True)
        Op(self, work, engine=ctx.engine, title=self.tr("Saving the product")).success(
            self._saved
        ).failure(self._failed).finally_(self._idle).run()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)

    def _saved(self, product_id: int) -> None:
        if shiboken6.isValid(self):
            self.saved_id = product_id
            self._dirty = False
            self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if isinstance(exc, ValidationError):
            self.show_validation(exc)
        elif isinstance(exc, PrimedistError):
            self._show_general(error_text(exc))
        else:
            log.error("saving a product failed", exc_info=exc)
            show_crash(self, exc)

    def _idle(self) -> None:
        if shiboken6.isValid(self):
            self._set_busy(False)

    # ----------------------------------------------------------------------- cancel

    def reject(self) -> None:
        """Esc / Cancel: asks first when something was typed."""
        if self._busy:
            return
        if self._dirty:
            answer = QMessageBox.question(
                self,
                self.tr("Close the product"),
                self.tr("Your changes are not saved. Close and lose them?"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()
