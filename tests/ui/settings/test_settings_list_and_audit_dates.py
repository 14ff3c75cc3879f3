"""Settings as the owner uses it: the section list's rows as tall as the style makes them,
and the audit log's dates and counts (a date chosen filters; counts in the UI's language)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QDate

from primedist.domain.audit import AuditEvent
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.settings.audit import AuditLogSettings
from primedist.ui.settings.page import SettingsPage
from tests.ui.support import show_widget

WAIT = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.mark.usefixtures("app_style")
def test_section_rows_do_not_overlap_on_first_show(qtbot: Any, owner_ctx: ServiceContext) -> None:
    """The list was laid out before its style sheet's padding applied: rows 18 px apart,
    each drawn 36 px tall, so the highlighted title covered the ones beside it."""
    page = show_widget(qtbot, SettingsPage(owner_ctx))
    view = page.sections
    rects = [view.visualItemRect(view.item(i)) for i in range(view.count())]
    for above, below in zip(rects, rects[1:], strict=False):
        assert below.top() > above.bottom()
    assert rects[0].height() >= view.fontMetrics().height() + 16  # the 8 px padding kept


def _audit(ctx: ServiceContext) -> AuditLogSettings:
    page = AuditLogSettings(ctx)
    page.resize(1200, 600)
    page.show()
    return page


def test_choosing_a_date_filters_the_audit_log_by_it(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = _audit(owner_ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=WAIT)  # setup, shop profile
    assert not page.use_from.isChecked()
    # The rows are of the 20th (the fixed clock): from the 21st there are none.
    page.date_from.setDate(QDate(2026, 11, 21))
    assert page.use_from.isChecked()
    assert page.current_filter().date_from == date(2026, 11, 21)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=WAIT)
    page.date_from.setDate(QDate(2026, 11, 20))  # already ticked: the filter follows
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=WAIT)
    page.date_to.setDate(QDate(2026, 11, 19))  # before From: said, not applied
    assert page.use_to.isChecked() and page.message.isVisible()
    page.shutdown()


@pytest.mark.usefixtures("vietnamese")
def test_audit_row_count_reads_in_vietnamese(qtbot: Any, owner_ctx: ServiceContext) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [{"action": "settings.change", "summary": f"row {i}",
             "created_at": start + timedelta(minutes=i)} for i in range(1_200)]  # fmt: skip
    with owner_ctx.engine.begin() as conn:
        conn.execute(sa.insert(AuditEvent.__table__), rows)  # type: ignore[attr-defined]
    install_language("vi")  # after `quiet`'s English (the fixture puts English back)
    page = _audit(owner_ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.count.text() != "", timeout=WAIT)
    assert page.count.text() == "1.202 dòng"  # not "1,202": a Vietnamese reader's 1.202
    page.shutdown()
