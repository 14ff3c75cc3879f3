"""Deleting customers: gone from lists, searches, segments and tags; their orders stay; the
next order from the same buyer makes a new customer; a debtor is kept; owner/manager only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import shop_tz
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerIdentity
from primedist.domain.enums import Channel, Module, Role
from primedist.domain.order import Order
from primedist.errors import PermissionDenied
from primedist.queries.customers import CUSTOMERS_SPEC, CustomerFilter, list_state, search_customers
from primedist.queries.spec import count_rows
from primedist.services import customer_account, segments, tags
from primedist.services.context import Actor, ServiceContext
from primedist.services.customer_delete import delete_customers
from primedist.services.customers import (
    CustomerDraft,
    add_customer,
    find_phone_owner,
    merge_customers,
    resolve_customer,
)
from tests.factories import make_orders, make_shop

customers_t = table_of(Customer)
identities_t = table_of(CustomerIdentity)
orders_t = table_of(Order)
audit_t = table_of(AuditEvent)


def add(ctx: ServiceContext, name: str, phone: str) -> int:
    result = add_customer(ctx, CustomerDraft(name=name, phones=[phone]))
    assert result.customer_id is not None
    return result.customer_id


def listed(ctx: ServiceContext) -> int:
    with ctx.engine.connect() as conn:
        return count_rows(conn, CUSTOMERS_SPEC, list_state(CustomerFilter(), shop_tz()))


def test_a_deleted_customer_leaves_the_lists_but_their_orders_stay(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    hoa = add(owner_ctx, "Nguyễn Thị Hoa", "0939921717")
    nam = add(owner_ctx, "Trần Nam", "0912345678")
    shop = make_shop(engine, "Prime Shopee", Channel.SHOPEE)
    (order,) = make_orders(
        engine, shop, 1, start=owner_ctx.clock.now(), step=timedelta(hours=1), customer_ids=[hoa]
    )
    seg = segments.create_segment(owner_ctx, "Tết")
    segments.add_to_segment(owner_ctx, seg, [hoa, nam])
    tag = tags.create_tag(owner_ctx, "Sỉ")
    tags.tag_customers(owner_ctx, tag, [hoa])
    with engine.begin() as conn:
        conn.execute(identities_t.insert().values(customer_id=hoa, channel=Channel.SHOPEE,
                                                  shop_id=shop, buyer_id="hoa.shop"))  # fmt: skip
    assert listed(owner_ctx) == 2

    report = delete_customers(owner_ctx, [hoa, hoa])
    assert (report.deleted, report.owing) == (1, [])
    assert report.summary() == "1 customer deleted."
    assert listed(owner_ctx) == 1
    with engine.connect() as conn:
        assert search_customers(conn, "hoa") == []
        assert conn.execute(sa.select(orders_t.c.customer_id).where(orders_t.c.id == order)
                            ).scalar_one() == hoa  # fmt: skip
        assert conn.execute(sa.select(sa.func.count()).select_from(identities_t)).scalar() == 0
        summary = conn.execute(
            sa.select(audit_t.c.summary).where(audit_t.c.action == "customer.delete")
        ).scalar_one()  # fmt: skip
    assert [s.count for s in segments.list_segments(owner_ctx)] == [1]
    assert next(t for t in tags.list_tags(owner_ctx) if t.id == tag).count == 0
    assert summary.startswith("1 customers deleted: KH") and "Nguyễn Thị Hoa" in summary
    assert find_phone_owner(owner_ctx, "0939921717") is None
    # The same buyer orders again: a new customer, recognised from then on.
    with engine.begin() as conn:
        again = [resolve_customer(conn, channel=Channel.SHOPEE, buyer_id="hoa.shop",
                                  phone="0939921717", name="Hoa", now=owner_ctx.clock.now(),
                                  shop_id=shop) for _ in range(2)]  # fmt: skip
    assert again[0] == again[1] and again[0] not in (hoa, nam)
    # Deleting again (or a merged-away customer) does nothing.
    assert delete_customers(owner_ctx, [hoa]).deleted == 0


def test_a_customer_who_owes_money_is_kept(engine: Engine, owner_ctx: ServiceContext) -> None:
    hoa = add(owner_ctx, "Nguyễn Thị Hoa", "0939921717")
    nam = add(owner_ctx, "Trần Nam", "0912345678")
    customer_account.adjust_balance(owner_ctx, hoa, 250_000, "nợ cũ")
    report = delete_customers(owner_ctx, [hoa, nam])
    assert report.deleted == 1
    assert [(d.id, d.owed) for d in report.owing] == [(hoa, 250_000)]
    assert report.summary() == (
        f"1 customer deleted; kept because they still owe money: KH{hoa:06d} Nguyễn Thị Hoa."
    )
    with engine.connect() as conn:
        alive = conn.execute(
            sa.select(customers_t.c.id).where(customers_t.c.deleted_at.is_(None))
        ).scalars().all()  # fmt: skip
    assert alive == [hoa]


def test_a_customer_the_shop_owes_money_is_kept(engine: Engine, owner_ctx: ServiceContext) -> None:
    """A deposit or an overpayment (a balance below 0) would vanish with the customer."""
    hoa = add(owner_ctx, "Nguyễn Thị Hoa", "0939921717")
    nam = add(owner_ctx, "Trần Nam", "0912345678")
    lan = add(owner_ctx, "Lê Lan", "0987654321")
    customer_account.adjust_balance(owner_ctx, hoa, -100_000, "tiền đặt cọc")
    customer_account.adjust_balance(owner_ctx, nam, 250_000, "nợ cũ")

    report = delete_customers(owner_ctx, [hoa, nam, lan])

    assert report.deleted == 1
    assert [(d.id, d.owed) for d in report.owed_by_shop] == [(hoa, -100_000)]
    assert [(d.id, d.owed) for d in report.owing] == [(nam, 250_000)]
    assert report.summary() == (
        f"1 customer deleted; kept because they still owe money: KH{nam:06d} Trần Nam. "
        f"Kept until their account is settled: KH{hoa:06d} Nguyễn Thị Hoa (the shop owes them "
        "100,000 đ)."
    )
    with engine.connect() as conn:
        alive = conn.execute(
            sa.select(customers_t.c.id).where(customers_t.c.deleted_at.is_(None))
            .order_by(customers_t.c.id)
        ).scalars().all()  # fmt: skip
        after = conn.execute(
            sa.select(audit_t.c.after_json).where(audit_t.c.action == "customer.delete")
        ).scalar_one()  # fmt: skip
    assert alive == [hoa, nam]
    assert json.loads(after)["kept_owed_by_shop"] == [f"KH{hoa:06d}"]
    assert customer_account.get_balance(owner_ctx, hoa).owed == -100_000  # still owed to her
    only = delete_customers(owner_ctx, [hoa])
    assert (only.deleted, only.summary()) == (0, (
        f"0 customers deleted. Kept until their account is settled: KH{hoa:06d} Nguyễn Thị Hoa "
        "(the shop owes them 100,000 đ)."))  # fmt: skip


def test_merged_customers_are_ignored_and_staff_may_not_delete(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    hoa = add(owner_ctx, "Nguyễn Thị Hoa", "0939921717")
    other = add(owner_ctx, "Hoa", "0908000111")
    merge_customers(owner_ctx, hoa, [other])
    assert delete_customers(owner_ctx, [other]).deleted == 0
    staff = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset({Module.CUSTOMERS}))
    )
    with pytest.raises(PermissionDenied):
        delete_customers(staff, [hoa])
    assert listed(owner_ctx) == 1
    manager = owner_ctx.with_actor(Actor(None, "Minh", "minh@x.vn", Role.MANAGER, frozenset()))
    assert delete_customers(manager, [hoa]).deleted == 1
    assert listed(owner_ctx) == 0


def test_those_a_deleted_customer_referred_can_still_be_edited(owner_ctx: ServiceContext) -> None:
    from primedist.services.customer_detail import customer_profile
    from primedist.services.customers import update_customer

    referrer = add(owner_ctx, "Người giới thiệu", "0901111111")
    friend = add_customer(owner_ctx, CustomerDraft(name="Bạn", phones=["0902222222"],
                                                   referrer_id=referrer)).customer_id  # fmt: skip
    assert friend is not None
    delete_customers(owner_ctx, [referrer])
    assert customer_profile(owner_ctx, friend).referrer is None  # it went with the referrer
    update_customer(owner_ctx, friend, CustomerDraft(name="Bạn thân", phones=["0902222222"]))
    assert customer_profile(owner_ctx, friend).name == "Bạn thân"
