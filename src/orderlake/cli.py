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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orderlake",
        description="Run the orderlake pipeline and its saved queries on a local lake.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{module.name}").register(subparsers)
    return parser


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
