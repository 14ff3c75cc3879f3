"""Import customers from a .csv/.xlsx file: `primedist import customers FILE`, or the
Customers tab's import wizard (ui/customers/import_wizard.py).

The file's columns are *mapped* to customer fields (`FIELDS`): guessed from Vietnamese or
English headers, accents optional (`Tên khách hàng`, `Họ tên`, `SĐT`, `Số điện thoại`,
`Phone`...; `read_preview`), changeable by the caller (`mapping`). Only `name` is required.
The import follows the rules of the other imports (services/import_support.py) in two
phases:

1. **Read and check** every row without touching the database. A bad name, phone,
   customer code or group rejects its row (the report names the row, the file's column
   and the reason); other rows go on. Another bad value (a birthday that is no date, an
   unknown gender...) is left out and the customer imported, with a note naming the row,
   column and reason (`CustomerImportReport.notes`); a placeholder (`-`, `x`...) is an
   empty cell. A problem with the file itself (missing, empty, not Excel, no name
   column, too big, a mapped column on two columns...) raises `ValidationError` and
   nothing is written.
2. **Plan and write** in ONE transaction: a row's customer is found by its customer code,
   else by any of its normalised phones (stored customers, then earlier rows of the file);
   found → the duplicate policy decides (*skip* the row, *update* that customer: fill the
   file's non-empty values, add phones (not those of other customers), tags and the
   address, never blank anything out, keep the stored name (the file's may be a nickname
   or unaccented: only a masked one is replaced; the row's report says a name kept);
   *create* a new customer anyway); not found → a new
   customer (code `KH000123` from its id, folded `search_text`, FTS-indexed once after the
   bulk insert). Core executemany throughout; a cancel or an error rolls everything back.
   A customer group the file names and the shop lacks is created only when the user may
   make groups (the owner or a manager, as on Settings); otherwise its row is rejected.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.clock import shop_tz, to_local
from primedist.core.emails import is_email
from primedist.core.messages import msg
from primedist.core.phone import is_masked_phone, normalize_phone, phone_search_variants
from primedist.core.search_keys import search_text
from primedist.core.text import WordFolder, clean_line, clean_text, fold
from primedist.db.bulk import (
    checkpoint_in_background,
    commit_without_checkpoint,
    deferrable_indexes,
    indexes_deferred,
)
from primedist.db.engine import is_sqlite
from primedist.db.product_summary import chunks
from primedist.domain.base import table_of
from primedist.domain.customer import (
    LIST_SORT_COLUMNS,
    MAX_ADDRESSES,
    Address,
    Customer,
    CustomerPhone,
    CustomerTag,
    Tag,
    customer_code,
)
from primedist.domain.enums import Channel, Gender, Module, Rank
from primedist.domain.geo import province_code
from primedist.domain.loyalty import CustomerLevel
from primedist.errors import PermissionDenied, ValidationError
from primedist.io.tabular import (
    Cell,
    TabularFile,
    cell_text,
    column_letter,
    normalize_header,
    open_table,
    parse_date,
)
from primedist.io.xlsx_writer import XlsxColumn, XlsxStreamWriter, unneutralise
from primedist.jobs.progress import Progress
from primedist.services.context import ServiceContext
from primedist.services.customers import DuplicatePolicy
from primedist.services.import_support import (
    PLAN_SHARE,
    READ_SHARE,
    ImportReportBase,
    RejectedRow,
    column_length,
    record_import,
    run_import,
    search_indexed_after,
    shown,
    too_long,
)
from primedist.services.loyalty.levels import _require_settings as require_group_maker
from primedist.services.tags import DEFAULT_TAGS, ensure_default_tags

customers_t = table_of(Customer)
#: The Customers list's covering indexes (one per sort), and the number of new customers
#: from which an import drops them while inserting and builds them once afterwards.
LIST_INDEXES = tuple(f"ix_customers_{col}_id" for col in LIST_SORT_COLUMNS)
DEFER_INDEXES_FROM = 20_000
phones_t = table_of(CustomerPhone)
addresses_t = table_of(Address)
tags_t = table_of(Tag)
customer_tags_t = table_of(CustomerTag)
levels_t = table_of(CustomerLevel)


#: The customer fields a file's columns can be mapped to, in the wizard's order.
FIELDS = (
    "name", "phone", "email", "gender", "birthday", "code", "zalo_id", "facebook_id",
    "source", "address", "province", "tags", "level", "note",
)  # fmt: skip
REQUIRED = ("name",)
#: {field: (Vietnamese header, English header)}: what the export writes; the import
#: accepts both (accents optional) and the field key itself.
HEADERS: dict[str, tuple[str, str]] = {
    "name": ("Tên khách hàng", "Name"),
    "phone": ("Số điện thoại", "Phone"),
    "email": ("Email", "Email"),
    "gender": ("Giới tính", "Gender"),
    "birthday": ("Ngày sinh", "Birthday"),
    "code": ("Mã khách hàng", "Customer code"),
    "zalo_id": ("Zalo", "Zalo ID"),
    "facebook_id": ("Facebook", "Facebook ID"),
    "source": ("Nguồn", "Source"),
    "address": ("Địa chỉ", "Address"),
    "province": ("Tỉnh/Thành phố", "Province"),
    "tags": ("Thẻ", "Tags"),
    "level": ("Nhóm khách hàng", "Customer group"),
    "note": ("Ghi chú", "Note"),
}
#: More spellings people use (folded, words joined by `_`; see `header_key`).
_MORE_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("ten", "ho_ten", "ho_va_ten", "ten_kh", "khach_hang", "ten_khach", "full_name",
             "customer_name", "customer", "ho_ten_khach_hang", "ten_nguoi_mua", "buyer_name"),
    "phone": ("sdt", "so_dt", "dien_thoai", "dt", "di_dong", "so_di_dong", "phone_number",
              "mobile", "tel", "telephone", "customer_phone", "sdt_khach_hang"),
    "email": ("e_mail", "mail", "thu_dien_tu", "dia_chi_email"),
    "gender": ("gioi_tinh", "sex", "phai"),
    "birthday": ("ngay_sinh", "sinh_nhat", "date_of_birth", "dob", "birth_date", "birthdate"),
    "code": ("ma_kh", "ma_khach", "customer_code", "customer_id", "ma"),
    "zalo_id": ("zalo", "zalo_id", "id_zalo"),
    "facebook_id": ("facebook", "fb", "facebook_id", "id_facebook", "fb_id"),
    "source": ("nguon", "nguon_khach", "nguon_khach_hang", "source", "kenh", "channel"),
    "address": ("dia_chi", "street", "dia_chi_giao_hang", "so_nha", "address_line"),
    "province": ("tinh", "tinh_thanh", "tinh_thanh_pho", "thanh_pho", "city", "province",
                 "tinh_tp"),
    "tags": ("the", "nhan", "tag", "the_khach_hang"),
    "level": ("nhom", "nhom_kh", "nhom_khach", "group", "customer_level", "level",
              "cap_do_khach_hang"),
    "note": ("ghi_chu", "notes", "note", "ghi_chu_noi_bo"),
}  # fmt: skip

#: Separates tag names in the `tags` column, and several phones in the `phone` column.
TAG_SEPARATOR = ";"
_PHONE_SPLIT = re.compile(r"[;,/|]")
#: The source of new customers when the file has no (or an empty) source.
IMPORT_SOURCE = "import"
MAX_NOTE = 10_000
#: Words of the gender column (folded) → Gender.
GENDERS: dict[str, Gender] = {
    "female": Gender.FEMALE, "f": Gender.FEMALE, "nu": Gender.FEMALE, "woman": Gender.FEMALE,
    "male": Gender.MALE, "m": Gender.MALE, "nam": Gender.MALE, "man": Gender.MALE,
    "other": Gender.OTHER, "khac": Gender.OTHER,
    "unknown": Gender.UNKNOWN, "khong ro": Gender.UNKNOWN,
}  # fmt: skip

#: The channels in words, as the app shows them (ui/labels.py): {key: (Vietnamese, English)}.
CHANNEL_WORDS: dict[str, tuple[str, str]] = {
    Channel.SHOPEE.value: ("Shopee", "Shopee"),
    Channel.LAZADA.value: ("Lazada", "Lazada"),
    Channel.TIKI.value: ("Tiki", "Tiki"),
    Channel.TIKTOK.value: ("TikTok Shop", "TikTok Shop"),
    Channel.OFFLINE.value: ("Bán trực tiếp", "In store"),
    Channel.WEBSTORE.value: ("Website", "Web store"),
}
#: The sources the app names (`Customer.source` keeps the key), in words as the Customers
#: tab shows them (ui/customers/detail.py): the export writes these, the import reads them
#: back (and the keys) as the key. Any other source is text as typed.
SOURCE_WORDS: dict[str, tuple[str, str]] = {
    "manual": ("Thêm thủ công", "Added by hand"),
    "walk_in": ("Khách lẻ", "Walk-in"),
    "referral": ("Được giới thiệu", "Referral"),
    "import": ("Nhập tệp", "Import"),
    "counter": ("Tại quầy", "Counter"),
    "facebook": ("Facebook", "Facebook"),
    "zalo": ("Zalo", "Zalo"),
    **CHANNEL_WORDS,
}
#: Words of the source column (folded) → source key.
SOURCES: dict[str, str] = {
    fold(word): key for key, words in SOURCE_WORDS.items() for word in (key, *words)
}

MAX_LENGTH: dict[str, int] = {
    "name": column_length(customers_t.c.name),
    "email": column_length(customers_t.c.email),
    "code": column_length(customers_t.c.code),
    "zalo_id": column_length(customers_t.c.zalo_id),
    "facebook_id": column_length(customers_t.c.facebook_id),
    "source": column_length(customers_t.c.source),
    "address": column_length(addresses_t.c.street),
    "province": column_length(addresses_t.c.province),
    "tags": column_length(tags_t.c.name),
    "level": column_length(levels_t.c.name),
    "note": MAX_NOTE,
}
_BATCH = 5_000
#: Rows shown by the wizard's preview.
PREVIEW_ROWS = 20
#: A group the user may not create is refused naming the shop's groups, up to this many.
MAX_GROUPS_NAMED = 10


#: The default tags' names in Vietnamese ({key: name}; `DEFAULT_TAGS` has the English
#: ones): a file naming a default tag in either language, or by its key, tags customers
#: with the shop's default tag whatever it is called now.
DEFAULT_TAG_NAMES_VI = {"potential": "Tiềm năng", "often_returns": "Hay hoàn hàng"}


def tag_key(name: str) -> str:
    """How tag names are told apart: case-insensitively, as services/tags.py keeps them
    unique (so `VIP` and `vip` are one tag)."""
    return name.casefold()


def header_key(name: str) -> str:
    """A header as a key: folded (accents optional), words of letters/digits joined by _."""
    return "_".join(re.findall(r"[a-z0-9]+", fold(name)))


#: Every accepted header (as a key) → field.
HEADER_ALIASES: dict[str, str] = {}
for _field, (_vi, _en) in HEADERS.items():
    for _name in (_field, _vi, _en, *_MORE_ALIASES.get(_field, ())):
        HEADER_ALIASES.setdefault(header_key(_name), _field)


#: The header keys that name the customer's name column.
_NAME_KEYS = frozenset(key for key, f in HEADER_ALIASES.items() if f == "name")


def _name_column(mapping: Mapping[str, str] | None) -> Callable[[str], str]:
    """For `open_table`: a header cell naming the customer's name column (the header
    `mapping` maps to name, else any usual name header) read as `name`, so that the header
    is found below a title (the first row up to row 10 naming it); other cells as they are.
    """
    mapped = mapping.get("name") if mapping is not None else None
    keys = frozenset({header_key(mapped)}) if mapped else _NAME_KEYS

    def rename(header: str) -> str:
        return "name" if header_key(header) in keys else header

    return rename


def _open(path: Path, mapping: Mapping[str, str] | None) -> TabularFile:
    """`path` opened at its header: the first row up to row 10 naming the name column (a
    title above it is skipped), else its first row, whose columns the wizard shows to be
    mapped and the import names when it lacks one (`_positions`)."""
    try:
        return open_table(path, required=REQUIRED, rename=_name_column(mapping),
                          repeated_ok=True)  # fmt: skip
    except ValidationError as exc:
        if exc.column != "name":  # the file itself is at fault, not its header
            raise
    return open_table(path, repeated_ok=True)


def _repeated(table: TabularFile) -> dict[int, list[int]]:
    """{position: every position of its header} for the headers written on more than one
    column (any case, as `normalize_header` reads them). Not `table.repeated`: there every
    name header is `name` (`_name_column`), and "Họ tên" beside "Tên" is no repeat."""
    where: dict[str, list[int]] = {}
    for position, header in enumerate(table.raw_header):
        if key := normalize_header(header):
            where.setdefault(key, []).append(position)
    return {p: positions for positions in where.values() if len(positions) > 1 for p in positions}


def _check_once(table: TabularFile, repeated: Mapping[int, list[int]], position: int) -> None:
    """Refuse the column at `position` when its header is on another column too: which of
    them holds the values is anyone's guess (as `TabularFile.check_once`)."""
    positions = repeated.get(position)
    if positions:
        raise table.twice(positions)


def guess_mapping(headers: Sequence[str]) -> dict[str, str]:
    """{field: header} for the headers that name a field; each field and header once (the
    first header naming a field wins)."""
    out: dict[str, str] = {}
    for header in headers:
        f = HEADER_ALIASES.get(header_key(header)) if header else None
        if f is not None and f not in out:
            out[f] = header
    return out


def merge_mapping(guessed: Mapping[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    """The guessed mapping with `overrides` ({field: header}) on top: a header an override
    takes is no longer mapped to the field it was guessed for. An empty header unmaps."""
    taken = {header_key(h) for h in overrides.values() if h}
    out = {f: h for f, h in guessed.items() if f not in overrides and header_key(h) not in taken}
    out.update({f: h for f, h in overrides.items() if h})
    return out


# --------------------------------------------------------------------------- preview


@dataclass(frozen=True)
class Preview:
    """The first rows of a file, for the mapping step."""

    file: str
    #: The header cells as written ("" for an empty one).
    headers: list[str]
    #: The first data rows, as text, one cell per header.
    rows: list[list[str]]
    #: {field: header} guessed from the header names.
    guessed_mapping: dict[str, str]
    #: The spreadsheet row number of each of `rows` (as the report names rows).
    numbers: list[int] = field(default_factory=list)
    #: {header: the letters of its columns} for the headers the file has on more than
    #: one column (any case): the import refuses such a column when it is mapped.
    repeated: dict[str, list[str]] = field(default_factory=dict)


def read_preview(path: Path, rows: int = PREVIEW_ROWS) -> Preview:
    """The header and first `rows` data rows of `path` and the guessed mapping.

    Raises ValidationError for a file that cannot be imported (missing, empty, not Excel,
    not UTF-8, too big, a header but no data rows). A repeated column is refused by the
    import only when it is mapped (`Preview.repeated` tells which).
    """
    path = Path(path)
    with _open(path, None) as table:
        headers = list(table.raw_header)
        shown_rows: list[list[str]] = []
        numbers: list[int] = []
        iterator = table.rows()
        for number, cells in iterator:
            shown_rows.append([cell_text(c) for c in cells])
            numbers.append(number)
            if len(shown_rows) >= rows:
                break
        if not shown_rows:  # pragma: no cover - rows() raises for a file without data rows
            raise ValidationError(msg("{name} has a header but no data rows", name=path.name))
        repeated = {
            headers[i]: [column_letter(p) for p in positions]
            for i, positions in _repeated(table).items()
        }
    return Preview(path.name, headers, shown_rows, guess_mapping(headers), numbers, repeated)


# --------------------------------------------------------------------------- report


class RowOutcome(NamedTuple):
    """What happened to one row: imported, updated, unchanged, skipped or rejected."""

    row: int
    outcome: str
    #: The customer the row created or matched ("" for a rejected row).
    customer_code: str
    column: str | None
    reason: str


#: Outcome words of the saved report: {outcome: (Vietnamese, English)}.
OUTCOME_WORDS = {
    "imported": ("Đã thêm", "Imported"),
    "updated": ("Đã cập nhật", "Updated"),
    "unchanged": ("Không đổi", "Unchanged"),
    "skipped": ("Bỏ qua", "Skipped"),
    "rejected": ("Bị từ chối", "Rejected"),
}


@dataclass
class CustomerImportReport(ImportReportBase):
    """What a customers import did. Every data row is counted once in imported, updated,
    unchanged, skipped or rejected; `rows` tells each row's outcome (by row number)."""

    file: str = ""
    on_duplicate: str = DuplicatePolicy.SKIP.value
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    phones_added: int = 0
    addresses_added: int = 0
    tags_created: int = 0
    levels_created: int = 0
    rejected: list[RejectedRow] = field(default_factory=list, repr=False)
    #: Values left out of the rows imported (a birthday that is no date, an unknown
    #: gender...): the row, the file's column and why. The row's outcome says it too.
    notes: list[RejectedRow] = field(default_factory=list, repr=False)
    rows: list[RowOutcome] = field(default_factory=list, repr=False)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.imported or self.updated)

    @property
    def skipped_rows(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.outcome == "skipped"]

    def counts(self) -> dict[str, Any]:
        return {
            "file": self.file, "on_duplicate": self.on_duplicate, "rows_read": self.rows_read,
            "imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
            "skipped": self.skipped, "phones_added": self.phones_added,
            "addresses_added": self.addresses_added, "tags_created": self.tags_created,
            "levels_created": self.levels_created,
            "rows_rejected": len(self.rejected), "notes": len(self.notes),
            "seconds": round(self.seconds, 3),
        }  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        data = self.counts()
        data["rows_rejected"] = [
            {"row": r.row, "column": r.column, "reason": r.reason} for r in self.rejected
        ]
        data["notes"] = [{"row": r.row, "column": r.column, "reason": r.reason} for r in self.notes]
        data["rows_skipped"] = [
            {"row": r.row, "customer_code": r.customer_code, "reason": r.reason}
            for r in self.skipped_rows
        ]
        return data

    def summary(self) -> str:
        values = dict(file=self.file, rows=self.rows_read, new=self.imported,
                      updated=self.updated, unchanged=self.unchanged, skipped=self.skipped,
                      **self._tail_values())  # fmt: skip
        if self.rejected:
            return msg(
                "Imported {file}: {rows} rows; {new} new customers, {updated} updated, "
                "{unchanged} unchanged, {skipped} skipped; {rejected} rows rejected "
                "({seconds} s).",
                **values,
            )  # fmt: skip
        return msg(
            "Imported {file}: {rows} rows; {new} new customers, {updated} updated, "
            "{unchanged} unchanged, {skipped} skipped ({seconds} s).",
            **values,
        )  # fmt: skip

    def save_report(self, path: Path, lang: str = "en") -> Path:
        """Write every row's outcome to a .csv (UTF-8 with BOM) or .xlsx file: row,
        outcome, customer code, column, reason. Returns the path written."""
        path = Path(path)
        index = 0 if lang == "vi" else 1
        heads = (("Dòng", "Row"), ("Kết quả", "Outcome"), ("Mã khách hàng", "Customer code"),
                 ("Cột", "Column"), ("Lý do", "Reason"))  # fmt: skip
        lines = sorted(self.rows, key=lambda r: r.row)
        values = (
            (r.row, OUTCOME_WORDS[r.outcome][index], r.customer_code, r.column or "", r.reason)
            for r in lines
        )
        suffix = path.suffix.lower()
        if suffix == ".csv":
            with path.open("w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f)
                writer.writerow([h[index] for h in heads])
                writer.writerows(values)
        elif suffix == ".xlsx":
            kinds = ("int", "text", "text", "text", "text")
            widths = (8, 14, 14, 20, 70)
            columns = [
                XlsxColumn(h[index], k, w) for h, k, w in zip(heads, kinds, widths, strict=True)
            ]
            with XlsxStreamWriter(path, columns, sheet_name="Import") as xw:
                for row in values:
                    xw.write_row(row)
        else:
            raise ValidationError(
                msg("Save the report as .csv or .xlsx, not {name}.", name=repr(path.name)),
                field="path",
            )
        return path


# --------------------------------------------------------------------------- reading


class _Row(NamedTuple):
    """One checked data row. None = the cell is empty or its column is not mapped."""

    row: int
    name: str
    #: Normalised phones, the first one primary (masked phones are left out).
    phones: tuple[str, ...]
    email: str | None
    gender: Gender | None
    birthday: date | None
    code: str | None
    zalo_id: str | None
    facebook_id: str | None
    source: str | None
    address: str | None
    province: str | None
    tags: tuple[str, ...]
    note: str | None
    #: The customer group (level), by code or name, as written.
    level: str | None = None


def _with_left(why: str, left: list[str]) -> str:
    """A row's reason, and the phones it names that stayed with other customers (kept a
    message, so the wizard shows it in the reader's language)."""
    return msg("{why}; {phones}", why=why, phones=left) if left else why


class _Bad(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _clean(value: Cell) -> str:
    """A cell as one line of text (`clean_line`: no control or invisible characters), the
    export's formula guard taken off."""
    text = clean_line(value) if isinstance(value, str) else cell_text(value)
    return unneutralise(text) if text[:1] == "'" else text


#: Fields read as plain text (only a length limit).
_PLAIN = ("code", "zalo_id", "facebook_id", "source", "address", "province", "note", "level")
#: Of those, the values a row is rejected for when they are too long, rather than left
#: out: the code finds the stored customer, the group sets the customer's prices.
_RULING = frozenset(("code", "level"))
#: What people put in an optional cell that has nothing to say: read as an empty cell.
PLACEHOLDERS = frozenset(("-", "--", "---", "–", "—", "−", "x", "X", "n/a", "N/A", "#N/A"))
_NAME_MAX = MAX_LENGTH["name"]
_MOBILE_STARTS = frozenset("35789")


def _text_of(value: Cell) -> str:
    """A cell as one line of text (`clean_line`), the export's formula guard taken off."""
    if value.__class__ is str:
        text = clean_line(value)
        return unneutralise(text) if text[:1] == "'" else text
    return _clean(value)


def _note_of(value: Cell) -> str:
    """A note's cell: its lines kept (`clean_text`), the export's formula guard taken off."""
    if isinstance(value, str):
        text = clean_text(value)
        return unneutralise(text) if text[:1] == "'" else text
    return _clean(value)


def _phone(part: str) -> str | None:
    """A phone normalised (None when not a phone); the usual `0912345678` without the
    general parser (which gives the same answer)."""
    if (
        len(part) == 10 and part[0] == "0" and part[1] in _MOBILE_STARTS
        and part.isascii() and part.isdigit()
    ):  # fmt: skip
        return part
    return normalize_phone(part)


def _search_text(
    folder: WordFolder, name: str, code: str, email: str | None, phones: Sequence[str]
) -> str:
    """= core.search_keys.search_text(name, code, email, phones=phones) for phones already
    normalised (without normalising them again); `folder` folds the name as `fold` does
    (the rest is one of a kind: folded at once)."""
    words = [code]
    if email:
        words.append(email)
    for phone in phones:
        words += phone_search_variants(phone)
    return " ".join(part for part in (folder(name), fold(" ".join(words))) if part)


@dataclass
class _Reader:
    """Turns cells into `_Row`s; `heads` names each field's column as the file does."""

    positions: dict[str, int]
    heads: dict[str, str]
    today: date

    def __post_init__(self) -> None:
        #: (field, position) of the mapped plain-text fields (their length checked).
        self._plain = [(f, self.positions[f]) for f in _PLAIN if f in self.positions]
        self._gets = [(f, self.positions.get(f)) for f in ("name", "phone", "email", "gender",
                                                            "tags")]  # fmt: skip
        self._genders: dict[str, Gender | None] = {}
        self._sources: dict[str, str] = {}
        #: The values left out of imported rows (row, the file's column, why).
        self.notes: list[RejectedRow] = []

    def parse(self, number: int, cells: list[Cell]) -> _Row:
        """The row's values. A missing or too long name, a phone that is not one or a
        customer code too long (they find the stored customer) and a group name too long
        (it sets prices) reject the row (`_Bad`); another bad value is left out with a
        note (`notes`) and the rest of the row imported. A placeholder (`PLACEHOLDERS`)
        in an optional cell is an empty cell."""
        texts: dict[str, str] = {}
        for key, pos in self._gets:
            texts[key] = "" if pos is None else _text_of(cells[pos])
        name = texts["name"]
        if not name:
            raise _Bad(self.heads["name"], msg("is empty (a customer needs a name)"))
        if len(name) > _NAME_MAX:
            self._limit("name", name)
        phones: list[str] = []
        raw_phone = texts["phone"]
        if raw_phone:
            for part in _PHONE_SPLIT.split(raw_phone) if not raw_phone.isdigit() else (raw_phone,):
                norm = _phone(part)
                if norm is None:
                    part = part.strip()
                    if not part or part in PLACEHOLDERS or is_masked_phone(part):
                        continue  # a masked phone never matches and is not kept
                    raise _Bad(
                        self.heads["phone"], msg("{phone} is not a phone number", phone=shown(part))
                    )
                if norm not in phones:
                    phones.append(norm)
        email = self._email(number, texts["email"])
        gender = self._gender(number, texts["gender"])
        birthday = self._birthday(number, cells)
        tags = self._tags(number, texts["tags"])
        plain: dict[str, str | None] = dict.fromkeys(_PLAIN)
        for key, pos in self._plain:
            text = _note_of(cells[pos]) if key == "note" else _text_of(cells[pos])
            if text and text not in PLACEHOLDERS:
                if len(text) > MAX_LENGTH[key]:
                    if key in _RULING:
                        self._limit(key, text)
                    self._note(number, key, too_long(len(text), MAX_LENGTH[key]))
                    continue
                plain[key] = text
        if (source := plain["source"]) is not None:
            plain["source"] = self._source_key(source)
        return _Row(number, name, tuple(phones), email, gender, birthday,
                    plain["code"], plain["zalo_id"], plain["facebook_id"], plain["source"],
                    plain["address"], plain["province"], tags, plain["note"],
                    plain["level"])  # fmt: skip

    def _note(self, number: int, key: str, problem: str) -> None:
        """Leave a value of row `number` out, saying why (the row is imported)."""
        reason = msg("{problem}: this value was not imported", problem=problem)
        self.notes.append(RejectedRow(number, self.heads[key], reason))

    def _email(self, number: int, email: str) -> str | None:
        if not email or email in PLACEHOLDERS:
            return None
        if len(email) > MAX_LENGTH["email"]:
            self._note(number, "email", too_long(len(email), MAX_LENGTH["email"]))
            return None
        if not is_email(email):
            self._note(number, "email", msg("{email} is not an email address", email=shown(email)))
            return None
        return email.lower()

    def _gender(self, number: int, raw: str) -> Gender | None:
        if not raw or raw in PLACEHOLDERS:
            return None
        gender = self._genders.get(raw)  # a column of a few words, read again
        if gender is None:
            gender = self._genders[raw] = GENDERS.get(fold(raw))
        if gender is None:
            self._note(number, "gender", msg(
                "unknown value {gender} (use female/male/other or nữ/nam/khác)", gender=shown(raw)
            ))  # fmt: skip
        return gender

    def _tags(self, number: int, raw: str) -> tuple[str, ...]:
        """The tag names of the cell, each once (the first spelling); a name too long for
        a tag is left out."""
        if not raw or raw in PLACEHOLDERS:
            return ()
        names: dict[str, str] = {}  # tag key -> the first spelling
        limit = MAX_LENGTH["tags"]
        for part in raw.split(TAG_SEPARATOR):
            tag = part.strip()
            if not tag or tag in PLACEHOLDERS:
                continue
            if len(tag) > limit:
                self._note(number, "tags", too_long(len(tag), limit))
                continue
            names.setdefault(tag_key(tag), tag)
        return tuple(names.values())

    def _source_key(self, text: str) -> str:
        """A source named in words (`Nhập tệp`, `Walk-in`: an export) as its key; other
        text as it is."""
        key = self._sources.get(text)  # a column of a few words, read again
        if key is None:
            key = self._sources[text] = SOURCES.get(fold(text), text)
        return key

    def _limit(self, key: str, text: str) -> None:
        limit = MAX_LENGTH[key]
        if len(text) > limit:
            raise _Bad(self.heads[key], too_long(len(text), limit))

    def _birthday(self, number: int, cells: list[Cell]) -> date | None:
        pos = self.positions.get("birthday")
        if pos is None:
            return None
        value = cells[pos]
        if isinstance(value, str) and (not value.strip() or value.strip() in PLACEHOLDERS):
            return None
        try:
            day = parse_date(value)
        except ValueError as exc:
            self._note(number, "birthday", exc.args[0])
            return None
        if not date(1900, 1, 1) <= day <= self.today:
            self._note(number, "birthday",
                       msg("{day} is not a possible birthday", day=f"{day:%d/%m/%Y}"))  # fmt: skip
            return None
        return day


@dataclass
class _ReadResult:
    name: str
    rows: list[_Row]
    rejected: list[RejectedRow]
    rows_read: int
    #: {field: the file's header of its column}.
    heads: dict[str, str] = field(default_factory=dict)
    #: Values left out of rows that were read (`_Reader.notes`).
    notes: list[RejectedRow] = field(default_factory=list)


def _positions(table: TabularFile, mapping: Mapping[str, str]) -> dict[str, int]:
    """{field: column position} for `mapping` ({field: header as written or as a key}).
    A mapped column whose header is on another column too is refused (which one holds the
    values?); a repeated column that is not mapped does not matter."""
    by_text = {h: i for i, h in enumerate(table.raw_header) if h}
    by_key: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for i, h in enumerate(table.raw_header):
        if h:
            by_key.setdefault(header_key(h), i)
            by_name.setdefault(normalize_header(h), i)
    repeated = _repeated(table)
    out: dict[str, int] = {}
    used: dict[int, str] = {}
    for f, header in mapping.items():
        if f not in FIELDS:
            raise ValidationError(
                msg(
                    "Unknown customer field {f} (fields: {fields}).",
                    f=repr(f),
                    fields=str(", ".join(FIELDS)),
                ),
                field="mapping",
            )
        if not header:
            continue
        pos = by_text.get(header.strip())
        if pos is None:
            pos = by_key.get(header_key(header))
        if pos is None:
            pos = by_name.get(normalize_header(header))
        if pos is None:
            raise ValidationError(
                msg(
                    "{name} has no column {header} (its columns: {columns}).",
                    name=table.name,
                    header=repr(header),
                    columns=str(", ".join(h for h in table.raw_header if h)),
                ),
                field="mapping",
            )
        if pos in used:
            raise ValidationError(
                msg(
                    "The column {header} is mapped to both {used} and {f}: map it once.",
                    header=repr(header),
                    used=str(used[pos]),
                    f=str(f),
                ),
                field="mapping",
            )
        _check_once(table, repeated, pos)
        used[pos] = f
        out[f] = pos
    if "name" not in out:
        vi, en = HEADERS["name"]
        raise ValidationError(
            msg(
                "{name} has no customer name column: name one {vi} or {en}, or map a column to "
                "name.",
                name=table.name,
                vi=repr(vi),
                en=repr(en),
            ),
            column="name",
        )
    return out


def _read(
    path: Path, prog: Progress, mapping: Mapping[str, str] | None, today: date
) -> _ReadResult:
    with _open(path, mapping) as table:
        if mapping is None:
            mapping = guess_mapping(table.raw_header)
        positions = _positions(table, mapping)
        heads = {f: table.raw_header[p] for f, p in positions.items()}
        reader = _Reader(positions, heads, today)
        parse = reader.parse
        rows: list[_Row] = []
        rejected: list[RejectedRow] = []
        next_check = 5_000
        for number, cells in table.rows():
            try:
                rows.append(parse(number, cells))
            except _Bad as bad:
                rejected.append(RejectedRow(number, bad.column, bad.reason))
            if len(rows) + len(rejected) >= next_check:
                next_check += 5_000
                prog.check()
                prog.update(READ_SHARE * table.fraction, f"Reading {table.name}")
        return _ReadResult(table.name, rows, rejected, table.rows_read, heads, reader.notes)


# --------------------------------------------------------------------------- planning


@dataclass(slots=True, eq=False)
class _New:
    """A customer the import creates (values merged from every row that updates it)."""

    first_row: int
    values: dict[str, Any]
    phones: list[str]
    tags: list[str]
    addresses: list[tuple[str | None, str | None]]
    id: int = 0
    code: str = ""


@dataclass(slots=True, eq=False)
class _Stored:
    """A stored customer rows of the file update."""

    id: int
    values: dict[str, Any]
    changes: dict[str, Any] = field(default_factory=dict)
    phones: list[str] = field(default_factory=list)
    new_phones: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    new_tags: list[str] = field(default_factory=list)
    addresses: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    #: The id of its default address (None: it has none).
    default_address: int | None = None
    new_addresses: list[tuple[str | None, str | None]] = field(default_factory=list)


#: Customer columns an import sets from a row's own values (besides the name).
_VALUE_FIELDS = ("email", "gender", "birthday", "zalo_id", "facebook_id", "source", "note")
#: And from its group: a group given by the file is given by hand (pinned, as in the app)
#: unless it is the customer's group already.
_LEVEL_FIELDS = ("level_id", "level_pinned")
_STORED_FIELDS = (*_VALUE_FIELDS, *_LEVEL_FIELDS)


def _row_values(r: _Row, level_ids: Mapping[str, int]) -> dict[str, Any]:
    """The customer columns a row gives (non-empty ones only); `level_ids`: folded group
    code or name → id."""
    values: dict[str, Any] = {"name": r.name}
    for key in _VALUE_FIELDS:
        value = getattr(r, key)
        if value is not None:
            values[key] = value
    if r.level is not None:
        values["level_id"], values["level_pinned"] = level_ids[fold(r.level)], True
    return values


def level_code_for(name: str, taken: set[str]) -> str:
    """A free level code made from a group's name: `Khách sỉ` → `KHACH-SI` (then `-2`...)."""
    base = re.sub(r"[^A-Z0-9]+", "-", fold(name).upper())[:17].strip("-") or "NHOM"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


def _looks_masked(name: str) -> bool:
    """A marketplace-abbreviated name (`H**uj`): never overwrites a real one."""
    return "*" in name


def _name_filled(stored: str, name: str) -> bool:
    """Whether updating a customer takes the row's name: only over a masked one (as an
    empty value is filled). A stored real name stays: the file's may be a nickname or
    unaccented ("Chi Nguyen" renamed Nguyễn Khánh Chi)."""
    return _looks_masked(stored) and not _looks_masked(name)


def _name_kept(stored: str, name: str) -> list[str]:
    """The report's note when an update keeps a stored name the row spells otherwise."""
    if name == stored or _name_filled(stored, name) or _looks_masked(name):
        return []
    return [msg("name kept: {name} (the file says {file_name})", name=stored, file_name=name)]


class _Children(NamedTuple):
    """Rows for the customers' phones, addresses and tags (and addresses to drop)."""

    phones: list[tuple[Any, ...]]
    addresses: list[tuple[Any, ...]]
    links: list[tuple[int, int]]
    dropped: list[int]


class _Import:
    def __init__(
        self, ctx: ServiceContext, conn: sa.Connection, prog: Progress, policy: DuplicatePolicy,
        *, may_add_groups: bool = True,
    ) -> None:  # fmt: skip
        self.ctx = ctx
        self.conn = conn
        self.prog = prog
        self.policy = policy
        #: The user may create customer groups (owner or manager with Settings).
        self.may_add_groups = may_add_groups
        #: Rows the plan refuses (a group the user may not create).
        self.rejected: list[RejectedRow] = []
        self.sqlite = is_sqlite(conn)
        self.now = ctx.clock.now()
        self.report = CustomerImportReport(on_duplicate=policy.value)
        self.new: list[_New] = []
        self.stored: dict[int, _Stored] = {}
        #: (row number, outcome, its customer (or that customer's code), reason) per row.
        self.outcomes: list[tuple[int, str, _Stored | _New | str, str]] = []
        self.tag_ids: dict[str, int] = {}
        #: Folded group code or name → level id (the groups the file names).
        self.level_ids: dict[str, int] = {}
        #: Folded group code or name → every group it names (two groups may share a name).
        self.level_choices: dict[str, set[int]] = {}
        #: Normalised phone → the customers holding it: stored (by id; live ones) and
        #: new (drafts), as the plan gives phones out.
        self.phone_owners: dict[str, set[int | _New]] = {}
        #: Stored id → (code, name), for the report.
        self.owner_of: dict[int, tuple[str, str]] = {}

    # Planning ------------------------------------------------------------------------
    def plan(self, rows: list[_Row], level_column: str | None = None) -> None:
        """Decide every row's outcome; `level_column` is the file's header of the group
        column (for the report)."""
        rows = self._find_levels(rows, level_column)
        rows = self._with_default_tags(rows)
        stored_phones = self._stored_phones(rows)
        # A phone finds the live stored customer with the lowest id that has it.
        by_phone = {p: min(ids) for p, ids in stored_phones.items()}
        owners = self.phone_owners
        owners.update((p, set[int | _New](ids)) for p, ids in stored_phones.items())
        by_code = self._stored_codes(rows)
        owner_of = self.owner_of
        ids = sorted(set().union(*stored_phones.values(), by_code.values()))
        cc = customers_t.c
        for chunk in chunks(ids, 500):
            stmt = sa.select(cc.id, cc.code, cc.name).where(cc.id.in_(chunk))
            for cid, code, name in self.conn.execute(stmt):
                owner_of[cid] = (code, name)
        new_by_phone: dict[str, _New] = {}
        new_by_code: dict[str, _New] = {}
        matched: list[tuple[_Row, int, list[str]]] = []
        policy = self.policy
        for r in rows:
            found: int | _New | None = None
            why = ""
            if r.code is not None:
                key = r.code.upper()
                found = by_code.get(key) or new_by_code.get(key)
                why = msg("customer code {code}", code=r.code)
            if found is None:
                for phone in r.phones:
                    found = by_phone.get(phone) or new_by_phone.get(phone)
                    if found is not None:
                        why = msg("phone {phone}", phone=phone)
                        break
            if found is None or policy == DuplicatePolicy.CREATE:
                draft = _New(
                    r.row, _row_values(r, self.level_ids), list(r.phones), list(r.tags),
                    [(r.address, r.province)] if r.address or r.province else [],
                )  # fmt: skip
                self.new.append(draft)
                for phone in r.phones:
                    new_by_phone.setdefault(phone, draft)
                    owners.setdefault(phone, set()).add(draft)
                if r.code is not None:
                    new_by_code.setdefault(r.code.upper(), draft)
                reason = (
                    msg("created anyway: {why} is in use", why=why) if found is not None else ""
                )
                self.outcomes.append((r.row, "imported", draft, reason))
                continue
            if policy == DuplicatePolicy.SKIP:
                if isinstance(found, _New):
                    owner: _New | str = found
                    reason = msg("{why} is already used by the customer of row {row}", why=why,
                                 row=str(found.first_row))  # fmt: skip
                else:
                    code, name = owner_of[found]
                    owner = code
                    reason = msg("{why} already belongs to {code} ({name})", why=why, code=code,
                                 name=name)  # fmt: skip
                self.outcomes.append((r.row, "skipped", owner, reason))
                continue
            # UPDATE: the row's phones other customers hold stay theirs (as the form's
            # "Update the existing customer"); the report names them.
            mine = self._give_phones(r.phones, found)
            left = [self._left_to_others(p) for p in r.phones if p not in mine]
            r = r._replace(phones=mine)
            if isinstance(found, _New):  # a customer an earlier row creates
                kept = _name_kept(found.values["name"], r.name)
                self._merge_new(found, r)
                for phone in r.phones:
                    new_by_phone.setdefault(phone, found)
                why = msg("{why}: the customer of row {row}", why=why, row=str(found.first_row))
                self.outcomes.append((r.row, "updated", found, _with_left(why, left + kept)))
            else:
                matched.append((r, found, left))
                for phone in r.phones:  # later rows find this customer by them too
                    by_phone.setdefault(phone, found)
        if matched:
            self._load_stored(sorted({cid for _r, cid, _left in matched}))
            for r, cid, left in matched:
                st = self.stored[cid]
                left = left + _name_kept(st.changes.get("name", st.values["name"]), r.name)
                changed = self._merge_stored(st, r)
                by = (
                    msg("matched by code")
                    if r.code and by_code.get(r.code.upper()) == cid
                    else msg("matched by phone")
                )
                outcome = "updated" if changed else "unchanged"
                self.outcomes.append((r.row, outcome, st, _with_left(by, left)))

    def _give_phones(self, phones: Sequence[str], target: int | _New) -> tuple[str, ...]:
        """The phones of a row that go to `target`: those no other customer holds (then
        held by `target`, for later rows) or `target` holds already."""
        mine = []
        for phone in phones:
            held = self.phone_owners.setdefault(phone, set())
            if not held - {target}:
                held.add(target)
                mine.append(phone)
        return tuple(mine)

    def _left_to_others(self, phone: str) -> str:
        """Why `phone` was not added: whose it is (a stored customer first)."""
        held = self.phone_owners[phone]
        stored = sorted(o for o in held if isinstance(o, int))
        if stored:
            code, name = self.owner_of[stored[0]]
            return msg("phone {phone} belongs to {code} ({name}): not added", phone=phone,
                       code=code, name=name)  # fmt: skip
        row = min(o.first_row for o in held if isinstance(o, _New))
        return msg("phone {phone} is used by the customer of row {row}: not added", phone=phone,
                   row=str(row))  # fmt: skip

    def _stored_phones(self, rows: list[_Row]) -> dict[str, set[int]]:
        """Normalised phone → the live stored customers that have it."""
        phones = sorted({p for r in rows for p in r.phones})
        out: dict[str, set[int]] = {}
        cc, pc = customers_t.c, phones_t.c
        for chunk in chunks(phones, 500):
            self.prog.check()
            stmt = (
                sa.select(pc.phone, cc.id)
                .select_from(phones_t.join(customers_t, cc.id == pc.customer_id))
                .where(pc.phone.in_(chunk), cc.deleted_at.is_(None))
                .distinct()
            )
            for phone, cid in self.conn.execute(stmt):
                out.setdefault(phone, set()).add(cid)
        return out

    def _stored_codes(self, rows: list[_Row]) -> dict[str, int]:
        """Customer code (upper case) → the live stored customer; a merged one's survivor.
        A code leading to a deleted customer (itself, or the survivor it was merged into)
        is left out: such a row is matched like one with an unknown code."""
        codes = sorted({r.code.upper() for r in rows if r.code is not None})
        out: dict[str, int] = {}
        cc = customers_t.c
        survivor = customers_t.alias("survivor")
        # merge_customers re-points earlier merges, so one step reaches the survivor.
        to_survivor = survivor.c.id == sa.func.coalesce(cc.merged_into_id, cc.id)
        for chunk in chunks(codes, 500):
            stmt = (
                sa.select(sa.func.upper(cc.code), survivor.c.id)
                .select_from(customers_t.join(survivor, to_survivor))
                .where(sa.func.upper(cc.code).in_(chunk), survivor.c.deleted_at.is_(None))
            )
            for code, cid in self.conn.execute(stmt):
                out[code] = cid
        return out

    def _with_default_tags(self, rows: list[_Row]) -> list[_Row]:
        """The rows with a tag naming a default tag by its key or its Vietnamese or English
        name (accents optional) spelt as that tag is called in the shop: "Potential" tags
        the shop's "Tiềm năng" rather than making a twin, and "Often returns" is the tag
        of the quick filter. A tag of exactly the file's name is that tag still."""
        if not any(r.tags for r in rows):
            return rows
        ensure_default_tags(self.conn)  # a store set up before tags had none
        t = tags_t.c
        names: dict[str, str] = {}  # a default tag's key or name, folded -> its name now
        taken: set[str] = set()  # tag keys of every tag
        for name, key in self.conn.execute(sa.select(t.name, t.default_key)):
            taken.add(tag_key(name))
            if key in DEFAULT_TAGS:
                for word in (key, DEFAULT_TAGS[key], DEFAULT_TAG_NAMES_VI.get(key, key)):
                    names[fold(word)] = name
        out = []
        for r in rows:
            if r.tags:
                spelt = [tag if tag_key(tag) in taken else names.get(fold(tag), tag)
                         for tag in r.tags]  # fmt: skip
                if spelt != list(r.tags):
                    once: dict[str, str] = {}
                    for tag in spelt:  # "Potential; Tiềm năng" is one tag
                        once.setdefault(tag_key(tag), tag)
                    r = r._replace(tags=tuple(once.values()))
            out.append(r)
        return out

    def _find_levels(self, rows: list[_Row], column: str | None) -> list[_Row]:
        """The groups the file names, by code or name (any case, accents optional); those
        not found are created (no purchase threshold, a code made from the name) when the
        user may make groups, as on Settings → Customer groups; otherwise their rows are
        rejected. Returns the rows left to import."""
        wanted = {fold(r.level): r.level for r in reversed(rows) if r.level is not None}
        if not wanted:
            return rows
        lv = levels_t.c
        taken: set[str] = set()
        known: list[str] = []
        for lid, code, name in self.conn.execute(
            sa.select(lv.id, lv.code, lv.name).order_by(lv.position, lv.id)
        ):
            for key in (fold(code), fold(name)):
                self.level_ids.setdefault(key, lid)
                self.level_choices.setdefault(key, set()).add(lid)
            taken.add(code.upper())
            known.append(name)
        if not self.may_add_groups:
            return self._without_unknown_levels(rows, column, known)
        last = self.conn.execute(sa.select(sa.func.max(lv.position))).scalar() or 0
        for key, name in sorted(wanted.items()):
            if key in self.level_ids:
                continue
            code = level_code_for(name, taken)
            taken.add(code)
            last += 1
            stmt = levels_t.insert().values(name=name, code=code, position=last,
                                            created_at=self.now)  # fmt: skip
            lid = int(self.conn.execute(stmt.returning(levels_t.c.id)).scalar_one())
            self.level_ids[key], self.level_choices[key] = lid, {lid}
            self.report.levels_created += 1
        return rows

    def _without_unknown_levels(
        self, rows: list[_Row], column: str | None, known: list[str]
    ) -> list[_Row]:
        """The rows whose group exists; the others go to `rejected`, naming the group (and
        the shop's groups when they are few enough to read)."""
        kept: list[_Row] = []
        for r in rows:
            if r.level is None or fold(r.level) in self.level_ids:
                kept.append(r)
                continue
            if 0 < len(known) <= MAX_GROUPS_NAMED:
                reason = msg(
                    "no customer group {group}: only the owner or a manager can add groups "
                    "(groups: {groups})",
                    group=shown(r.level), groups=known,
                )  # fmt: skip
            else:
                reason = msg(
                    "no customer group {group}: only the owner or a manager can add groups",
                    group=shown(r.level),
                )
            self.rejected.append(RejectedRow(r.row, column, reason))
        return kept

    def _merge_new(self, draft: _New, r: _Row) -> None:
        values = _row_values(r, self.level_ids)
        if not _name_filled(draft.values["name"], r.name):  # the earlier row's stays
            del values["name"]
        draft.values.update(values)
        draft.phones += [p for p in r.phones if p not in draft.phones]
        have = {tag_key(t) for t in draft.tags}
        draft.tags += [t for t in r.tags if tag_key(t) not in have]
        if (r.address or r.province) and (r.address, r.province) not in draft.addresses:
            draft.addresses.append((r.address, r.province))
            del draft.addresses[:-MAX_ADDRESSES]

    def _load_stored(self, ids: list[int]) -> None:
        c = customers_t.c
        cols = [c.id, c.code, c.name, *(c[k] for k in _STORED_FIELDS)]
        for chunk in chunks(ids, 500):
            for row in self.conn.execute(sa.select(*cols).where(c.id.in_(chunk))).mappings():
                values = dict(row)
                values["gender"] = Gender(values["gender"])
                self.stored[row["id"]] = _Stored(row["id"], values)
            pc = phones_t.c
            stmt = sa.select(pc.customer_id, pc.phone).where(pc.customer_id.in_(chunk))
            for cid, phone in self.conn.execute(stmt.order_by(pc.id)):
                self.stored[cid].phones.append(phone)
            tc, ctc = tags_t.c, customer_tags_t.c
            stmt = (
                sa.select(ctc.customer_id, tc.name)
                .select_from(customer_tags_t.join(tags_t, tc.id == ctc.tag_id))
                .where(ctc.customer_id.in_(chunk))
            )
            for cid, name in self.conn.execute(stmt):
                self.stored[cid].tags.add(tag_key(name))
            ac = addresses_t.c
            by_age = (
                sa.select(ac.customer_id, ac.id, ac.street, ac.province, ac.is_default)
                .where(ac.customer_id.in_(chunk))
                .order_by(ac.id)
            )
            for cid, aid, street, province, is_default in self.conn.execute(by_age):
                st = self.stored[cid]
                st.addresses.append((int(aid), street, province))
                if is_default:
                    st.default_address = int(aid)

    def _in_group_already(self, st: _Stored, r: _Row) -> bool:
        """The row names the customer's group (an export imported back): any group of
        that code or name, as two groups may share a name."""
        current = st.changes.get("level_id", st.values["level_id"])
        return r.level is not None and current in self.level_choices[fold(r.level)]

    def _merge_stored(self, st: _Stored, r: _Row) -> bool:
        """Fill the row's non-empty values into a stored customer; True if anything is new."""
        changed = False
        values = _row_values(r, self.level_ids)
        if self._in_group_already(st, r):  # not a change: the group stays as it was set
            for key in _LEVEL_FIELDS:
                del values[key]
        for key, value in values.items():
            if key == "name" and not _name_filled(st.changes.get(key, st.values[key]), value):
                continue
            current = st.changes.get(key, st.values[key])
            if key == "email" and current is not None and value == current.lower():
                continue  # the file's email is lowercased; the form keeps its capitals
            if value != current:
                st.changes[key] = value
                changed = True
        for phone in r.phones:
            if phone not in st.phones:
                st.phones.append(phone)
                st.new_phones.append(phone)
                changed = True
        for tag in r.tags:
            if tag_key(tag) not in st.tags:
                st.tags.add(tag_key(tag))
                st.new_tags.append(tag)
                changed = True
        if r.address or r.province:
            pair = (r.address, r.province)
            if pair not in [(s, p) for _i, s, p in st.addresses] + st.new_addresses:
                st.new_addresses.append(pair)
                changed = True
        return changed

    # Writing ---------------------------------------------------------------------------
    def write(self) -> None:
        self.prog.update(PLAN_SHARE, f"Writing {len(self.new):,} new customers")
        self._write_tags()
        # A big load builds the list's wide covering indexes once, after the inserts.
        deferred = {*deferrable_indexes(self.conn, "customers", len(self.new))}
        if len(self.new) >= DEFER_INDEXES_FROM:
            deferred.update(LIST_INDEXES)  # even into a big table: they are that wide
        with ThreadPoolExecutor(1, thread_name_prefix="customer-import") as pool:
            with (
                search_indexed_after(self.conn, ["customers"] if self.new else []),
                indexes_deferred(self.conn, sorted(deferred)),
            ):
                self._insert_customers()
                # Built while the search index and the indexes are (one long SQLite step
                # each, without the GIL): the two cores work at once. Python only.
                children = pool.submit(self._children)
            rows = children.result()
        self.prog.update(0.85, "Writing phones, addresses and tags")
        with indexes_deferred(self.conn, self._deferrable_child_indexes()):
            self._insert_children(rows)
        self.prog.update(0.9, "Updating customers")
        self._update_stored()
        self._finish_report()

    def _deferrable_child_indexes(self) -> list[str]:
        """The phones', addresses' and tags' indexes to build once after a big first load."""
        n = len(self.new)
        tables = ("customer_phones", "addresses", "customer_tags")
        return [name for table in tables for name in deferrable_indexes(self.conn, table, n)]

    def _ts(self, dt: datetime) -> Any:
        if self.sqlite:
            return dt.astimezone(UTC).isoformat(" ", "microseconds")[:26]
        return dt.astimezone(UTC)

    def _day(self, day: date | None) -> Any:
        if day is None:
            return None
        return day.isoformat() if self.sqlite else day

    def _executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        for batch in chunks(rows, _BATCH):
            self.prog.check()
            self.conn.exec_driver_sql(sql, list(batch))

    def _insert_sql(self, table: sa.Table, columns: Sequence[str]) -> str:
        mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        prep = self.conn.dialect.identifier_preparer
        names = ", ".join(prep.quote(c) for c in columns)
        marks = ", ".join([mark] * len(columns))
        return f"INSERT INTO {prep.quote(table.name)} ({names}) VALUES ({marks})"

    def _write_tags(self) -> None:
        wanted = {t for d in self.new for t in d.tags}
        wanted |= {t for st in self.stored.values() for t in st.new_tags}
        if not wanted:
            return
        for tid, name in self.conn.execute(sa.select(tags_t.c.id, tags_t.c.name)):
            self.tag_ids[tag_key(name)] = tid
        missing: dict[str, str] = {}
        for t in sorted(wanted):
            if tag_key(t) not in self.tag_ids:
                missing.setdefault(tag_key(t), t)
        if missing:
            ts = self._ts(self.now)
            self._executemany(
                self._insert_sql(tags_t, ("name", "is_default", "created_at")),
                [(name, False, ts) for name in missing.values()],
            )
            stmt = sa.select(tags_t.c.id, tags_t.c.name).where(
                tags_t.c.name.in_(list(missing.values()))
            )
            for tid, name in self.conn.execute(stmt):
                self.tag_ids[tag_key(name)] = tid
            self.report.tags_created = len(missing)

    def _new_ids(self, n: int) -> list[int]:
        """Ids for `n` new customers, taken before inserting them (so the code and the
        search text go in with the row, without a second pass)."""
        if self.sqlite:  # inside our write transaction nobody else inserts
            top = self.conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(customers_t.c.id), 0))
            ).scalar_one()
            return list(range(int(top) + 1, int(top) + n + 1))
        stmt = sa.text(
            "SELECT nextval(pg_get_serial_sequence('customers', 'id')) FROM generate_series(1, :n)"
        )
        return [int(v) for v in self.conn.execute(stmt, {"n": n}).scalars()]

    def _insert_customers(self) -> None:
        new = self.new
        if not new:
            return
        ids = self._new_ids(len(new))
        ts = self._ts(self.now)
        day = self._day
        folder = WordFolder()
        columns = (
            "id", "code", "name", "gender", "birthday", "email", "zalo_id", "facebook_id",
            "source", "note", "search_text", "created_at", "updated_at", "level_id",
            "level_pinned", "rank", "rank_pinned", "points_balance", "points_earned",
            "total_orders", "successful_orders", "cancelled_orders", "returned_orders",
            "total_expenses", "channels",
        )  # fmt: skip
        constant = (Rank.COPPER.value, False, 0, 0, 0, 0, 0, 0, 0, "")
        unknown = Gender.UNKNOWN
        rows = []
        for d, cid in zip(new, ids, strict=True):
            d.id = cid
            d.code = code = customer_code(cid)
            v = d.values
            name, email = v["name"], v.get("email")
            rows.append((
                cid, code, name, v.get("gender", unknown).value, day(v.get("birthday")), email,
                v.get("zalo_id"), v.get("facebook_id"), v.get("source", IMPORT_SOURCE),
                v.get("note"), _search_text(folder, name, code, email, d.phones), ts, ts,
                v.get("level_id"), v.get("level_pinned", False), *constant,
            ))  # fmt: skip
        sql = self._insert_sql(customers_t, columns)
        done = 0
        for batch in chunks(rows, _BATCH):
            self.prog.check()
            self.conn.exec_driver_sql(sql, list(batch))
            done += len(batch)
            self.prog.update(PLAN_SHARE + 0.25 * done / len(rows), f"Writing customers ({done:,})")

    def _children(self) -> _Children:
        """The phones, addresses and tag links to insert, and the addresses to drop (no
        database work: it runs beside the index builds)."""
        ts = self._ts(self.now)
        phones: list[tuple[Any, ...]] = []
        addresses: list[tuple[Any, ...]] = []
        links: list[tuple[int, int]] = []
        for d in self.new:
            phones += [(d.id, p, i == 0, ts) for i, p in enumerate(d.phones)]
            n = len(d.addresses)
            first = d.phones[0] if d.phones else None
            addresses += [
                (d.id, d.values["name"], first, street, province, province_code(province),
                 i == n - 1, ts)
                for i, (street, province) in enumerate(d.addresses)
            ]  # fmt: skip
            links += self._tag_links(d.id, d.tags)
        # Stored customers: added phones (primary only when they had none), addresses
        # (the oldest replaced beyond MAX_ADDRESSES), tags.
        dropped: list[int] = []
        for st in self.stored.values():
            had = len(st.phones) - len(st.new_phones)
            phones += [(st.id, p, had == 0 and i == 0, ts) for i, p in enumerate(st.new_phones)]
            if st.new_addresses:
                name = st.changes.get("name", st.values["name"])
                first = st.phones[0] if st.phones else None
                keep = st.new_addresses[-MAX_ADDRESSES:]
                excess = max(0, len(st.addresses) + len(keep) - MAX_ADDRESSES)
                gone = [aid for aid, _s, _p in st.addresses[:excess]]
                dropped += gone
                # As the app's add-address: the newest becomes the default when the
                # customer would be left without one (none yet, or the default replaced).
                newest_default = st.default_address is None or st.default_address in gone
                addresses += [
                    (st.id, name, first, street, province, province_code(province),
                     newest_default and i == len(keep) - 1, ts)
                    for i, (street, province) in enumerate(keep)
                ]  # fmt: skip
            links += self._tag_links(st.id, st.new_tags)
        return _Children(phones, addresses, links, dropped)

    def _insert_children(self, children: _Children) -> None:
        phones, addresses, links, dropped = children
        for chunk in chunks(dropped, 500):
            self.conn.execute(sa.delete(addresses_t).where(addresses_t.c.id.in_(chunk)))
        self._executemany(
            self._insert_sql(phones_t, ("customer_id", "phone", "is_primary", "created_at")),
            phones,
        )
        self._executemany(
            self._insert_sql(
                addresses_t,
                (
                    "customer_id",
                    "recipient",
                    "phone",
                    "street",
                    "province",
                    "province_code",
                    "is_default",
                    "created_at",
                ),
            ),  # fmt: skip
            addresses,
        )
        self._executemany(self._insert_sql(customer_tags_t, ("customer_id", "tag_id")), links)
        self.report.phones_added = len(phones)
        self.report.addresses_added = len(addresses)

    def _tag_links(self, cid: int, tags: Iterable[str]) -> list[tuple[int, int]]:
        """(customer id, tag id) once per tag: spellings of one tag link once."""
        return [(cid, tid) for tid in dict.fromkeys(self.tag_ids[tag_key(t)] for t in tags)]

    def _update_stored(self) -> None:
        changed = [st for st in self.stored.values() if st.changes or st.new_phones]
        if not changed:
            return
        keys = ("name", *_STORED_FIELDS)
        c = customers_t.c
        stmt = (
            sa.update(customers_t)
            .where(c.id == sa.bindparam("b_id"))
            .values(
                {
                    **{k: sa.bindparam(f"v_{k}") for k in keys},
                    "search_text": sa.bindparam("v_st"),
                    "updated_at": self.now,
                }  # fmt: skip
            )
        )
        rows = []
        for st in changed:
            v = {**st.values, **st.changes}
            text = search_text(v["name"], v["code"], v["email"], phones=st.phones)
            rows.append({"b_id": st.id, "v_st": text, **{f"v_{k}": v[k] for k in keys}})
        for batch in chunks(rows, _BATCH):
            self.prog.check()
            self.conn.execute(stmt, list(batch))

    def _finish_report(self) -> None:
        report = self.report
        for row, outcome, target, reason in self.outcomes:
            if isinstance(target, str):
                code = target
            elif isinstance(target, _New):
                code = target.code
            else:
                code = target.values["code"]
            report.rows.append(RowOutcome(row, outcome, code, None, reason))
            if outcome == "imported":
                report.imported += 1
            elif outcome == "updated":
                report.updated += 1
            elif outcome == "unchanged":
                report.unchanged += 1
            else:
                report.skipped += 1


# --------------------------------------------------------------------------- entry point

#: From this many rows, the import's commit leaves copying the pages it changed into the
#: database file to a background checkpoint.
BIG_IMPORT_ROWS = 2_000


def import_customers(
    ctx: ServiceContext,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    on_duplicate: DuplicatePolicy | str = DuplicatePolicy.SKIP,
    progress: Progress | None = None,
) -> CustomerImportReport:
    """Import the customers of a .csv/.xlsx file.

    `mapping` is {field: header} (`FIELDS`; headers as written in the file or their
    folded key); None = guessed from the header (`guess_mapping`). `on_duplicate` decides
    what a row whose customer code or phone is already in use does (`DuplicatePolicy`).
    Returns the report. Raises PermissionDenied without Customers access,
    ValidationError for a problem with the file or the mapping (nothing written) and
    Cancelled when `progress` asks to stop (nothing written).
    """
    ctx.require(Module.CUSTOMERS)
    try:
        policy = DuplicatePolicy(str(getattr(on_duplicate, "value", on_duplicate)))
    except ValueError:
        raise ValidationError(
            msg(
                "Unknown duplicate policy {on_duplicate}: use skip, update or create.",
                on_duplicate=repr(on_duplicate),
            ),
            field="on_duplicate",
        ) from None
    # The shop's date: at 06:00 in Vietnam a birthday of today is still "tomorrow" in UTC.
    today = to_local(ctx.clock.now(), shop_tz()).date()
    may_add_groups = _may_add_groups(ctx)
    return run_import(
        path,
        progress,
        lambda p, prog: _read(p, prog, mapping, today),
        lambda read, prog: _write(ctx, read, prog, policy, may_add_groups),
        "Looking for customers already stored",
    )


def _may_add_groups(ctx: ServiceContext) -> bool:
    """Whether the user may create customer groups: the rule of Settings → Customer groups
    (services/loyalty/levels.py), so an import is no way around it."""
    try:
        require_group_maker(ctx)
    except PermissionDenied:
        return False
    return True


def _write(
    ctx: ServiceContext, read: _ReadResult, prog: Progress, policy: DuplicatePolicy,
    may_add_groups: bool = True,
) -> CustomerImportReport:  # fmt: skip
    started = time.perf_counter()
    big = len(read.rows) >= BIG_IMPORT_ROWS
    with ctx.uow(write=True) as session:
        conn = session.connection()
        if is_sqlite(conn):  # take the write lock now: the plan must not go stale
            conn.exec_driver_sql("UPDATE customers SET id = id WHERE 0")
        if big:
            commit_without_checkpoint(conn)  # the commit only appends to the WAL
        run = _Import(ctx, conn, prog, policy, may_add_groups=may_add_groups)
        run.plan(read.rows, read.heads.get("level"))
        prog.update(PLAN_SHARE, "Writing")
        run.write()
        report = run.report
        report.file = read.name
        report.rows_read = read.rows_read
        report.rejected = sorted([*read.rejected, *run.rejected], key=lambda r: r.row)
        report.rows += [
            RowOutcome(r.row, "rejected", "", r.column, r.reason) for r in report.rejected
        ]
        report.rows.sort(key=lambda r: r.row)
        _add_notes(report, read.notes)
        report.seconds = time.perf_counter() - started
        if report.changed:
            _record(ctx, session, report)
        prog.check()
        prog.update(0.99, "Saving")
    if big and report.changed:
        checkpoint_in_background(ctx.engine)  # tens of MB into the database file, after
    return report


def _add_notes(report: CustomerImportReport, notes: list[RejectedRow]) -> None:
    """The values left out of the rows that were imported (updated, unchanged), in the
    report and in those rows' outcomes; a skipped or rejected row imported nothing."""
    if not notes:
        return
    by_row: dict[int, list[RejectedRow]] = {}
    for note in notes:
        by_row.setdefault(note.row, []).append(note)
    for i, r in enumerate(report.rows):
        mine = by_row.get(r.row)
        if mine is None or r.outcome in ("skipped", "rejected"):
            continue
        report.notes += mine
        columns = ", ".join(dict.fromkeys(n.column or "" for n in mine))
        reasons = [r.reason] if r.reason else []
        reasons += [n.reason for n in mine]
        reason = reasons[0]
        for more in reasons[1:]:
            reason = msg("{first}; {second}", first=reason, second=more)
        report.rows[i] = r._replace(column=columns, reason=reason)


def _record(ctx: ServiceContext, session: Session, report: CustomerImportReport) -> None:
    record_import(
        ctx, session, report, action="customers.import", what="customers",
        created=report.imported, updated=report.updated, rejected=len(report.rejected),
    )  # fmt: skip


def outcome_rows(report: CustomerImportReport, outcomes: Iterable[str]) -> list[RowOutcome]:
    """The report's rows with one of `outcomes`, by row number."""
    wanted = set(outcomes)
    return [r for r in report.rows if r.outcome in wanted]
