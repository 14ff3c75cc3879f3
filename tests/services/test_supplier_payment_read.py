"""One payment to a supplier read for its voucher (phiếu chi): its supplier, the goods
receipt it was paid with, who paid it, a cancellation; found by its code (PC000012, any
case); a payment or code that does not exist said plainly; Products access required."""

from __future__ import annotations

import pytest

from primedist.domain.enums import Module, PaymentMethod, Role
from primedist.errors import NotFound, PermissionDenied, ValidationError
from primedist.services import goods_receipts as receipts
from primedist.services import suppliers
from primedist.services.context import Actor, ServiceContext
from tests.conftest import FIXED_NOW
from tests.factories import make_product


def staff(ctx: ServiceContext, *modules: Module) -> ServiceContext:
    return ctx.with_actor(Actor(id=None, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                                modules=frozenset(modules)))  # fmt: skip


@pytest.fixture
def supplier_id(owner_ctx: ServiceContext) -> int:
    """A receipt of 300.000 from Đức Minh, 100.000 paid with it in cash (PC000001), then
    50.000 by bank transfer (PC000002)."""
    cup = make_product(owner_ctx.engine, "Cốc sứ", [("COC-1", 45_000, 0)])[0]
    row = receipts.receive_goods(owner_ctx, receipts.ReceiptDraft(
        [receipts.ReceiptLine(cup, 10, 30_000)], supplier="Công ty Đức Minh",
        paid=100_000))  # fmt: skip
    assert row.supplier_id is not None
    suppliers.pay_supplier(owner_ctx, row.supplier_id, 50_000, PaymentMethod.BANK_TRANSFER,
                           "  CK  ")  # fmt: skip
    return row.supplier_id


def test_a_payment_with_its_supplier_and_receipt(owner_ctx, supplier_id):
    first = suppliers.get_payment(owner_ctx, 1)
    assert (first.code, first.supplier_id, first.supplier_name, first.supplier_code,
            first.amount, first.method, first.note, first.by, first.receipt_code,
            first.paid_at, first.cancelled_at, first.cancel_reason) == (
        "PC000001", supplier_id, "Công ty Đức Minh", "NCC000001", 100_000,
        PaymentMethod.CASH, "", "Chủ Thử", "PN000001", FIXED_NOW, None, "",
    )  # fmt: skip
    later = suppliers.get_payment(owner_ctx, 2)
    assert (later.code, later.method, later.note, later.receipt_code) == (
        "PC000002", PaymentMethod.BANK_TRANSFER, "CK", None)  # fmt: skip
    suppliers.cancel_payment(owner_ctx, 2, "Nhập nhầm")
    cancelled = suppliers.get_payment(owner_ctx, 2)
    assert cancelled.cancelled_at == FIXED_NOW and cancelled.cancel_reason == "Nhập nhầm"


def test_a_payment_that_does_not_exist(owner_ctx, supplier_id):
    with pytest.raises(NotFound, match=r"^Payment 9 no longer exists\.$"):
        suppliers.get_payment(owner_ctx, 9)


def test_found_by_its_code(owner_ctx, supplier_id):
    assert suppliers.payment_id_by_code(owner_ctx, " pc000002 ") == 2
    assert suppliers.payment_id_by_code(owner_ctx, "PC1") == 1
    for code in ("PC000009", "PC" + "9" * 30):  # the second: larger than any id can be
        with pytest.raises(NotFound, match=rf"^There is no payment {code}\.$"):
            suppliers.payment_id_by_code(owner_ctx, code)
    for code in ("PT000001", "PC", "PC-1", "PC١٢", "1"):  # a customer's, none, not digits
        with pytest.raises(
            ValidationError, match=rf"^{code} is not a supplier payment code \(PC000012\)\.$"
        ):
            suppliers.payment_id_by_code(owner_ctx, code)


def test_products_access_is_required(owner_ctx, supplier_id):
    without = staff(owner_ctx, Module.ORDERS, Module.CUSTOMERS)
    with pytest.raises(PermissionDenied):
        suppliers.get_payment(without, 1)
    with pytest.raises(PermissionDenied):
        suppliers.payment_id_by_code(without, "PC000001")
    allowed = staff(owner_ctx, Module.PRODUCTS)
    assert suppliers.get_payment(allowed, 1).amount == 100_000
    assert suppliers.payment_id_by_code(allowed, "PC000001") == 1
