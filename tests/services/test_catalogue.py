"""Adding and editing products: variants, validation, stock movements, listings, images."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, OutboxStatus, ProductStatus, Role, StockMoveKind
from primedist.domain.product import (
    Product,
    ProductImage,
    ProductListing,
    SkuGroup,
    StockMovement,
    Variant,
    VariantListing,
)
from primedist.domain.sync import OutboxMessage
from primedist.errors import Conflict, PermissionDenied, ValidationError
from primedist.services import catalogue as svc
from primedist.services import orders as orders_svc
from primedist.services.catalogue import (
    ImageDraft,
    ProductDraft,
    VariantDraft,
    parse_variant_field,
    variant_field,
)
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.services.product_images import THUMB_SIZE
from tests.conftest import FIXED_NOW
from tests.factories import make_shop

COLOURS = ("Đỏ", "Xanh")


def ean13(body: str) -> str:
    """A valid EAN-13: the 12 digits and their check digit."""
    return body + str(svc.check_digit(body))


SIZES = ("S", "M", "L")


def grid_draft(shop_ids: list[int], *, sku_prefix: str = "AO") -> ProductDraft:
    """Áo thun: Màu (Đỏ, Xanh) × Size (S, M, L); price by size, stock 1..6."""
    variants = []
    for c, colour in enumerate(COLOURS):
        for s, size in enumerate(SIZES):
            n = c * 3 + s
            code = "DO" if colour == "Đỏ" else "XANH"
            variants.append(
                VariantDraft(sku=f"{sku_prefix}-{code}-{size}", barcode=ean13(f"89300000{n:04d}"),
                             option1=colour, option2=size, cost=60_000,
                             price=99_000 + s * 10_000,
                             discount_price=89_000 if size == "S" else None,
                             stock=n + 1, low_stock_level=2 if size == "L" else None,
                             weight_g=None if size == "S" else 200 + s * 20)
            )  # fmt: skip
    return ProductDraft(
        name="Áo thun cotton Việt Nam",
        category="Thời trang",
        features="100% cotton",
        description="Áo thun mặc hằng ngày.",
        option1_name="Màu",
        option2_name="Size",
        variants=variants,
        shop_ids=shop_ids,
    )


@pytest.fixture
def shops(engine: Engine) -> dict[str, int]:
    return {
        "shopee": make_shop(engine, "Shopee Hà Nội", Channel.SHOPEE),
        "lazada": make_shop(engine, "Lazada Sài Gòn", Channel.LAZADA),
        "counter": make_shop(engine, "Quầy", Channel.OFFLINE),
    }


def rows(engine: Engine, model: type, *where: sa.ColumnElement[bool]) -> list[sa.Row]:
    table = table_of(model)
    with engine.connect() as conn:
        stmt = sa.select(table).where(*where).order_by(table.c.id)
        return list(conn.execute(stmt))


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table_of(model))).scalar())


def variants_of(engine: Engine, product_id: int) -> dict[str, sa.Row]:
    t = table_of(Variant)
    return {r.sku: r for r in rows(engine, Variant, t.c.product_id == product_id)}


def movements(engine: Engine, variant_id: int) -> list[sa.Row]:
    return rows(engine, StockMovement, table_of(StockMovement).c.variant_id == variant_id)


def product_row(engine: Engine, product_id: int) -> sa.Row:
    return rows(engine, Product, table_of(Product).c.id == product_id)[0]


def outbox(engine: Engine, kind: str = svc.LISTING_KIND) -> list[sa.Row]:
    return rows(engine, OutboxMessage, table_of(OutboxMessage).c.kind == kind)


def link_listings(engine: Engine, product_id: int) -> None:
    """Give the product's listings a marketplace item id, as a sync or Fetch listings does
    (a listing not linked yet is sent no push)."""
    pl = table_of(ProductListing).c
    with engine.begin() as conn:
        for lid in conn.execute(sa.select(pl.id).where(pl.product_id == product_id)).scalars():
            conn.execute(sa.update(table_of(ProductListing)).where(pl.id == lid)
                         .values(external_id=f"item-{lid}"))  # fmt: skip


def ledger_holds(engine: Engine, product_id: int) -> None:
    """On hand == 0 + Σ movements for every variant of the product (none is grouped)."""
    for sku, v in variants_of(engine, product_id).items():
        total = sum(m.quantity for m in movements(engine, v.id))
        assert v.stock == total, sku


# --------------------------------------------------------------------------- create


def test_create_a_colour_by_size_grid(owner_ctx: ServiceContext, engine: Engine, shops) -> None:
    pid = svc.create_product(owner_ctx, grid_draft([shops["shopee"], shops["counter"]]))

    product = product_row(engine, pid)
    assert product.name == "Áo thun cotton Việt Nam"  # as typed
    assert product.category == "Thời trang"
    assert product.status == ProductStatus.ACTIVE
    assert product.created_by_id == owner_ctx.actor.id
    assert "ao thun cotton viet nam" in product.search_text
    assert "ao-do-s" in product.search_text and "8930000000057" in product.search_text
    # Summary columns of the list.
    assert (product.variant_count, product.price_min, product.price_max) == (6, 99_000, 119_000)
    assert (product.discount_min, product.discount_max) == (89_000, 89_000)
    assert product.stock_total == product.available_total == 21
    assert not product.low_stock  # the L sizes hold 3 and 6, above their level 2

    variants = variants_of(engine, pid)
    assert len(variants) == 6
    red_m = variants["AO-DO-M"]
    assert (red_m.option1_name, red_m.option1, red_m.option2_name, red_m.option2) == (
        "Màu", "Đỏ", "Size", "M")  # fmt: skip
    assert (red_m.price, red_m.cost, red_m.discount_price, red_m.stock) == (109_000, 60_000,
                                                                            None, 2)  # fmt: skip
    for v in variants.values():
        (move,) = movements(engine, v.id)
        assert move.kind == StockMoveKind.STOCK_IN
        assert move.reason == svc.OPENING_REASON
        assert move.quantity == v.stock == move.stock_after
        assert move.user_id == owner_ctx.actor.id
    ledger_holds(engine, pid)

    listings = rows(engine, ProductListing, table_of(ProductListing).c.product_id == pid)
    assert sorted(r.shop_id for r in listings) == sorted([shops["shopee"], shops["counter"]])
    assert all(r.is_active and r.external_id is None for r in listings)
    assert count(engine, VariantListing) == 12
    # No listing.upsert: the Shopee listing is not linked to its item yet (the counter is
    # no marketplace); it gets its prices once linked (`listing_links`).
    assert outbox(engine) == []

    (audit,) = rows(engine, AuditEvent, table_of(AuditEvent).c.action == "product.create")
    assert audit.entity_id == str(pid) and "6 variant(s)" in audit.summary
    assert audit.user_id == owner_ctx.actor.id


def test_low_stock_flag_follows_the_levels(owner_ctx: ServiceContext, engine: Engine) -> None:
    draft = grid_draft([])
    draft.variants[2].low_stock_level = 2  # AO-DO-L: 3 on hand > 2
    draft.variants[5].low_stock_level = 2  # AO-XANH-L: 6 on hand
    pid = svc.create_product(owner_ctx, draft)
    assert not product_row(engine, pid).low_stock
    edited = svc.get_product(owner_ctx, pid).draft
    edited.variants[2].low_stock_level = 3
    svc.update_product(owner_ctx, pid, edited)
    assert product_row(engine, pid).low_stock


def test_get_product_gives_the_draft_back(owner_ctx: ServiceContext, shops) -> None:
    draft = grid_draft([shops["lazada"]])
    pid = svc.create_product(owner_ctx, draft)
    got = svc.get_product(owner_ctx, pid)
    assert got.id == pid and got.status == ProductStatus.ACTIVE
    assert got.draft.name == draft.name and got.draft.shop_ids == [shops["lazada"]]
    assert (got.draft.option1_name, got.draft.option2_name) == ("Màu", "Size")
    assert [v.sku for v in got.draft.variants] == [v.sku for v in draft.variants]
    for mine, back in zip(draft.variants, got.draft.variants, strict=True):
        assert back.id is not None
        assert (back.option1, back.option2, back.price, back.discount_price, back.stock,
                back.stock_seen, back.low_stock_level, back.barcode, back.weight_g) == (
            mine.option1, mine.option2, mine.price, mine.discount_price, mine.stock,
            mine.stock, mine.low_stock_level, mine.barcode, mine.weight_g)  # fmt: skip
    assert [v.weight_g for v in got.draft.variants] == [None, 220, 240] * 2
    assert svc.list_categories(owner_ctx) == ["Thời trang"]


def test_a_single_variant_without_attributes(owner_ctx: ServiceContext, engine: Engine) -> None:
    pid = svc.create_product(
        owner_ctx, ProductDraft(name="Mũ", variants=[VariantDraft(sku="MU-1", price=50_000)])
    )
    (v,) = variants_of(engine, pid).values()
    assert (v.option1_name, v.option1, v.stock) == (None, None, 0)
    assert movements(engine, v.id) == []  # no opening stock, no movement


def test_second_attribute_alone_moves_up(owner_ctx: ServiceContext, engine: Engine) -> None:
    sizes = [VariantDraft(sku="Q-S", option2="S"), VariantDraft(sku="Q-M", option2="M")]
    draft = ProductDraft(name="Quần", option2_name="Size", variants=sizes)
    pid = svc.create_product(owner_ctx, draft)
    v = variants_of(engine, pid)["Q-M"]
    assert (v.option1_name, v.option1, v.option2_name, v.option2) == ("Size", "M", None, None)


# --------------------------------------------------------------------------- edit


def test_edit_price_add_remove_and_stock(owner_ctx: ServiceContext, engine: Engine, shops) -> None:
    pid = svc.create_product(owner_ctx, grid_draft([shops["shopee"]]))
    link_listings(engine, pid)
    draft = svc.get_product(owner_ctx, pid).draft
    by_sku = {v.sku: v for v in draft.variants}
    by_sku["AO-DO-M"].price = 125_000
    by_sku["AO-XANH-S"].stock = 10  # was 4: +6
    by_sku["AO-DO-L"].stock = 1  # was 3: -2
    draft.variants.remove(by_sku["AO-XANH-L"])  # never sold: deleted
    draft.variants.append(VariantDraft(sku="AO-DO-XL", option1="Đỏ", option2="XL",
                                       price=129_000, stock=5))  # fmt: skip
    draft.name = "Áo thun cotton (mới)"
    removed_id = by_sku["AO-XANH-L"].id
    svc.update_product(owner_ctx, pid, draft)

    variants = variants_of(engine, pid)
    assert "AO-XANH-L" not in variants  # deleted, its movements with it
    assert rows(engine, Variant, table_of(Variant).c.id == removed_id) == []
    assert variants["AO-DO-M"].price == 125_000
    assert variants["AO-XANH-S"].stock == 10 and variants["AO-DO-L"].stock == 1
    adj = [m for m in movements(engine, variants["AO-XANH-S"].id)
           if m.kind == StockMoveKind.ADJUSTMENT]  # fmt: skip
    assert [(m.quantity, m.stock_after, m.reason) for m in adj] == [(6, 10, svc.EDIT_REASON)]
    adj = [m for m in movements(engine, variants["AO-DO-L"].id)
           if m.kind == StockMoveKind.ADJUSTMENT]  # fmt: skip
    assert [(m.quantity, m.stock_after) for m in adj] == [(-2, 1)]
    # Untouched stock: no movement besides the opening one.
    assert len(movements(engine, variants["AO-DO-S"].id)) == 1
    (opening,) = movements(engine, variants["AO-DO-XL"].id)
    assert (opening.kind, opening.quantity, opening.reason) == (
        StockMoveKind.STOCK_IN, 5, svc.OPENING_REASON)  # fmt: skip
    ledger_holds(engine, pid)

    product = product_row(engine, pid)
    assert product.name == "Áo thun cotton (mới)"
    assert "ao-do-xl" in product.search_text and "ao-xanh-l" not in product.search_text
    assert product.updated_at.replace(tzinfo=None) == FIXED_NOW.replace(tzinfo=None)
    stock = 1 + 2 + 1 + 10 + 5 + 5
    assert (product.variant_count, product.price_max, product.stock_total) == (6, 129_000, stock)
    # The new variant is on the listing too; one listing.upsert message (coalesced).
    (listing,) = rows(engine, ProductListing, table_of(ProductListing).c.product_id == pid)
    vl = rows(engine, VariantListing, table_of(VariantListing).c.listing_id == listing.id)
    assert {r.variant_id for r in vl} == {v.id for v in variants.values()}
    assert len(outbox(engine)) == 1
    (audit,) = rows(engine, AuditEvent, table_of(AuditEvent).c.action == "product.update")
    for bit in (
        "added AO-DO-XL",
        "deleted AO-XANH-L",
        "AO-DO-M: price 109,000 → 125,000",
        "AO-XANH-S: stock 4 → 10",
        "AO-DO-L: stock 3 → 1",
        "name ",
    ):
        assert bit in audit.summary, bit


def test_weights_are_set_and_cleared(owner_ctx: ServiceContext, engine: Engine) -> None:
    pid = svc.create_product(owner_ctx, grid_draft([]))
    draft = svc.get_product(owner_ctx, pid).draft
    by_sku = {v.sku: v for v in draft.variants}
    by_sku["AO-DO-S"].weight_g = 180  # had none
    by_sku["AO-XANH-M"].weight_g = None  # had 220
    svc.update_product(owner_ctx, pid, draft)

    variants = variants_of(engine, pid)
    assert (variants["AO-DO-S"].weight_g, variants["AO-XANH-M"].weight_g) == (180, None)
    assert variants["AO-DO-M"].weight_g == 220  # left as it was
    (audit,) = rows(engine, AuditEvent, table_of(AuditEvent).c.action == "product.update")
    assert audit.summary.endswith(": AO-DO-S: weight — → 180 g; AO-XANH-M: weight 220 g → —")
    assert product_row(engine, pid).weight_missing  # the list's "No weight yet"
    for v in draft.variants:
        v.weight_g = v.weight_g or 250
    svc.update_product(owner_ctx, pid, draft)
    assert not product_row(engine, pid).weight_missing


def test_a_sold_variant_is_deactivated_not_deleted(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = svc.create_product(owner_ctx, grid_draft([]))
    draft = svc.get_product(owner_ctx, pid).draft
    sold = next(v for v in draft.variants if v.sku == "AO-DO-S")
    assert sold.id is not None
    orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(sold.id, 1),)))
    draft.variants.remove(sold)
    svc.update_product(owner_ctx, pid, draft)
    row = rows(engine, Variant, table_of(Variant).c.id == sold.id)[0]
    assert not row.is_active and row.stock == 0  # 1 opening - 1 sold
    assert product_row(engine, pid).variant_count == 5
    assert [v.sku for v in svc.get_product(owner_ctx, pid).draft.variants].count("AO-DO-S") == 0
    # Not for a new variant of the same product: two of its rows would share the SKU, and
    # a sync would find the old one (tests/services/test_sku_resolution.py).
    draft = svc.get_product(owner_ctx, pid).draft
    draft.variants.append(VariantDraft(sku="AO-DO-S", option1="Đỏ", option2="S", price=1))
    with pytest.raises(ValidationError, match="removed from this product"):
        svc.update_product(owner_ctx, pid, draft)


def test_a_sale_while_the_form_is_open_is_not_undone(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = svc.create_product(owner_ctx, grid_draft([]))
    draft = svc.get_product(owner_ctx, pid).draft
    shirt = draft.variants[5]  # AO-XANH-L, 6 on hand
    assert shirt.id is not None
    orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(shirt.id, 2),)))
    draft.variants[0].price = 100_000
    svc.update_product(owner_ctx, pid, draft)  # stock left as shown (6)
    assert variants_of(engine, pid)["AO-XANH-L"].stock == 4


def test_prices_changed_while_the_form_is_open_are_kept(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """A form opened before a sale (a price schedule, another user) started and saved with
    only its texts changed does not write back the prices it showed."""
    pid = svc.create_product(owner_ctx, grid_draft([]))
    stale = svc.get_product(owner_ctx, pid).draft
    meanwhile = svc.get_product(owner_ctx, pid).draft
    for v in meanwhile.variants:
        v.discount_price = 79_000
    meanwhile.variants[1].cost = 65_000
    svc.update_product(owner_ctx, pid, meanwhile)

    stale.description = "Áo thun mặc hằng ngày, cotton."
    stale.variants[2].price = 130_000  # AO-DO-L: the user's price is written, not the rest
    svc.update_product(owner_ctx, pid, stale)
    got = variants_of(engine, pid)
    assert {s: (r.price, r.discount_price) for s, r in got.items()} == {
        "AO-DO-S": (99_000, 79_000), "AO-DO-M": (109_000, 79_000),
        "AO-DO-L": (130_000, 79_000), "AO-XANH-S": (99_000, 79_000),
        "AO-XANH-M": (109_000, 79_000), "AO-XANH-L": (119_000, 79_000)}  # fmt: skip
    assert got["AO-DO-M"].cost == 65_000
    summary = str(rows(engine, AuditEvent)[-1].summary)
    assert "AO-DO-L: price" in summary and "discount" not in summary and "cost" not in summary


def test_a_price_change_clashing_with_one_made_meanwhile_is_refused(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = svc.create_product(owner_ctx, grid_draft([]))
    stale = svc.get_product(owner_ctx, pid).draft
    meanwhile = svc.get_product(owner_ctx, pid).draft
    meanwhile.variants[1].discount_price = 100_000  # AO-DO-M 109,000 -> sale 100,000
    svc.update_product(owner_ctx, pid, meanwhile)
    stale.variants[1].price = 95_000  # below the sale price set meanwhile
    with pytest.raises(ValidationError) as err:
        svc.update_product(owner_ctx, pid, stale)
    assert err.value.field == "variants.1.discount_price"
    assert "while the form was open" in str(err.value)
    got = variants_of(engine, pid)["AO-DO-M"]
    assert (got.price, got.discount_price) == (109_000, 100_000)


def test_stock_of_a_grouped_variant_is_the_groups(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = svc.create_product(
        owner_ctx, ProductDraft(name="Ví", variants=[VariantDraft(sku="VI-1")])
    )
    vid = variants_of(engine, pid)["VI-1"].id
    with engine.begin() as conn:
        gid = conn.execute(
            sa.insert(table_of(SkuGroup)).returning(table_of(SkuGroup).c.id),
            {"code": "PRIME-VI", "name": "Ví", "stock": 7, "reserved": 0, "created_at": FIXED_NOW},
        ).scalar_one()
        conn.execute(sa.update(table_of(Variant)).where(table_of(Variant).c.id == vid)
                     .values(sku_group_id=gid))  # fmt: skip
    got = svc.get_product(owner_ctx, pid)
    assert got.draft.variants[0].stock == 7 and got.group_codes == {vid: "PRIME-VI"}
    got.draft.variants[0].stock = 9
    svc.update_product(owner_ctx, pid, got.draft)
    (group,) = rows(engine, SkuGroup)
    assert group.stock == 9
    (move,) = [m for m in movements(engine, vid) if m.kind == StockMoveKind.ADJUSTMENT]
    assert (move.quantity, move.sku_group_id, move.stock_after) == (2, gid, 9)
    # A grouped variant left out of the form is kept (deactivated): the group's ledger stays.
    got = svc.get_product(owner_ctx, pid)
    got.draft.variants = [VariantDraft(sku="VI-2")]
    svc.update_product(owner_ctx, pid, got.draft)
    assert not rows(engine, Variant, table_of(Variant).c.id == vid)[0].is_active


def test_an_archived_product_cannot_be_edited(owner_ctx: ServiceContext, engine: Engine) -> None:
    pid = svc.create_product(owner_ctx, grid_draft([]))
    draft = svc.get_product(owner_ctx, pid).draft
    with engine.begin() as conn:
        conn.execute(sa.update(table_of(Product)).values(status=ProductStatus.ARCHIVED))
    with pytest.raises(Conflict, match="archived"):
        svc.update_product(owner_ctx, pid, draft)


# --------------------------------------------------------------------------- validation


def _set(attr: str, value: object) -> Callable[[ProductDraft], None]:
    return lambda d: setattr(d, attr, value)


def _row(i: int, attr: str, value: object) -> Callable[[ProductDraft], None]:
    return lambda d: setattr(d.variants[i], attr, value)


CASES: list[tuple[str, Callable[[ProductDraft], None], str, str]] = [
    ("no name", _set("name", "   "), "name", "Give the product a name."),
    ("long name", _set("name", "Á" * 121), "name", "121 characters long; at most 120"),
    ("long category", _set("category", "x" * 121), "category", "longer than 120"),
    ("no variant", _set("variants", []), "variants", "at least one variant"),
    ("same attributes", _set("option2_name", "màu"), "option2_name", "both called"),
    ("no attribute", lambda d: (setattr(d, "option1_name", None), setattr(d, "option2_name", None)),
     "option1_name", "need an attribute"),
    ("missing value", _row(2, "option2", " "), variant_field(2, "option2"),
     "Variant 3 (AO-DO-L): give its Size."),
    ("same combination", _row(1, "option2", "S"), variant_field(1, "option1"),
     "Variant 2 (AO-DO-M): Đỏ / S is already variant 1."),
    ("no sku", _row(3, "sku", " "), variant_field(3, "sku"), "Variant 4: give it a SKU."),
    ("long sku", _row(0, "sku", "S" * 65), variant_field(0, "sku"), "longer than 64"),
    ("same sku", _row(4, "sku", "ao-do-s"), variant_field(4, "sku"),
     "Variant 5 (ao-do-s): the SKU is already variant 1's."),
    ("same barcode", _row(4, "barcode", "8930000000002"), variant_field(4, "barcode"),
     "already variant 1's"),
    ("wrong check digit", _row(0, "barcode", "8937653245874"), variant_field(0, "barcode"),
     "Variant 1 (AO-DO-S): 8937653245874 is not a valid EAN-13: its last (check) digit should "
     "be 3 (8937653245873)."),
    ("wrong UPC-A", _row(1, "barcode", "036000291453"), variant_field(1, "barcode"),
     "should be 2 (036000291452)"),
    ("wrong EAN-8", _row(2, "barcode", "96385075"), variant_field(2, "barcode"),
     "not a valid EAN-8: its last (check) digit should be 4 (96385074)"),
    ("negative price", _row(1, "price", -1), variant_field(1, "price"),
     "Variant 2 (AO-DO-M): the price cannot be negative."),
    ("negative cost", _row(1, "cost", -5), variant_field(1, "cost"), "cost cannot be negative"),
    ("negative discount", _row(0, "discount_price", -1), variant_field(0, "discount_price"),
     "discount price cannot be negative"),
    ("discount above price", _row(2, "discount_price", 200_000),
     variant_field(2, "discount_price"),
     "Variant 3 (AO-DO-L): the discount price is above the price."),
    ("negative stock", _row(5, "stock", -1), variant_field(5, "stock"),
     "Variant 6 (AO-XANH-L): the stock cannot be negative."),
    ("negative level", _row(5, "low_stock_level", -1), variant_field(5, "low_stock_level"),
     "low-stock level cannot be negative"),
    ("zero weight", _row(1, "weight_g", 0), variant_field(1, "weight_g"),
     "Variant 2 (AO-DO-M): the weight must be 1 to 1,000,000 g."),
    ("weight over a tonne", _row(3, "weight_g", 1_000_001), variant_field(3, "weight_g"),
     "Variant 4 (AO-XANH-S): the weight must be 1 to 1,000,000 g."),
    ("unknown shop", _set("shop_ids", [9999]), "shop_ids", "Shop 9999 no longer exists."),
]  # fmt: skip


@pytest.mark.parametrize(("mutate", "field", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_validation(
    owner_ctx: ServiceContext, engine: Engine, mutate, field: str, message: str
) -> None:
    draft = grid_draft([])
    mutate(draft)
    with pytest.raises(ValidationError) as info:
        svc.create_product(owner_ctx, draft)
    assert info.value.field == field
    assert message in info.value.user_message
    assert count(engine, Product) == count(engine, Variant) == count(engine, StockMovement) == 0


def test_validation_on_update_saves_nothing(owner_ctx: ServiceContext, engine: Engine) -> None:
    pid = svc.create_product(owner_ctx, grid_draft([]))
    draft = svc.get_product(owner_ctx, pid).draft
    draft.variants[0].stock = 50
    draft.variants[1].discount_price = draft.variants[1].price + 1
    with pytest.raises(ValidationError) as info:
        svc.update_product(owner_ctx, pid, draft)
    assert parse_variant_field(info.value.field) == (1, "discount_price")
    assert variants_of(engine, pid)["AO-DO-S"].stock == 1
    assert count(engine, StockMovement) == 6


def test_sku_unique_per_shop(owner_ctx: ServiceContext, engine: Engine, shops) -> None:
    svc.create_product(owner_ctx, grid_draft([shops["shopee"]]))
    # Same SKUs on the same shop: refused, naming the other product and the shop.
    with pytest.raises(ValidationError) as info:
        svc.create_product(owner_ctx, grid_draft([shops["lazada"], shops["shopee"]]))
    assert info.value.field == variant_field(0, "sku")
    assert info.value.user_message == (
        "Variant 1 (AO-DO-S): SKU AO-DO-S is already used by “Áo thun cotton Việt Nam” "
        "on Shopee Hà Nội."
    )
    # On another shop (new barcodes): allowed.
    other = grid_draft([shops["lazada"]])
    for v in other.variants:
        v.barcode = None
    lazada_pid = svc.create_product(owner_ctx, other)
    # On no shop: checked against the unlisted products only (none yet) -> allowed.
    other.shop_ids = []
    unlisted = svc.create_product(owner_ctx, other)
    with pytest.raises(ValidationError, match="a product on no shop"):
        svc.create_product(owner_ctx, other)
    # Editing a product keeps its own SKUs; moving it onto Shopee clashes.
    draft = svc.get_product(owner_ctx, lazada_pid).draft
    svc.update_product(owner_ctx, lazada_pid, draft)
    draft.shop_ids = [shops["shopee"]]
    with pytest.raises(ValidationError, match="on Shopee Hà Nội"):
        svc.update_product(owner_ctx, lazada_pid, draft)
    # An archived product no longer holds its SKUs.
    with engine.begin() as conn:
        conn.execute(sa.update(table_of(Product)).where(table_of(Product).c.id == unlisted)
                     .values(status=ProductStatus.ARCHIVED))  # fmt: skip
    svc.create_product(owner_ctx, other)


def test_barcode_unique_among_active_variants(owner_ctx: ServiceContext, shops) -> None:
    svc.create_product(owner_ctx, grid_draft([shops["shopee"]]))
    draft = grid_draft([shops["lazada"]], sku_prefix="QUAN")
    with pytest.raises(ValidationError) as info:
        svc.create_product(owner_ctx, draft)
    assert info.value.field == variant_field(0, "barcode")
    assert "barcode 8930000000002 is already used by AO-DO-S" in info.value.user_message


def test_staff_without_products_is_refused(owner_ctx: ServiceContext, engine: Engine) -> None:
    pid = svc.create_product(owner_ctx, grid_draft([]))
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF))
    for call in (lambda: svc.create_product(staff, grid_draft([], sku_prefix="X")),
                 lambda: svc.update_product(staff, pid, grid_draft([])),
                 lambda: svc.get_product(staff, pid),
                 lambda: svc.list_categories(staff)):  # fmt: skip
        with pytest.raises(PermissionDenied):
            call()
    assert count(engine, Product) == 1


# --------------------------------------------------------------------------- listings


def test_unticked_shop_deactivates_the_listing(
    owner_ctx: ServiceContext, engine: Engine, shops
) -> None:
    pid = svc.create_product(owner_ctx, grid_draft([shops["shopee"], shops["lazada"]]))
    assert outbox(engine) == []  # not linked yet: nothing to send
    link_listings(engine, pid)
    draft = svc.get_product(owner_ctx, pid).draft
    draft.shop_ids = [shops["shopee"]]
    svc.update_product(owner_ctx, pid, draft)
    listings = {r.shop_id: r for r in rows(engine, ProductListing)}
    assert listings[shops["shopee"]].is_active and not listings[shops["lazada"]].is_active
    msgs = {m.shop_id: m for m in outbox(engine)}
    assert len(msgs) == 2  # coalesced: still one message per listing, queued again
    assert msgs[shops["lazada"]].status == OutboxStatus.PENDING
    assert json.loads(msgs[shops["lazada"]].payload_json)["active"] is False
    assert msgs[shops["shopee"]].status == OutboxStatus.PENDING  # the product changed
    (audit,) = rows(engine, AuditEvent, table_of(AuditEvent).c.action == "product.update")
    assert audit.summary.endswith(": unlisted from Lazada Sài Gòn")
    # Ticked again: the same listing comes back.
    draft.shop_ids = [shops["shopee"], shops["lazada"]]
    svc.update_product(owner_ctx, pid, draft)
    again = {r.shop_id: r for r in rows(engine, ProductListing)}
    assert again[shops["lazada"]].id == listings[shops["lazada"]].id
    assert again[shops["lazada"]].is_active
    assert json.loads(
        {m.shop_id: m for m in outbox(engine)}[shops["lazada"]].payload_json
    )["active"] is True  # fmt: skip


def test_saving_unchanged_queues_nothing(owner_ctx: ServiceContext, engine: Engine, shops) -> None:
    pid = svc.create_product(owner_ctx, grid_draft([shops["shopee"]]))
    link_listings(engine, pid)
    svc.update_product(owner_ctx, pid, svc.get_product(owner_ctx, pid).draft)
    assert outbox(engine) == []
    assert count(engine, StockMovement) == 6
    audit = rows(engine, AuditEvent, table_of(AuditEvent).c.action == "product.update")
    assert audit[0].summary.endswith("no change")


# --------------------------------------------------------------------------- images


def picture(path: Path, size: tuple[int, int], fmt: str, colour: str = "red") -> str:
    Image.new("RGB", size, colour).save(path, fmt)
    return str(path)


def image_files(settings) -> list[Path]:
    root = settings.data_dir / "images"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_images_are_copied_with_thumbnails(
    owner_ctx: ServiceContext, engine: Engine, settings, tmp_path: Path
) -> None:
    wide = picture(tmp_path / "wide.jpg", (400, 200), "JPEG")
    tall = picture(tmp_path / "tall.png", (50, 300), "PNG", "blue")
    draft = grid_draft([])
    draft.images = [ImageDraft(source=wide), ImageDraft(source=tall)]
    pid = svc.create_product(owner_ctx, draft)

    imgs = rows(engine, ProductImage)
    assert [i.position for i in imgs] == [0, 1]
    for img, (ext, thumb_ext) in zip(imgs, ((".jpg", ".jpg"), (".png", ".png")), strict=True):
        assert img.path.startswith(f"images/products/{pid}/") and img.path.endswith(ext)
        assert img.thumb_path.endswith(".thumb" + thumb_ext)
        assert (settings.data_dir / img.path).is_file()
    with Image.open(settings.data_dir / imgs[0].thumb_path) as t:
        assert t.size == (96, 48)  # fitted, aspect kept
    with Image.open(settings.data_dir / imgs[1].thumb_path) as t:
        assert max(t.size) <= THUMB_SIZE and t.size[1] == 96
    assert Path(wide).read_bytes() == (settings.data_dir / imgs[0].path).read_bytes()

    # Edit: drop the first, add a third, keep the order given.
    got = svc.get_product(owner_ctx, pid)
    assert got.draft.images[0].thumb == str(settings.data_dir / imgs[0].thumb_path)
    third = picture(tmp_path / "third.png", (120, 120), "PNG", "green")
    got.draft.images = [got.draft.images[1], ImageDraft(source=third)]
    svc.update_product(owner_ctx, pid, got.draft)
    after = rows(engine, ProductImage)
    assert [(i.id, i.position) for i in after][0] == (imgs[1].id, 0)
    assert after[1].position == 1
    assert not (settings.data_dir / imgs[0].path).exists()  # removed after the commit
    assert not (settings.data_dir / imgs[0].thumb_path).exists()
    assert len(image_files(settings)) == 4


def test_a_broken_image_is_refused_and_nothing_written(
    owner_ctx: ServiceContext, engine: Engine, settings, tmp_path: Path
) -> None:
    good = picture(tmp_path / "good.png", (10, 10), "PNG")
    broken = tmp_path / "broken.jpg"
    data = Path(picture(tmp_path / "full.jpg", (300, 300), "JPEG")).read_bytes()
    broken.write_bytes(data[: len(data) // 3])
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    big = tmp_path / "huge.png"
    with big.open("wb") as f:
        f.truncate(10 * 1024 * 1024 + 1)
    for bad, why in ((broken, "damaged"), (text, "not an image"), (big, "limit is 10 MB"),
                     (tmp_path / "missing.png", "cannot be found")):  # fmt: skip
        draft = grid_draft([])
        draft.images = [ImageDraft(source=good), ImageDraft(source=str(bad))]
        with pytest.raises(ValidationError, match=why) as info:
            svc.create_product(owner_ctx, draft)
        assert info.value.field == "images" and bad.name in info.value.user_message
    assert count(engine, Product) == count(engine, ProductImage) == 0
    assert image_files(settings) == []


def test_files_are_removed_when_the_transaction_fails(
    owner_ctx: ServiceContext, engine: Engine, settings, tmp_path: Path, monkeypatch
) -> None:
    def boom(*_args: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(svc, "refresh_product_summaries", boom)
    draft = grid_draft([])
    draft.images = [ImageDraft(source=picture(tmp_path / "a.png", (200, 100), "PNG"))]
    with pytest.raises(RuntimeError):
        svc.create_product(owner_ctx, draft)
    assert image_files(settings) == []
    assert count(engine, Product) == count(engine, ProductImage) == 0
