"""Print a job's Glue arguments for a date over a local lake, one per line (for spark-submit).

python -m orderlake.jobs.arguments clean_orders 2026-11-21 .orderlake
"""

from __future__ import annotations

import sys

from orderlake.dates import parse_run_date
from orderlake.errors import OrderlakeError
from orderlake.jobs.registry import config_for
from orderlake.lake import Lake


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m orderlake.jobs.arguments JOB RUN_DATE LAKE_DIR", file=sys.stderr)
        return 2
    job, run_date, lake_dir = argv
    try:
        config = config_for(job, Lake.local(lake_dir), parse_run_date(run_date))
    except OrderlakeError as exc:
        print(f"orderlake: error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(config.to_arguments()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
