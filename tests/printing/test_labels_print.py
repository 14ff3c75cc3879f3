"""Barcode labels drawn by Qt: into a PDF (pages the paper's size, the text, and bars that
a barcode reader decodes), as the preview (at the label printer's 203 dpi, still
decodable), onto a real CUPS queue in jobs of PRINTER_JOB_LABELS, and what is refused."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from primedist.errors import Cancelled, ValidationError
from primedist.jobs.progress import JobProgress
from primedist.printing.errors import PrinterNotFound, PrinterOffline
from primedist.printing.labels import LabelItem, LabelOptions
from primedist.ui.printing import labels as draw
from tests.printing.support import has_phrase, pdf_pages_mm, pdf_text

SHIRT = LabelItem(1, "AT-DO-XL", "AT-DO-XL", "Áo thun cotton cổ tròn", "Đỏ / XL", 129_000, 9, 3)
CANDLE = LabelItem(2, "NEN-01", "8934563123456", "Nến thơm tinh dầu", "", 45_000, 4, 2)
SHOP = "Nến Thơm Sài Gòn"


def decode(image: Path) -> list[str]:
    """The barcodes zbarimg reads in an image (each distinct code once)."""
    if shutil.which("zbarimg") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("zbarimg is required in CI (setup.sh installs zbar-tools)")
        pytest.skip("zbarimg is not installed (apt-get install zbar-tools)")
    out = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True)
    return sorted(out.stdout.split())


def pdf_page_images(pdf: Path, tmp_path: Path, dpi: int = 300) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(tmp_path / "page")],
                   check=True)  # fmt: skip
    return sorted(tmp_path.glob("page-*.png"))


def job(stock: str = "roll_35x22_2", *, items=(SHIRT, CANDLE), **opts) -> draw.LabelJob:
    return draw.LabelJob(list(items), LabelOptions(stock=stock, **opts), SHOP, "vi")


def test_roll_labels_to_pdf_scan(qapp, tmp_path):
    out = tmp_path / "labels.pdf"
    result = draw.labels_to_pdf(job(), out)
    assert (result.labels, result.pages, result.where) == (5, 3, str(out))
    # One page per row of two labels, the roll's size: what a label printer's driver wants.
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(out)] == [(74, 22)] * 3
    text = pdf_text(out)
    for phrase in (SHOP, "Áo thun cotton cổ tròn", "Đỏ / XL", "129.000 ₫", "45.000 ₫",
                   "8934563123456", "AT-DO-XL"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    first, second, third = pdf_page_images(out, tmp_path)
    assert decode(first) == ["AT-DO-XL"]
    assert decode(second) == ["8934563123456", "AT-DO-XL"]
    assert decode(third) == ["8934563123456"]


def test_a4_sheet_starting_after_used_labels(qapp, tmp_path):
    out = tmp_path / "sheet.pdf"
    result = draw.labels_to_pdf(job("a4_65", skip=62, show_price=False, show_shop=False), out)
    assert (result.labels, result.pages) == (5, 2)  # 3 places left on the first sheet
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(out)] == [(210, 297)] * 2
    text = pdf_text(out)
    assert "129.000" not in text and "Sài Gòn" not in text
    first, second = pdf_page_images(out, tmp_path)
    assert decode(first) == ["AT-DO-XL"]
    assert decode(second) == ["8934563123456"]


@pytest.mark.parametrize("stock", ["roll_35x22_2", "roll_40x30_1", "a4_24"])
def test_the_preview_scans_at_203_dpi(qapp, tmp_path, stock):
    """The preview is the first page as a 203 dpi label printer prints it: its bars,
    whole dots wide, still read."""
    image = draw.preview_image(job(stock, items=[CANDLE]))
    assert image.dotsPerMeterX() == round(203 / 25.4 * 1000)
    png = tmp_path / "preview.png"
    assert image.save(str(png))
    assert decode(png) == ["8934563123456"]


def test_english_prices(qapp, tmp_path):
    out = tmp_path / "en.pdf"
    draw.labels_to_pdf(draw.LabelJob([CANDLE], LabelOptions(), SHOP, "en"), out)
    assert has_phrase(pdf_text(out), "45,000 VND")


def test_refused_before_anything_is_written(qapp, tmp_path):
    out = tmp_path / "bad.pdf"
    accented = LabelItem(3, "ÁO-ĐỎ", "ÁO-ĐỎ", "Áo", "", 1_000, 1, 1)
    with pytest.raises(ValidationError, match="SKU ÁO-ĐỎ: 'ÁO-ĐỎ' cannot be a barcode"):
        draw.labels_to_pdf(job(items=[SHIRT, accented]), out)
    with pytest.raises(ValidationError, match="no labels to print"):
        draw.labels_to_pdf(job(items=[LabelItem(1, "A", "A", "A", "", 0, 0, 0)]), out)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(Exception, match="does not exist"):
        draw.labels_to_pdf(job(), tmp_path / "missing" / "x.pdf")


def test_cancel_leaves_no_pdf(qapp, tmp_path):
    progress = JobProgress()
    progress._on_update = lambda _fraction, _m: progress.cancel()  # after the first page
    out = tmp_path / "cancelled.pdf"
    with pytest.raises(Cancelled):
        draw.labels_to_pdf(job(), out, progress)
    assert list(tmp_path.iterdir()) == []


def test_labels_reach_a_cups_queue_in_parts(qapp, cups, monkeypatch):
    monkeypatch.setattr(draw, "PRINTER_JOB_LABELS", 4)  # two rows of two a job
    before = cups.jobs()
    result = draw.print_labels(job(), cups.capture)
    assert (result.labels, result.pages, result.jobs, result.where) == (5, 3, 2, cups.capture)
    first, second = cups.wait_jobs(before, 2)
    sizes = sorted(len(pdf_pages_mm(p)) for p in (first, second))
    assert sizes == [1, 2]
    assert all(round(w) == 74 and round(h) == 22 for p in (first, second)
               for w, h in pdf_pages_mm(p))  # fmt: skip


def test_cancel_stops_between_printer_jobs(qapp, cups, monkeypatch):
    monkeypatch.setattr(draw, "PRINTER_JOB_LABELS", 2)
    progress = JobProgress()
    progress._on_update = lambda _fraction, _m: progress.cancel()  # after the first job
    before = cups.jobs()
    with pytest.raises(Cancelled):
        draw.print_labels(job(), cups.capture, progress)
    assert len(cups.wait_jobs(before, 1)) == 1  # the job sent prints; no more follow


def test_printer_problems(qapp, cups):
    with pytest.raises(PrinterNotFound, match="No printer is chosen for the labels"):
        draw.print_labels(job(), "")
    with pytest.raises(PrinterNotFound, match="not installed"):
        draw.print_labels(job(), "Xprinter_nowhere")
    with pytest.raises(PrinterOffline, match="paused or offline"):
        draw.print_labels(job(), cups.paused)
