"""Change prices… before a rule is typed: the variants a change would touch with their
price now, the first few read in SQL and all of them counted, in the order the preview
lists them."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.enums import Role
from primedist.domain.product import Variant
from primedist.errors import PermissionDenied
from primedist.services.catalogue import VariantDraft
from primedist.services.context import Actor, ServiceContext
from primedist.services.price_change import (
    PriceField,
    PriceMode,
    PriceNow,
    PriceRule,
    current_prices,
    preview_prices,
)
from tests.factories import add_product, make_grouped_pair


def product_of(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(sa.select(Variant.product_id).where(Variant.id == variant_id)).scalar_one()
        )


def test_the_variants_with_their_price_now_by_product_name(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    cap = add_product(owner_ctx, "Mũ", [VariantDraft(sku="MU", price=60_000, stock=2)])
    shirt = add_product(owner_ctx, "Áo thun", [
        VariantDraft(sku="AO-S", option1="S", price=29_000, discount_price=25_000, stock=1),
        VariantDraft(sku="AO-M", option1="M", price=49_000, stock=1),
    ])  # fmt: skip
    ids = [cap, shirt]
    found = current_prices(owner_ctx, ids, PriceField.PRICE, 1000)
    assert found.total == 3
    assert [(r.sku, r.name, r.price) for r in found.rows] == [
        ("AO-S", "Áo thun — S", 29_000),
        ("AO-M", "Áo thun — M", 49_000),
        ("MU", "Mũ", 60_000),
    ]
    assert found.rows[2] == PriceNow(found.rows[2].variant_id, cap, "MU", "Mũ", 60_000)
    # The order of the preview once a rule is typed.
    preview = preview_prices(owner_ctx, ids, PriceRule(PriceField.PRICE, PriceMode.PERCENT,
                                                       Decimal(10)))  # fmt: skip
    assert [r.variant_id for r in found.rows] == [r.variant_id for r in preview]

    first = current_prices(owner_ctx, ids, PriceField.DISCOUNT, 2)  # a page, all counted
    assert ([(r.sku, r.price) for r in first.rows], first.total) == (
        [("AO-S", 25_000), ("AO-M", None)], 3)  # fmt: skip
    assert current_prices(owner_ctx, [], PriceField.PRICE, 1000).total == 0


def test_a_cost_reaches_the_other_members_of_a_sku_group(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    _group, a, b = make_grouped_pair(engine)
    ids = [product_of(engine, a)]
    assert [r.variant_id for r in current_prices(owner_ctx, ids, PriceField.PRICE, 9).rows] == [a]
    cost = current_prices(owner_ctx, ids, PriceField.COST, 9)
    assert ([r.variant_id for r in cost.rows], cost.total) == ([a, b], 2)
    preview = preview_prices(owner_ctx, ids, PriceRule(PriceField.COST, PriceMode.SET,
                                                       Decimal(1000)))  # fmt: skip
    assert [r.variant_id for r in preview] == [a, b]


def test_staff_without_products_is_refused(owner_ctx: ServiceContext) -> None:
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF))
    with pytest.raises(PermissionDenied):
        current_prices(staff, [1], PriceField.PRICE, 10)
