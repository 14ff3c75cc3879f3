"""Dates inside messages read as everywhere else in the app, dd/mm/yyyy [HH:MM] (the shop's
time for a stored one), in English (the CLI, logs) as in the UI; an order dated in the
future is refused by the import; a birthday after today is refused by hand as by import."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from primedist.core.clock import FixedClock
from primedist.core.messages import Message, msg, restored, stored_args
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.errors import ValidationError
from primedist.services import audit_log, reports, till
from primedist.services import customers as cs
from primedist.services import purchase_orders as po
from primedist.services.context import ServiceContext
from primedist.services.import_support import RejectedRow
from primedist.services.order_import import COLUMNS, import_orders
from tests.factories import make_product

audit_t = table_of(AuditEvent)


# --------------------------------------------------------------------------- the messages


def test_a_date_value_reads_day_first_in_english() -> None:
    text = msg("From {start} to {end} at {at} ({seen})", start=date(2026, 12, 1),
               end=date(2027, 1, 9), at=datetime(2026, 12, 3, 7, 5, tzinfo=UTC),
               seen=datetime(2026, 12, 3, 23, 30))  # fmt: skip
    # An aware time in the shop's zone (UTC+7); a naive one (a file's) as written.
    assert text == "From 01/12/2026 to 09/01/2027 at 03/12/2026 14:05 (03/12/2026 23:30)"


def test_a_stored_date_comes_back_as_a_date() -> None:
    when = datetime(2026, 12, 3, 7, 5, tzinfo=UTC)
    text = msg("Till of {day}, synced {when}", day=date(2026, 12, 1), when=when)
    again = restored(str(text), stored_args(text))
    assert isinstance(again, Message) and again == "Till of 01/12/2026, synced 03/12/2026 14:05"
    assert again.values == {"day": date(2026, 12, 1), "when": when}  # the reader's format


# --------------------------------------------------------------------------- the services


def test_the_expected_day_of_a_purchase_order_is_named_day_first(
    owner_ctx: ServiceContext,
) -> None:
    (cup,) = make_product(owner_ctx.engine, "Gốm", [("COC-1", 45_000, 2)])
    for day, said in (
        (date(2026, 11, 1), "The expected day 01/11/2026 has already passed"),
        (date(2028, 1, 1), "The expected day 01/01/2028 is more than a year"),
    ):
        with pytest.raises(ValidationError) as exc:
            po.create_order(owner_ctx, po.OrderDraft("NCC A", [po.OrderLine(cup, 1)],
                                                     expected_on=day))  # fmt: skip
        assert str(exc.value.reason).startswith(said), exc.value.reason
        assert exc.value.reason.values["day"] == day  # type: ignore[attr-defined]


def test_a_till_count_is_logged_with_its_day_day_first(owner_ctx: ServiceContext) -> None:
    till.close_till(owner_ctx, date(2026, 11, 19), opening_float=0, counted=50_000)
    with owner_ctx.engine.connect() as conn:
        text, args = conn.execute(
            sa.select(audit_t.c.summary, audit_t.c.summary_args)
            .where(audit_t.c.action == "till.close")
        ).one()  # fmt: skip
    assert text.startswith("Till of 19/11/2026 counted: 50,000 đ")
    again = restored(text, args)
    assert isinstance(again, Message) and again.values["day"] == date(2026, 11, 19)


def test_a_reversed_range_names_its_days_day_first() -> None:
    with pytest.raises(ValidationError) as exc:
        reports.window(date(2026, 11, 20), date(2026, 11, 2))
    assert str(exc.value.reason) == "The range starts (20/11/2026) after it ends (02/11/2026)."
    flt = audit_log.AuditFilter(date_from=date(2026, 11, 20), date_to=date(2026, 11, 2))
    with pytest.raises(ValidationError) as exc:
        audit_log.check_filter(flt)
    assert str(exc.value.reason) == "The start day 20/11/2026 is after the end day 02/11/2026."


# --------------------------------------------------------------------------- order import


def _orders_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    """One line an (order id, order date) row of the counter shop."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for n, (order_id, when) in enumerate(rows):
            row = {"order_id": order_id, "order_date": when, "shop": "Cửa hàng Thử",
                   "status": "completed", "payment_method": "cash", "sku": f"SKU-{n}",
                   "product_name": "Áo", "quantity": "1", "unit_price": "1000"}  # fmt: skip
            writer.writerow([row.get(c, "") for c in COLUMNS])
    return path


def test_lines_of_an_order_on_two_days_quote_both_as_the_file_writes_them(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    path = _orders_csv(tmp_path / "o.csv", [("M1", "2026-11-01 10:00:05"),
                                            ("M1", "02/11/2026 10:00")])  # fmt: skip
    report = import_orders(owner_ctx, path)
    assert report.rejected[1] == RejectedRow(
        3, "order_date", "'02/11/2026 10:00' differs from '01/11/2026 10:00:05' on row 2 of "
        "the same order (order-level columns must agree)")  # fmt: skip


def test_an_order_dated_in_the_future_is_refused_by_row_and_column(
    owner_ctx: ServiceContext, clock: FixedClock, tmp_path: Path
) -> None:
    # Now: 20/11/2026 10:00 in the shop; a day ahead is still taken (another zone's export).
    path = _orders_csv(tmp_path / "o.csv", [
        ("OK1", "21/11/2026 10:00"), ("TYPO", "05/01/2062 10:00"), ("LEAP", "29/02/2028"),
        ("SOON", "21/11/2026 10:01"), ("OK2", "2026-11-19 08:00"),
    ])  # fmt: skip
    report = import_orders(owner_ctx, path)
    assert report.orders_inserted == 2
    assert report.rejected == [
        RejectedRow(3, "order_date", "'05/01/2062 10:00' is in the future"),
        RejectedRow(4, "order_date", "'29/02/2028' is in the future"),
        RejectedRow(5, "order_date", "'21/11/2026 10:01' is in the future"),
    ]
    clock.advance(timedelta(minutes=1))  # a minute later the last one is no longer ahead
    assert import_orders(owner_ctx, path).rejected[-1].row == 4


# --------------------------------------------------------------------------- birthdays


def test_a_birthday_after_today_is_refused_naming_the_field(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 20, 17, 30, tzinfo=UTC))  # 00:30 on 21/11 in the shop
    with pytest.raises(ValidationError) as exc:
        cs.add_customer(owner_ctx, cs.CustomerDraft(name="Khách Tương Lai",
                                                    birthday=date(2031, 5, 5)))  # fmt: skip
    assert exc.value.field == "birthday"
    assert str(exc.value.reason) == "The birthday 05/05/2031 is after today."
    added = cs.add_customer(owner_ctx, cs.CustomerDraft(name="Sinh hôm nay",
                                                        birthday=date(2026, 11, 21)))  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        later = cs.CustomerDraft(name="Sinh hôm nay", birthday=date(2026, 11, 22))
        cs.update_customer(owner_ctx, added.customer_id, later)
    assert exc.value.field == "birthday"
