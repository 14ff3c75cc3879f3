"""A local Lazada Open Platform (LazOP) for the demo, the tests and the benchmarks.

`LazadaSandbox` serves, on 127.0.0.1, what the Lazada connector uses: the seller's
authorisation page (which "logs the seller in" at once and redirects with a code), token
create/refresh (a refreshed pair keeps the original refresh deadline; the old refresh
token dies), `/seller/get`, `/orders/get` (update/create time filters in ISO 8601 with
an offset, `limit` <= 100, `offset` <= 5000, `countTotal`), `/order/get`,
`/orders/items/get` (<= 50 orders, one item row per unit),
`/product/price_quantity/update` (the XML `payload`, <= 50 SKUs, partial failures in
`detail`; a `SalePrice` needs its `SaleStartDate` and `SaleEndDate`, `yyyy-MM-dd HH:mm` or
`yyyy-MM-dd` in Vietnamese time, and may not be above the price) and `/products/get` (the
mandatory `filter`, `limit` <= 50, `offset` <= 10000, `total_products`; a SKU's sale as
`special_price` with its dates). Every call is checked like LazOP does: app key, a millisecond
timestamp within 7200 s, `sign_method=sha256`, the UPPERCASE signature over all
parameters (query and form body), and for seller APIs a live access token. Paths work
with or without `/rest`.

Orders are the generator's (deterministic from the seed, moving with the sandbox's
clock), with Shopee's status steps renamed to Lazada's item statuses. The products are
its catalogue (one SKU per model, `sku_id` as in the order items and the price/quantity
update), all live but those a test puts in `inactive`, with the prices and stock last
pushed (or a deterministic starting stock). The same faults as the Shopee sandbox can be
injected (`inject`); stock/price updates are recorded (`calls`).
"""

from __future__ import annotations

import argparse
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode
from xml.etree import ElementTree

import numpy as np

from primedist.connectors.base import TokenPair
from primedist.connectors.lazada import (
    AUTHORIZE_PATH,
    MAX_LIMIT,
    MAX_OFFSET,
    ORDER_PATH,
    ORDERS_ITEMS_PATH,
    ORDERS_PATH,
    PRICE_QUANTITY_PATH,
    PRODUCTS_LIMIT,
    PRODUCTS_MAX_OFFSET,
    PRODUCTS_PATH,
    SELLER_PATH,
    SKUS_PER_PUSH,
    TOKEN_CREATE_PATH,
    TOKEN_REFRESH_PATH,
    sign,
)
from primedist.core.clock import Clock
from primedist.sandbox.base import (
    ALL_FIELDS,
    Answer,
    MarketplaceSandbox,
    OrderSettings,
    SandboxApiError,
    SandboxCall,
    dumps,
    given_or,
    request_id,
    serve_until_stopped,
)
from primedist.sandbox.generator import INDEX_BITS, MAX_ORDERS, CatalogueModel

#: The demo app's credentials (safe to publish: they only open this sandbox).
DEMO_APP_KEY = "120777"
DEMO_APP_SECRET = "lzd-primedist-sandbox-demo-secret"
DEMO_SELLER_ID = 200_000_600

#: The generator's (Shopee-named) steps as Lazada item statuses.
LAZADA_STATUS = {
    "UNPAID": "unpaid", "READY_TO_SHIP": "pending", "PROCESSED": "ready_to_ship",
    "RETRY_SHIP": "repacked", "SHIPPED": "shipped", "TO_CONFIRM_RECEIVE": "shipped",
    "COMPLETED": "delivered", "IN_CANCEL": "canceled", "CANCELLED": "canceled",
    "TO_RETURN": "returned",
}  # fmt: skip
PAYMENTS = {"ShopeePay": "LAZADA_WALLET", "Credit Card/Debit Card": "MIXEDCARD",
            "Bank Transfer": "BANK_TRANSFER"}  # fmt: skip
#: `/products/get`'s `filter` values.
PRODUCT_FILTERS = ("all", "live", "inactive", "deleted", "pending", "rejected", "sold-out")
CODE_LIFE = 1800
VN = timedelta(hours=7)
_VN_ZONE = timezone(VN)
_ID_BITS = 40
_ID_MUL = 0x9E3779B97F & ((1 << _ID_BITS) - 1) | 1
_ID_INV = pow(_ID_MUL, -1, 1 << _ID_BITS)
_ID_OFFSET = 0x2B7E151628
_ID_BASE = 3_000_000_000_000_000


@dataclass(frozen=True)
class LazadaSandboxConfig(OrderSettings):
    app_key: str = DEMO_APP_KEY
    app_secret: str = field(default=DEMO_APP_SECRET, repr=False)
    seller_id: int = DEMO_SELLER_ID
    shop_name: str = "Prime Lazada Sandbox"
    seed: int = 11
    #: Access 7 days and refresh 30 days: a LazOP app in "Test".
    access_ttl: int = 7 * 86_400
    refresh_ttl: int = 30 * 86_400
    max_limit: int = MAX_LIMIT
    max_offset: int = MAX_OFFSET
    timestamp_tolerance: int = 7200


class ApiError(SandboxApiError):
    """An error answer: LazOP's envelope with `code`, `type` and `message`."""

    def __init__(self, code: str, message: str, kind: str = "ISV", status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.kind, self.status = code, message, kind, status

    def payload(self) -> dict[str, Any]:
        return {"code": self.code, "type": self.kind, "message": self.message,
                "request_id": request_id()}  # fmt: skip


Handler = Callable[[dict[str, str]], dict[str, Any]]


def order_id(index: int) -> str:
    """A Lazada-like numeric order id (16 digits) encoding the scrambled index."""
    return str(_ID_BASE + ((index * _ID_MUL + _ID_OFFSET) & ((1 << _ID_BITS) - 1)))


def id_index(oid: str) -> int | None:
    """The order index of an id made by `order_id` (None if it is not one)."""
    if not oid.isdigit():
        return None
    x = int(oid) - _ID_BASE
    if not 0 <= x < (1 << _ID_BITS):
        return None
    return ((x - _ID_OFFSET) * _ID_INV) & ((1 << _ID_BITS) - 1)


def sku_id(model: CatalogueModel) -> int:
    """The Lazada SkuId of a catalogue model (an item without variants has one SKU too)."""
    return model.model_id or model.item_id * 100


def lazada_time(seconds: int) -> str:
    """Lazada's `2024-01-01 12:00:00 +0700`."""
    return (datetime.fromtimestamp(seconds, UTC) + VN).strftime("%Y-%m-%d %H:%M:%S +0700")


class LazadaSandbox(MarketplaceSandbox[LazadaSandboxConfig]):
    """The Lazada sandbox: `start()` → base URL, `stop()`; or use it as a context."""

    name = "lazada"
    platform = "Lazada"
    authorize_path = AUTHORIZE_PATH
    order_param = "order_id"
    account_field = "seller_id"
    status_names = LAZADA_STATUS
    has_daily_limit = True

    def __init__(
        self, config: LazadaSandboxConfig | None = None, *, clock: Clock | None = None
    ) -> None:
        super().__init__(config or LazadaSandboxConfig(), clock)
        self._skus = {(m.item_id, sku_id(m)): m for m in self.catalogue}
        #: Each item's models, items in catalogue order.
        self._item_models: dict[int, list[CatalogueModel]] = {}
        for m in self.catalogue:
            self._item_models.setdefault(m.item_id, []).append(m)
        #: Products the seller deactivated (listed with filter=inactive); the rest are live.
        self.inactive: set[int] = set()
        #: Stock and price last pushed per (item_id, SkuId).
        self.stock: dict[tuple[int, int], int] = {}
        self.prices: dict[tuple[int, int], int] = {k: m.price for k, m in self._skus.items()}
        #: The sale (discount) price last pushed per (item_id, SkuId), with its period.
        self.sales: dict[tuple[int, int], Sale] = {}
        self._codes: dict[str, int] = {}
        #: Order index -> (units sent back, their status): `return_units`.
        self._unit_returns: dict[int, tuple[int, str]] = {}
        # _refresh: refresh token -> its deadline (a refresh hands it on unchanged).
        self._routes: dict[str, tuple[bool, Handler]] = {
            TOKEN_CREATE_PATH: (False, self._token_create),
            TOKEN_REFRESH_PATH: (False, self._token_refresh),
            SELLER_PATH: (True, self._seller),
            ORDERS_PATH: (True, self._orders),
            ORDER_PATH: (True, self._order),
            ORDERS_ITEMS_PATH: (True, self._orders_items),
            PRICE_QUANTITY_PATH: (True, self._price_quantity),
            PRODUCTS_PATH: (True, self._products),
        }

    # ------------------------------------------------------------------ test/demo controls

    def authorize(self) -> str:
        """What the seller's consent produces: a fresh single-use code (30 minutes)."""
        code = f"0_{self.config.app_key}_{secrets.token_urlsafe(18)}"
        with self._lock:
            self._codes[code] = self._now() + CODE_LIFE
        return code

    def linked_tokens(self) -> TokenPair:
        """A live token pair for the seller, as if it had just been authorised."""
        now, cfg = self._now(), self.config
        access, refresh = self._issue(now, now + cfg.refresh_ttl)
        return self._token_pair(access, refresh, now + cfg.access_ttl, now + cfg.refresh_ttl,
                                str(cfg.seller_id))  # fmt: skip

    def product_status(self, item_id: int) -> str:
        """The filter a catalogue item is listed under: "inactive" or "live"."""
        return "inactive" if item_id in self.inactive else "live"

    def stock_of(self, item_id: int, sku: int) -> int:
        """The seller's stock of a SKU (`sku_id`): the last pushed, else a deterministic
        start."""
        with self._lock:
            pushed = self.stock.get((item_id, sku))
        return pushed if pushed is not None else 5 + sku % 40

    def units(self, oid: str) -> int:
        """How many item rows (units) the order has."""
        i = self._index(oid)
        assert i is not None
        return sum(item["model_quantity_purchased"] for item in self._raw(i, "READY_TO_SHIP", 0)
                   ["item_list"])  # fmt: skip

    def return_units(self, oid: str, count: int, status: str = "returned") -> None:
        """The buyer sends `count` of the order's units back (its last ones) now: those
        units take `status`, the others keep theirs, and the order is updated now."""
        i = self._index(oid)
        assert i is not None
        now = self._now()
        state = self.timeline.state(i, now)
        assert state is not None and 0 < count <= self.units(oid)
        self.timeline.replace_future(i, now, [(now, state[0])])
        with self._lock:
            self._unit_returns[i] = (count, status)

    # ------------------------------------------------------------------ request handling

    def _api_path(self, path: str) -> str:
        return path.removeprefix("/rest")

    def _parameters(self, method: str, query: dict[str, str], headers: Mapping[str, str],
                    body: bytes) -> dict[str, str]:  # fmt: skip
        """LazOP signs the form body's parameters with the query's."""
        if method == "POST" and "json" not in headers.get("content-type", ""):
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            query.update({k: v[-1] for k, v in form.items()})
        return query

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str],
        body: bytes,
    ) -> dict[str, Any]:  # fmt: skip
        del method, headers, body  # the parameters hold the form body already
        route = self._routes.get(path)
        if route is None:
            raise ApiError(
                "InvalidApiPath", f"The specified API path {path} is invalid.", status=404
            )
        seller_api, handler = route
        self._check_call(path, query, seller_api)
        return {"code": "0", "request_id": request_id(), **handler(query)}

    def _rate_limited(self) -> Answer:
        return 200, dumps(_limit_error("ApiCallLimit", 1)), {}

    def _daily_limited(self) -> Answer:
        now = self._now()
        local_midnight = ((now + 7 * 3600) // 86_400 + 1) * 86_400 - 7 * 3600
        return 200, dumps(_limit_error("AppCallLimit", local_midnight - now)), {}

    def _corrupt(self, payload: dict[str, Any]) -> None:
        """The first order of an items answer gets a bad price; any other answer loses `data`."""
        data = payload.get("data")
        if isinstance(data, list) and data and data[0].get("order_items"):
            for item in data[0]["order_items"]:
                item["item_price"] = "many"
        else:
            payload.pop("data", None)

    def _check_call(self, path: str, query: dict[str, str], seller_api: bool) -> None:
        """LazOP's common checks: app key, timestamp, sign method, signature, token."""
        cfg, now = self.config, self._now()
        if query.get("app_key") != cfg.app_key:
            raise ApiError("InvalidAppKey", "The app_key is missing or wrong.")
        try:
            ts = int(query.get("timestamp", ""))
        except ValueError:
            raise ApiError("MissingTimestamp", "The timestamp is missing.") from None
        if abs(now - ts / 1000) > cfg.timestamp_tolerance:
            raise ApiError("InvalidTimestamp", "The timestamp is too far from now.")
        if query.get("sign_method") != "sha256":
            raise ApiError("InvalidSignMethod", "sign_method must be sha256.")
        expected = sign(cfg.app_secret, path, query)
        if not secrets.compare_digest(expected, query.get("sign", "")):
            raise ApiError(
                "IncompleteSignature", "The request signature does not conform to lazada standards"
            )
        if seller_api:
            access = query.get("access_token", "")
            if not access:
                raise ApiError("MissingAccessToken", "The access_token is missing.")
            with self._lock:
                expires = self._access.get(access)
            if expires is None or expires <= now:
                raise ApiError(
                    "IllegalAccessToken", "The specified access token is invalid or expired"
                )

    # ------------------------------------------------------------------ auth

    def _authorize_page(self, query: dict[str, str]) -> Answer:
        """The seller's consent page, skipped: redirect with a code at once."""
        if query.get("client_id") != self.config.app_key:
            raise ApiError("InvalidAppKey", "client_id is missing or wrong.", status=400)
        redirect = query.get("redirect_uri", "")
        if not redirect.startswith(("http://", "https://")):
            raise ApiError("InvalidRedirect", "redirect_uri is missing or not http(s).", status=400)
        sep = "&" if "?" in redirect else "?"
        extra = {
            "code": self.authorize(),
            **({"state": query["state"]} if "state" in query else {}),
        }
        return 302, b"", {"Location": f"{redirect}{sep}{urlencode(extra)}"}

    def _token_create(self, query: dict[str, str]) -> dict[str, Any]:
        now = self._now()
        with self._lock:
            expires = self._codes.pop(query.get("code", ""), None)
        if expires is None or expires <= now:
            raise ApiError("InvalidCode", "Invalid authorization code")
        deadline = now + self.config.refresh_ttl
        return self._token_answer(now, deadline, *self._issue(now, deadline))

    def _token_refresh(self, query: dict[str, str]) -> dict[str, Any]:
        now = self._now()
        with self._lock:
            deadline = self._refresh.pop(query.get("refresh_token", ""), None)
        if deadline is None or deadline <= now:
            raise ApiError(
                "IllegalRefreshToken", "The specified refresh token is invalid or expired"
            )
        return self._token_answer(now, deadline, *self._issue(now, deadline))

    def _token_answer(self, now: int, deadline: int, access: str, refresh: str) -> dict[str, Any]:
        cfg = self.config
        return {
            "access_token": access, "refresh_token": refresh,
            "expires_in": min(cfg.access_ttl, deadline - now),
            "refresh_expires_in": deadline - now,
            "account": "seller@example.vn", "account_platform": "seller_center", "country": "vn",
            "country_user_info": [{"country": "vn", "seller_id": str(cfg.seller_id),
                                   "user_id": str(cfg.seller_id + 7), "short_code": "VN1A2B3C"}],
        }  # fmt: skip

    def _issue(self, now: int, deadline: int) -> tuple[str, str]:
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        with self._lock:
            self._access[access] = now + min(self.config.access_ttl, deadline - now)
            self._refresh[refresh] = deadline
        return access, refresh

    def _seller(self, _query: dict[str, str]) -> dict[str, Any]:
        cfg = self.config
        return {"data": {"name": cfg.shop_name, "seller_id": cfg.seller_id,
                         "short_code": "VN1A2B3C", "status": "ACTIVE",
                         "location": "Hồ Chí Minh", "verified": True}}  # fmt: skip

    # ------------------------------------------------------------------ orders

    def _orders(self, query: dict[str, str]) -> dict[str, Any]:
        by_update = "update_after" in query
        if not by_update and "created_after" not in query:
            raise ApiError(
                "MISSING_PARAMETER", "Either created_after or update_after is mandatory."
            )
        time_from = _iso_param(query, "update_after" if by_update else "created_after")
        before = query.get("update_before" if by_update else "created_before")
        time_to = _iso_param(query, "update_before" if by_update else "created_before") \
            if before else 1 << 40  # fmt: skip
        limit, offset = _int_param(query, "limit", 100), _int_param(query, "offset", 0)
        if not 1 <= limit <= self.config.max_limit:
            raise ApiError("E017", f"limit must be 1-{self.config.max_limit}.")
        if not 0 <= offset <= self.config.max_offset:
            raise ApiError("E017", f"offset must be 0-{self.config.max_offset}.")
        if query.get("sort_direction") != "ASC":
            raise ApiError("E017", "This sandbox lists orders in ascending order only (ASC).")
        now = self._now()
        if by_update:
            found, _more = self.timeline.changed(time_from, time_to, now, -1, offset + limit)
            indexes = [k & MAX_ORDERS for k, _s in found[offset:]]
            total = self._count_changed(time_from, time_to, now)
        else:
            created = self.timeline.created
            lo = int(np.searchsorted(created, time_from, side="left"))
            hi = int(np.searchsorted(created, min(time_to, now), side="right"))
            indexes = list(range(lo + offset, min(hi, lo + offset + limit)))
            total = max(0, hi - lo)
        orders = [self._header(i, now) for i in indexes]
        return {"data": {"count": len(orders), "countTotal": total,
                         "orders": [o for o in orders if o is not None]}}  # fmt: skip

    def _count_changed(self, time_from: int, time_to: int, now: int) -> int:
        """How many orders' update time at `now` is in [from, to] (as `changed` lists)."""
        top = min(time_to, now)
        if top < time_from:
            return 0
        tl = self.timeline
        lo = int(np.searchsorted(tl.ev_key, time_from << INDEX_BITS))
        hi = int(np.searchsorted(tl.ev_key, (top + 1) << INDEX_BITS))
        with tl._lock:
            overridden = dict(tl.overrides)
        mask = tl.ev_next[lo:hi] > now
        if overridden:
            skip = np.fromiter(overridden, dtype=np.int64, count=len(overridden))
            mask &= ~np.isin(tl.ev_key[lo:hi] & MAX_ORDERS, skip)
        extra = sum(1 for i in overridden if (s := tl.state(i, now)) and time_from <= s[1] <= top)
        return int(mask.sum()) + extra

    def _order(self, query: dict[str, str]) -> dict[str, Any]:
        i = self._index(query.get("order_id", ""))
        header = None if i is None else self._header(i, self._now())
        if header is None:
            raise ApiError("E0004", f"Order {query.get('order_id')} not found.")
        return {"data": header}

    def _orders_items(self, query: dict[str, str]) -> dict[str, Any]:
        raw = query.get("order_ids", "")
        try:
            ids = json.loads(raw)
        except ValueError:
            raise ApiError("E017", "order_ids must look like [id1,id2].") from None
        if not isinstance(ids, list) or not 1 <= len(ids) <= 50:
            raise ApiError("E017", "order_ids must hold 1-50 order ids.")
        now, blocks = self._now(), []
        for oid in ids:
            live = self._live(str(oid), now)
            if live is None:
                continue
            i, state = live
            blocks.append({"order_id": int(oid), "order_number": int(oid),
                           "order_items": self._items(i, state[0], state[1])})  # fmt: skip
        return {"data": blocks}

    def _raw(self, i: int, status: str, updated: int) -> dict[str, Any]:
        created = self.timeline.created_list[i]
        return self.factory.detail(i, order_id(i), created, status, updated, ALL_FIELDS)

    def _header(self, i: int, now: int) -> dict[str, Any] | None:
        state = self.timeline.state(i, now)
        if state is None:
            return None
        raw = self._raw(i, state[0], state[1])
        oid = order_id(i)
        subtotal = sum(it["model_discounted_price"] * it["model_quantity_purchased"]
                       for it in raw["item_list"])  # fmt: skip
        shipping = raw["estimated_shipping_fee"]
        voucher = subtotal + shipping - raw["total_amount"]
        seller_part = voucher if i % 3 == 0 else 0  # some vouchers are the shop's own
        addr = raw["recipient_address"]
        full = str(addr.get("full_address") or "")
        street = full.split(", ")[0] if full and "*" not in full else full
        cod = raw["cod"]
        return {
            "order_id": int(oid), "order_number": int(oid),
            "created_at": lazada_time(raw["create_time"]), "updated_at": lazada_time(state[1]),
            "statuses": sorted({LAZADA_STATUS[state[0]], *self._returned_status(i)}),
            "price": f"{subtotal}.00", "shipping_fee": f"{shipping}.00",
            "voucher": f"{voucher}.00", "voucher_seller": f"{seller_part}.00",
            "voucher_platform": f"{voucher - seller_part}.00",
            "payment_method": "COD" if cod else PAYMENTS.get(raw["payment_method"], "OTHER"),
            "items_count": sum(it["model_quantity_purchased"] for it in raw["item_list"]),
            "customer_first_name": addr["name"], "customer_last_name": "",
            "buyer_note": raw.get("message_to_seller") or "",
            "warehouse_code": "dropshipping",
            "address_shipping": {
                "first_name": addr["name"], "last_name": "", "phone": addr["phone"],
                "address1": street, "address2": "", "address3": addr["state"], "address4": "",
                "address5": addr["district"], "city": addr["state"], "post_code": "",
                "country": "Vietnam",
            },
        }  # fmt: skip

    def _items(self, i: int, status: str, updated: int) -> list[dict[str, Any]]:
        raw = self._raw(i, status, updated)
        oid = order_id(i)
        lazada_status = LAZADA_STATUS[status]
        shipped = status in ("SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN")
        rows: list[dict[str, Any]] = []
        for item in raw["item_list"]:
            model = self._skus.get((item["item_id"], item["model_id"] or item["item_id"] * 100))
            sku = sku_id(model) if model else item["item_id"] * 100
            for _unit in range(item["model_quantity_purchased"]):
                rows.append({
                    "order_item_id": int(oid) * 100 + len(rows) + 1, "order_id": int(oid),
                    "sku": item["model_sku"], "shop_sku": f"{item['item_id']}_VNAMZ-{sku}",
                    "sku_id": sku, "product_id": item["item_id"], "name": item["item_name"],
                    "variation": item["model_name"],
                    "item_price": f"{item['model_discounted_price']}.00",
                    "paid_price": f"{item['model_discounted_price']}.00",
                    "status": lazada_status,
                    "shipment_provider": raw["shipping_carrier"] if shipped else "",
                    "tracking_code": f"LZVN{oid[-10:]}" if shipped else "",
                    "reason": raw.get("cancel_reason", "") if lazada_status == "canceled" else "",
                    "voucher_seller": "0.00", "voucher_platform": "0.00",
                })  # fmt: skip
        with self._lock:
            count, back = self._unit_returns.get(i, (0, ""))
        for row in rows[len(rows) - count :]:
            row["status"] = back
        return rows

    def _returned_status(self, i: int) -> list[str]:
        with self._lock:
            returned = self._unit_returns.get(i)
        return [returned[1]] if returned else []

    # ------------------------------------------------------------------ products

    def _price_quantity(self, query: dict[str, str]) -> dict[str, Any]:
        try:
            root = ElementTree.fromstring(query.get("payload", ""))
        except ElementTree.ParseError:
            raise ApiError("E0501", "payload is not valid XML.") from None
        skus = root.findall("./Product/Skus/Sku")
        if not 1 <= len(skus) <= SKUS_PER_PUSH:
            raise ApiError("E0501", f"payload must hold 1-{SKUS_PER_PUSH} SKUs.")
        failures = []
        with self._lock:
            for sku in skus:
                item, sid = _xml_int(sku, "ItemId"), _xml_int(sku, "SkuId")
                quantity, price = _xml_int(sku, "Quantity"), _xml_int(sku, "Price")
                sale, problem = self._sale_of(sku, (int(item or 0), int(sid or 0)), price)
                if (item, sid) not in self._skus:
                    failures.append({"item_id": item, "sku_id": sid, "message": "SKU not found"})
                elif quantity is None and price is None and sale is None and problem is None:
                    failures.append({"item_id": item, "sku_id": sid,
                                     "message": "give Quantity, Price or SalePrice"})  # fmt: skip
                elif (quantity is not None and quantity < 0) or (price is not None and price <= 0):
                    failures.append({"item_id": item, "sku_id": sid, "message": "negative value"})
                elif problem is not None:
                    failures.append({"item_id": item, "sku_id": sid, "message": problem})
                else:
                    key = (int(item or 0), int(sid or 0))
                    if quantity is not None:
                        self.stock[key] = quantity
                    if price is not None:
                        self.prices[key] = price
                    if sale is not None:
                        self.sales[key] = sale
            self._calls.append(SandboxCall(PRICE_QUANTITY_PATH, {"payload": query["payload"]},
                                           self.clock.now()))  # fmt: skip
        if failures:
            raise _Partial(failures)
        return {}

    def _sale_of(
        self, sku: ElementTree.Element, key: tuple[int, int], price: int | None
    ) -> tuple[Sale | None, str | None]:
        """(the SKU's sale, or None when it names no SalePrice; what is wrong with it)."""
        amount = _xml_int(sku, "SalePrice")
        if amount is None:
            return None, None
        start, end = _sale_date(sku, "SaleStartDate"), _sale_date(sku, "SaleEndDate")
        if start is None or end is None:
            return None, "SaleStartDate and SaleEndDate (yyyy-MM-dd HH:mm) go with SalePrice"
        if end <= start:
            return None, "SaleEndDate must be after SaleStartDate"
        if amount <= 0:
            return None, "negative value"
        if amount > (price if price is not None else self.prices.get(key, 0)):
            return None, "SalePrice must not be above Price"
        return Sale(amount, start, end), None

    def _products(self, query: dict[str, str]) -> dict[str, Any]:
        wanted = query.get("filter", "")
        if not wanted:
            raise ApiError("MISSING_PARAMETER", "The parameter filter is mandatory.")
        if wanted not in PRODUCT_FILTERS:
            raise ApiError("E017", f"filter must be one of {', '.join(PRODUCT_FILTERS)}.")
        limit, offset = _int_param(query, "limit", 20), _int_param(query, "offset", 0)
        if not 1 <= limit <= PRODUCTS_LIMIT:
            raise ApiError("E017", f"limit must be 1-{PRODUCTS_LIMIT}.")
        if not 0 <= offset <= PRODUCTS_MAX_OFFSET:
            raise ApiError("E017", f"offset must be 0-{PRODUCTS_MAX_OFFSET}.")
        items = [item for item in self._item_models if self._listed_under(item, wanted)]
        page = [self._product(item) for item in items[offset : offset + limit]]
        return {"data": {"total_products": len(items), "products": page}}

    def _listed_under(self, item: int, wanted: str) -> bool:
        status = self.product_status(item)
        if wanted == "sold-out":
            return status == "live" and all(
                self.stock_of(item, sku_id(m)) == 0 for m in self._item_models[item]
            )
        return wanted in ("all", status)

    def _product(self, item: int) -> dict[str, Any]:
        models = self._item_models[item]
        status = "active" if self.product_status(item) == "live" else "inactive"
        skus = []
        for m in models:
            sid = sku_id(m)
            with self._lock:
                price = self.prices[(item, sid)]
                sale = self.sales.get((item, sid))
            sku: dict[str, Any] = {
                "SkuId": sid, "SellerSku": m.model_sku, "ShopSku": f"{item}_VNAMZ-{sid}",
                "quantity": self.stock_of(item, sid), "price": f"{price:.2f}",
                # A standing promotion until a sale price is pushed: the list price is
                # what the connector reads.
                "special_price": f"{price * 9 // 10 // 1000 * 1000:.2f}",
                "Status": status, "package_weight": "0.3",
            }  # fmt: skip
            if sale is not None:
                sku.update(special_price=f"{sale.price:.2f}",
                           special_from_date=_shown(sale.start),
                           special_to_date=_shown(sale.end))  # fmt: skip
            if m.model_name:
                sku["Variation"] = m.model_name
            skus.append(sku)
        return {"item_id": item, "primary_category": 10_000_000 + item % 97,
                "attributes": {"name": models[0].item_name, "brand": "No Brand"},
                "skus": skus}  # fmt: skip

    # ------------------------------------------------------------------ helpers

    def external_id(self, index: int) -> str:
        return order_id(index)

    def _decode(self, oid: str) -> int | None:
        return id_index(oid)


@dataclass(frozen=True)
class Sale:
    """A sale (discount) price a price update set, and when it runs (aware UTC)."""

    price: int
    start: datetime
    end: datetime


def _shown(value: datetime) -> str:
    """A sale's date as `/products/get` shows it (Vietnamese time)."""
    return value.astimezone(_VN_ZONE).strftime("%Y-%m-%d %H:%M:%S")


def _sale_date(node: ElementTree.Element, tag: str) -> datetime | None:
    """A sale date of a price update (`yyyy-MM-dd HH:mm` or `yyyy-MM-dd`, Vietnamese
    time) as aware UTC; None when missing or unreadable."""
    text = (node.findtext(tag) or "").strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=_VN_ZONE).astimezone(UTC)
        except ValueError:
            pass
    return None


class _Partial(ApiError):
    """Some SKUs of a price/quantity update failed: code 501 with a `detail` list."""

    def __init__(self, failures: list[dict[str, Any]]) -> None:
        super().__init__("501", f"{len(failures)} SKU(s) could not be updated.")
        self.failures = failures

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "detail": self.failures}


def _limit_error(code: str, ban: int) -> dict[str, Any]:
    message = f"The request has exceeded the limit, ban will last {ban} seconds"
    return {"code": code, "type": "ISP", "request_id": request_id(), "message": message}


def _int_param(query: dict[str, str], name: str, default: int) -> int:
    try:
        return int(query.get(name, default))
    except ValueError:
        raise ApiError("E017", f"{name} is not a number.") from None


def _iso_param(query: dict[str, str], name: str) -> int:
    """An ISO 8601 time WITH an offset as Unix seconds (others fail with E017, as LazOP)."""
    try:
        value = datetime.fromisoformat(query[name])
    except (KeyError, ValueError):
        raise ApiError(
            "E017", f"{name} must be ISO 8601, e.g. 2024-01-01T00:00:00+07:00."
        ) from None
    if value.tzinfo is None:
        raise ApiError("E017", f"{name} needs a time zone offset, e.g. +07:00.")
    return int(value.timestamp())


def _xml_int(node: ElementTree.Element, tag: str) -> int | None:
    text = node.findtext(tag)
    if text is None or not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        return -1


def run_from_args(args: argparse.Namespace) -> int:
    """`python -m primedist.sandbox --channel lazada`: serve until Ctrl-C or SIGTERM. The
    partner id/key/shop id options are the app key/secret/seller id here; left at the
    Shopee defaults, they give the Lazada demo app's."""
    from primedist.sandbox.shopee import SandboxConfig

    shopee, default = SandboxConfig(), LazadaSandboxConfig()
    config = LazadaSandboxConfig(
        app_key=str(given_or(args.partner_id, shopee.partner_id, default.app_key)),
        app_secret=given_or(args.partner_key, shopee.partner_key, default.app_secret),
        seller_id=given_or(args.shop_id, shopee.shop_id, default.seller_id),
        orders=args.orders, seed=args.seed, history_days=args.history_days,
        future_days=args.future_days, max_limit=args.page_size,
    )  # fmt: skip
    info = {"channel": "lazada", "app_key": config.app_key, "app_secret": config.app_secret,
            "seller_id": config.seller_id, "orders": config.orders}  # fmt: skip
    return serve_until_stopped(LazadaSandbox(config), args.host, args.port, info)
