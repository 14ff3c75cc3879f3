"""Stock moves: every change of on-hand or reserved stock is a `StockMovement` row.

A variant in a SKU group ("Prime SKU") keeps its stock on the group: one physical item
listed in several shops. On hand (`stock`) counts what is on the shelf; `reserved` is
what open orders hold; available = stock − reserved.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from primedist.domain.enums import StockMoveKind
from primedist.domain.product import SkuGroup, StockMovement, Variant
from primedist.errors import NotFound
from primedist.services.context import ServiceContext


@dataclass(frozen=True)
class StockLevel:
    """What a variant (or its SKU group) holds now."""

    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def _holder(session: Session, variant_id: int) -> tuple[Variant, SkuGroup | None]:
    variant = session.get(Variant, variant_id)
    if variant is None:
        raise NotFound(f"Product variant {variant_id} no longer exists.")
    group = session.get(SkuGroup, variant.sku_group_id) if variant.sku_group_id else None
    return variant, group


def stock_level(session: Session, variant_id: int) -> StockLevel:
    """On hand and reserved of a variant (its group's when grouped)."""
    variant, group = _holder(session, variant_id)
    holder: Variant | SkuGroup = group or variant
    return StockLevel(holder.stock, holder.reserved)


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
) -> StockMovement:
    """Change on-hand stock by `quantity` and reserved by `reserved` (both signed) and
    record the movement, in the caller's unit of work."""
    variant, group = _holder(session, variant_id)
    holder: Variant | SkuGroup = group or variant
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
    return move
