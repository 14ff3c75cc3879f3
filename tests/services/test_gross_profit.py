"""Gross profit: each order line keeps the cost of a unit when it was sold (the variant's
average cost then), and the Analytics figure, product rank and series add up the profit
of the units kept, through real sales, a goods receipt that moves the average cost, a
partial return and a rebuild of the summaries."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services import goods_receipts as gr
from primedist.services import orders as svc
from primedist.services import reports
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
