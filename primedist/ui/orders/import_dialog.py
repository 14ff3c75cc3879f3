"""Import orders: the order template, or a Seller Center export into one shop.

The orders tab detects the file's layout first (off the UI thread); a template file is
imported at once (its shops are a column), a Seller Center export opens
`ExportImportDialog` to confirm the layout and pick (or name) the shop of its channel.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from primedist.io.seller_center import ExportFormat
from primedist.services.context import ServiceContext
from primedist.services.seller_center_import import CHANNEL_OF
from primedist.services.shops import list_shops

#: The Seller Center layouts offered, in this order.
EXPORT_FORMATS = (ExportFormat.SHOPEE, ExportFormat.LAZADA, ExportFormat.TIKTOK)


def format_label(fmt: ExportFormat) -> str:
    labels = {
        ExportFormat.SHOPEE: QCoreApplication.translate("orders", "Shopee order export"),
        ExportFormat.LAZADA: QCoreApplication.translate("orders", "Lazada order export"),
        ExportFormat.TIKTOK: QCoreApplication.translate("orders", "TikTok Shop order export"),
        ExportFormat.TEMPLATE: QCoreApplication.translate("orders", "Order template"),
    }
    return labels[fmt]


class ExportImportDialog(QDialog):
    """The layout (detected, changeable) and the shop of a Seller Center export."""

    def __init__(
        self, ctx: ServiceContext, file_name: str, detected: ExportFormat,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("exportImportDialog")
        self.setWindowTitle(QCoreApplication.translate("orders", "Import a Seller Center export"))
        self.ctx = ctx
        self.shops = list_shops(ctx)
        self.file_label = QLabel(file_name)
        self.format_box = QComboBox()
        self.format_box.setObjectName("formatBox")
        for fmt in EXPORT_FORMATS:
            self.format_box.addItem(format_label(fmt), fmt.value)
        self.format_box.setCurrentIndex(EXPORT_FORMATS.index(detected))
        self.shop_box = QComboBox()
        self.shop_box.setObjectName("shopBox")
        self.shop_box.setEditable(True)
        self.shop_box.setToolTip(
            QCoreApplication.translate(
                "orders", "A shop of the export's channel; a new name adds a shop (not linked)"
            )
        )
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("primaryButton")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            QCoreApplication.translate("orders", "Import")
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("orders", "File"), self.file_label)
        form.addRow(QCoreApplication.translate("orders", "Layout"), self.format_box)
        form.addRow(QCoreApplication.translate("orders", "Shop"), self.shop_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.format_box.currentIndexChanged.connect(self._fill_shops)
        self.shop_box.editTextChanged.connect(self._update_ok)
        self._fill_shops()

    def chosen_format(self) -> ExportFormat:
        return ExportFormat(self.format_box.currentData())

    def chosen_shop(self) -> str:
        return " ".join(self.shop_box.currentText().split())

    def _fill_shops(self) -> None:
        channel = CHANNEL_OF[self.chosen_format()]
        names = [s.name for s in self.shops if s.channel == channel]
        self.shop_box.clear()
        self.shop_box.addItems(names)
        if not names:
            self.shop_box.setEditText("")
        self.hint.setText(
            ""
            if names
            else QCoreApplication.translate(
                "orders", "No shop of this channel yet: type a name to add one."
            )
        )
        self._update_ok()

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.chosen_shop()))
