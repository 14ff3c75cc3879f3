"""Settings → Loyalty points of a shop just set up: its rule gives 1% back, said plainly,
not in the warning colour "that is a lot" (10% at the old default)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from primedist.services.context import ServiceContext
from primedist.ui.settings.points import PointsSettingsSection
from tests.services.test_new_shop_points_rule import set_up
from tests.ui.support import show_widget

pytestmark = pytest.mark.usefixtures("quiet", "english")


def test_a_new_shop_opens_on_one_percent_back(qtbot: QtBot, ctx: ServiceContext) -> None:
    section = show_widget(qtbot, PointsSettingsSection(set_up(ctx)), 900, 600)
    assert (section.earn_per.amount(), section.point_value.amount()) == (100_000, 1_000)
    assert section.back.text() == "≈ 1% of the order's value comes back as points."
    assert not section.back.property("high")
