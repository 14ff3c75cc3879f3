"""The end-of-day slip and chat text of a day without sales: the cash paid to a supplier
and the debts collected still went through the drawer, so they print (with the cash in
the drawer and the till count), in Vietnamese and English; a quiet day says only that."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from primedist.core.clock import FixedClock
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.printing.content import ShopDetails
from primedist.printing.end_of_day import end_of_day_document, end_of_day_text
from primedist.printing.model import Paper
from primedist.services import customer_account as account
from primedist.services import end_of_day as eod
from primedist.services import goods_receipts as gr
from primedist.services import orders as svc
from primedist.services import till
from primedist.services.context import ServiceContext
from primedist.ui.printing import render
from tests.factories import make_customers, make_product
from tests.printing.support import has_phrase, pdf_text

#: 2026-11-20 in Asia/Ho_Chi_Minh (UTC+7).
DAY = date(2026, 11, 20)
SHOP = ShopDetails(name="Nến Thơm Sài Gòn")


def at(clock: FixedClock, hour: int, days: int = 0) -> None:
    """Set the clock to this local time of DAY (+ days)."""
    local = datetime(2026, 11, 20, hour) + timedelta(days=days)
    clock.set((local - timedelta(hours=7)).replace(tzinfo=UTC))


def slip(report: eod.EndOfDay, lang: str, tmp_path, count: till.TillCount | None = None) -> str:
    """The slip printed on the 80 mm roll, read back from the PDF."""
    doc = end_of_day_document(report, SHOP, lang=lang, paper=Paper.ROLL_80, till=count)
    return pdf_text(render.print_to_pdf([doc], tmp_path / f"eod-{lang}.pdf"))


def rows_of(report: eod.EndOfDay, lang: str) -> list[tuple[str, str]]:
    """The slip's (label, value) rows below its head (day, shops, staff, printed), tags
    and spaces flattened."""
    html = end_of_day_document(report, SHOP, lang=lang, paper=Paper.ROLL_80).html
    cells = re.findall(r"<tr><td>(.*?)</td><td align=\"right\">(.*?)</td></tr>", html)
    return [tuple(" ".join(re.sub("<[^>]+>", "", c).split()) for c in row) for row in cells[4:]]


def test_cash_paid_to_a_supplier_on_a_day_without_sales(
    qapp, owner_ctx: ServiceContext, clock: FixedClock, engine, tmp_path
) -> None:
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 0)])
    at(clock, 10)
    line = gr.ReceiptLine(cup, 30, 20_000)
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([line], supplier="Gốm Minh Long", paid=600_000))
    at(clock, 21)
    report = eod.end_of_day(owner_ctx, DAY)
    assert report.empty and not report.quiet
    count = till.close_till(owner_ctx, DAY, opening_float=1_000_000, counted=400_000)
    vi = slip(report, "vi", tmp_path, count)
    for phrase in ("Không có bán hàng, hủy đơn hay hoàn tiền trong ngày.",
                   "Tiền mặt trả nhà cung cấp -600.000 ₫", "Tiền mặt trong két -600.000 ₫",
                   "Tiền đầu ca 1.000.000 ₫", "Tiền phải có 400.000 ₫",
                   "Tiền đếm được 400.000 ₫"):  # fmt: skip
        assert has_phrase(vi, phrase), phrase
    assert rows_of(report, "vi") == [
        ("Tiền mặt trả nhà cung cấp", "-600.000 ₫"),
        ("Tiền mặt trong két", "-600.000 ₫"),
    ]
    en = slip(report, "en", tmp_path)
    assert has_phrase(en, "Cash paid to suppliers -600,000 VND")
    assert has_phrase(en, "Cash in drawer -600,000 VND")
    text = end_of_day_text(report, SHOP.name, lang="vi", till=count)
    assert "Tiền mặt trả nhà cung cấp: -600.000 ₫" in text
    assert "Tiền mặt trong két: -600.000 ₫" in text
    assert "Kiểm két: Tiền đếm được 400.000 ₫" in text


def test_debts_collected_on_a_day_without_sales(
    qapp, owner_ctx: ServiceContext, clock: FixedClock, engine, tmp_path
) -> None:
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 20)])
    (hoa,) = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])
    at(clock, 15, days=-1)  # taken on account yesterday
    svc.create_order(owner_ctx, svc.OrderDraft(
        lines=(svc.DraftLine(cup, 2),), customer_id=hoa, source=OrderSource.PHONE,
        payment_method=PaymentMethod.ON_ACCOUNT))  # fmt: skip
    at(clock, 10)
    account.receive_payment(owner_ctx, hoa, 40_000)
    at(clock, 21)
    cash_only = eod.end_of_day(owner_ctx, DAY)
    assert cash_only.empty and cash_only.collected == 40_000
    vi = slip(cash_only, "vi", tmp_path)
    assert has_phrase(vi, "Thu nợ khách (tiền mặt) 40.000 ₫")
    assert has_phrase(vi, "Tiền mặt trong két 40.000 ₫")
    text = end_of_day_text(cash_only, None, lang="en")
    assert "Debts collected (cash): 40,000 VND" in text
    assert "Cash in drawer: 40,000 VND" in text

    account.receive_payment(owner_ctx, hoa, 25_000, PaymentMethod.BANK_TRANSFER)
    both = eod.end_of_day(owner_ctx, DAY)
    en = slip(both, "en", tmp_path)
    for phrase in ("Debts collected 65,000 VND", "Debts collected (cash) 40,000 VND",
                   "Cash in drawer 40,000 VND"):  # fmt: skip
        assert has_phrase(en, phrase), phrase
    assert rows_of(both, "en") == [("Debts collected", "65,000 VND"),
                                   ("Debts collected (cash)", "40,000 VND"),
                                   ("Cash in drawer", "40,000 VND")]  # fmt: skip
    assert "Thu nợ khách: 65.000 ₫" in end_of_day_text(both, None, lang="vi")


def test_a_quiet_day_says_only_that(owner_ctx: ServiceContext, clock: FixedClock) -> None:
    at(clock, 21)
    report = eod.end_of_day(owner_ctx, DAY)
    assert report.quiet
    html = end_of_day_document(report, SHOP, lang="en", paper=Paper.ROLL_80).html
    assert "No sales, cancellations or refunds this day." in html
    assert rows_of(report, "en") == []
    text = end_of_day_text(report, None, lang="en")
    assert text.endswith("No sales, cancellations or refunds this day.")
