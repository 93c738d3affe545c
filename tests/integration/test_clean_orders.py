"""clean_orders end to end on the file-level problem fixtures (tests/fixtures/raw/): every row
accounted for, rejected files named with their problem, rule outcomes written to dq_results,
and a failing run leaving the previous curated output in place."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from orderlake import schema as S
from orderlake.definition import load_definition
from orderlake.errors import OrderlakeError
from orderlake.jobs import clean_orders
from orderlake.jobs.clean_orders import CleanOrdersConfig, run
from orderlake.lake import Lake
from orderlake.quality.report import format_results, read_day
from orderlake.quality.rulesets import ruleset_arguments

RUN_DATE = dt.date(2026, 11, 21)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "raw"
# basename: (status, read, curated, quarantined, duplicates), as tests/fixtures/raw/README.md
EXPECTED_FILES = {
    "blank_before_header.csv": ("accepted", 1, 1, 0, 0),
    "crlf.csv": ("accepted", 2, 2, 0, 0),
    "empty.csv": ("empty", 0, 0, 0, 0),
    "escaped_quotes.csv": ("accepted", 3, 3, 0, 0),
    "extra_column.csv": ("rejected", 3, 0, 3, 0),
    "good.csv": ("accepted", 4, 3, 0, 1),
    "header_only.csv": ("accepted", 0, 0, 0, 0),
    "iso_times.csv": ("accepted", 4, 3, 1, 0),
    "latin1.csv": ("accepted", 2, 1, 1, 0),
    "missing_column.csv": ("rejected", 2, 0, 2, 0),
    "no_header.csv": ("rejected", 2, 0, 2, 0),
    "multiline.csv": ("accepted", 5, 2, 3, 0),
    "quoted.csv": ("accepted", 3, 3, 0, 0),
    "ragged.csv": ("accepted", 3, 0, 2, 1),
    "repeat_conflict.csv": ("accepted", 3, 1, 1, 1),
    "truncated.csv": ("accepted", 2, 1, 1, 0),
    "wrong_day.csv": ("rejected", 2, 0, 2, 0),
    "notes.txt": ("ignored", 0, 0, 0, 0),
}


def _config(lake: Lake, **overrides: str) -> CleanOrdersConfig:
    values = {
        "run_date": RUN_DATE,
        "raw_orders_path": lake.table("raw_orders"),
        "orders_path": lake.table("orders"),
        "quarantine_path": lake.table("quarantine"),
        "dq_results_path": lake.table("dq_results"),
        **ruleset_arguments("clean_orders", load_definition()),
    }
    return CleanOrdersConfig(**{**values, **overrides})


@pytest.fixture(scope="module")
def day(spark, tmp_path_factory):
    """The fixture files cleaned once; later tests re-run the same lake."""
    root = tmp_path_factory.mktemp("lake")
    lake = Lake.local(root)
    raw = Path(lake.table_partition("raw_orders", RUN_DATE))
    raw.mkdir(parents=True)
    for fixture in FIXTURES.glob("*.csv"):
        shutil.copyfile(fixture, raw / fixture.name)
    (raw / "notes.txt").write_text("not an order file\n")
    result = run(spark, _config(lake))
    return lake, result


@pytest.fixture
def day_copy(day, tmp_path):
    """A copy of the cleaned day's lake, for tests that run the job again and fail it."""
    lake, _ = day
    shutil.copytree(Path(lake.roots["raw"]).parent, tmp_path / "lake")
    return Lake.local(tmp_path / "lake")


def test_every_row_is_accounted_for(day):
    _, result = day
    assert (result.rows_read, result.rows_curated, result.rows_quarantined) == (41, 20, 18)
    assert result.duplicates_dropped == 3
    assert (result.files_read, result.files_rejected) == (18, 4)
    # Every fixture order is for product P-1: a warning rule fails, and warnings never fail a run.
    assert result.rules_failed == 1 and result.rules_passed > 20


def test_dq_results_hold_per_file_and_run_accounting(day):
    lake, _ = day
    rows = read_day(lake, "dq_results", RUN_DATE)
    files = {
        r[S.SOURCE_FILE].rsplit("/", 1)[-1]: r for r in rows if r[S.RECORD_TYPE] == S.RECORD_FILE
    }
    counts = (S.OUTCOME, S.ROWS_READ, S.ROWS_CURATED, S.ROWS_QUARANTINED, S.DUPLICATES_DROPPED)
    assert {name: tuple(r[c] for c in counts) for name, r in files.items()} == EXPECTED_FILES
    (run_row,) = [r for r in rows if r[S.RECORD_TYPE] == S.RECORD_RUN]
    assert tuple(run_row[c] for c in counts) == ("reconciled", 41, 20, 18, 3)
    messages = {name: r[S.FAILURE_REASON] for name, r in files.items() if r[S.FAILURE_REASON]}
    assert set(messages) == {n for n, e in EXPECTED_FILES.items() if e[0] != "accepted"}
    assert "no_header.csv: rejected (missing_header)" in messages["no_header.csv"]
    assert "unexpected columns coupon" in messages["extra_column.csv"]
    assert "missing columns country" in messages["missing_column.csv"]
    assert "its orders are dated 2026-11-20" in messages["wrong_day.csv"]
    assert "empty file (0 bytes)" in messages["empty.csv"]
    assert "notes.txt: not a .csv file, not read" in messages["notes.txt"]


def test_rule_outcomes_are_written_in_one_shape(day):
    lake, _ = day
    rules = [r for r in read_day(lake, "dq_results", RUN_DATE) if r[S.RECORD_TYPE] == "rule"]
    assert {r[S.RULESET] for r in rules} == {"orders.dqdl", "orders_warnings.dqdl"}
    assert all(r[S.ENGINE] == "local" for r in rules)
    failed = [(r[S.SEVERITY], r[S.RULE]) for r in rules if r[S.OUTCOME] != "Passed"]
    assert failed == [("warning", 'DistinctValuesCount "product_id" > 1')]
    (count,) = [r for r in rules if r[S.RULE] == "RowCount > 0"]
    assert count[S.SEVERITY] == "blocking"
    assert dict(count[S.EVALUATED_METRICS]) == {"Dataset.*.RowCount": 20.0}
    report = format_results(read_day(lake, "dq_results", RUN_DATE), RUN_DATE)
    assert "rows read 41 = curated 20 + quarantined 18 + duplicates 3: reconciled" in report
    assert "FAILED" not in report


def test_quarantine_rows_name_file_line_reason_and_text(day):
    lake, _ = day
    rows = {
        (r[S.SOURCE_FILE].rsplit("/", 1)[-1], r[S.LINE_NUMBER]): r
        for r in read_day(lake, "quarantine", RUN_DATE)
    }
    assert len(rows) == 18
    assert rows[("no_header.csv", 1)][S.REASONS] == [S.REASON_MISSING_HEADER]
    assert rows[("truncated.csv", 3)][S.RAW_LINE] == "O-1302,C-3,Bo"
    # A record of two lines (a quoted field's line break), rejected: its whole text.
    assert rows[("multiline.csv", 6)][S.REASONS] == [S.REASON_BAD_QUANTITY]
    assert rows[("multiline.csv", 6)][S.RAW_LINE].startswith('O-2002,C-1,"Ann ""The Lamp"" Lee\n"')
    # A stray quote opens no record across the good order after it.
    assert rows[("multiline.csv", 8)][S.REASON] == S.REASON_UNPARSABLE_LINE
    assert rows[("multiline.csv", 10)][S.REASON] == S.REASON_UNPARSABLE_LINE
    assert rows[("latin1.csv", 2)][S.REASONS] == [S.REASON_BAD_ENCODING]
    assert rows[("wrong_day.csv", 2)][S.REASON] == S.REASON_WRONG_PARTITION


def test_quoted_fields_are_stored_with_their_rfc_4180_values(day):
    """A quote written twice inside a quoted field is one quote; a backslash is text."""
    lake, _ = day
    names = {
        r[S.ORDER_ID]: r[S.PRODUCT_NAME]
        for r in read_day(lake, "orders", RUN_DATE)
        if r[S.SOURCE_FILE].endswith(("escaped_quotes.csv", "quoted.csv"))
    }
    assert names == {
        "O-1401": "Lamp, large",
        "O-1402": '17" Monitor',
        "O-1403": "Lamp\ndeluxe",
        "O-1601": '12" Pizza Stone',
        "O-1602": 'Lamp 17", white, large',
        "O-1603": "Folders, C:\\",
    }


def test_a_quoted_line_break_makes_one_record_numbered_by_its_first_line(day):
    lake, _ = day
    orders = {
        r[S.ORDER_ID]: (r[S.LINE_NUMBER], r[S.PRODUCT_NAME])
        for r in read_day(lake, "orders", RUN_DATE)
        if r[S.SOURCE_FILE].endswith("/multiline.csv")
    }
    assert orders == {"O-2001": (2, "Desk Lamp\nwith a long\n\ndescription"), "O-2004": (9, "Lamp")}


def test_iso_8601_times_are_converted_to_utc_before_the_run_date_check(day):
    lake, _ = day
    import datetime as dt

    times = {
        r[S.ORDER_ID]: r[S.ORDER_TS].replace(tzinfo=None)  # UTC, however Parquet spells it
        for r in read_day(lake, "orders", RUN_DATE)
        if r[S.SOURCE_FILE].endswith("/iso_times.csv")
    }
    assert times == {
        "O-2401": dt.datetime(2026, 11, 21, 10),
        "O-2402": dt.datetime(2026, 11, 21, 1, 30),  # 23:30 at -02:00 is the run date in UTC
        "O-2403": dt.datetime(2026, 11, 21, 10, 0, 0, 250000),
    }
    (late,) = [
        r
        for r in read_day(lake, "quarantine", RUN_DATE)
        if r[S.SOURCE_FILE].endswith("/iso_times.csv")
    ]
    # 01:30 at +02:00 is 23:30 the day before in UTC.
    assert (late[S.ORDER_ID], late[S.REASONS]) == ("O-2404", [S.REASON_OUTSIDE_RUN_DATE])


def test_a_repeat_that_differs_is_quarantined_naming_the_kept_row(day, capsys):
    """O-1001 again with another quantity: a conflict, kept out of curated and shown; O-1003
    again with only the status's case changed is the same order, a duplicate dropped."""
    from orderlake.cli import main

    lake, _ = day
    (conflict,) = [
        r
        for r in read_day(lake, "quarantine", RUN_DATE)
        if r[S.REASON] == S.REASON_CONFLICTING_DUPLICATE
    ]
    assert conflict[S.SOURCE_FILE].endswith("/repeat_conflict.csv")
    assert (conflict[S.LINE_NUMBER], conflict[S.ORDER_ID]) == (2, "O-1001")
    assert conflict[S.REASONS] == [S.REASON_CONFLICTING_DUPLICATE]
    assert conflict[S.RAW_LINE].startswith(
        "O-1001,C-1,Ann Lee,ann@example.com,P-1,Desk Lamp,Home,5,"
    )
    assert conflict[S.KEPT_SOURCE_FILE].endswith("/good.csv")
    assert conflict[S.KEPT_LINE_NUMBER] == 2
    curated = [r for r in read_day(lake, "orders", RUN_DATE) if r[S.ORDER_ID] == "O-1001"]
    assert [(r[S.QUANTITY], r[S.LINE_NUMBER]) for r in curated] == [(2, 2)]
    root = str(Path(lake.roots["raw"]).parent)
    args = ["quarantine", "--date", "2026-11-21", "--lake", root]
    assert main([*args, "--reason", S.REASON_CONFLICTING_DUPLICATE]) == 0
    out = capsys.readouterr().out
    assert "repeat_conflict.csv:2  conflicting_duplicate (differs from the kept good.csv:2)" in out


def test_a_blocking_failure_keeps_the_previous_curated_output(day_copy, spark, tmp_path):
    lake = day_copy
    curated_dir = Path(lake.table_partition("orders", RUN_DATE))
    before = sorted(p.name for p in curated_dir.iterdir())
    ruleset = tmp_path / "strict.dqdl"
    ruleset.write_text('Rules = [\n  RowCount > 1000,\n  IsComplete "order_id"\n]\n')
    with pytest.raises(OrderlakeError) as error:
        run(spark, _config(lake, blocking_ruleset=str(ruleset)))
    message = str(error.value)
    assert "1 blocking data quality rule(s) failed for 2026-11-21" in message
    assert "RowCount > 1000: Value: 20 does not meet the constraint requirement!" in message
    assert "previous curated output for 2026-11-21 is left in place" in message
    assert sorted(p.name for p in curated_dir.iterdir()) == before
    rules = {
        r[S.RULE]: r[S.OUTCOME]
        for r in read_day(lake, "dq_results", RUN_DATE)
        if r[S.RECORD_TYPE] == S.RECORD_RULE and r[S.RULESET] == "strict.dqdl"
    }
    assert rules == {"RowCount > 1000": "Failed", 'IsComplete "order_id"': "Passed"}
    report = format_results(read_day(lake, "dq_results", RUN_DATE), RUN_DATE)
    assert "this run FAILED: the curated and quarantine partitions" in report


def test_counts_that_do_not_reconcile_fail_the_run(day_copy, spark, monkeypatch):
    lake = day_copy
    real = clean_orders.to_curated_orders
    # A bug that repeats a curated row: the counts must catch it.
    monkeypatch.setattr(
        clean_orders,
        "to_curated_orders",
        lambda *args, **kw: real(*args, **kw).unionByName(real(*args, **kw).limit(1)),
    )
    curated_dir = Path(lake.table_partition("orders", RUN_DATE))
    before = sorted(p.name for p in curated_dir.iterdir())
    with pytest.raises(OrderlakeError, match="does not reconcile .*curated 21"):
        run(spark, _config(lake))
    assert sorted(p.name for p in curated_dir.iterdir()) == before
    (run_row,) = [
        r for r in read_day(lake, "dq_results", RUN_DATE) if r[S.RECORD_TYPE] == S.RECORD_RUN
    ]
    assert run_row[S.OUTCOME] == "not_reconciled"


def test_a_bad_ruleset_stops_the_run_before_reading_data(spark, tmp_path):
    lake = Lake.local(tmp_path)
    ruleset = tmp_path / "bad.dqdl"
    # A rule that needs Glue's reference data source, so the local evaluator refuses it.
    ruleset.write_text('Rules = [\n  RowCount > 0,\n  ReferentialIntegrity "x" "ref.y" = 1.0\n]\n')
    with pytest.raises(OrderlakeError, match=r"ruleset bad.dqdl: line 3: rule 'ReferentialIn"):
        run(spark, _config(lake, warning_ruleset=str(ruleset)))


def test_no_files_at_all_is_a_clear_error(spark, tmp_path):
    lake = Lake.local(tmp_path)
    with pytest.raises(OrderlakeError, match="no raw partition at .*dt=2026-11-21"):
        run(spark, _config(lake))
    Path(lake.table_partition("raw_orders", RUN_DATE)).mkdir(parents=True)
    (Path(lake.table_partition("raw_orders", RUN_DATE)) / "notes.txt").write_text("hi")
    with pytest.raises(
        OrderlakeError, match=r"holds no .csv files: nothing to clean \(found: notes.txt;"
    ):
        run(spark, _config(lake))


COMPRESSED = {  # tests/fixtures/raw/ files read beside the day's: (status, read, curated)
    "gzipped.csv.gz": ("accepted", 2, 2),
    "bzipped.csv.bz2": ("accepted", 1, 1),
    "UPPER_CASE.CSV": ("accepted", 1, 1),
    "upper_codec.csv.GZ": ("ignored", 0, 0),  # Hadoop picks codecs by lower-case suffix
    "notes.txt": ("ignored", 0, 0),
}


def test_compressed_and_upper_case_files_are_read_and_unread_ones_named(spark, tmp_path):
    lake = Lake.local(tmp_path)
    raw = Path(lake.table_partition("raw_orders", RUN_DATE))
    raw.mkdir(parents=True)
    for name in COMPRESSED:
        if name != "notes.txt":
            shutil.copyfile(FIXTURES / name, raw / name)
    (raw / "notes.txt").write_text("not an order file\n")
    result = run(spark, _config(lake))
    assert (result.rows_read, result.rows_curated, result.files_read) == (4, 4, 5)
    files = {
        r[S.SOURCE_FILE].rsplit("/", 1)[-1]: r
        for r in read_day(lake, "dq_results", RUN_DATE)
        if r[S.RECORD_TYPE] == S.RECORD_FILE
    }
    counts = (S.OUTCOME, S.ROWS_READ, S.ROWS_CURATED)
    assert {name: tuple(r[c] for c in counts) for name, r in files.items()} == COMPRESSED
    names = {r[S.PRODUCT_NAME] for r in read_day(lake, "orders", RUN_DATE)}
    assert names == {"Lamp, gz", "Desk", "Lamp bz2", "Lamp upper"}
    # What `orderlake run` prints after its table names every file, the unread ones too.
    report = format_results(read_day(lake, "dq_results", RUN_DATE), RUN_DATE)
    assert "file upper_codec.csv.GZ: ignored" in report
    assert "upper_codec.csv.GZ: not a .csv file, not read (read are .csv, .csv.gz" in report
    assert "file notes.txt: ignored" in report


def test_a_day_of_only_unreadable_files_fails_naming_them(spark, tmp_path):
    lake = Lake.local(tmp_path)
    raw = Path(lake.table_partition("raw_orders", RUN_DATE))
    raw.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "upper_codec.csv.GZ", raw / "upper_codec.csv.GZ")
    (raw / "orders.xlsx").write_bytes(b"PK")
    with pytest.raises(OrderlakeError, match=r"found: orders.xlsx, upper_codec.csv.GZ; read are"):
        run(spark, _config(lake))


def test_the_quarantine_command_shows_rows_accounting_and_raw_lines(day, capsys):
    from orderlake.cli import main

    lake, _ = day
    root = str(Path(lake.roots["raw"]).parent)
    assert main(["quarantine", "--date", "2026-11-21", "--lake", root]) == 0
    out = capsys.readouterr().out
    assert "rows read 41 = curated 20 + quarantined 18 + duplicates 3: reconciled" in out
    assert "18 quarantined row(s) for 2026-11-21: wrong_header 5," in out
    assert "no_header.csv:1  missing_header\n    O-1501,C-1,Ann Lee" in out
    args = ["quarantine", "--date", "2026-11-21", "--lake", root, "--reason", "invalid_encoding"]
    assert main([*args, "--raw"]) == 0
    assert (
        capsys.readouterr().out == "O-1201,C-1,Jos\ufffd Ruiz,ann@example.com,P-1,Desk Lamp,"
        "Home,2,19.99,USD,2026-11-21 10:00:00,completed,card,US\n"
    )
    assert main(["quarantine", "--date", "2026-11-22", "--lake", root]) == 2
    assert "no quarantine for 2026-11-22" in capsys.readouterr().err


def test_a_day_whose_every_file_is_rejected_names_them_and_keeps_their_rows(
    spark, tmp_path, capsys
):
    from orderlake.cli import main

    lake = Lake.local(tmp_path)
    raw = Path(lake.table_partition("raw_orders", RUN_DATE))
    raw.mkdir(parents=True)
    for name in ("no_header.csv", "extra_column.csv"):
        shutil.copyfile(FIXTURES / name, raw / name)
    with pytest.raises(OrderlakeError) as error:
        run(spark, _config(lake))
    message = str(error.value)
    assert "no row was curated: extra_column.csv: rejected (wrong_header): header has" in message
    assert "no_header.csv: rejected (missing_header): the first line is not a header" in message
    assert "(rejected rows: orderlake quarantine --date 2026-11-21)" in message
    # The failed day's rejected rows can be read, though nothing was published.
    assert not Path(lake.table_partition("quarantine", RUN_DATE)).exists()
    args = ["quarantine", "--date", "2026-11-21", "--lake", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "the last run of 2026-11-21 failed: its rejected rows (not published" in out
    assert "5 quarantined row(s) for 2026-11-21: wrong_header 3, missing_header 2" in out
    assert "no_header.csv:1  missing_header\n    O-1501,C-1,Ann Lee" in out
    # Fixed and run again: the published quarantine is the one shown.
    (raw / "no_header.csv").unlink()
    (raw / "extra_column.csv").unlink()
    shutil.copyfile(FIXTURES / "good.csv", raw / "good.csv")
    run(spark, _config(lake))
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "failed" not in out and "0 quarantined row(s) for 2026-11-21" in out


def test_on_s3_a_failed_days_rejected_rows_are_kept_under_failed_too(
    spark, tmp_path, monkeypatch, capsys
):
    """The S3 code path (Hadoop file system calls, no local renames), on local paths: the
    failed run's quarantine lands in `_failed-dt-D/`, which `orderlake quarantine` reads once
    the prefix is copied into a local lake (docs/on-call.md), and a good run removes it."""
    from orderlake import io
    from orderlake.cli import main

    lake = Lake.local(tmp_path)
    raw = Path(lake.table_partition("raw_orders", RUN_DATE))
    raw.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "no_header.csv", raw / "no_header.csv")
    monkeypatch.setattr(io, "_local_path", lambda path: None)
    with pytest.raises(OrderlakeError, match="no row was curated"):
        run(spark, _config(lake))
    kept = Path(lake.table("quarantine")) / "_failed-dt-2026-11-21"
    assert list(kept.glob("*.parquet")) and not list(Path(lake.table("quarantine")).glob("_st*"))
    monkeypatch.undo()
    assert main(["quarantine", "--date", "2026-11-21", "--lake", str(tmp_path)]) == 0
    assert "2 quarantined row(s) for 2026-11-21: missing_header 2" in capsys.readouterr().out
    # An earlier published quarantine of the date: a run that rejects nothing must empty it
    # (Spark's partition overwrite alone replaces only partitions it writes rows into).
    published = Path(lake.table_partition("quarantine", RUN_DATE))
    shutil.copytree(kept, published)
    monkeypatch.setattr(io, "_local_path", lambda path: None)
    (raw / "no_header.csv").unlink()
    shutil.copyfile(FIXTURES / "good.csv", raw / "good.csv")
    run(spark, _config(lake))
    assert not kept.exists() and not published.exists()
    assert Path(lake.table_partition("orders", RUN_DATE)).is_dir()


def test_source_file_is_the_name_as_written_in_every_table(spark, tmp_path):
    lake = Lake.local(tmp_path)
    raw = Path(lake.table_partition("raw_orders", RUN_DATE))
    raw.mkdir(parents=True)
    name = "orders 2026 (1) 100%.csv"
    shutil.copyfile(FIXTURES / "truncated.csv", raw / name)
    run(spark, _config(lake))
    for table, record_type in (("orders", None), ("quarantine", None), ("dq_results", "file")):
        rows = read_day(lake, table, RUN_DATE)
        named = {r[S.SOURCE_FILE] for r in rows if r.get(S.RECORD_TYPE) == record_type}
        assert named == {f"file:{raw / name}"}, table


def test_dynamic_and_file_rules_read_earlier_runs_and_the_raw_partition(spark, tmp_path):
    """clean_orders gives the evaluator the metric history in dq_results and the day's raw
    partition: a dynamic rule has no history on the first run (an Error that says so) and
    passes against it on the re-run; a file rule without a path measures the raw files."""
    lake = Lake.local(tmp_path / "lake")
    raw = Path(lake.table_partition("raw_orders", RUN_DATE))
    raw.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "good.csv", raw / "good.csv")
    ruleset = tmp_path / "dynamic.dqdl"
    ruleset.write_text("Rules = [\n  RowCount >= avg(last(1)),\n  FileSize < 1 MB\n]\n")
    first = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)
    outcomes = {}
    for attempt, now in enumerate([first, first + dt.timedelta(hours=1)]):
        run(spark, _config(lake, warning_ruleset=str(ruleset)), now=now)
        outcomes[attempt] = {
            r[S.RULE]: (r[S.OUTCOME], r[S.FAILURE_REASON])
            for r in read_day(lake, "dq_results", RUN_DATE)
            if r[S.RECORD_TYPE] == S.RECORD_RULE and r[S.RULESET] == "dynamic.dqdl"
        }
    assert outcomes[0]["RowCount >= avg(last(1))"][0] == "Error"
    assert "no earlier run of this rule" in outcomes[0]["RowCount >= avg(last(1))"][1]
    assert outcomes[1]["RowCount >= avg(last(1))"][0] == "Passed", outcomes
    assert outcomes[0]["FileSize < 1 MB"][0] == outcomes[1]["FileSize < 1 MB"][0] == "Passed", (
        outcomes
    )
