"""The benchmark harness: Spark jobs and the DuckDB reference agree, and the check can fail."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pytest

# bench/ lives beside src/, not inside the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.compare import compare_outputs, partition_files  # noqa: E402
from bench.duckdb_reference import run_reference  # noqa: E402
from bench.floors import FLOORS, run_floors  # noqa: E402
from bench.generate import RUN_DATE, generate  # noqa: E402
from bench.profile import profile_lines  # noqa: E402
from bench.run import ladder_lines, parse_args, plot_ladder, ratio_line, summarise  # noqa: E402
from bench.spark_side import JOBS, run_jobs  # noqa: E402
from orderlake import schema as S  # noqa: E402
from orderlake.lake import Lake  # noqa: E402

_HEADER = ",".join(S.RAW_COLUMNS)
# Beside the generated day, a file of what RFC 4180 allows and what breaks it, each a case
# where the reference must read records exactly as Spark does (orderlake.csv_records).
HOSTILE = "\n".join(
    [
        _HEADER,
        # an escaped quote and a comma; a backslash before the closing quote; ISO 8601 times
        'H-1,C1,Ann,ann@example.com,P1,"12"" Pizza Stone, large",Home,2,10.00,USD,'
        "2026-11-21T10:00:00Z,completed,card,US",
        'H-2,C1,Ann,ann@example.com,P2,"Folders, C:\\",Office,1,3.50,USD,'
        "2026-11-21 23:30:00.5,completed,card,US",
        # a quoted line break: one record over two lines
        'H-3,C2,Bob,bob@example.com,P3,"Mug',
        'gift set",Home,1,5.00,USD,2026-11-22T01:00:00+02:00,abandoned,card,US',
        # two stray quotes with no record between: they pair into one record
        'H-4,C2,Bob,bob@example.com,P4,"Lamp,Home,1,5.00,USD,2026-11-21 10:00:00,completed,card,US',
        'H-5,C3,Cy,cy@example.com,P5,Pen",Office,1,1.00,USD,2026-11-21 10:00:00,completed,card,US',
        "",
        # an exact repeat (dropped) and a conflicting one (quarantined)
        'H-1,C1,Ann,ann@example.com,P1,"12"" Pizza Stone, large",Home,2,10.00,USD,'
        "2026-11-21T10:00:00Z,completed,card,US",
        'H-2,C1,Ann,ann@example.com,P2,"Folders, C:\\",Office,3,3.50,USD,'
        "2026-11-21 23:30:00.5,completed,card,US",
        "H-7,C4,Di,di@example.com,P7,Tea,Grocery,1,2.00,USD,2026-11-21 11:00:00,completed,card,US",
        # P1 under another name and category: product_daily keeps the pair of the largest name
        "H-11,C4,Di,di@example.com,P1,Zz Stone,Aaa,1,2.00,USD,2026-11-21 11:00:00,completed,card,"
        "US",
        # a stray quote followed by whole records, a quoted line break in a line one field
        # short (two lines, neither a record), and a quote never closed before the end
        'H-8,C4,Di,di@example.com,P8,"Cup,Home,1,1.00,USD,2026-11-21 10:00:00,completed,card,US',
        "H-9,C4,Di,di@example.com,P9,Tea,Grocery,1,2.00,USD,2026-11-21 11:00:00,completed,card,US",
        'H-10,C4,Di,di@example.com,P10,"Bowl',
        'set",Home,1,1.00,USD,2026-11-21 10:00:00,completed,card',
        'H-6,C4,Di,di@example.com,P6,"Never closed,Home,1,1.00,USD,2026-11-21 10:00:00,completed',
    ]
)


@pytest.fixture(scope="module")
def both_sides(spark, tmp_path_factory):
    work = tmp_path_factory.mktemp("bench")
    lake = Lake.local(work / "lake")
    stats = generate(lake, rows=2000, seed=7)
    raw_day = Path(lake.table_partition("raw_orders", RUN_DATE))
    (raw_day / "orders-hostile.csv").write_text(HOSTILE + "\n")
    timings = run_jobs(spark, work / "lake", RUN_DATE)
    reference = run_reference(raw_day, work / "duckdb", RUN_DATE)
    return lake, work / "duckdb", stats, timings, reference


def test_the_reference_reads_records_as_the_cleaner_does(both_sides):
    """The hostile file's records, rows and accounting in the reference (Spark's are equal:
    the first test)."""
    reference = both_sides[1]
    con = duckdb.connect()
    where = "where source_file like '%hostile%'"
    orders = dict(
        con.execute(
            f"select order_id, line_number from '{reference}/orders.parquet' {where}"
        ).fetchall()
    )
    assert orders == {"H-1": 2, "H-2": 3, "H-3": 4, "H-4": 6, "H-7": 11, "H-11": 12, "H-9": 14}
    names = dict(
        con.execute(
            f"select order_id, product_name from '{reference}/orders.parquet' {where}"
        ).fetchall()
    )
    assert names["H-1"] == '12" Pizza Stone, large' and names["H-2"] == "Folders, C:\\"
    assert names["H-3"] == "Mug\ngift set" and names["H-4"].endswith(
        "\nH-5,C3,Cy,cy@example.com,P5,Pen"
    )
    quarantined = con.execute(
        f"select line_number, reason, order_id, kept_line_number "
        f"from '{reference}/quarantine.parquet' {where} order by line_number"
    ).fetchall()
    assert quarantined == [
        (10, "conflicting_duplicate", "H-2", 3),
        (13, "unparsable_line", "H-8", None),
        (15, "unparsable_line", "H-10", None),
        (16, "unparsable_line", "set", None),  # a broken line's first field, as Spark reads it
        (17, "unparsable_line", "H-6", None),
    ]
    product = con.execute(
        f"select product_name, category from '{reference}/product_daily.parquet' "
        "where product_id = 'P1'"
    ).fetchall()
    assert product == [("Zz Stone", "Aaa")]
    accounting = json.loads((reference / "dq_results.json").read_text())
    hostile = next(f for f in accounting["files"] if "hostile" in f["source_file"])
    # 13 records after the header (H-3 and H-4/H-5 two lines each, the empty line no row)
    assert (hostile["rows_read"], hostile["rows_curated"]) == (13, 7)
    assert (hostile["rows_quarantined"], hostile["duplicates_dropped"]) == (5, 1)
    assert both_sides[4]["core"]["clean_orders"] < both_sides[4]["jobs"]["clean_orders"]


def test_spark_and_duckdb_agree_on_every_aggregate(both_sides):
    lake, reference, stats, timings, ref_timings = both_sides
    assert compare_outputs(lake, reference, RUN_DATE) == []
    assert stats["rows"] == 2000 and stats["csv_mb"] > 0
    assert (
        set(timings)
        == set(ref_timings["jobs"])
        == set(ref_timings["core"])
        == {
            "clean_orders",
            "aggregate_products",
            "aggregate_customers",
        }
    )
    files = partition_files(lake, RUN_DATE)
    assert files["product_daily"]["files"] == 1


def _copy_of(reference: Path, tmp_path: Path) -> Path:
    """A copy of the reference's outputs, for a test to tamper with."""
    tampered = tmp_path / "duckdb"
    tampered.mkdir()
    for table in reference.iterdir():
        (tampered / table.name).write_bytes(table.read_bytes())
    return tampered


def test_a_one_cent_difference_is_reported(both_sides, tmp_path):
    lake, reference, *_ = both_sides
    tampered = _copy_of(reference, tmp_path)
    duckdb.execute(
        "copy (select * replace (revenue + 0.01 as revenue)"
        f" from '{reference}/product_daily.parquet')"
        f" to '{tampered}/product_daily.parquet' (format parquet)"
    )
    problems = compare_outputs(lake, tampered, RUN_DATE)
    assert any(p.startswith("product_daily:") and "spark only" in p for p in problems)
    assert any(p.startswith("product_daily:") and "duckdb only" in p for p in problems)


def test_a_missing_quarantined_row_is_reported(both_sides, tmp_path):
    lake, reference, *_ = both_sides
    tampered = _copy_of(reference, tmp_path)
    duckdb.execute(
        f"copy (select * from '{reference}/quarantine.parquet' limit 1 offset 1)"
        f" to '{tampered}/quarantine.parquet' (format parquet)"
    )
    problems = compare_outputs(lake, tampered, RUN_DATE)
    assert [p for p in problems if p.startswith("quarantine:")]


def test_a_differing_count_or_metric_or_an_unknown_rule_is_reported(both_sides, tmp_path):
    lake, reference, *_ = both_sides
    tampered = _copy_of(reference, tmp_path)
    results = json.loads((reference / "dq_results.json").read_text())
    results["files"][0]["duplicates_dropped"] += 1
    results["rules"]["RowCount > 0"]["Dataset.*.RowCount"] += 1
    del results["rules"]['IsComplete "order_ts"']
    (tampered / "dq_results.json").write_text(json.dumps(results))
    problems = compare_outputs(lake, tampered, RUN_DATE)
    assert any(p.startswith("dq_results file orders-") and "accounting" in p for p in problems)
    assert any(p.startswith("dq_results rule 'RowCount > 0': metrics") for p in problems)
    assert any("IsComplete" in p and "no reference metrics" in p for p in problems)
    assert len(problems) == 3


def test_floors_time_every_step_and_do_its_work(both_sides, spark, tmp_path):
    lake = both_sides[0]
    raw_day = Path(lake.table_partition("raw_orders", RUN_DATE))
    timings, rows = run_floors(spark, raw_day, tmp_path)
    # The session's start is the harness's figure (bench.floors.main adds it).
    assert ["session_start", *timings] == list(FLOORS) and all(t > 0 for t in timings.values())
    lines = [
        line
        for csv in raw_day.glob("*.csv")
        for line in csv.read_text(encoding="utf-8", errors="replace").splitlines()
    ]
    data = [line for line in lines if line and not line.startswith("order_id,")]
    assert rows["lines"] == len(lines)
    assert rows["typed"] == len(data)
    assert rows["distinct_ids"] == len({line.split(",")[0] for line in data})
    assert 0 < rows["products"] <= rows["typed"]
    assert 0 < rows["plain"] <= rows["distinct_ids"]


def rep(spark_s: float, duck_s: float, floor_s: float) -> dict:
    """One synthetic repetition: every job takes spark_s on Spark and duck_s on DuckDB."""
    jobs = {name: spark_s for name in JOBS}
    duck = {name: duck_s for name in JOBS}
    return {
        "spark": {
            "jobs": jobs,
            "process_s": 1,
            "cpu_s": 1,
            "driver_peak_rss_mb": 1,
            "jvm_peak_rss_mb": 1,
        },
        "duckdb": {
            "jobs": duck,
            "core": {name: duck_s / 2 for name in JOBS},
            "process_s": 1,
            "cpu_s": 1,
            "peak_rss_mb": 1,
        },
        "floors": {"floors": {name: floor_s for name in FLOORS}},
    }


def test_the_summary_sets_each_floor_against_duckdbs_total():
    summary = summarise([rep(3, 1, 6), rep(3, 2, 9), rep(3, 3, 12)], rows=10, csv_mb=1)
    # DuckDB's total median: 3 jobs x 2 s; the floors' median 9 s.
    assert summary["floors"]["plain_job"] == {"min": 6, "median": 9, "max": 12, "ratio": 1.5}
    without = {side: figures for side, figures in rep(3, 1, 6).items() if side != "floors"}
    assert "floors" not in summarise([without], rows=10, csv_mb=1)


def test_the_report_prints_both_ratios_with_their_spread():
    summary = summarise([rep(3, 1, 6), rep(3, 2, 9), rep(6, 3, 12)], rows=10, csv_mb=1)
    # Spark's totals 9/9/18 s against DuckDB's median 6 s (equal work) and 3 s (core alone).
    assert summary["jobs_total"]["ratio"] == 1.5 and summary["core_total"]["ratio"] == 3
    line = ratio_line(summary)
    assert "equal work (headline): 1.50/1.50/3.00" in line
    assert "core work alone: 3.00/3.00/6.00" in line


def test_the_ladder_parses_sizes_and_keeps_rows_for_one_size():
    assert parse_args(["--sizes", "1e5,1e3,1_000_000,1e3"]).sizes == [1000, 100_000, 1_000_000]
    assert parse_args(["--rows", "2000"]).sizes == [2000]
    assert parse_args([]).sizes == [1_000_000]
    for bad in (["--sizes", "1e3,abc"], ["--sizes", "1.5e0"], ["--sizes", "0"]):
        with pytest.raises(SystemExit):
            parse_args(bad)
    with pytest.raises(SystemExit):  # one or the other
        parse_args(["--rows", "10", "--sizes", "1e3"])


def ladder_result(rows: int, spark_s: list[float], duck_s: float) -> dict:
    reps = [rep(s, duck_s, 1) for s in spark_s]
    return {
        "rows": rows,
        "reps": reps,
        "master": "local[2]",
        "at": "2026-12-02T03:00:00+00:00",
        "load": "1.0 1.0 1.0",
        "summary": summarise(reps, rows=rows, csv_mb=1),
    }


def test_the_ladder_prints_one_line_per_size_and_draws_a_png(tmp_path):
    results = [ladder_result(1000, [1, 2, 4], 0.5), ladder_result(100_000, [3, 4, 5], 2)]
    lines = ladder_lines(results)
    assert len(lines) == 3 and "ratio" in lines[0]
    # Three jobs a repetition: totals 3/6/12 s against DuckDB's 1.5 s, ratio 4; DuckDB's core
    # work alone takes half its time, ratio 8.
    assert lines[1].split() == [
        "1,000", "3", "3.00/6.00/12.00", "2.00", "1.50", "4.00", "0.75", "8.00"
    ]  # fmt: skip
    assert lines[2].split() == [
        "100,000", "3", "9.00/12.00/15.00", "4.00", "6.00", "2.00", "3.00", "4.00"
    ]  # fmt: skip
    png = plot_ladder(results, tmp_path / "ladder.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_the_profile_records_clean_orders_actions_and_leaves_its_outputs_alone(spark, tmp_path):
    lake = Lake.local(tmp_path / "lake")
    generate(lake, rows=300, seed=11)
    profiles: dict = {}
    run_jobs(spark, tmp_path / "lake", RUN_DATE, profiles)
    raw_day = Path(lake.table_partition("raw_orders", RUN_DATE))
    run_reference(raw_day, tmp_path / "duckdb", RUN_DATE)
    assert compare_outputs(lake, tmp_path / "duckdb", RUN_DATE) == []
    profile = profiles["clean_orders"]
    actions = profile["actions"]
    assert list(profiles) == ["clean_orders"] and len(actions) > 5
    assert all(a["wall_s"] > 0 and a["at"] != "?" for a in actions)
    assert sum(a["spark_jobs"] for a in actions) <= profile["spark_jobs"]
    writes = [a for a in actions if a["action"].startswith("write.")]
    curated = spark.read.parquet(lake.table_partition("orders", RUN_DATE)).count()
    assert curated in [a["rows"] for a in writes]
    lines = profile_lines(profile)
    assert len(lines) == len(actions) + 2 and lines[-1].startswith(f"{len(actions)} actions")
