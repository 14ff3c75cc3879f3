"""`primedist print labels` in-process: SKUs and products to a PDF or a CUPS queue, the
remembered paper and printer, and its one-line errors."""

from __future__ import annotations

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.printing.labels import LabelOptions
from primedist.services import auth
from primedist.services import labels as svc
from primedist.services.context import ServiceContext
from tests.cli_support import INIT_ARGS
from tests.factories import make_product
from tests.printing.support import has_phrase, pdf_pages_mm, pdf_text


@pytest.fixture
def shop(cli, tmp_path):
    """A shop set up through the CLI with a cup (stock 3) and a two-size shirt; returns
    the data dir and the shirt's product id."""
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data))
    make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 3)], barcodes=["8934563123456"])
    shirt = make_product(engine, "Áo thun", [("AT-S", 99_000, 1), ("AT-M", 99_000, 2)])
    with engine.connect() as conn:
        product = conn.exec_driver_sql("SELECT product_id FROM variants WHERE id = ?",
                                       (shirt[0],)).scalar_one()  # fmt: skip
    engine.dispose()
    return data, product


def test_skus_and_a_product_to_pdf(qapp, cli, shop, tmp_path):
    data, product = shop
    out = tmp_path / "labels.pdf"
    run = cli("--data-dir", str(data), "print", "labels", "8934563123456:3", "--product",
              str(product), "--pdf", str(out), "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"labels": 5, "pages": 3, "paper": "roll_35x22_2",
                          "printed_to": str(out)}  # fmt: skip
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(out)] == [(74, 22)] * 3
    text = pdf_text(out)
    assert has_phrase(text, "Cốc sứ Bát Tràng") and has_phrase(text, "45.000 ₫")


def test_from_stock_on_a_sheet_without_prices(qapp, cli, shop, tmp_path):
    data, _product = shop
    out = tmp_path / "sheet.pdf"
    run = cli("--data-dir", str(data), "print", "labels", "COC-1", "AT-M", "AT-S:4",
              "--from-stock", "--paper", "a4_24", "--start", "23", "--no-price", "--pdf",
              str(out), "--lang", "en")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    # 3 (stock) + 2 (stock) + 4 (asked) labels, 2 places left on the first sheet.
    assert run.out.strip() == f"Printed 9 labels on 2 pages (a4_24) to {out}."
    assert "99,000" not in pdf_text(out)


def test_to_the_remembered_printer(qapp, cli, shop, cups):
    data, _product = shop
    engine = open_store(resolve_settings(data))
    base = ServiceContext(engine, settings=resolve_settings(data))
    svc.save_settings(base.with_actor(auth.owner_actor(base)),
                      svc.LabelSettings(LabelOptions("roll_50x30_1"), cups.capture))  # fmt: skip
    engine.dispose()
    before = cups.jobs()
    run = cli("--data-dir", str(data), "print", "labels", "AT-S:2")
    assert run.code == EXIT_OK, run.err
    assert run.out.strip() == f"Printed 2 labels on 2 pages (roll_50x30_1) to {cups.capture}."
    job = cups.wait_job(before)
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(job)] == [(50, 30)] * 2


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        ((), EXIT_USAGE, "Name the labels to print"),
        (("NOPE:2",), EXIT_ERROR, "No product has the SKU or barcode NOPE."),
        (("COC-1:0",), EXIT_ERROR, "copies must be between 1 and 1,000"),
        (("COC-1",), EXIT_ERROR, "No printer is chosen for the labels"),
        (("COC-1", "--printer", "Xprinter_nowhere"), EXIT_ERROR, "is not installed"),
        (("COC-1", "--paper", "a3"), EXIT_USAGE, "invalid choice: 'a3'"),
    ],
)
def test_errors_are_one_line(qapp, cli, shop, argv, code, message):
    data, _product = shop
    run = cli("--data-dir", str(data), "print", "labels", *argv)
    assert run.code == code
    assert message in run.err and "Traceback" not in run.err
