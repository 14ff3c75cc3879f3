"""Migration 0036 (audit_events.pc): an existing database gets the column and the index on
a record's own rows; its audit rows stay without a PC (where they were made was never
stored), and the rows written after it name the PC."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.core import host
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.services import stock
from primedist.services.context import ServiceContext
from tests.db.test_migrations import schema_diff
from tests.factories import make_product

BEFORE = "0035_sign_in_failures"
INDEX = "ix_audit_events_entity_type_entity_id_id"
AUDIT = table_of(AuditEvent)


def audit_columns(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns("audit_events")}


def audit_indexes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {str(i["name"]) for i in sa.inspect(conn).get_indexes("audit_events")}


def stock_rows(engine: Engine) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT entity_id, pc FROM audit_events WHERE action = 'stock.in' ORDER BY id")
        )
        return [(r[0], r[1]) for r in rows]


def test_an_existing_database_gets_the_column_its_old_rows_none(
    owner_ctx: ServiceContext, other_pc: ServiceContext
) -> None:
    engine = owner_ctx.engine
    (shirt,) = make_product(engine, "Áo thun", [("AT-1", 150_000, 20)])
    store.migrate(engine, BEFORE, down=True)
    assert "pc" not in audit_columns(engine) and INDEX not in audit_indexes(engine)
    old = sa.table("audit_events", *(sa.column(c.name, c.type) for c in AUDIT.c if c.name != "pc"))
    with engine.begin() as conn:  # a row written before the upgrade, as 0035 kept them
        conn.execute(
            old.insert().values(
                action="stock.in",
                entity_type="variant",
                entity_id=str(shirt),
                created_at=owner_ctx.clock.now(),
            )
        )

    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    assert INDEX in audit_indexes(engine)
    stock.stock_in(owner_ctx, shirt, 2, reason="nhập hàng")  # at this PC
    stock.stock_in(other_pc, shirt, 1, reason="nhập hàng")  # at the counter's
    assert stock_rows(engine) == [(str(shirt), None), (str(shirt), host.HOST),
                                  (str(shirt), "KHO-PC")]  # fmt: skip

    store.migrate(engine, BEFORE, down=True)  # and back: the rows stay, without their PC
    assert "pc" not in audit_columns(engine) and INDEX not in audit_indexes(engine)
    with engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT count(*) FROM audit_events WHERE action = 'stock.in'")
            ).scalar()
            == 3
        )
