"""Every e-mail the shop sends leaves through the task worker, never from inside a request.

`QueuedEmailBackend` is the shop's EMAIL_BACKEND: sending a message (the order confirmation,
Oscar's registration, password reset and stock alert e-mails, Django's own) only stores one
`deliver_email` task. The worker (`manage.py db_worker`) sends it through the backend EMAIL_URL
names (EMAIL_DELIVERY_BACKEND), where SMTP gives up after EMAIL_TIMEOUT; a failed try is tried again
later with growing delays. A mail server that accepts and never answers thus costs the worker one
timeout per try and the shopper nothing.

Sent once, as far as SMTP allows: each message is one task, a next try is queued only when sending
raised, and every try carries the Message-ID fixed when the message was queued. A task runs again
when its worker was killed in the middle (shop.worker.lease): the run records the Message-ID
(SentEmail) the moment the server has accepted the message, before it even says goodbye (QUIT), and
a run that finds the record sends nothing. What remains is the time between the server's "250
accepted" and that record's commit, one database round trip: a worker killed just then, or a
server that took the message and whose reply was lost, gives a second copy with the same
Message-ID, which mail clients treat as one message.
"""

import base64
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.utils import timezone
from django_tasks import task

from shop.worker.models import SentEmail
from shop.worker.periodic import periodic

logger = logging.getLogger("shop.mail")

# Seconds to wait before each retry: a minute, five, half an hour, two hours, six hours.
RETRY_DELAYS = (60, 300, 1800, 7200, 21600)
# How long a sent message is remembered: far longer than its last retry.
SENT_KEPT = timedelta(days=30)


class QueuedEmailBackend(BaseEmailBackend):
    """Queue each message for the worker; sending from a request is a database insert."""

    def send_messages(self, email_messages) -> int:
        queued = 0
        for message in email_messages:
            try:
                deliver_email.enqueue(frozen(message), 1)
            except Exception:
                if not self.fail_silently:
                    raise
                logger.exception("Could not queue the e-mail %r", message.subject)
            else:
                queued += 1
        return queued


@task()
def deliver_email(message: dict, attempt: int) -> None:
    """Send one queued message; if the mail server fails or stays silent, try again later."""
    message_id = _message_id(message)
    if SentEmail.objects.filter(message_id=message_id).exists():
        logger.info(
            "E-mail %r was sent already (try %s): not sent again", message["subject"], attempt
        )
        return
    # One connection opened here, so that send() leaves it open: the record is written between the
    # server's acceptance and the goodbye, whose reply a server may be slow to give.
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND)
    try:
        connection.open()
        thawed(message, connection=connection).send()
    except Exception as error:  # whatever the mail backend raises, retry later
        _close(connection)
        _retry(message, attempt, error)
        return
    try:
        _remember_sent(message_id)
    finally:
        _close(connection)
    logger.info("E-mail %r sent (try %s)", message["subject"], attempt)


@periodic(name="Forgetting old sent e-mails", every=lambda: timedelta(days=1))
def forget_sent_emails() -> int:
    deleted, _ = SentEmail.objects.filter(sent_at__lt=timezone.now() - SENT_KEPT).delete()
    return deleted


def _message_id(message: dict) -> str:
    return next(value for name, value in message["headers"].items() if name.lower() == "message-id")


def _remember_sent(message_id: str) -> None:
    # Stored already only after two runs at once (shop.worker.lease): both have sent it. An
    # INSERT that skips a stored id, where get_or_create would look for it first.
    SentEmail.objects.bulk_create(
        [SentEmail(message_id=message_id, sent_at=timezone.now())], ignore_conflicts=True
    )


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # the message is sent (or will be retried): a failed goodbye changes nothing
        logger.warning("The mail server connection did not close cleanly", exc_info=True)


def _retry(message: dict, attempt: int, error: Exception) -> None:
    if attempt > len(RETRY_DELAYS):
        logger.error("E-mail %r: try %s failed (%s); giving up", message["subject"], attempt, error)
        return
    delay = RETRY_DELAYS[attempt - 1]
    logger.error(
        "E-mail %r: try %s failed (%s); trying again in %s s",
        message["subject"],
        attempt,
        error,
        delay,
    )
    run_after = timezone.now() + timedelta(seconds=delay)
    deliver_email.using(run_after=run_after).enqueue(message, attempt + 1)


def frozen(message) -> dict:
    """The message as the task's JSON arguments, with the Message-ID every try will carry."""
    headers = dict(message.extra_headers)
    if not any(name.lower() == "message-id" for name in headers):
        headers["Message-ID"] = make_msgid(domain=DNS_NAME)
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "content_subtype": message.content_subtype,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": headers,
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": [_frozen_attachment(each) for each in message.attachments],
    }


def thawed(message: dict, *, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        cc=message["cc"],
        bcc=message["bcc"],
        reply_to=message["reply_to"],
        headers=message["headers"],
        alternatives=[tuple(each) for each in message["alternatives"]],
        connection=connection,
    )
    email.content_subtype = message["content_subtype"]
    for filename, content, mimetype in message["attachments"]:
        email.attach(filename, base64.b64decode(content), mimetype)
    return email


def _frozen_attachment(attachment) -> list:
    filename, content, mimetype = attachment  # a MIMEBase part is not queued: none is sent
    if isinstance(content, str):
        content = content.encode()
    return [filename, base64.b64encode(content).decode("ascii"), mimetype]
