"""How often the scheduler syncs marketplace shops (an app setting), and when each shop
was last synced and is synced next (Settings → Sync schedule)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from primedist.core.clock import as_utc
from primedist.core.messages import msg
from primedist.domain.enums import Module, ShopStatus
from primedist.errors import ValidationError
from primedist.services.app_settings import get_setting, put_setting
from primedist.services.channels import ChannelShop, list_channel_shops
from primedist.services.context import ServiceContext

log = logging.getLogger(__name__)

SYNC_INTERVAL_KEY = "sync.interval_minutes"
DEFAULT_SYNC_INTERVAL = 10
#: Shopee allows a few thousand calls a day per shop: faster than every 2 minutes spends
#: the quota on empty windows; slower than a day leaves orders unconfirmed too long.
MIN_SYNC_INTERVAL, MAX_SYNC_INTERVAL = 2, 24 * 60


def sync_interval_minutes(session: Session) -> int:
    """Minutes between two pulls of each shop's orders (default 10)."""
    value = get_setting(session, SYNC_INTERVAL_KEY, DEFAULT_SYNC_INTERVAL)
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_SYNC_INTERVAL  # a hand-edited value never stops the scheduler
    return min(max(value, MIN_SYNC_INTERVAL), MAX_SYNC_INTERVAL)


def set_sync_interval(ctx: ServiceContext, minutes: int) -> int:
    """Store the sync interval (audited); out-of-range values are refused."""
    ctx.require(Module.SETTINGS)
    if isinstance(minutes, bool) or not MIN_SYNC_INTERVAL <= minutes <= MAX_SYNC_INTERVAL:
        raise ValidationError(
            msg(
                "The sync interval must be {least} to {most} minutes (got {minutes}).",
                least=MIN_SYNC_INTERVAL,
                most=MAX_SYNC_INTERVAL,
                minutes=minutes,
            ),
            field="sync_interval",
        )
    with ctx.uow() as session:
        if get_setting(session, SYNC_INTERVAL_KEY) != minutes:
            put_setting(ctx, session, SYNC_INTERVAL_KEY, minutes,
                        default=DEFAULT_SYNC_INTERVAL)  # fmt: skip
    return minutes


def get_sync_interval(ctx: ServiceContext) -> int:
    """The stored interval, for the Settings page."""
    ctx.require(Module.SETTINGS)
    with ctx.uow() as session:
        return sync_interval_minutes(session)


# When each shop is synced next --------------------------------------------------------
#: {shop id: the next run of its pull job} of this process's scheduler (`jobs.sync`
#: registers it when it adds its jobs; None: no scheduler runs in this process).
_planner: Callable[[], dict[int, datetime]] | None = None
_planner_guard = threading.Lock()


def set_sync_planner(planner: Callable[[], dict[int, datetime]] | None) -> None:
    """The scheduler's pull plan, read by `sync_plan` (None: no scheduler any more)."""
    global _planner
    with _planner_guard:
        _planner = planner


def _planned() -> dict[int, datetime]:
    with _planner_guard:
        planner = _planner
    if planner is None:
        return {}
    try:
        return planner()
    except Exception:  # a scheduler shutting down: the estimate will do
        log.debug("the scheduler's plan could not be read", exc_info=True)
        return {}


@dataclass(frozen=True)
class PlannedSync:
    """A marketplace shop as Settings → Sync schedule shows it: the shop (its status and
    last sync) and when the scheduler syncs it next (None: it does not, the shop being
    not linked, disconnected or waiting to be authorised again)."""

    shop: ChannelShop
    next_at: datetime | None


def sync_plan(ctx: ServiceContext) -> list[PlannedSync]:
    """Each marketplace shop, when it was last synced, and when it is synced next: the
    run this PC's scheduler has planned (a daily limit reached: once it resets); without
    one (the app not running its jobs here), the last sync plus the interval."""
    ctx.require(Module.SETTINGS)
    with ctx.uow() as session:
        minutes = sync_interval_minutes(session)
    planned, now = _planned(), ctx.clock.now()
    plan = []
    for shop in list_channel_shops(ctx):
        next_at = None
        if shop.linked and not shop.needs_reauth and shop.status == ShopStatus.ACTIVE:
            next_at = planned.get(shop.id)
            if next_at is None:
                last = shop.last_sync_at
                next_at = now if last is None else max(now, last + timedelta(minutes=minutes))
            next_at = as_utc(next_at).astimezone(UTC)
            if shop.paused_until is not None and shop.paused_until > next_at:
                next_at = shop.paused_until  # the runs before it call nothing
        plan.append(PlannedSync(shop, next_at))
    return plan
