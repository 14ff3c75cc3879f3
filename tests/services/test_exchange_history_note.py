# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The old sale's history words an exchange's return as a credit towards the new sale, not
as a refund: no money was handed back for it (it paid for the new sale), and "refund
299,000" read to the owner as cash out of the drawer. A plain return still says refund."""

from __future__ import annotations

from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from tests.services.test_exchange import customer_id, variants  # noqa: F401  (fixtures)
from tests.services.test_exchange_given_back import exchanged_for_cheaper


def notes(ctx: ServiceContext, order_id: int) -> list[str]:
    return [str(h.note) for h in svc.order_detail(ctx, order_id).history if h.note]


def test_the_exchanged_order_s_history_says_credit_not_refund(
    owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    old, _done = exchanged_for_cheaper(owner_ctx, variants, customer_id)
    old_notes = notes(owner_ctx, old)
    assert "Returned 1 item(s) for an exchange, credit 299,000: Đổi mẫu" in old_notes, old_notes
    assert not any("refund" in note for note in old_notes), old_notes


def test_a_plain_return_still_says_refund(
    owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    bought = svc.create_order(owner_ctx, svc.OrderDraft(lines=(svc.DraftLine(variants[1], 1),),
                                                         customer_id=customer_id))  # fmt: skip
    line = svc.order_detail(owner_ctx, bought.id).lines[0].id or 0
    svc.return_order(owner_ctx, bought.id, {line: 1}, reason="Hàng lỗi")
    assert "Returned 1 item(s), refund 299,000: Hàng lỗi" in notes(owner_ctx, bought.id)
