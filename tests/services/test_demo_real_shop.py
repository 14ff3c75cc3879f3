"""Demo data never goes into a real shop's store, and `--demo` signs in without a password
only as the demo owner it made itself (services/demo: shop_data, refuse_a_shop_with_data,
demo_owner; the CLI's `demo` and the GUI's `--demo` share them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from primedist.domain.enums import Role
from primedist.errors import Conflict
from primedist.services import demo, staff
from primedist.services.context import Actor, ServiceContext
from tests.factories import make_customers, make_product, make_shop
from tests.services.test_demo import counts


def data_dir_of(ctx: ServiceContext) -> Path:
    assert ctx.settings is not None
    return ctx.settings.data_dir


TABLES = ("users", "shops", "products", "customers", "orders", "audit_events", "app_settings")


def test_a_freshly_set_up_shop_holds_no_data_of_its_own(owner_ctx: ServiceContext) -> None:
    assert demo.shop_data(owner_ctx) == {
        "orders": 0, "products": 0, "customers": 0, "suppliers": 0, "shops": 0,
    }  # fmt: skip
    demo.refuse_a_shop_with_data(owner_ctx, data_dir_of(owner_ctx))  # no Conflict


def test_products_customers_and_other_shops_are_a_shops_data(owner_ctx: ServiceContext) -> None:
    engine = owner_ctx.engine
    make_shop(engine, "Shopee Hoa")  # a linked marketplace shop, nothing else yet
    assert demo.shop_data(owner_ctx)["shops"] == 1
    make_product(engine, "Áo thun", [("AT-01", 150_000, 5)])
    make_customers(engine, 2)
    assert demo.shop_data(owner_ctx) == {
        "orders": 0, "products": 1, "customers": 2, "suppliers": 0, "shops": 1,
    }  # fmt: skip
    with pytest.raises(Conflict) as refused:
        demo.refuse_a_shop_with_data(owner_ctx, data_dir_of(owner_ctx))
    assert str(refused.value) == (
        f"{data_dir_of(owner_ctx)} already holds a shop's data (0 orders, 1 products, "
        "2 customers, 0 suppliers, 1 other shops): demo data goes only into a new data dir. "
        "Choose another --data-dir."
    )


def test_the_demo_owner_is_set_up_on_a_new_store(ctx: ServiceContext) -> None:
    owner = demo.demo_owner(ctx, data_dir_of(ctx))
    assert owner.email == demo.DEMO_OWNER_EMAIL and owner.role == Role.OWNER
    assert not demo.is_filled(ctx)
    assert demo.demo_owner(ctx, data_dir_of(ctx)) == owner  # not filled yet: again


@pytest.mark.parametrize("data", [False, True])
def test_a_real_shop_is_not_the_demo_even_with_nothing_in_it(
    ctx: ServiceContext, owner: Actor, data: bool
) -> None:
    if data:  # the repro: `init`, two products imported, no orders yet
        make_product(ctx.engine, "Áo thun", [("AT-01", 150_000, 5), ("AT-02", 150_000, 3)])
    before = counts(ctx.engine, *TABLES)
    with pytest.raises(Conflict) as refused:
        demo.demo_owner(ctx, data_dir_of(ctx))
    assert str(refused.value) == (
        f"{data_dir_of(ctx)} holds the shop “Cửa hàng Thử”, not the demo shop: --demo "
        "signs in without a password only to the demo shop it made itself. Open the app "
        "without --demo to sign in, or choose another --data-dir for the demo."
    )
    assert counts(ctx.engine, *TABLES) == before


def test_an_unfilled_demo_store_with_data_or_accounts_of_its_own_is_refused(
    ctx: ServiceContext,
) -> None:
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    make_customers(ctx.engine, 1)
    with pytest.raises(Conflict, match="already holds a shop's data"):
        demo.demo_owner(ctx, data_dir_of(ctx))
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM customer_phones")
        conn.exec_driver_sql("DELETE FROM customers")
    staff.add_staff(owner_ctx, name="Thu ngân", email="thu-ngan@shop.vn", role=Role.STAFF)
    with pytest.raises(Conflict, match="not the demo shop"):
        demo.demo_owner(ctx, data_dir_of(ctx))


def test_a_filled_demo_opens_as_its_owner_whatever_was_added_since(ctx: ServiceContext) -> None:
    owner = demo.ensure_demo_owner(ctx)
    owner_ctx = ctx.with_actor(owner)
    demo.generate_demo(owner_ctx, orders=50, customers=20, seed=2)
    assert demo.is_filled(ctx)
    staff.add_staff(owner_ctx, name="Thu ngân", email="thu-ngan@shop.vn", role=Role.STAFF)
    assert demo.demo_owner(ctx, data_dir_of(ctx)) == owner
