"""An export that cannot be written (a full disk, a read-only folder) is one clear error
naming the file the owner chose: never the temporary file, nothing left behind, nothing
printed on stderr by the half-written zip."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from primedist.errors import PrimedistError
from primedist.io.xlsx_writer import (
    ReportSheet,
    XlsxColumn,
    XlsxStreamWriter,
    write_report_workbook,
)
from primedist.jobs.progress import NullProgress
from primedist.services.export_support import replaced_when_done, stream_rows

COLUMNS = [XlsxColumn("Mã đơn hàng", "text", 20), XlsxColumn("Tổng tiền", "money")]
ROWS = [(f"DH{i:06d}-{os.urandom(16).hex()}", i * 1_000) for i in range(5_000)]

needs_dev_full = pytest.mark.skipif(
    not Path("/dev/full").exists(), reason="/dev/full (every write: no space left) is Linux's"
)


@contextmanager
def unraisable() -> Iterator[list[str]]:
    """What Python would print as "Exception ignored in …" in the block (a zip finishing
    itself at garbage collection). Used in the test itself: pytest sets its own hook for
    each phase of a test."""
    seen: list[str] = []
    before = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(f"{u.object!r}: {u.exc_value!r}")
    try:
        yield seen
        gc.collect()
    finally:
        sys.unraisablehook = before


def full_disk(path: Path) -> Path:
    """`path` on a full disk: a link to /dev/full, where every write fails with ENOSPC (the
    clean-up removes the link, never the device)."""
    path.symlink_to("/dev/full")
    return path


def export(target: Path, where: Callable[[Path], Path] = lambda tmp: tmp) -> None:
    """Export ROWS to `target` as the exports do; `where`: what becomes of the temporary
    file first."""
    with replaced_when_done(target) as tmp:
        stream_rows(where(tmp), COLUMNS, ROWS, len(ROWS), NullProgress(), sheet="Orders")


def failure_of(work: Callable[[], object]) -> str:
    """The message of the PrimedistError `work` raises. The failure itself (its traceback
    holds what a failed write left open) is gone when this returns."""
    try:
        work()
    except PrimedistError as exc:
        return exc.user_message
    raise AssertionError("no PrimedistError")


@needs_dev_full
def test_a_full_disk_names_the_target_and_leaves_nothing(tmp_path: Path) -> None:
    with unraisable() as printed:
        message = failure_of(lambda: export(tmp_path / "orders.xlsx", full_disk))
    assert printed == []
    assert message == "Cannot write orders.xlsx: No space left on device"
    assert message.template == "Cannot write {name}: {reason}"  # type: ignore[attr-defined]
    reason = message.values["reason"]  # type: ignore[attr-defined]
    assert reason.template == "No space left on device"  # the UI translates it
    assert list(tmp_path.iterdir()) == []  # neither the target nor the temporary file


@needs_dev_full
def test_the_writer_alone_leaves_nothing_either(tmp_path: Path) -> None:
    writer = XlsxStreamWriter(full_disk(tmp_path / "out.xlsx"), COLUMNS)
    writer.write_rows(ROWS)
    with unraisable() as printed:
        message = failure_of(writer.close)
    assert printed == []
    assert message == "Cannot write out.xlsx: No space left on device"
    assert not Path(writer._tmpdir).exists()
    assert list(tmp_path.iterdir()) == []


@needs_dev_full
def test_a_report_workbook_on_a_full_disk_names_the_target(tmp_path: Path) -> None:
    def write_report() -> None:
        with replaced_when_done(tmp_path / "end-of-day.xlsx") as tmp:
            write_report_workbook(full_disk(tmp), [ReportSheet("Orders", COLUMNS, ROWS)])

    with unraisable() as printed:
        message = failure_of(write_report)
    assert printed == []
    assert message == "Cannot write end-of-day.xlsx: No space left on device"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root writes in a read-only folder"
)
def test_a_read_only_folder_names_the_target(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with unraisable() as printed:
            message = failure_of(lambda: export(folder / "orders.xlsx"))
        assert message == "Cannot write orders.xlsx: Permission denied"
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)
    assert printed == []
