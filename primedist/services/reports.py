"""The Home and Analytics figures, their detail series, export and the summaries' rebuild.

The screens and `primedist report …` call these same functions. Every figure comes with
its previous period (the days just before the range, or the same days of the week, month
or year before: `COMPARES`). Money is in
integer đồng. Definitions (also the ⓘ texts, `DEFINITIONS`; README § Metric definitions):
revenue = sum of order totals of orders placed in the range, excluding cancelled and
returned (return/refund or returned) orders; those are the "counted" orders.
"""

from __future__ import annotations

import calendar
import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from primedist.core.clock import shop_tz, to_local
from primedist.core.messages import msg
from primedist.core.text import fold
from primedist.db.product_summary import chunks
from primedist.domain.audit import ActivityEvent
from primedist.domain.base import table_of
from primedist.domain.enums import (
    ActivityKind,
    Channel,
    Module,
    OrderStatus,
    ProductStatus,
    Role,
    ShopStatus,
)
from primedist.domain.geo import PROVINCE_BY_CODE
from primedist.domain.order import Order
from primedist.domain.product import Product
from primedist.domain.report import NO_PRODUCT
from primedist.domain.shop import Shop, ShopCredential
from primedist.errors import ValidationError
from primedist.io.xlsx_writer import XlsxColumn
from primedist.jobs.progress import NullProgress, Progress
from primedist.queries import reports as q
from primedist.queries.customers import debt_totals
from primedist.queries.orders import OrderFilter
from primedist.queries.products import ProductFilter, product_filter_clauses, shop_clause
from primedist.services.activity import event_args
from primedist.services.app_settings import SHOP_PROFILE, get_setting
from primedist.services.context import Actor, ServiceContext
from primedist.services.export_support import (
    audit_export,
    check_target,
    replaced_when_done,
    stream_rows,
)
from primedist.services.order_effects import cost_new_lines

products_t = table_of(Product)
shops_t = table_of(Shop)
credentials_t = table_of(ShopCredential)
orders_t = table_of(Order)
events_t = table_of(ActivityEvent)

#: The longest range the dashboards accept (ten years of days).
MAX_DAYS = 3660
#: The marketplaces Home always lists (with "not linked yet" when the shop has none).
MARKETPLACES = (Channel.SHOPEE, Channel.LAZADA, Channel.TIKI, Channel.TIKTOK)
#: Home's to-do cards of orders: card key → the statuses it counts (the Orders tab's tabs).
TODO_STATUSES: dict[str, tuple[str, ...]] = {
    "pending": (OrderStatus.PENDING.value,),
    # Confirmed, not yet handed to the carrier: the Orders tab's Confirmed tab.
    "to_pack": (OrderStatus.CONFIRMED.value,),
    "shipping": (OrderStatus.SHIPPING.value,),
    # Returns under way (the goods or the refund still to settle); returned ones are done.
    "return_refund": (OrderStatus.RETURN_REFUND.value,),
    "cancelled": (OrderStatus.CANCELLED.value,),
}
#: The to-do cards of work waiting now: counted over every date, whatever the range (the
#: others are what the range brought: cancelled orders, products without revenue).
WAITING = ("pending", "to_pack", "shipping", "return_refund", "low_stock")
#: The module each to-do card belongs to (the list it opens): only its users see it.
TODO_MODULES: dict[str, Module] = {
    **dict.fromkeys(TODO_STATUSES, Module.ORDERS),
    "low_stock": Module.PRODUCTS,
    "no_revenue": Module.PRODUCTS,
}
#: Revenue, new orders, the marketplaces and the pie: for who sees orders or Analytics.
SALES_MODULES = (Module.ORDERS, Module.ANALYTICS)
GRAINS = ("day", "week", "month")
#: Metrics with a detail page: a series (value per day/week/month) …
SERIES_METRICS = ("revenue", "orders", "new_orders", "units", "profit", "repeat_rate")
#: … or a ranking (every row; the chart follows the chosen row).
RANKINGS = ("province", "carrier", "product")
TOP = 5

#: What each figure means (the CLI and README wording; the UI shows the same texts, marked
#: for translation, from ui/analytics/definitions.py: a test keeps them equal).
DEFINITIONS: dict[str, str] = {
    "revenue": "Revenue = sum of the order totals of orders placed in the range (shop time "
    "zone), excluding cancelled orders and orders in return/refund or returned.",
    "new_orders": "New orders = every order placed in the range, whatever its status "
    "(cancelled and returned ones included).",
    "orders": "Total orders = orders placed in the range, excluding cancelled orders and "
    "orders in return/refund or returned (the orders whose totals make the revenue).",
    "units": "Products sold = units in the lines of the orders counted in revenue, minus "
    "units returned from them.",
    "profit": "Gross profit = what the units sold brought in (in the orders counted in "
    "revenue, each line's subtotal for the units not returned) − what those units cost the "
    "shop (each line's unit cost when it was sold: the product's average cost then; a "
    "product without a cost counts 0). Order discounts, shipping fees and channel "
    "commissions are not taken off.",
    "repeat_rate": "Repeat purchase customer rate = customers with 2 or more non-cancelled "
    "orders in the range ÷ customers with at least 1 non-cancelled order in the range "
    "(orders without a customer are left out).",
    "province": "Top locations = the provinces/cities the orders counted in revenue were "
    "shipped to, by number of orders and by revenue (orders with no province, such as "
    "counter sales, are left out; See detail counts them as unknown).",
    "carrier": "Top shipping providers = the carriers of the orders counted in revenue, "
    "by number of orders (with their revenue; orders with no carrier are left out, "
    "See detail counts them as unknown).",
    "product": "Product rank = per product: units sold (as Products sold), revenue = its "
    "line subtotals (quantity × price − line discount) in the orders counted in revenue, "
    "for the units kept (returned units left out), and gross profit (as Gross profit); "
    "change against the previous period.",
    "todo": "Waiting now, whatever the range: orders pending, confirmed and waiting to be "
    "packed, shipping, in return/refund; products low on stock. For the range: orders "
    "placed in it and cancelled; active products with no order counted in revenue in it.",
    "previous": "Each figure is compared with the previous period: for This week, Last "
    "week, This month, Last month and This year, the same days of the week, month or year "
    "before (a month's last day against the last day of the month before); for the other "
    "ranges, the same number of days just before the range. A range ending today is "
    "compared up to the same time of day.",
}


# --------------------------------------------------------------------------- figures
@dataclass(frozen=True)
class Change:
    """A figure for the range and for the previous period."""

    current: int
    previous: int

    @property
    def change_pct(self) -> float | None:
        """(current − previous) ÷ previous in %, None when the previous period is 0."""
        if self.previous == 0:
            return None
        return round((self.current - self.previous) * 100 / self.previous, 2)

    def to_json(self) -> dict[str, Any]:
        return {"current": self.current, "previous": self.previous, "change_pct": self.change_pct}


@dataclass(frozen=True)
class Rate:
    """A ratio for the range and the previous period: repeat buyers ÷ buyers."""

    repeat: int
    buyers: int
    previous_repeat: int
    previous_buyers: int

    @property
    def current_pct(self) -> float | None:
        return None if not self.buyers else round(self.repeat * 100 / self.buyers, 2)

    @property
    def previous_pct(self) -> float | None:
        if not self.previous_buyers:
            return None
        return round(self.previous_repeat * 100 / self.previous_buyers, 2)

    @property
    def change_points(self) -> float | None:
        """Percentage points gained since the previous period."""
        cur, prev = self.current_pct, self.previous_pct
        return None if cur is None or prev is None else round(cur - prev, 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "current_pct": self.current_pct,
            "previous_pct": self.previous_pct,
            "change_points": self.change_points,
            "repeat_customers": self.repeat,
            "customers": self.buyers,
            "previous_repeat_customers": self.previous_repeat,
            "previous_customers": self.previous_buyers,
        }


@dataclass(frozen=True)
class ChannelRow:
    """Home's per-marketplace line: the chosen shops' figures, the channel's linked and
    total shops among all the shop's shops."""

    channel: Channel
    revenue: Change
    new_orders: Change
    shops_linked: int
    shops_total: int

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel.value,
            "revenue": self.revenue.to_json(),
            "new_orders": self.new_orders.to_json(),
            "shops_linked": self.shops_linked,
            "shops_total": self.shops_total,
        }


@dataclass(frozen=True)
class EventRow:
    kind: str
    shop: str | None
    message: str
    created_at: datetime
    #: The event's figures and names (services/activity.py); {} for an older row.
    args: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class RankRow:
    """One province / carrier / product of a ranking."""

    key: str
    label: str
    orders: Change
    revenue: Change
    #: Products only: units sold, and gross profit (on the units kept).
    units: Change | None = None
    profit: Change | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"key": self.key, "label": self.label, "revenue": self.revenue.to_json()}
        if self.units is None:
            out["orders"] = self.orders.to_json()
        else:
            out["units"] = self.units.to_json()
        if self.profit is not None:
            out["gross_profit"] = self.profit.to_json()
        return out


@dataclass(frozen=True)
class Period:
    """The range and its previous period (local days, both ends included)."""

    date_from: date
    date_to: date
    prev_from: date
    prev_to: date
    shop_ids: tuple[int, ...]
    #: A range ending today: the previous period stops on its last day at this instant
    #: (UTC; the same time of day as now); None = it holds whole days.
    prev_until: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        until = None if self.prev_until is None else self.prev_until.isoformat()
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "previous_from": self.prev_from.isoformat(),
            "previous_to": self.prev_to.isoformat(),
            "previous_until": until,
            "shop_ids": list(self.shop_ids),
        }


@dataclass(frozen=True)
class Dashboard:
    """Everything Home shows, as much of it as the user's modules allow (`home_parts`):
    the parts they may not see are None (`todo` holds only their cards, `events` only
    the kinds they may see)."""

    period: Period
    todo: dict[str, int]
    revenue: Change | None
    new_orders: Change | None
    channels: list[ChannelRow] | None
    #: New orders per channel (the pie), channels with none left out.
    pie: dict[str, int] | None
    events: list[EventRow]
    #: (customers who owe, what they owe in all) for sales on account, whatever the range
    #: and shops; None for a user without Customers access.
    owing: tuple[int, int] | None = None
    #: Gross profit (as Analytics); None for a user without Analytics access.
    profit: Change | None = None
    #: (revenue of the range from lines with no unit cost, how many products): the part
    #: of the gross profit that is the whole price; None with `profit`.
    no_cost: tuple[int, int] | None = None

    def to_json(self) -> dict[str, Any]:
        owing = None if self.owing is None else {"customers": self.owing[0],
                                                 "owed": self.owing[1]}  # fmt: skip
        return {
            **self.period.to_json(),
            "todo": self.todo,
            "customers_owe": owing,
            "revenue": None if self.revenue is None else self.revenue.to_json(),
            "gross_profit": None if self.profit is None else self.profit.to_json(),
            "no_cost_revenue": self._no_cost_json(),
            "new_orders": None if self.new_orders is None else self.new_orders.to_json(),
            "marketplaces": None if self.channels is None else [c.to_json() for c in self.channels],
            "new_orders_by_channel": self.pie,
            "latest_events": [e.to_json() for e in self.events],
        }

    def _no_cost_json(self) -> dict[str, int] | None:
        if self.no_cost is None:
            return None
        return {"revenue": self.no_cost[0], "products": self.no_cost[1]}


@dataclass(frozen=True)
class Analytics:
    """Everything the Analytics tab shows."""

    period: Period
    revenue: Change
    orders: Change
    units: Change
    #: Gross profit: what the units sold and kept brought in − what they cost.
    profit: Change
    repeat_rate: Rate
    top_locations_by_orders: list[RankRow]
    top_locations_by_revenue: list[RankRow]
    top_carriers: list[RankRow]
    products: list[RankRow]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.period.to_json(),
            "revenue": self.revenue.to_json(),
            "orders": self.orders.to_json(),
            "products_sold": self.units.to_json(),
            "gross_profit": self.profit.to_json(),
            "repeat_purchase_rate": self.repeat_rate.to_json(),
            "top_locations_by_orders": [r.to_json() for r in self.top_locations_by_orders],
            "top_locations_by_revenue": [r.to_json() for r in self.top_locations_by_revenue],
            "top_shipping_providers": [r.to_json() for r in self.top_carriers],
            "product_rank": [r.to_json() for r in self.products],
        }


# --------------------------------------------------------------------------- helpers
def today(ctx: ServiceContext) -> date:
    """Today in the shop's time zone."""
    return to_local(ctx.clock.now(), shop_tz()).date()


#: How a range's previous period is chosen (README § Metric definitions): "span", the same
#: number of days just before it (Today, Last 7 days, a custom range); "week", "month",
#: "year", the same days of the week, month or year before (This month, 1–7 December,
#: against 1–7 November: against 24–30 November, the end of a month, it looked like a fall).
COMPARES = ("span", "week", "month", "year")


def previous_days(date_from: date, date_to: date, compare: str = "span") -> tuple[date, date]:
    """The (first, last) day of the period a range is compared with (COMPARES)."""
    if compare == "span":
        days = (date_to - date_from).days + 1
        return date_from - timedelta(days=days), date_from - timedelta(days=1)
    if compare == "week":
        return date_from - timedelta(days=7), date_to - timedelta(days=7)
    if compare == "month":
        return _months_back(date_from, 1, ends=True), _months_back(date_to, 1, ends=True)
    if compare == "year":
        return _months_back(date_from, 12), _months_back(date_to, 12)
    raise ValueError(f"unknown comparison {compare!r} (one of {COMPARES})")


def _months_back(day: date, months: int, *, ends: bool = False) -> date:
    """The same day `months` earlier, the month's last day when it has no such day (31 March
    → 28 or 29 February); with `ends`, a month's last day → that month's last day (the
    whole of February against the whole of January, 30 April against 31 March)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if ends and day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def window(
    date_from: date,
    date_to: date,
    shop_ids: Iterable[int] = (),
    now: datetime | None = None,
    compare: str = "span",
) -> q.Window:
    """The checked range and its previous period (`compare`: one of COMPARES); with `now`,
    a range ending today is compared with a previous period that stops on its last day at
    the same time of day (an afternoon against a whole day always looked like a fall)."""
    if date_from > date_to:
        raise ValidationError(
            msg(
                "The range starts ({start}) after it ends ({end}).",
                start=date_from,
                end=date_to,
            ),
            field="date_from",
        )
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise ValidationError(
            msg("Choose a range of at most {limit} days.", limit=MAX_DAYS), field="date_to"
        )
    prev_from, prev_to = previous_days(date_from, date_to, compare)
    prev_until = None
    if now is not None and (local := to_local(now, shop_tz())).date() == date_to:
        prev_until = datetime.combine(prev_to, local.timetz()).astimezone(UTC)
    return q.Window(date_from, date_to, prev_from, prev_to, tuple(sorted(set(shop_ids))),
                    prev_until)  # fmt: skip


def _period(w: q.Window) -> Period:
    return Period(w.date_from, w.date_to, w.prev_from, w.prev_to, w.shop_ids, w.prev_until)


def _is_linked() -> sa.ColumnElement[bool]:
    """A shop is linked when it is active and holds tokens (Settings → Sales channels' rule:
    a shop an order import made, or one never authorised, is active but not linked)."""
    cred = credentials_t.c
    has_tokens = (
        sa.exists()
        .where(cred.shop_id == shops_t.c.id, cred.refresh_token_enc.is_not(None))
        .correlate(shops_t)
    )
    return sa.and_(shops_t.c.status == ShopStatus.ACTIVE.value, has_tokens)


def _shops(conn: sa.Connection, shop_ids: Sequence[int]) -> dict[int, tuple[str, Channel, bool]]:
    """id → (name, channel, linked) of the chosen shops (all when none are chosen)."""
    s = shops_t.c
    stmt = sa.select(s.id, s.name, s.channel, _is_linked())
    if shop_ids:
        stmt = stmt.where(s.id.in_(shop_ids))
    found = {int(i): (str(n), Channel(c), bool(ok)) for i, n, c, ok in conn.execute(stmt)}
    missing = sorted(set(shop_ids) - set(found))
    if missing:
        raise ValidationError(
            msg("No shop with id {missing}.", missing=str(missing[0])), field="shop_ids"
        )
    return found


def _status_totals(conn: sa.Connection, w: q.Window) -> dict[tuple[int, str], tuple[int, ...]]:
    return {(sid, st): tuple(rest) for sid, st, *rest in q.orders_by_shop_status(conn, w)}


def _sum(
    totals: dict[tuple[int, str], tuple[int, ...]],
    index: int,
    *,
    statuses: Iterable[str] | None = None,
    counted: bool = False,
    shops: Iterable[int] | None = None,
) -> int:
    wanted_status = None if statuses is None else set(statuses)
    wanted_shop = None if shops is None else set(shops)
    out = 0
    for (sid, status), values in totals.items():
        if counted and status in q.NOT_COUNTED:
            continue
        if wanted_status is not None and status not in wanted_status:
            continue
        if wanted_shop is not None and sid not in wanted_shop:
            continue
        out += values[index]
    return out


def _change(totals: dict[tuple[int, str], tuple[int, ...]], kind: str, **kw: Any) -> Change:
    """orders (indexes 0/2) or revenue (1/3) of the range and of the previous period."""
    cur, prev = (0, 2) if kind == "orders" else (1, 3)
    return Change(_sum(totals, cur, **kw), _sum(totals, prev, **kw))


# --------------------------------------------------------------------------- Home
@dataclass(frozen=True)
class FirstSteps:
    """What a new shop has done of its first steps (Home shows them until the first order)."""

    products: bool
    shop_linked: bool
    orders: bool
    #: The receipts print an address or a phone under the shop's name.
    shop_details: bool

    @property
    def pending(self) -> bool:
        """Home keeps the steps in view until the shop has an order."""
        return not self.orders


def first_steps(ctx: ServiceContext) -> FirstSteps:
    """Whether the shop has an address or phone for its receipts, a product, a linked
    marketplace shop (or orders of a marketplace shop imported from a Seller Center
    export) and an order (asked by Home for those who may set the shop up)."""
    ctx.require(Module.SETTINGS)
    with ctx.uow() as session:
        profile = get_setting(session, SHOP_PROFILE)
    contact = isinstance(profile, dict) and any(
        str(profile.get(key) or "").strip() for key in ("address", "phone")
    )
    with ctx.engine.connect() as conn:

        def any_row(table: sa.Table, *where: Any) -> bool:
            return bool(conn.execute(sa.select(sa.exists().select_from(table).where(*where)))
                        .scalar())  # fmt: skip

        marketplace = shops_t.c.channel.in_([c.value for c in Channel if c.is_marketplace])
        # A shop with no app of its own brings its orders in from a Seller Center export
        # instead: a marketplace shop's order (such an import made the shop) counts too.
        marketplace_shops = sa.select(shops_t.c.id).where(marketplace)
        return FirstSteps(
            products=any_row(products_t),
            shop_linked=any_row(shops_t, marketplace, _is_linked())
            or any_row(orders_t, orders_t.c.shop_id.in_(marketplace_shops)),
            orders=any_row(orders_t),
            shop_details=contact,
        )


@dataclass(frozen=True)
class HomeParts:
    """What of Home a user's modules let them see (DESIGN § Users: a module a user may
    not access is not shown)."""

    #: The to-do cards' keys (TODO_MODULES), in the cards' order.
    todo: tuple[str, ...]
    #: Revenue, new orders, the marketplaces and the pie (SALES_MODULES).
    sales: bool
    #: Gross profit (Analytics: the costs are the shop's).
    profit: bool
    #: What customers owe (Customers).
    owing: bool
    #: Some kinds of the latest events (`may_see_event`; the demo's are everyone's).
    news: bool

    @property
    def ranged(self) -> bool:
        """Some of them follow the range and shops chosen (the range bar is of use)."""
        return self.sales or bool(self.todo)


def home_parts(actor: Actor) -> HomeParts:
    """The parts of Home `actor` may see: the owner and managers all of them."""
    return HomeParts(
        todo=tuple(key for key, module in TODO_MODULES.items() if actor.can(module)),
        sales=any(actor.can(m) for m in SALES_MODULES),
        profit=actor.can(Module.ANALYTICS),
        owing=actor.can(Module.CUSTOMERS),
        news=any(actor.can(m) for m in _NEWS_MODULES),
    )


def dashboard(
    ctx: ServiceContext,
    date_from: date,
    date_to: date,
    shop_ids: Sequence[int] = (),
    *,
    compare: str = "span",
) -> Dashboard:
    """Home: to-do counts, revenue, gross profit and new orders, per marketplace, pie,
    latest events; each part only for who may see it (`home_parts` of the account as it
    stands now: None, a card or an event left out, for the others). `compare`: the
    previous period (COMPARES)."""
    w = window(date_from, date_to, shop_ids, ctx.clock.now(), compare)
    actor = ctx.current_actor()
    parts = home_parts(actor)
    # The profit's sums (a year: ~2 × 40 ms) on a second connection, beside the rest.
    with ThreadPoolExecutor(max_workers=1) as pool, ctx.engine.connect() as conn:
        _shops(conn, w.shop_ids)  # refuses an unknown shop
        profit_read = (pool.submit(_on_own_connection, ctx.engine, _profit, w)
                       if parts.profit else None)  # fmt: skip
        totals = _status_totals(conn, w) if parts.sales or parts.todo else {}
        todo = _todo_counts(conn, w, totals, parts.todo)
        channels = _channel_rows(totals, _shops(conn, ())) if parts.sales else None
        events = latest_events(conn, w.shop_ids, limit=5, actor=actor)
        owing = debt_totals(conn) if parts.owing else None
        profit_totals = None if profit_read is None else profit_read.result()
    profit: Change | None = None
    no_cost: tuple[int, int] | None = None
    if profit_totals is not None:
        profit = Change(profit_totals.current, profit_totals.previous)
        no_cost = (profit_totals.no_cost_revenue, profit_totals.no_cost_products)
    return Dashboard(
        period=_period(w),
        todo=todo,
        revenue=_change(totals, "revenue", counted=True) if parts.sales else None,
        new_orders=_change(totals, "orders") if parts.sales else None,
        channels=channels,
        pie=None if channels is None else _pie(channels),
        events=events,
        owing=owing,
        profit=profit,
        no_cost=no_cost,
    )


def _todo_counts(
    conn: sa.Connection,
    w: q.Window,
    totals: dict[tuple[int, str], tuple[int, ...]],
    keys: Sequence[str],
) -> dict[str, int]:
    """The counts of the to-do cards `keys` (the others are not read): work waiting
    (WAITING) as the shop stands now, whatever the dates; the others over the range."""
    waiting = [s for key in keys if key in WAITING for s in TODO_STATUSES.get(key, ())]
    now = q.orders_now(conn, waiting, w.shop_ids) if waiting else {}
    todo = {key: (sum(now.get(s, 0) for s in TODO_STATUSES[key]) if key in WAITING
                  else _sum(totals, 0, statuses=TODO_STATUSES[key]))
            for key in keys if key in TODO_STATUSES}  # fmt: skip
    if "low_stock" in keys:
        todo["low_stock"] = _count_products(conn, w.shop_ids, low_stock=True)
    if "no_revenue" in keys:
        todo["no_revenue"] = _no_revenue_count(conn, w)
    return todo


def _pie(channels: list[ChannelRow]) -> dict[str, int]:
    return {r.channel.value: r.new_orders.current for r in channels if r.new_orders.current}


def _channel_rows(
    totals: dict[tuple[int, str], tuple[int, ...]], shops: dict[int, tuple[str, Channel, bool]]
) -> list[ChannelRow]:
    """A line per marketplace and per other channel the shop has. `shops` are all the
    shop's shops: a channel's linked/total count is what it has whatever shops are chosen
    (Shopee is still linked when only the Lazada shop is ticked); `totals` hold the chosen
    shops' orders only, so the revenue stays theirs."""
    present = {ch for _n, ch, _s in shops.values()}
    rows = []
    for channel in [*MARKETPLACES, *(c for c in Channel if c not in MARKETPLACES)]:
        if channel not in MARKETPLACES and channel not in present:
            continue
        ids = [sid for sid, (_n, ch, _s) in shops.items() if ch == channel]
        linked = sum(1 for sid in ids if shops[sid][2])
        rows.append(
            ChannelRow(
                channel,
                _change(totals, "revenue", counted=True, shops=ids),
                _change(totals, "orders", shops=ids),
                linked,
                len(ids),
            )
        )
    return rows


def _product_where(shop_ids: Sequence[int], *, low_stock: bool) -> list[Any]:
    if low_stock:
        return product_filter_clauses(
            ProductFilter(shop_ids=tuple(shop_ids), statuses=("low_stock",))
        )
    out: list[Any] = [products_t.c.status == ProductStatus.ACTIVE.value]
    if shop_ids:
        out.append(shop_clause(tuple(shop_ids)))
    return out


def count_low_stock_products(conn: sa.Connection, shop_ids: Sequence[int] = ()) -> int:
    """Active products low on stock (Home's card, the Products list's filter)."""
    return _count_products(conn, shop_ids, low_stock=True)


def _count_products(conn: sa.Connection, shop_ids: Sequence[int], *, low_stock: bool) -> int:
    """Products low on stock (as the Products list's filter), or active products."""
    stmt = sa.select(sa.func.count()).select_from(products_t)
    return int(
        conn.execute(stmt.where(*_product_where(shop_ids, low_stock=low_stock))).scalar_one()
    )


def _sold_products(conn: sa.Connection, w: q.Window) -> set[int]:
    """Products sold in the range (`_sold`: a unit kept, or revenue): a product whose
    only sale came back is not."""
    return {pid for pid, units, revenue, *_rest in q.product_totals(conn, w, previous=False)
            if units or revenue}  # fmt: skip


def no_revenue_ids(conn: sa.Connection, w: q.Window) -> list[int]:
    """Active products (listed on the chosen shops) in no counted order of the range."""
    sold = _sold_products(conn, w)
    stmt = sa.select(products_t.c.id).where(*_product_where(w.shop_ids, low_stock=False))
    return [
        int(pid)
        for pid in conn.execute(stmt.order_by(products_t.c.name, products_t.c.id)).scalars()
        if pid not in sold
    ]


def _no_revenue_count(conn: sa.Connection, w: q.Window) -> int:
    return len(no_revenue_ids(conn, w))


def no_revenue_products(
    ctx: ServiceContext, date_from: date, date_to: date, shop_ids: Sequence[int] = ()
) -> list[tuple[int, str, int]]:
    """(id, name, available stock) of Home's "No revenue" products, by name (for who may
    see Products, as the card)."""
    ctx.require(Module.PRODUCTS)
    w = window(date_from, date_to, shop_ids)
    p = products_t.c
    with ctx.engine.connect() as conn:
        ids = no_revenue_ids(conn, w)
        out: dict[int, tuple[int, str, int]] = {}
        for chunk in chunks(ids):
            for pid, name, stock in conn.execute(
                sa.select(p.id, p.name, p.available_total).where(p.id.in_(chunk))
            ):
                out[int(pid)] = (int(pid), str(name), int(stock or 0))
    return [out[pid] for pid in ids if pid in out]


#: Events of these kinds are for the users of any of these modules; the other kinds (the
#: daily backup's failure, a newer version's kinds) for the owner and managers.
_EVENT_MODULES: dict[str, tuple[Module, ...]] = {
    ActivityKind.ORDERS_SYNCED: (Module.ORDERS,),
    ActivityKind.SYNC_FAILED: (Module.ORDERS,),
    ActivityKind.LOW_STOCK: (Module.PRODUCTS,),
    ActivityKind.RANKS_UPDATED: (Module.CUSTOMERS,),
}
#: An import's event by what was imported.
_IMPORT_MODULES = {"orders": Module.ORDERS, "products": Module.PRODUCTS,
                   "customers": Module.CUSTOMERS}  # fmt: skip
#: An "info" event by its `event`: goods received and price changes are the products'.
_INFO_MODULES = {"goods_received": Module.PRODUCTS, "price_schedule": Module.PRODUCTS}
#: Info events for everyone (the demo's data being made).
_INFO_FOR_ALL = ("demo_generated",)
#: The kinds whose events a staff user may see depend on their figures (`args`): each
#: with the modules whose users see some of them (none: the demo's info, everyone).
_MIXED_KINDS: dict[str, tuple[Module, ...]] = {
    ActivityKind.IMPORT: tuple(_IMPORT_MODULES.values()),
    ActivityKind.INFO: (),
    ActivityKind.SHIPMENT: (Module.ORDERS, Module.SETTINGS),
}
#: The modules whose users see some kinds of events.
_NEWS_MODULES = frozenset(m for modules in (*_EVENT_MODULES.values(), *_MIXED_KINDS.values())
                          for m in modules)  # fmt: skip
#: How many events a staff user's feed reads at a time to find the ones they may see.
_EVENT_PAGE = 100


def event_modules(kind: str, args: dict[str, Any]) -> tuple[Module, ...] | None:
    """The modules whose users see an event (any one of them suffices); None for everyone,
    () for the owner and managers only (an older event without its figures, too)."""
    if kind in _EVENT_MODULES:
        return _EVENT_MODULES[kind]
    if kind == ActivityKind.IMPORT:
        module = _IMPORT_MODULES.get(str(args.get("what")))
        return () if module is None else (module,)
    if kind == ActivityKind.INFO:
        if args.get("event") in _INFO_FOR_ALL:
            return None
        module = _INFO_MODULES.get(str(args.get("event")))
        return () if module is None else (module,)
    if kind == ActivityKind.SHIPMENT:  # a carrier token is fixed in Settings → Logistics
        return (Module.SETTINGS,) if args.get("problem") == "token" else (Module.ORDERS,)
    return ()


def may_see_event(actor: Actor, kind: str, args: dict[str, Any]) -> bool:
    """Whether Home shows `actor` this event (`event_modules`)."""
    if actor.role in (Role.OWNER, Role.MANAGER):
        return True
    modules = event_modules(kind, args)
    return modules is None or any(actor.can(m) for m in modules)


def _kinds_for(actor: Actor) -> list[str]:
    """The kinds whose events a staff `actor` may see some of (read, then filtered by
    `may_see_event`)."""
    wholly = [kind for kind, modules in _EVENT_MODULES.items()
              if any(actor.can(m) for m in modules)]  # fmt: skip
    mixed = [kind for kind, modules in _MIXED_KINDS.items()
             if not modules or any(actor.can(m) for m in modules)]  # fmt: skip
    return [str(k) for k in (*wholly, *mixed)]


def latest_events(
    conn: sa.Connection, shop_ids: Sequence[int], *, limit: int, actor: Actor | None = None
) -> list[EventRow]:
    """The newest activity events of the chosen shops (and those of no shop); with an
    `actor`, only those they may see (`may_see_event`)."""
    e, s = events_t.c, shops_t.c
    stmt = (
        sa.select(e.kind, s.name, e.message, e.created_at, e.args)
        .select_from(events_t.outerjoin(shops_t, s.id == e.shop_id))
        .order_by(e.created_at.desc(), e.id.desc())
    )
    if shop_ids:
        stmt = stmt.where(sa.or_(e.shop_id.is_(None), e.shop_id.in_(shop_ids)))

    def read(chosen: sa.Select[Any]) -> list[EventRow]:
        return [EventRow(str(k), n, str(m), at, event_args(a))
                for k, n, m, at, a in conn.execute(chosen)]  # fmt: skip

    if actor is None or actor.role in (Role.OWNER, Role.MANAGER):
        return read(stmt.limit(limit))
    stmt = stmt.where(e.kind.in_(_kinds_for(actor)))
    shown: list[EventRow] = []
    page = max(limit, _EVENT_PAGE)
    for offset in itertools.count(0, page):
        rows = read(stmt.limit(page).offset(offset))
        shown += [r for r in rows if may_see_event(actor, r.kind, r.args)]
        if len(shown) >= limit or len(rows) < page:
            break
    return shown[:limit]


def events(ctx: ServiceContext, shop_ids: Sequence[int] = (), limit: int = 200) -> list[EventRow]:
    """Home's "See more": the newest events the user may see (`may_see_event`)."""
    actor = ctx.current_actor()
    with ctx.engine.connect() as conn:
        return latest_events(conn, tuple(shop_ids), limit=limit, actor=actor)


# --------------------------------------------------------------------------- Analytics
def analytics(
    ctx: ServiceContext,
    date_from: date,
    date_to: date,
    shop_ids: Sequence[int] = (),
    *,
    top_products: int = 10,
    rank_by: str = "units",
    descending: bool = True,
    compare: str = "span",
) -> Analytics:
    """Analytics: revenue, orders, products sold, gross profit, repeat rate, top lists,
    product rank (the first `top_products` of every product sold, in `rank_by` order:
    one of PRODUCT_ORDERS); every change against the previous period (`compare`:
    COMPARES)."""
    ctx.require(Module.ANALYTICS)
    w = window(date_from, date_to, shop_ids, ctx.clock.now(), compare)
    # The product rank's sums are the longest read: on a connection of their own, in a
    # thread (SQLite and psycopg let go of the GIL while a query runs), so the machine's
    # second core reads them while this one reads the rest (1M orders, 365 days: ~200 ms
    # instead of ~350).
    with ThreadPoolExecutor(max_workers=1) as pool, ctx.engine.connect() as conn:
        _shops(conn, w.shop_ids)
        products_read = pool.submit(_on_own_connection, ctx.engine, _product_rows, w)
        totals = _status_totals(conn, w)
        provinces = _group_rows(conn, w, q.PROVINCE)
        carriers = _group_rows(conn, w, q.CARRIER)
        buyers, repeat, pbuyers, prepeat = q.repeat_counts(conn, w)
        products = products_read.result()
        sold = [r for r in products if _sold(r)]
        top = _named_products(conn, _ranked(sold, rank_by, descending)[:top_products])
    units = Change(sum(r.units.current for r in products if r.units),
                   sum(r.units.previous for r in products if r.units))  # fmt: skip
    profit = Change(sum(r.profit.current for r in products if r.profit),
                    sum(r.profit.previous for r in products if r.profit))  # fmt: skip
    return Analytics(
        period=_period(w),
        revenue=_change(totals, "revenue", counted=True),
        orders=_change(totals, "orders", counted=True),
        units=units,
        profit=profit,
        repeat_rate=Rate(repeat, buyers, prepeat, pbuyers),
        top_locations_by_orders=sorted(_known(provinces), key=_by_orders)[:TOP],
        top_locations_by_revenue=sorted(_known(provinces), key=_by_revenue)[:TOP],
        top_carriers=sorted(_known(carriers), key=_by_orders)[:TOP],
        products=top,
    )


#: The orders of the product rank (its sortable columns): units sold, revenue, gross
#: profit, the revenue's change against the previous period.
PRODUCT_ORDERS = ("units", "revenue", "profit", "revenue_change")


def product_rank(
    ctx: ServiceContext,
    date_from: date,
    date_to: date,
    shop_ids: Sequence[int] = (),
    *,
    by: str = "units",
    descending: bool = True,
    top: int = 10,
    compare: str = "span",
) -> list[RankRow]:
    """Analytics' product rank alone, in another order (the page asks again when the
    owner sorts it: the first rows by revenue are not always among the first by units)."""
    ctx.require(Module.ANALYTICS)
    w = window(date_from, date_to, shop_ids, ctx.clock.now(), compare)
    with ctx.engine.connect() as conn:
        _shops(conn, w.shop_ids)
        sold = [r for r in _product_rows(conn, w) if _sold(r)]
        return _named_products(conn, _ranked(sold, by, descending)[:top])


def _ranked(rows: list[RankRow], by: str, descending: bool) -> list[RankRow]:
    """Products in `by` order (PRODUCT_ORDERS), ties by units then revenue; a product
    with no revenue before (no change) counts lowest, as the page's sort has it."""
    if by not in PRODUCT_ORDERS:
        raise ValueError(f"unknown product order {by!r} (one of {PRODUCT_ORDERS})")

    def value(r: RankRow) -> float:
        if by == "units":
            return r.units.current if r.units else 0
        if by == "revenue":
            return r.revenue.current
        if by == "profit":
            return r.profit.current if r.profit else 0
        pct = r.revenue.change_pct
        return float("-inf") if pct is None else pct

    sign = -1 if descending else 1
    return sorted(rows, key=lambda r: (sign * value(r), *_by_units(r)))


T = TypeVar("T")


def _on_own_connection(
    engine: sa.Engine, read: Callable[[sa.Connection, q.Window], T], w: q.Window
) -> T:
    with engine.connect() as conn:
        return read(conn, w)


def _profit(conn: sa.Connection, w: q.Window) -> q.ProfitTotals:
    return q.profit_totals(conn, w)


def _sold(r: RankRow) -> bool:
    """Sold in the range: units kept in its counted orders, or revenue (a fully returned
    line leaves 0 units and 0 revenue: not sold)."""
    return bool(r.revenue.current or (r.units and r.units.current))


def _by_units(r: RankRow) -> tuple[int, int, str]:
    assert r.units is not None
    return (-r.units.current, -r.revenue.current, r.key)


def _by_orders(r: RankRow) -> tuple[int, int, str]:
    return (-r.orders.current, -r.revenue.current, r.key)


def _by_revenue(r: RankRow) -> tuple[int, int, str]:
    return (-r.revenue.current, -r.orders.current, r.key)


def _group_rows(conn: sa.Connection, w: q.Window, dim: str) -> list[RankRow]:
    """Every province / carrier with orders in the range (those of the previous period
    only are left out: nothing to rank); a carrier's spellings summed under its one name."""
    sums: dict[str, list[int]] = {}
    for key, *figures in q.group_totals(conn, w, dim):
        name = canonical_carrier(key) if dim == q.CARRIER else key
        total = sums.setdefault(name, [0, 0, 0, 0])
        for i, value in enumerate(figures):
            total[i] += value
    return [
        RankRow(key, group_label(dim, key), Change(n, pn), Change(r, pr))
        for key, (n, r, pn, pr) in sums.items()
        if n
    ]


def _spellings(conn: sa.Connection, dim: str, key: str) -> list[str]:
    """The stored keys a ranking row's `key` stands for: a carrier's other spellings."""
    if dim != q.CARRIER:
        return []
    return [k for k in q.group_keys(conn, dim) if k != key and canonical_carrier(k) == key]


def _known(rows: list[RankRow]) -> list[RankRow]:
    """Without the orders of no province / no carrier (a counter sale): a top list names
    places and carriers; the detail page (`ranking`) counts them as unknown."""
    return [r for r in rows if r.key]


def group_label(dim: str, key: str) -> str:
    """A province's name from its code; a carrier by its one name (`canonical_carrier`);
    "" for unknown."""
    if dim == q.PROVINCE:
        province = PROVINCE_BY_CODE.get(key)
        return province.name if province else key
    return key


#: One name per carrier in the reports. The marketplaces, the carriers' APIs, order files
#: and the demo spell a carrier differently (Shopee's "Giao Hàng Nhanh", our own GHN
#: shipments' "GHN"): `_carrier_key` of a spelling → the name shown. The orders keep what
#: was written; a name not listed is shown as stored.
CARRIER_ALIASES: dict[str, str] = {
    "ghn": "GHN", "giaohangnhanh": "GHN", "ghnexpress": "GHN",
    "jt": "J&T Express", "jtexpress": "J&T Express", "jnt": "J&T Express",
    "jntexpress": "J&T Express",
    "spx": "SPX Express", "spxexpress": "SPX Express", "shopeeexpress": "SPX Express",
    "shopeexpress": "SPX Express",
    "ghtk": "GHTK", "giaohangtietkiem": "GHTK",
    "ninjavan": "Ninja Van", "viettelpost": "Viettel Post",
    "lex": "LEX VN", "lexvn": "LEX VN", "lazadaexpress": "LEX VN",
    "tikinow": "TikiNOW", "vnpost": "VNPost", "vietnampost": "VNPost",
    "bestexpress": "BEST Express",
}  # fmt: skip


def _carrier_key(name: str) -> str:
    """A carrier's spelling without case, accents, spaces or signs ("J&T Express" →
    "jtexpress")."""
    return "".join(ch for ch in fold(name) if ch.isalnum())


def canonical_carrier(name: str) -> str:
    """The name the reports give a carrier however it was written ("" stays unknown)."""
    return CARRIER_ALIASES.get(_carrier_key(name), name)


def _product_rows(conn: sa.Connection, w: q.Window) -> list[RankRow]:
    """Every product sold in the range (unnamed; `_named_products` names the shown ones)."""
    return [
        RankRow(str(pid), "", Change(0, 0), Change(r, pr), Change(u, pu), Change(g, pg))
        for pid, u, r, g, pu, pr, pg in q.product_totals(conn, w)
    ]


def _named_products(conn: sa.Connection, rows: list[RankRow]) -> list[RankRow]:
    ids = [int(r.key) for r in rows if int(r.key) != NO_PRODUCT]
    names: dict[int, str] = {}
    for chunk in chunks(ids):
        stmt = sa.select(products_t.c.id, products_t.c.name).where(products_t.c.id.in_(chunk))
        names.update((int(i), str(n)) for i, n in conn.execute(stmt))
    return [
        RankRow(r.key, names.get(int(r.key), ""), r.orders, r.revenue, r.units, r.profit)
        for r in rows
    ]


def ranking(
    ctx: ServiceContext,
    kind: str,
    date_from: date,
    date_to: date,
    shop_ids: Sequence[int] = (),
    *,
    compare: str = "span",
) -> list[RankRow]:
    """A detail page's whole ranking: every province, carrier or product of the range
    (by revenue; products by units), changes against the previous period (`compare`:
    COMPARES). Unknown products are named "" (the UI says so)."""
    ctx.require(Module.ANALYTICS)
    if kind not in RANKINGS:
        raise ValidationError(
            msg(
                "Unknown ranking {kind}: one of {choices}.",
                kind=repr(kind),
                choices=str(", ".join(RANKINGS)),
            )
        )
    w = window(date_from, date_to, shop_ids, ctx.clock.now(), compare)
    with ctx.engine.connect() as conn:
        if kind == "product":
            rows = [
                r
                for r in _product_rows(conn, w)
                if r.units and (r.units.current or r.revenue.current)
            ]
            return _named_products(conn, sorted(rows, key=_by_units))
        rows = [r for r in _group_rows(conn, w, kind) if r.orders.current or r.revenue.current]
        return sorted(rows, key=_by_revenue)


def orders_behind(
    ctx: ServiceContext,
    kind: str,
    key: str,
    date_from: date,
    date_to: date,
    shop_ids: Sequence[int] = (),
) -> OrderFilter:
    """The Orders list's filter of the orders a ranking's row counts (Analytics'
    drill-down): the range's days and shops, the orders counted in revenue, and the
    row's province, carrier (every spelling stored under its one name) or product."""
    ctx.require(Module.ANALYTICS)
    if kind not in RANKINGS:
        raise ValueError(f"unknown ranking {kind!r} (one of {RANKINGS})")
    base = OrderFilter(shop_ids=tuple(shop_ids), date_from=date_from, date_to=date_to,
                       counted_only=True)  # fmt: skip
    if kind == q.PROVINCE:
        return replace(base, province=key)
    with ctx.engine.connect() as conn:
        if kind == q.CARRIER:
            return replace(base, carriers=(key, *_spellings(conn, q.CARRIER, key)))
        pid = int(key)
        name = conn.execute(
            sa.select(products_t.c.name).where(products_t.c.id == pid)
        ).scalar_one_or_none()
    return replace(base, product_id=pid, product_name=str(name or ""))


# --------------------------------------------------------------------------- series
@dataclass(frozen=True)
class Point:
    """One bucket of a series: its first day, its last day, its value. `empty`: a rate
    with nothing to count (no buyer in the bucket): its 0 is no rate at all ("—")."""

    start: date
    end: date
    value: float
    empty: bool = False


@dataclass(frozen=True)
class Series:
    metric: str
    grain: str
    key: str | None
    points: list[Point] = field(default_factory=list)
    #: With `series(previous=True)`: per point, the previous period's value of the days
    #: as far from its start (None: the previous period has no such days, or a rate with
    #: no buyer); the range's total (a rate: the whole range's) and the previous period's
    #: (as the Analytics cards count them).
    previous: list[float | None] = field(default_factory=list)
    total: float | None = None
    previous_total: float | None = None
    #: The previous period's (first, last) day.
    previous_days: tuple[date, date] | None = None
    #: A range holding today: the instant (UTC) it was read, up to which the bucket
    #: holding today counts (`in_progress`); None: every bucket is over.
    until: datetime | None = None

    def in_progress(self, p: Point) -> bool:
        """Whether `p` holds today: counted so far, not a whole day, week or month yet."""
        if self.until is None:
            return False
        return p.start <= to_local(self.until, shop_tz()).date() <= p.end

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "grain": self.grain,
            "key": self.key,
            "until": None if self.until is None else self.until.isoformat(),
            "points": [
                # A rate with no buyer is no rate: null, as the screen's "—".
                {
                    "from": p.start.isoformat(),
                    "to": p.end.isoformat(),
                    "value": None if p.empty else p.value,
                }
                for p in self.points
            ],
        }


def bucket_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if grain == "month":
        return day.replace(day=1)
    return day


def buckets(date_from: date, date_to: date, grain: str) -> list[tuple[date, date]]:
    """The (first, last) day of every bucket of the range, clipped to the range."""
    if grain not in GRAINS:
        raise ValidationError(
            msg(
                "Unknown grain {grain}: one of {choices}.",
                grain=repr(grain),
                choices=str(", ".join(GRAINS)),
            )
        )
    out: list[tuple[date, date]] = []
    day = date_from
    while day <= date_to:
        start = bucket_start(day, grain)
        if grain == "day":
            nxt = day + timedelta(days=1)
        elif grain == "week":
            nxt = start + timedelta(days=7)
        else:
            nxt = (start + timedelta(days=32)).replace(day=1)
        out.append((day, min(nxt - timedelta(days=1), date_to)))
        day = nxt
    return out


def partial_bucket(start: date, end: date, grain: str) -> bool:
    """Whether the range cut a bucket of `buckets` short: a week or month with fewer days
    than a whole one (the range's first or last), so its total is not like the others'."""
    if grain == "day":
        return False
    first = bucket_start(start, grain)
    if grain == "week":
        last = first + timedelta(days=6)
    else:
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return (start, end) != (first, last)


#: The longest range (a quarter) whose repeat rate a detail page opens by week; by month above.
REPEAT_RATE_WEEKS_UP_TO = 92


def default_grain(metric: str, date_from: date, date_to: date) -> str:
    """The grain a metric's detail page opens on (the owner may pick another). By day,
    but for the repeat rate: a repeat is a second order of one customer in the period,
    which a day seldom holds, so its days read 0 % or none. By week up to a quarter, by
    month over a longer range; a one-day range by day (one point either way, not "part")."""
    if metric != "repeat_rate" or date_from >= date_to:
        return "day"
    days = (date_to - date_from).days + 1
    return "week" if days <= REPEAT_RATE_WEEKS_UP_TO else "month"


def series(
    ctx: ServiceContext,
    metric: str,
    date_from: date,
    date_to: date,
    shop_ids: Sequence[int] = (),
    *,
    grain: str = "day",
    key: str | None = None,
    by_orders: bool = False,
    previous: bool = False,
    compare: str = "span",
) -> Series:
    """A metric per day/week/month over the range (every bucket, zeros included).

    `metric` is one of SERIES_METRICS, or a ranking (RANKINGS) with the row's `key`:
    a province's or carrier's revenue (its counted orders with `by_orders`, as the top 5
    by orders ranks them), a product's units. With `previous`: the previous period's
    values (`compare`: COMPARES) and both totals (`Series.previous`).
    """
    ctx.require(Module.ANALYTICS)
    if metric not in SERIES_METRICS and metric not in RANKINGS:
        raise ValidationError(msg("Unknown metric {metric}.", metric=repr(metric)), field="metric")
    if by_orders and metric not in (q.PROVINCE, q.CARRIER):
        raise ValueError(f"by_orders is for a province or carrier, not {metric!r}")
    w = window(date_from, date_to, shop_ids)
    spans = buckets(date_from, date_to, grain)
    with ctx.engine.connect() as conn:
        values: dict[date, float]
        aliases: list[str] = []
        if metric == "repeat_rate":
            values = {
                start: round(repeat * 100 / buyers, 2)
                for start, (buyers, repeat) in q.repeat_by_bucket(conn, w, spans).items()
            }
        else:
            values = {}
            aliases = [] if key is None else _spellings(conn, metric, key)
            for day, v in q.daily_values(conn, w, metric, key, aliases, count_orders=by_orders):
                b = max(bucket_start(day, grain), date_from)
                values[b] = values.get(b, 0) + v
        rate = metric == "repeat_rate"
        points = [Point(start, end, float(values.get(start, 0)),
                        empty=rate and start not in values)
                  for start, end in spans]  # fmt: skip
        now = ctx.clock.now()
        until = now if date_from <= to_local(now, shop_tz()).date() <= date_to else None
        if not previous:
            return Series(metric, grain, key, points, until=until)
        pw = window(date_from, date_to, shop_ids, now, compare)
        before, total, before_total = _previous_values(
            conn, pw, metric, spans, key, aliases, by_orders
        )
    if not rate:
        total = float(sum(p.value for p in points))
    return Series(metric, grain, key, points, before, total, before_total,
                  (pw.prev_from, pw.prev_to), until)  # fmt: skip


def _previous_values(
    conn: sa.Connection,
    pw: q.Window,
    metric: str,
    spans: list[tuple[date, date]],
    key: str | None,
    aliases: Sequence[str],
    by_orders: bool,
) -> tuple[list[float | None], float | None, float | None]:
    """(previous value per bucket, the range's total for a rate else None, the previous
    total): bucket (a, z) of the range against the previous period's days as far from its
    first day (the previous period cut at `pw.prev_until`, as the cards count it)."""
    shift = pw.prev_from - pw.date_from
    shifted = [(a + shift, min(z + shift, pw.prev_to)) for a, z in spans if a + shift <= pw.prev_to]
    prev = q.Window(pw.prev_from, pw.prev_to, pw.prev_from, pw.prev_to, pw.shop_ids)
    out: list[float | None] = [None] * len(spans)
    if metric == "repeat_rate":
        found = q.repeat_by_bucket(conn, prev, shifted)
        for i, (a, _z) in enumerate(shifted):
            if a in found and found[a][0]:
                buyers, repeat = found[a]
                out[i] = round(repeat * 100 / buyers, 2)
        buyers, repeat, prev_buyers, prev_repeat = q.repeat_counts(conn, pw)
        whole = Rate(repeat, buyers, prev_repeat, prev_buyers)  # as its card
        return out, whole.current_pct, whole.previous_pct
    days = dict(q.daily_values(conn, prev, metric, key, aliases, count_orders=by_orders))
    if pw.prev_until is not None:  # the last day until the same time of day
        late = q.late_value(conn, pw, metric, key, aliases, count_orders=by_orders)
        days[pw.prev_to] = days.get(pw.prev_to, 0) - late
    for i, (a, z) in enumerate(shifted):
        out[i] = float(sum(v for d, v in days.items() if a <= d <= z))
    return out, None, float(sum(days.values()))


# --------------------------------------------------------------------------- export
def export_series(
    ctx: ServiceContext,
    path: Path,
    data: Series,
    *,
    title: str,
    value_header: str,
    money: bool,
    period_headers: tuple[str, str] = ("From", "To"),
    previous_headers: tuple[str, str] = ("Previous period", "Change"),
    totals: bool = True,
    notes: Sequence[str] = (),
    note_header: str = "Note",
    progress: Progress | None = None,
) -> Any:
    """Write a detail page's series table (from, to, value) to an .xlsx file: a rate as a
    percentage number. `period_headers` title the first two columns in the UI's
    language (the value's is `value_header`). A series read with its previous period
    adds its value and the change (a rate's in points), and, with `totals`, a last row
    of the totals over the whole range (`previous_headers`: those two columns' titles;
    no `totals`: the page's search left out periods, whose sum the totals are not).
    `notes`: per point, what the page says of it beside its dates (a week cut short,
    today counted so far): a last column `note_header` when one says something, so such
    a row is not read as a whole period's."""
    ctx.require_export(Module.ANALYTICS)
    target = check_target(path)
    started = time.perf_counter()
    kind = "money" if money else ("int" if data.metric != "repeat_rate" else "percent")
    first, last = period_headers
    columns = [XlsxColumn(first, "date", 12), XlsxColumn(last, "date", 12),
               XlsxColumn(value_header, kind, 18)]  # fmt: skip
    def cell(value: float | None) -> Any:
        return None if value is None else int(value) if kind != "percent" else _fraction(value)

    def change(value: float | None, before: float | None) -> float | None:
        if value is None or before is None:
            return None
        if kind == "percent":  # a rate's change in points
            return _fraction(value - before)
        return None if before == 0 else _fraction((value - before) * 100 / before)

    rows: list[tuple[Any, ...]] = [
        (p.start, p.end, cell(None if p.empty else p.value)) for p in data.points
    ]
    if data.previous_days is not None and data.points:
        columns += [XlsxColumn(previous_headers[0], kind, 18),
                    XlsxColumn(previous_headers[1], "percent", 12)]  # fmt: skip
        before = data.previous or [None] * len(data.points)
        rows = [(*row, cell(b), change(None if p.empty else p.value, b))
                for row, p, b in zip(rows, data.points, before, strict=True)]  # fmt: skip
        # The whole range's totals, as the cards count them (dated by the range).
        total, before_total = data.total, data.previous_total
        if totals:
            rows.append((data.points[0].start, data.points[-1].end, cell(total),
                         cell(before_total), change(total, before_total)))  # fmt: skip
    if any(notes):  # the totals' row (past the points) says nothing
        columns.append(XlsxColumn(note_header, "text", 30))
        said = [*notes, *[""] * (len(rows) - len(notes))]
        rows = [(*row, note or None) for row, note in zip(rows, said, strict=True)]
    with replaced_when_done(target) as tmp:
        n = stream_rows(tmp, columns, rows, len(rows), progress or NullProgress(), sheet=title)
    return audit_export(
        ctx,
        "report.export",
        target,
        msg("Exported {title}", title=title),
        {"rows": n, "metric": data.metric},
        started,
    )


def export_ranking(
    ctx: ServiceContext,
    path: Path,
    rows: Sequence[RankRow],
    *,
    title: str,
    headers: Sequence[str],
    unknown: str = "",
    progress: Progress | None = None,
) -> Any:
    """Write a ranking (label, orders or units, change %, revenue, change %, and for
    products gross profit, change %) to .xlsx; the changes as percentage numbers, blank
    when there was nothing before.

    `headers` are the column titles in the UI's language (five, seven for products);
    `unknown` names the row without a name as the screen does (orders of no province or
    carrier, items no longer in the catalogue).
    """
    ctx.require_export(Module.ANALYTICS)
    target = check_target(path)
    started = time.perf_counter()
    # The count (orders or units) with thousands separators as the money beside it: the
    # money kind is a number in #,##0 (a plain int showed 12345 beside 12,345,000).
    kinds = ("text", "money", "percent", "money", "percent", "money", "percent")[: len(headers)]
    columns = [
        XlsxColumn(h, k, 28 if i == 0 else 16)
        for i, (h, k) in enumerate(zip(headers, kinds, strict=True))
    ]

    def pct(c: Change) -> float | None:
        return None if c.change_pct is None else _fraction(c.change_pct)

    def line(r: RankRow) -> tuple[Any, ...]:
        count = r.units if r.units is not None else r.orders
        out = (r.label or unknown, count.current, pct(count), r.revenue.current, pct(r.revenue))
        profit = () if r.profit is None else (r.profit.current, pct(r.profit))
        return (out + profit)[: len(kinds)]

    with replaced_when_done(target) as tmp:
        n = stream_rows(
            tmp, columns, map(line, rows), len(rows), progress or NullProgress(), sheet=title
        )
    return audit_export(ctx, "report.export", target, msg("Exported {title}", title=title),
                        {"rows": n}, started)  # fmt: skip


def _fraction(pct: float) -> float:
    """A percentage (20.51) as the fraction a spreadsheet's percent format shows (0.2051)."""
    return round(pct / 100, 6)


# --------------------------------------------------------------------------- rebuild
@dataclass(frozen=True)
class RebuildReport:
    orders: int
    seconds: float


def rebuild(ctx: ServiceContext) -> RebuildReport:
    """Rewrite every daily summary from the orders (`primedist report rebuild`)."""
    ctx.require(Module.ANALYTICS)
    started = time.perf_counter()
    with ctx.uow() as session:
        conn = session.connection()
        cost_new_lines(conn)  # any line a writer left uncosted (none should be)
        q.rebuild_summaries(conn)
        n = int(conn.execute(sa.select(sa.func.count()).select_from(q.order_days_t)).scalar_one())
        ctx.audit(
            session,
            "report.rebuild",
            summary=msg("Rebuilt the dashboards' summaries of {count} orders", count=n),
        )
    return RebuildReport(n, time.perf_counter() - started)
