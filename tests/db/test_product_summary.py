"""The summary columns of `products`: ranges, stock counted once per holder, low stock from
the variant, group or shop default level, kept in step by stock moves and the migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db.engine import make_engine
from primedist.db.product_summary import LOW_STOCK_KEY, refresh_product_summaries
from primedist.db.store import upgrade
from primedist.domain.base import table_of
from primedist.domain.product import Product, ProductListing, SkuGroup, Variant
from primedist.domain.settings import ShopParameter
from primedist.services import stock as stock_svc
from primedist.services.context import ServiceContext
from tests.conftest import FIXED_NOW
from tests.factories import make_product, make_shop

products_t = table_of(Product)
variants_t = table_of(Variant)


def summary(engine: Engine, product_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = (
            conn.execute(sa.select(products_t).where(products_t.c.id == product_id))
            .mappings()
            .one()
        )
    keys = ("variant_count", "price_min", "price_max", "discount_min", "discount_max",
            "stock_total", "available_total", "low_stock")  # fmt: skip
    return {k: row[k] for k in keys}


def product_of(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        stmt = sa.select(variants_t.c.product_id).where(variants_t.c.id == variant_id)
        return int(conn.execute(stmt).scalar_one())


def update_variant(engine: Engine, variant_id: int, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(variants_t).where(variants_t.c.id == variant_id).values(**values))
        refresh_product_summaries(conn, [product_of(engine, variant_id)])


def make_group(engine: Engine, stock: int, reserved: int = 0, level: int | None = None) -> int:
    with engine.begin() as conn:
        return int(conn.execute(
            sa.insert(table_of(SkuGroup)).returning(table_of(SkuGroup).c.id),
            {"code": "G1", "name": "G1", "stock": stock, "reserved": reserved,
             "low_stock_level": level, "created_at": FIXED_NOW},
        ).scalar_one())  # fmt: skip


def test_price_discount_ranges_and_stock(engine: Engine) -> None:
    ids = make_product(engine, "Áo thun", [("AO-S", 29_000, 5), ("AO-M", 49_000, 7)])
    update_variant(engine, ids[0], discount_price=25_000, reserved=2)
    assert summary(engine, product_of(engine, ids[0])) == {
        "variant_count": 2, "price_min": 29_000, "price_max": 49_000,
        "discount_min": 25_000, "discount_max": 25_000,
        "stock_total": 12, "available_total": 10, "low_stock": False,
    }  # fmt: skip


def test_inactive_variants_are_left_out(engine: Engine) -> None:
    ids = make_product(engine, "Quần", [("Q-1", 10_000, 1), ("Q-2", 90_000, 9)])
    update_variant(engine, ids[1], is_active=False)
    s = summary(engine, product_of(engine, ids[0]))
    assert (s["variant_count"], s["price_max"], s["stock_total"]) == (1, 10_000, 1)
    assert s["discount_min"] is None


def test_a_group_counts_once_and_its_level_applies(engine: Engine) -> None:
    gid = make_group(engine, stock=20, reserved=3, level=17)
    ids = make_product(engine, "Bình nước", [("BN-1", 50_000, 0), ("BN-2", 50_000, 0)],
                       sku_group_id=gid)  # fmt: skip
    s = summary(engine, product_of(engine, ids[0]))
    assert (s["stock_total"], s["available_total"], s["low_stock"]) == (20, 17, True)


def test_low_stock_from_variant_level_then_shop_default(engine: Engine) -> None:
    ids = make_product(engine, "Mũ", [("MU-1", 10_000, 4)])
    pid = product_of(engine, ids[0])
    assert summary(engine, pid)["low_stock"] is False  # no level anywhere
    shop = make_shop(engine, "Shop A")
    with engine.begin() as conn:
        conn.execute(sa.insert(table_of(ProductListing)),
                     {"product_id": pid, "shop_id": shop, "is_active": True})  # fmt: skip
        conn.execute(sa.insert(table_of(ShopParameter)),
                     {"shop_id": shop, "key": LOW_STOCK_KEY, "value_json": "5",
                      "updated_at": FIXED_NOW})  # fmt: skip
        refresh_product_summaries(conn)
    assert summary(engine, pid)["low_stock"] is True  # 4 <= shop default 5
    update_variant(engine, ids[0], low_stock_level=3)  # the variant's own level wins
    assert summary(engine, pid)["low_stock"] is False


def test_stock_moves_keep_the_summary(owner_ctx: ServiceContext, engine: Engine) -> None:
    ids = make_product(engine, "Kẹp tóc", [("KT-1", 5_000, 2)])
    pid = product_of(engine, ids[0])
    stock_svc.stock_in(owner_ctx, ids[0], 8, reason="Nhập hàng")
    assert summary(engine, pid)["stock_total"] == 10
    stock_svc.apply_stocktake(owner_ctx, {ids[0]: 6}, reason="Kiểm kho")
    assert summary(engine, pid)["available_total"] == 6


def test_grouped_move_refreshes_every_product_of_the_group(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    gid = make_group(engine, stock=10)
    a = make_product(engine, "Shopee listing", [("SP-1", 10_000, 0)], sku_group_id=gid)
    b = make_product(engine, "Lazada listing", [("LZ-1", 10_000, 0)], sku_group_id=gid)
    stock_svc.stock_out(owner_ctx, a[0], 4, reason="Hỏng")
    assert summary(engine, product_of(engine, b[0]))["stock_total"] == 6


def test_migration_fills_summaries_of_an_existing_catalogue(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0002_order_stock")
    with engine.begin() as conn:
        pid = conn.execute(sa.text(
            "INSERT INTO products (name, status, search_text, created_at, updated_at)"
            " VALUES ('Cũ', 'active', 'cu', '2026-01-01', '2026-01-01') RETURNING id"
        )).scalar_one()  # fmt: skip
        conn.execute(sa.text(
            "INSERT INTO variants (product_id, sku, cost, price, stock, reserved, is_active,"
            " created_at, updated_at) VALUES (:p, 'C-1', 0, 15000, 3, 1, 1, '2026-01-01',"
            " '2026-01-01')"
        ), {"p": pid})  # fmt: skip
    upgrade(engine)
    s = summary(engine, pid)
    assert (s["price_min"], s["stock_total"], s["available_total"]) == (15_000, 3, 2)
    engine.dispose()
