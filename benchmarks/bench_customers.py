"""Customers-list benchmarks on 100,000 customers. Prints medians (n=7 by default).

    .venv/bin/python benchmarks/bench_customers.py [--reuse] [--runs 7] [--data-dir DIR]

Builds the store in `bench-data/customers/` with Core executemany (`--reuse` keeps one built
before): 5 shops, 100,000 customers (random ranks, genders, sources, statistics, channels,
30 % with a referrer, one primary phone each), 300,000 orders of 60,000 of them spread over
the shops (for the shop filter; 2 % of them on account, half of those partly paid: the
Owes column and filter), 2 tags on about 40,000 customers ("Often returns" on
10 %), 5 segments with about 25,000 members; the FTS index rebuilt once. Measures DB time
through the QuerySpec helpers, as the list model runs them:
  1. a first page (the first 100 keys + their rows) for every sort;      target <= 20 ms
  2. count + first page for every filter (and all of them at once), on the default sort
     and on the slowest other sort;                                       target <= 100 ms
  3. searches (name, phone, code): count + all keys + the first rows.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlalchemy as sa  # noqa: E402

from primedist.config import resolve_settings  # noqa: E402
from primedist.core.search_keys import search_text  # noqa: E402
from primedist.db.search import triggers_suspended  # noqa: E402
from primedist.db.store import open_store  # noqa: E402
from primedist.domain.base import table_of  # noqa: E402
from primedist.domain.customer import (  # noqa: E402
    Customer,
    CustomerPayment,
    CustomerPhone,
    CustomerTag,
    Segment,
    SegmentMember,
    Tag,
)
from primedist.domain.enums import Channel, Gender, OrderSource, OrderStatus, Rank  # noqa: E402
from primedist.domain.order import Order  # noqa: E402
from primedist.domain.shop import Shop  # noqa: E402
from primedist.queries.customers import (  # noqa: E402
    CUSTOMERS_SPEC,
    SORT_KEYS,
    CustomerFilter,
    list_state,
)
from primedist.queries.spec import QueryState, count_rows, fetch_keys, fetch_rows  # noqa: E402

N = 100_000
N_ORDERS = 300_000
BUYERS = 60_000
SEED = 5
#: Orders sold on account (the Owes column, the "Owes money" quick filter).
ON_ACCOUNT_SHARE = 0.02
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thu", "Hữu", "Đức", "Thanh", "Quốc", "Kim")
GIVEN = ("Hoa", "Lan", "Đạt", "Khoa", "Hà", "Tuấn", "Hùng", "Mai", "Linh", "Nam", "Phúc",
         "Trang", "Vy", "Quân", "Thảo", "Dũng", "Yến", "Sơn")  # fmt: skip
SOURCES = ("shopee", "lazada", "tiki", "walk_in", "referral", "import", None)
CHANNELS = ("shopee", "lazada", "tiki", "tiktok", "offline")


def build(engine: sa.Engine) -> None:
    rng = random.Random(SEED)
    t = {m: table_of(m) for m in (Customer, CustomerPhone, CustomerTag, Segment, SegmentMember,
                                   Tag, Order, Shop)}  # fmt: skip
    now = datetime(2026, 5, 20, 3, tzinfo=UTC)
    with engine.begin() as conn, triggers_suspended(conn, ["customers", "orders"]):
        shop_ids = [
            r[0]
            for r in conn.execute(
                sa.insert(t[Shop]).returning(t[Shop].c.id, sort_by_parameter_order=True),
                [{"name": f"Prime {c}", "channel": Channel(c), "created_at": now}
                 for c in CHANNELS],
            )
        ]  # fmt: skip
        shop_channel = dict(zip(shop_ids, CHANNELS, strict=True))
        buyers = rng.sample(range(1, N + 1), BUYERS)
        bought: dict[int, set[int]] = {}
        for _ in range(N_ORDERS):
            bought.setdefault(rng.choice(buyers), set()).add(rng.choice(shop_ids))
        rows, phones = [], []
        for i in range(1, N + 1):
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            code, phone = f"KH{i:06d}", f"09{i:08d}"
            total = rng.randint(1, 40) if i in bought else 0
            ok = rng.randint(0, total)
            cancelled = rng.randint(0, total - ok)
            returned = rng.randint(0, total - ok - cancelled)  # the rest still on the way
            created = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
            rows.append({
                "id": i, "code": code, "name": name,
                "gender": rng.choice(list(Gender)), "rank": rng.choice(list(Rank)),
                "source": rng.choice(SOURCES),
                "referrer_id": rng.randint(1, i - 1) if i > 1 and rng.random() < 0.3 else None,
                "total_orders": total, "successful_orders": ok,
                "cancelled_orders": cancelled, "returned_orders": returned,
                "birthday": date(rng.randint(1960, 2006), rng.randint(1, 12), rng.randint(1, 28))
                if rng.random() < 0.6 else None,
                "total_expenses": ok * rng.randint(50, 3_000) * 1_000,
                "points_balance": rng.randint(0, 5_000), "points_earned": rng.randint(0, 9_000),
                "last_order_at": created + timedelta(days=rng.randint(0, 300)) if total else None,
                "channels": ",".join(sorted({shop_channel[s] for s in bought.get(i, ())})),
                "search_text": search_text(name, code, phones=[phone]),
                "created_at": created, "updated_at": created,
            })  # fmt: skip
            phones.append({"customer_id": i, "phone": phone, "is_primary": True,
                           "created_at": created})  # fmt: skip
        conn.execute(sa.insert(t[Customer]), rows)
        conn.execute(sa.insert(t[CustomerPhone]), phones)
        orders, payments = [], []
        n = 0
        for cid, shops in bought.items():
            for sid in shops:
                n += 1
                when = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
                on_account = rng.random() < ON_ACCOUNT_SHARE
                if on_account and rng.random() < 0.5:  # half of them paid part of it
                    payments.append({"customer_id": cid, "amount": 40_000, "method": "cash",
                                     "paid_at": when, "cancelled_at": None})  # fmt: skip
                orders.append({
                    "shop_id": sid, "external_id": f"DH{n:09d}", "source": OrderSource.MARKETPLACE,
                    "status": OrderStatus.COMPLETED,
                    "payment_method": "on_account" if on_account else "cod", "customer_id": cid,
                    "buyer_name": "x", "item_count": 1, "subtotal": 100_000, "shipping_fee": 0,
                    "marketplace_discount": 0, "voucher_discount": 0, "seller_discount": 0,
                    "shop_promotion": 0, "points_discount": 0, "total": 100_000,
                    "commission": 5_000, "search_text": f"dh{n:09d}", "created_at": when,
                    "updated_at": when,
                })  # fmt: skip
        conn.execute(sa.insert(t[Order]), orders)
        conn.execute(sa.insert(table_of(CustomerPayment)), payments)
        tag_ids = [
            r[0]
            for r in conn.execute(
                sa.insert(t[Tag]).returning(t[Tag].c.id, sort_by_parameter_order=True),
                [{"name": n, "is_default": True, "created_at": now}
                 for n in ("Potential", "Often returns")],
            )
        ]  # fmt: skip
        tagged = [{"customer_id": c, "tag_id": tag_ids[0]} for c in rng.sample(range(1, N), 30_000)]
        tagged += [
            {"customer_id": c, "tag_id": tag_ids[1]} for c in rng.sample(range(1, N), 10_000)
        ]
        conn.execute(sa.insert(t[CustomerTag]), tagged)
        seg_ids = [
            r[0]
            for r in conn.execute(
                sa.insert(t[Segment]).returning(t[Segment].c.id, sort_by_parameter_order=True),
                [{"name": f"Segment {k}", "created_at": now} for k in range(5)],
            )
        ]
        members = [
            {"segment_id": s, "customer_id": c, "added_at": now}
            for s, size in zip(seg_ids, (15_000, 5_000, 3_000, 1_500, 500), strict=True)
            for c in rng.sample(range(1, N), size)
        ]
        conn.execute(sa.insert(t[SegmentMember]), members)


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def page(conn: sa.Connection, state: QueryState, *, count: bool) -> int:
    n = count_rows(conn, CUSTOMERS_SPEC, state) if count else 0
    keys = fetch_keys(conn, CUSTOMERS_SPEC, state, after=None, limit=100).keys
    fetch_rows(conn, CUSTOMERS_SPEC, keys)
    return n


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm
    return statistics.median(timed(fn) for _ in range(runs))


def filters(conn: sa.Connection) -> dict[str, CustomerFilter]:
    shops = [int(s) for s in conn.execute(sa.text("SELECT id FROM shops ORDER BY id")).scalars()]
    segs = [int(s) for s in conn.execute(sa.text("SELECT id FROM segments ORDER BY id")).scalars()]
    tags = [int(s) for s in conn.execute(sa.text("SELECT id FROM tags ORDER BY id")).scalars()]
    return {
        "shop (1 of 5)": CustomerFilter(shop_ids=(shops[2],)),
        "shops (2 of 5)": CustomerFilter(shop_ids=(shops[0], shops[1])),
        "total expenses range": CustomerFilter(expenses_min=5_000_000, expenses_max=20_000_000),
        "successful orders range": CustomerFilter(successful_min=10, successful_max=20),
        "success rate >= 80 %": CustomerFilter(success_rate_min=80),
        "segment (15,000)": CustomerFilter(segment_ids=(segs[0],)),
        "segment (500)": CustomerFilter(segment_ids=(segs[4],)),
        "rank silver": CustomerFilter(ranks=(Rank.SILVER,)),
        "tag (30,000)": CustomerFilter(tag_ids=(tags[0],)),
        "gender male": CustomerFilter(genders=(Gender.MALE,)),
        "source walk_in": CustomerFilter(sources=("walk_in",)),
        "referrer": CustomerFilter(referrer_id=1),
        "latest transaction in April 2026": CustomerFilter(
            last_order_from=date(2026, 4, 1), last_order_to=date(2026, 4, 30)
        ),
        "created in 2025": CustomerFilter(
            created_from=date(2025, 1, 1), created_to=date(2025, 12, 31)
        ),
        "quick: 5+ orders": CustomerFilter(five_plus_orders=True),
        "quick: created this month": CustomerFilter(created_this_month=True),
        "quick: birthday this month": CustomerFilter(birthday_this_month=True),
        "quick: female": CustomerFilter(female=True),
        "quick: Gold and above": CustomerFilter(gold_and_above=True),
        "quick: often returns": CustomerFilter(often_returns=True),
        "quick: owes money": CustomerFilter(owes_money=True),
        "all quick filters": CustomerFilter(
            five_plus_orders=True, female=True, gold_and_above=True, often_returns=True
        ),
        "shop + expenses + tag + female": CustomerFilter(
            shop_ids=(shops[0],), expenses_min=1_000_000, tag_ids=(tags[0],), female=True
        ),
    }


def bench(engine: sa.Engine, runs: int) -> None:
    worst: list[float] = []
    with engine.connect() as conn:
        print(f"1. first page (100 keys + rows), no filter, every sort (median of {runs}):")
        for key in SORT_KEYS:
            for desc in (True, False):
                state = list_state(CustomerFilter(), TZ, sort_key=key, descending=desc)
                ms = median_ms(lambda s=state: page(conn, s, count=False), runs)
                worst.append(ms)
                print(f"   {key:18} {'desc' if desc else 'asc ':4}  {ms:7.2f} ms")
        ms = median_ms(lambda: page(conn, list_state(CustomerFilter(), TZ), count=True), runs)
        print(f"   count + first page, no filter:   {ms:7.2f} ms   (target <= 20 ms)")
        print(f"2. count + first page per filter (median of {runs}); target <= 100 ms:")
        slowest = 0.0
        for fname, flt in filters(conn).items():
            cells = []
            for key in ("created_at", "name", "total_expenses"):
                state = list_state(flt, TZ, sort_key=key)
                n = page(conn, state, count=True)
                ms = median_ms(lambda s=state: page(conn, s, count=True), runs)
                slowest = max(slowest, ms)
                cells.append(f"{key} {ms:6.1f}")
            print(f"   {fname:34} {n:>7,}  " + "  ".join(cells) + " ms")
        print(f"   slowest filter: {slowest:.1f} ms; slowest unfiltered page: {max(worst):.2f} ms")
        print(f"3. search (count + all keys + first rows, median of {runs}):")
        for text in ("nguyen thi hoa", "dang", "0900012345", "+84 900 012 345", "kh000777"):
            state = list_state(CustomerFilter(), TZ, search=text)

            def run(s: QueryState = state) -> int:
                n = count_rows(conn, CUSTOMERS_SPEC, s)
                keys = list(fetch_keys(conn, CUSTOMERS_SPEC, s, after=None, limit=N).keys)
                fetch_rows(conn, CUSTOMERS_SPEC, keys[:100])
                return n

            n = run()
            print(f"   {text!r:20} {n:>7,} found  {median_ms(run, runs):7.2f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT / "bench-data" / "customers"))
    ap.add_argument("--reuse", action="store_true", help="keep a store built before")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    data_dir = Path(args.data_dir)
    if not (args.reuse and (data_dir / "primedist.db").exists()):
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        engine = open_store(resolve_settings(data_dir))
        t0 = time.perf_counter()
        build(engine)
        print(f"built the store in {time.perf_counter() - t0:.1f} s")
        engine.dispose()
    engine = open_store(resolve_settings(data_dir))
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM customers")).scalar_one()
        o = conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
    print(f"{n:,} customers, {o:,} orders")
    bench(engine, args.runs)
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
