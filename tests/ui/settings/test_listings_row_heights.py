# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Fetch listings: the unlinked items' rows fit their text at the width the dialog grows
to (860 px) when the table appears, not at the narrow width they were first measured at
(rows ~180 px tall, one item on screen at a time)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.services.context import ServiceContext
from primedist.ui.settings.channels import ChannelsSettings
from primedist.ui.settings.listings_dialog import COL_REASON, FetchListingsDialog
from tests.ui.settings.test_channels_listings import (
    WAIT_MS,
    sandbox,  # noqa: F401  (fixture)
    select,
    shop_id,  # noqa: F401  (fixture)
)

pytestmark = pytest.mark.usefixtures("quiet", "english", "app_style")


def test_unlinked_rows_are_of_a_normal_height_once_shown_at_860_px(
    qtbot: Any, owner_ctx: ServiceContext, shop_id: int  # noqa: F811
) -> None:
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.show()
    select(widget, "Shopee Sandbox")
    dialog = widget.fetch_listings()
    assert isinstance(dialog, FetchListingsDialog)
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT_MS)
    table = dialog.table
    assert table.rowCount() >= 3
    # On a desktop the window manager applies the dialog's growth later: its rows were
    # first measured at the width it had (as here), then the dialog got its 860 px.
    dialog.resize(640, dialog.height())
    qtbot.waitUntil(lambda: dialog.width() == 640)
    dialog._fit_rows()
    narrow = max(table.rowHeight(r) for r in range(table.rowCount()))
    dialog.resize(860, dialog.height())
    qtbot.waitUntil(lambda: dialog.width() >= 860)
    # At most two lines of text a row (the reason wraps once at most at this width).
    line = table.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: max(table.rowHeight(r) for r in range(table.rowCount()))
                    <= 2 * line + 16, timeout=WAIT_MS)  # fmt: skip
    for row in range(table.rowCount()):  # and still whole: each as tall as its text
        assert table.rowHeight(row) >= table.sizeHintForRow(row), row
    assert table.columnWidth(COL_REASON) > 300
    assert max(table.rowHeight(r) for r in range(table.rowCount())) < narrow
    visible = table.viewport().height() // table.rowHeight(0)
    assert visible >= 3  # several unlinked items at a time
    dialog.close()
