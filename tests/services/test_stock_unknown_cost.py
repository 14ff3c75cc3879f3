"""Stock with no cost (0: a cost never given, as imported with its stock only) does not
dilute the cost of goods that come with one: nothing is known of what the units on hand
cost, so averaging them in at 0 would make every sale look more profitable than it is.
The stock-in dialog, goods receipts (with or without a purchase order) and joining a SKU
group all take the known cost."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services import sku_groups as groups
from primedist.services import stock as stock_svc
from primedist.services.context import ServiceContext
from tests.factories import make_product

variants_t = table_of(Variant)


def cost_and_stock(engine: Engine, variant_id: int) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(variants_t.c.cost, variants_t.c.stock).where(variants_t.c.id == variant_id)
        ).one()
    return int(row[0]), int(row[1])


def test_stock_in_onto_stock_without_a_cost_takes_the_unit_cost(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (dep,) = make_product(engine, "Dép", [("DEP-1", 100_000, 10)])  # 10 on hand, no cost
    stock_svc.stock_in(owner_ctx, dep, 10, unit_cost=40_000, reason="nhập")
    assert cost_and_stock(engine, dep) == (40_000, 20)
    # Once it has a cost, goods in average with it as always: (20 × 40,000 + 20 × 10,000) / 40.
    stock_svc.stock_in(owner_ctx, dep, 20, unit_cost=10_000)
    assert cost_and_stock(engine, dep) == (25_000, 40)


def test_a_goods_receipt_onto_stock_without_a_cost_takes_its_unit_cost(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (tra,) = make_product(engine, "Trà xanh", [("TRA-1", 100_000, 10)])
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(tra, 10, 60_000)],
                                                supplier="NCC A"))  # fmt: skip
    assert cost_and_stock(engine, tra) == (60_000, 20)  # not (10 × 0 + 10 × 60,000) / 20


def test_a_purchase_order_receipt_onto_stock_without_a_cost_takes_the_order_cost(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (cup,) = make_product(engine, "Cốc", [("COC-1", 45_000, 3)])
    order = po.create_order(
        owner_ctx, po.OrderDraft("Gốm Minh Long", [po.OrderLine(cup, 10, 25_000)])
    )
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cup, 10)],
                                                purchase_order_id=order.id))  # fmt: skip
    assert cost_and_stock(engine, cup) == (25_000, 13)  # not 19,231


def test_joining_a_group_leaves_out_the_units_without_a_cost(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (sp,) = make_product(engine, "Khăn (Shopee)", [("KH-SP", 100_000, 10)])  # no cost
    (tk,) = make_product(engine, "Khăn (Tiki)", [("KH-TK", 100_000, 0)])
    stock_svc.stock_in(owner_ctx, tk, 10, unit_cost=80_000)
    groups.create_group(owner_ctx, "KH", "Khăn", variant_ids=[sp, tk])
    assert [cost_and_stock(engine, v)[0] for v in (sp, tk)] == [80_000, 80_000]  # not 40,000


def test_the_merged_cost_leaves_out_holders_without_a_cost() -> None:
    assert stock_svc.merged_cost([(10, 0), (10, 80_000)]) == 80_000
    assert stock_svc.merged_cost([(10, 0), (5, 80_000), (15, 100_000)]) == 95_000
    # The only stock has no cost, another listing has one: the known one.
    assert stock_svc.merged_cost([(10, 0), (0, 80_000)]) == 80_000
    assert stock_svc.merged_cost([(10, 0), (4, 0)]) == 0  # nothing known anywhere
