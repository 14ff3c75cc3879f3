"""`primedist print labels --start N`: a start outside the sheet, or any start on a roll,
is a one-line error naming what is allowed, and nothing is written."""

from __future__ import annotations

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from tests.printing.support import pdf_text
from tests.printing.test_cli_labels import shop  # noqa: F401  (the CLI's shop)


@pytest.mark.parametrize(
    ("paper", "start", "message"),
    [
        ("a4_65", "70", "There is no label 70 on a sheet of a4_65: start at a label from 1 to 65."),
        ("a4_24", "25", "There is no label 25 on a sheet of a4_24: start at a label from 1 to 24."),
        ("roll_35x22_2", "3", "A start label is for sheets of labels only: roll_35x22_2 is a roll"),
    ],
)
def test_a_start_that_does_not_apply_is_refused(qapp, cli, shop, tmp_path, paper, start,  # noqa: F811
                                                message):  # fmt: skip
    data, _product = shop
    out = tmp_path / "labels.pdf"
    run = cli("--data-dir", str(data), "print", "labels", "COC-1", "--paper", paper,
              "--start", start, "--pdf", str(out))  # fmt: skip
    assert run.code == EXIT_ERROR
    assert message in run.err and "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1 and not out.exists()


def test_the_last_label_of_a_sheet_is_a_start(qapp, cli, shop, tmp_path):  # noqa: F811
    data, _product = shop
    out = tmp_path / "labels.pdf"
    run = cli("--data-dir", str(data), "print", "labels", "COC-1:2", "--paper", "a4_65",
              "--start", "65", "--pdf", str(out))  # fmt: skip
    assert run.code == EXIT_OK and "2 labels on 2 pages" in run.out
    assert "8934563123456" in pdf_text(out)
