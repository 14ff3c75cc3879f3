"""list_shops: every shop with its channel, sorted by name."""

from __future__ import annotations

import sqlalchemy as sa

from primedist.domain.enums import Channel
from primedist.domain.shop import Shop
from primedist.services.context import ServiceContext
from primedist.services.shops import ShopInfo, list_shops
from tests.factories import make_shop


def test_no_shops_is_an_empty_list(ctx: ServiceContext) -> None:
    assert list_shops(ctx) == []


def test_every_shop_sorted_by_name_with_its_channel(owner_ctx: ServiceContext) -> None:
    engine = owner_ctx.engine
    before = {s.name for s in list_shops(owner_ctx)}  # setup may add the counter outlet
    tiki = make_shop(engine, "Tiki Official", Channel.TIKI)
    mall = make_shop(engine, "Shopee Mall", Channel.SHOPEE)
    laz = make_shop(engine, "Lazada Kho", "lazada")
    table = Shop.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:  # inactive shops stay listed: their orders remain
        conn.execute(sa.update(table).where(table.c.id == tiki).values(is_active=False))
    shops = [s for s in list_shops(owner_ctx) if s.name not in before]
    assert shops == [
        ShopInfo(laz, "Lazada Kho", Channel.LAZADA),
        ShopInfo(mall, "Shopee Mall", Channel.SHOPEE),
        ShopInfo(tiki, "Tiki Official", Channel.TIKI),
    ]
    assert all(isinstance(s.channel, Channel) for s in shops)
