"""The shop logo in any image mode (a CMYK JPEG from a print shop, 16-bit grey, LAB…)
prints; one that cannot be read or encoded is left out, never an error."""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import replace

import pytest
from PIL import Image

from primedist.printing import codes
from primedist.printing.documents import order_documents
from primedist.printing.store import load_shop_details, save_shop_details
from primedist.ui.printing import render
from tests.printing.support import run

RED_CMYK = (0, 230, 220, 30)


def decoded(url: str) -> Image.Image:
    assert url.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


@pytest.mark.parametrize(
    ("mode", "colour", "name"),
    [
        ("CMYK", RED_CMYK, "logo.jpg"),  # the tester's logo: a CMYK JPEG
        ("CMYK", RED_CMYK, "logo.tif"),
        ("I;16", 40_000, "logo.png"),  # 16-bit grey
        ("LAB", (50, 80, 60), "logo.tif"),
        ("PA", (3, 255), "logo.webp"),  # saved as RGBA, opened in a mode PNG writes
    ],
)
def test_logo_in_any_mode_becomes_a_png(tmp_path, mode, colour, name):
    path = tmp_path / name
    Image.new(mode, (900, 300), colour).save(path)
    logo = decoded(codes.logo_data_url(path))
    assert logo.mode in ("1", "L", "RGB")
    assert logo.size == (codes.LOGO_MAX_PX, 133)  # scaled down, proportions kept


def test_cmyk_logo_keeps_its_colour(tmp_path):
    path = tmp_path / "logo.jpg"
    Image.new("CMYK", (300, 120), RED_CMYK).save(path)
    r, g, b = decoded(codes.logo_data_url(path)).convert("RGB").getpixel((150, 60))
    assert r > 150 and g < 80 and b < 80  # red, not black or inverted


def test_sixteen_bit_grey_logo_is_scaled_not_clipped(tmp_path):
    path = tmp_path / "logo.png"
    Image.new("I;16", (50, 20), 32_768).save(path)  # mid grey
    grey = decoded(codes.logo_data_url(path)).getpixel((10, 10))
    assert 110 < grey < 145  # not clipped to white


def test_logo_that_cannot_be_encoded_is_left_out_and_logged(tmp_path, monkeypatch, caplog):
    path = tmp_path / "logo.png"
    Image.new("RGB", (10, 10), "red").save(path)

    def refuse(_image: Image.Image) -> str:
        raise OSError("cannot write mode XYZ as PNG")

    monkeypatch.setattr(codes, "png_data_url", refuse)
    with caplog.at_level(logging.WARNING, logger="primedist.printing.codes"):
        assert codes.logo_data_url(path) == ""
    assert "cannot write mode XYZ" in caplog.text and str(path) in caplog.text


def test_broken_logo_file_is_left_out(tmp_path):
    path = tmp_path / "logo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    assert codes.logo_data_url(path) == ""


def test_order_documents_print_with_a_cmyk_logo(qapp, shop_ctx, sample_order, tmp_path):
    logo = tmp_path / "logo_cmyk.jpg"
    Image.new("CMYK", (300, 120), RED_CMYK).save(logo)
    save_shop_details(shop_ctx, replace(load_shop_details(shop_ctx), logo_path=str(logo)))
    for template in ("receipt_80", "invoice_a4"):  # the templates with the logo
        pdf = render.print_to_pdf(order_documents(shop_ctx, [sample_order.id], template),
                                  tmp_path / f"{template}.pdf")  # fmt: skip
        listed = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
        assert any(" 300 " in row or " 120 " in row for row in listed), (template, listed)
