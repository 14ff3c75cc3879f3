"""The order number as a QR code or a Code 128 barcode, and the shop logo, as `data:` image
URLs a template can put in `<img src=…>` (Qt's HTML renders them; no files to ship)."""

from __future__ import annotations

import base64
import io
import logging
from functools import lru_cache
from pathlib import Path

from PIL import Image

log = logging.getLogger(__name__)

#: Logos are scaled down to this width (pixels) so a photo does not bloat every job.
LOGO_MAX_PX = 400


def png_data_url(image: Image.Image) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@lru_cache(maxsize=64)
def qr_data_url(text: str) -> str:
    """A QR code of `text` (1-module border, black on white)."""
    import qrcode

    code = qrcode.QRCode(border=1, box_size=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image()
    return png_data_url(image.convert("1"))


@lru_cache(maxsize=64)
def barcode_data_url(text: str) -> str:
    """A Code 128 barcode of `text`, without the human-readable line (templates print the
    number themselves, in their own font)."""
    import barcode
    from barcode.writer import ImageWriter

    buf = io.BytesIO()
    code = barcode.get("code128", text, writer=ImageWriter())
    code.write(
        buf,
        options={"write_text": False, "module_height": 8, "module_width": 0.25,
                 "quiet_zone": 2, "dpi": 200},
    )  # fmt: skip
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def logo_data_url(path: Path) -> str:
    """The logo file as a PNG data URL (scaled down, on white), or "" when it cannot be read
    or encoded: a logo never stops a document from printing (logged instead)."""
    try:
        with Image.open(path) as image:
            image.load()
            logo = _on_white(image)
        if logo.width > LOGO_MAX_PX:
            logo = logo.resize((LOGO_MAX_PX, max(1, logo.height * LOGO_MAX_PX // logo.width)))
        return png_data_url(logo)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("The shop logo %s is left out of documents: %s", path, exc)
        return ""


def _on_white(image: Image.Image) -> Image.Image:
    """The logo in a mode PNG writes (a CMYK JPEG, YCbCr, 16-bit grey… become RGB/L), its
    transparent parts white (the paper's colour)."""
    if image.mode.startswith("I"):  # 16- or 32-bit grey: 0..65535 down to 0..255
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode in ("P", "PA", "LA", "La", "RGBA", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode in ("1", "L", "RGB") else image.convert("RGB")
