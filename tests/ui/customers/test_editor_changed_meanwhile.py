"""Two edit forms of one customer (two PCs, or two windows): the first saves; the second,
opened before, is refused instead of undoing the first one's change."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from primedist.ui.customers.editor import CustomerEditor
from tests.factories import make_customers, mobile
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture(autouse=True)
def close_loses_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor left open with typed data asks before closing (after the test): Yes."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)


def stored(engine: Engine, cid: int) -> tuple[str | None, list[str]]:
    with engine.connect() as conn:
        note = conn.execute(sa.text("SELECT note FROM customers WHERE id = :i"),
                            {"i": cid}).scalar_one()  # fmt: skip
        phones = list(
            conn.execute(
                sa.text("SELECT phone FROM customer_phones WHERE customer_id = :i ORDER BY id"),
                {"i": cid},
            ).scalars()
        )
    return note, phones  # fmt: skip


def test_a_form_opened_before_another_saved_is_refused_not_saved_over(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    (cid,) = make_customers(engine, 1, names=["Trần Văn Bình"])
    pc_a = show_widget(qtbot, CustomerEditor(owner_ctx, cid), 600, 640)
    pc_b = show_widget(qtbot, CustomerEditor(owner_ctx, cid), 600, 640)

    pc_a.add_phone_field("0987 654 321")
    with qtbot.waitSignal(pc_a.saved, timeout=WAIT):
        qtbot.mouseClick(pc_a.save_button, Qt.MouseButton.LeftButton)
    assert stored(engine, cid) == (None, [mobile(cid), "0987654321"])

    pc_b.note_edit.setPlainText("Giao giờ hành chính")
    qtbot.mouseClick(pc_b.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pc_b.error_label.isVisible(), timeout=WAIT)
    assert pc_b.error_label.text() == (
        "This customer was changed on another computer (or window) since you opened it: "
        "close and open it again."
    )
    assert pc_b.isVisible() and pc_b.result_info is None
    assert stored(engine, cid) == (None, [mobile(cid), "0987654321"])

    # Opened again, the form shows the new phone and saves the note.
    again = show_widget(qtbot, CustomerEditor(owner_ctx, cid), 600, 640)
    again.note_edit.setPlainText("Giao giờ hành chính")
    with qtbot.waitSignal(again.saved, timeout=WAIT):
        qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert stored(engine, cid) == ("Giao giờ hành chính", [mobile(cid), "0987654321"])
