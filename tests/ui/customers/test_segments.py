"""The segments page, the tags dialog and the pickers driven like a user: create, rename,
delete (asked first), export; the default tags cannot be deleted; pick or create a
segment/tag in the modal pickers the list's bulk actions open."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.services import segments as sg
from primedist.services import tags as tg
from primedist.services.context import ServiceContext
from primedist.ui.customers import segments as ui
from primedist.ui.customers.segments import PickDialog, SegmentsPage, TagsDialog
from tests.factories import make_customers
from tests.ui.support import WAIT, assert_db_worker_idle, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


class Answers:
    """Stands in for the name prompt and the Yes/No question; records what was asked."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str | None] = []
        self.confirms: list[bool] = []
        self.asked: list[str] = []
        monkeypatch.setattr(ui, "ask_name", self._name)
        monkeypatch.setattr(ui, "ask_confirm", self._confirm)

    def _name(self, _parent: Any, title: str, _label: str, text: str = "") -> str | None:
        self.asked.append(f"{title}|{text}")
        return self.names.pop(0)

    def _confirm(self, _parent: Any, title: str, text: str) -> bool:
        self.asked.append(f"{title}|{text}")
        return self.confirms.pop(0)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


@pytest.fixture
def store(owner_ctx: ServiceContext) -> dict[str, Any]:
    engine = owner_ctx.engine
    ids = make_customers(engine, 5)
    with engine.begin() as conn:
        t = table_of(Customer)
        stats = {"successful_orders": 2, "total_orders": 3, "total_expenses": 1_500_000}
        conn.execute(sa.update(t).where(t.c.id.in_(ids[:2])).values(**stats))
    vip = sg.create_segment(owner_ctx, "VIP")
    sg.add_to_segment(owner_ctx, vip, ids[:3])
    return {"ids": ids, "vip": vip}


def settle(qtbot: Any, widget: Any) -> None:
    qtbot.waitUntil(lambda: not widget.busy, timeout=WAIT)


@pytest.fixture
def page(qtbot: Any, owner_ctx: ServiceContext, store: dict[str, Any]) -> Iterator[SegmentsPage]:
    p = SegmentsPage(owner_ctx)
    with qtbot.waitSignal(p.loaded, timeout=WAIT):
        show_widget(qtbot, p)
    yield p
    settle(qtbot, p)
    assert_db_worker_idle()


def texts(table: Any) -> list[list[str]]:
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def names(engine: Engine) -> list[str]:
    return [r.name for r in sg.list_segments(_ctx(engine))]


def _ctx(engine: Engine) -> ServiceContext:
    return ServiceContext(engine)


# --------------------------------------------------------------------------- segments page


def test_page_lists_segments_with_their_figures(page: SegmentsPage) -> None:
    assert texts(page.table) == [["VIP", "3", "4", "3,000,000 VND", "20/11/2026"]]
    assert page.count.text() == "1 segment"
    assert not page.rename_button.isEnabled() and not page.delete_button.isEnabled()
    page.table.selectRow(0)
    assert page.rename_button.isEnabled() and page.export_button.isEnabled()


def test_create_and_rename(
    qtbot: Any,
    page: SegmentsPage,
    answers: Answers,
    owner_ctx: ServiceContext,
    shown: dict[str, list[Any]],
) -> None:
    answers.names = ["Khách sỉ"]
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        page.new_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2 and page.selected_id() is not None,
                    timeout=WAIT)  # fmt: skip
    assert page.selected_row().name == "Khách sỉ"  # the new segment is selected
    answers.names = ["Khách sỉ Hà Nội"]
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.rename_button.click()
    assert answers.asked[-1] == "Rename segment|Khách sỉ"
    assert sorted(r[0] for r in texts(page.table)) == ["Khách sỉ Hà Nội", "VIP"]
    # A name in use is refused with the service's message; nothing changes.
    answers.names = ["vip"]
    page.new_button.click()
    qtbot.waitUntil(lambda: bool(shown["error"]), timeout=WAIT)
    assert "already exists" in shown["error"].pop()
    settle(qtbot, page)
    assert names(owner_ctx.engine) == ["Khách sỉ Hà Nội", "VIP"]
    # Cancelling the prompt does nothing.
    answers.names = [None]
    page.new_button.click()
    assert not page.busy and page.table.rowCount() == 2


def test_delete_asks_first_and_keeps_customers(qtbot: Any, page: SegmentsPage,
                                               answers: Answers, owner_ctx: ServiceContext,
                                               store: dict[str, Any]) -> None:  # fmt: skip
    page.select_id(store["vip"])
    answers.confirms = [False]
    page.delete_button.click()
    assert answers.asked[-1] == (
        "Delete segment|Delete segment VIP? Its 3 customers stay; only the segment goes."
    )
    assert not page.busy and page.table.rowCount() == 1
    answers.confirms = [True]
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        page.delete_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=WAIT)
    assert page.count.text() == "0 segments"
    assert names(owner_ctx.engine) == []
    with owner_ctx.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(table_of(Customer)))
        assert count.scalar_one() == 5


def test_export_the_selected_segment(qtbot: Any, page: SegmentsPage, tmp_path: Path,
                                     store: dict[str, Any]) -> None:  # fmt: skip
    page.select_id(store["vip"])
    page.export(tmp_path / "vip")
    qtbot.waitUntil(lambda: page.last_message is not None, timeout=WAIT)
    assert "3 customers exported to" in page.last_message.text()
    page.last_message.close()
    sheet = openpyxl.load_workbook(tmp_path / "vip.xlsx").active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == [f"KH{i:06d}" for i in store["ids"][:3]]
    settle(qtbot, page)


def test_double_click_asks_for_the_members(qtbot: Any, page: SegmentsPage,
                                           store: dict[str, Any]) -> None:  # fmt: skip
    with qtbot.waitSignal(page.membersRequested, timeout=WAIT) as sig:
        page.table.itemDoubleClicked.emit(page.table.item(0, 2))
    assert sig.args == [store["vip"]]


# --------------------------------------------------------------------------- tags dialog


def test_tags_dialog(qtbot: Any, owner_ctx: ServiceContext, answers: Answers,
                     store: dict[str, Any]) -> None:  # fmt: skip
    dialog = TagsDialog(owner_ctx)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        show_widget(qtbot, dialog, 460, 420)
    # By name, A to Z.
    assert [r[0] for r in texts(dialog.table)] == ["Often returns  (default)",
                                                   "Potential  (default)"]  # fmt: skip
    dialog.table.selectRow(0)
    assert dialog.rename_button.isEnabled() and not dialog.delete_button.isEnabled()
    answers.names = ["Khách quen"]
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        dialog.new_button.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=WAIT)
    new_id = next(r.id for r in dialog.rows if r.name == "Khách quen")
    tg.tag_customers(owner_ctx, new_id, store["ids"])
    dialog.refresh()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)
    dialog.select_id(new_id)
    assert texts(dialog.table)[dialog.table.currentRow()] == ["Khách quen", "5"]
    assert dialog.delete_button.isEnabled()
    answers.names = ["Khách ruột"]
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.rename_button.click()
    answers.confirms = [True]
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.delete_button.click()
    assert answers.asked[-1] == "Delete tag|Delete tag Khách ruột? It is taken off its 5 customers."
    assert [r.name for r in tg.list_tags(owner_ctx)] == ["Potential", "Often returns"]
    # A default tag is renamed, never deleted (the button stays off; the call does nothing).
    dialog.select_id(dialog.rows[0].id)
    dialog.delete_selected()
    assert not dialog.busy
    settle(qtbot, dialog)
    assert_db_worker_idle()


# --------------------------------------------------------------------------- pickers


def drive_picker(qtbot: Any, act: Callable[[PickDialog], None]) -> None:
    """Once the modal picker is open and loaded, do `act` with it."""

    def run() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, PickDialog) and w.isVisible()]  # fmt: skip
        if not dialogs:
            QTimer.singleShot(20, run)
            return
        dialog = dialogs[0]
        try:
            qtbot.waitUntil(lambda: dialog.list.count() > 0 and not dialog._busy, timeout=WAIT)
            act(dialog)
        finally:  # a failing check must not leave the modal loop running
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, run)


def test_pick_segment_by_typing(qtbot: Any, owner_ctx: ServiceContext,
                                store: dict[str, Any]) -> None:  # fmt: skip
    other = sg.create_segment(owner_ctx, "Đà Nẵng")

    def act(dialog: PickDialog) -> None:
        assert dialog.windowTitle() == "Choose a segment"
        qtbot.keyClicks(dialog.filter, "da nang")  # folded: no accents needed
        assert dialog.chosen_id() == other
        qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    drive_picker(qtbot, act)
    assert ui.pick_segment(None, owner_ctx) == other
    assert_db_worker_idle()


def test_pick_cancelled_is_none(
    qtbot: Any, owner_ctx: ServiceContext, store: dict[str, Any]
) -> None:
    drive_picker(qtbot, lambda d: d.reject())
    assert ui.pick_segment(None, owner_ctx) is None
    assert_db_worker_idle()


def test_pick_tag_creates_one_inline(qtbot: Any, owner_ctx: ServiceContext,
                                     answers: Answers) -> None:  # fmt: skip
    answers.names = ["Hay đổi size"]

    def act(dialog: PickDialog) -> None:
        assert dialog.windowTitle() == "Choose a tag"
        assert dialog.list.count() == 2  # the default tags
        qtbot.keyClicks(dialog.filter, "size")
        assert dialog.chosen_id() is None
        assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
            dialog.new_button.click()
        assert answers.asked[-1] == "New tag|size"  # the typed text is offered as the name
        assert dialog.list.count() == 3
        dialog.accept()

    drive_picker(qtbot, act)
    chosen = ui.pick_tag(None, owner_ctx)
    made = next(r for r in tg.list_tags(owner_ctx) if r.name == "Hay đổi size")
    assert chosen == made.id and not made.is_default
    assert_db_worker_idle()
