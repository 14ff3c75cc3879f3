"""Helpers of the printing tests: a Vietnamese order made through the services, PDF
readers (poppler), an ESC/POS raster decoder and a fake network printer."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft, create_order, set_staff_note
from tests.factories import make_product

STAFF_NOTE = "Nội bộ: khách VIP-7731 hay đổi ý, đừng in dòng này"
LONG_NAME = (
    "Bộ quà tặng nến thơm tinh dầu thiên nhiên cao cấp hương oải hương Pháp kèm hộp gỗ "
    "khắc tên theo yêu cầu"
)


@dataclass(frozen=True)
class SampleOrder:
    id: int
    number: str


def vietnamese_order(
    engine: Engine,
    ctx: ServiceContext,
    *,
    note: str = "Gói quà giúp em nhé",
    long_name: bool = False,
    cash: int | None = 200_000,
) -> SampleOrder:
    """A counter sale: 2 × Nến thơm tinh dầu 45.000 ₫ + 1 × Bình xịt phòng 96.000 ₫ =
    186.000 ₫, paid 200.000 ₫ cash, with a buyer note and a staff note."""
    candle = make_product(engine, "Nến thơm tinh dầu", [("NEN-01", 45_000, 20)])[0]
    spray = make_product(engine, "Bình xịt phòng", [("BXP-01", 96_000, 20)])[0]
    lines = [DraftLine(candle, 2), DraftLine(spray, 1)]
    if long_name:
        gift = make_product(engine, LONG_NAME, [("QUA-01", 1_250_000, 5)])[0]
        lines.append(DraftLine(gift, 1))
        cash = None
    draft = OrderDraft(
        lines=tuple(lines), source=OrderSource.COUNTER, payment_method=PaymentMethod.CASH,
        cash_received=cash, note=note, ship_name="Trần Thị Bích Ngọc",
        ship_phone="0939921717", ship_address="12 Lý Tự Trọng, Phường Bến Nghé",
        ship_province="Thành phố Hồ Chí Minh",
    )  # fmt: skip
    created = create_order(ctx, draft)
    set_staff_note(ctx, created.id, STAFF_NOTE)
    return SampleOrder(created.id, created.external_id)


# PDF ------------------------------------------------------------------------------------
def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def pdf_text(path: Path, *, layout: bool = False) -> str:
    return run("pdftotext", *(["-layout"] if layout else []), str(path), "-")


def pdf_pages_mm(path: Path) -> list[tuple[float, float]]:
    """Each page's (width, height) in mm."""
    out = run("pdfinfo", "-f", "1", "-l", "999", str(path))
    sizes = []
    for line in out.splitlines():
        if line.startswith("Page") and "size:" in line:
            w, h = line.split("size:")[1].split("pts")[0].split(" x ")
            sizes.append((float(w) / 72 * 25.4, float(h) / 72 * 25.4))
    return sizes


def words_of(text: str) -> set[str]:
    return set(text.split())


def has_phrase(text: str, phrase: str) -> bool:
    """Every word of the phrase is there (narrow rolls wrap lines anywhere)."""
    words = words_of(text)
    return all(w in words for w in phrase.split())


# ESC/POS --------------------------------------------------------------------------------
@dataclass
class Decoded:
    images: list[Image.Image]
    cuts: int
    drawer_kicks: int
    text: bytes


def decode_escpos(data: bytes) -> Decoded:
    """The rasters (`GS v 0`), cuts and drawer kicks of a job; anything else is an error,
    and so is stray text."""
    images: list[Image.Image] = []
    cuts = kicks = 0
    text = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b == 0x1B:  # ESC
            c = data[i + 1]
            if c == ord("@"):
                i += 2
            elif c == ord("p"):  # ESC p m t1 t2: drawer kick
                kicks += 1
                i += 5
            elif c in b"!EaM-GdJ":
                i += 3
            else:
                raise ValueError(f"ESC {c:#x} at {i}")
        elif b == 0x1D:  # GS
            c = data[i + 1]
            if c == ord("v"):  # GS v 0 m xL xH yL yH data
                wb, h = data[i + 4] | data[i + 5] << 8, data[i + 6] | data[i + 7] << 8
                raw = bytes(x ^ 0xFF for x in data[i + 8 : i + 8 + wb * h])
                images.append(Image.frombytes("1", (wb * 8, h), raw))
                i += 8 + wb * h
            elif c == ord("V"):
                cuts += 1
                i += 3 if data[i + 2] in (0, 1, 48, 49) else 4
            elif c == ord("L"):
                i += 4
            else:
                raise ValueError(f"GS {c:#x} at {i}")
        else:
            text.append(b)
            i += 1
    return Decoded(images, cuts, kicks, bytes(text))


def stack(images: list[Image.Image]) -> Image.Image:
    """Raster fragments back into one picture."""
    width = max(img.width for img in images)
    out = Image.new("1", (width, sum(img.height for img in images)), 1)
    y = 0
    for img in images:
        out.paste(img, (0, y))
        y += img.height
    return out


class Capture:
    """A fake network printer: accepts on 127.0.0.1 (any free port), keeps each
    connection's bytes."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(10)
                buf = bytearray()
                while chunk := conn.recv(65536):
                    buf += chunk
                self.jobs.append(bytes(buf))

    def wait(self, n: int = 1, timeout: float = 15) -> list[bytes]:
        end = time.monotonic() + timeout
        while len(self.jobs) < n and time.monotonic() < end:
            time.sleep(0.02)
        assert len(self.jobs) >= n, f"{len(self.jobs)} jobs arrived, {n} expected"
        return self.jobs[:n]

    def close(self) -> None:
        self._stop.set()
        self.thread.join()
        self.sock.close()
