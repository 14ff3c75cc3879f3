"""A SKU group's end and its listings' stock history: a group holding stock cannot be
deleted (the units would vanish with no movement), the movements its listings made
survive its deletion, and a listing that left a group keeps its group-time movements
labelled as the group's, after a "Left group" row written even when nothing changes."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import StockMoveKind
from primedist.domain.product import SkuGroup, StockMovement
from primedist.errors import Conflict
from primedist.services import orders as orders_svc
from primedist.services import sku_groups as svc
from primedist.services import stock as stock_svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_product

movements_t, groups_t = table_of(StockMovement), table_of(SkuGroup)


@pytest.fixture
def pair(engine: Engine) -> tuple[int, int]:
    """BN-SP (10 on hand) and BN-LZ (4 on hand), two listings of one bottle."""
    (sp,) = make_product(engine, "Bình nước Shopee", [("BN-SP", 150_000, 10)])
    (lz,) = make_product(engine, "Bình nước Lazada", [("BN-LZ", 155_000, 4)])
    return sp, lz


def sell(ctx: ServiceContext, variant_id: int, quantity: int) -> int:
    """A counter sale (the stock goes at once); returns the order id."""
    return orders_svc.create_order(ctx, OrderDraft(lines=(DraftLine(variant_id, quantity),))).id


def group_rows(engine: Engine, group_id: int) -> int:
    with engine.connect() as conn:
        stmt = sa.select(sa.func.count()).where(movements_t.c.sku_group_id == group_id)
        return int(conn.execute(stmt).scalar_one())


def group_exists(engine: Engine, group_id: int) -> bool:
    with engine.connect() as conn:
        stmt = sa.select(groups_t.c.id).where(groups_t.c.id == group_id)
        return conn.execute(stmt).first() is not None


def test_a_group_holding_stock_is_not_deleted_until_the_units_go_out_by_a_movement(
    engine: Engine, owner_ctx: ServiceContext, pair: tuple[int, int]
) -> None:
    sp, lz = pair
    gid = svc.create_group(owner_ctx, "PS-1", "Bình", variant_ids=[sp, lz])
    sell(owner_ctx, sp, 3)
    svc.remove_from_group(owner_ctx, gid, [sp, lz])  # the 11 units stay with the group
    rows = group_rows(engine, gid)
    with pytest.raises(Conflict) as err:
        svc.delete_group(owner_ctx, gid)
    assert err.value.user_message == (
        "Group PS-1 still holds 11 units: deleting it would lose them without a stock "
        "movement. Add a listing of this item to the group, take the 11 units out with Stock "
        "out, then remove the listing and delete the group."
    )
    assert group_exists(engine, gid) and group_rows(engine, gid) == rows  # nothing changed
    # The way out the message tells: the units leave by a stock-out movement.
    svc.add_to_group(owner_ctx, gid, [sp])
    out = stock_svc.stock_out(owner_ctx, sp, 11, reason="Hàng hỏng")
    assert out.stock_after == 0
    svc.remove_from_group(owner_ctx, gid, [sp])
    svc.delete_group(owner_ctx, gid)
    assert not group_exists(engine, gid)
    out_row = next(r for r in stock_svc.stock_history(owner_ctx, sp) if r.id == out.id)
    assert (out_row.kind, out_row.quantity, out_row.reason) == (
        StockMoveKind.STOCK_OUT,
        -11,
        "Hàng hỏng (group PS-1)",  # its "on hand after" was the group's: the reason says so
    )


def test_deleting_a_group_keeps_the_sales_its_listings_made_in_it(
    engine: Engine, owner_ctx: ServiceContext, pair: tuple[int, int]
) -> None:
    sp, lz = pair
    gid = svc.create_group(owner_ctx, "PS-1", "Bình", variant_ids=[sp, lz])
    first = sell(owner_ctx, sp, 9)
    second = sell(owner_ctx, lz, 5)  # the group's 14 units all sold
    svc.remove_from_group(owner_ctx, gid, [sp, lz])
    before = {
        vid: [
            (r.id, r.kind, r.quantity, r.order_id) for r in stock_svc.stock_history(owner_ctx, vid)
        ]
        for vid in (sp, lz)
    }
    svc.delete_group(owner_ctx, gid)
    after = {
        vid: [
            (r.id, r.kind, r.quantity, r.order_id) for r in stock_svc.stock_history(owner_ctx, vid)
        ]
        for vid in (sp, lz)
    }
    assert after == before  # every movement naming a listing survives, sales with their order
    assert (StockMoveKind.SALE, -9, first) in [row[1:] for row in after[sp]]
    assert (StockMoveKind.SALE, -5, second) in [row[1:] for row in after[lz]]
    assert group_rows(engine, gid) == 0
    audit = table_of(AuditEvent).c
    with engine.connect() as conn:
        kept = conn.execute(
            sa.select(audit.after_json).where(audit.action == "sku_group.delete")
        ).scalar_one()
    assert json.loads(kept) == {"movements_kept": 4}  # two joins, two sales: the group's side


def test_leaving_with_no_stock_of_its_own_still_writes_the_left_group_row(
    engine: Engine, owner_ctx: ServiceContext, pair: tuple[int, int]
) -> None:
    sp, lz = pair
    gid = svc.create_group(owner_ctx, "PS-1", "Bình", variant_ids=[sp, lz])
    sell(owner_ctx, lz, 1)
    svc.remove_from_group(owner_ctx, gid, [lz])  # nothing of its own, no open order
    newest = stock_svc.stock_history(owner_ctx, lz)[0]
    assert (newest.kind, newest.quantity, newest.reserved_change, newest.stock_after,
            newest.reason, newest.group_code) == (
        StockMoveKind.ADJUSTMENT, 0, 0, 0, "Left group PS-1", None
    )  # fmt: skip


def test_a_listing_that_left_keeps_its_group_time_rows_labelled_as_the_groups(
    engine: Engine, owner_ctx: ServiceContext, pair: tuple[int, int]
) -> None:
    sp, lz = pair
    gid = svc.create_group(owner_ctx, "PS-1", "Bình", variant_ids=[sp, lz])
    order = sell(owner_ctx, lz, 2)
    svc.remove_from_group(owner_ctx, gid, [lz])
    history = stock_svc.stock_history(owner_ctx, lz)
    figures = [(r.reason, r.quantity, r.stock_after, r.group_code) for r in history]
    assert figures == [
        ("Left group PS-1", 0, 0, None),  # its own figure again: 0
        ("DH261120-0001", -2, 12, "PS-1"),  # the sale took the group from 14 to 12
        ("Joined group PS-1", 4, 14, "PS-1"),  # the group's side of joining
        ("Joined group PS-1", -4, 0, None),  # its own side: its 4 units went in
    ]
    assert history[1].order_id == order
    # A member sees the group's rows as its own group's (the dialog names no other).
    assert {r.group_code for r in stock_svc.stock_history(owner_ctx, sp)} == {"PS-1", None}


def test_a_group_short_of_stock_is_not_deleted_either(
    engine: Engine, owner_ctx: ServiceContext, pair: tuple[int, int]
) -> None:
    sp, lz = pair
    gid = svc.create_group(owner_ctx, "PS-1", "Bình", variant_ids=[sp, lz])
    svc.remove_from_group(owner_ctx, gid, [sp, lz])
    with engine.begin() as conn:  # sold below zero while it had listings
        conn.execute(sa.update(groups_t).where(groups_t.c.id == gid).values(stock=-3))
    with pytest.raises(Conflict, match="Group PS-1 is 3 units short"):
        svc.delete_group(owner_ctx, gid)
    assert group_exists(engine, gid)


def test_the_history_names_the_deleted_groups_rows_in_the_readers_words() -> None:
    from primedist.ui.products.stock_dialogs import reason_label

    assert reason_label("Hàng hỏng (group PS-1)") == "Hàng hỏng (group PS-1)"
    assert reason_label("Left group PS-1 (group PS-1)") == "Left group PS-1 (group PS-1)"
    assert reason_label("(group PS-1)") == "(group PS-1)"
    assert reason_label("Opening stock (group PS-2)") == "Opening stock (group PS-2)"
