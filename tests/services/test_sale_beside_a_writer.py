"""A counter sale while another connection writes (a sync batch, a second window): the
sale waits for the other's commit and is saved, never refused as busy because the other
committed between the sale's reading of the stock and its first write (SQLite)."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db.engine import WRITE_LOCK
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_product

HOLD_S = 0.4


def _hold_the_write_lock(engine: Engine, started: threading.Event) -> None:
    """Another writer: takes the lock, writes, keeps it a moment, commits."""
    with engine.connect().execution_options(**{WRITE_LOCK: True}) as conn, conn.begin():
        conn.execute(sa.text("INSERT INTO app_settings (key, value_json, updated_at)"
                             " VALUES ('other.writer', '1', '2026-12-05')"))  # fmt: skip
        started.set()
        time.sleep(HOLD_S)


def test_a_sale_waits_for_another_writer_and_is_saved(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has row locks, no read-to-write upgrade")
    (hat,) = make_product(engine, "Mũ", [("MU-1", 100_000, 5)])
    started = threading.Event()
    other = threading.Thread(target=_hold_the_write_lock, args=(engine, started))
    other.start()
    assert started.wait(5)
    began = time.monotonic()
    created = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(hat, 2),)))
    waited = time.monotonic() - began
    other.join()
    assert waited >= HOLD_S / 2  # it did meet the other writer
    with engine.connect() as conn:
        stock = conn.execute(sa.text("SELECT stock FROM variants WHERE id = :v"),
                             {"v": hat}).scalar_one()  # fmt: skip
        keys = conn.execute(sa.text("SELECT count(*) FROM app_settings WHERE key = "
                                    "'other.writer'")).scalar_one()  # fmt: skip
    assert created.total == 200_000 and stock == 3 and keys == 1
