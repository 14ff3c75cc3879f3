"""Gross profit: each order line keeps the cost of a unit when it was sold (the variant's
average cost then), and the Analytics figure, product rank and series add up the profit
of the units kept, through real sales, a goods receipt that moves the average cost, a
partial return and a rebuild of the summaries."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services import exchange, reports
from primedist.services import goods_receipts as gr
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from tests.factories import make_product


def unit_costs(engine: Engine, order_id: int) -> list[int | None]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(
            "SELECT unit_cost FROM order_lines WHERE order_id = :o ORDER BY id"), {"o": order_id}
        ).scalars())  # fmt: skip


def sell(ctx: ServiceContext, variant: int, quantity: int) -> int:
    draft = svc.OrderDraft(
        lines=(svc.DraftLine(variant, quantity),),
        source=OrderSource.COUNTER,
        payment_method=PaymentMethod.CASH,
    )
    return svc.create_order(ctx, draft).id or 0


def test_profit_keeps_the_cost_each_unit_was_sold_at(owner_ctx: ServiceContext) -> None:
    engine = owner_ctx.engine
    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 100_000, 0)])
    (mug,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 10)])  # no cost typed: 0
    # 20 shirts come in at 40.000 ₫: the average cost is 40.000 ₫.
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(shirt, 20, 40_000)]))
    first = sell(owner_ctx, shirt, 2)
    assert unit_costs(engine, first) == [40_000]
    # 18 left at 40.000 ₫ and 18 more at 100.000 ₫: 70.000 ₫ a shirt from now on.
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(shirt, 18, 100_000)]))
    second = sell(owner_ctx, shirt, 1)
    third = sell(owner_ctx, mug, 3)
    assert unit_costs(engine, second) == [70_000]
    assert unit_costs(engine, third) == [0]
    # One shirt of the first sale comes back: its share of the line and its cost go.
    line = svc.order_detail(owner_ctx, first).lines[0].id or 0
    svc.return_order(owner_ctx, first, {line: 1}, reason="chật")
    assert unit_costs(engine, first) == [40_000]  # kept, though the order moved again

    today = reports.today(owner_ctx)
    expected = (100_000 - 40_000) + (100_000 - 70_000) + 3 * 45_000
    a = reports.analytics(owner_ctx, today, today)
    assert a.profit == reports.Change(expected, 0)
    by_product = {r.label: r.profit for r in a.products}
    assert by_product == {"Áo thun": reports.Change(90_000, 0),
                          "Cốc sứ": reports.Change(135_000, 0)}  # fmt: skip
    assert a.to_json()["gross_profit"] == {"current": expected, "previous": 0, "change_pct": None}
    ranked = reports.ranking(owner_ctx, "product", today, today)
    assert ranked[0].to_json()["gross_profit"]["current"] in (90_000, 135_000)
    week = reports.series(owner_ctx, "profit", today - timedelta(days=6), today)
    assert [p.value for p in week.points] == [0.0] * 6 + [float(expected)]

    # Rebuilt from the orders, the summaries say the same: the costs are the lines'.
    reports.rebuild(owner_ctx)
    assert reports.analytics(owner_ctx, today, today).profit.current == expected


def test_a_cost_change_does_not_move_what_was_sold(owner_ctx: ServiceContext) -> None:
    engine = owner_ctx.engine
    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 100_000, 10)])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE variants SET cost = 30000 WHERE id = :v"), {"v": shirt})
    order = sell(owner_ctx, shirt, 1)
    with engine.begin() as conn:  # the cost typed again in the product editor
        conn.execute(sa.text("UPDATE variants SET cost = 90000 WHERE id = :v"), {"v": shirt})
    today = reports.today(owner_ctx)
    assert reports.analytics(owner_ctx, today, today).profit.current == 70_000
    reports.rebuild(owner_ctx)
    assert unit_costs(engine, order) == [30_000]
    assert reports.analytics(owner_ctx, today, today).profit.current == 70_000


def test_a_product_s_revenue_leaves_out_the_units_that_came_back(
    owner_ctx: ServiceContext,
) -> None:
    """A return or an exchange keeps the order counted: its product's revenue is the line's
    share of the units kept (as its profit), a product whose only sale came back all has
    none (Home's "No revenue"), and an exchange does not count the shirt twice."""
    engine = owner_ctx.engine
    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 100_000, 20)])
    (socks,) = make_product(engine, "Tất", [("TAT-1", 30_000, 20)])
    (cap,) = make_product(engine, "Mũ", [("MU-1", 50_000, 20)])
    draft = svc.OrderDraft(lines=(svc.DraftLine(shirt, 1), svc.DraftLine(socks, 2)))
    first = svc.create_order(owner_ctx, draft).id
    socks_line = next(ln for ln in svc.order_detail(owner_ctx, first).lines if ln.sku == "TAT-1")
    svc.return_order(owner_ctx, first, {socks_line.id or 0: 2}, reason="sai size")
    second = sell(owner_ctx, shirt, 2)
    shirt_line = svc.order_detail(owner_ctx, second).lines[0].id or 0
    exchange.exchange_order(owner_ctx, exchange.ExchangeDraft(
        order_id=second, returned={shirt_line: 1}, reason="đổi mẫu",
        sale=svc.OrderDraft(lines=(svc.DraftLine(cap, 1),))))  # fmt: skip

    today = reports.today(owner_ctx)

    def figures() -> tuple[object, ...]:
        a = reports.analytics(owner_ctx, today, today)
        rank = [(r.label, r.units.current if r.units else None, r.revenue.current)
                for r in a.products]  # fmt: skip
        ranked = [r.label for r in reports.ranking(owner_ctx, "product", today, today)]
        no_revenue = [name for _id, name, _stock in
                      reports.no_revenue_products(owner_ctx, today, today)]  # fmt: skip
        todo = reports.dashboard(owner_ctx, today, today).todo["no_revenue"]
        return rank, ranked, no_revenue, todo, a.units.current

    assert figures() == (
        [("Áo thun", 2, 200_000), ("Mũ", 1, 50_000)],  # 1 of the first sale, 1 kept of 2
        ["Áo thun", "Mũ"],
        ["Tất"],
        1,
        3,
    )
    reports.rebuild(owner_ctx)  # the summaries rebuilt from the orders say the same
    assert figures()[:3] == ([("Áo thun", 2, 200_000), ("Mũ", 1, 50_000)], ["Áo thun", "Mũ"],
                             ["Tất"])  # fmt: skip
