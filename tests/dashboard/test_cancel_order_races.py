"""Two cancel clicks at once, run for real: each request on its own connection (PostgreSQL), so
only the row locks of shop.order.cancellation stand between them and a double refund."""

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order import pipeline
from shop.payments.models import Refund
from tests.checkout.test_concurrency import at_once, requests_to
from tests.factories import merch
from tests.races import on_postgresql_with_commits
from tests.shopping import card, place_order, to_payment_step
from tests.tasks import run_queued_tasks

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = on_postgresql_with_commits


def staff(username) -> Client:
    client = Client()
    client.force_login(
        get_user_model().objects.create_superuser(username, f"{username}@example.com", "x")
    )
    return client


def test_two_staff_cancelling_at_once_refund_once_and_release_the_stock_once(
    stripe_sim, sim_client
):
    pin = merch("Race Day Pin", price="20.00", stock=5)
    shopper = Client()
    to_payment_step(shopper, pin)
    assert place_order(shopper, card(sim_client)).status_code == 302
    order = Order.objects.get()
    StockRecord.objects.filter(product=pin).update(num_allocated=3)  # two other orders hold 2
    run_queued_tasks()
    mail.outbox.clear()
    form = {"order_action": "cancel_order", "lines": [line.pk for line in order.lines.all()]}
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})
    clients = [staff("aiko"), staff("ren")]

    responses = at_once([lambda c=c: c.post(url, form) for c in clients])

    assert [response.status_code for response in responses] == [302, 302]
    order.refresh_from_db()
    assert order.status == pipeline.CANCELLED
    assert StockRecord.objects.get(product=pin).num_allocated == 2
    assert Refund.objects.count() == 1
    assert requests_to(stripe_sim, "POST", "/v1/refunds") == 1
    assert sum(each["amount"] for each in stripe_sim.refunds.values()) == 2450
    assert order.notes.count() == 1
    run_queued_tasks()
    assert len(mail.outbox) == 2  # one "cancelled", one "refunded"
