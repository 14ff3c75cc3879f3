"""A goods receipt as a printable document (*phiếu nhập kho*), A4 or A5: the shop, the
receipt's code, time, supplier and note, its lines with quantities and costs, the totals,
and two places to sign (who delivered, who received). Fixed shape, every value escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Protocol

from primedist.core.clock import shop_tz
from primedist.core.money import format_number, money_text
from primedist.printing.content import ShopDetails, check_lang, pick
from primedist.printing.documents import Document
from primedist.printing.model import Paper
from primedist.printing.report_html import ReportHtml
from primedist.printing.template import escape
from primedist.services.goods_receipts import ReceiptLineRow, ReceiptRow

#: The texts of a goods document: (English, Vietnamese).
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("GOODS RECEIPT", "PHIẾU NHẬP KHO"),
    "code": ("Receipt", "Số phiếu"),
    "received": ("Received", "Ngày nhập"),
    "supplier": ("Supplier", "Nhà cung cấp"),
    "note": ("Note", "Ghi chú"),
    "by": ("Received by", "Người nhập"),
    "no": ("#", "STT"),
    "sku": ("SKU", "Mã hàng"),
    "product": ("Product", "Tên hàng"),
    "quantity": ("Qty", "SL"),
    "unit_cost": ("Unit cost", "Đơn giá"),
    "amount": ("Amount", "Thành tiền"),
    "total": ("Total", "Tổng cộng"),
    "paid": ("Paid to the supplier", "Đã trả nhà cung cấp"),
    # What the delivery left unpaid when it came: payments made since are on the
    # supplier's account, which the next row gives as it is now.
    "owed": ("Unpaid at delivery", "Chưa trả khi nhập"),
    "debt_now": ("Owed to the supplier now", "Hiện còn nợ nhà cung cấp"),
    "ahead_now": ("Paid to the supplier in advance now", "Hiện đã trả trước nhà cung cấp"),
    "returned": ("Sent back to the supplier", "Đã trả lại nhà cung cấp"),
    "refunded": ("Money given back", "Nhà cung cấp đã hoàn tiền"),
    "cancelled": ("CANCELLED {when}: {reason}", "ĐÃ HỦY {when}: {reason}"),
    "deliverer": ("Delivered by", "Người giao hàng"),
    "receiver": ("Received by", "Người nhận hàng"),
    "sign": ("(signature, full name)", "(ký, ghi rõ họ tên)"),
    "order": ("Of purchase order", "Theo đơn đặt hàng"),
}

#: A count and its noun: (English one, English more, Vietnamese — which has no plural).
_COUNTED: dict[str, tuple[str, str, str]] = {
    "sku": ("{n} SKU", "{n} SKUs", "{n} mã hàng"),
    "unit": ("{n} unit", "{n} units", "{n} sản phẩm"),
}


def _money(h: ReportHtml, amount: int) -> str:
    """An amount as the goods documents print it: the app's one form (`money_text`), so
    what went back reads "−36.000 ₫" as on the screens, never "-36.000 ₫"."""
    return escape(money_text(amount, h.lang))


def counted(n: int, noun: str, lang: str) -> str:
    """`1 SKU`, `2 SKUs`, `2 mã hàng`: the number and its noun in `lang`."""
    one, more, vi = _COUNTED[noun]
    text = vi if lang == "vi" else one if n == 1 else more
    return text.format(n=format_number(n, lang))


def lines_and_units(lines: int, units: int, lang: str) -> str:
    """`2 SKUs, 30 units` (the totals' count of a goods document)."""
    return f"{counted(lines, 'sku', lang)}, {counted(units, 'unit', lang)}"


def cancelled_banner(h: ReportHtml, cancelled_at: datetime | None, reason: str) -> list[str]:
    """ "CANCELLED <when>: <reason>" in red under the title of a cancelled document."""
    if cancelled_at is None:
        return []
    banner = pick(TEXTS["cancelled"], h.lang).format(when=h.when(cancelled_at),
                                                     reason=escape(reason))  # fmt: skip
    return [f'<p align="center" style="color:#B91C1C; font-weight:bold">{banner}</p>']


def goods_receipt_document(
    receipt: ReceiptRow,
    lines: Sequence[ReceiptLineRow],
    shop: ShopDetails,
    *,
    lang: str,
    paper: Paper = Paper.A4,
    tz: tzinfo | None = None,
) -> Document:
    """The receipt filled in, ready for Qt to render on `paper` (A4 or A5)."""
    h = ReportHtml(check_lang(lang), tz or shop_tz(), TEXTS)
    parts = ["<html><body>", *shop_and_title(h, shop)]
    parts += cancelled_banner(h, receipt.cancelled_at, receipt.cancel_reason)
    head_rows = [(h.t("code"), escape(receipt.code)), (h.t("received"), h.when(receipt.created_at))]
    if receipt.supplier:
        head_rows.append((h.t("supplier"), escape(receipt.supplier)))
    if receipt.order_code:
        head_rows.append((h.t("order"), escape(receipt.order_code)))
    if receipt.note:
        head_rows.append((h.t("note"), escape(receipt.note)))
    head_rows.append((h.t("by"), escape(receipt.received_by)))
    parts.append(head_table(head_rows))
    parts.append(lines_table(h, lines))
    units = lines_and_units(receipt.lines, receipt.units, h.lang)
    totals = [h.row(f"<b>{h.t('total')}</b> ({units})", _money(h, receipt.total_cost), bold=True)]
    if receipt.returned:
        totals.append(h.row(h.t("returned"), _money(h, -receipt.returned)))
    if receipt.refunded:
        totals.append(h.row(h.t("refunded"), _money(h, receipt.refunded)))
    if receipt.supplier_id is not None and receipt.cancelled_at is None:
        totals.append(h.row(h.t("paid"), _money(h, receipt.paid)))
        if receipt.owed:
            totals.append(h.row(h.t("owed"), _money(h, receipt.owed)))
            totals += debt_now(h, receipt.supplier_debt)
    parts.append(h.table(totals))
    parts.append(signatures(h, "deliverer", "receiver"))
    parts.append("</body></html>")
    return Document(f"{pick(TEXTS['title'], lang)} {receipt.code}", "".join(parts), paper)


def debt_now(h: ReportHtml, debt: int | None) -> list[str]:
    """The supplier's balance now, bold (nothing when it is not known)."""
    if debt is None:
        return []
    if debt < 0:
        return [h.row(h.t("ahead_now"), _money(h, -debt), bold=True)]
    return [h.row(h.t("debt_now"), _money(h, debt), bold=True)]


def shop_and_title(h: ReportHtml, shop: ShopDetails) -> list[str]:
    """The shop's name and address at the top, then the document's title (`title`)."""
    parts = []
    if shop.name:
        head = escape(shop.name)
        if shop.address:
            head += (
                f"<br><span style='font-size:8pt; font-weight:normal'>{escape(shop.address)}</span>"
            )
        parts.append(f'<p style="font-size:11pt; font-weight:bold; margin:0">{head}</p>')
    parts.append(f'<p align="center" style="font-size:14pt; font-weight:bold; margin-top:10px; '
                 f'margin-bottom:6px">{h.t("title")}</p>')  # fmt: skip
    return parts


def head_table(rows: Sequence[tuple[str, str]]) -> str:
    """`label: value` rows (values already escaped), the values bold."""
    return '<table cellspacing="0" cellpadding="1">' + "".join(
        f"<tr><td>{label}:&nbsp;</td><td><b>{value}</b></td></tr>" for label, value in rows
    ) + "</table>"  # fmt: skip


class DocumentLine(Protocol):
    """A line of goods on a receipt, a return or a purchase order."""

    @property
    def sku(self) -> str: ...
    @property
    def product_name(self) -> str: ...
    @property
    def variant_name(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_cost(self) -> int | None: ...
    @property
    def amount(self) -> int | None: ...


def lines_table(
    h: ReportHtml, lines: Sequence[DocumentLine], extra: tuple[str, Sequence[int]] | None = None
) -> str:
    """The lines with quantities and costs; `extra` (a text's key, a number per line) adds
    a column after the quantity (what came of a purchase order's lines)."""
    cell = "style='border-bottom:1px solid #999'"
    heads = [("no", "left"), ("sku", "left"), ("product", "left"), ("quantity", "right"),
             *([(extra[0], "right")] if extra else []), ("unit_cost", "right"),
             ("amount", "right")]  # fmt: skip
    rows = ["<tr>" + "".join(f"<th align='{align}' {cell}>{h.t(key)}</th>"
                             for key, align in heads) + "</tr>"]  # fmt: skip
    for n, line in enumerate(lines, 1):
        name = escape(line.product_name)
        if line.variant_name:
            name += f" — {escape(line.variant_name)}"
        cost = "" if line.unit_cost is None else _money(h, line.unit_cost)
        amount = "" if line.amount is None else _money(h, line.amount)
        more = f"<td align='right'>{h.number(extra[1][n - 1])}</td>" if extra else ""
        rows.append(f"<tr><td>{n}</td><td>{escape(line.sku)}</td><td>{name}</td>"
                    f"<td align='right'>{h.number(line.quantity)}</td>{more}"
                    f"<td align='right'>{cost}</td>"
                    f"<td align='right'>{amount}</td></tr>")  # fmt: skip
    return ('<table width="100%" cellspacing="0" cellpadding="2" style="margin-top:8px">'
            + "".join(rows) + "</table><hr>")  # fmt: skip


def signatures(h: ReportHtml, left: str, right: str) -> str:
    """Two places to sign, side by side, headed by the texts `left` and `right`."""

    def place(key: str) -> str:
        return (f"<td align='center' width='50%'><b>{h.t(key)}</b><br>"
                f"<span style='font-size:8pt'>{h.t('sign')}</span>"
                "<br><br><br><br></td>")  # fmt: skip

    return ('<table width="100%" style="margin-top:14px"><tr>' + place(left)
            + place(right) + "</tr></table>")  # fmt: skip
