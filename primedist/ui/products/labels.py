"""Print barcode labels (Products tab → *Print labels…*): the selected products' variants
with a number of copies each, the label paper, what a label shows, a preview of the first
page, and Print (a system printer) or Save as PDF. The variants are read and the labels
drawn on worker threads; the paper, printer and contents are remembered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import shop_tz, to_local
from primedist.core.money import format_money, format_number
from primedist.printing import store
from primedist.printing.labels import (
    DEFAULT_STOCK,
    MAX_COPIES,
    STOCKS,
    LabelItem,
    LabelOptions,
    StockKind,
    code_problem,
    label_count,
    page_count,
)
from primedist.services import labels as svc
from primedist.services.context import ServiceContext
from primedist.ui.file_dialogs import EXPORT, ask_save_file
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import alive, count_text, push_button
from primedist.ui.messages import localize
from primedist.ui.ops import Op, report_in

COLUMNS = ("sku", "name", "variant", "price", "stock", "code", "copies")
COPIES = COLUMNS.index("copies")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
PROBLEM = QColor("#B91C1C")
#: The preview's width on screen (pixels): a roll's row or an A4 sheet scaled to it.
PREVIEW_W, PREVIEW_H = 360, 420


class CopiesDelegate(QStyledItemDelegate):
    """Copies are typed in a spin box from 0 to MAX_COPIES."""

    def createEditor(self, parent: QWidget, _option: QStyleOptionViewItem,
                     _index: QModelIndex | QPersistentModelIndex) -> QWidget:  # fmt: skip
        box = QSpinBox(parent)
        box.setRange(0, MAX_COPIES)
        box.setAlignment(RIGHT)
        return box


class LabelsDialog(QDialog):
    """Labels for the given products' variants (1 copy each to start with)."""

    def __init__(self, ctx: ServiceContext, product_ids: Sequence[int],
                 parent: QWidget | None = None, copies: Mapping[int, int] | None = None,
                 *, variants_only: bool = False) -> None:  # fmt: skip
        """With `copies` (variant id → copies): those variants at those copies and the
        products' other variants at 0, or (`variants_only`) those variants alone."""
        super().__init__(parent)
        self.setObjectName("labelsDialog")
        self.ctx = ctx
        self.items: list[LabelItem] = []
        #: The rows whose code cannot be printed (as of the last refresh), and those marked.
        self._problems: dict[int, str] = {}
        self._marked: set[int] = set()
        self.shop = store.load_shop_details(ctx).name
        self.saved = svc.load_settings(ctx)
        self._busy = True
        self._filling = False
        self.resize(1240, 660)
        layout = QVBoxLayout(self)
        body = QHBoxLayout()
        body.addLayout(self._build_list(), 1)
        body.addLayout(self._build_options())
        layout.addLayout(body, 1)
        layout.addLayout(self._build_buttons())
        self.retranslate()
        self._apply_saved()
        ids = list(product_ids)
        #: Copies per variant id when given (a stock in's items); the other variants get 0.
        self.initial_copies = dict(copies) if copies is not None else None
        wanted = self.initial_copies

        def load(_job: object) -> list[LabelItem]:
            if variants_only and wanted is not None:
                return svc.items_for_variants(ctx, wanted)
            return svc.items_for_products(ctx, ids)

        Op(self, load).success(self._loaded).failure(
            self._failed
        ).run()

    # Building -----------------------------------------------------------------------------
    def _build_list(self) -> QVBoxLayout:
        box = QVBoxLayout()
        row = QHBoxLayout()
        self.one_each = push_button("oneEachButton", lambda: self.set_all_copies(1))
        self.from_stock = push_button("fromStockButton", lambda: self.set_all_copies(None))
        self.totals = QLabel()
        self.totals.setObjectName("labelsTotals")
        row.addWidget(self.one_each)
        row.addWidget(self.from_stock)
        row.addStretch(1)
        row.addWidget(self.totals)
        box.addLayout(row)
        table = self.table = QTableWidget(0, len(COLUMNS))
        table.setObjectName("labelsTable")
        table.verticalHeader().hide()
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        table.setItemDelegateForColumn(COPIES, CopiesDelegate(table))
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("name"), QHeaderView.ResizeMode.Stretch)
        table.itemChanged.connect(self._copies_changed)
        box.addWidget(table, 1)
        self.problems = QLabel()
        self.problems.setObjectName("labelsProblems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(f"color: {PROBLEM.name()};")
        box.addWidget(self.problems)
        return box

    def _build_options(self) -> QVBoxLayout:
        box = QVBoxLayout()
        self.paper_label = QLabel()
        self.paper = QComboBox()
        self.paper.setObjectName("labelPaper")
        for key in STOCKS:
            self.paper.addItem("", key)
        self.paper.currentIndexChanged.connect(lambda _i: self._options_changed())
        self.skip_label = QLabel()
        self.skip = QSpinBox()
        self.skip.setObjectName("labelStartAt")
        self.skip.setRange(1, 1)
        self.skip.valueChanged.connect(lambda _v: self._options_changed())
        self.show_shop = QCheckBox()
        self.show_shop.setObjectName("labelShowShop")
        self.show_price = QCheckBox()
        self.show_price.setObjectName("labelShowPrice")
        for check in (self.show_shop, self.show_price):
            check.toggled.connect(lambda _on: self._options_changed())
        self.printer_label = QLabel()
        self.printer = QComboBox()
        self.printer.setObjectName("labelPrinter")
        self.printer.currentIndexChanged.connect(lambda _i: self._update_buttons())
        self.preview = QLabel()
        self.preview.setObjectName("labelsPreview")
        self.preview.setFixedWidth(PREVIEW_W)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        for w in (self.paper_label, self.paper, self.skip_label, self.skip, self.show_shop,
                  self.show_price, self.printer_label, self.printer):  # fmt: skip
            box.addWidget(w)
        box.addSpacing(8)
        box.addWidget(self.preview, 1)
        return box

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.pdf_button = push_button("labelsPdfButton", self.save_pdf)
        self.print_button = push_button("labelsPrintButton", self.print_labels)
        self.print_button.setDefault(True)
        self.close_button = push_button("labelsCloseButton", self.reject)
        row.addWidget(self.status, 1)
        for b in (self.pdf_button, self.print_button, self.close_button):
            row.addWidget(b)
        return row

    def _apply_saved(self) -> None:
        opts = self.saved.options
        self._filling = True
        self.paper.setCurrentIndex(max(self.paper.findData(opts.stock), 0))
        self.show_shop.setChecked(opts.show_shop)
        self.show_price.setChecked(opts.show_price)
        self._fill_printers(self.saved.printer)
        self._filling = False
        self._options_changed()

    def _fill_printers(self, chosen: str) -> None:
        from primedist.ui.printing import render

        names = render.available_printers()
        if chosen and chosen not in names:
            names.insert(0, chosen)  # remembered, though not installed now: said when printing
        # None remembered: "Choose", never the first of the list (often the A4 office
        # printer, which would print the first label job on plain paper). Print waits.
        self.printer.clear()
        self.printer.addItem(self._no_printer_text(bool(names)), "")
        for name in names:
            self.printer.addItem(name, name)
        self.printer.setCurrentIndex(max(self.printer.findData(chosen), 0))

    def _no_printer_text(self, any_installed: bool) -> str:
        return self.tr("— Choose a printer —") if any_installed else self.tr("No printer installed")

    # Text ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Print barcode labels"))
        self.one_each.setText(self.tr("1 label each"))
        self.from_stock.setText(self.tr("As many as in stock"))
        self.table.setHorizontalHeaderLabels([
            self.tr("SKU"), self.tr("Product"), self.tr("Variant"), self.tr("Price"),
            self.tr("Stock"), self.tr("Barcode"), self.tr("Copies"),
        ])  # fmt: skip
        self.paper_label.setText(self.tr("Label paper"))
        for i in range(self.paper.count()):
            self.paper.setItemText(i, self.paper_name(self.paper.itemData(i)))
        self.skip_label.setText(self.tr("Start at label (on the first sheet)"))
        self.show_shop.setText(self.tr("Shop name"))
        self.show_price.setText(self.tr("Price"))
        self.printer_label.setText(self.tr("Printer"))
        if self.printer.count():
            self.printer.setItemText(0, self._no_printer_text(self.printer.count() > 1))
        self.pdf_button.setText(self.tr("Save as PDF…"))
        self.print_button.setText(self.tr("Print"))
        self.close_button.setText(self.tr("Close"))
        self._show_totals()

    def paper_name(self, key: str) -> str:
        names = {
            "roll_35x22_2": self.tr("Roll, 2 labels across, 35 × 22 mm"),
            "roll_35x22_3": self.tr("Roll, 3 labels across, 35 × 22 mm"),
            "roll_50x30_1": self.tr("Roll, 1 label across, 50 × 30 mm"),
            "roll_40x30_1": self.tr("Roll, 1 label across, 40 × 30 mm"),
            "a4_65": self.tr("A4 sheet, 65 labels of 38 × 21 mm"),
            "a4_24": self.tr("A4 sheet, 24 labels of 70 × 37 mm"),
        }
        return names.get(key, key)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # Items --------------------------------------------------------------------------------
    def _loaded(self, items: list[LabelItem]) -> None:
        if not alive(self):
            return
        self._busy = False
        wanted = self.initial_copies
        self.items = items if wanted is None else [
            replace(i, copies=min(wanted.get(i.variant_id, 0), MAX_COPIES)) for i in items
        ]  # fmt: skip
        self._fill_table()
        self._options_changed()
        if not items:
            self.status.setText(self.tr("The selected products have no active variants."))

    def _fill_table(self) -> None:
        lang = current_language()
        self._filling = True
        self._marked = set()  # new cells: none marked yet
        table = self.table
        table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            cells = (item.sku, item.name, item.variant, format_money(item.price, lang),
                     format_number(item.stock, lang), item.code)  # fmt: skip
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if COLUMNS[col] in ("price", "stock"):
                    cell.setTextAlignment(RIGHT)
                table.setItem(row, col, cell)
            copies = QTableWidgetItem()
            copies.setData(Qt.ItemDataRole.EditRole, item.copies)
            copies.setTextAlignment(RIGHT)
            table.setItem(row, COPIES, copies)
        self._filling = False

    def _copies_changed(self, cell: QTableWidgetItem) -> None:
        if self._filling or cell.column() != COPIES:
            return
        row = cell.row()
        value = cell.data(Qt.ItemDataRole.EditRole)
        copies = min(max(int(value or 0), 0), MAX_COPIES)
        self.items[row] = replace(self.items[row], copies=copies)
        self._refresh()

    def set_copies(self, row: int, copies: int) -> None:
        cell = self.table.item(row, COPIES)
        assert cell is not None
        cell.setData(Qt.ItemDataRole.EditRole, copies)

    def set_all_copies(self, copies: int | None) -> None:
        """1 (or `copies`) label per variant, or (None) as many as each has in stock."""
        self.items = svc.with_copies(self.items, copies)
        self._filling = True  # the copies cells alone: the rest of the table stands
        for row, item in enumerate(self.items):
            cell = self.table.item(row, COPIES)
            if cell is not None:
                cell.setData(Qt.ItemDataRole.EditRole, item.copies)
        self._filling = False
        self._refresh()

    # Options ------------------------------------------------------------------------------
    def options(self) -> LabelOptions:
        stock = STOCKS[self.paper.currentData() or DEFAULT_STOCK]
        sheet = stock.kind == StockKind.SHEET
        return LabelOptions(
            stock=stock.key, show_price=self.show_price.isChecked(),
            show_shop=self.show_shop.isChecked(), skip=self.skip.value() - 1 if sheet else 0,
        )  # fmt: skip

    def _options_changed(self) -> None:
        if self._filling:
            return
        stock = STOCKS[self.paper.currentData() or DEFAULT_STOCK]
        sheet = stock.kind == StockKind.SHEET
        self.skip.setRange(1, stock.per_page if sheet else 1)
        self.skip.setEnabled(sheet)
        self.skip_label.setEnabled(sheet)
        self._refresh()

    def _refresh(self) -> None:
        self._problems = self.problem_rows()  # once: the steps below all read it
        self._mark_problems()
        self._show_totals()
        self._show_preview()
        self._update_buttons()

    def problem_rows(self) -> dict[int, str]:
        """Rows whose code cannot be printed on this paper (with copies), and why."""
        stock = STOCKS[self.options().stock]
        found = {}
        for row, item in enumerate(self.items):
            problem = code_problem(item.code, stock) if item.copies else None
            if problem:
                found[row] = localize(problem)
        return found

    def _mark_problems(self) -> None:
        """Red codes with the reason on hover; only the rows whose state changed are
        touched (thousands of rows stay quick to edit)."""
        problems = self._problems
        code_col = COLUMNS.index("code")
        for row in set(problems) | self._marked:
            cell = self.table.item(row, code_col)
            if cell is None:
                continue
            cell.setForeground(PROBLEM if row in problems else self.palette().text().color())
            cell.setToolTip(problems.get(row, ""))
        self._marked = set(problems)
        lines = [f"{self.items[r].sku}: {why}" for r, why in list(problems.items())[:3]]
        if len(problems) > 3:
            lines.append(
                self.tr("… and %n more").replace(
                    "%n", format_number(len(problems) - 3, current_language())
                )
            )
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))

    def _show_totals(self) -> None:
        if not hasattr(self, "items"):
            return
        labels = label_count(self.items)
        pages = page_count(self.items, self.options()) if labels else 0
        self.totals.setText(self.tr("%1 on %2").replace("%1", self.labels_text(labels)).replace(
            "%2", count_text(pages, self.tr("%n page"), self.tr("%n pages"))))  # fmt: skip

    def labels_text(self, n: int) -> str:
        return count_text(n, self.tr("%n label"), self.tr("%n labels"))

    def _show_preview(self) -> None:
        from primedist.ui.printing.labels import LabelJob, preview_image

        opts = self.options()
        job = LabelJob(self._printable(), opts, self.shop, current_language())
        # Drawn at the label printer's 203 dpi (the bars as printed), then scaled to fit.
        pixmap = QPixmap.fromImage(preview_image(job))
        if pixmap.width() > PREVIEW_W or pixmap.height() > PREVIEW_H:
            pixmap = pixmap.scaled(PREVIEW_W, PREVIEW_H, Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)  # fmt: skip
        self.preview.setPixmap(pixmap)

    def _printable(self) -> list[LabelItem]:
        """The items that print: with copies and a code this paper can carry."""
        bad = self._problems
        return [i for r, i in enumerate(self.items) if i.copies and r not in bad]

    def _update_buttons(self) -> None:
        ready = not self._busy and label_count(self.items) > 0 and not self._problems
        self.print_button.setEnabled(ready and bool(self.printer.currentData()))
        self.pdf_button.setEnabled(ready)
        for b in (self.one_each, self.from_stock):
            b.setEnabled(not self._busy and bool(self.items))

    # Print --------------------------------------------------------------------------------
    def job(self) -> Any:
        from primedist.ui.printing.labels import LabelJob

        return LabelJob(list(self._printable()), self.options(), self.shop, current_language())

    def print_labels(self) -> None:
        from primedist.ui.printing.labels import print_labels

        name = self.printer.currentData() or ""
        job = self.job()
        self._start(self.tr("Printing labels…"))
        Op(self, lambda j: print_labels(job, name, j.progress),
           title=self.tr("Printing labels"), network=True).with_progress().success(
            self._printed).failure(self._print_failed).run()  # fmt: skip

    def _print_failed(self, exc: BaseException) -> None:
        """A printer problem in the box every print failure shows (Retry, Save as PDF),
        not in the grey line under the list; the printer is chosen here, not in Settings."""
        from primedist.printing.errors import PrintError
        from primedist.ui.printing.actions import print_failure_box

        if not isinstance(exc, PrintError) or not alive(self):
            self._failed(exc)
            return
        self._busy = False
        self._update_buttons()
        self.status.setText("")
        self.error_box = print_failure_box(self, self.ctx, exc, retry=self.print_labels,
                                           preview=self.save_pdf, settings=False)  # fmt: skip

    def save_pdf(self) -> None:
        from primedist.ui.printing.actions import dated_pdf_name

        folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
        today = to_local(self.ctx.clock.now(), shop_tz()).date()
        name = dated_pdf_name(self.tr("Barcode labels"), today)  # tem-ma-vach-2026-12-08.pdf
        chosen = ask_save_file(
            self, self.ctx, EXPORT, self.tr("Save the labels as PDF"), folder / name,
            self.tr("PDF document (*.pdf)"),
        )  # fmt: skip
        if chosen is not None:
            path = str(chosen[0])
            self.save_pdf_to(Path(path if path.lower().endswith(".pdf") else f"{path}.pdf"))

    def save_pdf_to(self, target: Path) -> None:
        from primedist.ui.printing.labels import labels_to_pdf

        job = self.job()
        self._start(self.tr("Saving the labels…"))
        Op(self, lambda j: labels_to_pdf(job, target, j.progress),
           title=self.tr("Saving labels"), network=True).with_progress().success(
            self._printed).failure(self._failed).run()  # fmt: skip

    def _start(self, text: str) -> None:
        self._busy = True
        self._update_buttons()
        self.status.setText(text)

    def _printed(self, result: Any) -> None:
        if not alive(self):
            return
        self._busy = False
        self._update_buttons()
        self.status.setText(self.tr("%1 printed to %2").replace(
            "%1", self.labels_text(result.labels)).replace("%2", result.where))  # fmt: skip
        self.remember()

    def remember(self) -> None:
        """Keep the paper, printer and contents for next time (on the database worker)."""
        ctx = self.ctx
        chosen = svc.LabelSettings(replace(self.options(), skip=0),
                                   self.printer.currentData() or "")  # fmt: skip
        if chosen != self.saved:
            self.saved = chosen
            Op(self, lambda _job: svc.save_settings(ctx, chosen)).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self._busy = False
        self._update_buttons()
        report_in(self.status, self, exc)
