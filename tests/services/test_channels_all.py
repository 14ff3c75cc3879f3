"""Sales channels for every marketplace: each channel's credential names and rules, the
shop id taken from the token response, Lazada's fixed refresh deadline and the warning
before it (the linking over real HTTP per channel is in test_channels_link_*.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from primedist.connectors.base import ConnectorError, TokenPair
from primedist.core.clock import FixedClock
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, ShopStatus
from primedist.domain.settings import AppSetting
from primedist.domain.shop import Shop
from primedist.errors import Conflict, ValidationError
from primedist.services import channels
from primedist.services.context import ServiceContext
from primedist.services.oauth_redirect import (
    AuthRedirect,
    RedirectListener,
    parse_redirect_url,
)
from tests.factories import make_shop

LAZADA_SECRET = "lzd0Secret0Of0The0App00000000000"
TIKTOK_SECRET = "tts-secret-e59af819cc"
TIKI_SECRET = "xNTZVvEn5WwA_esLe_laIWlXyISGjTfO"


def link(ctx: ServiceContext, shop_id: int, ext: str, *, refresh_days: float) -> TokenPair:
    """Mark the shop linked with a pair whose refresh token ends in `refresh_days`."""
    with ctx.engine.begin() as conn:
        conn.execute(
            sa.update(table_of(Shop))
            .where(table_of(Shop).c.id == shop_id)
            .values(external_shop_id=ext, status=ShopStatus.ACTIVE.value)
        )
    now = ctx.clock.now()
    tokens = TokenPair("access-1", "refresh-1", now + timedelta(days=7),
                       now + timedelta(days=refresh_days), ext)  # fmt: skip
    channels.ShopTokenStore(ctx, shop_id).save(tokens)
    return tokens


# --------------------------------------------------------------------------- adding


@pytest.mark.parametrize(
    ("channel", "app_id", "secret", "summary"),
    [
        (Channel.LAZADA, " 0123456 ", LAZADA_SECRET, "Lazada, app key 123456"),
        (Channel.TIKTOK, "29a39d", TIKTOK_SECRET, "TikTok Shop, app key 29a39d"),
        (Channel.TIKI, "e5edc0e43g3zb6c3", TIKI_SECRET, "Tiki, client id e5edc0e43g3zb6c3"),
    ],
)
def test_each_channel_stores_its_app_credentials(
    owner_ctx: ServiceContext, channel: Channel, app_id: str, secret: str, summary: str
) -> None:
    shop_id = channels.add_shop(owner_ctx, channel, name=f"Prime {channel.value}",
                                app_id=app_id, app_secret=secret)  # fmt: skip
    shop = channels.channel_shop(owner_ctx, shop_id)
    assert (shop.channel, shop.status, shop.linked) == (channel, ShopStatus.NOT_LINKED, False)
    assert shop.partner_id == app_id.strip().lstrip("0")
    assert shop.api_host is None  # the live host of the connector
    with owner_ctx.engine.connect() as conn:
        audit = conn.execute(sa.select(table_of(AuditEvent).c.summary)).scalars().all()
        stored = conn.execute(sa.select(table_of(AppSetting).c.value_json)).scalars().all()
    assert f"Prime {channel.value} ({summary})" in audit
    assert secret not in str(audit) + str(stored)  # encrypted, never audited
    with owner_ctx.uow() as session:
        row = session.get(Shop, shop_id)
        assert row is not None
        loaded = channels._load_partner(session, channels.shop_secret_box(owner_ctx), row)
    assert loaded is not None and loaded.partner_key == secret


def test_each_channel_names_its_own_credentials_when_they_are_wrong(
    owner_ctx: ServiceContext,
) -> None:
    def refused(channel: Channel, app_id: str, secret: str) -> ValidationError:
        with pytest.raises(ValidationError) as err:
            channels.add_shop(owner_ctx, channel, name="X", app_id=app_id, app_secret=secret)
        return err.value

    lazada = refused(Channel.LAZADA, "12ab", LAZADA_SECRET)
    assert lazada.field == "partner_id"
    assert "The app key '12ab' is not a positive whole number" in lazada.user_message
    assert "Lazada Open Platform" in lazada.user_message
    tiki = refused(Channel.TIKI, "e5ed c0", TIKI_SECRET)
    assert "The client id 'e5ed c0' has characters other than letters, digits" in tiki.user_message
    assert refused(Channel.TIKTOK, "", TIKTOK_SECRET).user_message == "The app key is empty."
    short = refused(Channel.TIKI, "e5edc0", "short")
    assert (
        short.field == "partner_key" and "The client secret is 5 characters" in short.user_message
    )
    spaced = refused(Channel.LAZADA, "123456", "has a space inside")
    assert "The app secret has spaces" in spaced.user_message
    offline = refused(Channel.OFFLINE, "1", LAZADA_SECRET)
    assert offline.field == "channel" and "not a marketplace" in offline.user_message
    host = pytest.raises(
        ValidationError, channels.add_shop, owner_ctx, Channel.LAZADA, name="X",
        app_id="123456", app_secret=LAZADA_SECRET, api_host="ftp://x",
    )  # fmt: skip
    assert "such as https://api.lazada.vn/rest" in host.value.user_message
    assert not channels.list_channel_shops(owner_ctx)  # nothing half-added


def test_a_name_taken_by_another_channel_is_refused_and_an_unlinked_one_reused(
    owner_ctx: ServiceContext,
) -> None:
    shopee = channels.add_shopee_shop(owner_ctx, name="Prime", partner_id="2001887",
                                      partner_key="shpk" + "ab" * 20)  # fmt: skip
    with pytest.raises(Conflict, match=r"There is already a shop called 'Prime' \(shopee\)"):
        channels.add_shop(owner_ctx, Channel.LAZADA, name="Prime", app_id="123456",
                          app_secret=LAZADA_SECRET)  # fmt: skip
    imported = make_shop(owner_ctx.engine, "Lazada Imported", Channel.LAZADA)
    again = channels.add_shop(owner_ctx, Channel.LAZADA, name="Lazada Imported",
                              app_id="123456", app_secret=LAZADA_SECRET)  # fmt: skip
    assert again == imported  # the shop made by an order import gets the credentials
    assert channels.channel_shop(owner_ctx, imported).partner_id == "123456"
    assert {s.id for s in channels.list_channel_shops(owner_ctx)} == {shopee, imported}


def test_set_partner_checks_with_the_shops_channel(owner_ctx: ServiceContext) -> None:
    shop_id = channels.add_shop(owner_ctx, Channel.TIKI, name="Tiki", app_id="e5edc0",
                                app_secret=TIKI_SECRET)  # fmt: skip
    with pytest.raises(ValidationError, match="client id"):
        channels.set_partner(owner_ctx, shop_id, partner_id="a+b", partner_key=TIKI_SECRET)
    shop = channels.set_partner(owner_ctx, shop_id, partner_id="f00d", partner_key=TIKI_SECRET,
                                api_host="https://api-sandbox.tiki.vn/")  # fmt: skip
    assert (shop.partner_id, shop.api_host) == ("f00d", "https://api-sandbox.tiki.vn")


# --------------------------------------------------------------------------- authorising


def test_shopee_needs_the_redirects_shop_id_and_bad_codes_are_refused_first(
    owner_ctx: ServiceContext,
) -> None:
    # The API host is a dead port: any HTTP call would fail with a TransientError instead.
    shopee = channels.add_shopee_shop(owner_ctx, name="S", partner_id="2001887",
                                      partner_key="shpk" + "ab" * 20,
                                      api_host="http://127.0.0.1:9")  # fmt: skip
    with pytest.raises(ValidationError, match=r"names the shop \(shop_id=…\)") as err:
        channels.authorize_shop(owner_ctx, shopee, "abc123", None)
    assert err.value.field == "shop_id"
    for code in ("", "with space", "ü", "x" * 300, "a&b"):
        with pytest.raises(ValidationError, match="authorisation code is empty or malformed"):
            channels.authorize_shop(owner_ctx, shopee, code, "555")
    with pytest.raises(ValidationError, match="not a positive whole number"):
        channels.authorize_shop(owner_ctx, shopee, "abc", "12x")


def test_a_token_shop_id_is_checked_like_a_redirect_one() -> None:
    app = channels.channel_app(Channel.LAZADA)
    pair = TokenPair("a", "r", datetime.now(UTC), None, "1000123456")
    assert channels._token_shop_id(app, pair, None) == "1000123456"
    with pytest.raises(ConnectorError, match="did not say which shop"):
        channels._token_shop_id(app, TokenPair("a", "r", pair.access_expires_at, None, " "),
                                None)  # fmt: skip
    with pytest.raises(ConnectorError, match="which is not a shop id"):
        channels._token_shop_id(app, TokenPair("a", "r", pair.access_expires_at, None,
                                               "1 OR 1=1"), None)  # fmt: skip
    with pytest.raises(Conflict, match="gave tokens for shop 1000123456, not for shop 77"):
        channels._token_shop_id(app, pair, "77")


# --------------------------------------------------------------------------- the redirect


def test_redirects_without_a_shop_id_and_codes_with_underscores() -> None:
    lazada = "http://127.0.0.1:5/auth/x?code=0_123456_2DL4DV3jcU1UOT7WGI1A4rY91"
    assert parse_redirect_url(lazada, shop_id_required=False) == AuthRedirect(
        "0_123456_2DL4DV3jcU1UOT7WGI1A4rY91", None
    )
    with pytest.raises(ValidationError, match="no shop id"):
        parse_redirect_url(lazada)  # Shopee's redirects must name the shop
    tiktok = "https://x.example/cb?app_key=29a39d&auth_code=ROW_abc-DEF.1&state=s"
    assert parse_redirect_url(tiktok, shop_id_required=False).code == "ROW_abc-DEF.1"
    with pytest.raises(ValidationError, match="malformed"):
        parse_redirect_url("?code=a%20b", shop_id_required=False)


def test_the_listener_takes_a_redirect_without_a_shop_id() -> None:
    import httpx

    with RedirectListener(shop_id_required=False) as listener:
        page = httpx.get(f"{listener.url}?code=0_55_abc&state=1", timeout=5)
        assert page.status_code == 200
        assert listener.wait(1) == AuthRedirect("0_55_abc", None)


# --------------------------------------------------------------------------- Lazada's deadline


def test_a_lazada_refresh_cannot_push_the_refresh_deadline_back(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    lazada = channels.add_shop(owner_ctx, Channel.LAZADA, name="Lazada", app_id="123456",
                               app_secret=LAZADA_SECRET)  # fmt: skip
    shopee = channels.add_shopee_shop(owner_ctx, name="Shopee", partner_id="2001887",
                                      partner_key="shpk" + "ab" * 20)  # fmt: skip
    first = link(owner_ctx, lazada, "1000123456", refresh_days=30)
    link(owner_ctx, shopee, "555", refresh_days=30)
    clock.advance(timedelta(days=10))
    now = clock.now()
    # A refresh that (wrongly or not) says the refresh token lives 30 days again.
    for shop_id, ext in ((lazada, "1000123456"), (shopee, "555")):
        channels.ShopTokenStore(owner_ctx, shop_id).save(
            TokenPair(
                "access-2", "refresh-2", now + timedelta(days=7), now + timedelta(days=30), ext
            )  # fmt: skip
        )
    stored = channels.ShopTokenStore(owner_ctx, lazada).load()
    assert stored is not None and stored.refresh_token == "refresh-2"
    assert stored.refresh_expires_at == first.refresh_expires_at  # still the first deadline
    assert channels.channel_shop(owner_ctx, shopee).refresh_expires_at == now + timedelta(days=30)
    # Re-authorising is what moves it: authorize_shop writes the new pair as it is.
    with owner_ctx.uow() as session:
        shop = session.get(Shop, lazada)
        assert shop is not None
        channels._write_tokens(owner_ctx, session, shop, TokenPair(
            "access-3", "refresh-3", now + timedelta(days=7), now + timedelta(days=30),
            "1000123456"))  # fmt: skip
    assert channels.channel_shop(owner_ctx, lazada).refresh_expires_at == now + timedelta(days=30)


def test_shops_whose_authorisation_ends_soon_are_listed_soonest_first(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    ids = {
        name: channels.add_shop(
            owner_ctx, channel, name=name, app_id=app_id, app_secret=LAZADA_SECRET
        )  # fmt: skip
        for name, channel, app_id in (
            ("Lazada A", Channel.LAZADA, "123456"),
            ("Lazada B", Channel.LAZADA, "123457"),
            ("TikTok", Channel.TIKTOK, "29a39d"),
            ("Tiki New", Channel.TIKI, "e5edc0"),
        )
    }
    link(owner_ctx, ids["Lazada A"], "1", refresh_days=20)
    link(owner_ctx, ids["Lazada B"], "2", refresh_days=9)
    link(owner_ctx, ids["TikTok"], "3", refresh_days=60)
    assert channels.shops_to_reauthorise(owner_ctx) == []
    clock.advance(timedelta(days=3))  # Lazada B: 6 days left
    assert [s.name for s in channels.shops_to_reauthorise(owner_ctx)] == ["Lazada B"]
    clock.advance(timedelta(days=11))  # Lazada A: 6 days left; B has run out
    due = channels.shops_to_reauthorise(owner_ctx)
    assert [s.name for s in due] == ["Lazada A"]
    assert channels.channel_shop(owner_ctx, ids["Lazada B"]).needs_reauth
    assert [s.name for s in channels.shops_to_reauthorise(owner_ctx, timedelta(days=50))] == [
        "Lazada A",
        "TikTok",
    ]
