"""A small hand-built shop for the dashboards' tests, with figures worked out by hand.

Range 2026-11-10 … 2026-11-16 (Vietnam time), previous period 2026-11-03 … 2026-11-09.
Times are given in Vietnam local time (UTC+7) and stored in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Channel, OrderStatus, ShopStatus
from primedist.domain.order import Order, OrderLine, compute_total
from primedist.domain.shop import Shop
from primedist.services.order_effects import orders_changed
from tests.factories import give_tokens, make_customers, make_product, make_shop

orders_t = table_of(Order)
lines_t = table_of(OrderLine)
shops_t = table_of(Shop)

VN = timezone(timedelta(hours=7))
FROM, TO = date(2026, 11, 10), date(2026, 11, 16)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@dataclass
class Shop2:
    a: int = 0  # Shopee, linked
    b: int = 0  # Lazada, not linked
    p1: int = 0  # variant ids
    p2: int = 0
    p3: int = 0
    products: dict[str, int] = field(default_factory=dict)
    customers: list[int] = field(default_factory=list)
    orders: dict[str, int] = field(default_factory=dict)


def add_order(
    conn: sa.Connection,
    shop_id: int,
    number: str,
    local: datetime,
    status: OrderStatus,
    *,
    customer_id: int | None = None,
    province: str | None = None,
    carrier: str | None = None,
    lines: list[tuple[int | None, int, int, int]] = (),  # type: ignore[assignment]
    total: int | None = None,
) -> int:
    """An order placed at `local` (Vietnam time) with lines (variant, qty, price, returned);
    its total = its lines' subtotal unless `total` is given (then the subtotal)."""
    subtotal = sum(q * p for _v, q, p, _r in lines) if total is None else total
    when = local.replace(tzinfo=VN).astimezone(UTC)
    oid = conn.execute(
        orders_t.insert().values(
            shop_id=shop_id,
            external_id=number,
            status=status.value,
            customer_id=customer_id,
            province_code=province,
            carrier=carrier,
            subtotal=subtotal,
            total=compute_total(subtotal=subtotal),
            item_count=sum(q for _v, q, _p, _r in lines),
            search_text=number.lower(),
            created_at=when,
            updated_at=when,
        )  # fmt: skip
    ).inserted_primary_key[0]
    for variant, qty, price, returned in lines:
        conn.execute(
            lines_t.insert().values(
                order_id=oid,
                variant_id=variant,
                product_name="x",
                quantity=qty,
                unit_price=price,
                discount=0,
                subtotal=qty * price,
                returned_quantity=returned,
            )  # fmt: skip
        )
    return int(oid)


def build(engine: Engine) -> Shop2:
    """The shop of the module docstring; every order written through `orders_changed`."""
    s = Shop2()
    s.a = make_shop(engine, "Shop A", Channel.SHOPEE)
    s.b = make_shop(engine, "Shop B", Channel.LAZADA)
    with engine.begin() as conn:
        conn.execute(
            shops_t.update().where(shops_t.c.id == s.b).values(status=ShopStatus.NOT_LINKED)
        )
    give_tokens(engine, s.a)  # Shop A was authorised
    s.p1 = make_product(engine, "Áo thun", [("P1", 50_000, 10)])[0]
    s.p2 = make_product(engine, "Quần jean", [("P2", 50_000, 10)])[0]
    s.p3 = make_product(engine, "Mũ lưỡi trai", [("P3", 20_000, 10)])[0]
    c1, c2, c3 = s.customers = make_customers(engine, 3)
    d = datetime
    st = OrderStatus
    with engine.begin() as conn:
        o = s.orders
        o["o1"] = add_order(
            conn,
            s.a,
            "O1",
            d(2026, 11, 10, 9),
            st.COMPLETED,
            customer_id=c1,
            province="01",
            carrier="GHN",
            lines=[(s.p1, 2, 50_000, 1)],
        )
        o["o2"] = add_order(
            conn,
            s.a,
            "O2",
            d(2026, 11, 12, 10),
            st.CANCELLED,
            customer_id=c1,
            province="01",
            carrier="GHN",
            lines=[(s.p2, 1, 70_000, 0)],
        )
        o["o3"] = add_order(
            conn,
            s.a,
            "O3",
            d(2026, 11, 16, 23, 30),
            st.COMPLETED,
            customer_id=c1,
            province="01",
            carrier="GHN",
            lines=[(s.p2, 4, 50_000, 0)],
        )
        o["o4"] = add_order(
            conn,
            s.a,
            "O4",
            d(2026, 11, 17, 0, 30),
            st.COMPLETED,
            customer_id=c1,
            lines=[(s.p3, 1, 999_000, 0)],
        )
        o["o5"] = add_order(
            conn,
            s.b,
            "O5",
            d(2026, 11, 10, 0, 30),
            st.RETURNED,
            customer_id=c2,
            province="79",
            lines=[(s.p1, 1, 50_000, 1)],
        )
        o["o6"] = add_order(
            conn,
            s.b,
            "O6",
            d(2026, 11, 9, 23, 30),
            st.COMPLETED,
            customer_id=c2,
            province="79",
            lines=[(s.p1, 1, 80_000, 0)],
        )
        o["o7"] = add_order(
            conn,
            s.b,
            "O7",
            d(2026, 11, 11, 12),
            st.PENDING,
            customer_id=c3,
            province="79",
            lines=[(s.p1, 1, 30_000, 0)],
        )
        o["o8"] = add_order(
            conn, s.a, "O8", d(2026, 11, 5, 8), st.COMPLETED, customer_id=c1, total=40_000
        )
        o["o9"] = add_order(
            conn,
            s.a,
            "O9",
            d(2026, 11, 14, 15),
            st.SHIPPING,
            province="48",
            carrier="SPX",
            lines=[(s.p1, 1, 60_000, 0)],
        )
        o["o10"] = add_order(conn, s.a, "O10", d(2026, 11, 13, 11), st.RETURN_REFUND,
                             customer_id=c2, total=25_000)  # fmt: skip
        orders_changed(conn, list(o.values()), now=NOW)
    return s
