"""Settings → Shop details: the shop's name, address, phone, tax code, logo and footer line,
printed at the top of receipts and invoices. The same form is the Shop details tab of
Printers & templates (ShopDetailsForm), where the preview follows it as it is typed."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from primedist.errors import PrimedistError
from primedist.printing import store
from primedist.printing.content import ShopDetails
from primedist.services.context import ServiceContext
from primedist.ui.file_dialogs import PICTURE, ask_open_file
from primedist.ui.messages import error_text

#: The form's fields in order (ShopDetails' names).
FIELDS = ("name", "address", "phone", "tax_code", "logo_path", "footer")
#: The section's form at most this wide (its fields hold a line each).
FORM_MAX_WIDTH = 760

# lupdate extracts translate("Context", "literal") calls, not a wrapper's. The form's texts
# keep the context of Printers & templates, where the form was first (and still shows).
translate = QCoreApplication.translate


class ShopDetailsForm(QGroupBox):
    """The shop details' fields and their Save button; the stored details are read again
    each time it shows, unless it holds edits (the other page's form may have saved)."""

    #: A field was edited by the user (not a load): the preview follows.
    edited = Signal()
    #: The details were saved: the shop's name as kept (the window's header shows it).
    saved = Signal(str)
    #: What to tell the user (saved, or why not).
    said = Signal(str)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("shopDetailsForm")
        self._loading = False
        #: The details as loaded or last saved: an edit is measured against them.
        self._loaded = ShopDetails()
        form = QFormLayout(self)
        self.fields: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        for key in FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"shop_{key}")
            edit.textChanged.connect(self._on_edited)
            label = QLabel()
            label.setBuddy(edit)
            self.fields[key], self.labels[key] = edit, label
            if key == "logo_path":
                row = QHBoxLayout()
                self.logo_button = QPushButton()
                self.logo_button.clicked.connect(self._choose_logo)
                row.addWidget(edit, 1)
                row.addWidget(self.logo_button)
                form.addRow(label, row)
            else:
                form.addRow(label, edit)
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveShop")
        self.save_button.clicked.connect(self.save)
        form.addRow("", self.save_button)
        self.retranslate()
        self.load()

    def load(self) -> None:
        """Show the stored details."""
        self._loaded = store.load_shop_details(self.ctx)
        self._loading = True
        try:
            for key, edit in self.fields.items():
                edit.setText(getattr(self._loaded, key))
        finally:
            self._loading = False

    def details(self) -> ShopDetails:
        """The details as the form shows them."""
        return ShopDetails(**{k: e.text().strip() for k, e in self.fields.items()})

    def has_edits(self) -> bool:
        return self.details() != self._loaded

    def save(self) -> bool:
        try:
            store.save_shop_details(self.ctx, self.details())
        except PrimedistError as exc:
            self.said.emit(error_text(exc))
            return False
        self.load()  # as kept: the logo is the copy in the data folder
        self.edited.emit()
        self.said.emit(translate("PrintersSettings", "Shop details saved."))
        self.saved.emit(self.fields["name"].text())
        return True

    def showEvent(self, event: QShowEvent) -> None:
        if not self.has_edits():
            self.load()
        super().showEvent(event)

    def _on_edited(self) -> None:
        if not self._loading:
            self.edited.emit()

    def _choose_logo(self) -> None:
        path = ask_open_file(
            self, self.ctx, PICTURE, translate("PrintersSettings", "Choose the shop logo"),
            translate("PrintersSettings", "Images (*.png *.jpg *.jpeg *.bmp)"),
        )  # fmt: skip
        if path is not None:
            self.fields["logo_path"].setText(str(path))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setTitle(translate("PrintersSettings", "Shop details on documents"))
        texts = {
            "name": translate("PrintersSettings", "Shop name"),
            "address": translate("PrintersSettings", "Address"),
            "phone": translate("PrintersSettings", "Phone"),
            "tax_code": translate("PrintersSettings", "Tax code"),
            "logo_path": translate("PrintersSettings", "Logo"),
            "footer": translate("PrintersSettings", "Footer line"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.logo_button.setText(translate("PrintersSettings", "Choose…"))
        self.save_button.setText(translate("PrintersSettings", "Save shop details"))


class ShopSettings(QWidget):
    """Settings → Shop details: the form, and what saving it says."""

    #: The shop details were saved: the shop's name as kept (the window's header shows it).
    shopNameChanged = Signal(str)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("shopSettings")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.intro = QLabel()
        self.intro.setObjectName("muted")
        self.intro.setWordWrap(True)
        self.form = ShopDetailsForm(ctx)
        self.form.setMaximumWidth(FORM_MAX_WIDTH)  # a shop's lines, not a screen's width
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        self.form.said.connect(self.message.setText)
        self.form.saved.connect(self.shopNameChanged)
        for widget in (self.title, self.intro, self.form, self.message):
            outer.addWidget(widget)
        outer.addStretch(1)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Shop details"))
        self.intro.setText(self.tr(
            "Printed at the top of receipts, invoices and packing slips. Their layout and "
            "the printers are in Printers & templates."))  # fmt: skip
