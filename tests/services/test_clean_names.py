"""Names typed or pasted with control characters (NUL, BEL, ESC and terminal colours, tabs,
line breaks) or invisible format characters (bidi overrides and isolates, zero-width
space) are stored clean (`core.text.clean_line`), by hand and by the imports, on a real
migrated store; a name of nothing but those is refused as an empty one; Vietnamese and
emoji are kept as typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from primedist.domain.base import table_of
from primedist.domain.customer import Customer, Tag
from primedist.domain.enums import Channel, Role
from primedist.domain.loyalty import CustomerLevel, Voucher
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import Product, Variant
from primedist.domain.shop import Shop
from primedist.domain.supplier import Supplier
from primedist.domain.user import User
from primedist.errors import ValidationError
from primedist.printing.content import ShopDetails
from primedist.printing.store import load_shop_details, save_shop_details
from primedist.services import auth, channels, staff, tags
from primedist.services import catalogue as cat
from primedist.services import suppliers as sup
from primedist.services.context import ServiceContext
from primedist.services.customer_detail import set_note
from primedist.services.customer_import import import_customers
from primedist.services.customers import CustomerDraft, add_customer, update_customer
from primedist.services.loyalty.levels import save_level
from primedist.services.loyalty.vouchers import VoucherDraft, save_voucher
from primedist.services.order_import import COLUMNS as ORDER_COLUMNS
from primedist.services.order_import import import_orders
from primedist.services.product_import import COLUMNS as PRODUCT_COLUMNS
from primedist.services.product_import import import_products
from primedist.services.sale_lookup import quick_create_customer
from tests.conftest import OWNER_PASSWORD
from tests.services.test_order_import import write_csv

#: A name as a hostile paste has it: NUL, BEL, a terminal colour, an ESC/POS command
#: (ESC @: reset the printer), a right-to-left override, a zero-width space, a tab and
#: a line break around a Vietnamese name.
HOSTILE = "\x00\x1b[31mNguyễn\x1b[0m \x07Thị\u200b\tHoa\u202e\r\n\x1b@"
#: What is stored: ESC @ loses its ESC (a raw ESC/POS command is not parsed), the colour
#: goes whole, the tab and line break are spaces.
HOSTILE_OUT = "Nguyễn Thị Hoa @"
#: Nothing visible at all: refused as an empty name.
INVISIBLE = "\x00\x07\x1b[0m\u202e\u200b\u2066\u2069\t\r\n\x7f\x9b"
#: Kept exactly: Vietnamese marks, an emoji and an emoji sequence joined by ZWJ.
EMOJI = "🌸 👩\u200d👩\u200d👧"
KEPT = f"Đặng Thị Ngọc Ánh {EMOJI}"


def column(ctx: ServiceContext, model: type, col: str, **where: Any) -> list[Any]:
    """`col` of the rows of `model` where each keyword's column is its value, by id."""
    table = table_of(model)
    stmt = sa.select(table.c[col]).where(*(table.c[k] == v for k, v in where.items()))
    with ctx.engine.connect() as conn:
        return list(conn.execute(stmt.order_by(table.c.id)).scalars())


# Customers --------------------------------------------------------------------------------


def test_a_customer_by_hand_is_stored_clean(owner_ctx: ServiceContext) -> None:
    note = "Giao giờ hành chính\x1b[1m\r\nTầng 3\u202e\x00"
    added = add_customer(owner_ctx, CustomerDraft(
        name=HOSTILE, phones=["0939921717"], zalo_id="hoa\x1b.zalo", source="\tfacebook\n",
        note=note,
    ))  # fmt: skip
    cid = added.customer_id
    assert column(owner_ctx, Customer, "name", id=cid) == [HOSTILE_OUT]
    assert column(owner_ctx, Customer, "zalo_id", id=cid) == ["hoa.zalo"]
    assert column(owner_ctx, Customer, "source", id=cid) == ["facebook"]
    # A note keeps its lines, nothing else.
    assert column(owner_ctx, Customer, "note", id=cid) == ["Giao giờ hành chính\nTầng 3"]
    update_customer(owner_ctx, cid, CustomerDraft(name=f"\u2066{KEPT}\u2069\x1b",
                                                  phones=["0939921717"]))  # fmt: skip
    assert column(owner_ctx, Customer, "name", id=cid) == [KEPT]
    set_note(owner_ctx, cid, "\x07Khách quen\u200b\n\nthích màu đỏ\x1b[0m")
    assert column(owner_ctx, Customer, "note", id=cid) == ["Khách quen\n\nthích màu đỏ"]


def test_a_customer_made_at_the_counter_is_stored_clean(owner_ctx: ServiceContext) -> None:
    hit = quick_create_customer(owner_ctx, HOSTILE, "0912345678")
    assert column(owner_ctx, Customer, "name", id=hit.id) == [HOSTILE_OUT]


@pytest.mark.parametrize("make", ["add", "update", "counter"])
def test_a_customer_named_with_control_characters_only_has_no_name(
    owner_ctx: ServiceContext, make: str
) -> None:
    before = column(owner_ctx, Customer, "name")
    with pytest.raises(ValidationError) as err:
        if make == "add":
            add_customer(owner_ctx, CustomerDraft(name=INVISIBLE))
        elif make == "counter":
            quick_create_customer(owner_ctx, INVISIBLE)
        else:
            cid = add_customer(owner_ctx, CustomerDraft(name="Lan")).customer_id
            before = column(owner_ctx, Customer, "name")
            update_customer(owner_ctx, cid, CustomerDraft(name=INVISIBLE))
    assert str(err.value) == "Enter the customer's name." and err.value.field == "name"
    assert column(owner_ctx, Customer, "name") == before


def test_vietnamese_and_emoji_are_kept_as_typed(owner_ctx: ServiceContext) -> None:
    cid = add_customer(owner_ctx, CustomerDraft(name=KEPT)).customer_id
    assert column(owner_ctx, Customer, "name", id=cid) == [KEPT]


def test_the_customer_import_stores_clean_names_and_refuses_invisible_ones(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    header = ["Họ tên", "SĐT", "Thẻ", "Ghi chú"]
    rows = [
        {"Họ tên": HOSTILE, "SĐT": "0939921717", "Thẻ": "VIP\x1b[5m; \u202eMới",
         "Ghi chú": "Dòng 1\x07\r\nDòng 2"},
        {"Họ tên": KEPT, "SĐT": "0912345678"},
        {"Họ tên": INVISIBLE, "SĐT": "0987654321"},
    ]  # fmt: skip
    report = import_customers(owner_ctx, write_csv(tmp_path / "k.csv", rows, header=header))
    assert report.imported == 2
    assert [(r.row, r.column) for r in report.rejected] == [(4, "Họ tên")]
    names = column(owner_ctx, Customer, "name")
    assert names == [HOSTILE_OUT, KEPT]
    assert column(owner_ctx, Customer, "note", name=HOSTILE_OUT) == ["Dòng 1\nDòng 2"]
    assert set(column(owner_ctx, Tag, "name")) >= {"VIP", "Mới"}


# Products ---------------------------------------------------------------------------------


def test_a_product_by_hand_is_stored_clean(owner_ctx: ServiceContext) -> None:
    draft = cat.ProductDraft(
        name=HOSTILE, category="Thời\x1b[1m trang", description="Dòng 1\x00\r\nDòng 2\u202e",
        option1_name="Màu\t", variants=[
            cat.VariantDraft(sku="AO\x1b-01\u200b", barcode="8930\x00001", option1="Đỏ\x07",
                             price=99_000),
            cat.VariantDraft(sku="AO-02", option1=f"Hồng {EMOJI}", price=99_000),
        ],
    )  # fmt: skip
    pid = cat.create_product(owner_ctx, draft)
    assert column(owner_ctx, Product, "name", id=pid) == [HOSTILE_OUT]
    assert column(owner_ctx, Product, "category", id=pid) == ["Thời trang"]
    assert column(owner_ctx, Product, "description", id=pid) == ["Dòng 1\nDòng 2"]
    assert column(owner_ctx, Variant, "sku", product_id=pid) == ["AO-01", "AO-02"]
    assert column(owner_ctx, Variant, "barcode", product_id=pid) == ["8930001", None]
    assert column(owner_ctx, Variant, "option1", product_id=pid) == ["Đỏ", f"Hồng {EMOJI}"]
    assert column(owner_ctx, Variant, "option1_name", product_id=pid) == ["Màu", "Màu"]
    edit = cat.get_product(owner_ctx, pid).draft
    edit.name = f"\u202d{KEPT}\x1b"
    cat.update_product(owner_ctx, pid, edit)
    assert column(owner_ctx, Product, "name", id=pid) == [KEPT]


def test_a_product_named_with_control_characters_only_has_no_name(
    owner_ctx: ServiceContext,
) -> None:
    with pytest.raises(ValidationError) as err:
        cat.create_product(owner_ctx, cat.ProductDraft(
            name=INVISIBLE, variants=[cat.VariantDraft(sku="X-1", price=1_000)],
        ))  # fmt: skip
    assert str(err.value) == "Give the product a name." and err.value.field == "name"
    with pytest.raises(ValidationError) as err:
        cat.create_product(owner_ctx, cat.ProductDraft(
            name="Cốc", variants=[cat.VariantDraft(sku="\x1b\u200b", price=1_000)],
        ))  # fmt: skip
    assert "give it a SKU" in str(err.value)
    assert column(owner_ctx, Product, "name") == []


def test_the_product_import_stores_clean_names(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    rows = [
        {"product_name": HOSTILE, "sku": "COC\x1b-1", "price": "45000", "option1_name": "Màu",
         "option1": "Trắng\u202e", "description": "Sứ\x07 Bát Tràng\r\nRửa được"},
        {"product_name": HOSTILE, "sku": "COC-2", "price": "45000", "option1_name": "Màu",
         "option1": "Xanh", "description": "Sứ\x07 Bát Tràng\r\nRửa được"},
        {"product_name": KEPT, "sku": "HOA-1", "price": "10000"},
        {"product_name": INVISIBLE, "sku": "X-1", "price": "10000"},
    ]  # fmt: skip
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows, header=PRODUCT_COLUMNS))
    assert [(r.row, r.column) for r in report.rejected] == [(5, "product_name")]
    assert column(owner_ctx, Product, "name") == [HOSTILE_OUT, KEPT]
    assert column(owner_ctx, Product, "description", name=HOSTILE_OUT) == ["Sứ Bát Tràng\nRửa được"]
    assert column(owner_ctx, Variant, "sku") == ["COC-1", "COC-2", "HOA-1"]
    assert column(owner_ctx, Variant, "option1") == ["Trắng", "Xanh", None]


# Orders imported --------------------------------------------------------------------------


def test_the_order_import_stores_clean_buyer_and_product_names(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    base = {"order_id": "DH\x1b001", "order_date": "2026-01-05 10:30",
            "shop": "Prime\u202e Shop", "channel": "shopee", "status": "completed",
            "customer_name": HOSTILE, "customer_phone": "0939921717",
            "province": "Hà\tNội\x00", "sku": "AO\x07-1", "product_name": "Áo\x1b[1m thun\r\n",
            "quantity": "1", "unit_price": "120000"}  # fmt: skip
    rows = [base, {**base, "sku": "AO-2", "product_name": KEPT}]
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", rows, header=ORDER_COLUMNS))
    assert report.rejected == []
    assert column(owner_ctx, Order, "external_id") == ["DH001"]
    assert column(owner_ctx, Order, "buyer_name") == [HOSTILE_OUT]
    assert column(owner_ctx, Order, "ship_province") == ["Hà Nội"]
    assert column(owner_ctx, Shop, "name", channel=Channel.SHOPEE) == ["Prime Shop"]
    assert column(owner_ctx, OrderLine, "sku") == ["AO-1", "AO-2"]
    assert column(owner_ctx, OrderLine, "product_name") == ["Áo thun", KEPT]
    assert column(owner_ctx, Customer, "name") == [HOSTILE_OUT]


def test_codes_keep_their_inner_spaces_and_find_what_is_stored(
    owner_ctx: ServiceContext, engine: sa.Engine, tmp_path: Path
) -> None:
    """A SKU stored with two spaces (before names were cleaned) is still the same key for
    the order import, the product import and the product form: never a second product."""
    from tests.factories import make_product

    (stored,) = make_product(engine, "Áo cũ", [("AO  1", 100_000, 10)])
    base = {"order_id": "DH 0\x1b01", "order_date": "2026-01-05 10:30", "shop": "Prime Shop",
            "channel": "shopee", "status": "completed", "customer_name": "Lan",
            "sku": "AO  1\x07", "product_name": "Áo", "quantity": "1",
            "unit_price": "100000"}  # fmt: skip
    assert import_orders(owner_ctx, write_csv(tmp_path / "o.csv", [base], header=ORDER_COLUMNS)
                         ).rejected == []  # fmt: skip
    assert column(owner_ctx, OrderLine, "sku") == ["AO  1"]
    assert column(owner_ctx, OrderLine, "variant_id") == [stored]
    assert column(owner_ctx, Order, "external_id") == ["DH 001"]
    rows = [{"product_name": "Áo cũ", "sku": "AO  1", "price": "120000"}]
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows, header=PRODUCT_COLUMNS))
    assert report.rejected == [] and column(owner_ctx, Variant, "sku") == ["AO  1"]
    assert column(owner_ctx, Variant, "price") == [120_000]


# Suppliers, shops, users, tags, vouchers, levels -------------------------------------------


def test_a_supplier_is_stored_clean_and_an_invisible_name_refused(
    owner_ctx: ServiceContext,
) -> None:
    row = sup.create_supplier(owner_ctx, sup.SupplierDraft(
        HOSTILE, address="12\x1b Lê Lợi\r\nQ1", note="Giao\u202e sáng\x00",
    ))  # fmt: skip
    assert column(owner_ctx, Supplier, "name", id=row.id) == [HOSTILE_OUT]
    assert column(owner_ctx, Supplier, "address", id=row.id) == ["12 Lê Lợi Q1"]
    assert column(owner_ctx, Supplier, "note", id=row.id) == ["Giao sáng"]
    with pytest.raises(ValidationError) as err:
        sup.create_supplier(owner_ctx, sup.SupplierDraft(INVISIBLE))
    assert str(err.value) == "Give the supplier's name." and err.value.field == "name"
    with pytest.raises(ValidationError) as err:
        sup.update_supplier(owner_ctx, row.id, sup.SupplierDraft(INVISIBLE))
    assert str(err.value) == "Give the supplier's name."
    sup.update_supplier(owner_ctx, row.id, sup.SupplierDraft(KEPT))
    assert column(owner_ctx, Supplier, "name", id=row.id) == [KEPT]


def test_the_shop_set_up_is_stored_clean(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError) as err:
        auth.setup_shop(ctx, shop_name=INVISIBLE, owner_name="Chủ", owner_email="a@b.vn",
                        owner_password=OWNER_PASSWORD)  # fmt: skip
    assert str(err.value) == "The shop name is required."
    with pytest.raises(ValidationError) as err:
        auth.setup_shop(ctx, shop_name="Shop", owner_name=INVISIBLE, owner_email="a@b.vn",
                        owner_password=OWNER_PASSWORD)  # fmt: skip
    assert str(err.value) == "The owner's name is required."
    auth.setup_shop(ctx, shop_name=f"\x1b[1m{KEPT}\u202e", owner_name=HOSTILE,
                    owner_email="a@b.vn", owner_password=OWNER_PASSWORD)  # fmt: skip
    assert column(ctx, Shop, "name") == [KEPT]
    assert column(ctx, User, "name") == [HOSTILE_OUT]


def test_a_marketplace_shop_name_is_stored_clean(owner_ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError) as err:
        channels.add_shop(owner_ctx, Channel.SHOPEE, name=INVISIBLE, app_id=2001234,
                          app_secret="a" * 64)  # fmt: skip
    assert str(err.value) == "The shop needs a name."
    shop_id = channels.add_shop(owner_ctx, Channel.SHOPEE, name=f"Shopee\x1b[0m {HOSTILE}",
                                app_id=2001234, app_secret="a" * 64)  # fmt: skip
    assert column(owner_ctx, Shop, "name", id=shop_id) == [f"Shopee {HOSTILE_OUT}"]


def test_the_printed_shop_details_are_stored_clean(owner_ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError) as err:
        save_shop_details(owner_ctx, ShopDetails(name=INVISIBLE))
    assert str(err.value) == "The shop name is required."
    from PIL import Image  # the logo must be an image (relative: in the data dir)

    assert owner_ctx.settings is not None
    Image.new("RGB", (40, 20)).save(Path(owner_ctx.settings.data_dir) / "logo.png")
    save_shop_details(
        owner_ctx,
        ShopDetails(
            name=HOSTILE,
            address="45\x1b@ Nguyễn Huệ\r\n",
            footer="\u202eCảm ơn\x07",
            logo_path="logo.png",
        ),
    )
    details = load_shop_details(owner_ctx)
    assert (details.name, details.address, details.footer) == (
        HOSTILE_OUT,
        "45@ Nguyễn Huệ",
        "Cảm ơn",
    )
    assert details.logo_path.startswith("images/shop/logo-")  # its copy


def test_a_user_is_stored_clean_and_an_invisible_name_refused(owner_ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError) as err:
        staff.add_staff(owner_ctx, name=INVISIBLE, email="lan@example.vn", role=Role.STAFF)
    assert str(err.value) == "The name is required." and err.value.field == "name"
    issued = staff.add_staff(owner_ctx, name=HOSTILE, email="lan@example.vn", role=Role.STAFF)
    assert column(owner_ctx, User, "name", id=issued.member.id) == [HOSTILE_OUT]
    staff.update_profile(owner_ctx, name=f"{KEPT}\x1b", email="owner@example.vn")
    assert column(owner_ctx, User, "name", id=owner_ctx.actor.id) == [KEPT]


def test_a_tag_is_stored_clean_and_an_invisible_name_refused(owner_ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError) as err:
        tags.create_tag(owner_ctx, INVISIBLE)
    assert str(err.value) == "Give the tag a name."
    tag_id = tags.create_tag(owner_ctx, "Khách\x1b[32m sỉ\u202e")
    assert column(owner_ctx, Tag, "name", id=tag_id) == ["Khách sỉ"]
    tags.rename_tag(owner_ctx, tag_id, f"\u2067{KEPT}")
    assert column(owner_ctx, Tag, "name", id=tag_id) == [KEPT]


def test_voucher_and_level_names_are_stored_clean(owner_ctx: ServiceContext) -> None:
    vid = save_voucher(owner_ctx, VoucherDraft(code="TET2026", name=HOSTILE, value=10_000))
    assert column(owner_ctx, Voucher, "name", id=vid) == [HOSTILE_OUT]
    vid = save_voucher(owner_ctx, VoucherDraft(code="HE2026", name=INVISIBLE, value=10_000))
    assert column(owner_ctx, Voucher, "name", id=vid) == ["HE2026"]  # no name: its code
    level_id = save_level(owner_ctx, name=f"Vàng\x1b[33m {KEPT[-1]}", code="GOLD")
    assert column(owner_ctx, CustomerLevel, "name", id=level_id) == [f"Vàng {KEPT[-1]}"]
    with pytest.raises(ValidationError) as err:
        save_level(owner_ctx, name=INVISIBLE, code="SILVER")
    assert err.value.field == "name"


# Orders by hand ----------------------------------------------------------------------------


def test_an_order_by_hand_stores_clean_recipient_and_notes(
    owner_ctx: ServiceContext, engine: sa.engine.Engine
) -> None:
    from primedist.domain.enums import OrderSource, PaymentMethod
    from primedist.services.orders import DraftLine, OrderDraft, create_order, set_staff_note
    from tests.factories import make_product

    (variant,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 5)])
    draft = OrderDraft(
        lines=(DraftLine(variant, 1),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD, ship_name=HOSTILE, ship_phone="0939921717",
        ship_address="12\x1b[0m Lý\tTự Trọng\u202e", ship_province="Hà Nội\x00",
        note="Gọi trước\x1b@\r\nkhi giao",
    )  # fmt: skip
    order_id = create_order(owner_ctx, draft).id
    row = {k: column(owner_ctx, Order, k, id=order_id)[0]
           for k in ("ship_name", "ship_address", "ship_province", "buyer_note")}  # fmt: skip
    assert row == {"ship_name": HOSTILE_OUT, "ship_address": "12 Lý Tự Trọng",
                   "ship_province": "Hà Nội", "buyer_note": "Gọi trước@ khi giao"}  # fmt: skip
    set_staff_note(owner_ctx, order_id, "\u202eKhách VIP\x07\r\ngiao nhanh\x00")
    assert column(owner_ctx, Order, "staff_note", id=order_id) == ["Khách VIP\ngiao nhanh"]
