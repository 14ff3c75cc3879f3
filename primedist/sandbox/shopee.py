"""A local Shopee Open Platform v2 for the demo, the tests and the benchmarks.

`ShopeeSandbox` serves the endpoints the connector uses on 127.0.0.1 (a threaded
http.server): the authorisation link (which "logs the seller in" at once and redirects
with a code), code → tokens, refresh with rotation (the old refresh token dies), shop
info, the order list on update/create time (the 15-day rule, cursor paging), order
details in batches of 1–50, arrange shipment, cancel, the shop's items (item list with
offset paging and its status filter, base info of 1–50 items, one item's models with
their variations, prices and stock), stock and price updates. Every call is checked like
Shopee does: partner id, a timestamp within 5 minutes, the HMAC signature, and for shop
APIs a live access token of the shop.

Orders come from `generator` (deterministic from the seed, moving over time with the
sandbox's clock); the items are its catalogue, all NORMAL but those a test puts in
`unlisted`, with the prices and stock last pushed (or a deterministic starting stock).
Faults can be injected (`inject`): rate limit, HTTP 500, timeouts, slow answers, an
expired token, the daily limit, a dropped connection. Received actions are recorded
(`calls`) so tests can prove an action was sent exactly once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import numpy as np

from primedist.connectors.base import TokenPair
from primedist.connectors.shopee import (
    AUTH_PARTNER_PATH,
    CANCEL_ORDER_PATH,
    ITEM_BASE_INFO_PATH,
    ITEM_LIST_PATH,
    MAX_WINDOW,
    MODEL_LIST_PATH,
    ORDER_DETAIL_PATH,
    ORDER_LIST_PATH,
    REFRESH_TOKEN_LIFE,
    SHIP_ORDER_PATH,
    SHIPPING_PARAMETER_PATH,
    SHOP_INFO_PATH,
    TOKEN_GET_PATH,
    TOKEN_REFRESH_PATH,
    UPDATE_PRICE_PATH,
    UPDATE_STOCK_PATH,
    sign,
)
from primedist.core.clock import Clock
from primedist.sandbox.base import (
    CONTROL_PREFIX,
    Answer,
    Fault,
    FaultKind,
    MarketplaceSandbox,
    OrderSettings,
    SandboxApiError,
    SandboxCall,
    dumps,
    json_object,
    request_id,
)
from primedist.sandbox.generator import MAX_ORDERS, CatalogueModel, order_sn, sn_index

#: The demo app's credentials (safe to publish: they only open this sandbox).
DEMO_PARTNER_ID = 1_000_777
DEMO_PARTNER_KEY = "shpk-primedist-sandbox-demo-key"
DEMO_SHOP_ID = 600_000

CANCEL_REASONS = ("OUT_OF_STOCK", "CUSTOMER_REQUEST", "UNDELIVERABLE_AREA", "COD_NOT_SUPPORTED")
SHIPPABLE = ("READY_TO_SHIP", "RETRY_SHIP")
CANCELLABLE = ("UNPAID", "READY_TO_SHIP", "RETRY_SHIP")
#: After an arranged shipment with no path of its own: (status, hours after the last step).
DEFAULT_TAIL = (("SHIPPED", 6), ("TO_CONFIRM_RECEIVE", 48), ("COMPLETED", 72))
CODE_LIFE = 600
ITEM_STATUSES = ("NORMAL", "BANNED", "UNLIST", "REVIEWING", "SELLER_DELETE", "SHOPEE_DELETE")
#: Variation names by how many an item has (the catalogue only keeps the option labels).
TIER_NAMES = {1: ("Phân loại",), 2: ("Màu sắc", "Kích cỡ")}
#: The seller's one warehouse (Shopee's `seller_stock[].location_id`).
LOCATION_ID = "VNZ"


@dataclass(frozen=True)
class SandboxConfig(OrderSettings):
    partner_id: int = DEMO_PARTNER_ID
    partner_key: str = field(default=DEMO_PARTNER_KEY, repr=False)
    shop_id: int = DEMO_SHOP_ID
    shop_name: str = "Prime Sandbox Shop"
    access_ttl: int = 4 * 3600
    refresh_ttl: int = int(REFRESH_TOKEN_LIFE.total_seconds())
    max_page_size: int = 100
    timestamp_tolerance: int = 300
    #: API calls allowed per UTC+8 day (None: no limit).
    daily_limit: int | None = None


class ApiError(SandboxApiError):
    """An error answer: Shopee's envelope with `error` and `message`."""

    def __init__(self, error: str, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.error, self.message, self.status = error, message, status

    def payload(self) -> dict[str, Any]:
        return {"error": self.error, "message": self.message, "request_id": request_id()}


Handler = Callable[[dict[str, str], dict[str, Any]], dict[str, Any]]


class ShopeeSandbox(MarketplaceSandbox[SandboxConfig]):
    """The Shopee sandbox: `start()` → base URL, `stop()`; or use it as a context."""

    name = "shopee"
    platform = "Shopee"
    authorize_path = AUTH_PARTNER_PATH
    order_param = "order_sn"
    account_field = "shop_id"
    has_daily_limit = True

    def __init__(self, config: SandboxConfig | None = None, *, clock: Clock | None = None):
        super().__init__(config or SandboxConfig(), clock)
        self._models = {(m.item_id, m.model_id): m for m in self.catalogue}
        self._items = {m.item_id for m in self.catalogue}
        #: Each item's models, items in catalogue order.
        self._item_models: dict[int, list[CatalogueModel]] = {}
        for m in self.catalogue:
            self._item_models.setdefault(m.item_id, []).append(m)
        #: Items the seller hid (status UNLIST); every other item is NORMAL.
        self.unlisted: set[int] = set()
        self._listed_since = self._now()
        #: Stock and price last pushed per (item_id, model_id).
        self.stock: dict[tuple[int, int], int] = {}
        self.prices: dict[tuple[int, int], int] = {
            m_key: m.price for m_key, m in self._models.items()
        }
        self._codes: dict[str, int] = {}
        self._auth_time: int | None = None
        self._day_calls: dict[str, int] = {}
        self._cancel_reasons: dict[int, str] = {}
        #: Orders the shop had before the sandbox (the demo's own): order sn -> status.
        #: Actions on them are checked and carried out like on the generated ones.
        self.adopted: dict[str, str] = {}
        self._routes: dict[tuple[str, str], tuple[bool, Handler]] = {
            ("POST", TOKEN_GET_PATH): (False, self._token_get),
            ("POST", TOKEN_REFRESH_PATH): (False, self._token_refresh),
            ("GET", SHOP_INFO_PATH): (True, self._shop_info),
            ("GET", ORDER_LIST_PATH): (True, self._order_list),
            ("GET", ORDER_DETAIL_PATH): (True, self._order_detail),
            ("GET", SHIPPING_PARAMETER_PATH): (True, self._shipping_parameter),
            ("POST", SHIP_ORDER_PATH): (True, self._ship_order),
            ("POST", CANCEL_ORDER_PATH): (True, self._cancel_order),
            ("POST", UPDATE_STOCK_PATH): (True, self._update_stock),
            ("POST", UPDATE_PRICE_PATH): (True, self._update_price),
            ("GET", ITEM_LIST_PATH): (True, self._item_list),
            ("GET", ITEM_BASE_INFO_PATH): (True, self._item_base_info),
            ("GET", MODEL_LIST_PATH): (True, self._model_list),
        }

    # ------------------------------------------------------------------ test/demo controls

    def authorize(self) -> str:
        """What the seller's consent produces: a fresh single-use code (10 minutes)."""
        code = secrets.token_hex(16)
        with self._lock:
            self._codes[code] = self._now() + CODE_LIFE
        return code

    def linked_tokens(self) -> TokenPair:
        """A live token pair for the shop, as if it had just been authorised."""
        now, cfg = self._now(), self.config
        access, refresh = self._issue_tokens(now)
        return self._token_pair(access, refresh, now + cfg.access_ttl, now + cfg.refresh_ttl,
                                str(cfg.shop_id))  # fmt: skip

    def adopt(self, orders: Mapping[str, str]) -> None:
        """Know these orders (order sn -> Shopee status) besides the generated ones: the
        shop's orders from before the sandbox, so that confirming or cancelling them works
        as on Shopee (their details are not served: they are already in the shop)."""
        with self._lock:
            self.adopted.update(orders)

    def order_sns(self) -> list[str]:
        """Every order that exists now (for test expectations)."""
        return self.order_ids()

    def item_status(self, item_id: int) -> str:
        return "UNLIST" if item_id in self.unlisted else "NORMAL"

    def stock_of(self, item_id: int, model_id: int) -> int:
        """The seller's stock of a model: the last pushed, else a deterministic start."""
        with self._lock:
            pushed = self.stock.get((item_id, model_id))
        return pushed if pushed is not None else 5 + (model_id or item_id) % 40

    def tiers(self, item_id: int) -> list[tuple[str, list[str]]]:
        """(name, option labels) of an item's variations, from its models' comma-joined
        names; labels in first-seen order (a model's `tier_index` points into them)."""
        labels = [m.model_name.split(",") for m in self._item_models[item_id] if m.model_id]
        count = max((len(parts) for parts in labels), default=0)
        names = TIER_NAMES.get(count) or tuple(f"Phân loại {k + 1}" for k in range(count))
        options: list[list[str]] = [[] for _ in range(count)]
        for parts in labels:
            for k, label in enumerate(parts):
                if label not in options[k]:
                    options[k].append(label)
        return list(zip(names, options, strict=True))

    # ------------------------------------------------------------------ request handling

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str],
        body: bytes,
    ) -> dict[str, Any]:  # fmt: skip
        del headers  # Shopee signs the query alone
        route = self._routes.get((method, path))
        if route is None:
            raise ApiError("error_not_found", f"No API {method} {path}.", 404)
        shop_api, handler = route
        self._check_call(path, query, shop_api)
        fields = json_object(body, _bad_body) if method == "POST" else {}
        result = handler(query, fields)
        return {"request_id": request_id(), "error": "", "message": "", **result}

    def _rate_limited(self) -> Answer:
        message = "Too many requests, please try again later."
        return 429, dumps({"error": "error_rate_limit", "request_id": request_id(),
                           "message": message}), {}  # fmt: skip

    def _daily_limited(self) -> Answer:
        return 429, dumps(_daily_limit_error()), {}

    def _corrupt(self, payload: dict[str, Any]) -> None:
        rows = (payload.get("response") or {}).get("order_list")
        if rows and "create_time" in rows[0]:
            del rows[0]["update_time"]
            for item in rows[0].get("item_list", []):
                item["model_quantity_purchased"] = "many"
        else:
            payload.pop("response", None)

    def _check_call(self, path: str, query: dict[str, str], shop_api: bool) -> None:
        """Shopee's common checks: partner, timestamp, signature, token, daily quota."""
        cfg, now = self.config, self._now()
        if query.get("partner_id") != str(cfg.partner_id):
            raise ApiError("error_param", "Wrong partner_id or it is missing.", 400)
        try:
            ts = int(query.get("timestamp", ""))
        except ValueError:
            raise ApiError("error_param", "There is no timestamp in query.", 400) from None
        if abs(now - ts) > cfg.timestamp_tolerance:
            raise ApiError("error_param", "Timestamp is expired.", 400)
        access = query.get("access_token") if shop_api else None
        if shop_api and not access:
            raise ApiError("error_param", "There is no access_token in query.", 400)
        shop = query.get("shop_id") if shop_api else None
        expected = sign(cfg.partner_key, cfg.partner_id, path, ts, access, shop)
        if not secrets.compare_digest(expected, query.get("sign", "")):
            raise ApiError("error_sign", "Wrong sign.", 403)
        if shop_api:
            if shop != str(cfg.shop_id):
                raise ApiError("shop_no_linked", "The shop is not linked to this partner.", 403)
            with self._lock:
                expires = self._access.get(access or "")
            if expires is None or expires <= now:
                raise ApiError("invalid_acceess_token", "Invalid access_token.", 403)
        self._count_daily_call(now)

    def _count_daily_call(self, now: int) -> None:
        if self.config.daily_limit is None:
            return
        day = datetime.fromtimestamp(now + 8 * 3600, UTC).strftime("%Y%m%d")
        with self._lock:
            used = self._day_calls.get(day, 0)
            if used >= self.config.daily_limit:
                raise ApiError("error_limit", _daily_limit_error()["message"], 429)
            self._day_calls[day] = used + 1

    # ------------------------------------------------------------------ auth

    def _authorize_page(self, query: dict[str, str]) -> Answer:
        """The seller's consent page, skipped: redirect with a code at once."""
        self._check_call(AUTH_PARTNER_PATH, query, shop_api=False)
        redirect = query.get("redirect", "")
        if not redirect.startswith(("http://", "https://")):
            raise ApiError("error_param", "The redirect URL is missing or not http(s).", 400)
        code = self.authorize()
        sep = "&" if "?" in redirect else "?"
        location = f"{redirect}{sep}{urlencode({'code': code, 'shop_id': self.config.shop_id})}"
        return 302, b"", {"Location": location}

    def _token_get(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        self._check_body_ids(body)
        now = self._now()
        with self._lock:
            expires = self._codes.pop(str(body.get("code", "")), None)
        if expires is None or expires <= now:
            raise ApiError("invalid_code", "Invalid code.")
        access, refresh = self._issue_tokens(now)
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expire_in": self.config.access_ttl,
        }

    def _token_refresh(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        self._check_body_ids(body)
        now = self._now()
        with self._lock:
            # Single use: whatever happens next, this refresh token is spent.
            expires = self._refresh.pop(str(body.get("refresh_token", "")), None)
        if expires is None:
            raise ApiError("error_auth", "Invalid refresh_token.", 403)
        if expires <= now:
            raise ApiError("refresh_token_expired", "The refresh_token is expired.", 403)
        access, refresh = self._issue_tokens(now)
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expire_in": self.config.access_ttl,
            "partner_id": self.config.partner_id,
            "shop_id": self.config.shop_id,
        }

    def _check_body_ids(self, body: dict[str, Any]) -> None:
        if body.get("partner_id") != self.config.partner_id:
            raise ApiError("error_param", "partner_id in the body is wrong or not a number.", 400)
        if body.get("shop_id") != self.config.shop_id:
            raise ApiError("error_param", "shop_id in the body is wrong or not a number.", 400)

    def _issue_tokens(self, now: int) -> tuple[str, str]:
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        with self._lock:
            self._access[access] = now + self.config.access_ttl
            self._refresh[refresh] = now + self.config.refresh_ttl
            if self._auth_time is None:
                self._auth_time = now
        return access, refresh

    def _shop_info(self, _query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        auth = self._auth_time or self._now()
        return {"shop_name": self.config.shop_name, "region": "VN", "status": "NORMAL",
                "is_cb": False, "is_sip": False, "auth_time": auth,
                "expire_time": auth + 365 * 86_400}  # fmt: skip

    # ------------------------------------------------------------------ orders

    def _order_list(self, query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        field_name = query.get("time_range_field")
        if field_name not in ("create_time", "update_time"):
            raise ApiError("error_param", "time_range_field must be create_time or update_time.")
        time_from, time_to = _int_param(query, "time_from"), _int_param(query, "time_to")
        if time_from >= time_to or time_to - time_from > MAX_WINDOW.total_seconds():
            raise ApiError(
                "order.order_list_invalid_time",
                "Start time must be earlier than end time and diff in 15days.",
            )
        size = _int_param(query, "page_size")
        if not 1 <= size <= self.config.max_page_size:
            raise ApiError("error_param", f"page_size must be 1-{self.config.max_page_size}.")
        cursor = query.get("cursor", "")
        try:
            after = int(cursor) if cursor else -1
        except ValueError:
            raise ApiError("error_param", "Invalid cursor.") from None
        now = self._now()
        if field_name == "update_time":
            found, more = self.timeline.changed(time_from, time_to, now, after, size)
            keys = [k for k, _ in found]
            listed = [(k & MAX_ORDERS, status) for k, status in found]
        else:
            keys, more = self._created_between(time_from, min(time_to, now), after, size)
            listed = [(i, (self.timeline.state(i, now) or ("UNPAID", 0))[0]) for i in keys]
        with_status = "order_status" in query.get("response_optional_fields", "")
        rows: list[dict[str, Any]] = [
            {"order_sn": self.external_id(i), "order_status": status} if with_status
            else {"order_sn": self.external_id(i)}
            for i, status in listed
        ]  # fmt: skip
        next_cursor = str(keys[-1]) if more and keys else ""
        return {"response": {"order_list": rows, "more": more, "next_cursor": next_cursor}}

    def _created_between(
        self, time_from: int, time_to: int, after: int, size: int
    ) -> tuple[list[int], bool]:
        created = self.timeline.created
        lo = int(np.searchsorted(created, time_from, side="left"))
        hi = int(np.searchsorted(created, time_to, side="right"))
        lo = max(lo, after + 1)
        indexes = list(range(lo, min(hi, lo + size)))
        return indexes, lo + size < hi

    def _order_detail(self, query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        sns = [s for s in query.get("order_sn_list", "").split(",") if s]
        if not 1 <= len(sns) <= 50:
            raise ApiError("error_param", "order_sn_list must hold 1-50 order numbers.")
        fields = frozenset(query.get("response_optional_fields", "").split(","))
        now = self._now()
        rows = []
        for sn in sns:
            live = self._live(sn, now)
            if live is None:
                continue
            i, state = live
            row = self.factory.detail(
                i, sn, self.timeline.created_list[i], state[0], state[1], fields
            )
            reason = self._cancel_reasons.get(i)
            if reason is not None and state[0] == "CANCELLED":
                row["cancel_reason"], row["cancel_by"] = reason, "seller"
            rows.append(row)
        return {"response": {"order_list": rows}}

    def _shipping_parameter(self, query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        i, status = self._order_in(query.get("order_sn", ""), SHIPPABLE)
        del i, status
        slot = {
            "date": self._now() + 86_400,
            "time_text": "08:00-12:00",
            "pickup_time_id": "slot-1",
        }
        return {"response": {
            "info_needed": {"dropoff": [], "pickup": ["address_id", "pickup_time_id"]},
            "dropoff": {"branch_list": []},
            "pickup": {"address_list": [{"address_id": 1, "region": "VN", "state": "Hà Nội",
                                         "address": "Kho Prime, Số 1 Kim Mã",
                                         "address_flag": ["default_address", "pickup_address"],
                                         "time_slot_list": [slot]}]},
        }}  # fmt: skip

    def _ship_order(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        sn = str(body.get("order_sn", ""))
        pickup, dropoff = body.get("pickup"), body.get("dropoff")
        if pickup is None and dropoff is None:
            raise ApiError("error_param", "Give pickup or dropoff.")
        if pickup is not None and not (pickup.get("address_id") and pickup.get("pickup_time_id")):
            raise ApiError("error_param", "pickup needs address_id and pickup_time_id.")
        with self._lock:  # check-and-act as one step: two racing calls cannot both ship
            i, _status = self._order_in(sn, SHIPPABLE)
            now = self._now()
            if i < 0:
                self.adopted[sn] = "PROCESSED"
            else:
                self.timeline.replace_future(
                    i, now, [(now, "PROCESSED"), *self._tail_after_processed(i, now)]
                )
            self._calls.append(SandboxCall(SHIP_ORDER_PATH, body, self.clock.now()))
        return {"response": {}}

    def _tail_after_processed(self, i: int, now: int) -> list[tuple[int, str]]:
        events = self.timeline.events(i)
        steps = [s for _, s in events]
        if "PROCESSED" in steps:
            k = steps.index("PROCESSED")
            base = events[k][0]
            return [(now + max(1, t - base), s) for t, s in events[k + 1 :]]
        out, t = [], now
        for status, hours in DEFAULT_TAIL:
            t += hours * 3600
            out.append((t, status))
        return out

    def _cancel_order(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        sn, reason = str(body.get("order_sn", "")), body.get("cancel_reason")
        if reason not in CANCEL_REASONS:
            raise ApiError(
                "error_param", f"cancel_reason must be one of {', '.join(CANCEL_REASONS)}."
            )
        if reason == "OUT_OF_STOCK" and not body.get("item_list"):
            raise ApiError("error_param", "item_list is required when the reason is OUT_OF_STOCK.")
        with self._lock:
            i, _status = self._order_in(sn, CANCELLABLE)
            now = self._now()
            if i < 0:
                self.adopted[sn] = "CANCELLED"
            else:
                self.timeline.replace_future(i, now, [(now, "CANCELLED")])
                self._cancel_reasons[i] = str(reason)
            self._calls.append(SandboxCall(CANCEL_ORDER_PATH, body, self.clock.now()))
        return {"response": {"update_time": now}}

    def _order_in(self, sn: str, allowed: tuple[str, ...]) -> tuple[int, str]:
        """(index, status) of an order the action may go to; index -1 for an adopted one."""
        if sn in self.adopted:
            live: tuple[int, tuple[str, int]] | None = (-1, (self.adopted[sn], 0))
        else:
            live = self._live(sn)
        if live is None:
            raise ApiError("error_not_found", f"Order {sn} does not exist.")
        i, state = live
        if state[0] not in allowed:
            raise ApiError(
                "error_order_status",
                f"Order {sn} is {state[0]}: this action needs {' or '.join(allowed)}.",
            )
        return i, state[0]

    # ------------------------------------------------------------------ products

    def _update_stock(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        def apply(
            item: int, model: int, entry: dict[str, Any]
        ) -> tuple[str | None, dict[str, Any]]:
            stocks = entry.get("seller_stock") or []
            stock = stocks[0].get("stock") if stocks else None
            if not isinstance(stock, int) or stock < 0:
                return "stock must be a whole number >= 0", {}
            self.stock[(item, model)] = stock
            return None, {"model_id": model, "seller_stock": [{"stock": stock}]}

        return self._update_models(UPDATE_STOCK_PATH, body, "stock_list", apply)

    def _update_price(self, _query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        def apply(
            item: int, model: int, entry: dict[str, Any]
        ) -> tuple[str | None, dict[str, Any]]:
            price = entry.get("original_price")
            if isinstance(price, float) and price.is_integer():
                price = int(price)
            if not isinstance(price, int) or price <= 0:
                return "VN prices must be whole numbers > 0", {}
            self.prices[(item, model)] = price
            return None, {"model_id": model, "original_price": price}

        return self._update_models(UPDATE_PRICE_PATH, body, "price_list", apply)

    def _update_models(
        self, path: str, body: dict[str, Any], list_key: str,
        apply: Callable[[int, int, dict[str, Any]], tuple[str | None, dict[str, Any]]],
    ) -> dict[str, Any]:  # fmt: skip
        item = body.get("item_id")
        entries = body.get(list_key)
        if not isinstance(entries, list) or not 1 <= len(entries) <= 50:
            raise ApiError("error_param", f"{list_key} must hold 1-50 models.")
        if item not in self._items:
            raise ApiError("product.error_item_not_found", f"Item {item} does not exist.")
        success, failure = [], []
        with self._lock:
            for entry in entries:
                model = entry.get("model_id", 0)
                if (item, model) not in self._models:
                    failure.append({"model_id": model, "failed_reason": "model not found"})
                    continue
                error, ok = apply(item, model, entry)
                if error:
                    failure.append({"model_id": model, "failed_reason": error})
                else:
                    success.append(ok)
            self._calls.append(SandboxCall(path, body, self.clock.now()))
        return {"response": {"success_list": success, "failure_list": failure}}

    def _item_list(self, query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        size, offset = _int_param(query, "page_size"), _int_param(query, "offset")
        if not 1 <= size <= self.config.max_page_size:
            raise ApiError("error_param", f"page_size must be 1-{self.config.max_page_size}.")
        if offset < 0:
            raise ApiError("error_param", "offset must be 0 or more.")
        wanted = [s for s in query.get("item_status", "").split(",") if s]
        if not wanted:
            raise ApiError("error_param", "item_status is required.")
        if any(s not in ITEM_STATUSES for s in wanted):
            raise ApiError("error_param", f"item_status must be one of {', '.join(ITEM_STATUSES)}.")
        rows = [{"item_id": item, "item_status": self.item_status(item),
                 "update_time": self._listed_since}
                for item in self._item_models if self.item_status(item) in wanted]  # fmt: skip
        page = rows[offset : offset + size]
        return {"response": {"item": page, "total_count": len(rows),
                             "has_next_page": offset + size < len(rows),
                             "next_offset": offset + len(page)}}  # fmt: skip

    def _item_base_info(self, query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        given = [s for s in query.get("item_id_list", "").split(",") if s.strip()]
        if not 1 <= len(given) <= 50:
            raise ApiError("error_param", "item_id_list must hold 1-50 item ids.")
        try:
            ids = [int(s) for s in given]
        except ValueError:
            raise ApiError("error_param", "item_id_list must hold item ids (numbers).") from None
        return {"response": {"item_list": [self._base_row(i) for i in ids
                                           if i in self._item_models]}}  # fmt: skip

    def _base_row(self, item: int) -> dict[str, Any]:
        first = self._item_models[item][0]
        has_model = first.model_id != 0
        row: dict[str, Any] = {
            "item_id": item, "category_id": 100_000, "item_name": first.item_name,
            "item_sku": first.item_sku, "item_status": self.item_status(item),
            "create_time": self._listed_since, "update_time": self._listed_since,
            "has_model": has_model,
        }  # fmt: skip
        if not has_model:  # Shopee gives price and stock here only for an item without models
            row["price_info"] = [self._price_info(item, 0)]
            row["stock_info_v2"] = self._stock_info(item, 0)
        return row

    def _model_list(self, query: dict[str, str], _body: dict[str, Any]) -> dict[str, Any]:
        item = _int_param(query, "item_id")
        if item not in self._item_models:
            raise ApiError("product.error_item_not_found", f"Item {item} does not exist.")
        tiers = self.tiers(item)
        models = [
            {"model_id": m.model_id, "model_sku": m.model_sku, "model_status": "MODEL_NORMAL",
             "tier_index": [tiers[k][1].index(label)
                            for k, label in enumerate(m.model_name.split(","))],
             "price_info": [self._price_info(item, m.model_id)],
             "stock_info_v2": self._stock_info(item, m.model_id)}
            for m in self._item_models[item] if m.model_id
        ]  # fmt: skip
        variations = [{"name": name, "option_list": [{"option": o} for o in options]}
                      for name, options in tiers]  # fmt: skip
        return {"response": {"tier_variation": variations, "model": models}}

    def _price_info(self, item: int, model: int) -> dict[str, Any]:
        with self._lock:
            price = self.prices[(item, model)]
        return {"currency": "VND", "current_price": price, "original_price": price}

    def _stock_info(self, item: int, model: int) -> dict[str, Any]:
        stock = self.stock_of(item, model)
        return {"summary_info": {"total_reserved_stock": 0, "total_available_stock": stock},
                "seller_stock": [{"location_id": LOCATION_ID, "stock": stock}]}  # fmt: skip

    # ------------------------------------------------------------------ helpers

    def external_id(self, index: int) -> str:
        return order_sn(index, self.timeline.created_list[index])

    def _decode(self, oid: str) -> int | None:
        return sn_index(oid)


def _bad_body(message: str) -> ApiError:
    return ApiError("error_param", message, 400)


def _int_param(query: dict[str, str], name: str) -> int:
    try:
        return int(query[name])
    except (KeyError, ValueError):
        raise ApiError("error_param", f"{name} is missing or not a number.") from None


def _daily_limit_error() -> dict[str, Any]:
    return {"error": "error_limit", "request_id": request_id(),
            "message": "You have reached the daily API call limit, please try again after"
                       " 00:00 (UTC+08:00)."}  # fmt: skip


__all__ = [
    "CONTROL_PREFIX",
    "DEMO_PARTNER_ID",
    "DEMO_PARTNER_KEY",
    "DEMO_SHOP_ID",
    "Fault",
    "FaultKind",
    "SandboxCall",
    "SandboxConfig",
    "ShopeeSandbox",
]
