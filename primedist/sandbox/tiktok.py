"""A local TikTok Shop Open API (202309) for the demo, the tests and the benchmarks.

`TikTokSandbox` serves what `connectors.tiktok` uses on 127.0.0.1: the consent link
(which "logs the seller in" at once and redirects with a code), code → tokens and refresh
(single use: the old refresh token dies) on the same host, the authorised shops (with the
`shop_cipher`), the order search on update time (`page_token` paging, oldest first), order
details (1–50 ids, one line item per unit) and the stock / price updates of a product.
Every call is checked like TikTok does: app key, a timestamp in [now − 5 min, now + 30 s],
the signature over the query AND the exact body bytes, the `x-tts-access-token` header
and, on shop APIs, the shop's cipher.

Orders come from `generator` like the Shopee sandbox's (the same deterministic timeline,
its statuses translated to TikTok's), so they move as the sandbox's clock passes. The
same faults can be injected (`inject`), except the daily limit TikTok does not have.
"""

from __future__ import annotations

import argparse
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from primedist.connectors.base import TokenPair
from primedist.connectors.tiktok import (
    AUTHORIZE_PATH,
    ERR_CREDENTIALS_OR_TIMESTAMP,
    ERR_INVALID_SIGN,
    ERR_MISSING_CIPHER,
    ERR_TOO_MANY_REQUESTS,
    ORDER_DETAIL_PATH,
    ORDER_SEARCH_PATH,
    SHOPS_PATH,
    TOKEN_GET_PATH,
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
    json_object,
    request_id,
    serve_until_stopped,
)
from primedist.sandbox.generator import INDEX_BITS, MAX_ORDERS, CatalogueModel

#: The demo app's credentials (safe to publish: they only open this sandbox).
DEMO_APP_KEY = "6e1prsandbox"
DEMO_APP_SECRET = "ttk-primedist-sandbox-demo-secret"
DEMO_SHOP_ID = "7494049642642441621"
DEMO_SHOP_CIPHER = "ROW_PrimeSandboxVN"

#: The generator's (Shopee-like) statuses as TikTok shows them.
TIKTOK_STATUS = {
    "UNPAID": "UNPAID",
    "READY_TO_SHIP": "AWAITING_SHIPMENT",
    "PROCESSED": "AWAITING_COLLECTION",
    "RETRY_SHIP": "AWAITING_COLLECTION",
    "SHIPPED": "IN_TRANSIT",
    "TO_CONFIRM_RECEIVE": "DELIVERED",
    "COMPLETED": "COMPLETED",
    "IN_CANCEL": "CANCELLED",
    "CANCELLED": "CANCELLED",
    # TikTok tracks returns apart from the order, which stays delivered.
    "TO_RETURN": "DELIVERED",
}
CODE_LIFE = 1800
_ID_BASE = 576_000_000_000_000_000
_ID_MOD = 10**14
_ID_MUL = 7_919_000_003  # odd, not a multiple of 5: invertible modulo 10**14
_ID_INV = pow(_ID_MUL, -1, _ID_MOD)
_ID_OFFSET = 31_415_926_535_897
_PRODUCT_PATH = re.compile(r"^/product/202309/products/(\d+)/(inventory|prices)/update$")


def order_id(index: int) -> str:
    """An 18-digit TikTok-like order id encoding the scrambled order index."""
    return str(_ID_BASE + (index * _ID_MUL + _ID_OFFSET) % _ID_MOD)


def id_index(value: str) -> int | None:
    """The order index of an id made by `order_id` (None if it is not one)."""
    if not value.isdigit() or len(value) != 18 or int(value) < _ID_BASE:
        return None
    return ((int(value) - _ID_BASE - _ID_OFFSET) * _ID_INV) % _ID_MOD


@dataclass(frozen=True)
class TikTokSandboxConfig(OrderSettings):
    app_key: str = DEMO_APP_KEY
    app_secret: str = field(default=DEMO_APP_SECRET, repr=False)
    shop_id: str = DEMO_SHOP_ID
    shop_cipher: str = DEMO_SHOP_CIPHER
    shop_name: str = "Prime Sandbox TikTok Shop"
    access_ttl: int = 7 * 86_400
    refresh_ttl: int = 365 * 86_400
    max_page_size: int = 100
    #: TikTok accepts timestamps in [now - 5 min, now + 30 s].
    past_tolerance: int = 300
    future_tolerance: int = 30


class ApiError(SandboxApiError):
    """An error answer: TikTok's envelope with a numeric `code` and a `message`."""

    def __init__(self, code: int, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    def payload(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "request_id": request_id()}


Handler = Callable[[dict[str, str], dict[str, Any]], dict[str, Any]]


class TikTokSandbox(MarketplaceSandbox[TikTokSandboxConfig]):
    """The TikTok Shop sandbox: `start()` → base URL, `stop()`; or use it as a context."""

    name = "tiktok"
    platform = "TikTok Shop"
    authorize_path = AUTHORIZE_PATH
    order_param = "id"
    account_field = "shop_id"
    status_names = TIKTOK_STATUS

    def __init__(
        self, config: TikTokSandboxConfig | None = None, *, clock: Clock | None = None
    ) -> None:
        super().__init__(config or TikTokSandboxConfig(), clock)
        #: (product id, SKU id) -> price; stock last pushed per (product id, SKU id).
        self.prices = {(str(m.item_id), sku_id(m)): m.price for m in self.catalogue}
        self.stock: dict[tuple[str, str], int] = {}
        self._codes: dict[str, int] = {}
        self._routes: dict[tuple[str, str], tuple[bool, Handler]] = {
            ("GET", SHOPS_PATH): (False, self._shops),
            ("POST", ORDER_SEARCH_PATH): (True, self._order_search),
            ("GET", ORDER_DETAIL_PATH): (True, self._order_detail),
        }

    # ------------------------------------------------------------------ test/demo controls

    def authorize(self) -> str:
        """What the seller's consent produces: a fresh single-use code (30 minutes)."""
        code = "TTP_" + secrets.token_urlsafe(18)
        with self._lock:
            self._codes[code] = self._now() + CODE_LIFE
        return code

    def linked_tokens(self) -> TokenPair:
        """A live token pair for the shop, as if it had just been authorised."""
        access, refresh, access_at, refresh_at = self._issue_tokens(self._now())
        return self._token_pair(access, refresh, access_at, refresh_at, self.config.shop_id)

    # ------------------------------------------------------------------ request handling

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str],
        body: bytes,
    ) -> dict[str, Any]:  # fmt: skip
        if path in (TOKEN_GET_PATH, TOKEN_REFRESH_PATH) and method == "GET":
            return self._envelope(self._token(path, query))
        product = _PRODUCT_PATH.match(path)
        route = self._routes.get((method, path))
        if route is None and not (product and method == "POST"):
            raise ApiError(40001, f"No API {method} {path}.", 404)
        shop_api = route[0] if route is not None else True
        self._check_call(path, query, headers, body, shop_api)
        fields = json_object(body, _bad_body) if method == "POST" else {}
        if product is not None:
            return self._envelope(self._update_product(path, product[1], product[2], fields))
        assert route is not None
        return self._envelope(route[1](query, fields))

    @staticmethod
    def _envelope(data: dict[str, Any]) -> dict[str, Any]:
        return {"code": 0, "message": "Success", "request_id": request_id(), "data": data}

    def _rate_limited(self) -> Answer:
        body = {"code": ERR_TOO_MANY_REQUESTS, "message": "Too many requests.",
                "request_id": request_id()}  # fmt: skip
        return 429, dumps(body), {"Content-Type": "application/json"}

    def _corrupt(self, payload: dict[str, Any]) -> None:
        """A detail answer's first order loses its update time and gets a bad price; any
        other answer loses its `data` object."""
        orders = (payload.get("data") or {}).get("orders")
        if orders and "line_items" in orders[0]:
            del orders[0]["update_time"]
            for item in orders[0]["line_items"]:
                item["original_price"] = "many"
        else:
            payload.pop("data", None)

    def _check_call(
        self, path: str, query: dict[str, str], headers: Mapping[str, str], body: bytes,
        shop_api: bool,
    ) -> None:  # fmt: skip
        """TikTok's common checks: app key, timestamp, signature, token, shop cipher."""
        cfg, now = self.config, self._now()
        if query.get("app_key") != cfg.app_key:
            raise ApiError(ERR_CREDENTIALS_OR_TIMESTAMP, "Invalid app_key.", 401)
        try:
            ts = int(query.get("timestamp", ""))
        except ValueError:
            raise ApiError(ERR_CREDENTIALS_OR_TIMESTAMP, "Invalid timestamp.", 401) from None
        if not now - cfg.past_tolerance <= ts <= now + cfg.future_tolerance:
            raise ApiError(ERR_CREDENTIALS_OR_TIMESTAMP, "Invalid credentials or timestamp.", 401)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(36009003, "The body is not UTF-8.", 400) from None
        if not secrets.compare_digest(sign(cfg.app_secret, path, query, text),
                                      query.get("sign", "")):  # fmt: skip
            raise ApiError(ERR_INVALID_SIGN, "Invalid sign.", 401)
        access = headers.get("x-tts-access-token", "")
        with self._lock:
            expires = self._access.get(access) if access else None
        if expires is None:
            raise ApiError(105001, "Invalid access token.", 401)
        if expires <= now:
            raise ApiError(105002, "Expired access token.", 401)
        if shop_api:
            cipher = query.get("shop_cipher")
            if not cipher:
                raise ApiError(ERR_MISSING_CIPHER, "shop_cipher is required.", 400)
            if cipher != cfg.shop_cipher:
                raise ApiError(106011, "Invalid shop_cipher.", 400)

    # ------------------------------------------------------------------ auth

    def _authorize_page(self, query: dict[str, str]) -> Answer:
        """The seller's consent page, skipped: redirect with a code at once."""
        if query.get("app_key") != self.config.app_key:
            raise ApiError(ERR_CREDENTIALS_OR_TIMESTAMP, "Unknown app_key.", 400)
        redirect = query.get("redirect_uri", "")
        if not redirect.startswith(("http://", "https://")):
            raise ApiError(36009003, "The redirect_uri is missing or not http(s).", 400)
        back = {"code": self.authorize(), "state": query.get("state", "")}
        sep = "&" if "?" in redirect else "?"
        return 302, b"", {"Location": f"{redirect}{sep}{urlencode(back)}"}

    def _token(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        cfg, now = self.config, self._now()
        if query.get("app_key") != cfg.app_key or query.get("app_secret") != cfg.app_secret:
            raise ApiError(ERR_CREDENTIALS_OR_TIMESTAMP, "Invalid app_key or app_secret.")
        if path == TOKEN_GET_PATH:
            if query.get("grant_type") != "authorized_code":
                raise ApiError(36009003, "grant_type must be authorized_code.")
            with self._lock:
                expires = self._codes.pop(query.get("auth_code", ""), None)
            if expires is None or expires <= now:
                raise ApiError(36004004, "Invalid or expired auth_code.")
        else:
            if query.get("grant_type") != "refresh_token":
                raise ApiError(36009003, "grant_type must be refresh_token.")
            with self._lock:  # single use: whatever happens next, this one is spent
                expires = self._refresh.pop(query.get("refresh_token", ""), None)
            if expires is None or expires <= now:
                raise ApiError(36004005, "Invalid or expired refresh_token.")
        access, refresh, access_at, refresh_at = self._issue_tokens(now)
        return {"access_token": access, "access_token_expire_in": access_at,
                "refresh_token": refresh, "refresh_token_expire_in": refresh_at,
                "open_id": "sandbox-open-id", "seller_name": cfg.shop_name,
                "seller_base_region": "VN", "user_type": 0}  # fmt: skip

    def _issue_tokens(self, now: int) -> tuple[str, str, int, int]:
        access, refresh = "TTP_" + secrets.token_hex(16), "TTP_" + secrets.token_hex(16)
        access_at, refresh_at = now + self.config.access_ttl, now + self.config.refresh_ttl
        with self._lock:
            self._access[access] = access_at
            self._refresh[refresh] = refresh_at
        return access, refresh, access_at, refresh_at

    def _shops(self, _query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        cfg = self.config
        return {"shops": [{"id": cfg.shop_id, "name": cfg.shop_name, "region": "VN",
                           "seller_type": "LOCAL", "cipher": cfg.shop_cipher,
                           "code": "VNLCPRIME"}]}  # fmt: skip

    # ------------------------------------------------------------------ orders

    def _order_search(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        size = _int_param(query, "page_size")
        if not 1 <= size <= self.config.max_page_size:
            raise ApiError(36009003, f"page_size must be 1-{self.config.max_page_size}.")
        if query.get("sort_field", "update_time") != "update_time" or \
                query.get("sort_order", "DESC") != "ASC":  # fmt: skip
            raise ApiError(36009003, "The sandbox lists by update_time ASC only.")
        ge, lt = body.get("update_time_ge"), body.get("update_time_lt")
        if not isinstance(ge, int) or not isinstance(lt, int) or lt <= ge:
            raise ApiError(36009003, "update_time_ge and update_time_lt (> ge) are required.")
        token = query.get("page_token", "")
        try:
            after = int(token) if token else -1
        except ValueError:
            raise ApiError(36009003, "Invalid page_token.") from None
        now = self._now()
        found, more = self.timeline.changed(ge, lt - 1, now, after, size)
        rows = [{"id": order_id(k & MAX_ORDERS), "status": TIKTOK_STATUS[status],
                 "update_time": k >> INDEX_BITS} for k, status in found]  # fmt: skip
        next_token = str(found[-1][0]) if more and found else ""
        return {"orders": rows, "next_page_token": next_token, "total_count": len(rows)}

    def _order_detail(self, query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        ids = [s for s in query.get("ids", "").split(",") if s]
        if not 1 <= len(ids) <= 50:
            raise ApiError(36009003, "ids must hold 1-50 order ids.")
        now = self._now()
        orders = []
        for oid in ids:
            live = self._live(oid, now)
            if live is not None:
                orders.append(self._detail(live[0], oid, live[1]))
        return {"orders": orders}

    def _detail(self, i: int, oid: str, state: tuple[str, int]) -> dict[str, Any]:
        """The generator's order as TikTok's Get Order Detail shows it."""
        created = self.timeline.created_list[i]
        row = self.factory.detail(i, oid, created, state[0], state[1], ALL_FIELDS)
        status = TIKTOK_STATUS[state[0]]
        units: list[dict[str, Any]] = []
        sub_total = 0
        for item in row["item_list"]:
            for _ in range(item["model_quantity_purchased"]):
                original, sale = item["model_original_price"], item["model_discounted_price"]
                sub_total += sale
                units.append({
                    "id": f"{oid}{len(units):02d}", "product_id": str(item["item_id"]),
                    "sku_id": sku_id_of(item["item_id"], item["model_id"]),
                    "seller_sku": item["model_sku"], "product_name": item["item_name"],
                    "sku_name": item["model_name"], "original_price": str(original),
                    "sale_price": str(sale), "seller_discount": str(original - sale),
                    "platform_discount": "0", "currency": "VND", "display_status": status,
                })  # fmt: skip
        shipping = row["estimated_shipping_fee"]
        addr = row["recipient_address"]
        order: dict[str, Any] = {
            "id": oid, "status": status, "create_time": created, "update_time": state[1],
            "user_id": str(row["buyer_user_id"]), "buyer_message": row["message_to_seller"],
            "is_cod": row["cod"], "payment_method_name": row["payment_method"],
            "shipping_provider": row["shipping_carrier"], "line_items": units,
            "payment": {"currency": "VND", "sub_total": str(sub_total),
                        "shipping_fee": str(shipping),
                        "platform_discount": str(sub_total + shipping - row["total_amount"]),
                        "seller_discount": "0", "total_amount": str(row["total_amount"])},
            "recipient_address": _address(addr),
        }  # fmt: skip
        if row.get("pay_time"):
            order["paid_time"] = row["pay_time"]
        if status in ("IN_TRANSIT", "DELIVERED", "COMPLETED"):
            order["tracking_number"] = f"VN{oid[-10:]}"
        if status == "CANCELLED":
            order["cancel_reason"] = row.get("cancel_reason") or "Buyer cancelled"
        return order

    # ------------------------------------------------------------------ products

    def _update_product(
        self, path: str, product_id: str, what: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        skus = body.get("skus")
        if not isinstance(skus, list) or not 1 <= len(skus) <= 50:
            raise ApiError(36009003, "skus must hold 1-50 SKUs.")
        if not any(p == product_id for p, _ in self.prices):
            raise ApiError(12052048, f"Product {product_id} does not exist.")
        failed = []
        with self._lock:
            for entry in skus:
                key = (product_id, str(entry.get("id")))
                error = _apply_sku(self, key, what, entry)
                if error is not None:
                    failed.append({"id": str(entry.get("id")), "reason": error})
            self._calls.append(SandboxCall(path, body, self.clock.now()))
        return {"failed_skus": failed} if failed else {}

    # ------------------------------------------------------------------ helpers

    def external_id(self, index: int) -> str:
        return order_id(index)

    def _decode(self, oid: str) -> int | None:
        return id_index(oid)


def sku_id_of(item_id: int, model_id: int) -> str:
    """The TikTok SKU id of a catalogue model (items without variants have one SKU)."""
    return str(model_id or item_id * 100)


def sku_id(model: CatalogueModel) -> str:
    return sku_id_of(model.item_id, model.model_id)


def _apply_sku(sandbox: TikTokSandbox, key: tuple[str, str], what: str,
               entry: dict[str, Any]) -> str | None:  # fmt: skip
    if key not in sandbox.prices:
        return "SKU not found"
    if what == "inventory":
        stock = (entry.get("inventory") or [{}])[0].get("quantity")
        if not isinstance(stock, int) or stock < 0:
            return "quantity must be a whole number >= 0"
        sandbox.stock[key] = stock
        return None
    price = (entry.get("price") or {}).get("amount")
    if not isinstance(price, str) or not price.isdigit() or int(price) <= 0:
        return "price.amount must be a whole number of đồng > 0, as a string"
    sandbox.prices[key] = int(price)
    return None


def _address(addr: dict[str, Any]) -> dict[str, Any]:
    """Shopee-shaped generator address → TikTok's (2025 map: no district level)."""
    full = addr["full_address"]
    tail = f", {addr['district']}, {addr['state']}"
    detail = full[: -len(tail)] if full.endswith(tail) else full
    return {
        "name": addr["name"], "phone_number": addr["phone"], "full_address": full,
        "address_detail": detail, "region_code": "VN", "postal_code": "",
        "district_info": [
            {"address_level_name": "Country", "address_name": "Vietnam", "address_level": "L0"},
            {"address_level_name": "Province", "address_name": addr["state"],
             "address_level": "L1"},
            {"address_level_name": "Ward", "address_name": addr["district"],
             "address_level": "L3"},
        ],
    }  # fmt: skip


def _bad_body(message: str) -> ApiError:
    return ApiError(36009003, message, 400)


def _int_param(query: dict[str, str], name: str) -> int:
    try:
        return int(query[name])
    except (KeyError, ValueError):
        raise ApiError(36009003, f"{name} is missing or not a number.") from None


def run_from_args(args: argparse.Namespace) -> int:
    """`python -m primedist.sandbox --channel tiktok`: serve until Ctrl-C or SIGTERM. The
    partner id/key/shop id options are the app key/secret/shop id here; left at the
    Shopee defaults, they give the TikTok demo app's."""
    from primedist.sandbox.shopee import SandboxConfig

    shopee, default = SandboxConfig(), TikTokSandboxConfig()
    config = TikTokSandboxConfig(
        app_key=str(given_or(args.partner_id, shopee.partner_id, default.app_key)),
        app_secret=given_or(args.partner_key, shopee.partner_key, default.app_secret),
        shop_id=str(given_or(args.shop_id, shopee.shop_id, default.shop_id)),
        orders=args.orders, seed=args.seed, history_days=args.history_days,
        future_days=args.future_days, max_page_size=args.page_size,
    )  # fmt: skip
    info = {"channel": "tiktok", "app_key": config.app_key, "app_secret": config.app_secret,
            "shop_id": config.shop_id, "orders": config.orders}  # fmt: skip
    return serve_until_stopped(TikTokSandbox(config), args.host, args.port, info)


__all__ = [
    "DEMO_APP_KEY",
    "DEMO_APP_SECRET",
    "DEMO_SHOP_CIPHER",
    "DEMO_SHOP_ID",
    "TIKTOK_STATUS",
    "TikTokSandbox",
    "TikTokSandboxConfig",
    "id_index",
    "order_id",
    "run_from_args",
]
