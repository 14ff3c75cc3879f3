"""The customers import wizard: pick a file → map its columns (guessed, changeable) with a
preview of the first rows → the duplicate-phone policy → run (progress, cancel) → the
report (imported / updated / unchanged / skipped / rejected, row by row; "Save report…").

All the work is services/customer_import.py's; reading the preview and the import run
off the UI thread through `Op`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.errors import Cancelled, PrimedistError
from primedist.services.context import ServiceContext
from primedist.services.customer_import import (
    FIELDS,
    REQUIRED,
    CustomerImportReport,
    Preview,
    RowOutcome,
    import_customers,
    read_preview,
)
from primedist.services.customers import DuplicatePolicy
from primedist.services.import_templates import TemplateKind
from primedist.ui.file_dialogs import EXPORT, IMPORT, ask_open_file, ask_save_file
from primedist.ui.i18n import current_language
from primedist.ui.import_template import retranslate_button, template_button
from primedist.ui.messages import error_text, localize
from primedist.ui.ops import Op
from primedist.ui.widgets import column_scroll, fit_to_screen

#: The wizard's steps (pages of its stack).
FILE, MAPPING, POLICY, RUN, REPORT = range(5)
#: Rows of the report table (the whole report is in the saved file).
REPORT_ROWS_SHOWN = 2_000


class ImportWizard(QDialog):
    """Import customers from a .csv/.xlsx file, step by step."""

    #: The import finished (the CustomerImportReport): the list should refresh.
    imported = Signal(object)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("customerImportWizard")
        fit_to_screen(self, 860, 600)
        self.path: Path | None = None
        self.preview: Preview | None = None
        self.report: CustomerImportReport | None = None
        self.running = False
        self.loading = False
        self._op: Op[Any] | None = None
        layout = QVBoxLayout(self)
        self.step_label = QLabel()
        self.step_label.setObjectName("stepLabel")
        font = self.step_label.font()
        font.setBold(True)
        self.step_label.setFont(font)
        layout.addWidget(self.step_label)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        # Each page scrolls on a low screen (1024×576 at 125 %): the columns' fourteen
        # choices and the preview were taller than it, Next and Close below its edge.
        pages = (self._file_page(), self._mapping_page(), self._policy_page(),
                 self._run_page(), self._report_page())  # fmt: skip
        for page in pages:
            self.stack.addWidget(column_scroll(page, f"{page.objectName()}Scroll"))
        buttons = QHBoxLayout()
        self.back_button = QPushButton()
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton()
        self.next_button.setObjectName("nextButton")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        self.close_button = QPushButton()
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.reject)
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.close_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._show_progress)
        self.retranslate()
        self._go(FILE)

    # Pages ------------------------------------------------------------------------------
    def _file_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("filePage")
        layout = QVBoxLayout(page)
        self.file_hint = QLabel()
        self.file_hint.setWordWrap(True)
        layout.addWidget(self.file_hint)
        row = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("fileEdit")
        self.file_edit.setReadOnly(True)
        self.browse_button = QPushButton()
        self.browse_button.setObjectName("browseButton")
        self.browse_button.clicked.connect(self.browse)
        self.template_button = template_button(self, self.ctx, TemplateKind.CUSTOMERS)
        row.addWidget(self.file_edit, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.template_button)
        layout.addLayout(row)
        self.file_error = QLabel()
        self.file_error.setTextFormat(Qt.TextFormat.PlainText)
        self.file_error.setObjectName("fileError")
        self.file_error.setWordWrap(True)
        self.file_error.setStyleSheet("color: #b00020;")
        self.file_error.hide()
        layout.addWidget(self.file_error)
        layout.addStretch(1)
        return page

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("mappingPage")
        layout = QVBoxLayout(page)
        self.mapping_hint = QLabel()
        self.mapping_hint.setWordWrap(True)
        layout.addWidget(self.mapping_hint)
        self.mapping_form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        self.field_labels: dict[str, QLabel] = {}
        for name in FIELDS:
            combo = QComboBox()
            combo.setObjectName(f"map_{name}")
            combo.currentIndexChanged.connect(self._mapping_changed)
            label = QLabel()
            self.combos[name] = combo
            self.field_labels[name] = label
        grid = QHBoxLayout()
        halves = (FIELDS[: (len(FIELDS) + 1) // 2], FIELDS[(len(FIELDS) + 1) // 2 :])
        for half in halves:
            form = QFormLayout()
            for name in half:
                form.addRow(self.field_labels[name], self.combos[name])
            grid.addLayout(form, 1)
        layout.addLayout(grid)
        self.mapping_error = QLabel()
        self.mapping_error.setTextFormat(Qt.TextFormat.PlainText)
        self.mapping_error.setObjectName("mappingError")
        self.mapping_error.setStyleSheet("color: #b00020;")
        self.mapping_error.setWordWrap(True)
        layout.addWidget(self.mapping_error)
        self.preview_label = QLabel()
        layout.addWidget(self.preview_label)
        self.preview_table = QTableWidget()
        self.preview_table.setObjectName("previewTable")
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.preview_table, 1)
        return page

    def _policy_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("policyPage")
        layout = QVBoxLayout(page)
        self.policy_hint = QLabel()
        self.policy_hint.setWordWrap(True)
        layout.addWidget(self.policy_hint)
        self.policy_group = QButtonGroup(self)
        self.policy_buttons: dict[DuplicatePolicy, QRadioButton] = {}
        self.policy_notes: dict[DuplicatePolicy, QLabel] = {}
        for policy in (DuplicatePolicy.SKIP, DuplicatePolicy.UPDATE, DuplicatePolicy.CREATE):
            button = QRadioButton()
            button.setObjectName(f"policy_{policy.value}")
            note = QLabel()
            note.setWordWrap(True)
            note.setContentsMargins(24, 0, 0, 8)
            self.policy_group.addButton(button)
            self.policy_buttons[policy] = button
            self.policy_notes[policy] = note
            layout.addWidget(button)
            layout.addWidget(note)
        self.policy_buttons[DuplicatePolicy.SKIP].setChecked(True)
        layout.addStretch(1)
        return page

    def _run_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("runPage")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.progress_label = QLabel()
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_label.setObjectName("progressLabel")
        layout.addWidget(self.progress_label)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progressBar")
        self.progress_bar.setRange(0, 100)
        layout.addWidget(self.progress_bar)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        layout.addStretch(2)
        return page

    def _report_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("reportPage")
        layout = QVBoxLayout(page)
        self.summary_label = QLabel()
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        self.report_table = QTableWidget(0, 5)
        self.report_table.setObjectName("reportTable")
        self.report_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.report_table.verticalHeader().setVisible(False)
        self.report_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.report_table, 1)
        row = QHBoxLayout()
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveReportButton")
        self.save_button.clicked.connect(lambda: self.save_report())
        row.addWidget(self.save_button)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    # Navigation -------------------------------------------------------------------------
    def step(self) -> int:
        return self.stack.currentIndex()

    def _go(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self._update_buttons()
        self.retranslate_step()

    def _update_buttons(self) -> None:
        step = self.step()
        self.back_button.setVisible(step in (MAPPING, POLICY))
        self.next_button.setVisible(step in (FILE, MAPPING, POLICY))
        if step == FILE:
            self.next_button.setEnabled(self.preview is not None and not self.loading)
        elif step == MAPPING:
            self.next_button.setEnabled(self._mapping_problem() is None)
        else:
            self.next_button.setEnabled(not self.running)
        self.close_button.setEnabled(not self.running)
        self.browse_button.setEnabled(not self.loading)

    def back(self) -> None:
        if self.step() in (MAPPING, POLICY):
            self._go(self.step() - 1)

    def next(self) -> None:
        step = self.step()
        if step == FILE and self.preview is not None:
            self._go(MAPPING)
        elif step == MAPPING and self._mapping_problem() is None:
            self._go(POLICY)
        elif step == POLICY:
            self.start()

    # Step 1: the file -------------------------------------------------------------------
    def browse(self) -> None:
        path = ask_open_file(
            self, self.ctx, IMPORT, self.tr("Import customers"),
            self.tr("Customer list (*.xlsx *.csv *.txt)"),
        )  # fmt: skip
        if path is not None:
            self.load_file(path)

    def load_file(self, path: Path) -> None:
        """Read the file's header and first rows (off the UI thread), then show the mapping."""
        self.path = Path(path)
        self.preview = None
        self.loading = True
        self.file_edit.setText(str(path))
        self.file_error.hide()
        self._update_buttons()
        file = self.path
        Op(self, lambda _job: read_preview(file), title=self.tr("Reading the file")).success(
            self._preview_ready
        ).failure(self._preview_failed).run()

    def _preview_ready(self, preview: Preview) -> None:
        if not shiboken6.isValid(self):
            return
        self.loading = False
        self.preview = preview
        self._fill_mapping(preview)
        self._go(MAPPING)

    def _preview_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.loading = False
        message = error_text(exc) if isinstance(exc, PrimedistError) else str(exc)
        self.file_error.setText(message)
        self.file_error.show()
        self._update_buttons()

    # Step 2: the mapping ----------------------------------------------------------------
    def _fill_mapping(self, preview: Preview) -> None:
        for name, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("(not imported)"), "")
            for header in preview.headers:
                if header:
                    combo.addItem(header, header)
            guessed = preview.guessed_mapping.get(name)
            combo.setCurrentIndex(combo.findData(guessed) if guessed else 0)
            combo.blockSignals(False)
        table = self.preview_table
        table.clear()
        table.setColumnCount(len(preview.headers))
        table.setRowCount(len(preview.rows))
        table.setHorizontalHeaderLabels(preview.headers)
        # The sheet's row numbers (the header is row 1, or lower under a title), as the
        # report names rows.
        table.setVerticalHeaderLabels([str(n) for n in preview.numbers])
        for r, row in enumerate(preview.rows):
            for c, value in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(value))
        self._mapping_changed()

    def mapping(self) -> dict[str, str]:
        """{field: header} as chosen (unmapped fields left out)."""
        out = {}
        for name, combo in self.combos.items():
            header = combo.currentData()
            if header:
                out[name] = str(header)
        return out

    def set_mapping(self, field: str, header: str | None) -> None:
        """Map `field` to the column `header` (None: not imported)."""
        combo = self.combos[field]
        combo.setCurrentIndex(combo.findData(header) if header else 0)

    def _mapping_problem(self) -> str | None:
        if self.preview is None:
            return self.tr("Choose a file first.")
        mapping = self.mapping()
        for name in REQUIRED:
            if name not in mapping:
                return self.tr("Choose the column that holds the customer's name.")
        for name, header in mapping.items():
            letters = self.preview.repeated.get(header)
            if letters:
                return (
                    self.tr(
                        "The file has the column “%1” more than once (columns %2): keep one "
                        "in the file, or set %3 to “(not imported)”."
                    )
                    .replace("%1", header)
                    .replace("%2", ", ".join(letters))
                    .replace("%3", self._field_text(name))
                )
        seen: dict[str, str] = {}
        for name, header in mapping.items():
            if header in seen:
                return (
                    self.tr("The column “%1” is chosen for both %2 and %3.")
                    .replace("%1", header)
                    .replace("%2", self._field_text(seen[header]))
                    .replace("%3", self._field_text(name))
                )
            seen[header] = name
        return None

    def _mapping_changed(self) -> None:
        problem = self._mapping_problem() if self.preview is not None else None
        self.mapping_error.setText(problem or "")
        self.mapping_error.setVisible(problem is not None)
        if self.preview is not None:
            chosen = set(self.mapping().values())
            for c, header in enumerate(self.preview.headers):
                item = self.preview_table.horizontalHeaderItem(c)
                if item is not None:
                    font = item.font()
                    font.setBold(header in chosen)
                    item.setFont(font)
        self._update_buttons()

    # Step 3: the policy -----------------------------------------------------------------
    def policy(self) -> DuplicatePolicy:
        for policy, button in self.policy_buttons.items():
            if button.isChecked():
                return policy
        return DuplicatePolicy.SKIP

    def set_policy(self, policy: DuplicatePolicy) -> None:
        self.policy_buttons[DuplicatePolicy(policy)].setChecked(True)

    # Step 4: the run --------------------------------------------------------------------
    def start(self) -> None:
        """Run the import with the chosen mapping and policy."""
        if self.path is None or self.running or self._mapping_problem() is not None:
            return
        self.running = True
        self.report = None
        self.progress_bar.setValue(0)
        self.progress_label.setText(self.tr("Starting…"))
        self.cancel_button.setEnabled(True)
        self._go(RUN)
        ctx, file, mapping, policy = self.ctx, self.path, self.mapping(), self.policy()
        op: Op[CustomerImportReport] = Op(
            self,
            lambda job: import_customers(
                ctx, file, mapping=mapping, on_duplicate=policy, progress=job.progress
            ),
            engine=ctx.engine,
            title=self.tr("Importing customers"),
        )
        self._op = op
        op.success(self._done).failure(self._failed).run()
        self._timer.start()

    def _show_progress(self) -> None:
        if self._op is None:
            return
        progress = self._op.job.progress
        self.progress_bar.setValue(int(progress.fraction * 100))
        if progress.message:
            self.progress_label.setText(progress.message)

    def cancel(self) -> None:
        """Stop the running import (nothing is written)."""
        if self._op is not None and self.running:
            self._op.job.progress.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Cancelling…"))

    def _stopped(self) -> None:
        self._timer.stop()
        self.running = False
        self._op = None

    def _done(self, report: CustomerImportReport) -> None:
        if not shiboken6.isValid(self):
            return
        self._stopped()
        self.report = report
        self._fill_report(report)
        self._go(REPORT)
        self.imported.emit(report)

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._stopped()
        if isinstance(exc, Cancelled):
            message = self.tr("The import was cancelled: nothing was imported.")
        elif isinstance(exc, PrimedistError):
            message = error_text(exc)
        else:
            from primedist.ui.errors import show_crash

            show_crash(self, exc)
            message = self.tr("The import failed: nothing was imported.")
        self._go(POLICY)
        self.policy_hint.setText(message)

    # Step 5: the report -----------------------------------------------------------------
    def summary_text(self, report: CustomerImportReport) -> str:
        text = (
            self.tr(
                "%1 rows read: %2 new customers, %3 updated, %4 unchanged, %5 skipped, %6 rejected."
            )  # fmt: skip
            .replace("%1", f"{report.rows_read:,}")
            .replace("%2", f"{report.imported:,}")
            .replace("%3", f"{report.updated:,}")
            .replace("%4", f"{report.unchanged:,}")
            .replace("%5", f"{report.skipped:,}")
            .replace("%6", f"{len(report.rejected):,}")
        )
        if report.notes:
            left = self.tr("%1 values could not be read and were left out: the rows below "
                           "name them.")  # fmt: skip
            text += " " + left.replace("%1", f"{len(report.notes):,}")
        if report.levels_created:
            more = self.tr("%1 new customer groups created: give them prices in Settings → "
                           "Customer groups & price levels.")  # fmt: skip
            text += " " + more.replace("%1", f"{report.levels_created:,}")
        return text

    def _outcome_text(self, outcome: str) -> str:
        return {
            "imported": self.tr("Imported"),
            "updated": self.tr("Updated"),
            "unchanged": self.tr("Unchanged"),
            "skipped": self.tr("Skipped"),
            "rejected": self.tr("Rejected"),
        }.get(outcome, outcome)

    def _fill_report(self, report: CustomerImportReport) -> None:
        self.summary_label.setText(self.summary_text(report))
        # Rows needing a look first (rejected, skipped, with a value left out: a column
        # named), then the others.
        order = {"rejected": 0, "skipped": 1, "updated": 3, "unchanged": 4, "imported": 5}

        def rank(r: RowOutcome) -> int:
            if r.column and r.outcome not in ("rejected", "skipped"):
                return 2  # imported, a value left out
            return order.get(r.outcome, 6)

        rows = sorted(report.rows, key=lambda r: (rank(r), r.row))
        rows = rows[:REPORT_ROWS_SHOWN]
        table = self.report_table
        table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = (str(r.row), self._outcome_text(r.outcome), r.customer_code,
                      r.column or "", localize(r.reason))  # fmt: skip
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                if j == 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(i, j, item)
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)

    def save_report(self, target: Path | None = None) -> Path | None:
        """Save the report as .csv or .xlsx (asks where when `target` is None)."""
        if self.report is None:
            return None
        if target is None:
            folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
            stem = Path(self.report.file).stem or "customers"
            chosen = ask_save_file(
                self, self.ctx, EXPORT, self.tr("Save the import report"),
                folder / f"{stem}-report.xlsx",
                self.tr("Excel workbook (*.xlsx);;CSV UTF-8 (*.csv)"),
            )  # fmt: skip
            if chosen is None:
                return None
            target = chosen[0]
            if target.suffix.lower() not in (".xlsx", ".csv"):
                target = target.with_name(target.name + ".xlsx")
        try:
            saved = self.report.save_report(target, lang=current_language())
        except (PrimedistError, OSError) as exc:
            from primedist.ui.errors import show_error

            show_error(self, error_text(exc) if isinstance(exc, PrimedistError) else str(exc))
            return None
        self.summary_label.setText(
            self.summary_text(self.report)
            + "\n"
            + self.tr("Report saved to %1.").replace("%1", str(saved))
        )
        return saved

    # Closing ----------------------------------------------------------------------------
    def reject(self) -> None:
        if self.running:  # the import must end (or be cancelled) first
            return
        super().reject()

    # Language ---------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _field_text(self, name: str) -> str:
        return {
            "name": self.tr("Name"),
            "phone": self.tr("Phone"),
            "email": self.tr("Email"),
            "gender": self.tr("Gender"),
            "birthday": self.tr("Birthday"),
            "code": self.tr("Customer code"),
            "zalo_id": self.tr("Zalo ID"),
            "facebook_id": self.tr("Facebook ID"),
            "source": self.tr("Source"),
            "address": self.tr("Address"),
            "province": self.tr("Province"),
            "tags": self.tr("Tags"),
            "level": self.tr("Customer group"),
            "note": self.tr("Note"),
        }[name]

    def retranslate_step(self) -> None:
        titles = (
            self.tr("Step 1 of 4: choose the file"),
            self.tr("Step 2 of 4: match the columns"),
            self.tr("Step 3 of 4: phones already in use"),
            self.tr("Step 4 of 4: importing"),
            self.tr("Import finished"),
        )
        self.step_label.setText(titles[self.step()])
        self.next_button.setText(self.tr("Import") if self.step() == POLICY else self.tr("Next"))

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Import customers"))
        self.file_hint.setText(self.tr(
            "Choose an Excel (.xlsx) or CSV file with one customer per row and a header row. "
            "Only a name column is required; phones, email, gender, birthday, customer code, "
            "Zalo, Facebook, source, address, province, tags (separated by ;) and notes are "
            "read when present."
        ))  # fmt: skip
        self.browse_button.setText(self.tr("Browse…"))
        retranslate_button(self.template_button)
        self.mapping_hint.setText(self.tr(
            "Each customer field is read from the column shown. The guess comes from the "
            "headers; change it where it is wrong."
        ))  # fmt: skip
        for name, label in self.field_labels.items():
            text = self._field_text(name)
            label.setText(text + (" *" if name in REQUIRED else ""))
        self.preview_label.setText(self.tr("The first rows of the file:"))
        self.policy_hint.setText(self.tr(
            "What should a row do when its phone number (or customer code) already belongs "
            "to a customer?"
        ))  # fmt: skip
        texts = {
            DuplicatePolicy.SKIP: (
                self.tr("Skip the row"),
                self.tr("The stored customer stays as it is; the report lists the row."),
            ),
            DuplicatePolicy.UPDATE: (
                self.tr("Update the existing customer"),
                self.tr("Fill in the row's values and add its phones, tags and address; "
                        "the stored name is kept and empty cells never erase anything."),
            ),
            DuplicatePolicy.CREATE: (
                self.tr("Create a new customer anyway"),
                self.tr("Two customers will share the phone (the duplicate finder can merge "
                        "them later)."),
            ),
        }  # fmt: skip
        for policy, (title, note) in texts.items():
            self.policy_buttons[policy].setText(title)
            self.policy_notes[policy].setText(note)
        self.cancel_button.setText(self.tr("Cancel"))
        self.report_table.setHorizontalHeaderLabels([
            self.tr("Row"), self.tr("Outcome"), self.tr("Customer code"), self.tr("Column"),
            self.tr("Reason"),
        ])  # fmt: skip
        self.save_button.setText(self.tr("Save report…"))
        self.back_button.setText(self.tr("Back"))
        self.close_button.setText(self.tr("Close"))
        if self.preview is not None:
            self.combos["name"].setItemText(0, self.tr("(not imported)"))
            for combo in self.combos.values():
                combo.setItemText(0, self.tr("(not imported)"))
        self.retranslate_step()
        if self.report is not None:
            self.summary_label.setText(self.summary_text(self.report))
