"""What an import did: a one-line summary and a table of every rejected row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.ui.messages import localize
from primedist.ui.widgets import align_headers


class ImportReportDialog(QDialog):
    """`summary` (already translated) above the rejected rows (row, column, reason); a
    `warning` (translated: e.g. the columns the import did not recognise) below it."""

    def __init__(
        self,
        summary: str,
        rejected: Sequence[Any],
        parent: QWidget | None = None,
        *,
        warning: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importReportDialog")
        self.setWindowTitle(self.tr("Import finished"))
        self.resize(720, 420 if rejected else 170)
        layout = QVBoxLayout(self)
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.warning = QLabel(warning)
        self.warning.setObjectName("importWarning")
        self.warning.setWordWrap(True)
        self.warning.setVisible(bool(warning))
        layout.addWidget(self.warning)
        self.table = QTableWidget(len(rejected), 3)
        self.table.setObjectName("rejectedRows")
        self.table.setHorizontalHeaderLabels([self.tr("Row"), self.tr("Column"), self.tr("Reason")])
        align_headers(self.table, right=[0])  # the row number
        for i, row in enumerate(rejected):
            for j, value in enumerate((str(row.row), row.column or "", localize(row.reason))):
                item = QTableWidgetItem(value)
                if j == 2:  # a long reason is cut at the edge: all of it on hover
                    item.setToolTip(value)
                if j == 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(i, j, item)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVisible(bool(rejected))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
