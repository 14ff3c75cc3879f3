"""The Orders tab on a real store: refusals read with the labels in English too, a bulk
cancel names each refused order once and only the first few, the header's arrow stays on
the column the list is sorted by, a large print preview is made on a worker (progress,
Cancel), and the "waiting to be sent" clocks go once the outbox is delivered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QPoint, Qt
from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderStatus
from primedist.errors import Conflict
from primedist.printing.model import DocumentType
from primedist.queries.orders import orders
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncState
from primedist.ui import ops
from primedist.ui.messages import error_text, localize
from primedist.ui.orders import tab
from primedist.ui.orders.tab import OrdersPage
from tests.factories import make_orders, make_shop
from tests.ui.support import WAIT, close_page, show_widget

START = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("english", "no_crash")


def _statuses(engine: Engine, ids: list[int]) -> dict[int, str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(orders.c.id, orders.c.status).where(orders.c.id.in_(ids)))
        return {int(i): str(s) for i, s in rows}


def _number(engine: Engine, order_id: int) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(sa.select(orders.c.external_id).where(orders.c.id == order_id)).scalar()
        )


def _deliver_confirms(engine: Engine) -> None:
    """What a delivery of the confirmations does to the store (`outbox_delivery`): the
    messages are done and their orders no longer wait for the marketplace."""
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE outbox_messages SET status = 'done'")
        conn.exec_driver_sql("UPDATE orders SET outbox_pending = 0")


@pytest.fixture
def shopee(owner_ctx: ServiceContext, engine: Engine) -> dict[str, list[int]]:
    """60 orders of a Shopee shop; five pending ones confirmed (their confirmations are
    queued for Shopee: "waiting to be sent")."""
    shop = make_shop(engine, "Shopee Mall", "shopee")
    ids = make_orders(engine, shop, 60, start=START, step=timedelta(hours=3), seed=7)
    status = _statuses(engine, ids)
    pending = [i for i in ids if status[i] == "pending"][:5]
    assert len(pending) == 5
    assert svc.confirm_orders(owner_ctx, pending).done == pending
    refund = next(i for i in ids if status[i] == "return_refund")
    return {"all": ids, "confirmed": pending, "refund": [refund]}


@pytest.fixture
def page(
    qtbot: Any, owner_ctx: ServiceContext, shopee: dict[str, list[int]]
) -> Iterator[OrdersPage]:
    p = show_widget(qtbot, OrdersPage(owner_ctx, sync_state=SyncState()), height=760)
    qtbot.waitUntil(lambda: not p.busy and p.model.rowCount() == 60, timeout=WAIT)
    yield p
    close_page(qtbot, p, lambda: not p.busy and not p.counts_pending)


# --------------------------------------------------------------------------- English labels


def test_refusals_in_english_name_the_channel_and_status_by_their_labels(
    owner_ctx: ServiceContext, engine: Engine, shopee: dict[str, list[int]]
) -> None:
    (refund,) = shopee["refund"]
    with pytest.raises(Conflict) as caught:
        svc.change_status(owner_ctx, refund, OrderStatus.CANCELLED, reason="Khách đổi ý")
    number = _number(engine, refund)
    assert (
        caught.value.user_message == f"Order {number} is return_refund: it cannot become cancelled."
    )
    assert error_text(caught.value) == (
        f"Order {number} is Return/Refund: it cannot become Cancelled."
    )

    _deliver_confirms(engine)  # Shopee has the confirmation: it refuses the seller's cancel
    confirmed = shopee["confirmed"][0]
    ((_id, _ext, why),) = svc.cancel_orders(owner_ctx, [confirmed], "Hết hàng").skipped
    assert "on shopee" in why  # the service's own English (the CLI, the logs)
    shown = localize(why)
    assert shown.startswith(f"{_number(engine, confirmed)} is confirmed on Shopee (")
    assert "Shopee no longer lets the seller cancel it" in shown and "shopee" not in shown


# --------------------------------------------------------------------------- bulk message


def test_a_bulk_cancel_names_each_refused_order_once_and_caps_the_list(
    qtbot: Any, page: OrdersPage, engine: Engine, shopee: dict[str, list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _deliver_confirms(engine)
    monkeypatch.setattr(tab, "ask_cancel_reason", lambda _p, _n, **_kw: "Hết hàng")
    refused = shopee["confirmed"]
    assert page.select_ids(refused) == 5
    page.cancel_selected()
    qtbot.waitUntil(lambda: not page.busy and page.message_bar.isVisible(), timeout=WAIT)
    text = page.message.text()
    assert text.startswith("0 orders cancelled; 5 skipped: "), text
    shown = [n for n in (_number(engine, i) for i in refused) if n in text]
    assert len(shown) == 3  # the first three refusals, then how many more
    for number in shown:
        assert text.count(number) == 1  # not "DH… (DH… is confirmed on Shopee …)"
        assert f"{number} is confirmed on Shopee (its shipment is arranged)" in text
    assert text.endswith("; and 2 more orders"), text
    assert ".;" not in text and "(" + shown[0] not in text
    assert set(_statuses(engine, refused).values()) == {"confirmed"}


def test_a_status_skip_still_names_its_order(
    qtbot: Any, page: OrdersPage, engine: Engine, shopee: dict[str, list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(tab, "ask_cancel_reason", lambda _p, _n, **_kw: "Hết hàng")
    (refund,) = shopee["refund"]
    page.select_ids([refund])
    page.cancel_selected()
    qtbot.waitUntil(lambda: not page.busy and page.message_bar.isVisible(), timeout=WAIT)
    assert page.message.text() == (
        f"0 orders cancelled; 1 skipped: {_number(engine, refund)} (Return/Refund)"
    )


# --------------------------------------------------------------------------- sort arrow


def _click_header(qtbot: Any, page: OrdersPage, key: str) -> None:
    header = page.view.horizontalHeader()
    column = page.model.col[key]
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def test_the_sort_arrow_stays_on_the_column_the_list_is_sorted_by(
    qtbot: Any, page: OrdersPage
) -> None:
    header = page.view.horizontalHeader()
    created, total = page.model.col["created_at"], page.model.col["total"]
    page.model.load_all_keys()
    first = [page.model.key_at(r) for r in range(page.model.rowCount())]
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        created, Qt.SortOrder.DescendingOrder)  # fmt: skip

    for unsortable in ("shop", "buyer_name", "status"):
        assert header.isSectionHidden(page.model.col[unsortable]) is False
        _click_header(qtbot, page, unsortable)
        assert header.sortIndicatorSection() == created, unsortable
        assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        assert page.model.state.sort_key == "created_at"
        assert [page.model.key_at(r) for r in range(page.model.rowCount())] == first

    _click_header(qtbot, page, "total")
    assert header.sortIndicatorSection() == total
    assert page.model.state.sort_key == "total"
    page.model.load_all_keys()
    keys = [page.model.key_at(r) for r in range(page.model.rowCount())]
    assert keys != first
    with page.ctx.engine.connect() as conn:
        by_total = dict(conn.execute(sa.select(orders.c.id, orders.c.total)).all())
    listed = [by_total[k] for k in keys]
    ascending = header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert listed == sorted(listed, reverse=not ascending)

    # From a sorted column, an unsortable one puts the arrow back there, not on the date.
    order = header.sortIndicatorOrder()
    _click_header(qtbot, page, "shop")
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (total, order)


# --------------------------------------------------------------------------- preview


def test_a_large_preview_is_made_on_a_worker_then_opens(
    qtbot: Any, page: OrdersPage, shopee: dict[str, list[int]]
) -> None:
    ids = shopee["all"][:40]
    printer = page.printer
    assert printer.preview(ids, DocumentType.INVOICE) is None  # returned before the work
    assert printer.preview_dialog is None and printer.busy
    (job,) = ops.tracker().jobs  # shown in the jobs indicator, with Cancel
    assert job.title == "Print preview — Invoice"
    qtbot.waitUntil(lambda: printer.preview_dialog is not None, timeout=WAIT)
    dialog = printer.preview_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.property("documents") == 40 and not printer.busy
    assert job.progress.fraction == 1.0 and job.progress.message == "40/40"
    assert ops.tracker().jobs == []
    dialog.close()


def test_a_cancelled_preview_opens_nothing(
    qtbot: Any, page: OrdersPage, shopee: dict[str, list[int]]
) -> None:
    printer = page.printer
    printer.preview(shopee["all"] * 10, DocumentType.INVOICE)  # 600 documents
    (job,) = ops.tracker().jobs
    job.progress.cancel()  # the Cancel of the jobs indicator
    qtbot.waitUntil(lambda: not printer.busy, timeout=WAIT)
    assert printer.preview_dialog is None and ops.tracker().jobs == []
    assert job.progress.fraction < 1.0


# --------------------------------------------------------------------------- outbox clocks


def test_the_waiting_clocks_go_once_the_outbox_is_delivered(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, shopee: dict[str, list[int]]
) -> None:
    state = SyncState()
    state.update(waiting=5)  # as the status bar counted them
    page = show_widget(qtbot, OrdersPage(owner_ctx, sync_state=state), height=760)
    qtbot.waitUntil(lambda: page.model.rowCount() == 60, timeout=WAIT)
    page.model.load_all_keys()
    rows = {page.model.key_at(r): r for r in range(page.model.rowCount())}
    waiting = [rows[i] for i in shopee["confirmed"]]
    assert all(page.model.is_marked(r, "outbox_pending") for r in waiting)
    page.select_ids(shopee["confirmed"][:2])
    status = page.model.index(waiting[0], page.model.col["status"])
    assert page.model.data(status, Qt.ItemDataRole.DecorationRole) is not None

    _deliver_confirms(engine)
    state.update(waiting=0)  # the scheduler's delivery: it only updates the counts
    qtbot.waitUntil(
        lambda: not any(page.model.is_marked(r, "outbox_pending") for r in waiting), timeout=WAIT
    )
    assert page.model.data(status, Qt.ItemDataRole.DecorationRole) is None
    assert sorted(page.selected_ids()) == sorted(shopee["confirmed"][:2])  # still chosen
    close_page(qtbot, page, lambda: not page.busy and not page.counts_pending)


def test_a_preview_of_more_than_the_limit_shows_the_first_and_says_so(
    qtbot: Any, page: OrdersPage, shopee: dict[str, list[int]], monkeypatch: Any
) -> None:
    """Qt's dialog draws every page when it opens: a huge selection is previewed in part,
    and the title says which part (Print / Save as PDF make them all)."""
    from primedist.ui.printing import actions

    monkeypatch.setattr(actions, "PREVIEW_LIMIT", 5)
    printer = page.printer
    printer.preview(shopee["all"][:12], DocumentType.INVOICE)
    qtbot.waitUntil(lambda: printer.preview_dialog is not None, timeout=WAIT)
    dialog = printer.preview_dialog
    assert dialog is not None and dialog.property("documents") == 5
    assert dialog.windowTitle() == "Print preview — Invoice (the first 5 of 12 orders)"
    dialog.close()
