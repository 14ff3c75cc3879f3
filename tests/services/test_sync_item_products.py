"""The products the sync makes for SKUs the catalogue lacks are found again by their
marketplace item, never by name: two items of one name sold in different batches stay two
products, a renamed item keeps its product, and a model added to an item after Fetch
listings linked it becomes a variant of that item's product (linked at the next fetch)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors.base import (
    Action,
    RemoteAddress,
    RemoteBuyer,
    RemoteItem,
    RemoteModel,
    RemoteOrder,
    RemoteOrderLine,
)
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, OrderStatus, PaymentMethod
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.services.listing_pull import pull_listings
from primedist.services.sync_writer import BatchResult, ShopRef, write_batch
from tests.factories import make_shop

#: (SKU, item id, model id, item name, model name) of a line.
Line = tuple[str, str, str | None, str, str | None]


class Listed:
    """A connector that lists `items` (and nothing else)."""

    capabilities = frozenset({Action.LIST_ITEMS})

    def __init__(self, *items: RemoteItem) -> None:
        self.items = items

    def listed_items(self) -> Iterator[RemoteItem]:
        yield from self.items

    def close(self) -> None:
        pass


@pytest.fixture
def shop(engine: Engine) -> ShopRef:
    return ShopRef(make_shop(engine, "Shopee Thời Trang"), "Shopee Thời Trang", Channel.SHOPEE)


def sell(
    ctx: ServiceContext, shop: ShopRef, clock: FixedClock, sn: str, *lines: Line
) -> BatchResult:
    """One batch of the sync: order `sn`, open, with one unit of each line."""
    now: datetime = clock.now()
    items = tuple(
        RemoteOrderLine(sku=sku, product_name=name, variant_name=model, quantity=1,
                        unit_price=150_000, item_id=item, model_id=model_id)
        for sku, item, model_id, name, model in lines
    )  # fmt: skip
    subtotal = sum(i.subtotal for i in items)
    order = RemoteOrder(
        external_id=sn, status=OrderStatus.PENDING, raw_status="READY_TO_SHIP",
        created_at=now - timedelta(minutes=5), updated_at=now, payment_method=PaymentMethod.COD,
        buyer=RemoteBuyer(external_id=f"b-{sn}", name="Lan", phone=None),
        address=RemoteAddress(name="Lan", phone=None, address="12 Lê Lợi",
                              province="Hồ Chí Minh"),
        lines=items, subtotal=subtotal, total=subtotal,
    )  # fmt: skip
    with ctx.uow(write=True) as session:
        return write_batch(ctx, session.connection(), shop, [order], stock_since=now - timedelta(1))


def variants(engine: Engine) -> dict[str, tuple[int, str, str | None, str | None, str | None]]:
    """SKU → (product id, product name, option1, option2, model id on the shop's listing)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT v.sku, p.id, p.name, v.option1, v.option2, vl.external_id FROM variants v"
            " JOIN products p ON p.id = v.product_id"
            " LEFT JOIN variant_listings vl ON vl.variant_id = v.id"
        )).all()  # fmt: skip
    return {r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in rows}


def listings(engine: Engine) -> dict[int, str | None]:
    """Product id → the item id of its listing."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT product_id, external_id FROM product_listings"))
        return {int(pid): item for pid, item in rows}


def stock_pushes(engine: Engine) -> int:
    with engine.connect() as conn:
        query = "SELECT count(*) FROM outbox_messages WHERE kind LIKE 'stock%'"
        return int(conn.execute(sa.text(query)).scalar_one())


def test_two_items_of_one_name_sold_in_different_batches_stay_two_products(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, shop: ShopRef
) -> None:
    sell(owner_ctx, shop, clock, "S1", ("TT-TRANG", "111", "1", "Áo thun", "Trắng"))
    sell(owner_ctx, shop, clock, "S2", ("KID-DEN", "222", "2", "Áo thun", "Đen"))
    # The first item, renamed on Shopee since, sells another model: the same product.
    sell(owner_ctx, shop, clock, "S3", ("TT-DEN", "111", "3", "Áo thun cotton", "Đen"))

    found = variants(engine)
    first, second = found["TT-TRANG"][0], found["KID-DEN"][0]
    assert first != second
    assert found["TT-DEN"] == (first, "Áo thun", "Đen", None, None)
    assert found["KID-DEN"] == (second, "Áo thun", "Đen", None, None)
    assert listings(engine) == {first: None, second: None}  # listed, not linked

    pulled = pull_listings(owner_ctx, shop.id, connector=Listed(  # type: ignore[arg-type]
        RemoteItem("111", "Áo thun cotton", None, "NORMAL", ("Phân loại",), (
            RemoteModel("1", "TT-TRANG", ("Trắng",), 150_000, 4),
            RemoteModel("3", "TT-DEN", ("Đen",), 150_000, 2))),
        RemoteItem("222", "Áo thun", None, "NORMAL", ("Phân loại",), (
            RemoteModel("2", "KID-DEN", ("Đen",), 150_000, 5),)),
    ))  # fmt: skip

    assert pulled.unlinked == [] and pulled.listings_linked == 2
    assert listings(engine) == {first: "111", second: "222"}


def test_a_model_added_after_fetch_listings_joins_the_items_product(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, shop: ShopRef
) -> None:
    sell(owner_ctx, shop, clock, "S1", ("TT-TRANG", "111", "1", "Áo thun", "Trắng"))
    white = RemoteModel("1", "TT-TRANG", ("Trắng",), 150_000, 4)
    pull_listings(owner_ctx, shop.id, connector=Listed(  # type: ignore[arg-type]
        RemoteItem("111", "Áo thun", None, "NORMAL", ("Phân loại",), (white,))))  # fmt: skip
    product_id = variants(engine)["TT-TRANG"][0]
    assert listings(engine) == {product_id: "111"}
    pushes = stock_pushes(engine)

    # The seller adds a black model on Shopee; an order sells it.
    report = sell(owner_ctx, shop, clock, "S2", ("TT-DEN", "111", "2", "Áo thun", "Đen"))

    assert report.inserted == 1
    assert variants(engine)["TT-DEN"] == (product_id, "Áo thun", "Đen", None, None)
    assert listings(engine) == {product_id: "111"}  # no other product
    assert stock_pushes(engine) == pushes  # its 0 in the app is not sent to Shopee
    with engine.connect() as conn:
        text = conn.execute(sa.text("SELECT search_text FROM products")).scalar_one()
    assert "tt-den" in text and "den" in text.split()

    black = RemoteModel("2", "TT-DEN", ("Đen",), 150_000, 6)
    again = pull_listings(owner_ctx, shop.id, connector=Listed(  # type: ignore[arg-type]
        RemoteItem("111", "Áo thun", None, "NORMAL", ("Phân loại",), (white, black))))  # fmt: skip

    assert again.unlinked == [] and again.models_linked == 1
    assert variants(engine)["TT-DEN"] == (product_id, "Áo thun", "Đen", None, "2")


def test_a_new_model_of_a_linked_product_follows_its_options(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, shop: ShopRef
) -> None:
    polo = create_product(owner_ctx, ProductDraft(
        name="Áo polo", option1_name="Màu", option2_name="Size", shop_ids=[shop.id],
        variants=[VariantDraft(sku="POLO-TM", price=200_000, option1="Trắng", option2="M"),
                  VariantDraft(sku="POLO-DM", price=200_000, option1="Đen", option2="M")],
    ))  # fmt: skip
    pull_listings(owner_ctx, shop.id, connector=Listed(  # type: ignore[arg-type]
        RemoteItem("555", "Áo polo nam", None, "NORMAL", ("Màu", "Size"), (
            RemoteModel("51", "POLO-TM", ("Trắng", "M"), 200_000, 3),
            RemoteModel("52", "POLO-DM", ("Đen", "M"), 200_000, 3)))))  # fmt: skip

    sell(owner_ctx, shop, clock, "S1",
         ("POLO-TL", "555", "53", "Áo polo nam", "Trắng,L"),
         ("POLO-DM2", "555", "54", "Áo polo nam", "Đen,M"))  # fmt: skip

    found = variants(engine)
    assert found["POLO-TL"] == (polo, "Áo polo", "Trắng", "L", None)
    # "Đen, M" is POLO-DM's already: the new SKU is told by its SKU.
    assert found["POLO-DM2"] == (polo, "Áo polo", "POLO-DM2", None, None)
    with engine.connect() as conn:
        names = conn.execute(sa.text(
            "SELECT DISTINCT option1_name, option2_name FROM variants WHERE sku = 'POLO-TL'"
        )).one()  # fmt: skip
    assert tuple(names) == ("Màu", "Size")
