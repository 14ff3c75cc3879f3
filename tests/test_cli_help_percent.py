"""Help texts show a percent sign once: argparse %-formats `help=` (where "%%" is one "%")
but not `description=` (where "%%" would show as typed)."""

from __future__ import annotations

import argparse
from typing import Any

from primedist.cli import EXIT_OK, build_parser


def every_parser(parser: argparse.ArgumentParser, path: str) -> list[tuple[str, str]]:
    """(command, its --help text) of the parser and of all its subcommands."""
    found = [(path, parser.format_help())]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += every_parser(sub, f"{path} {name}")
    return found


def test_prices_help_shows_single_percent_signs(cli: Any) -> None:
    run = cli("prices", "--help")
    assert run.code == EXIT_OK
    text = " ".join(run.out.split())
    assert "+N% or -N% (a percentage)" in text and "also N%off (that much off" in text
    assert "=150000 (or =150k), +10%, -5%, +5000, -2k, 20%off or remove" in text  # help=: formatted
    assert "%%" not in run.out


def test_no_help_text_shows_a_double_percent() -> None:
    doubled = [path for path, text in every_parser(build_parser(), "primedist") if "%%" in text]
    assert doubled == []
