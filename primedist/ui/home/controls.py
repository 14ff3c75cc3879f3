"""What Home and Analytics share: the date range bar, the shop picker, change arrows and
the reading of their figures again when they show again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QWidget,
)

from primedist.core.clock import format_date, shop_tz, to_local
from primedist.core.money import format_number
from primedist.services.reports import MAX_DAYS, Period
from primedist.services.shops import ShopInfo
from primedist.ui import errors
from primedist.ui.formatting import format_decimal
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import alive
from primedist.ui.ops import failure_text
from primedist.ui.widgets import button_text

#: The range choices, in the combo's order.
RANGES = ("today", "yesterday", "7d", "week", "last_week", "30d", "month", "last_month",
          "year", "custom")  # fmt: skip
#: The calendar ranges: compared with the same days of the week, month or year before
#: (reports.COMPARES); the others with the same number of days just before them.
COMPARE = {"week": "week", "last_week": "week", "month": "month", "last_month": "month",
           "year": "year"}  # fmt: skip


def range_days(choice: str, today: date) -> tuple[date, date]:
    """The (first, last) day of a preset range (weeks start on Monday)."""
    if choice == "today":
        return today, today
    if choice == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if choice == "7d":
        return today - timedelta(days=6), today
    if choice == "30d":
        return today - timedelta(days=29), today
    monday = today - timedelta(days=today.weekday())
    if choice == "week":
        return monday, today
    if choice == "last_week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if choice == "month":
        return today.replace(day=1), today
    if choice == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if choice == "year":
        return today.replace(month=1, day=1), today
    raise ValueError(choice)


def change_text(
    pct: float | None, lang: str | None = None, *, points: bool = False
) -> tuple[str, str]:
    """(text, colour) of a change in the UI language: ▲ green up, ▼ red down, — when there
    is nothing before, a grey 0% without an arrow when nothing changed. `points`: a rate's
    change in percentage points ("▲ 66,67 điểm %")."""
    if pct is None:
        return "—", "#6b7280"
    shown = "0" if pct == 0 else format_decimal(abs(pct), lang)
    if points:
        shown = QCoreApplication.translate("ChangeText", "%1 pt").replace("%1", shown)
    else:
        shown += "%"
    if pct == 0:  # neither up nor down
        return shown, "#6b7280"
    return (f"▲ {shown}", "#15803d") if pct > 0 else (f"▼ {shown}", "#b91c1c")


def compared_with(period: Period, lang: str | None = None) -> str:
    """What a figure's change is against, for its tooltip: "vs yesterday until 17:50"
    for today; a range ending today against its previous period up to the same time of
    day ("vs 01/11/2026 – 07/11/2026 until 20:59"); other ranges against whole days."""
    lang = lang or current_language()
    first, last = format_date(period.prev_from, lang), format_date(period.prev_to, lang)
    if period.prev_until is None:
        if period.prev_from == period.prev_to:
            return QCoreApplication.translate("ChangeText", "vs %1").replace("%1", first)
        return QCoreApplication.translate("ChangeText", "vs %1 – %2").replace(
            "%1", first).replace("%2", last)  # fmt: skip
    until = to_local(period.prev_until, shop_tz()).strftime("%H:%M")
    if period.prev_from == period.prev_to == period.date_from - timedelta(days=1):
        return QCoreApplication.translate("ChangeText", "vs yesterday until %1").replace(
            "%1", until)  # fmt: skip
    if period.prev_from == period.prev_to:  # Monday (This week), the 1st (This month)
        return (QCoreApplication.translate("ChangeText", "vs %1 until %2")
                .replace("%1", first).replace("%2", until))  # fmt: skip
    return (QCoreApplication.translate("ChangeText", "vs %1 – %2 until %3")
            .replace("%1", first).replace("%2", last).replace("%3", until))  # fmt: skip


class FiguresPage(QWidget):
    """A page of figures read off the UI thread by `refresh` (which counts itself in
    `running` and ends with `_finished`), read again each time the page shows after it
    was hidden: sales, cancellations or syncs may have happened on the other tabs
    meanwhile. Never two refreshes waiting."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.running = 0
        #: Hidden since the figures were read (another tab was open): read them on show.
        self._stale = False
        #: A refresh was asked for while one ran: run it once that one ends.
        self._again = False
        #: The range of the figures shown (None until the first are read).
        self.shown_range: tuple[date, date] | None = None

    def refresh(self) -> None:
        raise NotImplementedError

    def _refused(self, bar: RangeBar, exc: BaseException) -> None:
        """A refresh the services refused (a range too long): the dates go back to those of
        the figures shown, then the reason is said. The cards showed one range's figures
        under the other's dates, and a to-do card opened the orders of the refused one."""
        if not alive(self):
            return
        if self.shown_range is not None:
            bar.set_range(*self.shown_range, emit=False)
        text = failure_text(self, exc)
        if text:
            errors.show_error(self, text)

    def _finished(self) -> None:
        self.running -= 1
        if self._again and self.running == 0 and alive(self):
            self._again = False
            self.refresh()

    def refresh_when_idle(self) -> None:
        """Read the figures again, after the refresh running now if one is (the data may
        have changed since it started); never two waiting in the queue."""
        if self.running:
            self._again = True
        else:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh_when_idle()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._stale = True


class ShopPicker(QToolButton):
    """A button whose menu ticks shops (all ticked at first); `changed` on every tick.
    The last ticked shop cannot be unticked (greyed): no shop would mean no figures, and
    the services read "no shop given" as every shop."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shopPicker")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        # The style sheet keeps room on the right for the arrow (resources/style.qss).
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setMenu(QMenu(self))
        self._shops: list[ShopInfo] = []
        self.retranslate()

    def shop_ids(self) -> tuple[int, ...]:
        """The ticked shops; () when all are ticked (or there are no shops)."""
        ticked = [a.data() for a in self.menu().actions() if a.isChecked()]
        if len(ticked) in (0, len(self._shops)):
            return ()
        return tuple(int(i) for i in ticked)

    def set_shops(self, shops: list[ShopInfo]) -> None:
        """Fill the menu without emitting `changed`: all ticked at first; read again (a shop
        added since), the ticks stay as they were, a new shop ticked only when all were."""
        if shops == self._shops:
            return
        ticked = set(self.shop_ids())  # empty: all of them
        kept = ticked & {shop.id for shop in shops}
        self._shops = shops
        menu = self.menu()
        menu.clear()
        for shop in shops:
            action = menu.addAction(button_text(shop.name))  # "Gốm & Sứ" whole
            action.setCheckable(True)
            action.setChecked(not kept or shop.id in kept)  # never none ticked
            action.setData(shop.id)
            action.toggled.connect(self._on_tick)
        self._keep_one_ticked()
        self.retranslate()

    def tick_shops(self, ids: set[int]) -> None:
        """Tick exactly these shops (all of them when none of `ids` is one: never none);
        emits `changed` once."""
        known = {a.data() for a in self.menu().actions()}
        for action in self.menu().actions():
            action.blockSignals(True)
            action.setChecked(action.data() in ids or not ids & known)
            action.blockSignals(False)
        self._on_tick()

    def _on_tick(self, _checked: bool = False) -> None:
        self._keep_one_ticked()
        self.retranslate()
        self.changed.emit()

    def _keep_one_ticked(self) -> None:
        """Grey the only ticked shop out, so it cannot be unticked."""
        ticked = [a for a in self.menu().actions() if a.isChecked()]
        for action in self.menu().actions():
            action.setEnabled(ticked != [action])

    def retranslate(self) -> None:
        n = len(self.shop_ids())
        self.setText(self.tr("All shops") if not n else self.tr("%n shop(s)", "", n))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class RangeBar(QWidget):
    """Range presets + custom dates + shop picker; `changed` when any of them changes."""

    changed = Signal()

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Asked each time: a shop PC stays open past midnight, and "Today" moves with it.
        self._today = today
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.preset = QComboBox()
        self.preset.setObjectName("rangePreset")
        # As wide as its longest choice in the language shown now: sized once, it kept the
        # width of the first language ("Custom rang" after Vietnamese).
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for key in RANGES:
            self.preset.addItem("", key)
        self.preset.setCurrentIndex(RANGES.index("7d"))
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        self.dash = QLabel("–")
        self.shops_button = ShopPicker()
        self.shops_button.changed.connect(self.changed)
        for w in (self.preset, self.date_from, self.dash, self.date_to, self.shops_button):
            row.addWidget(w)
        row.addStretch(1)
        self._apply_preset()
        self.preset.currentIndexChanged.connect(self._on_preset)
        self.date_from.dateChanged.connect(self._on_dates)
        self.date_to.dateChanged.connect(self._on_dates)
        self.retranslate()

    # State --------------------------------------------------------------------------------
    def range(self) -> tuple[date, date]:
        """The chosen days; a preset's end on today as it is now."""
        if self.preset.currentData() != "custom":
            self._apply_preset()
        first, last = self.date_from.date().toPython(), self.date_to.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        return (first, last) if first <= last else (last, first)

    def shop_ids(self) -> tuple[int, ...]:
        """The ticked shops; () when all are ticked."""
        return self.shops_button.shop_ids()

    def set_shops(self, shops: list[ShopInfo]) -> None:
        """Fill the picker (all ticked at first, the user's ticks kept after) without
        emitting `changed`."""
        self.shops_button.set_shops(shops)

    def tick_shops(self, ids: set[int]) -> None:
        """Tick exactly these shops (tests and callers); emits `changed` once."""
        self.shops_button.tick_shops(ids)

    def set_preset(self, key: str) -> None:
        self.preset.setCurrentIndex(RANGES.index(key))

    def compare(self) -> str:
        """The previous period the figures are compared with (reports.COMPARES)."""
        return COMPARE.get(self.preset.currentData(), "span")

    def set_range(self, first: date, last: date, *, emit: bool = True) -> None:
        """A custom range; emits `changed` once (not with `emit=False`: a page putting
        back the range of the figures it shows)."""
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(RANGES.index("custom"))
        self.preset.blockSignals(False)
        for edit, day in ((self.date_from, first), (self.date_to, last)):
            _set_quietly(edit, day)
        self._show_dates()
        if emit:
            self.changed.emit()

    # Reactions ----------------------------------------------------------------------------
    def _apply_preset(self) -> None:
        key = self.preset.currentData()
        if key != "custom":
            first, last = range_days(key, self._today())
            for edit, day in ((self.date_from, first), (self.date_to, last)):
                _set_quietly(edit, day)
        self._show_dates()

    def _show_dates(self) -> None:
        custom = self.preset.currentData() == "custom"
        for w in (self.date_from, self.date_to):
            w.setEnabled(custom)

    def _on_preset(self, _index: int) -> None:
        self._apply_preset()
        self.changed.emit()

    def _on_dates(self, _d: QDate) -> None:
        if self.preset.currentData() == "custom":
            self._keep_within_limit(self.sender() is self.date_to)
            self.changed.emit()

    def _keep_within_limit(self, moved_last: bool) -> None:
        """A range longer than the reports read (reports.MAX_DAYS): the other date follows
        the one just chosen, at the longest range. The range was refused with an error,
        and the cards kept the figures of the range before under the new dates."""
        first, last = self.date_from.date().toPython(), self.date_to.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        span = timedelta(days=MAX_DAYS - 1)
        if abs((last - first).days) <= span.days:
            return
        if moved_last:
            _set_quietly(self.date_from, last - span if last > first else last + span)
        else:
            _set_quietly(self.date_to, first + span if last > first else first - span)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        names = {
            "today": self.tr("Today"),
            "yesterday": self.tr("Yesterday"),
            "7d": self.tr("Last 7 days"),
            "week": self.tr("This week"),
            "last_week": self.tr("Last week"),
            "30d": self.tr("Last 30 days"),
            "month": self.tr("This month"),
            "last_month": self.tr("Last month"),
            "year": self.tr("This year"),
            "custom": self.tr("Custom range"),
        }
        for i, key in enumerate(RANGES):
            self.preset.setItemText(i, names[key])
        limit = self.tr(
            "A range is at most %1 days: the other date follows the one you choose."
        ).replace("%1", format_number(MAX_DAYS, current_language()))
        for edit in (self.date_from, self.date_to):
            edit.setToolTip(limit)
        self.shops_button.retranslate()


def _set_quietly(edit: QDateEdit, day: date) -> None:
    """Show a day in a date box without its dateChanged."""
    edit.blockSignals(True)
    edit.setDate(QDate(day.year, day.month, day.day))
    edit.blockSignals(False)
