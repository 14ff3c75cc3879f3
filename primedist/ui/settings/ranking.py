"""Settings → Customer ranking: basis, thresholds, window, the ranks with their customer
counts, who last changed the conditions, and Recompute now (with a dry run).

Only the owner or a manager changes the conditions (the others read them, with a notice);
the counts and Recompute need the Customers module (without it the counts show "—")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import as_utc, format_datetime, shop_tz
from primedist.core.money import format_money, format_number
from primedist.domain.enums import Module, Rank, RankBasis, Role
from primedist.errors import Cancelled, PrimedistError
from primedist.services.context import ServiceContext
from primedist.services.loyalty import ranks as ranks_svc
from primedist.services.loyalty.ranks import RecomputeReport
from primedist.services.loyalty.settings import (
    RANKS_DOWN,
    RankSettings,
    RankWindow,
    read_rank_settings,
    save_rank_settings,
)
from primedist.ui.customers.loyalty_panel import run_inline
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.messages import say, say_error
from primedist.ui.money_form import MoneyEdit
from primedist.ui.ops import Op, failure_text
from primedist.ui.widgets import add_narrow, align_headers

#: The order counts' spin boxes' top: Qt spin boxes hold 32-bit values.
SPIN_MAX = 2_000_000_000
#: The rank table's column of the customers per rank after the last dry run.
PREVIEW_COLUMN = 3
#: What `refresh` reads: the conditions, the customers per rank, the last recompute.
_Read = tuple[RankSettings, dict[Rank, int] | None, datetime | None]


class RankingSettings(QWidget):
    """Rank conditions, ranks with counts, and Recompute now."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings: RankSettings | None = None
        #: Customers per rank; None when the user may not see customers.
        self.counts: dict[Rank, int] | None = None
        self.may_edit = ctx.actor.role in (Role.OWNER, Role.MANAGER)
        self.may_recompute = ctx.actor.can(Module.CUSTOMERS)
        self.report: RecomputeReport | None = None
        #: The last dry run, while its figures stand (the table's "After the dry run").
        self.preview: RecomputeReport | None = None
        #: When ranks were last recomputed for real (the counts are from then).
        self.last_run: datetime | None = None
        #: The running recompute uses conditions other than the saved ones.
        self._unsaved_run = False
        self.busy = False
        self.setObjectName("rankingSettings")
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
        self.not_allowed = QLabel()
        self.not_allowed.setObjectName("banner")
        self.not_allowed.setWordWrap(True)
        self.not_allowed.setVisible(not self.may_edit)
        layout.addWidget(self.not_allowed)
        form = QFormLayout()
        self.basis = QComboBox()
        self.basis.setObjectName("rankBasis")
        self.basis.addItems(["", ""])
        self.basis.currentIndexChanged.connect(self._basis_changed)
        self.window_combo = QComboBox()
        self.window_combo.setObjectName("rankWindow")
        self.window_combo.addItems(["", ""])
        self.captions: dict[str, QLabel] = {k: QLabel() for k in ("basis", "window")}
        form.addRow(self.captions["basis"], self.basis)
        form.addRow(self.captions["window"], self.window_combo)
        # Per rank, the threshold in money ("5tr", "500k": `amounts`) when ranking by
        # what is spent, or in orders (`spins`) when by orders: the basis picks the page.
        self.amounts: dict[Rank, MoneyEdit] = {}
        self.spins: dict[Rank, QSpinBox] = {}
        self.threshold_pages: dict[Rank, QStackedWidget] = {}
        self.rank_captions: dict[Rank, QLabel] = {}
        for rank in RANKS_DOWN:
            amount = MoneyEdit(f"threshold_{rank.value}")
            spin = QSpinBox()
            spin.setObjectName(f"orders_{rank.value}")
            spin.setRange(0, SPIN_MAX)
            spin.setGroupSeparatorShown(True)
            page = QStackedWidget()
            page.addWidget(amount)
            page.addWidget(spin)
            self.amounts[rank] = amount
            self.spins[rank] = spin
            self.threshold_pages[rank] = page
            self.rank_captions[rank] = QLabel()
            form.addRow(self.rank_captions[rank], page)
        add_narrow(layout, form)
        self.changed_label = QLabel()
        self.changed_label.setObjectName("muted")
        layout.addWidget(self.changed_label)
        self.table = QTableWidget(len(RANKS_DOWN), 4)
        self.table.setObjectName("rankCounts")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        align_headers(self.table, right=(1, 2, PREVIEW_COLUMN))
        self.table.setColumnHidden(PREVIEW_COLUMN, True)  # until a dry run
        layout.addWidget(self.table, 1)
        self.stale_counts = QLabel()
        self.stale_counts.setObjectName("banner")
        self.stale_counts.setWordWrap(True)
        self.stale_counts.hide()
        layout.addWidget(self.stale_counts)
        row = QHBoxLayout()
        self.save_button = QPushButton()
        self.save_button.setObjectName("primaryButton")
        self.save_button.clicked.connect(self.save)
        self.dry_button = QPushButton()
        self.dry_button.setObjectName("dryRun")
        self.dry_button.clicked.connect(lambda: self.recompute(dry_run=True))
        self.run_button = QPushButton()
        self.run_button.setObjectName("recomputeNow")
        self.run_button.clicked.connect(lambda: self.recompute(dry_run=False))
        row.addWidget(self.save_button)
        row.addStretch(1)
        row.addWidget(self.dry_button)
        row.addWidget(self.run_button)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        copper = (self.spins[Rank.COPPER], self.amounts[Rank.COPPER])  # always 0
        for w in (self.basis, self.window_combo, *self.spins.values(), *self.amounts.values()):
            w.setEnabled(self.may_edit and w not in copper)
        # Other conditions typed: the dry run's figures no longer say what they would do.
        self.basis.currentIndexChanged.connect(self._drop_preview)
        self.window_combo.currentIndexChanged.connect(self._drop_preview)
        for spin in self.spins.values():
            spin.valueChanged.connect(self._drop_preview)
        for amount in self.amounts.values():
            amount.textChanged.connect(self._drop_preview)
        self._retranslate()
        self._set_busy(False)
        self.reload()

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._fill()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.title.setText(self.tr("Customer ranking"))
        self.explain.setText(self.tr(
            "Rank: automatic, by what each customer spends (or their successful orders). It "
            "does not change prices: the customer group does (Customer groups & price levels)."
        ))  # fmt: skip
        self.not_allowed.setText(
            self.tr("Only the owner or a manager changes the rank conditions.")
        )
        self.captions["basis"].setText(self.tr("Rank by"))
        self.captions["window"].setText(self.tr("Count"))
        self.basis.setItemText(0, self.tr("Total spent (VND)"))
        self.basis.setItemText(1, self.tr("Successful orders"))
        self.window_combo.setItemText(0, self.tr("All time"))
        self.window_combo.setItemText(1, self.tr("The last 12 months"))
        for rank, label in self.rank_captions.items():
            label.setText(self.tr("%1 from").replace("%1", enum_label(rank)))
        # The thresholds as saved; the customers as ranked now (at the last recompute).
        self.table.setHorizontalHeaderLabels(
            [self.tr("Rank"), self.tr("From (saved)"), self.tr("Customers now"),
             self.tr("After the dry run")]
        )  # fmt: skip
        self.save_button.setText(self.tr("Save conditions"))
        self.dry_button.setText(self.tr("Dry run"))
        self.run_button.setText(self.tr("Recompute now"))

    # ------------------------------------------------------------------ data

    def reload(self) -> None:
        """The saved conditions into the inputs, and the table."""
        if self._read():
            self._show_read()

    def refresh(self) -> None:
        """Shown again (Settings): the conditions and the counts read again off the UI
        thread (counting the ranks reads every customer), then shown unless the user has
        started changing the conditions meanwhile."""
        ctx, may = self.ctx, self.may_recompute

        def read(_job: object) -> _Read:
            return (read_rank_settings(ctx), ranks_svc.rank_counts(ctx) if may else None,
                    ranks_svc.last_run(ctx) if may else None)  # fmt: skip

        def failed(exc: BaseException) -> None:
            if isinstance(exc, PrimedistError):
                say_error(self.message, exc)

        op: Op[_Read] = Op(self, read)
        op.success(self._refreshed).failure(failed).run()

    def _refreshed(self, found: _Read) -> None:
        if self.has_edits():
            return
        self.settings, self.counts, self.last_run = found
        self._show_read()

    def has_edits(self) -> bool:
        """Conditions changed on screen and not saved, or an action running: reading
        the saved ones again now would overwrite them."""
        return self.busy or not self.form_is_saved()

    def _show_read(self) -> None:
        s = self.settings
        assert s is not None
        self.basis.setCurrentIndex(0 if s.basis == RankBasis.EXPENSES else 1)
        self.window_combo.setCurrentIndex(0 if s.window == RankWindow.ALL_TIME else 1)
        self._show_thresholds()
        self._fill()

    def _read(self) -> bool:
        """Read the conditions and (for a user who may see customers) the counts."""
        try:
            self.settings = read_rank_settings(self.ctx)
            self.counts = ranks_svc.rank_counts(self.ctx) if self.may_recompute else None
            self.last_run = ranks_svc.last_run(self.ctx) if self.may_recompute else None
        except PrimedistError as exc:
            say_error(self.message, exc)
            return False
        return True

    def basis_value(self) -> RankBasis:
        return RankBasis.EXPENSES if self.basis.currentIndex() == 0 else RankBasis.ORDERS

    def window_value(self) -> RankWindow:
        if self.window_combo.currentIndex() == 0:
            return RankWindow.ALL_TIME
        return RankWindow.LAST_12_MONTHS

    def threshold_values(self) -> tuple[int, int, int, int]:
        """The thresholds typed for the basis shown (an empty amount is 0); ValueError when
        an amount is not money."""
        if self.basis_value() == RankBasis.ORDERS:
            d, g, si, c = (self.spins[r].value() for r in RANKS_DOWN)
        else:
            d, g, si, c = (self.amounts[r].amount() or 0 for r in RANKS_DOWN)
        return d, g, si, c

    def _unreadable_amount(self) -> MoneyEdit | None:
        """The first money threshold that is not money (ranking by what is spent)."""
        if self.basis_value() == RankBasis.ORDERS:
            return None
        for rank in RANKS_DOWN:
            try:
                self.amounts[rank].amount()
            except ValueError:
                return self.amounts[rank]
        return None

    def _say_unreadable(self, edit: MoneyEdit) -> None:
        edit.refuse(self.message, lambda typed: self.tr(
            "Cannot read “%1” as an amount: type e.g. 5000000, 500k or 1,5tr."
        ).replace("%1", typed))  # fmt: skip

    def form_settings(self) -> RankSettings | None:
        """The conditions as the form shows them (saved or not); None before they are read.
        ValueError when a money threshold is not money."""
        if self.settings is None:
            return None
        basis = self.basis_value()
        d, g, si, c = self.threshold_values()
        thresholds = {**self.settings.thresholds, basis: (d, g, si, c)}
        return replace(self.settings, basis=basis, window=self.window_value(),
                       thresholds=thresholds)  # fmt: skip

    def form_is_saved(self) -> bool:
        """The form shows the saved conditions (nothing changed on screen)."""
        try:
            s, shown = self.settings, self.form_settings()
        except ValueError:
            return False  # something typed that is not money yet: keep it
        if s is None or shown is None:
            return True
        return (shown.basis, shown.window, shown.thresholds[shown.basis]) == (
            s.basis, s.window, s.thresholds[s.basis]
        )  # fmt: skip

    def _show_thresholds(self) -> None:
        if self.settings is None:
            return
        basis = self.basis_value()
        orders = basis == RankBasis.ORDERS
        for rank in RANKS_DOWN:
            value = self.settings.threshold(rank, basis)
            if orders:
                self.spins[rank].setValue(min(value, SPIN_MAX))
            else:
                self.amounts[rank].set_amount(value)
            self.threshold_pages[rank].setCurrentIndex(1 if orders else 0)

    def _basis_changed(self) -> None:
        self._show_thresholds()

    def _fill(self) -> None:
        s = self.settings
        if s is None:
            return
        lang = current_language()
        if s.changed_at is None:
            self.changed_label.setText(self.tr("The default conditions: never changed."))
        else:
            when = format_datetime(s.changed_at.replace(tzinfo=s.changed_at.tzinfo or UTC),
                                   shop_tz(), lang)  # fmt: skip
            self.changed_label.setText(
                self.tr("Conditions last changed at %1 by %2.")
                .replace("%1", when)
                .replace("%2", s.changed_by or "")
            )
        for row, rank in enumerate(RANKS_DOWN):
            count = "—" if self.counts is None else format_number(self.counts.get(rank, 0), lang)
            cells = (enum_label(rank), self._threshold_text(s.basis, s.threshold(rank)), count)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        self._fill_preview()
        self._show_stale_counts()

    def _fill_preview(self) -> None:
        """The last dry run's customers per rank, beside those now: "1,204 (−109)", the
        moves into the rank in its tooltip; the column hidden without one."""
        report, lang = self.preview, current_language()
        self.table.setColumnHidden(PREVIEW_COLUMN, report is None)
        if report is None:
            return
        moves = report.by_rank()
        for row, rank in enumerate(RANKS_DOWN):
            after = report.counts.get(rank, 0)
            text = format_number(after, lang)
            if self.counts is not None and after != self.counts.get(rank, 0):
                change = after - self.counts.get(rank, 0)
                sign = "+" if change > 0 else "−"
                text += f" ({sign}{format_number(abs(change), lang)})"
            up, down = moves[rank]
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(
                self.tr("Into %3: %1 would move up, %2 down.")
                .replace("%1", format_number(up, lang)).replace("%2", format_number(down, lang))
                .replace("%3", enum_label(rank))
            )  # fmt: skip
            self.table.setItem(row, PREVIEW_COLUMN, item)

    def _drop_preview(self) -> None:
        if self.preview is not None:
            self.preview = None
            self._fill_preview()

    def _threshold_text(self, basis: RankBasis, value: int) -> str:
        """Money as everywhere else ("5,000,000 VND", "5.000.000 ₫"), or "25 orders"."""
        lang = current_language()
        if basis == RankBasis.EXPENSES:
            return format_money(value, lang)
        orders = self.tr("orders")
        return f"{format_number(value, lang)} {orders}"

    def _show_stale_counts(self) -> None:
        """Conditions saved after the last recompute: the counts are still the old ranks."""
        s = self.settings
        changed = None if s is None else s.changed_at
        stale = self.counts is not None and changed is not None and (
            self.last_run is None or as_utc(self.last_run) < as_utc(changed)
        )  # fmt: skip
        self.stale_counts.setText(self.tr(
            "The customer counts are the ranks of the last recompute: the conditions were "
            "changed after it. They follow at the next recompute (tonight at 23:59, or "
            "Recompute now)."
        ))  # fmt: skip
        self.stale_counts.setVisible(stale)

    # ------------------------------------------------------------------ actions

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.save_button.setEnabled(self.may_edit and not busy)
        for b in (self.dry_button, self.run_button):
            b.setEnabled(self.may_recompute and not busy)

    def save(self) -> None:
        if self.busy or not self.may_edit:
            return
        if (bad := self._unreadable_amount()) is not None:
            self._say_unreadable(bad)
            return
        basis = self.basis_value()
        window = self.window_value()
        values = self.threshold_values()
        ctx = self.ctx
        self._set_busy(True)
        run_inline(
            self, self.tr("Saving the rank conditions"),
            lambda: save_rank_settings(ctx, basis=basis, window=window,
                                       thresholds={basis: values}),
            self.message,
            lambda _r: say(self.message, lambda: self.tr(
                "Saved. The ranks follow at the next recompute (tonight at 23:59, "
                "or Recompute now).")),
            self._settled,
        )  # fmt: skip

    def recompute(self, *, dry_run: bool) -> None:
        if self.busy or not self.may_recompute:
            return
        if dry_run and (bad := self._unreadable_amount()) is not None:
            self._say_unreadable(bad)
            return
        ctx = self.ctx
        # A dry run previews the conditions on screen, saved or not (a real run applies
        # the saved ones, and says so when the screen shows others).
        self._unsaved_run = not self.form_is_saved()
        conditions = self.form_settings() if dry_run and self._unsaved_run else None
        self._set_busy(True)
        say(self.message, lambda: self.tr("Recomputing…"))
        # A job with progress and Cancel (seconds over 100,000 customers), on the long
        # jobs' worker: the other pages keep reading meanwhile.
        op: Op[RecomputeReport] = Op(
            self,
            lambda job: ranks_svc.recompute_ranks(
                ctx, dry_run=dry_run, progress=job.progress, conditions=conditions
            ),
            engine=ctx.engine,
            title=self.tr("Recomputing customer ranks"),
        )
        op.success(self._recomputed).failure(self._recompute_failed).finally_(self._settled)
        op.with_progress().run()

    def _recompute_failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            # One transaction: nothing of a cancelled recompute was kept.
            say(self.message, lambda: self.tr("Recompute cancelled: no rank was changed."))
            return
        say(self.message, lambda: failure_text(self, exc), error=True)

    def _recomputed(self, report: object) -> None:
        assert isinstance(report, RecomputeReport)
        self.report = report
        # A real run's figures are the "Customers now" the table reads again.
        self.preview = report if report.dry_run else None
        unsaved = self._unsaved_run
        say(self.message, lambda: self._recomputed_text(report, unsaved))

    def _recomputed_text(self, report: RecomputeReport, unsaved: bool) -> str:
        """What a recompute did, in the current language (said again on a switch)."""
        lang = current_language()
        if report.dry_run and unsaved:
            text = self.tr("Dry run with the conditions on screen (not saved): %1 customers "
                           "would move up, %2 down; nothing was changed.")  # fmt: skip
        elif report.dry_run:
            text = self.tr("Dry run: %1 customers would move up, %2 down; nothing was changed.")
        elif unsaved:
            text = self.tr("Done with the saved conditions (the changes on screen are not "
                           "saved): %1 customers moved up, %2 down.")  # fmt: skip
        else:
            text = self.tr("Done: %1 customers moved up, %2 down.")
        text = text.replace("%1", format_number(report.up, lang))
        text = text.replace("%2", format_number(report.down, lang))
        if report.level_upgrades:
            text += " " + self.tr("%1 move up a level.").replace(
                "%1", format_number(report.level_upgrades, lang)
            )
        return text

    def _settled(self) -> None:
        """After a save or a recompute: the "last changed" line and the counts again. The
        inputs keep what the user typed (a refused save must not wipe it; a saved one
        shows what was saved anyway)."""
        self._set_busy(False)
        message = self.message.text()
        if self._read():
            self._fill()
        self.message.setText(message)
