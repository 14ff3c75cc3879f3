"""Injectable clock and shop time-zone conversions; stored times are aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TZ = "Asia/Ho_Chi_Minh"

_LANGS = frozenset({"vi", "en"})


class Clock(Protocol):
    """Source of the current time, injected so tests can control it."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...


def _require_aware(dt: datetime) -> datetime:
    """Reject naive datetimes: their zone would be a guess."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt.isoformat()} has no time zone")
    return dt


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to, for tests and replays."""

    def __init__(self, dt: datetime) -> None:
        """Start the clock at an aware datetime."""
        self._now = _require_aware(dt).astimezone(UTC)

    def now(self) -> datetime:
        """Return the frozen time in UTC."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (or back, with a negative delta)."""
        self._now += delta

    def set(self, dt: datetime) -> None:
        """Jump to an aware datetime."""
        self._now = _require_aware(dt).astimezone(UTC)


def as_utc(dt: datetime) -> datetime:
    """A time read from the database as UTC (SQLite hands back naive UTC datetimes)."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def shop_tz(name: str | None = None) -> ZoneInfo:
    """Return the shop's time zone, defaulting to Asia/Ho_Chi_Minh when unset."""
    key = name.strip() if name else ""
    try:
        return ZoneInfo(key or DEFAULT_TZ)
    # ZoneInfo raises ValueError for malformed keys such as absolute paths.
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def to_local(dt_utc: datetime, tz: tzinfo) -> datetime:
    """Convert an aware datetime to the shop's local time."""
    return _require_aware(dt_utc).astimezone(tz)


def to_utc(dt: datetime, tz: tzinfo) -> datetime:
    """Convert to aware UTC; a naive datetime is taken as local time in ``tz``."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(UTC)


def local_day_bounds_utc(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Return the UTC [start, end) of a local calendar day, for range queries."""
    start = datetime.combine(day, time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _check_lang(lang: str) -> None:
    """Reject languages the UI does not offer."""
    if lang.replace("-", "_").split("_", 1)[0].lower() not in _LANGS:
        raise ValueError(f"unsupported language {lang!r}")


def format_date(value: date | datetime, lang: str = "vi", tz: tzinfo | None = None) -> str:
    """Format as ``29/12/2021``; an aware datetime is first shown in ``tz`` (default shop zone)."""
    _check_lang(lang)  # both languages use day/month/year, as the shop does
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(tz or shop_tz())
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def format_datetime(dt_utc: datetime, tz: tzinfo, lang: str = "vi") -> str:
    """Format an aware datetime in local time as ``29/12/2021 14:05``."""
    local = to_local(dt_utc, tz)
    return f"{format_date(local, lang, tz)} {local.hour:02d}:{local.minute:02d}"
