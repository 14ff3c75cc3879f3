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
import json
import re
import secrets
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

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
from primedist.core.clock import Clock, SystemClock
from primedist.sandbox.generator import (
    INDEX_BITS,
    MAX_ORDERS,
    CatalogueModel,
    OrderFactory,
    Timeline,
    default_catalogue,
)
from primedist.sandbox.shopee import CONTROL_PREFIX, Fault, FaultKind, SandboxCall

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
ALL_FIELDS = frozenset({
    "item_list", "total_amount", "estimated_shipping_fee", "buyer_user_id", "buyer_username",
    "recipient_address", "payment_method", "pay_time", "shipping_carrier", "cancel_reason",
})  # fmt: skip
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
class TikTokSandboxConfig:
    app_key: str = DEMO_APP_KEY
    app_secret: str = field(default=DEMO_APP_SECRET, repr=False)
    shop_id: str = DEMO_SHOP_ID
    shop_cipher: str = DEMO_SHOP_CIPHER
    shop_name: str = "Prime Sandbox TikTok Shop"
    orders: int = 1000
    seed: int = 7
    history_days: float = 30.0
    future_days: float = 0.0
    #: Or exactly this period (aware datetimes; overrides the two above).
    period: tuple[datetime, datetime] | None = None
    masked_share: float = 0.25
    buyers: int | None = None
    catalogue: tuple[CatalogueModel, ...] | None = None
    access_ttl: int = 7 * 86_400
    refresh_ttl: int = 365 * 86_400
    max_page_size: int = 100
    #: TikTok accepts timestamps in [now - 5 min, now + 30 s].
    past_tolerance: int = 300
    future_tolerance: int = 30
    timeout_delay: float = 3.0
    slow_delay: float = 0.3


class ApiError(Exception):
    """An error answer: TikTok's envelope with a numeric `code` and a `message`."""

    def __init__(self, code: int, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


Handler = Callable[[dict[str, str], dict[str, Any]], dict[str, Any]]
Answer = tuple[int, bytes, dict[str, str]]


class TikTokSandbox:
    """The sandbox marketplace: `start()` → base URL, `stop()`; or use it as a context."""

    def __init__(
        self, config: TikTokSandboxConfig | None = None, *, clock: Clock | None = None
    ) -> None:
        self.config = config = config or TikTokSandboxConfig()
        if not 0 <= config.orders <= MAX_ORDERS:
            raise ValueError(f"the sandbox holds at most {MAX_ORDERS} orders")
        self.clock = clock or SystemClock()
        now = self._now()
        if config.period is not None:
            start, end = (int(t.timestamp()) for t in config.period)
        else:
            start = now - round(config.history_days * 86_400)
            end = max(now + round(config.future_days * 86_400), start + 1)
        self.timeline = Timeline(config.orders, start, end, config.seed)
        self.catalogue = config.catalogue or default_catalogue(config.seed)
        self.factory = OrderFactory(config.seed, self.catalogue, config.masked_share,
                                    config.buyers or max(1, config.orders // 3))  # fmt: skip
        #: (product id, SKU id) -> price; stock last pushed per (product id, SKU id).
        self.prices = {(str(m.item_id), sku_id(m)): m.price for m in self.catalogue}
        self.stock: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._codes: dict[str, int] = {}
        self._access: dict[str, int] = {}
        self._refresh: dict[str, int] = {}
        self._faults: list[Fault] = []
        self._calls: list[SandboxCall] = []
        self._requests: Counter[str] = Counter()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._routes: dict[tuple[str, str], tuple[bool, Handler]] = {
            ("GET", SHOPS_PATH): (False, self._shops),
            ("POST", ORDER_SEARCH_PATH): (True, self._order_search),
            ("GET", ORDER_DETAIL_PATH): (True, self._order_detail),
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; returns the base URL (`http://127.0.0.1:PORT`)."""
        if self._server is not None:
            return self.url
        server = ThreadingHTTPServer((host, port), make_handler(self.handle, "TikTokSandbox/1"))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="tiktok-sandbox",
                                        kwargs={"poll_interval": 0.1}, daemon=True)  # fmt: skip
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> TikTokSandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

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
        tz = self.clock.now().tzinfo
        return TokenPair(access_token=access, refresh_token=refresh,
                         access_expires_at=datetime.fromtimestamp(access_at, tz),
                         refresh_expires_at=datetime.fromtimestamp(refresh_at, tz),
                         shop_external_id=self.config.shop_id)  # fmt: skip

    def inject(
        self, kind: FaultKind | str, *, count: int = 1, path: str | None = None,
        delay: float | None = None,
    ) -> Fault:  # fmt: skip
        """Make the next `count` API calls (to `path`, or any) fail with `kind`."""
        fault = Fault(FaultKind(kind), count, path, delay)
        if fault.kind == FaultKind.DAILY_LIMIT:
            raise ValueError("TikTok Shop has no daily call limit to inject")
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._access = dict.fromkeys(self._access, 0)

    def revoke(self) -> None:
        """The seller cancelled the authorisation: every token dies."""
        with self._lock:
            self._access.clear()
            self._refresh.clear()

    def calls(self, path: str | None = None) -> list[SandboxCall]:
        with self._lock:
            return [c for c in self._calls if path is None or c.path == path]

    def request_count(self, path: str | None = None) -> int:
        with self._lock:
            return sum(self._requests.values()) if path is None else self._requests[path]

    def order_ids(self) -> list[str]:
        """Every order that exists now (for test expectations)."""
        return [order_id(i) for i in range(self.timeline.existing(self._now()))]

    def order_state(self, oid: str) -> tuple[str, int] | None:
        """(TikTok status, update time) of an order now; None if there is no such order."""
        i = self._index(oid)
        state = None if i is None else self.timeline.state(i, self._now())
        return None if state is None else (TIKTOK_STATUS[state[0]], state[1])

    # ------------------------------------------------------------------ request handling

    def handle(
        self, method: str, raw_path: str, headers: Mapping[str, str], body_bytes: bytes
    ) -> Answer:
        """One HTTP request → (status, body, headers). Runs on a server thread."""
        parts = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        path = parts.path
        if path.startswith(CONTROL_PREFIX):
            return self._control(method, path, query, body_bytes)
        with self._lock:
            self._requests[path] += 1
        fault = self._take_fault(path)
        if fault is not None:
            early = self._apply_fault_before(fault)
            if early is not None:
                return early
        try:
            if path == AUTHORIZE_PATH and method == "GET":
                return self._authorize_page(query)
            status, payload = 200, self._dispatch(method, path, query, headers, body_bytes)
            if fault is not None and fault.kind == FaultKind.CORRUPT:
                _corrupt(payload)
        except ApiError as exc:
            status = exc.status
            payload = {"code": exc.code, "message": exc.message, "request_id": _request_id()}
        data = _dumps(payload)
        if fault is not None and fault.kind == FaultKind.TIMEOUT:
            time.sleep(fault.delay if fault.delay is not None else self.config.timeout_delay)
        return status, data, {"Content-Type": "application/json"}

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str],
        body_bytes: bytes,
    ) -> dict[str, Any]:  # fmt: skip
        if path in (TOKEN_GET_PATH, TOKEN_REFRESH_PATH) and method == "GET":
            return self._envelope(self._token(path, query))
        product = _PRODUCT_PATH.match(path)
        route = self._routes.get((method, path))
        if route is None and not (product and method == "POST"):
            raise ApiError(40001, f"No API {method} {path}.", 404)
        shop_api = route[0] if route is not None else True
        self._check_call(path, query, headers, body_bytes, shop_api)
        body: dict[str, Any] = {}
        if method == "POST":
            try:
                body = json.loads(body_bytes or b"{}")
            except ValueError:
                raise ApiError(36009003, "The body is not JSON.", 400) from None
            if not isinstance(body, dict):
                raise ApiError(36009003, "The body must be a JSON object.", 400)
        if product is not None:
            return self._envelope(self._update_product(path, product[1], product[2], body))
        assert route is not None
        return self._envelope(route[1](query, body))

    @staticmethod
    def _envelope(data: dict[str, Any]) -> dict[str, Any]:
        return {"code": 0, "message": "Success", "request_id": _request_id(), "data": data}

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and (fault.path is None and path != AUTHORIZE_PATH
                                            or fault.path == path):  # fmt: skip
                    fault.remaining -= 1
                    return fault
        return None

    def _apply_fault_before(self, fault: Fault) -> Answer | None:
        kind = fault.kind
        if kind == FaultKind.RATE_LIMIT:
            body = {"code": ERR_TOO_MANY_REQUESTS, "message": "Too many requests.",
                    "request_id": _request_id()}  # fmt: skip
            return 429, _dumps(body), {"Content-Type": "application/json"}
        if kind == FaultKind.HTTP_500:
            return (
                500,
                b"<html><body>Internal Server Error</body></html>",
                {"Content-Type": "text/html"},
            )
        if kind == FaultKind.DROP:
            return -1, b"", {}
        if kind == FaultKind.SLOW:
            time.sleep(fault.delay if fault.delay is not None else self.config.slow_delay)
        if kind == FaultKind.EXPIRED_TOKEN:
            self.expire_access_tokens()
        return None

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
            i = self._index(oid)
            state = None if i is None else self.timeline.state(i, now)
            if i is None or state is None:
                continue
            orders.append(self._detail(i, oid, state))
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

    # ------------------------------------------------------------------ control API

    def _control(self, method: str, path: str, query: dict[str, str], body_bytes: bytes) -> Answer:
        """Tiny HTTP controls for a sandbox run as a separate process (tests, demos)."""
        name = path[len(CONTROL_PREFIX) :]
        try:
            if name == "fault" and method == "POST":
                spec = json.loads(body_bytes or b"{}")
                self.inject(spec["kind"], count=int(spec.get("count", 1)), path=spec.get("path"),
                            delay=spec.get("delay"))  # fmt: skip
                result: Any = {"ok": True}
            elif name == "authorize" and method == "POST":
                result = {"code": self.authorize(), "shop_id": self.config.shop_id}
            elif name == "calls" and method == "GET":
                result = [{"path": c.path, "body": c.body, "at": c.at.isoformat()}
                          for c in self.calls(query.get("path"))]  # fmt: skip
            elif name == "order" and method == "GET":
                state = self.order_state(query.get("id", ""))
                result = {"status": state[0], "update_time": state[1]} if state else None
            else:
                return 404, _dumps({"error": f"no control {method} {name}"}), {}
        except (KeyError, ValueError) as exc:
            return 400, _dumps({"error": str(exc)}), {}
        return 200, _dumps(result), {"Content-Type": "application/json"}

    # ------------------------------------------------------------------ helpers

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    def _index(self, oid: str) -> int | None:
        i = id_index(oid)
        return i if i is not None and i < self.timeline.n else None


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


def make_handler(
    handle: Callable[[str, str, Mapping[str, str], bytes], Answer], server_version: str
) -> type[BaseHTTPRequestHandler]:
    """A request handler passing (method, path, lower-cased headers, body) to `handle`."""

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def version_string(self) -> str:
            return server_version

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, data, extra = handle(method, self.path, headers, body)
            if status < 0:  # DROP: hang up without an answer
                self.close_connection = True
                return
            head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}",
                    f"Content-Length: {len(data)}"]  # fmt: skip
            head += [f"{k}: {v}" for k, v in extra.items()]
            try:
                self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (timeout fault)

        def log_message(self, format: str, *args: Any) -> None:
            del format, args  # quiet: the benchmark makes thousands of calls

    return _Handler


_REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
            403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
            500: "Internal Server Error"}  # fmt: skip


def _corrupt(payload: dict[str, Any]) -> None:
    """A detail answer's first order loses its update time and gets a bad price; any
    other answer loses its `data` object."""
    orders = (payload.get("data") or {}).get("orders")
    if orders and "line_items" in orders[0]:
        del orders[0]["update_time"]
        for item in orders[0]["line_items"]:
            item["original_price"] = "many"
    else:
        payload.pop("data", None)


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _request_id() -> str:
    return secrets.token_hex(8)


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

    shopee = SandboxConfig()
    default = TikTokSandboxConfig()
    config = TikTokSandboxConfig(
        app_key=default.app_key if args.partner_id == shopee.partner_id else str(args.partner_id),
        app_secret=default.app_secret if args.partner_key == shopee.partner_key
        else args.partner_key,
        shop_id=default.shop_id if args.shop_id == shopee.shop_id else str(args.shop_id),
        orders=args.orders, seed=args.seed, history_days=args.history_days,
        future_days=args.future_days, max_page_size=args.page_size,
    )  # fmt: skip
    sandbox = TikTokSandbox(config)
    url = sandbox.start(args.host, args.port)
    info = {"channel": "tiktok", "url": url, "app_key": config.app_key,
            "app_secret": config.app_secret, "shop_id": config.shop_id,
            "orders": config.orders}  # fmt: skip
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


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
