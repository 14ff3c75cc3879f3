"""Printing benchmark: render + send one Vietnamese receipt. Prints medians.

    .venv/bin/python benchmarks/bench_print.py [--runs 15]

A fresh store with one counter sale (3 lines); each run is what the Print action does:
read the order, fill the template, lay it out with Qt and deliver it. Measured:

* to the CUPS capture queue (a raw queue whose backend writes each job to a file; cupsd
  is started and the queue added when run as root, as the tests do): until Qt has handed
  the job to CUPS, and until the job's bytes are in the capture file;
* to an ESC/POS printer on 127.0.0.1 (a loopback listener): raster + send, until every
  byte arrived;
* to a PDF file (rendering alone).

Target: render + send ≤ 300 ms (median).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from primedist.config import resolve_settings  # noqa: E402
from primedist.db.store import open_store  # noqa: E402
from primedist.printing.content import Payment  # noqa: E402
from primedist.printing.model import DocumentType, PrintTarget, TargetKind  # noqa: E402
from primedist.services import auth  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402
from primedist.ui.printing.jobs import ensure_app, print_orders  # noqa: E402

QUEUE = "PRIMEDIST_BENCH"


def make_shop(folder: Path) -> tuple[ServiceContext, int]:
    from tests.printing.support import vietnamese_order

    settings = resolve_settings(folder)
    engine = open_store(settings)
    ctx = ServiceContext(engine, settings=settings)
    owner = auth.setup_shop(
        ctx, shop_name="Nến Thơm Sài Gòn", owner_name="Chủ", owner_email="owner@bench.vn",
        owner_password="bench-pass-1",
    )  # fmt: skip
    ctx = ctx.with_actor(owner)
    return ctx, vietnamese_order(engine, ctx, long_name=True).id


def cups_queue(folder: Path) -> bool | None:
    """Start cupsd when it is down and add the capture queue (root only): True when this
    started cupsd, None when CUPS cannot be used."""
    import subprocess

    from tests.printing import conftest as cups_fixture

    if os.geteuid() != 0 or not os.path.exists(cups_fixture.CUPSD):
        return None
    backend = cups_fixture.BACKEND_DIR / cups_fixture.BACKEND
    backend.write_text(cups_fixture.BACKEND_SCRIPT)
    backend.chmod(0o700)
    started = not cups_fixture.scheduler_running()
    if started:
        subprocess.run([cups_fixture.CUPSD], check=True)
        while not cups_fixture.scheduler_running():
            time.sleep(0.05)
    subprocess.run(["lpadmin", "-p", QUEUE, "-v", f"{cups_fixture.BACKEND}:{folder}", "-E"],
                   check=True, capture_output=True)  # fmt: skip
    return started


def timed(runs: int, fn: Callable[[], None]) -> float:
    fn()  # warm-up: fonts, the template, the print plugin
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    ensure_app()
    from tests.printing.support import Capture

    with tempfile.TemporaryDirectory() as tmp:
        ctx, order_id = make_shop(Path(tmp) / "shop")
        cash = Payment(cash_received=2_000_000)

        def receipt(target: PrintTarget | None = None, pdf: Path | None = None) -> None:
            print_orders(ctx, [order_id], DocumentType.RECEIPT, target=target, pdf=pdf,
                         payment=cash)  # fmt: skip

        pdf = Path(tmp) / "receipt.pdf"
        rendered = timed(args.runs, lambda: receipt(pdf=pdf))
        print(f"render to PDF (80 mm):                {rendered:7.1f} ms")

        printer = Capture()
        try:
            net = PrintTarget(TargetKind.NETWORK, host="127.0.0.1", port=printer.port)

            def escpos() -> None:
                n = len(printer.jobs)
                receipt(net)
                printer.wait(n + 1)

            print(f"ESC/POS to 127.0.0.1, bytes received: {timed(args.runs, escpos):7.1f} ms")
        finally:
            printer.close()

        folder = Path(tmp) / "capture"
        folder.mkdir()
        started = cups_queue(folder)
        if started is None:
            print("CUPS: skipped (needs root and cupsd)")
            return
        try:
            target = PrintTarget(TargetKind.SYSTEM, name=QUEUE)
            submit = timed(args.runs, lambda: receipt(target))

            def captured() -> None:
                n = len(list(folder.glob("*.bin")))
                receipt(target)
                while len(list(folder.glob("*.bin"))) <= n:
                    time.sleep(0.002)

            print(f"CUPS queue, job handed to cupsd:      {submit:7.1f} ms")
            print(f"CUPS queue, job bytes captured:       {timed(args.runs, captured):7.1f} ms")
        finally:
            import subprocess

            subprocess.run(["lpadmin", "-x", QUEUE], capture_output=True)
            if started:
                from tests.printing.conftest import _stop_cupsd

                _stop_cupsd()


if __name__ == "__main__":
    main()
