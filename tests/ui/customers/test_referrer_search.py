"""Add customer's referrer is found by name (accents optional) or phone, not only by its
code: the customers found show as "Name · phone · code" under the field, the one picked
puts its code there; a code typed still works, and the customer edited is never offered
as their own referrer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.core.phone import format_phone
from primedist.services import customer_detail as detail_svc
from primedist.services.context import ServiceContext
from primedist.ui.customers.editor import CustomerEditor
from tests.factories import make_customers, mobile
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "english")


@pytest.fixture(autouse=True)
def close_loses_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The editor left open with typed data asks before closing (after the test): Yes."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)


def offered(editor: CustomerEditor) -> list[str]:
    rows = editor.referrer_lookup.rows
    return [rows.item(r).text() for r in range(rows.rowCount())]


def type_referrer(qtbot: QtBot, editor: CustomerEditor, text: str) -> None:
    editor.referrer_edit.setFocus()
    editor.referrer_edit.clear()
    qtbot.keyClicks(editor.referrer_edit, text)
    popup = editor.referrer_lookup.popup()
    qtbot.waitUntil(lambda: popup.isVisible() and bool(offered(editor)), timeout=WAIT)


def test_the_referrer_is_found_by_name_without_accents_and_saved_by_its_code(
    qtbot: QtBot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    chi, _binh, _an = make_customers(
        engine, 3, names=["Nguyễn Khánh Chi", "Trần Văn Bình", "Nguyễn Văn An"]
    )
    code = detail_svc.customer_profile(owner_ctx, chi).code
    editor = show_widget(qtbot, CustomerEditor(owner_ctx), 600, 640)
    editor.name_edit.setText("Lê Thị Hoa")
    type_referrer(qtbot, editor, "khanh chi")
    assert offered(editor) == [f"Nguyễn Khánh Chi · {format_phone(mobile(chi))} · {code}"]
    popup = editor.referrer_lookup.popup()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert editor.referrer_edit.text() == code  # the code is what the form saves
    assert not popup.isVisible()
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    profile = detail_svc.customer_profile(owner_ctx, saved.args[0])
    assert profile.referrer is not None and profile.referrer.id == chi


def test_a_phone_finds_the_referrer_and_a_code_typed_still_works(
    qtbot: QtBot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    chi, binh = make_customers(engine, 2, names=["Nguyễn Khánh Chi", "Trần Văn Bình"])
    editor = show_widget(qtbot, CustomerEditor(owner_ctx), 600, 640)
    phone = format_phone(mobile(binh))
    type_referrer(qtbot, editor, phone[:7])  # "08xx xx": the start of the number, spaced
    assert len(offered(editor)) == 1 and offered(editor)[0].startswith("Trần Văn Bình · ")
    code = detail_svc.customer_profile(owner_ctx, chi).code
    editor.referrer_edit.setText(code.lower())  # typed whole, not picked
    editor.name_edit.setText("Lê Thị Hoa")
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    profile = detail_svc.customer_profile(owner_ctx, saved.args[0])
    assert profile.referrer is not None and profile.referrer.id == chi


def test_the_customer_edited_is_not_offered_as_their_own_referrer(
    qtbot: QtBot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    first, second = make_customers(engine, 2, names=["Nguyễn Văn An", "Nguyễn Văn Anh"])
    editor = show_widget(qtbot, CustomerEditor(owner_ctx, first), 600, 640)
    type_referrer(qtbot, editor, "nguyen van")
    code = detail_svc.customer_profile(owner_ctx, second).code
    assert [row.rsplit(" · ", 1)[1] for row in offered(editor)] == [code]
