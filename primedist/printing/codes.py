"""The order number as a QR code or a Code 128 barcode, and the shop logo, as `data:` image
URLs a template can put in `<img src=…>` (Qt's HTML renders them; no files to ship)."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

from PIL import Image

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
    """The logo file as a PNG data URL (scaled down), or "" when it cannot be read."""
    try:
        with Image.open(path) as image:
            image.load()
            logo = image.convert("RGBA") if image.mode in ("P", "LA") else image.copy()
    except (OSError, ValueError):
        return ""
    if logo.width > LOGO_MAX_PX:
        logo = logo.resize((LOGO_MAX_PX, max(1, logo.height * LOGO_MAX_PX // logo.width)))
    if logo.mode == "RGBA":
        flat = Image.new("RGB", logo.size, "white")
        flat.paste(logo, mask=logo.getchannel("A"))
        logo = flat
    return png_data_url(logo)
