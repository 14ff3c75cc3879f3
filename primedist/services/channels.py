"""Sales channels: linking marketplace shops to the app, and the secrets that link them.

Adding a store (Shopee, Lazada, TikTok Shop or Tiki) stores its app's credentials (Shopee
partner id/key, Lazada and TikTok app key/secret, Tiki client id/secret; the secret
encrypted), makes the authorisation link, and trades the code of the redirect for the
shop's tokens (encrypted in `shop_credentials`). Shopee's redirect names the shop; the
others' do not, so their shop id comes from the token response. Disconnecting removes the
tokens and keeps the shop's orders; re-authorising runs the same link-and-code steps for
the same marketplace shop.

The sync engine and the outbox get a shop's connector from `shop_connector`: its
`ShopTokenStore` saves every rotated token pair durably before the connector uses it.

App credentials live in app_settings (`channels.partner.<shop id>`), so no schema change
was needed: `{"partner_id": "2001887", "partner_key_enc": "<Fernet token>"}` (the id and
secret under the same names for every channel). Plain secrets never reach a log or an
audit row.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import string
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from primedist.connectors import channel_capabilities, connector_for, supported_channels
from primedist.connectors.base import (
    Action,
    AuthError,
    Connector,
    ConnectorConfig,
    ConnectorError,
    MemoryTokenStore,
    TokenPair,
)
from primedist.core.clock import as_utc, format_datetime, shop_tz
from primedist.core.messages import Message, msg, stored_args
from primedist.core.security import SecretBox, redact, secret_box
from primedist.core.text import clean_line, fold
from primedist.db.product_summary import give_new_shop_low_stock_level
from primedist.domain.enums import Channel, Module, ShopStatus
from primedist.domain.settings import AppSetting
from primedist.domain.shop import Shop, ShopCredential
from primedist.domain.sync import SyncCheckpoint, SyncLogEntry
from primedist.errors import Conflict, NotFound, StoreError, ValidationError
from primedist.services.app_settings import get_setting, put_setting
from primedist.services.context import ServiceContext
from primedist.services.oauth_redirect import parse_shop_id

if TYPE_CHECKING:
    from primedist.jobs.progress import Progress
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
#: A linked shop whose authorisation ends sooner than this is flagged for re-authorising.
REAUTH_WARNING = timedelta(days=7)
MAX_APP_ID = 64
MAX_EXTERNAL_ID = 64
MAX_CODE = 256
#: Characters a URL may carry unescaped (RFC 3986 "unreserved"): what codes are made of.
_CODE_CHARS = frozenset(string.ascii_letters + string.digits + "-._~")


@dataclass(frozen=True)
class ChannelApp:
    """What linking a shop of one marketplace asks for, and how its authorisation behaves."""

    channel: Channel
    #: The names the marketplace's console gives the app's id and secret (the id's a
    #: message: the audit log names it in the reader's language).
    id_label: str
    key_label: str
    #: Where the seller finds them.
    console: str
    #: The id is a whole number (Shopee partner id, Lazada app key).
    numeric_id: bool
    #: The connector's live API host (None in the config means this one).
    live_host: str
    #: The platform's own test environment, when it has one.
    test_host: str | None
    #: The authorisation redirect names the shop (Shopee `shop_id=`); otherwise the shop
    #: id comes from the token response.
    shop_id_in_redirect: bool
    #: The id and secret named together ("app key/secret"): one message, so that a
    #: sentence naming them reads whole in the reader's language, not spliced from labels.
    credentials: str
    #: Refreshing the tokens extends the refresh token's life (Lazada's does not: its
    #: authorisation ends on a fixed date, and the seller must re-authorise before).
    refresh_extends: bool = True

    @property
    def name(self) -> str:
        return _CHANNEL_NAMES[self.channel]


_CHANNEL_NAMES = {
    Channel.SHOPEE: "Shopee",
    Channel.LAZADA: "Lazada",
    Channel.TIKTOK: "TikTok Shop",
    Channel.TIKI: "Tiki",
}

CHANNEL_APPS: dict[Channel, ChannelApp] = {
    Channel.SHOPEE: ChannelApp(
        Channel.SHOPEE, msg("partner id"), "partner key", "Shopee Open Platform → App list",
        numeric_id=True, live_host="https://partner.shopeemobile.com",
        test_host="https://openplatform.sandbox.test-stable.shopee.sg",
        shop_id_in_redirect=True, credentials=msg("partner id/key"),
    ),
    Channel.LAZADA: ChannelApp(
        Channel.LAZADA, msg("app key"), "app secret", "Lazada Open Platform → App Console",
        numeric_id=True, live_host="https://api.lazada.vn/rest", test_host=None,
        shop_id_in_redirect=False, credentials=msg("app key/secret"), refresh_extends=False,
    ),
    Channel.TIKTOK: ChannelApp(
        Channel.TIKTOK, msg("app key"), "app secret", "TikTok Shop Partner Center → App & Service",
        numeric_id=False, live_host="https://open-api.tiktokglobalshop.com", test_host=None,
        shop_id_in_redirect=False, credentials=msg("app key/secret"),
    ),
    Channel.TIKI: ChannelApp(
        Channel.TIKI, msg("client id"), "client secret", "Tiki Open API (open.tiki.vn) → My apps",
        numeric_id=False, live_host="https://api.tiki.vn",
        test_host="https://api-sandbox.tiki.vn", shop_id_in_redirect=False,
        credentials=msg("client id/secret"),
    ),
}  # fmt: skip


#: What the app can send back to a marketplace by itself, in the order Settings → Sales
#: channels names them: the rest the seller does in the channel's Seller Center.
SENT_BACK = (Action.CONFIRM, Action.CANCEL, Action.PUSH_STOCK)


def sent_back(channel: Channel | str) -> tuple[Action, ...]:
    """The order confirmations, cancellations and stock changes the app sends to `channel`
    by itself (its connector's capabilities), in SENT_BACK's order."""
    able = channel_capabilities(channel)
    return tuple(a for a in SENT_BACK if a in able)


def channel_app(channel: Channel | str) -> ChannelApp:
    """The linking rules of a marketplace (ValidationError for a channel with no shops to
    link, e.g. offline)."""
    try:
        return CHANNEL_APPS[Channel(channel)]
    except (KeyError, ValueError):
        raise ValidationError(
            msg(
                "{channel} is not a marketplace that shops can be linked to (one of: {choices}).",
                channel=repr(str(channel)[:30]),
                choices=str(", ".join(c.value for c in CHANNEL_APPS)),
            ),
            field="channel",
        ) from None


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
    def can_list_items(self) -> bool:
        """The app can read this shop's listings from its marketplace (`listing_pull`)."""
        return Action.LIST_ITEMS in channel_capabilities(self.channel)

    @property
    def can_authorise(self) -> bool:
        """A partner id/key is stored and the channel has a connector."""
        return self.partner_id is not None and self.linkable

    @property
    def app(self) -> ChannelApp:
        """The channel's linking rules (credential names, hosts, refresh behaviour)."""
        return CHANNEL_APPS[self.channel]

    def reauth_soon(self, now: datetime, within: timedelta = REAUTH_WARNING) -> bool:
        """Connected, but the authorisation ends within `within`: the seller should authorise
        again before (a Lazada refresh token dies on its date however often it is used)."""
        until = self.authorised_until
        if not self.linked or self.needs_reauth or until is None:
            return False
        return until - now < within


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
        raise StoreError(msg("No data directory: the encryption key for shop secrets has no home."))
    try:
        return secret_box(ctx.settings.secret_key_path)
    except (OSError, ValueError) as exc:
        raise StoreError(
            msg(
                "The encryption key for shop secrets cannot be used ({name}): check "
                "{secret_key_path}.",
                name=str(type(exc).__name__),
                secret_key_path=str(ctx.settings.secret_key_path),
            )
        ) from exc


def _decrypt(box: SecretBox, token: str, what: str, shop_name: str) -> str:
    try:
        return box.decrypt(token)
    except ValueError:
        raise AuthError(
            msg(
                "The stored {secret} of {shop} cannot be decrypted (the encryption key "
                "changed): enter the app's secret again and re-authorise the shop.",
                secret=what,
                shop=shop_name,
            )
        ) from None


def _partner_key_name(shop_id: int) -> str:
    return PARTNER_SETTING.format(shop_id=shop_id)


def _load_partner(session: Session, box: SecretBox, shop: Shop) -> PartnerCredentials | None:
    value = get_setting(session, _partner_key_name(_id(shop)))
    if not isinstance(value, dict) or not value.get("partner_id"):
        return None
    what = channel_app(shop.channel).key_label
    key = _decrypt(box, str(value.get("partner_key_enc", "")), what, shop.name)
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
    """The name on one line, without control or invisible characters (`clean_line`)."""
    value = clean_line(name)
    if not value:
        raise ValidationError(msg("The shop needs a name."), field="name")
    if len(value) > MAX_NAME:
        raise ValidationError(
            msg(
                "The shop name is {length} characters; at most {limit}.",
                length=str(len(value)),
                limit=str(MAX_NAME),
            ),
            field="name",
        )
    return value


def clean_partner(
    partner_id: str | int, partner_key: str, channel: Channel | str = Channel.SHOPEE
) -> PartnerCredentials:
    """An app's id and secret as the channel's console shows them: a Shopee partner id and
    Lazada app key are positive whole numbers, a TikTok app key and Tiki client id letters
    and digits (an OAuth client id may also have - . _ ~); the secret is printable without
    spaces."""
    app = channel_app(channel)
    pid = str(partner_id).strip()
    # The label goes in as its message, so it reads in the user's language ("Partner ID").
    if not pid:
        raise ValidationError(
            msg("The {id_label} is empty.", id_label=app.id_label), field="partner_id"
        )
    if app.numeric_id:
        if not pid.isdigit() or int(pid) <= 0 or len(pid) > 19:
            raise ValidationError(
                msg(
                    "The {id_label} {pid} is not a positive whole number ({console} → {id_label}).",
                    id_label=app.id_label,
                    pid=repr(pid[:30]),
                    console=str(app.console),
                ),
                field="partner_id",
            )
        pid = str(int(pid))
    elif not all(c in _CODE_CHARS for c in pid) or len(pid) > MAX_APP_ID:
        raise ValidationError(
            msg(
                "The {id_label} {pid} has characters other than letters, digits and - . _ ~ (or "
                "is over {limit} long): copy it again from {console}.",
                id_label=app.id_label,
                pid=repr(pid[:30]),
                limit=str(MAX_APP_ID),
                console=str(app.console),
            ),
            field="partner_id",
        )
    key = (partner_key or "").strip()
    if not key:
        raise ValidationError(
            msg("The {key_label} is empty.", key_label=str(app.key_label)), field="partner_key"
        )
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        raise ValidationError(
            msg(
                "The {key_label} has spaces or characters that are not plain letters and digits: "
                "copy it again from {console}.",
                key_label=str(app.key_label),
                console=str(app.console),
            ),
            field="partner_key",
        )
    if not MIN_PARTNER_KEY <= len(key) <= MAX_PARTNER_KEY:
        raise ValidationError(
            msg(
                "The {key_label} is {length} characters; a {name} {key_label} is much longer "
                "({min_partner_key}-{limit}).",
                key_label=str(app.key_label),
                length=str(len(key)),
                name=app.name,
                min_partner_key=str(MIN_PARTNER_KEY),
                limit=str(MAX_PARTNER_KEY),
            ),
            field="partner_key",
        )
    return PartnerCredentials(pid, key)


def clean_external_id(channel: Channel | str, value: str | int) -> str:
    """A marketplace's shop id: Shopee's is a positive whole number; the others' (Lazada
    seller id, TikTok shop id, Tiki seller id) printable ASCII without spaces."""
    app = channel_app(channel)
    if app.numeric_id and app.shop_id_in_redirect:
        return str(parse_shop_id(str(value)))
    text = str(value).strip()
    if not text or len(text) > MAX_EXTERNAL_ID or not all(c in _CODE_CHARS for c in text):
        raise ValidationError(
            msg(
                "The {name} shop id {text} is empty or not a plain id.",
                name=app.name,
                text=repr(text[:40]),
            ),
            field="shop_id",
        )
    return text


def clean_auth_code(code: str) -> str:
    """The redirect's one-time code (URL-safe characters: Lazada's have `_` in them)."""
    value = (code or "").strip()
    if not value or len(value) > MAX_CODE or not all(c in _CODE_CHARS for c in value):
        raise ValidationError(msg("The authorisation code is empty or malformed."), field="code")
    return value


def clean_api_host(url: str | None, channel: Channel | str = Channel.SHOPEE) -> str | None:
    """An API base URL (None/empty = the platform's live host).

    https is required, except on this computer (the sandbox): tokens travel in the query.
    """
    value = (url or "").strip().rstrip("/")
    if not value:
        return None
    parts = urlsplit(value)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not re.fullmatch(r"[\w.\-:\[\]]+", host):
        # (no host, or one with a space or another character no host name has)
        raise ValidationError(
            msg(
                "The API host {host} is not an http(s) address such as {live_host}.",
                host=repr(value[:80]),
                live_host=str(channel_app(channel).live_host),
            ),
            field="api_host",
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(
            msg("The API host must be a plain address without query, fragment or password."),
            field="api_host",
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ValidationError(
            msg("The API host {host} has a bad port.", host=repr(value[:80])), field="api_host"
        ) from None
    if parts.scheme == "http" and not _is_loopback(host):
        raise ValidationError(
            msg(
                "The API host must use https (plain http is only allowed on this computer, for "
                "the sandbox)."
            ),
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


def shops_to_reauthorise(
    ctx: ServiceContext, within: timedelta = REAUTH_WARNING
) -> list[ChannelShop]:
    """Connected shops whose authorisation ends within `within`, soonest first (a Lazada
    shop's ends on a fixed date: refreshing does not move it)."""
    now = ctx.clock.now()
    due = [s for s in list_channel_shops(ctx) if s.reauth_soon(now, within)]
    return sorted(due, key=lambda s: (s.authorised_until or now, s.name))


def warn_expiring_authorisations(
    ctx: ServiceContext, within: timedelta = REAUTH_WARNING
) -> list[ChannelShop]:
    """Write a warning into the sync log (Sync panel → shop log) of each connected shop
    whose authorisation ends within `within`, at most once a day per shop; returns the
    shops warned now. Run daily by jobs/channels.py, also for `primedist sync --loop`."""
    now = ctx.clock.now()
    due = shops_to_reauthorise(ctx, within)
    warned = []
    with ctx.uow() as session:
        for shop in due:
            recent = session.exec(
                select(SyncLogEntry.id).where(
                    SyncLogEntry.shop_id == shop.id,
                    col(SyncLogEntry.message).startswith(_EXPIRY_PREFIX),
                    col(SyncLogEntry.created_at) > now - timedelta(hours=23),
                )
            ).first()
            if recent is not None:
                continue
            warning = _expiry_message(shop)
            session.add(SyncLogEntry(shop_id=shop.id, level="warning", message=warning,
                                     args=stored_args(warning), created_at=now))  # fmt: skip
            warned.append(shop)
    return warned


_EXPIRY_PREFIX = "Authorisation ends "


def _expiry_message(shop: ChannelShop) -> str:
    """The log's warning; its English starts with _EXPIRY_PREFIX (found by it once a day).
    The time is the shop's, as everywhere in the app (dd/mm/yyyy HH:MM in both languages)."""
    until = shop.authorised_until
    when = format_datetime(as_utc(until), shop_tz()) if until is not None else "soon"
    if shop.app.refresh_extends:
        return msg(
            "Authorisation ends {when}: re-authorise {shop} in Settings → Sales channels "
            "before then, or its sync stops.",
            when=when, shop=shop.name,
        )  # fmt: skip
    return msg(
        "Authorisation ends {when} ({app} does not extend it when the app renews the "
        "tokens): re-authorise {shop} in Settings → Sales channels before then, or its "
        "sync stops.",
        when=when, app=shop.app.name, shop=shop.name,
    )  # fmt: skip


def channel_shop(ctx: ServiceContext, shop_id: int) -> ChannelShop:
    ctx.require(Module.SETTINGS)
    with ctx.uow() as session:
        return _channel_shop(ctx, session, _marketplace_shop(session, shop_id))


def shop_id_by_name(ctx: ServiceContext, name: str) -> int:
    """The marketplace shop called `name` (NotFound lists the names there are)."""
    ctx.require(Module.SETTINGS)
    wanted = clean_line(name)
    with ctx.uow() as session:
        rows = session.exec(select(Shop.id, Shop.name, Shop.channel)).all()
    for shop_id, shop_name, channel in rows:
        # Spaces as typed or as stored (a name kept from before names were cleaned).
        if clean_line(shop_name) == wanted and Channel(channel).is_marketplace:
            return int(shop_id or 0)
    names = sorted(n for _i, n, c in rows if Channel(c).is_marketplace)
    known = ", ".join(names) if names else "none yet"
    raise NotFound(
        msg(
            "No marketplace shop is called {wanted} (there are: {known}).",
            wanted=repr(wanted),
            known=str(known),
        )
    )


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


def add_shop(
    ctx: ServiceContext,
    channel: Channel | str,
    *,
    name: str,
    app_id: str | int,
    app_secret: str,
    api_host: str | None = None,
) -> int:
    """Add a marketplace store with its app's id and secret (Shopee partner id/key, Lazada
    or TikTok app key/secret, Tiki client id/secret); returns its shop id. Not linked until
    authorised.

    A shop of that name and channel that is not linked yet (e.g. made by an order import,
    or disconnected) gets the credentials instead of a duplicate.
    """
    ctx.require(Module.SETTINGS)
    app = channel_app(channel)
    clean_name = clean_shop_name(name)
    partner = clean_partner(app_id, app_secret, app.channel)
    host = clean_api_host(api_host, app.channel)
    now = ctx.clock.now()
    with ctx.uow() as session:
        shop = session.exec(select(Shop).where(Shop.name == clean_name)).first()
        if shop is None:
            _refuse_same_name(session, clean_name)
            shop = Shop(
                name=clean_name,
                channel=app.channel,
                status=ShopStatus.NOT_LINKED,
                api_host=host,
                created_at=now,
            )
            session.add(shop)
            session.flush()
            give_new_shop_low_stock_level(session.connection(), _id(shop), now)
            action = "shop.add"
        else:
            _check_reusable(session, shop, app.channel)
            shop.api_host = host
            session.add(shop)
            action = "shop.set_partner"
        _store_partner(ctx, session, _id(shop), partner)
        ctx.audit(
            session,
            action,
            entity_type="shop",
            entity_id=shop.id,
            summary=msg("{shop} ({channel}, {id_label} {app_id})", shop=clean_name,
                        channel=app.name, id_label=app.id_label, app_id=partner.partner_id),
            after={"name": clean_name, "channel": app.channel.value,
                   "partner_id": partner.partner_id, "api_host": host},
        )  # fmt: skip
        return _id(shop)


def _refuse_same_name(session: Session, name: str) -> None:
    """One shop per name whatever its accents and case (as suppliers): "kho a" next to
    "Kho A" would be two shops a --shop lookup cannot tell apart."""
    key = fold(name)
    for shop in session.exec(select(Shop)).all():
        if fold(shop.name) == key:
            raise Conflict(
                msg(
                    "There is already a shop called {name} ({channel}): choose another name.",
                    channel=Channel(shop.channel),
                    name=repr(shop.name),
                ),
            )


def add_shopee_shop(
    ctx: ServiceContext,
    *,
    name: str,
    partner_id: str | int,
    partner_key: str,
    api_host: str | None = None,
) -> int:
    """Add a Shopee store (`add_shop` with Shopee's names for the credentials)."""
    return add_shop(
        ctx, Channel.SHOPEE, name=name, app_id=partner_id, app_secret=partner_key,
        api_host=api_host,
    )  # fmt: skip


def set_partner(
    ctx: ServiceContext,
    shop_id: int,
    *,
    partner_id: str | int,
    partner_key: str,
    api_host: str | None = None,
) -> ChannelShop:
    """Replace a shop's app id/secret and API host (a linked shop stays linked: the tokens
    belong to the shop, the secret to the app; a secret of another app needs
    re-authorising)."""
    ctx.require(Module.SETTINGS)
    with ctx.uow() as session:
        shop = _marketplace_shop(session, shop_id)
        app = channel_app(shop.channel)
        partner = clean_partner(partner_id, partner_key, app.channel)
        host = clean_api_host(api_host, app.channel)
        before = {"partner_id": _stored_partner_id(session, shop_id), "api_host": shop.api_host}
        shop.api_host = host
        session.add(shop)
        _store_partner(ctx, session, shop_id, partner)
        ctx.audit(
            session,
            "shop.set_partner",
            entity_type="shop",
            entity_id=shop_id,
            summary=msg(
                "{shop}: {id_label} {app_id}",
                shop=shop.name,
                id_label=app.id_label,
                app_id=partner.partner_id,
            ),
            before=before,
            after={"partner_id": partner.partner_id, "api_host": host},
        )
    return channel_shop(ctx, shop_id)


def _stored_partner_id(session: Session, shop_id: int) -> str | None:
    value = get_setting(session, _partner_key_name(shop_id))
    return str(value["partner_id"]) if isinstance(value, dict) and "partner_id" in value else None


def _check_reusable(session: Session, shop: Shop, channel: Channel) -> None:
    if Channel(shop.channel) != channel:
        raise Conflict(
            msg(
                "There is already a shop called {name} ({channel}): choose another name.",
                channel=Channel(shop.channel),
                name=repr(shop.name),
            ),
        )
    if session.get(ShopCredential, _id(shop)) is not None:
        raise Conflict(
            msg(
                "{name} is already connected: use Re-authorise, or Disconnect it first.",
                name=shop.name,
            )
        )


# --------------------------------------------------------------------------- linking


def authorization_link(ctx: ServiceContext, shop_id: int, redirect_url: str) -> str:
    """The signed link the seller opens to authorise the app for this shop (valid ~5 min)."""
    ctx.require(Module.SETTINGS)
    redirect = (redirect_url or "").strip()
    if urlsplit(redirect).scheme not in ("http", "https"):
        raise ValidationError(
            msg(
                "The redirect address {redirect} is not an http(s) URL.",
                redirect=repr(redirect[:80]),
            ),
            field="redirect",
        )
    connector = _app_connector(ctx, shop_id)
    try:
        return connector.authorization_url(redirect)
    finally:
        connector.close()


def authorize_shop(
    ctx: ServiceContext, shop_id: int, code: str, external_shop_id: str | int | None = None
) -> ChannelShop:
    """Trade the redirect's one-time code for the shop's tokens and store them encrypted.

    `external_shop_id` is the shop the redirect names (Shopee's `shop_id=`, required
    there). Lazada, TikTok Shop and Tiki name the shop only in the token response, so for
    them it may be None. Refuses a marketplace shop that is not this shop's (when
    re-authorising) or that another shop here is already linked to: before spending the
    code when the redirect named the shop, else before storing anything.
    """
    ctx.require(Module.SETTINGS)
    clean_code = clean_auth_code(code)
    with ctx.uow() as session:
        shop = _marketplace_shop(session, shop_id)
        app = channel_app(shop.channel)
        given = _given_external_id(app, external_shop_id)
        if given is not None:
            _check_external_id(session, shop, given)
    connector = _app_connector(ctx, shop_id)
    try:
        tokens = connector.exchange_code(clean_code, given or "")
    finally:
        connector.close()
    ext = _token_shop_id(app, tokens, given)
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
            # What waited for the authorisation goes out at the next delivery, not after
            # the backoff its failed tries built up (up to hours).
            from primedist.services.outbox_delivery import wake_shop_actions

            wake_shop_actions(session.connection(), shop_id, ctx.clock.now())
            stale = session.get(AppSetting, REMOTE_SETTING.format(shop_id=shop_id))
            if stale is not None:  # the old authorisation's end no longer applies
                session.delete(stale)
            _forget_last_failure(session, shop_id)
            ctx.audit(
                session,
                "shop.authorize",
                entity_type="shop",
                entity_id=shop_id,
                summary=msg(
                    "{shop} linked to {channel} shop {external_id}",
                    shop=shop.name,
                    channel=app.name,
                    external_id=ext,
                ),
                before={"status": was.value},
                after={"status": ShopStatus.ACTIVE.value, "external_shop_id": ext},
            )
    except IntegrityError:  # another writer linked the same marketplace shop meanwhile
        raise Conflict(
            msg("Marketplace shop {ext} is already linked to another shop.", ext=str(ext))
        ) from None
    _record_remote_info(ctx, shop_id)
    return channel_shop(ctx, shop_id)


def _forget_last_failure(session: Session, shop_id: int) -> None:
    """A new authorisation ends the failure the last sync met (lost authorisation, most
    often): "last sync failed" goes, as after a sync that went through."""
    checkpoint = session.get(SyncCheckpoint, (shop_id, ORDERS_RESOURCE))
    if checkpoint is not None:
        checkpoint.last_error = None
        checkpoint.error_count = 0
        session.add(checkpoint)


def _given_external_id(app: ChannelApp, value: str | int | None) -> str | None:
    """The shop id the redirect named, checked (None when it named none)."""
    if value is None or not str(value).strip():
        if app.shop_id_in_redirect:
            raise ValidationError(
                msg(
                    "The {name} redirect names the shop (shop_id=…): give its shop id too.",
                    name=app.name,
                ),
                field="shop_id",
            )
        return None
    return clean_external_id(app.channel, value)


def _token_shop_id(app: ChannelApp, tokens: TokenPair, given: str | None) -> str:
    """The shop the tokens are for: the redirect's, which the platform must agree with."""
    said = (tokens.shop_external_id or "").strip()
    if given is not None and said and said != given:
        raise Conflict(
            msg(
                "{name} gave tokens for shop {said}, not for shop {given} of the redirect: "
                "authorise again.",
                name=app.name,
                said=str(said[:40]),
                given=str(given),
            )
        )
    if given is not None:
        return given
    if not said:
        raise ConnectorError(
            msg(
                "{platform} did not say which shop the authorisation is for: authorise again.",
                platform=app.name,
            )
        )
    try:
        return clean_external_id(app.channel, said)
    except ValidationError:
        raise ConnectorError(
            msg(
                "{platform} named the shop {said}, which is not a shop id: authorise again.",
                platform=app.name,
                said=repr(said[:40]),
            )
        ) from None


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
    name = channel_app(shop.channel).name
    if shop.external_shop_id and shop.external_shop_id != ext:
        raise Conflict(
            msg(
                "This authorisation is for {name} shop {ext}, but {name2} is shop "
                "{external_shop_id}: sign in as that shop and try again (or add the other shop "
                "under its own name).",
                name=name,
                ext=str(ext),
                name2=shop.name,
                external_shop_id=str(shop.external_shop_id),
            )
        )
    found = session.exec(
        select(Shop.name, Shop.status).where(
            Shop.channel == shop.channel, Shop.external_shop_id == ext, Shop.id != shop.id
        )
    ).first()
    if found is None:
        return
    other, status = found
    if ShopStatus(status) == ShopStatus.DISCONNECTED:
        # The seller's own shop, disconnected earlier: authorising it again brings it back
        # with its orders and listings; a second shop for the same seller cannot be made.
        raise Conflict(
            msg(
                "{name} seller {ext} is the shop {other}, which is disconnected: select "
                "{other} in Sales channels and re-authorise it instead (its orders are kept "
                "there).",
                name=name,
                ext=str(ext),
                other=str(other),
            )
        )
    raise Conflict(
        msg(
            "{name} shop {ext} is already linked as {other}.",
            name=name,
            ext=str(ext),
            other=str(other),
        )
    )


def disconnect_shop(ctx: ServiceContext, shop_id: int) -> ChannelShop:
    """Remove the shop's tokens (its orders, products and partner key stay). Its actions
    waiting to be sent (confirmations, cancellations, stock) are kept, each noting why it
    waits, and go out once the shop is authorised again (`actions_waiting` counts them for
    the question and the CLI)."""
    ctx.require(Module.SETTINGS)
    from primedist.services.outbox_delivery import hold_shop_actions

    with ctx.uow() as session:
        shop = _marketplace_shop(session, shop_id)
        cred = session.get(ShopCredential, shop_id)
        if cred is not None:
            session.delete(cred)
        was = ShopStatus(shop.status)
        shop.status = ShopStatus.DISCONNECTED
        session.add(shop)
        held = hold_shop_actions(session.connection(), shop_id, ctx.clock.now())
        ctx.audit(
            session,
            "shop.disconnect",
            entity_type="shop",
            entity_id=shop_id,
            summary=msg("{shop} disconnected (tokens removed, orders kept)", shop=shop.name),
            before={"status": was.value},
            after={"status": ShopStatus.DISCONNECTED.value, "actions_waiting": held},
        )
    return channel_shop(ctx, shop_id)


def actions_waiting(ctx: ServiceContext, shop_id: int) -> int:
    """How many actions wait to be sent to the shop: disconnecting it keeps them for when
    it is authorised again (what the disconnect question and the CLI say)."""
    ctx.require(Module.SETTINGS)
    from primedist.services.outbox_delivery import waiting_count

    return waiting_count(ctx, shop_id)


def sync_now(ctx: ServiceContext, shop_id: int, progress: Progress | None = None) -> SyncReport:
    """Pull the shop's changed orders now (the engine's sync; never raises for network or
    platform trouble: the report says what happened). `progress`: the job's bar and
    Cancel (a cancelled run ends "cancelled", what it fetched saved)."""
    ctx.require(Module.SETTINGS)
    from primedist.services.sync import sync_shop

    with ctx.uow() as session:
        _marketplace_shop(session, shop_id)
    return sync_shop(ctx, shop_id, progress=progress)


def has_tokens(session: Session, shop_id: int) -> bool:
    """The shop was authorised and not disconnected since: its tokens are stored (what
    Settings and the Sync panel call linked)."""
    cred = session.get(ShopCredential, shop_id)
    return cred is not None and bool(cred.refresh_token_enc)


def mark_needs_reauth(ctx: ServiceContext, session: Session, shop_id: int, reason: str) -> None:
    """Flag the shop for re-authorisation in the caller's unit of work (auth errors). A
    shop never authorised (not linked) or disconnected keeps its status: there is nothing
    to authorise again."""
    shop = session.get(Shop, shop_id)
    if shop is None or ShopStatus(shop.status) in (ShopStatus.DISCONNECTED,
                                                    ShopStatus.NOT_LINKED):  # fmt: skip
        return
    if ShopStatus(shop.status) != ShopStatus.NEEDS_REAUTH:
        shop.status = ShopStatus.NEEDS_REAUTH
        session.add(shop)
        ctx.audit(
            session,
            "shop.needs_reauth",
            entity_type="shop",
            entity_id=shop_id,
            summary=msg(
                "{shop} needs re-authorisation: {reason}",
                shop=shop.name,
                reason=redact(reason)[:200],
            ),
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
                raise AuthError(
                    msg(
                        "Shop {shop_id} was disconnected; tokens not kept.",
                        shop_id=str(self.shop_id),
                    )
                )
            fixed_deadline = not channel_app(shop.channel).refresh_extends
            _write_tokens(self.ctx, session, shop, tokens, keep_refresh_deadline=fixed_deadline)
            if ShopStatus(shop.status) == ShopStatus.NEEDS_REAUTH:
                shop.status = ShopStatus.ACTIVE
                session.add(shop)


#: Why a shop's connector cannot be made. The outbox keeps them as an action's last
#: message (plain English): the Sync panel reads them back by these templates.
NO_APP_CREDENTIALS = msg("{name} has no {credentials}: add them in Sales channels.")
NOT_LINKED_YET = msg("{name} is not linked yet: authorise it in Sales channels.")


class ShopNotReady(AuthError):
    """The shop cannot be called at all until its owner sets it up in Sales channels: it
    has no app credentials, or is not linked to a marketplace shop (NO_APP_CREDENTIALS,
    NOT_LINKED_YET). Nothing was asked of the marketplace."""


def shop_connector(ctx: ServiceContext, shop_id: int, **config: Any) -> Connector:
    """A connector bound to the shop, its partner app and its encrypted token store.

    `config` overrides ConnectorConfig fields (timeouts, retries). Raises ShopNotReady (an
    AuthError) when the shop has no partner credentials or is not linked to a marketplace
    shop.
    """
    with ctx.uow() as session:
        shop = _marketplace_shop(session, shop_id)
        partner = _load_partner(session, shop_secret_box(ctx), shop)
        if partner is None:
            app = channel_app(shop.channel)
            raise ShopNotReady(
                Message(
                    NO_APP_CREDENTIALS.template, {"name": shop.name, "credentials": app.credentials}
                )
            )
        if not shop.external_shop_id:
            raise ShopNotReady(Message(NOT_LINKED_YET.template, {"name": shop.name}))
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
            raise ValidationError(
                msg(
                    "{name}: this version cannot link {name2} shops yet.",
                    name=shop.name,
                    name2=channel_app(channel).name,
                )
            )
        partner = _load_partner(session, shop_secret_box(ctx), shop)
        if partner is None:
            app = channel_app(channel)
            raise ValidationError(
                msg(
                    "{name} has no {credentials} yet: add them first.",
                    name=shop.name,
                    credentials=app.credentials,
                ),
                field="partner_id",
            )
        cfg = ConnectorConfig(
            partner_id=partner.partner_id,
            partner_key=partner.partner_key,
            api_host=shop.api_host,
            **INTERACTIVE,
        )
    return connector_for(channel, cfg, MemoryTokenStore(), clock=ctx.clock)


# --------------------------------------------------------------------------- helpers


def _write_tokens(
    ctx: ServiceContext,
    session: Session,
    shop: Shop,
    tokens: TokenPair,
    *,
    keep_refresh_deadline: bool = False,
) -> None:
    """Store the pair encrypted. `keep_refresh_deadline` (a refresh on a platform whose
    refresh does not extend the refresh token, Lazada): the stored deadline stays when
    it is earlier, so the re-authorisation warning cannot be pushed back by a refresh."""
    box = shop_secret_box(ctx)
    cred = session.get(ShopCredential, _id(shop)) or ShopCredential(shop_id=shop.id)
    deadline = tokens.refresh_expires_at
    stored = _aware(cred.refresh_expires_at) if cred.refresh_token_enc else None
    if keep_refresh_deadline and stored is not None and (deadline is None or stored < deadline):
        deadline = stored
    cred.access_token_enc = box.encrypt(tokens.access_token)
    cred.refresh_token_enc = box.encrypt(tokens.refresh_token)
    cred.access_expires_at = tokens.access_expires_at
    cred.refresh_expires_at = deadline
    cred.updated_at = ctx.clock.now()
    session.add(cred)


def _marketplace_shop(session: Session, shop_id: int) -> Shop:
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFound(msg("Shop {shop_id} does not exist.", shop_id=str(shop_id)))
    if not Channel(shop.channel).is_marketplace:
        raise ValidationError(
            msg("{name} is not a marketplace shop: it has nothing to link.", name=shop.name)
        )
    return shop


def _id(shop: Shop) -> int:
    assert shop.id is not None
    return shop.id


def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; they were stored as UTC."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
