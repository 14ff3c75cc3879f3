"""The Customers list: one QuerySpec over `customers`, its filters, quick filters and folded
search.

Keys are paged and counted on `customers` alone: every filter and sort reads columns of the
customer row (the order statistics kept by `services.customer_stats`, gender, source,
referrer, dates, the channels bought through), and the rank, segment, tag, shop and "often
returns" filters are `id IN (subquery)` clauses whose set is built once per query. Each sort
has a covering index (sort column, id, every filter column: `LIST_FILTER_COLUMNS` in
domain/customer.py), so a page walks its sort's index and a count scans one index whatever
the chips (a rank filter's count seeks the rank index), and neither reads the wide
customer rows. Filter columns are hinted (`+customers.col`) when paging keys so
SQLite never takes a filter's index and sorts every match (the planner trap). The phone,
segments, tags and referrer shown on a row are correlated subqueries evaluated only for the
visible page. Deleted and merged-away customers are never listed.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import iterate

from primedist.core.clock import local_day_bounds_utc
from primedist.domain.base import table_of
from primedist.domain.customer import (
    LIST_FILTER_COLUMNS,
    Customer,
    CustomerAdjustment,
    CustomerPayment,
    CustomerPhone,
    CustomerTag,
    Segment,
    SegmentMember,
    Tag,
    last_order_sort,
)
from primedist.domain.enums import Gender, OrderStatus, Rank
from primedist.domain.loyalty import CustomerLevel
from primedist.domain.order import Order, OrderRefund
from primedist.queries.products import joined_text
from primedist.queries.search import search_filter
from primedist.queries.spec import Column, QuerySpec, QueryState, fetch_keys, fetch_rows

customers = table_of(Customer)
phones = table_of(CustomerPhone)
customer_tags = table_of(CustomerTag)
tags = table_of(Tag)
segments = table_of(Segment)
segment_members = table_of(SegmentMember)
orders = table_of(Order)
order_refunds = table_of(OrderRefund)
customer_payments = table_of(CustomerPayment)
customer_adjustments = table_of(CustomerAdjustment)
referrers = customers.alias("referrer")
ranked = customers.alias("ranked")
grouped = customers.alias("grouped")
anonymous = customers.alias("anonymous")
levels = table_of(CustomerLevel)
#: The customer group filter's value for "in no group".
NO_GROUP = 0
#: The name of the rank filter's values (how `_count_clause` knows that filter).
_RANK_VALUES = "rank_filter"

c = customers.c

#: The default tag the "Often returns" quick filter means (its `default_key`, whatever the
#: tag is called: services.tags.DEFAULT_TAGS).
OFTEN_RETURNS_KEY = "often_returns"
#: Ranks of the "Gold and above" quick filter.
GOLD_AND_ABOVE = (Rank.GOLD, Rank.DIAMOND)
#: How many orders the "5+ orders" quick filter asks for.
MANY_ORDERS = 5
#: Characters a marketplace masks a buyer's name with ("N*********m", "H••g"): as
#: `services.customers.MASK_CHARS`.
MASK_CHARS = ("*", "•", "●")
#: How the segments and tags of a row are joined for display.
SEPARATOR = ", "


def _joined(value: ColumnElement[Any], order: ColumnElement[Any]) -> ColumnElement[str]:
    return joined_text(value, sa.literal(SEPARATOR, sa.Text), order)


#: The primary phone (else the first one added).
PRIMARY_PHONE = (
    sa.select(phones.c.phone)
    .where(phones.c.customer_id == c.id)
    .order_by(phones.c.is_primary.desc(), phones.c.id)
    .limit(1)
    .scalar_subquery()
)
#: Names of the customer's segments, "VIP, Tết 2026".
SEGMENT_NAMES = (
    sa.select(_joined(segments.c.name, segments.c.name))
    .select_from(segment_members.join(segments, segments.c.id == segment_members.c.segment_id))
    .where(segment_members.c.customer_id == c.id)
    .scalar_subquery()
)
#: Names of the customer's tags.
TAG_NAMES = (
    sa.select(_joined(tags.c.name, tags.c.name))
    .select_from(customer_tags.join(tags, tags.c.id == customer_tags.c.tag_id))
    .where(customer_tags.c.customer_id == c.id)
    .scalar_subquery()
)
#: The name of the customer's group (level).
LEVEL_NAME = sa.select(levels.c.name).where(levels.c.id == c.level_id).scalar_subquery()
#: The referrer's name.
REFERRER_NAME = sa.select(referrers.c.name).where(referrers.c.id == c.referrer_id).scalar_subquery()
#: Orders that reached an end: completed, cancelled or returned (not those still on the way).
FINISHED_ORDERS = c.successful_orders + c.cancelled_orders + c.returned_orders
#: Successful ÷ finished orders in percent (NULL before any order has finished): an order
#: still waiting or on its way is neither a success nor a failure yet.
SUCCESS_RATE = sa.case(
    (FINISHED_ORDERS > 0, c.successful_orders * 100.0 / FINISHED_ORDERS), else_=sa.null()
)


#: An order paid on account. Written as a literal, not a bound value: SQLite uses the
#: partial index `ix_orders_on_account` only when the query states its WHERE term.
ON_ACCOUNT = orders.c.payment_method == sa.literal_column("'on_account'")
#: Every status but cancelled: a sale on account that still stands.
STANDING = tuple(s.value for s in OrderStatus if s is not OrderStatus.CANCELLED)
#: One customer's standing sales on account. The status is named (IN, not `!= cancelled`):
#: with a seek on `customer_id` alone, SQLite 3.40 rates `ix_orders_on_account` no better
#: than `ix_orders_customer_stats` and takes the latter, reading every order of the
#: customer (90–275 ms a page of big buyers at 1,000,000 orders). A seek on
#: (customer_id, status), which only the partial index offers, makes it the planner's
#: choice (0.1 ms a page).
_STANDING_SALE = (
    orders.c.customer_id == c.id,
    ON_ACCOUNT,
    orders.c.status.in_(STANDING),
)
#: Of the refunds of the customer's standing sales on account, the money given back (the
#: way it was paid: a refund row with a method, `services.orders.return_in`): it came out
#: of the drawer, not off what they owe.
_GIVEN_BACK = (
    sa.select(sa.func.coalesce(sa.func.sum(order_refunds.c.amount), 0))
    .select_from(orders.join(order_refunds, order_refunds.c.order_id == orders.c.id))
    .where(*_STANDING_SALE, order_refunds.c.method.is_not(None))
    .scalar_subquery()
)
#: The customer's standing sales on account, net of the refunds that came off them.
SOLD_ON_ACCOUNT = (
    sa.select(sa.func.coalesce(sa.func.sum(orders.c.total - orders.c.refunded_amount), 0))
    .where(*_STANDING_SALE)
    .scalar_subquery()
) + _GIVEN_BACK
#: How many standing sales on account the customer has.
SALES_ON_ACCOUNT = sa.select(sa.func.count()).where(*_STANDING_SALE).scalar_subquery()
#: The customer's standing payments towards it.
PAID_ON_ACCOUNT = (
    sa.select(sa.func.coalesce(sa.func.sum(customer_payments.c.amount), 0))
    .where(customer_payments.c.customer_id == c.id, customer_payments.c.cancelled_at.is_(None))
    .scalar_subquery()
)
#: The customer's adjustments by hand (a debt from before the app +, written off −).
ADJUSTED = (
    sa.select(sa.func.coalesce(sa.func.sum(customer_adjustments.c.amount), 0))
    .where(customer_adjustments.c.customer_id == c.id)
    .scalar_subquery()
)
#: What the customer owes for sales on account (services.customer_account).
OWED = SOLD_ON_ACCOUNT + ADJUSTED - PAID_ON_ACCOUNT


def account_ledger() -> sa.CompoundSelect[Any]:
    """(customer_id, amount) of every standing entry of the customers' accounts: sales on
    account net of refunds (+; through the partial index) plus the money their refunds gave
    back (+, `_GIVEN_BACK`), adjustments (±), payments (−)."""
    o, a, p, r = orders.c, customer_adjustments.c, customer_payments.c, order_refunds.c
    standing = (ON_ACCOUNT, o.status != OrderStatus.CANCELLED.value, o.customer_id.is_not(None))
    sales = sa.select(o.customer_id, (o.total - o.refunded_amount).label("amount")).where(*standing)
    given_back = (
        sa.select(o.customer_id, r.amount)
        .select_from(order_refunds.join(orders, o.id == r.order_id))
        .where(*standing, r.method.is_not(None))
    )
    paid = sa.select(p.customer_id, (-p.amount).label("amount")).where(p.cancelled_at.is_(None))
    return sa.union_all(sales, given_back, sa.select(a.customer_id, a.amount), paid)


def owed_by_debtor() -> sa.Select[Any]:
    """(customer_id, owed) of the customers who owe something (`account_ledger` summed)."""
    ledger = account_ledger().subquery()
    owed = sa.func.sum(ledger.c.amount)
    return (
        sa.select(ledger.c.customer_id, owed.label("owed"))
        .group_by(ledger.c.customer_id)
        .having(owed > 0)
    )


def debtor_ids() -> sa.Select[Any]:
    """The customers who owe something (the "Owes money" quick filter)."""
    debtors = owed_by_debtor().subquery()
    return sa.select(debtors.c.customer_id)


def debt_totals(conn: sa.Connection) -> tuple[int, int]:
    """(how many customers owe, what they owe in all): Home's card."""
    debtors = owed_by_debtor().subquery()
    row = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(debtors.c.owed), 0))
    ).one()
    return int(row[0]), int(row[1])


class month_text(FunctionElement[str]):  # noqa: N801  (reads as the SQL function it is)
    """`month_text(date)`: the month of a date as two digits ('05'). On SQLite a date is
    stored as 'YYYY-MM-DD' text, so `substr` reads it: over a whole list that costs about
    half of `strftime` (the "Birthday this month" count); `to_char` elsewhere."""

    type = sa.Text()
    inherit_cache = True
    name = "month_text"


@compiles(month_text)
def _month_text_default(element: month_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'MM')"


@compiles(month_text, "sqlite")
def _month_text_sqlite(element: month_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 6, 2)"


def _search(text: str, dialect: str) -> ColumnElement[bool] | None:
    # `search_text` holds the folded name, code, email and phones (customers_fts on SQLite).
    return search_filter(customers, text, dialect)


#: Sortable columns: (spec key, customers column); each has a covering index.
SORTS = (
    ("created_at", "created_at"),
    ("name", "name"),
    ("total_expenses", "total_expenses"),
    ("successful_orders", "successful_orders"),
    ("total_orders", "total_orders"),
    ("points", "points_balance"),
    # and "last_order_at": `last_order_sort(last_order_at)`, ix_customers_last_order_at_id
)

CUSTOMERS_SPEC = QuerySpec(
    name="customers",
    key=c.id,
    from_=customers,
    key_from=customers,
    columns=(
        Column("rank", "Rank", c.rank, kind="enum", width=90),
        Column("level", "Customer group", LEVEL_NAME, width=110),
        Column("name", "Name", c.name, sort=c.name, width=200),
        Column("phone", "Phone", PRIMARY_PHONE, width=120),
        Column("channels", "Channels", c.channels, width=90),
        Column(
            "total_expenses",
            "Total spent",
            c.total_expenses,
            kind="money",
            sort=c.total_expenses,
            width=130,
        ),  # fmt: skip
        Column("owes", "Owes", OWED, kind="money", width=130),  # as wide as the expenses
        Column("success_rate", "Success rate", SUCCESS_RATE, kind="percent", width=100),
        Column(
            "successful_orders",
            "Successful orders",
            c.successful_orders,
            kind="int",
            sort=c.successful_orders,
            width=120,
        ),  # fmt: skip
        Column(
            "total_orders",
            "Total orders",
            c.total_orders,
            kind="int",
            sort=c.total_orders,
            width=100,
        ),  # fmt: skip
        Column("segments", "Segments", SEGMENT_NAMES, width=150),
        Column("tags", "Tags", TAG_NAMES, width=150),
        # Shown as "remaining / earned"; sorts by the remaining points.
        Column("points", "Points", c.points_balance, kind="int", sort=c.points_balance, width=110),
        Column(
            "created_at", "Created", c.created_at, kind="datetime", sort=c.created_at, width=130
        ),  # fmt: skip
        # Sorted with those who never bought last (`last_order_sort`: NOT NULL, indexed).
        Column(
            "last_order_at",
            "Latest transaction",
            c.last_order_at,
            kind="datetime",
            sort=last_order_sort(c.last_order_at),
            width=140,
        ),
        Column("birthday", "Birthday", c.birthday, kind="date", width=100),
        Column("referrer", "Referrer", REFERRER_NAME, width=150),
        Column("code", "Customer code", c.code, width=110),
        # Loaded for the list's drawing (hidden columns there).
        Column("points_earned", "Points earned", c.points_earned, kind="int"),
        Column("email", "Email", c.email),
    ),
    # The most recent buyers first: the regulars, not the newest (marketplace) buyers.
    default_sort="last_order_at",
    default_descending=True,
    search=_search,
    # Every filter column (and the key, for the IN-subquery filters): a range/IN filter
    # never steers SQLite off the sort's index.
    hint_columns=frozenset({*LIST_FILTER_COLUMNS, "created_at", "id"}),
)

#: The keys of CUSTOMERS_SPEC's sortable columns.
SORT_KEYS = tuple(col.key for col in CUSTOMERS_SPEC.columns if col.sort is not None)
_FILTER_COLUMNS = CUSTOMERS_SPEC.hint_columns


def _count_hints(filtered: frozenset[str]) -> frozenset[str]:
    """Counts: with any filter beyond "listed", every filter column is hinted, so the count
    is one scan of a covering sort index (never a filter's index plus a row lookup each);
    `rank` is not, so a rank filter's count seeks `ix_customers_rank_live`."""
    return _FILTER_COLUMNS if filtered - {"deleted_at", "merged_into_id"} else frozenset()


CUSTOMERS_SPEC = dataclasses.replace(
    # `_count_clause` is defined with the filters below.
    CUSTOMERS_SPEC,
    count_hints=_count_hints,
    count_clause=lambda clause: _count_clause(clause),
)


@dataclass(frozen=True)
class CustomerFilter:
    """The Customers list's filter chips and quick filters (all optional; empty = all).

    Money is whole đồng and ranges include both ends; `success_rate_*` are percents (0–100;
    customers without orders never match a rate range). Tuples are OR-ed within a chip:
    `shop_ids` = bought in any of these shops, `segment_ids` = in any of these segments,
    `tag_ids` = has any of these tags. Dates are shop-local calendar days, both included.
    The quick filters AND with everything else.
    """

    shop_ids: tuple[int, ...] = ()
    expenses_min: int | None = None
    expenses_max: int | None = None
    successful_min: int | None = None
    successful_max: int | None = None
    success_rate_min: float | None = None
    success_rate_max: float | None = None
    segment_ids: tuple[int, ...] = ()
    ranks: tuple[Rank, ...] = ()
    #: In any of these customer groups (levels); `NO_GROUP` (0) = in none.
    level_ids: tuple[int, ...] = ()
    tag_ids: tuple[int, ...] = ()
    genders: tuple[Gender, ...] = ()
    sources: tuple[str, ...] = ()
    referrer_id: int | None = None
    last_order_from: date | None = None
    last_order_to: date | None = None
    created_from: date | None = None
    created_to: date | None = None
    five_plus_orders: bool = False
    created_this_month: bool = False
    female: bool = False
    gold_and_above: bool = False
    often_returns: bool = False
    #: Born in this (shop-local) month, whatever the year: the month's birthday greetings.
    birthday_this_month: bool = False
    #: Owes money for sales on account.
    owes_money: bool = False
    #: Leave out anonymous marketplace buyers (`anonymous_ids`).
    hide_anonymous: bool = False

    def is_empty(self) -> bool:
        return self == CustomerFilter()


def _month_start_utc(tz: tzinfo, now: datetime | None) -> datetime:
    local = (now or datetime.now(UTC)).astimezone(tz)
    first = datetime.combine(local.date().replace(day=1), time(), tzinfo=tz)
    return first.astimezone(UTC)


def _shop_clause(shop_ids: tuple[int, ...]) -> ColumnElement[bool]:
    """Customers with an order in any of these shops: the buyers of those shops are read
    once from `ix_orders_shop_id_customer_id` (index-only), then each customer of the
    walked sort index is looked up in that set. (A correlated EXISTS per customer, or the
    `channels` column tested first, costs 3–6× more at 100,000 customers.)"""
    ids = sorted({int(s) for s in shop_ids})
    return c.id.in_(sa.select(orders.c.customer_id).where(orders.c.shop_id.in_(ids)))


def _rank_clause(ranks: set[Rank]) -> ColumnElement[bool]:
    """Customers of these ranks. The sort indexes leave `rank` out (a rank recompute moving
    tens of thousands of customers then rewrites one small index entry each, not seven wide
    ones), so a page tests the walked sort index's ids against the set read once from
    `ix_customers_rank_live` (through another name for the table: the list's column hints
    leave the subquery alone); a count seeks that index instead (`_count_clause`)."""
    values: BindParameter[str] = sa.bindparam(
        _RANK_VALUES, sorted(r.value for r in ranks), expanding=True
    )
    return c.id.in_(sa.select(ranked.c.id).where(ranked.c.rank.in_(values)))


def _count_clause(clause: ColumnElement[bool]) -> ColumnElement[bool]:
    """Counting, the rank filter is `rank IN (…)`: a seek on `ix_customers_rank_live`
    (index-only when no other filter is set, else reading the rows of those ranks alone)
    instead of testing every customer of a sort index against the set of ids."""
    if isinstance(clause, BinaryExpression) and clause.left is c.id:
        for element in iterate(clause):
            if isinstance(element, BindParameter) and element.key == _RANK_VALUES:
                return c.rank.in_(list(element.value or ()))
    return clause


def _level_clause(level_ids: tuple[int, ...]) -> ColumnElement[bool]:
    """Customers in these groups (`NO_GROUP`: in none): like the rank filter, the ids are
    read once from `ix_customers_level_id` and the walked sort index tested against them."""
    ids = sorted({int(i) for i in level_ids} - {NO_GROUP})
    g = grouped.c
    wanted = [g.level_id.in_(ids)] if ids else []
    if NO_GROUP in level_ids:
        wanted.append(g.level_id.is_(None))
    return c.id.in_(sa.select(g.id).where(sa.or_(*wanted)))


def anonymous_ids() -> sa.Select[Any]:
    """Anonymous marketplace buyers: a masked name (a mask character anywhere in it, as
    Shopee/Lazada/TikTok hide buyers: "N*********m") and no phone at all. Nobody can call or
    recognise them; a buyer whose phone is known, or whose real name came later, stays. The
    set is read once from the name index (through another name for the table: the list's
    hints leave it alone) and the phone index."""
    a = anonymous.c
    has_phone = sa.exists().where(phones.c.customer_id == a.id)
    masked = sa.or_(*(a.name.contains(mask, autoescape=True) for mask in MASK_CHARS))
    return sa.select(a.id).where(masked, ~has_phone)


def _tagged(tag_ids: ColumnElement[bool]) -> ColumnElement[bool]:
    return c.id.in_(sa.select(customer_tags.c.customer_id).where(tag_ids))


# The rate range compares the rate as the list shows it, a whole percent (57 of 62 = 91.94%
# is "92%", so in "at least 92" and not in "at most 91"). The list rounds as Python
# formats a number: to the nearest, a half to the even one (62.5% → 62%, 87.5% → 88%).
# Written on whole numbers (200 × successful against (2n ± 1) × finished), so SQLite and
# PostgreSQL agree to the order and no division rounds differently on either.


def _shown_rate_at_least(n: int) -> ColumnElement[bool]:
    """Shown as n% or more: the rate is above n − ½ (at n − ½, rounded up to an even n)."""
    twice_rate, bound = c.successful_orders * 200, FINISHED_ORDERS * (2 * n - 1)
    return twice_rate >= bound if n % 2 == 0 else twice_rate > bound


def _shown_rate_at_most(n: int) -> ColumnElement[bool]:
    """Shown as n% or less: the rate is below n + ½ (at n + ½, rounded down to an even n)."""
    twice_rate, bound = c.successful_orders * 200, FINISHED_ORDERS * (2 * n + 1)
    return twice_rate <= bound if n % 2 == 0 else twice_rate < bound


def customer_filter_clauses(
    flt: CustomerFilter, tz: tzinfo, *, now: datetime | None = None
) -> list[ColumnElement[bool]]:
    """WHERE clauses of a filter on `customers` alone (deleted and merged-away customers
    always excluded). `now` (default: the clock) decides "created this month"."""
    out: list[ColumnElement[bool]] = [c.deleted_at.is_(None), c.merged_into_id.is_(None)]
    if flt.expenses_min is not None:
        out.append(c.total_expenses >= flt.expenses_min)
    if flt.expenses_max is not None:
        out.append(c.total_expenses <= flt.expenses_max)
    if flt.successful_min is not None:
        out.append(c.successful_orders >= flt.successful_min)
    if flt.successful_max is not None:
        out.append(c.successful_orders <= flt.successful_max)
    if flt.success_rate_min is not None or flt.success_rate_max is not None:
        out.append(FINISHED_ORDERS > 0)
        if flt.success_rate_min is not None:
            out.append(_shown_rate_at_least(math.ceil(flt.success_rate_min)))
        if flt.success_rate_max is not None:
            out.append(_shown_rate_at_most(math.floor(flt.success_rate_max)))
    if flt.five_plus_orders:
        out.append(c.total_orders >= MANY_ORDERS)
    ranks = set(flt.ranks)
    if flt.gold_and_above:
        ranks = (ranks & set(GOLD_AND_ABOVE)) if ranks else set(GOLD_AND_ABOVE)
        if not ranks:
            out.append(sa.false())
    genders = set(flt.genders)
    if flt.female:
        genders = {Gender.FEMALE} if not genders or Gender.FEMALE in genders else set()
        if not genders:
            out.append(sa.false())
    if genders:
        out.append(c.gender.in_(sorted(g.value for g in genders)))
    if flt.sources:
        out.append(c.source.in_(sorted(set(flt.sources))))
    if flt.referrer_id is not None:
        out.append(c.referrer_id.in_([flt.referrer_id]))
    if flt.last_order_from is not None:
        out.append(c.last_order_at >= local_day_bounds_utc(flt.last_order_from, tz)[0])
    if flt.last_order_to is not None:
        out.append(c.last_order_at < local_day_bounds_utc(flt.last_order_to, tz)[1])
    created_from = None
    if flt.created_from is not None:
        created_from = local_day_bounds_utc(flt.created_from, tz)[0]
    if flt.created_this_month:
        month = _month_start_utc(tz, now)
        created_from = month if created_from is None else max(created_from, month)
    if created_from is not None:
        out.append(c.created_at >= created_from)
    if flt.birthday_this_month:
        this_month = (now or datetime.now(UTC)).astimezone(tz).month
        out.append(month_text(c.birthday) == f"{this_month:02d}")
    if flt.created_to is not None:
        out.append(c.created_at < local_day_bounds_utc(flt.created_to, tz)[1])
    # The subquery filters last: SQLite tests the cheap comparisons first.
    if ranks:
        out.append(_rank_clause(ranks))
    if flt.level_ids:
        out.append(_level_clause(flt.level_ids))
    if flt.segment_ids:
        members = sa.select(segment_members.c.customer_id).where(
            segment_members.c.segment_id.in_(sorted(set(flt.segment_ids)))
        )
        out.append(c.id.in_(members))
    if flt.tag_ids:
        out.append(_tagged(customer_tags.c.tag_id.in_(sorted(set(flt.tag_ids)))))
    if flt.often_returns:
        often = sa.select(tags.c.id).where(tags.c.default_key == OFTEN_RETURNS_KEY)
        out.append(_tagged(customer_tags.c.tag_id == often.scalar_subquery()))
    if flt.shop_ids:
        out.append(_shop_clause(flt.shop_ids))
    if flt.owes_money:
        out.append(c.id.in_(debtor_ids()))
    if flt.hide_anonymous:
        out.append(c.id.not_in(anonymous_ids()))
    return out


def list_state(
    flt: CustomerFilter,
    tz: tzinfo,
    *,
    search: str = "",
    sort_key: str | None = None,
    descending: bool | None = None,
    now: datetime | None = None,
) -> QueryState:
    """The list query for a filter and the search text (sort: a key of SORT_KEYS)."""
    return QueryState(
        search=search,
        filters=tuple(customer_filter_clauses(flt, tz, now=now)),
        sort_key=sort_key,
        descending=descending,
    )


def source_names(conn: sa.Connection) -> list[str]:
    """The sources in use, by name: the source filter's choices."""
    stmt = sa.select(c.source).where(c.source.is_not(None)).group_by(c.source).order_by(c.source)
    return [str(s) for s in conn.execute(stmt).scalars() if s]


def segment_choices(conn: sa.Connection) -> list[tuple[int, str]]:
    """(id, name) of every segment, by name: the segment filter's choices."""
    stmt = sa.select(segments.c.id, segments.c.name).order_by(segments.c.name)
    return [(int(i), str(n)) for i, n in conn.execute(stmt)]


def tag_choices(conn: sa.Connection) -> list[tuple[int, str]]:
    """(id, name) of every tag, by name: the tag filter's choices."""
    stmt = sa.select(tags.c.id, tags.c.name).order_by(tags.c.name)
    return [(int(i), str(n)) for i, n in conn.execute(stmt)]


def level_choices(conn: sa.Connection) -> list[tuple[int, str]]:
    """(id, "name (CODE)") of every customer group in display order: the group filter's
    choices (without "no group"; the code tells apart groups of the same name)."""
    lv = levels.c
    stmt = sa.select(lv.id, lv.name, lv.code).order_by(lv.position, lv.id)
    return [(int(i), level_text(n, code)) for i, n, code in conn.execute(stmt)]


def level_text(name: str, code: str) -> str:
    """A group as "Khách sỉ (SI)"; "VIP" alone when its code only repeats its name."""
    return name if name.casefold() == code.casefold() else f"{name} ({code})"


def customer_id_by_code(conn: sa.Connection, code: str) -> int | None:
    """The id of the listed customer with this code (any case), None when there is none."""
    stmt = sa.select(c.id).where(
        c.code == code.strip().upper(), c.deleted_at.is_(None), c.merged_into_id.is_(None)
    )
    found = conn.execute(stmt).scalar()
    return None if found is None else int(found)


def with_columns(
    columns: tuple[Column, ...], name: str = "customers_export", default_sort: str = "created_at"
) -> QuerySpec:
    """CUSTOMERS_SPEC with other columns (same table, filters, search and sorts), in the
    order of `default_sort` (one of them: an export's is newest first)."""
    return dataclasses.replace(
        CUSTOMERS_SPEC, name=name, columns=columns, default_sort=default_sort
    )


def search_customers(conn: sa.Connection, text: str, *, limit: int = 50) -> list[tuple[Any, ...]]:
    """The newest `limit` customers matching `text` (folded name, phone, code, email)."""
    state = QueryState(search=text, filters=(c.deleted_at.is_(None),), sort_key="created_at")
    keys = fetch_keys(conn, CUSTOMERS_SPEC, state, after=None, limit=limit).keys
    rows = fetch_rows(conn, CUSTOMERS_SPEC, keys)
    return [rows[k] for k in keys if k in rows]
