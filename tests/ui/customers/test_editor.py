"""The customer editor: add by hand (only the name), each answer to a phone already used
(skip / update the existing customer / create anyway), cancel, edit, inline errors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerPhone
from primedist.services import customer_detail as detail_svc
from primedist.services.context import ServiceContext
from primedist.ui.customers.editor import CustomerEditor
from tests.factories import make_customers, mobile
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")
customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(customers_t)).scalar_one())


def owners_of(engine: Engine, phone: str) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(phones_t.c.customer_id).where(phones_t.c.phone == phone)
            ).scalars()
        )


@pytest.fixture(autouse=True)
def close_loses_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor left open with typed data asks before closing (after the test): Yes."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)


@pytest.fixture
def existing(engine: Engine) -> tuple[int, str]:
    (cid,) = make_customers(engine, 1, names=["Trần Văn Bình"])
    return cid, mobile(cid)


def open_editor(qtbot, ctx: ServiceContext, customer_id: int | None = None) -> CustomerEditor:
    return show_widget(qtbot, CustomerEditor(ctx, customer_id), 600, 640)


def save(qtbot, editor: CustomerEditor) -> None:
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


def duplicate_box(qtbot, editor: CustomerEditor) -> QMessageBox:
    qtbot.waitUntil(
        lambda: editor.duplicate_box is not None and editor.duplicate_box.isVisible(),
        timeout=WAIT,
    )
    assert editor.duplicate_box is not None
    return editor.duplicate_box


def test_only_the_name_is_required(qtbot, owner_ctx: ServiceContext, engine: Engine) -> None:
    editor = open_editor(qtbot, owner_ctx)
    assert not editor.save_button.isEnabled()
    qtbot.keyClicks(editor.name_edit, "Lan")
    assert editor.save_button.isEnabled()
    before = count(engine)
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        save(qtbot, editor)
    cid, outcome = saved.args
    assert outcome == "created" and count(engine) == before + 1
    profile = detail_svc.customer_profile(owner_ctx, cid)
    assert profile.name == "Lan" and profile.phones == () and profile.source == "manual"


def test_phone_in_use_then_skip(qtbot, owner_ctx: ServiceContext, engine: Engine, existing) -> None:
    cid, phone = existing
    editor = open_editor(qtbot, owner_ctx)
    editor.name_edit.setText("Bình mới")
    editor.phone_edits[0].setText(phone)
    before = count(engine)
    save(qtbot, editor)
    box = duplicate_box(qtbot, editor)
    spaced = f"{phone[:4]} {phone[4:7]} {phone[7:]}"  # as the lists show it
    code = detail_svc.customer_profile(owner_ctx, cid).code
    assert box.text() == f"{spaced} already belongs to Trần Văn Bình ({code})."
    assert {b.text() for b in box.buttons()} >= {
        "Skip",
        "Update the existing customer",
        "Create anyway",
    }
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(editor.skip_button, Qt.MouseButton.LeftButton)
    assert saved.args == [cid, "skipped"]
    assert count(engine) == before
    assert detail_svc.customer_profile(owner_ctx, cid).name == "Trần Văn Bình"


def test_phone_in_use_then_update(
    qtbot, owner_ctx: ServiceContext, engine: Engine, existing
) -> None:
    cid, phone = existing
    editor = open_editor(qtbot, owner_ctx)
    editor.name_edit.setText("Trần Văn Bình")
    editor.phone_edits[0].setText(phone)
    editor.add_phone_field("0912 345 678")
    editor.email_edit.setText("binh@example.vn")
    before = count(engine)
    save(qtbot, editor)
    duplicate_box(qtbot, editor)
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(editor.update_button, Qt.MouseButton.LeftButton)
    assert saved.args == [cid, "updated"]
    assert count(engine) == before
    profile = detail_svc.customer_profile(owner_ctx, cid)
    assert profile.email == "binh@example.vn"
    assert set(profile.phones) == {phone, "0912345678"}


def test_update_the_existing_customer_keeps_its_source_unless_one_is_picked(
    qtbot, owner_ctx: ServiceContext, engine: Engine, existing
) -> None:
    """The form pre-sets "Added by hand" for a new customer: that is no choice, so an
    imported customer updated through it stays an imported one; a source picked on
    purpose replaces it."""
    cid, phone = existing
    with engine.begin() as conn:
        conn.execute(customers_t.update().where(customers_t.c.id == cid).values(source="import"))

    def add_again(pick: str | None) -> None:
        editor = open_editor(qtbot, owner_ctx)
        assert editor.source_key() == "manual"  # the pre-set
        editor.name_edit.setText("Trần Văn Bình")
        editor.phone_edits[0].setText(f"+84 {phone[1:4]} {phone[4:7]} {phone[7:]}")
        if pick is not None:
            index = editor.source_combo.findData(pick)
            editor.source_combo.setCurrentIndex(index)
            editor.source_combo.activated.emit(index)  # as a click in the list does
        save(qtbot, editor)
        duplicate_box(qtbot, editor)
        with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
            qtbot.mouseClick(editor.update_button, Qt.MouseButton.LeftButton)
        assert saved.args == [cid, "updated"]

    add_again(None)
    assert detail_svc.customer_profile(owner_ctx, cid).source == "import"
    add_again("referral")
    assert detail_svc.customer_profile(owner_ctx, cid).source == "referral"


def test_phone_in_use_then_create_anyway(
    qtbot, owner_ctx: ServiceContext, engine: Engine, existing
) -> None:
    cid, phone = existing
    editor = open_editor(qtbot, owner_ctx)
    editor.name_edit.setText("Bình em")
    editor.phone_edits[0].setText(phone)
    before = count(engine)
    save(qtbot, editor)
    duplicate_box(qtbot, editor)
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(editor.create_button, Qt.MouseButton.LeftButton)
    new_id, outcome = saved.args
    assert outcome == "created" and new_id != cid
    assert count(engine) == before + 1
    assert sorted(owners_of(engine, phone)) == sorted([cid, new_id])


def test_phone_in_use_then_cancel_keeps_editing(
    qtbot, owner_ctx: ServiceContext, engine: Engine, existing
) -> None:
    _cid, phone = existing
    editor = open_editor(qtbot, owner_ctx)
    editor.name_edit.setText("Bình em")
    editor.phone_edits[0].setText(phone)
    before = count(engine)
    save(qtbot, editor)
    duplicate_box(qtbot, editor)
    qtbot.mouseClick(editor.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.save_button.isEnabled(), timeout=WAIT)
    assert editor.isVisible() and editor.result_info is None
    assert count(engine) == before


def test_edit_and_inline_errors(qtbot, owner_ctx: ServiceContext, engine: Engine, existing) -> None:
    cid, phone = existing
    (other,) = make_customers(engine, 1, names=["Lê Thị Hoa"])
    editor = open_editor(qtbot, owner_ctx, cid)
    assert editor.name_edit.text() == "Trần Văn Bình"
    assert editor.phone_edits[0].text() == phone
    editor.email_edit.setText("not-an-email")
    save(qtbot, editor)
    qtbot.waitUntil(lambda: editor.error_label.isVisible(), timeout=WAIT)
    assert "not-an-email" in editor.error_label.text()

    editor.email_edit.setText("")
    editor.referrer_edit.setText("KH999999")
    save(qtbot, editor)
    qtbot.waitUntil(lambda: "KH999999" in editor.error_label.text(), timeout=WAIT)

    other_code = detail_svc.customer_profile(owner_ctx, other).code
    editor.referrer_edit.setText(other_code.lower())
    editor.name_edit.setText("Trần Văn Bình Hai")
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        save(qtbot, editor)
    assert saved.args == [cid, "updated"]
    profile = detail_svc.customer_profile(owner_ctx, cid)
    assert profile.name == "Trần Văn Bình Hai"
    assert profile.referrer is not None and profile.referrer.id == other
