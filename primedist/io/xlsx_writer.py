"""A small typed, streaming .xlsx writer (xlsxwriter in constant_memory mode).

Rows are written one at a time and flushed to a temporary file as they go, so a 1,000,000-
row export uses no more memory than a 10-row one. Every column declares a kind and each
kind has one prebuilt cell writer, so a row costs one call per non-empty cell:

* ``text``: always a string cell (``0939…`` phones and ``2411…`` order numbers keep their
  leading zeros and never turn into numbers), with spreadsheet formulas neutralised;
* ``plain``: a string cell as it is, for values the app wrote itself and that are never
  formulas (a normalised ``+6581234567`` phone): a string cell is never evaluated, the
  ``'`` guard would only show;
* ``int``: a number; ``money``: an integer number of đồng shown as ``#,##0``;
* ``percent``: a fraction (0.2051) shown as a percentage (``20.51%`` in Excel's locale);
* ``datetime``: an Excel datetime in the writer's time zone (``dd/mm/yyyy hh:mm``);
* ``date``: an Excel date (``dd/mm/yyyy``); ``bool``: TRUE/FALSE.

``None`` (and an empty text) leaves the cell blank. Styling is minimal: bold header row,
frozen under the header, column widths.
"""

from __future__ import annotations

import errno
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from types import TracebackType
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from primedist.core.messages import msg
from primedist.errors import PrimedistError, ValidationError

KINDS = frozenset({"text", "plain", "int", "money", "percent", "datetime", "date", "bool"})
MONEY_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"
#: Data rows one sheet holds (1,048,576 rows less the header).
MAX_ROWS = 1_048_575

#: First characters that make a spreadsheet (or a CSV re-import) evaluate a cell.
_FORMULA_STARTS = "=+-@\t\r"

CellWriter = Callable[[int, int, Any], Any]


class FileNotWritten(PrimedistError):
    """The workbook could not be written at `path` (a full disk, a read-only folder);
    `reason` says why in words the UI translates. An export writing to a temporary file
    names its target instead (`export_support.replaced_when_done`)."""

    def __init__(self, path: Path, error: BaseException) -> None:
        self.path = path
        self.reason = os_reason(error)
        super().__init__(msg("Cannot write {name}: {reason}", name=path.name, reason=self.reason))


def os_reason(error: BaseException) -> str:
    """Why a file could not be written: the usual causes as messages the UI translates
    (their English is the system's own words), any other in the system's words."""
    cause = _os_error(error)
    code = cause.errno if cause is not None else None
    if code == errno.ENOSPC:
        return msg("No space left on device")
    if code == errno.EROFS:
        return msg("Read-only file system")
    if code in (errno.EACCES, errno.EPERM):
        return msg("Permission denied")
    if code == errno.EFBIG:
        return msg("File too large")
    return str(cause.strerror or cause) if cause is not None else str(error)


def _os_error(error: BaseException) -> OSError | None:
    """The OSError behind `error`: itself, or what xlsxwriter wrapped (FileCreateError holds
    it as its argument, raised while handling it)."""
    for candidate in (error, *error.args[:1], error.__cause__, error.__context__):
        if isinstance(candidate, OSError):
            return candidate
    return None


def neutralise(text: str) -> str:
    """Text a spreadsheet will never evaluate: a leading ``= + - @``, tab or CR gets ``'``.

    ``=HYPERLINK("http://evil", "Bấm vào đây")`` becomes ``'=HYPERLINK(...)``: shown as
    typed, never run. Text that already starts with ``'=`` gets one too: our imports take
    one ``'`` off before ``= + - @``, so it comes back as it was.
    """
    if text and (text[0] in _FORMULA_STARTS or _quoted_formula(text)):
        return "'" + text
    return text


def _quoted_formula(text: str) -> bool:
    return len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_STARTS


def unneutralise(text: str) -> str:
    """What `neutralise` was given: the guard ``'`` taken off again (imports of our own
    exports). Text the export would not have guarded is left as it is."""
    if len(text) > 1 and text[0] == "'" and neutralise(text[1:]) == text:
        return text[1:]
    return text


def _fast(sheet: Any, name: str) -> Callable[..., Any]:
    """The worksheet's `name` method for (row, col, value[, format]) calls.

    xlsxwriter's public write_* methods are thin wrappers that first test whether the row
    is an "A1" reference; its undecorated `_write_*` twins skip that (about 7% of an
    export's time). Falls back to the public method if a release renames them.
    """
    method: Callable[..., Any] = getattr(sheet, f"_{name}", None) or getattr(sheet, name)
    return method


@dataclass(frozen=True)
class XlsxColumn:
    """One column of a sheet: its header, the kind of its cells and its width (characters)."""

    header: str
    kind: str = "text"
    width: float = 14.0
    #: A money column's own number format (e.g. with the currency: `money_number_format`);
    #: "" for MONEY_FORMAT.
    num_format: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} (one of {sorted(KINDS)})")


class XlsxStreamWriter:
    """Write one sheet row by row; ``close()`` writes the file, ``abort()`` drops it.

    Use as a context manager: leaving the block normally closes (writes) the file, an
    exception aborts it and nothing is written at ``path``.

    Aware datetimes are converted to ``tz`` (when given) and written as that local time;
    naive datetimes are written as they are.
    """

    def __init__(
        self,
        path: Path | str,
        columns: Sequence[XlsxColumn],
        *,
        sheet_name: str = "Sheet1",
        tz: tzinfo | None = None,
    ) -> None:
        if not columns:
            raise ValueError("a sheet needs at least one column")
        self.path = Path(path)
        self.columns = tuple(columns)
        self.rows = 0
        self._tz = tz
        self._done = False
        # xlsxwriter keeps the row data (and, on close, the XML parts) in its tmpdir: our
        # own folder, so an aborted export leaves nothing behind.
        self._tmpdir = tempfile.mkdtemp(prefix="primedist-xlsx-")
        try:
            self._book = xlsxwriter.Workbook(
                str(self.path),
                {
                    "constant_memory": True,
                    "tmpdir": self._tmpdir,
                    # Only write_string/number/... are used; these guard any stray write().
                    "strings_to_numbers": False,
                    "strings_to_formulas": False,
                    "strings_to_urls": False,
                },
            )
            self._sheet = self._book.add_worksheet(sheet_name[:31] or "Sheet1")
            self._cells = tuple(self._cell_writer(col.kind, col.num_format)
                                for col in self.columns)  # fmt: skip
            self._write_header()
        except BaseException:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            raise
        self._next_row = 1

    # Building --------------------------------------------------------------------------
    def _write_header(self) -> None:
        sheet = self._sheet
        bold = self._book.add_format({"bold": True})
        for i, col in enumerate(self.columns):
            sheet.set_column(i, i, col.width)
            sheet.write_string(0, i, col.header, bold)
        sheet.freeze_panes(1, 0)

    def _cell_writer(self, kind: str, num_format: str = "") -> CellWriter:
        """The function that writes one non-None value of `kind` at (row, col)."""
        sheet, book, tz = self._sheet, self._book, self._tz
        if kind == "text":
            write_string = _fast(sheet, "write_string")
            starts = _FORMULA_STARTS

            def text(r: int, c: int, v: Any) -> None:
                s = v if v.__class__ is str else str(v)
                if s:
                    if s[0] in starts or (s[0] == "'" and _quoted_formula(s)):
                        s = "'" + s
                    write_string(r, c, s)

            return text
        if kind == "plain":
            write_plain = _fast(sheet, "write_string")

            def plain(r: int, c: int, v: Any) -> None:
                s = v if v.__class__ is str else str(v)
                if s:
                    write_plain(r, c, s)

            return plain
        if kind == "int":
            write_int: CellWriter = _fast(sheet, "write_number")
            return write_int
        if kind == "money":
            write_number = _fast(sheet, "write_number")
            money = book.add_format({"num_format": num_format or MONEY_FORMAT})

            def money_cell(r: int, c: int, v: Any) -> None:
                write_number(r, c, v, money)

            return money_cell
        if kind == "percent":
            write_fraction = _fast(sheet, "write_number")
            percent = book.add_format({"num_format": PERCENT_FORMAT})

            def percent_cell(r: int, c: int, v: Any) -> None:
                write_fraction(r, c, v, percent)

            return percent_cell
        if kind == "datetime":
            write_datetime = _fast(sheet, "write_datetime")
            dt_format = book.add_format({"num_format": DATETIME_FORMAT})

            def datetime_cell(r: int, c: int, v: Any) -> None:
                if v.tzinfo is not None:
                    v = (v if tz is None else v.astimezone(tz)).replace(tzinfo=None)
                write_datetime(r, c, v, dt_format)

            return datetime_cell
        if kind == "date":
            write_date = _fast(sheet, "write_datetime")
            d_format = book.add_format({"num_format": DATE_FORMAT})

            def date_cell(r: int, c: int, v: Any) -> None:
                if isinstance(v, datetime):
                    if v.tzinfo is not None and tz is not None:
                        v = v.astimezone(tz)
                    v = v.date()
                write_date(r, c, v, d_format)

            return date_cell
        write_bool: CellWriter = _fast(sheet, "write_boolean")  # "bool"
        return write_bool

    # Writing ---------------------------------------------------------------------------
    def write_row(self, values: Sequence[Any]) -> None:
        """Append one row: one value per column, in column order (None = blank)."""
        r = self._next_row
        if r > MAX_ROWS:
            raise ValidationError(
                msg(
                    "An Excel sheet holds at most {limit} rows: narrow the selection.",
                    limit=MAX_ROWS,
                )
            )
        c = 0
        for write, v in zip(self._cells, values, strict=True):
            if v is not None:
                write(r, c, v)
            c += 1
        self._next_row = r + 1
        self.rows = r

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> int:
        """Append every row of `rows`; returns how many were written."""
        before = self.rows
        for row in rows:
            self.write_row(row)
        return self.rows - before

    def close(self) -> None:
        """Write the file at `path` (nothing is there before this returns)."""
        if self._done:
            return
        self._done = True
        try:
            _close_book(self._book, self.path)
        finally:
            _close_row_data(self._book)
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    def abort(self) -> None:
        """Drop everything written so far; no file is written."""
        if self._done:
            return
        self._done = True
        _close_row_data(self._book)
        self._book.fileclosed = True  # never write the file, even at garbage collection
        shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self) -> XlsxStreamWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _close_row_data(book: Any) -> None:
    """Close the row data files constant_memory mode keeps open (before removing them)."""
    for sheet in book.worksheets():
        fh = getattr(sheet, "row_data_fh", None)
        if fh is not None and not fh.closed:
            fh.close()


def _close_book(book: Any, path: Path) -> None:
    """Write the workbook at `path`. When that fails (a full disk, a read-only folder) no
    file is left there and nothing is printed: FileNotWritten says why."""
    try:
        book.close()
    except BaseException as exc:
        book.fileclosed = True  # never tried again, even at garbage collection
        _close_left_open_zip(exc)
        _remove_quietly(path)
        if isinstance(exc, OSError | XlsxWriterException):
            raise FileNotWritten(path, exc) from exc
        raise


def _close_left_open_zip(error: BaseException) -> None:
    """xlsxwriter leaves its zip file open when writing it fails: the zip is then only
    reachable from the failure's traceback, and when that goes, its garbage collection
    tries to finish the file and prints the failure on stderr ("Exception ignored in
    ZipFile.__del__"). Close it here, quietly."""
    for failure in (error, error.__context__):
        tb = failure.__traceback__ if failure is not None else None
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                if isinstance(value, zipfile.ZipFile) and value.fp is not None:
                    fp, value.fp = value.fp, None  # its close() now has nothing left to do
                    try:
                        fp.close()
                    except OSError:  # the unwritten end of the file: it is removed anyway
                        pass
            tb = tb.tb_next


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # a read-only folder where it was never written
        pass


def write_template_workbook(
    path: Path,
    sheet: str,
    headers: Sequence[str],
    text_columns: Iterable[int],
    guide_sheet: str,
    guide_headers: Sequence[str],
    guide_rows: Iterable[Sequence[str]],
) -> None:
    """An import template: `sheet` with only the bold, frozen header row (the `text_columns`
    formatted as text, so typed phones and codes keep their leading zeros), then
    `guide_sheet`: one row per column saying how to fill it in."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False})  # fmt: skip
    try:
        bold = book.add_format({"bold": True})
        text = book.add_format({"num_format": "@"})
        data = book.add_worksheet(sheet[:31])
        as_text = set(text_columns)
        for i, header in enumerate(headers):
            data.set_column(i, i, max(14, len(header) + 4), text if i in as_text else None)
            data.write_string(0, i, header, bold)
        data.freeze_panes(1, 0)
        guide = book.add_worksheet(guide_sheet[:31])
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        for i, width in enumerate((22, 10, 70, 28)[: len(guide_headers)]):
            guide.set_column(i, i, width, wrap)
        for i, header in enumerate(guide_headers):
            guide.write_string(0, i, header, bold)
        for r, row in enumerate(guide_rows, start=1):
            for c, value in enumerate(row):
                if value:
                    guide.write_string(r, c, neutralise(value))
        guide.freeze_panes(1, 0)
    finally:
        _close_book(book, path)


@dataclass(frozen=True)
class ReportSheet:
    """One sheet of a small report workbook: a bold header row and typed rows; or, with
    `row_kinds`, no header and two columns (label, value) whose value kinds are per row."""

    name: str
    columns: Sequence[XlsxColumn]
    rows: Sequence[Sequence[Any]]
    row_kinds: Sequence[str] | None = None


def write_report_workbook(path: Path, sheets: Sequence[ReportSheet]) -> int:
    """A workbook of a few small sheets (a report, not a list: kept in memory). Text is
    neutralised, money is a number shown as ``#,##0``, dates are dates. Returns the number
    of data rows written."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False})  # fmt: skip
    written = 0
    try:
        bold = book.add_format({"bold": True})
        formats = {"money": book.add_format({"num_format": MONEY_FORMAT}),
                   "date": book.add_format({"num_format": DATE_FORMAT})}  # fmt: skip
        for spec in sheets:
            sheet = book.add_worksheet(spec.name[:31] or "Sheet")
            for i, col in enumerate(spec.columns):
                sheet.set_column(i, i, col.width)
            first = 0
            if spec.row_kinds is None:
                for i, col in enumerate(spec.columns):
                    sheet.write_string(0, i, col.header, bold)
                sheet.freeze_panes(1, 0)
                first = 1
            for r, row in enumerate(spec.rows, start=first):
                kinds = (
                    ("text", spec.row_kinds[r])
                    if spec.row_kinds
                    else [c.kind for c in spec.columns]
                )
                for c, (value, kind) in enumerate(zip(row, kinds, strict=True)):
                    _write_report_cell(sheet, r, c, value, kind, formats)
                written += 1
    finally:
        _close_book(book, path)
    return written


def _write_report_cell(
    sheet: Any, r: int, c: int, value: Any, kind: str, formats: dict[str, Any]
) -> None:
    if value is None or value == "":
        return
    if kind in ("int", "money"):
        sheet.write_number(r, c, value, formats.get(kind))
    elif kind == "date":
        sheet.write_datetime(r, c, value, formats["date"])
    else:
        sheet.write_string(r, c, neutralise(str(value)))
