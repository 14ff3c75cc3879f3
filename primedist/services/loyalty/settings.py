"""The loyalty rules the owner sets: rank conditions and points (stored as app settings).

Each save goes through `put_setting`, so it is audited and the row remembers who changed
it and when ("conditions last changed at … by …").
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.messages import Message, msg
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, Rank, RankBasis
from primedist.domain.settings import AppSetting
from primedist.domain.user import User
from primedist.errors import ValidationError
from primedist.services.app_settings import get_setting, put_setting
from primedist.services.context import ServiceContext

RANKING_SETTING = "loyalty.ranking"
EARN_SETTING = "loyalty.earn_per"
CAP_SETTING = "loyalty.redeem_cap_percent"
#: What one loyalty point is worth when redeemed, in đồng.
POINT_VALUE_SETTING = "loyalty.point_value"
DEFAULT_POINT_VALUE = 1_000
#: Which channels' orders earn points: {channel value: earns} (a channel not in it: its
#: default below).
EARN_CHANNELS_SETTING = "loyalty.earn_channels"
#: The channels the owner chooses among: the shop's own sales (counter, phone, chat and
#: imported orders; a web store goes with them) and each marketplace.
EARN_CHANNELS = (Channel.OFFLINE, Channel.SHOPEE, Channel.LAZADA, Channel.TIKTOK, Channel.TIKI)
#: A new shop: only its own sales earn. Marketplace buyers are the marketplace's customers;
#: points reward the regulars at the counter. (Migration 0039 stores every channel for a
#: shop that already had orders, so it keeps earning as before.)
DEFAULT_EARN_CHANNELS = frozenset({Channel.OFFLINE})

#: Highest rank first: the order thresholds are checked in.
RANKS_DOWN = (Rank.DIAMOND, Rank.GOLD, Rank.SILVER, Rank.COPPER)
#: Rank order for "up" and "down".
RANK_LEVEL = {Rank.COPPER: 0, Rank.SILVER: 1, Rank.GOLD: 2, Rank.DIAMOND: 3}
#: The ranks as the messages name them (in English as written; translated for the user).
RANK_NAMES: dict[Rank, Message] = {
    Rank.DIAMOND: msg("Diamond"),
    Rank.GOLD: msg("Gold"),
    Rank.SILVER: msg("Silver"),
    Rank.COPPER: msg("Bronze"),
}
DEFAULT_THRESHOLDS: dict[RankBasis, tuple[int, int, int, int]] = {
    RankBasis.EXPENSES: (10_000_000, 5_000_000, 1_000_000, 0),
    RankBasis.ORDERS: (50, 25, 10, 0),
}
#: One point per this many đồng of a successful order (0 = points are not earned), for a
#: shop that never saved the rule: 10% back at the default point value. Kept for the shops
#: made before NEW_SHOP_EARN_PER (their customers earn as they always did).
DEFAULT_EARN_PER = 10_000
#: The earn rate a shop set up from now on starts with (`give_new_shop_points_rule`): 1%
#: back with a point worth DEFAULT_POINT_VALUE, where shops commonly give 1–5%; 10% read
#: as a warning on Settings → Loyalty points before the owner had changed anything.
NEW_SHOP_EARN_PER = 100_000
DEFAULT_CAP_PERCENT = 50
MAX_MONEY = 10**12


class RankWindow(StrEnum):
    """Which orders the rank counts: all of them, or those of the last 12 months."""

    ALL_TIME = "all_time"
    LAST_12_MONTHS = "12_months"


@dataclass(frozen=True)
class RankSettings:
    basis: RankBasis
    window: RankWindow
    #: Per basis, Diamond, Gold, Silver, Copper (Copper is always 0: everyone else).
    thresholds: Mapping[RankBasis, tuple[int, int, int, int]]
    changed_at: datetime | None = None
    changed_by: str | None = None

    def threshold(self, rank: Rank, basis: RankBasis | None = None) -> int:
        return self.thresholds[basis or self.basis][RANKS_DOWN.index(rank)]

    def rank_for(self, value: int) -> Rank:
        """The rank a customer with this value (đồng or orders) reaches."""
        for rank in RANKS_DOWN:
            if value >= self.threshold(rank):
                return rank
        return Rank.COPPER


@dataclass(frozen=True)
class PointsSettings:
    #: Đồng of a successful order per point earned (0 = none earned).
    earn_per: int = DEFAULT_EARN_PER
    #: What one redeemed point is worth, in đồng.
    point_value: int = DEFAULT_POINT_VALUE
    #: Points pay at most this percentage of an order.
    cap_percent: int = DEFAULT_CAP_PERCENT
    #: The channels (of `EARN_CHANNELS`) whose orders earn points.
    channels: frozenset[Channel] = DEFAULT_EARN_CHANNELS

    @property
    def percent_back(self) -> float | None:
        """What the points give back, in % of an order's value (point value ÷ đồng per
        point); None when earning is off."""
        return None if not self.earn_per else 100 * self.point_value / self.earn_per


# --------------------------------------------------------------------------- ranks


def _parse_ranking(raw: Any) -> tuple[RankBasis, RankWindow, dict[RankBasis, tuple[int, ...]]]:
    raw = raw if isinstance(raw, dict) else {}
    try:
        basis = RankBasis(raw.get("basis", RankBasis.EXPENSES.value))
        window = RankWindow(raw.get("window", RankWindow.ALL_TIME.value))
    except ValueError:
        basis, window = RankBasis.EXPENSES, RankWindow.ALL_TIME
    thresholds: dict[RankBasis, tuple[int, ...]] = {}
    for b, default in DEFAULT_THRESHOLDS.items():
        values = raw.get(b.value)
        ok = isinstance(values, list) and len(values) == 4
        thresholds[b] = tuple(int(v) for v in values) if ok else default
    return basis, window, thresholds


def rank_settings(session: Session) -> RankSettings:
    """The rank conditions, with when and by whom they were last changed."""
    row = session.get(AppSetting, RANKING_SETTING)
    basis, window, thresholds = _parse_ranking(None if row is None else json.loads(row.value_json))
    by = None
    if row is not None and row.updated_by_id is not None:
        user = session.get(User, row.updated_by_id)
        by = None if user is None else user.name
    return RankSettings(
        basis, window, thresholds,  # type: ignore[arg-type]
        changed_at=None if row is None else row.updated_at,
        changed_by=by if by else (None if row is None else "system"),
    )  # fmt: skip


def threshold_text(basis: RankBasis, value: int) -> Message:
    """A threshold in its unit: money ("10,000,000 đ") or a number of orders."""
    if basis == RankBasis.EXPENSES:
        return msg("{amount} đ", amount=value)
    return msg("{count} orders", count=value)


def check_thresholds(basis: RankBasis, values: tuple[int, ...]) -> tuple[int, int, int, int]:
    """Diamond > Gold > Silver > Copper = 0, whole numbers in range; else a clear error.
    The ranks and the values with their unit go into the messages as messages, so the
    user reads both in their own words."""
    if len(values) != 4:
        raise ValidationError(msg("Give four thresholds: Diamond, Gold, Silver, Bronze."))
    top = MAX_MONEY if basis == RankBasis.EXPENSES else 1_000_000
    for rank, value in zip(RANKS_DOWN, values, strict=True):
        if not 0 <= value <= top:
            raise ValidationError(
                msg("The {rank} threshold must be between 0 and {top}.",
                    rank=RANK_NAMES[rank], top=threshold_text(basis, top)),
                field=rank.value,
            )  # fmt: skip
    if values[3] != 0:
        raise ValidationError(
            msg("Bronze is the rank of every other customer: its threshold is 0."), field="copper"
        )
    for i in range(3):
        high, low, hv, lv = RANKS_DOWN[i], RANKS_DOWN[i + 1], values[i], values[i + 1]
        if hv <= lv:
            raise ValidationError(
                msg("The {rank} threshold ({value}) must be above the {lower_rank} threshold "
                    "({lower_value}).",
                    rank=RANK_NAMES[high], value=threshold_text(basis, hv),
                    lower_rank=RANK_NAMES[low], lower_value=threshold_text(basis, lv)),
                field=high.value,
            )  # fmt: skip
    return (values[0], values[1], values[2], values[3])


def save_rank_settings(
    ctx: ServiceContext, *, basis: RankBasis, window: RankWindow,
    thresholds: Mapping[RankBasis, tuple[int, ...]],
) -> RankSettings:  # fmt: skip
    """Store the rank conditions (the thresholds of both bases are kept)."""
    ctx.require(Module.SETTINGS)
    ctx.require_manager()
    with ctx.uow() as session:
        current = rank_settings(session)
        merged = dict(current.thresholds)
        for b, values in thresholds.items():
            merged[b] = check_thresholds(b, tuple(int(v) for v in values))
        value = _ranking_json(basis, window, merged)
        # Never saved: the audit's before is the defaults in effect, not nothing.
        was = _ranking_json(current.basis, current.window, current.thresholds)
        put_setting(ctx, session, RANKING_SETTING, value, default=was)
        session.flush()
        return rank_settings(session)


def _ranking_json(
    basis: RankBasis, window: RankWindow, thresholds: Mapping[RankBasis, tuple[int, ...]]
) -> dict[str, Any]:
    return {"basis": basis.value, "window": window.value,
            **{b.value: list(v) for b, v in thresholds.items()}}  # fmt: skip


def read_rank_settings(ctx: ServiceContext) -> RankSettings:
    with ctx.uow() as session:
        return rank_settings(session)


# --------------------------------------------------------------------------- points


def points_settings(session: Session) -> PointsSettings:
    return PointsSettings(
        earn_per=int(get_setting(session, EARN_SETTING, DEFAULT_EARN_PER)),
        point_value=int(get_setting(session, POINT_VALUE_SETTING, DEFAULT_POINT_VALUE)),
        cap_percent=int(get_setting(session, CAP_SETTING, DEFAULT_CAP_PERCENT)),
        channels=_parse_channels(get_setting(session, EARN_CHANNELS_SETTING)),
    )


def _parse_channels(raw: Any) -> frozenset[Channel]:
    stored = raw if isinstance(raw, dict) else {}
    return frozenset(c for c in EARN_CHANNELS
                     if bool(stored.get(c.value, c in DEFAULT_EARN_CHANNELS)))  # fmt: skip


def _channels_json(channels: frozenset[Channel]) -> dict[str, bool]:
    return {c.value: c in channels for c in EARN_CHANNELS}


def earn_channels_from(conn: sa.Connection) -> frozenset[Channel]:
    """The channels whose orders earn, read on a bare connection; a web store goes with
    the shop's own sales (it is the shop's, not a marketplace's)."""
    t = table_of(AppSetting)
    raw = conn.execute(sa.select(t.c.value_json).where(t.c.key == EARN_CHANNELS_SETTING)).scalar()
    chosen = _parse_channels(None if raw is None else json.loads(raw))
    return (chosen | {Channel.WEBSTORE}) if Channel.OFFLINE in chosen else chosen


def earn_per_from(conn: sa.Connection) -> int:
    """The earn rate read on a bare connection (the order effects have no Session)."""
    t = table_of(AppSetting)
    raw = conn.execute(sa.select(t.c.value_json).where(t.c.key == EARN_SETTING)).scalar()
    return DEFAULT_EARN_PER if raw is None else int(json.loads(raw))


def give_new_shop_points_rule(session: Session, now: datetime) -> None:
    """Store NEW_SHOP_EARN_PER as the earn rate of a shop being set up (nothing earned yet,
    so nothing to keep; not audited: no one changed it). A rate already stored stays."""
    if session.get(AppSetting, EARN_SETTING) is None:
        session.add(AppSetting(key=EARN_SETTING, value_json=json.dumps(NEW_SHOP_EARN_PER),
                               updated_at=now))  # fmt: skip


def read_points_settings(ctx: ServiceContext) -> PointsSettings:
    with ctx.uow() as session:
        return points_settings(session)


def save_points_settings(ctx: ServiceContext, new: PointsSettings) -> PointsSettings:
    """Store the points rules; earn rate 0 switches earning off, and only the orders of
    `new.channels` earn (a change leaves the points orders have earned already)."""
    ctx.require(Module.SETTINGS)
    ctx.require_manager()
    new = dataclasses.replace(new, channels=frozenset(new.channels) & frozenset(EARN_CHANNELS))
    if not 0 <= new.earn_per <= MAX_MONEY:
        raise ValidationError(
            msg("The earn rate must be between 0 and {limit} đ per point.", limit=MAX_MONEY),
            field="earn_per",
        )
    if not 1 <= new.point_value <= 10_000_000:
        raise ValidationError(
            msg("A point must be worth between 1 and 10,000,000 đ."), field="point_value"
        )
    if not 1 <= new.cap_percent <= 100:
        raise ValidationError(
            msg("Points may pay between 1% and 100% of an order."), field="cap_percent"
        )
    if new.earn_per and new.point_value >= new.earn_per:
        # Spending earn_per đ earns one point worth point_value đ: at or above 100% back,
        # the points would pay customers more than they spent to earn them.
        raise ValidationError(
            msg("A point must be worth less than the {earn_per} đ spent to earn it: the "
                "points would give back more than the customer paid.", earn_per=new.earn_per),
            field="point_value",
        )  # fmt: skip
    with ctx.uow() as session:
        old = points_settings(session)
        for key, value, before in (
            (EARN_SETTING, new.earn_per, old.earn_per),
            (POINT_VALUE_SETTING, new.point_value, old.point_value),
            (CAP_SETTING, new.cap_percent, old.cap_percent),
        ):
            if value != before or session.get(AppSetting, key) is None:
                put_setting(ctx, session, key, value, default=before)
        if new.channels != old.channels or session.get(AppSetting, EARN_CHANNELS_SETTING) is None:
            put_setting(ctx, session, EARN_CHANNELS_SETTING, _channels_json(new.channels),
                        default=_channels_json(old.channels))  # fmt: skip
    return new
