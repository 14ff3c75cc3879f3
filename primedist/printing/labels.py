"""Barcode labels (*tem mã vạch*) for products: the label stocks a shop buys, where each
label sits on a page, and the Code 128 bars of a code. No Qt here: `ui/printing/labels.py`
draws what this lays out.

A label carries (top to bottom) the shop's name (optional), the product name and variant,
the bars of the variant's barcode (its SKU when it has none), that code in text, and the
selling price (optional). The bars are drawn as rectangles whose module (narrowest bar) is
a whole number of dots of a 203 dpi label printer, as wide as the label allows: a module of
1.4 dots would print as bars of 1 or 2 dots at random, and scanners misread that.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from primedist.core.messages import msg
from primedist.errors import ValidationError

#: One dot of a 203 dpi thermal label printer (mm): the unit of a bar's width.
DOT_MM = 25.4 / 203
#: The widest module used (4 dots): wider bars read no better and leave less room.
MAX_MODULE_DOTS = 4
#: Blank space each side of the bars (mm): scanners need it to find where the code starts.
QUIET_ZONE_MM = 1.5
#: Labels one job may hold (a big goods receipt fits; a slip of the keyboard does not).
MAX_LABELS = 10_000
#: Copies of one variant's label in one job.
MAX_COPIES = 1_000


class StockKind(StrEnum):
    #: A roll for a label printer: each page is one row of labels.
    ROLL = "roll"
    #: A sheet of labels for an office printer (A4).
    SHEET = "sheet"


@dataclass(frozen=True)
class LabelStock:
    """A kind of label paper: label size, how many across, and the page they sit on."""

    key: str
    kind: StockKind
    label_w: float
    label_h: float
    columns: int
    rows: int
    page_w: float
    page_h: float
    gap_x: float = 0.0
    gap_y: float = 0.0
    #: Where the first label's top-left corner is on the page (mm).
    left: float = 0.0
    top: float = 0.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def cell(self, index: int) -> tuple[float, float]:
        """The top-left corner (mm) of the `index`-th label of a page (row by row)."""
        row, col = divmod(index, self.columns)
        return (self.left + col * (self.label_w + self.gap_x),
                self.top + row * (self.label_h + self.gap_y))  # fmt: skip

    @property
    def bars_mm(self) -> float:
        """The width the bars may take (the label's, less the quiet zones)."""
        return self.label_w - 2 * QUIET_ZONE_MM

    @property
    def max_modules(self) -> int:
        """The most Code 128 modules that fit across a label, one dot each."""
        return int(self.bars_mm / DOT_MM)

    def module_mm(self, modules: int) -> float:
        """The module width (mm) for a code of `modules`: whole dots, as many as fit."""
        dots = min(int(self.bars_mm / DOT_MM / max(modules, 1)), MAX_MODULE_DOTS)
        return max(dots, 1) * DOT_MM


def _roll(
    key: str, w: float, h: float, columns: int, page_w: float, gap: float = 2.0
) -> LabelStock:
    used = columns * w + (columns - 1) * gap
    return LabelStock(key, StockKind.ROLL, w, h, columns, 1, page_w, h, gap_x=gap,
                      left=(page_w - used) / 2)  # fmt: skip


def _sheet(key: str, w: float, h: float, columns: int, rows: int, gap_x: float = 0.0,
           gap_y: float = 0.0) -> LabelStock:  # fmt: skip
    page_w, page_h = 210.0, 297.0
    left = (page_w - columns * w - (columns - 1) * gap_x) / 2
    top = (page_h - rows * h - (rows - 1) * gap_y) / 2
    return LabelStock(key, StockKind.SHEET, w, h, columns, rows, page_w, page_h, gap_x, gap_y,
                      left, top)  # fmt: skip


#: The label stocks sold for shop label printers (Xprinter, Godex, TSC…) and A4 sheets.
STOCKS: dict[str, LabelStock] = {
    s.key: s
    for s in (
        _roll("roll_35x22_2", 35, 22, 2, 74),
        _roll("roll_35x22_3", 35, 22, 3, 110),
        _roll("roll_50x30_1", 50, 30, 1, 50, gap=0),
        _roll("roll_40x30_1", 40, 30, 1, 40, gap=0),
        _sheet("a4_65", 38.1, 21.2, 5, 13, gap_x=2.5),
        _sheet("a4_24", 70, 37, 3, 8),
    )
}
DEFAULT_STOCK = "roll_35x22_2"


def stock_named(key: str) -> LabelStock:
    try:
        return STOCKS[key]
    except KeyError:
        raise ValidationError(
            msg("There is no label paper named {name} (papers: {names}).",
                name=repr(key), names=", ".join(STOCKS)),
            field="stock",
        ) from None  # fmt: skip


@dataclass(frozen=True)
class LabelItem:
    """What one variant's label says, and how many of it to print."""

    variant_id: int
    sku: str
    #: The code in the bars: the variant's barcode, else its SKU.
    code: str
    name: str
    #: The options, e.g. "Đỏ / XL" ("" for a product without variants).
    variant: str
    #: The selling price (the discount price when there is one), minor units.
    price: int
    stock: int
    copies: int = 1


@dataclass(frozen=True)
class LabelOptions:
    stock: str = DEFAULT_STOCK
    show_price: bool = True
    show_shop: bool = True
    #: Sheets only: labels already peeled off the first sheet (start at the next one).
    skip: int = 0


@dataclass(frozen=True)
class Placed:
    """One label on a page: its item and its top-left corner (mm)."""

    item: LabelItem
    x: float
    y: float


@lru_cache(maxsize=8192)
def code_modules(code: str) -> str:
    """The Code 128 modules of `code` ("1" = bar, "0" = space), start to stop (kept: the
    labels dialog checks every row's code as copies are typed)."""
    import barcode
    from barcode.errors import BarcodeError

    try:
        return str(barcode.get("code128", code).build()[0])
    except BarcodeError as exc:  # characters outside ASCII
        raise ValidationError(
            msg("{code} cannot be a barcode: use letters without accents, digits and - . / _ "
                "only.", code=repr(code)),
            field="code",
        ) from exc  # fmt: skip


def code_problem(code: str, stock: LabelStock) -> str | None:
    """Why `code` cannot be printed as bars on `stock`'s labels (None when it can)."""
    if not code.strip():
        return msg("The variant has neither a barcode nor a SKU.")
    if any(not 32 <= ord(ch) < 127 for ch in code):
        return msg("{code} cannot be a barcode: use letters without accents, digits and - . / _ "
                   "only.", code=repr(code))  # fmt: skip
    if len(code_modules(code)) > stock.max_modules:
        return msg(
            "{code} is too long for {w} mm wide labels: choose wider labels or give the "
            "variant a shorter barcode.", code=repr(code), w=f"{stock.label_w:g}",
        )  # fmt: skip
    return None


def check_items(items: Sequence[LabelItem], stock: LabelStock) -> None:
    """Raise a ValidationError naming every SKU whose labels cannot be printed, or when
    there is nothing (or too much) to print."""
    total = sum(max(i.copies, 0) for i in items)
    if total == 0:
        raise ValidationError(msg("There are no labels to print: give at least one product "
                                  "a number of copies."), field="copies")  # fmt: skip
    if total > MAX_LABELS:
        raise ValidationError(msg("{n} labels are too many for one job (at most {max}): "
                                  "print them in parts.", n=total, max=MAX_LABELS),
                              field="copies")  # fmt: skip
    for item in items:
        if not 0 <= item.copies <= MAX_COPIES:
            raise ValidationError(msg("SKU {sku}: copies must be between 0 and {max}.",
                                      sku=item.sku, max=MAX_COPIES), field="copies")  # fmt: skip
        problem = code_problem(item.code, stock) if item.copies else None
        if problem:
            raise ValidationError(msg("SKU {sku}: {problem}", sku=item.sku, problem=problem),
                                  field="code")  # fmt: skip


def label_count(items: Sequence[LabelItem]) -> int:
    return sum(max(i.copies, 0) for i in items)


def page_count(items: Sequence[LabelItem], opts: LabelOptions) -> int:
    stock = stock_named(opts.stock)
    return math.ceil((label_count(items) + _skipped(opts, stock)) / stock.per_page)


def _skipped(opts: LabelOptions, stock: LabelStock) -> int:
    check_start(opts, stock)
    return opts.skip


def check_start(opts: LabelOptions, stock: LabelStock) -> None:
    """Refuse a first label that is not on the sheet (never moved silently to the last
    one), or any first label on a roll (a roll always goes on from the next label)."""
    if stock.kind == StockKind.ROLL and opts.skip:
        raise ValidationError(
            msg("A start label is for sheets of labels only: {paper} is a roll, which always "
                "prints from the next label.", paper=stock.key),
            field="start",
        )  # fmt: skip
    if not 0 <= opts.skip < stock.per_page:
        raise ValidationError(
            msg("There is no label {start} on a sheet of {paper}: start at a label from 1 to "
                "{n}.", start=opts.skip + 1, paper=stock.key, n=stock.per_page),
            field="start",
        )  # fmt: skip


def pages(items: Sequence[LabelItem], opts: LabelOptions) -> Iterator[list[Placed]]:
    """The labels page by page, each variant's copies side by side, in the items' order;
    on a sheet the first `skip` places of the first page are left empty."""
    stock = stock_named(opts.stock)
    slot = _skipped(opts, stock)
    page: list[Placed] = []
    for item in items:
        for _ in range(max(item.copies, 0)):
            x, y = stock.cell(slot)
            page.append(Placed(item, x, y))
            slot += 1
            if slot == stock.per_page:
                yield page
                page, slot = [], 0
    if page:
        yield page
