"""Goods sent back to a supplier as a printable document (*phiếu trả hàng nhà cung cấp*),
A4 or A5: the shop, the return's code, time, the goods receipt it is of, supplier, reason,
who; the lines with quantities and costs; the value, the money given back and what comes
off the debt; places to sign for who hands the goods over and the supplier who takes them.
Fixed shape, every value escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from primedist.core.clock import shop_tz
from primedist.printing.content import ShopDetails, check_lang, pick
from primedist.printing.documents import Document
from primedist.printing.goods_receipt import (
    TEXTS,
    cancelled_banner,
    head_table,
    lines_and_units,
    lines_table,
    shop_and_title,
    signatures,
)
from primedist.printing.model import Paper
from primedist.printing.report_html import ReportHtml
from primedist.printing.template import escape
from primedist.services.supplier_returns import ReturnLineRow, ReturnRow

_T: dict[str, tuple[str, str]] = {
    **TEXTS,
    "title": ("GOODS RETURNED TO THE SUPPLIER", "PHIẾU TRẢ HÀNG NHÀ CUNG CẤP"),
    "code": ("Return", "Số phiếu"),
    "when": ("Returned", "Ngày trả"),
    "receipt": ("Of goods receipt", "Thuộc phiếu nhập"),
    "reason": ("Reason", "Lý do"),
    "by": ("Returned by", "Người trả"),
    "total": ("Value of the goods", "Giá trị hàng trả"),
    "refund": ("Money given back", "Nhà cung cấp hoàn tiền"),
    "off_debt": ("Off what is owed to the supplier", "Trừ vào công nợ nhà cung cấp"),
    "hands_over": ("Handed over by", "Người giao trả"),
    "takes": ("Supplier (received by)", "Nhà cung cấp (người nhận)"),
}


def supplier_return_document(
    back: ReturnRow,
    lines: Sequence[ReturnLineRow],
    shop: ShopDetails,
    *,
    lang: str,
    paper: Paper = Paper.A4,
    tz: tzinfo | None = None,
) -> Document:
    """The return filled in, ready for Qt to render on `paper` (A4 or A5)."""
    h = ReportHtml(check_lang(lang), tz or shop_tz(), _T)
    rows = [(h.t("code"), escape(back.code)), (h.t("when"), h.when(back.created_at)),
            (h.t("receipt"), escape(back.receipt_code))]  # fmt: skip
    if back.supplier:
        rows.append((h.t("supplier"), escape(back.supplier)))
    rows += [(h.t("reason"), escape(back.reason)), (h.t("by"), escape(back.by))]
    units = lines_and_units(len(lines), back.units, h.lang)
    totals = [h.row(f"<b>{h.t('total')}</b> ({units})", h.money(back.total), bold=True)]
    if back.refund:
        totals.append(h.row(h.t("refund"), h.money(back.refund)))
    if back.supplier_id is not None and back.total > back.refund and back.cancelled_at is None:
        totals.append(h.row(h.t("off_debt"), h.money(back.total - back.refund), bold=True))
    parts = ["<html><body>", *shop_and_title(h, shop),
             *cancelled_banner(h, back.cancelled_at, back.cancel_reason), head_table(rows),
             lines_table(h, lines), h.table(totals), signatures(h, "hands_over", "takes"),
             "</body></html>"]  # fmt: skip
    return Document(f"{pick(_T['title'], lang)} {back.code}", "".join(parts), paper)
