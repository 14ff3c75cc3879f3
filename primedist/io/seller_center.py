"""Read the order exports of the marketplaces' Seller Centers (shared/specs § 8).

Three layouts are known, told apart by their header (`detect_format`):

- **Shopee** (`Order.all.<from>_<to>.xlsx`): Vietnamese headers, one row per order line.
  Headers are compared after NFC normalisation and whitespace collapsing (real exports
  store "Giá ưu đãi" decomposed), and *exactly*: "Tổng số tiền Người mua thanh toán"
  (the line's amount) and "Tổng số tiền người mua thanh toán" (the order's) differ only
  in the case of one letter.
- **Lazada**: camelCase English headers, one row per unit (`orderItemId`).
- **TikTok Shop**: English headers, then a row describing each column (skipped).

The generic order template (`services/order_import.py`) is recognised too, so one import
button can take any of them. This module judges the file and its header; the values are
the importer's business (`parse_money`, `parse_export_datetime` give reasons).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any

from primedist.core.messages import msg
from primedist.errors import ValidationError
from primedist.io.tabular import (
    CSV_SUFFIXES,
    EXCEL_SUFFIXES,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    Cell,
    Row,
    cell_text,
    nfc_cells,
    normalize_header,
    parse_datetime,
    plausible_year,
    text_encoding,
    to_nfc,
)
from primedist.io.tabular import _check_not_encrypted as check_not_encrypted
from primedist.io.tabular import _check_unpacked_size as check_unpacked_size
from primedist.io.tabular import _not_excel as not_excel
from primedist.io.tabular import _not_utf8 as not_utf8

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Rows looked at for the header (a few blank or title rows may come first).
HEADER_SEARCH_ROWS = 10


class ExportFormat(StrEnum):
    TEMPLATE = "template"
    SHOPEE = "shopee"
    LAZADA = "lazada"
    TIKTOK = "tiktok"


#: What each layout is called in messages.
FORMAT_NAMES = {
    ExportFormat.TEMPLATE: "the order template",
    ExportFormat.SHOPEE: "a Shopee order export",
    ExportFormat.LAZADA: "a Lazada order export",
    ExportFormat.TIKTOK: "a TikTok Shop order export",
}

#: Headers that identify each Seller Center layout (all present = that layout).
SIGNATURES: dict[ExportFormat, tuple[str, ...]] = {
    ExportFormat.SHOPEE: ("Mã đơn hàng", "Ngày đặt hàng", "Trạng Thái Đơn Hàng"),
    ExportFormat.LAZADA: ("orderItemId", "orderNumber", "createTime"),
    ExportFormat.TIKTOK: ("Order ID", "Order Status", "Created Time"),
}
#: The order template's key columns (normalised header names).
TEMPLATE_SIGNATURE = ("order_id", "order_date", "shop", "sku")


def clean_header(value: Cell | None) -> str:
    """A header cell as compared: NFC, trimmed, inner whitespace collapsed; case kept."""
    return " ".join(unicodedata.normalize("NFC", cell_text(value)).split())


def detect_format(header: Sequence[Cell]) -> ExportFormat | None:
    """The layout a header row belongs to, or None when it is none of the known ones."""
    names = {clean_header(h) for h in header}
    for fmt, signature in SIGNATURES.items():
        if all(name in names for name in signature):
            return fmt
    normalised = {normalize_header(clean_header(h)) for h in header}
    if all(name in normalised for name in TEMPLATE_SIGNATURE):
        return ExportFormat.TEMPLATE
    return None


def expected_layouts() -> str:
    """What a refused file should have looked like, for messages."""
    parts = [f"{FORMAT_NAMES[f]} (headers {', '.join(s)}, …)" for f, s in SIGNATURES.items()]
    parts.append(
        f"{FORMAT_NAMES[ExportFormat.TEMPLATE]} (columns {', '.join(TEMPLATE_SIGNATURE)}, …)"
    )
    return "; ".join(parts)


@dataclass
class ExportSheet:
    """An open export: its header (cleaned), where it is, and the data rows after it."""

    path: Path
    header: list[str]
    header_row: int
    records: Iterator[tuple[int, Row]]
    closer: Any = None
    #: Cleaned header → position (the first one when a header repeats).
    columns: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, name in enumerate(self.header):
            if name and name not in self.columns:
                self.columns[name] = i

    @property
    def name(self) -> str:
        return self.path.name

    def find(self, wanted: str, others: Collection[str] = ()) -> int | None:
        """The position of `wanted`: the exact header, else the one header equal to it
        ignoring case that is none of the layout's `others` (so Shopee's order total is
        never bound to the line total whose header differs only in case)."""
        if wanted in self.columns:
            return self.columns[wanted]
        folded = wanted.casefold()
        hits = [i for name, i in self.columns.items()
                if name.casefold() == folded and name not in others]  # fmt: skip
        return hits[0] if len(hits) == 1 else None

    def rows(self) -> Iterator[tuple[int, Row]]:
        """(spreadsheet row number, cells padded to the header's width); blank rows skipped."""
        width = len(self.header)
        count = 0
        for number, cells in self.records:
            if _is_blank(cells):
                continue
            count += 1
            if count > MAX_DATA_ROWS:
                raise ValidationError(
                    msg(
                        "{name} has more than {limit} data rows: export a shorter period",
                        name=self.name,
                        limit=MAX_DATA_ROWS,
                    )
                )
            if len(cells) < width:
                cells = list(cells) + [""] * (width - len(cells))
            yield number, cells

    def close(self) -> None:
        if self.closer is not None:
            self.closer.close()
            self.closer = None

    def __enter__(self) -> ExportSheet:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()


def open_export(path: Path) -> ExportSheet:
    """Open a .xlsx/.xls/.csv export and find its header row (the first row that any
    known layout recognises; else the first non-blank row). Raises ValidationError for
    a missing, empty, too big or unreadable file."""
    path = Path(path)
    _check_file(path)
    if path.suffix.lower() in CSV_SUFFIXES:
        records, closer = _csv_rows(path)
    else:
        records, closer = _excel_rows(path), None
    try:
        header_row, header = _find_header(records, path.name)
    except BaseException:
        if closer is not None:
            closer.close()
        raise
    return ExportSheet(path, [clean_header(h) for h in header], header_row, records, closer)


def _check_file(path: Path) -> None:
    try:
        if not path.exists():
            raise ValidationError(msg("File not found: {path}", path=str(path)))
        if not path.is_file():
            raise ValidationError(msg("{path} is not a file", path=str(path)))
        size = path.stat().st_size
    except OSError as exc:
        raise ValidationError(
            msg(
                "{path} cannot be opened: {reason}", path=str(path), reason=str(exc.strerror or exc)
            )
        ) from exc
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES:
        raise ValidationError(
            msg(
                "{name}: unsupported file type {suffix}; a Seller Center export is an .xlsx (or "
                ".csv) file",
                name=path.name,
                suffix=repr(suffix or "(none)"),
            )
        )
    if size == 0:
        raise ValidationError(msg("{name} is empty", name=path.name))
    if size > MAX_FILE_BYTES:
        raise ValidationError(
            msg(
                "{name} is {size} MB: the limit is {limit} MB; export a shorter period",
                name=path.name,
                size=f"{size / 1_048_576:,.0f}",
                limit=f"{MAX_FILE_BYTES / 1_048_576:,.0f}",
            )
        )


def _excel_rows(path: Path) -> Iterator[tuple[int, Row]]:
    with path.open("rb") as f:
        magic = f.read(8)
    if not (magic.startswith(_ZIP_MAGIC) or magic == _OLE2_MAGIC):
        raise ValidationError(
            msg(
                "{name} is not a real Excel file (its content is not an Excel workbook); download "
                "the export from the Seller Center again",
                name=path.name,
            )
        )
    check_not_encrypted(path, magic)
    if magic.startswith(_ZIP_MAGIC):
        check_unpacked_size(path)
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [
            m.name
            for m in book.sheets_metadata
            if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
        ] or book.sheet_names
        if not sheets:
            raise ValidationError(msg("{name} has no worksheet", name=path.name))
        sheet = book.get_sheet_by_name(sheets[0])
        if sheet.height - 1 > MAX_DATA_ROWS:
            raise ValidationError(
                msg(
                    "{name} has more than {limit} data rows: export a shorter period",
                    name=path.name,
                    limit=MAX_DATA_ROWS,
                )
            )
        rows = iter(sheet.iter_rows())
    except ValidationError:
        raise
    except Exception as exc:  # calamine's errors, and anything its parser trips on
        raise not_excel(path.name, exc) from exc
    return _numbered(rows, path.name)


def _numbered(rows: Iterator[list[Any]], name: str) -> Iterator[tuple[int, Row]]:
    number = 0
    try:
        for cells in rows:
            number += 1
            yield number, nfc_cells(cells)
    except ValidationError:
        raise
    except Exception as exc:
        raise not_excel(name, exc) from exc


def _csv_rows(path: Path) -> tuple[Iterator[tuple[int, Row]], io.TextIOWrapper]:
    raw = path.open("rb")
    f = io.TextIOWrapper(raw, encoding=text_encoding(raw), newline="")
    try:
        first = f.readline()
    except UnicodeDecodeError as exc:
        f.close()
        raise not_utf8(path.name, exc) from exc
    delimiter = max((",", ";", "\t"), key=first.count)

    def records() -> Iterator[tuple[int, Row]]:
        number = 0
        try:
            for fields in csv.reader(map(to_nfc, _chain(first, f)), delimiter=delimiter):
                number += 1
                yield number, list(fields)
        except UnicodeDecodeError as exc:
            raise not_utf8(path.name, exc) from exc
        except csv.Error as exc:
            raise ValidationError(
                msg("{name} is not a readable CSV file: {exc}", name=path.name, exc=str(exc)),
                row=number + 1,
            ) from exc

    return records(), f


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _find_header(records: Iterator[tuple[int, Row]], name: str) -> tuple[int, Row]:
    """The first row a known layout recognises, looked for among the first non-blank
    rows; else the first non-blank row (the caller then names what was expected)."""
    first: tuple[int, Row] | None = None
    seen = 0
    for number, cells in records:
        if _is_blank(cells):
            continue
        if first is None:
            first = (number, cells)
        if detect_format(cells) is not None:
            return number, cells
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ValidationError(msg("{name} is empty", name=name))
    return first


def _is_blank(cells: Sequence[Cell]) -> bool:
    return all(isinstance(c, str) and not c.strip() for c in cells)


# --------------------------------------------------------------------------- values

_MONEY_NOISE = re.compile(r"(?i)\s|₫|vnd|vnđ|đ")
#: Thousands grouped by dots (Vietnamese) or by commas (English), each optionally with
#: one or two decimals after the other mark ("100.000,00", "100,000.00"): the two marks
#: tell which one groups, so it is never ambiguous. Three decimals would be.
_GROUPED_DOTS = re.compile(r"(\d{1,3}(?:\.\d{3})+)(?:,(\d{1,2}))?")
_GROUPED_COMMAS = re.compile(r"(\d{1,3}(?:,\d{3})+)(?:\.(\d{1,2}))?")
_PLAIN = re.compile(r"\d+(?:[.,]0+)?")


def parse_money(value: Cell) -> int:
    """Whole đồng from a number or text: ``90000``, ``90000.0``, ``"90.000"``,
    ``"90,000"``, ``"100,000.00"``, ``"100.000,00"``, ``"₫90.000"``, ``"VND 90,000"``;
    empty is 0. Raises ValueError (negative, a fraction of a đồng, text)."""
    if isinstance(value, bool):
        raise ValueError(msg("{cell} is not an amount", cell=cell_text(value)))
    if isinstance(value, int):
        amount = value
    elif isinstance(value, float):
        if value != value or not value.is_integer():
            raise ValueError(msg("{cell} is not a whole number of đồng", cell=repr(value)))
        amount = int(value)
    elif isinstance(value, str):
        text = _MONEY_NOISE.sub("", value)
        if not text:
            return 0
        negative = text.startswith("-")
        amount = _text_amount(text.lstrip("+-"), value)
        amount = -amount if negative else amount
    else:
        raise ValueError(
            msg("{cell} is not an amount in đồng", cell=repr(_short(cell_text(value))))
        )
    if amount < 0:
        raise ValueError(msg("{amount} is negative", amount=amount))
    return amount


def _text_amount(digits: str, cell: str) -> int:
    """The đồng of an amount's digits (sign and currency taken off)."""
    for grouped, mark in ((_GROUPED_DOTS, "."), (_GROUPED_COMMAS, ",")):
        found = grouped.fullmatch(digits)
        if found is not None:
            if (found.group(2) or "0").strip("0"):  # 100.000,50: half a đồng is no amount
                raise ValueError(
                    msg("{cell} is not a whole number of đồng", cell=repr(_short(cell)))
                )
            return int(found.group(1).replace(mark, ""))
    if _PLAIN.fullmatch(digits):
        return int(re.split("[.,]", digits)[0])
    raise ValueError(msg("{cell} is not an amount in đồng", cell=repr(_short(cell))))


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}  # fmt: skip
_DMONY = re.compile(r"(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?")
DATE_FORMATS = "YYYY-MM-DD HH:MM, DD/MM/YYYY HH:MM or 04 Jul 2022 11:46"


def parse_export_datetime(value: Cell) -> datetime:
    """A naive local date/time from an Excel date cell, ``2024-10-01 10:00``,
    ``01/10/2024 10:00[:05]`` or Lazada's ``04 Jul 2022 11:46``. Raises ValueError."""
    if isinstance(value, str) and (m := _DMONY.fullmatch(" ".join(value.split()))):
        d, mon, y, hh, mm, ss = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is None:
            raise ValueError(
                msg(
                    "{cell} has an unknown month {month}", cell=repr(_short(value)), month=repr(mon)
                )  # fmt: skip
            )
        try:
            dt = datetime(int(y), month, int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            raise ValueError(
                msg("{cell} is not a real date and time", cell=repr(value.strip()))
            ) from None
        return plausible_year(dt, value.strip())
    try:
        return parse_datetime(value)
    except ValueError as exc:
        if isinstance(value, str) and "is not a date" in str(exc):
            raise ValueError(
                msg(
                    "{cell} is not a date (use {formats})",
                    cell=repr(_short(value.strip())),
                    formats=DATE_FORMATS,
                )  # fmt: skip
            ) from None
        raise


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
