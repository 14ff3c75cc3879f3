"""Low-stock levels: shop defaults (bulk apply, reset), the variant override, and what the
low-stock query and the products summary make of them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.db.product_summary import LOW_STOCK_KEY
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, Role
from primedist.domain.product import Product, ProductListing, SkuGroup, Variant
from primedist.domain.settings import ShopParameter
from primedist.domain.shop import Shop
from primedist.errors import NotFound, PermissionDenied, ValidationError
from primedist.queries.stock import low_stock_variants
from primedist.services import low_stock as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.low_stock import ShopLevel
from tests.conftest import FIXED_NOW
from tests.factories import make_product, make_shop


def list_on(engine: Engine, shop_id: int, variant_id: int) -> None:
    """List the variant's product on a shop."""
    with engine.begin() as conn:
        pid = conn.execute(sa.select(Variant.product_id).where(Variant.id == variant_id)).scalar()
        conn.execute(sa.insert(table_of(ProductListing)), {"product_id": pid, "shop_id": shop_id})


def low_flag(engine: Engine, variant_id: int) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                sa.select(Product.low_stock)
                .join(Variant, Variant.product_id == Product.id)  # type: ignore[arg-type]
                .where(Variant.id == variant_id)
            ).scalar()
        )


def low_skus(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return [(r.sku, r.level) for r in low_stock_variants(conn)]


def stored(engine: Engine) -> dict[int, str]:
    """The shops' stored defaults, but the setup's counter shop's (the level every new shop
    gets, NEW_SHOP_LOW_STOCK_LEVEL; `shops` are made as shops were before it)."""
    with engine.connect() as conn:
        first = conn.execute(sa.select(sa.func.min(Shop.id))).scalar()
        rows = conn.execute(
            sa.select(ShopParameter.shop_id, ShopParameter.value_json).where(
                ShopParameter.key == LOW_STOCK_KEY, ShopParameter.shop_id != first
            )
        ).all()
    return {int(s): str(v) for s, v in rows}


def audits(engine: Engine, prefix: str) -> list[tuple[str, str | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.summary)
            .where(AuditEvent.action.startswith(prefix))  # type: ignore[attr-defined]
            .order_by(AuditEvent.id)  # type: ignore[arg-type]
        ).all()
    return [(a, e, s) for a, e, s in rows]


@pytest.fixture
def shops(engine: Engine, owner_ctx: ServiceContext) -> tuple[int, int, int]:
    """Shopee (lists ÁO), Lazada (lists ÁO and MŨ), Quầy (lists nothing)."""
    return (
        make_shop(engine, "Shopee Mall", Channel.SHOPEE),
        make_shop(engine, "Lazada Store", Channel.LAZADA),
        make_shop(engine, "Quầy", Channel.OFFLINE),
    )


@pytest.fixture
def variants(engine: Engine, shops: tuple[int, int, int]) -> tuple[int, int]:
    """ÁO (4 on hand) on Shopee and Lazada; MŨ (8 on hand) on Lazada."""
    (ao,) = make_product(engine, "Áo thun", [("AO", 99_000, 4)])
    (mu,) = make_product(engine, "Mũ", [("MU", 50_000, 8)])
    list_on(engine, shops[0], ao)
    list_on(engine, shops[1], ao)
    list_on(engine, shops[1], mu)
    return ao, mu


def test_shop_levels_lists_every_shop_with_its_default(
    owner_ctx: ServiceContext, shops: tuple[int, int, int]
) -> None:
    shopee, lazada, counter = shops
    assert svc.shop_levels(owner_ctx)[-3:] == [
        ShopLevel(lazada, "Lazada Store", Channel.LAZADA, None),
        ShopLevel(counter, "Quầy", Channel.OFFLINE, None),
        ShopLevel(shopee, "Shopee Mall", Channel.SHOPEE, None),
    ]
    svc.set_shop_level(owner_ctx, [shopee], 3)
    levels = {s.shop_id: s.level for s in svc.shop_levels(owner_ctx)}
    assert (levels[shopee], levels[lazada], levels[counter]) == (3, None, None)


def test_apply_to_several_shops_flags_low_products_and_reset_clears_them(
    engine: Engine,
    owner_ctx: ServiceContext,
    shops: tuple[int, int, int],
    variants: tuple[int, int],
) -> None:
    shopee, lazada, counter = shops
    ao, mu = variants
    assert (low_flag(engine, ao), low_flag(engine, mu)) == (False, False)
    assert low_skus(engine) == []

    report = svc.set_shop_level(owner_ctx, [shopee, counter], 5)
    assert report.products == 1  # ÁO is the only product listed on those shops
    assert stored(engine) == {shopee: "5", counter: "5"}
    assert json.loads(stored(engine)[shopee]) == 5
    assert low_skus(engine) == [("AO", 5)]  # 4 ≤ 5; MŨ is not on Shopee
    assert (low_flag(engine, ao), low_flag(engine, mu)) == (True, False)

    # Lazada's higher default wins for ÁO (listed on both) and reaches MŨ: 8 ≤ 8.
    assert svc.set_shop_level(owner_ctx, [lazada], 8).products == 2
    assert low_skus(engine) == [("AO", 8), ("MU", 8)]
    assert (low_flag(engine, ao), low_flag(engine, mu)) == (True, True)

    # Applying again replaces the value (one parameter per shop).
    svc.set_shop_level(owner_ctx, [lazada], 2)
    assert stored(engine) == {shopee: "5", counter: "5", lazada: "2"}
    assert low_skus(engine) == [("AO", 5)]
    assert (low_flag(engine, ao), low_flag(engine, mu)) == (True, False)

    assert svc.reset_shop_level(owner_ctx, [shopee, lazada]) == (2, 0, 1, 0)
    assert stored(engine) == {counter: "5"}
    assert low_skus(engine) == []
    assert (low_flag(engine, ao), low_flag(engine, mu)) == (False, False)
    assert svc.reset_shop_level(owner_ctx, [shopee]).products == 1  # nothing to remove: fine

    assert audits(engine, "low_stock.shop_level") == [
        ("low_stock.shop_level", str(shopee), "Shopee Mall: default low-stock level — → 5"),
        ("low_stock.shop_level", str(counter), "Quầy: default low-stock level — → 5"),
        ("low_stock.shop_level", str(lazada), "Lazada Store: default low-stock level — → 8"),
        ("low_stock.shop_level", str(lazada), "Lazada Store: default low-stock level 8 → 2"),
        ("low_stock.shop_level_reset", str(shopee),
         "Shopee Mall: default low-stock level 5 removed"),
        ("low_stock.shop_level_reset", str(lazada),
         "Lazada Store: default low-stock level 2 removed"),
    ]  # fmt: skip


def test_the_report_counts_what_the_owner_sees(
    engine: Engine,
    owner_ctx: ServiceContext,
    shops: tuple[int, int, int],
    variants: tuple[int, int],
) -> None:
    """Products not archived and actively listed; variants their own or their group's
    level keeps from the default; Home's Low on stock before → after."""
    shopee, lazada, _counter = shops
    ao, mu = variants
    (old,) = make_product(engine, "Áo cũ", [("OLD", 1, 0)])  # archived: out of sight
    (gone,) = make_product(engine, "Khăn", [("KHAN", 1, 0)])  # listing switched off
    list_on(engine, lazada, old)
    list_on(engine, lazada, gone)
    with engine.begin() as conn:
        conn.execute(sa.update(Product).where(
            Product.id == sa.select(Variant.product_id).where(Variant.id == old)
            .scalar_subquery()).values(status="archived"))  # fmt: skip
        conn.execute(sa.update(ProductListing).where(
            ProductListing.product_id == sa.select(Variant.product_id).where(Variant.id == gone)
            .scalar_subquery()).values(is_active=False))  # fmt: skip
        gid = conn.execute(
            sa.insert(table_of(SkuGroup)).returning(table_of(SkuGroup).c.id),
            {"code": "PRIME-8", "name": "Nón", "stock": 50, "reserved": 0, "low_stock_level": 1,
             "created_at": FIXED_NOW},
        ).scalar_one()  # fmt: skip
    (non,) = make_product(engine, "Nón", [("NON", 1, 0)], sku_group_id=gid)
    list_on(engine, lazada, non)
    svc.set_variant_level(owner_ctx, mu, 2)  # MŨ keeps its own level: 8 > 2

    # ÁO, MŨ and NÓN (the archived one and the one switched off not counted); MŨ's own
    # level and NÓN's group's come first; ÁO (4 ≤ 10) becomes low.
    assert svc.set_shop_level(owner_ctx, [lazada], 10) == (3, 2, 0, 1)
    assert (low_flag(engine, ao), low_flag(engine, mu), low_flag(engine, non)) == (
        True, False, False)  # fmt: skip
    assert svc.set_shop_level(owner_ctx, [shopee, lazada], 3) == (3, 2, 1, 0)
    assert svc.set_shop_level(owner_ctx, [shopee], 6) == (1, 0, 0, 1)
    assert svc.reset_shop_level(owner_ctx, [shopee, lazada]) == (3, 2, 1, 0)


def test_variant_override_beats_the_group_and_the_shop_default(
    engine: Engine,
    owner_ctx: ServiceContext,
    shops: tuple[int, int, int],
    variants: tuple[int, int],
) -> None:
    shopee = shops[0]
    ao, _mu = variants
    svc.set_shop_level(owner_ctx, [shopee], 10)
    assert low_skus(engine) == [("AO", 10)]
    svc.set_variant_level(owner_ctx, ao, 1)  # 4 > 1: no longer low
    assert low_skus(engine) == [] and not low_flag(engine, ao)
    svc.set_variant_level(owner_ctx, ao, 1)  # unchanged: no second audit row
    svc.set_variant_level(owner_ctx, ao, None)  # back to the shop default
    assert low_skus(engine) == [("AO", 10)] and low_flag(engine, ao)
    assert [s for _a, _e, s in audits(engine, "low_stock.variant_level")] == [
        "AO: low-stock level — → 1",
        "AO: low-stock level 1 → default",
    ]

    # A SKU group's level comes before the shop default, the variant's before the group's.
    with engine.begin() as conn:
        gid = conn.execute(
            sa.insert(table_of(SkuGroup)).returning(table_of(SkuGroup).c.id),
            {"code": "PRIME-9", "name": "Nón", "stock": 6, "reserved": 0, "low_stock_level": 7,
             "created_at": FIXED_NOW},
        ).scalar_one()  # fmt: skip
    (non,) = make_product(engine, "Nón", [("NON", 1, 0)], sku_group_id=gid)
    list_on(engine, shopee, non)
    svc.set_shop_level(owner_ctx, [shopee], 2)  # refreshes NÓN's product too
    assert ("NON", 7) in low_skus(engine) and low_flag(engine, non)
    svc.set_variant_level(owner_ctx, non, 3)
    assert ("NON", 3) not in low_skus(engine) and not low_flag(engine, non)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c, s: svc.set_shop_level(c, [s], -1), ValidationError,
         "The low-stock level cannot be negative."),
        (lambda c, _s: svc.set_shop_level(c, [], 3), ValidationError, "Choose at least one shop."),
        (lambda c, s: svc.set_shop_level(c, [s, 999_999], 3), NotFound,
         "Shop 999999 no longer exists."),
        (lambda c, _s: svc.reset_shop_level(c, []), ValidationError, "Choose at least one shop."),
        (lambda c, _s: svc.set_variant_level(c, 999_999, 3), NotFound,
         "Product variant 999999 no longer exists."),
    ],
)  # fmt: skip
def test_bad_input_changes_nothing(
    engine: Engine,
    owner_ctx: ServiceContext,
    shops: tuple[int, int, int],
    call: object,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error) as err:
        call(owner_ctx, shops[0])  # type: ignore[operator]
    assert getattr(err.value, "user_message", None) == message
    assert stored(engine) == {}
    assert audits(engine, "low_stock") == []


def test_variant_level_cannot_be_negative(
    owner_ctx: ServiceContext, variants: tuple[int, int]
) -> None:
    with pytest.raises(ValidationError, match="cannot be negative"):
        svc.set_variant_level(owner_ctx, variants[0], -2)


def test_permissions(
    owner_ctx: ServiceContext, shops: tuple[int, int, int], variants: tuple[int, int]
) -> None:
    products_only = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, modules=frozenset({Module.PRODUCTS}))
    )
    settings_only = owner_ctx.with_actor(
        Actor(None, "Minh", "minh@x.vn", Role.STAFF, modules=frozenset({Module.SETTINGS}))
    )
    for call in (
        lambda: svc.shop_levels(products_only),
        lambda: svc.set_shop_level(products_only, [shops[0]], 3),
        lambda: svc.reset_shop_level(products_only, [shops[0]]),
        lambda: svc.set_variant_level(settings_only, variants[0], 3),
    ):
        with pytest.raises(PermissionDenied):
            call()
    svc.set_shop_level(settings_only, [shops[0]], 3)
    svc.set_variant_level(products_only, variants[0], 3)
    manager = owner_ctx.with_actor(Actor(None, "Quản lý", "ql@x.vn", Role.MANAGER))
    assert len(svc.shop_levels(manager)) >= 3


def test_low_stock_news_is_posted_on_home_once_a_local_day(
    owner_ctx: ServiceContext,
    clock: FixedClock,
    shops: tuple[int, int, int],
    variants: tuple[int, int],
) -> None:
    from primedist.jobs import stock as stock_job
    from primedist.services import reports

    def news() -> list[tuple[str, dict[str, object]]]:
        return [(e.message, e.args) for e in reports.events(owner_ctx) if e.kind == "low_stock"]

    shopee, lazada, _counter = shops
    assert svc.post_low_stock_news(owner_ctx) is None  # nothing is low: nothing to say
    svc.set_shop_level(owner_ctx, [shopee], 5)  # ÁO: 4 ≤ 5
    stock_job.catch_up(owner_ctx)  # what the scheduler runs at start, then every hour
    assert news() == [("1 product(s) low on stock", {"products": 1})]
    svc.set_shop_level(owner_ctx, [lazada], 8)  # MŨ too
    clock.advance(timedelta(hours=13))  # 23:00 local time on the same day
    assert svc.post_low_stock_news(owner_ctx) is None
    clock.advance(timedelta(hours=1))  # midnight, Ho Chi Minh City: a new day
    assert svc.post_low_stock_news(owner_ctx) == 2
    assert [args for _m, args in news()] == [{"products": 2}, {"products": 1}]
