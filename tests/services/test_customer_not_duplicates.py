"""Find duplicates: customers said not to be duplicates ("Not duplicates": a husband and
wife sharing a phone) stop showing together, for good; each customer shows what they owe
for sales on account, the Customers list's Owes."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.enums import Module, PaymentMethod, Role
from primedist.errors import NotFound, PermissionDenied, ValidationError
from primedist.queries.customers import CUSTOMERS_SPEC, customers
from primedist.services import customer_account as account
from primedist.services.context import Actor, ServiceContext
from primedist.services.customers import (
    CustomerDraft,
    DuplicatePolicy,
    add_customer,
    find_duplicates,
    mark_not_duplicates,
    merge_customers,
    update_customer,
)
from primedist.services.orders import DraftLine, OrderDraft, create_order
from tests.factories import make_product

PHONE = "0901234567"


def add(ctx: ServiceContext, name: str, *phones: str) -> int:
    return add_customer(ctx, CustomerDraft(name=name, phones=list(phones)),
                        on_duplicate=DuplicatePolicy.CREATE).customer_id  # fmt: skip


def groups(ctx: ServiceContext) -> list[list[int]]:
    return [g.ids for g in find_duplicates(ctx)]


def audit_rows(engine: Engine, action: str) -> list[tuple[str, str, dict[str, object]]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT entity_id, summary, after_json FROM audit_events"
                    " WHERE action = :a ORDER BY id"), {"a": action})  # fmt: skip
        return [(str(e), str(s), json.loads(a)) for e, s, a in rows]


def test_a_couple_said_not_duplicates_no_longer_shows(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    husband, wife = add(owner_ctx, "Lê Văn Hùng", PHONE), add(owner_ctx, "Phạm Thị Lan", PHONE)
    assert groups(owner_ctx) == [[husband, wife]]

    assert mark_not_duplicates(owner_ctx, [wife, husband]) == 1
    assert groups(owner_ctx) == []
    assert audit_rows(engine, "customer.not_duplicates") == [(
        str(husband),
        f"KH{husband:06d}, KH{wife:06d}: not duplicates",
        {"customers": [f"KH{husband:06d}", f"KH{wife:06d}"], "new_pairs": 1},
    )]  # fmt: skip
    # Said again (another window): nothing new, still one pair.
    assert mark_not_duplicates(owner_ctx, [husband, wife]) == 0
    # Dismissed pairs stay dismissed, whatever they come to share (README § Customers).
    for cid, name in ((husband, "Lê Văn Hùng"), (wife, "Phạm Thị Lan")):
        update_customer(owner_ctx, cid, CustomerDraft(name=name, phones=[PHONE, "0987654321"]),
                        allow_shared_phones=True)  # fmt: skip
    assert groups(owner_ctx) == []


def test_a_third_customer_sharing_the_phone_still_shows_with_both(
    owner_ctx: ServiceContext,
) -> None:
    husband, wife = add(owner_ctx, "Lê Văn Hùng", PHONE), add(owner_ctx, "Phạm Thị Lan", PHONE)
    mark_not_duplicates(owner_ctx, [husband, wife])
    again = add(owner_ctx, "Hùng Lê", PHONE)  # the husband added twice: a real duplicate
    assert groups(owner_ctx) == [[husband, wife, again]]
    merge_customers(owner_ctx, husband, [again])
    assert groups(owner_ctx) == []


def test_only_live_customers_and_only_the_owner_or_a_manager(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    husband, wife = add(owner_ctx, "Lê Văn Hùng", PHONE), add(owner_ctx, "Phạm Thị Lan", PHONE)
    again = add(owner_ctx, "Hùng Lê", PHONE)
    staff = owner_ctx.with_actor(Actor(id=None, name="Nhân viên", email="", role=Role.STAFF,
                                       modules=frozenset({Module.CUSTOMERS})))  # fmt: skip
    with pytest.raises(PermissionDenied):
        mark_not_duplicates(staff, [husband, wife])
    with pytest.raises(ValidationError):
        mark_not_duplicates(owner_ctx, [husband, husband])
    merge_customers(owner_ctx, husband, [again])
    with pytest.raises(NotFound, match=f"KH{again:06d}"):
        mark_not_duplicates(owner_ctx, [wife, again])
    assert groups(owner_ctx) == [[husband, wife]]
    assert audit_rows(engine, "customer.not_duplicates") == []


def list_owes(engine: Engine, ids: list[int]) -> dict[int, int]:
    """The Owes column of the Customers list, by customer."""
    (owes,) = (col.expr for col in CUSTOMERS_SPEC.columns if col.key == "owes")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(customers.c.id, owes).where(customers.c.id.in_(ids)))
        return {int(i): int(o) for i, o in rows}


def test_each_customer_shows_what_they_owe(owner_ctx: ServiceContext, engine: Engine) -> None:
    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 99_000, 20)])
    husband, wife = add(owner_ctx, "Lê Văn Hùng", PHONE), add(owner_ctx, "Phạm Thị Lan", PHONE)
    create_order(owner_ctx, OrderDraft(lines=(DraftLine(shirt, 2),), customer_id=wife,
                                       payment_method=PaymentMethod.ON_ACCOUNT,
                                       paid_now=50_000))  # fmt: skip
    account.adjust_balance(owner_ctx, wife, 30_000, "Nợ cũ")
    account.adjust_balance(owner_ctx, husband, -20_000, "Trả trước")

    (group,) = find_duplicates(owner_ctx)
    shown = {m.id: m.owed for m in group.members}
    assert shown == {wife: 2 * 99_000 - 50_000 + 30_000, husband: -20_000}
    assert shown == list_owes(engine, [husband, wife])
