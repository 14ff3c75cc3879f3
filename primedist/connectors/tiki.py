"""Tiki Open API (integration v2) over httpx (reference: marketplace-apis.md § 5).

Auth is plain OAuth2; requests are not signed. The seller's consent link is
`/sc/oauth2/auth` (scope `offline` so a refresh token comes back); the token endpoint
`/sc/oauth2/token` takes form fields with HTTP Basic client authentication
(`Authorization: Basic base64(client_id:client_secret)`); every API call carries
`Authorization: Bearer <access token>`. Token answers give a relative `expires_in` and no
refresh-token expiry. A refresh rotates the refresh token (the old one dies), so it is
done under the shop lock and saved through the store before use, like Shopee's.

The token answer does not say which seller authorised the app: `exchange_code` asks
`/integration/v2/sellers/me` with the new access token and binds the pair to its `id`.
The token endpoint wants the consent link's `redirect_uri` back; the connector remembers
the last one it made for the client id in this process (linking makes the link and trades
the code with two connector instances).

Orders: `GET /integration/v2/orders` by update time (`updated_from_date`/`updated_to_date`,
`YYYY-MM-DD HH:MM:SS` in Vietnamese time, oldest first) with page numbers. Page numbers
slip when orders move out of the window while we page, so the cursor moves the window's
start to the last update time seen and restarts at page 1 (a next page of the same
start only when a whole page shares one second). The list carries whole orders: they are
kept and handed to `order_details` without another call; an order not kept is fetched
with `GET /integration/v2/orders/{code}`.

Actions (confirm, stock/price pushes) are not done from here yet: `capabilities` is
empty and those methods raise NotSupported naming Tiki Seller Center.
"""

from __future__ import annotations

import base64
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

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
)
from primedist.connectors.http import check_window, send_with_retries, unreachable
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

LIVE_HOST = "https://api.tiki.vn"
AUTHORIZE_PATH = "/sc/oauth2/auth"
TOKEN_PATH = "/sc/oauth2/token"
SELLER_PATH = "/integration/v2/sellers/me"
ORDERS_PATH = "/integration/v2/orders"
ORDER_PATH = "/integration/v2/orders/{code}"
#: `offline` gets the refresh token; the rest is what the sync reads.
SCOPES = "offline order product inventory"

#: Tiki documents no longest window; a month keeps each list short.
MAX_WINDOW = timedelta(days=30)
#: How messages name the platform.
PLATFORM = "Tiki"
DETAIL_BATCH = 50
MAX_PAGE_SIZE = 100
#: Orders kept from the lists for `order_details` (beyond it the oldest are dropped).
KEEP_LISTED = 20_000
#: Tiki's dates are Vietnamese wall-clock time.
VN = timezone(timedelta(hours=7))
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

#: Tiki status -> ours (docs 2020, plus the list filter's seller_* ones). Delivered
#: stays shipping until Tiki completes the order, like the other marketplaces.
STATUS_MAP: dict[str, OrderStatus] = {
    "queueing": OrderStatus.PENDING,
    "waiting_payment": OrderStatus.PENDING,
    "payment_review": OrderStatus.PENDING,
    "paid": OrderStatus.PENDING,
    "holded": OrderStatus.PENDING,
    "processing": OrderStatus.CONFIRMED,
    "seller_confirmed": OrderStatus.CONFIRMED,
    "packaging": OrderStatus.CONFIRMED,
    "picking": OrderStatus.CONFIRMED,
    "finished_packing": OrderStatus.CONFIRMED,
    "ready_to_ship": OrderStatus.CONFIRMED,
    "handover_to_partner": OrderStatus.SHIPPING,
    "shipping": OrderStatus.SHIPPING,
    "delivered": OrderStatus.SHIPPING,
    "successful_delivery": OrderStatus.SHIPPING,
    "complete": OrderStatus.COMPLETED,
    "closed": OrderStatus.COMPLETED,
    "canceled": OrderStatus.CANCELLED,
    "seller_canceled": OrderStatus.CANCELLED,
    "returned": OrderStatus.RETURNED,
}

#: Column limits of our orders/order_lines tables (mapped values are clipped to them).

#: client id -> the redirect of the last consent link made in this process.
_REDIRECTS: dict[str, str] = {}
_REDIRECTS_GUARD = threading.Lock()


def basic_auth(client_id: str, client_secret: str) -> str:
    """The token endpoint's `Authorization` header (the doc's vector checks it)."""
    pair = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def tiki_time(value: datetime) -> str:
    """A UTC time as Tiki's query dates want it (Vietnamese time, whole seconds)."""
    return value.astimezone(VN).strftime(DATE_FORMAT)


def parse_tiki_time(value: Any) -> datetime:
    """Tiki's `YYYY-MM-DD HH:MM:SS` (Vietnamese time; an explicit offset is honoured)
    as aware UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"not a date: {value!r}")
    text = value.strip().replace("T", " ")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=VN)
    return parsed.astimezone(UTC)


# --------------------------------------------------------------------------- connector


class TikiConnector(TokenKeeper):
    """The Connector for Tiki (see `base.Connector`)."""

    PLATFORM = "Tiki"

    max_window = MAX_WINDOW
    detail_batch_size = DETAIL_BATCH
    capabilities: frozenset[Action] = frozenset()

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
            raise AuthError("The Tiki client id and client secret are both needed.")
        self.host = (config.api_host or LIVE_HOST).rstrip("/")
        super().__init__(config, store, clock=clock, sleep=sleep, rng=rng, transport=transport)
        self._client_id = config.partner_id.strip()
        self._page_size = max(1, min(MAX_PAGE_SIZE, config.page_size))
        self._listed: dict[str, dict[str, Any]] = {}
        self._listed_guard = threading.Lock()

    # ---------------------------------------------------------------- authorisation

    def authorization_url(self, redirect_url: str) -> str:
        state = f"{int(self._clock.now().timestamp())}-{self._rng.randrange(1 << 30):x}"
        with _REDIRECTS_GUARD:
            _REDIRECTS[self._client_id] = redirect_url
        query = {"response_type": "code", "client_id": self._client_id,
                 "redirect_uri": redirect_url, "scope": SCOPES, "state": state}  # fmt: skip
        return f"{self.host}{AUTHORIZE_PATH}?{urlencode(query, quote_via=quote)}"

    def exchange_code(self, code: str, shop_external_id: str) -> TokenPair:
        """The code's pair, bound to the seller `/sellers/me` names (which must be
        `shop_external_id` when one is given)."""
        code = code.strip()
        if not code:
            raise AuthError("The authorisation code is empty: authorise the shop again.")
        form = {"grant_type": "authorization_code", "code": code}
        with _REDIRECTS_GUARD:
            redirect = _REDIRECTS.get(self._client_id)
        if redirect:
            form["redirect_uri"] = redirect
        unbound = self._token_pair(self._token_call(form), "")
        seller = self._seller(unbound)
        seller_id = str(seller.get("id") or "").strip()
        if not seller_id:
            raise ConnectorError("Tiki did not say which seller authorised the app (no id"
                                 f" in {SELLER_PATH}): authorise the shop again.")  # fmt: skip
        if shop_external_id and seller_id != str(shop_external_id).strip():
            raise AuthError(f"Tiki's authorisation is for seller {seller_id}, not the shop"
                            f" {shop_external_id}: authorise the shop again.")  # fmt: skip
        return TokenPair(access_token=unbound.access_token, refresh_token=unbound.refresh_token,
                         access_expires_at=unbound.access_expires_at,
                         refresh_expires_at=None, shop_external_id=seller_id)  # fmt: skip

    def refresh_tokens(self, tokens: TokenPair) -> TokenPair:
        if not tokens.refresh_token:
            raise AuthError("Tiki gave no refresh token (the 'offline' scope was not"
                            " granted): authorise the shop again.")  # fmt: skip
        if not tokens.refresh_valid(self._clock.now()):
            raise AuthError("The shop's Tiki authorisation expired: authorise the shop again.")
        form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token}
        fresh = self._token_pair(self._token_call(form), tokens.shop_external_id)
        if not fresh.refresh_token:  # a refresh that does not rotate keeps the old one
            fresh = TokenPair(access_token=fresh.access_token,
                              refresh_token=tokens.refresh_token,
                              access_expires_at=fresh.access_expires_at,
                              refresh_expires_at=tokens.refresh_expires_at,
                              shop_external_id=tokens.shop_external_id)  # fmt: skip
        return fresh

    def _token_pair(self, data: dict[str, Any], shop_external_id: str) -> TokenPair:
        access, refresh = data.get("access_token"), data.get("refresh_token") or ""
        if not isinstance(access, str) or not access or not isinstance(refresh, str):
            raise ConnectorError("Tiki answered the token call without tokens.",
                                 detail=_redacted(data))  # fmt: skip
        if str(data.get("token_type") or "bearer").lower() != "bearer":
            raise ConnectorError(f"Tiki gave a {data.get('token_type')!r} token, not a bearer.")
        remember_secret(access)
        if refresh:
            remember_secret(refresh)
        try:
            life = _int(data.get("expires_in"), 3600, name="expires_in")
        except ValueError as exc:
            raise ConnectorError(f"Tiki's token answer is malformed: {exc}.") from None
        return TokenPair(access_token=access, refresh_token=refresh,
                         access_expires_at=self._clock.now() + timedelta(seconds=life),
                         refresh_expires_at=None,
                         shop_external_id=str(shop_external_id))  # fmt: skip

    def _seller(self, tokens: TokenPair | None) -> dict[str, Any]:
        data = self._call("GET", SELLER_PATH, token=tokens)
        seller = data.get("data") if isinstance(data.get("data"), dict) else data
        if not isinstance(seller, dict):
            raise ConnectorError(f"Tiki answered {SELLER_PATH} without a seller object.")
        return seller

    # ---------------------------------------------------------------- orders

    def changed_orders(
        self, since: datetime, until: datetime, cursor: str | None = None
    ) -> ChangedOrdersPage:
        _check_window(since, until)
        start, page = _parse_cursor(cursor, since)
        params = {"page": page, "limit": self._page_size,
                  "updated_from_date": tiki_time(start), "updated_to_date": tiki_time(until),
                  "order_by": "updated_at|asc"}  # fmt: skip
        data = self._call("GET", ORDERS_PATH, params=params)
        rows = data.get("data")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ConnectorError(f"Tiki's order list has no list of orders ({ORDERS_PATH}).")
        if not all(r.get("order_code") for r in rows):
            raise ConnectorError("Tiki's order list has a row without an order code.")
        orders = tuple(ChangedOrder(external_id=str(r["order_code"]),
                                    updated_at=_opt_time(r.get("updated_at")),
                                    raw_status=str(r.get("status") or "") or None)
                       for r in rows)  # fmt: skip
        self._keep(rows)
        if not _has_more(data.get("paging"), len(rows), self._page_size, page):
            return ChangedOrdersPage(orders=orders, next_cursor=None, more=False)
        last = max((o.updated_at for o in orders if o.updated_at), default=None)
        start_s = int(start.timestamp())
        if last is not None and int(last.timestamp()) > start_s:
            nxt = f"{int(last.timestamp())}:1"  # re-lists that second's orders: harmless
        else:
            nxt = f"{start_s}:{page + 1}"  # a whole page in one second
        if nxt == cursor:
            raise ConnectorError("Tiki's order list did not move on (the same page twice).")
        return ChangedOrdersPage(orders=orders, next_cursor=nxt, more=True)

    def order_details(self, external_ids: Sequence[str]) -> list[RemoteOrder]:
        if len(external_ids) > DETAIL_BATCH:
            raise ValueError(f"at most {DETAIL_BATCH} orders per detail call")
        good: list[RemoteOrder] = []
        problems: dict[str, str] = {}
        for code in external_ids:
            row = self._take_listed(code) or self._fetch(code)
            if row is None:
                continue  # unknown to Tiki: left out
            try:
                good.append(map_order(row))
            except ConnectorError as exc:
                problems[code] = exc.user_message
        if problems:
            raise UnreadableOrders(good, problems)
        return good

    def order_state(self, external_id: str) -> RemoteOrderState | None:
        row = self._fetch(external_id)
        if row is None:
            return None
        raw = str(row.get("status") or "")
        updated = _opt_time(row.get("updated_at"))
        if updated is None:
            raise ConnectorError(f"Tiki order {external_id} has no update time.")
        return RemoteOrderState(external_id, map_status(raw), raw, updated)

    def _fetch(self, code: str) -> dict[str, Any] | None:
        path = ORDER_PATH.format(code=quote(str(code), safe=""))
        try:
            data = self._call("GET", path)
        except _NotFound:
            return None
        row = data.get("data") if isinstance(data.get("data"), dict) else data
        if not isinstance(row, dict) or not row.get("order_code"):
            raise ConnectorError(f"Tiki answered {ORDERS_PATH}/{code} without an order.")
        return row

    def _keep(self, rows: Iterable[dict[str, Any]]) -> None:
        with self._listed_guard:
            for row in rows:
                self._listed[str(row["order_code"])] = row
            while len(self._listed) > KEEP_LISTED:
                del self._listed[next(iter(self._listed))]

    def _take_listed(self, code: str) -> dict[str, Any] | None:
        with self._listed_guard:
            return self._listed.pop(str(code), None)

    # ---------------------------------------------------------------- actions

    def confirm_order(self, external_id: str) -> None:
        raise NotSupported(f"Confirming Tiki order {external_id} is not done from here yet:"
                           " use Tiki Seller Center.")  # fmt: skip

    def ship_order(self, external_id: str, tracking_number: str | None = None) -> None:
        del tracking_number
        raise NotSupported(f"Marking Tiki order {external_id} shipped is not done from here"
                           " yet: use Tiki Seller Center.")  # fmt: skip

    def cancel_order(self, external_id: str, reason: str) -> None:
        del reason
        raise NotSupported(f"Cancelling Tiki order {external_id} is not done from here yet:"
                           " use Tiki Seller Center.")  # fmt: skip

    def push_stock(self, updates: Sequence[StockUpdate]) -> list[PushResult]:
        del updates
        raise NotSupported("Tiki stock is not pushed from here yet: use Tiki Seller Center.")

    def push_price(self, updates: Sequence[PriceUpdate]) -> list[PushResult]:
        del updates
        raise NotSupported("Tiki prices are not pushed from here yet: use Tiki Seller Center.")

    def listed_items(self) -> Iterator[RemoteItem]:
        """Not spoken here yet: the shop's listings get their ids from synced orders."""
        raise NotSupported(
            msg("Reading the shop's listings from {platform} is not available yet; listings"
                " get their ids from synced orders.", platform=PLATFORM)
        )  # fmt: skip

    def shop_info(self) -> ShopInfo:
        seller = self._seller(None)
        tokens = self._tokens or self._stored_tokens()
        active = seller.get("active")
        return ShopInfo(
            external_id=str(seller.get("id") or tokens.shop_external_id),
            name=str(seller.get("name") or ""),
            region="VN",
            status="NORMAL" if active in (None, 1, True, "1") else "INACTIVE",
            auth_expires_at=tokens.refresh_expires_at,
        )

    # ---------------------------------------------------------------- the HTTP calls

    def _token_call(self, form: dict[str, str]) -> dict[str, Any]:
        """A call to the token endpoint (Basic client auth). Any refusal means the code,
        the refresh token or the client credentials are no good."""
        headers = {"Authorization": basic_auth(self._client_id, self.config.partner_key)}

        def send() -> dict[str, Any]:
            resp = self._request("POST", TOKEN_PATH, None, form, headers)
            if resp.status_code in (400, 401, 403):
                raise AuthError(f"Tiki refused the authorisation: {_oauth_error(resp)}."
                                " Authorise the shop again.",
                                code=_oauth_code(resp))  # fmt: skip
            return self._classify(resp, TOKEN_PATH)

        return self._with_retries(send)

    def _call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None,
        token: TokenPair | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """One Bearer call with token refresh, classification and retries (reads only)."""
        refreshed = False

        def authorised_send() -> dict[str, Any]:
            nonlocal refreshed
            while True:
                current = token or self.ensure_fresh_tokens()
                try:
                    headers = {"Authorization": f"Bearer {current.access_token}"}
                    resp = self._request(method, path, params, None, headers)
                    return self._classify(resp, path)
                except _TokenRejected as exc:
                    if token is not None or refreshed:
                        raise AuthError("Tiki refused the shop's access token even after a"
                                        " refresh: authorise the shop again.",
                                        code=exc.code) from None  # fmt: skip
                    self._refresh_rejected(current.access_token)
                    refreshed = True

        return self._with_retries(authorised_send)

    def _request(
        self, method: str, path: str, params: Mapping[str, Any] | None,
        form: Mapping[str, str] | None, headers: dict[str, str],
    ) -> httpx.Response:  # fmt: skip
        try:
            return self._http.request(method, self.host + path, params=params, data=form,
                                      headers=headers)  # fmt: skip
        except httpx.TransportError as exc:
            raise unreachable(exc, platform="Tiki", host=self.host,
                              timeout=self.config.timeout, path=path) from None  # fmt: skip

    def _classify(self, resp: httpx.Response, path: str) -> dict[str, Any]:
        """The answer of a good call, or the matching error."""
        status = resp.status_code
        if status == 429:
            raise RateLimited(f"Tiki: too many requests ({path}).", code="429",
                              retry_after=_float(resp.headers.get("Retry-After")))  # fmt: skip
        if status >= 500:
            raise TransientError(f"Tiki answered HTTP {status} ({path}).")
        if status == 401:
            raise _TokenRejected(f"Tiki refused the access token ({path}).", code="401")
        if status == 403:
            raise AuthError(f"Tiki refused access ({path}): {_errors(resp)}. The app may lack"
                            " a permission or the seller withdrew it: authorise the shop"
                            " again.", code="403")  # fmt: skip
        if status == 404:
            raise _NotFound(f"Tiki: not found ({path}).", code="404")
        if status >= 400:
            raise RemoteRejected(f"Tiki refused the call ({path}, HTTP {status}):"
                                 f" {_errors(resp)}.", code=str(status))  # fmt: skip
        try:
            data = resp.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ConnectorError(f"Tiki answered HTTP {status} with no JSON object ({path}).",
                                 detail=redact(resp.text[:300]))  # fmt: skip
        return data

    def _with_retries(self, send: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return send_with_retries(send, attempts=self.config.max_attempts,
                                 backoff_base=self.config.backoff_base,
                                 backoff_max=self.config.backoff_max,
                                 sleep=self._sleep, rng=self._rng)  # fmt: skip


class _TokenRejected(ConnectorError):
    """Internal: the access token was refused (refresh once, then AuthError)."""


class _NotFound(ConnectorError):
    """Internal: HTTP 404 (an order Tiki does not know)."""


# --------------------------------------------------------------------------- mapping


def map_status(raw: str) -> OrderStatus:
    """Our status for a Tiki status (unknown new statuses count as pending)."""
    return STATUS_MAP.get(raw.strip().lower(), OrderStatus.PENDING)


def map_payment(raw: str | None) -> PaymentMethod:
    """Our payment method from Tiki's payment method code (`cod`, `momo`, `cybersource`…)."""
    text = fold(raw or "").replace("_", " ")
    if not text or text in ("cod", "cash on delivery") or "thanh toan khi nhan" in text:
        return PaymentMethod.COD
    if any(w in text for w in ("momo", "zalopay", "viettelpay", "shopeepay", "tikixu",
                               "wallet", "vnpay qr")):  # fmt: skip
        return PaymentMethod.E_WALLET
    if any(w in text for w in ("cybersource", "credit", "card", "visa", "master", "jcb")):
        return PaymentMethod.CARD
    if any(w in text for w in ("bank", "atm", "napas", "transfer", "chuyen khoan")):
        return PaymentMethod.BANK_TRANSFER
    return PaymentMethod.OTHER


def map_order(raw: dict[str, Any]) -> RemoteOrder:
    """A Tiki order as a RemoteOrder (ConnectorError naming the order and the field when
    something required is missing or broken)."""
    code = str(raw.get("order_code") or "")
    try:
        return _map_order(code, raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConnectorError(msg("Tiki order {order} could not be read: {reason}",
                                 order=code or "?", reason=str(exc))) from None  # fmt: skip


def _map_order(code: str, raw: dict[str, Any]) -> RemoteOrder:
    if not code:
        raise ValueError("the order code is missing")
    status_raw = str(raw["status"])
    lines = tuple(_line(n, item) for n, item in enumerate(raw.get("items") or []))
    if not lines:
        raise ValueError("the order has no items")
    subtotal = sum(line.subtotal for line in lines)
    shipping_info = raw.get("shipping") or {}
    shipping = _money(shipping_info.get("shipping_fee"), "shipping.shipping_fee")
    # What the buyer pays for the goods after Tiki's coupons / Tiki Xu: the gap to the
    # lines is Tiki's discount; an excess (fees on top) counts as shipping.
    after = _money(raw["total_price_after_discount"], "total_price_after_discount") \
        if raw.get("total_price_after_discount") not in (None, "") else subtotal  # fmt: skip
    discount = max(0, subtotal - after)
    shipping += max(0, after - subtotal)
    total = subtotal + shipping - discount
    created = parse_tiki_time(raw.get("purchased_at") or raw.get("created_at"))
    updated = parse_tiki_time(raw.get("updated_at"))
    cod = map_payment(raw.get("payment_method")) == PaymentMethod.COD
    status = map_status(status_raw)
    # All of it once complete or paid in advance; nothing for COD before that, nor for a
    # cancelled order (seller_canceled too: Tiki gives a prepaid buyer the money back,
    # the shop got nothing).
    prepaid = not cod and status_raw.lower() != "waiting_payment"
    settled = status == OrderStatus.COMPLETED or prepaid
    paid = total if settled and status != OrderStatus.CANCELLED else 0
    customer = raw.get("customer") or {}
    name = _clip(shipping_info.get("name") or customer.get("full_name"), "name")
    phone = _clip(shipping_info.get("phone"), "phone")
    return RemoteOrder(
        external_id=code,
        status=status,
        raw_status=status_raw,
        created_at=created,
        updated_at=updated,
        payment_method=map_payment(raw.get("payment_method")),
        buyer=RemoteBuyer(
            external_id=str(customer["id"]) if customer.get("id") else None,
            name=_clip(customer.get("full_name"), "name") or name,
            phone=phone,
            masked=_masked(name) or _masked(phone),
        ),
        address=RemoteAddress(
            name=name,
            phone=phone,
            address=_clip(shipping_info.get("street"), "address"),
            ward=_clip(shipping_info.get("ward"), "place"),
            district=_clip(shipping_info.get("district"), "place"),
            province=_clip(shipping_info.get("region"), "place"),
            full_address=(shipping_info.get("full_address") or "").strip() or None,
        ),  # fmt: skip
        lines=lines,
        subtotal=subtotal,
        shipping_fee=shipping,
        marketplace_discount=discount,
        total=total,
        paid_amount=paid,
        carrier=_clip(shipping_info.get("partner_name"), "carrier"),
        tracking_number=_clip(shipping_info.get("tracking_code"), "tracking"),
        buyer_note=(raw.get("note") or "").strip() or None,
        cancel_reason=_clip(raw.get("cancel_reason"), "reason"),
        completed_at=updated if status_raw.lower() in ("complete", "closed") else None,
    )


def _line(n: int, item: Any) -> RemoteOrderLine:
    where = f"items[{n}]"
    if not isinstance(item, dict):
        raise ValueError(f"{where} is not an object")
    qty = _int(item.get("qty"), name=f"{where}.qty")
    price = _money(item.get("price"), f"{where}.price")
    original = _money(item.get("original_price"), f"{where}.original_price") \
        if item.get("original_price") not in (None, "") else price  # fmt: skip
    original = max(original, price)
    return RemoteOrderLine(
        sku=_clip(item.get("original_sku") or item.get("sku"), "sku"),
        product_name=_clip(item.get("product_name"), "product") or "?",
        variant_name=_clip(item.get("variant_name"), "variant"),
        quantity=qty,
        unit_price=original,
        discount=(original - price) * qty,
        item_id=str(item["product_id"]) if item.get("product_id") else None,
        model_id=_clip(item.get("sku"), "sku"),
    )


# --------------------------------------------------------------------------- helpers


def _parse_cursor(cursor: str | None, since: datetime) -> tuple[datetime, int]:
    """(window start, page) of a cursor `"<unix seconds>:<page>"`."""
    if not cursor:
        return since, 1
    try:
        ts, page = (int(p) for p in cursor.split(":"))
    except ValueError:
        raise ValueError(f"not a Tiki order-list cursor: {cursor!r}") from None
    return max(since, datetime.fromtimestamp(ts, UTC)), max(1, page)


def _has_more(paging: Any, rows: int, size: int, page: int) -> bool:
    if isinstance(paging, dict) and paging.get("last_page") not in (None, ""):
        try:
            return page < int(paging["last_page"]) and rows > 0
        except (TypeError, ValueError):
            pass
    return rows >= size


def _errors(resp: httpx.Response) -> str:
    """Tiki's `{errors: [...]}` (or any body) as one redacted line."""
    try:
        data = resp.json()
    except ValueError:
        return redact(resp.text[:200]) or f"HTTP {resp.status_code}"
    if isinstance(data, dict):
        found = data.get("errors") or data.get("message") or data.get("error") or data
        if isinstance(found, list):
            found = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e)
                              for e in found)  # fmt: skip
        return redact(str(found))[:300]
    return redact(str(data))[:300]


def _oauth_code(resp: httpx.Response) -> str | None:
    try:
        data = resp.json()
    except ValueError:
        return None
    return str(data.get("error")) if isinstance(data, dict) and data.get("error") else None


def _oauth_error(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("error"):
        text = str(data.get("error_description") or data.get("error_hint") or "")
        return redact(f"{data['error']} ({text})" if text else str(data["error"]))[:300]
    return f"HTTP {resp.status_code}"


def _money(value: Any, name: str = "amount") -> int:
    """Whole đồng from Tiki's amounts (numbers, maybe decimal strings)."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ValueError(f"{name} is not an amount: {value!r}")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{name} is not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name} is not an amount: {value!r}")
    return int(amount.to_integral_value())


def _opt_time(value: Any) -> datetime | None:
    try:
        return parse_tiki_time(value)
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _conforms(connector: TikiConnector) -> Connector:
    """Never called: mypy proves here that TikiConnector implements the interface."""
    return connector


def _check_window(since: datetime, until: datetime) -> None:
    check_window(since, until, MAX_WINDOW, PLATFORM)
