"""The reason asked on Save when the product editor's grid changes the stock of variants
that exist already: every stock change has a reason in the stock history, as in Stock
movement (a new product's opening stock needs none). Lists the changes (old → new), offers
the usual reasons (or one typed) and an optional note; Cancel goes back to the editor with
nothing saved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from primedist.core.money import format_number
from primedist.services.stock import MAX_REASON
from primedist.ui.formatting import signed_number
from primedist.ui.i18n import current_language
from primedist.ui.labels import QT_TRANSLATE_NOOP

CONTEXT = "StockReasonDialog"
#: The reasons offered (the Stock movement dialog's usual ones); stored as shown, in the
#: language of the one who chose it, like a reason typed there.
REASONS = (
    QT_TRANSLATE_NOOP("StockReasonDialog", "Stock-take count"),
    QT_TRANSLATE_NOOP("StockReasonDialog", "Damaged goods"),
    QT_TRANSLATE_NOOP("StockReasonDialog", "Lost goods"),
    QT_TRANSLATE_NOOP("StockReasonDialog", "Goods received"),
    QT_TRANSLATE_NOOP("StockReasonDialog", "Correcting a wrong figure"),
)
#: The changes listed one per line (the rest are counted).
MAX_LISTED = 10


class StockChange(NamedTuple):
    """A variant whose stock the grid changes: its values ("Xám / M"), SKU, old and new."""

    options: str
    sku: str
    old: int
    new: int


def _num(n: int) -> str:
    return format_number(n, current_language())


class StockReasonDialog(QDialog):
    """Asks why the stock changes; `reason()` is the text to record (reason — note)."""

    def __init__(self, changes: Sequence[StockChange], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stockReasonDialog")
        self.changes = list(changes)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        self.headline = QLabel()
        self.headline.setObjectName("sectionTitle")
        layout.addWidget(self.headline)
        self.listing = QLabel()
        self.listing.setObjectName("stockChanges")
        self.listing.setTextFormat(Qt.TextFormat.PlainText)  # SKUs and values as typed
        layout.addWidget(self.listing)
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        self.reason_box = QComboBox()
        self.reason_box.setObjectName("stockReason")
        self.reason_box.setEditable(True)
        self.reason_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason_box.addItems(["" for _ in REASONS])
        self.reason_box.setCurrentIndex(-1)  # chosen, never assumed
        line = self.reason_box.lineEdit()
        assert line is not None
        line.setMaxLength(MAX_REASON)
        self.note = QLineEdit()
        self.note.setObjectName("stockReasonNote")
        self.note.setMaxLength(MAX_REASON)
        self.reason_caption, self.note_caption = QLabel(), QLabel()
        self.reason_caption.setBuddy(self.reason_box)
        self.note_caption.setBuddy(self.note)
        form.addRow(self.reason_caption, self.reason_box)
        form.addRow(self.note_caption, self.note)
        layout.addLayout(form)
        self.hint = QLabel()
        self.hint.setObjectName("muted")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save.setObjectName("primaryButton")
        self.cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason_box.editTextChanged.connect(lambda _t: self._update())
        self._retranslate()
        self._update()
        self.reason_box.setFocus()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Reason for the stock change"))
        self.headline.setText(
            self.tr("New stock on %1 variant(s):").replace("%1", _num(len(self.changes)))
        )
        lines = []
        for c in self.changes[:MAX_LISTED]:
            name = f"{c.options} · {c.sku}" if c.options else c.sku
            diff = signed_number(c.new - c.old)  # "−2" as the app's other changes
            lines.append(f"• {name}: {_num(c.old)} → {_num(c.new)} ({diff})")
        if len(self.changes) > MAX_LISTED:
            more = len(self.changes) - MAX_LISTED
            lines.append(self.tr("… and %1 more").replace("%1", _num(more)))
        self.listing.setText("\n".join(lines))
        chosen = self.reason_box.currentIndex()
        typed = self.reason_box.currentText() if chosen < 0 else None
        for i, source in enumerate(REASONS):
            self.reason_box.setItemText(i, QCoreApplication.translate(CONTEXT, source))
        if typed is not None:
            self.reason_box.setEditText(typed)
        line = self.reason_box.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("choose or type: damaged, lost, recount…"))
        self.reason_caption.setText(self.tr("&Reason"))
        self.note_caption.setText(self.tr("&Note"))
        self.note.setPlaceholderText(self.tr("optional"))
        self.hint.setText(self.tr(
            "Recorded in the stock history; the new stock goes to the linked marketplaces. "
            "Cancel goes back to the product without saving."
        ))  # fmt: skip
        self.save.setText(self.tr("Save"))
        self.cancel.setText(self.tr("Cancel"))

    def _update(self) -> None:
        self.save.setEnabled(bool(self.reason_box.currentText().strip()))

    def reason(self) -> str:
        """The reason chosen or typed, with the note after it."""
        reason = " ".join(self.reason_box.currentText().split())
        note = " ".join(self.note.text().split())
        return (f"{reason} — {note}" if note else reason)[:MAX_REASON]

    def accept(self) -> None:
        if self.reason():  # Enter in an empty reason does not save
            super().accept()
