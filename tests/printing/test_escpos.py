"""ESC/POS: the receipt rendered by Qt, sent as raster to a fake network printer on
127.0.0.1 (and a serial port), decoded back and compared with the rendered image."""

from __future__ import annotations

import os
import pty
import threading
import tty

import pytest

from primedist.printing import escpos
from primedist.printing.content import Payment
from primedist.printing.documents import order_documents
from primedist.printing.errors import PrinterOffline, PrintError
from primedist.printing.model import (
    DocumentType,
    Paper,
    PrintTarget,
    TargetKind,
    parse_host_port,
)
from primedist.printing.store import load_profile, save_profile
from primedist.ui.printing import render
from primedist.ui.printing.jobs import print_orders
from tests.printing.support import Capture, decode_escpos, stack, vietnamese_order


@pytest.fixture
def printer():
    capture = Capture()
    yield capture
    capture.close()


def expected_raster(ctx, order_id: int, template: str, payment: Payment | None = None):
    (doc,) = order_documents(ctx, [order_id], template, payment=payment)
    return escpos.to_1bit(render.qimage_to_pil(render.to_image(doc)))


@pytest.mark.parametrize(("template", "dots"), [("receipt_80", 576), ("receipt_58", 384)])
def test_raster_roundtrip_over_tcp(qapp, printer, shop_ctx, sample_order, template, dots):
    cash = Payment(cash_received=200_000)
    target = parse_host_port(f"127.0.0.1:{printer.port}")
    result = print_orders(shop_ctx, [sample_order.id], DocumentType.RECEIPT, template=template,
                          target=target, payment=cash)  # fmt: skip
    assert result.where == f"127.0.0.1:{printer.port}"
    (job,) = printer.wait(1)
    decoded = decode_escpos(job)
    assert decoded.text == b"" and decoded.cuts == 1 and decoded.drawer_kicks == 0
    image = stack(decoded.images)
    want = expected_raster(shop_ctx, sample_order.id, template, cash)
    assert image.size == want.size and image.width == dots
    assert image.tobytes() == want.tobytes()
    # Something was drawn: a receipt is mostly white, but not blank.
    black = image.convert("L").histogram()[0]
    assert 0.02 < black / (image.width * image.height) < 0.5


def test_bulk_receipts_each_cut_and_drawer_kicked_once(qapp, engine, printer, shop_ctx):
    ids = [vietnamese_order(engine, shop_ctx).id for _ in range(3)]
    profile = load_profile(shop_ctx, DocumentType.RECEIPT)
    save_profile(shop_ctx, profile.__class__(**{
        **profile.__dict__, "target": parse_host_port(f"127.0.0.1:{printer.port}"),
        "open_drawer": True,
    }))  # fmt: skip
    print_orders(shop_ctx, ids, DocumentType.RECEIPT, open_drawer=True)  # asked: a sale's
    (job,) = printer.wait(1)
    decoded = decode_escpos(job)
    assert decoded.cuts == 3 and decoded.drawer_kicks == 1
    heights = [img.height for img in decoded.images]
    assert all(h <= escpos.FRAGMENT_ROWS for h in heights)


def test_printer_that_does_not_answer_is_offline(qapp, shop_ctx, sample_order):
    closed = Capture()
    port = closed.port
    closed.close()  # nothing listens there any more
    with pytest.raises(PrinterOffline) as err:
        print_orders(shop_ctx, [sample_order.id], DocumentType.RECEIPT,
                     target=parse_host_port(f"127.0.0.1:{port}"))  # fmt: skip
    assert f"127.0.0.1:{port} does not answer" in err.value.user_message


def test_a4_cannot_go_to_a_thermal_printer(qapp, printer, shop_ctx, sample_order):
    with pytest.raises(PrintError, match="80 mm or 58 mm"):
        print_orders(shop_ctx, [sample_order.id], DocumentType.INVOICE,
                     target=parse_host_port(f"127.0.0.1:{printer.port}"))  # fmt: skip
    assert printer.jobs == []


@pytest.mark.parametrize("text", ["", "printer:", "host:port", "10.0.0.5:0", ":9100"])
def test_bad_addresses_are_named(text):
    with pytest.raises(Exception, match="is not a printer address"):
        parse_host_port(text)


def test_address_without_port_uses_9100():
    assert parse_host_port("192.168.1.50") == PrintTarget(TargetKind.NETWORK, host="192.168.1.50")


def test_serial_printer(qapp, shop_ctx, sample_order):
    """A pseudo-terminal stands in for the printer's serial port."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    received = bytearray()
    done = threading.Event()

    def read() -> None:
        while not done.is_set() or received[-3:] != b"":
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            received.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    target = PrintTarget(TargetKind.SERIAL, device=os.ttyname(slave), baudrate=115200)
    print_orders(shop_ctx, [sample_order.id], DocumentType.RECEIPT, template="receipt_58",
                 target=target)  # fmt: skip
    want = expected_raster(shop_ctx, sample_order.id, "receipt_58")
    deadline = threading.Event()
    for _ in range(200):
        try:
            decoded = decode_escpos(bytes(received))
            if decoded.cuts == 1:
                break
        except (IndexError, ValueError):
            pass
        deadline.wait(0.02)
    done.set()
    os.close(slave)
    os.close(master)
    assert stack(decoded.images).tobytes() == want.tobytes()


def test_missing_serial_port_is_offline(qapp, shop_ctx, sample_order):
    target = PrintTarget(TargetKind.SERIAL, device="/dev/ttyNOPE0")
    with pytest.raises(PrinterOffline, match="/dev/ttyNOPE0"):
        print_orders(shop_ctx, [sample_order.id], DocumentType.RECEIPT, target=target)


def test_paper_of_58_profile_gives_384_dots(qapp, shop_ctx, sample_order):
    (doc,) = order_documents(shop_ctx, [sample_order.id], "receipt_80", paper=Paper.ROLL_58)
    assert render.to_image(doc).width() == 384
