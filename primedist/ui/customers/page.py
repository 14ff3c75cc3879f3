"""The Customers tab: the customer list and the segments, and the dialogs they open.

`CustomerListPage` only says what the user asked for (signals); this page opens the
customer detail, the add dialog, the import wizard, the export, the sale screen for a
customer, the tags manager and the duplicate finder, and refreshes the list after a
change and when the tab shows again (a sync or an import may have run meanwhile). The
segments page is built the first time it is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import shop_tz, to_local
from primedist.domain.customer import customer_code
from primedist.errors import PrimedistError
from primedist.services.context import ServiceContext
from primedist.services.customer_detail import find_customer_by_code
from primedist.ui.customers.list_page import CustomerListPage
from primedist.ui.file_dialogs import EXPORT, ask_save_file
from primedist.ui.i18n import current_language
from primedist.ui.labels import QT_TRANSLATE_NOOP
from primedist.ui.list_tools import ask_replace as ask_to_replace
from primedist.ui.list_tools import count_text, export_done_box
from primedist.ui.ops import Op
from primedist.ui.sub_tabs import SubTabsPage

#: Export file types offered: (filter text, translated when shown; format).
EXPORT_FORMATS = (
    (QT_TRANSLATE_NOOP("CustomersPage", "Excel workbook (*.xlsx)"), "xlsx"),
    (QT_TRANSLATE_NOOP("CustomersPage", "CSV, UTF-8 (*.csv)"), "csv"),
    (QT_TRANSLATE_NOOP("CustomersPage", "Text, tab-separated (*.txt)"), "txt"),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("CustomersPage", text)


def ask_replace(parent: QWidget, path: Path) -> bool:
    """Yes/No: replace the existing `path`? No by default (tests replace it)."""
    return ask_to_replace(
        parent, path, QCoreApplication.translate("CustomersPage", "Export customers")
    )


class ExportColumnsDialog(QDialog):
    """Which columns an export writes: every column, ticked at first, in the file's order."""

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from primedist.services.customer_export import column_choices

        self.setObjectName("exportColumns")
        self.setWindowTitle(QCoreApplication.translate("CustomersPage", "Columns to export"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                QCoreApplication.translate(
                    "CustomersPage", "Untick the columns you do not want in the file."
                )
            )
        )
        self.list = QListWidget()
        for key, header in column_choices(lang):
            item = QListWidgetItem(header)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.all_button = QPushButton(QCoreApplication.translate("CustomersPage", "All"))
        self.all_button.clicked.connect(lambda: self._tick(Qt.CheckState.Checked))
        self.none_button = QPushButton(QCoreApplication.translate("CustomersPage", "None"))
        self.none_button.clicked.connect(lambda: self._tick(Qt.CheckState.Unchecked))
        row.addWidget(self.all_button)
        row.addWidget(self.none_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("primaryButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.list.itemChanged.connect(lambda _item: self._update_ok())
        self.resize(360, 520)

    def _items(self) -> list[QListWidgetItem]:
        return [item for i in range(self.list.count()) if (item := self.list.item(i))]

    def _tick(self, state: Qt.CheckState) -> None:
        for item in self._items():
            item.setCheckState(state)

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(bool(self.columns()))

    def columns(self) -> list[str]:
        """The keys of the ticked columns, in the file's order."""
        return [str(item.data(Qt.ItemDataRole.UserRole)) for item in self._items()
                if item.checkState() == Qt.CheckState.Checked]  # fmt: skip


class CustomersPage(SubTabsPage):
    """Customers | Segments, with Tags… and Duplicates… at the side of the tabs."""

    #: The list is read again whenever the tab shows (`refresh_shown`): the main window
    #: has nothing more to do then for changes made elsewhere.
    refreshes_when_shown = True

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__("customers", CustomerListPage(ctx), parent)
        self.ctx = ctx
        #: Hidden since the list was read (another tab was open): read it again on show.
        self._stale = False
        self.segments: QWidget | None = None
        self.add_lazy(self._build_segments)
        self.tabs.setCornerWidget(self._build_corner(), Qt.Corner.TopRightCorner)
        self.list.openRequested.connect(self.open_customer)
        self.list.addRequested.connect(self.add_customer)
        self.list.exportRequested.connect(self.export)
        self.list.importRequested.connect(self.import_file)
        self.list.createOrderRequested.connect(self.create_order)
        self.retranslate()

    def _build_corner(self) -> QWidget:
        corner = QWidget()
        row = QHBoxLayout(corner)
        row.setContentsMargins(0, 4, 12, 4)
        self.tags_button = QPushButton()
        self.tags_button.setObjectName("tagsButton")
        self.tags_button.clicked.connect(self.manage_tags)
        self.duplicates_button = QPushButton()
        self.duplicates_button.setObjectName("duplicatesButton")
        self.duplicates_button.clicked.connect(self.find_duplicates)
        row.addWidget(self.tags_button)
        row.addWidget(self.duplicates_button)
        return corner

    # Sub-pages ----------------------------------------------------------------------------
    def _build_segments(self) -> QWidget:
        from primedist.ui.customers.segments import SegmentsPage

        segments = SegmentsPage(self.ctx)
        segments.membersRequested.connect(self.show_segment_members)
        self.segments = segments
        return segments

    def show_segment_members(self, segment_id: int) -> None:
        """The customer list filtered to one segment (double-click on a segment)."""
        from dataclasses import replace

        self.tabs.setCurrentIndex(0)
        self.list.set_filter(replace(self.list.current_filter(), segment_ids=(segment_id,)))

    def show_segments(self) -> QWidget:
        return self.show_tab(1)

    # Dialogs ------------------------------------------------------------------------------
    def open_customer(self, customer_id: int) -> QDialog:
        from primedist.ui.customers.detail import CustomerDetailDialog

        dialog = CustomerDetailDialog(self.ctx, customer_id, parent=self)
        dialog.openOrder.connect(self.open_order)
        dialog.createOrder.connect(self.create_order)
        return self.open_dialog(dialog)

    def open_order(self, order_id: int) -> QDialog:
        """An order of the customer's history, in the order detail."""
        from primedist.ui.orders.detail import OrderDetailDialog

        dialog = OrderDetailDialog(self.ctx, order_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def show_customer(self, customer_id: int, code: str) -> QDialog:
        """Find the customer in the list (by code) and open their detail."""
        self.tabs.setCurrentIndex(0)
        self.list.search_for(code)
        return self.open_customer(customer_id)

    def add_customer(self) -> QDialog:
        from primedist.ui.customers.editor import CustomerEditor

        editor = CustomerEditor(self.ctx, parent=self)
        editor.saved.connect(self.customer_added)
        return self.open_dialog(editor)

    def customer_added(self, customer_id: int, outcome: str) -> None:
        """Add customer saved (or, its phone being another customer's, updated that one
        or skipped): say so above the list, with Open, and show that customer in the list
        (searched by code: a new customer would be last of thousands)."""
        code = customer_code(customer_id)
        try:  # one row by its unique code
            found = find_customer_by_code(self.ctx, code)
        except PrimedistError:
            found = None
        who = f"{code} {found.name}" if found is not None else code
        texts = {
            "created": QCoreApplication.translate("CustomersPage", "Added %1."),
            "updated": QCoreApplication.translate("CustomersPage", "Updated %1."),
            "skipped": QCoreApplication.translate(
                "CustomersPage", "Skipped: the phone already belongs to %1, left unchanged."
            ),
        }
        text = texts.get(outcome, texts["created"]).replace("%1", who)
        self.tabs.setCurrentIndex(0)
        self.list.show_customer_row(code, customer_id)
        self.list.announce(text, QCoreApplication.translate("CustomersPage", "Open"),
                           lambda: self.open_customer(customer_id))  # fmt: skip

    def create_order(self, customer_id: int) -> QDialog:
        """The sale screen with this customer picked."""
        from primedist.ui.orders.sale import SaleDialog

        return self.open_dialog(SaleDialog(self.ctx, parent=self, customer_id=customer_id))

    def manage_tags(self) -> QDialog:
        from primedist.ui.customers.segments import TagsDialog

        return self.open_dialog(TagsDialog(self.ctx, parent=self))

    def find_duplicates(self) -> QDialog:
        from primedist.ui.customers.duplicates import DuplicatesDialog

        return self.open_dialog(DuplicatesDialog(self.ctx, parent=self))

    def import_file(self) -> QDialog:
        from primedist.ui.customers.import_wizard import ImportWizard

        return self.open_dialog(ImportWizard(self.ctx, parent=self))

    # Export -------------------------------------------------------------------------------
    def default_export_path(self) -> Path:
        folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
        return folder / f"customers-{to_local(self.ctx.clock.now(), shop_tz()):%Y%m%d}.xlsx"

    def ask_export_path(self) -> tuple[Path, str] | None:
        """The file to export to and its format (None when cancelled): a typed .xlsx, .csv
        or .txt ending says the format; without one, the type chosen in the dialog does and
        its ending is added. The dialog asked before replacing the name it was given, so
        with an ending added this asks for the file really written (No: choose again)."""
        filters = ";;".join(_tr(text) for text, _fmt in EXPORT_FORMATS)
        formats = {f".{fmt}": fmt for _text, fmt in EXPORT_FORMATS}
        suggested = self.default_export_path()
        while True:
            answer = ask_save_file(
                self, self.ctx, EXPORT,
                QCoreApplication.translate("CustomersPage", "Export customers"), suggested,
                filters,
            )  # fmt: skip
            if answer is None:
                return None
            target, chosen = answer
            typed = formats.get(target.suffix.lower())
            if typed is not None:
                return target, typed
            fmt = next((f for text, f in EXPORT_FORMATS if _tr(text) == chosen), "xlsx")
            target = target.with_name(f"{target.name}.{fmt}")
            if not target.exists() or ask_replace(self, target):
                return target, fmt
            suggested = target

    def export(
        self,
        ids: object,
        target: Path | None = None,
        fmt: str = "xlsx",
        columns: list[str] | None = None,
    ) -> None:
        """Export the selected customers (`ids`), or the list's filter and search (None),
        in the list's order: asks for the file, then the columns (all of them ticked at
        first)."""
        if target is None:
            chosen = self.ask_export_path()
            if chosen is None:
                return
            target, fmt = chosen
            dialog = ExportColumnsDialog(current_language(), parent=self)
            self.last_dialog = dialog
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            columns = dialog.columns()
        from primedist.services.customer_export import export_customers

        ctx, lang, path, keys_wanted = self.ctx, current_language(), target, columns
        flt, search = self.list.current_filter(), self.list.search_text()
        keys = list(ids) if isinstance(ids, list | tuple) else None
        # In the order on screen: the column sorted by and its direction.
        column, order = self.list.model.sort_order()
        sort_key = self.list.model.spec.columns[column].key
        descending = order == Qt.SortOrder.DescendingOrder
        Op(
            self,
            lambda job: export_customers(ctx, path, flt=flt, search=search, ids=keys, fmt=fmt,
                                         columns=keys_wanted, lang=lang,
                                         progress=job.progress, sort_key=sort_key,
                                         descending=descending),
            title=QCoreApplication.translate("CustomersPage", "Exporting customers"),
        ).with_progress(beside=True).success(self._export_done).run()  # fmt: skip

    def _export_done(self, report: Any) -> None:
        if not shiboken6.isValid(self):
            return
        text = count_text(
            report.rows,
            QCoreApplication.translate("CustomersPage", "%n customer exported to %1."),
            QCoreApplication.translate("CustomersPage", "%n customers exported to %1."),
        ).replace("%1", str(report.path))
        box = export_done_box(
            self,
            QCoreApplication.translate("CustomersPage", "Export finished"),
            text,
            QCoreApplication.translate("CustomersPage", "Open folder"),
            report.path,
        )
        self.last_dialog = box
        box.open()

    # Staying current ----------------------------------------------------------------------
    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh_shown()

    def refresh_shown(self) -> None:
        """Back on the Customers tab: a sync, an import (from the command line too) or
        another tab may have added or changed customers meanwhile, so the list shown runs
        its query again (a count and the first keys, as any refresh), keeping its filter,
        search, selection and scroll. (From Segments, the list is read on coming back.)"""
        if self.tabs.currentIndex() == 0:
            self.list.refresh()

    # Language and shutdown ----------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.tabs.setTabText(0, QCoreApplication.translate("CustomersPage", "Customers"))
        self.tabs.setTabText(1, QCoreApplication.translate("CustomersPage", "Segments"))
        self.tags_button.setText(QCoreApplication.translate("CustomersPage", "Tags…"))
        self.duplicates_button.setText(
            QCoreApplication.translate("CustomersPage", "Find duplicates…")
        )
