# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The demo's own vouchers give what their rule gives a sale: SALE10 is 10% of the goods
after the seller's discount (at most 100,000 đ), not of the subtotal rounded down."""

from __future__ import annotations

from sqlmodel import Session, select

from primedist.domain.enums import DiscountKind
from primedist.domain.loyalty import Voucher
from primedist.services import pricing
from primedist.services.context import ServiceContext
from tests.services.test_demo import demo_ctx, rows  # noqa: F401  (fixture)


def test_every_demo_voucher_gives_what_its_rule_gives(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    found = rows(engine, """
        SELECT v.code, o.subtotal - o.seller_discount, o.shipping_fee, o.voucher_discount
        FROM orders o JOIN vouchers v ON v.id = o.voucher_id""")  # fmt: skip
    by_code: dict[str, list[tuple[int, int, int]]] = {}
    for code, goods, fee, given in found:
        by_code.setdefault(str(code), []).append((int(goods), int(fee), int(given)))
    sale10 = by_code["SALE10"]
    assert any(goods % 10_000 for goods, _f, _g in sale10)  # not only round amounts
    # Worked out here, apart from the pricing code: 10% of the goods, at most 100,000 đ.
    assert [given for _goods, _f, given in sale10] == [
        min(goods * 10 // 100, 100_000) for goods, _f, _g in sale10]  # fmt: skip
    # Every voucher as a sale prices it, its minimum met.
    with Session(engine) as session:
        for v in session.exec(select(Voucher)).all():
            for goods, fee, given in by_code.get(v.code, []):
                assert goods >= v.min_order_value, (v.code, goods)
                rule = pricing.voucher_amount(
                    DiscountKind(v.discount_kind), v.discount_value, v.max_discount,
                    v.free_shipping, merchandise=goods, shipping_fee=fee,
                )  # fmt: skip
                assert (v.code, goods, fee, given) == (v.code, goods, fee, rule)
