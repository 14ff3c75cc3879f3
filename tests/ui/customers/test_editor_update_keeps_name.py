"""Adding a customer whose phone is in use: "Update the existing customer" renamed
Nguyễn Khánh Chi "Chi Nguyen Test" (typed with her phone). The question lists what an
update changes (old → new), the stored name is kept unless "Replace the name" is ticked,
and Skip is the default: Enter overwrites nothing."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.services import customer_detail as detail_svc
from primedist.services.context import ServiceContext
from primedist.services.customers import CustomerDraft, add_customer
from primedist.ui.customers.editor import CustomerEditor
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture(autouse=True)
def close_loses_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)


@pytest.fixture
def chi(owner_ctx: ServiceContext) -> int:
    return add_customer(owner_ctx, CustomerDraft(
        name="Nguyễn Khánh Chi", phones=["0970603869"], email="chi@example.vn",
    )).customer_id  # fmt: skip


def _add_again(qtbot: Any, ctx: ServiceContext) -> tuple[CustomerEditor, QMessageBox]:
    editor = show_widget(qtbot, CustomerEditor(ctx), 600, 640)
    editor.name_edit.setText("Chi Nguyen Test")
    editor.phone_edits[0].setText("+84 970 603 869")
    editor.add_phone_field("0364 817 192")
    editor.email_edit.setText("chi.test@example.com")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.duplicate_box is not None
                    and editor.duplicate_box.isVisible(), timeout=WAIT)  # fmt: skip
    assert editor.duplicate_box is not None
    return editor, editor.duplicate_box


def test_the_question_lists_the_changes_and_enter_skips(
    qtbot: Any, owner_ctx: ServiceContext, chi: int
) -> None:
    editor, box = _add_again(qtbot, owner_ctx)
    assert box.text() == "0970 603 869 already belongs to Nguyễn Khánh Chi (KH000001)."
    assert box.informativeText() == (
        "Updating that customer changes:\n"
        "• Phones: 0970 603 869 → 0970 603 869, 0364 817 192\n"
        "• Email: chi@example.vn → chi.test@example.com\n"
        "The name stays Nguyễn Khánh Chi unless you tick below.\n"
        "\n"
        "What should be done with this customer?"
    )  # the source pre-set for a new customer is no change: not listed
    tick = editor.replace_name_box
    assert tick is not None and box.checkBox() is tick and not tick.isChecked()
    assert tick.text() == "Replace the name: Nguyễn Khánh Chi → Chi Nguyen Test"
    assert box.defaultButton() is editor.skip_button
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert saved.args == [chi, "skipped"]
    profile = detail_svc.customer_profile(owner_ctx, chi)
    assert (profile.name, profile.email, profile.phones) == (
        "Nguyễn Khánh Chi", "chi@example.vn", ("0970603869",))  # fmt: skip


def test_update_keeps_the_name_unless_ticked(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, chi: int
) -> None:
    editor, _box = _add_again(qtbot, owner_ctx)
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(editor.update_button, Qt.MouseButton.LeftButton)
    assert saved.args == [chi, "updated"]
    profile = detail_svc.customer_profile(owner_ctx, chi)
    assert (profile.name, profile.email, set(profile.phones)) == (
        "Nguyễn Khánh Chi", "chi.test@example.com", {"0970603869", "0364817192"})  # fmt: skip

    # Again: only the name is left to change, and it is replaced when ticked.
    editor, box = _add_again(qtbot, owner_ctx)
    assert box.informativeText().startswith(
        "Updating that customer changes nothing else: what you typed is stored already."
    )
    tick = editor.replace_name_box
    assert tick is not None
    tick.setChecked(True)
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(editor.update_button, Qt.MouseButton.LeftButton)
    assert saved.args == [chi, "updated"]
    assert detail_svc.customer_profile(owner_ctx, chi).name == "Chi Nguyen Test"
