"""Mistakes on the command line exit 2 with one line, for every command alike, and before
the store is opened: a --from/--to range that ends before it starts, a malformed date, and
options that do not go together. The data dir named does not even exist here: a command
that opened the store first would exit 1 (no shop there) instead."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_USAGE, build_parser
from primedist.core.clock import shop_tz

#: Every command taking --from/--to, with what it needs besides them ({tmp}: a folder).
RANGE_COMMANDS: dict[tuple[str, ...], list[str]] = {
    ("export", "orders"): ["{tmp}/orders.xlsx"],
    ("report", "dashboard"): [],
    ("report", "analytics"): [],
    ("audit",): [],
    ("sync",): ["--shop", "Shopee"],
    ("price-schedule", "add"): ["Sale", "+10%", "--all"],
}
#: Commands whose --to is no range end: `migrate --to URL` (the database to copy into).
NOT_RANGES = {("migrate",)}


def commands_with(parser: argparse.ArgumentParser, options: set[str],
                  path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:  # fmt: skip
    """The (sub)commands of the parser having one of these options."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands_with(sub, options, (*path, name))
        elif options & set(action.option_strings):
            yield path


def test_the_list_holds_every_command_taking_a_range() -> None:
    """A new command with --from/--to must be added to RANGE_COMMANDS (and so checked)."""
    found = set(commands_with(build_parser(), {"--from", "--to"})) - NOT_RANGES
    assert found == set(RANGE_COMMANDS)


def run_in_nowhere(cli: Any, tmp_path: Path, *argv: str) -> Any:
    nowhere = tmp_path / "no-shop-here"
    run = cli("--data-dir", str(nowhere), *argv)
    assert not nowhere.exists(), "the store was opened before the arguments were checked"
    return run


def command_line(command: tuple[str, ...], tmp_path: Path) -> list[str]:
    return [*command, *(a.format(tmp=tmp_path) for a in RANGE_COMMANDS[command])]


@pytest.mark.parametrize("command", list(RANGE_COMMANDS), ids=" ".join)
def test_a_range_ending_before_it_starts(
    cli: Any, tmp_path: Path, command: tuple[str, ...]
) -> None:
    run = run_in_nowhere(cli, tmp_path, *command_line(command, tmp_path),
                         "--from", "2027-05-10", "--to", "2027-05-01")  # fmt: skip
    assert run.code == EXIT_USAGE, run.err
    line = run.error_line()
    assert "--from 2027-05-10" in line and "--to 2027-05-01" in line, line
    assert line.endswith("(see `primedist --help`)")


@pytest.mark.parametrize("command", list(RANGE_COMMANDS), ids=" ".join)
@pytest.mark.parametrize("option", ["--from", "--to"])
def test_a_date_that_is_no_date(cli: Any, tmp_path: Path, command: tuple[str, ...],
                                option: str) -> None:  # fmt: skip
    other = "--to" if option == "--from" else "--from"
    run = run_in_nowhere(cli, tmp_path, *command_line(command, tmp_path), option, "2027-02-30",
                         *([other, "2027-03-01"] if other == "--from" else []))  # fmt: skip
    assert run.code == EXIT_USAGE, run.err
    assert f"argument {option}: '2027-02-30' is not a" in run.error_line()


def test_a_one_day_range_is_fine(cli: Any, tmp_path: Path) -> None:
    """--from D --to D is one day, not a reversed range: past the checks, to the store."""
    run = run_in_nowhere(cli, tmp_path, "audit", "--from", "2026-05-01", "--to", "2026-05-01")
    assert "There is no shop in" in run.error_line()


def future_day(days: int = 3) -> str:
    return f"{datetime.now(shop_tz()).date() + timedelta(days=days):%Y-%m-%d}"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["report", "dashboard", "--from", "FUTURE"], "is after --to (default: today"),
        (["report", "analytics", "--from", "FUTURE"], "is after --to (default: today"),
        (["price-schedule", "add", "X", "+10%", "--all", "--from", "2027-05-10 10:00",
          "--to", "2027-05-10 10:00"], "--to 2027-05-10 10:00 is not after --from"),
        (["sync", "--to", "2026-05-01"], "--to needs --from (see"),
        (["sync", "--from", "2026-05-01"], "Re-fetching a date range needs --shop NAME (see"),
        (["sync", "--shop", "Shopee", "--from", "FUTURE"], "is in the future (see"),
        (["sync", "--loop", "--shop", "Shopee"], "--loop syncs every shop on schedule"),
        (["sync", "--loop", "--from", "2026-05-01", "--shop", "A"], "it takes no --shop"),
        (["report", "end-of-day", "--float", "500000"], "--float goes with --counted"),
        (["report", "end-of-day", "--note", "x", "--float", "1"], "--float and --note go with"),
        (["report", "end-of-day", "--date", "2026-02-30"], "'2026-02-30' is not a date"),
        (["purchase-orders", "add", "--supplier", "A", "--line", "A:1", "--expected",
          "31/12/2026"], "'31/12/2026' is not a date"),
        (["shop", "authorize", "Shopee"], "Give --code (and --shop-id for Shopee), or --url"),
        (["shop", "authorize", "Shopee", "--url", "http://x/?code=a", "--code", "a"],
         "not both"),
        (["shop", "add", "--channel", "shopee", "--name", "S", "--partner-id", "7"],
         "PRIMEDIST_APP_SECRET"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)  # fmt: skip
def test_options_that_do_not_go_together(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], said: str
) -> None:
    monkeypatch.delenv("PRIMEDIST_APP_SECRET", raising=False)
    monkeypatch.delenv("PRIMEDIST_PARTNER_KEY", raising=False)
    argv = [future_day() if a == "FUTURE" else a for a in argv]
    run = run_in_nowhere(cli, tmp_path, *argv)
    assert run.code == EXIT_USAGE, run.err
    assert said in run.error_line()
    assert ". (see" not in run.error_line()  # the message's full stop is not doubled


def test_the_same_on_a_real_shop_changes_nothing(cli: Any, data_dir: Path) -> None:
    """On a shop the reversed range is the same exit 2, and nothing is written (the store
    is not even opened: no audit row, no migration)."""
    from tests.cli_support import table_count

    before = table_count(data_dir, "audit_events")
    run = cli("--data-dir", str(data_dir), "report", "analytics", "--from", "2026-11-16",
              "--to", "2026-11-10", "--json")  # fmt: skip
    assert run.code == EXIT_USAGE
    assert run.error_line() == ("primedist: error: --from 2026-11-16 is after --to 2026-11-10 "
                                "(see `primedist --help`)")  # fmt: skip
    assert table_count(data_dir, "audit_events") == before
