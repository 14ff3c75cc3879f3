"""Stock in/out/adjustment, history, stock-take, SKU-group pushes and stock queries."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import (
    Channel,
    OrderSource,
    OrderStatus,
    OutboxStatus,
    PaymentMethod,
    ProductStatus,
    Role,
    StockMoveKind,
)
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import (
    Product,
    ProductListing,
    SkuGroup,
    StockMovement,
    Variant,
    VariantListing,
)
from primedist.domain.sync import OutboxMessage
from primedist.errors import Conflict, NotFound, PermissionDenied, ValidationError
from primedist.queries.stock import low_stock_variants, products_without_revenue
from primedist.services import orders as orders_svc
from primedist.services import stock as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.conftest import FIXED_NOW
from tests.factories import make_product, make_shop
from tests.support import StoreMachine, run_machine

# --------------------------------------------------------------------------- helpers


def make_group(engine: Engine, code: str, stock: int, *, level: int | None = None) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                sa.insert(table_of(SkuGroup)).returning(table_of(SkuGroup).c.id),
                {"code": code, "name": code, "stock": stock, "reserved": 0,
                 "low_stock_level": level, "created_at": FIXED_NOW},
            ).scalar_one()
        )  # fmt: skip


def list_on(engine: Engine, shop_id: int, variant_ids: list[int]) -> list[int]:
    """List the variants' product on a shop; returns the variant listing ids."""
    vl_ids = []
    with engine.begin() as conn:
        stmt = sa.select(Variant.id, Variant.product_id).where(
            Variant.id.in_(variant_ids)  # type: ignore[union-attr]
        )
        product_ids: dict[int, int] = {r[0]: r[1] for r in conn.execute(stmt)}
        listing_of: dict[int, int] = {}
        for vid in variant_ids:
            pid = product_ids[vid]
            if pid not in listing_of:
                listing_of[pid] = conn.execute(
                    sa.insert(table_of(ProductListing)).returning(table_of(ProductListing).c.id),
                    {"product_id": pid, "shop_id": shop_id, "external_id": f"I{shop_id}-{pid}"},
                ).scalar_one()
            vl_ids.append(
                conn.execute(
                    sa.insert(table_of(VariantListing)).returning(table_of(VariantListing).c.id),
                    {"listing_id": listing_of[pid], "variant_id": vid,
                     "external_id": f"M{shop_id}-{vid}"},
                ).scalar_one()
            )  # fmt: skip
    return vl_ids


def level(engine: Engine, variant_id: int) -> tuple[int, int, int]:
    """(on hand, reserved, cost) of a variant (its group's stock when grouped)."""
    with engine.connect() as conn:
        v = conn.execute(
            sa.select(Variant.stock, Variant.reserved, Variant.cost, Variant.sku_group_id).where(
                Variant.id == variant_id
            )
        ).one()
        if v[3] is not None:
            g = conn.execute(
                sa.select(SkuGroup.stock, SkuGroup.reserved).where(SkuGroup.id == v[3])
            ).one()
            return int(g[0]), int(g[1]), int(v[2])
        return int(v[0]), int(v[1]), int(v[2])


def set_cost(engine: Engine, variant_id: int, cost: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(table_of(Variant)).where(table_of(Variant).c.id == variant_id)
                     .values(cost=cost))  # fmt: skip


def movements(engine: Engine, variant_id: int) -> list[StockMovement]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(table_of(StockMovement)).where(StockMovement.variant_id == variant_id)
            .order_by(StockMovement.id)  # type: ignore[arg-type]
        ).mappings()  # fmt: skip
        return [StockMovement(**r) for r in rows]


def pushes(engine: Engine) -> dict[str, dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(OutboxMessage.intent_key, OutboxMessage.payload_json, OutboxMessage.status,
                      OutboxMessage.shop_id).where(OutboxMessage.kind == "stock.push")
        ).all()  # fmt: skip
    return {k: {**json.loads(p), "status": s, "shop_id": sh} for k, p, s, sh in rows}


def audits(engine: Engine, action: str) -> list[str]:
    with engine.connect() as conn:
        return [
            s or ""
            for s in conn.execute(
                sa.select(AuditEvent.summary).where(AuditEvent.action == action)
            ).scalars()
        ]


@pytest.fixture
def variants(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    """AO-S (10 on hand) and AO-M (3 on hand)."""
    return make_product(engine, "Áo thun", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)])


@pytest.fixture
def grouped(engine: Engine, owner_ctx: ServiceContext) -> tuple[int, list[int]]:
    """Group PRIME-1 (20 on hand) with two members listed in two product records."""
    gid = make_group(engine, "PRIME-1", 20)
    a = make_product(engine, "Bình nước (Shopee)", [("BN-SP", 150_000, 0)], sku_group_id=gid)
    b = make_product(engine, "Bình nước (Lazada)", [("BN-LZ", 155_000, 0)], sku_group_id=gid)
    return gid, a + b


# --------------------------------------------------------------------------- manual moves


def test_stock_in_out_adjust_record_their_movements(
    engine: Engine, owner_ctx: ServiceContext, owner: Actor, variants: list[int]
) -> None:
    v = variants[0]
    svc.stock_in(owner_ctx, v, 5, reason=" Nhập hàng NCC A ")
    svc.stock_out(owner_ctx, v, 2, reason="Hàng lỗi")
    assert svc.adjust_stock(owner_ctx, v, 11, reason="Đếm lại") is not None
    assert svc.adjust_stock(owner_ctx, v, 11, reason="Đếm lại") is None  # unchanged: nothing
    rows = [(m.kind, m.quantity, m.stock_after, m.reserved_change, m.user_id, m.reason,
             m.sku_group_id) for m in movements(engine, v)]  # fmt: skip
    assert rows == [
        (StockMoveKind.STOCK_IN, 5, 15, 0, owner.id, "Nhập hàng NCC A", None),
        (StockMoveKind.STOCK_OUT, -2, 13, 0, owner.id, "Hàng lỗi", None),
        (StockMoveKind.ADJUSTMENT, -2, 11, 0, owner.id, "Đếm lại", None),
    ]
    assert level(engine, v)[:2] == (11, 0)
    assert audits(engine, "stock.in") == ["AO-S: +5 → 15 (Nhập hàng NCC A)"]
    assert audits(engine, "stock.out") == ["AO-S: -2 → 13 (Hàng lỗi)"]
    assert audits(engine, "stock.adjust") == ["AO-S: 13 → 11 (Đếm lại)"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c, v: svc.stock_in(c, v, 0), "The quantity must be more than 0."),
        (lambda c, v: svc.stock_in(c, v, 1, unit_cost=-1), "The unit cost cannot be negative."),
        (lambda c, v: svc.stock_out(c, v, -3, reason="x"), "The quantity must be more than 0."),
        (lambda c, v: svc.stock_out(c, v, 1, reason="  "), "Give a reason for the stock change."),
        (lambda c, v: svc.stock_out(c, v, 11, reason="x"),
         "Only 10 of AO-S on hand: cannot take out 11."),
        (lambda c, v: svc.adjust_stock(c, v, 5, reason=""), "Give a reason for the stock change."),
        (lambda c, v: svc.adjust_stock(c, v, -1, reason="x"),
         "The stock on hand cannot be negative."),
        # Past the goods receipts' caps (10**19 would not even fit the database).
        (lambda c, v: svc.stock_in(c, v, 10**19), "The quantity cannot be more than 1,000,000."),
        (lambda c, v: svc.stock_in(c, v, 2**40), "The quantity cannot be more than 1,000,000."),
        (lambda c, v: svc.stock_in(c, v, 1, unit_cost=10**18),
         "The unit cost cannot be more than 10,000,000,000."),
        (lambda c, v: svc.stock_out(c, v, 10**19, reason="x"),
         "The quantity cannot be more than 1,000,000."),
        (lambda c, v: svc.adjust_stock(c, v, 10**19, reason="x"),
         "The quantity cannot be more than 1,000,000."),
    ],
)  # fmt: skip
def test_manual_moves_are_validated(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], call: object, message: str
) -> None:
    with pytest.raises(ValidationError) as err:
        call(owner_ctx, variants[0])  # type: ignore[operator]
    assert err.value.user_message == message
    assert movements(engine, variants[0]) == []
    assert level(engine, variants[0])[:2] == (10, 0)


def test_manual_moves_need_the_products_module(
    owner_ctx: ServiceContext, variants: list[int]
) -> None:
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF))
    with pytest.raises(PermissionDenied):
        svc.stock_in(staff, variants[0], 1)
    with pytest.raises(PermissionDenied):
        svc.apply_stocktake(staff, {variants[0]: 1}, reason="x")
    with pytest.raises(NotFound):
        svc.stock_in(owner_ctx, 999_999, 1)


def test_stock_in_with_unit_cost_keeps_a_weighted_average_cost(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    v = variants[0]
    set_cost(engine, v, 50_000)
    svc.stock_in(owner_ctx, v, 5, unit_cost=62_000)  # (10×50,000 + 5×62,000) / 15 = 54,000
    assert level(engine, v) == (15, 0, 54_000)
    svc.stock_in(owner_ctx, v, 2, unit_cost=60_001)  # (15×54,000 + 2×60,001) / 17 = 54,705.9
    assert level(engine, v)[2] == 54_706
    svc.stock_in(owner_ctx, v, 3)  # no unit cost: cost unchanged
    assert level(engine, v)[2] == 54_706
    svc.adjust_stock(owner_ctx, v, 0, reason="x")
    svc.stock_in(owner_ctx, v, 4, unit_cost=70_000)  # nothing on hand: the new cost
    assert level(engine, v) == (4, 0, 70_000)


def test_stock_in_below_zero_takes_the_unit_cost(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    v = variants[1]
    orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(v, 5),)),
                            allow_negative_stock=True)  # fmt: skip
    assert level(engine, v)[0] == -2
    set_cost(engine, v, 90_000)
    svc.stock_in(owner_ctx, v, 10, unit_cost=80_000)
    assert level(engine, v) == (8, 0, 80_000)


def test_a_grouped_stock_in_costs_every_member_alike(
    engine: Engine, owner_ctx: ServiceContext, grouped: tuple[int, list[int]]
) -> None:
    """The group's 20 on hand at 50.000 (both members' cost), 20 more at 80.000 through
    BN-SP: 65.000 for the one stock, so for BN-LZ too."""
    _gid, (a, b) = grouped
    set_cost(engine, a, 50_000)
    set_cost(engine, b, 50_000)
    svc.stock_in(owner_ctx, a, 20, unit_cost=80_000)
    assert [level(engine, v) for v in (a, b)] == [(40, 0, 65_000), (40, 0, 65_000)]


@pytest.mark.parametrize(
    ("on_hand", "cost", "quantity", "unit_cost", "expected"),
    [
        (20, 100_000, 10, 150_000, 50_000),  # the 10 that came at 150.000 leave
        (15, 54_706, 2, 60_001, 53_891),  # (820.590 − 120.002) / 13 = 53.891,4…
        (3, 10_000, 1, 10_001, 10_000),  # 19.999 / 2 = 9.999,5: rounded half up
        (10, 50_000, 10, 70_000, 50_000),  # nothing stays: the cost as it is
        (5, 20_000, 2, 90_000, 20_000),  # the rest worth less than nothing: as it is
        (12, 0, 2, 0, 0),
    ],
)
def test_cost_without_takes_goods_out_at_what_they_cost(
    on_hand: int, cost: int, quantity: int, unit_cost: int, expected: int
) -> None:
    assert svc.cost_without(on_hand, cost, quantity, unit_cost) == expected


def test_history_is_newest_first_with_the_user_name(
    owner_ctx: ServiceContext, variants: list[int]
) -> None:
    v = variants[0]
    svc.stock_in(owner_ctx, v, 5, reason="Nhập")
    orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(v, 2),)))
    svc.stock_out(owner_ctx, v, 1, reason="Mẫu")
    svc.stock_in(owner_ctx, variants[1], 1)  # another SKU: not in this history
    history = svc.stock_history(owner_ctx, v)
    assert [(h.kind, h.quantity, h.stock_after, h.user_name, h.sku) for h in history] == [
        (StockMoveKind.STOCK_OUT, -1, 12, "Chủ Thử", "AO-S"),
        (StockMoveKind.SALE, -2, 13, "Chủ Thử", "AO-S"),
        (StockMoveKind.STOCK_IN, 5, 15, "Chủ Thử", "AO-S"),
    ]
    assert history[1].order_id is not None
    assert len(svc.stock_history(owner_ctx, v, limit=2)) == 2


def test_grouped_variant_moves_the_group_stock_and_shows_the_group_history(
    engine: Engine, owner_ctx: ServiceContext, grouped: tuple[int, list[int]]
) -> None:
    gid, (a, b) = grouped
    svc.stock_in(owner_ctx, a, 5)
    svc.stock_out(owner_ctx, b, 3, reason="Vỡ")
    assert level(engine, a)[:2] == level(engine, b)[:2] == (22, 0)
    history = svc.stock_history(owner_ctx, a)
    assert [(h.sku, h.quantity, h.stock_after) for h in history] == [
        ("BN-LZ", -3, 22),
        ("BN-SP", 5, 25),
    ]
    with engine.connect() as conn:  # the members' own stock columns stay untouched
        own = conn.execute(sa.select(Variant.stock).where(Variant.sku_group_id == gid)).scalars()
        assert list(own) == [0, 0]


# --------------------------------------------------------------------------- stock-take


def test_stocktake_sets_counted_stock_and_sums_the_difference(
    engine: Engine, owner_ctx: ServiceContext, owner: Actor, variants: list[int],
    grouped: tuple[int, list[int]],
) -> None:  # fmt: skip
    s, m = variants
    gid, (a, _b) = grouped
    set_cost(engine, s, 50_000)
    set_cost(engine, m, 60_000)
    set_cost(engine, a, 100_000)
    result = svc.apply_stocktake(owner_ctx, {s: 7, m: 3, a: 24}, reason="Kiểm kê tháng 11")
    assert result == svc.StocktakeResult(lines=3, changed=2, difference_qty=1,
                                         difference_value=-3 * 50_000 + 4 * 100_000)  # fmt: skip
    assert level(engine, s)[0] == 7 and level(engine, m)[0] == 3 and level(engine, a)[0] == 24
    assert [(x.kind, x.quantity, x.stock_after, x.user_id, x.reason, x.sku_group_id)
            for x in movements(engine, s) + movements(engine, a)] == [
        (StockMoveKind.STOCKTAKE, -3, 7, owner.id, "Kiểm kê tháng 11", None),
        (StockMoveKind.STOCKTAKE, 4, 24, owner.id, "Kiểm kê tháng 11", gid),
    ]  # fmt: skip
    assert movements(engine, m) == []  # counted as it was: untouched
    (summary,) = audits(engine, "stock.stocktake")
    assert summary.startswith("3 lines counted, 2 changed, difference +1 (+250,000 đ)")


def test_stocktake_refuses_bad_counts_and_writes_nothing(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int],
    grouped: tuple[int, list[int]],
) -> None:  # fmt: skip
    s, m = variants
    _gid, (a, b) = grouped
    with pytest.raises(ValidationError, match="The count of AO-M cannot be negative."):
        svc.apply_stocktake(owner_ctx, {s: 1, m: -1}, reason="x")
    with pytest.raises(ValidationError, match="BN-SP and BN-LZ share the stock of group PRIME-1"):
        svc.apply_stocktake(owner_ctx, {s: 1, a: 3, b: 3}, reason="x")
    with pytest.raises(ValidationError, match="Give a reason"):
        svc.apply_stocktake(owner_ctx, {s: 1}, reason="")
    with pytest.raises(ValidationError, match="The count of AO-M cannot be more than 1,000,000."):
        svc.apply_stocktake(owner_ctx, {s: 1, m: 10**19}, reason="x")
    with pytest.raises(ValidationError, match="Count at least one"):
        svc.apply_stocktake(owner_ctx, {}, reason="x")
    with pytest.raises(NotFound):
        svc.apply_stocktake(owner_ctx, {s: 1, 999_999: 1}, reason="x")
    assert level(engine, s)[0] == 10 and level(engine, a)[0] == 20
    assert movements(engine, s) == [] and movements(engine, a) == []
    assert audits(engine, "stock.stocktake") == []


# --------------------------------------------------------------------------- pushes


@pytest.fixture
def listed(engine: Engine, grouped: tuple[int, list[int]], variants: list[int]) -> dict[str, int]:
    """Group members on Shopee and Lazada (and a's product on the webstore); AO-S on Tiki."""
    _gid, (a, b) = grouped
    shopee = make_shop(engine, "Shopee A", Channel.SHOPEE)
    lazada = make_shop(engine, "Lazada B", Channel.LAZADA)
    web = make_shop(engine, "Web", Channel.WEBSTORE)
    tiki = make_shop(engine, "Tiki C", Channel.TIKI)
    (a_sp,) = list_on(engine, shopee, [a])
    (b_lz,) = list_on(engine, lazada, [b])
    list_on(engine, web, [a])  # not a marketplace: never pushed
    (s_tk,) = list_on(engine, tiki, [variants[0]])
    return {"shopee": shopee, "lazada": lazada, "tiki": tiki, "a_sp": a_sp, "b_lz": b_lz,
            "s_tk": s_tk}  # fmt: skip


def test_group_moves_push_the_available_stock_to_every_marketplace_listing(
    engine: Engine, owner_ctx: ServiceContext, grouped: tuple[int, list[int]],
    listed: dict[str, int],
) -> None:  # fmt: skip
    _gid, (a, b) = grouped
    svc.stock_in(owner_ctx, a, 5)
    key_a, key_b = (
        f"stock:{listed['shopee']}:{listed['a_sp']}",
        f"stock:{listed['lazada']}:{listed['b_lz']}",
    )
    assert pushes(engine) == {
        key_a: {"variant_id": a, "listing_external_id": f"M{listed['shopee']}-{a}",
                "available": 25, "status": OutboxStatus.PENDING, "shop_id": listed["shopee"]},
        key_b: {"variant_id": b, "listing_external_id": f"M{listed['lazada']}-{b}",
                "available": 25, "status": OutboxStatus.PENDING, "shop_id": listed["lazada"]},
    }  # fmt: skip
    # Further moves coalesce into the same pending messages, with the latest figure.
    svc.stock_out(owner_ctx, b, 4, reason="Vỡ")
    svc.apply_stocktake(owner_ctx, {b: 19}, reason="Kiểm kê")
    got = pushes(engine)
    assert set(got) == {key_a, key_b}
    assert got[key_a]["available"] == got[key_b]["available"] == 19
    # A delivered message is queued again when the stock changes afterwards.
    with engine.begin() as conn:
        conn.execute(sa.update(table_of(OutboxMessage)).values(status=OutboxStatus.DONE))
    svc.adjust_stock(owner_ctx, a, 30, reason="Đếm lại")
    got = pushes(engine)
    assert [got[k]["status"] for k in (key_a, key_b)] == [OutboxStatus.PENDING] * 2
    assert got[key_a]["available"] == 30


def test_an_ungrouped_variant_pushes_to_its_own_listings_only(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], listed: dict[str, int]
) -> None:
    svc.stock_out(owner_ctx, variants[1], 1, reason="x")  # AO-M is not listed anywhere
    assert pushes(engine) == {}
    tiktok = make_shop(engine, "TikTok D", Channel.TIKTOK)
    (s_tt,) = list_on(engine, tiktok, [variants[0]])
    svc.apply_stocktake(owner_ctx, {variants[0]: 8, variants[1]: 2}, reason="x")
    # Tiki takes no stock pushes from the app (its connector declares none): not queued.
    assert {k: v["available"] for k, v in pushes(engine).items()} == {f"stock:{tiktok}:{s_tt}": 8}


def test_an_unchanged_stock_pushes_nothing(
    engine: Engine, owner_ctx: ServiceContext, grouped: tuple[int, list[int]],
    listed: dict[str, int],
) -> None:  # fmt: skip
    _gid, (a, _b) = grouped
    svc.apply_stocktake(owner_ctx, {a: 20}, reason="x")
    assert pushes(engine) == {}


def test_a_sale_of_a_group_member_pushes_to_the_other_listings(
    engine: Engine, owner_ctx: ServiceContext, grouped: tuple[int, list[int]],
    listed: dict[str, int],
) -> None:  # fmt: skip
    _gid, (a, b) = grouped
    orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(a, 3),)))  # counter sale
    assert {k: v["available"] for k, v in pushes(engine).items()} == {
        f"stock:{listed['shopee']}:{listed['a_sp']}": 17,
        f"stock:{listed['lazada']}:{listed['b_lz']}": 17,
    }
    # A phone order held on the Lazada shop reserves stock: pushed everywhere but to the
    # listing that took the order.
    created = orders_svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(b, 2),), source=OrderSource.PHONE, shop_id=listed["lazada"],
        status=OrderStatus.PENDING, payment_method=PaymentMethod.COD))  # fmt: skip
    got = {k: v["available"] for k, v in pushes(engine).items()}
    assert got == {f"stock:{listed['shopee']}:{listed['a_sp']}": 15,
                   f"stock:{listed['lazada']}:{listed['b_lz']}": 17}  # fmt: skip
    orders_svc.change_status(owner_ctx, created.id, OrderStatus.CANCELLED, reason="Khách hủy")
    assert pushes(engine)[f"stock:{listed['shopee']}:{listed['a_sp']}"]["available"] == 17


# --------------------------------------------------------------------------- queries


def test_low_stock_variants(engine: Engine, owner_ctx: ServiceContext, variants: list[int]) -> None:
    gid = make_group(engine, "PRIME-L", 4, level=5)
    (g1,) = make_product(engine, "Nồi", [("NOI", 1, 99)], sku_group_id=gid)
    with engine.begin() as conn:
        t = table_of(Variant)
        conn.execute(sa.update(t).where(t.c.id == variants[0]).values(low_stock_level=10))
        conn.execute(sa.update(t).where(t.c.id == variants[1]).values(low_stock_level=2))
    orders_svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(variants[0], 1),), source=OrderSource.PHONE,
        status=OrderStatus.PENDING, payment_method=PaymentMethod.COD))  # fmt: skip
    with engine.connect() as conn:
        rows = low_stock_variants(conn)
    # AO-S: 10 on hand, 1 reserved → 9 ≤ 10; NOI: the group's 4 ≤ the group's 5; AO-M 3 > 2.
    assert [(r.sku, r.on_hand, r.reserved, r.available, r.level) for r in rows] == [
        ("AO-S", 10, 1, 9, 10),
        ("NOI", 4, 0, 4, 5),
    ]
    assert rows[1].variant_id == g1
    with engine.begin() as conn:
        conn.execute(sa.update(table_of(Product)).where(table_of(Product).c.name == "Nồi")
                     .values(status=ProductStatus.HIDDEN))  # fmt: skip
    with engine.connect() as conn:
        assert [r.sku for r in low_stock_variants(conn, limit=5)] == ["AO-S"]


def test_products_without_revenue(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    (other,) = make_product(engine, "Quần jean", [("QJ", 300_000, 5)])
    make_product(engine, "Mũ", [("MU", 50_000, 5)])
    done = orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(variants[1], 1),)))
    pending = orders_svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(other, 1),), source=OrderSource.PHONE, status=OrderStatus.PENDING,
        payment_method=PaymentMethod.COD))  # fmt: skip
    start, end = FIXED_NOW - timedelta(days=1), FIXED_NOW + timedelta(days=1)
    with engine.connect() as conn:
        names = [r.name for r in products_without_revenue(conn, start, end)]
        assert names == ["Mũ", "Quần jean"]  # a pending order is no revenue
        later = [r.name for r in products_without_revenue(conn, end, end + timedelta(days=7))]
        assert later == ["Mũ", "Quần jean", "Áo thun"]
    orders_svc.change_status(owner_ctx, pending.id, OrderStatus.CONFIRMED)
    orders_svc.change_status(owner_ctx, pending.id, OrderStatus.SHIPPING)
    with engine.connect() as conn:
        assert [r.name for r in products_without_revenue(conn, start, end)] == ["Mũ"]
    assert done.id


# --------------------------------------------------------------------------- stateful

INITIAL = {"B1": 6, "B2": 4, "G1": 0, "G2": 0}
GROUP_INITIAL = 9

pytestmark_stateful = pytest.mark.skipif(
    "PRIMEDIST_TEST_DATABASE_URL" in __import__("os").environ,
    reason="uses its own SQLite copies of the template database",
)


class StockMachine(StoreMachine):
    """Sales, cancels, returns and every manual stock move keep stock equal to its ledger."""

    @initialize()
    def setup(self) -> None:
        self.open_store()
        self.group = make_group(self.engine, "G", GROUP_INITIAL)
        pens = [("B1", 10_000, INITIAL["B1"]), ("B2", 20_000, INITIAL["B2"])]
        self.variants = make_product(self.engine, "Bút", pens)
        self.variants += make_product(self.engine, "Sổ", [("G1", 5_000, 0), ("G2", 6_000, 0)],
                                      sku_group_id=self.group)  # fmt: skip
        shop = make_shop(self.engine, "Shopee", Channel.SHOPEE)
        list_on(self.engine, shop, self.variants)

    # ------------------------------------------------------------------ rules
    @rule(pending=st.booleans(),
          qty=st.lists(st.integers(0, 3), min_size=4, max_size=4).filter(any))  # fmt: skip
    def sell(self, pending: bool, qty: list[int]) -> None:
        lines = tuple(DraftLine(v, q) for v, q in zip(self.variants, qty, strict=True) if q)
        draft = OrderDraft(
            lines=lines, source=OrderSource.PHONE if pending else OrderSource.COUNTER,
            status=OrderStatus.PENDING if pending else None,
            payment_method=PaymentMethod.COD if pending else PaymentMethod.CASH,
        )  # fmt: skip
        self.orders.append(orders_svc.create_order(self.ctx, draft, allow_negative_stock=True).id)

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 10**6),
          to=st.sampled_from([OrderStatus.SHIPPING, OrderStatus.COMPLETED,
                              OrderStatus.CANCELLED]))  # fmt: skip
    def change(self, pick: int, to: OrderStatus) -> None:
        try:
            orders_svc.change_status(self.ctx, self.orders[pick % len(self.orders)], to,
                                     reason="lý do")  # fmt: skip
        except Conflict:
            pass

    @precondition(lambda self: self.orders)
    @rule(pick=st.integers(0, 10**6), share=st.floats(0, 1))
    def give_back(self, pick: int, share: float) -> None:
        order_id = self.orders[pick % len(self.orders)]
        detail = orders_svc.order_detail(self.ctx, order_id)
        if detail.order.status not in orders_svc.RETURNABLE:
            return
        qty = {line.id or 0: int((line.quantity - line.returned_quantity) * share)
               for line in detail.lines}  # fmt: skip
        if any(qty.values()):
            orders_svc.return_order(self.ctx, order_id, qty, reason="trả hàng")

    @rule(v=st.integers(0, 3), qty=st.integers(1, 5), cost=st.none() | st.integers(0, 90_000))
    def receive(self, v: int, qty: int, cost: int | None) -> None:
        svc.stock_in(self.ctx, self.variants[v], qty, unit_cost=cost, reason="nhập")

    @rule(v=st.integers(0, 3), qty=st.integers(1, 5))
    def take_out(self, v: int, qty: int) -> None:
        try:
            svc.stock_out(self.ctx, self.variants[v], qty, reason="hỏng")
        except ValidationError:
            pass  # more than on hand

    @rule(v=st.integers(0, 3), to=st.integers(0, 12))
    def adjust(self, v: int, to: int) -> None:
        svc.adjust_stock(self.ctx, self.variants[v], to, reason="đếm")

    @rule(counts=st.dictionaries(st.integers(0, 3), st.integers(0, 12), min_size=1))
    def stocktake(self, counts: dict[int, int]) -> None:
        if 2 in counts and 3 in counts:
            del counts[3]  # one count per group
        svc.apply_stocktake(self.ctx, {self.variants[i]: n for i, n in counts.items()},
                            reason="kiểm kê")  # fmt: skip

    # ------------------------------------------------------------------ invariants
    def _rows(self, stmt: sa.Select) -> list[sa.Row]:  # type: ignore[type-arg]
        with self.engine.connect() as conn:
            return list(conn.execute(stmt))

    @invariant()
    def stock_equals_its_ledger(self) -> None:
        if not hasattr(self, "engine"):
            return
        m = table_of(StockMovement).c
        ledger = sa.select(sa.func.coalesce(sa.func.sum(m.quantity), 0),
                           sa.func.coalesce(sa.func.sum(m.reserved_change), 0))  # fmt: skip
        for vid, sku, stock, res in self._rows(
            sa.select(Variant.id, Variant.sku, Variant.stock, Variant.reserved)
            .where(Variant.sku_group_id.is_(None))  # type: ignore[union-attr]
        ):  # fmt: skip
            moved, reserved = self._rows(ledger.where(m.variant_id == vid))[0]
            assert (stock, res) == (INITIAL[sku] + moved, reserved), sku
        stock, res = self._rows(sa.select(SkuGroup.stock, SkuGroup.reserved))[0]
        moved, reserved = self._rows(ledger.where(m.sku_group_id == self.group))[0]
        assert (stock, res) == (GROUP_INITIAL + moved, reserved)
        # Reserved is what open orders hold.
        open_qty: Counter[int] = Counter()
        lines, orders = table_of(OrderLine), table_of(Order)
        for vid, qty in self._rows(
            sa.select(lines.c.variant_id, lines.c.quantity)
            .join(orders, orders.c.id == lines.c.order_id)
            .where(orders.c.status.in_(orders_svc.OPEN_STATUSES))
        ):  # fmt: skip
            open_qty[vid] += qty
        assert res == open_qty[self.variants[2]] + open_qty[self.variants[3]]

    @invariant()
    def pending_pushes_carry_the_current_available_stock(self) -> None:
        if not hasattr(self, "engine"):
            return
        ctx = self.ctx
        with ctx.uow() as session:
            for payload in self._rows(sa.select(OutboxMessage.payload_json)):
                push = json.loads(payload[0])
                now = svc.stock_level(session, push["variant_id"])
                # Below what open orders hold: none to sell, never a negative figure.
                assert push["available"] == max(0, now.available), push


@pytestmark_stateful
def test_random_stock_histories_stay_consistent(template_db: Path, tmp_path: Path) -> None:
    run_machine(StockMachine, template_db, tmp_path, examples=25, steps=20)
