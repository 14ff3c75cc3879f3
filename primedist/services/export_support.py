"""What the Excel exports (orders, products, SKU groups) share: the target check, the
header language, streaming rows to a temporary file moved onto the target only when
complete, and the audit row.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from primedist.core.clock import shop_tz
from primedist.core.messages import msg
from primedist.errors import PrimedistError, ValidationError
from primedist.io.xlsx_writer import FileNotWritten, XlsxColumn, XlsxStreamWriter, os_reason
from primedist.jobs.progress import Progress
from primedist.services.context import ServiceContext

#: Header languages of the exports, in the order of their (Vietnamese, English) headers.
LANGS = ("vi", "en")
#: Rows written between cancel checks and progress updates.
PROGRESS_EVERY = 2_000


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote."""

    path: Path
    rows: int
    seconds: float


def lang_index(lang: str) -> int:
    """0 for "vi", 1 for "en" (the header's place in a (Vietnamese, English) pair)."""
    if lang not in LANGS:
        raise ValidationError(
            msg("Unknown language {lang}: use vi or en.", lang=repr(lang)), field="lang"
        )
    return LANGS.index(lang)


def check_target(path: Path) -> Path:
    """The target as an absolute path, or a ValidationError saying why it cannot be used."""
    path = Path(path).expanduser()
    if path.suffix.lower() != ".xlsx":
        raise ValidationError(
            msg("Export to an .xlsx file (Excel workbook), not {name}.", name=repr(path.name)),
            field="path",
        )
    parent = path.parent
    if not parent.is_dir():
        raise ValidationError(
            msg("The folder {folder} does not exist.", folder=repr(str(parent))), field="path"
        )
    if path.is_dir():
        raise ValidationError(
            msg("{path} is a folder, not a file.", path=repr(str(path))), field="path"
        )
    return path.absolute()


@contextmanager
def replaced_when_done(target: Path) -> Iterator[Path]:
    """A temporary path next to `target` to write to, moved onto `target` when the block
    ends without an error: a cancel or an error leaves neither a partial file nor the
    temporary one. An OSError becomes a PrimedistError naming the file (the target: the
    owner never chose, nor sees, the temporary one)."""
    tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:12]}.tmp.xlsx")
    try:
        yield tmp
        os.replace(tmp, target)
    except FileNotWritten as exc:
        raise _cannot_write(target, exc.reason) from exc
    except OSError as exc:
        raise _cannot_write(target, os_reason(exc)) from exc
    finally:
        _remove_quietly(tmp)


def _cannot_write(target: Path, reason: str) -> PrimedistError:
    return PrimedistError(msg("Cannot write {name}: {reason}", name=target.name, reason=reason))


def _remove_quietly(path: Path) -> None:
    """Take a leftover temporary file away; where that fails too (a read-only folder, where
    it was never written) the error already raised is the one to show."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def stream_rows(
    tmp: Path,
    columns: list[XlsxColumn],
    rows: Iterable[Any],
    total: int,
    prog: Progress,
    *,
    sheet: str,
    every: int = PROGRESS_EVERY,
) -> int:
    """Stream `rows` into the workbook `tmp`; checks for cancel every `every` rows.
    Returns how many rows were written."""
    with XlsxStreamWriter(tmp, columns, sheet_name=sheet, tz=shop_tz()) as writer:
        write_row = writer.write_row
        done = 0
        next_report = every
        prog.check()
        for row in rows:
            write_row(row)
            done += 1
            if done == next_report:
                next_report += every
                prog.check()
                prog.update(
                    done / total if total else 1.0,
                    msg("Exported {done} of {total}", done=done, total=total),
                )
        prog.check()
        prog.update(done / total if total else 1.0, msg("Saving the file"))
    return done


def audit_export(
    ctx: ServiceContext,
    action: str,
    target: Path,
    summary: str,
    after: dict[str, Any],
    started: float,
) -> ExportReport:
    """The export's audit row (`after` plus the seconds since `started`, a perf_counter
    reading); returns the report."""
    seconds = time.perf_counter() - started
    rows = int(after["rows"])
    with ctx.uow() as session:
        ctx.audit(
            session,
            action,
            entity_type="file",
            entity_id=target.name[:64],  # the column holds 64 characters
            summary=summary,
            after={**after, "seconds": round(seconds, 3)},
        )
    return ExportReport(target, rows, seconds)


def named(choices: dict[str, Any], name: str) -> Any:
    """The value of `name` among `choices` ({name: value}): the exact name, else the same
    name in another case (the CLI's export filters name things as the lists show them);
    None when there is no such name."""
    wanted = name.strip()
    if wanted in choices:
        return choices[wanted]
    folded = {n.casefold(): v for n, v in choices.items()}
    return folded.get(wanted.casefold())


def known_names(choices: Iterable[str]) -> str:
    """The names to offer in "No … is named X (…: A, B)": sorted, or "none yet"."""
    return ", ".join(sorted(choices)) or "none yet"
