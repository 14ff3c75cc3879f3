"""The supplier of a new goods receipt typed the way a shop owner types it — without
accents, a few words of the name: the known supplier is offered and, when not picked, the
field says a second one would be added."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
import sqlalchemy as sa
from PySide6.QtCore import Qt

from primedist.domain.base import table_of
from primedist.domain.supplier import Supplier
from primedist.services import goods_receipts as svc
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.products.receipts import GoodsReceiptDialog, GoodsReceiptsPage
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
SUPPLIERS = table_of(Supplier)
NAME = "Công ty TNHH May mặc Đức Minh"


@pytest.fixture
def cup(owner_ctx: ServiceContext) -> int:
    create_product(owner_ctx, ProductDraft(
        name="Cốc sứ Bát Tràng", category=None, features=None, description=None,
        option1_name=None, option2_name=None, shop_ids=[], images=[],
        variants=[VariantDraft(sku="COC-1", price=45_000, stock=2)]))  # fmt: skip
    variant = svc.find_variant(owner_ctx, "COC-1").variant_id
    svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(variant, 1)], supplier=NAME))
    return variant


@pytest.fixture
def dialog(qtbot, owner_ctx: ServiceContext, cup: int) -> Iterator[GoodsReceiptDialog]:
    page = show_widget(qtbot, GoodsReceiptsPage(owner_ctx), height=760)
    d = page.new_receipt()
    qtbot.waitUntil(lambda: d.supplier.completer() is not None, timeout=WAIT)
    yield d
    if shiboken6.isValid(d):  # a saved receipt closed (and deleted) it
        d.reject()


def supplier_count(ctx: ServiceContext) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(SUPPLIERS)).scalar_one())


def test_a_name_typed_without_accents_offers_the_supplier_and_picking_it_adds_none(
    qtbot, owner_ctx, dialog, cup
):
    qtbot.mouseClick(dialog.supplier, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.supplier.hasFocus, timeout=WAIT)
    qtbot.keyClicks(dialog.supplier, "duc minh")
    completer = dialog.supplier.completer()
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT)
    assert completer.completionModel().rowCount() == 1
    assert completer.completionModel().index(0, 0).data() == NAME
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.supplier.text() == NAME
    qtbot.waitUntil(lambda: dialog.supplier_debt.text() == "Owed now: 0 VND", timeout=WAIT)
    dialog.search.setText("COC-1")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(dialog.lines) == 1, timeout=WAIT)
    with qtbot.waitSignal(dialog.received, timeout=WAIT):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert supplier_count(owner_ctx) == 1


def test_a_short_name_not_picked_says_which_supplier_it_may_mean(qtbot, dialog):
    qtbot.keyClicks(dialog.supplier, "may mac duc minh")
    dialog.supplier.completer().popup().hide()  # typed on, nothing picked
    qtbot.waitUntil(lambda: dialog.supplier_debt.text() == (
        f"Did you mean {NAME}? As typed, a new supplier will be added."), timeout=WAIT)  # fmt: skip


def test_a_name_like_no_supplier_offers_nothing_and_is_a_new_one(qtbot, dialog):
    qtbot.keyClicks(dialog.supplier, "Gom su Bat Trang")
    assert not dialog.supplier.completer().popup().isVisible()
    qtbot.waitUntil(lambda: dialog.supplier_debt.text() == (
        "New supplier: added when the receipt is saved"), timeout=WAIT)  # fmt: skip
