"""Benchmark: the pipeline's Spark jobs against the same work in DuckDB, on N generated rows.

    python -m bench --rows 1000000 --reps 3        (make bench ROWS=1000000 REPS=3)
    python -m bench --sizes 1e3,1e5,1e6 --reps 3   (a ladder: a table per size, a log-log PNG)
    python -m bench --rows 1000 --reps 1 --profile (clean_orders' Spark actions, bench/profile.py)

Generates one day as CSV into a temporary lake (timed: the generator's rows/s), then per
repetition runs the three jobs in one Spark session in a subprocess and the DuckDB reference
in another, so each side's peak memory is its own (the Spark JVM is a child of the Spark
subprocess and is reaped before it exits). The outputs must agree (bench/compare.py) before
any figure is printed, and each prints two ratios: equal work (the headline) and against
DuckDB's core work alone; figures also go to bench/results/<timestamp>-<rows>.json. With
--floors, each repetition also runs bench/floors.py (plain Spark work of each kind) in a
process of its own, after the two sides, and prints it against DuckDB's total.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.compare import compare_outputs, partition_files
from bench.floors import FLOORS
from bench.generate import RUN_DATE
from bench.profile import profile_lines
from bench.spark_side import JOBS
from orderlake.lake import Lake

RESULTS = Path(__file__).resolve().parent / "results"


def _side(module: str, args: list[str], result: Path, env: dict[str, str]) -> dict:
    """Run one side in its own process; its JSON report plus the whole process's wall."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", module, *args, "--result", str(result)],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        log = result.with_suffix(".stderr.log")
        log.write_text(proc.stderr)
        raise SystemExit(f"{module} failed (whole log: {log}):\n{proc.stderr[-3000:]}")
    report = json.loads(result.read_text())
    report["process_s"] = wall
    return report


def _stats(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


CORE = "core_total"


def summarise(reps: list[dict], rows: int, csv_mb: float) -> dict:
    """Per job and in total: wall min/median/max, rows/s and CSV MB/s at the median, peak
    memory (max over reps) and the ratio of Spark's median to DuckDB's. `jobs_total` is the
    headline: both sides do the same work. `core_total` sets the Spark jobs' total against
    DuckDB's core work alone (validate, quarantine, dedupe, enrich, Parquet, aggregates:
    without the row accounting and the rules' metrics), the basis of figures measured before
    the reference did equal work."""
    table: dict[str, dict] = {}
    names = [*JOBS, "jobs_total", CORE, "process_total", "process_cpu"]
    if not all("core" in r["duckdb"] for r in reps):
        names.remove(CORE)
    for name in names:
        row: dict[str, dict] = {}
        for side in ("spark", "duckdb"):
            if name == CORE and side == "duckdb":
                values = [sum(r[side]["core"].values()) for r in reps]
            elif name in ("jobs_total", CORE):
                values = [sum(r[side]["jobs"].values()) for r in reps]
            elif name == "process_total":
                values = [r[side]["process_s"] for r in reps]
            elif name == "process_cpu":
                values = [r[side]["cpu_s"] for r in reps]
            else:
                values = [r[side]["jobs"][name] for r in reps]
            stats = _stats(values)
            stats["rows_per_s"] = rows / stats["median"]
            stats["csv_mb_per_s"] = csv_mb / stats["median"]
            row[side] = stats
        row["ratio"] = row["spark"]["median"] / row["duckdb"]["median"]
        table[name] = row
    table["peak_rss_mb"] = {
        # Driver and JVM peaks added: an upper bound of the side's memory at any one time.
        "spark": max(
            r["spark"]["driver_peak_rss_mb"] + r["spark"]["jvm_peak_rss_mb"] for r in reps
        ),
        "spark_jvm": max(r["spark"]["jvm_peak_rss_mb"] for r in reps),
        "duckdb": max(r["duckdb"]["peak_rss_mb"] for r in reps),
    }
    table["peak_rss_mb"]["ratio"] = table["peak_rss_mb"]["spark"] / table["peak_rss_mb"]["duckdb"]
    if all("floors" in r for r in reps):
        duckdb_total = table["jobs_total"]["duckdb"]["median"]
        table["floors"] = {}
        for name in FLOORS:
            stats = _stats([r["floors"]["floors"][name] for r in reps])
            stats["ratio"] = stats["median"] / duckdb_total
            table["floors"][name] = stats
    return table


def print_report(result: dict) -> None:
    gen, summary = result["generator"], result["summary"]
    print(
        f"\ngenerator: {gen['rows']:,} rows, {gen['csv_mb']:.0f} MB CSV in {gen['total_s']:.2f} s "
        f"({gen['rows_per_s']:,.0f} rows/s; Faker pools {gen['pools_s']:.2f} s)"
    )
    print(f"{len(result['reps'])} repetition(s), master {result['master']}, load {result['load']}")
    head = f"{'job':22} {'spark min/med/max s':>22} {'duckdb med s':>12} {'ratio':>6}"
    print(f"\n{head} {'spark rows/s':>13} {'spark CSV MB/s':>14}")
    for name in [*JOBS, "jobs_total", CORE, "process_total", "process_cpu"]:
        if name not in summary:
            continue
        row = summary[name]
        spark, duck = row["spark"], row["duckdb"]
        span = f"{spark['min']:.1f}/{spark['median']:.1f}/{spark['max']:.1f}"
        print(
            f"{name:22} {span:>22} {duck['median']:>12.1f} {row['ratio']:>6.2f} "
            f"{spark['rows_per_s']:>13,.0f} {spark['csv_mb_per_s']:>14.1f}"
        )
    print(f"\n{ratio_line(summary)}")
    mem = summary["peak_rss_mb"]
    print(
        f"\npeak memory: spark {mem['spark']:.0f} MB (JVM {mem['spark_jvm']:.0f} MB + driver), "
        f"duckdb {mem['duckdb']:.0f} MB, ratio {mem['ratio']:.2f}"
    )
    print(
        f"(each side's peak includes the harness's {result['harness_rss_mb']:.0f} MB it was "
        "forked from)"
    )
    if "floors" in summary:
        print(
            "\nSpark floors (plain Spark work of each kind, one session; a yardstick, "
            "outputs not compared):"
        )
        print(f"{'step':18} {'min/med/max s':>17} {'x DuckDB total':>14}  what")
        for name, what in FLOORS.items():
            row = summary["floors"][name]
            span = f"{row['min']:.2f}/{row['median']:.2f}/{row['max']:.2f}"
            print(f"{name:18} {span:>17} {row['ratio']:>14.3f}  {what}")
    print("\nfiles per partition (Spark lake):")
    for table, files in result["partition_files"].items():
        print(
            f"  {table:24} {files['files']:>3} file(s), {files['min_mb']:.2f}-{files['max_mb']:.2f}"
            f" MB each, {files['total_mb']:.1f} MB"
        )


def _ratio_span(summary: dict, name: str) -> str:
    """Spark's min/median/max over DuckDB's median: `4.10/4.20/4.40`."""
    row = summary[name]
    duck = row["duckdb"]["median"]
    return "/".join(f"{row['spark'][k] / duck:.2f}" for k in ("min", "median", "max"))


def ratio_line(summary: dict) -> str:
    """The two ratios of the Spark jobs' wall (min/median/max) to DuckDB's median: equal work
    (the headline), and against DuckDB's core work alone."""
    line = f"ratio Spark / DuckDB, equal work (headline): {_ratio_span(summary, 'jobs_total')}"
    if CORE in summary:
        line += f"; against DuckDB's core work alone: {_ratio_span(summary, CORE)}"
    return line + " (Spark min/median/max over DuckDB's median)"


def parse_sizes(text: str) -> list[int]:
    """`1e3,1e5,1_000_000` -> [1000, 100000, 1000000]: whole row counts, ascending, unique."""
    sizes = []
    for part in text.split(","):
        try:
            value = float(part.strip().replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a row count: {part!r}") from None
        if value < 1 or value != int(value):
            raise argparse.ArgumentTypeError(f"not a whole number of rows >= 1: {part!r}")
        sizes.append(int(value))
    return sorted(set(sizes))


def ladder_lines(results: list[dict]) -> list[str]:
    """One line per size: the jobs' wall min/median/max, clean_orders' median, DuckDB's
    median and the ratio of the medians (jobs_total, as in each size's own table)."""
    lines = [
        f"{'rows':>12} {'reps':>4} {'spark jobs min/med/max s':>26} {'clean_orders med s':>18}"
        f" {'duckdb med s':>12} {'ratio':>6} {'duckdb core med s':>17} {'core ratio':>10}"
    ]
    for result in results:
        summary = result["summary"]
        total = summary["jobs_total"]
        spark = total["spark"]
        span = f"{spark['min']:.2f}/{spark['median']:.2f}/{spark['max']:.2f}"
        clean = summary["clean_orders"]["spark"]["median"]
        core = (
            f"{summary[CORE]['duckdb']['median']:>17.2f} {summary[CORE]['ratio']:>10.2f}"
            if CORE in summary
            else f"{'-':>17} {'-':>10}"
        )
        lines.append(
            f"{result['rows']:>12,} {len(result['reps']):>4} {span:>26} {clean:>18.2f}"
            f" {total['duckdb']['median']:>12.2f} {total['ratio']:>6.2f} {core}"
        )
    return lines


def plot_ladder(results: list[dict], out: Path) -> Path:
    """Log-log PNG of wall seconds against rows: the Spark jobs' median (bars: min to max),
    clean_orders' median and DuckDB's median."""
    import matplotlib

    matplotlib.use("Agg")  # no display: the bench runs in terminals and CI
    from matplotlib import pyplot as plt

    rows = [r["rows"] for r in results]
    total = [r["summary"]["jobs_total"] for r in results]
    spark_med = [t["spark"]["median"] for t in total]
    spark_err = [
        [t["spark"]["median"] - t["spark"]["min"] for t in total],
        [t["spark"]["max"] - t["spark"]["median"] for t in total],
    ]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.errorbar(rows, spark_med, yerr=spark_err, marker="o", capsize=3, label="Spark jobs")
    ax.plot(
        rows,
        [r["summary"]["clean_orders"]["spark"]["median"] for r in results],
        marker=".",
        linestyle="--",
        label="Spark clean_orders",
    )
    ax.plot(rows, [t["duckdb"]["median"] for t in total], marker="s", label="DuckDB reference")
    if all(CORE in r["summary"] for r in results):
        ax.plot(
            rows,
            [r["summary"][CORE]["duckdb"]["median"] for r in results],
            marker="s",
            linestyle=":",
            label="DuckDB, core work alone",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rows in the day")
    ax.set_ylabel("wall seconds (median; bars min-max)")
    first = results[0]
    ax.set_title(f"orderlake bench, {first['master']}, {first['at']}, load {first['load']}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def run_size(args: argparse.Namespace, rows: int, work: Path, env: dict[str, str]) -> dict | None:
    """Generate a day of `rows`, run the repetitions, check the outputs agree, print the
    table and write the JSON; the result, or None if the outputs differ."""
    lake = Lake.local(work / "lake")
    print(f"generating {rows:,} rows into {work} ...", flush=True)
    # In its own process too: a child's peak RSS starts from its parent's at fork time, so
    # the harness stays small and the day's CSV never sits in its memory.
    gen = _side(
        "bench.generate",
        [str(work / "lake"), str(rows), str(args.seed)],
        work / "generate.json",
        env,
    )
    raw_day = Path(lake.table_partition("raw_orders", RUN_DATE))
    reps = []
    for rep in range(args.reps):
        spark = _side(
            "bench.spark_side",
            [str(work / "lake"), RUN_DATE.isoformat(), *(["--profile"] if args.profile else [])],
            work / "spark.json",
            env,
        )
        duck = _side(
            "bench.duckdb_reference",
            [str(raw_day), str(work / "duckdb"), RUN_DATE.isoformat()],
            work / "duckdb.json",
            env,
        )
        problems = compare_outputs(lake, work / "duckdb", RUN_DATE)
        if problems:
            print("Spark and DuckDB outputs differ; no figures reported:", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            return None
        print(
            f"rep {rep + 1}: outputs agree; spark {spark['process_s']:.1f} s, "
            f"duckdb {duck['process_s']:.1f} s",
            flush=True,
        )
        rep_figures = {"spark": spark, "duckdb": duck}
        for job, profile in spark.get("profiles", {}).items():
            print(f"\nrep {rep + 1}: {job}'s Spark actions ({rows:,} rows):")
            print("\n".join(profile_lines(profile)), flush=True)
        if args.floors:
            rep_figures["floors"] = _side(
                "bench.floors",
                [str(raw_day), str(work / "floors")],
                work / "floors.json",
                env,
            )
            print(f"rep {rep + 1}: floors {rep_figures['floors']['process_s']:.1f} s")
        reps.append(rep_figures)
    result = {
        "rows": rows,
        "harness_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "master": args.master,
        "driver_memory": args.driver_memory or "default",
        "machine": f"{platform.node()} {os.cpu_count()} cpu",
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "generator": gen,
        "reps": reps,
        "summary": summarise(reps, rows, gen["csv_mb"]),
        "partition_files": partition_files(lake, RUN_DATE),
    }
    print_report(result)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{result['at'].replace(':', '')}-{rows}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"\nfigures written to {out}")
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Spark jobs vs the DuckDB reference")
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--rows", type=int, help="one size (default 1,000,000)")
    sizes.add_argument(
        "--sizes",
        type=parse_sizes,
        help="a ladder of sizes in one run, e.g. 1e3,1e5,1e6 (a table each, then a log-log PNG)",
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--master", default=os.environ.get("ORDERLAKE_SPARK_MASTER", "local[2]"))
    parser.add_argument(
        "--driver-memory", help="Spark driver heap for the bench (default: orderlake.spark's)"
    )
    parser.add_argument("--workdir", type=Path, help="keep the lakes here (default: a temp dir)")
    parser.add_argument(
        "--floors",
        action="store_true",
        help="also time plain Spark work of each kind (bench/floors.py) per repetition",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print clean_orders' Spark actions (wall s, rows, Spark jobs) per repetition",
    )
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.sizes = args.sizes or [args.rows if args.rows is not None else 1_000_000]
    if min(args.sizes) < 1 or args.reps < 1:
        parser.error("--rows and --reps must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="orderlake-bench-"))
    env = {**os.environ, "ORDERLAKE_SPARK_MASTER": args.master}
    if args.driver_memory:
        env["ORDERLAKE_BENCH_DRIVER_MEMORY"] = args.driver_memory
    try:
        results = []
        for rows in args.sizes:
            # One lake per size under a ladder; a single size keeps today's layout.
            result = run_size(args, rows, work / str(rows) if len(args.sizes) > 1 else work, env)
            if result is None:
                return 1
            results.append(result)
        print(
            "\nSpark jobs total against DuckDB's (equal work; core: DuckDB's core work alone), "
            "wall seconds, per size:"
        )
        print("\n".join(ladder_lines(results)))
        stem = results[0]["at"].replace(":", "")
        sizes = "-".join(str(rows) for rows in args.sizes)
        print(f"plot written to {plot_ladder(results, RESULTS / f'{stem}-ladder-{sizes}.png')}")
        return 0
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
