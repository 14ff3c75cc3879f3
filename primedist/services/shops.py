"""Shops as lists and pickers see them (the Orders tab's shop filter, sale screens)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from primedist.domain.enums import Channel
from primedist.domain.shop import Shop
from primedist.services.context import ServiceContext


@dataclass(frozen=True)
class ShopInfo:
    """A shop's id, name and channel (no credentials, nothing secret)."""

    id: int
    name: str
    channel: Channel


def list_shops(ctx: ServiceContext) -> list[ShopInfo]:
    """Every shop, active or not (old orders keep their shop), sorted by name.

    Shop names label every list, so any signed-in user may read them: no module check.
    """
    with ctx.uow() as session:
        rows = session.exec(
            select(Shop.id, Shop.name, Shop.channel).order_by(col(Shop.name), col(Shop.id))
        ).all()
    return [ShopInfo(int(i or 0), name, Channel(channel)) for i, name, channel in rows]
