"""The first sync of a Shopee shop into an empty catalogue, over real HTTP against the
sandbox: the SKUs its orders sell become one product per Shopee item (its models the
variants), listed on the shop but not linked (nothing pushed to the item), and Fetch
listings then links each of them to its item."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.sandbox.generator import CatalogueModel
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services import sync
from primedist.services.context import ServiceContext
from primedist.services.listing_pull import pull_listings
from primedist.services.outbox_delivery import list_actions
from tests.factories import linked_sandbox_shop


@pytest.fixture
def sandbox(clock: FixedClock) -> Iterator[ShopeeSandbox]:
    with ShopeeSandbox(SandboxConfig(orders=60, history_days=5, seed=7), clock=clock) as running:
        yield running


@pytest.fixture
def shop_id(owner_ctx: ServiceContext, sandbox: ShopeeSandbox) -> int:
    return linked_sandbox_shop(owner_ctx, sandbox)


def sold_variants(engine: Engine) -> dict[str, tuple[int, str, str | None, str | None]]:
    """SKU → (product id, product name, option name, option) of the variants sold."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT DISTINCT v.sku, p.id, p.name, v.option1_name, v.option1 FROM order_lines l"
            " JOIN variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id"
        )).all()  # fmt: skip
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def listings(engine: Engine) -> list[tuple[int, int, str | None, int]]:
    """(product id, shop id, item id, variant listings) of every listing."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(  # type: ignore[misc]
            "SELECT pl.product_id, pl.shop_id, pl.external_id,"
            " (SELECT count(*) FROM variant_listings vl WHERE vl.listing_id = pl.id)"
            " FROM product_listings pl ORDER BY pl.product_id"
        ))]  # fmt: skip


@pytest.mark.parametrize("batch", [200, 3], ids=["one-batch", "batches-of-3"])
def test_first_sync_makes_one_product_per_item_that_fetch_listings_then_links(
    owner_ctx: ServiceContext, engine: Engine, sandbox: ShopeeSandbox, shop_id: int,
    clock: FixedClock, batch: int, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # Batches of 3 orders: an item's models mostly arrive in different batches.
    monkeypatch.setattr(sync, "BATCH_ORDERS", batch)
    report = sync.sync_shop(owner_ctx, shop_id)
    assert report.outcome == "ok", report.message
    assert report.inserted == 60

    model_of: dict[str, CatalogueModel] = {m.model_sku: m for m in sandbox.catalogue}
    sold = sold_variants(engine)
    items: dict[int, set[int]] = {}  # item id → the products its models' SKUs are on
    for sku, (pid, name, option_name, option) in sold.items():
        model = model_of[sku]
        items.setdefault(model.item_id, set()).add(pid)
        assert name == model.item_name
        if model.model_id:  # a model of an item with variations: its name is the option
            assert (option_name, option) == ("Phân loại", model.model_name)
        else:
            assert (option_name, option) == (None, None)
    assert any(
        sum(1 for m in model_of.values() if m.item_id == item and m.model_sku in sold) > 1
        for item in items
    ), "no item sold two models: the sandbox's seed does not test the grouping"
    assert all(len(products) == 1 for products in items.values())  # one product per item
    products = {pid for found in items.values() for pid in found}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM products")).scalar_one() == len(items)
    # Listed on the shop (the Products list's Shop column), not linked: nothing is pushed.
    assert listings(engine) == [(pid, shop_id, None, 0) for pid in sorted(products)]
    with engine.connect() as conn:
        listed = conn.execute(sa.text("SELECT listed_shops FROM products")).scalars().all()
    assert set(listed) == {f",{shop_id},u{shop_id},"}
    assert list_actions(owner_ctx) == []

    pulled = pull_listings(owner_ctx, shop_id)

    assert pulled.listings_linked == len(items)
    assert pulled.models_linked == len(sold)
    assert not [u for u in pulled.unlinked if u.item_id in {str(i) for i in items}]
    found = {pid: item for pid, _shop, item, _n in listings(engine)}
    for sku, (pid, *_rest) in sold.items():
        assert found[pid] == str(model_of[sku].item_id)
    with engine.connect() as conn:
        models = dict(conn.execute(sa.text(
            "SELECT v.sku, vl.external_id FROM variant_listings vl"
            " JOIN variants v ON v.id = vl.variant_id"
        )).all())  # type: ignore[arg-type]  # fmt: skip
    assert models == {sku: str(model_of[sku].model_id) if model_of[sku].model_id else None
                      for sku in sold}  # fmt: skip

    # A second sync of the same orders makes nothing more.
    again = sync.sync_shop(owner_ctx, shop_id, since=clock.now() - timedelta(days=6),
                           advance_checkpoint=False)  # fmt: skip
    assert again.outcome == "ok", again.message
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM products")).scalar_one() == len(items)
