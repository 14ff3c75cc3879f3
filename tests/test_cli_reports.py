"""`primedist report dashboard|analytics|rebuild` on the hand-built shop of the dashboards'
service tests (tests/services/report_data.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.core.clock import shop_tz
from primedist.db.engine import make_engine
from primedist.db.store import open_store
from primedist.domain.enums import Module, Role
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from tests.cli_support import Run, table_count
from tests.services.report_data import build

RANGE = ("--from", "2026-11-10", "--to", "2026-11-16")
STAFF_PASSWORD = "kho-hang-2026"


@pytest.fixture
def shop_dir(data_dir: Path) -> Path:
    engine = make_engine(f"sqlite:///{data_dir / 'primedist.db'}")
    try:
        build(engine)
    finally:
        engine.dispose()
    return data_dir


def test_dashboard_json(cli: Callable[..., Run], shop_dir: Path) -> None:
    run = cli("--data-dir", str(shop_dir), "report", "dashboard", *RANGE, "--json")
    assert run.code == EXIT_OK, run.err
    data = run.json()
    assert (data["from"], data["previous_from"], data["previous_to"]) == (
        "2026-11-10", "2026-11-03", "2026-11-09")  # fmt: skip
    assert data["revenue"] == {"current": 390_000, "previous": 120_000, "change_pct": 225.0}
    assert data["new_orders"] == {"current": 7, "previous": 2, "change_pct": 250.0}
    # Returns under way now (o10; o5 is returned: done), whatever the range.
    assert data["todo"]["return_refund"] == 1 and data["todo"]["no_revenue"] == 1
    assert data["todo"]["to_pack"] == 0 and data["previous_until"] is None
    assert data["customers_owe"] == {"customers": 0, "owed": 0}  # nothing sold on account
    lazada = next(m for m in data["marketplaces"] if m["channel"] == "lazada")
    assert lazada["revenue"]["change_pct"] == -62.5
    assert (lazada["shops_linked"], lazada["shops_total"]) == (0, 1)
    assert data["new_orders_by_channel"] == {"shopee": 5, "lazada": 2}
    text = cli("--data-dir", str(shop_dir), "report", "dashboard", *RANGE, "--shop", "shop b")
    assert "Revenue: 30,000 (previous 80,000, -62.50%)" in text.out
    assert "tiki: 0 (—), not linked yet" in text.out


def test_analytics_json(cli: Callable[..., Run], shop_dir: Path) -> None:
    run = cli("--data-dir", str(shop_dir), "report", "analytics", *RANGE, "--top", "1", "--json")
    assert run.code == EXIT_OK, run.err
    data = run.json()
    assert data["products_sold"] == {"current": 7, "previous": 1, "change_pct": 600.0}
    assert data["orders"]["current"] == 4
    assert data["repeat_purchase_rate"]["current_pct"] == 66.67
    assert [r["label"] for r in data["top_locations_by_revenue"]] == [
        "Hà Nội", "Đà Nẵng", "TP. Hồ Chí Minh"]  # fmt: skip
    none_before = {"previous": 0, "change_pct": None}
    assert data["top_shipping_providers"][0] == {
        "key": "GHN", "label": "GHN", "revenue": {"current": 300_000, **none_before},
        "orders": {"current": 2, **none_before},
    }  # fmt: skip
    assert [(r["label"], r["units"]["current"]) for r in data["product_rank"]] == [("Quần jean", 4)]


def test_rebuild_and_errors(cli: Callable[..., Run], shop_dir: Path) -> None:
    before = cli("--data-dir", str(shop_dir), "report", "analytics", *RANGE, "--json").json()
    run = cli("--data-dir", str(shop_dir), "report", "rebuild", "--json")
    assert run.code == EXIT_OK and run.json()["orders"] == 10
    assert (
        cli("--data-dir", str(shop_dir), "report", "analytics", *RANGE, "--json").json() == before
    )
    bad = cli("--data-dir", str(shop_dir), "report", "dashboard", "--from", "2026-11-16",
              "--to", "2026-11-10")  # fmt: skip
    assert bad.code == EXIT_USAGE and "--from 2026-11-16 is after --to 2026-11-10" in bad.err
    unknown = cli("--data-dir", str(shop_dir), "report", "dashboard", *RANGE, "--shop", "Nope")
    assert unknown.code == EXIT_ERROR and "No shop is named 'Nope'" in unknown.error_line()
    usage = cli("--data-dir", str(shop_dir), "report", "dashboard", "--from", "10/11/2026",
                "--to", "2026-11-16")  # fmt: skip
    assert usage.code == EXIT_USAGE and "is not a date" in usage.err


def test_without_dates_the_last_seven_days_as_the_app_opens(
    cli: Callable[..., Run], shop_dir: Path
) -> None:
    """No --from/--to: today and the 6 days before it (shop time), as Home and Analytics
    open; --to alone ends the same 7 days there."""
    today = datetime.now(shop_tz()).date()
    run = cli("--data-dir", str(shop_dir), "report", "dashboard", "--json")
    assert run.code == EXIT_OK, run.err
    data = run.json()
    assert (data["from"], data["to"]) == ((today - timedelta(days=6)).isoformat(),
                                          today.isoformat())  # fmt: skip
    run = cli("--data-dir", str(shop_dir), "report", "analytics", "--to", "2026-11-16", "--json")
    assert run.code == EXIT_OK, run.err
    assert (run.json()["from"], run.json()["to"]) == ("2026-11-10", "2026-11-16")
    assert run.json()["orders"]["current"] == 4  # the same figure as with RANGE


def test_a_till_count_is_not_recorded_when_its_output_cannot_be_made(
    qapp: object, cli: Callable[..., Run], data_dir: Path, tmp_path: Path
) -> None:
    """--counted with an Excel file in a missing folder or --print without a printer: the
    error comes before the count, so nothing is recorded (running again after fixing the
    path records the count once)."""
    base = ("--data-dir", str(data_dir), "report", "end-of-day", "--counted", "500000")
    missing = cli(*base, "--xlsx", str(tmp_path / "nowhere" / "eod.xlsx"))
    assert missing.code == EXIT_ERROR and "does not exist" in missing.error_line()
    no_printer = cli(*base, "--print")
    assert no_printer.code == EXIT_ERROR
    assert "No printer is chosen" in no_printer.error_line()
    no_folder = cli(*base, "--pdf", str(tmp_path / "nowhere" / "eod.pdf"))
    assert no_folder.code == EXIT_ERROR and "does not exist" in no_folder.error_line()
    assert table_count(data_dir, "till_closings") == 0
    fixed = cli(*base, "--xlsx", str(tmp_path / "eod.xlsx"))
    assert fixed.code == EXIT_OK, fixed.err
    assert table_count(data_dir, "till_closings") == 1


def test_an_output_failing_after_the_count_says_the_count_was_recorded(
    qapp: object, cli: Callable[..., Run], data_dir: Path
) -> None:
    """A receipt printer that does not answer fails only when printed to, after the count:
    the error says the count was recorded, so that it is not counted again."""
    import socket

    from primedist.config import resolve_settings
    from primedist.db.store import open_store
    from primedist.printing import store
    from primedist.printing.model import DocumentType, default_profile, parse_host_port
    from primedist.services import auth
    from primedist.services.context import ServiceContext

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = resolve_settings(data_dir)
    engine = open_store(settings)
    ctx = ServiceContext(engine, settings=settings)
    profile = replace(default_profile(DocumentType.RECEIPT),
                      target=parse_host_port(f"127.0.0.1:{port}"))  # fmt: skip
    store.save_profile(ctx.with_actor(auth.owner_actor(ctx)), profile)
    engine.dispose()
    run = cli("--data-dir", str(data_dir), "report", "end-of-day", "--counted", "500000",
              "--print")  # fmt: skip
    assert run.code == EXIT_ERROR
    line = run.error_line()
    assert "WAS recorded (counted 500,000, expected 0, difference +500,000)" in line
    assert "do not count it again" in line
    assert table_count(data_dir, "till_closings") == 1


def add_staff_member(data_dir: Path, email: str, modules: list[Module]) -> None:
    """A staff account with `modules` and its own password (STAFF_PASSWORD)."""
    settings = resolve_settings(data_dir)
    ctx = ServiceContext(open_store(settings), settings=settings)
    try:
        owner = ctx.with_actor(auth.owner_actor(ctx))
        issued = staff.add_staff(owner, name="Lan", email=email, role=Role.STAFF,
                                 modules=modules)  # fmt: skip
        lan = owner.with_actor(auth.login(owner, email, issued.one_time_password))
        staff.choose_password(lan, STAFF_PASSWORD)
    finally:
        ctx.engine.dispose()


def test_a_staff_members_dashboard_leaves_out_what_their_modules_do_not_show(
    cli: Callable[..., Run], shop_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_staff_member(shop_dir, "kho@shop.vn", [Module.PRODUCTS])
    add_staff_member(shop_dir, "moi@shop.vn", [])
    monkeypatch.setenv("PRIMEDIST_PASSWORD", STAFF_PASSWORD)
    d = ("--data-dir", str(shop_dir))
    run = cli(*d, "--user", "kho@shop.vn", "report", "dashboard", *RANGE, "--json")
    assert run.code == EXIT_OK, run.err
    data = run.json()
    assert data["todo"] == {"low_stock": 0, "no_revenue": 1}
    assert [data[k] for k in ("revenue", "gross_profit", "new_orders", "marketplaces",
                              "new_orders_by_channel", "customers_owe")] == [None] * 6
    text = cli(*d, "--user", "kho@shop.vn", "report", "dashboard", *RANGE).out
    assert "To do: low stock 0, no revenue 1" in text and "Revenue" not in text
    text = cli(*d, "--user", "moi@shop.vn", "report", "dashboard", *RANGE).out
    assert "To do" not in text and "No shop figures for this account" in text
