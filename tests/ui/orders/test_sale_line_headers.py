"""The sale screen's lines table at the app's 1280 × 800, in English and in Vietnamese:
every column (but the product's, which takes the rest) is as wide as its header needs
(the width Qt's header gives it with the app's font and padding), so no header runs into
the next ("Subtotal" and "In stock" overlapped in English), also after the language is
switched with the screen open."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QHeaderView

from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.orders.sale import LinesModel, SaleDialog
from tests.ui.orders.test_sale_layout import HEIGHT, WIDTH
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("app_style")


def cut_headers(header: QHeaderView) -> list[tuple[str, int, int]]:
    """(header, width it needs, width it has) of each column too narrow for its header."""
    cut = []
    for col in range(header.count()):
        if col != LinesModel.PRODUCT and header.sectionSize(col) < header.sectionSizeHint(col):
            text = str(header.model().headerData(col, header.orientation()))
            cut.append((text, header.sectionSizeHint(col), header.sectionSize(col)))
    return cut


@pytest.mark.parametrize("lang", ["english", "vietnamese"])
def test_every_header_fits_its_column(
    qtbot, request: pytest.FixtureRequest, owner_ctx: ServiceContext, lang: str
) -> None:
    request.getfixturevalue(lang)  # English again at the end, whichever is shown then
    dialog = SaleDialog(owner_ctx)
    qtbot.addWidget(dialog)
    dialog.resize(WIDTH, HEIGHT)
    dialog.show()
    qtbot.waitExposed(dialog)
    header = dialog.lines.horizontalHeader()
    assert cut_headers(header) == []
    # Switched with the screen open (the headers read the new language at once, the
    # screen retranslates on the LanguageChange event): the other language's fit too.
    install_language("vi" if lang == "english" else "en")
    qtbot.waitUntil(lambda: cut_headers(header) == [], timeout=WAIT)
