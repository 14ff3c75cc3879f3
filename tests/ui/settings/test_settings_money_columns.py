"""Settings → Vouchers (minimum order, discount given) and Customer groups (automatic
upgrade threshold) show money as the rest of the app does: they read a bare "150.000"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QTableWidget
from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.services.loyalty.vouchers import VoucherDraft, save_voucher
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.i18n import install_language
from primedist.ui.settings.levels import LevelsSettings
from primedist.ui.settings.vouchers import VouchersSettings
from tests.factories import make_product
from tests.ui.support import show_widget

MONEY = {"en": ("150,000 VND", "20,000 VND", "2,000,000 VND"),
         "vi": ("150.000 ₫", "20.000 ₫", "2.000.000 ₫")}  # fmt: skip


def text(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    assert item is not None
    return item.text()


@pytest.fixture(params=["en", "vi"])
def lang(request: pytest.FixtureRequest, qapp: Any) -> Iterator[str]:
    install_language(request.param)
    yield request.param
    install_language("en")


def test_voucher_money_columns_are_money_and_uses_a_count(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, lang: str
) -> None:
    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 200_000, 10)])
    save_voucher(owner_ctx, VoucherDraft("GIAM20", value=20_000, min_order_value=150_000,
                                         usage_limit=1_000))  # fmt: skip
    order_svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(shirt, 1),), voucher_code="GIAM20", source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD))  # fmt: skip
    section = show_widget(qtbot, VouchersSettings(owner_ctx), 1100, 600)
    minimum, given, _threshold = MONEY[lang]
    cells = [text(section.table, 0, c) for c in (2, 4, 5)]
    uses = "1 / 1,000" if lang == "en" else "1 / 1.000"
    assert cells == [minimum, uses, given]


def test_the_groups_upgrade_threshold_is_money(
    qtbot: Any, owner_ctx: ServiceContext, lang: str
) -> None:
    levels.save_level(owner_ctx, name="Khách thân thiết", code="REG", upgrade_threshold=2_000_000)
    levels.save_level(owner_ctx, name="Khách sỉ", code="WS", upgrade_threshold=None)
    section = show_widget(qtbot, LevelsSettings(owner_ctx), 900, 700)
    table = section.table
    shown = {text(table, r, 1): text(table, r, 2) for r in range(table.rowCount())}
    assert shown == {"REG": MONEY[lang][2], "WS": "—"}
    assert text(table, 0, 3) == "0"  # members: a count, no currency
