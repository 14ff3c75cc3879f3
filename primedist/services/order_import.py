"""Import orders from the generic order template (.csv/.xlsx): `primedist import orders FILE`.

The template has one row per order line; the order-level columns repeat on every line of
an order (README § Import file formats). The import runs in two phases:

1. **Read and check** every row without touching the database. A bad value rejects its
   whole order (every row of it is reported, the bad one with the reason, naming the row
   and column); other orders go on. A problem with the file itself (missing, not Excel,
   no header, missing column, too big...) raises `ValidationError` and nothing is written.
2. **Write**, in ONE transaction: look the (shop, order_id) keys up in chunks, classify
   each order as new, changed or unchanged (unchanged ones are not written at all, so a
   second import of the same file changes nothing), create the missing shops, products
   and customers, and write everything with executemany (Core statements; the bulk
   inserts bind ready values at the driver level, see `_Import._bulk`); index the new
   rows for search once (`_search_indexed_after`); refresh the touched customers'
   statistics; add the audit row and a Home activity item. A cancel or an error rolls
   the whole import back.

Imported orders are history: they never move stock (`stock_state = none`), and an order
that does move stock (made in the app) is never changed by an import.
"""

from __future__ import annotations

import re
import secrets
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from sys import intern
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.clock import shop_tz, to_utc
from primedist.core.messages import Message, msg
from primedist.core.phone import is_masked_phone, normalize_phone
from primedist.core.search_keys import phone_terms, product_search_text, search_text
from primedist.core.text import clean_code, clean_line, fold
from primedist.db.bulk import (
    checkpoint_in_background,
    commit_without_checkpoint,
    deferrable_indexes,
    indexes_deferred,
)
from primedist.db.engine import db_timestamp, is_sqlite
from primedist.db.product_summary import give_new_shop_low_stock_level, refresh_product_summaries
from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerIdentity, CustomerPhone, customer_code
from primedist.domain.enums import (
    Channel,
    Gender,
    Module,
    OrderSource,
    OrderStatus,
    PaymentMethod,
    ProductStatus,
    Rank,
    ShopStatus,
    StockState,
)
from primedist.domain.geo import province_code
from primedist.domain.order import Order, OrderLine, OrderStatusChange, compute_total
from primedist.domain.product import Product, ProductListing, Variant
from primedist.domain.shop import Shop
from primedist.errors import ValidationError
from primedist.io.tabular import (
    YEARS,
    Cell,
    TabularFile,
    cell_text,
    open_table,
    parse_amount,
    parse_datetime,
    parse_whole_number,
)
from primedist.jobs.progress import Progress
from primedist.services.context import ServiceContext
from primedist.services.customer_stats import CustomerStats
from primedist.services.customers import MASK_CHARS, order_fills, reindex_customers
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
from primedist.services.order_effects import orders_changed
from primedist.services.order_export import export_not_importable, is_orders_export_file

orders_t = table_of(Order)
lines_t = table_of(OrderLine)
history_t = table_of(OrderStatusChange)
shops_t = table_of(Shop)
products_t = table_of(Product)
variants_t = table_of(Variant)
listings_t = table_of(ProductListing)
customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
identities_t = table_of(CustomerIdentity)

#: Every column of the template, in the documented order.
COLUMNS = (
    "order_id", "order_date", "shop", "channel", "status", "payment_method",
    "customer_name", "customer_phone", "buyer_id", "province", "shipping_provider",
    "shipping_fee", "discount", "sku", "product_name", "quantity", "unit_price",
)  # fmt: skip
REQUIRED = ("order_id", "order_date", "shop", "status", "sku", "quantity", "unit_price")
#: Order-level columns: repeated on each line of an order, and must agree.
HEAD_COLUMNS = (
    "order_date", "channel", "status", "payment_method", "customer_name", "customer_phone",
    "buyer_id", "province", "shipping_provider", "shipping_fee", "discount",
)  # fmt: skip
LINE_COLUMNS = ("sku", "product_name", "quantity", "unit_price")
#: Largest amount (đồng) and quantity one cell may hold.
MAX_AMOUNT = 1_000_000_000_000
MAX_QUANTITY = 1_000_000
#: How far past the clock an order date may be: a marketplace's export in another zone,
#: or this PC's clock a little behind, is not a typo.
FUTURE_TOLERANCE = timedelta(days=1)
#: Largest order subtotal (keeps every sum far inside 64-bit integers).
MAX_SUBTOTAL = 1_000_000_000_000_000
IMPORT_SOURCE = "import"

#: Excel keeps 15 significant digits of a number: an id stored as one loses the rest
#: (above 2**53 a float cannot even hold every whole number), and "Save as CSV" writes it
#: in scientific notation (5.76461E+17, always with the exponent's sign). Such an id names
#: no order (or buyer, or SKU) for sure.
EXACT_FLOAT = 2**53
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d*)?[eE][+-]\d+")
#: Numbers from this size on are shown in messages as the cell has them (cut short).
_LONGEST_SHOWN = 10**21

_CHUNK = 500  # keys per `IN (...)`
_BATCH = 5_000  # rows per executemany between cancel checks


#: The storage limit of each text column of the template.
MAX_LENGTH: dict[str, int] = {
    "order_id": column_length(orders_t.c.external_id),
    "shop": column_length(shops_t.c.name),
    "customer_name": column_length(orders_t.c.buyer_name),
    "customer_phone": column_length(orders_t.c.buyer_phone),
    "buyer_id": column_length(identities_t.c.buyer_id),
    "province": column_length(orders_t.c.ship_province),
    "shipping_provider": column_length(orders_t.c.carrier),
    "sku": column_length(lines_t.c.sku),
    "product_name": column_length(lines_t.c.product_name),
}
_PRODUCT_NAME_MAX = column_length(products_t.c.name)


# --------------------------------------------------------------------------- report


@dataclass
class ImportReport(ImportReportBase):
    """What an import did; `rejected` lists every row not imported, by row number."""

    file: str = ""
    rows_read: int = 0
    orders_inserted: int = 0
    orders_updated: int = 0
    orders_unchanged: int = 0
    orders_rejected: int = 0
    #: Order lines written (of new orders, and of changed orders whose lines changed).
    lines: int = 0
    customers_created: int = 0
    #: Existing customers found by phone that got the row's buyer id linked to them.
    customers_linked: int = 0
    shops_created: int = 0
    products_created: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """True when the import wrote anything."""
        return bool(self.orders_inserted or self.orders_updated)

    def summary(self) -> str:
        """One line for people."""
        orders = outcomes(
            self.orders_inserted, self.orders_updated, self.orders_unchanged,
            self.orders_rejected,
        )  # fmt: skip
        made = (
            (self.customers_created, msg("{count} new customers", count=self.customers_created)),
            (self.customers_linked, msg("{count} customers linked", count=self.customers_linked)),
            (self.shops_created, msg("{count} new shops", count=self.shops_created)),
            (self.products_created, msg("{count} new products", count=self.products_created)),
        )
        created = [text for n, text in made if n]
        values = dict(file=self.file, rows=self.rows_read, orders=orders, lines=self.lines,
                      **self._tail_values())  # fmt: skip
        if created and self.rejected:
            return msg(
                "Imported {file}: {rows} rows; orders {orders}; {lines} lines written; "
                "{created}; {rejected} rows rejected ({seconds} s).",
                created=created, **values,
            )  # fmt: skip
        if created:
            return msg(
                "Imported {file}: {rows} rows; orders {orders}; {lines} lines written; "
                "{created} ({seconds} s).",
                created=created, **values,
            )  # fmt: skip
        if self.rejected:
            return msg(
                "Imported {file}: {rows} rows; orders {orders}; {lines} lines written; "
                "{rejected} rows rejected ({seconds} s).",
                **values,
            )  # fmt: skip
        return msg(
            "Imported {file}: {rows} rows; orders {orders}; {lines} lines written "
            "({seconds} s).",
            **values,
        )  # fmt: skip


# --------------------------------------------------------------------------- parsed rows


class _Head(NamedTuple):
    """The order-level values of a row (fields in `HEAD_COLUMNS` order)."""

    order_date: datetime  # UTC
    channel: Channel | None
    status: OrderStatus
    payment_method: PaymentMethod
    customer_name: str | None
    customer_phone: str | None  # as written
    buyer_id: str | None
    province: str | None
    shipping_provider: str | None
    shipping_fee: int
    discount: int


class _Line(NamedTuple):
    sku: str
    product_name: str
    quantity: int
    unit_price: int
    #: One item's grams as a marketplace lists it (synced orders; a file has none).
    weight_g: int | None = None


@dataclass(slots=True)
class _Draft:
    """One order of the file: its rows, order-level values and lines."""

    shop: str
    external_id: str
    first_row: int
    rows: list[int] = field(default_factory=list)
    head: _Head | None = None
    #: hash() of the first line's raw order-level cells: later lines that repeat them
    #: exactly skip parsing (keeping the cells themselves would double the memory).
    raw_hash: int = 0
    lines: list[_Line] = field(default_factory=list)
    error: RejectedRow | None = None
    #: Sum of quantity × unit price, once all rows are read.
    subtotal: int = 0

    def reject(self, column: str | None, reason: str, row: int | None = None) -> None:
        self.error = RejectedRow(self.first_row if row is None else row, column, reason)

    def rejected_rows(self) -> list[RejectedRow]:
        assert self.error is not None
        return rows_of_rejected(self.error, self.rows, "order")


E = TypeVar("E", OrderStatus, PaymentMethod, Channel)


def _lookup(choices: type[E]) -> dict[str, E]:
    return {member.value: member for member in choices}


_STATUSES = _lookup(OrderStatus)
_PAYMENTS = _lookup(PaymentMethod)
_CHANNELS = _lookup(Channel)


def _is_empty(value: Cell) -> bool:
    return isinstance(value, str) and not value.strip()


def rounded_by_excel(value: Cell) -> bool:
    """Whether an id cell is a number Excel rounded (`EXACT_FLOAT`): filing it under the
    rounded id could merge orders or buyers, so such a cell is refused, never guessed."""
    if isinstance(value, float) and abs(value) >= EXACT_FLOAT:
        return True
    return _SCIENTIFIC.fullmatch(cell_text(value)) is not None


def _not_exact(column: str, value: Cell) -> BadValue:
    return BadValue(
        column,
        msg("{cell} is not an exact id: Excel stored it as a number and dropped digits; "
            "format the column as text and type the ids again", cell=_shown(value)),
    )  # fmt: skip


def shown_number(value: Cell, number: int) -> int | str:
    """`number` for a message; one too long to read (1e308 has 309 digits) is shown as
    the cell `value` has it, cut short."""
    if -_LONGEST_SHOWN < number < _LONGEST_SHOWN:
        return number
    return shown(repr(value) if isinstance(value, float) else cell_text(value))


def out_of_range(value: Cell, number: int, minimum: int, maximum: int) -> Message:
    """Why `number` (read from `value`) is not in minimum … maximum."""
    cell = shown_number(value, number)
    if isinstance(cell, int):
        return too_small(number, minimum) if number < minimum else too_big(number, maximum)
    if number < minimum:
        if minimum:
            return msg("{number} must be at least {minimum}", number=cell, minimum=minimum)
        return msg("{number} must not be negative", number=cell)
    return msg("{number} is more than the limit of {maximum}", number=cell, maximum=maximum)


#: The keys matched as stored: their inner spaces kept (`clean_code`).
_KEYS = frozenset({"sku", "shop", "order_id"})
#: The columns that identify something: a number Excel rounded is no value for them.
_IDS = frozenset({"order_id", "buyer_id", "sku"})


def _text(value: Cell, column: str, *, required: bool = False) -> str | None:
    """A cell as one line of text, without control or invisible characters (`clean_line`;
    a key keeps its inner spaces, `clean_code`)."""
    clean = clean_code if column in _KEYS else clean_line
    if isinstance(value, str):
        text = clean(value)
    elif column in _IDS and rounded_by_excel(value):
        raise _not_exact(column, value)
    else:
        text = cell_text(value)
    if not text:
        if required:
            raise BadValue(column, REQUIRED_VALUE)
        return None
    limit = MAX_LENGTH[column]
    if len(text) > limit:
        raise BadValue(column, too_long(len(text), limit))
    return text


def _choice(value: Cell, column: str, choices: dict[str, E], default: E | None) -> E | None:
    if isinstance(value, str) and value in choices:  # the usual case, written as documented
        return choices[value]
    text = cell_text(value).lower()
    if not text:
        if default is None and column in REQUIRED:
            raise BadValue(column, REQUIRED_VALUE)
        return default
    try:
        return choices[text]
    except KeyError:
        choice_list = ", ".join(choices)
        raise BadValue(
            column,
            msg(
                "unknown value {cell} (use one of: {choices})",
                cell=shown(text),
                choices=choice_list,
            ),
        ) from None


#: The money columns: read as the sale screen reads an amount (`tabular.parse_amount`:
#: "189.000", "189,000", "189.000 đ", "189k"), the quantity by `parse_whole_number`.
_MONEY = frozenset({"shipping_fee", "discount", "unit_price"})


def _number(value: Cell, column: str, *, required: bool, minimum: int, maximum: int) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 16:
        number = int(value)  # the usual case: plain digits
        if minimum <= number <= maximum:
            return number
    if _is_empty(value):
        if required:
            raise BadValue(column, REQUIRED_VALUE)
        return 0
    try:
        number = (parse_amount if column in _MONEY else parse_whole_number)(value)
    except ValueError as exc:
        raise BadValue(column, exc.args[0]) from None
    if not minimum <= number <= maximum:
        raise BadValue(column, out_of_range(value, number, minimum, maximum))
    return number


def _order_date(value: Cell, tz: tzinfo, latest: datetime) -> datetime:
    if type(value) is str and _PLAIN_DATE_TIME.match(value):  # 2026-12-04 22:50:34
        try:
            when = datetime.fromisoformat(value).replace(tzinfo=tz).astimezone(UTC)
        except (ValueError, OverflowError):  # 2026-02-30, 0001-01-01: said below
            pass
        else:
            if when <= latest and YEARS[0] <= when.year < YEARS[1]:
                return when
    if _is_empty(value):
        raise BadValue("order_date", REQUIRED_VALUE)
    try:
        dt = parse_datetime(value)
    except ValueError as exc:
        raise BadValue("order_date", exc.args[0]) from None
    if dt.microsecond:  # Excel stores times as fractions of a day: round to the second
        dt = dt.replace(microsecond=0) + timedelta(seconds=dt.microsecond >= 500_000)
    when = to_utc(dt, tz)
    if when > latest:  # a typo (2062, 29/02/2028): it would top the list, in no report
        raise BadValue("order_date", msg("{cell} is in the future", cell=_shown(value)))
    return when


class _HeadParts:
    """The order-level cells parsed before, in two parts that repeat across orders: the
    buyer's (name, phone, buyer id, province: a few thousand buyers) and the rest but the
    date (channel, status, payment, carrier, fee, discount). Keyed by the cells and their
    types (1, 1.0 and TRUE are equal keys, not equal cells); only parts that parsed."""

    __slots__ = ("buyers", "terms")

    def __init__(self) -> None:
        self.buyers: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.terms: dict[tuple[Any, ...], tuple[Any, ...]] = {}


#: An order date as the template and our exports write it (the usual cell): read at C
#: speed; anything else (other forms, a date in the future, a typo) takes `parse_datetime`.
#: Hours 00-23 only: newer Pythons read 24:00:00 as the next midnight, not a real time.
_PLAIN_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T](?:[01]\d|2[0-3]):\d\d:\d\d\Z", re.ASCII)


def _parse_head(
    raw: Sequence[Cell], tz: tzinfo, latest: datetime, parts: _HeadParts | None = None
) -> _Head:
    if parts is not None:
        try:
            return _parse_head_by_parts(raw, tz, latest, parts)
        except BadValue:
            pass  # the full parse below names the first bad cell, in column order
    return _parse_head_in_full(raw, tz, latest)


def _parse_head_by_parts(
    raw: Sequence[Cell], tz: tzinfo, latest: datetime, parts: _HeadParts
) -> _Head:
    """`_parse_head_in_full`, with the parts that repeat across orders parsed once."""
    date_v, channel, status, payment, name, phone, buyer, province, carrier, fee, disc = raw
    buyer_cells = (name, phone, buyer, province)
    key = (buyer_cells, tuple(map(type, buyer_cells)))
    who = parts.buyers.get(key)
    if who is None:
        who = parts.buyers[key] = (
            _text(name, "customer_name"), _phone(phone), _text(buyer, "buyer_id"),
            _text(province, "province"),
        )  # fmt: skip
    term_cells = (channel, status, payment, carrier, fee, disc)
    term_key = (term_cells, tuple(map(type, term_cells)))
    terms = parts.terms.get(term_key)
    if terms is None:
        terms = parts.terms[term_key] = (
            _choice(channel, "channel", _CHANNELS, None),
            _choice(status, "status", _STATUSES, None),
            _choice(payment, "payment_method", _PAYMENTS, PaymentMethod.COD),
            _text(carrier, "shipping_provider"),
            _number(fee, "shipping_fee", required=False, minimum=0, maximum=MAX_AMOUNT),
            _number(disc, "discount", required=False, minimum=0, maximum=MAX_AMOUNT),
        )  # fmt: skip
    head = _Head(_order_date(date_v, tz, latest), terms[0], terms[1], terms[2], *who, *terms[3:])
    if head.payment_method == PaymentMethod.ON_ACCOUNT and not _names_a_customer(head):
        raise BadValue("customer_name", ON_ACCOUNT_NEEDS_CUSTOMER)
    return head


def _parse_head_in_full(raw: Sequence[Cell], tz: tzinfo, latest: datetime) -> _Head:
    date_v, channel, status, payment, name, phone, buyer, province, carrier, fee, disc = raw
    status_v = _choice(status, "status", _STATUSES, None)
    payment_v = _choice(payment, "payment_method", _PAYMENTS, PaymentMethod.COD)
    assert status_v is not None and payment_v is not None
    head = _Head(
        order_date=_order_date(date_v, tz, latest),
        channel=_choice(channel, "channel", _CHANNELS, None),
        status=status_v,
        payment_method=payment_v,
        customer_name=_text(name, "customer_name"),
        customer_phone=_phone(phone),
        buyer_id=_text(buyer, "buyer_id"),
        province=_text(province, "province"),
        shipping_provider=_text(carrier, "shipping_provider"),
        shipping_fee=_number(fee, "shipping_fee", required=False, minimum=0, maximum=MAX_AMOUNT),
        discount=_number(disc, "discount", required=False, minimum=0, maximum=MAX_AMOUNT),
    )
    if payment_v == PaymentMethod.ON_ACCOUNT and not _names_a_customer(head):
        raise BadValue("customer_name", ON_ACCOUNT_NEEDS_CUSTOMER)
    return head


#: An order on account is owed by its customer (the sale screen asks for one too): without
#: one it would sit on no account and in no "customers owe" total.
ON_ACCOUNT_NEEDS_CUSTOMER = msg(
    "an order on account needs its customer (customer_name, customer_phone or buyer_id): "
    "who owes it?"
)


def _names_a_customer(head: _Head) -> bool:
    """Whether the row finds or makes a customer (`_resolve_customers`: a name, a real
    phone or a buyer id; a masked phone alone makes none)."""
    return bool(head.customer_name or _normal_phone(head.customer_phone) or head.buyer_id)


def _phone(value: Cell) -> str | None:
    """The phone as written: a real one in any format, or one a marketplace masked
    (84*****89); anything else would be dropped unseen, so it rejects the order."""
    text = _text(value, "customer_phone")
    if text is not None and _stored_phone(text) is None:
        raise BadValue("customer_phone", msg("{phone} is not a phone number", phone=shown(text)))
    return text


_SKU_MAX, _NAME_MAX = MAX_LENGTH["sku"], MAX_LENGTH["product_name"]


def _parse_line(raw: Sequence[Cell]) -> _Line:
    sku_v, name_v, qty_v, price_v = raw
    # Fast path for the usual text cells (CSV): the checks below in short.
    if type(sku_v) is str and type(name_v) is str and type(qty_v) is str and type(price_v) is str:
        sku_t, name_t = clean_code(sku_v), clean_line(name_v)
        if (
            sku_t and len(sku_t) <= _SKU_MAX and len(name_t) <= _NAME_MAX
            and qty_v.isascii() and qty_v.isdigit() and len(qty_v) <= 6
            and price_v.isascii() and price_v.isdigit() and len(price_v) <= 12
        ):  # fmt: skip
            quantity = int(qty_v)
            if quantity >= 1:
                # Interned: 100,000 lines share a few thousand SKU and name strings.
                return _Line(intern(sku_t), intern(name_t or sku_t), quantity, int(price_v))
    sku = _text(sku_v, "sku", required=True)
    assert sku is not None
    return _Line(
        sku=sku,
        product_name=_text(name_v, "product_name") or sku,
        quantity=_number(qty_v, "quantity", required=True, minimum=1, maximum=MAX_QUANTITY),
        unit_price=_number(price_v, "unit_price", required=True, minimum=0, maximum=MAX_AMOUNT),
    )


def _shown(value: Cell) -> str:
    if isinstance(value, datetime):  # an Excel date cell: as the app writes dates
        return shown(_date_text(value))
    return shown(cell_text(value))


def _date_text(when: datetime) -> str:
    """A date and time the way files and the app write it: 01/12/2026 10:00 (:05 when the
    seconds are not 0, so two times a few seconds apart do not read the same)."""
    seconds = f":{when.second:02d}" if when.second else ""
    return f"{when:%d/%m/%Y %H:%M}{seconds}"


@dataclass
class _ReadResult:
    name: str
    drafts: list[_Draft]
    lone_rejects: list[RejectedRow]
    rows_read: int
    seconds: float


def _read(path: Path, tz: tzinfo, prog: Progress, latest: datetime) -> _ReadResult:
    """Phase 1: every row parsed and checked, grouped into orders (no database); an order
    dated after `latest` is refused."""
    t0 = time.perf_counter()
    drafts: dict[tuple[str, str], _Draft] = {}
    lone: list[RejectedRow] = []
    # Lines repeat (a few thousand SKUs × quantities): each distinct one is parsed once.
    known_lines: dict[tuple[Cell, ...], _Line] = {}
    parts = _HeadParts()
    with _open_template(path) as table:
        width = table.width  # missing optional columns read the "" appended to each row
        index = {name: table.columns.get(name, width) for name in COLUMNS}
        get_head = itemgetter(*(index[c] for c in HEAD_COLUMNS))
        get_line = itemgetter(*(index[c] for c in LINE_COLUMNS))
        i_shop, i_order = index["shop"], index["order_id"]
        shop_max, order_max = MAX_LENGTH["shop"], MAX_LENGTH["order_id"]
        prog.update(0.0, f"Reading {table.name}")
        for n, (row, cells) in enumerate(table.rows(), 1):
            if n % 2_000 == 0:
                prog.check()
                prog.update(READ_SHARE * table.fraction, f"Reading row {row:,}")
            cells.append("")
            shop_v, order_v = cells[i_shop], cells[i_order]
            if type(shop_v) is str and type(order_v) is str:  # fast path: the usual text
                shop, external_id = clean_code(shop_v), clean_code(order_v)
                ok = 0 < len(shop) <= shop_max and 0 < len(external_id) <= order_max
            else:
                ok = False
            if not ok:
                try:
                    shop = _text(shop_v, "shop", required=True) or ""
                    external_id = _text(order_v, "order_id", required=True) or ""
                except BadValue as bad:
                    lone.append(RejectedRow(row, bad.column, bad.reason))
                    continue
            draft = drafts.get((shop, external_id))
            if draft is None:
                if ("e" in external_id or "E" in external_id) and rounded_by_excel(order_v):
                    why = _not_exact("order_id", order_v)  # 5.76461E+17: a CSV Excel saved
                    lone.append(RejectedRow(row, why.column, why.reason))
                    continue
                draft = drafts[(shop, external_id)] = _Draft(shop, external_id, row)
            draft.rows.append(row)
            if draft.error is not None:
                continue
            try:
                raw = get_head(cells)
                if draft.head is None:
                    draft.head, draft.raw_hash = _parse_head(raw, tz, latest, parts), hash(raw)
                elif hash(raw) != draft.raw_hash:
                    _check_same(draft, _parse_head(raw, tz, latest, parts), raw, tz)
                raw_line = get_line(cells)
                # A TRUE cell must not find the line of a 1 (True == 1): no cache for it.
                cacheable = bool not in map(type, raw_line)
                line = known_lines.get(raw_line) if cacheable else None
                if line is None:
                    line = _parse_line(raw_line)
                    if cacheable:
                        known_lines[raw_line] = line
                draft.lines.append(line)
            except BadValue as bad:
                draft.reject(bad.column, bad.reason, row)
        rows_read = table.rows_read
    for draft in drafts.values():
        if draft.error is None:
            _check_money(draft)
    return _ReadResult(path.name, list(drafts.values()), lone, rows_read, time.perf_counter() - t0)


def _open_template(path: Path) -> TabularFile:
    """The file opened as the order template; the app's own orders export (its
    "Order ID"/"Order date" headers read as template columns) is refused as what it is,
    rather than for the product lines it never has."""
    try:
        return open_table(path, required=REQUIRED)
    except ValidationError as exc:
        # Looked for only when a column is missing: an import never opens its file twice.
        if exc.column in REQUIRED and is_orders_export_file(path):
            raise export_not_importable(path.name) from None
        raise


def _check_same(draft: _Draft, head: _Head, raw: Sequence[Cell], tz: tzinfo) -> None:
    """Order-level values must agree across the lines of an order."""
    first = draft.head
    assert first is not None
    for i, column in enumerate(HEAD_COLUMNS):
        if head[i] != first[i]:
            was = first[i]
            if isinstance(was, datetime):  # its cell is not kept: written the way files say it
                was = _date_text(was.astimezone(tz))
            elif was is None:
                was = ""
            raise BadValue(
                column,
                msg("{cell} differs from {first} on row {row} of the same order (order-level "
                    "columns must agree)", cell=_shown(raw[i]), first=_shown(str(was)),
                    row=draft.first_row),
            )  # fmt: skip


def _check_money(draft: _Draft) -> None:
    head = draft.head
    assert head is not None
    subtotal = draft.subtotal = sum(line.quantity * line.unit_price for line in draft.lines)
    if subtotal > MAX_SUBTOTAL:
        draft.reject(
            "unit_price", msg("the order's subtotal {subtotal} is more than the limit",
                              subtotal=subtotal)
        )  # fmt: skip
    elif head.discount > subtotal + head.shipping_fee:
        draft.reject(
            "discount",
            msg("{discount} is more than the order's subtotal {subtotal} plus shipping "
                "{shipping}", discount=head.discount, subtotal=subtotal,
                shipping=head.shipping_fee),
        )  # fmt: skip


# --------------------------------------------------------------------------- planning


@lru_cache(maxsize=65_536)
def _stored_phone(raw: str | None) -> str | None:
    """Normalised, or kept as given when a marketplace masked it; None when invalid."""
    if not raw:
        return None
    if is_masked_phone(raw):
        return raw
    return normalize_phone(raw)


@lru_cache(maxsize=65_536)
def _normal_phone(raw: str | None) -> str | None:
    """The normalised phone customers are matched by (None for masked or invalid)."""
    return normalize_phone(raw) if raw else None


_phone_terms = lru_cache(maxsize=65_536)(phone_terms)


@lru_cache(maxsize=65_536)
def _buyer_words(name: str | None, phone: str | None) -> str:
    """The folded search words of a buyer's name and phone (`search_text`): a file's orders
    come from a few thousand buyers."""
    return search_text(name, *_phone_terms(phone))


class _Cust:
    """A customer an order links to: an existing one (id known) or one to create."""

    __slots__ = ("id", "name", "phone", "index", "has_phone", "renamed", "added_phone")

    def __init__(self, cid: int | None = None, name: str = "", phone: str | None = None) -> None:
        self.id = cid
        self.name = name
        self.phone = phone
        self.index = 0
        #: Known to have a phone (existing customers: unless loaded as phoneless).
        self.has_phone = cid is not None or phone is not None
        #: An existing customer whose masked name the file's real name replaces.
        self.renamed = False
        #: A real phone the file adds to an existing customer without one.
        self.added_phone: str | None = None


class _NewSku:
    """A SKU the catalogue lacks: a product and a variant get created for it."""

    __slots__ = ("sku", "name", "price", "weight_g", "variant_id")

    def __init__(self, line: _Line) -> None:
        self.sku = line.sku
        self.name = line.product_name[:_PRODUCT_NAME_MAX].strip() or line.sku
        self.price = line.unit_price
        self.weight_g = line.weight_g
        self.variant_id: int | None = None


class _StoredVariant(NamedTuple):
    """A stored variant an order line's SKU may name."""

    id: int
    sku: str
    #: Active, of a product not deleted (archived): what a new order should sell.
    live: bool
    #: The shops its product is actively listed on.
    shops: frozenset[int]


def _best_variant(found: Sequence[_StoredVariant], shop_id: int | None = None) -> _StoredVariant:
    """The variant an order line of `shop_id` names among those of one SKU: a live one, of
    a product listed on that shop if any (a SKU is unique per shop, README § Products,
    but may be on products of other shops); only when none is live, a removed or deleted
    one (an old order's, so history links to it rather than to a twin product)."""
    return min(found, key=lambda f: (not f.live, shop_id not in f.shops, f.id))


@dataclass
class _ShopRef:
    name: str
    channel: Channel
    id: int | None = None


@dataclass
class _Stored:
    """What the store holds of an order the file also has."""

    id: int
    values: dict[str, Any]
    customer_id: int | None
    stock_state: StockState
    refunded: int
    other_discounts: dict[str, int]
    lines: Counter[tuple[str | None, str, int, int, int]] = field(default_factory=Counter)
    returned: bool = False


@dataclass
class _Write:
    """One order to insert (stored is None) or update."""

    draft: _Draft
    shop: _ShopRef
    values: dict[str, Any]
    stored: _Stored | None = None
    replace_lines: bool = True
    customer: _Cust | None = None
    order_id: int | None = None


_COMPARED = (
    "status", "payment_method", "buyer_name", "buyer_phone", "ship_province", "province_code",
    "carrier", "item_count", "subtotal", "shipping_fee", "seller_discount", "total",
    "created_at",
)  # fmt: skip
_OTHER_DISCOUNTS = ("marketplace_discount", "voucher_discount", "shop_promotion",
                    "points_discount")  # fmt: skip


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Import:
    """Phase 2, inside one transaction: plan against the store, then write."""

    def __init__(self, ctx: ServiceContext, conn: sa.Connection, prog: Progress) -> None:
        self.ctx = ctx
        self.conn = conn
        self.sqlite = is_sqlite(conn)
        self.prog = prog
        self.now = ctx.clock.now()
        self.user_id = ctx.actor.id
        self.report = ImportReport()
        self.writes: list[_Write] = []
        self.shops: dict[str, _ShopRef] = {}
        self.new_shops: list[_ShopRef] = []
        self.skus: dict[str, int | _NewSku] = {}
        #: (shop id, SKU) → variant id, where a shop's orders name another variant than
        #: `skus` gives (the same SKU on products of different shops): `variants_of`.
        self.shop_skus: dict[tuple[int, str], int] = {}
        self.new_skus: list[_NewSku] = []
        self.new_customers: list[_Cust] = []
        #: The source of the customers it creates: "import" for an order file (its rows
        #: may be of any shop); a marketplace's sync and Seller Center import set their
        #: shop's channel, as `customers.resolve_customer` does.
        self.customer_source = IMPORT_SOURCE
        self.new_identities: list[tuple[_Cust, _ShopRef, str]] = []

    # Planning --------------------------------------------------------------------------
    def plan(self, drafts: list[_Draft]) -> None:
        self._resolve_shops(drafts)
        for draft in drafts:
            shop = self.shops[draft.shop]
            self.writes.append(_Write(draft, shop, self._values(draft)))
        self.prog.update(READ_SHARE + 0.03, "Looking up existing orders")
        self._known_skus()
        self._compare_with_stored()
        self.prog.check()
        writes = self.writes
        self._resolve_skus([w for w in writes if w.replace_lines])
        self._resolve_customers(
            [w for w in writes if w.stored is None or w.stored.customer_id is None]
        )

    def _values(self, draft: _Draft) -> dict[str, Any]:
        """The order columns the file decides (before comparing with the store)."""
        head = draft.head
        assert head is not None
        subtotal = draft.subtotal
        phone = head.customer_phone
        return {
            "status": head.status,
            "payment_method": head.payment_method,
            "buyer_name": head.customer_name,
            "buyer_phone": _stored_phone(phone),
            "ship_province": head.province,
            "province_code": province_code(head.province),
            "carrier": head.shipping_provider,
            "item_count": sum(line.quantity for line in draft.lines),
            "subtotal": subtotal,
            "shipping_fee": head.shipping_fee,
            "seller_discount": head.discount,
            "total": compute_total(
                subtotal=subtotal, shipping_fee=head.shipping_fee, seller_discount=head.discount
            ),
            "created_at": head.order_date,
            "completed_at": head.order_date if head.status == OrderStatus.COMPLETED else None,
            # = search_text(number, name, phones=[phone]), the buyer's words folded once.
            "search_text": " ".join(
                filter(None, (fold(draft.external_id), _buyer_words(head.customer_name, phone)))
            ),
        }

    def _resolve_shops(self, drafts: list[_Draft]) -> None:
        names = sorted({d.shop for d in drafts})
        for chunk in _chunks(names):
            stmt = sa.select(shops_t.c.id, shops_t.c.name, shops_t.c.channel).where(
                shops_t.c.name.in_(chunk)
            )
            for sid, name, channel in self.conn.execute(stmt):
                self.shops[name] = _ShopRef(name, Channel(channel), sid)
        for draft in drafts:
            if draft.shop not in self.shops:
                assert draft.head is not None
                ref = _ShopRef(draft.shop, draft.head.channel or Channel.OFFLINE)
                self.shops[draft.shop] = ref
                self.new_shops.append(ref)

    def _compare_with_stored(self) -> None:
        by_shop: dict[int, dict[str, _Write]] = {}
        for w in self.writes:
            if w.shop.id is not None:
                by_shop.setdefault(w.shop.id, {})[w.draft.external_id] = w
        stored: dict[int, _Write] = {}
        c = orders_t.c
        cols = [c.id, c.external_id, c.customer_id, c.stock_state, c.refunded_amount,
                *(c[k] for k in _OTHER_DISCOUNTS), *(c[k] for k in _COMPARED)]  # fmt: skip
        for shop_id, wanted in by_shop.items():
            for chunk in _chunks(list(wanted)):
                stmt = sa.select(*cols).where(c.shop_id == shop_id, c.external_id.in_(chunk))
                for row in self.conn.execute(stmt).mappings():
                    w = wanted[row["external_id"]]
                    w.stored = _Stored(
                        id=row["id"],
                        values={k: row[k] for k in _COMPARED},
                        customer_id=row["customer_id"],
                        stock_state=StockState(row["stock_state"]),
                        refunded=row["refunded_amount"],
                        other_discounts={k: row[k] for k in _OTHER_DISCOUNTS},
                    )
                    stored[row["id"]] = w
        ids = list(stored)
        lc = lines_t.c
        for chunk in _chunks(ids):
            stmt = sa.select(
                lc.order_id, lc.sku, lc.product_name, lc.quantity, lc.unit_price, lc.discount,
                lc.returned_quantity,
            ).where(lc.order_id.in_(chunk))  # fmt: skip
            for oid, sku, name, qty, price, discount, returned in self.conn.execute(stmt):
                st = stored[oid].stored
                assert st is not None
                st.lines[(sku, name, qty, price, discount)] += 1
                st.returned = st.returned or bool(returned)
        keep: list[_Write] = []
        for w in self.writes:
            if w.stored is None or self._classify(w, w.stored):
                keep.append(w)
        self.writes = keep

    def _classify(self, w: _Write, st: _Stored) -> bool:
        """Decide what to do with an order the store has; False = nothing to write."""
        values = w.values
        if any(st.other_discounts.values()):  # a synced order's other discounts stay
            values["total"] = compute_total(
                subtotal=values["subtotal"],
                shipping_fee=values["shipping_fee"],
                seller_discount=values["seller_discount"],
                **st.other_discounts,
            )
        lines = Counter((ln.sku, ln.product_name, ln.quantity, ln.unit_price, 0)
                        for ln in w.draft.lines)  # fmt: skip
        same_lines = lines == st.lines
        if same_lines and all(values[k] == st.values[k] for k in _COMPARED):
            self.report.orders_unchanged += 1
            return False
        draft, total = w.draft, values["total"]
        if st.stock_state != StockState.NONE:
            draft.reject(
                None,
                msg(
                    "this order moves stock (it was made in the app): change it there, not by "
                    "import"
                ),
            )
        elif total < 0:
            draft.reject(
                "discount",
                msg(
                    "with the order's stored marketplace, voucher, promotion and points discounts "
                    "the total would be {total}",
                    total=total,
                ),
            )
        elif total < st.refunded:
            draft.reject(
                "discount",
                msg(
                    "the order total would be {total}, less than the {refunded} already refunded",
                    total=total,
                    refunded=st.refunded,
                ),
            )
        elif not same_lines and st.returned:
            draft.reject(
                "sku", msg("the order has returned items: its lines cannot be replaced by import")
            )
        if draft.error is not None:
            return False
        w.replace_lines = not same_lines
        return True

    def _known_skus(self) -> None:
        """The stored variant of each SKU of the file (`_best_variant`); a SKU the store
        lacks is looked for in any letter case (a scan and a receipt find `AO-TRANG-M` by
        `ao-trang-m`, so a twin product would split its sales) and its lines name it as
        stored. A SKU stored exactly so keeps it, even a removed variant's only: an old file
        imported again changes nothing. New SKUs of the file that differ only in case
        become one (the first in sorted order). Done before comparing, so a file writing a
        SKU in another case leaves its orders as they are."""
        skus = sorted({line.sku for w in self.writes for line in w.draft.lines})
        self.stored_skus(skus)
        unknown = [sku for sku in skus if sku not in self.skus]
        if not unknown:
            return
        stored = self._stored_variants([sku.lower() for sku in unknown], any_case=True)
        rename: dict[str, str] = {}
        first: dict[str, str] = {}  # lower case → the file's first spelling of a new SKU
        for sku in unknown:
            key = sku.lower()
            if key in stored:
                rename[sku] = spelling = _best_variant(stored[key]).sku
                self._choose(spelling, [f for f in stored[key] if f.sku == spelling])
            elif first.setdefault(key, sku) != sku:
                rename[sku] = first[key]
        if rename:
            for w in self.writes:
                lines = w.draft.lines
                if any(line.sku in rename for line in lines):
                    w.draft.lines = [line._replace(sku=rename.get(line.sku, line.sku))
                                     for line in lines]  # fmt: skip

    def stored_skus(self, skus: Sequence[str]) -> None:
        """The stored variant of each of these SKUs written exactly so (the sync's lookup:
        a marketplace's SKUs are compared with the stored lines as they come)."""
        for sku, found in self._stored_variants(skus).items():
            self._choose(sku, found)

    def _stored_variants(
        self, keys: Sequence[str], *, any_case: bool = False
    ) -> dict[str, list[_StoredVariant]]:
        """The stored variants of these SKUs (with `any_case`, lower-case keys matched in
        any case), by key; one query per chunk, a row per variant and listing."""
        v, p, pl = variants_t.c, products_t.c, listings_t.c
        column = sa.func.lower(v.sku) if any_case else v.sku
        live = sa.and_(v.is_active.is_(True), p.status != ProductStatus.ARCHIVED)
        stmt = sa.select(v.id, v.sku, live.label("live"), pl.shop_id).select_from(
            variants_t.join(products_t, p.id == v.product_id).outerjoin(
                listings_t, sa.and_(pl.product_id == p.id, pl.is_active.is_(True))
            )
        )
        found: dict[str, list[_StoredVariant]] = {}
        for chunk in _chunks(sorted(set(keys))):
            for vid, sku, is_live, shop_id in self.conn.execute(stmt.where(column.in_(chunk))):
                shops = frozenset(() if shop_id is None else (shop_id,))
                variant = _StoredVariant(vid, sku, bool(is_live), shops)
                found.setdefault(sku.lower() if any_case else sku, []).append(variant)
        for key, variants in found.items():
            if len(variants) > 1:  # a row per listing: one a variant, with all its shops
                merged: dict[int, _StoredVariant] = {}
                for f in variants:
                    had = merged.get(f.id)
                    merged[f.id] = f if had is None else had._replace(shops=had.shops | f.shops)
                found[key] = list(merged.values())
        return found

    def _choose(self, sku: str, found: Sequence[_StoredVariant]) -> None:
        """`skus[sku]` is the variant an order of no particular shop names; `shop_skus` the
        shops whose orders name another (`_best_variant`)."""
        default = found[0] if len(found) == 1 else _best_variant(found)
        self.skus[sku] = default.id
        if len(found) == 1:
            return
        for shop_id in {s for f in found for s in f.shops}:
            best = _best_variant(found, shop_id)
            if best.id != default.id:
                self.shop_skus[(shop_id, sku)] = best.id

    def variants_of(self, shop_id: int | None) -> dict[str | None, int | None]:
        """SKU → the variant id an order line of that shop names, once the new SKUs are
        written (`_choose`)."""
        found: dict[str | None, int | None] = {
            sku: ref.variant_id if isinstance(ref, _NewSku) else ref
            for sku, ref in self.skus.items()
        }
        found.update((sku, vid) for (sid, sku), vid in self.shop_skus.items() if sid == shop_id)
        return found

    def _resolve_skus(self, writes: list[_Write]) -> None:
        """A product with one variant for each SKU the store lacks (`_known_skus` or
        `stored_skus` first)."""
        for w in writes:
            for line in w.draft.lines:
                known = self.skus.get(line.sku)
                if known is None:
                    new = _NewSku(line)
                    self.skus[line.sku] = new
                    self.new_skus.append(new)
                elif isinstance(known, _NewSku) and known.weight_g is None:
                    known.weight_g = line.weight_g  # a later line that lists a weight

    def _resolve_customers(self, writes: list[_Write]) -> None:
        """The identity rules of `services.customers` (README § Customers), in bulk: buyer id
        (following merges), then real phone; otherwise a new customer (name, phone or buyer
        id); a customer found gets only the fills of `customers.order_fills` (a real name
        for a masked one, a first phone). tests/services/test_customers.py checks that this
        and `resolve_customer` give the same customers for one sequence of orders."""
        wanted_ids: dict[Channel, set[str]] = {}
        phones: set[str] = set()
        for w in writes:
            head = w.draft.head
            assert head is not None
            if head.buyer_id:
                wanted_ids.setdefault(w.shop.channel, set()).add(head.buyer_id)
            phone = _normal_phone(head.customer_phone)
            if phone:
                phones.add(phone)
        by_id: dict[int, _Cust] = {}

        def existing(cid: int) -> _Cust:
            if cid not in by_id:
                by_id[cid] = _Cust(cid)
            return by_id[cid]

        cc = customers_t.c
        live = sa.func.coalesce(cc.merged_into_id, cc.id)
        # (channel, buyer id) -> customer; None: the identity exists on a deleted customer.
        identities: dict[tuple[Channel, str], _Cust | None] = {}
        ic = identities_t.c
        live_t = customers_t.alias("live")
        lc = live_t.c
        for channel, buyer_ids in wanted_ids.items():
            for chunk in _chunks(sorted(buyer_ids)):
                # The identity's customer, or the survivor it was merged into.
                stmt = (
                    sa.select(ic.buyer_id, live, lc.deleted_at)
                    .select_from(identities_t.join(customers_t, cc.id == ic.customer_id)
                                 .join(live_t, lc.id == live))
                    .where(ic.channel == channel, ic.buyer_id.in_(chunk))
                )  # fmt: skip
                for buyer_id, cid, deleted in self.conn.execute(stmt):
                    identities[(channel, buyer_id)] = None if deleted else existing(cid)
        by_phone: dict[str, _Cust] = {}
        pc = phones_t.c
        for chunk in _chunks(sorted(phones)):
            stmt = (
                sa.select(pc.phone, sa.func.min(live))
                .select_from(phones_t.join(customers_t, cc.id == pc.customer_id))
                .where(pc.phone.in_(chunk), cc.deleted_at.is_(None))
                .group_by(pc.phone)
            )
            for phone, cid in self.conn.execute(stmt):
                by_phone[phone] = existing(cid)
        self._load_fill_candidates(by_id)
        linked: set[int] = set()
        for w in writes:
            head = w.draft.head
            assert head is not None
            channel = w.shop.channel
            key = (channel, head.buyer_id) if head.buyer_id else None
            phone = _normal_phone(head.customer_phone)
            cust = identities.get(key) if key else None
            if cust is None and phone:
                cust = by_phone.get(phone)
            if cust is None and (head.customer_name or phone or head.buyer_id):
                cust = _Cust(None, head.customer_name or phone or head.buyer_id or "", phone)
                cust.index = len(self.new_customers)
                self.new_customers.append(cust)
                if phone:
                    by_phone[phone] = cust
            elif cust is not None:
                self._fill(cust, head.customer_name, phone, by_phone)
            if key is not None and cust is not None and key not in identities:
                identities[key] = cust
                self.new_identities.append((cust, w.shop, key[1]))
                if cust.id is not None:
                    linked.add(cust.id)
            w.customer = cust
        self.report.customers_linked = len(linked)

    def _load_fill_candidates(self, by_id: dict[int, _Cust]) -> None:
        """Existing customers an order may fill (`customers.order_fills`): those with a
        masked name or no phone; everyone else keeps `name` empty (no fills)."""
        cc, pc = customers_t.c, phones_t.c
        has_phone = sa.exists().where(pc.customer_id == cc.id)
        masked = sa.or_(*(cc.name.contains(ch, autoescape=True) for ch in MASK_CHARS))
        for chunk in _chunks(sorted(by_id)):
            stmt = sa.select(cc.id, cc.name, has_phone).where(
                cc.id.in_(chunk), sa.or_(masked, ~has_phone)
            )
            for cid, name, phoned in self.conn.execute(stmt):
                by_id[cid].name = name
                by_id[cid].has_phone = bool(phoned)

    def _fill(self, cust: _Cust, name: str | None, phone: str | None,
              by_phone: dict[str, _Cust]) -> None:  # fmt: skip
        """The identity rules' fills, as `resolve_customer` makes them one order at a time."""
        if cust.id is not None and not cust.name and cust.has_phone:
            return  # an existing customer with a real name and a phone: nothing to fill
        new_name, add_phone = order_fills(cust.name, cust.has_phone, name, phone)
        if new_name:
            cust.name = new_name
            cust.renamed = cust.id is not None
        if add_phone and by_phone.get(add_phone) in (None, cust):
            by_phone[add_phone] = cust
            cust.has_phone = True
            if cust.id is None:
                cust.phone = add_phone
            else:
                cust.added_phone = add_phone

    # Writing ---------------------------------------------------------------------------
    def write(self) -> None:
        # New orders go in by order date: most order indexes lead with the date (after a
        # shop or status), so their pages fill in order instead of at random.
        inserts = sorted(
            (w for w in self.writes if w.stored is None), key=lambda w: w.values["created_at"]
        )
        updates = [w for w in self.writes if w.stored is not None]
        self.writes = inserts + updates
        fresh = [table for table, rows in (("products", self.new_skus),
                 ("customers", self.new_customers), ("orders", inserts)) if rows]  # fmt: skip
        with search_indexed_after(self.conn, fresh):
            self._write_shops()
            self._write_catalogue()
            self._write_customers()
            # The order indexes (eleven, several in random key order) cost more row by row
            # than built once after; customers and lines gained nothing measurable.
            with indexes_deferred(self.conn, deferrable_indexes(self.conn, "orders", len(inserts))):
                self._insert_orders(inserts)
        self._write_fills()  # after: the restored search triggers index the changed rows
        self._update_orders(updates)
        self._write_lines()
        self._write_history()
        self.report.orders_inserted = len(inserts)
        self.report.orders_updated = len(updates)
        touched: set[int] = set()
        for w in self.writes:
            for cid in (w.customer.id if w.customer else None,
                        w.stored.customer_id if w.stored else None):  # fmt: skip
                if cid is not None:
                    touched.add(cid)
        self.prog.check()
        self.prog.update(0.96, "Updating customer statistics")
        order_ids = [w.order_id for w in self.writes if w.order_id is not None]
        new = {c.id for c in self.new_customers if c.id is not None}
        orders_changed(self.conn, order_ids, now=self.now, customer_ids=touched, stats_written=new)

    def _ts(self, dt: datetime | None) -> Any:
        """A timestamp as the driver takes it (SQLite: SQLAlchemy's UTC text)."""
        if dt is None:
            return None
        if self.sqlite:  # = sqlite_timestamp(dt), without strftime's cost
            return dt.astimezone(UTC).isoformat(" ", "microseconds")[:26]
        return db_timestamp(self.conn, dt)

    def _bulk(
        self,
        table: sa.Table,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        constants: dict[str, Any] | None = None,
        *,
        share: tuple[float, float] | None = None,
    ) -> None:
        """Driver-level executemany of DB-ready tuples, in batches with cancel checks.

        Core's per-value type processing costs as much as SQLite's own work on 100,000
        rows, so the big inserts bind ready values (`_ts`, enum `.value`) to a plain
        INSERT built from the table's metadata (performance-limits.md § Bulk ingest).
        """
        if not rows:
            return
        sql = _insert_sql(self.conn, table, columns, constants or {})
        done = 0
        for batch in _chunks(rows, _BATCH):
            self.prog.check()
            self.conn.exec_driver_sql(sql, list(batch))
            done += len(batch)
            if share is not None:
                low, high = share
                fraction = low + (high - low) * done / len(rows)
                self.prog.update(fraction, f"Writing {table.name} ({done:,})")

    def _write_shops(self) -> None:
        # A marketplace shop made here has no tokens yet: not linked until it is authorised.
        rows = [{"name": s.name, "channel": s.channel, "created_at": self.now,
                 "status": (ShopStatus.NOT_LINKED if s.channel.is_marketplace
                            else ShopStatus.ACTIVE)}
                for s in self.new_shops]  # fmt: skip
        if rows:
            stmt = sa.insert(shops_t).returning(shops_t.c.id, sort_by_parameter_order=True)
            for ref, (sid,) in zip(self.new_shops, self.conn.execute(stmt, rows), strict=True):
                ref.id = sid
                give_new_shop_low_stock_level(self.conn, sid, self.now)
        self.report.shops_created = len(rows)

    def _write_catalogue(self) -> None:
        new = self.new_skus
        if not new:
            return
        products = [
            {"name": s.name, "status": ProductStatus.ACTIVE,
             "search_text": product_search_text(s.name, [(s.sku,)]),
             "created_by_id": self.user_id, "created_at": self.now, "updated_at": self.now}
            for s in new
        ]  # fmt: skip
        # Usually a few hundred: RETURNING in parameter order (one row a statement) is fine.
        stmt = sa.insert(products_t).returning(products_t.c.id, sort_by_parameter_order=True)
        product_ids: list[int] = []
        for batch in _chunks(products, _BATCH):
            self.prog.check()
            product_ids += [r[0] for r in self.conn.execute(stmt, list(batch))]
        now = self._ts(self.now)
        self._bulk(
            variants_t,
            ("product_id", "sku", "price", "weight_g", "created_at", "updated_at"),
            [
                (pid, s.sku, s.price, s.weight_g, now, now)
                for s, pid in zip(new, product_ids, strict=True)
            ],  # fmt: skip
            {"cost": 0, "stock": 0, "reserved": 0, "is_active": True},
        )
        refresh_product_summaries(self.conn, product_ids)
        # Each new product has exactly one variant: find them by product.
        by_product = dict(zip(product_ids, new, strict=True))
        vc = variants_t.c
        for chunk in _chunks(product_ids):
            select = sa.select(vc.product_id, vc.id).where(vc.product_id.in_(chunk))
            for pid, vid in self.conn.execute(select):
                by_product[pid].variant_id = vid
        self.report.products_created = len(new)

    def _write_customers(self) -> None:
        new = self.new_customers
        now = self._ts(self.now)
        if new and self.sqlite:
            self._insert_customers_with_ids(new, now)
        elif new:
            self._insert_customers_then_codes(new, now)
        self._bulk(
            phones_t,
            ("customer_id", "phone", "created_at"),
            [(c.id, c.phone, now) for c in new if c.phone],
            {"is_primary": True},
        )
        self._bulk(
            identities_t,
            ("customer_id", "channel", "shop_id", "buyer_id"),
            [(c.id, shop.channel.value, shop.id, buyer) for c, shop, buyer in self.new_identities],
        )
        self.report.customers_created = len(new)

    def _customer_constants(self) -> dict[str, Any]:
        return {**_CUSTOMER_CONSTANTS, "source": self.customer_source}

    def _insert_customers_with_ids(self, new: list[_Cust], now: Any) -> None:
        """SQLite: the new customers go in with their ids, codes and search text at once.

        SQLite gives a new row max(id) + 1 (the tables have no AUTOINCREMENT), and this
        transaction holds the write lock (the search triggers were dropped first), so the
        ids are the ones it would give; no placeholder code rewritten afterwards.
        """
        first = self._max_id(customers_t) + 1
        rows = []
        for cid, (c, st) in enumerate(zip(new, self._new_customer_stats(), strict=True), first):
            c.id = cid
            code = customer_code(cid)
            rows.append((cid, code, c.name, search_text(c.name, code, *_phone_terms(c.phone)),
                         now, now, *st))  # fmt: skip
        self._bulk(
            customers_t,
            ("id", "code", "name", "search_text", "created_at", "updated_at", *_STAT_COLUMNS),
            rows,
            {k: v for k, v in self._customer_constants().items() if k != "search_text"},
        )

    def _insert_customers_then_codes(self, new: list[_Cust], now: Any) -> None:
        """Elsewhere (PostgreSQL): inserted with unique placeholder codes, their ids read
        back by those, then each one's code (`customer_code(id)`) and search text set."""
        token = secrets.token_hex(4)
        codes = [f"~{token}{c.index:x}" for c in new]
        self._bulk(
            customers_t,
            ("code", "name", "created_at", "updated_at", *_STAT_COLUMNS),
            [(code, c.name, now, now, *st)
             for code, c, st in zip(codes, new, self._new_customer_stats(), strict=True)],
            self._customer_constants(),
        )  # fmt: skip
        by_code = dict(zip(codes, new, strict=True))
        cc = customers_t.c
        for chunk in _chunks(codes):
            select = sa.select(cc.id, cc.code).where(cc.code.in_(chunk))
            for cid, code in self.conn.execute(select):
                by_code[code].id = cid
        rows = []
        for c in new:
            assert c.id is not None
            code = customer_code(c.id)
            rows.append((code, search_text(c.name, code, phones=[c.phone]), c.id))
        mark = _mark(self.conn)
        sql = f"UPDATE customers SET code = {mark}, search_text = {mark} WHERE id = {mark}"
        for batch in _chunks(rows, _BATCH):
            self.prog.check()
            self.conn.exec_driver_sql(sql, list(batch))

    def _new_customer_stats(self) -> list[tuple[Any, ...]]:
        """The statistics of the new customers (`_STAT_COLUMNS`, DB-ready), written with
        them: all their orders are in this file, so nothing needs reading back."""
        stats = [CustomerStats() for _ in self.new_customers]
        for w in self.writes:
            cust = w.customer
            if cust is not None and cust.id is None:
                v = w.values
                refunded = w.stored.refunded if w.stored else 0
                stats[cust.index].add_order(
                    v["status"], v["total"], refunded, v["created_at"], w.shop.channel.value
                )
        rows = []
        for st in stats:
            row = st.as_row()
            row["last_order_at"] = self._ts(st.last_order_at)
            row["first_order_at"] = self._ts(st.first_order_at)
            rows.append(tuple(row[k] for k in _STAT_COLUMNS))
        return rows

    def _write_fills(self) -> None:
        """Existing customers the file filled: real names for masked ones, first phones."""
        filled = {id(w.customer): w.customer for w in self.writes
                  if w.customer is not None and w.customer.id is not None
                  and (w.customer.renamed or w.customer.added_phone)}  # fmt: skip
        if not filled:
            return
        now = self._ts(self.now)
        cc = customers_t.c
        renames = [{"cid": c.id, "new_name": c.name} for c in filled.values() if c.renamed]
        if renames:
            self.conn.execute(
                customers_t.update().where(cc.id == sa.bindparam("cid"))
                .values(name=sa.bindparam("new_name")), renames,
            )  # fmt: skip
        self._bulk(
            phones_t,
            ("customer_id", "phone", "created_at"),
            [(c.id, c.added_phone, now) for c in filled.values() if c.added_phone],
            {"is_primary": True},
        )
        reindex_customers(self.conn, [c.id for c in filled.values() if c.id is not None], self.now)

    def _insert_orders(self, inserts: list[_Write]) -> None:
        self.prog.update(PLAN_SHARE, f"Writing {len(inserts):,} new orders")
        now = self._ts(self.now)
        ts = self._ts
        rows = []
        for w in inserts:
            v = w.values
            created, completed = v["created_at"], v["completed_at"]
            created_ts = ts(created)
            rows.append((
                w.shop.id, w.draft.external_id, v["status"].value, v["payment_method"].value,
                w.customer.id if w.customer else None, v["buyer_name"], v["buyer_phone"],
                v["ship_province"], v["province_code"], v["carrier"], v["item_count"],
                v["subtotal"], v["shipping_fee"], v["seller_discount"], v["total"],
                v["search_text"], self.user_id, created_ts, now,
                created_ts if completed is created else ts(completed),
            ))  # fmt: skip
        before = self._max_id(orders_t)
        self._bulk(orders_t, _ORDER_COLUMNS, rows, _ORDER_CONSTANTS, share=(PLAN_SHARE, 0.78))
        ids = self._sequential_ids(orders_t, before, len(rows))
        if ids is None:
            self._read_back_order_ids(inserts)
        else:
            for w, oid in zip(inserts, ids, strict=True):
                w.order_id = oid

    def _max_id(self, table: sa.Table) -> int:
        return int(self.conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
                   .scalar_one())  # fmt: skip

    def _sequential_ids(self, table: sa.Table, before: int, n: int) -> range | None:
        """The ids SQLite gave `n` rows just inserted one by one, when provably in order.

        Inside our write transaction SQLite numbers each new row max(id) + 1, so the rows
        got before+1 ... before+n in insertion order; checked here, else None (and the
        caller reads the ids back by key, as on PostgreSQL).
        """
        if not self.sqlite or not n:
            return None
        c = table.c.id
        count, low, high = self.conn.execute(
            sa.select(sa.func.count(), sa.func.min(c), sa.func.max(c)).where(c > before)
        ).one()
        if (count, low, high) != (n, before + 1, before + n):
            return None
        return range(before + 1, before + n + 1)

    def _read_back_order_ids(self, inserts: list[_Write]) -> None:
        """The ids of the orders just inserted, by their unique (shop, order number)."""
        by_shop: dict[int, dict[str, _Write]] = {}
        for w in inserts:
            assert w.shop.id is not None
            by_shop.setdefault(w.shop.id, {})[w.draft.external_id] = w
        c = orders_t.c
        for shop_id, wanted in by_shop.items():
            for chunk in _chunks(list(wanted)):
                stmt = sa.select(c.id, c.external_id).where(
                    c.shop_id == shop_id, c.external_id.in_(chunk)
                )
                for oid, external_id in self.conn.execute(stmt):
                    wanted[external_id].order_id = oid

    def _update_orders(self, updates: list[_Write]) -> None:
        """Changed orders: Core executemany (usually few), search index via its trigger."""
        if not updates:
            return
        keys = [*_COMPARED, "completed_at", "search_text", "customer_id", "updated_at"]
        stmt = (
            orders_t.update()
            .where(orders_t.c.id == sa.bindparam("oid"))
            .values({k: sa.bindparam(f"v_{k}") for k in keys})
        )
        rows = []
        for w in updates:
            assert w.stored is not None
            w.order_id = w.stored.id
            customer_id = w.stored.customer_id
            if customer_id is None and w.customer is not None:
                customer_id = w.customer.id
            values = {**w.values, "customer_id": customer_id, "updated_at": self.now}
            rows.append({"oid": w.order_id, **{f"v_{k}": values[k] for k in keys}})
        self.prog.update(0.78, f"Updating {len(rows):,} orders")
        for batch in _chunks(rows, _BATCH):
            self.prog.check()
            self.conn.execute(stmt, list(batch))
        replaced = [w.stored.id for w in updates if w.replace_lines and w.stored is not None]
        for chunk in _chunks(replaced):
            self.conn.execute(lines_t.delete().where(lines_t.c.order_id.in_(chunk)))

    def _write_lines(self) -> None:
        by_shop: dict[int | None, dict[str | None, int | None]] = {}
        rows = []
        for w in self.writes:
            if not w.replace_lines:
                continue
            oid, shop_id = w.order_id, w.shop.id
            if shop_id not in by_shop:
                by_shop[shop_id] = self.variants_of(shop_id)
            variant_of = by_shop[shop_id]
            for sku, name, qty, price, _grams in w.draft.lines:
                rows.append((oid, variant_of[sku], sku, name, qty, price, qty * price))
        # Costed as `cost_new_lines` would cost them after: a line written uncosted enters
        # its partial index only to leave it again.
        cost = self._variant_costs({row[1] for row in rows})
        self._bulk(
            lines_t,
            ("order_id", "variant_id", "sku", "product_name", "quantity", "unit_price",
             "subtotal", "unit_cost"),
            [(*row, cost.get(row[1], 0)) for row in rows],
            {"discount": 0, "returned_quantity": 0},
            share=(0.8, 0.92),
        )  # fmt: skip
        self.report.lines = len(rows)

    def _variant_costs(self, ids: set[int | None]) -> dict[int | None, int]:
        """The average cost of a unit of these variants now (`variants.cost`)."""
        v = variants_t.c
        costs: dict[int | None, int] = {}
        for chunk in _chunks(sorted(i for i in ids if i is not None)):
            costs.update(self.conn.execute(sa.select(v.id, v.cost).where(v.id.in_(chunk))).all())
        return costs

    def _write_history(self) -> None:
        now = self._ts(self.now)
        rows = []
        for w in self.writes:
            new = w.values["status"]
            old = w.stored.values["status"] if w.stored else None
            if old != new:
                rows.append((w.order_id, old.value if old else None, new.value, self.user_id, now))
        self.prog.update(0.93, "Writing status history")
        self._bulk(
            history_t,
            ("order_id", "from_status", "to_status", "user_id", "changed_at"),
            rows,
            {"source": IMPORT_SOURCE},
        )


_ORDER_COLUMNS = (
    "shop_id", "external_id", "status", "payment_method", "customer_id", "buyer_name",
    "buyer_phone", "ship_province", "province_code", "carrier", "item_count", "subtotal",
    "shipping_fee", "seller_discount", "total", "search_text", "created_by_id", "created_at",
    "updated_at", "completed_at",
)  # fmt: skip
_ORDER_CONSTANTS: dict[str, Any] = {
    "source": OrderSource.IMPORT.value, "stock_state": StockState.NONE.value,
    "marketplace_discount": 0, "voucher_discount": 0, "shop_promotion": 0,
    "points_discount": 0, "commission": 0, "paid_amount": 0, "refunded_amount": 0,
    "points_used": 0, "points_earned": 0, "flagged": False, "outbox_pending": False,
}  # fmt: skip
_CUSTOMER_CONSTANTS: dict[str, Any] = {
    "source": IMPORT_SOURCE, "search_text": "", "gender": Gender.UNKNOWN.value,
    "level_pinned": False, "rank": Rank.COPPER.value, "rank_pinned": False,
    "points_balance": 0, "points_earned": 0,
}  # fmt: skip
#: The statistics columns a new customer is inserted with (`_new_customer_stats`).
_STAT_COLUMNS = ("total_orders", "successful_orders", "cancelled_orders", "returned_orders",
                 "total_expenses", "last_order_at", "first_order_at", "channels")  # fmt: skip


def _mark(conn: sa.Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _insert_sql(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], constants: dict[str, Any]
) -> str:
    """A positional INSERT for `columns` of `table`; `constants` go in as SQL literals.

    Every NOT NULL column without a server default (the id aside) must be covered.
    """
    given = {*columns, *constants}
    missing = [
        c.name
        for c in table.columns
        if not c.nullable and not c.primary_key and c.server_default is None
        and c.name not in given
    ]  # fmt: skip
    if missing:
        raise ValueError(f"{table.name}: required columns missing from the insert: {missing}")
    prep = conn.dialect.identifier_preparer
    names = ", ".join(prep.quote(name) for name in (*columns, *constants))
    literals = [
        str(
            sa.literal(value, table.c[name].type).compile(
                dialect=conn.dialect, compile_kwargs={"literal_binds": True}
            )
        )
        for name, value in constants.items()
    ]
    values = ", ".join([_mark(conn)] * len(columns) + literals)
    return f"INSERT INTO {prep.format_table(table)} ({names}) VALUES ({values})"


# --------------------------------------------------------------------------- entry point

#: From this many orders in the file, the import's commit leaves copying the pages it
#: changed into the database file to a background checkpoint.
BIG_IMPORT_ORDERS = 2_000


def import_orders(
    ctx: ServiceContext, path: Path, *, progress: Progress | None = None
) -> ImportReport:
    """Import the orders of a .csv/.xlsx file in the generic order template.

    Returns the report (rejected rows included). Raises PermissionDenied without Orders
    access, ValidationError for a problem with the file itself (nothing written) and
    Cancelled when `progress` asks to stop (nothing written).
    """
    ctx.require(Module.ORDERS)
    tz = shop_tz()
    latest = ctx.clock.now() + FUTURE_TOLERANCE
    return run_import(
        path,
        progress,
        lambda file, prog: _read(file, tz, prog, latest),
        lambda read, prog: _write(ctx, read, prog),
        "Comparing with the orders already stored",
    )


def _write(ctx: ServiceContext, read: _ReadResult, prog: Progress) -> ImportReport:
    """Phase 2 in one unit of work; the audit row only when something changed."""
    started = time.perf_counter()
    big = len(read.drafts) >= BIG_IMPORT_ORDERS
    with ctx.uow(write=True) as session:
        if big:
            commit_without_checkpoint(session.connection())  # the commit only appends
        run = _Import(ctx, session.connection(), prog)
        run.plan([d for d in read.drafts if d.error is None])
        run.write()
        report = run.report
        report.file = read.name
        report.rows_read = read.rows_read
        report.orders_rejected, report.rejected = rejected_drafts(read.drafts, read.lone_rejects)
        report.seconds = read.seconds + time.perf_counter() - started
        if report.changed:  # an import that changes nothing leaves no trace at all
            _record(ctx, session, report)
        prog.check()
        prog.update(0.99, "Saving")
    if big and report.changed:
        checkpoint_in_background(ctx.engine)  # tens of MB into the database file, after
    return report


def _record(ctx: ServiceContext, session: Session, report: ImportReport) -> None:
    """The audit row and the Home activity item, in the import's transaction."""
    record_import(
        ctx, session, report, action="orders.import", what="orders",
        created=report.orders_inserted, updated=report.orders_updated,
        rejected=report.orders_rejected,
    )  # fmt: skip
