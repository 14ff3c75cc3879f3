"""The dashboards' figures (from the daily summaries, kept by every order writer) equal the
same figures computed in Python straight from the orders, after random histories of
sales, status changes, returns, imports (which may move an order to another day) and
changes of a product's cost (gross profit keeps each line's cost when it was sold)."""

from __future__ import annotations

import csv
import shutil
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock, shop_tz
from primedist.db.engine import make_engine
from primedist.domain.enums import OrderSource, OrderStatus
from primedist.errors import PrimedistError
from primedist.services import auth, reports
from primedist.services import orders as order_service
from primedist.services.context import ServiceContext
from primedist.services.customers import merge_customers
from primedist.services.order_import import COLUMNS, import_orders
from tests.conftest import FIXED_NOW
from tests.factories import make_customers, make_product

NOT_COUNTED = {"cancelled", "return_refund", "returned"}
TZ = shop_tz()

op_strategy = st.one_of(
    st.tuples(st.just("sale"), st.integers(0, 3), st.integers(0, 2), st.integers(1, 3)),
    st.tuples(st.just("status"), st.integers(0, 50), st.sampled_from(list(OrderStatus))),
    st.tuples(st.just("return"), st.integers(0, 50), st.integers(0, 1), st.integers(0, 0)),
    st.tuples(
        st.just("import"),
        st.integers(0, 5),
        st.integers(-3, 1),  # a day ahead at most: the import refuses later order dates
        st.sampled_from(["pending", "shipping", "completed", "cancelled", "returned"]),
    ),  # fmt: skip
    st.tuples(st.just("wait"), st.integers(1, 40)),
    st.tuples(st.just("merge"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("cost"), st.integers(0, 2), st.integers(0, 60_000)),
)


@dataclass
class World:
    variants: list[int]
    customers: list[int]


def _fresh_shop(template_db: Path, folder: Path) -> tuple[ServiceContext, FixedClock, World]:
    """A new migrated store (a copy of the session's template) with an owner and stock."""
    folder.mkdir()
    db = folder / "primedist.db"
    shutil.copyfile(template_db, db)
    engine = make_engine(f"sqlite:///{db}")
    clock = FixedClock(FIXED_NOW)
    ctx = ServiceContext(engine, clock=clock)
    owner = auth.setup_shop(ctx, shop_name="Shop", owner_name="Chủ", owner_email="o@x.vn",
                            owner_password="s3cret-pass")  # fmt: skip
    variants = [make_product(engine, f"Sản phẩm {i}", [(f"SKU{i}", 40_000 + i * 5_000, 0)])[0]
                for i in range(3)]  # fmt: skip
    return ctx.with_actor(owner), clock, World(variants, make_customers(engine, 3))


def _run(
    ctx: ServiceContext, clock: FixedClock, world: World, op: tuple[Any, ...], tmp: Path
) -> None:
    kind = op[0]
    if kind == "wait":
        clock.advance(timedelta(hours=op[1]))
    elif kind == "sale":
        _, who, variant, qty = op
        draft = order_service.OrderDraft(
            lines=(order_service.DraftLine(world.variants[variant], qty),),
            customer_id=world.customers[who] if who < len(world.customers) else None,
            source=OrderSource.COUNTER if qty == 1 else OrderSource.PHONE,
            ship_province="Hà Nội" if variant else None,
        )
        order_service.create_order(ctx, draft, allow_negative_stock=True)
    elif kind == "cost":  # a goods receipt or an edit moves the cost of later sales only
        with ctx.engine.begin() as conn:
            conn.execute(sa.text("UPDATE variants SET cost = :c WHERE id = :v"),
                         {"c": op[2], "v": world.variants[op[1]]})  # fmt: skip
    elif kind == "merge":  # moves the other's orders: the repeat rate follows
        merge_customers(ctx, world.customers[op[1]], [world.customers[op[2]]])
    elif kind == "status":
        oid = _pick(ctx, op[1])
        if oid is not None:
            order_service.change_status(ctx, oid, op[2], reason="test")
    elif kind == "return":
        oid = _pick(ctx, op[1])
        if oid is not None:
            with ctx.engine.connect() as conn:
                line = conn.execute(
                    sa.text("SELECT id FROM order_lines WHERE order_id = :o ORDER BY id LIMIT 1"),
                    {"o": oid},
                ).scalar()
            if line is not None:
                order_service.return_order(ctx, oid, {line: 1}, reason="test")
    else:
        _, number, shift, status = op
        _import(ctx, clock, number, shift, status, tmp)


def _pick(ctx: ServiceContext, n: int) -> int | None:
    with ctx.engine.connect() as conn:
        ids = list(conn.execute(sa.text("SELECT id FROM orders ORDER BY id")).scalars())
    return ids[n % len(ids)] if ids else None


def _import(ctx: ServiceContext, clock: FixedClock, number: int, shift: int, status: str,
            tmp: Path) -> None:  # fmt: skip
    """One imported order (numbers 0-5, so later imports update earlier ones), placed
    `shift` days from now; a re-import with another shift moves it to another day."""
    when = (clock.now() + timedelta(days=shift)).astimezone(TZ)
    row = {
        "order_id": f"IMP{number}", "order_date": when.strftime("%d/%m/%Y %H:%M"),
        "shop": "Prime - Shopee" if number % 2 else "Prime - Lazada",
        "channel": "shopee" if number % 2 else "lazada", "status": status,
        "payment_method": "cod", "customer_name": f"Người mua {number % 3}",
        "customer_phone": f"09123456{number % 3:02d}", "province": "Đà Nẵng" if shift > 0 else "",
        "shipping_provider": "GHN" if number % 3 else "", "shipping_fee": "0", "discount": "0",
        "sku": f"SKU{number % 3}", "product_name": "x", "quantity": str(1 + number % 2),
        "unit_price": str(30_000 + 1_000 * number),
    }  # fmt: skip
    path = tmp / "orders.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerow([row.get(c, "") for c in COLUMNS])
    report = import_orders(ctx, path)
    assert not report.rejected, report.rejected


# --------------------------------------------------------------------------- raw figures
Lines = dict[int, list[tuple[int, int, int, int]]]


def _raw(engine: Engine) -> tuple[list[dict[str, Any]], Lines]:
    with engine.connect() as conn:
        orders = [dict(r) for r in conn.execute(sa.text(
            "SELECT id, shop_id, created_at, status, total, province_code, carrier, customer_id "
            "FROM orders")).mappings()]  # fmt: skip
        lines: Lines = defaultdict(list)
        sql = (
            "SELECT l.order_id, coalesce(v.product_id, 0), l.quantity - l.returned_quantity,"
            " l.returned_quantity, l.subtotal, l.unit_cost"
            " FROM order_lines l LEFT JOIN variants v ON v.id = l.variant_id"
        )
        for oid, pid, units, returned, sub, unit_cost in conn.execute(sa.text(sql)):
            assert unit_cost is not None  # every writer's lines are costed in its transaction
            # The revenue of the units kept (their share of the subtotal, README § Analytics)
            # and their gross profit: that revenue − their cost.
            kept = sub * units // (units + returned)
            lines[oid].append((pid, units, kept, kept - units * unit_cost))
    for o in orders:
        at = o["created_at"]
        parsed = at if not isinstance(at, str) else _parse(at)
        o["day"] = parsed.astimezone(TZ).date()
        o["at"] = parsed
    return orders, lines


def _parse(text: str) -> Any:
    from datetime import UTC, datetime

    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _figures(orders: list[dict[str, Any]], lines: Lines, first: date, last: date,
             shops: tuple[int, ...] = (), until: Any = None) -> dict[str, Any]:  # fmt: skip
    """Every figure of the range (on some shops), by the README's definitions, in Python;
    `until`: the range stops at that instant (a previous period compared up to the same
    time of day)."""
    inside = [o for o in orders if first <= o["day"] <= last
              and (not shops or o["shop_id"] in shops)
              and (until is None or o["at"] < until)]  # fmt: skip
    counted = [o for o in inside if o["status"] not in NOT_COUNTED]
    buying = [o for o in inside if o["status"] != "cancelled" and o["customer_id"] is not None]
    per_customer = Counter(o["customer_id"] for o in buying)
    units: Counter[int] = Counter()
    product_revenue: Counter[int] = Counter()
    product_profit: Counter[int] = Counter()
    for o in counted:
        for pid, n, sub, profit in lines.get(o["id"], []):
            units[pid] += n
            product_revenue[pid] += sub
            product_profit[pid] += profit
    provinces: Counter[str] = Counter(o["province_code"] or "" for o in counted)
    carriers: Counter[str] = Counter(o["carrier"] or "" for o in counted)
    return {
        "revenue": sum(o["total"] for o in counted),
        "new_orders": len(inside),
        "orders": len(counted),
        "units": sum(units.values()),
        "profit": sum(product_profit.values()),
        "statuses": Counter(o["status"] for o in inside),
        "buyers": len(per_customer),
        "repeat": sum(1 for n in per_customer.values() if n >= 2),
        "provinces": dict(provinces),
        "carriers": dict(carriers),
        "products": {str(k): (units[k], product_revenue[k], product_profit[k]) for k in units},
    }


def _check(ctx: ServiceContext, engine: Engine, first: date, last: date) -> None:
    orders, lines = _raw(engine)
    cur = _figures(orders, lines, first, last)
    w = reports.window(first, last, now=ctx.clock.now())
    # A range ending today: the previous period up to the same time of day.
    assert (w.prev_until is not None) == (last == ctx.clock.now().astimezone(TZ).date())
    prev = _figures(orders, lines, w.prev_from, w.prev_to, until=w.prev_until)
    a = reports.analytics(ctx, first, last, top_products=10_000)
    d = reports.dashboard(ctx, first, last)
    assert a.revenue == reports.Change(cur["revenue"], prev["revenue"]) == d.revenue
    assert a.orders == reports.Change(cur["orders"], prev["orders"])
    assert d.new_orders == reports.Change(cur["new_orders"], prev["new_orders"])
    assert a.units == reports.Change(cur["units"], prev["units"])
    assert a.profit == reports.Change(cur["profit"], prev["profit"]) == d.profit
    # Work waiting: every order in that status now, whatever its date; cancelled: the range's.
    now = Counter(o["status"] for o in orders)
    assert (d.todo["pending"], d.todo["to_pack"], d.todo["shipping"]) == (
        now["pending"], now["confirmed"], now["shipping"])  # fmt: skip
    assert d.todo["return_refund"] == now["return_refund"]
    assert d.todo["cancelled"] == cur["statuses"]["cancelled"]
    assert (a.repeat_rate.buyers, a.repeat_rate.repeat) == (cur["buyers"], cur["repeat"])
    assert (a.repeat_rate.previous_buyers, a.repeat_rate.previous_repeat) == (
        prev["buyers"], prev["repeat"])  # fmt: skip
    ranked = reports.ranking(ctx, "province", first, last)
    assert {r.key: r.orders.current for r in ranked} == cur["provinces"]
    assert {r.key: r.orders.current for r in reports.ranking(ctx, "carrier", first, last)} == (
        cur["carriers"])  # fmt: skip
    products = {r.key: (r.units.current, r.revenue.current, r.profit.current)
                for r in a.products if r.units and r.profit}  # fmt: skip
    assert products == {k: v for k, v in cur["products"].items() if v[:2] != (0, 0)}
    # The rows' changes are against the same previous period.
    for r in ranked:
        assert r.orders.previous == prev["provinces"].get(r.key, 0)
    for r in a.products:
        assert r.units is not None and r.profit is not None
        units, _revenue, profit = prev["products"].get(r.key, (0, 0, 0))
        assert (r.units.previous, r.profit.previous) == (units, profit)
    _check_shops(ctx, orders, lines, w)
    week = reports.series(ctx, "repeat_rate", first, last, grain="week").points
    for p in week:
        f = _figures(orders, lines, p.start, p.end)
        assert p.value == (round(f["repeat"] * 100 / f["buyers"], 2) if f["buyers"] else 0.0)


def _check_shops(ctx: ServiceContext, orders: list[dict[str, Any]],
                 lines: Lines, w: Any) -> None:  # fmt: skip
    """One shop, and two of them: revenue and the repeat rate (grouped by customer)."""
    shops = sorted({o["shop_id"] for o in orders})
    for chosen in {tuple(shops[:1]), tuple(shops[:2])} - {()}:
        cur = _figures(orders, lines, w.date_from, w.date_to, chosen)
        prev = _figures(orders, lines, w.prev_from, w.prev_to, chosen, w.prev_until)
        a = reports.analytics(ctx, w.date_from, w.date_to, chosen)
        assert a.revenue == reports.Change(cur["revenue"], prev["revenue"])
        r = a.repeat_rate
        assert (r.buyers, r.repeat, r.previous_buyers, r.previous_repeat) == (
            cur["buyers"], cur["repeat"], prev["buyers"], prev["repeat"])  # fmt: skip


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(ops=st.lists(op_strategy, min_size=1, max_size=9))
def test_summaries_equal_raw_figures(
    template_db: Path, tmp_path: Path, ops: list[tuple[Any, ...]]
) -> None:
    owner_ctx, clock, world = _fresh_shop(template_db, tmp_path / uuid.uuid4().hex)
    engine = owner_ctx.engine
    try:
        _play(owner_ctx, clock, world, ops, tmp_path)
    finally:
        engine.dispose()


def _play(owner_ctx: ServiceContext, clock: FixedClock, world: World,
          ops: list[tuple[Any, ...]], tmp_path: Path) -> None:  # fmt: skip
    engine = owner_ctx.engine
    for op in ops:
        try:
            _run(owner_ctx, clock, world, op, tmp_path)
        except PrimedistError:
            pass  # an illegal transition or return is refused and changes nothing
    today = clock.now().astimezone(TZ).date()
    _check(owner_ctx, engine, today - timedelta(days=6), today)
    _check(owner_ctx, engine, today, today)
    _check(owner_ctx, engine, today - timedelta(days=40), today + timedelta(days=5))
    # And a rebuild writes exactly what the writers kept.
    before = _snapshot(engine)
    reports.rebuild(owner_ctx)
    assert _snapshot(engine) == before


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("report_daily", "report_daily_products", "report_daily_groups",
              "report_daily_customers", "report_order_days", "report_order_products")  # fmt: skip
    with engine.connect() as conn:
        return {t: sorted(tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t}")))
                for t in tables}  # fmt: skip
