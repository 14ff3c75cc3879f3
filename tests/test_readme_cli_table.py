"""README's command table gives each command only the options it takes: a row naming
several actions (`print receipt|invoice|packing-slip`) is read as each of them with every
option shown, so `customers debtors|account CODE [--chat]` (debtors has no --chat) fails."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from primedist.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"
GLOBAL_OPTIONS = {"--data-dir", "--user", "--demo"}


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings} | GLOBAL_OPTIONS


def table_commands() -> list[str]:
    """The code spans of the command cells of README's tables (`primedist …`)."""
    spans = []
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `primedist "):
            cell = line.split(" | ")[0]
            spans += [s.replace("\\|", "|") for s in re.findall(r"`([^`]*)`", cell)]
    return [s for s in spans if not s.startswith("-")]


def problems(span: str) -> list[str]:
    words = span.removeprefix("primedist ").split()
    parser = build_parser()
    while words and words[0] in _subcommands(parser):
        parser = _subcommands(parser)[words.pop(0)]
    actions = _subcommands(parser)
    if not actions:
        named = [parser]
    else:  # "debtors|account": each of them
        wanted = words[0].split("|") if words else []
        if not wanted or any(w not in actions for w in wanted):
            return [f"{span}: names no action of its command"]
        named = [actions[w] for w in wanted]
    given = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", span))
    return [
        f"{span}: {p.prog} takes no {', '.join(sorted(given - _options(p)))}"
        for p in named
        if given - _options(p)
    ]


def test_every_command_row_gives_options_its_commands_take() -> None:
    spans = table_commands()
    assert any(s.startswith("primedist customers account") for s in spans)
    assert [p for s in spans for p in problems(s)] == []
