"""TikTok Shop Open API (202309 versions) over httpx (reference: marketplace-apis.md § 4).

Signing: HMAC-SHA256 keyed with the app secret over `secret + path + sorted query
(key + value, without sign and access_token) + the exact body string + secret`, lowercase
hex. The body is serialised ONCE and the same string is signed and sent (`content=`),
never re-serialised by httpx. The access token travels in the `x-tts-access-token`
header, and every shop call carries the shop's `shop_cipher`, which the connector asks
for (`/authorization/202309/shops`) the first time it needs it and keeps in memory.

Tokens: `auth_code` → pair on the auth host (not signed; the app secret in the query);
the pair's expiries are absolute Unix times. A refresh is treated as single use (saved
through the store under the shop lock before the new token is used), like Shopee's.

Orders: the changed-orders list is `POST /order/202309/orders/search` on update time,
oldest first, paged by `page_token`; details come from `GET /order/202309/orders?ids=`
(at most 50). TikTok has one line item per unit and no quantity: units of the same SKU
at the same price are grouped into one line. Money is a decimal string in đồng.

Actions: stock and price pushes go to the product API, one call per product. Confirming,
shipping (packages) and cancelling are not done from here yet: `capabilities` says so and
those methods raise NotSupported with the Seller Center as the way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
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
    NotSupported,
    PriceUpdate,
    PushResult,
    RateLimited,
    RemoteAddress,
    RemoteBuyer,
    RemoteItem,
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

LIVE_HOST = "https://open-api.tiktokglobalshop.com"
LIVE_AUTH_HOST = "https://auth.tiktok-shops.com"

#: The seller's consent link (on the auth host; a sandbox serves it on its one host).
AUTHORIZE_PATH = "/oauth/authorize"
TOKEN_GET_PATH = "/api/v2/token/get"
TOKEN_REFRESH_PATH = "/api/v2/token/refresh"
SHOPS_PATH = "/authorization/202309/shops"
ORDER_SEARCH_PATH = "/order/202309/orders/search"
ORDER_DETAIL_PATH = "/order/202309/orders"
INVENTORY_PATH = "/product/202309/products/{product_id}/inventory/update"
PRICE_PATH = "/product/202309/products/{product_id}/prices/update"

#: TikTok documents no longest window; a month keeps each list short enough.
MAX_WINDOW = timedelta(days=30)
#: How messages name the platform.
PLATFORM = "TikTok Shop"
DETAIL_BATCH = 50
MAX_PAGE_SIZE = 100
SKUS_PER_PUSH = 50
#: Used when the token answer has no absolute expiry (TikTok's default is 7 days).
DEFAULT_ACCESS_LIFE = timedelta(days=7)

#: TikTok status -> ours (AWAITING_SHIPMENT is the seller's "to pack", like Shopee's
#: READY_TO_SHIP; DELIVERED stays shipping until TikTok completes the order).
STATUS_MAP: dict[str, OrderStatus] = {
    "UNPAID": OrderStatus.PENDING,
    "ON_HOLD": OrderStatus.PENDING,
    "AWAITING_SHIPMENT": OrderStatus.PENDING,
    "PARTIALLY_SHIPPING": OrderStatus.SHIPPING,
    "AWAITING_COLLECTION": OrderStatus.CONFIRMED,
    "IN_TRANSIT": OrderStatus.SHIPPING,
    "DELIVERED": OrderStatus.SHIPPING,
    "COMPLETED": OrderStatus.COMPLETED,
    "CANCELLED": OrderStatus.CANCELLED,
}

ERR_INVALID_SIGN = 106001
ERR_CREDENTIALS_OR_TIMESTAMP = 36009004
ERR_TOO_MANY_REQUESTS = 36009002
ERR_MISSING_CIPHER = 106013
#: The access token alone is bad (expired / unknown): refresh once and try again.
TOKEN_ERRORS = frozenset({105001, 105002})
#: The app's credentials are refused: the shop must be linked again.
AUTH_ERRORS = frozenset({ERR_INVALID_SIGN, 105003})

#: Column limits of our orders/order_lines tables (mapped values are clipped to them).


# --------------------------------------------------------------------------- signing


def string_to_sign(app_secret: str, path: str, query: Mapping[str, Any], body: str = "") -> str:
    """What TikTok signs: the secret, the path, the sorted query pairs (without `sign`
    and the token), the raw body, the secret again."""
    skip = {"sign", "access_token", "x-tts-access-token"}
    pairs = "".join(f"{k}{query[k]}" for k in sorted(query) if k not in skip)
    return f"{app_secret}{path}{pairs}{body}{app_secret}"


def sign(app_secret: str, path: str, query: Mapping[str, Any], body: str = "") -> str:
    """The `sign` query parameter of a TikTok Shop call (lowercase hex)."""
    message = string_to_sign(app_secret, path, query, body)
    return hmac.new(app_secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def body_string(body: Mapping[str, Any]) -> str:
    """The one serialisation of a JSON body: signed and sent byte for byte."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def verify_webhook(app_key: str, raw_body: bytes, app_secret: str, authorization: str) -> bool:
    """Whether a webhook's `Authorization` header is HMAC(app_key + raw body)."""
    expected = hmac.new(app_secret.encode(), app_key.encode() + raw_body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), authorization.strip().lower())


# --------------------------------------------------------------------------- connector


class TikTokConnector(TokenKeeper):
    """The Connector for TikTok Shop (see `base.Connector`)."""

    PLATFORM = "TikTok Shop"

    max_window = MAX_WINDOW
    detail_batch_size = DETAIL_BATCH
    capabilities = frozenset({Action.PUSH_STOCK, Action.PUSH_PRICE})

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
        if not config.partner_id.strip() or not config.partner_key:
            raise AuthError("The TikTok Shop app key and app secret are both needed.")
        self.host = (config.api_host or LIVE_HOST).rstrip("/")
        # A sandbox serves the auth endpoints on its one host.
        self.auth_host = (config.api_host or LIVE_AUTH_HOST).rstrip("/")
        super().__init__(config, store, clock=clock, sleep=sleep, rng=rng, transport=transport)
        self._app_key = config.partner_id.strip()
        self._page_size = max(1, min(MAX_PAGE_SIZE, config.page_size))
        self._cipher: str | None = None
        self._cipher_guard = threading.Lock()

    # ---------------------------------------------------------------- authorisation

    def authorization_url(self, redirect_url: str) -> str:
        """The consent link by app key. Live TikTok sends the seller back to the redirect
        URL registered with the app; `redirect_uri` is for a sandbox (ignored live)."""
        state = f"{int(self._clock.now().timestamp())}-{self._rng.randrange(1 << 30):x}"
        query = {"app_key": self._app_key, "state": state, "redirect_uri": redirect_url}
        return f"{self.auth_host}{AUTHORIZE_PATH}?{urlencode(query)}"

    def exchange_code(self, code: str, shop_external_id: str) -> TokenPair:
        """The code's pair, bound to the shop it authorises (the authorised shops list
        says which: `shop_external_id` if given, else the only / the Vietnamese one)."""
        code = code.strip()
        if not code:
            raise AuthError("The authorisation code is empty: authorise the shop again.")
        params = {"auth_code": code, "grant_type": "authorized_code"}
        data = self._token_call(TOKEN_GET_PATH, params)
        unbound = self._token_pair(data, shop_external_id or "")
        shop = self._pick_shop(self._authorised_shops(unbound), shop_external_id)
        with self._cipher_guard:
            self._cipher = str(shop["cipher"])
        return TokenPair(access_token=unbound.access_token, refresh_token=unbound.refresh_token,
                         access_expires_at=unbound.access_expires_at,
                         refresh_expires_at=unbound.refresh_expires_at,
                         shop_external_id=str(shop["id"]))  # fmt: skip

    def refresh_tokens(self, tokens: TokenPair) -> TokenPair:
        if not tokens.refresh_valid(self._clock.now()):
            raise AuthError(
                "The shop's TikTok Shop authorisation expired (refresh token too old):"
                " authorise the shop again."
            )
        params = {"refresh_token": tokens.refresh_token, "grant_type": "refresh_token"}
        data = self._token_call(TOKEN_REFRESH_PATH, params)
        return self._token_pair(data, tokens.shop_external_id)

    def _token_pair(self, data: dict[str, Any], shop_external_id: str) -> TokenPair:
        payload = data.get("data")
        if not isinstance(payload, dict):
            raise ConnectorError("TikTok Shop answered the token call without data.")
        access, refresh = payload.get("access_token"), payload.get("refresh_token")
        if not isinstance(access, str) or not access or not isinstance(refresh, str):
            raise ConnectorError("TikTok Shop answered without tokens.",
                                 detail=_redacted(payload))  # fmt: skip
        remember_secret(access)
        remember_secret(refresh)
        now = self._clock.now()
        try:
            access_at = _int(payload.get("access_token_expire_in"), 0, name="expiry")
            refresh_at = _int(payload.get("refresh_token_expire_in"), 0, name="expiry")
        except ValueError as exc:
            raise ConnectorError(f"TikTok Shop's token answer is malformed: {exc}.") from None
        return TokenPair(
            access_token=access,
            refresh_token=refresh,
            access_expires_at=utc_from_timestamp(access_at) if access_at
            else now + DEFAULT_ACCESS_LIFE,
            refresh_expires_at=utc_from_timestamp(refresh_at) if refresh_at else None,
            shop_external_id=str(shop_external_id),
        )  # fmt: skip

    def _authorised_shops(self, tokens: TokenPair | None) -> list[dict[str, Any]]:
        """The shops the authorisation covers (with `tokens`, else the stored pair,
        refreshed as needed)."""
        data = self._call("GET", SHOPS_PATH, token=tokens, cipher=False)
        shops = _answer_data(data, SHOPS_PATH).get("shops") or []
        if not isinstance(shops, list) or not all(isinstance(s, dict) for s in shops):
            raise ConnectorError("TikTok Shop's authorised shops are not a list of objects.")
        return shops

    @staticmethod
    def _pick_shop(shops: list[dict[str, Any]], wanted: str | None) -> dict[str, Any]:
        usable = [s for s in shops if s.get("id") and s.get("cipher")]
        if wanted:
            usable = [s for s in usable if str(s["id"]) == str(wanted)]
        elif len(usable) > 1:
            usable = [s for s in usable if str(s.get("region", "")).upper() == "VN"] or usable
        if not usable:
            which = f"shop {wanted}" if wanted else "any shop"
            raise AuthError(
                f"TikTok Shop's authorisation does not cover {which} (no shop id and"
                " cipher in the authorised shops): authorise the shop again."
            )
        return usable[0]

    def _shop_cipher(self, token: TokenPair) -> str:
        with self._cipher_guard:
            if self._cipher is not None:
                return self._cipher
        shop = self._pick_shop(self._authorised_shops(None), token.shop_external_id)
        with self._cipher_guard:
            self._cipher = str(shop["cipher"])
            return self._cipher

    # ---------------------------------------------------------------- orders

    def changed_orders(
        self, since: datetime, until: datetime, cursor: str | None = None
    ) -> ChangedOrdersPage:
        _check_window(since, until)
        ge = int(since.timestamp() // 1)
        lt = int(until.timestamp() // 1) + 1  # `lt` is exclusive: the last second is in
        params: dict[str, Any] = {"page_size": self._page_size, "sort_field": "update_time",
                                  "sort_order": "ASC"}  # fmt: skip
        if cursor:
            params["page_token"] = cursor
        body = {"update_time_ge": ge, "update_time_lt": lt}
        data = _answer_data(self._call("POST", ORDER_SEARCH_PATH, params=params, body=body),
                        ORDER_SEARCH_PATH)  # fmt: skip
        rows = _rows(data, "orders", ORDER_SEARCH_PATH)
        if not all(r.get("id") for r in rows):
            raise ConnectorError("TikTok Shop's order list has a row without an order id.")
        orders = tuple(
            ChangedOrder(
                external_id=str(r["id"]),
                updated_at=_opt_time(r.get("update_time")),
                raw_status=str(r["status"]) if r.get("status") else None,
            )
            for r in rows
        )
        token = str(data.get("next_page_token") or "") or None
        if token is not None and token == cursor:  # the same page again: would never end
            raise ConnectorError("TikTok Shop gave the same page token twice.")
        return ChangedOrdersPage(orders=orders, next_cursor=token, more=token is not None)

    def order_details(self, external_ids: Sequence[str]) -> list[RemoteOrder]:
        if len(external_ids) > DETAIL_BATCH:
            raise ValueError(f"at most {DETAIL_BATCH} orders per detail call")
        if not external_ids:
            return []
        good: list[RemoteOrder] = []
        problems: dict[str, str] = {}
        for row in self._detail_rows(external_ids):
            try:
                good.append(map_order(row))
            except ConnectorError as exc:
                problems[str(row.get("id") or "?")] = exc.user_message
        if problems:
            raise UnreadableOrders(good, problems)
        return good

    def order_state(self, external_id: str) -> RemoteOrderState | None:
        for row in self._detail_rows([external_id]):
            if str(row.get("id")) == external_id:
                raw = str(row.get("status") or "")
                updated = _opt_time(row.get("update_time"))
                if updated is None:
                    raise ConnectorError(f"TikTok Shop order {external_id} has no update time.")
                return RemoteOrderState(external_id, map_status(raw), raw, updated)
        return None

    def _detail_rows(self, external_ids: Sequence[str]) -> list[dict[str, Any]]:
        params = {"ids": ",".join(external_ids)}
        data = _answer_data(self._call("GET", ORDER_DETAIL_PATH, params=params), ORDER_DETAIL_PATH)
        return _rows(data, "orders", ORDER_DETAIL_PATH)

    # ---------------------------------------------------------------- actions

    def confirm_order(self, external_id: str) -> None:
        raise NotSupported(
            f"Arranging TikTok Shop order {external_id}'s shipment is not done from here"
            " yet: use TikTok Shop Seller Center."
        )

    def ship_order(self, external_id: str, tracking_number: str | None = None) -> None:
        del tracking_number
        raise NotSupported(
            f"Marking TikTok Shop order {external_id} shipped is not done from here yet:"
            " use TikTok Shop Seller Center."
        )

    def cancel_order(self, external_id: str, reason: str) -> None:
        del reason
        raise NotSupported(
            f"Cancelling TikTok Shop order {external_id} is not done from here yet:"
            " use TikTok Shop Seller Center."
        )

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[PushResult]:
        return self._push(INVENTORY_PATH, updates,
                          lambda u: {"id": u.model_id,
                                     "inventory": [{"quantity": max(0, u.stock)}]})  # fmt: skip

    def push_price(self, updates: Sequence[PriceUpdate]) -> list[PushResult]:
        return self._push(PRICE_PATH, updates,
                          lambda u: {"id": u.model_id,
                                     "price": {"amount": str(int(u.price)),
                                               "currency": "VND"}})  # fmt: skip

    def _push(
        self, path_template: str, updates: Sequence[Any], sku: Callable[[Any], dict[str, Any]]
    ) -> list[PushResult]:
        """One call per product and at most 50 SKUs; a call TikTok refuses fails just
        its own updates, and the SKUs it names as failed fail alone. The results come
        in the order of `updates`."""
        results: dict[int, PushResult] = {}
        for product_id, group in _by_item(enumerate(updates)):
            good = []
            for n, u in group:
                if _is_id(u.item_id) and _is_id(u.model_id or ""):
                    good.append((n, u))
                else:
                    results[n] = PushResult(u.item_id, u.model_id, False,
                                            "not a TikTok Shop product/SKU id")  # fmt: skip
            path = path_template.format(product_id=product_id)
            for chunk in _chunked(good, SKUS_PER_PUSH):
                try:
                    data = self._call("POST", path, body={"skus": [sku(u) for _, u in chunk]})
                except RemoteRejected as exc:
                    for n, u in chunk:
                        results[n] = PushResult(u.item_id, u.model_id, False, exc.user_message)
                    continue
                failed = _failed_skus(data)
                for n, u in chunk:
                    reason = failed.get(str(u.model_id))
                    results[n] = PushResult(u.item_id, u.model_id, reason is None, reason)
        return [results[n] for n in sorted(results)]

    def listed_items(self) -> Iterator[RemoteItem]:
        """Not spoken here yet: the shop's listings get their ids from synced orders."""
        raise NotSupported(
            msg("Reading the shop's listings from {platform} is not available yet; listings"
                " get their ids from synced orders.", platform=PLATFORM)
        )  # fmt: skip

    def shop_info(self) -> ShopInfo:
        shops = self._authorised_shops(None)
        tokens = self._tokens or self._stored_tokens()
        shop = self._pick_shop(shops, tokens.shop_external_id)
        return ShopInfo(
            external_id=str(shop["id"]),
            name=str(shop.get("name") or ""),
            region=str(shop.get("region") or "VN"),
            status="NORMAL",
            # The authorisation lasts as long as the refresh token does.
            auth_expires_at=tokens.refresh_expires_at,
        )

    # ---------------------------------------------------------------- the HTTP calls

    def _token_call(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """A token call on the auth host: not signed, the secret in the query. Any refusal
        means the code / refresh token / app credentials are no good."""
        query = {"app_key": self._app_key, "app_secret": self.config.partner_key, **params}
        try:
            return self._with_retries(lambda: self._classify(
                self._request("GET", self.auth_host + path, query, None, {}), path))  # fmt: skip
        except TransientError:
            raise
        except ConnectorError as exc:
            raise AuthError(f"{exc.user_message}. Authorise the shop again.",
                            code=exc.code) from None  # fmt: skip

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        token: TokenPair | None = None,
        cipher: bool = True,
    ) -> dict[str, Any]:
        """One signed shop call with token refresh, classification and retries (all
        calls made here are reads or idempotent "set to" pushes)."""
        refreshed = False

        def authorised_send() -> dict[str, Any]:
            nonlocal refreshed
            while True:
                current = token or self.ensure_fresh_tokens()
                try:
                    query: dict[str, Any] = {"app_key": self._app_key,
                                             "timestamp": self._timestamp()}  # fmt: skip
                    query.update(params or {})
                    if cipher:
                        query["shop_cipher"] = self._shop_cipher(current)
                    text = body_string(body) if body is not None else ""
                    query["sign"] = sign(self.config.partner_key, path, query, text)
                    headers = {"x-tts-access-token": current.access_token,
                               "Content-Type": "application/json"}  # fmt: skip
                    resp = self._request(method, self.host + path, query, text or None, headers)
                    return self._classify(resp, path)
                except _TokenRejected as exc:
                    if token is not None or refreshed:
                        raise AuthError(
                            "TikTok Shop refused the shop's access token even after a refresh:"
                            " authorise the shop again.", code=exc.code,
                        ) from None  # fmt: skip
                    self._refresh_rejected(current.access_token)
                    refreshed = True

        return self._with_retries(authorised_send)

    def _request(
        self, method: str, url: str, query: dict[str, Any], content: str | None,
        headers: dict[str, str],
    ) -> httpx.Response:  # fmt: skip
        try:
            return self._http.request(method, url, params=query, headers=headers,
                                      content=content.encode() if content else None)  # fmt: skip
        except httpx.TransportError as exc:
            raise unreachable(
                exc, platform="TikTok Shop", host=self.host, timeout=self.config.timeout,
                path=_path_of(url),
            ) from None  # fmt: skip

    def _classify(self, resp: httpx.Response, path: str) -> dict[str, Any]:
        """The answer of a good call, or the matching error."""
        try:
            data = resp.json()
        except ValueError:
            data = None
        if resp.status_code == 429:
            retry_after = _float(resp.headers.get("Retry-After"))
            raise RateLimited(f"TikTok Shop: too many requests ({path}).",
                              code=str(ERR_TOO_MANY_REQUESTS), retry_after=retry_after)  # fmt: skip
        if not isinstance(data, dict):
            if resp.status_code >= 500:
                raise TransientError(f"TikTok Shop answered HTTP {resp.status_code} ({path}).")
            raise ConnectorError(
                f"TikTok Shop answered HTTP {resp.status_code} with no JSON ({path}).",
                detail=redact(resp.text[:300]),
            )
        try:
            code = int(data.get("code", -1))
        except (TypeError, ValueError):
            code = -1
        if code == 0:
            if resp.status_code >= 500:
                raise TransientError(f"TikTok Shop answered HTTP {resp.status_code} ({path}).")
            return data
        message = redact(str(data.get("message") or f"error {code}"))
        raise self._error(code, message, resp, path)

    def _error(self, code: int, message: str, resp: httpx.Response, path: str) -> Exception:
        text = f"TikTok Shop: {message} ({code}, {path})"
        if code == ERR_TOO_MANY_REQUESTS:
            return RateLimited(text, code=str(code),
                               retry_after=_float(resp.headers.get("Retry-After")))  # fmt: skip
        if code in TOKEN_ERRORS:
            return _TokenRejected(text, code=str(code))
        if code in AUTH_ERRORS:
            return AuthError(f"{text}. Check the app key and secret, then authorise the shop"
                             " again.", code=str(code))  # fmt: skip
        if code == ERR_CREDENTIALS_OR_TIMESTAMP:
            return ConnectorError(
                f"{text}. This computer's clock may be wrong by more than 5 minutes, or the"
                " app key is wrong.", code=str(code),
            )  # fmt: skip
        if code == ERR_MISSING_CIPHER:
            with self._cipher_guard:
                self._cipher = None  # asked for again next time
            return ConnectorError(text, code=str(code))
        if resp.status_code >= 500:
            return TransientError(text, code=str(code))
        return RemoteRejected(text, code=str(code))

    def _with_retries(self, send: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return send_with_retries(send, attempts=self.config.max_attempts,
                                 backoff_base=self.config.backoff_base,
                                 backoff_max=self.config.backoff_max,
                                 sleep=self._sleep, rng=self._rng)  # fmt: skip

    def _timestamp(self) -> int:
        return int(self._clock.now().timestamp())


class _TokenRejected(ConnectorError):
    """Internal: the access token was refused (refresh once, then AuthError)."""


# --------------------------------------------------------------------------- mapping


def map_status(raw: str) -> OrderStatus:
    """Our status for a TikTok Shop status (unknown new statuses count as pending)."""
    return STATUS_MAP.get(raw.upper(), OrderStatus.PENDING)


def map_payment(raw: str | None, cod: bool) -> PaymentMethod:
    """Our payment method from TikTok's `is_cod` and `payment_method_name`."""
    text = fold(raw or "")
    if cod or "cash on delivery" in text or "thanh toan khi nhan" in text:
        return PaymentMethod.COD
    if any(w in text for w in ("wallet", "vi ", "momo", "zalopay", "shopeepay", "balance")):
        return PaymentMethod.E_WALLET
    if any(w in text for w in ("card", "visa", "mastercard", "the ")):
        return PaymentMethod.CARD
    if any(w in text for w in ("bank", "chuyen khoan", "ngan hang", "napas")):
        return PaymentMethod.BANK_TRANSFER
    return PaymentMethod.OTHER


def map_order(raw: dict[str, Any]) -> RemoteOrder:
    """A Get Order Detail order as a RemoteOrder (ConnectorError naming the order and
    the field when something required is missing or broken)."""
    order_id = str(raw.get("id") or "")
    try:
        return _map_order(order_id, raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConnectorError(msg("TikTok Shop order {order} could not be read: {reason}",
                                 order=order_id or "?", reason=str(exc))) from None  # fmt: skip


def _map_order(order_id: str, raw: dict[str, Any]) -> RemoteOrder:
    if not order_id:
        raise ValueError("the order id is missing")
    status_raw = str(raw["status"])
    lines = group_units(raw.get("line_items") or [])
    subtotal = sum(line.subtotal for line in lines)
    pay = raw.get("payment") or {}
    shipping = _money(pay.get("shipping_fee"), "payment.shipping_fee")
    total = _money(pay["total_amount"], "payment.total_amount") if "total_amount" in pay \
        else subtotal + shipping  # fmt: skip
    # What the buyer did not pay of the lines + shipping: TikTok's and vouchers' part.
    gap = subtotal + shipping - total
    if gap < 0:  # paid more than the parts (taxes, surcharges): count it as shipping
        shipping, gap = shipping - gap, 0
    cod = bool(raw.get("is_cod"))
    status = map_status(status_raw)
    # Only a cancelled order has a reason (a live one's cancelled units are left out).
    cancelled = status == OrderStatus.CANCELLED
    reason = _clip(raw.get("cancel_reason"), "reason") if cancelled else None
    updated = utc_from_timestamp(_int(raw.get("update_time"), name="update_time"))
    addr = raw.get("recipient_address") or {}
    name, phone = _clip(addr.get("name"), "name"), _clip(addr.get("phone_number"), "phone")
    return RemoteOrder(
        external_id=order_id,
        status=status,
        raw_status=status_raw,
        created_at=utc_from_timestamp(_int(raw.get("create_time"), name="create_time")),
        updated_at=updated,
        payment_method=map_payment(raw.get("payment_method_name"), cod),
        buyer=RemoteBuyer(
            external_id=str(raw["user_id"]) if raw.get("user_id") else None,
            username=raw.get("buyer_nickname") or None,
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
        paid_amount=_paid(status, total, prepaid=not cod and bool(raw.get("paid_time"))),
        carrier=_clip(raw.get("shipping_provider"), "carrier"),
        tracking_number=_clip(raw.get("tracking_number"), "tracking"),
        buyer_note=(raw.get("buyer_message") or "").strip() or None,
        cancel_reason=reason,
        completed_at=updated if status_raw == "COMPLETED" else None,
    )


def _paid(status: OrderStatus, total: int, *, prepaid: bool) -> int:
    """What the buyer has paid the shop: all of it once completed, or paid in advance; 0
    for cash on delivery before that, and for a cancelled order (TikTok gives a prepaid
    buyer the money back: the shop got nothing)."""
    if status == OrderStatus.CANCELLED:
        return 0
    return total if status == OrderStatus.COMPLETED or prepaid else 0


def group_units(items: Iterable[dict[str, Any]]) -> tuple[RemoteOrderLine, ...]:
    """TikTok's one-line-per-unit items as lines with quantities: units of one SKU at
    one original price become one line (in the order first seen); the line discount is
    the seller's discount of its units (TikTok's own discount is order-level for us).
    Cancelled units (`display_status` CANCELLED) are left out when the order has live
    ones: the buyer does not pay for them, so they are neither a line nor a discount."""
    grouped: dict[tuple[str, int], dict[str, Any]] = {}
    for n, item in _live_units(items):
        where = f"line_items[{n}]"
        original = _money(item.get("original_price"), f"{where}.original_price")
        sale = _money(item.get("sale_price"), f"{where}.sale_price") \
            if item.get("sale_price") not in (None, "") else original  # fmt: skip
        platform = _money(item.get("platform_discount"), f"{where}.platform_discount")
        seller = _money(item["seller_discount"], f"{where}.seller_discount") \
            if item.get("seller_discount") not in (None, "") \
            else original - sale - platform  # fmt: skip
        seller = min(max(0, seller), original)
        key = (str(item.get("sku_id") or item.get("seller_sku") or item.get("product_name")),
               original)  # fmt: skip
        line = grouped.get(key)
        if line is None:
            grouped[key] = line = {"item": item, "qty": 0, "discount": 0, "price": original}
        line["qty"] += 1
        line["discount"] += seller
    out = []
    for line in grouped.values():
        item = line["item"]
        out.append(RemoteOrderLine(
            sku=_clip(item.get("seller_sku"), "sku"),
            product_name=_clip(item.get("product_name"), "product") or "?",
            variant_name=_clip(item.get("sku_name"), "variant"),
            quantity=line["qty"],
            unit_price=line["price"],
            discount=line["discount"],
            item_id=str(item["product_id"]) if item.get("product_id") else None,
            model_id=str(item["sku_id"]) if item.get("sku_id") else None,
        ))  # fmt: skip
    return tuple(out)


def _live_units(items: Iterable[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """(position, unit) of the units the order still sells: all but the cancelled ones,
    unless every unit is cancelled (a cancelled order keeps its lines and value)."""
    units = list(enumerate(items))
    for n, item in units:
        if not isinstance(item, dict):
            raise ValueError(f"line_items[{n}] is not an object")
    live = [(n, i) for n, i in units if str(i.get("display_status") or "").upper() != "CANCELLED"]
    return live or units


def _map_address(addr: dict[str, Any], name: str | None, phone: str | None) -> RemoteAddress:
    """TikTok VN's `district_info` levels: L1 province, L2 district, L3 ward."""
    levels: dict[str, str] = {}
    for part in addr.get("district_info") or []:
        if isinstance(part, dict) and part.get("address_level"):
            levels[str(part["address_level"]).upper()] = str(part.get("address_name") or "")
    return RemoteAddress(
        name=name,
        phone=phone,
        address=_clip(addr.get("address_detail"), "address"),
        ward=_clip(levels.get("L3"), "place"),
        district=_clip(levels.get("L2"), "place"),
        province=_clip(levels.get("L1"), "place"),
        full_address=(addr.get("full_address") or "").strip() or None,
    )


def _failed_skus(data: dict[str, Any]) -> dict[str, str]:
    """SKU id -> reason of the SKUs a push answer names as failed."""
    payload = data.get("data") if isinstance(data.get("data"), dict) else {}
    failed: dict[str, str] = {}
    for entry in (payload or {}).get("failed_skus") or []:
        if isinstance(entry, dict) and entry.get("id") is not None:
            failed[str(entry["id"])] = str(entry.get("reason") or "refused")
    return failed


# --------------------------------------------------------------------------- helpers


def _path_of(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]


def _is_id(value: str) -> bool:
    return str(value).strip().isdigit()


def _by_item(
    updates: Iterable[tuple[int, Any]],
) -> Iterator[tuple[str, list[tuple[int, Any]]]]:
    groups: dict[str, list[tuple[int, Any]]] = {}
    for n, u in updates:
        groups.setdefault(str(u.item_id), []).append((n, u))
    return iter(groups.items())


def _chunked(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _money(value: Any, name: str = "amount") -> int:
    """Whole đồng from TikTok's decimal strings ("150000", maybe "150000.00")."""
    if value is None or value == "":
        return 0
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{name} is not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name} is not an amount: {value!r}")
    return int(amount.to_integral_value())


def _opt_time(value: Any) -> datetime | None:
    try:
        return utc_from_timestamp(int(value)) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _conforms(connector: TikTokConnector) -> Connector:
    """Never called: mypy proves here that TikTokConnector implements the interface."""
    return connector


def _answer_data(data: dict[str, Any], path: str) -> dict[str, Any]:
    return answer_object(data, "data", PLATFORM, path)


def _rows(data: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    return answer_rows(data, key, PLATFORM, path)


def _check_window(since: datetime, until: datetime) -> None:
    check_window(since, until, MAX_WINDOW, PLATFORM)
