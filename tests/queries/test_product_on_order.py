"""The Products list's "On order" of a product whose variant shares its stock with members
of a SKU group in other products: what open purchase orders bring to that one stock,
whichever member was ordered (as the purchase orders count it), each line once; on
SQLite the list's subquery seeks indexes only."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from primedist.domain.base import table_of
from primedist.domain.product import Product, Variant
from primedist.queries.products import PRODUCTS_SPEC
from primedist.queries.spec import fetch_rows
from primedist.queries.stock import product_on_order
from primedist.services import purchase_orders as po
from primedist.services.context import ServiceContext
from tests.factories import make_grouped_pair, make_product

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
ON_ORDER = [c.key for c in PRODUCTS_SPEC.columns].index("on_order")


def product_of(ctx: ServiceContext, variant_id: int) -> int:
    v = table_of(Variant).c
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(v.product_id).where(v.id == variant_id)).scalar_one())


def listed(ctx: ServiceContext, product_ids: list[int]) -> list[int]:
    with ctx.engine.connect() as conn:
        rows = fetch_rows(conn, PRODUCTS_SPEC, product_ids)
    return [int(rows[p][ON_ORDER]) for p in product_ids]


def test_a_grouped_products_on_order_counts_its_groups_other_members(owner_ctx):
    _group, cap_a, cap_b = make_grouped_pair(owner_ctx.engine)
    # A third product: one variant in the caps' group, one of its own.
    cap_c, scarf = make_product(owner_ctx.engine, "Mũ và khăn",
                                [("MU-C", 50_000, 0), ("KHAN-1", 90_000, 0)])  # fmt: skip
    v = table_of(Variant).c
    with owner_ctx.engine.begin() as conn:
        conn.execute(sa.update(table_of(Variant)).where(v.id == cap_c)
                     .values(sku_group_id=_group))  # fmt: skip
    a, b, c = (product_of(owner_ctx, x) for x in (cap_a, cap_b, cap_c))
    assert listed(owner_ctx, [a, b, c]) == [0, 0, 0]
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [po.OrderLine(cap_b, 10, 28_000)]))
    # MU-B's 10 fill the stock MU-A and MU-C sell from too: on order for all three products.
    assert listed(owner_ctx, [a, b, c]) == [10, 10, 10]
    with owner_ctx.engine.connect() as conn:
        assert po.on_order(conn, [cap_a, cap_b, cap_c]) == {cap_a: 10, cap_b: 10, cap_c: 10}
    # The product's own ungrouped variant adds its lines; a line of the group counts once
    # for the product even when two of its variants are in it.
    more = [po.OrderLine(scarf, 3), po.OrderLine(cap_a, 2)]
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", more))
    assert listed(owner_ctx, [a, b, c]) == [12, 12, 15]
    with owner_ctx.engine.begin() as conn:  # MU-A and MU-C in one product now
        conn.execute(sa.update(table_of(Variant)).where(v.id == cap_a).values(product_id=c))
    assert listed(owner_ctx, [b, c]) == [12, 15]


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_the_on_order_subquery_seeks_indexes(owner_ctx):
    make_grouped_pair(owner_ctx.engine)
    p = table_of(Product).c
    stmt = sa.select(p.id, product_on_order(p.id)).where(p.id.in_([1, 2]))
    sql = str(stmt.compile(owner_ctx.engine, compile_kwargs={"literal_binds": True}))
    with owner_ctx.engine.connect() as conn:
        plan = [str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    # Correlated to the listed product (not a product table of its own), every table
    # reached through an index: no scan of variants or order lines for each product.
    assert "FROM variants AS own, products" not in sql, sql
    assert not [line for line in plan if line.startswith("SCAN")], plan
    assert any("ix_variants_product_id" in line for line in plan), plan
    assert any("ix_purchase_order_lines_variant_id" in line for line in plan), plan
