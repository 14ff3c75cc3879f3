# ruff: noqa: F811  (pytest fixtures imported from the partial-return points tests)
"""A receipt reprinted after a return says how the order's points moved: the redeemed
points given back (+N) and the earned points taken back (−N), in every shipped receipt
and invoice, in Vietnamese and English, in the PDF and the ESC/POS raster; an order whose
points never moved prints neither line. Real migrated store, orders made and returned
through the services, PDFs rendered by Qt and read back with poppler, ESC/POS sent to a
fake network printer and decoded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy.engine import Engine

from primedist.printing import escpos
from primedist.printing.documents import fill_order, order_documents, shop_details_or_name
from primedist.printing.model import DocumentType, parse_host_port, template_spec
from primedist.printing.store import load_template
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.points import OrderPoints
from primedist.ui.printing import render
from primedist.ui.printing.jobs import print_orders
from tests.printing.support import Capture, decode_escpos, has_phrase, pdf_text, stack
from tests.printing.test_returns_print import lip_balm_returned
from tests.printing.test_voucher_points_print import values
from tests.services.loyalty.test_points_partial_return import (  # noqa: F401  (fixtures)
    cid,
    dress,
    paid_with_points,
)

GIVEN = {"en": "Points given back +50", "vi": "Hoàn điểm đã dùng +50"}
TAKEN = {"en": "Points taken back −25", "vi": "Trừ lại điểm tích lũy −25"}


@pytest.fixture
def half_returned(shop_ctx: ServiceContext, dress: int, cid: int) -> int:
    """2 dresses (598,000) paid with 100 points and 498,000 cash (49 points earned); one
    comes back: 50 of the redeemed points go back, 25 of the earned ones are taken (the
    249,000 kept earns 24)."""
    oid, line = paid_with_points(shop_ctx, dress, cid, 2)
    svc.return_order(shop_ctx, oid, {line: 1}, reason="Khách đổi ý")
    return oid


def printed(ctx: ServiceContext, order_id: int, template: str, lang: str, tmp_path: Path) -> str:
    docs = order_documents(ctx, [order_id], template, lang=lang)
    return pdf_text(render.print_to_pdf(docs, tmp_path / f"{template}-{lang}.pdf"))


def test_the_values_say_the_points_given_and_taken_back(
    shop_ctx: ServiceContext, half_returned: int
) -> None:
    en, vi = values(shop_ctx, half_returned, "en"), values(shop_ctx, half_returned, "vi")
    assert (en["points_given_back"], en["points_taken_back"]) == ("+50", "−25")
    assert (vi["points_given_back"], vi["points_taken_back"]) == ("+50", "−25")
    assert (en["label_points_given_back"], en["label_points_taken_back"]) == (
        "Points given back", "Points taken back")  # fmt: skip
    assert (vi["label_points_given_back"], vi["label_points_taken_back"]) == (
        "Hoàn điểm đã dùng", "Trừ lại điểm tích lũy")  # fmt: skip


@pytest.mark.parametrize(("template", "lang"), [
    ("receipt_80", "vi"), ("receipt_80", "en"), ("receipt_58", "vi"), ("receipt_58", "en"),
    ("invoice_a4", "vi"), ("invoice_a5", "en"),
])  # fmt: skip
def test_the_printed_receipt_says_them_under_the_net(
    qapp: Any,
    shop_ctx: ServiceContext,
    half_returned: int,
    template: str,
    lang: str,
    tmp_path: Path,
) -> None:
    text = printed(shop_ctx, half_returned, template, lang, tmp_path)
    for phrase in (GIVEN[lang], TAKEN[lang]):
        assert has_phrase(text, phrase), (phrase, text)
    net = "Tổng sau trả hàng" if lang == "vi" else "After returns"
    assert text.index(net) < text.index("+50") < text.index("−25")


def raster(ctx: ServiceContext, detail: svc.OrderDetail, template: str, lang: str) -> Image.Image:
    """The receipt of `detail` as the thermal printer gets it (1-bit)."""
    spec = template_spec(template)
    doc = fill_order(detail, load_template(ctx, template), spec.doc_type, lang=lang,
                     shop=shop_details_or_name(ctx), paper=spec.paper, ctx=ctx)  # fmt: skip
    return escpos.to_1bit(render.qimage_to_pil(render.to_image(doc)))


@pytest.mark.parametrize(("template", "lang"), [("receipt_80", "vi"), ("receipt_58", "en")])
def test_the_escpos_receipt_prints_them(
    qapp: Any,
    shop_ctx: ServiceContext,
    half_returned: int,
    template: str,
    lang: str,
    tmp_path: Path,
) -> None:
    """The printer gets the very receipt whose text says both lines: its raster is the
    rendered receipt's, taller than the same receipt without them."""
    printer = Capture()
    try:
        print_orders(shop_ctx, [half_returned], DocumentType.RECEIPT, template=template,
                     lang=lang, target=parse_host_port(f"127.0.0.1:{printer.port}"))  # fmt: skip
        (job,) = printer.wait(1)
    finally:
        printer.close()
    image = stack(decode_escpos(job).images)
    detail = svc.order_detail(shop_ctx, half_returned)
    assert image.tobytes() == raster(shop_ctx, detail, template, lang).tobytes()
    text = printed(shop_ctx, half_returned, template, lang, tmp_path)
    assert has_phrase(text, GIVEN[lang]) and has_phrase(text, TAKEN[lang]), text
    without = raster(shop_ctx, replace(detail, points=OrderPoints()), template, lang)
    assert image.width == without.width and image.height > without.height


def test_an_order_whose_points_never_moved_prints_neither_line(
    qapp: Any, engine: Engine, shop_ctx: ServiceContext, dress: int, cid: int, tmp_path: Path
) -> None:
    # A return with no customer: money back, no points.
    walk_in = lip_balm_returned(shop_ctx, engine)
    # A customer's sale that redeemed and earned points, nothing returned.
    kept, _line = paid_with_points(shop_ctx, dress, cid, 1)
    for order_id in (walk_in, kept):
        for lang in ("en", "vi"):
            got = values(shop_ctx, order_id, lang)
            assert (got["points_given_back"], got["points_taken_back"]) == ("", "")
        en = printed(shop_ctx, order_id, "receipt_80", "en", tmp_path)
        assert "given back" not in en and "taken back" not in en, en
        vi = printed(shop_ctx, order_id, "receipt_58", "vi", tmp_path)
        assert "Hoàn điểm" not in vi and "Trừ lại" not in vi, vi
