"""Every e-mail leaves through the task worker: a request only queues it, the worker sends it with
EMAIL_TIMEOUT, a mail server that never answers costs one timeout and a retry later, and a message
is sent once."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.smtp_standin import SilentSMTPServer
from tests.tasks import queued_tasks, run_queued_tasks

pytestmark = pytest.mark.django_db

DELIVER = "shop.mail.deliver_email"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def silent_mail_server(settings):
    with SilentSMTPServer() as server:
        settings.EMAIL_DELIVERY_BACKEND = SMTP
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 0.5
        yield server


def retries() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=DELIVER, status="READY"))


def test_sending_in_a_request_only_queues_the_message(client):
    get_user_model().objects.create_user(username="rei", email="rei@example.com", password="x")

    response = client.post(reverse("password-reset"), {"email": "rei@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []
    assert [path for path, _args in queued_tasks()] == [DELIVER]
    assert run_queued_tasks() == 1
    (message,) = mail.outbox
    assert message.to == ["rei@example.com"]
    assert "/password-reset/confirm/" in message.body


def test_a_silent_mail_server_costs_the_worker_one_timeout_and_a_retry_later(
    silent_mail_server, settings
):
    mail.send_mail("Your order", "Thanks!", None, ["fan@example.com"])

    started = time.monotonic()
    assert run_queued_tasks() == 1
    waited = time.monotonic() - started

    assert silent_mail_server.connections == 1
    assert 0.5 <= waited < 5
    (retry,) = retries()
    assert retry.args_kwargs["args"][1] == 2  # the second attempt
    assert retry.run_after > timezone.now() + timezone.timedelta(seconds=50)
    assert run_queued_tasks() == 0  # not before its time

    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    assert run_queued_tasks() == 1
    assert run_queued_tasks() == 0
    (message,) = mail.outbox
    assert (message.subject, message.to) == ("Your order", ["fan@example.com"])
    assert retries() == []


def test_every_attempt_carries_the_same_message_id(silent_mail_server, settings):
    mail.send_mail("Your order", "Thanks!", None, ["fan@example.com"])
    first_id = queued_tasks()[0][1][0]["headers"]["Message-ID"]
    run_queued_tasks()

    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_queued_tasks()

    (message,) = mail.outbox
    assert message.message()["Message-ID"] == first_id


def test_html_alternatives_and_reply_to_survive_the_queue():
    message = mail.EmailMultiAlternatives(
        "Back in stock", "Plain", "shop@example.com", ["fan@example.com"], reply_to=["help@x.test"]
    )
    message.attach_alternative("<p>Rich</p>", "text/html")
    message.send()

    run_queued_tasks()

    (sent,) = mail.outbox
    assert (sent.subject, sent.body, sent.from_email) == (
        "Back in stock",
        "Plain",
        "shop@example.com",
    )
    assert sent.reply_to == ["help@x.test"]
    assert [tuple(each) for each in sent.alternatives] == [("<p>Rich</p>", "text/html")]


def test_the_worker_gives_up_after_the_last_retry(silent_mail_server, caplog):
    from shop import mail as shop_mail

    mail.send_mail("Your order", "Thanks!", None, ["fan@example.com"])
    ((_path, (frozen, _attempt)),) = queued_tasks()
    DBTaskResult.objects.all().delete()

    shop_mail.deliver_email.call(frozen, len(shop_mail.RETRY_DELAYS) + 1)

    assert retries() == []
    assert "giving up" in caplog.text


def test_a_sent_message_is_recorded_and_a_second_run_of_its_task_sends_nothing(caplog):
    from shop.worker.models import SentEmail

    mail.send_mail("Your order", "Thanks!", None, ["fan@example.com"])
    ((_path, args),) = queued_tasks()
    run_queued_tasks()
    assert SentEmail.objects.filter(message_id=args[0]["headers"]["Message-ID"]).exists()

    # The same job again, as after its worker was killed before marking it done.
    from shop import mail as shop_mail

    shop_mail.deliver_email.call(*args)

    assert len(mail.outbox) == 1
    assert "was sent already" in caplog.text


def test_sending_a_queued_message_asks_once_and_records_it_with_one_insert(
    django_assert_num_queries,
):
    from shop import mail as shop_mail
    from shop.worker.models import SentEmail

    mail.send_mail("Your order", "Thanks!", None, ["fan@example.com"])
    ((_path, args),) = queued_tasks()

    # Whether it was sent already, then the record (not looked for again before it is written).
    with django_assert_num_queries(2):
        shop_mail.deliver_email.call(*args)

    assert len(mail.outbox) == 1
    assert SentEmail.objects.filter(message_id=args[0]["headers"]["Message-ID"]).count() == 1
