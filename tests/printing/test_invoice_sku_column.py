"""The invoice's SKU column holds a shop's usual SKU on one line (A4 and A5), rendered by Qt
into a PDF and read back with poppler: "ASML0001-DEN-S" was broken after its first hyphen
while the item's name had room to spare."""

from __future__ import annotations

import pytest

from primedist.printing.documents import order_documents
from primedist.services.orders import DraftLine, OrderDraft, create_order
from primedist.ui.printing import render
from tests.factories import make_product
from tests.printing.support import pdf_text

SKUS = ("ASML0001-DEN-S", "QSK0012-NAU-XL")


@pytest.mark.parametrize("template", ["invoice_a4", "invoice_a5"])
def test_a_fourteen_character_sku_prints_on_one_line(qapp, engine, shop_ctx, template, tmp_path):
    variants = make_product(engine, "Áo sơ mi linen nữ", [(SKUS[0], 299_000, 5),
                                                          (SKUS[1], 139_000, 5)])  # fmt: skip
    created = create_order(shop_ctx, OrderDraft(lines=tuple(DraftLine(v, 1) for v in variants)))
    docs = order_documents(shop_ctx, [created.id], template, lang="vi")
    pdf = render.print_to_pdf(docs, tmp_path / f"{template}.pdf")
    lines = pdf_text(pdf, layout=True).splitlines()
    for sku in SKUS:
        # Whole on a line of its own row (not "ASML0001-" over "DEN-S").
        assert any(sku in line for line in lines), [ln for ln in lines if sku[:8] in ln]
    assert "Áo sơ mi linen nữ" in pdf_text(pdf)
