"""Migration 0029 (unlinked listings): the products stored before it get the "u" marks of
their marketplace listings without an item id in `listed_shops`, exactly what the product
summaries write; down takes them off again."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.db.product_summary import refresh_product_summaries
from tests.factories import make_catalogue_product, make_shop


def listed(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, listed_shops FROM products"))
        return {int(pid): str(key) for pid, key in rows}


def test_upgrade_marks_the_unlinked_listings_as_the_summaries_do(engine: Engine) -> None:
    shopee, counter = make_shop(engine, "Shopee", "shopee"), make_shop(engine, "Quầy", "offline")
    lazada = make_shop(engine, "Lazada", "lazada")
    linked = make_catalogue_product(engine, "Áo", [("AO-1", 1, None, 1)], shop_ids=(shopee,))
    both = make_catalogue_product(engine, "Quần", [("Q-1", 1, None, 1)],
                                  shop_ids=(shopee, lazada, counter))  # fmt: skip
    none = make_catalogue_product(engine, "Mũ", [("MU-1", 1, None, 1)], shop_ids=(counter,))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE product_listings SET external_id = 'I' || id "
                             "WHERE product_id = :p OR (product_id = :q AND shop_id = :s)"),
                     {"p": linked, "q": both, "s": shopee})  # fmt: skip
        refresh_product_summaries(conn)
    expected = listed(engine)
    assert expected[linked] == f",{shopee},"
    shops = ",".join(map(str, sorted((shopee, lazada, counter))))
    assert expected[both] == f",{shops},u{lazada},"  # linked on Shopee; a counter has no item
    assert expected[none] == f",{counter},"

    store.migrate(engine, "0028_gross_profit", down=True)
    assert all("u" not in key for key in listed(engine).values())
    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert listed(engine) == expected
