"""Import a Seller Center order export (Shopee, Lazada, TikTok Shop) into one shop.

`primedist import orders FILE --format shopee|lazada|tiktok --shop NAME`, and the orders
tab's Import. For shops without API access, and for history before a shop was linked.

Each order of the file becomes a `connectors.base.RemoteOrder` (the same values the API
connectors produce) and is written by `services.sync_writer.write_batch`, the sync's own
upsert by (shop, order number): an order imported from Excel and later synced by the API
is one order, importing a file twice writes nothing the second time, and customers, SKUs,
statistics and stock follow the same rules as the sync. Stock: orders placed before the
shop's first API sync are history (like the template import); once a shop syncs, orders
after that point move stock exactly as the sync would have.

Two phases, like the other imports: read and check the whole file (no database; a bad
value rejects its whole order, reported by row and column; a problem with the file itself
raises ValidationError naming what was expected), then write everything in ONE
transaction (a cancel or an error writes nothing).

Versions: an order's version is the latest time the file gives for it (Lazada's update
time; placed, paid, shipped, delivered, completed, cancelled). As in the sync, a later
version wins whatever the status (a newer export may move an order back: a cancellation
request the buyer withdrew), and an earlier one is an older export that changes nothing.
Only when the file gives no time newer than the stored version (a Shopee cancellation has
none of its own) does the status decide: further along counts.

Ids: an order id Excel stored as a number keeps 15 digits (a TikTok id has 18), and a CSV
saved by Excel writes it as 5.76461E+17; such a row is refused by row and column, never
filed under a rounded id (which could merge orders).

Limits: returned quantities and refunds in a file (Shopee's "Số lượng sản phẩm được hoàn
trả", TikTok's "Sku Quantity of return"/"Order Refund Amount") are not read: a RemoteOrder
carries none, as the API sync's do not. Record a partial return with the order's Return.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TypedDict

import sqlalchemy as sa
from sqlmodel import Session

from primedist.connectors import lazada
from primedist.connectors.base import (
    RemoteAddress,
    RemoteBuyer,
    RemoteOrder,
    RemoteOrderLine,
)
from primedist.connectors.shopee import map_payment
from primedist.core.clock import shop_tz, to_utc
from primedist.core.messages import msg
from primedist.core.text import clean_line, fold
from primedist.db.product_summary import give_new_shop_low_stock_level
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, OrderStatus, PaymentMethod, ShopStatus
from primedist.domain.order import Order
from primedist.domain.product import MAX_ITEM_WEIGHT_G
from primedist.domain.shop import Shop
from primedist.domain.sync import SyncCheckpoint
from primedist.errors import ValidationError
from primedist.io.seller_center import (
    FORMAT_NAMES,
    ExportFormat,
    ExportSheet,
    detect_format,
    expected_layouts,
    open_export,
    parse_export_datetime,
    parse_money,
)
from primedist.io.tabular import Cell, cell_text, parse_whole_number
from primedist.jobs.progress import Progress
from primedist.services.context import ServiceContext
from primedist.services.import_support import (
    PLAN_SHARE,
    READ_SHARE,
    ImportReportBase,
    RejectedRow,
    column_length,
    outcomes,
    record_import,
    rows_of_rejected,
    run_import,
)
from primedist.services.order_export import export_not_importable, is_orders_export
from primedist.services.order_import import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    MAX_SUBTOTAL,
    ImportReport,
    import_orders,
    out_of_range,
    rounded_by_excel,
    shown_number,
)
from primedist.services.sync_writer import BatchResult, ShopRef, aware, write_batch

orders_t = table_of(Order)
shops_t = table_of(Shop)

#: The formats of this importer and the channel each belongs to.
CHANNEL_OF = {
    ExportFormat.SHOPEE: Channel.SHOPEE,
    ExportFormat.LAZADA: Channel.LAZADA,
    ExportFormat.TIKTOK: Channel.TIKTOK,
}
#: Orders handed to `write_batch` at a time (all in the import's one transaction).
WRITE_CHUNK = 5_000
_SHOP_NAME_LEN = column_length(shops_t.c.name)

#: How far along a status is: an import moves orders forward only.
_PROGRESS = {
    OrderStatus.PENDING: 0, OrderStatus.CONFIRMED: 1, OrderStatus.SHIPPING: 2,
    OrderStatus.COMPLETED: 3, OrderStatus.RETURN_REFUND: 4, OrderStatus.RETURNED: 5,
    OrderStatus.CANCELLED: 6,
}  # fmt: skip


# --------------------------------------------------------------------------- report


@dataclass
class SellerCenterReport(ImportReportBase):
    """What an export import did; `rejected` lists every row not imported."""

    file: str = ""
    format: str = ""
    shop: str = ""
    shop_created: bool = False
    rows_read: int = 0
    orders_inserted: int = 0
    orders_updated: int = 0
    orders_unchanged: int = 0
    orders_rejected: int = 0
    lines: int = 0
    customers_created: int = 0
    stock_moves: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.orders_inserted or self.orders_updated)

    def summary(self) -> str:
        orders = outcomes(self.orders_inserted, self.orders_updated, self.orders_unchanged,
                          self.orders_rejected)  # fmt: skip
        made = (
            (self.customers_created, msg("{count} new customers", count=self.customers_created)),
            (self.stock_moves, msg("{count} stock movements", count=self.stock_moves)),
            (self.shop_created, msg("new shop")),
        )
        extra = [text for n, text in made if n]
        values = dict(file=self.file, format=FORMAT_NAMES[ExportFormat(self.format)],
                      shop=self.shop, rows=self.rows_read, orders=orders, lines=self.lines,
                      **self._tail_values())  # fmt: skip
        if extra and self.rejected:
            return msg(
                "Imported {file} ({format}) into {shop}: {rows} rows; orders {orders}; "
                "{lines} lines written; {extra}; {rejected} rows rejected ({seconds} s).",
                extra=extra, **values,
            )  # fmt: skip
        if extra:
            return msg(
                "Imported {file} ({format}) into {shop}: {rows} rows; orders {orders}; "
                "{lines} lines written; {extra} ({seconds} s).",
                extra=extra, **values,
            )  # fmt: skip
        if self.rejected:
            return msg(
                "Imported {file} ({format}) into {shop}: {rows} rows; orders {orders}; "
                "{lines} lines written; {rejected} rows rejected ({seconds} s).",
                **values,
            )  # fmt: skip
        return msg(
            "Imported {file} ({format}) into {shop}: {rows} rows; orders {orders}; "
            "{lines} lines written ({seconds} s).",
            **values,
        )  # fmt: skip


# --------------------------------------------------------------------------- entry points


def parse_format(value: str | ExportFormat | None) -> ExportFormat | None:
    """`shopee`/`lazada`/`tiktok`/`template` (None or `auto` = detect from the header)."""
    if value is None or value == "auto":
        return None
    try:
        return ExportFormat(str(value).lower())
    except ValueError:
        names = ", ".join(f.value for f in ExportFormat)
        raise ValidationError(
            msg(
                "Unknown import format {format}: use {names} or auto",
                format=repr(value),
                names=str(names),
            )
        ) from None


def detect_file_format(path: Path) -> ExportFormat:
    """The layout of a file from its header; ValidationError naming the known layouts."""
    with open_export(Path(path)) as sheet:
        fmt = detect_format(sheet.header)
        if fmt is None and is_orders_export(sheet.header):
            raise export_not_importable(sheet.name)
        if fmt is None:
            raise ValidationError(
                msg(
                    "{name} is not an order file this app knows: expected {expected}",
                    name=sheet.name,
                    expected=str(expected_layouts()),
                )
            )
        return fmt


def import_orders_file(
    ctx: ServiceContext,
    path: Path,
    *,
    fmt: ExportFormat | str | None = None,
    shop: str | None = None,
    progress: Progress | None = None,
) -> ImportReport | SellerCenterReport:
    """Import any order file: the order template (its shops are a column) or a Seller
    Center export into `shop`. `fmt` None or "auto" = detect it from the header."""
    ctx.require(Module.ORDERS)
    wanted = parse_format(fmt) or detect_file_format(Path(path))
    if wanted == ExportFormat.TEMPLATE:
        if shop:
            _refuse_shop_for_template(Path(path))
        return import_orders(ctx, Path(path), progress=progress)
    if not shop or not shop.strip():
        raise ValidationError(
            msg(
                "Name the shop the orders of {format_names} belong to (--shop NAME)",
                format_names=str(FORMAT_NAMES[wanted]),
            ),
            field="shop",
        )
    return import_export(ctx, Path(path), shop=shop, fmt=wanted, progress=progress)


def _refuse_shop_for_template(path: Path) -> None:
    """A shop was named for a file imported as the order template (the command line's
    default format): say what the file really is, since a Seller Center export given
    without its format is the likely mistake."""
    found = detect_file_format(path)
    if found != ExportFormat.TEMPLATE:
        raise ValidationError(
            msg(
                "{name} is {format_names}, not the order template: import it with "
                "--format {format} (or --format auto)",
                name=path.name,
                format_names=str(FORMAT_NAMES[found]),
                format=found.value,
            ),
            field="format",
        )
    raise ValidationError(
        msg(
            "The order template names the shop of each order in its shop column: import "
            "it without choosing a shop"
        ),
        field="shop",
    )


def import_export(
    ctx: ServiceContext,
    path: Path,
    *,
    shop: str,
    fmt: ExportFormat | str | None = None,
    progress: Progress | None = None,
) -> SellerCenterReport:
    """Import the orders of a Seller Center export into the shop named `shop` (created,
    not linked, when there is none). `fmt` None = detect it. Raises PermissionDenied
    without Orders access, ValidationError for a problem with the file or the shop
    (nothing written), Cancelled when `progress` asks to stop (nothing written)."""
    ctx.require(Module.ORDERS)
    wanted = parse_format(fmt)
    if wanted == ExportFormat.TEMPLATE:
        raise ValidationError(
            msg("The order template names its shops in a column: import it without a shop")
        )
    name = clean_line(shop)
    if not name:
        raise ValidationError(msg("Name the shop the orders belong to"), field="shop")
    if len(name) > _SHOP_NAME_LEN:
        raise ValidationError(
            msg(
                "A shop name has at most {shop_name_len} characters",
                shop_name_len=str(_SHOP_NAME_LEN),
            ),
            field="shop",
        )
    tz = _shop_zone(ctx, name)
    return run_import(
        Path(path),
        progress,
        lambda file, prog: _read(file, wanted, name, tz, prog),
        lambda read, prog: _write(ctx, read, prog),
        "Comparing with the orders already stored",
    )


def _shop_zone(ctx: ServiceContext, name: str) -> tzinfo:
    with ctx.uow() as session:
        stmt = sa.select(shops_t.c.timezone).where(shops_t.c.name == name)
        zone = session.connection().execute(stmt).scalar()
    return shop_tz(zone)


# --------------------------------------------------------------------------- reading


class _Bad(Exception):
    """A value that rejects its order: where and why."""

    def __init__(self, row: int, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.rejected = RejectedRow(row, column, reason)


class _Row:
    """One data row with its bound columns: values by header, errors naming the cell."""

    __slots__ = ("number", "cells", "cols")

    def __init__(self, number: int, cells: Sequence[Cell], cols: dict[str, int]) -> None:
        self.number, self.cells, self.cols = number, cells, cols

    def raw(self, name: str) -> Cell:
        i = self.cols.get(name)
        return "" if i is None else self.cells[i]

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = cell_text(self.raw(name)) or None
        if value is None and required:
            raise _Bad(self.number, name, msg("is empty"))
        return value

    def money(self, name: str, *, required: bool = False, sized: bool = False) -> int:
        """Whole đồng; `sized`: the size of a discount written as a negative amount."""
        value = self.raw(name)
        if sized:
            value = cell_text(value).lstrip("-")
        if required and not cell_text(value):
            raise _Bad(self.number, name, msg("is empty: the amount is needed"))
        try:
            amount = parse_money(value)
        except ValueError as exc:
            raise _Bad(self.number, name, exc.args[0]) from None
        if amount > MAX_AMOUNT:  # the order template's limit: far inside 64-bit sums
            raise _Bad(self.number, name, out_of_range(value, amount, 0, MAX_AMOUNT))
        return amount

    def quantity(self, name: str) -> int:
        try:
            qty = parse_whole_number(self.raw(name))
        except ValueError as exc:
            raise _Bad(self.number, name, exc.args[0]) from None
        if not 0 < qty <= MAX_QUANTITY:
            raise _Bad(
                self.number,
                name,
                msg(
                    "{qty} is not a quantity (1 to {limit})",
                    qty=str(shown_number(self.raw(name), qty)),
                    limit=MAX_QUANTITY,
                ),
            )
        return qty

    def when(self, name: str, tz: tzinfo, *, required: bool = False) -> datetime | None:
        value = self.raw(name)
        if not cell_text(value) or cell_text(value) in ("-", "--"):
            if required:
                raise _Bad(self.number, name, msg("is empty: the date is needed"))
            return None
        try:
            return to_utc(parse_export_datetime(value), tz)
        except ValueError as exc:
            raise _Bad(self.number, name, exc.args[0]) from None


@dataclass
class _Group:
    """The rows of one order in the file."""

    external_id: str
    rows: list[_Row] = field(default_factory=list)


@dataclass
class _Layout:
    fmt: ExportFormat
    order_key: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    build: Callable[[_Group, tzinfo], RemoteOrder]
    #: Rows right after the header that describe the columns (TikTok): skipped.
    skip_descriptions: bool = False
    #: Headers of the layout that are not read but must never be mistaken for one that is.
    unread: tuple[str, ...] = ()
    #: A column whose value is one unit's own id in the whole file (Lazada's orderItemId).
    unit_id: str | None = None

    @property
    def names(self) -> frozenset[str]:
        return frozenset((*self.required, *self.optional, *self.unread))


@dataclass
class _ReadResult:
    name: str
    fmt: ExportFormat
    shop: str
    orders: list[RemoteOrder]
    rows_read: int
    orders_rejected: int
    rejected: list[RejectedRow]
    seconds: float


def _read(path: Path, wanted: ExportFormat | None, shop: str, tz: tzinfo,
          prog: Progress) -> _ReadResult:  # fmt: skip
    started = time.perf_counter()
    with open_export(path) as sheet:
        fmt = _check_layout(sheet, wanted)
        layout = LAYOUTS[fmt]
        cols = _bind(sheet, layout)
        groups: dict[str, _Group] = {}
        lone: list[RejectedRow] = []
        rows_read = 0
        for number, cells in sheet.rows():
            rows_read += 1
            row = _Row(number, cells, cols)
            key = cell_text(row.raw(layout.order_key))
            if rows_read == 1 and layout.skip_descriptions and not _looks_like_id(key):
                rows_read = 0
                continue
            problem = _id_problem(row.raw(layout.order_key))
            if problem is not None:
                lone.append(RejectedRow(number, layout.order_key, problem))
                continue
            groups.setdefault(key, _Group(key)).rows.append(row)
            if rows_read % 2_000 == 0:
                prog.check()
        if rows_read == 0:
            raise ValidationError(msg("{name} has a header but no orders", name=sheet.name))
    prog.update(READ_SHARE * 0.8, "Checking the orders")
    orders: list[RemoteOrder] = []
    rejected = list(lone)
    bad = 0
    shared = _units_of_other_orders(groups.values(), layout.unit_id)
    for group in groups.values():
        try:
            if group.external_id in shared:
                raise shared[group.external_id]
            order = layout.build(group, tz)
            if order.subtotal > MAX_SUBTOTAL:  # the order template's limit
                raise _Bad(group.rows[0].number, None,
                           msg("the order's subtotal {subtotal} is more than the limit",
                               subtotal=order.subtotal))  # fmt: skip
            orders.append(order)
        except _Bad as exc:
            bad += 1
            rejected += rows_of_rejected(exc.rejected, [r.number for r in group.rows], "order")
        except ValueError as exc:  # RemoteOrder's own checks (money not adding up...)
            bad += 1
            first = RejectedRow(group.rows[0].number, None, exc.args[0])
            rejected += rows_of_rejected(first, [r.number for r in group.rows], "order")
    rejected.sort(key=lambda r: r.row)
    return _ReadResult(path.name, fmt, shop, orders, rows_read, bad, rejected,
                       time.perf_counter() - started)  # fmt: skip


def _units_of_other_orders(groups: Iterable[_Group], column: str | None) -> dict[str, _Bad]:
    """Orders holding a unit id an earlier order of the file holds too (a unit is on one
    order): order id → why it is rejected. Within one order, `_check_unit_ids` says it."""
    if column is None:
        return {}
    first: dict[str, tuple[str, int]] = {}
    clash: dict[str, _Bad] = {}
    for group in groups:
        for r in group.rows:
            unit = r.text(column)
            if not unit or _id_problem(r.raw(column)) is not None:  # `_check_unit_ids` says
                continue
            order, row = first.setdefault(unit, (group.external_id, r.number))
            if order != group.external_id and group.external_id not in clash:
                clash[group.external_id] = _Bad(r.number, column, msg(
                    "{item} is also on order {order} (row {seen}): each unit has its own "
                    "item id", item=unit, order=order, seen=str(row)))  # fmt: skip
    return clash


def _check_layout(sheet: ExportSheet, wanted: ExportFormat | None) -> ExportFormat:
    found = detect_format(sheet.header)
    if wanted is None:
        if found is None or found == ExportFormat.TEMPLATE:
            what = (
                "the order template: import it without a shop"
                if found
                else f"not an order file this app knows: expected {expected_layouts()}"
            )
            raise ValidationError(msg("{name} is {what}", name=sheet.name, what=str(what)))
        return found
    if found != wanted:
        layout = LAYOUTS[wanted]
        missing = [n for n in layout.required if sheet.find(n, layout.names - {n}) is None]
        seen = f" (it looks like {FORMAT_NAMES[found]})" if found else ""
        lacking = ", ".join(repr(n) for n in missing[:4]) or "the key columns"
        raise ValidationError(
            msg(
                "{name} is not {format_names}{seen}: its header (row {header_row}) lacks "
                "{lacking}; expected the headers {headers}",
                name=sheet.name,
                format_names=str(FORMAT_NAMES[wanted]),
                seen=str(seen),
                header_row=str(sheet.header_row),
                lacking=str(lacking),
                headers=str(", ".join(layout.required)),
            )
        )
    return wanted


def _bind(sheet: ExportSheet, layout: _Layout) -> dict[str, int]:
    cols: dict[str, int] = {}
    for name in layout.required:
        i = sheet.find(name, layout.names - {name})
        if i is None:
            raise ValidationError(
                msg(
                    "{name} looks like {format_names} but has no column {name2} in its header "
                    "(row {header_row}); expected the headers {headers}",
                    name=sheet.name,
                    format_names=str(FORMAT_NAMES[layout.fmt]),
                    name2=repr(name),
                    header_row=str(sheet.header_row),
                    headers=str(", ".join(layout.required)),
                ),
                column=name,
            )
        cols[name] = i
    for name in layout.optional:
        i = sheet.find(name, layout.names - {name})
        if i is not None:
            cols[name] = i
    return cols


def _looks_like_id(text: str) -> bool:
    return bool(text) and any(ch.isdigit() for ch in text) and " " not in text


def _id_problem(value: Cell) -> str | None:
    """Why a cell cannot be an order's (or a unit's) id; None when it can. A rounded id
    would file rows under another order or merge orders, so it is refused, never guessed."""
    text = cell_text(value)
    if not text:
        return msg("is empty: which order is it?")
    if rounded_by_excel(value):  # the rule of the order template's ids too
        return msg(
            "{cell} is not an exact id: Excel stored it as a number and dropped digits; "
            "export the file again from the Seller Center (or keep the column as text)",
            cell=repr(text),
        )
    return None


def _same(group: _Group, names: Iterable[str]) -> None:
    """Order-level columns repeat on every row of an order: they must agree."""
    first = group.rows[0]
    for row in group.rows[1:]:
        for name in names:
            if cell_text(row.raw(name)) != cell_text(first.raw(name)):
                raise _Bad(
                    row.number,
                    name,
                    msg(
                        "differs from row {number} of the same order ({cell} vs {first})",
                        number=str(first.number),
                        cell=repr(cell_text(row.raw(name))),
                        first=repr(cell_text(first.raw(name))),
                    ),
                )


def _status(raw: str, table: dict[str, OrderStatus], row: int, column: str) -> OrderStatus:
    """Our status for an export's status text: exact (accents and case ignored), else
    the longest known text it starts with (Shopee adds explanations after some)."""
    key = fold(raw)
    if key in table:
        return table[key]
    for known in sorted(table, key=len, reverse=True):
        if key.startswith(known):
            return table[known]
    raise _Bad(
        row,
        column,
        msg(
            "unknown order status {raw}; known: {known}",
            raw=repr(raw),
            known=str(", ".join(sorted(table))),
        ),
    )


def _latest(*times: datetime | None) -> datetime:
    return max(t for t in times if t is not None)


class _Money(TypedDict, total=False):
    shipping_fee: int
    voucher_discount: int
    marketplace_discount: int
    total: int


def _settle(subtotal: int, shipping: int, total: int, seller_part: int, *, row: int,
            column: str) -> _Money:  # fmt: skip
    """Money parts that add up to `total`: what the buyer did not pay of lines + shipping
    is discount (the seller-funded part as voucher, the rest the marketplace's). The file's
    shipping fee stays as it is: a `total` (read from `column` of `row`) above lines +
    shipping rejects the order, as no column of the export says what the excess is for."""
    gap = subtotal + shipping - total
    if gap < 0:
        raise _Bad(row, column, msg(
            "{total} is more than the order's items ({items}) and shipping fee ({shipping}) "
            "together: the export does not say what the difference is for; check the order "
            "in the Seller Center", total=total, items=subtotal, shipping=shipping,
        ))  # fmt: skip
    voucher = min(seller_part, gap)
    return {"shipping_fee": shipping, "voucher_discount": voucher,
            "marketplace_discount": gap - voucher, "total": total}  # fmt: skip


def _paid(status: OrderStatus, total: int, *, prepaid: bool) -> int:
    """What the buyer has paid the shop, as the Lazada, TikTok and Tiki sync record it:
    all of it once completed, or paid in advance; 0 for cash on delivery before that, and
    for a cancelled order (the marketplace gives a prepaid buyer the money back: the shop
    got nothing)."""
    if status == OrderStatus.CANCELLED:
        return 0
    return total if status == OrderStatus.COMPLETED or prepaid else 0


def _buyer_and_address(name: str | None, phone: str | None, username: str | None,
                       **addr: str | None) -> tuple[RemoteBuyer, RemoteAddress]:  # fmt: skip
    masked = any(v is not None and "*" in v for v in (name, phone, addr.get("address")))
    buyer = RemoteBuyer(username=username, name=name, phone=phone, masked=masked)
    return buyer, RemoteAddress(name=name, phone=phone, full_address=addr.get("address"), **addr)


# --------------------------------------------------------------------------- Shopee

SP_ORDER, SP_DATE, SP_STATUS = "Mã đơn hàng", "Ngày đặt hàng", "Trạng Thái Đơn Hàng"
SP_PRODUCT, SP_QTY, SP_PRICE = "Tên sản phẩm", "Số lượng", "Giá gốc"
#: The order's amount: lower-case "người" (the line's amount has "Người").
SP_TOTAL = "Tổng số tiền người mua thanh toán"
SP_TOTAL_LINE = "Tổng số tiền Người mua thanh toán"
SP_DEAL = "Giá ưu đãi"
SP_SKU, SP_PARENT_SKU, SP_VARIANT = "SKU phân loại hàng", "SKU sản phẩm", "Tên phân loại hàng"
SP_SHIPPING = "Phí vận chuyển mà người mua trả"
SP_SHOP_VOUCHER = "Mã giảm giá của Shop"
SP_FEES = ("Phí cố định", "Phí Dịch Vụ", "Phí thanh toán")
SP_PAID, SP_SHIPPED, SP_DONE = ("Thời gian đơn hàng được thanh toán", "Ngày gửi hàng",
                                "Thời gian hoàn thành đơn hàng")  # fmt: skip
SP_TRACKING, SP_CARRIER, SP_PAYMENT = "Mã vận đơn", "Đơn Vị Vận Chuyển", "Phương thức thanh toán"
SP_NOTE, SP_CANCEL = "Nhận xét từ Người mua", "Lý do hủy"
SP_WEIGHT = "Cân nặng sản phẩm"
SP_USER, SP_NAME, SP_PHONE = "Người Mua", "Tên Người nhận", "Số điện thoại"
SP_PROVINCE, SP_DISTRICT, SP_WARD, SP_ADDRESS = ("Tỉnh/Thành phố", "TP / Quận / Huyện", "Quận",
                                                 "Địa chỉ nhận hàng")  # fmt: skip

#: Status texts of Shopee VN exports (folded) → ours; "Chờ lấy hàng" with a tracking
#: number is an arranged shipment (confirmed).
SHOPEE_STATUSES = {
    "chua thanh toan": OrderStatus.PENDING,
    "cho xac nhan": OrderStatus.PENDING,
    "cho lay hang": OrderStatus.PENDING,
    "cho giao hang": OrderStatus.SHIPPING,
    "dang giao": OrderStatus.SHIPPING,
    "da giao": OrderStatus.SHIPPING,
    "da nhan duoc hang": OrderStatus.SHIPPING,
    "nguoi mua xac nhan da nhan hang": OrderStatus.SHIPPING,
    "hoan thanh": OrderStatus.COMPLETED,
    "dang huy": OrderStatus.CANCELLED,
    "da huy": OrderStatus.CANCELLED,
    "tra hang/hoan tien": OrderStatus.RETURN_REFUND,
    "tra hang": OrderStatus.RETURN_REFUND,
    "hoan tien": OrderStatus.RETURN_REFUND,
}


def _shopee_order(group: _Group, tz: tzinfo) -> RemoteOrder:
    first = group.rows[0]
    _same(group, (SP_DATE, SP_STATUS, SP_TOTAL))
    raw_status = first.text(SP_STATUS, required=True) or ""
    status = _status(raw_status, SHOPEE_STATUSES, first.number, SP_STATUS)
    tracking = first.text(SP_TRACKING)
    if status == OrderStatus.PENDING and tracking and fold(raw_status) == "cho lay hang":
        status = OrderStatus.CONFIRMED
    lines = tuple(_shopee_line(r) for r in group.rows)
    subtotal = sum(ln.subtotal for ln in lines)
    shipping = first.money(SP_SHIPPING)
    total = first.money(SP_TOTAL, required=True)
    if total == 0 and status == OrderStatus.CANCELLED:
        total = subtotal + shipping  # cancelled orders show 0 paid: keep their value
    created = first.when(SP_DATE, tz, required=True)
    assert created is not None
    paid_at, done_at = first.when(SP_PAID, tz), first.when(SP_DONE, tz)
    payment = map_payment(first.text(SP_PAYMENT), cod=False)
    buyer, address = _buyer_and_address(
        first.text(SP_NAME), first.text(SP_PHONE), first.text(SP_USER),
        address=first.text(SP_ADDRESS), ward=first.text(SP_WARD),
        district=first.text(SP_DISTRICT), province=first.text(SP_PROVINCE),
    )  # fmt: skip
    money = _settle(subtotal, shipping, total, first.money(SP_SHOP_VOUCHER), row=first.number,
                    column=SP_TOTAL)  # fmt: skip
    paid = _paid(status, money["total"], prepaid=paid_at is not None
                 and payment != PaymentMethod.COD)  # fmt: skip
    return RemoteOrder(
        external_id=group.external_id, status=status, raw_status=raw_status,
        created_at=created,
        updated_at=_latest(created, paid_at, first.when(SP_SHIPPED, tz), done_at),
        payment_method=payment, buyer=buyer, address=address, lines=lines,
        subtotal=subtotal, commission=sum(first.money(f) for f in SP_FEES), paid_amount=paid,
        carrier=first.text(SP_CARRIER), tracking_number=tracking,
        buyer_note=first.text(SP_NOTE), cancel_reason=first.text(SP_CANCEL),
        completed_at=done_at if status == OrderStatus.COMPLETED else None, **money,
    )  # fmt: skip


def _shopee_line(row: _Row) -> RemoteOrderLine:
    qty = row.quantity(SP_QTY)
    original = row.money(SP_PRICE, required=True)
    deal = row.money(SP_DEAL)
    if deal <= 0 or deal > original:  # 0 = bundle deal; a deal never raises the price
        deal = original
    return RemoteOrderLine(
        sku=row.text(SP_SKU) or row.text(SP_PARENT_SKU),
        product_name=row.text(SP_PRODUCT, required=True) or "?",
        variant_name=row.text(SP_VARIANT), quantity=qty, unit_price=original,
        discount=(original - deal) * qty, weight_g=item_grams(row.raw(SP_WEIGHT)),
    )  # fmt: skip


_WEIGHT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(kg|g|gr|gram|grams)?", re.IGNORECASE)
_THOUSANDS = re.compile(r"\d{1,3}[.,]\d{3}")


def item_grams(value: Cell) -> int | None:
    """An item weight cell in grams: `0.3`, `0,3 kg`, `300 g`, `300gr`; a bare number is
    kilograms as Shopee lists weights, unless it is above 100 (then grams: no parcel weighs
    100 kg). None for an empty or unreadable cell (the weight only informs: it never
    rejects the order)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number, unit = float(value), None
    else:
        found = _WEIGHT.fullmatch(cell_text(value).strip())
        if found is None:
            return None
        digits, unit = found.group(1), (found.group(2) or "").lower()
        if unit and unit != "kg" and _THOUSANDS.fullmatch(digits):
            digits = digits.replace(".", "").replace(",", "")  # "1.200 g"
        number = float(digits.replace(",", "."))
    in_grams = unit in ("g", "gr", "gram", "grams") or (not unit and number > 100)
    grams = round(number if in_grams else number * 1000)
    return grams if 0 < grams <= MAX_ITEM_WEIGHT_G else None


# --------------------------------------------------------------------------- Lazada

LZ_ITEM, LZ_ORDER, LZ_CREATED, LZ_UPDATED = "orderItemId", "orderNumber", "createTime", "updateTime"
LZ_STATUS, LZ_PRICE, LZ_PAID, LZ_NAME = "status", "unitPrice", "paidPrice", "itemName"
LZ_SKU, LZ_LAZADA_SKU, LZ_VARIATION = "sellerSku", "lazadaSku", "variation"
LZ_SHIPPING, LZ_SELLER_DISCOUNT = "shippingFee", "sellerDiscountTotal"
LZ_DELIVERED, LZ_PAYMENT = "deliveredDate", "payMethod"
LZ_CUSTOMER, LZ_SHIP_NAME, LZ_PHONE = "customerName", "shippingName", "shippingPhone"
LZ_ADDRESS, LZ_PROVINCE, LZ_DISTRICT, LZ_WARD, LZ_CITY = ("shippingAddress", "shippingAddress3",
                                                         "shippingAddress4", "shippingAddress5",
                                                         "shippingCity")  # fmt: skip
LZ_TRACKING, LZ_CARRIER, LZ_REASON = "trackingCode", "shippingProvider", "buyerFailedDeliveryReason"

#: Lazada item statuses → ours: the sync's own table (one meaning for one status, so a
#: file imported after a sync never flips an order), plus the Seller Center's spellings.
LAZADA_STATUSES = {**lazada.STATUS_MAP, "cancelled": OrderStatus.CANCELLED}


def _lazada_order(group: _Group, tz: tzinfo) -> RemoteOrder:
    first = group.rows[0]
    _same(group, (LZ_CREATED,))
    states = [(r, _status(r.text(LZ_STATUS, required=True) or "", LAZADA_STATUSES, r.number,
                          LZ_STATUS)) for r in group.rows]  # fmt: skip
    # The sync's rules (connectors/lazada.py): cancelled units of a live order are left out,
    # a partial return keeps the status of the units kept.
    status = lazada.order_status(s for _r, s in states)
    units = [r for r, s in states if s != OrderStatus.CANCELLED] or group.rows
    _check_unit_ids(group)
    lines = _lazada_lines(units)
    subtotal = sum(ln.subtotal for ln in lines)
    shipping = sum(r.money(LZ_SHIPPING) for r in units)
    paid_items = sum(r.money(LZ_PAID) for r in units)
    seller_part = sum(r.money(LZ_SELLER_DISCOUNT, sized=True) for r in units)
    total = paid_items + shipping
    if status == OrderStatus.CANCELLED and total == 0:
        total = subtotal + shipping
    created = first.when(LZ_CREATED, tz, required=True)
    assert created is not None
    updated = _latest(created, *(r.when(LZ_UPDATED, tz) for r in group.rows))
    delivered = max((d for r in units if (d := r.when(LZ_DELIVERED, tz))), default=None)
    payment = map_payment(first.text(LZ_PAYMENT), cod=False)
    buyer, address = _buyer_and_address(
        first.text(LZ_SHIP_NAME) or first.text(LZ_CUSTOMER), first.text(LZ_PHONE), None,
        address=first.text(LZ_ADDRESS), ward=first.text(LZ_WARD),
        district=first.text(LZ_DISTRICT),
        province=first.text(LZ_PROVINCE) or first.text(LZ_CITY),
    )  # fmt: skip
    money = _settle(subtotal, shipping, total, seller_part, row=units[0].number,
                    column=LZ_PAID)  # fmt: skip
    raw = ",".join(sorted({fold(r.text(LZ_STATUS) or "") for r in group.rows}))
    return RemoteOrder(
        external_id=group.external_id, status=status, raw_status=raw, created_at=created,
        updated_at=_latest(updated, delivered), payment_method=payment, buyer=buyer,
        address=address, lines=lines, subtotal=subtotal,
        paid_amount=_paid(status, money["total"], prepaid=payment != PaymentMethod.COD),
        carrier=first.text(LZ_CARRIER), tracking_number=first.text(LZ_TRACKING),
        cancel_reason=first.text(LZ_REASON),
        completed_at=(delivered or updated) if status == OrderStatus.COMPLETED else None,
        **money,
    )  # fmt: skip


def _check_unit_ids(group: _Group) -> None:
    seen: dict[str, int] = {}
    for r in group.rows:
        item = r.text(LZ_ITEM, required=True) or ""
        problem = _id_problem(r.raw(LZ_ITEM))
        if problem is not None:
            raise _Bad(r.number, LZ_ITEM, problem)
        if item in seen:
            raise _Bad(
                r.number,
                LZ_ITEM,
                msg(
                    "{item} appears twice (rows {seen} and {number}): each unit has its own item "
                    "id",
                    item=str(item),
                    seen=str(seen[item]),
                    number=str(r.number),
                ),
            )
        seen[item] = r.number


def _lazada_lines(units: list[_Row]) -> tuple[RemoteOrderLine, ...]:
    """One row per unit: units of the same SKU at the same price make one line."""
    grouped: dict[tuple[Any, ...], list[_Row]] = {}
    for r in units:
        key = (r.text(LZ_SKU) or r.text(LZ_LAZADA_SKU), r.text(LZ_NAME, required=True),
               r.text(LZ_VARIATION), r.money(LZ_PRICE, required=True))  # fmt: skip
        grouped.setdefault(key, []).append(r)
    return tuple(
        RemoteOrderLine(sku=sku, product_name=name or "?", variant_name=variation,
                        quantity=len(rows), unit_price=price)
        for (sku, name, variation, price), rows in grouped.items()
    )  # fmt: skip


# --------------------------------------------------------------------------- TikTok Shop

TT_ORDER, TT_STATUS, TT_CREATED = "Order ID", "Order Status", "Created Time"
TT_SKU, TT_SKU_ID, TT_NAME, TT_VARIATION = "Seller SKU", "SKU ID", "Product Name", "Variation"
TT_QTY, TT_PRICE, TT_SELLER_DISCOUNT = "Quantity", "SKU Unit Original Price", "SKU Seller Discount"
TT_SHIPPING, TT_TOTAL = "Shipping Fee After Discount", "Order Amount"
TT_TIMES = ("Paid Time", "RTS Time", "Shipped Time", "Delivered Time", "Cancelled Time")
TT_PAYMENT, TT_TRACKING, TT_CARRIER = "Payment Method", "Tracking ID", "Shipping Provider Name"
TT_NOTE, TT_CANCEL, TT_USER = "Buyer Message", "Cancel Reason", "Buyer Username"
TT_NAME_R, TT_PHONE = "Recipient", "Phone #"
TT_PROVINCE, TT_DISTRICT, TT_WARD, TT_ADDRESS = "Province", "District", "Commune", "Detail Address"

TIKTOK_STATUSES = {
    "unpaid": OrderStatus.PENDING, "cho thanh toan": OrderStatus.PENDING,
    "awaiting shipment": OrderStatus.PENDING, "to ship": OrderStatus.PENDING,
    "cho van chuyen": OrderStatus.PENDING,
    "awaiting collection": OrderStatus.CONFIRMED, "cho lay hang": OrderStatus.CONFIRMED,
    "shipped": OrderStatus.SHIPPING, "in transit": OrderStatus.SHIPPING,
    "dang van chuyen": OrderStatus.SHIPPING, "dang giao": OrderStatus.SHIPPING,
    "delivered": OrderStatus.SHIPPING, "da giao": OrderStatus.SHIPPING,
    "completed": OrderStatus.COMPLETED, "da hoan tat": OrderStatus.COMPLETED,
    "hoan thanh": OrderStatus.COMPLETED,
    "cancelled": OrderStatus.CANCELLED, "canceled": OrderStatus.CANCELLED,
    "da huy": OrderStatus.CANCELLED,
}  # fmt: skip


def _tiktok_order(group: _Group, tz: tzinfo) -> RemoteOrder:
    first = group.rows[0]
    _same(group, (TT_STATUS, TT_CREATED, TT_TOTAL))
    raw_status = first.text(TT_STATUS, required=True) or ""
    status = _status(raw_status, TIKTOK_STATUSES, first.number, TT_STATUS)
    lines = tuple(_tiktok_line(r) for r in group.rows)
    subtotal = sum(ln.subtotal for ln in lines)
    shipping = first.money(TT_SHIPPING)
    total = first.money(TT_TOTAL, required=True)
    if total == 0 and status == OrderStatus.CANCELLED:
        total = subtotal + shipping
    created = first.when(TT_CREATED, tz, required=True)
    assert created is not None
    times = {name: first.when(name, tz) for name in TT_TIMES}
    payment = map_payment(first.text(TT_PAYMENT), cod=False)
    buyer, address = _buyer_and_address(
        first.text(TT_NAME_R), first.text(TT_PHONE), first.text(TT_USER),
        address=first.text(TT_ADDRESS), ward=first.text(TT_WARD),
        district=first.text(TT_DISTRICT), province=first.text(TT_PROVINCE),
    )  # fmt: skip
    money = _settle(subtotal, shipping, total, 0, row=first.number, column=TT_TOTAL)
    updated = _latest(created, *times.values())
    return RemoteOrder(
        external_id=group.external_id, status=status, raw_status=raw_status,
        created_at=created, updated_at=updated, payment_method=payment, buyer=buyer,
        address=address, lines=lines, subtotal=subtotal,
        paid_amount=_paid(status, money["total"], prepaid=times["Paid Time"] is not None
                          and payment != PaymentMethod.COD),
        carrier=first.text(TT_CARRIER), tracking_number=first.text(TT_TRACKING),
        buyer_note=first.text(TT_NOTE), cancel_reason=first.text(TT_CANCEL),
        completed_at=updated if status == OrderStatus.COMPLETED else None, **money,
    )  # fmt: skip


def _tiktok_line(row: _Row) -> RemoteOrderLine:
    qty = row.quantity(TT_QTY)
    price = row.money(TT_PRICE, required=True)
    discount = row.money(TT_SELLER_DISCOUNT)
    if discount > qty * price:
        raise _Bad(
            row.number,
            TT_SELLER_DISCOUNT,
            msg(
                "{discount} is more than the line's {subtotal}",
                discount=discount,
                subtotal=qty * price,
            ),
        )
    return RemoteOrderLine(
        sku=row.text(TT_SKU) or row.text(TT_SKU_ID),
        product_name=row.text(TT_NAME, required=True) or "?",
        variant_name=row.text(TT_VARIATION), quantity=qty, unit_price=price, discount=discount,
    )  # fmt: skip


LAYOUTS: dict[ExportFormat, _Layout] = {
    ExportFormat.SHOPEE: _Layout(
        ExportFormat.SHOPEE, SP_ORDER,
        (SP_ORDER, SP_DATE, SP_STATUS, SP_PRODUCT, SP_QTY, SP_PRICE, SP_TOTAL),
        (SP_DEAL, SP_SKU, SP_PARENT_SKU, SP_VARIANT, SP_SHIPPING, SP_SHOP_VOUCHER, *SP_FEES,
         SP_PAID, SP_SHIPPED, SP_DONE, SP_TRACKING, SP_CARRIER, SP_PAYMENT, SP_NOTE, SP_CANCEL,
         SP_USER, SP_NAME, SP_PHONE, SP_PROVINCE, SP_DISTRICT, SP_WARD, SP_ADDRESS, SP_WEIGHT),
        _shopee_order,
        unread=(SP_TOTAL_LINE,),
    ),
    ExportFormat.LAZADA: _Layout(
        ExportFormat.LAZADA, LZ_ORDER,
        (LZ_ITEM, LZ_ORDER, LZ_CREATED, LZ_STATUS, LZ_PRICE, LZ_PAID, LZ_NAME),
        (LZ_UPDATED, LZ_SKU, LZ_LAZADA_SKU, LZ_VARIATION, LZ_SHIPPING, LZ_SELLER_DISCOUNT,
         LZ_DELIVERED, LZ_PAYMENT, LZ_CUSTOMER, LZ_SHIP_NAME, LZ_PHONE, LZ_ADDRESS,
         LZ_PROVINCE, LZ_DISTRICT, LZ_WARD, LZ_CITY, LZ_TRACKING, LZ_CARRIER, LZ_REASON),
        _lazada_order,
        unit_id=LZ_ITEM,
    ),
    ExportFormat.TIKTOK: _Layout(
        ExportFormat.TIKTOK, TT_ORDER,
        (TT_ORDER, TT_STATUS, TT_CREATED, TT_NAME, TT_QTY, TT_PRICE, TT_TOTAL),
        (TT_SKU, TT_SKU_ID, TT_VARIATION, TT_SELLER_DISCOUNT, TT_SHIPPING, *TT_TIMES,
         TT_PAYMENT, TT_TRACKING, TT_CARRIER, TT_NOTE, TT_CANCEL, TT_USER, TT_NAME_R,
         TT_PHONE, TT_PROVINCE, TT_DISTRICT, TT_WARD, TT_ADDRESS),
        _tiktok_order,
        skip_descriptions=True,
    ),
}  # fmt: skip


# --------------------------------------------------------------------------- writing


def _write(ctx: ServiceContext, read: _ReadResult, prog: Progress) -> SellerCenterReport:
    report = SellerCenterReport(file=read.name, format=read.fmt.value, shop=read.shop,
                                rows_read=read.rows_read, orders_rejected=read.orders_rejected,
                                rejected=read.rejected)  # fmt: skip
    started = time.perf_counter()
    channel = CHANNEL_OF[read.fmt]
    with ctx.uow() as session:
        conn = session.connection()
        shop, report.shop_created = _shop(conn, read.shop, channel, ctx.clock.now())
        stock_since = _stock_since(conn, shop.id)
        orders = _forward_only(conn, shop.id, read.orders)
        total = BatchResult()
        for start in range(0, len(orders), WRITE_CHUNK):
            prog.check()
            chunk = orders[start : start + WRITE_CHUNK]
            total.add(write_batch(ctx, conn, shop, chunk, stock_since=stock_since))
            done = (start + len(chunk)) / max(len(orders), 1)
            prog.update(PLAN_SHARE + (0.98 - PLAN_SHARE) * done, "Writing orders")
        report.orders_inserted, report.orders_updated = total.inserted, total.updated
        report.orders_unchanged = total.unchanged + len(read.orders) - len(orders)
        report.lines, report.customers_created = total.lines, total.customers_created
        report.stock_moves = total.stock_moves
        report.seconds = read.seconds + time.perf_counter() - started
        if report.changed or report.shop_created:
            _record(ctx, session, report)
        prog.check()
        prog.update(0.99, "Saving")
    return report


def _shop(conn: sa.Connection, name: str, channel: Channel, now: datetime) -> tuple[ShopRef, bool]:
    """The shop named `name` (its channel must be the export's), or a new unlinked one."""
    c = shops_t.c
    found = conn.execute(sa.select(c.id, c.channel).where(c.name == name)).first()
    if found is not None:
        if Channel(found.channel) != channel:
            raise ValidationError(
                msg(
                    "Shop {name} sells on {channel}: a {export_channel} export cannot be imported "
                    "into it; choose a shop of that channel",
                    name=repr(name),
                    channel=Channel(found.channel),
                    export_channel=Channel(channel),
                ),
                field="shop",
            )
        return ShopRef(int(found.id), name, channel), False
    row = conn.execute(
        sa.insert(shops_t).values(name=name, channel=channel.value, region="VN",
                                  status=ShopStatus.NOT_LINKED.value, is_active=True,
                                  timezone="Asia/Ho_Chi_Minh", created_at=now)
        .returning(c.id)
    ).one()  # fmt: skip
    give_new_shop_low_stock_level(conn, int(row.id), now)
    return ShopRef(int(row.id), name, channel), True


def _stock_since(conn: sa.Connection, shop_id: int) -> datetime | None:
    """Orders move stock from the shop's first API sync on (before it, they are history)."""
    t = table_of(SyncCheckpoint).c
    value = conn.execute(
        sa.select(t.stock_since).where(t.shop_id == shop_id, t.resource == "orders")
    ).scalar()
    return aware(value) if value is not None else None


def _forward_only(
    conn: sa.Connection, shop_id: int, orders: list[RemoteOrder]
) -> list[RemoteOrder]:
    """The orders the file may change (`_newer`), each with a version the upsert takes."""
    stored = _stored_versions(conn, shop_id, [o.external_id for o in orders])
    out = []
    for order in orders:
        newer = _newer(order, stored.get(order.external_id))
        if newer is not None:
            out.append(newer)
    return out


def _stored_versions(
    conn: sa.Connection, shop_id: int, ids: list[str]
) -> dict[str, tuple[OrderStatus, datetime | None]]:
    """Order number → (status, version: `external_updated_at`) of the stored orders."""
    c = orders_t.c
    stored: dict[str, tuple[OrderStatus, datetime | None]] = {}
    for start in range(0, len(ids), 500):
        stmt = sa.select(c.external_id, c.status, c.external_updated_at).where(
            c.shop_id == shop_id, c.external_id.in_(ids[start : start + 500])
        )
        for ext, status, updated in conn.execute(stmt):
            stored[ext] = (OrderStatus(status), aware(updated) if updated else None)
    return stored


def _newer(
    order: RemoteOrder, seen: tuple[OrderStatus, datetime | None] | None
) -> RemoteOrder | None:
    """The order as the file gives it when it is newer than the stored one, else None.
    Its version is the latest time the file gives for it: a later one wins whatever the
    status (the sync's rule: a newer export may well move an order back, e.g. a
    cancellation request the buyer withdrew); an earlier one is an older export and never
    moves the order. Only when the file gives no newer time than the stored version (a
    cancellation has no time of its own) does the status decide: further along counts,
    with a version just past the stored one so the upsert takes it."""
    if seen is None or seen[1] is None or order.updated_at > seen[1]:
        return order
    status, version = seen
    if order.updated_at == version and _PROGRESS[order.status] > _PROGRESS[status]:
        return replace(order, updated_at=version + timedelta(seconds=1))
    return None


def _record(ctx: ServiceContext, session: Session, report: SellerCenterReport) -> None:
    record_import(
        ctx, session, report, action="orders.import_export", what="orders",
        created=report.orders_inserted, updated=report.orders_updated,
        rejected=report.orders_rejected,
    )  # fmt: skip
