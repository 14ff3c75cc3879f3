"""Order lifecycle, sales and returns through the services on a real migrated database."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.customer import Customer
from primedist.domain.enums import (
    Channel,
    DiscountKind,
    Module,
    OrderSource,
    OrderStatus,
    PaymentMethod,
    Role,
    StockMoveKind,
    StockState,
)
from primedist.domain.loyalty import CustomerLevel, LevelPrice, Voucher
from primedist.domain.order import Order, OrderLine, OrderStatusChange
from primedist.domain.product import SkuGroup, StockMovement, Variant
from primedist.domain.sync import OutboxMessage
from primedist.errors import Conflict, PermissionDenied, ValidationError
from primedist.services import orders as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_customers, make_grouped_pair, make_product, make_shop


@pytest.fixture
def variants(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    """Two variants: AO-S (99,000 đ, 10 in stock) and AO-M (120,000 đ, 3 in stock)."""
    return make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)],
                        barcodes=["8930000000011", "8930000000028"])  # fmt: skip


@pytest.fixture
def customer_id(engine: Engine, owner_ctx: ServiceContext) -> int:
    return make_customers(engine, 1, names=["Nguyễn Thị Hoa"])[0]


def stock(engine: Engine, variant_id: int) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(Variant.stock, Variant.reserved).where(Variant.id == variant_id)
        ).one()
    return int(row[0]), int(row[1])


def load(engine: Engine, model: type, ident: object) -> object:
    from sqlmodel import Session

    with Session(engine) as session:
        return session.get(model, ident)


def order_of(engine: Engine, order_id: int) -> Order:
    obj = load(engine, Order, order_id)
    assert isinstance(obj, Order)
    return obj


def count(engine: Engine, model: type, *where: object) -> int:
    with engine.connect() as conn:
        stmt = sa.select(sa.func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(conn.execute(stmt).scalar_one())


def sale(variants: list[int], **kw: object) -> OrderDraft:
    lines = kw.pop("lines", (DraftLine(variants[0], 2), DraftLine(variants[1], 1)))
    return OrderDraft(lines=lines, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- counter sale


def test_counter_sale_saves_everything_in_one_go(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    draft = sale(variants, customer_id=customer_id, order_discount=18_000, cash_received=500_000)
    created = svc.create_order(owner_ctx, draft)

    assert created.total == 2 * 99_000 + 120_000 - 18_000
    assert created.change_due == 500_000 - created.total
    order = order_of(engine, created.id)
    assert order.status == OrderStatus.COMPLETED
    assert order.source == OrderSource.COUNTER
    assert order.stock_state == StockState.CONSUMED
    assert order.money_adds_up() and order.seller_discount == 18_000
    assert order.item_count == 3 and order.buyer_name == "Nguyễn Thị Hoa"
    assert order.external_id == "DH261120-0001"  # local date of FIXED_NOW (10:00 in HCM)
    assert order.paid_amount == order.total
    # Stock left the shelf at once; nothing reserved.
    assert stock(engine, variants[0]) == (8, 0)
    assert stock(engine, variants[1]) == (2, 0)
    assert count(engine, StockMovement, StockMovement.order_id == created.id,
                 StockMovement.kind == StockMoveKind.SALE) == 2  # fmt: skip
    # History, customer statistics and the audit row came with it.
    assert count(engine, OrderStatusChange, OrderStatusChange.order_id == created.id) == 1
    cust = load(engine, Customer, customer_id)
    assert isinstance(cust, Customer)
    assert (cust.total_orders, cust.successful_orders, cust.total_expenses) == (1, 1, created.total)
    assert cust.channels == "offline"
    with engine.connect() as conn:
        actions = conn.execute(sa.text("SELECT action FROM audit_events")).scalars().all()
    assert "order.create" in actions


def test_daily_order_numbers_count_up(owner_ctx: ServiceContext, variants: list[int]) -> None:
    first = svc.create_order(owner_ctx, sale(variants, lines=(DraftLine(variants[0], 1),)))
    second = svc.create_order(owner_ctx, sale(variants, lines=(DraftLine(variants[0], 1),)))
    assert (first.external_id, second.external_id) == ("DH261120-0001", "DH261120-0002")


def test_walk_in_sale_has_no_customer(engine: Engine, owner_ctx: ServiceContext,
                                      variants: list[int]) -> None:  # fmt: skip
    created = svc.create_order(owner_ctx, sale(variants))
    assert order_of(engine, created.id).customer_id is None


def test_selling_below_zero_needs_explicit_consent(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    draft = sale(variants, lines=(DraftLine(variants[1], 5),))
    with pytest.raises(svc.StockShortage) as err:
        svc.create_order(owner_ctx, draft)
    assert err.value.shortages == (svc.Shortage("AO-M", 3, 5),)
    assert "AO-M" in err.value.user_message
    assert count(engine, Order) == 0 and stock(engine, variants[1]) == (3, 0)

    svc.create_order(owner_ctx, draft, allow_negative_stock=True)
    assert stock(engine, variants[1]) == (-2, 0)


def test_lines_of_one_sku_group_share_its_stock(engine: Engine, owner_ctx: ServiceContext) -> None:
    group_id, a, b = make_grouped_pair(engine)
    draft = OrderDraft(lines=(DraftLine(a, 3), DraftLine(b, 2)))
    with pytest.raises(svc.StockShortage):  # 5 wanted of the group's 4
        svc.create_order(owner_ctx, draft)
    svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(a, 3), DraftLine(b, 1))))
    group = load(engine, SkuGroup, group_id)
    assert isinstance(group, SkuGroup) and group.stock == 0
    assert stock(engine, a) == (0, 0)  # the variants' own counters are not used


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"order_discount": 10**9}, "order discount"),
        ({"lines": ()}, "at least one product"),
        ({"shipping_fee": -1}, "shipping fee"),
        ({"cash_received": 1_000}, "short of the total"),
        ({"voucher_code": "NOPE"}, "NOPE does not exist"),
        ({"points": 5}, "need a customer"),
    ],
)
def test_bad_sales_are_refused_with_the_reason(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], change: dict[str, object],
    message: str,
) -> None:  # fmt: skip
    with pytest.raises(ValidationError, match=message):
        svc.create_order(owner_ctx, sale(variants, **change))
    assert count(engine, Order) == 0
    quote = svc.quote_order(owner_ctx, sale(variants, **change))
    assert any(message in p for p in quote.problems), quote.problems


def test_bad_line_quantity_and_discount(owner_ctx: ServiceContext, variants: list[int]) -> None:
    with pytest.raises(ValidationError, match="at least 1"):
        svc.create_order(owner_ctx, sale(variants, lines=(DraftLine(variants[0], 0),)))
    with pytest.raises(ValidationError, match="discount must be between 0 and 99,000"):
        too_much = DraftLine(variants[0], 1, None, 99_001)
        svc.create_order(owner_ctx, sale(variants, lines=(too_much,)))


def test_level_price_voucher_and_points_make_the_total(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    with engine.begin() as conn:
        level = conn.execute(
            sa.insert(CustomerLevel).values(
                name="Sỉ", code="SI", position=1, created_at=sa.func.now()
            )  # fmt: skip
        ).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(sa.insert(LevelPrice).values(level_id=level, variant_id=variants[0],
                                                  price=80_000))  # fmt: skip
        conn.execute(sa.update(Customer).where(Customer.id == customer_id)
                     .values(level_id=level, points_balance=30))  # fmt: skip
        conn.execute(
            sa.insert(Voucher).values(
                code="GIAM10", name="Giảm 10%", discount_kind=DiscountKind.PERCENT,
                discount_value=10, max_discount=50_000, min_order_value=100_000,
                usage_limit=1, used_count=0, is_active=True, free_shipping=False,
                created_at=sa.func.now(),
            )
        )  # fmt: skip
    draft = sale(variants, customer_id=customer_id, voucher_code="giam10", points=20,
                 shipping_fee=15_000, payment_method=PaymentMethod.CASH)  # fmt: skip
    quote = svc.quote_order(owner_ctx, draft)
    assert quote.lines[0].unit_price == 80_000  # the level's price
    assert quote.lines[1].unit_price == 120_000  # no level price: list price
    assert quote.subtotal == 280_000
    assert quote.voucher_discount == 28_000
    assert quote.points_discount == 20 * 1_000
    assert quote.total == 280_000 + 15_000 - 28_000 - 20_000
    created = svc.create_order(owner_ctx, draft)
    order = order_of(engine, created.id)
    assert order.total == quote.total and order.money_adds_up()
    assert order.paid_amount == quote.total  # a counter sale is paid there (never COD)
    cust = load(engine, Customer, customer_id)
    # 30 − 20 redeemed + 24 earned by the completed sale (1 per 10,000 đ of 247,000 đ).
    assert isinstance(cust, Customer) and cust.points_balance == 10 + 24
    # The voucher is used up now.
    with pytest.raises(ValidationError, match="used up"):
        svc.create_order(owner_ctx, draft)


def test_staff_without_orders_access_is_refused(
    owner_ctx: ServiceContext, variants: list[int]
) -> None:
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF,
                                       frozenset({Module.PRODUCTS})))  # fmt: skip
    with pytest.raises(PermissionDenied):
        svc.create_order(staff, sale(variants))
    with pytest.raises(PermissionDenied):
        svc.confirm_orders(staff, [1])


# --------------------------------------------------------------------------- lifecycle


def phone_order(owner_ctx: ServiceContext, variants: list[int], **kw: object) -> int:
    draft = sale(variants, source=OrderSource.PHONE, payment_method=PaymentMethod.COD, **kw)
    return svc.create_order(owner_ctx, draft).id


def test_phone_order_reserves_then_shipping_consumes(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = phone_order(owner_ctx, variants)
    assert order_of(engine, order_id).status == OrderStatus.CONFIRMED
    assert stock(engine, variants[0]) == (10, 2)  # reserved, still on the shelf
    svc.change_status(owner_ctx, order_id, OrderStatus.SHIPPING)
    assert stock(engine, variants[0]) == (8, 0)
    assert order_of(engine, order_id).stock_state == StockState.CONSUMED
    svc.change_status(owner_ctx, order_id, OrderStatus.COMPLETED)
    assert stock(engine, variants[0]) == (8, 0)  # completing does not take twice
    assert order_of(engine, order_id).completed_at is not None


def test_cancel_releases_a_reservation(engine: Engine, owner_ctx: ServiceContext,
                                       variants: list[int]) -> None:  # fmt: skip
    order_id = phone_order(owner_ctx, variants, status=OrderStatus.PENDING)
    svc.change_status(owner_ctx, order_id, OrderStatus.CANCELLED, reason="Khách đổi ý")
    assert stock(engine, variants[0]) == (10, 0)
    order = order_of(engine, order_id)
    assert order.cancel_reason == "Khách đổi ý" and order.stock_state == StockState.RELEASED
    kinds = [m.kind for m in _moves(engine, order_id)]
    assert kinds == [StockMoveKind.RESERVE] * 2 + [StockMoveKind.RELEASE] * 2


def test_cancel_while_shipping_puts_goods_back(engine: Engine, owner_ctx: ServiceContext,
                                               variants: list[int]) -> None:  # fmt: skip
    order_id = phone_order(owner_ctx, variants)
    svc.change_status(owner_ctx, order_id, OrderStatus.SHIPPING)
    svc.change_status(owner_ctx, order_id, OrderStatus.CANCELLED, reason="Giao thất bại")
    assert stock(engine, variants[0]) == (10, 0)
    assert stock(engine, variants[1]) == (3, 0)


def _moves(engine: Engine, order_id: int) -> list[StockMovement]:
    from sqlmodel import Session, select

    with Session(engine) as s:
        stmt = select(StockMovement).where(StockMovement.order_id == order_id)
        return list(s.exec(stmt.order_by(StockMovement.id)))  # type: ignore[arg-type]


def test_cancel_needs_a_reason(owner_ctx: ServiceContext, variants: list[int]) -> None:
    order_id = phone_order(owner_ctx, variants)
    with pytest.raises(ValidationError, match="why"):
        svc.change_status(owner_ctx, order_id, OrderStatus.CANCELLED, reason="  ")
    with pytest.raises(ValidationError, match="why"):
        svc.cancel_orders(owner_ctx, [order_id], "")


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (OrderStatus.COMPLETED, OrderStatus.CANCELLED),
        (OrderStatus.COMPLETED, OrderStatus.CONFIRMED),
        (OrderStatus.CONFIRMED, OrderStatus.PENDING),
        (OrderStatus.CONFIRMED, OrderStatus.COMPLETED),
    ],
)
def test_illegal_transitions_are_refused(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], start: OrderStatus,
    to: OrderStatus,
) -> None:  # fmt: skip
    order_id = phone_order(owner_ctx, variants, status=start)
    before = stock(engine, variants[0])
    with pytest.raises(Conflict, match=f"cannot become {to.value}"):
        svc.change_status(owner_ctx, order_id, to, reason="x")
    assert order_of(engine, order_id).status == start
    assert stock(engine, variants[0]) == before


@pytest.mark.parametrize(
    ("status", "confirm", "cancel", "ret"),
    [
        (OrderStatus.PENDING, True, True, False),
        (OrderStatus.CONFIRMED, False, True, False),
        (OrderStatus.SHIPPING, False, True, True),
        (OrderStatus.COMPLETED, False, False, True),
        (OrderStatus.CANCELLED, False, False, False),
        (OrderStatus.RETURN_REFUND, False, False, False),
        (OrderStatus.RETURNED, False, False, False),
    ],
)
def test_domain_rules_that_enable_the_actions(
    status: OrderStatus, confirm: bool, cancel: bool, ret: bool
) -> None:
    order = Order(shop_id=1, external_id="X", status=status)
    assert (order.can_confirm(), order.can_cancel(), order.can_return()) == (confirm, cancel, ret)


def test_marketplace_confirm_and_cancel_go_through_the_outbox(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    shopee = make_shop(engine, "Shopee Mall", Channel.SHOPEE)
    a = phone_order(owner_ctx, variants, shop_id=shopee, status=OrderStatus.PENDING)
    b = phone_order(owner_ctx, variants, shop_id=shopee, status=OrderStatus.PENDING)
    counter = phone_order(owner_ctx, variants, status=OrderStatus.PENDING)

    result = svc.confirm_orders(owner_ctx, [a, counter])
    assert result.done == [a, counter]
    svc.cancel_orders(owner_ctx, [b], "Hết hàng")
    from sqlmodel import Session, select

    with Session(engine) as s:
        msgs = list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[arg-type]
    assert [(m.kind, m.order_id) for m in msgs] == [("order.confirm", a), ("order.cancel", b)]
    assert json.loads(msgs[1].payload_json)["reason"] == "Hết hàng"
    assert order_of(engine, a).outbox_pending and order_of(engine, b).outbox_pending
    assert not order_of(engine, counter).outbox_pending  # our own counter: nothing to send


def test_bulk_confirm_skips_what_cannot_be_confirmed(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    pending = phone_order(owner_ctx, variants, status=OrderStatus.PENDING)
    done = svc.create_order(owner_ctx, sale(variants, lines=(DraftLine(variants[0], 1),))).id
    result = svc.confirm_orders(owner_ctx, [pending, done, 999_999])
    assert result.done == [pending]
    number = order_of(engine, done).external_id
    assert result.skipped == [(done, number, "completed"), (999_999, "?", "no longer exists")]


def test_flags_and_staff_note(engine: Engine, owner_ctx: ServiceContext,
                              variants: list[int]) -> None:  # fmt: skip
    ids = [phone_order(owner_ctx, variants) for _ in range(3)]
    assert svc.set_flag(owner_ctx, ids[:2], True) == 2
    assert svc.set_flag(owner_ctx, ids, True) == 1  # only the unflagged one changes
    assert svc.set_flag(owner_ctx, [ids[0]], False) == 1
    assert [order_of(engine, i).flagged for i in ids] == [False, True, True]
    svc.set_staff_note(owner_ctx, ids[0], "  Gọi trước khi giao  ")
    assert order_of(engine, ids[0]).staff_note == "Gọi trước khi giao"


def test_history_records_who_and_when(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], clock: object
) -> None:
    order_id = phone_order(owner_ctx, variants, status=OrderStatus.PENDING)
    clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    svc.confirm_orders(owner_ctx, [order_id])
    detail = svc.order_detail(owner_ctx, order_id)
    assert [(h.from_status, h.to_status) for h in detail.history] == [
        (None, OrderStatus.PENDING), (OrderStatus.PENDING, OrderStatus.CONFIRMED)
    ]  # fmt: skip
    assert {h.user_name for h in detail.history} == {"Chủ Thử"}
    assert detail.history[1].changed_at - detail.history[0].changed_at == timedelta(minutes=5)
    assert [line.sku for line in detail.lines] == ["AO-S", "AO-M"]
    assert detail.channel == Channel.OFFLINE


# --------------------------------------------------------------------------- returns


def test_partial_then_full_return(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    created = svc.create_order(owner_ctx, sale(variants, customer_id=customer_id))
    lines = svc.order_detail(owner_ctx, created.id).lines
    first = svc.return_order(owner_ctx, created.id, {lines[0].id or 0: 1}, reason="Lỗi đường may")
    assert first.status == OrderStatus.COMPLETED and first.refund_amount == 99_000
    assert stock(engine, variants[0]) == (9, 0)
    cust = load(engine, Customer, customer_id)
    assert isinstance(cust, Customer)
    assert cust.total_expenses == created.total - 99_000 and cust.successful_orders == 1

    with pytest.raises(ValidationError, match="between 0 and 1 can be returned"):
        svc.return_order(owner_ctx, created.id, {lines[0].id or 0: 2}, reason="x")
    rest = {lines[0].id or 0: 1, lines[1].id or 0: 1}
    second = svc.return_order(owner_ctx, created.id, rest, reason="Khách trả hết")
    assert second.status == OrderStatus.RETURNED
    assert second.refund_amount == created.total - 99_000
    order = order_of(engine, created.id)
    assert order.refunded_amount == order.total
    assert stock(engine, variants[0]) == (10, 0) and stock(engine, variants[1]) == (3, 0)
    detail = svc.order_detail(owner_ctx, created.id)
    history = [(h.from_status, h.to_status) for h in detail.history]
    assert history[-2:] == [(OrderStatus.COMPLETED, OrderStatus.RETURN_REFUND),
                            (OrderStatus.RETURN_REFUND, OrderStatus.RETURNED)]  # fmt: skip
    cust = load(engine, Customer, customer_id)
    assert isinstance(cust, Customer)
    assert (cust.successful_orders, cust.returned_orders, cust.total_expenses) == (0, 1, 0)


def test_return_refund_amount_is_bounded_and_order_must_be_completed(
    owner_ctx: ServiceContext, variants: list[int]
) -> None:
    created = svc.create_order(owner_ctx, sale(variants))
    line = svc.order_detail(owner_ctx, created.id).lines[0]
    with pytest.raises(ValidationError, match="refund must be between"):
        svc.return_order(owner_ctx, created.id, {line.id or 0: 1}, reason="x",
                         refund_amount=created.total + 1)  # fmt: skip
    with pytest.raises(ValidationError, match="why"):
        svc.return_order(owner_ctx, created.id, {line.id or 0: 1}, reason=" ")
    open_id = phone_order(owner_ctx, variants)
    with pytest.raises(Conflict, match="only completed"):
        svc.return_order(owner_ctx, open_id, {1: 1}, reason="x")


def test_order_discounts_are_shared_by_the_refund(
    owner_ctx: ServiceContext, variants: list[int]
) -> None:
    created = svc.create_order(
        owner_ctx, sale(variants, lines=(DraftLine(variants[0], 2),), order_discount=19_800)
    )
    line = svc.order_detail(owner_ctx, created.id).lines[0]
    result = svc.return_order(owner_ctx, created.id, {line.id or 0: 1}, reason="x")
    # Half of 178,200 is 89,100: suggested to the nearest 1,000 ₫ the till can pay out.
    assert result.refund_amount == 89_000


def test_returned_status_change_brings_everything_back(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = phone_order(owner_ctx, variants)
    svc.change_status(owner_ctx, order_id, OrderStatus.SHIPPING)
    svc.change_status(owner_ctx, order_id, OrderStatus.RETURN_REFUND)
    svc.change_status(owner_ctx, order_id, OrderStatus.RETURNED, reason="Không nhận hàng")
    assert stock(engine, variants[0]) == (10, 0)
    order = order_of(engine, order_id)
    # COD refused at the door: its money never came in, so none goes back.
    assert order.status == OrderStatus.RETURNED and order.refunded_amount == 0
    assert count(engine, OrderLine, OrderLine.order_id == order_id,
                 OrderLine.returned_quantity == OrderLine.quantity) == 2  # fmt: skip


@pytest.mark.skipif(bool(__import__("os").environ.get("PRIMEDIST_TEST_DATABASE_URL")),
                    reason="SQLite's query plans")  # fmt: skip
def test_a_counter_sale_never_walks_the_orders(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    """Every statement of a sale (number, stock, points, statistics) finds its orders by
    key: none scans the orders table or a status's share of it (at 1,000,000 orders the
    daily number by LIKE and the points given back by status took 10 ms each)."""
    from sqlalchemy import event

    plans: list[tuple[str, str]] = []

    def explain(conn, cursor, statement, parameters, _context, executemany) -> None:  # type: ignore[no-untyped-def]
        if executemany or not statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE")):
            return
        rows = cursor.connection.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        plans.extend((statement[:100], str(row[3])) for row in rows)

    svc.create_order(owner_ctx, sale(variants, customer_id=customer_id))  # warm caches
    event.listen(engine, "before_cursor_execute", explain)
    try:
        svc.create_order(owner_ctx, sale(variants, customer_id=customer_id))
    finally:
        event.remove(engine, "before_cursor_execute", explain)
    walks = [(s, p) for s, p in plans
             if p.startswith("SCAN orders") or "orders USING INDEX ix_orders_status" in p
             or ("SEARCH orders" in p and "(status=?)" in p)]  # fmt: skip
    assert plans and not walks, walks
    # The day's next order number: a seek on (shop, number) to the day's numbers.
    numbering = [p for s, p in plans if "max(orders.external_id)" in s]
    assert numbering and all("external_id>?" in p for p in numbering), numbering
