"""What a printed document says: the named values of an order, in Vietnamese or English.

`PLACEHOLDERS` documents every name a template may use (Settings shows the list);
`order_context` fills them from an order (`services.orders.order_detail`). Money uses
`core.money.format_money`, times the shop's time zone. The staff note is never among the
values: no template can print it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from primedist.core.clock import as_utc, format_datetime, shop_tz
from primedist.core.messages import msg
from primedist.core.money import format_money, format_number
from primedist.core.phone import format_phone
from primedist.domain.enums import OrderStatus, PaymentMethod
from primedist.domain.order import Order
from primedist.printing import codes
from primedist.printing.model import DocumentType
from primedist.printing.template import Context, Value, plain, plain_line
from primedist.services.orders import OrderDetail

LANGS = ("vi", "en")


@dataclass(frozen=True)
class ShopDetails:
    """The shop as printed at the top of every document (Settings → Printers & templates)."""

    name: str = ""
    address: str = ""
    phone: str = ""
    tax_code: str = ""
    #: An image file (absolute, or relative to the data dir); "" = no logo.
    logo_path: str = ""
    #: The last line of a receipt; "" = the default thank-you line.
    footer: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShopDetails:
        return cls(**{k: str(data.get(k) or "") for k in cls.__dataclass_fields__})


#: The longest thank-you message of the Options form (a few lines at the foot of a receipt).
MAX_MESSAGE_CHARS = 500


@dataclass(frozen=True)
class DocOptions:
    """What the shop owner picks for a document type in Settings → Printers & templates →
    Options, without touching the HTML. The shipped templates read them as placeholders;
    the logo, address, phone and points are emptied when hidden, so a shop's own template
    (all of them test these with `{{#…}}`) follows those too."""

    #: The thank-you message at the foot, several lines; "" = the shop's footer line.
    message: str = ""
    show_logo: bool = True
    show_address: bool = True
    show_phone: bool = True
    #: The order number's barcode / QR code.
    show_code: bool = True
    #: The customer's points balance (receipts).
    show_points: bool = False
    #: "Cashier: Lan": who made the sale (receipts; none for a marketplace order).
    show_cashier: bool = False
    #: The SKU of each line (the invoice and the packing slip have it in a column).
    show_sku: bool = True
    #: The document's text one size larger (for older eyes, a far-away packer).
    large_font: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, doc_type: DocumentType, data: Mapping[str, Any]) -> DocOptions:
        """Unknown or missing keys keep the document type's defaults (`default_options`)."""
        base = default_options(doc_type)
        values: dict[str, Any] = {
            k: (str(v) if k == "message" else bool(v)) for k, v in data.items()
            if k in cls.__dataclass_fields__ and v is not None
        }  # fmt: skip
        return replace(base, **values)


def default_options(doc_type: DocumentType) -> DocOptions:
    """What each document prints unless the owner chose otherwise: as the shipped templates
    always did (a roll receipt has no room for SKUs)."""
    return DocOptions(show_sku=doc_type != DocumentType.RECEIPT)


#: How much larger the text prints with `DocOptions.large_font`.
LARGE_FONT_SCALE = 1.25


#: name → (English, Vietnamese) description. Lists have their item names in ITEM_NAMES.
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "title": ("Document title (Sales receipt, Invoice, Packing slip)",
              "Tiêu đề (Hóa đơn bán hàng, Hóa đơn, Phiếu giao hàng)"),
    "shop_name": ("Shop name", "Tên cửa hàng"),
    "shop_address": ("Shop address", "Địa chỉ cửa hàng"),
    "shop_phone": ("Shop phone", "Điện thoại cửa hàng"),
    "shop_tax_code": ("Shop tax code", "Mã số thuế"),
    "shop_logo": ("Shop logo (image source: <img src=\"{{shop_logo}}\">)",
                  "Logo cửa hàng (nguồn ảnh: <img src=\"{{shop_logo}}\">)"),
    "footer": ("Footer: the Options tab's thank-you message, else the shop's footer line",
               "Dòng cuối: lời cảm ơn ở thẻ Tùy chọn, nếu không có thì dòng cuối của cửa hàng"),
    "show_code": ("Options: “1” when the order's barcode / QR code is shown (empty when hidden)",
                  "Tùy chọn: “1” khi in mã vạch / mã QR của đơn (trống khi ẩn)"),
    "show_sku": ("Options: “1” when each line's SKU is shown (empty when hidden)",
                 "Tùy chọn: “1” khi in mã SKU của từng dòng (trống khi ẩn)"),
    "large_font": ("Options: “1” when Large text is chosen (the body text already prints "
                   "larger)", "Tùy chọn: “1” khi chọn Chữ lớn (chữ thường đã tự in to hơn)"),
    "points_balance": ("The customer's points balance now (empty when hidden in Options or "
                       "no customer)", "Điểm tích lũy hiện có của khách (trống khi ẩn ở "
                       "Tùy chọn hoặc không có khách)"),
    "points_earned": ("The loyalty points this order earned the customer, e.g. +12 (empty "
                      "when none)", "Số điểm khách được cộng từ đơn này, ví dụ +12 (trống "
                      "nếu không có)"),
    "cashier": ("Who made the sale (empty when hidden in Options, or for a marketplace "
                "order)", "Người bán đơn này (trống khi ẩn ở Tùy chọn, hoặc với đơn sàn)"),
    "order_number": ("Order number", "Mã đơn hàng"),
    "order_qr": ("QR code of the order number (image source)", "Mã QR của mã đơn (nguồn ảnh)"),
    "order_barcode": ("Barcode (Code 128) of the order number (image source)",
                      "Mã vạch (Code 128) của mã đơn (nguồn ảnh)"),
    "order_date": ("Order date and time", "Ngày giờ đặt hàng"),
    "printed_at": ("Date and time of printing", "Ngày giờ in"),
    "sales_channel": ("Shop / channel the order came from", "Kênh bán / gian hàng"),
    "status": ("Order status", "Trạng thái đơn"),
    "cancelled": ("A cancelled order: CANCELLED, when and why (empty otherwise)",
                  "Đơn đã hủy: ĐÃ HỦY, lúc nào và lý do (trống nếu đơn không bị hủy)"),
    "payment_method": ("Payment method", "Phương thức thanh toán"),
    "customer_name": ("Customer name", "Tên khách hàng"),
    "customer_phone": ("Customer phone", "Điện thoại khách hàng"),
    "ship_name": ("Recipient", "Người nhận"),
    "ship_phone": ("Recipient phone", "Điện thoại người nhận"),
    "ship_address": ("Delivery address (street, ward, district, province)",
                     "Địa chỉ giao hàng (số nhà, phường, quận, tỉnh)"),
    "carrier": ("Carrier", "Đơn vị vận chuyển"),
    "tracking_number": ("Tracking number", "Mã vận đơn"),
    "buyer_note": ("The buyer's note (the staff note is never printed)",
                   "Ghi chú của người mua (ghi chú nội bộ không bao giờ được in)"),
    "item_count": ("Number of items", "Số sản phẩm"),
    "goods_weight": ("Weight of the goods, e.g. 1,250 g (empty when a product has no weight)",
                     "Khối lượng hàng, ví dụ 1.250 g (trống khi có sản phẩm chưa có khối lượng)"),
    "lines": ("List: the order lines (see its item names)", "Danh sách: các dòng hàng"),
    "subtotal": ("Subtotal of the lines", "Tạm tính"),
    "adjustments": ("List: shipping fee and discounts that are not zero (label, amount)",
                    "Danh sách: phí vận chuyển và giảm giá khác 0 (label, amount)"),
    "voucher_code": ("The shop's discount code the order used, e.g. SALE10 (empty when none "
                     "and for a channel's voucher)",
                     "Mã giảm giá của shop mà đơn đã dùng, ví dụ SALE10 (trống nếu không có "
                     "và với voucher của sàn)"),
    "points_used": ("Loyalty points the customer paid with (empty when none)",
                    "Số điểm tích lũy khách đã dùng (trống nếu không dùng)"),
    "total": ("Total to pay", "Tổng cộng"),
    "paid": ("Amount paid", "Đã thanh toán"),
    "paid_now": ("A sale on account: what was paid at the sale (empty otherwise)",
                 "Bán ghi nợ: số tiền khách trả ngay khi mua (trống nếu không có)"),
    "cash_received": ("Cash received (counter sale)", "Tiền khách đưa"),
    "change_due": ("Change given back", "Tiền thừa trả khách"),
    "refunded": ("Refunded amount (returns)", "Đã hoàn tiền"),
    "net": ("After returns: the total less what was refunded (empty when nothing came back "
            "and for a cancelled order)",
            "Sau khi trả hàng: tổng cộng trừ tiền đã hoàn (trống khi không có hàng trả lại "
            "và khi đơn đã hủy)"),
    "points_given_back": ("After a return or a cancel: the loyalty points paid with that went "
                          "back to the customer, e.g. +50 (empty when none)",
                          "Sau khi trả hàng hoặc hủy: số điểm đã dùng được hoàn lại cho khách, "
                          "ví dụ +50 (trống nếu không có)"),
    "points_taken_back": ("After a return or a cancel: the loyalty points the order had earned "
                          "that were taken back, e.g. −25 (empty when none)",
                          "Sau khi trả hàng hoặc hủy: số điểm tích lũy của đơn bị trừ lại, "
                          "ví dụ −25 (trống nếu không có)"),
    "cod_amount": ("Amount to collect on delivery (COD)", "Tiền thu hộ (COD)"),
    "owed": ("Owed by the customer for this sale on account", "Khách còn nợ (bán ghi nợ)"),
    "exchanged_from": ("An exchange: the order whose returned items paid towards this one "
                       "or came off what the customer owes",
                       "Đổi hàng: đơn có hàng trả lại được trừ vào đơn này hoặc vào công nợ"),
    "exchange_credit": ("An exchange: what the returned items paid (with a minus sign)",
                        "Đổi hàng: tiền hàng trả lại được trừ (có dấu trừ)"),
    "to_pay": ("An exchange: what the customer paid after it (total − returned items)",
               "Đổi hàng: khách cần trả (tổng − hàng trả lại)"),
    "given_back": ("An exchange: money given back when the returned items are worth more",
                   "Đổi hàng: tiền trả lại khách khi hàng trả lại nhiều tiền hơn"),
    "owed_off": ("An exchange of a sale on account: what the returned items took off what "
                 "the customer owes (with a minus sign; not in to_pay)",
                 "Đổi hàng của đơn ghi nợ: tiền hàng trả lại được trừ vào công nợ (có dấu "
                 "trừ; không tính vào khách cần trả)"),
}  # fmt: skip

#: The names inside each list section.
ITEM_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "lines": {
        "line_no": ("Line number", "Số thứ tự"),
        "name": ("Product name", "Tên sản phẩm"),
        "variant": ("Variant (size, colour…)", "Phân loại"),
        "sku": ("SKU", "Mã SKU"),
        "quantity": ("Quantity", "Số lượng"),
        "unit_price": ("Unit price", "Đơn giá"),
        "discount": ("Line discount", "Giảm giá dòng"),
        "amount": ("Line amount", "Thành tiền"),
        "returned": (
            "Quantity returned (empty when none)",
            "Số lượng khách đã trả lại (trống nếu không có)",
        ),
    },
    "adjustments": {
        "label": (
            "What it is (Shipping fee, Discount code SALE10, Points discount (20 points)…)",
            "Khoản (Phí vận chuyển, Mã giảm giá SALE10, Dùng 20 điểm…)",
        ),
        "amount": ("Amount (discounts with a minus sign)", "Số tiền (giảm giá có dấu trừ)"),
    },
}

#: Captions for templates that print in either language: `{{label_total}}` etc.
LABELS: dict[str, tuple[str, str]] = {
    "order": ("Order", "Đơn hàng"),
    "date": ("Date", "Ngày"),
    "customer": ("Customer", "Khách hàng"),
    "phone": ("Phone", "Điện thoại"),
    "address": ("Address", "Địa chỉ"),
    "ship_to": ("Ship to", "Giao đến"),
    "item": ("Item", "Sản phẩm"),
    "qty": ("Qty", "SL"),
    "price": ("Price", "Đơn giá"),
    "amount": ("Amount", "Thành tiền"),
    "subtotal": ("Subtotal", "Tổng tiền hàng"),
    "total": ("Total", "Tổng cộng"),
    "paid": ("Paid", "Đã thanh toán"),
    "cash": ("Cash received", "Tiền khách đưa"),
    "change": ("Change", "Tiền thừa"),
    "owed": ("Owed", "Còn nợ"),
    "exchange": ("Returned items of", "Trừ hàng trả của đơn"),
    "to_pay": ("To pay", "Khách cần trả"),
    "given_back": ("Given back", "Trả lại khách"),
    "owed_off": ("Off what is owed", "Trừ vào công nợ"),
    "payment": ("Payment", "Thanh toán"),
    "note": ("Note", "Ghi chú"),
    "carrier": ("Carrier", "Vận chuyển"),
    "tracking": ("Tracking no.", "Mã vận đơn"),
    "tax_code": ("Tax code", "MST"),
    "sku": ("SKU", "SKU"),
    "refunded": ("Refunded", "Đã hoàn tiền"),
    "returned": ("Returned", "Trả lại"),
    "net": ("After returns", "Tổng sau trả hàng"),  # "Còn lại" read as still owed
    "points_given_back": ("Points given back", "Hoàn điểm đã dùng"),
    "points_taken_back": ("Points taken back", "Trừ lại điểm tích lũy"),
    "items": ("Items", "Số sản phẩm"),
    "weight": ("Weight", "Khối lượng"),
    "cod": ("Collect on delivery", "Thu hộ (COD)"),
    "channel": ("Channel", "Kênh bán"),
    "buyer_signature": ("Buyer", "Người mua hàng"),
    "seller_signature": ("Seller", "Người bán hàng"),
    "checked_by": ("Packed by", "Người đóng gói"),
    "no": ("No.", "STT"),
    "points_balance": ("Points balance", "Điểm tích lũy"),
    "points_earned": ("Points earned", "Điểm cộng"),
    "cashier": ("Cashier", "Thu ngân"),
}
PLACEHOLDERS.update(
    {f"label_{key}": (f"Caption “{en}”", f"Nhãn “{vi}”") for key, (en, vi) in LABELS.items()}
)

TITLES: dict[DocumentType, tuple[str, str]] = {
    DocumentType.RECEIPT: ("Sales receipt", "Hóa đơn bán hàng"),
    DocumentType.INVOICE: ("Invoice", "Hóa đơn"),
    DocumentType.PACKING_SLIP: ("Packing slip", "Phiếu giao hàng"),
}
DEFAULT_FOOTER = ("Thank you and see you again!", "Cảm ơn quý khách và hẹn gặp lại!")

PAYMENT_LABELS: dict[PaymentMethod, tuple[str, str]] = {
    PaymentMethod.COD: ("Cash on delivery (COD)", "Thanh toán khi nhận hàng (COD)"),
    PaymentMethod.CASH: ("Cash", "Tiền mặt"),
    PaymentMethod.BANK_TRANSFER: ("Bank transfer", "Chuyển khoản"),
    PaymentMethod.E_WALLET: ("E-wallet", "Ví điện tử"),
    PaymentMethod.CARD: ("Card", "Thẻ"),
    PaymentMethod.OTHER: ("Other", "Khác"),
    PaymentMethod.ON_ACCOUNT: ("On account (pay later)", "Ghi nợ (trả sau)"),
}
STATUS_LABELS: dict[OrderStatus, tuple[str, str]] = {
    OrderStatus.PENDING: ("Pending", "Chờ xác nhận"),
    OrderStatus.CONFIRMED: ("Confirmed", "Đã xác nhận"),
    OrderStatus.SHIPPING: ("Shipping", "Đang giao"),
    OrderStatus.COMPLETED: ("Completed", "Hoàn thành"),
    OrderStatus.CANCELLED: ("Cancelled", "Đã hủy"),
    OrderStatus.RETURN_REFUND: ("Return/Refund", "Trả hàng/Hoàn tiền"),
    OrderStatus.RETURNED: ("Returned", "Đã trả hàng"),
}
#: The parts between subtotal and total, in print order: (field, label, sign).
ADJUSTMENTS: tuple[tuple[str, tuple[str, str], int], ...] = (
    ("shipping_fee", ("Shipping fee", "Phí vận chuyển"), 1),
    ("marketplace_discount", ("Marketplace discount", "Giảm giá của sàn"), -1),
    ("voucher_discount", ("Discount code", "Mã giảm giá"), -1),
    ("seller_discount", ("Seller discount", "Giảm giá của shop"), -1),
    ("shop_promotion", ("Shop promotion", "Khuyến mãi của shop"), -1),
    ("points_discount", ("Points discount", "Giảm giá bằng điểm"), -1),
)
#: An adjustment's label that names what it came from: the voucher's code, the points.
VOUCHER_LABEL = ("Discount code {code}", "Mã giảm giá {code}")
POINTS_LABEL = ("Points discount ({points} points)", "Dùng {points} điểm")
POINTS_LABEL_ONE = ("Points discount (1 point)", "Dùng 1 điểm")
MINUS = "−"
#: The banner of a cancelled order: (English, Vietnamese); then when and why.
CANCELLED = ("CANCELLED", "ĐÃ HỦY")


def pick(pair: tuple[str, str], lang: str) -> str:
    """The English or the Vietnamese text of a pair."""
    return pair[1] if lang == "vi" else pair[0]


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        from primedist.errors import ValidationError

        raise ValidationError(
            msg("Documents print in vi or en, not {lang}.", lang=repr(lang)), field="lang"
        )
    return lang


@dataclass(frozen=True)
class Payment:
    """What the cashier took at the counter, as the sale screen passes it right after
    saving; None = the cash the order keeps (`orders.cash_received`), so a reprint says the
    same."""

    cash_received: int | None = None


def order_context(
    detail: OrderDetail,
    shop: ShopDetails,
    doc_type: DocumentType,
    lang: str,
    *,
    now: datetime | None = None,
    payment: Payment = Payment(),
    data_dir: Path | None = None,
    wanted: Collection[str] | None = None,
    options: DocOptions | None = None,
) -> Context:
    """Every placeholder's value for one order. Images (QR, barcode, logo) are made only
    when the template uses them (`wanted` = the names it uses; None = all). `options`: the
    document type's Options (None = its defaults)."""
    check_lang(lang)
    opts = options or default_options(doc_type)
    order = detail.order
    tz = shop_tz(detail.shop.timezone)

    def money(amount: int) -> str:
        return format_money(amount, lang)

    def wants(name: str) -> bool:
        return wanted is None or name in wanted

    credit = detail.exchange_credit
    to_pay = order.total - credit
    cash = order.cash_received if payment.cash_received is None else payment.cash_received
    change = None if cash is None else cash - to_pay
    logo = ""
    if shop.logo_path and opts.show_logo and wants("shop_logo"):
        path = Path(shop.logo_path)
        if not path.is_absolute() and data_dir is not None:
            path = data_dir / path
        logo = codes.logo_data_url(path)
    buyer = order.buyer_name or (detail.customer.name if detail.customer else "")
    ship_address = ", ".join(
        p
        for p in (order.ship_address, order.ship_ward, order.ship_district, order.ship_province)
        if p
    )  # fmt: skip
    values: dict[str, Value] = {
        "title": pick(TITLES[doc_type], lang),
        "shop_name": shop.name,
        "shop_address": shop.address if opts.show_address else "",
        "shop_phone": shop.phone if opts.show_phone else "",
        "shop_tax_code": shop.tax_code,
        "shop_logo": logo,
        "footer": opts.message.strip() or shop.footer or pick(DEFAULT_FOOTER, lang),
        "show_code": _flag(opts.show_code),
        "show_sku": _flag(opts.show_sku),
        "large_font": _flag(opts.large_font),
        "points_balance": (
            format_number(detail.customer.points_balance, lang)
            if opts.show_points and detail.customer is not None
            else ""
        ),
        "order_number": order.external_id,
        "order_qr": codes.qr_data_url(order.external_id) if wants("order_qr") else "",
        "order_barcode": (
            codes.barcode_data_url(order.external_id) if wants("order_barcode") else ""
        ),
        "order_date": format_datetime(as_utc(order.created_at), tz, lang),
        "printed_at": format_datetime(as_utc(now or datetime.now(UTC)), tz, lang),
        "sales_channel": detail.shop.name,
        "status": pick(STATUS_LABELS[OrderStatus(order.status)], lang),
        "cancelled": _cancelled(detail, tz, lang),
        "payment_method": pick(PAYMENT_LABELS[PaymentMethod(order.payment_method)], lang),
        "customer_name": buyer,
        # Spaced as the app shows it ("0965 118 022"): read back at the counter.
        "customer_phone": format_phone(order.buyer_phone),
        # Goods sent with no recipient named (an import with only a province) go to the
        # buyer; with nowhere to send them there is no recipient at all.
        "ship_name": order.ship_name or (buyer if ship_address else ""),
        "ship_phone": order.ship_phone or "",
        "ship_address": ship_address,
        "carrier": order.carrier or "",
        "tracking_number": order.tracking_number or "",
        "buyer_note": order.buyer_note or "",
        "item_count": format_number(sum(line.quantity for line in detail.lines), lang),
        "goods_weight": (
            f"{format_number(detail.goods_weight_g, lang)} g" if detail.goods_weight_g else ""
        ),
        "lines": [
            {
                "line_no": str(i),
                "name": line.product_name,
                "variant": line.variant_name or "",
                "sku": line.sku or "",
                "quantity": format_number(line.quantity, lang),
                "unit_price": money(line.unit_price),
                "discount": f"{MINUS}{money(line.discount)}" if line.discount else "",
                "amount": money(line.subtotal),
                "returned": format_number(back, lang) if (back := line.returned_quantity) else "",
            }
            for i, line in enumerate(detail.lines, start=1)
        ],
        "subtotal": money(order.subtotal),
        "adjustments": [
            {
                "label": _adjustment_label(detail, fld, label, lang),
                "amount": (MINUS if sign < 0 else "") + money(getattr(order, fld)),
            }
            for fld, label, sign in ADJUSTMENTS
            if getattr(order, fld)
        ],
        "voucher_code": detail.voucher_code or "",
        "points_used": format_number(order.points_used, lang) if order.points_used else "",
        "total": money(order.total),
        "paid": money(order.paid_amount) if order.paid_amount else "",
        "paid_now": money(order.paid_amount) if _on_account(order) and order.paid_amount else "",
        "cash_received": money(cash) if cash else "",
        "change_due": money(change) if change is not None and change >= 0 else "",
        "refunded": money(order.refunded_amount) if order.refunded_amount else "",
        "net": money(net) if (net := _net(detail)) is not None else "",
        "points_given_back": _signed_points("+", detail.points.given_back, lang),
        "points_taken_back": _signed_points(MINUS, detail.points.taken_back, lang),
        # What the order earned as it stands (less what a return took back).
        "points_earned": (
            _signed_points("+", order.points_earned, lang) if detail.customer is not None else ""
        ),
        "cashier": (detail.created_by or "") if opts.show_cashier else "",
        "owed": money(owed) if (owed := owed_on_account(order)) > 0 else "",
        "exchanged_from": ", ".join(
            dict.fromkeys(x.number for x in detail.exchanges if x.paid_this)
        ),
        "exchange_credit": f"{MINUS}{money(credit)}" if credit else "",
        "owed_off": f"{MINUS}{money(off)}" if (off := _owed_off(detail)) else "",
        "to_pay": money(to_pay) if credit and to_pay >= 0 else "",
        "given_back": money(-to_pay) if credit and to_pay < 0 else "",
        "cod_amount": money(cod) if (cod := _to_collect(detail)) else "",
    }
    values.update({f"label_{key}": pick(pair, lang) for key, pair in LABELS.items()})
    return _printable(values)


#: The values of several lines (their line breaks print as such); the others are one line.
MULTILINE = frozenset({"buyer_note", "footer"})


def _flag(on: bool) -> str:
    """An option as a template value: "1" when on, "" when off (for `{{#show_sku}}`)."""
    return "1" if on else ""


def _printable(values: dict[str, Value]) -> dict[str, Value]:
    """`values` without control or invisible format characters (a name stored with ESC/POS
    commands or a bidi override prints as text): `plain` for the values of several lines,
    `plain_line` for the others and the list items' values."""
    out: dict[str, Value] = {}
    for key, value in values.items():
        if isinstance(value, str):
            out[key] = plain(value) if key in MULTILINE else plain_line(value)
        elif value:
            out[key] = [{k: plain_line(v) if isinstance(v, str) else v for k, v in item.items()}
                        for item in value]  # fmt: skip
        else:
            out[key] = value
    return out


def _adjustment_label(detail: OrderDetail, fld: str, label: tuple[str, str], lang: str) -> str:
    """An adjustment's label, naming the shop's voucher code or the points it came from:
    the customer checks the receipt against the code they gave and the points they spent."""
    order = detail.order
    if fld == "voucher_discount" and detail.voucher_code:
        return pick(VOUCHER_LABEL, lang).format(code=detail.voucher_code)
    if fld == "points_discount" and order.points_used:
        if order.points_used == 1:
            return pick(POINTS_LABEL_ONE, lang)
        return pick(POINTS_LABEL, lang).format(points=format_number(order.points_used, lang))
    return pick(label, lang)


def _signed_points(sign: str, points: int, lang: str) -> str:
    """Points that moved, with their sign ("+50", "−25"); "" when none did: the receipt
    prints no points line for an order whose points never moved."""
    return f"{sign}{format_number(points, lang)}" if points else ""


def _on_account(order: Order) -> bool:
    return order.payment_method == PaymentMethod.ON_ACCOUNT


def owed_on_account(order: Order) -> int:
    """What a sale on account leaves owed: its total less what was paid at once and
    refunded (0 for any other order, and once cancelled: a cancelled sale is owed by
    nobody)."""
    if not _on_account(order) or order.status == OrderStatus.CANCELLED:
        return 0
    return order.total - order.paid_amount - order.refunded_amount


def _net(detail: OrderDetail) -> int | None:
    """What the sale comes to once items came back or money went back: its total less
    what was refunded. None when nothing did (the total says it all) and for a cancelled
    order (its banner says it stands for nothing)."""
    order = detail.order
    returned = any(line.returned_quantity for line in detail.lines)
    if order.status == OrderStatus.CANCELLED or not (returned or order.refunded_amount):
        return None
    return order.total - order.refunded_amount


def _owed_off(detail: OrderDetail) -> int:
    """Of an exchange of a sale on account, what the returned items took off what the
    customer owes (`ExchangeLink.settled` False): it paid nothing of this sale, so it is
    not in `exchange_credit`, but the receipt must say where the items' worth went."""
    return sum(x.amount for x in detail.exchanges if x.paid_this and not x.settled)


def _to_collect(detail: OrderDetail) -> int:
    """What the carrier collects on delivery (`cod_due`), 0 once cancelled: a slip of a
    cancelled order (or a shop's own template) must not have a parcel paid for."""
    if detail.order.status == OrderStatus.CANCELLED:
        return 0
    return detail.cod_due


def _cancelled(detail: OrderDetail, tz: tzinfo, lang: str) -> str:
    """ "CANCELLED <when>: <why>" for a cancelled order ("" for any other): a reprint of it
    must not pass for a sale that stands."""
    order = detail.order
    if order.status != OrderStatus.CANCELLED:
        return ""
    text = pick(CANCELLED, lang)
    when = [h.changed_at for h in detail.history if h.to_status == OrderStatus.CANCELLED]
    if when:
        text += " " + format_datetime(as_utc(when[-1]), tz, lang)
    return f"{text}: {order.cancel_reason}" if order.cancel_reason else text


def chat_message(values: Mapping[str, Any], lang: str) -> str:
    """An order as a short plain-text message for the customer's chat (Zalo, Messenger…),
    from `order_context`'s values: the order and the shop, one line an item with its
    amount, the subtotal and what is not zero between it and the total, the total with
    how it is paid (and what the carrier collects), where it goes, the buyer's note, the
    footer line. Nothing in it is escaped: it is text (`plain`: no control characters)."""

    def label(key: str) -> str:
        return pick(LABELS[key], lang)

    out = [f"{label('order')} {values['order_number']}"
           + (f" · {values['shop_name']}" if values["shop_name"] else ""),
           str(values["order_date"]), ""]  # fmt: skip
    if values["cancelled"]:
        out[2:2] = [str(values["cancelled"])]
    for line in values["lines"]:
        variant = f" ({line['variant']})" if line["variant"] else ""
        out.append(f"{line['line_no']}. {line['name']}{variant} × {line['quantity']}: "
                   f"{line['amount']}")  # fmt: skip
    out += ["", f"{label('subtotal')}: {values['subtotal']}"]
    out += [f"{part['label']}: {part['amount']}" for part in values["adjustments"]]
    out.append(f"{label('total')}: {values['total']} ({values['payment_method']})")
    if values["cod_amount"]:
        out.append(f"{label('cod')}: {values['cod_amount']}")
    where = [str(values[k]) for k in ("ship_name", "ship_phone", "ship_address") if values[k]]
    if where:
        out.append(f"{label('ship_to')}: {' · '.join(where)}")
    if values["buyer_note"]:
        out.append(f"{label('note')}: {values['buyer_note']}")
    return plain("\n".join([*out, "", str(values["footer"])]))
