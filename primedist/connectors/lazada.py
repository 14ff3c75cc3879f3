"""Lazada Open Platform (LazOP) over httpx (reference: shared/specs/marketplace-apis.md § 3).

Signing: every parameter but `sign` (system and business, a POSTed `payload` too),
sorted by name, concatenated as name + value, prefixed with the API path (`/orders/get`,
without `/rest`); UPPERCASE hex HMAC-SHA256 keyed with the app secret; millisecond
timestamps. GET calls carry everything in the query; POST calls carry the system
parameters in the query and the business ones in a form body (the set signed is the same).

Tokens are created and refreshed on the auth host (`auth.lazada.com/rest` live; the
`api_host` itself when one is given, as the sandbox serves both). Refreshing resets the
access token's life but NOT the refresh token's: a refreshed pair keeps the original
deadline (now + the answer's `refresh_expires_in`), and once it is past the seller must
authorise again.

Orders: `/orders/get` by `update_after`/`update_before`, sorted by update time, `limit`
<= 100 and `offset` <= 5000. Paging moves the time boundary to the last row's update time
and restarts at offset 0 (re-reading the rows of that one second, which the sync
dedupes), so the offset only grows inside one second and an order that changes while the
list is read cannot shift another one out of view. The list already holds the order
headers: they are kept (per order, until its details are asked for) so that
`order_details` needs one `/orders/items/get` call per 50 orders, not one call per order.
Lazada returns one item row per unit: rows are grouped by seller SKU into quantities.

Money: VN amounts are đồng, sent as strings ("150000.00"). Lines keep the item price;
the platform's vouchers are `marketplace_discount`, the seller's `voucher_discount`.

Actions: stock and price through `/product/price_quantity/update` with the XML `payload`,
at most 50 SKUs per call; confirming, shipping and cancelling orders stay in Lazada's
Seller Center (NotSupported here). A price push sends the discount price too: `SalePrice`
from now (`SaleStartDate`) to the end of the sale that set it (`SaleEndDate`; far ahead
when the app ends it itself), in Vietnamese time; a variant without one sends its selling
price as the sale price, so a discount removed here ends on Lazada too.

Listings: `/products/get` with `filter=live`, then `filter=inactive` (for sale, and
deactivated by the seller; deleted, pending and rejected products are not the shop's
listings), 50 per page by offset (Lazada stops at offset 10000). A product has no parent
SKU; each of its SKUs is a model (`SkuId`, `SellerSku`, the list `price`, `quantity`).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import httpx

from primedist.connectors.base import (
    Action,
    AuthError,
    ChangedOrder,
    ChangedOrdersPage,
    Connector,
    ConnectorConfig,
    ConnectorError,
    DailyLimitReached,
    NotSupported,
    PriceUpdate,
    PushResult,
    RateLimited,
    RemoteAddress,
    RemoteBuyer,
    RemoteItem,
    RemoteModel,
    RemoteOrder,
    RemoteOrderLine,
    RemoteOrderState,
    RemoteRejected,
    ShopInfo,
    StockUpdate,
    TokenPair,
    TokenStore,
    TransientError,
    UnreadableOrders,
)
from primedist.connectors.http import (
    answer_object,
    answer_rows,
    check_window,
    send_with_retries,
    unreachable,
)
from primedist.connectors.http import clip as _clip
from primedist.connectors.http import is_masked as _masked
from primedist.connectors.http import redacted as _redacted
from primedist.connectors.http import whole_number as _int
from primedist.connectors.token_keeper import TokenKeeper
from primedist.core.clock import Clock
from primedist.core.messages import msg
from primedist.core.security import redact, remember_secret
from primedist.core.text import fold
from primedist.domain.enums import OrderStatus, PaymentMethod

LIVE_API_HOST = "https://api.lazada.vn/rest"
LIVE_AUTH_HOST = "https://auth.lazada.com/rest"
LIVE_AUTHORIZE_URL = "https://auth.lazada.com/oauth/authorize"

AUTHORIZE_PATH = "/oauth/authorize"
TOKEN_CREATE_PATH = "/auth/token/create"
TOKEN_REFRESH_PATH = "/auth/token/refresh"
SELLER_PATH = "/seller/get"
ORDERS_PATH = "/orders/get"
ORDER_PATH = "/order/get"
ORDERS_ITEMS_PATH = "/orders/items/get"
PRICE_QUANTITY_PATH = "/product/price_quantity/update"
PRODUCTS_PATH = "/products/get"

MAX_WINDOW = timedelta(days=15)
#: How messages name the platform.
PLATFORM = "Lazada"
DETAIL_BATCH = 50
MAX_LIMIT = 100
MAX_OFFSET = 5000
SKUS_PER_PUSH = 50
#: The sale dates of a price update: Vietnamese time, to the minute.
VN = timezone(timedelta(hours=7))
SALE_DATE_FORMAT = "%Y-%m-%d %H:%M"
#: The end of a discount the app itself ends (by sending another price): far ahead.
SALE_NO_END = datetime(2099, 12, 31, 16, 59, tzinfo=UTC)
#: `/products/get`: most products per page, and the furthest offset Lazada pages to.
PRODUCTS_LIMIT = 50
PRODUCTS_MAX_OFFSET = 10_000
#: The product filters `listed_items` reads, in order: for sale, and deactivated by the
#: seller (still the shop's listing; deleted, pending and rejected products are not).
LISTED_FILTERS = ("live", "inactive")
#: Option names of a product whose SKUs name their variation ("Đỏ,M"), and of one whose
#: SKUs are told apart only by their seller SKU.
VARIATION_NAMES = ("Phân loại 1", "Phân loại 2")
SKU_OPTION_NAME = "Phân loại"
#: Throttling bans longer than this are treated like a spent daily quota (pause the shop).
LONG_BAN = 120.0

#: Lazada item status -> ours: the one table of the sync and of the Seller Center import
#: (`services/seller_center_import.LAZADA_STATUSES` adds only the export's spellings).
#: Our status says where the goods are: `return_refund` = sold, not coming back to the
#: shelf yet (or never: lost, damaged, scrapped; the stock stays taken); `returned` = back
#: with the seller (the stock is released). So a failed delivery and a parcel shipped back
#: are return/refund until Lazada says the seller has it (`shipped_back_success`); `failed`
#: is the older, final "delivery failed, parcel back with the seller"; `returned` is the
#: buyer's return/refund request. `delivered` and `confirmed` (the buyer confirmed) are final.
STATUS_MAP: dict[str, OrderStatus] = {
    "unpaid": OrderStatus.PENDING,
    "pending": OrderStatus.PENDING,
    "topack": OrderStatus.PENDING,
    "packed": OrderStatus.CONFIRMED,
    "repacked": OrderStatus.CONFIRMED,
    "ready_to_ship": OrderStatus.CONFIRMED,
    "ready_to_ship_pending": OrderStatus.CONFIRMED,
    "toship": OrderStatus.CONFIRMED,
    "shipped": OrderStatus.SHIPPING,
    "shipping": OrderStatus.SHIPPING,
    "delivered": OrderStatus.COMPLETED,
    "confirmed": OrderStatus.COMPLETED,
    "canceled": OrderStatus.CANCELLED,
    "failed_delivery": OrderStatus.RETURN_REFUND,
    "shipped_back": OrderStatus.RETURN_REFUND,
    "shipped_back_failed": OrderStatus.RETURN_REFUND,
    "returned": OrderStatus.RETURN_REFUND,
    "lost": OrderStatus.RETURN_REFUND,
    "lost_by_3pl": OrderStatus.RETURN_REFUND,
    "damaged_by_3pl": OrderStatus.RETURN_REFUND,
    "package_scrapped": OrderStatus.RETURN_REFUND,
    "failed": OrderStatus.RETURNED,
    "shipped_back_success": OrderStatus.RETURNED,
}
#: How far along an order is: a mixed order shows its least advanced unit (of those still
#: sold, when some are not coming back: see `map_statuses`).
_PROGRESS = {OrderStatus.PENDING: 0, OrderStatus.CONFIRMED: 1, OrderStatus.SHIPPING: 2,
             OrderStatus.COMPLETED: 3, OrderStatus.RETURN_REFUND: 4,
             OrderStatus.RETURNED: 5}  # fmt: skip
_RETURNING = frozenset({OrderStatus.RETURN_REFUND, OrderStatus.RETURNED})

#: The authorisation itself is gone (or the app's key/secret are wrong): re-authorise.
AUTH_ERRORS = frozenset({"IllegalRefreshToken", "InvalidCode", "IncompleteSignature",
                         "InvalidAppKey", "AppNotExist", "InvalidSign"})  # fmt: skip
#: The access token alone is bad: refresh once and try again.
TOKEN_ERRORS = frozenset({"IllegalAccessToken", "MissingAccessToken", "AccessTokenExpired"})
THROTTLE_ERRORS = frozenset({"ApiCallLimit", "SellerCallLimit", "AppCallLimit"})
TRANSIENT_ERRORS = frozenset({"InternalError", "ServiceTimeout", "ServiceUnavailable"})

#: Column limits of our orders/order_lines tables (mapped values are clipped to them).
_BAN = re.compile(r"ban will last (\d+) ?s", re.IGNORECASE)


# --------------------------------------------------------------------------- signing


def string_to_sign(api_path: str, params: Mapping[str, Any]) -> str:
    """The API path, then name + value of every parameter but `sign`, sorted by name."""
    return api_path + "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")


def sign(app_secret: str, api_path: str, params: Mapping[str, Any]) -> str:
    """The `sign` parameter of a LazOP call (UPPERCASE hex HMAC-SHA256)."""
    message = string_to_sign(api_path, params)
    return hmac.new(app_secret.encode(), message.encode(), hashlib.sha256).hexdigest().upper()


def verify_push(app_key: str, raw_body: bytes, app_secret: str, authorization: str) -> bool:
    """Whether a push's `Authorization` header is HMAC(app_key + raw body), hex."""
    expected = hmac.new(app_secret.encode(), app_key.encode() + raw_body,
                        hashlib.sha256).hexdigest()  # fmt: skip
    return hmac.compare_digest(expected, authorization.strip().lower())


def iso_time(value: datetime) -> str:
    """A time as Lazada's order filters want it: ISO 8601 with offset, whole seconds."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_time(value: Any, name: str = "time") -> datetime:
    """Lazada's `2024-01-01 12:00:00 +0700` (or ISO 8601) as aware UTC."""
    text = str(value or "").strip()
    if not text:
        raise ValueError(f"{name} is missing")
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text, fmt).astimezone(UTC)
        except ValueError:
            pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} is not a time: {text!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{name} has no time zone: {text!r}")
    return parsed.astimezone(UTC)


def price_quantity_payload(skus: Sequence[Mapping[str, Any]]) -> str:
    """The XML `payload` of /product/price_quantity/update for up to 50 SKUs; each SKU is
    a mapping of tag -> value in Lazada's order (ItemId, SkuId, SellerSku, Price, ...)."""
    if not 1 <= len(skus) <= SKUS_PER_PUSH:
        raise ValueError(f"a price/quantity update holds 1-{SKUS_PER_PUSH} SKUs")
    parts = []
    for sku in skus:
        tags = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in sku.items() if v is not None)
        parts.append(f"<Sku>{tags}</Sku>")
    return f"<Request><Product><Skus>{''.join(parts)}</Skus></Product></Request>"


def price_values(update: PriceUpdate, now: datetime) -> dict[str, Any]:
    """The price tags of one SKU: its price and its discount (sale) price from `now` to
    the sale's end; no discount sends the price itself as the sale price (a sale sent
    before ends)."""
    sale, end = update.sale_price, update.sale_end
    if sale is not None and not 0 < sale < update.price:
        sale = None  # 0, or left above a price lowered since: no discount (else refused)
    if sale is None or end is None or end <= now:  # a past end: the app ends it itself
        end = SALE_NO_END
    return {"Price": int(update.price), "SalePrice": int(update.price if sale is None else sale),
            "SaleStartDate": sale_date(now), "SaleEndDate": sale_date(end)}  # fmt: skip


def sale_date(value: datetime) -> str:
    """A sale's start or end as Lazada VN takes it: `yyyy-MM-dd HH:mm`, Vietnamese time."""
    return value.astimezone(VN).strftime(SALE_DATE_FORMAT)


# --------------------------------------------------------------------------- cursor


def encode_cursor(boundary: datetime, offset: int) -> str:
    return f"{iso_time(boundary)}|{offset}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        when, offset = cursor.rsplit("|", 1)
        return parse_time(when, "cursor"), int(offset)
    except ValueError:
        raise ValueError(f"not a Lazada order-list cursor: {cursor!r}") from None


# --------------------------------------------------------------------------- connector


class LazadaConnector(TokenKeeper):
    """The Connector for Lazada Open Platform (see `base.Connector`)."""

    PLATFORM = "Lazada"

    max_window = MAX_WINDOW
    detail_batch_size = DETAIL_BATCH
    capabilities = frozenset({Action.PUSH_STOCK, Action.PUSH_PRICE, Action.PUSH_SALE_PRICE,
                              Action.LIST_ITEMS})  # fmt: skip

    def __init__(
        self,
        config: ConnectorConfig,
        store: TokenStore | None = None,
        *,
        clock: Clock | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not str(config.partner_id).strip():
            raise AuthError("The Lazada app key is empty.")
        self.app_key = str(config.partner_id).strip()
        custom = config.api_host.rstrip("/") if config.api_host else None
        self.host = custom or LIVE_API_HOST
        #: The sandbox (any custom host) serves the auth APIs too.
        self.auth_host = custom or LIVE_AUTH_HOST
        self._authorize_url = f"{custom}{AUTHORIZE_PATH}" if custom else LIVE_AUTHORIZE_URL
        super().__init__(config, store, clock=clock, sleep=sleep, rng=rng, transport=transport)
        self._limit = max(1, min(MAX_LIMIT, config.page_size))
        self._paused_until: datetime | None = None
        self._guard = threading.Lock()
        #: Order headers from the list, until their details are asked for.
        self._headers: dict[str, dict[str, Any]] = {}

    # ---------------------------------------------------------------- authorisation

    def authorization_url(self, redirect_url: str) -> str:
        query = {"response_type": "code", "force_auth": "true", "redirect_uri": redirect_url,
                 "client_id": self.app_key, "country": "vn"}  # fmt: skip
        return f"{self._authorize_url}?{urlencode(query)}"

    def exchange_code(self, code: str, shop_external_id: str) -> TokenPair:
        """The shop id comes from the answer (`country_user_info`), not the redirect; a
        `shop_external_id` given must match it."""
        if not code.strip():
            raise AuthError("The authorisation code is empty: authorise the shop again.")
        data = self._call("GET", TOKEN_CREATE_PATH, {"code": code.strip()}, public=True)
        seller = _seller_id(data)
        if shop_external_id and seller != str(shop_external_id):
            raise AuthError(
                f"Lazada authorised seller {seller}, not the shop {shop_external_id}"
                " being linked: sign in to Lazada as that shop and authorise again."
            )
        return self._token_pair(data, seller)

    def refresh_tokens(self, tokens: TokenPair) -> TokenPair:
        now = self._clock.now()
        if not tokens.refresh_valid(now):
            raise AuthError(
                "The shop's Lazada authorisation expired (Lazada does not extend it when"
                " refreshing): authorise the shop again."
            )
        data = self._call("GET", TOKEN_REFRESH_PATH, {"refresh_token": tokens.refresh_token},
                          public=True)  # fmt: skip
        fresh = self._token_pair(data, tokens.shop_external_id)
        # Never later than the deadline known before: refreshing does not extend it.
        if tokens.refresh_expires_at is not None and fresh.refresh_expires_at is not None:
            deadline = min(tokens.refresh_expires_at, fresh.refresh_expires_at)
            fresh = TokenPair(fresh.access_token, fresh.refresh_token,
                              min(fresh.access_expires_at, deadline), deadline,
                              fresh.shop_external_id)  # fmt: skip
        return fresh

    def _token_pair(self, data: dict[str, Any], seller_id: str) -> TokenPair:
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if not isinstance(access, str) or not access or not isinstance(refresh, str):
            raise ConnectorError("Lazada answered without tokens.", detail=_redacted(data))
        remember_secret(access)
        remember_secret(refresh)
        now = self._clock.now()
        try:
            expires_in = _int(data.get("expires_in"), name="expires_in")
            refresh_in = _int(data.get("refresh_expires_in"), name="refresh_expires_in")
        except ValueError as exc:
            raise ConnectorError(f"Lazada's token answer is malformed: {exc}.") from None
        refresh_at = now + timedelta(seconds=max(0, refresh_in))
        return TokenPair(access_token=access, refresh_token=refresh,
                         access_expires_at=now + timedelta(seconds=max(0, expires_in)),
                         refresh_expires_at=refresh_at,
                         shop_external_id=str(seller_id))  # fmt: skip

    # ---------------------------------------------------------------- orders

    def changed_orders(
        self, since: datetime, until: datetime, cursor: str | None = None
    ) -> ChangedOrdersPage:
        _check_window(since, until)
        start = since.astimezone(UTC).replace(microsecond=0)
        boundary, offset = decode_cursor(cursor) if cursor else (start, 0)
        if offset > MAX_OFFSET:
            raise ConnectorError(
                f"More than {MAX_OFFSET} Lazada orders changed within one second"
                f" ({iso_time(boundary)}): the list cannot page past them."
            )
        params = {
            "update_after": iso_time(boundary),
            # Rounded up so the window's last second is in (the next window overlaps).
            "update_before": iso_time(until + timedelta(microseconds=999_999)),
            "sort_by": "updated_at",
            "sort_direction": "ASC",
            "offset": offset,
            "limit": self._limit,
        }
        data = _answer_data(self._call("GET", ORDERS_PATH, params), ORDERS_PATH)
        rows = _rows(data, "orders", ORDERS_PATH)
        try:
            total = _int(data.get("countTotal"), len(rows) + offset, name="countTotal")
            listed = [(str(r["order_id"]), parse_time(r.get("updated_at"), "updated_at"), r)
                      for r in rows]  # fmt: skip
        except (KeyError, ValueError) as exc:
            raise ConnectorError(f"Lazada's order list is malformed: {exc}.") from None
        with self._guard:
            self._headers.update((oid, row) for oid, _t, row in listed)
        orders = tuple(ChangedOrder(oid, updated, _raw_status(row)) for oid, updated, row in listed)
        more = bool(rows) and offset + len(rows) < total
        next_cursor = None
        if more:
            last = max(t for _o, t, _r in listed)
            # A later second: restart there at 0 (its rows come again, deduped by the
            # caller); still the same second: page on in it.
            next_cursor = encode_cursor(last, 0 if last > boundary else offset + len(rows))
        return ChangedOrdersPage(orders=orders, next_cursor=next_cursor, more=more)

    def order_details(self, external_ids: Sequence[str]) -> list[RemoteOrder]:
        if len(external_ids) > DETAIL_BATCH:
            raise ValueError(f"at most {DETAIL_BATCH} orders per detail call")
        if not external_ids:
            return []
        ids = [str(i) for i in external_ids]
        headers = self._take_headers(ids)
        items = self._items_of(ids)
        good: list[RemoteOrder] = []
        problems: dict[str, str] = {}
        for oid in ids:
            header = headers.get(oid)
            if header is None:
                continue  # Lazada does not know it
            try:
                good.append(map_order(header, items.get(oid, [])))
            except ConnectorError as exc:
                problems[oid] = exc.user_message
        if problems:
            raise UnreadableOrders(good, problems)
        return good

    def order_state(self, external_id: str) -> RemoteOrderState | None:
        header = self._order_header(external_id)
        if header is None:
            return None
        try:
            updated = parse_time(header.get("updated_at"), "updated_at")
        except ValueError as exc:
            raise ConnectorError(f"Lazada order {external_id}: {exc}.") from None
        raw = _raw_status(header)
        return RemoteOrderState(external_id, map_statuses(_statuses(header)), raw, updated)

    def _take_headers(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        with self._guard:
            found = {oid: self._headers.pop(oid) for oid in ids if oid in self._headers}
        for oid in ids:
            if oid not in found:  # not listed by this connector: ask for it alone
                header = self._order_header(oid)
                if header is not None:
                    found[oid] = header
        return found

    def _order_header(self, external_id: str) -> dict[str, Any] | None:
        if not external_id.isdigit():
            return None
        try:
            data = self._call("GET", ORDER_PATH, {"order_id": external_id})
        except RemoteRejected as exc:
            if exc.code in ("E0004", "OrderNotFound"):
                return None
            raise
        header = data.get("data")
        if not isinstance(header, dict) or not header:
            return None
        return header

    def _items_of(self, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        numeric = [i for i in ids if i.isdigit()]
        if not numeric:
            return {}
        params = {"order_ids": "[" + ",".join(numeric) + "]"}
        data = self._call("GET", ORDERS_ITEMS_PATH, params)
        blocks = data.get("data")
        if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
            raise ConnectorError(f"Lazada's order items are not a list ({ORDERS_ITEMS_PATH}).")
        out: dict[str, list[dict[str, Any]]] = {}
        for block in blocks:
            items = block.get("order_items")
            if not isinstance(items, list):
                raise ConnectorError(f"Lazada's order items are malformed ({ORDERS_ITEMS_PATH}).")
            out[str(block.get("order_id"))] = items
        return out

    # ---------------------------------------------------------------- actions

    def confirm_order(self, external_id: str) -> None:
        raise NotSupported(f"Pack Lazada order {external_id} in Lazada Seller Center.")

    def ship_order(self, external_id: str, tracking_number: str | None = None) -> None:
        del tracking_number
        raise NotSupported(
            f"Lazada marks order {external_id} shipped when its carrier scans the parcel."
        )

    def cancel_order(self, external_id: str, reason: str) -> None:
        del reason
        raise NotSupported(f"Cancel Lazada order {external_id} in Lazada Seller Center.")

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[PushResult]:
        return self._push(updates, lambda u: {"Quantity": max(0, int(u.stock))})

    def push_price(self, updates: Sequence[PriceUpdate]) -> list[PushResult]:
        now = self._clock.now()
        return self._push(updates, lambda u: price_values(u, now))

    def _push(
        self, updates: Sequence[Any], values: Callable[[Any], dict[str, Any]]
    ) -> list[PushResult]:
        """Batches of at most 50 SKUs (ItemId + SkuId); partial failure is normal, and a
        batch the platform refuses as a whole fails just its own updates."""
        results: dict[int, PushResult] = {}
        good: list[tuple[int, Any]] = []
        for n, u in enumerate(updates):
            if not str(u.item_id).isdigit() or not str(u.model_id or "").isdigit():
                results[n] = PushResult(u.item_id, u.model_id, False,
                                        "not a Lazada item/SKU id")  # fmt: skip
            else:
                good.append((n, u))
        for chunk in _chunked(good, SKUS_PER_PUSH):
            skus = [{"ItemId": u.item_id, "SkuId": u.model_id, **values(u)} for _n, u in chunk]
            payload = price_quantity_payload(skus)
            try:
                data = self._call("POST", PRICE_QUANTITY_PATH, {"payload": payload}, partial=True)
            except RemoteRejected as exc:
                for n, u in chunk:
                    results[n] = PushResult(u.item_id, u.model_id, False, exc.user_message)
                continue
            failed = _failed_skus(data)
            for n, u in chunk:
                message = failed.get(str(u.model_id)) or failed.get(f"item:{u.item_id}")
                results[n] = PushResult(u.item_id, u.model_id, message is None, message)
        return [results[n] for n in range(len(updates))]

    # ---------------------------------------------------------------- listings

    def listed_items(self) -> Iterator[RemoteItem]:
        """Lazily, page by page: the live products, then the inactive ones, each once
        (a product the list shows twice while it shifts is yielded the first time). The
        calls happen while the caller iterates, so a ConnectorError can come after some
        items were yielded."""
        seen: set[str] = set()
        for status in LISTED_FILTERS:
            for row in self._products(status):
                item = map_product(row, status)
                if item.item_id not in seen:
                    seen.add(item.item_id)
                    yield item

    def _products(self, status: str) -> Iterator[dict[str, Any]]:
        """The rows `/products/get` pages through for one filter (offset paging)."""
        offset = 0
        while True:
            params = {"filter": status, "limit": PRODUCTS_LIMIT, "offset": offset}
            data = _answer_data(self._call("GET", PRODUCTS_PATH, params), PRODUCTS_PATH)
            rows = _rows(data, "products", PRODUCTS_PATH)
            try:
                total = _int(data.get("total_products"), offset + len(rows),
                             name="total_products")  # fmt: skip
            except ValueError as exc:
                raise ConnectorError(f"Lazada's product list is malformed: {exc}.") from None
            yield from rows
            offset += len(rows)
            if len(rows) < PRODUCTS_LIMIT or offset >= total:
                return
            if offset > PRODUCTS_MAX_OFFSET:
                raise ConnectorError(
                    f"The shop has more than {PRODUCTS_MAX_OFFSET} {status} products on"
                    f" Lazada: too many to read this way (Lazada's product list stops at"
                    f" offset {PRODUCTS_MAX_OFFSET})."
                )

    def shop_info(self) -> ShopInfo:
        data = _answer_data(self._call("GET", SELLER_PATH), SELLER_PATH)
        tokens = self._tokens or self._stored_tokens()
        return ShopInfo(
            external_id=str(data.get("seller_id") or tokens.shop_external_id),
            name=str(data.get("name") or data.get("name_company") or ""),
            region="VN",
            status=str(data.get("status") or ""),
            # The authorisation ends with the refresh token (refreshing does not extend it).
            auth_expires_at=tokens.refresh_expires_at,
        )

    # ---------------------------------------------------------------- the HTTP call

    def _call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        public: bool = False,
        partial: bool = False,
    ) -> dict[str, Any]:
        """One API call with signing, token refresh, classification and retries (reads
        and the idempotent stock/price updates only: Lazada actions are not sent here)."""
        self._check_not_paused()
        refreshed = False

        def authorised_send() -> dict[str, Any]:
            nonlocal refreshed
            while True:
                token = None if public else self.ensure_fresh_tokens()
                try:
                    return self._send(method, path, params or {}, token, partial)
                except _TokenRejected as exc:
                    if token is None:
                        raise AuthError(f"{exc.user_message}. Authorise the shop again.",
                                        code=exc.code) from None  # fmt: skip
                    if refreshed:
                        raise AuthError(
                            "Lazada refused the shop's access token even after a refresh:"
                            " authorise the shop again.", code=exc.code,
                        ) from None  # fmt: skip
                    self._refresh_rejected(token.access_token)
                    refreshed = True
                except DailyLimitReached as exc:
                    with self._guard:
                        self._paused_until = exc.resume_at
                    raise

        return self._with_retries(authorised_send)

    def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        token: TokenPair | None,
        partial: bool,
    ) -> dict[str, Any]:
        system: dict[str, Any] = {"app_key": self.app_key, "sign_method": "sha256",
                                  "timestamp": self._timestamp()}  # fmt: skip
        if token is not None:
            system["access_token"] = token.access_token
        business = {k: str(v) for k, v in params.items()}
        signed = {**system, **business}
        system["sign"] = sign(self.config.partner_key, path, signed)
        url = (self.host if token is not None else self.auth_host) + path
        try:
            if method == "GET":
                resp = self._http.get(url, params={**business, **system})
            else:
                resp = self._http.post(url, params=system, data=business)
        except httpx.TransportError as exc:
            raise unreachable(exc, platform="Lazada", host=self.host,
                              timeout=self.config.timeout, path=path) from None  # fmt: skip
        return self._classify(resp, path, partial)

    def _classify(self, resp: httpx.Response, path: str, partial: bool) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if resp.status_code >= 500 or resp.status_code == 429:
                raise TransientError(f"Lazada answered HTTP {resp.status_code} ({path}).")
            raise ConnectorError(
                f"Lazada answered HTTP {resp.status_code} with no JSON ({path}).",
                detail=redact(resp.text[:300]),
            )
        code = str(data.get("code", ""))
        if code == "0":
            if resp.status_code >= 500:
                raise TransientError(f"Lazada answered HTTP {resp.status_code} ({path}).")
            return data
        if partial and isinstance(data.get("detail"), list) and data["detail"]:
            return data  # some SKUs failed: the caller reads them from `detail`
        message = str(data.get("message") or code or "no code")
        raise self._error(code, message, str(data.get("type") or ""), resp, path)

    def _error(
        self, code: str, message: str, kind: str, resp: httpx.Response, path: str
    ) -> Exception:
        text = f"Lazada: {message} ({code}, {path})"
        if code in THROTTLE_ERRORS or resp.status_code == 429:
            ban = _ban_seconds(message, resp.headers.get("Retry-After"))
            if ban is not None and ban > LONG_BAN:
                resume = self._clock.now() + timedelta(seconds=ban)
                return DailyLimitReached(f"{text}. Paused until {resume:%Y-%m-%d %H:%M} UTC.",
                                         resume_at=resume, code=code)  # fmt: skip
            return RateLimited(text, code=code, retry_after=ban)
        if code in TOKEN_ERRORS:
            return _TokenRejected(text, code=code)
        if code in AUTH_ERRORS:
            return AuthError(f"{text}. Authorise the shop again.", code=code)
        if code == "InvalidTimestamp" or "timestamp" in message.lower():
            return ConnectorError(f"{text}. This computer's clock is probably wrong.", code=code)
        if code in TRANSIENT_ERRORS or kind == "SYSTEM" or resp.status_code >= 500:
            return TransientError(text, code=code)
        return RemoteRejected(text, code=code)

    def _with_retries(self, send: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return send_with_retries(send, attempts=self.config.max_attempts,
                                 backoff_base=self.config.backoff_base,
                                 backoff_max=self.config.backoff_max,
                                 sleep=self._sleep, rng=self._rng)  # fmt: skip

    def _check_not_paused(self) -> None:
        with self._guard:
            paused = self._paused_until
        if paused is not None and self._clock.now() < paused:
            raise DailyLimitReached(
                f"Lazada's call limit is spent: paused until {paused:%Y-%m-%d %H:%M} UTC.",
                resume_at=paused,
                code="AppCallLimit",
            )

    def _timestamp(self) -> int:
        return int(self._clock.now().timestamp() * 1000)


class _TokenRejected(ConnectorError):
    """Internal: the access token was refused (refresh once, then AuthError)."""


# --------------------------------------------------------------------------- mapping


def map_status(raw: str) -> OrderStatus:
    """Our status for one Lazada item status (unknown new statuses count as pending)."""
    return STATUS_MAP.get(raw.strip().lower(), OrderStatus.PENDING)


def map_statuses(raws: Iterable[str]) -> OrderStatus:
    """The order's status from its units' Lazada statuses (see `order_status`)."""
    return order_status(map_status(r) for r in raws)


def order_status(units: Iterable[OrderStatus]) -> OrderStatus:
    """The order's status from its units' (mapped) statuses; the Seller Center import uses
    it too. Cancelled units of a live order are left out (as its lines are: `live_units`).
    An order is a return only when every live unit is one (return/refund until all are
    back). A partial return leaves the order with the status of the units kept
    (completed), never "returned" for units that were not: the units that came back are
    its lines' returned quantities (`group_units`), as a local partial return records
    them. Otherwise the least advanced unit."""
    mapped = set(units)
    live = mapped - {OrderStatus.CANCELLED}
    if not live:
        return OrderStatus.CANCELLED if mapped else OrderStatus.PENDING
    kept = (live - _RETURNING) or live
    return min(kept, key=_PROGRESS.__getitem__)


def live_units(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The units the order still sells: all but the cancelled ones, unless every unit is
    cancelled (a cancelled order keeps its lines and value)."""
    live = [i for i in items if map_status(str(i.get("status") or "")) != OrderStatus.CANCELLED]
    return live or list(items)


def map_payment(raw: str | None) -> PaymentMethod:
    """Our payment method from Lazada's `payment_method` (COD, MIXEDCARD, ...)."""
    text = fold(raw or "").replace("_", " ")
    if "cod" in text.split() or "cash on delivery" in text:
        return PaymentMethod.COD
    if any(w in text for w in ("wallet", "momo", "zalopay", "shopeepay", "vnpay", "lazpay")):
        return PaymentMethod.E_WALLET
    if any(w in text for w in ("card", "visa", "master", "jcb", "installment")):
        return PaymentMethod.CARD
    if any(w in text for w in ("bank", "transfer", "napas", "banking")):
        return PaymentMethod.BANK_TRANSFER
    return PaymentMethod.OTHER


def map_order(header: dict[str, Any], items: Sequence[dict[str, Any]]) -> RemoteOrder:
    """A `/orders/get` header and its `/orders/items/get` rows as a RemoteOrder (raises
    ConnectorError naming the order when a required field is missing or broken)."""
    oid = str(header.get("order_id") or header.get("order_number") or "")
    try:
        return _map_order(oid, header, items)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConnectorError(msg("Lazada order {order} could not be read: {reason}",
                                 order=oid or "?", reason=str(exc))) from None  # fmt: skip


def _map_order(oid: str, header: dict[str, Any], items: Sequence[dict[str, Any]]) -> RemoteOrder:
    if not items:
        raise ValueError("it has no items")
    statuses = _statuses(header) or sorted({str(i.get("status") or "") for i in items} - {""})
    status = map_statuses(statuses)
    lines = group_units(items, partial_returns=status not in _RETURNING)
    units = live_units(items)
    subtotal = sum(line.subtotal for line in lines)
    shipping = _money(header.get("shipping_fee"), "shipping_fee")
    platform = _money(header.get("voucher_platform"), "voucher_platform")
    seller = _money(header.get("voucher_seller"), "voucher_seller")
    # A total voucher above its two known parts: count the rest as Lazada's.
    platform += max(0, _money(header.get("voucher"), "voucher") - platform - seller)
    seller = min(seller, subtotal)
    platform = min(platform, subtotal + shipping - seller)
    total = subtotal + shipping - platform - seller
    partly_returned = any(line.returned_quantity for line in lines)
    refunded = min(total, sum(_refund(i) for i in units if _returned(i))) if partly_returned else 0
    payment = map_payment(header.get("payment_method"))
    updated = parse_time(header.get("updated_at"), "updated_at")
    done = status == OrderStatus.COMPLETED
    addr = header.get("address_shipping") or {}
    name = _clip(" ".join(p for p in (addr.get("first_name"), addr.get("last_name")) if p), "name")
    phone = _clip(addr.get("phone"), "phone")
    first_item = next((i for i in units if i.get("tracking_code")), units[0])
    return RemoteOrder(
        external_id=oid,
        status=status,
        raw_status=",".join(statuses)[:60] or "?",
        created_at=parse_time(header.get("created_at"), "created_at"),
        updated_at=updated,
        payment_method=payment,
        buyer=RemoteBuyer(
            external_id=str(header["buyer_id"]) if header.get("buyer_id") else None,
            name=name,
            phone=phone,
            masked=_masked(name) or _masked(phone) or _masked(addr.get("address1")),
        ),
        address=_map_address(addr, name, phone),
        lines=lines,
        subtotal=subtotal,
        shipping_fee=shipping,
        marketplace_discount=platform,
        voucher_discount=seller,
        total=total,
        paid_amount=_paid(status, total, payment, unpaid="unpaid" in statuses),
        carrier=_clip(first_item.get("shipment_provider"), "carrier"),
        tracking_number=_clip(first_item.get("tracking_code"), "tracking"),
        buyer_note=(str(header.get("buyer_note") or "")).strip() or None,
        cancel_reason=_cancel_reason(status, items),
        completed_at=updated if done else None,
        refunded_amount=refunded,
    )


def _paid(status: OrderStatus, total: int, payment: PaymentMethod, *, unpaid: bool) -> int:
    """What the buyer has paid the shop: all of it once delivered, or paid in advance; 0
    for cash on delivery before that, and for a cancelled order (Lazada gives a prepaid
    buyer the money back: the shop got nothing)."""
    if status == OrderStatus.CANCELLED:
        return 0
    prepaid = payment != PaymentMethod.COD and not unpaid
    return total if status == OrderStatus.COMPLETED or prepaid else 0


def _cancel_reason(status: OrderStatus, items: Sequence[dict[str, Any]]) -> str | None:
    """A cancelled order's reason (its first unit's); a live order has none, whatever
    its left-out cancelled units say."""
    if status != OrderStatus.CANCELLED:
        return None
    reasons = [str(i["reason"]) for i in items if i.get("reason")]
    return _clip(reasons[0], "reason") if reasons else None


def group_units(
    items: Iterable[dict[str, Any]], *, partial_returns: bool = True
) -> tuple[RemoteOrderLine, ...]:
    """Lazada's one-row-per-unit items as lines with quantities (by seller SKU, or the
    shop SKU / name when the seller gave none), in the order they first appear; cancelled
    units are left out when the order has live ones (`live_units`). Units of one SKU sold
    at different prices keep the highest as the unit price; the difference is the line's
    discount, so the money adds up exactly. With `partial_returns` (the order keeps some
    units), the units in a return status are the line's returned quantity (a whole return
    is the order's status instead: `order_status`)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in live_units(list(items)):
        key = str(item.get("sku") or item.get("shop_sku") or item.get("sku_id")
                  or item.get("name") or "")  # fmt: skip
        if not key:
            raise ValueError(f"item {item.get('order_item_id', '?')} has no SKU or name")
        groups.setdefault(key, []).append(item)
    lines = []
    for units in groups.values():
        prices = [_money(u.get("item_price"), "item_price") for u in units]
        top = max(prices)
        first = units[0]
        lines.append(RemoteOrderLine(
            sku=_clip(first.get("sku"), "sku"),
            product_name=_clip(first.get("name"), "product") or "?",
            variant_name=_clip(first.get("variation"), "variant"),
            quantity=len(units),
            unit_price=top,
            discount=sum(top - p for p in prices),
            item_id=str(first["product_id"]) if first.get("product_id") else None,
            model_id=str(first["sku_id"]) if first.get("sku_id") else None,
            returned_quantity=sum(map(_returned, units)) if partial_returns else 0,
        ))  # fmt: skip
    return tuple(lines)


def _returned(unit: dict[str, Any]) -> bool:
    """A unit the buyer sent back or is refunded for (any return status, as the order's
    table: a lost or damaged parcel's unit too, which Lazada refunds)."""
    return map_status(str(unit.get("status") or "")) in _RETURNING


def _refund(unit: dict[str, Any]) -> int:
    """What Lazada gives the buyer back for a returned unit: what the buyer paid for it
    (`paid_price`, after the vouchers' share), else its price."""
    paid = unit.get("paid_price")
    return _money(paid if paid not in (None, "") else unit.get("item_price"), "paid_price")


def map_product(row: dict[str, Any], status: str) -> RemoteItem:
    """A `/products/get` product as a RemoteItem with one model per SKU (`status`: the
    filter it was listed under); ConnectorError naming the item when it is malformed."""
    item_id = str(row.get("item_id") or "").strip()
    try:
        return _map_product(item_id, row, status)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        attributes = row.get("attributes")
        name = _clip(attributes.get("name"), "product") if isinstance(attributes, dict) else None
        named = item_id or (f"? ({name})" if name else "?")
        raise ConnectorError(msg("Lazada item {item} could not be read: {reason}",
                                 item=named, reason=str(exc))) from None  # fmt: skip


def _map_product(item_id: str, row: dict[str, Any], status: str) -> RemoteItem:
    if not item_id:
        raise ValueError("it has no item_id")
    attributes = row.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise ValueError("attributes is not an object")
    skus = row.get("skus") or []
    if not isinstance(skus, list) or not all(isinstance(s, dict) for s in skus):
        raise ValueError("skus is not a list of objects")
    ids = []
    for raw in skus:
        sku_id = str(raw.get("SkuId") if raw.get("SkuId") is not None else "").strip()
        if not sku_id:
            raise ValueError("a SKU has no SkuId")
        ids.append(sku_id)
    names, options = _sku_options(skus, ids)
    models = tuple(
        RemoteModel(model_id=sku_id, sku=_clip(raw.get("SellerSku"), "sku"), options=opts,
                    price=_list_price(raw, sku_id), stock=_stock(raw, sku_id))
        for raw, sku_id, opts in zip(skus, ids, options, strict=True)
    )  # fmt: skip
    return RemoteItem(item_id=item_id, name=_clip(attributes.get("name"), "product") or "",
                      sku=None, status=status, option_names=names,
                      models=models)  # fmt: skip


def _sku_options(
    skus: Sequence[dict[str, Any]], ids: Sequence[str]
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The option names and each SKU's options: from the SKUs' variation strings ("Đỏ,M")
    when every SKU has one, of the same number of values, and they tell the SKUs apart;
    else, for several SKUs, each SKU's seller SKU (or SkuId) as its one option; a single
    SKU without a variation has no options."""
    variations = [_variation(raw) for raw in skus]
    counts = {len(v) for v in variations}
    if skus and () not in variations and len(counts) == 1 \
            and len(set(variations)) == len(variations):  # fmt: skip
        return VARIATION_NAMES[: counts.pop()], variations
    if len(skus) > 1:
        labels = [_clip(raw.get("SellerSku"), "variant") or sku_id
                  for raw, sku_id in zip(skus, ids, strict=True)]  # fmt: skip
        return (SKU_OPTION_NAME,), [(label,) for label in labels]
    return (), [() for _ in skus]


def _variation(raw: dict[str, Any]) -> tuple[str, ...]:
    """A SKU's variation string ("Đỏ,M") as up to two values (any further commas stay in
    the second; empty values are left out); () when it has none."""
    text = raw.get("Variation")
    if text is None or str(text).strip() == "":
        text = raw.get("variation")
    if text is None or isinstance(text, (dict, list)):
        return ()
    parts = (_clip(p, "variant") for p in str(text).split(",", len(VARIATION_NAMES) - 1))
    return tuple(p for p in parts if p)


def _list_price(raw: dict[str, Any], sku_id: str) -> int:
    """The list `price` (not the `special_price` of a promotion); missing is an error,
    not 0, so a broken answer never reads as a free item."""
    if raw.get("price") is None or str(raw["price"]).strip() == "":
        raise ValueError(f"SKU {sku_id} has no price")
    return _money(raw["price"], f"SKU {sku_id} price")


def _stock(raw: dict[str, Any], sku_id: str) -> int | None:
    """The SKU's `quantity` (None when Lazada did not say)."""
    quantity = raw.get("quantity")
    if quantity is None or quantity == "":
        return None
    return _int(quantity, name=f"SKU {sku_id} quantity")


def _map_address(addr: dict[str, Any], name: str | None, phone: str | None) -> RemoteAddress:
    """Lazada VN: address1 = street, address3 = province, address4 = district (empty
    since the 2025 map), address5 = ward (as the Seller Center export's columns)."""
    street = _clip(addr.get("address1"), "address")
    province = _clip(addr.get("address3") or addr.get("city"), "place")
    district = _clip(addr.get("address4"), "place")
    ward = _clip(addr.get("address5"), "place")
    full = ", ".join(p for p in (street, ward, district, province) if p) or None
    return RemoteAddress(name=name, phone=phone, address=street, ward=ward, district=district,
                         province=province, full_address=_clip(full, "address"))  # fmt: skip


def _statuses(header: dict[str, Any]) -> list[str]:
    raw = header.get("statuses") or []
    if isinstance(raw, str):
        raw = [raw]
    return [str(s) for s in raw if s]


def _raw_status(header: dict[str, Any]) -> str:
    return ",".join(_statuses(header)) or "?"


def _seller_id(data: dict[str, Any]) -> str:
    """The seller id of the Vietnamese shop in a token answer (else the first one)."""
    infos = data.get("country_user_info") or data.get("country_user_info_list") or []
    if isinstance(infos, list):
        rows = [i for i in infos if isinstance(i, dict) and i.get("seller_id")]
        for info in rows:
            if str(info.get("country", "")).lower() == "vn":
                return str(info["seller_id"])
        if rows:
            return str(rows[0]["seller_id"])
    raise ConnectorError(
        "Lazada's token answer names no seller (country_user_info has no seller_id):"
        " the shop cannot be linked.",
        detail=_redacted(data),
    )


def _failed_skus(data: dict[str, Any]) -> dict[str, str]:
    """SKU id (or `item:<id>`) -> message, from a price/quantity answer's `detail`."""
    failed: dict[str, str] = {}
    for row in data.get("detail") or []:
        if not isinstance(row, dict):
            continue
        message = str(row.get("message") or row.get("code") or "refused")
        if row.get("sku_id") not in (None, ""):
            failed[str(row["sku_id"])] = message
        elif row.get("item_id") not in (None, ""):
            failed[f"item:{row['item_id']}"] = message
    return failed


def _ban_seconds(message: str, retry_after: str | None) -> float | None:
    match = _BAN.search(message)
    if match:
        return float(match.group(1))
    try:
        return float(retry_after) if retry_after else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- helpers


def _chunked(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _money(value: Any, name: str = "amount") -> int:
    """Whole đồng from Lazada's strings ("150000.00") or numbers."""
    if value is None or value == "":
        return 0
    try:
        amount = round(float(str(value).replace(",", "")))
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} is not an amount: {value!r}") from None
    if amount < 0:
        raise ValueError(f"{name} is negative: {value!r}")
    return int(amount)


def _conforms(connector: LazadaConnector) -> Connector:
    """Never called: mypy proves here that LazadaConnector implements the interface."""
    return connector


def _answer_data(data: dict[str, Any], path: str) -> dict[str, Any]:
    return answer_object(data, "data", PLATFORM, path)


def _rows(data: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    return answer_rows(data, key, PLATFORM, path)


def _check_window(since: datetime, until: datetime) -> None:
    check_window(since, until, MAX_WINDOW, PLATFORM)
