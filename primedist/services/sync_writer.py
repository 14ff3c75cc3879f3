"""The write side of the marketplace sync: one batch of remote orders into the store.

`write_batch(ctx, conn, shop, orders, stock_since=...)` runs inside the caller's
transaction (the engine commits the batch together with its checkpoint), with Core/driver
executemany statements only, never an ORM object per order:

1. look the (shop, order number) keys up in chunks; an order whose remote update time is
   not newer than the stored one is skipped (re-running a sync writes nothing);
2. SKUs and customers are resolved with the order import's own machinery
   (`order_import._Import`: customers follow the identity rules of README § Customers), so
   both writers agree. The SKUs the catalogue lacks become products as the marketplace has
   them (`_write_catalogue`): the models of one item one product, listed on the shop;
3. new orders are inserted, changed ones updated, their lines replaced (unless the order
   has local returns), status history written (`source = "sync"`);
4. stock follows the order status the same way as `services/orders.py`: an open order
   reserves its quantities, a shipped/completed one has consumed them, a cancelled or
   returned one holds nothing. The difference between what an order held and what it
   must hold now becomes stock movements, per variant or SKU group, in bulk; the new
   available quantities are queued for the other marketplace listings (the order's own
   gets goods back on the shelf, and a push already waiting for it the new figure: see
   `stock.COUNTED_BY_MARKETPLACE`). Orders placed
   before the shop's first sync (`stock_since`) are history and never move stock;
5. `orders_changed` brings customer statistics (and the rest) up to date.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from primedist.connectors.base import RemoteOrder, RemoteOrderLine
from primedist.core.search_keys import VariantWords, product_search_text, search_text
from primedist.core.text import clean_code, clean_line, clean_text
from primedist.db.bulk import space_checkpoints
from primedist.db.product_summary import refresh_for_stock, refresh_product_summaries
from primedist.domain.base import table_of
from primedist.domain.enums import (
    Channel,
    Module,
    OrderSource,
    OrderStatus,
    ProductStatus,
    StockMoveKind,
    StockState,
)
from primedist.domain.geo import province_code
from primedist.domain.order import Order, OrderLine, OrderStatusChange
from primedist.domain.product import (
    Product,
    ProductListing,
    SkuGroup,
    StockMovement,
    Variant,
    VariantListing,
)
from primedist.domain.settings import ShopParameter
from primedist.jobs.progress import NullProgress
from primedist.services import order_import as oi
from primedist.services.context import ServiceContext
from primedist.services.import_support import column_length, gc_paused, search_indexed_after
from primedist.services.listing_links import fill_listing_ids
from primedist.services.order_effects import orders_changed
from primedist.services.stock import (
    COUNTED_BY_MARKETPLACE,
    PushTarget,
    push_targets,
    queue_pushes,
    update_waiting_pushes,
)

orders_t = table_of(Order)
lines_t = table_of(OrderLine)
history_t = table_of(OrderStatusChange)
variants_t = table_of(Variant)
products_t = table_of(Product)
groups_t = table_of(SkuGroup)
movements_t = table_of(StockMovement)
listings_t = table_of(ProductListing)
variant_listings_t = table_of(VariantListing)
params_t = table_of(ShopParameter)

SYNC_SOURCE = "sync"

#: Which stock an order holds in each status: open orders reserve, gone ones consumed.
_HELD_STATE = {
    OrderStatus.PENDING: StockState.RESERVED,
    OrderStatus.CONFIRMED: StockState.RESERVED,
    OrderStatus.SHIPPING: StockState.CONSUMED,
    OrderStatus.COMPLETED: StockState.CONSUMED,
    OrderStatus.RETURN_REFUND: StockState.CONSUMED,
    OrderStatus.CANCELLED: StockState.RELEASED,
    OrderStatus.RETURNED: StockState.RELEASED,
}
#: How far along an order is; a local action still in the outbox is not undone by a
#: remote status that is behind it (the platform has not heard of it yet).
_PROGRESS = {
    OrderStatus.PENDING: 0, OrderStatus.CONFIRMED: 1, OrderStatus.SHIPPING: 2,
    OrderStatus.COMPLETED: 3, OrderStatus.RETURN_REFUND: 4, OrderStatus.RETURNED: 5,
    OrderStatus.CANCELLED: 6,
}  # fmt: skip

_LEN = {
    name: column_length(orders_t.c[name])
    for name in ("buyer_name", "buyer_phone", "ship_name", "ship_phone", "ship_address",
                 "ship_ward", "ship_district", "ship_province", "carrier", "tracking_number",
                 "cancel_reason")
}  # fmt: skip
#: The order columns the sync writes (besides shop, number, customer and updated_at).
ORDER_COLUMNS = (
    "status", "payment_method", "buyer_name", "buyer_phone", "ship_name", "ship_phone",
    "ship_address", "ship_ward", "ship_district", "ship_province", "province_code", "carrier",
    "tracking_number", "item_count", "subtotal", "marketplace_discount", "voucher_discount",
    "seller_discount", "shop_promotion", "points_discount", "shipping_fee", "commission",
    "total", "paid_amount", "refunded_amount", "buyer_note", "cancel_reason", "search_text",
    "created_at", "completed_at", "external_updated_at", "external_status",
)  # fmt: skip
_EXTERNAL_UPDATED = ORDER_COLUMNS.index("external_updated_at")
_COMPLETED = ORDER_COLUMNS.index("completed_at")
_REFUNDED = ORDER_COLUMNS.index("refunded_amount")
#: The line columns compared with the stored lines (besides order and variant ids).
_LINE_COLUMNS = ("sku", "product_name", "variant_name", "quantity", "unit_price", "discount",
                 "subtotal")  # fmt: skip
#: Keys per `IN (...)` look-up (SQLite allows 32,766 bound values).
_LOOKUP = 2_000
_SKU_LEN = column_length(lines_t.c.sku)
_STATUS_LEN = column_length(orders_t.c.external_status)
_NAME_LEN = column_length(lines_t.c.product_name)
_VARIANT_LEN = column_length(lines_t.c.variant_name)
_OPTION_LEN = column_length(variants_t.c.option1)
#: The option name of the variants the sync makes: Shopee's own word for a variation
#: (orders name the model, "Trắng,M", not the variations; as Lazada's `SKU_OPTION_NAME`).
_OPTION_NAME = "Phân loại"
#: The shop parameter remembering which product the sync made for a marketplace item
#: (`_ITEM_KEY` + item id → product id), while the product's listing on the shop is not
#: linked yet: the listing has no item id until Fetch listings links it, and a later
#: model of the item must still find the item's product (not another one of its name).
_ITEM_KEY = "sync.item_product:"
_KEY_LEN = column_length(params_t.c.key)


@dataclass(frozen=True)
class ShopRef:
    id: int
    name: str
    channel: Channel


@dataclass
class BatchResult:
    """What one batch wrote."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: int = 0
    customers_created: int = 0
    stock_moves: int = 0
    #: Listings of the shop that got their marketplace item id from these orders.
    listings_linked: int = 0
    order_ids: list[int] = field(default_factory=list)
    #: Seconds spent per step (`STEPS`), for the benchmark's split of the write side.
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, other: BatchResult) -> None:
        for name in ("inserted", "updated", "unchanged", "lines", "customers_created",
                     "stock_moves", "listings_linked"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for step, seconds in other.timings.items():
            self.timings[step] = self.timings.get(step, 0.0) + seconds


@dataclass
class _Stored:
    id: int
    status: OrderStatus
    stock_state: StockState
    customer_id: int | None
    external_updated_at: datetime | None
    outbox_pending: bool
    returned: bool = False
    #: (variant id, quantity still held) of its current lines.
    held: list[tuple[int, int]] = field(default_factory=list)
    #: Its `ORDER_COLUMNS` values as the driver returned them (compared with the new row).
    row: tuple[Any, ...] = ()
    #: Its lines' `_LINE_COLUMNS` values, in line order.
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    #: Its lines' (line id, variant id, returned quantity), in line order.
    returns: list[tuple[int, int | None, int]] = field(default_factory=list)


@dataclass
class _Item:
    remote: RemoteOrder
    stored: _Stored | None
    status: OrderStatus
    write: oi._Write
    order_id: int | None = None
    replace_lines: bool = True
    #: Its lines' `_LINE_COLUMNS` values as stored (computed once, compared and written).
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    #: Its `ORDER_COLUMNS` values, DB-ready.
    row: tuple[Any, ...] = ()
    #: Positions in `ORDER_COLUMNS` of the stored values this row changes (updates only).
    changed: tuple[int, ...] = ()
    #: The platform's returned quantity of each line (`lines` order).
    returned: list[int] = field(default_factory=list)
    #: (line id, returned quantity) of kept lines whose returned quantity grows, and then
    #: the (variant id, quantity) they still hold; None: the lines' returns stay.
    return_updates: list[tuple[int, int]] = field(default_factory=list)
    held: list[tuple[int, int]] | None = None

    @property
    def touched(self) -> bool:
        """Whether anything derived from the order may move: a new order, another
        customer, new lines, or any stored value besides the platform's update time."""
        if self.stored is None or self.replace_lines or self.return_updates:
            return True
        if self.stored.customer_id is None and self.write.customer is not None:
            return True
        return any(i != _EXTERNAL_UPDATED for i in self.changed)


def aware(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _cut(text: str | None, limit: int, *, code: bool = False) -> str | None:
    """One line without control or invisible characters (`clean_line`: a marketplace's or
    a file's text is typed by buyers; a `code` keeps its inner spaces, `clean_code`);
    empty → None; longer than the column → clipped (connectors usually clip already)."""
    text = clean_code(text) if code else clean_line(text)
    if not text:
        return None
    return text if len(text) <= limit else text[:limit]


def _chunks(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_batch(
    ctx: ServiceContext,
    conn: sa.Connection,
    shop: ShopRef,
    orders: Sequence[RemoteOrder],
    *,
    stock_since: datetime | None,
) -> BatchResult:
    """Upsert `orders` of `shop` in the caller's transaction (see the module docstring)."""
    ctx.require(Module.ORDERS)
    space_checkpoints(conn)  # a sync commits many batches: the engine checkpoints at its end
    latest: dict[str, RemoteOrder] = {}
    for order in orders:  # a window overlap may bring an order twice: keep the newest
        seen = latest.get(order.external_id)
        if seen is None or order.updated_at >= seen.updated_at:
            latest[order.external_id] = order
    with gc_paused():  # tens of thousands of small objects per batch, no cycles
        return _BatchWriter(ctx, conn, shop, stock_since).run(list(latest.values()))


class _BatchWriter:
    def __init__(
        self, ctx: ServiceContext, conn: sa.Connection, shop: ShopRef, stock_since: datetime | None
    ) -> None:
        self.conn = conn
        self.shop = shop
        self.stock_since = stock_since
        self.now = ctx.clock.now()
        self.user_id = ctx.actor.id
        self.result = BatchResult()
        #: SKU → this shop's variant id (`oi._Import.variants_of`), from the lines' write on.
        self.variant_of: dict[str | None, int | None] = {}
        # The order import's planner/writer: its SKU and customer resolution and bulk helpers.
        self.imp = oi._Import(ctx, conn, NullProgress())
        self.imp.customer_source = shop.channel.value  # the buyer came from that channel
        self.shop_ref = oi._ShopRef(shop.name, shop.channel, shop.id)

    def run(self, orders: list[RemoteOrder]) -> BatchResult:
        with self._timed("plan"):
            items = self._plan(orders)
        if not items:
            self._learn_listing_ids(items, orders)  # orders stored before name ids too
            return self.result
        imp = self.imp
        with self._timed("resolve skus+customers"):
            replaced = [it.write for it in items if it.replace_lines]
            imp.stored_skus([line.sku for w in replaced for line in w.draft.lines])
            imp._resolve_skus(replaced)
            imp._resolve_customers(
                [it.write for it in items if it.stored is None or it.stored.customer_id is None]
            )
        imp.writes = [it.write for it in items]
        inserts = sorted((it for it in items if it.stored is None),
                         key=lambda it: it.remote.created_at)  # fmt: skip
        updates = [it for it in items if it.stored is not None]
        fresh = [t for t, rows in (("products", imp.new_skus), ("customers", imp.new_customers),
                                   ("orders", inserts)) if rows]  # fmt: skip
        with search_indexed_after(self.conn, fresh):
            with self._timed("customers"):
                joined = self._write_catalogue(items)
                imp._write_customers()
            with self._timed("orders+lines"):
                self._insert_orders(inserts)
        # After: the restored search triggers index the products that gained variants.
        self._update_search_texts(joined)
        with self._timed("customers"):
            imp._write_fills()
        with self._timed("orders+lines"):
            self._update_orders(updates)
            self._write_lines(items)
            self._write_history(items)
            self._learn_listing_ids(items, orders)
        with self._timed("stock"):
            self._move_stock(items)
        ids = [it.order_id for it in items if it.order_id is not None]
        # Orders whose only news is the platform's update time change nothing derived.
        moved = [it for it in items if it.order_id is not None and it.touched]
        touched = {cid for it in moved
                   for cid in (it.write.customer.id if it.write.customer else None,
                               it.stored.customer_id if it.stored else None)
                   if cid is not None}  # fmt: skip
        with self._timed("orders_changed"):
            orders_changed(self.conn, [it.order_id for it in moved if it.order_id is not None],
                           now=self.now, customer_ids=touched,
                           stats_written=self._stats_written(items))  # fmt: skip
        self.result.inserted = len(inserts)
        self.result.updated = len(updates)
        self.result.customers_created = len(imp.new_customers)
        self.result.order_ids = ids
        return self.result

    @contextmanager
    def _timed(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            timings = self.result.timings
            timings[step] = timings.get(step, 0.0) + time.perf_counter() - started

    def _stats_written(self, items: list[_Item]) -> set[int]:
        """The new customers whose statistics went in with them: the import's customer
        writer computed them from this batch's orders, which are all their orders unless
        one is an order stored before (its refunds are not in the batch) or a partly
        refunded one (that writer counts no refund of a new order)."""
        new = {id(c): c.id for c in self.imp.new_customers if c.id is not None}
        for it in items:
            cust = it.write.customer
            if (it.stored is not None or it.remote.refunded_amount) and cust is not None:
                new.pop(id(cust), None)
        return set(new.values())

    # Planning --------------------------------------------------------------------------
    def _plan(self, orders: list[RemoteOrder]) -> list[_Item]:
        """The orders to write; those not newer than the stored copy are skipped."""
        stored = self._load_stored([o.external_id for o in orders])
        items: list[_Item] = []
        for remote in orders:
            st = stored.get(remote.external_id)
            if st is not None and st.external_updated_at is not None:
                if remote.updated_at <= aware(st.external_updated_at):
                    self.result.unchanged += 1
                    continue
            items.append(self._item(remote, st))
        return items

    def _load_stored(self, external_ids: list[str]) -> dict[str, _Stored]:
        """The stored copies of these orders with their values and lines as the driver
        returns them (raw, so the new rows compare without type processing)."""
        found: dict[str, _Stored] = {}
        by_id: dict[int, _Stored] = {}
        mark = self._mark
        head = ("id", "external_id", "status", "stock_state", "customer_id", "outbox_pending")
        select = (f"SELECT {', '.join((*head, *ORDER_COLUMNS))} FROM {orders_t.name} "
                  f"WHERE shop_id = {mark} AND external_id IN ")  # fmt: skip
        for chunk in _chunks(external_ids, _LOOKUP):
            sql = select + f"({', '.join([mark] * len(chunk))})"
            for oid, ext, status, state, cid, pending, *row in self.conn.exec_driver_sql(
                sql, (self.shop.id, *chunk)
            ):
                upd = row[_EXTERNAL_UPDATED]
                st = _Stored(oid, OrderStatus(status), StockState(state), cid,
                             _parse_ts(upd), bool(pending), row=tuple(row))  # fmt: skip
                found[ext] = by_id[oid] = st
        select = (f"SELECT order_id, id, variant_id, returned_quantity, "
                  f"{', '.join(_LINE_COLUMNS)} FROM {lines_t.name} WHERE order_id IN ")  # fmt: skip
        for chunk in _chunks(sorted(by_id), _LOOKUP):
            sql = select + f"({', '.join([mark] * len(chunk))}) ORDER BY order_id, id"
            for oid, line_id, vid, returned, *line in self.conn.exec_driver_sql(sql, tuple(chunk)):
                st = by_id[oid]
                qty = line[3]
                st.lines.append(tuple(line))
                st.returns.append((line_id, vid, returned))
                st.returned = st.returned or bool(returned)
                if vid is not None and qty - returned > 0:
                    st.held.append((vid, qty - returned))
        return found

    def _item(self, remote: RemoteOrder, st: _Stored | None) -> _Item:
        status = remote.status
        if st is not None and st.outbox_pending and _PROGRESS[status] < _PROGRESS[st.status]:
            status = st.status  # our confirm/cancel has not reached the platform yet
        buyer, addr = remote.buyer, remote.address
        phone = buyer.phone or addr.phone
        head = oi._Head(
            order_date=remote.created_at,
            channel=self.shop.channel,
            status=status,
            payment_method=remote.payment_method,
            customer_name=_cut(buyer.name or addr.name or buyer.username, _LEN["buyer_name"]),
            customer_phone=phone,
            buyer_id=buyer.external_id or buyer.username,
            province=_cut(addr.province, _LEN["ship_province"]),
            shipping_provider=_cut(remote.carrier, _LEN["carrier"]),
            shipping_fee=remote.shipping_fee,
            discount=remote.seller_discount,
        )
        lines = [_line_values(ln) for ln in remote.lines]
        # (sku, product name, quantity, unit price, weight) of the lines with a SKU, for the SKU
        # and customer resolution; an empty product name is the SKU, as the import's.
        draft = oi._Draft(shop=self.shop.name, external_id=remote.external_id, first_row=0,
                          head=head, lines=[oi._Line(ln[0], ln[1], ln[3], ln[4], rl.weight_g)
                                            for ln, rl in zip(lines, remote.lines, strict=True)
                                            if ln[0]])  # fmt: skip
        # The values the import's customer writer reads (new customers' first statistics).
        values = {"status": status, "total": remote.total, "created_at": remote.created_at}
        write = oi._Write(draft, self.shop_ref, values)
        item = _Item(remote, st, status, write, lines=lines,
                     row=self._row(remote, status, head),
                     returned=[ln.returned_quantity for ln in remote.lines])  # fmt: skip
        if st is not None:
            item.order_id = st.id
            row = list(item.row)
            if remote.completed_at is None and st.status == status == OrderStatus.COMPLETED:
                # Completed before without the platform's time: keep the time we gave it.
                row[_COMPLETED] = st.row[_COMPLETED]
            # A refund recorded here (the order's Return) may be the platform's own: the
            # larger stands, never both.
            row[_REFUNDED] = max(row[_REFUNDED], st.row[_REFUNDED] or 0)
            item.row = tuple(row)
            # Lines are replaced only when they differ (never on an order with returns).
            item.replace_lines = not st.returned and st.lines != lines
            if st.lines == lines:
                self._plan_returns(item, st)
            item.changed = tuple(
                i for i, (new, old) in enumerate(zip(item.row, st.row, strict=True)) if new != old
            )
        return item

    def _plan_returns(self, item: _Item, st: _Stored) -> None:
        """The kept lines' returned quantities grow to the platform's (a unit returned here
        with the order's Return may be the one the platform reports: the larger stands,
        so a re-sync or a local return never counts a unit twice)."""
        held: list[tuple[int, int]] = []
        for (line_id, vid, old), new, values in zip(st.returns, item.returned, st.lines,
                                                    strict=True):  # fmt: skip
            returned = max(old, new)
            if returned != old:
                item.return_updates.append((line_id, returned))
            if vid is not None and values[3] - returned > 0:
                held.append((vid, values[3] - returned))
        if item.return_updates:
            item.held = held

    def _tracks_stock(self, item: _Item) -> bool:
        if item.stored is not None:
            return item.stored.stock_state != StockState.NONE
        return self.stock_since is not None and item.remote.created_at >= self.stock_since

    # Catalogue -------------------------------------------------------------------------
    def _write_catalogue(self, items: list[_Item]) -> dict[int, list[VariantWords]]:
        """Products for the SKUs the catalogue lacks (`imp.new_skus`), one per marketplace
        item: its SKUs are variants of it (the option the model's name, "Trắng,M"), so
        Fetch listings later finds the item's SKUs on one product and links it. The
        item's product, when this shop has one, gains the new SKUs instead
        (`_item_products`, by the item id, never by name: two items may share one): the
        product whose listing Fetch listings linked to the item (a model added to the item
        since), or the one the sync made for it before (an earlier batch sold another of
        its models). A new product gets a listing on this shop without the item id and
        without variant listings, so the Products list shows the shop, marked "not
        linked", and nothing is pushed to the item: its stock in the app is 0 until the
        owner counts it, and only Fetch listings (which says where stock differs) links it;
        the item's product is remembered (`_ITEM_KEY`) until then. A variant added to a
        linked product gets no variant listing either (Fetch listings links its model).
        Returns product id → (SKU, options) added to existing products, whose search text
        `_update_search_texts` extends. A few set-based statements per batch; none when
        every SKU is known."""
        imp = self.imp
        new = imp.new_skus
        if not new:
            return {}
        wanted = {s.sku for s in new}
        sold: dict[str, tuple[str | None, str | None]] = {}  # SKU → (item id, model name)
        for it in items:
            if not it.replace_lines:
                continue
            for values, line in zip(it.lines, it.remote.lines, strict=True):
                sku = values[0]
                if sku in wanted and sku not in sold:
                    sold[sku] = (line.item_id, values[2])
        groups: dict[object, list[oi._NewSku]] = {}
        for s in new:
            item_id = sold.get(s.sku, (None, None))[0]
            groups.setdefault(item_id if item_id else ("sku", s.sku), []).append(s)
        made = self._item_products({key for key in groups if isinstance(key, str)})
        shapes = self._option_shapes(set(made.values()))
        now = imp._ts(self.now)
        variant_rows: list[tuple[Any, ...]] = []
        fresh: list[tuple[object, list[tuple[oi._NewSku, _Option]]]] = []
        joined: dict[int, list[VariantWords]] = {}
        for key, group in groups.items():
            existing = made.get(key) if isinstance(key, str) else None
            names, taken = shapes.get(existing or 0, _NO_SHAPE)
            options = _options(group, [sold.get(s.sku, (None, None))[1] for s in group],
                               several=existing is not None or len(group) > 1, names=names,
                               taken=taken)  # fmt: skip
            planned = list(zip(group, options, strict=True))
            if existing is None:
                fresh.append((key, planned))
                continue
            joined.setdefault(existing, []).extend((s.sku, opt[1], opt[3]) for s, opt in planned)
            variant_rows += [(existing, s.sku, *opt, s.price, s.weight_g, now, now)
                             for s, opt in planned]  # fmt: skip
        products = [
            {"name": planned[0][0].name, "status": ProductStatus.ACTIVE,
             "search_text": product_search_text(planned[0][0].name,
                                                [(s.sku, opt[1], opt[3])
                                                 for s, opt in planned]),
             "created_by_id": self.user_id, "created_at": self.now, "updated_at": self.now}
            for _key, planned in fresh
        ]  # fmt: skip
        product_ids: list[int] = []
        if products:
            stmt = sa.insert(products_t).returning(products_t.c.id, sort_by_parameter_order=True)
            product_ids = [r[0] for r in self.conn.execute(stmt, products)]
        for (_key, planned), pid in zip(fresh, product_ids, strict=True):
            variant_rows += [(pid, s.sku, *opt, s.price, s.weight_g, now, now)
                             for s, opt in planned]  # fmt: skip
        imp._bulk(
            variants_t,
            ("product_id", "sku", "option1_name", "option1", "option2_name", "option2", "price",
             "weight_g", "created_at", "updated_at"),
            variant_rows,
            {"cost": 0, "stock": 0, "reserved": 0, "is_active": True},
        )  # fmt: skip
        if product_ids:
            self.conn.execute(listings_t.insert(), [
                {"product_id": pid, "shop_id": self.shop.id, "external_id": None,
                 "is_active": True} for pid in product_ids
            ])  # fmt: skip
            self._remember_items({key: pid for (key, _p), pid in zip(fresh, product_ids,
                                                                      strict=True)
                                  if isinstance(key, str)})  # fmt: skip
        # No variant had these SKUs before (`stored_skus` looks at every variant).
        by_sku = {s.sku: s for s in new}
        v = variants_t.c
        for chunk in _chunks(sorted(by_sku), _LOOKUP):
            for sku, vid in self.conn.execute(sa.select(v.sku, v.id).where(v.sku.in_(chunk))):
                by_sku[sku].variant_id = vid
        refresh_product_summaries(self.conn, [*product_ids, *joined])
        imp.report.products_created = len(product_ids)
        return joined

    def _item_products(self, item_ids: set[str]) -> dict[str, int]:
        """Item id → this shop's live product of that marketplace item: the one whose
        active listing here is linked to it (its item id), else the one the sync made for
        it (`_ITEM_KEY`) while that listing is still active and not linked (linked to
        another item since, the product is that item's)."""
        if not item_ids:
            return {}
        p, pl, sp = products_t.c, listings_t.c, params_t.c
        live = sa.select(pl.external_id, pl.product_id).select_from(
            listings_t.join(products_t, p.id == pl.product_id)
        ).where(pl.shop_id == self.shop.id, pl.is_active.is_(True),
                p.status != ProductStatus.ARCHIVED)  # fmt: skip
        found: dict[str, int] = {}
        remembered: dict[str, int] = {}
        for chunk in _chunks(sorted(item_ids), _LOOKUP):
            found.update((str(i), int(pid)) for i, pid
                         in self.conn.execute(live.where(pl.external_id.in_(chunk))))  # fmt: skip
            keys = [_ITEM_KEY + i for i in chunk if i not in found]
            if not keys:
                continue
            remembered.update(
                (str(key)[len(_ITEM_KEY):], int(value)) for key, value in self.conn.execute(
                    sa.select(sp.key, sp.value_json).where(sp.shop_id == self.shop.id,
                                                           sp.key.in_(keys)))
            )  # fmt: skip
        unlinked: set[int] = set()
        for chunk in _chunks(sorted(set(remembered.values())), _LOOKUP):
            unlinked.update(int(pid) for _e, pid in self.conn.execute(
                live.where(pl.external_id.is_(None), pl.product_id.in_(chunk))))  # fmt: skip
        found.update((i, pid) for i, pid in remembered.items() if pid in unlinked)
        return found

    def _remember_items(self, made: dict[str, int]) -> None:
        """Remember the product made for each item (`_ITEM_KEY`), replacing what an item
        whose product is gone (deleted, linked to another item) had."""
        rows = [{"shop_id": self.shop.id, "key": _ITEM_KEY + item, "value_json": str(pid),
                 "updated_at": self.now}
                for item, pid in made.items() if len(_ITEM_KEY + item) <= _KEY_LEN]  # fmt: skip
        if not rows:
            return
        sp = params_t.c
        for chunk in _chunks([r["key"] for r in rows], _LOOKUP):
            self.conn.execute(
                params_t.delete().where(sp.shop_id == self.shop.id, sp.key.in_(chunk))
            )
        self.conn.execute(params_t.insert(), rows)

    def _option_shapes(self, product_ids: set[int]) -> dict[int, _Shape]:
        """Product id → (its option names, as its first variant has them; the option
        values its active variants hold): a new variant follows the product's options and
        takes none of theirs."""
        v = variants_t.c
        shapes: dict[int, _Shape] = {}
        for chunk in _chunks(sorted(product_ids), _LOOKUP):
            rows = self.conn.execute(
                sa.select(v.product_id, v.option1_name, v.option2_name, v.option1, v.option2)
                .where(v.product_id.in_(chunk), v.is_active.is_(True)).order_by(v.id)
            )  # fmt: skip
            for pid, name1, name2, opt1, opt2 in rows:
                shape = shapes.setdefault(int(pid), ((name1, name2), set()))
                shape[1].add((opt1, opt2))
        return shapes

    def _update_search_texts(self, joined: dict[int, list[VariantWords]]) -> None:
        """The products that gained variants find by their new SKUs and options too."""
        if not joined:
            return
        p = products_t.c
        rows = self.conn.execute(
            sa.select(p.id, p.search_text).where(p.id.in_(sorted(joined)))
        ).all()
        self.conn.execute(
            products_t.update().where(p.id == sa.bindparam("b_id"))
            .values(search_text=sa.bindparam("b_text")),
            [{"b_id": pid, "b_text": _extended(text, joined[pid])} for pid, text in rows],
        )  # fmt: skip

    # Orders ----------------------------------------------------------------------------
    def _row(self, r: RemoteOrder, status: OrderStatus, head: oi._Head) -> tuple[Any, ...]:
        """The order's `ORDER_COLUMNS` values, ready for the driver."""
        buyer, addr, ts = r.buyer, r.address, self.imp._ts
        completed = r.completed_at
        if completed is None and status == OrderStatus.COMPLETED:
            completed = r.updated_at
        return (
            status.value,
            r.payment_method.value,
            head.customer_name,
            _cut(oi._stored_phone(head.customer_phone), _LEN["buyer_phone"]),
            _cut(addr.name, _LEN["ship_name"]),
            _cut(oi._stored_phone(addr.phone), _LEN["ship_phone"]),
            _cut(addr.address or addr.full_address, _LEN["ship_address"]),
            _cut(addr.ward, _LEN["ship_ward"]),
            _cut(addr.district, _LEN["ship_district"]),
            head.province,
            province_code(head.province),
            head.shipping_provider,
            _cut(r.tracking_number, _LEN["tracking_number"]),
            r.item_count,
            r.subtotal,
            r.marketplace_discount,
            r.voucher_discount,
            r.seller_discount,
            r.shop_promotion,
            0,  # points_discount: marketplace orders redeem no points of ours
            r.shipping_fee,
            r.commission,
            r.total,
            r.paid_amount,
            r.refunded_amount,
            clean_text(r.buyer_note) if r.buyer_note else r.buyer_note,
            _cut(r.cancel_reason, _LEN["cancel_reason"]),
            search_text(r.external_id, head.customer_name,
                        *oi._phone_terms(buyer.phone or addr.phone)),
            ts(r.created_at),
            ts(completed),
            ts(r.updated_at),
            (r.raw_status or "")[:_STATUS_LEN] or None,
        )  # fmt: skip

    def _insert_orders(self, inserts: list[_Item]) -> None:
        if not inserts:
            return
        imp = self.imp
        now = imp._ts(self.now)
        shop_id = self.shop.id
        rows = [
            (shop_id, it.remote.external_id,
             it.write.customer.id if it.write.customer else None, now, *it.row)
            for it in inserts
        ]  # fmt: skip
        columns = ("shop_id", "external_id", "customer_id", "updated_at", *ORDER_COLUMNS)
        before = imp._max_id(orders_t)
        imp._bulk(orders_t, columns, rows, _ORDER_CONSTANTS)
        ids = imp._sequential_ids(orders_t, before, len(rows))
        if ids is None:
            c = orders_t.c
            wanted = {it.remote.external_id: it for it in inserts}
            for chunk in _chunks(list(wanted), _LOOKUP):
                stmt = sa.select(c.id, c.external_id).where(
                    c.shop_id == self.shop.id, c.external_id.in_(chunk)
                )
                for oid, ext in self.conn.execute(stmt):
                    wanted[ext].order_id = oid
        else:
            for it, oid in zip(inserts, ids, strict=True):
                it.order_id = oid

    def _update_orders(self, updates: list[_Item]) -> None:
        """Only the columns that changed, one driver-level executemany of tuples per set
        of changed columns: an unchanged indexed or searched column costs nothing (SQLite
        rewrites every index, and the search index, of a column named in SET)."""
        if not updates:
            return
        now = self.imp._ts(self.now)
        groups: dict[tuple[int, ...], list[tuple[Any, ...]]] = defaultdict(list)
        new_customers: list[tuple[Any, ...]] = []
        for it in updates:
            assert it.stored is not None
            if it.stored.customer_id is None and it.write.customer is not None:
                new_customers.append((it.write.customer.id, it.stored.id))
            row = it.row
            stamp = (now,) if it.touched else ()
            groups[(*it.changed, -1) if stamp else it.changed].append(
                (*(row[i] for i in it.changed), *stamp, it.stored.id)
            )
        for positions, rows in groups.items():
            if not positions:
                continue
            names = [ORDER_COLUMNS[i] if i >= 0 else "updated_at" for i in positions]
            for batch in _chunks(rows, 5_000):
                self.conn.exec_driver_sql(self._update_sql(names), list(batch))
        if new_customers:
            self.conn.exec_driver_sql(self._update_sql(["customer_id"]), new_customers)
        replaced = [it.stored.id for it in updates if it.replace_lines and it.stored]
        for chunk in _chunks(replaced, _LOOKUP):
            self.conn.execute(lines_t.delete().where(lines_t.c.order_id.in_(chunk)))

    @property
    def _mark(self) -> str:
        return "?" if self.conn.dialect.paramstyle == "qmark" else "%s"

    def _update_sql(self, names: Sequence[str]) -> str:
        mark = self._mark
        sets = ", ".join(f"{name} = {mark}" for name in names)
        return f"UPDATE {orders_t.name} SET {sets} WHERE id = {mark}"

    def _write_lines(self, items: list[_Item]) -> None:
        # The shop's own product first when several carry the SKU (`oi._best_variant`).
        variant_of = self.variant_of = self.imp.variants_of(self.shop.id)
        rows = [(it.order_id, variant_of.get(ln[0]), returned, *ln)
                for it in items if it.replace_lines
                for ln, returned in zip(it.lines, it.returned, strict=True)]  # fmt: skip
        self.imp._bulk(
            lines_t,
            ("order_id", "variant_id", "returned_quantity", *_LINE_COLUMNS),
            rows,
            {},
        )  # fmt: skip
        self.result.lines = len(rows)
        updates = [(qty, line_id) for it in items for line_id, qty in it.return_updates]
        if updates:
            mark = self._mark
            self.conn.exec_driver_sql(
                f"UPDATE {lines_t.name} SET returned_quantity = {mark} WHERE id = {mark}",
                updates,
            )

    def _learn_listing_ids(self, items: list[_Item], orders: list[RemoteOrder]) -> None:
        """The marketplace ids the new lines name fill the shop's listings that lack them
        (`listing_links`). A product published after its orders were synced learns them
        from those orders when the sync sees them again (updated or unchanged): the lines
        of every order of the batch are looked at, but only while the shop has a listing
        without an item id (one query; none in a shop whose listings are all linked)."""
        sold: dict[int, tuple[str, str | None]] = {}
        for it in items:
            if not it.replace_lines:
                continue
            for values, line in zip(it.lines, it.remote.lines, strict=True):
                vid = self.variant_of.get(values[0])
                if vid is not None and line.item_id:
                    sold[vid] = (line.item_id, line.model_id)
        unlinked = self._unlinked_variants()
        for remote in orders if unlinked else ():
            for line in remote.lines:
                vid = unlinked.get(_cut(line.sku, _SKU_LEN, code=True) or "")
                if vid is not None and line.item_id:
                    sold.setdefault(vid, (line.item_id, line.model_id))
        self.result.listings_linked += fill_listing_ids(self.conn, self.shop.id, sold, self.now)

    def _unlinked_variants(self) -> dict[str, int]:
        """SKU → variant id of the shop's active listings that have no item id yet."""
        pl, vl, v = listings_t.c, variant_listings_t.c, variants_t.c
        return dict(self.conn.execute(
            sa.select(v.sku, v.id)
            .select_from(listings_t.join(variant_listings_t, vl.listing_id == pl.id)
                         .join(variants_t, v.id == vl.variant_id))
            .where(pl.shop_id == self.shop.id, pl.is_active.is_(True), pl.external_id.is_(None))
        ).all())  # fmt: skip

    def _write_history(self, items: list[_Item]) -> None:
        """A history row per status change, without a note: the platform's own status code
        ("PROCESSED") would show untranslated; the source says it came from the sync."""
        now = self.imp._ts(self.now)
        rows = []
        for it in items:
            old = it.stored.status if it.stored else None
            if old != it.status:
                rows.append((it.order_id, old.value if old else None, it.status.value, now))
        self.imp._bulk(
            history_t,
            ("order_id", "from_status", "to_status", "changed_at"),
            rows,
            {"source": SYNC_SOURCE},
        )

    # Stock -----------------------------------------------------------------------------
    def _move_stock(self, items: list[_Item]) -> None:
        """Bring what each order holds in line with its status, as stock movements."""
        wanted: list[tuple[_Item, StockState, dict[int, tuple[int, int]]]] = []
        for it in items:
            if not self._tracks_stock(it):
                continue
            old_state = it.stored.stock_state if it.stored else StockState.NONE
            new_state = _HELD_STATE[it.status]
            old_lines = it.stored.held if it.stored else []
            if it.replace_lines:  # what the lines still hold: their units not returned
                new_lines = [(v, ln[3] - returned)
                             for ln, returned in zip(it.lines, it.returned, strict=True)
                             if (v := self.variant_of.get(ln[0])) is not None
                             and ln[3] > returned]  # fmt: skip
            elif it.held is not None:
                new_lines = it.held
            else:
                new_lines = old_lines
            delta: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
            for lines, state, sign in ((old_lines, old_state, -1), (new_lines, new_state, 1)):
                for vid, qty in lines:
                    on_hand, reserved = _held(state, qty)
                    d = delta[vid]
                    delta[vid] = (d[0] + sign * on_hand, d[1] + sign * reserved)
            wanted.append((it, new_state, {v: d for v, d in delta.items() if d != (0, 0)}))
        if not wanted:
            return
        state_rows = [{"oid": it.order_id, "state": state.value} for it, state, _ in wanted
                      if it.stored is None or it.stored.stock_state != state]  # fmt: skip
        if state_rows:
            self.conn.execute(
                orders_t.update().where(orders_t.c.id == sa.bindparam("oid"))
                .values(stock_state=sa.bindparam("state")),
                state_rows,
            )  # fmt: skip
        moves = [(it, vid, d) for it, _s, deltas in wanted for vid, d in deltas.items()]
        if moves:
            self._apply_moves(moves)

    def _apply_moves(self, moves: list[tuple[_Item, int, tuple[int, int]]]) -> None:
        vids = sorted({vid for _it, vid, _d in moves})
        group_of: dict[int, int | None] = {}
        levels: dict[tuple[str, int], list[int]] = {}  # holder -> [stock, reserved]
        v = variants_t.c
        for chunk in _chunks(vids):
            for vid, gid, stock, reserved in self.conn.execute(
                sa.select(v.id, v.sku_group_id, v.stock, v.reserved).where(v.id.in_(chunk))
            ):
                group_of[vid] = gid
                if gid is None:
                    levels[("v", vid)] = [stock, reserved]
        gids = sorted({g for g in group_of.values() if g is not None})
        g = groups_t.c
        for chunk in _chunks(gids):
            for gid, stock, reserved in self.conn.execute(
                sa.select(g.id, g.stock, g.reserved).where(g.id.in_(chunk))
            ):
                levels[("g", gid)] = [stock, reserved]
        rows = []
        user_id, now = self.user_id, self.imp._ts(self.now)
        own: dict[tuple[str, int], set[tuple[int, int]]] = defaultdict(set)
        # Own listings of goods back on the shelf, which their marketplace does not add
        # back: told like every other listing.
        back: set[tuple[int, int]] = set()
        for it, vid, (on_hand, reserved) in moves:
            if vid not in group_of:
                continue  # the variant was deleted meanwhile
            gid = group_of[vid]
            key = ("g", gid) if gid is not None else ("v", vid)
            level = levels[key]
            level[0] += on_hand
            level[1] = max(0, level[1] + reserved)
            own[key].add((vid, self.shop.id))
            kind = _move_kind(on_hand, reserved, it.status, returning=bool(it.return_updates))
            if kind not in COUNTED_BY_MARKETPLACE:
                back.add((vid, self.shop.id))
            rows.append((vid, gid, kind.value, on_hand,
                         level[0], reserved, it.remote.external_id, it.order_id, user_id,
                         now))  # fmt: skip
        if not rows:
            return
        self.imp._bulk(
            movements_t,
            ("variant_id", "sku_group_id", "kind", "quantity", "stock_after", "reserved_change",
             "reason", "order_id", "user_id", "created_at"),
            rows,
        )  # fmt: skip
        touched_v = [k[1] for k in own if k[0] == "v"]
        touched_g = [k[1] for k in own if k[0] == "g"]
        if touched_v:
            self.conn.execute(
                variants_t.update().where(v.id == sa.bindparam("b_id"))
                .values(stock=sa.bindparam("b_stock"), reserved=sa.bindparam("b_res"),
                        updated_at=self.now),
                [{"b_id": i, "b_stock": levels[("v", i)][0], "b_res": levels[("v", i)][1]}
                 for i in touched_v],
            )  # fmt: skip
        if touched_g:
            self.conn.execute(
                groups_t.update().where(g.id == sa.bindparam("b_id"))
                .values(stock=sa.bindparam("b_stock"), reserved=sa.bindparam("b_res")),
                [{"b_id": i, "b_stock": levels[("g", i)][0], "b_res": levels[("g", i)][1]}
                 for i in touched_g],
            )  # fmt: skip
        pushes: list[tuple[PushTarget, int]] = []
        # Own listings, their marketplace having counted the orders: only a push already
        # waiting for one gets the new figure (it was worked out before these orders).
        waiting: list[tuple[PushTarget, int]] = []
        for t in push_targets(self.conn, touched_v, touched_g):
            key = ("g", t.sku_group_id) if t.sku_group_id is not None else ("v", t.variant_id)
            if key not in levels:
                continue
            listing = (t.variant_id, t.shop_id)
            counted = listing in own[key] and listing not in back
            (waiting if counted else pushes).append((t, levels[key][0] - levels[key][1]))
        queue_pushes(self.conn, pushes, self.now)
        update_waiting_pushes(self.conn, waiting, self.now)
        refresh_for_stock(self.conn, touched_v, touched_g)
        self.result.stock_moves = len(rows)


#: A new variant's (option1 name, option1, option2 name, option2).
_Option = tuple[str | None, str | None, str | None, str | None]
#: A product's option names and the option values its variants hold (`_option_shapes`).
_Shape = tuple[tuple[str | None, str | None], set[tuple[str | None, str | None]]]
#: A new product's: no names of its own, no values taken.
_NO_SHAPE: _Shape = ((None, None), set())


def _options(
    group: Sequence[oi._NewSku], models: Sequence[str | None], *, several: bool,
    names: tuple[str | None, str | None] = (None, None),
    taken: set[tuple[str | None, str | None]] | None = None,
) -> list[_Option]:  # fmt: skip
    """The options of each new SKU of one item: the model's name as the platform gives it
    ("Trắng,M": orders do not name the variations), under `names`, the options of the
    product it joins (two: "Trắng,M" is Màu Trắng, Size M), else under "Phân loại". A
    model without a name, or with another model's (of the group, or `taken`: the
    product's own variants'), is told by its SKU when the product has several variants.
    An item without variations gets no option."""
    name1, name2 = names if names[0] else (_OPTION_NAME, None)
    seen = set(taken or ())
    out: list[_Option] = []
    for s, model in zip(group, models, strict=True):
        value = (model or "").strip() or None
        parts = [p.strip()[:_OPTION_LEN] for p in (value or "").split(",")]
        pair: tuple[str | None, str | None] | None = None
        if value is not None:
            pair = ((parts[0], parts[1]) if name2 and len(parts) == 2 and all(parts)
                    else (value[:_OPTION_LEN].strip(), None))  # fmt: skip
        if pair is None or pair in seen:
            pair = (s.sku[:_OPTION_LEN], None) if several or pair is not None else None
        if pair is None:
            out.append((None, None, None, None))
            continue
        seen.add(pair)
        out.append((name1, pair[0], name2 if name2 and pair[1] else None, pair[1]))
    return out


def _extended(text: str, added: Sequence[VariantWords]) -> str:
    """A product's search text with the words of its new variants."""
    words = dict.fromkeys(text.split())
    words.update(dict.fromkeys(product_search_text("", added).split()))
    return " ".join(words)


def _line_values(line: RemoteOrderLine) -> tuple[Any, ...]:
    """A remote line's `_LINE_COLUMNS` values as stored."""
    name = clean_line(line.product_name) or clean_line(line.sku) or "?"
    return (_cut(line.sku, _SKU_LEN, code=True), name[:_NAME_LEN],
            _cut(line.variant_name, _VARIANT_LEN), line.quantity, line.unit_price,
            line.discount, line.subtotal)  # fmt: skip


def _parse_ts(value: Any) -> datetime | None:
    """A stored timestamp as the driver returned it (SQLite: UTC text) → aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return aware(value)


def _held(state: StockState, qty: int) -> tuple[int, int]:
    """(on-hand change, reserved) an order in `state` stands for, for `qty` items."""
    if state == StockState.RESERVED:
        return (0, qty)
    if state == StockState.CONSUMED:
        return (-qty, 0)
    return (0, 0)


def _move_kind(
    on_hand: int, reserved: int, status: OrderStatus, *, returning: bool = False
) -> StockMoveKind:
    """`returning`: units of a kept order came back (a partial return, as the local one)."""
    if on_hand < 0:
        return StockMoveKind.SALE
    if on_hand > 0:
        return (
            StockMoveKind.RETURN
            if status == OrderStatus.RETURNED or returning
            else (StockMoveKind.CANCEL_RESTOCK)
        )
    return StockMoveKind.RESERVE if reserved > 0 else StockMoveKind.RELEASE


_ORDER_CONSTANTS: dict[str, Any] = {
    "source": OrderSource.MARKETPLACE.value, "stock_state": StockState.NONE.value,
    "points_used": 0, "points_earned": 0, "flagged": False,
    "outbox_pending": False, "created_by_id": None,
}  # fmt: skip
