"""The end-of-day report (*Cuối ngày*): what one day brought in, for closing the till.

For a day in the shop's time zone, optionally some shops and one staff member:

* **Sales** = the orders placed that day, but for those cancelled that same day or
  cancelled without having been paid: their number, items, goods, discounts, shipping
  and totals, per payment method and per shop. An order returned, or paid and cancelled,
  on a later day still counts as a sale of its day; the money given back counts on the
  day it is given. A day once over stays as it was.
* **Cancelled** = orders placed that day that are no sale of it (cancelled that day, or
  cancelled without having been paid; number and value), shown apart.
* **Refunds** = money given back that day (whenever the order was placed): by returns
  made in this app, and what was paid for an order cancelled on a later day than it was
  placed (a sale on account: the part paid with it, and what it still owed as an
  *On account* refund, as a return would count it); per payment method of the order
  (an exchange's: of the new sale; a sale on account's part paid: the way it was paid).
* **Sold on account** = the day's sales paid `on_account` (owed by their customers; a
  payment line of their own); **debts collected** = what customers paid that day towards
  what they owe, per method (whenever they bought).
* **Net** = sales − refunds; **cash in the drawer** = cash sales − cash refunds + cash
  debts collected − cash paid to suppliers (the float the till started with not
  included).
* **Products sold** = units and line totals per SKU of the day's sales, one line per SKU
  (named after its product now), most sold first.

With a staff member: the orders they created and the refunds they gave (marketplace
orders have no creator, so they drop out). The Orders tab's *End of day* and
`primedist report end-of-day` call this; it needs Orders access.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from primedist.core.clock import local_day_bounds_utc, shop_tz, to_local
from primedist.core.messages import msg
from primedist.domain.enums import Channel, Module, PaymentMethod
from primedist.domain.user import User
from primedist.errors import ValidationError
from primedist.io.xlsx_writer import ReportSheet, XlsxColumn, write_report_workbook
from primedist.queries import end_of_day as q
from primedist.services.context import ServiceContext
from primedist.services.export_support import (
    ExportReport,
    audit_export,
    check_target,
    replaced_when_done,
)
from primedist.services.till import TillCount

#: The order the payment methods are listed in (cash first: it is the till's).
PAYMENT_ORDER = (
    PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD, PaymentMethod.E_WALLET,
    PaymentMethod.COD, PaymentMethod.ON_ACCOUNT, PaymentMethod.OTHER,
)  # fmt: skip


@dataclass(frozen=True)
class PaymentLine:
    """One payment method's sales and refunds of the day."""

    method: PaymentMethod
    orders: int = 0
    total: int = 0
    refunds: int = 0
    refunded: int = 0
    #: Paid by customers this way towards what they owe (sales on account).
    collected: int = 0

    @property
    def net(self) -> int:
        return self.total - self.refunded


@dataclass(frozen=True)
class ShopLine:
    shop_id: int
    name: str
    channel: Channel
    orders: int
    total: int


@dataclass(frozen=True)
class ProductLine:
    sku: str
    name: str
    units: int
    revenue: int


@dataclass(frozen=True)
class EndOfDay:
    """The report of one day (money in đồng)."""

    day: date
    #: Names of the shops it covers; empty = every shop.
    shops: tuple[str, ...]
    #: The staff member it is limited to, if any.
    staff: str | None
    made_at: datetime
    orders: int = 0
    items: int = 0
    goods: int = 0
    discounts: int = 0
    shipping: int = 0
    sales: int = 0
    cancelled_orders: int = 0
    cancelled_total: int = 0
    refunds: int = 0
    #: Of the refunds, those an exchange made (the money paid for the new sale).
    exchanges: int = 0
    refunded_items: int = 0
    refunded: int = 0
    payments: tuple[PaymentLine, ...] = ()
    #: Cash paid out of the drawer to suppliers during the day (Products → Suppliers).
    supplier_cash: int = 0
    #: Paid by customers during the day towards what they owe (every method).
    collected: int = 0
    by_shop: tuple[ShopLine, ...] = ()
    products: tuple[ProductLine, ...] = field(default=())
    #: The day's gross profit (as Analytics counts it, on the day's orders); None for a
    #: user who does not see Analytics (the costs are the shop's).
    gross_profit: int | None = None

    @property
    def net(self) -> int:
        """Sales less the money given back."""
        return self.sales - self.refunded

    @property
    def cash_in_drawer(self) -> int:
        """Cash taken (sales and debts collected) less cash given back and paid to
        suppliers (the till's float not included)."""
        cash = next((p.net + p.collected for p in self.payments
                     if p.method == PaymentMethod.CASH), 0)  # fmt: skip
        return cash - self.supplier_cash

    @property
    def on_account(self) -> int:
        """The day's sales owed by their customers."""
        return next((p.total for p in self.payments if p.method == PaymentMethod.ON_ACCOUNT), 0)

    @property
    def empty(self) -> bool:
        """No sale, cancellation or refund this day (money may still have gone through the
        drawer: see `quiet`)."""
        return not (self.orders or self.cancelled_orders or self.refunds)

    @property
    def quiet(self) -> bool:
        """`empty`, and no debt collected nor cash paid to a supplier either: nothing
        to report at all."""
        return self.empty and not (self.collected or self.supplier_cash)

    @property
    def cash_collected(self) -> int:
        """The debts collected in cash (they are in the drawer; the other ways are not)."""
        return next((p.collected for p in self.payments if p.method == PaymentMethod.CASH), 0)

    def as_dict(self) -> dict[str, Any]:
        """For `--json`: plain values, the derived figures included."""
        data = asdict(self)
        data["day"] = self.day.isoformat()
        data["made_at"] = self.made_at.isoformat()
        data["net"] = self.net
        data["cash_in_drawer"] = self.cash_in_drawer
        for line, payment in zip(data["payments"], self.payments, strict=True):
            line["method"] = payment.method.value
            line["net"] = payment.net
        for line in data["by_shop"]:
            line["channel"] = line["channel"].value
        return data


def end_of_day(
    ctx: ServiceContext,
    day: date | None = None,
    *,
    shop_ids: Sequence[int] = (),
    user_id: int | None = None,
) -> EndOfDay:
    """The end-of-day report of `day` (default: today in the shop's time zone)."""
    ctx.require(Module.ORDERS)
    tz = shop_tz()
    now = ctx.clock.now()
    day = day or to_local(now, tz).date()
    start, end = local_day_bounds_utc(day, tz)
    scope = q.DayScope(start, end, tuple(sorted(set(shop_ids))), user_id)
    with ctx.engine.connect() as conn:
        staff = _staff_name(conn, user_id)
        sales = q.sales_by_payment(conn, scope)
        refunds = q.refunds(conn, scope)
        by_shop = q.sales_by_shop(conn, scope)
        products = q.products_sold(conn, scope)
        supplier_cash = q.supplier_cash(conn, scope)
        collected = q.debts_collected(conn, scope)
        shops = tuple(q.shop_names(conn, scope.shop_ids))
        profit = q.gross_profit(conn, scope) if ctx.can(Module.ANALYTICS) else None
    kept = [r for r in sales if not r.cancelled]
    gone = [r for r in sales if r.cancelled]
    return EndOfDay(
        day=day, shops=shops, staff=staff, made_at=now,
        orders=_sum(kept, "orders"), items=_sum(kept, "items"), goods=_sum(kept, "goods"),
        discounts=_sum(kept, "discounts"), shipping=_sum(kept, "shipping"),
        sales=_sum(kept, "total"),
        cancelled_orders=_sum(gone, "orders"), cancelled_total=_sum(gone, "total"),
        refunds=_sum(refunds, "refunds"), exchanges=_sum(refunds, "exchanges"),
        refunded_items=_sum(refunds, "items"),
        refunded=_sum(refunds, "amount"),
        payments=_payments(kept, refunds, collected), supplier_cash=supplier_cash,
        collected=_sum(collected, "amount"),
        by_shop=tuple(ShopLine(r.id, r.name, Channel(r.channel), int(r.orders), int(r.total))
                      for r in by_shop),
        products=_products(products),
        gross_profit=profit,
    )  # fmt: skip


def drawer_cash_now(ctx: ServiceContext) -> int | None:
    """What the drawer should hold from today's cash so far — End of day's *cash in
    drawer* of every shop and staff member, the float not included —: a cash payment to
    a supplier above it is pointed out before it is made. None for a user without Orders
    access (the day's takings are not theirs to see)."""
    ctx.require(Module.PRODUCTS)
    if not ctx.can(Module.ORDERS):
        return None
    start, end = local_day_bounds_utc(to_local(ctx.clock.now(), shop_tz()).date(), shop_tz())
    scope = q.DayScope(start, end, (), None)
    cash = PaymentMethod.CASH.value
    with ctx.engine.connect() as conn:
        sales = sum(int(r.total) for r in q.sales_by_payment(conn, scope)
                    if r.payment_method == cash and not r.cancelled)  # fmt: skip
        refunds = sum(int(r.amount) for r in q.refunds(conn, scope) if r.payment_method == cash)
        collected = sum(int(r.amount) for r in q.debts_collected(conn, scope)
                        if r.payment_method == cash)  # fmt: skip
        paid_out = q.supplier_cash(conn, scope)
    return sales - refunds + collected - paid_out


def _sum(rows: Sequence[Any], name: str) -> int:
    """A column summed over rows, as an int (PostgreSQL sums bigints as numeric)."""
    return int(sum(getattr(r, name) for r in rows))


def staff_choices(ctx: ServiceContext) -> list[tuple[int, str]]:
    """(id, name) of every account, active first then by name: the report's staff filter
    (a disabled account may still have made the day's sales)."""
    ctx.require(Module.ORDERS)
    users = User.__table__  # type: ignore[attr-defined]
    stmt = sa.select(users.c.id, users.c.name).order_by(users.c.is_active.desc(), users.c.name)
    with ctx.engine.connect() as conn:
        return [(int(i), str(n)) for i, n in conn.execute(stmt)]


def user_id_by_email(ctx: ServiceContext, email: str) -> int:
    """The account with this email (any case); a ValidationError names an unknown one."""
    ctx.require(Module.ORDERS)
    users = User.__table__  # type: ignore[attr-defined]
    wanted = email.strip().lower()
    with ctx.engine.connect() as conn:
        found = conn.execute(sa.select(users.c.id).where(users.c.email == wanted)).scalar()
    if found is None:
        raise ValidationError(msg("No account has the email {email}.", email=wanted),
                              field="staff")  # fmt: skip
    return int(found)


def _staff_name(conn: sa.Connection, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    users = User.__table__  # type: ignore[attr-defined]
    name = conn.execute(sa.select(users.c.name).where(users.c.id == user_id)).scalar()
    if name is None:
        raise ValidationError(msg("There is no staff member {id}.", id=user_id), field="user")
    return str(name)


def _item_name(product: str, variant: str | None) -> str:
    return f"{product} ({variant})" if variant else product


def _products(rows: Sequence[Any]) -> tuple[ProductLine, ...]:
    """One line per SKU (`q.products_sold`), named after its product now (the latest
    line's own name when the product is gone), most units first, then by revenue, name."""
    lines = []
    for r in rows:
        if r.product_name is not None:
            options = " / ".join(o for o in (r.option1, r.option2) if o)
            name = _item_name(r.product_name, options or None)
        else:
            name = _item_name(r.line_product, r.line_variant)
        lines.append(ProductLine(r.sku or "", name, int(r.units), int(r.revenue)))
    return tuple(sorted(lines, key=lambda p: (-p.units, -p.revenue, p.name, p.sku)))


def _payments(
    sales: Sequence[Any], refunds: Sequence[Any], collected: Sequence[Any] = ()
) -> tuple[PaymentLine, ...]:
    """One line per method that had a sale, a refund or a debt paid, in `PAYMENT_ORDER`."""
    lines: dict[PaymentMethod, PaymentLine] = {}
    for r in sales:
        method = PaymentMethod(r.payment_method)
        lines[method] = PaymentLine(method, orders=int(r.orders), total=int(r.total))
    for r in refunds:
        method = PaymentMethod(r.payment_method)
        was = lines.get(method, PaymentLine(method))
        lines[method] = replace(was, refunds=int(r.refunds), refunded=int(r.amount))
    for r in collected:
        method = PaymentMethod(r.payment_method)
        lines[method] = replace(lines.get(method, PaymentLine(method)), collected=int(r.amount))
    return tuple(lines[m] for m in PAYMENT_ORDER if m in lines)


# --------------------------------------------------------------------------- export


@dataclass(frozen=True)
class ReportTexts:
    """The sheet names, headers and labels of the export, in the reader's language (the
    UI passes its translations; the CLI the English or Vietnamese of `texts_for`)."""

    summary: str
    payments: str
    shops: str
    products: str
    #: Summary rows' labels: day, shops, staff, orders, items, goods, discounts,
    #: shipping, sales, cancelled, cancelled value, refunds, refunded items, refunded, net,
    #: cash in drawer.
    labels: tuple[str, ...]
    #: Column headers: payments (method, orders, sales, refunds, refunded, net), shops
    #: (shop, orders, sales), products (SKU, product, units, revenue).
    payment_headers: tuple[str, ...]
    shop_headers: tuple[str, ...]
    product_headers: tuple[str, ...]
    all_shops: str
    all_staff: str
    #: Payment method value → its name.
    methods: dict[str, str]
    #: The summary's gross profit row (for a user who sees Analytics).
    gross_profit: str
    #: The summary's rows of a cash count: opening float, expected in drawer, counted,
    #: difference, note.
    till_labels: tuple[str, ...]


def export_end_of_day(
    ctx: ServiceContext,
    report: EndOfDay,
    path: Path,
    texts: ReportTexts,
    *,
    till: TillCount | None = None,
) -> ExportReport:
    """Write the report to an .xlsx file: a summary sheet (with the gross profit for a
    user who sees Analytics, and with `till`, the cash count as the printout has it),
    then payments, shops and products; numbers as numbers, the day as a date."""
    ctx.require_export(Module.ORDERS)
    target = check_target(path)
    started = time.perf_counter()
    t = texts
    values: list[Any] = [
        report.day, ", ".join(report.shops) or t.all_shops, report.staff or t.all_staff,
        report.orders, report.items, report.goods, report.discounts, report.shipping,
        report.sales, report.cancelled_orders, report.cancelled_total, report.refunds,
        report.refunded_items, report.refunded, report.net, report.supplier_cash,
        report.collected, report.cash_in_drawer,
    ]  # fmt: skip
    kinds = ["date", "text", "text", "int", "int", "money", "money", "money", "money", "int",
             "money", "int", "int", "money", "money", "money", "money", "money"]  # fmt: skip
    summary = list(zip(t.labels, values, strict=True))
    # The costs are the shop's: as on the screen, only for a user who sees Analytics.
    if report.gross_profit is not None and ctx.can(Module.ANALYTICS):
        summary.append((t.gross_profit, report.gross_profit))
        kinds.append("money")
    if till is not None:
        opening, expected, counted, difference, note = t.till_labels
        summary += [(opening, till.opening_float), (expected, till.expected),
                    (counted, till.counted), (difference, till.difference)]  # fmt: skip
        kinds += ["money"] * 4
        if till.note:
            summary.append((note, till.note))
            kinds.append("text")
    sheets = [
        ReportSheet(t.summary, [XlsxColumn("", "text", 28), XlsxColumn("", "text", 28)],
                    summary, tuple(kinds)),
        ReportSheet(t.payments, _columns(t.payment_headers, ("text", "int", "money", "int",
                                                             "money", "money", "money")),
                    [(t.methods.get(p.method.value, p.method.value), p.orders, p.total,
                      p.refunds, p.refunded, p.net, p.collected) for p in report.payments]),
        ReportSheet(t.shops, _columns(t.shop_headers, ("text", "int", "money")),
                    [(s.name, s.orders, s.total) for s in report.by_shop]),
        ReportSheet(t.products, _columns(t.product_headers, ("text", "text", "int", "money")),
                    [(p.sku, p.name, p.units, p.revenue) for p in report.products]),
    ]  # fmt: skip
    with replaced_when_done(target) as tmp:
        rows = write_report_workbook(tmp, sheets)
    return audit_export(
        ctx, "report.end_of_day.export", target,
        msg("Exported the end-of-day report of {day}", day=report.day),
        {"rows": rows, "day": report.day.isoformat()}, started,
    )  # fmt: skip


def _columns(headers: Sequence[str], kinds: Sequence[str]) -> list[XlsxColumn]:
    return [XlsxColumn(h, k, 34 if i == 1 and len(kinds) == 4 else 16)
            for i, (h, k) in enumerate(zip(headers, kinds, strict=True))]  # fmt: skip


#: The export's texts in English and Vietnamese (the CLI; the UI passes its own).
_TEXTS: dict[str, ReportTexts] = {
    "en": ReportTexts(
        "End of day", "Payments", "Shops", "Products",
        ("Day", "Shops", "Staff", "Orders", "Items", "Goods", "Discounts", "Shipping",
         "Sales", "Cancelled orders", "Cancelled value", "Refunds", "Items returned",
         "Refunded", "Net", "Cash paid to suppliers", "Debts collected", "Cash in drawer"),
        ("Payment method", "Orders", "Sales", "Refunds", "Refunded", "Net", "Debts paid"),
        ("Shop", "Orders", "Sales"), ("SKU", "Product", "Units", "Revenue"),
        "All shops", "All staff",
        {"cash": "Cash", "bank_transfer": "Bank transfer", "card": "Card",
         "e_wallet": "E-wallet", "cod": "COD", "other": "Other", "on_account": "On account"},
        "Gross profit",
        ("Opening float", "Expected in drawer", "Counted", "Difference", "Note"),
    ),
    "vi": ReportTexts(
        "Cuối ngày", "Thanh toán", "Gian hàng", "Sản phẩm",
        ("Ngày", "Gian hàng", "Nhân viên", "Số đơn", "Số sản phẩm", "Tiền hàng", "Giảm giá",
         "Phí vận chuyển", "Doanh số", "Đơn đã hủy", "Giá trị đơn hủy", "Lượt hoàn tiền",
         "Sản phẩm trả lại", "Tiền hoàn", "Doanh số thuần", "Tiền mặt trả nhà cung cấp",
         "Thu nợ khách", "Tiền mặt trong két"),
        ("Phương thức thanh toán", "Số đơn", "Doanh số", "Lượt hoàn", "Tiền hoàn", "Doanh số thuần",
         "Thu nợ"),
        ("Gian hàng", "Số đơn", "Doanh số"), ("Mã SKU", "Sản phẩm", "Số lượng", "Doanh thu"),
        "Tất cả gian hàng", "Tất cả nhân viên",
        {"cash": "Tiền mặt", "bank_transfer": "Chuyển khoản", "card": "Thẻ",
         "e_wallet": "Ví điện tử", "cod": "COD", "other": "Khác", "on_account": "Ghi nợ"},
        "Lợi nhuận gộp",
        ("Tiền đầu ca", "Tiền phải có", "Tiền đếm được", "Chênh lệch", "Ghi chú"),
    ),
}  # fmt: skip


def texts_for(lang: str) -> ReportTexts:
    """The export's texts in `lang` (vi or en)."""
    return _TEXTS["vi" if lang == "vi" else "en"]
