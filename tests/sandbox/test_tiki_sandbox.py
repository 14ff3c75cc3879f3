"""The Tiki sandbox's own checks, seen through raw HTTP (no connector): it refuses what
Tiki refuses, so the connector's tests against it mean something."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from primedist.connectors.tiki import (
    ORDERS_PATH,
    SELLER_PATH,
    TOKEN_PATH,
    basic_auth,
    parse_tiki_time,
)
from primedist.core.clock import FixedClock
from primedist.sandbox.tiki import TikiSandbox, TikiSandboxConfig, code_index, order_code

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
DATES = {"updated_from_date": "2026-11-13 10:00:00", "updated_to_date": "2026-11-20 10:00:00"}


@pytest.fixture
def sb() -> Iterator[TikiSandbox]:
    with TikiSandbox(TikiSandboxConfig(orders=60, history_days=5),
                     clock=FixedClock(NOW)) as sandbox:  # fmt: skip
        yield sandbox


def token(sb: TikiSandbox, form: dict[str, str], auth: str | None = None) -> httpx.Response:
    header = auth if auth is not None else basic_auth(sb.config.client_id, sb.config.client_secret)
    return httpx.post(sb.url + TOKEN_PATH, data=form, headers={"Authorization": header})


def get(sb: TikiSandbox, path: str, access: str | None = None, **params: Any) -> httpx.Response:
    bearer = access if access is not None else sb.linked_tokens().access_token
    return httpx.get(sb.url + path, params=params, headers={"Authorization": f"Bearer {bearer}"})


def test_the_token_endpoint_wants_basic_client_auth(sb: TikiSandbox) -> None:
    form = {"grant_type": "authorization_code", "code": sb.authorize()}
    post = {**form, "client_id": sb.config.client_id, "client_secret": sb.config.client_secret}
    refused = token(sb, post, auth="")  # client_secret_post is not this app's registration
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    wrong = token(sb, form, auth=basic_auth(sb.config.client_id, "nope"))
    assert wrong.status_code == 401
    good = token(sb, {"grant_type": "authorization_code", "code": sb.authorize()})
    body = good.json()
    assert good.status_code == 200 and body["token_type"] == "bearer"
    assert body["expires_in"] == 3600 and body["refresh_token"]


def test_refresh_tokens_rotate_and_codes_are_single_use(sb: TikiSandbox) -> None:
    code = sb.authorize()
    first = token(sb, {"grant_type": "authorization_code", "code": code}).json()
    again = token(sb, {"grant_type": "authorization_code", "code": code})
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    second = token(sb, refresh)
    assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
    assert token(sb, refresh).json()["error"] == "invalid_grant"  # the old one died
    grant = token(sb, {"grant_type": "client_credentials"})
    assert grant.json()["error"] == "unauthorized_client"


def test_api_calls_need_a_live_bearer_token(sb: TikiSandbox) -> None:
    assert get(sb, SELLER_PATH).json()["id"] == int(sb.config.seller_id)
    assert get(sb, SELLER_PATH, access="nope").status_code == 401
    access = sb.linked_tokens().access_token
    sb.expire_access_tokens()
    assert get(sb, SELLER_PATH, access=access).status_code == 401
    plain = httpx.get(sb.url + SELLER_PATH)
    assert plain.status_code == 401 and "Bearer" in plain.json()["errors"][0]


def test_the_order_list_pages_by_update_time_oldest_first(sb: TikiSandbox) -> None:
    first = get(sb, ORDERS_PATH, limit=10, page=1, **DATES).json()
    paging = first["paging"]
    assert paging["per_page"] == 10 and paging["total"] > 10
    assert paging["last_page"] == -(-paging["total"] // 10)
    times = [parse_tiki_time(o["updated_at"]) for o in first["data"]]
    assert times == sorted(times) and len(times) == 10
    last = get(sb, ORDERS_PATH, limit=10, page=paging["last_page"], **DATES).json()
    assert 1 <= len(last["data"]) <= 10
    assert get(sb, ORDERS_PATH, limit=101, **DATES).status_code == 400
    undated = get(sb, ORDERS_PATH, limit=10)
    assert undated.status_code == 400 and "updated_from_date" in undated.json()["errors"][0]


def test_one_order_by_code_and_an_unknown_one(sb: TikiSandbox) -> None:
    code = sb.order_codes()[3]
    order = get(sb, f"{ORDERS_PATH}/{code}").json()
    assert order["order_code"] == code and order["items"]
    assert order["status"] == (sb.order_state(code) or ("",))[0]
    assert get(sb, f"{ORDERS_PATH}/{order_code(59_999)}").status_code == 404


def test_order_codes_round_trip_and_look_like_tikis() -> None:
    for i in (0, 1, 77, 2_000_000):
        code = order_code(i)
        assert len(code) == 9 and code.isdigit() and code_index(code) == i
    assert code_index("123") is None


def test_python_m_sandbox_channel_tiki_prints_its_url_and_serves() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "primedist.sandbox", "--channel", "tiki", "--orders", "20"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["channel"] == "tiki" and info["orders"] == 20
        code = httpx.post(info["url"] + "/_sandbox/authorize").json()["code"]
        auth = basic_auth(info["client_id"], info["client_secret"])
        answer = httpx.post(info["url"] + TOKEN_PATH, headers={"Authorization": auth},
                            data={"grant_type": "authorization_code", "code": code})  # fmt: skip
        assert answer.status_code == 200 and answer.json()["access_token"]
    finally:
        proc.terminate()
        proc.wait(10)
