"""Demo data: money adds up, aggregates match the orders, search finds it, deterministic,
all-or-nothing."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from primedist.config import resolve_settings
from primedist.core.clock import FixedClock, as_utc, shop_tz, to_local
from primedist.core.phone import normalize_phone, phone_search_variants
from primedist.core.text import fold, fts_match_query
from primedist.db.engine import sqlite_timestamp
from primedist.db.store import open_store
from primedist.domain.customer import Customer, CustomerPayment
from primedist.domain.enums import Channel, OrderStatus, ShopStatus
from primedist.domain.loyalty import PointsEntry
from primedist.domain.order import Order, OrderLine, OrderRefund, OrderStatusChange
from primedist.domain.product import Variant
from primedist.domain.shop import Shop
from primedist.errors import Cancelled, Conflict, ValidationError
from primedist.jobs.progress import JobProgress
from primedist.services import demo
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from primedist.services.end_of_day import end_of_day
from primedist.services.loyalty.vouchers import list_vouchers
from tests.conftest import FIXED_NOW, PG_URL
from tests.driver_sql import driver_sql

ORDERS = 3_000
CUSTOMERS = 400
SEED = 7
MARKETPLACES = {"shopee", "lazada", "tiki", "tiktok"}
#: Checks written in SQLite's SQL (PRAGMA, FTS5 MATCH, group_concat, `IS NOT`); the
#: generator itself runs on PostgreSQL too (the other tests here pass there).
sqlite_sql = pytest.mark.skipif(bool(PG_URL), reason="verification SQL is SQLite's")


@pytest.fixture
def demo_ctx(ctx: ServiceContext) -> ServiceContext:
    """A store set up as the demo shop and filled with a small demo."""
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    demo.generate_demo(owner_ctx, orders=ORDERS, customers=CUSTOMERS, seed=SEED)
    return owner_ctx


def rows(engine: Engine, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in driver_sql(conn, sql, params).all()]


def scalar(engine: Engine, sql: str, *params: Any) -> Any:
    return rows(engine, sql, *params)[0][0]


def counts(engine: Engine, *tables: str) -> dict[str, int]:
    return {t: scalar(engine, f"SELECT COUNT(*) FROM {t}") for t in tables}


# --------------------------------------------------------------------------- set-up


def test_ensure_demo_owner_sets_up_once_then_returns_the_owner(ctx: ServiceContext) -> None:
    first = demo.ensure_demo_owner(ctx)
    again = demo.ensure_demo_owner(ctx)
    assert first.id == again.id
    assert first.email == demo.DEMO_OWNER_EMAIL
    assert rows(ctx.engine, "SELECT name, channel FROM shops") == [(demo.DEMO_SHOP_NAME, "offline")]


def test_rejects_nonsense_sizes(owner_ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError):
        demo.generate_demo(owner_ctx, orders=-1)
    with pytest.raises(ValidationError):
        demo.generate_demo(owner_ctx, orders=10, customers=0)


def test_summary_matches_the_store_and_shops_cover_every_channel(
    ctx: ServiceContext,
) -> None:
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    summary = demo.generate_demo(owner_ctx, orders=ORDERS, customers=CUSTOMERS, seed=SEED)
    stored = counts(ctx.engine, "shops", "products", "variants", "customers", "orders",
                    "order_lines")  # fmt: skip
    assert stored == {
        "shops": summary.shops,
        "products": summary.products,
        "variants": summary.variants,
        "customers": CUSTOMERS,
        "orders": ORDERS,
        "order_lines": summary.order_lines,
    }
    assert 4 <= summary.shops <= 6
    assert summary.seconds > 0
    shops = rows(ctx.engine, "SELECT channel, status FROM shops")
    assert {c for c, _ in shops} == MARKETPLACES | {"offline"}
    not_linked = [c for c, s in shops if s == ShopStatus.NOT_LINKED.value]
    assert len(not_linked) == 1 and not_linked[0] in MARKETPLACES
    assert all(s == ShopStatus.ACTIVE.value for c, s in shops if c not in not_linked)


# --------------------------------------------------------------------------- money


def test_every_order_adds_up(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM orders WHERE total != subtotal + shipping_fee
          - marketplace_discount - voucher_discount - seller_discount - shop_promotion
          - points_discount OR total < 0 OR paid_amount NOT IN (0, total)""",
        )
        == 0
    )
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM order_lines
        WHERE subtotal != quantity * unit_price - discount OR discount < 0
          OR returned_quantity NOT IN (0, quantity)""",
        )
        == 0
    )
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM orders o JOIN (
            SELECT order_id, SUM(subtotal) AS s, SUM(quantity) AS q FROM order_lines
            GROUP BY order_id) l ON l.order_id = o.id
        WHERE o.subtotal != l.s OR o.item_count != l.q""",
        )
        == 0
    )
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM orders WHERE id NOT IN (SELECT order_id FROM order_lines)""",
        )
        == 0
    )


def test_an_order_lists_each_sku_once(demo_ctx: ServiceContext) -> None:
    """A SKU drawn twice for one order is one line of both quantities (the sale screen
    adds a second scan to the line), not two lines of the same product."""
    twice = scalar(demo_ctx.engine, "SELECT COUNT(*) FROM (SELECT order_id, variant_id "
                                    "FROM order_lines GROUP BY order_id, variant_id "
                                    "HAVING COUNT(*) > 1) AS t")  # fmt: skip
    assert twice == 0
    assert scalar(demo_ctx.engine, "SELECT MAX(quantity) FROM order_lines") > 1


def test_commission_and_fees_follow_the_channel(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    money = rows(
        engine,
        """
        SELECT s.channel, o.source, o.subtotal, o.commission, o.shipping_fee,
               o.payment_method, o.carrier, o.tracking_number, o.status
        FROM orders o JOIN shops s ON s.id = o.shop_id""",
    )
    for channel, source, subtotal, commission, fee, payment, carrier, tracking, status in money:
        if channel in MARKETPLACES:
            assert source == "marketplace"
            assert subtotal * 0.04 - 1 <= commission <= subtotal * 0.10 + 1
            assert payment in {"cod", "e_wallet", "bank_transfer", "card"}
            assert carrier is not None
        else:
            assert source in {"counter", "phone", "chat"}
            assert commission == 0
            assert payment in {"cash", "bank_transfer", "e_wallet", "on_account"}
        if source == "counter":
            assert carrier is None and tracking is None and fee == 0
        if status in {"pending", "confirmed", "cancelled"}:
            assert tracking is None


# --------------------------------------------------------------------------- customers


@sqlite_sql
def test_customer_aggregates_equal_what_sql_recomputes(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    mismatches = rows(
        engine,
        """
        SELECT c.id FROM customers c LEFT JOIN (
            SELECT customer_id, COUNT(*) AS n,
                   SUM(status = 'completed') AS ok,
                   SUM(status = 'cancelled') AS cancelled,
                   SUM(status IN ('returned', 'return_refund')) AS returned,
                   SUM(CASE WHEN status = 'completed' THEN total ELSE 0 END) AS spent,
                   MAX(created_at) AS last, MIN(created_at) AS first
            FROM orders WHERE customer_id IS NOT NULL GROUP BY customer_id
        ) o ON o.customer_id = c.id
        WHERE c.total_orders != COALESCE(o.n, 0)
           OR c.successful_orders != COALESCE(o.ok, 0)
           OR c.cancelled_orders != COALESCE(o.cancelled, 0)
           OR c.returned_orders != COALESCE(o.returned, 0)
           OR c.total_expenses != COALESCE(o.spent, 0)
           OR c.last_order_at IS NOT o.last
           OR c.first_order_at IS NOT o.first""",
    )
    assert mismatches == []
    channels: dict[int, set[str]] = defaultdict(set)
    for customer_id, channel in rows(
        engine,
        """
            SELECT DISTINCT o.customer_id, s.channel FROM orders o
            JOIN shops s ON s.id = o.shop_id WHERE o.customer_id IS NOT NULL""",
    ):
        channels[customer_id].add(channel)
    for cid, listed, spent, rank, since in rows(
        engine, "SELECT id, channels, total_expenses, rank, rank_since FROM customers"
    ):
        assert set(filter(None, listed.split(","))) == channels[cid]
        expected = ("diamond" if spent >= 10_000_000 else "gold" if spent >= 5_000_000
                    else "silver" if spent >= 1_000_000 else "copper")  # fmt: skip
        assert rank == expected
        assert since is not None
    # Heavy tail: the busiest customer buys far more than the median one.
    per_customer = sorted(r[0] for r in rows(engine, "SELECT total_orders FROM customers"))
    assert per_customer[-1] >= 5 * max(per_customer[len(per_customer) // 2], 1)


@sqlite_sql
def test_customers_look_vietnamese_and_reachable(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    customers = rows(engine, "SELECT id, code, name, gender, email, search_text FROM customers")
    assert [c[1] for c in customers[:2]] == ["KH000001", "KH000002"]
    names = {c[2] for c in customers}
    assert {"Nguyễn Thị Hoa", "Đặng Văn Đạt"} <= names
    for _, _, name, gender, _, _ in customers:
        if " Thị " in name:
            assert gender == "female"
        if " Văn " in name:
            assert gender == "male"
    phones: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for cid, phone, primary in rows(
        engine, "SELECT customer_id, phone, is_primary FROM customer_phones ORDER BY id"
    ):
        assert normalize_phone(phone) == phone and re.fullmatch(r"0[35789]\d{8}", phone)
        phones[cid].append((phone, primary))
    for cid, code, name, _, email, search_text in customers:
        assert sum(p for _, p in phones[cid]) == 1
        variants = [v for phone, _ in phones[cid] for v in phone_search_variants(phone)]
        assert search_text == fold(" ".join([name, code, email or "", *variants]))
    assert 1 <= scalar(engine, "SELECT MIN(n) FROM (SELECT COUNT(*) n FROM addresses "
                               "GROUP BY customer_id)")  # fmt: skip
    assert scalar(engine, "SELECT MAX(n) FROM (SELECT COUNT(*) n FROM addresses "
                          "GROUP BY customer_id)") <= 3  # fmt: skip
    assert scalar(engine, "SELECT COUNT(*) FROM addresses WHERE district IS NOT NULL") == 0
    # Marketplace buyers are linked by their buyer ids, one per marketplace they used.
    assert (
        rows(
            engine,
            """
        SELECT DISTINCT o.customer_id, s.channel FROM orders o JOIN shops s ON s.id = o.shop_id
        WHERE s.channel != 'offline' AND o.customer_id IS NOT NULL
        EXCEPT SELECT customer_id, channel FROM customer_identities""",
        )
        == []
    )


def test_the_newest_customers_came_with_an_order(demo_ctx: ServiceContext) -> None:
    """The Customers list opens newest first: those customers arrived with an order (the
    weighted draw of buyers rarely reached them, and the list's top showed no orders)."""
    newest = rows(
        demo_ctx.engine,
        "SELECT total_orders, last_order_at, created_at FROM customers "
        "ORDER BY created_at DESC, id DESC LIMIT 40",
    )
    assert sum(1 for n, _last, _created in newest if n > 0) >= 36
    assert all(last >= created for n, last, created in newest if n > 0)


@sqlite_sql
def test_customers_fts_finds_dang_van_dat_without_accents(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    found = rows(
        engine,
        """SELECT rowid FROM customers_fts
                            WHERE customers_fts MATCH '"dang"* "van"* "dat"*'""",
    )
    ids = {r[0] for r in found}
    dat = {r[0] for r in rows(engine, "SELECT id FROM customers WHERE name = 'Đặng Văn Đạt'")}
    assert dat and dat <= ids


# --------------------------------------------------------------------------- orders


def test_orders_cover_every_province_and_status_by_age(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    assert scalar(engine, "SELECT COUNT(DISTINCT province_code) FROM orders") == 34
    assert (
        scalar(
            engine,
            """SELECT COUNT(*) FROM orders WHERE ship_district IS NOT NULL
                             OR (ship_province IS NULL) != (province_code IS NULL)""",
        )
        == 0
    )
    statuses = {r[0] for r in rows(engine, "SELECT DISTINCT status FROM orders")}
    assert statuses == {s.value for s in OrderStatus}
    month_ago = sqlite_timestamp(FIXED_NOW - timedelta(days=30))
    old = dict(rows(engine, "SELECT status, COUNT(*) FROM orders WHERE created_at < ? "
                            "GROUP BY status", month_ago))  # fmt: skip
    assert not {"pending", "confirmed", "shipping"} & set(old)
    done = old["completed"] / sum(old.values())
    assert 0.70 < done < 0.88
    assert (
        scalar(
            engine,
            """SELECT COUNT(*) FROM orders WHERE (status = 'completed')
                             != (completed_at IS NOT NULL)""",
        )
        == 0
    )


@sqlite_sql
def test_only_the_last_days_returns_are_still_under_way(demo_ctx: ServiceContext) -> None:
    """A return settles (returned) 3 to 10 days after it is asked for: Home's Return/Refund
    card shows the few asked for lately, not two years of them."""
    engine = demo_ctx.engine
    asked = rows(engine, """
        SELECT o.id, MAX(h.changed_at) FROM orders o JOIN order_status_changes h
        ON h.order_id = o.id AND h.to_status = 'return_refund'
        WHERE o.status = 'return_refund' GROUP BY o.id""")  # fmt: skip
    under_way = scalar(engine, "SELECT COUNT(*) FROM orders WHERE status = 'return_refund'")
    assert len(asked) == under_way  # each says when it was asked for
    ten_days_ago = FIXED_NOW - timedelta(days=10)
    assert [oid for oid, at in asked if _utc(at) < ten_days_ago] == []
    returned = scalar(engine, "SELECT COUNT(*) FROM orders WHERE status = 'returned'")
    assert under_way < returned / 20 and returned > 0


def _utc(value: Any) -> datetime:
    """A stored time (a datetime, or SQLite's text) as an aware UTC datetime."""
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


@sqlite_sql
def test_orders_grow_over_two_years_up_to_now(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    first, last = rows(engine, "SELECT MIN(created_at), MAX(updated_at) FROM orders")[0]
    assert first >= sqlite_timestamp(FIXED_NOW - timedelta(days=730))
    assert last <= sqlite_timestamp(FIXED_NOW)
    recent = scalar(engine, "SELECT COUNT(*) FROM orders WHERE created_at >= ?",
                    sqlite_timestamp(FIXED_NOW - timedelta(days=365)))  # fmt: skip
    assert 0.5 < recent / ORDERS < 0.7
    shares = dict(
        rows(
            engine,
            """SELECT s.channel, COUNT(*) FROM orders o
                                  JOIN shops s ON s.id = o.shop_id GROUP BY s.channel""",
        )
    )
    assert shares["shopee"] == max(shares.values())


@sqlite_sql
def test_external_ids_look_like_each_channel(demo_ctx: ServiceContext) -> None:
    shapes = {
        "shopee": r"\d{6}[0-9A-Z]{8}",
        "lazada": r"\d{15}",
        "tiki": r"\d{9}",
        "tiktok": r"\d{18}",
        "offline": r"DH\d{6}-\d{4}",  # as the app numbers a sale
    }
    seen: set[tuple[str, str]] = set()
    for channel, external, created, phone in rows(
        demo_ctx.engine,
        """
            SELECT s.channel, o.external_id, o.created_at, o.buyer_phone
            FROM orders o JOIN shops s ON s.id = o.shop_id""",
    ):
        assert re.fullmatch(shapes[channel], external), (channel, external)
        if channel in ("shopee", "offline"):
            local = datetime.fromisoformat(created) + timedelta(hours=7)
            assert local.strftime("%y%m%d") in external[:8]
        if phone is not None and "*" in phone:
            assert channel == "shopee" and re.fullmatch(r"84\*{5}\d{2}", phone)
        assert (channel, external) not in seen
        seen.add((channel, external))


def test_a_sale_after_the_demo_continues_the_days_order_numbers(
    demo_ctx: ServiceContext,
) -> None:
    """The demo numbers the shop's own orders as the app does (DH + local date + the day's
    running number), so the next sale of that day takes the next number, none twice."""
    tz = shop_tz()
    with Session(demo_ctx.engine) as session:
        own = session.exec(
            select(Order).join(Shop).where(Shop.channel == Channel.OFFLINE)
            .order_by(col(Order.created_at).desc(), col(Order.id).desc())
        ).all()  # fmt: skip
        variant = session.exec(select(Variant).where(Variant.is_active)).first()
    assert own and variant is not None and variant.id is not None
    last = own[0]
    day = f"{to_local(as_utc(last.created_at), tz):%y%m%d}"
    of_the_day = sorted(o.external_id for o in own
                        if f"{to_local(as_utc(o.created_at), tz):%y%m%d}" == day)  # fmt: skip
    assert of_the_day == [f"DH{day}-{n:04d}" for n in range(1, len(of_the_day) + 1)]
    assert last.external_id == of_the_day[-1]

    later = replace(demo_ctx, clock=FixedClock(as_utc(last.created_at) + timedelta(seconds=1)))
    sale = order_svc.create_order(
        later, order_svc.OrderDraft((order_svc.DraftLine(variant.id, 1),)),
        allow_negative_stock=True,
    )  # fmt: skip

    assert sale.external_id == f"DH{day}-{len(of_the_day) + 1:04d}"
    with Session(demo_ctx.engine) as session:
        same = session.exec(select(Order).where(Order.external_id == sale.external_id)).all()
    assert len(same) == 1


@sqlite_sql
def test_orders_fts_finds_an_order_by_its_number(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    for order_id, external in rows(engine, "SELECT id, external_id FROM orders "
                                           "WHERE id IN (1, 1500, 3000)"):  # fmt: skip
        query = fts_match_query(external)
        found = {r[0] for r in rows(engine, "SELECT rowid FROM orders_fts "
                                            "WHERE orders_fts MATCH ?", query)}  # fmt: skip
        assert order_id in found


def test_status_history_ends_at_the_current_status(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM orders o WHERE o.status != (
            SELECT to_status FROM order_status_changes h WHERE h.order_id = o.id
            ORDER BY changed_at DESC, id DESC LIMIT 1)""",
        )
        == 0
    )
    recent = sqlite_timestamp(FIXED_NOW - timedelta(days=20))
    # Recent shipped orders keep their whole path, starting as pending.
    assert scalar(engine, """
        SELECT COUNT(*) FROM orders o WHERE o.created_at >= ? AND o.source != 'counter'
        AND NOT EXISTS (SELECT 1 FROM order_status_changes h WHERE h.order_id = o.id
                        AND h.from_status IS NULL AND h.to_status = 'pending')""",
                  recent) == 0  # fmt: skip


def test_rows_load_through_the_orm(demo_ctx: ServiceContext) -> None:
    """Enums, booleans and timestamps written raw read back as the models expect."""
    with Session(demo_ctx.engine) as session:
        orders = session.exec(select(Order).order_by(Order.id).limit(200)).all()  # type: ignore[arg-type]
        assert all(o.money_adds_up() for o in orders)
        assert orders[0].created_at.tzinfo is not None
        assert isinstance(orders[0].status, OrderStatus)
        for model in (Customer, OrderLine, OrderStatusChange, PointsEntry, Variant):
            assert session.exec(select(model).limit(20)).all()


# --------------------------------------------------------------------------- catalogue etc.


@sqlite_sql
def test_catalogue_is_consistent(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    assert (
        scalar(
            engine,
            """SELECT COUNT(*) FROM variants WHERE cost >= price
                             OR (discount_price IS NOT NULL AND discount_price > price)""",
        )
        == 0
    )
    for (barcode,) in rows(engine, "SELECT barcode FROM variants"):
        digits = [int(d) for d in barcode]
        assert len(digits) == 13
        assert sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0
    for name, skus, text in rows(
        engine,
        """
            SELECT p.name, GROUP_CONCAT(v.sku, ' '), p.search_text
            FROM products p JOIN variants v ON v.product_id = p.id GROUP BY p.id""",
    ):
        assert text.startswith(fold(name)) and all(fold(s) in text for s in skus.split())
    # Grouped variants hold no stock of their own; the group does.
    assert scalar(engine, "SELECT COUNT(*) FROM variants WHERE sku_group_id IS NOT NULL "
                          "AND stock != 0") == 0  # fmt: skip
    # Stock equals its ledger, for variants and groups alike.
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM variants v WHERE v.sku_group_id IS NULL AND v.stock != (
            SELECT COALESCE(SUM(quantity), 0) FROM stock_movements m WHERE m.variant_id = v.id)
        """,
        )
        == 0
    )
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM sku_groups g WHERE g.stock != (
            SELECT SUM(quantity) FROM stock_movements m WHERE m.sku_group_id = g.id)""",
        )
        == 0
    )
    per_product = [r[0] for r in rows(engine, "SELECT COUNT(*) FROM product_listings "
                                              "GROUP BY product_id")]  # fmt: skip
    assert per_product and max(per_product) <= 3
    # Even a small demo has SKU groups, each grouping listings of two products (shops).
    groups = rows(
        engine,
        """SELECT sku_group_id, COUNT(DISTINCT product_id) FROM variants
                             WHERE sku_group_id IS NOT NULL GROUP BY sku_group_id""",
    )
    assert len(groups) >= 4 and all(n == 2 for _g, n in groups)
    # Every variant has a believable packed weight, by kind of product and size.
    assert scalar(engine, "SELECT COUNT(*) FROM variants WHERE weight_g IS NULL "
                          "OR weight_g NOT BETWEEN 30 AND 5000") == 0  # fmt: skip
    assert scalar(engine, "SELECT COUNT(DISTINCT weight_g) FROM variants") > 10


def test_loyalty_tags_vouchers_and_feed(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    assert {r[0] for r in rows(engine, "SELECT code FROM customer_levels")} >= {
        "VIP", "REG", "WS"}  # fmt: skip
    often = {
        r[0]
        for r in rows(
            engine,
            """SELECT ct.customer_id FROM customer_tags ct
                                           JOIN tags t ON t.id = ct.tag_id
                                           WHERE t.default_key = 'often_returns'""",
        )
    }
    assert often == {r[0] for r in rows(engine, "SELECT id FROM customers "
                                                "WHERE returned_orders >= 2")}  # fmt: skip
    # Every order carrying a voucher is one use of it; a cancelled order's stops counting.
    assert (
        scalar(engine, "SELECT COUNT(*) FROM orders WHERE voucher_id IS NOT NULL")
        == scalar(engine, "SELECT COUNT(*) FROM voucher_uses")
        > 0
    )
    assert (
        rows(
            engine,
            """
        SELECT v.code FROM vouchers v WHERE v.used_count !=
            (SELECT COUNT(*) FROM orders o
             WHERE o.voucher_id = v.id AND o.status != 'cancelled')""",
        )
        == []
    )
    shown = {v.draft.code: v for v in list_vouchers(demo_ctx)}
    given = dict(
        rows(
            engine,
            """SELECT v.code, SUM(o.voucher_discount) FROM vouchers v
        JOIN orders o ON o.voucher_id = v.id AND o.status != 'cancelled' GROUP BY v.code""",
        )
    )
    assert given and {code: shown[code].discount_given for code in given} == given
    assert 2 <= scalar(engine, "SELECT COUNT(*) FROM segments") <= 3
    assert scalar(engine, "SELECT COUNT(*) FROM segment_members") > 0
    # The points ledger explains every balance.
    assert (
        rows(
            engine,
            """
        SELECT c.id FROM customers c LEFT JOIN (
            SELECT customer_id, SUM(delta) AS balance,
                   SUM(CASE WHEN delta > 0 THEN delta ELSE 0 END) AS earned
            FROM points_entries GROUP BY customer_id) p ON p.customer_id = c.id
        WHERE c.points_balance != COALESCE(p.balance, 0)
           OR c.points_earned != COALESCE(p.earned, 0)""",
        )
        == []
    )
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM points_entries p WHERE p.balance_after != (
            SELECT SUM(delta) FROM points_entries q WHERE q.customer_id = p.customer_id
            AND (q.created_at < p.created_at
                 OR (q.created_at = p.created_at AND q.id <= p.id)))""",
        )
        == 0
    )
    kinds = {r[0] for r in rows(engine, "SELECT DISTINCT kind FROM activity_events")}
    assert {"orders_synced", "ranks_updated", "info"} <= kinds  # low stock: jobs/stock.py
    assert rows(engine, "SELECT kind FROM activity_events WHERE args IS NULL") == []
    audit = rows(engine, "SELECT user_id, pc FROM audit_events WHERE action = 'demo.generate'")
    assert audit == [(demo_ctx.actor.id, demo_ctx.pc)]  # the PC it was made on


def test_points_follow_the_apps_own_rule(demo_ctx: ServiceContext) -> None:
    """Reconciling every demo order's points writes nothing: each completed order of a
    known customer earned what the app gives. The demo is a new shop: its own sales earn,
    marketplace orders do not (Settings → Loyalty points, the default)."""
    from primedist.services.loyalty.points import reconcile_order_points

    with demo_ctx.engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM orders")]
        written = reconcile_order_points(conn, ids, demo_ctx.clock.now())
        conn.rollback()
    assert written == 0
    earned = "SELECT COUNT(*) FROM orders WHERE points_earned > 0 AND source "
    assert scalar(demo_ctx.engine, earned + "= 'marketplace'") == 0
    assert scalar(demo_ctx.engine, earned + "!= 'marketplace'") > 0


@sqlite_sql
def test_store_integrity_after_the_bulk_load(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    triggers = rows(engine, "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    assert len(triggers) == 9
    for index in demo._RANDOM_ORDER_INDEXES:
        assert scalar(engine, "SELECT COUNT(*) FROM sqlite_master WHERE name = ?", index) == 1


# --------------------------------------------------------------------------- run rules


def test_a_second_run_is_refused(demo_ctx: ServiceContext) -> None:
    with pytest.raises(Conflict, match=f"already holds {ORDERS:,} orders"):
        demo.generate_demo(demo_ctx, orders=10, customers=5)


class CancelOnSecondCheck(JobProgress):
    def __init__(self) -> None:
        super().__init__()
        self.checks = 0

    def check(self) -> None:
        self.checks += 1
        if self.checks > 1:
            raise Cancelled()


@sqlite_sql
def test_cancel_after_the_first_batch_writes_nothing(ctx: ServiceContext) -> None:
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    tables = ("shops", "products", "variants", "customers", "orders", "order_lines",
              "audit_events", "tags")  # fmt: skip
    before = counts(ctx.engine, *tables)
    with pytest.raises(Cancelled):
        demo.generate_demo(owner_ctx, orders=ORDERS, customers=CUSTOMERS,
                           progress=CancelOnSecondCheck())  # fmt: skip
    assert counts(ctx.engine, *tables) == before
    assert before["orders"] == before["customers"] == 0
    assert scalar(ctx.engine, "PRAGMA foreign_keys") == 1
    # Triggers and indexes dropped for the load are back: a real run still works.
    assert len(rows(ctx.engine, "SELECT name FROM sqlite_master WHERE type = 'trigger'")) == 9
    demo.generate_demo(owner_ctx, orders=200, customers=60)
    assert (
        scalar(
            ctx.engine,
            """SELECT COUNT(*) FROM customers_fts
                                 WHERE customers_fts MATCH '"nguyen"* "thi"* "hoa"*'""",
        )
        >= 1
    )


def test_progress_reports_move_forward_to_done(ctx: ServiceContext) -> None:
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    seen: list[float] = []
    demo.generate_demo(owner_ctx, orders=500, customers=80,
                       progress=JobProgress(lambda f, _m: seen.append(f)))  # fmt: skip
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


@pytest.fixture
def twin_engines(template_db: Path, tmp_path: Path) -> Iterator[list[Engine]]:
    engines = []
    for name in ("a", "b"):
        settings = resolve_settings(tmp_path / name)
        settings.ensure_dirs()
        assert settings.db_path is not None
        shutil.copyfile(template_db, settings.db_path)
        engines.append(open_store(settings))
    yield engines
    for engine in engines:
        engine.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="copies the SQLite template")
def test_same_seed_and_clock_give_identical_data(twin_engines: list[Engine]) -> None:
    dumps = []
    for engine in twin_engines:
        ctx = ServiceContext(engine, clock=FixedClock(FIXED_NOW))
        owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
        demo.generate_demo(owner_ctx, orders=1_000, customers=150, seed=11)
        dumps.append([
            rows(engine, f"SELECT * FROM {table} ORDER BY {key}")
            for table, key in (("orders", "id"), ("customers", "id"), ("order_lines", "id"),
                               ("addresses", "id"), ("variants", "id"),
                               ("points_entries", "id"), ("order_status_changes", "id"))
        ])  # fmt: skip
    assert dumps[0] == dumps[1]
    assert dumps[0][0]  # not trivially equal


@pytest.mark.skipif(bool(PG_URL), reason="copies the SQLite template")
def test_another_seed_gives_other_data(twin_engines: list[Engine]) -> None:
    firsts = []
    for seed, engine in enumerate(twin_engines, start=1):
        ctx = ServiceContext(engine, clock=FixedClock(FIXED_NOW))
        demo.generate_demo(ctx.with_actor(demo.ensure_demo_owner(ctx)), orders=300,
                           customers=50, seed=seed)  # fmt: skip
        firsts.append(rows(engine, "SELECT external_id, total FROM orders ORDER BY id"))
    assert firsts[0] != firsts[1]


def test_open_orders_hold_their_stock_and_move_it_when_shipped(demo_ctx: ServiceContext) -> None:
    from primedist.domain.enums import OrderStatus
    from primedist.services import orders as order_service

    engine = demo_ctx.engine
    held = dict(
        rows(
            engine,
            "SELECT COALESCE(v.sku_group_id, -v.id), SUM(l.quantity) FROM order_lines l"
            " JOIN orders o ON o.id = l.order_id JOIN variants v ON v.id = l.variant_id"
            " WHERE o.status IN ('pending', 'confirmed') GROUP BY 1",
        )
    )
    assert held, "the demo has open orders"
    counters = dict(
        rows(
            engine, "SELECT -id, reserved FROM variants WHERE reserved > 0 AND sku_group_id IS NULL"
        )
        + rows(engine, "SELECT id, reserved FROM sku_groups WHERE reserved > 0")
    )
    assert counters == held
    assert scalar(
        engine, "SELECT count(*) FROM orders WHERE status IN ('pending', 'confirmed')"
        " AND stock_state != 'reserved'"
    ) == 0  # fmt: skip
    order_id, variant_id = rows(
        engine,
        "SELECT o.id, l.variant_id FROM orders o JOIN order_lines l ON l.order_id = o.id"
        " JOIN variants v ON v.id = l.variant_id"
        " WHERE o.status = 'confirmed' AND v.sku_group_id IS NULL ORDER BY o.id LIMIT 1",
    )[0]
    line_sql = "SELECT SUM(quantity) FROM order_lines WHERE order_id = ? AND variant_id = ?"
    qty = scalar(engine, line_sql, order_id, variant_id)
    before = rows(engine, "SELECT stock, reserved FROM variants WHERE id = ?", variant_id)[0]
    order_service.change_status(demo_ctx, order_id, OrderStatus.SHIPPING)
    after = rows(engine, "SELECT stock, reserved FROM variants WHERE id = ?", variant_id)[0]
    assert after == (before[0] - qty, before[1] - qty)


def test_the_stock_history_tells_the_last_two_weeks(demo_ctx: ServiceContext) -> None:
    """Each product's history: the opening count, then every sale since (orders of the last
    STOCK_DAYS that left the shelf), then today's reservations; it adds up to the stock."""
    from primedist.services import stock

    engine = demo_ctx.engine
    start = FIXED_NOW - timedelta(days=demo.STOCK_DAYS)
    with Session(engine) as session:
        recent = session.exec(
            select(Order).where(Order.status == OrderStatus.COMPLETED, Order.created_at >= start)
        ).all()
        older = session.exec(
            select(Order).where(Order.status == OrderStatus.COMPLETED, Order.created_at < start)
        ).all()
        variants = session.exec(select(Variant).where(Variant.sku_group_id.is_(None))).all()  # type: ignore[union-attr]
    assert recent and older
    assert {o.stock_state for o in recent} == {"consumed"}
    assert {o.stock_state for o in older} == {"none"}  # history, as imported orders
    told = 0
    for variant in variants:
        history = stock.stock_history(demo_ctx, variant.id or 0, limit=10_000)[::-1]
        assert history[0].kind == "stock_in" and history[0].reason == demo.OPENING_REASON
        opened = history[0].created_at.replace(tzinfo=None)
        assert opened >= start.replace(tzinfo=None) or history[1].kind == "sale"  # counted then
        level = 0
        for move in history:  # every figure follows from the one before
            level += move.quantity
            assert move.stock_after == level, (variant.sku, move)
        assert level == variant.stock
        sales = [m for m in history if m.kind == "sale"]
        assert all(m.order_id is not None and m.reason for m in sales)
        told += bool(sales)
    assert told >= len(variants) // 3  # most products sold in two weeks


def test_own_returns_were_refunded_and_count_on_their_day(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    own = rows(engine, """
        SELECT o.id, o.total, o.refunded_amount, r.amount, r.items, o.item_count,
               r.created_at = h.changed_at
        FROM orders o JOIN order_refunds r ON r.order_id = o.id
        JOIN order_status_changes h ON h.order_id = o.id AND h.to_status = 'returned'
        WHERE o.status = 'returned' AND o.source <> 'marketplace'""")  # fmt: skip
    assert own, "the demo has returned counter/phone/chat orders"
    assert all(t == refunded == amount and items == n and same_time
               for _id, t, refunded, amount, items, n, same_time in own)  # fmt: skip
    cancels = scalar(engine, """SELECT COUNT(*) FROM orders WHERE status = 'cancelled'
                                AND source <> 'marketplace' AND paid_amount > 0""")  # fmt: skip
    assert scalar(engine, "SELECT COUNT(*) FROM order_refunds") == len(own) + cancels
    assert scalar(engine, """SELECT COUNT(*) FROM orders WHERE source = 'marketplace'
                             AND refunded_amount <> 0""") == 0  # fmt: skip
    with Session(engine) as session:
        first = session.exec(select(OrderRefund).order_by(OrderRefund.id)).first()  # type: ignore[arg-type]
        assert first is not None
        stamp, amount = first.created_at, first.amount
    report = end_of_day(demo_ctx, to_local(stamp, shop_tz()).date())
    assert report.refunds >= 1 and report.refunded >= amount


def test_own_sales_record_payment_as_the_apps_sale_does(demo_ctx: ServiceContext) -> None:
    """The shop's own orders are paid as `orders.paid_at_sale` records them: cash and card
    in full, a transfer or e-wallet (and so a sale on account made of one) nothing; a
    cancelled cash sale gave its money back when it was cancelled. So cancelling a demo
    transfer order refunds nothing, and End of day shows no e-wallet or transfer refund."""
    engine = demo_ctx.engine
    wrong = scalar(engine, """
        SELECT COUNT(*) FROM orders WHERE source <> 'marketplace' AND paid_amount <>
          CASE WHEN payment_method IN ('cash', 'card') THEN total ELSE 0 END""")  # fmt: skip
    assert wrong == 0
    assert scalar(engine, """SELECT COUNT(*) FROM orders WHERE source <> 'marketplace'
                             AND payment_method IN ('bank_transfer', 'e_wallet')""") > 0
    # Every own cancelled cash sale: refunded in full, on the day it was cancelled.
    cancelled = rows(engine, """
        SELECT o.paid_amount, o.refunded_amount, r.amount, r.created_at = h.changed_at
        FROM orders o JOIN order_status_changes h ON h.order_id = o.id
          AND h.to_status = 'cancelled'
        LEFT JOIN order_refunds r ON r.order_id = o.id
        WHERE o.status = 'cancelled' AND o.source <> 'marketplace'
          AND o.payment_method IN ('cash', 'card')""")  # fmt: skip
    assert all(paid == refunded == amount and same for paid, refunded, amount, same in cancelled)
    assert scalar(engine, """SELECT COUNT(*) FROM order_refunds r JOIN orders o
                             ON o.id = r.order_id WHERE o.status <> 'returned'
                             AND o.payment_method IN ('bank_transfer', 'e_wallet')""") == 0
    # An open own transfer or e-wallet order cancelled now: nothing was paid, nothing back.
    open_id = scalar(engine, """
        SELECT MIN(id) FROM orders WHERE source <> 'marketplace'
          AND status IN ('pending', 'confirmed', 'shipping')
          AND payment_method IN ('bank_transfer', 'e_wallet')""")  # fmt: skip
    assert open_id is not None
    order_svc.change_status(demo_ctx, open_id, OrderStatus.CANCELLED,
                            reason="Giao không thành công – hàng hoàn về")  # fmt: skip
    assert scalar(engine, "SELECT refunded_amount FROM orders WHERE id = ?", open_id) == 0
    assert scalar(engine, "SELECT COUNT(*) FROM order_refunds WHERE order_id = ?", open_id) == 0


def test_todays_deliveries_are_goods_receipts(demo_ctx: ServiceContext) -> None:
    """Products → Goods receipts is not empty in the demo: today's deliveries, received
    through the service (their stock in is on each variant's history: the history test
    above adds it up)."""
    from primedist.services import goods_receipts as gr

    receipts = gr.list_receipts(demo_ctx)
    assert [(r.code, r.supplier, r.lines) for r in receipts] == [
        ("PN000002", demo.DEMO_DELIVERIES[1][0], 5), ("PN000001", demo.DEMO_DELIVERIES[0][0], 8),
    ]  # fmt: skip
    assert all(r.created_at.replace(tzinfo=None) == FIXED_NOW.replace(tzinfo=None)
               for r in receipts)  # fmt: skip
    lines = gr.receipt_lines(demo_ctx, receipts[1].id)
    assert all(ln.quantity % 6 == 0 and ln.unit_cost for ln in lines)
    assert receipts[1].total_cost == sum(ln.amount or 0 for ln in lines)
    # The first paid in full; the second half on credit: Products → Suppliers shows a debt.
    assert (receipts[1].paid, receipts[1].owed) == (receipts[1].total_cost, 0)
    assert 0 < receipts[0].paid < receipts[0].total_cost
    assert receipts[0].paid % 1_000 == 0


def test_the_demo_suppliers_and_what_is_owed(demo_ctx: ServiceContext) -> None:
    from primedist.services import end_of_day as eod
    from primedist.services import goods_receipts as gr
    from primedist.services import supplier_returns as sr
    from primedist.services import suppliers as sup

    rows = sup.list_suppliers(demo_ctx)
    assert sorted(r.name for r in rows) == sorted(s[0] for s in demo.DEMO_SUPPLIERS)
    assert all(r.phone and r.address and r.code.startswith("NCC") for r in rows)
    owing = sup.list_suppliers(demo_ctx, owing=True)
    credit = gr.list_receipts(demo_ctx)[0]
    assert [(r.name, r.debt) for r in owing] == [(demo.DEMO_DELIVERIES[1][0], credit.owed)]
    assert sup.total_owed(demo_ctx) == credit.owed
    # Two faulty units of it went back: they came off what is owed.
    (back,) = sr.receipt_returns(demo_ctx, credit.id)
    assert (back.units, back.reason, back.refund) == (2, demo.DEMO_RETURN_REASON, 0)
    assert credit.owed == credit.total_cost - back.total - credit.paid
    # Paid by bank transfer: the drawer's cash is the day's sales alone.
    assert eod.end_of_day(demo_ctx).supplier_cash == 0


def test_a_few_regulars_bought_on_account_and_paid_some_of_it(demo_ctx: ServiceContext) -> None:
    """Customers → Owes is not empty in the demo: a few own sales were on account, the
    older ones paid (never more than owed, never in the future), one opening debt; today's
    till and every total stay as the day's sales made them."""
    from primedist.services import customer_account as acc
    from primedist.services import end_of_day as eod

    engine = demo_ctx.engine
    sales = rows(engine, """SELECT o.customer_id, o.status, o.source, o.created_at
                            FROM orders o WHERE o.payment_method = 'on_account'""")  # fmt: skip
    assert 0 < len(sales) <= demo.ON_ACCOUNT_SALES  # the small demo has fewer to pick from
    assert all(k is not None and status == "completed" and source != "marketplace"
               for k, status, source, _at in sales)  # fmt: skip
    owners = sorted({k for k, *_ in sales})
    with engine.connect() as conn:
        accounts = acc.balances(conn, owners)
    assert sum(b.orders for b in accounts.values()) == len(sales)
    assert all(b.owed >= 0 for b in accounts.values()), "nobody paid more than they owed"
    assert any(b.paid for b in accounts.values()) and any(b.owed for b in accounts.values())
    assert sum(b.adjusted for b in accounts.values()) == demo.OPENING_DEBT
    with Session(engine) as session:
        latest = session.exec(select(CustomerPayment.paid_at)
                              .order_by(CustomerPayment.paid_at.desc())).first()  # type: ignore[attr-defined]  # fmt: skip
    assert latest is not None and latest.replace(tzinfo=None) <= (
        FIXED_NOW - timedelta(days=1)).replace(tzinfo=None)  # fmt: skip
    debtors = acc.debtors(demo_ctx)
    assert {d.customer_id for d in debtors} == {k for k, b in accounts.items() if b.owed > 0}
    assert debtors[0].owed == max(b.owed for b in accounts.values())
    day = eod.end_of_day(demo_ctx)
    assert (day.on_account, day.collected) == (0, 0), "today is as the day's sales made it"


def test_open_purchase_orders(demo_ctx: ServiceContext) -> None:
    """Products → Purchase orders is not empty in the demo: two orders await their goods,
    one of them late, at the variants' costs; the stock did not move for them."""
    from primedist.domain.purchase_order import PurchaseOrderState
    from primedist.services import purchase_orders as po

    rows = po.list_orders(demo_ctx, state="open")
    assert [(r.supplier, r.lines, r.note) for r in rows] == [
        (s, n, note) for s, n, _days, note in demo.DEMO_PURCHASE_ORDERS]  # fmt: skip
    today = to_local(demo_ctx.clock.now(), shop_tz()).date()
    assert [(r.expected_on - today).days for r in rows] == [2, -1]
    # The late one was placed days before it was due.
    assert (rows[1].expected_on - to_local(rows[1].created_at, shop_tz()).date()).days == 4
    assert all(r.state == PurchaseOrderState.ORDERED and r.total_cost > 0 for r in rows)
    lines = po.order_lines(demo_ctx, rows[0].id) + po.order_lines(demo_ctx, rows[1].id)
    assert all(ln.quantity % 12 == 0 and ln.received == 0 for ln in lines)
    # Two SKUs of the delivery on credit run low: what to order from that supplier.
    suggested = po.suggested_lines(demo_ctx, demo.DEMO_DELIVERIES[1][0])
    assert len(suggested) == 2
    assert all(s.quantity == s.level + 4 and s.unit_cost for s in suggested)


def test_each_supplier_delivers_and_is_ordered_its_own_kind_of_goods(
    demo_ctx: ServiceContext,
) -> None:
    """No skirts from the pottery workshop: every line of the demo's purchase orders, goods
    receipts and supplier returns is a product its supplier sells (even the small demo,
    whose random catalogue drew no cup, has the workshop's cups to order)."""
    lines = rows(demo_ctx.engine, """
        SELECT o.supplier, p.category, p.name FROM purchase_order_lines l
          JOIN purchase_orders o ON o.id = l.order_id
          JOIN variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
        UNION ALL
        SELECT r.supplier, p.category, p.name FROM goods_receipt_lines l
          JOIN goods_receipts r ON r.id = l.receipt_id
          JOIN variants v ON v.id = l.variant_id
          JOIN products p ON p.id = v.product_id""")  # fmt: skip
    suppliers = {s for s, _c, _n in lines}
    assert suppliers == set(demo.DEMO_SUPPLIER_GOODS) == {s[0] for s in demo.DEMO_SUPPLIERS}
    wrong = [(s, n) for s, c, n in lines if not demo.supplies(s, c, n)]
    assert not wrong, wrong
    assert all(n.startswith("Cốc sứ") for s, _c, n in lines if "Gốm" in s)
    # One supplier per kind: the household wholesaler leaves the cups to the workshop.
    assert all(sum(demo.supplies(x, c, n) for x in demo.DEMO_SUPPLIER_GOODS) == 1
               for _s, c, n in lines)  # fmt: skip
    returned = rows(demo_ctx.engine, """
        SELECT s.name, p.category, p.name FROM supplier_return_lines x
          JOIN supplier_returns r ON r.id = x.return_id JOIN suppliers s ON s.id = r.supplier_id
          JOIN variants v ON v.id = x.variant_id
          JOIN products p ON p.id = v.product_id""")  # fmt: skip
    assert returned and all(demo.supplies(s, c, n) for s, c, n in returned)


def test_a_weekend_sale_waits_to_start(demo_ctx: ServiceContext) -> None:
    """Products → Scheduled prices is not empty: the best sellers 20 % off next weekend;
    nothing changed yet."""
    from primedist.domain.price_schedule import ScheduleState
    from primedist.services import price_schedule as ps

    (sale,) = ps.list_schedules(demo_ctx)
    name, count, percent, _step = demo.DEMO_SALE
    assert (sale.name, sale.products, sale.state) == (name, count, ScheduleState.SCHEDULED)
    assert f"{percent}% off" in sale.description
    start = to_local(sale.starts_at, shop_tz())
    assert start.weekday() == 5 and (start.hour, start.minute) == (0, 0)
    assert start.date() > to_local(FIXED_NOW, shop_tz()).date()
    assert sale.ends_at is not None and sale.ends_at - sale.starts_at == timedelta(
        days=2, minutes=-1)  # fmt: skip
    assert ps.run_due(demo_ctx) == ps.RunReport()


def test_the_demo_feed_has_no_sync_that_brought_nothing(demo_ctx: ServiceContext) -> None:
    """A real sync posts news only when it brought orders; the demo's Home read
    "Prime Store - Lazada: 0 new order(s) synced" among its 5 latest events."""
    from primedist.services.reports import events

    synced = [e for e in events(demo_ctx) if e.kind == "orders_synced"]
    assert synced  # the demo still shows some
    assert all(e.args["new"] > 0 for e in synced)
