"""A local SNS topic: publish once, deliver to every subscriber, one failure never stops the rest.

A Lambda subscriber is invoked with exactly the event SNS gives Lambda (a `Records` list whose
`Sns.Message` is the published string); an email subscriber receives subject and message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("orderlake.events.sns")

LambdaHandler = Callable[[dict[str, Any], Any], Any]


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def sns_lambda_event(
    topic: str, message: str, subject: str | None = None, subscription: str | None = None
) -> dict[str, Any]:
    """The event SNS invokes a subscribed Lambda with (AWS Lambda docs, "Using Lambda with
    Amazon SNS")."""
    now = dt.datetime.now(dt.UTC)
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription or f"{topic}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": topic,
                    "Subject": subject,
                    "Message": message,
                    "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.")
                    + f"{now.microsecond // 1000:03d}Z",
                    "SignatureVersion": "1",
                    "Signature": "LOCAL",
                    "SigningCertUrl": "https://sns.local/SimpleNotificationService.pem",
                    "UnsubscribeUrl": f"https://sns.local/?Action=Unsubscribe&TopicArn={topic}",
                    "MessageAttributes": {},
                },
            }
        ]
    }


@dataclass(frozen=True)
class LambdaContext:
    """The fields of Lambda's context object a handler may log."""

    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@dataclass
class Subscription:
    protocol: str  # "email" or "lambda"
    endpoint: str
    deliver: Callable[[str, str | None], Any]


@dataclass
class Outcome:
    endpoint: str
    ok: bool
    result: Any = None
    error: str | None = None


@dataclass
class LocalTopic:
    name: str
    region: str
    account: str
    subscriptions: list[Subscription] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return topic_arn(self.region, self.account, self.name)

    def subscribe_lambda(self, function_name: str, handler: LambdaHandler) -> None:
        def invoke(message: str, subject: str | None) -> Any:
            event = sns_lambda_event(self.arn, message, subject)
            return handler(event, LambdaContext(function_name=function_name))

        self.subscriptions.append(Subscription("lambda", function_name, invoke))

    def subscribe_email(self, endpoint: str, deliver: Callable[[str, str | None], Any]) -> None:
        self.subscriptions.append(Subscription("email", endpoint, deliver))

    def publish(self, message: str, subject: str | None = None) -> list[Outcome]:
        outcomes = []
        for sub in self.subscriptions:
            try:
                outcomes.append(Outcome(sub.endpoint, True, sub.deliver(message, subject)))
            except Exception as exc:  # one subscriber's failure must not stop the others
                error = f"{type(exc).__name__}: {exc}"
                logger.error("delivery from %s to %s failed: %s", self.name, sub.endpoint, error)
                outcomes.append(Outcome(sub.endpoint, False, error=error))
        return outcomes

    def publish_event(self, event: dict[str, Any]) -> list[Outcome]:
        """What an EventBridge rule targeting the topic does: the event JSON, no subject."""
        return self.publish(json.dumps(event))
