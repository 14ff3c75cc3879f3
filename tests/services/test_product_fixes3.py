"""The product form's limits and NFC texts, archiving a grouped product, and the product
import's status labels and money with a currency sign, through the real services on a
migrated store."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import (
    OrderSource,
    OrderStatus,
    OutboxStatus,
    PaymentMethod,
    ProductStatus,
    StockMoveKind,
)
from primedist.domain.product import Product, SkuGroup, StockMovement, Variant
from primedist.domain.sync import OutboxMessage
from primedist.errors import ValidationError
from primedist.services import catalogue, sku_groups, stock
from primedist.services import orders as orders_svc
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.order_import import RejectedRow
from primedist.services.orders import DraftLine, OrderDraft
from primedist.services.product_import import COLUMNS, import_products
from primedist.services.product_status import delete_products
from tests.factories import make_product, make_shop
from tests.services.test_product_status import sell
from tests.services.test_stock import list_on, pushes

products_t, variants_t, groups_t = table_of(Product), table_of(Variant), table_of(SkuGroup)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def one(sku: str, **more: Any) -> ProductDraft:
    """A product of one variant, on no shop."""
    name, category = more.pop("name", f"Sản phẩm {sku}"), more.pop("category", None)
    variant = VariantDraft(sku=sku, price=more.pop("price", 10_000), **more)
    return ProductDraft(name=name, category=category, variants=[variant])


# --------------------------------------------------------------------------- 1. limits


@pytest.mark.parametrize(
    ("column", "value", "why"),
    [
        ("price", 10**19, "the price cannot be more than 1,000,000,000,000."),
        ("cost", 10**12 + 1, "the cost cannot be more than 1,000,000,000,000."),
        ("stock", 5_000_000_000, "the stock cannot be more than 1,000,000."),
        ("low_stock_level", 2_000_000_000, "the low-stock level cannot be more than 1,000,000."),
    ],
)
def test_the_form_refuses_amounts_and_stock_above_the_apps_limits(
    owner_ctx: ServiceContext, engine: Engine, column: str, value: int, why: str
) -> None:
    draft = one("BIG-1", **{column: value})
    with pytest.raises(ValidationError) as caught:
        catalogue.create_product(owner_ctx, draft)
    assert caught.value.field == f"variants.0.{column}"
    assert str(caught.value) == f"Variant 1 (BIG-1): {why}"
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(products_t)).scalar_one() == 0


def test_the_limits_themselves_are_accepted(owner_ctx: ServiceContext, engine: Engine) -> None:
    top = 1_000_000_000_000
    pid = catalogue.create_product(
        owner_ctx, one("TOP-1", price=top, cost=top, discount_price=top, stock=1_000_000,
                       low_stock_level=1_000_000)
    )  # fmt: skip
    form = catalogue.get_product(owner_ctx, pid).draft.variants[0]
    assert (form.price, form.cost, form.stock, form.low_stock_level) == (
        top, top, 1_000_000, 1_000_000)  # fmt: skip


def test_a_stock_above_the_limit_left_as_shown_does_not_block_the_form(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """Several receipts may take the shelf past 1,000,000: the form still saves a price."""
    pid = catalogue.create_product(owner_ctx, one("MANY-1", stock=900_000))
    vid = catalogue.get_product(owner_ctx, pid).draft.variants[0].id
    assert vid is not None
    stock.stock_in(owner_ctx, vid, 900_000, reason="Second delivery")
    editable = catalogue.get_product(owner_ctx, pid)
    editable.draft.variants[0].price = 12_000
    catalogue.update_product(owner_ctx, pid, editable.draft)
    again = catalogue.get_product(owner_ctx, pid).draft
    assert (again.variants[0].price, again.variants[0].stock) == (12_000, 1_800_000)
    again.variants[0].stock = 1_800_001  # typed: refused
    with pytest.raises(ValidationError, match="the stock cannot be more than 1,000,000"):
        catalogue.update_product(owner_ctx, pid, again)


# --------------------------------------------------------------------------- 2. NFC


def test_a_decomposed_category_is_the_same_category(owner_ctx: ServiceContext) -> None:
    catalogue.create_product(owner_ctx, one("A-1", category="Thời trang"))
    catalogue.create_product(owner_ctx, one("A-2", category=nfd("Thời trang")))
    assert catalogue.list_categories(owner_ctx) == ["Thời trang"]


def test_a_decomposed_name_is_counted_in_letters_and_stored_composed(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    name = ("Giày thể thao nữ " * 7)[:98] + "ữ"
    typed = nfd(name)
    assert len(typed) > catalogue.MAX_NAME  # 99 letters, more code points than the limit
    pid = catalogue.create_product(owner_ctx, ProductDraft(
        name=typed, option1_name=nfd("Màu"),
        variants=[VariantDraft(sku="GIAY-1", price=1, option1=nfd("Vàng kem"))]))  # fmt: skip
    stored = catalogue.get_product(owner_ctx, pid).draft
    assert stored.name == name and len(stored.name) == 99
    assert (stored.option1_name, stored.variants[0].option1) == ("Màu", "Vàng kem")
    assert catalogue.clean_name(typed) == name


def test_a_decomposed_sku_is_the_same_sku(owner_ctx: ServiceContext) -> None:
    catalogue.create_product(owner_ctx, one("ÁO-ĐỎ-1", name="Áo đỏ"))
    with pytest.raises(ValidationError) as caught:
        catalogue.create_product(owner_ctx, one(nfd("ÁO-ĐỎ-1"), name="Áo khác"))
    assert caught.value.field == "variants.0.sku"
    assert "SKU ÁO-ĐỎ-1 is already used by “Áo đỏ”" in str(caught.value)


def test_decomposed_attribute_values_are_one_combination(owner_ctx: ServiceContext) -> None:
    draft = ProductDraft(name="Áo", option1_name="Màu", variants=[
        VariantDraft(sku="AO-1", price=1, option1="Đỏ"),
        VariantDraft(sku="AO-2", price=1, option1=nfd("Đỏ"))])  # fmt: skip
    with pytest.raises(ValidationError, match="Đỏ is already variant 1"):
        catalogue.create_product(owner_ctx, draft)


# --------------------------------------------------------------------------- 3. archive


def delivered(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(table_of(OutboxMessage)).values(status=OutboxStatus.DONE))


def queued(engine: Engine) -> set[str]:
    return {k for k, p in pushes(engine).items() if p["status"] == OutboxStatus.PENDING}


def test_an_archived_products_variant_leaves_its_sku_group(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    shopee, lazada = make_shop(engine, "Shopee HN"), make_shop(engine, "Lazada HN", "lazada")
    [keep] = make_product(engine, "Giày Shopee", [("GS-36", 500_000, 0)])
    [gone] = make_product(engine, "Giày Lazada", [("GL-36", 500_000, 0)])
    [keep_vl], [gone_vl] = list_on(engine, shopee, [keep]), list_on(engine, lazada, [gone])
    gid = sku_groups.create_group(owner_ctx, "PS-36", "Giày 36", variant_ids=[keep, gone])
    stock.stock_in(owner_ctx, keep, 87, reason="Opening")
    sell(engine, lazada, gone)

    assert delete_products(owner_ctx, [engine_product(engine, gone)]).archived == 1

    detail = sku_groups.group_detail(owner_ctx, gid)
    assert [m.sku for m in detail.members] == ["GS-36"]
    assert detail.stock == 87  # the goods stay with the group
    with engine.connect() as conn:
        row = conn.execute(sa.select(variants_t.c.sku_group_id, variants_t.c.stock,
                                     variants_t.c.is_active)
                           .where(variants_t.c.id == gone)).one()  # fmt: skip
    assert tuple(row) == (None, 0, False)
    # The group's stock goes on to the listing still in it, never to the archived one's.
    delivered(engine)
    stock.stock_out(owner_ctx, keep, 2, reason="Damaged")
    assert queued(engine) == {f"stock:{shopee}:{keep_vl}"}
    assert f"stock:{lazada}:{gone_vl}" not in queued(engine)
    assert pushes(engine)[f"stock:{shopee}:{keep_vl}"]["available"] == 85
    # Its last other member removed (its units taken out first), the group can be deleted.
    stock.stock_out(owner_ctx, keep, 85, reason="Hết hàng")
    sku_groups.remove_from_group(owner_ctx, gid, [keep])
    sku_groups.delete_group(owner_ctx, gid)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(groups_t)).scalar_one() == 0


def test_a_group_whose_only_member_was_archived_can_be_deleted(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    shop = make_shop(engine, "Shopee HN")
    [vid] = make_product(engine, "Nón lá", [("NON-1", 50_000, 0)])
    list_on(engine, shop, [vid])
    gid = sku_groups.create_group(owner_ctx, "PS-NON", "Nón", variant_ids=[vid])
    stock.stock_in(owner_ctx, vid, 5, reason="Opening")
    sell(engine, shop, vid)
    delete_products(owner_ctx, [engine_product(engine, vid)])
    assert sku_groups.group_detail(owner_ctx, gid).members == ()
    # Its units go out by a movement first, through a listing put in for the time of it.
    [other] = make_product(engine, "Nón lá Lazada", [("NON-2", 50_000, 0)])
    sku_groups.add_to_group(owner_ctx, gid, [other])
    stock.stock_out(owner_ctx, other, sku_groups.group_detail(owner_ctx, gid).stock, reason="Hư")
    sku_groups.remove_from_group(owner_ctx, gid, [other])
    sku_groups.delete_group(owner_ctx, gid)  # no "still has 1 listing"
    with pytest.raises(Exception):  # noqa: B017 - gone
        sku_groups.group_detail(owner_ctx, gid)


def test_an_archived_variants_open_order_takes_its_reservation_out_of_the_group(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """What the archived variant's open order reserves leaves the group with it, with the
    movement rows "remove from group" writes: the group's other listing may sell it all."""
    [keep] = make_product(engine, "Áo A", [("AO-A", 100_000, 0)])
    [gone] = make_product(engine, "Áo B", [("AO-B", 100_000, 0)])
    gid = sku_groups.create_group(owner_ctx, "PS-AO", "Áo", variant_ids=[keep, gone])
    stock.stock_in(owner_ctx, keep, 10, reason="Opening")
    orders_svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(gone, 2),), source=OrderSource.PHONE, status=OrderStatus.PENDING,
        payment_method=PaymentMethod.COD))  # fmt: skip
    detail = sku_groups.group_detail(owner_ctx, gid)
    assert (detail.stock, detail.reserved) == (10, 2)

    delete_products(owner_ctx, [engine_product(engine, gone)])

    detail = sku_groups.group_detail(owner_ctx, gid)
    assert (detail.stock, detail.reserved, [m.sku for m in detail.members]) == (10, 0, ["AO-A"])
    m = table_of(StockMovement).c
    with engine.connect() as conn:
        own = conn.execute(
            sa.select(variants_t.c.stock, variants_t.c.reserved).where(variants_t.c.id == gone)
        ).one()
        left = conn.execute(sa.select(m.quantity, m.reserved_change, m.sku_group_id)
                            .where(m.variant_id == gone, m.reason == "Left group PS-AO")
                            .order_by(m.id)).all()  # fmt: skip
    assert tuple(own) == (0, 2)  # no goods of its own, its order's hold
    assert [tuple(r) for r in left] == [(0, -2, gid), (0, 2, None)]


def test_no_stock_is_pushed_to_an_inactive_variants_listing(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    shop = make_shop(engine, "Shopee HN")
    [vid] = make_product(engine, "Cốc", [("COC-1", 20_000, 4)])
    [vl] = list_on(engine, shop, [vid])
    sell(engine, shop, vid)
    delete_products(owner_ctx, [engine_product(engine, vid)])
    delivered(engine)
    with owner_ctx.uow() as session:  # a late return of an old order, say
        stock.move_stock(owner_ctx, session, vid, StockMoveKind.ADJUSTMENT, quantity=1)
    assert f"stock:{shop}:{vl}" not in queued(engine)
    with engine.connect() as conn:
        assert stock.push_targets(conn, [vid]) == []


def engine_product(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(variants_t.c.product_id)
                                .where(variants_t.c.id == variant_id)).scalar_one())  # fmt: skip


# --------------------------------------------------------------------------- 5. import


def write_xlsx(path: Path, rows: list[dict[str, Any]]) -> Path:
    """The template as a shop owner types it in Excel: amounts as text with their sign."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(c) for c in COLUMNS])
    book.save(path)
    return path


def test_the_import_takes_the_apps_status_labels_and_money_with_a_sign(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    rows = [
        {"product_name": "Cốc A", "sku": "C-A", "price": "2.000đ", "status": "Ẩn"},
        {"product_name": "Cốc B", "sku": "C-B", "price": "2.000 ₫", "cost": "1.500 ₫",
         "status": "Đang bán"},
        {"product_name": "Cốc C", "sku": "C-C", "price": "150,000 VND",
         "discount_price": "129.000đ", "status": "Hidden"},
        {"product_name": "Cốc D", "sku": "C-D", "price": 45000, "status": nfd("đang ẩn")},
        {"product_name": "Cốc E", "sku": "C-E", "price": "1.200.000 vnđ", "status": "ACTIVE"},
        {"product_name": "Cốc F", "sku": "C-F", "price": 1, "status": "dang ban"},
    ]  # fmt: skip
    report = import_products(owner_ctx, write_xlsx(tmp_path / "p.xlsx", rows))
    assert (report.rejected, report.products_created) == ([], 6)
    with engine.connect() as conn:
        got = {
            sku: (status, cost, price, discount)
            for sku, status, cost, price, discount in conn.execute(
                sa.select(variants_t.c.sku, products_t.c.status, variants_t.c.cost,
                          variants_t.c.price, variants_t.c.discount_price)
                .select_from(variants_t.join(products_t))
            )
        }  # fmt: skip
    assert got == {
        "C-A": (ProductStatus.HIDDEN, 0, 2_000, None),
        "C-B": (ProductStatus.ACTIVE, 1_500, 2_000, None),
        "C-C": (ProductStatus.HIDDEN, 0, 150_000, 129_000),
        "C-D": (ProductStatus.HIDDEN, 0, 45_000, None),
        "C-E": (ProductStatus.ACTIVE, 0, 1_200_000, None),
        "C-F": (ProductStatus.ACTIVE, 0, 1, None),
    }


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("price", "2.5đ", "'2.5đ' is not a number"),
        ("price", "2,5 ₫", "'2,5 ₫' is not a number"),
        ("price", "189.5", "'189.5' is not a whole number"),
        ("price", "-2.000đ", "-2,000 must not be negative"),
        (
            "price",
            "2.000.000.000.000 ₫",
            "2,000,000,000,000 is more than the limit of 1,000,000,000,000",
        ),
        ("stock", "2.000đ", "'2.000đ' is not a number"),  # money only where money belongs
        ("status", "Ngừng bán", "unknown value 'ngừng bán' (use active or hidden)"),
    ],
)
def test_what_the_import_still_refuses(
    owner_ctx: ServiceContext, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    row = {"product_name": "Cốc", "sku": "C-1", "price": "10000", column: value}
    report = import_products(owner_ctx, write_xlsx(tmp_path / "p.xlsx", [row]))
    assert report.rejected == [RejectedRow(2, column, reason)]


def test_a_grouped_variant_taken_off_the_form_leaves_its_group(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """A sold variant removed from the product form is deactivated (kept for its orders):
    it leaves its SKU group like an archived product's, the group keeps its goods."""
    shop = make_shop(engine, "Shopee HN")
    pid = catalogue.create_product(owner_ctx, ProductDraft(name="Giày", option1_name="Size",
        variants=[VariantDraft(sku="GI-36", option1="36", price=500_000),
                  VariantDraft(sku="GI-37", option1="37", price=500_000)]))  # fmt: skip
    draft = catalogue.get_product(owner_ctx, pid).draft
    [v36, v37] = [v.id for v in draft.variants]
    assert v36 is not None and v37 is not None
    [other] = make_product(engine, "Giày Lazada", [("GL-36", 500_000, 0)])
    gid = sku_groups.create_group(owner_ctx, "PS-36", "Giày 36", variant_ids=[v36, other])
    stock.stock_in(owner_ctx, other, 10, reason="Opening")
    sell(engine, shop, v36)

    draft = catalogue.get_product(owner_ctx, pid).draft
    draft.variants = [v for v in draft.variants if v.id == v37]
    catalogue.update_product(owner_ctx, pid, draft)

    detail = sku_groups.group_detail(owner_ctx, gid)
    assert [m.sku for m in detail.members] == ["GL-36"] and detail.stock == 10
    with engine.connect() as conn:
        row = conn.execute(sa.select(variants_t.c.sku_group_id, variants_t.c.is_active)
                           .where(variants_t.c.id == v36)).one()  # fmt: skip
    assert tuple(row) == (None, False)
    stock.stock_out(owner_ctx, other, 10, reason="Hết hàng")  # a group holding units stays
    sku_groups.remove_from_group(owner_ctx, gid, [other])
    sku_groups.delete_group(owner_ctx, gid)  # no longer "still has 2 listings"
