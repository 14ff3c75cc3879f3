"""The sale screen's product search finds a colour: "ao so mi xanh reu" lists the Xanh
rêu variants of "Áo sơ mi linen nữ", not its other colours (and not nothing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from primedist.services import catalogue
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.orders.sale import PRODUCT_DEBOUNCE_MS, SaleDialog
from tests.ui.conftest import back_to_english
from tests.ui.orders.test_sale_dialog import (  # noqa: F401  (fixtures)
    field,
    lines,
    questions,
)

pytestmark = pytest.mark.usefixtures("app_style")


@pytest.fixture(params=["vi", "en"])
def language(request: pytest.FixtureRequest, qapp: object) -> Iterator[str]:
    install_language(request.param)
    yield request.param
    back_to_english()


@pytest.fixture
def linen(owner_ctx: ServiceContext) -> int:
    return catalogue.create_product(owner_ctx, ProductDraft(
        name="Áo sơ mi linen nữ", option1_name="Màu", option2_name="Size",
        variants=[VariantDraft(sku=f"ASM-{c}-{s}", option1=colour, option2=s, price=350_000,
                               stock=5)
                  for c, colour in (("TR", "Trắng"), ("XR", "Xanh rêu")) for s in ("S", "M")],
    ))  # fmt: skip


@pytest.mark.usefixtures("linen")
def test_typing_the_product_and_its_colour_lists_that_colour(
    qtbot, owner_ctx: ServiceContext, language: str
) -> None:
    dialog = SaleDialog(owner_ctx)
    qtbot.addWidget(dialog)
    dialog.resize(1320, 740)
    dialog.show()
    qtbot.waitExposed(dialog)
    product, popup = field(dialog, "productSearch"), dialog.product_popup
    qtbot.keyClicks(product, "ao so mi xanh reu")
    qtbot.waitUntil(popup.isVisible, timeout=PRODUCT_DEBOUNCE_MS + 5_000)
    rows = [popup.item(i).text() for i in range(popup.count())]
    assert len(rows) == 2, rows
    assert "Áo sơ mi linen nữ — Xanh rêu / S" in rows[0] and "ASM-XR-S" in rows[0]
    assert "Xanh rêu / M" in rows[1] and "ASM-XR-M" in rows[1]
    qtbot.keyClick(product, Qt.Key.Key_Down)
    qtbot.keyClick(product, Qt.Key.Key_Down)
    qtbot.keyClick(product, Qt.Key.Key_Return)  # the size M chosen
    assert lines(dialog) == [("ASM-XR-M", 1)]
