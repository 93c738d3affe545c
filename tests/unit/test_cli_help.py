"""`orderlake --help` lists the commands in the order a user meets them, and each command's
--help ends with an example that the command's own parser accepts."""

from __future__ import annotations

import argparse
import shlex

import pytest

from orderlake.cli import EXAMPLES, build_parser, subcommands


def subparsers() -> dict[str, argparse.ArgumentParser]:
    return subcommands(build_parser())


def test_commands_are_listed_in_the_order_a_user_meets_them():
    assert list(subparsers())[:5] == ["run", "query", "quarantine", "runs", "backfill"]


def test_every_command_has_an_example():
    assert set(subparsers()) == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_is_in_its_help_and_parses(name):
    command = subparsers()[name]
    assert command.format_help().rstrip().endswith(f"example: {EXAMPLES[name]}")
    words = shlex.split(EXAMPLES[name])
    assert words[:2] == ["orderlake", name]
    args = build_parser().parse_args(words[1:])  # SystemExit on an unknown flag or value
    assert args.command == name
