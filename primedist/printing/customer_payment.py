"""A customer's payment towards what they owe as a printed receipt (*phiếu thu*), on the
till's roll (80 / 58 mm) or A4/A5: the shop, the payment's code and time, the customer,
how it was paid, the amount, what the customer still owed right after it (a reprint says
the same), who took it; a cancelled one says so. Fixed shape, every value escaped."""

from __future__ import annotations

from datetime import datetime, tzinfo

from primedist.core.clock import shop_tz
from primedist.printing.content import PAYMENT_LABELS, ShopDetails, check_lang, pick
from primedist.printing.documents import Document
from primedist.printing.goods_receipt import TEXTS, cancelled_banner
from primedist.printing.model import Paper
from primedist.printing.report_html import ReportHtml
from primedist.printing.template import escape
from primedist.services.customer_account import PaymentRow

_T: dict[str, tuple[str, str]] = {
    "cancelled": TEXTS["cancelled"],
    "title": ("PAYMENT RECEIPT", "PHIẾU THU"),
    "code": ("Receipt", "Số phiếu"),
    "when": ("Paid", "Ngày thu"),
    "customer": ("Customer", "Khách hàng"),
    "for_order": ("With the sale", "Thu cùng đơn"),
    "method": ("Paid by", "Hình thức"),
    "note": ("Note", "Ghi chú"),
    "amount": ("Amount received", "Số tiền thu"),
    "owed": ("Still owed", "Còn nợ"),
    "printed": ("Printed", "In lúc"),
    "by": ("Received by", "Người thu"),
    "thanks": ("Thank you!", "Cảm ơn quý khách!"),
    #: A reason the app writes, stored in this English (`order_edit.EDITED_REASON`).
    "edited": ("Order edited", "Đơn hàng đã được sửa"),
}


def customer_payment_document(
    payment: PaymentRow,
    owed: int,
    shop: ShopDetails,
    *,
    lang: str,
    paper: Paper,
    printed_at: datetime,
    tz: tzinfo | None = None,
) -> Document:
    """The receipt filled in, ready for Qt to render on `paper`; `owed` = what the customer
    owed right after this payment, the same when printed again later
    (`customer_account.balance_after_payment`)."""
    h = ReportHtml(check_lang(lang), tz or shop_tz(), _T)
    parts = ["<html><body>", *h.head(shop.name, shop.address, shop.phone)]
    parts += cancelled_banner(h, payment.cancelled_at, _reason(payment.cancel_reason, h.lang))
    rows = [h.row(h.t("code"), escape(payment.code)), h.row(h.t("when"), h.when(payment.paid_at)),
            h.row(h.t("customer"), f"{escape(payment.customer_name)} "
                                   f"({escape(payment.customer_code)})")]  # fmt: skip
    if payment.order_number:
        rows.append(h.row(h.t("for_order"), escape(payment.order_number)))
    rows.append(h.row(h.t("method"), pick(PAYMENT_LABELS[payment.method], h.lang)))
    if payment.note and payment.note != payment.order_number:  # the sale's number: said
        rows.append(h.row(h.t("note"), escape(payment.note)))
    parts += [h.table(rows), "<hr>", h.table([
        h.row(h.t("amount"), h.money(payment.amount), bold=True),
        h.row(h.t("owed"), h.money(owed)),
    ]), "<hr>", h.table([
        h.row(h.t("by"), escape(payment.by)),
        h.row(h.t("printed"), h.when(printed_at)),
    ])]  # fmt: skip
    parts.append(f'<p align="center" style="margin-top:6px">{h.t("thanks")}</p></body></html>')
    return Document(f"{pick(_T['title'], lang)} {payment.code}", "".join(parts), paper)


def _reason(reason: str, lang: str) -> str:
    """Why the payment was cancelled, in the receipt's language when the app wrote it (an
    edit of its sale); a reason typed by someone stays as typed."""
    edited = _T["edited"]
    return pick(edited, lang) if reason == edited[0] else reason
