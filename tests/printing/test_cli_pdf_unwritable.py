"""`--pdf FILE` into a folder where no file can be made (read-only, no permission): one
line naming the file and the system's reason, exit 1, before anything is printed, counted or
exported — never a traceback, nor Qt's "the printer '….part' could not start the job"."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from primedist.cli import EXIT_ERROR
from tests.cli_support import Run, table_count


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A folder that refuses new files: one made read-only, or (root writes in those) the
    kernel's /sys, which refuses them to root too."""
    if sys.platform != "win32" and os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
    elif Path("/sys/kernel").is_dir():
        yield Path("/sys")
    else:
        pytest.skip("no folder here refuses new files to this user")


def refused(run: Run, name: str) -> None:
    """The run failed with the one line naming `name` and why it cannot be written."""
    assert run.code == EXIT_ERROR, run.out
    assert "Traceback" not in run.err
    line = run.error_line()
    assert line.startswith(f"primedist: error: Cannot write {name}: ")
    assert line.endswith(("Permission denied", "Read-only file system")), line


def test_a_receipt_pdf_in_an_unwritable_folder_names_the_file(
    qapp: object, cli: Callable[..., Run], data_dir: Path, unwritable: Path
) -> None:
    before = set(unwritable.iterdir())
    run = cli("--data-dir", str(data_dir), "print", "receipt", "1", "--pdf",
              str(unwritable / "receipt.pdf"))  # fmt: skip
    refused(run, "receipt.pdf")
    assert set(unwritable.iterdir()) == before


def test_labels_pdf_in_an_unwritable_folder_names_the_file(
    qapp: object, cli: Callable[..., Run], data_dir: Path, unwritable: Path
) -> None:
    run = cli("--data-dir", str(data_dir), "print", "labels", "ANY-SKU", "--pdf",
              str(unwritable / "labels.pdf"))  # fmt: skip
    refused(run, "labels.pdf")


def test_end_of_day_pdf_in_an_unwritable_folder_writes_nothing_else(
    qapp: object, cli: Callable[..., Run], data_dir: Path, unwritable: Path, tmp_path: Path
) -> None:
    """The refused PDF comes before the Excel file given with it and before the till count:
    neither is made, so running again with a good path counts once."""
    xlsx = tmp_path / "eod.xlsx"
    base = ("--data-dir", str(data_dir), "report", "end-of-day", "--xlsx", str(xlsx))
    refused(cli(*base, "--pdf", str(unwritable / "eod.pdf")), "eod.pdf")
    assert not xlsx.exists()
    counted = cli(*base, "--counted", "500000", "--pdf", str(unwritable / "eod.pdf"))
    refused(counted, "eod.pdf")
    assert not xlsx.exists()
    assert table_count(data_dir, "till_closings") == 0
