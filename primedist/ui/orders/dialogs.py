"""Small dialogs shared by the orders list and the order detail."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)


class CancelReasonDialog(QDialog):
    """Asks why orders are cancelled: a common reason or the user's own words. `note`, when
    given, is said before the user confirms (a channel the app cannot cancel on: the
    seller must cancel there too)."""

    def __init__(self, count: int, parent: QWidget | None = None, note: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("cancelReasonDialog")
        self.setWindowTitle(QCoreApplication.translate("orders", "Cancel orders"))
        layout = QVBoxLayout(self)
        if count == 1:
            text = QCoreApplication.translate("orders", "Why is this order cancelled?")
        else:
            text = QCoreApplication.translate(
                "orders", "Why are these %n orders cancelled?", None, count
            )
        layout.addWidget(QLabel(text))
        self.note = QLabel(note)
        self.note.setObjectName("banner")
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        layout.addWidget(self.note)
        self.reason = QComboBox()
        self.reason.setObjectName("cancelReason")
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason.addItems(
            [
                "",
                QCoreApplication.translate("orders", "Customer changed their mind"),
                QCoreApplication.translate("orders", "Out of stock"),
                QCoreApplication.translate("orders", "Wrong price or product"),
                QCoreApplication.translate("orders", "Could not reach the customer"),
                QCoreApplication.translate("orders", "Duplicate order"),
            ]
        )
        self.reason.setMinimumWidth(340)
        edit = self.reason.lineEdit()
        assert edit is not None  # editable combo
        edit.setPlaceholderText(QCoreApplication.translate("orders", "Choose or type a reason"))
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if count > 1:
            self.ok.setText(QCoreApplication.translate("orders", "Cancel orders"))
        else:
            self.ok.setText(QCoreApplication.translate("orders", "Cancel order"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            QCoreApplication.translate("orders", "Keep")
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason.editTextChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.reason_text()))

    def reason_text(self) -> str:
        return self.reason.currentText().strip()


def ask_cancel_reason(parent: QWidget | None, count: int = 1, note: str = "") -> str | None:
    """The reason typed or chosen, or None when the user keeps the orders (`note`: see
    CancelReasonDialog)."""
    dialog = CancelReasonDialog(count, parent, note)
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.reason_text():
        return dialog.reason_text()
    return None
