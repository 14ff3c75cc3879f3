"""Stock moves: every change of on-hand or reserved stock is a `StockMovement` row.

A variant in a SKU group ("Prime SKU") keeps its stock on the group: one physical item
listed in several shops. On hand (`stock`) counts what is on the shelf; `reserved` is
what open orders hold; available = stock − reserved.

Whenever on-hand or reserved stock changes, the new available quantity is queued
(`stock.push` outbox messages) for every marketplace listing of the variant — of every
variant of its SKU group when grouped — so no channel oversells. Pushes coalesce: one
message per (shop, variant listing), its payload replaced by the latest figure until it
is delivered.

Manual moves (stock in / out / adjustment), the per-SKU history and the bulk stock-take
live here too; each public function is one unit of work with its audit row.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from primedist.core.messages import Message, msg
from primedist.core.text import clean_line
from primedist.db.product_summary import chunks as _chunks
from primedist.db.product_summary import refresh_for_stock
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, OutboxStatus, StockMoveKind
from primedist.domain.goods_receipt import MAX_RECEIPT_QUANTITY, MAX_UNIT_COST
from primedist.domain.order import Order
from primedist.domain.product import (
    ProductListing,
    SkuGroup,
    StockMovement,
    Variant,
    VariantListing,
)
from primedist.domain.shop import Shop
from primedist.domain.user import User
from primedist.errors import NotFound, ValidationError
from primedist.services.context import ServiceContext
from primedist.services.outbox import outbox_t, queue_coalesced

variants_t = table_of(Variant)
groups_t = table_of(SkuGroup)
movements_t = table_of(StockMovement)
listings_t = table_of(ProductListing)
variant_listings_t = table_of(VariantListing)
shops_t = table_of(Shop)
users_t = table_of(User)

PUSH_KIND = "stock.push"
MARKETPLACES = tuple(c for c in Channel if c.is_marketplace)
#: The moves of an order its own marketplace counted itself (it took, let go or sold the
#: units): its listing is not pushed them. Goods back on the shelf (a return, a shipped
#: order cancelled) it does not add back: every listing is told of those.
COUNTED_BY_MARKETPLACE = frozenset(
    {StockMoveKind.RESERVE, StockMoveKind.RELEASE, StockMoveKind.SALE}
)
MAX_REASON = 255


@dataclass(frozen=True)
class StockLevel:
    """What a variant (or its SKU group) holds now."""

    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def _holder(
    session: Session, variant_id: int, *, lock: bool = False
) -> tuple[Variant, SkuGroup | None]:
    """The variant and its group; `lock`: read afresh with FOR UPDATE (see `lock_stock`)."""
    fresh: dict[str, Any] = {"with_for_update": True, "populate_existing": True} if lock else {}
    variant = session.get(Variant, variant_id, **fresh)
    if variant is None:
        raise NotFound(msg("Product variant {variant} no longer exists.", variant=str(variant_id)))
    gid = variant.sku_group_id
    group = session.get(SkuGroup, gid, **fresh) if gid else None
    return variant, group


def lock_stock(session: Session, variant_ids: Iterable[int]) -> None:
    """Lock the stock rows of these variants (and of their SKU groups) until the end of the
    transaction, in id order, and read them afresh: on PostgreSQL two PCs selling the last
    units then queue up instead of both seeing them available. SQLite has one writer at a
    time and ignores FOR UPDATE."""
    ids = sorted(set(variant_ids))
    fresh = {"populate_existing": True}
    variants = session.exec(
        select(Variant).where(col(Variant.id).in_(ids)).order_by(col(Variant.id))
        .with_for_update().execution_options(**fresh)
    ).all()  # fmt: skip
    gids = sorted({v.sku_group_id for v in variants if v.sku_group_id is not None})
    if gids:
        session.exec(
            select(SkuGroup).where(col(SkuGroup.id).in_(gids)).order_by(col(SkuGroup.id))
            .with_for_update().execution_options(**fresh)
        ).all()  # fmt: skip


def stock_level(session: Session, variant_id: int, *, lock: bool = False) -> StockLevel:
    """On hand and reserved of a variant (its group's when grouped); `lock`: read afresh
    and locked (`lock_stock`), for a check that the caller then writes on."""
    variant, group = _holder(session, variant_id, lock=lock)
    holder: Variant | SkuGroup = group or variant
    return StockLevel(holder.stock, holder.reserved)


# --------------------------------------------------------------------------- stock pushes


@dataclass(frozen=True)
class PushTarget:
    """A marketplace variant listing whose available stock is pushed (`stock.push`)."""

    shop_id: int
    variant_listing_id: int
    variant_id: int
    sku_group_id: int | None
    listing_external_id: str | None


def push_targets(
    conn: sa.Connection,
    variant_ids: Iterable[int] = (),
    group_ids: Iterable[int] = (),
    *,
    inactive: bool = False,
) -> list[PushTarget]:
    """Marketplace variant listings of these variants and of every variant of these groups
    (the listings the owner publishes: an unlisted product's stock is not pushed, nor an
    inactive variant's: one removed from its product, or of a deleted (archived) one —
    unless `inactive`, for the last push telling its listings nothing is left). Only
    listings linked to their marketplace item (an item id): one not linked yet could not
    take a push, it gets its figure once linked (`listing_links.fill_listing_ids`)."""
    vids, gids = sorted(set(variant_ids)), sorted(set(group_ids))
    found: dict[int, PushTarget] = {}
    base = (
        sa.select(variant_listings_t.c.id, listings_t.c.shop_id, variant_listings_t.c.variant_id,
                  variants_t.c.sku_group_id, variant_listings_t.c.external_id)
        .select_from(
            variant_listings_t.join(listings_t, listings_t.c.id == variant_listings_t.c.listing_id)
            .join(shops_t, shops_t.c.id == listings_t.c.shop_id)
            .join(variants_t, variants_t.c.id == variant_listings_t.c.variant_id)
        )
        .where(shops_t.c.channel.in_(MARKETPLACES), listings_t.c.is_active,
               listings_t.c.external_id.is_not(None))
    )  # fmt: skip
    if not inactive:
        base = base.where(variants_t.c.is_active)
    wheres = [variants_t.c.id.in_(c) for c in _chunks(vids)]
    wheres += [variants_t.c.sku_group_id.in_(c) for c in _chunks(gids)]
    for where in wheres:
        for vl_id, shop_id, variant_id, gid, external_id in conn.execute(base.where(where)):
            found[vl_id] = PushTarget(shop_id, vl_id, variant_id, gid, external_id)
    return list(found.values())


def _push_key(target: PushTarget) -> str:
    """The intent key of a listing's stock push (one message per listing)."""
    return f"stock:{target.shop_id}:{target.variant_listing_id}"


def _push_payload(target: PushTarget, available: int) -> str:
    payload = {
        "variant_id": target.variant_id,
        "listing_external_id": target.listing_external_id,
        # Below what open orders hold (stock taken out, a count): none left to sell.
        "available": max(0, available),
    }
    return json.dumps(payload, ensure_ascii=False)


def queue_pushes(
    conn: sa.Connection, pushes: Sequence[tuple[PushTarget, int]], now: datetime
) -> int:
    """Queue (target, available) pushes, coalescing with the message already queued for the
    same listing: its payload is replaced (and a delivered/failed one is queued again,
    the intent key being unique). Returns how many messages were written."""
    rows: dict[str, dict[str, Any]] = {}
    for target, available in pushes:
        key = _push_key(target)
        rows[key] = {"intent_key": key, "shop_id": target.shop_id,
                     "payload_json": _push_payload(target, available)}  # fmt: skip
    return queue_coalesced(conn, PUSH_KIND, rows, now)


def available_of(conn: sa.Connection, variant_ids: Iterable[int]) -> dict[int, int]:
    """Variant id → available stock now (on hand − reserved, its SKU group's when grouped)."""
    v, g = variants_t.c, groups_t.c
    stmt = sa.select(
        v.id, sa.func.coalesce(g.stock, v.stock) - sa.func.coalesce(g.reserved, v.reserved)
    ).select_from(variants_t.outerjoin(groups_t, g.id == v.sku_group_id))
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(set(variant_ids))):
        rows = conn.execute(stmt.where(v.id.in_(chunk)))
        found.update((int(vid), int(available)) for vid, available in rows)
    return found


def queue_current_pushes(conn: sa.Connection, targets: Sequence[PushTarget], now: datetime) -> int:
    """Queue each target's available stock as it is now (`queue_pushes`)."""
    available = available_of(conn, {t.variant_id for t in targets})
    return queue_pushes(conn, [(t, available[t.variant_id]) for t in targets], now)


def update_waiting_pushes(
    conn: sa.Connection, pushes: Sequence[tuple[PushTarget, int]], now: datetime
) -> None:
    """Give the (target, available) pushes still waiting to be sent (pending, not claimed
    yet) the new figure, queueing none where none waits: for a listing whose marketplace
    counted the change itself (an order of its own, synced), a push queued before still
    carries the figure from before that order, and sent later it would set the
    marketplace back above what is left. A failed one (its listing was not linked yet: the
    same sync may link it) gets it too and stays failed, so a Retry sends what is left.
    One already claimed is left to its delivery."""
    if not pushes:
        return
    c = outbox_t.c
    stmt = (
        sa.update(outbox_t)
        .where(
            c.intent_key == sa.bindparam("b_key"),
            # Not `in_`: its expanding parameter cannot go in an executemany.
            sa.or_(c.status == OutboxStatus.PENDING, c.status == OutboxStatus.FAILED),
        )
        .values(payload_json=sa.bindparam("b_payload"), updated_at=now)
    )
    conn.execute(stmt, [{"b_key": _push_key(t), "b_payload": _push_payload(t, available)}
                        for t, available in pushes])  # fmt: skip


def push_none_left(conn: sa.Connection, variant_ids: Iterable[int], now: datetime) -> int:
    """Queue 0 for every marketplace listing of these variants, just deactivated (removed
    from their product, or of an archived one): no push reaches an inactive variant's
    listings afterwards, so without this one the marketplace would go on selling the
    stock it was last told. Returns how many messages were written."""
    targets = push_targets(conn, variant_ids, inactive=True)
    return queue_pushes(conn, [(t, 0) for t in targets], now)


def move_stock(
    ctx: ServiceContext,
    session: Session,
    variant_id: int,
    kind: StockMoveKind,
    *,
    quantity: int = 0,
    reserved: int = 0,
    order_id: int | None = None,
    reason: str | None = None,
    refresh: bool = True,
) -> StockMovement:
    """Change on-hand stock by `quantity` and reserved by `reserved` (both signed), record
    the movement and queue the new available stock for the marketplace listings, in the
    caller's unit of work. `refresh=False`: the caller refreshes the products' list
    figures itself, once for many moves (`refresh_for_stock`).

    A move made for an order does not push to that order's own listing when its
    marketplace counts it itself (`COUNTED_BY_MARKETPLACE`: the sale, or its cancel);
    every other listing of the variant (of its group) gets it, and every listing gets the
    goods an order brings back on the shelf (returned, or cancelled once shipped).
    """
    # Locked and read afresh: the new level is written as a value, so two PCs moving the
    # same stock at once must not both start from the same old one.
    variant, group = _holder(session, variant_id, lock=True)
    holder: Variant | SkuGroup = group or variant
    before = (holder.stock, holder.reserved)
    holder.stock += quantity
    # A reservation never goes below zero (a release after a manual stock-take).
    holder.reserved = max(0, holder.reserved + reserved)
    now = ctx.clock.now()
    if isinstance(holder, Variant):
        holder.updated_at = now
    session.add(holder)
    move = StockMovement(
        variant_id=variant.id,
        sku_group_id=group.id if group else None,
        kind=kind,
        quantity=quantity,
        stock_after=holder.stock,
        reserved_change=reserved,
        reason=reason,
        order_id=order_id,
        user_id=ctx.actor.id,
        created_at=now,
    )
    session.add(move)
    if (holder.stock, holder.reserved) != before:
        conn = session.connection()
        targets = (
            push_targets(conn, group_ids=[group.id])
            if group is not None and group.id is not None
            else push_targets(conn, variant_ids=[variant_id])
        )
        if targets and order_id is not None and kind in COUNTED_BY_MARKETPLACE:
            order = session.get(Order, order_id)
            if order is not None:
                # A push waiting for it is left as it is: a change made here (a cancel)
                # reaches the marketplace with the order's message queued after the push,
                # which counts it there; the new figure sent first would count it twice.
                # (A synced order, counted there already, updates it: `sync_writer`.)
                own = (variant_id, order.shop_id)
                targets = [t for t in targets if (t.variant_id, t.shop_id) != own]
        available = holder.stock - holder.reserved
        queue_pushes(conn, [(t, available) for t in targets], now)
        session.flush()
        if refresh:
            refresh_for_stock(conn, [variant_id])
    return move


# --------------------------------------------------------------------------- manual moves


def _reason(reason: str | None, *, required: bool) -> str | None:
    text = clean_line(reason)
    if required and not text:
        raise ValidationError(msg("Give a reason for the stock change."), field="reason")
    return text[:MAX_REASON] or None


def _positive(quantity: int) -> None:
    if quantity <= 0:
        raise ValidationError(msg("The quantity must be more than 0."), field="quantity")
    _at_most(quantity, "quantity")


def _at_most(quantity: int, field: str) -> None:
    """The goods receipts' cap: far above a shop's stock, and it keeps a typo's extra
    zeros (or a number too big for the database) out of the ledger."""
    if quantity > MAX_RECEIPT_QUANTITY:
        raise ValidationError(
            msg("The quantity cannot be more than {max}.", max=MAX_RECEIPT_QUANTITY), field=field
        )


def receive(
    ctx: ServiceContext,
    session: Session,
    variant_id: int,
    quantity: int,
    unit_cost: int | None,
    reason: str | None,
    *,
    refresh: bool = True,
) -> tuple[StockMovement, Variant, int]:
    """Goods in for one variant, in the caller's unit of work (checked by the caller):
    the cost averaged (see `stock_in`) from the cost of the stock it joins (its SKU
    group's when grouped, whichever member is received: `cost_of`) and given to every
    member, and the movement; returns it, the variant and the cost before. `refresh`: as
    for `move_stock`."""
    variant, group = _holder(session, variant_id, lock=True)
    old_on_hand = (group or variant).stock
    old_cost = cost_of(session, variant, group)
    if unit_cost is not None:
        # 0 is a cost never given (`shared_cost`): nothing is known of the units on hand,
        # so they must not weigh the new goods' cost down towards 0 (and profit up).
        if old_on_hand >= 0 and old_cost:
            total = old_on_hand + quantity
            cost = (old_on_hand * old_cost + quantity * unit_cost + total // 2) // total
        else:
            cost = unit_cost
        share_cost(session, variant, group, cost)
    move = move_stock(ctx, session, variant_id, StockMoveKind.STOCK_IN, quantity=quantity,
                      reason=reason, refresh=refresh)  # fmt: skip
    return move, variant, old_cost


def take_cost_out(session: Session, variant_id: int, quantity: int, unit_cost: int | None) -> None:
    """Goods that came in at `unit_cost` about to go out again (a goods receipt cancelled,
    goods returned to the supplier; the caller's stock out follows, in its unit of work):
    their cost taken back out of the average `receive` put it in (`cost_without`), for
    every member of a SKU group. No unit cost: they changed no cost coming in."""
    if unit_cost is None:
        return
    variant, group = _holder(session, variant_id, lock=True)
    on_hand = (group or variant).stock
    cost = cost_without(on_hand, cost_of(session, variant, group), quantity, unit_cost)
    share_cost(session, variant, group, cost)


def cost_without(on_hand: int, cost: int, quantity: int, unit_cost: int) -> int:
    """The average cost once `quantity` of the `on_hand` units, bought at `unit_cost`, are
    gone: (on hand × cost − quantity × unit cost) / what stays, rounded to the đồng. The
    cost as it is when nothing stays, or when the rest would be worth less than nothing (the
    cost was changed by hand since): there is no average to go back to then."""
    left = on_hand - quantity
    value = on_hand * cost - quantity * unit_cost
    if left <= 0 or value < 0:
        return cost
    return (value + left // 2) // left


def cost_of(session: Session, variant: Variant, group: SkuGroup | None) -> int:
    """The cost of the stock the variant sells: its own, or its SKU group's (`shared_cost`
    of the members)."""
    if group is None:
        return variant.cost
    costs = session.exec(select(Variant.cost).where(col(Variant.sku_group_id) == group.id))
    return shared_cost(list(costs))


def shared_cost(costs: Sequence[int]) -> int:
    """The one cost of a SKU group's members (`costs`). They are kept equal (`share_cost`);
    a store from before that may have them apart (each member kept its own cost on
    joining): then the average of the non-zero ones (0 is a cost never given), rounded."""
    known = [c for c in costs if c]
    return (sum(known) + len(known) // 2) // len(known) if known else 0


def merged_cost(holders: Sequence[tuple[int, int]]) -> int:
    """The one cost of stocks (on hand, cost) put together on one shelf (variants joining a
    SKU group, the group itself): averaged over the units each brings, rounded to the đồng.
    A holder with nothing on hand (or less) has no units to weigh; when none has any, the
    cost is the known one (`shared_cost`: the non-zero costs, averaged when they differ),
    so a listing added with no cost of its own does not make the group's cost 0. Nor do
    the units of a holder with no cost (0) weigh it down when another has one: nothing is
    known of what they cost."""
    known = [(on_hand, cost) for on_hand, cost in holders if cost] or holders
    stocked = [(on_hand, cost) for on_hand, cost in known if on_hand > 0]
    units = sum(on_hand for on_hand, _ in stocked)
    if not units:
        return shared_cost([cost for _, cost in holders])
    return (sum(on_hand * cost for on_hand, cost in stocked) + units // 2) // units


def share_cost(
    session: Session, variant: Variant, group: SkuGroup | None, cost: int
) -> list[tuple[Variant, int]]:
    """Set the variant's cost; every member's of its SKU group when grouped: they are one
    stock on the shelf, so one cost (a member's own cost would drift from the others', and
    a sale of it be costed wrong). Returns the variants whose cost changed, each with its
    cost before."""
    members = [variant]
    if group is not None:
        members = list(session.exec(select(Variant).where(col(Variant.sku_group_id) == group.id)))
    changed = []
    for member in members:
        if member.cost != cost:
            changed.append((member, member.cost))
            member.cost = cost
            session.add(member)
    return changed


def stock_in(
    ctx: ServiceContext,
    variant_id: int,
    quantity: int,
    *,
    unit_cost: int | None = None,
    reason: str | None = None,
) -> StockMovement:
    """Goods received. With a unit cost, the variant's cost becomes the weighted average
    (old on hand × old cost + quantity × unit cost) / (old on hand + quantity), rounded to
    the đồng; when the old on hand is below zero, or has no cost (0), the unit cost is
    taken as it is."""
    ctx.require(Module.PRODUCTS)
    _positive(quantity)
    if unit_cost is not None and unit_cost < 0:
        raise ValidationError(msg("The unit cost cannot be negative."), field="unit_cost")
    if unit_cost is not None and unit_cost > MAX_UNIT_COST:
        raise ValidationError(
            msg("The unit cost cannot be more than {max}.", max=MAX_UNIT_COST), field="unit_cost"
        )
    text = _reason(reason, required=False)
    with ctx.uow(write=True) as session:
        move, variant, old_cost = receive(ctx, session, variant_id, quantity, unit_cost, text)
        values = {"sku": variant.sku, "quantity": quantity, "stock": move.stock_after,
                  "old": old_cost, "new": variant.cost}  # fmt: skip
        summary: str
        if unit_cost is not None and text:
            summary = msg("{sku}: +{quantity} → {stock}, cost {old} → {new} ({reason})",
                          reason=text, **values)  # fmt: skip
        elif unit_cost is not None:
            summary = msg("{sku}: +{quantity} → {stock}, cost {old} → {new}", **values)
        else:
            reason = f" ({text})" if text else ""
            summary = f"{variant.sku}: +{quantity} → {move.stock_after}{reason}"
        ctx.audit(session, "stock.in", entity_type="variant", entity_id=variant_id,
                  summary=summary,
                  after={"quantity": quantity, "unit_cost": unit_cost,
                         "cost": variant.cost})  # fmt: skip
    return move


def stock_out(ctx: ServiceContext, variant_id: int, quantity: int, *, reason: str) -> StockMovement:
    """Goods taken off the shelf (damaged, lost, own use); never below zero on hand."""
    ctx.require(Module.PRODUCTS)
    _positive(quantity)
    text = _reason(reason, required=True)
    with ctx.uow(write=True) as session:
        # Locked: the check and the movement start from the same on hand.
        variant, group = _holder(session, variant_id, lock=True)
        on_hand = (group or variant).stock
        if quantity > on_hand:
            raise ValidationError(
                msg(
                    "Only {on_hand} of {sku} on hand: cannot take out {quantity}.",
                    on_hand=on_hand,
                    sku=variant.sku,
                    quantity=quantity,
                ),
                field="quantity",
            )
        move = move_stock(ctx, session, variant_id, StockMoveKind.STOCK_OUT, quantity=-quantity,
                          reason=text)  # fmt: skip
        ctx.audit(session, "stock.out", entity_type="variant", entity_id=variant_id,
                  summary=f"{variant.sku}: -{quantity} → {move.stock_after} ({text})")  # fmt: skip
    return move


def adjust_stock(
    ctx: ServiceContext, variant_id: int, new_on_hand: int, *, reason: str
) -> StockMovement | None:
    """Set the on-hand stock (the group's when grouped); None when it is already that."""
    ctx.require(Module.PRODUCTS)
    if new_on_hand < 0:
        raise ValidationError(msg("The stock on hand cannot be negative."), field="new_on_hand")
    _at_most(new_on_hand, "new_on_hand")
    text = _reason(reason, required=True)
    with ctx.uow(write=True) as session:
        # Locked before reading: a sale committing meanwhile must not be undone by the
        # difference (new − old) being worked out from a stale old.
        variant, group = _holder(session, variant_id, lock=True)
        old = (group or variant).stock
        if new_on_hand == old:
            return None
        move = move_stock(ctx, session, variant_id, StockMoveKind.ADJUSTMENT,
                          quantity=new_on_hand - old, reason=text)  # fmt: skip
        ctx.audit(session, "stock.adjust", entity_type="variant", entity_id=variant_id,
                  summary=f"{variant.sku}: {old} → {new_on_hand} ({text})",
                  before={"stock": old}, after={"stock": new_on_hand})  # fmt: skip
    return move


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryRow:
    """A line of a SKU's movement history (grouped: the whole group's, by SKU)."""

    id: int
    created_at: datetime
    sku: str | None
    kind: StockMoveKind
    quantity: int
    reserved_change: int
    stock_after: int
    reason: str | None
    order_id: int | None
    user_name: str | None
    #: The SKU group whose ledger the row is in (`stock_after` is that group's on hand);
    #: None: the variant's own (`sku`'s, or the group's own row of no SKU).
    group_code: str | None = None


#: Where a history page continues: the (created_at, id) of the last movement shown.
HistoryCursor = tuple[datetime, int]


@dataclass(frozen=True)
class HistoryPage:
    """A page of movements, newest first; `more`: older ones remain (continue after the
    last row's `(created_at, id)`)."""

    rows: list[HistoryRow]
    more: bool


def stock_history(ctx: ServiceContext, variant_id: int, limit: int = 200) -> list[HistoryRow]:
    """Movements of a variant, newest first, with who made them. A grouped variant shows
    its group's movements (its `stock_after` figures are the group's); a variant that
    left a group keeps the movements it made in it, each naming the group (`group_code`)
    whose on hand its `stock_after` is."""
    return stock_history_page(ctx, variant_ids=[variant_id], limit=limit).rows


def stock_history_page(
    ctx: ServiceContext,
    *,
    product_id: int | None = None,
    variant_ids: Sequence[int] = (),
    after: HistoryCursor | None = None,
    limit: int = 200,
) -> HistoryPage:
    """The next `limit` movements (after `after`, newest first) of these variants, or of
    every variant of `product_id` (archived ones too) when `variant_ids` is empty; each
    variant's as `stock_history` tells them, merged (a group's movement once)."""
    ctx.require(Module.PRODUCTS)
    m = movements_t.c
    with ctx.uow() as session:
        holders = _history_holders(session, product_id, variant_ids)
        streams = [m.variant_id == vid for vid in sorted({vid for vid, _g in holders})]
        streams += [m.sku_group_id == gid for gid in sorted({g for _v, g in holders if g})]
        conn = session.connection()
        # Each holder's newest movements walk its (holder, created_at) index; merged here,
        # so no page sorts the product's whole ledger (SQLite would for `variant_id IN`).
        keys = heapq.merge(
            *(conn.execute(history_keys_stmt(where, after, limit + 1)).all() for where in streams),
            key=lambda k: (k[1], k[0]),
            reverse=True,
        )
        ids = _unique_ids(keys, limit + 1)
        return HistoryPage(_history_rows(conn, ids[:limit]), more=len(ids) > limit)


def _history_holders(
    session: Session, product_id: int | None, variant_ids: Sequence[int]
) -> list[tuple[int, int | None]]:
    """(variant id, its SKU group's id) of these variants, else of the product's."""
    if variant_ids:
        out = []
        for vid in variant_ids:
            _variant, group = _holder(session, vid)  # NotFound for a variant since erased
            out.append((vid, group.id if group is not None else None))
        return out
    v = variants_t.c
    stmt = sa.select(v.id, v.sku_group_id).where(v.product_id == product_id)
    return [(int(vid), gid) for vid, gid in session.execute(stmt)]


def history_keys_stmt(
    holder: sa.ColumnElement[bool], after: HistoryCursor | None, limit: int
) -> sa.Select[Any]:
    """(id, created_at) of one holder's next `limit` movements, newest first: a keyset
    seek on its (holder, created_at) index (the rowid ends every SQLite index)."""
    m = movements_t.c
    stmt = sa.select(m.id, m.created_at).where(holder)
    if after is not None:
        at, last_id = after
        # Spelled as a range on created_at (not a row value) so both databases seek on it.
        stmt = stmt.where(m.created_at <= at, sa.or_(m.created_at < at, m.id < last_id))
    return stmt.order_by(m.created_at.desc(), m.id.desc()).limit(limit)


def _unique_ids(keys: Iterable[Any], limit: int) -> list[int]:
    """The first `limit` ids of merged keys (a group's row comes from both its streams)."""
    ids: list[int] = []
    for key in keys:
        if not ids or ids[-1] != key[0]:  # equal keys are adjacent in the merge
            ids.append(int(key[0]))
            if len(ids) == limit:
                break
    return ids


def _history_rows(conn: sa.Connection, ids: list[int]) -> list[HistoryRow]:
    """The history rows of these movement ids, in that order."""
    if not ids:
        return []
    m = movements_t.c
    stmt = (
        sa.select(m.id, m.created_at, variants_t.c.sku, m.kind, m.quantity, m.reserved_change,
                  m.stock_after, m.reason, m.order_id, users_t.c.name, groups_t.c.code)
        .select_from(movements_t.outerjoin(variants_t, variants_t.c.id == m.variant_id)
                     .outerjoin(users_t, users_t.c.id == m.user_id)
                     .outerjoin(groups_t, groups_t.c.id == m.sku_group_id))
        .where(m.id.in_(ids))
    )  # fmt: skip
    found = {row[0]: HistoryRow(*row) for row in conn.execute(stmt)}
    return [found[i] for i in ids if i in found]


# --------------------------------------------------------------------------- stock-take


@dataclass(frozen=True)
class StocktakeResult:
    """Counted lines, how many differed, and the difference in units and in đồng (at cost)."""

    lines: int
    changed: int
    difference_qty: int
    difference_value: int


def on_hand_now(ctx: ServiceContext, variant_ids: Iterable[int]) -> dict[int, int]:
    """The on hand of these variants (their groups' when grouped) as stored now: variant
    id → on hand (unknown ids left out). The stock-take compares it with its sheet."""
    return {vid: level.on_hand for vid, level in levels_now(ctx, variant_ids).items()}


def levels_now(ctx: ServiceContext, variant_ids: Iterable[int]) -> dict[int, StockLevel]:
    """On hand and reserved of these variants (their groups' when grouped) as stored now
    (unknown ids left out): the stock-take's confirmation shows what each line becomes and
    whether open orders still fit in it."""
    ctx.require(Module.PRODUCTS)
    v, g = variants_t.c, groups_t.c
    out: dict[int, StockLevel] = {}
    stmt = sa.select(
        v.id, sa.func.coalesce(g.stock, v.stock), sa.func.coalesce(g.reserved, v.reserved)
    ).select_from(variants_t.outerjoin(groups_t, g.id == v.sku_group_id))
    with ctx.engine.connect() as conn:
        for chunk in _chunks(sorted(set(variant_ids))):
            out.update(
                (int(i), StockLevel(int(n), int(r)))
                for i, n, r in conn.execute(stmt.where(v.id.in_(chunk)))
            )
    return out


def apply_stocktake(
    ctx: ServiceContext,
    counts: Mapping[int, int],
    *,
    reason: str,
    seen: Mapping[int, int] | None = None,
) -> StocktakeResult:
    """Apply a count (variant id → counted quantity) in one transaction. A SKU-group
    member's count is the group's stock, so counting two members of one group is refused.

    `seen`: variant id → the on hand the count sheet showed when it was loaded. The count
    is taken as of then: the difference counted − seen is added to the on hand as it is
    now, so what was sold (or received) since the sheet was loaded stays sold (received).
    A variant without a seen figure is set to what was counted.

    The stock rows are locked (in id order, as a sale locks them) before they are read, so
    a sale committing meanwhile waits, and on hand stays the sum of the movements. Bulk:
    Core selects in chunks, one executemany for the movements and one per table for the
    stock."""
    ctx.require(Module.PRODUCTS)
    seen = seen or {}
    text = _reason(reason, required=True)
    if not counts:
        raise ValidationError(msg("Count at least one product."), field="counts")
    now = ctx.clock.now()
    ids = sorted(counts)
    with ctx.uow(write=True) as session:
        conn = session.connection()
        variants: dict[int, tuple[str, int | None, int, int, int]] = {}
        v = variants_t.c
        for chunk in _chunks(ids):  # sorted chunks of sorted ids: locked in id order
            stmt = (
                sa.select(v.id, v.sku, v.sku_group_id, v.stock, v.cost, v.reserved)
                .where(v.id.in_(chunk)).order_by(v.id).with_for_update()
            )  # fmt: skip
            for vid, sku, gid, stock, cost, res in conn.execute(stmt):
                variants[vid] = (sku, gid, stock, cost, res)
        missing = [i for i in ids if i not in variants]
        if missing:
            raise NotFound(
                msg("Product variant {variant} no longer exists.", variant=str(missing[0]))
            )
        negative = [variants[i][0] for i in ids if counts[i] < 0]
        if negative:
            raise ValidationError(msg("The count of {skus} cannot be negative.",
                                      skus=", ".join(negative[:5])), field="counts")  # fmt: skip
        too_many = [variants[i][0] for i in ids if counts[i] > MAX_RECEIPT_QUANTITY]
        if too_many:
            raise ValidationError(msg("The count of {skus} cannot be more than {max}.",
                                      skus=", ".join(too_many[:5]), max=MAX_RECEIPT_QUANTITY),
                                  field="counts")  # fmt: skip
        by_group: dict[int, list[str]] = {}
        for i in ids:
            gid = variants[i][1]
            if gid is not None:
                by_group.setdefault(gid, []).append(variants[i][0])
        groups: dict[int, tuple[str, int, int]] = {}
        for chunk in _chunks(sorted(by_group)):
            stmt2 = (
                sa.select(groups_t.c.id, groups_t.c.code, groups_t.c.stock, groups_t.c.reserved)
                .where(groups_t.c.id.in_(chunk)).order_by(groups_t.c.id).with_for_update()
            )  # fmt: skip
            for gid, code, stock, res in conn.execute(stmt2):
                groups[gid] = (code, stock, res)
        twice = [(gid, skus) for gid, skus in by_group.items() if len(skus) > 1]
        if twice:
            gid, skus = twice[0]
            raise ValidationError(
                msg(
                    "{skus} share the stock of group {group}: count only one.",
                    skus=" and ".join(skus),
                    group=groups[gid][0],
                ),
                field="counts",
            )
        moves: list[dict[str, Any]] = []
        variant_updates: list[dict[str, Any]] = []
        group_updates: list[dict[str, Any]] = []
        pushed_variants: dict[int, int] = {}  # ungrouped variant id -> available
        pushed_groups: dict[int, int] = {}
        diff_qty = diff_value = 0
        below_zero: list[Message] = []
        for vid in ids:
            sku, gid, v_stock, cost, v_reserved = variants[vid]
            counted = counts[vid]
            on_hand = groups[gid][1] if gid is not None else v_stock
            seen_then = seen.get(vid)
            diff = counted - (on_hand if seen_then is None else seen_then)
            if diff == 0:
                continue
            after = on_hand + diff
            if after < 0:
                # More went out while counting than the sheet showed: the count is stale.
                below_zero.append(msg("{sku} (counted {counted}, {seen} on the sheet, {on_hand} "
                                      "on hand now: {after})", sku=sku, counted=counted,
                                      seen=seen_then, on_hand=on_hand, after=after))  # fmt: skip
                continue
            diff_qty += diff
            diff_value += diff * cost
            moves.append({"variant_id": vid, "sku_group_id": gid, "kind": StockMoveKind.STOCKTAKE,
                          "quantity": diff, "stock_after": after, "reserved_change": 0,
                          "reason": text, "order_id": None, "user_id": ctx.actor.id,
                          "created_at": now})  # fmt: skip
            if gid is not None:
                group_updates.append({"b_id": gid, "b_stock": after})
                pushed_groups[gid] = after - groups[gid][2]
            else:
                variant_updates.append({"b_id": vid, "b_stock": after})
                pushed_variants[vid] = after - v_reserved
        _refuse_below_zero(below_zero)
        if moves:
            conn.execute(sa.insert(movements_t), moves)
        if variant_updates:
            conn.execute(
                sa.update(variants_t).where(variants_t.c.id == sa.bindparam("b_id"))
                .values(stock=sa.bindparam("b_stock"), updated_at=now),
                variant_updates,
            )  # fmt: skip
        if group_updates:
            conn.execute(
                sa.update(groups_t).where(groups_t.c.id == sa.bindparam("b_id"))
                .values(stock=sa.bindparam("b_stock")),
                group_updates,
            )  # fmt: skip
        pushes: list[tuple[PushTarget, int]] = []
        if pushed_variants or pushed_groups:
            for t in push_targets(conn, pushed_variants, pushed_groups):
                if t.sku_group_id is not None and t.sku_group_id in pushed_groups:
                    pushes.append((t, pushed_groups[t.sku_group_id]))
                elif t.variant_id in pushed_variants:
                    pushes.append((t, pushed_variants[t.variant_id]))
        queued = queue_pushes(conn, pushes, now)
        refresh_for_stock(conn, pushed_variants, pushed_groups)
        result = StocktakeResult(len(ids), len(moves), diff_qty, diff_value)
        ctx.audit(session, "stock.stocktake", entity_type="stocktake",
                  summary=msg("{lines} lines counted, {changed} changed, difference "
                              "{difference} ({amount} đ); {reason}", lines=result.lines,
                              changed=result.changed,
                              difference=f"{result.difference_qty:+,}",
                              amount=f"{result.difference_value:+,}", reason=text),
                  after={**result.__dict__, "pushes": queued})  # fmt: skip
    return result


#: The reason of a stock-take that found none left (the demo's ledger writes it; the UI
#: shows it in the reader's language).
SOLD_OUT_REASON = "Counted: none left"
#: The lines a refused stock-take names (the rest counted).
MAX_NAMED_LINES = 10


def _refuse_below_zero(lines: Sequence[Message]) -> None:
    """Refuse a stock-take that would leave lines below 0 on hand, naming each (the first
    `MAX_NAMED_LINES`): stock went out of them while they were counted, so the count no
    longer tells what is on the shelf."""
    if not lines:
        return
    named: list[Message] = list(lines[:MAX_NAMED_LINES])
    if len(lines) > MAX_NAMED_LINES:
        named.append(msg("{count} more", count=len(lines) - MAX_NAMED_LINES))
    raise ValidationError(
        msg("Nothing was applied: the stock-take would leave less than 0 on hand on {lines}. "
            "Stock went out of them while they were counted: count them again.",
            lines=named),
        field="counts",
    )  # fmt: skip
