"""The audit log's rows name things as the shop does (audit hunt, Vietnamese log): an order's
source, payment method and a price change's rule by their names, not their codes; a
product edit's changes in the reader's language; a voucher's terms before and after; the
order numbers of a flag, a note and a return; SKUs and codes, not ids, in goods receipts,
purchase orders, returns, customer deletes, order edits and payments; and the points
settings' first save against the built-in defaults."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from primedist.core.messages import restored
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import DiscountKind, OrderSource, PaymentMethod
from primedist.services import catalogue, customer_account, customer_delete, order_edit, orders
from primedist.services import goods_receipts as gr
from primedist.services import price_change as pc
from primedist.services import purchase_orders as po
from primedist.services import supplier_returns as sr
from primedist.services.app_settings import put_setting
from primedist.services.context import ServiceContext
from primedist.services.loyalty import settings as loyalty
from primedist.services.loyalty import vouchers
from primedist.ui import messages
from primedist.ui.messages import localize
from primedist.ui.settings.audit import changes_text
from tests.factories import make_customers, make_product

pytestmark = pytest.mark.usefixtures("english")


def audit_rows(ctx: ServiceContext, action: str) -> list[Any]:
    table = table_of(AuditEvent)
    with ctx.engine.connect() as conn:
        return list(conn.execute(sa.select(table).where(table.c.action == action)
                                 .order_by(table.c.id)))  # fmt: skip


def summary(row: Any) -> str:
    """The row's summary as the log words it."""
    return localize(restored(row.summary, row.summary_args))


def after(row: Any) -> Any:
    return json.loads(row.after_json)


def before(row: Any) -> Any:
    return json.loads(row.before_json)


@pytest.fixture
def cups(owner_ctx: ServiceContext) -> tuple[int, int]:
    """Cups at 45.000 ₫ and plates at 60.000 ₫, plenty in stock."""
    cup, plate = make_product(owner_ctx.engine, "Gốm", [("COC-1", 45_000, 50),
                                                        ("DIA-1", 60_000, 50)])  # fmt: skip
    return cup, plate


# --------------------------------------------------------------------------- codes in words


def test_an_orders_source_and_payment_method_read_as_names(
    owner_ctx: ServiceContext, cups: tuple[int, int]
) -> None:
    cup, _plate = cups
    for source in (OrderSource.COUNTER, OrderSource.PHONE):
        orders.create_order(owner_ctx, orders.OrderDraft(
            lines=(orders.DraftLine(cup, 1),), source=source,
            payment_method=PaymentMethod.CASH))  # fmt: skip
    created = [summary(r) for r in audit_rows(owner_ctx, "order.create")]
    assert created[0].endswith("(Counter sale)"), created
    assert created[1].endswith("(Phone order)"), created
    # An order edit's before/after (services/order_edit._snapshot).
    assert changes_text('{"payment_method": "bank_transfer"}') == "payment method: Bank transfer"


def test_a_price_changes_rule_reads_as_names(owner_ctx: ServiceContext) -> None:
    make_product(owner_ctx.engine, "Áo", [("AO-1", 100_000, 5)])
    products = pc.products_for(owner_ctx, skus=["AO-1"])
    pc.change_prices(owner_ctx, products, pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.PERCENT,
                                                       Decimal(10), 1000))  # fmt: skip
    (row,) = audit_rows(owner_ctx, "product.price_change")
    shown = changes_text(row.after_json)
    assert shown.startswith(
        "rule: which price: selling price, how: by a percentage, value: 10, round to: 1000;"
    ), shown
    # A voucher's "amount" is not a price change's: each field names its own codes.
    assert changes_text('{"discount_kind": "amount"}') == "discount type: amount (VND)"
    assert changes_text('{"mode": "amount"}') == "how: by an amount"


# --------------------------------------------------------------------------- product edit

#: A stand-in Vietnamese catalogue (context "service") for a product edit's changes.
VIETNAMESE = {
    "name {old} → {new}": "tên {old} → {new}",
    "{sku}: price {old} → {new}": "{sku}: giá bán {old} → {new}",
}


class Catalogue:
    @staticmethod
    def translate(context: str, text: str, *_args: Any) -> str:
        return VIETNAMESE.get(text, text) if context == "service" else text


def test_a_product_edits_changes_read_in_the_readers_language(
    owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    (lamp,) = make_product(owner_ctx.engine, "Đèn ngủ", [("DEN-1", 249_000, 5)])
    pid = _product_of(owner_ctx, lamp)
    draft = catalogue.get_product(owner_ctx, pid).draft
    variant = replace(draft.variants[0], price=260_000)
    catalogue.update_product(owner_ctx, pid, replace(draft, name="Đèn ngủ mới",
                                                     variants=[variant]))  # fmt: skip
    (row,) = audit_rows(owner_ctx, "product.update")
    # Kept as templates and values: the figures stay numbers (not "249,000" in English).
    assert after(row)["changes"][1] == {
        "t": "{sku}: price {old} → {new}", "v": {"sku": "DEN-1", "old": 249_000, "new": 260_000}
    }  # fmt: skip
    english = "changes: name 'Đèn ngủ' → 'Đèn ngủ mới', DEN-1: price 249,000 → 260,000"
    assert changes_text(row.after_json).startswith(english)
    monkeypatch.setattr(messages, "QCoreApplication", Catalogue)
    assert changes_text(row.after_json).startswith(
        "changes: tên 'Đèn ngủ' → 'Đèn ngủ mới', DEN-1: giá bán 249,000 → 260,000"
    )
    # A row written before reads as it was stored.
    assert changes_text('{"changes": ["DEN-1: price 1 → 2"]}') == "changes: DEN-1: price 1 → 2"


def _product_of(ctx: ServiceContext, variant_id: int) -> int:
    with ctx.engine.connect() as conn:
        query = sa.text("SELECT product_id FROM variants WHERE id = :v")
        return int(conn.execute(query, {"v": variant_id}).scalar_one())


# --------------------------------------------------------------------------- vouchers


def test_a_vouchers_rows_hold_its_terms_and_what_changed(owner_ctx: ServiceContext) -> None:
    draft = vouchers.VoucherDraft(
        code="AUDJ10", name="Giảm 10%", kind=DiscountKind.PERCENT, value=10,
        max_discount=100_000, min_order_value=300_000)  # fmt: skip
    vid = vouchers.save_voucher(owner_ctx, draft)
    vouchers.save_voucher(owner_ctx, replace(draft, name="Giảm 15%", value=15), vid)
    vouchers.set_voucher_active(owner_ctx, vid, False)
    vouchers.delete_voucher(owner_ctx, vid)

    (created,) = audit_rows(owner_ctx, "voucher.create")
    assert after(created) == {
        "code": "AUDJ10", "name": "Giảm 10%", "discount_kind": "percent", "value": 10,
        "max_discount": 100_000, "min_order_value": 300_000, "starts_at": None,
        "ends_at": None, "usage_limit": None, "per_customer_limit": None, "is_active": True,
        "free_shipping": False, "tags": [], "levels": [],
    }  # fmt: skip
    assert "discount type: percentage (%); value: 10; discount at most: 100000" in (
        changes_text(created.after_json)
    )
    (edited,) = audit_rows(owner_ctx, "voucher.update")  # only what changed
    assert (before(edited), after(edited)) == ({"name": "Giảm 10%", "value": 10},
                                               {"name": "Giảm 15%", "value": 15})  # fmt: skip
    (off,) = audit_rows(owner_ctx, "voucher.deactivate")
    assert (changes_text(off.before_json), changes_text(off.after_json)) == (
        "active: Yes", "active: No")  # fmt: skip
    (deleted,) = audit_rows(owner_ctx, "voucher.delete")
    assert before(deleted)["value"] == 15 and before(deleted)["is_active"] is False


# --------------------------------------------------------------------------- orders named


def test_a_flag_a_note_and_a_return_name_the_order(
    owner_ctx: ServiceContext, cups: tuple[int, int]
) -> None:
    cup, plate = cups
    sale = orders.create_order(owner_ctx, orders.OrderDraft(
        lines=(orders.DraftLine(cup, 2), orders.DraftLine(plate, 1)),
        payment_method=PaymentMethod.CASH))  # fmt: skip
    orders.set_flag(owner_ctx, [sale.id], True)
    orders.set_staff_note(owner_ctx, sale.id, "gọi lại khách")
    line = next(ln.id for ln in orders.order_detail(owner_ctx, sale.id).lines if ln.sku == "COC-1")
    orders.return_order(owner_ctx, sale.id, {line or 0: 1}, reason="hàng lỗi")

    (flag,) = audit_rows(owner_ctx, "order.flag")
    assert sale.external_id in summary(flag)
    assert (flag.entity_id, after(flag)) == (str(sale.id), {"orders": [sale.external_id]})
    (note,) = audit_rows(owner_ctx, "order.note")
    assert summary(note) == sale.external_id
    (back,) = audit_rows(owner_ctx, "order.return")
    assert summary(back).startswith(f"{sale.external_id}: Returned 1 item(s), refund 45,000")
    assert after(back)["lines"] == {"COC-1": 1}


# --------------------------------------------------------------------------- SKUs and codes


def test_goods_lines_read_by_sku_and_returns_by_code(
    owner_ctx: ServiceContext, cups: tuple[int, int]
) -> None:
    cup, plate = cups
    order = po.create_order(owner_ctx, po.OrderDraft(
        "Gốm Minh Long", [po.OrderLine(cup, 10, 30_000), po.OrderLine(plate, 5)]))  # fmt: skip
    po.update_order(owner_ctx, order.id,
                    po.OrderDraft("Gốm Minh Long", [po.OrderLine(cup, 12, 30_000)]))  # fmt: skip
    receipt = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(cup, 10, 30_000), gr.ReceiptLine(plate, 5, 50_000)],
        supplier="Gốm Minh Long"))  # fmt: skip
    plate_line = next(ln.id for ln in gr.receipt_lines(owner_ctx, receipt.id) if ln.sku == "DIA-1")
    back = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {plate_line: 2}, "Vỡ"))
    sr.cancel_return(owner_ctx, back.id, "nhầm")

    cup_line = {"sku": "COC-1", "quantity": 10, "unit_cost": 30_000}
    (placed,) = audit_rows(owner_ctx, "purchase_order.create")
    assert after(placed)["lines"] == [cup_line, {"sku": "DIA-1", "quantity": 5,
                                                 "unit_cost": None}]  # fmt: skip
    (changed,) = audit_rows(owner_ctx, "purchase_order.update")
    assert before(changed)["lines"][0] == cup_line
    assert after(changed)["lines"] == [cup_line | {"quantity": 12}]
    (received,) = audit_rows(owner_ctx, "goods_receipt.create")
    assert "lines: (SKU: COC-1, quantity: 10, unit cost: 30000), (SKU: DIA-1, " in (
        changes_text(received.after_json)
    )
    (returned,) = audit_rows(owner_ctx, "goods_receipt.return")
    assert (after(returned)["return"], after(returned)["lines"]) == (back.code, {"DIA-1": 2})
    (cancelled,) = audit_rows(owner_ctx, "goods_receipt.return_cancel")
    assert after(cancelled)["return"] == back.code


def test_customers_and_payments_read_by_code(
    owner_ctx: ServiceContext, cups: tuple[int, int]
) -> None:
    cup, _plate = cups
    hoa, lan, gone = make_customers(owner_ctx.engine, 3, names=["Hoa", "Lan", "Nam"])
    codes = {cid: _code(owner_ctx, cid) for cid in (hoa, lan, gone)}
    sale = orders.create_order(owner_ctx, orders.OrderDraft(
        lines=(orders.DraftLine(cup, 2),), customer_id=hoa, source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD, ship_name="Hoa", ship_phone="0901234567",
        ship_address="1 Lê Lợi", ship_ward="Phường Bến Thành",
        ship_province="Thành phố Hồ Chí Minh"))  # fmt: skip
    order_edit.update_order(
        owner_ctx, sale.id, replace(order_edit.order_draft(owner_ctx, sale.id), customer_id=lan)
    )
    customer_account.adjust_balance(owner_ctx, lan, 50_000, "nợ cũ")
    entry = customer_account.receive_payment(owner_ctx, lan, 10_000)
    customer_account.cancel_payment(owner_ctx, entry.entity_id, "nhầm")
    adjusted = customer_account.adjust_balance(owner_ctx, lan, 5_000, "phí")
    customer_delete.delete_customers(owner_ctx, [gone])

    (edit,) = audit_rows(owner_ctx, "order.edit")
    assert (before(edit)["customer"], after(edit)["customer"]) == (codes[hoa], codes[lan])
    assert changes_text(edit.after_json).startswith(f"customer: {codes[lan]}; ")
    (paid,) = audit_rows(owner_ctx, "customer.payment")
    (cancel,) = audit_rows(owner_ctx, "customer.payment_cancel")
    assert after(paid)["payment"] == after(cancel)["payment"] == entry.reference
    assert entry.reference.startswith("PT")
    adjust = audit_rows(owner_ctx, "customer.adjust")[-1]
    assert after(adjust)["adjustment"] == adjusted.reference
    (deleted,) = audit_rows(owner_ctx, "customer.delete")
    assert after(deleted)["customers"] == [codes[gone]]


def _code(ctx: ServiceContext, customer_id: int) -> str:
    with ctx.engine.connect() as conn:
        query = sa.text("SELECT code FROM customers WHERE id = :c")
        return str(conn.execute(query, {"c": customer_id}).scalar_one())


# --------------------------------------------------------------------------- settings


def test_the_first_points_save_is_audited_against_the_defaults(owner_ctx: ServiceContext) -> None:
    """1,000 đ a point is the built-in value: saving it changes nothing, and the earn rate
    and cap changed from the defaults, not from nothing."""
    loyalty.save_points_settings(owner_ctx, loyalty.PointsSettings(
        earn_per=20_000, point_value=loyalty.DEFAULT_POINT_VALUE, cap_percent=30))  # fmt: skip
    rows = [r for r in audit_rows(owner_ctx, "settings.change")
            if r.entity_id.startswith("loyalty.")]  # fmt: skip
    assert [(r.entity_id, before(r), after(r)) for r in rows] == [
        (loyalty.EARN_SETTING, loyalty.DEFAULT_EARN_PER, 20_000),
        (loyalty.CAP_SETTING, loyalty.DEFAULT_CAP_PERCENT, 30),
    ]
    assert loyalty.read_points_settings(owner_ctx).earn_per == 20_000
    # Saving a stored value again writes no row either.
    with owner_ctx.uow() as session:
        put_setting(owner_ctx, session, loyalty.EARN_SETTING, 20_000)
    assert audit_rows(owner_ctx, "settings.change")[-1].id == rows[-1].id
