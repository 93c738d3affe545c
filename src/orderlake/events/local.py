"""The AWS notification flow, wired locally for the runner.

    runner ─JobRun─▶ JobEventsListener ─"Glue Job State Change"─▶ LocalEventBus (events/patterns)
                          └─ (a job with rulesets) "Data Quality Evaluation Results Available" ─┘
        matched ─▶ job-events topic ─▶ on-call email (outbox/, SMTP)
                                    └▶ archive Lambda (lambdas/archive_raw/handler.py)
    runner ─JobRun─▶ HighValueSalesListener ─▶ sales-alerts topic ─▶ alert email

Listeners never raise: a notification problem is logged and never fails the pipeline run.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.util
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orderlake import names as N
from orderlake.definition import project_root
from orderlake.errors import OrderlakeError
from orderlake.events import alerts, messages, notify
from orderlake.events.bus import LocalEventBus, Rule
from orderlake.events.glue_events import (
    crawler_state_change,
    dq_results_available,
    job_state_change,
)
from orderlake.events.job_runs import LocalJobRuns
from orderlake.events.mail import Delivery, Mailer
from orderlake.events.patterns import load_patterns
from orderlake.events.quality_results import (
    RESULT_PASS,
    LocalQualityResults,
    evaluation_context,
    result_record,
    rule_result,
)
from orderlake.events.settings import NotificationSettings, load_settings
from orderlake.events.sns import LambdaHandler, LocalTopic
from orderlake.lake import Lake
from orderlake.storage import LocalStore

logger = logging.getLogger("orderlake.events")

ARCHIVE_LAMBDA = "archive_raw"
BUS_LOG = "events/bus.jsonl"


def load_lambda_handler(name: str) -> LambdaHandler:
    """The deployed handler file itself (lambdas/<name>/handler.py), not a copy of it."""
    path = project_root() / "lambdas" / name / "handler.py"
    spec = importlib.util.spec_from_file_location(f"orderlake_lambda_{name}", path)
    if spec is None or spec.loader is None:
        raise OrderlakeError(f"cannot load Lambda handler {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


@dataclass
class OnCallEmail:
    """The job-events topic's email subscriber: failures always, successes if configured."""

    mailer: Mailer
    job_runs: LocalJobRuns
    settings: NotificationSettings
    deliveries: list[Delivery] = field(default_factory=list)
    quality_results: LocalQualityResults | None = None

    def __call__(self, message: str, subject: str | None) -> Delivery | None:
        event, problem = notify.parse_message(message)
        if problem:
            logger.warning("on-call email: %s; not emailed", problem)
            return None
        notice = notify.on_call_notice(
            event, self.job_runs, self.settings, quality_results=self.quality_results
        )
        if notice.email is None:
            logger.info("on-call email: %s; not emailed", notice.reason)
            return None
        return self._send(notice.email)

    def _send(self, email: messages.Email) -> Delivery:
        delivery = self.mailer.send(self.settings.on_call, email.subject, email.body)
        self.deliveries.append(delivery)
        if delivery.error:
            raise OrderlakeError(delivery.error)
        return delivery


@dataclass
class QualityResultEvents:
    """What Glue Data Quality emits during a run of a job with rulesets (pipeline.yaml
    `quality:`): one "Data Quality Evaluation Results Available" event per ruleset the run
    evaluated, read back from the day's dq_results (which the job writes whether it passes or
    fails), each result recorded in GetDataQualityResult's shape for the notifier's lookup."""

    lake: Lake
    results: LocalQualityResults

    def events_of(self, run: Any, glue_job_name: str, settings: NotificationSettings) -> list:
        if run.job_name not in (self.lake.definition.raw.get("quality") or {}):
            return []
        from orderlake.quality.report import read_day  # pyarrow: only once a job has rules

        try:
            rows = read_day(self.lake, "dq_results", run.run_date)
        except OrderlakeError:
            return []  # the run stopped before its rules (no raw partition, a bad ruleset)
        started = _utc(run.started_at)
        by_ruleset: dict[str, list[dict[str, Any]]] = {}
        for row in rows:  # only this run's rules: an earlier run's results are older
            if (
                row[N.RECORD_TYPE] == N.RECORD_RULE
                and row[N.JOB_NAME] == run.job_name
                and _utc(row[N.EVALUATED_AT]) >= started
            ):
                by_ruleset.setdefault(str(row[N.RULESET]), []).append(row)
        events = []
        for file, rules in by_ruleset.items():
            ruleset = evaluation_context(file)
            result_id = "dqresult-" + hashlib.sha1(f"{run.run_id}/{file}".encode()).hexdigest()
            evaluated = _utc(rules[0][N.EVALUATED_AT])
            rule_results = [
                rule_result(
                    i,
                    str(r[N.RULE]),
                    str(r[N.OUTCOME]),
                    r[N.FAILURE_REASON],
                    dict(r[N.EVALUATED_METRICS] or []),
                )
                for i, r in enumerate(rules, start=1)
            ]
            self.results.record(
                result_record(
                    result_id,
                    ruleset,
                    glue_job_name,
                    run.run_id,
                    evaluated,
                    _utc(run.ended_at or evaluated),
                    rule_results,
                )
            )
            passed = sum(r["Result"] == RESULT_PASS for r in rule_results)
            events.append(
                dq_results_available(
                    result_id,
                    ruleset,
                    glue_job_name,
                    run.run_id,
                    passed,
                    len(rule_results) - passed,
                    evaluated,
                    settings.region,
                    settings.account,
                )
            )
        return events


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@dataclass
class JobEventsListener:
    """Turns the runner's job and crawler runs into Glue state-change events on the bus, and a
    job's data quality evaluations into Glue Data Quality's results events before its own."""

    bus: LocalEventBus
    job_runs: LocalJobRuns
    settings: NotificationSettings
    events: list[dict[str, Any]] = field(default_factory=list)
    quality: QualityResultEvents | None = None

    def job_finished(self, run: Any) -> None:
        try:
            name = self.settings.glue_job_name(run.job_name)
            ended = run.ended_at or run.started_at
            self.job_runs.record(
                name, run.run_id, run.state, run.run_date, run.started_at, ended, run.error
            )
            self._quality_events(run, name)
            event = job_state_change(
                name,
                run.run_id,
                run.state,
                ended,
                self.settings.region,
                self.settings.account,
                run.error,
            )
            self.events.append(event)
            self.bus.put_event(event)
        except Exception:
            logger.exception("job event for %s not delivered", getattr(run, "job_name", run))

    def _quality_events(self, run: Any, glue_job_name: str) -> None:
        """In AWS the results event comes during the run, before the job's own event."""
        if self.quality is None:
            return
        try:
            for event in self.quality.events_of(run, glue_job_name, self.settings):
                self.events.append(event)
                self.bus.put_event(event)
        except Exception:
            logger.exception("data quality events of %s not delivered", run.job_name)

    def crawler_finished(self, run: Any) -> None:
        try:
            event = crawler_state_change(
                self.settings.glue_crawler_name(run.crawler_name),
                run.state,
                run.started_at,
                run.ended_at,
                self.settings.region,
                self.settings.account,
                error=run.error,
                tables_updated=len(run.tables),
            )
            self.events.append(event)
            self.bus.put_event(event)
        except Exception:
            logger.exception("crawler event for %s not delivered", run.crawler_name)


@dataclass
class HighValueSalesListener:
    """After clean_orders succeeds, publishes the day's high-value sales to the alerts topic."""

    lake: Lake
    topic: LocalTopic
    settings: NotificationSettings
    job: str = "clean_orders"
    reports: list[alerts.HighValueReport] = field(default_factory=list)

    def job_finished(self, run: Any) -> None:
        if run.job_name != self.job or run.state != "SUCCEEDED":
            return
        try:
            table = self.lake.definition.tables["orders"]
            report = alerts.report_for(
                LocalStore(self.lake.roots[table.zone]),
                table.prefix,
                run.run_date,
                self.settings.high_value,
            )
            self.reports.append(report)
            if report.count == 0:
                logger.info("no sales over %s on %s", report.threshold, run.run_date)
                return
            self.topic.publish(
                alerts.alert_message(report), alerts.alert_subject(report, self.settings.project)
            )
        except Exception:
            logger.exception("high-value sale alert for %s not published", run.run_date)


def alert_email(mailer: Mailer, recipients: tuple[str, ...]) -> Any:
    """An SNS email subscription: the subject and the message, as published."""

    def deliver(message: str, subject: str | None) -> Delivery:
        delivery = mailer.send(recipients, subject or "orderlake alert", message)
        if delivery.error:
            raise OrderlakeError(delivery.error)
        return delivery

    return deliver


@dataclass
class LocalNotifications:
    bus: LocalEventBus
    job_topic: LocalTopic
    alerts_topic: LocalTopic
    on_call: OnCallEmail
    job_events: JobEventsListener
    high_value: HighValueSalesListener

    @property
    def listeners(self) -> list[Any]:
        return [self.job_events, self.high_value]


def build(
    lake_root: Path, settings: NotificationSettings | None = None, archive: bool = True
) -> LocalNotifications:
    settings = settings or load_settings()
    lake_root = Path(lake_root).resolve()
    lake = Lake.local(lake_root)
    job_runs = LocalJobRuns(lake_root)
    quality_results = LocalQualityResults(lake_root)
    mailer = Mailer(lake_root / "outbox", settings.sender, settings.smtp)
    on_call = OnCallEmail(mailer, job_runs, settings, quality_results=quality_results)

    job_topic = LocalTopic(f"{settings.project}-job-events", settings.region, settings.account)
    job_topic.subscribe_email(",".join(settings.on_call), on_call)
    if archive:
        handler = functools.partial(
            load_lambda_handler(ARCHIVE_LAMBDA),
            raw_store=LocalStore(lake.roots["raw"]),
            archive_store=LocalStore(lake.roots["archive"]),
            job_runs=job_runs,
            prefix=lake.definition.tables["raw_orders"].prefix,
        )
        job_topic.subscribe_lambda(f"{settings.project}-{ARCHIVE_LAMBDA}", handler)

    rules = [
        Rule(name, pattern, [job_topic.publish_event]) for name, pattern in load_patterns().items()
    ]
    bus = LocalEventBus(rules, log_path=lake_root / BUS_LOG)

    alerts_topic = LocalTopic(f"{settings.project}-sales-alerts", settings.region, settings.account)
    alerts_topic.subscribe_email(
        ",".join(settings.high_value.recipients),
        alert_email(mailer, settings.high_value.recipients),
    )
    return LocalNotifications(
        bus=bus,
        job_topic=job_topic,
        alerts_topic=alerts_topic,
        on_call=on_call,
        job_events=JobEventsListener(
            bus, job_runs, settings, quality=QualityResultEvents(lake, quality_results)
        ),
        high_value=HighValueSalesListener(lake, alerts_topic, settings),
    )


def local_listeners(lake_root: Path, archive: bool = True) -> list[Any]:
    """The runner listeners that run the notification flow on a local lake; `archive=False`
    leaves the archive Lambda unsubscribed (raw files stay where they are)."""
    return build(lake_root, archive=archive).listeners
