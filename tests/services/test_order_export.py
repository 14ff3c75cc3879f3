"""Orders export to .xlsx: typed cells, filters, selection order, cancel, audit, permission."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Channel, Module, OrderStatus, Role
from primedist.errors import Cancelled, PermissionDenied, PrimedistError, ValidationError
from primedist.jobs.progress import JobProgress
from primedist.queries.orders import ORDER_EXPORT_COLUMNS, OrderFilter, list_state, orders
from primedist.services import order_export
from primedist.services.context import Actor, ServiceContext
from primedist.services.order_export import HEADERS, export_orders
from tests.factories import make_orders, make_shop

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
KEYS = [c.key for c in ORDER_EXPORT_COLUMNS]
HOSTILE_NAME = '=HYPERLINK("http://evil.example","Bấm vào đây")'
DIGIT_ID = "0241105123456"


class Store:
    def __init__(self, engine: Engine, shop_a: int, shop_b: int, a: list[int], b: list[int]):
        self.engine, self.shop_a, self.shop_b, self.a, self.b = engine, shop_a, shop_b, a, b

    def scalar(self, stmt: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(stmt).scalar_one()

    def count(self, *where: Any) -> int:
        return int(self.scalar(sa.select(sa.func.count()).select_from(orders).where(*where)))

    def order(self, order_id: int) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(orders).where(orders.c.id == order_id)).one()


@pytest.fixture
def store(engine: Engine, owner_ctx: ServiceContext) -> Store:
    """Two shops, 60 orders over about nine days, one order with hostile/odd values."""
    shop_a = make_shop(engine, "Shopee Mẹ Bé", Channel.SHOPEE)
    shop_b = make_shop(engine, "Quầy Quận 1", Channel.OFFLINE)
    a = make_orders(
        engine,
        shop_a,
        40,
        start=datetime(2026, 3, 1, 10, 0, 15, tzinfo=UTC),
        step=timedelta(hours=5, minutes=7, seconds=13),
        buyer_phones=["0939921717", "84*****89", None],
    )
    b = make_orders(
        engine,
        shop_b,
        20,
        start=datetime(2026, 3, 2, 16, 45, 30, tzinfo=UTC),
        step=timedelta(hours=9),
        seed=5,
    )
    with engine.begin() as conn:
        conn.execute(
            orders.update()
            .where(orders.c.id == a[0])
            .values(
                external_id=DIGIT_ID,
                buyer_name=HOSTILE_NAME,
                staff_note="+SUM(1)",
                flagged=True,
                carrier="GHN",
                tracking_number="0012345678",
                ship_province="Hồ Chí Minh",
                refunded_amount=10_000,
            )
        )
    return Store(engine, shop_a, shop_b, a, b)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty folder for export files (tmp_path also holds the data dir)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def read(path: Path) -> tuple[list[str], list[dict[str, Any]], list[list[Any]]]:
    """Headers, rows as {column key: value}, and the raw cells of the data rows."""
    ws = load_workbook(path).active
    cells = [list(row) for row in ws.iter_rows()]
    headers = [c.value for c in cells[0]]
    rows = [dict(zip(KEYS, (c.value for c in row), strict=True)) for row in cells[1:]]
    return headers, rows, cells[1:]


# ------------------------------------------------------------------------ contents
def test_headers_per_language(owner_ctx: ServiceContext, store: Store, tmp_path: Path) -> None:
    vi = export_orders(owner_ctx, tmp_path / "vi.xlsx")
    en = export_orders(owner_ctx, tmp_path / "en.xlsx", lang="en")
    headers_vi = read(vi.path)[0]
    headers_en = read(en.path)[0]
    assert headers_vi == [HEADERS[k][0] for k in KEYS]
    assert headers_en == [HEADERS[k][1] for k in KEYS]
    assert headers_vi[:4] == ["Mã đơn hàng", "Gian hàng", "Kênh bán", "Trạng thái"]
    assert headers_en[:4] == ["Order ID", "Shop", "Channel", "Status"]
    assert len(KEYS) == 24 and set(HEADERS) == set(KEYS)
    with pytest.raises(ValidationError, match="language"):
        export_orders(owner_ctx, tmp_path / "fr.xlsx", lang="fr")


def test_every_order_newest_first_with_typed_cells(
    owner_ctx: ServiceContext, store: Store, tmp_path: Path
) -> None:
    report = export_orders(owner_ctx, tmp_path / "all.xlsx")
    assert report.path == tmp_path / "all.xlsx"
    assert report.rows == 60 == store.count()
    assert report.seconds >= 0
    _headers, rows, cells = read(report.path)
    assert len(rows) == 60
    dates = [r["created_at"] for r in rows]
    assert dates == sorted(dates, reverse=True)

    by_id = {r["external_id"]: (r, c) for r, c in zip(rows, cells, strict=True)}
    for order_id in (store.a[0], store.a[1], store.b[3]):
        db = store.order(order_id)
        row, raw = by_id[db.external_id]
        cell = dict(zip(KEYS, raw, strict=True))
        # Money exact, numbers numeric.
        for key in ("subtotal", "shipping_fee", "marketplace_discount", "voucher_discount",
                    "seller_discount", "shop_promotion", "points_discount", "commission",
                    "total", "refunded_amount"):  # fmt: skip
            assert cell[key].data_type == "n", key
            assert row[key] == getattr(db, key), key
            assert cell[key].number_format == "#,##0"
        assert cell["item_count"].data_type == "n" and row["item_count"] == db.item_count
        # Dates: the shop's local time of the stored UTC value.
        assert cell["created_at"].is_date
        assert row["created_at"] == db.created_at.astimezone(HCM).replace(tzinfo=None)
        # Enum words, as in the import template.
        assert row["status"] == db.status.value
        assert row["payment_method"] == db.payment_method.value
        # Phones are text with the leading zero (or the marketplace's mask).
        if db.buyer_phone is None:
            assert row["buyer_phone"] is None
        else:
            assert cell["buyer_phone"].data_type == "s"
            assert row["buyer_phone"] == db.buyer_phone
    assert by_id[store.order(store.b[3]).external_id][0]["channel"] == "offline"
    assert by_id[store.order(store.b[3]).external_id][0]["shop"] == "Quầy Quận 1"

    special, raw = by_id[DIGIT_ID]
    cell = dict(zip(KEYS, raw, strict=True))
    assert cell["external_id"].data_type == "s"  # all digits, leading zero: still text
    assert special["channel"] == "shopee"
    assert special["buyer_phone"] == "0939921717"
    assert special["flagged"] is True
    assert special["refunded_amount"] == 10_000
    assert (special["carrier"], special["tracking_number"]) == ("GHN", "0012345678")
    assert special["ship_province"] == "Hồ Chí Minh"
    # Hostile text never becomes a formula.
    for key, text in (("buyer_name", HOSTILE_NAME), ("staff_note", "+SUM(1)")):
        assert cell[key].data_type == "s"
        assert special[key] == "'" + text
    assert sum(1 for r in rows if r["flagged"]) == 1


def test_local_time_crosses_midnight(owner_ctx: ServiceContext, store: Store, tmp_path: Path):
    # An order placed at 17:00 UTC or later falls on the next local day (UTC+7).
    late = next(i for i in store.a if store.order(i).created_at.hour >= 17)
    db = store.order(late)
    report = export_orders(owner_ctx, tmp_path / "one.xlsx", keys=[late])
    row = read(report.path)[1][0]
    assert row["created_at"].date() == db.created_at.date() + timedelta(days=1)
    assert row["created_at"] == (db.created_at + timedelta(hours=7)).replace(tzinfo=None)


# ------------------------------------------------------------------------- filters
@pytest.mark.parametrize("tab", ["completed", "return_refund", "pending"])
def test_status_tab_filter(
    owner_ctx: ServiceContext, store: Store, tmp_path: Path, tab: str
) -> None:
    statuses = {
        "completed": {OrderStatus.COMPLETED},
        "return_refund": {OrderStatus.RETURN_REFUND, OrderStatus.RETURNED},
        "pending": {OrderStatus.PENDING},
    }[tab]
    state = list_state(OrderFilter(), tab, HCM)
    report = export_orders(owner_ctx, tmp_path / f"{tab}.xlsx", state=state)
    expected = store.count(orders.c.status.in_([s.value for s in statuses]))
    assert expected > 0
    assert report.rows == expected
    rows = read(report.path)[1]
    assert len(rows) == expected
    assert {r["status"] for r in rows} <= {s.value for s in statuses}


def test_date_and_shop_filter(owner_ctx: ServiceContext, store: Store, tmp_path: Path) -> None:
    day_from, day_to = date(2026, 3, 3), date(2026, 3, 5)
    start = datetime(2026, 3, 3, tzinfo=HCM).astimezone(UTC)
    end = datetime(2026, 3, 6, tzinfo=HCM).astimezone(UTC)  # day_to included
    flt = OrderFilter(shop_ids=(store.shop_b,), date_from=day_from, date_to=day_to)
    report = export_orders(
        owner_ctx, tmp_path / "range.xlsx", state=list_state(flt, "all", HCM), lang="en"
    )
    expected = store.count(
        orders.c.shop_id == store.shop_b, orders.c.created_at >= start, orders.c.created_at < end
    )
    assert 0 < expected < 20
    rows = read(report.path)[1]
    assert report.rows == len(rows) == expected
    assert {r["shop"] for r in rows} == {"Quầy Quận 1"}
    assert all(day_from <= r["created_at"].date() <= day_to for r in rows)

    both = OrderFilter(date_from=day_from, date_to=day_to)
    report = export_orders(owner_ctx, tmp_path / "both.xlsx", state=list_state(both, "all", HCM))
    assert report.rows == store.count(orders.c.created_at >= start, orders.c.created_at < end)


def test_search_and_sort_of_the_list_are_kept(
    owner_ctx: ServiceContext, store: Store, tmp_path: Path
) -> None:
    state = list_state(OrderFilter(), "all", HCM, sort_key="total", descending=False)
    rows = read(export_orders(owner_ctx, tmp_path / "sorted.xlsx", state=state).path)[1]
    totals = [r["total"] for r in rows]
    assert len(totals) == 60 and totals == sorted(totals)

    searched = list_state(OrderFilter(), "all", HCM, search="0939921717")
    report = export_orders(owner_ctx, tmp_path / "search.xlsx", state=searched)
    rows = read(report.path)[1]
    assert report.rows == len(rows) == store.count(orders.c.buyer_phone == "0939921717")
    assert {r["buyer_phone"] for r in rows} == {"0939921717"}


def test_selection_keeps_the_given_order(
    owner_ctx: ServiceContext, store: Store, tmp_path: Path
) -> None:
    keys = [store.b[5], store.a[0], store.a[30], store.b[0], store.a[0], 999_999]
    report = export_orders(owner_ctx, tmp_path / "sel.xlsx", keys=keys)
    rows = read(report.path)[1]
    expected = [
        store.order(k).external_id for k in (store.b[5], store.a[0], store.a[30], store.b[0])
    ]
    assert [r["external_id"] for r in rows] == expected  # duplicates once, unknown skipped
    assert report.rows == 4


def test_an_order_without_a_buyer_says_walk_in_customer(
    owner_ctx: ServiceContext, store: Store, tmp_path: Path
) -> None:
    # A counter sale to no customer stores no buyer name: the sheet says who, as the app does.
    walk_in, named = store.b[2], store.b[3]
    with store.engine.begin() as conn:
        conn.execute(orders.update().where(orders.c.id == walk_in).values(buyer_name=None))
    for lang, words in (("vi", "Khách lẻ"), ("en", "Walk-in customer")):
        for keys in ([walk_in, named], None):  # a selection, and the whole view
            report = export_orders(owner_ctx, tmp_path / f"{lang}.xlsx", keys=keys, lang=lang)
            rows = {r["external_id"]: r for r in read(report.path)[1]}
            assert rows[store.order(walk_in).external_id]["buyer_name"] == words
            named_row = rows[store.order(named).external_id]
            assert named_row["buyer_name"] == store.order(named).buyer_name != words


def test_selection_in_chunks(owner_ctx: ServiceContext, store: Store, tmp_path: Path) -> None:
    from primedist.queries.orders import iter_rows_by_keys

    keys = list(reversed(store.a + store.b))
    with store.engine.connect() as conn:
        rows = list(iter_rows_by_keys(conn, keys, chunk=7))
    assert [r[0] for r in rows] == [store.order(k).external_id for k in keys]


def test_empty_store_writes_headers_only(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    report = export_orders(owner_ctx, tmp_path / "empty.xlsx")
    assert report.rows == 0
    headers, rows, _cells = read(report.path)
    assert headers[0] == "Mã đơn hàng" and rows == []


# ---------------------------------------------------------------- progress, cancel
class CancelAfter(JobProgress):
    """A Progress whose check() raises Cancelled from the `n`-th call on."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n, self.checks = n, 0
        self.updates: list[float] = []

    def update(self, fraction: float, message: str = "") -> None:
        self.updates.append(fraction)
        super().update(fraction, message)

    def check(self) -> None:
        self.checks += 1
        if self.checks >= self.n:
            raise Cancelled()


def audit_rows(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(AuditEvent.__table__).where(  # type: ignore[attr-defined]
                    AuditEvent.__table__.c.action == "orders.export"  # type: ignore[attr-defined]
                )
            )
        )


def test_cancel_mid_way_leaves_no_file(
    owner_ctx: ServiceContext,
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(order_export, "PROGRESS_EVERY", 10)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "orders.xlsx"
    target.write_bytes(b"the previous export")
    progress = CancelAfter(3)  # start, 10 rows, 20 rows: cancelled with 40 rows to go
    with pytest.raises(Cancelled):
        export_orders(owner_ctx, target, progress=progress)
    assert progress.checks == 3
    assert 0 < max(progress.updates) < 1
    assert target.read_bytes() == b"the previous export"  # untouched
    assert [p.name for p in out.iterdir()] == ["orders.xlsx"]  # no temp file left
    assert audit_rows(store.engine) == []


def test_progress_reports_fractions(
    owner_ctx: ServiceContext, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(order_export, "PROGRESS_EVERY", 10)
    progress = CancelAfter(10_000)
    export_orders(owner_ctx, tmp_path / "p.xlsx", progress=progress)
    steps = [f for f in progress.updates if 0 < f < 1]
    assert steps == pytest.approx([10 / 60, 20 / 60, 30 / 60, 40 / 60, 50 / 60])
    assert progress.updates[0] == 0.0 and progress.updates[-1] == 1.0


# ------------------------------------------------------------- audit, permission
def test_audit_row_is_written(owner_ctx: ServiceContext, store: Store, tmp_path: Path) -> None:
    state = list_state(OrderFilter(shop_ids=(store.shop_a,)), "all", HCM)
    report = export_orders(owner_ctx, tmp_path / "audited.xlsx", state=state)
    (event,) = audit_rows(store.engine)
    assert event.user_id == owner_ctx.actor.id
    assert (event.entity_type, event.entity_id) == ("file", "audited.xlsx")
    assert event.summary == "40 orders" == f"{report.rows} orders"
    after = json.loads(event.after_json)
    assert after["rows"] == 40 and after["file"] == str(tmp_path / "audited.xlsx")
    assert after["selection"] is False and after["lang"] == "vi"
    assert any("shop_id" in f for f in after["filters"])


def test_staff_without_orders_access_is_refused(
    owner_ctx: ServiceContext, store: Store, tmp_path: Path
) -> None:
    staff = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset({Module.PRODUCTS}))
    )
    with pytest.raises(PermissionDenied):
        export_orders(staff, tmp_path / "denied.xlsx")
    assert not (tmp_path / "denied.xlsx").exists()
    assert audit_rows(store.engine) == []

    # With Orders and the right "Export data" (tests/services/test_export_right.py).
    clerk = owner_ctx.with_actor(
        Actor(None, "Hoa", "hoa@x.vn", Role.STAFF, frozenset({Module.ORDERS}), can_export=True)
    )
    assert export_orders(clerk, tmp_path / "allowed.xlsx").rows == 60


# ---------------------------------------------------------------------- targets
@pytest.mark.parametrize("name", ["orders.csv", "orders.xls", "orders", "orders.xlsx.txt"])
def test_target_must_be_xlsx(owner_ctx: ServiceContext, out_dir: Path, name: str) -> None:
    with pytest.raises(ValidationError, match=r"\.xlsx"):
        export_orders(owner_ctx, out_dir / name)
    assert list(out_dir.iterdir()) == []


def test_target_folder_must_exist(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        export_orders(owner_ctx, tmp_path / "missing" / "orders.xlsx")
    assert not (tmp_path / "missing").exists()
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(ValidationError, match="folder"):
        export_orders(owner_ctx, tmp_path / "dir.xlsx")


def test_upper_case_suffix_and_overwrite(
    owner_ctx: ServiceContext, store: Store, out_dir: Path
) -> None:
    target = out_dir / "ORDERS.XLSX"
    target.write_bytes(b"old")
    assert export_orders(owner_ctx, target).rows == 60
    assert read(target)[0][0] == "Mã đơn hàng"
    assert [p.name for p in out_dir.iterdir()] == ["ORDERS.XLSX"]


def test_unknown_shop_name_is_named(owner_ctx: ServiceContext, store: Store) -> None:
    assert order_export.shop_ids_by_name(owner_ctx, ["quầy quận 1", "Shopee Mẹ Bé"]) == (
        store.shop_b,
        store.shop_a,
    )
    with pytest.raises(PrimedistError, match="No shop is named 'Lazada'"):
        order_export.shop_ids_by_name(owner_ctx, ["Lazada"])


def test_more_orders_than_a_sheet_holds_is_refused(
    owner_ctx: ServiceContext, store: Store, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(order_export, "MAX_ROWS", 59)
    with pytest.raises(ValidationError, match="do not fit one Excel sheet"):
        export_orders(owner_ctx, out_dir / "big.xlsx")
    assert list(out_dir.iterdir()) == []
    state = list_state(OrderFilter(shop_ids=(store.shop_a,)), "all", HCM)
    assert export_orders(owner_ctx, out_dir / "small.xlsx", state=state).rows == 40
