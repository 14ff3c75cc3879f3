"""Why a stock or price push cannot reach its listing (the product not linked to its
marketplace item yet: the commonest failure of a shop starting out) is stored as plain
English, and the Sync panel reads it back in the user's language, as it does for a shop not
set up yet. A stand-in translator gives each of these sentences a marked translation: the
panel must show the marked one (over real HTTP against the Shopee sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QCoreApplication, QTranslator
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.services.outbox_delivery import LISTING_NOT_READY, deliver_outbox
from primedist.services.price_change import PriceField, PriceMode, PriceRule, change_prices
from primedist.services.stock import stock_in
from primedist.ui.sync.panel import ActionsPage
from tests.services.test_sync import Market
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "no_crash")

TEMPLATES = {m.template for m in LISTING_NOT_READY}


class _Marked(QTranslator):
    """Translates only the listing sentences (context "service"), as "[vi] …"."""

    def translate(self, context: str, source: str, *_args: Any) -> str:
        return f"[vi] {source}" if context == "service" and source in TEMPLATES else ""


@pytest.fixture
def marked(qapp: Any) -> Iterator[None]:
    translator = _Marked()
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


@pytest.fixture
def market(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    sandbox = ShopeeSandbox(SandboxConfig(orders=20, history_days=5, seed=3), clock=clock)
    sandbox.start()
    try:
        yield Market(owner_ctx, engine, sandbox)
    finally:
        sandbox.stop()


def set_item_id(engine: Engine, product_id: int, item_id: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE product_listings SET external_id = :i WHERE product_id = :p"),
                     {"i": item_id, "p": product_id})  # fmt: skip
        if item_id is None:  # nor do the queued messages carry it
            conn.execute(
                sa.text(
                    "UPDATE outbox_messages"
                    " SET payload_json = REPLACE(payload_json, '\"900001\"', 'null')"
                )
            )


@pytest.mark.usefixtures("marked")
def test_pushes_to_a_listing_not_linked_yet_say_why_in_the_users_language(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, market: Market
) -> None:
    product = create_product(owner_ctx, ProductDraft(
        name="Áo thun trơn", shop_ids=[market.shop_id],
        variants=[VariantDraft(sku="AT-01", price=99_000)]))  # fmt: skip
    with engine.connect() as conn:
        variant = conn.execute(sa.text("SELECT id FROM variants WHERE sku = 'AT-01'")).scalar_one()
    # No push is queued for a listing not linked yet any more: these two are as an older
    # version queued them (queued while it has an id, which then goes).
    set_item_id(engine, product, "900001")
    stock_in(owner_ctx, variant, 10)
    change_prices(owner_ctx, [product], PriceRule(PriceField.PRICE, PriceMode.PERCENT, Decimal(10)))
    set_item_id(engine, product, None)
    assert deliver_outbox(owner_ctx, factory=market.connector).failed == 2

    page = ActionsPage(owner_ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=WAIT)
    cells = [page.table.item(r, 6) for r in range(2)]
    shown = {cell.text() for cell in cells if cell is not None}
    assert shown == {
        # the price push
        "[vi] creating a listing on the marketplace from here is not supported yet: list the"
        " product in Seller Center; its id is learnt from its first synced order or from Fetch"
        " listings in Sales channels, then Retry",
        # the stock push
        "[vi] the product is not linked to a marketplace item yet (no item id): Fetch listings"
        " in Sales channels, then Retry",
    }
