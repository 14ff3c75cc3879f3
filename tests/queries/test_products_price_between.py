"""The price filter matches a product with some active variant priced in the range, not
one whose cheapest and dearest prices merely straddle it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db.product_summary import refresh_product_summaries
from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.queries.products import ProductFilter
from tests.factories import make_catalogue_product
from tests.queries.test_products_query import Cat


def test_a_price_range_needs_a_variant_priced_inside_it(engine: Engine) -> None:
    ids = {
        "ly": make_catalogue_product(engine, "Ly thủy tinh",
                                     [("LY-NHO", 29_000, None, 1), ("LY-LON", 99_000, None, 1)]),
        "binh": make_catalogue_product(engine, "Bình nước", [("BINH", 45_000, None, 1)]),
        "coc": make_catalogue_product(engine, "Cốc sứ", [("COC-S", 20_000, None, 1),
                                      ("COC-M", 50_000, None, 1), ("COC-L", 120_000, None, 1)]),
        "chen": make_catalogue_product(engine, "Chén", [("CHEN-S", 29_000, None, 1),
                                       ("CHEN-M", 50_000, None, 1), ("CHEN-L", 99_000, None, 1)]),
        "dia": make_catalogue_product(engine, "Đĩa", [("DIA-S", 30_000, None, 1),
                                      ("DIA-L", 60_000, None, 1)]),
    }  # fmt: skip
    v = table_of(Variant).c
    with engine.begin() as conn:  # Chén's 50,000 variant no longer sold: it does not count
        conn.execute(sa.update(table_of(Variant)).where(v.sku == "CHEN-M").values(is_active=False))
        refresh_product_summaries(conn, [ids["chen"]])
    cat = Cat(engine, 0, 0, 0, ids)
    assert cat.names(ProductFilter(price_min=40_000, price_max=60_000)) == {"binh", "coc", "dia"}
    assert cat.names(ProductFilter(price_min=40_000, price_max=49_000)) == {"binh"}
    assert cat.names(ProductFilter(price_min=100_000)) == {"coc"}
    assert cat.names(ProductFilter(price_max=25_000)) == {"coc"}
    assert cat.names(ProductFilter(price_min=99_000, price_max=99_000)) == {"ly", "chen"}
