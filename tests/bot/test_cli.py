"""The ``sportello`` command itself: help on every option of every command, and its version."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from bot.cli import build_parser, main, version


def _parsers(parser: argparse.ArgumentParser, name: str = "sportello") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, parser
    for action in parser._actions:  # noqa: SLF001 - argparse keeps its sub-commands here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for sub_name, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {sub_name}")


def test_every_option_and_argument_of_every_command_has_help() -> None:
    missing = [
        f"{name}: {action.option_strings or action.dest}"
        for name, parser in _parsers(build_parser())
        for action in parser._actions  # noqa: SLF001
        if not isinstance(action, argparse._SubParsersAction) and not (action.help or "").strip()  # noqa: SLF001
    ]
    assert missing == []


def test_the_walk_reaches_the_nested_commands() -> None:
    names = {name for name, _ in _parsers(build_parser())}
    assert {"sportello report problems", "sportello users add", "sportello privacy erase", "sportello faq match"} <= names


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"sportello {version()}"
    assert version()[0].isdigit()
