"""Settings → Loyalty points says, live, what share of an order the rule gives back (in a
warning colour when it is a lot), and saves which channels' orders earn."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.domain.enums import Channel
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import read_points_settings
from primedist.ui.settings.points import PointsSettingsSection
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def test_the_share_given_back_shows_live(qtbot: Any, owner_ctx: ServiceContext) -> None:
    section = show_widget(qtbot, PointsSettingsSection(owner_ctx), 800, 500)
    # The default: 1 point per 10,000 đ, worth 1,000 đ.
    assert section.back.text() == (
        "≈ 10% of the order's value comes back as points: that is a lot "
        "(shops usually give 1–5%).")  # fmt: skip
    assert section.back.property("high") is True
    section.earn_per.set_amount(100_000)
    assert section.back.text() == "≈ 1% of the order's value comes back as points."
    assert section.back.property("high") is False
    section.earn_per.set_amount(30_000)
    assert section.back.text() == "≈ 3.3% of the order's value comes back as points."
    section.earn_per.set_amount(0)
    assert section.back.text() == "Earning is off: orders earn no points."
    assert section.back.property("high") is False


def test_the_channels_that_earn_are_ticked_and_saved(qtbot: Any, owner_ctx: ServiceContext) -> None:
    section = show_widget(qtbot, PointsSettingsSection(owner_ctx), 800, 500)
    ticked = {c for c, check in section.channel_checks.items() if check.isChecked()}
    assert ticked == {Channel.OFFLINE}  # a new shop: its own sales only
    assert section.channel_checks[Channel.TIKTOK].text() == "TikTok Shop"
    section.channel_checks[Channel.SHOPEE].setChecked(True)
    section.channel_checks[Channel.OFFLINE].setChecked(False)
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text() == "Saved.", timeout=WAIT)
    assert read_points_settings(owner_ctx).channels == {Channel.SHOPEE}
    again = show_widget(qtbot, PointsSettingsSection(owner_ctx), 800, 500)
    assert {c for c, check in again.channel_checks.items() if check.isChecked()} == {
        Channel.SHOPEE}  # fmt: skip
