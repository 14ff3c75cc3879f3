"""Home and Analytics figures on a hand-built shop (tests/services/report_data.py)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from python_calamine import CalamineWorkbook
from sqlalchemy.engine import Engine

from primedist.domain.audit import ActivityEvent
from primedist.domain.base import table_of
from primedist.domain.enums import ActivityKind, Channel, Module, OrderStatus, Role
from primedist.domain.product import Variant
from primedist.domain.shop import ShopCredential
from primedist.errors import PermissionDenied, ValidationError
from primedist.services import auth, reports
from primedist.services import orders as order_service
from primedist.services import staff as staff_accounts
from primedist.services.context import ServiceContext
from tests.factories import make_shop
from tests.services.report_data import FROM, TO, VN, add_order, build
from tests.services.report_data import NOW as DATA_NOW


@pytest.fixture
def shop(engine: Engine) -> object:
    return build(engine)


def product_of(engine: Engine, variant_id: int) -> str:
    with engine.connect() as conn:
        stmt = sa.select(Variant.product_id).where(Variant.id == variant_id)  # type: ignore[arg-type]
        return str(conn.execute(stmt).scalar_one())


def test_home_figures(ctx: ServiceContext, shop: object) -> None:
    d = reports.dashboard(ctx, FROM, TO)
    assert (d.period.prev_from, d.period.prev_to) == (date(2026, 11, 3), date(2026, 11, 9))
    # o1 100k + o3 200k + o7 30k (pending counts) + o9 60k; o2 cancelled, o5 returned and
    # o10 in return/refund are not revenue; o4 (00:30 on the 17th) is outside the range.
    assert d.revenue == reports.Change(390_000, 120_000)
    assert d.revenue.change_pct == 225.0
    assert d.new_orders == reports.Change(7, 2)
    # Work waiting counts as the shop stands (o10 in return/refund; o5, returned, is done);
    # cancelled follows the range.
    assert d.todo == {"pending": 1, "to_pack": 0, "shipping": 1, "return_refund": 1,
                      "cancelled": 1, "low_stock": 0, "no_revenue": 1}  # fmt: skip
    rows = {r.channel.value: r for r in d.channels}
    assert list(rows)[:4] == ["shopee", "lazada", "tiki", "tiktok"]
    assert rows["shopee"].revenue == reports.Change(360_000, 40_000)
    assert (rows["shopee"].shops_linked, rows["shopee"].shops_total) == (1, 1)
    assert rows["lazada"].revenue == reports.Change(30_000, 80_000)
    assert rows["lazada"].revenue.change_pct == -62.5
    assert (rows["lazada"].shops_linked, rows["lazada"].shops_total) == (0, 1)
    assert (rows["tiki"].shops_total, rows["tiki"].revenue) == (0, reports.Change(0, 0))
    assert d.pie == {"shopee": 5, "lazada": 2}


def test_a_shop_without_tokens_is_not_counted_linked(
    ctx: ServiceContext, engine: Engine, shop: object
) -> None:
    # An order import makes marketplace shops not linked; an older store may hold one that
    # is active but was never authorised: Home must not call it connected either.
    make_shop(engine, "Tiki từ file", Channel.TIKI)
    rows = {r.channel.value: r for r in reports.dashboard(ctx, FROM, TO).channels}
    assert (rows["tiki"].shops_linked, rows["tiki"].shops_total) == (0, 1)
    assert (rows["shopee"].shops_linked, rows["shopee"].shops_total) == (1, 1)
    assert reports.first_steps(ctx).shop_linked
    with engine.begin() as conn:
        conn.execute(sa.delete(table_of(ShopCredential)))
    rows = {r.channel.value: r for r in reports.dashboard(ctx, FROM, TO).channels}
    assert rows["shopee"].shops_linked == 0
    # Its orders (fetched, or imported from a Seller Center export) still tick Getting
    # started's marketplace step: a shop with no app of its own is done with it.
    assert reports.first_steps(ctx).shop_linked
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM order_lines"))
        conn.execute(sa.text("DELETE FROM orders"))
    assert not reports.first_steps(ctx).shop_linked


def test_shop_picker_narrows_every_figure(ctx: ServiceContext, shop: object) -> None:
    d = reports.dashboard(ctx, FROM, TO, [shop.b])  # type: ignore[attr-defined]
    assert d.revenue == reports.Change(30_000, 80_000)
    assert d.new_orders == reports.Change(2, 1)
    # b's work waiting: o7 pending (o5 is returned: done).
    assert (d.todo["pending"], d.todo["return_refund"], d.todo["shipping"]) == (1, 0, 0)
    assert d.pie == {"lazada": 2}
    # The other channels keep their shops (Shopee stays linked); only their revenue goes.
    assert [r.channel.value for r in d.channels if r.revenue.current] == ["lazada"]
    a = reports.analytics(ctx, FROM, TO, [shop.b])  # type: ignore[attr-defined]
    assert a.repeat_rate.to_json()["customers"] == 2  # c2 (o5 returned) and c3 (o7)


def test_day_boundaries_follow_vietnam_time(ctx: ServiceContext, shop: object) -> None:
    # o3 at 23:30 on the 16th (16:30 UTC) is the 16th; o4 at 00:30 on the 17th
    # (17:30 UTC on the 16th) is the 17th.
    day16 = reports.dashboard(ctx, TO, TO)
    assert day16.new_orders.current == 1 and day16.revenue.current == 200_000
    day17 = reports.dashboard(ctx, date(2026, 11, 17), date(2026, 11, 17))
    assert day17.revenue == reports.Change(999_000, 200_000)
    # o6 at 23:30 on the 9th and o5 at 00:30 on the 10th.
    assert reports.dashboard(ctx, date(2026, 11, 9), date(2026, 11, 9)).new_orders.current == 1
    day10 = reports.dashboard(ctx, FROM, FROM)
    assert day10.new_orders.current == 2


def test_analytics_figures(ctx: ServiceContext, engine: Engine, shop: object) -> None:
    a = reports.analytics(ctx, FROM, TO)
    assert a.revenue == reports.Change(390_000, 120_000)
    assert a.orders == reports.Change(4, 2)  # o1 o3 o7 o9 / o6 o8
    # o1 2 − 1 returned, o3 4, o7 1, o9 1 (o5 returned: left out) / o6 1.
    assert a.units == reports.Change(7, 1)
    # c1 (o1, o3; o2 cancelled), c2 (o5 returned, o10) repeat; c3 (o7) once.
    rate = a.repeat_rate
    assert (rate.buyers, rate.repeat, rate.current_pct) == (3, 2, 66.67)
    assert (rate.previous_buyers, rate.previous_repeat, rate.previous_pct) == (2, 0, 0.0)
    assert rate.change_points == 66.67
    by_orders = [(r.label, r.orders.current, r.revenue.current) for r in a.top_locations_by_orders]
    assert by_orders == [("Hà Nội", 2, 300_000), ("Đà Nẵng", 1, 60_000),
                         ("TP. Hồ Chí Minh", 1, 30_000)]  # fmt: skip
    assert a.top_locations_by_orders[2].orders == reports.Change(1, 1)  # o6 before
    assert [r.label for r in a.top_locations_by_revenue] == ["Hà Nội", "Đà Nẵng", "TP. Hồ Chí Minh"]
    # An order with no carrier is no shipping provider (the detail ranking counts it).
    assert [(r.key, r.orders.current) for r in a.top_carriers] == [("GHN", 2), ("SPX Express", 1)]
    assert ("", 1) in [(r.key, r.orders.current)
                       for r in reports.ranking(ctx, "carrier", FROM, TO)]  # fmt: skip
    p1, p2 = product_of(engine, shop.p1), product_of(engine, shop.p2)  # type: ignore[attr-defined]
    rank = [(r.key, r.label, r.units, r.revenue) for r in a.products]
    assert rank == [
        (p2, "Quần jean", reports.Change(4, 0), reports.Change(200_000, 0)),
        # o1's returned shirt is left out of its revenue too (50,000 of its 100,000).
        (p1, "Áo thun", reports.Change(3, 1), reports.Change(140_000, 80_000)),
    ]


def test_status_changes_move_the_figures(
    owner_ctx: ServiceContext, clock: object, shop: object
) -> None:
    before = reports.dashboard(owner_ctx, FROM, TO)
    o7 = shop.orders["o7"]  # type: ignore[attr-defined]
    order_service.change_status(owner_ctx, o7, OrderStatus.CANCELLED, reason="buyer asked")
    after = reports.dashboard(owner_ctx, FROM, TO)
    assert after.revenue.current == before.revenue.current - 30_000
    assert after.todo["pending"] == 0 and after.todo["cancelled"] == 2
    assert after.new_orders == before.new_orders
    a = reports.analytics(owner_ctx, FROM, TO)
    assert (a.repeat_rate.buyers, a.units.current) == (2, 6)  # c3's only order is cancelled


def test_a_moved_order_date_leaves_its_old_day(
    ctx: ServiceContext, engine: Engine, shop: object
) -> None:
    from primedist.services.order_effects import orders_changed

    o9 = shop.orders["o9"]  # type: ignore[attr-defined]
    with engine.begin() as conn:  # as an import that corrects the order date does
        conn.execute(
            sa.text("UPDATE orders SET created_at = :at WHERE id = :id"),
            {"at": "2026-10-01 03:00:00.000000", "id": o9},
        )
        orders_changed(conn, [o9], now=DATA_NOW)
    d = reports.dashboard(ctx, FROM, TO)
    assert d.revenue.current == 330_000 and d.new_orders.current == 6
    assert d.todo["shipping"] == 1  # still out for delivery, whatever its date
    assert reports.dashboard(ctx, date(2026, 10, 1), date(2026, 10, 1)).revenue.current == 60_000


def test_series_by_day_week_month(ctx: ServiceContext, shop: object) -> None:
    s = reports.series(ctx, "revenue", FROM, TO, grain="day")
    assert [p.start.day for p in s.points] == list(range(10, 17))
    assert [int(p.value) for p in s.points] == [100_000, 30_000, 0, 0, 60_000, 0, 200_000]
    weeks = reports.series(ctx, "new_orders", date(2026, 11, 5), TO, grain="week")
    # Thu 5th … Sun 8th, then Mon 9th … Sun 15th, then Mon 16th.
    assert [(p.start.day, p.end.day, p.value) for p in weeks.points] == [
        (5, 8, 1.0), (9, 15, 7.0), (16, 16, 1.0)]  # fmt: skip
    months = reports.series(ctx, "units", date(2026, 10, 20), TO, grain="month")
    assert [(p.start, p.value) for p in months.points] == [
        (date(2026, 10, 20), 0.0), (date(2026, 11, 1), 8.0)]  # fmt: skip
    rate = reports.series(ctx, "repeat_rate", FROM, TO, grain="month")
    assert [p.value for p in rate.points] == [66.67]
    province = reports.series(ctx, "province", FROM, TO, grain="month", key="01")
    assert [p.value for p in province.points] == [300_000.0]


def test_rankings_and_no_revenue_list(ctx: ServiceContext, shop: object) -> None:
    provinces = reports.ranking(ctx, "province", FROM, TO)
    assert [r.key for r in provinces] == ["01", "48", "79"]
    products = reports.ranking(ctx, "product", FROM, TO)
    assert [r.label for r in products] == ["Quần jean", "Áo thun"]
    assert [name for _id, name, _stock in reports.no_revenue_products(ctx, FROM, TO)] == [
        "Mũ lưỡi trai"
    ]
    # The 17th: only o4 (Mũ lưỡi trai) sold.
    later = reports.no_revenue_products(ctx, date(2026, 11, 17), date(2026, 11, 17))
    assert sorted(n for _i, n, _s in later) == sorted(["Quần jean", "Áo thun"])


def test_latest_events_newest_first(ctx: ServiceContext, engine: Engine, shop: object) -> None:
    with engine.begin() as conn:
        for i in range(7):
            conn.execute(
                sa.insert(ActivityEvent).values(
                    kind=ActivityKind.ORDERS_SYNCED,
                    shop_id=shop.a if i % 2 else shop.b,  # type: ignore[attr-defined]
                    message=f"event {i}",
                    created_at=datetime(2026, 11, 1, i, tzinfo=VN),
                )  # fmt: skip
            )
    d = reports.dashboard(ctx, FROM, TO)
    assert [e.message for e in d.events] == ["event 6", "event 5", "event 4", "event 3", "event 2"]
    assert [e.shop for e in d.events][:2] == ["Shop B", "Shop A"]
    only_a = reports.events(ctx, [shop.a])  # type: ignore[attr-defined]
    assert [e.message for e in only_a] == ["event 5", "event 3", "event 1"]


def test_bad_ranges_and_permissions(ctx: ServiceContext, shop: object) -> None:
    with pytest.raises(ValidationError, match="starts"):
        reports.dashboard(ctx, TO, FROM)
    with pytest.raises(ValidationError, match="at most"):
        reports.analytics(ctx, date(2000, 1, 1), TO)
    with pytest.raises(ValidationError, match="No shop with id 999"):
        reports.dashboard(ctx, FROM, TO, [999])
    with pytest.raises(ValidationError, match="grain"):
        reports.series(ctx, "revenue", FROM, TO, grain="year")
    issued = staff_accounts.add_staff(ctx, name="Lan", email="lan@x.vn", role=Role.STAFF,
                                      modules=[Module.ORDERS])  # fmt: skip
    staff = ctx.with_actor(auth.login(ctx, "lan@x.vn", issued.one_time_password))
    with pytest.raises(PermissionDenied):
        reports.analytics(staff, FROM, TO)
    reports.dashboard(staff, FROM, TO)  # Home is for everyone


def test_export_series_and_ranking(ctx: ServiceContext, tmp_path: Path, shop: object) -> None:
    s = reports.series(ctx, "revenue", FROM, TO)
    report = reports.export_series(ctx, tmp_path / "rev.xlsx", s, title="Revenue",
                                   value_header="Revenue", money=True)  # fmt: skip
    rows = CalamineWorkbook.from_path(str(report.path)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["From", "To", "Revenue"]
    assert [r[2] for r in rows[1:]] == [100_000, 30_000, 0, 0, 60_000, 0, 200_000]
    ranking = reports.ranking(ctx, "carrier", FROM, TO)
    out = reports.export_ranking(
        ctx, tmp_path / "carriers.xlsx", ranking, title="Carriers",
        headers=["Carrier", "Orders", "Change", "Revenue", "Change"],
    )  # fmt: skip
    rows = CalamineWorkbook.from_path(str(out.path)).get_sheet_by_index(0).to_python()
    assert rows[1] == ["GHN", 2, "", 300_000, ""]
    # Products also carry their gross profit (no cost typed here: the whole revenue).
    products = reports.ranking(ctx, "product", FROM, TO)
    out = reports.export_ranking(
        ctx, tmp_path / "products.xlsx", products, title="Products",
        headers=["Product", "Units", "Change", "Revenue", "Change", "Gross profit", "Change"],
    )  # fmt: skip
    rows = CalamineWorkbook.from_path(str(out.path)).get_sheet_by_index(0).to_python()
    assert rows[0][5:] == ["Gross profit", "Change"]
    first = products[0]
    assert first.units is not None and first.profit is not None
    assert rows[1][:4] == [first.label, first.units.current, rows[1][2], first.revenue.current]
    assert rows[1][5] == first.profit.current == first.revenue.current
    with pytest.raises(ValidationError, match="xlsx"):
        reports.export_series(ctx, tmp_path / "x.csv", s, title="R", value_header="R", money=True)
    assert not list(tmp_path.glob(".*tmp*"))


def test_rebuild_equals_incremental(ctx: ServiceContext, engine: Engine, shop: object) -> None:
    before = reports.analytics(ctx, date(2026, 11, 1), date(2026, 11, 30)).to_json()
    home = reports.dashboard(ctx, date(2026, 11, 1), date(2026, 11, 30)).to_json()
    assert reports.rebuild(ctx).orders == 10
    assert reports.analytics(ctx, date(2026, 11, 1), date(2026, 11, 30)).to_json() == before
    assert reports.dashboard(ctx, date(2026, 11, 1), date(2026, 11, 30)).to_json() == home


def test_add_order_helper_keeps_vietnam_time(engine: Engine, shop: object) -> None:
    with engine.begin() as conn:
        oid = add_order(conn, shop.a, "X1", datetime(2026, 1, 1, 6, 59), OrderStatus.PENDING,  # type: ignore[attr-defined]
                        total=1)  # fmt: skip
        at = conn.execute(
            sa.text("SELECT created_at FROM orders WHERE id = :i"), {"i": oid}
        ).scalar()
    assert str(at).startswith("2025-12-31 23:59")


def test_demo_fills_the_summaries(ctx: ServiceContext) -> None:
    from primedist.services.demo import generate_demo

    generate_demo(ctx, orders=300, customers=60, seed=5)
    with ctx.engine.connect() as conn:
        days = sa.text("SELECT min(day) AS first, max(day) AS last FROM report_order_days")
        first, last = conn.execute(days.columns(first=sa.Date, last=sa.Date)).one()
    before = reports.analytics(ctx, first, last).to_json()
    assert before["revenue"]["current"] > 0
    reports.rebuild(ctx)
    assert reports.analytics(ctx, first, last).to_json() == before
