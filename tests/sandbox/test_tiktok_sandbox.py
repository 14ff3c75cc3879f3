"""The TikTok sandbox's own checks, seen through raw HTTP (no connector): it refuses
what TikTok refuses, so the connector's tests against it mean something."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from primedist.connectors.tiktok import ORDER_SEARCH_PATH, SHOPS_PATH, body_string, sign
from primedist.core.clock import FixedClock
from primedist.sandbox.tiktok import TikTokSandbox, TikTokSandboxConfig, id_index, order_id

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
TS = int(NOW.timestamp())


@pytest.fixture
def sb() -> Iterator[TikTokSandbox]:
    with TikTokSandbox(TikTokSandboxConfig(orders=50, history_days=5),
                       clock=FixedClock(NOW)) as sandbox:  # fmt: skip
        yield sandbox


def call(sb: TikTokSandbox, path: str, *, body: str | None = None, ts: int = TS,
         token: str | None = None, cipher: bool = True, sign_body: str | None = None,
         **params: Any) -> dict[str, Any]:  # fmt: skip
    """A call signed by hand; `sign_body` signs another string than the one sent."""
    query: dict[str, Any] = {"app_key": sb.config.app_key, "timestamp": ts, **params}
    if cipher:
        query["shop_cipher"] = sb.config.shop_cipher
    signed = sign_body if sign_body is not None else (body or "")
    query["sign"] = sign(sb.config.app_secret, path, query, signed)
    headers = {"x-tts-access-token": token or sb.linked_tokens().access_token}
    method = "POST" if body is not None else "GET"
    answer = httpx.request(method, sb.url + path, params=query, headers=headers,
                           content=body.encode() if body is not None else None)  # fmt: skip
    data: dict[str, Any] = answer.json()
    return data


SEARCH = {"update_time_ge": TS - 86_400, "update_time_lt": TS + 1}


def test_a_correct_call_is_answered(sb: TikTokSandbox) -> None:
    data = call(sb, ORDER_SEARCH_PATH, body=body_string(SEARCH), page_size=10,
                sort_field="update_time", sort_order="ASC")  # fmt: skip
    assert data["code"] == 0 and isinstance(data["data"]["orders"], list)


def test_the_signature_covers_the_exact_body_bytes(sb: TikTokSandbox) -> None:
    spaced = json.dumps(SEARCH)  # same JSON, other bytes than the signed string
    data = call(sb, ORDER_SEARCH_PATH, body=spaced, sign_body=body_string(SEARCH),
                page_size=10, sort_field="update_time", sort_order="ASC")  # fmt: skip
    assert data["code"] == 106001


@pytest.mark.parametrize(("offset", "code"), [(-299, 0), (-301, 36009004), (30, 0),
                                              (31, 36009004)])  # fmt: skip
def test_timestamp_window_is_five_minutes_back_and_thirty_seconds_ahead(
    sb: TikTokSandbox, offset: int, code: int
) -> None:
    assert call(sb, SHOPS_PATH, ts=TS + offset, cipher=False)["code"] == code


def test_shop_calls_need_the_cipher_and_a_live_token(sb: TikTokSandbox) -> None:
    kwargs: dict[str, Any] = {"page_size": 10, "sort_field": "update_time", "sort_order": "ASC"}
    body = body_string(SEARCH)
    assert call(sb, ORDER_SEARCH_PATH, body=body, cipher=False, **kwargs)["code"] == 106013
    assert call(sb, ORDER_SEARCH_PATH, body=body, token="TTP_nope", **kwargs)["code"] == 105001
    token = sb.linked_tokens().access_token
    sb.expire_access_tokens()
    assert call(sb, ORDER_SEARCH_PATH, body=body, token=token, **kwargs)["code"] == 105002


def test_order_ids_round_trip_and_look_like_tiktoks() -> None:
    for i in (0, 1, 77, 2_000_000):
        oid = order_id(i)
        assert len(oid) == 18 and oid.isdigit() and id_index(oid) == i
    assert id_index("123") is None


def test_python_m_sandbox_channel_tiktok_prints_its_url_and_serves() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "primedist.sandbox", "--channel", "tiktok", "--orders", "20"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["channel"] == "tiktok" and info["orders"] == 20
        code = httpx.post(info["url"] + "/_sandbox/authorize").json()["code"]
        assert code.startswith("TTP_")
    finally:
        proc.terminate()
        proc.wait(10)
