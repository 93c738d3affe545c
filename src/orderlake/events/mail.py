"""The email target: a complete RFC 5322 message in the lake's outbox, then SMTP if configured.

Every message is written to `<lake>/outbox/` first, so nothing is lost when the mail server is
down. Without an SMTP host the outbox is the delivery. With one, a sent message moves to
`outbox/sent/`; a failed send leaves it in `outbox/` and says why.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

from orderlake.events.settings import SmtpServer

OUTBOX_DIR = "outbox"
SENT_DIR = "sent"
# Headers are written unfolded (RFC 5322 allows 998 characters a line): SMTP's 78 made Python
# fold a subject of about 70 to 77 characters right after "Subject:", and the unfolded header
# then began with a space. The body is encoded with SMTP's 78 before the switch.
UNFOLDED_HEADERS = SMTP.clone(max_line_length=998)

logger = logging.getLogger("orderlake.events.mail")


@dataclass(frozen=True)
class Delivery:
    path: Path
    sent: bool
    error: str | None = None


def compose(sender: str, recipients: tuple[str, ...], subject: str, body: str) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "orderlake.local")
    # Plain 7-bit text stays readable in the .eml file; anything else is quoted-printable.
    message.set_content(body, cte="7bit" if body.isascii() else "quoted-printable")
    message.policy = UNFOLDED_HEADERS  # what as_bytes and smtplib generate with
    return message


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60].lower()


class Mailer:
    def __init__(self, outbox: Path, sender: str, smtp: SmtpServer | None = None) -> None:
        self.outbox = Path(outbox)
        self.sender = sender
        self.smtp = smtp

    def send(self, recipients: tuple[str, ...], subject: str, body: str) -> Delivery:
        if not recipients:
            raise ValueError(f"no recipients configured for {subject!r}")
        message = compose(self.sender, recipients, subject, body)
        self.outbox.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.outbox / f"{stamp}-{_slug(subject)}.eml"
        path.write_bytes(message.as_bytes())
        if self.smtp is None:
            logger.info("email %r written to %s (no SMTP host configured)", subject, path)
            return Delivery(path=path, sent=False)
        server = f"{self.smtp.host}:{self.smtp.port}"
        try:
            with smtplib.SMTP(
                self.smtp.host, self.smtp.port, timeout=self.smtp.timeout_seconds
            ) as s:
                s.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            error = (
                f"cannot send email {subject!r} via SMTP {server}: {reason}; "
                f"the message stays in {path}"
            )
            logger.error(error)
            return Delivery(path=path, sent=False, error=error)
        sent = self.outbox / SENT_DIR / path.name
        sent.parent.mkdir(exist_ok=True)
        path.rename(sent)
        logger.info("email %r sent via %s to %s", subject, server, ", ".join(recipients))
        return Delivery(path=sent, sent=True)
