"""What an import did: a one-line summary and a table of every rejected row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from primedist.ui.widgets import CELL_PADDING, align_headers

#: The widest the Column column grows to fit its text (the rest on hover).
MAX_COLUMN_WIDTH = 320


class ImportReportDialog(QDialog):
    """`summary` (already translated) above the rejected rows (row, column, reason); a
    `warning` (translated: e.g. the columns the import did not recognise) below it.
    A column is named as the file's header says; one whose header is the template's key
    (`discount_price`) by its name in `column_names` too: "Giá khuyến mãi (discount_price)"."""

    def __init__(
        self,
        summary: str,
        rejected: Sequence[Any],
        parent: QWidget | None = None,
        *,
        warning: str = "",
        column_names: Mapping[str, str] | None = None,
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
        names = column_names or {}
        for i, row in enumerate(rejected):
            column = row.column or ""
            if column in names and names[column] != column:
                column = f"{names[column]} ({column})"
            for j, value in enumerate((str(row.row), column, localize(row.reason))):
                item = QTableWidgetItem(value)
                if j in (1, 2):  # a long name or reason is cut at the edge: all of it on hover
                    item.setToolTip(value)
                if j == 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(i, j, item)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self._fit_columns()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVisible(bool(rejected))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _fit_columns(self) -> None:
        """The row and column columns as wide as their header and text (up to
        MAX_COLUMN_WIDTH), the reason taking the rest: the column was cut ("discount_p…")."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        for c in (0, 1):
            cells = (self.table.item(r, c) for r in range(self.table.rowCount()))
            texts = [metrics.horizontalAdvance(i.text()) for i in cells if i is not None]
            # The cell's padding (style sheet) and the style's text margins.
            widest = max([header.sectionSizeFromContents(c).width()]
                         + [t + CELL_PADDING + 12 for t in texts])  # fmt: skip
            self.table.setColumnWidth(c, min(widest, MAX_COLUMN_WIDTH))
