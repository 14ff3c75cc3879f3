"""`primedist print receipt|invoice|packing-slip ORDER --template …`: the command's word
names the document. A template of that document prints (on its own paper) and is named by
the word; one of another document is refused in one line (exit 1, nothing printed), naming
the document and the templates that fit it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.services import auth
from primedist.services.context import ServiceContext
from tests.cli_support import INIT_ARGS, Run
from tests.printing.support import SampleOrder, pdf_pages_mm, vietnamese_order

Cli = Callable[..., Run]


@pytest.fixture
def shop(cli: Cli, tmp_path: Path) -> tuple[Path, SampleOrder]:
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
        ("receipt", "receipt_58", "receipt", "receipt", 58),
        ("invoice", "invoice_a5", "invoice", "invoice", 148),
        ("packing-slip", "packing_slip", "packing slip", "packing_slip", 148),
    ],
)
def test_a_template_of_the_document_prints_on_its_paper(
    qapp: Any,
    cli: Cli,
    shop: tuple[Path, SampleOrder],
    tmp_path: Path,
    command: str,
    template: str,
    word: str,
    document: str,
    width_mm: int,
) -> None:
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


@pytest.mark.parametrize(
    ("command", "template", "refusal"),
    [
        ("packing-slip", "receipt_58",
         "receipt_58 is not a template for the packing slip (its templates: packing_slip)."),
        ("receipt", "invoice_a4",
         "invoice_a4 is not a template for the receipt (its templates: receipt_80, "
         "receipt_58)."),
        ("invoice", "packing_slip",
         "packing_slip is not a template for the invoice (its templates: invoice_a4, "
         "invoice_a5)."),
    ],
)  # fmt: skip
def test_a_template_of_another_document_is_refused(
    qapp: Any,
    cli: Cli,
    shop: tuple[Path, SampleOrder],
    tmp_path: Path,
    command: str,
    template: str,
    refusal: str,
) -> None:
    data, order = shop
    out = tmp_path / "doc.pdf"
    run = cli("--data-dir", str(data), "print", command, order.number, "--template", template,
              "--pdf", str(out))  # fmt: skip
    assert run.code == EXIT_ERROR
    assert run.error_line() == f"primedist: error: {refusal}"
    assert not out.exists()  # nothing printed
