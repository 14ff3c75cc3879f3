"""Filled HTML documents drawn by Qt: onto a system printer, into a PDF, into an image.

Layout is done once per document in screen pixels (QTextDocument's unit) on the paper's
printable width; printing scales that layout to the device, so a PDF, a CUPS job and an
ESC/POS raster of the same receipt look alike. Rolls get one page as tall as the content;
A4/A5 documents break into pages: when there are several, each has "title · page/pages"
at its foot (and the items table's <thead> row repeats at the top); the part from a
`<a name="keep-to-end">` anchor on (an invoice's totals and signatures) is kept on one
page. No stray margins (the document's page size is always set: see the printing spec's
gotcha 5).

Painting on QImage and QPrinter is safe off the UI thread, so bulk jobs run on a worker.

The errors are worded in the app's language (context "printing"; QCoreApplication.translate
is thread-safe): the print jobs raise them on a worker, and every screen shows them as they
are. The CLI installs no translator: it says them in English.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrame,
)
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from primedist.core.messages import msg
from primedist.printing import cups
from primedist.printing.documents import Document
from primedist.printing.errors import (
    PrinterNotFound,
    PrinterOffline,
    PrinterRejected,
    PrintError,
)
from primedist.printing.model import PAPERS, Paper, PaperSpec

#: lupdate extracts translate("Context", "literal") calls, not a wrapper's.
translate = QCoreApplication.translate


def fill(text: str, *values: str) -> str:
    """`text` (a translation) with %1, %2… replaced by `values`, in one pass (a value's
    own "%2" stays as it is)."""

    def value(found: re.Match[str]) -> str:
        i = int(found[1]) - 1
        return values[i] if i < len(values) else found[0]

    return re.sub(r"%([1-9])", value, text)


#: Faces with every Vietnamese letter and ₫ (Noto/DejaVu on Linux, Arial/Segoe on Windows).
FONT_FAMILIES = ["Noto Sans", "DejaVu Sans", "Arial", "Segoe UI"]
#: The page footer of a multi-page document: its size, and its distance below the content.
FOOTER_PT, FOOTER_GAP_MM = 7.0, 2.0
MM_PER_INCH = 25.4


def screen_dpi() -> float:
    screen = QGuiApplication.primaryScreen() if QGuiApplication.instance() else None
    return float(screen.logicalDotsPerInch()) if screen is not None else 96.0


def mm_to_px(mm: float, dpi: float) -> float:
    return mm * dpi / MM_PER_INCH


@dataclass
class Laid:
    """A document laid out for its paper."""

    doc: QTextDocument
    spec: PaperSpec
    dpi: float
    #: The document's title (the order number…): in the page footer of a long one.
    title: str = ""

    @property
    def height_mm(self) -> float:
        """The page height: a roll's is the content's, plus its margins."""
        if self.spec.height_mm is not None:
            return self.spec.height_mm
        content = self.doc.size().height() * MM_PER_INCH / self.dpi
        return math.ceil(content + 2 * self.spec.margin_mm + 1)

    def page_layout(self) -> QPageLayout:
        spec = self.spec
        if spec.is_roll:
            size = QPageSize(
                QSizeF(spec.width_mm, self.height_mm), QPageSize.Unit.Millimeter,
                f"Roll {spec.width_mm:g} mm", QPageSize.SizeMatchPolicy.ExactMatch,
            )  # fmt: skip
        else:
            size = QPageSize(QPageSize.PageSizeId.A4 if spec.width_mm >= 200 else
                             QPageSize.PageSizeId.A5)  # fmt: skip
        m = spec.margin_mm
        return QPageLayout(
            size, QPageLayout.Orientation.Portrait, QMarginsF(m, m, m, m),
            QPageLayout.Unit.Millimeter,
        )  # fmt: skip


class _Html(QTextDocument):
    """A document whose images that cannot load (a file gone since the template was saved,
    an empty logo outside its section) are left out, not drawn as a broken picture icon."""

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        found = super().loadResource(kind, name)
        if found is None and kind == QTextDocument.ResourceType.ImageResource.value:
            blank = QImage(1, 1, QImage.Format.Format_ARGB32)
            blank.fill(Qt.GlobalColor.transparent)
            return blank
        return found


def layout(document: Document, paper: Paper | None = None) -> Laid:
    """Lay a document out on its paper's printable width (and page height for A4/A5)."""
    spec = PAPERS[paper or document.paper]
    dpi = screen_dpi()
    doc = _Html()
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(spec.font_pt * document.font_scale)  # Options' Large text
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setHtml(document.html)
    width = mm_to_px(spec.printable_mm, dpi)
    doc.setTextWidth(width)
    if spec.height_mm is not None:
        doc.setPageSize(QSizeF(width, mm_to_px(spec.height_mm - 2 * spec.margin_mm, dpi)))
        _keep_to_end(doc)
    return Laid(doc, spec, dpi, document.title)


#: `<a name="keep-to-end"></a>` in a template: the document from there to its end (an
#: invoice's totals, note and signatures) is kept on one page.
KEEP_TO_END = "keep-to-end"


def _keep_to_end(doc: QTextDocument) -> None:
    """Start the part from the KEEP_TO_END anchor on a new page when it would run over a
    page break and fits on one page: Qt knows no `page-break-inside: avoid`, and the
    signatures must not end up alone on the last page."""
    position = _anchor_position(doc, KEEP_TO_END)
    if position is None or doc.pageCount() < 2:
        return
    cursor = QTextCursor(doc)
    cursor.setPosition(position)
    frame = _top_level_frame(doc, cursor)
    page_height = doc.pageSize().height()

    def starts_on_the_last_page() -> bool:
        layout = doc.documentLayout()
        top = (layout.blockBoundingRect(cursor.block()) if frame is None
               else layout.frameBoundingRect(frame)).top()  # fmt: skip
        return _page_of(top, page_height) == doc.pageCount() - 1

    if starts_on_the_last_page():
        return  # all of it is on one page
    _break_before(cursor, frame, QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
    if not starts_on_the_last_page():  # longer than a page: a break would not keep it
        _break_before(cursor, frame, QTextFormat.PageBreakFlag.PageBreak_Auto)


def _top_level_frame(doc: QTextDocument, cursor: QTextCursor) -> QTextFrame | None:
    """The table (frame) of the body that holds the cursor; None for a plain paragraph."""
    frame = cursor.currentFrame()
    while frame is not None and frame.parentFrame() not in (None, doc.rootFrame()):
        frame = frame.parentFrame()
    return None if frame is None or frame == doc.rootFrame() else frame


def _break_before(cursor: QTextCursor, frame: QTextFrame | None,
                  policy: QTextFormat.PageBreakFlag) -> None:  # fmt: skip
    if frame is None:
        block_format = cursor.blockFormat()
        block_format.setPageBreakPolicy(policy)
        cursor.setBlockFormat(block_format)
        return
    frame_format = frame.frameFormat()
    frame_format.setPageBreakPolicy(policy)
    frame.setFrameFormat(frame_format)


def _page_of(y: float, page_height: float) -> int:
    return math.floor(y / page_height) if page_height > 0 else 0


def _anchor_position(doc: QTextDocument, name: str) -> int | None:
    """Where the text the `<a name>` anchor is attached to starts (Qt puts an empty
    anchor on the text that follows it)."""
    block = doc.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if name in fragment.charFormat().anchorNames():
                return fragment.position()
            fragments += 1
        block = block.next()
    return None


def paint(printer: QPrinter, laid: Sequence[Laid]) -> None:
    """Draw documents into one job: each starts on a new page with its own page size; a
    document of several pages has "title · page/pages" at the foot of each."""
    if not laid:
        raise PrintError(msg("There is nothing to print."))  # the ESC/POS path's words
    printer.setPageLayout(laid[0].page_layout())
    painter = QPainter()
    if not painter.begin(printer):
        name = printer.outputFileName() or printer.printerName()
        raise PrintError(could_not_start(name), printer=name)
    try:
        for i, item in enumerate(laid):
            if i:
                printer.setPageLayout(item.page_layout())
                printer.newPage()
            _paint_pages(painter, printer, item)
    finally:
        painter.end()


def could_not_start(name: str) -> str:
    return fill(translate("printing", "The printer %1 could not start the job."), repr(name))


def _paint_pages(painter: QPainter, printer: QPrinter, item: Laid) -> None:
    scale = printer.resolution() / item.dpi
    width = item.doc.textWidth()
    if item.spec.is_roll:
        pages, page_height = 1, item.doc.size().height()
    else:
        pages, page_height = item.doc.pageCount(), item.doc.pageSize().height()
    for page in range(pages):
        if page:
            printer.newPage()
        painter.save()
        painter.scale(scale, scale)
        if pages > 1:
            _page_footer(painter, item, f"{item.title} · {page + 1}/{pages}".lstrip(" ·"))
        painter.translate(0, -page * page_height)
        item.doc.drawContents(painter, QRectF(0, page * page_height, width, page_height))
        painter.restore()


def _page_footer(painter: QPainter, item: Laid, text: str) -> None:
    """`text` right-aligned in the bottom margin, under the page's content (so a page that
    falls out of a pile of slips says whose it is and which)."""
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    # In pixels of the layout (the painter is scaled to the device): points would be the
    # printer's, then scaled once more.
    font.setPixelSize(max(1, round(FOOTER_PT * item.dpi / 72)))
    painter.setFont(font)
    painter.setPen(QColor("#444444"))
    top = item.doc.pageSize().height() + mm_to_px(FOOTER_GAP_MM, item.dpi)
    height = mm_to_px(item.spec.margin_mm - FOOTER_GAP_MM, item.dpi)
    right_top = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    painter.drawText(QRectF(0, top, item.doc.textWidth(), height), right_top, text)


def available_printers() -> list[str]:
    """The system's printer names (a live list: a queue added later shows up)."""
    return list(QPrinterInfo.availablePrinterNames())


def no_printer_text(*, may_choose: bool = True) -> str:
    """Why nothing printed when the document has no printer: who may open Settings chooses
    one there; anyone else (a cashier with Orders only) asks the shop owner to."""
    if may_choose:
        return translate("printing", "No printer is chosen for this document: choose one in "
                                     "Settings → Printers & templates.")  # fmt: skip
    return translate("printing", "No printer is chosen for this document: ask the shop owner "
                                 "to choose one (Settings → Printers & templates).")  # fmt: skip


def check_printer(name: str, *, since: float | None = None) -> None:
    """Raise unless `name` is a printer the system knows and it takes jobs now: not
    paused, not refusing, reachable, and not sitting on jobs sent more than STUCK_AFTER_S
    before `since` (now, or when a run of jobs began: its own jobs are not old ones).

    Qt silently turns an unknown name into a PDF printer with no file, which prints
    nothing: an unknown name is an error here, never a fallback. And CUPS takes a job for
    a printer that is off or unplugged without a word: it waits, and the next waits
    behind it.
    """
    if not name:
        raise PrinterNotFound(no_printer_text())
    names = available_printers()
    if name not in names:
        known = (", ".join(names) if names
                 else translate("printing", "none (is the print service running?)"))  # fmt: skip
        raise PrinterNotFound(
            fill(translate("printing", "The printer %1 is not installed on this computer. "
                                       "Printers found: %2."), repr(name), known),
            printer=name,
        )  # fmt: skip
    state = cups.queue_state(name)
    if state is not None and not state.accepting:
        raise PrinterRejected(
            fill(translate("printing", "The printer %1 is refusing new jobs. Turn job acceptance "
                                       "back on (or choose another printer), then try again."),
                 repr(name)),
            printer=name, detail=state.message,
        )  # fmt: skip
    if state is not None and state.stopped:
        text = (
            fill(translate("printing", "The printer %1 is paused or offline (%2). Resume it, "
                                       "then try again."), repr(name), state.message)
            if state.message
            else fill(translate("printing", "The printer %1 is paused or offline. Resume it, "
                                            "then try again."), repr(name))
        )  # fmt: skip
        raise PrinterOffline(text, printer=name)
    if state is not None:
        _check_reachable(name, state, time.time() if since is None else since)


#: Jobs sent this long before and not printed yet: the printer is not printing (a receipt
#: takes seconds, an invoice on a laser well under a minute).
STUCK_AFTER_S = 60


def _check_reachable(name: str, state: cups.QueueState, since: float) -> None:
    """Raise when the backend says the printer cannot be reached, or when jobs sent well
    before `since` are still waiting: one more would only wait behind them."""
    if state.unreachable:
        text = fill(translate("printing", "The printer %1 cannot be reached. Check that it is "
                                          "switched on and connected (cable or Wi-Fi), then "
                                          "try again."), repr(name))  # fmt: skip
        waiting = len(state.waiting)
    elif state.busy:
        return  # printing along: a long job is no stuck printer
    else:
        waiting = state.waiting_since(since - STUCK_AFTER_S)
        if not waiting:
            return
        text = fill(translate("printing", "The printer %1 has not printed what was sent to it "
                                          "over a minute ago. Check that it is switched on, "
                                          "connected and has paper, then try again."),
                    repr(name))  # fmt: skip
    if waiting == 1:
        text += " " + translate("printing", "1 earlier print job is still waiting and prints "
                                            "once the printer is back.")  # fmt: skip
    elif waiting > 1:
        text += " " + fill(translate("printing", "%1 earlier print jobs are still waiting and "
                                                 "print once the printer is back."),
                           str(waiting))  # fmt: skip
    raise PrinterOffline(text, printer=name, detail=state.backend_message or None)


@contextmanager
def system_job(name: str, title: str, *, since: float | None = None) -> Iterator[QPrinter]:
    """A job on the system printer `name` (checked first, see `check_printer` for `since`):
    draw into the printer in the block; a printer that reported an error by its end raises."""
    check_printer(name, since=since)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPrinterName(name)
    if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat:
        raise PrinterNotFound(
            fill(translate("printing", "The printer %1 cannot be used."), repr(name)), printer=name
        )
    printer.setDocName(title)
    yield printer
    if printer.printerState() in (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted):
        raise PrinterOffline(
            fill(translate("printing", "The printer %1 reported an error."), repr(name)),
            printer=name,
        )


@contextmanager
def pdf_job(path: Path, title: str) -> Iterator[QPrinter]:
    """A PDF printer for `path`, complete or not at all: written beside, moved into place
    when the block ends, dropped when it raises."""
    path = Path(path)
    if not path.parent.is_dir():
        raise PrintError(
            fill(translate("printing", "The folder %1 does not exist."), repr(str(path.parent))),
            printer=str(path),
        )
    if path.is_dir():
        raise PrintError(
            fill(translate("printing", "%1 is a folder: give the PDF file's name (e.g. %2)."),
                 repr(str(path)), repr(str(path / "x.pdf"))),
            printer=str(path),
        )  # fmt: skip
    tmp = path.with_name(f".{path.name}.part")
    try:  # Qt cannot say why it could not write (it blames "the printer" …part)
        tmp.touch()
    except OSError as exc:  # a read-only folder or USB stick, no permission, a full disk
        raise PrintError(
            fill(translate("printing", "Could not write %1: %2."), repr(str(path)),
                 str(exc.strerror or exc)),
            printer=str(path),
        ) from exc  # fmt: skip
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp))
    printer.setDocName(title)
    try:
        yield printer
        if not tmp.is_file() or not tmp.stat().st_size:  # Qt says nothing when it failed
            raise PrintError(
                fill(translate("printing", "Could not write a PDF into %1."),
                     repr(str(path.parent))),
                printer=str(path),
            )  # fmt: skip
        try:
            os.replace(tmp, path)
        except OSError as exc:  # read-only folder, a full disk, a file in use
            raise PrintError(
                fill(translate("printing", "Could not write %1: %2."), repr(str(path)),
                     str(exc.strerror or exc)),
                printer=str(path),
            ) from exc  # fmt: skip
    finally:
        with suppress(OSError):  # never hides the error above
            tmp.unlink(missing_ok=True)


def print_to_printer(documents: Sequence[Document], name: str, *, job_name: str = "",
                     since: float | None = None) -> None:  # fmt: skip
    """Print documents as one job on the system printer `name` (checked first; `since`: see
    `check_printer`)."""
    with system_job(name, job_name or documents[0].title, since=since) as printer:
        printer.setFullPage(False)
        paint(printer, [layout(d) for d in documents])


def print_to_pdf(documents: Sequence[Document], path: Path) -> Path:
    """Write documents into one PDF (complete or not at all: written beside, then moved)."""
    with pdf_job(path, documents[0].title if documents else "") as printer:
        printer.setFullPage(False)
        paint(printer, [layout(d) for d in documents])
    return Path(path)


def to_image(document: Document, dots: int | None = None) -> QImage:
    """The document as a greyscale image `dots` wide (a roll's ESC/POS width by default)."""
    laid = layout(document)
    width = dots or laid.spec.dots
    if not width:
        raise PrintError(translate(
            "printing",
            "Thermal (ESC/POS) printers print on rolls: choose 80 mm or 58 mm paper for this "
            "document.",
        ))  # fmt: skip
    scale = width / laid.doc.textWidth()
    height = max(1, math.ceil(laid.doc.size().height() * scale))
    image = QImage(width, height, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.scale(scale, scale)
    laid.doc.drawContents(painter)
    painter.end()
    return image


def qimage_to_pil(image: QImage) -> Image.Image:
    """A greyscale PIL copy of a QImage."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    raw = bytes(gray.constBits())[: gray.bytesPerLine() * gray.height()]
    return Image.frombytes("L", (gray.width(), gray.height()), raw, "raw", "L",
                           gray.bytesPerLine())  # fmt: skip
