"""Demo data: a believable Vietnamese shop selling on four marketplaces and at its counter.

`generate_demo` fills a set-up store with shops, a catalogue, customers and two years of
orders up to `ctx.clock.now()`. Every value comes from `numpy.random.default_rng(seed)`
(vectorised draws; no global RNG, no wall time), so the same seed and clock give the same
rows. Everything is computed first as numpy columns (customer aggregates included, so no
UPDATE pass is needed), then written with `executemany` on one connection in one
transaction: a cancel or an error leaves the store as it was. The ranks are then given by
the app's own recompute (services/loyalty/ranks.py), so each comes with its history row.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from primedist.core.clock import shop_tz, to_local
from primedist.core.messages import msg, stored_args
from primedist.core.phone import phone_search_variants
from primedist.core.search_keys import product_search_text, search_text
from primedist.core.text import fold
from primedist.db import search
from primedist.db.bulk import indexes_deferred
from primedist.db.engine import db_timestamp, is_sqlite, sqlite_timestamp
from primedist.db.product_summary import refresh_product_summaries
from primedist.domain import metadata
from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerAdjustment, CustomerPayment
from primedist.domain.enums import (
    ActivityKind,
    Channel,
    DiscountKind,
    Gender,
    OrderSource,
    OrderStatus,
    PaymentMethod,
    PointsKind,
    ProductStatus,
    Rank,
    ShopStatus,
    StockMoveKind,
    StockState,
)
from primedist.domain.geo import PROVINCES_2025
from primedist.domain.loyalty import VoucherUse
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import Product, StockMovement, Variant
from primedist.domain.purchase_order import PurchaseOrder
from primedist.errors import Conflict, ValidationError
from primedist.jobs.progress import NullProgress, Progress
from primedist.queries.reports import rebuild_summaries
from primedist.services import auth, pricing
from primedist.services import demo_names as words
from primedist.services.activity import stored
from primedist.services.app_settings import DEMO_FLAG
from primedist.services.catalogue import OPENING_REASON as OPENING_REASON
from primedist.services.context import Actor, ServiceContext
from primedist.services.loyalty.ranks import recompute_ranks
from primedist.services.loyalty.settings import earn_channels_from, earn_per_from
from primedist.services.loyalty.vouchers import recount_uses
from primedist.services.stock import SOLD_OUT_REASON as SOLD_OUT_REASON
from primedist.services.tags import ensure_default_tags

DEMO_OWNER_EMAIL = "owner@demo.primedist.vn"
DEMO_OWNER_PASSWORD = "demo1234"
DEMO_SHOP_NAME = "Prime Demo Shop"
DEMO_OWNER_NAME = "Chủ cửa hàng Demo"

Arr = npt.NDArray[Any]
Row = tuple[Any, ...]

HOUR = 3_600
DAY = 86_400
#: Asia/Ho_Chi_Minh has no daylight saving: local days are UTC + 7 h.
LOCAL_OFFSET = 7 * HOUR
PERIOD_DAYS = 730
#: Orders this recent get their whole status history; older ones only the last change.
FULL_HISTORY_DAYS = 30
BATCH_ROWS = 50_000
ORDER_BATCH = 50_000
MAX_VARIANTS = 5_000
#: Counter sales where the buyer left no name or phone.
WALK_IN_SHARE = 0.25
# Vietnamese mobile prefixes (after the trunk 0) with a rough share of subscribers.
_MOBILE_PREFIXES: tuple[tuple[int, float], ...] = (
    (32, 3), (33, 3), (34, 3), (35, 3), (36, 3), (37, 3), (38, 3), (39, 3), (86, 4),
    (96, 6), (97, 6), (98, 6), (81, 2), (82, 2), (83, 2), (84, 2), (85, 2), (88, 3),
    (91, 5), (94, 4), (70, 2), (76, 2), (77, 2), (78, 2), (79, 2), (89, 3), (90, 5),
    (93, 4), (52, 1), (56, 1), (58, 1), (92, 1), (59, 0.5), (99, 0.5),
)  # fmt: skip

STATUSES: tuple[OrderStatus, ...] = tuple(OrderStatus)
_PENDING = STATUSES.index(OrderStatus.PENDING)
_CONFIRMED = STATUSES.index(OrderStatus.CONFIRMED)
_SHIPPING = STATUSES.index(OrderStatus.SHIPPING)
_COMPLETED = STATUSES.index(OrderStatus.COMPLETED)
_CANCELLED = STATUSES.index(OrderStatus.CANCELLED)
_RETURN_REFUND = STATUSES.index(OrderStatus.RETURN_REFUND)
_RETURNED = STATUSES.index(OrderStatus.RETURNED)

# Status mix by order age: (upper age bound in days, {status: probability}).
_STATUS_BY_AGE: tuple[tuple[float, dict[int, float]], ...] = (
    (1, {_PENDING: 0.45, _CONFIRMED: 0.30, _SHIPPING: 0.10, _CANCELLED: 0.15}),
    (3, {_PENDING: 0.05, _CONFIRMED: 0.22, _SHIPPING: 0.48, _COMPLETED: 0.10,
         _CANCELLED: 0.15}),
    (7, {_CONFIRMED: 0.04, _SHIPPING: 0.36, _COMPLETED: 0.42, _CANCELLED: 0.14,
         _RETURN_REFUND: 0.03, _RETURNED: 0.01}),
    (14, {_SHIPPING: 0.07, _COMPLETED: 0.72, _CANCELLED: 0.14, _RETURN_REFUND: 0.045,
          _RETURNED: 0.025}),
    (float("inf"), {_COMPLETED: 0.795, _CANCELLED: 0.14, _RETURN_REFUND: 0.015,
                    _RETURNED: 0.05}),
)  # fmt: skip
# Counter sales are handed over on the spot whatever their age.
_COUNTER_STATUS = {_COMPLETED: 0.97, _RETURNED: 0.02, _CANCELLED: 0.01}

# Slots of the per-order timeline matrix.
_T_CREATED, _T_CONFIRM, _T_SHIP, _T_DONE, _T_RETURN_ASK, _T_RETURNED, _T_CANCEL = range(7)
_Step = tuple[int | None, int, int]  # (from status, to status, time slot)


def _paths() -> dict[tuple[int, bool, bool], list[_Step]]:
    """Status paths keyed by (final status, counter sale, cancelled after confirming)."""
    ship = [(None, _PENDING, _T_CREATED), (_PENDING, _CONFIRMED, _T_CONFIRM),
            (_CONFIRMED, _SHIPPING, _T_SHIP), (_SHIPPING, _COMPLETED, _T_DONE),
            (_COMPLETED, _RETURN_REFUND, _T_RETURN_ASK),
            (_RETURN_REFUND, _RETURNED, _T_RETURNED)]  # fmt: skip
    counter = [(None, _COMPLETED, _T_DONE), *ship[4:]]
    paths: dict[tuple[int, bool, bool], list[_Step]] = {}
    for status, length in ((_PENDING, 1), (_CONFIRMED, 2), (_SHIPPING, 3), (_COMPLETED, 4),
                           (_RETURN_REFUND, 5), (_RETURNED, 6)):  # fmt: skip
        for late in (False, True):
            paths[(status, False, late)] = ship[:length]
    for status, length in ((_COMPLETED, 1), (_RETURN_REFUND, 2), (_RETURNED, 3)):
        for late in (False, True):
            paths[(status, True, late)] = counter[:length]
    for counter_sale in (False, True):
        paths[(_CANCELLED, counter_sale, False)] = [ship[0], (_PENDING, _CANCELLED, _T_CANCEL)]
        paths[(_CANCELLED, counter_sale, True)] = [*ship[:2], (_CONFIRMED, _CANCELLED, _T_CANCEL)]
    return paths


_PATHS = _paths()


@dataclass(frozen=True)
class _ChannelSpec:
    channel: Channel
    name: str
    #: Share of all orders.
    share: float
    #: Centre of the per-order commission rate (marketplaces only).
    commission: float
    payments: tuple[tuple[PaymentMethod, float], ...]
    carriers: tuple[tuple[str, float], ...]


_PM = PaymentMethod
_CHANNELS: tuple[_ChannelSpec, ...] = (
    _ChannelSpec(Channel.SHOPEE, "Prime Official - Shopee", 0.35, 0.09,
                 ((_PM.COD, 0.45), (_PM.E_WALLET, 0.30), (_PM.BANK_TRANSFER, 0.10),
                  (_PM.CARD, 0.15)),
                 (("SPX Express", 0.6), ("GHN", 0.15), ("J&T Express", 0.15),
                  ("Ninja Van", 0.1))),
    _ChannelSpec(Channel.LAZADA, "Prime Store - Lazada", 0.25, 0.08,
                 ((_PM.COD, 0.50), (_PM.E_WALLET, 0.25), (_PM.BANK_TRANSFER, 0.10),
                  (_PM.CARD, 0.15)),
                 (("LEX VN", 0.7), ("GHN", 0.1), ("J&T Express", 0.1), ("Ninja Van", 0.1))),
    _ChannelSpec(Channel.TIKTOK, "Prime Store - TikTok Shop", 0.20, 0.06,
                 ((_PM.COD, 0.65), (_PM.E_WALLET, 0.25), (_PM.BANK_TRANSFER, 0.05),
                  (_PM.CARD, 0.05)),
                 (("J&T Express", 0.5), ("GHN", 0.2), ("Ninja Van", 0.15),
                  ("Viettel Post", 0.15))),
    _ChannelSpec(Channel.OFFLINE, DEMO_SHOP_NAME, 0.12, 0.0,
                 ((_PM.BANK_TRANSFER, 0.60), (_PM.E_WALLET, 0.25), (_PM.CASH, 0.15)),
                 (("GHN", 0.6), ("J&T Express", 0.25), ("Viettel Post", 0.15))),
    _ChannelSpec(Channel.TIKI, "Prime Official - Tiki", 0.08, 0.07,
                 ((_PM.COD, 0.45), (_PM.CARD, 0.25), (_PM.E_WALLET, 0.20),
                  (_PM.BANK_TRANSFER, 0.10)),
                 (("TikiNOW", 0.75), ("GHN", 0.1), ("Viettel Post", 0.15))),
)  # fmt: skip
#: The marketplace shop left "not linked" (its orders came in before the link was dropped).
_NOT_LINKED = Channel.TIKI
_COUNTER_PAYMENTS = ((_PM.CASH, 0.60), (_PM.BANK_TRANSFER, 0.30), (_PM.E_WALLET, 0.10))
_PAYMENTS: tuple[PaymentMethod, ...] = tuple(PaymentMethod)
_SOURCES: tuple[OrderSource, ...] = tuple(OrderSource)
_CARRIERS: tuple[str, ...] = (
    "SPX Express", "GHN", "J&T Express", "Ninja Van", "LEX VN", "TikiNOW", "Viettel Post",
)  # fmt: skip
# Tracking number shape per carrier: (prefix, length of the random part, alphanumeric).
_TRACKING: dict[str, tuple[str, int, bool]] = {
    "SPX Express": ("SPXVN0", 11, False),
    "GHN": ("G", 7, True),
    "J&T Express": ("8", 11, False),
    "Ninja Van": ("NVVNPD", 10, False),
    "LEX VN": ("LXVN", 11, False),
    "TikiNOW": ("TIKI", 9, False),
    "Viettel Post": ("1", 11, False),
}
_ALNUM = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype="S1")
# Channel order of the customers.channels list (the enum's order).
_CHANNEL_ORDER: tuple[Channel, ...] = tuple(Channel)


@dataclass
class DemoSummary:
    """What `generate_demo` wrote (totals in the store afterwards for shops)."""

    shops: int
    products: int
    variants: int
    customers: int
    orders: int
    order_lines: int
    seconds: float


def ensure_demo_owner(ctx: ServiceContext) -> Actor:
    """Set the demo shop up (first run) or return its owner."""
    if auth.needs_setup(ctx.engine):
        return auth.setup_shop(
            ctx,
            shop_name=DEMO_SHOP_NAME,
            owner_name=DEMO_OWNER_NAME,
            owner_email=DEMO_OWNER_EMAIL,
            owner_password=DEMO_OWNER_PASSWORD,
            tag_names=DEMO_TAG_NAMES,
        )
    return auth.owner_actor(ctx)


def is_filled(ctx: ServiceContext) -> bool:
    """True once demo data was generated into the store (its flag, written with the data;
    a demo of 0 orders is filled too)."""
    with ctx.engine.connect() as conn:
        flag = sa.text("SELECT 1 FROM app_settings WHERE key = :key")
        return conn.execute(flag, {"key": DEMO_FLAG}).first() is not None


def shop_data(ctx: ServiceContext) -> dict[str, int]:
    """What a shop's own use has put in the store beyond its set-up (the owner, the counter
    outlet, the default tags): orders, products, customers, suppliers and its other shops
    (marketplace shops, more outlets). Any of them says the store is a real shop's."""
    with ctx.engine.connect() as conn:
        counts = {
            table: int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one())
            for table in ("orders", "products", "customers", "suppliers", "shops")
        }
    counts["shops"] = max(counts["shops"] - 1, 0)  # the counter outlet the set-up makes
    return counts


def refuse_a_shop_with_data(ctx: ServiceContext, data_dir: Path) -> None:
    """Demo data goes only where a shop holds nothing yet beyond what `init` makes (a real
    shop's data never gets mixed with it): raises Conflict otherwise."""
    counts = shop_data(ctx)
    if any(counts.values()):
        raise Conflict(
            msg(
                "{data_dir} already holds a shop's data ({orders} orders, {products} products, "
                "{customers} customers, {suppliers} suppliers, {shops} other shops): demo data "
                "goes only into a new data dir. Choose another --data-dir.",
                data_dir=str(data_dir),
                **counts,
            )
        )


def demo_owner(ctx: ServiceContext, data_dir: Path) -> Actor:
    """The demo shop's owner, whom `--demo` signs in without a password: set up on a new
    store. Raises Conflict, writing nothing, on any other shop's store: its owner is not
    the demo's, or, before the demo is filled, it holds other accounts or data of its own.
    """
    if not auth.needs_setup(ctx.engine):
        owner, filled = auth.owner_actor(ctx), is_filled(ctx)
        if owner.email != DEMO_OWNER_EMAIL or (not filled and _other_accounts(ctx)):
            raise Conflict(
                msg(
                    "{data_dir} holds the shop “{shop}”, not the demo shop: --demo signs in "
                    "without a password only to the demo shop it made itself. Open the app "
                    "without --demo to sign in, or choose another --data-dir for the demo.",
                    data_dir=str(data_dir),
                    shop=auth.shop_profile(ctx).get("name", ""),
                )
            )
        if filled:
            return owner
    refuse_a_shop_with_data(ctx, data_dir)
    return ensure_demo_owner(ctx)


def _other_accounts(ctx: ServiceContext) -> int:
    """The store's accounts besides the demo owner's."""
    with ctx.engine.connect() as conn:
        query = sa.text("SELECT COUNT(*) FROM users WHERE email != :email")
        return int(conn.execute(query, {"email": DEMO_OWNER_EMAIL}).scalar_one())


def generate_demo(
    ctx: ServiceContext,
    *,
    orders: int = 20_000,
    customers: int = 3_000,
    seed: int = 1,
    progress: Progress | None = None,
) -> DemoSummary:
    """Fill the set-up store with demo shops, products, customers and orders.

    Raises Conflict when the store already holds orders, and Cancelled (with nothing
    written) when `progress.check()` asks to stop.
    """
    if orders < 0 or customers < 1:
        raise ValidationError(msg("Demo data needs orders >= 0 and at least one customer."))
    started = time.perf_counter()
    prog: Progress = progress if progress is not None else NullProgress()
    prog.update(0.0, "Preparing demo data")
    with ctx.engine.connect() as conn, _foreign_keys_off(conn), conn.begin():
        _refuse_when_orders_exist(conn)
        run = _Run(conn, ctx, np.random.default_rng(seed), prog, orders, customers)
        with (
            _bulk_pragmas(conn),
            search.triggers_suspended(conn, list(search.FTS_TABLES)),
            indexes_deferred(conn, _RANDOM_ORDER_INDEXES),
        ):
            summary = run.generate()
            prog.update(0.92, "Building indexes and the search index")
        _fix_sequences(conn)
        _reserve_open_orders(conn, ctx.clock.now())
        _sales_in_the_ledger(conn, ctx.clock.now())
        _sales_on_account(conn, ctx.clock.now(), np.random.default_rng(seed))
        refresh_product_summaries(conn)
        prog.update(0.97, "Saving")
    # Everyone was written Copper: the ranks, their history rows and the feed's news come
    # from the app's own recompute, as in a real shop (its progress would go backwards).
    recompute_ranks(ctx)
    _deliveries(ctx, np.random.default_rng(seed))
    _purchase_orders(ctx, np.random.default_rng(seed + 1))
    _weekend_sale(ctx)
    summary.seconds = time.perf_counter() - started
    prog.update(1.0, "Demo data ready")
    return summary


#: The demo's suppliers (Products → Suppliers): name, phone, address, tax code.
DEMO_SUPPLIERS = (
    ("Công ty TNHH May mặc Đức Minh", "0283 8123 456", "45 Lê Văn Sỹ, Phú Nhuận, TP. HCM",
     "0312345678"),
    ("Tổng kho Gia dụng Sài Gòn", "0909 112 233", "120 Hậu Giang, Quận 6, TP. HCM", ""),
    ("Xưởng Gốm Bát Tràng Minh Long", "0912 345 678", "Bát Tràng, Gia Lâm, Hà Nội", ""),
)  # fmt: skip
#: What each demo supplier sells, from the catalogue (demo_names.CATALOGUE): a category
#: and, when it sells only some of it, the start of those templates' names (the others of
#: that category leave those to it: the household wholesaler sells no cups).
DEMO_SUPPLIER_GOODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Công ty TNHH May mặc Đức Minh": ("Thời trang", ()),
    "Tổng kho Gia dụng Sài Gòn": ("Nhà cửa & Đời sống", ()),
    "Xưởng Gốm Bát Tràng Minh Long": ("Nhà cửa & Đời sống", ("Cốc sứ",)),
}


def supplies(supplier: str, category: str, product_name: str) -> bool:
    """Whether this demo supplier sells this product (its category and name)."""
    kind, names = DEMO_SUPPLIER_GOODS[supplier]
    if category != kind:
        return False
    if names:
        return product_name.startswith(names)
    return not any(c == kind and n and product_name.startswith(n)
                   for c, n in DEMO_SUPPLIER_GOODS.values())  # fmt: skip


#: Today's deliveries (Products → Goods receipts): supplier, delivery note, SKUs, and the
#: share of the cost paid with the delivery (the rest is owed to the supplier).
DEMO_DELIVERIES = (
    ("Công ty TNHH May mặc Đức Minh", "Phiếu giao hàng PGH-0412", 8, 1.0),
    ("Tổng kho Gia dụng Sài Gòn", "", 5, 0.5),
)


#: Why the demo's last delivery sent two units back.
DEMO_RETURN_REASON = "Hàng lỗi: móp hộp khi vận chuyển"


def _deliveries(ctx: ServiceContext, rng: np.random.Generator) -> None:
    """The suppliers and today's goods receipts, through the services (stock, ledger, costs
    and debts as the app makes them): a few sizes of a product line from each supplier, at
    their cost, paid by bank transfer (the drawer's cash stays as the day's sales made it),
    one of them half on credit and two of its units sent back faulty."""
    from primedist.services import goods_receipts as gr
    from primedist.services import supplier_returns as sr
    from primedist.services import suppliers as sup

    for name, phone, address, tax_code in DEMO_SUPPLIERS:
        sup.create_supplier(ctx, sup.SupplierDraft(name, phone=phone, address=address,
                                                   tax_code=tax_code))  # fmt: skip
    rows = _demo_variants(ctx)
    receipt = None
    for supplier, note, count, share in DEMO_DELIVERIES:
        chosen = _supplier_variants(rng, rows, supplier, count)
        if not chosen:
            continue
        lines = [gr.ReceiptLine(int(vid), int(rng.integers(1, 9)) * 6, int(cost) or None)
                 for vid, cost in chosen]  # fmt: skip
        total = sum(line.quantity * (line.unit_cost or 0) for line in lines)
        paid = int(total * share) // 1_000 * 1_000 if share < 1 else None
        draft = gr.ReceiptDraft(lines, supplier=supplier, note=note, paid=paid,
                                method=PaymentMethod.BANK_TRANSFER)  # fmt: skip
        receipt = gr.receive_goods(ctx, draft)
    if receipt is None:
        return
    for line in gr.receipt_lines(ctx, receipt.id):  # the first whose units are not all held
        try:
            sr.return_to_supplier(ctx, sr.ReturnDraft(receipt.id, {line.id: 2},
                                                      DEMO_RETURN_REASON))  # fmt: skip
            return
        except ValidationError:
            continue


#: The demo's open purchase orders: supplier, SKUs, days until the goods are expected (one
#: is late: its day is past and nothing came), note.
DEMO_PURCHASE_ORDERS = (
    ("Xưởng Gốm Bát Tràng Minh Long", 4, 2, "Đặt qua Zalo, giao tận cửa hàng"),
    ("Công ty TNHH May mặc Đức Minh", 3, -1, ""),
)


def _purchase_orders(ctx: ServiceContext, rng: np.random.Generator) -> None:
    """Two orders awaiting their goods (Products → Purchase orders), at the variants'
    costs: the owner can receive one to see the receipt start from what is to come. Two
    SKUs of the delivery on credit run low (their level set above what is left), so *Add
    what is low on stock* has something to add for that supplier."""
    from primedist.services import goods_receipts as gr
    from primedist.services import purchase_orders as po

    for credit in gr.list_receipts(ctx, DEMO_DELIVERIES[1][0], limit=1):
        _run_low(ctx, [ln.sku for ln in gr.receipt_lines(ctx, credit.id)[:2]])

    today = to_local(ctx.clock.now(), shop_tz()).date()
    rows = _demo_variants(ctx)
    for supplier, count, days, note in DEMO_PURCHASE_ORDERS:
        chosen = _supplier_variants(rng, rows, supplier, count)
        lines = [po.OrderLine(int(vid), int(rng.integers(1, 5)) * 12, int(cost) or None)
                 for vid, cost in chosen]  # fmt: skip
        if not lines:
            continue
        due = today + timedelta(days=days)  # a new order is refused a day gone by: set below
        row = po.create_order(ctx, po.OrderDraft(supplier, lines, max(due, today), note))
        if days < 0:  # a late order was placed some days before it was due
            with ctx.engine.begin() as conn:
                conn.execute(
                    sa.update(table_of(PurchaseOrder))
                    .where(table_of(PurchaseOrder).c.id == row.id)
                    .values(created_at=row.created_at + timedelta(days=days - 4), expected_on=due)
                )


#: The demo's scheduled price change (Products → Scheduled prices): its name, how many
#: products (the best-selling ones), the discount off their selling price, rounding.
DEMO_SALE = ("Sale cuối tuần", 12, 20, 1_000)


def _weekend_sale(ctx: ServiceContext) -> None:
    """A weekend sale waiting to start: 20 % off the best sellers from the coming Saturday
    00:00 to Sunday 23:59 (shop time), their discount prices back after."""
    from decimal import Decimal

    from primedist.services import price_change as pc
    from primedist.services import price_schedule as ps

    name, count, percent, step = DEMO_SALE
    with ctx.engine.connect() as conn:
        best = list(conn.execute(sa.text(
            "SELECT v.product_id FROM order_lines l JOIN variants v ON v.id = l.variant_id "
            "JOIN products p ON p.id = v.product_id WHERE p.status = 'active' "
            "GROUP BY v.product_id ORDER BY SUM(l.quantity) DESC, v.product_id LIMIT :n"),
            {"n": count}).scalars())  # fmt: skip
    if not best:
        return
    today = to_local(ctx.clock.now(), shop_tz())
    saturday = (today + timedelta(days=(5 - today.weekday()) % 7 or 7)).replace(
        hour=0, minute=0, second=0, microsecond=0)  # fmt: skip
    rule = pc.PriceRule(pc.PriceField.DISCOUNT, pc.PriceMode.PERCENT_OFF, Decimal(percent), step)
    ps.schedule_prices(ctx, name, best, rule, saturday,
                       saturday + timedelta(days=2) - timedelta(minutes=1))  # fmt: skip


def _run_low(ctx: ServiceContext, skus: Sequence[str]) -> None:
    """These SKUs low on stock: their own level set 4 above what is available."""
    from primedist.services import goods_receipts as gr
    from primedist.services import low_stock

    for sku in skus:
        hit = gr.find_variant(ctx, sku)
        if hit is not None:
            low_stock.set_variant_level(ctx, hit.variant_id, hit.available + 4)


def _supplier_needs() -> dict[str, int]:
    """The most SKUs the demo receives or orders at once from each supplier."""
    needs = dict.fromkeys(DEMO_SUPPLIER_GOODS, 0)
    for supplier, _note, count, _share in DEMO_DELIVERIES:
        needs[supplier] = max(needs[supplier], count)
    for supplier, count, _days, _note in DEMO_PURCHASE_ORDERS:
        needs[supplier] = max(needs[supplier], count)
    return needs


def _supplier_variants(
    rng: np.random.Generator, rows: Sequence[Any], supplier: str, count: int
) -> list[tuple[int, int]]:
    """(id, cost) of up to `count` of the variants this supplier sells, drawn at random."""
    own = [(r.id, r.cost) for r in rows if supplies(supplier, r.category, r.name)]
    return [own[int(i)] for i in rng.permutation(len(own))[: min(count, len(own))]]


def _demo_variants(ctx: ServiceContext) -> list[Any]:
    """(id, cost, category, name) of the active variants of active products, by id."""
    v, p = table_of(Variant).c, table_of(Product).c
    with ctx.engine.connect() as conn:
        return list(conn.execute(
            sa.select(v.id, v.cost, p.category, p.name)
            .join_from(table_of(Variant), table_of(Product))
            .where(v.is_active.is_(True), p.status == ProductStatus.ACTIVE.value)
            .order_by(v.id)
        ).all())  # fmt: skip


def _reserve_open_orders(conn: sa.Connection, now: datetime) -> None:
    """Open demo orders hold their stock as the app's own would (reserve movements and the
    reserved counters); shipping ones have left the shelf. Older orders are history."""
    conn.execute(sa.text(
        "UPDATE orders SET stock_state = CASE WHEN status IN ('pending', 'confirmed')"
        " THEN 'reserved' ELSE 'consumed' END"
        " WHERE status IN ('pending', 'confirmed', 'shipping')"
    ))  # fmt: skip
    held = (
        "SELECT l.variant_id, v.sku_group_id, l.order_id, o.external_id, l.quantity"
        " FROM order_lines l JOIN orders o ON o.id = l.order_id"
        " JOIN variants v ON v.id = l.variant_id WHERE o.stock_state = 'reserved'"
    )
    rows = conn.execute(sa.text(held)).all()
    by_variant: dict[int, int] = {}
    by_group: dict[int, int] = {}
    for variant_id, group_id, _order, _number, qty in rows:
        if group_id is None:
            by_variant[variant_id] = by_variant.get(variant_id, 0) + qty
        else:
            by_group[group_id] = by_group.get(group_id, 0) + qty
    for table, held_by in (("variants", by_variant), ("sku_groups", by_group)):
        if held_by:
            conn.execute(
                sa.text(f"UPDATE {table} SET reserved = :n WHERE id = :id"),
                [{"id": k, "n": n} for k, n in held_by.items()],
            )
    stock = {
        (kind, k): n
        for kind, table in (("v", "variants"), ("g", "sku_groups"))
        for k, n in conn.execute(sa.text(f"SELECT id, stock FROM {table}")).all()
    }
    moves = [
        {"variant_id": v, "sku_group_id": g, "order_id": o, "reason": number,
         "quantity": 0, "reserved_change": q, "kind": "reserve",
         "stock_after": stock[("g", g) if g is not None else ("v", v)],
         "created_at": now}
        for v, g, o, number, q in rows
    ]  # fmt: skip
    if moves:
        conn.execute(sa.insert(table_of(StockMovement)), moves)


#: The demo shop has counted its stock in the app for this long: orders of these days that
#: left the shelf (completed, shipping) took their items out of stock; older ones are
#: history, as imported orders are.
STOCK_DAYS = 14
# The demo's stock reasons are the app's own (`OPENING_REASON`, `SOLD_OUT_REASON`, imported):
# English in the ledger, shown in the reader's language as a real ledger's are.


def _sales_in_the_ledger(conn: sa.Connection, now: datetime) -> None:
    """Rewrite each variant's (or SKU group's) stock ledger as the story of the last
    `STOCK_DAYS`: the opening count then, each sale since, a stock-take for a holder that
    ran out without sales; the stock figures stay as they are (the ledger adds up to them)."""
    start = now - timedelta(days=STOCK_DAYS)
    o = table_of(Order).c
    conn.execute(
        sa.update(table_of(Order))
        .where(o.status == OrderStatus.COMPLETED.value, o.created_at >= start)
        .values(stock_state=StockState.CONSUMED.value)
    )
    sales = _sales_by_holder(conn)
    moves_t = table_of(StockMovement)
    m = moves_t.c
    openings = conn.execute(
        sa.select(m.variant_id, m.sku_group_id, m.user_id, m.created_at).where(
            m.reason == OPENING_REASON
        )
    ).all()
    stock = {("g", k): n for k, n in conn.execute(sa.text("SELECT id, stock FROM sku_groups"))}
    stock.update({("v", k): n for k, n in conn.execute(sa.text("SELECT id, stock FROM variants"))})
    conn.execute(moves_t.delete().where(m.reason.in_([OPENING_REASON, SOLD_OUT_REASON])))
    rows: list[dict[str, Any]] = []
    for variant_id, group_id, user_id, created in openings:
        key = _holder(variant_id, group_id)
        base = {"variant_id": variant_id, "sku_group_id": group_id, "reserved_change": 0,
                "user_id": user_id, "order_id": None}  # fmt: skip
        rows += _holder_ledger(base, sales.get(key, []), stock[key], max(start, _aware(created)),
                               now)  # fmt: skip
    for i in range(0, len(rows), 5_000):
        conn.execute(sa.insert(moves_t), rows[i : i + 5_000])


#: Sales on account (*bán ghi nợ*): how many of the shop's own recent bank-transfer sales to
#: known customers were on account instead, between how many days ago; the older ones are
#: paid (some in two instalments), the newer ones partly or not at all.
ON_ACCOUNT_SALES = 14
ON_ACCOUNT_DAYS = (2, 75)
#: One customer's debt from before the app (an opening balance, Customers → Account).
OPENING_DEBT = 1_250_000
OPENING_DEBT_REASON = "Nợ cũ chuyển sang từ sổ tay"


def _sales_on_account(conn: sa.Connection, now: datetime, rng: np.random.Generator) -> None:
    """Turn a few of the shop's own completed bank-transfer sales to known customers into
    sales on account with the payments that followed, so Customers → Owes, the Account
    tab and Home's *Customers owe* show a believable ledger. Nothing of today changes (the
    till and End of day stay as the day's sales made them), nor any total or statistic."""
    o = table_of(Order).c
    picked = conn.execute(
        sa.select(o.id, o.customer_id, o.total, o.created_at, o.created_by_id)
        .where(o.source.in_([s.value for s in (OrderSource.COUNTER, OrderSource.PHONE,
                                                OrderSource.CHAT)]),
               o.status == OrderStatus.COMPLETED.value,
               o.payment_method == PaymentMethod.BANK_TRANSFER.value,
               o.customer_id.is_not(None), o.refunded_amount == 0,
               o.created_at.between(now - timedelta(days=ON_ACCOUNT_DAYS[1]),
                                    now - timedelta(days=ON_ACCOUNT_DAYS[0])))
        .order_by(o.id)
    ).all()  # fmt: skip
    if not picked:
        return
    chosen = sorted((picked[int(i)] for i in rng.permutation(len(picked))[:ON_ACCOUNT_SALES]),
                    key=lambda x: x.created_at)  # fmt: skip
    conn.execute(
        sa.update(table_of(Order))
        .where(o.id.in_([x.id for x in chosen]))
        .values(payment_method=PaymentMethod.ON_ACCOUNT.value)
    )
    payments = [p for x in chosen for p in _demo_payments(x, now, rng)]
    if payments:
        conn.execute(sa.insert(table_of(CustomerPayment)), payments)
    debtor = chosen[-1]
    k = table_of(Customer).c
    since = conn.execute(sa.select(k.created_at).where(k.id == debtor.customer_id)).scalar_one()
    conn.execute(sa.insert(table_of(CustomerAdjustment)), [{
        "customer_id": debtor.customer_id, "amount": OPENING_DEBT,
        "reason": OPENING_DEBT_REASON, "user_id": debtor.created_by_id, "created_at": since,
    }])  # fmt: skip


def _demo_payments(sale: Any, now: datetime, rng: np.random.Generator) -> list[dict[str, Any]]:
    """What the customer paid towards one sale on account: an old one in full (at once or
    in two instalments), a recent one half or nothing; never today, never in the future."""
    sold = _aware(sale.created_at)
    age = (now - sold).days
    total = int(sale.total)
    if age > 30:
        parts = [total] if rng.random() < 0.5 else [total // 2_000 * 1_000, 0]
        parts[-1] = total - sum(parts[:-1])
    elif age > 10 and rng.random() < 0.6:
        parts = [total // 2_000 * 1_000]
    else:
        return []
    rows: list[dict[str, Any]] = []
    when = sold
    for amount in (a for a in parts if a > 0):
        when = min(when + timedelta(days=int(rng.integers(2, 12)), hours=int(rng.integers(1, 6))),
                   now - timedelta(days=1))  # fmt: skip
        method = PaymentMethod.CASH if rng.random() < 0.4 else PaymentMethod.BANK_TRANSFER
        rows.append({"customer_id": sale.customer_id, "order_id": None, "amount": amount,
                     "method": method.value, "note": None, "paid_at": when,
                     "user_id": sale.created_by_id})  # fmt: skip
    return rows


#: Why the demo's own orders came back (their refund rows' reason).
_RETURN_REASON = "Khách trả hàng"


def _record_voucher_uses(conn: sa.Connection, voucher_ids: list[int]) -> None:
    """Each demo order carrying a voucher is one use of it, as a sale in the app records
    it (`reconcile_voucher_uses`, set-based here); `used_count` = the uses that count."""
    o, u = table_of(Order).c, table_of(VoucherUse)
    carrying = sa.select(o.id, o.voucher_id, o.customer_id, o.voucher_discount, o.created_at)
    carrying = carrying.where(
        o.voucher_id.in_(voucher_ids), ~sa.exists().where(u.c.order_id == o.id)
    )
    columns = ["order_id", "voucher_id", "customer_id", "discount", "used_at"]
    conn.execute(u.insert().from_select(columns, carrying))
    recount_uses(conn, voucher_ids)


def _refund_own_returns(conn: sa.Connection) -> None:
    """The shop's own returned orders were refunded in full when they came back, by whoever
    sold them, as a return in the app records it: `refunded_amount` = total and one
    `order_refunds` row at the time of their `returned` status (End of day counts it).
    Marketplace returns are refunded by the marketplace: no row."""
    conn.exec_driver_sql(
        "INSERT INTO order_refunds (order_id, amount, items, reason, user_id, created_at) "
        f"SELECT o.id, o.total, o.item_count, {_mark(conn)}, o.created_by_id, h.changed_at "
        "FROM orders o JOIN order_status_changes h ON h.order_id = o.id "
        "AND h.to_status = 'returned' WHERE o.status = 'returned' AND o.source <> 'marketplace'",
        (_RETURN_REASON,),
    )
    conn.exec_driver_sql(
        "UPDATE orders SET refunded_amount = total WHERE status = 'returned' "
        "AND source <> 'marketplace'"
    )


def _refund_own_cancels(conn: sa.Connection) -> None:
    """The shop's own cancelled sales paid in cash or by card gave the money back when they
    were cancelled, as the app's cancel records it (`orders._move`): `refunded_amount` =
    what was paid and one `order_refunds` row at the time of their `cancelled` status."""
    conn.exec_driver_sql(
        "INSERT INTO order_refunds (order_id, amount, items, reason, user_id, created_at) "
        "SELECT o.id, o.paid_amount, 0, o.cancel_reason, o.created_by_id, h.changed_at "
        "FROM orders o JOIN order_status_changes h ON h.order_id = o.id "
        "AND h.to_status = 'cancelled' WHERE o.status = 'cancelled' "
        "AND o.source <> 'marketplace' AND o.paid_amount > 0"
    )
    conn.exec_driver_sql(
        "UPDATE orders SET refunded_amount = paid_amount WHERE status = 'cancelled' "
        "AND source <> 'marketplace' AND paid_amount > 0"
    )


def _mark(conn: sa.Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _holder(variant_id: int | None, group_id: int | None) -> tuple[str, int]:
    """Who holds the stock: the SKU group when grouped, else the variant."""
    return ("g", group_id) if group_id is not None else ("v", variant_id or 0)


def _sales_by_holder(conn: sa.Connection) -> dict[tuple[str, int], list[Any]]:
    """The lines of the orders that took stock off the shelf, oldest first, per holder."""
    orders_t, lines_t, variants_t = table_of(Order), table_of(OrderLine), table_of(Variant)
    o, ln, v = orders_t.c, lines_t.c, variants_t.c
    lines = lines_t.join(orders_t, o.id == ln.order_id).join(variants_t, v.id == ln.variant_id)
    sold = conn.execute(
        sa.select(ln.variant_id, v.sku_group_id, o.id, o.external_id, ln.quantity, o.created_at)
        .select_from(lines)
        .where(o.stock_state == StockState.CONSUMED.value)
        .order_by(o.created_at, o.id)
    ).all()
    out: dict[tuple[str, int], list[Any]] = {}
    for row in sold:
        out.setdefault(_holder(row[0], row[1]), []).append(row)
    return out


def _holder_ledger(
    base: dict[str, Any], sales: list[Any], now_stock: int, opened: datetime, now: datetime
) -> list[dict[str, Any]]:
    """One holder's movements: opening count (before its first sale), sales, and a
    stock-take to 0 when it ran out with no sale to show for it."""
    if sales:
        opened = min(opened, _aware(sales[0][5]) - timedelta(minutes=1))
    units = sum(line[4] for line in sales)
    counted_empty = now_stock == 0 and units == 0
    level = now_stock + units + (20 + (base["variant_id"] or base["sku_group_id"]) % 100
                                 if counted_empty else 0)  # fmt: skip
    rows = [{**base, "kind": StockMoveKind.STOCK_IN.value, "quantity": level,
             "stock_after": level, "reason": OPENING_REASON, "created_at": opened}]  # fmt: skip
    for variant_id, _group, order_id, number, qty, placed in sales:
        level -= qty
        rows.append({**base, "variant_id": variant_id, "user_id": None, "order_id": order_id,
                     "kind": StockMoveKind.SALE.value, "quantity": -qty, "stock_after": level,
                     "reason": number, "created_at": _aware(placed)})  # fmt: skip
    if counted_empty:
        rows.append({**base, "kind": StockMoveKind.STOCKTAKE.value, "quantity": -level,
                     "stock_after": 0, "reason": SOLD_OUT_REASON,
                     "created_at": opened + (now - opened) / 2})  # fmt: skip
    return rows


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- plumbing


@contextmanager
def _foreign_keys_off(conn: sa.Connection) -> Iterator[None]:
    """No per-row foreign-key lookups while loading (a quarter of the insert time).

    Every reference is generated consistent (the tests run `PRAGMA foreign_key_check`).
    SQLite only takes this pragma outside a transaction, so it wraps the whole load.
    """
    if not is_sqlite(conn):
        yield
        return
    # On the DBAPI connection: a SQLAlchemy execute would BEGIN, and SQLite ignores this
    # pragma inside a transaction.
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    was_on = bool(dbapi.execute("PRAGMA foreign_keys").fetchone()[0])
    dbapi.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        dbapi.execute(f"PRAGMA foreign_keys={'ON' if was_on else 'OFF'}")


def _refuse_when_orders_exist(conn: sa.Connection) -> None:
    count = conn.exec_driver_sql("SELECT COUNT(*) FROM orders").scalar_one()
    if count:
        raise Conflict(
            msg(
                "The data dir already holds {count} orders: use a fresh --data-dir for demo data.",
                count=count,
            )
        )


@contextmanager
def _bulk_pragmas(conn: sa.Connection) -> Iterator[None]:
    """A big page cache for the load only: index pages stay in memory instead of spilling."""
    if not is_sqlite(conn):
        yield
        return
    wanted = {"cache_size": -262_144}
    old = {k: int(conn.exec_driver_sql(f"PRAGMA {k}").scalar_one()) for k in wanted}
    for key, value in wanted.items():
        conn.exec_driver_sql(f"PRAGMA {key}={value}")
    try:
        yield
    finally:
        for key, value in old.items():
            conn.exec_driver_sql(f"PRAGMA {key}={value}")


#: Indexes whose keys arrive in random order: one sort at the end beats per-row inserts
#: that keep missing the page cache. The others grow at their right edge (rows arrive in
#: time order) and are cheaper to maintain as we go.
_RANDOM_ORDER_INDEXES = (
    "ix_orders_customer_stats",
    "ix_orders_total_id",
)


_ID_TABLES = (
    "shops", "products", "sku_groups", "variants", "product_listings", "variant_listings",
    "stock_movements", "customer_levels", "tags", "vouchers", "customers", "customer_phones",
    "customer_identities", "addresses", "segments", "orders", "order_lines",
    "order_status_changes", "points_entries", "activity_events", "audit_events",
)  # fmt: skip


def _fix_sequences(conn: sa.Connection) -> None:
    """Explicit ids bypass PostgreSQL sequences: move each past the largest id."""
    if conn.dialect.name != "postgresql":
        return
    for table in _ID_TABLES:
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE(MAX(id), 0) + 1, false) FROM {table}"
        )


def _insert_sql(
    conn: sa.Connection,
    table_name: str,
    columns: Sequence[str],
    constants: Mapping[str, Any] | None = None,
) -> str:
    """A positional INSERT for these columns of a metadata table; `constants` go in as SQL
    literals (fewer values to bind per row). Every NOT NULL column must be covered."""
    table = metadata.tables[table_name]
    constants = constants or {}
    given = {*columns, *constants}
    missing = [
        c.name
        for c in table.columns
        if not c.nullable and c.server_default is None and c.name not in given
    ]
    if missing:
        raise ValueError(f"{table_name}: required columns missing from the insert: {missing}")
    prep = conn.dialect.identifier_preparer
    names = ", ".join(prep.quote(table.c[c].name) for c in (*columns, *constants))
    mark = _mark(conn)
    literals = [
        str(
            sa.literal(value, table.c[name].type).compile(
                dialect=conn.dialect, compile_kwargs={"literal_binds": True}
            )
        )
        for name, value in constants.items()
    ]
    values = ", ".join([mark] * len(columns) + literals)
    return f"INSERT INTO {prep.format_table(table)} ({names}) VALUES ({values})"


def _next_id(conn: sa.Connection, table: str) -> int:
    return int(conn.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").scalar_one())


def _sqlite_texts(epoch: Arr) -> Arr:
    """UTC epoch seconds as SQLAlchemy's SQLite DateTime text, vectorised (bytes)."""
    n = len(epoch)
    days = epoch.astype("datetime64[s]").astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    secs = epoch % DAY
    fields = (
        (0, months.astype("datetime64[Y]").astype(np.int64) + 1970, 4),
        (5, months.astype(np.int64) % 12 + 1, 2),
        (8, (days - months).astype(np.int64) + 1, 2),
        (11, secs // HOUR, 2),
        (14, secs // 60 % 60, 2),
        (17, secs % 60, 2),
    )
    buf = np.empty((n, 26), dtype=np.uint8)
    buf[:] = np.frombuffer(b"0000-00-00 00:00:00.000000", dtype=np.uint8)
    for pos, value, width in fields:
        for k in range(width):
            buf[:, pos + width - 1 - k] = 48 + (value // 10**k) % 10
    return buf.view("S26").ravel()


def _timestamps(conn: sa.Connection, epoch: Arr, mask: Arr | None = None) -> list[Any]:
    """Column values for a timestamp column (None where `mask` is False)."""
    values: list[Any]
    if is_sqlite(conn):
        values = [b.decode() for b in _sqlite_texts(epoch).tolist()]
        # Guard: the vectorised text must match what the ORM writes.
        if values and values[0] != sqlite_timestamp(_dt(int(epoch[0]))):
            raise RuntimeError("demo timestamp text differs from SQLAlchemy's format")
    else:
        values = [db_timestamp(conn, _dt(s)) for s in epoch.tolist()]
    if mask is not None:
        values = [v if m else None for v, m in zip(values, mask.tolist(), strict=True)]
    return values


def _dt(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _pick(rng: np.random.Generator, weighted: Sequence[tuple[Any, float]], size: int) -> Arr:
    """Indices into `weighted` drawn by its weights."""
    p = np.array([w for _, w in weighted], dtype=float)
    return rng.choice(len(weighted), size=size, p=p / p.sum())


def _objects(values: Sequence[Any]) -> Arr:
    """A 1-D object array (fancy-indexing it copies references, not strings)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _digits(rng: np.random.Generator, size: int, length: int) -> Arr:
    """`length`-digit random numbers as text (first digit non-zero)."""
    return rng.integers(10 ** (length - 1), 10**length, size=size).astype(str)


def _alnum(rng: np.random.Generator, size: int, length: int) -> Arr:
    """Random upper-case alphanumeric strings."""
    chars = _ALNUM[rng.integers(0, len(_ALNUM), size=(size, length))]
    return chars.view(f"S{length}").ravel().astype(f"U{length}")


def _local_yymmdd(epoch: Arr) -> Arr:
    """The local (UTC+7) calendar date as `YYMMDD` text."""
    days = (epoch + LOCAL_OFFSET).astype("datetime64[s]").astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    yy = (months.astype("datetime64[Y]").astype(np.int64) + 1970) % 100
    mm = months.astype(np.int64) % 12 + 1
    dd = (days - months).astype(np.int64) + 1
    return np.strings.zfill((yy * 10_000 + mm * 100 + dd).astype(str), 6)


_NONE = np.array(None, dtype=object)


def _or_none(mask: Arr, values: Any) -> list[Any]:
    """`values` where `mask` holds, else None (Python objects, ready to bind)."""
    out: list[Any] = np.where(mask, np.asarray(values, dtype=object), _NONE).tolist()
    return out


def _round_down(values: Arr, step: int) -> Arr:
    return (values // step * step).astype(np.int64)


class _Writer:
    """Batched executemany with progress reports and cancel checks between batches."""

    def __init__(self, conn: sa.Connection, progress: Progress, expected_rows: int) -> None:
        self.conn = conn
        self.progress = progress
        self.expected = max(expected_rows, 1)
        self.done = 0

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        if not rows:
            return
        sql = _insert_sql(self.conn, table, columns)
        for start in range(0, len(rows), BATCH_ROWS):
            chunk = rows[start : start + BATCH_ROWS]
            self.conn.exec_driver_sql(sql, list(chunk))
            self.step(len(chunk), f"Writing {table}")

    @property
    def fraction(self) -> float:
        """Share of the job done: writing rows is 5–90 %; indexes and commit the rest."""
        return 0.05 + 0.85 * min(1.0, self.done / self.expected)

    def step(self, rows: int, message: str) -> None:
        self.done += rows
        self.progress.update(self.fraction, message)
        self.progress.check()

    def note(self, message: str) -> None:
        """A new message at the current fraction (work that writes no rows)."""
        self.progress.update(self.fraction, message)


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class _Shop:
    id: int
    name: str
    spec: _ChannelSpec
    is_linked: bool

    @property
    def is_marketplace(self) -> bool:
        return self.spec.channel.is_marketplace


@dataclass
class _VariantSpec:
    product: int
    sku: str
    barcode: str
    opt1_name: str | None
    opt1: str | None
    opt2_name: str | None
    opt2: str | None
    cost: int
    price: int
    discount: int | None
    stock: int
    low_level: int | None
    group: int | None = None
    weight_g: int | None = None

    @property
    def label(self) -> str | None:
        return " / ".join(o for o in (self.opt1, self.opt2) if o) or None


@dataclass
class _ProductSpec:
    name: str
    category: str
    status: ProductStatus
    created: int
    shops: list[int]


@dataclass
class _GroupSpec:
    name: str
    stock: int
    low_level: int | None
    created: int


@dataclass
class _CatalogPlan:
    products: list[_ProductSpec]
    variants: list[_VariantSpec]
    groups: list[_GroupSpec]


@dataclass(frozen=True)
class _CatalogIds:
    product: int
    variant: int
    group: int


@dataclass
class _Catalog:
    """Variants as columns, and which variants each shop sells (positions)."""

    products: int
    variant_ids: Arr
    unit_price: Arr
    price: Arr
    cost: Arr
    stock: Arr
    low_level: Arr
    sku: Arr
    product_name: Arr
    variant_name: Arr
    pools: list[Arr]


@dataclass
class _People:
    """Customers as columns, in id order (= order of arrival); addresses likewise."""

    first_id: int
    name: Arr
    folded: Arr
    gender: Arr
    phone: Arr
    phone2: Arr
    #: " <phone variants>" to append to an order's search text.
    phone_search: Arr
    email: Arr
    created: Arr
    weight: Arr
    home: Arr
    second: Arr
    imported: Arr
    addr_first: Arr
    addr_count: Arr
    addr_customer: Arr
    street: Arr
    ward: Arr
    province: Arr
    province_code: Arr

    @property
    def n(self) -> int:
        return len(self.name)


@dataclass
class _Lines:
    order: Arr
    variant: Arr
    quantity: Arr
    unit_price: Arr
    discount: Arr
    subtotal: Arr


@dataclass
class _Money:
    subtotal: Arr
    item_count: Arr
    shipping_fee: Arr
    marketplace_discount: Arr
    voucher_discount: Arr
    seller_discount: Arr
    shop_promotion: Arr
    commission: Arr
    #: 0 = none, k = the k-th demo voucher.
    voucher: Arr

    def total(self) -> Arr:
        return (self.subtotal + self.shipping_fee - self.marketplace_discount
                - self.voucher_discount - self.seller_discount - self.shop_promotion)  # fmt: skip


@dataclass
class _Orders:
    """Orders as columns, sorted by creation time (= id order)."""

    first_id: int
    created: Arr
    customer: Arr
    shop: Arr
    source: Arr
    counter: Arr
    status: Arr
    #: (n, 7) timeline: see the _T_* slots.
    times: Arr
    final_slot: Arr
    path_key: Arr
    address: Arr
    masked: Arr
    payment: Arr
    carrier: Arr
    money: _Money
    total: Arr
    paid: Arr
    points_earned: Arr
    external_id: Arr
    tracking: Arr
    note: Arr
    cancel_reason: Arr

    @property
    def n(self) -> int:
        return len(self.created)

    @property
    def final_time(self) -> Arr:
        return self.times[np.arange(self.n), self.final_slot]


@dataclass
class _Stats:
    """Per-customer aggregates of the orders (index = customer position)."""

    total_orders: Arr
    successful: Arr
    cancelled: Arr
    returned: Arr
    expenses: Arr
    last_order: Arr
    first_order: Arr
    channels: Arr
    channel_count: Arr


@dataclass
class _Points:
    """The points ledger, sorted by time."""

    customer: Arr
    order: Arr
    kind: Arr
    delta: Arr
    balance_after: Arr
    at: Arr

    def balances(self, n: int) -> tuple[Arr, Arr]:
        """(balance, earned) per customer position."""
        balance = np.bincount(self.customer, weights=self.delta, minlength=n)
        earned = np.bincount(self.customer, weights=np.maximum(self.delta, 0), minlength=n)
        return balance.astype(np.int64), earned.astype(np.int64)


@dataclass
class _History:
    order: Arr
    from_status: Arr
    to_status: Arr
    at: Arr


@dataclass
class _Loyalty:
    level_ids: dict[str, int]
    voucher_ids: list[int]
    level_of: Arr
    wholesale: Arr


# --------------------------------------------------------------------------- the run


class _Run:
    """One generation: draws the data, then writes it in foreign-key order."""

    def __init__(
        self,
        conn: sa.Connection,
        ctx: ServiceContext,
        rng: np.random.Generator,
        progress: Progress,
        orders: int,
        customers: int,
    ) -> None:
        self.conn = conn
        self.ctx = ctx
        self.rng = rng
        self.n_orders = orders
        self.n_customers = customers
        self.now = int(ctx.clock.now().timestamp())
        self.today = (self.now + LOCAL_OFFSET) // DAY * DAY - LOCAL_OFFSET
        self.start = self.today - (PERIOD_DAYS - 1) * DAY
        self.user_id = ctx.actor.id if ctx.actor.id is not None else self._owner_id()
        expected = orders * 5 + customers * 5 + min(MAX_VARIANTS, max(150, orders // 100)) * 4
        self.writer = _Writer(conn, progress, expected)
        self.shops: list[_Shop] = []

    def _owner_id(self) -> int | None:
        row = self.conn.exec_driver_sql(
            "SELECT id FROM users WHERE role = 'owner' ORDER BY id LIMIT 1"
        ).first()
        return None if row is None else int(row[0])

    def ts(self, epoch: int) -> Any:
        return db_timestamp(self.conn, _dt(epoch))

    def generate(self) -> DemoSummary:
        self.shops = self.ensure_shops()
        catalog = self.write_catalog()
        times = _order_times(self.rng, self.n_orders, self.start, self.now)
        self.writer.note("Drawing customers")
        people = _plan_people(self.rng, self.n_customers, _next_id(self.conn, "customers"),
                              self.shops, times, self.start)  # fmt: skip
        self.writer.note("Drawing orders")
        orders, lines = self.plan_orders(times, people, catalog)
        stats = _customer_stats(orders, people, self.shops)
        points = _points_ledger(self.rng, orders, self.now)
        loyalty = self.write_levels_and_vouchers(people, stats, catalog)
        self.write_customers(people, stats, loyalty, points, orders)
        self.write_orders(orders, lines, people, catalog, loyalty)
        _record_voucher_uses(self.conn, loyalty.voucher_ids)
        _refund_own_returns(self.conn)
        _refund_own_cancels(self.conn)
        rebuild_summaries(self.conn)  # the dashboards' daily summaries of these orders
        self.write_points(points, orders, people)
        self.write_tags_and_segments(people, stats, loyalty)
        summary = DemoSummary(
            shops=len(self.shops),
            products=catalog.products,
            variants=len(catalog.variant_ids),
            customers=people.n,
            orders=orders.n,
            order_lines=len(lines.order),
            seconds=0.0,
        )
        self.write_feed(orders, summary)
        return summary

    # ---- shops

    def ensure_shops(self) -> list[_Shop]:
        """Reuse the shop of each channel that exists (the offline counter), add the rest."""
        existing: dict[str, tuple[int, str, bool]] = {}
        taken_names: list[str] = []
        for shop_id, channel, name, status in self.conn.exec_driver_sql(
            "SELECT id, channel, name, status FROM shops ORDER BY id"
        ):
            linked = status == ShopStatus.ACTIVE.value
            existing.setdefault(str(channel), (int(shop_id), str(name), linked))
            taken_names.append(str(name))
        next_id = _next_id(self.conn, "shops")
        shops: list[_Shop] = []
        rows: list[Row] = []
        created = self.ts(self.start - 90 * DAY)
        for spec in _CHANNELS:
            if spec.channel.value in existing:
                shop_id, shop_name, linked = existing[spec.channel.value]
                shops.append(_Shop(shop_id, shop_name, spec, linked))
                continue
            name = spec.name
            while name in taken_names:
                name += " (demo)"
            shop = _Shop(next_id, name, spec, is_linked=spec.channel != _NOT_LINKED)
            ext = str(self.rng.integers(100_000_000, 999_999_999)) if shop.is_linked else None
            status = ShopStatus.ACTIVE if shop.is_linked else ShopStatus.NOT_LINKED
            rows.append((next_id, name, spec.channel.value, ext, "VN", status.value,
                         "Asia/Ho_Chi_Minh", True, created))  # fmt: skip
            shops.append(shop)
            next_id += 1
        self.writer.insert(
            "shops",
            ("id", "name", "channel", "external_shop_id", "region", "status", "timezone",
             "is_active", "created_at"),
            rows,
        )  # fmt: skip
        return shops

    # ---- catalogue

    def write_catalog(self) -> _Catalog:
        target = int(np.clip(self.n_orders // 100, 150, MAX_VARIANTS))
        plan = _plan_catalog(self.rng, target, self.shops, self.start)
        ids = _CatalogIds(
            product=_next_id(self.conn, "products"),
            variant=_next_id(self.conn, "variants"),
            group=_next_id(self.conn, "sku_groups"),
        )
        self._write_products(plan, ids)
        self._write_listings(plan, ids)
        self._write_stock(plan, ids)
        return _catalog_columns(plan, ids, len(self.shops), self._offline_index())

    def _offline_index(self) -> int | None:
        for i, shop in enumerate(self.shops):
            if shop.spec.channel == Channel.OFFLINE:
                return i
        return None

    def _write_products(self, plan: _CatalogPlan, ids: _CatalogIds) -> None:
        own: list[list[_VariantSpec]] = [[] for _ in plan.products]
        for v in plan.variants:
            own[v.product].append(v)
        product_rows: list[Row] = []
        for i, p in enumerate(plan.products):
            text = product_search_text(p.name, [(v.sku, v.barcode, v.opt1, v.opt2)
                                                for v in own[i]])  # fmt: skip
            created = self.ts(p.created)
            product_rows.append((ids.product + i, p.name, p.category,
                                 words.DESCRIPTIONS[p.category], p.status.value, text,
                                 self.user_id, created, created))  # fmt: skip
        self.writer.insert(
            "products",
            ("id", "name", "category", "description", "status", "search_text", "created_by_id",
             "created_at", "updated_at"),
            product_rows,
        )  # fmt: skip
        group_rows = [
            (ids.group + g, f"PS{ids.group + g:05d}", grp.name, grp.stock, grp.low_level,
             self.ts(grp.created))
            for g, grp in enumerate(plan.groups)
        ]  # fmt: skip
        self.writer.insert(
            "sku_groups", ("id", "code", "name", "stock", "low_stock_level", "created_at"),
            group_rows,
        )  # fmt: skip
        variant_rows: list[Row] = []
        for j, v in enumerate(plan.variants):
            p = plan.products[v.product]
            created = self.ts(p.created)
            group = None if v.group is None else ids.group + v.group
            variant_rows.append((
                ids.variant + j, ids.product + v.product, v.sku, v.barcode, v.opt1_name, v.opt1,
                v.opt2_name, v.opt2, v.cost, v.price, v.discount, v.stock, v.low_level,
                v.weight_g, group, p.status == ProductStatus.ACTIVE, created, created,
            ))  # fmt: skip
        self.writer.insert(
            "variants",
            ("id", "product_id", "sku", "barcode", "option1_name", "option1", "option2_name",
             "option2", "cost", "price", "discount_price", "stock", "low_stock_level",
             "weight_g", "sku_group_id", "is_active", "created_at", "updated_at"),
            variant_rows,
        )  # fmt: skip

    def _write_listings(self, plan: _CatalogPlan, ids: _CatalogIds) -> None:
        listing_id = _next_id(self.conn, "product_listings")
        vl_id = _next_id(self.conn, "variant_listings")
        by_product: list[list[int]] = [[] for _ in plan.products]
        for j, v in enumerate(plan.variants):
            by_product[v.product].append(j)
        listing_rows: list[Row] = []
        vl_rows: list[Row] = []
        serial = [0] * len(self.shops)
        for i, p in enumerate(plan.products):
            for s in p.shops:
                shop = self.shops[s]
                serial[s] += 1
                # Marketplace item ids: per-shop increasing numbers, unique per shop.
                item = 20_000_000_000 + s * 1_000_000_000 + serial[s] * 7_919
                synced = self.ts(self.now - int(self.rng.integers(HOUR, 6 * HOUR)))
                listing_rows.append((listing_id, ids.product + i, shop.id, str(item), True,
                                     synced if shop.is_linked else None))  # fmt: skip
                # A Shopee item without variations has no model id (Shopee's model 0).
                no_models = len(by_product[i]) == 1 and shop.spec.channel == Channel.SHOPEE
                for k, j in enumerate(by_product[i]):
                    model = None if no_models else f"{item}{k + 1:03d}"
                    vl_rows.append((vl_id, listing_id, ids.variant + j, model))
                    vl_id += 1
                listing_id += 1
        self.writer.insert(
            "product_listings",
            ("id", "product_id", "shop_id", "external_id", "is_active", "synced_at"),
            listing_rows,
        )
        self.writer.insert(
            "variant_listings", ("id", "listing_id", "variant_id", "external_id"), vl_rows
        )

    def _write_stock(self, plan: _CatalogPlan, ids: _CatalogIds) -> None:
        """An opening stock-in per variant (or per SKU group), dated when it was created;
        `_sales_in_the_ledger` writes the rest of the story once the orders exist."""
        targets: list[tuple[int | None, int | None, int, int]] = [
            (ids.variant + j, None, v.stock, plan.products[v.product].created)
            for j, v in enumerate(plan.variants)
            if v.group is None
        ]
        targets += [(None, ids.group + g, grp.stock, grp.created)
                    for g, grp in enumerate(plan.groups)]  # fmt: skip
        move_id = _next_id(self.conn, "stock_movements")
        rows: list[Row] = []
        for variant_id, group_id, stock, created in targets:
            rows.append((move_id, variant_id, group_id, StockMoveKind.STOCK_IN.value, stock,
                         stock, OPENING_REASON, self.user_id, self.ts(created)))  # fmt: skip
            move_id += 1
        self.writer.insert(
            "stock_movements",
            ("id", "variant_id", "sku_group_id", "kind", "quantity", "stock_after", "reason",
             "user_id", "created_at"),
            rows,
        )  # fmt: skip

    # ---- orders (planning)

    def plan_orders(self, times: Arr, people: _People, catalog: _Catalog) -> tuple[_Orders, _Lines]:
        rng, shops, n = self.rng, self.shops, len(times)
        offline = self._offline_index()
        customer = _assign_customers(rng, times, people)
        shop, customer = _assign_shops(rng, customer, people, offline)
        source, counter = _order_sources(rng, shop, offline, customer)
        status, late_cancel = _order_statuses(rng, times, self.now, counter)
        _leave_some_to_ship(status, source, times)
        path_key = status * 4 + counter * 2 + late_cancel
        final_slot = _FINAL_SLOT[path_key]
        timeline = _timeline(rng, times, counter, late_cancel, final_slot, self.now)
        if _settle_returns(status, timeline, self.now):
            path_key = status * 4 + counter * 2 + late_cancel
            final_slot = _FINAL_SLOT[path_key]
        lines = _plan_lines(rng, shop, catalog)
        address = _order_addresses(rng, customer, counter, people)
        _cover_provinces(people, address)
        money = _order_money(rng, lines, n, shop, shops, counter, address, people)
        payment = _order_payments(rng, shop, shops, counter)
        _apply_vouchers(rng, money, shop == offline, customer)
        total = money.total()
        # A marketplace says an order is paid (prepaid, or delivered); the shop's own sales
        # record what the app's sale does (`orders.paid_at_sale`): cash and card all of it,
        # a transfer or e-wallet nothing (paid later, outside the app; on-account sales come
        # from transfers, `_sales_on_account`). A cancelled cash sale was refunded
        # (`_refund_own_cancels`), as the app's cancel does.
        market = np.array([s.is_marketplace for s in shops], dtype=bool)[shop]
        method = _PAYMENTS_ARR[payment]
        is_paid = np.where(
            market,
            np.isin(status, (_COMPLETED, _RETURN_REFUND, _RETURNED))
            | ((method != PaymentMethod.COD.value) & (status != _CANCELLED)),
            np.isin(method, (PaymentMethod.CASH.value, PaymentMethod.CARD.value)),
        )
        # The app's own rule (services/loyalty/points.py): every completed order of a
        # known customer earns, if its channel earns (a new shop: its own sales only).
        earning = earn_channels_from(self.conn)
        earns = np.array([s.spec.channel in earning for s in shops])[shop]
        # At the shop's own rate (a new demo: Settings → Loyalty points' 1 per 100,000 đ).
        earn_per = earn_per_from(self.conn)
        loyal = (customer >= 0) & (status == _COMPLETED) & earns & (earn_per > 0)
        carrier = _order_carriers(rng, shop, shops, counter)
        shopee = np.array([s.spec.channel == Channel.SHOPEE for s in shops])[shop]
        orders = _Orders(
            first_id=_next_id(self.conn, "orders"),
            created=times,
            customer=customer,
            shop=shop,
            source=source,
            counter=counter,
            status=status,
            times=timeline,
            final_slot=final_slot,
            path_key=path_key,
            address=address,
            masked=shopee & (customer >= 0) & (rng.random(n) < 0.6),
            payment=payment,
            carrier=carrier,
            money=money,
            total=total,
            paid=np.where(is_paid, total, 0),
            points_earned=np.where(loyal, total // max(earn_per, 1), 0),
            external_id=_external_ids(rng, times, shop, shops),
            tracking=_tracking_numbers(rng, carrier, status),
            note=np.where(rng.random(n) < 0.04, rng.integers(0, len(words.BUYER_NOTES), n), -1),
            cancel_reason=rng.integers(0, len(words.CANCEL_REASONS), n),
        )
        return orders, lines

    # ---- loyalty set-up (before customers: they reference levels)

    def write_levels_and_vouchers(
        self, people: _People, stats: _Stats, catalog: _Catalog
    ) -> _Loyalty:
        level_ids = self._ensure_levels()
        level_of = np.zeros(people.n, dtype=np.int64)
        level_of[stats.expenses >= 2_000_000] = level_ids["REG"]
        level_of[stats.expenses >= 20_000_000] = level_ids["VIP"]
        offline = self._offline_index()
        wholesale = (people.home == offline) & (people.weight >= np.quantile(people.weight, 0.97))
        level_of[wholesale] = level_ids["WS"]
        self._write_level_prices(level_ids, catalog)
        voucher_ids = self._write_vouchers(level_ids)
        return _Loyalty(level_ids, voucher_ids, level_of, wholesale)

    def _ensure_levels(self) -> dict[str, int]:
        wanted = (("VIP", "VIP", 20_000_000, 3), ("REG", "Khách thân thiết", 2_000_000, 1),
                  ("WS", "Khách sỉ", None, 2))  # fmt: skip
        ids = {str(code): int(i) for i, code in self.conn.exec_driver_sql(
            "SELECT id, code FROM customer_levels")}  # fmt: skip
        next_id = _next_id(self.conn, "customer_levels")
        rows: list[Row] = []
        for code, name, threshold, position in wanted:
            if code not in ids:
                ids[code] = next_id
                rows.append((next_id, name, code, threshold, position, self.ts(self.start)))
                next_id += 1
        self.writer.insert(
            "customer_levels",
            ("id", "name", "code", "upgrade_threshold", "position", "created_at"),
            rows,
        )
        return ids

    def _write_level_prices(self, level_ids: dict[str, int], catalog: _Catalog) -> None:
        n = len(catalog.variant_ids)
        rows: list[Row] = []
        for k, j in enumerate(self.rng.permutation(n)[: min(60, n)].tolist()):
            level, rate = ("WS", 80) if k % 3 else ("VIP", 92)
            price = int(catalog.price[j]) * rate // 100 // 1000 * 1000
            rows.append((level_ids[level], int(catalog.variant_ids[j]), price))
        self.writer.insert("level_prices", ("level_id", "variant_id", "price"), rows)

    def _write_vouchers(self, level_ids: dict[str, int]) -> list[int]:
        """The demo vouchers, unused yet (`_record_voucher_uses` counts their orders)."""
        first = _next_id(self.conn, "vouchers")
        taken = {str(c) for (c,) in self.conn.exec_driver_sql("SELECT code FROM vouchers")}
        rows: list[Row] = []
        # Whole shop days, as the editor stores them: from a midnight to the midnight after
        # the last day (90 days from today), not a clock time the list could not show.
        ends = self.ts(self.today + 91 * DAY)
        for k, v in enumerate(_VOUCHERS):
            # The last voucher is brand new (for VIPs): created three days ago, never used.
            fresh = k == len(_VOUCHERS) - 1
            since = self.ts(self.today - 3 * DAY if fresh else self.start)
            code = v.code if v.code not in taken else f"{v.code}-DEMO"
            rows.append((first + k, code, v.name, v.kind.value, v.value, v.cap, v.minimum, since,
                         ends, True, v.free_shipping, None, 0, since))  # fmt: skip
        self.writer.insert(
            "vouchers",
            ("id", "code", "name", "discount_kind", "discount_value", "max_discount",
             "min_order_value", "starts_at", "ends_at", "is_active", "free_shipping",
             "usage_limit", "used_count", "created_at"),
            rows,
        )  # fmt: skip
        ids = [first + k for k in range(len(_VOUCHERS))]
        self.writer.insert("voucher_levels", ("voucher_id", "level_id"),
                           [(ids[-1], level_ids["VIP"])])  # fmt: skip
        return ids

    # ---- customers

    def write_customers(
        self, people: _People, stats: _Stats, loyalty: _Loyalty, points: _Points,
        orders: _Orders,
    ) -> None:  # fmt: skip
        rng, n, first = self.rng, people.n, people.first_id
        ids = np.arange(first, first + n, dtype=np.int64)
        codes = np.strings.add("KH", np.strings.zfill(ids.astype(str), 6)).tolist()
        referrer = np.full(n, -1, dtype=np.int64)
        refs = np.flatnonzero((rng.random(n) < 0.02) & ~people.imported & (np.arange(n) > 0))
        referrer[refs] = rng.integers(0, refs)
        balance, earned = points.balances(n)
        note = np.where(rng.random(n) < 0.02, rng.integers(0, len(words.CUSTOMER_NOTES), n), -1)
        created = _timestamps(self.conn, people.created)
        has_orders = stats.total_orders > 0
        rows = list(zip(
            ids.tolist(), codes, people.name.tolist(), people.gender.tolist(),
            _birthdays(self.conn, rng, n), people.email.tolist(),
            _customer_sources(people, self.shops, referrer).tolist(),
            [None if r < 0 else first + r for r in referrer.tolist()],
            [lv or None for lv in loyalty.level_of.tolist()], loyalty.wholesale.tolist(),
            itertools.repeat(Rank.COPPER.value), itertools.repeat(False), created,
            [None if k < 0 else words.CUSTOMER_NOTES[k] for k in note.tolist()],
            balance.tolist(), earned.tolist(), stats.total_orders.tolist(),
            stats.successful.tolist(), stats.cancelled.tolist(), stats.returned.tolist(),
            stats.expenses.tolist(), _timestamps(self.conn, stats.last_order, has_orders),
            stats.channels.tolist(), _customer_search_text(people, codes), created,
            _timestamps(self.conn, np.where(has_orders, stats.last_order, people.created)),
            _timestamps(self.conn, np.where(has_orders, stats.first_order, 0), has_orders),
        ))  # fmt: skip
        self.writer.insert(
            "customers",
            ("id", "code", "name", "gender", "birthday", "email", "source", "referrer_id",
             "level_id", "level_pinned", "rank", "rank_pinned", "rank_since", "note",
             "points_balance", "points_earned", "total_orders", "successful_orders",
             "cancelled_orders", "returned_orders", "total_expenses", "last_order_at",
             "channels", "search_text", "created_at", "updated_at", "first_order_at"),
            rows,
        )  # fmt: skip
        self._write_phones(people, created)
        self._write_addresses(people)
        self._write_identities(people, orders)

    def _write_phones(self, people: _People, created: list[Any]) -> None:
        rows: list[Row] = []
        pid = _next_id(self.conn, "customer_phones")
        for i, (p1, p2) in enumerate(zip(people.phone.tolist(), people.phone2.tolist(),
                                         strict=True)):  # fmt: skip
            rows.append((pid, people.first_id + i, p1, True, created[i]))
            pid += 1
            if p2 is not None:
                rows.append((pid, people.first_id + i, p2, False, created[i]))
                pid += 1
        self.writer.insert(
            "customer_phones", ("id", "customer_id", "phone", "is_primary", "created_at"), rows
        )

    def _write_addresses(self, people: _People) -> None:
        n_addr = len(people.street)
        first = _next_id(self.conn, "addresses")
        owner = people.addr_customer
        is_default = np.zeros(n_addr, dtype=bool)
        is_default[people.addr_first] = True
        rows = list(zip(
            range(first, first + n_addr), (owner + people.first_id).tolist(),
            people.name[owner].tolist(), people.phone[owner].tolist(), people.street.tolist(),
            people.ward.tolist(), people.province.tolist(), people.province_code.tolist(),
            is_default.tolist(), _timestamps(self.conn, people.created[owner]), strict=True,
        ))  # fmt: skip
        self.writer.insert(
            "addresses",
            ("id", "customer_id", "recipient", "phone", "street", "ward", "province",
             "province_code", "is_default", "created_at"),
            rows,
        )  # fmt: skip

    def _write_identities(self, people: _People, orders: _Orders) -> None:
        """One marketplace buyer id per (customer, marketplace shop) they bought through."""
        shops = self.shops
        market = np.array([s.is_marketplace for s in shops])
        keep = (orders.customer >= 0) & market[orders.shop]
        pairs = np.unique(orders.customer[keep] * len(shops) + orders.shop[keep])
        spread = self.rng.integers(0, 40, len(pairs))
        rows: list[Row] = []
        iid = _next_id(self.conn, "customer_identities")
        for pair, r in zip(pairs.tolist(), spread.tolist(), strict=True):
            c, s = divmod(pair, len(shops))
            channel = shops[s].spec.channel
            # Unique per channel: the customer position spaced out, plus a little noise.
            buyer = _BUYER_ID_BASE.get(channel, 900_000_000) + c * 41 + r
            rows.append((iid, people.first_id + c, channel.value, shops[s].id, str(buyer)))
            iid += 1
        self.writer.insert(
            "customer_identities", ("id", "customer_id", "channel", "shop_id", "buyer_id"), rows
        )

    # ---- orders (writing)

    def write_orders(
        self, orders: _Orders, lines: _Lines, people: _People, catalog: _Catalog,
        loyalty: _Loyalty,
    ) -> None:  # fmt: skip
        """Orders, then their lines, then their status history, each table in one pass.

        One table at a time keeps its index pages in the page cache (interleaving the
        three tables made every batch evict the others' pages).
        """
        history = _status_history(orders, self.now)
        rows = _OrderRows(self.conn, orders, people, self.shops, loyalty.voucher_ids,
                          self.user_id)  # fmt: skip
        line_id = _next_id(self.conn, "order_lines")
        hist_id = _next_id(self.conn, "order_status_changes")
        self._write_batches("orders", orders.n, ORDER_BATCH, rows.orders)
        self._write_batches(
            "order_lines",
            len(lines.order),
            BATCH_ROWS,
            lambda a, b: rows.lines(lines, catalog, a, b, line_id + a),
        )
        self._write_batches(
            "order_status_changes",
            len(history.order),
            BATCH_ROWS,
            lambda a, b: rows.history(history, a, b, hist_id + a),
        )

    def _write_batches(
        self, table: str, total: int, batch: int, build: Callable[[int, int], list[Row]]
    ) -> None:
        sql = _insert_sql(self.conn, table, _ORDER_TABLES[table], _CONSTANTS.get(table))
        for a in range(0, total, batch):
            b = min(a + batch, total)
            self.conn.exec_driver_sql(sql, build(a, b))
            self.writer.step(b - a, f"Writing {table}")

    def write_points(self, points: _Points, orders: _Orders, people: _People) -> None:
        first = _next_id(self.conn, "points_entries")
        n = len(points.customer)
        earn = PointsKind.EARN.value
        rows = list(zip(
            range(first, first + n), (points.customer + people.first_id).tolist(),
            points.kind.tolist(), points.delta.tolist(), points.balance_after.tolist(),
            [None if o < 0 else orders.first_id + o for o in points.order.tolist()],
            ["Tích điểm đơn hàng" if k == earn else "Đổi quà tri ân"
             for k in points.kind.tolist()],
            itertools.repeat(self.user_id), _timestamps(self.conn, points.at),
        ))  # fmt: skip
        self.writer.insert(
            "points_entries",
            ("id", "customer_id", "kind", "delta", "balance_after", "order_id", "reason",
             "user_id", "created_at"),
            rows,
        )  # fmt: skip

    # ---- tags, segments

    def write_tags_and_segments(self, people: _People, stats: _Stats, loyalty: _Loyalty) -> None:
        tags = self._ensure_tags()
        first = people.first_id
        recent = stats.last_order >= self.now - 30 * DAY
        members = {
            "often_returns": stats.returned >= 2,
            "potential": recent & (stats.total_orders <= 2) & (stats.expenses >= 500_000),
            _WHOLESALE_TAG: loyalty.wholesale,
        }
        rows = [(first + int(c), tags[key]) for key, mask in members.items()
                for c in np.flatnonzero(mask)]  # fmt: skip
        self.writer.insert("customer_tags", ("customer_id", "tag_id"), rows)
        home_province = people.province_code[people.addr_first]
        segments = (
            ("Khách Hà Nội chi tiêu cao", (home_province == "01") & (stats.expenses >= 5e6)),
            ("Khách TP.HCM mua nhiều kênh",
             (home_province == "79") & (stats.channel_count >= 2)),
            ("Khách cần chăm sóc lại",
             (stats.successful >= 2) & (stats.last_order < self.now - 180 * DAY)),
        )  # fmt: skip
        taken = {str(n) for (n,) in self.conn.exec_driver_sql("SELECT name FROM segments")}
        seg_id = _next_id(self.conn, "segments")
        seg_rows: list[Row] = []
        member_rows: list[Row] = []
        added = self.ts(self.now - 5 * DAY)
        for name, mask in segments:
            if name in taken:
                continue
            seg_rows.append((seg_id, name, self.user_id, added))
            member_rows += [(seg_id, first + int(c), added) for c in np.flatnonzero(mask)[:5000]]
            seg_id += 1
        self.writer.insert("segments", ("id", "name", "created_by_id", "created_at"), seg_rows)
        self.writer.insert(
            "segment_members", ("segment_id", "customer_id", "added_at"), member_rows
        )

    def _ensure_tags(self) -> dict[str, int]:
        """Tag ids by default key (the set-up made those) and by name for the demo's own."""
        conn = self.conn
        ensure_default_tags(conn, DEMO_TAG_NAMES)  # a store set up outside the demo
        tags = {str(key): int(i) for i, key in conn.exec_driver_sql(
            "SELECT id, default_key FROM tags WHERE default_key IS NOT NULL")}  # fmt: skip
        named = {str(n): int(i) for i, n in conn.exec_driver_sql("SELECT id, name FROM tags")}
        if _WHOLESALE_TAG in named:
            tags[_WHOLESALE_TAG] = named[_WHOLESALE_TAG]
        else:
            tags[_WHOLESALE_TAG] = _next_id(conn, "tags")
            self.writer.insert("tags", ("id", "name", "color", "is_default", "created_at"),
                               [(tags[_WHOLESALE_TAG], _WHOLESALE_TAG, "#1565c0", False,
                                 self.ts(self.start))])  # fmt: skip
        return tags

    # ---- activity feed and audit

    def write_feed(self, orders: _Orders, summary: DemoSummary) -> None:
        """Three days of sync news and the demo's own (the ranks' news is the recompute's
        after the load; the low-stock news is the scheduler's: jobs/stock.py posts it when
        the app starts)."""
        rows: list[Row] = []
        for days_ago in (2, 1, 0):
            at = min(self.today - days_ago * DAY + 21 * HOUR, self.now - 600)
            for s, shop in enumerate(self.shops):
                if shop.is_marketplace and shop.is_linked:
                    new = (orders.shop == s) & (orders.created >= at - DAY) & (orders.created < at)
                    count = int(new.sum())
                    if count:  # as a real sync: a run that brought nothing is no news
                        rows.append((ActivityKind.ORDERS_SYNCED, shop.id, at,
                                     {"new": count, "updated": 0}))  # fmt: skip
        rows += [
            (ActivityKind.INFO, None, self.now, {"event": "demo_generated",
             "orders": summary.orders, "customers": summary.customers}),
        ]  # fmt: skip
        first = _next_id(self.conn, "activity_events")
        self.writer.insert(
            "activity_events",
            ("id", "kind", "shop_id", "message", "args", "created_at"),
            [(first + i, kind.value, shop_id, *stored(kind, args), self.ts(at))
             for i, (kind, shop_id, at, args) in enumerate(rows)],
        )  # fmt: skip
        self._write_audit(summary)

    def _write_audit(self, summary: DemoSummary) -> None:
        now = self.ts(self.now)
        counts = {k: v for k, v in asdict(summary).items() if k != "seconds"}
        text = msg("Demo data: {orders} orders, {customers} customers", orders=summary.orders,
                   customers=summary.customers)  # fmt: skip
        self.writer.insert(
            "audit_events",
            ("id", "user_id", "action", "entity_type", "summary", "summary_args", "after_json",
             "pc", "created_at"),
            [(_next_id(self.conn, "audit_events"), self.ctx.actor.id, "demo.generate", "store",
              str(text), stored_args(text), json.dumps(counts), self.ctx.pc, now)],
        )  # fmt: skip
        flag = self.conn.execute(
            sa.text("SELECT 1 FROM app_settings WHERE key = :key"), {"key": DEMO_FLAG}
        ).first()
        if flag is None:
            self.writer.insert(
                "app_settings", ("key", "value_json", "updated_by_id", "updated_at"),
                [(DEMO_FLAG, "true", self.ctx.actor.id, now)],
            )  # fmt: skip


@dataclass(frozen=True)
class _VoucherSpec:
    code: str
    name: str
    kind: DiscountKind
    value: int
    cap: int | None
    minimum: int
    free_shipping: bool


_VOUCHERS: tuple[_VoucherSpec, ...] = (
    _VoucherSpec("GIAM50K", "Giảm 50.000đ cho đơn từ 300.000đ", DiscountKind.AMOUNT, 50_000,
                 None, 300_000, False),
    _VoucherSpec("SALE10", "Giảm 10% tối đa 100.000đ", DiscountKind.PERCENT, 10, 100_000,
                 200_000, False),
    _VoucherSpec("FREESHIP30", "Miễn phí vận chuyển đến 30.000đ", DiscountKind.AMOUNT, 0,
                 30_000, 150_000, True),
    _VoucherSpec("VIP15", "Ưu đãi 15% cho khách VIP", DiscountKind.PERCENT, 15, 200_000, 0,
                 False),
)  # fmt: skip
_WHOLESALE_TAG = "Khách sỉ"
#: The default tags' names in the demo shop (Vietnamese, as its levels and segments).
DEMO_TAG_NAMES = {"potential": "Tiềm năng", "often_returns": "Hay hoàn hàng"}
_BUYER_ID_BASE: dict[Channel, int] = {
    Channel.SHOPEE: 100_000_000,
    Channel.LAZADA: 200_000_000_000,
    Channel.TIKI: 10_000_000,
    Channel.TIKTOK: 7_100_000_000_000_000_000,
}
_STATUS_ARR = _objects([s.value for s in STATUSES])
_PAYMENTS_ARR = _objects([p.value for p in _PAYMENTS])
_SOURCES_ARR = _objects([s.value for s in _SOURCES])
_CARRIERS_ARR = _objects([*_CARRIERS, None])  # index -1 = no carrier


def _final_slots() -> Arr:
    out = np.full(7 * 4, _T_CREATED, dtype=np.int64)
    for (status, counter, late), path in _PATHS.items():
        out[status * 4 + counter * 2 + late] = path[-1][2]
    return out


_FINAL_SLOT = _final_slots()


# --------------------------------------------------------------------------- catalogue


#: SKU groups every demo catalogue has at least (a few small items listed twice).
DEMO_MIN_GROUPS = 4


def _plan_catalog(
    rng: np.random.Generator, target: int, shops: list[_Shop], start: int
) -> _CatalogPlan:
    """Products from the templates until about `target` variants exist, then whatever each
    demo supplier needs to deliver or be ordered from it (a small demo may hold no cup for
    the pottery workshop)."""
    market = [i for i, s in enumerate(shops) if s.is_marketplace]
    plan = _CatalogPlan([], [], [])
    seen: dict[str, int] = {}
    barcode = int(rng.integers(100_000_000, 800_000_000))
    while len(plan.variants) < target:
        tpl = words.CATALOGUE[int(rng.integers(len(words.CATALOGUE)))]
        first_variant = len(plan.variants)
        barcode = _add_product(rng, plan, tpl, seen, shops, start, barcode)
        # A few items are listed twice (another title on another shop): one "Prime SKU"
        # group per pair holds the physical stock. The first small items always are, so
        # even a small demo shows SKU groups.
        twin = rng.random() < 0.04 or len(plan.groups) < DEMO_MIN_GROUPS
        if market and len(plan.variants) - first_variant <= 6 and twin:
            barcode = _add_twin(rng, plan, first_variant, market, barcode)
    # Drawn only when missing, and from their own generator (seeded by the catalogue's
    # last barcode): the orders' draws after the catalogue stay as they were.
    extra = np.random.default_rng(barcode)
    for supplier, need in _supplier_needs().items():
        kind = [t for t in words.CATALOGUE if supplies(supplier, t.category, t.name)]
        while sum(1 for v in plan.variants
                  if plan.products[v.product].status == ProductStatus.ACTIVE
                  and supplies(supplier, plan.products[v.product].category,
                               plan.products[v.product].name)) < need:  # fmt: skip
            tpl = kind[int(extra.integers(len(kind)))]
            barcode = _add_product(extra, plan, tpl, seen, shops, start, barcode,
                                   ProductStatus.ACTIVE)  # fmt: skip
    for s in market:  # every marketplace shop needs something to sell
        if not any(s in p.shops for p in plan.products):
            spare = next(p for p in plan.products if len(p.shops) < 3)
            spare.shops = sorted({*spare.shops, s})
    return plan


def _add_product(
    rng: np.random.Generator, plan: _CatalogPlan, tpl: words.ProductTemplate,
    seen: dict[str, int], shops: list[_Shop], start: int, barcode: int,
    status: ProductStatus | None = None,
) -> int:  # fmt: skip
    """One product of this template (a descriptor for its name), its marketplace listings
    and its variants; the next barcode."""
    market = [i for i, s in enumerate(shops) if s.is_marketplace]
    share = np.array([shops[i].spec.share for i in market], dtype=float)
    descriptors = words.DESCRIPTORS[tpl.category]
    name = f"{tpl.name} {descriptors[int(rng.integers(len(descriptors)))]}"
    seen[name] = seen.get(name, 0) + 1
    if seen[name] > 1:
        name = f"{name} - Mẫu {seen[name]}"
    listed: list[int] = []
    if market:
        k = min(int(rng.integers(1, 4)), len(market))
        listed = sorted(rng.choice(market, size=k, replace=False, p=share / share.sum())
                        .tolist())  # fmt: skip
    created = start - int(rng.integers(5 * DAY, 120 * DAY))
    product = _ProductSpec(name, tpl.category, status or _product_status(rng), created, listed)
    return _add_variants(rng, plan, product, tpl, barcode)


def _product_status(rng: np.random.Generator) -> ProductStatus:
    r = rng.random()
    if r < 0.94:
        return ProductStatus.ACTIVE
    return ProductStatus.HIDDEN if r < 0.98 else ProductStatus.ARCHIVED


def _option_axes(
    rng: np.random.Generator, tpl: words.ProductTemplate
) -> list[tuple[str, list[tuple[str, str]]]]:
    axes: list[tuple[str, list[tuple[str, str]]]] = []
    if tpl.first is not None:
        palette = words.COLORS if tpl.first == "color" else words.LIP_SHADES
        low, high = (1, 5) if tpl.first == "color" else (3, 7)
        picks = sorted(rng.choice(len(palette), int(rng.integers(low, high)), replace=False))
        axes.append(("Màu", [(palette[i].name, palette[i].code) for i in picks]))
    if tpl.second is not None:
        axis_name, values = words.OPTION_SETS[tpl.second]
        length = int(rng.integers(min(2, len(values)), len(values) + 1))
        first = int(rng.integers(0, len(values) - length + 1))
        axes.append((axis_name, list(values[first : first + length])))
    return axes


def _retail_price(vnd: int) -> int:
    """Shop-style prices ending in 9.000 đ."""
    return vnd // 10_000 * 10_000 + 9_000


def _stock_levels(rng: np.random.Generator) -> tuple[int, int | None]:
    r = rng.random()
    stock = 0 if r < 0.04 else int(rng.integers(1, 9)) if r < 0.12 else int(rng.integers(10, 250))
    r = rng.random()
    return stock, 10 if r < 0.6 else 5 if r < 0.8 else None


def _ean13(body: str) -> str:
    """Append the EAN-13 check digit to 12 digits."""
    odd_even = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - odd_even % 10) % 10)


def _add_variants(
    rng: np.random.Generator,
    plan: _CatalogPlan,
    product: _ProductSpec,
    tpl: words.ProductTemplate,
    barcode: int,
) -> int:
    p = len(plan.products)
    plan.products.append(product)
    axes = _option_axes(rng, tpl)
    prefix = "".join(w[0] for w in fold(tpl.name).split() if w[0].isalnum())[:4].upper()
    base = _retail_price(int(rng.integers(tpl.low_k, tpl.high_k + 1)) * 1000)
    on_sale = rng.random() < 0.3
    # Bigger bottles and sizes of home goods cost more; clothes sizes do not.
    scaled = tpl.second in ("volume", "bigsize")
    axis_names = [a for a, _ in axes]
    for combo in itertools.product(*[list(enumerate(values)) for _, values in axes]):
        labels = [label for _, (label, _code) in combo]
        price = _retail_price(base * (100 + 35 * combo[-1][0]) // 100) if scaled else base
        cost = int(price * rng.uniform(0.38, 0.65)) // 100 * 100
        discount = None
        if on_sale:
            discount = min(price - 1000, int(price * rng.uniform(0.8, 0.95)) // 1000 * 1000)
        stock, low = _stock_levels(rng)
        sku = "-".join([f"{prefix}{p + 1:04d}", *(code for _, (_label, code) in combo)])
        # Bigger sizes and bottles weigh more (from the template: no random draw, so the
        # rest of the demo stays as it was).
        step = combo[-1][0] if tpl.second is not None else 0  # the size's place, not colour
        grams = tpl.grams * (100 + (60 if scaled else 8) * step) // 100
        plan.variants.append(_VariantSpec(
            p, sku, _ean13(f"893{barcode:09d}"),
            axis_names[0] if labels else None, labels[0] if labels else None,
            axis_names[1] if len(labels) > 1 else None, labels[1] if len(labels) > 1 else None,
            cost, price, discount, stock, low, weight_g=grams // 10 * 10,
        ))  # fmt: skip
        barcode += 1
    return barcode


def _add_twin(
    rng: np.random.Generator, plan: _CatalogPlan, first_variant: int, market: list[int],
    barcode: int,
) -> int:  # fmt: skip
    original = plan.products[-1]
    others = [s for s in market if s not in original.shops] or market
    shop = others[int(rng.integers(len(others)))]
    twin = _ProductSpec(f"{original.name} (hàng có sẵn)", original.category, original.status,
                        original.created, [shop])  # fmt: skip
    q = len(plan.products)
    plan.products.append(twin)
    for v in plan.variants[first_variant:]:
        g = len(plan.groups)
        label = f"{original.name} {v.label or ''}".strip()
        plan.groups.append(_GroupSpec(label[:120], v.stock, v.low_level, original.created))
        # The group holds the stock: its variants carry none of their own.
        v.group, v.stock, v.low_level = g, 0, None
        plan.variants.append(replace(v, product=q, sku=f"{v.sku}-B",
                                     barcode=_ean13(f"893{barcode:09d}")))  # fmt: skip
        barcode += 1
    return barcode


def _catalog_columns(
    plan: _CatalogPlan, ids: _CatalogIds, n_shops: int, offline: int | None
) -> _Catalog:
    vs = plan.variants
    pools: list[list[int]] = [[] for _ in range(n_shops)]
    for j, v in enumerate(vs):
        for s in plan.products[v.product].shops:
            pools[s].append(j)
    if offline is not None:
        pools[offline] = list(range(len(vs)))
    return _Catalog(
        products=len(plan.products),
        variant_ids=np.arange(ids.variant, ids.variant + len(vs), dtype=np.int64),
        unit_price=np.array([v.discount or v.price for v in vs], dtype=np.int64),
        price=np.array([v.price for v in vs], dtype=np.int64),
        cost=np.array([v.cost for v in vs], dtype=np.int64),
        stock=np.array([v.stock for v in vs], dtype=np.int64),
        low_level=np.array([v.low_level or 0 for v in vs], dtype=np.int64),
        sku=_objects([v.sku for v in vs]),
        product_name=_objects([plan.products[v.product].name for v in vs]),
        variant_name=_objects([v.label for v in vs]),
        pools=[np.array(p, dtype=np.int64) for p in pools],
    )


# --------------------------------------------------------------------------- time


_WEEKDAY = np.array([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1])  # Monday first
_HOUR_WEIGHTS = np.array([
    0.6, 0.3, 0.15, 0.1, 0.1, 0.2, 0.5, 1.0, 1.6, 2.0, 2.3, 2.6,
    2.7, 2.3, 2.0, 2.0, 2.1, 2.2, 2.3, 2.6, 3.2, 3.5, 3.0, 1.8,
])  # fmt: skip
# Lunar New Year: shoppers stop buying for a few days around it.
_TET = np.array(["2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06",
                 "2028-01-26", "2029-02-13", "2030-02-03"], dtype="datetime64[D]")  # fmt: skip


def _order_times(rng: np.random.Generator, n: int, start: int, now: int) -> Arr:
    """Sorted order times: growth (+2/3 a year), weekdays, double-day sales, Tết, hours."""
    days = np.arange(PERIOD_DAYS)
    day_start = start + days * DAY
    local = (day_start + LOCAL_OFFSET).astype("datetime64[s]").astype("datetime64[D]")
    months = local.astype("datetime64[M]")
    month = months.astype(np.int64) % 12 + 1
    dom = (local - months).astype(np.int64) + 1
    weight = (1 + days / 365 * 2 / 3) * _WEEKDAY[(local.astype(np.int64) + 3) % 7]
    weight *= np.where(month == dom, 2.5, 1.0) * np.where(dom == 25, 1.2, 1.0)
    to_tet = (local[:, None] - _TET[None, :]).astype(np.int64)
    weight *= np.where(((to_tet >= -4) & (to_tet <= 5)).any(axis=1), 0.35, 1.0)
    elapsed = now - int(day_start[-1])
    weight[-1] *= _hour_spans(elapsed).sum() / _HOUR_WEIGHTS.sum()
    counts = rng.multinomial(n, weight / weight.sum())
    day_of = np.repeat(days, counts)
    seconds = _seconds_in_day(rng, int(counts[:-1].sum()), DAY)
    seconds = np.concatenate([seconds, _seconds_in_day(rng, int(counts[-1]), elapsed)])
    return np.sort(day_start[day_of] + seconds)


def _hour_spans(limit: int) -> Arr:
    """Hour weights scaled by how much of each hour lies before `limit` seconds."""
    span = np.clip(limit - np.arange(24) * HOUR, 0, HOUR)
    return _HOUR_WEIGHTS * span / HOUR


def _seconds_in_day(rng: np.random.Generator, count: int, limit: int) -> Arr:
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    w = _hour_spans(limit)
    hour = rng.choice(24, size=count, p=w / w.sum())
    span = np.clip(limit - hour * HOUR, 0, HOUR)
    return (hour * HOUR + (rng.random(count) * span).astype(np.int64)).astype(np.int64)


# --------------------------------------------------------------------------- customers

#: Counter sales of anonymous walk-in buyers, as a share of all orders.
_WALK_IN_ORDERS = 0.12 * 0.55 * WALK_IN_SHARE


def _plan_people(
    rng: np.random.Generator, n: int, first_id: int, shops: list[_Shop], times: Arr,
    start: int,
) -> _People:  # fmt: skip
    """Customers: a fifth imported before the period, the rest arriving with the orders."""
    n_imported = max(1, n // 5)
    imported_at = start - rng.integers(DAY, 30 * DAY, n_imported)
    if len(times):
        later = rng.choice(times, n - n_imported)
    else:
        later = start + rng.integers(0, PERIOD_DAYS * DAY, n - n_imported)
    created = np.concatenate([np.sort(imported_at), np.sort(later)]).astype(np.int64)
    name, gender, email = _names(rng, n)
    n_second = int((rng.random(n) < 0.12).sum())
    phones = _unique_phones(rng, n + n_second)
    phone2 = np.full(n, None, dtype=object)
    phone2[np.sort(rng.choice(n, n_second, replace=False))] = phones[n:].tolist()
    phone = _objects(phones[:n].tolist())
    shares = np.array([s.spec.share for s in shops], dtype=float)
    for i, shop in enumerate(shops):
        if shop.spec.channel == Channel.OFFLINE:
            shares[i] = max(shares[i] - _WALK_IN_ORDERS, 0.01)
    addresses = _plan_addresses(rng, n)
    return _People(
        first_id=first_id,
        name=name,
        folded=_objects([fold(x) for x in name.tolist()]),
        gender=gender,
        phone=phone,
        phone2=phone2,
        phone_search=_objects([" " + " ".join(phone_search_variants(p)) for p in phone]),
        email=email,
        created=created,
        weight=rng.lognormal(0.0, 1.2, n),
        home=rng.choice(len(shops), n, p=shares / shares.sum()),
        second=rng.choice(len(shops), n, p=shares / shares.sum()),
        imported=np.arange(n) < n_imported,
        **addresses,
    )


def _names(rng: np.random.Generator, n: int) -> tuple[Arr, Arr, Arr]:
    """(full name, gender value, email or None) with gender-consistent middle/given names."""
    female = rng.random(n) < 0.62
    surname = _objects([s for s, _ in words.SURNAMES])[_pick(rng, words.SURNAMES, n)]
    middle = np.where(
        female,
        _objects([m for m, _ in words.FEMALE_MIDDLE])[_pick(rng, words.FEMALE_MIDDLE, n)],
        _objects([m for m, _ in words.MALE_MIDDLE])[_pick(rng, words.MALE_MIDDLE, n)],
    )
    given = np.where(
        female,
        _objects(words.FEMALE_GIVEN)[rng.integers(0, len(words.FEMALE_GIVEN), n)],
        _objects(words.MALE_GIVEN)[rng.integers(0, len(words.MALE_GIVEN), n)],
    )
    if n >= 2:
        she, he = rng.choice(n, 2, replace=False).tolist()
        female[she], female[he] = True, False
        surname[she], middle[she], given[she] = words.SPECIAL_FEMALE
        surname[he], middle[he], given[he] = words.SPECIAL_MALE
    name = surname + " " + middle + " " + given
    gender = np.where(female, Gender.FEMALE.value, Gender.MALE.value).astype(object)
    domain = _objects([d for d, _ in words.EMAIL_DOMAINS])[_pick(rng, words.EMAIL_DOMAINS, n)]
    number = rng.integers(1, 1000, n)
    email = np.full(n, None, dtype=object)
    for i in np.flatnonzero(rng.random(n) < 0.3).tolist():
        email[i] = f"{fold(given[i])}.{fold(surname[i])}{number[i]}@{domain[i]}".replace(" ", "")
    return name, gender, email


def _unique_phones(rng: np.random.Generator, size: int) -> Arr:
    """Distinct normalised mobile numbers `0xxxxxxxxx` (redraws the rare duplicates)."""
    prefixes = np.array([p for p, _ in _MOBILE_PREFIXES], dtype=np.int64)
    values = np.zeros(0, dtype=np.int64)
    while len(values) < size:
        need = size - len(values)
        draw = prefixes[_pick(rng, _MOBILE_PREFIXES, need)] * 10**7 + rng.integers(0, 10**7, need)
        values = np.concatenate([values, draw])
        _, first = np.unique(values, return_index=True)
        values = values[np.sort(first)]
    return np.strings.add("0", values.astype(str))


def _plan_addresses(rng: np.random.Generator, n: int) -> dict[str, Arr]:
    """1–3 addresses per customer over the 34 provinces, weighted by online buyers."""
    count = rng.choice(np.array([1, 2, 3]), n, p=[0.7, 0.22, 0.08])
    owner = np.repeat(np.arange(n), count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    size = len(owner)
    weights = np.array([p.weight for p in PROVINCES_2025])
    province = rng.choice(len(PROVINCES_2025), size, p=weights / weights.sum())
    # Most extra addresses (work, parents) are in the same province as the default one.
    province = np.where(rng.random(size) < 0.6, province[first[owner]], province)
    codes = _objects([p.code for p in PROVINCES_2025])[province]
    urban = np.isin(codes, ("01", "79", "48", "31", "92"))
    ward_kind = np.where(rng.random(size) < np.where(urban, 0.9, 0.55), "Phường ", "Xã ")
    ward_name = _objects(words.WARD_NAMES)[rng.integers(0, len(words.WARD_NAMES), size)]
    return {
        "addr_first": first,
        "addr_count": count.astype(np.int64),
        "addr_customer": owner,
        "street": _streets(rng, size),
        "ward": ward_kind.astype(object) + ward_name,
        "province": _objects([p.name for p in PROVINCES_2025])[province],
        "province_code": codes,
    }


def _streets(rng: np.random.Generator, size: int) -> Arr:
    form = rng.integers(0, 10, size).tolist()
    house = rng.integers(1, 300, size).tolist()
    alley = rng.integers(1, 80, size).tolist()
    street = rng.integers(0, len(words.STREETS), size).tolist()
    village = rng.integers(0, len(words.VILLAGES), size).tolist()
    out: list[str] = []
    for f, h, a, s, v in zip(form, house, alley, street, village, strict=True):
        if f < 4:
            out.append(f"Số {h} {words.STREETS[s]}")
        elif f < 6:
            out.append(f"{h}/{a} {words.STREETS[s]}")
        elif f < 8:
            out.append(f"Ngõ {a}, {h} {words.STREETS[s]}")
        else:
            out.append(words.VILLAGES[v])
    return _objects(out)


def _customer_sources(people: _People, shops: list[_Shop], referrer: Arr) -> Arr:
    channel = _objects([s.spec.channel.value for s in shops])[people.home]
    source = np.where(channel == Channel.OFFLINE.value, "walk_in", channel)
    source = np.where(people.imported, "import", source)
    return np.where(referrer >= 0, "referral", source)


def _birthdays(conn: sa.Connection, rng: np.random.Generator, n: int) -> list[Any]:
    known = (rng.random(n) < 0.4).tolist()
    text = np.datetime_as_string(
        np.datetime64("1968-01-01") + rng.integers(0, 38 * 365, n)
    ).tolist()
    values: list[Any] = text if is_sqlite(conn) else [date.fromisoformat(t) for t in text]
    return [v if k else None for v, k in zip(values, known, strict=True)]


def _customer_search_text(people: _People, codes: list[str]) -> list[str]:
    out: list[str] = []
    for name, code, email, p1, p2 in zip(
        people.name.tolist(), codes, people.email.tolist(), people.phone.tolist(),
        people.phone2.tolist(), strict=True,
    ):  # fmt: skip
        out.append(search_text(name, code, email, phones=(p1, p2)))
    return out


# --------------------------------------------------------------------------- orders


def _assign_customers(rng: np.random.Generator, times: Arr, people: _People) -> Arr:
    """Heavy-tailed buyers: weighted draw among the customers who had arrived by then."""
    arrived = np.maximum(np.searchsorted(people.created, times, side="right"), 1)
    cum = np.cumsum(people.weight)
    pick = np.searchsorted(cum, rng.random(len(times)) * cum[arrived - 1], side="right")
    chosen: Arr = np.minimum(pick, arrived - 1).astype(np.int64)
    # A customer who arrived during the period came with an order (their arrival time is
    # one): that order is theirs. Otherwise the newest customers, the top of the list,
    # would all show no orders, since the weighted draw rarely reaches them.
    later = np.flatnonzero(~people.imported)
    first = np.searchsorted(times, people.created[later], side="left")
    ok = first < len(times)
    chosen[first[ok]] = later[ok]
    return chosen


def _assign_shops(
    rng: np.random.Generator, customer: Arr, people: _People, offline: int | None
) -> tuple[Arr, Arr]:
    """Customers mostly buy in their home shop; some counter sales are anonymous."""
    n = len(customer)
    shop = np.where(rng.random(n) < 0.8, people.home[customer], people.second[customer])
    customer = customer.copy()
    if offline is not None:
        walk_in = rng.random(n) < _WALK_IN_ORDERS
        shop[walk_in] = offline
        customer[walk_in] = -1
    return shop.astype(np.int64), customer


def _order_sources(
    rng: np.random.Generator, shop: Arr, offline: int | None, customer: Arr
) -> tuple[Arr, Arr]:
    n = len(shop)
    counter_i = _SOURCES.index(OrderSource.COUNTER)
    source = np.full(n, _SOURCES.index(OrderSource.MARKETPLACE), dtype=np.int64)
    if offline is not None:
        r = rng.random(n)
        own = np.where(
            r < 0.55,
            counter_i,
            np.where(r < 0.8, _SOURCES.index(OrderSource.PHONE), _SOURCES.index(OrderSource.CHAT)),
        )
        own[customer < 0] = counter_i
        at_shop = shop == offline
        source[at_shop] = own[at_shop]
    return source, source == counter_i


def _draw(rng: np.random.Generator, mix: dict[int, float], size: int) -> Arr:
    keys = np.array(list(mix), dtype=np.int64)
    p = np.array(list(mix.values()), dtype=float)
    return keys[rng.choice(len(keys), size, p=p / p.sum())]


def _order_statuses(
    rng: np.random.Generator, times: Arr, now: int, counter: Arr
) -> tuple[Arr, Arr]:
    """Final status by age (recent orders are still moving); cancelled-after-confirm flag."""
    n = len(times)
    bounds = np.array([b for b, _ in _STATUS_BY_AGE[:-1]])
    bucket = np.searchsorted(bounds, (now - times) / DAY, side="right")
    status = np.empty(n, dtype=np.int64)
    for b, (_, mix) in enumerate(_STATUS_BY_AGE):
        m = (bucket == b) & ~counter
        status[m] = _draw(rng, mix, int(m.sum()))
    status[counter] = _draw(rng, _COUNTER_STATUS, int(counter.sum()))
    late = (status == _CANCELLED) & ~counter & (rng.random(n) < 0.4)
    return status, late


#: The newest phone and chat orders wait to be shipped with the shop's carrier: a new user
#: finds some to try *Ship…* on (the first one still pending).
WAITING_TO_SHIP = 6


def _leave_some_to_ship(status: Arr, source: Arr, times: Arr) -> None:
    own = np.isin(source, (_SOURCES.index(OrderSource.PHONE), _SOURCES.index(OrderSource.CHAT)))
    newest = np.flatnonzero(own)[np.argsort(-times[own], kind="stable")][:WAITING_TO_SHIP]
    status[newest] = _CONFIRMED
    status[newest[:1]] = _PENDING


def _timeline(
    rng: np.random.Generator, times: Arr, counter: Arr, late: Arr, final_slot: Arr, now: int
) -> Arr:
    """When each step happened; paths that would end after `now` are squeezed to fit."""
    n = len(times)
    t = np.empty((n, 7), dtype=np.int64)
    t[:, _T_CREATED] = times
    t[:, _T_CONFIRM] = times + rng.integers(300, 8 * HOUR, n)
    t[:, _T_SHIP] = t[:, _T_CONFIRM] + rng.integers(6 * HOUR, 36 * HOUR, n)
    t[:, _T_DONE] = np.where(counter, times + rng.integers(60, 600, n),
                             t[:, _T_SHIP] + rng.integers(DAY, 4 * DAY, n))  # fmt: skip
    t[:, _T_RETURN_ASK] = t[:, _T_DONE] + rng.integers(DAY, 6 * DAY, n)
    t[:, _T_RETURNED] = t[:, _T_RETURN_ASK] + rng.integers(3 * DAY, 10 * DAY, n)
    t[:, _T_CANCEL] = np.where(late, t[:, _T_CONFIRM] + rng.integers(600, 20 * HOUR, n),
                               times + rng.integers(600, 30 * HOUR, n))  # fmt: skip
    final = t[np.arange(n), final_slot]
    over = final > now - 60
    if over.any():
        t0 = times[over][:, None]
        span = np.maximum(final[over] - times[over], 1)
        f = np.clip((now - 60 - times[over]) / span, 0.0, 1.0)[:, None]
        t[over] = t0 + ((t[over] - t0) * f).astype(np.int64)
    return t


def _settle_returns(status: Arr, t: Arr, now: int) -> int:
    """A return asked for whose goods came back by now is settled (returned): only the
    returns asked for in the last days stay under way (Home's Return/Refund card), not
    months of them. Their return time is already drawn and past, so the timeline holds
    (no squeeze). Returns how many were settled."""
    settled = (status == _RETURN_REFUND) & (t[:, _T_RETURNED] <= now - 60)
    status[settled] = _RETURNED
    return int(settled.sum())


def _plan_lines(rng: np.random.Generator, shop: Arr, catalog: _Catalog) -> _Lines:
    """1 + Poisson(1.5) lines per order; SKUs by Zipf popularity among the shop's listings."""
    n = len(shop)
    per_order = np.minimum(1 + rng.poisson(1.5, n), 8)
    order = np.repeat(np.arange(n, dtype=np.int64), per_order)
    size = len(order)
    popularity = 1.0 / (rng.permutation(len(catalog.variant_ids)) + 1.0) ** 1.1
    variant = np.zeros(size, dtype=np.int64)
    line_shop = shop[order]
    for s, pool in enumerate(catalog.pools):
        at = np.flatnonzero(line_shop == s)
        if len(at):
            p = popularity[pool]
            variant[at] = pool[rng.choice(len(pool), len(at), p=p / p.sum())]
    quantity = np.array([1, 2, 3, 4, 5])[rng.choice(5, size, p=[0.8, 0.13, 0.04, 0.02, 0.01])]
    # A SKU drawn twice for one order is one line of both quantities, as a sale is entered.
    key = order * (int(variant.max()) + 1) + variant
    _keys, first, which = np.unique(key, return_index=True, return_inverse=True)
    quantity = np.bincount(which, weights=quantity).astype(np.int64)
    order, variant = order[first], variant[first]
    size = len(order)
    unit = catalog.unit_price[variant]
    gross = quantity * unit
    discount = np.where(rng.random(size) < 0.08,
                        _round_down(gross * rng.uniform(0.05, 0.15, size), 1000), 0)  # fmt: skip
    return _Lines(order, variant, quantity, unit, discount, gross - discount)


def _order_addresses(rng: np.random.Generator, customer: Arr, counter: Arr, people: _People) -> Arr:
    """The customer's default address mostly, sometimes another one; none at the counter."""
    n = len(customer)
    shipped = (customer >= 0) & ~counter
    c = np.where(shipped, customer, 0)
    other = (rng.random(n) * people.addr_count[c]).astype(np.int64)
    offset = np.where(rng.random(n) < 0.8, 0, other)
    return np.where(shipped, people.addr_first[c] + offset, -1).astype(np.int64)


def _cover_provinces(people: _People, address: Arr) -> None:
    """Move an address or two of the busiest province so that every province has orders.

    Small demos would otherwise leave holes on the map; only done when there are enough
    shipped-to addresses to spare.
    """
    used = np.unique(address[address >= 0])
    if len(used) < 4 * len(PROVINCES_2025):
        return
    index = {p.code: i for i, p in enumerate(PROVINCES_2025)}
    prov = np.array([index[c] for c in people.province_code[used].tolist()], dtype=np.int64)
    counts = np.bincount(prov, minlength=len(PROVINCES_2025))
    for missing in np.flatnonzero(counts == 0).tolist():
        donor = int(np.argmax(counts))
        pos = int(np.flatnonzero(prov == donor)[0])
        target = PROVINCES_2025[missing]
        people.province[used[pos]] = target.name
        people.province_code[used[pos]] = target.code
        prov[pos] = missing
        counts[donor] -= 1
        counts[missing] += 1


def _order_money(
    rng: np.random.Generator, lines: _Lines, n: int, shop: Arr, shops: list[_Shop],
    counter: Arr, address: Arr, people: _People,
) -> _Money:  # fmt: skip
    """Subtotals from the lines; fees and discounts as shares of the subtotal (< 40 %)."""
    sub = np.bincount(lines.order, weights=lines.subtotal, minlength=n).astype(np.int64)
    items = np.bincount(lines.order, weights=lines.quantity, minlength=n).astype(np.int64)
    market = np.array([s.is_marketplace for s in shops], dtype=bool)[shop]
    code = np.where(address >= 0, people.province_code[np.maximum(address, 0)], "")
    city = np.isin(code, ("01", "79"))
    fee = np.where(city, rng.integers(30, 46, n), rng.integers(44, 77, n)) * 500
    fee = np.where(market & (rng.random(n) < 0.45), 0, fee)
    fee = np.where(counter | (~market & (sub >= 500_000)), 0, fee)

    def share(mask: Arr, low: float, high: float, cap: int) -> Arr:
        amount = np.minimum(_round_down(sub * rng.uniform(low, high, n), 1000), cap)
        return np.where(mask, amount, 0).astype(np.int64)

    centre = np.array([s.spec.commission for s in shops])[shop]
    rate = np.clip(rng.normal(centre, 0.01), 0.04, 0.10)
    return _Money(
        subtotal=sub,
        item_count=items,
        shipping_fee=fee.astype(np.int64),
        marketplace_discount=share(market & (rng.random(n) < 0.30), 0.02, 0.10, 50_000),
        voucher_discount=share(market & (rng.random(n) < 0.18), 0.05, 0.12, 80_000),
        seller_discount=share(~counter & (rng.random(n) < 0.06), 0.03, 0.08, 10**9),
        shop_promotion=share(market & (rng.random(n) < 0.08), 0.05, 0.05, 30_000),
        commission=np.where(market, np.rint(sub * rate), 0).astype(np.int64),
        voucher=np.zeros(n, dtype=np.int64),
    )


def _apply_vouchers(rng: np.random.Generator, money: _Money, offline: Arr, customer: Arr) -> None:
    """The shop's own vouchers on some counter/phone/chat orders, when the order qualifies,
    each worth what a sale takes off for it (`pricing.voucher_amount`, on the goods after
    the seller's discount, as `orders.quote_in` prices it)."""
    n = len(customer)
    pick = np.where(offline & (customer >= 0) & (rng.random(n) < 0.12), rng.integers(1, 4, n), 0)
    goods, fee = money.subtotal - money.seller_discount, money.shipping_fee
    amount = np.zeros(n, dtype=np.int64)
    for i in np.flatnonzero(pick):
        spec = _VOUCHERS[int(pick[i]) - 1]
        if goods[i] >= spec.minimum:
            amount[i] = pricing.voucher_amount(
                spec.kind, spec.value, spec.cap, spec.free_shipping,
                merchandise=int(goods[i]), shipping_fee=int(fee[i]),
            )  # fmt: skip
    money.voucher = np.where(amount > 0, pick, 0).astype(np.int64)
    money.voucher_discount = money.voucher_discount + amount


def _order_payments(rng: np.random.Generator, shop: Arr, shops: list[_Shop], counter: Arr) -> Arr:
    out = np.zeros(len(shop), dtype=np.int64)
    for s, spec in enumerate(shop_.spec for shop_ in shops):
        for at_counter in (False, True):
            m = (shop == s) & (counter == at_counter)
            if m.any():
                mix = _COUNTER_PAYMENTS if at_counter else spec.payments
                codes = np.array([_PAYMENTS.index(p) for p, _ in mix])
                out[m] = codes[_pick(rng, mix, int(m.sum()))]
    return out


def _order_carriers(rng: np.random.Generator, shop: Arr, shops: list[_Shop], counter: Arr) -> Arr:
    out = np.full(len(shop), -1, dtype=np.int64)
    for s, shop_ in enumerate(shops):
        m = (shop == s) & ~counter
        if m.any():
            codes = np.array([_CARRIERS.index(c) for c, _ in shop_.spec.carriers])
            out[m] = codes[_pick(rng, shop_.spec.carriers, int(m.sum()))]
    return out


def _external_ids(rng: np.random.Generator, times: Arr, shop: Arr, shops: list[_Shop]) -> Arr:
    out = np.empty(len(times), dtype=object)
    for s, shop_ in enumerate(shops):
        idx = np.flatnonzero(shop == s)
        if len(idx):
            out[idx] = _channel_order_ids(rng, shop_.spec.channel, times[idx]).tolist()
    return out


def _channel_order_ids(rng: np.random.Generator, channel: Channel, t: Arr) -> Arr:
    """Order numbers shaped like each channel's, unique within the shop (`t` is sorted)."""
    m = len(t)
    if channel == Channel.SHOPEE:  # YYMMDD + 8 upper-case alphanumerics
        return _unique_codes(rng, _local_yymmdd(t), 8)
    if channel == Channel.LAZADA:  # 15 digits, rising over time
        start = 300_000_000_000_000 + int(rng.integers(0, 10**13))
        return (start + np.cumsum(rng.integers(1, 50_000, m))).astype(str)
    if channel == Channel.TIKI:  # 9 digits
        return (180_000_000 + np.cumsum(rng.integers(1, 40, m))).astype(str)
    if channel == Channel.TIKTOK:  # 18 digits
        return (576_000_000_000_000_000 + np.cumsum(rng.integers(10**6, 10**9, m))).astype(str)
    # Our own, as the app numbers a sale (`orders._next_order_number`): DH + local YYMMDD +
    # "-" + the shop's running number of the day, so the next sale continues the day's.
    day = (t + LOCAL_OFFSET) // DAY
    seq = np.arange(m) - np.searchsorted(day, day) + 1
    return np.strings.add(np.strings.add("DH", _local_yymmdd(t)),
                          np.strings.add("-", np.strings.zfill(seq.astype(str), 4)))  # fmt: skip


def _unique_codes(rng: np.random.Generator, prefix: Arr, length: int) -> Arr:
    codes = np.strings.add(prefix, _alnum(rng, len(prefix), length))
    while True:
        _, first = np.unique(codes, return_index=True)
        dup = np.ones(len(codes), dtype=bool)
        dup[first] = False
        if not dup.any():
            return codes
        codes[dup] = np.strings.add(prefix[dup], _alnum(rng, int(dup.sum()), length))


def _tracking_numbers(rng: np.random.Generator, carrier: Arr, status: Arr) -> Arr:
    """Carriers hand out tracking numbers once the parcel is picked up."""
    out = np.full(len(carrier), None, dtype=object)
    shipped = (carrier >= 0) & np.isin(status, (_SHIPPING, _COMPLETED, _RETURN_REFUND,
                                                _RETURNED))  # fmt: skip
    for c, name in enumerate(_CARRIERS):
        idx = np.flatnonzero(shipped & (carrier == c))
        if len(idx):
            prefix, length, alnum = _TRACKING[name]
            body = (_alnum if alnum else _digits)(rng, len(idx), length)
            out[idx] = np.strings.add(prefix, body).tolist()
    return out


# --------------------------------------------------------------------------- aggregates


def _customer_stats(orders: _Orders, people: _People, shops: list[_Shop]) -> _Stats:
    """Customer aggregates straight from the order columns (what SQL would recompute)."""
    n = people.n
    named = orders.customer >= 0
    c = orders.customer[named]
    status = orders.status[named]
    total = orders.total[named]
    done = status == _COMPLETED

    def count(mask: Arr) -> Arr:
        return np.bincount(c, weights=mask, minlength=n).astype(np.int64)

    expenses = np.bincount(c, weights=np.where(done, total, 0), minlength=n).astype(np.int64)
    last = np.zeros(n, dtype=np.int64)
    np.maximum.at(last, c, orders.created[named])
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, c, orders.created[named])
    bits = np.array([1 << _CHANNEL_ORDER.index(s.spec.channel) for s in shops], dtype=np.int64)
    mask = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(mask, c, bits[orders.shop[named]])
    combos = range(1 << len(_CHANNEL_ORDER))
    labels = _objects([",".join(ch.value for k, ch in enumerate(_CHANNEL_ORDER) if m >> k & 1)
                       for m in combos])  # fmt: skip
    return _Stats(
        total_orders=np.bincount(c, minlength=n).astype(np.int64),
        successful=count(done),
        cancelled=count(status == _CANCELLED),
        returned=count((status == _RETURNED) | (status == _RETURN_REFUND)),
        expenses=expenses,
        last_order=last,
        first_order=first,
        channels=labels[mask],
        channel_count=np.array([bin(m).count("1") for m in combos])[mask],
    )


def _points_ledger(rng: np.random.Generator, orders: _Orders, now: int) -> _Points:
    """Points earned on completed orders; some regulars later redeem half."""
    earn = orders.points_earned > 0
    cust = orders.customer[earn]
    at = orders.times[earn, _T_DONE]
    delta = orders.points_earned[earn]
    order = np.flatnonzero(earn)
    who = np.unique(cust)
    size = int(cust.max()) + 1 if len(cust) else 0
    earned = np.bincount(cust, weights=delta, minlength=size)[who].astype(np.int64)
    last = np.zeros(size, dtype=np.int64)
    np.maximum.at(last, cust, at)
    # 20 points: 20,000 đ at a point's default worth (a new shop earns 1 per 100,000 đ).
    redeem = (earned >= 20) & (rng.random(len(who)) < 0.35)
    r_at = np.minimum(last[who][redeem] + rng.integers(DAY, 10 * DAY, int(redeem.sum())),
                      now - 60)  # fmt: skip
    all_c = np.concatenate([cust, who[redeem]])
    all_at = np.concatenate([at, r_at])
    all_d = np.concatenate([delta, -(earned[redeem] // 20 * 10)])
    is_redeem = np.concatenate([np.zeros(len(cust), bool), np.ones(int(redeem.sum()), bool)])
    all_o = np.concatenate([order, np.full(int(redeem.sum()), -1)])
    by_customer = np.lexsort((is_redeem, all_at, all_c))
    cs, d = all_c[by_customer], all_d[by_customer]
    cum = np.cumsum(d)
    first = np.searchsorted(cs, cs, side="left")
    balance = cum - cum[first] + d[first]
    by_time = by_customer[np.argsort(all_at[by_customer], kind="stable")]
    balance_by_time = balance[np.argsort(all_at[by_customer], kind="stable")]
    kinds = np.where(is_redeem, PointsKind.REDEEM.value, PointsKind.EARN.value).astype(object)
    return _Points(
        customer=all_c[by_time].astype(np.int64),
        order=all_o[by_time].astype(np.int64),
        kind=kinds[by_time],
        delta=all_d[by_time].astype(np.int64),
        balance_after=balance_by_time.astype(np.int64),
        at=all_at[by_time].astype(np.int64),
    )


def _status_history(orders: _Orders, now: int) -> _History:
    """Every step for recent orders, only the last change for older ones; by order, step."""
    recent = orders.created >= now - FULL_HISTORY_DAYS * DAY
    parts: list[tuple[Arr, int, int, int, int]] = []
    for (status, counter, late), path in _PATHS.items():
        idx = np.flatnonzero(orders.path_key == status * 4 + counter * 2 + late)
        if not len(idx):
            continue
        full = idx[recent[idx]]
        for step, (before, after, slot) in enumerate(path):
            rows = idx if step == len(path) - 1 else full
            parts.append((rows, step, -1 if before is None else before, after, slot))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return _History(empty, empty, empty, empty)
    order = np.concatenate([p[0] for p in parts])
    steps = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
    froms = np.concatenate([np.full(len(p[0]), p[2]) for p in parts])
    tos = np.concatenate([np.full(len(p[0]), p[3]) for p in parts])
    slots = np.concatenate([np.full(len(p[0]), p[4]) for p in parts])
    sort = np.lexsort((steps, order))
    return _History(order[sort], froms[sort], tos[sort], orders.times[order[sort], slots[sort]])


# --------------------------------------------------------------------------- rows

_ORDER_COLUMNS = (
    "id", "shop_id", "external_id", "source", "status", "payment_method", "customer_id",
    "buyer_name", "buyer_phone", "ship_name", "ship_phone", "ship_address", "ship_ward",
    "ship_province", "province_code", "carrier", "tracking_number", "item_count", "subtotal",
    "marketplace_discount", "voucher_discount", "seller_discount", "shop_promotion",
    "shipping_fee", "commission", "total", "paid_amount", "voucher_id", "points_earned",
    "points_rate", "buyer_note", "cancel_reason", "search_text", "created_by_id", "created_at",
    "updated_at", "completed_at", "external_updated_at",
)  # fmt: skip
_CONSTANTS: dict[str, dict[str, Any]] = {
    "orders": {"points_discount": 0, "points_used": 0, "flagged": False, "outbox_pending": False},
}
_LINE_COLUMNS = (
    "id", "order_id", "variant_id", "sku", "product_name", "variant_name", "quantity",
    "unit_price", "discount", "subtotal", "returned_quantity", "unit_cost",
)  # fmt: skip
_HISTORY_COLUMNS = (
    "id", "order_id", "from_status", "to_status", "user_id", "source", "changed_at",
)  # fmt: skip
_ORDER_TABLES = {
    "orders": _ORDER_COLUMNS,
    "order_lines": _LINE_COLUMNS,
    "order_status_changes": _HISTORY_COLUMNS,
}
_STATUS_OR_NONE = _objects([*(s.value for s in STATUSES), None])  # index -1 = None
_NOTES_ARR = _objects([*words.BUYER_NOTES, None])  # index -1 = no note
_REASONS_ARR = _objects(words.CANCEL_REASONS)


class _OrderRows:
    """Builds the executemany tuples of one batch of orders, lines and status changes."""

    def __init__(
        self, conn: sa.Connection, orders: _Orders, people: _People, shops: list[_Shop],
        voucher_ids: list[int], user_id: int | None,
    ) -> None:  # fmt: skip
        self.conn = conn
        self.o = orders
        self.p = people
        # Index 0 = no voucher, k = the k-th demo voucher.
        self.voucher_ids = _objects([None, *voucher_ids])
        self.user_id = user_id
        self.shop_ids = np.array([s.id for s in shops], dtype=np.int64)
        self.market = np.array([s.is_marketplace for s in shops], dtype=bool)
        self.earn_per = earn_per_from(conn)  # the rate the points were planned at

    def orders(self, a: int, b: int) -> list[Row]:
        batch = slice(a, b)
        columns = {
            **self._order_identity(batch),
            **self._buyer(batch),
            **self._money(batch),
            **self._order_times(batch),
        }
        if columns.keys() != set(_ORDER_COLUMNS):
            raise RuntimeError(f"order columns differ: {set(_ORDER_COLUMNS) ^ columns.keys()}")
        return list(zip(*(columns[c] for c in _ORDER_COLUMNS), strict=True))

    def _order_identity(self, batch: slice) -> dict[str, Iterable[Any]]:
        o = self.o
        status = o.status[batch]
        market = self.market[o.shop[batch]]
        return {
            "id": range(o.first_id + batch.start, o.first_id + batch.stop),
            "shop_id": self.shop_ids[o.shop[batch]].tolist(),
            "external_id": o.external_id[batch].tolist(),
            "source": _SOURCES_ARR[o.source[batch]].tolist(),
            "status": _STATUS_ARR[status].tolist(),
            "payment_method": _PAYMENTS_ARR[o.payment[batch]].tolist(),
            "carrier": _CARRIERS_ARR[o.carrier[batch]].tolist(),
            "tracking_number": o.tracking[batch].tolist(),
            "buyer_note": _NOTES_ARR[o.note[batch]].tolist(),
            "cancel_reason": _or_none(status == _CANCELLED, _REASONS_ARR[o.cancel_reason[batch]]),
            "created_by_id": _or_none(~market, self.user_id),
        }

    def _buyer(self, batch: slice) -> dict[str, Iterable[Any]]:
        """Buyer and ship-to snapshot, and the search text (number, name, phones)."""
        o, p = self.o, self.p
        cust = o.customer[batch]
        named = cust >= 0
        ci = np.where(named, cust, 0)
        masked = o.masked[batch]
        # A walk-in has no name (NULL, as a real counter sale): receipts and lists say
        # "Walk-in customer" in the user's language.
        name = np.where(named, p.name[ci], _NONE)
        phone = np.where(named, p.phone[ci], _NONE)
        if masked.any():  # Shopee hides most buyers' numbers: 84*****89
            phone[masked] = [f"84*****{x[-2:]}" for x in phone[masked].tolist()]
        shipped = o.address[batch] >= 0
        ai = np.maximum(o.address[batch], 0)
        folded = np.where(named, p.folded[ci], "").tolist()
        phones = np.where(named & ~masked, p.phone_search[ci], "").tolist()
        external = o.external_id[batch].tolist()
        return {
            "customer_id": _or_none(named, cust + p.first_id),
            "buyer_name": name.tolist(),
            "buyer_phone": phone.tolist(),
            "ship_name": _or_none(shipped, name),
            "ship_phone": _or_none(shipped, phone),
            "ship_address": _or_none(shipped, p.street[ai]),
            "ship_ward": _or_none(shipped, p.ward[ai]),
            "ship_province": _or_none(shipped, p.province[ai]),
            "province_code": _or_none(shipped, p.province_code[ai]),
            "search_text": [
                f"{e.lower()} {f}{ph}" if f else e.lower()
                for e, f, ph in zip(external, folded, phones, strict=True)
            ],
        }

    def _money(self, batch: slice) -> dict[str, Iterable[Any]]:
        o, m = self.o, self.o.money
        return {
            "item_count": m.item_count[batch].tolist(),
            "subtotal": m.subtotal[batch].tolist(),
            "marketplace_discount": m.marketplace_discount[batch].tolist(),
            "voucher_discount": m.voucher_discount[batch].tolist(),
            "seller_discount": m.seller_discount[batch].tolist(),
            "shop_promotion": m.shop_promotion[batch].tolist(),
            "shipping_fee": m.shipping_fee[batch].tolist(),
            "commission": m.commission[batch].tolist(),
            "total": o.total[batch].tolist(),
            "paid_amount": o.paid[batch].tolist(),
            "voucher_id": self.voucher_ids[m.voucher[batch]].tolist(),
            "points_earned": o.points_earned[batch].tolist(),
            "points_rate": [self.earn_per if p else None for p in o.points_earned[batch].tolist()],
        }

    def _order_times(self, batch: slice) -> dict[str, Iterable[Any]]:
        o = self.o
        final = o.times[batch][np.arange(batch.stop - batch.start), o.final_slot[batch]]
        updated = _timestamps(self.conn, final)
        market = self.market[o.shop[batch]].tolist()
        return {
            "created_at": _timestamps(self.conn, o.created[batch]),
            "updated_at": updated,
            "completed_at": _timestamps(
                self.conn, o.times[batch, _T_DONE], o.status[batch] == _COMPLETED
            ),
            "external_updated_at": [u if m else None for u, m in zip(updated, market, strict=True)],
        }

    def lines(self, lines: _Lines, catalog: _Catalog, a: int, b: int, first: int) -> list[Row]:
        v, oi, qty = lines.variant[a:b], lines.order[a:b], lines.quantity[a:b]
        returned = np.where(self.o.status[oi] == _RETURNED, qty, 0)
        return list(zip(
            range(first, first + b - a), (oi + self.o.first_id).tolist(),
            catalog.variant_ids[v].tolist(), catalog.sku[v].tolist(),
            catalog.product_name[v].tolist(), catalog.variant_name[v].tolist(), qty.tolist(),
            lines.unit_price[a:b].tolist(), lines.discount[a:b].tolist(),
            lines.subtotal[a:b].tolist(), returned.tolist(), catalog.cost[v].tolist(),
            strict=True,
        ))  # fmt: skip

    def history(self, h: _History, a: int, b: int, first: int) -> list[Row]:
        oi = h.order[a:b]
        market = self.market[self.o.shop[oi]]
        return list(zip(
            range(first, first + b - a), (oi + self.o.first_id).tolist(),
            _STATUS_OR_NONE[h.from_status[a:b]].tolist(), _STATUS_ARR[h.to_status[a:b]].tolist(),
            _or_none(~market, self.user_id),
            np.where(market, "sync", "user").tolist(), _timestamps(self.conn, h.at[a:b]),
            strict=True,
        ))  # fmt: skip
