"""The shop's own shipments with GHN / J&T Express: accounts, addresses, create, cancel,
label, tracking.

**Accounts** (`carrier_accounts`): credentials encrypted with the data dir's SecretBox,
checked by a real API call before they are saved; a regenerated token is checked the same
way and saved on the same row (`update_account_credentials`), so the account's parcels on
the way are tracked again. Removing an account is refused while parcels are on the way
(their tracking would stop for good); one with shipments keeps the row (status `removed`,
credentials wiped): the shipments still name it. A token the carrier refuses while
tracking is posted on Home once (`note_tracking_access`, after the poll job).

**Addresses**: GHN's province/district/ward lists are cached in app_settings
(`shipping.ghn.provinces`, `shipping.ghn.districts.<id>`, `shipping.ghn.wards.<id>`) and
fetched again on demand; the picker searches them folded (no diacritics). J&T Express takes
the address as names (`takes_place_names`): its shipments need no GHN account nor lists.

**Create / cancel go through the outbox** (`outbox_messages.carrier_account_id` set,
no shop): the Shipment row is written at once (status `queued`) and the call is made by
`deliver_carrier_outbox`, now or later when the network is back. The create sends
`client_order_code` = `PD<order id>` (a second shipment of the same order gets `-2`, …),
so a retry never creates two: a create that may have reached the carrier (a crash, a
timeout, an answer without the order code) leaves its message in progress, and it is only
resent after `detail_by_client_code` said the carrier has no such shipment. A delivery
claims each action for CLAIM_LEASE, so the every-minute job and a dialog's Send never
both send it; a claim left by a process killed mid-send runs out and is tried again. A
create still failing after MAX_ATTEMPTS is given up (looked up first when it may have
acted): its shipment fails, so the order is free again; discarding it does the same, and
a retried one is looked up before it is sent again.

**Tracking**: `poll_shipments` reads each open shipment's detail and moves the order
forward (never back) along the allowed transitions to the status the carrier's says
(`ORDER_STATUS_FOR`), with history rows from source `carrier`. Lost/damaged parcels flag
the order for a person to decide.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from primedist.carriers.base import (
    FINAL_STATUSES,
    MAX_INSURANCE,
    Address,
    AuthError,
    Carrier,
    ConnectorError,
    FeeQuote,
    HttpSettings,
    LabelDocument,
    Parcel,
    Place,
    RemoteRejected,
    RequiredNote,
    ServiceOption,
    ShipmentRequest,
    ShipmentState,
    TransientError,
    UnclearAnswer,
)
from primedist.carriers.ghn import GhnCarrier
from primedist.carriers.jnt import JntCarrier
from primedist.carriers.places import search_rank
from primedist.connectors.base import Unreachable
from primedist.core.messages import Message, msg, stored_args
from primedist.core.security import redact
from primedist.core.text import clean_line, fold
from primedist.domain.base import table_of
from primedist.domain.carrier import CarrierAccount, Shipment
from primedist.domain.enums import (
    ActivityKind,
    CarrierCode,
    Channel,
    Module,
    OrderSource,
    OrderStatus,
    OutboxStatus,
)
from primedist.domain.geo import province_aliases
from primedist.domain.order import TRANSITIONS, Order, OrderLine
from primedist.domain.product import Variant
from primedist.domain.shop import Shop
from primedist.domain.sync import OutboxMessage
from primedist.errors import Conflict, NotFound, StoreError, ValidationError
from primedist.services import activity
from primedist.services import orders as order_svc
from primedist.services.app_settings import get_setting
from primedist.services.channels import clean_api_host, shop_secret_box
from primedist.services.context import ServiceContext
from primedist.services.order_effects import orders_changed
from primedist.services.sync_writer import aware

outbox_t = table_of(OutboxMessage)

#: Order sources that ship with the shop's own carrier account.
OWN_SOURCES = frozenset({OrderSource.COUNTER, OrderSource.PHONE, OrderSource.CHAT})
#: Shipment statuses before the carrier has it, and after it is gone for good.
QUEUED = "queued"
CANCEL_QUEUED = "cancel_queued"
DEAD = frozenset({"cancel", "failed"})
#: The scheduler reads the open shipments' state this often (jobs/shipping.py).
POLL_MINUTES = 15
#: What a parcel counts for an item whose variant has no weight.
DEFAULT_ITEM_WEIGHT_G = 500
ERROR_MAX = 500
MAX_ATTEMPTS = 12
#: Interactive calls (saving an account, quoting): fail fast, the user waits.
INTERACTIVE = HttpSettings(timeout=15.0, max_attempts=2, backoff_base=0.2, backoff_max=1.0)

#: Carrier status → the order status it means (None: the order does not move).
ORDER_STATUS_FOR: dict[str, OrderStatus | None] = {
    **dict.fromkeys(("ready_to_pick", "picking", "money_collect_picking"), OrderStatus.CONFIRMED),
    **dict.fromkeys(
        (
            "picked",
            "storing",
            "transporting",
            "sorting",
            "delivering",
            "money_collect_delivering",
            "delivery_fail",
            "waiting_to_return",
        ),
        OrderStatus.SHIPPING,
    ),  # fmt: skip
    "delivered": OrderStatus.COMPLETED,
    **dict.fromkeys(
        ("return", "return_transporting", "return_sorting", "returning", "return_fail"),
        OrderStatus.RETURN_REFUND,
    ),  # fmt: skip
    "returned": OrderStatus.RETURNED,
    "cancel": None,
    **dict.fromkeys(("exception", "lost", "damage"), None),
}
#: Statuses that flag the order for a person (the parcel is in trouble).
TROUBLE = frozenset({"exception", "lost", "damage"})
#: Statuses that Home's activity feed reports: trouble, and a parcel coming back.
ATTENTION = TROUBLE | {"return"}
#: The carrier's statuses in English, nested in messages and history notes so the reader
#: sees them in their language: the words of ui/labels.STATUS_WORDS (GHN's own in vi).
STATUS_TEXT: dict[str, Message] = {
    "ready_to_pick": msg("Waiting for pickup"), "picking": msg("Being picked up"),
    "money_collect_picking": msg("With the sender"), "picked": msg("Picked up"),
    "storing": msg("At the warehouse"), "transporting": msg("In transit"),
    "sorting": msg("Being sorted"), "delivering": msg("Out for delivery"),
    "money_collect_delivering": msg("With the recipient"), "delivered": msg("Delivered"),
    "delivery_fail": msg("Delivery failed"), "waiting_to_return": msg("Waiting to redeliver"),
    "return": msg("Returning to the shop"), "return_transporting": msg("Return in transit"),
    "return_sorting": msg("Return being sorted"), "returning": msg("Being returned"),
    "return_fail": msg("Return failed"), "returned": msg("Returned to the shop"),
    "cancel": msg("Cancelled"), "exception": msg("Exception"), "lost": msg("Lost"),
    "damage": msg("Damaged"),
}  # fmt: skip
CARRIER_NAMES = {CarrierCode.GHN: "GHN", CarrierCode.JNT: "J&T Express"}
#: Carriers addressed by the place names (province, district, ward) rather than GHN's
#: district id and ward code: they need none of GHN's lists.
NAMED_PLACE_CARRIERS = frozenset({CarrierCode.JNT})

CarrierFactory = Callable[[ServiceContext, int], Carrier]


def status_text(status: str) -> str:
    """A carrier status for a message (an unknown one as the carrier wrote it)."""
    return STATUS_TEXT.get(status) or status


# --------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class AccountView:
    """A carrier account as Settings → Logistics lists it (nothing secret)."""

    id: int
    carrier: CarrierCode
    name: str
    status: str
    api_host: str | None
    created_at: datetime
    shipments: int


def _box_json(ctx: ServiceContext, value: dict[str, Any]) -> str:
    return shop_secret_box(ctx).encrypt(json.dumps(value))


def _credentials(ctx: ServiceContext, account: CarrierAccount) -> dict[str, Any]:
    if not account.credentials_enc:
        raise AuthError(
            msg("The {account} account has no credentials: add it again.", account=account.name)
        )
    try:
        value = json.loads(shop_secret_box(ctx).decrypt(account.credentials_enc))
    except ValueError:
        raise AuthError(
            msg(
                "The credentials of {account} cannot be decrypted (the encryption key "
                "changed): enter them again with Update token in Settings → Logistics.",
                account=account.name,
            )
        ) from None
    if not isinstance(value, dict):
        raise AuthError(
            msg("The credentials of {account} are unreadable: add it again.", account=account.name)
        )
    return value


def _build(code: CarrierCode, creds: dict[str, Any], host: str | None,
           settings: HttpSettings | None = None) -> Carrier:  # fmt: skip
    if code == CarrierCode.GHN:
        return GhnCarrier(str(creds["token"]), int(creds["shop_id"]), host, settings)
    return JntCarrier(str(creds["api_account"]), str(creds["private_key"]),
                      str(creds["customer_code"]), str(creds.get("password") or ""), host,
                      settings)  # fmt: skip


def carrier_for(
    ctx: ServiceContext, account_id: int, settings: HttpSettings | None = None
) -> Carrier:
    """The client of a stored account (the default `CarrierFactory`)."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        account = _account(session, account_id)
        if account.status == "removed":
            raise AuthError(msg("The carrier account {account} was removed.", account=account.name))
        creds = _credentials(ctx, account)
        return _build(CarrierCode(account.carrier), creds, account.api_host, settings)


def _account(session: Session, account_id: int) -> CarrierAccount:
    account = session.get(CarrierAccount, account_id)
    if account is None:
        raise NotFound(
            msg("Carrier account {account_id} no longer exists.", account_id=str(account_id))
        )
    return account


def _clean(value: str, what: Message, field_name: str, *, digits: bool = False) -> str:
    """`value` trimmed; else an error naming the field as `what` (a msg(): the user reads
    the field's name in their language, as the form labels it)."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(msg("The {what} is empty.", what=what), field=field_name)
    if any(c.isspace() for c in text) or not text.isprintable() or len(text) > 200:
        raise ValidationError(
            msg("The {what} has spaces or characters it cannot have: copy it again.", what=what),
            field=field_name,
        )
    if digits and not text.isdigit():
        raise ValidationError(
            msg("The {what} {text} must be a number.", what=what, text=repr(text[:20])),
            field=field_name,
        )
    return text


def _clean_name(name: str) -> str:
    value = clean_line(name)
    if not value:
        raise ValidationError(msg("The account needs a name."), field="name")
    if len(value) > 120:
        raise ValidationError(msg("The account name is longer than 120 characters."), field="name")
    return value


def add_ghn_account(
    ctx: ServiceContext, name: str, token: str, shop_id: str | int,
    api_host: str | None = None, *, settings: HttpSettings = INTERACTIVE,
) -> AccountView:  # fmt: skip
    """Check the Token + ShopId with GHN, then store them (encrypted)."""
    ctx.require(Module.SETTINGS)
    creds = _ghn_credentials(token, shop_id)
    return _add_account(ctx, CarrierCode.GHN, _clean_name(name), creds, api_host, settings)


def add_jnt_account(
    ctx: ServiceContext, name: str, api_account: str, private_key: str, customer_code: str,
    password: str = "", api_host: str | None = None, *, settings: HttpSettings = INTERACTIVE,
) -> AccountView:  # fmt: skip
    """Check the J&T API account + private key, then store them (encrypted)."""
    ctx.require(Module.SETTINGS)
    creds = _jnt_credentials(api_account, private_key, customer_code, password)
    return _add_account(ctx, CarrierCode.JNT, _clean_name(name), creds, api_host, settings)


def _ghn_credentials(token: str, shop_id: str | int) -> dict[str, Any]:
    return {"token": _clean(token, msg("GHN token"), "token"),
            "shop_id": int(_clean(str(shop_id), msg("GHN ShopId"), "shop_id",
                                  digits=True))}  # fmt: skip


def _jnt_credentials(api_account: str, private_key: str, customer_code: str,
                     password: str) -> dict[str, Any]:  # fmt: skip
    return {"api_account": _clean(api_account, msg("J&T API account"), "api_account"),
            "private_key": _clean(private_key, msg("J&T private key"), "private_key"),
            "customer_code": _clean(customer_code, msg("J&T customer code"), "customer_code"),
            "password": (password or "").strip()}  # fmt: skip


def _check_account(code: CarrierCode, creds: dict[str, Any], host: str | None,
                   settings: HttpSettings) -> str:  # fmt: skip
    """What the carrier says of these credentials (the shop it knows them as); a refusal
    is a ValidationError on the token, a dead network a StoreError."""
    client = _build(code, creds, host, settings)
    try:
        return client.check_account()
    except AuthError as exc:
        raise ValidationError(
            msg(
                "{carrier_names} refused these credentials: {user_message}",
                carrier_names=str(CARRIER_NAMES[code]),
                user_message=exc.user_message,  # a Message: read in the user's words too
            ),
            field="token",
        ) from None
    except ConnectorError as exc:
        raise StoreError(
            msg(
                "Could not check the account with {carrier_names}: {user_message}",
                carrier_names=str(CARRIER_NAMES[code]),
                user_message=exc.user_message,
            )
        ) from None
    finally:
        client.close()


def _add_account(ctx: ServiceContext, code: CarrierCode, name: str, creds: dict[str, Any],
                 api_host: str | None, settings: HttpSettings) -> AccountView:  # fmt: skip
    host = clean_api_host(api_host)
    described = _check_account(code, creds, host, settings)
    with ctx.uow() as session:
        account = CarrierAccount(carrier=code, name=name, credentials_enc=_box_json(ctx, creds),
                                 api_host=host, status="active",
                                 created_at=ctx.clock.now())  # fmt: skip
        session.add(account)
        session.flush()
        ctx.audit(session, "carrier.add", entity_type="carrier_account", entity_id=account.id,
                  summary=msg("{carrier} account {account} added ({described})",
                              carrier=CARRIER_NAMES[code], account=name,
                              described=described))  # fmt: skip
        return _view(account, 0)


@dataclass(frozen=True)
class AccountFields:
    """What Settings → Logistics fills in to update an account: everything but the
    secrets (GHN's token, J&T's private key and password), which are typed again."""

    id: int
    carrier: CarrierCode
    name: str
    api_host: str | None
    #: GHN: `shop_id`; J&T: `api_account`, `customer_code` (empty when unreadable).
    known: dict[str, str]


#: The credentials that are not secret, shown again when the token is updated.
_NOT_SECRET = ("shop_id", "api_account", "customer_code")


def account_fields(ctx: ServiceContext, account_id: int) -> AccountFields:
    """An account as the "update its token" form starts (nothing secret)."""
    ctx.require(Module.SETTINGS)
    with ctx.uow() as session:
        account = _usable_account(session, account_id)
        try:
            creds = _credentials(ctx, account)
        except AuthError:
            creds = {}  # unreadable: the user types everything again
        known = {k: str(creds[k]) for k in _NOT_SECRET if creds.get(k) not in (None, "")}
        return AccountFields(account_id, CarrierCode(account.carrier), account.name,
                             account.api_host, known)  # fmt: skip


def update_account_credentials(
    ctx: ServiceContext, account_id: int, fields: Mapping[str, str | int],
    api_host: str | None = None, *, name: str | None = None,
    settings: HttpSettings = INTERACTIVE,
) -> AccountView:  # fmt: skip
    """New credentials for an account (a token regenerated on GHN, a new J&T key): checked
    with the carrier exactly as a new account's, then stored on the same row, so the
    account's shipments on the way are tracked again at the next poll. `fields` are the
    add function's (GHN: token, shop_id; J&T: api_account, private_key, customer_code,
    password); `api_host` None keeps the account's host, "" is the carrier's live host;
    `name` None keeps the name. A refusal changes nothing."""
    ctx.require(Module.SETTINGS)
    with ctx.uow() as session:
        account = _usable_account(session, account_id)
        code, host = CarrierCode(account.carrier), account.api_host
    new_name = None if name is None else _clean_name(name)
    if code == CarrierCode.GHN:
        creds = _ghn_credentials(str(fields.get("token", "")), fields.get("shop_id", ""))
    else:
        creds = _jnt_credentials(*(str(fields.get(k, "")) for k in (
            "api_account", "private_key", "customer_code", "password")))  # fmt: skip
    if api_host is not None:
        host = clean_api_host(api_host)
    described = _check_account(code, creds, host, settings)
    with ctx.uow() as session:
        account = _usable_account(session, account_id)  # removed meanwhile: refused
        before = {"name": account.name, "api_host": account.api_host}
        account.credentials_enc = _box_json(ctx, creds)
        account.api_host = host
        account.name = new_name or account.name
        session.add(account)
        _forget_refusal(ctx, session, account_id)  # a refusal after this one is news
        ctx.audit(session, "carrier.update", entity_type="carrier_account",
                  entity_id=account_id, before=before,
                  after={"name": account.name, "api_host": account.api_host},
                  summary=msg("{carrier} account {account}: new credentials saved "
                              "({described})", carrier=CARRIER_NAMES[code],
                              account=account.name, described=described))  # fmt: skip
        used = session.exec(
            select(sa.func.count()).where(Shipment.carrier_account_id == account_id)
        ).one()
        return _view(account, int(used))


def takes_place_names(carrier: str) -> bool:
    """True for a carrier that takes the address as names (J&T), not GHN's ids."""
    return carrier in NAMED_PLACE_CARRIERS


def account_carrier(ctx: ServiceContext, account_id: int) -> CarrierCode:
    """The carrier of an account (NotFound when it is gone)."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        return CarrierCode(_account(session, account_id).carrier)


def _usable_account(session: Session, account_id: int) -> CarrierAccount:
    account = _account(session, account_id)
    if account.status == "removed":
        raise Conflict(msg("The carrier account {account} was removed.", account=account.name))
    return account


def _view(account: CarrierAccount, shipments: int) -> AccountView:
    assert account.id is not None
    return AccountView(account.id, CarrierCode(account.carrier), account.name, account.status,
                       account.api_host, aware(account.created_at), shipments)  # fmt: skip


def list_accounts(ctx: ServiceContext) -> list[AccountView]:
    """The carrier accounts (removed ones left out), with their shipment counts."""
    # Orders ships with them; Settings → Logistics manages them (Settings alone may add
    # and remove one, so it may see them too).
    if not ctx.can(Module.SETTINGS):
        ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        counts = dict(session.exec(
            select(Shipment.carrier_account_id, sa.func.count()).group_by(
                col(Shipment.carrier_account_id))
        ).all())  # fmt: skip
        rows = session.exec(
            select(CarrierAccount).where(CarrierAccount.status != "removed")
            .order_by(col(CarrierAccount.id))
        ).all()  # fmt: skip
        return [_view(a, int(counts.get(a.id or 0, 0))) for a in rows]


def remove_account(ctx: ServiceContext, account_id: int) -> None:
    """Delete the account (or, when shipments name it, wipe its credentials and hide it)."""
    ctx.require(Module.SETTINGS)
    with ctx.uow() as session:
        account = _account(session, account_id)
        used = session.exec(
            select(sa.func.count()).where(Shipment.carrier_account_id == account_id)
        ).one()
        waiting = session.exec(
            select(sa.func.count()).where(OutboxMessage.carrier_account_id == account_id,
                                          col(OutboxMessage.status).in_(order_svc_waiting()))
        ).one()  # fmt: skip
        if waiting:
            raise Conflict(
                msg(
                    "{name} still has {waiting} shipment action(s) waiting to be sent: "
                    "send or discard them first.",
                    name=account.name,
                    waiting=str(waiting),
                )
            )
        # Removing it would stop their tracking for good: never delivered, never restocked.
        on_the_way = session.exec(
            select(sa.func.count()).where(Shipment.carrier_account_id == account_id,
                                          col(Shipment.carrier_order_code).is_not(None),
                                          col(Shipment.status).not_in([*FINAL_STATUSES, *DEAD]))
        ).one()  # fmt: skip
        if on_the_way:
            raise Conflict(
                msg(
                    "{name} still has {count} shipment(s) on the way: wait until they are "
                    "delivered or returned, or update the account's token instead of "
                    "removing it.",
                    name=account.name,
                    count=str(on_the_way),
                )
            )
        _forget_refusal(ctx, session, account_id)
        if used:
            account.status = "removed"
            account.credentials_enc = None
            session.add(account)
        else:
            session.delete(account)
        ctx.audit(session, "carrier.remove", entity_type="carrier_account", entity_id=account_id,
                  summary=msg("Carrier account {account} removed",
                              account=account.name))  # fmt: skip


def order_svc_waiting() -> tuple[OutboxStatus, ...]:
    return (OutboxStatus.PENDING, OutboxStatus.IN_PROGRESS)


#: The accounts whose refused token is on Home's feed ({account id: since when}).
TRACKING_REFUSED_KEY = "shipping.tracking_refused"


def note_tracking_access(ctx: ServiceContext, report: PollReport) -> None:
    """After a poll: an account whose token the carrier refused (revoked, regenerated) is
    posted on Home's feed once, naming it and where to enter the new token; it is
    forgotten when tracking works again, so a later refusal is posted again."""
    ctx.require(Module.ORDERS)
    if not report.refused and not report.tracked:
        return
    now = ctx.clock.now()
    with ctx.uow() as session:
        posted = _refusals(session)
        before = dict(posted)
        for account_id in report.tracked - report.refused.keys():
            posted.pop(str(account_id), None)
        for account_id, reason in report.refused.items():
            account = session.get(CarrierAccount, account_id)
            if str(account_id) in posted or account is None:
                continue
            posted[str(account_id)] = now.isoformat()
            activity.post(session, ActivityKind.SHIPMENT, now, problem="token",
                          account_id=account_id, account=account.name,
                          carrier=CARRIER_NAMES[CarrierCode(account.carrier)], reason=reason,
                          reason_args=stored_args(reason))  # fmt: skip
        if posted != before:
            _write_cache(ctx, session, TRACKING_REFUSED_KEY, posted)  # job state: no audit


def _refusals(session: Session) -> dict[str, Any]:
    value = get_setting(session, TRACKING_REFUSED_KEY)
    return dict(value) if isinstance(value, dict) else {}


def _forget_refusal(ctx: ServiceContext, session: Session, account_id: int) -> None:
    """New credentials, or no account: a refusal after this is news again."""
    posted = _refusals(session)
    if posted.pop(str(account_id), None) is not None:
        _write_cache(ctx, session, TRACKING_REFUSED_KEY, posted)


# --------------------------------------------------------------------------- addresses

PROVINCES_KEY = "shipping.ghn.provinces"
DISTRICTS_KEY = "shipping.ghn.districts.{}"
WARDS_KEY = "shipping.ghn.wards.{}"


def _cache_key(level: str, parent: str) -> str:
    if level == "province":
        return PROVINCES_KEY
    if level == "district":
        return DISTRICTS_KEY.format(parent)
    if level == "ward":
        return WARDS_KEY.format(parent)
    raise ValueError(f"unknown address level {level!r}")


def address_places(
    ctx: ServiceContext, level: str, parent: str = "", *, refresh: bool = False,
    factory: CarrierFactory = carrier_for,
) -> list[Place]:  # fmt: skip
    """Provinces, a province's districts or a district's wards: from the local cache,
    fetched from GHN (any active GHN account) when missing or when `refresh`."""
    ctx.require(Module.ORDERS)
    key = _cache_key(level, parent)
    if not refresh:
        with ctx.uow() as session:
            cached = get_setting(session, key)
        if isinstance(cached, dict) and isinstance(cached.get("rows"), list):
            return [Place(r[0], r[1], r[2], tuple(r[3])) for r in cached["rows"]]
    account_id = _ghn_account_id(ctx)
    client = factory(ctx, account_id)
    try:
        if level == "province":
            fetched = client.provinces()
        elif level == "district":
            fetched = client.districts(parent)
        else:
            fetched = client.wards(parent)
    finally:
        client.close()
    rows = [[p.code, p.name, p.parent, list(p.aliases)] for p in fetched]
    with ctx.uow() as session:
        _write_cache(ctx, session, key, {"rows": rows, "fetched_at": ctx.clock.now().isoformat()})
    return fetched


def _write_cache(ctx: ServiceContext, session: Session, key: str, value: dict[str, Any]) -> None:
    """Cached master data: not a setting change, so no audit row per list."""
    from primedist.domain.settings import AppSetting

    row = session.get(AppSetting, key) or AppSetting(key=key, value_json="null")
    row.value_json = json.dumps(value, ensure_ascii=False)
    row.updated_at = ctx.clock.now()
    session.add(row)


def _ghn_account_id(ctx: ServiceContext) -> int:
    with ctx.uow() as session:
        found = session.exec(
            select(CarrierAccount.id).where(CarrierAccount.carrier == CarrierCode.GHN,
                                            CarrierAccount.status == "active")
            .order_by(col(CarrierAccount.id))
        ).first()  # fmt: skip
    if found is None:
        raise Conflict(msg("Add a GHN account in Settings → Logistics first: the address lists "
                           "come from GHN."))  # fmt: skip
    return int(found)


def match_places(places: Sequence[Place], query: str, limit: int = 50) -> list[Place]:
    """The places `query` finds (`places.search_rank`: folded, part of a word, initials;
    "ben nghe" finds "Phường Bến Nghé", "hcm" and "sai gon" Hồ Chí Minh), best first."""
    if not fold(query).strip():
        return list(places[:limit])
    scored = []
    for place in places:
        # A province is also found by the names people use for it ("Sài Gòn").
        aliases = place.aliases if place.parent else (*place.aliases, *province_aliases(place.name))
        rank = search_rank(query, place.name, aliases)
        if rank is not None:
            scored.append((rank, fold(place.name), place))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [p for _s, _n, p in scored[:limit]]


# --------------------------------------------------------------------------- drafts and quotes


@dataclass(frozen=True)
class ShipmentDraft:
    """What the Shipment dialog sends: where, what, how."""

    account_id: int
    to: Address
    parcel: Parcel
    service_id: int | None = None
    service_type_id: int | None = None
    required_note: RequiredNote = RequiredNote.VIEW
    payment_type_id: int = 1
    note: str = ""
    #: Items the parcel's weight counts at `DEFAULT_ITEM_WEIGHT_G` (their products have
    #: no weight): > 0 means the weight is an estimate; 0 once the owner types one.
    unweighed_items: int = 0
    #: The order as `draft_for_order` read it: its last change, the COD it owed, its
    #: goods' weight. `request_shipment` refuses the draft once the order changed (an
    #: edit, a payment): its COD, weight or address would be out of date. None: unchecked.
    order_updated_at: datetime | None = None
    order_cod: int | None = None
    goods_weight_g: int | None = None


def parcel_weight(session: Session, order_id: int) -> tuple[int, int]:
    """(grams, items without a weight) of the order's goods: each line's quantity × its
    variant's weight, or `DEFAULT_ITEM_WEIGHT_G` for an item with none (no weight typed,
    or no product row); at least one item's worth. Not capped: `check_draft` refuses a
    parcel heavier than a carrier takes (a lighter figure would be a false label)."""
    weights = order_svc.line_weights(session, order_id)
    grams = sum(qty * (each or DEFAULT_ITEM_WEIGHT_G) for qty, each in weights)
    unweighed = sum(qty for qty, each in weights if not each)
    return grams or DEFAULT_ITEM_WEIGHT_G, unweighed


def draft_for_order(ctx: ServiceContext, order_id: int, account_id: int) -> ShipmentDraft:
    """A draft filled from the order: recipient, COD = what is left to pay (COD orders),
    insurance = the goods' value, weight = the goods' (`parcel_weight`).

    COD and weight are the true figures, however large: `check_draft` refuses them past
    the carrier's limits (a smaller COD would hand the buyer the rest for free). The
    insured value alone is capped at the most a carrier insures: it only bounds the
    compensation for a lost parcel, and a lower cover still ships."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        order = _order(session, order_id)
        weight, unweighed = parcel_weight(session, order_id)
        cod = order_svc.cod_due_in(session, order)
        to = Address(name=order.ship_name or order.buyer_name or "",
                     phone=order.ship_phone or order.buyer_phone or "",
                     address=order.ship_address or "", ward_code="", district_id=0,
                     ward_name=order.ship_ward or "", district_name=order.ship_district or "",
                     province_name=order.ship_province or "")  # fmt: skip
        parcel = Parcel(weight_g=weight, cod_amount=cod,
                        insurance_value=min(order.subtotal, MAX_INSURANCE))  # fmt: skip
        return ShipmentDraft(account_id, to, parcel, unweighed_items=unweighed,
                             order_updated_at=aware(order.updated_at), order_cod=cod,
                             goods_weight_g=weight)  # fmt: skip


def _changed_since(session: Session, order: Order, cod: int | None, weight: int | None,
                   updated_at: datetime | None) -> Message | None:  # fmt: skip
    """Why a shipment prepared from `order` as it was (its COD due, goods' weight, last
    change) is out of date now; None while it is not (or nothing was noted)."""
    now_cod = order_svc.cod_due_in(session, order)
    if cod is not None and cod != now_cod:
        return msg("Order {order} changed since the shipment was prepared: the cash on "
                   "delivery is now {now} đ (it was {was} đ). Prepare the shipment again.",
                   order=order.external_id, now=now_cod, was=cod)  # fmt: skip
    now_weight, _unweighed = parcel_weight(session, order.id or 0)
    if weight is not None and weight != now_weight:
        return msg("Order {order} changed since the shipment was prepared: its goods weigh "
                   "{now} g now ({was} g before). Prepare the shipment again.",
                   order=order.external_id, now=now_weight, was=weight)  # fmt: skip
    if updated_at is not None and aware(order.updated_at) != updated_at:
        return msg("Order {order} changed since the shipment was prepared. Prepare the "
                   "shipment again.", order=order.external_id)  # fmt: skip
    return None


def check_draft(draft: ShipmentDraft, carrier: str = CarrierCode.GHN) -> None:
    """ValidationError naming the first bad field (a parcel past the carriers' limits,
    however large the figure, included: nothing is saved or sent for it). GHN needs the
    district and ward picked from its lists; a carrier taking names (J&T) the province and
    ward named (a 2025 address has no district)."""
    for name, message in draft.parcel.problems().items():
        raise ValidationError(message, field=name)
    to = draft.to
    if not to.name.strip():
        raise ValidationError(msg("The recipient's name is empty."), field="to_name")
    digits = "".join(c for c in to.phone if c.isdigit())
    if not 9 <= len(digits) <= 11:
        raise ValidationError(
            msg("The recipient's phone {phone} is not a phone number.", phone=repr(to.phone)),
            field="to_phone",
        )
    if not to.address.strip():
        raise ValidationError(msg("The street address is empty."), field="to_address")
    if takes_place_names(carrier):
        if not to.province_name.strip():
            raise ValidationError(msg("Type the recipient's province or city."),
                                  field="to_province_name")  # fmt: skip
        if not to.ward_name.strip():
            raise ValidationError(msg("Type the recipient's ward."), field="to_ward_name")
        return
    if not to.district_id or not to.ward_code:
        raise ValidationError(msg("Pick the recipient's district and ward."), field="to_ward_code")


def available_services(ctx: ServiceContext, account_id: int, to_district: int, *,
                       factory: CarrierFactory = carrier_for) -> list[ServiceOption]:  # fmt: skip
    """The services the carrier offers to that district (a live call)."""
    ctx.require(Module.ORDERS)
    client = factory(ctx, account_id)
    try:
        return client.services(None, to_district)
    finally:
        client.close()


def quote_fee(ctx: ServiceContext, draft: ShipmentDraft, *,
              factory: CarrierFactory = carrier_for) -> FeeQuote:  # fmt: skip
    """The carrier's fee for the draft (a live call)."""
    ctx.require(Module.ORDERS)
    client = factory(ctx, draft.account_id)
    try:
        check_draft(draft, client.code)
        return client.fee(_request(draft, "quote"))
    finally:
        client.close()


def _request(draft: ShipmentDraft, client_code: str, content: str = "",
             items: tuple[dict[str, Any], ...] = ()) -> ShipmentRequest:  # fmt: skip
    return ShipmentRequest(client_order_code=client_code, to=draft.to, parcel=draft.parcel,
                           service_id=draft.service_id, service_type_id=draft.service_type_id,
                           required_note=draft.required_note,
                           payment_type_id=draft.payment_type_id, content=content,
                           note=draft.note, items=items)  # fmt: skip


# --------------------------------------------------------------------------- create / cancel


@dataclass(frozen=True)
class ShipmentView:
    id: int
    order_id: int
    account_id: int
    carrier: CarrierCode
    account_name: str
    client_order_code: str
    carrier_order_code: str | None
    status: str
    fee: int
    cod_amount: int
    label_path: str | None
    last_error: str | None
    updated_at: datetime
    #: Its latest action with the carrier ("shipment.create" / "shipment.cancel") and
    #: where that is (an `OutboxStatus`): what the panel words after a send.
    action_kind: str | None = None
    action_status: str | None = None

    @property
    def open(self) -> bool:
        """Not cancelled or failed: the order has this shipment."""
        return self.status not in DEAD

    @property
    def trackable(self) -> bool:
        """Handed to the carrier and not arrived anywhere yet: `poll_shipments` reads it."""
        return bool(self.carrier_order_code) and self.status not in FINAL_STATUSES | DEAD

    @property
    def cancellable(self) -> bool:
        return self.status in (QUEUED, "ready_to_pick", "picking", "money_collect_picking")


def _order(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(msg("Order {order_id} no longer exists.", order_id=str(order_id)))
    return order


@dataclass(frozen=True)
class OwnOrder:
    """An order with what decides whether the shop may still ship, edit or re-address it:
    its own sale (not a marketplace's), not gone yet, no live shipment made from it."""

    order: Order
    shipments: tuple[Shipment, ...]
    #: Its shop is a marketplace shop (whatever the order's source says).
    marketplace_shop: bool = False

    @property
    def own(self) -> bool:
        return OrderSource(self.order.source) in OWN_SOURCES and not self.marketplace_shop

    @property
    def open(self) -> bool:
        return self.order.status in (OrderStatus.PENDING, OrderStatus.CONFIRMED)

    @property
    def live_shipment(self) -> str | None:
        """The code of a shipment not cancelled nor failed, if any."""
        live = [s.carrier_order_code or s.client_order_code for s in self.shipments
                if s.status not in DEAD]  # fmt: skip
        return str(live[0]) if live else None


def own_order(session: Session, order_id: int) -> OwnOrder:
    """The stored order as an `OwnOrder` (NotFound when it is gone)."""
    order = _order(session, order_id)
    shop = session.get(Shop, order.shop_id)
    assert shop is not None  # orders.shop_id: a foreign key, ON DELETE RESTRICT
    shipments = session.exec(select(Shipment).where(Shipment.order_id == order_id)).all()
    return OwnOrder(order, tuple(shipments), Channel(shop.channel).is_marketplace)


def shipping_refusal(order: Order, shipments: Sequence[Shipment]) -> Message | None:
    """Why the shop's carrier cannot take `order` now (None: it can), given its shipments."""
    state = OwnOrder(order, tuple(shipments))
    if not state.own:
        return msg("Order {external_id} ships with its marketplace's logistics.",
                   external_id=order.external_id)  # fmt: skip
    if not state.open:
        return msg("Order {external_id} is {status}: only pending or confirmed orders can be "
                   "shipped.", external_id=order.external_id, status=order.status)  # fmt: skip
    if state.live_shipment:
        return msg("Order {external_id} already has shipment {shipment}: cancel it first.",
                   external_id=order.external_id, shipment=state.live_shipment)  # fmt: skip
    return None


def _account_refusal(account: CarrierAccount) -> Message | None:
    if account.status == "active":
        return None
    return msg("The carrier account {name} is {status}.", name=account.name,
               status=str(account.status))  # fmt: skip


def request_shipment(ctx: ServiceContext, order_id: int, draft: ShipmentDraft) -> ShipmentView:
    """Record the shipment and queue its creation with the carrier (works offline)."""
    ctx.require(Module.ORDERS)
    now = ctx.clock.now()
    with ctx.uow(write=True) as session:
        order = _order(session, order_id)
        account = _account(session, draft.account_id)
        check_draft(draft, account.carrier)
        earlier = session.exec(select(Shipment).where(Shipment.order_id == order_id)).all()
        refusal = (shipping_refusal(order, earlier) or _account_refusal(account)
                   or _changed_since(session, order, draft.order_cod, draft.goods_weight_g,
                                     draft.order_updated_at))  # fmt: skip
        if refusal is not None:
            raise Conflict(refusal)
        code = f"PD{order_id}" + (f"-{len(earlier) + 1}" if earlier else "")
        lines = session.exec(
            select(OrderLine, Variant.weight_g)
            .outerjoin(Variant, col(Variant.id) == col(OrderLine.variant_id))
            .where(OrderLine.order_id == order_id)
            .order_by(col(OrderLine.id))
        ).all()
        items = tuple({"name": ln.product_name[:100], "code": ln.sku or "",
                       "quantity": ln.quantity, "price": ln.unit_price,
                       "weight": grams or DEFAULT_ITEM_WEIGHT_G}
                      for ln, grams in lines)  # fmt: skip
        content = ", ".join(f"{ln.product_name} x{ln.quantity}" for ln, _g in lines)[:500]
        ship = Shipment(order_id=order_id, carrier_account_id=draft.account_id,
                        client_order_code=code, status=QUEUED, service=str(draft.service_id or ""),
                        cod_amount=draft.parcel.cod_amount,
                        insurance_value=draft.parcel.insurance_value,
                        weight_g=draft.parcel.weight_g, length_cm=draft.parcel.length_cm,
                        width_cm=draft.parcel.width_cm, height_cm=draft.parcel.height_cm,
                        required_note=draft.required_note.value, created_at=now,
                        updated_at=now)  # fmt: skip
        session.add(ship)
        session.flush()
        payload = _request_payload(_request(draft, code, order.external_id + ": " + content, items))
        _queue(session, "shipment.create", ship, order, payload, now)
        ctx.audit(session, "shipment.request", entity_type="order", entity_id=order_id,
                  summary=msg("{order}: shipment {shipment} queued with {account}",
                              order=order.external_id, shipment=code, account=account.name),
                  after={"cod": draft.parcel.cod_amount,
                         "weight_g": draft.parcel.weight_g})  # fmt: skip
        return _ship_view(session, ship)


def request_cancel(ctx: ServiceContext, shipment_id: int) -> ShipmentView:
    """Cancel a shipment: a create not sent yet is just dropped, else the cancel is
    queued for the carrier."""
    ctx.require(Module.ORDERS)
    now = ctx.clock.now()
    with ctx.uow(write=True) as session:
        ship = _shipment(session, shipment_id)
        order = _order(session, ship.order_id)
        if ship.status == QUEUED:
            create = session.exec(select(OutboxMessage).where(
                OutboxMessage.intent_key == _intent("shipment.create", ship))).first()  # fmt: skip
            if create is not None and create.status == OutboxStatus.PENDING:
                create.status = OutboxStatus.CANCELLED
                create.updated_at = now
                session.add(create)
                ship.status = "cancel"
                ship.updated_at = now
                session.add(ship)
                session.flush()
                _show_live_tracking(session, ship.order_id)
                _settle(session.connection(), ship.order_id)
                ctx.audit(session, "shipment.cancel", entity_type="order", entity_id=order.id,
                          summary=msg("{order}: shipment {shipment} dropped before it was "
                                      "sent", order=order.external_id,
                                      shipment=ship.client_order_code))  # fmt: skip
                return _ship_view(session, ship)
        if ship.status not in ("ready_to_pick", "picking", "money_collect_picking", QUEUED):
            raise Conflict(
                msg(
                    "Shipment {shipment} is {status}: it can no longer be cancelled.",
                    shipment=str(ship.carrier_order_code or ship.client_order_code),
                    status=status_text(ship.status),
                )
            )
        _queue(session, "shipment.cancel", ship, order, {}, now)
        shipment = ship.carrier_order_code or ship.client_order_code
        ctx.audit(session, "shipment.cancel", entity_type="order", entity_id=order.id,
                  summary=msg("{order}: cancel of shipment {shipment} queued",
                              order=order.external_id, shipment=shipment))  # fmt: skip
        return _ship_view(session, ship)


def _intent(kind: str, ship: Shipment) -> str:
    return f"{kind}:{ship.id}"


def _queue(session: Session, kind: str, ship: Shipment, order: Order, payload: dict[str, Any],
           now: datetime) -> None:  # fmt: skip
    key = _intent(kind, ship)
    msg = session.exec(select(OutboxMessage).where(OutboxMessage.intent_key == key)).first()
    if msg is None:
        msg = OutboxMessage(intent_key=key, kind=kind, created_at=now)
    elif msg.status in order_svc_waiting():
        return  # already waiting: once is enough
    msg.carrier_account_id = ship.carrier_account_id
    msg.order_id = order.id
    msg.payload_json = json.dumps(payload, ensure_ascii=False)
    msg.status = OutboxStatus.PENDING
    msg.attempts = 0
    msg.last_error = None
    msg.next_attempt_at = now
    msg.updated_at = now
    session.add(msg)
    order.outbox_pending = True
    session.add(order)


def _request_payload(request: ShipmentRequest) -> dict[str, Any]:
    data = asdict(request)
    data["required_note"] = request.required_note.value
    return data


def _request_from_payload(data: dict[str, Any]) -> ShipmentRequest:
    return ShipmentRequest(
        client_order_code=str(data["client_order_code"]), to=Address(**data["to"]),
        parcel=Parcel(**data["parcel"]), service_id=data.get("service_id"),
        service_type_id=data.get("service_type_id"),
        required_note=RequiredNote(data.get("required_note") or RequiredNote.VIEW),
        payment_type_id=int(data.get("payment_type_id") or 1),
        content=str(data.get("content") or ""), note=str(data.get("note") or ""),
        items=tuple(data.get("items") or ()),
    )  # fmt: skip


def create_retried(session: Session, action: OutboxMessage, now: datetime) -> None:
    """A failed shipment create sent again (the Sync panel's Retry): refused (Conflict)
    when its order can no longer ship that shipment (cancelled or shipped meanwhile,
    edited since, the account removed); else its shipment is queued again, the order's
    live one. The next delivery looks for it at the carrier before creating it
    (`_deliver_one`: a create tried before)."""
    if action.kind != "shipment.create":
        return
    ship = _shipment(session, _ship_id(action))
    if ship.carrier_order_code:
        return  # the carrier has it: the delivery records it
    order = _order(session, ship.order_id)
    others = session.exec(select(Shipment).where(Shipment.order_id == ship.order_id,
                                                 Shipment.id != ship.id)).all()  # fmt: skip
    refusal = (
        msg("Shipment {shipment} was cancelled: ship the order again instead.",
            shipment=ship.client_order_code)
        if ship.status == "cancel"
        else shipping_refusal(order, others)
        or _account_refusal(_account(session, ship.carrier_account_id))
        or _changed_after(order, ship)
    )  # fmt: skip
    if refusal is not None:
        raise Conflict(refusal)
    if ship.status == "failed":
        ship.status = QUEUED
        ship.updated_at = now
        session.add(ship)


def _changed_after(order: Order, ship: Shipment) -> Message | None:
    # Any change (an edit once the create had failed, a payment) may have made the
    # shipment's COD, weight or address wrong; a new shipment takes the order as it is.
    if aware(order.updated_at) <= aware(ship.created_at):
        return None
    return msg("Order {order} changed since the shipment was prepared. Prepare the "
               "shipment again.", order=order.external_id)  # fmt: skip


def create_discarded(session: Session, action: OutboxMessage, now: datetime) -> None:
    """A shipment create given up on (the Sync panel's Discard): its shipment, which the
    carrier never gave a code, is settled, so its order can be cancelled, edited or
    shipped again: cancelled when it was never tried, failed otherwise."""
    if action.kind != "shipment.create":
        return
    ship = session.get(Shipment, _ship_id(action))
    if ship is None or ship.status != QUEUED or ship.carrier_order_code:
        return
    ship.status = "failed" if action.attempts or action.last_error else "cancel"
    ship.updated_at = now
    session.add(ship)
    session.flush()
    _show_live_tracking(session, ship.order_id)


def _ship_id(action: OutboxMessage) -> int:
    return int(action.intent_key.rsplit(":", 1)[1])


def _shipment(session: Session, shipment_id: int) -> Shipment:
    ship = session.get(Shipment, shipment_id)
    if ship is None:
        raise NotFound(
            msg("Shipment {shipment_id} no longer exists.", shipment_id=str(shipment_id))
        )
    return ship


def _ship_view(session: Session, ship: Shipment) -> ShipmentView:
    assert ship.id is not None
    account = _account(session, ship.carrier_account_id)
    actions = session.exec(
        select(OutboxMessage.kind, OutboxMessage.status, OutboxMessage.last_error).where(
            col(OutboxMessage.intent_key).in_([_intent("shipment.create", ship),
                                               _intent("shipment.cancel", ship)]))
        .order_by(col(OutboxMessage.updated_at).desc(), col(OutboxMessage.id).desc())
    ).all()  # fmt: skip
    last_error = next((error for _k, _s, error in actions if error is not None), None)
    kind, status = (actions[0][0], str(actions[0][1])) if actions else (None, None)
    return ShipmentView(ship.id, ship.order_id, ship.carrier_account_id,
                        CarrierCode(account.carrier), account.name, ship.client_order_code,
                        ship.carrier_order_code, ship.status, ship.fee, ship.cod_amount,
                        ship.label_path, last_error, aware(ship.updated_at), kind,
                        status)  # fmt: skip


def order_shipments(ctx: ServiceContext, order_id: int) -> list[ShipmentView]:
    """The order's shipments, newest first."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        rows = session.exec(select(Shipment).where(Shipment.order_id == order_id)
                            .order_by(col(Shipment.id).desc())).all()  # fmt: skip
        return [_ship_view(session, s) for s in rows]


@dataclass(frozen=True)
class OpenShipment:
    """A shipment not delivered, returned or dead yet, with its order's number."""

    order: str
    view: ShipmentView


def open_shipments(ctx: ServiceContext, limit: int = 1_000) -> list[OpenShipment]:
    """The shipments still on the way (or waiting to be sent), oldest first."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        rows = session.exec(
            select(Shipment, Order.external_id)
            .join(Order, col(Order.id) == Shipment.order_id)
            .where(col(Shipment.status).not_in([*FINAL_STATUSES, *DEAD]))
            .order_by(col(Shipment.id)).limit(limit)
        ).all()  # fmt: skip
        return [OpenShipment(str(external), _ship_view(session, ship)) for ship, external in rows]


# --------------------------------------------------------------------------- delivery


@dataclass
class CarrierDeliveryReport:
    delivered: int = 0
    #: Found already done at the carrier (after a crash mid-call): not sent again.
    confirmed_remotely: int = 0
    retrying: int = 0
    failed: int = 0
    #: A carrier gave no answer or answered with an error (HTTP 5xx): its actions wait.
    offline: bool = False
    #: Of those, one gave no answer at all: the network is down (the status bar's Offline).
    unreachable: bool = False
    messages: list[str] = field(default_factory=list)


class _Stop(Exception):
    """The account's remaining messages wait for the next run."""


def deliver_carrier_outbox(ctx: ServiceContext, *, factory: CarrierFactory = carrier_for,
                           limit: int = 200,
                           due_only: bool = True) -> CarrierDeliveryReport:  # fmt: skip
    """Send the due shipment actions, in id order per carrier account. Without `due_only`
    (Send now in the Sync panel, `outbox --deliver`) a waiting action goes even before its
    delay has passed (one in progress still waits for its claim or its look-up), and a
    failed try leaves the next automatic one where it was. The status bar follows: its
    counts, and Offline while a carrier cannot be reached, as for the marketplaces."""
    ctx.require(Module.ORDERS)
    report = CarrierDeliveryReport()
    _deliver_due(ctx, factory, limit, due_only, report)
    _show_in_status_bar(ctx, report)
    return report


def _show_in_status_bar(ctx: ServiceContext, report: CarrierDeliveryReport) -> None:
    from primedist.services.outbox_delivery import failed_count, held_count, waiting_count
    from primedist.services.sync import SYNC_STATE

    SYNC_STATE.update(waiting=waiting_count(ctx), failed=failed_count(ctx), held=held_count(ctx))
    if report.unreachable:
        SYNC_STATE.update(offline=True)
    elif report.delivered:
        SYNC_STATE.update(offline=False)  # the network works


def _deliver_due(ctx: ServiceContext, factory: CarrierFactory, limit: int, due_only: bool,
                 report: CarrierDeliveryReport) -> None:  # fmt: skip
    now = ctx.clock.now()
    with ctx.uow() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.carrier_account_id).is_not(None),
                   col(OutboxMessage.status).in_(order_svc_waiting()))
            .order_by(col(OutboxMessage.carrier_account_id), col(OutboxMessage.id)).limit(limit)
        ).all()  # fmt: skip
        for row in rows:
            session.expunge(row)
    by_account: dict[int, list[OutboxMessage]] = {}
    blocked: set[int] = set()
    for message in rows:
        account_id = int(message.carrier_account_id or 0)
        if account_id in blocked:
            continue
        waits = due_only or message.status == OutboxStatus.IN_PROGRESS  # see `_claim`
        if waits and aware(message.next_attempt_at) > now:
            blocked.add(account_id)  # in order: later actions wait behind this one
            continue
        by_account.setdefault(account_id, []).append(message)
    manual = not due_only
    for account_id, messages in by_account.items():
        try:
            client = factory(ctx, account_id)
        except ConnectorError as exc:
            _retry_later(ctx, messages[0], exc, report, manual=manual)
            continue
        try:
            for message in messages:
                _deliver_one(ctx, client, message, report, manual=manual)
        except _Stop:
            pass
        finally:
            client.close()


def _deliver_one(ctx: ServiceContext, client: Carrier, msg: OutboxMessage,
                 report: CarrierDeliveryReport, *, manual: bool = False) -> None:  # fmt: skip
    uncertain = _claim(ctx, msg)
    if uncertain is None:
        return
    try:
        payload = json.loads(msg.payload_json or "{}")
        ship_id = int(msg.intent_key.rsplit(":", 1)[1])
        with ctx.uow() as session:
            ship = _shipment(session, ship_id)
            session.expunge(ship)
        if msg.kind == "shipment.create":
            # Tried before and failed (a create sent again from the Sync panel too):
            # the carrier is asked first, the earlier try may have made the parcel.
            tried = uncertain or bool(msg.last_error)
            _send_create(ctx, client, ship, payload, tried, report)
        elif msg.kind == "shipment.cancel":
            _send_cancel(ctx, client, ship, uncertain, report)
        else:
            raise RemoteRejected(f"unknown shipment action {msg.kind!r}")
    except (TransientError, AuthError, UnclearAnswer) as exc:
        _retry_later(ctx, msg, exc, report, client, manual=manual)
        raise _Stop() from exc
    except (ConnectorError, NotFound, KeyError, TypeError, ValueError) as exc:
        text = exc.user_message if isinstance(exc, ConnectorError | NotFound) else repr(exc)
        _finish(ctx, msg, OutboxStatus.FAILED, text)
        if msg.kind == "shipment.create":
            _set_ship(ctx, int(msg.intent_key.rsplit(":", 1)[1]), status="failed")
        report.failed += 1
        report.messages.append(f"#{msg.id} {msg.kind}: {redact(text)}")
        return
    _finish(ctx, msg, OutboxStatus.DONE, None)
    report.delivered += 1


def _send_create(ctx: ServiceContext, client: Carrier, ship: Shipment,
                 payload: dict[str, Any], uncertain: bool,
                 report: CarrierDeliveryReport) -> None:  # fmt: skip
    # An earlier try may have reached the carrier: look before creating again.
    if uncertain and _found_at_carrier(ctx, client, ship, report):
        return
    request = _request_from_payload(payload)
    try:
        created = client.create(request)
    except ConnectorError as exc:
        if isinstance(exc, RemoteRejected | AuthError | TransientError):
            raise  # a refusal, or what _retry_later sorts into "may have acted" or not
        _look_after_unclear_create(ctx, client, ship, report, exc)
        return
    _record_created(ctx, ship, created.carrier_order_code, created.total_fee, None)


def _look_after_unclear_create(ctx: ServiceContext, client: Carrier, ship: Shipment,
                               report: CarrierDeliveryReport,
                               unclear: ConnectorError) -> None:  # fmt: skip
    """The create was answered without its order code (or unreadably): the carrier may
    hold the parcel, and failing the shipment would let a new one make a second parcel.
    Found now: recorded. Otherwise UnclearAnswer keeps the create waiting, in progress:
    the next try asks the carrier again before sending anything."""
    try:
        if _found_at_carrier(ctx, client, ship, report):
            return
    except ConnectorError:
        pass  # the lookup failed too: the next try looks again
    raise UnclearAnswer(unclear.user_message, code=unclear.code,
                        detail=unclear.detail) from unclear  # fmt: skip


def _found_at_carrier(ctx: ServiceContext, client: Carrier, ship: Shipment,
                      report: CarrierDeliveryReport) -> bool:  # fmt: skip
    """Whether the carrier has a shipment with our client order code (then recorded).
    A lookup that cannot say (a broken answer, a refusal) is UnclearAnswer: the create
    waits and asks again, it is not failed, as the parcel may exist."""
    try:
        found = client.detail_by_client_code(ship.client_order_code)
    except (TransientError, AuthError):
        raise
    except ConnectorError as exc:
        raise UnclearAnswer(exc.user_message, code=exc.code, detail=exc.detail) from exc
    if found is None:
        return False
    report.confirmed_remotely += 1
    _record_created(ctx, ship, found.carrier_order_code, found.total_fee or 0, found)
    return True


def _record_created(ctx: ServiceContext, ship: Shipment, code: str, fee: int,
                    state: ShipmentState | None) -> None:  # fmt: skip
    assert ship.id is not None
    status = state.status if state is not None else "ready_to_pick"
    with ctx.uow() as session:
        row = _shipment(session, ship.id)
        account = _account(session, row.carrier_account_id)
        row.carrier_order_code = code
        row.fee = fee
        # Failed too: a create given up on (or retried) that the carrier made after all.
        row.status = "ready_to_pick" if row.status in (QUEUED, "failed") else row.status
        row.updated_at = ctx.clock.now()
        session.add(row)
        order = _order(session, row.order_id)
        order.carrier = CARRIER_NAMES[CarrierCode(account.carrier)]
        order.tracking_number = code
        session.add(order)
        session.flush()
        _apply_status(ctx, session, row, order, status)


def _send_cancel(ctx: ServiceContext, client: Carrier, ship: Shipment, uncertain: bool,
                 report: CarrierDeliveryReport) -> None:  # fmt: skip
    if ship.status in DEAD:
        return  # its create failed meanwhile: nothing at the carrier to cancel
    code = ship.carrier_order_code
    if not code:
        # Its create never came back with a code: cancelled here, unless the carrier has
        # it after all (a create that may have reached it), which is then cancelled there.
        found = client.detail_by_client_code(ship.client_order_code)
        if found is None or found.status == "cancel":
            _set_ship(ctx, int(ship.id or 0), status="cancel")
            return
        report.confirmed_remotely += 1
        _record_created(ctx, ship, found.carrier_order_code, found.total_fee or 0, found)
        code = found.carrier_order_code
    if uncertain:
        state = client.detail(code)
        if state is not None and state.status == "cancel":
            report.confirmed_remotely += 1
            _set_ship(ctx, int(ship.id or 0), status="cancel")
            return
    try:
        client.cancel(code, ship.client_order_code)
    except RemoteRejected:
        if _cancelled_after_all(ctx, client, ship, code):
            return
        raise
    _set_ship(ctx, int(ship.id or 0), status="cancel")


def _cancelled_after_all(ctx: ServiceContext, client: Carrier, ship: Shipment,
                         code: str) -> bool:  # fmt: skip
    """After the carrier refused a cancel, record where the parcel is: a refusal mostly
    means it was picked up meanwhile, and the shipment must not stay shown as waiting for
    pickup (Cancel offered again, the order left Confirmed). True when it is cancelled."""
    try:
        state = client.detail(code)
    except ConnectorError:
        return False  # the refusal is what the shop is told; the next poll reads it
    if state is None:
        return False
    apply_carrier_status(ctx, int(ship.id or 0), state.status)
    if state.status != "cancel":
        return False
    _set_ship(ctx, int(ship.id or 0), status="cancel")
    return True


def _set_ship(ctx: ServiceContext, ship_id: int, *, status: str) -> None:
    with ctx.uow() as session:
        row = session.get(Shipment, ship_id)
        if row is not None:
            row.status = status
            row.updated_at = ctx.clock.now()
            session.add(row)
            if status in DEAD:
                session.flush()
                _show_live_tracking(session, row.order_id)


def _show_live_tracking(session: Session, order_id: int) -> None:
    """The order's carrier and tracking code: its newest live shipment's, or none once the
    last one is cancelled or failed (so the order card does not show a dead parcel). A
    code that is none of its shipments' (an imported one) stays."""
    order = session.get(Order, order_id)
    if order is None:
        return
    ships = session.exec(select(Shipment).where(Shipment.order_id == order_id)
                         .order_by(col(Shipment.id).desc())).all()  # fmt: skip
    codes = {s.carrier_order_code for s in ships}
    if order.tracking_number and order.tracking_number not in codes:
        return
    live = next((s for s in ships if s.carrier_order_code and s.status not in DEAD), None)
    if live is None:
        order.carrier, order.tracking_number = None, None
    else:
        account = _account(session, live.carrier_account_id)
        order.carrier = CARRIER_NAMES[CarrierCode(account.carrier)]
        order.tracking_number = live.carrier_order_code
    session.add(order)


#: How long a claim keeps the action from every other delivery (the scheduler's job, the
#: ship dialogs' Send, another PC's): its next try is pushed this far. Longer than a send
#: can take (a lookup and a create, each up to 4 tries of 20 s with backoff), so only a
#: dead process's claim (killed mid-send) runs out.
CLAIM_LEASE = timedelta(minutes=15)


def _claim(ctx: ServiceContext, msg: OutboxMessage) -> bool | None:
    """pending, or in progress and due (waiting to ask the carrier, or a dead process's
    claim run out) → in progress, committed before the call. True when an earlier try may
    have reached the carrier; None when it is gone. Another delivery sending it now:
    `_Stop`, the account's later actions wait behind it."""
    now = ctx.clock.now()
    c = outbox_t.c
    free = sa.or_(c.status == OutboxStatus.PENDING,
                  sa.and_(c.status == OutboxStatus.IN_PROGRESS,
                          c.next_attempt_at <= now))  # fmt: skip
    with ctx.uow() as session:
        conn = session.connection()
        res = conn.execute(
            sa.update(outbox_t).where(c.id == msg.id, free)
            .values(status=OutboxStatus.IN_PROGRESS, attempts=c.attempts + 1, updated_at=now,
                    next_attempt_at=now + CLAIM_LEASE)
        )  # fmt: skip
        if res.rowcount != 1:
            status = conn.execute(sa.select(c.status).where(c.id == msg.id)).scalar()
            if status == OutboxStatus.IN_PROGRESS:
                raise _Stop()
            return None
    return bool(msg.status == OutboxStatus.IN_PROGRESS)


def _finish(ctx: ServiceContext, msg: OutboxMessage, status: OutboxStatus,
            error: str | None) -> None:  # fmt: skip
    now = ctx.clock.now()
    with ctx.uow() as session:
        conn = session.connection()
        conn.execute(
            sa.update(outbox_t).where(outbox_t.c.id == msg.id)
            .values(status=status, updated_at=now, last_error=error and redact(error)[:ERROR_MAX],
                    delivered_at=now if status == OutboxStatus.DONE else None)
        )  # fmt: skip
        _settle(conn, msg.order_id)


def _settle(conn: sa.Connection, order_id: int | None) -> None:
    """Clear the order's "waiting" mark once none of its actions wait."""
    if order_id is None:
        return
    waiting = conn.execute(sa.select(sa.func.count()).where(
        outbox_t.c.order_id == order_id,
        outbox_t.c.status.in_(order_svc_waiting()))).scalar_one()  # fmt: skip
    if not waiting:
        orders_t = table_of(Order)
        conn.execute(sa.update(orders_t).where(orders_t.c.id == order_id)
                     .values(outbox_pending=False))  # fmt: skip


def _retry_later(ctx: ServiceContext, msg: OutboxMessage, exc: ConnectorError,
                 report: CarrierDeliveryReport, client: Carrier | None = None, *,
                 manual: bool = False) -> None:  # fmt: skip
    """A later try; a `manual` one (Send now) never puts the next automatic try later."""
    from primedist.services.outbox_delivery import next_try

    now = ctx.clock.now()
    attempts = (msg.attempts or 0) + 1
    give_up = isinstance(exc, TransientError | UnclearAnswer) and attempts >= MAX_ATTEMPTS
    if isinstance(exc, TransientError):
        report.offline = True
    if isinstance(exc, Unreachable):
        report.unreachable = True
    error: str = exc.user_message
    if give_up and msg.kind == "shipment.create":
        settled = _give_up_create(ctx, client, msg, exc, report)
        if settled is None:
            return  # the carrier had it after all: recorded, the action done
        error = settled
    with ctx.uow() as session:
        # Still in progress when a call may have acted (a timeout, an unclear answer, or
        # an earlier try's): the next try asks the carrier first. A refused connection
        # or a 429 certainly did not act.
        session.connection().execute(
            sa.update(outbox_t).where(outbox_t.c.id == msg.id)
            .values(status=OutboxStatus.FAILED if give_up else _after_transient(msg, exc),
                    next_attempt_at=next_try(now, attempts,
                                             msg.next_attempt_at if manual else None),
                    updated_at=now,
                    last_error=redact(error)[:ERROR_MAX])
        )  # fmt: skip
        if give_up:  # nothing left to send for the order: no "waiting" mark
            _settle(session.connection(), msg.order_id)
    if give_up:
        report.failed += 1
    else:
        report.retrying += 1
    report.messages.append(f"#{msg.id} {msg.kind}: {redact(error)}")


def _give_up_create(ctx: ServiceContext, client: Carrier | None, action: OutboxMessage,
                    exc: ConnectorError, report: CarrierDeliveryReport) -> str | None:  # fmt: skip
    """The last try of a create failed: its shipment fails, so the order can be cancelled,
    edited or shipped again; returns the error the action keeps. A try that may have
    reached the carrier is first looked up by our client order code: found, it is
    recorded, the action done and None returned (a failed one would make a second parcel).
    When the carrier cannot be asked, the shipment fails all the same (else the order
    stays stuck for as long as the outage lasts) and the error tells to look first."""
    ship_id = int(action.intent_key.rsplit(":", 1)[1])
    with ctx.uow() as session:
        ship = _shipment(session, ship_id)
        session.expunge(ship)
    may_exist = _after_transient(action, exc) == OutboxStatus.IN_PROGRESS
    if may_exist and client is not None:
        try:
            if _found_at_carrier(ctx, client, ship, report):
                _finish(ctx, action, OutboxStatus.DONE, None)
                report.delivered += 1
                return None
            may_exist = False
        except ConnectorError:
            pass  # the lookup failed too: nobody can say
    _fail_queued(ctx, ship_id)
    if not may_exist:
        return exc.user_message
    return msg("{error} The carrier could not be asked whether it made shipment {shipment}: "
               "look for it on the carrier's site before shipping the order again.",
               shipment=ship.client_order_code, error=exc.user_message)  # fmt: skip


def _fail_queued(ctx: ServiceContext, ship_id: int) -> None:
    """A shipment the carrier never took becomes failed (not one recorded meanwhile)."""
    with ctx.uow() as session:
        row = session.get(Shipment, ship_id)
        if row is not None and row.status == QUEUED and not row.carrier_order_code:
            row.status = "failed"
            row.updated_at = ctx.clock.now()
            session.add(row)


def _after_transient(msg: OutboxMessage, exc: ConnectorError) -> OutboxStatus:
    # `msg` is the row as read before this try: in progress = an earlier try may have
    # acted, which this one (e.g. a lookup that could not connect) does not undo.
    if msg.status == OutboxStatus.IN_PROGRESS or isinstance(exc, UnclearAnswer):
        return OutboxStatus.IN_PROGRESS
    text = exc.user_message.lower()
    maybe_acted = "did not answer" in text or "http 5" in text
    return OutboxStatus.IN_PROGRESS if maybe_acted else OutboxStatus.PENDING


# --------------------------------------------------------------------------- tracking


@dataclass
class PollReport:
    checked: int = 0
    changed: int = 0
    errors: list[str] = field(default_factory=list)
    #: Accounts whose credentials the carrier refused (id → why), and those it answered.
    refused: dict[int, str] = field(default_factory=dict)
    tracked: set[int] = field(default_factory=set)


def poll_shipments(ctx: ServiceContext, *, factory: CarrierFactory = carrier_for,
                   limit: int = 500, order_id: int | None = None) -> PollReport:  # fmt: skip
    """Read every open shipment's state (or only `order_id`'s) and move its order along."""
    ctx.require(Module.ORDERS)
    report = PollReport()
    query = (
        select(Shipment.id, Shipment.carrier_account_id, Shipment.carrier_order_code)
        .where(col(Shipment.carrier_order_code).is_not(None),
               col(Shipment.status).not_in([*FINAL_STATUSES, *DEAD]))
        .order_by(col(Shipment.carrier_account_id), col(Shipment.id)).limit(limit)
    )  # fmt: skip
    if order_id is not None:
        query = query.where(Shipment.order_id == order_id)
    with ctx.uow() as session:
        rows = session.exec(query).all()
    by_account: dict[int, list[tuple[int, str]]] = {}
    for ship_id, account_id, code in rows:
        by_account.setdefault(int(account_id), []).append((int(ship_id or 0), str(code)))
    for account_id, ships in by_account.items():
        try:
            client = factory(ctx, account_id)
        except ConnectorError as exc:
            report.errors.append(exc.user_message)
            if isinstance(exc, AuthError):
                report.refused[account_id] = exc.user_message
            continue
        try:
            for ship_id, code in ships:
                try:
                    state = client.detail(code)
                except ConnectorError as exc:
                    report.errors.append(f"{code}: {exc.user_message}")
                    if isinstance(exc, AuthError):
                        report.refused[account_id] = exc.user_message
                    if isinstance(exc, TransientError | AuthError):
                        break  # the account's other shipments will fail the same way
                    continue
                report.tracked.add(account_id)
                report.checked += 1
                if state is not None and apply_carrier_status(ctx, ship_id, state.status):
                    report.changed += 1
        finally:
            client.close()
    return report


def apply_carrier_status(ctx: ServiceContext, shipment_id: int, status: str) -> bool:
    """Record the carrier's status on the shipment and move the order; returns whether
    anything changed."""
    ctx.require(Module.ORDERS)
    with ctx.uow(write=True) as session:
        ship = _shipment(session, shipment_id)
        order = _order(session, ship.order_id)
        changed = ship.status != status
        if changed:
            ship.status = status
            ship.updated_at = ctx.clock.now()
            session.add(ship)
            if status in ATTENTION:
                _post_attention(ctx, session, ship, order)
        moved = _apply_status(ctx, session, ship, order, status)
    if ORDER_STATUS_FOR.get(status) == OrderStatus.RETURNED:
        moved = _finish_return(ctx, order.id or 0, ship) or moved
    return changed or moved


def _post_attention(ctx: ServiceContext, session: Session, ship: Shipment, order: Order) -> None:
    """Home's feed: a parcel the owner must see to (lost, damaged, coming back)."""
    account = _account(session, ship.carrier_account_id)
    activity.post(session, ActivityKind.SHIPMENT, ctx.clock.now(), shop_id=order.shop_id,
                  code=ship.carrier_order_code or ship.client_order_code,
                  order=order.external_id, order_id=order.id,
                  carrier=CARRIER_NAMES[CarrierCode(account.carrier)],
                  status=ship.status)  # fmt: skip


def _apply_status(ctx: ServiceContext, session: Session, ship: Shipment, order: Order,
                  status: str) -> bool:  # fmt: skip
    """Walk the order forward to what `status` means (history source `carrier`)."""
    now = ctx.clock.now()
    account = _account(session, ship.carrier_account_id)
    who = CARRIER_NAMES[CarrierCode(account.carrier)]
    # "GHN: Picked up", read back in the reader's words by ui/orders/detail.py.
    note = msg("{carrier}: {status}", carrier=who, status=status_text(status))
    if status in TROUBLE and not order.flagged:
        order.flagged = True
        order.updated_at = now
        session.add(order)
        order_svc._add_history(session, ctx, order, order.status, order.status, now,
                               note=note, source="carrier")  # fmt: skip
        return True
    target = ORDER_STATUS_FOR.get(status)
    if target == OrderStatus.RETURNED:
        target = OrderStatus.RETURN_REFUND  # the last step restocks: return_order does it
    path = _forward_path(order.status, target) if target is not None else []
    for step in path:
        before = order.status
        verb = order_svc._stock_verb(order.stock_state, step)
        if verb is not None:
            order_svc._apply_stock(ctx, session, order, verb)
        order.status = step
        order.updated_at = now
        if step == OrderStatus.COMPLETED and order.completed_at is None:
            order.completed_at = now
        order_svc._add_history(session, ctx, order, before, step, now, note=note,
                               source="carrier")  # fmt: skip
    if path:
        session.add(order)
        session.flush()
        orders_changed(session.connection(), [order.id or 0], now=now)
    return bool(path)


def _forward_path(start: OrderStatus, target: OrderStatus) -> list[OrderStatus]:
    """The shortest chain of allowed transitions from start to target (never through
    cancelled); [] when the order is there already or past it."""
    if start == target:
        return []
    frontier: list[list[OrderStatus]] = [[start]]
    seen = {start}
    while frontier:
        nxt = []
        for chain in frontier:
            for step in TRANSITIONS[chain[-1]] - {OrderStatus.CANCELLED}:
                if step == target:
                    return chain[1:] + [step]
                if step not in seen:
                    seen.add(step)
                    nxt.append(chain + [step])
        frontier = nxt
    return []


def _finish_return(ctx: ServiceContext, order_id: int, ship: Shipment) -> bool:
    """The parcel is back: every item left is restocked and refunded as returning it by
    hand refunds (`orders._owed_back`: the rest of the total; for an undelivered COD order
    only what was paid towards it, an exchange's credit). History source `carrier`."""
    with ctx.uow() as session:
        order = _order(session, order_id)
        if order.status != OrderStatus.RETURN_REFUND:
            return False
        left = {int(ln.id or 0): ln.quantity - ln.returned_quantity
                for ln in session.exec(
                    select(OrderLine).where(OrderLine.order_id == order_id))}  # fmt: skip
        refund = order_svc._owed_back(order, order_svc.paid_towards_in(session, order))
    if not any(left.values()):
        return False
    reason = msg("Returned by the carrier ({shipment})",
                 shipment=str(ship.carrier_order_code or ship.client_order_code))  # fmt: skip
    # The carrier's fact, not a till's choice: no refund right asked (`_return_order`).
    order_svc._return_order(ctx, order_id, left, refund_amount=refund, reason=reason,
                            source="carrier")  # fmt: skip
    return True


# --------------------------------------------------------------------------- label


def label_file(ctx: ServiceContext, shipment_id: int, *,
               factory: CarrierFactory = carrier_for) -> Path:  # fmt: skip
    """The carrier's label on disk (fetched once, then reused)."""
    ctx.require(Module.ORDERS)
    if ctx.settings is None:
        raise StoreError(msg("No data directory: the label has nowhere to go."))
    with ctx.uow() as session:
        ship = _shipment(session, shipment_id)
        if ship.label_path and Path(ship.label_path).is_file():
            return Path(ship.label_path)
        if not ship.carrier_order_code:
            raise Conflict(msg("The shipment is not created with the carrier yet: no label."))
        code, account_id = ship.carrier_order_code, ship.carrier_account_id
    client = factory(ctx, account_id)
    try:
        doc = client.label(code)
    finally:
        client.close()
    path = _write_label(ctx.settings.data_dir / "labels", code, doc)
    with ctx.uow() as session:
        row = _shipment(session, shipment_id)
        row.label_path = str(path)
        session.add(row)
    return path


def _write_label(folder: Path, code: str, doc: LabelDocument) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c for c in code if c.isalnum() or c in "-_") or "label"
    target = folder / f"{safe}{doc.suffix}"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as out:
        out.write(doc.content)
    os.replace(tmp, target)  # complete or not at all
    return target
