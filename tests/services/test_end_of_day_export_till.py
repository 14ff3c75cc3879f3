"""The end-of-day workbook has what the screen, the printout and the text have: the gross
profit (for a user who sees Analytics, as on the screen) and the cash count just recorded
(float, expected, counted, difference, note); its audit message carries the day as a date
(the UI writes it dd/mm/yyyy)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from primedist.core.clock import FixedClock
from primedist.core.messages import Message, restored
from primedist.domain.enums import Module, PaymentMethod
from primedist.services import end_of_day as eod
from primedist.services import till
from primedist.services.context import ServiceContext
from tests.factories import make_product
from tests.services.test_end_of_day import DAY, at, sell
from tests.services.test_permissions import staff


def summary(path: Path) -> dict[str, object]:
    book = openpyxl.load_workbook(path)
    return {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}


def test_the_workbook_has_the_gross_profit_and_the_cash_count(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine, tmp_path: Path
) -> None:
    (shirt,) = make_product(engine, "Áo thun", [("AO-S", 100_000, 50)])
    at(clock, 10)
    sell(owner_ctx, [(shirt, 5)], PaymentMethod.CASH)  # 500.000 ₫ cash
    report = eod.end_of_day(owner_ctx, DAY)
    assert report.gross_profit is not None and report.cash_in_drawer == 500_000
    count = till.close_till(owner_ctx, DAY, opening_float=100_000, counted=583_000,
                            note="Thiếu tiền lẻ")  # fmt: skip
    assert count.difference == -17_000
    target = tmp_path / "eod.xlsx"
    eod.export_end_of_day(owner_ctx, report, target, eod.texts_for("en"), till=count)
    rows = summary(target)
    assert rows["Gross profit"] == report.gross_profit
    assert rows["Opening float"] == 100_000
    assert rows["Expected in drawer"] == 600_000
    assert rows["Counted"] == 583_000
    assert rows["Difference"] == -17_000
    assert rows["Note"] == "Thiếu tiền lẻ"
    # In Vietnamese, and without a count: no count rows.
    vi = tmp_path / "cuoi-ngay.xlsx"
    eod.export_end_of_day(owner_ctx, report, vi, eod.texts_for("vi"))
    rows = summary(vi)
    assert rows["Lợi nhuận gộp"] == report.gross_profit
    assert "Tiền đếm được" not in rows and "Tiền đầu ca" not in rows


def test_staff_without_analytics_get_no_gross_profit(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine, tmp_path: Path
) -> None:
    (shirt,) = make_product(engine, "Áo thun", [("AO-S", 100_000, 50)])
    at(clock, 10)
    sell(owner_ctx, [(shirt, 1)], PaymentMethod.CASH)
    clerk = staff(owner_ctx, Module.ORDERS)
    own = eod.end_of_day(clerk, DAY)
    assert own.gross_profit is None
    # Even handed the owner's report, a clerk's export leaves the costs out.
    for report in (own, eod.end_of_day(owner_ctx, DAY)):
        target = tmp_path / "eod.xlsx"
        eod.export_end_of_day(clerk, report, target, eod.texts_for("en"))
        assert "Gross profit" not in summary(target)
        assert summary(target)["Sales"] == 100_000


def test_the_audit_message_carries_the_day_as_a_date(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    report = eod.end_of_day(owner_ctx, DAY)
    eod.export_end_of_day(owner_ctx, report, tmp_path / "eod.xlsx", eod.texts_for("en"))
    with owner_ctx.engine.connect() as conn:
        text, args = conn.execute(sa.text(
            "SELECT summary, summary_args FROM audit_events"
            " WHERE action = 'report.end_of_day.export'"
        )).one()  # fmt: skip
    assert text == "Exported the end-of-day report of 20/11/2026"
    stored = restored(text, args)
    assert isinstance(stored, Message) and stored.values["day"] == date(2026, 11, 20)
