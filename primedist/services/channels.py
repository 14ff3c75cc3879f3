"""Sales channels: linking marketplace shops to the app, and the secrets that link them.

Adding a Shopee store stores its app's partner id and key (the key encrypted), makes the
signed authorisation link, and trades the code of the redirect for the shop's tokens
(encrypted in `shop_credentials`). Disconnecting removes the tokens and keeps the shop's
orders; re-authorising runs the same link-and-code steps for the same marketplace shop.

The sync engine and the outbox get a shop's connector from `shop_connector`: its
`ShopTokenStore` saves every rotated token pair durably before the connector uses it.

Partner credentials live in app_settings (`channels.partner.<shop id>`), so no schema
change was needed: `{"partner_id": "2001887", "partner_key_enc": "<Fernet token>"}`.
Plain secrets never reach a log or an audit row.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from primedist.connectors import connector_for, supported_channels
from primedist.connectors.base import (
    AuthError,
    Connector,
    ConnectorConfig,
    ConnectorError,
    MemoryTokenStore,
    TokenPair,
)
from primedist.core.security import SecretBox, redact, secret_box
from primedist.domain.enums import Channel, Module, ShopStatus
from primedist.domain.settings import AppSetting
from primedist.domain.shop import Shop, ShopCredential
from primedist.domain.sync import SyncCheckpoint
from primedist.errors import Conflict, NotFound, StoreError, ValidationError
from primedist.services.app_settings import get_setting, put_setting
from primedist.services.context import ServiceContext
from primedist.services.oauth_redirect import parse_shop_id

if TYPE_CHECKING:
    from primedist.services.sync import SyncReport

log = logging.getLogger(__name__)

#: app_settings key of a shop's partner id and encrypted partner key.
PARTNER_SETTING = "channels.partner.{shop_id}"
#: app_settings key of what the platform said about the shop when it was linked.
REMOTE_SETTING = "channels.remote.{shop_id}"
#: The SyncCheckpoint resource whose last success is the shop's "last sync".
ORDERS_RESOURCE = "orders"
MAX_NAME = 120
MAX_PARTNER_KEY = 256
MIN_PARTNER_KEY = 8
_LOOPBACK_NAMES = ("localhost",)
#: Linking is interactive: the user waits, so fail fast (one retry) instead of backing off.
INTERACTIVE: dict[str, Any] = {"max_attempts": 2, "backoff_base": 0.2, "backoff_max": 1.0}


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class ChannelShop:
    """A marketplace shop as Settings → Sales channels shows it (nothing secret)."""

    id: int
    name: str
    channel: Channel
    status: ShopStatus
    external_shop_id: str | None
    api_host: str | None
    partner_id: str | None
    #: Tokens are stored (the shop was authorised and not disconnected since).
    linked: bool
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    last_sync_at: datetime | None
    last_error: str | None
    #: The daily API limit was reached: no calls before this time.
    paused_until: datetime | None
    #: The seller must authorise again (revoked, or the authorisation has run out).
    needs_reauth: bool
    #: The shop's name on the marketplace, and when the seller's authorisation of the
    #: app ends (Shopee: 365 days after authorising), as the platform said when linking.
    remote_name: str | None = None
    auth_expires_at: datetime | None = None

    @property
    def authorised_until(self) -> datetime | None:
        """When re-authorising becomes necessary at the latest (None: not linked)."""
        if not self.linked:
            return None
        ends = [t for t in (self.auth_expires_at, self.refresh_expires_at) if t is not None]
        return min(ends) if ends else None

    @property
    def linkable(self) -> bool:
        """The channel has a connector (the app can link shops of it)."""
        return self.channel in supported_channels()

    @property
    def can_authorise(self) -> bool:
        """A partner id/key is stored and the channel has a connector."""
        return self.partner_id is not None and self.linkable


@dataclass(frozen=True)
class PartnerCredentials:
    partner_id: str
    partner_key: str

    def __repr__(self) -> str:
        return f"PartnerCredentials(partner_id={self.partner_id!r}, partner_key=***)"


# --------------------------------------------------------------------------- secrets


def shop_secret_box(ctx: ServiceContext) -> SecretBox:
    """The data dir's SecretBox (key in the OS keyring or a 0600 file, never the DB)."""
    if ctx.settings is None:
        raise StoreError("No data directory: the encryption key for shop secrets has no home.")
    try:
        return secret_box(ctx.settings.secret_key_path)
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"The encryption key for shop secrets cannot be used ({type(exc).__name__}): "
            f"check {ctx.settings.secret_key_path}."
        ) from exc


def _decrypt(box: SecretBox, token: str, what: str, shop_name: str) -> str:
    try:
        return box.decrypt(token)
    except ValueError:
        raise AuthError(
            f"The stored {what} of {shop_name} cannot be decrypted (the encryption key "
            "changed): add the partner key again and re-authorise the shop."
        ) from None


def _partner_key_name(shop_id: int) -> str:
    return PARTNER_SETTING.format(shop_id=shop_id)


def _load_partner(session: Session, box: SecretBox, shop: Shop) -> PartnerCredentials | None:
    value = get_setting(session, _partner_key_name(_id(shop)))
    if not isinstance(value, dict) or not value.get("partner_id"):
        return None
    key = _decrypt(box, str(value.get("partner_key_enc", "")), "partner key", shop.name)
    return PartnerCredentials(str(value["partner_id"]), key)


def _store_partner(
    ctx: ServiceContext, session: Session, shop_id: int, partner: PartnerCredentials
) -> None:
    """Write the partner id and encrypted key (no audit of the value: it is secret)."""
    box = shop_secret_box(ctx)
    key = _partner_key_name(shop_id)
    row = session.get(AppSetting, key) or AppSetting(key=key, value_json="null")
    row.value_json = json.dumps(
        {"partner_id": partner.partner_id, "partner_key_enc": box.encrypt(partner.partner_key)}
    )
    row.updated_by_id = ctx.actor.id
    row.updated_at = ctx.clock.now()
    session.add(row)


# --------------------------------------------------------------------------- validation


def clean_shop_name(name: str) -> str:
    value = " ".join((name or "").split())
    if not value:
        raise ValidationError("The shop needs a name.", field="name")
    if len(value) > MAX_NAME:
        raise ValidationError(
            f"The shop name is {len(value)} characters; at most {MAX_NAME}.", field="name"
        )
    return value


def clean_partner(partner_id: str | int, partner_key: str) -> PartnerCredentials:
    """A partner id (a positive whole number) and key (printable, no spaces)."""
    pid = str(partner_id).strip()
    if not pid.isdigit() or int(pid) <= 0 or len(pid) > 19:
        raise ValidationError(
            f"The partner id {pid[:30]!r} is not a positive whole number "
            "(Shopee Open Platform → App list → Partner ID).",
            field="partner_id",
        )
    key = (partner_key or "").strip()
    if not key:
        raise ValidationError("The partner key is empty.", field="partner_key")
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        raise ValidationError(
            "The partner key has spaces or characters that are not plain letters and digits: "
            "copy it again from the Shopee Open Platform console.",
            field="partner_key",
        )
    if not MIN_PARTNER_KEY <= len(key) <= MAX_PARTNER_KEY:
        raise ValidationError(
            f"The partner key is {len(key)} characters; a Shopee key is much longer "
            f"({MIN_PARTNER_KEY}-{MAX_PARTNER_KEY}).",
            field="partner_key",
        )
    return PartnerCredentials(str(int(pid)), key)


def clean_api_host(url: str | None) -> str | None:
    """An API base URL (None/empty = the platform's live host).

    https is required, except on this computer (the sandbox): tokens travel in the query.
    """
    value = (url or "").strip().rstrip("/")
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"The API host {value[:80]!r} is not an http(s) address such as "
            "https://partner.shopeemobile.com.",
            field="api_host",
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(
            "The API host must be a plain address without query, fragment or password.",
            field="api_host",
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ValidationError(
            f"The API host {value[:80]!r} has a bad port.", field="api_host"
        ) from None
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValidationError(
            "The API host must use https (plain http is only allowed on this computer, "
            "for the sandbox).",
            field="api_host",
        )
    return value


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --------------------------------------------------------------------------- reading


def list_channel_shops(ctx: ServiceContext) -> list[ChannelShop]:
    """Every marketplace shop with its link status, last sync and token expiry, by name."""
    ctx.require(Module.SETTINGS)
    marketplaces = [c.value for c in Channel if c.is_marketplace]
    with ctx.uow() as session:
        shops = session.exec(
            select(Shop)
            .where(col(Shop.channel).in_(marketplaces))
            .order_by(col(Shop.name), col(Shop.id))
        ).all()
        return [_channel_shop(ctx, session, s) for s in shops]


def channel_shop(ctx: ServiceContext, shop_id: int) -> ChannelShop:
    ctx.require(Module.SETTINGS)
    with ctx.uow() as session:
        return _channel_shop(ctx, session, _marketplace_shop(session, shop_id))


def shop_id_by_name(ctx: ServiceContext, name: str) -> int:
    """The marketplace shop called `name` (NotFound lists the names there are)."""
    ctx.require(Module.SETTINGS)
    wanted = " ".join((name or "").split())
    with ctx.uow() as session:
        rows = session.exec(select(Shop.id, Shop.name, Shop.channel)).all()
    for shop_id, shop_name, channel in rows:
        if shop_name == wanted and Channel(channel).is_marketplace:
            return int(shop_id or 0)
    names = sorted(n for _i, n, c in rows if Channel(c).is_marketplace)
    known = ", ".join(names) if names else "none yet"
    raise NotFound(f"No marketplace shop is called {wanted!r} (there are: {known}).")


def _channel_shop(ctx: ServiceContext, session: Session, shop: Shop) -> ChannelShop:
    shop_id = _id(shop)
    cred = session.get(ShopCredential, shop_id)
    checkpoint = session.get(SyncCheckpoint, (shop_id, ORDERS_RESOURCE))
    linked = cred is not None and bool(cred.refresh_token_enc)
    refresh_expires = _aware(cred.refresh_expires_at) if cred else None
    remote = get_setting(session, REMOTE_SETTING.format(shop_id=shop_id))
    remote = remote if isinstance(remote, dict) else {}
    auth_expires = _parse_time(remote.get("auth_expires_at"))
    now = ctx.clock.now()
    expired = linked and any(t is not None and t <= now for t in (refresh_expires, auth_expires))
    status = ShopStatus(shop.status)
    return ChannelShop(
        id=shop_id,
        name=shop.name,
        channel=Channel(shop.channel),
        status=status,
        external_shop_id=shop.external_shop_id,
        api_host=shop.api_host,
        partner_id=_stored_partner_id(session, shop_id),
        linked=linked,
        access_expires_at=_aware(cred.access_expires_at) if cred else None,
        refresh_expires_at=refresh_expires,
        last_sync_at=_aware(checkpoint.last_success_at) if checkpoint else None,
        last_error=checkpoint.last_error if checkpoint else None,
        paused_until=_aware(checkpoint.paused_until) if checkpoint else None,
        needs_reauth=status == ShopStatus.NEEDS_REAUTH or expired,
        remote_name=remote.get("name"),
        auth_expires_at=auth_expires,
    )


# --------------------------------------------------------------------------- adding


def add_shopee_shop(
    ctx: ServiceContext,
    *,
    name: str,
    partner_id: str | int,
    partner_key: str,
    api_host: str | None = None,
) -> int:
    """Add a Shopee store (not linked until authorised); returns its shop id.

    A Shopee shop of that name that is not linked yet (e.g. made by an order import, or
    disconnected) gets the partner credentials instead of a duplicate.
    """
    ctx.require(Module.SETTINGS)
    clean_name = clean_shop_name(name)
    partner = clean_partner(partner_id, partner_key)
    host = clean_api_host(api_host)
    now = ctx.clock.now()
    with ctx.uow() as session:
        shop = session.exec(select(Shop).where(Shop.name == clean_name)).first()
        if shop is None:
            shop = Shop(
                name=clean_name,
                channel=Channel.SHOPEE,
                status=ShopStatus.NOT_LINKED,
                api_host=host,
                created_at=now,
            )
            session.add(shop)
            session.flush()
            action = "shop.add"
        else:
            _check_reusable(session, shop)
            shop.api_host = host
            session.add(shop)
            action = "shop.set_partner"
        _store_partner(ctx, session, _id(shop), partner)
        ctx.audit(
            session,
            action,
            entity_type="shop",
            entity_id=shop.id,
            summary=f"{clean_name} (Shopee, partner {partner.partner_id})",
            after={"name": clean_name, "partner_id": partner.partner_id, "api_host": host},
        )
        return _id(shop)


def set_partner(
    ctx: ServiceContext,
    shop_id: int,
    *,
    partner_id: str | int,
    partner_key: str,
    api_host: str | None = None,
) -> ChannelShop:
    """Replace a shop's partner id/key and API host (a linked shop stays linked: the tokens
    belong to the shop, the key to the app; a key from another app needs re-authorising)."""
    ctx.require(Module.SETTINGS)
    partner = clean_partner(partner_id, partner_key)
    host = clean_api_host(api_host)
    with ctx.uow() as session:
        shop = _marketplace_shop(session, shop_id)
        if Channel(shop.channel) not in supported_channels():
            raise ValidationError(
                f"{shop.name}: {Channel(shop.channel).value} cannot be linked yet."
            )
        before = {"partner_id": _stored_partner_id(session, shop_id), "api_host": shop.api_host}
        shop.api_host = host
        session.add(shop)
        _store_partner(ctx, session, shop_id, partner)
        ctx.audit(
            session,
            "shop.set_partner",
            entity_type="shop",
            entity_id=shop_id,
            summary=f"{shop.name}: partner {partner.partner_id}",
            before=before,
            after={"partner_id": partner.partner_id, "api_host": host},
        )
    return channel_shop(ctx, shop_id)


def _stored_partner_id(session: Session, shop_id: int) -> str | None:
    value = get_setting(session, _partner_key_name(shop_id))
    return str(value["partner_id"]) if isinstance(value, dict) and "partner_id" in value else None


def _check_reusable(session: Session, shop: Shop) -> None:
    if Channel(shop.channel) != Channel.SHOPEE:
        raise Conflict(
            f"A {Channel(shop.channel).value} shop is already called {shop.name!r}: "
            "choose another name.",
        )
    if session.get(ShopCredential, _id(shop)) is not None:
        raise Conflict(
            f"{shop.name} is already connected: use Re-authorise, or Disconnect it first."
        )


# --------------------------------------------------------------------------- linking


def authorization_link(ctx: ServiceContext, shop_id: int, redirect_url: str) -> str:
    """The signed link the seller opens to authorise the app for this shop (valid ~5 min)."""
    ctx.require(Module.SETTINGS)
    redirect = (redirect_url or "").strip()
    if urlsplit(redirect).scheme not in ("http", "https"):
        raise ValidationError(
            f"The redirect address {redirect[:80]!r} is not an http(s) URL.", field="redirect"
        )
    connector = _app_connector(ctx, shop_id)
    try:
        return connector.authorization_url(redirect)
    finally:
        connector.close()


def authorize_shop(
    ctx: ServiceContext, shop_id: int, code: str, external_shop_id: str | int
) -> ChannelShop:
    """Trade the redirect's one-time code for the shop's tokens and store them encrypted.

    Refuses, before spending the code, a marketplace shop that is not this shop's (when
    re-authorising) or that another shop here is already linked to.
    """
    ctx.require(Module.SETTINGS)
    ext = str(parse_shop_id(str(external_shop_id)))
    clean_code = (code or "").strip()
    if not clean_code or not clean_code.isascii() or not clean_code.isalnum():
        raise ValidationError("The authorisation code is empty or malformed.", field="code")
    with ctx.uow() as session:
        shop = _marketplace_shop(session, shop_id)
        _check_external_id(session, shop, ext)
    connector = _app_connector(ctx, shop_id)
    try:
        tokens = connector.exchange_code(clean_code, ext)
    finally:
        connector.close()
    try:
        with ctx.uow() as session:
            shop = _marketplace_shop(session, shop_id)
            _check_external_id(session, shop, ext)
            was = ShopStatus(shop.status)
            shop.external_shop_id = ext
            shop.status = ShopStatus.ACTIVE
            shop.is_active = True
            session.add(shop)
            _write_tokens(ctx, session, shop, tokens)
            stale = session.get(AppSetting, REMOTE_SETTING.format(shop_id=shop_id))
            if stale is not None:  # the old authorisation's end no longer applies
                session.delete(stale)
            ctx.audit(
                session,
                "shop.authorize",
                entity_type="shop",
                entity_id=shop_id,
                summary=f"{shop.name} linked to {Channel(shop.channel).value} shop {ext}",
                before={"status": was.value},
                after={"status": ShopStatus.ACTIVE.value, "external_shop_id": ext},
            )
    except IntegrityError:  # another writer linked the same marketplace shop meanwhile
        raise Conflict(f"Marketplace shop {ext} is already linked to another shop.") from None
    _record_remote_info(ctx, shop_id)
    return channel_shop(ctx, shop_id)


def _record_remote_info(ctx: ServiceContext, shop_id: int) -> None:
    """Ask the platform for the shop's name and authorisation expiry, right after linking.

    Best effort: the shop is linked either way. Through the stored tokens (not a copy), so
    a refresh on the way is saved like any other.
    """
    try:
        connector = shop_connector(ctx, shop_id, **INTERACTIVE)
        try:
            info = connector.shop_info()
        finally:
            connector.close()
    except ConnectorError as exc:
        log.warning("shop %s linked; its shop info is not available: %s", shop_id,
                    redact(exc.user_message))  # fmt: skip
        return
    value = {
        "name": info.name or None,
        "auth_expires_at": info.auth_expires_at.isoformat() if info.auth_expires_at else None,
    }
    with ctx.uow() as session:
        put_setting(ctx, session, REMOTE_SETTING.format(shop_id=shop_id), value)


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return _aware(datetime.fromisoformat(value))
    except ValueError:
        return None


def _check_external_id(session: Session, shop: Shop, ext: str) -> None:
    if shop.external_shop_id and shop.external_shop_id != ext:
        raise Conflict(
            f"This authorisation is for {Channel(shop.channel).value} shop {ext}, but "
            f"{shop.name} is shop {shop.external_shop_id}: sign in as that shop and try again "
            "(or add the other shop under its own name)."
        )
    other = session.exec(
        select(Shop.name).where(
            Shop.channel == shop.channel, Shop.external_shop_id == ext, Shop.id != shop.id
        )
    ).first()
    if other is not None:
        raise Conflict(f"{Channel(shop.channel).value} shop {ext} is already linked as {other}.")


def disconnect_shop(ctx: ServiceContext, shop_id: int) -> ChannelShop:
    """Remove the shop's tokens (its orders, products and partner key stay)."""
    ctx.require(Module.SETTINGS)
    with ctx.uow() as session:
        shop = _marketplace_shop(session, shop_id)
        cred = session.get(ShopCredential, shop_id)
        if cred is not None:
            session.delete(cred)
        was = ShopStatus(shop.status)
        shop.status = ShopStatus.DISCONNECTED
        session.add(shop)
        ctx.audit(
            session,
            "shop.disconnect",
            entity_type="shop",
            entity_id=shop_id,
            summary=f"{shop.name} disconnected (tokens removed, orders kept)",
            before={"status": was.value},
            after={"status": ShopStatus.DISCONNECTED.value},
        )
    return channel_shop(ctx, shop_id)


def sync_now(ctx: ServiceContext, shop_id: int) -> SyncReport:
    """Pull the shop's changed orders now (the engine's sync; never raises for network or
    platform trouble: the report says what happened)."""
    ctx.require(Module.SETTINGS)
    from primedist.services.sync import sync_shop

    with ctx.uow() as session:
        _marketplace_shop(session, shop_id)
    return sync_shop(ctx, shop_id)


def mark_needs_reauth(ctx: ServiceContext, session: Session, shop_id: int, reason: str) -> None:
    """Flag the shop for re-authorisation in the caller's unit of work (auth errors)."""
    shop = session.get(Shop, shop_id)
    if shop is None or ShopStatus(shop.status) == ShopStatus.DISCONNECTED:
        return
    if ShopStatus(shop.status) != ShopStatus.NEEDS_REAUTH:
        shop.status = ShopStatus.NEEDS_REAUTH
        session.add(shop)
        ctx.audit(
            session,
            "shop.needs_reauth",
            entity_type="shop",
            entity_id=shop_id,
            summary=f"{shop.name} needs re-authorisation: {redact(reason)[:200]}",
        )


# --------------------------------------------------------------------------- connectors


class ShopTokenStore:
    """A shop's token pair, encrypted in `shop_credentials` (the connector's TokenStore).

    `save` commits at once in its own transaction: a rotated refresh token is the only
    valid one, so it must be on disk before the connector uses the new access token.
    """

    def __init__(self, ctx: ServiceContext, shop_id: int) -> None:
        self.ctx = ctx
        self.shop_id = shop_id
        self._lock = threading.Lock()

    def load(self) -> TokenPair | None:
        with self.ctx.uow() as session:
            shop = session.get(Shop, self.shop_id)
            cred = session.get(ShopCredential, self.shop_id)
            if shop is None or cred is None or not cred.refresh_token_enc:
                return None
            box = shop_secret_box(self.ctx)
            access = _decrypt(box, cred.access_token_enc or "", "access token", shop.name)
            refresh = _decrypt(box, cred.refresh_token_enc, "refresh token", shop.name)
            expires = _aware(cred.access_expires_at) or datetime.min.replace(tzinfo=UTC)
            return TokenPair(
                access_token=access,
                refresh_token=refresh,
                access_expires_at=expires,
                refresh_expires_at=_aware(cred.refresh_expires_at),
                shop_external_id=shop.external_shop_id or "",
            )

    def save(self, tokens: TokenPair) -> None:
        with self._lock, self.ctx.uow() as session:
            shop = session.get(Shop, self.shop_id)
            if shop is None or ShopStatus(shop.status) == ShopStatus.DISCONNECTED:
                # Disconnected meanwhile: the user wants no tokens kept.
                raise AuthError(f"Shop {self.shop_id} was disconnected; tokens not kept.")
            _write_tokens(self.ctx, session, shop, tokens)
            if ShopStatus(shop.status) == ShopStatus.NEEDS_REAUTH:
                shop.status = ShopStatus.ACTIVE
                session.add(shop)


def shop_connector(ctx: ServiceContext, shop_id: int, **config: Any) -> Connector:
    """A connector bound to the shop, its partner app and its encrypted token store.

    `config` overrides ConnectorConfig fields (timeouts, retries). Raises AuthError when
    the shop has no partner credentials or is not linked to a marketplace shop.
    """
    with ctx.uow() as session:
        shop = _marketplace_shop(session, shop_id)
        partner = _load_partner(session, shop_secret_box(ctx), shop)
        if partner is None:
            raise AuthError(f"{shop.name} has no partner id/key: add them in Sales channels.")
        if not shop.external_shop_id:
            raise AuthError(f"{shop.name} is not linked yet: authorise it in Sales channels.")
        cfg = ConnectorConfig(
            partner_id=partner.partner_id,
            partner_key=partner.partner_key,
            api_host=shop.api_host,
            shop_external_id=shop.external_shop_id,
            **config,
        )
        channel = Channel(shop.channel)
    return connector_for(channel, cfg, ShopTokenStore(ctx, shop_id), clock=ctx.clock)


def _app_connector(ctx: ServiceContext, shop_id: int) -> Connector:
    """A connector for app-level calls (the link, code → tokens): no shop tokens."""
    with ctx.uow() as session:
        shop = _marketplace_shop(session, shop_id)
        channel = Channel(shop.channel)
        if channel not in supported_channels():
            raise ValidationError(f"{shop.name}: {channel.value} cannot be linked yet.")
        partner = _load_partner(session, shop_secret_box(ctx), shop)
        if partner is None:
            raise ValidationError(
                f"{shop.name} has no partner id/key yet: add them first.", field="partner_id"
            )
        cfg = ConnectorConfig(
            partner_id=partner.partner_id,
            partner_key=partner.partner_key,
            api_host=shop.api_host,
            **INTERACTIVE,
        )
    return connector_for(channel, cfg, MemoryTokenStore(), clock=ctx.clock)


# --------------------------------------------------------------------------- helpers


def _write_tokens(ctx: ServiceContext, session: Session, shop: Shop, tokens: TokenPair) -> None:
    box = shop_secret_box(ctx)
    cred = session.get(ShopCredential, _id(shop)) or ShopCredential(shop_id=shop.id)
    cred.access_token_enc = box.encrypt(tokens.access_token)
    cred.refresh_token_enc = box.encrypt(tokens.refresh_token)
    cred.access_expires_at = tokens.access_expires_at
    cred.refresh_expires_at = tokens.refresh_expires_at
    cred.updated_at = ctx.clock.now()
    session.add(cred)


def _marketplace_shop(session: Session, shop_id: int) -> Shop:
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFound(f"Shop {shop_id} does not exist.")
    if not Channel(shop.channel).is_marketplace:
        raise ValidationError(f"{shop.name} is not a marketplace shop: it has nothing to link.")
    return shop


def _id(shop: Shop) -> int:
    assert shop.id is not None
    return shop.id


def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; they were stored as UTC."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
