"""Catching a marketplace's authorisation redirect on this computer, or reading it pasted.

After the seller approves the app in the browser, the marketplace sends the browser to our
redirect URL with `?code=...` appended (Shopee adds `&shop_id=...`; Lazada, TikTok Shop and
Tiki name the shop only in the token response; TikTok may say `auth_code=`). A desktop
app has no public address, so the redirect URL points at `RedirectListener`: a one-shot
HTTP server on 127.0.0.1 (a free port) that says the authorisation was received (whether
the shop is linked is only known once the app has traded the code) and hands the code
over; its page is worded in the app's language by the `words` the caller gives. The path
carries a random nonce, so nothing else on the machine can feed it a code by guessing the
URL. When the browser runs on another computer, the user pastes the
address the browser ended on instead: `parse_redirect_url` reads it and says clearly what
is wrong with it.

Headless (stdlib only): used by the Settings wizard, the CLI and tests alike.
"""

from __future__ import annotations

import html
import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from primedist.core.messages import msg
from primedist.errors import Cancelled, PrimedistError, ValidationError

LOOPBACK = "127.0.0.1"
#: Shopee's authorisation code lives 10 minutes; waiting longer is pointless.
DEFAULT_TIMEOUT_S = 600.0
_MAX_ID = 2**63 - 1
_MAX_CODE = 256
#: URL-safe ("unreserved") characters: what codes are made of (Lazada's have `_`).
_CODE_CHARS = frozenset(string.ascii_letters + string.digits + "-._~")


class RedirectTimeout(PrimedistError):
    """No redirect arrived in time (the browser tab was closed, or approval not given)."""


class AuthRefused(ValidationError):
    """The marketplace redirected with an error instead of a code (the seller declined)."""


@dataclass(frozen=True)
class AuthRedirect:
    """What the marketplace put on the redirect: the one-time code and the shop it is for
    (None when the platform names the shop only in the token response)."""

    code: str
    shop_id: int | None


def parse_redirect_url(text: str, *, shop_id_required: bool = True) -> AuthRedirect:
    """Read `code` and `shop_id` from a redirected address (pasted or received).

    `shop_id_required`: the platform's redirect names the shop (Shopee). Raises
    ValidationError naming what is missing or wrong, never echoing the code.
    """
    url = (text or "").strip()
    if not url:
        raise ValidationError(msg("Paste the address the browser showed after you approved."))
    query = urlsplit(url).query if "?" in url or "://" in url else url.lstrip("?")
    params = parse_qs(query, keep_blank_values=True)
    return redirect_from_params(params, shop_id_required=shop_id_required)


def redirect_from_params(
    params: dict[str, list[str]], *, shop_id_required: bool = True
) -> AuthRedirect:
    """The code and shop id of a parsed query string (shared by paste and listener)."""
    error = _single(params, "error")
    if error:
        detail = _single(params, "message") or _single(params, "error_description") or error
        raise AuthRefused(
            msg("The marketplace refused the authorisation: {detail}", detail=detail[:200])
        )
    code = _single(params, "code") or _single(params, "auth_code")
    if not code:
        raise ValidationError(
            msg(
                "The address has no authorisation code (code=…). Copy the whole address "
                "from the browser's address bar after approving the shop."
            ),
            field="code",
        )
    if len(code) > _MAX_CODE or not all(c in _CODE_CHARS for c in code):
        raise ValidationError(
            msg("The authorisation code in the address is malformed."), field="code"
        )
    shop_text = _single(params, "shop_id")
    if not shop_text and not shop_id_required:
        return AuthRedirect(code=code, shop_id=None)
    if not shop_text:
        if _single(params, "main_account_id"):
            raise ValidationError(
                msg(
                    "This authorisation came from a main (merchant) account; sign in with "
                    "the shop's own account and authorise the shop itself."
                ),
                field="shop_id",
            )
        raise ValidationError(
            msg("The address has no shop id (shop_id=…). Copy the whole address."),
            field="shop_id",
        )
    return AuthRedirect(code=code, shop_id=parse_shop_id(shop_text))


def parse_shop_id(text: str) -> int:
    """A marketplace shop id: a positive whole number."""
    value = text.strip()
    if not value.isdigit() or not 0 < int(value) <= _MAX_ID:
        raise ValidationError(
            msg(
                "The shop id {shop_id} is not a positive whole number.",
                shop_id=repr(value[:40]),
            ),
            field="shop_id",
        )
    return int(value)


def _single(params: dict[str, list[str]], key: str) -> str:
    values = [v.strip() for v in params.get(key, []) if v.strip()]
    if len(set(values)) > 1:
        raise ValidationError(
            msg("The address has {parameter}= more than once.", parameter=key), field=key
        )
    return values[0] if values else ""


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:4em auto;max-width:36em;color:#222}}</style></head>
<body><h2>{title}</h2><p>{text}</p></body></html>"""


class RedirectListener:
    """A one-shot loopback HTTP server waiting for the authorisation redirect.

    `start()` binds 127.0.0.1 on a free port; `url` is the redirect URL to put in the
    authorisation link; `wait(timeout)` returns the AuthRedirect, or raises RedirectTimeout,
    Cancelled (after `cancel()` from another thread) or the ValidationError of a refused
    or malformed redirect. Use it as a context manager so the port is always released.

    `words` puts the browser page's messages in the app's language (the UI gives its
    `localize`; plain English by default, as the CLI prints). It is called on the
    listener's thread.
    """

    def __init__(
        self,
        *,
        host: str = LOOPBACK,
        port: int = 0,
        path_prefix: str = "/auth",
        shop_id_required: bool = True,
        words: Callable[[str], str] = str,
    ) -> None:
        self._host = host
        self._words = words
        self._shop_id_required = shop_id_required
        self._port = port
        self.path = f"{path_prefix}/{secrets.token_urlsafe(12)}"
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._result: AuthRedirect | None = None
        self._error: PrimedistError | None = None

    # -------------------------------------------------------------- lifecycle

    def start(self) -> RedirectListener:
        if self._server is not None:
            return self
        self._server = ThreadingHTTPServer((self._host, self._port), self._handler_class())
        self._server.daemon_threads = True
        self._port = int(self._server.server_address[1])
        # A short poll interval: close() (on the UI thread, when a dialog ends) waits for it.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="oauth-redirect",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and free the port (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> RedirectListener:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def port(self) -> int:
        """The bound port (kept after close, for messages and tests)."""
        if not self._port:
            raise RuntimeError("the listener is not started")
        return self._port

    @property
    def url(self) -> str:
        """The redirect URL to give the marketplace (answered while the listener runs)."""
        return f"http://{self._host}:{self.port}{self.path}"

    # -------------------------------------------------------------- waiting

    def wait(self, timeout: float = DEFAULT_TIMEOUT_S) -> AuthRedirect:
        if not self._done.wait(timeout):
            raise RedirectTimeout(
                msg(
                    "No answer from the browser in time. Open the authorisation link again, "
                    "or paste the address the browser ended on."
                )
            )
        with self._lock:
            if self._error is not None:
                raise self._error
            assert self._result is not None
            return self._result

    def cancel(self) -> None:
        """Make a pending `wait` raise Cancelled (a redirect already received wins)."""
        self._finish(error=Cancelled("Authorisation cancelled"))

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def _finish(
        self, *, result: AuthRedirect | None = None, error: PrimedistError | None = None
    ) -> bool:
        with self._lock:
            if self._done.is_set():
                return False
            self._result, self._error = result, error
            self._done.set()
            return True

    # -------------------------------------------------------------- HTTP

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        listener = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "primedist"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                listener._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                """Silent: the query string carries a one-time code."""

        return Handler

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        if parts.path != self.path:
            self._reply(request, 404, msg("Not found"), msg("This address is not in use."))
            return
        try:
            params = parse_qs(parts.query, keep_blank_values=True)
            redirect = redirect_from_params(params, shop_id_required=self._shop_id_required)
        except ValidationError as exc:
            # A refusal is final; a malformed hit (no code) may be a stray reload: keep waiting.
            if isinstance(exc, AuthRefused):
                self._finish(error=exc)
            self._reply(request, 400, msg("Authorisation not completed"), exc.user_message)
            return
        if self._finish(result=redirect) or self._result == redirect:
            # Answered before the app trades the code: the marketplace may still refuse it.
            self._reply(
                request,
                200,
                msg("Authorisation received"),
                msg(
                    "Prime Distribution received the authorisation. Return to the app to see "
                    "whether the shop is linked; you can close this tab."
                ),
            )
        else:
            self._reply(
                request,
                409,
                msg("Already finished"),
                msg("This authorisation request has already ended."),
            )

    def _reply(self, request: BaseHTTPRequestHandler, status: int, title: str, text: str) -> None:
        title, text = self._words(title), self._words(text)
        body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.send_header("Cache-Control", "no-store")
        request.end_headers()
        request.wfile.write(body)
