"""DQDL file rules evaluated over local files: freshness from modification times, sizes,
uniqueness and checksums, with the tags AWS's rule pages document."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import pytest

from orderlake.quality.dqdl import parse
from orderlake.quality.files import FileRuleError, evaluate_file_rule

NOW = dt.datetime(2026, 11, 21, 12, 0, 0)


@pytest.fixture
def partition(tmp_path):
    """Three CSV files (two with the same content) and a note, at known times."""
    folder = tmp_path / "dt=2026-11-21"
    folder.mkdir()
    files = {
        "a.csv": (b"order_id\n1\n", NOW - dt.timedelta(hours=1)),
        "b.csv": (b"order_id\n1\n", NOW - dt.timedelta(hours=30)),
        "c.csv": (b"order_id\n2\n3\n", NOW - dt.timedelta(minutes=5)),
        "notes.tmp": (b"x" * 2048, NOW - dt.timedelta(days=3)),
    }
    for name, (content, when) in files.items():
        path = folder / name
        path.write_bytes(content)
        stamp = when.replace(tzinfo=dt.UTC).timestamp()
        os.utime(path, (stamp, stamp))
    return folder


def _rule(text):
    (rule,) = parse(f"Rules = [ {text} ]\n").rules
    return rule


def _check(text, source):
    return evaluate_file_rule(_rule(text), str(source), NOW)


def test_freshness_from_modification_times_with_threshold_and_tags(partition):
    ok, reason, metrics = _check("FileFreshness > (now() - 24 hours)", partition)
    assert not ok and reason == "50.00 % of files passed"
    assert metrics == {"Dataset.*.FileCount": 4.0, "Dataset.*.FileFreshness.Compliance": 0.5}
    assert _check("FileFreshness > (now() - 24 hours) with threshold >= 0.5", partition)[0]
    assert _check('FileFreshness > (now() - 24 hours) with uriRegex = "[ac]\\.csv$"', partition)[0]
    assert _check("FileFreshness > (now() - 10 minutes) with recentFiles = 1", partition)[0]
    assert _check('FileFreshness > "2026-11-01"', partition)[0]
    # 11:00 and 11:55 UTC are between 10:30 and noon in Paris (UTC+1): b.csv and notes are not
    ok, _, metrics = _check(
        'FileFreshness between "11:30" and "13:00" with timeZone = "Europe/Paris"', partition
    )
    assert metrics["Dataset.*.FileFreshness.Compliance"] == 0.5


def test_size_in_bytes_or_with_units(partition):
    assert _check("FileSize < 1 KB", partition)[2] == {
        "Dataset.*.FileCount": 4.0,
        "Dataset.*.FileSize.Compliance": 0.75,
        "Dataset.*.MaximumFileSize": 2048.0,
        "Dataset.*.MinimumFileSize": 11.0,
    }
    assert _check('FileSize "{}" <= 2048'.format(partition / "notes.tmp"), partition)[0]
    assert not _check("FileSize between 1 B and 1 KB", partition)[0]


def test_uniqueness_by_content_and_by_name(partition, tmp_path):
    ok, _, metrics = _check("FileUniqueness = 0.5", partition)  # a.csv and b.csv are copies
    assert ok and metrics["Dataset.*.FileUniquenessRatio"] == 0.5
    (partition / "sub").mkdir()
    (partition / "sub" / "c.csv").write_text("other content\n")
    _, _, by_name = _check('FileUniqueness > 0 with matchFileName = "true"', partition)
    assert by_name["Dataset.*.FileUniquenessRatio"] == 1 / 5  # only notes.tmp stands alone


def test_checksums_and_folders_match(partition, tmp_path):
    digest = hashlib.md5(b"order_id\n2\n3\n").hexdigest()
    path = partition / "c.csv"
    assert _check(f'FileMatch "{path}" in ["{digest}"] with hashAlgorithm = "MD5"', None)[0]
    assert not _check(f'FileMatch "{path}" in ["{digest}"]', None)[0]  # SHA-256 by default
    copy = tmp_path / "archive"
    copy.mkdir()
    for f in partition.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    assert _check(f'FileMatch "{partition}" "{copy}"', None)[0]
    (copy / "a.csv").write_text("changed\n")
    assert not _check(f'FileMatch "{partition}" "{copy}"', None)[0]


def test_what_cannot_be_read_locally_says_why(partition):
    with pytest.raises(FileRuleError, match="S3 paths are read on Glue only"):
        _check('FileSize "s3://bucket/raw/" < 1 GB', partition)
    with pytest.raises(FileRuleError, match="none was given"):
        evaluate_file_rule(_rule("FileUniqueness > 0.5"), None, NOW)
    with pytest.raises(FileRuleError, match="no such file or folder"):
        _check('FileUniqueness "/no/such/folder" > 0.5', partition)


def test_file_rules_run_in_a_ruleset_over_the_data_source(spark, partition):
    from orderlake.quality.evaluate import evaluate

    df = spark.createDataFrame([(1,)], "order_id int")
    ruleset = parse('Rules = [\n  FileUniqueness = 0.5,\n  FileSize "s3://b/" > 1 B\n]\n')
    fresh, s3 = evaluate(df, ruleset, now=NOW, data_source=str(partition))
    assert fresh.outcome == "Passed"
    assert s3.outcome == "Error" and "S3 paths are read on Glue only" in s3.failure_reason
