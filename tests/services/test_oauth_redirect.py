"""The authorisation redirect: caught on a real loopback HTTP listener, or pasted."""

from __future__ import annotations

import threading

import httpx
import pytest

from primedist.errors import Cancelled, ValidationError
from primedist.services.oauth_redirect import (
    AuthRedirect,
    AuthRefused,
    RedirectListener,
    RedirectTimeout,
    parse_redirect_url,
)


def test_listener_receives_the_code_over_http_and_says_close_the_tab() -> None:
    with RedirectListener() as listener:
        assert listener.url.startswith("http://127.0.0.1:")
        assert listener.port > 0
        reply = httpx.get(f"{listener.url}?code=4d6f5a&shop_id=14701711", timeout=5)
        assert reply.status_code == 200
        assert "close this tab" in reply.text
        assert reply.headers["content-type"].startswith("text/html")
        assert listener.wait(1) == AuthRedirect("4d6f5a", 14701711)
        # A reload of the same redirect is still answered kindly.
        again = httpx.get(f"{listener.url}?code=4d6f5a&shop_id=14701711", timeout=5)
        assert again.status_code == 200
    # Closed: the port is released and nobody answers any more.
    with pytest.raises(httpx.ConnectError):
        httpx.get(listener.url, timeout=2)


def test_wait_blocks_until_the_browser_arrives() -> None:
    with RedirectListener() as listener:
        url = f"{listener.url}?shop_id=99&code=abc123"
        timer = threading.Timer(0.2, lambda: httpx.get(url, timeout=5))
        timer.start()
        try:
            assert listener.wait(10) == AuthRedirect("abc123", 99)
        finally:
            timer.join()


def test_other_paths_and_guessed_urls_are_ignored() -> None:
    with RedirectListener() as listener:
        base = f"http://127.0.0.1:{listener.port}"
        assert httpx.get(f"{base}/favicon.ico", timeout=5).status_code == 404
        # The nonce in the path: a guessed callback path cannot feed a code.
        guessed = httpx.get(f"{base}/auth/x?code=evil1&shop_id=1", timeout=5)
        assert guessed.status_code == 404
        assert not listener.finished
        # The right path without a code (a stray reload) is explained, and waiting goes on.
        bare = httpx.get(listener.url, timeout=5)
        assert bare.status_code == 400
        assert "no authorisation code" in bare.text
        assert not listener.finished
        httpx.get(f"{listener.url}?code=good1&shop_id=5", timeout=5)
        assert listener.wait(1).code == "good1"


def test_a_second_different_redirect_is_refused() -> None:
    with RedirectListener() as listener:
        httpx.get(f"{listener.url}?code=first1&shop_id=5", timeout=5)
        late = httpx.get(f"{listener.url}?code=second2&shop_id=6", timeout=5)
        assert late.status_code == 409
        assert listener.wait(1) == AuthRedirect("first1", 5)


def test_a_refusal_ends_the_wait_with_the_platforms_message() -> None:
    with RedirectListener() as listener:
        reply = httpx.get(f"{listener.url}?error=access_denied&message=User+cancelled", timeout=5)
        assert reply.status_code == 400
        with pytest.raises(AuthRefused, match="User cancelled"):
            listener.wait(1)


def test_timeout_and_cancel() -> None:
    with RedirectListener() as listener, pytest.raises(RedirectTimeout, match="paste"):
        listener.wait(0.05)
    with RedirectListener() as listener:
        threading.Timer(0.1, listener.cancel).start()
        with pytest.raises(Cancelled):
            listener.wait(10)
        # After a cancel the browser is told the request is over.
        assert httpx.get(f"{listener.url}?code=a1&shop_id=2", timeout=5).status_code == 409


@pytest.mark.parametrize(
    "pasted",
    [
        "http://127.0.0.1:5000/auth/x?code=6b4c6f&shop_id=123456",
        "  https://example.com/cb?shop_id=123456&code=6b4c6f#top \n",
        "?code=6b4c6f&shop_id=123456",
        "code=6b4c6f&shop_id=123456",
    ],
)
def test_pasted_addresses(pasted: str) -> None:
    assert parse_redirect_url(pasted) == AuthRedirect("6b4c6f", 123456)


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        ("", "Paste the address"),
        ("https://shopee.vn/", "no authorisation code"),
        ("https://x.test/cb?shop_id=12", "no authorisation code"),
        ("https://x.test/cb?code=abc", "no shop id"),
        ("https://x.test/cb?code=abc&main_account_id=77", r"main \(merchant\) account"),
        ("https://x.test/cb?code=abc&shop_id=-4", "not a positive whole number"),
        ("https://x.test/cb?code=abc&shop_id=12x", "not a positive whole number"),
        ("https://x.test/cb?code=abc&shop_id=99999999999999999999", "not a positive"),
        ("https://x.test/cb?code=a%27%3B--&shop_id=1", "malformed"),
        ("https://x.test/cb?code=a&code=b&shop_id=1", "code= more than once"),
        ("https://x.test/cb?error=error_auth&message=Seller+declined", "refused.*declined"),
    ],
)
def test_bad_pasted_addresses_say_what_is_wrong(pasted: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_redirect_url(pasted)
