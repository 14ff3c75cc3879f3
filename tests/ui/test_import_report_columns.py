"""The import report names a rejected row's column whole: by its header in the file, by
its name too when the file headed it by the template's key (`discount_price`), never cut
("discount_p…"), the whole text on hover. Real dialog with the app's style sheet."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.core.messages import msg
from primedist.services.import_support import RejectedRow
from primedist.ui.import_report import ImportReportDialog
from primedist.ui.products.page import column_names
from primedist.ui.widgets import CELL_PADDING

pytestmark = pytest.mark.usefixtures("app_style")


def shown_whole(dialog: ImportReportDialog, row: int) -> bool:
    item = dialog.table.item(row, 1)
    width = dialog.table.fontMetrics().horizontalAdvance(item.text()) + CELL_PADDING
    return dialog.table.columnWidth(1) >= width and item.toolTip() == item.text()


def test_a_column_headed_by_its_key_is_named_and_shown_whole(qtbot: Any) -> None:
    rejected = [
        RejectedRow(7, "discount_price", msg("is empty (a value is required)")),
        RejectedRow(9, "Tồn kho", msg("is empty (a value is required)")),  # the file's header
        RejectedRow(12, None, msg("is empty (a value is required)")),
    ]
    dialog = ImportReportDialog("1 rejected", rejected, column_names=column_names())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    assert [table.item(r, 1).text() for r in range(3)] == [
        "Discount price (discount_price)", "Tồn kho", ""]  # fmt: skip
    assert shown_whole(dialog, 0) and shown_whole(dialog, 1)
    # The reason still has the room that is left.
    assert table.columnWidth(2) >= 200


@pytest.mark.usefixtures("vietnamese")
def test_in_vietnamese_the_key_is_named_in_vietnamese(qtbot: Any) -> None:
    rejected = [RejectedRow(7, "low_stock_level", msg("is empty (a value is required)"))]
    dialog = ImportReportDialog("", rejected, column_names=column_names())
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.item(0, 1).text() == "Mức tồn kho thấp (low_stock_level)"
    assert shown_whole(dialog, 0)
