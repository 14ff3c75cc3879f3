"""The customer detail: figures for a chosen range, the 11th address replacing the oldest
(said before saving), tags and note saved, order double-click and "Create order"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTabWidget, QWidget
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.customer import MAX_ADDRESSES
from primedist.domain.enums import Channel, OrderStatus
from primedist.domain.order import Order
from primedist.services import customer_detail as svc
from primedist.services.context import ServiceContext
from primedist.ui.customers.detail import CustomerDetailDialog
from primedist.ui.i18n import install_language
from tests.factories import make_customers, make_orders, make_shop
from tests.ui.support import WAIT, show_widget
from tests.ui.test_translations import vietnamese

pytestmark = pytest.mark.usefixtures("quiet")
orders_t = table_of(Order)
DAY1 = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)


class Questions:
    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answer = QMessageBox.StandardButton.Yes

    def __call__(self, _parent, _title, text, *_args) -> QMessageBox.StandardButton:
        self.asked.append(text)
        return self.answer


@pytest.fixture
def questions(monkeypatch) -> Questions:
    asker = Questions()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


@pytest.fixture
def customer(engine: Engine) -> dict[str, object]:
    shop = make_shop(engine, "Shopee Hà Nội", Channel.SHOPEE)
    (cid,) = make_customers(engine, 1, names=["Nguyễn Thị Lan"])
    ids = make_orders(engine, shop, 4, start=DAY1, step=timedelta(days=1), customer_ids=[cid],
                      totals=[100_000, 250_000, 300_000, 400_000])  # fmt: skip
    plan = [OrderStatus.COMPLETED, OrderStatus.COMPLETED, OrderStatus.CANCELLED,
            OrderStatus.COMPLETED]  # fmt: skip
    with engine.begin() as conn:
        for oid, status in zip(ids, plan, strict=True):
            conn.execute(
                orders_t.update()
                .where(orders_t.c.id == oid)
                .values(status=status, refunded_amount=0)
            )
    return {"id": cid, "orders": ids}


def open_detail(qtbot, ctx: ServiceContext, cid: int) -> CustomerDetailDialog:
    dialog = show_widget(qtbot, CustomerDetailDialog(ctx, cid), 1100, 760)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    return dialog


def idle(dialog: CustomerDetailDialog) -> bool:
    return not dialog._busy


def test_figures_for_the_chosen_range(qtbot, owner_ctx: ServiceContext, customer) -> None:
    dialog = open_detail(qtbot, owner_ctx, customer["id"])
    assert dialog.name_label.text() == "Nguyễn Thị Lan"
    assert dialog.avatar.pixmap() is not None and not dialog.avatar.pixmap().isNull()
    # the default range (the last year) holds every order
    assert dialog.stat_values["total_orders"].text() == "4"
    assert dialog.stat_values["expenses"].text() == "750,000 VND"

    dialog.set_stats_range(date(2026, 11, 2), date(2026, 11, 3))
    qtbot.mouseClick(dialog.stats_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.stat_values["total_orders"].text() == "2", timeout=WAIT)
    assert dialog.stats is not None and dialog.stats.start == date(2026, 11, 2)
    assert dialog.stat_values["successful"].text() == "1"
    assert dialog.stat_values["expenses"].text() == "250,000 VND"
    assert dialog.stat_values["average"].text() == "250,000 VND"
    assert dialog.stat_values["success_rate"].text() == "50%"
    assert "finished orders" in dialog.stat_values["success_rate"].toolTip()
    statuses = {
        dialog.status_table.item(r, 0).text(): dialog.status_table.item(r, 1).text()
        for r in range(dialog.status_table.rowCount())
    }
    assert statuses["Completed"] == "1" and statuses["Cancelled"] == "1"
    assert statuses["Pending"] == "0"


def test_order_history_opens_orders_and_create_order(
    qtbot, owner_ctx: ServiceContext, customer
) -> None:
    dialog = open_detail(qtbot, owner_ctx, customer["id"])
    assert dialog.orders_table.rowCount() == 4
    with qtbot.waitSignal(dialog.openOrder, timeout=WAIT) as opened:
        dialog.orders_table.cellDoubleClicked.emit(0, 1)
    assert opened.args == [customer["orders"][-1]]  # newest first
    with qtbot.waitSignal(dialog.createOrder, timeout=WAIT) as created:
        qtbot.mouseClick(dialog.create_order_button, Qt.MouseButton.LeftButton)
    assert created.args == [customer["id"]]


def test_eleventh_address_warns_then_replaces_the_oldest(
    qtbot, owner_ctx: ServiceContext, customer, questions: Questions, clock
) -> None:
    cid = customer["id"]
    for i in range(MAX_ADDRESSES):
        svc.add_address(owner_ctx, cid, svc.AddressDraft(street=f"{i + 1} Lê Lợi", province="Huế"))
        clock.advance(timedelta(minutes=1))
    dialog = open_detail(qtbot, owner_ctx, cid)
    assert dialog.address_list.count() == MAX_ADDRESSES

    questions.answer = QMessageBox.StandardButton.No
    assert not dialog.add_address(svc.AddressDraft(street="7 Hàng Bài", province="Hà Nội"))
    assert len(questions.asked) == 1 and "1 Lê Lợi" in questions.asked[0]
    assert len(svc.customer_profile(owner_ctx, cid).addresses) == MAX_ADDRESSES
    assert dialog.address_list.count() == MAX_ADDRESSES

    questions.answer = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        assert dialog.add_address(svc.AddressDraft(street="7 Hàng Bài", province="Hà Nội"))
    assert "replaced the oldest" in dialog.message.text() and "1 Lê Lợi" in dialog.message.text()
    texts = [dialog.address_list.item(r).text() for r in range(dialog.address_list.count())]
    assert len(texts) == MAX_ADDRESSES
    assert not any("1 Lê Lợi" in t for t in texts) and "7 Hàng Bài" in texts[-1]


def test_few_addresses_add_without_asking(
    qtbot, owner_ctx: ServiceContext, customer, questions: Questions
) -> None:
    dialog = open_detail(qtbot, owner_ctx, customer["id"])
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        dialog.add_address(svc.AddressDraft(street="3 Trần Phú", province="Đà Nẵng"))
    assert questions.asked == []
    assert dialog.address_list.count() == 1
    dialog.address_list.setCurrentRow(0)
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.remove_address_button, Qt.MouseButton.LeftButton)
    assert dialog.address_list.count() == 0


def test_tags_and_note_are_saved(qtbot, owner_ctx: ServiceContext, customer) -> None:
    cid = customer["id"]
    dialog = open_detail(qtbot, owner_ctx, cid)
    assert "never printed" in dialog.note_hint.text()
    assert not dialog.save_tags_button.isEnabled()
    names = [dialog.tag_list.item(r).text() for r in range(dialog.tag_list.count())]
    assert "Potential" in names
    dialog.tag_list.item(names.index("Potential")).setCheckState(Qt.CheckState.Checked)
    assert dialog.save_tags_button.isEnabled()
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.save_tags_button, Qt.MouseButton.LeftButton)
    assert [t.name for t in svc.customer_profile(owner_ctx, cid).tags if t.ticked] == ["Potential"]
    assert not dialog.save_tags_button.isEnabled()

    assert not dialog.save_note_button.isEnabled()
    dialog.note_edit.setPlainText("Gọi sau 18h")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.save_note_button, Qt.MouseButton.LeftButton)
    assert svc.customer_profile(owner_ctx, cid).note == "Gọi sau 18h"
    assert not dialog.save_note_button.isEnabled()

    owner_id = owner_ctx.actor.id
    index = dialog.staff_combo.findData(owner_id)
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        dialog.staff_combo.setCurrentIndex(index)
        dialog.staff_combo.activated.emit(index)
    assert svc.customer_profile(owner_ctx, cid).assigned_user_id == owner_id


@pytest.mark.usefixtures("app_style")
def test_every_tab_of_the_customer_card_is_in_view_in_vietnamese(
    qtbot, owner_ctx: ServiceContext, customer
) -> None:
    """Opened from the main window (whose tab style its tabs inherit), at its own size, the
    card shows all eight tab titles at once: no scroll arrows hiding "Rank"."""
    main_tabs = QTabWidget()
    main_tabs.setObjectName("mainTabs")
    page = QWidget()
    main_tabs.addTab(page, "Customers")
    qtbot.addWidget(main_tabs)
    main_tabs.show()
    install_language("vi")
    try:
        dialog = CustomerDetailDialog(owner_ctx, int(customer["id"]), parent=page)
        dialog.resize(1040, 688)  # its size on a 1366 × 768 laptop (the test screen: 800)
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
        bar = dialog.tabs.tabBar()
        assert bar.count() == 8
        assert bar.tabText(7) == vietnamese("CustomerDetailDialog", "Rank")
        assert bar.sizeHint().width() <= dialog.tabs.width()
        assert bar.tabRect(7).right() <= dialog.tabs.width()
        dialog.close()
    finally:
        install_language("en")


def test_the_picture_is_chosen_and_removed_from_the_avatar(
    qtbot, monkeypatch: pytest.MonkeyPatch, owner_ctx: ServiceContext, customer, tmp_path
) -> None:
    from PIL import Image

    from primedist.ui import file_dialogs

    source = tmp_path / "lan.png"
    Image.new("RGB", (400, 300), (200, 0, 0)).save(source)
    dialog = open_detail(qtbot, owner_ctx, customer["id"])

    def centre() -> tuple[int, int, int]:
        image = dialog.avatar.pixmap().toImage()
        colour = image.pixelColor(image.width() // 2, image.height() // 2)
        return colour.red(), colour.green(), colour.blue()

    initials = centre()
    menu = dialog.avatar_menu()
    choose, remove = menu.actions()
    assert (choose.text(), remove.text(), remove.isEnabled()) == (
        "Choose a picture…", "Remove the picture", False)  # fmt: skip
    monkeypatch.setattr(file_dialogs, "run_dialog", lambda _d: ([str(source)], ""))
    choose.trigger()
    qtbot.waitUntil(lambda: dialog.message.text() == "Picture saved.", timeout=WAIT)
    assert dialog.profile is not None and dialog.profile.avatar_path is not None
    assert centre() == (200, 0, 0) != initials
    remove = dialog.avatar_menu().actions()[1]
    assert remove.isEnabled()
    remove.trigger()
    qtbot.waitUntil(lambda: dialog.message.text() == "Picture removed.", timeout=WAIT)
    assert dialog.profile.avatar_path is None and centre() == initials


def test_delete_from_the_detail_closes_it_and_a_debtor_stays(
    qtbot, monkeypatch: pytest.MonkeyPatch, owner_ctx: ServiceContext, customer
) -> None:
    from primedist.errors import NotFound
    from primedist.services.customer_account import adjust_balance
    from primedist.services.customer_detail import customer_profile

    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    adjust_balance(owner_ctx, customer["id"], 90_000, "nợ cũ")
    dialog = open_detail(qtbot, owner_ctx, customer["id"])
    assert dialog.delete_button.isVisible() and dialog.delete_button.text() == "Delete…"
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "still owe money" in dialog.message.text(), timeout=WAIT)
    assert dialog.isVisible()
    adjust_balance(owner_ctx, customer["id"], -90_000, "đã trả")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    with pytest.raises(NotFound):
        customer_profile(owner_ctx, customer["id"])
