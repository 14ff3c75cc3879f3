"""Settings → Sales channels → *Fetch listings…*: read a shop's items from its marketplace
and link them to the products by SKU (services.listing_pull).

The dialog says what will happen and offers the two choices (create products for items
not in the app; send the app's stock to the linked listings). The pull runs in the
background with progress and Cancel (the jobs indicator); when it ends the dialog shows
what it did and a table of the items left unlinked with the reason for each, so the owner
can fix the SKUs in Seller Center or in the app and fetch again.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.errors import PrimedistError
from primedist.jobs.progress import Progress
from primedist.services.channels import ChannelShop
from primedist.services.context import ServiceContext
from primedist.services.listing_pull import ListingPullReport, pull_listings
from primedist.ui.messages import error_text, localize
from primedist.ui.ops import Op
from primedist.ui.widgets import align_headers

COL_ITEM, COL_NAME, COL_SKUS, COL_REASON = range(4)


class FetchListingsDialog(QDialog):
    """Choose, fetch, then read what was linked and what was not."""

    def __init__(self, ctx: ServiceContext, shop: ChannelShop, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.shop = ctx, shop
        self.report: ListingPullReport | None = None
        self._busy = False
        self.setObjectName("fetchListingsDialog")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.create_box = QCheckBox()
        self.push_box = QCheckBox()
        layout.addWidget(self.create_box)
        layout.addWidget(self.push_box)
        self.push_note = QLabel()
        self.push_note.setTextFormat(Qt.TextFormat.PlainText)
        self.push_note.setObjectName("muted")
        self.push_note.setWordWrap(True)
        layout.addWidget(self.push_note)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setObjectName("fetchStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("unlinkedItems")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_ITEM, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_REASON, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(COL_NAME, 200)
        header.resizeSection(COL_SKUS, 170)
        self.table.setWordWrap(True)
        # Rows fit their wrapped text again whenever the columns change width (the dialog
        # grown to 860 px, a column dragged): measured once at the narrow width, a reason
        # kept a dozen lines' height and one item showed at a time.
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit_rows)
        header.sectionResized.connect(lambda *_: self._fit_timer.start())
        align_headers(self.table)
        self.table.hide()
        layout.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox()
        self.fetch_button = QPushButton()
        self.fetch_button.setObjectName("primaryButton")
        self.fetch_button.clicked.connect(self.fetch)
        self.buttons.addButton(self.fetch_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        name = self.shop.name
        self.setWindowTitle(self.tr("Fetch listings of %1").replace("%1", name))
        self.intro.setText(
            self.tr(
                "Reads every listing of %1 from the marketplace and links each one to the "
                "product with the same SKU, so the app's stock reaches it. Nothing is changed "
                "on the marketplace unless you ask for the stock below."
            ).replace("%1", name)
        )
        self.create_box.setText(
            self.tr("Create products for listings whose SKUs are not in the app yet")
        )
        self.push_box.setText(self.tr("Send the app's stock to the linked listings"))
        self.push_note.setText(
            self.tr(
                "The app's stock replaces the stock on the marketplace. Leave it off until "
                "your stock in the app is right; a product created here starts with the "
                "marketplace's stock."
            )
        )
        fetched = self.report is not None
        self.fetch_button.setText(self.tr("&Fetch again") if fetched else self.tr("&Fetch"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Item ID"), self.tr("Listing"), self.tr("SKU"), self.tr("Why not linked")]
        )
        if self.report is not None:
            self._show_report(self.report)

    # ------------------------------------------------------------------ fetching

    def fetch(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.fetch_button.setEnabled(False)
        self.status.setText(self.tr("Reading the listings of %1…").replace("%1", self.shop.name))
        create, push = self.create_box.isChecked(), self.push_box.isChecked()

        def work(job: object) -> ListingPullReport:
            progress: Progress = job.progress  # type: ignore[attr-defined]
            return pull_listings(self.ctx, self.shop.id, create_missing=create,
                                 push_stock=push, progress=progress)  # fmt: skip

        Op(self, work, engine=self.ctx.engine, title=self.windowTitle(), network=True)\
            .with_progress().success(self._done).failure(self._failed)\
            .finally_(self._idle).run()  # fmt: skip

    def _done(self, report: ListingPullReport) -> None:
        self.report = report
        self._retranslate()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, PrimedistError):
            self.status.setText(error_text(exc))
        else:
            self.status.setText(str(exc))

    def _idle(self) -> None:
        if shiboken6.isValid(self):
            self._busy = False
            self.fetch_button.setEnabled(True)

    # ------------------------------------------------------------------ the result

    def _show_report(self, report: ListingPullReport) -> None:
        lines = [localize(report.summary())]
        if report.stock_pushes:
            lines.append(
                self.tr("Stock updates queued for the marketplace: %1").replace(
                    "%1", str(report.stock_pushes)
                )
            )
        if report.unlinked:
            lines.append(
                self.tr(
                    "Listings not linked (fix their SKUs in Seller Center or in the app, "
                    "then fetch again):"
                )  # fmt: skip
            )
        self.status.setText("\n".join(lines))
        self.table.setRowCount(len(report.unlinked))
        for row, u in enumerate(report.unlinked):
            values = (u.item_id, u.name, _first_skus(u.skus), localize(u.reason))
            tips = (u.item_id, u.name, "\n".join(u.skus), values[COL_REASON])
            for col, (value, tip) in enumerate(zip(values, tips, strict=True)):
                cell = QTableWidgetItem(value)
                cell.setToolTip(tip)
                self.table.setItem(row, col, cell)
        self.table.setVisible(bool(report.unlinked))
        if report.unlinked and self.height() < 560:  # room for the table that just appeared
            self.resize(max(self.width(), 860), 560)
        # Rows fit their wrapped text once the table has its width (after this event).
        self._fit_timer.start()

    def _fit_rows(self) -> None:
        if shiboken6.isValid(self) and self.table.rowCount():
            self.table.resizeRowsToContents()


def _first_skus(skus: tuple[str, ...], shown: int = 2) -> str:
    """The first SKUs of an item and how many more (all of them in the tooltip)."""
    if not skus:
        return "—"
    more = len(skus) - shown
    return ", ".join(skus[:shown]) + (f" … (+{more})" if more > 0 else "")
