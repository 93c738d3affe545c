"""The `orderlake` command. Each subcommand lives in `orderlake.commands.<name>` and
registers itself there (`register(subparsers)`), so commands are added without editing here."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from orderlake import commands
from orderlake.errors import OrderlakeError

# The order a user meets the commands in: a day, its answers and rejects, what ran, many days,
# the schedule and its deadline, then the parts on their own. Modules not listed follow.
ORDER = (
    "run", "query", "quarantine", "runs", "backfill", "schedule", "check_freshness", "crawl",
    "load_warehouse",
)  # fmt: skip
# One example per command, shown at the end of its --help (tests/unit/test_cli_help.py parses
# each one, so an example cannot name a flag the command lacks).
EXAMPLES = {
    "run": "orderlake run --date 2026-11-21 --rows 5000",
    "query": "orderlake query top_products_by_revenue --param dt=2026-11-21",
    "quarantine": "orderlake quarantine --date 2026-11-21 --reason invalid_quantity",
    "runs": "orderlake runs --date 2026-11-21 --state FAILED",
    "backfill": "orderlake backfill --from 2026-11-01 --to 2026-11-07",
    "schedule": "orderlake schedule --since 2026-11-20",
    "check-freshness": "orderlake check-freshness --now 2026-11-22T06:30:00",
    "crawl": "orderlake crawl",
    "load-warehouse": "orderlake load-warehouse --date 2026-11-21 --create-tables",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orderlake",
        description="Run the orderlake pipeline and its saved queries on a local lake.",
        epilog="`orderlake COMMAND --help` shows a command's options and an example.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    found = {module.name for module in pkgutil.iter_modules(commands.__path__)}
    for name in [*(n for n in ORDER if n in found), *sorted(found - set(ORDER))]:
        importlib.import_module(f"{commands.__name__}.{name}").register(subparsers)
    for name, command in subparsers.choices.items():
        if name in EXAMPLES:
            command.epilog = f"example: {EXAMPLES[name]}"
    return parser


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each command's name and parser, in the order `orderlake --help` lists them."""
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except OrderlakeError as exc:
        print(f"orderlake: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("orderlake: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
