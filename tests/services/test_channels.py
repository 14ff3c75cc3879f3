"""Sales channels: adding a Shopee store, its encrypted secrets, status, disconnect, and
(at the end) linking it over real HTTP against the Shopee sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors.base import AuthError, ConnectorError, TokenPair, TransientError
from primedist.core.security import redact
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, Role, ShopStatus
from primedist.domain.settings import AppSetting
from primedist.domain.shop import Shop, ShopCredential
from primedist.domain.sync import SyncCheckpoint
from primedist.errors import Conflict, NotFound, PermissionDenied, ValidationError
from primedist.sandbox.shopee import (
    DEMO_PARTNER_ID,
    DEMO_PARTNER_KEY,
    DEMO_SHOP_ID,
    SandboxConfig,
    ShopeeSandbox,
)
from primedist.services import channels
from primedist.services.context import Actor, ServiceContext
from primedist.services.oauth_redirect import RedirectListener
from tests.factories import make_shop

KEY = "shpk4d6f5a6b4c6f4e6c6e6a78784f6f"


def add(ctx: ServiceContext, name: str = "Prime Shopee", **kw: object) -> int:
    args: dict[str, object] = {"partner_id": "2001887", "partner_key": KEY, **kw}
    return channels.add_shopee_shop(ctx, name=name, **args)  # type: ignore[arg-type]


def raw(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def pair(ctx: ServiceContext, *, hours: int = 4, days: int = 30, shop: str = "555") -> TokenPair:
    now = ctx.clock.now()
    return TokenPair(
        access_token="access-token-0001",
        refresh_token="refresh-token-0001",
        access_expires_at=now + timedelta(hours=hours),
        refresh_expires_at=now + timedelta(days=days),
        shop_external_id=shop,
    )


def link(ctx: ServiceContext, shop_id: int, ext: str = "555") -> None:
    """Mark the shop linked as authorize_shop leaves it (the HTTP part is tested elsewhere)."""
    with ctx.engine.begin() as conn:
        conn.execute(
            sa.update(Shop.__table__)  # type: ignore[attr-defined]
            .where(sa.column("id") == shop_id)
            .values(external_shop_id=ext, status=ShopStatus.ACTIVE.value)
        )
    channels.ShopTokenStore(ctx, shop_id).save(pair(ctx, shop=ext))


def test_add_stores_the_partner_key_encrypted_and_lists_the_shop(
    owner_ctx: ServiceContext,
) -> None:
    shop_id = add(owner_ctx, "  Prime   Shopee ", api_host="https://partner.shopeemobile.com/")
    (shop,) = [s for s in channels.list_channel_shops(owner_ctx) if s.id == shop_id]
    assert shop.name == "Prime Shopee"
    assert shop.channel == Channel.SHOPEE
    assert shop.status == ShopStatus.NOT_LINKED
    assert shop.partner_id == "2001887"
    assert shop.api_host == "https://partner.shopeemobile.com"
    assert not shop.linked and not shop.needs_reauth and shop.can_authorise
    assert shop.last_sync_at is None and shop.access_expires_at is None
    # The key is nowhere in the database in plain text, but decrypts back.
    (value,) = raw(owner_ctx.engine, f"SELECT value_json FROM app_settings WHERE key = "
                   f"'channels.partner.{shop_id}'")[0]  # fmt: skip
    assert KEY not in str(value) and "2001887" in str(value)
    dump = "\n".join(str(r) for r in raw(owner_ctx.engine, "SELECT * FROM audit_events"))
    assert KEY not in dump and "shop.add" in dump
    with owner_ctx.uow() as session:
        box = channels.shop_secret_box(owner_ctx)
        row = session.get(Shop, shop_id)
        assert row is not None
        partner = channels._load_partner(session, box, row)
    assert partner is not None and partner.partner_key == KEY
    assert KEY not in repr(partner)
    assert KEY not in redact(f"partner key is {KEY}")  # remembered by the box: masked in logs


def test_the_key_file_lives_in_the_data_dir_not_the_database(owner_ctx: ServiceContext) -> None:
    add(owner_ctx)
    assert owner_ctx.settings is not None
    key_file = owner_ctx.settings.secret_key_path
    assert key_file.is_file() and key_file.stat().st_mode & 0o077 == 0


BAD_INPUT: list[tuple[dict[str, str], str]] = [
    ({"name": "  "}, "needs a name"),
    ({"name": "x" * 121}, "at most 120"),
    ({"partner_id": "abc"}, "not a positive whole number"),
    ({"partner_id": "0"}, "not a positive whole number"),
    ({"partner_id": "-5"}, "not a positive whole number"),
    ({"partner_key": ""}, "partner key is empty"),
    ({"partner_key": "abc def ghi jkl"}, "spaces"),
    ({"partner_key": "khóa-bí-mật-12345"}, "spaces or characters"),
    ({"partner_key": "short"}, "5 characters"),
    ({"api_host": "ftp://partner.shopeemobile.com"}, "not an http"),
    ({"api_host": "partner.shopeemobile.com"}, "not an http"),
    ({"api_host": "http://partner.shopeemobile.com"}, "must use https"),
    ({"api_host": "https://u:p@partner.shopeemobile.com"}, "without query"),
    ({"api_host": "https://host.test?x=1"}, "without query"),
    ({"api_host": "https://host.test:99999"}, "bad port"),
    ({"api_host": "https://exa mple.com"}, "not an http"),  # a space is no host name
]


def test_bad_input_is_refused_with_the_field_named(owner_ctx: ServiceContext) -> None:
    for given, message in BAD_INPUT:
        kw = dict(given)
        name = kw.pop("name", "Prime Shopee")
        with pytest.raises(ValidationError, match=message) as err:
            add(owner_ctx, name, **kw)
        assert err.value.field in {"name", *kw}, given
    assert channels.list_channel_shops(owner_ctx) == []


def test_plain_http_is_allowed_on_this_computer_only(owner_ctx: ServiceContext) -> None:
    assert channels.clean_api_host("http://127.0.0.1:8765") == "http://127.0.0.1:8765"
    assert channels.clean_api_host("http://localhost:1/") == "http://localhost:1"
    assert channels.clean_api_host("http://[::1]:80") == "http://[::1]:80"
    assert channels.clean_api_host("") is None
    with pytest.raises(ValidationError, match="https"):
        channels.clean_api_host("http://10.0.0.5:8000")


def test_an_unlinked_shop_of_that_name_gets_the_credentials(owner_ctx: ServiceContext) -> None:
    existing = make_shop(owner_ctx.engine, "Imported Shopee", Channel.SHOPEE)
    assert add(owner_ctx, "Imported Shopee") == existing
    assert channels.channel_shop(owner_ctx, existing).partner_id == "2001887"
    make_shop(owner_ctx.engine, "Lazada One", Channel.LAZADA)
    with pytest.raises(Conflict, match=r"already a shop called .* \(lazada\)"):
        add(owner_ctx, "Lazada One")
    link(owner_ctx, existing)
    with pytest.raises(Conflict, match="already connected"):
        add(owner_ctx, "Imported Shopee")


def test_token_store_round_trip_encrypted(owner_ctx: ServiceContext) -> None:
    shop_id = add(owner_ctx)
    store = channels.ShopTokenStore(owner_ctx, shop_id)
    assert store.load() is None
    link(owner_ctx, shop_id)
    loaded = store.load()
    assert loaded == pair(owner_ctx)
    dump = str(raw(owner_ctx.engine, "SELECT * FROM shop_credentials"))
    assert "access-token-0001" not in dump and "refresh-token-0001" not in dump
    shop = channels.channel_shop(owner_ctx, shop_id)
    assert shop.linked and shop.status == ShopStatus.ACTIVE
    assert shop.access_expires_at == owner_ctx.clock.now() + timedelta(hours=4)
    assert shop.refresh_expires_at == owner_ctx.clock.now() + timedelta(days=30)


def test_a_rotated_pair_replaces_the_old_one_and_clears_needs_reauth(
    owner_ctx: ServiceContext,
) -> None:
    shop_id = add(owner_ctx)
    link(owner_ctx, shop_id)
    with owner_ctx.uow() as session:
        channels.mark_needs_reauth(owner_ctx, session, shop_id, "refresh_token_expired")
    assert channels.channel_shop(owner_ctx, shop_id).needs_reauth
    rotated = TokenPair("access-token-0002", "refresh-token-0002",
                        owner_ctx.clock.now() + timedelta(hours=4), None, "555")  # fmt: skip
    store = channels.ShopTokenStore(owner_ctx, shop_id)
    store.save(rotated)
    assert store.load() == rotated
    shop = channels.channel_shop(owner_ctx, shop_id)
    assert shop.status == ShopStatus.ACTIVE and not shop.needs_reauth


def test_an_expired_refresh_token_means_re_authorise(owner_ctx: ServiceContext) -> None:
    shop_id = add(owner_ctx)
    link(owner_ctx, shop_id)
    channels.ShopTokenStore(owner_ctx, shop_id).save(pair(owner_ctx, hours=-5, days=-1))
    shop = channels.channel_shop(owner_ctx, shop_id)
    assert shop.needs_reauth and shop.status == ShopStatus.ACTIVE


def test_disconnect_removes_the_tokens_and_keeps_orders_and_partner(
    owner_ctx: ServiceContext,
) -> None:
    shop_id = add(owner_ctx)
    link(owner_ctx, shop_id)
    shop = channels.disconnect_shop(owner_ctx, shop_id)
    assert shop.status == ShopStatus.DISCONNECTED and not shop.linked
    assert shop.partner_id == "2001887" and shop.external_shop_id == "555"
    with owner_ctx.uow() as session:
        assert session.get(ShopCredential, shop_id) is None
        assert session.get(Shop, shop_id) is not None
    assert channels.ShopTokenStore(owner_ctx, shop_id).load() is None
    # A refresh finishing after the disconnect must not bring the tokens back.
    with pytest.raises(AuthError, match="disconnected"):
        channels.ShopTokenStore(owner_ctx, shop_id).save(pair(owner_ctx))
    assert channels.ShopTokenStore(owner_ctx, shop_id).load() is None
    actions = raw(owner_ctx.engine, "SELECT action FROM audit_events ORDER BY id")
    assert ("shop.disconnect",) in actions
    # Marking a disconnected shop is a no-op (nothing to re-authorise).
    with owner_ctx.uow() as session:
        channels.mark_needs_reauth(owner_ctx, session, shop_id, "x")
    assert channels.channel_shop(owner_ctx, shop_id).status == ShopStatus.DISCONNECTED


def test_last_sync_comes_from_the_orders_checkpoint(owner_ctx: ServiceContext) -> None:
    shop_id = add(owner_ctx)
    when = owner_ctx.clock.now() - timedelta(minutes=7)
    with owner_ctx.uow() as session:
        session.add(
            SyncCheckpoint(
                shop_id=shop_id,
                resource=channels.ORDERS_RESOURCE,
                last_success_at=when,
                last_error="Too many requests",
            )
        )
    shop = channels.channel_shop(owner_ctx, shop_id)
    assert shop.last_sync_at == when and shop.last_error == "Too many requests"


def test_connector_needs_partner_and_link(owner_ctx: ServiceContext) -> None:
    bare = make_shop(owner_ctx.engine, "Bare Shopee", Channel.SHOPEE)
    with pytest.raises(AuthError, match="no partner id/key"):
        channels.shop_connector(owner_ctx, bare)
    shop_id = add(owner_ctx)
    with pytest.raises(AuthError, match="not linked yet"):
        channels.shop_connector(owner_ctx, shop_id)
    with pytest.raises(ValidationError, match="no partner id/key yet"):
        channels.authorization_link(owner_ctx, bare, "http://127.0.0.1:1/cb")


def test_a_changed_encryption_key_asks_for_the_key_again(owner_ctx: ServiceContext) -> None:
    shop_id = add(owner_ctx)
    link(owner_ctx, shop_id)
    with owner_ctx.engine.begin() as conn:  # as if the key file had been replaced
        conn.execute(sa.update(ShopCredential.__table__).values(  # type: ignore[attr-defined]
            access_token_enc="gAAAAA-not-ours", refresh_token_enc="gAAAAA-not-ours"))  # fmt: skip
    with pytest.raises(AuthError, match="cannot be decrypted"):
        channels.ShopTokenStore(owner_ctx, shop_id).load()


def test_names_offline_shops_and_permission(owner_ctx: ServiceContext) -> None:
    shop_id = add(owner_ctx)
    assert channels.shop_id_by_name(owner_ctx, " Prime  Shopee") == shop_id
    with pytest.raises(NotFound, match="there are: Prime Shopee"):
        channels.shop_id_by_name(owner_ctx, "Nope")
    counter = make_shop(owner_ctx.engine, "Counter", Channel.OFFLINE)
    with pytest.raises(ValidationError, match="not a marketplace shop"):
        channels.disconnect_shop(owner_ctx, counter)
    assert all(s.channel.is_marketplace for s in channels.list_channel_shops(owner_ctx))
    with pytest.raises(NotFound):
        channels.channel_shop(owner_ctx, 9999)
    staff = owner_ctx.with_actor(
        Actor(
            id=None,
            name="Lan",
            email="lan@x.vn",
            role=Role.STAFF,
            modules=frozenset({Module.ORDERS}),
        )  # fmt: skip
    )
    for call in (
        lambda: channels.list_channel_shops(staff),
        lambda: add(staff, "Other"),
        lambda: channels.disconnect_shop(staff, shop_id),
        lambda: channels.authorization_link(staff, shop_id, "http://127.0.0.1:1/cb"),
        lambda: channels.authorize_shop(staff, shop_id, "abc", "555"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_audit_rows_never_hold_secrets(owner_ctx: ServiceContext) -> None:
    shop_id = add(owner_ctx)
    link(owner_ctx, shop_id)
    channels.disconnect_shop(owner_ctx, shop_id)
    with owner_ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(table_of(AuditEvent).c.summary, table_of(AuditEvent).c.after_json)
        ).all()
        settings_rows = conn.execute(sa.select(table_of(AppSetting).c.value_json)).all()
    text = str(rows) + str(settings_rows)
    for secret in (KEY, "access-token-0001", "refresh-token-0001"):
        assert secret not in text


# --------------------------------------------------------------------------- over real HTTP


@pytest.fixture
def sandbox(ctx: ServiceContext) -> Iterator[ShopeeSandbox]:
    """The Shopee sandbox on 127.0.0.1, on the test's clock."""
    with ShopeeSandbox(SandboxConfig(orders=50), clock=ctx.clock) as running:
        yield running


def add_for(ctx: ServiceContext, box: ShopeeSandbox, name: str = "Sandbox Shopee") -> int:
    return channels.add_shopee_shop(ctx, name=name, partner_id=DEMO_PARTNER_ID,
                                    partner_key=DEMO_PARTNER_KEY, api_host=box.url)  # fmt: skip


def test_link_through_the_browser_redirect_and_use_the_tokens(
    owner_ctx: ServiceContext, sandbox: ShopeeSandbox
) -> None:
    shop_id = add_for(owner_ctx, sandbox)
    with RedirectListener() as listener:
        link = channels.authorization_link(owner_ctx, shop_id, listener.url)
        # The "browser": the sandbox approves at once and redirects to our listener.
        page = httpx.get(link, follow_redirects=True, timeout=10)
        assert page.status_code == 200 and "close this tab" in page.text
        redirect = listener.wait(5)
    assert redirect.shop_id == DEMO_SHOP_ID
    shop = channels.authorize_shop(owner_ctx, shop_id, redirect.code, redirect.shop_id)
    assert shop.status == ShopStatus.ACTIVE and shop.linked and not shop.needs_reauth
    assert shop.external_shop_id == str(DEMO_SHOP_ID)
    assert shop.access_expires_at == owner_ctx.clock.now() + timedelta(hours=4)
    # What the platform says about the shop is kept: its name and the authorisation's end.
    assert shop.remote_name == "Prime Sandbox Shop"
    assert shop.auth_expires_at == owner_ctx.clock.now() + timedelta(days=365)
    assert shop.authorised_until == shop.refresh_expires_at  # the nearer of the two
    # What the platform says about the shop is kept: its name and the authorisation's end.
    assert shop.remote_name == "Prime Sandbox Shop"
    assert shop.auth_expires_at == owner_ctx.clock.now() + timedelta(days=365)
    assert shop.authorised_until == shop.refresh_expires_at  # the nearer of the two
    connector = channels.shop_connector(owner_ctx, shop_id)
    try:
        assert connector.shop_info().name == "Prime Sandbox Shop"
    finally:
        connector.close()
    actions = [r[0] for r in raw(owner_ctx.engine, "SELECT action FROM audit_events")]
    assert "shop.authorize" in actions


def test_a_spent_or_wrong_code_changes_nothing(
    owner_ctx: ServiceContext, sandbox: ShopeeSandbox
) -> None:
    shop_id = add_for(owner_ctx, sandbox)
    code = sandbox.authorize()
    channels.authorize_shop(owner_ctx, shop_id, code, DEMO_SHOP_ID)
    stored = channels.ShopTokenStore(owner_ctx, shop_id).load()
    with pytest.raises(AuthError):  # single use
        channels.authorize_shop(owner_ctx, shop_id, code, DEMO_SHOP_ID)
    with pytest.raises(AuthError):
        channels.authorize_shop(owner_ctx, shop_id, "deadbeef", DEMO_SHOP_ID)
    assert channels.ShopTokenStore(owner_ctx, shop_id).load() == stored


def test_another_marketplace_shop_is_refused_before_the_code_is_spent(
    owner_ctx: ServiceContext, sandbox: ShopeeSandbox
) -> None:
    shop_id = add_for(owner_ctx, sandbox)
    first = channels.authorize_shop(owner_ctx, shop_id, sandbox.authorize(), DEMO_SHOP_ID)
    assert first.auth_expires_at is not None
    code = sandbox.authorize()
    with pytest.raises(Conflict, match=f"is shop {DEMO_SHOP_ID}"):
        channels.authorize_shop(owner_ctx, shop_id, code, 777)
    other = add_for(owner_ctx, sandbox, "Second Shopee")
    with pytest.raises(Conflict, match="already linked as Sandbox Shopee"):
        channels.authorize_shop(owner_ctx, other, code, DEMO_SHOP_ID)
    # The code was not spent: re-authorising the right shop with it still works.
    channels.disconnect_shop(owner_ctx, shop_id)
    sandbox.inject("http_500", count=4, path="/api/v2/shop/get_shop_info")
    shop = channels.authorize_shop(owner_ctx, shop_id, code, DEMO_SHOP_ID)
    assert shop.linked and shop.status == ShopStatus.ACTIVE
    # Linked even though the shop info failed; the first link's expiry was dropped with it.
    assert shop.auth_expires_at is None and shop.remote_name is None


def test_rotation_saves_the_new_pair_and_kills_the_old(
    owner_ctx: ServiceContext, sandbox: ShopeeSandbox
) -> None:
    shop_id = add_for(owner_ctx, sandbox)
    channels.authorize_shop(owner_ctx, shop_id, sandbox.authorize(), DEMO_SHOP_ID)
    store = channels.ShopTokenStore(owner_ctx, shop_id)
    old = store.load()
    assert old is not None
    sandbox.expire_access_tokens()
    connector = channels.shop_connector(owner_ctx, shop_id)
    try:
        assert connector.shop_info().external_id == str(DEMO_SHOP_ID)  # refreshed on the way
    finally:
        connector.close()
    new = store.load()
    assert new is not None and new.refresh_token != old.refresh_token
    assert sandbox.live_refresh_tokens() == 1  # only the rotated one lives
    replay = channels._app_connector(owner_ctx, shop_id)
    try:
        with pytest.raises(AuthError):
            replay.refresh_tokens(old)
    finally:
        replay.close()


def test_a_wrong_partner_key_or_a_dead_host_is_said_plainly(
    owner_ctx: ServiceContext, sandbox: ShopeeSandbox
) -> None:
    wrong = channels.add_shopee_shop(
        owner_ctx, name="Wrong Key", partner_id=DEMO_PARTNER_ID,
        partner_key="shpk-not-the-key", api_host=sandbox.url,
    )  # fmt: skip
    with pytest.raises(ConnectorError) as err:
        channels.authorize_shop(owner_ctx, wrong, sandbox.authorize(), DEMO_SHOP_ID)
    assert "shpk-not-the-key" not in err.value.user_message
    dead = add_for(owner_ctx, sandbox, "Dead Host")
    moved = channels.set_partner(
        owner_ctx, dead, partner_id=DEMO_PARTNER_ID, partner_key=DEMO_PARTNER_KEY,
        api_host="http://127.0.0.1:9",
    )  # fmt: skip
    assert moved.api_host == "http://127.0.0.1:9"
    with pytest.raises(TransientError):
        channels.authorize_shop(owner_ctx, dead, sandbox.authorize(), DEMO_SHOP_ID)
    for shop_id in (wrong, dead):
        shop = channels.channel_shop(owner_ctx, shop_id)
        assert not shop.linked and shop.status == ShopStatus.NOT_LINKED
