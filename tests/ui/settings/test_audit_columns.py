"""Settings → Audit log fits its columns to the page: on a laptop-wide page every column,
Before and After too, is in sight (no sideways scrolling), a user's name is whole, and
each long cell says all on hover. A wider page widens the summary and the values; a
column the user sized keeps its width. The PC column shows when the rows name two PCs."""

from __future__ import annotations

import html
from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.core import host
from primedist.domain.enums import Role
from primedist.services import auth, schedule_settings, staff
from primedist.services.context import ServiceContext
from primedist.ui.settings.audit import AuditLogSettings
from tests.ui.support import show_widget

WAIT = 10_000
TIP = Qt.ItemDataRole.ToolTipRole
pytestmark = pytest.mark.usefixtures("quiet", "vietnamese", "app_style")


@pytest.fixture
def page(qtbot: Any, owner_ctx: ServiceContext) -> Any:
    """The page at a 1366 × 768 screen's width beside Settings' menu, over rows of a
    manager with a long name: a staff member added, a setting changed twice."""
    issued = staff.add_staff(owner_ctx, name="Nguyễn Thị Thanh Hương", email="huong@shop.vn",
                             role=Role.MANAGER)  # fmt: skip
    huong = owner_ctx.with_actor(auth.login(owner_ctx, "huong@shop.vn", issued.one_time_password))
    staff.add_staff(huong, name="Trần Văn Bình Minh", email="minh@shop.vn", role=Role.STAFF)
    schedule_settings.set_sync_interval(huong, 20)
    schedule_settings.set_sync_interval(huong, 45)
    widget = show_widget(qtbot, AuditLogSettings(owner_ctx), width=1100, height=600)
    qtbot.waitUntil(lambda: widget.model.rowCount() >= 6, timeout=WAIT)
    qtbot.waitUntil(lambda: widget.model.index(0, 1).data() == "Nguyễn Thị Thanh Hương")
    qtbot.wait(50)  # the columns are measured once the rows show
    yield widget
    widget.shutdown()


def column(page: Any, key: str) -> int:
    return [c.key for c in page.model.spec.columns].index(key)


def everything_in_sight(page: Any) -> None:
    view = page.view
    assert view.horizontalScrollBar().maximum() == 0
    room = view.viewport().width()
    for key in ("before", "after"):
        c = column(page, key)
        assert view.columnViewportPosition(c) + view.columnWidth(c) <= room, key


def test_every_column_is_in_sight_and_a_name_is_whole(qtbot: Any, page: Any) -> None:
    everything_in_sight(page)
    view, user = page.view, column(page, "user")
    assert view.columnWidth(user) >= view.sizeHintForColumn(user)  # not "Nguyễn Thị Than…"
    for key in ("summary", "before", "after"):
        assert view.columnWidth(column(page, key)) >= 120


def test_a_long_cell_says_all_on_hover(page: Any) -> None:
    model = page.model
    for key in ("summary", "before", "after", "entity", "user"):
        cells = [model.index(row, column(page, key)) for row in range(model.rowCount())]
        filled = [c for c in cells if c.data()]
        assert filled, key
        for cell in cells:  # Qt.ItemDataRole.ToolTipRole: the text, wrapped when long
            assert cell.data(TIP) == (f"<p>{html.escape(cell.data())}</p>" if cell.data() else None)
    assert model.index(0, column(page, "created_at")).data(TIP) is None


def test_a_wider_page_widens_the_long_columns_and_a_sized_column_stays(
    qtbot: Any, page: Any
) -> None:
    view = page.view
    narrow = {k: view.columnWidth(column(page, k)) for k in ("summary", "before", "after")}
    page.resize(1700, 600)
    qtbot.waitUntil(lambda: view.columnWidth(column(page, "summary")) > narrow["summary"])
    everything_in_sight(page)
    for key, width in narrow.items():
        assert view.columnWidth(column(page, key)) > width, key

    view.horizontalHeader().resizeSection(column(page, "action"), 300)  # the user's drag
    page.resize(1300, 600)
    qtbot.waitUntil(lambda: view.columnWidth(column(page, "summary")) < 400)
    assert view.columnWidth(column(page, "action")) == 300


def test_the_pc_column_shows_once_the_rows_name_two_pcs(
    qtbot: Any, page: Any, other_pc: ServiceContext
) -> None:
    """At a shop with one PC the column would repeat its name on every row: hidden. Rows
    from another PC on the same database show it, every column still in sight; a list
    whose rows name one PC hides it again."""
    view, pc = page.view, column(page, "pc")
    assert view.isColumnHidden(pc)
    schedule_settings.set_sync_interval(other_pc, 30)  # at the counter's PC
    page.apply_filter()
    qtbot.waitUntil(lambda: not view.isColumnHidden(pc), timeout=WAIT)
    model = page.model
    assert model.index(0, pc).data() == "KHO-PC"
    assert model.index(1, pc).data() == host.HOST
    assert model.index(0, pc).data(TIP) == "<p>KHO-PC</p>"
    qtbot.waitUntil(lambda: view.columnWidth(pc) >= view.sizeHintForColumn(pc), timeout=WAIT)
    everything_in_sight(page)

    page.kind.setCurrentIndex(page.kind.findData("staff"))  # only this PC's rows
    qtbot.waitUntil(lambda: view.isColumnHidden(pc), timeout=WAIT)
    everything_in_sight(page)
