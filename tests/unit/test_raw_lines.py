"""read_raw_lines: exact line numbers across blocks, per-file counts, and each file's first
line read on its own; files named as written, though Spark spells them percent-encoded."""

from __future__ import annotations

from pathlib import Path

from orderlake import schema as S
from orderlake.io import RawFile, read_raw_lines


def test_lines_counts_and_first_lines(spark, tmp_path: Path) -> None:
    folder = tmp_path / "dt=2026-11-21"
    folder.mkdir()
    # Big enough to be read in several blocks with a 64 KB split size.
    long_lines = [S.RAW_HEADER] + [f"line {n:06d}," + "x" * 60 for n in range(2, 5002)]
    (folder / "big.csv").write_text("\n".join(long_lines) + "\n")
    (folder / "a b%20c.csv").write_bytes(b"order id;\xe9\r\n\r\nsecond\r\n")
    (folder / "blank first.csv").write_text("\nrow\n")
    (folder / "blank only.csv").write_bytes(b" \t\r\n\r\n\n")
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(64 * 1024))
    try:
        raw = read_raw_lines(spark, str(folder))
        rows = raw.lines.collect()
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert raw.lines.rdd.getNumPartitions() > 3
    # Named as the file system lists them, not percent-encoded as Spark reports them.
    by_name = {Path(path).name: f for path, f in raw.files.items()}
    assert by_name == {
        "big.csv": RawFile(lines=5001, nonblank_lines=5001, first_line=S.RAW_HEADER),
        "a b%20c.csv": RawFile(lines=3, nonblank_lines=2, first_line="order id;\ufffd"),
        # A blank first line: the header is the first line that is not blank.
        "blank first.csv": RawFile(lines=2, nonblank_lines=1, first_line="row", header_line=2),
        "blank only.csv": RawFile(
            lines=3, nonblank_lines=1, first_line=None, blank_before_header=1
        ),
    }
    # Each file's rows are named as raw.files names them, numbered 1.. without gaps.
    numbers: dict[str, list[int]] = {}
    for row in rows:
        numbers.setdefault(row[S.SOURCE_FILE], []).append(row[S.LINE_NUMBER])
    assert {p: sorted(n) for p, n in numbers.items()} == {
        p: list(range(1, f.lines + 1)) for p, f in raw.files.items()
    }
    big = {r[S.LINE_NUMBER]: r[S.RAW_LINE] for r in rows if r[S.SOURCE_FILE].endswith("big.csv")}
    assert all(big[n] == text for n, text in enumerate(long_lines, start=1))
