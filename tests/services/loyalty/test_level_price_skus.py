"""A level price set by SKU: only live variants count, and a SKU on products of several
shops (the same goods) gets the price on every one of them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Channel
from primedist.domain.loyalty import LevelPrice
from primedist.services import catalogue
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.services.product_status import delete_products
from tests.factories import make_shop


def level_prices(engine: Engine, level_id: int) -> dict[int, int]:
    t = table_of(LevelPrice)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.variant_id, t.c.price).where(t.c.level_id == level_id))
        return {int(v): int(p) for v, p in rows}


def hat(ctx: ServiceContext, name: str, price: int, shop_id: int) -> tuple[int, int]:
    pid = catalogue.create_product(ctx, ProductDraft(
        name=name, variants=[VariantDraft(sku="MU-1", price=price, stock=5)], shop_ids=[shop_id]
    ))  # fmt: skip
    vid = catalogue.get_product(ctx, pid).draft.variants[0].id
    assert vid is not None
    return pid, vid


def test_a_sku_reused_after_its_product_was_deleted(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    shopee = make_shop(engine, "Shopee A", Channel.SHOPEE)
    wholesale = levels.save_level(owner_ctx, name="Khách sỉ", code="SI")
    old, _old_vid = hat(owner_ctx, "Mũ cũ", 50_000, shopee)
    delete_products(owner_ctx, [old])
    _new, new_vid = hat(owner_ctx, "Mũ mới", 60_000, shopee)

    assert levels.set_level_price(owner_ctx, wholesale, "mu-1", 45_000) == [new_vid]
    assert level_prices(engine, wholesale) == {new_vid: 45_000}


def test_a_sku_on_two_shops_gets_the_price_on_both(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    shopee = make_shop(engine, "Shopee A", Channel.SHOPEE)
    lazada = make_shop(engine, "Lazada B", Channel.LAZADA)
    wholesale = levels.save_level(owner_ctx, name="Khách sỉ", code="SI")
    _a, on_shopee = hat(owner_ctx, "Mũ A", 50_000, shopee)
    _b, on_lazada = hat(owner_ctx, "Mũ B", 70_000, lazada)

    assert levels.set_level_price(owner_ctx, wholesale, "MU-1", 40_000) == [on_shopee, on_lazada]
    assert level_prices(engine, wholesale) == {on_shopee: 40_000, on_lazada: 40_000}
    assert levels.set_level_price(owner_ctx, wholesale, "MU-1", None) == [on_shopee, on_lazada]
    assert level_prices(engine, wholesale) == {}
