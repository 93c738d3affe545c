"""`orderlake check-freshness`: has yesterday arrived by the deadline? Tells on-call if not."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from orderlake.commands.common import add_lake_argument
from orderlake.errors import OrderlakeError
from orderlake.events.freshness import Outcome, check
from orderlake.events.job_runs import LocalJobRuns
from orderlake.events.mail import Mailer
from orderlake.events.settings import NotificationSettings, load_settings
from orderlake.lake import Lake
from orderlake.schedule import AwsCron
from orderlake.storage import LocalStore


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check-freshness",
        help="tell on-call if yesterday has no raw data, no clean_orders run or no successful one",
        description=(
            "At the latest deadline passed (pipeline.yaml notifications.freshness.deadline, an "
            "AWS cron in UTC), check the day before it: a raw partition, a clean_orders run, a "
            "successful one. If one is missing, mail on-call (the lake's outbox, SMTP when "
            "configured) once per day. Exit status 1 when the day has not arrived."
        ),
    )
    parser.add_argument(
        "--now",
        type=_moment,
        default=None,
        help="check as of this UTC time (YYYY-MM-DDTHH:MM), e.g. to re-check a past day",
    )
    add_lake_argument(parser)
    parser.set_defaults(handler=handle)


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time (YYYY-MM-DDTHH:MM)") from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def check_lake(
    lake_root: Path, now: dt.datetime, settings: NotificationSettings | None = None
) -> Outcome:
    """The local check: the lake's raw zone and run records, mail through its outbox."""
    settings = settings or load_settings()
    lake = Lake.local(Path(lake_root))
    deadline = AwsCron.parse(settings.freshness.deadline).latest_at_or_before(now)
    mailer = Mailer(Path(lake_root) / "outbox", settings.sender, settings.smtp)

    def tell(email):  # noqa: ANN001, ANN202
        delivery = mailer.send(settings.on_call, email.subject, email.body)
        if delivery.error:
            raise OrderlakeError(delivery.error)

    return check(
        now=now,
        deadline=deadline,
        raw=LocalStore(lake.roots["raw"]),
        raw_prefix=lake.definition.tables["raw_orders"].prefix,
        runs=LocalJobRuns(lake_root),
        job_name=settings.glue_job_name(settings.freshness.job),
        alert_log=LocalStore(Path(lake_root) / "events"),
        tell=tell,
        project=settings.project,
        job=settings.freshness.job,
    )


def handle(args: argparse.Namespace) -> int:
    outcome = check_lake(args.lake, args.now or dt.datetime.now(dt.UTC))
    told = "on-call told" if outcome.told else "nobody told"
    print(f"{outcome.day}: {outcome.state} ({outcome.reason}); {told}")
    return 1 if outcome.state in {"missing_raw", "no_run", "no_successful_run"} else 0
