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
    seller must cancel there too). What a cancel does to stock is said too (`restock`:
    the one order moves stock; None: several, as far as they do): a parcel that came back
    undelivered is cancelled, and its goods are counted back on the shelf
    (`services.orders._stock_verb`)."""

    def __init__(self, count: int, parent: QWidget | None = None, note: str = "",
                 restock: bool | None = None) -> None:  # fmt: skip
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
                QCoreApplication.translate("orders", "Customer changed their mind"),
                QCoreApplication.translate("orders", "Out of stock"),
                QCoreApplication.translate("orders", "Wrong price or product"),
                QCoreApplication.translate("orders", "Could not reach the customer"),
                QCoreApplication.translate("orders", "Duplicate order"),
                QCoreApplication.translate("orders", "Delivery failed – parcel returned"),
            ]
        )
        # Nothing chosen yet: the box shows its placeholder, not an empty first item.
        self.reason.setCurrentIndex(-1)
        self.reason.setMinimumWidth(340)
        edit = self.reason.lineEdit()
        assert edit is not None  # editable combo
        edit.setPlaceholderText(QCoreApplication.translate("orders", "Choose or type a reason"))
        layout.addWidget(self.reason)
        self.stock = QLabel(self._stock_text(count, restock))
        self.stock.setObjectName("cancelStock")
        self.stock.setWordWrap(True)
        self.stock.setVisible(bool(self.stock.text()))
        layout.addWidget(self.stock)
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

    @staticmethod
    def _stock_text(count: int, restock: bool | None) -> str:
        """What the cancel does to stock: an open order's reserved items are free again, a
        shipped one's counted back in stock; an order that never moved stock (imported
        history) does nothing."""
        if restock is False:
            return ""
        if restock:
            return QCoreApplication.translate("orders", "Its items go back into stock.")
        if count == 1:
            return QCoreApplication.translate(
                "orders", "The items this order reserved or sent out go back into stock."
            )
        return QCoreApplication.translate(
            "orders", "The items these orders reserved or sent out go back into stock."
        )

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.reason_text()))

    def reason_text(self) -> str:
        return self.reason.currentText().strip()


def ask_cancel_reason(parent: QWidget | None, count: int = 1, note: str = "",
                      restock: bool | None = None) -> str | None:  # fmt: skip
    """The reason typed or chosen, or None when the user keeps the orders (`note`,
    `restock`: see CancelReasonDialog)."""
    dialog = CancelReasonDialog(count, parent, note, restock)
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.reason_text():
        return dialog.reason_text()
    return None
