"""Find duplicates, driven like a user: "Not duplicates…" on a husband and wife sharing a
phone hides their group for good (after asking); each customer shows what they owe, as
the Customers list's Owes column, so the owner sees whose debt a merge moves."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.money import format_money
from primedist.domain.base import table_of
from primedist.domain.customer import NotDuplicatePair
from primedist.domain.enums import Module, Role
from primedist.services import customer_account as account
from primedist.services.context import Actor, ServiceContext
from primedist.services.customers import CustomerDraft, DuplicatePolicy, add_customer
from primedist.ui.customers import duplicates as ui
from primedist.ui.customers.duplicates import ID_ROLE, NAME, OWES, DuplicatesDialog
from tests.ui.customers.test_duplicates import Confirms, _open
from tests.ui.support import WAIT, assert_db_worker_idle

pytestmark = pytest.mark.usefixtures("english", "no_crash")
pairs_t = table_of(NotDuplicatePair)
PHONE = "0901234567"


@pytest.fixture
def couple(owner_ctx: ServiceContext) -> tuple[int, int]:
    """A husband and wife sharing one phone (the wife added with "Create anyway")."""
    return tuple(  # type: ignore[return-value]
        add_customer(owner_ctx, CustomerDraft(name=name, phones=[PHONE]),
                     on_duplicate=DuplicatePolicy.CREATE).customer_id
        for name in ("Lê Văn Hùng", "Phạm Thị Lan")
    )  # fmt: skip


@pytest.fixture
def confirms(monkeypatch: pytest.MonkeyPatch) -> Confirms:
    stub = Confirms()
    monkeypatch.setattr(ui, "ask_confirm", stub)
    return stub


def _open_empty(qtbot: Any, ctx: ServiceContext) -> DuplicatesDialog:
    dialog = DuplicatesDialog(ctx)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "No likely duplicates" in dialog.message.text(), timeout=WAIT)
    return dialog


def stored_pairs(engine: Engine) -> list[tuple[int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(pairs_t.c.customer_id, pairs_t.c.other_id))
        return [(int(a), int(b)) for a, b in rows]


def test_not_duplicates_hides_the_group_after_asking(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, couple: tuple[int, int],
    confirms: Confirms,
) -> None:  # fmt: skip
    dialog = _open(qtbot, owner_ctx)
    assert dialog.apart_button.isEnabled() and dialog.apart_button.text() == "Not duplicates…"

    confirms.answers.append(False)  # "No": nothing recorded, the group stays
    dialog.apart_button.click()
    assert "Are Lê Văn Hùng" in confirms.asked[0] and "Phạm Thị Lan" in confirms.asked[0]
    assert stored_pairs(engine) == [] and dialog.tree.topLevelItemCount() == 1

    confirms.answers.append(True)
    dialog.apart_button.click()
    qtbot.waitUntil(lambda: not dialog._busy and dialog.tree.topLevelItemCount() == 0,
                    timeout=WAIT)  # fmt: skip
    assert stored_pairs(engine) == [couple]
    text = dialog.message.text()
    assert "no longer shown as duplicates" in text and "No likely duplicates found." in text
    assert not dialog.apart_button.isEnabled()
    dialog.close()

    again = _open_empty(qtbot, owner_ctx)  # opened again: still gone
    assert again.tree.topLevelItemCount() == 0
    again.close()
    assert_db_worker_idle()


def test_staff_cannot_say_not_duplicates(
    qtbot: Any, owner_ctx: ServiceContext, couple: tuple[int, int]
) -> None:
    staff = owner_ctx.with_actor(Actor(id=None, name="Nhân viên", email="", role=Role.STAFF,
                                       modules=frozenset({Module.CUSTOMERS})))  # fmt: skip
    dialog = _open(qtbot, staff)
    assert not dialog.apart_button.isEnabled()
    assert "Only the owner or a manager" in dialog.apart_button.toolTip()
    dialog.close()
    assert_db_worker_idle()


def test_each_customer_shows_what_they_owe(
    qtbot: Any, owner_ctx: ServiceContext, couple: tuple[int, int]
) -> None:
    husband, wife = couple
    account.adjust_balance(owner_ctx, wife, 148_000, "Nợ cũ")
    dialog = _open(qtbot, owner_ctx)
    assert dialog.tree.headerItem().text(OWES) == "Owes"
    rows = ui._children(dialog.group_item(0))
    owes = {int(row.data(NAME, ID_ROLE)): row.text(OWES) for row in rows}
    assert owes == {wife: format_money(148_000, "en"), husband: ""}  # most owe nothing
    dialog.close()
    assert_db_worker_idle()
