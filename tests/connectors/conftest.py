"""A Shopee sandbox on 127.0.0.1 and a connector bound to it, sharing one FixedClock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from primedist.connectors.base import ConnectorConfig, MemoryTokenStore
from primedist.connectors.shopee import ShopeeConnector, sign
from primedist.core.clock import FixedClock
from primedist.sandbox import SandboxConfig, ShopeeSandbox

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


class Sleeps(list[float]):
    """Records the backoff sleeps instead of sleeping (retries stay instant)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sclock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def sandbox(sclock: FixedClock) -> Iterator[ShopeeSandbox]:
    config = SandboxConfig(orders=600, history_days=40, timeout_delay=0.6, slow_delay=0.05)
    with ShopeeSandbox(config, clock=sclock) as sb:
        yield sb


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_connector(
    sb: ShopeeSandbox,
    clock: FixedClock,
    store: MemoryTokenStore | None = None,
    sleeps: Sleeps | None = None,
    **config: Any,
) -> ShopeeConnector:
    settings: dict[str, Any] = {
        "partner_id": str(sb.config.partner_id),
        "partner_key": sb.config.partner_key,
        "api_host": sb.url,
        "shop_external_id": str(sb.config.shop_id),
        "timeout": 0.3,
        "max_attempts": 4,
    }
    settings.update(config)
    return ShopeeConnector(ConnectorConfig(**settings), store, clock=clock,
                           sleep=sleeps if sleeps is not None else Sleeps())  # fmt: skip


@pytest.fixture
def store(sandbox: ShopeeSandbox) -> MemoryTokenStore:
    return MemoryTokenStore(sandbox.linked_tokens())


@pytest.fixture
def connector(
    sandbox: ShopeeSandbox, sclock: FixedClock, store: MemoryTokenStore, sleeps: Sleeps
) -> Iterator[ShopeeConnector]:
    c = make_connector(sandbox, sclock, store, sleeps)
    yield c
    c.close()


def signed_get(
    sb: ShopeeSandbox,
    path: str,
    params: dict[str, Any],
    access_token: str | None = None,
    *,
    timestamp: int | None = None,
) -> httpx.Response:
    """A GET signed by hand (no connector), to look at the sandbox's raw answers."""
    ts = timestamp if timestamp is not None else int(sb.clock.now().timestamp())
    shop = sb.config.shop_id if access_token else None
    query: dict[str, Any] = {"partner_id": sb.config.partner_id, "timestamp": ts,
                             "sign": sign(sb.config.partner_key, sb.config.partner_id, path, ts,
                                          access_token, shop)}  # fmt: skip
    if access_token:
        query.update(access_token=access_token, shop_id=shop)
    return httpx.get(sb.url + path, params={**query, **params})
