"""Changing the prices of many products at once: the rules, rounding, refusals that write
nothing, the products' price ranges, marketplace price pushes and the audit row."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import OutboxStatus, Role
from primedist.errors import PermissionDenied, ValidationError
from primedist.services import catalogue
from primedist.services.catalogue import ProductDraft
from primedist.services.context import Actor, ServiceContext
from primedist.services.price_change import (
    PriceField,
    PriceMode,
    PriceRule,
    change_prices,
    describe_rule,
    new_price,
    preview_prices,
)
from tests.conftest import FIXED_NOW
from tests.services.test_catalogue import (
    grid_draft,
    link_listings,
    outbox,
    product_row,
    rows,
    shops,
    variants_of,
)

__all__ = ["shops"]  # the fixture, used by name

PRICE, DISCOUNT, COST = PriceField.PRICE, PriceField.DISCOUNT, PriceField.COST


def rule(field: PriceField, mode: PriceMode, value: str | int = 0, round_to: int = 1) -> PriceRule:
    return PriceRule(field, mode, Decimal(value), round_to)


def prices(engine: Engine, pid: int, column: str = "price") -> dict[str, int | None]:
    return {sku: getattr(v, column) for sku, v in variants_of(engine, pid).items()}


def without_barcodes(draft: ProductDraft) -> ProductDraft:
    draft.variants = [replace(v, barcode=None) for v in draft.variants]
    return draft


def audit_rows(engine: Engine) -> list[sa.Row]:
    return rows(engine, AuditEvent, table_of(AuditEvent).c.action == "product.price_change")


# --------------------------------------------------------------------------- one price


@pytest.mark.parametrize(
    ("the_rule", "price", "discount", "cost", "expected"),
    [
        (rule(PRICE, PriceMode.PERCENT, 10), 99_000, None, 0, 108_900),
        (rule(PRICE, PriceMode.PERCENT, 10, 1000), 99_000, None, 0, 109_000),
        (rule(PRICE, PriceMode.PERCENT, "-12.5", 500), 129_000, None, 0, 113_000),
        (rule(PRICE, PriceMode.AMOUNT, -5000), 99_000, None, 0, 94_000),
        (rule(PRICE, PriceMode.SET, 150_000), 99_000, 89_000, 0, 150_000),
        (rule(DISCOUNT, PriceMode.PERCENT_OFF, 20, 1000), 129_000, None, 0, 103_000),
        (rule(DISCOUNT, PriceMode.PERCENT, -10), 100_000, 90_000, 0, 81_000),
        (rule(DISCOUNT, PriceMode.PERCENT, -10), 100_000, None, 0, None),  # none stays none
        (rule(DISCOUNT, PriceMode.REMOVE), 100_000, 90_000, 0, None),
        (rule(COST, PriceMode.PERCENT, 5), 100_000, None, 60_000, 63_000),
        (rule(PRICE, PriceMode.PERCENT, 10, 1000), 4_500, None, 0, 5_000),  # half rounds up
    ],
)
def test_new_price(the_rule, price, discount, cost, expected) -> None:
    assert new_price(the_rule, price, discount, cost) == expected


@pytest.mark.parametrize(
    ("the_rule", "field"),
    [
        (rule(PRICE, PriceMode.PERCENT_OFF, 10), "mode"),
        (rule(COST, PriceMode.REMOVE), "mode"),
        (rule(PRICE, PriceMode.PERCENT, 0), "value"),
        (rule(PRICE, PriceMode.PERCENT, -101), "value"),
        (rule(PRICE, PriceMode.AMOUNT, 0), "value"),
        (rule(PRICE, PriceMode.SET, -1), "value"),
        (rule(DISCOUNT, PriceMode.PERCENT_OFF, 100), "value"),
        (rule(PRICE, PriceMode.PERCENT, 10, 0), "round_to"),
    ],
)
def test_a_rule_that_makes_no_sense_is_refused_naming_the_field(
    owner_ctx: ServiceContext, the_rule: PriceRule, field: str
) -> None:
    pid = catalogue.create_product(owner_ctx, grid_draft([]))
    with pytest.raises(ValidationError) as caught:
        preview_prices(owner_ctx, [pid], the_rule)
    assert caught.value.field == field


def test_the_rule_in_words() -> None:
    assert describe_rule(rule(PRICE, PriceMode.PERCENT, "10.0", 1000)) == (
        "selling price up 10%, rounded to 1,000"
    )
    assert describe_rule(rule(DISCOUNT, PriceMode.PERCENT_OFF, 15)) == (
        "discount price 15% off the selling price"
    )
    assert describe_rule(rule(COST, PriceMode.AMOUNT, -2000)) == "cost down 2,000"


# --------------------------------------------------------------------------- the change


def test_preview_lists_every_active_variant_old_and_new(owner_ctx: ServiceContext) -> None:
    pid = catalogue.create_product(owner_ctx, grid_draft([]))
    preview = preview_prices(owner_ctx, [pid], rule(PRICE, PriceMode.PERCENT, 10, 1000))
    assert [(r.sku, r.old, r.new) for r in preview][:3] == [
        ("AO-DO-S", 99_000, 109_000), ("AO-DO-M", 109_000, 120_000),
        ("AO-DO-L", 119_000, 131_000)]  # fmt: skip
    assert preview[0].name == "Áo thun cotton Việt Nam — Đỏ / S"
    assert len(preview) == 6 and not any(r.problem for r in preview)


def test_change_writes_variants_price_ranges_audit_and_pushes(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, shops
) -> None:
    pid = catalogue.create_product(owner_ctx, grid_draft([shops["shopee"], shops["counter"]]))
    other = catalogue.create_product(owner_ctx, without_barcodes(grid_draft([], sku_prefix="QUAN")))
    link_listings(engine, pid)  # a listing not linked yet is sent no price push
    clock.advance(timedelta(hours=2))
    report = change_prices(owner_ctx, [pid], rule(PRICE, PriceMode.PERCENT, 10, 1000))
    assert (report.changed, report.unchanged, report.products, report.pushes) == (6, 0, 1, 1)
    assert prices(engine, pid) == {"AO-DO-S": 109_000, "AO-DO-M": 120_000, "AO-DO-L": 131_000,
                                   "AO-XANH-S": 109_000, "AO-XANH-M": 120_000,
                                   "AO-XANH-L": 131_000}  # fmt: skip
    assert set(prices(engine, other).values()) == {99_000, 109_000, 119_000}  # not chosen
    row = product_row(engine, pid)
    assert (row.price_min, row.price_max) == (109_000, 131_000)
    assert row.updated_at == FIXED_NOW + timedelta(hours=2)
    assert product_row(engine, other).updated_at == FIXED_NOW  # not chosen
    # One price push, for the marketplace listing only (the counter has none).
    assert [m.status for m in outbox(engine)] == [OutboxStatus.PENDING]
    [audit] = audit_rows(engine)
    assert audit.summary == "selling price up 10%, rounded to 1,000: 6 of 6 variants"
    after = json.loads(audit.after_json)
    assert after["changes"][0] == ["AO-DO-S", 99_000, 109_000] and after["listing_pushes"] == 1


def test_a_cost_change_pushes_nothing(owner_ctx: ServiceContext, engine: Engine, shops) -> None:
    pid = catalogue.create_product(owner_ctx, grid_draft([shops["shopee"]]))
    link_listings(engine, pid)
    report = change_prices(owner_ctx, [pid], rule(COST, PriceMode.SET, 65_000))
    assert report.changed == 6 and report.pushes == 0
    assert set(prices(engine, pid, "cost").values()) == {65_000}
    assert outbox(engine) == []


def test_discount_off_the_price_then_removed(owner_ctx: ServiceContext, engine: Engine) -> None:
    pid = catalogue.create_product(owner_ctx, grid_draft([]))
    change_prices(owner_ctx, [pid], rule(DISCOUNT, PriceMode.PERCENT_OFF, 20, 1000))
    assert prices(engine, pid, "discount_price")["AO-DO-M"] == 87_000  # 109,000 × 0.8
    assert (product_row(engine, pid).discount_min, product_row(engine, pid).discount_max) == (
        79_000, 95_000)  # fmt: skip
    report = change_prices(owner_ctx, [pid], rule(DISCOUNT, PriceMode.REMOVE))
    assert report.changed == 6
    assert set(prices(engine, pid, "discount_price").values()) == {None}
    assert product_row(engine, pid).discount_min is None


def test_a_price_below_its_discount_stops_everything(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = catalogue.create_product(owner_ctx, grid_draft([]))  # S sizes: 99,000 / 89,000 off
    before = prices(engine, pid)
    the_rule = rule(PRICE, PriceMode.AMOUNT, -15_000)
    preview = {r.sku: r for r in preview_prices(owner_ctx, [pid], the_rule)}
    assert "below its discount price 89,000" in preview["AO-DO-S"].problem
    assert preview["AO-DO-M"].problem == ""
    with pytest.raises(ValidationError, match="AO-DO-S: the new price 84,000 is below"):
        change_prices(owner_ctx, [pid], the_rule)
    assert prices(engine, pid) == before and audit_rows(engine) == []


def test_a_discount_above_the_price_and_a_negative_price_are_refused(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = catalogue.create_product(owner_ctx, grid_draft([]))
    with pytest.raises(ValidationError, match="discount price 119,000 would be above its price"):
        change_prices(owner_ctx, [pid], rule(DISCOUNT, PriceMode.SET, 119_000))
    with pytest.raises(ValidationError, match="below 0"):
        change_prices(owner_ctx, [pid], rule(COST, PriceMode.AMOUNT, -70_000))
    assert set(prices(engine, pid, "cost").values()) == {60_000}


def test_unchanged_variants_are_counted_not_written(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = catalogue.create_product(owner_ctx, grid_draft([]))
    report = change_prices(owner_ctx, [pid], rule(PRICE, PriceMode.SET, 109_000))
    assert (report.changed, report.unchanged) == (4, 2)  # the M sizes were 109,000
    assert audit_rows(engine)[0].summary == "selling price set to 109,000: 4 of 6 variants"


def test_staff_without_products_is_refused(owner_ctx: ServiceContext, engine: Engine) -> None:
    pid = catalogue.create_product(owner_ctx, grid_draft([]))
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF))
    up = rule(PRICE, PriceMode.PERCENT, 10)
    with pytest.raises(PermissionDenied):
        preview_prices(staff, [pid], up)
    with pytest.raises(PermissionDenied):
        change_prices(staff, [pid], up)
    assert set(prices(engine, pid).values()) == {99_000, 109_000, 119_000}


def test_products_by_sku_or_all_but_the_deleted(owner_ctx: ServiceContext) -> None:
    from primedist.errors import NotFound
    from primedist.services.price_change import products_for
    from primedist.services.product_status import delete_products

    shirt = catalogue.create_product(owner_ctx, grid_draft([]))
    trousers = catalogue.create_product(
        owner_ctx, without_barcodes(grid_draft([], sku_prefix="QUAN"))
    )
    assert products_for(owner_ctx, skus=["AO-DO-S", " AO-XANH-L ", "QUAN-DO-M"]) == sorted(
        [shirt, trousers]
    )
    with pytest.raises(NotFound, match="No product has the SKU NOPE, AO-DO-XL."):
        products_for(owner_ctx, skus=["AO-DO-S", "NOPE", "AO-DO-XL"])
    assert products_for(owner_ctx, every=True) == sorted([shirt, trousers])
    delete_products(owner_ctx, [trousers])
    assert products_for(owner_ctx, every=True) == [shirt]


def test_a_sku_on_products_of_two_shops_finds_both_in_any_case(
    owner_ctx: ServiceContext, shops
) -> None:
    from primedist.services.price_change import products_for

    on_shopee = catalogue.create_product(owner_ctx, grid_draft([shops["shopee"]]))
    on_lazada = catalogue.create_product(owner_ctx, without_barcodes(grid_draft([shops["lazada"]])))
    assert products_for(owner_ctx, skus=["AO-DO-S"]) == sorted([on_shopee, on_lazada])
    assert products_for(owner_ctx, skus=["ao-do-s"]) == sorted([on_shopee, on_lazada])
