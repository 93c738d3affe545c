"""Every command the docs show exists, and every relative link resolves.

The fenced shell blocks of README.md and docs/*.md are read; in each command line, an
`orderlake SUBCOMMAND --flag ...` must name a subcommand and flags that the CLI's argparse
definitions have, and a `make TARGET` a target of the Makefile. Relative links must point at
files of the repository. So the docs cannot drift from the code."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from orderlake.cli import build_parser
from orderlake.cli import subcommands as cli_subcommands

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(bash|sh|shell|console)?\s*$(.*?)^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    return cli_subcommands(build_parser())


def command_lines(markdown: str) -> list[str]:
    lines: list[str] = []
    for _, body in FENCE.findall(markdown):
        joined = re.sub(r"\\\n\s*", " ", body)
        lines += [line.strip().removeprefix("$ ") for line in joined.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


OPERATORS = {"&&", "||", "|", ";", "then", "do", "time", "exec", "sudo"}


def at_command_position(words: list[str], i: int) -> bool:
    """words[i] is run as a command: first in its line or after an operator, past any
    NAME=value assignments (`ORDERLAKE_X=1 orderlake run`)."""
    j = i - 1
    while j >= 0 and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[j]):
        j -= 1
    return j < 0 or words[j] in OPERATORS


def command_problems(
    line: str, commands: dict[str, argparse.ArgumentParser], targets: set[str]
) -> list[str]:
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        return []  # not shell (a heredoc body, an HCL snippet): nothing to check
    problems = []
    for i, word in enumerate(words):
        if word.rsplit("/", 1)[-1] == "orderlake" and at_command_position(words, i):
            rest = words[i + 1 :]
            if not rest or rest[0].startswith("-"):
                continue
            name, args = rest[0], []
            for arg in rest[1:]:
                if arg in {"&&", "||", "|", ";"} or arg.startswith(("|", ";")):
                    break
                args.append(arg)
            if name not in commands:
                problems.append(f"`orderlake {name}`: no such command")
                continue
            known = {o for a in commands[name]._actions for o in a.option_strings}
            for arg in args:
                flag = arg.split("=", 1)[0]
                if flag.startswith("--") and flag not in known:
                    problems.append(f"`orderlake {name} {flag}`: no such option")
        if word == "make" and at_command_position(words, i):
            for arg in words[i + 1 :]:
                if arg in {"&&", "||", "|", ";"} or arg.startswith("-"):
                    break
                if "=" not in arg and arg not in targets:
                    problems.append(f"`make {arg}`: no such target")
    return problems


def link_problems(markdown: str, source: Path) -> list[str]:
    problems = []
    for target in LINK.findall(markdown):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = (source.parent / target.split("#", 1)[0]).resolve()
        if not path.exists():
            problems.append(f"link {target}: no such file")
    return problems


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_documented_command_exists(doc, make_targets):
    commands, targets = subcommands(), make_targets
    text = doc.read_text()
    problems = [
        p for line in command_lines(text) for p in command_problems(line, commands, targets)
    ]
    assert not problems, problems


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(doc):
    assert not link_problems(doc.read_text(), doc)


def test_the_check_catches_a_wrong_flag_a_wrong_target_and_a_broken_link(tmp_path, make_targets):
    doc = (
        "```bash\n.venv/bin/orderlake run --date 2026-11-21 --no-such-flag\n"
        "make no-such-target ROWS=5\norderlake no-such-command\n```\n[gone](missing.md)\n"
    )
    commands, targets = subcommands(), make_targets
    problems = [p for line in command_lines(doc) for p in command_problems(line, commands, targets)]
    assert problems == [
        "`orderlake run --no-such-flag`: no such option",
        "`make no-such-target`: no such target",
        "`orderlake no-such-command`: no such command",
    ]
    assert link_problems(doc, tmp_path / "page.md") == ["link missing.md: no such file"]
