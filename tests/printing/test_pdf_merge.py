"""Several PDF files as one (the carriers' labels printed together): the merged file is read
back with poppler (pdfinfo, pdftotext) — every page of every file, in order, at its own
size, its text intact — for files as Qt, Pillow, a carrier's simple generator and a
PDF 1.5 generator (object and cross-reference streams) write them, after an incremental
update, and with a cross-reference that points wrong."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfWriter

from primedist.printing.pdf_merge import PdfError, PdfMerger, page_count
from primedist.sandbox.carriers import label_pdf
from tests.printing.support import pdf_pages_mm, pdf_text, run


def qt_pdf(path: Path, pages: list[str]) -> bytes:
    """A PDF as the app's own printing writes one (QPdfWriter), A5, a line per page."""
    from PySide6.QtGui import QFont, QPageSize, QPainter, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    painter = QPainter(writer)
    painter.setFont(QFont("DejaVu Sans", 14))
    for i, text in enumerate(pages):
        if i:
            writer.newPage()
        painter.drawText(200, 400, text)
    painter.end()
    return path.read_bytes()


def pillow_pdf(path: Path) -> bytes:
    image = Image.new("RGB", (320, 480), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 300, 80), outline="black")
    image.save(path)
    return path.read_bytes()


def _up_rows(rows: list[bytes]) -> bytes:
    """PNG "Up" filtered rows (predictor 12), as PDF 1.5 writers compress their xref."""
    out, previous = bytearray(), bytes(len(rows[0]))
    for row in rows:
        out += b"\x02" + bytes((a - b) & 0xFF for a, b in zip(row, previous, strict=True))
        previous = row
    return bytes(out)


def compressed_pdf(text: str) -> bytes:
    """One page whose catalog, page tree, page and font sit in a compressed object stream,
    found through a compressed cross-reference stream (no `xref` table, no `trailer`)."""
    content = f"BT /F1 20 Tf 30 300 Td ({text}) Tj ET".encode()
    inner = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 400]/Resources<</Font<</F1 4 0 R>>>>"
        b"/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    heads, bodies, at = [], b"", 0
    for num, body in enumerate(inner, 1):
        heads.append(b"%d %d" % (num, at))
        bodies += body + b"\n"
        at += len(body) + 1
    head = b" ".join(heads) + b"\n"
    packed = zlib.compress(head + bodies)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    offsets[5] = len(out)
    out += b"5 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n" % (len(content), content)
    offsets[6] = len(out)
    out += (
        (
            b"6 0 obj\n<</Type/ObjStm/N 4/First %d/Filter/FlateDecode/Length %d>>\nstream\n"
            % (len(head), len(packed))
        )
        + packed
        + b"\nendstream\nendobj\n"
    )
    offsets[7] = len(out)
    rows = [bytes([0]) + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    rows += [bytes([2]) + (6).to_bytes(4, "big") + i.to_bytes(2, "big") for i in range(4)]
    rows += [bytes([1]) + offsets[n].to_bytes(4, "big") + bytes(2) for n in (5, 6, 7)]
    xref = zlib.compress(_up_rows(rows))
    out += (
        b"7 0 obj\n<</Type/XRef/Size 8/W[1 4 2]/Root 1 0 R/Filter/FlateDecode"
        b"/DecodeParms<</Predictor 12/Columns 7>>/Length %d>>\nstream\n" % len(xref)
    )
    out += xref + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[7]
    return bytes(out)


def updated_pdf() -> bytes:
    """A label whose text was changed by an incremental update (a new object 5 and a
    cross-reference section pointing back to the first)."""
    first = label_pdf("GHN", "OLD-CODE")
    start = int(first.rsplit(b"startxref", 1)[1].split()[0])
    content = b"BT /F1 18 Tf 24 380 Td (GHN NEW-CODE) Tj ET"
    at = len(first)
    update = b"5 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n" % (len(content), content)
    xref = at + len(update)
    update += (
        b"xref\n5 1\n%010d 00000 n \ntrailer\n<</Size 6/Root 1 0 R/Prev %d>>\n"
        b"startxref\n%d\n%%%%EOF\n" % (at, start, xref)
    )
    return first + update


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """A label protected by a password, as some carriers' portals save them."""
    writer = PdfWriter(clone_from=io.BytesIO(label_pdf("GHN", "X")))
    writer.encrypt("secret")
    return written(writer)


def merged(tmp_path: Path, *files: bytes) -> Path:
    merger = PdfMerger()
    for data in files:
        merger.add(data)
    out = tmp_path / "merged.pdf"
    out.write_bytes(merger.to_bytes())
    return out


def test_every_page_of_every_file_in_order_at_its_own_size(qapp, tmp_path):
    qt = qt_pdf(tmp_path / "qt.pdf", ["Nguyễn Thị Lan trang một", "Trần Văn Bình trang hai"])
    out = merged(
        tmp_path,
        label_pdf("GHN", "GY000001VN"),
        qt,
        pillow_pdf(tmp_path / "p.pdf"),
        compressed_pdf("JNT 820000000042"),
        label_pdf("J&T", "820000000043"),
    )
    text = pdf_text(out)
    order = [
        "GY000001VN",
        "Nguyễn Thị Lan trang một",
        "Trần Văn Bình trang hai",
        "JNT 820000000042",
        "820000000043",
    ]
    at = [text.index(t) for t in order]
    assert at == sorted(at), text
    sizes = [(round(w), round(h)) for w, h in pdf_pages_mm(out)]
    assert sizes == [(105, 148), (148, 210), (148, 210), (113, 169), (106, 141), (105, 148)]
    assert page_count(out.read_bytes()) == 6
    # A reader that checks the file finds nothing wrong with it.
    assert "Syntax Error" not in run("pdfinfo", str(out))
    pdf_pages_text = [pdf_text_page(out, n) for n in (1, 5, 6)]
    assert "GY000001VN" in pdf_pages_text[0] and "820000000042" in pdf_pages_text[1]
    assert "820000000043" in pdf_pages_text[2]


def pdf_text_page(path: Path, page: int) -> str:
    return run("pdftotext", "-f", str(page), "-l", str(page), str(path), "-")


def test_an_updated_file_gives_its_latest_page(tmp_path):
    text = pdf_text(merged(tmp_path, updated_pdf()))
    assert "NEW-CODE" in text and "OLD-CODE" not in text


def test_a_cross_reference_that_points_wrong_is_rebuilt(tmp_path):
    good = label_pdf("GHN", "GY000007VN")
    table = good.index(b"xref\n")
    # Every offset in the table off by 3 bytes (a file saved through a text editor).
    head, entries = good[: table + 5], good[table + 5 :]
    lines = entries.split(b"\n")
    shifted = [
        ln if not ln.endswith(b" n ") else b"%010d 00000 n " % (int(ln[:10]) + 3) for ln in lines
    ]
    broken = head + b"\n".join(shifted)
    assert "GY000007VN" in pdf_text(merged(tmp_path, broken))


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"<html><body>GHN label</body></html>", "not a PDF"),
        (encrypted_pdf(), "encrypted"),
        (written(PdfWriter()), "no pages"),
        (label_pdf("GHN", "X")[:300], "damaged"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_the_others_stay(tmp_path, data, why):
    merger = PdfMerger()
    merger.add(label_pdf("GHN", "GY000001VN"))
    with pytest.raises(PdfError, match=why):
        merger.add(data)
    merger.add(label_pdf("GHN", "GY000002VN"))
    out = tmp_path / "kept.pdf"
    out.write_bytes(merger.to_bytes())
    assert len(pdf_pages_mm(out)) == merger.pages == 2
    text = pdf_text(out)
    assert text.index("GY000001VN") < text.index("GY000002VN")


def test_nothing_to_write_is_an_error():
    with pytest.raises(PdfError):
        PdfMerger().to_bytes()
