"""A sale, an order edit and an exchange refuse figures past the sale's caps — a line's
quantity or price, the order's items or goods, the shipping fee — naming the line and the
cap, before anything is written; the largest figures allowed save. On a real migrated
store: on PostgreSQL an INTEGER count is 32-bit, and 10**14 items with "sell below zero"
reached the database as a raw DataError before these checks."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.customer import Customer
from primedist.domain.enums import OrderSource, PaymentMethod, StockMoveKind
from primedist.domain.goods_receipt import MAX_RECEIPT_QUANTITY
from primedist.domain.order import Order, OrderLine, OrderRefund
from primedist.domain.product import StockMovement, Variant
from primedist.errors import ValidationError
from primedist.services import order_edit as edit
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.exchange import ExchangeDraft, exchange_order, quote_exchange
from primedist.services.order_import import MAX_AMOUNT as IMPORT_MAX_AMOUNT
from primedist.services.orders import MAX_AMOUNT, MAX_QUANTITY, DraftLine, OrderDraft
from tests.factories import make_customers, make_product
from tests.services.test_order_edit import lines, phone_order

#: Past a BIGINT (2**63 − 1): never reaches the database.
HUGE = 10**19


@pytest.fixture
def variants(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    """AO-S (99,000 đ, 10 in stock) and AO-M (120,000 đ, 3 in stock)."""
    return make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)])


@pytest.fixture
def customer_id(engine: Engine, owner_ctx: ServiceContext) -> int:
    return make_customers(engine, 1, names=["Nguyễn Thị Hoa"])[0]


def written(engine: Engine) -> dict[str, Any]:
    """Everything a sale, an edit or an exchange writes: rows, stock, points, audit."""
    tables: list[Any] = [Order, OrderLine, StockMovement, OrderRefund, AuditEvent]
    with engine.connect() as conn:
        state: dict[str, Any] = {
            t.__tablename__: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in tables
        }
        state["stock"] = conn.execute(
            sa.select(Variant.id, Variant.stock, Variant.reserved).order_by(Variant.id)
        ).all()
        state["orders"] = conn.execute(
            sa.select(Order.id, Order.item_count, Order.total, Order.refunded_amount)
            .order_by(Order.id)
        ).all()  # fmt: skip
        state["lines"] = conn.execute(
            sa.select(OrderLine.id, OrderLine.quantity, OrderLine.unit_price,
                      OrderLine.returned_quantity).order_by(OrderLine.id)
        ).all()  # fmt: skip
        state["points"] = conn.execute(sa.select(Customer.points_balance)).scalars().all()
    return state


def refused(engine: Engine, fn: Any) -> ValidationError:
    """`fn()` raises ValidationError and writes nothing."""
    before = written(engine)
    with pytest.raises(ValidationError) as caught:
        fn()
    assert written(engine) == before
    return caught.value


def test_the_caps_are_the_stock_moves_and_the_order_imports() -> None:
    assert (MAX_QUANTITY, MAX_AMOUNT) == (1_000_000, 1_000_000_000_000)
    assert MAX_QUANTITY == MAX_RECEIPT_QUANTITY and MAX_AMOUNT == IMPORT_MAX_AMOUNT


@pytest.mark.parametrize("quantity", [MAX_QUANTITY + 1, 10**14, HUGE])
@pytest.mark.parametrize("source", [OrderSource.COUNTER, OrderSource.PHONE])
def test_a_sale_of_too_many_items_is_refused_naming_the_line(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int,
    quantity: int, source: OrderSource,
) -> None:  # fmt: skip
    draft = OrderDraft(lines=(DraftLine(variants[0], 1), DraftLine(variants[1], quantity)),
                       customer_id=customer_id, source=source)  # fmt: skip
    exc = refused(engine, lambda: svc.create_order(owner_ctx, draft, allow_negative_stock=True))
    assert exc.user_message == "Line 2 (AO-M): the quantity cannot be more than 1,000,000."
    assert exc.field == "quantity"
    assert written(engine)["orders"] == [] and written(engine)["stock_movements"] == 0
    # The sale screen's live quote says the same and writes nothing either.
    assert svc.quote_order(owner_ctx, draft).problems == (exc.user_message,)
    assert written(engine)["orders"] == []


def test_the_largest_quantity_still_sells_below_zero(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    draft = OrderDraft(lines=(DraftLine(variants[0], MAX_QUANTITY, unit_price=1),),
                       customer_id=customer_id)  # fmt: skip
    created = svc.create_order(owner_ctx, draft, allow_negative_stock=True)
    state = written(engine)
    assert state["orders"] == [(created.id, MAX_QUANTITY, MAX_QUANTITY, 0)]
    assert state["stock"][0][1:] == (10 - MAX_QUANTITY, 0)
    with engine.connect() as conn:
        moved = conn.execute(sa.select(StockMovement.kind, StockMovement.quantity,
                                       StockMovement.stock_after)).all()  # fmt: skip
    assert moved == [(StockMoveKind.SALE, -MAX_QUANTITY, 10 - MAX_QUANTITY)]


def test_the_largest_price_and_shipping_fee_still_save(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    """A trillion đồng of goods and of shipping, to a customer who earns points on it."""
    draft = OrderDraft(lines=(DraftLine(variants[1], 1, unit_price=MAX_AMOUNT),),
                       customer_id=customer_id, shipping_fee=MAX_AMOUNT)  # fmt: skip
    created = svc.create_order(owner_ctx, draft)
    assert created.total == 2 * MAX_AMOUNT
    order = written(engine)["orders"][0]
    assert order == (created.id, 1, 2 * MAX_AMOUNT, 0)
    assert written(engine)["points"] == [2 * MAX_AMOUNT // 10_000]  # earned at the default rate


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"lines": (DraftLine(0, 1, unit_price=MAX_AMOUNT + 1),)}, "unit_price",
         "Line 1 (AO-S): the price cannot be more than 1,000,000,000,000."),
        ({"lines": (DraftLine(0, 2, unit_price=HUGE),)}, "unit_price",
         "Line 1 (AO-S): the price cannot be more than 1,000,000,000,000."),
        ({"lines": (DraftLine(0, 2, discount=HUGE),)}, "discount",
         "Line 1 (AO-S): the discount must be between 0 and 198,000."),
        ({"order_discount": HUGE}, "order_discount",
         "The order discount must be between 0 and 99,000."),
        ({"shipping_fee": MAX_AMOUNT + 1}, "shipping_fee",
         "The shipping fee cannot be more than 1,000,000,000,000."),
        ({"shipping_fee": HUGE}, "shipping_fee",
         "The shipping fee cannot be more than 1,000,000,000,000."),
        ({"lines": (DraftLine(0, 2, unit_price=MAX_AMOUNT),)}, "lines",
         "An order's goods come to at most 1,000,000,000,000 (2,000,000,000,000 given): "
         "split it."),
        ({"lines": (DraftLine(0, MAX_QUANTITY, unit_price=0), DraftLine(1, 1, unit_price=0))},
         "quantity", "An order takes at most 1,000,000 items (1,000,001 given): split it."),
    ],
)  # fmt: skip
def test_money_and_sums_past_the_caps_are_refused(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], change: dict[str, Any],
    field: str, message: str,
) -> None:  # fmt: skip
    change = dict(change)
    line_list = change.pop("lines", (DraftLine(0, 1),))
    draft = OrderDraft(lines=tuple(DraftLine(variants[dl.variant_id], dl.quantity,
                                             dl.unit_price, dl.discount) for dl in line_list),
                       source=OrderSource.PHONE, **change)  # fmt: skip
    exc = refused(engine, lambda: svc.create_order(owner_ctx, draft, allow_negative_stock=True))
    assert (exc.field, exc.user_message) == (field, message)
    assert svc.quote_order(owner_ctx, draft).problems[0] == message  # first, as the sale stops


def test_a_stored_price_past_the_cap_is_refused_too(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    """The customer's price (none typed) is checked as a typed one."""
    (dear,) = make_product(engine, "Kim cương", [("KC-1", 10**15, 5)])
    draft = OrderDraft(lines=(DraftLine(dear, 1),))
    exc = refused(engine, lambda: svc.create_order(owner_ctx, draft))
    assert exc.user_message == "Line 1 (KC-1): the price cannot be more than 1,000,000,000,000."


# --------------------------------------------------------------------------- order edit


def test_an_edit_to_too_many_items_is_refused_and_the_order_stays(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = phone_order(owner_ctx, variants)  # 2 × AO-S + 1 × AO-M, reserved
    draft = edit.order_draft(owner_ctx, order_id)
    for quantity in (MAX_QUANTITY + 1, 10**14):
        bigger = replace(draft, lines=(DraftLine(variants[0], quantity),))
        exc = refused(engine, lambda bigger=bigger: edit.update_order(
            owner_ctx, order_id, bigger, allow_negative_stock=True))  # fmt: skip
        assert exc.user_message == "Line 1 (AO-S): the quantity cannot be more than 1,000,000."
        assert edit.quote_edit(owner_ctx, order_id, bigger).problems == (exc.user_message,)
    dear = replace(draft, shipping_fee=HUGE)
    exc = refused(engine, lambda: edit.update_order(owner_ctx, order_id, dear))
    assert exc.field == "shipping_fee"
    assert lines(engine, order_id) == [("AO-S", 2, 99_000), ("AO-M", 1, 120_000)]
    assert written(engine)["stock"][0][1:] == (10, 2)


def test_an_edit_to_the_largest_quantity_saves(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = phone_order(owner_ctx, variants)
    draft = edit.order_draft(owner_ctx, order_id)
    most = replace(draft, lines=(DraftLine(variants[0], MAX_QUANTITY),))
    edit.update_order(owner_ctx, order_id, most, allow_negative_stock=True)
    assert lines(engine, order_id) == [("AO-S", MAX_QUANTITY, 99_000)]
    state = written(engine)
    assert state["orders"] == [(order_id, MAX_QUANTITY, MAX_QUANTITY * 99_000, 0)]
    assert [s[1:] for s in state["stock"]] == [(10, MAX_QUANTITY), (3, 0)]  # reserved


# --------------------------------------------------------------------------- exchange


def bought(ctx: ServiceContext, variants: list[int]) -> tuple[int, int]:
    """A counter sale of one AO-S; (its order id, its line id)."""
    created = svc.create_order(ctx, OrderDraft(lines=(DraftLine(variants[0], 1),)))
    return created.id, svc.order_detail(ctx, created.id).lines[0].id or 0


def test_an_exchange_for_too_many_items_returns_nothing(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    old, line = bought(owner_ctx, variants)
    for quantity in (MAX_QUANTITY + 1, 10**14):
        sale = OrderDraft(lines=(DraftLine(variants[1], quantity),))
        draft = ExchangeDraft(old, {line: 1}, "Đổi size", sale)
        exc = refused(engine, lambda draft=draft: exchange_order(
            owner_ctx, draft, allow_negative_stock=True))  # fmt: skip
        assert exc.user_message == "Line 1 (AO-M): the quantity cannot be more than 1,000,000."
        assert quote_exchange(owner_ctx, draft).problems == (exc.user_message,)
    # The old sale kept its item: nothing came back, nothing was refunded.
    assert written(engine)["lines"][0][3] == 0 and written(engine)["order_refunds"] == 0


def test_an_exchange_for_the_largest_quantity_saves(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    old, line = bought(owner_ctx, variants)
    sale = OrderDraft(lines=(DraftLine(variants[1], MAX_QUANTITY),),
                      payment_method=PaymentMethod.BANK_TRANSFER)  # fmt: skip
    done = exchange_order(owner_ctx, ExchangeDraft(old, {line: 1}, "Đổi size", sale),
                          allow_negative_stock=True)  # fmt: skip
    assert (done.credit, done.to_pay) == (99_000, MAX_QUANTITY * 120_000 - 99_000)
    state = written(engine)
    assert state["orders"][1] == (done.created.id, MAX_QUANTITY, MAX_QUANTITY * 120_000, 0)
    assert [s[1:] for s in state["stock"]] == [(10, 0), (3 - MAX_QUANTITY, 0)]
