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
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode

from primedist.connectors.base import TokenPair
from primedist.connectors.tiki import (
    AUTHORIZE_PATH,
    ORDERS_PATH,
    SELLER_PATH,
    TOKEN_PATH,
    VN,
    parse_tiki_time,
)
from primedist.core.clock import Clock
from primedist.sandbox.base import (
    ALL_FIELDS,
    Answer,
    Fault,
    MarketplaceSandbox,
    OrderSettings,
    SandboxApiError,
    dumps,
    given_or,
    serve_until_stopped,
)
from primedist.sandbox.generator import INDEX_BITS, MAX_ORDERS

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
class TikiSandboxConfig(OrderSettings):
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = field(default=DEMO_CLIENT_SECRET, repr=False)
    seller_id: str = DEMO_SELLER_ID
    seller_name: str = "Prime Sandbox Tiki"
    access_ttl: int = 3600
    max_page_size: int = 100


class ApiError(SandboxApiError):
    """An error answer (`{errors: [...]}` or an OAuth2 `{error, error_description}`)."""

    def __init__(self, status: int, message: str, oauth: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.oauth = status, message, oauth

    def payload(self) -> dict[str, Any]:
        if self.oauth:
            return {"error": self.oauth, "error_description": self.message}
        return {"errors": [self.message]}


@dataclass
class _Code:
    expires: int
    redirect: str
    offline: bool


class TikiSandbox(MarketplaceSandbox[TikiSandboxConfig]):
    """The Tiki sandbox: `start()` → base URL, `stop()`; or use it as a context."""

    name = "tiki"
    platform = "Tiki"
    authorize_path = AUTHORIZE_PATH
    order_param = "code"
    account_field = "seller_id"
    status_names = TIKI_STATUS
    server_error_page = b"<html><body>502 Bad Gateway</body></html>"

    def __init__(self, config: TikiSandboxConfig | None = None, *, clock: Clock | None = None):
        super().__init__(config or TikiSandboxConfig(), clock)
        self._codes: dict[str, _Code] = {}
        # _refresh: refresh token -> when it was issued (Tiki's do not expire).
        self._forbidden = False
        #: Each token request's form (secrets left in: the tests look at grant types).
        self.token_requests: list[dict[str, str]] = []

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
        return self._token_pair(access, refresh or "", access_at, None, self.config.seller_id)

    def forbid(self, forbidden: bool = True) -> None:
        """The seller took a permission back: API calls answer 403 (tokens still valid)."""
        with self._lock:
            self._forbidden = forbidden

    def order_codes(self) -> list[str]:
        """Every order that exists now (for test expectations)."""
        return self.order_ids()

    # ------------------------------------------------------------------ request handling

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str],
        body: bytes,
    ) -> dict[str, Any]:  # fmt: skip
        if path == TOKEN_PATH and method == "POST":
            return self._token(headers, body)
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

    def _fault_hits(self, fault: Fault, path: str) -> bool:
        """A fault for `ORDER_PREFIX` hits the call for any one order."""
        one_order = fault.path == ORDER_PREFIX and path.startswith(ORDER_PREFIX)
        return one_order or super()._fault_hits(fault, path)

    def _rate_limited(self) -> Answer:
        body = dumps({"errors": ["Too many requests, slow down."]})
        return 429, body, {"Content-Type": "application/json", "Retry-After": "1"}

    def _corrupt(self, payload: dict[str, Any]) -> None:
        """The first order of an answer loses its update time and gets a bad price; any
        other answer loses its fields."""
        orders = payload.get("data") if isinstance(payload.get("data"), list) else [payload]
        first = orders[0] if orders else None
        if isinstance(first, dict) and "items" in first:
            del first["updated_at"]
            for item in first["items"]:
                item["price"] = "many"
        else:
            payload.clear()

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
                known = self._refresh.pop(form.get("refresh_token", ""), None) is not None
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
                self._refresh[refresh] = now
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
        live = self._live(code)
        if live is None:
            raise ApiError(404, f"Order {code} not found.")
        return self._detail(*live)

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

    # ------------------------------------------------------------------ helpers

    def external_id(self, index: int) -> str:
        return order_code(index)

    def _decode(self, oid: str) -> int | None:
        return code_index(oid)


def tiki_sku(item_id: int, model_id: int) -> str:
    """The Tiki SKU of a catalogue model (Tiki's SKUs are digit strings)."""
    return str(model_id or item_id * 100)


def _vn(ts: int) -> str:
    return datetime.fromtimestamp(ts, VN).strftime("%Y-%m-%d %H:%M:%S")


def _street(addr: dict[str, Any]) -> str:
    full = str(addr["full_address"])
    tail = f", {addr['district']}, {addr['state']}"
    return full[: -len(tail)] if full.endswith(tail) else full


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
        client_id=str(given_or(args.partner_id, shopee.partner_id, default.client_id)),
        client_secret=given_or(args.partner_key, shopee.partner_key, default.client_secret),
        seller_id=str(given_or(args.shop_id, shopee.shop_id, default.seller_id)),
        orders=args.orders, seed=args.seed, history_days=args.history_days,
        future_days=args.future_days, max_page_size=args.page_size,
    )  # fmt: skip
    info = {"channel": "tiki", "client_id": config.client_id,
            "client_secret": config.client_secret, "seller_id": config.seller_id,
            "orders": config.orders}  # fmt: skip
    return serve_until_stopped(TikiSandbox(config), args.host, args.port, info)


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
