"""Settings → Printers & templates → Options: what a document shows, chosen with ticks and
a message instead of HTML (logo, address, phone, the order's code, the customer's points,
SKUs, text size, the thank-you message). The page saves them per document type
(`printing.store.save_options`) and its preview follows each change."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from primedist.printing.content import MAX_MESSAGE_CHARS, DocOptions
from primedist.printing.model import DocumentType

#: The message box is a few lines tall: a receipt's foot, not a letter.
MESSAGE_LINES_PX = 84


class PrintOptionsForm(QGroupBox):
    """The Options of one document type; `edited` on each change the user makes."""

    #: A choice or the message was changed by the user (not a load): the preview follows.
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printOptions")
        self._loading = False
        self._doc_type = DocumentType.RECEIPT
        self._logo_available = False
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setObjectName("muted")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.shown_caption = QLabel()
        layout.addWidget(self.shown_caption)
        self.boxes: dict[str, QCheckBox] = {}
        for key in ("show_logo", "show_address", "show_phone", "show_code", "show_points",
                    "show_cashier", "show_sku"):  # fmt: skip
            box = QCheckBox()
            box.setObjectName(f"option_{key}")
            box.toggled.connect(self._on_edited)
            self.boxes[key] = box
            layout.addWidget(box)
        form = QFormLayout()
        self.size_label = QLabel()
        self.font_size = QComboBox()
        self.font_size.setObjectName("optionFontSize")
        self.font_size.addItems(["", ""])
        self.font_size.currentIndexChanged.connect(self._on_edited)
        self.size_label.setBuddy(self.font_size)
        form.addRow(self.size_label, self.font_size)
        self.message_label = QLabel()
        self.message = QPlainTextEdit()
        self.message.setObjectName("optionMessage")
        self.message.setTabChangesFocus(True)
        self.message.setFixedHeight(MESSAGE_LINES_PX)
        self.message.textChanged.connect(self._on_edited)
        self.message_label.setBuddy(self.message)
        form.addRow(self.message_label, self.message)
        layout.addLayout(form)
        self.custom_note = QLabel()
        self.custom_note.setObjectName("muted")
        self.custom_note.setWordWrap(True)
        self.custom_note.hide()
        layout.addWidget(self.custom_note)
        row = QHBoxLayout()
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveOptions")
        row.addWidget(self.save_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self._retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.intro.setText(self.tr(
            "Choose what this document shows; the preview follows. To change its layout, "
            "use Advanced (HTML)."))  # fmt: skip
        self.shown_caption.setText(self.tr("Show on the document:"))
        texts = {
            "show_logo": self.tr("Shop logo"),
            "show_address": self.tr("Shop address"),
            "show_phone": self.tr("Shop phone number"),
            "show_code": self.tr("Order barcode / QR code"),
            "show_points": self.tr("Customer's points balance"),
            "show_cashier": self.tr("Cashier (who made the sale)"),
            "show_sku": self.tr("SKU of each item"),
        }
        for key, box in self.boxes.items():
            box.setText(texts[key])
        self._explain_logo()
        self.size_label.setText(self.tr("Text &size"))
        self.font_size.setItemText(0, self.tr("Normal"))
        self.font_size.setItemText(1, self.tr("Large"))
        self.message_label.setText(self.tr("&Thank-you message"))
        self.message.setToolTip(self.tr(
            "Printed at the foot, line breaks kept (at most %1 characters). Empty: the "
            "footer line of Shop details.").replace("%1", str(MAX_MESSAGE_CHARS)))  # fmt: skip
        self.custom_note.setText(
            self.tr(
                "This template was edited in Advanced (HTML): it follows these options only "
                "where it uses their placeholders. Reset it to default to use them all."
            )
        )
        self.save_button.setText(self.tr("Save options"))

    # ------------------------------------------------------------------ values

    def set_options(self, doc_type: DocumentType, options: DocOptions) -> None:
        """Show a document type's options (no `edited`: it is a load)."""
        self._loading = True
        try:
            self._doc_type = doc_type
            for key, box in self.boxes.items():
                box.setChecked(bool(getattr(options, key)))
            # The points balance is a receipt's line (the customer at the counter).
            self.boxes["show_points"].setVisible(doc_type == DocumentType.RECEIPT)
            self.boxes["show_cashier"].setVisible(doc_type == DocumentType.RECEIPT)
            self.font_size.setCurrentIndex(1 if options.large_font else 0)
            self.message.setPlainText(options.message)
        finally:
            self._loading = False

    def options(self) -> DocOptions:
        """The options as the form shows them."""
        return DocOptions(
            message=self.message.toPlainText().strip(),
            large_font=self.font_size.currentIndex() == 1,
            **{key: box.isChecked() for key, box in self.boxes.items()},
        )

    def set_footer_hint(self, text: str) -> None:
        """What prints when the message is empty (the shop's footer line, or the default)."""
        self.message.setPlaceholderText(text)

    def set_logo_available(self, available: bool) -> None:
        """The logo tick only means something once the shop has a logo (Shop details)."""
        self._logo_available = available
        self.boxes["show_logo"].setEnabled(available)
        self._explain_logo()

    def set_custom_template(self, custom: bool) -> None:
        self.custom_note.setVisible(custom)

    def _explain_logo(self) -> None:
        self.boxes["show_logo"].setToolTip("" if self._logo_available else self.tr(
            "The shop has no logo yet: choose one in the Shop details tab."))  # fmt: skip

    def _on_edited(self) -> None:
        if not self._loading:
            self.edited.emit()
