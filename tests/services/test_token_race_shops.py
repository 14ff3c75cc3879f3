"""The app's token job and a `primedist sync` run on the same data refreshing a Shopee
shop at once (real SQLite store, real HTTP to the sandbox on 127.0.0.1): the shop must
stay active when the other process's rotation made our refresh token stale."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from primedist.connectors import token_keeper
from primedist.connectors.shopee import TOKEN_REFRESH_PATH
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, ShopStatus
from primedist.jobs import sync as sync_jobs
from primedist.sandbox.base import FaultKind
from primedist.sandbox.shopee import (
    DEMO_PARTNER_ID,
    DEMO_PARTNER_KEY,
    DEMO_SHOP_ID,
    SandboxConfig,
    ShopeeSandbox,
)
from primedist.services import channels
from primedist.services.context import ServiceContext


@pytest.fixture
def sandbox(ctx: ServiceContext) -> Iterator[ShopeeSandbox]:
    with ShopeeSandbox(SandboxConfig(orders=10, history_days=2), clock=ctx.clock) as sb:
        yield sb


@pytest.fixture
def shop_id(owner_ctx: ServiceContext, sandbox: ShopeeSandbox, clock: FixedClock) -> int:
    shop_id = channels.add_shop(owner_ctx, Channel.SHOPEE, name="Shopee A",
                                app_id=str(DEMO_PARTNER_ID), app_secret=DEMO_PARTNER_KEY,
                                api_host=sandbox.url)  # fmt: skip
    channels.authorize_shop(owner_ctx, shop_id, sandbox.authorize(), str(DEMO_SHOP_ID))
    clock.advance(timedelta(hours=5))  # the access token has expired
    return shop_id


@pytest.fixture(autouse=True)
def separate_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each refresh takes a lock nobody else holds (as in another process)."""
    monkeypatch.setattr(token_keeper, "shop_lock", lambda _host, _shop: threading.Lock())


def refresh_twice_at_once(ctx: ServiceContext, sandbox: ShopeeSandbox) -> None:
    """The token job twice, the second starting while the first one's refresh is slow."""
    sandbox.inject(FaultKind.SLOW, count=2, path=TOKEN_REFRESH_PATH, delay=0.6)
    runs = [threading.Thread(target=sync_jobs.refresh_tokens, args=(ctx,)) for _ in range(2)]
    runs[0].start()
    while sandbox.request_count(TOKEN_REFRESH_PATH) < 1:
        time.sleep(0.01)
    time.sleep(0.2)
    runs[1].start()
    for run in runs:
        run.join(10)


def test_a_shop_rotated_by_another_process_stays_active(
    owner_ctx: ServiceContext, sandbox: ShopeeSandbox, shop_id: int
) -> None:
    before = channels.ShopTokenStore(owner_ctx, shop_id).load()
    refresh_twice_at_once(owner_ctx, sandbox)
    assert sandbox.request_count(TOKEN_REFRESH_PATH) == 2  # one refused
    shop = channels.channel_shop(owner_ctx, shop_id)
    assert shop.status == ShopStatus.ACTIVE and not shop.needs_reauth
    stored = channels.ShopTokenStore(owner_ctx, shop_id).load()
    assert stored is not None and before is not None
    assert stored.refresh_token != before.refresh_token
    report = channels.sync_now(owner_ctx, shop_id)  # the stored pair works
    assert report.outcome == "ok", report.summary()
    assert sandbox.request_count(TOKEN_REFRESH_PATH) == 2


def test_a_revoked_shop_still_needs_reauthorisation(
    owner_ctx: ServiceContext, sandbox: ShopeeSandbox, shop_id: int
) -> None:
    sandbox.revoke()
    refresh_twice_at_once(owner_ctx, sandbox)
    shop = channels.channel_shop(owner_ctx, shop_id)
    assert shop.status == ShopStatus.NEEDS_REAUTH and shop.needs_reauth
