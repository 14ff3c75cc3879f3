"""Scheduled prices after they ran, in Vietnamese: why one failed and the prices kept by
hand read in Vietnamese (numbers as Vietnamese writes them), in the list and on Home; one
ended early with End now shows when it ended, its planned end in the tooltip; an older
plain note shows as it is."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from primedist.core.clock import FixedClock, format_datetime, shop_tz
from primedist.domain.base import table_of
from primedist.domain.price_schedule import PriceSchedule
from primedist.services import price_change as pc
from primedist.services import price_schedule as ps
from primedist.services import reports
from primedist.services.catalogue import VariantDraft
from primedist.services.context import ServiceContext
from primedist.ui.home.activity_text import describe
from primedist.ui.i18n import install_language
from primedist.ui.products.price_schedules import PriceSchedulesDialog
from tests.conftest import FIXED_NOW
from tests.factories import add_product
from tests.ui.support import show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
HOUR = timedelta(hours=1)
FAILED = ("AO-TRANG-S: giá mới 95.000 thấp hơn giá khuyến mãi 98.000: hãy đổi hoặc bỏ giá "
          "khuyến mãi trước")  # fmt: skip


def cells(dialog: PriceSchedulesDialog, row: int) -> list[str]:
    return [dialog.table.item(row, c).text() for c in range(7)]


@pytest.fixture
def ran(owner_ctx: ServiceContext, clock: FixedClock) -> dict[str, int]:
    """A 10 % sale on the cap running (its price then set by hand), a 95,000 price on the
    shirt that failed at its start (a discount price of 98,000 was set meanwhile)."""
    shirt = add_product(owner_ctx, "Áo thun trắng", [
        VariantDraft(sku="AO-TRANG-S", option1="S", price=100_000, stock=10),
        VariantDraft(sku="AO-TRANG-M", option1="M", price=120_000, stock=4),
    ])  # fmt: skip
    cap = add_product(owner_ctx, "Mũ lưỡi trai", [VariantDraft(sku="MU-DO", price=60_000)])
    sale = ps.schedule_prices(
        owner_ctx, "Giảm 10%", [cap],
        pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.PERCENT, Decimal(-10), 1000),
        FIXED_NOW, FIXED_NOW + 48 * HOUR)  # fmt: skip
    flat = ps.schedule_prices(owner_ctx, "Đồng giá 95k", [shirt],
                              pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.SET, Decimal(95_000)),
                              FIXED_NOW + HOUR)  # fmt: skip
    ps.run_due(owner_ctx)
    pc.change_prices(
        owner_ctx, [shirt], pc.PriceRule(pc.PriceField.DISCOUNT, pc.PriceMode.SET, Decimal(98_000))
    )
    pc.change_prices(
        owner_ctx, [cap], pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.SET, Decimal(55_000))
    )
    clock.advance(HOUR)
    assert ps.run_due(owner_ctx) == ps.RunReport(failed=("Đồng giá 95k",))
    return {"sale": sale.id, "flat": flat.id}


def test_notes_and_the_end_in_vietnamese(
    qtbot, owner_ctx: ServiceContext, clock: FixedClock, ran: dict[str, int]
) -> None:
    dialog = show_widget(qtbot, PriceSchedulesDialog(owner_ctx))
    assert dialog.table.horizontalHeaderItem(4).text() == "End"
    install_language("vi")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Chương trình đổi giá theo lịch")
    dialog.finished_check.setChecked(True)
    assert [cells(dialog, r)[0] for r in range(2)] == ["Giảm 10%", "Đồng giá 95k"]
    planned = format_datetime(FIXED_NOW + 48 * HOUR, shop_tz(), "vi")
    assert cells(dialog, 0)[4] == planned  # running: its planned end
    assert cells(dialog, 1)[6] == FAILED
    clock.advance(2 * HOUR)
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)  # End now
    ended = format_datetime(FIXED_NOW + 3 * HOUR, shop_tz(), "vi")
    assert cells(dialog, 0)[4] == ended
    assert planned in dialog.table.item(0, 4).toolTip()
    assert cells(dialog, 0)[6] == "1 phân loại giữ giá đã sửa tay trong thời gian chạy."
    # Home says why it failed in Vietnamese too.
    feed = [e for e in reports.events(owner_ctx) if e.args.get("stage") == "failed"]
    assert [describe(e, "vi") for e in feed] == [
        f"Chương trình giá “Đồng giá 95k” không bắt đầu được: {FAILED}. Không giá nào thay đổi."
    ]
    install_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Scheduled price changes")
    assert cells(dialog, 1)[6].endswith("price 95,000 is below its discount price 98,000: "
                                        "change or remove the discount price first")  # fmt: skip


def test_an_older_plain_note_shows_as_it_is(
    qtbot, owner_ctx: ServiceContext, ran: dict[str, int]
) -> None:
    s = table_of(PriceSchedule)
    with owner_ctx.engine.begin() as conn:
        conn.execute(sa.update(s).where(s.c.id == ran["flat"]).values(message="Lỗi cũ: gõ tay"))
    install_language("vi")
    dialog = show_widget(qtbot, PriceSchedulesDialog(owner_ctx))
    dialog.finished_check.setChecked(True)
    assert cells(dialog, 1)[6] == "Lỗi cũ: gõ tay"
