"""The services' messages reach the user in the user's language: a refused status change,
a bad import file, a rejected row, a missing permission. English stays word for word what
the services wrote (the CLI and the logs read it)."""

from __future__ import annotations

import copy
import pickle
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.core.messages import msg
from primedist.domain.enums import Module, OrderStatus, Role
from primedist.errors import PrimedistError
from primedist.printing import store as print_store
from primedist.services import (
    auth,
    backup,
    catalogue,
    customers,
    oauth_redirect,
    order_import,
    orders,
    product_import,
    schedule_settings,
    segments,
    seller_center_import,
    sku_groups,
    staff,
    stock,
    store_move,
    sync,
)
from primedist.services.context import Actor, ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.messages import error_text, localize
from tests.factories import make_orders, make_product, make_shop
from tests.services.seller_center_files import write_shopee
from tests.services.test_seller_center_import import shopee_rows
from tests.ui.test_translations import _update_script, load_catalogue

pytestmark = pytest.mark.usefixtures("quiet")


def refused(fn: Any) -> PrimedistError:
    with pytest.raises(PrimedistError) as caught:
        fn()
    return caught.value


def test_a_message_is_its_english_text_and_keeps_template_and_values() -> None:
    text = msg("{sku} ({left} left, {wanted} wanted)", sku="AT-01", left=1204, wanted=3)
    assert text == "AT-01 (1,204 left, 3 wanted)"  # an int is a quantity
    assert isinstance(text, str) and "1,204 left" in text
    for again in (copy.deepcopy(text), pickle.loads(pickle.dumps(text))):
        assert again == text and again.template == text.template and again.values["left"] == 1204
    assert msg("Not enough stock: {items}.", items=[text, text]) == (
        "Not enough stock: AT-01 (1,204 left, 3 wanted), AT-01 (1,204 left, 3 wanted)."
    )


def test_a_refused_status_change_in_vietnamese_names_the_statuses(
    owner_ctx: ServiceContext, engine: Engine, vietnamese: None
) -> None:
    # Lazada: a confirmed Shopee order is no longer the seller's to cancel.
    shop = make_shop(engine, "Lazada A", "lazada")
    (order_id,) = make_orders(engine, shop, 1, start=datetime(2026, 11, 1, tzinfo=UTC),
                              step=timedelta(hours=1))  # fmt: skip
    orders.change_status(owner_ctx, order_id, OrderStatus.CANCELLED, reason="Khách đổi ý")
    exc = refused(lambda: orders.change_status(owner_ctx, order_id, OrderStatus.CONFIRMED))
    english = exc.user_message
    assert re.fullmatch(r"Order \S+ is cancelled: it cannot become confirmed\.", english)
    shown = error_text(exc)
    assert shown == english.replace("Order", "Đơn").replace(
        "is cancelled: it cannot become confirmed.",
        "đang ở trạng thái Đã hủy: không thể chuyển sang Đã xác nhận.",
    )
    exc = refused(lambda: orders.cancel_orders(owner_ctx, [order_id], "  "))
    assert error_text(exc) == "Hãy ghi lý do hủy các đơn."

    install_language("en")  # English: the service's own words
    assert error_text(exc) == exc.user_message == "Say why the orders are cancelled."


def test_a_staff_member_without_access_is_told_in_vietnamese(
    ctx: ServiceContext, vietnamese: None
) -> None:
    lan = ctx.with_actor(Actor(id=None, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                                  modules=frozenset({Module.PRODUCTS})))  # fmt: skip
    exc = refused(lambda: orders.cancel_orders(lan, [1], "x"))
    assert exc.user_message == "Lan has no access to orders: ask the shop owner."
    assert error_text(exc) == "Lan không có quyền truy cập Đơn hàng: hãy hỏi chủ cửa hàng."


def test_a_short_new_password_is_refused_in_vietnamese(
    owner_ctx: ServiceContext, vietnamese: None
) -> None:
    exc = refused(lambda: auth.change_password(owner_ctx, "owner-pass-1", "ngan"))
    assert exc.user_message == "Password must be at least 8 characters"  # the CLI's words
    assert error_text(exc) == "Mật khẩu phải có ít nhất 8 ký tự"


def test_import_problems_in_vietnamese_name_the_row_and_column(
    owner_ctx: ServiceContext, tmp_path: Path, vietnamese: None
) -> None:
    latin1 = tmp_path / "don-hang.csv"
    latin1.write_bytes("order_id,shop\nDH1,Café\n".encode("latin-1"))  # not UTF-8
    exc = refused(lambda: order_import.import_orders(owner_ctx, latin1))
    assert error_text(exc).startswith("don-hang.csv không phải văn bản UTF-8 (có byte 0x")

    no_column = tmp_path / "thieu-cot.csv"
    no_column.write_text("order_id,shop\nDH1,Cửa hàng\n", encoding="utf-8")
    exc = refused(lambda: order_import.import_orders(owner_ctx, no_column))
    assert "has no such column" in exc.user_message
    assert error_text(exc).startswith("cột 'order_date': thieu-cot.csv không có cột này")

    header = ",".join(order_import.COLUMNS)
    rows = tmp_path / "dong-loi.csv"
    rows.write_text(
        f"{header}\n"
        "DH1,2026-11-01 09:00,Cửa hàng,offline,completed,cash,An,,,,,0,0,SKU1,Áo,-2,1000\n"
        "DH2,2026-11-01 10:00,Cửa hàng,offline,xong,cash,An,,,,,0,0,SKU1,Áo,1,1000\n",
        encoding="utf-8",
    )
    report = order_import.import_orders(owner_ctx, rows)
    reasons = {r.column: r.reason for r in report.rejected}
    assert reasons["quantity"] == "-2 must be at least 1"
    assert localize(reasons["quantity"]) == "-2 phải từ 1 trở lên"
    assert localize(reasons["status"]).startswith("giá trị không hợp lệ 'xong' (dùng một trong:")


def test_a_seller_center_export_s_bad_cells_are_named_in_vietnamese(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, vietnamese: None
) -> None:
    make_shop(engine, "S")
    rows = (shopee_rows("BAD1", [("A", "A", 1, "12,5", "")], total=10000)
            + shopee_rows("BAD2", [("A", "A", "two", 5000, 5000)], total=5000))  # fmt: skip
    path = write_shopee(tmp_path / "shopee.xlsx", rows)
    report = seller_center_import.import_export(owner_ctx, path, shop="S")
    reasons = {r.row: r.reason for r in report.rejected}
    assert reasons[2] == "'12,5' is not an amount in đồng"  # the CLI's English
    assert localize(reasons[2]) == "'12,5' không phải là số tiền bằng đồng"
    assert localize(reasons[3]) == "'two' không phải là số"


def test_form_problems_in_vietnamese(
    owner_ctx: ServiceContext, engine: Engine, vietnamese: None
) -> None:
    twins = catalogue.ProductDraft(
        name="Áo thun", option1_name="Size",
        variants=[catalogue.VariantDraft(sku="AT-S", option1="S", price=99_000),
                  catalogue.VariantDraft(sku="at-s", option1="M", price=99_000)],
    )  # fmt: skip
    exc = refused(lambda: catalogue.create_product(owner_ctx, twins))
    assert exc.user_message == "Variant 2 (at-s): the SKU is already variant 1's."
    assert error_text(exc) == "Phân loại 2 (at-s): SKU trùng với phân loại 1."

    exc = refused(lambda: customers.add_customer(owner_ctx, customers.CustomerDraft(name=" ")))
    assert error_text(exc) == "Hãy nhập tên khách hàng."

    (variant,) = make_product(engine, "Quần jean", [("QJ-30", 299_000, 3)])
    exc = refused(lambda: stock.stock_out(owner_ctx, variant, 1_500, reason="Hỏng"))
    assert error_text(exc) == "QJ-30 chỉ còn 3 trong kho: không thể xuất 1.500."

    draft = orders.OrderDraft(lines=[orders.DraftLine(variant, 1)], voucher_code="tet2027")
    (problem,) = orders.quote_order(owner_ctx, draft).problems
    assert problem == "Voucher TET2027 does not exist or is switched off."
    assert localize(problem) == "Mã giảm giá TET2027 không tồn tại hoặc đã tắt."


def test_settings_and_customer_problems_in_vietnamese(
    owner_ctx: ServiceContext, vietnamese: None
) -> None:
    staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF)
    exc = refused(lambda: staff.add_staff(owner_ctx, name="Lan 2", email="lan@shop.vn",
                                          role=Role.STAFF))  # fmt: skip
    assert exc.user_message == "The email lan@shop.vn is already used by another account."
    assert error_text(exc) == "Email lan@shop.vn đã được dùng cho tài khoản khác."
    exc = refused(lambda: segments.create_segment(owner_ctx, "  "))
    assert exc.user_message == "Give the segment a name."
    assert error_text(exc) == "Hãy đặt tên cho phân khúc."  # the noun in Vietnamese too
    exc = refused(lambda: sku_groups.create_group(owner_ctx, "", "Nhóm áo"))
    assert error_text(exc) == "Hãy nhập mã cho nhóm."


def test_a_file_that_is_no_backup_is_refused_in_vietnamese(
    owner_ctx: ServiceContext, tmp_path: Path, vietnamese: None
) -> None:
    junk = tmp_path / "ghi-chu.db"
    junk.write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    exc = refused(lambda: backup.check_backup(owner_ctx, junk))
    assert exc.user_message.startswith("ghi-chu.db is not a Prime Distribution backup")
    assert error_text(exc).startswith("ghi-chu.db không phải bản sao lưu của Prime Distribution")


def test_product_file_and_print_template_problems_in_vietnamese(
    owner_ctx: ServiceContext, tmp_path: Path, vietnamese: None
) -> None:
    no_price = tmp_path / "san-pham.csv"
    no_price.write_text("Tên sản phẩm,SKU\nÁo thun,AT-01\n", encoding="utf-8")
    exc = refused(lambda: product_import.import_products(owner_ctx, no_price))
    assert exc.user_message == (
        "column 'price': san-pham.csv has no such column in its header (row 1); the required "
        "columns are: product_name, sku, price"
    )  # the same words as an order file's (io/tabular.py)
    assert error_text(exc) == (
        "cột 'price': san-pham.csv không có cột này ở dòng tiêu đề (dòng 1); các cột bắt buộc "
        "là: product_name, sku, price"
    )

    html = "<p>{{shop_name}}</p>\n<p>{{ghi_chu}}</p>"
    exc = refused(lambda: print_store.save_template(owner_ctx, "receipt_80", html))
    assert exc.user_message == "Line 2: {{ghi_chu}} is not a known placeholder."
    assert error_text(exc) == "Dòng 2: {{ghi_chu}} không phải biến có sẵn."
    exc = refused(lambda: print_store.save_template(owner_ctx, "receipt_80", "{{#lines}}x"))
    assert error_text(exc) == "Dòng 1: phần {{#lines}} chưa được đóng (hãy thêm {{/lines}})."


def test_sync_linking_moving_and_schedule_problems_in_vietnamese(
    owner_ctx: ServiceContext, engine: Engine, vietnamese: None
) -> None:
    shop = make_shop(engine, "Shopee A")
    now = owner_ctx.clock.now()
    exc = refused(lambda: sync.refetch_range(owner_ctx, shop, now, now - timedelta(days=1)))
    assert exc.user_message == "The end of the range must be after its start."
    assert error_text(exc) == "Thời điểm kết thúc phải sau thời điểm bắt đầu."
    exc = refused(lambda: sync.sync_shop(owner_ctx, 4321))
    assert error_text(exc) == "Gian hàng 4321 không tồn tại."  # an id: no thousands dot

    pasted = "https://example.test/callback?shop_id=123456"
    exc = refused(lambda: oauth_redirect.parse_redirect_url(pasted))
    assert exc.user_message.startswith("The address has no authorisation code (code=…).")
    assert error_text(exc) == (
        "Địa chỉ không có mã ủy quyền (code=…). Hãy sao chép toàn bộ địa chỉ trên thanh địa "
        "chỉ của trình duyệt sau khi ủy quyền gian hàng."
    )
    exc = refused(lambda: oauth_redirect.parse_redirect_url("?code=abc&shop_id=12x"))
    assert error_text(exc) == "Mã gian hàng '12x' không phải số nguyên dương."

    manager = owner_ctx.with_actor(
        Actor(id=None, name="Lan", email="lan@shop.vn", role=Role.MANAGER)
    )
    exc = refused(lambda: store_move.move_to(manager, "postgresql+psycopg://u:p@db/shop"))
    assert exc.user_message == "Only the owner may move the shop's data to another database."
    assert (
        error_text(exc) == "Chỉ chủ cửa hàng được chuyển dữ liệu cửa hàng sang cơ sở dữ liệu khác."
    )

    exc = refused(lambda: schedule_settings.set_sync_interval(owner_ctx, 2000))
    assert exc.user_message == "The sync interval must be 2 to 1,440 minutes (got 2,000)."
    assert error_text(exc) == "Chu kỳ đồng bộ phải từ 2 đến 1.440 phút (đang là 2.000)."


def test_every_service_template_is_collected_and_translated_with_its_fields() -> None:
    script = _update_script()
    generated = Path(script.SERVICE_TEXTS)
    assert generated.read_text(encoding="utf-8") == script.service_texts_source(), (
        "primedist/ui/service_texts.py is stale: run packaging/update_translations.py"
    )
    templates = script.service_templates()
    assert "Order {order} is {status}: it cannot become {to}." in templates
    catalogue = load_catalogue()
    fields = re.compile(r"\{(\w+)\}")
    for template in [*templates, "row {row}", "column {column}"]:
        entry = catalogue[("service", template)]
        vi = entry.translations[0]
        assert sorted(fields.findall(vi)) == sorted(fields.findall(template)), (template, vi)
