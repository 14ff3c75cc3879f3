"""Print actions shared by the order detail, the orders list and the sale screen.

`OrderPrinter(parent, ctx)` prints orders with a document type's profile: straight to the
remembered printer (on a worker: bulk jobs never freeze the window and show progress in
the jobs indicator), or through the print preview (several orders' documents are made on
a worker too), or into a PDF. A failure shows `print_failure_box`, the one box every
print failure shows (a sale, an order, a selection, end of day, labels): Retry when seeing
to the printer can cure it (not a broken template, not a printer never chosen), Preview /
Save as PDF, and Open printer settings; with no printer set up it says so plainly and, after
a sale, offers to stop printing after saving. `print_menu` builds the Print button's menu.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from primedist.core.money import format_number
from primedist.core.text import fold
from primedist.domain.enums import Module
from primedist.errors import Cancelled, PrimedistError
from primedist.jobs.progress import NullProgress, Progress
from primedist.printing.content import Payment
from primedist.printing.documents import Document, order_documents, order_messages
from primedist.printing.errors import PrinterNotFound, PrintError, TemplateError
from primedist.printing.model import DocumentType, PrintProfile, PrintTarget, TargetKind
from primedist.services.context import ServiceContext
from primedist.services.orders import order_numbers
from primedist.ui.file_dialogs import EXPORT, ask_save_file
from primedist.ui.i18n import current_language
from primedist.ui.messages import error_text
from primedist.ui.ops import Job, Op
from primedist.ui.printing import render
from primedist.ui.printing.jobs import (
    PartlyPrinted,
    PrintResult,
    deliver,
    print_orders,
    resolve_profile,
)

if TYPE_CHECKING:
    from primedist.ui.printing.carrier_labels import CarrierLabels

AFTER_SALE_KEY = "printing/receipt_after_sale"
#: A preview shows at most this many orders: Qt's dialog draws every page on the UI
#: thread when it opens (672 invoices: ~2.3 s); Print and Save as PDF make them all.
PREVIEW_LIMIT = 200


#: lupdate extracts translate("Context", "literal") calls, not a wrapper's.
translate = QCoreApplication.translate
#: Qt's own words, as its dialogs were built with them (Qt's catalogue has them, not ours:
#: lupdate does not read this name).
_qt_words = QCoreApplication.translate


def doc_type_label(doc_type: DocumentType) -> str:
    return {
        DocumentType.RECEIPT: translate("printing", "Receipt"),
        DocumentType.INVOICE: translate("printing", "Invoice"),
        DocumentType.PACKING_SLIP: translate("printing", "Packing slip"),
    }[doc_type]


#: What `keep_alive` holds, by a key of its own (released when the object is destroyed).
_kept: dict[object, tuple[object, ...]] = {}


def keep_alive(owner: QObject, *refs: object) -> None:
    """Keep `refs` (Python objects) alive until `owner` is destroyed.

    Qt's print preview keeps only a pointer to the QPrinter it was given and paints its
    pages from it (they live in the printer): freed by Python while the dialog shows, the
    next paint reads freed memory and the app crashes. `destroyed` comes after the
    widget's own destructor and its children's, so nothing paints from them by then."""
    key = object()
    _kept[key] = refs
    owner.destroyed.connect(lambda *_: _kept.pop(key, None))


def _file_part(text: str, *, lower: bool = False) -> str:
    """`text` as a piece of a file name any system takes: no diacritics (đ → d), only
    letters, digits, "-" and "_" (anything else becomes one "-")."""
    plain = fold(text) if lower else text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_]+", "-", plain).strip("-")


def pdf_file_name(doc_type: DocumentType, numbers: Sequence[str]) -> str:
    """The name Save as PDF offers: the document's name in the app's language and the order
    number people know (the first and last of several), e.g. "hoa-don-ban-hang-DH261207-0003.pdf"
    or "receipt-DH261207-0003.pdf"."""
    word = _file_part(doc_type_label(doc_type), lower=True) or doc_type.value
    parts = [p for p in (_file_part(n) for n in numbers) if p]
    return "-".join([word, "_".join(parts)] if parts else [word]) + ".pdf"


def dated_pdf_name(name: str, day: date) -> str:
    """The name Save as PDF offers for what has no number (barcode labels): its name in the
    app's language, written as `pdf_file_name` writes it, and the day, e.g.
    "tem-ma-vach-2026-12-08.pdf" (not the same English "labels.pdf" every time)."""
    return f"{_file_part(name, lower=True) or 'document'}-{day.isoformat()}.pdf"


def document_language() -> str:
    """Documents print in the language the app shows."""
    return "en" if current_language() == "en" else "vi"


class OrderPrinter(QObject):
    """Prints orders for a widget; emits `printed(text)` / `failed(message)`."""

    printed = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QWidget, ctx: ServiceContext) -> None:
        super().__init__(parent)
        self.widget = parent
        self.ctx = ctx
        self.busy = False
        #: The last error box (tests press its buttons).
        self.error_box: QMessageBox | None = None
        self.preview_dialog: QPrintPreviewDialog | None = None
        #: The sale screen's "Print receipt after saving": with no printer set up, the
        #: failure box offers to untick it (a shop without a printer is not told after
        #: every sale).
        self.after_sale: QCheckBox | None = None
        #: Where a failure is said instead of the modal box (the sale screen's banner).
        self.notice: PrintNotice | None = None

    # ------------------------------------------------------------------ entry points

    def print(
        self, order_ids: Sequence[int], doc_type: DocumentType, *,
        payment: Payment | None = None, one_job: bool = True, open_drawer: bool = False,
    ) -> None:  # fmt: skip
        """Print with the profile: its preview first when the profile asks for one.
        `open_drawer`: the sale just made was paid in cash (the profile's drawer kick; never
        for a reprint)."""
        ids = list(order_ids)
        if not ids:
            return
        profile = resolve_profile(self.ctx, doc_type)
        if profile.preview and profile.target.kind == TargetKind.SYSTEM:
            self.preview(ids, doc_type, payment=payment, one_job=one_job,
                         open_drawer=open_drawer)  # fmt: skip
            return
        self._run(ids, doc_type, payment=payment, one_job=one_job, pdf=None,
                  open_drawer=open_drawer)  # fmt: skip

    def save_pdf(self, order_ids: Sequence[int], doc_type: DocumentType, path: Path | None = None,
                 *, payment: Payment | None = None) -> None:  # fmt: skip
        """Save the documents as one PDF (asks where when no path is given); `payment`: the
        cash taken and change of the sale just made, as on its printed receipt."""
        ids = list(order_ids)
        if not ids:
            return
        if path is None:
            folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
            known = order_numbers(self.ctx, [ids[0], ids[-1]])
            numbers = [known.get(i) or str(i) for i in dict.fromkeys([ids[0], ids[-1]])]
            answer = ask_save_file(
                self.widget, self.ctx, EXPORT,
                translate("printing", "Save as PDF"),
                folder / pdf_file_name(doc_type, numbers),
                translate("printing", "PDF document (*.pdf)"),
            )  # fmt: skip
            if answer is None:
                return
            chosen = str(answer[0])
            path = Path(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")
        self._run(ids, doc_type, payment=payment, one_job=True, pdf=path)

    def preview(self, order_ids: Sequence[int], doc_type: DocumentType, *,
                payment: Payment | None = None, one_job: bool = True,
                open_drawer: bool = False) -> QPrintPreviewDialog | None:  # fmt: skip
        """The print preview (Qt's dialog: zoom, pages; its Print prints on the profile's
        printer as `print` does). One order's opens at once (returned); several are made
        and laid out on a worker with progress and Cancel (a large selection took seconds,
        frozen), then the dialog opens (`preview_dialog`)."""
        chosen = len(order_ids)
        ids = list(order_ids)[:PREVIEW_LIMIT]
        if not ids:
            return None
        profile = resolve_profile(self.ctx, doc_type)
        ctx, lang = self.ctx, document_language()

        def print_them() -> None:  # the preview's Print: what it shows
            self._run(ids, doc_type, payment=payment, one_job=one_job, pdf=None,
                      open_drawer=open_drawer)  # fmt: skip

        def save_them() -> None:  # the preview's Save as PDF
            self.save_pdf(ids, doc_type, payment=payment)

        if len(ids) == 1:
            try:
                laid = preview_pages(ctx, ids, profile, lang=lang, payment=payment)
            except PrimedistError as exc:
                self._failed(exc, None)
                return None
            return self._open_preview(laid, profile, doc_type, print_them, save_them)
        self.busy = True
        title = translate("printing", "Print preview — %1").replace("%1", doc_type_label(doc_type))

        def work(job: Job) -> list[render.Laid]:
            return preview_pages(ctx, ids, profile, lang=lang, payment=payment,
                                 progress=job.progress)  # fmt: skip

        def retry() -> None:
            self.preview(order_ids, doc_type, payment=payment, one_job=one_job,
                         open_drawer=open_drawer)  # fmt: skip

        # Reads only, on the pool that does not hold up the database writer's queue.
        Op(self.widget, work, title=title, network=True).with_progress().success(
            lambda laid: self._preview_ready(laid, profile, doc_type, print_them, save_them, chosen)
        ).failure(lambda exc: self._failed(exc, retry)).finally_(self._idle).run()
        return None

    def _preview_ready(self, laid: list[render.Laid], profile: PrintProfile,
                       doc_type: DocumentType, print_them: Callable[[], None],
                       save_them: Callable[[], None], chosen: int) -> None:  # fmt: skip
        if shiboken6.isValid(self):
            self._open_preview(laid, profile, doc_type, print_them, save_them, chosen)

    def _open_preview(self, laid: list[render.Laid], profile: PrintProfile, doc_type: DocumentType,
                      print_them: Callable[[], None], save_them: Callable[[], None],
                      chosen: int = 1) -> QPrintPreviewDialog:  # fmt: skip
        title = translate("printing", "Print preview — %1").replace("%1", doc_type_label(doc_type))
        if chosen > len(laid):  # capped: say so, Print here prints only these
            title += " " + translate("printing", "(the first %1 of %2 orders)").replace(
                "%1", format_number(len(laid), current_language())
            ).replace("%2", format_number(chosen, current_language()))
        dialog = open_preview(self.widget, laid, profile.target, title, print_them, save_them)
        self.preview_dialog = dialog
        return dialog

    # ------------------------------------------------------------------ running

    def copy_text(self, order_ids: Sequence[int]) -> None:
        """The orders as messages for the customer's chat (Zalo, Messenger…), on the
        clipboard; `printed` says so."""
        ids = list(order_ids)
        if not ids:
            return
        ctx, lang = self.ctx, document_language()
        Op(self.widget, lambda _job: order_messages(ctx, ids, lang=lang)).success(
            self._copied).failure(lambda exc: self._failed(exc, lambda: self.copy_text(ids))
        ).run()  # fmt: skip

    def _copied(self, text: str) -> None:
        if not shiboken6.isValid(self):
            return
        QGuiApplication.clipboard().setText(text)
        self.printed.emit(translate("printing", "Copied: paste it into the chat with the "
                                                "customer"))  # fmt: skip

    def _run(self, ids: list[int], doc_type: DocumentType, *, payment: Payment | None,
             one_job: bool, pdf: Path | None, open_drawer: bool = False) -> None:  # fmt: skip
        ctx, lang = self.ctx, document_language()
        self.busy = True
        op = Op(
            self.widget,
            lambda job: print_orders(
                ctx,
                ids,
                doc_type,
                pdf=pdf,
                lang=lang,
                payment=payment,
                one_job=one_job,
                progress=job.progress,
                open_drawer=open_drawer,
            ),  # fmt: skip
            title=translate("printing", "Printing %1").replace("%1", doc_type_label(doc_type)),
            network=True,  # printing waits on devices, not on the database writer
        )
        if len(ids) > 1:
            op.with_progress()

        def failed(exc: BaseException) -> None:
            # After a part was printed (one job per order), only the orders not printed.
            left = exc.remaining if isinstance(exc, PartlyPrinted) else ids
            # Nothing went when it failed (else the drawer has opened): open it on Retry.
            drawer = open_drawer and not isinstance(exc, PartlyPrinted)

            def retry() -> None:
                self._run(left, doc_type, payment=payment, one_job=one_job, pdf=pdf,
                          open_drawer=drawer)  # fmt: skip

            def preview() -> None:
                self.preview(left, doc_type, payment=payment, one_job=one_job,
                             open_drawer=drawer)  # fmt: skip

            # Saving a PDF failed (a folder not writable): no printer to see to.
            printing = pdf is None
            self._failed(exc, retry, preview=preview if printing else None, settings=printing)

        op.success(lambda r: self._done(r, doc_type)).failure(failed).finally_(self._idle).run()

    def print_test_page(self, document: Document, target: PrintTarget, *, cut: bool = True,
                        ) -> None:  # fmt: skip
        """Print one ready document (Settings' test page) on a target not saved yet."""
        self.busy = True

        def work(_job: object) -> PrintResult:
            return PrintResult(1, 1, deliver([document], target, cut=cut))

        def retry() -> None:
            self.print_test_page(document, target, cut=cut)

        def done(result: PrintResult) -> None:
            if shiboken6.isValid(self):
                self.printed.emit(
                    translate("printing", "Test page printed to %1").replace("%1", result.where)
                )

        Op(
            self.widget, work, title=translate("printing", "Printing a test page"), network=True
        ).success(done).failure(
            lambda exc: self._failed(exc, retry, settings=False, test_page=True)
        ).finally_(self._idle).run()

    def _idle(self) -> None:
        if shiboken6.isValid(self):
            self.busy = False

    def _done(self, result: PrintResult, doc_type: DocumentType) -> None:
        if not shiboken6.isValid(self):
            return
        text = (
            translate("printing", "%1 printed to %2")
            if result.documents == 1
            else translate("printing", "%n documents printed to %2").replace(
                "%n", str(result.documents)
            )
        )
        self.printed.emit(text.replace("%1", doc_type_label(doc_type)).replace("%2", result.where))

    def _failed(self, exc: BaseException, retry: Callable[[], None] | None, *,
                preview: Callable[[], object] | None = None, settings: bool = True,
                test_page: bool = False) -> None:  # fmt: skip
        """Show why it failed in `print_failure_box`; `failed` says it too. `test_page`:
        Settings' test page (its printer is chosen above it)."""
        if not shiboken6.isValid(self) or isinstance(exc, Cancelled):
            return
        if not isinstance(exc, PrimedistError):
            from primedist.ui.ops import _report

            _report(self.widget, exc)
            return
        text = None
        if test_page and _no_printer_chosen(exc):  # Settings' own page: the choice is above
            text = translate("printing", "No printer is chosen: choose a printer above, then "
                                         "print the test page again.")  # fmt: skip
        if self.notice is not None and not test_page:
            self.notice.show_failure(self.ctx, exc, retry=retry, preview=preview,
                                     settings=settings, after_sale=self.after_sale)  # fmt: skip
            self.failed.emit(self.notice.label.text())
            return
        self.error_box = print_failure_box(
            self.widget, self.ctx, exc, retry=retry, preview=preview, settings=settings,
            after_sale=self.after_sale, text=text,
        )  # fmt: skip
        self.failed.emit(self.error_box.text())


def failure_text(exc: PrimedistError) -> str:
    """What a print failure's box says first."""
    if isinstance(exc, TemplateError):  # the same on every try: the template must change
        return translate(
            "printing",
            "The document's template is broken, so nothing was printed: %1\nFix the "
            "template in Settings → Printers & templates.",
        ).replace("%1", error_text(exc))  # fmt: skip
    if _no_printer_chosen(exc):
        return translate("printing", "No printer is set up yet, so nothing was printed.")
    return error_text(exc)


def print_failure_box(
    parent: QWidget, ctx: ServiceContext, exc: PrimedistError, *,
    retry: Callable[[], None] | None = None, preview: Callable[[], object] | None = None,
    settings: bool = True, after_sale: QCheckBox | None = None, text: str | None = None,
) -> QMessageBox:  # fmt: skip
    """The box every failed print shows (a sale, an order, a selection, end of day, labels),
    so a till without a working printer is never at a dead end: Retry when seeing to the
    printer can cure it (not a broken template, not a printer never chosen); Preview / Save
    as PDF (`preview`: the same document on screen, its toolbar saves a PDF); Open printer
    settings (`settings`, for who may open Settings); with no printer set up it says so
    plainly and, `after_sale` ticked, offers to untick it (remembered: the next sale does
    not fail again). `text`: said instead of the failure's own words."""
    printing = isinstance(exc, PrintError)
    template = isinstance(exc, TemplateError)
    no_printer = _no_printer_chosen(exc)
    may_set = ctx.actor.can(Module.SETTINGS)
    if not printing or template or no_printer:
        retry = None  # seeing to the printer cannot cure it
    buttons = QMessageBox.StandardButton.Close
    if retry is not None:
        buttons = QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Cancel
    title = (translate("printing", "No printer set up") if no_printer
             else translate("printing", "Printing failed"))  # fmt: skip
    box = QMessageBox(QMessageBox.Icon.Warning, title,
                      text if text is not None else failure_text(exc),
                      buttons, parent)  # fmt: skip
    box.setObjectName("printErrorBox")
    box.setTextFormat(Qt.TextFormat.PlainText)  # a printer's reply, a document's name
    actions: dict[str, Callable[[], object]] = {}  # by the button's object name

    def add(name: str, label: str, then: Callable[[], object]) -> QPushButton:
        button = box.addButton(label, QMessageBox.ButtonRole.ActionRole)
        button.setObjectName(name)
        actions[name] = then
        return button

    notes = []
    if retry is not None:
        notes.append(translate("printing", "Fix the printer, then press Retry."))
        box.button(QMessageBox.StandardButton.Retry).setObjectName("printRetry")
        actions["printRetry"] = retry
    first: QPushButton | None = None
    if printing and not template and preview is not None:
        first = add("printPreviewPdf", translate("printing", "Preview / Save as PDF"), preview)
    if printing and settings and may_set:
        add("printOpenSettings", translate("printing", "Open printer settings"),
            lambda: open_printer_settings(parent, ctx))  # fmt: skip
    if no_printer and text is None:
        see = (translate("printing", "You can see it on screen and save it as a PDF.")
               if first is not None else "")  # fmt: skip
        notes.append(" ".join(part for part in (see, translate(
            "printing", "To print on paper, choose a printer in the printer settings."
        ) if may_set else translate(
            "printing", "To print on paper, ask the shop owner to choose a printer (Settings → "
            "Printers & templates)."
        )) if part))  # fmt: skip
    if no_printer and after_sale is not None and after_sale.isChecked():
        add("printStopAfterSale", translate("printing", "Don't print after saving"),
            lambda: after_sale.setChecked(False))  # fmt: skip
        notes.append(translate("printing", "No printer at this counter? Press \"Don't print "
                                           "after saving\": the next sales will not try to "
                                           "print."))  # fmt: skip
    if notes:
        box.setInformativeText("\n".join(notes))
    # No button takes Enter: at a till the next customer's scan ends with Enter, which
    # opened the preview and lost the code. A click or Space picks a way on.
    for button in box.buttons():
        if isinstance(button, QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)

    def on_click(button: QAbstractButton) -> None:
        then = actions.get(button.objectName())
        if then is not None:
            then()

    box.buttonClicked.connect(on_click)
    box.open()
    return box


class PrintNotice(QFrame):
    """A failed print said in a banner of the screen (the sale screen), not in a modal box:
    the box took the next customer's scan (its Enter opened the preview). The same ways on
    as `print_failure_box`, as buttons that never take the keyboard (scans stay in the
    product search); × closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printNotice")
        self.setStyleSheet(
            "#printNotice { background: #FEF3C7; border: 1px solid #F59E0B; border-radius: 4px; }"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 4, 4)
        self.label = QLabel()
        self.label.setObjectName("printNoticeText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.label, 1)
        self.buttons_row = QHBoxLayout()
        row.addLayout(self.buttons_row)
        close = QToolButton()
        close.setText("×")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(self.hide)
        row.addWidget(close)
        self.hide()

    def show_failure(self, ctx: ServiceContext, exc: PrimedistError, *,
                     retry: Callable[[], None] | None = None,
                     preview: Callable[[], object] | None = None, settings: bool = True,
                     after_sale: QCheckBox | None = None) -> None:  # fmt: skip
        printing = isinstance(exc, PrintError)
        template = isinstance(exc, TemplateError)
        no_printer = _no_printer_chosen(exc)
        ways: list[tuple[str, str, Callable[[], object]]] = []
        if retry is not None and printing and not template and not no_printer:
            ways.append(("printRetry", translate("printing", "Retry"), retry))
        if printing and not template and preview is not None:
            ways.append(("printPreviewPdf", translate("printing", "Preview / Save as PDF"),
                         preview))  # fmt: skip
        if printing and settings and ctx.actor.can(Module.SETTINGS):
            parent = self.window()
            ways.append(("printOpenSettings", translate("printing", "Open printer settings"),
                         lambda: open_printer_settings(parent, ctx)))  # fmt: skip
        if no_printer and after_sale is not None and after_sale.isChecked():
            ways.append(("printStopAfterSale", translate("printing", "Don't print after saving"),
                         lambda: after_sale.setChecked(False)))  # fmt: skip
        while self.buttons_row.count():
            item = self.buttons_row.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.deleteLater()
        for name, label, then in ways:
            button = QPushButton(label)
            button.setObjectName(name)
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # scans go to the product search
            button.clicked.connect(lambda _c=False, then=then: self._take(then))
            self.buttons_row.addWidget(button)
        self.label.setText(failure_text(exc))
        self.show()

    def _take(self, then: Callable[[], object]) -> None:
        self.hide()
        then()


class PrinterSettingsDialog(QDialog):
    """Settings → Printers & templates in a window of its own (`open_printer_settings`)."""

    def __init__(self, parent: QWidget, ctx: ServiceContext) -> None:
        from primedist.ui.settings.printers import PrintersSettings
        from primedist.ui.widgets import column_scroll, fit_to_screen

        super().__init__(parent)
        self.setObjectName("printerSettingsDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(translate("printing", "Printers & templates"))
        self.page = PrintersSettings(ctx)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(column_scroll(self.page, "printerSettingsScroll"), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setContentsMargins(16, 0, 16, 0)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.finished.connect(self._reload_others)
        fit_to_screen(self, 1280, 760)

    def reject(self) -> None:
        if self.page.confirm_leave():  # unsaved changes: Save / Discard / Cancel
            super().reject()

    def _reload_others(self) -> None:
        """A Printers & templates page open in the Settings tab shows the new choice (one
        with unsaved changes of its own keeps them)."""
        from primedist.ui.settings.printers import PrintersSettings

        others = [w for w in QApplication.allWidgets()
                  if isinstance(w, PrintersSettings) and w is not self.page]  # fmt: skip
        for other in others:
            if not other.has_unsaved():
                other.load(other.current_doc_type())


def open_printer_settings(parent: QWidget, ctx: ServiceContext) -> PrinterSettingsDialog:
    """Settings → Printers & templates in a window over the screen that failed to print:
    that screen stays as it was (the sale screen's Ctrl+P reprints once a printer is
    chosen)."""
    dialog = PrinterSettingsDialog(parent, ctx)
    dialog.open()
    return dialog


def _no_printer_chosen(exc: BaseException) -> bool:
    return isinstance(exc, PrinterNotFound) and not exc.printer


def open_preview(parent: QWidget, laid: list[render.Laid], target: PrintTarget, title: str,
                 print_them: Callable[[], None], save_them: Callable[[], None],
                 ) -> QPrintPreviewDialog:  # fmt: skip
    """Qt's print preview of documents laid out (zoom, pages), opened over `parent`: its
    Print is `print_them` (the app's way, see `_print_our_way`) and its Save as PDF is
    `save_them` (a till with no printer keeps the document as a file)."""
    # The printer holds the pages the preview shows.
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if target.kind == TargetKind.SYSTEM and target.name in render.available_printers():
        printer.setPrinterName(target.name)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setObjectName("printPreview")
    # Gone once closed; its printer lives until then (see keep_alive).
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    keep_alive(dialog, printer)
    _print_our_way(dialog, print_them)
    _add_save_pdf(dialog, save_them)
    dialog.setWindowTitle(title)
    dialog.paintRequested.connect(lambda p: render.paint(p, laid))
    dialog.setProperty("documents", len(laid))
    dialog.open()
    return dialog


def _add_save_pdf(dialog: QPrintPreviewDialog, save_them: Callable[[], None]) -> None:
    """Save as PDF… on the preview's toolbar, after its Print (Qt's preview has none)."""
    bar = dialog.findChild(QToolBar)
    if bar is None:
        return
    action = QAction(translate("printing", "Save as PDF…"), dialog)
    action.setObjectName("previewSavePdf")
    action.triggered.connect(lambda *_: _close_then(dialog, save_them))
    bar.addAction(action)
    button = bar.widgetForAction(action)
    if isinstance(button, QToolButton):  # words: no icon says "save as PDF"
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)


def _print_our_way(dialog: QPrintPreviewDialog, print_them: Callable[[], None]) -> None:
    """The preview's Print prints with `print_them` (the app's checks, the profile's
    printer), not through Qt's print dialog: that one is in English (Qt ships no Vietnamese
    for it) and sends to any printer unchecked (paused, refusing: "printed"). Page setup goes
    too: the template sets the paper."""
    print_text = _qt_words("QPrintPreviewDialog", "Print")
    page_setup_text = _qt_words("QPrintPreviewDialog", "Page setup")
    for action in dialog.findChildren(QAction):
        if action.text() == print_text and action.objectName() != "previewPrint":
            ours = QAction(action.icon(), action.text(), dialog)
            ours.setObjectName("previewPrint")
            ours.triggered.connect(lambda *_: _close_then(dialog, print_them))
            for widget in action.associatedObjects():
                if isinstance(widget, QToolBar):
                    widget.insertAction(action, ours)
            action.setVisible(False)
            action.setEnabled(False)
        elif action.text() == page_setup_text:
            action.setVisible(False)
            action.setEnabled(False)


def _close_then(dialog: QPrintPreviewDialog, then: Callable[[], None]) -> None:
    dialog.close()  # as Qt's Print does; a failure shows its message with Retry
    then()


def print_menu(
    parent: QWidget,
    printer: OrderPrinter,
    order_ids: Callable[[], Sequence[int]],
    *,
    bulk: bool = False,
    carrier_labels: CarrierLabels | None = None,
) -> QMenu:
    """The Print button's menu: each document type, preview, PDF (and, for a selection,
    one job per order); with `carrier_labels`, the carriers' shipping labels of the orders as one
    document, printed or saved as a PDF."""
    menu = QMenu(parent)
    menu.setObjectName("printMenu")
    separate = QAction(menu)
    separate.setCheckable(True)
    separate.setObjectName("separateJobs")

    def add(target: QMenu, name: str, slot: Callable[..., object]) -> QAction:
        action = target.addAction("")
        action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    def label(doc_type: DocumentType, suffix: str = "") -> Callable[[], str]:
        return lambda: doc_type_label(doc_type) + suffix

    def printing(doc_type: DocumentType) -> Callable[..., None]:
        return lambda *_: printer.print(order_ids(), doc_type, one_job=not separate.isChecked())

    def previewing(doc_type: DocumentType) -> Callable[..., object]:
        return lambda *_: printer.preview(order_ids(), doc_type)

    def saving(doc_type: DocumentType) -> Callable[..., None]:
        return lambda *_: printer.save_pdf(order_ids(), doc_type)

    labels: list[tuple[QAction | QMenu, Callable[[], str]]] = [
        (add(menu, f"print_{d.value}", printing(d)), label(d)) for d in DocumentType
    ]

    def shipping() -> str:
        return translate("printing", "Shipping labels")

    if carrier_labels is not None:  # one document for all the orders: one job, one file
        labels.append((add(menu, "print_shipping_labels",
                           lambda *_: carrier_labels.print_labels(order_ids())),
                       shipping))  # fmt: skip
    menu.addSeparator()
    preview = menu.addMenu("")
    preview.setObjectName("previewMenu")
    pdf = menu.addMenu("")
    pdf.setObjectName("pdfMenu")
    for d in DocumentType:
        labels.append((add(preview, f"preview_{d.value}", previewing(d)), label(d, "…")))
        labels.append((add(pdf, f"pdf_{d.value}", saving(d)), label(d, "…")))
    if carrier_labels is not None:
        labels.append((add(pdf, "pdf_shipping_labels",
                           lambda *_: carrier_labels.save_labels(order_ids())),
                       lambda: shipping() + "…"))  # fmt: skip
    menu.addSeparator()
    copy = add(menu, "copyText", lambda *_: printer.copy_text(order_ids()))
    labels += [
        (preview, lambda: translate("printing", "Print preview")),
        (pdf, lambda: translate("printing", "Save as PDF")),
        (copy, lambda: translate("printing", "Copy as text (to send by Zalo, Messenger…)")),
    ]
    if bulk:
        menu.addSeparator()
        menu.addAction(separate)

    def retranslate() -> None:
        for item, label in labels:
            if isinstance(item, QMenu):
                item.setTitle(label())
            else:
                item.setText(label())
        separate.setText(translate("printing", "One print job per order"))

    menu.aboutToShow.connect(retranslate)
    retranslate()
    return menu


def preview_pages(
    ctx: ServiceContext, order_ids: Sequence[int], profile: PrintProfile, *, lang: str,
    payment: Payment | None = None, progress: Progress | None = None,
) -> list[render.Laid]:  # fmt: skip
    """The orders' documents laid out for the preview, one order at a time (progress,
    Cancel). On a worker, each document is handed to the UI thread, where the preview
    paints it (a QTextDocument belongs to the thread that made it)."""
    progress = progress or NullProgress()
    app = QCoreApplication.instance()
    assert app is not None, "the preview needs the QApplication"
    ui_thread = app.thread()
    total = len(order_ids)
    laid: list[render.Laid] = []
    for i, order_id in enumerate(order_ids):
        progress.check()
        for document in order_documents(ctx, [order_id], profile.template, lang=lang,
                                        paper=profile.paper, payment=payment):  # fmt: skip
            item = render.layout(document)
            item.doc.moveToThread(ui_thread)
            laid.append(item)
        progress.update((i + 1) / total, f"{i + 1}/{total}")
    return laid


def _prefs(ctx: ServiceContext) -> QSettings | None:
    if ctx.settings is None:
        return None
    return QSettings(str(ctx.settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)


def receipt_after_sale(ctx: ServiceContext) -> bool:
    """Whether this computer prints a receipt after each counter sale (remembered)."""
    prefs = _prefs(ctx)
    return bool(prefs is not None and prefs.value(AFTER_SALE_KEY, False, type=bool))


def remember_receipt_after_sale(ctx: ServiceContext, on: bool) -> None:
    prefs = _prefs(ctx)
    if prefs is not None:
        prefs.setValue(AFTER_SALE_KEY, on)
        prefs.sync()


__all__ = [
    "Document",
    "OrderPrinter",
    "print_menu",
    "receipt_after_sale",
    "remember_receipt_after_sale",
]
