"""The one interface every marketplace connector implements, and what crosses it.

A connector speaks one platform's API and hands back channel-agnostic values: our
`OrderStatus` (with the platform's raw status kept beside it), money in integer đồng
whose parts add up with `domain.order.compute_total`, and aware UTC datetimes. The sync
engine, the outbox delivery and the shop-linking services only ever see these types and
the error classes below, so Lazada/TikTok/Tiki plug in through the same seam.

A connector is bound to one app (partner id/key, API host) and, for the shop APIs, to
one shop and its `TokenStore`: it refreshes the access token itself when it is about to
expire (under a per-shop lock, saving the rotated pair through the store before using
it) and once more when the platform says the token is invalid.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol, runtime_checkable

from primedist.core.messages import msg
from primedist.domain.enums import OrderStatus, PaymentMethod
from primedist.domain.order import compute_total
from primedist.errors import PrimedistError

# --------------------------------------------------------------------------- errors


class ConnectorError(PrimedistError):
    """A marketplace call failed; the message is fit for the shop's sync log."""

    #: Whether trying the same call again later may succeed.
    retryable = False

    def __init__(self, message: str, *, code: str | None = None, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        #: The platform's error code (e.g. Shopee's `error_auth`), when it gave one.
        self.code = code


class AuthError(ConnectorError):
    """The authorisation is gone (revoked, expired refresh token, wrong partner key): the
    shop needs re-authorisation by the seller; retrying will not help."""


class TransientError(ConnectorError):
    """A passing failure (HTTP 5xx, timeout, connection refused): retry with backoff."""

    retryable = True


class Unreachable(TransientError):
    """No answer at all (the connection failed, or timed out): the network is down, or
    the platform cannot be reached. Any other passing failure had an answer (HTTP 5xx,
    a rate limit): the platform is there, and will be tried again."""


class RateLimited(TransientError):
    """Too many requests right now; `retry_after` seconds when the platform said."""

    def __init__(
        self, message: str, *, code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class DailyLimitReached(ConnectorError):
    """The daily API quota is spent: do not call this shop again before `resume_at`."""

    def __init__(self, message: str, *, resume_at: datetime, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.resume_at = resume_at


class RemoteRejected(ConnectorError):
    """The platform refused this action (wrong state, bad value): a clear message, no retry."""


class NotSupported(RemoteRejected):
    """The platform has no such action (e.g. a seller cannot mark a Shopee order shipped)."""


class UnreadableOrders(ConnectorError):
    """Some orders of a detail batch could not be read (missing/broken fields). `good`
    holds the others, so one broken order does not hold back its batch; `problems` maps
    each bad order number to what is wrong with it."""

    def __init__(self, good: Sequence[RemoteOrder], problems: dict[str, str]) -> None:
        names = sorted(problems)[:5] + (["…"] if len(problems) > 5 else [])
        text = (
            msg("1 order could not be read: {orders}.", orders=names)
            if len(problems) == 1
            else msg("{count} orders could not be read: {orders}.", count=len(problems),
                     orders=names)
        )  # fmt: skip
        super().__init__(text, detail="; ".join(problems.values())[:1000])
        self.good = list(good)
        self.problems = dict(problems)


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class ConnectorConfig:
    """How to reach one platform app; `shop_external_id` binds the shop APIs to a shop."""

    partner_id: str
    partner_key: str = field(repr=False)
    #: Base URL (live, sandbox or any URL); None = the platform's live host.
    api_host: str | None = None
    shop_external_id: str | None = None
    #: Seconds for one HTTP request (connect + read).
    timeout: float = 20.0
    #: Tries of one call on rate limits / 5xx / timeouts before the error is raised.
    max_attempts: int = 5
    #: Exponential backoff: base * 2**attempt seconds (with full jitter), capped.
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    #: Rows per page of the changed-orders list (the platform's maximum by default).
    page_size: int = 100
    #: Refresh the access token when it expires within this margin (covers clock skew).
    refresh_margin: timedelta = timedelta(minutes=5)


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class TokenPair:
    """A shop's access + refresh token with their expiries (aware UTC)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: datetime
    #: None when the platform does not say.
    refresh_expires_at: datetime | None
    #: The shop the pair belongs to (the platform's shop id).
    shop_external_id: str

    def access_valid(self, now: datetime, margin: timedelta = timedelta(0)) -> bool:
        """Whether the access token is still good `margin` from now."""
        return now + margin < self.access_expires_at

    def refresh_valid(self, now: datetime) -> bool:
        """Whether the refresh token can still be used (unknown expiry counts as yes)."""
        return self.refresh_expires_at is None or now < self.refresh_expires_at


class TokenStore(Protocol):
    """Where a shop's tokens live (encrypted in the database in the app).

    `save` must be durable and atomic before it returns: the old refresh token is dead
    the moment the platform rotated it, so losing the new pair locks the shop out."""

    def load(self) -> TokenPair | None: ...

    def save(self, tokens: TokenPair) -> None: ...


class MemoryTokenStore:
    """A TokenStore in memory (tests, the sandbox demo before a database exists)."""

    def __init__(self, tokens: TokenPair | None = None) -> None:
        self._tokens = tokens
        self.saves = 0

    def load(self) -> TokenPair | None:
        return self._tokens

    def save(self, tokens: TokenPair) -> None:
        self._tokens = tokens
        self.saves += 1


_SHOP_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_SHOP_LOCKS_GUARD = threading.Lock()


def shop_lock(platform_host: str, shop_external_id: str) -> threading.Lock:
    """The process-wide lock that serialises token refreshes of one shop (two concurrent
    refreshes would spend the single-use refresh token twice and lock the shop out)."""
    key = (platform_host, shop_external_id)
    with _SHOP_LOCKS_GUARD:
        return _SHOP_LOCKS.setdefault(key, threading.Lock())


# --------------------------------------------------------------------------- orders


@dataclass(frozen=True)
class ChangedOrder:
    """One row of the changed-orders list."""

    external_id: str
    #: When the platform last changed it; None when the list does not say (Shopee).
    updated_at: datetime | None = None
    raw_status: str | None = None


@dataclass(frozen=True)
class ChangedOrdersPage:
    """A page of orders changed in a time window; pass `next_cursor` for the next page."""

    orders: tuple[ChangedOrder, ...]
    next_cursor: str | None
    more: bool


@dataclass(frozen=True)
class RemoteBuyer:
    """The buyer as the platform shows them; name/phone may be masked (`84*****89`)."""

    external_id: str | None = None
    username: str | None = None
    name: str | None = None
    phone: str | None = None
    #: The platform masked name/phone: do not match customers on them.
    masked: bool = False


@dataclass(frozen=True)
class RemoteAddress:
    """Where the order ships (may be masked like the buyer)."""

    name: str | None = None
    phone: str | None = None
    #: Street line (house number, street).
    address: str | None = None
    ward: str | None = None
    district: str | None = None
    province: str | None = None
    #: The whole address as one line, as the platform gave it.
    full_address: str | None = None


@dataclass(frozen=True)
class RemoteOrderLine:
    """One item of a remote order; subtotal = quantity * unit_price - discount."""

    sku: str | None
    product_name: str
    variant_name: str | None
    quantity: int
    #: Price before the seller's product discount, đồng.
    unit_price: int
    #: Line discount (quantity * (original - discounted price)), đồng.
    discount: int = 0
    #: The platform's item / model ids (stock and price pushes use them).
    item_id: str | None = None
    model_id: str | None = None
    #: One item's weight in grams as the marketplace lists it (None: not given). A SKU the
    #: sync creates takes it, so the shop's own parcels of it weigh right.
    weight_g: int | None = None
    #: Units of the line the buyer sent back (or is refunded for) while the order keeps its
    #: other units: the sync restocks them as a local partial return does. 0 when the
    #: platform gives no per-unit return (a whole return shows in the order's status).
    returned_quantity: int = 0

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError(msg("line {line}: the quantity must be more than 0",
                                 line=repr(self.sku or self.product_name)))  # fmt: skip
        if not 0 <= self.returned_quantity <= self.quantity:
            line = self.sku or self.product_name
            raise ValueError(f"line {line!r}: the returned quantity {self.returned_quantity} "
                             f"is not between 0 and {self.quantity}")  # fmt: skip
        if self.unit_price < 0 or self.discount < 0 or self.subtotal < 0:
            raise ValueError(msg("line {line}: an amount is negative",
                                 line=repr(self.sku or self.product_name)))  # fmt: skip

    @property
    def subtotal(self) -> int:
        return self.quantity * self.unit_price - self.discount


@dataclass(frozen=True)
class RemoteOrder:
    """An order as one platform sees it, mapped to our terms (money in đồng, UTC times).

    The money parts follow our order breakdown, so `total` always equals
    `compute_total(...)` of them (checked on construction); `commission` is the platform's
    fee to the seller and not part of the total."""

    external_id: str
    status: OrderStatus
    #: The platform's own status (e.g. `READY_TO_SHIP`), for the log and the UI.
    raw_status: str
    created_at: datetime
    updated_at: datetime
    payment_method: PaymentMethod
    buyer: RemoteBuyer
    address: RemoteAddress
    lines: tuple[RemoteOrderLine, ...]
    subtotal: int
    shipping_fee: int = 0
    marketplace_discount: int = 0
    voucher_discount: int = 0
    seller_discount: int = 0
    shop_promotion: int = 0
    commission: int = 0
    total: int = 0
    #: What the buyer has paid so far (0 for an undelivered COD order).
    paid_amount: int = 0
    carrier: str | None = None
    tracking_number: str | None = None
    buyer_note: str | None = None
    cancel_reason: str | None = None
    completed_at: datetime | None = None
    #: What the platform gave the buyer back for the lines' `returned_quantity` (đồng).
    refunded_amount: int = 0

    def __post_init__(self) -> None:
        for name in ("created_at", "updated_at", "completed_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() != timedelta(0):
                raise ValueError(f"order {self.external_id}: {name} must be aware UTC")
        parts = (self.subtotal, self.shipping_fee, self.marketplace_discount,
                 self.voucher_discount, self.seller_discount, self.shop_promotion,
                 self.commission, self.paid_amount, self.refunded_amount)  # fmt: skip
        if min(parts) < 0:
            raise ValueError(msg("order {order}: an amount is negative", order=self.external_id))
        if self.total != self.computed_total():
            raise ValueError(
                msg("order {order}: the total {total} does not add up ({parts} from its parts)",
                    order=self.external_id, total=self.total, parts=self.computed_total())
            )  # fmt: skip

    def computed_total(self) -> int:
        return compute_total(
            subtotal=self.subtotal,
            shipping_fee=self.shipping_fee,
            marketplace_discount=self.marketplace_discount,
            voucher_discount=self.voucher_discount,
            seller_discount=self.seller_discount,
            shop_promotion=self.shop_promotion,
        )

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class RemoteOrderState:
    """Just the status of one remote order (the outbox's "was it already done?" check)."""

    external_id: str
    status: OrderStatus
    raw_status: str
    updated_at: datetime


# --------------------------------------------------------------------------- pushes / shop


@dataclass(frozen=True)
class StockUpdate:
    """Set the sellable stock of one listing (item) / variant (model; None = no variants)."""

    item_id: str
    model_id: str | None
    stock: int


@dataclass(frozen=True)
class PriceUpdate:
    """Set the price (đồng) of one listing / variant, and its discount price where the
    platform's price update takes one (`Action.PUSH_SALE_PRICE`)."""

    item_id: str
    model_id: str | None
    price: int
    #: The discount price (đồng); None = no discount, so a discount sent before ends.
    sale_price: int | None = None
    #: When a discount running now ends by itself (aware UTC: a scheduled sale's end);
    #: None = it runs until the app sends another price.
    sale_end: datetime | None = None


@dataclass(frozen=True)
class PushResult:
    """The outcome of one stock/price update: partial failure is normal on marketplaces."""

    item_id: str
    model_id: str | None
    ok: bool
    message: str | None = None


@dataclass(frozen=True)
class ShopInfo:
    """The shop as the platform describes it."""

    external_id: str
    name: str
    region: str
    #: The platform's shop status (e.g. NORMAL, BANNED, FROZEN).
    status: str
    authorized_at: datetime | None = None
    #: When the seller's authorisation of our app ends (re-authorise before).
    auth_expires_at: datetime | None = None


@dataclass(frozen=True)
class RemoteModel:
    """One sellable model (variant) of a marketplace item as the platform lists it."""

    #: The platform's model / SKU id; None when the item has no variants.
    model_id: str | None
    #: The seller's SKU on the platform (None when the seller left it empty).
    sku: str | None
    #: The option values of this model, in the order of the item's `option_names`.
    options: tuple[str, ...]
    #: The list price before promotions, đồng.
    price: int
    #: The seller's stock on the platform (None when the platform did not say).
    stock: int | None


@dataclass(frozen=True)
class RemoteItem:
    """One item (listing) of the shop on the platform, with its models."""

    item_id: str
    name: str
    #: The item-level SKU (parent SKU), when the seller gave one.
    sku: str | None
    #: The platform's own status word (Shopee: NORMAL, UNLIST, ...).
    status: str
    #: The variation names (e.g. ("Màu", "Size")); empty for an item without variants.
    option_names: tuple[str, ...]
    models: tuple[RemoteModel, ...]


class Action(StrEnum):
    """Outbound actions a platform may allow."""

    CONFIRM = "confirm"
    SHIP = "ship"
    CANCEL = "cancel"
    PUSH_STOCK = "push_stock"
    PUSH_PRICE = "push_price"
    #: Read the shop's items and models (`listed_items`).
    LIST_ITEMS = "list_items"
    #: The price push sets the discount price too (`PriceUpdate.sale_price`); without it
    #: only the selling price reaches the platform.
    PUSH_SALE_PRICE = "push_sale_price"


# --------------------------------------------------------------------------- the interface


@runtime_checkable
class Connector(Protocol):
    """One marketplace's API, bound to an app (and, for shop calls, to a shop).

    Every method raises only ConnectorError subclasses (AuthError, TransientError /
    RateLimited after the retries are spent, DailyLimitReached, RemoteRejected) or
    ValueError for a call that breaks the interface's own rules (window too long,
    batch too big)."""

    #: Longest time window `changed_orders` accepts.
    max_window: timedelta
    #: Most order ids `order_details` accepts in one call.
    detail_batch_size: int
    #: What this platform lets a seller do from here.
    capabilities: frozenset[Action]

    # Authorisation (app level: no shop tokens needed).
    def authorization_url(self, redirect_url: str) -> str:
        """The link the seller opens to authorise the app (valid a few minutes)."""
        ...

    def exchange_code(self, code: str, shop_external_id: str) -> TokenPair:
        """Trade the single-use code from the redirect for the shop's first token pair.
        Does not touch the token store: the caller stores the pair with the shop."""
        ...

    def refresh_tokens(self, tokens: TokenPair) -> TokenPair:
        """Trade the refresh token for a new pair (the old refresh token dies). Does not
        touch the store: prefer `ensure_fresh_tokens`, which locks and saves."""
        ...

    def ensure_fresh_tokens(self, margin: timedelta | None = None) -> TokenPair:
        """The shop's pair, refreshed first (under the shop lock, saved through the
        store) when the access token expires within `margin` (the config's by default).
        Raises AuthError when there are no tokens or the refresh token is dead."""
        ...

    # Orders.
    def changed_orders(
        self, since: datetime, until: datetime, cursor: str | None = None
    ) -> ChangedOrdersPage:
        """One page of orders whose update time is in [since, until] (at most
        `max_window` long); `cursor` None = the first page."""
        ...

    def order_details(self, external_ids: Sequence[str]) -> list[RemoteOrder]:
        """Full orders for up to `detail_batch_size` ids (unknown ids are left out).
        UnreadableOrders when some could not be read: it carries the good ones."""
        ...

    def order_state(self, external_id: str) -> RemoteOrderState | None:
        """The remote status of one order right now (None if the platform does not know
        it), so the outbox can tell whether an action already took effect."""
        ...

    # Actions (RemoteRejected when the order's state does not allow it; NotSupported
    # when the platform has no such action: see `capabilities`).
    def confirm_order(self, external_id: str) -> None:
        """Accept the order / arrange its shipment."""
        ...

    def ship_order(self, external_id: str, tracking_number: str | None = None) -> None:
        """Mark the order handed to the carrier."""
        ...

    def cancel_order(self, external_id: str, reason: str) -> None:
        """Cancel the order as the seller, with our reason text."""
        ...

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[PushResult]:
        """Set sellable stock; one result per update, failures included."""
        ...

    def push_price(self, updates: Sequence[PriceUpdate]) -> list[PushResult]:
        """Set prices (đồng); one result per update, failures included."""
        ...

    def shop_info(self) -> ShopInfo:
        """The bound shop's name, status and authorisation expiry."""
        ...

    def listed_items(self) -> Iterator[RemoteItem]:
        """Every item of the shop that is for sale or unlisted by the seller, with its
        models (NotSupported when the platform's product API is not spoken here)."""
        ...

    def close(self) -> None:
        """Release the HTTP connections."""
        ...


def utc_from_timestamp(seconds: int | float) -> datetime:
    """A platform's Unix time as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, tz=UTC)
