"""AWS cron translation and the schedule's catch-up, on a fake clock."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys

import pytest

from orderlake.cli import main
from orderlake.definition import load_definition
from orderlake.errors import OrderlakeError
from orderlake.schedule import AwsCron, Scheduler, run_date_for, translate

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("aws", "croniter_form"),
    [
        ("cron(45 1 * * ? *)", "45 1 * * * 0 *"),
        ("cron(0 12 ? * MON-FRI *)", "0 12 * * MON-FRI 0 *"),
        # AWS numbers weekdays 1-7 from Sunday, croniter 0-6: 2-6 is Monday to Friday.
        ("cron(0 12 ? * 2-6 *)", "0 12 * * 1-5 0 *"),
        # The nth weekday: the day is renumbered, the '#n' is not.
        ("cron(0 18 ? * 6#3 2027)", "0 18 * * 5#3 0 2027"),
        ("cron(0/15 * 1 * ? 2026-2030)", "0/15 * 1 * * 0 2026-2030"),
    ],
)
def test_translate_aws_cron(aws: str, croniter_form: str) -> None:
    assert translate(aws) == croniter_form


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("45 1 * * *", "not an AWS cron"),
        ("cron(45 1 * * ?)", "6 fields"),
        ("cron(45 1 * * * *)", "'?'"),
        ("cron(45 1 ? * ? *)", "'?'"),
        ("cron(61 1 * * ? *)", "not a valid"),
        ("cron(0 12 ? * 6L *)", "'L'"),
    ],
)
def test_translate_rejects_bad_expressions(bad: str, says: str) -> None:
    with pytest.raises(OrderlakeError, match=says):
        translate(bad)


def test_weekday_numbers_follow_aws_not_unix() -> None:
    # AWS 2 is Monday; 2026-11-22 is a Sunday, so the next fire is Monday the 23rd.
    monday = AwsCron.parse("cron(0 9 ? * 2 *)").next_after(at("2026-11-22T00:00:00"))
    assert monday == at("2026-11-23T09:00:00")
    assert monday.weekday() == 0


def test_pipeline_schedule_fires_daily_at_0145_for_the_day_before() -> None:
    cron = AwsCron.parse(load_definition().workflow["schedule"])
    fires = cron.fires_between(at("2026-11-20T00:00:00"), at("2026-11-23T00:00:00"))
    assert fires == [
        at("2026-11-20T01:45:00"),
        at("2026-11-21T01:45:00"),
        at("2026-11-22T01:45:00"),
    ]
    assert [run_date_for(f) for f in fires] == [
        day("2026-11-19"),
        day("2026-11-20"),
        day("2026-11-21"),
    ]
    # A fire exactly now has passed.
    assert cron.latest_at_or_before(at("2026-11-22T01:45:00")) == at("2026-11-22T01:45:00")


class FakeClock:
    """Wall time that moves only when the scheduler sleeps."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start
        self.naps: list[float] = []

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += dt.timedelta(seconds=seconds)


class FakeLake:
    """Stands in for the pipeline + run history: records what ran, fails chosen dates once."""

    def __init__(self, succeeded: set[dt.date], fail_once: set[dt.date] = frozenset()) -> None:
        self.succeeded = set(succeeded)
        self.fail_once = set(fail_once)
        self.calls: list[list[dt.date]] = []

    def last_success(self) -> dt.date | None:
        return max(self.succeeded, default=None)

    def run_dates(self, dates: list[dt.date]) -> None:
        self.calls.append(list(dates))
        for d in dates:
            if d in self.fail_once:
                self.fail_once.discard(d)
            else:
                self.succeeded.add(d)


def scheduler(lake: FakeLake, clock: FakeClock, **kwargs: object) -> Scheduler:
    return Scheduler(
        cron=AwsCron.parse("cron(45 1 * * ? *)"),
        last_success=lake.last_success,
        run_dates=lake.run_dates,
        clock=clock,
        sleep=clock.sleep,
        **kwargs,  # type: ignore[arg-type]
    )


def test_catch_up_runs_every_missed_day_since_last_success() -> None:
    lake = FakeLake({day("2026-11-17")})
    clock = FakeClock(at("2026-11-21T03:00:00"))
    assert scheduler(lake, clock).due_dates(clock()) == [
        day("2026-11-18"),
        day("2026-11-19"),
        day("2026-11-20"),
    ]
    # Before today's 01:45 fire, yesterday is not due yet.
    assert scheduler(lake, clock).due_dates(at("2026-11-21T01:44:59"))[-1] == day("2026-11-19")


def test_loop_runs_each_date_once_then_sleeps_until_each_fire() -> None:
    lake = FakeLake({day("2026-11-17")})
    clock = FakeClock(at("2026-11-21T03:00:00"))
    sched = scheduler(lake, clock)
    sched.run_forever(stop=lambda: clock() >= at("2026-11-23T12:00:00"))
    assert lake.calls == [
        [day("2026-11-18"), day("2026-11-19"), day("2026-11-20")],
        [day("2026-11-21")],
        [day("2026-11-22")],
    ]
    assert max(clock.naps) <= 60.0
    assert clock() == at("2026-11-24T01:45:00")


def test_a_failed_date_is_retried_at_the_next_fire_not_in_a_loop() -> None:
    lake = FakeLake({day("2026-11-19")}, fail_once={day("2026-11-20")})
    clock = FakeClock(at("2026-11-21T02:00:00"))
    scheduler(lake, clock).run_forever(stop=lambda: clock() >= at("2026-11-22T02:00:00"))
    assert lake.calls == [[day("2026-11-20")], [day("2026-11-20"), day("2026-11-21")]]
    assert lake.succeeded >= {day("2026-11-20"), day("2026-11-21")}


def test_without_history_only_the_latest_fire_runs_unless_since_is_given() -> None:
    clock = FakeClock(at("2026-11-21T03:00:00"))
    assert scheduler(FakeLake(set()), clock).due_dates(clock()) == [day("2026-11-20")]
    since = scheduler(FakeLake(set()), clock, since=day("2026-11-18"))
    assert since.due_dates(clock()) == [day("2026-11-18"), day("2026-11-19"), day("2026-11-20")]


def test_catch_up_is_capped_and_says_what_to_backfill() -> None:
    said: list[str] = []
    clock = FakeClock(at("2026-11-21T03:00:00"))
    sched = scheduler(FakeLake({day("2026-10-01")}), clock, max_catch_up=5, say=said.append)
    assert sched.due_dates(clock()) == [day(f"2026-11-{d}") for d in range(16, 21)]
    assert "orderlake backfill --from 2026-10-02 --to 2026-11-15" in said[0]


def test_schedule_once_runs_nothing_when_the_latest_date_already_succeeded(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    succeed_latest_date(tmp_path)
    assert main(["schedule", "--once", "--lake", str(tmp_path)]) == 0
    assert "schedule: nothing due" in capsys.readouterr().err


def test_a_second_scheduler_on_the_same_lake_is_refused(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    from orderlake.locks import schedule_lock

    with schedule_lock(tmp_path):
        assert main(["schedule", "--once", "--lake", str(tmp_path)]) == 2
    assert "is already being run (pid" in capsys.readouterr().err


def succeed_latest_date(lake_root) -> None:
    """Run history in which the latest fire's date has succeeded: nothing is due now."""
    from orderlake.history import RunHistory, RunRecord

    definition = load_definition()
    cron = AwsCron.parse(definition.workflow["schedule"])
    latest = run_date_for(cron.latest_at_or_before(dt.datetime.now(UTC)))  # type: ignore[arg-type]
    history = RunHistory.for_lake(lake_root)
    for job in definition.job_order():
        history.save(RunRecord(f"jr_{job}", job, latest, "SUCCEEDED", dt.datetime.now(UTC)))


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_schedule_command_sleeps_until_the_next_fire_and_stops_cleanly(
    tmp_path, stop: signal.Signals
) -> None:
    succeed_latest_date(tmp_path)
    command = [sys.executable, "-m", "orderlake.cli", "schedule", "--lake", str(tmp_path)]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        lines = [proc.stderr.readline() for _ in range(3)]
        assert "cron(45 1 * * ? *)" in lines[0]
        # The freshness check of the latest deadline's day (the run history alone is no Glue
        # run record, so that day is reported), then the wait for the next fire or deadline.
        assert "freshness " in lines[1]
        assert "schedule: next run at" in lines[2] or "next freshness check at" in lines[2]
        proc.send_signal(stop)
        rest = proc.communicate(timeout=60)[1]
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "schedule: stopped" in rest
