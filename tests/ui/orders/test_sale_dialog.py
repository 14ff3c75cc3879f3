"""Create order (the sale dialog), driven from the keyboard like a cashier would."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPushButton
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from primedist.domain.customer import Address, Customer, customer_code
from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.domain.loyalty import CustomerLevel, LevelPrice
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import Variant
from primedist.services.context import ServiceContext
from primedist.services.sale_lookup import get_customer
from primedist.ui.i18n import install_language
from primedist.ui.orders.sale import SHORTCUTS, LinesModel, QuickCustomerDialog, SaleDialog
from primedist.ui.widgets import SCREEN_MARGIN
from tests.factories import make_customers, make_product

pytestmark = pytest.mark.usefixtures("english")

SHIRT_S = "8930000000011"
SHIRT_M = "8930000000028"


class Questions:
    """Stands in for QMessageBox.question: records the text, gives `answer`."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answer = QMessageBox.StandardButton.Yes

    def __call__(self, _parent, _title, text, *_args) -> QMessageBox.StandardButton:
        self.asked.append(text)
        return self.answer


@pytest.fixture(autouse=True)
def questions(monkeypatch) -> Questions:
    asker = Questions()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


@pytest.fixture
def products(engine: Engine, owner_ctx: ServiceContext) -> dict[str, int]:
    """AO-S 99,000 đ (10), AO-M 120,000 đ (3), QJ-30 350,000 đ (5); by SKU."""
    shirts = make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)],
                          barcodes=[SHIRT_S, SHIRT_M])  # fmt: skip
    jeans = make_product(engine, "Quần jean ống suông", [("QJ-30", 350_000, 5)],
                         barcodes=["8930000000035"])  # fmt: skip
    return {"AO-S": shirts[0], "AO-M": shirts[1], "QJ-30": jeans[0]}


@pytest.fixture
def dialog(qtbot, owner_ctx: ServiceContext, products: dict[str, int]) -> SaleDialog:
    d = SaleDialog(owner_ctx)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def field(dialog: SaleDialog, name: str) -> QLineEdit:
    widget = dialog.findChild(QLineEdit, name)
    assert widget is not None, name
    return widget


def scan(qtbot, dialog: SaleDialog, code: str) -> None:
    """What a barcode scanner does: type the code and Enter into the focused field."""
    product = field(dialog, "productSearch")
    qtbot.keyClicks(product, code)
    qtbot.keyClick(product, Qt.Key.Key_Return)


def lines(dialog: SaleDialog) -> list[tuple[str, int]]:
    return [(line.hit.sku, line.quantity) for line in dialog.model.lines]


def settle(qtbot, dialog: SaleDialog) -> None:
    """Let the debounced quote run."""
    qtbot.waitUntil(lambda: not dialog._quote_timer.isActive(), timeout=10_000)


def stock(engine: Engine, variant_id: int) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(Variant.stock, Variant.reserved).where(Variant.id == variant_id)
        ).one()
    return int(row[0]), int(row[1])


def saved_order(engine: Engine, order_id: int) -> tuple[Order, list[OrderLine]]:
    with Session(engine) as session:
        order = session.get(Order, order_id)
        assert order is not None
        rows = session.exec(select(OrderLine).where(OrderLine.order_id == order_id)).all()
        session.expunge_all()
        return order, list(rows)


def save_with_f9(qtbot, dialog: SaleDialog) -> int:
    with qtbot.waitSignal(dialog.orderCreated, timeout=10_000) as blocker:
        widget = dialog.focusWidget()
        assert widget is not None
        qtbot.keyClick(widget, Qt.Key.Key_F9)
    return int(blocker.args[0])


# --------------------------------------------------------------------------- counter sale


def test_keyboard_only_counter_sale(
    qtbot, dialog: SaleDialog, engine: Engine, products: dict[str, int]
) -> None:
    product = field(dialog, "productSearch")
    assert dialog.focusWidget() is product  # ready to scan as it opens
    scan(qtbot, dialog, SHIRT_S)
    assert lines(dialog) == [("AO-S", 1)] and product.text() == ""
    scan(qtbot, dialog, SHIRT_S)  # the same item again: one more on its line
    assert lines(dialog) == [("AO-S", 2)]
    # Not a code: the folded name finds the jeans, its only match: added at once.
    qtbot.keyClicks(product, "quan jean")
    qtbot.keyClick(product, Qt.Key.Key_Return)
    assert not dialog.product_popup.isVisible()
    assert lines(dialog) == [("AO-S", 2), ("QJ-30", 1)]
    # F4: cash received; 2 × 99,000 + 350,000 = 548,000.
    qtbot.keyClick(product, Qt.Key.Key_F4)
    cash = field(dialog, "cashReceived")
    assert dialog.focusWidget() is cash
    qtbot.keyClicks(cash, "600.000")
    settle(qtbot, dialog)
    assert dialog.total_values["total"].text() == "548,000 VND"
    assert dialog.total_values["change"].text() == "52,000 VND"
    assert dialog.save_button.isEnabled()
    order_id = save_with_f9(qtbot, dialog)

    order, saved = saved_order(engine, order_id)
    assert (order.status, order.source, order.payment_method) == (
        OrderStatus.COMPLETED, OrderSource.COUNTER, PaymentMethod.CASH)  # fmt: skip
    assert order.total == 548_000 and order.paid_amount == 548_000 and order.customer_id is None
    assert sorted((ln.sku, ln.quantity, ln.unit_price) for ln in saved) == [
        ("AO-S", 2, 99_000), ("QJ-30", 1, 350_000)]  # fmt: skip
    assert stock(engine, products["AO-S"]) == (8, 0)
    assert stock(engine, products["QJ-30"]) == (4, 0)
    # Ready for the next customer, with the change due on screen.
    assert dialog.last_created is not None and dialog.last_created.id == order_id
    assert dialog.saved_label.isVisible()
    assert dialog.saved_label.text() == f"Saved {order.external_id} — change due 52,000 VND"
    assert dialog.model.rowCount() == 0 and dialog.customer is None
    assert cash.text() == "" and product.text() == ""
    assert dialog.focusWidget() is product
    assert not dialog.save_button.isEnabled()
    scan(qtbot, dialog, SHIRT_M)  # the next sale starts at once
    assert lines(dialog) == [("AO-M", 1)] and not dialog.saved_label.isVisible()


def test_shortcuts_fire_once_in_the_active_window(qtbot, dialog: SaleDialog) -> None:
    """Offscreen windows are not active, so the other tests go through the dialog's own
    key handling; an active window takes the QShortcut path: same result, once."""
    dialog.windowHandle().requestActivate()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=10_000)
    product = field(dialog, "productSearch")
    scan(qtbot, dialog, SHIRT_S)
    qtbot.keyClick(product, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert lines(dialog) == [("AO-S", 2)]
    qtbot.keyClick(product, Qt.Key.Key_F4)
    assert dialog.focusWidget() is field(dialog, "cashReceived")
    dialog.lines.setFocus()
    qtbot.keyClick(dialog.lines, Qt.Key.Key_F2)  # not "edit the cell": the product field
    assert dialog.focusWidget() is product
    with qtbot.waitSignal(dialog.orderCreated, timeout=10_000):
        qtbot.keyClick(product, Qt.Key.Key_F9)
    assert dialog.model.rowCount() == 0


def test_ctrl_enter_saves_and_enter_never_does(qtbot, dialog: SaleDialog) -> None:
    scan(qtbot, dialog, SHIRT_S)
    note = field(dialog, "note")
    note.setText("Gói quà")  # QTest types ASCII only
    qtbot.keyClick(note, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert dialog.last_created is None and lines(dialog) == [("AO-S", 1)]
    with qtbot.waitSignal(dialog.orderCreated, timeout=10_000):
        qtbot.keyClick(note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.saved_label.text().endswith("— total 99,000 VND")  # no cash typed


def test_quantity_keys_and_delete(qtbot, dialog: SaleDialog) -> None:
    product = field(dialog, "productSearch")
    scan(qtbot, dialog, SHIRT_S)
    scan(qtbot, dialog, SHIRT_M)
    qtbot.keyClick(product, Qt.Key.Key_Plus)  # the selected (last added) line
    qtbot.keyClick(product, Qt.Key.Key_Plus)
    assert lines(dialog) == [("AO-S", 1), ("AO-M", 3)]
    qtbot.keyClick(product, Qt.Key.Key_Minus)
    qtbot.keyClick(product, Qt.Key.Key_Up)  # select the first line
    qtbot.keyClick(product, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert lines(dialog) == [("AO-S", 2), ("AO-M", 2)]
    qtbot.keyClick(product, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(product, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert lines(dialog) == [("AO-S", 1), ("AO-M", 2)]  # never below 1
    qtbot.keyClick(dialog.lines, Qt.Key.Key_Plus)
    assert lines(dialog) == [("AO-S", 2), ("AO-M", 2)]
    qtbot.keyClick(product, Qt.Key.Key_Delete)
    assert lines(dialog) == [("AO-M", 2)]
    qtbot.keyClick(dialog.lines, Qt.Key.Key_Delete)
    assert lines(dialog) == []
    qtbot.keyClicks(product, "AO-S+")  # once the field has text, +/− are plain typing
    assert product.text() == "AO-S+"


def test_edited_price_quantity_and_discount(qtbot, dialog: SaleDialog, engine: Engine) -> None:
    scan(qtbot, dialog, SHIRT_S)
    model = dialog.model
    assert model.setData(model.index(0, LinesModel.QTY), "3")
    assert model.setData(model.index(0, LinesModel.PRICE), "90.000")
    assert model.setData(model.index(0, LinesModel.DISCOUNT), "10,000")
    assert not model.setData(model.index(0, LinesModel.QTY), "0")
    assert not model.setData(model.index(0, LinesModel.PRICE), "abc")
    settle(qtbot, dialog)
    assert model.data(model.index(0, LinesModel.SUBTOTAL)) == "260,000"
    assert dialog.draft()[0].lines[0].unit_price == 90_000  # typed: saved as typed
    assert model.setData(model.index(0, LinesModel.PRICE), "")  # back to the customer's price
    settle(qtbot, dialog)
    assert dialog.draft()[0].lines[0].unit_price is None
    assert dialog.total_values["subtotal"].text() == "287,000 VND"


# --------------------------------------------------------------------------- customers


def test_customer_search_applies_the_level_price_and_points(
    qtbot, dialog: SaleDialog, engine: Engine, products: dict[str, int]
) -> None:
    (customer_id,) = make_customers(engine, 1, names=["Nguyễn Thị Hòa"])
    make_customers(engine, 1, names=["Trần Văn Bình"])
    with engine.begin() as conn:
        level = conn.execute(
            sa.insert(CustomerLevel).values(
                name="Sỉ", code="SI", position=1, created_at=sa.func.now()
            )  # fmt: skip
        ).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(sa.insert(LevelPrice).values(level_id=level, variant_id=products["AO-S"],
                                                  price=80_000))  # fmt: skip
        conn.execute(sa.update(Customer).where(Customer.id == customer_id)
                     .values(level_id=level, points_balance=30))  # fmt: skip
    product = field(dialog, "productSearch")
    scan(qtbot, dialog, SHIRT_S)
    settle(qtbot, dialog)
    assert dialog.model.lines[0].price == 99_000  # walk-in: list price
    qtbot.keyClick(product, Qt.Key.Key_F3)
    search = field(dialog, "customerSearch")
    assert dialog.focusWidget() is search
    qtbot.keyClicks(search, "hoa")  # folded: finds Hòa
    popup = dialog.customer_popup
    qtbot.waitUntil(popup.isVisible, timeout=10_000)
    assert popup.count() == 1 and "Nguyễn Thị Hòa" in popup.item(0).text()
    qtbot.keyClick(search, Qt.Key.Key_Down)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dialog.customer is not None and dialog.customer.id == customer_id
    assert "Nguyễn Thị Hòa" in dialog.customer_card.text()
    assert "30 points" in dialog.customer_card.text()
    assert dialog.focusWidget() is product
    settle(qtbot, dialog)
    assert dialog.model.lines[0].price == 80_000  # the level's price
    points = field(dialog, "points")
    assert points.isEnabled()
    qtbot.keyClicks(points, "20")
    settle(qtbot, dialog)
    assert dialog.total_values["points"].text() == "-20,000 VND"
    assert dialog.total_values["total"].text() == "60,000 VND"
    order, saved = saved_order(engine, save_with_f9(qtbot, dialog))
    assert order.customer_id == customer_id and order.total == 60_000
    assert order.points_discount == 20_000 and saved[0].unit_price == 80_000
    assert dialog.customer is None  # reset to walk-in


def test_enter_in_the_customer_field(qtbot, dialog: SaleDialog, engine: Engine) -> None:
    _older, newer = make_customers(engine, 2, names=["Lê Thị Lan", "Lê Thị Lan Anh"])
    search = field(dialog, "customerSearch")
    qtbot.keyClicks(search, "le thi lan")
    qtbot.keyClick(search, Qt.Key.Key_Return)  # searches at once, no pick yet (stale list)
    popup = dialog.customer_popup
    assert popup.isVisible() and popup.count() == 2 and dialog.customer is None
    qtbot.keyClick(search, Qt.Key.Key_Return)  # nothing highlighted: the first (newest)
    assert dialog.customer is not None and dialog.customer.id == newer
    # No match: Enter opens "New customer" with the typed name.
    qtbot.keyClicks(search, "xuan mai")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert popup.isVisible() and "No customer matches “xuan mai”" in popup.item(0).text()
    qtbot.keyClick(search, Qt.Key.Key_Return)
    quick = dialog.findChild(QuickCustomerDialog)
    assert quick is not None and quick.isVisible() and quick.name.text() == "xuan mai"
    quick.reject()
    assert dialog.customer is not None and dialog.customer.id == newer


def test_phone_order_prefills_delivery_from_the_customer(
    qtbot, dialog: SaleDialog, engine: Engine
) -> None:
    hoa, dat = make_customers(engine, 2, names=["Nguyễn Thị Hòa", "Đặng Văn Đạt"])
    with engine.begin() as conn:
        conn.execute(sa.insert(Address).values(
            customer_id=hoa, recipient="Chị Hòa", phone="0939921717", street="1 Lê Lợi",
            ward="Phường Sài Gòn", province="TP. Hồ Chí Minh", is_default=True,
            created_at=sa.func.now()))  # fmt: skip
    dialog.findChild(QPushButton, "typeChat").click()
    assert dialog.source == OrderSource.CHAT and dialog.delivery.isVisible()
    dialog.set_customer(get_customer(dialog.ctx, hoa))
    assert field(dialog, "shipName").text() == "Chị Hòa"
    assert field(dialog, "shipAddress").text() == "1 Lê Lợi"
    assert field(dialog, "shipWard").text() == "Phường Sài Gòn"
    assert dialog.ship_province.currentText() == "TP. Hồ Chí Minh"
    field(dialog, "shipPhone").setText("0912 345 678")  # typed by the user: kept
    dialog.set_customer(get_customer(dialog.ctx, dat))  # no address on file
    assert field(dialog, "shipName").text() == "Đặng Văn Đạt"
    assert field(dialog, "shipAddress").text() == "" and dialog.ship_province.currentText() == ""
    assert field(dialog, "shipWard").text() == ""
    assert field(dialog, "shipPhone").text() == "0912 345 678"


def test_prefilled_customer_and_walk_in(
    qtbot, owner_ctx: ServiceContext, engine: Engine, products: dict[str, int]
) -> None:
    (customer_id,) = make_customers(engine, 1, names=["Đặng Văn Đạt"])
    d = SaleDialog(owner_ctx, customer_id=customer_id)
    qtbot.addWidget(d)
    assert d.customer is not None and d.customer.name == "Đặng Văn Đạt"
    walk_in = d.findChild(QPushButton, "walkInButton")
    assert walk_in is not None
    d.show()
    qtbot.mouseClick(walk_in, Qt.MouseButton.LeftButton)
    assert d.customer is None and "Walk-in customer" in d.customer_card.text()
    assert not walk_in.isVisible() and not field(d, "points").isEnabled()


def test_quick_create_customer_with_only_a_name(qtbot, dialog: SaleDialog, engine: Engine) -> None:
    search = field(dialog, "customerSearch")
    search.setText("Phạm Thu Hà")
    button = dialog.findChild(QPushButton, "newCustomerButton")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    quick = dialog.findChild(QuickCustomerDialog)
    assert quick is not None and quick.isVisible()
    assert quick.name.text() == "Phạm Thu Hà" and quick.phone.text() == ""
    quick.name.clear()
    assert not quick.save.isEnabled()  # the name is required
    quick.name.setText("Phạm Thu Hà")
    qtbot.mouseClick(quick.save, Qt.MouseButton.LeftButton)
    assert not quick.isVisible()
    hit = dialog.customer
    assert hit is not None and hit.name == "Phạm Thu Hà" and hit.code == f"KH{hit.id:06d}"
    with engine.connect() as conn:
        row = conn.execute(sa.select(Customer.name, Customer.source)
                           .where(Customer.id == hit.id)).one()  # fmt: skip
    assert tuple(row) == ("Phạm Thu Hà", "counter")


def test_quick_create_shows_why_a_phone_is_refused(
    qtbot, dialog: SaleDialog, engine: Engine
) -> None:
    (other,) = make_customers(engine, 1, names=["Lê Thị Lan"])
    with engine.connect() as conn:
        taken = conn.execute(sa.text("SELECT phone FROM customer_phones")).scalar_one()
    quick = dialog.open_new_customer()
    quick.name.setText("Ngô Hải")
    qtbot.keyClicks(quick.phone, taken)
    quick.accept()
    assert quick.isVisible() and "Lê Thị Lan" in quick.error.text()
    # Offered at once: that customer is most likely the one at the counter.
    use = quick.use_existing
    assert use.isVisible() and use.text() == f"Sell to Lê Thị Lan ({customer_code(other)})"
    assert use.isDefault() and not quick.save.isDefault()  # Enter takes the offer…
    assert (use.objectName(), quick.save.objectName()) == ("primaryButton", "")  # …it looks so
    quick.phone.setText("12345")
    quick.accept()
    assert "not a valid phone" in quick.error.text() and dialog.customer is None
    assert not use.isVisible()  # nobody to offer for a phone that is no phone
    assert quick.save.isDefault() and quick.save.objectName() == "primaryButton"
    quick.phone.setText(taken)
    quick.accept()
    assert quick.focusWidget() is quick.phone  # typing still goes to the phone…
    qtbot.keyClick(quick.phone, Qt.Key.Key_Return)  # …and Enter takes the offer
    assert not quick.isVisible() and dialog.customer is not None
    assert dialog.customer.id == other
    with engine.connect() as conn:  # nobody new was made
        assert conn.execute(sa.text("SELECT count(*) FROM customers")).scalar_one() == 1


# --------------------------------------------------------------------------- stock and problems


def test_selling_more_than_stock_asks_then_sells(
    qtbot, dialog: SaleDialog, engine: Engine, products: dict[str, int], questions: Questions
) -> None:
    for _ in range(4):
        scan(qtbot, dialog, SHIRT_M)  # 3 in stock
    settle(qtbot, dialog)
    model = dialog.model
    stock_cell = model.index(0, LinesModel.STOCK)
    assert model.data(stock_cell) == "3"
    assert model.data(stock_cell, Qt.ItemDataRole.ForegroundRole) is not None  # red
    questions.answer = QMessageBox.StandardButton.No
    qtbot.keyClick(field(dialog, "productSearch"), Qt.Key.Key_F9)
    assert len(questions.asked) == 1 and "AO-M: 3 available, 4 wanted" in questions.asked[0]
    assert dialog.last_created is None and lines(dialog) == [("AO-M", 4)]
    questions.answer = QMessageBox.StandardButton.Yes
    order, _ = saved_order(engine, save_with_f9(qtbot, dialog))
    assert len(questions.asked) == 2 and order.status == OrderStatus.COMPLETED
    assert stock(engine, products["AO-M"]) == (-1, 0)


def test_a_problem_is_said_in_the_screens_language(qtbot, dialog: SaleDialog) -> None:
    install_language("vi")  # (the english fixture puts English back after the test)
    scan(qtbot, dialog, SHIRT_S)
    settle(qtbot, dialog)
    discount = field(dialog, "orderDiscount")
    discount.setText("150000")
    settle(qtbot, dialog)
    assert not dialog.save_button.isEnabled()
    assert dialog.problems_label.text() == "Giảm giá đơn phải từ 0 đến 99.000."


def test_a_problem_disables_save_and_says_why(qtbot, dialog: SaleDialog) -> None:
    product = field(dialog, "productSearch")
    assert not dialog.save_button.isEnabled() and not dialog.problems_label.isVisible()
    scan(qtbot, dialog, SHIRT_S)
    settle(qtbot, dialog)
    assert dialog.save_button.isEnabled()
    qtbot.keyClick(product, Qt.Key.Key_F6)
    discount = field(dialog, "orderDiscount")
    assert dialog.focusWidget() is discount
    qtbot.keyClicks(discount, "150000")
    settle(qtbot, dialog)
    assert not dialog.save_button.isEnabled()
    assert dialog.problems_label.isVisible()
    assert "order discount must be between 0 and 99,000" in dialog.problems_label.text()
    qtbot.keyClick(discount, Qt.Key.Key_F9)
    assert dialog.last_created is None
    discount.setText("12 nghìn")
    settle(qtbot, dialog)
    assert "“12 nghìn” is not an amount of money" in dialog.problems_label.text()
    assert discount.property("invalid") is True
    discount.setText("9,000")
    settle(qtbot, dialog)
    assert dialog.save_button.isEnabled() and not dialog.problems_label.isVisible()
    assert dialog.total_values["total"].text() == "90,000 VND"
    qtbot.keyClick(discount, Qt.Key.Key_F7)
    voucher = field(dialog, "voucherCode")
    assert dialog.focusWidget() is voucher
    qtbot.keyClicks(voucher, "NOPE")
    settle(qtbot, dialog)
    assert "Voucher NOPE does not exist" in dialog.problems_label.text()
    assert not dialog.save_button.isEnabled()


def test_cash_short_of_the_total_is_a_problem(qtbot, dialog: SaleDialog) -> None:
    scan(qtbot, dialog, SHIRT_S)
    qtbot.keyClick(field(dialog, "productSearch"), Qt.Key.Key_F4)
    qtbot.keyClicks(field(dialog, "cashReceived"), "50000")
    settle(qtbot, dialog)
    assert "49,000 short" in dialog.problems_label.text()
    assert not dialog.save_button.isEnabled()
    change = dialog.total_values["change"]
    assert change.text() == "49,000 VND" and change.property("short") is True
    assert dialog.total_captions["change"].text() == "Still to pay"
    red = change.palette().color(change.foregroundRole()).name()
    field(dialog, "cashReceived").setText("100000")
    settle(qtbot, dialog)  # enough cash: the change is money back, green again
    assert change.property("short") is False
    assert change.palette().color(change.foregroundRole()).name() != red
    assert dialog.total_captions["change"].text() == "Change due"
    assert change.text() == "1,000 VND"


def test_unknown_product_says_so(qtbot, dialog: SaleDialog) -> None:
    product = field(dialog, "productSearch")
    product.setText("bút bi")
    qtbot.keyClick(product, Qt.Key.Key_Return)
    popup = dialog.product_popup
    assert popup.isVisible() and popup.count() == 1
    assert popup.item(0).text() == "No product matches “bút bi”"
    qtbot.keyClick(product, Qt.Key.Key_Return)  # nothing to pick
    assert lines(dialog) == [] and popup.isVisible()
    qtbot.keyClick(product, Qt.Key.Key_Escape)  # closes the popup, not the dialog
    assert not popup.isVisible() and dialog.isVisible()


def test_a_scan_after_an_unknown_code_replaces_it(qtbot, dialog: SaleDialog) -> None:
    """A scanner types after what is in the field: an unknown code left there unselected
    made every later scan "No product matches “<old code><new code>”"."""
    scan(qtbot, dialog, "8931234567896")
    assert dialog.product_popup.item(0).text() == "No product matches “8931234567896”"
    scan(qtbot, dialog, SHIRT_S)
    assert lines(dialog) == [("AO-S", 1)]
    assert field(dialog, "productSearch").text() == ""


# --------------------------------------------------------------------------- phone order


def test_phone_order_with_delivery_reserves_stock(
    qtbot, dialog: SaleDialog, engine: Engine, products: dict[str, int]
) -> None:
    assert not dialog.delivery.isVisible()
    phone_button = dialog.findChild(QPushButton, "typePhone")
    assert phone_button is not None
    qtbot.mouseClick(phone_button, Qt.MouseButton.LeftButton)
    assert dialog.delivery.isVisible() and dialog.source == OrderSource.PHONE
    assert dialog.payment.currentData() == PaymentMethod.COD
    assert not dialog.cash_cell.isVisible()
    scan(qtbot, dialog, "QJ-30")  # a SKU typed by hand works like a barcode
    scan(qtbot, dialog, "qj-30")
    field(dialog, "shipName").setText("Võ Gia Bình")
    qtbot.keyClicks(field(dialog, "shipPhone"), "+84 939 921 717")
    field(dialog, "shipAddress").setText("12 Lý Tự Trọng")
    field(dialog, "shipWard").setText("Phường Bến Thành")
    dialog.ship_province.setCurrentText("TP. Hồ Chí Minh")
    shipping = field(dialog, "shippingFee")
    qtbot.keyClicks(shipping, "30.000")
    settle(qtbot, dialog)
    assert dialog.total_values["total"].text() == "730,000 VND"
    order, _ = saved_order(engine, save_with_f9(qtbot, dialog))
    assert (order.status, order.source, order.payment_method) == (
        OrderStatus.CONFIRMED, OrderSource.PHONE, PaymentMethod.COD)  # fmt: skip
    assert (order.ship_name, order.ship_phone, order.ship_address, order.ship_ward,
            order.ship_province) == ("Võ Gia Bình", "0939921717", "12 Lý Tự Trọng",
                                     "Phường Bến Thành", "TP. Hồ Chí Minh")  # fmt: skip
    assert order.shipping_fee == 30_000 and order.total == 730_000 and order.paid_amount == 0
    assert stock(engine, products["QJ-30"]) == (5, 2)  # reserved, still on the shelf
    # The next sale is a phone order too, with empty delivery fields.
    assert dialog.source == OrderSource.PHONE and field(dialog, "shipName").text() == ""
    assert field(dialog, "shipWard").text() == ""
    assert dialog.saved_label.text().endswith("— total 730,000 VND")


# --------------------------------------------------------------------------- closing, texts


def test_escape_asks_before_losing_lines(qtbot, dialog: SaleDialog, questions: Questions) -> None:
    scan(qtbot, dialog, SHIRT_S)
    questions.answer = QMessageBox.StandardButton.No
    qtbot.keyClick(field(dialog, "productSearch"), Qt.Key.Key_Escape)
    assert len(questions.asked) == 1 and dialog.isVisible()
    questions.answer = QMessageBox.StandardButton.Yes
    qtbot.keyClick(field(dialog, "productSearch"), Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_empty_sale_closes_without_asking(qtbot, dialog: SaleDialog, questions: Questions) -> None:
    qtbot.keyClick(field(dialog, "productSearch"), Qt.Key.Key_Escape)
    assert questions.asked == [] and not dialog.isVisible()


def test_shortcuts_are_listed_and_printing_waits_for_settings(dialog: SaleDialog) -> None:
    keys = [k for k, _ in SHORTCUTS]
    assert {"F2", "F3", "F4", "F6", "F7", "Delete", "Esc"} <= set(keys)
    assert "F9 / Ctrl+Enter" in keys
    hints = dialog.findChild(QLabel, "hints")
    assert hints is not None and "F4  Cash received" in hints.text()
    # Printing after the sale: tests/ui/printing/test_print_actions.py.
    assert dialog.print_receipt.isEnabled() and not dialog.print_receipt.isChecked()
    assert dialog.objectName() == "saleDialog" and dialog.save_button.objectName() == "saveButton"
    # As big as it wants (1320 × 760), or as the screen allows (the test screen: 800 × 800).
    room = dialog.screen().availableGeometry()
    assert dialog.width() >= min(1000, room.width() - SCREEN_MARGIN)
    assert dialog.height() >= min(700, room.height() - SCREEN_MARGIN)
    assert dialog.width() < 1320 if room.width() < 1320 + SCREEN_MARGIN else dialog.width() == 1320
