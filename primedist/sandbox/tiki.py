"""A local Tiki Open API for the demo, the tests and the benchmarks.

`TikiSandbox` serves what `connectors.tiki` uses on 127.0.0.1: the OAuth2 consent link
(which "logs the seller in" at once and redirects with a code bound to its redirect_uri
and scope), the token endpoint (HTTP Basic client authentication only; codes single use;
a refresh token only with the `offline` scope, rotated on every refresh), the seller
(`/integration/v2/sellers/me`), the order list by update time (page numbers, oldest
first, whole orders) and one order by code. Every API call needs a live Bearer token.

Orders come from `generator` like the other sandboxes' (the same deterministic timeline,
its statuses translated to Tiki's), so they move as the sandbox's clock passes. The same
faults can be injected (`inject`), except the daily limit Tiki does not have.
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from primedist.connectors.base import TokenPair
from primedist.connectors.tiki import (
    AUTHORIZE_PATH,
    ORDERS_PATH,
    SELLER_PATH,
    TOKEN_PATH,
    VN,
    parse_tiki_time,
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
from primedist.sandbox.shopee import CONTROL_PREFIX, Fault, FaultKind
from primedist.sandbox.tiktok import make_handler

#: The demo app's credentials (safe to publish: they only open this sandbox).
DEMO_CLIENT_ID = "primedist-tiki-sandbox"
DEMO_CLIENT_SECRET = "tiki-primedist-sandbox-demo-secret"
DEMO_SELLER_ID = "215473"

#: The generator's (Shopee-like) statuses as Tiki shows them.
TIKI_STATUS = {
    "UNPAID": "waiting_payment",
    "READY_TO_SHIP": "queueing",
    "PROCESSED": "ready_to_ship",
    "RETRY_SHIP": "ready_to_ship",
    "SHIPPED": "shipping",
    "TO_CONFIRM_RECEIVE": "successful_delivery",
    "COMPLETED": "complete",
    "IN_CANCEL": "canceled",
    "CANCELLED": "canceled",
    "TO_RETURN": "returned",
}
ALL_FIELDS = frozenset({
    "item_list", "total_amount", "estimated_shipping_fee", "buyer_user_id", "buyer_username",
    "recipient_address", "payment_method", "pay_time", "shipping_carrier", "cancel_reason",
})  # fmt: skip
CODE_LIFE = 600
ORDER_PREFIX = ORDERS_PATH + "/"
_ID_BASE = 100_000_000
_ID_MOD = 900_000_000
_ID_MUL = 7_919  # prime, coprime with 900,000,000: invertible
_ID_INV = pow(_ID_MUL, -1, _ID_MOD)
_ID_OFFSET = 271_828_182
_PAYMENTS = {"Cash on Delivery": "cod", "ShopeePay": "momo",
             "Credit Card/Debit Card": "cybersource", "Bank Transfer": "bank_transfer"}  # fmt: skip


def order_code(index: int) -> str:
    """A 9-digit Tiki-like order code encoding the scrambled order index."""
    return str(_ID_BASE + (index * _ID_MUL + _ID_OFFSET) % _ID_MOD)


def code_index(value: str) -> int | None:
    """The order index of a code made by `order_code` (None if it is not one)."""
    if not value.isdigit() or len(value) != 9 or int(value) < _ID_BASE:
        return None
    return ((int(value) - _ID_BASE - _ID_OFFSET) * _ID_INV) % _ID_MOD


@dataclass(frozen=True)
class TikiSandboxConfig:
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = field(default=DEMO_CLIENT_SECRET, repr=False)
    seller_id: str = DEMO_SELLER_ID
    seller_name: str = "Prime Sandbox Tiki"
    orders: int = 1000
    seed: int = 7
    history_days: float = 30.0
    future_days: float = 0.0
    #: Or exactly this period (aware datetimes; overrides the two above).
    period: tuple[datetime, datetime] | None = None
    masked_share: float = 0.25
    buyers: int | None = None
    catalogue: tuple[CatalogueModel, ...] | None = None
    access_ttl: int = 3600
    max_page_size: int = 100
    timeout_delay: float = 3.0
    slow_delay: float = 0.3


class ApiError(Exception):
    """An error answer (`{errors: [...]}` or an OAuth2 `{error, error_description}`)."""

    def __init__(self, status: int, message: str, oauth: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.oauth = status, message, oauth

    def body(self) -> dict[str, Any]:
        if self.oauth:
            return {"error": self.oauth, "error_description": self.message}
        return {"errors": [self.message]}


Answer = tuple[int, bytes, dict[str, str]]


@dataclass
class _Code:
    expires: int
    redirect: str
    offline: bool


class TikiSandbox:
    """The sandbox marketplace: `start()` → base URL, `stop()`; or use it as a context."""

    def __init__(self, config: TikiSandboxConfig | None = None, *, clock: Clock | None = None):
        self.config = config = config or TikiSandboxConfig()
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
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, int] = {}
        self._refresh: set[str] = set()
        self._faults: list[Fault] = []
        self._forbidden = False
        self._requests: Counter[str] = Counter()
        #: Each token request's form (secrets left in: the tests look at grant types).
        self.token_requests: list[dict[str, str]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; returns the base URL (`http://127.0.0.1:PORT`)."""
        if self._server is not None:
            return self.url
        server = ThreadingHTTPServer((host, port), make_handler(self.handle, "TikiSandbox/1"))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="tiki-sandbox",
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

    def __enter__(self) -> TikiSandbox:
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

    def authorize(self, redirect: str = "", *, offline: bool = True) -> str:
        """What the seller's consent produces: a fresh single-use code (10 minutes)."""
        code = "tk_" + secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(self._now() + CODE_LIFE, redirect, offline)
        return code

    def linked_tokens(self) -> TokenPair:
        """A live token pair for the seller, as if the shop had just been authorised."""
        access, refresh, access_at = self._issue_tokens(self._now(), offline=True)
        return TokenPair(access_token=access, refresh_token=refresh or "",
                         access_expires_at=datetime.fromtimestamp(access_at, UTC),
                         refresh_expires_at=None,
                         shop_external_id=self.config.seller_id)  # fmt: skip

    def inject(
        self, kind: FaultKind | str, *, count: int = 1, path: str | None = None,
        delay: float | None = None,
    ) -> Fault:  # fmt: skip
        """Make the next `count` API calls (to `path`, or any; the path of one order is
        `ORDERS_PATH + "/{code}"`, matched by the prefix `ORDER_PREFIX`) fail with `kind`."""
        fault = Fault(FaultKind(kind), count, path, delay)
        if fault.kind == FaultKind.DAILY_LIMIT:
            raise ValueError("Tiki has no daily call limit to inject")
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
        """The seller withdrew the app's access: every token dies."""
        with self._lock:
            self._access.clear()
            self._refresh.clear()

    def forbid(self, forbidden: bool = True) -> None:
        """The seller took a permission back: API calls answer 403 (tokens still valid)."""
        with self._lock:
            self._forbidden = forbidden

    def request_count(self, path: str | None = None) -> int:
        with self._lock:
            return sum(self._requests.values()) if path is None else self._requests[path]

    def order_codes(self) -> list[str]:
        """Every order that exists now (for test expectations)."""
        return [order_code(i) for i in range(self.timeline.existing(self._now()))]

    def order_state(self, code: str) -> tuple[str, int] | None:
        """(Tiki status, update time) of an order now; None if there is no such order."""
        i = self._index(code)
        state = None if i is None else self.timeline.state(i, self._now())
        return None if state is None else (TIKI_STATUS[state[0]], state[1])

    # ------------------------------------------------------------------ request handling

    def handle(
        self, method: str, raw_path: str, headers: Mapping[str, str], body_bytes: bytes
    ) -> Answer:
        """One HTTP request → (status, body, headers). Runs on a server thread."""
        parts = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        path = parts.path
        if path.startswith(CONTROL_PREFIX):
            return self._control(method, path[len(CONTROL_PREFIX) :])
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
            status, payload = exc.status, exc.body()
        data = _dumps(payload)
        if fault is not None and fault.kind == FaultKind.TIMEOUT:
            time.sleep(fault.delay if fault.delay is not None else self.config.timeout_delay)
        return status, data, {"Content-Type": "application/json"}

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str],
        body_bytes: bytes,
    ) -> dict[str, Any]:  # fmt: skip
        if path == TOKEN_PATH and method == "POST":
            return self._token(headers, body_bytes)
        if method != "GET" or not (path in (SELLER_PATH, ORDERS_PATH)
                                   or path.startswith(ORDER_PREFIX)):  # fmt: skip
            raise ApiError(404, f"No API {method} {path}.")
        self._check_bearer(headers)
        if path == SELLER_PATH:
            cfg = self.config
            return {"id": int(cfg.seller_id), "sid": "PRIMESBX", "name": cfg.seller_name,
                    "active": 1, "can_update_product": 1, "registration_status": "completed",
                    "operation_models": ["dropship"]}  # fmt: skip
        if path == ORDERS_PATH:
            return self._order_list(query)
        return self._order(unquote(path[len(ORDER_PREFIX) :]))

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                hit = (
                    (fault.path is None and path != AUTHORIZE_PATH)
                    or fault.path == path
                    or (fault.path == ORDER_PREFIX and path.startswith(ORDER_PREFIX))
                )
                if fault.remaining > 0 and hit:
                    fault.remaining -= 1
                    return fault
        return None

    def _apply_fault_before(self, fault: Fault) -> Answer | None:
        kind = fault.kind
        if kind == FaultKind.RATE_LIMIT:
            body = _dumps({"errors": ["Too many requests, slow down."]})
            return 429, body, {"Content-Type": "application/json", "Retry-After": "1"}
        if kind == FaultKind.HTTP_500:
            return 500, b"<html><body>502 Bad Gateway</body></html>", {"Content-Type": "text/html"}
        if kind == FaultKind.DROP:
            return -1, b"", {}
        if kind == FaultKind.SLOW:
            time.sleep(fault.delay if fault.delay is not None else self.config.slow_delay)
        if kind == FaultKind.EXPIRED_TOKEN:
            self.expire_access_tokens()
        return None

    def _check_bearer(self, headers: Mapping[str, str]) -> None:
        auth = headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            raise ApiError(401, "Missing Bearer access token.")
        with self._lock:
            expires = self._access.get(auth[7:].strip())
        if expires is None or expires <= self._now():
            raise ApiError(401, "The access token is invalid or expired.")
        if self._forbidden:
            raise ApiError(403, "The seller has not granted this app access to the resource.")

    # ------------------------------------------------------------------ auth

    def _authorize_page(self, query: dict[str, str]) -> Answer:
        """The seller's consent page, skipped: redirect with a code at once."""
        if query.get("client_id") != self.config.client_id:
            raise ApiError(400, "Unknown client_id.", "invalid_client")
        if query.get("response_type") != "code":
            raise ApiError(400, "response_type must be code.", "unsupported_response_type")
        redirect = query.get("redirect_uri", "")
        if not redirect.startswith(("http://", "https://")):
            raise ApiError(400, "The redirect_uri is missing or not http(s).", "invalid_request")
        offline = "offline" in query.get("scope", "").replace(",", " ").split()
        back = {"code": self.authorize(redirect, offline=offline),
                "scope": query.get("scope", ""), "state": query.get("state", "")}  # fmt: skip
        sep = "&" if "?" in redirect else "?"
        return 302, b"", {"Location": f"{redirect}{sep}{urlencode(back)}"}

    def _client_ok(self, headers: Mapping[str, str]) -> bool:
        auth = headers.get("authorization", "")
        if not auth.startswith("Basic "):
            return False
        try:
            pair = base64.b64decode(auth[6:], validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return False
        cid, _, secret = pair.partition(":")
        return secrets.compare_digest(cid, self.config.client_id) and \
            secrets.compare_digest(secret, self.config.client_secret)  # fmt: skip

    def _token(self, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        with self._lock:
            self.token_requests.append(form)
        if not self._client_ok(headers):
            raise ApiError(401, "Client authentication failed (HTTP Basic).", "invalid_client")
        now, grant = self._now(), form.get("grant_type")
        if grant == "authorization_code":
            with self._lock:  # single use: whatever happens next, this one is spent
                code = self._codes.pop(form.get("code", ""), None)
            if code is None or code.expires <= now:
                raise ApiError(400, "The authorization code is invalid, expired or used.",
                               "invalid_grant")  # fmt: skip
            given = form.get("redirect_uri")
            if given is not None and code.redirect and given != code.redirect:
                raise ApiError(400, "redirect_uri does not match the authorization request.",
                               "invalid_grant")  # fmt: skip
            offline = code.offline
        elif grant == "refresh_token":
            with self._lock:
                known = form.get("refresh_token", "") in self._refresh
                self._refresh.discard(form.get("refresh_token", ""))
            if not known:
                raise ApiError(400, "The refresh token is invalid, expired or used.",
                               "invalid_grant")  # fmt: skip
            offline = True
        else:
            raise ApiError(400, f"grant_type {grant!r} is not allowed for this client.",
                           "unauthorized_client")  # fmt: skip
        access, refresh, _ = self._issue_tokens(now, offline=offline)
        answer: dict[str, Any] = {"access_token": access, "expires_in": self.config.access_ttl,
                                  "scope": "offline order product inventory" if offline
                                  else "order product inventory",
                                  "token_type": "bearer", "id_token": ""}  # fmt: skip
        if refresh:
            answer["refresh_token"] = refresh
        return answer

    def _issue_tokens(self, now: int, *, offline: bool) -> tuple[str, str | None, int]:
        access = "tk_at_" + secrets.token_urlsafe(24)
        refresh = "tk_rt_" + secrets.token_urlsafe(24) if offline else None
        with self._lock:
            self._access[access] = now + self.config.access_ttl
            if refresh:
                self._refresh.add(refresh)
        return access, refresh, now + self.config.access_ttl

    # ------------------------------------------------------------------ orders

    def _order_list(self, query: dict[str, str]) -> dict[str, Any]:
        limit, page = _int_param(query, "limit", 20), _int_param(query, "page", 1)
        if not 1 <= limit <= self.config.max_page_size:
            raise ApiError(400, f"limit must be 1-{self.config.max_page_size}.")
        if page < 1:
            raise ApiError(400, "page must be 1 or more.")
        try:
            lo = int(parse_tiki_time(query["updated_from_date"]).timestamp())
            hi = int(parse_tiki_time(query["updated_to_date"]).timestamp())
        except (KeyError, ValueError):
            raise ApiError(400, "updated_from_date and updated_to_date (YYYY-MM-DD"
                           " HH:MM:SS) are required: the sandbox lists by update"
                           " time.") from None  # fmt: skip
        if query.get("order_by", "updated_at|asc") != "updated_at|asc":
            raise ApiError(400, "The sandbox lists by updated_at|asc only.")
        now = self._now()
        found, _ = self.timeline.changed(lo, hi, now, -1, MAX_ORDERS)
        rows = found[(page - 1) * limit : page * limit]
        data = [self._detail(k & MAX_ORDERS, (status, k >> INDEX_BITS)) for k, status in rows]
        total = len(found)
        return {"data": data, "paging": {
            "total": total, "per_page": limit, "current_page": page,
            "last_page": max(1, -(-total // limit)),
            "from": (page - 1) * limit + 1 if data else None,
            "to": (page - 1) * limit + len(data) if data else None,
        }}  # fmt: skip

    def _order(self, code: str) -> dict[str, Any]:
        i = self._index(code)
        state = None if i is None else self.timeline.state(i, self._now())
        if i is None or state is None:
            raise ApiError(404, f"Order {code} not found.")
        return self._detail(i, state)

    def _detail(self, i: int, state: tuple[str, int]) -> dict[str, Any]:
        """The generator's order as Tiki shows it."""
        code, created = order_code(i), self.timeline.created_list[i]
        row = self.factory.detail(i, code, created, state[0], state[1], ALL_FIELDS)
        status = TIKI_STATUS[state[0]]
        items, subtotal = [], 0
        for item in row["item_list"]:
            price = item["model_discounted_price"]
            subtotal += price * item["model_quantity_purchased"]
            items.append({
                "product_id": item["item_id"], "sku": tiki_sku(item["item_id"], item["model_id"]),
                "original_sku": item["model_sku"], "product_name": item["item_name"],
                "variant_name": item["model_name"], "qty": item["model_quantity_purchased"],
                "price": price, "original_price": item["model_original_price"],
                "confirmation_status": "confirmed" if status != "queueing" else "waiting",
            })  # fmt: skip
        shipping = row["estimated_shipping_fee"]
        addr = row["recipient_address"]
        order: dict[str, Any] = {
            "order_code": code, "status": status,
            "total_price_before_discount": subtotal,
            "total_price_after_discount": row["total_amount"] - shipping,
            "purchased_at": _vn(created), "created_at": _vn(created),
            "updated_at": _vn(state[1]), "fulfillment_type": "seller_delivery",
            "payment_method": _PAYMENTS.get(row["payment_method"], "cod"),
            "note": row["message_to_seller"],
            "customer": {"id": row["buyer_user_id"], "full_name": addr["name"]},
            "shipping": {"name": addr["name"], "phone": addr["phone"],
                         "street": _street(addr), "ward": addr["district"],
                         "district": "", "region": addr["state"],
                         "full_address": addr["full_address"], "shipping_fee": shipping,
                         "partner_name": row["shipping_carrier"]},
            "items": items,
        }  # fmt: skip
        if status in ("shipping", "successful_delivery", "complete", "returned"):
            order["shipping"]["tracking_code"] = f"TK{code}"
        if status == "canceled":
            order["cancel_reason"] = row.get("cancel_reason") or "Khách hủy"
        return order

    # ------------------------------------------------------------------ control API

    def _control(self, method: str, name: str) -> Answer:
        """A tiny HTTP control for a sandbox run as a separate process (demos)."""
        if name == "authorize" and method == "POST":
            result = {"code": self.authorize(), "seller_id": self.config.seller_id}
            return 200, _dumps(result), {"Content-Type": "application/json"}
        return 404, _dumps({"error": f"no control {method} {name}"}), {}

    # ------------------------------------------------------------------ helpers

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    def _index(self, code: str) -> int | None:
        i = code_index(code)
        return i if i is not None and i < self.timeline.n else None


def tiki_sku(item_id: int, model_id: int) -> str:
    """The Tiki SKU of a catalogue model (Tiki's SKUs are digit strings)."""
    return str(model_id or item_id * 100)


def _vn(ts: int) -> str:
    return datetime.fromtimestamp(ts, VN).strftime("%Y-%m-%d %H:%M:%S")


def _street(addr: dict[str, Any]) -> str:
    full = str(addr["full_address"])
    tail = f", {addr['district']}, {addr['state']}"
    return full[: -len(tail)] if full.endswith(tail) else full


def _corrupt(payload: dict[str, Any]) -> None:
    """The first order of an answer loses its update time and gets a bad price; any other
    answer loses its fields."""
    orders = payload.get("data") if isinstance(payload.get("data"), list) else [payload]
    first = orders[0] if orders else None
    if isinstance(first, dict) and "items" in first:
        del first["updated_at"]
        for item in first["items"]:
            item["price"] = "many"
    else:
        payload.clear()


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _int_param(query: dict[str, str], name: str, default: int) -> int:
    try:
        return int(query.get(name) or default)
    except ValueError:
        raise ApiError(400, f"{name} is not a number.") from None


def run_from_args(args: argparse.Namespace) -> int:
    """`python -m primedist.sandbox --channel tiki`: serve until Ctrl-C or SIGTERM. The
    partner id/key/shop id options are the client id/secret/seller id here; left at the
    Shopee defaults, they give the Tiki demo app's."""
    from primedist.sandbox.shopee import SandboxConfig

    shopee, default = SandboxConfig(), TikiSandboxConfig()
    config = TikiSandboxConfig(
        client_id=default.client_id if args.partner_id == shopee.partner_id
        else str(args.partner_id),
        client_secret=default.client_secret if args.partner_key == shopee.partner_key
        else args.partner_key,
        seller_id=default.seller_id if args.shop_id == shopee.shop_id else str(args.shop_id),
        orders=args.orders, seed=args.seed, history_days=args.history_days,
        future_days=args.future_days, max_page_size=args.page_size,
    )  # fmt: skip
    sandbox = TikiSandbox(config)
    url = sandbox.start(args.host, args.port)
    info = {"channel": "tiki", "url": url, "client_id": config.client_id,
            "client_secret": config.client_secret, "seller_id": config.seller_id,
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
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_SELLER_ID",
    "ORDER_PREFIX",
    "TIKI_STATUS",
    "TikiSandbox",
    "TikiSandboxConfig",
    "code_index",
    "order_code",
    "run_from_args",
]
