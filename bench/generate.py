"""Generate the benchmark's day of CSV, timed: pools (Faker) and rows (Arrow) apart.

Run alone: python -m bench.generate LAKE_ROOT ROWS SEED [--result FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from bench import report
from orderlake.generator import GeneratorSettings, generate_csv, make_pools, raw_key
from orderlake.lake import Lake

RUN_DATE = dt.date(2026, 11, 21)


def generate(lake: Lake, rows: int, seed: int) -> dict[str, float]:
    """Write the day's CSV; time pools (Faker) and rows (Arrow) apart."""
    settings = GeneratorSettings(rows=rows, seed=seed)
    started = time.perf_counter()
    pools = make_pools(settings)
    pooled = time.perf_counter()
    data = generate_csv(RUN_DATE, settings, pools)
    path = Path(lake.roots["raw"]) / raw_key(
        lake.definition.tables["raw_orders"].prefix, RUN_DATE, settings.batch_id
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    done = time.perf_counter()
    return {
        "rows": rows,
        "csv_mb": len(data) / 1e6,
        "pools_s": pooled - started,
        "total_s": done - started,
        "rows_per_s": rows / (done - started),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lake", type=Path)
    parser.add_argument("rows", type=int)
    parser.add_argument("seed", type=int)
    parser.add_argument("--result", type=Path, help="write the figures here (JSON)")
    args = parser.parse_args(argv)
    report(generate(Lake.local(args.lake), args.rows, args.seed), args.result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
