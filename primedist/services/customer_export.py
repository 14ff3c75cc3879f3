"""Export customers to .xlsx, .csv or .txt: the Customers tab's filter and search, a selection,
or everyone (`primedist export customers FILE`).

The default columns are the import's fields (services/customer_import.py; the headers
are the import's, so an export imports back) followed by read-only figures (rank, totals,
points, segments, dates); gender, rank, source and channels are words as the app shows
them (the import reads the gender's and the source's back). `.xlsx` is typed (money and
counts are numbers, dates are Excel dates in the shop's time zone, phones and codes are
text so the leading 0 stays) and streamed; `.csv` is UTF-8 with a BOM (Excel then shows
Vietnamese), comma-separated; `.txt` is the same separated by tabs (what pastes into a
sheet, or a Zalo/SMS tool, column by column). In all three, text a spreadsheet would
evaluate (`=HYPERLINK(...)`) gets a leading `'`; phones are written as stored (the app
keeps them as digits with an optional leading +, never a formula: `+6581234567`). The
file is written to a temporary file moved onto the target only when complete; an audit
row records it.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from primedist.core.clock import shop_tz
from primedist.core.messages import msg
from primedist.domain.base import table_of
from primedist.domain.customer import Address, Customer, CustomerPhone, CustomerTag, Tag
from primedist.domain.enums import Gender, Module, Rank
from primedist.domain.loyalty import CustomerLevel
from primedist.errors import ValidationError
from primedist.io.xlsx_writer import MAX_ROWS, XlsxColumn, neutralise
from primedist.jobs.progress import NullProgress, Progress
from primedist.queries import spec as query_spec
from primedist.queries.customers import (
    CUSTOMERS_SPEC,
    OWED,
    REFERRER_NAME,
    SEGMENT_NAMES,
    SORT_KEYS,
    SUCCESS_RATE,
    CustomerFilter,
    customer_id_by_code,
    level_text,
    list_state,
    segment_choices,
    source_names,
    tag_choices,
    with_columns,
)
from primedist.queries.products import joined_text
from primedist.queries.spec import Column, QuerySpec
from primedist.services.context import ServiceContext
from primedist.services.customer_import import CHANNEL_WORDS, SOURCE_WORDS, TAG_SEPARATOR
from primedist.services.customer_import import HEADERS as IMPORT_HEADERS
from primedist.services.export_support import (
    PROGRESS_EVERY,
    ExportReport,
    audit_export,
    known_names,
    lang_index,
    named,
    replaced_when_done,
    stream_rows,
)

c = table_of(Customer).c
phones_t = table_of(CustomerPhone)
addresses_t = table_of(Address)
tags_t = table_of(Tag)
customer_tags_t = table_of(CustomerTag)
levels_t = table_of(CustomerLevel)
FORMATS = ("xlsx", "csv", "txt")
#: The delimited formats and their separator.
DELIMITERS = {"csv": ",", "txt": "\t"}
#: Several phones (and tags) in one cell: the import splits them again.
LIST_SEPARATOR = TAG_SEPARATOR + " "

_PHONES = (
    sa.select(
        joined_text(
            phones_t.c.phone,
            sa.literal(LIST_SEPARATOR, sa.Text),
            phones_t.c.is_primary.desc(),
        )
    )
    .where(phones_t.c.customer_id == c.id)
    .scalar_subquery()
)
_TAGS = (
    sa.select(joined_text(tags_t.c.name, sa.literal(LIST_SEPARATOR, sa.Text), tags_t.c.name))
    .select_from(customer_tags_t.join(tags_t, tags_t.c.id == customer_tags_t.c.tag_id))
    .where(customer_tags_t.c.customer_id == c.id)
    .scalar_subquery()
)
_LEVEL = sa.select(levels_t.c.name).where(levels_t.c.id == c.level_id).scalar_subquery()


def _address(col: sa.Column[Any]) -> Any:
    """A column of the customer's default address (else the newest one)."""
    a = addresses_t.c
    return (
        sa.select(col)
        .where(a.customer_id == c.id)
        .order_by(a.is_default.desc(), a.id.desc())
        .limit(1)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class _Col:
    key: str
    vi: str
    en: str
    expr: Any
    #: The sheet's cell kind (xlsx_writer) or "gender"/"rank"/"source"/"channels" (words)
    #: / "percent" / "phone" (normalised phones: text written as is).
    kind: str = "text"
    width: float = 14


def _import_col(key: str, expr: Any, kind: str = "text", width: float = 14) -> _Col:
    vi, en = IMPORT_HEADERS[key]
    return _Col(key, vi, en, expr, kind, width)


#: Every column an export can have, in the default order.
COLUMNS: tuple[_Col, ...] = (
    _import_col("code", c.code, width=11),
    _import_col("name", c.name, width=26),
    _import_col("phone", _PHONES, "phone", 14),
    _import_col("email", c.email, width=24),
    _import_col("gender", c.gender, "gender", 9),
    _import_col("birthday", c.birthday, "date", 11),
    _import_col("zalo_id", c.zalo_id),
    _import_col("facebook_id", c.facebook_id),
    _import_col("source", c.source, "source", 14),
    _import_col("address", _address(addresses_t.c.street), width=30),
    _import_col("province", _address(addresses_t.c.province), width=18),
    _import_col("tags", _TAGS, width=20),
    _import_col("level", _LEVEL, width=16),
    _import_col("note", c.note, width=30),
    _Col("rank", "Hạng", "Rank", c.rank, "rank", 10),
    _Col("total_expenses", "Tổng chi tiêu", "Total spent", c.total_expenses, "money", 14),
    _Col("owed", "Còn nợ", "Owes", OWED, "money", 12),
    _Col("successful_orders", "Đơn thành công", "Successful orders", c.successful_orders, "int"),
    _Col("total_orders", "Tổng số đơn", "Total orders", c.total_orders, "int", 11),
    _Col("success_rate", "Tỉ lệ thành công (%)", "Success rate (%)", SUCCESS_RATE, "percent"),
    _Col("points_balance", "Điểm còn lại", "Points remaining", c.points_balance, "int", 11),
    _Col("points_earned", "Tổng điểm tích lũy", "Points earned", c.points_earned, "int"),
    _Col("segments", "Phân khúc", "Segments", SEGMENT_NAMES, width=20),
    _Col("channels", "Kênh mua hàng", "Channels", c.channels, "channels", 18),
    _Col("referrer", "Người giới thiệu", "Referrer", REFERRER_NAME, width=20),
    _Col("created_at", "Ngày tạo", "Created", c.created_at, "datetime", 17),
    _Col("first_order_at", "Đơn đầu tiên", "First order", c.first_order_at, "datetime", 17),
    _Col("last_order_at", "Giao dịch gần nhất", "Latest transaction", c.last_order_at,
         "datetime", 17),
)  # fmt: skip
BY_KEY = {col.key: col for col in COLUMNS}
DEFAULT_COLUMNS = tuple(col.key for col in COLUMNS)

#: The genders in words, as the app shows them (ui/labels.py); the import reads them back.
GENDER_WORDS: dict[Gender, tuple[str, str]] = {
    Gender.FEMALE: ("Nữ", "Female"),
    Gender.MALE: ("Nam", "Male"),
    Gender.OTHER: ("Khác", "Other"),
}
RANK_WORDS: dict[Rank, tuple[str, str]] = {
    Rank.COPPER: ("Đồng", "Bronze"),  # stored "copper"
    Rank.SILVER: ("Bạc", "Silver"),
    Rank.GOLD: ("Vàng", "Gold"),
    Rank.DIAMOND: ("Kim cương", "Diamond"),
}
_SHEET_KIND = {"gender": "text", "rank": "text", "source": "text", "channels": "text",
               "percent": "int", "phone": "plain"}  # fmt: skip


def column_choices(lang: str = "vi") -> list[tuple[str, str]]:
    """(key, header) of every exportable column, in the default order."""
    index = lang_index(lang)
    return [(col.key, (col.vi, col.en)[index]) for col in COLUMNS]


def _columns(keys: Sequence[str] | None) -> list[_Col]:
    if keys is None:
        return list(COLUMNS)
    unknown = [k for k in keys if k not in BY_KEY]
    if unknown:
        raise ValidationError(
            msg(
                "Unknown export column {unknown} (columns: {columns}).",
                unknown=repr(unknown[0]),
                columns=str(", ".join(DEFAULT_COLUMNS)),
            ),
            field="columns",
        )
    chosen = list(dict.fromkeys(keys))
    if not chosen:
        raise ValidationError(msg("Choose at least one column to export."), field="columns")
    return [BY_KEY[k] for k in chosen]


def _target(path: Path, fmt: str | None) -> tuple[Path, str]:
    """The absolute target and its format (from `fmt`, else the file's suffix)."""
    path = Path(path).expanduser()
    suffix = path.suffix.lower().lstrip(".")
    fmt = fmt or suffix
    if fmt not in FORMATS:
        raise ValidationError(
            msg("Export to an .xlsx, .csv or .txt file, not {name}.", name=repr(path.name)),
            field="format",
        )
    if suffix != fmt:
        raise ValidationError(
            msg(
                "{name} does not end in .{fmt}: name the file *.{fmt}.",
                name=repr(path.name),
                fmt=str(fmt),
            ),
            field="path",
        )
    if not path.parent.is_dir():
        raise ValidationError(
            msg("The folder {folder} does not exist.", folder=repr(str(path.parent))), field="path"
        )
    if path.is_dir():
        raise ValidationError(
            msg("{path} is a folder, not a file.", path=repr(str(path))), field="path"
        )
    return path.absolute(), fmt


def _converter(cols: list[_Col], index: int, fmt: str, tz: tzinfo) -> Any:
    """A function turning a query row into the file's cell values."""
    genders = {g: words[index] for g, words in GENDER_WORDS.items()}
    ranks = {r: words[index] for r, words in RANK_WORDS.items()}
    sources = {key: words[index] for key, words in SOURCE_WORDS.items()}
    channels = {key: words[index] for key, words in CHANNEL_WORDS.items()}
    # A source typed by hand is text: neutralised in a delimited file, as the other text.
    typed = neutralise if fmt in DELIMITERS else str

    def source_words(value: str) -> str:
        return sources.get(value) or typed(value)

    def channel_words(value: str) -> str:
        return ", ".join(channels.get(ch, ch) for ch in value.split(",") if ch)

    fixes: list[tuple[int, Any]] = []
    for i, col in enumerate(cols):
        if col.kind == "gender":
            fixes.append((i, genders.get))
        elif col.kind == "rank":
            fixes.append((i, ranks.get))
        elif col.kind == "source":
            fixes.append((i, source_words))
        elif col.kind == "channels":
            fixes.append((i, channel_words))
        elif col.kind == "percent":
            fixes.append((i, lambda v: None if v is None else round(float(v), 1)))
        elif fmt in DELIMITERS and col.kind == "datetime":
            fixes.append((i, lambda v: v.astimezone(tz).strftime("%d/%m/%Y %H:%M")))
        elif fmt in DELIMITERS and col.kind == "date":
            fixes.append((i, lambda v: v.strftime("%d/%m/%Y")))
        elif fmt in DELIMITERS and col.kind == "text":
            fixes.append((i, neutralise))

    def convert(row: Sequence[Any]) -> list[Any]:
        out = list(row[:-1])  # without the sort column
        for i, fix in fixes:
            value = out[i]
            if value is not None:
                out[i] = fix(value)
        return out

    return convert


def _selection_rows(
    conn: sa.Connection, spec: QuerySpec, ids: list[int], page: int = 2_000
) -> Iterator[tuple[Any, ...]]:
    """The rows of these customers in the given order (merged-away ones skipped)."""
    for start in range(0, len(ids), page):
        chunk = ids[start : start + page]
        rows = query_spec.fetch_rows(conn, spec, chunk)
        for key in chunk:
            if key in rows:
                yield rows[key]


def _live(conn: sa.Connection, ids: list[int]) -> list[int]:
    """The listed customers among `ids` (not deleted, not merged away), in that order."""
    live: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stmt = sa.select(c.id).where(
            c.id.in_(chunk), c.deleted_at.is_(None), c.merged_into_id.is_(None)
        )
        live.update(conn.execute(stmt).scalars())
    return [i for i in ids if i in live]


#: What the CLI's customer export filters name (`filter_ids`).
NAMED_KINDS = ("segment", "tag", "group")


def filter_ids(ctx: ServiceContext, kind: str, names: Sequence[str]) -> tuple[int, ...]:
    """The ids of the segments, tags or customer groups (`kind`, one of NAMED_KINDS) named
    `names` — exact, else in another case; a group also by its code — for the Customers
    list's filter of that kind. An unknown name raises, naming the choices."""
    ctx.require(Module.CUSTOMERS)
    if not names:
        return ()
    rows: Sequence[Any] = []
    by_code: dict[str, int] = {}
    with ctx.engine.connect() as conn:
        if kind == "segment":
            choices = {n: i for i, n in segment_choices(conn)}
        elif kind == "tag":
            choices = {n: i for i, n in tag_choices(conn)}
        else:  # by its code (unique) first: two groups may share a name
            lv = levels_t.c
            rows = conn.execute(sa.select(lv.id, lv.name, lv.code).order_by(lv.id)).all()
            by_code = {str(code): int(i) for i, _n, code in rows}
            choices = {str(n): int(i) for i, n, _code in reversed(rows)}  # the first id wins
    ids: list[int] = []
    for name in names:
        found = named(by_code, name) if kind == "group" else None
        if found is None:
            found = named(choices, name)
        if found is None:
            shown = [level_text(n, code) for _i, n, code in rows] if kind == "group" else choices
            raise _unknown(kind, name, known_names(shown))
        ids.append(int(found))
    return tuple(dict.fromkeys(ids))


def _unknown(kind: str, name: str, known: str) -> ValidationError:
    if kind == "segment":
        text = msg("No segment is named {name} (segments: {known}).", name=repr(name), known=known)
    elif kind == "tag":
        text = msg("No tag is named {name} (tags: {known}).", name=repr(name), known=known)
    else:
        text = msg(
            "No customer group is named or coded {name} (groups: {known}).",
            name=repr(name),
            known=known,
        )
    return ValidationError(text, field=kind)


def sources_by_name(ctx: ServiceContext, names: Sequence[str]) -> tuple[str, ...]:
    """The customer sources, as stored, named `names` (any case; `walk_in` or its words
    *Khách lẻ* / *Walk-in*): the source filter's choices are the sources in use; an unknown
    one raises, naming them."""
    ctx.require(Module.CUSTOMERS)
    with ctx.engine.connect() as conn:
        sources = source_names(conn)
    choices = {word: s for s in sources for word in SOURCE_WORDS.get(s, ())}
    choices.update({s: s for s in sources})
    found: list[str] = []
    for name in names:
        source = named(choices, name)
        if source is None:
            raise ValidationError(
                msg(
                    "No customer has the source {name} (sources: {known}).",
                    name=repr(name),
                    known=known_names(sources),
                ),
                field="source",
            )
        found.append(str(source))
    return tuple(dict.fromkeys(found))


def referrer_by_code(ctx: ServiceContext, code: str) -> int:
    """The id of the customer with this code (any case): the referrer filter."""
    ctx.require(Module.CUSTOMERS)
    with ctx.engine.connect() as conn:
        found = customer_id_by_code(conn, code)
    if found is None:
        raise ValidationError(
            msg("No customer has the code {code}.", code=code.strip()), field="referrer"
        )
    return found


def export_customers(
    ctx: ServiceContext,
    path: Path,
    *,
    flt: CustomerFilter = CustomerFilter(),  # noqa: B008  (frozen: safe as a default)
    search: str = "",
    ids: Sequence[int] | None = None,
    columns: Sequence[str] | None = None,
    fmt: str | None = None,
    lang: str = "vi",
    progress: Progress | None = None,
    sort_key: str | None = None,
    descending: bool | None = None,
) -> ExportReport:
    """Write customers to `path` (.xlsx, .csv or .txt: `fmt`, else the file's suffix).

    `ids`: exactly those customers, in that order; otherwise the customers of the filter
    `flt` and the search text `search`, in the order of `sort_key` (a sortable column of
    the Customers list, `SORT_KEYS`: the list's order on screen) and `descending` (None:
    the list's default direction), else newest first.
    `columns`: keys of `COLUMNS` in the order wanted (None = all, `DEFAULT_COLUMNS`).
    Returns where, how many rows and how long. Raises ValidationError for a bad target,
    column or language, and Cancelled (writing nothing) when `progress` asks to stop.
    """
    ctx.require_export(Module.CUSTOMERS)
    index = lang_index(lang)
    cols = _columns(columns)
    target, fmt = _target(path, fmt)
    prog: Progress = progress if progress is not None else NullProgress()
    started = time.perf_counter()
    prog.update(0.0, msg("Exporting customers"))
    tz = shop_tz()
    # The sort column goes last (the keyset paging needs it); cut off below.
    order = _sort_column(sort_key)
    spec = with_columns(
        (*(Column(f"x_{col.key}", col.en, col.expr) for col in cols), order),
        default_sort=order.key,
    )
    selection = None if ids is None else list(dict.fromkeys(int(i) for i in ids))
    state = list_state(flt, tz, search=search, now=ctx.clock.now(), sort_key=order.key,
                       descending=descending)  # fmt: skip
    convert = _converter(cols, index, fmt, tz)
    headers = [(col.vi, col.en)[index] for col in cols]
    with replaced_when_done(target) as tmp:
        with ctx.engine.connect() as conn:
            if selection is not None:
                selection = _live(conn, selection)
                total = len(selection)
                raw: Iterator[tuple[Any, ...]] = _selection_rows(conn, spec, selection)
            else:
                total = query_spec.count_rows(conn, spec, state)
                raw = query_spec.iter_rows(conn, spec, state)
            if fmt == "xlsx" and total > MAX_ROWS:
                raise ValidationError(
                    msg(
                        "{total} customers do not fit one Excel sheet ({limit} rows at most): "
                        "narrow the filter, or export to .csv.",
                        total=total,
                        limit=MAX_ROWS,
                    )
                )
            rows = map(convert, raw)
            if fmt == "xlsx":
                sheet_cols = [
                    XlsxColumn(h, _SHEET_KIND.get(col.kind, col.kind), col.width)
                    for h, col in zip(headers, cols, strict=True)
                ]
                sheet = "Khách hàng" if lang == "vi" else "Customers"
                written = stream_rows(tmp, sheet_cols, rows, total, prog, sheet=sheet)
            else:
                written = _write_delimited(tmp, headers, rows, total, prog, DELIMITERS[fmt])
        prog.check()
    report = audit_export(
        ctx,
        "customers.export",
        target,
        msg("{count} customers", count=written),
        {
            "file": str(target),
            "rows": written,
            "format": fmt,
            "lang": lang,
            "columns": [col.key for col in cols],
            "selection": selection is not None,
            "search": "" if selection is not None else search,
            "filter": None if selection is not None or flt.is_empty() else _describe(flt),
        },
        started,
    )
    prog.update(1.0, msg("Exported {count} customers", count=written))
    return report


def _sort_column(sort_key: str | None) -> Column:
    """The column the rows are exported in the order of: the list's (`sort_key`), else
    the creation time (newest first: the command line's export)."""
    if sort_key is None:
        return Column("created_at", "Created", c.created_at, kind="datetime", sort=c.created_at)
    if sort_key not in SORT_KEYS:
        raise ValueError(f"the customers list cannot be sorted by {sort_key!r}")
    return CUSTOMERS_SPEC.column(sort_key)


def _describe(flt: CustomerFilter) -> dict[str, Any]:
    """The filter's set fields, for the audit row."""
    out: dict[str, Any] = {}
    for key, value in vars(flt).items():
        if value in (None, (), False):
            continue
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = [str(v) for v in value]
        out[key] = value
    return out


def _write_delimited(
    tmp: Path, headers: list[str], rows: Iterator[list[Any]], total: int, prog: Progress,
    delimiter: str,
) -> int:  # fmt: skip
    """UTF-8 with a BOM (Excel reads Vietnamese right), cells split by `delimiter` (quoted
    only when a cell holds it, a quote or a line break)."""
    done = 0
    with tmp.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(headers)
        write = writer.writerow
        next_report = PROGRESS_EVERY
        prog.check()
        for row in rows:
            write(row)
            done += 1
            if done == next_report:
                next_report += PROGRESS_EVERY
                prog.check()
                prog.update(
                    done / total if total else 1.0,
                    msg("Exported {done} of {total}", done=done, total=total),
                )
        prog.check()
    return done
