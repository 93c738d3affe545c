"""Row accounting: for every input file and for the run, rows read = curated + quarantined +
duplicates dropped. The terms are counted apart (rows read in the pass that numbers the raw
lines, quarantined from the checked rows, duplicates from the dedupe's aggregate, curated from
the curated files as written), so a step that loses or repeats rows makes the sums disagree
and the run fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from orderlake import schema as S
from orderlake.io import RAW_SUFFIXES, RawFile, is_raw_csv
from orderlake.transforms.clean import FileRows

_NO_LINES = RawFile(lines=0, nonblank_lines=0, first_line=None)  # a file the text reader saw empty

ACCEPTED = "accepted"
REJECTED = "rejected"
EMPTY = "empty"
IGNORED = "ignored"  # not a CSV file the reader reads: listed so nobody wonders where it went
RECONCILED = "reconciled"
NOT_RECONCILED = "not_reconciled"


@dataclass(frozen=True)
class FileAccount:
    source_file: str
    rows_read: int
    rows_curated: int
    rows_quarantined: int
    duplicates_dropped: int
    status: str  # accepted | rejected | empty
    message: str | None = None

    @property
    def reconciles(self) -> bool:
        total = self.rows_curated + self.rows_quarantined + self.duplicates_dropped
        return self.rows_read == total and min(self.rows_curated, self.duplicates_dropped) >= 0


@dataclass(frozen=True)
class RunAccount:
    rows_read: int
    rows_curated: int
    rows_quarantined: int
    duplicates_dropped: int
    files: tuple[FileAccount, ...]

    @property
    def reconciles(self) -> bool:
        total = self.rows_curated + self.rows_quarantined + self.duplicates_dropped
        return self.rows_read == total and all(f.reconciles for f in self.files)

    def mismatch(self) -> str | None:
        """What does not add up, or None."""
        problems = [
            f"{f.source_file}: read {f.rows_read} != curated {f.rows_curated} + quarantined "
            f"{f.rows_quarantined} + duplicates {f.duplicates_dropped}"
            for f in self.files
            if not f.reconciles
        ]
        total = self.rows_curated + self.rows_quarantined + self.duplicates_dropped
        if self.rows_read != total:
            problems.append(
                f"run: read {self.rows_read} != curated {self.rows_curated} + quarantined "
                f"{self.rows_quarantined} + duplicates {self.duplicates_dropped}"
            )
        return "; ".join(problems) or None

    @property
    def rejected(self) -> list[FileAccount]:
        return [f for f in self.files if f.status == REJECTED]


def account(
    files: dict[str, int],
    raw: dict[str, RawFile],
    checked: dict[str, FileRows],
    curated_by_file: dict[str, int],
    duplicates_dropped: int,
    run_date: dt.date,
    conflicts: dict[str, int] | None = None,
) -> RunAccount:
    """Count every file's rows. `files` maps each file in the partition to its size in bytes
    (files with no lines at all, and files that are not .csv, appear only there); `raw` holds
    the line counts of the pass that numbered the lines; `checked` the accepted and quarantined
    rows of each file, as its checked rows add up (`orderlake.transforms.clean.file_rows`);
    `curated_by_file` the rows of each file in the curated orders as written (`rows_written`);
    `duplicates_dropped` is the run's count from the dedupe's own aggregate: every repeat of a
    kept order id, so it includes the `conflicts` (per file, the repeats quarantined as
    `conflicting_duplicate`, counted in the quarantine as written)."""
    conflicts = conflicts or {}
    accounts = []
    for path in sorted(set(files) | set(raw)):
        lines = raw.get(path, _NO_LINES)
        lines_n, first_line = lines.nonblank_lines, lines.first_line
        row = checked.get(path)
        reason = row.file_reason if row else None
        header_rejected = reason in (S.REASON_MISSING_HEADER, S.REASON_WRONG_HEADER)
        # The header is not a row, unless it was not a header at all; nor are the lines of
        # whitespace before it.
        header = 1 if first_line is not None and not header_rejected else 0
        read = lines_n - lines.blank_before_header - header
        curated_n = curated_by_file.get(path, 0)
        accepted = row.accepted if row else 0
        conflicting = conflicts.get(path, 0)
        if not is_raw_csv(path):
            status, message = IGNORED, f"{path}: not a .csv file, not read{_why_unread(path)}"
        elif lines_n == 0:
            status, message = EMPTY, f"{path}: empty file ({files.get(path, 0)} bytes), no rows"
        elif reason:
            status, message = REJECTED, _rejection(path, reason, first_line, row, run_date)
        else:
            status, message = ACCEPTED, None
        accounts.append(
            FileAccount(
                source_file=path,
                rows_read=read,
                rows_curated=curated_n,
                rows_quarantined=(row.quarantined if row else 0) + conflicting,
                duplicates_dropped=accepted - curated_n - conflicting,
                status=status,
                message=message,
            )
        )
    return RunAccount(
        rows_read=sum(a.rows_read for a in accounts),
        rows_curated=sum(curated_by_file.values()),
        rows_quarantined=sum(r.quarantined for r in checked.values()) + sum(conflicts.values()),
        duplicates_dropped=duplicates_dropped - sum(conflicts.values()),
        files=tuple(accounts),
    )


def _why_unread(path: str) -> str:
    """What would make a file readable, when its name is close to a raw CSV's."""
    name = path.rsplit("/", 1)[-1]
    if ".csv." in name.lower():
        return f" (read are {', '.join(RAW_SUFFIXES)}; the codec's suffix in lower case)"
    return ""


_CURATED = "_curated"


def rows_written(
    curated: DataFrame, quarantine: DataFrame
) -> tuple[dict[str, int], dict[str, int]]:
    """Per file, the rows the written curated orders hold, and the rows the written quarantine
    holds as `conflicting_duplicate`: one Spark action over both (each action is a round of
    jobs to schedule, whatever its rows)."""
    conflicts = quarantine.where(F.col(S.REASON) == S.REASON_CONFLICTING_DUPLICATE)
    rows = (
        curated.select(S.SOURCE_FILE, F.lit(True).alias(_CURATED))
        .unionByName(conflicts.select(S.SOURCE_FILE, F.lit(False).alias(_CURATED)))
        .groupBy(_CURATED, S.SOURCE_FILE)
        .count()
        .collect()
    )
    by_table: dict[bool, dict[str, int]] = {True: {}, False: {}}
    for r in rows:
        by_table[r[_CURATED]][r[S.SOURCE_FILE]] = r["count"]
    return by_table[True], by_table[False]


def _rejection(
    path: str, reason: str, first_line: str | None, row: FileRows, run_date: dt.date
) -> str:
    if reason == S.REASON_MISSING_HEADER:
        return (
            f"{path}: rejected ({reason}): the first line is not a header; expected "
            f"{S.RAW_HEADER!r}"
        )
    if reason == S.REASON_WRONG_HEADER:
        found = [
            n.strip().strip('"').lower() for n in (first_line or "").lstrip("\ufeff").split(",")
        ]
        missing = [c for c in S.RAW_COLUMNS if c not in found]
        extra = [c for c in found if c not in S.RAW_COLUMNS]
        detail = []
        if missing:
            detail.append(f"missing columns {', '.join(missing)}")
        if extra:
            detail.append(f"unexpected columns {', '.join(extra)}")
        if not detail:
            detail.append("columns are out of order")
        return f"{path}: rejected ({reason}): header has {'; '.join(detail)}"
    days = (
        f"{row.first_day}"
        if row.first_day == row.last_day
        else f"{row.first_day} to {row.last_day}"
    )
    return (
        f"{path}: rejected ({reason}): no order is dated {run_date.isoformat()}; its orders are "
        f"dated {days}: move it to the dt= folder of its date"
    )
