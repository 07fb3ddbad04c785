"""Races, run for real: threads with their own database connections, on PostgreSQL.

SQLite serialises every write, so these only mean something on PostgreSQL, where row locks and
the conditional stock UPDATE are what stop overselling and double orders.
"""

import copy
import threading
import time

from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from shop.payments import services
from shop.payments.models import PaymentAttempt, Refund, WebhookEvent
from tests.factories import merch
from tests.races import at_once, on_postgresql_with_commits
from tests.shopping import card, place_order, review_form, to_payment_step
from tests.tasks import run_queued_tasks

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = on_postgresql_with_commits


def requests_to(sim, method, suffix):
    return sum(1 for m, path, _key in sim.requests if m == method and path.endswith(suffix))


def test_twelve_buyers_for_three_pins_make_three_orders(stripe_sim, sim_client):
    pin = merch("Last Three Pins", price="10.00", stock=3)
    buyers = []
    for n in range(12):
        shopper = Client()
        to_payment_step(shopper, pin, email=f"fan{n}@example.com")
        buyers.append((shopper, card(sim_client), review_form(shopper)))  # the page they saw

    responses = at_once([lambda b=b: place_order(b[0], b[1], **b[2]) for b in buyers])

    thanked = [r for r in responses if r.status_code == 302]
    sold_out = [r for r in responses if b"sold out while you were paying" in r.content]
    assert len(thanked) == 3 and len(sold_out) == 9
    assert all(r["Location"] == reverse("checkout:thank-you") for r in thanked)
    assert Order.objects.count() == 3
    stock = StockRecord.objects.get(product=pin)
    assert (stock.num_in_stock, stock.num_allocated) == (3, 3)
    assert PaymentAttempt.objects.filter(status=PaymentAttempt.Status.CAPTURED).count() == 3
    assert PaymentAttempt.objects.filter(status=PaymentAttempt.Status.CANCELLED).count() == 9
    statuses = sorted(intent["status"] for intent in stripe_sim.payment_intents.values())
    assert statuses == ["canceled"] * 9 + ["succeeded"] * 3
    assert requests_to(stripe_sim, "POST", "/capture") == 3
    assert run_queued_tasks() == 6  # each confirmation written, then sent
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        order.guest_email for order in Order.objects.all()
    )


def test_the_last_unit_is_sold_once_whatever_the_quantities(stripe_sim, sim_client):
    pin = merch("One Left Pin", price="10.00", stock=1)
    buyers = []
    for n in range(6):
        shopper = Client()
        to_payment_step(shopper, pin, email=f"collector{n}@example.com")
        buyers.append((shopper, card(sim_client), review_form(shopper)))  # the page they saw

    at_once([lambda b=b: place_order(b[0], b[1], **b[2]) for b in buyers])

    assert Order.objects.count() == 1
    assert StockRecord.objects.get(product=pin).num_allocated == 1


def test_a_triple_click_on_place_order_makes_one_order(stripe_sim, sim_client):
    shopper = Client()
    to_payment_step(shopper, merch("Triple Click Pin", price="10.00", stock=5))
    shown = review_form(shopper)
    token = card(sim_client)
    tabs = []
    for _ in range(3):  # the same browser: the same cookies, three requests in flight
        tab = Client()
        tab.cookies = copy.deepcopy(shopper.cookies)
        tabs.append(tab)

    responses = at_once([lambda t=t: place_order(t, token, **shown) for t in tabs])

    assert [r.status_code for r in responses] == [302, 302, 302]
    assert {r["Location"] for r in responses} == {reverse("checkout:thank-you")}
    assert Order.objects.count() == 1
    assert requests_to(stripe_sim, "POST", "/v1/payment_intents") == 1
    assert requests_to(stripe_sim, "POST", "/capture") == 1
    assert StockRecord.objects.get(product__title="Triple Click Pin").num_allocated == 1
    assert run_queued_tasks() == 2  # one confirmation, written then sent
    assert len(mail.outbox) == 1


def test_a_line_added_in_another_tab_while_the_card_is_authorised_is_not_lost_silently(
    stripe_sim, sim_client, monkeypatch
):
    pin = merch("Second Tab Pin", price="10.00", stock=5)
    shopper = Client()
    to_payment_step(shopper, pin)
    shown = review_form(shopper)
    token = card(sim_client)
    other = Client()
    other.cookies = copy.deepcopy(shopper.cookies)
    authorising = threading.Event()
    real_authorise = services.authorise

    def slow_authorise(*args, **kwargs):
        authorising.set()
        time.sleep(1)  # the other tab's add arrives while Stripe is thinking
        return real_authorise(*args, **kwargs)

    def add_while_authorising():
        assert authorising.wait(timeout=30)
        return other.post(reverse("basket:add", kwargs={"pk": pin.pk}), {"quantity": 1})

    monkeypatch.setattr(services, "authorise", slow_authorise)
    placed, added = at_once([lambda: place_order(shopper, token, **shown), add_while_authorising])

    assert placed["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.num_items == 1
    assert Basket.objects.get(pk=order.basket_id).num_items == 1  # nothing the order never saw
    told = other.get(added["Location"]).content.decode()
    assert "was not added: your basket was ordered in another tab" in told


def test_returning_from_3d_secure_in_three_tabs_at_once_makes_one_order(stripe_sim, sim_client):
    shopper = Client()
    to_payment_step(shopper, merch("Three Tabs Pin", price="10.00", stock=5))
    place_order(shopper, card(sim_client, "pm_card_authenticationRequired"))
    intent_id = PaymentAttempt.objects.get().payment_intent_id
    back = stripe_sim.authenticate(intent_id, succeed=True)
    path = "/" + back.split("://", 1)[1].split("/", 1)[1]
    tabs = []
    for _ in range(3):
        tab = Client()
        tab.cookies = copy.deepcopy(shopper.cookies)
        tabs.append(tab)

    responses = at_once([lambda t=t: t.get(path) for t in tabs])

    assert Order.objects.count() == 1
    thanked = [r for r in responses if r.get("Location") == reverse("checkout:thank-you")]
    assert thanked, [(r.status_code, r.get("Location")) for r in responses]
    assert requests_to(stripe_sim, "POST", "/capture") == 1
    assert stripe_sim.payment_intents[intent_id]["status"] == "succeeded"
    assert StockRecord.objects.get(product__title="Three Tabs Pin").num_allocated == 1
    assert run_queued_tasks() == 2  # one confirmation, written then sent
    assert len(mail.outbox) == 1


def test_the_same_webhook_twice_at_once_is_applied_once(stripe_sim, sim_client):
    shopper = Client()
    to_payment_step(shopper, merch("Webhook Race Pin", price="20.00", stock=5))
    place_order(shopper, card(sim_client))
    order = Order.objects.get()
    stripe_sim.dashboard_refund(order.sources.get().reference, amount=600)
    event = [e for e in stripe_sim.events if e["type"] == "charge.refunded"][-1]
    body, header = stripe_sim.webhook_request(event)

    def deliver():
        return Client().post(
            "/payments/stripe/webhook/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )

    responses = at_once([deliver, deliver, deliver])

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert WebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    assert Refund.objects.count() == 1
    assert order.sources.get().amount_refunded == 6
