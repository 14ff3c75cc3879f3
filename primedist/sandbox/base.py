"""What the four marketplace sandboxes (Shopee, Lazada, TikTok Shop, Tiki) share.

`MarketplaceSandbox` is the plumbing: the generator's orders over a period (moving with
the sandbox's clock), a threaded HTTP server on 127.0.0.1, the request pipeline (count
the call, inject a fault, answer the consent page, dispatch, wrap an error in the
platform's envelope), the fault controls (rate limit, HTTP 500, timeouts, slow answers,
an expired token, a dropped connection, a broken answer; the daily limit where the
platform has one), the record of state-changing calls and the `/_sandbox/` controls for
a sandbox run as a separate process. Each platform's subclass adds its signing checks,
paths, token rules and payload shapes.
"""

from __future__ import annotations

import json
import secrets
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Generic, Self, TypeVar
from urllib.parse import parse_qs, urlsplit

from primedist.connectors.base import TokenPair
from primedist.core.clock import Clock, SystemClock
from primedist.sandbox.generator import (
    MAX_ORDERS,
    CatalogueModel,
    OrderFactory,
    Timeline,
    default_catalogue,
)

CONTROL_PREFIX = "/_sandbox/"
#: (HTTP status, body, headers); a negative status hangs up without an answer.
Answer = tuple[int, bytes, dict[str, str]]
#: Every optional detail field of the generator's orders.
ALL_FIELDS = frozenset({
    "item_list", "total_amount", "estimated_shipping_fee", "buyer_user_id", "buyer_username",
    "recipient_address", "payment_method", "pay_time", "shipping_carrier", "cancel_reason",
})  # fmt: skip


class FaultKind(StrEnum):
    RATE_LIMIT = "rate_limit"
    HTTP_500 = "http_500"
    #: The call is carried out, then the answer is held back `timeout_delay` seconds.
    TIMEOUT = "timeout"
    #: The answer comes after `slow_delay` seconds (under a normal client timeout).
    SLOW = "slow"
    #: Every access token of the shop expires just before the call.
    EXPIRED_TOKEN = "expired_token"
    DAILY_LIMIT = "daily_limit"
    #: The connection is closed without an answer.
    DROP = "drop"
    #: A broken answer: the first order of a detail answer gets bad fields; any other
    #: answer loses its payload object.
    CORRUPT = "corrupt"


@dataclass
class Fault:
    kind: FaultKind
    #: How many more matching requests it hits.
    remaining: int = 1
    #: Only requests to this API path (None: every API call except the consent page).
    path: str | None = None
    delay: float | None = None


@dataclass(frozen=True)
class SandboxCall:
    """A state-changing call the sandbox carried out (for exactly-once checks)."""

    path: str
    body: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class OrderSettings:
    """The part of every sandbox's configuration that shapes its orders and faults."""

    orders: int = 1000
    seed: int = 7
    #: Orders are created over the `history_days` before the sandbox starts ...
    history_days: float = 30.0
    #: ... and the `future_days` after it (they "arrive" as the clock passes them).
    future_days: float = 0.0
    #: Or exactly this period (aware datetimes; overrides the two above): a fixed
    #: period gives the same orders on every start.
    period: tuple[datetime, datetime] | None = None
    #: Share of orders whose buyer name/phone/address are masked.
    masked_share: float = 0.25
    #: Distinct buyers (repeat customers); None = a third of the orders.
    buyers: int | None = None
    catalogue: tuple[CatalogueModel, ...] | None = None
    #: Seconds a TIMEOUT fault holds the answer / a SLOW fault waits.
    timeout_delay: float = 3.0
    slow_delay: float = 0.3


class SandboxApiError(Exception):
    """An error answer; each platform's subclass gives its envelope."""

    status: int = 200

    def payload(self) -> dict[str, Any]:
        raise NotImplementedError


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 passing each request to `handle`: `start()` →
    base URL, `stop()`; or use it as a context."""

    #: Names the server thread ("shopee-sandbox").
    name: ClassVar[str]

    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def handle(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        """One HTTP request (lower-cased header names) → its answer. Runs on a server thread."""
        raise NotImplementedError

    # ------------------------------------------------------------------ lifecycle

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; returns the base URL (`http://127.0.0.1:PORT`)."""
        if self._server is not None:
            return self.url
        version = f"{type(self).__name__}/1"
        server = ThreadingHTTPServer((host, port), make_handler(self.handle, version))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name=f"{self.name}-sandbox",
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

    def __enter__(self) -> Self:
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


C = TypeVar("C", bound=OrderSettings)


class MarketplaceSandbox(LocalServer, Generic[C]):
    """The sandbox marketplace: `start()` → base URL, `stop()`; or use it as a context."""

    #: The platform's name in messages ("TikTok Shop").
    platform: ClassVar[str]
    #: The consent page (GET, answered with a redirect; faults skip it).
    authorize_path: ClassVar[str]
    #: The `/_sandbox/order` query parameter naming the order.
    order_param: ClassVar[str]
    #: The configuration's account id ("shop_id", "seller_id"), named by the controls.
    account_field: ClassVar[str]
    #: The generator's (Shopee-named) statuses as the platform shows them (none: as is).
    status_names: ClassVar[Mapping[str, str]] = {}
    has_daily_limit: ClassVar[bool] = False
    server_error_page: ClassVar[bytes] = b"<html><body>Internal Server Error</body></html>"

    def __init__(self, config: C, clock: Clock | None = None) -> None:
        self.config = config
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
        #: access token -> expiry; refresh token -> expiry (or issue time where none).
        self._access: dict[str, int] = {}
        self._refresh: dict[str, int] = {}
        self._faults: list[Fault] = []
        self._calls: list[SandboxCall] = []
        self._requests: Counter[str] = Counter()

    # ------------------------------------------------------------------ test/demo controls

    def authorize(self) -> str:
        """What the seller's consent produces: a fresh single-use code."""
        raise NotImplementedError

    def linked_tokens(self) -> TokenPair:
        """A live token pair for the shop, as if it had just been authorised."""
        raise NotImplementedError

    def inject(
        self, kind: FaultKind | str, *, count: int = 1, path: str | None = None,
        delay: float | None = None,
    ) -> Fault:  # fmt: skip
        """Make the next `count` API calls (to `path`, or any) fail with `kind`."""
        fault = Fault(FaultKind(kind), count, path, delay)
        if fault.kind == FaultKind.DAILY_LIMIT and not self.has_daily_limit:
            raise ValueError(f"{self.platform} has no daily call limit to inject")
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

    def live_refresh_tokens(self) -> int:
        with self._lock:
            return len(self._refresh)

    def calls(self, path: str | None = None) -> list[SandboxCall]:
        with self._lock:
            return [c for c in self._calls if path is None or c.path == path]

    def request_count(self, path: str | None = None) -> int:
        with self._lock:
            return sum(self._requests.values()) if path is None else self._requests[path]

    def order_ids(self) -> list[str]:
        """Every order that exists now (for test expectations)."""
        return [self.external_id(i) for i in range(self.timeline.existing(self._now()))]

    def order_state(self, oid: str) -> tuple[str, int] | None:
        """(platform status, update time) of an order now; None if there is no such order."""
        live = self._live(oid)
        if live is None:
            return None
        status, updated = live[1]
        return self.status_names.get(status, status), updated

    def changed_between(self, time_from: int, time_to: int) -> list[str]:
        """Order ids a complete update-time list of [from, to] must return now."""
        found, _ = self.timeline.changed(time_from, time_to, self._now(), -1, MAX_ORDERS)
        return [self.external_id(k & MAX_ORDERS) for k, _ in found]

    # ------------------------------------------------------------------ request handling

    def handle(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        """One HTTP request (lower-cased header names) → its answer. Runs on a server thread."""
        parts = urlsplit(raw_path)
        # A repeated parameter (Shopee's `item_status=NORMAL&item_status=UNLIST`) arrives
        # as its values joined with ","; a single one as it is.
        query = {k: ",".join(v) for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        path = self._api_path(parts.path)
        if path.startswith(CONTROL_PREFIX):
            return self._control(method, path[len(CONTROL_PREFIX) :], query, body)
        with self._lock:
            self._requests[path] += 1
        query = self._parameters(method, query, headers, body)
        fault = self._take_fault(path)
        if fault is not None:
            early = self._fault_answer(fault)
            if early is not None:
                return early
        try:
            if path == self.authorize_path and method == "GET":
                return self._authorize_page(query)
            status, payload = 200, self._dispatch(method, path, query, headers, body)
            if fault is not None and fault.kind == FaultKind.CORRUPT:
                self._corrupt(payload)
        except SandboxApiError as exc:
            status, payload = exc.status, exc.payload()
        data = dumps(payload)
        if fault is not None and fault.kind == FaultKind.TIMEOUT:
            time.sleep(fault.delay if fault.delay is not None else self.config.timeout_delay)
        return status, data, {"Content-Type": "application/json"}

    def _api_path(self, path: str) -> str:
        """The API path a request's URL path names."""
        return path

    def _parameters(self, method: str, query: dict[str, str], headers: Mapping[str, str],
                    body: bytes) -> dict[str, str]:  # fmt: skip
        """The call's parameters (the query string's; a platform may add the form's)."""
        del method, headers, body
        return query

    def _authorize_page(self, query: dict[str, str]) -> Answer:
        """The seller's consent page, skipped: redirect with a code at once."""
        raise NotImplementedError

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str],
        body: bytes,
    ) -> dict[str, Any]:  # fmt: skip
        """A checked API call's answer (raises the platform's error)."""
        raise NotImplementedError

    def _corrupt(self, payload: dict[str, Any]) -> None:
        """Break an answer as a CORRUPT fault does."""
        raise NotImplementedError

    def _fault_hits(self, fault: Fault, path: str) -> bool:
        return (fault.path is None and path != self.authorize_path) or fault.path == path

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and self._fault_hits(fault, path):
                    fault.remaining -= 1
                    return fault
        return None

    def _fault_answer(self, fault: Fault) -> Answer | None:
        """The answer a fault gives instead of the call's (None: the call goes on)."""
        kind = fault.kind
        if kind == FaultKind.RATE_LIMIT:
            return self._rate_limited()
        if kind == FaultKind.DAILY_LIMIT:
            return self._daily_limited()
        if kind == FaultKind.HTTP_500:
            return 500, self.server_error_page, {"Content-Type": "text/html"}
        if kind == FaultKind.DROP:
            return -1, b"", {}
        if kind == FaultKind.SLOW:
            time.sleep(fault.delay if fault.delay is not None else self.config.slow_delay)
        if kind == FaultKind.EXPIRED_TOKEN:
            self.expire_access_tokens()
        return None

    def _rate_limited(self) -> Answer:
        raise NotImplementedError

    def _daily_limited(self) -> Answer:
        raise NotImplementedError(f"{self.platform} has no daily call limit")

    # ------------------------------------------------------------------ control API

    def _control_account(self) -> dict[str, Any]:
        """The account the `/_sandbox/authorize` control names beside the code."""
        return {self.account_field: getattr(self.config, self.account_field)}

    def _control(self, method: str, name: str, query: dict[str, str], body: bytes) -> Answer:
        """Tiny HTTP controls for a sandbox run as a separate process (tests, demos)."""
        try:
            if name == "fault" and method == "POST":
                spec = json.loads(body or b"{}")
                self.inject(spec["kind"], count=int(spec.get("count", 1)), path=spec.get("path"),
                            delay=spec.get("delay"))  # fmt: skip
                result: Any = {"ok": True}
            elif name == "authorize" and method == "POST":
                result = {"code": self.authorize(), **self._control_account()}
            elif name == "calls" and method == "GET":
                result = [{"path": c.path, "body": c.body, "at": c.at.isoformat()}
                          for c in self.calls(query.get("path"))]  # fmt: skip
            elif name == "order" and method == "GET":
                state = self.order_state(query.get(self.order_param, ""))
                result = {"status": state[0], "update_time": state[1]} if state else None
            else:
                return 404, dumps({"error": f"no control {method} {name}"}), {}
        except (KeyError, ValueError) as exc:
            return 400, dumps({"error": str(exc)}), {}
        return 200, dumps(result), {"Content-Type": "application/json"}

    # ------------------------------------------------------------------ orders and helpers

    def external_id(self, index: int) -> str:
        """The platform's id of the generator's order `index`."""
        raise NotImplementedError

    def _decode(self, oid: str) -> int | None:
        """The order index an id made by `external_id` encodes (None: not one)."""
        raise NotImplementedError

    def _index(self, oid: str) -> int | None:
        i = self._decode(oid)
        if i is None or i >= self.timeline.n or self.external_id(i) != oid:
            return None
        return i

    def _live(self, oid: str, now: int | None = None) -> tuple[int, tuple[str, int]] | None:
        """(index, (status, update time)) of an order that exists at `now` (default: now)."""
        i = self._index(oid)
        state = None if i is None else self.timeline.state(i, self._now() if now is None else now)
        return None if i is None or state is None else (i, state)

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    def _token_pair(self, access: str, refresh: str, access_at: int, refresh_at: int | None,
                    account: str) -> TokenPair:  # fmt: skip
        """A live token pair as the connector stores it."""
        return TokenPair(access_token=access, refresh_token=refresh,
                         access_expires_at=datetime.fromtimestamp(access_at, UTC),
                         refresh_expires_at=None if refresh_at is None
                         else datetime.fromtimestamp(refresh_at, UTC),
                         shop_external_id=account)  # fmt: skip


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
            head = [f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}",
                    f"Content-Length: {len(data)}"]  # fmt: skip
            head += [f"{k}: {v}" for k, v in extra.items()]
            try:
                self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (timeout fault)

        def log_message(self, format: str, *args: Any) -> None:
            del format, args  # quiet: the benchmark makes thousands of calls

    return _Handler


REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
           500: "Internal Server Error"}  # fmt: skip


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def request_id() -> str:
    return secrets.token_hex(8)


def json_object(body: bytes, refuse: Callable[[str], SandboxApiError]) -> dict[str, Any]:
    """A POST body that must be a JSON object; else the platform's error saying why."""
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        raise refuse("The body is not JSON.") from None
    if not isinstance(value, dict):
        raise refuse("The body must be a JSON object.")
    return value


def given_or(given: Any, shopee_default: Any, own_default: Any) -> Any:
    """A `--partner-id/--partner-key/--shop-id` value for another platform: left at the
    Shopee default, the platform's own demo value."""
    return own_default if given == shopee_default else given


def serve_until_stopped(sandbox: MarketplaceSandbox[Any], host: str, port: int,
                        info: dict[str, Any]) -> int:  # fmt: skip
    """Serve until Ctrl-C or SIGTERM; first one JSON line (`info` and the URL) on stdout,
    so a parent process can read the URL and credentials."""
    url = sandbox.start(host, port)
    sys.stdout.write(json.dumps({"url": url, **info}) + "\n")
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
