"""Settings → Printers & templates: per document type the template, paper and printer
(a system printer, or an ESC/POS printer on the network, USB or a serial port), a test
page; its Options (what it shows, ticked instead of written: `print_options`); the
template's HTML (Advanced) with its placeholders listed, a live preview with a sample
order, reset to default; and the shop details printed at the top of documents (the form
of Settings → Shop details, here too so the preview follows it as it is typed)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from primedist.errors import PrimedistError, ValidationError
from primedist.printing import store
from primedist.printing.content import DEFAULT_FOOTER, ITEM_NAMES, PLACEHOLDERS, DocOptions, pick
from primedist.printing.documents import Document
from primedist.printing.model import (
    PAPERS,
    TEMPLATES,
    DocumentType,
    Paper,
    PrintProfile,
    PrintTarget,
    TargetKind,
    parse_host_port,
    templates_for,
)
from primedist.services.context import ServiceContext
from primedist.ui.i18n import current_language
from primedist.ui.messages import error_text
from primedist.ui.printing import render
from primedist.ui.printing.actions import OrderPrinter, doc_type_label
from primedist.ui.printing.jobs import sample_document
from primedist.ui.settings.print_options import PairColumns, PrintOptionsForm
from primedist.ui.settings.shop import ShopDetailsForm

PREVIEW_DEBOUNCE_MS = 250
#: Preview width in pixels for A4/A5 (rolls use their printer's dots).
PAGE_PREVIEW_PX = 620
#: The preview is shown at most this wide (the picture is scaled down to fit).
PREVIEW_SHOWN_PX = 400
#: The narrowest the preview shrinks to, and the room kept beside it in its column.
PREVIEW_MIN_PX = 200
PREVIEW_PADDING_PX = 4
KINDS = (TargetKind.SYSTEM, TargetKind.NETWORK, TargetKind.USB, TargetKind.SERIAL)


class PrintersSettings(QWidget):
    """Printers & templates (see the module docstring)."""

    #: The preview image was redrawn (or the template has an error: `error` is set).
    previewUpdated = Signal()
    #: The shop details were saved: the shop's name as kept (the window's header shows it).
    shopNameChanged = Signal(str)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("printersSettings")
        self.printer = OrderPrinter(self, ctx)
        self.printer.printed.connect(self._say)
        self.printer.failed.connect(self._say)
        self.preview_image: QPixmap | None = None
        #: The sample document the preview shows (None before the first one).
        self.preview_document: Document | None = None
        self.error = ""
        self._loading = False
        #: The template in the editor, its text as stored, and the document type shown:
        #: what an unsaved edit is measured against, and where Cancel puts the combos back.
        self._template_name = ""
        self._saved_html = ""
        self._doc_index = 0
        #: The printer settings as loaded or last saved (None: the stored ones are not
        #: valid): what an unsaved change of the printer form is measured against.
        self._saved_profile: PrintProfile | None = None
        #: The Options as loaded or last saved (an unsaved change is measured against them).
        self._saved_options = DocOptions()
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DEBOUNCE_MS)
        self._preview_timer.timeout.connect(self.update_preview)
        self._build()
        self._retranslate()
        self.load(DocumentType.RECEIPT)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        top = QHBoxLayout()  # the document beside the title: one row less above the Options
        top.addWidget(self.title)
        top.addSpacing(24)
        self.doc_caption = QLabel()
        self.doc_type = QComboBox()
        self.doc_type.setObjectName("docType")
        for d in DocumentType:
            self.doc_type.addItem("", d.value)
        self.doc_type.currentIndexChanged.connect(self._on_doc_type_changed)
        top.addWidget(self.doc_caption)
        top.addWidget(self.doc_type)
        top.addStretch(1)
        outer.addLayout(top)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self._build_printer())
        self.pages = QTabWidget()
        self.pages.setObjectName("printingPages")
        # Options first: what an owner changes; the HTML is for who knows it.
        self.pages.addTab(self._build_options(), "")
        self.pages.addTab(self._build_template(), "")
        self.pages.addTab(self._build_shop(), "")
        left_layout.addWidget(self.pages, 1)
        split.addWidget(left)
        split.addWidget(self._build_preview())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        # The form gets the room for two fields a row on a 1366 px laptop; the preview the rest.
        split.setSizes([800, PREVIEW_SHOWN_PX])
        outer.addWidget(split, 1)
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)

    def _build_printer(self) -> QGroupBox:
        self.printer_box = QGroupBox()
        layout = QVBoxLayout(self.printer_box)
        self.template = QComboBox()
        self.template.setObjectName("template")
        self.template.currentIndexChanged.connect(self._on_template_changed)
        self.paper = QComboBox()
        self.paper.setObjectName("paper")
        for p in Paper:
            self.paper.addItem("", p.value)
        self.paper.currentIndexChanged.connect(lambda _i: self._schedule_preview())
        self.kind = QComboBox()
        self.kind.setObjectName("printerKind")
        for k in KINDS:
            self.kind.addItem("", k.value)
        self.where = QStackedWidget()
        self.system_name = QComboBox()
        self.system_name.setObjectName("systemPrinter")
        self.address = QLineEdit()
        self.address.setObjectName("escposAddress")
        self.address.setPlaceholderText("192.168.1.50:9100")
        self.usb_ids = QLineEdit()
        self.usb_ids.setObjectName("usbIds")
        self.usb_ids.setPlaceholderText("04b8:0202")
        serial = QWidget()
        serial_row = QHBoxLayout(serial)
        serial_row.setContentsMargins(0, 0, 0, 0)
        self.serial_device = QLineEdit()
        self.serial_device.setObjectName("serialDevice")
        self.serial_device.setPlaceholderText("/dev/ttyUSB0  ·  COM3")
        self.baudrate = QSpinBox()
        self.baudrate.setRange(1200, 921_600)
        self.baudrate.setValue(9600)
        serial_row.addWidget(self.serial_device, 1)
        serial_row.addWidget(self.baudrate)
        for w in (self.system_name, self.address, self.usb_ids, serial):
            self.where.addWidget(w)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.show_preview = QCheckBox()
        self.show_preview.setObjectName("previewFirst")
        self.cut = QCheckBox()
        self.cut.setObjectName("cutPaper")
        self.drawer = QCheckBox()
        self.drawer.setObjectName("openDrawer")
        buttons = QHBoxLayout()
        self.save_printer_button = QPushButton()
        self.save_printer_button.setObjectName("primaryButton")
        self.save_printer_button.clicked.connect(self.save_profile)
        self.test_button = QPushButton()
        self.test_button.setObjectName("testPage")
        self.test_button.clicked.connect(self.print_test_page)
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("refreshPrinters")
        self.refresh_button.clicked.connect(self._fill_printers)
        buttons.addWidget(self.save_printer_button)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        self.form_labels = [QLabel() for _ in range(4)]
        for label, field in zip(self.form_labels, (self.template, self.paper, self.kind,
                                                   self.where), strict=True):  # fmt: skip
            label.setBuddy(field)
        # Two fields a row when they fit (template | paper, type | printer): the Options
        # under this box then show whole on a 1366×768 laptop.
        self.printer_fields = PairColumns([
            *zip(self.form_labels, (self.template, self.paper, self.kind, self.where),
                 strict=True),
            (None, self.show_preview), (None, self.cut), (None, self.drawer)])  # fmt: skip
        layout.addWidget(self.printer_fields)
        # No printer found: what to do next (shown for a system printer only).
        self.no_printer_hint = QLabel()
        self.no_printer_hint.setObjectName("noPrinterHint")
        self.no_printer_hint.setWordWrap(True)
        self.no_printer_hint.setVisible(False)
        self._printers_found = True
        layout.addWidget(self.no_printer_hint)
        layout.addLayout(buttons)
        return self.printer_box

    def _build_template(self) -> QGroupBox:
        self.template_box = QGroupBox()
        layout = QHBoxLayout(self.template_box)
        editor_col = QVBoxLayout()
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("templateEditor")
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.textChanged.connect(self._schedule_preview)
        self.error_label = QLabel()
        self.error_label.setObjectName("problems")
        self.error_label.setStyleSheet("color: #B91C1C")
        self.error_label.setWordWrap(True)
        row = QHBoxLayout()
        self.save_template_button = QPushButton()
        self.save_template_button.setObjectName("saveTemplate")
        self.save_template_button.clicked.connect(lambda: self.save_template())
        self.reset_button = QPushButton()
        self.reset_button.setObjectName("resetTemplate")
        self.reset_button.clicked.connect(self.reset_template)
        row.addWidget(self.save_template_button)
        row.addWidget(self.reset_button)
        row.addStretch(1)
        editor_col.addWidget(self.editor, 1)
        editor_col.addWidget(self.error_label)
        editor_col.addLayout(row)
        names_col = QVBoxLayout()
        self.names_caption = QLabel()
        self.names_caption.setWordWrap(True)
        self.names = QListWidget()
        self.names.setObjectName("placeholders")
        self.names.itemDoubleClicked.connect(self._insert_placeholder)
        names_col.addWidget(self.names_caption)
        names_col.addWidget(self.names, 1)
        layout.addLayout(editor_col, 3)
        layout.addLayout(names_col, 2)
        return self.template_box

    def _build_options(self) -> PrintOptionsForm:
        self.options_box = PrintOptionsForm()
        self.options_box.edited.connect(self._schedule_preview)
        self.options_box.save_button.clicked.connect(lambda: self.save_options())
        return self.options_box

    def _build_shop(self) -> ShopDetailsForm:
        self.shop_box = ShopDetailsForm(self.ctx)
        self.shop_fields = self.shop_box.fields
        self.shop_box.edited.connect(self._schedule_preview)
        self.shop_box.said.connect(self._say)
        self.shop_box.saved.connect(self.shopNameChanged)
        return self.shop_box

    def _build_preview(self) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.preview_caption = QLabel()
        self.preview_caption.setWordWrap(True)  # not what holds a 1024 px window wider
        self.preview_lang = QComboBox()
        self.preview_lang.setObjectName("previewLanguage")
        self.preview_lang.addItem("Tiếng Việt", "vi")
        self.preview_lang.addItem("English", "en")
        self.preview_lang.setCurrentIndex(1 if current_language() == "en" else 0)
        self.preview_lang.currentIndexChanged.connect(lambda _i: self.update_preview())
        row.addWidget(self.preview_caption, 1)  # all the room: one line when there is
        row.addWidget(self.preview_lang)
        layout.addLayout(row)
        self.preview = QLabel()
        self.preview.setObjectName("templatePreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.preview.setStyleSheet("background: #FFFFFF; border: 1px solid #D1D5DB")
        # The picture follows the column's width (never wider than the paper reads well).
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.preview_scroll = QScrollArea()
        self.preview_scroll.setWidgetResizable(True)
        self.preview_scroll.setWidget(self.preview)
        # Always there: a bar coming and going would change the width the picture follows.
        self.preview_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.preview_scroll.viewport().installEventFilter(self)
        layout.addWidget(self.preview_scroll, 1)
        return holder

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._follow_language()
        super().changeEvent(event)

    def _follow_language(self) -> None:
        """The preview in the language the app was just switched to (it was drawn in the
        one the page opened in), redrawn at once."""
        lang = "en" if current_language() == "en" else "vi"
        blocked = self.preview_lang.blockSignals(True)  # one redraw, below
        try:
            self.preview_lang.setCurrentIndex(self.preview_lang.findData(lang))
        finally:
            self.preview_lang.blockSignals(blocked)
        self.update_preview()  # also the Options' default message, in the new language

    def _retranslate(self) -> None:
        self.title.setText(self.tr("Printers & templates"))
        self.doc_caption.setText(self.tr("&Document"))
        self.doc_caption.setBuddy(self.doc_type)
        for i, d in enumerate(DocumentType):
            self.doc_type.setItemText(i, doc_type_label(d))
        self.printer_box.setTitle(self.tr("Printer and paper"))
        for label, text in zip(
            self.form_labels,
            (self.tr("Template"), self.tr("Paper"), self.tr("Printer type"), self.tr("Printer")),
            strict=True,
        ):
            label.setText(text)
        papers = {
            Paper.ROLL_80: self.tr("Roll 80 mm"), Paper.ROLL_58: self.tr("Roll 58 mm"),
            Paper.A4: self.tr("A4"), Paper.A5: self.tr("A5"),
        }  # fmt: skip
        for i in range(self.paper.count()):
            self.paper.setItemText(i, papers[Paper(self.paper.itemData(i))])
        self._name_templates()
        kinds = {
            TargetKind.SYSTEM: self.tr("System printer (CUPS / Windows)"),
            TargetKind.NETWORK: self.tr("ESC/POS thermal printer on the network"),
            TargetKind.USB: self.tr("ESC/POS thermal printer on USB"),
            TargetKind.SERIAL: self.tr("ESC/POS thermal printer on a serial port"),
        }
        for i in range(self.kind.count()):
            self.kind.setItemText(i, kinds[TargetKind(self.kind.itemData(i))])
        self.show_preview.setText(self.tr("Show the print preview before printing"))
        self._offer_preview()
        self.cut.setText(self.tr("Cut the paper after each receipt (ESC/POS)"))
        self.drawer.setText(self.tr("Open the cash drawer after printing (ESC/POS)"))
        self.save_printer_button.setText(self.tr("Save printer settings"))
        self.test_button.setText(self.tr("Print a test page"))
        self.refresh_button.setText(self.tr("Refresh printer list"))
        if self.system_name.count():
            self._fill_printers()  # its "choose" and "not found" entries
        self.template_box.setTitle(self.tr("Template (HTML)"))
        self.pages.setTabText(0, self.tr("Options"))
        self.pages.setTabText(1, self.tr("Advanced (HTML)"))
        self.pages.setTabText(2, self.tr("Shop details"))
        self.save_template_button.setText(self.tr("Save template"))
        self.reset_button.setText(self.tr("Reset to default"))
        self.names_caption.setText(
            self.tr(
                "Placeholders (double-click to insert). {{name}} prints a value; "
                "{{#name}}…{{/name}} prints the part only when the value is there, or once "
                "per item of a list; {{^name}}…{{/name}} only when it is not."
            )
        )
        self.preview_caption.setText(self.tr("Preview with a sample order"))
        self._fill_names()

    def _fill_names(self) -> None:
        lang = "en" if current_language() == "en" else "vi"
        self.names.clear()
        for name, help_pair in PLACEHOLDERS.items():
            self._add_name(name, pick(help_pair, lang))
            for item, item_help in ITEM_NAMES.get(name, {}).items():
                self._add_name(item, "    " + pick(item_help, lang), inside=name)

    def _add_name(self, name: str, text: str, inside: str = "") -> None:
        shown = f"{{{{{name}}}}} — {text.strip()}"
        item = QListWidgetItem(("    " if inside else "") + shown)
        item.setData(Qt.ItemDataRole.UserRole, name)
        self.names.addItem(item)

    def _name_templates(self) -> None:
        """The shipped templates by what they are, not their file names."""
        names = {
            "receipt_80": self.tr("Receipt for an 80 mm roll"),
            "receipt_58": self.tr("Receipt for a 58 mm roll"),
            "invoice_a4": self.tr("Invoice, A4"),
            "invoice_a5": self.tr("Invoice, A5"),
            "packing_slip": self.tr("Packing slip"),
        }
        for i in range(self.template.count()):
            key = str(self.template.itemData(i))
            self.template.setItemText(i, names.get(key, key))

    # ------------------------------------------------------------------ profile

    def current_doc_type(self) -> DocumentType:
        return DocumentType(self.doc_type.currentData())

    def load(self, doc_type: DocumentType) -> None:
        """Show the document type's profile and template."""
        self._loading = True
        try:
            profile = store.load_profile(self.ctx, doc_type)
            self.template.clear()
            for name in templates_for(doc_type):
                self.template.addItem(name, name)
            self._name_templates()
            self.template.setCurrentIndex(self.template.findData(profile.template))
            self.paper.setCurrentIndex(self.paper.findData(profile.paper.value))
            self.kind.setCurrentIndex(KINDS.index(profile.target.kind))
            self._fill_printers(profile.target.name)
            target = profile.target
            self.address.setText(f"{target.host}:{target.port}" if target.host else "")
            self.usb_ids.setText(
                f"{target.usb_vendor:04x}:{target.usb_product:04x}" if target.usb_vendor else ""
            )
            self.serial_device.setText(target.device)
            self.baudrate.setValue(target.baudrate)
            self.show_preview.setChecked(profile.preview)
            self.cut.setChecked(profile.cut)
            self.drawer.setChecked(profile.open_drawer)
            self._show_template(profile.template)
            self._saved_options = store.load_options(self.ctx, doc_type)
            self.options_box.set_options(doc_type, self._saved_options)
            self._doc_index = self.doc_type.currentIndex()
            self._saved_profile = self._form_profile()
        finally:
            self._loading = False
        self.update_preview()

    def _show_template(self, name: str) -> None:
        """The stored template in the editor (an edit is measured against it)."""
        self.editor.setPlainText(store.load_template(self.ctx, name))
        self._template_name = name
        self._saved_html = self.editor.toPlainText()
        self.options_box.set_custom_template(store.is_customised(self.ctx, name))

    def _on_doc_type_changed(self) -> None:
        if self._loading:
            return
        # The question is about the document type shown until now (and Save keeps the
        # form as that type's settings): back to it while asking.
        chosen = self.doc_type.currentIndex()
        self._put_back(self.doc_type, self._doc_index)
        if not self.confirm_leave():
            return
        self._put_back(self.doc_type, chosen)
        self.load(self.current_doc_type())

    def _on_kind_changed(self, index: int) -> None:
        self.where.setCurrentIndex(index)
        self._offer_preview()

    def _offer_preview(self) -> None:
        """The print preview box for a system printer only: an ESC/POS printer prints
        at once (there is no preview of it), so the box is greyed out and says why. The
        other way round for cutting and the cash drawer: ESC/POS commands, which a system
        printer's driver does not take (it cuts as its own settings say)."""
        system = self.kind.currentData() == TargetKind.SYSTEM.value
        self.show_preview.setEnabled(system)
        self.show_preview.setToolTip("" if system else self.tr(
            "An ESC/POS printer prints at once: there is no print preview for it."))  # fmt: skip
        for box in (self.cut, self.drawer):
            box.setEnabled(not system)
            box.setToolTip(self.tr(
                "Only for an ESC/POS thermal printer. A system printer cuts the paper and "
                "opens the drawer as its driver is set up.") if system else "")  # fmt: skip
        self._hint_no_printer()

    def _hint_no_printer(self) -> None:
        """The next step when the system has no printer at all: plug it in and install
        its driver, or (a thermal printer on the network) choose ESC/POS."""
        system = self.kind.currentData() == TargetKind.SYSTEM.value
        none = self.system_name.count() > 0 and not self._printers_found
        self.no_printer_hint.setText(self.tr(
            "No printer is installed on this computer. Plug the printer in, install its "
            "driver, then press Refresh printer list. A thermal printer on the network "
            "(LAN/Wi-Fi): choose the type \"ESC/POS thermal printer on the network\" and "
            "type its address."))  # fmt: skip
        self.no_printer_hint.setVisible(system and none)

    def _fill_printers(self, keep: str | None = None) -> None:
        """The system's printers, `keep` (else the one shown) chosen. No printer chosen
        shows as such: never the first of the list, which looks set but is not saved."""
        current = keep if keep is not None else self.system_name.currentData() or ""
        self.system_name.clear()
        names = render.available_printers()
        self._printers_found = bool(names)
        none = self.tr("— Choose a printer —") if names else self.tr("No printer found")
        self.system_name.addItem(none, "")
        for name in names:
            self.system_name.addItem(name, name)
        if current and current not in names:
            self.system_name.addItem(self.tr("%1 (not found)").replace("%1", current), current)
        self.system_name.setCurrentIndex(max(self.system_name.findData(current), 0))
        self._hint_no_printer()

    def _on_template_changed(self) -> None:
        name = self.template.currentData()
        if self._loading or not name:
            return
        if not self._confirm_template_leave():
            self._put_back(self.template, self.template.findData(self._template_name))
            return
        self.paper.setCurrentIndex(self.paper.findData(TEMPLATES[name].paper.value))
        self._show_template(name)

    @staticmethod
    def _put_back(combo: QComboBox, index: int) -> None:
        """The combo's choice again, without loading it (the user cancelled the change)."""
        combo.blockSignals(True)
        combo.setCurrentIndex(index)
        combo.blockSignals(False)

    def has_unsaved_template(self) -> bool:
        """The editor holds changes the stored template does not have."""
        return bool(self._template_name) and self.editor.toPlainText() != self._saved_html

    def has_unsaved_profile(self) -> bool:
        """The printer form differs from the document type's stored printer settings."""
        return self._form_profile() != self._saved_profile

    def has_unsaved_options(self) -> bool:
        """The Options tab differs from the document type's stored options."""
        return self.options_box.options() != self._saved_options

    def has_unsaved(self) -> bool:
        """Unsaved work on the page: the options, the template being edited or the printer
        settings."""
        return (self.has_unsaved_options() or self.has_unsaved_template()
                or self.has_unsaved_profile())  # fmt: skip

    def confirm_leave(self) -> bool:
        """Before the form is replaced (another document type, or leaving the page): for
        the unsaved options, the unsaved template, then the unsaved printer settings, ask
        Save / Discard / Cancel. True when the form may be replaced (saved, discarded or
        nothing to lose)."""
        return (self._confirm_options_leave() and self._confirm_template_leave()
                and self._confirm_profile_leave())  # fmt: skip

    def _confirm_options_leave(self) -> bool:
        """Before the Options tab is replaced: with unsaved changes, ask Save / Discard /
        Cancel. True when it may be replaced."""
        if not self.has_unsaved_options():
            return True
        save, discard, cancel = (QMessageBox.StandardButton.Save,
                                 QMessageBox.StandardButton.Discard,
                                 QMessageBox.StandardButton.Cancel)  # fmt: skip
        text = self.tr("The options for %1 are not saved. Save them?")
        answer = QMessageBox.question(self, self.tr("Unsaved options"),
                                      text.replace("%1", doc_type_label(self.current_doc_type())),
                                      save | discard | cancel, save)  # fmt: skip
        if answer == save:
            return self.save_options()
        return answer == discard

    def save_options(self) -> bool:
        """Keep the Options tab as the document type's options."""
        doc_type = self.current_doc_type()
        try:
            kept = store.save_options(self.ctx, doc_type, self.options_box.options())
        except PrimedistError as exc:
            self._say(error_text(exc))
            return False
        self._saved_options = kept
        if kept != self.options_box.options():  # the message as kept (trimmed, cleaned)
            self.options_box.set_options(doc_type, kept)
        self._say(self.tr("Options saved for %1.").replace("%1", doc_type_label(doc_type)))
        return True

    def _confirm_template_leave(self) -> bool:
        """Before the editor's template is replaced: with unsaved changes, ask Save /
        Discard / Cancel. True when the editor may be replaced."""
        if not self.has_unsaved_template():
            return True
        label = self._template_label(self._template_name)
        save, discard, cancel = (QMessageBox.StandardButton.Save,
                                 QMessageBox.StandardButton.Discard,
                                 QMessageBox.StandardButton.Cancel)  # fmt: skip
        text = self.tr("The changes to the template %1 are not saved. Save them?")
        answer = QMessageBox.question(self, self.tr("Unsaved template"),
                                      text.replace("%1", label), save | discard | cancel,
                                      save)  # fmt: skip
        if answer == save:
            return self.save_template(self._template_name)
        return answer == discard

    def _confirm_profile_leave(self) -> bool:
        """Before the printer form is replaced: with unsaved changes, ask Save / Discard /
        Cancel. True when it may be replaced (Save refused by a bad field: False)."""
        if not self.has_unsaved_profile():
            return True
        save, discard, cancel = (QMessageBox.StandardButton.Save,
                                 QMessageBox.StandardButton.Discard,
                                 QMessageBox.StandardButton.Cancel)  # fmt: skip
        text = self.tr("The printer settings for %1 are not saved. Save them?")
        answer = QMessageBox.question(self, self.tr("Unsaved printer settings"),
                                      text.replace("%1", doc_type_label(self.current_doc_type())),
                                      save | discard | cancel, save)  # fmt: skip
        if answer == save:
            return self.save_profile()
        return answer == discard

    def _template_label(self, name: str) -> str:
        index = self.template.findData(name)
        return self.template.itemText(index) if index >= 0 else name

    def target(self) -> PrintTarget:
        """The printer as the form shows it (ValidationError names a bad field)."""
        kind = TargetKind(self.kind.currentData())
        if kind == TargetKind.SYSTEM:
            return PrintTarget(kind, name=self.system_name.currentData() or "")
        if kind == TargetKind.NETWORK:
            return parse_host_port(self.address.text())
        if kind == TargetKind.USB:
            vendor, _sep, product = self.usb_ids.text().strip().partition(":")
            try:
                return PrintTarget(kind, usb_vendor=int(vendor, 16), usb_product=int(product, 16))
            except ValueError:
                raise ValidationError(
                    self.tr(
                        "%1 is not a USB id: use VENDOR:PRODUCT in hex, e.g. 04b8:0202."
                    ).replace("%1", repr(self.usb_ids.text())),
                    field="usb",
                ) from None
        device = self.serial_device.text().strip()
        if not device:
            raise ValidationError(
                self.tr("Type the serial port, e.g. /dev/ttyUSB0 or COM3."), field="serial"
            )
        return PrintTarget(kind, device=device, baudrate=self.baudrate.value())

    def profile(self) -> PrintProfile:
        return PrintProfile(
            self.current_doc_type(), self.template.currentData(), Paper(self.paper.currentData()),
            self.target(), preview=self.show_preview.isChecked(),
            open_drawer=self.drawer.isChecked(), cut=self.cut.isChecked(),
        )  # fmt: skip

    def _form_profile(self) -> PrintProfile | None:
        """The printer settings as the form shows them; None while a field is not valid."""
        try:
            return self.profile()
        except ValidationError:
            return None

    def save_profile(self) -> bool:
        try:
            profile = self.profile()
            store.save_profile(self.ctx, profile)
        except PrimedistError as exc:
            self._say(error_text(exc))
            return False
        self._saved_profile = profile
        self._say(self.tr("Printer settings saved for %1.").replace(
            "%1", doc_type_label(self.current_doc_type())))  # fmt: skip
        return True

    def print_test_page(self) -> None:
        """The sample order on the printer as the form shows it (saved or not)."""
        try:
            target = self.target()
            document = self._sample(self.editor.toPlainText())
        except PrimedistError as exc:
            self._say(error_text(exc))
            return
        self.printer.print_test_page(document, target, cut=self.cut.isChecked())

    # ------------------------------------------------------------------ template

    def _insert_placeholder(self, item: QListWidgetItem) -> None:
        name = item.data(Qt.ItemDataRole.UserRole)
        lists = set(ITEM_NAMES)
        text = f"{{{{#{name}}}}}\n{{{{/{name}}}}}" if name in lists else f"{{{{{name}}}}}"
        self.editor.insertPlainText(text)
        self.editor.setFocus()

    def _schedule_preview(self) -> None:
        if not self._loading:
            self._preview_timer.start()

    def _sample(self, html: str) -> Document:
        store.check_template(html)
        shop = self.shop_box.details()
        self._hint_options(shop.logo_path, shop.footer)
        return sample_document(
            html, self.current_doc_type(), Paper(self.paper.currentData()),
            self.preview_lang.currentData(), self.ctx, shop=shop,
            options=self.options_box.options(),
        )  # fmt: skip

    def _hint_options(self, logo_path: str, footer: str) -> None:
        """The Options tab as the shop details stand: the logo tick only with a logo, and
        the message box shows what prints when it is left empty."""
        self.options_box.set_logo_available(bool(logo_path.strip()))
        lang = "en" if current_language() == "en" else "vi"
        self.options_box.set_footer_hint(footer.strip() or pick(DEFAULT_FOOTER, lang))

    def update_preview(self) -> None:
        """Redraw the preview from the editor's text (an error keeps the last picture)."""
        self._preview_timer.stop()
        if not shiboken6.isValid(self):
            return
        try:
            document = self._sample(self.editor.toPlainText())
        except PrimedistError as exc:
            self.error = error_text(exc)
            self.error_label.setText(self.error)
            self.previewUpdated.emit()
            return
        self.error = ""
        self.error_label.setText("")
        self.preview_document = document
        spec = PAPERS[document.paper]
        image = render.to_image(document, spec.dots or PAGE_PREVIEW_PX)
        self.preview_image = QPixmap.fromImage(image)
        self._show_preview()
        self.previewUpdated.emit()

    def _show_preview(self) -> None:
        """The preview as wide as its column allows (at most PREVIEW_SHOWN_PX)."""
        if self.preview_image is None:
            return
        room = self.preview_scroll.viewport().width() - 2 * PREVIEW_PADDING_PX
        width = min(self.preview_image.width(), PREVIEW_SHOWN_PX, max(PREVIEW_MIN_PX, room))
        shown = self.preview_image
        if shown.width() != width:
            shown = shown.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.preview.setPixmap(shown)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.preview_scroll.viewport():
            self._show_preview()
        return super().eventFilter(watched, event)

    def save_template(self, name: str | None = None) -> bool:
        """Keep the editor's text as the template `name` (the one shown when None)."""
        name = name or self._template_name or self.template.currentData()
        html = self.editor.toPlainText()
        try:
            store.save_template(self.ctx, name, html)
        except PrimedistError as exc:
            self._say(error_text(exc))
            return False
        if name == self._template_name:
            self._saved_html = html
            self.options_box.set_custom_template(True)
        self._say(self.tr("Template %1 saved.").replace("%1", self._template_label(name)))
        return True

    def reset_template(self) -> None:
        name = self.template.currentData()
        if not self._confirm_reset(name):
            return
        try:
            html = store.reset_template(self.ctx, name)
        except PrimedistError as exc:
            self._say(error_text(exc))
            return
        self.editor.setPlainText(html)
        self._template_name, self._saved_html = name, self.editor.toPlainText()
        self.options_box.set_custom_template(False)
        self.update_preview()
        self._say(self.tr("Template %1 is back to the default.").replace(
            "%1", self.template.currentText()))  # fmt: skip

    def _confirm_reset(self, name: str) -> bool:
        """Before the shop's own template (or the edits in the editor) gives way to the
        shipped one: ask, as nothing brings it back. True when there is nothing to lose."""
        if not (self.has_unsaved_template() or store.is_customised(self.ctx, name)):
            return True
        reset = QMessageBox.StandardButton.RestoreDefaults  # "Khôi phục mặc định", as the button
        cancel = QMessageBox.StandardButton.Cancel
        text = self.tr(
            "Replace the template %1 with the default one? The changes made to it are lost."
        )
        answer = QMessageBox.question(self, self.tr("Reset the template"),
                                      text.replace("%1", self._template_label(name)),
                                      reset | cancel, cancel)  # fmt: skip
        return answer == reset

    # ------------------------------------------------------------------ shop

    def save_shop(self) -> None:
        """Save the Shop details tab's form (the preview follows what is kept)."""
        if self.shop_box.save():
            self.update_preview()

    def _say(self, text: str) -> None:
        if shiboken6.isValid(self):
            self.message.setText(text)
            if text:  # under the fold on a laptop: the page scrolls to it once laid out
                QTimer.singleShot(0, self._show_message)

    def _show_message(self) -> None:
        holder = self.parentWidget() if shiboken6.isValid(self) else None
        while holder is not None and not isinstance(holder, QScrollArea):
            holder = holder.parentWidget()
        if holder is not None:
            holder.ensureWidgetVisible(self.message, 0, 8)
