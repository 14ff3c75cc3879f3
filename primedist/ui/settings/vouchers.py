"""Settings → Vouchers: every voucher with its uses and the discount they gave; add, edit,
switch on or off, delete an unused one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_date, shop_tz, to_local
from primedist.core.money import format_money, format_number
from primedist.domain.enums import DiscountKind
from primedist.errors import PrimedistError
from primedist.services.context import ServiceContext
from primedist.services.loyalty import vouchers as svc
from primedist.services.loyalty.levels import list_levels
from primedist.services.loyalty.vouchers import VoucherDraft, VoucherRow
from primedist.services.tags import list_tags
from primedist.ui.customers.loyalty_panel import run_inline
from primedist.ui.errors import box_text
from primedist.ui.i18n import current_language
from primedist.ui.messages import say, say_error
from primedist.ui.money_form import MoneyEdit
from primedist.ui.widgets import align_headers

SPIN_MAX = 2_000_000_000


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setSpecialValueText("—")
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setDate(edit.minimumDate())  # the special value: no date
    return edit


def _spin(name: str, low: int = 0, high: int = SPIN_MAX, none: bool = False) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(low, high)
    spin.setGroupSeparatorShown(True)
    if none:
        spin.setSpecialValueText("—")
    return spin


class DiscountValueEdit(MoneyEdit):
    """The voucher's discount: money ("30k" is 30.000 đ) for an amount, a whole percent
    ("15" or "15%") for a percentage."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        self.percent = False
        super().__init__(name, parent)

    def set_percent(self, percent: bool) -> None:
        self.percent = percent
        self._mark()

    def amount(self) -> int | None:
        if not self.percent:
            return super().amount()
        # Digits only: "1.5" would read as 15 (a thousands separator) in Vietnamese.
        text = self.text().strip().removesuffix("%").strip()
        if text and not text.isdigit():
            raise ValueError(text)
        return int(text) if text else None


class Unreadable(ValueError):
    """A money field of the form holds what is no amount."""

    def __init__(self, edit: MoneyEdit) -> None:
        super().__init__(edit.text())
        self.edit = edit


def _read(edit: MoneyEdit) -> int | None:
    try:
        return edit.amount()
    except ValueError:
        raise Unreadable(edit) from None


class VoucherDialog(QDialog):
    """Add or edit one voucher."""

    def __init__(
        self, ctx: ServiceContext, row: VoucherRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.voucher_id = None if row is None else row.id
        self.saved_id: int | None = None
        self.setObjectName("voucherDialog")
        self.setWindowTitle(self.tr("Voucher"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.code = QLineEdit()
        self.code.setObjectName("voucherCode")
        self.name = QLineEdit()
        self.name.setObjectName("voucherName")
        self.kind = QComboBox()
        self.kind.setObjectName("discountKind")
        self.kind.addItem(self.tr("Amount (VND)"), DiscountKind.AMOUNT.value)
        self.kind.addItem(self.tr("Percentage (%)"), DiscountKind.PERCENT.value)
        # Money fields, not spin boxes: a spin box read "30k" as 30 đ.
        self.value = DiscountValueEdit("discountValue")
        self.kind.currentIndexChanged.connect(
            lambda _i: self.value.set_percent(self.kind.currentData() == DiscountKind.PERCENT)
        )
        self.max_discount = MoneyEdit("maxDiscount")
        self.max_discount.setPlaceholderText("—")  # empty: no cap
        self.min_order = MoneyEdit("minOrder")
        self.starts = _date_edit("validFrom")
        self.ends = _date_edit("validTo")
        self.usage_limit = _spin("usageLimit", high=10_000_000, none=True)
        self.per_customer = _spin("perCustomerLimit", high=10_000_000, none=True)
        self.active = QCheckBox(self.tr("Active"))
        self.active.setObjectName("voucherActive")
        self.active.setChecked(True)
        self.free_shipping = QCheckBox(self.tr("Free shipping"))
        self.free_shipping.setObjectName("freeShipping")
        self.tags = self._choices("voucherTags", [(t.id, t.name) for t in list_tags(ctx)])
        self.levels = self._choices("voucherLevels", [(lv.id, lv.name) for lv in list_levels(ctx)])
        rows = (
            (self.tr("Code"), self.code), (self.tr("Name"), self.name),
            (self.tr("Discount"), self.kind), (self.tr("Amount or %"), self.value),
            (self.tr("At most (đ, — = no cap)"), self.max_discount),
            (self.tr("Minimum order (VND)"), self.min_order),
            (self.tr("Valid from"), self.starts), (self.tr("Valid to (inclusive)"), self.ends),
            (self.tr("Uses in total (— = no limit)"), self.usage_limit),
            (self.tr("Uses per customer (— = no limit)"), self.per_customer),
            ("", self.active), ("", self.free_shipping),
            (self.tr("Only customers with these tags"), self.tags),
            (self.tr("…or of these levels"), self.levels),
        )  # fmt: skip
        for caption, widget in rows:
            form.addRow(caption, widget)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("problems")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("primaryButton")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addWidget(buttons)
        if row is not None:
            self._load(row.draft)
        if row is not None and row.orders:  # its orders show the code (`save_voucher`)
            self.code.setReadOnly(True)
            self.code.setToolTip(self.tr(
                "Used on %1 orders, which show this code: it cannot change. End this voucher "
                "and make a new one with the new code."
            ).replace("%1", format_number(row.orders, current_language())))  # fmt: skip

    @staticmethod
    def _choices(name: str, items: list[tuple[int, str]]) -> QListWidget:
        box = QListWidget()
        box.setObjectName(name)
        box.setMaximumHeight(90)
        for item_id, text in items:
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, item_id)
            box.addItem(item)
        return box

    @staticmethod
    def _ticked(box: QListWidget) -> tuple[int, ...]:
        return tuple(
            int(box.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(box.count())
            if box.item(i).checkState() == Qt.CheckState.Checked
        )  # fmt: skip

    @staticmethod
    def _tick(box: QListWidget, ids: tuple[int, ...]) -> None:
        for i in range(box.count()):
            item = box.item(i)
            on = int(item.data(Qt.ItemDataRole.UserRole)) in ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _load(self, d: VoucherDraft) -> None:
        self.code.setText(d.code)
        self.name.setText(d.name)
        self.kind.setCurrentIndex(0 if d.kind == DiscountKind.AMOUNT else 1)
        self.value.set_amount(d.value)
        self.max_discount.set_amount(d.max_discount)
        self.min_order.set_amount(d.min_order_value)
        tz = shop_tz()
        if d.starts_at is not None:
            local = to_local(_aware(d.starts_at), tz).date()
            self.starts.setDate(QDate(local.year, local.month, local.day))
        if d.ends_at is not None:  # stored as the start of the day after the last one
            local = to_local(_aware(d.ends_at), tz).date()
            self.ends.setDate(QDate(local.year, local.month, local.day).addDays(-1))
        self.usage_limit.setValue(d.usage_limit or 0)
        self.per_customer.setValue(d.per_customer_limit or 0)
        self.active.setChecked(d.is_active)
        self.free_shipping.setChecked(d.free_shipping)
        self._tick(self.tags, d.tag_ids)
        self._tick(self.levels, d.level_ids)

    def _day(self, edit: QDateEdit, *, after: bool) -> datetime | None:
        q = edit.date()
        if q == edit.minimumDate():
            return None
        if after:
            q = q.addDays(1)
        day = date(q.year(), q.month(), q.day())
        local = datetime.combine(day, time(), tzinfo=shop_tz())
        return local.astimezone(UTC)

    def draft(self) -> VoucherDraft:
        """The voucher as typed; Unreadable when a money field holds no amount."""
        return VoucherDraft(
            code=self.code.text(), name=self.name.text(),
            kind=DiscountKind(self.kind.currentData()), value=_read(self.value) or 0,
            max_discount=_read(self.max_discount) or None,
            min_order_value=_read(self.min_order) or 0,
            starts_at=self._day(self.starts, after=False), ends_at=self._day(self.ends, after=True),
            usage_limit=self.usage_limit.value() or None,
            per_customer_limit=self.per_customer.value() or None,
            is_active=self.active.isChecked(), free_shipping=self.free_shipping.isChecked(),
            tag_ids=self._ticked(self.tags), level_ids=self._ticked(self.levels),
        )  # fmt: skip

    def save(self) -> None:
        try:
            draft = self.draft()
        except Unreadable as bad:
            self._unreadable(bad.edit)
            return
        ctx, vid = self.ctx, self.voucher_id
        self.save_button.setEnabled(False)

        def done(result: object) -> None:
            self.saved_id = int(result)  # type: ignore[call-overload]
            self.accept()

        run_inline(self, self.tr("Saving the voucher"), lambda: svc.save_voucher(ctx, draft, vid),
                   self.message, done, lambda: self.save_button.setEnabled(True))  # fmt: skip

    def _unreadable(self, edit: MoneyEdit) -> None:
        if edit is self.value and self.value.percent:
            edit.refuse(self.message, lambda typed: self.tr(
                "Cannot read “%1” as a percentage: type a whole number, e.g. 10."
            ).replace("%1", typed))  # fmt: skip
        else:
            edit.refuse(self.message, lambda typed: self.tr(
                "Cannot read “%1” as an amount: type e.g. 30000, 30k or 1,5tr."
            ).replace("%1", typed))  # fmt: skip


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


class VouchersSettings(QWidget):
    """The vouchers with their uses and the discount they gave."""

    COLUMNS = 8
    #: Minimum order, uses and discount given: figures, on the right.
    RIGHT = (2, 4, 5)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[VoucherRow] = []
        self.dialog: VoucherDialog | None = None
        self.setObjectName("vouchersSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setObjectName("vouchers")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        align_headers(self.table, self.RIGHT)
        self.table.itemSelectionChanged.connect(self._update)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.edit())
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button, self.edit_button, self.toggle_button, self.delete_button = (
            QPushButton() for _ in range(4)
        )
        for b, name, slot in (
            (self.add_button, "addVoucher", self.add), (self.edit_button, "editVoucher", self.edit),
            (self.toggle_button, "toggleVoucher", self.toggle),
            (self.delete_button, "deleteVoucher", self.delete),
        ):  # fmt: skip
            b.setObjectName(name)
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self._retranslate()
        self.reload()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._fill()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.title.setText(self.tr("Vouchers"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Code"), self.tr("Discount"), self.tr("Minimum order"), self.tr("Valid"),
             self.tr("Uses"), self.tr("Discount given"), self.tr("Active"), self.tr("For")]
        )  # fmt: skip
        self.add_button.setText(self.tr("Add…"))
        self.edit_button.setText(self.tr("Edit…"))
        self.toggle_button.setText(self.tr("Switch on/off"))
        self.delete_button.setText(self.tr("Delete…"))

    def reload(self) -> None:
        try:
            self.rows = svc.list_vouchers(self.ctx)
        except PrimedistError as exc:
            say_error(self.message, exc)
            return
        self._fill()

    def _discount(self, d: VoucherDraft, lang: str) -> str:
        parts = []
        if d.kind == DiscountKind.PERCENT:
            parts.append(f"{d.value}%")
        elif d.value:
            parts.append(format_money(d.value, lang))
        if d.free_shipping:
            parts.append(self.tr("free shipping"))
        text = " + ".join(parts)
        if d.max_discount is not None:  # of every kind, the shipping it pays included
            text += " " + self.tr("(at most %1)").replace("%1", format_money(d.max_discount, lang))
        return text

    def _valid(self, d: VoucherDraft, lang: str) -> str:
        tz = shop_tz()
        start = format_date(_aware(d.starts_at), lang, tz) if d.starts_at else ""
        end = ""
        if d.ends_at:
            end = format_date(svc.last_day(d.ends_at), lang)
        return f"{start} – {end}" if start or end else self.tr("always")

    def _fill(self) -> None:
        lang = current_language()
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            d = r.draft
            limit = "" if d.usage_limit is None else f" / {format_number(d.usage_limit, lang)}"
            who = ", ".join((*r.tags, *r.levels)) or self.tr("everyone")
            cells = (d.code, self._discount(d, lang), format_money(d.min_order_value, lang),
                     self._valid(d, lang), format_number(r.uses, lang) + limit,
                     format_money(r.discount_given, lang),
                     self.tr("Yes") if d.is_active else self.tr("No"), who)  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in self.RIGHT:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(i, col, item)
        self._update()

    def current(self) -> VoucherRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def _update(self) -> None:
        chosen = self.current() is not None
        for b in (self.edit_button, self.toggle_button, self.delete_button):
            b.setEnabled(chosen)

    def add(self) -> None:
        self._open(None)

    def edit(self) -> None:
        if self.current() is not None:
            self._open(self.current())

    def _open(self, row: VoucherRow | None) -> None:
        self.dialog = VoucherDialog(self.ctx, row, self)
        self.dialog.accepted.connect(self._saved)
        self.dialog.open()

    def _saved(self) -> None:
        say(self.message, lambda: self.tr("Voucher saved."))
        self.reload()

    def toggle(self) -> None:
        row = self.current()
        if row is None:
            return
        ctx, vid, on = self.ctx, row.id, not row.draft.is_active
        run_inline(self, self.tr("Saving the voucher"),
                   lambda: svc.set_voucher_active(ctx, vid, on), self.message,
                   lambda _r: self.reload())  # fmt: skip

    def delete(self) -> None:
        row = self.current()
        if row is None:
            return
        question = self.tr("Delete the voucher %1? This cannot be undone.").replace(
            "%1", row.draft.code
        )
        answer = QMessageBox.question(self, self.tr("Delete voucher"), box_text(question))
        if answer != QMessageBox.StandardButton.Yes:
            return
        ctx, vid = self.ctx, row.id
        run_inline(self, self.tr("Deleting the voucher"), lambda: svc.delete_voucher(ctx, vid),
                   self.message, self._deleted)  # fmt: skip

    def _deleted(self, _result: object) -> None:
        self.reload()
        say(self.message, lambda: self.tr("Voucher deleted."))
