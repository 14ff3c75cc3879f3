"""Hide, unhide and delete products: status changes, archive-or-erase, image files,
permission, audit rows and summaries, through the real services on a migrated database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Module, Role, StockMoveKind
from primedist.domain.order import OrderLine
from primedist.domain.product import (
    Product,
    ProductImage,
    ProductListing,
    SkuGroup,
    StockMovement,
    Variant,
)
from primedist.errors import PermissionDenied
from primedist.services import stock
from primedist.services.context import Actor, ServiceContext
from primedist.services.product_status import (
    DeleteResult,
    delete_products,
    hide_products,
    unhide_products,
)
from tests.conftest import FIXED_NOW
from tests.factories import make_catalogue_product, make_orders, make_shop

products_t = table_of(Product)
variants_t = table_of(Variant)


def status(engine: Engine, *ids: int) -> list[str | None]:
    with engine.connect() as conn:
        got = dict(conn.execute(sa.select(products_t.c.id, products_t.c.status)).all())
    return [None if i not in got else str(got[i]) for i in ids]


def audits(engine: Engine, action: str) -> list[str]:
    t = table_of(AuditEvent)
    with engine.connect() as conn:
        stmt = sa.select(t.c.summary).where(t.c.action == action).order_by(t.c.id)
        return [str(s) for s in conn.execute(stmt).scalars()]


def count(engine: Engine, model: type, **where: object) -> int:
    t = table_of(model)
    with engine.connect() as conn:
        stmt = sa.select(sa.func.count()).select_from(t)
        for k, val in where.items():
            stmt = stmt.where(t.c[k] == val)
        return int(conn.execute(stmt).scalar_one())


def sell(engine: Engine, shop_id: int, variant_id: int) -> None:
    """One order with one line of the variant (history: no stock moves)."""
    order_id = make_orders(engine, shop_id, 1, start=FIXED_NOW, step=timedelta(hours=1))[0]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(table_of(OrderLine)),
            {"order_id": order_id, "variant_id": variant_id, "sku": "x", "product_name": "x",
             "quantity": 1, "unit_price": 10_000, "discount": 0, "subtotal": 10_000},
        )  # fmt: skip


def variant_ids(engine: Engine, product_id: int) -> list[int]:
    with engine.connect() as conn:
        stmt = sa.select(variants_t.c.id).where(variants_t.c.product_id == product_id)
        return list(conn.execute(stmt.order_by(variants_t.c.id)).scalars())


@pytest.fixture
def shop(engine: Engine) -> int:
    return make_shop(engine, "Prime Shopee", "shopee")


@pytest.fixture
def three(engine: Engine, shop: int) -> list[int]:
    return [
        make_catalogue_product(
            engine, f"Sản phẩm {i}", [(f"SP-{i}", 10_000, None, 0)], shop_ids=(shop,)
        )  # fmt: skip
        for i in range(3)
    ]


def test_hide_and_unhide(engine: Engine, owner_ctx: ServiceContext, three: list[int]) -> None:
    a, b, c = three
    assert hide_products(owner_ctx, [a, b, b, 999_999]) == 2
    assert status(engine, a, b, c) == ["hidden", "hidden", "active"]
    # Hiding again changes nothing; unhiding only touches hidden products.
    assert hide_products(owner_ctx, [a]) == 0
    assert unhide_products(owner_ctx, [a, c]) == 1
    assert status(engine, a, b, c) == ["active", "hidden", "active"]
    assert audits(engine, "product.hide") == ["2 of 3 products", "0 of 1 products"]
    assert audits(engine, "product.unhide") == ["1 of 2 products"]


def test_nothing_asked_nothing_written(engine: Engine, owner_ctx: ServiceContext) -> None:
    assert hide_products(owner_ctx, []) == 0
    assert delete_products(owner_ctx, []) == DeleteResult(0, 0)
    assert audits(engine, "product.hide") == audits(engine, "product.delete") == []


def test_archived_products_are_not_unhidden(
    engine: Engine, owner_ctx: ServiceContext, shop: int, three: list[int]
) -> None:
    a = three[0]
    sell(engine, shop, variant_ids(engine, a)[0])
    assert delete_products(owner_ctx, [a]) == DeleteResult(deleted=0, archived=1)
    assert unhide_products(owner_ctx, [a]) == 0
    assert hide_products(owner_ctx, [a]) == 0
    assert status(engine, a) == ["archived"]


def test_delete_erases_products_without_orders_and_archives_the_rest(
    engine: Engine, owner_ctx: ServiceContext, shop: int, three: list[int]
) -> None:
    a, b, c = three
    sell(engine, shop, variant_ids(engine, b)[0])
    result = delete_products(owner_ctx, [a, b])
    assert result == DeleteResult(deleted=1, archived=1)
    assert status(engine, a, b, c) == [None, "archived", "active"]
    # The erased product's rows are gone with it; the archived one keeps its variants,
    # inactive, and its summary shows no variant any more.
    assert count(engine, Variant, product_id=a) == 0
    assert count(engine, ProductListing, product_id=a) == 0
    assert count(engine, Variant, product_id=b, is_active=False) == 1
    with engine.connect() as conn:
        summary = conn.execute(
            sa.select(products_t.c.variant_count, products_t.c.stock_total).where(
                products_t.c.id == b
            )
        ).one()
    assert tuple(summary) == (0, 0)
    # The order line still points at its variant.
    assert count(engine, OrderLine, variant_id=variant_ids(engine, b)[0]) == 1
    assert audits(engine, "product.delete") == ["1 deleted, 1 archived"]
    # Deleting the archived one again is a no-op.
    assert delete_products(owner_ctx, [b]) == DeleteResult(0, 0)


def test_delete_removes_the_image_files_after_the_commit(
    engine: Engine, owner_ctx: ServiceContext, settings: Settings, tmp_path: Path
) -> None:
    root = settings.data_dir
    folder = root / "images" / "products" / "1"
    folder.mkdir(parents=True)
    for name in ("a.jpg", "a.thumb.jpg", "b.png"):
        (folder / name).write_bytes(b"x")
    outside = tmp_path / "precious.jpg"
    outside.write_bytes(b"keep me")
    other = root / "images" / "products" / "other.jpg"
    other.write_bytes(b"x")
    pid = make_catalogue_product(
        engine, "Ảnh", [("IMG-1", 1_000, None, 0)],
        images=(("images/products/1/a.jpg", "images/products/1/a.thumb.jpg"),
                ("images/products/1/b.png", None), (str(outside), None),
                ("images/products/1/missing.jpg", None)),
    )  # fmt: skip
    assert delete_products(owner_ctx, [pid]) == DeleteResult(1, 0)
    assert count(engine, ProductImage, product_id=pid) == 0
    assert not folder.exists()  # its files gone, then the empty folder
    assert outside.read_bytes() == b"keep me"  # never outside the data dir
    assert other.exists()


def test_archived_products_keep_their_images(
    engine: Engine, owner_ctx: ServiceContext, settings: Settings, shop: int
) -> None:
    image = settings.data_dir / "images" / "products" / "k.jpg"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"x")
    pid = make_catalogue_product(engine, "Giữ", [("K-1", 1_000, None, 1)],
                                 images=(("images/products/k.jpg", None),))  # fmt: skip
    sell(engine, shop, variant_ids(engine, pid)[0])
    assert delete_products(owner_ctx, [pid]) == DeleteResult(0, 1)
    assert image.exists()
    assert count(engine, ProductImage, product_id=pid) == 1


def test_a_grouped_variants_movements_stay_on_its_group(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    with engine.begin() as conn:
        group = conn.execute(
            sa.insert(table_of(SkuGroup)).returning(table_of(SkuGroup).c.id),
            {"code": "PRIME-1", "name": "Prime 1", "stock": 0, "created_at": FIXED_NOW},
        ).scalar_one()
    gone = make_catalogue_product(engine, "Bán ở Shopee", [("G-1", 1_000, None, 0)])
    stays = make_catalogue_product(engine, "Bán ở Lazada", [("G-2", 1_000, None, 0)])
    with engine.begin() as conn:
        conn.execute(sa.update(variants_t).values(sku_group_id=group))
    stock.stock_in(owner_ctx, variant_ids(engine, gone)[0], 7, reason="nhập hàng")
    solo = make_catalogue_product(engine, "Lẻ", [("S-1", 1_000, None, 0)])
    stock.stock_in(owner_ctx, variant_ids(engine, solo)[0], 3, reason="nhập hàng")
    # The grouped variant's movement is the group's: it is erased, the movement stays on
    # the group. The ungrouped one has a ledger (and stock) of its own: it is archived.
    assert delete_products(owner_ctx, [gone, solo]) == DeleteResult(1, 1)
    assert status(engine, gone, solo) == [None, "archived"]
    assert count(engine, StockMovement, sku_group_id=group) == 1
    assert count(engine, StockMovement) == 2
    with engine.connect() as conn:
        on_hand = conn.execute(
            sa.select(table_of(SkuGroup).c.stock).where(table_of(SkuGroup).c.id == group)
        ).scalar_one()
        available = conn.execute(
            sa.select(products_t.c.available_total).where(products_t.c.id == stays)
        ).scalar_one()
    assert on_hand == available == 7
    assert count(engine, StockMovement, kind=StockMoveKind.STOCK_IN) == 2


def test_staff_without_products_access_is_refused(
    engine: Engine, owner_ctx: ServiceContext, three: list[int]
) -> None:
    staff = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset({Module.ORDERS}))
    )
    for call in (hide_products, unhide_products, delete_products):
        with pytest.raises(PermissionDenied):
            call(staff, three)  # type: ignore[operator]
    assert status(engine, *three) == ["active"] * 3
    allowed = owner_ctx.with_actor(
        Actor(None, "Hoa", "hoa@x.vn", Role.STAFF, frozenset({Module.PRODUCTS}))
    )
    assert hide_products(allowed, three[:1]) == 1


def test_a_failed_delete_leaves_everything(
    engine: Engine, owner_ctx: ServiceContext, settings: Settings, three: list[int], monkeypatch
) -> None:
    image = settings.data_dir / "images" / "x.jpg"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"x")
    pid = make_catalogue_product(engine, "Lỗi", [("E-1", 1, None, 1)],
                                 images=(("images/x.jpg", None),))  # fmt: skip

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(owner_ctx, "audit", boom)
    with pytest.raises(RuntimeError):
        delete_products(owner_ctx, [*three, pid])
    assert status(engine, *three, pid) == ["active"] * 4
    assert image.exists()
