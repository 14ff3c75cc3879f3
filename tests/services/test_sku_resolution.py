"""Which variant an order line's SKU names (sync, Seller Center and order import), and the
product form's rule that keeps two rows of one product from sharing a SKU; through the real
services on a migrated database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, OrderStatus
from primedist.errors import ValidationError
from primedist.services import catalogue
from primedist.services.catalogue import ProductDraft, VariantDraft, variant_field
from primedist.services.context import ServiceContext
from primedist.services.order_import import import_orders
from primedist.services.product_status import delete_products
from primedist.services.sync_writer import ShopRef, write_batch
from tests.factories import make_shop
from tests.services.test_order_import import BASE, write_csv
from tests.services.test_sync_writer import remote

SKU = "BGN-500"


def _shop(engine: Engine, name: str, channel: Channel) -> ShopRef:
    return ShopRef(make_shop(engine, name, channel), name, channel)


def _product(ctx: ServiceContext, name: str, sku: str, stock: int, *shops: ShopRef) -> int:
    """A product of one variant made in the product form; returns the variant id."""
    pid = catalogue.create_product(ctx, ProductDraft(
        name=name, variants=[VariantDraft(sku=sku, price=150_000, stock=stock)],
        shop_ids=[s.id for s in shops]))  # fmt: skip
    (vid,) = catalogue.get_product(ctx, pid).draft.variants
    assert vid.id is not None
    return vid.id


def _product_of(engine: Engine, vid: int) -> int:
    with engine.connect() as conn:
        pid = conn.execute(sa.text("SELECT product_id FROM variants WHERE id = :v"), {"v": vid})
        return int(pid.scalar_one())


def _sync(ctx: ServiceContext, clock: FixedClock, shop: ShopRef, sn: str, sku: str, qty: int,
          status: OrderStatus = OrderStatus.PENDING) -> None:  # fmt: skip
    """One order of `shop` through the sync's writer; it moves stock (placed after the
    shop's first sync)."""
    order = remote(sn, status, clock, lines=((sku, qty, 150_000),), buyer=f"b-{sn}")
    with ctx.uow() as session:
        write_batch(ctx, session.connection(), shop, [order],
                    stock_since=clock.now() - timedelta(days=1))  # fmt: skip


def _held(engine: Engine, *vids: int) -> list[tuple[int, int]]:
    """(stock, reserved) of each variant."""
    with engine.connect() as conn:
        stmt = sa.text("SELECT id, stock, reserved FROM variants")
        rows = {vid: (stock, reserved) for vid, stock, reserved in conn.execute(stmt)}
    return [rows[v] for v in vids]


def _line_variant(engine: Engine, external_id: str) -> tuple[int, str]:
    """(variant id, SKU) of the order's only line."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT l.variant_id, l.sku FROM order_lines l JOIN orders o "
                    "ON o.id = l.order_id WHERE o.external_id = :x"), {"x": external_id},
        ).one()  # fmt: skip
    return int(row[0]), str(row[1])


def _products(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM products")).scalar_one())


# The sync (and Seller Center import, which writes with it) -------------------------------


def test_a_sku_freed_by_deleting_a_product_reserves_on_the_new_product(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    shopee = _shop(engine, "Shopee A", Channel.SHOPEE)
    old = _product(owner_ctx, "Áo sơ mi", "ASML-DEN-S", 10, shopee)
    _sync(owner_ctx, clock, shopee, "S1", "ASML-DEN-S", 1, OrderStatus.COMPLETED)
    assert delete_products(owner_ctx, [_product_of(engine, old)]).archived == 1
    new = _product(owner_ctx, "Áo sơ mi mới", "ASML-DEN-S", 50, shopee)

    _sync(owner_ctx, clock, shopee, "S2", "ASML-DEN-S", 3)

    assert _held(engine, old, new) == [(9, 0), (50, 3)]
    assert _line_variant(engine, "S2") == (new, "ASML-DEN-S")


def test_a_sku_on_products_of_two_shops_reserves_on_the_ordering_shops_product(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    lazada = _shop(engine, "Lazada A", Channel.LAZADA)
    shopee = _shop(engine, "Shopee A", Channel.SHOPEE)
    tiktok = _shop(engine, "TikTok A", Channel.TIKTOK)
    on_lazada = _product(owner_ctx, "Bình giữ nhiệt (Lazada)", SKU, 5, lazada)
    on_shopee = _product(owner_ctx, "Bình giữ nhiệt (Shopee)", SKU, 80, shopee, tiktok)

    _sync(owner_ctx, clock, shopee, "S1", SKU, 4)
    _sync(owner_ctx, clock, lazada, "L1", SKU, 1)
    _sync(owner_ctx, clock, tiktok, "T1", SKU, 2)  # its second shop counts as well

    assert _held(engine, on_lazada, on_shopee) == [(5, 1), (80, 6)]
    assert _line_variant(engine, "S1") == (on_shopee, SKU)
    assert _line_variant(engine, "L1") == (on_lazada, SKU)
    assert _line_variant(engine, "T1") == (on_shopee, SKU)


def test_a_variant_removed_from_the_form_yields_its_sku_to_an_active_one(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    """A sold variant left out of the form stays, inactive; a product of the same shop
    takes its SKU (allowed: only active variants count), and the next order is its."""
    shopee = _shop(engine, "Shopee A", Channel.SHOPEE)
    pid = catalogue.create_product(owner_ctx, ProductDraft(
        name="Áo thun", option1_name="Size",
        variants=[VariantDraft(sku="AO-S", option1="S", price=100_000, stock=5),
                  VariantDraft(sku="AO-M", option1="M", price=100_000, stock=5)],
        shop_ids=[shopee.id]))  # fmt: skip
    _sync(owner_ctx, clock, shopee, "S1", "AO-S", 1, OrderStatus.COMPLETED)
    draft = catalogue.get_product(owner_ctx, pid).draft
    removed = draft.variants[0].id
    assert removed is not None
    draft.variants = draft.variants[1:]
    catalogue.update_product(owner_ctx, pid, draft)
    other = _product(owner_ctx, "Áo thun S", "AO-S", 7, shopee)

    _sync(owner_ctx, clock, shopee, "S2", "AO-S", 2)

    assert _held(engine, removed, other) == [(4, 0), (7, 2)]
    assert _line_variant(engine, "S2") == (other, "AO-S")


def test_a_sku_only_on_a_deleted_product_still_names_it(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    """No active variant: an order of it (an old one, fetched again) names the archived
    variant rather than making a twin product."""
    shopee = _shop(engine, "Shopee A", Channel.SHOPEE)
    old = _product(owner_ctx, "Áo sơ mi", "ASML-DEN-S", 10, shopee)
    _sync(owner_ctx, clock, shopee, "S1", "ASML-DEN-S", 1, OrderStatus.COMPLETED)
    delete_products(owner_ctx, [_product_of(engine, old)])
    products = _products(engine)

    _sync(owner_ctx, clock, shopee, "S0", "ASML-DEN-S", 2, OrderStatus.COMPLETED)

    assert _line_variant(engine, "S0") == (old, "ASML-DEN-S")
    assert _products(engine) == products


# The order import -------------------------------------------------------------------------


def _row(order_id: str, shop: str, sku: str) -> dict[str, str]:
    return {**BASE, "order_id": order_id, "shop": shop, "channel": "", "sku": sku,
            "discount": "0"}  # fmt: skip


def test_import_names_the_variant_of_the_rows_shop(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    lazada = _shop(engine, "Lazada A", Channel.LAZADA)
    shopee = _shop(engine, "Shopee A", Channel.SHOPEE)
    on_lazada = _product(owner_ctx, "Bình giữ nhiệt (Lazada)", SKU, 5, lazada)
    on_shopee = _product(owner_ctx, "Bình giữ nhiệt (Shopee)", SKU, 80, shopee)
    rows = [_row("DH1", shopee.name, SKU), _row("DH2", lazada.name, SKU)]

    report = import_orders(owner_ctx, write_csv(tmp_path / "orders.csv", rows))

    assert (report.orders_inserted, report.products_created) == (2, 0)
    assert _line_variant(engine, "DH1") == (on_shopee, SKU)
    assert _line_variant(engine, "DH2") == (on_lazada, SKU)


def test_import_names_an_active_variant_before_a_deleted_one(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    """In the same letter case or another one (the line then takes the active SKU's)."""
    shopee = _shop(engine, "Shopee A", Channel.SHOPEE)
    old = _product(owner_ctx, "Áo sơ mi", "ao-1", 10, shopee)
    reused = _product(owner_ctx, "Quần", "QJ-30", 10, shopee)
    _sync(owner_ctx, clock, shopee, "S1", "ao-1", 1, OrderStatus.COMPLETED)
    _sync(owner_ctx, clock, shopee, "S2", "QJ-30", 1, OrderStatus.COMPLETED)
    delete_products(owner_ctx, [_product_of(engine, old), _product_of(engine, reused)])
    new = _product(owner_ctx, "Áo sơ mi mới", "AO-1", 10, shopee)
    new_qj = _product(owner_ctx, "Quần mới", "QJ-30", 10, shopee)
    rows = [_row("DH1", shopee.name, "Ao-1"), _row("DH2", shopee.name, "QJ-30")]

    report = import_orders(owner_ctx, write_csv(tmp_path / "orders.csv", rows))

    assert (report.orders_inserted, report.products_created) == (2, 0)
    assert _line_variant(engine, "DH1") == (new, "AO-1")
    assert _line_variant(engine, "DH2") == (new_qj, "QJ-30")


def test_import_of_an_old_order_names_the_deleted_products_variant(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    shopee = _shop(engine, "Shopee A", Channel.SHOPEE)
    old = _product(owner_ctx, "Áo sơ mi", "ASML-DEN-S", 10, shopee)
    _sync(owner_ctx, clock, shopee, "S1", "ASML-DEN-S", 1, OrderStatus.COMPLETED)
    delete_products(owner_ctx, [_product_of(engine, old)])
    products = _products(engine)

    rows = [_row("DH1", shopee.name, "asml-den-s"), _row("DH2", shopee.name, "ASML-DEN-S")]
    report = import_orders(owner_ctx, write_csv(tmp_path / "orders.csv", rows))

    assert (report.orders_inserted, report.products_created) == (2, 0)
    assert _line_variant(engine, "DH1") == (old, "ASML-DEN-S")
    assert _line_variant(engine, "DH2") == (old, "ASML-DEN-S")
    assert _products(engine) == products


# The product form -------------------------------------------------------------------------


@pytest.fixture
def sold_shirt(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> int:
    """A product of AO-S (sold) and AO-M (never sold); returns its id."""
    shopee = _shop(engine, "Shopee A", Channel.SHOPEE)
    pid = catalogue.create_product(owner_ctx, ProductDraft(
        name="Áo thun", option1_name="Size",
        variants=[VariantDraft(sku="AO-S", option1="S", price=100_000, stock=5),
                  VariantDraft(sku="AO-M", option1="M", price=100_000, stock=5)],
        shop_ids=[shopee.id]))  # fmt: skip
    _sync(owner_ctx, clock, shopee, "S1", "AO-S", 1, OrderStatus.COMPLETED)
    return pid


def _skus(engine: Engine, pid: int) -> list[tuple[str, bool]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT sku, is_active FROM variants WHERE product_id = :p ORDER BY id"),
            {"p": pid},
        )
        return [(sku, bool(active)) for sku, active in rows]


def test_a_removed_variants_sku_is_refused_to_another_variant_of_the_product(
    owner_ctx: ServiceContext, engine: Engine, sold_shirt: int
) -> None:
    draft = catalogue.get_product(owner_ctx, sold_shirt).draft
    draft.variants = draft.variants[1:]  # AO-S was sold: it stays, inactive
    catalogue.update_product(owner_ctx, sold_shirt, draft)

    said_of = {
        "AO-S": "SKU AO-S is that of a variant removed",
        "ao-s": "differs only in letter case from SKU AO-S of a variant removed",
    }
    for sku, said in said_of.items():
        renamed = catalogue.get_product(owner_ctx, sold_shirt).draft
        renamed.variants[0].sku = sku  # AO-M takes it
        with pytest.raises(ValidationError) as err:
            catalogue.update_product(owner_ctx, sold_shirt, renamed)
        assert err.value.field == variant_field(0, "sku")
        assert said in str(err.value)

        added = catalogue.get_product(owner_ctx, sold_shirt).draft
        added.variants.append(VariantDraft(sku=sku, option1="S", price=100_000))
        with pytest.raises(ValidationError) as err:
            catalogue.update_product(owner_ctx, sold_shirt, added)
        assert err.value.field == variant_field(1, "sku")
    assert _skus(engine, sold_shirt) == [("AO-S", False), ("AO-M", True)]

    # The product's other changes still save; a new SKU is fine.
    draft = catalogue.get_product(owner_ctx, sold_shirt).draft
    draft.variants.append(VariantDraft(sku="AO-S2", option1="S", price=100_000))
    catalogue.update_product(owner_ctx, sold_shirt, draft)
    assert _skus(engine, sold_shirt) == [("AO-S", False), ("AO-M", True), ("AO-S2", True)]


def test_a_row_replaced_in_one_save_keeps_its_sku_only_when_the_old_row_goes(
    owner_ctx: ServiceContext, engine: Engine, sold_shirt: int
) -> None:
    """Removing a sold row and adding one of its SKU would leave two rows of that SKU;
    a never-sold row is deleted, so its SKU may come back on a new row."""
    draft = catalogue.get_product(owner_ctx, sold_shirt).draft
    draft.variants = [draft.variants[1], VariantDraft(sku="AO-S", option1="S", price=100_000)]
    with pytest.raises(ValidationError) as err:
        catalogue.update_product(owner_ctx, sold_shirt, draft)
    assert err.value.field == variant_field(1, "sku")

    draft = catalogue.get_product(owner_ctx, sold_shirt).draft
    draft.variants = [draft.variants[0], VariantDraft(sku="AO-M", option1="M", price=90_000)]
    catalogue.update_product(owner_ctx, sold_shirt, draft)
    assert _skus(engine, sold_shirt) == [("AO-S", True), ("AO-M", True)]
