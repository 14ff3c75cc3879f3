"""An empty Segments page says what a segment is for and how to make one (as the other
lists' empty lines do), and the line goes once a segment is there."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.services.context import ServiceContext
from primedist.ui.customers.segments import SegmentsPage
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("no_crash")


@pytest.mark.usefixtures("english")
def test_no_segment_yet_says_what_one_is_for_and_how_to_make_it(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    page = SegmentsPage(owner_ctx)
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        show_widget(qtbot, page)
    hint = page.empty_hint
    assert page.table.rowCount() == 0 and hint.isVisible()
    text = hint.text()
    assert text.startswith("No segments yet. A segment is a named list of customers")
    # The page's own button, and the Customers list's bulk action that fills a segment.
    assert page.new_button.text() in text and "Add to segment…" in text
    assert hint.geometry().center() == page.table.viewport().rect().center()

    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.new_segment("VIP")
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    assert page.table.rowCount() == 1 and not hint.isVisible()


@pytest.mark.usefixtures("vietnamese")
def test_the_empty_line_follows_the_language(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = SegmentsPage(owner_ctx)
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        show_widget(qtbot, page)
    assert page.empty_hint.isVisible()
    assert page.empty_hint.text().startswith("Chưa có phân khúc nào.")
