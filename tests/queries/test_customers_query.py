"""The Customers list query: filters, quick filters, sorts, folded search, row cells and
query plans, on a real migrated database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.search_keys import search_text
from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerTag, Segment, SegmentMember, Tag
from primedist.domain.enums import Gender, Rank
from primedist.queries import customers as q
from primedist.queries.customers import CUSTOMERS_SPEC, CustomerFilter, list_state
from primedist.queries.spec import (
    QueryState,
    count_rows,
    count_stmt,
    fetch_keys,
    fetch_rows,
    keys_stmt,
)
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels as levels_svc
from tests.factories import make_customers, make_orders, make_shop

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 5, 20, 5, 0, tzinfo=UTC)
PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"

customers_t = table_of(Customer)

#: name: (rank, gender, total_orders, successful, expenses, channels, source, created, last)
PEOPLE: dict[str, tuple[Any, ...]] = {
    "Nguyễn Thị Hoa": (Rank.GOLD, Gender.FEMALE, 8, 6, 4_000_000, "shopee", "shopee",
                       datetime(2026, 5, 2, 3, tzinfo=UTC), datetime(2026, 5, 18, tzinfo=UTC)),
    "Đặng Văn Đạt": (Rank.COPPER, Gender.MALE, 2, 1, 300_000, "lazada", "walk_in",
                     datetime(2026, 4, 30, 18, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
    "Trần Minh Khoa": (Rank.DIAMOND, Gender.MALE, 12, 12, 9_500_000, "shopee,tiki", "referral",
                       datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 5, 19, tzinfo=UTC)),
    "Lê Thu Hà": (Rank.SILVER, Gender.FEMALE, 5, 2, 1_200_000, "offline", "walk_in",
                  datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC)),
    "Phạm Lan": (Rank.COPPER, Gender.UNKNOWN, 0, 0, 0, "", "import",
                 datetime(2026, 5, 10, tzinfo=UTC), None),
}  # fmt: skip
#: Orders still on their way (neither a success nor a failure); the rest failed (cancelled).
PENDING = {"Lê Thu Hà": 1}
#: Birthdays (Hà's is not known).
BIRTHDAYS = {"Nguyễn Thị Hoa": date(1990, 5, 15), "Đặng Văn Đạt": date(1985, 5, 31),
             "Trần Minh Khoa": date(1992, 6, 1), "Phạm Lan": date(2000, 4, 30)}  # fmt: skip


@dataclass
class Book:
    engine: Engine
    ids: dict[str, int]
    shopee: int
    lazada: int
    tiki: int
    vip: int
    often: int
    potential: int

    def all_keys(self, state: QueryState) -> list[int]:
        with self.engine.connect() as conn:
            out: list[int] = []
            after = None
            while True:
                page = fetch_keys(conn, CUSTOMERS_SPEC, state, after=after, limit=2)
                if not page.keys:
                    return out
                out += page.keys
                after = page.after

    def names(
        self,
        flt: CustomerFilter = CustomerFilter(),  # noqa: B008
        now: datetime = NOW,
        **kw: Any,
    ) -> set[str]:
        by_id = {v: k for k, v in self.ids.items()}
        state = list_state(flt, TZ, now=now, **kw)
        keys = self.all_keys(state)
        with self.engine.connect() as conn:
            assert count_rows(conn, CUSTOMERS_SPEC, state) == len(keys)
        assert len(keys) == len(set(keys))
        return {by_id[k] for k in keys}

    def ordered(self, sort_key: str, descending: bool) -> list[str]:
        by_id = {v: k for k, v in self.ids.items()}
        state = list_state(CustomerFilter(), TZ, sort_key=sort_key, descending=descending)
        return [by_id[k] for k in self.all_keys(state)]


@pytest.fixture
def book(engine: Engine) -> Book:
    shopee = make_shop(engine, "Prime Shopee", "shopee")
    lazada = make_shop(engine, "Prime Lazada", "lazada")
    tiki = make_shop(engine, "Prime Tiki", "tiki")
    names = list(PEOPLE)
    ids = dict(zip(names, make_customers(engine, len(names), names=names), strict=True))
    with engine.begin() as conn:
        for i, (name, row) in enumerate(PEOPLE.items()):
            rank, gender, total, ok, spent, channels, source, created, last = row
            code = f"KH{ids[name]:06d}"
            phone = f"09{i}1234567"
            conn.execute(
                sa.update(customers_t)
                .where(customers_t.c.id == ids[name])
                .values(
                    rank=rank, gender=gender, total_orders=total, successful_orders=ok,
                    cancelled_orders=total - ok - PENDING.get(name, 0), total_expenses=spent,
                    channels=channels, source=source, created_at=created, last_order_at=last,
                    points_balance=i * 10, points_earned=i * 15, birthday=BIRTHDAYS.get(name),
                    email=f"p{i}@mail.vn" if i == 2 else None,
                    search_text=search_text(
                        name, code, f"p{i}@mail.vn" if i == 2 else None, phones=[phone]
                    ),
                )
            )  # fmt: skip
            conn.execute(
                sa.text("UPDATE customer_phones SET phone = :p WHERE customer_id = :c"),
                {"p": phone, "c": ids[name]},
            )
        conn.execute(
            sa.update(customers_t)
            .where(customers_t.c.id == ids["Đặng Văn Đạt"])
            .values(referrer_id=ids["Trần Minh Khoa"])
        )
        seg = table_of(Segment)
        vip = conn.execute(sa.insert(seg).values(name="VIP", created_at=NOW)).inserted_primary_key
        tag_t = table_of(Tag)
        often = conn.execute(
            # The quick filter finds its default tag by key, whatever it is called.
            sa.insert(tag_t).values(
                name="Hay hoàn hàng", is_default=True, default_key="often_returns", created_at=NOW
            )
        ).inserted_primary_key
        potential = conn.execute(
            sa.insert(tag_t).values(
                name="Potential", is_default=True, default_key="potential", created_at=NOW
            )
        ).inserted_primary_key
        conn.execute(
            sa.insert(table_of(SegmentMember)),
            [
                {"segment_id": vip[0], "customer_id": ids[n], "added_at": NOW}
                for n in ("Nguyễn Thị Hoa", "Trần Minh Khoa")
            ],
        )
        conn.execute(
            sa.insert(table_of(CustomerTag)),
            [
                {"tag_id": often[0], "customer_id": ids["Lê Thu Hà"]},
                {"tag_id": potential[0], "customer_id": ids["Nguyễn Thị Hoa"]},
                {"tag_id": often[0], "customer_id": ids["Nguyễn Thị Hoa"]},
            ],
        )
    start = datetime(2026, 5, 1, tzinfo=UTC)
    make_orders(engine, shopee, 2, start=start, step=timedelta(hours=1),
                customer_ids=[ids["Nguyễn Thị Hoa"], ids["Trần Minh Khoa"]])  # fmt: skip
    make_orders(engine, lazada, 1, start=start, step=timedelta(hours=1),
                customer_ids=[ids["Đặng Văn Đạt"]])  # fmt: skip
    make_orders(engine, tiki, 1, start=start, step=timedelta(hours=1),
                customer_ids=[ids["Trần Minh Khoa"]])  # fmt: skip
    return Book(engine, ids, shopee, lazada, tiki, vip[0], often[0], potential[0])


ALL = set(PEOPLE)


def test_no_filter_lists_everyone_but_deleted_and_merged(book: Book) -> None:
    assert book.names() == ALL
    with book.engine.begin() as conn:
        conn.execute(
            sa.update(customers_t)
            .where(customers_t.c.id == book.ids["Phạm Lan"])
            .values(deleted_at=NOW)
        )
        conn.execute(
            sa.update(customers_t)
            .where(customers_t.c.id == book.ids["Lê Thu Hà"])
            .values(merged_into_id=book.ids["Nguyễn Thị Hoa"])
        )
    assert book.names() == ALL - {"Phạm Lan", "Lê Thu Hà"}


def test_range_filters(book: Book) -> None:
    assert book.names(CustomerFilter(expenses_min=1_200_000)) == {
        "Nguyễn Thị Hoa", "Trần Minh Khoa", "Lê Thu Hà"
    }  # fmt: skip
    assert book.names(CustomerFilter(expenses_min=300_000, expenses_max=1_200_000)) == {
        "Đặng Văn Đạt", "Lê Thu Hà"
    }  # fmt: skip
    assert book.names(CustomerFilter(successful_min=6, successful_max=6)) == {"Nguyễn Thị Hoa"}
    # Rate = successful ÷ finished: Hoa 75 %, Đạt 50 %, Khoa 100 %, Hà 50 % (2 of the 4
    # finished; her fifth order is on its way, not a failure); Lan has no orders: never in a
    # range.
    assert book.names(CustomerFilter(success_rate_min=50)) == {
        "Nguyễn Thị Hoa", "Đặng Văn Đạt", "Trần Minh Khoa", "Lê Thu Hà"
    }  # fmt: skip
    assert book.names(CustomerFilter(success_rate_min=60)) == {"Nguyễn Thị Hoa", "Trần Minh Khoa"}
    assert book.names(CustomerFilter(success_rate_max=50)) == {"Đặng Văn Đạt", "Lê Thu Hà"}
    assert book.names(CustomerFilter(success_rate_min=0, success_rate_max=100)) == ALL - {
        "Phạm Lan"
    }


def test_group_filter_and_column(book: Book, owner_ctx: ServiceContext) -> None:
    wholesale = levels_svc.save_level(owner_ctx, name="Khách sỉ", code="SI")
    vip = levels_svc.save_level(owner_ctx, name="VIP", code="VIP")
    levels_svc.set_customers_level(owner_ctx, wholesale, [book.ids["Lê Thu Hà"],
                                                          book.ids["Phạm Lan"]])  # fmt: skip
    levels_svc.set_customers_level(owner_ctx, vip, [book.ids["Trần Minh Khoa"]])
    assert book.names(CustomerFilter(level_ids=(wholesale,))) == {"Lê Thu Hà", "Phạm Lan"}
    assert book.names(CustomerFilter(level_ids=(wholesale, vip))) == {
        "Lê Thu Hà", "Phạm Lan", "Trần Minh Khoa"}  # fmt: skip
    assert book.names(CustomerFilter(level_ids=(q.NO_GROUP,))) == {
        "Nguyễn Thị Hoa", "Đặng Văn Đạt"}  # fmt: skip
    assert book.names(CustomerFilter(level_ids=(q.NO_GROUP, vip), ranks=(Rank.COPPER,))) == {
        "Đặng Văn Đạt"}  # fmt: skip
    with book.engine.connect() as conn:
        assert q.level_choices(conn) == [(wholesale, "Khách sỉ (SI)"), (vip, "VIP")]
        state = list_state(CustomerFilter(), TZ, now=NOW)
        keys = book.all_keys(state)
        rows = fetch_rows(conn, CUSTOMERS_SPEC, keys)
    col = [c.key for c in CUSTOMERS_SPEC.columns].index("level")
    shown = {book_name: rows[cid][col] for book_name, cid in book.ids.items()}
    assert shown == {"Nguyễn Thị Hoa": None, "Đặng Văn Đạt": None, "Trần Minh Khoa": "VIP",
                     "Lê Thu Hà": "Khách sỉ", "Phạm Lan": "Khách sỉ"}  # fmt: skip


def test_choice_filters(book: Book) -> None:
    assert book.names(CustomerFilter(ranks=(Rank.COPPER,))) == {"Đặng Văn Đạt", "Phạm Lan"}
    assert book.names(CustomerFilter(genders=(Gender.FEMALE, Gender.UNKNOWN))) == {
        "Nguyễn Thị Hoa", "Lê Thu Hà", "Phạm Lan"
    }  # fmt: skip
    assert book.names(CustomerFilter(sources=("walk_in",))) == {"Đặng Văn Đạt", "Lê Thu Hà"}
    assert book.names(CustomerFilter(referrer_id=book.ids["Trần Minh Khoa"])) == {"Đặng Văn Đạt"}
    assert book.names(CustomerFilter(segment_ids=(book.vip,))) == {
        "Nguyễn Thị Hoa", "Trần Minh Khoa"
    }  # fmt: skip
    assert book.names(CustomerFilter(tag_ids=(book.often,))) == {"Nguyễn Thị Hoa", "Lê Thu Hà"}
    assert book.names(CustomerFilter(tag_ids=(book.potential, book.often))) == {
        "Nguyễn Thị Hoa", "Lê Thu Hà"
    }  # fmt: skip
    # Chips AND together.
    assert book.names(CustomerFilter(tag_ids=(book.often,), segment_ids=(book.vip,))) == {
        "Nguyễn Thị Hoa"
    }


def test_shop_filter_means_an_order_in_those_shops(book: Book) -> None:
    assert book.names(CustomerFilter(shop_ids=(book.shopee,))) == {
        "Nguyễn Thị Hoa", "Trần Minh Khoa"
    }  # fmt: skip
    assert book.names(CustomerFilter(shop_ids=(book.tiki,))) == {"Trần Minh Khoa"}
    assert book.names(CustomerFilter(shop_ids=(book.lazada, book.tiki))) == {
        "Đặng Văn Đạt", "Trần Minh Khoa"
    }  # fmt: skip
    # A second Shopee shop nobody bought in: the channel alone is not enough.
    other = make_shop(book.engine, "Second Shopee", "shopee")
    assert book.names(CustomerFilter(shop_ids=(other,))) == set()


def test_date_filters_are_shop_local_days(book: Book) -> None:
    # Đạt was created 2026-04-30 18:00 UTC = 2026-05-01 01:00 in Vietnam.
    assert book.names(CustomerFilter(created_from=date(2026, 5, 1))) == {
        "Nguyễn Thị Hoa", "Đặng Văn Đạt", "Phạm Lan"
    }  # fmt: skip
    assert book.names(CustomerFilter(created_to=date(2026, 4, 30))) == {
        "Trần Minh Khoa", "Lê Thu Hà"
    }  # fmt: skip
    assert book.names(
        CustomerFilter(last_order_from=date(2026, 4, 1), last_order_to=date(2026, 5, 18))
    ) == {"Nguyễn Thị Hoa", "Đặng Văn Đạt"}


def test_quick_filters(book: Book) -> None:
    assert book.names(CustomerFilter(five_plus_orders=True)) == {
        "Nguyễn Thị Hoa", "Trần Minh Khoa", "Lê Thu Hà"
    }  # fmt: skip
    assert book.names(CustomerFilter(created_this_month=True)) == {
        "Nguyễn Thị Hoa", "Đặng Văn Đạt", "Phạm Lan"
    }  # fmt: skip
    assert book.names(CustomerFilter(female=True)) == {"Nguyễn Thị Hoa", "Lê Thu Hà"}
    assert book.names(CustomerFilter(gold_and_above=True)) == {"Nguyễn Thị Hoa", "Trần Minh Khoa"}
    assert book.names(CustomerFilter(often_returns=True)) == {"Nguyễn Thị Hoa", "Lê Thu Hà"}
    # Born in May, whatever the year (NOW is 20 May); the month is the shop's: 18:00 UTC on
    # 31 May is already 1 June in Vietnam.
    birthdays = CustomerFilter(birthday_this_month=True)
    assert book.names(birthdays) == {"Nguyễn Thị Hoa", "Đặng Văn Đạt"}
    assert book.names(birthdays, now=datetime(2026, 5, 31, 18, tzinfo=UTC)) == {"Trần Minh Khoa"}
    assert book.names(CustomerFilter(birthday_this_month=True, genders=(Gender.MALE,))) == {
        "Đặng Văn Đạt"
    }
    # Combined with each other and with chips (AND; a quick filter narrows a chip).
    assert book.names(CustomerFilter(female=True, five_plus_orders=True, often_returns=True)) == {
        "Nguyễn Thị Hoa", "Lê Thu Hà"
    }  # fmt: skip
    assert book.names(CustomerFilter(female=True, genders=(Gender.MALE,))) == set()
    assert book.names(CustomerFilter(gold_and_above=True, ranks=(Rank.DIAMOND, Rank.COPPER))) == {
        "Trần Minh Khoa"
    }
    assert book.names(CustomerFilter(created_this_month=True, created_from=date(2026, 5, 5))) == {
        "Phạm Lan"
    }


def test_sorts(book: Book) -> None:
    assert book.ordered("total_expenses", True) == [
        "Trần Minh Khoa", "Nguyễn Thị Hoa", "Lê Thu Hà", "Đặng Văn Đạt", "Phạm Lan"
    ]  # fmt: skip
    assert book.ordered("total_orders", False)[0] == "Phạm Lan"
    assert book.ordered("successful_orders", True)[:2] == ["Trần Minh Khoa", "Nguyễn Thị Hoa"]
    assert book.ordered("created_at", True) == [
        "Phạm Lan", "Nguyễn Thị Hoa", "Đặng Văn Đạt", "Trần Minh Khoa", "Lê Thu Hà"
    ]  # fmt: skip
    assert book.ordered("points", True)[0] == "Phạm Lan"
    assert book.ordered("name", False)[0] == "Lê Thu Hà"
    # Latest purchase first, those who never bought last (paged 2 at a time across them).
    assert book.ordered("last_order_at", True) == [
        "Trần Minh Khoa", "Nguyễn Thị Hoa", "Đặng Văn Đạt", "Lê Thu Hà", "Phạm Lan"
    ]  # fmt: skip
    assert book.ordered("last_order_at", False)[0] == "Phạm Lan"
    assert set(q.SORT_KEYS) == {
        "name", "total_expenses", "successful_orders", "total_orders", "points", "created_at",
        "last_order_at",
    }  # fmt: skip


def test_the_list_opens_on_the_latest_buyers(book: Book) -> None:
    """Not on the newest customers (marketplace buyers who have not bought anything yet)."""
    by_id = {v: k for k, v in book.ids.items()}
    keys = book.all_keys(list_state(CustomerFilter(), TZ))
    assert [by_id[k] for k in keys][:2] == ["Trần Minh Khoa", "Nguyễn Thị Hoa"]


def test_hide_anonymous_marketplace_buyers(book: Book, engine: Engine) -> None:
    """Anonymous = a masked name (*, • or ●) and no phone at all; a masked name with a
    phone, or a real name without one, stays."""
    names = ["N*************m", "T••••h", "H**g có số", "Khách không số"]
    extra = dict(zip(names, make_customers(engine, len(names), names=names), strict=True))
    phones = sa.text("DELETE FROM customer_phones WHERE customer_id = :c")
    with engine.begin() as conn:
        for name in ("N*************m", "T••••h", "Khách không số"):
            conn.execute(phones, {"c": extra[name]})
    book.ids.update(extra)
    everyone = set(book.ids)
    assert book.names(CustomerFilter()) == everyone
    assert book.names(CustomerFilter(hide_anonymous=True)) == everyone - {
        "N*************m", "T••••h"
    }  # fmt: skip
    assert book.names(CustomerFilter(hide_anonymous=True, female=True)) == {
        "Nguyễn Thị Hoa", "Lê Thu Hà"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("nguyen thi hoa", "Nguyễn Thị Hoa"),
        ("dang", "Đặng Văn Đạt"),
        ("ĐẠT", "Đặng Văn Đạt"),
        ("0911234567", "Đặng Văn Đạt"),
        ("+84 911 234 567", "Đặng Văn Đạt"),
        ("091 123 4567", "Đặng Văn Đạt"),
        ("p2@mail.vn", "Trần Minh Khoa"),
    ],
)
def test_search_folds_name_phone_email(book: Book, text: str, who: str) -> None:
    assert book.names(search=text) == {who}


@pytest.mark.parametrize(
    "text",
    ["0911 234", "0911.234", "091-123-4", "(091) 123", "+84 911 234", "(+84) 911-234",
     "+84 (0) 911 234", "0084 911 234", "84 911 234", "+849 1123"],
)  # fmt: skip
def test_search_finds_the_start_of_a_phone_typed_with_separators(book: Book, text: str) -> None:
    # Đặng Văn Đạt's phone is 0911234567; the others' are 09i1234567.
    assert book.names(search=text) == {"Đặng Văn Đạt"}


def test_search_of_a_phone_start_still_finds_words_as_typed(book: Book) -> None:
    """Digits with separators are also searched as the words typed (a SKU `100-200`, an
    order number), and fewer than four digits are never taken for a phone."""
    with book.engine.begin() as conn:
        conn.execute(customers_t.update().where(customers_t.c.id == book.ids["Phạm Lan"])
                     .values(search_text="pham lan 100-200"))  # fmt: skip
    assert book.names(search="100-200") == {"Phạm Lan"}
    assert book.names(search="200 100") == {"Phạm Lan"}
    assert book.names(search="09 1") == set()  # "1" starts no word


def test_search_by_code(book: Book) -> None:
    code = f"KH{book.ids['Lê Thu Hà']:06d}"
    assert book.names(search=code.lower()) == {"Lê Thu Hà"}
    assert book.names(CustomerFilter(female=True), search="tran") == set()


def test_row_cells(book: Book) -> None:
    cols = [col.key for col in CUSTOMERS_SPEC.columns]
    with book.engine.connect() as conn:
        rows = fetch_rows(conn, CUSTOMERS_SPEC, list(book.ids.values()))
    hoa = dict(zip(cols, rows[book.ids["Nguyễn Thị Hoa"]], strict=True))
    assert hoa["name"] == "Nguyễn Thị Hoa" and hoa["rank"] == "gold"
    assert hoa["phone"] == "0901234567"
    assert hoa["segments"] == "VIP"
    assert set(hoa["tags"].split(", ")) == {"Hay hoàn hàng", "Potential"}
    assert float(hoa["success_rate"]) == pytest.approx(75.0)
    assert hoa["code"] == f"KH{book.ids['Nguyễn Thị Hoa']:06d}"
    dat = dict(zip(cols, rows[book.ids["Đặng Văn Đạt"]], strict=True))
    assert dat["referrer"] == "Trần Minh Khoa"
    assert (dat["points"], dat["points_earned"]) == (10, 15)
    lan = dict(zip(cols, rows[book.ids["Phạm Lan"]], strict=True))
    assert lan["success_rate"] is None and lan["segments"] is None and lan["tags"] is None


def test_what_a_customer_owes_and_the_owes_money_filter(book: Book) -> None:
    """Sales on account (not cancelled) less payments (not cancelled): the Owes column,
    and the quick filter of those who owe something."""
    from primedist.domain.customer import CustomerPayment
    from primedist.domain.order import Order

    orders, payments = table_of(Order), table_of(CustomerPayment)
    hoa, khoa = book.ids["Nguyễn Thị Hoa"], book.ids["Trần Minh Khoa"]
    sold = make_orders(
        book.engine,
        book.shopee,
        3,
        start=NOW,
        step=timedelta(hours=1),
        customer_ids=[hoa, hoa, khoa],
        totals=[300_000, 200_000, 90_000],
    )
    with book.engine.begin() as conn:
        conn.execute(
            orders.update()
            .where(orders.c.id.in_(sold))
            .values(payment_method="on_account", status="completed", refunded_amount=0)
        )
        conn.execute(orders.update().where(orders.c.id == sold[1]).values(refunded_amount=50_000))
        conn.execute(orders.update().where(orders.c.id == sold[2]).values(status="cancelled"))
        conn.execute(payments.insert(), [
            {"customer_id": hoa, "amount": 100_000, "method": "cash", "paid_at": NOW,
             "cancelled_at": None},
            {"customer_id": hoa, "amount": 7_000, "method": "cash", "paid_at": NOW,
             "cancelled_at": NOW},
        ])  # fmt: skip

    def owes() -> dict[str, int]:
        cols = [col.key for col in CUSTOMERS_SPEC.columns]
        with book.engine.connect() as conn:
            rows = fetch_rows(conn, CUSTOMERS_SPEC, list(book.ids.values()))
        return {name: int(dict(zip(cols, rows[i], strict=True))["owes"])
                for name, i in book.ids.items()}  # fmt: skip

    assert owes() == {**dict.fromkeys(PEOPLE, 0), "Nguyễn Thị Hoa": 350_000}
    assert book.names(CustomerFilter(owes_money=True)) == {"Nguyễn Thị Hoa"}
    assert book.names(CustomerFilter(owes_money=True, genders=(Gender.MALE,))) == set()
    with book.engine.begin() as conn:
        conn.execute(payments.insert().values(customer_id=hoa, amount=350_000, method="cash",
                                              paid_at=NOW))  # fmt: skip
    assert owes()["Nguyễn Thị Hoa"] == 0
    assert book.names(CustomerFilter(owes_money=True)) == set()


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_who_owes_reads_the_partial_index_of_sales_on_account(book: Book) -> None:
    with book.engine.connect() as conn:
        plan = "\n".join(_plan(conn, q.debtor_ids()))
    assert "ix_orders_on_account" in plan, plan


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_the_owes_column_seeks_the_partial_index_of_sales_on_account(book: Book) -> None:
    """A page's Owes cells (and the account balances built from the same subqueries) read
    the customer's sales on account alone, never every order of the customer through
    `ix_orders_customer_stats` (90–275 ms a page of big buyers at 1,000,000 orders)."""
    page = sa.select(customers_t.c.id).where(customers_t.c.id.in_(list(book.ids.values())))
    with book.engine.connect() as conn:
        assert not sa.inspect(conn).has_table("sqlite_stat1")  # plans from indexes alone
        for column in (q.SOLD_ON_ACCOUNT, q.SALES_ON_ACCOUNT):
            plan = _plan(conn, page.add_columns(column))
            orders_lines = [line for line in plan if " orders " in f"{line} "]
            assert orders_lines, plan
            assert all("INDEX ix_orders_on_account (customer_id=?" in line
                       for line in orders_lines), plan  # fmt: skip


def test_search_customers_still_works(book: Book) -> None:
    with book.engine.connect() as conn:
        rows = q.search_customers(conn, "hoa")
    name = [col.key for col in CUSTOMERS_SPEC.columns].index("name")
    assert [r[name] for r in rows] == ["Nguyễn Thị Hoa"]


# --------------------------------------------------------------------------- query plans


def _plan(conn: sa.Connection, stmt: sa.Select[Any]) -> list[str]:
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    processors = compiled._bind_processors  # noqa: SLF001  (the values as the driver gets them)
    assert compiled.positiontup is not None
    values = tuple(
        processors[k](params[k]) if k in processors else params[k] for k in compiled.positiontup
    )
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled.string}", values).all()
    conn.exec_driver_sql(compiled.string, values).all()  # and the query itself runs
    return [str(r[-1]) for r in rows]


SORT_INDEX = {
    key: f"ix_customers_{'points_balance' if key == 'points' else key}_id" for key in q.SORT_KEYS
}


def _filters(b: Book) -> dict[str, CustomerFilter]:
    return {
        "none": CustomerFilter(),
        "expenses": CustomerFilter(expenses_min=100_000, expenses_max=5_000_000),
        "success rate": CustomerFilter(success_rate_min=50),
        "rank": CustomerFilter(ranks=(Rank.GOLD,)),
        "group": CustomerFilter(level_ids=(1, q.NO_GROUP)),
        "gender": CustomerFilter(genders=(Gender.FEMALE,)),
        "source": CustomerFilter(sources=("walk_in",)),
        "referrer": CustomerFilter(referrer_id=b.ids["Trần Minh Khoa"]),
        "dates": CustomerFilter(created_from=date(2026, 1, 1), last_order_to=date(2026, 5, 1)),
        "segment": CustomerFilter(segment_ids=(b.vip,)),
        "tag": CustomerFilter(tag_ids=(b.often,)),
        "shop": CustomerFilter(shop_ids=(b.shopee,)),
        "owes": CustomerFilter(owes_money=True),
        "quick": CustomerFilter(
            five_plus_orders=True,
            created_this_month=True,
            female=True,
            gold_and_above=True,
            often_returns=True,
            birthday_this_month=True,
        ),  # fmt: skip
        "birthday": CustomerFilter(birthday_this_month=True),
        "anonymous": CustomerFilter(hide_anonymous=True),
    }


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
@pytest.mark.parametrize("sort_key", list(SORT_INDEX))
def test_keyset_pages_walk_the_sort_index_whatever_the_filter(book: Book, sort_key: str) -> None:
    with book.engine.connect() as conn:
        assert not sa.inspect(conn).has_table("sqlite_stat1")  # plans from indexes alone
        for fname, flt in _filters(book).items():
            for desc in (False, True):
                state = list_state(flt, TZ, sort_key=sort_key, descending=desc, now=NOW)
                first = fetch_keys(conn, CUSTOMERS_SPEC, state, after=None, limit=1)
                after = first.after or (0, 0)
                for bound in (None, after):
                    stmt = keys_stmt(CUSTOMERS_SPEC, state, "sqlite", after=bound, limit=100)
                    plan = _plan(conn, stmt)
                    text = "\n".join(plan)
                    where = f"{sort_key} {'desc' if desc else 'asc'} / {fname}: {plan}"
                    assert f"SCAN customers USING COVERING INDEX {SORT_INDEX[sort_key]}" in (
                        text
                    ) or f"SEARCH customers USING COVERING INDEX {SORT_INDEX[sort_key]}" in (
                        text
                    ), where
                    # Never a sort of the matches (a filter's IN-set may be grouped once).
                    assert "ORDER BY" not in text, where


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
@pytest.mark.parametrize("text", ["0911 234", "+84 911 234", "nguyen hoa"])
def test_a_search_reads_the_full_text_index_never_every_row(book: Book, text: str) -> None:
    with book.engine.connect() as conn:
        for sort_key in ("created_at", "name"):
            state = list_state(CustomerFilter(), TZ, sort_key=sort_key, search=text, now=NOW)
            keys = _plan(conn, keys_stmt(CUSTOMERS_SPEC, state, "sqlite", after=None, limit=100))
            count = _plan(conn, count_stmt(CUSTOMERS_SPEC, state, "sqlite"))
            for plan in (keys, count):
                assert any(p.startswith("SCAN customers_fts VIRTUAL TABLE INDEX 0:M")
                           for p in plan), plan  # fmt: skip
            # The page walks the sort index; the count seeks the customers found by id.
            assert keys[0] == f"SCAN customers USING COVERING INDEX {SORT_INDEX[sort_key]}"
            assert count[0] == "SEARCH customers USING INTEGER PRIMARY KEY (rowid=?)", count


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_counts_read_one_covering_index(book: Book) -> None:
    with book.engine.connect() as conn:
        for fname, flt in _filters(book).items():
            plan = _plan(conn, count_stmt(CUSTOMERS_SPEC, list_state(flt, TZ, now=NOW), "sqlite"))
            customer_steps = [p for p in plan if " customers " in f" {p} "]
            assert len(customer_steps) == 1, (fname, plan)
            if fname in ("rank", "quick"):
                # A rank filter seeks the rank index (the rows of those ranks alone are read
                # for the other filters).
                assert customer_steps[0].startswith("SEARCH customers USING"), (fname, plan)
                assert "ix_customers_rank_live (rank=?)" in customer_steps[0], (fname, plan)
            else:
                # The customers are read from one index alone: never their rows.
                assert "USING COVERING INDEX" in customer_steps[0], (fname, plan)


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_rank_filter_pages_on_a_set_of_ids_and_counts_by_seeking_the_rank_index(
    book: Book,
) -> None:
    # `rank` is in no sort index (a rank recompute rewrites one index, not seven).
    flt = CustomerFilter(gold_and_above=True, female=True)
    state = list_state(flt, TZ, sort_key="name", now=NOW)
    with book.engine.connect() as conn:
        keys = _plan(conn, keys_stmt(CUSTOMERS_SPEC, state, "sqlite", after=None, limit=100))
        count = _plan(conn, count_stmt(CUSTOMERS_SPEC, state, "sqlite"))
    assert keys[0] == "SCAN customers USING COVERING INDEX ix_customers_name_id", keys
    assert any("SEARCH ranked USING COVERING INDEX ix_customers_rank_live" in p for p in keys)
    assert count == ["SEARCH customers USING INDEX ix_customers_rank_live (rank=?)"]
    assert book.names(flt) == {"Nguyễn Thị Hoa"}
    # A rank alone is counted from the index alone.
    alone = list_state(CustomerFilter(ranks=(Rank.GOLD,)), TZ, now=NOW)
    with book.engine.connect() as conn:
        count = _plan(conn, count_stmt(CUSTOMERS_SPEC, alone, "sqlite"))
    assert count == ["SEARCH customers USING COVERING INDEX ix_customers_rank_live (rank=?)"]
