"""Home's honesty for a new shop: the gross profit says how much revenue was sold with no
cost price (and the Products list's *No cost price* filter finds those products); a new
shop gets a default low-stock level, so a product sold out counts on Home's Low on stock
as in the Products list's *Low stock* filter, while a shop made before keeps its setting."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.db.product_summary import NEW_SHOP_LOW_STOCK_LEVEL
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, OrderSource, PaymentMethod, Role
from primedist.domain.product import Product, Variant
from primedist.queries.products import ProductFilter, product_filter_clauses
from primedist.services import catalogue, channels, low_stock, reports
from primedist.services import orders as svc
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import Actor, ServiceContext
from tests.factories import make_product, make_shop

products_t = table_of(Product)
variants_t = table_of(Variant)


def sell(ctx: ServiceContext, variant: int, quantity: int) -> int:
    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, quantity),), source=OrderSource.COUNTER,
                           payment_method=PaymentMethod.CASH)  # fmt: skip
    return svc.create_order(ctx, draft).id


def set_cost(engine: Engine, variant: int, cost: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(variants_t).where(variants_t.c.id == variant).values(cost=cost))


def product_of(engine: Engine, variant: int) -> int:
    with engine.connect() as conn:
        stmt = sa.select(variants_t.c.product_id).where(variants_t.c.id == variant)
        return int(conn.execute(stmt).scalar_one())


def filtered(engine: Engine, flt: ProductFilter) -> list[int]:
    with engine.connect() as conn:
        stmt = sa.select(products_t.c.id).where(*product_filter_clauses(flt))
        return sorted(conn.execute(stmt.order_by(products_t.c.id)).scalars())


def summaries(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t: sorted(tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {t}"))
            for t in ("report_order_products", "report_daily_products")
        }


def test_home_says_what_revenue_has_no_cost_and_the_filter_finds_those_products(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (shirt,) = make_product(engine, "Áo", [("AO-1", 100_000, 10)])
    (mug,) = make_product(engine, "Cốc", [("COC-1", 250_000, 10)])
    (vase,) = make_product(engine, "Bình", [("BINH-1", 80_000, 10)])
    set_cost(engine, shirt, 60_000)  # the mug and the vase were synced with no cost
    sell(owner_ctx, shirt, 2)
    sell(owner_ctx, mug, 1)
    vase_order = sell(owner_ctx, vase, 2)
    today = reports.today(owner_ctx)

    home = reports.dashboard(owner_ctx, today, today)
    # 2 × 40,000 on the shirts, the mug's and the vases' whole price as profit.
    assert home.profit is not None and home.profit.current == 80_000 + 250_000 + 160_000
    assert home.no_cost == (250_000 + 160_000, 2)
    assert home.to_json()["no_cost_revenue"] == {"revenue": 410_000, "products": 2}
    no_cost = filtered(engine, ProductFilter(statuses=("no_cost",)))
    assert no_cost == sorted([product_of(engine, mug), product_of(engine, vase)])

    # A vase back: its revenue kept (80,000) is what stays without a cost.
    line = svc.order_detail(owner_ctx, vase_order).lines[0].id or 0
    svc.return_order(owner_ctx, vase_order, {line: 1}, reason="vỡ")
    assert reports.dashboard(owner_ctx, today, today).no_cost == (330_000, 2)
    # A cost given now: the list no longer shows it; the sales made keep their cost (0).
    set_cost(engine, mug, 150_000)
    assert filtered(engine, ProductFilter(statuses=("no_cost",))) == [product_of(engine, vase)]
    assert reports.dashboard(owner_ctx, today, today).no_cost == (330_000, 2)
    sell(owner_ctx, mug, 1)  # a new sale counts its cost
    assert reports.dashboard(owner_ctx, today, today).no_cost == (330_000, 2)

    # Migration 0042 fills the ledgers already there as a rebuild from the orders would.
    before = summaries(engine)
    store.migrate(engine, "0041_order_days_province_carrier", down=True)
    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert summaries(engine) == before
    reports.rebuild(owner_ctx)
    assert summaries(engine) == before


def test_a_user_without_analytics_gets_no_cost_figure(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (mug,) = make_product(engine, "Cốc", [("COC-1", 250_000, 10)])
    sell(owner_ctx, mug, 1)
    today = reports.today(owner_ctx)
    staff = Actor(None, "Lan", "lan@shop.vn", Role.STAFF, frozenset({Module.ORDERS}))
    home = reports.dashboard(owner_ctx.with_actor(staff), today, today)
    assert home.profit is None and home.no_cost is None
    assert home.to_json()["no_cost_revenue"] is None


def test_new_shops_get_a_default_low_stock_level_and_home_counts_as_the_list(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    older = make_shop(engine, "Kho cũ", Channel.LAZADA)  # made before: keeps no level
    shopee = channels.add_shop(owner_ctx, Channel.SHOPEE, name="Gốm Cô Hạnh - Shopee",
                               app_id="123456", app_secret="s3cret-key-0123456789")  # fmt: skip
    levels = {s.name: s.level for s in low_stock.shop_levels(owner_ctx)}
    assert levels == {"Cửa hàng Thử": NEW_SHOP_LOW_STOCK_LEVEL,
                      "Gốm Cô Hạnh - Shopee": NEW_SHOP_LOW_STOCK_LEVEL, "Kho cũ": None}
    counter = next(s.shop_id for s in low_stock.shop_levels(owner_ctx)
                   if s.channel is Channel.OFFLINE)  # fmt: skip

    def product(name: str, sku: str, stock: int, shops: list[int]) -> int:
        return catalogue.create_product(owner_ctx, ProductDraft(
            name=name, shop_ids=shops,
            variants=[VariantDraft(sku=sku, price=100_000, stock=stock)]))  # fmt: skip

    sold_out = product("Bát", "BAT-1", 0, [shopee])
    few = product("Đĩa", "DIA-1", 3, [counter])
    product("Ấm", "AM-1", 40, [counter, shopee])
    product("Chén", "CHEN-1", 0, [older])  # only on the older shop: no level, never low

    today = reports.today(owner_ctx)
    home = reports.dashboard(owner_ctx, today, today)
    low = filtered(engine, ProductFilter(statuses=("low_stock",)))
    assert low == sorted([sold_out, few])
    assert home.todo["low_stock"] == len(low) == 2
    on_shopee = reports.dashboard(owner_ctx, today, today, [shopee]).todo["low_stock"]
    assert on_shopee == len(filtered(engine, ProductFilter(shop_ids=(shopee,),
                                                           statuses=("low_stock",)))) == 1
