"""The end-of-day report as a printable document (the receipt printer's roll, or A4/A5).

Not a user template: the report's shape is fixed. Every value is escaped; money is
formatted for the document's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from primedist.core.clock import format_date, shop_tz
from primedist.core.money import format_money, format_number
from primedist.printing.content import ShopDetails, check_lang, pick
from primedist.printing.documents import Document
from primedist.printing.model import Paper
from primedist.printing.report_html import ReportHtml
from primedist.printing.template import escape, plain
from primedist.services.end_of_day import EndOfDay
from primedist.services.till import TillCount

_T: dict[str, tuple[str, str]] = {
    "title": ("END OF DAY", "BÁO CÁO CUỐI NGÀY"),
    "day": ("Day", "Ngày"),
    "shops": ("Shops", "Gian hàng"),
    "all_shops": ("All shops", "Tất cả gian hàng"),
    "staff": ("Staff", "Nhân viên"),
    "all_staff": ("All staff", "Tất cả nhân viên"),
    "printed": ("Printed", "In lúc"),
    "orders": ("Orders", "Số đơn"),
    "items": ("Items", "Số sản phẩm"),
    "goods": ("Goods", "Tiền hàng"),
    "discounts": ("Discounts", "Giảm giá"),
    "shipping": ("Shipping", "Phí vận chuyển"),
    "sales": ("Sales", "Doanh số"),
    "refunded": ("Refunded", "Tiền hoàn"),
    "net": ("Net", "Doanh số thuần"),
    "cash": ("Cash in drawer", "Tiền mặt trong két"),
    "paid_out": ("Cash paid to suppliers", "Tiền mặt trả nhà cung cấp"),
    "collected": ("Debts collected (cash)", "Thu nợ khách (tiền mặt)"),
    "collected_all": ("Debts collected", "Thu nợ khách"),
    "on_account": ("Sold on account", "Bán ghi nợ"),
    "cancelled": ("Cancelled orders", "Đơn đã hủy"),
    "refunds": ("Refunds", "Lượt hoàn tiền"),
    "by_payment": ("By payment method", "Theo phương thức thanh toán"),
    "by_shop": ("By shop", "Theo gian hàng"),
    "products": ("Products sold", "Sản phẩm đã bán"),
    "nothing": ("No sales, cancellations or refunds this day.",
                "Không có bán hàng, hủy đơn hay hoàn tiền trong ngày."),
    "cash_note": ("Cash in drawer = cash sales − cash refunds + cash debts collected − cash "
                  "paid to suppliers (without the opening float).",
                  "Tiền mặt trong két = tiền mặt bán hàng − tiền mặt hoàn + tiền mặt thu nợ − "
                  "tiền mặt trả nhà cung cấp (chưa gồm tiền đầu ca)."),
    "more": ("… and {n} more", "… và {n} sản phẩm khác"),
    "till": ("Cash count", "Kiểm két"),
    "float": ("Opening float", "Tiền đầu ca"),
    "expected": ("Expected in drawer", "Tiền phải có"),
    "counted": ("Counted", "Tiền đếm được"),
    "difference": ("Difference", "Chênh lệch"),
    # The difference in words, as the screen has it (a bare "-43.000 ₫" read as a figure).
    "short": ("{amount} short", "thiếu {amount}"),
    "over": ("{amount} over", "thừa {amount}"),
    "exact": ("Exact", "Khớp"),
    "counted_by": ("Counted by", "Người kiểm"),
    "signature": ("Cashier's signature", "Thu ngân ký"),
}  # fmt: skip
_METHODS: dict[str, tuple[str, str]] = {
    "cash": ("Cash", "Tiền mặt"), "bank_transfer": ("Bank transfer", "Chuyển khoản"),
    "card": ("Card", "Thẻ"), "e_wallet": ("E-wallet", "Ví điện tử"), "cod": ("COD", "COD"),
    "other": ("Other", "Khác"), "on_account": ("On account", "Ghi nợ"),
}  # fmt: skip
#: Product rows printed on a roll (the export has them all).
ROLL_PRODUCTS = 30


def end_of_day_document(
    report: EndOfDay,
    shop: ShopDetails,
    *,
    lang: str,
    paper: Paper,
    till: TillCount | None = None,
    tz: tzinfo | None = None,
) -> Document:
    """The report filled in, ready for Qt to render on `paper`; with `till`, the cash
    count below it (and a line to sign)."""
    h = ReportHtml(check_lang(lang), tz or shop_tz(), _T)
    parts = ["<html><body>", *h.head(shop.name)]
    parts.append(h.table([
        h.row(h.t("day"), h.day(report.day)),
        h.row(h.t("shops"), escape(", ".join(report.shops)) if report.shops
              else h.t("all_shops")),
        h.row(h.t("staff"), escape(report.staff) if report.staff else h.t("all_staff")),
        h.row(h.t("printed"), h.when(report.made_at)),
    ]))  # fmt: skip
    parts.append("<hr>")
    if report.empty:
        # Debts collected and cash paid to suppliers still went through the drawer.
        parts.append(f"<p>{h.t('nothing')}</p>")
        if not report.quiet:
            parts.append(h.table(_drawer_rows(h, report)))
    else:
        parts += _figures(h, report, paper)
    if till is not None:
        parts += _till(h, till)
    parts.append(f"<hr><p style='font-size:7pt; margin:0'>{h.t('cash_note')}</p></body></html>")
    return Document(pick(_T["title"], lang), "".join(parts), paper)


def _drawer_rows(h: ReportHtml, report: EndOfDay) -> list[str]:
    """What went in and out of the drawer besides the sales (debts collected, cash paid
    to suppliers), then the cash it should hold."""
    cash_collected = report.cash_collected
    rows = []
    if report.collected != cash_collected:
        rows.append(h.row(h.t("collected_all"), h.money(report.collected)))
    if cash_collected:
        rows.append(h.row(h.t("collected"), h.money(cash_collected)))
    if report.supplier_cash:
        rows.append(h.row(h.t("paid_out"), h.money(-report.supplier_cash)))
    return [*rows, h.row(h.t("cash"), h.money(report.cash_in_drawer), bold=True)]


def _figures(h: ReportHtml, report: EndOfDay, paper: Paper) -> list[str]:
    parts = [h.table([
        h.row(h.t("orders"), h.number(report.orders)),
        h.row(h.t("items"), h.number(report.items)),
        h.row(h.t("goods"), h.money(report.goods)),
        h.row(h.t("discounts"), h.money(-report.discounts)),
        h.row(h.t("shipping"), h.money(report.shipping)),
        h.row(h.t("sales"), h.money(report.sales), bold=True),
        h.row(f"{h.t('refunded')} ({h.number(report.refunds)})", h.money(-report.refunded)),
        h.row(h.t("net"), h.money(report.net), bold=True),
        *([h.row(h.t("on_account"), h.money(report.on_account))] if report.on_account else []),
        *_drawer_rows(h, report),
        h.row(f"{h.t('cancelled')} ({h.number(report.cancelled_orders)})",
              h.money(report.cancelled_total)),
    ])]  # fmt: skip
    if report.payments:
        parts.append(h.section("by_payment", [
            h.row(f"{escape(pick(_METHODS[p.method.value], h.lang))} ({h.number(p.orders)})",
                  h.money(p.net))
            for p in report.payments
        ]))  # fmt: skip
    if len(report.by_shop) > 1:
        parts.append(h.section("by_shop", [
            h.row(f"{escape(s.name)} ({h.number(s.orders)})", h.money(s.total))
            for s in report.by_shop
        ]))  # fmt: skip
    if report.products:
        roll = paper in (Paper.ROLL_80, Paper.ROLL_58)
        shown = report.products[:ROLL_PRODUCTS] if roll else report.products
        rows = [h.row(f"{escape(p.name)}<br><span style='font-size:7pt'>{escape(p.sku)}</span>",
                      f"{h.number(p.units)}<br><span style='font-size:7pt'>"
                      f"{h.money(p.revenue)}</span>")
                for p in shown]  # fmt: skip
        if len(report.products) > len(shown):
            more = pick(_T["more"], h.lang).format(n=len(report.products) - len(shown))
            rows.append(h.row(escape(more), ""))
        parts.append(h.section("products", rows))
    return parts


def _till(h: ReportHtml, till: TillCount) -> list[str]:
    parts = [h.section("till", [
        h.row(h.t("float"), h.money(till.opening_float)),
        h.row(h.t("expected"), h.money(till.expected)),
        h.row(h.t("counted"), h.money(till.counted), bold=True),
        h.row(h.t("difference"), _difference(till.difference, h.t, h.money), bold=True),
        h.row(h.t("counted_by"), f"{escape(till.counted_by or '')} {h.when(till.created_at)}"),
    ])]  # fmt: skip
    if till.note:
        parts.append(f"<p style='margin:0'>{escape(till.note)}</p>")
    parts.append(f"<p style='margin-top:14px'>{h.t('signature')}:</p><br><br>")
    return parts


#: Best-selling products in the chat text (the printout and the export have them all).
CHAT_PRODUCTS = 5


def end_of_day_text(
    report: EndOfDay, shop_name: str | None, *, lang: str, till: TillCount | None = None
) -> str:
    """The report as a short message for the owner's chat (Zalo, Messenger…): the day's
    figures, the payment methods and the best sellers; with `till`, the cash count. Plain
    text: nothing escaped (`plain`: no control characters)."""
    lang = check_lang(lang)

    def t(key: str) -> str:
        return pick(_T[key], lang)

    def money(amount: int) -> str:
        return format_money(amount, lang)

    def number(n: int) -> str:
        return format_number(n, lang)

    shops = ", ".join(report.shops) if report.shops else t("all_shops")
    lines = [f"{shop_name} — {t('title')}" if shop_name else t("title"),
             f"{t('day')}: {format_date(report.day, lang)} · {shops}"]  # fmt: skip
    if report.staff:
        lines.append(f"{t('staff')}: {report.staff}")
    # Debts collected and cash paid to suppliers go through the drawer even on a day
    # without sales.
    drawer = _drawer_lines(report, t, money)
    if report.empty:
        lines.append(t("nothing"))
        if not report.quiet:
            lines += drawer
        if till is not None:
            lines.append(_till_line(till, t, money))
        return plain("\n".join(lines))
    lines += [
        f"{t('orders')}: {number(report.orders)} · {t('items')}: {number(report.items)}",
        f"{t('sales')}: {money(report.sales)}",
        f"{t('refunded')} ({number(report.refunds)}): {money(-report.refunded)}",
        f"{t('net')}: {money(report.net)}",
        *drawer,
    ]
    if report.cancelled_orders:
        lines.append(f"{t('cancelled')}: {number(report.cancelled_orders)} "
                     f"({money(report.cancelled_total)})")  # fmt: skip
    if report.payments:
        lines.append(f"{t('by_payment')}:")
        lines += [f"• {pick(_METHODS[p.method.value], lang)} ({number(p.orders)}): "
                  f"{money(p.net)}" for p in report.payments]  # fmt: skip
    if report.products:
        lines.append(f"{t('products')}:")
        lines += [f"• {p.name} ({p.sku}): {number(p.units)} · {money(p.revenue)}"
                  for p in report.products[:CHAT_PRODUCTS]]  # fmt: skip
        if len(report.products) > CHAT_PRODUCTS:
            lines.append(t("more").format(n=len(report.products) - CHAT_PRODUCTS))
    if till is not None:
        lines.append(_till_line(till, t, money))
    return plain("\n".join(lines))


def _drawer_lines(
    report: EndOfDay, t: Callable[[str], str], money: Callable[[int], str]
) -> list[str]:
    """`_drawer_rows` as lines of text."""
    cash_collected = report.cash_collected
    lines = []
    if report.collected != cash_collected:
        lines.append(f"{t('collected_all')}: {money(report.collected)}")
    if cash_collected:
        lines.append(f"{t('collected')}: {money(cash_collected)}")
    if report.supplier_cash:
        lines.append(f"{t('paid_out')}: {money(-report.supplier_cash)}")
    return [*lines, f"{t('cash')}: {money(report.cash_in_drawer)}"]


def _till_line(till: TillCount, t: Callable[[str], str], money: Callable[[int], str]) -> str:
    return (f"{t('till')}: {t('counted')} {money(till.counted)} · "
            f"{t('difference')}: {_difference(till.difference, t, money)}")  # fmt: skip


def _difference(difference: int, t: Callable[[str], str], money: Callable[[int], str]) -> str:
    """Counted − expected in words: "43.000 ₫ short", "7.000 ₫ over" or "Exact"."""
    if difference == 0:
        return t("exact")
    return t("short" if difference < 0 else "over").format(amount=money(abs(difference)))
