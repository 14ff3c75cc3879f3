"""Settings → Audit log names each row's record (a customer by name and code, a staff
member by name) instead of the database id the owner never sees, and a double-click opens
the row whole: each field before and after, in the app's words."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.domain.enums import Role
from primedist.services import customers, staff
from primedist.services.context import ServiceContext
from primedist.ui.settings.audit import AuditLogSettings
from primedist.ui.settings.audit_detail import AuditDetailDialog
from tests.ui.support import show_widget

WAIT = 10_000
pytestmark = pytest.mark.usefixtures("quiet", "vietnamese", "app_style")


def test_records_show_by_name_and_a_double_click_shows_before_and_after(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    staff.add_staff(owner_ctx, name="Trần Văn Bình Minh", email="minh@shop.vn", role=Role.STAFF)
    added = customers.add_customer(owner_ctx, customers.CustomerDraft(
        name="Nguyễn Thị Hoa", phones=["0965118022"]))  # fmt: skip
    cid = added.customer_id
    code = customers.customer_code(cid)
    customers.update_customer(owner_ctx, cid, customers.CustomerDraft(
        name="Nguyễn Thị Hoà", phones=["0965118022"], note="Khách sỉ"))  # fmt: skip
    page = show_widget(qtbot, AuditLogSettings(owner_ctx), width=1100, height=600)
    try:
        model = page.model
        record = [c.key for c in model.spec.columns].index("entity")
        qtbot.waitUntil(lambda: model.rowCount() >= 3, timeout=WAIT)
        cells = [model.index(r, record).data() for r in range(model.rowCount())]
        assert f"khách hàng: Nguyễn Thị Hoà ({code})" in cells
        assert any(c and c.endswith(": Trần Văn Bình Minh") for c in cells)
        assert not any(c == f"khách hàng {cid}" for c in cells)  # no bare ids

        row = cells.index(f"khách hàng: Nguyễn Thị Hoà ({code})")  # the update, newest first
        view = page.view
        view.scrollTo(model.index(row, 0))
        rect = view.visualRect(model.index(row, 0))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        dialog = page.findChild(AuditDetailDialog)
        assert dialog is not None and dialog.isVisible()
        table = dialog.table
        lines = {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
                 for r in range(table.rowCount())}  # fmt: skip
        name = next(k for k, (b, a) in lines.items() if b == "Nguyễn Thị Hoa")
        assert lines[name] == ("Nguyễn Thị Hoa", "Nguyễn Thị Hoà")
        assert ("—", "Khách sỉ") in lines.values()
        assert all(field[:1].isupper() for field in lines)  # "Ghi chú", not "ghi chú"
        shown = [w.text() for w in dialog.values]
        assert f"khách hàng: Nguyễn Thị Hoà ({code})" in shown
        dialog.close()
    finally:
        page.shutdown()
