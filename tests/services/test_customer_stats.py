"""Customer statistics: kept incrementally on every order change, and `rebuild_all_stats`
gives exactly the same (a stateful hypothesis test over random order histories)."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Channel, OrderSource, OrderStatus, PaymentMethod
from primedist.errors import Cancelled, Conflict
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.customer_stats import rebuild_all_stats
from primedist.services.customers import merge_customers
from primedist.services.order_import import import_orders
from primedist.services.orders import DraftLine, OrderDraft
from tests.conftest import FIXED_NOW
from tests.factories import make_customers, make_orders, make_product, make_shop
from tests.support import CancelAt, StoreMachine, run_machine

customers_t = table_of(Customer)
STATS = ("total_orders", "successful_orders", "cancelled_orders", "returned_orders",
         "total_expenses", "last_order_at", "first_order_at", "channels")  # fmt: skip

#: The stateful tests copy the SQLite template per example (PostgreSQL has no file to copy);
#: the others run on either database.
sqlite_copies = pytest.mark.skipif(
    "PRIMEDIST_TEST_DATABASE_URL" in __import__("os").environ,
    reason="uses its own SQLite copies of the template database",
)


def _stats(engine: Engine) -> dict[int, tuple[Any, ...]]:
    with engine.connect() as conn:
        cols = [customers_t.c.id, *(customers_t.c[k] for k in STATS)]
        return {r[0]: tuple(r[1:]) for r in conn.execute(sa.select(*cols))}


class StatsMachine(StoreMachine):
    """Orders made, moved along, returned and customers merged through the services; the
    incremental statistics must always be what a full rebuild computes."""

    DB_PREFIX = "stats"

    @initialize()
    def setup(self) -> None:
        self.open_store()
        clock = self.ctx.clock
        assert isinstance(clock, FixedClock)
        self.clock = clock
        self.variants = make_product(self.engine, "Áo", [("A1", 120_000, 50),
                                                          ("A2", 80_000, 50)])  # fmt: skip
        self.shops = [None, make_shop(self.engine, "Shopee A", Channel.SHOPEE),
                      make_shop(self.engine, "Lazada B", Channel.LAZADA)]  # fmt: skip
        self.customers = make_customers(self.engine, 3)

    @rule(
        customer=st.integers(0, 10),
        shop=st.integers(0, 2),
        status=st.sampled_from([None, OrderStatus.PENDING, OrderStatus.COMPLETED]),
        qty=st.integers(1, 3),
        hours=st.integers(-72, 72),
    )
    def create(self, customer: int, shop: int, status: OrderStatus | None, qty: int,
               hours: int) -> None:  # fmt: skip
        self.clock.advance(timedelta(hours=hours))  # orders out of date order too
        source = OrderSource.COUNTER if self.shops[shop] is None else OrderSource.PHONE
        draft = OrderDraft(
            lines=(DraftLine(self.variants[qty % 2], qty),), source=source, status=status,
            customer_id=self.customers[customer % len(self.customers)], shop_id=self.shops[shop],
            payment_method=PaymentMethod.CASH if source == OrderSource.COUNTER
            else PaymentMethod.COD,
        )  # fmt: skip
        self.orders.append(svc.create_order(self.ctx, draft, allow_negative_stock=True).id)

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 10**6),
          to=st.sampled_from([OrderStatus.CONFIRMED, OrderStatus.SHIPPING, OrderStatus.COMPLETED,
                              OrderStatus.CANCELLED, OrderStatus.RETURN_REFUND,
                              OrderStatus.RETURNED]))  # fmt: skip
    def change(self, pick: int, to: OrderStatus) -> None:
        try:
            svc.change_status(self.ctx, self.orders[pick % len(self.orders)], to, reason="lý do")
        except Conflict:
            pass

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 10**6), share=st.floats(0, 1))
    def give_back(self, pick: int, share: float) -> None:
        order_id = self.orders[pick % len(self.orders)]
        detail = svc.order_detail(self.ctx, order_id)
        if detail.order.status not in svc.RETURNABLE:
            return
        qty = {line.id or 0: int((line.quantity - line.returned_quantity) * share)
               for line in detail.lines}  # fmt: skip
        if any(qty.values()):
            svc.return_order(self.ctx, order_id, qty, reason="trả hàng")

    @precondition(lambda self: len(self.customers) > 1)
    @rule(a=st.integers(0, 10), b=st.integers(0, 10))
    def merge(self, a: int, b: int) -> None:
        keep, gone = (
            self.customers[a % len(self.customers)],
            self.customers[b % len(self.customers)],
        )
        if keep != gone:
            merge_customers(self.ctx, keep, [gone])
            self.customers.remove(gone)

    @invariant()
    def incremental_equals_rebuild(self) -> None:
        if not hasattr(self, "engine"):
            return
        before = _stats(self.engine)
        report = rebuild_all_stats(self.ctx)
        assert _stats(self.engine) == before
        assert report.changed == 0
        assert report.customers == len(before)


@sqlite_copies
def test_incremental_statistics_equal_the_rebuild(template_db: Path, tmp_path: Path) -> None:
    run_machine(StatsMachine, template_db, tmp_path, examples=20, steps=15)


# --------------------------------------------------------------------------- rebuild


def _history(engine: Engine) -> tuple[list[int], list[int]]:
    """Two shops, four customers (one without orders), orders in both shops."""
    from datetime import UTC, datetime

    sp = make_shop(engine, "Shopee", Channel.SHOPEE)
    tt = make_shop(engine, "TikTok", Channel.TIKTOK)
    ids = make_customers(engine, 4)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    make_orders(engine, tt, 7, start=start, step=timedelta(days=3), customer_ids=ids[:3])
    make_orders(engine, sp, 5, start=start + timedelta(hours=5), step=timedelta(days=2),
                customer_ids=ids[1:3])  # fmt: skip
    return [sp, tt], ids


def test_rebuild_corrects_wrong_statistics(ctx: ServiceContext, engine: Engine) -> None:
    _shops, ids = _history(engine)
    # make_orders writes no statistics: every customer with orders is wrong.
    report = rebuild_all_stats(ctx)
    assert (report.customers, report.changed) == (4, 3)
    got = _stats(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT customer_id, count(*), sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN status = 'completed' THEN total - refunded_amount ELSE 0 END) "
            "FROM orders GROUP BY customer_id"
        )).all()  # fmt: skip
    for cid, n, ok, spent in rows:
        assert got[cid][:2] == (n, ok) and got[cid][4] == spent
    assert got[ids[0]][7] == "tiktok"
    assert got[ids[1]][7] == "shopee,tiktok"  # in Channel order, not first-seen order
    assert got[ids[3]] == (0, 0, 0, 0, 0, None, None, "")
    assert got[ids[1]][6] < got[ids[1]][5]  # first < last
    # Wrong values on a customer without orders are zeroed; right rows are left alone.
    with engine.begin() as conn:
        conn.execute(customers_t.update().where(customers_t.c.id == ids[3])
                     .values(total_orders=2, channels="shopee"))  # fmt: skip
    assert rebuild_all_stats(ctx).changed == 1
    assert _stats(engine) == got
    # Many wrong rows are rewritten without the list indexes, which are built again.
    expected = {ix.name for ix in customers_t.indexes}
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # its reflection skips expression indexes
            names = set(conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers'"
            ).scalars())  # fmt: skip
        else:
            names = {ix["name"] for ix in sa.inspect(conn).get_indexes("customers")}
    assert expected <= names


def test_rebuild_cancel_changes_nothing(ctx: ServiceContext, engine: Engine) -> None:
    _history(engine)
    before = _stats(engine)
    with pytest.raises(Cancelled):
        rebuild_all_stats(ctx, CancelAt(0.5))
    assert _stats(engine) == before
    rebuild_all_stats(ctx)  # the temporary table was dropped: a second run works
    assert _stats(engine) != before


def test_rebuild_on_an_empty_store(ctx: ServiceContext) -> None:
    report = rebuild_all_stats(ctx)
    assert (report.customers, report.changed) == (0, 0)


# --------------------------------------------------------------------------- order import

BUYERS = (  # (name, phone, buyer id): real, masked, phoneless, nameless buyers
    ("Nguyễn Thị Hoa", "0939 921 717", "hoa.nt"),
    ("Trần Văn Bình", "0912345678", ""),
    ("H**uj", "84*****89", "huj.99"),
    ("Lê Thu", "", "thu.le"),
    ("", "0977 000 111", ""),
    ("", "", ""),  # no customer at all
)
SHOPS = (("Shop", "offline"), ("Shopee X", "shopee"), ("Lazada Y", "lazada"),
         ("TikTok Z", "tiktok"))  # fmt: skip
HEADER = ("order_id", "order_date", "shop", "channel", "status", "customer_name",
          "customer_phone", "buyer_id", "shipping_fee", "sku", "quantity",
          "unit_price")  # fmt: skip
order_rows = st.tuples(
    st.integers(0, 11),  # order number: a small pool, so later files change earlier orders
    st.integers(0, len(SHOPS) - 1),
    st.one_of(st.just("completed"), st.sampled_from([s.value for s in OrderStatus])),
    st.integers(0, len(BUYERS) + 2),  # then the store's two customers, then a new buyer
    st.integers(-500, 500),  # hours from now
    st.lists(
        st.tuples(st.sampled_from(["S1", "S2"]), st.integers(1, 3), st.integers(1, 9)),
        min_size=1,
        max_size=2,
    ),  # fmt: skip
)


class ImportStatsMachine(StoreMachine):
    """Order files imported into a store that has customers and orders without a customer
    (which an import links): every customer's statistics, those the import computes for
    its new customers from the file and those it refreshes, must be what a rebuild finds."""

    DB_PREFIX = "import"

    @initialize()
    def setup(self) -> None:
        self.open_store()
        self.shops = {"Shop": None, "Shopee X": make_shop(self.engine, "Shopee X", Channel.SHOPEE),
                      "Lazada Y": make_shop(self.engine, "Lazada Y", Channel.LAZADA)}  # fmt: skip
        ids = make_customers(self.engine, 2)
        with self.engine.connect() as conn:
            self.known = [
                (name, phone, "")
                for name, phone in conn.execute(
                    sa.text(
                        "SELECT c.name, p.phone FROM customers c JOIN customer_phones p"
                        " ON p.customer_id = c.id WHERE c.id IN (:a, :b)"
                    ),
                    {"a": ids[0], "b": ids[1]},
                )  # fmt: skip
            ]
        self.stored: list[tuple[str, str]] = []  # (shop, order number) of stored orders
        self.files = 0

    @rule(n=st.integers(1, 4), refund=st.booleans())
    def store_orders_without_customer(self, n: int, refund: bool) -> None:
        """Orders (e.g. synced) that have no customer yet: an import of the same order
        numbers links them to the customer it resolves or creates."""
        shop_id = self.shops["Shopee X"]
        assert shop_id is not None
        start = FIXED_NOW - timedelta(days=30 + len(self.stored))
        ids = make_orders(self.engine, shop_id, n, start=start, step=timedelta(hours=5),
                          customer_ids=[None])  # fmt: skip
        with self.engine.begin() as conn:
            if refund:  # some refunded money (the file may make them completed)
                conn.execute(sa.text(
                    "UPDATE orders SET refunded_amount = total / 10"
                    f" WHERE id IN ({', '.join(map(str, ids))})"))  # fmt: skip
            numbers = conn.execute(sa.text(
                f"SELECT external_id FROM orders WHERE id IN ({', '.join(map(str, ids))})"
            )).scalars()  # fmt: skip
            self.stored += [("Shopee X", str(x)) for x in numbers]

    @rule(orders=st.lists(st.tuples(order_rows, st.booleans()), min_size=1, max_size=6))
    def import_file(self, orders: list[Any]) -> None:
        self.files += 1
        lines, seen = [], set()
        for (number, shop_i, status, buyer_i, hours, items), take_stored in orders:
            shop, channel = SHOPS[shop_i]
            order_id = f"IM{number:03d}"
            if take_stored and self.stored:  # a stored order without customer, changed
                shop, order_id = self.stored[number % len(self.stored)]
                channel = "shopee"
            if (shop, order_id) in seen:
                continue
            seen.add((shop, order_id))
            fresh = (f"Khách {self.files}-{number}", f"0866{self.files:03d}{number:03d}", "")
            name, phone, buyer = [*BUYERS, *self.known, fresh][buyer_i]
            when = (FIXED_NOW + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")
            for sku, qty, price in items:
                lines.append((order_id, when, shop, channel, status, name, phone,
                              buyer if channel != "offline" else "", 15_000, sku, qty,
                              price * 200_000))  # fmt: skip
        path = self.workdir / f"{self.DB_PREFIX}-orders-{self.files}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([HEADER, *lines])
        import_orders(self.ctx, path)

    @invariant()
    def import_equals_rebuild(self) -> None:
        if not hasattr(self, "engine"):
            return
        before = _stats(self.engine)
        report = rebuild_all_stats(self.ctx)
        assert _stats(self.engine) == before
        assert report.changed == 0


@sqlite_copies
def test_order_import_statistics_equal_the_rebuild(template_db: Path, tmp_path: Path) -> None:
    run_machine(ImportStatsMachine, template_db, tmp_path, examples=20, steps=8)


def test_an_imported_new_customer_gets_statistics_from_the_file(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """A new customer's statistics come from the file: a linked stored order's refund
    counts, a cancelled order counts as such, both channels are listed."""
    from datetime import UTC, datetime

    shopee = make_shop(engine, "Shopee X", Channel.SHOPEE)
    stored = make_orders(engine, shopee, 1, start=FIXED_NOW - timedelta(days=9),
                         step=timedelta(hours=1), customer_ids=[None])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE orders SET refunded_amount = 50000 WHERE id = {stored[0]}"))
        number = conn.execute(sa.text(f"SELECT external_id FROM orders WHERE id = {stored[0]}"))
        stored_number = number.scalar_one()
    rows = [
        (stored_number, "2026-01-05 10:00:00", "Shopee X", "shopee", "completed", "Hoa",
         "0939921717", "hoa", 15_000, "S1", 2, 400_000),
        ("TT1", "2026-02-01 08:00:00", "TikTok Z", "tiktok", "cancelled", "Hoa",
         "0939921717", "", 0, "S2", 1, 90_000),
    ]  # fmt: skip
    path = tmp_path / "orders.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    report = import_orders(owner_ctx, path)
    assert (report.customers_created, report.orders_inserted, report.orders_updated) == (1, 1, 1)
    got = _stats(engine)
    (cid,) = got
    assert got[cid] == (
        2, 1, 1, 0, 815_000 - 50_000,
        datetime(2026, 2, 1, 1, 0, tzinfo=UTC), datetime(2026, 1, 5, 3, 0, tzinfo=UTC),
        "shopee,tiktok",
    )  # fmt: skip
    assert rebuild_all_stats(owner_ctx).changed == 0
