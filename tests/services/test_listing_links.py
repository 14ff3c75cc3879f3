"""Published listings learn their marketplace ids from synced orders (over real HTTP
against the Shopee sandbox): the product the owner ticked for the shop gets the item and
model ids its orders name, its stock and prices are sent then and its next stock change
reaches the platform; a product not published there gets nothing; a listing already linked
is never changed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.product import ProductListing, VariantListing
from primedist.sandbox.generator import CatalogueModel
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.services.listing_links import fill_listing_ids
from primedist.services.outbox_delivery import deliver_outbox, list_actions
from primedist.services.stock import stock_in
from tests.services.test_sync import Market

listings_t = table_of(ProductListing)
variant_listings_t = table_of(VariantListing)


@pytest.fixture
def market(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    sandbox = ShopeeSandbox(SandboxConfig(orders=300, history_days=10, future_days=2, seed=5),
                            clock=clock)  # fmt: skip
    sandbox.start()
    try:
        yield Market(owner_ctx, engine, sandbox)
    finally:
        sandbox.stop()


def product_of(ctx: ServiceContext, models: list[CatalogueModel], shop_ids: list[int]) -> int:
    several = len(models) > 1
    variants = [VariantDraft(sku=m.model_sku, price=m.price,
                             option1=(m.model_name or m.model_sku) if several else None)
                for m in models]  # fmt: skip
    draft = ProductDraft(name=models[0].item_name, option1_name="Loại" if several else None,
                         variants=variants, shop_ids=shop_ids)  # fmt: skip
    return create_product(ctx, draft)


def links(engine: Engine, product_id: int) -> tuple[str | None, dict[str, str | None]]:
    """(the listing's item id, {sku: model id}) of the product's listing."""
    with engine.connect() as conn:
        item = conn.execute(
            sa.select(listings_t.c.external_id).where(listings_t.c.product_id == product_id)
        ).scalar_one()  # fmt: skip
        models = conn.execute(sa.text(
            "SELECT v.sku, vl.external_id FROM variant_listings vl"
            " JOIN variants v ON v.id = vl.variant_id WHERE v.product_id = :p"
        ), {"p": product_id}).all()  # fmt: skip
    return item, dict(models)


def ordered_skus(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text("SELECT DISTINCT sku FROM order_lines")).scalars())


def test_a_published_product_learns_its_ids_and_its_stock_reaches_the_platform(
    market: Market, owner_ctx: ServiceContext, engine: Engine
) -> None:
    catalogue = market.sandbox.catalogue
    sold = {m.model_sku for m in catalogue}
    items: dict[int, list[CatalogueModel]] = {}
    for m in catalogue:
        items.setdefault(m.item_id, []).append(m)
    with_models = next(ms for ms in items.values() if len(ms) > 1)
    other = next(ms for ms in items.values() if ms is not with_models)
    published = product_of(owner_ctx, with_models, [market.shop_id])
    not_published = product_of(owner_ctx, other, [])
    # Nothing is queued for it yet: the app does not create items on the platform.
    assert list_actions(owner_ctx) == []
    early = deliver_outbox(owner_ctx, factory=market.connector)
    assert (early.delivered, early.failed) == (0, 0)
    assert links(engine, published) == (None, dict.fromkeys(m.model_sku for m in with_models))
    assert all(m.model_sku in sold for m in with_models)

    report = market.sync()
    assert report.outcome == "ok" and report.listings_linked == 1
    assert "; 1 listings linked to their marketplace ids (" in report.summary()
    item, models = links(engine, published)
    assert item == str(with_models[0].item_id)
    with engine.connect() as conn:  # the Products list's "Not linked" mark went with it
        key = conn.execute(sa.text("SELECT listed_shops FROM products WHERE id = :p"),
                           {"p": published}).scalar_one()  # fmt: skip
    assert key == f",{market.shop_id},"
    ordered = ordered_skus(engine)
    assert models == {m.model_sku: str(m.model_id) if m.model_sku in ordered else None
                      for m in with_models}  # fmt: skip
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(listings_t).where(
            listings_t.c.product_id == not_published)).scalar_one() == 0  # fmt: skip

    # Linked, it gets the product's prices and each learnt model its stock (0: history
    # orders move none), once.
    sku = next(m for m in with_models if m.model_sku in ordered)
    market.sandbox.stock[(sku.item_id, sku.model_id)] = 55
    linked = deliver_outbox(owner_ctx, factory=market.connector)
    learnt = sum(1 for m in with_models if m.model_sku in ordered)
    assert (linked.delivered, linked.failed) == (1 + learnt, 0), linked.messages
    assert market.sandbox.stock[(sku.item_id, sku.model_id)] == 0
    assert market.sandbox.prices[(sku.item_id, sku.model_id)] == sku.price
    assert deliver_outbox(owner_ctx, factory=market.connector).delivered == 0
    # The next stock change of the published variant reaches Shopee.
    with engine.connect() as conn:
        vid = conn.execute(sa.text("SELECT id FROM variants WHERE sku = :s"),
                           {"s": sku.model_sku}).scalar_one()  # fmt: skip
    stock_in(owner_ctx, vid, 7)
    delivered = deliver_outbox(owner_ctx, factory=market.connector)
    assert (delivered.delivered, delivered.failed) == (1, 0)
    assert market.sandbox.stock[(sku.item_id, sku.model_id)] == 7
    assert market.sync().listings_linked == 0  # nothing left to learn


def test_a_linked_listing_is_kept_and_an_item_id_already_used_is_left_alone(
    market: Market, owner_ctx: ServiceContext, engine: Engine
) -> None:
    catalogue = market.sandbox.catalogue
    first, second = catalogue[0], next(m for m in catalogue if m.item_id != catalogue[0].item_id)
    mine = product_of(owner_ctx, [first], [market.shop_id])
    twin = product_of(owner_ctx, [second], [market.shop_id])
    with engine.begin() as conn:
        conn.execute(listings_t.update().where(listings_t.c.product_id == mine)
                     .values(external_id="111"))  # fmt: skip
        vids: dict[str, int] = dict(conn.execute(sa.text("SELECT sku, id FROM variants")).all())
        # The twin's variant was sold under the item id another listing holds: left alone.
        assert fill_listing_ids(conn, market.shop_id, {
            vids[first.model_sku]: (str(first.item_id), None),
            vids[second.model_sku]: ("111", None),
        }, owner_ctx.clock.now()) == 0  # fmt: skip
    assert links(engine, mine)[0] == "111" and links(engine, twin)[0] is None
