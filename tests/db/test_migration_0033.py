"""Migration 0033 (customer_not_duplicates): the table of pairs said not to be duplicates
comes and goes with the migration, and the pairs recorded work after an upgrade."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.services.context import ServiceContext
from primedist.services.customers import (
    CustomerDraft,
    DuplicatePolicy,
    add_customer,
    find_duplicates,
    mark_not_duplicates,
)
from tests.db.test_migrations import schema_diff

BEFORE = "0032_kept_revenue"


def tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def test_the_table_comes_and_goes(engine: Engine, owner_ctx: ServiceContext) -> None:
    store.migrate(engine, BEFORE, down=True)
    assert "customer_not_duplicates" not in tables(engine)
    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    ids = [
        add_customer(owner_ctx, CustomerDraft(name, phones=["0901234567"]),
                     on_duplicate=DuplicatePolicy.CREATE).customer_id
        for name in ("Lê Văn Hùng", "Phạm Thị Lan")
    ]  # fmt: skip
    mark_not_duplicates(owner_ctx, ids)
    assert find_duplicates(owner_ctx) == []

    store.migrate(engine, BEFORE, down=True)
    assert "customer_not_duplicates" not in tables(engine)
    store.migrate(engine, "head")
    assert schema_diff(engine) == []
    assert [g.ids for g in find_duplicates(owner_ctx)] == [sorted(ids)]
