"""Empty import files to fill in: orders, products, customers (Import → Download template).

Each template is an .xlsx workbook whose first sheet holds only the header row the import
reads (in the chosen language where the import accepts it), with the columns of phones,
codes and SKUs formatted as text so Excel keeps their leading zeros; the second sheet says,
per column, whether it is required, how to fill it in, and an example. Nothing in the
template is data: importing it unfilled is refused as a file without data rows. The shop
examples are the database's own shop (a made-up name would be refused, or create a shop).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa

from primedist.core.messages import msg
from primedist.domain.base import table_of
from primedist.domain.enums import Module, ProductStatus
from primedist.domain.shop import Shop
from primedist.errors import ValidationError
from primedist.io.xlsx_writer import write_template_workbook
from primedist.services import customer_import, order_import, product_import
from primedist.services.context import ServiceContext
from primedist.services.export_support import check_target, lang_index, replaced_when_done


class TemplateKind(StrEnum):
    ORDERS = "orders"
    PRODUCTS = "products"
    CUSTOMERS = "customers"


@dataclass(frozen=True)
class GuideLine:
    """How to fill one column: (English, Vietnamese) texts and an example value (one, or
    (English, Vietnamese) ones)."""

    key: str
    guide: tuple[str, str]
    example: str | tuple[str, str]
    text: bool = False  # phones, codes, SKUs: a text column (leading zeros kept)

    def example_in(self, lang: str) -> str:
        """The example as the `lang` ("vi" or "en") template shows it."""
        if isinstance(self.example, str):
            return self.example
        return self.example[1 if lang == "vi" else 0]


_MONEY = ("Whole đồng, no decimals: 150000, 150.000, 150,000 or 150k.",
          "Số đồng, không có số lẻ: 150000, 150.000, 150,000 hoặc 150k.")  # fmt: skip
#: Where the shop names are (the examples are the shop's own: `_with_shop_names`).
_SHOP_NAMES = ("as in Settings → Sales channels", "đúng như trong Cài đặt → Kênh bán hàng")
#: The status words of a products file: (Vietnamese, English) each.
_ACTIVE = product_import.STATUS_WORDS[ProductStatus.ACTIVE]
_HIDDEN = product_import.STATUS_WORDS[ProductStatus.HIDDEN]

ORDER_GUIDE = (
    GuideLine(
        "order_id",
        (
            "The order number; with the shop, the key of the order.",
            "Mã đơn hàng; cùng với gian hàng là khóa của đơn.",
        ),
        "250131ABC",
        True,
    ),
    GuideLine(
        "order_date",
        (
            "Date and time: 31/01/2026 14:05 or 2026-01-31 14:05 (shop time).",
            "Ngày giờ: 31/01/2026 14:05 hoặc 2026-01-31 14:05 (giờ cửa hàng).",
        ),
        "31/01/2026 14:05",
        True,
    ),
    GuideLine(
        "shop",
        (
            f"Shop name, {_SHOP_NAMES[0]}; an unknown name creates the shop.",
            f"Tên gian hàng, {_SHOP_NAMES[1]}; tên mới sẽ tạo gian hàng mới.",
        ),
        "Prime Official - Shopee",
    ),
    GuideLine(
        "channel",
        (
            "For a new shop: shopee, lazada, tiki, tiktok, offline, webstore.",
            "Cho gian hàng mới: shopee, lazada, tiki, tiktok, offline, webstore.",
        ),
        "shopee",
    ),
    GuideLine(
        "status",
        (
            "pending, confirmed, shipping, completed, cancelled, return_refund, returned.",
            "pending (chờ xác nhận), confirmed, shipping, completed "
            "(hoàn thành), cancelled (đã hủy), return_refund, returned.",
        ),
        "completed",
    ),
    GuideLine(
        "payment_method",
        (
            "cod (empty), cash, bank_transfer, e_wallet, card, other, on_account (the customer "
            "owes it).",
            "cod (để trống), cash, bank_transfer, e_wallet, card, other, on_account (khách ghi "
            "nợ).",
        ),
        "cod",
    ),
    GuideLine("customer_name", ("The buyer's name.", "Tên người mua."), "Nguyễn Thị Hoa"),
    GuideLine(
        "customer_phone",
        ("Any format: 0939 921 717, +84939921717.", "Mọi cách viết: 0939 921 717, +84939921717."),
        "0939921717",
        True,
    ),
    GuideLine(
        "buyer_id",
        (
            "The marketplace's buyer id (finds the customer first).",
            "Mã người mua trên sàn (dùng để tìm khách hàng trước).",
        ),
        "hoa.nt",
        True,
    ),
    GuideLine("province", ("Province or city.", "Tỉnh/thành phố."), "TP. Hồ Chí Minh"),
    GuideLine("shipping_provider", ("The carrier.", "Đơn vị vận chuyển."), "SPX Express"),
    GuideLine("shipping_fee", _MONEY, "15000"),
    GuideLine(
        "discount",
        (
            "The order's seller discount. " + _MONEY[0],
            "Giảm giá của người bán cho đơn. " + _MONEY[1],
        ),
        "10000",
    ),
    GuideLine(
        "sku",
        (
            "The line's SKU; an unknown SKU creates a product.",
            "SKU của dòng; SKU mới sẽ tạo sản phẩm mới.",
        ),
        "AO-TRANG-M",
        True,
    ),
    GuideLine(
        "product_name",
        ("The line's product name (empty = the SKU).", "Tên sản phẩm của dòng (để trống = SKU)."),
        "Áo thun trắng M",
    ),
    GuideLine("quantity", ("Whole number, at least 1.", "Số nguyên, từ 1 trở lên."), "2"),
    GuideLine("unit_price", _MONEY, "120000"),
)

PRODUCT_GUIDE = (
    GuideLine(
        "product_name",
        (
            "The rows of one product share its name (≤ 120 characters).",
            "Các dòng của một sản phẩm dùng chung tên (≤ 120 ký tự).",
        ),
        "Áo thun cotton",
    ),
    GuideLine("category", ("Text.", "Văn bản."), "Thời trang"),
    GuideLine("description", ("Text.", "Văn bản."), ""),
    GuideLine(
        "sku",
        (
            "One row per SKU (variant); the key of the variant.",
            "Mỗi SKU (phân loại) một dòng; là khóa của phân loại.",
        ),
        "AO-DO-M",
        True,
    ),
    GuideLine("barcode", ("Once per file.", "Không trùng trong tệp."), "8934567000017", True),
    GuideLine("option1_name", ("First attribute's name.", "Tên thuộc tính thứ nhất."), "Màu"),
    GuideLine("option1", ("Its value.", "Giá trị của thuộc tính."), "Đỏ"),
    GuideLine("option2_name", ("Second attribute's name.", "Tên thuộc tính thứ hai."), "Size"),
    GuideLine("option2", ("Its value.", "Giá trị của thuộc tính."), "M"),
    GuideLine("cost", _MONEY, "80000"),
    GuideLine("price", _MONEY, "150000"),
    GuideLine(
        "discount_price",
        (
            "0 to the price (empty = none). " + _MONEY[0],
            "Từ 0 đến giá bán (để trống = không có). " + _MONEY[1],
        ),
        "129000",
    ),
    GuideLine(
        "stock",
        (
            "On hand, whole number ≥ 0 (empty = leave it as it is).",
            "Tồn kho, số nguyên ≥ 0 (để trống = giữ nguyên).",
        ),
        "20",
    ),
    GuideLine(
        "low_stock_level",
        (
            "Whole number ≥ 0 (empty = the shop's default).",
            "Số nguyên ≥ 0 (để trống = mức mặc định của gian hàng).",
        ),
        "5",
    ),
    GuideLine(
        "weight_g",
        (
            "One item packed, in grams, 1 to 1,000,000 (empty = not known: shipping counts 500 g).",
            "Khối lượng một sản phẩm đã đóng gói, tính bằng gam, từ 1 đến 1.000.000 (để trống "
            "= chưa rõ: khi giao hàng tính 500 g).",
        ),
        "350",
    ),
    GuideLine(
        "shops",
        (
            f"Names of your shops {_SHOP_NAMES[0]}, separated by ;",
            f"Tên các gian hàng của bạn, {_SHOP_NAMES[1]}, cách nhau bằng dấu ;",
        ),
        "",  # a database without a shop has no name to give
    ),
    GuideLine(
        "status",
        (
            f"{_ACTIVE[1]} (empty) or {_HIDDEN[1]}; {_ACTIVE[0]} / {_HIDDEN[0]} work too, "
            "case and accents ignored.",
            f"{_ACTIVE[0]} (để trống = {_ACTIVE[0].lower()}) hoặc {_HIDDEN[0]} (hay Ẩn); "
            f"cũng nhận {_ACTIVE[1]} / {_HIDDEN[1]}; không phân biệt hoa thường, có dấu hay không.",
        ),
        (_ACTIVE[1], _ACTIVE[0]),
    ),
)

CUSTOMER_GUIDE = (
    GuideLine(
        "name",
        ("The customer's name (≤ 120 characters).", "Tên khách hàng (≤ 120 ký tự)."),
        "Nguyễn Thị Hoa",
    ),
    GuideLine(
        "phone",
        (
            "Any format; several separated by ; (the first is the main one).",
            "Mọi cách viết; nhiều số cách nhau bằng dấu ; (số đầu là số chính).",
        ),
        "0939921717",
        True,
    ),
    GuideLine("email", ("Email address.", "Địa chỉ email."), "hoa@example.com"),
    GuideLine(
        "gender",
        (
            "nữ / nam / khác (or female / male / other).",
            "nữ / nam / khác (hoặc female / male / other).",
        ),
        "nữ",
    ),
    GuideLine(
        "birthday", ("15/03/1990 or 1990-03-15.", "15/03/1990 hoặc 1990-03-15."), "15/03/1990", True
    ),
    GuideLine(
        "code",
        (
            "Finds the stored customer with this code (new ones get KH000123).",
            "Tìm khách hàng có sẵn theo mã này (khách mới được cấp mã KH000123).",
        ),
        "KH000123",
        True,
    ),
    GuideLine("zalo_id", ("Zalo id or number.", "Zalo."), "0939921717", True),
    GuideLine("facebook_id", ("Facebook id or link.", "Facebook."), "hoa.nguyen"),
    GuideLine("source", ("Where the customer came from.", "Khách đến từ đâu."), "Facebook"),
    GuideLine("address", ("Street address.", "Địa chỉ."), "12 Nguyễn Huệ, Phường Sài Gòn"),
    GuideLine("province", ("Province or city.", "Tỉnh/thành phố."), "TP. Hồ Chí Minh"),
    GuideLine(
        "tags",
        (
            "Tag names separated by ; (new ones are created).",
            "Tên thẻ cách nhau bằng dấu ; (thẻ mới sẽ được tạo).",
        ),
        "Tiềm năng",
    ),
    GuideLine(
        "level",
        (
            "The customer group (code or name, e.g. Wholesale); a new name creates the group. "
            "Its prices then apply to the customer.",
            "Nhóm khách hàng (mã hoặc tên, ví dụ Khách sỉ); tên mới sẽ tạo nhóm mới. Giá của "
            "nhóm sẽ áp dụng cho khách.",
        ),
        "Khách sỉ",
    ),
    GuideLine("note", ("A note for the staff.", "Ghi chú cho nhân viên."), ""),
)

#: kind → (module needed, guide, required keys, {key: (vi, en) header} or None = the keys).
_KINDS = {
    TemplateKind.ORDERS: (Module.ORDERS, ORDER_GUIDE, order_import.REQUIRED, None),
    TemplateKind.PRODUCTS: (Module.PRODUCTS, PRODUCT_GUIDE, product_import.REQUIRED,
                            product_import.HEADERS),
    TemplateKind.CUSTOMERS: (Module.CUSTOMERS, CUSTOMER_GUIDE, customer_import.REQUIRED,
                             customer_import.HEADERS),
}  # fmt: skip
_SHEETS = {
    TemplateKind.ORDERS: ("Đơn hàng", "Orders"),
    TemplateKind.PRODUCTS: ("Sản phẩm", "Products"),
    TemplateKind.CUSTOMERS: ("Khách hàng", "Customers"),
}
# (Vietnamese, English), as LANGS.
GUIDE_SHEET = ("Hướng dẫn", "Guide")
GUIDE_COLUMNS = (
    ("Cột", "Bắt buộc", "Cách điền", "Ví dụ"),
    ("Column", "Required", "How to fill it in", "Example"),
)
YES = ("Có", "Yes")  # fmt: skip


def template_headers(kind: TemplateKind, lang: str = "vi") -> list[str]:
    """The header row of `kind`'s template in `lang` (the import reads each of them)."""
    _module, guide, _required, headers = _KINDS[kind]
    i = lang_index(lang)
    return [line.key if headers is None else headers[line.key][i] for line in guide]


def write_import_template(
    ctx: ServiceContext, kind: TemplateKind | str, path: Path, lang: str = "vi"
) -> Path:
    """Write `kind`'s empty import template at `path` (.xlsx); returns the path."""
    kind = TemplateKind(kind)
    module, guide, required, _headers = _KINDS[kind]
    ctx.require(module)
    i = lang_index(lang)
    if Path(path).suffix.lower() != ".xlsx":
        raise ValidationError(
            msg("Save the template as an .xlsx file (Excel workbook), not {name}.",
                name=repr(Path(path).name)),
            field="path",
        )  # fmt: skip
    target = check_target(path)
    headers = template_headers(kind, lang)
    guide = _with_shop_names(ctx, guide)
    yes = YES[i]
    rows = [
        (
            header,
            yes if line.key in required else "",
            line.guide[0 if i else 1],
            line.example_in(lang),
        )
        for header, line in zip(headers, guide, strict=True)
    ]  # (en, vi) guide texts; LANGS is (vi, en)
    text_columns = [n for n, line in enumerate(guide) if line.text]
    with replaced_when_done(target) as tmp:
        write_template_workbook(
            tmp, _SHEETS[kind][i], headers, text_columns,
            GUIDE_SHEET[i], GUIDE_COLUMNS[i], rows,
        )  # fmt: skip
    return target


def _with_shop_names(ctx: ServiceContext, guide: tuple[GuideLine, ...]) -> tuple[GuideLine, ...]:
    """`guide` with the `shop`/`shops` example the first shop of this database (the one
    set up first, an active one first); a database without a shop keeps the made-up name."""
    shops = table_of(Shop).c
    with ctx.engine.connect() as conn:
        name = conn.execute(
            sa.select(shops.name).order_by(shops.is_active.desc(), shops.id).limit(1)
        ).scalar()
    if name is None:
        return guide
    return tuple(
        replace(line, example=name) if line.key in ("shop", "shops") else line for line in guide
    )
