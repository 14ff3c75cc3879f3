"""Two PCs (or windows) saving the same form at once: a new product's SKU, a new customer's
phone, a product's stock figure, a merge. Each save takes the writer lock before it reads
(`uow(write=True)`), so the second sees what the first saved.

Each save, its checks done, is held (in its own thread) until the other has done its
checks too, or for `HOLD` seconds when the other cannot get there: it waits for the
writer lock, the fix. Both backends run (PRIMEDIST_TEST_DATABASE_URL: PostgreSQL; on
SQLite, without the lock, the second save failed as busy).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.errors import NotFound, ValidationError
from primedist.services import catalogue, customers
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.customers import CustomerDraft, DuplicatePhone
from tests.factories import make_product
from tests.pg.test_writer_lock import _at_once

#: How long the first save waits for the second (well under the 10 s busy timeout the
#: second waits for the lock).
HOLD = 1.5


@contextmanager
def _held_after(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> Iterator[None]:
    """Make `owner.name` (a check) meet the other save at a barrier once it has run, or go
    on after `HOLD` seconds (the other is waiting for the lock)."""
    barrier = threading.Barrier(2)
    original: Callable[..., Any] = getattr(owner, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        try:
            barrier.wait(timeout=HOLD)
        except threading.BrokenBarrierError:
            pass
        return result

    monkeypatch.setattr(owner, name, held)
    yield


def _count(engine: Engine, sql: str, **params: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(sql), params).scalar_one())


def test_two_pcs_adding_a_product_with_the_same_new_sku_add_it_once(
    owner_ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def add() -> int:
        draft = ProductDraft(name="Tất cổ ngắn",
                             variants=[VariantDraft(sku="TAT-01", cost=5_000, price=15_000,
                                                    stock=20)])  # fmt: skip
        return catalogue.create_product(owner_ctx, draft)

    with _held_after(monkeypatch, catalogue, "_check_store"):
        results = _at_once(add, add)
    added = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(added) == 1 and len(refused) == 1, results
    assert "TAT-01 is already used" in str(refused[0])
    assert _count(engine, "SELECT count(*) FROM variants WHERE sku = 'TAT-01'") == 1
    assert _count(engine, "SELECT stock FROM variants WHERE sku = 'TAT-01'") == 20


def test_two_pcs_adding_a_customer_with_the_same_new_phone_add_one(
    owner_ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def add() -> object:
        draft = CustomerDraft(name="Chị Lan", phones=["0912 345 678"])
        return customers.add_customer(owner_ctx, draft)

    with _held_after(monkeypatch, customers, "phone_owners"):
        results = _at_once(add, add)
    added = [r for r in results if isinstance(r, customers.AddResult)]
    refused = [r for r in results if isinstance(r, DuplicatePhone)]
    assert len(added) == 1 and len(refused) == 1, results
    assert refused[0].existing.id == added[0].customer_id
    assert _count(engine, "SELECT count(*) FROM customer_phones WHERE phone = '0912345678'") == 1
    assert _count(engine, "SELECT count(*) FROM customers") == 1


def test_two_pcs_saving_the_same_stock_figure_move_the_stock_once(
    owner_ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    (variant,) = make_product(engine, "Áo thun đua", [("AO-DUA", 150_000, 10)])
    product = _count(engine, "SELECT product_id FROM variants WHERE id = :v", v=variant)

    forms = [catalogue.get_product(owner_ctx, product).draft for _ in range(2)]
    for form in forms:
        assert form.variants[0].stock_seen == 10
        form.variants[0].stock = 15  # both PCs counted the shelf: 15

    def save(form: ProductDraft) -> str:
        catalogue.update_product(owner_ctx, product, form)
        return "saved"

    with _held_after(monkeypatch, catalogue, "_check_store"):
        results = _at_once(lambda: save(forms[0]), lambda: save(forms[1]))
    assert results == ["saved", "saved"]  # the second changed nothing: 15 is on hand
    assert _count(engine, "SELECT stock FROM variants WHERE id = :v", v=variant) == 15
    assert _count(engine, "SELECT count(*) FROM stock_movements WHERE variant_id = :v"
                  " AND quantity = 5", v=variant) == 1  # fmt: skip
    assert _count(engine, "SELECT sum(quantity) FROM stock_movements WHERE variant_id = :v",
                  v=variant) == 5  # fmt: skip


def test_two_pcs_merging_two_customers_each_into_the_other_merge_once(
    owner_ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = customers.add_customer(owner_ctx, CustomerDraft(name="Lan", phones=["0912000001"]))
    b = customers.add_customer(owner_ctx, CustomerDraft(name="Lan", phones=["0912000002"]))
    ids = a.customer_id, b.customer_id
    with _held_after(monkeypatch, customers, "_snapshot"):
        results = _at_once(
            lambda: customers.merge_customers(owner_ctx, ids[0], [ids[1]]),
            lambda: customers.merge_customers(owner_ctx, ids[1], [ids[0]]),
        )
    refused = [r for r in results if isinstance(r, NotFound)]
    assert len(refused) == 1, results
    assert "no longer exist or were already merged" in str(refused[0])
    # One of them is left, with both phones.
    assert _count(engine, "SELECT count(*) FROM customers WHERE deleted_at IS NULL") == 1
    assert _count(engine, "SELECT count(DISTINCT customer_id) FROM customer_phones") == 1
