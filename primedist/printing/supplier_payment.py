"""Money the shop paid a supplier as a printed voucher (*phiếu chi*), on the till's roll
(80 / 58 mm) or A4/A5, as a customer's payment prints as a *phiếu thu*: the shop, the
payment's code and time, the supplier, the goods receipt it was paid with, how it was paid,
the amount, what the shop still owed the supplier right after it (or had paid in advance;
a reprint says the same), who paid it, and places to sign (who paid, who took the money);
a cancelled one says so. Fixed shape, every value escaped."""

from __future__ import annotations

from datetime import datetime, tzinfo

from primedist.core.clock import shop_tz
from primedist.printing.content import PAYMENT_LABELS, ShopDetails, check_lang, pick
from primedist.printing.documents import Document
from primedist.printing.goods_receipt import TEXTS, cancelled_banner, signatures
from primedist.printing.model import Paper
from primedist.printing.report_html import ReportHtml
from primedist.printing.template import escape
from primedist.services.suppliers import SupplierPaymentRow

_T: dict[str, tuple[str, str]] = {
    "cancelled": TEXTS["cancelled"],
    "title": ("PAYMENT VOUCHER", "PHIẾU CHI"),
    "code": ("Voucher", "Số phiếu"),
    "when": ("Paid", "Ngày chi"),
    "supplier": ("Supplier", "Nhà cung cấp"),
    "for_receipt": ("With goods receipt", "Chi cùng phiếu nhập"),
    "method": ("Method", "Hình thức"),
    "note": ("Note", "Ghi chú"),
    "amount": ("Amount paid", "Số tiền chi"),
    "owed": ("Still owed to the supplier", "Còn nợ nhà cung cấp"),
    "advance": ("Paid in advance", "Đã trả trước"),
    "by": ("Paid by", "Người chi"),
    "printed": ("Printed", "In lúc"),
    "receiver": ("Received by", "Người nhận tiền"),
    "sign": TEXTS["sign"],
}


def supplier_payment_document(
    payment: SupplierPaymentRow,
    owed: int,
    shop: ShopDetails,
    *,
    lang: str,
    paper: Paper,
    printed_at: datetime,
    tz: tzinfo | None = None,
) -> Document:
    """The voucher filled in, ready for Qt to render on `paper`; `owed` = what the shop
    owed the supplier right after this payment (below zero: paid in advance), the same
    when printed again later (`suppliers.balance_after_payment`)."""
    h = ReportHtml(check_lang(lang), tz or shop_tz(), _T)
    parts = ["<html><body>", *h.head(shop.name, shop.address, shop.phone)]
    parts += cancelled_banner(h, payment.cancelled_at, payment.cancel_reason)
    rows = [h.row(h.t("code"), escape(payment.code)), h.row(h.t("when"), h.when(payment.paid_at)),
            h.row(h.t("supplier"), f"{escape(payment.supplier_name)} "
                                   f"({escape(payment.supplier_code)})")]  # fmt: skip
    if payment.receipt_code:
        rows.append(h.row(h.t("for_receipt"), escape(payment.receipt_code)))
    rows.append(h.row(h.t("method"), pick(PAYMENT_LABELS[payment.method], h.lang)))
    if payment.note:
        rows.append(h.row(h.t("note"), escape(payment.note)))
    if owed < 0:
        balance = h.row(h.t("advance"), h.money(-owed))
    else:
        balance = h.row(h.t("owed"), h.money(owed))
    parts += [h.table(rows), "<hr>", h.table([
        h.row(h.t("amount"), h.money(payment.amount), bold=True), balance,
    ]), "<hr>", h.table([
        h.row(h.t("by"), escape(payment.by)),
        h.row(h.t("printed"), h.when(printed_at)),
    ])]  # fmt: skip
    # Who paid and who took the money (the supplier, its deliverer) sign, as on any phiếu chi.
    parts += [signatures(h, "by", "receiver"), "</body></html>"]
    return Document(f"{pick(_T['title'], lang)} {payment.code}", "".join(parts), paper)
