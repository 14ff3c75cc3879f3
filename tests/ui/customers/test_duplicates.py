"""The duplicate customers dialog driven like a user: groups shown, survivor picked, one
customer left out, merge confirmed (or not), and the store changed accordingly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.customer import Address, Customer
from primedist.services.context import ServiceContext
from primedist.services.customers import CustomerDraft, DuplicatePolicy, add_customer
from primedist.ui.customers import duplicates as ui
from primedist.ui.customers.duplicates import ADDRESS, KEEP, LAST, MERGE, PHONES, DuplicatesDialog
from tests.factories import make_orders, make_shop
from tests.ui.support import WAIT, assert_db_worker_idle, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
customers_t = table_of(Customer)
addresses_t = table_of(Address)


@pytest.fixture
def people(owner_ctx: ServiceContext, engine: Engine) -> dict[str, int]:
    def add(name: str, *phones: str) -> int:
        return add_customer(owner_ctx, CustomerDraft(name=name, phones=list(phones)),
                            on_duplicate=DuplicatePolicy.CREATE).customer_id  # fmt: skip

    ids = {"an": add("Nguyễn Văn An", "0901000001"), "an2": add("An Nguyễn", "0901000001"),
           "an3": add("Anh khác", "0901000001"), "lone": add("Lê Lan", "0901000009")}  # fmt: skip
    shop = make_shop(engine, "Shop", "shopee")
    make_orders(engine, shop, 3, start=datetime(2026, 1, 1, tzinfo=UTC), step=timedelta(days=1),
                customer_ids=[ids["an2"]])  # fmt: skip
    with engine.begin() as conn:  # the statistics the dialog shows
        conn.execute(customers_t.update().where(customers_t.c.id == ids["an2"])
                     .values(total_orders=3))  # fmt: skip
    return ids


class Confirms:
    """Stands in for the Yes/No question: answers in turn, records the questions."""

    def __init__(self) -> None:
        self.answers: list[bool] = []
        self.asked: list[str] = []

    def __call__(self, _parent: Any, _title: str, text: str) -> bool:
        self.asked.append(text)
        return self.answers.pop(0)


@pytest.fixture
def confirms(monkeypatch: pytest.MonkeyPatch) -> Confirms:
    stub = Confirms()
    monkeypatch.setattr(ui, "ask_confirm", stub)
    return stub


def _open(qtbot: Any, ctx: ServiceContext) -> DuplicatesDialog:
    dialog = show_widget(qtbot, DuplicatesDialog(ctx))
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() > 0 and not dialog._busy,
                    timeout=WAIT)  # fmt: skip
    return dialog


def _live(engine: Engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.scalars(sa.select(customers_t.c.id).where(
            customers_t.c.deleted_at.is_(None))))  # fmt: skip


def test_groups_and_default_survivor(qtbot: Any, owner_ctx: ServiceContext,
                                     people: dict[str, int]) -> None:  # fmt: skip
    dialog = _open(qtbot, owner_ctx)
    assert dialog.tree.topLevelItemCount() == 1
    top = dialog.group_item(0)
    # The phone spaced as on the Customers list (it was "0901000001"), title and rows.
    assert "Same phone 0901 000 001 (3 customers)" == top.text(0) and top.childCount() == 3
    assert {top.child(i).text(PHONES) for i in range(3)} == {"0901 000 001"}
    # The customer with the most orders is kept by default; the others are to merge.
    keep, merge = dialog.choice(top)
    assert keep == people["an2"]
    assert sorted(merge) == sorted([people["an"], people["an3"]])
    assert dialog.merge_button.isEnabled()


def test_a_name_group_is_titled_as_the_customers_write_it(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    """The group of one name in one province shows "Hồ Mỹ Châu · TP. Hồ Chí Minh", not
    the folded key it was matched on ("ho my chau · tp. ho chi minh")."""
    pairs = (("Hồ Mỹ Châu", "0901000021"), ("hồ mỹ châu", "0901000022"))
    ids = [add_customer(owner_ctx, CustomerDraft(name=name, phones=[phone]),
                        on_duplicate=DuplicatePolicy.CREATE).customer_id
           for name, phone in pairs]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(addresses_t.insert(), [
            {"customer_id": cid, "province": "TP. Hồ Chí Minh", "is_default": True,
             "created_at": datetime(2026, 1, 1, tzinfo=UTC)} for cid in ids])  # fmt: skip
    dialog = _open(qtbot, owner_ctx)
    titles = [dialog.group_item(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert titles == [
        "Possible match: same name and province, Hồ Mỹ Châu · TP. Hồ Chí Minh (2 customers)"
    ]


def test_a_name_only_group_is_a_possible_match_after_the_phone_groups_left_unticked(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, people: dict[str, int]
) -> None:
    """Namesakes are common: a same-name group comes after the same-phone one, nothing
    ticked (the owner decides, by the address and latest order shown beside the name);
    ticking Merge on one keeps the suggested other."""
    pairs = (("Hoàng Văn Nghĩa", "0901000031", "12 Lê Lợi", "Bến Thành"),
             ("Hoàng Văn Nghĩa", "0901000032", "5 Hai Bà Trưng", None))  # fmt: skip
    ids = [add_customer(owner_ctx, CustomerDraft(name=name, phones=[phone]),
                        on_duplicate=DuplicatePolicy.CREATE).customer_id
           for name, phone, _street, _ward in pairs]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(addresses_t.insert(), [
            {"customer_id": cid, "street": street, "ward": ward, "province": "TP. Hồ Chí Minh",
             "is_default": True, "created_at": datetime(2026, 1, 1, tzinfo=UTC)}
            for cid, (_n, _p, street, ward) in zip(ids, pairs, strict=True)])  # fmt: skip
        conn.execute(customers_t.update().where(customers_t.c.id == ids[1]).values(
            last_order_at=datetime(2026, 3, 2, 5, tzinfo=UTC), total_orders=4))  # fmt: skip
    dialog = _open(qtbot, owner_ctx)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 2, timeout=WAIT)
    phone, name = dialog.group_item(0), dialog.group_item(1)
    assert phone.text(0).startswith("Same phone") and phone.isFirstColumnSpanned()
    assert name.text(0).startswith("Possible match: same name and province, Hoàng Văn Nghĩa")
    rows = {int(name.child(i).data(2, ui.ID_ROLE)): name.child(i) for i in range(2)}
    assert [(r.text(ADDRESS), r.text(LAST)) for r in rows.values()] == [
        ("12 Lê Lợi, Bến Thành", ""), ("5 Hai Bà Trưng", "02/03/2026")]  # fmt: skip
    assert all(r.checkState(c) == Qt.CheckState.Unchecked for r in rows.values()
               for c in (KEEP, MERGE))  # fmt: skip
    dialog.tree.setCurrentItem(name)
    assert dialog.choice(name) == (None, []) and not dialog.merge_button.isEnabled()
    rows[ids[0]].setCheckState(MERGE, Qt.CheckState.Checked)  # the owner decides
    assert dialog.choice(name) == (ids[1], [ids[0]]) and dialog.merge_button.isEnabled()
    # Address and latest order are seen without scrolling sideways on a 1366 px screen.
    dialog.resize(1240, 600)
    qtbot.wait(50)
    bar = dialog.tree.horizontalScrollBar()
    assert bar.maximum() == 0, bar.maximum()


def test_pick_survivor_leave_one_out_and_merge(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, people: dict[str, int],
    confirms: Confirms,
) -> None:  # fmt: skip
    dialog = _open(qtbot, owner_ctx)
    top = dialog.group_item(0)
    rows = {int(top.child(i).data(2, ui.ID_ROLE)): top.child(i) for i in range(top.childCount())}
    rows[people["an"]].setCheckState(KEEP, Qt.CheckState.Checked)  # keep An instead
    assert rows[people["an2"]].checkState(KEEP) == Qt.CheckState.Unchecked
    assert rows[people["an2"]].checkState(MERGE) == Qt.CheckState.Checked
    assert rows[people["an"]].checkState(MERGE) == Qt.CheckState.Unchecked
    rows[people["an3"]].setCheckState(MERGE, Qt.CheckState.Unchecked)  # someone else
    assert dialog.choice(top) == (people["an"], [people["an2"]])

    confirms.answers.append(False)  # "No": nothing happens
    dialog.merge_button.click()
    assert "Merge An Nguyễn" in confirms.asked[0] and "into Nguyễn Văn An" in confirms.asked[0]
    assert _live(engine) == set(people.values())

    confirms.answers.append(True)
    with qtbot.waitSignal(dialog.merged, timeout=WAIT) as signal:
        dialog.merge_button.click()
    assert signal.args == [people["an"]]
    qtbot.waitUntil(lambda: not dialog._busy and "Merged 1" in dialog.message.text(),
                    timeout=WAIT)  # fmt: skip
    assert "3 order(s) moved" in dialog.message.text()
    assert _live(engine) == {people["an"], people["an3"], people["lone"]}
    # The group reloads: An and the one left out still share the phone.
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1
                    and dialog.group_item(0).childCount() == 2, timeout=WAIT)  # fmt: skip
    dialog.close()
    assert_db_worker_idle()


def test_no_duplicates(qtbot: Any, owner_ctx: ServiceContext) -> None:
    dialog = show_widget(qtbot, DuplicatesDialog(owner_ctx))
    qtbot.waitUntil(lambda: "No likely duplicates" in dialog.message.text(), timeout=WAIT)
    assert not dialog.merge_button.isEnabled()
