"""Barcode labels drawn by Qt: onto a system printer, into a PDF, into a preview image.

`printing/labels.py` says where each label sits (mm); this draws one label's text and bars
in device pixels, so the same code paints a 203 dpi label printer, a PDF and the preview.
Roll stocks make one page per row of labels (the label printer's gap sensor finds the
next label); sheets are A4 pages. Painting runs on a worker (QPrinter/QImage are safe off
the UI thread).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
)
from PySide6.QtPrintSupport import QPrinter

from primedist.core.money import format_money
from primedist.jobs.progress import NullProgress, Progress
from primedist.printing.errors import PrinterNotFound, PrintError
from primedist.printing.labels import (
    QUIET_ZONE_MM,
    LabelItem,
    LabelOptions,
    LabelStock,
    Placed,
    check_items,
    code_modules,
    label_count,
    page_count,
    pages,
    stock_named,
)
from primedist.ui.printing import render
from primedist.ui.printing.render import FONT_FAMILIES, MM_PER_INCH

#: Space inside a label's edge (mm): die-cut labels shift a little on the roll.
PAD_MM = 1.2
#: Labels per printer job: a job cannot be cancelled once sent, so big prints go in parts.
PRINTER_JOB_LABELS = 200
#: The text sizes (points) of a 22 mm tall label; taller labels scale them up.
SHOP_PT, NAME_PT, CODE_PT, PRICE_PT = 5.5, 6.5, 5.5, 8.0
#: The smallest type a long variant shrinks to before it wraps (a 203 dpi printer's limit).
MIN_TEXT_PT = 4.5
#: A variant too long for one line even in MIN_TEXT_PT wraps to this many lines at most.
VARIANT_LINES = 2


@dataclass(frozen=True)
class LabelJob:
    """What to print: the items with their copies, the options and the shop's name."""

    items: Sequence[LabelItem]
    options: LabelOptions
    shop: str = ""
    lang: str = "vi"

    @property
    def stock(self) -> LabelStock:
        return stock_named(self.options.stock)

    @property
    def labels(self) -> int:
        return label_count(self.items)


@dataclass(frozen=True)
class LabelsResult:
    labels: int
    pages: int
    where: str
    jobs: int = 1


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


class _Painter:
    """Draws labels on one device: millimetres in, device pixels out."""

    def __init__(self, painter: QPainter, device: QPaintDevice, job: LabelJob) -> None:
        self.p = painter
        self.device = device
        self.job = job
        self.dpmm = device.logicalDpiX() / MM_PER_INCH
        self.scale = min(job.stock.label_h / 22, 1.6)
        # On a real printer (a few hundred dpi) bars snap to its pixels; a PDF keeps them exact.
        self.snap = device.logicalDpiX() < 400

    def px(self, mm: float) -> float:
        return mm * self.dpmm

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.device)

    def line_mm(self, font: QFont) -> float:
        return self.metrics(font).height() / self.dpmm

    def text(self, x: float, y: float, w: float, font: QFont, text: str,
             align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignHCenter) -> float:  # fmt: skip
        """One line of `text` (elided to fit) at (x, y) mm; returns its height (mm)."""
        fm = self.metrics(font)
        shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, self.px(w))
        h = self.line_mm(font)
        self.p.setFont(font)
        self.p.drawText(QRectF(self.px(x), self.px(y), self.px(w), self.px(h)),
                        int(align | Qt.AlignmentFlag.AlignVCenter), shown)  # fmt: skip
        return h

    def wrapped(self, x: float, y: float, w: float, font: QFont, text: str, lines: int) -> float:
        """`text` on up to `lines` lines (words wrapped, the last elided); returns mm used."""
        fm, width = self.metrics(font), self.px(w)
        words, rows = text.split(), list[str]()
        while words and len(rows) < lines - 1:
            row = words.pop(0)
            while words and fm.horizontalAdvance(f"{row} {words[0]}") <= width:
                row = f"{row} {words.pop(0)}"
            rows.append(row)
        if words:
            rows.append(" ".join(words))
        return sum(self.text(x, y + i * self.line_mm(font), w, font, r) for i, r in enumerate(rows))

    def fitted(self, x: float, y: float, w: float, font: QFont, text: str) -> float:
        """`text` whole on one line: in smaller type when it is too long (down to
        MIN_TEXT_PT), then on two lines at most (the last elided: the barcode keeps its
        height); returns mm used."""
        width = self.px(w)
        font = QFont(font)
        while (self.metrics(font).horizontalAdvance(text) > width
               and font.pointSizeF() > MIN_TEXT_PT):  # fmt: skip
            font.setPointSizeF(max(font.pointSizeF() - 0.25, MIN_TEXT_PT))
        return self.wrapped(x, y, w, font, text, VARIANT_LINES)

    def name_and_variant(self, x: float, y: float, w: float, item: LabelItem) -> float:
        """The name on two lines; with a variant, the name on one (cut when long) and the
        variant whole on its own: it is what tells one variant's label from another's."""
        font = _font(NAME_PT * self.scale)
        if not item.variant:
            return self.wrapped(x, y, w, font, item.name, 2)
        used = self.text(x, y, w, font, item.name)
        return used + self.fitted(x, y + used, w, font, item.variant)

    def bars(self, x: float, y: float, h: float, code: str) -> None:
        """The Code 128 bars of `code`, centred across the label at (x, y), `h` mm tall."""
        stock = self.job.stock
        modules = code_modules(code)
        module = self.px(stock.module_mm(len(modules)))
        if self.snap:
            module = max(round(module), 1)
        left = self.px(x + QUIET_ZONE_MM) + (self.px(stock.bars_mm) - module * len(modules)) / 2
        if self.snap:
            left = round(left)
        top, height = self.px(y), self.px(h)
        black = QColor("black")
        run_start = None
        for i, bit in enumerate(modules + "0"):
            if bit == "1" and run_start is None:
                run_start = i
            elif bit == "0" and run_start is not None:
                self.p.fillRect(QRectF(left + run_start * module, top,
                                       (i - run_start) * module, height), black)  # fmt: skip
                run_start = None

    def label(self, placed: Placed) -> None:
        job, stock, s = self.job, self.job.stock, self.scale
        item = placed.item
        x, w = placed.x + PAD_MM, stock.label_w - 2 * PAD_MM
        top, bottom = placed.y + PAD_MM * 0.8, placed.y + stock.label_h - PAD_MM * 0.8
        y = top
        if job.options.show_shop and job.shop:
            y += self.text(x, y, w, _font(SHOP_PT * s, bold=True), job.shop)
        y += self.name_and_variant(x, y, w, item)
        code_font, price_font = _font(CODE_PT * s), _font(PRICE_PT * s, bold=True)
        price = format_money(item.price, job.lang) if job.options.show_price else ""
        gap = 2.0
        one_line = not price or (
            self.metrics(code_font).horizontalAdvance(item.code)
            + self.metrics(price_font).horizontalAdvance(price)
            + self.px(gap)
            <= self.px(w)
        )
        foot = max(self.line_mm(code_font), self.line_mm(price_font) if price else 0)
        if not one_line:
            foot = self.line_mm(code_font) + self.line_mm(price_font)
        bars_h = max(bottom - foot - y - 0.4, 3.0)
        self.bars(placed.x, y + 0.2, bars_h, item.code)
        y += bars_h + 0.4
        if one_line and price:  # side by side, on one baseline
            self.text(x, y + foot - self.line_mm(code_font), w, code_font, item.code,
                      Qt.AlignmentFlag.AlignLeft)  # fmt: skip
            self.text(x, y + foot - self.line_mm(price_font), w, price_font, price,
                      Qt.AlignmentFlag.AlignRight)  # fmt: skip
        else:
            y += self.text(x, y, w, code_font, item.code)
            if price:
                self.text(x, y, w, price_font, price)

    def page(self, placed: Sequence[Placed]) -> None:
        self.p.setPen(QColor("black"))
        for label in placed:
            self.label(label)


def page_layout(stock: LabelStock) -> QPageLayout:
    size = QPageSize(QSizeF(stock.page_w, stock.page_h), QPageSize.Unit.Millimeter,
                     f"Labels {stock.page_w:g} × {stock.page_h:g} mm",
                     QPageSize.SizeMatchPolicy.ExactMatch)  # fmt: skip
    return QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
                       QPageLayout.Unit.Millimeter)  # fmt: skip


def paint_pages(
    printer: QPrinter,
    job: LabelJob,
    sheets: Iterable[Sequence[Placed]],
    progress: Progress,
    *,
    check: bool = True,
    total: int = 0,
) -> None:
    """Draw `sheets` (pages of placed labels) into `printer`, full page, no margins.
    With `check`, a cancel stops between pages (for a PDF, whose file is then dropped);
    with `total`, each page drawn is a progress step."""
    printer.setFullPage(True)
    printer.setPageLayout(page_layout(job.stock))
    painter = QPainter()
    if not painter.begin(printer):
        name = printer.outputFileName() or printer.printerName()
        raise PrintError(render.could_not_start(name), printer=name)
    try:
        draw = _Painter(painter, printer, job)
        for i, placed in enumerate(sheets):
            if check:
                progress.check()
            if i:
                printer.newPage()
            draw.page(placed)
            if total:
                progress.update((i + 1) / total, f"{i + 1}/{total}")
    finally:
        painter.end()


def _page_groups(job: LabelJob) -> Iterator[list[list[Placed]]]:
    """The pages in groups of about PRINTER_JOB_LABELS labels: one printer job each."""
    per_job = max(1, PRINTER_JOB_LABELS // job.stock.per_page)
    group: list[list[Placed]] = []
    for page in pages(job.items, job.options):
        group.append(page)
        if len(group) == per_job:
            yield group
            group = []
    if group:
        yield group


def print_labels(
    job: LabelJob, printer_name: str, progress: Progress | None = None
) -> LabelsResult:
    """Print the labels on the system printer `printer_name` (checked first), in jobs of
    about PRINTER_JOB_LABELS labels.

    A print job cannot be taken back once Qt starts it (QPrinter.abort does nothing on
    CUPS), so Cancel stops between jobs: what was sent prints, nothing more."""
    progress = progress or NullProgress()
    if not printer_name:
        raise PrinterNotFound(render.translate(
            "printing",
            "No printer is chosen for the labels: choose one in Products → Print labels (or "
            "give --printer NAME).",
        ))  # fmt: skip
    check_items(job.items, job.stock)
    total, done, jobs = page_count(job.items, job.options), 0, 0
    for group in _page_groups(job):
        progress.check()
        with render.system_job(printer_name, "Labels") as printer:
            paint_pages(printer, job, group, progress, check=False)
        done, jobs = done + len(group), jobs + 1
        progress.update(done / total, f"{done}/{total}")
    return LabelsResult(job.labels, total, printer_name, jobs)


def labels_to_pdf(job: LabelJob, path: Path, progress: Progress | None = None) -> LabelsResult:
    """Write the labels into one PDF (complete or not at all; a cancel drops it)."""
    progress = progress or NullProgress()
    check_items(job.items, job.stock)
    total = page_count(job.items, job.options)
    with render.pdf_job(path, "Labels") as printer:
        paint_pages(printer, job, pages(job.items, job.options), progress, total=total)
    return LabelsResult(job.labels, total, str(path), 1)


def preview_image(job: LabelJob, dpi: float = 203) -> QImage:
    """The first page as the label printer would print it (white, `dpi` dots per inch)."""
    stock = job.stock
    width, height = (max(1, round(mm * dpi / MM_PER_INCH)) for mm in (stock.page_w, stock.page_h))
    image = QImage(width, height, QImage.Format.Format_RGB32)
    dpm = round(dpi / MM_PER_INCH * 1000)
    image.setDotsPerMeterX(dpm)
    image.setDotsPerMeterY(dpm)
    image.fill(QColor("white"))
    first = next(pages(job.items, job.options), [])
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    try:
        draw = _Painter(painter, image, job)
        _outline(painter, draw, stock)
        draw.page(first)
    finally:
        painter.end()
    return image


def _outline(painter: QPainter, draw: _Painter, stock: LabelStock) -> None:
    """The labels' edges in light grey (the preview only: the die-cut shows on paper)."""
    painter.setPen(QColor("#D0D5DD"))
    for i in range(stock.per_page):
        x, y = stock.cell(i)
        painter.drawRoundedRect(QRectF(QPointF(draw.px(x), draw.px(y)),
                                       QSizeF(draw.px(stock.label_w) - 1,
                                              draw.px(stock.label_h) - 1)), 6, 6)  # fmt: skip
