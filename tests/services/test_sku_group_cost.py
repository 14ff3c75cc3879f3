"""A SKU group is one stock on the shelf, so it has one cost: joining merges the members'
costs over the units each brings, goods in and out average the group's cost whichever
member is scanned, and a cost typed in the product form or changed in bulk goes to every
member."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.order import OrderLine
from primedist.domain.product import Variant
from primedist.errors import ValidationError
from primedist.services import catalogue
from primedist.services import orders as orders_svc
from primedist.services import price_change as pc
from primedist.services import sku_groups as groups
from primedist.services import stock as stock_svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_product

variants_t = table_of(Variant)


def set_costs(engine: Engine, costs: dict[int, int]) -> None:
    with engine.begin() as conn:
        for vid, cost in costs.items():
            conn.execute(sa.update(variants_t).where(variants_t.c.id == vid).values(cost=cost))


def costs(engine: Engine, *variant_ids: int) -> list[int]:
    with engine.connect() as conn:
        found = dict(
            conn.execute(
                sa.select(variants_t.c.id, variants_t.c.cost).where(
                    variants_t.c.id.in_(variant_ids)
                )
            ).all()  # fmt: skip
        )
    return [int(found[v]) for v in variant_ids]


def last_audit(engine: Engine, action: str) -> tuple[str, str]:
    """(summary, after JSON) of the latest audit row of `action`."""
    with engine.connect() as conn:
        a = table_of(AuditEvent).c
        row = conn.execute(
            sa.select(a.summary, a.after_json).where(a.action == action).order_by(a.id.desc())
        ).first()
    assert row is not None
    return row[0], row[1]


@pytest.fixture
def shirt(engine: Engine) -> dict[str, int]:
    """The same shirt listed twice: AO-SP (10 on hand at 100,000) and AO-LZ (none, no cost
    given); variant and product ids."""
    (sp,) = make_product(engine, "Áo thun (Shopee)", [("AO-SP", 150_000, 10)])
    (lz,) = make_product(engine, "Áo thun (Lazada)", [("AO-LZ", 150_000, 0)])
    set_costs(engine, {sp: 100_000, lz: 0})
    with engine.connect() as conn:
        pids = dict(conn.execute(sa.select(variants_t.c.id, variants_t.c.product_id)).all())
    return {"sp": sp, "lz": lz, "sp_product": pids[sp], "lz_product": pids[lz]}


# --------------------------------------------------------------------------- joining


def test_joining_gives_every_member_the_cost_of_the_stock_on_the_shelf(
    engine: Engine, owner_ctx: ServiceContext, shirt: dict[str, int]
) -> None:
    gid = groups.create_group(owner_ctx, "AO", "Áo thun", variant_ids=[shirt["sp"], shirt["lz"]])
    # AO-LZ brings no stock: its cost 0 does not pull the average.
    assert costs(engine, shirt["sp"], shirt["lz"]) == [100_000, 100_000]
    # A counter sale of either listing is the same shirt, costed alike.
    orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(shirt["lz"], 1),)))
    with engine.connect() as conn:
        line_cost = conn.execute(sa.select(table_of(OrderLine).c.unit_cost)).scalar_one()
    assert line_cost == 100_000
    # A third listing bringing 9 units at 130,000: (9 × 100,000 + 9 × 130,000) / 18.
    (tk,) = make_product(engine, "Áo thun (Tiki)", [("AO-TK", 150_000, 9)])
    set_costs(engine, {tk: 130_000})
    assert groups.add_to_group(owner_ctx, gid, [tk]) == 1
    assert costs(engine, shirt["sp"], shirt["lz"], tk) == [115_000] * 3
    assert json.loads(last_audit(engine, "sku_group.add")[1])["cost"] == 115_000


def test_joining_with_no_stock_anywhere_takes_the_known_cost(
    engine: Engine, owner_ctx: ServiceContext, shirt: dict[str, int]
) -> None:
    stock_svc.adjust_stock(owner_ctx, shirt["sp"], 0, reason="Hết hàng")
    groups.create_group(owner_ctx, "AO", "Áo thun", variant_ids=[shirt["lz"], shirt["sp"]])
    assert costs(engine, shirt["sp"], shirt["lz"]) == [100_000, 100_000]


def test_leaving_keeps_the_group_cost(
    engine: Engine, owner_ctx: ServiceContext, shirt: dict[str, int]
) -> None:
    gid = groups.create_group(owner_ctx, "AO", "Áo thun", variant_ids=[shirt["sp"], shirt["lz"]])
    groups.remove_from_group(owner_ctx, gid, [shirt["lz"]])
    assert costs(engine, shirt["sp"], shirt["lz"]) == [100_000, 100_000]


# --------------------------------------------------------------------------- goods in and out


@pytest.mark.parametrize("scanned", ["sp", "lz"])
def test_goods_in_average_the_group_cost_whichever_listing_is_scanned(
    engine: Engine, owner_ctx: ServiceContext, shirt: dict[str, int], scanned: str
) -> None:
    groups.create_group(owner_ctx, "AO", "Áo thun", variant_ids=[shirt["sp"], shirt["lz"]])
    stock_svc.adjust_stock(owner_ctx, shirt["sp"], 8, reason="Kiểm kho")
    # A store from before the members were kept equal: AO-LZ kept its own cost 0.
    set_costs(engine, {shirt["lz"]: 0})
    stock_svc.stock_in(owner_ctx, shirt[scanned], 8, unit_cost=120_000)
    # The shelf: 8 at 100,000 and 8 at 120,000.
    assert costs(engine, shirt["sp"], shirt["lz"]) == [110_000, 110_000]
    assert last_audit(engine, "stock.in")[0].endswith("cost 100,000 → 110,000")


def test_goods_going_back_take_their_cost_out_of_the_group_cost(
    engine: Engine, owner_ctx: ServiceContext, shirt: dict[str, int]
) -> None:
    groups.create_group(owner_ctx, "AO", "Áo thun", variant_ids=[shirt["sp"], shirt["lz"]])
    stock_svc.adjust_stock(owner_ctx, shirt["sp"], 8, reason="Kiểm kho")
    stock_svc.stock_in(owner_ctx, shirt["sp"], 8, unit_cost=120_000)
    set_costs(engine, {shirt["lz"]: 0})  # apart, as in a store from before
    with owner_ctx.uow(write=True) as session:
        stock_svc.take_cost_out(session, shirt["lz"], 8, 120_000)
    assert costs(engine, shirt["sp"], shirt["lz"]) == [100_000, 100_000]


def test_the_cost_math() -> None:
    assert stock_svc.merged_cost([(10, 100_000), (0, 0)]) == 100_000
    assert stock_svc.merged_cost([(10, 100_000), (-3, 50_000), (5, 130_000)]) == 110_000
    assert stock_svc.merged_cost([(0, 0), (0, 90_000), (0, 110_000)]) == 100_000
    assert stock_svc.merged_cost([(0, 0), (0, 0)]) == 0
    assert stock_svc.shared_cost([70_000, 70_000, 0]) == 70_000


# --------------------------------------------------------------------------- typed costs


def test_a_cost_typed_in_the_product_form_goes_to_every_member(
    engine: Engine, owner_ctx: ServiceContext, shirt: dict[str, int]
) -> None:
    groups.create_group(owner_ctx, "AO", "Áo thun", variant_ids=[shirt["sp"], shirt["lz"]])
    draft = catalogue.get_product(owner_ctx, shirt["sp_product"]).draft
    edited = replace(draft, variants=[replace(v, cost=130_000) for v in draft.variants])
    catalogue.update_product(owner_ctx, shirt["sp_product"], edited)
    assert costs(engine, shirt["sp"], shirt["lz"]) == [130_000, 130_000]
    assert last_audit(engine, "product.update")[0] == (
        "“Áo thun (Shopee)”: AO-SP: cost 100,000 → 130,000; AO-LZ: cost 100,000 → 130,000"
    )
    # The other listing's form, opened before and saved with its cost left as shown, does
    # not put the old cost back.
    stale = catalogue.get_product(owner_ctx, shirt["lz_product"]).draft
    catalogue.update_product(owner_ctx, shirt["lz_product"], stale)
    assert costs(engine, shirt["sp"], shirt["lz"]) == [130_000, 130_000]


def test_two_members_in_one_form_with_different_costs_are_refused(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    s, m = make_product(engine, "Áo thun", [("AO-S", 99_000, 3), ("AO-M", 99_000, 2)])
    with engine.connect() as conn:
        product_id = conn.execute(
            sa.select(variants_t.c.product_id).where(variants_t.c.id == s)
        ).scalar_one()
    groups.create_group(owner_ctx, "AO", "Áo thun", variant_ids=[s, m])
    draft = catalogue.get_product(owner_ctx, product_id).draft
    edited = replace(draft, variants=[replace(draft.variants[0], cost=80_000),
                                      replace(draft.variants[1], cost=90_000)])  # fmt: skip
    with pytest.raises(ValidationError) as err:
        catalogue.update_product(owner_ctx, product_id, edited)
    assert err.value.field == catalogue.variant_field(1, "cost")
    assert "shares the cost of group AO with AO-S: give both the same cost." in str(
        err.value.user_message
    )
    assert costs(engine, s, m) == [0, 0]


def test_a_bulk_cost_change_goes_to_every_member(
    engine: Engine, owner_ctx: ServiceContext, shirt: dict[str, int]
) -> None:
    gid = groups.create_group(owner_ctx, "AO", "Áo thun", variant_ids=[shirt["sp"], shirt["lz"]])
    # A deactivated member still belongs to the group.
    (old,) = make_product(engine, "Áo thun (cũ)", [("AO-OLD", 150_000, 0)])
    groups.add_to_group(owner_ctx, gid, [old])
    with engine.begin() as conn:
        conn.execute(sa.update(variants_t).where(variants_t.c.id == old).values(is_active=False))
    rule = pc.PriceRule(pc.PriceField.COST, pc.PriceMode.PERCENT, Decimal(10))
    preview = pc.preview_prices(owner_ctx, [shirt["sp_product"]], rule)
    assert [(r.sku, r.old, r.new) for r in preview] == [
        ("AO-LZ", 100_000, 110_000),
        ("AO-SP", 100_000, 110_000),
    ]
    report = pc.change_prices(owner_ctx, [shirt["sp_product"]], rule)
    assert report.changed == 2
    assert costs(engine, shirt["sp"], shirt["lz"], old) == [110_000] * 3
