"""How often the scheduler syncs marketplace shops (an app setting)."""

from __future__ import annotations

from sqlmodel import Session

from primedist.core.messages import msg
from primedist.domain.enums import Module
from primedist.errors import ValidationError
from primedist.services.app_settings import get_setting, put_setting
from primedist.services.context import ServiceContext

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
