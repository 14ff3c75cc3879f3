"""Which labels to print: the products' variants or the SKUs asked for, with their code,
name, variant, price and stock; the label settings remembered; permissions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from primedist.domain.enums import Module
from primedist.domain.product import Variant
from primedist.errors import PermissionDenied, ValidationError
from primedist.printing.labels import MAX_COPIES, LabelOptions
from primedist.services import labels as svc
from primedist.services.context import ServiceContext
from tests.factories import make_grouped_pair, make_product
from tests.services.test_permissions import audit_count, staff

V = Variant.__table__  # type: ignore[attr-defined]


def product_of(engine: sa.Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(V.c.product_id).where(V.c.id == variant_id)).scalar_one())


def update_variant(engine: sa.Engine, variant_id: int, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(V).where(V.c.id == variant_id).values(**values))


@pytest.fixture
def shirts(owner_ctx: ServiceContext) -> list[int]:
    """Áo thun in three sizes: S with a barcode and a discount, M plain, L hidden."""
    engine = owner_ctx.engine
    ids = make_product(engine, "Áo thun cotton", [("AT-S", 150_000, 12), ("AT-M", 150_000, -2),
                                                  ("AT-L", 150_000, 3)],
                       barcodes=["8934563123456", None, None])  # fmt: skip
    update_variant(engine, ids[0], discount_price=129_000, option1="Đỏ", option2="S")
    update_variant(engine, ids[2], is_active=False)
    return ids


def test_the_products_variants_in_the_order_given(owner_ctx, shirts):
    engine = owner_ctx.engine
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 2_500)])
    items = svc.items_for_products(
        owner_ctx, [product_of(engine, cup), product_of(engine, shirts[0])]
    )
    assert [(i.sku, i.code, i.name, i.variant, i.price, i.stock, i.copies) for i in items] == [
        ("COC-1", "COC-1", "Cốc sứ", "", 45_000, 2_500, 1),
        # The barcode when there is one; the discount price; the options joined.
        ("AT-S", "8934563123456", "Áo thun cotton", "Đỏ / S", 129_000, 12, 1),
        # Stock below zero prints no labels from stock; the hidden size L is left out.
        ("AT-M", "AT-M", "Áo thun cotton", "V2", 150_000, 0, 1),
    ]
    ids = [product_of(engine, cup), product_of(engine, shirts[0])]
    from_stock = svc.items_for_products(owner_ctx, ids, copies=None)
    assert [i.copies for i in from_stock] == [MAX_COPIES, 12, 0]
    assert [i.copies for i in svc.with_copies(from_stock, 2)] == [2, 2, 2]
    assert [i.copies for i in svc.with_copies(items, None)] == [MAX_COPIES, 12, 0]


def test_a_grouped_variant_counts_its_groups_stock(owner_ctx):
    _group, a, _b = make_grouped_pair(owner_ctx.engine, stock=7)
    (item,) = svc.items_for_products(owner_ctx, [product_of(owner_ctx.engine, a)], copies=None)
    assert (item.sku, item.stock, item.copies) == ("MU-A", 7, 7)


def test_skus_and_barcodes_asked_for(owner_ctx, shirts):
    wanted = [svc.parse_sku_copies("AT-M:3"), svc.parse_sku_copies("8934563123456"),
              svc.parse_sku_copies("AT-S", None)]  # fmt: skip
    items = svc.items_for_skus(owner_ctx, wanted)
    assert [(i.sku, i.code, i.copies) for i in items] == [
        ("AT-M", "AT-M", 3), ("AT-S", "8934563123456", 1), ("AT-S", "8934563123456", 12),
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="No product has the SKU or barcode NOPE, X-1"):
        svc.items_for_skus(owner_ctx, [svc.SkuCopies("NOPE"), svc.SkuCopies("AT-M"),
                                       svc.SkuCopies("X-1")])  # fmt: skip


def test_parse_sku_copies():
    assert svc.parse_sku_copies("AT-M") == svc.SkuCopies("AT-M", 1)
    assert svc.parse_sku_copies("AT-M:25") == svc.SkuCopies("AT-M", 25)
    assert svc.parse_sku_copies("A:B") == svc.SkuCopies("A:B", 1)  # a colon in the SKU itself
    for bad in ("AT-M:0", f"AT-M:{MAX_COPIES + 1}"):
        with pytest.raises(ValidationError, match="copies must be between 1 and 1,000"):
            svc.parse_sku_copies(bad)


def test_settings_are_remembered_once(owner_ctx):
    assert svc.load_settings(owner_ctx) == svc.LabelSettings()
    chosen = svc.LabelSettings(LabelOptions("a4_65", show_price=False, show_shop=True, skip=9),
                               printer="Xprinter_XP-365B")  # fmt: skip
    before = audit_count(owner_ctx)
    svc.save_settings(owner_ctx, chosen)
    svc.save_settings(owner_ctx, chosen)  # unchanged: not written (nor audited) again
    assert audit_count(owner_ctx) == before + 1
    got = svc.load_settings(owner_ctx)
    assert got.options == LabelOptions("a4_65", show_price=False, show_shop=True, skip=0)
    assert got.printer == "Xprinter_XP-365B"


def test_stored_settings_that_make_no_sense_fall_back():
    assert svc.LabelSettings.from_json("broken") == svc.LabelSettings()
    got = svc.LabelSettings.from_json({"stock": "a3", "printer": 7, "show_price": False})
    assert got == svc.LabelSettings(LabelOptions(show_price=False), "")


def test_needs_products_access(owner_ctx, shirts):
    clerk = staff(owner_ctx, Module.ORDERS)
    pid = product_of(owner_ctx.engine, shirts[0])
    with pytest.raises(PermissionDenied):
        svc.items_for_products(clerk, [pid])
    with pytest.raises(PermissionDenied):
        svc.items_for_skus(clerk, [svc.SkuCopies("AT-M")])
    with pytest.raises(PermissionDenied):
        svc.save_settings(clerk, svc.LabelSettings())
    assert len(svc.items_for_products(staff(owner_ctx, Module.PRODUCTS), [pid])) == 2


def test_too_many_products_at_once(owner_ctx):
    with pytest.raises(ValidationError, match="at most 2,000 products at a time \\(2,001 are"):
        svc.items_for_products(owner_ctx, list(range(1, svc.MAX_PRODUCTS + 2)))


def test_the_variants_of_a_goods_receipt(owner_ctx, shirts):
    engine = owner_ctx.engine
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 2)])
    items = svc.items_for_variants(owner_ctx, {cup: 4, shirts[0]: 2_000, 999_999: 1})
    # In the order given; copies capped; a variant gone since left out.
    assert [(i.sku, i.copies) for i in items] == [("COC-1", 4), ("AT-S", MAX_COPIES)]
    with pytest.raises(PermissionDenied):
        svc.items_for_variants(staff(owner_ctx, Module.ORDERS), {cup: 1})
