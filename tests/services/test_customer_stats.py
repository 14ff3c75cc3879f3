"""Customer statistics: kept incrementally on every order change, and `rebuild_all_stats`
gives exactly the same (a stateful hypothesis test over random order histories)."""

from __future__ import annotations

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
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_customers, make_orders, make_product, make_shop
from tests.support import CancelAt, StoreMachine, run_machine

customers_t = table_of(Customer)
STATS = ("total_orders", "successful_orders", "cancelled_orders", "returned_orders",
         "total_expenses", "last_order_at", "first_order_at", "channels")  # fmt: skip

pytestmark = pytest.mark.skipif(
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
            "SELECT customer_id, count(*), sum(status = 'completed'), "
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
