"""Deleting a product keeps its history: one delivered, ordered from a supplier or holding
stock is archived, not erased (its purchase order then says why it can no longer be
received); an archived product's or a removed variant's marketplace listings are told 0
are left; and the audit log says "—", not "None", for an empty value. Through the real
services on a migrated database."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import OutboxStatus
from primedist.domain.product import (
    Product,
    ProductListing,
    StockMovement,
    Variant,
    VariantListing,
)
from primedist.domain.purchase_order import PurchaseOrderLine
from primedist.domain.sync import OutboxMessage
from primedist.errors import ValidationError
from primedist.services import catalogue, low_stock
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services import supplier_returns as sr
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.product_status import DeleteResult, delete_products
from tests.factories import make_product, make_shop
from tests.services.test_product_status import sell
from tests.services.test_stock import list_on, pushes

products_t, variants_t = table_of(Product), table_of(Variant)


def product_of(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        stmt = sa.select(variants_t.c.product_id).where(variants_t.c.id == variant_id)
        return int(conn.execute(stmt).scalar_one())


def state(engine: Engine, variant_id: int) -> tuple[object, ...] | None:
    """(product status, variant active, on hand, its movements), None once erased."""
    mv = table_of(StockMovement).c
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(products_t.c.status, variants_t.c.is_active, variants_t.c.stock)
            .join(products_t, products_t.c.id == variants_t.c.product_id)
            .where(variants_t.c.id == variant_id)
        ).one_or_none()  # fmt: skip
        moves = conn.execute(
            sa.select(sa.func.count()).where(mv.variant_id == variant_id)
        ).scalar_one()
    return None if row is None else (str(row[0]), bool(row[1]), row[2], moves)


def audit_summaries(engine: Engine, action: str) -> list[tuple[str, str]]:
    t = table_of(AuditEvent).c
    with engine.connect() as conn:
        stmt = sa.select(t.summary, t.summary_args).where(t.action == action).order_by(t.id)
        return [(s or "", a or "") for s, a in conn.execute(stmt)]


# --------------------------------------------------------------------------- 1. history


@pytest.fixture
def mug_on_order(owner_ctx: ServiceContext, engine: Engine) -> tuple[int, po.OrderRow, int]:
    """A mug never sold: 10 ordered (DHN000001), 4 of them received, none paid (200,000
    owed). Returns (mug variant id, the order, the receipt id)."""
    [mug] = make_product(engine, "Cốc sứ", [("INTG-MUG", 90_000, 0)])
    order = po.create_order(owner_ctx, po.OrderDraft("NCC Gốm", [po.OrderLine(mug, 10, 50_000)]))
    receipt = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(mug, 4, 50_000)], purchase_order_id=order.id))  # fmt: skip
    return mug, order, receipt.id


def test_a_delivered_product_still_on_order_is_archived_not_erased(
    owner_ctx: ServiceContext, engine: Engine, mug_on_order: tuple[int, po.OrderRow, int]
) -> None:
    mug, order, receipt = mug_on_order
    assert delete_products(owner_ctx, [product_of(engine, mug)]) == DeleteResult(0, 1)
    # Its stock and ledger stay, and the order's line still points at it.
    assert state(engine, mug) == ("archived", False, 4, 1)
    pl = table_of(PurchaseOrderLine).c
    with engine.connect() as conn:
        on_order = conn.execute(sa.select(pl.variant_id).where(pl.order_id == order.id))
        assert list(on_order.scalars()) == [mug]
    # The goods can still go back to the supplier...
    line = gr.receipt_lines(owner_ctx, receipt)[0].id
    back = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt, {line: 2}, "vỡ"))
    assert back.units == 2 and state(engine, mug) == ("archived", False, 2, 2)
    # ...while the order says why the rest can no longer come, not "add a product".
    with pytest.raises(ValidationError) as refused:
        po.to_receive(owner_ctx, order.id)
    assert str(refused.value) == (
        "DHN000001 awaits only goods deleted or archived since it was ordered (INTG-MUG): "
        "they can no longer be received. Close the order."
    )
    assert po.close_order(owner_ctx, order.id, "ngừng bán").awaited_units == 0


def test_a_product_only_ordered_or_only_in_stock_is_archived(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    [ordered] = make_product(engine, "Đặt chưa về", [("ORD-1", 10_000, 0)])
    [stocked] = make_product(engine, "Tồn kho cũ", [("STK-1", 10_000, 3)])  # no movement
    [bare] = make_product(engine, "Nhập nhầm", [("BARE-1", 10_000, 0)])
    order = po.create_order(owner_ctx, po.OrderDraft("NCC A", [po.OrderLine(ordered, 11)]))
    ids = [product_of(engine, v) for v in (ordered, stocked, bare)]
    assert delete_products(owner_ctx, ids) == DeleteResult(deleted=1, archived=2)
    assert state(engine, ordered) == ("archived", False, 0, 0)
    assert state(engine, stocked) == ("archived", False, 3, 0)
    assert state(engine, bare) is None
    with pytest.raises(ValidationError, match=r"\(ORD-1\): they can no longer be received"):
        po.to_receive(owner_ctx, order.id)


def test_an_order_still_awaiting_other_goods_is_received_without_the_archived_ones(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    [gone, kept] = make_product(engine, "Đầm", [("DAM-S", 100_000, 0), ("DAM-M", 100_000, 0)])
    [other] = make_product(engine, "Áo", [("AO-1", 50_000, 0)])
    order = po.create_order(owner_ctx, po.OrderDraft(
        "NCC B", [po.OrderLine(gone, 5), po.OrderLine(other, 2)]))  # fmt: skip
    sell(engine, make_shop(engine, "Shopee"), kept)
    delete_products(owner_ctx, [product_of(engine, gone)])
    _row, lines = po.to_receive(owner_ctx, order.id)
    assert [(t.hit.sku, t.quantity) for t in lines] == [("AO-1", 2)]


# --------------------------------------------------------------------------- 2. pushes


def queued_zero(engine: Engine) -> dict[str, object]:
    return {k: p["available"] for k, p in pushes(engine).items()
            if p["status"] == OutboxStatus.PENDING}  # fmt: skip


def test_an_archived_products_listings_are_told_none_are_left(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    lazada = make_shop(engine, "Lazada HN", "lazada")
    [vid] = make_product(engine, "Bình giữ nhiệt", [("BDI50033", 250_000, 97)])
    [vl] = list_on(engine, lazada, [vid])
    sell(engine, lazada, vid)
    assert queued_zero(engine) == {}
    assert delete_products(owner_ctx, [product_of(engine, vid)]) == DeleteResult(0, 1)
    assert queued_zero(engine) == {f"stock:{lazada}:{vl}": 0}
    assert state(engine, vid) == ("archived", False, 97, 0)
    t = table_of(AuditEvent).c
    with engine.connect() as conn:
        after = conn.execute(sa.select(t.after_json).where(t.action == "product.delete"))
        assert json.loads(after.scalar_one())["stock_pushes"] == 1


def test_a_variant_removed_in_the_form_is_pushed_as_none_left(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    shopee = make_shop(engine, "Shopee HN")
    pid = catalogue.create_product(owner_ctx, ProductDraft(
        name="Áo khoác", option1_name="Size", shop_ids=[shopee], variants=[
            VariantDraft(sku="AK-S", option1="S", price=300_000, stock=6),
            VariantDraft(sku="AK-M", option1="M", price=300_000, stock=8)]))  # fmt: skip
    draft = catalogue.get_product(owner_ctx, pid).draft
    gone = next(v for v in draft.variants if v.sku == "AK-S")
    assert gone.id is not None
    # Linked on Shopee (a marketplace id): it is deactivated, not deleted.
    vl = table_of(VariantListing).c
    with engine.begin() as conn:
        conn.execute(sa.update(table_of(ProductListing)).values(external_id="I-1"))
        conn.execute(sa.update(table_of(VariantListing)).where(vl.variant_id == gone.id)
                     .values(external_id="M-1"))  # fmt: skip
        gone_vl = conn.execute(sa.select(vl.id).where(vl.variant_id == gone.id)).scalar_one()
        conn.execute(sa.update(table_of(OutboxMessage)).values(status=OutboxStatus.DONE))
    draft.variants.remove(gone)
    catalogue.update_product(owner_ctx, pid, draft)
    assert state(engine, gone.id) == ("active", False, 6, 1)
    assert queued_zero(engine) == {f"stock:{shopee}:{gone_vl}": 0}


# --------------------------------------------------------------------------- 3. "None"


def test_the_audit_says_a_dash_for_an_empty_value(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = catalogue.create_product(owner_ctx, ProductDraft(
        name="Khăn", variants=[VariantDraft(sku="KT-1", price=100_000)]))  # fmt: skip
    draft = catalogue.get_product(owner_ctx, pid).draft
    variant = draft.variants[0]
    variant.barcode, variant.discount_price, variant.low_stock_level = "8936000000011", 90_000, 5
    catalogue.update_product(owner_ctx, pid, draft)
    draft = catalogue.get_product(owner_ctx, pid).draft
    draft.variants[0].discount_price = None
    catalogue.update_product(owner_ctx, pid, draft)
    assert [s for s, _a in audit_summaries(engine, "product.update")] == [
        "“Khăn”: KT-1: barcode — → 8936000000011; KT-1: discount price — → 90,000; "
        "KT-1: low stock level — → 5",
        "“Khăn”: KT-1: discount price 90,000 → —",
    ]
    assert variant.id is not None
    low_stock.set_variant_level(owner_ctx, variant.id, None)
    low_stock.set_variant_level(owner_ctx, variant.id, 7)
    assert [s for s, _a in audit_summaries(engine, "low_stock.variant_level")] == [
        "KT-1: low-stock level 5 → default", "KT-1: low-stock level — → 7"]  # fmt: skip
    # The values kept for the reader's language say it too.
    stored = [a for _s, a in audit_summaries(engine, "product.update")]
    stored += [a for _s, a in audit_summaries(engine, "low_stock.variant_level")]
    assert all("None" not in a and "null" not in a for a in stored)
    assert "—" in stored[0] and "—" in stored[-1]
