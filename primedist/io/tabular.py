"""Read a .csv or .xlsx/.xls file as a header and data rows: the front door of every importer.

The reader judges the *file* only: it exists, is what its name says, stays under the size
limits, is UTF-8 (CSV), and has a header naming the required columns once each. Anything
wrong with the file raises `ValidationError` with a one-line reason and the importer has
written nothing yet. The *values* are the importer's business; `cell_text`,
`parse_whole_number`, `parse_amount` (đồng), `parse_datetime` and `parse_date` turn cells
into values with a reason when they cannot.

Rows come with their spreadsheet row numbers (the header is row 1 when it is on the first
line; the header is the row up to `HEADER_SEARCH_ROWS` naming the required columns and the
most known ones: a title above it is skipped, even one that names a column); blank rows
are skipped. A file that changes while it is read (saved again, synced) is refused once
its last row is read. Merged cells of an .xlsx read as their first cell's value down the
merged rows; an error a formula saved (#N/A…) under a named column refuses the file.
Header names are matched case-insensitively, trimmed, with inner spaces read as ``_``
("Order ID" is ``order_id``). CSV is streamed (`,` `;` or tab, sniffed from the first
lines); Excel is read with calamine (the first visible sheet).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import posixpath
import re
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from xml.etree import ElementTree

from primedist.core.messages import Message, msg
from primedist.core.money import parse_money
from primedist.errors import ValidationError

Cell = str | int | float | bool | date | datetime | time | timedelta
Row = list[Cell]

#: Files bigger than this are refused before anything is read.
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Data rows one file may hold.
MAX_DATA_ROWS = 1_000_000
#: What the parts of an .xlsx may unpack to (1,000,000 rows of a wide sheet fit).
MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
#: Delimited text (comma, semicolon or tab: found from the first lines); .txt is what a
#: tab-separated export or a "Save as Text" is called.
CSV_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
_DELIMITERS = (",", ";", "\t")
#: The rows the header may be on when a title is above it.
HEADER_SEARCH_ROWS = 10
#: A generous cap on one CSV field (csv's default is 128 KiB); longer means a broken file.
_CSV_FIELD_LIMIT = 1024 * 1024


def column_letter(position: int) -> str:
    """A column's letters as a spreadsheet shows them: 0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    letters = ""
    number = position + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def normalize_header(name: Cell) -> str:
    """``"  Order ID "`` → ``order_id``: trimmed, lower case, inner spaces as ``_``."""
    return "_".join(cell_text(name).lower().split())


class TabularFile:
    """An open .csv/.xlsx file whose header has been read and checked.

    Use as a context manager; iterate `rows()` once. `columns` maps each normalised
    header name to its position; `fraction` tells how far the reading has got.
    """

    def __init__(
        self,
        path: Path,
        header: Sequence[Cell],
        header_row: int,
        records: Iterator[tuple[int, Row]],
        *,
        max_rows: int,
        closer: IO[Any] | None = None,
        total: float = 0.0,
        progress_by_row: bool = False,
        position: Callable[[], int] | None = None,
        opened: tuple[int, int] | None = None,
        bytes_read: Callable[[], int] | None = None,
        rename: Callable[[str], str] | None = None,
    ) -> None:
        self.path = path
        self.name = path.name
        self.header = [normalize_header(h) for h in header]
        if rename is not None:
            self.header = [rename(h) if h else h for h in self.header]
        #: The header cells as written (trimmed text), for showing them to people.
        self.raw_header = [cell_text(h) for h in header]
        self.header_row = header_row
        self.width = len(self.header)
        self.columns: dict[str, int] = {}
        self.max_rows = max_rows
        self.rows_read = 0
        self._records = records
        self._closer = closer
        self._total = total
        self._done = 0.0
        self._by_row = progress_by_row
        self._position = position
        self._opened = opened
        self._bytes_read = bytes_read
        #: Normalised header names on more than one column → all their positions. Only
        #: a column that is read must be there once: `open_table` refuses any (each
        #: column of the file is read), `check_once` a column the caller reads.
        self.repeated: dict[str, list[int]] = {}
        for i, key in enumerate(self.header):
            if not key:
                continue
            if key in self.columns:
                self.repeated.setdefault(key, [self.columns[key]]).append(i)
                continue
            self.columns[key] = i

    # Public API ------------------------------------------------------------------------
    def check_once(self, position: int) -> None:
        """Raise ValidationError when the header names the column at `position` more than
        once: which of them holds the values is anyone's guess. The header is quoted as
        written and the columns named by their letters, as the spreadsheet shows them."""
        key = self.header[position] if position < self.width else ""
        positions = self.repeated.get(key)
        if positions:
            raise self.twice(positions)

    def twice(self, positions: Sequence[int]) -> ValidationError:
        """The refusal of a column the header names at `positions` (two or more)."""
        return ValidationError(
            msg(
                "appears twice in the header of {file} (columns {first} and {second}); keep one",
                file=self.name,
                first=column_letter(positions[0]),
                second=column_letter(positions[1]),
            ),
            row=self.header_row,
            column=self.raw_header[positions[0]],
        )

    def require(self, names: Iterable[str]) -> None:
        """Raise ValidationError naming the first of `names` the header lacks."""
        wanted = list(names)
        for name in wanted:
            if name not in self.columns:
                raise ValidationError(
                    msg(
                        "{file} has no such column in its header (row {row}); the required "
                        "columns are: {columns}",
                        file=self.name,
                        row=self.header_row,
                        columns=", ".join(wanted),
                    ),
                    column=name,
                )

    @property
    def fraction(self) -> float:
        """How much of the file has been read, in [0, 1]."""
        if self._total <= 0:
            return 0.0
        done = self._done
        if self._position is not None and done < self._total:
            try:
                done = self._position()
            except (OSError, ValueError):  # closed
                done = self._total
        return min(done / self._total, 1.0)

    def rows(self) -> Iterator[tuple[int, Row]]:
        """(spreadsheet row number, cells padded/cut to the header's width) for data rows.

        Blank rows are skipped. Raises ValidationError when the file has no data rows, more
        than the row limit, or breaks while being read.
        """
        width = self.width
        blank: Row = [""] * width
        by_row = self._by_row
        for number, cells in self._records:
            if by_row:
                self._done = number
            if _is_blank(cells):
                continue
            self.rows_read += 1
            if self.rows_read > self.max_rows:
                raise ValidationError(_too_many_rows(self.name, self.max_rows))
            n = len(cells)
            if n < width:
                cells = cells + blank[n:]
            elif n > width:
                cells = cells[:width]
            yield number, cells
        self._check_unchanged()
        self._done = self._total
        if self.rows_read == 0:
            raise ValidationError(msg("{file} has a header but no data rows", file=self.name))

    def _check_unchanged(self) -> None:
        """Refuse the rows read when the file changed under the reader (saved again, a sync
        rewriting it): they may be half of one version and half of another, or cut short."""
        if self._opened is None:
            return
        try:
            now: tuple[int, int] | None = _stamp(self.path)
        except OSError:  # gone (moved away, deleted)
            now = None
        size = self._opened[0]
        if now != self._opened or (self._bytes_read is not None and self._bytes_read() != size):
            raise ValidationError(
                msg(
                    "{file} changed while it was being read (saved again or synced?): nothing "
                    "was imported; import it again.",
                    file=self.name,
                )
            )

    def close(self) -> None:
        if self._closer is not None:
            self._closer.close()
            self._closer = None

    def __enter__(self) -> TabularFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_table(
    path: Path,
    *,
    required: Iterable[str] = (),
    max_bytes: int | None = None,
    max_rows: int | None = None,
    rename: Callable[[str], str] | None = None,
    repeated_ok: bool = False,
) -> TabularFile:
    """Open a .csv/.xlsx/.xls file, read its header and check the `required` columns.

    The limits default to `MAX_FILE_BYTES` and `MAX_DATA_ROWS`. `rename` turns each
    normalised header name into the column it means (another language's header → its key).
    A header naming a column twice is refused, unless `repeated_ok`: then the caller, who
    reads only some columns, checks those (`TabularFile.check_once`).
    """
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    max_rows = MAX_DATA_ROWS if max_rows is None else max_rows
    path = Path(path)
    name = path.name
    try:
        if not path.exists():
            raise ValidationError(msg("File not found: {path}", path=str(path)))
        if not path.is_file():
            raise ValidationError(msg("{path} is not a file", path=str(path)))
        opened = _stamp(path)
    except OSError as exc:
        raise ValidationError(
            msg(
                "{path} cannot be opened: {reason}", path=str(path), reason=str(exc.strerror or exc)
            )
        ) from exc
    size = opened[0]
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES:
        raise ValidationError(
            msg(
                "{file}: unsupported file type {suffix}; use .xlsx, .csv or .txt",
                file=name,
                suffix=repr(suffix or "(none)"),
            )
        )
    if size > max_bytes:
        raise ValidationError(
            msg(
                "{file} is {size} MB: the limit is {limit} MB; split it into smaller files",
                file=name,
                size=_mb(size),
                limit=_mb(max_bytes),
            )
        )
    if size == 0:
        raise ValidationError(msg("{file} is empty", file=name))
    wanted = list(required)
    table = (
        _open_csv(path, opened, max_rows, wanted, rename)
        if suffix in CSV_SUFFIXES
        else _open_excel(path, opened, max_rows, wanted, rename)
    )
    try:
        if not repeated_ok:
            for positions in table.repeated.values():
                table.check_once(positions[0])
        table.require(wanted)
    except BaseException:
        table.close()
        raise
    return table


def _stamp(path: Path) -> tuple[int, int]:
    """(size, modification time in ns): what changes when a file is written again."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


# CSV -----------------------------------------------------------------------------------
def _open_csv(
    path: Path,
    opened: tuple[int, int],
    max_rows: int,
    required: list[str],
    rename: Callable[[str], str] | None,
) -> TabularFile:
    name, size = path.name, opened[0]
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise ValidationError(
            msg(
                "{path} cannot be opened: {reason}", path=str(path), reason=str(exc.strerror or exc)
            )
        ) from exc
    f = io.TextIOWrapper(raw, encoding=text_encoding(raw), newline="")
    try:
        head: list[str] = []  # the lines the header may be on
        filled = 0
        try:
            for line in f:
                head.append(line)
                filled += bool(line.strip())
                if filled >= HEADER_SEARCH_ROWS:
                    break
        except UnicodeDecodeError as exc:
            raise _not_utf8(name, exc) from exc
        if not filled:
            raise ValidationError(msg("{file} is empty", file=name))
        csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
        delimiter = _delimiter(head)
        reader = csv.reader(map(to_nfc, itertools.chain(head, f)), delimiter=delimiter)
        records = _csv_records(reader, name)
        header_row, header, records = _header(records, name, required, rename)
        # Progress = bytes the decoder has taken from the file (read ahead in 8 KiB chunks);
        # at the end, all of them: fewer or more than its size means it changed meanwhile.
        return TabularFile(
            path, header, header_row, records, max_rows=max_rows, closer=f,
            total=float(size), position=raw.tell, opened=opened, bytes_read=raw.tell,
            rename=rename,
        )  # fmt: skip
    except BaseException:
        f.close()
        raise


#: The byte order marks UTF-16 text starts with: Excel's "Unicode Text (*.txt)" (tabs between
#: the columns) and some tools' CSV, the way older Excel saves Vietnamese without losing it.
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def text_encoding(raw: io.BufferedReader) -> str:
    """How to decode a text file about to be read from `raw`: UTF-16 when it starts with its
    byte order mark, else UTF-8 (its BOM, if any, skipped)."""
    return "utf-16" if raw.peek(2)[:2] in _UTF16_BOMS else "utf-8-sig"


def _delimiter(lines: list[str]) -> str:
    """The separator of a CSV whose first `lines` these are: the one splitting them into
    the most cells in records of one width (more than one field), the more records the
    better on a tie. A title line above the header splits into one field, or at a stray
    comma, so the header and the rows below it decide. A comma when none splits any line."""
    text = "".join(lines)
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths: dict[int, int] = {}  # fields in a record → records that many
        try:
            for fields in csv.reader(io.StringIO(text), delimiter=delimiter):
                if len(fields) > 1:
                    widths[len(fields)] = widths.get(len(fields), 0) + 1
        except csv.Error:  # the lines end inside a quoted field: what was read decides
            pass
        # Cells in the records of the commonest width: a tab inside a few quoted cells (or
        # a quoted line break) makes many 2-field records, never as many cells as the header.
        score = max(((count * width, count) for width, count in widths.items()), default=(0, 0))
        if score > best_score:
            best, best_score = delimiter, score
    return best


#: Text in one Unicode form. Vietnamese typed with combining marks ("Unicode tổ hợp": a
#: keyboard setting, or text pasted from a Mac) becomes the precomposed letters, so a name
#: in a file matches the same name stored (a shop, a SKU, a customer) instead of making a
#: look-alike twin.
to_nfc = partial(unicodedata.normalize, "NFC")


def nfc_cells(cells: list[Any]) -> list[Any]:
    """A spreadsheet row with its text cells in NFC."""
    return [to_nfc(c) if type(c) is str else c for c in cells]


def _csv_records(reader: Iterator[list[str]], name: str) -> Iterator[tuple[int, Row]]:
    """(record number, fields): the record number is the row a spreadsheet shows."""
    number = 0
    try:
        for fields in reader:
            number += 1
            yield number, fields  # type: ignore[misc]
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, exc) from exc
    except csv.Error as exc:
        raise ValidationError(
            msg("{file} is not a readable CSV file: {reason}", file=name, reason=str(exc)),
            row=number + 1,
        ) from exc


def _mb(size: float) -> int:
    return round(size / 1_048_576)


def _too_many_rows(name: str, limit: int) -> Message:
    return msg("{file} has more than {rows} data rows: split it into smaller files",
               file=name, rows=limit)  # fmt: skip


def _not_utf8(name: str, exc: UnicodeDecodeError) -> ValidationError:
    bad = exc.object[exc.start : exc.start + 1]
    return ValidationError(
        msg(
            "{file} is not UTF-8 text (it holds the byte 0x{byte}): save it as “CSV UTF-8” "
            "or as .xlsx",
            file=name,
            byte=bad.hex(),
        )
    )


# Excel ---------------------------------------------------------------------------------
def _open_excel(
    path: Path,
    opened: tuple[int, int],
    max_rows: int,
    required: list[str],
    rename: Callable[[str], str] | None,
) -> TabularFile:
    name = path.name
    try:
        with path.open("rb") as f:
            magic = f.read(8)
    except OSError as exc:
        raise ValidationError(
            msg(
                "{path} cannot be opened: {reason}", path=str(path), reason=str(exc.strerror or exc)
            )
        ) from exc
    if not (magic.startswith(_ZIP_MAGIC) or magic == _OLE2_MAGIC):
        raise ValidationError(
            msg(
                "{file} is not a real Excel file (its content is not an Excel workbook); "
                "open it in Excel and save it as .xlsx, or save it as CSV UTF-8",
                file=name,
            )
        )
    _check_not_encrypted(path, magic)
    if magic.startswith(_ZIP_MAGIC):
        _check_unpacked_size(path)
    # Lazy: only importers need calamine.
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [
            m.name
            for m in book.sheets_metadata
            if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
        ] or book.sheet_names
        if not sheets:
            raise ValidationError(msg("{file} has no worksheet", file=name))
        # The error cells are looked for while calamine reads the sheet (both let go of
        # the GIL: the scan costs no time on two cores).
        scan = _ErrorScan(path, sheets[0]) if magic.startswith(_ZIP_MAGIC) else None
        sheet = book.get_sheet_by_name(sheets[0])
        height = sheet.height
        rows = iter(sheet.iter_rows())
        merged = sheet.merged_cell_ranges  # None for an .xls
        first_column = sheet.start[1] if sheet.start else 0
        errors = scan.result() if scan is not None else {}
    except ValidationError:
        raise
    except Exception as exc:  # calamine's errors, and anything its parser trips on
        raise _not_excel(name, exc) from exc
    if height - 1 > max_rows:
        raise ValidationError(_too_many_rows(name, max_rows))
    records = _excel_records(rows, name)
    if merged:
        records = _fill_merged(records, merged, first_column)
    header_row, header, records = _header(records, name, required, rename)
    if errors:
        records = _refuse_errors(records, errors, [cell_text(h) for h in header], first_column)
    end = sheet.end
    total = float(end[0] + 1) if end else 0.0
    return TabularFile(
        path, header, header_row, records, max_rows=max_rows, total=total, progress_by_row=True,
        opened=opened, rename=rename,
    )  # fmt: skip


class _ErrorScan:
    """`_error_cells` in a thread of its own; `result()` waits for it (and raises what it
    raised)."""

    def __init__(self, path: Path, sheet: str) -> None:
        self._found: dict[int, list[tuple[int, str]]] = {}
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(path, sheet), daemon=True)
        self._thread.start()

    def _run(self, path: Path, sheet: str) -> None:
        try:
            self._found = _error_cells(path, sheet)
        except BaseException as exc:  # handed to the reader's thread by result()
            self._failed = exc

    def result(self) -> dict[int, list[tuple[int, str]]]:
        self._thread.join()
        if self._failed is not None:
            raise self._failed
        return self._found


def _error_cells(path: Path, sheet: str) -> dict[int, list[tuple[int, str]]]:
    """Row (from 1) → (column, A = 0; the error) of each cell of `sheet` in the .xlsx at
    `path` holding an error its formula saved (``#N/A`` of a VLOOKUP that found nothing,
    ``#REF!``, ``#DIV/0!``…). Calamine reads them as empty cells, which would import an
    amount of 0; the sheet's XML tells them (``t="e"``). {} when it has none, or when the
    workbook's parts cannot be found (calamine found them: a layout this does not know)."""
    with zipfile.ZipFile(path) as z:
        part = _sheet_part(z, sheet)
        if part is None:
            return {}
        with z.open(part) as f:
            errors = _read_error_cells(f)
        if errors is None:
            with z.open(part) as f:
                errors = _read_error_cells_by_position(f)
    return errors


def _sheet_part(z: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding the worksheet named `sheet` (the workbook's relationships
    say which), or None."""
    names = set(z.namelist())

    def relationships(part: str) -> dict[str, tuple[str, str]]:
        """Id → (type, member) of the relationships of `part` ("" = the package)."""
        folder, _slash, base = part.rpartition("/")
        rels = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        if rels not in names:
            return {}
        found = {}
        for el in ElementTree.fromstring(z.read(rels)):
            target = el.get("Target", "")
            member = target[1:] if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))  # fmt: skip
            found[el.get("Id", "")] = (el.get("Type", ""), member)
        return found

    books = [m for t, m in relationships("").values() if t.endswith("/officeDocument")]
    if not books or books[0] not in names:
        return None
    book = books[0]
    targets = relationships(book)
    for el in ElementTree.fromstring(z.read(book)).iter():
        if _local(el.tag) == "sheet" and el.get("name") == sheet:
            ids = [v for k, v in el.attrib.items() if _local(k) == "id"]
            member = targets.get(ids[0], ("", ""))[1] if ids else ""
            return member if member in names else None
    return None


def _local(tag: str) -> str:
    """An XML name without its namespace (Strict OOXML has other namespaces)."""
    return tag.rpartition("}")[2]


#: A cell typed as an error (``t="e"``), its reference and the error it saved (`<v>`);
#: with or without a namespace prefix (``<x:c>``), attributes in either quotes.
_ERROR_CELL_RE = re.compile(
    rb"""<(?:\w+:)?c\s([^>]*?\bt=["']e["'][^>/]*)>(.*?)</(?:\w+:)?c>""", re.DOTALL
)
_CELL_REF_RE = re.compile(rb"""\br=["']([A-Za-z]+)(\d+)["']""")
_SAVED_RE = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
_CHUNK = 256 * 1024


def _read_error_cells(f: IO[bytes]) -> dict[int, list[tuple[int, str]]] | None:
    """`_error_cells` of a worksheet's XML, read in chunks; a chunk is searched for cells
    only when it has an error cell at all (the usual sheet has none: one quick pass). None
    when an error cell lacks its reference (``r``, which the format lets a writer leave
    out): `_read_error_cells_by_position` places it."""
    errors: dict[int, list[tuple[int, str]]] = {}
    carry = b""
    while True:
        chunk = f.read(_CHUNK)
        window = carry + chunk
        if not chunk:
            cut = len(window)
        else:  # the last cell may go on in the next chunk: keep it for then
            cut = window.rfind(b"<c")
            if cut < 0:
                cut = max(len(window) - 8, 0)
        part, carry = window[:cut], window[cut:]
        if b't="e"' in part or (b'="' not in part and b"t='e'" in part):
            for cell in _ERROR_CELL_RE.finditer(part):
                ref = _CELL_REF_RE.search(cell[1])
                if ref is None:
                    return None
                saved = _SAVED_RE.search(cell[2])
                error = saved[1].decode("utf-8", "replace").strip() if saved else ""
                column = _column_number(ref[1].decode("ascii"))
                errors.setdefault(int(ref[2]), []).append((column, error or "#N/A"))
        if not chunk:
            return errors


def _read_error_cells_by_position(f: IO[bytes]) -> dict[int, list[tuple[int, str]]]:
    """`_error_cells` of a worksheet's XML, parsed: a row or cell without its reference
    (``r``) is the one after the previous, as the format says."""
    errors: dict[int, list[tuple[int, str]]] = {}
    row, column = 0, -1
    rows: ElementTree.Element | None = None
    for event, el in ElementTree.iterparse(f, events=("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "row":
                row = int(el.get("r") or row + 1)
                column = -1
            elif tag == "c":
                ref = el.get("r")
                column = _column_number(ref) if ref else column + 1
            elif tag == "sheetData":
                rows = el
        elif tag == "c" and el.get("t") == "e":
            saved = next((v.text for v in el if _local(v.tag) == "v"), None)
            errors.setdefault(row, []).append((column, (saved or "").strip() or "#N/A"))
        elif tag == "row" and rows is not None:
            rows.clear()  # the rows read: a big sheet is not kept in memory
    return errors


def _column_number(ref: str) -> int:
    """``"AB12"`` → 27: the column of a cell reference, A = 0."""
    number = 0
    for char in ref:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - ord("A") + 1
    return number - 1


def _refuse_errors(
    records: Iterator[tuple[int, Row]],
    errors: dict[int, list[tuple[int, str]]],
    header: list[str],
    first_column: int,
) -> Iterator[tuple[int, Row]]:
    """The data rows, refused at the first error cell (`_error_cells`) under a named
    column: it is no value (calamine reads it as empty: 0 đồng, no date) and fixing it
    belongs in the spreadsheet. Errors above the header or under no header do not count,
    nor does a row with nothing else (a formula filled down past the data)."""
    for number, cells in records:
        if number in errors and _is_blank(cells):
            yield number, cells
            continue
        for column, error in errors.get(number, ()):
            position = column - first_column
            if 0 <= position < len(header) and header[position]:
                raise ValidationError(
                    msg(
                        "{error} is an Excel error (a formula that failed, such as a VLOOKUP "
                        "that found nothing): fix the cell or clear it",
                        error=error,
                    ),
                    row=number,
                    column=header[position],
                )
        yield number, cells


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than `MAX_UNPACKED_BYTES` (a zip bomb
    would otherwise be expanded in memory by the reader)."""
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_excel(path.name, exc) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(
            msg(
                "{file} unpacks to {size} MB: the limit is {limit} MB; split it into smaller files",
                file=path.name,
                size=_mb(unpacked),
                limit=_mb(MAX_UNPACKED_BYTES),
            )
        )


def _header(
    records: Iterator[tuple[int, Row]],
    name: str,
    required: list[str],
    rename: Callable[[str], str] | None,
) -> tuple[int, Row, Iterator[tuple[int, Row]]]:
    """The header row and the rows after it. The header is the row up to
    `HEADER_SEARCH_ROWS` (or the first non-blank one, when it is further down) that names
    every `required` column and the most known columns; the first of them on a tie, unless
    it is a lone cell: a title and a note above the header are common, and a title may be a
    column's name ("NHÀ CUNG CẤP" above `Tên nhà cung cấp | Số điện thoại | Nợ đầu kỳ`).
    None names them all: the first non-blank row, whose missing column is then named."""
    head: list[tuple[int, Row]] = []
    filled = False
    for number, cells in records:
        head.append((number, cells))
        filled = filled or not _is_blank(cells)
        if number >= HEADER_SEARCH_ROWS and filled:
            break
    rows = [(i, cells) for i, (_number, cells) in enumerate(head) if not _is_blank(cells)]
    if not rows:
        raise ValidationError(msg("{name} is empty", name=name))
    scores = [(score, i) for i, cells in rows
              if (score := _header_score(cells, required, rename)) is not None]  # fmt: skip
    at = max(scores, key=lambda scored: scored[0])[1] if scores else rows[0][0]
    number, cells = head[at]
    return number, cells, itertools.chain(head[at + 1 :], records)


def _header_score(
    cells: Row, required: list[str], rename: Callable[[str], str] | None
) -> tuple[int, bool] | None:
    """None when `cells` lack a `required` column; else how many known columns they name
    (required ones, and those `rename` knows under another name) and whether that is more
    than a lone cell (a title)."""
    names = {normalize_header(c) for c in cells}
    names.discard("")
    keys = names if rename is None else {rename(n) for n in names}
    if not keys.issuperset(required):
        return None
    known = keys.intersection(required)
    if rename is not None:
        known.update(key for n in names if (key := rename(n)) != n)
    return len(known), bool(known) and len(names) > 1


def _fill_merged(
    records: Iterator[tuple[int, Row]],
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]],
    first_column: int,
) -> Iterator[tuple[int, Row]]:
    """The rows with each merged range's value copied down its first column: one order's
    columns merged over its lines (as shops often lay them out) read on every line, not on
    the first alone. The other columns of a range wider than one stay empty, as shown."""
    # Rows numbered from 1 as the records are; columns from the sheet's first one, as
    # calamine's rows start there.
    tops: dict[int, list[int]] = {}  # row → the columns a range starts at
    below: dict[int, list[tuple[int, int]]] = {}  # row → (column, top row) to copy from
    for (top, left), (bottom, _right) in merged:
        column = left - first_column
        if column < 0 or bottom <= top:
            continue
        tops.setdefault(top + 1, []).append(column)
        for row in range(top + 2, bottom + 2):
            below.setdefault(row, []).append((column, top + 1))
    values: dict[tuple[int, int], Cell] = {}
    for number, cells in records:
        for column, top in below.get(number, ()):
            if column < len(cells) and cells[column] == "":
                cells[column] = values.get((top, column), "")
        for column in tops.get(number, ()):
            if column < len(cells):
                values[(number, column)] = cells[column]
        yield number, cells


def _excel_records(rows: Iterator[list[Any]], name: str) -> Iterator[tuple[int, Row]]:
    """Calamine yields every row from row 1 (leading blank rows included)."""
    number = 0
    try:
        for cells in rows:
            number += 1
            yield number, nfc_cells(cells)
    except ValidationError:
        raise
    except Exception as exc:
        raise _not_excel(name, exc) from exc


def _not_excel(name: str, exc: BaseException) -> ValidationError:
    """What to do, in the user's language; the reader's own words (English internals such
    as "File not found '_rels/.rels'") only in `detail`, for the log."""
    error = ValidationError(
        msg(
            "{file} cannot be read as an Excel file: it is damaged or not a workbook. Open it "
            "in Excel and save it again as .xlsx, or save it as CSV UTF-8",
            file=name,
        )
    )
    error.detail = " ".join(str(exc).split())[:160] or type(exc).__name__
    return error


def _check_not_encrypted(path: Path, magic: bytes) -> None:
    """An .xlsx is a zip; one that is an OLE2 (CFB) container instead is a workbook Excel
    encrypted with a password, or an old .xls renamed: neither can be read as .xlsx."""
    if magic == _OLE2_MAGIC and path.suffix.lower() != ".xls":
        raise ValidationError(
            msg(
                "{file} is password-protected or an old Excel (.xls) file: open it in Excel, "
                "remove the password and save it as .xlsx (or CSV UTF-8)",
                file=path.name,
            )
        )


def _is_blank(cells: Sequence[Cell]) -> bool:
    try:  # all text (every CSV row): one C-level join
        return not "".join(cells).strip()  # type: ignore[arg-type]
    except TypeError:
        pass
    for c in cells:
        if not isinstance(c, str) or c.strip():
            return False
    return True


# Cell values ---------------------------------------------------------------------------
def cell_text(value: Cell | None) -> str:
    """A cell as trimmed text: ``12345.0`` from a numeric Excel cell is ``"12345"``."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


_INT_RE = re.compile(r"[+-]?\d+(?:\.0*)?")
_GROUPED_RE = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
#: A whole amount as a locale writes it: ``1.250.000,00``, ``1,250,000.00``, ``1 250 000``
#: (a space, also a non-breaking one, between thousands), ``150000,00``. Groups of three
#: with one separator throughout; the decimals (1 or 2 digits) after the other separator.
_LOCALE_RE = re.compile(
    r"([+-]?)(\d{1,3}([., \u00a0\u202f])\d{3}(?:\3\d{3})*|\d+)(?:(?!\3)([.,])(\d{1,2}))?"
)


def parse_whole_number(value: Cell) -> int:
    """A whole number from a cell: ``12000``, ``12000.0`` (Excel) or the text ``"12000"``,
    also as a Vietnamese or English locale writes it (`_LOCALE_RE`: ``150.000,00``,
    ``1 250 000``).

    Raises ValueError with a short reason for ``12.5`` and ``150.000,50`` (no whole
    number), ``12.000`` and ``1,250,000`` (thousands separators alone are ambiguous, so
    refused), text, dates and TRUE/FALSE.
    """
    if isinstance(value, bool):
        raise ValueError(msg("{cell} is not a number", cell=cell_text(value)))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(msg("{cell} is not a whole number", cell=repr(value)))
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _GROUPED_RE.fullmatch(text):  # 12.000 is twelve thousand in Vietnam: ambiguous
            raise ValueError(
                msg(
                    "{cell} has a thousands separator: write the plain number ({plain})",
                    cell=repr(text),
                    plain=text.replace(".", "").replace(",", ""),
                )
            )
        if _INT_RE.fullmatch(text):
            return int(text.split(".", 1)[0])
        if m := _LOCALE_RE.fullmatch(text):
            sign, whole, thousands, _point, decimals = m.groups()
            if decimals and decimals.strip("0"):
                raise ValueError(msg("{cell} is not a whole number", cell=repr(_short(text))))
            return int(sign + (whole.replace(thousands, "") if thousands else whole))
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(msg("{cell} is not a number", cell=repr(_short(text)))) from None
        if not math.isfinite(number):
            raise ValueError(
                msg("{cell} is not a whole number (not finite)", cell=repr(_short(text)))
            )
        raise ValueError(msg("{cell} is not a whole number", cell=repr(_short(text))))
    raise ValueError(msg("{cell} is not a number", cell=repr(cell_text(value))))


#: Groups of three digits with one kind of separator throughout: "189.000", "1,234,567".
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}([.,])\d{3}(?:\1\d{3})*")
#: Text beside the digits, as `core.money.parse_money` reads it: a currency sign (₫, đ,
#: VND) or a unit ("189k").
_MONEY_MARK_RE = re.compile(r"[^\d\s.,+\-\u2212]")


def parse_amount(value: Cell) -> int:
    """Whole đồng from a cell, as the sale screen and the product form read an amount:
    what `parse_whole_number` reads, plus thousands separators alone ("189.000",
    "189,000", "1.234.567": a đồng has no decimals, so a dot or comma before exactly three
    digits groups thousands), and the rest `parse_money` reads: a currency sign ("189.000 đ",
    "150,000 VND"), thousands written with k ("189k"). A numeric cell is taken as it is.

    Raises ValueError with `parse_whole_number`'s reason for what is no whole amount
    ("189.5", "1,5", "abc").
    """
    if isinstance(value, str) and _THOUSANDS_RE.fullmatch(text := value.strip()):
        return int(text.replace(".", "").replace(",", ""))
    try:
        return parse_whole_number(value)
    except ValueError:
        if isinstance(value, str) and _MONEY_MARK_RE.search(value):
            try:
                return parse_money(value, "vi")
            except ValueError:
                pass  # its reason is in English only: say parse_whole_number's
        raise


_ISO_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?"
)
_DMY_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
DATE_FORMATS = "YYYY-MM-DD or DD/MM/YYYY, optionally with HH:MM[:SS]"


def parse_datetime(value: Cell) -> datetime:
    """A date/time from an Excel date cell or text in `DATE_FORMATS` (naive = local time).

    Raises ValueError with a short reason otherwise.
    """
    if isinstance(value, datetime):
        return plausible_year(value, value)
    if isinstance(value, date):
        return plausible_year(datetime.combine(value, time()), value)
    if isinstance(value, str):
        text = value.strip()
        if m := _ISO_RE.fullmatch(text):
            y, mo, d, hh, mm, ss = m.groups()
        elif m := _DMY_RE.fullmatch(text):
            d, mo, y, hh, mm, ss = m.groups()
        else:
            raise ValueError(_not_a_date(_short(text)))
        try:
            dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            raise ValueError(msg("{cell} is not a real date and time", cell=repr(text))) from None
        return plausible_year(dt, text)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(
            msg(
                "{cell} is a number, not a date: format the cell as a date or write "
                "YYYY-MM-DD or DD/MM/YYYY, optionally with HH:MM[:SS]",
                cell=cell_text(value),
            )
        )
    raise ValueError(_not_a_date(_short(cell_text(value))))


#: A date alone as people in Vietnam write it: day first (15/03/1990, 15-03-1990,
#: 15.03.1990: an ambiguous 01/02 is the 1st of February) or year first (1990-03-15,
#: 1990/03/15), one separator throughout.
_DAY_FIRST_RE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_YEAR_FIRST_RE = re.compile(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})")
#: The forms a date alone is asked in (no words: the same in every language).
DAY_FORMATS = "DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY, YYYY-MM-DD"


def parse_date(value: Cell) -> date:
    """A date alone (a birthday): an Excel date cell, text in one of the forms of
    `_DAY_FIRST_RE` and `_YEAR_FIRST_RE`, or what `parse_datetime` reads (its time left
    out). Text naming a day that does not exist (29/02/1990) is "not a real date"."""
    if not isinstance(value, str):
        return parse_datetime(value).date()
    text = value.strip()
    if m := _DAY_FIRST_RE.fullmatch(text):
        d, _sep, mo, y = m.groups()
    elif m := _YEAR_FIRST_RE.fullmatch(text):
        y, _sep, mo, d = m.groups()
    elif _ISO_RE.fullmatch(text) or _DMY_RE.fullmatch(text):  # with a time
        return parse_datetime(text).date()
    else:
        raise ValueError(
            msg("{cell} is not a date (use {formats})", cell=repr(_short(text)),
                formats=DAY_FORMATS)
        )  # fmt: skip
    try:
        day = date(int(y), int(mo), int(d))
    except ValueError:
        raise ValueError(msg("{cell} is not a real date", cell=repr(text))) from None
    plausible_year(datetime.combine(day, time()), text)
    return day


#: The years a date in a file may have: others are typos (0001-01-01 would not even convert
#: to UTC).
YEARS = (1900, 2999)


def plausible_year(dt: datetime, cell: Cell) -> datetime:
    """`dt`, or ValueError naming the cell when its year is outside `YEARS`."""
    low, high = YEARS
    if not low <= dt.year <= high:
        raise ValueError(
            msg("{cell} is not a possible date (the year must be {low}–{high})",
                cell=repr(_short(cell_text(cell))), low=str(low), high=str(high))
        )  # fmt: skip
    return dt


def _not_a_date(text: str) -> Message:
    return msg("{cell} is not a date (use YYYY-MM-DD or DD/MM/YYYY, optionally with "
               "HH:MM[:SS])", cell=repr(text))  # fmt: skip


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
