"""Orders to filled HTML documents (what Qt then renders, prints or rasterises)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from primedist.core.clock import as_utc, format_date, shop_tz
from primedist.core.money import format_money
from primedist.domain.customer import Customer
from primedist.domain.enums import Channel, OrderSource, OrderStatus, PaymentMethod
from primedist.domain.order import Order, OrderLine
from primedist.domain.shop import Shop
from primedist.printing import store
from primedist.printing.content import (
    LARGE_FONT_SCALE,
    DocOptions,
    Payment,
    ShopDetails,
    chat_message,
    check_lang,
    order_context,
    pick,
)
from primedist.printing.model import DocumentType, Paper, template_spec
from primedist.printing.template import TAG, fill, plain
from primedist.services.context import ServiceContext
from primedist.services.orders import OrderDetail, order_detail

if TYPE_CHECKING:  # imported where used: see `account_reminder`
    from primedist.services.customer_account import AccountEntry


@dataclass(frozen=True)
class Document:
    """One filled document, ready for Qt."""

    title: str
    html: str
    paper: Paper
    #: The body text's size against the paper's (`LARGE_FONT_SCALE` for Options' Large text).
    font_scale: float = 1.0


def names_used(html: str) -> set[str]:
    """The placeholder names a template mentions (to skip making unused images)."""
    return {m.group(2) for m in TAG.finditer(html)}


def fill_order(
    detail: OrderDetail,
    template_html: str,
    doc_type: DocumentType,
    *,
    shop: ShopDetails,
    lang: str,
    paper: Paper,
    payment: Payment | None = None,
    ctx: ServiceContext | None = None,
    options: DocOptions | None = None,
) -> Document:
    data_dir = ctx.settings.data_dir if ctx is not None and ctx.settings else None
    now = ctx.clock.now() if ctx is not None else None
    values = order_context(
        detail, shop, doc_type, lang, now=now, data_dir=data_dir,
        payment=payment or Payment(), wanted=names_used(template_html), options=options,
    )  # fmt: skip
    scale = LARGE_FONT_SCALE if options is not None and options.large_font else 1.0
    return Document(detail.order.external_id, fill(template_html, values), paper, scale)


def order_documents(
    ctx: ServiceContext,
    order_ids: Iterable[int],
    template: str,
    *,
    lang: str = "vi",
    paper: Paper | None = None,
    payment: Payment | None = None,
) -> list[Document]:
    """The filled template for each order (the template and shop details read once)."""
    check_lang(lang)
    spec = template_spec(template)
    html = store.load_template(ctx, template)
    shop = shop_details_or_name(ctx)
    options = store.load_options(ctx, spec.doc_type)
    return [
        fill_order(
            order_detail(ctx, order_id),
            html,
            spec.doc_type,
            shop=shop,
            lang=lang,
            paper=paper or spec.paper,
            payment=payment,
            ctx=ctx,
            options=options,
        )  # fmt: skip
        for order_id in order_ids
    ]


def order_messages(ctx: ServiceContext, order_ids: Iterable[int], *, lang: str = "vi") -> str:
    """Each order as a message for the customer's chat (`content.chat_message`), a blank
    line between two."""
    check_lang(lang)
    shop = shop_details_or_name(ctx)
    now = ctx.clock.now()
    return "\n\n".join(
        chat_message(order_context(order_detail(ctx, order_id), shop, DocumentType.RECEIPT,
                                   lang, now=now, wanted=()), lang)
        for order_id in order_ids
    )  # fmt: skip


#: Sales on account a reminder lists (the newest; the rest are counted).
REMINDER_SALES = 10
_REMINDER: dict[str, tuple[str, str]] = {
    "hello": ("Hello {name},", "Chào {name},"),
    "intro": ("{shop}: what you owe us for goods taken on account.",
              "{shop} xin gửi thông tin công nợ của quý khách:"),
    "left": ("{amount} still owed", "còn nợ {amount}"),
    "more": ("… and {n} more", "… và {n} đơn khác"),
    "bought": ("Bought on account", "Tổng mua ghi nợ"),
    "adjusted": ("Earlier debt and adjustments", "Nợ cũ và điều chỉnh"),
    "paid": ("Paid", "Đã trả"),
    "owed": ("Owed", "Còn nợ"),
    "thanks": ("Thank you!", "Cảm ơn quý khách!"),
}  # fmt: skip


def account_reminder(ctx: ServiceContext, customer_id: int, *, lang: str = "vi") -> str:
    """A message for the customer's chat (Zalo, Messenger…) saying what they owe: the
    open sales on account (`_open_sales`, the newest `REMINDER_SALES`; one paid in part
    says what is left of it), what they bought, paid and owe
    (`services.customer_account`). Text: nothing escaped (`plain`: no control
    characters)."""
    from primedist.services import customer_account as account

    check_lang(lang)
    balance = account.get_balance(ctx, customer_id)
    sales = _open_sales(account.account_entries(ctx, customer_id), balance.owed)
    with ctx.uow() as session:
        customer = session.get(Customer, customer_id)
        name = customer.name if customer else ""
    shop = shop_details_or_name(ctx).name

    def t(key: str, **values: object) -> str:
        return pick(_REMINDER[key], lang).format(**values)

    def money(amount: int) -> str:
        return format_money(amount, lang)

    def line(sale: OpenSale) -> str:
        e = sale.entry
        text = f"• {e.reference} — {format_date(as_utc(e.when), lang, shop_tz())} — "
        text += money(sale.amount)
        if sale.left < sale.amount:
            text += f" ({t('left', amount=money(sale.left))})"
        return text

    out = [t("hello", name=name), t("intro", shop=shop or "")]
    out += [line(sale) for sale in sales[:REMINDER_SALES]]
    if len(sales) > REMINDER_SALES:
        out.append(t("more", n=len(sales) - REMINDER_SALES))
    out += ["", f"{t('bought')}: {money(balance.sold)}"]
    if balance.adjusted:
        out.append(f"{t('adjusted')}: {'+' if balance.adjusted > 0 else ''}"
                   f"{money(balance.adjusted)}")  # fmt: skip
    out += [f"{t('paid')}: {money(balance.paid)}",
            f"{t('owed')}: {money(balance.owed)}", "", t("thanks")]  # fmt: skip
    return plain("\n".join(out))


@dataclass(frozen=True)
class OpenSale:
    """A sale on account of a reminder: its amount (net of what was refunded onto the
    account) and what is still owed on it."""

    entry: AccountEntry
    amount: int
    left: int


def _open_sales(entries: Sequence[AccountEntry], owed: int) -> list[OpenSale]:
    """The standing sales on account still owed, newest first: payments pay off the oldest
    sales first, as a shop owner counts, so what is owed is the newest sales' (the oldest
    of them paid in part). What their amounts do not cover is older debt (adjustments)."""
    refunded: defaultdict[int, int] = defaultdict(int)
    for e in entries:
        if e.kind == "refund":
            refunded[e.entity_id] -= e.amount  # a refund's amount is below zero
    out: list[OpenSale] = []
    for e in entries:  # newest first
        if owed <= 0:
            break
        if e.kind != "sale" or not e.standing:
            continue
        amount = e.amount - refunded.get(e.entity_id, 0)
        if amount > 0:
            out.append(OpenSale(e, amount, min(amount, owed)))
            owed -= amount
    return out


def shop_details_or_name(ctx: ServiceContext) -> ShopDetails:
    return store.load_shop_details(ctx)


def sample_detail(lang: str = "vi") -> OrderDetail:
    """A believable counter order for previews and test pages (never stored): with a
    line discount and a shipping fee, so the template editor shows what its discount and
    `adjustments` parts print."""
    now = datetime(2026, 11, 20, 3, 5, tzinfo=UTC)
    shop = Shop(id=0, name="Cửa hàng" if lang == "vi" else "Counter", channel=Channel.OFFLINE)
    lines = (
        OrderLine(order_id=0, sku="NEN-TD-01", product_name="Nến thơm tinh dầu",
                  variant_name="Oải hương", quantity=2, unit_price=45_000, discount=10_000,
                  subtotal=80_000),
        OrderLine(order_id=0, sku="BXP-250", product_name="Bình xịt phòng hương sả chanh",
                  variant_name=None, quantity=1, unit_price=96_000, discount=0,
                  subtotal=96_000),
    )  # fmt: skip
    order = Order(
        id=0, shop_id=0, external_id="HD-20261120-0001", source=OrderSource.COUNTER,
        status=OrderStatus.COMPLETED, payment_method=PaymentMethod.CASH,
        buyer_name="Nguyễn Thị Hoa", buyer_phone="0939921717", ship_name="Nguyễn Thị Hoa",
        ship_phone="0939921717", ship_address="12 Lý Tự Trọng", ship_ward="Phường Bến Nghé",
        ship_province="TP. Hồ Chí Minh", item_count=3, subtotal=176_000, shipping_fee=20_000,
        seller_discount=0, total=196_000, paid_amount=196_000,
        buyer_note="Gói quà giúp em" if lang == "vi" else "Gift wrap, please",
        staff_note="STAFF ONLY", created_at=now, updated_at=now,
    )  # fmt: skip
    customer = Customer(id=0, code="", name="Nguyễn Thị Hoa", points_balance=1_250)
    return OrderDetail(order, shop, lines, (), customer, goods_weight_g=1_150)


SAMPLE_SHOP = ShopDetails(
    name="Prime Distribution",
    address="12 Lý Tự Trọng, Phường Bến Nghé, TP. Hồ Chí Minh",
    phone="028 3822 1234",
    tax_code="0312345678",
)
