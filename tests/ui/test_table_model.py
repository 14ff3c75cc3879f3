"""SqlTableModel over a real migrated SQLite store with ~1,500 orders.

FIRST_CHUNK/CHUNK are lowered on the instance so the progressive key loading (first chunk
at once, the rest on zero-interval timer ticks) really happens in these tests; the chunk
sizes are odd so chunk boundaries fall between orders placed at the same second (the
keyset's id tie-break is exercised).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QTableView
from sqlalchemy.engine import Engine

from primedist.queries.orders import ORDERS_SPEC, orders
from primedist.queries.spec import QueryState
from primedist.ui.formatting import CellFormatter
from primedist.ui.table_model import PLACEHOLDER, SqlTableModel
from tests.factories import make_customers, make_orders, make_shop

DAT = "Đặng Văn Đạt"
# Near misses of DAT that a folded "dang van dat" must not find.
OTHERS = ("Đặng Văn Đức", "Nguyễn Văn Đạt", "Đặng Thị Đào", "Trần Văn Dũng", "Lê Thị Lan")
PROBE_PHONE = "0939921717"
START = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
COL = {c.key: i for i, c in enumerate(ORDERS_SPEC.columns)}


@dataclass
class Store:
    engine: Engine
    shop_id: int
    n: int

    def ids(self, sql: str, **params: object) -> list[int]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(sa.text(sql), params)]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one())


@pytest.fixture
def store(engine: Engine) -> Store:
    shop = make_shop(engine, "Shopee Quận 1", "shopee")
    make_shop(engine, "Lazada Kho", "lazada")
    customers = make_customers(engine, 30, names=(DAT, *OTHERS))
    names = (DAT, *OTHERS, "Phạm Minh Khoa", "Bùi Gia Hương", "Võ Thanh Hải")
    # Two interleaved batches with the same timestamps: every created_at appears twice.
    n = 0
    for seed in (11, 12):
        n += len(
            make_orders(
                engine,
                shop,
                750,
                start=START,
                step=timedelta(minutes=3),
                customer_ids=customers,
                buyer_names=names,
                seed=seed,
            )
        )
    make_orders(
        engine,
        shop,
        1,
        start=START + timedelta(seconds=30),
        step=timedelta(0),
        buyer_names=("Hồ Ngọc Châu",),
        buyer_phones=(PROBE_PHONE,),
    )
    return Store(engine, shop, n + 1)


@pytest.fixture
def model(store: Store) -> Iterator[SqlTableModel]:
    m = SqlTableModel(store.engine, ORDERS_SPEC, formatter=CellFormatter())
    m.FIRST_CHUNK = 49
    m.CHUNK = 401
    yield m
    m.stop()


def newest_first(store: Store) -> list[int]:
    return store.ids("SELECT id FROM orders ORDER BY created_at DESC, id DESC")


def text(model: SqlTableModel, row: int, col: int | str = 0) -> str:
    column = COL[col] if isinstance(col, str) else col
    return model.data(model.index(row, column))


def keys(model: SqlTableModel) -> list[int]:
    return [model.key_at(r) for r in range(model.rowCount())]


def test_model_tester_while_loading_and_after(qtbot, qtmodeltester, model, store):
    model.set_state(QueryState())
    assert not model.complete
    qtmodeltester.check(model, force_py=True)  # walks every cell, placeholders included
    # The tester walks all 1,501 × 12 cells again on every signal of the loading: slow on a
    # loaded machine, so a generous bound (waitUntil returns as soon as it holds).
    qtbot.waitUntil(lambda: model.complete, timeout=60_000)
    assert model.rowCount() == store.count()
    model.set_state(QueryState().with_sort("total", False))
    model.load_all_keys()
    assert model.complete
    qtmodeltester.check(model, force_py=True)


@pytest.mark.qt_log_level_fail("WARNING")
def test_qt_model_tester_reports_nothing(qtbot, qtmodeltester, model, store):
    """Qt's own QAbstractItemModelTester (it reports through qWarning: fail on any)."""
    qtmodeltester.check(model)
    model.set_state(QueryState())
    qtbot.waitUntil(lambda: model.complete, timeout=5000)
    model.set_state(QueryState().with_search("dang van dat"))
    model.load_all_keys()
    assert model.rowCount() > 0


def test_rows_count_at_once_and_keys_arrive_in_order(qtbot, model, store):
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda tl, br, _roles=(): changed.append((tl.row(), br.row(), tl.column(), br.column()))
    )
    model.set_state(QueryState())
    # Before any timer tick: the scroll range is the SQL count, only the first chunk is here.
    assert model.rowCount() == store.count() == store.n
    assert model.loaded_keys == model.FIRST_CHUNK
    assert model.columnCount() == len(ORDERS_SPEC.columns)
    expected = newest_first(store)
    first = store.ids("SELECT external_id FROM orders WHERE id = :i", i=expected[0])
    assert text(model, 0, "external_id") == first[0]
    assert text(model, model.FIRST_CHUNK - 1) not in ("", PLACEHOLDER)
    for row in (model.FIRST_CHUNK, 60, 500, store.n - 1):  # same page and later pages
        assert text(model, row) == PLACEHOLDER
        assert model.key_at(row) is None
    assert changed == []

    with qtbot.waitSignal(model.keysLoaded, timeout=5000) as loaded:
        qtbot.waitUntil(lambda: model.complete, timeout=5000)
    assert loaded.args == [store.n]
    assert keys(model) == expected
    assert model.rowCount() == store.n

    # The rows that arrived on timer ticks were announced, in order, exactly once.
    arrived = [r for top, bottom, _, _ in changed for r in range(top, bottom + 1)]
    assert arrived == list(range(model.FIRST_CHUNK, store.n))
    assert all((c0, c1) == (0, model.columnCount() - 1) for _, _, c0, c1 in changed)
    assert len(changed) >= 3  # several chunks, not one
    last = store.ids("SELECT external_id FROM orders WHERE id = :i", i=expected[-1])
    assert text(model, store.n - 1, "external_id") == last[0]
    assert text(model, 60) not in ("", PLACEHOLDER)


def test_display_values_are_formatted(model, store):
    model.set_state(QueryState())
    key = model.key_at(0)
    with store.engine.connect() as conn:
        total, shop, ext = conn.execute(
            sa.text(
                "SELECT o.total, s.name, o.external_id FROM orders o JOIN shops s"
                " ON s.id = o.shop_id WHERE o.id = :k"
            ),
            {"k": key},
        ).one()
    assert text(model, 0, "external_id") == ext
    assert text(model, 0, "shop") == shop
    assert text(model, 0, "channel") == "Shopee"
    assert text(model, 0, "total") == CellFormatter()("money", total)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole) == key
    right = model.data(model.index(0, COL["total"]), Qt.ItemDataRole.TextAlignmentRole)
    assert right & int(Qt.AlignmentFlag.AlignRight)
    assert model.headerData(COL["total"], Qt.Orientation.Horizontal) == "Order value"
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.rowCount(model.index(0, 0)) == 0  # a flat table


def test_sort_by_total_then_unsortable_column(qtbot, model, store):
    model.set_state(QueryState())
    model.sort(COL["total"], Qt.SortOrder.AscendingOrder)
    assert model.state.sort_key == "total" and model.state.descending is False
    qtbot.waitUntil(lambda: model.complete, timeout=5000)
    by_total = store.ids("SELECT id FROM orders ORDER BY total, id")
    assert keys(model) == by_total

    model.sort(COL["total"], Qt.SortOrder.DescendingOrder)
    model.load_all_keys()
    assert keys(model) == store.ids("SELECT id FROM orders ORDER BY total DESC, id DESC")

    model.sort(COL["total"], Qt.SortOrder.AscendingOrder)
    model.load_all_keys()
    state = model.state
    model.sort(COL["buyer_name"], Qt.SortOrder.DescendingOrder)  # not sortable: ignored
    model.sort(99, Qt.SortOrder.DescendingOrder)  # no such column: ignored
    assert model.state is state
    assert keys(model) == by_total


def test_folded_search_finds_the_buyer(model, store):
    model.set_state(QueryState().with_search("dang van dat"))
    model.load_all_keys()
    expected = store.ids(
        "SELECT id FROM orders WHERE buyer_name = :n ORDER BY created_at DESC, id DESC", n=DAT
    )
    assert len(expected) > 100
    assert keys(model) == expected
    assert model.rowCount() == len(expected)
    assert {text(model, r, "buyer_name") for r in range(model.rowCount())} == {DAT}

    # Accents typed or not, any case, the same orders.
    model.set_state(model.state.with_search("ĐẶNG văn Đạt"))
    model.load_all_keys()
    assert keys(model) == expected


def test_phone_search_in_international_form(model, store):
    model.set_state(QueryState().with_search("+84 939 921 717"))
    model.load_all_keys()
    assert keys(model) == store.ids("SELECT id FROM orders WHERE buyer_phone = :p", p=PROBE_PHONE)
    assert model.rowCount() == 1
    assert text(model, 0, "buyer_phone") == PROBE_PHONE


@pytest.mark.parametrize(
    "query", ["\"' OR 1=1; --", "NEAR(", "*", '"', "dang OR van", "-dat", "^", "()"]
)
def test_hostile_search_is_harmless(model, store, query):
    model.set_state(QueryState().with_search(query))
    model.load_all_keys()
    assert model.complete
    assert 0 <= model.rowCount() <= store.n
    if model.rowCount():
        assert text(model, 0) not in ("", PLACEHOLDER)


def test_search_with_no_match_is_empty(qtbot, model):
    with qtbot.waitSignal(model.keysLoaded, timeout=1000) as loaded:
        model.set_state(QueryState().with_search("khong co ai ten nay"))
    assert loaded.args == [0]
    assert model.rowCount() == 0 and model.complete


def test_rows_inserted_while_keys_load_are_reconciled(qtbot, model, store):
    model.set_state(QueryState())
    counted = model.rowCount()
    # Older than every order: they sort after the keys loaded so far.
    added = make_orders(
        store.engine,
        store.shop_id,
        30,
        start=START - timedelta(days=2),
        step=timedelta(minutes=1),
        seed=99,
    )
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    qtbot.waitUntil(lambda: model.complete, timeout=5000)
    assert inserted == [(counted, counted + len(added) - 1)]
    assert model.rowCount() == store.count() == counted + len(added)
    assert keys(model) == newest_first(store)
    assert set(keys(model)[-len(added) :]) == set(added)


def test_rows_deleted_while_keys_load_are_reconciled(qtbot, model, store):
    model.set_state(QueryState())
    oldest = store.ids("SELECT id FROM orders ORDER BY created_at, id LIMIT 20")
    with store.engine.begin() as conn:
        conn.execute(sa.delete(orders).where(orders.c.id.in_(oldest)))
    removed: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    qtbot.waitUntil(lambda: model.complete, timeout=5000)
    assert removed == [(store.n - 20, store.n - 1)]
    assert model.rowCount() == store.count() == store.n - 20
    assert keys(model) == newest_first(store)


def test_row_deleted_after_its_key_loaded_renders_blank(model, store):
    model.set_state(QueryState())
    model.load_all_keys()
    gone = model.key_at(10)
    with store.engine.begin() as conn:
        conn.execute(sa.delete(orders).where(orders.c.id == gone))
    for col in range(model.columnCount()):
        assert model.data(model.index(10, col)) == ""
    assert text(model, 9) not in ("", PLACEHOLDER)
    assert text(model, 11) not in ("", PLACEHOLDER)
    assert model.rowCount() == store.n  # until the next refresh
    model.refresh()
    model.load_all_keys()
    assert model.rowCount() == store.n - 1 and gone not in keys(model)


def test_page_cache_is_bounded(model, store):
    model.PAGE = 20
    model.MAX_PAGES = 8
    model.set_state(QueryState())
    model.load_all_keys()
    for row in range(model.rowCount()):
        for col in range(model.columnCount()):
            assert model.data(model.index(row, col)) is not None
        assert len(model._pages) <= model.MAX_PAGES
    assert len(model._pages) == model.MAX_PAGES
    # Only the most recently used pages are kept.
    last_page = (model.rowCount() - 1) // model.PAGE
    assert list(model._pages) == list(range(last_page - model.MAX_PAGES + 1, last_page + 1))
    # The model's memory is the keys array: one 8-byte key a row, nothing per row else.
    assert model._keys.itemsize == 8 and len(model._keys) == model.rowCount()
    assert model.data(QModelIndex()) is None
    assert model.data(model.index(model.rowCount(), 0)) is None


def test_view_scrolled_to_the_bottom_shows_real_rows(qtbot, store):
    view = QTableView()
    qtbot.addWidget(view)
    model = SqlTableModel(store.engine, ORDERS_SPEC, formatter=CellFormatter(), parent=view)
    model.FIRST_CHUNK = 49
    model.CHUNK = 401
    view.setModel(model)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    model.set_state(QueryState())
    view.scrollToBottom()
    assert model.rowCount() == store.n
    qtbot.waitUntil(lambda: model.complete, timeout=5000)
    qtbot.wait(10)
    row = view.rowAt(view.viewport().height() - 2)
    assert row == store.n - 1
    shown = view.model().data(view.model().index(row, COL["external_id"]))
    assert shown.startswith("DH") and shown != PLACEHOLDER
    assert view.model().data(view.model().index(row, COL["buyer_name"])) not in ("", PLACEHOLDER)
    model.stop()
    view.close()


def test_language_change_reformats_cells_without_requerying(qtbot, model, store):
    from primedist.ui.i18n import current_language, install_language

    model.set_state(QueryState())
    model.load_all_keys()
    before_keys = keys(model)
    assert text(model, 0, "channel") == "Shopee"
    previous = current_language()
    try:
        install_language("vi")
        with qtbot.waitSignal(model.dataChanged), qtbot.waitSignal(model.headerDataChanged):
            model.reformat()
        assert text(model, 0, "channel") == "Shopee"
        assert model.headerData(COL["total"], Qt.Orientation.Horizontal) == "Giá trị đơn"
        assert "₫" in text(model, 0, "total")
        assert keys(model) == before_keys  # same rows, nothing re-counted or re-keyed
    finally:
        install_language(previous)


def test_key_chunks_shrink_to_the_time_budget_and_still_load_every_key(
    qtbot, model, store, monkeypatch
):
    """A slow key query (here 0.1 ms a key: 10,000 keys would hold the UI thread a whole
    second) gets chunks sized to `CHUNK_BUDGET_MS`, and the keys still all arrive, in order."""
    import time

    from primedist.ui import table_model

    asked: list[int] = []
    real = table_model.fetch_keys

    def slow_fetch_keys(conn, spec, state, *, after, limit):
        asked.append(limit)
        time.sleep(limit * 0.0001)
        return real(conn, spec, state, after=after, limit=limit)

    monkeypatch.setattr(table_model, "fetch_keys", slow_fetch_keys)
    model.CHUNK = 1_000
    model.set_state(QueryState())
    qtbot.waitUntil(lambda: model.complete, timeout=30_000)
    assert keys(model) == newest_first(store)
    on_ticks = asked[1:]  # the first chunk is set_state's
    budget = int(model.CHUNK_BUDGET_MS / 1000 / 0.0001)  # 400 keys
    assert len(on_ticks) >= 4
    assert max(on_ticks) <= budget, on_ticks
    assert max(on_ticks) > model.FIRST_CHUNK, on_ticks  # it grew toward the budget
