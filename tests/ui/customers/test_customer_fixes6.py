"""Customer fixes in the widgets: the editor keeps a disabled staff member and names a
marketplace source; staff cannot merge duplicates; the export dialog takes the format from
a typed ending and asks before replacing the file an added ending names; "Delete 1
customer?"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlmodel import Session, select

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Module, Role
from primedist.domain.user import User
from primedist.services import auth, staff
from primedist.services import customer_detail as detail_svc
from primedist.services.context import ServiceContext
from primedist.services.customers import CustomerDraft, DuplicatePolicy, add_customer
from primedist.ui import file_dialogs
from primedist.ui.customers import page as page_ui
from primedist.ui.customers.duplicates import DuplicatesDialog
from primedist.ui.customers.editor import CustomerEditor
from primedist.ui.customers.list_page import confirm_delete
from primedist.ui.customers.page import CustomersPage
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")
customers_t = table_of(Customer)


def signed_in(owner_ctx: ServiceContext, email: str, role: Role) -> ServiceContext:
    staff.add_staff(owner_ctx, name=email.split("@")[0], email=email, role=role,
                    modules=[Module.CUSTOMERS])  # fmt: skip
    with Session(owner_ctx.engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        return owner_ctx.with_actor(auth.actor_for(session, user))


def add(ctx: ServiceContext, name: str, *phones: str) -> int:
    return add_customer(ctx, CustomerDraft(name=name, phones=list(phones)),
                        on_duplicate=DuplicatePolicy.CREATE).customer_id  # fmt: skip


def stored(ctx: ServiceContext, cid: int) -> tuple[Any, ...]:
    c = customers_t.c
    with ctx.engine.connect() as conn:
        return tuple(
            conn.execute(sa.select(c.assigned_user_id, c.source, c.email).where(c.id == cid)).one()
        )


def save_editor(qtbot: Any, editor: CustomerEditor) -> None:
    with qtbot.waitSignal(editor.saved, timeout=WAIT):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


# --------------------------------------------------------------------------- editor


def test_editing_keeps_a_disabled_staff_member_assigned(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    lan = signed_in(owner_ctx, "lan@shop.vn", Role.STAFF).actor.id
    cid = add(owner_ctx, "Nguyễn Thị Hoa")
    detail_svc.assign_staff(owner_ctx, cid, lan)
    assert lan is not None
    staff.set_active(owner_ctx, lan, False)

    editor = show_widget(qtbot, CustomerEditor(owner_ctx, cid), 600, 640)
    assert editor.staff_combo.currentText() == "lan (disabled)"
    editor.email_edit.setText("hoa@shop.vn")
    save_editor(qtbot, editor)
    assert stored(owner_ctx, cid)[::2] == (lan, "hoa@shop.vn")

    # A new customer is not offered the disabled account.
    adding = show_widget(qtbot, CustomerEditor(owner_ctx), 600, 640)
    assert adding.staff_combo.findData(lan) == -1
    adding.reject()


def test_the_editor_names_a_marketplace_source_and_keeps_it(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    shopee, offline = add(owner_ctx, "Tan Wei Ling"), add(owner_ctx, "Lê Văn Nam")
    with owner_ctx.engine.begin() as conn:
        for cid, source in ((shopee, "shopee"), (offline, "offline")):
            conn.execute(sa.update(customers_t).where(customers_t.c.id == cid)
                         .values(source=source))  # fmt: skip
    for cid, source, label in ((shopee, "shopee", "Shopee"), (offline, "offline", "In store")):
        editor = show_widget(qtbot, CustomerEditor(owner_ctx, cid), 600, 640)
        assert editor.source_combo.currentText() == label
        assert editor.source_key() == source
        editor.email_edit.setText(f"{source}@shop.vn")
        save_editor(qtbot, editor)
        assert stored(owner_ctx, cid)[1:] == (source, f"{source}@shop.vn")
    editor = show_widget(qtbot, CustomerEditor(owner_ctx), 600, 640)
    offered = [editor.source_combo.itemText(i) for i in range(editor.source_combo.count())]
    assert {"Shopee", "Lazada", "Tiki", "TikTok Shop"} <= set(offered)
    editor.reject()


# --------------------------------------------------------------------------- duplicates


@pytest.mark.parametrize(("role", "allowed"), [(Role.STAFF, False), (Role.MANAGER, True)])
def test_only_the_owner_or_a_manager_may_merge_duplicates(
    qtbot: Any, owner_ctx: ServiceContext, role: Role, allowed: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from primedist.ui.customers import duplicates as ui

    first = add(owner_ctx, "Nguyễn Văn An", "0901000001")
    second = add(owner_ctx, "An Nguyễn", "0901000001")
    ctx = signed_in(owner_ctx, "nv@shop.vn", role)
    monkeypatch.setattr(ui, "ask_confirm", lambda *_a: True)
    dialog = show_widget(qtbot, DuplicatesDialog(ctx))
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1 and not dialog._busy,
                    timeout=WAIT)  # fmt: skip
    assert dialog.merge_button.isEnabled() is allowed
    tip = dialog.merge_button.toolTip()
    assert (tip == "Only the owner or a manager merges customers.") is not allowed
    if allowed:
        with qtbot.waitSignal(dialog.merged, timeout=WAIT):
            dialog.merge_current()
    else:
        dialog.merge_current()  # a staff member's click does nothing
    with owner_ctx.engine.connect() as conn:
        live = set(conn.scalars(sa.select(customers_t.c.id).where(
            customers_t.c.deleted_at.is_(None))))  # fmt: skip
    assert len(live & {first, second}) == (1 if allowed else 2)
    qtbot.waitUntil(lambda: not dialog._busy, timeout=WAIT)
    dialog.close()


# --------------------------------------------------------------------------- export path


@pytest.fixture
def page(qtbot: Any, owner_ctx: ServiceContext) -> Any:
    p = show_widget(qtbot, CustomersPage(owner_ctx), 1300, 760)
    yield p
    p.shutdown()


class SaveDialog:
    """Stands in for the save dialog: answers in turn, records how often it was shown."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: tuple[Path, str]) -> None:
        self.answers = [([str(path)], kind) for path, kind in answers]
        self.shown = 0
        monkeypatch.setattr(file_dialogs, "run_dialog", self)

    def __call__(self, _dialog: Any) -> tuple[list[str], str]:
        self.shown += 1
        return self.answers.pop(0)


XLSX, CSV, TXT = ("Excel workbook (*.xlsx)", "CSV, UTF-8 (*.csv)", "Text, tab-separated (*.txt)")


def test_a_typed_ending_names_the_format(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[Path] = []
    monkeypatch.setattr(page_ui, "ask_replace", lambda _p, path: asked.append(path) or True)
    SaveDialog(monkeypatch, (tmp_path / "g1.csv", XLSX), (tmp_path / "g2.txt", XLSX),
               (tmp_path / "g3.XLSX", CSV), (tmp_path / "g4", TXT))  # fmt: skip
    assert page.ask_export_path() == (tmp_path / "g1.csv", "csv")
    assert page.ask_export_path() == (tmp_path / "g2.txt", "txt")
    assert page.ask_export_path() == (tmp_path / "g3.XLSX", "xlsx")
    assert page.ask_export_path() == (tmp_path / "g4.txt", "txt")  # the type chosen
    assert asked == []  # no file there: nothing to ask


def test_an_added_ending_asks_before_replacing_the_file(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "X.xlsx").write_bytes(b"old")
    answers = [False, True]
    asked: list[str] = []

    def ask_replace(_parent: Any, path: Path) -> bool:
        asked.append(path.name)
        return answers.pop(0)

    monkeypatch.setattr(page_ui, "ask_replace", ask_replace)
    dialog = SaveDialog(monkeypatch, (tmp_path / "X", XLSX), (tmp_path / "X", XLSX))
    # "No": the dialog shows again; "Yes": that file.
    assert page.ask_export_path() == (tmp_path / "X.xlsx", "xlsx")
    assert asked == ["X.xlsx", "X.xlsx"] and dialog.shown == 2
    SaveDialog(monkeypatch, (tmp_path / "X", XLSX))
    answers.append(False)
    monkeypatch.setattr(file_dialogs, "run_dialog", lambda _d: ([], ""))  # then cancelled
    assert page.ask_export_path() is None
    assert (tmp_path / "X.xlsx").read_bytes() == b"old"


def test_the_replace_question_names_the_file(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def question(_parent: Any, _title: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        seen.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    assert page_ui.ask_replace(page, tmp_path / "X.xlsx") is False
    assert seen == ["X.xlsx already exists.\nDo you want to replace it?"]


# --------------------------------------------------------------------------- delete


def test_deleting_one_customer_says_customer(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def question(_parent: Any, _title: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        seen.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    assert confirm_delete(None, 1) is False  # type: ignore[arg-type]
    confirm_delete(None, 1_234)  # type: ignore[arg-type]
    assert seen[0].startswith("Delete 1 customer?\n\nThe customer leaves the lists")
    assert seen[1].startswith("Delete 1,234 customers?\n\nThey leave the lists")
