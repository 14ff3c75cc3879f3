"""The sale screen's right column at the app's 1280 × 800 in Vietnamese: several problems
and the below-cost warning at once leave every field of "Giảm giá và thanh toán" its
height (they used to be squashed to half of it), and a huge total shows every digit
(it used to be cut at the left)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox, QWidget
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services.context import ServiceContext
from primedist.services.sale_lookup import get_customer
from primedist.ui.orders.sale import LinesModel, SaleDialog
from tests.factories import make_customers, make_product
from tests.ui.orders.test_sale_dialog import SHIRT_M, SHIRT_S, scan, settle

pytestmark = pytest.mark.usefixtures("app_style", "vietnamese")

#: What `fit_to_screen` gives the dialog (1320 × 760 wanted) on a 1280 × 800 screen.
WIDTH, HEIGHT = 1240, 760
variants_t = table_of(Variant)


@pytest.fixture(autouse=True)
def no_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a sale with lines asks first: the answer is Yes."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)


@pytest.fixture
def dialog(qtbot, owner_ctx: ServiceContext, engine: Engine) -> SaleDialog:
    """A sale of a known customer: a shirt sold below its cost, another, and jeans."""
    ids = make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)],
                       barcodes=[SHIRT_S, SHIRT_M])  # fmt: skip
    make_product(engine, "Quần jean ống suông", [("QJ-30", 350_000, 5)],
                 barcodes=["8930000000035"])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(variants_t.update().where(variants_t.c.id == ids[0]).values(cost=85_000))
    (hoa,) = make_customers(engine, 1, names=["Nguyễn Thị Hòa"])
    d = SaleDialog(owner_ctx)
    qtbot.addWidget(d)
    d.resize(WIDTH, HEIGHT)
    d.show()
    qtbot.waitExposed(d)
    d.set_customer(get_customer(owner_ctx, hoa))
    for code in (SHIRT_S, SHIRT_M, "8930000000035"):
        scan(qtbot, d, code)
    return d


def payment_fields(dialog: SaleDialog) -> list[QWidget]:
    fields: list[QWidget] = list(dialog.payment_box.findChildren(QLineEdit))
    fields += dialog.payment_box.findChildren(QComboBox)
    return [f for f in fields if f.isVisibleTo(dialog)]


def with_many_problems(qtbot, dialog: SaleDialog, shipping_fee: str) -> None:
    """Three problems (shipping fee, voucher, cash short) and a line below its cost."""
    assert dialog.model.setData(dialog.model.index(0, LinesModel.DISCOUNT), "30.000")
    dialog.shipping_fee.setText(shipping_fee)
    dialog.voucher.setText("KHONGCO")
    dialog.cash.setText("1.000")
    settle(qtbot, dialog)
    qtbot.wait(50)  # the layout of the new texts
    assert len(dialog.problems) == 3, dialog.problems
    assert dialog.problems_label.isVisible() and dialog.cost_warning.isVisible()


def test_problems_do_not_squash_the_payment_fields(qtbot, dialog: SaleDialog) -> None:
    with_many_problems(qtbot, dialog, "1.000.000.000.001")
    fields = payment_fields(dialog)
    assert len(fields) == 6  # discount, voucher, shipping, points, method, cash
    # What shows of each field (a squashed row clips its field): all of its height.
    shown = {f.objectName(): f.visibleRegion().boundingRect().height() for f in fields}
    squashed = [(f.objectName(), shown[f.objectName()], f.sizeHint().height()) for f in fields
                if shown[f.objectName()] < f.sizeHint().height()]  # fmt: skip
    assert squashed == []
    # The problems and Save are still there to read and press.
    assert not dialog.problems_label.visibleRegion().isEmpty()
    assert not dialog.save_button.visibleRegion().isEmpty()


def test_a_huge_total_shows_every_digit(qtbot, dialog: SaleDialog) -> None:
    with_many_problems(qtbot, dialog, "1.234.567.890.123.456")
    label = dialog.total_values["total"]
    assert label.text() == "1.234.567.890.662.456 ₫"  # 16 digits
    needed = label.fontMetrics().horizontalAdvance(label.text())
    assert needed <= label.contentsRect().width()
    caption = dialog.total_captions["total"]
    assert caption.width() >= caption.sizeHint().width()  # "Tổng cộng" whole too
    # An everyday total keeps its big font.
    for edit in (dialog.shipping_fee, dialog.voucher, dialog.cash):
        edit.clear()
    settle(qtbot, dialog)
    qtbot.wait(50)
    assert label.text() == "539.000 ₫"
    assert label.font().pointSizeF() == 20
