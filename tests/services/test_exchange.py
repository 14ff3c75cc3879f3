"""Exchanges (đổi hàng) through the services on a real migrated database: one transaction,
stock both ways, the difference paid or given back, End of day and the till counting only
the money that changed hands, sales on account, every refusal."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from primedist.core.clock import shop_tz, to_local
from primedist.domain.customer import Customer
from primedist.domain.enums import (
    Channel,
    Module,
    OrderSource,
    OrderStatus,
    PaymentMethod,
    Role,
    StockState,
)
from primedist.domain.order import Order, OrderRefund
from primedist.domain.product import Variant
from primedist.errors import Conflict, PermissionDenied, ValidationError
from primedist.services import customer_account as account
from primedist.services import end_of_day as eod
from primedist.services import orders as svc
from primedist.services import till
from primedist.services.context import Actor, ServiceContext
from primedist.services.exchange import ExchangeDraft, exchange_order, quote_exchange
from primedist.services.orders import DraftLine, OrderDraft, StockShortage
from tests.conftest import FIXED_NOW
from tests.factories import make_customers, make_orders, make_product, make_shop


@pytest.fixture
def variants(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    """Áo size S (259,000 đ, 5), size M (299,000 đ, 5), size L (259,000 đ, 0)."""
    return make_product(engine, "Áo sơ mi lụa", [("SM-S", 259_000, 5), ("SM-M", 299_000, 5),
                                                  ("SM-L", 259_000, 0)])  # fmt: skip


@pytest.fixture
def customer_id(engine: Engine, owner_ctx: ServiceContext) -> int:
    return make_customers(engine, 1, names=["Trần Thu Hà"])[0]


def stock(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(Variant.stock).where(Variant.id == variant_id))
                   .scalar_one())  # fmt: skip


def bought(ctx: ServiceContext, variants: list[int], customer_id: int | None,
           method: PaymentMethod = PaymentMethod.CASH) -> tuple[int, int]:
    """A counter sale of one size S shirt; returns (order id, its line id)."""
    created = svc.create_order(ctx, OrderDraft(lines=(DraftLine(variants[0], 1),),
                                               customer_id=customer_id, payment_method=method))
    return created.id, svc.order_detail(ctx, created.id).lines[0].id or 0


def for_size(variant_id: int, order_id: int, line_id: int, **sale: object) -> ExchangeDraft:
    draft = OrderDraft(lines=(DraftLine(variant_id, 1),), **sale)  # type: ignore[arg-type]
    return ExchangeDraft(order_id, {line_id: 1}, "Đổi size", draft)


def test_a_cash_exchange_for_a_dearer_size_takes_only_the_difference(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    old, line = bought(owner_ctx, variants, customer_id)
    draft = for_size(variants[1], old, line, payment_method=PaymentMethod.CASH,
                     cash_received=50_000)  # fmt: skip
    quoted = quote_exchange(owner_ctx, draft)
    assert (quoted.credit, quoted.to_pay, quoted.change_due) == (259_000, 40_000, 10_000)
    assert not quoted.problems

    done = exchange_order(owner_ctx, draft)

    assert (done.credit, done.to_pay, done.change_due) == (259_000, 40_000, 10_000)
    # Stock both ways: S back on the shelf, M off it.
    assert (stock(engine, variants[0]), stock(engine, variants[1])) == (5, 4)
    with Session(engine) as session:
        was = session.get(Order, old)
        new = session.get(Order, done.created.id)
        assert was is not None and new is not None
        assert (was.status, was.refunded_amount) == (OrderStatus.RETURNED, 259_000)
        assert (new.status, new.total, new.customer_id) == (OrderStatus.COMPLETED, 299_000,
                                                             customer_id)  # fmt: skip
        assert new.stock_state == StockState.CONSUMED
        refund = session.exec(select(OrderRefund).where(OrderRefund.order_id == old)).one()
        assert (refund.method, refund.exchange_order_id) == (PaymentMethod.CASH, new.id)
        who = session.get(Customer, customer_id)
        assert who is not None
        assert (who.total_orders, who.successful_orders, who.total_expenses) == (2, 1, 299_000)
    # End of day and the till: the drawer holds the 40,000 that changed hands.
    day = eod.end_of_day(owner_ctx)
    cash = next(p for p in day.payments if p.method == PaymentMethod.CASH)
    assert (cash.total, cash.refunded, cash.net) == (259_000 + 299_000, 259_000, 299_000)
    assert day.cash_in_drawer == 299_000  # the first sale's 259,000 + the difference
    assert (day.refunds, day.exchanges) == (1, 1)
    today = to_local(FIXED_NOW, shop_tz()).date()
    assert till.close_till(owner_ctx, today, opening_float=0, counted=299_000).difference == 0
    # Both orders tell the exchange.
    links = svc.order_detail(owner_ctx, done.created.id).exchanges
    assert [(x.number, x.amount, x.paid_this) for x in links] == [
        (svc.order_detail(owner_ctx, old).order.external_id, 259_000, True)]
    assert svc.order_detail(owner_ctx, done.created.id).exchange_credit == 259_000
    back = svc.order_detail(owner_ctx, old).exchanges
    assert [(x.order_id, x.paid_this) for x in back] == [(done.created.id, False)]
    with engine.connect() as conn:
        actions = conn.execute(sa.text("SELECT action FROM audit_events")).scalars().all()
    assert "order.exchange" in actions


def test_a_cheaper_exchange_gives_the_difference_back_by_the_new_sales_method(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    old, line = bought(owner_ctx, variants, customer_id, PaymentMethod.BANK_TRANSFER)
    draft = ExchangeDraft(old, {line: 1}, "Đổi mẫu", OrderDraft(
        lines=(DraftLine(variants[1], 1, unit_price=200_000),),
        payment_method=PaymentMethod.CASH))  # fmt: skip
    done = exchange_order(owner_ctx, draft)
    assert (done.to_pay, done.change_due) == (-59_000, None)
    day = eod.end_of_day(owner_ctx)
    lines = {p.method: p for p in day.payments}
    bank, cash = lines[PaymentMethod.BANK_TRANSFER], lines[PaymentMethod.CASH]
    assert (bank.total, bank.refunded) == (259_000, 0)  # nothing went back by transfer
    assert (cash.total, cash.refunded) == (200_000, 259_000)
    assert day.cash_in_drawer == -59_000  # 59,000 went out of the drawer to the customer
    with engine.connect() as conn:
        summary = conn.execute(sa.text("SELECT summary FROM audit_events WHERE action = "
                                       "'order.exchange'")).scalar_one()  # fmt: skip
    assert summary.endswith("credit 259,000, given back 59,000")


def test_a_walk_in_exchange_stays_walk_in(
    owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    old, line = bought(owner_ctx, variants, None)
    draft = for_size(variants[1], old, line, customer_id=customer_id)
    done = exchange_order(owner_ctx, draft)
    assert svc.order_detail(owner_ctx, done.created.id).order.customer_id is None


def test_an_exchange_of_a_sale_on_account_comes_off_what_is_owed(
    owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    old, line = bought(owner_ctx, variants, customer_id, PaymentMethod.ON_ACCOUNT)
    assert account.get_balance(owner_ctx, customer_id).owed == 259_000
    on_account = for_size(variants[1], old, line, payment_method=PaymentMethod.ON_ACCOUNT)
    quoted = quote_exchange(owner_ctx, on_account)
    assert (quoted.off_account, quoted.to_pay) == (True, 299_000)
    exchange_order(owner_ctx, on_account)
    # The returned shirt came off the debt; the new one is owed.
    assert account.get_balance(owner_ctx, customer_id).owed == 299_000
    new = next(x for x in svc.order_detail(owner_ctx, old).exchanges)
    assert not new.settled and svc.order_detail(owner_ctx, new.order_id).exchange_credit == 0
    day = eod.end_of_day(owner_ctx)
    assert day.cash_in_drawer == 0 and day.on_account == 259_000 + 299_000


def test_a_paid_sale_cannot_be_exchanged_on_account(
    owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    old, line = bought(owner_ctx, variants, customer_id)
    draft = for_size(variants[1], old, line, payment_method=PaymentMethod.ON_ACCOUNT)
    assert any("not on account" in p for p in quote_exchange(owner_ctx, draft).problems)
    with pytest.raises(ValidationError, match="not on account") as caught:
        exchange_order(owner_ctx, draft)
    assert caught.value.field == "payment_method"


def test_nothing_is_returned_when_the_new_items_are_not_in_stock(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    old, line = bought(owner_ctx, variants, customer_id)
    draft = for_size(variants[2], old, line)  # size L: none on the shelf
    with pytest.raises(StockShortage):
        exchange_order(owner_ctx, draft)
    detail = svc.order_detail(owner_ctx, old)
    assert detail.order.status == OrderStatus.COMPLETED and detail.order.refunded_amount == 0
    assert detail.lines[0].returned_quantity == 0 and stock(engine, variants[0]) == 4
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM orders")).scalar_one() == 1
    done = exchange_order(owner_ctx, draft, allow_negative_stock=True)
    assert stock(engine, variants[2]) == -1 and done.to_pay == 0


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"returned": {}}, "at least one item", "quantity"),
        ({"returned": "two"}, "between 0 and 1", "quantity"),
        ({"reason": "  "}, "why the items come back", "reason"),
        ({"credit": 259_001}, "between 0 and 259", "refund_amount"),
        ({"credit": -1}, "between 0 and 259", "refund_amount"),
        ({"sale": OrderDraft(lines=())}, "at least one product", "lines"),
        ({"cash": 30_000}, "10,000 short", "cash_received"),
    ],
)
def test_each_refusal_names_its_field_and_writes_nothing(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int,
    change: dict[str, object], message: str, field: str,
) -> None:  # fmt: skip
    old, line = bought(owner_ctx, variants, customer_id)
    draft = for_size(variants[1], old, line, cash_received=change.pop("cash", None))
    if change.get("returned") == "two":
        change["returned"] = {line: 2}
    draft = replace(draft, **change)  # type: ignore[arg-type]
    assert any(message.lower() in p.lower() for p in quote_exchange(owner_ctx, draft).problems)
    with pytest.raises(ValidationError) as caught:
        exchange_order(owner_ctx, draft)
    assert message.lower() in caught.value.user_message.lower()
    assert caught.value.field == field
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM order_refunds")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT COUNT(*) FROM orders")).scalar_one() == 1


def test_marketplace_and_open_orders_are_not_exchanged_here(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    shop = make_shop(engine, "Shopee Hà", Channel.SHOPEE)
    (market,) = make_orders(engine, shop, 1, start=FIXED_NOW, step=timedelta(0))
    with engine.begin() as conn:
        conn.execute(sa.update(Order).where(Order.id == market).values(status="completed"))  # type: ignore[arg-type]
    draft = ExchangeDraft(market, {1: 1}, "Đổi", OrderDraft(lines=(DraftLine(variants[1], 1),)))
    with pytest.raises(Conflict, match="marketplace"):
        exchange_order(owner_ctx, draft)
    phone = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(variants[0], 1),),
                                                   source=OrderSource.PHONE))  # fmt: skip
    with pytest.raises(Conflict, match="only completed"):
        quote_exchange(owner_ctx, ExchangeDraft(phone.id, {1: 1}, "Đổi", draft.sale))


def test_an_exchange_needs_orders_access(owner_ctx: ServiceContext, variants: list[int]) -> None:
    old, line = bought(owner_ctx, variants, None)
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF,
                                       frozenset({Module.PRODUCTS})))  # fmt: skip
    with pytest.raises(PermissionDenied):
        quote_exchange(staff, for_size(variants[1], old, line))
    with pytest.raises(PermissionDenied):
        exchange_order(staff, for_size(variants[1], old, line))


def test_a_receipts_number_finds_the_order_to_exchange(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    from primedist.errors import NotFound
    from primedist.services.exchange import exchangeable_order

    old, line = bought(owner_ctx, variants, None)
    number = svc.order_detail(owner_ctx, old).order.external_id
    assert exchangeable_order(owner_ctx, f" {number}\n") == old
    assert exchangeable_order(owner_ctx, number.lower()) == old  # typed in lower case
    with pytest.raises(ValidationError, match="order number"):
        exchangeable_order(owner_ctx, "   ")
    with pytest.raises(NotFound, match="There is no order DH-0"):
        exchangeable_order(owner_ctx, "DH-0")
    # A marketplace order with the same number in another shop: the shop's own one is meant.
    shop = make_shop(engine, "Shopee Hà", Channel.SHOPEE)
    (market,) = make_orders(engine, shop, 1, start=FIXED_NOW, step=timedelta(0))
    with engine.begin() as conn:
        conn.execute(sa.update(Order).where(Order.id == market)  # type: ignore[arg-type]
                     .values(external_id=number, status="completed"))  # fmt: skip
    assert exchangeable_order(owner_ctx, number) == old
    svc.return_order(owner_ctx, old, {line: 1}, reason="Trả hết")
    with pytest.raises(Conflict, match="only completed"):
        exchangeable_order(owner_ctx, number)
