"""`reindex_customers`: the set-based search-text refresh after bulk name/phone fills."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerPhone
from primedist.queries.search import search_filter
from primedist.services import customers
from primedist.services.context import ServiceContext
from primedist.services.customers import CustomerDraft, add_customer, reindex_customers

customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
LATER = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _found(engine: Engine, text: str) -> set[int]:
    with engine.connect() as conn:
        where = search_filter(customers_t, text, conn.dialect.name)
        assert where is not None
        return set(conn.scalars(sa.select(customers_t.c.id).where(where)))


def _add(ctx: ServiceContext, name: str, *phones: str) -> int:
    return add_customer(ctx, CustomerDraft(name=name, phones=list(phones))).customer_id


def test_names_and_phones_filled_in_bulk_become_searchable(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    masked = _add(owner_ctx, "N***n")
    phoneless = _add(owner_ctx, "Trần Văn Bình")
    untouched = _add(owner_ctx, "Lê Thị Hoa", "0912 345 678")
    # What the order import / sync does in bulk: a real name, a first phone.
    with engine.begin() as conn:
        c = customers_t.c
        conn.execute(customers_t.update().where(c.id == masked).values(name="Đặng Văn Đạt"))
        conn.execute(phones_t.insert().values(customer_id=phoneless, phone="0987654321",
                                              is_primary=True, created_at=LATER))  # fmt: skip
        assert _found(engine, "dang van dat") == set()  # not indexed yet
        reindex_customers(conn, [masked, phoneless, masked, 999_999], LATER)

    assert _found(engine, "dang van dat") == {masked}
    assert _found(engine, "0987654321") == {phoneless}
    assert _found(engine, "binh") == {phoneless}  # the name stays in the text
    assert _found(engine, "0912345678") == {untouched}
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(customers_t.c.id, customers_t.c.updated_at)).all())
    assert rows[masked] == LATER
    assert rows[phoneless] == LATER
    assert rows[untouched] != LATER


def test_many_customers_across_chunks_match_one_by_one_text(
    owner_ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More customers than one chunk of the set-based path: each gets the same text the
    single-customer path (`add_customer`) gave it, with every phone."""
    monkeypatch.setattr(customers, "_REINDEX_CHUNK", 4)
    ids = [_add(owner_ctx, f"Khách {i}", f"09{i:08d}") for i in range(10)]
    with engine.begin() as conn:
        before = dict(conn.execute(sa.select(customers_t.c.id, customers_t.c.search_text)).all())
        conn.execute(phones_t.insert().values(customer_id=ids[-1], phone="0388888888",
                                              is_primary=False, created_at=LATER))  # fmt: skip
        conn.execute(customers_t.update().values(search_text=""))
        reindex_customers(conn, ids, LATER)
        after = dict(conn.execute(sa.select(customers_t.c.id, customers_t.c.search_text)).all())
    assert all(after[i] == before[i] for i in ids[:-1])
    assert after[ids[-1]] != before[ids[-1]] and "0388888888" in after[ids[-1]]
    assert _found(engine, "0388888888") == {ids[-1]}
