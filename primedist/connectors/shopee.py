"""Shopee Open Platform v2 over httpx (reference: shared/specs/marketplace-apis.md § 2).

Signing: HMAC-SHA256 with the partner key (UTF-8 text, not hex-decoded) over
`partner_id + path + timestamp` for public APIs, plus `access_token + shop_id` for shop
APIs; lowercase hex; always in the query string. Bodies are never signed.

Errors come in the JSON envelope (`error` non-empty), whatever the HTTP status, and are
turned into the `base` error classes here. Reads, stock and price pushes are retried with
exponential backoff and full jitter on rate limits, HTTP 5xx and timeouts; the order
actions (arrange shipment, cancel) are retried only when the platform certainly did not
act (rate limit), since a timed-out action may have happened: the outbox asks
`order_state` before sending it again.

Money: Shopee VN amounts are whole đồng (sent as JSON numbers, maybe floats); lines keep
the original price with the seller's discount as the line discount; the gap between the
lines + shipping and `total_amount` is the vouchers/coins, recorded as
`marketplace_discount` (telling the Shopee-funded and seller-funded parts apart needs the
escrow API, one call per order: not done in the sync).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

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
    utc_from_timestamp,
)
from primedist.connectors.http import (
    answer_object,
    answer_rows,
    check_window,
    full_jitter,
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
from primedist.domain.product import MAX_ITEM_WEIGHT_G

LIVE_HOST = "https://partner.shopeemobile.com"
SANDBOX_HOST = "https://openplatform.sandbox.test-stable.shopee.sg"

AUTH_PARTNER_PATH = "/api/v2/shop/auth_partner"
TOKEN_GET_PATH = "/api/v2/auth/token/get"
TOKEN_REFRESH_PATH = "/api/v2/auth/access_token/get"
SHOP_INFO_PATH = "/api/v2/shop/get_shop_info"
ORDER_LIST_PATH = "/api/v2/order/get_order_list"
ORDER_DETAIL_PATH = "/api/v2/order/get_order_detail"
CANCEL_ORDER_PATH = "/api/v2/order/cancel_order"
SHIPPING_PARAMETER_PATH = "/api/v2/logistics/get_shipping_parameter"
SHIP_ORDER_PATH = "/api/v2/logistics/ship_order"
UPDATE_STOCK_PATH = "/api/v2/product/update_stock"
UPDATE_PRICE_PATH = "/api/v2/product/update_price"
ITEM_LIST_PATH = "/api/v2/product/get_item_list"
ITEM_BASE_INFO_PATH = "/api/v2/product/get_item_base_info"
MODEL_LIST_PATH = "/api/v2/product/get_model_list"

MAX_WINDOW = timedelta(days=15)
#: How messages name the platform.
PLATFORM = "Shopee"
DETAIL_BATCH = 50
MAX_PAGE_SIZE = 100
MODELS_PER_PUSH = 50
#: Model-list calls in flight at once while reading the listings (one call per item).
MODEL_LIST_WORKERS = 4
#: Most item ids one `get_item_base_info` call takes.
BASE_INFO_BATCH = 50
#: The item statuses `listed_items` reads: for sale, and hidden by the seller (still the
#: shop's listing; banned and deleted items are not).
LISTED_STATUSES = ("NORMAL", "UNLIST")
#: Shopee does not return the refresh token's life; its docs say 30 days.
REFRESH_TOKEN_LIFE = timedelta(days=30)
#: The daily call limit resets at 00:00 UTC+8.
LIMIT_RESET_TZ_OFFSET = timedelta(hours=8)

DETAIL_FIELDS = (
    "buyer_user_id,buyer_username,recipient_address,item_list,pay_time,payment_method,"
    "total_amount,estimated_shipping_fee,actual_shipping_fee,shipping_carrier,note,"
    "cancel_reason,buyer_cancel_reason,cancel_by"
)

#: Shopee status -> ours. IN_CANCEL shows as cancelled, as in the Seller Centre's
#: "Đơn hủy" tab; if the seller refuses the cancellation the order comes back with its
#: shipping status at the next sync.
STATUS_MAP: dict[str, OrderStatus] = {
    "UNPAID": OrderStatus.PENDING,
    "PENDING": OrderStatus.PENDING,
    "INVOICE_PENDING": OrderStatus.PENDING,
    "READY_TO_SHIP": OrderStatus.PENDING,
    "PROCESSED": OrderStatus.CONFIRMED,
    "RETRY_SHIP": OrderStatus.CONFIRMED,
    "SHIPPED": OrderStatus.SHIPPING,
    "TO_CONFIRM_RECEIVE": OrderStatus.SHIPPING,
    "IN_CANCEL": OrderStatus.CANCELLED,
    "CANCELLED": OrderStatus.CANCELLED,
    "TO_RETURN": OrderStatus.RETURN_REFUND,
    "COMPLETED": OrderStatus.COMPLETED,
}

#: Shopee statuses of a pending order that cannot be confirmed (shipped) yet.
NOT_READY_TO_SHIP = frozenset({"UNPAID", "PENDING", "INVOICE_PENDING"})

#: Error codes meaning "the authorisation is gone": the seller must authorise again.
AUTH_ERRORS = frozenset({
    "error_sign", "error_partner_key_expired", "shop_no_linked", "partner_shop_no_link",
    "invalid_code", "refresh_token_expired", "error_shop_refresh_token",
    "invalid_refresh_token", "error_permission",
})  # fmt: skip
#: The access token alone is bad: refresh once and try again.
TOKEN_ERRORS = frozenset({"invalid_acceess_token", "invalid_access_token", "error_auth"})
TRANSIENT_ERRORS = frozenset({"error_server", "error_inner", "error_busy", "error_network"})

#: Column limits of our orders/order_lines tables (mapped values are clipped to them).


# --------------------------------------------------------------------------- signing


def base_string(
    partner_id: int | str,
    api_path: str,
    timestamp: int,
    access_token: str | None = None,
    shop_id: int | str | None = None,
) -> str:
    """The string Shopee signs: public API without token/shop, shop API with both."""
    base = f"{partner_id}{api_path}{timestamp}"
    if access_token is not None:
        base += f"{access_token}{shop_id if shop_id is not None else ''}"
    return base


def hmac_hex(partner_key: str, message: str) -> str:
    """Lowercase hex HMAC-SHA256 with the partner key as UTF-8 text."""
    return hmac.new(partner_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def sign(
    partner_key: str,
    partner_id: int | str,
    api_path: str,
    timestamp: int,
    access_token: str | None = None,
    shop_id: int | str | None = None,
) -> str:
    """The `sign` query parameter of a Shopee v2 call."""
    return hmac_hex(
        partner_key, base_string(partner_id, api_path, timestamp, access_token, shop_id)
    )


def verify_push(callback_url: str, raw_body: bytes, partner_key: str, authorization: str) -> bool:
    """Whether a push's `Authorization` header is HMAC(url + "|" + raw body)."""
    expected = hmac.new(
        partner_key.encode(), callback_url.encode() + b"|" + raw_body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, authorization.strip().lower())


def next_limit_reset(now: datetime) -> datetime:
    """The next 00:00 UTC+8 after `now`, in UTC (when the daily call limit resets)."""
    local = now.astimezone(UTC) + LIMIT_RESET_TZ_OFFSET
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return midnight - LIMIT_RESET_TZ_OFFSET


# --------------------------------------------------------------------------- connector


class ShopeeConnector(TokenKeeper):
    """The Connector for Shopee Open Platform v2 (see `base.Connector`)."""

    PLATFORM = "Shopee"

    max_window = MAX_WINDOW
    detail_batch_size = DETAIL_BATCH
    capabilities = frozenset({Action.CONFIRM, Action.CANCEL, Action.PUSH_STOCK, Action.PUSH_PRICE,
                              Action.LIST_ITEMS})  # fmt: skip
    #: Pending orders Shopee does not let the seller confirm (arrange shipment) yet: not
    #: paid, or a COD order Shopee still checks (its ship call needs READY_TO_SHIP).
    not_confirmable = NOT_READY_TO_SHIP

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
        self.host = (config.api_host or LIVE_HOST).rstrip("/")
        super().__init__(config, store, clock=clock, sleep=sleep, rng=rng, transport=transport,
                         base_url=self.host)  # fmt: skip
        self._partner_id = _partner_id(config.partner_id)
        self._page_size = max(1, min(MAX_PAGE_SIZE, config.page_size))
        self._paused_until: datetime | None = None
        self._pause_guard = threading.Lock()

    # ---------------------------------------------------------------- authorisation

    def authorization_url(self, redirect_url: str) -> str:
        ts = self._timestamp()
        query = {
            "partner_id": self._partner_id,
            "timestamp": ts,
            "sign": sign(self.config.partner_key, self._partner_id, AUTH_PARTNER_PATH, ts),
            "redirect": redirect_url,
        }
        return f"{self.host}{AUTH_PARTNER_PATH}?{urlencode(query)}"

    def exchange_code(self, code: str, shop_external_id: str) -> TokenPair:
        if not code.strip():
            raise AuthError("The authorisation code is empty: authorise the shop again.")
        body = {"code": code.strip(), "partner_id": self._partner_id,
                "shop_id": _shop_id(shop_external_id)}  # fmt: skip
        data = self._call("POST", TOKEN_GET_PATH, body=body, public=True)
        return self._token_pair(data, shop_external_id)

    def refresh_tokens(self, tokens: TokenPair) -> TokenPair:
        now = self._clock.now()
        if not tokens.refresh_valid(now):
            raise AuthError(
                "The shop's Shopee authorisation expired (refresh token too old):"
                " authorise the shop again."
            )
        body = {"refresh_token": tokens.refresh_token, "partner_id": self._partner_id,
                "shop_id": _shop_id(tokens.shop_external_id)}  # fmt: skip
        data = self._call("POST", TOKEN_REFRESH_PATH, body=body, public=True)
        return self._token_pair(data, tokens.shop_external_id)

    def _token_pair(self, data: dict[str, Any], shop_external_id: str) -> TokenPair:
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if not isinstance(access, str) or not access or not isinstance(refresh, str):
            raise ConnectorError("Shopee answered without tokens.", detail=_redacted(data))
        # Masked in every log line and error message of this process from now on.
        remember_secret(access)
        remember_secret(refresh)
        now = self._clock.now()
        expire_in = _int(data.get("expire_in"), 14400)
        return TokenPair(access_token=access, refresh_token=refresh,
                         access_expires_at=now + timedelta(seconds=expire_in),
                         refresh_expires_at=now + REFRESH_TOKEN_LIFE,
                         shop_external_id=str(shop_external_id))  # fmt: skip

    # ---------------------------------------------------------------- orders

    def changed_orders(
        self, since: datetime, until: datetime, cursor: str | None = None
    ) -> ChangedOrdersPage:
        _check_window(since, until)
        time_from = int(since.timestamp() // 1)
        # Rounded up so the window's last second is in; the next window starts at the
        # floor of `until`, so clipping to Shopee's 15 days cannot lose a second.
        time_to = min(-int(-until.timestamp() // 1), time_from + int(MAX_WINDOW.total_seconds()))
        params = {
            "time_range_field": "update_time",
            "time_from": time_from,
            "time_to": time_to,
            "page_size": self._page_size,
            "cursor": cursor or "",
            "response_optional_fields": "order_status",
            "request_order_status_pending": "true",
        }
        data = _answer_response(self._call("GET", ORDER_LIST_PATH, params=params), ORDER_LIST_PATH)
        rows = _rows(data, "order_list", ORDER_LIST_PATH)
        if not all(r.get("order_sn") for r in rows):
            raise ConnectorError("Shopee's order list has a row without an order number.")
        orders = tuple(
            ChangedOrder(external_id=str(r["order_sn"]), raw_status=r.get("order_status"))
            for r in rows
        )
        more = bool(data.get("more"))
        next_cursor = str(data.get("next_cursor") or "") or None
        if more and next_cursor is None:  # paging on would start over: never ends
            raise ConnectorError("Shopee said more orders follow but gave no cursor.")
        return ChangedOrdersPage(orders=orders, next_cursor=next_cursor if more else None,
                                 more=more)  # fmt: skip

    def order_details(self, external_ids: Sequence[str]) -> list[RemoteOrder]:
        if len(external_ids) > DETAIL_BATCH:
            raise ValueError(f"at most {DETAIL_BATCH} orders per detail call")
        if not external_ids:
            return []
        rows = self._detail_rows(external_ids, DETAIL_FIELDS)
        good: list[RemoteOrder] = []
        problems: dict[str, str] = {}
        for row in rows:
            try:
                good.append(map_order(row))
            except ConnectorError as exc:
                problems[str(row.get("order_sn") or "?")] = exc.user_message
        if problems:
            raise UnreadableOrders(good, problems)
        return good

    def order_state(self, external_id: str) -> RemoteOrderState | None:
        rows = self._detail_rows([external_id], "")
        for r in rows:
            if str(r.get("order_sn")) == external_id:
                raw = str(r.get("order_status") or "")
                try:
                    updated = utc_from_timestamp(_int(r.get("update_time")))
                except (TypeError, ValueError):
                    raise ConnectorError(
                        f"Shopee order {external_id} has no update time."
                    ) from None
                return RemoteOrderState(external_id, map_status(raw), raw, updated)
        return None

    def _detail_rows(self, external_ids: Sequence[str], fields: str) -> list[dict[str, Any]]:
        params = {"order_sn_list": ",".join(external_ids)}
        if fields:
            params["response_optional_fields"] = fields
        data = _answer_response(
            self._call("GET", ORDER_DETAIL_PATH, params=params), ORDER_DETAIL_PATH
        )
        return _rows(data, "order_list", ORDER_DETAIL_PATH)

    # ---------------------------------------------------------------- actions

    def confirm_order(self, external_id: str) -> None:
        """Arrange shipment: pickup at the first address/time slot Shopee offers, else
        drop-off at a carrier point (what the seller's "Chuẩn bị hàng" does)."""
        params = {"order_sn": external_id}
        answer = self._call("GET", SHIPPING_PARAMETER_PATH, params=params, action=True)
        info = _answer_response(answer, SHIPPING_PARAMETER_PATH)
        body: dict[str, Any] = {"order_sn": external_id}
        pickup = _first_pickup_slot(info)
        if pickup is not None:
            body["pickup"] = pickup
        elif "dropoff" in (info.get("info_needed") or {}):
            body["dropoff"] = {}
        else:
            raise RemoteRejected(
                f"Shopee offers no pickup or drop-off for order {external_id} (is it paid?)."
            )
        self._call("POST", SHIP_ORDER_PATH, body=body, action=True)

    def ship_order(self, external_id: str, tracking_number: str | None = None) -> None:
        del tracking_number  # the carrier's scan sets it on Shopee
        raise NotSupported(
            f"Shopee marks order {external_id} shipped itself when the carrier picks it up."
        )

    def cancel_order(self, external_id: str, reason: str) -> None:
        code = cancel_reason_code(reason)
        body: dict[str, Any] = {"order_sn": external_id, "cancel_reason": code}
        if code == "OUT_OF_STOCK":
            # Shopee wants the items that ran out; we say all of them.
            orders = self.order_details([external_id])
            if not orders:
                raise RemoteRejected(f"Shopee does not know order {external_id}.")
            body["item_list"] = [
                {"item_id": int(line.item_id or 0), "model_id": int(line.model_id or 0)}
                for line in orders[0].lines
            ]
        self._call("POST", CANCEL_ORDER_PATH, body=body, action=True)

    # ---------------------------------------------------------------- pushes and shop

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[PushResult]:
        return self._push(
            UPDATE_STOCK_PATH, "stock_list", updates,
            lambda u: {"seller_stock": [{"stock": max(0, u.stock)}]},
        )  # fmt: skip

    def push_price(self, updates: Sequence[PriceUpdate]) -> list[PushResult]:
        return self._push(
            UPDATE_PRICE_PATH, "price_list", updates, lambda u: {"original_price": int(u.price)}
        )

    def _push(
        self,
        path: str,
        list_key: str,
        updates: Sequence[Any],
        values: Callable[[Any], dict[str, Any]],
    ) -> list[PushResult]:
        """One call per item and at most 50 models (Shopee's rule); partial failure is
        normal, and a whole call the platform refuses fails just its own updates."""
        results: list[PushResult] = []
        for item_id, group in _by_item(updates):
            bad = [u for u in group if not _is_id(u.item_id) or not _is_id(u.model_id or "0")]
            results += [PushResult(u.item_id, u.model_id, False, "not a Shopee item/model id")
                        for u in bad]  # fmt: skip
            good = [u for u in group if u not in bad]
            for chunk in _chunked(good, MODELS_PER_PUSH):
                models = [{"model_id": int(u.model_id or 0), **values(u)} for u in chunk]
                body = {"item_id": int(item_id), list_key: models}
                try:
                    data = _answer_response(self._call("POST", path, body=body), path)
                except RemoteRejected as exc:
                    results += [PushResult(u.item_id, u.model_id, False, exc.user_message)
                                for u in chunk]  # fmt: skip
                    continue
                results += _push_results(chunk, data)
        return results

    def shop_info(self) -> ShopInfo:
        data = self._call("GET", SHOP_INFO_PATH)
        info = data.get("response") or data
        tokens = self._tokens or self._stored_tokens()
        try:
            auth_time = _int(info.get("auth_time"), 0, name="auth_time")
            expire_time = _int(info.get("expire_time"), 0, name="expire_time")
        except ValueError as exc:
            raise ConnectorError(f"Shopee's shop info is malformed: {exc}.") from None
        return ShopInfo(
            external_id=tokens.shop_external_id,
            name=str(info.get("shop_name") or ""),
            region=str(info.get("region") or "VN"),
            status=str(info.get("status") or ""),
            authorized_at=utc_from_timestamp(auth_time) if auth_time else None,
            auth_expires_at=utc_from_timestamp(expire_time) if expire_time else None,
        )

    # ---------------------------------------------------------------- listings

    def listed_items(self) -> Iterator[RemoteItem]:
        """Lazily, so a big shop is not held in memory: a page of item ids, their base
        info 50 at a time, then one model-list call per item with variants (Shopee has
        no batch call for models). The calls happen while the caller iterates, so a
        ConnectorError can come after some items were yielded."""
        with ThreadPoolExecutor(MODEL_LIST_WORKERS, thread_name_prefix="shopee-models") as pool:
            for item_ids in _batches(self._listed_item_ids(), BASE_INFO_BATCH):
                rows = self._base_info(item_ids)
                # A few model lists at a time: one call per item costs a round trip each.
                models = pool.map(self._models_of, rows)
                for row, found in zip(rows, models, strict=True):
                    yield map_item(row, found)

    def _models_of(self, row: dict[str, Any]) -> dict[str, Any] | None:
        """The model list of a base-info row's item (None for an item without variants)."""
        if not row.get("has_model"):
            return None
        return self._model_list(_item_id(row, ITEM_BASE_INFO_PATH))

    def _listed_item_ids(self) -> Iterator[str]:
        """The ids `get_item_list` pages through (offset paging), each once even when the
        list shifts under the paging and shows an item twice."""
        offset = 0
        seen: set[str] = set()
        while True:
            params = {"offset": offset, "page_size": self._page_size,
                      "item_status": list(LISTED_STATUSES)}  # fmt: skip
            answer = self._call("GET", ITEM_LIST_PATH, params=params)
            data = _answer_response(answer, ITEM_LIST_PATH)
            for row in _rows(data, "item", ITEM_LIST_PATH):
                item_id = _item_id(row, ITEM_LIST_PATH)
                if item_id not in seen:
                    seen.add(item_id)
                    yield item_id
            if not data.get("has_next_page"):
                return
            offset = _next_offset(data, offset)

    def _base_info(self, item_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Base info of up to 50 items (Shopee leaves unknown ids out)."""
        params = {"item_id_list": ",".join(item_ids)}
        answer = self._call("GET", ITEM_BASE_INFO_PATH, params=params)
        return _rows(_answer_response(answer, ITEM_BASE_INFO_PATH), "item_list",
                     ITEM_BASE_INFO_PATH)  # fmt: skip

    def _model_list(self, item_id: str) -> dict[str, Any]:
        answer = self._call("GET", MODEL_LIST_PATH, params={"item_id": item_id})
        return _answer_response(answer, MODEL_LIST_PATH)

    # ---------------------------------------------------------------- the HTTP call

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        public: bool = False,
        action: bool = False,
    ) -> dict[str, Any]:
        """One API call with signing, token refresh, classification and retries.

        `action`: a state-changing order call, retried only when Shopee certainly did
        not act (rate limited); a timeout or 5xx is raised at once."""
        self._check_not_paused()
        refreshed = False

        def authorised_send() -> dict[str, Any]:
            nonlocal refreshed
            while True:
                token = None if public else self.ensure_fresh_tokens()
                try:
                    return self._send(method, path, params, body, token)
                except _TokenRejected as exc:
                    if token is None:  # a refresh/code call: the authorisation itself is gone
                        raise AuthError(
                            f"{exc.user_message}. Authorise the shop again.", code=exc.code
                        ) from None
                    if refreshed:
                        raise AuthError(
                            "Shopee refused the shop's access token even after a refresh:"
                            " authorise the shop again.", code=exc.code,
                        ) from None  # fmt: skip
                    self._refresh_rejected(token.access_token)
                    refreshed = True
                except DailyLimitReached as exc:
                    with self._pause_guard:
                        self._paused_until = exc.resume_at
                    raise

        return send_with_retries(
            authorised_send,
            attempts=self.config.max_attempts,
            backoff_base=self.config.backoff_base,
            backoff_max=self.config.backoff_max,
            sleep=self._sleep,
            rng=self._rng,
            retry_on=lambda exc: not action or isinstance(exc, RateLimited),
        )

    def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        body: dict[str, Any] | None,
        token: TokenPair | None,
    ) -> dict[str, Any]:
        ts = self._timestamp()
        query: dict[str, Any] = {"partner_id": self._partner_id, "timestamp": ts}
        if token is None:
            query["sign"] = sign(self.config.partner_key, self._partner_id, path, ts)
        else:
            shop = _shop_id(token.shop_external_id)
            query.update(access_token=token.access_token, shop_id=shop,
                         sign=sign(self.config.partner_key, self._partner_id, path, ts,
                                   token.access_token, shop))  # fmt: skip
        query.update(params or {})
        try:
            resp = self._http.request(method, path, params=query, json=body)
        except httpx.TransportError as exc:
            raise unreachable(exc, platform="Shopee", host=self.host,
                              timeout=self.config.timeout, path=path) from None  # fmt: skip
        return self._classify(resp, path)

    def _classify(self, resp: httpx.Response, path: str) -> dict[str, Any]:
        """The payload of a good answer, or the matching error."""
        try:
            data = resp.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if resp.status_code >= 500 or resp.status_code == 429:
                raise TransientError(f"Shopee answered HTTP {resp.status_code} ({path}).")
            raise ConnectorError(
                f"Shopee answered HTTP {resp.status_code} with no JSON ({path}).",
                detail=redact(resp.text[:300]),
            )
        error = str(data.get("error") or "")
        if not error:
            if resp.status_code >= 500:
                raise TransientError(f"Shopee answered HTTP {resp.status_code} ({path}).")
            return data
        message = str(data.get("message") or error)
        raise self._error(error, message, resp, path)

    def _error(self, error: str, message: str, resp: httpx.Response, path: str) -> Exception:
        text = f"Shopee: {message} ({error}, {path})"
        if error == "error_rate_limit":
            retry_after = _float(resp.headers.get("Retry-After"))
            return RateLimited(text, code=error, retry_after=retry_after)
        if error == "error_limit":
            resume = next_limit_reset(self._clock.now())
            return DailyLimitReached(
                f"{text}. Paused until {resume:%Y-%m-%d %H:%M} UTC.", resume_at=resume, code=error
            )
        if error in TOKEN_ERRORS:
            return _TokenRejected(text, code=error)
        if error in AUTH_ERRORS:
            return AuthError(f"{text}. Authorise the shop again.", code=error)
        if error == "error_param" and "timestamp" in message.lower():
            return ConnectorError(
                f"{text}. This computer's clock is probably wrong by more than 5 minutes.",
                code=error,
            )
        if error in TRANSIENT_ERRORS or resp.status_code >= 500:
            return TransientError(text, code=error)
        return RemoteRejected(text, code=error)

    def _backoff(self, attempt: int, exc: TransientError) -> float:
        return full_jitter(attempt, exc, base=self.config.backoff_base,
                           cap=self.config.backoff_max, rng=self._rng)  # fmt: skip

    def _check_not_paused(self) -> None:
        with self._pause_guard:
            paused = self._paused_until
        if paused is not None and self._clock.now() < paused:
            raise DailyLimitReached(
                f"Shopee's daily call limit is spent: paused until {paused:%Y-%m-%d %H:%M} UTC.",
                resume_at=paused,
                code="error_limit",
            )

    def _timestamp(self) -> int:
        return int(self._clock.now().timestamp())


class _TokenRejected(ConnectorError):
    """Internal: the access token was refused (refresh once, then AuthError)."""


# --------------------------------------------------------------------------- mapping


def map_status(raw: str) -> OrderStatus:
    """Our status for a Shopee status (unknown new statuses count as pending)."""
    return STATUS_MAP.get(raw.upper(), OrderStatus.PENDING)


def map_payment(raw: str | None, cod: bool) -> PaymentMethod:
    """Our payment method from Shopee's free-text `payment_method` and `cod` flag."""
    text = fold(raw or "")
    if cod or "cash on delivery" in text or text == "cod" or "thanh toan khi nhan" in text:
        return PaymentMethod.COD
    if any(w in text for w in ("shopeepay", "airpay", "wallet", "vi ", "momo", "zalopay")):
        return PaymentMethod.E_WALLET
    if any(w in text for w in ("card", "the tin dung", "the ghi no", "visa", "mastercard")):
        return PaymentMethod.CARD
    if any(w in text for w in ("bank", "chuyen khoan", "ngan hang", "napas")):
        return PaymentMethod.BANK_TRANSFER
    return PaymentMethod.OTHER


def cancel_reason_code(reason: str) -> str:
    """Shopee's cancel reason code for our free-text reason."""
    text = fold(reason)
    if any(w in text for w in ("het hang", "out of stock", "stock", "ton kho")):
        return "OUT_OF_STOCK"
    if any(w in text for w in ("khong giao", "undeliverable", "ngoai vung", "khu vuc")):
        return "UNDELIVERABLE_AREA"
    if any(w in text for w in ("cod", "khong ho tro thanh toan")):
        return "COD_NOT_SUPPORTED"
    return "CUSTOMER_REQUEST"


def map_order(raw: dict[str, Any]) -> RemoteOrder:
    """A `get_order_detail` order as a RemoteOrder (raises ConnectorError naming the order
    when a required field is missing or broken)."""
    sn = str(raw.get("order_sn") or "")
    try:
        return _map_order(sn, raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConnectorError(msg("Shopee order {order} could not be read: {reason}",
                                 order=sn or "?", reason=str(exc))) from None  # fmt: skip


def _map_order(sn: str, raw: dict[str, Any]) -> RemoteOrder:
    status_raw = str(raw["order_status"])
    lines = tuple(_map_line(item) for item in raw.get("item_list") or [])
    subtotal = sum(line.subtotal for line in lines)
    shipping = _money(raw.get("estimated_shipping_fee"), "estimated_shipping_fee")
    total = (
        _money(raw["total_amount"], "total_amount")
        if "total_amount" in raw
        else subtotal + shipping
    )
    # What the buyer did not pay of the lines + shipping: vouchers and coins.
    gap = subtotal + shipping - total
    if gap < 0:  # paid more than the parts (shipping surcharge): count it as shipping
        shipping, gap = shipping - gap, 0
    cod = bool(raw.get("cod"))
    pay_time = raw.get("pay_time")
    # A cancelled order paid nothing to the shop (Shopee gives a prepaid buyer it back),
    # as the other connectors say.
    cancelled = STATUS_MAP.get(status_raw) == OrderStatus.CANCELLED
    paid = total if not cancelled and (status_raw == "COMPLETED" or (not cod and pay_time)) else 0
    updated = utc_from_timestamp(_int(raw.get("update_time"), name="update_time"))
    addr = raw.get("recipient_address") or {}
    name, phone = _clip(addr.get("name"), "name"), _clip(addr.get("phone"), "phone")
    cancel = raw.get("cancel_reason") or raw.get("buyer_cancel_reason")
    return RemoteOrder(
        external_id=sn,
        status=map_status(status_raw),
        raw_status=status_raw,
        created_at=utc_from_timestamp(_int(raw.get("create_time"), name="create_time")),
        updated_at=updated,
        payment_method=map_payment(raw.get("payment_method"), cod),
        buyer=RemoteBuyer(
            external_id=str(raw["buyer_user_id"]) if raw.get("buyer_user_id") else None,
            username=raw.get("buyer_username") or None,
            name=name,
            phone=phone,
            masked=_masked(name) or _masked(phone) or _masked(addr.get("full_address")),
        ),
        address=_map_address(addr, name, phone),
        lines=lines,
        subtotal=subtotal,
        shipping_fee=shipping,
        marketplace_discount=gap,
        total=total,
        paid_amount=paid,
        carrier=_clip(raw.get("shipping_carrier"), "carrier"),
        buyer_note=(raw.get("message_to_seller") or "").strip() or None,
        cancel_reason=_clip(cancel, "reason"),
        completed_at=updated if status_raw == "COMPLETED" else None,
    )


def _map_line(item: dict[str, Any]) -> RemoteOrderLine:
    qty = _int(item.get("model_quantity_purchased"), 0, name="model_quantity_purchased")
    original = _money(item.get("model_original_price"), "model_original_price")
    discounted = _money(item.get("model_discounted_price"), "model_discounted_price")
    # 0 means "bundle deal" (by Shopee's design), and a discount never raises the price.
    if discounted <= 0 or discounted > original:
        discounted = original
    return RemoteOrderLine(
        sku=_clip(item.get("model_sku") or item.get("item_sku"), "sku"),
        product_name=_clip(item.get("item_name"), "product") or "?",
        variant_name=_clip(item.get("model_name"), "variant"),
        quantity=qty,
        unit_price=original,
        discount=(original - discounted) * qty,
        item_id=str(item["item_id"]) if item.get("item_id") is not None else None,
        model_id=str(item["model_id"]) if item.get("model_id") else None,
        weight_g=_grams(item.get("weight")),
    )


def _grams(kg: Any) -> int | None:
    """Shopee's item weight (kg, a number) in grams; None when missing, not a number or
    not a possible weight (0, negative, over a tonne)."""
    if isinstance(kg, bool) or not isinstance(kg, int | float):
        return None
    grams = round(kg * 1000)
    return grams if 0 < grams <= MAX_ITEM_WEIGHT_G else None


def _map_address(addr: dict[str, Any], name: str | None, phone: str | None) -> RemoteAddress:
    """Shopee VN: state = province, city = district (none since the 2025 map),
    district = ward; the street is what `full_address` has before them."""
    province = _clip(addr.get("state"), "place")
    district = _clip(addr.get("city"), "place")
    ward = _clip(addr.get("district") or addr.get("town"), "place")
    full = (addr.get("full_address") or "").strip() or None
    street = full
    if full:
        tail = ", ".join(p for p in (ward, district, province) if p)
        if tail and full.endswith(", " + tail):
            street = full[: -len(tail) - 2]
    return RemoteAddress(name=name, phone=phone, address=_clip(street, "address"), ward=ward,
                         district=district, province=province,
                         full_address=full)  # fmt: skip


def map_item(row: dict[str, Any], models: dict[str, Any] | None) -> RemoteItem:
    """A `get_item_base_info` item (with its `get_model_list` answer when it has
    variants) as a RemoteItem; ConnectorError naming the item when it is malformed."""
    item_id = str(row.get("item_id") or "")
    try:
        return _map_item(item_id, row, models)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConnectorError(msg("Shopee item {item} could not be read: {reason}",
                                 item=item_id or "?", reason=str(exc))) from None  # fmt: skip


def _map_item(item_id: str, row: dict[str, Any], models: dict[str, Any] | None) -> RemoteItem:
    sku = _clip(row.get("item_sku"), "sku")
    if models is None:  # no variants: the item itself is the one sellable model
        names: tuple[str, ...] = ()
        only = RemoteModel(None, sku, (), _list_price(row), _seller_stock(row))
        found: tuple[RemoteModel, ...] = (only,)
    else:
        tiers = _tiers(models)
        names = tuple(name for name, _ in tiers)
        found = tuple(_map_model(m, tiers) for m in _objects(models, "model"))
    return RemoteItem(item_id=item_id, name=_clip(row.get("item_name"), "product") or "",
                      sku=sku, status=str(row.get("item_status") or ""), option_names=names,
                      models=found)  # fmt: skip


def _tiers(models: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(name, option labels) of each variation, in `tier_index` order."""
    return tuple(
        (str(tier.get("name") or "").strip(),
         tuple(str(o.get("option") or "").strip() for o in _objects(tier, "option_list")))
        for tier in _objects(models, "tier_variation")
    )  # fmt: skip


def _map_model(raw: dict[str, Any], tiers: tuple[tuple[str, tuple[str, ...]], ...]) -> RemoteModel:
    model_id = raw.get("model_id")
    if model_id is None or model_id == "":
        raise ValueError("a model has no model_id")
    index = raw.get("tier_index")
    if not isinstance(index, list) or len(index) != len(tiers):
        raise ValueError(f"model {model_id}: tier_index {index!r} does not fit its"
                         f" {len(tiers)} variation(s)")  # fmt: skip
    options = []
    for (_name, labels), k in zip(tiers, index, strict=True):
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < len(labels):
            raise ValueError(f"model {model_id}: tier_index {index!r} names no option")
        options.append(labels[k])
    return RemoteModel(model_id=str(model_id), sku=_clip(raw.get("model_sku"), "sku"),
                       options=tuple(options), price=_list_price(raw),
                       stock=_seller_stock(raw))  # fmt: skip


def _list_price(raw: dict[str, Any]) -> int:
    """The list price (`original_price`: before promotions) of the first `price_info`;
    missing is an error, not 0, so a broken answer never reads as a free item."""
    prices = _objects(raw, "price_info")
    if not prices or prices[0].get("original_price") is None:
        raise ValueError("it has no price")
    return _money(prices[0]["original_price"], "original_price")


def _seller_stock(raw: dict[str, Any]) -> int | None:
    """The seller's stock: the sum over their warehouses, else the summary's available
    stock, else None (Shopee did not say)."""
    info = raw.get("stock_info_v2") or {}
    warehouses = _objects(info, "seller_stock")
    if warehouses:
        return sum(_int(w.get("stock"), name="seller_stock.stock") for w in warehouses)
    total = (info.get("summary_info") or {}).get("total_available_stock")
    return None if total is None else _int(total, name="total_available_stock")


def _objects(raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The list of objects under `key` of a product answer (missing = empty)."""
    rows = raw.get(key) or []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValueError(f"{key} is not a list of objects")
    return rows


def _item_id(row: dict[str, Any], path: str) -> str:
    item_id = row.get("item_id")
    if item_id is None or str(item_id).strip() == "":
        raise ConnectorError(f"Shopee answered an item without an item id ({path}).")
    return str(item_id).strip()


def _next_offset(data: dict[str, Any], offset: int) -> int:
    """Where the next item page starts; an offset that is missing or does not move on
    would page forever, so it is an error."""
    try:
        following = _int(data.get("next_offset"), name="next_offset")
    except ValueError:
        following = offset
    if following <= offset:
        raise ConnectorError(
            f"Shopee said more items follow but gave no next offset ({ITEM_LIST_PATH})."
        )
    return following


def _push_results(chunk: Sequence[Any], data: dict[str, Any]) -> list[PushResult]:
    failed = {
        str(f.get("model_id", 0)): str(f.get("failed_reason") or "refused")
        for f in data.get("failure_list") or []
    }
    return [
        PushResult(u.item_id, u.model_id, str(int(u.model_id or 0)) not in failed,
                   failed.get(str(int(u.model_id or 0))))
        for u in chunk
    ]  # fmt: skip


def _first_pickup_slot(info: dict[str, Any]) -> dict[str, Any] | None:
    if "pickup" not in (info.get("info_needed") or {}):
        return None
    for address in (info.get("pickup") or {}).get("address_list") or []:
        for slot in address.get("time_slot_list") or []:
            return {"address_id": address["address_id"], "pickup_time_id": slot["pickup_time_id"]}
    return None


# --------------------------------------------------------------------------- helpers


def _partner_id(value: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise AuthError(f"The Shopee partner id must be a number, not {value!r}.") from None


def _shop_id(value: str | int) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise AuthError(f"The Shopee shop id must be a number, not {value!r}.") from None


def _is_id(value: str) -> bool:
    return str(value).strip().isdigit()


def _by_item(updates: Iterable[Any]) -> Iterator[tuple[str, list[Any]]]:
    groups: dict[str, list[Any]] = {}
    for u in updates:
        groups.setdefault(str(u.item_id), []).append(u)
    return iter(groups.items())


def _chunked(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _batches(values: Iterable[str], size: int) -> Iterator[list[str]]:
    """`values` in lists of `size` (the last may be shorter), read as they come."""
    batch: list[str] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _money(value: Any, name: str = "amount") -> int:
    """Whole đồng from a JSON number (Shopee may send 150000.0)."""
    if value is None or value == "":
        return 0
    try:
        return int(round(float(value)))
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} is not an amount: {value!r}") from None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _conforms(connector: ShopeeConnector) -> Connector:
    """Never called: mypy proves here that ShopeeConnector implements the interface."""
    return connector


def _answer_response(data: dict[str, Any], path: str) -> dict[str, Any]:
    return answer_object(data, "response", PLATFORM, path)


def _rows(data: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    return answer_rows(data, key, PLATFORM, path)


def _check_window(since: datetime, until: datetime) -> None:
    check_window(since, until, MAX_WINDOW, PLATFORM)
