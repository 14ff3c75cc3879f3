"""The A5 invoice keeps its signature block with the totals: an order whose totals reach
the foot of the page (a long product name, a return, points used, a buyer note: the narrow
totals column wraps "Giảm giá của shop", "Hoàn điểm đã dùng") never leaves the signatures
alone on a page; a plain order of 12 lines still fits on one page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from primedist.printing.documents import order_documents
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.points import adjust_points
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.printing import render
from tests.factories import make_customers, make_product
from tests.printing.support import LONG_NAME, pdf_pages_mm, pdf_text

NOTE = "Giao giờ hành chính, gọi trước 15 phút; gói quà giúp em nhé. "


def crowded_order(engine: Engine, ctx: ServiceContext, note: str = NOTE) -> int:
    gift = make_product(engine, LONG_NAME, [("QUA-01", 1_250_000, 5)])[0]
    candle = make_product(engine, "Nến thơm tinh dầu", [("NEN-01", 45_000, 20)])[0]
    spray = make_product(engine, "Bình xịt phòng", [("BXP-01", 96_000, 20)])[0]
    (customer,) = make_customers(engine, 1, names=["Trần Thị Bích Ngọc"])
    adjust_points(ctx, customer, 100, "tặng")
    created = svc.create_order(ctx, OrderDraft(
        lines=(DraftLine(gift, 1), DraftLine(candle, 2), DraftLine(spray, 1)),
        customer_id=customer, points=100, order_discount=20_000, shipping_fee=30_000,
        note=note, ship_name="Trần Thị Bích Ngọc", ship_phone="0939921717",
        ship_address="12 Lý Tự Trọng, Phường Bến Nghé", ship_province="Thành phố Hồ Chí Minh",
    ))  # fmt: skip
    line = svc.order_detail(ctx, created.id).lines[1].id or 0
    svc.return_order(ctx, created.id, {line: 1}, reason="Khách đổi ý")
    return created.id


def invoice_pages(ctx: ServiceContext, order_id: int, tmp_path: Path) -> list[str]:
    pdf = render.print_to_pdf(order_documents(ctx, [order_id], "invoice_a5"),
                              tmp_path / f"invoice_a5-{order_id}.pdf")  # fmt: skip
    assert {(round(w), round(h)) for w, h in pdf_pages_mm(pdf)} == {(148, 210)}
    return [" ".join(page.split()) for page in pdf_text(pdf).split("\f")[:-1]]


def signature_page(pages: list[str]) -> str:
    (page,) = [p for p in pages if "Người mua hàng" in p]
    assert "Người bán hàng" in page
    return page


def test_the_signatures_share_their_page_with_the_totals(
    qapp: Any, engine: Engine, shop_ctx: ServiceContext, tmp_path: Path
) -> None:
    pages = invoice_pages(shop_ctx, crowded_order(engine, shop_ctx), tmp_path)
    page = signature_page(pages)
    for row in (
        "Tổng tiền hàng 1.436.000 ₫",
        "Giảm giá của shop −20.000 ₫",
        "Dùng 100 điểm −100.000 ₫",
        "Tổng cộng 1.346.000 ₫",
        "Hoàn điểm đã dùng +3",
        "Trừ lại điểm tích lũy −4",
        "Ghi chú: Giao giờ",
    ):
        assert row in page, (row, pages)  # fmt: skip
    assert "Bình xịt phòng" in pages[0]  # the items stay where they began


def test_however_long_the_note_the_signatures_are_never_alone(
    qapp: Any, engine: Engine, shop_ctx: ServiceContext, tmp_path: Path
) -> None:
    """The note moves the end of the totals across the page's foot, line by line (so some
    length of it meets the page break, whatever the font's metrics)."""
    page_counts = set()
    for lines in range(1, 7):
        pages = invoice_pages(shop_ctx, crowded_order(engine, shop_ctx, NOTE * lines), tmp_path)
        page_counts.add(len(pages))
        assert "Tổng cộng 1.346.000 ₫" in signature_page(pages), (lines, pages)
    assert 2 in page_counts  # the break was met


def test_a_plain_order_of_12_lines_fits_on_one_page(
    qapp: Any, engine: Engine, shop_ctx: ServiceContext, tmp_path: Path
) -> None:
    variants = [make_product(engine, f"Sản phẩm số {i}", [(f"SP-{i:03d}", 10_000, 50)])[0]
                for i in range(12)]  # fmt: skip
    created = svc.create_order(shop_ctx, OrderDraft(lines=tuple(DraftLine(v, 1) for v in variants)))
    pages = invoice_pages(shop_ctx, created.id, tmp_path)
    assert len(pages) == 1
    assert "Tổng cộng 120.000 ₫" in signature_page(pages)
