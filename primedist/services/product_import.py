"""Import products from the product template (.csv/.xlsx): `primedist import products FILE`.

The template has one row per variant (SKU); the product-level columns (`PRODUCT_COLUMNS`)
repeat on every row of a product and must agree (README § Import file formats). The
rows of one product share its `product_name` (matched exactly, trimmed). The import
follows the rules of the order import (services/order_import.py) in two phases:

1. **Read and check** every row without touching the database. A bad value rejects its
   whole product (every row of it is reported, the bad one with the reason, naming the
   row and column); other products go on. A problem with the file itself (missing, not
   Excel, no header, a required column missing, too big...) raises `ValidationError` and
   nothing is written.
2. **Plan and write**, in ONE transaction: look the SKUs up among active variants (a
   matched variant is updated; a SKU on products of several shops is told apart by the
   row's `shops`, and a row that does not say which is refused: `_match_rows`), find each
   product (by its matched SKUs, else by exact name among
   non-archived products, else new), resolve the shop names, compare with the store
   (identical rows are *unchanged* and not written: importing a file twice changes
   nothing) and write with Core executemany: products, variants, listings, stock
   movements (opening stock = STOCK_IN, a changed stock of an existing variant =
   ADJUSTMENT, reason "Import"; stock never changes without a movement row; adjusted
   stock is queued for the marketplace listings as `stock.push`), `listing.upsert` outbox
   messages for marketplace listings added or whose product changed (services.catalogue's
   rule), the folded `search_text`, the product summaries, one audit row and a Home
   activity item. A cancel or an error rolls the whole import back.

A column left out of the file leaves that field of existing products and variants as it
is; a present but empty cell clears it (`stock` and `cost`: an empty cell leaves an
existing variant's stock, and its cost, alone; a new one gets 0). A cost given on a member
of a SKU group goes to every member, as in the product form (`stock.share_cost`).
The header may use the template keys (`product_name`), the English headers of the
product export (`Product name`) or its Vietnamese headers (`Tên sản phẩm`, accents
optional), so an export re-imports as it is, below a title row or two (the first row up
to row 10 naming the required columns is the header). Rejected rows name a column by the
file's own header; header cells naming no column are listed in the report
(`ignored_columns`). A SKU or barcode Excel rounded (a number cell of 16 digits or more,
or 5.76461E+17 in a CSV it saved) is refused.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple, TypeAlias, cast

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.messages import msg
from primedist.core.search_keys import product_search_text
from primedist.core.text import clean_code, clean_line, clean_text, fold
from primedist.db.engine import is_sqlite
from primedist.db.product_summary import chunks, products_of, refresh_product_summaries
from primedist.domain.base import table_of
from primedist.domain.enums import Module, ProductStatus, StockMoveKind
from primedist.domain.goods_receipt import MAX_RECEIPT_QUANTITY
from primedist.domain.product import (
    Product,
    ProductListing,
    SkuGroup,
    StockMovement,
    Variant,
    VariantListing,
)
from primedist.domain.shop import Shop
from primedist.io.tabular import (
    Cell,
    TabularFile,
    cell_text,
    open_table,
    parse_amount,
    parse_whole_number,
)
from primedist.io.xlsx_writer import unneutralise
from primedist.jobs.progress import Progress
from primedist.services.catalogue import (
    MAX_VARIANTS,
    MAX_WEIGHT_G,
    barcode_problem,
    queue_listing_upserts,
)
from primedist.services.context import ServiceContext
from primedist.services.import_support import (
    PLAN_SHARE,
    READ_SHARE,
    REQUIRED_VALUE,
    BadValue,
    ImportReportBase,
    RejectedRow,
    column_length,
    outcomes,
    record_import,
    rejected_drafts,
    rows_of_rejected,
    run_import,
    search_indexed_after,
    shown,
    too_big,
    too_long,
    too_small,
)
from primedist.services.order_import import rounded_by_excel
from primedist.services.stock import PushTarget, push_targets, queue_pushes

products_t = table_of(Product)
variants_t = table_of(Variant)
groups_t = table_of(SkuGroup)
listings_t = table_of(ProductListing)
variant_listings_t = table_of(VariantListing)
movements_t = table_of(StockMovement)
shops_t = table_of(Shop)

#: Every column of the template, in the documented order.
COLUMNS = (
    "product_name", "category", "description", "sku", "barcode", "option1_name", "option1",
    "option2_name", "option2", "cost", "price", "discount_price", "stock", "low_stock_level",
    "weight_g", "shops", "status",
)  # fmt: skip
REQUIRED = ("product_name", "sku", "price")
#: Product-level columns: repeated on each row of a product, and must agree.
PRODUCT_COLUMNS = (
    "category", "description", "option1_name", "option2_name", "shops", "status",
)  # fmt: skip
VARIANT_COLUMNS = (
    "sku", "barcode", "option1", "option2", "cost", "price", "discount_price", "stock",
    "low_stock_level", "weight_g",
)  # fmt: skip

#: Headers of the template columns and of the export's read-only extras:
#: {key: (Vietnamese, English)}. The import accepts the key and both headers.
HEADERS: dict[str, tuple[str, str]] = {
    "product_name": ("Tên sản phẩm", "Product name"),
    "category": ("Danh mục", "Category"),
    "description": ("Mô tả", "Description"),
    "sku": ("Mã SKU", "SKU"),
    "barcode": ("Mã vạch", "Barcode"),
    "option1_name": ("Tên thuộc tính 1", "Option 1 name"),
    "option1": ("Thuộc tính 1", "Option 1"),
    "option2_name": ("Tên thuộc tính 2", "Option 2 name"),
    "option2": ("Thuộc tính 2", "Option 2"),
    "cost": ("Giá vốn", "Cost"),
    "price": ("Giá bán", "Price"),
    "discount_price": ("Giá khuyến mãi", "Discount price"),
    "stock": ("Tồn kho", "Stock"),
    "low_stock_level": ("Mức tồn kho thấp", "Low stock level"),
    "weight_g": ("Khối lượng (g)", "Weight (g)"),
    "shops": ("Gian hàng", "Shops"),
    "status": ("Trạng thái", "Status"),
    # Read-only extras of the export (ignored by the import).
    "on_hand": ("Tồn thực tế", "On hand"),
    "reserved": ("Đang giữ cho đơn", "Reserved"),
    "available": ("Có thể bán", "Available"),
    "created_at": ("Ngày tạo", "Created"),
}
EXTRA_COLUMNS = ("on_hand", "reserved", "available", "created_at")

#: Largest amount (đồng) and stock one cell may hold: the stock's is the app's one limit
#: (goods receipts, stock moves, stock-take), so a product's summed stock fits too.
MAX_AMOUNT = 1_000_000_000_000
MAX_STOCK = MAX_RECEIPT_QUANTITY
MAX_DESCRIPTION = 10_000
#: Separates shop names in the `shops` column.
SHOP_SEPARATOR = ";"
#: The reason of every stock movement an import writes.
IMPORT_REASON = "Import"
#: A status as the export writes it and the template's guide names it, in the file's
#: language (Vietnamese, English): the Products list's Vietnamese labels, the values.
STATUS_WORDS: dict[ProductStatus, tuple[str, str]] = {
    ProductStatus.ACTIVE: ("Đang bán", "active"),
    ProductStatus.HIDDEN: ("Đang ẩn", "hidden"),
}
#: The words a `status` cell may hold, folded (accents and case ignored): those of both
#: languages, and "Ẩn" (the list's Hide button), so a status copied from the app's screen
#: imports as it reads.
STATUSES: dict[str, ProductStatus] = {
    fold(word): status
    for status, words in (*STATUS_WORDS.items(), (ProductStatus.HIDDEN, ("Ẩn",)))
    for word in words
}
#: The money columns: read as the product form reads an amount (`tabular.parse_amount`:
#: "189.000", "189,000", "189.000 đ", "189k"), the other numbers by `parse_whole_number`.
_MONEY = frozenset({"cost", "price", "discount_price"})

_BATCH = 5_000  # rows per executemany between cancel checks
#: More codes than this are looked up in any case by one pass over the variants.
_SCAN_CODES = 2_000


#: The storage limit of each text column of the template.
MAX_LENGTH: dict[str, int] = {
    "product_name": column_length(products_t.c.name),
    "category": column_length(products_t.c.category),
    "description": MAX_DESCRIPTION,
    "sku": column_length(variants_t.c.sku),
    "barcode": column_length(variants_t.c.barcode),
    "option1_name": column_length(variants_t.c.option1_name),
    "option1": column_length(variants_t.c.option1),
    "option2_name": column_length(variants_t.c.option2_name),
    "option2": column_length(variants_t.c.option2),
    "shops": 2_000,
}


def header_key(name: str) -> str:
    """A header cell as the key it names: folded (accents optional), spaces as ``_``."""
    return "_".join(fold(name.replace("_", " ")).split())


#: Every accepted header spelling (folded) → template key.
HEADER_ALIASES: dict[str, str] = {}
for _key, (_vi, _en) in HEADERS.items():
    for _name in (_key, _vi, _en):
        HEADER_ALIASES[header_key(_name)] = _key


def column_key(name: str) -> str:
    """A (normalised) header cell as the template key it names (`Tên sản phẩm` is
    `product_name`); another cell as it is. Given to `open_table`, it lets the header be
    found below a title in any of the accepted spellings."""
    return HEADER_ALIASES.get(header_key(name), name)


# --------------------------------------------------------------------------- report


@dataclass
class ProductImportReport(ImportReportBase):
    """What a products import did; `rejected` lists every row not imported, by row number."""

    file: str = ""
    rows_read: int = 0
    products_created: int = 0
    products_updated: int = 0
    products_unchanged: int = 0
    products_rejected: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    variants_unchanged: int = 0
    #: Stock movements written (opening stock of new variants, adjustments of others).
    stock_moves: int = 0
    #: Shop listings added (or re-activated) for the `shops` column.
    listings_added: int = 0
    #: `listing.upsert` outbox messages queued for marketplace listings.
    listing_upserts: int = 0
    #: Header cells (as written) that name no column of the template: a warning, their
    #: values are not read (a misspelt "stok" leaves the stock alone).
    ignored_columns: list[str] = field(default_factory=list)
    #: Rows imported with a note of what the import left as it was (a product's `shops`
    #: cell without shops it is listed on: an import never removes a listing).
    notes: list[RejectedRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """True when the import wrote anything."""
        return bool(self.products_created or self.products_updated)

    def summary(self) -> str:
        """One line for people."""
        products = outcomes(
            self.products_created, self.products_updated, self.products_unchanged,
            self.products_rejected,
        )  # fmt: skip
        variants = outcomes(self.variants_created, self.variants_updated, self.variants_unchanged)
        values = dict(file=self.file, rows=self.rows_read, products=products,
                      variants=variants, moves=self.stock_moves,
                      **self._tail_values())  # fmt: skip
        if self.listings_added and self.rejected:
            return msg(
                "Imported {file}: {rows} rows; products {products}; variants {variants}; "
                "{moves} stock movements; {listings} shop listings added; {rejected} rows "
                "rejected ({seconds} s).",
                listings=self.listings_added, **values,
            )  # fmt: skip
        if self.listings_added:
            return msg(
                "Imported {file}: {rows} rows; products {products}; variants {variants}; "
                "{moves} stock movements; {listings} shop listings added ({seconds} s).",
                listings=self.listings_added, **values,
            )  # fmt: skip
        if self.rejected:
            return msg(
                "Imported {file}: {rows} rows; products {products}; variants {variants}; "
                "{moves} stock movements; {rejected} rows rejected ({seconds} s).",
                **values,
            )  # fmt: skip
        return msg(
            "Imported {file}: {rows} rows; products {products}; variants {variants}; "
            "{moves} stock movements ({seconds} s).",
            **values,
        )  # fmt: skip


# --------------------------------------------------------------------------- parsed rows


class _Head(NamedTuple):
    """The product-level values of a row (fields in `PRODUCT_COLUMNS` order)."""

    category: str | None
    description: str | None
    option1_name: str | None
    option2_name: str | None
    #: Shop names as written (trimmed, sorted, each once).
    shops: tuple[str, ...]
    #: None when the status column is absent.
    status: ProductStatus | None


class _Row(NamedTuple):
    """The variant-level values of a row."""

    row: int
    sku: str
    barcode: str | None
    option1: str | None
    option2: str | None
    #: None: the cell is empty (an existing variant's cost is kept: often the average the
    #: goods receipts made, which a blank cell must not wipe out; a new one gets 0).
    cost: int | None
    price: int
    discount_price: int | None
    #: None: the cell is empty (an existing variant's stock is left alone).
    stock: int | None
    low_stock_level: int | None
    weight_g: int | None
    #: The export's on-hand column (the stock when the file was exported); None without
    #: it. A stock equal to it was not edited; another changes the stock by the difference.
    on_hand: int | None = None


@dataclass(slots=True, eq=False)
class _Draft:
    """One product of the file: its rows, product-level values and variants."""

    name: str
    first_row: int
    rows: list[int] = field(default_factory=list)
    head: _Head | None = None
    raw_head: tuple[Cell, ...] = ()
    variants: list[_Row] = field(default_factory=list)
    #: (option1, option2) → the row that has them.
    options: dict[tuple[str | None, str | None], int] = field(default_factory=dict)
    error: RejectedRow | None = None
    #: Set while planning: the stored product it updates (None = a new product).
    product_id: int | None = None

    def reject(self, column: str | None, reason: str, row: int | None = None) -> None:
        if self.error is None:
            self.error = RejectedRow(self.first_row if row is None else row, column, reason)

    def rejected_rows(self) -> list[RejectedRow]:
        assert self.error is not None
        return rows_of_rejected(self.error, self.rows, "product")


#: The columns of several lines (their line breaks kept: `clean_text`).
_MULTILINE = frozenset({"description"})


#: The codes matched as stored: their inner spaces kept (`clean_code`).
_CODES = frozenset({"sku", "barcode"})
#: Excel keeps 15 significant digits of a number: a code of 16 digits or more typed into a
#: number cell has lost the rest, and "Save as CSV" writes a long one in scientific
#: notation (`order_import.rounded_by_excel`).
_EXACT_NUMBER = 10**15


def _rounded_by_excel(value: Cell) -> bool:
    """Whether a SKU or barcode cell is a number Excel rounded: stored as it is, it would
    name another variant (or none), so it is refused, never guessed."""
    if isinstance(value, str):
        return ("e" in value or "E" in value) and rounded_by_excel(value)
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) and not abs(value) < _EXACT_NUMBER  # NaN too


def _clean(value: Cell, *, lines: bool = False, code: bool = False) -> str:
    """A cell as one line of text (`clean_line`: no control or invisible characters), its
    line breaks kept when `lines`, its inner spaces when `code`; the export's formula
    guard (a leading ``'`` before ``= + - @``) is taken off again, so exported text
    re-imports as it was."""
    if isinstance(value, str):
        text = clean_text(value) if lines else clean_code(value) if code else clean_line(value)
    else:
        text = cell_text(value)
    return unneutralise(text) if text[:1] == "'" else text


def _text(value: Cell, column: str, *, required: bool = False) -> str | None:
    if column in _CODES and _rounded_by_excel(value):
        raise BadValue(
            column,
            msg("{cell} is not an exact id: Excel stored it as a number and dropped digits; "
                "format the column as text and type the ids again", cell=shown(cell_text(value))),
        )  # fmt: skip
    text = _clean(value, lines=column in _MULTILINE, code=column in _CODES)
    if not text:
        if required:
            raise BadValue(column, REQUIRED_VALUE)
        return None
    limit = MAX_LENGTH[column]
    if len(text) > limit:
        raise BadValue(column, too_long(len(text), limit))
    return text


def _number(value: Cell, column: str, *, maximum: int) -> int | None:
    """A whole number >= 0, or None for an empty cell."""
    if isinstance(value, str):
        if value.isascii() and value.isdigit() and len(value) < 16:
            number = int(value)  # the usual case: plain digits
            if number <= maximum:
                return number
        elif not value.strip():
            return None
    try:
        number = (parse_amount if column in _MONEY else parse_whole_number)(value)
    except ValueError as exc:
        raise BadValue(column, exc.args[0]) from None
    if number < 0:
        raise BadValue(column, too_small(number, 0))
    if number > maximum:
        raise BadValue(column, too_big(number, maximum))
    return number


def _parse_head(raw: Sequence[Cell], has_status: bool) -> _Head:
    category, description, name1, name2, shops_v, status_v = raw
    shops_text = _text(shops_v, "shops") or ""
    shops = tuple(sorted({s.strip() for s in shops_text.split(SHOP_SEPARATOR) if s.strip()}))
    status: ProductStatus | None = None
    if has_status:
        word = _clean(status_v).lower()
        if not word:
            status = ProductStatus.ACTIVE
        elif fold(word) in STATUSES:
            status = STATUSES[fold(word)]
        else:
            raise BadValue(
                "status", msg("unknown value {status} (use active or hidden)", status=shown(word))
            )
    return _Head(
        category=_text(category, "category"),
        description=_text(description, "description"),
        option1_name=_text(name1, "option1_name"),
        option2_name=_text(name2, "option2_name"),
        shops=shops,
        status=status,
    )


def _on_hand(value: Cell) -> int | None:
    """The export's on hand: a whole number (below zero too), None for an empty cell."""
    if isinstance(value, str) and not value.strip():
        return None
    try:
        number = parse_whole_number(value)
    except ValueError as exc:
        raise BadValue("on_hand", exc.args[0]) from None
    if abs(number) > MAX_STOCK:
        raise BadValue("on_hand", too_big(abs(number), MAX_STOCK))
    return number


def _parse_row(row: int, sku: str, raw: Sequence[Cell], on_hand: Cell = "") -> _Row:
    barcode, option1, option2, cost_v, price_v, discount_v, stock_v, low_v, weight_v = raw
    price = _number(price_v, "price", maximum=MAX_AMOUNT)
    if price is None:
        raise BadValue("price", REQUIRED_VALUE)
    discount = _number(discount_v, "discount_price", maximum=MAX_AMOUNT)
    if discount is not None and discount > price:
        raise BadValue(
            "discount_price",
            msg("{discount} is above the price {price}", discount=discount, price=price),
        )
    code = _text(barcode, "barcode")
    wrong = barcode_problem(code) if code else None
    if wrong is not None:
        raise BadValue("barcode", wrong)
    return _Row(
        row=row,
        sku=sku,
        barcode=code,
        option1=_text(option1, "option1"),
        option2=_text(option2, "option2"),
        cost=_number(cost_v, "cost", maximum=MAX_AMOUNT),
        price=price,
        discount_price=discount,
        stock=_number(stock_v, "stock", maximum=MAX_STOCK),
        low_stock_level=_number(low_v, "low_stock_level", maximum=MAX_STOCK),
        weight_g=_weight(weight_v),
        on_hand=_on_hand(on_hand),
    )


def _weight(value: Cell) -> int | None:
    """Grams of one item, 1 to `MAX_WEIGHT_G`, or None for an empty cell."""
    grams = _number(value, "weight_g", maximum=MAX_WEIGHT_G)
    if grams == 0:
        raise BadValue("weight_g", too_small(0, 1))
    return grams


#: Where a SKU is in the file: (its first row, that row's product).
_Place: TypeAlias = tuple[int, _Draft]


@dataclass
class _ReadResult:
    name: str
    drafts: list[_Draft]
    lone_rejects: list[RejectedRow]
    rows_read: int
    #: Template columns the header has.
    present: frozenset[str]
    seconds: float
    #: SKU → its rows in products with different shops (first row of each shops): right
    #: only when the store has the SKU on products of different shops (`check_repeats`).
    repeats: dict[str, list[_Place]] = field(default_factory=dict)
    #: Template key → the file's own header of it (as written), for the rejected rows.
    headers: dict[str, str] = field(default_factory=dict)
    #: Header cells that name no known column (as written).
    ignored: list[str] = field(default_factory=list)


def _shops_key(value: Cell) -> tuple[str, ...]:
    """The shops a row names, as a key (trimmed, any case, any order)."""
    text = _clean(value)
    if not text:
        return ()
    return tuple(sorted({s.strip().casefold() for s in text.split(SHOP_SEPARATOR) if s.strip()}))


def _file_headers(table: TabularFile, found: dict[str, int]) -> tuple[dict[str, str], list[str]]:
    """(template key → the header as the file wrote it, the header cells naming no known
    column). Rejected rows name the file's header: `Tồn kho`, not `stock`."""
    raw = table.raw_header
    headers = {key: raw[pos] or key for key, pos in found.items()}
    ignored = [
        raw[pos] for pos, name in enumerate(table.header)
        if name and raw[pos] and HEADER_ALIASES.get(header_key(name)) is None
    ]  # fmt: skip
    return headers, ignored


def _columns(table: TabularFile) -> dict[str, int]:
    """Template key → position: the header's names are the keys already (`column_key`;
    `open_table` refused a column named twice or a required one missing)."""
    return {name: position for position, name in enumerate(table.header) if name in HEADERS}


def _read(path: Path, prog: Progress) -> _ReadResult:
    """Phase 1: every row parsed and checked, grouped into products (no database)."""
    t0 = time.perf_counter()
    drafts: dict[str, _Draft] = {}
    lone: list[RejectedRow] = []
    #: (SKU, shops) → where it first is: a SKU is once per file with the same shops.
    first_sku: dict[Any, _Place] = {}
    #: SKU → where it first is, and where it is again with other shops.
    sku_at: dict[str, _Place] = {}
    repeats: dict[str, list[_Place]] = {}
    first_barcode: dict[Any, _Place] = {}
    # The header may be below a title (up to row 10): the row naming the required columns.
    with open_table(path, required=REQUIRED, rename=column_key) as table:
        found = _columns(table)
        headers, ignored = _file_headers(table, found)
        width = table.width  # missing optional columns read the "" appended to each row
        index = {name: found.get(name, width) for name in (*COLUMNS, "on_hand")}
        # The export's on hand counts only beside the stock it qualifies.
        present = frozenset(found) & frozenset(COLUMNS)
        if "stock" in present and "on_hand" in found:
            present |= {"on_hand"}
        i_on_hand = index["on_hand"] if "on_hand" in present else width
        has_status = "status" in present
        get_head = itemgetter(*(index[c] for c in PRODUCT_COLUMNS))
        get_row = itemgetter(*(index[c] for c in VARIANT_COLUMNS[1:]))
        i_name, i_sku, i_barcode = index["product_name"], index["sku"], index["barcode"]
        i_shops = index["shops"]
        prog.update(0.0, f"Reading {table.name}")
        for n, (row, cells) in enumerate(table.rows(), 1):
            if n % 2_000 == 0:
                prog.check()
                prog.update(READ_SHARE * table.fraction, f"Reading row {row:,}")
            cells.append("")
            try:
                name = _text(cells[i_name], "product_name", required=True)
            except BadValue as bad:
                lone.append(RejectedRow(row, bad.column, bad.reason))
                continue
            assert name is not None
            draft = drafts.get(name)
            if draft is None:
                draft = drafts[name] = _Draft(name, row)
            draft.rows.append(row)
            try:
                sku = _text(cells[i_sku], "sku", required=True)
                assert sku is not None
                _once(first_sku, (sku, _shops_key(cells[i_shops])), sku, row, draft, "sku",
                      msg("SKU"))  # fmt: skip
                first = sku_at.setdefault(sku, (row, draft))
                if first[0] != row:  # again, with other shops
                    if first[1] is draft:  # one product has a SKU once, whatever its shops
                        raise _repeated(first, sku, row, "sku", msg("SKU"))
                    repeats.setdefault(sku, [first]).append((row, draft))
                barcode = _text(cells[i_barcode], "barcode")
                if barcode is not None:
                    _once(first_barcode, barcode, barcode, row, draft, "barcode", msg("barcode"))
                if draft.error is not None:
                    continue
                raw = get_head(cells)
                if draft.head is None:
                    draft.head, draft.raw_head = _parse_head(raw, has_status), raw
                elif raw != draft.raw_head:
                    _check_same(draft, _parse_head(raw, has_status), raw)
                variant = _parse_row(row, sku, get_row(cells), cells[i_on_hand])
                _check_options(draft, variant, present)
                draft.variants.append(variant)
            except BadValue as bad:
                draft.reject(bad.column, bad.reason, row)
        rows_read = table.rows_read
    return _ReadResult(
        path.name, list(drafts.values()), lone, rows_read, present, time.perf_counter() - t0,
        repeats, headers, ignored,
    )  # fmt: skip


def _once(
    seen: dict[Any, _Place], key: Any, value: str, row: int, draft: _Draft, column: str,
    what: str,
) -> None:  # fmt: skip
    """A SKU (barcode) `value` may appear once per file (a SKU: once per `key`, its shops
    with it): both products are rejected otherwise."""
    first = seen.get(key)
    if first is None:
        seen[key] = (row, draft)
        return
    raise _repeated(first, value, row, column, what)


def _repeated(first: _Place, value: str, row: int, column: str, what: str) -> BadValue:
    """`value` on `row` again: the product of its `first` row is rejected; returns the
    reason of `row`."""
    first_row, first_draft = first
    first_draft.reject(
        column,
        msg(
            "{what} {code} appears again on row {row}",
            what=what,
            code=str(shown(value)),
            row=str(row),
        ),
        first_row,
    )
    return BadValue(
        column,
        msg(
            "{what} {code} is also on row {first_row} (once per file)",
            what=what,
            code=str(shown(value)),
            first_row=str(first_row),
        ),
    )


def _check_same(draft: _Draft, head: _Head, raw: Sequence[Cell]) -> None:
    """Product-level values must agree across the rows of a product."""
    first = draft.head
    assert first is not None
    for i, column in enumerate(PRODUCT_COLUMNS):
        if head[i] != first[i]:
            was = first[i]
            if isinstance(was, tuple):
                was = f"{SHOP_SEPARATOR} ".join(was)
            raise BadValue(
                column,
                msg(
                    "{cell} differs from {first} on row {first_row} of the same product "
                    "(product-level columns must agree)",
                    cell=str(shown(_clean(raw[i]))),
                    first=str(shown(str(was or ""))),
                    first_row=str(draft.first_row),
                ),
            )


def _check_options(draft: _Draft, variant: _Row, present: frozenset[str]) -> None:
    """An option value needs its option name; a product's option values differ by row."""
    head = draft.head
    assert head is not None
    for value, name, column in ((variant.option1, head.option1_name, "option1"),
                                (variant.option2, head.option2_name, "option2")):  # fmt: skip
        if value is not None and name is None and f"{column}_name" in present:
            raise BadValue(
                column,
                msg("has a value but {column}_name is empty: name the option", column=str(column)),
            )
    key = (variant.option1, variant.option2)
    if key == (None, None):
        return
    other = draft.options.setdefault(key, variant.row)
    if other != variant.row:
        options = " / ".join(v for v in key if v)
        raise BadValue(
            "option1",
            msg(
                "the options {options} are already on row {other} of this product",
                options=str(shown(options)),
                other=str(other),
            ),
        )


# --------------------------------------------------------------------------- planning


def _code_is_sku(draft: _Draft, variant: _Row, sku: str, product: str) -> str:
    return msg(
        "barcode {barcode} of “{name}” is SKU {sku} of “{product}”: a scan of that SKU "
        "would find “{name}”; give another barcode",
        barcode=str(shown(variant.barcode or "")), name=draft.name, sku=str(shown(sku)),
        product=product,
    )  # fmt: skip


def _target_stock(variant: _Row, stored: int) -> int | None:
    """The on hand a row asks for a stored variant whose on hand is `stored` now; None:
    leave it. With the export's on-hand column, a stock equal to it was not edited (the
    stock is left as it is now: a sale since the export stays sold), and an edited one
    moves the stock by what was changed (stock − on hand) from where it is now; without
    it, the stock is set to the file's."""
    if variant.stock is None:
        return None
    if variant.on_hand is None:
        return variant.stock
    if variant.stock == variant.on_hand:
        return None
    return stored + variant.stock - variant.on_hand


@dataclass(slots=True)
class _Stored:
    """An active variant the file's SKU matched."""

    id: int
    product_id: int
    barcode: str | None
    option1_name: str | None
    option1: str | None
    option2_name: str | None
    option2: str | None
    cost: int
    price: int
    discount_price: int | None
    low_stock_level: int | None
    weight_g: int | None
    group_id: int | None
    group_code: str | None
    #: On hand of the stock holder (the group's when grouped).
    stock: int
    reserved: int


@dataclass(slots=True)
class _StoredProduct:
    id: int
    name: str
    category: str | None
    description: str | None
    status: ProductStatus
    search_text: str


class _Final(NamedTuple):
    """A variant of a product as the import leaves it (row None: stored, not in the file)."""

    row: int | None
    sku: str
    names: tuple[str | None, str | None]
    values: tuple[str | None, str | None]


def _form_problem(
    in_file: list[_Final], stored: list[_Final] | None
) -> tuple[str, str, int] | None:
    """(column, reason, row) for the first of the product form's variant rules a product
    would break, None when it keeps them all (`services.catalogue._check_form`)."""
    variants = [*in_file, *(stored or ())]
    first = in_file[0]
    assert first.row is not None
    if len(variants) > MAX_VARIANTS:
        why = msg("the product would have {count} variants; at most {limit} are allowed",
                  count=len(variants), limit=MAX_VARIANTS)  # fmt: skip
        return "sku", why, first.row
    for other in stored or ():
        if other.names != first.names:
            return "option1_name", msg(
                "the option names ({names}) are not those of SKU {sku} ({other}), which is "
                "not in the file: give all the product's variants, or its option names",
                names=_names_text(first.names), sku=str(shown(other.sku)),
                other=_names_text(other.names)), first.row  # fmt: skip
    if len(variants) > 1 and first.names == (None, None):
        return "option1_name", msg("several variants need an option (e.g. Size) to tell them "
                                   "apart: give option1_name and option1"), first.row  # fmt: skip
    skus: dict[str, _Final] = {}
    combos: dict[tuple[str, str], _Final] = {}
    for v in variants:
        for name, value, column in ((v.names[0], v.values[0], "option1"),
                                    (v.names[1], v.values[1], "option2")):  # fmt: skip
            if name and not value and v.row is not None:
                return column, msg("give its {option}", option=str(shown(name))), v.row
        seen = skus.setdefault(v.sku.casefold(), v)
        if seen is not v and (v.row or seen.row):  # (two stored ones: not this file's doing)
            row, other = _file_row_of(v, seen)
            return "sku", msg("SKU {sku} differs only in letter case from SKU {other} of the "
                              "same product", sku=str(shown(row.sku)),
                              other=str(shown(other.sku))), cast(int, row.row)  # fmt: skip
        key = ((v.values[0] or "").casefold(), (v.values[1] or "").casefold())
        if key != ("", ""):
            twin = combos.setdefault(key, v)
            if twin is not v and (v.row or twin.row):
                row, other = _file_row_of(v, twin)
                shown_options = " / ".join(x for x in row.values if x)
                return "option1", msg("the options {options} are already those of SKU {sku}",
                                      options=str(shown(shown_options)),
                                      sku=str(shown(other.sku))), cast(int, row.row)  # fmt: skip
    return None


def _file_row_of(a: _Final, b: _Final) -> tuple[_Final, _Final]:
    """(the one of the two that is a file row, the other)."""
    return (a, b) if a.row is not None else (b, a)


def _names_text(names: tuple[str | None, str | None]) -> str:
    given = [n for n in names if n]
    return " / ".join(given) if given else "none"


#: Variant columns the file decides: (field of _Row or head, stored attribute).
_VARIANT_FIELDS = (
    "barcode", "option1_name", "option1", "option2_name", "option2", "cost", "price",
    "discount_price", "low_stock_level", "weight_g",
)  # fmt: skip


class _Import:
    """Phase 2, inside one transaction: plan against the store, then write."""

    def __init__(
        self,
        ctx: ServiceContext,
        conn: sa.Connection,
        prog: Progress,
        present: frozenset[str],
        *,
        tell_marketplaces: bool = True,
    ) -> None:
        self.ctx = ctx
        #: Queue `listing.upsert` for new listings (not for items read from the platform).
        self.tell_marketplaces = tell_marketplaces
        self.conn = conn
        self.prog = prog
        self.present = present
        self.now = ctx.clock.now()
        self.user_id = ctx.actor.id
        self.report = ProductImportReport()
        self.shops: dict[str, int] = {}
        #: shop id → its name
        self.shop_names: dict[int, str] = {}
        self.stored: dict[str, list[_Stored]] = {}
        #: row → the stored variant it updates (`_match_rows`)
        self.matched: dict[int, _Stored] = {}
        self.products: dict[int, _StoredProduct] = {}
        #: (product id, shop id) → (listing id, is_active)
        self.listings: dict[tuple[int, int], tuple[int, bool]] = {}
        #: product id → the shops it is actively listed on
        self.listed_on: dict[int, list[int]] = {}
        #: (listing id, variant id) pairs that exist
        self.variant_listings: set[tuple[int, int]] = set()
        # The plan.
        self.new_products: list[_Draft] = []
        self.product_updates: dict[int, dict[str, Any]] = {}
        self.new_variants: list[tuple[_Draft, _Row]] = []
        self.variant_updates: list[dict[str, Any]] = []
        #: (variant id, group id or None, old on hand, new on hand)
        self.adjustments: list[tuple[int, int | None, int, int]] = []
        #: SKU group id → its on-hand stock once the planned adjustments are made.
        self.group_stock: dict[int, int] = {}
        #: SKU group id → the cost a row gave a member (for them all), that row, the code.
        self.group_costs: dict[int, tuple[int, _Row, str]] = {}
        self.touched: set[int] = set()
        self.search_changed: set[int] = set()
        #: Stored products whose listed content (not only stock) changes.
        self.content_changed: set[int] = set()
        self.new_listings: list[tuple[_Draft, int]] = []  # (product, shop id)
        self.reactivate: list[int] = []
        #: (product draft, shop id, row, stored variant id or None (new))
        self.new_variant_listings: list[tuple[_Draft, int, _Row, int | None]] = []

    # Planning --------------------------------------------------------------------------
    def check_repeats(self, repeats: dict[str, list[_Place]]) -> None:
        """A SKU on rows of several products with different shops: once per file as ever,
        unless the store has it on several active variants (products of different shops,
        told apart by the rows' shops: `_match_rows`)."""
        if not repeats:
            return
        v = variants_t.c
        shared: set[str] = set()
        for chunk in chunks(sorted(repeats), 500):
            stmt = (
                sa.select(v.sku).where(v.sku.in_(chunk), v.is_active.is_(True))
                .group_by(v.sku).having(sa.func.count() > 1)
            )  # fmt: skip
            shared.update(self.conn.execute(stmt).scalars())
        for sku, places in repeats.items():
            if sku in shared:
                continue
            for row, draft in places[1:]:
                bad = _repeated(places[0], sku, row, "sku", msg("SKU"))
                draft.reject(bad.column, bad.reason, row)

    def plan(self, drafts: list[_Draft]) -> None:
        self._resolve_shops(drafts)
        self._load_variants(drafts)
        self.prog.check()
        self._match_rows(drafts)
        self._resolve_products(drafts)
        self._check_barcodes(drafts)
        self._check_codes_apart(drafts)
        self._check_case_twins(drafts)
        self._check_stock_holders(drafts)
        self._check_like_the_form(drafts)
        self._check_group_costs(drafts)
        self._load_listings([d.product_id for d in drafts
                             if d.error is None and d.product_id is not None])  # fmt: skip
        self.prog.check()
        for draft in drafts:
            if draft.error is None:
                self._classify(draft)

    def _resolve_shops(self, drafts: list[_Draft]) -> None:
        names = {str(n): int(i) for i, n in self.conn.execute(
            sa.select(shops_t.c.id, shops_t.c.name))}  # fmt: skip
        self.shop_names = {i: n for n, i in names.items()}
        folded: dict[str, int | None] = {}
        for name, shop_id in names.items():  # case-insensitive when that is unambiguous
            key = name.casefold()
            folded[key] = None if key in folded else shop_id
        for draft in drafts:
            if draft.error is not None:
                continue
            assert draft.head is not None
            for name in draft.head.shops:
                found = names.get(name, folded.get(name.casefold()))
                if found is None:
                    known = ", ".join(sorted(names)) or "none yet"
                    draft.reject(
                        "shops",
                        msg(
                            "no shop is named {shop} (shops: {known}); add the shop in Settings "
                            "first",
                            shop=str(shown(name)),
                            known=str(known),
                        ),
                    )
                    break
                self.shops[name] = found

    def _load_variants(self, drafts: list[_Draft]) -> None:
        skus = sorted({v.sku for d in drafts if d.error is None for v in d.variants})
        v, g = variants_t.c, groups_t.c
        stmt = (
            sa.select(v.id, v.product_id, v.sku, v.barcode, v.option1_name, v.option1,
                      v.option2_name, v.option2, v.cost, v.price, v.discount_price,
                      v.low_stock_level, v.weight_g, v.sku_group_id, g.code,
                      sa.func.coalesce(g.stock, v.stock), sa.func.coalesce(g.reserved, v.reserved))
            .select_from(variants_t.outerjoin(groups_t, g.id == v.sku_group_id))
            .where(v.is_active.is_(True))
        )  # fmt: skip
        for chunk in chunks(skus, 500):
            for row in self.conn.execute(stmt.where(v.sku.in_(chunk))):
                vid, pid, sku, *rest = row
                self.stored.setdefault(sku, []).append(_Stored(vid, pid, *rest))
        self._lock_stock()

    def _lock_stock(self) -> None:
        """Lock the matched variants and their SKU groups (FOR UPDATE, in id order, as a
        sale locks them) and read their stock again: the adjustments are worked out from
        it, so a sale committing meanwhile must wait, not be undone. SQLite: the unit of
        work holds the write lock since it began (`uow(write=True)`): what was read is
        current."""
        if is_sqlite(self.conn):
            return
        stored = [s for found in self.stored.values() for s in found]
        v, g = variants_t.c, groups_t.c
        fresh: dict[tuple[str, int], tuple[int, int]] = {}
        group_ids = {s.group_id for s in stored if s.group_id is not None}
        for kind, c, ids in (("v", v, {s.id for s in stored}), ("g", g, group_ids)):
            for chunk in chunks(sorted(ids), 500):
                stmt = (
                    sa.select(c.id, c.stock, c.reserved).where(c.id.in_(chunk))
                    .order_by(c.id).with_for_update()
                )  # fmt: skip
                for hid, stock, reserved in self.conn.execute(stmt):
                    fresh[(kind, hid)] = (stock, reserved)
        for s in stored:
            key = ("g", s.group_id) if s.group_id is not None else ("v", s.id)
            if key in fresh:
                s.stock, s.reserved = fresh[key]

    def _match_rows(self, drafts: list[_Draft]) -> None:
        """The stored variant each row updates: its SKU's active variant. A SKU on several
        (products of different shops: README allows it) is told apart by the row's
        `shops`: the product on exactly those shops, else the only one on any of them; a
        row naming none of them, or several, is refused naming their shops."""
        shared = {sku: found for sku, found in self.stored.items() if len(found) > 1}
        listed = self._listed_shops([s.product_id for f in shared.values() for s in f])
        claimed: dict[int, _Place] = {}  # stored variant id → the row updating it
        for draft in drafts:
            if draft.error is not None:
                continue
            assert draft.head is not None
            mine = {self.shops[name] for name in draft.head.shops}
            for variant in draft.variants:
                found = self.stored.get(variant.sku)
                if not found:
                    continue
                if len(found) == 1:
                    self.matched[variant.row] = found[0]
                    continue
                exact = [s for s in found if listed.get(s.product_id, set()) == mine]
                some = [s for s in found if listed.get(s.product_id, set()) & mine]
                pick = exact if exact else some
                if "shops" not in self.present or len(pick) != 1:
                    draft.reject("sku", self._which_shops(variant.sku, found, listed),
                                 variant.row)  # fmt: skip
                    break
                first = claimed.setdefault(pick[0].id, (variant.row, draft))
                if first[0] != variant.row:  # two rows name the same one
                    bad = _repeated(first, variant.sku, variant.row, "sku", msg("SKU"))
                    draft.reject(bad.column, bad.reason, variant.row)
                    break
                self.matched[variant.row] = pick[0]

    def _which_shops(
        self, sku: str, found: list[_Stored], listed: dict[int, set[int]]
    ) -> str:  # fmt: skip
        """Why a row of a SKU on several products cannot say which it updates: the shops
        to name, or (products on the same shops: no row can tell them apart) that the SKU
        must be made unique."""
        pids = sorted({s.product_id for s in found})
        shops = [frozenset(listed.get(pid, ())) for pid in pids]
        if len(set(shops)) < len(found):
            return msg(
                "SKU {sku} is on {length} active variants (products {products}): make "
                "it unique in the app first",
                sku=str(shown(sku)),
                length=str(len(found)),
                products=str(", ".join(map(str, pids))),
            )
        places = [
            f"{SHOP_SEPARATOR} ".join(sorted(self.shop_names.get(i) or str(i) for i in ids))
            if ids else msg("no shop")
            for ids in shops
        ]  # fmt: skip
        return msg(
            "SKU {sku} is on products of shops {shops} and {last}: say which in the shops "
            "column",
            sku=str(shown(sku)), shops=places[:-1], last=places[-1],
        )  # fmt: skip

    def _resolve_products(self, drafts: list[_Draft]) -> None:
        """The stored product of each draft: the one its SKUs belong to, else the only
        non-archived product with its exact name, else none (a new product)."""
        by_name: list[_Draft] = []
        for draft in drafts:
            if draft.error is not None:
                continue
            owner: tuple[int, int] | None = None  # (product id, row)
            for variant in draft.variants:
                stored = self._matched(variant)
                if stored is None:
                    continue
                if owner is None:
                    owner = (stored.product_id, variant.row)
                elif owner[0] != stored.product_id:
                    draft.reject(
                        "sku",
                        msg(
                            "SKU {sku} belongs to another product than the SKU on row {owner}: "
                            "the rows of one product name must be one product",
                            sku=str(shown(variant.sku)),
                            owner=str(owner[1]),
                        ),
                        variant.row,
                    )
                    break
            if draft.error is None:
                if owner is not None:
                    draft.product_id = owner[0]
                else:
                    by_name.append(draft)
        names = sorted({d.name for d in by_name})
        p = products_t.c
        found_names: dict[str, list[int]] = {}
        for chunk in chunks(names, 500):
            stmt = sa.select(p.name, p.id).where(
                p.name.in_(chunk), p.status != ProductStatus.ARCHIVED
            )
            for name, pid in self.conn.execute(stmt):
                found_names.setdefault(name, []).append(pid)
        for draft in by_name:
            ids = found_names.get(draft.name, [])
            if len(ids) > 1:
                draft.reject(
                    "product_name",
                    msg(
                        "{length} products are named {name}: give the rows the SKU of an "
                        "existing variant, or rename one of the products in the app",
                        length=str(len(ids)),
                        name=str(shown(draft.name)),
                    ),
                )
            elif ids:
                draft.product_id = ids[0]
        claims: dict[int, list[_Draft]] = {}
        for draft in drafts:
            if draft.error is None and draft.product_id is not None:
                claims.setdefault(draft.product_id, []).append(draft)
        for claimers in claims.values():
            if len(claimers) < 2:
                continue
            # Every claimer is refused, the first too: nothing of the product is applied
            # (a name changed on one row only must not rename it alone).
            for i, draft in enumerate(claimers):
                other = claimers[1] if i == 0 else claimers[0]
                draft.reject(
                    "product_name",
                    msg(
                        "these rows update the same product as the rows of {other_name} (row "
                        "{first_row}): a product's rows need one product name",
                        other_name=str(shown(other.name)),
                        first_row=str(other.first_row),
                    ),
                )
        self._load_products(sorted(pid for pid, claimers in claims.items() if len(claimers) == 1))

    def _load_products(self, ids: list[int]) -> None:
        p = products_t.c
        for chunk in chunks(ids, 500):
            stmt = sa.select(p.id, p.name, p.category, p.description, p.status,
                             p.search_text).where(p.id.in_(chunk))  # fmt: skip
            for pid, name, category, description, status, text in self.conn.execute(stmt):
                self.products[pid] = _StoredProduct(
                    pid, name, category, description, ProductStatus(status), text
                )

    def _matched(self, variant: _Row) -> _Stored | None:
        return self.matched.get(variant.row)

    def _check_barcodes(self, drafts: list[_Draft]) -> None:
        """A new or changed barcode must not be on another active variant."""
        wanted: dict[str, tuple[_Draft, _Row]] = {}
        for draft in drafts:
            if draft.error is not None:
                continue
            for variant in draft.variants:
                stored = self._matched(variant)
                if variant.barcode is not None and (
                    stored is None or stored.barcode != variant.barcode
                ):
                    wanted[variant.barcode] = (draft, variant)
        v = variants_t.c
        for chunk in chunks(sorted(wanted), 500):
            stmt = sa.select(v.barcode, v.sku, v.id).where(
                v.barcode.in_(chunk), v.is_active.is_(True)
            )
            for barcode, sku, vid in self.conn.execute(stmt):
                draft, variant = wanted[barcode]
                stored = self._matched(variant)
                if stored is None or stored.id != vid:
                    draft.reject(
                        "barcode",
                        msg(
                            "barcode {barcode} is already on SKU {sku}",
                            barcode=str(shown(barcode)),
                            sku=str(shown(sku)),
                        ),
                        variant.row,
                    )

    def _code_hits(
        self, column: sa.ColumnElement[str], codes: Sequence[str]
    ) -> list[tuple[str, int, int, str, str]]:
        """(code, variant id, product id, SKU, product name) of the active variants of
        products not archived whose `column` is one of `codes` in any letter case."""
        v, p = variants_t.c, products_t.c
        out: list[tuple[str, int, int, str, str]] = []
        stmt = (
            sa.select(column, v.id, v.product_id, v.sku, p.name)
            .select_from(variants_t.join(products_t, p.id == v.product_id))
            .where(column.is_not(None), v.is_active.is_(True),
                   p.status != ProductStatus.ARCHIVED)
        )  # fmt: skip
        wanted = sorted(set(codes))
        if len(wanted) > _SCAN_CODES:  # lower() uses no index: one pass over them all
            keys = {c.lower() for c in wanted}
            rows = (r for r in self.conn.execute(stmt) if str(r[0]).lower() in keys)
            return [(str(c), int(i), int(pid), str(sku), str(n)) for c, i, pid, sku, n in rows]
        for chunk in chunks(wanted, 500):
            lowered = sorted({c.lower() for c in chunk})
            any_case = sa.or_(column.in_(chunk), sa.func.lower(column).in_(lowered))
            found = self.conn.execute(stmt.where(any_case))
            out += [(str(c), int(i), int(pid), str(sku), str(n)) for c, i, pid, sku, n in found]
        return out

    def _check_codes_apart(self, drafts: list[_Draft]) -> None:
        """A barcode is never another variant's SKU, in any letter case: a scan looks the
        barcodes up first, so the other's SKU would find this variant. Checked for the
        new or changed barcodes (against the store and the file's other rows) and the new
        SKUs (against the store's barcodes)."""
        barcodes: dict[str, tuple[_Draft, _Row]] = {}  # lower case → the row
        new_skus: dict[str, tuple[_Draft, _Row]] = {}
        file_skus: dict[str, tuple[_Draft, _Row]] = {}
        freed: set[int] = set()  # stored variants whose barcode the file changes
        for draft in drafts:
            if draft.error is not None:
                continue
            for variant in draft.variants:
                stored = self._matched(variant)
                file_skus.setdefault(variant.sku.lower(), (draft, variant))
                if stored is None:
                    new_skus.setdefault(variant.sku.lower(), (draft, variant))
                elif stored.barcode != variant.barcode and "barcode" in self.present:
                    freed.add(stored.id)
                if variant.barcode is not None and (
                    stored is None or stored.barcode != variant.barcode
                ):
                    barcodes.setdefault(variant.barcode.lower(), (draft, variant))
        for key, (draft, variant) in barcodes.items():
            other = file_skus.get(key)
            if other is not None and other[1] is not variant:
                draft.reject("barcode", _code_is_sku(draft, variant, other[1].sku,
                                                     other[0].name), variant.row)  # fmt: skip
        v = variants_t.c
        wanted = [b for d, r in barcodes.values() if d.error is None and (b := r.barcode)]
        for _sku, vid, _pid, sku, product in self._code_hits(v.sku, wanted):
            if sku.lower() not in barcodes:
                continue
            draft, variant = barcodes[sku.lower()]
            stored = self._matched(variant)
            if draft.error is None and (stored is None or stored.id != vid):
                draft.reject("barcode", _code_is_sku(draft, variant, sku, product), variant.row)
        skus = [r.sku for d, r in new_skus.values() if d.error is None]
        for barcode, vid, _pid, sku, product in self._code_hits(v.barcode, skus):
            if barcode.lower() not in new_skus:
                continue
            draft, variant = new_skus[barcode.lower()]
            if draft.error is None and vid not in freed:
                draft.reject(
                    "sku",
                    msg(
                        "SKU {sku} of “{name}” is the barcode of SKU {other} of “{product}”: "
                        "a scan of it would find “{product}”; give another SKU",
                        sku=str(shown(variant.sku)), name=draft.name,
                        other=str(shown(sku)), product=product,
                    ),
                    variant.row,
                )  # fmt: skip

    def _shops_of(self, drafts: list[_Draft]) -> dict[_Draft, set[int]]:
        """The shops each product will be on: the file's and those it is listed on."""
        out = {d: {self.shops[n] for n in (d.head.shops if d.head else ())} for d in drafts}
        by_pid = {d.product_id: d for d in drafts if d.product_id is not None}
        for pid, shops in self._listed_shops(list(by_pid)).items():
            out[by_pid[pid]] |= shops
        return out

    def _listed_shops(self, product_ids: Sequence[int]) -> dict[int, set[int]]:
        lc = listings_t.c
        out: dict[int, set[int]] = {}
        for chunk in chunks(sorted(set(product_ids)), 500):
            stmt = sa.select(lc.product_id, lc.shop_id).where(
                lc.product_id.in_(chunk), lc.is_active.is_(True)
            )
            for pid, sid in self.conn.execute(stmt):
                out.setdefault(pid, set()).add(sid)
        return out

    def _check_case_twins(self, drafts: list[_Draft]) -> None:
        """A SKU that differs only in letter case from another product's SKU on one of the
        same shops (or, on no shop, from that of another product on no shop) is refused,
        as the product form refuses it: a scan could not tell them apart. New SKUs are
        checked against the store and every SKU against the file's other products (the
        twins within one product: `_form_problem`)."""
        live = [d for d in drafts if d.error is None]
        shops = self._shops_of(live)
        names = {sid: name for name, sid in self.shops.items()}

        def clash(mine: set[int], theirs: set[int]) -> str | None:
            """The shop both are on (its name), '' when both are on none, else None."""
            both = mine & theirs
            if both:
                return names.get(min(both)) or self._shop_name(min(both))
            return "" if not mine and not theirs else None

        def refuse(draft: _Draft, variant: _Row, other: str, product: str, shop: str) -> None:
            values = {"sku": str(shown(variant.sku)), "other": str(shown(other)),
                      "product": product}  # fmt: skip
            draft.reject("sku", msg(
                "SKU {sku} differs only in letter case from SKU {other} of “{product}” on "
                "{shop}: a scan could not tell them apart", shop=shop, **values)
                if shop else msg(
                "SKU {sku} differs only in letter case from SKU {other} of “{product}” (a "
                "product on no shop): a scan could not tell them apart", **values),
                variant.row)  # fmt: skip

        seen: dict[str, tuple[_Draft, _Row]] = {}
        for draft in live:
            for variant in draft.variants:
                first = seen.setdefault(variant.sku.casefold(), (draft, variant))
                other_draft, other = first
                if other_draft is draft or other.sku == variant.sku or draft.error is not None:
                    continue
                shop = clash(shops[draft], shops[other_draft])
                if shop is not None:
                    refuse(draft, variant, other.sku, other_draft.name, shop)
        new = {v.sku: (d, v) for d in live if d.error is None for v in d.variants
               if self._matched(v) is None}  # fmt: skip
        v = variants_t.c
        hits = [h for h in self._code_hits(v.sku, list(new)) if h[3] not in new]
        listed = self._listed_shops([h[2] for h in hits])
        by_fold = {sku.casefold(): row for sku, row in new.items()}
        for _sku, _vid, pid, sku, product in hits:
            found = by_fold.get(sku.casefold())
            if found is None or found[0].error is not None or found[0].product_id == pid:
                continue
            shop = clash(shops[found[0]], listed.get(pid, set()))
            if shop is not None:
                refuse(found[0], found[1], sku, product, shop)

    def _shop_name(self, shop_id: int) -> str:
        name = self.conn.execute(sa.select(shops_t.c.name).where(shops_t.c.id == shop_id)).scalar()
        return str(name or shop_id)

    def _check_stock_holders(self, drafts: list[_Draft]) -> None:
        """Variants of one SKU group share its stock: rows setting it must agree."""
        if "stock" not in self.present:
            return
        holders: dict[int, tuple[int, _Row]] = {}
        for draft in drafts:
            if draft.error is not None:
                continue
            for variant in draft.variants:
                stored = self._matched(variant)
                if stored is None or stored.group_id is None:
                    continue
                target = _target_stock(variant, stored.stock)
                if target is None:
                    continue
                first = holders.setdefault(stored.group_id, (target, variant))
                if first[0] != target:
                    draft.reject(
                        "stock",
                        msg(
                            "SKU {sku} shares the stock of SKU group {group} with SKU {other_sku} "
                            "on row {row}, which gives {first}",
                            sku=str(shown(variant.sku)),
                            group=str(shown(stored.group_code or "")),
                            other_sku=str(shown(first[1].sku)),
                            row=str(first[1].row),
                            first=first[1].stock,
                        ),
                        variant.row,
                    )
                    break

    def _check_group_costs(self, drafts: list[_Draft]) -> None:
        """A SKU group has one cost: a cost changed on a member goes to every member
        (`_share_group_costs`), so rows changing it must agree, as in the product form; a
        row leaving a member's cost as it is changes nothing (an export edited on one row)."""
        if "cost" not in self.present:
            return
        setting: dict[int, _Row] = {}
        for draft in drafts:
            if draft.error is not None:
                continue
            for variant in draft.variants:
                stored = self._matched(variant)
                if stored is None or stored.group_id is None:
                    continue
                if variant.cost is None or variant.cost == stored.cost:
                    continue
                first = setting.setdefault(stored.group_id, variant)
                if first.cost != variant.cost:
                    draft.reject(
                        "cost",
                        msg(
                            "SKU {sku} shares the cost of SKU group {group} with SKU {other_sku} "
                            "on row {row}, which gives {first}: give both the same cost",
                            sku=str(shown(variant.sku)),
                            group=str(shown(stored.group_code or "")),
                            other_sku=str(shown(first.sku)),
                            row=str(first.row),
                            first=first.cost,
                        ),
                        variant.row,
                    )
                    break

    def _check_like_the_form(self, drafts: list[_Draft]) -> None:
        """The product form's variant rules on each product as the import leaves it, its
        stored variants the file does not name included: else the owner could not save
        it in the form afterwards."""
        live = [d for d in drafts if d.error is None]
        untouched = self._variants_not_in_file(live)
        for draft in live:
            problem = _form_problem(self._final_variants(draft), untouched.get(draft))
            if problem is not None:
                draft.reject(*problem)

    def _variants_not_in_file(self, drafts: list[_Draft]) -> dict[_Draft, list[_Final]]:
        """Per stored product: its active variants that no row of the file names."""
        by_pid = {d.product_id: d for d in drafts if d.product_id is not None}
        v = variants_t.c
        out: dict[_Draft, list[_Final]] = {}
        stmt = sa.select(v.product_id, v.sku, v.option1_name, v.option1, v.option2_name,
                         v.option2).where(v.is_active.is_(True))  # fmt: skip
        for chunk in chunks(sorted(by_pid), 500):
            for pid, sku, n1, o1, n2, o2 in self.conn.execute(stmt.where(v.product_id.in_(chunk))):
                draft = by_pid[pid]
                if all(x.sku != sku for x in draft.variants):
                    out.setdefault(draft, []).append(_Final(None, sku, (n1, n2), (o1, o2)))
        return out

    def _final_variants(self, draft: _Draft) -> list[_Final]:
        """The file's variants of a product with the option names and values they will
        have (a column the file lacks keeps what is stored)."""
        head = draft.head
        assert head is not None
        present = self.present
        out = []
        for variant in draft.variants:
            stored = self._matched(variant)

            def kept(key: str, value: str | None, stored: _Stored | None = stored) -> str | None:
                if key in present or stored is None:
                    return value
                return cast(str | None, getattr(stored, key))

            names = (kept("option1_name", head.option1_name),
                     kept("option2_name", head.option2_name))  # fmt: skip
            values = (kept("option1", variant.option1), kept("option2", variant.option2))
            out.append(_Final(variant.row, variant.sku, names, values))
        return out

    def _load_listings(self, product_ids: list[int]) -> None:
        lc = listings_t.c
        listing_ids: list[int] = []
        for chunk in chunks(sorted(set(product_ids)), 500):
            stmt = sa.select(lc.id, lc.product_id, lc.shop_id, lc.is_active).where(
                lc.product_id.in_(chunk)
            )
            for lid, pid, sid, active in self.conn.execute(stmt):
                self.listings[(pid, sid)] = (lid, bool(active))
                listing_ids.append(lid)
                if active:
                    self.listed_on.setdefault(pid, []).append(sid)
        vl = variant_listings_t.c
        for chunk in chunks(listing_ids, 500):
            stmt2 = sa.select(vl.listing_id, vl.variant_id).where(vl.listing_id.in_(chunk))
            self.variant_listings.update((int(a), int(b)) for a, b in self.conn.execute(stmt2))

    def _note_kept_listings(self, draft: _Draft, pid: int, shop_ids: list[int]) -> None:
        """A `shops` cell (empty too) leaving out shops the product is listed on: the
        import never removes a listing (README), and the report says so on the row."""
        kept = sorted(self.shop_names[sid] for sid in self.listed_on.get(pid, ())
                      if sid not in shop_ids)  # fmt: skip
        if kept:
            why = msg(
                "still listed on {shops}: an import never removes a listing; to unlist the "
                "product, untick the shop in its editor",
                shops=f"{SHOP_SEPARATOR} ".join(kept),
            )
            self.report.notes.append(RejectedRow(draft.first_row, "shops", why))

    def _classify(self, draft: _Draft) -> None:
        """What to write for one product (nothing at all when the store already agrees)."""
        head = draft.head
        assert head is not None
        present = self.present
        shop_ids = [self.shops[name] for name in head.shops]
        report = self.report
        pid = draft.product_id
        if pid is None:
            self.new_products.append(draft)
            self.new_variants += [(draft, v) for v in draft.variants]
            self.new_listings += [(draft, sid) for sid in shop_ids]
            self.new_variant_listings += [
                (draft, sid, v, None) for sid in shop_ids for v in draft.variants
            ]
            report.products_created += 1
            report.variants_created += len(draft.variants)
            report.listings_added += len(shop_ids)
            return
        stored_product = self.products[pid]
        # Every matched variant's new values first: a rejection leaves no trace in the plan.
        planned: dict[str, dict[str, Any]] = {}
        for variant in draft.variants:
            stored = self._matched(variant)
            if stored is not None:
                new = self._variant_values(draft, variant, stored)
                if new is None:
                    return
                planned[variant.sku] = new
        changed = False
        values = {
            "name": draft.name,
            "category": head.category if "category" in present else stored_product.category,
            "description": (
                head.description if "description" in present else stored_product.description
            ),
            "status": head.status if head.status is not None else stored_product.status,
        }
        if any(values[k] != getattr(stored_product, k) for k in values):
            changed = True
            self.content_changed.add(pid)
        if values["name"] != stored_product.name:
            self.search_changed.add(pid)
        # Rows whose variant listing on a shop is missing.
        listed: dict[int, int | None] = {}  # shop id -> listing id (None = new listing)
        for sid in shop_ids:
            found = self.listings.get((pid, sid))
            if found is None:
                listed[sid] = None
                self.new_listings.append((draft, sid))
                report.listings_added += 1
                changed = True
            else:
                listed[sid] = found[0]
                if not found[1]:
                    self.reactivate.append(found[0])
                    report.listings_added += 1
                    changed = True
        if "shops" in present:
            self._note_kept_listings(draft, pid, shop_ids)
        # A new variant joins every listing of its product, as in the form (its stock is
        # then pushed with the others').
        shops_of_new = list(dict.fromkeys([*shop_ids, *self.listed_on.get(pid, ())]))
        for variant in draft.variants:
            stored = self._matched(variant)
            if stored is None:
                self.new_variants.append((draft, variant))
                report.variants_created += 1
                self.search_changed.add(pid)
                self.content_changed.add(pid)
                changed = True
                for sid in shops_of_new:
                    self.new_variant_listings.append((draft, sid, variant, None))
                continue
            if self._classify_variant(draft, variant, stored, planned[variant.sku], listed):
                report.variants_updated += 1
                changed = True
            else:
                report.variants_unchanged += 1
        if changed:
            self.product_updates[pid] = values
            self.touched.add(pid)
            report.products_updated += 1
        else:
            report.products_unchanged += 1

    def _variant_values(
        self, draft: _Draft, variant: _Row, stored: _Stored
    ) -> dict[str, Any] | None:
        """The columns a matched variant will have (None: the draft is rejected)."""
        head = draft.head
        assert head is not None
        present = self.present
        new: dict[str, Any] = {}
        for key in _VARIANT_FIELDS:
            if key not in present or (key == "cost" and variant.cost is None):
                new[key] = getattr(stored, key)
            elif key in ("option1_name", "option2_name"):
                new[key] = getattr(head, key)
            else:
                new[key] = getattr(variant, key)
        discount = new["discount_price"]
        if discount is not None and discount > new["price"]:  # the stored discount
            draft.reject(
                "price",
                msg(
                    "{new} is below the discount price {discount} of SKU {sku}: give the "
                    "discount_price column too",
                    new=new["price"],
                    discount=discount,
                    sku=str(shown(variant.sku)),
                ),
                variant.row,
            )
            return None
        return new

    def _classify_variant(
        self,
        draft: _Draft,
        variant: _Row,
        stored: _Stored,
        new: dict[str, Any],
        listed: dict[int, int | None],
    ) -> bool:
        """Plan the writes of a matched variant; True when anything about it changes."""
        changed = any(new[k] != getattr(stored, k) for k in _VARIANT_FIELDS)
        if changed:
            self.variant_updates.append({"b_id": stored.id, **new, "updated_at": self.now})
            self.content_changed.add(stored.product_id)
            if any(new[k] != getattr(stored, k) for k in ("barcode", "option1", "option2")):
                self.search_changed.add(stored.product_id)
        gid = stored.group_id
        if gid is not None and new["cost"] != stored.cost:  # for every member
            self.group_costs.setdefault(gid, (new["cost"], variant, stored.group_code or ""))
        # A SKU group's stock as planned so far (another member may have set it already).
        on_hand = stored.stock if gid is None else self.group_stock.get(gid, stored.stock)
        target = _target_stock(variant, stored.stock)
        if target is not None and target != on_hand:
            self.adjustments.append((stored.id, gid, on_hand, target))
            if gid is not None:
                self.group_stock[gid] = target
            changed = True
        for sid, lid in listed.items():
            if lid is None or (lid, stored.id) not in self.variant_listings:
                self.new_variant_listings.append((draft, sid, variant, stored.id))
                self.content_changed.add(stored.product_id)
                changed = True
        return changed

    # Writing ---------------------------------------------------------------------------
    def write(self) -> None:
        conn = self.conn
        fresh = ["products"] if self.new_products else []
        self.prog.update(PLAN_SHARE, f"Writing {len(self.new_products):,} new products")
        with search_indexed_after(conn, fresh):
            self._insert_products()
        self._update_products()
        self.prog.update(0.7, f"Writing {len(self.new_variants):,} new variants")
        variant_ids = self._insert_variants()
        self._update_variants()
        self.prog.update(0.8, "Writing shop listings")
        self._write_listings(variant_ids)
        self.prog.update(0.85, "Writing stock movements")
        groups = self._write_stock(variant_ids)
        self.prog.check()
        self.prog.update(0.9, "Updating search and summaries")
        self._update_search_text()
        touched = set(self.touched)
        if groups:
            touched |= products_of(conn, group_ids=groups)
        refresh_product_summaries(conn, touched)

    def _batches(self, stmt: Any, rows: list[Any]) -> None:
        for batch in chunks(rows, _BATCH):
            self.prog.check()
            self.conn.execute(stmt, list(batch))

    def _insert_products(self) -> None:
        new = self.new_products
        if not new:
            return
        rows = []
        for d in new:
            head = d.head
            assert head is not None
            text = product_search_text(
                d.name, [(v.sku, v.barcode, v.option1, v.option2) for v in d.variants]
            )
            rows.append({"name": d.name, "category": head.category,
                         "description": head.description,
                         "status": head.status or ProductStatus.ACTIVE, "search_text": text,
                         "created_by_id": self.user_id, "created_at": self.now,
                         "updated_at": self.now})  # fmt: skip
        stmt = sa.insert(products_t).returning(products_t.c.id, sort_by_parameter_order=True)
        ids: list[int] = []
        for batch in chunks(rows, _BATCH):
            self.prog.check()
            ids += [r[0] for r in self.conn.execute(stmt, list(batch))]
        for draft, pid in zip(new, ids, strict=True):
            draft.product_id = pid
            self.touched.add(pid)

    def _update_products(self) -> None:
        if not self.product_updates:
            return
        keys = ("name", "category", "description", "status")
        stmt = (
            sa.update(products_t)
            .where(products_t.c.id == sa.bindparam("b_id"))
            .values({**{k: sa.bindparam(f"v_{k}") for k in keys}, "updated_at": self.now})
        )
        rows = [{"b_id": pid, **{f"v_{k}": values[k] for k in keys}}
                for pid, values in self.product_updates.items()]  # fmt: skip
        self._batches(stmt, rows)

    def _insert_variants(self) -> dict[tuple[int, str], int]:
        """Insert the new variants; returns (product id, SKU) → variant id of each."""
        new = self.new_variants
        if not new:
            return {}
        rows = []
        for draft, v in new:
            head = draft.head
            assert head is not None and draft.product_id is not None
            rows.append({
                "product_id": draft.product_id, "sku": v.sku, "barcode": v.barcode,
                "option1_name": head.option1_name, "option1": v.option1,
                "option2_name": head.option2_name, "option2": v.option2, "cost": v.cost or 0,
                "price": v.price, "discount_price": v.discount_price, "stock": v.stock or 0,
                "reserved": 0, "low_stock_level": v.low_stock_level, "weight_g": v.weight_g,
                "is_active": True,
                "created_at": self.now, "updated_at": self.now,
            })  # fmt: skip
        # A plain executemany (RETURNING in parameter order runs row by row on SQLite),
        # then the ids are read back by product and SKU.
        stmt = sa.insert(variants_t)
        for i, batch in enumerate(chunks(rows, _BATCH)):
            self.prog.check()
            self.conn.execute(stmt, list(batch))
            done = min(len(rows), (i + 1) * _BATCH)
            self.prog.update(0.7 + 0.1 * done / len(rows), f"Writing variants ({done:,})")
        wanted = {(row["product_id"], row["sku"]) for row in rows}
        out: dict[tuple[int, str], int] = {}
        vc = variants_t.c
        for chunk in chunks(sorted({pid for pid, _sku in wanted}), 500):
            # By id: an old inactive variant with the same SKU comes before the new one.
            stmt2 = sa.select(vc.product_id, vc.sku, vc.id).where(vc.product_id.in_(chunk))
            for pid, sku, vid in self.conn.execute(stmt2.order_by(vc.id)):
                if (pid, sku) in wanted:
                    out[(pid, sku)] = vid
        return out

    def _update_variants(self) -> None:
        if not self.variant_updates:
            return
        keys = (*_VARIANT_FIELDS, "updated_at")
        stmt = (
            sa.update(variants_t)
            .where(variants_t.c.id == sa.bindparam("b_id"))
            .values({k: sa.bindparam(k) for k in keys})
        )
        self._batches(stmt, self.variant_updates)
        self._share_group_costs()

    def _share_group_costs(self) -> None:
        """A cost the file changed on a member of a SKU group, given to every member (the
        other rows of the group just written kept theirs): they are one stock on the shelf,
        so one cost (`stock.share_cost`). The row says which SKUs took it too."""
        v = variants_t.c
        for gid, (cost, variant, code) in self.group_costs.items():
            others = v.sku_group_id == gid, v.cost != cost
            found = sa.select(v.sku).where(*others).order_by(v.sku)
            skus = [str(shown(sku)) for sku in self.conn.execute(found).scalars()]
            if not skus:
                continue
            self.conn.execute(
                sa.update(variants_t).where(*others).values(cost=cost, updated_at=self.now)
            )
            why = msg("given to {skus} too: SKU group {group} has one cost",
                      skus=", ".join(skus), group=str(shown(code)))  # fmt: skip
            self.report.notes.append(RejectedRow(variant.row, "cost", why))

    def _write_listings(self, variant_ids: dict[tuple[int, str], int]) -> None:
        lc = listings_t.c
        if self.reactivate:
            for chunk in chunks(sorted(set(self.reactivate)), 500):
                self.conn.execute(
                    sa.update(listings_t).where(lc.id.in_(chunk)).values(is_active=True)
                )
        listing_of: dict[tuple[int, int], int] = {}
        if self.new_listings:
            rows = []
            for draft, sid in self.new_listings:
                assert draft.product_id is not None
                rows.append({"product_id": draft.product_id, "shop_id": sid, "is_active": True})
            self._batches(sa.insert(listings_t), rows)
            wanted = {(row["product_id"], row["shop_id"]) for row in rows}
            for chunk in chunks(sorted({pid for pid, _sid in wanted}), 500):
                stmt = sa.select(lc.product_id, lc.shop_id, lc.id).where(lc.product_id.in_(chunk))
                for pid, sid, lid in self.conn.execute(stmt):  # (product, shop) is unique
                    if (pid, sid) in wanted:
                        listing_of[(pid, sid)] = lid
        # What the marketplaces must be told: new and re-activated listings, and every
        # active listing of a product whose content changed (services.catalogue's rule).
        upserts = {*listing_of.values(), *self.reactivate}
        upserts.update(lid for (pid, _sid), (lid, active) in self.listings.items()
                       if active and pid in self.content_changed)  # fmt: skip
        if self.tell_marketplaces:
            self.report.listing_upserts = queue_listing_upserts(self.conn, upserts, self.now)
        if not self.new_variant_listings:
            return
        pairs = []
        for draft, sid, v, stored_id in self.new_variant_listings:
            pid = draft.product_id
            assert pid is not None
            lid = listing_of.get((pid, sid)) or self.listings[(pid, sid)][0]
            vid = stored_id if stored_id is not None else variant_ids[(pid, v.sku)]
            pairs.append({"listing_id": lid, "variant_id": vid})
        self._batches(sa.insert(variant_listings_t), pairs)

    def _write_stock(self, variant_ids: dict[tuple[int, str], int]) -> set[int]:
        """Opening stock of new variants and adjustments of stored ones: one movement
        each; adjusted stock is pushed to the marketplace listings. Returns the SKU
        groups whose stock changed."""
        moves: list[dict[str, Any]] = []
        base = {"reserved_change": 0, "reason": IMPORT_REASON, "order_id": None,
                "user_id": self.user_id, "created_at": self.now}  # fmt: skip
        for draft, v in self.new_variants:
            if v.stock:
                assert draft.product_id is not None
                moves.append({"variant_id": variant_ids[(draft.product_id, v.sku)],
                              "sku_group_id": None, "kind": StockMoveKind.STOCK_IN,
                              "quantity": v.stock, "stock_after": v.stock, **base})  # fmt: skip
        variant_stock: list[dict[str, Any]] = []
        group_stock: dict[int, int] = {}
        for vid, gid, old, new in self.adjustments:
            moves.append({"variant_id": vid, "sku_group_id": gid,
                          "kind": StockMoveKind.ADJUSTMENT, "quantity": new - old,
                          "stock_after": new, **base})  # fmt: skip
            if gid is None:
                variant_stock.append({"b_id": vid, "b_stock": new})
            else:
                group_stock[gid] = new
        self._batches(sa.insert(movements_t), moves)
        self.report.stock_moves = len(moves)
        if not self.adjustments:
            return set()
        self._batches(
            sa.update(variants_t).where(variants_t.c.id == sa.bindparam("b_id"))
            .values(stock=sa.bindparam("b_stock"), updated_at=self.now),
            variant_stock,
        )  # fmt: skip
        self._batches(
            sa.update(groups_t).where(groups_t.c.id == sa.bindparam("b_id"))
            .values(stock=sa.bindparam("b_stock")),
            [{"b_id": gid, "b_stock": stock} for gid, stock in group_stock.items()],
        )  # fmt: skip
        self._queue_pushes({r["b_id"] for r in variant_stock}, set(group_stock))
        return set(group_stock)

    def _queue_pushes(self, variant_ids: set[int], group_ids: set[int]) -> None:
        """The new available stock of adjusted variants (groups) for every marketplace
        listing, as services.stock does for a manual adjustment."""
        available: dict[tuple[str, int], int] = {}
        for kind, col, ids in (("v", variants_t.c, variant_ids),
                               ("g", groups_t.c, group_ids)):  # fmt: skip
            for chunk in chunks(sorted(ids), 500):
                stmt = sa.select(col.id, col.stock - col.reserved).where(col.id.in_(chunk))
                for hid, avail in self.conn.execute(stmt):
                    available[(kind, hid)] = avail
        pushes: list[tuple[PushTarget, int]] = []
        for t in push_targets(self.conn, variant_ids, group_ids):
            if t.sku_group_id is not None and t.sku_group_id in group_ids:
                pushes.append((t, available[("g", t.sku_group_id)]))
            elif t.variant_id in variant_ids:
                pushes.append((t, available[("v", t.variant_id)]))
        queue_pushes(self.conn, pushes, self.now)

    def _update_search_text(self) -> None:
        """Stored products whose name or variants' SKUs, barcodes or option values
        changed: fold them again."""
        ids = sorted(self.search_changed)
        if not ids:
            return
        words: dict[int, list[tuple[str | None, ...]]] = {}
        v = variants_t.c
        for chunk in chunks(ids, 500):
            stmt = (
                sa.select(v.product_id, v.sku, v.barcode, v.option1, v.option2)
                .where(v.product_id.in_(chunk), v.is_active.is_(True))
                .order_by(v.id)
            )
            for pid, *variant in self.conn.execute(stmt):
                words.setdefault(pid, []).append(tuple(variant))
        rows = []
        for pid in ids:
            name = self.product_updates[pid]["name"]
            text = product_search_text(name, words.get(pid, []))
            if text != self.products[pid].search_text:
                rows.append({"b_id": pid, "b_text": text})
        self._batches(
            sa.update(products_t).where(products_t.c.id == sa.bindparam("b_id"))
            .values(search_text=sa.bindparam("b_text")),
            rows,
        )  # fmt: skip


# --------------------------------------------------------------------------- entry point


def import_products(
    ctx: ServiceContext, path: Path, *, progress: Progress | None = None
) -> ProductImportReport:
    """Import the products of a .csv/.xlsx file in the product template.

    Returns the report (rejected rows included). Raises PermissionDenied without Products
    access, ValidationError for a problem with the file itself (nothing written) and
    Cancelled when `progress` asks to stop (nothing written).
    """
    ctx.require(Module.PRODUCTS)
    return run_import(
        path,
        progress,
        _read,
        lambda read, prog: _write(ctx, read, prog),
        "Comparing with the products already stored",
    )


def _write(ctx: ServiceContext, read: _ReadResult, prog: Progress) -> ProductImportReport:
    """Phase 2 in one unit of work; the audit row only when something changed."""
    started = time.perf_counter()
    # write=True: SQLite's write lock from the start, so the plan cannot go stale (on
    # PostgreSQL the stock rows are locked as they are read: `_Import._lock_stock`).
    with ctx.uow(write=True) as session:
        conn = session.connection()
        run = _Import(ctx, conn, prog, read.present)
        run.check_repeats(read.repeats)
        run.plan([d for d in read.drafts if d.error is None])
        prog.update(PLAN_SHARE, "Writing")
        run.write()
        report = run.report
        report.file = read.name
        report.rows_read = read.rows_read
        report.ignored_columns = list(read.ignored)
        report.products_rejected, rejected = rejected_drafts(read.drafts, read.lone_rejects)
        report.rejected = _as_headed(rejected, read.headers)
        report.notes = _as_headed(report.notes, read.headers)
        report.seconds = read.seconds + time.perf_counter() - started
        if report.changed:  # an import that changes nothing leaves no trace at all
            _record(ctx, session, report)
        prog.check()
        prog.update(0.99, "Saving")
    return report


def _as_headed(rejected: list[RejectedRow], headers: dict[str, str]) -> list[RejectedRow]:
    """The rejected rows naming each column by the file's own header (`Tồn kho` where the
    file says so; the key where it wrote the key, or lacks the column)."""
    return [
        r if r.column is None or headers.get(r.column, r.column) == r.column
        else RejectedRow(r.row, headers[r.column], r.reason)
        for r in rejected
    ]  # fmt: skip


def _record(ctx: ServiceContext, session: Session, report: ProductImportReport) -> None:
    """The audit row and the Home activity item, in the import's transaction."""
    record_import(
        ctx, session, report, action="products.import", what="products",
        created=report.products_created, updated=report.products_updated,
        rejected=report.products_rejected,
    )  # fmt: skip
