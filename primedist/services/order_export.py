"""Export orders to Excel (.xlsx): the Orders tab's current view, a selection, or all.

The file is streamed (constant memory) to a temporary file next to the target and moved
onto it only when complete, so a cancel or an error never leaves a partial file. Cells
are typed: money and counts are numbers, dates are Excel dates in the shop's time zone,
order numbers and phones are text (leading zeros kept) and text that a spreadsheet would
evaluate (`=HYPERLINK(...)`) is neutralised.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from primedist.core.messages import msg
from primedist.domain.enums import Module
from primedist.errors import ValidationError
from primedist.io.seller_center import clean_header, open_export
from primedist.io.tabular import Cell
from primedist.io.xlsx_writer import MAX_ROWS, XlsxColumn
from primedist.jobs.progress import NullProgress, Progress
from primedist.queries import spec as query_spec
from primedist.queries.orders import ORDER_EXPORT_SPEC, iter_rows_by_keys
from primedist.queries.orders import shops as shops_t
from primedist.queries.spec import QueryState
from primedist.services import export_support
from primedist.services.context import ServiceContext
from primedist.services.export_support import (
    ExportReport,
    audit_export,
    check_target,
    lang_index,
    replaced_when_done,
    stream_rows,
)

#: Report progress (and check for cancel) every this many rows.
PROGRESS_EVERY = export_support.PROGRESS_EVERY

#: Header of every export column: {key: (Vietnamese, English)}.
HEADERS: dict[str, tuple[str, str]] = {
    "external_id": ("Mã đơn hàng", "Order ID"),
    "shop": ("Gian hàng", "Shop"),
    "channel": ("Kênh bán", "Channel"),
    "status": ("Trạng thái", "Status"),
    "payment_method": ("Thanh toán", "Payment method"),
    "buyer_name": ("Khách hàng", "Customer"),
    "buyer_phone": ("Số điện thoại", "Phone"),
    "item_count": ("Số sản phẩm", "Items"),
    "subtotal": ("Tiền hàng", "Subtotal"),
    "shipping_fee": ("Phí vận chuyển", "Shipping fee"),
    "marketplace_discount": ("Giảm giá của sàn", "Marketplace discount"),
    "voucher_discount": ("Mã giảm giá", "Discount code"),
    "seller_discount": ("Giảm giá của người bán", "Seller discount"),
    "shop_promotion": ("Khuyến mãi của shop", "Shop promotion"),
    "points_discount": ("Giảm giá bằng điểm", "Points discount"),
    "commission": ("Phí hoa hồng sàn", "Commission"),
    "total": ("Tổng tiền", "Total"),
    "refunded_amount": ("Đã hoàn tiền", "Refunded"),
    "created_at": ("Ngày đặt", "Order date"),
    "ship_province": ("Tỉnh/Thành phố", "Province"),
    "carrier": ("Đơn vị vận chuyển", "Carrier"),
    "tracking_number": ("Mã vận đơn", "Tracking number"),
    "flagged": ("Đánh dấu", "Flagged"),
    "staff_note": ("Ghi chú nội bộ", "Staff note"),
}

#: The export's columns that mark a file as this export, in either language: per-order
#: figures the order template has no column for (a user may delete the others).
_SIGNATURE = ("external_id", "item_count", "subtotal", "total")

#: Column widths in characters (default 14).
_WIDTHS = {
    "external_id": 20,
    "shop": 22,
    "buyer_name": 24,
    "buyer_phone": 14,
    "created_at": 17,
    "ship_province": 18,
    "carrier": 16,
    "tracking_number": 20,
    "staff_note": 40,
    "item_count": 8,
    "flagged": 10,
}

#: Spec kinds the writer does not know: enums are written as their stored words.
_KIND = {"enum": "text"}


def export_columns(lang: str = "vi") -> list[XlsxColumn]:
    """The sheet columns of the orders export, headers in `lang` ("vi" or "en")."""
    index = lang_index(lang)
    return [
        XlsxColumn(
            HEADERS[col.key][index],
            _KIND.get(col.kind, col.kind),
            _WIDTHS.get(col.key, 14),
        )
        for col in ORDER_EXPORT_SPEC.columns
    ]


def is_orders_export(header: Iterable[Cell]) -> bool:
    """Whether a header row is this export's (Vietnamese or English headers, any case)."""
    names = {clean_header(h).casefold() for h in header}
    return all(any(name.casefold() in names for name in HEADERS[key]) for key in _SIGNATURE)


def is_orders_export_file(path: Path) -> bool:
    """Whether the file at `path` is one of this export's files (False when unreadable)."""
    try:
        with open_export(path) as sheet:
            return is_orders_export(sheet.header)
    except ValidationError:
        return False


def export_not_importable(name: str) -> ValidationError:
    """The refusal of an order import given this export: it has one row per order and no
    product lines, so it cannot make orders; the order template can."""
    return ValidationError(
        msg(
            "{file} is an orders export from this app (one row per order, no product lines): "
            "it cannot be imported back. To import orders, fill in the order template (primedist "
            "import template orders FILE, or Template… beside Import on the Orders tab).",
            file=name,
        )
    )


def shop_ids_by_name(ctx: ServiceContext, names: Sequence[str]) -> tuple[int, ...]:
    """The ids of shops named `names` (exact, else case-insensitive); unknown names raise."""
    if not names:
        return ()
    with ctx.engine.connect() as conn:
        shops = {str(n): int(i) for i, n in conn.execute(sa.select(shops_t.c.id, shops_t.c.name))}
    by_folded = {n.casefold(): i for n, i in shops.items()}
    ids: list[int] = []
    for name in names:
        found = shops.get(name.strip(), by_folded.get(name.strip().casefold()))
        if found is None:
            known = ", ".join(sorted(shops)) or "none yet"
            raise ValidationError(
                msg("No shop is named {name} (shops: {known}).", name=repr(name), known=str(known)),
                field="shop",
            )
        ids.append(found)
    return tuple(dict.fromkeys(ids))


def _export_state(state: QueryState | None) -> QueryState:
    """The list state for the export spec: a sort the export lacks falls back to the default."""
    if state is None:
        return QueryState()
    keys = {c.key for c in ORDER_EXPORT_SPEC.columns}
    if state.sort_key is not None and state.sort_key not in keys:
        return QueryState(search=state.search, filters=state.filters)
    return state


def _describe(clauses: Iterable[sa.ColumnElement[bool]], dialect: sa.Dialect) -> list[str]:
    """Filter clauses as SQL text for the audit row."""
    out = []
    for clause in clauses:
        try:
            out.append(str(clause.compile(dialect=dialect, compile_kwargs={"literal_binds": True})))
        except Exception:  # a value the dialect cannot render literally: show the bound form
            out.append(str(clause))
    return out


def export_orders(
    ctx: ServiceContext,
    path: Path,
    *,
    state: QueryState | None = None,
    keys: Sequence[int] | None = None,
    lang: str = "vi",
    progress: Progress | None = None,
) -> ExportReport:
    """Write orders to the .xlsx file `path`; returns where, how many rows and how long.

    `state` is the Orders tab's filter/sort/search (`queries.orders.list_state`); `keys` an
    explicit selection, exported in the given order (it wins when both are given);
    neither: every order, newest first.
    Raises Cancelled (and writes nothing) when `progress.check()` asks to stop.
    """
    ctx.require_export(Module.ORDERS)
    columns = export_columns(lang)
    target = check_target(path)
    prog: Progress = progress if progress is not None else NullProgress()
    started = time.perf_counter()
    prog.update(0.0, msg("Exporting orders"))
    selection = None if keys is None else list(dict.fromkeys(keys))  # each order once
    list_state = _export_state(state)
    with replaced_when_done(target) as tmp:
        with ctx.engine.connect() as conn:
            if selection is not None:
                total = len(selection)
                rows: Iterator[tuple[Any, ...]] = iter_rows_by_keys(conn, selection)
            else:
                total = query_spec.count_rows(conn, ORDER_EXPORT_SPEC, list_state)
                rows = query_spec.iter_rows(conn, ORDER_EXPORT_SPEC, list_state)
            if total > MAX_ROWS:
                raise ValidationError(
                    msg(
                        "{total} orders do not fit one Excel sheet ({limit} rows at most): narrow "
                        "the filter, e.g. by date.",
                        total=total,
                        limit=MAX_ROWS,
                    )
                )
            filters = [] if selection is not None else _describe(list_state.filters, conn.dialect)
            written = stream_rows(
                tmp, columns, _walk_in_named(rows, lang), total, prog, sheet=_sheet_name(lang),
                every=PROGRESS_EVERY,
            )  # fmt: skip
        prog.check()
    report = audit_export(
        ctx,
        "orders.export",
        target,
        msg("{count} orders", count=written),
        {
            "file": str(target),
            "rows": written,
            "lang": lang,
            "selection": selection is not None,
            "search": "" if selection is not None else list_state.search,
            "filters": filters,
        },
        started,
    )
    prog.update(1.0, msg("Exported {count} orders", count=written))
    return report


#: The customer of an order without a buyer (a walk-in counter sale), as the app shows it.
WALK_IN_WORDS = ("Khách lẻ", "Walk-in customer")
_BUYER = [c.key for c in ORDER_EXPORT_SPEC.columns].index("buyer_name")


def _walk_in_named(rows: Iterable[Sequence[Any]], lang: str) -> Iterator[Sequence[Any]]:
    """The rows with "Khách lẻ" / "Walk-in customer" where the buyer's name is empty (a
    blank cell reads as lost data)."""
    words = WALK_IN_WORDS[lang_index(lang)]
    for row in rows:
        yield row if row[_BUYER] else (*row[:_BUYER], words, *row[_BUYER + 1 :])


def _sheet_name(lang: str) -> str:
    return "Đơn hàng" if lang == "vi" else "Orders"
