"""The customer detail's services: period statistics in SQL, orders, ledger, referred
customers, addresses (the 11th replaces the oldest), tags, note, staff; audit and access."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.customer import MAX_ADDRESSES, Address, Customer, Tag
from primedist.domain.enums import Channel, OrderStatus, PointsKind, Role
from primedist.domain.loyalty import PointsEntry
from primedist.domain.order import Order
from primedist.errors import NotFound, PermissionDenied, ValidationError
from primedist.services import customer_detail as svc
from primedist.services.context import Actor, ServiceContext
from tests.factories import make_customers, make_orders, make_shop

orders_t = table_of(Order)
customers_t = table_of(Customer)

#: 14:00 Vietnam time on 1–10 November 2026 (07:00 UTC).
DAY1 = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)


def set_orders(engine: Engine, ids: list[int], plan: list[tuple[OrderStatus, int]]) -> None:
    """Give each order a status and a total/refund (the money parts still add up)."""
    with engine.begin() as conn:
        for oid, (status, refunded) in zip(ids, plan, strict=True):
            conn.execute(
                orders_t.update()
                .where(orders_t.c.id == oid)
                .values(status=status, refunded_amount=refunded)
            )


@pytest.fixture
def store(engine: Engine) -> dict[str, object]:
    shop = make_shop(engine, "Shopee Hà Nội", Channel.SHOPEE)
    (cid, other) = make_customers(engine, 2, names=["Nguyễn Thị Lan", "Trần Văn Bình"])
    totals = [100_000, 200_000, 300_000, 400_000, 500_000, 600_000]
    ids = make_orders(
        engine, shop, 6, start=DAY1, step=timedelta(days=1), customer_ids=[cid], totals=totals
    )
    set_orders(
        engine,
        ids,
        [
            (OrderStatus.COMPLETED, 0),  # 1 Nov
            (OrderStatus.COMPLETED, 50_000),  # 2 Nov: 150,000 kept
            (OrderStatus.CANCELLED, 0),  # 3 Nov
            (OrderStatus.RETURNED, 400_000),  # 4 Nov
            (OrderStatus.PENDING, 0),  # 5 Nov
            (OrderStatus.COMPLETED, 0),  # 6 Nov
        ],
    )
    make_orders(engine, shop, 3, start=DAY1, step=timedelta(days=1), customer_ids=[other])
    return {"customer": cid, "other": other, "orders": ids}


def test_period_stats_count_and_sum_only_the_range(ctx: ServiceContext, store) -> None:
    cid = store["customer"]
    st = svc.customer_period_stats(ctx, cid, date(2026, 11, 2), date(2026, 11, 5))
    assert st.total_orders == 4
    assert st.by_status[OrderStatus.COMPLETED] == 1
    assert st.by_status[OrderStatus.CANCELLED] == 1
    assert st.by_status[OrderStatus.RETURNED] == 1
    assert st.by_status[OrderStatus.PENDING] == 1
    assert st.successful_orders == 1
    assert st.total_expenses == 150_000  # total − refunded of the completed order only
    assert st.average_order_value == 150_000
    # Successful ÷ finished: the pending order of 5 Nov is neither (1 of 3).
    assert st.success_rate == pytest.approx(1 / 3)

    whole = svc.customer_period_stats(ctx, cid, date(2026, 1, 1), date(2026, 12, 31))
    assert whole.total_orders == 6
    assert whole.total_expenses == 100_000 + 150_000 + 600_000
    assert whole.average_order_value == 283_333
    assert whole.success_rate == pytest.approx(3 / 5)

    only_pending = svc.customer_period_stats(ctx, cid, date(2026, 11, 5), date(2026, 11, 5))
    assert only_pending.total_orders == 1 and only_pending.success_rate is None


def test_period_uses_shop_local_days(ctx: ServiceContext, engine: Engine, store) -> None:
    cid = store["customer"]
    # 18:00 UTC on 6 Nov is 01:00 on 7 Nov in Vietnam: it belongs to 7 Nov.
    with engine.begin() as conn:
        conn.execute(
            orders_t.update()
            .where(orders_t.c.id == store["orders"][-1])
            .values(created_at=datetime(2026, 11, 6, 18, 0, tzinfo=UTC))
        )
    assert (
        svc.customer_period_stats(ctx, cid, date(2026, 11, 6), date(2026, 11, 6)).total_orders == 0
    )
    seventh = svc.customer_period_stats(ctx, cid, date(2026, 11, 7), date(2026, 11, 7))
    assert seventh.total_orders == 1 and seventh.total_expenses == 600_000


def test_empty_range_and_bad_range(ctx: ServiceContext, store) -> None:
    st = svc.customer_period_stats(ctx, store["customer"], date(2025, 1, 1), date(2025, 1, 31))
    assert st.total_orders == 0
    assert st.average_order_value is None and st.success_rate is None
    with pytest.raises(ValidationError):
        svc.customer_period_stats(ctx, store["customer"], date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(NotFound):
        svc.customer_period_stats(ctx, 999_999, date(2026, 1, 1), date(2026, 1, 2))


def test_orders_newest_first_and_only_this_customer(ctx: ServiceContext, store) -> None:
    rows = svc.customer_orders(ctx, store["customer"])
    assert [r.id for r in rows] == list(reversed(store["orders"]))
    assert rows[0].status == OrderStatus.COMPLETED and rows[0].shop == "Shopee Hà Nội"
    assert len(svc.customer_orders(ctx, store["customer"], limit=2)) == 2


def test_orders_and_ledger_page_by_keyset_with_ties_and_counts(
    ctx: ServiceContext, engine: Engine, store
) -> None:
    """The history is read a page at a time (the detail says "the newest 200 of 214" and
    shows more): each page follows the last row shown, ties on the time ordered by id,
    none skipped nor repeated; the counts say how many there are."""
    cid = store["customer"]
    ids = store["orders"]
    with engine.begin() as conn:  # the two newest placed at the same moment
        conn.execute(orders_t.update().where(orders_t.c.id.in_(ids[-2:]))
                     .values(created_at=DAY1 + timedelta(days=9)))  # fmt: skip
    for size in (1, 4):  # one a page splits the tie
        pages, after = [], None
        while page := svc.customer_orders(ctx, cid, limit=size, after=after):
            pages.append([o.id for o in page])
            after = page[-1]
        assert [i for page in pages for i in page] == list(reversed(ids))
        assert len(pages) == -(-6 // size)
    assert svc.count_customer_orders(ctx, cid) == 6
    assert svc.count_customer_orders(ctx, store["other"]) == 3

    points = table_of(PointsEntry)
    with engine.begin() as conn:
        conn.execute(sa.insert(points), [
            {"customer_id": cid, "kind": PointsKind.EARN, "delta": 1, "balance_after": n + 1,
             "created_at": DAY1 + timedelta(hours=n // 2)}
            for n in range(7)
        ])  # fmt: skip
    first = svc.points_ledger(ctx, cid, limit=2)  # ends inside a tie (6 and 5: the same time)
    assert [e.balance_after for e in first] == [7, 6]
    rest = svc.points_ledger(ctx, cid, limit=10, after=first[-1])
    assert [e.balance_after for e in rest] == [5, 4, 3, 2, 1]
    assert svc.count_points_entries(ctx, cid) == 7


def test_profile_ledger_and_referred(ctx: ServiceContext, engine: Engine, store) -> None:
    cid, other = store["customer"], store["other"]
    with engine.begin() as conn:
        conn.execute(customers_t.update().where(customers_t.c.id == other).values(referrer_id=cid))
        conn.execute(
            sa.insert(table_of(PointsEntry)),
            [
                {"customer_id": cid, "kind": PointsKind.EARN, "delta": 10, "balance_after": 10,
                 "created_at": DAY1},
                {"customer_id": cid, "kind": PointsKind.REDEEM, "delta": -4, "balance_after": 6,
                 "created_at": DAY1 + timedelta(days=1)},
            ],
        )  # fmt: skip
    profile = svc.customer_profile(ctx, other)
    assert profile.name == "Trần Văn Bình" and profile.initials == "TB"
    assert profile.referrer is not None and profile.referrer.id == cid
    assert len(profile.phones) == 1
    ledger = svc.points_ledger(ctx, cid)
    assert [(p.kind, p.delta, p.balance_after) for p in ledger] == [
        (PointsKind.REDEEM, -4, 6),
        (PointsKind.EARN, 10, 10),
    ]
    assert [r.id for r in svc.referred_customers(ctx, cid)] == [other]
    assert svc.referred_customers(ctx, other) == []


def test_eleventh_address_replaces_the_oldest(
    ctx: ServiceContext, engine: Engine, clock, store
) -> None:
    cid = store["customer"]
    for i in range(MAX_ADDRESSES):
        res = svc.add_address(
            ctx, cid, svc.AddressDraft(street=f"{i + 1} Lê Lợi", province="Hà Nội")
        )
        assert not res.replaced_oldest
        clock.advance(timedelta(minutes=1))
    first = svc.customer_profile(ctx, cid).addresses
    assert len(first) == MAX_ADDRESSES and first[0].is_default  # the first one is the default
    res = svc.add_address(ctx, cid, svc.AddressDraft(street="99 Trần Phú", province="Huế"))
    assert res.replaced_oldest and res.replaced is not None
    assert res.replaced.street == "1 Lê Lợi"
    after = svc.customer_profile(ctx, cid).addresses
    assert len(after) == MAX_ADDRESSES
    assert [a.street for a in after][0] == "2 Lê Lợi" and after[-1].street == "99 Trần Phú"
    # the default went with the oldest: the new one is the default now, and only it
    assert [a.is_default for a in after].count(True) == 1 and after[-1].is_default
    with engine.connect() as conn:
        summary = conn.execute(
            sa.select(AuditEvent.summary).where(AuditEvent.action == "customer.address.add")
            .order_by(AuditEvent.id.desc()).limit(1)
        ).scalar_one()  # fmt: skip
    assert "replaced the oldest" in summary and "1 Lê Lợi" in summary


def test_address_checks_and_remove(ctx: ServiceContext, store) -> None:
    cid = store["customer"]
    with pytest.raises(ValidationError):
        svc.add_address(ctx, cid, svc.AddressDraft(recipient="Lan"))
    a = svc.add_address(ctx, cid, svc.AddressDraft(street="1 Lê Lợi"))
    b = svc.add_address(ctx, cid, svc.AddressDraft(street="2 Hàng Bài"))
    svc.remove_address(ctx, cid, a.address_id)
    left = svc.customer_profile(ctx, cid).addresses
    assert [x.id for x in left] == [b.address_id] and left[0].is_default
    with pytest.raises(NotFound):
        svc.remove_address(ctx, store["other"], b.address_id)


def test_tags_note_and_staff_saved_with_audit(
    owner_ctx: ServiceContext, engine: Engine, store
) -> None:
    cid = store["customer"]
    with engine.begin() as conn:
        t1, t2, t3 = (
            conn.execute(
                sa.insert(table_of(Tag)).values(name=n).returning(table_of(Tag).c.id)
            ).scalar_one()
            for n in ("Khách sỉ", "Hay đổi trả", "Wholesale")
        )
    svc.set_tags(owner_ctx, cid, [t1, t3])
    svc.set_tags(owner_ctx, cid, [t3, t2])
    ticked = {t.name for t in svc.customer_profile(owner_ctx, cid).tags if t.ticked}
    assert ticked == {"Hay đổi trả", "Wholesale"}
    with pytest.raises(NotFound):
        svc.set_tags(owner_ctx, cid, [t1, 12345])

    svc.set_note(owner_ctx, cid, "  Calls after 6 pm  ")
    svc.assign_staff(owner_ctx, cid, owner_ctx.actor.id)
    profile = svc.customer_profile(owner_ctx, cid)
    assert profile.note == "Calls after 6 pm"
    assert profile.assigned_user_id == owner_ctx.actor.id
    assert [s.id for s in profile.staff] == [owner_ctx.actor.id]
    with pytest.raises(NotFound):
        svc.assign_staff(owner_ctx, cid, 999)
    svc.assign_staff(owner_ctx, cid, None)
    assert svc.customer_profile(owner_ctx, cid).assigned_user_id is None

    with engine.connect() as conn:
        actions = list(
            conn.execute(
                sa.select(AuditEvent.action)
                .where(AuditEvent.entity_id == str(cid), AuditEvent.entity_type == "customer")
                .order_by(AuditEvent.id)
            ).scalars()
        )
    assert actions == ["customer.tags", "customer.tags", "customer.note", "customer.assign",
                       "customer.assign"]  # fmt: skip


def test_unchanged_saves_write_no_audit(owner_ctx: ServiceContext, engine: Engine, store) -> None:
    cid = store["customer"]
    svc.set_note(owner_ctx, cid, "")
    svc.set_tags(owner_ctx, cid, [])
    svc.assign_staff(owner_ctx, cid, None)
    with engine.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_id == str(cid), AuditEvent.entity_type == "customer")
        ).scalar_one()
    assert n == 0


def test_staff_without_customers_access_is_refused(ctx: ServiceContext, store) -> None:
    staff = ctx.with_actor(Actor(id=None, name="Hoa", email="hoa@x.vn", role=Role.STAFF))
    cid = store["customer"]
    calls = [
        lambda: svc.customer_profile(staff, cid),
        lambda: svc.customer_period_stats(staff, cid, date(2026, 1, 1), date(2026, 1, 2)),
        lambda: svc.customer_orders(staff, cid),
        lambda: svc.points_ledger(staff, cid),
        lambda: svc.referred_customers(staff, cid),
        lambda: svc.add_address(staff, cid, svc.AddressDraft(street="x")),
        lambda: svc.set_note(staff, cid, "x"),
        lambda: svc.set_tags(staff, cid, []),
        lambda: svc.assign_staff(staff, cid, None),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    with ctx.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table_of(Address))).scalar() == 0
