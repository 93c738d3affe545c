"""DQDL's file rules (FileFreshness, FileSize, FileUniqueness, FileMatch) over local files.

Glue evaluates them over S3 objects: the rule's path, or without one the files the DataFrame
was read from. Locally the same rules read a folder or file on disk (the rule's path, or the
data source the caller names, e.g. a raw partition), so a ruleset for the raw zone can be tried
before it deploys. Metric names follow AWS's rule pages (`Dataset.*.FileCount`, ...).
Pure Python: modification times, sizes and checksums from the file system.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from orderlake.quality.dqdl import Condition, Rule, Value, to_bytes

HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256"}  # FileMatch's hashAlgorithm
DEFAULT_HASH = "SHA-256"


@dataclass(frozen=True)
class LocalFile:
    path: Path
    modified: dt.datetime  # UTC, naive
    size: int

    def digest(self, algorithm: str = DEFAULT_HASH) -> str:
        hasher = hashlib.new(HASHES[algorithm])
        with self.path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(block)
        return hasher.hexdigest()


class FileRuleError(ValueError):
    """A file rule that cannot be evaluated here (no such path, an S3 path, a bad tag)."""


def list_files(location: str) -> list[LocalFile]:
    """Every file at `location` (a file, or a folder and its subfolders), oldest first."""
    if location.startswith("s3://"):
        raise FileRuleError(
            f"{location}: S3 paths are read on Glue only; locally give a local path, or none "
            "to use the rule's data source"
        )
    root = Path(location)
    if not root.exists():
        raise FileRuleError(f"{location}: no such file or folder")
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    found = []
    for path in paths:
        stat = path.stat()
        modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).replace(tzinfo=None)
        found.append(LocalFile(path, modified, stat.st_size))
    return sorted(found, key=lambda f: (f.modified, str(f.path)))


def selected(files: list[LocalFile], tags: dict[str, str]) -> list[LocalFile]:
    """The files the rule's tags keep: `recentFiles = n` (the n most recent) and `uriRegex`
    (paths the pattern finds), in `filterOrder` (default recentFiles first, then uriRegex)."""
    order = [t.strip() for t in tags.get("filterOrder", "recentFiles,uriRegex").split(",")]
    for step in order:
        if step == "recentFiles" and "recentFiles" in tags:
            count = int(float(tags["recentFiles"]))
            files = files[-count:] if count > 0 else []
        elif step == "uriRegex" and "uriRegex" in tags:
            try:
                pattern = re.compile(tags["uriRegex"])
            except re.error as exc:
                raise FileRuleError(f"uriRegex {tags['uriRegex']!r}: {exc}") from None
            files = [f for f in files if pattern.search(f.path.as_posix())]
    return files


def evaluate_file_rule(
    rule: Rule, data_source: str | None, now: dt.datetime
) -> tuple[bool, str, dict[str, float]]:
    """(passed, reason if not, metrics) for one file rule."""
    sources = list(rule.params) or ([data_source] if data_source else [])
    if not sources:
        raise FileRuleError(
            f"{rule.rule_type} without a path reads the rule's data source, and none was given"
        )
    if rule.rule_type == "FileMatch" and len(sources) == 2:
        return _match_folders(sources[0], sources[1])
    files = selected(list_files(sources[0]), rule.tags)
    metrics = {"Dataset.*.FileCount": float(len(files))}
    if not files:
        return False, f"no files at {sources[0]}", metrics
    assert rule.condition is not None
    if rule.rule_type == "FileUniqueness":
        ratio = _uniqueness(files, rule.tags.get("matchFileName", "false").lower() == "true")
        metrics["Dataset.*.FileUniquenessRatio"] = ratio
        ok = _compare_number(ratio, rule.condition)
        return ok, f"Value: {ratio:.4g} does not meet the constraint requirement!", metrics
    if rule.rule_type == "FileMatch":
        algorithm = rule.tags.get("hashAlgorithm", DEFAULT_HASH)
        if algorithm not in HASHES:
            raise FileRuleError(f"hashAlgorithm {algorithm!r}: use one of {', '.join(HASHES)}")
        wanted = {str(v.value).lower() for v in rule.condition.values}
        passing = [(f.digest(algorithm) in wanted) != rule.condition.negated for f in files]
        bad = [f.path.name for f, ok in zip(files, passing, strict=True) if not ok]
        return not bad, f"checksum does not match for {', '.join(bad)}", metrics
    if rule.rule_type == "FileFreshness":
        zone = rule.tags.get("timeZone", "UTC")
        passing = [_fresh(f.modified, rule.condition, now, zone) for f in files]
        key = "Dataset.*.FileFreshness.Compliance"
    else:  # FileSize (dqdl-rule-types-FileSize.html names its four metrics)
        passing = [_compare_number(float(f.size), rule.condition, to_bytes) for f in files]
        key = "Dataset.*.FileSize.Compliance"
        metrics["Dataset.*.MaximumFileSize"] = float(max(f.size for f in files))
        metrics["Dataset.*.MinimumFileSize"] = float(min(f.size for f in files))
    share = sum(passing) / len(passing)
    metrics[key] = share
    if rule.threshold is not None:
        ok = _compare_number(share, rule.threshold)
        return (
            ok,
            f"Value: {share:.4g} does not meet the threshold {rule.threshold.text!r}",
            metrics,
        )
    return share == 1.0, f"{share * 100:.2f} % of files passed", metrics


def _uniqueness(files: list[LocalFile], by_name: bool) -> float:
    """The share of files whose content (and, with matchFileName, name) no other file has."""
    digests = [f.digest() for f in files]
    names = [f.path.name for f in files]
    unique = 0
    for i in range(len(files)):
        repeated = digests.count(digests[i]) > 1 or (by_name and names.count(names[i]) > 1)
        unique += not repeated
    return unique / len(files)


def _match_folders(first: str, second: str) -> tuple[bool, str, dict[str, float]]:
    """FileMatch "a" "b": the same contents on both sides (as checksums, names aside)."""
    left, right = list_files(first), list_files(second)
    metrics = {"Dataset.*.FileCount": float(len(left) + len(right))}
    same = sorted(f.digest() for f in left) == sorted(f.digest() for f in right)
    return same, f"the files at {first} and {second} differ", metrics


def _compare_number(value: float, cond: Condition, unit=None) -> bool:
    """A measured number against a number (or size) condition."""
    numbers = [unit(v) if unit else float(v.value) for v in cond.values]
    return _apply(value, cond, numbers)


def _apply(value: float | dt.datetime, cond: Condition, operands: list) -> bool:
    op = cond.op
    if op == "between":
        result = operands[0] < value < operands[1]
    elif op == "in":
        result = value in operands
    elif op == "=":
        result = value == operands[0]
    elif op == "!=":
        result = value != operands[0]
    elif op == ">":
        result = value > operands[0]
    elif op == ">=":
        result = value >= operands[0]
    elif op == "<":
        result = value < operands[0]
    elif op == "<=":
        result = value <= operands[0]
    else:
        raise FileRuleError(f"condition {cond.text!r} does not apply to files")
    return not result if cond.negated else result


def _fresh(modified: dt.datetime, cond: Condition, now: dt.datetime, zone: str) -> bool:
    return _apply(modified, cond, [_instant(v, now, zone) for v in cond.values])


def _instant(value: Value, now: dt.datetime, zone: str) -> dt.datetime:
    """A date expression as a naive UTC instant: now() offsets, dates (midnight UTC), times of
    day (today in the rule's timeZone, UTC by default, as Glue's parser resolves them)."""
    if value.kind == "now":
        return now + dt.timedelta(seconds=float(value.value))
    if value.kind == "date":
        return dt.datetime.fromisoformat(str(value.value))
    if value.kind == "time":
        tz = ZoneInfo(zone)
        for pattern in ("%I:%M %p", "%H:%M"):
            try:
                clock = dt.datetime.strptime(str(value.value), pattern).time()
                break
            except ValueError:
                continue
        local_today = now.replace(tzinfo=dt.UTC).astimezone(tz).date()
        local = dt.datetime.combine(local_today, clock, tz)
        return local.astimezone(dt.UTC).replace(tzinfo=None)
    raise FileRuleError(f"{value.text or value.kind!r} is not a date for FileFreshness")


def data_source_folder(paths: list[str]) -> str | None:
    """The common folder of the files a DataFrame was read from (its inputFiles())."""
    local = [p.removeprefix("file:") for p in paths]
    return os.path.commonpath(local) if local else None
