"""Stock dialogs of a product: move stock (in, out, adjust to a count) and its history.

Both start on a variant picker listing the product's active variants with their on hand,
reserved and available stock (a SKU group's figures, marked "shared by group CODE", when
the variant is grouped); the history's also offers all variants at once, paged by keyset
("Load older"). Writes go through `services.stock` on the database worker (`Op`);
what the service refuses is shown in the dialog, which stays open.
"""

from __future__ import annotations

import logging
import re

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_datetime, shop_tz
from primedist.core.money import format_number, parse_money
from primedist.domain.enums import StockMoveKind
from primedist.domain.goods_receipt import MAX_RECEIPT_QUANTITY
from primedist.domain.product import StockMovement
from primedist.errors import PrimedistError, ValidationError
from primedist.queries.stocktake import (
    VariantStock,
    order_numbers,
    product_name,
    product_variants,
)
from primedist.services import stock as svc
from primedist.services.catalogue import EDIT_REASON, OPENING_REASON
from primedist.services.context import ServiceContext
from primedist.services.orders import NOT_RESTOCKED
from primedist.services.product_import import IMPORT_REASON
from primedist.ui.errors import show_crash
from primedist.ui.i18n import current_language
from primedist.ui.labels import QT_TRANSLATE_NOOP
from primedist.ui.messages import error_text
from primedist.ui.ops import Op
from primedist.ui.widgets import align_headers, fit_to_screen

log = logging.getLogger(__name__)

CONTEXT = "stock"
#: The largest quantity the spin boxes accept: the stock services' own cap.
MAX_QUANTITY = MAX_RECEIPT_QUANTITY

KIND_LABELS: dict[str, str] = {
    StockMoveKind.STOCK_IN: QT_TRANSLATE_NOOP("stock", "Stock in"),
    StockMoveKind.STOCK_OUT: QT_TRANSLATE_NOOP("stock", "Stock out"),
    StockMoveKind.ADJUSTMENT: QT_TRANSLATE_NOOP("stock", "Adjustment"),
    StockMoveKind.STOCKTAKE: QT_TRANSLATE_NOOP("stock", "Stock-take"),
    StockMoveKind.SALE: QT_TRANSLATE_NOOP("stock", "Sale"),
    StockMoveKind.RETURN: QT_TRANSLATE_NOOP("stock", "Return"),
    StockMoveKind.CANCEL_RESTOCK: QT_TRANSLATE_NOOP("stock", "Cancelled: back on the shelf"),
    StockMoveKind.RESERVE: QT_TRANSLATE_NOOP("stock", "Reserved by an order"),
    StockMoveKind.RELEASE: QT_TRANSLATE_NOOP("stock", "Reservation released"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def kind_label(kind: object) -> str:
    """The translated name of a stock movement kind."""
    key = str(getattr(kind, "value", kind))
    source = KIND_LABELS.get(key)
    return _tr(source) if source else key


#: The reasons the app itself writes on movements (English in the ledger), shown in the
#: reader's language: whole reasons, and "prefix CODE…" reasons.
FIXED_REASONS = {
    OPENING_REASON: QT_TRANSLATE_NOOP("stock", "Opening stock"),
    svc.SOLD_OUT_REASON: QT_TRANSLATE_NOOP("stock", "Counted: none left"),
    EDIT_REASON: QT_TRANSLATE_NOOP("stock", "Edited in the product form"),
    IMPORT_REASON: QT_TRANSLATE_NOOP("stock", "Import"),
}
PREFIXED_REASONS = {
    "Joined group ": QT_TRANSLATE_NOOP("stock", "Joined group %1"),
    "Left group ": QT_TRANSLATE_NOOP("stock", "Left group %1"),
    "Goods receipt ": QT_TRANSLATE_NOOP("stock", "Goods receipt %1"),
    "Return to supplier ": QT_TRANSLATE_NOOP("stock", "Return to supplier %1"),
}
#: How the app's reasons name a document cancelled: "Goods receipt PN000001 cancelled: why".
CANCELLED = " cancelled: "


#: A movement a deleted SKU group left to its listing ends "… (group PS-1)": its "on hand
#: after" was the group's (`sku_groups._keep_listing_movements`).
GROUP_SUFFIX = re.compile(r" ?\(group ([^()]+)\)$")


def reason_label(reason: str) -> str:
    """A movement's reason in the UI language when the app wrote it; a person's as typed."""
    grouped = GROUP_SUFFIX.search(reason)
    if grouped:
        base = reason[: grouped.start()]
        label = QCoreApplication.translate("stock", "%1 (group %2)")
        return _fill(label, reason_label(base) if base else "", grouped.group(1)).strip()
    if reason.endswith(NOT_RESTOCKED):  # a return's units written off (`orders.return_in`)
        base = reason_label(reason[: -len(NOT_RESTOCKED)])
        return QCoreApplication.translate("stock", "%1 — not restocked").replace("%1", base)
    if reason in FIXED_REASONS:
        return _tr(FIXED_REASONS[reason])
    for prefix, template in PREFIXED_REASONS.items():
        if reason.startswith(prefix):
            code, cancelled, why = reason[len(prefix) :].partition(CANCELLED)
            document = _tr(template).replace("%1", code)
            if not cancelled:
                return document
            return _fill(QCoreApplication.translate("stock", "%1 cancelled: %2"), document, why)
    return reason


def _fill(template: str, first: str, second: str) -> str:
    """%1 and %2 filled in one pass (neither text can fill in the other's place-holder)."""
    values = {"1": first, "2": second}
    return re.sub(r"%([12])", lambda m: values[str(m.group(1))], template)


def _num(n: int) -> str:
    return format_number(n, current_language())


def signed(n: int) -> str:
    """`+5`, `-3`, `0` in the language's number format."""
    return ("+" if n > 0 else "") + _num(n)


def variant_text(v: VariantStock) -> str:
    """`AO-S · Đỏ / M — on hand 10 · reserved 1 · available 9 · shared by group PRIME-1`."""
    name = " · ".join(part for part in (v.sku, v.options) if part)
    figures = (
        QCoreApplication.translate("stock", "on hand %1 · reserved %2 · available %3")
        .replace("%1", _num(v.on_hand))
        .replace("%2", _num(v.reserved))
        .replace("%3", _num(v.available))
    )
    text = f"{name} — {figures}"
    if v.group_code:
        text += " · " + QCoreApplication.translate("stock", "shared by group %1").replace(
            "%1", v.group_code
        )
    return text


def plain_label(name: str) -> QLabel:
    """A label shown as typed: product names and SKUs come from imports and channels, and
    a QLabel would draw `<b>…` in them as markup."""
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def load_variants(ctx: ServiceContext, product_id: int) -> tuple[str, list[VariantStock]]:
    """The product's name ('' when it is gone) and its active variants with their stock."""
    with ctx.engine.connect() as conn:
        return product_name(conn, product_id) or "", product_variants(conn, product_id)


class VariantPicker(QComboBox):
    """The product's active variants with their stock; `current()` is the chosen one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("variantPicker")
        self.setMinimumWidth(460)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.rows: list[VariantStock] = []

    def load(self, rows: list[VariantStock], select: int | None = None) -> None:
        """Fill with `rows`, keeping `select` (a variant id) chosen when it is there."""
        was = self.blockSignals(True)
        try:
            self.rows = rows
            self.clear()
            for v in rows:
                self.addItem(variant_text(v), v.variant_id)
            index = self.findData(select) if select is not None else -1
            self.setCurrentIndex(max(index, 0) if rows else -1)
        finally:
            self.blockSignals(was)

    def retranslate(self) -> None:
        for i, v in enumerate(self.rows):
            self.setItemText(i, variant_text(v))

    def current(self) -> VariantStock | None:
        i = self.currentIndex()
        return self.rows[i] if 0 <= i < len(self.rows) else None


class ProductStockDialog(QDialog):
    """The frame of a product's stock dialogs: the product's name (`product`) and active
    variants with their stock (`variant_rows`, read once), a title line (`show_title`) and
    the layout under it (`body`)."""

    def __init__(
        self, ctx: ServiceContext, product_id: int, parent: QWidget | None, *, name: str
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.product_id = product_id
        self.setObjectName(name)
        self.product, self.variant_rows = load_variants(ctx, product_id)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(18, 14, 18, 14)
        self.body.setSpacing(10)
        self.title = plain_label("sectionTitle")
        self.body.addWidget(self.title)

    def show_title(self, title: str) -> None:
        """The dialog's title, as its window title and its first line."""
        self.setWindowTitle(title)
        self.title.setText(title)


# --------------------------------------------------------------------------- stock move


def ask_below_held(parent: QWidget, v: VariantStock, after: int) -> bool:
    """Yes when the user saves a move leaving `after` on hand, below what open orders hold
    of `v` (tests replace it)."""
    text = (
        QCoreApplication.translate(
            "StockMoveDialog",
            "%1 will have %2 on hand, below the %3 held for open orders: those orders cannot "
            "all be packed until more comes in. Save all the same?",
        )
        .replace("%2", _num(after))
        .replace("%3", _num(v.reserved))
        .replace("%1", v.sku)  # last: a SKU may hold "%2"
    )
    box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate(
        "StockMoveDialog", "Below what open orders hold"), text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)  # fmt: skip
    box.setTextFormat(Qt.TextFormat.PlainText)  # a SKU as typed
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


class StockMoveDialog(ProductStockDialog):
    """Stock in (quantity, optional unit cost), stock out (quantity, reason) or adjust to a
    counted on hand (reason) for one variant of a product; shows the resulting on hand as
    you type. Emits `stockChanged(variant_id)` and closes once the service saved it."""

    stockChanged = Signal(int)
    #: A stock in saved with "Print barcode labels" ticked: (product id, variant id, copies).
    labelsRequested = Signal(int, int, int)

    KIND_IN, KIND_OUT, KIND_ADJUST = "in", "out", "adjust"

    def __init__(
        self,
        ctx: ServiceContext,
        product_id: int,
        parent: QWidget | None = None,
        variant_id: int | None = None,
    ) -> None:
        super().__init__(ctx, product_id, parent, name="stockMoveDialog")
        #: The movement saved (None for an adjustment to the same figure); set on success.
        self.movement: StockMovement | None = None
        self._busy = False
        self._server_error = ""
        self.setMinimumWidth(620)
        layout = self.body
        layout.addLayout(self._build_form())
        self.problem = plain_label("formProblem")
        self.problem.setWordWrap(True)
        # The hint's line is kept while it is hidden: Save does not jump up under the
        # pointer when typing the reason clears "Give a reason…".
        policy = self.problem.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.problem.setSizePolicy(policy)
        self.problem.setMinimumHeight(self.problem.fontMetrics().lineSpacing())
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save.setObjectName("primaryButton")
        self.cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.variants.load(self.variant_rows, variant_id)
        self._connect()
        self._retranslate()
        self._kind_changed()
        self.quantity.setFocus()
        self.quantity.selectAll()

    # ------------------------------------------------------------------ building

    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        self.variants = VariantPicker()
        self.kind_in, self.kind_out, self.kind_adjust = (QRadioButton() for _ in range(3))
        self.kind_in.setObjectName("kindIn")
        self.kind_out.setObjectName("kindOut")
        self.kind_adjust.setObjectName("kindAdjust")
        self.kinds = QButtonGroup(self)
        kinds_row = QHBoxLayout()
        for button in (self.kind_in, self.kind_out, self.kind_adjust):
            self.kinds.addButton(button)
            kinds_row.addWidget(button)
        kinds_row.addStretch(1)
        self.kind_in.setChecked(True)
        self.quantity = QSpinBox()
        self.quantity.setObjectName("moveQuantity")
        self.quantity.setRange(1, MAX_QUANTITY)
        self.quantity.setGroupSeparatorShown(True)
        self.quantity.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.quantity.setMinimumWidth(140)
        self.quantity.setMaximumWidth(200)
        self.unit_cost = QLineEdit()
        self.unit_cost.setObjectName("unitCost")
        self.unit_cost.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.unit_cost.setMaximumWidth(220)
        self.reason = QLineEdit()
        self.reason.setObjectName("moveReason")
        self.reason.setMaxLength(svc.MAX_REASON)
        self.result_label = plain_label("moveResult")
        self.result_label.setWordWrap(True)  # a group's and the orders' notes make it long
        # Goods received get their labels next (Products → Print labels, these copies).
        self.labels_check = QCheckBox()
        self.labels_check.setObjectName("moveLabels")
        self.captions = {k: QLabel() for k in ("variant", "kind", "quantity", "cost", "reason",
                                               "result")}  # fmt: skip
        self.captions["variant"].setBuddy(self.variants)
        self.captions["quantity"].setBuddy(self.quantity)
        self.captions["cost"].setBuddy(self.unit_cost)
        self.captions["reason"].setBuddy(self.reason)
        form.addRow(self.captions["variant"], self.variants)
        form.addRow(self.captions["kind"], kinds_row)
        form.addRow(self.captions["quantity"], self.quantity)
        form.addRow(self.captions["cost"], self.unit_cost)
        form.addRow(self.captions["reason"], self.reason)
        form.addRow(self.captions["result"], self.result_label)
        form.addRow("", self.labels_check)
        self.form = form
        return form

    def _connect(self) -> None:
        self.variants.currentIndexChanged.connect(lambda _i: self._variant_changed())
        self.kinds.buttonToggled.connect(lambda _b, on: self._kind_changed() if on else None)
        self.quantity.valueChanged.connect(lambda _v: self._edited())
        self.unit_cost.textChanged.connect(lambda _t: self._edited())
        self.reason.textChanged.connect(lambda _t: self._edited())

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._update()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.show_title(self.tr("Stock movement: %1").replace("%1", self.product))
        self.variants.retranslate()
        self.kind_in.setText(self.tr("Stock &in"))
        self.kind_out.setText(self.tr("Stock &out"))
        self.kind_adjust.setText(self.tr("&Adjust to a count"))
        self.captions["variant"].setText(self.tr("&Variant"))
        self.captions["kind"].setText(self.tr("Movement"))
        self.captions["cost"].setText(self.tr("Unit &cost"))
        self.captions["reason"].setText(self.tr("&Reason"))
        self.captions["result"].setText(self.tr("Result"))
        self.unit_cost.setPlaceholderText(self.tr("optional, e.g. 45.000"))
        self.labels_check.setText(self.tr("Print barcode labels for the items received"))
        self.save.setText(self.tr("Save"))
        self.cancel.setText(self.tr("Cancel"))
        self._retranslate_kind()

    def _retranslate_kind(self) -> None:
        kind = self.kind()
        self.captions["quantity"].setText(
            self.tr("&Counted on hand") if kind == self.KIND_ADJUST else self.tr("&Quantity")
        )
        self.reason.setPlaceholderText(
            self.tr("optional: supplier, delivery note…")
            if kind == self.KIND_IN
            else self.tr("required: damaged, lost, recount…")
        )

    # ------------------------------------------------------------------ state

    def kind(self) -> str:
        if self.kind_out.isChecked():
            return self.KIND_OUT
        if self.kind_adjust.isChecked():
            return self.KIND_ADJUST
        return self.KIND_IN

    def variant(self) -> VariantStock | None:
        return self.variants.current()

    def reason_text(self) -> str:
        return self.reason.text().strip()

    def cost_amount(self) -> int | None:
        """The unit cost typed (None when empty); ValueError when it is not money."""
        text = self.unit_cost.text().strip()
        return parse_money(text, current_language()) if text else None

    def result_on_hand(self) -> int | None:
        v = self.variant()
        if v is None:
            return None
        kind, qty = self.kind(), self.quantity.value()
        if kind == self.KIND_ADJUST:
            return qty
        return v.on_hand + qty if kind == self.KIND_IN else v.on_hand - qty

    def short_of_held(self) -> bool:
        """Whether the move lowers the on hand below what open orders hold: allowed (the
        goods may really be gone), but those orders cannot all be packed, so it is said
        and asked first."""
        v, after = self.variant(), self.result_on_hand()
        # (Below 0 is refused: `problem_text`.)
        return v is not None and after is not None and 0 <= after < min(v.on_hand, v.reserved)

    def problem_text(self) -> str:
        """Why Save is disabled, in words ('' when the move can be saved)."""
        v = self.variant()
        if v is None:
            return self.tr("This product has no active variant.")
        kind, qty = self.kind(), self.quantity.value()
        if kind == self.KIND_IN:
            try:
                cost = self.cost_amount()
            except ValueError:
                cost = -1
            if cost is not None and cost < 0:
                return self.tr("Type the unit cost as an amount of money, e.g. 45.000.")
            return ""
        if kind == self.KIND_OUT and qty > v.on_hand:
            return (
                self.tr("Only %1 on hand: cannot take out %2.")
                .replace("%1", _num(v.on_hand))
                .replace("%2", _num(qty))
            )
        if kind == self.KIND_ADJUST and qty == v.on_hand:
            return self.tr("The count is the stock on hand already: nothing to change.")
        if not self.reason_text():
            return self.tr("Give a reason for the stock change.")
        return ""

    def _kind_changed(self) -> None:
        kind = self.kind()
        v = self.variant()
        was = self.quantity.blockSignals(True)
        if kind == self.KIND_ADJUST:
            self.quantity.setMinimum(0)
            self.quantity.setValue(v.on_hand if v is not None else 0)
        else:
            self.quantity.setMinimum(1)
        self.quantity.blockSignals(was)
        show_cost = kind == self.KIND_IN
        self.unit_cost.setVisible(show_cost)
        self.captions["cost"].setVisible(show_cost)
        self.labels_check.setVisible(show_cost)
        self._retranslate_kind()
        self._edited()
        if self.isVisible():
            self._fit_height()  # the cost and labels rows come and go

    def _variant_changed(self) -> None:
        v = self.variant()
        if self.kind() == self.KIND_ADJUST and v is not None:
            was = self.quantity.blockSignals(True)
            self.quantity.setValue(v.on_hand)  # a count starts at the variant's on hand
            self.quantity.blockSignals(was)
        self._edited()

    def _edited(self) -> None:
        self._server_error = ""
        self._update()

    def _update(self) -> None:
        v, after = self.variant(), self.result_on_hand()
        if v is None or after is None or after < 0:  # below 0 is refused: the refusal says it
            self.result_label.setText("")
        else:
            text = (
                self.tr("On hand %1 → %2 (%3)")
                .replace("%1", _num(v.on_hand))
                .replace("%2", _num(after))
                .replace("%3", signed(after - v.on_hand))
            )
            if v.group_code:
                text += " · " + self.tr("shared by group %1").replace("%1", v.group_code)
            if self.short_of_held():
                text += " · " + self.tr("below the %1 held for open orders").replace(
                    "%1", _num(v.reserved)
                )
            self.result_label.setText(text)
        local = self.problem_text()
        shown = self._server_error or local
        self.problem.setText(shown)
        # Its room stays (retained when hidden); a longer hint may grow the dialog, never
        # shrink it under the pointer.
        self.problem.setVisible(bool(shown))
        self.save.setEnabled(not local and not self._busy)

    def _fit_height(self) -> None:
        """As tall as the form needs at its width: a wrapped hint that hides again leaves
        no empty bands behind."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        width = self.width()
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
        self.resize(width, max(height, layout.totalMinimumSize().height()))

    # ------------------------------------------------------------------ save

    def submit(self) -> None:
        """Save the movement through the stock service (in the background)."""
        v = self.variant()
        if self._busy or v is None or self.problem_text():
            return
        after = self.result_on_hand()
        if self.short_of_held() and not ask_below_held(self, v, after or 0):
            return
        kind, qty, reason = self.kind(), self.quantity.value(), self.reason_text()
        cost = self.cost_amount() if kind == self.KIND_IN else None
        ctx, vid = self.ctx, v.variant_id

        def work(_job: object) -> StockMovement | None:
            if kind == self.KIND_IN:
                return svc.stock_in(ctx, vid, qty, unit_cost=cost, reason=reason or None)
            if kind == self.KIND_OUT:
                return svc.stock_out(ctx, vid, qty, reason=reason)
            return svc.adjust_stock(ctx, vid, qty, reason=reason)

        self._busy = True
        self._update()
        labels = qty if kind == self.KIND_IN and self.labels_check.isChecked() else 0
        Op(self, work, engine=ctx.engine, title=self.tr("Saving the stock movement")).success(
            lambda move: self._saved(vid, move, labels)
        ).failure(self._failed).finally_(self._idle).run()

    def _saved(self, variant_id: int, move: StockMovement | None, labels: int = 0) -> None:
        if not shiboken6.isValid(self):
            return
        self.movement = move
        self.stockChanged.emit(variant_id)
        self.accept()
        if labels:
            self.labelsRequested.emit(self.product_id, variant_id, labels)

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if not isinstance(exc, PrimedistError):
            log.error("stock movement failed", exc_info=exc)
            show_crash(self, exc)
            return
        # The figures shown may be stale (a sale, another user): show the current ones.
        self.reload()
        self._server_error = error_text(exc)
        if isinstance(exc, ValidationError):
            fields: dict[str, QWidget] = {
                "quantity": self.quantity,
                "new_on_hand": self.quantity,
                "reason": self.reason,
                "unit_cost": self.unit_cost,
            }
            target = fields.get(exc.field or "")
            if target is not None:
                target.setFocus()

    def _idle(self) -> None:
        if shiboken6.isValid(self):
            self._busy = False
            self._update()

    def reload(self) -> None:
        """Read the variants' stock again, keeping the chosen variant."""
        v = self.variant()
        _name, rows = load_variants(self.ctx, self.product_id)
        self.variants.load(rows, v.variant_id if v else None)
        self._update()


# --------------------------------------------------------------------------- history

#: Movements read at a time: the newest first, "Load older" reads the next page.
HISTORY_PAGE = 200
#: The reason the app writes when a SKU leaves its group (`services.sku_groups`).
LEFT_GROUP = "Left group "


def _in_a_group(row: svc.HistoryRow) -> bool:
    """A row telling that the SKU has been in a group: one of a group's ledger, or the
    SKU leaving one (the only trace of a group since deleted, its rows now the SKU's)."""
    return bool(row.group_code) or (row.reason or "").startswith(LEFT_GROUP)


class StockHistoryDialog(ProductStockDialog):
    """The stock movements of every variant of a product, or of one SKU (its SKU group's,
    when grouped), newest first: a page at a time, "Load older" adds the next."""

    COLUMNS = 9
    #: The column that takes the room the others leave (never less than its own texts).
    REASON = 6

    def __init__(
        self,
        ctx: ServiceContext,
        product_id: int,
        parent: QWidget | None = None,
        variant_id: int | None = None,
    ) -> None:
        super().__init__(ctx, product_id, parent, name="stockHistoryDialog")
        self.tz = shop_tz()
        self.rows: list[svc.HistoryRow] = []
        #: Older movements than `rows` remain to be read ("Load older").
        self.more = False
        #: Order id → order number, of the orders in `rows`.
        self.orders: dict[int, str] = {}
        # Room for every column of a sale with a marketplace order number, a reason and
        # the staff member's name (a smaller screen shortens Reason: `_fit_columns`).
        fit_to_screen(self, 1300, 560)
        layout = self.body
        bar = QHBoxLayout()
        self.variant_caption = QLabel()
        self.variants = VariantPicker()
        self.variant_caption.setBuddy(self.variants)
        bar.addWidget(self.variant_caption)
        bar.addWidget(self.variants, 1)
        layout.addLayout(bar)
        self.note = plain_label("muted")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setObjectName("stockHistory")
        align_headers(self.table, right=(3, 4, 5))  # quantity, reserved, on hand after
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        # Sized by `_fit_columns`: a stretched Reason got only what the others left, cut
        # to "Reaso…" beside a long order number.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.table.viewport().installEventFilter(self)
        layout.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.older = QPushButton()
        self.older.setObjectName("loadOlder")
        self.older.clicked.connect(self.load_older)
        self.buttons.addButton(self.older, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(self.buttons)
        self.variants.load(self.variant_rows, variant_id)
        # Last, so that the variants keep the picker's indexes (as in the move dialog).
        self.variants.addItem("", None)
        if variant_id is None or self.variants.current() is None:
            self.variants.setCurrentIndex(self.variants.count() - 1)
        self.variants.currentIndexChanged.connect(lambda _i: self.load())
        self._retranslate()
        self.load()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._fill()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Each column as wide as its header and texts; Reason takes the room left: more
        when there is more, less (its texts cut, whole in their tooltips, never below its
        header) when the columns would run past the table's right edge ("By" cut off). The
        table scrolls sideways only when even that does not fit."""
        header = self.table.horizontalHeader()
        widths = [max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c))
                  for c in range(self.COLUMNS)]  # fmt: skip
        others = sum(w for c, w in enumerate(widths) if c != self.REASON)
        widths[self.REASON] = max(header.sectionSizeHint(self.REASON),
                                  self.table.viewport().width() - others)  # fmt: skip
        for c, width in enumerate(widths):
            if header.sectionSize(c) != width:
                header.resizeSection(c, width)

    def _retranslate(self) -> None:
        self.show_title(self.tr("Stock history: %1").replace("%1", self.product))
        self.variant_caption.setText(self.tr("&Variant"))
        self.variants.retranslate()
        self.variants.setItemText(self.variants.count() - 1, self.tr("All variants"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Movement"), self.tr("SKU"), self.tr("Quantity"),
             self.tr("Reserved"), self.tr("On hand after"), self.tr("Reason"), self.tr("Order"),
             self.tr("By")]
        )  # fmt: skip
        self._fit_columns()
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("Close"))
        self.older.setText(self.tr("Load older"))
        self._note()

    def _note(self) -> None:
        v = self.variants.current()
        if v is None and not self.variant_rows:
            text = self.tr("This product has no active variant.")
        elif v is None:
            text = (
                self.tr(
                    "'On hand after' of a SKU group's movement is the group's stock, marked "
                    "with the group's code."
                )
                if any(row.group_code for row in self.rows)
                else ""
            )
        elif v.group_code:
            text = (
                self.tr(
                    "%1 shares the stock of group %2: these are the group's movements, of every "
                    "SKU in it; 'on hand after' is the group's."
                )
                .replace("%1", v.sku)
                .replace("%2", v.group_code)
            )
        elif any(_in_a_group(row) for row in self.rows):
            text = self.tr(
                "%1 has been in a SKU group: for the movements it made there (before 'Left "
                "group'), 'on hand after' is the group's stock."
            ).replace("%1", v.sku)
        else:
            text = ""
        if self.more:
            text = (text + " " if text else "") + self.tr("The latest %1 movements.").replace(
                "%1", _num(len(self.rows))
            )
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def load(self) -> None:
        """Read the newest movements of the chosen SKU, or of all the product's variants."""
        self.rows, self.orders, self.more = [], {}, False
        self._read_page()

    def load_older(self) -> None:
        """Add the next page of older movements under those shown."""
        if self.more and self.rows:
            self._read_page()

    def _read_page(self) -> None:
        v = self.variants.current()
        after = (self.rows[-1].created_at, self.rows[-1].id) if self.rows else None
        page = svc.stock_history_page(
            self.ctx,
            product_id=self.product_id,
            variant_ids=[v.variant_id] if v is not None else [],
            after=after,
            limit=HISTORY_PAGE,
        )
        ids = {row.order_id for row in page.rows if row.order_id is not None}
        with self.ctx.engine.connect() as conn:
            self.orders.update(order_numbers(conn, ids))
        first = len(self.rows)
        self.rows = self.rows + page.rows
        self.more = page.more
        self.older.setVisible(self.more)
        self._fill(first)
        self._note()

    def _fill(self, first: int = 0) -> None:
        """Show `rows` from `first` on (the rows above it are shown already)."""
        lang = current_language()
        self.table.setRowCount(len(self.rows))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        v = self.variants.current()
        # All variants: no group is the one shown, so each group's figure names its group.
        current_group = v.group_code if v is not None else None
        for r, row in enumerate(self.rows[first:], start=first):
            number = self.orders.get(row.order_id, "") if row.order_id else ""
            reason = "" if row.reason == number else reason_label(row.reason or "")  # said once
            after = format_number(row.stock_after, lang)
            if row.group_code and row.group_code != current_group:
                # Made while the SKU was in a group (not its group now): that group's figure.
                after = _fill(self.tr("%1 (group %2)"), after, row.group_code)
            cells = [
                (format_datetime(row.created_at, self.tz, lang), False),
                (kind_label(row.kind), False),
                # A movement of the group itself (its opening stock, one of a member since
                # erased) has no SKU: it is the group's, named by the group's code.
                (row.sku or row.group_code or "", False),
                (signed(row.quantity) if row.quantity else "", True),
                (signed(row.reserved_change) if row.reserved_change else "", True),
                (after, True),
                (reason, False),
                (number, False),
                (row.user_name or self.tr("System"), False),
            ]
            for c, (text, align_right) in enumerate(cells):
                item = QTableWidgetItem(text)
                if align_right:
                    item.setTextAlignment(right)
                if c == self.REASON and text:
                    item.setToolTip(text)  # whole when the column is narrowed
                self.table.setItem(r, c, item)
        self._fit_columns()
