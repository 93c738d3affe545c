"""The daily schedule: the workflow's AWS cron expression (pipeline.yaml, as Terraform deploys
it), evaluated with croniter, and a loop that runs every date whose fire time has passed.

AWS cron has six fields (minute hour day-of-month month day-of-week year), `?` in one of the
two day fields, and numbers days of the week 1-7 from Sunday. croniter takes the standard
five fields plus seconds and year, with days of the week 0-6 from Sunday; `translate` maps
one to the other and croniter does all the date arithmetic.

A fire at time T runs the pipeline for the day before T (UTC): the generator has written
yesterday's orders by then. Catch-up: the dates of fires missed since the last date that
succeeded (run history), oldest first, each once per fire.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from croniter import croniter

from orderlake.errors import OrderlakeError

_AWS_CRON = re.compile(r"^\s*cron\((?P<body>[^)]*)\)\s*$")
# A number in the day-of-week field that names a day (not a step after '/' or an nth after '#').
_DOW_NUMBER = re.compile(r"(?<![#/\d])(\d+)")


def translate(expression: str) -> str:
    """An AWS `cron(...)` expression as a croniter expression (with seconds and year)."""
    match = _AWS_CRON.match(expression)
    if not match:
        raise OrderlakeError(f"schedule {expression!r} is not an AWS cron(...) expression")
    fields = match["body"].split()
    if len(fields) != 6:
        raise OrderlakeError(
            f"schedule {expression!r}: AWS cron needs 6 fields "
            "(minute hour day-of-month month day-of-week year)"
        )
    minute, hour, day, month, weekday, year = fields
    if (day == "?") == (weekday == "?"):
        raise OrderlakeError(
            f"schedule {expression!r}: exactly one of day-of-month and day-of-week must be '?'"
        )
    if "L" in weekday.upper():
        raise OrderlakeError(f"schedule {expression!r}: 'L' in day-of-week is not supported")
    weekday = "*" if weekday == "?" else _DOW_NUMBER.sub(lambda m: str(int(m[1]) - 1), weekday)
    day = "*" if day == "?" else day
    cron = f"{minute} {hour} {day} {month} {weekday} 0 {year}"
    if not croniter.is_valid(cron):
        raise OrderlakeError(f"schedule {expression!r} is not a valid AWS cron expression")
    return cron


@dataclass(frozen=True)
class AwsCron:
    expression: str
    cron: str

    @classmethod
    def parse(cls, expression: str) -> AwsCron:
        return cls(expression, translate(expression))

    def next_after(self, moment: dt.datetime) -> dt.datetime | None:
        """The first fire time strictly after `moment` (UTC), or None when there is none."""
        try:
            return croniter(self.cron, _utc(moment)).get_next(dt.datetime)
        except (StopIteration, ValueError, KeyError):  # a year range that has ended
            return None

    def fires_between(self, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """Fire times in (start, end]."""
        fires: list[dt.datetime] = []
        moment = self.next_after(start)
        while moment is not None and moment <= _utc(end):
            fires.append(moment)
            moment = self.next_after(moment)
        return fires

    def latest_at_or_before(self, moment: dt.datetime) -> dt.datetime | None:
        try:
            latest = croniter(self.cron, _utc(moment)).get_prev(dt.datetime)
        except (StopIteration, ValueError, KeyError):
            return None
        # get_prev is strictly before: a fire exactly at `moment` counts as passed.
        exact = self.next_after(latest)
        return exact if exact is not None and exact <= _utc(moment) else latest


def run_date_for(fire: dt.datetime) -> dt.date:
    return fire.date() - dt.timedelta(days=1)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Scheduler:
    """Runs due dates when their fire time has passed; time and sleep are injected for tests.

    last_success: the newest date that succeeded (from run history), or None.
    run_dates: runs the given dates in order (e.g. a backfill in one Spark session).
    since: with no history, the earliest date to catch up (default: only the latest fire).
    """

    cron: AwsCron
    last_success: Callable[[], dt.date | None]
    run_dates: Callable[[list[dt.date]], object]
    since: dt.date | None = None
    max_catch_up: int = 31
    clock: Callable[[], dt.datetime] = _utc_now
    sleep: Callable[[float], None] = time.sleep
    say: Callable[[str], None] = field(default=lambda text: None)
    # The freshness deadline (pipeline.yaml notifications.freshness): at each tick, and waking
    # at each deadline, `check(now)` is called; it tells on-call at most once per day.
    deadline: AwsCron | None = None
    check: Callable[[dt.datetime], object] | None = None

    def due_dates(self, now: dt.datetime) -> list[dt.date]:
        latest = self.cron.latest_at_or_before(now)
        if latest is None:
            return []
        last = self.last_success()
        first: dt.date | None
        if last is not None:
            first = last + dt.timedelta(days=1)
            if self.since is not None:
                first = max(first, self.since)
        else:
            first = self.since
        if first is None:
            return [run_date_for(latest)]
        # Fires whose run date is >= first: those at or after midnight of first + 1 day.
        start = dt.datetime.combine(first + dt.timedelta(days=1), dt.time(), dt.UTC)
        fires = self.cron.fires_between(start - dt.timedelta(microseconds=1), now)
        dates = sorted({run_date_for(f) for f in fires})
        if len(dates) > self.max_catch_up:
            self.say(
                f"schedule: {len(dates)} dates missed; catching up the newest {self.max_catch_up} "
                f"(run `orderlake backfill --from {dates[0]} --to "
                f"{dates[-self.max_catch_up - 1]}` for the rest)"
            )
            dates = dates[-self.max_catch_up :]
        return dates

    def tick(self) -> list[dt.date]:
        """Run whatever is due now; return the dates run."""
        due = self.due_dates(self.clock())
        if due:
            self.say(f"schedule: running {', '.join(d.isoformat() for d in due)}")
            self.run_dates(due)
        if self.check is not None:
            self.check(self.clock())
        return due

    def run_forever(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Tick, sleep until the next fire, repeat, until `stop()` (or Ctrl-C from outside)."""
        while not stop():
            self.tick()
            now = self.clock()
            upcoming = self.cron.next_after(now)
            checking = self.deadline.next_after(now) if self.deadline and self.check else None
            if checking is not None and (upcoming is None or checking < upcoming):
                self.say(f"schedule: next freshness check at {checking:%Y-%m-%d %H:%M} UTC")
                self.sleep_until(checking)
                continue
            if upcoming is None:
                self.say(f"schedule: {self.cron.expression} never fires again; stopping")
                return
            self.say(
                f"schedule: next run at {upcoming:%Y-%m-%d %H:%M} UTC "
                f"for {run_date_for(upcoming).isoformat()}"
            )
            self.sleep_until(upcoming)

    def sleep_until(self, moment: dt.datetime) -> None:
        # Short naps against the wall clock, so a laptop waking from suspend catches up.
        while (remaining := (moment - self.clock()).total_seconds()) > 0:
            self.sleep(min(remaining, 60.0))
