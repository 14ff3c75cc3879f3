"""How many orders of a selection are on each channel, and of those, how many a bulk cancel
would cancel (what the Orders tab's Cancel says must be cancelled in Seller Center too), on
a real migrated database (SQLite, or PostgreSQL when PRIMEDIST_TEST_DATABASE_URL is set)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db.product_summary import CHUNK
from primedist.domain.enums import Channel
from primedist.queries.orders import (
    cancellable_per_channel,
    orders,
    orders_per_channel,
    shops,
)
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from tests.factories import make_orders, make_shop

START = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
BY_HAND = (Channel.LAZADA, Channel.TIKI, Channel.TIKTOK)
#: Spelled out here, not taken from the code under test: what a bulk cancel cancels.
STILL_OPEN = {"pending", "confirmed", "shipping"}


@pytest.fixture
def order_ids(engine: Engine) -> list[int]:
    """Orders of every status on two Lazada shops, Tiki, Shopee and the shop's own
    counter: more than one chunk of ids in all."""
    ids: list[int] = []
    for seed, (name, channel, n) in enumerate(
        [("Lazada Kho", Channel.LAZADA, 500), ("Lazada HN", Channel.LAZADA, 300),
         ("Tiki", Channel.TIKI, 150), ("Shopee Mall", Channel.SHOPEE, 400),
         ("Cửa hàng", Channel.OFFLINE, 100)]
    ):  # fmt: skip
        shop = make_shop(engine, name, channel)
        ids += make_orders(engine, shop, n, start=START, step=timedelta(hours=1), seed=seed)
    assert len(ids) > CHUNK
    return ids


def stored(engine: Engine, ids: list[int]) -> list[tuple[Channel, str]]:
    """(channel, status) of each of these orders, read straight from the tables."""
    stmt = (
        sa.select(orders.c.id, shops.c.channel, orders.c.status)
        .select_from(orders.join(shops, shops.c.id == orders.c.shop_id))
    )  # fmt: skip
    with engine.connect() as conn:
        rows = {int(i): (Channel(c), str(s)) for i, c, s in conn.execute(stmt)}
    return [rows[i] for i in ids if i in rows]


def expected(engine: Engine, ids: list[int], *, open_only: bool) -> dict[Channel, int]:
    return dict(
        Counter(
            channel
            for channel, status in stored(engine, ids)
            if channel in BY_HAND and (status in STILL_OPEN or not open_only)
        )
    )


def test_counts_what_a_bulk_cancel_would_cancel_on_each_channel(
    engine: Engine, order_ids: list[int]
) -> None:
    selection = order_ids[::2] + order_ids[:5] + [10**9]  # some twice, and one gone
    distinct = sorted(set(selection))
    want = expected(engine, distinct, open_only=True)
    assert set(want) == {Channel.LAZADA, Channel.TIKI}  # no TikTok shop: left out
    with engine.connect() as conn:
        got = cancellable_per_channel(conn, selection, BY_HAND)
        every = orders_per_channel(conn, selection, BY_HAND)
    assert got == want
    assert every == expected(engine, distinct, open_only=False)
    assert every[Channel.LAZADA] > got[Channel.LAZADA]  # the closed ones are not counted


def test_orders_already_cancelled_are_not_counted(
    engine: Engine, owner_ctx: ServiceContext, order_ids: list[int]
) -> None:
    lazada_open = [
        i
        for i, (channel, status) in zip(order_ids, stored(engine, order_ids), strict=True)
        if channel == Channel.LAZADA and status in STILL_OPEN
    ]
    with engine.connect() as conn:
        before = cancellable_per_channel(conn, order_ids, BY_HAND)
    assert before[Channel.LAZADA] == len(lazada_open) > 10
    done = svc.cancel_orders(owner_ctx, lazada_open[:10], "Hết hàng").done
    assert sorted(done) == sorted(lazada_open[:10])
    with engine.connect() as conn:
        after = cancellable_per_channel(conn, order_ids, BY_HAND)
        cancelled_now = orders_per_channel(conn, done, BY_HAND)
    assert after == {**before, Channel.LAZADA: len(lazada_open) - 10}
    assert cancelled_now == {Channel.LAZADA: 10}  # what the result message reminds of


def test_nothing_to_count(engine: Engine, order_ids: list[int]) -> None:
    shopee_and_counter = [
        i
        for i, (channel, _s) in zip(order_ids, stored(engine, order_ids), strict=True)
        if channel in (Channel.SHOPEE, Channel.OFFLINE)
    ]
    with engine.connect() as conn:
        assert cancellable_per_channel(conn, shopee_and_counter, BY_HAND) == {}
        assert cancellable_per_channel(conn, [], BY_HAND) == {}
        assert cancellable_per_channel(conn, order_ids, []) == {}
