"""One run per date at a time: an exclusive OS file lock per run date, in the lake.

`flock` locks belong to the open file, so the kernel releases them when the process exits or
is killed: a crashed run never leaves a stale lock behind. The file keeps the holder's pid and
start time only to say who holds it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orderlake.dates import partition
from orderlake.errors import OrderlakeError

LOCK_FOLDER = "_locks"


def lock_path(lake_root: Path | str, run_date: dt.date) -> Path:
    return Path(lake_root) / LOCK_FOLDER / f"{partition(run_date)}.lock"


class DateLocked(OrderlakeError):
    """Another process is running the same date."""


@contextmanager
def date_lock(lake_root: Path | str, run_date: dt.date) -> Iterator[Path]:
    """Hold the date's lock for the block; refuse at once if another process holds it."""
    with _flock(lock_path(lake_root, run_date), DateLocked, run_date.isoformat()) as path:
        yield path


class ScheduleLocked(OrderlakeError):
    """Another `orderlake schedule` is running on the same lake."""


@contextmanager
def schedule_lock(lake_root: Path | str) -> Iterator[Path]:
    """One scheduler per lake: two would race to run the same due dates."""
    path = Path(lake_root) / LOCK_FOLDER / "schedule.lock"
    with _flock(path, ScheduleLocked, f"the schedule of lake {lake_root}") as held:
        yield held


@contextmanager
def _flock(path: Path, refusal: type[OrderlakeError], what: str) -> Iterator[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise refusal(
                f"{what} is already being run ({holder}); "
                "wait for that run to finish, or stop it, then try again"
            ) from None
        os.ftruncate(fd, 0)
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()} since {started}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
