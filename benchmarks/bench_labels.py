"""Barcode labels benchmark: read the labels of a catalogue and draw them. Prints medians.

    .venv/bin/python benchmarks/bench_labels.py [--runs 7] [--products 200]

A fresh store with `--products` products of 5 variants each (Vietnamese names, SKUs,
13-digit barcodes on half of them). Measured, each `--runs` times:

* reading the labels of every variant of the catalogue (`items_for_products`);
* 1,000 labels (200 variants × 5 copies) into a PDF on a roll of 2 across (500 pages)
  and on A4 sheets of 65 (16 pages): what Save as PDF does, and what a printer job draws;
* the dialog's preview of the first page (a roll row; an A4 sheet), drawn at 203 dpi.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_support import print_summary, record, set_up_shop, timed_ms  # noqa: E402

from primedist.printing.labels import LabelOptions  # noqa: E402
from primedist.services import labels as svc  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402
from primedist.ui.printing.jobs import ensure_app  # noqa: E402
from primedist.ui.printing.labels import LabelJob, labels_to_pdf, preview_image  # noqa: E402

NAMES = ("Áo thun cotton cổ tròn", "Quần jean nam ống suông", "Váy hoa nhí dáng dài",
         "Giày thể thao đế êm", "Túi xách da mềm công sở")  # fmt: skip


def make_catalogue(folder: Path, products: int) -> tuple[ServiceContext, list[int]]:
    from tests.factories import make_product

    ctx = set_up_shop(folder)
    engine = ctx.engine
    ids = []
    for p in range(products):
        variants = [(f"SP{p:04d}-{v}", 99_000 + 10_000 * v, 3 + v) for v in range(5)]
        codes = [f"893{p:05d}{v:05d}" if p % 2 else None for v in range(5)]
        first = make_product(engine, f"{NAMES[p % 5]} {p}", variants, barcodes=codes)[0]
        with engine.connect() as conn:
            ids.append(conn.exec_driver_sql("SELECT product_id FROM variants WHERE id = ?",
                                            (first,)).scalar_one())  # fmt: skip
    return ctx, ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--products", type=int, default=200)
    args = parser.parse_args()
    ensure_app()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ctx, ids = make_catalogue(folder / "shop", args.products)
        items = svc.items_for_products(ctx, ids)
        record(f"read the labels of {len(items):,} variants",
               timed_ms(args.runs, lambda: svc.items_for_products(ctx, ids)), "ms")  # fmt: skip
        thousand = [replace(i, copies=5) for i in items[:200]]
        for paper in ("roll_35x22_2", "a4_65"):
            job = LabelJob(thousand, LabelOptions(paper), "Nến Thơm Sài Gòn")
            out = folder / f"{paper}.pdf"
            to_pdf = timed_ms(args.runs, lambda job=job, out=out: labels_to_pdf(job, out))
            record(f"1,000 labels into a PDF ({paper})", to_pdf, "ms")
            record(f"preview of the first page ({paper})",
                   timed_ms(args.runs, lambda job=job: preview_image(job)), "ms")  # fmt: skip
    print_summary()


if __name__ == "__main__":
    main()
