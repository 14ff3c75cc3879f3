# ruff: noqa: F811  (pytest fixtures imported from another test module)
"""Confirm on the Orders tab says in its result how many of the orders it confirmed are on
a channel the app cannot confirm on (Lazada, TikTok Shop, Tiki) and must be confirmed in
its Seller Center too, as a bulk Cancel does (only the order's detail said so)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from primedist.domain.enums import Channel
from primedist.ui.orders.tab import OrdersPage
from tests.factories import make_orders, make_shop
from tests.ui.orders.test_bulk_cancel_by_hand import of, select
from tests.ui.orders.test_orders_tab import (  # noqa: F401  (fixtures)
    START,
    Data,
    click,
    data,
    page,
    settle,
)

pytestmark = pytest.mark.usefixtures("english", "shown")


def confirm(qtbot: Any, page: OrdersPage, ids: list[int]) -> str:
    select(page, ids)
    assert page.confirm_button.isEnabled()
    click(qtbot, page.confirm_button)
    settle(qtbot, page)
    return page.message.text()


def test_lazada_tiktok_and_tiki_orders_are_counted_shopee_not(
    qtbot: Any, page: OrdersPage, data: Data
) -> None:
    tiktok = make_shop(data.engine, "Prime Store - TikTok Shop", Channel.TIKTOK)
    make_orders(data.engine, tiktok, 12, start=START, step=timedelta(hours=7), seed=8)
    page.refresh()
    settle(qtbot, page)
    lazada, tiki = of(data, data.laz, "pending")[:2], of(data, data.tiki, "pending")[:1]
    shopee, on_tiktok = of(data, data.mall, "pending")[:2], of(data, tiktok, "pending")[:1]
    assert len(lazada) == 2 and tiki and len(shopee) == 2 and on_tiktok
    chosen = lazada + tiki + shopee + on_tiktok
    text = confirm(qtbot, page, chosen)
    assert {data.status(i)[0] for i in chosen} == {"confirmed"}
    assert text == (
        "6 orders confirmed (4 still to confirm in Seller Center: Lazada, Tiki, TikTok Shop)"
    )


def test_skipped_orders_are_not_counted(qtbot: Any, page: OrdersPage, data: Data) -> None:
    lazada = of(data, data.laz, "pending")[0]
    done = of(data, data.laz, "completed")[0]  # skipped: nothing to confirm there
    text = confirm(qtbot, page, [lazada, done])
    assert text.startswith("1 order confirmed (1 still to confirm in Seller Center: Lazada); "
                           "1 skipped: "), text  # fmt: skip


def test_shopee_orders_alone_need_nothing_more(qtbot: Any, page: OrdersPage, data: Data) -> None:
    shopee = of(data, data.mall, "pending")[:2]
    assert confirm(qtbot, page, shopee) == "2 orders confirmed"
