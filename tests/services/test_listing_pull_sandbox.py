"""Fetching a Shopee shop's listings over real HTTP against the sandbox: the products with
the catalogue's SKUs are linked to their items and models, the rest can be created, and the
app's stock then reaches the platform through the outbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import OutboxStatus
from primedist.sandbox.generator import CatalogueModel
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.services.listing_pull import pull_listings
from primedist.services.outbox_delivery import deliver_outbox, list_actions, retry_action
from primedist.services.stock import stock_in
from tests.factories import linked_sandbox_shop


@pytest.fixture
def sandbox(clock: FixedClock) -> Iterator[ShopeeSandbox]:
    with ShopeeSandbox(SandboxConfig(orders=20, history_days=2), clock=clock) as running:
        yield running


@pytest.fixture
def shop_id(owner_ctx: ServiceContext, sandbox: ShopeeSandbox) -> int:
    return linked_sandbox_shop(owner_ctx, sandbox)


def items_of(sandbox: ShopeeSandbox) -> dict[int, list[CatalogueModel]]:
    items: dict[int, list[CatalogueModel]] = {}
    for m in sandbox.catalogue:
        items.setdefault(m.item_id, []).append(m)
    return items


def model_links(engine: Engine, shop_id: int) -> dict[str, tuple[str | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT v.sku, pl.external_id, vl.external_id FROM variant_listings vl"
            " JOIN product_listings pl ON pl.id = vl.listing_id"
            " JOIN variants v ON v.id = vl.variant_id WHERE pl.shop_id = :s"
        ), {"s": shop_id}).all()  # fmt: skip
    return {sku: (item, model) for sku, item, model in rows}


def variant_id(engine: Engine, sku: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT id FROM variants WHERE sku = :s"),
                                {"s": sku}).scalar_one())  # fmt: skip


def test_the_catalogue_links_by_sku_and_the_app_stock_reaches_shopee(
    owner_ctx: ServiceContext, engine: Engine, sandbox: ShopeeSandbox, shop_id: int
) -> None:
    items = items_of(sandbox)
    with_models = next(ms for ms in items.values() if len(ms) > 1)
    extra = VariantDraft(sku="ONLY-IN-APP", price=99_000, option1="Chỉ có ở cửa hàng")
    create_product(owner_ctx, ProductDraft(
        name="Áo trong app", option1_name="Loại", shop_ids=[shop_id],
        variants=[*(VariantDraft(sku=m.model_sku, price=m.price, stock=30 + n,
                                 option1=m.model_name or m.model_sku)
                    for n, m in enumerate(with_models)), extra],
    ))  # fmt: skip
    deliver_outbox(owner_ctx)  # what the product's creation queued waits for the item id

    report = pull_listings(owner_ctx, shop_id, push_stock=True)

    assert report.items == len(items) and report.models == len(sandbox.catalogue)
    assert report.listings_linked == 1 and report.models_linked == len(with_models)
    assert len(report.unlinked) == len(items) - 1
    links = model_links(engine, shop_id)
    for m in with_models:
        assert links[m.model_sku] == (str(m.item_id), str(m.model_id))
    assert links["ONLY-IN-APP"] == (str(with_models[0].item_id), None)
    assert report.stock_pushes == len(with_models)
    # The earlier pushes (no item id then) are retried by hand; the new ones go at once.
    for action in list_actions(owner_ctx):
        if action.status == OutboxStatus.FAILED:
            retry_action(owner_ctx, action.id)
    delivery = deliver_outbox(owner_ctx)
    assert delivery.failed == 0 and delivery.delivered >= len(with_models), delivery.messages
    for n, m in enumerate(with_models):
        assert sandbox.stock[(m.item_id, m.model_id)] == 30 + n
    # The variant that is not on the item says so instead of pushing to the item itself.
    extra_id = variant_id(engine, "ONLY-IN-APP")
    stock_in(owner_ctx, extra_id, 5)
    deliver_outbox(owner_ctx)
    failed = [a for a in list_actions(owner_ctx) if a.status == OutboxStatus.FAILED]
    assert len(failed) == 1 and "not on the marketplace item" in (failed[0].last_error or "")


def test_create_missing_brings_the_whole_catalogue_and_a_second_fetch_is_a_no_op(
    owner_ctx: ServiceContext, engine: Engine, sandbox: ShopeeSandbox, shop_id: int
) -> None:
    items = items_of(sandbox)
    sandbox.unlisted.add(next(iter(items)))  # unlisted by the seller: still fetched
    report = pull_listings(owner_ctx, shop_id, create_missing=True)

    assert report.unlinked == []
    assert report.products_created == len(items)
    assert report.variants_created == len(sandbox.catalogue)
    links = model_links(engine, shop_id)
    for m in sandbox.catalogue:
        assert links[m.model_sku] == (str(m.item_id), str(m.model_id) if m.model_id else None)
    with engine.connect() as conn:
        stock = dict(conn.execute(sa.text("SELECT sku, stock FROM variants")).all())
        price = dict(conn.execute(sa.text("SELECT sku, price FROM variants")).all())
    for m in sandbox.catalogue:
        assert stock[m.model_sku] == sandbox.stock_of(m.item_id, m.model_id)
        assert price[m.model_sku] == sandbox.prices[(m.item_id, m.model_id)]
    assert report.stock_differs == 0

    again = pull_listings(owner_ctx, shop_id, create_missing=True)
    assert (again.products_created, again.listings_linked, again.models_linked) == (0, 0, 0)
    assert again.already_linked == len(items)


def test_a_lazada_shop_is_fetched_created_and_its_stock_pushed(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    from primedist.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig, sku_id
    from tests.services.test_sync_lazada import LazadaMarket

    with LazadaSandbox(LazadaSandboxConfig(orders=10, history_days=2), clock=clock) as sandbox:
        market = LazadaMarket(owner_ctx, engine, sandbox)
        items = items_of(sandbox)
        report = pull_listings(owner_ctx, market.shop_id, create_missing=True,
                               factory=market.connector)  # fmt: skip
        assert report.unlinked == [] and report.products_created == len(items)
        links = model_links(engine, market.shop_id)
        for m in sandbox.catalogue:
            assert links[m.model_sku] == (str(m.item_id), str(sku_id(m)))
        first = sandbox.catalogue[0]
        on_lazada = sandbox.stock_of(first.item_id, sku_id(first))  # the created stock
        stock_in(owner_ctx, variant_id(engine, first.model_sku), 11)
        delivery = deliver_outbox(owner_ctx, factory=market.connector)
        assert delivery.failed == 0, delivery.messages
        assert sandbox.stock_of(first.item_id, sku_id(first)) == on_lazada + 11
        again = pull_listings(owner_ctx, market.shop_id, factory=market.connector)
        assert (again.listings_linked, again.already_linked) == (0, len(items))
        assert again.stock_differs == 0
