"""A refusal said on a page's message line reads red (`QLabel[error="true"]` in the app's
style sheet), not in the grey of "Points adjusted"; the next success is grey again. The
property changes after the label is shown: the label is polished again for it to show."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.ui.customers.loyalty_panel import PointsAdjustBar
from primedist.ui.settings.levels import LevelsSettings
from tests.services.loyalty.conftest import customers_with
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "english", "app_style")

RED = "#b91c1c"
MUTED = "#6b7280"  # QLabel#muted


def colour(label: QLabel) -> str:
    return label.palette().color(label.foregroundRole()).name()


def test_a_refused_adjustment_is_red_and_the_next_one_grey(
    qtbot: QtBot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    (cid,) = customers_with(engine, [{"points_balance": 689, "points_earned": 689}])
    bar = show_widget(qtbot, PointsAdjustBar(owner_ctx, cid), 700, 120)
    assert colour(bar.message) == MUTED
    bar.delta.setValue(-5_000)
    bar.reason.setText("test trừ")
    qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "689" in bar.message.text(), timeout=WAIT)
    assert colour(bar.message) == RED  # was the grey of a success
    bar.delta.setValue(-5)
    bar.reason.setText("test trừ")
    with qtbot.waitSignal(bar.adjusted, timeout=WAIT):
        qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    assert bar.message.text() == "Points adjusted: 684 remaining."
    assert colour(bar.message) == MUTED


def test_a_settings_page_refusal_is_red(qtbot: QtBot, owner_ctx: ServiceContext) -> None:
    levels.save_level(owner_ctx, name="VIP", code="VIP")
    section = show_widget(qtbot, LevelsSettings(owner_ctx), 1000, 700)
    section.table.selectRow(0)
    section.sku.setText("NOPE")
    section.price.set_amount(90_000)
    qtbot.mouseClick(section.set_price_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "NOPE" in section.message.text(), timeout=WAIT)
    assert colour(section.message) == RED
