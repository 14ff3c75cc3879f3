"""The end-of-day report on a real store: a day's sales in the shop's time zone, per payment
method, shop and product; cancellations apart; refunds counted on the day they are given;
the staff and shop filters; the Excel export read back; permissions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, Module, OrderSource, OrderStatus, PaymentMethod, Role
from primedist.domain.user import User
from primedist.errors import PermissionDenied, ValidationError
from primedist.services import customer_account as account
from primedist.services import end_of_day as eod
from primedist.services import orders as svc
from primedist.services import staff as staff_svc
from primedist.services import till
from primedist.services.auth import actor_for
from primedist.services.context import ServiceContext
from tests.factories import make_customers, make_orders, make_product, make_shop
from tests.services.test_permissions import staff

#: 2026-11-20 in Asia/Ho_Chi_Minh (UTC+7) runs from 2026-11-19 17:00 to 2026-11-20 17:00 UTC.
DAY = date(2026, 11, 20)


def at(clock: FixedClock, hour: int, minute: int = 0, days: int = 0) -> None:
    """Set the clock to this local time of DAY (+ days)."""
    local = datetime(2026, 11, 20, hour, minute) + timedelta(days=days)
    clock.set((local - timedelta(hours=7)).replace(tzinfo=UTC))


def sell(
    ctx: ServiceContext, lines: list[tuple[int, int]], payment: PaymentMethod, **kw: object
) -> svc.CreatedOrder:
    draft = svc.OrderDraft(
        lines=tuple(svc.DraftLine(v, q) for v, q in lines),
        payment_method=payment,
        **kw,  # type: ignore[arg-type]
    )
    return svc.create_order(ctx, draft)


@pytest.fixture
def goods(engine: sa.Engine) -> tuple[int, int]:
    return tuple(make_product(engine, "Áo thun", [("AO-S", 100_000, 50), ("AO-M", 120_000, 50)]))  # type: ignore[return-value]


def test_a_day_of_counter_sales_refunds_and_cancellations(
    owner_ctx: ServiceContext, clock: FixedClock, goods: tuple[int, int]
) -> None:
    s, m = goods
    at(clock, 9, days=-1)  # yesterday: a sale returned today
    yesterday = sell(owner_ctx, [(s, 1), (m, 1)], PaymentMethod.CASH)
    at(clock, 0, 5)  # the day's first minutes
    sell(owner_ctx, [(s, 2)], PaymentMethod.CASH)
    at(clock, 11)
    sell(owner_ctx, [(m, 1)], PaymentMethod.BANK_TRANSFER, order_discount=20_000)
    at(clock, 14)
    phone = sell(owner_ctx, [(s, 1)], PaymentMethod.COD, source=OrderSource.PHONE,
                 shipping_fee=30_000)  # fmt: skip
    cancelled = sell(owner_ctx, [(m, 3)], PaymentMethod.COD, source=OrderSource.PHONE)
    svc.cancel_orders(owner_ctx, [cancelled.id], reason="Khách đổi ý")
    at(clock, 16)
    lines = svc.order_detail(owner_ctx, yesterday.id).lines
    back = svc.return_order(owner_ctx, yesterday.id, {lines[0].id or 0: 1}, reason="Rách")
    at(clock, 23, 59)
    sell(owner_ctx, [(m, 1)], PaymentMethod.CASH)
    at(clock, 0, 1, days=1)  # tomorrow already
    sell(owner_ctx, [(s, 5)], PaymentMethod.CASH)

    r = eod.end_of_day(owner_ctx, DAY)

    assert (r.orders, r.items) == (4, 5)
    assert r.goods == 200_000 + 120_000 + 100_000 + 120_000
    assert (r.discounts, r.shipping) == (20_000, 30_000)
    assert r.sales == r.goods - r.discounts + r.shipping == 550_000
    assert (r.cancelled_orders, r.cancelled_total) == (1, 360_000)
    assert (r.refunds, r.refunded_items, r.refunded) == (1, 1, back.refund_amount)
    assert back.refund_amount == 100_000
    assert r.net == 450_000
    by_method = {p.method: (p.orders, p.total, p.refunds, p.refunded) for p in r.payments}
    assert by_method == {
        PaymentMethod.CASH: (2, 320_000, 1, 100_000),
        PaymentMethod.BANK_TRANSFER: (1, 100_000, 0, 0),
        PaymentMethod.COD: (1, 130_000, 0, 0),
    }
    assert [p.method for p in r.payments][0] == PaymentMethod.CASH  # the till's first
    assert r.cash_in_drawer == 220_000
    assert [(s.name, s.orders, s.total) for s in r.by_shop] == [("Cửa hàng Thử", 4, 550_000)]
    assert [(p.sku, p.units, p.revenue) for p in r.products] == [
        ("AO-S", 3, 300_000), ("AO-M", 2, 240_000)
    ]  # fmt: skip
    assert r.products[0].name == "Áo thun (V1)"
    assert not r.empty and r.shops == () and r.staff is None
    data = json.loads(json.dumps(r.as_dict()))  # plain ints on either database
    assert (data["day"], data["net"], data["cash_in_drawer"]) == ("2026-11-20", 450_000, 220_000)
    assert data["payments"][0] == {"method": "cash", "orders": 2, "total": 320_000,
                                   "refunds": 1, "refunded": 100_000, "net": 220_000,
                                   "collected": 0}  # fmt: skip
    assert all(type(v) is int for v in (r.sales, r.goods, r.refunded, r.payments[0].total))
    assert phone.id  # the phone order counts on its day though not paid yet (COD)


def test_default_day_is_today_in_the_shop_time_zone(
    owner_ctx: ServiceContext, clock: FixedClock, goods: tuple[int, int]
) -> None:
    at(clock, 6, 30)  # 23:30 UTC the day before
    sell(owner_ctx, [(goods[0], 1)], PaymentMethod.CASH)
    r = eod.end_of_day(owner_ctx)
    assert r.day == DAY and r.orders == 1 and r.cash_in_drawer == 100_000
    empty = eod.end_of_day(owner_ctx, DAY - timedelta(days=1))
    assert empty.empty and empty.payments == () and empty.products == ()


def test_staff_filter_counts_their_sales_and_refunds(
    owner_ctx: ServiceContext, clock: FixedClock, goods: tuple[int, int]
) -> None:
    # A cashier who gives refunds: the right "Refunds and returns".
    issued = staff_svc.add_staff(owner_ctx, name="Lan Thu Ngân", email="lan@shop.vn",
                                 role=Role.STAFF, modules=[Module.ORDERS],
                                 can_refund=True)  # fmt: skip
    with Session(owner_ctx.engine) as session:
        user = session.get(User, issued.member.id)
        assert user is not None
        lan = owner_ctx.with_actor(actor_for(session, user))
    at(clock, 10)
    mine = sell(lan, [(goods[0], 1)], PaymentMethod.CASH)
    sell(owner_ctx, [(goods[1], 1)], PaymentMethod.CASH)
    owners = sell(owner_ctx, [(goods[1], 2)], PaymentMethod.CASH)
    lines = svc.order_detail(owner_ctx, owners.id).lines
    svc.return_order(lan, owners.id, {lines[0].id or 0: 1}, reason="Sai size")

    r = eod.end_of_day(lan, DAY, user_id=issued.member.id)
    assert r.staff == "Lan Thu Ngân"
    assert (r.orders, r.sales) == (1, mine.total)
    assert (r.refunds, r.refunded) == (1, 120_000)  # she gave it back, on the owner's sale
    assert r.cash_in_drawer == mine.total - 120_000
    assert eod.user_id_by_email(lan, " LAN@shop.vn ") == issued.member.id
    names = [name for _id, name in eod.staff_choices(lan)]
    assert set(names) == {"Chủ Thử", "Lan Thu Ngân"}
    with pytest.raises(ValidationError, match="No account has the email nobody@shop.vn"):
        eod.user_id_by_email(lan, "nobody@shop.vn")
    with pytest.raises(ValidationError, match="no staff member 999"):
        eod.end_of_day(lan, DAY, user_id=999)


def test_shop_filter_and_marketplace_orders(
    owner_ctx: ServiceContext, clock: FixedClock, goods: tuple[int, int]
) -> None:
    shopee = make_shop(owner_ctx.engine, "Shopee Lan", Channel.SHOPEE)
    at(clock, 8)
    make_orders(owner_ctx.engine, shopee, 3, start=clock.now(), step=timedelta(hours=1))
    sell(owner_ctx, [(goods[0], 1)], PaymentMethod.CASH)
    every = eod.end_of_day(owner_ctx, DAY)
    assert {s.name: s.orders for s in every.by_shop if s.orders} == {
        "Shopee Lan": 3,
        "Cửa hàng Thử": 1,
    }
    only = eod.end_of_day(owner_ctx, DAY, shop_ids=[shopee])
    assert only.shops == ("Shopee Lan",)
    assert (every.orders, only.orders) == (4, 3)
    assert every.sales - only.sales == 100_000  # the counter sale, left out
    assert sum(p.orders for p in only.payments) == 3
    assert only.sales == sum(s.total for s in only.by_shop)


def test_export_reads_back_typed_and_neutralised(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine, tmp_path: Path
) -> None:
    (evil,) = make_product(engine, '=HYPERLINK("http://x","Bấm")', [("=cmd", 55_000, 9)])
    at(clock, 10)
    sell(owner_ctx, [(evil, 2)], PaymentMethod.CASH)
    report = eod.end_of_day(owner_ctx, DAY)
    target = tmp_path / "cuoi-ngay.xlsx"
    done = eod.export_end_of_day(owner_ctx, report, target, eod.texts_for("vi"))
    assert done.path == target.absolute() and target.exists()
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Cuối ngày", "Thanh toán", "Gian hàng", "Sản phẩm"]
    summary = {row[0]: row[1] for row in book["Cuối ngày"].iter_rows(values_only=True)}
    assert summary["Ngày"] == datetime(2026, 11, 20)
    assert summary["Doanh số"] == 110_000 and isinstance(summary["Doanh số"], int)
    assert summary["Tiền mặt trong két"] == 110_000
    assert summary["Gian hàng"] == "Tất cả gian hàng"
    payments = list(book["Thanh toán"].iter_rows(values_only=True))
    assert payments[0][0] == "Phương thức thanh toán"
    assert payments[1] == ("Tiền mặt", 1, 110_000, 0, 0, 110_000, 0)
    products = list(book["Sản phẩm"].iter_rows(values_only=True))
    assert products[1] == ("'=cmd", '\'=HYPERLINK("http://x","Bấm")', 2, 110_000)
    with Session(engine) as session:
        actions = session.exec(sa.text("SELECT action FROM audit_events")).all()  # type: ignore[call-overload]
    assert ("report.end_of_day.export",) in [tuple(a) for a in actions]
    with pytest.raises(ValidationError, match="Export to an .xlsx file"):
        eod.export_end_of_day(owner_ctx, report, tmp_path / "x.csv", eod.texts_for("en"))


def test_needs_orders_access(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    clerk = staff(owner_ctx, Module.CUSTOMERS)
    report = eod.end_of_day(owner_ctx, DAY)
    for call in (
        lambda: eod.end_of_day(clerk, DAY),
        lambda: eod.staff_choices(clerk),
        lambda: eod.user_id_by_email(clerk, "a@b.vn"),
        lambda: eod.export_end_of_day(clerk, report, tmp_path / "x.xlsx", eod.texts_for("en")),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not (tmp_path / "x.xlsx").exists()
    assert eod.end_of_day(staff(owner_ctx, Module.ORDERS), DAY).empty


def test_the_day_s_gross_profit_is_for_who_sees_analytics(
    owner_ctx: ServiceContext, clock: FixedClock, goods: tuple[int, int]
) -> None:
    """AO-S costs 60,000 VND and AO-M 70,000: 2 S and 1 M sold, one S returned, and a
    cancelled sale that earns nothing; the next day's sale is that day's."""
    s, m = goods
    with owner_ctx.engine.begin() as conn:
        for variant, cost in ((s, 60_000), (m, 70_000)):
            conn.execute(sa.text("UPDATE variants SET cost = :c WHERE id = :v"),
                         {"c": cost, "v": variant})  # fmt: skip
    at(clock, 9)
    first = sell(owner_ctx, [(s, 2), (m, 1)], PaymentMethod.CASH)
    lines = svc.order_detail(owner_ctx, first.id).lines
    svc.return_order(owner_ctx, first.id, {lines[0].id or 0: 1}, reason="Sai size")
    dropped = sell(owner_ctx, [(m, 3)], PaymentMethod.BANK_TRANSFER, source=OrderSource.PHONE)
    svc.cancel_orders(owner_ctx, [dropped.id], "khách hủy")
    at(clock, 9, days=1)
    sell(owner_ctx, [(s, 1)], PaymentMethod.CASH)

    r = eod.end_of_day(owner_ctx, DAY)
    assert r.gross_profit == (100_000 - 60_000) + (120_000 - 70_000)
    assert r.as_dict()["gross_profit"] == 90_000
    assert eod.end_of_day(owner_ctx, DAY + timedelta(days=1)).gross_profit == 40_000
    cashier = eod.end_of_day(staff(owner_ctx, Module.ORDERS), DAY)
    assert cashier.gross_profit is None and cashier.sales == r.sales


# --------------------------------------------------------------------------- cancels


def refund_rows(engine: sa.Engine, order_id: int) -> list[tuple[int, int, str | None]]:
    """(amount, items, reason) of an order's refund rows."""
    with engine.connect() as conn:
        sql = "SELECT amount, items, reason FROM order_refunds WHERE order_id = :o ORDER BY id"
        rows = conn.execute(sa.text(sql), {"o": order_id})
        return [(int(a), int(i), r) for a, i, r in rows]


def day_figures(r: eod.EndOfDay) -> dict[str, object]:
    """What a closed day shows (the money, the lines), without when it was made."""
    data = r.as_dict()
    for name in ("made_at", "gross_profit"):  # gross profit is Analytics' (see README)
        data.pop(name)
    return data


def test_a_paid_order_cancelled_the_next_day_stays_a_sale_of_its_day(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine, goods: tuple[int, int]
) -> None:
    """A phone order paid in cash at 20:00, the till closed; cancelled the next morning:
    the day it was sold stays as it was, and the cash given back is the next day's."""
    s, m = goods
    at(clock, 20)
    sell(owner_ctx, [(m, 1)], PaymentMethod.CASH)  # a counter sale of the day, 120,000
    phone = sell(owner_ctx, [(s, 2)], PaymentMethod.CASH, source=OrderSource.PHONE)
    before = eod.end_of_day(owner_ctx, DAY)
    assert (before.sales, before.cash_in_drawer) == (320_000, 320_000)
    closed = till.close_till(owner_ctx, DAY, opening_float=0, counted=320_000)
    assert closed.difference == 0

    at(clock, 9, days=1)
    done = svc.cancel_orders(owner_ctx, [phone.id], "Khách đổi ý")
    assert done.done == [phone.id]
    assert refund_rows(engine, phone.id) == [(200_000, 0, "Khách đổi ý")]

    after = eod.end_of_day(owner_ctx, DAY)
    assert day_figures(after) == day_figures(before)
    assert [(p.sku, p.units) for p in after.products] == [("AO-S", 2), ("AO-M", 1)]
    assert (after.cancelled_orders, after.refunds) == (0, 0)
    nxt = eod.end_of_day(owner_ctx, DAY + timedelta(days=1))
    assert (nxt.sales, nxt.orders, nxt.cancelled_orders) == (0, 0, 0)
    assert (nxt.refunds, nxt.refunded_items, nxt.refunded) == (1, 0, 200_000)
    assert [(p.method, p.orders, p.refunds, p.refunded) for p in nxt.payments] == [
        (PaymentMethod.CASH, 0, 1, 200_000)]  # fmt: skip
    assert (nxt.net, nxt.cash_in_drawer) == (-200_000, -200_000)
    count = till.close_till(owner_ctx, DAY + timedelta(days=1), opening_float=500_000,
                            counted=300_000)  # fmt: skip
    assert (count.cash_refunds, count.expected, count.difference) == (200_000, 300_000, 0)
    # The order says what went back; the cancelled order earns nothing anywhere else.
    detail = svc.order_detail(owner_ctx, phone.id)
    assert (detail.order.status, detail.order.refunded_amount) == (OrderStatus.CANCELLED, 200_000)


def test_a_cancel_the_same_day_or_before_any_payment_is_no_sale(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine, goods: tuple[int, int]
) -> None:
    s, m = goods
    at(clock, 9)
    paid = sell(owner_ctx, [(s, 1)], PaymentMethod.CASH, source=OrderSource.PHONE)
    cod = sell(owner_ctx, [(m, 1)], PaymentMethod.COD, source=OrderSource.PHONE)
    at(clock, 10)
    svc.cancel_orders(owner_ctx, [paid.id], "Khách đổi ý")  # the same day: paid back at once
    day = eod.end_of_day(owner_ctx, DAY)
    assert (day.orders, day.sales, day.cancelled_orders, day.cancelled_total) == (
        1, 120_000, 1, 100_000)  # fmt: skip
    assert (day.refunds, day.refunded, day.cash_in_drawer) == (0, 0, 0)
    assert [p.sku for p in day.products] == ["AO-M"]
    assert refund_rows(engine, paid.id) == [(100_000, 0, "Khách đổi ý")]

    at(clock, 8, days=1)
    svc.cancel_orders(owner_ctx, [cod.id], "Không liên lạc được")  # never paid: nothing back
    assert refund_rows(engine, cod.id) == []
    day = eod.end_of_day(owner_ctx, DAY)
    assert (day.orders, day.sales, day.cancelled_orders, day.cancelled_total) == (
        0, 0, 2, 220_000)  # fmt: skip
    assert day.payments == () and day.products == () and day.by_shop == ()
    nxt = eod.end_of_day(owner_ctx, DAY + timedelta(days=1))
    assert nxt.empty and nxt.refunded == 0


def test_a_sale_on_account_cancelled_the_next_day_gives_its_part_paid_back_that_day(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine, goods: tuple[int, int]
) -> None:
    """The part paid with a sale on account is a payment: counted as collected on its day,
    given back (cash out) on the day of the cancel; not an order refund (the customer's
    account counts the cancelled payment, never a refund besides it). The part still owed
    is an *On account* refund of the cancel day, as a return would count it: the sale
    stays on its day, so the days' net would otherwise keep it for ever."""
    hoa = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])[0]
    at(clock, 15)
    sale = sell(owner_ctx, [(goods[0], 2)], PaymentMethod.ON_ACCOUNT, customer_id=hoa,
                paid_now=30_000, source=OrderSource.PHONE)  # fmt: skip
    same_day = sell(owner_ctx, [(goods[1], 1)], PaymentMethod.ON_ACCOUNT, customer_id=hoa,
                    paid_now=20_000, source=OrderSource.PHONE)  # fmt: skip
    at(clock, 16)
    svc.cancel_orders(owner_ctx, [same_day.id], "Nhầm đơn")
    before = eod.end_of_day(owner_ctx, DAY)
    assert (before.on_account, before.collected, before.cash_in_drawer) == (200_000, 30_000,
                                                                            30_000)  # fmt: skip
    assert (before.cancelled_orders, before.refunds) == (1, 0)

    at(clock, 9, days=1)
    svc.cancel_orders(owner_ctx, [sale.id], "Khách trả hàng")
    assert refund_rows(engine, sale.id) == []
    assert account.get_balance(owner_ctx, hoa).owed == 0
    assert [e.kind for e in account.account_entries(owner_ctx, hoa) if e.standing] == []
    assert day_figures(eod.end_of_day(owner_ctx, DAY)) == day_figures(before)
    nxt = eod.end_of_day(owner_ctx, DAY + timedelta(days=1))
    assert (nxt.refunds, nxt.refunded, nxt.collected, nxt.cash_in_drawer) == (
        2, 200_000, 0, -30_000)  # fmt: skip
    assert [(p.method, p.refunded) for p in nxt.payments] == [
        (PaymentMethod.CASH, 30_000), (PaymentMethod.ON_ACCOUNT, 170_000)]  # fmt: skip
    assert before.net + nxt.net == 0  # a cancelled sale leaves nothing in the days' net


def test_the_owed_part_of_a_sale_on_account_cancelled_later_is_the_cancellers_and_its_shops(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine, goods: tuple[int, int]
) -> None:
    """What the sale still owed when cancelled (its total less what was paid with it;
    a payment made later towards the account is not the sale's) is an On account refund
    of the cancel day, in the report of who cancelled it and of the sale's shop only."""
    hoa = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])[0]
    # A cashier who gives refunds: the right "Refunds and returns".
    issued = staff_svc.add_staff(owner_ctx, name="Lan Thu Ngân", email="lan@shop.vn",
                                 role=Role.STAFF, modules=[Module.ORDERS],
                                 can_refund=True)  # fmt: skip
    with Session(engine) as session:
        user = session.get(User, issued.member.id)
        assert user is not None
        lan = owner_ctx.with_actor(actor_for(session, user))
    other_shop = make_shop(engine, "Shopee Lan", Channel.SHOPEE)
    at(clock, 10)
    sale = sell(owner_ctx, [(goods[1], 2)], PaymentMethod.ON_ACCOUNT, customer_id=hoa,
                paid_now=40_000, source=OrderSource.PHONE)  # fmt: skip
    account.receive_payment(owner_ctx, hoa, 100_000, PaymentMethod.CASH)
    at(clock, 9, days=1)
    assert svc.cancel_orders(lan, [sale.id], "Khách không lấy").done == [sale.id]

    nxt = DAY + timedelta(days=1)
    r = eod.end_of_day(owner_ctx, nxt)
    assert [(p.method, p.refunds, p.refunded) for p in r.payments] == [
        (PaymentMethod.CASH, 1, 40_000), (PaymentMethod.ON_ACCOUNT, 1, 200_000)]  # fmt: skip
    assert (r.refunded, r.net, r.cash_in_drawer) == (240_000, -240_000, -40_000)
    assert eod.end_of_day(owner_ctx, DAY).net + r.net == 0  # the 100.000 stays a credit
    assert account.get_balance(owner_ctx, hoa).owed == -100_000
    assert eod.end_of_day(owner_ctx, nxt, user_id=issued.member.id).refunded == 240_000
    assert eod.end_of_day(owner_ctx, nxt, user_id=owner_ctx.actor.id).refunded == 0
    shop_id = svc.order_detail(owner_ctx, sale.id).order.shop_id
    assert eod.end_of_day(owner_ctx, nxt, shop_ids=[shop_id]).refunded == 240_000
    # The payment given back is the one drawer's (any shop); the owed part is the sale's.
    assert eod.end_of_day(owner_ctx, nxt, shop_ids=[other_shop]).refunded == 40_000


def test_a_marketplace_order_cancelled_refunds_nothing_here(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    shopee = make_shop(engine, "Shopee Lan", Channel.SHOPEE)
    at(clock, 8)
    (order_id,) = make_orders(engine, shopee, 1, start=clock.now(), step=timedelta(hours=1))
    with engine.begin() as conn:
        # Pending (paid, not arranged yet): once confirmed on Shopee the seller can no
        # longer cancel it (services/orders.py `_confirm_refusal`).
        conn.execute(sa.text("UPDATE orders SET status = 'pending', payment_method = 'e_wallet',"
                             " paid_amount = total WHERE id = :o"), {"o": order_id})  # fmt: skip
    at(clock, 9, days=1)
    assert svc.cancel_orders(owner_ctx, [order_id], "Người mua hủy").done == [order_id]
    assert refund_rows(engine, order_id) == []  # the marketplace pays its buyer back
    assert eod.end_of_day(owner_ctx, DAY).orders == 0
    assert eod.end_of_day(owner_ctx, DAY + timedelta(days=1)).refunds == 0


# --------------------------------------------------------------------------- products sold


def test_products_sold_one_line_per_sku_named_after_the_product_now(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine, goods: tuple[int, int]
) -> None:
    """Lines of the same SKU under other titles (a marketplace's, an imported file's, a
    product renamed since) are one line; a SKU whose product is gone takes its latest
    line's title."""
    s, m = goods
    (cap,) = make_product(engine, "Mũ", [("MU-1", 50_000, 10)])
    at(clock, 9)
    first = sell(owner_ctx, [(s, 1), (cap, 1)], PaymentMethod.CASH)
    sell(owner_ctx, [(s, 2), (m, 1)], PaymentMethod.CASH)
    last = sell(owner_ctx, [(cap, 2)], PaymentMethod.CASH)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE order_lines SET product_name = 'Áo thun cotton [SALE]',"
                             " variant_name = 'Trắng, S' WHERE order_id = :o AND sku = 'AO-S'"),
                     {"o": first.id})  # fmt: skip
        conn.execute(sa.text("UPDATE products SET name = 'Áo thun cotton'"
                             " WHERE name = 'Áo thun'"))  # fmt: skip
        conn.execute(sa.text("UPDATE order_lines SET variant_id = NULL, product_name ="
                             " CASE order_id WHEN :last THEN 'Mũ lưỡi trai' ELSE 'Mũ cũ' END"
                             " WHERE sku = 'MU-1'"), {"last": last.id})  # fmt: skip
    r = eod.end_of_day(owner_ctx, DAY)
    assert [(p.sku, p.name, p.units, p.revenue) for p in r.products] == [
        ("AO-S", "Áo thun cotton (V1)", 3, 300_000),
        ("MU-1", "Mũ lưỡi trai", 3, 150_000),
        ("AO-M", "Áo thun cotton (V2)", 1, 120_000),
    ]
