"""Dates in the services' messages, the sync indicator and the birthday field, as a shop
owner reads them: dd/mm/yyyy like every list of the app, a last sync of days ago with its
day (and saying it failed), no birthday after today."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QDate
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.core.messages import msg
from primedist.errors import PrimedistError
from primedist.services import purchase_orders as po
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncState
from primedist.ui.customers.editor import CustomerEditor
from primedist.ui.i18n import install_language
from primedist.ui.messages import error_text, localize
from primedist.ui.sync.status import SyncStatusWidget
from tests.factories import make_customers, make_product

pytestmark = pytest.mark.usefixtures("quiet")


def test_a_date_in_a_message_reads_day_first_in_both_languages(
    owner_ctx: ServiceContext, english: None
) -> None:
    (cup,) = make_product(owner_ctx.engine, "Gốm", [("COC-1", 45_000, 2)])
    with pytest.raises(PrimedistError) as caught:
        po.create_order(owner_ctx, po.OrderDraft("NCC A", [po.OrderLine(cup, 1)],
                                                 expected_on=date(2026, 11, 1)))  # fmt: skip
    assert error_text(caught.value).startswith("The expected day 01/11/2026 has already")
    install_language("vi")
    assert "01/11/2026" in error_text(caught.value)
    assert "2026-11-01" not in error_text(caught.value)
    stored_time = msg("at {when}", when=datetime(2026, 12, 3, 7, 5, tzinfo=UTC))
    assert localize(stored_time) == "at 03/12/2026 14:05"  # the shop's time


# --------------------------------------------------------------------------- sync indicator


def _indicator(qtbot: Any, ctx: ServiceContext, state: SyncState) -> SyncStatusWidget:
    widget = SyncStatusWidget(ctx, state=state)
    qtbot.addWidget(widget)
    widget.timer.stop()  # each step refreshes by hand
    return widget


def test_a_sync_of_another_day_shows_its_date_and_today_its_time(
    qtbot: Any, ctx: ServiceContext, clock: FixedClock, english: None
) -> None:
    # Now: 20/11/2026 10:00 in the shop.
    state = SyncState()
    state.update(last_sync_at=datetime(2026, 11, 20, 2, 5, tzinfo=UTC))
    widget = _indicator(qtbot, ctx, state)
    assert widget.text() == "Synced 09:05"
    clock.set(datetime(2026, 11, 20, 17, 1, tzinfo=UTC))  # 00:01 the next day, nothing new
    widget.refresh()
    assert widget.text() == "Synced 20/11/2026 09:05"
    install_language("vi")
    qtbot.waitUntil(lambda: widget.text() == "Đã đồng bộ 20/11/2026 09:05")


def test_a_failing_sync_says_so_not_only_in_the_tooltip(
    qtbot: Any, ctx: ServiceContext, clock: FixedClock, english: None
) -> None:
    synced = datetime(2026, 11, 17, 7, 5, tzinfo=UTC)  # three days ago, 14:05
    state = SyncState()
    state.update(last_sync_at=synced, last_error_at=clock.now(),
                 last_error=msg("{shop}: {reason}", shop="Shop Shopee", reason="needs "
                                "re-authorisation"))  # fmt: skip
    widget = _indicator(qtbot, ctx, state)
    assert widget.text() == "Sync failed · last synced 17/11/2026 14:05"
    assert widget.toolTip() == "Shop Shopee: needs re-authorisation"
    state.update(waiting=2)
    widget.refresh()
    assert widget.text() == "Sync failed · 2 actions waiting"
    clock.advance(timedelta(minutes=5))
    state.update(waiting=0, last_sync_at=clock.now())  # a sync after the failure: it is over
    widget.refresh()
    assert widget.text() == "Synced 10:05"


# --------------------------------------------------------------------------- birthday


def test_the_birthday_cannot_be_set_after_today(
    qtbot: Any, ctx: ServiceContext, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 20, 17, 30, tzinfo=UTC))  # 00:30 on 21/11 in the shop
    editor = CustomerEditor(ctx)
    qtbot.addWidget(editor)
    assert editor.birthday_edit.maximumDate() == QDate(2026, 11, 21)
    editor.birthday_known.setChecked(True)
    editor.birthday_edit.setDate(QDate(2031, 5, 5))
    assert editor.draft().birthday == date(2026, 11, 21)


def test_a_birthday_kept_from_before_the_check_is_shown_as_it_is(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    (cid,) = make_customers(engine, 1, names=["Khách Tương Lai"])
    with engine.begin() as conn:  # saved before the editor and the service checked it
        conn.execute(sa.text("UPDATE customers SET birthday = '2031-05-05' WHERE id = :c"),
                     {"c": cid})  # fmt: skip
    editor = CustomerEditor(ctx, cid)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.name_edit.text() == "Khách Tương Lai")
    assert editor.draft().birthday == date(2031, 5, 5)  # not cut to today: saving names it
