"""Shopee signing against the spec's vectors (api-vectors.json, copied here)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from primedist.connectors.base import ConnectorConfig
from primedist.connectors.shopee import (
    ShopeeConnector,
    base_string,
    hmac_hex,
    next_limit_reset,
    sign,
    verify_push,
)
from primedist.core.clock import FixedClock

VECTORS = json.loads((Path(__file__).parent / "shopee_vectors.json").read_text(encoding="utf-8"))
BY_ID = {v["id"]: v for v in VECTORS}
API_VECTORS = [v for v in VECTORS if "api_path" in v["inputs"]]


def test_the_vectors_are_all_here():
    assert len(VECTORS) == 7 and len(API_VECTORS) == 5


def test_raw_hmac_vector():
    v = BY_ID["shopee-congminh-test"]
    assert hmac_hex(v["inputs"]["partner_key"], "".join(v["inputs"]["parts"])) == v["expected"]


@pytest.mark.parametrize("vector", API_VECTORS, ids=lambda v: v["id"])
def test_api_vectors(vector):
    i = vector["inputs"]
    args = (i["partner_id"], i["api_path"], i["timestamp"], i["access_token"], i["shop_id"])
    assert base_string(*args) == vector["base_string"]
    assert sign(i["partner_key"], *args) == vector["expected"]


def test_shop_sign_differs_from_public_sign():
    i = BY_ID["shopee-shop-get_shop_info"]["inputs"]
    public = sign(i["partner_key"], i["partner_id"], i["api_path"], i["timestamp"])
    assert public != BY_ID["shopee-shop-get_shop_info"]["expected"]


def test_push_authorization_vector():
    v = BY_ID["shopee-push-authorization"]
    i = v["inputs"]
    body = i["raw_body"].encode()
    assert verify_push(i["callback_url"], body, i["partner_key"], v["expected"])
    assert verify_push(i["callback_url"], body, i["partner_key"], v["expected"].upper())
    assert not verify_push(i["callback_url"], body + b" ", i["partner_key"], v["expected"])
    assert not verify_push(i["callback_url"] + "/", body, i["partner_key"], v["expected"])


def test_authorization_link_is_signed_like_the_vector():
    v = BY_ID["shopee-public-auth_partner"]
    i = v["inputs"]
    clock = FixedClock(datetime.fromtimestamp(i["timestamp"], UTC))
    config = ConnectorConfig(partner_id=str(i["partner_id"]), partner_key=i["partner_key"],
                             api_host="https://example.test/")  # fmt: skip
    with ShopeeConnector(config, clock=clock) as c:
        url = c.authorization_url("http://127.0.0.1:8123/shopee?x=1")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://example.test/api/v2/shop/auth_partner"
    )
    assert query == {"partner_id": "2001887", "timestamp": "1655714431", "sign": v["expected"],
                     "redirect": "http://127.0.0.1:8123/shopee?x=1"}  # fmt: skip


@pytest.mark.parametrize(
    ("now", "reset"),
    [
        # 11:00 in UTC+8 -> the next local midnight is 16:00 UTC the same day.
        (datetime(2026, 11, 20, 3, 0, tzinfo=UTC), datetime(2026, 11, 20, 16, 0, tzinfo=UTC)),
        # 23:59:59 local -> one second later.
        (datetime(2026, 11, 20, 15, 59, 59, tzinfo=UTC), datetime(2026, 11, 20, 16, 0, tzinfo=UTC)),
        # exactly midnight local -> the next one.
        (datetime(2026, 11, 20, 16, 0, tzinfo=UTC), datetime(2026, 11, 21, 16, 0, tzinfo=UTC)),
    ],
)
def test_daily_limit_resets_at_midnight_utc8(now, reset):
    assert next_limit_reset(now) == reset
