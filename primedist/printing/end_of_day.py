"""The end-of-day report as a printable document (the receipt printer's roll, or A4/A5).

Not a user template: the report's shape is fixed. Every value is escaped; money is
formatted for the document's language.
"""

from __future__ import annotations

from datetime import tzinfo

from primedist.core.clock import format_date, format_datetime, shop_tz
from primedist.core.money import format_money, format_number
from primedist.printing.content import ShopDetails, check_lang, pick
from primedist.printing.documents import Document
from primedist.printing.model import Paper
from primedist.printing.template import escape
from primedist.services.end_of_day import EndOfDay

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
    "net": ("Net", "Thực thu"),
    "cash": ("Cash in drawer", "Tiền mặt trong két"),
    "cancelled": ("Cancelled orders", "Đơn đã hủy"),
    "refunds": ("Refunds", "Lượt hoàn tiền"),
    "by_payment": ("By payment method", "Theo phương thức thanh toán"),
    "by_shop": ("By shop", "Theo gian hàng"),
    "products": ("Products sold", "Sản phẩm đã bán"),
    "nothing": ("No sales, cancellations or refunds this day.",
                "Không có bán hàng, hủy đơn hay hoàn tiền trong ngày."),
    "float": ("Cash in drawer = cash sales − cash refunds (without the opening float).",
              "Tiền mặt trong két = tiền mặt bán hàng − tiền mặt hoàn (chưa gồm tiền đầu ca)."),
    "more": ("… and {n} more", "… và {n} sản phẩm khác"),
}  # fmt: skip
_METHODS: dict[str, tuple[str, str]] = {
    "cash": ("Cash", "Tiền mặt"), "bank_transfer": ("Bank transfer", "Chuyển khoản"),
    "card": ("Card", "Thẻ"), "e_wallet": ("E-wallet", "Ví điện tử"), "cod": ("COD", "COD"),
    "other": ("Other", "Khác"),
}  # fmt: skip
#: Product rows printed on a roll (the export has them all).
ROLL_PRODUCTS = 30


def end_of_day_document(
    report: EndOfDay, shop: ShopDetails, *, lang: str, paper: Paper, tz: tzinfo | None = None
) -> Document:
    """The report filled in, ready for Qt to render on `paper`."""
    lang = check_lang(lang)
    tz = tz or shop_tz()

    def t(key: str) -> str:
        return escape(pick(_T[key], lang))

    def money(amount: int) -> str:
        return escape(format_money(amount, lang))

    def number(n: int) -> str:
        return escape(format_number(n, lang))

    def row(label: str, value: str, bold: bool = False) -> str:
        if bold:
            label, value = f"<b>{label}</b>", f"<b>{value}</b>"
        return f'<tr><td>{label}</td><td align="right">{value}</td></tr>'

    def table(rows: list[str]) -> str:
        return '<table width="100%" cellspacing="0" cellpadding="1">' + "".join(rows) + "</table>"

    parts = ["<html><body>"]
    if shop.name:
        parts.append(f'<p align="center" style="font-size:12pt; font-weight:bold; margin:0">'
                     f"{escape(shop.name)}</p>")  # fmt: skip
    parts.append(f'<p align="center" style="font-size:11pt; font-weight:bold; margin-top:6px; '
                 f'margin-bottom:4px">{t("title")}</p>')  # fmt: skip
    shops = escape(", ".join(report.shops)) if report.shops else t("all_shops")
    staff = escape(report.staff) if report.staff else t("all_staff")
    parts.append(table([
        row(t("day"), escape(format_date(report.day, lang))),
        row(t("shops"), shops),
        row(t("staff"), staff),
        row(t("printed"), escape(format_datetime(report.made_at, tz, lang))),
    ]))  # fmt: skip
    parts.append("<hr>")
    if report.empty:
        parts.append(f"<p>{t('nothing')}</p></body></html>")
        return Document(pick(_T["title"], lang), "".join(parts), paper)
    parts.append(table([
        row(t("orders"), number(report.orders)),
        row(t("items"), number(report.items)),
        row(t("goods"), money(report.goods)),
        row(t("discounts"), money(-report.discounts)),
        row(t("shipping"), money(report.shipping)),
        row(t("sales"), money(report.sales), bold=True),
        row(f"{t('refunded')} ({number(report.refunds)})", money(-report.refunded)),
        row(t("net"), money(report.net), bold=True),
        row(t("cash"), money(report.cash_in_drawer), bold=True),
        row(f"{t('cancelled')} ({number(report.cancelled_orders)})",
            money(report.cancelled_total)),
    ]))  # fmt: skip
    if report.payments:
        parts.append(f"<hr><p style='margin:0'><b>{t('by_payment')}</b></p>")
        parts.append(table([
            row(f"{escape(pick(_METHODS[p.method.value], lang))} ({number(p.orders)})",
                money(p.net))
            for p in report.payments
        ]))  # fmt: skip
    if len(report.by_shop) > 1:
        parts.append(f"<hr><p style='margin:0'><b>{t('by_shop')}</b></p>")
        parts.append(table([row(f"{escape(s.name)} ({number(s.orders)})", money(s.total))
                            for s in report.by_shop]))  # fmt: skip
    if report.products:
        shown = report.products[:ROLL_PRODUCTS] if paper in (Paper.ROLL_80, Paper.ROLL_58) \
            else report.products  # fmt: skip
        parts.append(f"<hr><p style='margin:0'><b>{t('products')}</b></p>")
        rows = [row(f"{escape(p.name)}<br><span style='font-size:7pt'>{escape(p.sku)}</span>",
                    f"{number(p.units)}<br><span style='font-size:7pt'>{money(p.revenue)}</span>")
                for p in shown]  # fmt: skip
        if len(report.products) > len(shown):
            more = pick(_T["more"], lang).format(n=len(report.products) - len(shown))
            rows.append(row(escape(more), ""))
        parts.append(table(rows))
    parts.append(f"<hr><p style='font-size:7pt; margin:0'>{t('float')}</p></body></html>")
    return Document(pick(_T["title"], lang), "".join(parts), paper)
