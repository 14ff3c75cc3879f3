"""The template editor's sample order shows the parts a shop edits most: the shipping fee
and discounts (`{{#adjustments}}`) and a line's discount. With a sample that has none,
editing them changed nothing in the preview or on the test page, and a shop could not
see what it had written until a real order printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.printing.model import DocumentType, Paper
from primedist.printing.store import default_template
from primedist.services.context import ServiceContext
from primedist.ui.printing import render
from primedist.ui.printing.jobs import sample_document
from primedist.ui.settings.printers import PrintersSettings
from tests.printing.support import has_phrase, pdf_text

pytestmark = pytest.mark.usefixtures("english")


def pixels(page: PrintersSettings) -> bytes:
    assert page.preview_image is not None
    image = page.preview_image.toImage()
    return bytes(image.constBits())[: image.sizeInBytes()]


@pytest.mark.parametrize(("template", "doc_type", "paper"), [
    ("receipt_80", DocumentType.RECEIPT, Paper.ROLL_80),
    ("receipt_58", DocumentType.RECEIPT, Paper.ROLL_58),
    ("invoice_a4", DocumentType.INVOICE, Paper.A4),
])  # fmt: skip
def test_the_test_page_prints_the_shipping_fee_and_a_line_discount(
    qapp: Any,
    shop_ctx: ServiceContext,
    tmp_path: Path,
    template: str,
    doc_type: DocumentType,
    paper: Paper,
) -> None:
    document = sample_document(default_template(template), doc_type, paper, "vi", shop_ctx)
    text = pdf_text(render.print_to_pdf([document], tmp_path / "sample.pdf"))
    assert has_phrase(text, "Phí vận chuyển 20.000 ₫")
    assert has_phrase(text, "−10.000 ₫")  # the candles' line discount
    # the figures add up: 80.000 + 96.000 goods, + 20.000 shipping; 200.000 cash given
    assert has_phrase(text, "176.000 ₫") and has_phrase(text, "196.000 ₫")
    if doc_type == DocumentType.RECEIPT:
        assert has_phrase(text, "Tiền thừa 4.000 ₫")


def test_editing_the_adjustments_part_shows_in_the_preview(
    qtbot: Any, page: PrintersSettings
) -> None:
    html = page.editor.toPlainText()
    assert "{{#adjustments}}<tr><td>{{label}}" in html
    before = pixels(page)
    with qtbot.waitSignal(page.previewUpdated, timeout=5000):
        page.editor.setPlainText(
            html.replace("{{#adjustments}}<tr><td>{{label}}", "{{#adjustments}}<tr><td>» {{label}}")
        )
    assert page.error == ""
    assert pixels(page) != before
