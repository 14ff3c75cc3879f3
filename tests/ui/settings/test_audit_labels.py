"""The audit log speaks the reader's language: actions, kinds and records by name
("Hủy đơn hàng", not `order.cancelled`), and every code the services write has a name."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from primedist.domain.enums import OrderStatus, Role
from primedist.services import staff
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.settings import audit_labels
from primedist.ui.settings.audit import AuditLogSettings
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")

SERVICES = Path(__file__).resolve().parents[3] / "primedist" / "services"
#: Calls whose argument (second positional, or action=) is an audit action code.
AUDIT_CALLS = {"audit": 1, "audit_export": 1, "record_import": None}
CODE = re.compile(r"[a-z_]+(\.[a-z_]+)+")


def _codes(node: ast.expr) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _codes(node.body)
        yield from _codes(node.orelse)
    elif isinstance(node, ast.JoinedStr):  # f"order.{to.value}": every status
        prefix = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
        assert prefix == "order.", ast.unparse(node)
        yield from (f"order.{s.value}" for s in OrderStatus)
    elif not isinstance(node, ast.Name):  # a Name is a parameter passed on (checked there)
        raise AssertionError(f"an audit action the test cannot read: {ast.unparse(node)}")


def written_codes() -> set[str]:
    """Every action code a service writes (the demo writes its row with a bulk insert)."""
    found = {"demo.generate"}
    for path in SERVICES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in AUDIT_CALLS:  # a helper given the code: action="product.hide"
                found.update(
                    str(kw.value.value) for kw in node.keywords
                    if kw.arg == "action" and isinstance(kw.value, ast.Constant)
                    and CODE.fullmatch(str(kw.value.value))
                )  # fmt: skip
                continue
            position = AUDIT_CALLS[name]
            args = [kw.value for kw in node.keywords if kw.arg == "action"]
            if not args and position is not None and len(node.args) > position:
                args = [node.args[position]]
            for arg in args:
                found.update(_codes(arg))
    return found


def test_every_action_the_services_write_has_a_name_and_a_kind() -> None:
    codes = written_codes()
    assert {"order.cancelled", "stock.in", "orders.import", "audit.export"} <= codes
    assert sorted(codes - audit_labels.ACTIONS.keys()) == []
    assert sorted({c.split(".", 1)[0] for c in codes} - audit_labels.KINDS.keys()) == []
    assert sorted(audit_labels.ACTIONS.keys() - codes) == []  # no name for a dead code


def test_the_log_in_vietnamese_names_actions_kinds_and_records(
    qtbot: Any, owner_ctx: ServiceContext, vietnamese: None
) -> None:
    staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF)
    page = show_widget(qtbot, AuditLogSettings(owner_ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=WAIT)
    cols = [c.key for c in page.model.spec.columns]
    shown = {
        page.model.index(r, cols.index("action")).data(): page.model.index(
            r, cols.index("entity")
        ).data()
        for r in range(3)
    }
    assert shown["Thêm nhân viên"] == "người dùng: Lan"  # by name, not by id
    assert "Thiết lập cửa hàng" in shown
    kinds = [page.kind.itemText(i) for i in range(page.kind.count())]
    assert kinds[0] == "Mọi loại thao tác" and "Nhân viên" in kinds
    assert not any("." in k or "_" in k for k in kinds)
    page.kind.setCurrentIndex(page.kind.findText("Nhân viên"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT)

    install_language("en")  # the names follow a switch, the chosen kind stays
    qtbot.waitUntil(lambda: page.kind.currentText() == "Staff", timeout=WAIT)
    qtbot.waitUntil(
        lambda: page.model.index(0, cols.index("action")).data() == "Staff member added",
        timeout=WAIT,
    )
    assert page.model.rowCount() == 1
    page.shutdown()


def test_kinds_of_one_name_are_one_choice_and_unknown_codes_show_as_they_are() -> None:
    choices = dict(audit_labels.kind_choices(["order", "orders", "stock"]))
    assert choices == {"Orders": ("order", "orders"), "Stock": ("stock",)}
    assert audit_labels.action_label("something.new") == "something.new"  # shown as is
    assert audit_labels.record_label("order 12") == "order 12"
    assert audit_labels.record_label("mystery 3") == "mystery 3"


def test_before_and_after_read_as_fields_not_json() -> None:
    from primedist.ui.settings.audit import changes_text

    assert changes_text('{"low_stock_level": 10, "discount_price": null}') == (
        "low stock level: 10; discount price: —"
    )
    assert changes_text('{"tags": ["VIP", "Sỉ"]}') == "tags: VIP, Sỉ"
    assert changes_text("") == "" and changes_text(None) == ""
    assert changes_text("{broken") == "{broken"  # shown as stored
