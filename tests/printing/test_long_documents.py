"""Multi-page packing slips and invoices: each page has "DH… · page/pages" at its foot,
and the items table's header row is repeated at the top of every page."""

from __future__ import annotations

import re

import pytest

from primedist.printing.documents import order_documents
from primedist.services.orders import DraftLine, OrderDraft, create_order
from primedist.ui.printing import render
from tests.factories import make_product
from tests.printing.support import pdf_text, run


def long_order(engine, ctx, lines: int) -> str:
    variants = [make_product(engine, f"Sản phẩm số {i}", [(f"SP-{i:03d}", 10_000, 50)])[0]
                for i in range(lines)]  # fmt: skip
    return create_order(ctx, OrderDraft(lines=tuple(DraftLine(v, 1) for v in variants)))


def pages_text(pdf) -> list[str]:
    return pdf_text(pdf, layout=True).split("\f")[:-1]


@pytest.mark.parametrize(("template", "lines", "head"),
                         [("packing_slip", 40, "STT Sản phẩm"), ("invoice_a4", 90, "Thành tiền"),
                          ("invoice_a5", 40, "Thành tiền")])  # fmt: skip
def test_every_page_is_numbered_and_has_the_table_head(qapp, engine, shop_ctx, tmp_path,
                                                       template, lines, head):  # fmt: skip
    created = long_order(engine, shop_ctx, lines)
    pdf = render.print_to_pdf(order_documents(shop_ctx, [created.id], template),
                              tmp_path / f"{template}.pdf")  # fmt: skip
    pages = pages_text(pdf)
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        assert f"{created.external_id} · {n}/{len(pages)}" in page, (n, page[-300:])
        assert head in " ".join(page.split()), n  # the header row, again on each page
    # The footer is the page's last text, below every row.
    last = pages[-1].rstrip().splitlines()[-1]
    assert re.search(rf"{created.external_id} · {len(pages)}/{len(pages)}\s*$", last)


def test_a_one_page_document_has_no_page_number(qapp, shop_ctx, sample_order, tmp_path):
    pdf = render.print_to_pdf(order_documents(shop_ctx, [sample_order.id], "packing_slip"),
                              tmp_path / "slip.pdf")  # fmt: skip
    assert f"{sample_order.number} · 1/1" not in pdf_text(pdf)
    assert re.search(r"^Pages:\s+1$", run("pdfinfo", str(pdf)), re.M)
