"""ESC/POS for thermal printers: a rendered receipt as raster (`GS v 0`), cut, drawer kick,
sent over the network (raw TCP, port 9100), USB or a serial port with python-escpos.

Raster, not text: Qt draws the receipt (any font, every Vietnamese mark), the printer
only prints dots, so it prints right on any model whatever code pages it knows.
"""

from __future__ import annotations

import logging
from typing import Any

from PIL import Image

from primedist.core.messages import msg
from primedist.printing.errors import PrinterNotFound, PrinterOffline, PrintError
from primedist.printing.model import PrintTarget, TargetKind

log = logging.getLogger(__name__)

#: python-escpos profiles by raster width (their `media.width.pixels`): 80 mm and 58 mm.
PROFILES = {576: "TM-T20II", 384: "POS-5890"}
#: Rows per `GS v 0` block: small blocks keep cheap printers' buffers from overflowing.
FRAGMENT_ROWS = 256
SEND_TIMEOUT_S = 10.0


def _profile(width: int) -> str:
    for dots, name in sorted(PROFILES.items()):
        if width <= dots:
            return name
    raise PrintError(
        msg("A receipt image of {width} dots is wider than any thermal roll.", width=width)
    )


def to_1bit(gray: Image.Image, threshold: int = 160) -> Image.Image:
    """Black and white for the printer (anti-aliased text: grey up to 160 prints black)."""
    return gray.convert("L").point(lambda v: 255 if v >= threshold else 0, mode="1")


def raster_job(images: list[Image.Image], *, cut: bool = True, open_drawer: bool = False) -> bytes:
    """The ESC/POS bytes of one job: each image as raster, each followed by a cut; the
    drawer kick (pin 2) once at the end when asked."""
    from escpos.printer import Dummy

    if not images:
        raise PrintError(msg("There is nothing to print."))
    printer = Dummy(profile=_profile(max(img.width for img in images)))
    for image in images:
        printer.image(image, impl="bitImageRaster", fragment_height=FRAGMENT_ROWS)
        if cut:
            # GS V 66 0: feed to the cutter, then cut. Sent whatever the profile claims
            # (python-escpos drops the cut for profiles without one, e.g. POS-5890).
            printer.cut(feed=False)
    if open_drawer:
        printer.cashdraw(2)
    data: bytes = printer.output
    return data


def _device(target: PrintTarget) -> Any:
    from escpos import printer

    if target.kind == TargetKind.NETWORK:
        return printer.Network(target.host, port=target.port, timeout=SEND_TIMEOUT_S)
    if target.kind == TargetKind.SERIAL:
        return printer.Serial(target.device, baudrate=target.baudrate, timeout=SEND_TIMEOUT_S,
                              dsrdtr=False)  # fmt: skip
    if target.kind == TargetKind.USB:
        return printer.Usb(target.usb_vendor, target.usb_product, timeout=int(SEND_TIMEOUT_S))
    raise PrintError(msg("{printer} is not an ESC/POS printer.", printer=repr(target.describe())))


def send(target: PrintTarget, data: bytes) -> None:
    """Send ESC/POS bytes; a printer that cannot be reached is a PrinterOffline error (the
    UI offers Retry)."""
    from escpos.exceptions import DeviceNotFoundError, USBNotFoundError

    where = target.describe()
    if target.kind == TargetKind.NETWORK and not target.host:
        raise PrinterNotFound(msg("No network address is set for the receipt printer."), printer="")
    if target.kind == TargetKind.SERIAL and not target.device:
        raise PrinterNotFound(msg("No serial port is set for the receipt printer."), printer="")
    device = _device(target)
    try:
        device.open()
    except (DeviceNotFoundError, USBNotFoundError) as exc:
        raise PrinterOffline(
            msg(
                "The receipt printer {printer} does not answer. Check that it is on and "
                "connected, then try again.",
                printer=where,
            ),
            printer=where,
            detail=str(exc),
        ) from exc
    except ImportError as exc:  # pyusb / pyserial missing
        raise PrintError(
            msg("Printing to {printer} needs {module}.", printer=where, module=str(exc.name)),
            printer=where,
        ) from exc
    try:
        device._raw(data)
    except OSError as exc:
        raise PrinterOffline(
            msg(
                "The receipt printer {printer} stopped answering while printing ({error}). "
                "Check the paper and the cable, then try again.",
                printer=where,
                error=str(exc),
            ),
            printer=where,
        ) from exc
    finally:
        try:
            device.close()
        except OSError:
            log.warning("closing %s failed", where, exc_info=True)
