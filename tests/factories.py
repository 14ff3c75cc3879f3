"""Believable rows for tests, inserted with SQLAlchemy Core executemany (no ORM).

Every helper returns the new primary keys in insertion order. Search text is filled the
way the services fill it (folded, phone variants included), so the FTS triggers index it
and searches behave as in the app.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.search_keys import search_text
from primedist.db.product_summary import refresh_product_summaries
from primedist.domain.customer import Customer, CustomerPhone
from primedist.domain.enums import Channel, OrderSource, OrderStatus, PaymentMethod, Rank
from primedist.domain.order import Order, compute_total
from primedist.domain.shop import Shop, ShopCredential
from primedist.queries.reports import refresh_summaries
from primedist.services.context import ServiceContext

shops_t = Shop.__table__  # type: ignore[attr-defined]
credentials_t = ShopCredential.__table__  # type: ignore[attr-defined]
customers_t = Customer.__table__  # type: ignore[attr-defined]
customer_phones_t = CustomerPhone.__table__  # type: ignore[attr-defined]
orders_t = Order.__table__  # type: ignore[attr-defined]

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Thị", "Văn", "Minh", "Ngọc", "Thanh", "Hữu", "Gia", "Quốc")
GIVEN = ("Anh", "Bình", "Châu", "Dung", "Giang", "Hải", "Hương", "Khoa", "Lan", "Phúc")


def vietnamese_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def mobile(i: int) -> str:
    """A valid, normalised Vietnamese mobile number (08x: never collides with 09x probes)."""
    return "08" + f"{(i * 7919 + 1_234_567) % 100_000_000:08d}"


def _next_id(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one())


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [r[0] for r in conn.execute(stmt, rows)]


def make_shop(engine: Engine, name: str, channel: Channel | str = Channel.SHOPEE) -> int:
    """One active shop; returns its id."""
    with engine.begin() as conn:
        return _insert(
            conn,
            shops_t,
            [
                {
                    "name": name,
                    "channel": Channel(channel),
                    "created_at": datetime.now().astimezone(),
                }
            ],
        )[0]


def give_tokens(engine: Engine, shop_id: int) -> None:
    """Make a shop linked as Home and Settings see it: it holds (dummy) tokens."""
    with engine.begin() as conn:
        conn.execute(
            sa.insert(credentials_t).values(shop_id=shop_id, access_token_enc="a",
                                            refresh_token_enc="r",
                                            updated_at=datetime.now().astimezone())
        )  # fmt: skip


def make_customers(
    engine: Engine,
    n: int,
    *,
    names: Sequence[str] | None = None,
    seed: int = 1,
    created_at: datetime | None = None,
) -> list[int]:
    """`n` customers with unique codes and one primary mobile each; returns their ids."""
    rng = random.Random(seed)
    when = created_at or datetime.now().astimezone()
    with engine.begin() as conn:
        base = _next_id(conn, customers_t)
        rows, phones = [], []
        for i in range(n):
            name = names[i % len(names)] if names else vietnamese_name(rng)
            code = f"KH{base + i + 1:06d}"
            phone = mobile(base + i + 1)
            phones.append(phone)
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "rank": rng.choice(list(Rank)),
                    "total_orders": 0,
                    "total_expenses": 0,
                    "search_text": search_text(name, code, phones=[phone]),
                    "created_at": when + timedelta(seconds=i),
                    "updated_at": when + timedelta(seconds=i),
                }
            )
        ids = _insert(conn, customers_t, rows)
        conn.execute(
            sa.insert(customer_phones_t),
            [
                {"customer_id": cid, "phone": p, "is_primary": True, "created_at": when}
                for cid, p in zip(ids, phones, strict=True)
            ],
        )
    return ids


def _money_parts(rng: random.Random, total: int | None) -> dict[str, int]:
    """Order money whose parts add up to the total (the table's CHECK)."""
    shipping = rng.choice((0, 15_000, 22_000, 30_000))
    voucher = rng.choice((0, 0, 10_000, 20_000))
    seller = rng.choice((0, 0, 0, 5_000))
    points = rng.choice((0, 0, 0, 1_000))
    if total is None:
        subtotal = rng.randrange(50, 3_000) * 1_000 + voucher + seller + points
    else:
        subtotal = total - shipping + voucher + seller + points
        if subtotal < 0:  # a tiny total: no extras
            shipping = voucher = seller = points = 0
            subtotal = total
    parts = {
        "subtotal": subtotal,
        "shipping_fee": shipping,
        "marketplace_discount": 0,
        "voucher_discount": voucher,
        "seller_discount": seller,
        "shop_promotion": 0,
        "points_discount": points,
    }
    parts["total"] = compute_total(**parts)
    parts["commission"] = parts["total"] // 20
    return parts


def make_orders(
    engine: Engine,
    shop_id: int,
    n: int,
    *,
    start: datetime,
    step: timedelta,
    customer_ids: Sequence[int | None] | None = None,
    buyer_names: Sequence[str] | None = None,
    buyer_phones: Sequence[str | None] | None = None,
    totals: Sequence[int] | None = None,
    seed: int = 2,
) -> list[int]:
    """`n` valid orders of a shop placed at start, start+step, ...; returns their ids.

    Names, phones and customer ids cycle when shorter than `n`; totals, when given, are
    taken one per order (the money parts are made to add up to each).
    """
    if totals is not None and len(totals) < n:
        raise ValueError("give one total per order")
    rng = random.Random(seed)
    # Marketplace orders: never on account (and the random draws stay as they were).
    statuses = list(OrderStatus)
    payments = [p for p in PaymentMethod if p != PaymentMethod.ON_ACCOUNT]
    with engine.begin() as conn:
        base = _next_id(conn, orders_t)
        rows = []
        for i in range(n):
            external_id = f"DH{shop_id:02d}{base + i + 1:08d}"
            name = buyer_names[i % len(buyer_names)] if buyer_names else vietnamese_name(rng)
            phone = buyer_phones[i % len(buyer_phones)] if buyer_phones else mobile(base + i)
            when = start + i * step
            status = rng.choice(statuses)
            rows.append(
                {
                    "shop_id": shop_id,
                    "external_id": external_id,
                    "source": OrderSource.MARKETPLACE,
                    "status": status,
                    "payment_method": rng.choice(payments),
                    "customer_id": customer_ids[i % len(customer_ids)] if customer_ids else None,
                    "buyer_name": name,
                    "buyer_phone": phone,
                    "ship_name": name,
                    "ship_phone": phone,
                    "item_count": rng.randint(1, 5),
                    **_money_parts(rng, None if totals is None else totals[i]),
                    "search_text": search_text(external_id, name, phones=[phone]),
                    "created_at": when,
                    "updated_at": when,
                    "completed_at": when + timedelta(days=3)
                    if status == OrderStatus.COMPLETED
                    else None,
                }
            )
        ids = _insert(conn, orders_t, rows)
        refresh_summaries(conn, ids)  # as every writer of orders does (order_effects)
        return ids


def shop_names_in_file(path: Path) -> set[str]:
    """Shop names stored in a database file (opened read-only, e.g. a backup)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM shops")}
    finally:
        conn.close()


def make_product(
    engine: Engine,
    name: str,
    variants: Sequence[tuple[str, int, int]],
    *,
    barcodes: Sequence[str | None] | None = None,
    sku_group_id: int | None = None,
) -> list[int]:
    """A product with variants given as (sku, price, stock); returns the variant ids."""
    from primedist.domain.product import Product, Variant

    products_t = Product.__table__  # type: ignore[attr-defined]
    variants_t = Variant.__table__  # type: ignore[attr-defined]
    now = datetime.now().astimezone()
    codes = [b for b in (barcodes or []) if b]
    with engine.begin() as conn:
        text = search_text(name, *(sku for sku, _p, _s in variants), *codes)
        product_id = _insert(
            conn,
            products_t,
            [{"name": name, "search_text": text, "created_at": now, "updated_at": now}],
        )[0]
        rows = [
            {
                "product_id": product_id,
                "sku": sku,
                "barcode": barcodes[i] if barcodes else None,
                "option1_name": "Size" if len(variants) > 1 else None,
                "option1": f"V{i + 1}" if len(variants) > 1 else None,
                "price": price,
                "stock": stock,
                "sku_group_id": sku_group_id,
                "created_at": now,
                "updated_at": now,
            }
            for i, (sku, price, stock) in enumerate(variants)
        ]
        ids = _insert(conn, variants_t, rows)
        refresh_product_summaries(conn, [product_id])
        return ids


def make_grouped_pair(engine: Engine, stock: int = 4) -> tuple[int, int, int]:
    """One cap sold as two listings (MU-A, MU-B) whose stock is held by SKU group PS1:
    returns (group id, variant A, variant B)."""
    from primedist.domain.product import SkuGroup

    with engine.begin() as conn:
        group_id = conn.execute(
            sa.insert(SkuGroup).values(
                code="PS1", name="Mũ", stock=stock, created_at=sa.func.now()
            )  # fmt: skip
        ).inserted_primary_key[0]  # type: ignore[index]
    a = make_product(engine, "Mũ lưỡi trai A", [("MU-A", 50_000, 0)], sku_group_id=group_id)[0]
    b = make_product(engine, "Mũ lưỡi trai B", [("MU-B", 50_000, 0)], sku_group_id=group_id)[0]
    return int(group_id), a, b


def make_catalogue_product(
    engine: Engine,
    name: str,
    variants: Sequence[tuple[str, int, int | None, int]],
    *,
    shop_ids: Sequence[int] = (),
    status: str = "active",
    category: str | None = None,
    created_at: datetime | None = None,
    barcodes: Sequence[str | None] | None = None,
    images: Sequence[tuple[str, str | None]] = (),
    low_stock_level: int | None = None,
    reserved: int = 0,
) -> int:
    """A product for list tests: variants as (sku, price, discount price or None, stock),
    listed on `shop_ids`, with image rows (path, thumb path) in position order; every
    variant gets `low_stock_level` and `reserved`. Summaries are refreshed. Returns the
    product id."""
    from primedist.domain.product import Product, ProductImage, ProductListing, Variant

    products_t = Product.__table__  # type: ignore[attr-defined]
    variants_t = Variant.__table__  # type: ignore[attr-defined]
    listings_t = ProductListing.__table__  # type: ignore[attr-defined]
    images_t = ProductImage.__table__  # type: ignore[attr-defined]
    when = created_at or datetime.now().astimezone()
    codes = [b for b in (barcodes or []) if b]
    with engine.begin() as conn:
        text = search_text(name, *(sku for sku, *_rest in variants), *codes)
        product_id = _insert(
            conn,
            products_t,
            [{"name": name, "category": category, "status": status, "search_text": text,
              "created_at": when, "updated_at": when}],
        )[0]  # fmt: skip
        _insert(
            conn,
            variants_t,
            [
                {"product_id": product_id, "sku": sku,
                 "barcode": barcodes[i] if barcodes else None, "price": price,
                 "discount_price": discount, "stock": stock, "reserved": reserved,
                 "low_stock_level": low_stock_level, "created_at": when, "updated_at": when}
                for i, (sku, price, discount, stock) in enumerate(variants)
            ],
        )  # fmt: skip
        _insert(
            conn,
            listings_t,
            [{"product_id": product_id, "shop_id": s, "is_active": True} for s in shop_ids],
        )
        _insert(
            conn,
            images_t,
            [{"product_id": product_id, "path": path, "thumb_path": thumb, "position": i}
             for i, (path, thumb) in enumerate(images)],
        )  # fmt: skip
        refresh_product_summaries(conn, [product_id])
    return product_id


def mug_and_plate_sale(engine: Engine) -> tuple[Any, int, int]:
    """A counter sale paid in cash, 2 mugs (45.000 ₫, 9 in stock) + 1 plate (60.000 ₫, 5):
    the draft (not saved) and the two variant ids."""
    from primedist.domain.enums import OrderSource, PaymentMethod
    from primedist.services.orders import DraftLine, OrderDraft

    mug, plate = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 9), ("DIA-1", 60_000, 5)])
    draft = OrderDraft(lines=(DraftLine(mug, 2), DraftLine(plate, 1)),
                       source=OrderSource.COUNTER, payment_method=PaymentMethod.CASH)  # fmt: skip
    return draft, mug, plate


def add_product(ctx: Any, name: str, variants: Sequence[Any]) -> int:
    """A product made through the product form's service (`create_product`): `variants`
    are VariantDrafts, with a Size attribute when there are several; on no shop."""
    from primedist.services.catalogue import ProductDraft, create_product

    draft = ProductDraft(name=name, category=None, features=None, description=None,
                         option1_name="Size" if len(variants) > 1 else None, option2_name=None,
                         variants=list(variants), shop_ids=[], images=[])  # fmt: skip
    return int(create_product(ctx, draft))


def linked_sandbox_shop(ctx: ServiceContext, sandbox: Any, name: str = "Shopee Sandbox") -> int:
    """A Shopee shop of the app with the demo partner, authorised on the running Shopee
    `sandbox` over HTTP (its tokens stored encrypted as for a real shop); returns its id."""
    from primedist.sandbox.shopee import DEMO_PARTNER_ID, DEMO_PARTNER_KEY, DEMO_SHOP_ID
    from primedist.services import channels

    shop_id = channels.add_shopee_shop(
        ctx, name=name, partner_id=DEMO_PARTNER_ID, partner_key=DEMO_PARTNER_KEY,
        api_host=sandbox.url,
    )  # fmt: skip
    channels.authorize_shop(ctx, shop_id, sandbox.authorize(), DEMO_SHOP_ID)
    return shop_id
