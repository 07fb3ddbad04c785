"""A mail server that accepts the connection and never answers does not hold up "Place order":
the payment is captured, the confirmation is queued, and the worker sends it once the server is back."""

import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from oscar.core.loading import get_model

from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.shopping import card, place_order, to_payment_step
from tests.smtp_standin import SilentSMTPServer
from tests.tasks import queued_tasks, run_queued_tasks

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db

EMAIL_TIMEOUT = 3
CONFIRMATION = "shop.checkout.emails.send_order_confirmation"


@pytest.fixture
def silent_mail_server(settings):
    with SilentSMTPServer() as server:
        settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = EMAIL_TIMEOUT
        yield server


def test_place_order_is_paid_and_thanked_while_the_mail_server_never_answers(
    client, stripe_sim, sim_client, silent_mail_server, settings
):
    pin = merch("Cheeky Pink-Haired Anime Girl Enamel Pin", price="12.50", stock=5)
    to_payment_step(client, pin)

    started = time.monotonic()
    response = place_order(client, card(sim_client))
    thanks = client.get(response["Location"])
    took = time.monotonic() - started

    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.number in thanks.content.decode()
    assert took < EMAIL_TIMEOUT
    assert silent_mail_server.connections == 0  # the request never spoke to the mail server
    assert order.status == "Paid"
    assert PaymentAttempt.objects.get().status == PaymentAttempt.Status.CAPTURED
    assert [path for path, _args in queued_tasks()] == [CONFIRMATION]

    # The worker writes it, tries, waits EMAIL_TIMEOUT for a greeting that never comes, and
    # retries later.
    started = time.monotonic()
    assert run_queued_tasks() == 2
    assert EMAIL_TIMEOUT <= time.monotonic() - started < EMAIL_TIMEOUT + 5
    assert silent_mail_server.connections == 1
    assert mail.outbox == []
    (retry,) = DBTaskResult.objects.filter(status="READY")
    assert retry.run_after > timezone.now()

    # The mail server is back: the retry sends the confirmation, once.
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    assert run_queued_tasks() == 1
    assert run_queued_tasks() == 0
    (message,) = mail.outbox
    assert message.to == ["fan@example.com"]
    assert order.number in message.subject


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_is_queued_after_the_capture(client, stripe_sim, sim_client, monkeypatch):
    """Nothing about the e-mail runs before the money is taken (commits are real here)."""
    from shop.checkout import views

    pin = merch("Enamel Pin", price="12.50", stock=5)
    to_payment_step(client, pin)
    seen = []
    queue = views.queue_order_confirmation

    def note_and_queue(*args, **kwargs):
        seen.append(PaymentAttempt.objects.get().status)
        return queue(*args, **kwargs)

    monkeypatch.setattr(views, "queue_order_confirmation", note_and_queue)
    place_order(client, card(sim_client))

    assert seen == [PaymentAttempt.Status.CAPTURED]
    assert queued_tasks() == [(CONFIRMATION, [Order.objects.get().number, "http://testserver"])]
