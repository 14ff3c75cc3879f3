"""The demo's walk-in counter sales are stored as a real one is: no buyer name (NULL), so a
receipt or list says "Walk-in customer" in the user's language, never a Vietnamese name
in an English receipt."""

from __future__ import annotations

from primedist.core.search_keys import search_text
from primedist.printing.content import ShopDetails, order_context
from primedist.printing.model import DocumentType
from primedist.services import demo
from primedist.services import orders as order_service
from primedist.services.context import ServiceContext
from tests.services.test_demo import rows


def test_walk_in_sales_have_no_buyer_name(ctx: ServiceContext) -> None:
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    demo.generate_demo(owner_ctx, orders=3_000, customers=400, seed=7)
    walk_ins = rows(
        ctx.engine,
        "SELECT o.id, o.external_id, o.buyer_name, o.ship_name, o.search_text FROM orders o"
        " JOIN shops s ON s.id = o.shop_id"
        " WHERE s.channel = 'offline' AND o.customer_id IS NULL",
    )
    assert len(walk_ins) > 10, "the demo has walk-in counter sales"
    for _id, external_id, buyer_name, ship_name, text in walk_ins:
        assert buyer_name is None and ship_name is None
        assert text == search_text(external_id)  # as a real counter sale's
    assert rows(ctx.engine, "SELECT COUNT(*) FROM orders WHERE buyer_name = 'Khách lẻ'") == [(0,)]

    detail = order_service.order_detail(owner_ctx, walk_ins[0][0])
    receipt = order_context(detail, ShopDetails(name="Prime"), DocumentType.RECEIPT, "en",
                            wanted=())  # fmt: skip
    assert receipt["customer_name"] == ""
