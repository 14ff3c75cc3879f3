"""Home's gross profit card says how much revenue has no cost price, and opens the
Products list on those products; nothing shows when every sale had a cost."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.domain.product import Variant
from primedist.queries.products import ProductFilter
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.ui.home.page import HomePage
from tests.factories import make_product

pytestmark = pytest.mark.usefixtures("quiet")


def sell(ctx: ServiceContext, variant: int, quantity: int) -> None:
    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, quantity),), source=OrderSource.COUNTER,
                           payment_method=PaymentMethod.CASH)  # fmt: skip
    svc.create_order(ctx, draft)


def test_the_profit_card_names_revenue_without_cost_and_opens_those_products(
    qtbot: QtBot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    (shirt,) = make_product(engine, "Áo", [("AO-1", 100_000, 10)])
    (mug,) = make_product(engine, "Cốc", [("COC-1", 250_000, 10)])
    (vase,) = make_product(engine, "Bình", [("BINH-1", 80_000, 10)])
    with engine.begin() as conn:  # only the shirt has a cost
        v = table_of(Variant)
        conn.execute(sa.update(v).where(v.c.id == shirt).values(cost=60_000))
    sell(owner_ctx, shirt, 1)
    page = HomePage(owner_ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None)
    assert page.no_cost.isHidden()  # every sale had a cost: nothing to say

    sell(owner_ctx, mug, 1)
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.refresh()
    qtbot.waitUntil(lambda: page.running == 0)
    assert page.no_cost.isVisible()
    assert page.no_cost.text() == "⚠ 250,000 VND of revenue has no cost price (1 product)"
    sell(owner_ctx, vase, 2)
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.refresh()
    qtbot.waitUntil(lambda: page.running == 0)
    assert page.no_cost.text() == "⚠ 410,000 VND of revenue has no cost price (2 products)"
    assert "whole price" in page.no_cost.toolTip()
    with qtbot.waitSignal(page.openProducts) as seen:
        page.no_cost.click()
    assert seen.args == [ProductFilter(shop_ids=page.bar.shop_ids(), statuses=("no_cost",))]
