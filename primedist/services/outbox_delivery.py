"""Delivering the outbox: every queued marketplace action sent once, in order per shop.

A message goes through three committed steps:

1. **claim**: `pending → in_progress`, attempts + 1 (its own transaction, before any call);
2. **send** the call to the platform;
3. **mark**: `done` (with `delivered_at`), or back to `pending` with a later
   `next_attempt_at` for a passing failure, or `failed` with the platform's message.

A passing failure (network down, timeout, HTTP 5xx, rate or daily limit, lost
authorisation) never uses up a message: it waits, backing off up to BACKOFF_MAX, for as
long as the outage lasts, and goes out once the platform answers again. Only the
platform refusing the action (or the action not being sendable) marks it failed; a failed
or discarded action no longer keeps its order "waiting for the marketplace", and the order
follows the platform again: the next sync or re-fetch that sees it writes the platform's
status back over the local one (a refused cancel reads its order again at once).

"Offline" is a platform that gave no answer at all (`Unreachable`: the network is down);
one that answered with an error (HTTP 5xx, a rate limit) is a `marketplace_error`.

The scheduler sends only the messages whose delay has passed (`due_only`); a manual
delivery (Send now, `primedist outbox --deliver`) sends every waiting message at once, the
shipment actions of the shop's own carriers too (`shipping.deliver_carrier_outbox`). A
manual try that fails never puts the next automatic one later (`next_try`): pressing Send
now while offline does not make the app wait longer once the network is back. What tells
that the platform answers again makes the shop's waiting messages due at once
(`wake_shop_actions`), so they do not sit out a long backoff after an outage: a successful
sync of the shop, a message delivered to it, the shop authorised again.

A shop the owner disconnected is not called at all: its messages are kept, each noting
why it waits (`SHOP_DISCONNECTED`, shown by the Sync panel), and go out once the shop is
authorised again (`wake_shop_actions`). So for a shop not set up yet (no app credentials,
not linked: `channels.ShopNotReady`, the demo's Lazada shop): its messages wait noting the
reason, no try is used and the marketplace is not asked; each delivery only reads the
shop's setup again (no call), so they go at the first delivery after the owner adds the
credentials or authorises the shop. Both are "held" (`held_count`): they wait for the
owner, not for the network.

A claim keeps the message from every other delivery (the scheduler's run and Send now at
the same time) for CLAIM_LEASE. If the process dies between 2 and 3 the message stays
`in_progress`; once its claim has run out, the next delivery does not resend it blindly:
for an order action it first asks the platform for the order's state
(`Connector.order_state`): already confirmed/cancelled there means the call got through,
so it is only marked done. Stock and price pushes set absolute values,
so sending one again is harmless (idempotent by nature).

Per shop, messages go strictly in id order: when one cannot be delivered now (network,
rate limit, authorisation, daily limit) the shop's later messages wait too, so a cancel
is never sent before the confirm queued ahead of it.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from primedist.connectors.base import (
    Action,
    AuthError,
    ConnectorError,
    DailyLimitReached,
    NotSupported,
    PriceUpdate,
    RateLimited,
    RemoteRejected,
    StockUpdate,
    TransientError,
    Unreachable,
)
from primedist.core.messages import Label, Message, msg
from primedist.core.security import redact
from primedist.db.product_summary import chunks
from primedist.domain.base import table_of
from primedist.domain.carrier import CarrierAccount
from primedist.domain.enums import Channel, Module, OrderStatus, OutboxStatus, ShopStatus
from primedist.domain.order import Order
from primedist.domain.price_schedule import PriceSchedule, PriceScheduleItem, ScheduleState
from primedist.domain.product import Product, ProductListing, Variant, VariantListing
from primedist.domain.shop import Shop
from primedist.domain.sync import OutboxMessage
from primedist.errors import Conflict, NotFound
from primedist.services.channels import (
    NO_APP_CREDENTIALS,
    NOT_LINKED_YET,
    ShopNotReady,
    has_tokens,
    mark_needs_reauth,
)
from primedist.services.context import ServiceContext
from primedist.services.sync import SYNC_STATE, Connector, ConnectorFactory, default_connector
from primedist.services.sync_writer import ShopRef, aware, write_batch

if TYPE_CHECKING:
    from primedist.services.shipping import CarrierFactory

log = logging.getLogger(__name__)

outbox_t = table_of(OutboxMessage)
orders_t = table_of(Order)
shops_t = table_of(Shop)
variants_t = table_of(Variant)
products_t = table_of(Product)
schedules_t = table_of(PriceSchedule)
schedule_items_t = table_of(PriceScheduleItem)

#: Backoff between tries: base * 2**(attempts-1) with jitter, capped.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=2)
#: The least a backoff waits (the first one, with all its jitter off).
SHORTEST_BACKOFF = BACKOFF_BASE / 2
#: 30 s * 2**8 is past BACKOFF_MAX already; a bigger power would only overflow timedelta
#: after days offline (the attempts keep counting).
_BACKOFF_DOUBLINGS = 8
#: Messages taken per delivery run.
RUN_LIMIT = 500
ERROR_MAX = 500

#: Remote statuses that prove an order action already took effect on the platform.
_DONE_WHEN = {
    "order.confirm": frozenset({OrderStatus.CONFIRMED, OrderStatus.SHIPPING,
                                OrderStatus.COMPLETED, OrderStatus.RETURN_REFUND,
                                OrderStatus.RETURNED}),
    "order.cancel": frozenset({OrderStatus.CANCELLED}),
}  # fmt: skip
WAITING = (OutboxStatus.PENDING, OutboxStatus.IN_PROGRESS)
#: Why a disconnected shop's actions wait, kept as their last message (the Sync panel
#: shows it): not an error, nothing is tried until the shop is authorised again.
SHOP_DISCONNECTED = msg(
    "The shop is disconnected: this waits until the shop is authorised again in Settings → "
    "Sales channels."
)
#: The notes of a shop not set up yet (`ShopNotReady`), as LIKE patterns: the connector's
#: reason names the shop, so a note is known by its template.
_NOT_READY_NOTES = tuple(
    "%".join(re.sub(r"([%_\\])", r"\\\1", part) for part in re.split(r"\{\w+\}", m.template))
    for m in (NO_APP_CREDENTIALS, NOT_LINKED_YET)
)


class _Stop(Exception):
    """This shop's remaining messages wait for the next run."""


@dataclass
class DeliveryReport:
    delivered: int = 0
    #: Marked done after the platform showed the action already took effect.
    confirmed_remotely: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    #: A platform gave no answer (network down): its actions wait.
    offline: bool = False
    #: A platform answered with an error (HTTP 5xx, a rate limit): its actions wait.
    marketplace_error: bool = False
    #: A carrier (GHN, J&T) could not be reached or answered with an error: its shipment
    #: actions wait (a manual delivery sends them too).
    carrier_offline: bool = False
    waiting: int = 0
    #: Of those waiting, the actions of disconnected shops (not tried: kept for later).
    held: int = 0
    #: Of those waiting, the actions of shops not set up yet (no app credentials, not
    #: linked): not tried, sent once the owner sets the shop up in Sales channels.
    not_ready: int = 0
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.delivered} delivered, {self.retrying} to retry, {self.failed} failed; "
            f"{self.waiting} waiting"
        )
        if self.held:
            text += f" ({self.held} for disconnected shops, sent once authorised again)"
        if self.not_ready:
            text += (f" ({self.not_ready} for shops not linked yet, sent once linked in "
                     "Sales channels)")  # fmt: skip
        if self.offline:
            return text + " (offline)"
        if self.marketplace_error:
            return text + " (the marketplace answered with an error; will retry)"
        if self.carrier_offline:
            return text + " (a carrier cannot be reached; will retry)"
        return text


def deliver_outbox(
    ctx: ServiceContext,
    *,
    factory: ConnectorFactory = default_connector,
    shop_ids: Sequence[int] | None = None,
    limit: int = RUN_LIMIT,
    due_only: bool = False,
    carrier_factory: CarrierFactory | None = None,
) -> DeliveryReport:
    """Send the waiting messages, in order per shop (see the module docstring).

    `due_only` (the scheduler): only those whose delay has passed. Without it (Send now,
    `outbox --deliver`: the user asks for it) the delay is ignored, and the shipment
    actions of the carriers are sent too (of every shop: `shop_ids` not given), with
    `carrier_factory` (the carrier clients; by default the accounts' own)."""
    ctx.require(Module.ORDERS)
    report = DeliveryReport()
    report.held = _hold_disconnected(ctx, shop_ids)
    due = _due(ctx, shop_ids, limit, due_only=due_only)
    by_shop: dict[int, list[OutboxMessage]] = {}
    for action in due:
        if action.shop_id is not None:
            by_shop.setdefault(action.shop_id, []).append(action)
    for shop_id, messages in by_shop.items():
        _deliver_shop(ctx, shop_id, messages, factory, report, manual=not due_only)
    unreachable = False
    if not due_only and shop_ids is None:  # the scheduler has its own job for them
        unreachable = _deliver_carriers(ctx, carrier_factory, report)
    report.waiting = waiting_count(ctx)
    SYNC_STATE.update(waiting=report.waiting, failed=failed_count(ctx), held=held_count(ctx))
    if report.offline or unreachable:
        SYNC_STATE.update(offline=True)
    elif report.marketplace_error:
        SYNC_STATE.update(offline=False, marketplace_error=True)  # it answered: not offline
    elif report.delivered:
        SYNC_STATE.update(offline=False, marketplace_error=False)
    return report


def _deliver_carriers(
    ctx: ServiceContext, factory: CarrierFactory | None, report: DeliveryReport
) -> bool:
    """Send the carriers' shipment actions too (the Sync panel lists them beside the
    marketplaces'), everything waiting; what they did adds up in `report`. True when a
    carrier could not be reached at all (the network is down)."""
    from primedist.services import shipping  # not at the top: shipping imports this

    sent = shipping.deliver_carrier_outbox(
        ctx, factory=factory or shipping.carrier_for, due_only=False
    )
    report.delivered += sent.delivered
    report.confirmed_remotely += sent.confirmed_remotely
    report.retrying += sent.retrying
    report.failed += sent.failed
    report.carrier_offline = sent.offline
    report.messages += sent.messages
    return sent.unreachable


def _due(
    ctx: ServiceContext, shop_ids: Sequence[int] | None, limit: int, *, due_only: bool = True
) -> list[OutboxMessage]:
    now = ctx.clock.now()
    with ctx.uow() as session:
        stmt = (
            select(OutboxMessage)
            .where(col(OutboxMessage.status).in_(WAITING),
                   col(OutboxMessage.shop_id).is_not(None),
                   col(OutboxMessage.shop_id).not_in(_disconnected()))
            .order_by(col(OutboxMessage.shop_id), col(OutboxMessage.id))
            .limit(limit)
        )  # fmt: skip
        if shop_ids is not None:
            stmt = stmt.where(col(OutboxMessage.shop_id).in_(list(shop_ids)))
        rows = list(session.exec(stmt).all())
        for row in rows:
            session.expunge(row)
    # In order per shop: a shop's messages after one that is not due yet wait behind it.
    out: list[OutboxMessage] = []
    blocked: set[int | None] = set()
    for row in rows:
        if row.shop_id in blocked:
            continue
        if due_only and aware(row.next_attempt_at) > now:
            blocked.add(row.shop_id)
            continue
        out.append(row)
    return out


def _disconnected() -> sa.Select[Any]:
    """The ids of the shops the owner disconnected."""
    return sa.select(shops_t.c.id).where(shops_t.c.status == ShopStatus.DISCONNECTED)


def _hold_disconnected(ctx: ServiceContext, shop_ids: Sequence[int] | None) -> int:
    """Note on the waiting actions of the disconnected shops (of `shop_ids`) why they wait
    (those queued since the disconnect too); returns how many wait so."""
    c = outbox_t.c
    held = sa.and_(c.status.in_(WAITING), c.shop_id.in_(_disconnected().scalar_subquery()))
    if shop_ids is not None:
        held = sa.and_(held, c.shop_id.in_(list(shop_ids)))
    unnoted = sa.and_(held, c.status == OutboxStatus.PENDING,
                      c.last_error.is_distinct_from(str(SHOP_DISCONNECTED)))  # fmt: skip
    with ctx.uow() as session:
        conn = session.connection()
        count = int(conn.execute(sa.select(sa.func.count()).where(held)).scalar_one())
        fresh = count and conn.execute(sa.select(sa.exists().where(unnoted))).scalar_one()
    if fresh:  # seldom: right after an upgrade, or a stock change queued since
        with ctx.uow() as session:
            session.connection().execute(
                sa.update(outbox_t).where(unnoted)
                .values(last_error=str(SHOP_DISCONNECTED), updated_at=ctx.clock.now())
            )  # fmt: skip
    return count


def hold_shop_actions(conn: sa.Connection, shop_id: int, now: datetime) -> int:
    """In the caller's transaction, as the shop is disconnected: its waiting actions are
    kept (not discarded: the confirmations and cancellations are the owner's), each noting
    why it waits. Returns how many wait."""
    c = outbox_t.c
    waiting = sa.and_(c.shop_id == shop_id, c.status.in_(WAITING))
    conn.execute(
        sa.update(outbox_t).where(waiting, c.status == OutboxStatus.PENDING)
        .values(last_error=str(SHOP_DISCONNECTED), updated_at=now)
    )  # fmt: skip
    return int(conn.execute(sa.select(sa.func.count()).where(waiting)).scalar_one())


def _hold_not_ready(ctx: ServiceContext, shop_id: int, reason: str) -> int:
    """The shop is not set up yet (no app credentials, not linked): its waiting actions
    stay as they are (no try used, no later try: the next delivery reads the shop's setup
    again), each noting `reason` for the Sync panel. Returns how many wait so."""
    c = outbox_t.c
    note = redact(reason)[:ERROR_MAX]
    waiting = sa.and_(c.shop_id == shop_id, c.status.in_(WAITING))
    with ctx.uow() as session:
        conn = session.connection()
        conn.execute(
            sa.update(outbox_t)
            .where(waiting, c.status == OutboxStatus.PENDING, c.last_error.is_distinct_from(note))
            .values(last_error=note, updated_at=ctx.clock.now())
        )  # fmt: skip
        return int(conn.execute(sa.select(sa.func.count()).where(waiting)).scalar_one())


def _held_note() -> sa.ColumnElement[bool]:
    """The note of an action held for its shop (disconnected, or not set up yet)."""
    c = outbox_t.c
    return sa.or_(c.last_error == str(SHOP_DISCONNECTED),
                  *(c.last_error.like(p, escape="\\") for p in _NOT_READY_NOTES))  # fmt: skip


def _deliver_shop(
    ctx: ServiceContext,
    shop_id: int,
    messages: list[OutboxMessage],
    factory: ConnectorFactory,
    report: DeliveryReport,
    *,
    manual: bool = False,
) -> None:
    try:
        connector = factory(ctx, shop_id)
    except ShopNotReady as exc:  # the owner must act: trying again soon would not help
        _authorisation_lost(ctx, shop_id, exc)
        report.not_ready += _hold_not_ready(ctx, shop_id, str(exc))
        return
    except ConnectorError as exc:
        _retry_later(ctx, messages[0], exc, report, manual=manual)
        return
    delivered = report.delivered
    try:
        for action in messages:
            try:
                _deliver_one(ctx, connector, action, report, manual=manual)
            except _Stop:
                return
    finally:
        connector.close()
    if report.delivered > delivered:
        # The shop answers again: its actions still backing off (queued behind a delay
        # this run did not reach) go at the next run, not up to BACKOFF_MAX later.
        with ctx.uow() as session:
            wake_shop_actions(session.connection(), shop_id, ctx.clock.now(),
                              backing_off_only=True)  # fmt: skip


def _deliver_one(
    ctx: ServiceContext,
    connector: Connector,
    action: OutboxMessage,
    report: DeliveryReport,
    *,
    manual: bool = False,
) -> None:
    uncertain = _claim(ctx, action)
    if uncertain is None:
        return  # someone else delivered or discarded it meanwhile
    try:
        if uncertain and _already_done(connector, action):
            _mark_delivered(ctx, action, "already done on the platform")
            report.confirmed_remotely += 1
            report.delivered += 1
            return
        note = _send(ctx, connector, action)
    except (TransientError, AuthError, DailyLimitReached) as exc:
        _retry_later(ctx, action, exc, report, manual=manual, platform=_platform(connector))
        raise _Stop() from exc
    except (RemoteRejected, ConnectorError, _Unsendable) as exc:
        _mark_failed(ctx, action, failure_text(action.kind, _platform(connector), exc))
        report.failed += 1
        report.messages.append(f"#{action.id} {action.kind}: {redact(str(exc))}")
        if action.kind == "order.cancel" and _bring_back(ctx, connector, action):
            report.messages.append(f"#{action.id}: the order is back as the marketplace has it")
        return
    _mark_delivered(ctx, action, note)
    report.delivered += 1


#: How long a claim keeps the message from every other delivery (the scheduler's, Send
#: now, another PC's). Longer than a send can take (a check and a call, each up to 5 tries
#: of 20 s with backoff), so only a dead process's claim (killed mid-send) runs out.
CLAIM_LEASE = timedelta(minutes=15)


def _claim(ctx: ServiceContext, action: OutboxMessage) -> bool | None:
    """Take the message (committed before sending): a pending one, or one left in
    progress by a claim older than CLAIM_LEASE. True when an earlier attempt may have
    reached the platform: left in progress by a crash, or tried before (a timeout or a
    dropped answer can follow a call the platform did carry out); None when it is gone.
    Another delivery sending it now: `_Stop`, the shop's later messages wait behind it."""
    now = ctx.clock.now()
    c = outbox_t.c
    free = sa.or_(c.status == OutboxStatus.PENDING,
                  sa.and_(c.status == OutboxStatus.IN_PROGRESS,
                          c.updated_at <= now - CLAIM_LEASE))  # fmt: skip
    with ctx.uow() as session:
        conn = session.connection()
        taken = conn.execute(
            sa.update(outbox_t).where(c.id == action.id, free)
            .values(status=OutboxStatus.IN_PROGRESS, attempts=c.attempts + 1, updated_at=now)
            .returning(c.attempts, c.payload_json)
        ).first()  # fmt: skip
        if taken is None:
            status = conn.execute(sa.select(c.status).where(c.id == action.id)).scalar()
    if taken is None:
        if status == OutboxStatus.IN_PROGRESS:
            raise _Stop()
        return None
    # What is sent is what was claimed: a stock figure coalesced into the message since
    # the due list was read is the one the marketplace must get.
    action.payload_json = taken.payload_json
    return action.status == OutboxStatus.IN_PROGRESS or int(taken.attempts) > 1


def _already_done(connector: Connector, action: OutboxMessage) -> bool:
    wanted = _DONE_WHEN.get(action.kind)
    if wanted is None:
        return False  # pushes are absolute values: sending again is harmless
    state = connector.order_state(_payload(action)["external_id"])
    return state is not None and state.status in wanted


class _Unsendable(Exception):
    """The message cannot be sent as it is (no marketplace id yet, unknown kind)."""


def _payload(action: OutboxMessage) -> dict[str, Any]:
    try:
        data = json.loads(action.payload_json or "{}")
    except ValueError as exc:
        raise _Unsendable(f"unreadable payload: {exc}") from exc
    if not isinstance(data, dict):
        raise _Unsendable("unreadable payload")
    return data


def _send(ctx: ServiceContext, connector: Connector, action: OutboxMessage) -> str | None:
    """Make the call; returns a note for partial outcomes."""
    payload = _payload(action)
    if action.kind == "order.confirm":
        connector.confirm_order(str(payload["external_id"]))
        return None
    if action.kind == "order.cancel":
        reason = str(payload.get("reason") or "Cancelled by the seller")
        connector.cancel_order(str(payload["external_id"]), reason)
        return None
    if action.kind == "stock.push":
        item_id, model_id = _listing_ids(ctx, connector, action)
        results = connector.push_stock(
            [StockUpdate(item_id, model_id, max(0, int(payload["available"])))]
        )
        return _push_outcome(results)
    if action.kind == "listing.upsert":
        return _push_prices(ctx, connector, payload)
    raise _Unsendable(f"unknown action {action.kind!r}")


def _push_outcome(results: Sequence[Any]) -> str | None:
    failed = [r for r in results if not r.ok]
    if failed and len(failed) == len(results):
        raise RemoteRejected("; ".join(f"{r.model_id or r.item_id}: {r.message}" for r in failed))
    if failed:
        return "partly failed: " + "; ".join(f"{r.model_id}: {r.message}" for r in failed)
    return None


def _listing_ids(
    ctx: ServiceContext, connector: Connector, action: OutboxMessage
) -> tuple[str, str | None]:
    """(item id, model id) of the variant listing a stock push is for."""
    vl_id = int(action.intent_key.rsplit(":", 1)[1])
    with ctx.uow() as session:
        vl = session.get(VariantListing, vl_id)
        listing = session.get(ProductListing, vl.listing_id) if vl else None
        if vl is None or listing is None:
            raise _Unsendable(str(LISTING_GONE))
        fetch = _can_fetch(connector)
        if not listing.external_id:
            raise _Unsendable(str(NO_ITEM_ID_FETCH if fetch else NO_ITEM_ID_FROM_ORDERS))
        if vl.external_id is None and _siblings_have_models(session, vl):
            # The item has variations and this variant is not one of them: a model id of 0
            # would be refused (or, worse, land on the item itself).
            raise _Unsendable(str(NO_MODEL_ID_FETCH if fetch else NO_MODEL_ID_FROM_ORDERS))
        return listing.external_id, vl.external_id


def _siblings_have_models(session: Session, vl: VariantListing) -> bool:
    """Another variant of the same listing has a model id (the item has variations)."""
    found = session.exec(
        select(VariantListing.id)
        .where(
            col(VariantListing.listing_id) == vl.listing_id,
            col(VariantListing.id) != vl.id,
            col(VariantListing.external_id).is_not(None),
        )
        .limit(1)
    ).first()
    return found is not None


def _push_prices(ctx: ServiceContext, connector: Connector, payload: dict[str, Any]) -> str | None:
    """A listing already on the marketplace: push its variants' prices. Its item id is
    read now (a sync may have learnt it since the message was queued: a Retry then works)."""
    with ctx.uow() as session:
        listing = session.get(ProductListing, int(payload["listing_id"]))
        item_id = (listing.external_id if listing is not None else None) or payload.get(
            "listing_external_id"
        )
    if not item_id:
        raise _Unsendable(
            str(NOT_LISTED_FETCH if _can_fetch(connector) else NOT_LISTED_FROM_ORDERS)
        )
    item_id = str(item_id)
    with ctx.uow() as session:
        rows = session.exec(
            select(VariantListing.external_id, Variant.id, Variant.price, Variant.discount_price)
            .join(Variant, col(Variant.id) == col(VariantListing.variant_id))
            .where(col(VariantListing.listing_id) == int(payload["listing_id"]))
        ).all()
        discounts = {int(vid or 0): d for _m, vid, _p, d in rows if d is not None}
        ends = _sale_ends(session.connection(), discounts)
    if not rows:
        return "nothing to update"
    updates = [PriceUpdate(item_id, model, price, discount, ends.get(int(vid or 0)))
               for model, vid, price, discount in rows]  # fmt: skip
    note = _push_outcome(connector.push_price(updates))
    if discounts and Action.PUSH_SALE_PRICE not in connector.capabilities:
        note = "; ".join(n for n in (note, SALE_PRICE_NOT_SENT) if n)
    return note


#: The note of a delivered price push to a platform whose price update takes no discount
#: price (TikTok Shop, Shopee: their discounts are promotions of their own).
SALE_PRICE_NOT_SENT = (
    "the discount price is not sent to this marketplace (only the selling price is): set "
    "the sale in its Seller Center"
)


def _sale_ends(conn: sa.Connection, discounts: dict[int, int]) -> dict[int, datetime]:
    """Variant id → when the running scheduled sale that set its discount price ends (the
    marketplace ends it then, even if this PC is off), for the `discounts` (variant id →
    discount price now) still at the price the sale set."""
    if not discounts:
        return {}
    s, i = schedules_t.c, schedule_items_t.c
    ends: dict[int, datetime] = {}
    for chunk in chunks(sorted(discounts)):
        rows = conn.execute(
            sa.select(i.variant_id, i.new, s.ends_at)
            .select_from(schedule_items_t.join(schedules_t, s.id == i.schedule_id))
            .where(i.variant_id.in_(chunk), s.state == ScheduleState.RUNNING.value,
                   s.field == "discount_price", s.ends_at.is_not(None))
        )  # fmt: skip
        ends.update((vid, aware(end)) for vid, new, end in rows if discounts[vid] == new)
    return ends


def _can_fetch(connector: Connector) -> bool:
    """Whether the shop's items can be read from here (Fetch listings in Sales channels):
    the owner's step that links a product to its marketplace ids; elsewhere the next
    synced order that sells it does."""
    return Action.LIST_ITEMS in connector.capabilities


# Why a stock or price push cannot go (its last message in the Sync panel), whole sentences
# so that the panel reads them back in the user's language (`ui.sync.status`).
LISTING_GONE = msg("the listing no longer exists")
NO_ITEM_ID_FETCH = msg(
    "the product is not linked to a marketplace item yet (no item id): Fetch listings in "
    "Sales channels, then Retry"
)
NO_ITEM_ID_FROM_ORDERS = msg(
    "the product is not linked to a marketplace item yet (no item id): its ids are learnt "
    "from the next synced order that sells it, then Retry"
)
NO_MODEL_ID_FETCH = msg(
    "this variant is not on the marketplace item (no model id): add it in Seller Center; "
    "Fetch listings in Sales channels, then Retry"
)
NO_MODEL_ID_FROM_ORDERS = msg(
    "this variant is not on the marketplace item (no model id): add it in Seller Center; "
    "its ids are learnt from the next synced order that sells it, then Retry"
)
NOT_LISTED_FETCH = msg(
    "creating a listing on the marketplace from here is not supported yet: list the product "
    "in Seller Center; its id is learnt from its first synced order or from Fetch listings "
    "in Sales channels, then Retry"
)
NOT_LISTED_FROM_ORDERS = msg(
    "creating a listing on the marketplace from here is not supported yet: list the product "
    "in Seller Center; its id is learnt from its first synced order, then Retry"
)
#: All of them, for the Sync panel.
LISTING_NOT_READY = (LISTING_GONE, NO_ITEM_ID_FETCH, NO_ITEM_ID_FROM_ORDERS, NO_MODEL_ID_FETCH,
                     NO_MODEL_ID_FROM_ORDERS, NOT_LISTED_FETCH, NOT_LISTED_FROM_ORDERS)  # fmt: skip


def _still_claimed(action: OutboxMessage) -> Any:
    """The message as this delivery claimed it: one queued again while it was being sent
    (`outbox.queue_coalesced` puts a newer stock figure on it and makes it pending) stays
    pending, so the newer figure goes out too instead of being marked done unsent."""
    return sa.and_(outbox_t.c.id == action.id, outbox_t.c.status == OutboxStatus.IN_PROGRESS)


def _mark_delivered(ctx: ServiceContext, action: OutboxMessage, note: str | None) -> None:
    now = ctx.clock.now()
    with ctx.uow() as session:
        conn = session.connection()
        conn.execute(
            sa.update(outbox_t).where(_still_claimed(action))
            .values(status=OutboxStatus.DONE, delivered_at=now, updated_at=now,
                    last_error=note and note[:ERROR_MAX])
        )  # fmt: skip
        _order_settled(conn, action.order_id)


def _order_settled(conn: sa.Connection, order_id: int | None) -> None:
    """Clear the order's "waiting for the marketplace" mark once nothing is waiting."""
    if order_id is None:
        return
    waiting = conn.execute(
        sa.select(sa.func.count()).where(
            outbox_t.c.order_id == order_id, outbox_t.c.status.in_(WAITING)
        )
    ).scalar_one()
    if not waiting:
        conn.execute(
            sa.update(orders_t).where(orders_t.c.id == order_id).values(outbox_pending=False)
        )


def _mark_failed(ctx: ServiceContext, action: OutboxMessage, message: str) -> None:
    now = ctx.clock.now()
    with ctx.uow() as session:
        conn = session.connection()
        conn.execute(
            sa.update(outbox_t).where(_still_claimed(action))
            .values(status=OutboxStatus.FAILED, updated_at=now,
                    last_error=redact(message)[:ERROR_MAX])
        )  # fmt: skip
        _order_settled(conn, action.order_id)
        _follow_platform(conn, action)


def _follow_platform(conn: sa.Connection, action: OutboxMessage) -> None:
    """An order action that will not reach the platform (failed for good, discarded) left
    the order as it was made here (cancelled, confirmed) and the platform as it was:
    forget the platform's update time stored with it, so the next sync or re-fetch that
    sees the order writes the platform's status back, even if nothing changed there."""
    if action.kind in _DONE_WHEN and action.order_id is not None:
        conn.execute(
            sa.update(orders_t).where(orders_t.c.id == action.order_id)
            .values(external_updated_at=None)
        )  # fmt: skip


def _bring_back(ctx: ServiceContext, connector: Connector, action: OutboxMessage) -> bool:
    """A cancel the platform refused for good (Shopee: the order is already arranged for
    shipping) leaves the order cancelled here and alive there: read it again now, so it
    comes back as the platform has it, its stock held again. True when it was read; on any
    trouble the next sync or re-fetch that sees it does it (`_follow_platform`)."""
    try:
        remote = connector.order_details([str(_payload(action)["external_id"])])
    except (ConnectorError, _Unsendable, KeyError):
        return False
    try:
        with ctx.uow(write=True) as session:
            shop = session.get(Shop, action.shop_id)
            if shop is None or shop.id is None or not remote:
                return False
            ref = ShopRef(shop.id, shop.name, Channel(shop.channel))
            write_batch(ctx, session.connection(), ref, remote, stock_since=None)
    except Exception:  # a busy store, odd remote data: the rest of the delivery goes on
        log.warning("Could not read back order %s after its refused cancel", action.order_id,
                    exc_info=True)  # fmt: skip
        return False
    return True


def _retry_later(
    ctx: ServiceContext,
    action: OutboxMessage,
    exc: ConnectorError,
    report: DeliveryReport,
    *,
    manual: bool = False,
    platform: str = "",
) -> None:
    """Back to pending with a later try; the shop's queue waits behind it. Never given up:
    the failure is a passing one (see the module docstring). A `manual` try (Send now)
    never puts the next automatic one later than it was."""
    now = ctx.clock.now()
    attempts = (action.attempts or 0) + 1
    if isinstance(exc, DailyLimitReached):
        later = exc.resume_at
    else:
        later = next_try(now, attempts, action.next_attempt_at if manual else None)
    if isinstance(exc, Unreachable):
        report.offline = True
    elif isinstance(exc, TransientError):
        report.marketplace_error = True
    if isinstance(exc, AuthError):
        _authorisation_lost(ctx, action.shop_id or 0, exc)
    with ctx.uow() as session:
        session.connection().execute(
            sa.update(outbox_t).where(outbox_t.c.id == action.id)
            .values(status=OutboxStatus.PENDING, next_attempt_at=later, updated_at=now,
                    last_error=redact(failure_text(action.kind, platform, exc))[:ERROR_MAX])
        )  # fmt: skip
    report.retrying += 1


def _authorisation_lost(ctx: ServiceContext, shop_id: int, exc: AuthError) -> None:
    """Flag the shop for re-authorisation. A shop never authorised (the demo's, one an
    import made) has no authorisation to lose: it stays "not linked" while its pushes wait."""
    with ctx.uow() as session:
        if has_tokens(session, shop_id):
            mark_needs_reauth(ctx, session, shop_id, str(exc))


def wake_shop_actions(
    conn: sa.Connection, shop_id: int, now: datetime, *, backing_off_only: bool = False
) -> None:
    """Make the shop's waiting messages due now (in the caller's transaction): the reason
    they were held back is gone (the shop was authorised again), and so is the note of a
    disconnected shop's (or of one not set up yet). `backing_off_only` (the shop answers
    again after an outage): only those waiting out a backoff (due within BACKOFF_MAX); one
    parked until a platform's daily limit resets waits on, or each sync would call the
    barred API again."""
    c = outbox_t.c
    held = _held_note()
    where = [c.shop_id == shop_id, c.status.in_(WAITING)]
    if backing_off_only:
        where.append(c.next_attempt_at <= now + BACKOFF_MAX)
    conn.execute(
        sa.update(outbox_t)
        .where(*where)
        .values(next_attempt_at=now, last_error=sa.case((held, None), else_=c.last_error))
    )  # fmt: skip


def next_try(now: datetime, attempts: int, planned: datetime | None = None) -> datetime:
    """When a message that failed its `attempts`-th try goes again: after its backoff. A
    manual try (Send now) that failed keeps the automatic try `planned` before it when
    that is sooner (the user asking to send now must not make the app wait longer after
    a long outage), though not before the shortest backoff (a dead network is not tried
    again at once)."""
    later = now + _backoff(attempts)
    if planned is None:
        return later
    return min(later, max(aware(planned), now + SHORTEST_BACKOFF))


def _backoff(attempts: int) -> timedelta:
    base = BACKOFF_BASE * (2 ** min(max(0, attempts - 1), _BACKOFF_DOUBLINGS))
    capped: timedelta = min(base, BACKOFF_MAX)
    return capped * (0.5 + random.random() / 2)  # jitter: spread shops' retries


# --------------------------------------------------------------------------- wording

#: What the platform was asked, as an action's last message names it.
ACTION_WORDS: dict[str, Message] = {
    "order.confirm": msg("the confirmation"),
    "order.cancel": msg("the cancellation"),
    "stock.push": msg("the stock update"),
    "listing.upsert": msg("the price update"),
}
#: Platform error codes saying the order (or item) is not there.
_NOT_FOUND_CODES = ("not_found", "404")


def _platform(connector: Connector) -> str:
    return str(getattr(connector, "PLATFORM", "") or "")


def failure_text(kind: str, platform: str, exc: Exception) -> str:
    """An action's last message: our own words for why it failed or waits (the order is
    not on the marketplace, its status there does not allow it, too many calls, the
    authorisation is gone…), then the platform's own text in quotes, for support. Kept
    as English; the Sync panel words it in the reader's language (`FAILURE_TEMPLATES`)."""
    if isinstance(exc, _Unsendable) or isinstance(exc, Unreachable) or not platform:
        return str(exc)  # our own words already (no marketplace id yet, no answer at all)
    reason = _their_words(str(exc), platform)
    action = ACTION_WORDS.get(kind, msg("the action"))
    code = str(getattr(exc, "code", "") or "").lower()
    order = kind.startswith("order.")
    if isinstance(exc, DailyLimitReached):
        return msg("{platform}'s daily call limit is used up: sent again after it resets "
                   "(“{reason}”)", platform=platform, reason=reason)  # fmt: skip
    if isinstance(exc, RateLimited):
        return msg("{platform} is busy (too many requests): tried again shortly (“{reason}”)",
                   platform=platform, reason=reason)  # fmt: skip
    if isinstance(exc, TransientError):
        return msg("{platform} answered with an error: tried again shortly (“{reason}”)",
                   platform=platform, reason=reason)  # fmt: skip
    if isinstance(exc, AuthError):
        return msg("{platform} no longer accepts the shop's authorisation: authorise the "
                   "shop again in Settings → Sales channels (“{reason}”)", platform=platform,
                   reason=reason)  # fmt: skip
    if isinstance(exc, NotSupported):
        return msg("{platform} does not take {action} from here: do it in its Seller "
                   "Center (“{reason}”)", platform=platform, action=action,
                   reason=reason)  # fmt: skip
    if any(c in code for c in _NOT_FOUND_CODES):
        if order:
            return msg("{platform} did not take {action}: the order is not on the "
                       "marketplace (“{reason}”)", platform=platform, action=action,
                       reason=reason)  # fmt: skip
        return msg("{platform} did not take {action}: the item is not on the marketplace "
                   "(“{reason}”)", platform=platform, action=action,
                   reason=reason)  # fmt: skip
    if order and "status" in code:
        return msg("{platform} did not take {action}: the order's status there does not "
                   "allow it now (“{reason}”)", platform=platform, action=action,
                   reason=reason)  # fmt: skip
    return msg("{platform} did not take {action} (“{reason}”)", platform=platform,
               action=action, reason=reason)  # fmt: skip


def _their_words(text: str, platform: str) -> str:
    """The platform's text without our "Shopee: " in front (the message names it)."""
    text = redact(text).strip()
    prefix = f"{platform}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


#: The templates of `failure_text`, for the Sync panel to read a last message back.
FAILURE_TEMPLATES: tuple[str, ...] = tuple(
    failure_text(kind, "P", exc).template  # type: ignore[attr-defined]
    for kind, exc in (
        ("order.confirm", DailyLimitReached("x", resume_at=datetime(2000, 1, 1))),
        ("order.confirm", RateLimited("x")),
        ("order.confirm", TransientError("x")),
        ("order.confirm", AuthError("x")),
        ("order.confirm", NotSupported("x")),
        ("order.confirm", RemoteRejected("x", code="error_not_found")),
        ("stock.push", RemoteRejected("x", code="error_not_found")),
        ("order.confirm", RemoteRejected("x", code="error_order_status")),
        ("order.confirm", RemoteRejected("x")),
    )
)


# --------------------------------------------------------------------------- panel


@dataclass(frozen=True)
class OutboxRow:
    """A waiting or failed action, as the Sync panel lists it."""

    id: int
    shop: str
    kind: str
    #: What the action is about: the order number, the variant's SKU, the product's name.
    subject: str
    status: OutboxStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    #: A stock push's quantity (available to sell), else None.
    available: int | None = None
    #: Why it waits for its shop, not the network: the shop is Disconnected, or Not linked
    #: (no app credentials, not authorised yet); None for the others.
    shop_state: ShopStatus | None = None

    def describe(self) -> str:
        """The subject in words for a log or the CLI ("ABC-1: 4 available")."""
        if self.available is None:
            return self.subject
        return f"{self.subject}: {self.available} available"


def list_actions(
    ctx: ServiceContext, *, include_failed: bool = True, limit: int = 1000
) -> list[OutboxRow]:
    """Failed actions (`include_failed`), then waiting ones, oldest first in each."""
    ctx.require(Module.ORDERS)
    statuses = [*WAITING, OutboxStatus.FAILED] if include_failed else list(WAITING)
    with ctx.uow() as session:
        # A marketplace action names its shop; a shipment action (no shop) its carrier
        # account, and its order.
        rows = session.exec(
            select(OutboxMessage, Shop.name, CarrierAccount.name, Order.external_id)
            .outerjoin(Shop, col(Shop.id) == col(OutboxMessage.shop_id))
            .outerjoin(CarrierAccount,
                       col(CarrierAccount.id) == col(OutboxMessage.carrier_account_id))
            .outerjoin(Order, col(Order.id) == col(OutboxMessage.order_id))
            .where(col(OutboxMessage.status).in_(statuses))
            # Failed first: the ones the owner must act on are never beyond the limit.
            .order_by(sa.case((col(OutboxMessage.status) == OutboxStatus.FAILED, 0), else_=1),
                      col(OutboxMessage.id))
            .limit(limit)
        ).all()  # fmt: skip
        payloads = [_payload_of(action) for action, *_names in rows]
        names = _subject_names(session.connection(), payloads)
        held = _held_for_shop(session.connection(), [action.id for action, *_n in rows])
        out = []
        for (action, shop, carrier, order), payload in zip(rows, payloads, strict=True):
            assert action.id is not None
            subject, available = _subject(action.kind, payload, names)
            if action.carrier_account_id is not None:
                subject = order or subject
            out.append(OutboxRow(action.id, shop or carrier or "", action.kind, subject,
                                 OutboxStatus(action.status), action.attempts, action.last_error,
                                 aware(action.created_at), aware(action.next_attempt_at),
                                 available, held.get(action.id)))  # fmt: skip
        return out


def _held_for_shop(conn: sa.Connection, ids: list[int | None]) -> dict[int, ShopStatus]:
    """Of these actions, those waiting for their shop, by why: its shop is disconnected,
    or a delivery found it not set up (Not linked: no app credentials, not authorised)."""
    c, s = outbox_t.c, shops_t.c
    disconnected = s.status == ShopStatus.DISCONNECTED
    held: dict[int, ShopStatus] = {}
    for chunk in chunks(sorted(i for i in ids if i is not None)):
        rows = conn.execute(
            sa.select(c.id, disconnected)
            .select_from(outbox_t.join(shops_t, s.id == c.shop_id))
            .where(c.id.in_(chunk), c.status.in_(WAITING), sa.or_(disconnected, _held_note()))
        )  # fmt: skip
        for action_id, gone in rows:
            held[int(action_id)] = ShopStatus.DISCONNECTED if gone else ShopStatus.NOT_LINKED
    return held


def _payload_of(action: OutboxMessage) -> dict[str, Any]:
    try:
        payload = json.loads(action.payload_json or "{}")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _subject_names(
    conn: sa.Connection, payloads: list[dict[str, Any]]
) -> dict[tuple[str, int], str]:
    """The SKUs of the variants and the names of the products the payloads name."""
    wanted: dict[str, set[int]] = {"variant_id": set(), "product_id": set()}
    for payload in payloads:
        for key, ids in wanted.items():
            if isinstance(payload.get(key), int):
                ids.add(payload[key])
    names: dict[tuple[str, int], str] = {}
    v, p = variants_t.c, products_t.c
    for key, column, label in (("variant_id", v.id, v.sku), ("product_id", p.id, p.name)):
        for chunk in chunks(sorted(wanted[key])):
            for row_id, text in conn.execute(sa.select(column, label).where(column.in_(chunk))):
                if text:
                    names[(key, int(row_id))] = str(text)
    return names


def _subject(
    kind: str, payload: dict[str, Any], names: dict[tuple[str, int], str]
) -> tuple[str, int | None]:
    """(what the action is about, the quantity a stock push sends)."""
    if kind in ("order.confirm", "order.cancel"):
        return str(payload.get("external_id", "")), None
    if kind == "stock.push":
        variant = payload.get("variant_id")
        available = payload.get("available")
        sku = names.get(("variant_id", variant)) if isinstance(variant, int) else None
        return (sku or f"#{variant}"), (available if isinstance(available, int) else None)
    if kind == "listing.upsert":
        product = payload.get("product_id")
        name = names.get(("product_id", product)) if isinstance(product, int) else None
        return (name or f"#{product}"), None
    return "", None


def waiting_count(ctx: ServiceContext, shop_id: int | None = None) -> int:
    """The actions waiting to be sent (to this shop)."""
    waiting: sa.ColumnElement[bool] = outbox_t.c.status.in_(WAITING)
    if shop_id is not None:
        waiting = sa.and_(waiting, outbox_t.c.shop_id == shop_id)
    with ctx.uow() as session:
        return int(session.connection().execute(
            sa.select(sa.func.count()).where(waiting)
        ).scalar_one())  # fmt: skip


def held_count(ctx: ServiceContext) -> int:
    """Of the waiting actions, those that wait for the owner to link their shop in Sales
    channels, not for the network: a disconnected shop's, and those a delivery found the
    shop not set up for (no app credentials, not linked yet)."""
    c = outbox_t.c
    disconnected = c.shop_id.in_(_disconnected().scalar_subquery())
    held = sa.and_(c.status.in_(WAITING), sa.or_(disconnected, _held_note()))
    with ctx.uow() as session:
        return int(
            session.connection().execute(sa.select(sa.func.count()).where(held)).scalar_one()
        )


def action_counts(conn: sa.Connection) -> tuple[int, int, int]:
    """(waiting, failed, held) as `waiting_count`, `failed_count` and `held_count` count
    them, in one statement of the caller's unit of work: the status bar reads them every
    few seconds (the status index finds the rows; the sent ones are never read)."""
    c = outbox_t.c
    waiting = c.status.in_(WAITING)
    failed = c.status == OutboxStatus.FAILED
    held = sa.and_(waiting, sa.or_(c.shop_id.in_(_disconnected().scalar_subquery()),
                                   _held_note()))  # fmt: skip

    def count(cond: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)

    counted = c.status.in_((*WAITING, OutboxStatus.FAILED))
    row = conn.execute(sa.select(count(waiting), count(failed), count(held)).where(counted)).one()
    return int(row[0]), int(row[1]), int(row[2])


def failed_count(ctx: ServiceContext) -> int:
    with ctx.uow() as session:
        return int(session.connection().execute(
            sa.select(sa.func.count()).where(outbox_t.c.status == OutboxStatus.FAILED)
        ).scalar_one())  # fmt: skip


def retry_action(ctx: ServiceContext, message_id: int) -> None:
    """Queue a failed (or waiting) action to be sent at the next delivery."""
    ctx.require(Module.ORDERS)
    now = ctx.clock.now()
    with ctx.uow() as session:
        action = session.get(OutboxMessage, message_id)
        if action is None:
            raise NotFound(msg("Action {number} no longer exists.", number=message_id))
        if action.status in (OutboxStatus.DONE, OutboxStatus.CANCELLED):
            raise Conflict(
                msg("Action {number} was already delivered: nothing to retry.", number=message_id)
                if action.status == OutboxStatus.DONE
                else msg("Action {number} was discarded: nothing to retry.", number=message_id)
            )
        was = OutboxStatus(action.status)
        # A failed action was never delivered; an in-progress one keeps its state so the
        # next delivery still checks the platform before sending it again.
        if was == OutboxStatus.FAILED:
            _carrier_retried(session, action, now)  # a shipment create: still shippable?
            action.status = OutboxStatus.PENDING
            action.attempts = 0
        if was != OutboxStatus.IN_PROGRESS:  # a claimed one keeps its claim's lease (`_claim`)
            action.next_attempt_at = now
            action.updated_at = now
        session.add(action)
        if action.order_id is not None:
            session.connection().execute(
                sa.update(orders_t)
                .where(orders_t.c.id == action.order_id)
                .values(outbox_pending=True)
            )
        ctx.audit(session, "outbox.retry", entity_type="outbox", entity_id=message_id,
                  summary=msg("{action}: queued again", action=Label(action.kind)),
                  before={"status": was.value})  # fmt: skip


def _carrier_retried(session: Session, action: OutboxMessage, now: datetime) -> None:
    """A failed shipment create sent again: refused when its order can no longer ship it,
    else its shipment is live again (`shipping.create_retried`)."""
    if action.carrier_account_id is not None:
        from primedist.services import shipping  # not at the top: shipping imports this

        shipping.create_retried(session, action, now)


def _carrier_discarded(session: Session, action: OutboxMessage, now: datetime) -> None:
    """A shipment create given up on settles its shipment, so its order is free again
    (`shipping.create_discarded`)."""
    if action.carrier_account_id is not None:
        from primedist.services import shipping

        shipping.create_discarded(session, action, now)


def discard_action(ctx: ServiceContext, message_id: int) -> None:
    """Give up on an action: it will not be sent. The local change stays, until the next
    sync or re-fetch that sees its order brings the platform's status (`_follow_platform`)."""
    ctx.require(Module.ORDERS)
    now = ctx.clock.now()
    with ctx.uow() as session:
        action = session.get(OutboxMessage, message_id)
        if action is None:
            raise NotFound(msg("Action {number} no longer exists.", number=message_id))
        if action.status == OutboxStatus.DONE:
            raise Conflict(msg("Action {number} was already delivered.", number=message_id))
        was = OutboxStatus(action.status)
        action.status = OutboxStatus.CANCELLED
        action.updated_at = now
        session.add(action)
        session.flush()
        _order_settled(session.connection(), action.order_id)
        _follow_platform(session.connection(), action)
        _carrier_discarded(session, action, now)
        ctx.audit(session, "outbox.discard", entity_type="outbox", entity_id=message_id,
                  summary=msg("{action}: discarded", action=Label(action.kind)),
                  before={"status": was.value})  # fmt: skip
