"""Offline texts of the status bar and the Sync panel: counted actions in proper English,
"Offline" alone with nothing waiting, the sync log's seconds with the reader's decimal
mark, and an action's whole subject in Vietnamese."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QTranslator
from sqlalchemy.engine import Engine

from primedist.core.messages import restored, stored_args
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncReport, SyncState
from primedist.ui.messages import localize
from primedist.ui.sync.panel import ActionsPage, SyncPanel
from primedist.ui.sync.status import SyncStatusWidget
from tests.factories import make_product, make_shop
from tests.ui.support import WAIT, show_widget
from tests.ui.sync.test_sync_panel import NOW

pytestmark = pytest.mark.usefixtures("no_crash")


def _shows(widget: SyncStatusWidget, state: SyncState, **values: Any) -> str:
    state.update(**values)
    widget.refresh()
    return widget.text()


@pytest.mark.usefixtures("english")
def test_the_status_bar_counts_in_proper_english_and_says_offline_alone(
    qtbot: Any, ctx: ServiceContext
) -> None:
    state = SyncState()
    widget = SyncStatusWidget(ctx, state=state)
    qtbot.addWidget(widget)
    assert _shows(widget, state, offline=True, waiting=29) == "Offline — 29 actions waiting"
    assert _shows(widget, state, waiting=1) == "Offline — 1 action waiting"
    assert _shows(widget, state, waiting=0) == "Offline"  # not "0 action(s) waiting"
    assert _shows(widget, state, failed=1) == "Offline · 1 action failed"
    assert _shows(widget, state, offline=False, waiting=2, failed=3) == (
        "3 actions failed · 2 actions waiting"
    )


@pytest.mark.usefixtures("english")
def test_the_panel_counts_its_actions_in_proper_english(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    shop = make_shop(engine, "Shopee A")
    with engine.begin() as conn:
        for n in (1, 2):
            conn.exec_driver_sql(
                "INSERT INTO outbox_messages (intent_key, kind, shop_id, payload_json, status,"
                " attempts, next_attempt_at, created_at, updated_at) VALUES"
                " (?, 'order.confirm', ?, ?, 'pending', 0, ?, ?, ?)",
                (f"confirm:{n}", shop, json.dumps({"external_id": f"SN{n}"}), NOW, NOW, NOW),
            )  # fmt: skip
    page = ActionsPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.message.text() == "2 actions", timeout=WAIT)


#: A stand-in for the catalogue's new string (the real one gets it later).
CATALOGUE = {("service", "{whole}.{tenths}"): "{whole},{tenths}"}


class StandIn(QTranslator):
    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: ANN001, ANN201
        return CATALOGUE.get((context, source))

    def isEmpty(self) -> bool:  # noqa: N802
        return False


@pytest.fixture
def catalogue(qapp: Any, vietnamese: None) -> Iterator[None]:
    translator = StandIn()
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)


@pytest.mark.usefixtures("catalogue")
def test_the_sync_logs_seconds_have_the_readers_decimal_mark() -> None:
    report = SyncReport(1, "Shopee A", fetched=3, inserted=1, updated=2, seconds=0.43)
    line = report.summary()
    assert line.endswith("(0.4 s)")  # the CLI's English
    # As the sync log keeps it and the panel reads it back.
    shown = localize(restored(line, stored_args(line)))
    assert "(0,4 " in shown
    assert "0.4" not in shown


@pytest.mark.usefixtures("vietnamese", "app_style")
def test_the_panel_shows_a_stock_pushs_whole_subject_in_vietnamese(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    shops = [make_shop(engine, "Prime Official - Shopee"),
             make_shop(engine, "Prime Store - Lazada", "lazada")]  # fmt: skip
    (variant,) = make_product(engine, "Áo khoác", [("CVXL0015-TIM-L", 99_000, 203)])
    long = "Không kết nối được Shopee tại http://127.0.0.1:1/api/v2: Connection refused " * 2
    with engine.begin() as conn:
        for n, (shop, kind) in enumerate(
            [(shops[0], "stock.push"), (shops[1], "stock.push"), (shops[1], "listing.upsert")]
        ):
            conn.exec_driver_sql(
                "INSERT INTO outbox_messages (intent_key, kind, shop_id, payload_json, status,"
                " attempts, next_attempt_at, last_error, created_at, updated_at) VALUES"
                " (?, ?, ?, ?, 'pending', 2, ?, ?, ?, ?)",
                (f"k:{n}", kind, shop, json.dumps({"variant_id": variant, "available": 203,
                                                   "product_id": 1}),
                 NOW, long, NOW, NOW),
            )  # fmt: skip
    panel = SyncPanel(ctx)
    qtbot.addWidget(panel)
    show_widget(qtbot, panel, 1040, 560)  # its own size
    table = panel.actions_page.table
    qtbot.waitUntil(lambda: table.rowCount() == 3, timeout=WAIT)
    table.fit_columns()
    about = table.item(0, 2).text()
    assert about.startswith("CVXL0015-TIM-L") and "203" in about

    def whole(row: int, column: int) -> bool:
        index = table.model().index(row, column)
        return table.columnWidth(column) >= table.sizeHintForIndex(index).width()

    # "CVXL0015-TIM-L · 203 có sẵn", not "CVXL001…"; "Cập nhật tồn kho" whole too (only
    # the longest action label, "Cập nhật sản phẩm trên sàn", gives way).
    assert all(whole(r, 2) for r in range(3))
    assert whole(0, 1) and whole(1, 1)
    assert table.columnWidth(6) >= table.horizontalHeader().sectionSizeFromContents(6).width()
