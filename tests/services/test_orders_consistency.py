"""Random sequences of sales, edits, confirmations, shipments, cancellations, returns and
exchanges keep stock and customer statistics consistent with the orders (a stateful
hypothesis test)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    precondition,
    rule,
)

from primedist.domain.customer import Customer
from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod, StockState
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import StockMovement, Variant
from primedist.errors import Conflict
from primedist.services import order_edit
from primedist.services import orders as svc
from primedist.services.customer_stats import CustomerStats
from primedist.services.exchange import ExchangeDraft, exchange_order
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_customers, make_product
from tests.support import StoreMachine, run_machine

INITIAL = (6, 4, 9)

pytestmark = pytest.mark.skipif(
    "PRIMEDIST_TEST_DATABASE_URL" in __import__("os").environ,
    reason="uses its own SQLite copies of the template database",
)


class OrderMachine(StoreMachine):
    """The model: which orders exist. Everything else is checked against the database."""

    @initialize()
    def setup(self) -> None:
        self.open_store()
        self.variants = make_product(
            self.engine, "Bút", [("B1", 10_000, INITIAL[0]), ("B2", 20_000, INITIAL[1]),
                                 ("B3", 5_000, INITIAL[2])],
        )  # fmt: skip
        self.customers = make_customers(self.engine, 2)

    # ------------------------------------------------------------------ rules
    @rule(
        source=st.sampled_from([OrderSource.COUNTER, OrderSource.PHONE, OrderSource.CHAT]),
        pending=st.booleans(),
        customer=st.sampled_from([None, 0, 1]),
        qty=st.lists(st.integers(0, 3), min_size=3, max_size=3).filter(any),
    )
    def sell(self, source: OrderSource, pending: bool, customer: int | None,
             qty: list[int]) -> None:  # fmt: skip
        lines = tuple(DraftLine(v, q) for v, q in zip(self.variants, qty, strict=True) if q)
        status = OrderStatus.PENDING if pending and source != OrderSource.COUNTER else None
        draft = OrderDraft(
            lines=lines, source=source, status=status,
            customer_id=None if customer is None else self.customers[customer],
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
        order_id = self.orders[pick % len(self.orders)]
        try:
            svc.change_status(self.ctx, order_id, to, reason="lý do")
        except Conflict:
            pass  # not allowed from its status: nothing may have changed (invariants check)

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 10**6), customer=st.sampled_from([None, 0, 1]),
          qty=st.lists(st.integers(0, 3), min_size=3, max_size=3).filter(any))  # fmt: skip
    def edit(self, pick: int, customer: int | None, qty: list[int]) -> None:
        """New items (and maybe another customer) for an order, when it may be edited."""
        order_id = self.orders[pick % len(self.orders)]
        lines = tuple(DraftLine(v, q) for v, q in zip(self.variants, qty, strict=True) if q)
        try:
            draft = replace(
                order_edit.order_draft(self.ctx, order_id),
                lines=lines,
                customer_id=None if customer is None else self.customers[customer],
            )
            order_edit.update_order(self.ctx, order_id, draft, allow_negative_stock=True)
        except Conflict:
            pass  # a counter sale, or an order that left: nothing may have changed

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

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 10**6), share=st.floats(0, 1),
          qty=st.lists(st.integers(0, 3), min_size=3, max_size=3).filter(any))  # fmt: skip
    def exchange(self, pick: int, share: float, qty: list[int]) -> None:
        """Some items of an own completed order back, others sold instead (one step)."""
        order_id = self.orders[pick % len(self.orders)]
        detail = svc.order_detail(self.ctx, order_id)
        back = {line.id or 0: int((line.quantity - line.returned_quantity) * share)
                for line in detail.lines}  # fmt: skip
        if detail.order.status not in svc.RETURNABLE or not any(back.values()):
            return
        lines = tuple(DraftLine(v, q) for v, q in zip(self.variants, qty, strict=True) if q)
        draft = ExchangeDraft(order_id, back, "đổi hàng", OrderDraft(lines=lines))
        self.orders.append(exchange_order(self.ctx, draft, allow_negative_stock=True).created.id)

    # ------------------------------------------------------------------ invariants
    def _rows(self, stmt: sa.Select) -> list[sa.Row]:  # type: ignore[type-arg]
        with self.engine.connect() as conn:
            return list(conn.execute(stmt))

    @invariant()
    def stock_matches_the_orders(self) -> None:
        if not hasattr(self, "engine"):
            return
        reserved: Counter[int] = Counter()
        gone: Counter[int] = Counter()
        back: Counter[int] = Counter()
        # Expected from the statuses alone (not from what the code recorded).
        rows = self._rows(
            sa.select(Order.status, Order.stock_state, OrderLine.variant_id, OrderLine.quantity,
                      OrderLine.returned_quantity).join(OrderLine, OrderLine.order_id == Order.id)
        )  # fmt: skip
        for status, state, variant, qty, returned in rows:
            if status in svc.OPEN_STATUSES:
                reserved[variant] += qty
                assert state == StockState.RESERVED
            elif status == OrderStatus.CANCELLED:
                assert state == StockState.RELEASED
            else:  # shipping, completed, return/refund, returned: the goods left
                gone[variant] += qty
                assert state == StockState.CONSUMED
            back[variant] += returned
        for (vid, stock, res), initial in zip(
            self._rows(sa.select(Variant.id, Variant.stock, Variant.reserved).order_by(Variant.id)),
            INITIAL, strict=True,
        ):  # fmt: skip
            assert res == reserved[vid], (vid, res, reserved[vid])
            assert stock == initial - gone[vid] + back[vid], (vid, stock)
            ledger = self._rows(
                sa.select(sa.func.coalesce(sa.func.sum(StockMovement.quantity), 0),
                          sa.func.coalesce(sa.func.sum(StockMovement.reserved_change), 0))
                .where(StockMovement.variant_id == vid)
            )[0]  # fmt: skip
            assert (initial + ledger[0], ledger[1]) == (stock, res)

    @invariant()
    def customer_statistics_match_the_orders(self) -> None:
        if not hasattr(self, "engine"):
            return
        expected = {cid: CustomerStats() for cid in self.customers}
        for cid, status, total, refunded, created in self._rows(
            sa.select(Order.customer_id, Order.status, Order.total, Order.refunded_amount,
                      Order.created_at).where(Order.customer_id.is_not(None))  # type: ignore[union-attr]
        ):  # fmt: skip
            st_ = expected[cid]
            st_.total_orders += 1
            st_.channels.add("offline")
            st_.successful_orders += status == OrderStatus.COMPLETED
            st_.cancelled_orders += status == OrderStatus.CANCELLED
            st_.returned_orders += status in (OrderStatus.RETURN_REFUND, OrderStatus.RETURNED)
            st_.total_expenses += (total - refunded) if status == OrderStatus.COMPLETED else 0
            if st_.last_order_at is None or created > st_.last_order_at:
                st_.last_order_at = created
        for row in self._rows(
            sa.select(Customer.id, Customer.total_orders, Customer.successful_orders,
                      Customer.cancelled_orders, Customer.returned_orders,
                      Customer.total_expenses, Customer.channels)
            .where(Customer.id.in_(self.customers))  # type: ignore[attr-defined]
        ):  # fmt: skip
            want = expected[row[0]].as_row()
            got = dict(zip(("total_orders", "successful_orders", "cancelled_orders",
                            "returned_orders", "total_expenses", "channels"), row[1:],
                           strict=True))  # fmt: skip
            assert got == {k: want[k] for k in got}, (row[0], got, want)

    @invariant()
    def money_adds_up_and_refunds_are_bounded(self) -> None:
        if not hasattr(self, "engine"):
            return
        for total, refunded in self._rows(sa.select(Order.total, Order.refunded_amount)):
            assert 0 <= refunded <= total


def test_random_order_histories_stay_consistent(template_db: Path, tmp_path: Path) -> None:
    run_machine(OrderMachine, template_db, tmp_path, examples=25, steps=20)
