"""`primedist report dashboard|analytics --compare days|week|month|year`: each change
against the period Home and Analytics compare that kind of range with (the same service
functions), the dates compared in the text and in --json."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from primedist.cli import EXIT_OK, EXIT_USAGE
from primedist.cli_commands.reports import COMPARE
from primedist.config import resolve_settings
from primedist.core.clock import shop_tz
from primedist.db.engine import make_engine
from primedist.db.store import open_store
from primedist.domain.enums import Channel, OrderStatus
from primedist.services import auth, reports
from primedist.services.context import ServiceContext
from primedist.services.order_effects import orders_changed
from tests.cli_support import Run
from tests.factories import make_shop
from tests.services.report_data import NOW, add_order

#: Completed orders (Vietnam time) and their totals: each period below holds other ones.
SALES = {
    "A": (datetime(2026, 11, 18, 9), 100_000),
    "B": (datetime(2026, 11, 11, 9), 200_000),
    "C": (datetime(2026, 11, 9, 9), 400_000),
    "D": (datetime(2026, 10, 5, 9), 800_000),
    "E": (datetime(2025, 6, 1, 9), 1_600_000),
    "F": (datetime(2026, 2, 1, 9), 3_200_000),
    "G": (datetime(2025, 1, 10, 9), 6_400_000),
}

#: --compare, the range of the app's matching preset, the dates compared, revenue now and
#: then, and the revenue then with the days just before instead.
CASES = [
    # Last 7 days (or a custom range): 10–16 November against 3–9 November.
    ("days", "2026-11-10", "2026-11-16", "2026-11-03", "2026-11-09", 200_000, 400_000, None),
    # This week on Friday 20 November: Monday–Friday against Monday–Friday before (B, C),
    # not 11–15 November (B alone).
    ("week", "2026-11-16", "2026-11-20", "2026-11-09", "2026-11-13", 100_000, 600_000, 200_000),
    # This month, 1–20 November: 1–20 October (D), not 12–31 October (nothing).
    ("month", "2026-11-01", "2026-11-20", "2026-10-01", "2026-10-20", 700_000, 800_000, 0),
    # This year: 1 January – 20 November 2025 (E, G), not the 324 days before (E).
    ("year", "2026-01-01", "2026-11-20", "2025-01-01", "2025-11-20", 4_700_000, 8_000_000,
     1_600_000),
]  # fmt: skip


@pytest.fixture
def shop_dir(data_dir: Path) -> Path:
    engine = make_engine(f"sqlite:///{data_dir / 'primedist.db'}")
    try:
        shop = make_shop(engine, "Shop A", Channel.SHOPEE)
        with engine.begin() as conn:
            ids = [add_order(conn, shop, name, when, OrderStatus.COMPLETED, total=total)
                   for name, (when, total) in SALES.items()]  # fmt: skip
            orders_changed(conn, ids, now=NOW)
    finally:
        engine.dispose()
    return data_dir


def _app_figures(data_dir: Path, first: str, last: str, compare: str) -> dict[str, object]:
    """What Analytics reads for the range with the preset's comparison."""
    settings = resolve_settings(data_dir)
    ctx = ServiceContext(open_store(settings), settings=settings)
    try:
        owner = ctx.with_actor(auth.owner_actor(ctx))
        a = reports.analytics(owner, date.fromisoformat(first), date.fromisoformat(last),
                              compare=compare)  # fmt: skip
        return a.to_json()
    finally:
        ctx.engine.dispose()


@pytest.mark.parametrize(
    ("compare", "first", "last", "prev_from", "prev_to", "now", "then", "days_then"), CASES
)
def test_each_comparison_reads_what_the_app_reads_for_its_ranges(
    cli: Callable[..., Run],
    shop_dir: Path,
    compare: str,
    first: str,
    last: str,
    prev_from: str,
    prev_to: str,
    now: int,
    then: int,
    days_then: int | None,
) -> None:
    d = ("--data-dir", str(shop_dir))
    dates = ("--from", first, "--to", last)
    run = cli(*d, "report", "analytics", *dates, "--compare", compare, "--json")
    assert run.code == EXIT_OK, run.err
    data = run.json()
    assert (data["previous_from"], data["previous_to"], data["compare"]) == (
        prev_from, prev_to, compare)  # fmt: skip
    assert (data["revenue"]["current"], data["revenue"]["previous"]) == (now, then)
    # Every figure as Analytics shows it for the same range and preset.
    assert {k: v for k, v in data.items() if k != "compare"} == _app_figures(
        shop_dir, first, last, COMPARE[compare]
    )
    home = cli(*d, "report", "dashboard", *dates, "--compare", compare, "--json").json()
    assert (home["previous_from"], home["previous_to"], home["compare"]) == (
        prev_from, prev_to, compare)  # fmt: skip
    assert home["revenue"] == data["revenue"]
    text = cli(*d, "report", "dashboard", *dates, "--compare", compare).out.splitlines()
    assert text[0].startswith(f"{first} … {last} (previous {prev_from} … {prev_to}: the same")
    revenue = next(line for line in text if line.startswith("Revenue"))
    assert revenue.startswith(f"Revenue: {now:,} (previous {then:,}, ")
    if days_then is not None:  # the default: the same number of days just before
        plain = cli(*d, "report", "analytics", *dates, "--json").json()
        assert plain["compare"] == "days" and plain["revenue"]["previous"] == days_then


def test_a_range_ending_today_is_compared_up_to_the_same_time_of_day(
    cli: Callable[..., Run], shop_dir: Path
) -> None:
    today = datetime.now(shop_tz()).date()
    monday = today - timedelta(days=today.weekday())
    run = cli("--data-dir", str(shop_dir), "report", "analytics", "--from", monday.isoformat(),
              "--compare", "week", "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    data = run.json()
    assert data["previous_from"] == (monday - timedelta(days=7)).isoformat()
    assert data["previous_to"] == (today - timedelta(days=7)).isoformat()
    assert data["previous_until"] is not None
    text = cli("--data-dir", str(shop_dir), "report", "analytics", "--from",
               monday.isoformat(), "--compare", "week").out  # fmt: skip
    assert re.search(r"\(previous \S+ … \S+ until \d\d:\d\d: the same days of the week "
                     r"before\)", text.splitlines()[0]), text  # fmt: skip


def test_a_comparison_the_app_does_not_have_is_a_usage_error(
    cli: Callable[..., Run], shop_dir: Path
) -> None:
    for command in ("dashboard", "analytics"):
        run = cli("--data-dir", str(shop_dir), "report", command, "--compare", "quarter")
        assert run.code == EXIT_USAGE
        assert "invalid choice: 'quarter'" in run.err and run.out == ""
