"""Settings → Low stock: the default low-stock level of each shop, applied or reset in bulk."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.money import format_number
from primedist.services import low_stock as svc
from primedist.services.context import ServiceContext
from primedist.services.low_stock import LevelReport, ShopLevel
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.ops import Op
from primedist.ui.widgets import align_headers

COL_SHOP, COL_CHANNEL, COL_LEVEL = 0, 1, 2


class LowStockSettings(QWidget):
    """The shops with their default level; tick some, then apply a level or reset them."""

    #: The shops' levels changed (after Apply or Reset).
    levelsChanged = Signal()

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.levels: list[ShopLevel] = []
        self._busy = False
        self.setObjectName("lowStockSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.explanation = QLabel()
        self.explanation.setObjectName("banner")
        self.explanation.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("shopLevels")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SHOP, QHeaderView.ResizeMode.Stretch)
        align_headers(self.table, right=[COL_LEVEL])
        self.table.itemChanged.connect(lambda _item: self._update())
        layout.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.all_button = QPushButton()
        self.all_button.setObjectName("linkButton")
        self.all_button.clicked.connect(self.tick_all)
        self.level_caption = QLabel()
        self.level = QSpinBox()
        self.level.setObjectName("lowStockLevel")
        self.level.setRange(0, svc.MAX_LEVEL)
        self.level.setValue(5)
        self.level.setGroupSeparatorShown(True)
        self.level.setMinimumWidth(110)
        self.level_caption.setBuddy(self.level)
        self.apply_button = QPushButton()
        self.apply_button.setObjectName("primaryButton")
        self.apply_button.clicked.connect(self.apply)
        self.reset_button = QPushButton()
        self.reset_button.setObjectName("resetLevels")
        self.reset_button.clicked.connect(self.reset)
        bar.addWidget(self.all_button)
        bar.addStretch(1)
        for w in (self.level_caption, self.level, self.apply_button, self.reset_button):
            bar.addWidget(w)
        layout.addLayout(bar)
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self._retranslate()
        self.reload()

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._fill()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.title.setText(self.tr("Low stock"))
        self.explanation.setText(
            self.tr(
                "A product variant is low on stock when its available quantity (on hand minus "
                "what open orders hold) is at or below its level. The level is the variant's "
                "own, if it has one (set in the product editor); else its SKU group's; else "
                "the highest default of the shops the product is listed on. A variant with "
                "no level is never low."
            )
        )
        self.table.setHorizontalHeaderLabels(
            [self.tr("Shop"), self.tr("Channel"), self.tr("Default level")]
        )
        self.all_button.setText(self.tr("Tick all"))
        self.level_caption.setText(self.tr("&Level"))
        self.apply_button.setText(self.tr("&Apply to selected"))
        self.reset_button.setText(self.tr("&Reset selected"))

    def _level_text(self, level: int | None) -> str:
        return self.tr("none") if level is None else format_number(level, current_language())

    # ------------------------------------------------------------------ state

    def reload(self) -> None:
        """Read the shops and their levels again (ticks are kept)."""
        self.levels = svc.shop_levels(self.ctx)
        self._fill()

    def _fill(self) -> None:
        ticked = set(self.selected_shops())
        was = self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(self.levels))
            for row, shop in enumerate(self.levels):
                name = QTableWidgetItem(shop.name)
                name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                name.setCheckState(
                    Qt.CheckState.Checked if shop.shop_id in ticked else Qt.CheckState.Unchecked
                )
                name.setData(Qt.ItemDataRole.UserRole, shop.shop_id)
                level = QTableWidgetItem(self._level_text(shop.level))
                level.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, COL_SHOP, name)
                self.table.setItem(row, COL_CHANNEL, QTableWidgetItem(enum_label(shop.channel)))
                self.table.setItem(row, COL_LEVEL, level)
        finally:
            self.table.blockSignals(was)
        self._update()

    def selected_shops(self) -> list[int]:
        """The ids of the ticked shops."""
        out = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, COL_SHOP)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def set_ticked(self, shop_ids: set[int]) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, COL_SHOP)
            if item is not None:
                on = int(item.data(Qt.ItemDataRole.UserRole)) in shop_ids
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def tick_all(self) -> None:
        every = {s.shop_id for s in self.levels}
        self.set_ticked(set() if set(self.selected_shops()) == every else every)

    def _update(self) -> None:
        some = bool(self.selected_shops()) and not self._busy
        self.apply_button.setEnabled(some)
        self.reset_button.setEnabled(some)

    # ------------------------------------------------------------------ actions

    def apply(self) -> None:
        """Make the spin box's level the default of the ticked shops."""
        shops, level = self.selected_shops(), self.level.value()
        if not shops or self._busy:
            return
        applied = (
            self.tr("Low-stock level %1 applied to %n shop(s).", "", len(shops))
            .replace("%1", format_number(level, current_language()))
        )  # fmt: skip
        self._run(lambda: svc.set_shop_level(self.ctx, shops, level),
                  lambda report: self._applied(applied, report))  # fmt: skip

    def _applied(self, applied: str, report: LevelReport) -> None:
        """Say what the level reached, as the shop owner counts it: the products sold there
        (not archived), the variants it does not reach (their own or group level first),
        and Home's *Low on stock* before → after. With no product sold on the shops it
        changes nothing, and "applied" alone would read as done."""
        if report.products:
            parts = [applied, self.tr("It now covers %n product(s) sold there.", "",
                                      report.products)]  # fmt: skip
            if report.own_level:
                parts.append(self.tr("%n of their variant(s) keep their own level (or their "
                                     "SKU group's).", "", report.own_level))  # fmt: skip
            parts.append(self._low_change(report))
            self._say(" ".join(parts))
            return
        self._say(applied + " " + self.tr(
            "No product is sold on the ticked shops yet, so the level changes nothing: "
            "tick the shop under “Sell on” in a product to use it."
        ), warn=True)  # fmt: skip

    def _low_change(self, report: LevelReport) -> str:
        """Home's *Low on stock* (the list's Low stock filter) before → after."""
        lang = current_language()
        return (self.tr("Low on stock: %1 → %2.")
                .replace("%1", format_number(report.low_before, lang))
                .replace("%2", format_number(report.low_after, lang)))  # fmt: skip

    def reset(self) -> None:
        """Remove the default level of the ticked shops."""
        shops = self.selected_shops()
        if not shops or self._busy:
            return
        done = self.tr("Default level removed from %n shop(s).", "", len(shops))
        self._run(lambda: svc.reset_shop_level(self.ctx, shops),
                  lambda report: self._say(f"{done} {self._low_change(report)}"))  # fmt: skip

    def _run(self, fn: Callable[[], LevelReport], done: Callable[[LevelReport], None]) -> None:
        """Run `fn` off the UI thread; then reload and hand `done` what it reached."""
        self._busy = True
        self._update()
        self._say("")

        def work(_job: object) -> LevelReport:
            return fn()

        Op(self, work, engine=self.ctx.engine, title=self.tr("Saving low-stock levels")).success(
            lambda n: self._saved(done, n)
        ).finally_(self._idle).run()

    def _saved(self, done: Callable[[LevelReport], None], report: LevelReport) -> None:
        if shiboken6.isValid(self):
            self.reload()
            done(report)
            self.levelsChanged.emit()

    def _say(self, text: str, *, warn: bool = False) -> None:
        """Show `text` under the buttons, as a warning when `warn`."""
        name = "errorText" if warn else "muted"
        if self.message.objectName() != name:
            self.message.setObjectName(name)
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)
        self.message.setText(text)

    def _idle(self) -> None:
        if shiboken6.isValid(self):
            self._busy = False
            self._update()
