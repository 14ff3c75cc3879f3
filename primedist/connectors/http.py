"""The request/retry loop the marketplace connectors share.

Each connector keeps its own signing and its own reading of the platform's answers
(which error code is a rate limit, a dead token, a refusal...); what is the same
everywhere lives here: retrying transient failures with exponential backoff and full
jitter (at least the Retry-After the platform asked for), and turning httpx's
timeouts and dropped connections into `Unreachable` (a `TransientError`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx

from primedist.connectors.base import ConnectorError, RateLimited, TransientError, Unreachable
from primedist.core.messages import Message, msg
from primedist.core.security import redact

T = TypeVar("T")


def full_jitter(
    attempt: int, exc: TransientError, *, base: float, cap: float, rng: random.Random
) -> float:
    """Full jitter: uniform(0, min(cap, base * 2**attempt)), at least Retry-After (capped)."""
    ceiling = min(cap, base * 2**attempt)
    delay = rng.uniform(0, ceiling)
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        delay = max(delay, min(exc.retry_after, cap))
    return delay


def send_with_retries(
    send: Callable[[], T],
    *,
    attempts: int,
    backoff_base: float,
    backoff_max: float,
    sleep: Callable[[float], None],
    rng: random.Random,
    retry_on: Callable[[TransientError], bool] | None = None,
) -> T:
    """`send()`'s result, calling it again after a backoff while it raises a
    `TransientError` that `retry_on` accepts (all by default), `attempts` calls at
    most. Any other error, and the last transient one, is raised as it is."""
    attempt = 0
    while True:
        try:
            return send()
        except TransientError as exc:
            attempt += 1
            if attempt >= attempts or (retry_on is not None and not retry_on(exc)):
                raise
            sleep(full_jitter(attempt, exc, base=backoff_base, cap=backoff_max, rng=rng))


#: A request that got no answer, in words the UI translates. The outbox keeps an action's
#: last message as plain English: the Sync panel reads these back with `reread`.
NO_ANSWER = msg("{platform} did not answer within {seconds} s ({path}).")
CANNOT_REACH = msg("Cannot reach {platform} at {url}: {reason}.")
UNANSWERED = (NO_ANSWER, CANNOT_REACH)


def unreachable(
    exc: httpx.TransportError, *, platform: str, host: str, timeout: float, path: str
) -> Unreachable:
    """The `Unreachable` for a request that got no answer (timed out or the
    connection failed); the reason is redacted as it may quote the URL's secrets."""
    if isinstance(exc, httpx.TimeoutException):
        seconds = f"{timeout:g}"  # a str: "0.3" stays as it is in every language
        return Unreachable(
            Message(NO_ANSWER.template, {"platform": platform, "seconds": seconds, "path": path})
        )
    reason = redact(str(exc) or type(exc).__name__).rstrip(".")  # one full stop, ours
    return Unreachable(
        Message(CANNOT_REACH.template, {"platform": platform, "url": host, "reason": reason})
    )


def answer_object(data: dict[str, Any], key: str, platform: str, path: str) -> dict[str, Any]:
    """The platform's `key` object of an answer (Shopee's "response", the others' "data")."""
    payload = data.get(key)
    if not isinstance(payload, dict):
        raise ConnectorError(f"{platform} answered without a {key} object ({path}).")
    return payload


def answer_rows(data: dict[str, Any], key: str, platform: str, path: str) -> list[dict[str, Any]]:
    """The list of objects under `key` (missing = empty); anything else is a broken answer."""
    rows = data.get(key) or []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ConnectorError(f"{platform}'s {key} is not a list of objects ({path}).")
    return rows


#: Longest text kept of each kind of field an answer carries (longer is cut).
CLIP = {"name": 120, "phone": 32, "address": 255, "place": 120, "carrier": 60,
        "reason": 255, "sku": 64, "product": 255, "variant": 120, "tracking": 64}  # fmt: skip


def whole_number(value: Any, default: int | None = None, *, name: str = "a number") -> int:
    """An answer's integer field (`default` when missing); ValueError naming it otherwise."""
    if value is None or value == "":
        if default is None:
            raise ValueError(f"{name} is missing")
        return default
    if isinstance(value, bool):
        raise ValueError(f"{name} is not a whole number: {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is not a whole number: {value!r}") from None


def clip(value: Any, kind: str) -> str | None:
    """The text stripped and cut to the column's length (`CLIP`); None when empty."""
    text = str(value).strip() if value is not None else ""
    return text[: CLIP[kind]] or None


def is_masked(value: Any) -> bool:
    """Whether the platform hid the value (buyer data shown as `84*******89`)."""
    return isinstance(value, str) and "*" in value


def redacted(data: dict[str, Any]) -> str:
    """An answer for a log or message: no token fields, secrets redacted, 300 characters."""
    return redact(str({k: v for k, v in data.items() if "token" not in k}))[:300]


def check_window(since: datetime, until: datetime, longest: timedelta, platform: str) -> None:
    """Refuse a naive, empty or too long time window before any call is made."""
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("the window's times must be aware (UTC)")
    if until <= since:
        raise ValueError("the window must end after it starts")
    if until - since > longest:
        raise ValueError(f"{platform} windows are at most {longest.days} days long")
