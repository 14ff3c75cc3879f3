"""Saving a PDF from the app into a folder where no file can be made (a read-only USB
stick, no permission): a PrintError naming the file and the system's reason, nothing left
behind — not Qt's "the printer '….part' could not start the job", nor an OSError from
cleaning up that hid it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.printing.documents import order_documents
from primedist.printing.errors import PrintError
from primedist.ui.printing import render
from tests.printing.test_cli_pdf_unwritable import unwritable  # noqa: F401  (fixture)


def test_a_pdf_into_an_unwritable_folder_names_the_file_and_why(
    qapp: Any,
    shop_ctx: Any,
    sample_order: Any,
    unwritable: Path,  # noqa: F811
) -> None:
    before = set(unwritable.iterdir())
    docs = order_documents(shop_ctx, [sample_order.id], "receipt_80")
    with pytest.raises(PrintError) as caught:
        render.print_to_pdf(docs, unwritable / "receipt.pdf")
    text = str(caught.value)
    assert text.startswith(f"Could not write {str(unwritable / 'receipt.pdf')!r}: "), text
    assert text.endswith(("Permission denied.", "Read-only file system.")), text
    assert ".part" not in text
    assert set(unwritable.iterdir()) == before


def test_a_pdf_into_a_writable_folder_leaves_only_the_pdf(
    qapp: Any, shop_ctx: Any, sample_order: Any, tmp_path: Path
) -> None:
    docs = order_documents(shop_ctx, [sample_order.id], "receipt_80")
    folder = tmp_path / "out"
    folder.mkdir()
    pdf = render.print_to_pdf(docs, folder / "receipt.pdf")
    assert [p.name for p in folder.iterdir()] == ["receipt.pdf"]
    assert pdf.read_bytes().startswith(b"%PDF")
