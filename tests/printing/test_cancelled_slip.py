"""The packing slip of a cancelled COD order says CANCELLED (when and why) and has nothing
to collect on delivery, in the built-in template and for a shop's own (the placeholder
is empty); a COD order that stands still has its amount to collect."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from primedist.core.clock import FixedClock
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.printing.documents import order_documents
from primedist.printing.store import save_template
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.ui.printing import render
from tests.factories import make_product
from tests.printing.support import has_phrase, pdf_text

#: 2026-11-21 09:30 in Asia/Ho_Chi_Minh.
CANCELLED_AT = datetime(2026, 11, 21, 2, 30, tzinfo=UTC)


def cod_order(ctx: ServiceContext, engine) -> int:
    """Two candles of 50.000 ₫ sent by phone order, paid on delivery: 100.000 ₫ to collect."""
    (candle,) = make_product(engine, "Nến thơm", [("NEN-01", 50_000, 10)])
    return svc.create_order(ctx, svc.OrderDraft(
        lines=(svc.DraftLine(candle, 2),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD, ship_name="Trần Thu Hà", ship_phone="0901234567",
        ship_address="12 Lê Lợi", ship_province="Hồ Chí Minh")).id  # fmt: skip


def slip_text(ctx: ServiceContext, order_id: int, lang: str, tmp_path) -> str:
    docs = order_documents(ctx, [order_id], "packing_slip", lang=lang)
    return pdf_text(render.print_to_pdf(docs, tmp_path / f"slip-{lang}.pdf"))


@pytest.mark.parametrize(("lang", "banner", "cod"), [
    ("vi", "ĐÃ HỦY 21/11/2026 09:30: Khách đổi ý", "Thu hộ (COD)"),
    ("en", "CANCELLED 21/11/2026 09:30: Khách đổi ý", "Collect on delivery"),
])  # fmt: skip
def test_the_slip_of_a_cancelled_cod_order_collects_nothing(
    qapp, engine, shop_ctx, clock: FixedClock, lang, banner, cod, tmp_path
):
    order_id = cod_order(shop_ctx, engine)
    standing = slip_text(shop_ctx, order_id, lang, tmp_path)
    assert cod in standing and "100" in standing and "HỦY" not in standing
    assert "CANCELLED" not in standing

    clock.set(CANCELLED_AT)
    assert svc.cancel_orders(shop_ctx, [order_id], "Khách đổi ý").done == [order_id]
    text = slip_text(shop_ctx, order_id, lang, tmp_path)
    assert has_phrase(text, banner), text
    assert cod not in text and "100" not in text, text


def test_a_shop_template_gets_no_amount_to_collect_once_cancelled(engine, shop_ctx, clock):
    """A shop's own slip that prints the amount without a cancelled section."""
    save_template(shop_ctx, "packing_slip", "<p>COD={{cod_amount}}.</p>")
    order_id = cod_order(shop_ctx, engine)

    def html() -> str:
        return order_documents(shop_ctx, [order_id], "packing_slip", lang="vi")[0].html

    assert "COD=100.000 ₫." in html()
    clock.set(CANCELLED_AT)
    svc.cancel_orders(shop_ctx, [order_id], "Khách đổi ý")
    assert "COD=." in html()
