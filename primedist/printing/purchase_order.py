"""A purchase order as a printable document (*đơn đặt hàng*), A4 or A5, sent or handed to
the supplier: the shop, the order's code, day, supplier, expected day, note, who ordered;
the lines with quantities and expected costs; the totals; places to sign for the shop that
orders and the supplier who confirms. Once goods came, what came of each line and the
order's state. Fixed shape, every value escaped.

`purchase_order_text` is the same order as plain text, to paste into the chat with the
supplier (Zalo, Messenger…), where most small shops send their orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from primedist.core.clock import format_date, format_datetime, shop_tz
from primedist.core.money import format_money, format_number
from primedist.domain.purchase_order import OPEN_STATES, PurchaseOrderState
from primedist.printing.content import ShopDetails, check_lang, pick
from primedist.printing.documents import Document
from primedist.printing.goods_receipt import (
    TEXTS,
    head_table,
    lines_and_units,
    lines_table,
    shop_and_title,
    signatures,
)
from primedist.printing.model import Paper
from primedist.printing.report_html import ReportHtml
from primedist.printing.template import escape, plain
from primedist.services.purchase_orders import OrderLineRow, OrderRow

_T: dict[str, tuple[str, str]] = {
    **TEXTS,
    "title": ("PURCHASE ORDER", "ĐƠN ĐẶT HÀNG"),
    "code": ("Order", "Số đơn"),
    "when": ("Ordered", "Ngày đặt"),
    "expected": ("Expected on", "Ngày giao dự kiến"),
    "by": ("Ordered by", "Người đặt"),
    "contact": ("Contact", "Liên hệ"),
    "state": ("State", "Trạng thái"),
    "unit_cost": ("Expected unit cost", "Đơn giá dự kiến"),
    "received_qty": ("Received", "Đã nhận"),
    "received_units": ("Units received", "Số lượng đã nhận"),
    "awaited": ("Units still to come", "Số lượng còn chờ giao"),
    "orderer": ("Ordered by (the shop)", "Bên đặt hàng"),
    "confirms": ("Supplier (confirmed by)", "Nhà cung cấp xác nhận"),
    "from": ("From", "Bên đặt"),
    "to": ("To", "Gửi"),
    PurchaseOrderState.ORDERED: ("Ordered", "Đã đặt hàng"),
    PurchaseOrderState.PARTLY_RECEIVED: ("Partly received", "Đã nhận một phần"),
    PurchaseOrderState.RECEIVED: ("Received in full", "Đã nhận đủ"),
    PurchaseOrderState.CLOSED: ("Closed", "Đã đóng"),
    PurchaseOrderState.CANCELLED: ("Cancelled", "Đã hủy"),
}


def purchase_order_document(
    order: OrderRow,
    lines: Sequence[OrderLineRow],
    shop: ShopDetails,
    *,
    lang: str,
    paper: Paper = Paper.A4,
    tz: tzinfo | None = None,
    contact: str = "",
) -> Document:
    """The order filled in, ready for Qt to render on `paper` (A4 or A5); `contact` is the
    supplier's phone and address (under its name)."""
    h = ReportHtml(check_lang(lang), tz or shop_tz(), _T)
    came = any(line.received for line in lines)
    units = lines_and_units(len(lines), order.units, h.lang)
    totals = [h.row(f"<b>{h.t('total')}</b> ({units})", h.money(order.total_cost), bold=True)]
    if came:
        totals.append(h.row(h.t("received_units"), h.number(order.received_units)))
    if came and order.state in OPEN_STATES:
        totals.append(h.row(h.t("awaited"), h.number(order.awaited_units), bold=True))
    parts = ["<html><body>", *shop_and_title(h, shop), head_table(_head(h, order, contact)),
             lines_table(h, lines, ("received_qty", [ln.received for ln in lines]) if came
                         else None),
             h.table(totals), signatures(h, "orderer", "confirms"), "</body></html>"]  # fmt: skip
    return Document(f"{pick(_T['title'], lang)} {order.code}", "".join(parts), paper)


def _head(h: ReportHtml, order: OrderRow, contact: str) -> list[tuple[str, str]]:
    rows = [(h.t("code"), escape(order.code)), (h.t("when"), h.when(order.created_at)),
            (h.t("supplier"), escape(order.supplier))]  # fmt: skip
    if contact:
        rows.append((h.t("contact"), escape(contact)))
    if order.expected_on is not None:
        rows.append((h.t("expected"), h.day(order.expected_on)))
    if order.note:
        rows.append((h.t("note"), escape(order.note)))
    rows.append((h.t("by"), escape(order.ordered_by)))
    # An order printed before anything came is the one sent to the supplier: no state then.
    if order.state != PurchaseOrderState.ORDERED:
        reason = order.cancel_reason or order.close_reason
        rows.append((h.t("state"), h.t(order.state) + (f" ({escape(reason)})" if reason else "")))
    return rows


def purchase_order_text(
    order: OrderRow, lines: Sequence[OrderLineRow], shop: ShopDetails, *, lang: str,
    tz: tzinfo | None = None,
) -> str:  # fmt: skip
    """The order as plain text for a chat message: title and code, who orders (the shop,
    its phone), to whom, the day, the expected day, the note; one numbered line a SKU with
    how many (and the expected unit cost when agreed); the totals. Plain text (`plain`: no
    control characters)."""
    lang, tz = check_lang(lang), tz or shop_tz()

    def t(key: str) -> str:
        return pick(_T[key], lang)

    head = [f"{t('title')} {order.code}"]
    if shop.name:
        head.append(f"{t('from')}: {shop.name}" + (f" · {shop.phone}" if shop.phone else ""))
    head += [f"{t('to')}: {order.supplier}",
             f"{t('when')}: {format_datetime(order.created_at, tz, lang)}"]  # fmt: skip
    if order.expected_on is not None:
        head.append(f"{t('expected')}: {format_date(order.expected_on, lang)}")
    if order.note:
        head.append(f"{t('note')}: {order.note}")
    body = []
    for n, line in enumerate(lines, 1):
        name = f"{line.product_name} — {line.variant_name}" if line.variant_name \
            else line.product_name  # fmt: skip
        cost = "" if line.unit_cost is None else f" × {format_money(line.unit_cost, lang)}"
        body.append(f"{n}. {line.sku} · {name}: {format_number(line.quantity, lang)}{cost}")
    units = lines_and_units(len(lines), order.units, lang)
    total = f"{t('total')}: {units}"
    if order.total_cost:
        total += f" · {format_money(order.total_cost, lang)}"
    return plain("\n".join([*head, "", *body, "", total]))
