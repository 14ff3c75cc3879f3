"""A customer added with "Create anyway" shares a phone with an older customer: editing it
later (an email, a birthday) must save, and only a phone the edit adds is refused. Merging
asks naming the debts that move, and merging the last group of duplicates keeps saying what
the merge did."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.services.context import ServiceContext
from primedist.services.customers import (
    CustomerDraft,
    DuplicatePhone,
    DuplicatePolicy,
    add_customer,
    update_customer,
)
from primedist.ui.customers import duplicates as duplicates_ui
from primedist.ui.customers.duplicates import DuplicatesDialog
from primedist.ui.customers.editor import CustomerEditor
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")
customers_t = table_of(Customer)


def add(ctx: ServiceContext, name: str, *phones: str) -> int:
    return add_customer(ctx, CustomerDraft(name=name, phones=list(phones)),
                        on_duplicate=DuplicatePolicy.CREATE).customer_id  # fmt: skip


def email_of(engine: Engine, cid: int) -> str | None:
    with engine.connect() as conn:
        return conn.scalar(sa.select(customers_t.c.email).where(customers_t.c.id == cid))


def test_a_customer_sharing_a_phone_can_still_be_edited(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    hoa = add(owner_ctx, "Nguyễn Thị Hoa", "0939123456")
    husband = add(owner_ctx, "Trần Văn Bình", "+84 939 123 456", "0912000001")
    other = add(owner_ctx, "Lê Lan", "0912000002")
    update_customer(
        owner_ctx, husband,
        CustomerDraft(name="Trần Văn Bình", phones=["0939123456", "0912000001"],
                      email="binh@shop.vn"),
    )  # fmt: skip
    assert email_of(engine, husband) == "binh@shop.vn"
    # A phone the edit adds is still refused, naming its owner.
    with pytest.raises(DuplicatePhone) as err:
        update_customer(
            owner_ctx, husband,
            CustomerDraft(name="Trần Văn Bình", phones=["0939123456", "0912000002"]),
        )  # fmt: skip
    assert err.value.existing.id == other
    assert hoa != husband


def test_the_editor_saves_a_customer_sharing_a_phone(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(owner_ctx, "Nguyễn Thị Hoa", "0939123456")
    husband = add(owner_ctx, "Trần Văn Bình", "0939123456")
    # Closing a refused form asks before losing the typing: answer Yes, never block.
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    editor = show_widget(qtbot, CustomerEditor(owner_ctx, husband), 600, 640)
    editor.email_edit.setText("binh@shop.vn")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor._busy, timeout=WAIT)
    assert editor.error_label.isHidden(), editor.error_label.text()
    assert email_of(engine, husband) == "binh@shop.vn"


def test_merging_the_last_group_still_says_what_moved(
    qtbot: Any, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(owner_ctx, "Nguyễn Thị Hoa", "0939123456")
    add(owner_ctx, "Nguyen Thi Hoa", "0939123456")
    asked: list[str] = []

    def confirm(_parent: object, _title: str, text: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(duplicates_ui, "ask_confirm", confirm)
    dialog = show_widget(qtbot, DuplicatesDialog(owner_ctx))
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1 and not dialog._busy,
                    timeout=WAIT)  # fmt: skip
    dialog.merge_button.click()
    # The question says what they owe goes along too.
    assert "what they owe (sales on account and payments)" in asked[0]
    # The groups are read again after the merge: none left.
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 0 and not dialog._busy,
                    timeout=WAIT)  # fmt: skip
    text = dialog.message.text()
    assert "Merged 1 customer(s) into Nguyễn Thị Hoa (KH000001)" in text
    assert "No likely duplicates found." in text
    dialog.close()
