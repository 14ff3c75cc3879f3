"""Settings → Audit log → a row double-clicked: the whole row, its values before and after
the change side by side, one field a line, in the reader's words (the list's cells cut
them short)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_datetime, shop_tz
from primedist.services.audit_log import AuditRow
from primedist.ui.i18n import current_language
from primedist.ui.messages import localize
from primedist.ui.settings.audit_labels import (
    action_label,
    field_label,
    named_record_label,
    record_label,
)


class AuditDetailDialog(QDialog):
    """One audit row (`services.audit_log.audit_event`), read-only."""

    def __init__(self, row: AuditRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.setObjectName("auditDetail")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.labels = [QLabel() for _ in range(5)]
        self.values = [QLabel() for _ in range(5)]
        for label, value in zip(self.labels, self.values, strict=True):
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, value)
        layout.addLayout(form)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("auditChanges")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._retranslate()
        self.resize(760, 480)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        row = self.row
        self.setWindowTitle(self.tr("Audit log entry"))
        record = (named_record_label(row.record, row.record_name) if row.record_name
                  else record_label(row.record))  # fmt: skip
        user = row.user or QCoreApplication.translate("AuditLogSettings", "System")
        if row.pc:
            user = f"{user} · {row.pc}"
        pairs = (
            (self.tr("When"), format_datetime(row.created_at, shop_tz(), current_language())),
            (self.tr("User"), user),
            (self.tr("Action"), action_label(row.action)),
            (self.tr("Record"), record or "—"),
            (self.tr("Summary"), localize(row.summary) or "—"),
        )
        for (label, value), lw, vw in zip(pairs, self.labels, self.values, strict=True):
            lw.setText(label)
            vw.setText(value)
        self.table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Before"),
                                              self.tr("After")])  # fmt: skip
        self._fill()

    def _fill(self) -> None:
        # What the change changed first (an edit stores every field of the record).
        lines = sorted(changed_fields(self.row.before, self.row.after),
                       key=lambda line: line[1] == line[2])  # fmt: skip
        self.table.setRowCount(len(lines))
        for r, (key, before, after) in enumerate(lines):
            name = field_label(key) if key else self.tr("Value")
            # A cell of its own starts with a capital ("Trạng thái"), unlike in a sentence.
            cells = (name[:1].upper() + name[1:], before, after)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c and before != after:  # what the change changed stands out
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()


def changed_fields(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(field, before, after) lines in the reader's words: an object's fields in the order
    stored (before's first, then those only after has); any other value as one line with
    no field name."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        if before is None and after is None:
            return []
        return [("", _shown("", before), _shown("", after))]
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    keys = list(dict.fromkeys([*old, *new]))
    return [(str(k), _shown(str(k), old.get(k)) if isinstance(before, dict) else "",
             _shown(str(k), new.get(k)) if isinstance(after, dict) else "")
            for k in keys]  # fmt: skip


def _shown(field: str, value: Any) -> str:
    from primedist.ui.settings.audit import value_text  # the list's own wording

    return value_text(field, value)
