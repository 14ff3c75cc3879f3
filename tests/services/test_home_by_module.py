"""Home shows a staff member only what their modules allow (DESIGN § Users, roles,
permissions): `reports.dashboard` leaves the rest out, for the CLI as for the UI, and the
owner's and managers' Home stays whole. On the hand-built shop of the dashboards' tests
(tests/services/report_data.py), in a real migrated SQLite database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.audit import ActivityEvent
from primedist.domain.base import table_of
from primedist.domain.enums import ActivityKind, Module, Role
from primedist.domain.user import UserModuleAccess
from primedist.services import activity, auth, reports
from primedist.services import staff as staff_accounts
from primedist.services.context import Actor, ServiceContext
from tests.services.report_data import FROM, TO, VN, Shop2, build

ORDER_CARDS = {"pending", "to_pack", "shipping", "return_refund", "cancelled"}
PRODUCT_CARDS = {"low_stock", "no_revenue"}
#: One event of each kind (and each variety of the mixed kinds), oldest first: its label
#: → (kind, args).
EVENTS: dict[str, tuple[ActivityKind, dict[str, Any]]] = {
    "synced": (ActivityKind.ORDERS_SYNCED, {"new": 3, "updated": 0}),
    "sync failed": (ActivityKind.SYNC_FAILED,
                    {"outcome": "error", "reason": "timeout", "reason_args": None}),
    "low stock": (ActivityKind.LOW_STOCK, {"products": 2}),
    "ranks": (ActivityKind.RANKS_UPDATED, {"up": 1, "down": 0, "levels": 0}),
    "orders imported": (ActivityKind.IMPORT, {"what": "orders", "file": "o.xlsx",
                                              "created": 1, "updated": 0, "rejected": 0}),
    "products imported": (ActivityKind.IMPORT, {"what": "products", "file": "p.xlsx",
                                                "created": 1, "updated": 0, "rejected": 0}),
    "customers imported": (ActivityKind.IMPORT, {"what": "customers", "file": "c.xlsx",
                                                 "created": 1, "updated": 0, "rejected": 0}),
    "goods received": (ActivityKind.INFO, {"event": "goods_received", "code": "PN000001",
                                           "supplier": "Gốm Minh Long", "lines": 1,
                                           "units": 5}),
    "price change": (ActivityKind.INFO, {"event": "price_schedule", "stage": "started",
                                         "name": "Sale", "count": 3}),
    "demo": (ActivityKind.INFO, {"event": "demo_generated", "orders": 10, "customers": 4}),
    "parcel lost": (ActivityKind.SHIPMENT, {"code": "GY1", "order": "PD1", "order_id": 1,
                                            "carrier": "GHN", "status": "lost"}),
    "carrier token": (ActivityKind.SHIPMENT, {"problem": "token", "account_id": 1,
                                              "account": "Kho", "carrier": "GHN",
                                              "reason": "expired", "reason_args": None}),
    "backup failed": (ActivityKind.BACKUP, {"outcome": "failed", "reason": "disk full",
                                            "reason_args": None}),
}  # fmt: skip
ALL_EVENTS = set(EVENTS)
EVENTS_OF = {
    Module.ORDERS: {"synced", "sync failed", "orders imported", "parcel lost"},
    Module.PRODUCTS: {"low stock", "products imported", "goods received", "price change"},
    Module.CUSTOMERS: {"ranks", "customers imported"},
    Module.SETTINGS: {"carrier token"},
    Module.ANALYTICS: set(),
}
FOR_EVERYONE = {"demo"}


def staff(ctx: ServiceContext, *modules: Module) -> ServiceContext:
    return ctx.with_actor(Actor(None, "Lan", "lan@shop.vn", Role.STAFF, frozenset(modules)))


def post_events(engine: Engine, labels: list[str], start: datetime) -> None:
    """The events `labels` (keys of EVENTS), a minute apart from `start`."""
    with engine.begin() as conn:
        for i, label in enumerate(labels):
            kind, args = EVENTS[label]
            message, raw = activity.stored(kind, args)
            conn.execute(sa.insert(ActivityEvent).values(
                kind=kind, message=message, args=raw,
                created_at=start + timedelta(minutes=i)))  # fmt: skip


def seen(events: list[reports.EventRow]) -> set[str]:
    """The labels of the events shown (by their English sentence)."""
    by_message = {activity.english(kind, args): label for label, (kind, args) in EVENTS.items()}
    return {by_message[e.message] for e in events}


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    data = build(ctx.engine)
    post_events(ctx.engine, list(EVENTS), datetime(2026, 11, 15, 8, tzinfo=VN))
    return data


def test_the_owner_and_managers_see_all_of_home(ctx: ServiceContext, shop: Shop2) -> None:
    """The hand-built shop's figures (as tests/services/test_reports.py), every part."""
    d = reports.dashboard(ctx, FROM, TO)
    # Returns under way only: O10 (the returned one is settled); nothing confirmed to pack.
    assert d.todo == {"pending": 1, "to_pack": 0, "shipping": 1, "return_refund": 1,
                      "cancelled": 1, "low_stock": 0, "no_revenue": 1}  # fmt: skip
    assert d.revenue is not None and (d.revenue.current, d.revenue.previous) == (390_000, 120_000)
    assert d.new_orders is not None and d.new_orders.current == 7
    assert d.pie == {"shopee": 5, "lazada": 2}
    assert d.channels is not None and d.profit is not None and d.owing == (0, 0)
    assert len(d.events) == 5
    assert len(reports.events(ctx)) == len(EVENTS)  # the backup's failure too
    manager = ctx.with_actor(Actor(None, "Quân", "quan@shop.vn", Role.MANAGER))
    assert reports.dashboard(manager, FROM, TO).to_json() == d.to_json()
    assert reports.events(manager) == reports.events(ctx)


@pytest.mark.parametrize(
    ("modules", "cards", "sales", "profit", "owing"),
    [
        ((Module.ORDERS,), ORDER_CARDS, True, False, False),
        ((Module.PRODUCTS,), PRODUCT_CARDS, False, False, False),
        ((Module.CUSTOMERS,), set(), False, False, True),
        ((Module.ANALYTICS,), set(), True, True, False),
        ((Module.SETTINGS,), set(), False, False, False),
        ((Module.ORDERS, Module.PRODUCTS), ORDER_CARDS | PRODUCT_CARDS, True, False, False),
    ],
    ids=["orders", "products", "customers", "analytics", "settings", "orders+products"],
)
def test_a_staff_member_sees_the_parts_of_their_modules(
    ctx: ServiceContext,
    shop: Shop2,
    modules: tuple[Module, ...],
    cards: set[str],
    sales: bool,
    profit: bool,
    owing: bool,
) -> None:
    whole = reports.dashboard(ctx, FROM, TO)
    d = reports.dashboard(staff(ctx, *modules), FROM, TO)
    assert set(d.todo) == cards
    assert d.todo == {k: v for k, v in whole.todo.items() if k in cards}  # the same counts
    for part in ("revenue", "new_orders", "channels", "pie"):
        assert (getattr(d, part) == getattr(whole, part)) if sales else (
            getattr(d, part) is None), part  # fmt: skip
    assert (d.profit is not None) is profit and (d.owing is not None) is owing
    data = d.to_json()
    assert set(data["todo"]) == cards
    for key in ("revenue", "new_orders", "marketplaces", "new_orders_by_channel"):
        assert (data[key] is not None) is sales, key
    assert (data["gross_profit"] is not None) is profit
    assert (data["customers_owe"] is not None) is owing
    expected = set().union(*(EVENTS_OF[m] for m in modules)) | FOR_EVERYONE
    assert seen(reports.events(staff(ctx, *modules))) == expected
    newest = sorted(expected, key=list(EVENTS).index, reverse=True)[:5]
    assert [activity.english(*EVENTS[label]) for label in newest] == [
        e.message for e in d.events]  # the 5 newest of theirs  # fmt: skip


def test_a_staff_member_without_a_module_sees_no_figure(ctx: ServiceContext, shop: Shop2) -> None:
    d = reports.dashboard(staff(ctx), FROM, TO)
    assert d.todo == {} and d.owing is None and d.profit is None
    assert d.to_json()["revenue"] is None and d.to_json()["marketplaces"] is None
    assert seen(d.events) == FOR_EVERYONE
    parts = reports.home_parts(staff(ctx).actor)
    assert not parts.ranged and not parts.news


def test_a_staff_members_events_are_found_behind_many_of_others(
    ctx: ServiceContext, shop: Shop2
) -> None:
    """The feed reads the events a page at a time: a Products user's import is found
    behind more order imports than a page holds."""
    post_events(ctx.engine, ["orders imported"] * 250, datetime(2026, 11, 16, 8, tzinfo=VN))
    products = staff(ctx, Module.PRODUCTS)
    assert [e.message for e in reports.dashboard(products, FROM, TO).events] == [
        activity.english(*EVENTS[label]) for label in
        ("demo", "price change", "goods received", "products imported", "low stock")]  # fmt: skip
    assert len(reports.events(staff(ctx, Module.ORDERS))) == 200


def test_home_follows_the_account_as_it_stands_now(owner_ctx: ServiceContext, shop: Shop2) -> None:
    """A module taken away while signed in leaves Home at its next reading."""
    issued = staff_accounts.add_staff(
        owner_ctx,
        name="Lan",
        email="lan@shop.vn",
        role=Role.STAFF,
        modules=[Module.ORDERS, Module.PRODUCTS],
    )
    lan = owner_ctx.with_actor(auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password))
    assert set(reports.dashboard(lan, FROM, TO).todo) == ORDER_CARDS | PRODUCT_CARDS
    with owner_ctx.engine.begin() as conn:
        access = table_of(UserModuleAccess)
        conn.execute(sa.delete(access).where(access.c.user_id == lan.actor.id,
                                             access.c.module == Module.ORDERS))  # fmt: skip
    d = reports.dashboard(lan, FROM, TO)
    assert set(d.todo) == PRODUCT_CARDS and d.revenue is None
    assert "synced" not in seen(reports.events(lan))
