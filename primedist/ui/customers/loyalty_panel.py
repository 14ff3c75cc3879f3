"""The loyalty parts of the customer detail: the Rank tab (rank with its reason, "skip
automatic update", rank history) and the manual points adjustment of the Points tab."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_date, format_datetime, shop_tz
from primedist.core.money import format_money, format_number
from primedist.domain.enums import Rank, RankBasis, Role
from primedist.errors import PrimedistError
from primedist.queries.customers import level_text
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels as levels_svc
from primedist.services.loyalty import points as points_svc
from primedist.services.loyalty import ranks as ranks_svc
from primedist.services.loyalty.points import MAX_ADJUST
from primedist.services.loyalty.ranks import RankHistoryRow, RankStatus
from primedist.services.loyalty.settings import RANKS_DOWN
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.messages import error_text, mark_error, say, say_error
from primedist.ui.ops import Op
from primedist.ui.widgets import align_headers


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def measure(value: int, basis: RankBasis, lang: str, orders_word: str) -> str:
    """A value on the rank basis: money, or a number of orders."""
    if basis == RankBasis.EXPENSES:
        return format_money(value, lang)
    return f"{format_number(value, lang)} {orders_word}"


def run_inline(
    owner: QWidget, title: str, work: Callable[[], object], message: QLabel,
    done: Callable[[object], None], always: Callable[[], None] | None = None,
) -> None:  # fmt: skip
    """Run `work` on the database worker; a refusal is shown in `message`, not a box (and
    said again in the new language on a switch); `always` runs after either. `done` says
    its result with `say` to have it follow a switch too."""

    def failed(exc: BaseException) -> None:
        if shiboken6.isValid(message):
            # Said again in the new language on a switch (the error kept).
            say(message, lambda: error_text(exc) if isinstance(exc, PrimedistError)
                else str(exc), error=True)  # fmt: skip

    def ok(result: object) -> None:
        if shiboken6.isValid(owner):
            mark_error(message, False)  # the success below reads grey again
            done(result)

    engine = getattr(getattr(owner, "ctx", None), "engine", None)

    def last() -> None:
        if always is not None and shiboken6.isValid(owner):
            always()

    op = Op(owner, lambda _job: work(), engine=engine, title=title)
    op.success(ok).failure(failed).finally_(last).run()


#: The rank history's reason column ("10,391,400 VND ≥ 10,000,000 VND").
HISTORY_REASON = 3


class RankPanel(QWidget):
    """The customer's rank with its reason, the rank and group given by hand, the pin, and
    the rank history."""

    #: The rank, group or pin changed (the list and the header refresh).
    changed = Signal()

    def __init__(self, ctx: ServiceContext, customer_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.customer_id = ctx, customer_id
        self.status: RankStatus | None = None
        self.busy = False
        layout = QVBoxLayout(self)
        self.reason = QLabel()
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setObjectName("rankReason")
        self.rank_caption, self.level_caption = QLabel(), QLabel()
        self.rank_box = QComboBox()
        self.rank_box.setObjectName("rankChoice")
        self.level_box = QComboBox()
        self.level_box.setObjectName("levelChoice")
        self.level_box.setMinimumContentsLength(14)
        self.rank_box.activated.connect(self._rank_chosen)
        self.level_box.activated.connect(self._level_chosen)
        self.levels: list[tuple[int, str]] = []
        self.pin = QCheckBox()
        self.pin.setObjectName("pinRank")
        self.pin.toggled.connect(self.set_pinned)
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        self.history = QTableWidget(0, 5)
        self.history.setObjectName("rankHistory")
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().setVisible(False)
        # Each column as wide as its text, the reason takes the rest (cut with "…" only when
        # the panel is too narrow, whole in its tooltip): equal shares cut the reason and
        # the user's name beside half-empty rank columns.
        header = self.history.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HISTORY_REASON, QHeaderView.ResizeMode.Stretch)
        align_headers(self.history)
        choices = QHBoxLayout()
        choices.addWidget(self.rank_caption)
        choices.addWidget(self.rank_box)
        choices.addSpacing(16)
        choices.addWidget(self.level_caption)
        choices.addWidget(self.level_box)
        choices.addStretch(1)
        layout.addWidget(self.reason)
        layout.addLayout(choices)
        layout.addWidget(self.pin)
        layout.addWidget(self.message)
        layout.addWidget(self.history, 1)
        self._retranslate()
        self.reload()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._fill()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.pin.setText(self.tr("Skip automatic update (keep this rank and level)"))
        self.rank_caption.setText(self.tr("Rank"))
        self.level_caption.setText(self.tr("Customer group"))
        tip = self.tr(
            "Given by hand: the customer is pinned to it (the nightly recompute and "
            "the automatic group upgrade leave them alone until you untick "
            "\u201cSkip automatic update\u201d)."
        )
        self.rank_box.setToolTip(tip)
        self.level_box.setToolTip(tip)
        self.history.setHorizontalHeaderLabels(
            [self.tr("When"), self.tr("From"), self.tr("To"), self.tr("Reason"), self.tr("By")]
        )

    def reload(self) -> None:
        try:
            self.status = ranks_svc.rank_status(self.ctx, self.customer_id)
            self.levels = [(r.id, level_text(r.name, r.code))
                           for r in levels_svc.level_names(self.ctx)]  # fmt: skip
        except PrimedistError as exc:
            say_error(self.message, exc)
            return
        self._fill()

    def reason_text(self, row: RankHistoryRow) -> str:
        """ "Gold since 12/03/2026 — 6.200.000 ₫ ≥ 5.000.000 ₫", or for a rank given by
        hand "Gold — set by hand by Lan on 12/03/2026" (what was spent says nothing then)."""
        lang = current_language()
        orders = self.tr("orders")
        day = format_date(_aware(row.changed_at), lang, shop_tz())
        rank = enum_label(row.to_rank)
        if row.by_hand or row.basis is None:
            if not row.by:  # its user deleted since
                return self.tr("%1 — set by hand on %2").replace("%1", rank).replace("%2", day)
            return (self.tr("%1 — set by hand by %2 on %3").replace("%1", rank)
                    .replace("%2", row.by).replace("%3", day))  # fmt: skip
        text = self.tr("%1 since %2 — %3 ≥ %4")
        for key, value in (
            ("%1", rank),
            ("%2", day),
            ("%3", measure(row.value, row.basis, lang, orders)),
            ("%4", measure(row.threshold, row.basis, lang, orders)),
        ):
            text = text.replace(key, value)
        return text

    def _fill(self) -> None:
        st = self.status
        if st is None:
            return
        self.pin.blockSignals(True)
        self.pin.setChecked(st.pinned)
        self.pin.blockSignals(False)
        self._fill_choices(st)
        latest = next((h for h in st.history if h.to_rank == st.rank), None)
        if latest is not None and st.history and st.history[0] is latest:
            self.reason.setText(self.reason_text(latest))
        else:
            self.reason.setText(
                self.tr("%1: no rank change recorded yet").replace("%1", enum_label(st.rank))
            )
        lang = current_language()
        orders = self.tr("orders")
        self.history.setRowCount(len(st.history))
        for i, h in enumerate(st.history):
            if h.by_hand or h.basis is None:
                why = self.tr("set by hand")
            else:
                value = measure(h.value, h.basis, lang, orders)
                why = f"{value} ≥ {measure(h.threshold, h.basis, lang, orders)}"
            by = h.by or ("—" if h.basis is None else self.tr("Nightly recompute"))
            cells = (format_datetime(_aware(h.changed_at), shop_tz(), lang),
                     enum_label(h.from_rank) if h.from_rank else "", enum_label(h.to_rank), why,
                     by)  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.history.setItem(i, col, item)

    def _fill_choices(self, st: RankStatus) -> None:
        """The rank and group boxes show the customer's (data: the value to save)."""
        self.rank_box.clear()
        for rank in RANKS_DOWN:
            self.rank_box.addItem(enum_label(rank), rank.value)
        self.rank_box.setCurrentIndex(self.rank_box.findData(st.rank.value))
        self.level_box.clear()
        self.level_box.addItem(self.tr("No group"), 0)
        for level_id, text in self.levels:
            self.level_box.addItem(text, level_id)
        self.level_box.setCurrentIndex(max(self.level_box.findData(st.level_id or 0), 0))
        self.level_box.setEnabled(bool(self.levels) or st.level_id is not None)

    def _rank_chosen(self, index: int) -> None:
        st, rank = self.status, Rank(self.rank_box.itemData(index))
        if st is None or self.busy or rank == st.rank:
            return
        ctx, cid = self.ctx, self.customer_id
        self._save(lambda: ranks_svc.set_rank(ctx, cid, rank),
                   self.tr("Rank given by hand: %1.").replace("%1", enum_label(rank)))  # fmt: skip

    def _level_chosen(self, index: int) -> None:
        st, level_id = self.status, int(self.level_box.itemData(index)) or None
        if st is None or self.busy or level_id == st.level_id:
            return
        ctx, cid = self.ctx, self.customer_id
        text = self.level_box.itemText(index)
        self._save(lambda: levels_svc.set_customers_level(ctx, level_id, [cid]),
                   self.tr("Group given by hand: %1.").replace("%1", text))  # fmt: skip

    def _save(self, work: Callable[[], object], done_text: str) -> None:
        self.busy = True
        for w in (self.pin, self.rank_box, self.level_box):
            w.setEnabled(False)

        def done(_r: object) -> None:
            self.message.setText(done_text)
            self.changed.emit()

        run_inline(self, self.tr("Saving"), work, self.message, done, self._settled)

    def set_pinned(self, pinned: bool) -> None:
        if self.busy:
            return
        self.busy = True
        self.pin.setEnabled(False)
        ctx, cid = self.ctx, self.customer_id

        def done(_r: object) -> None:
            if pinned:
                self.message.setText(self.tr("Pinned: the recompute leaves this customer alone."))
            else:
                self.message.setText(self.tr("The recompute updates this customer again."))
            self.changed.emit()

        def work() -> None:
            ranks_svc.set_pinned(ctx, cid, pinned)

        run_inline(self, self.tr("Saving"), work, self.message, done, self._settled)

    def _settled(self) -> None:
        self.busy = False
        self.pin.setEnabled(True)
        self.rank_box.setEnabled(True)
        self.reload()


class PointsAdjustBar(QWidget):
    """Add or take points by hand, with the required reason: the owner or a manager (the
    service refuses the others; staff see the controls off, and why)."""

    #: Points were adjusted: the new balance.
    adjusted = Signal(int)

    def __init__(self, ctx: ServiceContext, customer_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.customer_id = ctx, customer_id
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.caption = QLabel()
        self.delta = QSpinBox()
        self.delta.setObjectName("pointsDelta")
        self.delta.setRange(-MAX_ADJUST, MAX_ADJUST)
        self.delta.setGroupSeparatorShown(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("pointsReason")
        self.reason.setMaxLength(255)
        self.button = QPushButton()
        self.button.setObjectName("adjustPoints")
        self.button.clicked.connect(self.adjust)
        for w in (self.caption, self.delta):
            row.addWidget(w)
        row.addWidget(self.reason, 1)
        row.addWidget(self.button)
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        outer.addLayout(row)
        outer.addWidget(self.message)
        self.delta.valueChanged.connect(self._update)
        self.reason.textChanged.connect(self._update)
        self._retranslate()
        self._update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.caption.setText(self.tr("Adjust by"))
        self.reason.setPlaceholderText(self.tr("Reason (required)"))
        self.button.setText(self.tr("Adjust points"))
        if not self.allowed():
            refusal = self.tr("Only the owner or a manager adjusts points.")
            for widget in (self.delta, self.reason, self.button):
                widget.setToolTip(refusal)
            self.message.setText(refusal)

    def allowed(self) -> bool:
        """Points are money off: adjusting them takes the owner or a manager."""
        return self.ctx.actor.role in (Role.OWNER, Role.MANAGER)

    def _update(self) -> None:
        allowed = self.allowed()
        self.delta.setEnabled(allowed)
        self.reason.setEnabled(allowed)
        self.button.setEnabled(allowed and self.delta.value() != 0
                               and bool(self.reason.text().strip()))  # fmt: skip

    def adjust(self) -> None:
        delta, reason = self.delta.value(), self.reason.text()
        ctx, cid = self.ctx, self.customer_id
        self.button.setEnabled(False)

        def done(balance: object) -> None:
            self.delta.setValue(0)
            self.reason.clear()
            self.message.setText(self.tr("Points adjusted: %1 remaining.").replace(
                "%1", format_number(int(balance), current_language())))  # type: ignore[call-overload]  # fmt: skip
            self.adjusted.emit(int(balance))  # type: ignore[call-overload]

        run_inline(self, self.tr("Adjusting points"),
                   lambda: points_svc.adjust_points(ctx, cid, delta, reason), self.message,
                   done, self._update)  # fmt: skip


class LevelPickDialog(QDialog):
    """Ask which customer group to put customers in ("No group" too), for the list's bulk
    action. `chosen()`: the level id, 0 for no group."""

    def __init__(self, ctx: ServiceContext, count: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("levelPickDialog")
        self.setWindowTitle(self.tr("Put in a customer group"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        question = self.tr("Put the %1 chosen customers in the group:")
        layout.addWidget(QLabel(question.replace("%1", format_number(count, current_language()))))
        self.box = QComboBox()
        self.box.setObjectName("levelChoice")
        self.box.addItem(self.tr("No group"), 0)
        for row in levels_svc.list_levels(ctx):
            self.box.addItem(level_text(row.name, row.code), row.id)
        self.box.setCurrentIndex(min(1, self.box.count() - 1))
        layout.addWidget(self.box)
        note = QLabel(self.tr("They keep this group: the automatic upgrade by purchases leaves "
                              "them alone until “Skip automatic update” is unticked on their "
                              "Rank tab."))  # fmt: skip
        note.setObjectName("muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> int:
        return int(self.box.currentData())


def pick_level(parent: QWidget | None, ctx: ServiceContext, count: int) -> int | None:
    """The group to put `count` customers in (0: no group), or None when cancelled."""
    dialog = LevelPickDialog(ctx, count, parent)
    try:
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
