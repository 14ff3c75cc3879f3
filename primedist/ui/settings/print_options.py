"""Settings → Printers & templates → Options: what a document shows, chosen with ticks and
a message instead of HTML (logo, address, phone, the order's code, the customer's points,
SKUs, text size, the thank-you message). The page saves them per document type
(`printing.store.save_options`) and its preview follows each change."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from primedist.printing.content import MAX_MESSAGE_CHARS, DocOptions
from primedist.printing.model import DocumentType

#: The message box is three lines tall: a receipt's foot, not a letter.
MESSAGE_LINES_PX = 68


def _hidden(widget: QWidget) -> bool:
    """Hidden on purpose (a child not shown yet is hidden too, until its window shows)."""
    return widget.isHidden() and widget.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)


class PairColumns(QWidget):
    """(caption, field) pairs, two pairs a row when both columns fit the width, else one a
    row: on a laptop the printer form and the Options fit the screen's height with their
    Save, and a narrow window still shows every text whole. A pair without a caption (a
    tick) takes both cells; a hidden field takes no place (call `arrange` after hiding)."""

    def __init__(self, pairs: list[tuple[QWidget | None, QWidget]],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.pairs = pairs
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        # Not held at two columns' width: narrowed, it goes back to one a row.
        self.grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.wide = False
        for caption, field in pairs:
            if caption is not None:
                caption.setParent(self)
            field.setParent(self)
        self.arrange()

    def wide_enough(self) -> bool:
        """Both columns of two pairs a row fit the width at their fields' full size."""
        shown = [(c, f) for c, f in self.pairs if not _hidden(f)]
        if len(shown) < 2:
            return False
        gap = max(self.grid.horizontalSpacing(), 0)
        need = gap  # between the two columns
        for column in (shown[0::2], shown[1::2]):
            captions = max((c.sizeHint().width() + gap for c, _f in column if c), default=0)
            need += max(f.sizeHint().width() + (captions if c else 0) for c, f in column)
        return self.width() >= need

    def arrange(self) -> None:
        """Lay the shown pairs out again, two or one a row as the width allows."""
        self.wide = self.wide_enough()
        for caption, field in self.pairs:
            for widget in (caption, field):
                if widget is not None:
                    self.grid.removeWidget(widget)
        per_row = 2 if self.wide else 1
        shown = [(c, f) for c, f in self.pairs if not _hidden(f)]
        for i, (caption, field) in enumerate(shown):
            row, column = divmod(i, per_row)
            if caption is None:
                self.grid.addWidget(field, row, 2 * column, 1, 2)
            else:
                self.grid.addWidget(caption, row, 2 * column)
                self.grid.addWidget(field, row, 2 * column + 1)
        for column in range(4):  # the fields share the width; captions at their own
            self.grid.setColumnStretch(column, column % 2 if column < 2 * per_row else 0)

    def minimumSizeHint(self) -> QSize:
        """As narrow as one pair a row allows, as low as the current arrangement."""
        gap = max(self.grid.horizontalSpacing(), 0)
        narrowest = 0
        for caption, field in self.pairs:
            if not _hidden(field):
                width = field.minimumSizeHint().width()
                if caption is not None:
                    width += caption.minimumSizeHint().width() + gap
                narrowest = max(narrowest, width)
        return QSize(narrowest, self.grid.minimumSize().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.wide_enough() != self.wide:
            self.arrange()


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
        self.boxes: dict[str, QCheckBox] = {}
        for key in ("show_logo", "show_address", "show_phone", "show_code", "show_points",
                    "show_cashier", "show_sku"):  # fmt: skip
            box = QCheckBox()
            box.setObjectName(f"option_{key}")
            box.toggled.connect(self._on_edited)
            self.boxes[key] = box
        self.size_label = QLabel()
        self.font_size = QComboBox()
        self.font_size.setObjectName("optionFontSize")
        self.font_size.addItems(["", ""])
        self.font_size.currentIndexChanged.connect(self._on_edited)
        self.size_label.setBuddy(self.font_size)
        # The ticks two a row (the intro says what they are for), the text size beside the
        # last: the message and Save stay on a laptop's screen.
        self.choices = PairColumns(
            [(None, box) for box in self.boxes.values()] + [(self.size_label, self.font_size)]
        )
        layout.addWidget(self.choices)
        form = QFormLayout()
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
            self.choices.arrange()
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
