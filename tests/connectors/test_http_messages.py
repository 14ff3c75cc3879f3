"""A request that got no answer says so in words the UI translates, the English intact."""

from __future__ import annotations

import httpx

from primedist.connectors.http import unreachable
from primedist.core.messages import Message


def test_a_dropped_connection_is_a_message_with_the_same_english() -> None:
    exc = httpx.ConnectError("[Errno 111] Connection refused.")
    error = unreachable(exc, platform="Shopee", host="http://127.0.0.1:9", timeout=30, path="/x")
    assert (
        str(error) == "Cannot reach Shopee at http://127.0.0.1:9: [Errno 111] Connection refused."
    )
    assert isinstance(error.user_message, Message)
    assert error.user_message.template == "Cannot reach {platform} at {url}: {reason}."
    assert error.user_message.values["url"] == "http://127.0.0.1:9"


def test_a_timeout_is_a_message_with_the_same_english() -> None:
    exc = httpx.ReadTimeout("timed out")
    error = unreachable(exc, platform="Lazada", host="https://api", timeout=0.3, path="/orders/get")
    assert str(error) == "Lazada did not answer within 0.3 s (/orders/get)."
    assert isinstance(error.user_message, Message)
    assert error.user_message.template == "{platform} did not answer within {seconds} s ({path})."
