"""Scheduled prices driven like a shop owner preparing a weekend sale: Change prices… →
When: At a set time (name, start, end) → Schedule; Scheduled prices lists it; the scheduler
starts it at its time; End now gives the prices back; a waiting one cancelled; in
Vietnamese too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QDate, QDateTime, Qt, QTime

from primedist.core.clock import FixedClock, shop_tz
from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services import price_schedule as ps
from primedist.services.catalogue import VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.price_change import PriceField, PriceMode
from primedist.ui.i18n import install_language
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.price_dialog import PriceChangeDialog, mode_key
from primedist.ui.products.price_schedules import PriceSchedulesDialog
from tests.conftest import FIXED_NOW
from tests.factories import add_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
v = table_of(Variant).c


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext) -> Iterator[ProductsPage]:
    add_product(owner_ctx, "Áo thun trắng", [
        VariantDraft(sku="AO-TRANG-S", option1="S", price=100_000, stock=10),
        VariantDraft(sku="AO-TRANG-M", option1="M", price=120_000, stock=4),
    ])  # fmt: skip
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 1, timeout=WAIT)
    yield p
    p.shutdown()


def discounts(ctx: ServiceContext) -> dict[str, int | None]:
    with ctx.engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(sa.select(v.sku, v.discount_price))}


def set_time(edit, when: datetime) -> None:
    edit.setDateTime(QDateTime(QDate(when.year, when.month, when.day),
                               QTime(when.hour, when.minute)))  # fmt: skip


def test_a_weekend_sale_scheduled_started_and_ended_now(
    qtbot, page: ProductsPage, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    page.list.view.selectAll()
    qtbot.mouseClick(page.list.prices_button, Qt.MouseButton.LeftButton)
    dialog = page.last_dialog
    assert isinstance(dialog, PriceChangeDialog)
    assert not dialog.schedule_name.isVisibleTo(dialog)
    dialog.field.setCurrentIndex(dialog.field.findData(PriceField.DISCOUNT))
    dialog.mode.setCurrentIndex(dialog.mode.findData(mode_key(PriceMode.PERCENT_OFF, 1)))
    dialog.value.setText("20")
    dialog.when.setCurrentIndex(1)
    assert dialog.schedule_name.isVisibleTo(dialog) and dialog.ends.isVisibleTo(dialog)
    assert dialog.apply_button.text() == "Schedule"
    # Defaults: from the next midnight (shop time), for three days.
    local_now = FIXED_NOW.astimezone(shop_tz())
    assert dialog.starts.date().toPython() == local_now.date() + timedelta(days=1)
    assert dialog.starts.time().hour() == 0 and dialog.ends_check.isChecked()
    dialog.schedule_name.setText("Cuối tuần 12.12")
    start = local_now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    set_time(dialog.starts, start)
    set_time(dialog.ends, start + timedelta(days=2))
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=WAIT)
    with qtbot.waitSignal(dialog.scheduled, timeout=WAIT) as sig:
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    row = sig.args[0]
    assert (row.name, row.starts_at, row.ends_at) == ("Cuối tuần 12.12", start,
                                                      start + timedelta(days=2))  # fmt: skip
    assert set(discounts(owner_ctx).values()) == {None}  # nothing before its start

    qtbot.mouseClick(page.list.schedules_button, Qt.MouseButton.LeftButton)
    listing = page.last_dialog
    assert isinstance(listing, PriceSchedulesDialog)
    assert listing.table.rowCount() == 1
    cells = [listing.table.item(0, c).text() for c in range(7)]
    assert cells[0] == "Cuối tuần 12.12" and cells[5] == "Waiting"
    assert cells[1] == "discount price 20% off the selling price"
    listing.table.selectRow(0)
    assert listing.stop_button.text() == "Cancel schedule" and listing.stop_button.isEnabled()

    clock.advance(timedelta(hours=3))
    ps.run_due(owner_ctx)  # what the scheduler's minute job does
    assert discounts(owner_ctx) == {"AO-TRANG-S": 80_000, "AO-TRANG-M": 96_000}
    listing.refresh()
    listing.table.selectRow(0)
    assert listing.table.item(0, 5).text() == "Running"
    assert listing.stop_button.text() == "End now"
    qtbot.mouseClick(listing.stop_button, Qt.MouseButton.LeftButton)
    assert set(discounts(owner_ctx).values()) == {None}
    assert listing.table.rowCount() == 0  # over: shown with Show finished
    listing.finished_check.setChecked(True)
    assert listing.table.item(0, 5).text() == "Done"
    assert listing.table.item(0, 6).text() == "2 variants had their price back"
    assert not listing.stop_button.isEnabled()


def test_a_waiting_change_cancelled_and_a_refusal_shown(
    qtbot, page: ProductsPage, owner_ctx: ServiceContext
) -> None:
    page.list.view.selectAll()
    qtbot.mouseClick(page.list.prices_button, Qt.MouseButton.LeftButton)
    dialog = page.last_dialog
    assert isinstance(dialog, PriceChangeDialog)
    dialog.value.setText("90000")  # set to 90,000
    dialog.when.setCurrentIndex(1)
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)  # no name
    qtbot.waitUntil(lambda: "name of 1 to 120" in dialog.refusal.text(), timeout=WAIT)
    qtbot.wait(600)  # the preview runs again meanwhile (PREVIEW_DELAY_MS) ...
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=WAIT)
    # ... and the refusal stays on screen, the Name field marked and focused.
    assert "name of 1 to 120" in dialog.refusal.text() and dialog.refusal.isVisible()
    assert dialog.summary.text() == "2 of 2 variants change."
    assert dialog.schedule_name.property("invalid") is True
    assert dialog.focusWidget() is dialog.schedule_name
    assert dialog.isVisible()
    dialog.schedule_name.setText("Đồng giá 90k")  # typing there answers it
    assert not dialog.refusal.isVisible() and not dialog.schedule_name.property("invalid")
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=WAIT)
    with qtbot.waitSignal(dialog.scheduled, timeout=WAIT):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    listing = show_widget(qtbot, PriceSchedulesDialog(owner_ctx))
    listing.table.selectRow(0)
    qtbot.mouseClick(listing.stop_button, Qt.MouseButton.LeftButton)
    assert listing.table.rowCount() == 0
    assert [r.state.value for r in ps.list_schedules(owner_ctx, finished=True)] == ["cancelled"]


def test_in_vietnamese(
    qtbot, owner_ctx: ServiceContext, page: ProductsPage, clock: FixedClock
) -> None:
    from decimal import Decimal

    from primedist.services import price_change as pc
    from primedist.services import reports
    from primedist.ui.home.activity_text import describe

    ids = [page.list.model.key_at(0) or 0]
    rule = pc.PriceRule(PriceField.DISCOUNT, PriceMode.PERCENT_OFF, Decimal(10))
    ps.schedule_prices(owner_ctx, "Giờ vàng", ids, rule, FIXED_NOW, FIXED_NOW + timedelta(hours=1))
    ps.run_due(owner_ctx)
    clock.advance(timedelta(hours=1))
    ps.run_due(owner_ctx)
    feed = [e for e in reports.events(owner_ctx) if e.args.get("event") == "price_schedule"]
    install_language("vi")
    assert [describe(e, "vi") for e in feed] == [
        "Chương trình giá “Giờ vàng” đã kết thúc: 2 phân loại về giá cũ",
        "Chương trình giá “Giờ vàng” đã bắt đầu: đổi giá 2 phân loại",
    ]
    listing = show_widget(qtbot, PriceSchedulesDialog(owner_ctx))
    assert listing.windowTitle() == "Chương trình đổi giá theo lịch"
    qtbot.waitUntil(lambda: page.list.schedules_button.text() == "Giá theo lịch", timeout=WAIT)
