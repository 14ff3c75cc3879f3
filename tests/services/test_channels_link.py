"""Linking a store of each marketplace (Shopee, Lazada, TikTok Shop, Tiki) over real HTTP,
against its sandbox on 127.0.0.1: add the store with the app's credentials, open the
authorisation link in a "browser" (httpx following the sandbox's redirect back to our
loopback listener), trade the code, and sync. Shopee's redirect names the shop; the
others' shop comes from the tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from primedist.connectors.base import AuthError, ConnectorError
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, ShopStatus
from primedist.errors import Conflict
from primedist.services import channels
from primedist.services.context import ServiceContext
from primedist.services.oauth_redirect import RedirectListener


@dataclass(frozen=True)
class Platform:
    """One marketplace's sandbox and the credentials it accepts."""

    channel: Channel
    start: Callable[[ServiceContext], AbstractContextManager[Any]]
    app_id: str
    app_secret: str
    shop_id: str
    shop_name: str


def _shopee(ctx: ServiceContext) -> AbstractContextManager[Any]:
    from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox

    return ShopeeSandbox(SandboxConfig(orders=30, history_days=5), clock=ctx.clock)


def _lazada(ctx: ServiceContext) -> AbstractContextManager[Any]:
    from primedist.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig

    return LazadaSandbox(LazadaSandboxConfig(orders=30, history_days=5), clock=ctx.clock)


def _tiki(ctx: ServiceContext) -> AbstractContextManager[Any]:
    from primedist.sandbox.tiki import TikiSandbox, TikiSandboxConfig

    return TikiSandbox(TikiSandboxConfig(orders=30, history_days=5), clock=ctx.clock)


def _tiktok(ctx: ServiceContext) -> AbstractContextManager[Any]:
    from primedist.sandbox.tiktok import TikTokSandbox, TikTokSandboxConfig

    return TikTokSandbox(TikTokSandboxConfig(orders=30, history_days=5), clock=ctx.clock)


def _platforms() -> list[Platform]:
    from primedist.sandbox import lazada, shopee, tiki, tiktok

    return [
        Platform(Channel.SHOPEE, _shopee, str(shopee.DEMO_PARTNER_ID), shopee.DEMO_PARTNER_KEY,
                 str(shopee.DEMO_SHOP_ID), "Prime Sandbox Shop"),
        Platform(Channel.LAZADA, _lazada, lazada.DEMO_APP_KEY, lazada.DEMO_APP_SECRET,
                 str(lazada.DEMO_SELLER_ID), "Prime Lazada Sandbox"),
        Platform(Channel.TIKTOK, _tiktok, tiktok.DEMO_APP_KEY, tiktok.DEMO_APP_SECRET,
                 tiktok.DEMO_SHOP_ID, "Prime Sandbox TikTok Shop"),
        Platform(Channel.TIKI, _tiki, tiki.DEMO_CLIENT_ID, tiki.DEMO_CLIENT_SECRET,
                 tiki.DEMO_SELLER_ID, "Prime Sandbox Tiki"),
    ]  # fmt: skip


PLATFORMS = _platforms()


@pytest.fixture(params=PLATFORMS, ids=[p.channel.value for p in PLATFORMS])
def platform(request: pytest.FixtureRequest) -> Platform:
    value: Platform = request.param
    return value


@pytest.fixture
def sandbox(platform: Platform, ctx: ServiceContext) -> Iterator[Any]:
    with platform.start(ctx) as running:
        yield running


def add(ctx: ServiceContext, platform: Platform, sandbox: Any, name: str) -> int:
    return channels.add_shop(ctx, platform.channel, name=name, app_id=platform.app_id,
                             app_secret=platform.app_secret, api_host=sandbox.url)  # fmt: skip


def browse_and_link(ctx: ServiceContext, shop_id: int) -> channels.ChannelShop:
    """The seller's round trip: open the link, come back to the listener, trade the code."""
    app = channels.channel_shop(ctx, shop_id).app
    with RedirectListener(shop_id_required=app.shop_id_in_redirect) as listener:
        link = channels.authorization_link(ctx, shop_id, listener.url)
        page = httpx.get(link, follow_redirects=True, timeout=10)
        assert page.status_code == 200 and "close this tab" in page.text
        redirect = listener.wait(5)
    return channels.authorize_shop(ctx, shop_id, redirect.code, redirect.shop_id)


def test_link_through_the_browser_then_sync(
    owner_ctx: ServiceContext, platform: Platform, sandbox: Any
) -> None:
    shop_id = add(owner_ctx, platform, sandbox, f"My {platform.channel.value}")
    shop = browse_and_link(owner_ctx, shop_id)
    assert shop.status == ShopStatus.ACTIVE and shop.linked and not shop.needs_reauth
    assert shop.external_shop_id == platform.shop_id  # from the redirect or the tokens
    assert shop.remote_name == platform.shop_name  # asked for right after linking
    assert shop.access_expires_at is not None and shop.access_expires_at > owner_ctx.clock.now()
    report = channels.sync_now(owner_ctx, shop_id)
    assert report.outcome == "ok", report.summary()
    assert report.fetched == 30 and report.inserted == 30
    assert channels.channel_shop(owner_ctx, shop_id).last_sync_at is not None


def test_a_spent_code_or_another_shops_authorisation_changes_nothing(
    owner_ctx: ServiceContext, platform: Platform, sandbox: Any
) -> None:
    first = add(owner_ctx, platform, sandbox, "First")
    code = sandbox.authorize()
    channels.authorize_shop(owner_ctx, first, code, _redirect_shop(platform))
    stored = channels.ShopTokenStore(owner_ctx, first).load()
    with pytest.raises(AuthError):  # single use
        channels.authorize_shop(owner_ctx, first, code, _redirect_shop(platform))
    assert channels.ShopTokenStore(owner_ctx, first).load() == stored
    # A second store here authorised for the same marketplace shop: refused, nothing kept.
    second = add(owner_ctx, platform, sandbox, "Second")
    with pytest.raises(Conflict, match=f"shop {platform.shop_id} is already linked as First"):
        channels.authorize_shop(owner_ctx, second, sandbox.authorize(), _redirect_shop(platform))
    refused = channels.channel_shop(owner_ctx, second)
    assert not refused.linked and refused.external_shop_id is None
    assert refused.status == ShopStatus.NOT_LINKED


def test_a_wrong_secret_is_refused_without_showing_it(
    owner_ctx: ServiceContext, platform: Platform, sandbox: Any
) -> None:
    wrong = channels.add_shop(owner_ctx, platform.channel, name="Wrong", app_id=platform.app_id,
                              app_secret="not-the-secret-0000", api_host=sandbox.url)  # fmt: skip
    with pytest.raises(ConnectorError) as err:
        channels.authorize_shop(owner_ctx, wrong, sandbox.authorize(), _redirect_shop(platform))
    assert "not-the-secret-0000" not in err.value.user_message
    assert not channels.channel_shop(owner_ctx, wrong).linked


def test_a_refresh_on_the_way_is_stored(
    owner_ctx: ServiceContext, platform: Platform, sandbox: Any, clock: FixedClock
) -> None:
    shop_id = add(owner_ctx, platform, sandbox, "Refreshing")
    browse_and_link(owner_ctx, shop_id)
    old = channels.ShopTokenStore(owner_ctx, shop_id).load()
    assert old is not None
    clock.advance(old.access_expires_at - clock.now() + timedelta(minutes=1))
    connector = channels.shop_connector(owner_ctx, shop_id)
    try:
        assert connector.shop_info().external_id == platform.shop_id
    finally:
        connector.close()
    new = channels.ShopTokenStore(owner_ctx, shop_id).load()
    assert new is not None and new.access_token != old.access_token
    assert new.access_expires_at > owner_ctx.clock.now()


def _redirect_shop(platform: Platform) -> str | None:
    """The shop id the redirect carries (Shopee's only)."""
    return platform.shop_id if platform.channel == Channel.SHOPEE else None


def test_a_lazada_refresh_keeps_the_deadline_and_the_shop_is_flagged_before_it(
    owner_ctx: ServiceContext, ctx: ServiceContext, clock: FixedClock
) -> None:
    from primedist.sandbox.lazada import DEMO_APP_KEY, DEMO_APP_SECRET

    lazada = next(p for p in PLATFORMS if p.channel == Channel.LAZADA)
    with lazada.start(ctx) as sandbox:
        shop_id = channels.add_shop(owner_ctx, Channel.LAZADA, name="Lazada VN",
                                    app_id=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET,
                                    api_host=sandbox.url)  # fmt: skip
        linked = browse_and_link(owner_ctx, shop_id)
        deadline = linked.refresh_expires_at
        assert deadline == clock.now() + timedelta(days=30)  # the sandbox's refresh life
        assert not linked.reauth_soon(clock.now())
        clock.advance(timedelta(days=24))  # past the 7-day access token: refreshed on the way
        report = channels.sync_now(owner_ctx, shop_id)
        assert report.outcome == "ok", report.summary()
        shop = channels.channel_shop(owner_ctx, shop_id)
        assert shop.access_expires_at is not None and shop.access_expires_at > clock.now()
        assert shop.refresh_expires_at == deadline  # refreshing did not move it
        assert [s.name for s in channels.shops_to_reauthorise(owner_ctx)] == ["Lazada VN"]
        # Authorising again is what moves the deadline.
        again = browse_and_link(owner_ctx, shop_id)
        assert again.refresh_expires_at == clock.now() + timedelta(days=30)
        assert channels.shops_to_reauthorise(owner_ctx) == []
