"""The "day never arrived" check on a fake clock: missing raw, no run, failed run, late but
fine, all fine, and one alert per day however often it runs."""

from __future__ import annotations

import datetime as dt
import email
from email import policy
from pathlib import Path

import pytest

from orderlake.commands.check_freshness import check_lake
from orderlake.definition import load_definition
from orderlake.events.job_runs import LocalJobRuns
from orderlake.events.settings import load_settings

DAY = dt.date(2026, 11, 21)
DEADLINE = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.UTC)  # pipeline.yaml: cron(0 6 * * ? *)
JOB = "orderlake-clean_orders"


def settings():
    return load_settings(env={"AWS_REGION": "us-east-1"}, definition=load_definition())


def raw_day(lake: Path, day: dt.date = DAY) -> None:
    folder = lake / "raw" / "orders" / f"dt={day}"
    folder.mkdir(parents=True)
    (folder / "orders.csv").write_text("order_id\n")


def run(lake: Path, run_id: str, state: str, ended: dt.datetime, day: dt.date = DAY) -> None:
    started = ended - dt.timedelta(minutes=20)
    LocalJobRuns(lake).record(
        JOB, run_id, state, day, started, ended, "Boom" if state != "SUCCEEDED" else None
    )


def mails(lake: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((lake / "outbox").glob("*.eml"))
    ]


def at(hour: int, minute: int = 0, day: int = 22) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


def test_missing_raw(tmp_path: Path) -> None:
    outcome = check_lake(tmp_path, at(6, 0), settings())
    assert (outcome.day, outcome.state, outcome.told) == ("2026-11-21", "missing_raw", True)
    (mail,) = mails(tmp_path)
    assert (
        mail["Subject"].strip()
        == "[orderlake] 2026-11-21 not ready by the deadline: no raw orders arrived"
    )
    body = mail.get_content()
    assert "Since:     2026-11-22 06:00 UTC" in body
    assert "orderlake run --date 2026-11-21 " in body and "generate_orders" in body


def test_no_run(tmp_path: Path) -> None:
    raw_day(tmp_path)
    run(tmp_path, "jr_other_day", "SUCCEEDED", at(1, 58, day=21), day=dt.date(2026, 11, 20))
    outcome = check_lake(tmp_path, at(6, 5), settings())
    assert (outcome.state, outcome.told) == ("no_run", True)
    (mail,) = mails(tmp_path)
    assert "clean_orders never ran" in mail["Subject"]
    assert "orderlake run --date 2026-11-21 --no-generate" in mail.get_content()


def test_failed_run(tmp_path: Path) -> None:
    raw_day(tmp_path)
    run(tmp_path, "jr_first", "FAILED", at(2, 3))
    run(tmp_path, "jr_retry", "TIMEOUT", at(3, 10))
    outcome = check_lake(tmp_path, at(6, 0), settings())
    assert (outcome.state, outcome.told) == ("no_successful_run", True)
    body = mails(tmp_path)[0].get_content()
    assert "Since:     2026-11-22 03:10 UTC" in body  # the latest run's end
    assert "2 orderlake-clean_orders run(s)" in body and "jr_retry, is TIMEOUT: Boom" in body


def test_late_but_fine_is_not_told(tmp_path: Path) -> None:
    raw_day(tmp_path)
    run(tmp_path, "jr_late", "SUCCEEDED", at(7, 30))
    outcome = check_lake(tmp_path, at(8, 0), settings())
    assert (outcome.state, outcome.told) == ("late_but_fine", False)
    assert mails(tmp_path) == []


def test_all_fine_after_archive_is_not_told(tmp_path: Path) -> None:
    # The raw partition is gone (archived after the success): the success is what counts.
    run(tmp_path, "jr_failed", "FAILED", at(1, 50))
    run(tmp_path, "jr_ok", "SUCCEEDED", at(2, 40))
    outcome = check_lake(tmp_path, at(6, 0), settings())
    assert (outcome.state, outcome.told) == ("fine", False)
    assert mails(tmp_path) == []


def test_before_the_first_deadline_nothing_is_due(tmp_path: Path) -> None:
    outcome = check_lake(tmp_path, at(5, 59), settings())
    assert outcome.day == "2026-11-20"  # the previous deadline's day, still missing
    assert check_lake(tmp_path, at(5, 59), settings()).told is False


@pytest.mark.parametrize("later", [at(6, 0), at(6, 1), at(23, 59)])
def test_the_same_day_is_told_once(tmp_path: Path, later: dt.datetime) -> None:
    assert check_lake(tmp_path, at(6, 0), settings()).told
    again = check_lake(tmp_path, later, settings())
    assert again.state == "missing_raw" and not again.told and "already told" in again.reason
    assert len(mails(tmp_path)) == 1
    # The next day is a new day: told again.
    assert check_lake(tmp_path, at(6, 0, day=23), settings()).day == "2026-11-22"
    assert len(mails(tmp_path)) == 2


def test_the_cli_exits_1_when_the_day_has_not_arrived(tmp_path: Path, capsys) -> None:
    from orderlake import cli

    code = cli.main(["check-freshness", "--lake", str(tmp_path), "--now", "2026-11-22T06:00"])
    assert code == 1
    assert "2026-11-21: missing_raw" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # argparse: the bad value named, exit status 2
        cli.main(["check-freshness", "--lake", str(tmp_path), "--now", "nonsense"])
    assert "'nonsense' is not a time" in capsys.readouterr().err


def test_runs_that_cannot_be_read_are_told_not_crashed(tmp_path: Path) -> None:
    from orderlake.events.freshness import check
    from orderlake.storage import LocalStore

    class Denied:
        def get_job_runs(self, JobName: str) -> dict:  # noqa: N803
            raise RuntimeError("AccessDeniedException: not authorized to perform glue:GetJobRuns")

    told = []
    outcome = check(
        at(6, 0),
        DEADLINE,
        LocalStore(tmp_path / "raw"),
        "orders",
        Denied(),
        JOB,
        LocalStore(tmp_path / "log"),
        told.append,
        "orderlake",
        "clean_orders",
    )
    assert (outcome.state, outcome.told) == ("unverifiable", True)
    assert "glue:GetJobRuns" in told[0].body and "could not be read" in told[0].subject
