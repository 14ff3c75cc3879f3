"""Change prices… (Products list): one price of every variant of the chosen products,
set or moved by a percentage or an amount, rounded; each variant's price now and after is
previewed before anything changes (`services.price_change`); until a rule is typed, each
variant is listed with its price now. *When* → *At a set time*
schedules the change instead (a name, a start and, if ticked, an end when the prices go
back: `services.price_schedule`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from PySide6.QtCore import QDate, QDateTime, QEvent, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import shop_tz, to_local
from primedist.core.money import format_money, format_number, parse_money
from primedist.errors import ValidationError
from primedist.services import price_change as pc
from primedist.services import price_schedule as ps
from primedist.services.context import ServiceContext
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import alive
from primedist.ui.messages import localize
from primedist.ui.ops import Op, failure_text, report_in
from primedist.ui.widgets import set_style_property

#: Rows the preview shows (the rest are counted).
PREVIEW_ROWS = 1000
#: Rounding steps offered (1 = none).
ROUNDING = (1, 100, 500, 1000, 5000, 10_000)
PREVIEW_DELAY_MS = 250
#: (mode, sign) of each "how" entry; the sign turns "down by" into a negative change.
_MOVES = ((pc.PriceMode.SET, 1), (pc.PriceMode.PERCENT, 1), (pc.PriceMode.PERCENT, -1),
          (pc.PriceMode.AMOUNT, 1), (pc.PriceMode.AMOUNT, -1))  # fmt: skip
#: The entries by field: the discount price can also be a percentage off, or removed.
MODES: dict[pc.PriceField, tuple[tuple[pc.PriceMode, int], ...]] = {
    pc.PriceField.PRICE: _MOVES,
    pc.PriceField.DISCOUNT: (*_MOVES, (pc.PriceMode.PERCENT_OFF, 1), (pc.PriceMode.REMOVE, 1)),
    pc.PriceField.COST: _MOVES,
}
RED = QColor("#B91C1C")
#: The pickers a refusal names are marked as the line edits are (style.qss).
STYLE = 'QDateTimeEdit[invalid="true"] { border: 1px solid #DC2626; background: #FEF2F2; }'


class PriceChangeDialog(QDialog):
    """Emits `changed` (the PriceChangeReport) once the prices are written, `scheduled`
    (the ScheduleRow) once a change is scheduled."""

    changed = Signal(object)
    scheduled = Signal(object)

    def __init__(self, ctx: ServiceContext, product_ids: list[int],
                 parent: QWidget | None = None, *, scheduled: bool = False,
                 schedule: ps.ScheduleRow | None = None) -> None:  # fmt: skip
        """`scheduled`: *At a set time* chosen already (Scheduled prices → New schedule…);
        `schedule`: that waiting change edited (its products, its rule and times shown)."""
        super().__init__(parent)
        self.setObjectName("priceChangeDialog")
        self.setStyleSheet(STYLE)
        self.ctx = ctx
        self.editing = schedule
        self.product_ids = list(schedule.product_ids if schedule else product_ids)
        self.rows: list[pc.PriceChangeRow] = []
        self._asked = 0  # the preview last asked for: older answers are dropped
        self._marked: QWidget | None = None  # the field a refusal named
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.preview)
        self._retranslate()
        self._fill_modes()
        if schedule is not None:
            self._show_schedule(schedule)
        if scheduled or schedule is not None:
            self.when.setCurrentIndex(1)
            # An edit stays a scheduled change (a change now is Change prices…'s).
            self.when.setEnabled(schedule is None)
        self.resize(900, 600)

    def _show_schedule(self, row: ps.ScheduleRow) -> None:
        """The form filled from a waiting change, to edit it."""
        rule = row.rule
        self.field.setCurrentIndex(max(0, self.field.findData(rule.field)))
        sign = -1 if rule.value < 0 and rule.mode in (pc.PriceMode.PERCENT,
                                                      pc.PriceMode.AMOUNT) else 1  # fmt: skip
        self.mode.setCurrentIndex(max(0, self.mode.findData(mode_key(rule.mode, sign))))
        value, lang = abs(rule.value), current_language()
        if rule.mode in (pc.PriceMode.PERCENT, pc.PriceMode.PERCENT_OFF):
            text = format(value.normalize(), "f")
            self.value.setText(text.replace(".", ",") if lang == "vi" else text)
        elif rule.mode != pc.PriceMode.REMOVE:
            self.value.setText(format_number(int(value), lang))
        self.rounding.setCurrentIndex(max(0, self.rounding.findData(rule.round_to)))
        self.schedule_name.setText(row.name)
        _set_time(self.starts, to_local(row.starts_at, shop_tz()))
        self.ends_check.setChecked(row.ends_at is not None)
        if row.ends_at is not None:
            _set_time(self.ends, to_local(row.ends_at, shop_tz()))

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.field = _named(QComboBox(), "priceField")
        for field in pc.PriceField:
            self.field.addItem("", field)
        self.mode = _named(QComboBox(), "priceMode")
        self.value = _named(QLineEdit(), "priceValue")
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.unit = QLabel()
        value_row = QHBoxLayout()
        value_row.addWidget(self.value, 1)
        value_row.addWidget(self.unit)
        self.rounding = _named(QComboBox(), "priceRound")
        for step in ROUNDING:
            self.rounding.addItem("", step)
        self.field_label, self.mode_label = QLabel(), QLabel()
        self.value_label, self.round_label = QLabel(), QLabel()
        form.addRow(self.field_label, self.field)
        form.addRow(self.mode_label, self.mode)
        form.addRow(self.value_label, value_row)
        form.addRow(self.round_label, self.rounding)
        self.when = _named(QComboBox(), "priceWhen")
        self.when.addItems(["", ""])  # now, at a set time (texts set by _retranslate)
        self.when_label = QLabel()
        form.addRow(self.when_label, self.when)
        self._build_schedule(form)
        layout.addLayout(form)
        self.table = _named(QTableWidget(0, 4), "pricePreview")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 150), (2, 130), (3, 130)):
            self.table.setColumnWidth(col, width)
        layout.addWidget(self.table, 1)
        self.summary = _named(QLabel(), "priceSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        # Why Change prices / Schedule was refused: its own line, which the preview (run
        # again after a refusal) does not write over; it goes once the form is edited.
        self.refusal = _named(QLabel(), "errorText")
        self.refusal.setWordWrap(True)
        self.refusal.hide()
        layout.addWidget(self.refusal)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.apply_button.setObjectName("primaryButton")
        self.apply_button.setEnabled(False)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.field.currentIndexChanged.connect(self._fill_modes)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.value.textChanged.connect(self._later)
        self.rounding.currentIndexChanged.connect(self._later)
        self.when.currentIndexChanged.connect(self._when_changed)
        for signal in (self.field.currentIndexChanged, self.mode.currentIndexChanged,
                       self.value.textChanged, self.rounding.currentIndexChanged,
                       self.when.currentIndexChanged, self.schedule_name.textChanged,
                       self.starts.dateTimeChanged, self.ends.dateTimeChanged,
                       self.ends_check.toggled):  # fmt: skip
            signal.connect(self._clear_refusal)
        self._when_changed()

    def _build_schedule(self, form: QFormLayout) -> None:
        """Name, start and (ticked) end of a scheduled change: rows of `form` shown for
        *At a set time*."""
        self.form = form
        self.schedule_name = _named(QLineEdit(), "scheduleName")
        self.schedule_name.setMaxLength(ps.NAME_MAX)
        start = to_local(self.ctx.clock.now(), shop_tz()).replace(
            hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)  # fmt: skip
        self.starts = _named(_time_edit(start), "scheduleStart")
        self.ends = _named(_time_edit(start + timedelta(days=3) - timedelta(minutes=1)),
                           "scheduleEnd")  # fmt: skip
        self.ends_check = _named(QCheckBox(), "scheduleEnds")
        self.ends_check.setChecked(True)
        self.ends_check.toggled.connect(self.ends.setEnabled)
        self.name_label, self.starts_label = QLabel(), QLabel()
        form.addRow(self.name_label, self.schedule_name)
        form.addRow(self.starts_label, self.starts)
        form.addRow(self.ends_check, self.ends)
        self.schedule_rows = (self.schedule_name, self.starts, self.ends)

    def is_scheduled(self) -> bool:
        return self.when.currentIndex() == 1

    def _when_changed(self) -> None:
        for field in self.schedule_rows:
            self.form.setRowVisible(field, self.is_scheduled())
        self._retranslate_apply()

    # ------------------------------------------------------------------ texts
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._fill_modes()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Edit scheduled price change") if self.editing
                            else self.tr("Change prices"))  # fmt: skip
        self.field_label.setText(self.tr("Price"))
        self.mode_label.setText(self.tr("Change"))
        self.round_label.setText(self.tr("Round to"))
        names = {pc.PriceField.PRICE: self.tr("Selling price"),
                 pc.PriceField.DISCOUNT: self.tr("Discount price"),
                 pc.PriceField.COST: self.tr("Cost")}  # fmt: skip
        for i in range(self.field.count()):
            self.field.setItemText(i, names[self.field.itemData(i)])
        lang = current_language()
        for i in range(self.rounding.count()):
            step = self.rounding.itemData(i)
            self.rounding.setItemText(i, self.tr("No rounding") if step == 1
                                      else format_money(step, lang))  # fmt: skip
        self.table.setHorizontalHeaderLabels(
            [self.tr("SKU"), self.tr("Product"), self.tr("Now"), self.tr("After")]
        )
        self.when_label.setText(self.tr("When"))
        self.when.setItemText(0, self.tr("Now"))
        self.when.setItemText(1, self.tr("At a set time (a sale, a new price list)"))
        self.name_label.setText(self.tr("Name"))
        self.schedule_name.setPlaceholderText(self.tr("e.g. Weekend sale 12.12"))
        self.starts_label.setText(self.tr("Starts"))
        self.ends_check.setText(self.tr("Prices go back at"))
        self._retranslate_apply()

    def _retranslate_apply(self) -> None:
        self.apply_button.setText(self.tr("Save") if self.editing
                                  else self.tr("Schedule") if self.is_scheduled()
                                  else self.tr("Change prices"))  # fmt: skip

    def _mode_texts(self) -> dict[tuple[pc.PriceMode, int], str]:
        return {
            (pc.PriceMode.SET, 1): self.tr("Set to"),
            (pc.PriceMode.PERCENT, 1): self.tr("Up by a percentage"),
            (pc.PriceMode.PERCENT, -1): self.tr("Down by a percentage"),
            (pc.PriceMode.AMOUNT, 1): self.tr("Up by an amount"),
            (pc.PriceMode.AMOUNT, -1): self.tr("Down by an amount"),
            (pc.PriceMode.PERCENT_OFF, 1): self.tr("A percentage off the selling price"),
            (pc.PriceMode.REMOVE, 1): self.tr("Remove the discount price"),
        }

    def _fill_modes(self) -> None:
        """The ways to change the chosen price (the discount price has two more)."""
        keep = self.mode.currentData()
        texts = self._mode_texts()
        self.mode.blockSignals(True)
        self.mode.clear()
        for key in MODES[self.field.currentData()]:
            self.mode.addItem(texts[key], mode_key(*key))
        found = self.mode.findData(keep)
        self.mode.setCurrentIndex(max(found, 0))
        self.mode.blockSignals(False)
        self._mode_changed()

    def current_mode(self) -> tuple[pc.PriceMode, int]:
        """(mode, sign) of the "how" chosen."""
        mode, sign = str(self.mode.currentData()).split(":")
        return pc.PriceMode(mode), int(sign)

    def _mode_changed(self) -> None:
        mode, _sign = self.current_mode()
        percent = mode in (pc.PriceMode.PERCENT, pc.PriceMode.PERCENT_OFF)
        # The currency as the app writes it in this language (₫, VND).
        self.unit.setText("%" if percent else format_money(0, current_language())[1:].strip())
        self.value_label.setText(self.tr("New price") if mode == pc.PriceMode.SET
                                 else self.tr("Percentage") if percent
                                 else self.tr("Amount"))  # fmt: skip
        self.value.setEnabled(mode != pc.PriceMode.REMOVE)
        self.rounding.setEnabled(mode != pc.PriceMode.REMOVE)
        self._later()

    # ------------------------------------------------------------------ rule
    def rule(self) -> pc.PriceRule:
        """The rule the form says; ValueError (to show) when the value cannot be read."""
        mode, sign = self.current_mode()
        text = self.value.text().strip()
        if mode == pc.PriceMode.REMOVE:
            value = Decimal(0)
        elif not text:
            raise ValueError(self.tr("Type the new price, percentage or amount."))
        else:
            try:
                value = (_percent(text) if mode in (pc.PriceMode.PERCENT, pc.PriceMode.PERCENT_OFF)
                         else Decimal(parse_money(text, current_language())))  # fmt: skip
            except ValueError:
                raise ValueError(self.tr("“%1” is not a number.").replace("%1", text)) from None
        if value < 0 and mode in (pc.PriceMode.PERCENT, pc.PriceMode.AMOUNT):
            # The way chosen says up or down: "down by −10 %" would raise the prices.
            raise ValueError(self.tr("Type the percentage or amount without a minus sign: "
                                     "“%1” already says up or down.")
                             .replace("%1", self.mode.currentText()))  # fmt: skip
        return pc.PriceRule(self.field.currentData(), mode, sign * value,
                            int(self.rounding.currentData()))  # fmt: skip

    def _later(self) -> None:
        self.apply_button.setEnabled(False)
        self._timer.start()

    # ------------------------------------------------------------------ preview
    def preview(self) -> None:
        """Each variant now and after, in the background (the newest ask wins); until the
        rule can be read, each variant with its price now."""
        try:
            rule = self.rule()
        except ValueError as exc:
            self._list_now(str(exc))
            return
        self._asked += 1
        asked, ctx, ids = self._asked, self.ctx, self.product_ids
        Op(self, lambda _job: pc.preview_prices(ctx, ids, rule)).success(
            lambda rows: self._previewed(asked, rows)).failure(
            lambda exc: self._preview_failed(asked, exc)).run()  # fmt: skip

    def _list_now(self, problem: str) -> None:
        """The variants the chosen price of the products is changed on, with it now (the
        first PREVIEW_ROWS, counted in SQL), and `problem` (why there is no "after")."""
        self.rows = []
        self.apply_button.setEnabled(False)
        self.summary.setText(problem)
        self._asked += 1
        asked, ctx, ids, field = self._asked, self.ctx, self.product_ids, self.field.currentData()
        Op(self, lambda _job: pc.current_prices(ctx, ids, field, PREVIEW_ROWS)).success(
            lambda found: self._listed(asked, found, problem)).failure(
            lambda exc: self._preview_failed(asked, exc)).run()  # fmt: skip

    def _listed(self, asked: int, found: pc.PricesNow, problem: str) -> None:
        if not alive(self) or asked != self._asked:
            return
        lang = current_language()
        self.table.setRowCount(len(found.rows))
        for i, r in enumerate(found.rows):
            for col, text in enumerate((r.sku, r.name, _money(r.price, lang), "—")):
                item = QTableWidgetItem(text)
                if col >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
                self.table.setItem(i, col, item)
        if not found.total:
            text = self.tr("None of the chosen products has a variant on sale.")
        elif found.total > len(found.rows):
            text = f"{problem} " + self.tr("The first %1 of %2 variants are shown.").replace(
                "%1", str(len(found.rows))).replace("%2", str(found.total))  # fmt: skip
        else:
            text = problem
        self.summary.setText(text)

    def _previewed(self, asked: int, rows: list[pc.PriceChangeRow]) -> None:
        if alive(self) and asked == self._asked:
            self._show(rows, "")

    def _preview_failed(self, asked: int, exc: BaseException) -> None:
        if alive(self) and asked == self._asked:
            self._show([], "")
            report_in(self.summary, self, exc)

    def _show(self, rows: list[pc.PriceChangeRow], problem: str) -> None:
        self.rows = rows
        lang = current_language()
        # Those that cannot take the new price first: they are what to look at.
        shown = sorted(rows, key=lambda r: not r.problem)[:PREVIEW_ROWS]
        self.table.setRowCount(len(shown))
        for i, r in enumerate(shown):
            new = _money(r.new, lang)
            cells = (r.sku, r.name, _money(r.old, lang),
                     f"{new}   ✗ {localize(r.problem)}" if r.problem else new)  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
                if r.problem:
                    item.setForeground(RED)
                    item.setToolTip(localize(r.problem))
                elif col == 3 and r.changed:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(i, col, item)
        if problem:
            self.summary.setText(problem)
        elif rows:
            self.summary.setText(self._summary_text(rows))
        else:
            self.summary.setText(self.tr("None of the chosen products has a variant on sale."))
        changed = any(r.changed for r in rows)
        self.apply_button.setEnabled(changed and not any(r.problem for r in rows) and not problem)

    def _summary_text(self, rows: list[pc.PriceChangeRow]) -> str:
        bad = sum(1 for r in rows if r.problem)
        if bad:
            # All or nothing (`change_prices`): one that cannot take it stops them all.
            text = self.tr("Nothing will change: %1 of %2 variants cannot take the new price "
                           "(in red). Change the rule, or choose fewer products.").replace(
                "%1", str(bad)).replace("%2", str(len(rows)))  # fmt: skip
        else:
            changed = sum(1 for r in rows if r.changed)
            text = self.tr("%1 of %2 variants change.").replace("%1", str(changed)).replace(
                "%2", str(len(rows)))  # fmt: skip
        if len(rows) > PREVIEW_ROWS:
            text += " " + self.tr("The first %1 are shown.").replace("%1", str(PREVIEW_ROWS))
        if bad:
            first = next(r for r in rows if r.problem)  # the cell is too narrow to say it all
            text += f"\n{first.sku}: {localize(first.problem)}."
        return text

    # ------------------------------------------------------------------ apply
    def apply(self) -> None:
        try:
            rule = self.rule()
        except ValueError as exc:
            self._refuse(str(exc), self.value)
            return
        self.apply_button.setEnabled(False)
        ctx, ids = self.ctx, self.product_ids
        if self.is_scheduled():
            name, start = self.schedule_name.text(), _shop_time(self.starts)
            end = _shop_time(self.ends) if self.ends_check.isChecked() else None
            if self.editing is not None:
                sid = self.editing.id
                Op(self, lambda _job: ps.update_schedule(ctx, sid, name, rule, start, end),
                   title=self.tr("Saving the scheduled change")).success(
                    self._scheduled).failure(self._apply_failed).run()  # fmt: skip
                return
            Op(self, lambda _job: ps.schedule_prices(ctx, name, ids, rule, start, end),
               title=self.tr("Scheduling the price change")).success(self._scheduled).failure(
                self._apply_failed).run()  # fmt: skip
            return
        Op(self, lambda _job: pc.change_prices(ctx, ids, rule),
           title=self.tr("Changing prices")).success(self._done).failure(
            self._apply_failed).run()  # fmt: skip

    def _done(self, report: pc.PriceChangeReport) -> None:
        if alive(self):
            self.changed.emit(report)
            self.accept()

    def _scheduled(self, row: ps.ScheduleRow) -> None:
        if alive(self):
            self.scheduled.emit(row)
            self.accept()

    def _apply_failed(self, exc: BaseException) -> None:
        if alive(self):
            fields: dict[str, QWidget] = {"name": self.schedule_name, "starts_at": self.starts,
                                          "ends_at": self.ends, "value": self.value}  # fmt: skip
            named = fields.get(exc.field or "") if isinstance(exc, ValidationError) else None
            self._refuse(failure_text(self, exc), named)  # a bug: reported, no text
            self._later()

    def _refuse(self, text: str, field: QWidget | None = None) -> None:
        """Say why the change was refused under the preview, the field it names marked red
        and focused (the owner types there next); kept until the form is edited."""
        self._clear_refusal()
        self.refusal.setText(text)
        self.refusal.setVisible(bool(text))
        if field is not None:
            set_style_property(field, "invalid", True)
            self._marked = field
            field.setFocus()

    def _clear_refusal(self) -> None:
        self.refusal.clear()
        self.refusal.hide()
        if self._marked is not None:
            set_style_property(self._marked, "invalid", False)
            self._marked = None


def mode_key(mode: pc.PriceMode, sign: int) -> str:
    """The "how" combo's item data: "percent:-1" is down by a percentage."""
    return f"{mode}:{sign}"


W = TypeVar("W", bound=QWidget)


def _named(widget: W, name: str) -> W:
    widget.setObjectName(name)
    return widget


def _percent(text: str) -> Decimal:
    """12.5, 12,5 or 12.5 % → Decimal('12.5'); ValueError otherwise."""
    cleaned = text.replace("%", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r}") from None
    if not value.is_finite():
        raise ValueError(f"{text!r}")
    return value


def _time_edit(when: datetime) -> QDateTimeEdit:
    """A date and time picker showing `when` (a wall time in the shop's time zone)."""
    edit = QDateTimeEdit(QDateTime(QDate(when.year, when.month, when.day),
                                   QTime(when.hour, when.minute)))  # fmt: skip
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy HH:mm")
    return edit


def _set_time(edit: QDateTimeEdit, when: datetime) -> None:
    edit.setDateTime(QDateTime(QDate(when.year, when.month, when.day),
                               QTime(when.hour, when.minute)))  # fmt: skip


def _shop_time(edit: QDateTimeEdit) -> datetime:
    """The picker's wall time, in the shop's time zone."""
    d, t = edit.date(), edit.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=shop_tz())


def _money(value: int | None, lang: str) -> str:
    return "—" if value is None else format_money(value, lang)
