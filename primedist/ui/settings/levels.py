"""Settings → Customer groups & price levels: levels (name, code, purchase threshold for
automatic upgrade) and, for the chosen level, its prices for chosen SKUs."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.money import format_money, format_number
from primedist.errors import PrimedistError
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels as svc
from primedist.services.loyalty.levels import LevelPriceRow, LevelRow
from primedist.ui.customers.loyalty_panel import run_inline
from primedist.ui.errors import box_text
from primedist.ui.i18n import current_language
from primedist.ui.lookup_completer import LookupCompleter, Offer
from primedist.ui.messages import localize, say, say_error
from primedist.ui.money_form import MoneyEdit
from primedist.ui.ops import Op
from primedist.ui.widgets import align_headers


def _table(name: str, columns: int, right: Iterable[int] = ()) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    align_headers(table, right)
    return table


def _cell(text: str, *, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class LevelsSettings(QWidget):
    """Levels on top, the chosen level's prices below."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.levels: list[LevelRow] = []
        self.prices: list[LevelPriceRow] = []
        self.busy = False
        self.setObjectName("levelsSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        # Rank and group sit side by side on the Customers list: say which does what.
        self.explain = QLabel()
        self.explain.setObjectName("muted")
        self.explain.setWordWrap(True)
        layout.addWidget(self.explain)
        self.table = _table("levels", 5, right=(2, 3, 4))
        self.table.itemSelectionChanged.connect(self._level_chosen)
        layout.addWidget(self.table, 1)
        form = QHBoxLayout()
        self.name = QLineEdit()
        self.name.setObjectName("levelName")
        self.code = QLineEdit()
        self.code.setObjectName("levelCode")
        self.code.setMaxLength(20)
        # Money fields, not spin boxes: a spin box read "250k" as 250 đ.
        self.threshold = MoneyEdit("levelThreshold")
        self.threshold.setPlaceholderText("—")  # empty (or 0) = no automatic upgrade
        self.add_button, self.save_button, self.delete_button = (QPushButton() for _ in range(3))
        self.add_button.setObjectName("addLevel")
        self.save_button.setObjectName("saveLevel")
        self.delete_button.setObjectName("deleteLevel")
        self.add_button.clicked.connect(lambda: self.save(new=True))
        self.save_button.clicked.connect(lambda: self.save(new=False))
        self.delete_button.clicked.connect(self.delete)
        for w in (self.name, self.code, self.threshold, self.add_button, self.save_button,
                  self.delete_button):  # fmt: skip
            form.addWidget(w)
        layout.addLayout(form)
        self.prices_title = QLabel()
        self.prices_title.setObjectName("sectionTitle")
        layout.addWidget(self.prices_title)
        self.price_table = _table("levelPrices", 4, right=(2, 3))
        self.price_table.itemSelectionChanged.connect(self._price_chosen)
        layout.addWidget(self.price_table, 1)
        price_row = QHBoxLayout()
        self.sku = QLineEdit()
        self.sku.setObjectName("priceSku")
        # A SKU is long and exact: part of it, or the product's name, offers the SKUs found.
        self.sku_lookup = LookupCompleter(self.sku, self._skus)
        self.price = MoneyEdit("levelPrice")
        self.set_price_button, self.remove_price_button = QPushButton(), QPushButton()
        self.set_price_button.setObjectName("setLevelPrice")
        self.remove_price_button.setObjectName("removeLevelPrice")
        self.set_price_button.clicked.connect(lambda: self.set_price(remove=False))
        self.remove_price_button.clicked.connect(lambda: self.set_price(remove=True))
        for w in (self.sku, self.price, self.set_price_button, self.remove_price_button):
            price_row.addWidget(w)
        layout.addLayout(price_row)
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
            self._fill_prices()  # the prices in the new language's figures too
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.title.setText(self.tr("Customer groups & price levels"))
        self.explain.setText(self.tr(
            "Customer group: decides the price list a customer buys at. It is not the rank, "
            "which is automatic, by what the customer spends (Customer ranking)."
        ))  # fmt: skip
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Code"), self.tr("Automatic upgrade from"),
             self.tr("Members"), self.tr("Prices")]
        )  # fmt: skip
        self.name.setPlaceholderText(self.tr("Name, e.g. VIP"))
        self.code.setPlaceholderText(self.tr("Code"))
        self.threshold.setToolTip(self.tr(
            "Customers who have spent this much in all are moved up to the level by the "
            "nightly recompute; — = given by hand only."
        ))  # fmt: skip
        self.add_button.setText(self.tr("Add"))
        self.save_button.setText(self.tr("Save"))
        self.delete_button.setText(self.tr("Delete…"))
        self.price_table.setHorizontalHeaderLabels(
            [self.tr("SKU"), self.tr("Product"), self.tr("List price"), self.tr("Level price")]
        )
        self.sku.setPlaceholderText(self.tr("SKU or product name"))
        self.set_price_button.setText(self.tr("Set price"))
        self.remove_price_button.setText(self.tr("Remove price"))
        self._title_prices()

    def _skus(self, text: str) -> list[Offer]:
        """The SKUs `text` names, as "SKU · product — options · list price"."""
        lang = current_language()
        return [(f"{o.sku} · {o.name} · {format_money(o.list_price, lang)}", o.sku)
                for o in svc.search_skus(self.ctx, text)]  # fmt: skip

    def _title_prices(self) -> None:
        level = self.current()
        self.prices_title.setText(
            self.tr("Prices of %1").replace("%1", level.name) if level
            else self.tr("Choose a level to see its prices")
        )  # fmt: skip

    # ------------------------------------------------------------------ data

    def current(self) -> LevelRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.levels):
            return None
        return self.levels[rows[0].row()]

    def reload(self, select: int | None = None) -> None:
        chosen = self.current()
        keep = select if select is not None else (chosen.id if chosen else None)
        try:
            levels = svc.list_levels(self.ctx)
        except PrimedistError as exc:
            say_error(self.message, exc)
            return
        self._show_levels(levels, keep)

    def refresh(self) -> None:
        """Shown again (Settings): the levels and their counts read again off the UI
        thread (counting members reads every customer: 0.1 s over 100,000), shown unless
        the user has started typing in the level's fields meanwhile."""
        ctx = self.ctx

        def failed(exc: BaseException) -> None:
            if isinstance(exc, PrimedistError):
                say_error(self.message, exc)

        op: Op[list[LevelRow]] = Op(self, lambda _job: svc.list_levels(ctx))
        op.success(self._refreshed).failure(failed).run()

    def _refreshed(self, levels: list[LevelRow]) -> None:
        if not self.has_edits():
            chosen = self.current()
            self._show_levels(levels, chosen.id if chosen else None)

    def has_edits(self) -> bool:
        """The level's fields changed and not saved (or an action running): reading the
        levels again would put the chosen level's back in them."""
        if self.busy:
            return True
        try:
            threshold = self.threshold.amount() or None
        except ValueError:
            return True  # something unreadable typed
        typed = (self.name.text().strip(), self.code.text().strip(), threshold)
        level = self.current()
        if level is None:
            return typed != ("", "", None)
        return typed != (level.name.strip(), level.code.strip(), level.upgrade_threshold or None)

    def _show_levels(self, levels: list[LevelRow], keep: int | None) -> None:
        self.levels = levels
        self._fill()
        for row, level in enumerate(self.levels):
            if level.id == keep:
                self.table.selectRow(row)
        self._level_chosen()

    def _fill(self) -> None:
        lang = current_language()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.levels))
        for row, lv in enumerate(self.levels):
            threshold = (
                "—" if lv.upgrade_threshold is None else format_money(lv.upgrade_threshold, lang)
            )
            cells = (_cell(lv.name), _cell(lv.code), _cell(threshold, right=True),
                     _cell(format_number(lv.members, lang), right=True),
                     _cell(format_number(lv.prices, lang), right=True))  # fmt: skip
            for col, item in enumerate(cells):
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)

    def _level_chosen(self) -> None:
        level = self.current()
        self._title_prices()
        if level is not None:
            self.name.setText(level.name)
            self.code.setText(level.code)
            self.threshold.set_amount(level.upgrade_threshold)
        try:
            self.prices = [] if level is None else svc.level_prices(self.ctx, level.id)
        except PrimedistError as exc:
            say_error(self.message, exc)
            self.prices = []
        blocked = self.price_table.blockSignals(True)  # another level's rows: none chosen
        self.price_table.clearSelection()
        self._fill_prices()
        self.price_table.blockSignals(blocked)
        self._update()

    def _fill_prices(self) -> None:
        """The chosen level's prices (`prices`) into their table, in the current language."""
        lang = current_language()
        blocked = self.price_table.blockSignals(True)
        self.price_table.setRowCount(len(self.prices))
        for row, p in enumerate(self.prices):
            name = f"{p.product_name} ({p.variant_name})" if p.variant_name else p.product_name
            listed = format_number(p.list_price, lang)
            cells = (_cell(p.sku), _cell(name), _cell(listed, right=True),
                     _cell(format_number(p.price, lang), right=True))  # fmt: skip
            for col, item in enumerate(cells):
                self.price_table.setItem(row, col, item)
        self.price_table.blockSignals(blocked)

    def _price_chosen(self) -> None:
        """A price row clicked fills the SKU and price below, so changing or removing it
        needs no SKU typed by hand."""
        rows = self.price_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.prices):
            return
        chosen = self.prices[rows[0].row()]
        self.sku.setText(chosen.sku)
        self.price.set_amount(chosen.price)

    def _clear_form(self) -> None:
        """After a delete: the gone level's name and code would invite adding it again."""
        self.name.clear()
        self.code.clear()
        self.threshold.set_amount(None)

    def _update(self) -> None:
        chosen = self.current() is not None and not self.busy
        for b in (self.save_button, self.delete_button, self.set_price_button,
                  self.remove_price_button):  # fmt: skip
            b.setEnabled(chosen)
        self.add_button.setEnabled(not self.busy)

    # ------------------------------------------------------------------ actions

    def _run(
        self, title: str, work: Callable[[], object], done_text: Callable[[], str], *,
        select: bool = True,
    ) -> None:  # fmt: skip
        """`work` on the database worker; then the levels again (with the level whose id
        it returned chosen when `select`)."""
        self.busy = True
        self._update()

        def done(result: object) -> None:
            say(self.message, lambda: done_text().replace("%1", str(result)))
            self.reload(select=result if select and isinstance(result, int) else None)

        def settled() -> None:
            self.busy = False
            self._update()

        run_inline(self, title, work, self.message, done, settled)

    def save(self, *, new: bool) -> None:
        level = None if new else self.current()
        if self.busy or (not new and level is None):
            return
        try:
            threshold = self.threshold.amount() or None
        except ValueError:
            self._unreadable(self.threshold)
            return
        name, code, ctx = self.name.text(), self.code.text(), self.ctx
        level_id = None if level is None else level.id
        self._run(self.tr("Saving the level"),
                  lambda: svc.save_level(ctx, name=name, code=code, upgrade_threshold=threshold,
                                         level_id=level_id),
                  lambda: self.tr("Level saved."))  # fmt: skip

    def delete(self) -> None:
        level = self.current()
        if self.busy or level is None:
            return
        question = self.tr("Delete the level %1? Its %2 members fall back to no level and its "
                           "prices are removed.")  # fmt: skip
        question = question.replace("%1", level.name).replace(
            "%2", format_number(level.members, current_language())
        )
        codes = self._vouchers_only_for(level.id)
        if codes:  # without the level they would be for everyone: the delete switches them off
            question += "\n\n" + self.tr(
                "Vouchers %1 are only for this group: they will be switched off."
            ).replace("%1", ", ".join(codes))
        answer = QMessageBox.question(self, self.tr("Delete level"), box_text(question))
        if answer != QMessageBox.StandardButton.Yes:
            return
        ctx, lid = self.ctx, level.id
        self.table.clearSelection()
        self._clear_form()
        self._run(self.tr("Deleting the level"), lambda: svc.delete_level(ctx, lid),
                  lambda: self.tr("Level deleted; %1 customers now have no level."),
                  select=False)  # fmt: skip

    def _vouchers_only_for(self, level_id: int) -> list[str]:
        try:
            return svc.vouchers_only_for_level(self.ctx, level_id)
        except PrimedistError:
            return []  # the delete says what is wrong

    def set_price(self, *, remove: bool) -> None:
        level = self.current()
        if self.busy or level is None:
            return
        ctx, lid, sku = self.ctx, level.id, self.sku.text()
        try:  # nothing typed is 0 đ, which the service refuses (naming why)
            price = None if remove else self.price.amount() or 0
        except ValueError:
            self._unreadable(self.price)
            return
        if not self._price_confirmed(sku, price):
            return
        self._run(self.tr("Saving the level price"),
                  lambda: (svc.set_level_price(ctx, lid, sku, price), lid)[1],
                  lambda: self.tr("Price removed.") if remove
                  else self.tr("Price saved."))  # fmt: skip

    def _unreadable(self, edit: MoneyEdit) -> None:
        edit.refuse(self.message, lambda typed: self.tr(
            "Cannot read “%1” as an amount: type e.g. 250000, 250k or 1,5tr."
        ).replace("%1", typed))  # fmt: skip

    def _price_confirmed(self, sku: str, price: int | None) -> bool:
        """A price above the SKU's list price (it would not apply) or far below it (a
        slip: a zero missing) is asked about first."""
        try:
            warning = svc.level_price_warning(self.ctx, sku, price)
        except PrimedistError:
            return True  # the save says what is wrong
        if warning is None:
            return True
        question = localize(warning) + "\n\n" + self.tr("Save this price anyway?")
        answer = QMessageBox.question(self, self.tr("Level price"), box_text(question))
        return answer == QMessageBox.StandardButton.Yes
