"""`primedist print receipt ORDER --template …` names what it printed: the template's
document (an invoice, a packing slip), in the line and in the JSON, not the command's."""

from __future__ import annotations

import pytest

from primedist.cli import EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.services import auth
from primedist.services.context import ServiceContext
from tests.cli_support import INIT_ARGS
from tests.printing.support import pdf_pages_mm, vietnamese_order


@pytest.fixture
def shop(cli, tmp_path):
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data))
    ctx = ServiceContext(engine, settings=resolve_settings(data))
    order = vietnamese_order(engine, ctx.with_actor(auth.owner_actor(ctx)))
    engine.dispose()
    return data, order


@pytest.mark.parametrize(
    ("command", "template", "word", "document", "width_mm"),
    [
        ("receipt", "invoice_a4", "invoice", "invoice", 210),
        ("receipt", "invoice_a5", "invoice", "invoice", 148),
        ("receipt", "packing_slip", "packing slip", "packing_slip", 148),
        ("invoice", "receipt_58", "receipt", "receipt", 58),
        ("packing-slip", "packing_slip", "packing slip", "packing_slip", 148),
    ],
)
def test_the_printed_document_is_named_by_its_template(
    qapp, cli, shop, tmp_path, command, template, word, document, width_mm
):
    data, order = shop
    out = tmp_path / "doc.pdf"
    args = ("--data-dir", str(data), "print", command, order.number, "--template", template,
            "--pdf", str(out))  # fmt: skip
    run = cli(*args)
    assert run.code == EXIT_OK, run.err
    assert run.out.strip() == f"Printed the {word} of order {order.number} to {out}."
    assert round(pdf_pages_mm(out)[0][0]) == width_mm  # the template's paper
    run = cli(*args, "--json")
    assert run.json()["document"] == document
