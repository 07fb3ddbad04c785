"""A card authorised with no browser to come back (the tab closed after 3-D Secure, a lost reply):
Stripe's webhook places the order as the browser would have, or releases the money and says so."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from oscar.core.loading import get_model

from shop.checkout import unattended
from shop.checkout.views import PaymentDetailsView
from shop.payments import services
from shop.payments.models import PaymentAttempt, WebhookEvent
from tests.factories import merch
from tests.shopping import add_to_basket, card, place_order, to_payment_step
from tests.tasks import queued_tasks, run_queued_tasks

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

WEBHOOK = "/payments/stripe/webhook/"
COMPLETE = "shop.checkout.unattended.complete_held_payment"
pytestmark = pytest.mark.django_db


@pytest.fixture
def pin(db):
    return merch("Closed Tab Pin", price="12.00", stock=2)


def at_3d_secure(shopper, product, sim_client, **kwargs) -> PaymentAttempt:
    to_payment_step(shopper, product, **kwargs)
    response = place_order(shopper, card(sim_client, "pm_card_authenticationRequired"))
    assert response.status_code == 302
    return PaymentAttempt.objects.get()


def deliver(sim, event_type, intent_id):
    """Stripe's webhook for the latest event of this type about the PaymentIntent."""
    event = [
        e for e in sim.events if e["type"] == event_type and e["data"]["object"]["id"] == intent_id
    ][-1]
    body, signature = sim.webhook_request(event)
    return Client().post(
        WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def authorised_webhook(sim, intent_id):
    response = deliver(sim, "payment_intent.amount_capturable_updated", intent_id)
    assert response.status_code == 200, response.content
    return response


def completions() -> list:
    return [args for path, args in queued_tasks() if path == COMPLETE]


def sent(subject_part: str) -> list:
    return [m for m in mail.outbox if subject_part in m.subject]


def test_3d_secure_passed_then_tab_closed_places_the_order_from_the_webhook(
    pin, stripe_sim, sim_client
):
    shopper = Client()
    attempt = at_3d_secure(shopper, pin, sim_client, email="closed@example.com")
    stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)  # ...and the tab is closed

    authorised_webhook(stripe_sim, attempt.payment_intent_id)
    assert completions() == [[attempt.payment_intent_id]]
    run_queued_tasks()  # the completion, which queues the confirmation
    run_queued_tasks()  # the confirmation

    order = Order.objects.get()
    assert order.number == attempt.order_number
    assert order.guest_email == "closed@example.com"
    assert order.total_incl_tax == Decimal(attempt.amount) / 100 == Decimal("16.50")
    assert order.shipping_address.line1 == "1 Cherry Blossom Lane"
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "succeeded"
    assert StockRecord.objects.get(product=pin).num_allocated == 1
    assert Basket.objects.get(pk=attempt.basket_id).status == Basket.SUBMITTED
    (confirmation,) = sent("is confirmed")
    assert confirmation.to == ["closed@example.com"]
    assert order.number in confirmation.body

    # The shopper opens the return link later anyway: the same order, no second one.
    back = shopper.get(
        reverse("checkout:payment-return") + f"?payment_intent={attempt.payment_intent_id}"
    )
    assert back["Location"] == reverse("checkout:thank-you")
    assert Order.objects.count() == 1


def test_a_signed_in_shoppers_order_is_theirs(pin, stripe_sim, sim_client, django_user_model):
    user = django_user_model.objects.create_user("mika", "mika@example.com", "pw-Long-enough-1")
    shopper = Client()
    shopper.force_login(user)
    attempt = at_3d_secure(shopper, pin, sim_client, email="")
    stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)

    authorised_webhook(stripe_sim, attempt.payment_intent_id)
    run_queued_tasks()
    run_queued_tasks()

    order = Order.objects.get()
    assert order.user == user
    assert [m.to for m in sent("is confirmed")] == [["mika@example.com"]]
    assert shopper.get(reverse("customer:order-list")).content.decode().count(order.number) >= 1


def test_the_browser_returning_first_leaves_the_webhook_nothing_to_do(
    client, pin, stripe_sim, sim_client
):
    attempt = at_3d_secure(client, pin, sim_client)
    back = stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)
    client.get("/" + back.split("://", 1)[1].split("/", 1)[1])
    assert Order.objects.count() == 1

    authorised_webhook(stripe_sim, attempt.payment_intent_id)

    assert completions() == []  # the order already holds the payment
    assert unattended.complete(attempt.payment_intent_id) == unattended.Completion.PLACED
    assert Order.objects.count() == 1
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "succeeded"


@pytest.mark.parametrize("stock", [2, 1])  # with 1, the order leaves the basket's pin sold out
def test_a_return_that_finds_its_order_placed_a_moment_later_lands_on_it(
    stripe_sim, sim_client, monkeypatch, stock
):
    """The webhook's completion commits the order just after the return looked for one (the
    race the returns, the webhook and the completions run at once: test_closed_tab_race): the
    basket the return then reads is the order's, or a new empty one."""
    pin = merch("Closed Tab Pin", price="12.00", stock=stock)
    shopper = Client()
    attempt = at_3d_secure(shopper, pin, sim_client, email="late@example.com")
    back = stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)
    looked = PaymentDetailsView.placed_order

    def twin_places_it_meanwhile(view, request):
        found = looked(view, request)
        if found is None and not Order.objects.exists():
            assert unattended.complete(attempt.payment_intent_id) == unattended.Completion.PLACED
        return found

    monkeypatch.setattr(PaymentDetailsView, "placed_order", twin_places_it_meanwhile)
    returned = shopper.get("/" + back.split("://", 1)[1].split("/", 1)[1])

    order = Order.objects.get()
    assert returned["Location"] == reverse("checkout:thank-you")
    page = shopper.get(returned["Location"])
    assert page.status_code == 200 and order.number in page.content.decode()
    assert "add some items" not in page.content.decode()  # no basket warning on the way
    assert StockRecord.objects.get(product=pin).num_allocated == 1


def test_a_basket_changed_after_3d_secure_is_released_and_the_shopper_told(
    client, pin, stripe_sim, sim_client
):
    attempt = at_3d_secure(client, pin, sim_client, email="changed@example.com")
    stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)
    add_to_basket(client, pin)  # in another tab, then the tabs are closed

    authorised_webhook(stripe_sim, attempt.payment_intent_id)
    run_queued_tasks()
    run_queued_tasks()

    assert not Order.objects.exists()
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "canceled"
    assert StockRecord.objects.get(product=pin).num_allocated in (0, None)
    assert Basket.objects.get(pk=attempt.basket_id).status == Basket.OPEN
    (told,) = sent("not completed")
    assert told.to == ["changed@example.com"]
    assert "nothing was taken" in told.body
    assert "$16.50" in told.body
    assert "/basket/" in told.body
    assert not sent("is confirmed")


def test_sold_out_before_the_webhook_releases_the_money(client, stripe_sim, sim_client):
    last_one = merch("Last Closed Tab Pin", price="12.00", stock=1)
    attempt = at_3d_secure(client, last_one, sim_client, email="late@example.com")
    stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)
    rival = Client()
    to_payment_step(rival, last_one, email="rival@example.com")
    assert place_order(rival, card(sim_client))["Location"] == reverse("checkout:thank-you")

    authorised_webhook(stripe_sim, attempt.payment_intent_id)
    run_queued_tasks()
    run_queued_tasks()

    assert Order.objects.get().guest_email == "rival@example.com"
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "canceled"
    assert [m.to for m in sent("not completed")] == [["late@example.com"]]


def test_a_lost_reply_to_authorise_still_becomes_the_order(client, pin, stripe_sim, sim_client):
    to_payment_step(client, pin, email="lost@example.com")
    token = card(sim_client)
    stripe_sim.fail_next(3, kind="timeout")  # Stripe authorises; every answer is lost

    response = place_order(client, token)

    assert response.status_code == 200
    attempt = PaymentAttempt.objects.get()
    assert attempt.payment_intent_id == ""  # we never heard which PaymentIntent it was
    (intent_id,) = stripe_sim.payment_intents
    assert stripe_sim.payment_intents[intent_id]["status"] == "requires_capture"

    authorised_webhook(stripe_sim, intent_id)
    run_queued_tasks()
    run_queued_tasks()

    order = Order.objects.get()
    attempt.refresh_from_db()
    assert (attempt.payment_intent_id, attempt.order) == (intent_id, order)
    assert stripe_sim.payment_intents[intent_id]["status"] == "succeeded"
    assert [m.to for m in sent("is confirmed")] == [["lost@example.com"]]
    # "Place order" again lands on that order; the card is not touched a second time
    again = place_order(client, card(sim_client), basket_id=attempt.basket_id, fingerprint="x")
    assert again["Location"] == reverse("checkout:thank-you")
    assert len(stripe_sim.payment_intents) == 1


def test_a_hold_the_checkout_gave_up_on_is_never_made_an_order(
    client, pin, stripe_sim, sim_client, monkeypatch
):
    """Placing failed and so did cancelling: the shopper was told no order was placed, so the
    webhook must release it, not complete it."""
    to_payment_step(client, pin, email="gaveup@example.com")
    original_cancel = services.cancel

    def order_fails(*args, **kwargs):
        raise RuntimeError("database hiccup")

    def cancel_while_stripe_is_down(attempt):
        stripe_sim.fail_next(3, kind="connection")
        return original_cancel(attempt)

    monkeypatch.setattr("oscar.apps.order.utils.OrderCreator.create_order_model", order_fails)
    monkeypatch.setattr(services, "cancel", cancel_while_stripe_is_down)
    place_order(client, card(sim_client))
    monkeypatch.setattr(services, "cancel", original_cancel)
    stripe_sim.heal()  # Stripe is back
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == PaymentAttempt.Status.RELEASE
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "requires_capture"

    authorised_webhook(stripe_sim, attempt.payment_intent_id)
    run_queued_tasks()
    run_queued_tasks()

    assert not Order.objects.exists()
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "canceled"
    assert [m.to for m in sent("not completed")] == [["gaveup@example.com"]]


def held(sim_client, metadata):
    return sim_client.v1.payment_intents.create(
        {
            "amount": 900,
            "currency": "usd",
            "capture_method": "manual",
            "confirm": True,
            "confirmation_token": card(sim_client),
            "metadata": metadata,
        }
    )


def test_the_webhook_for_a_stranger_intent_queues_nothing(stripe_sim, sim_client):
    intent = held(sim_client, {"order_number": "999"})
    authorised_webhook(stripe_sim, intent.id)
    assert DBTaskResult.objects.filter(task_path=COMPLETE).count() == 0
    assert WebhookEvent.objects.filter(payment_intent_id=intent.id).count() == 1


def test_an_attempt_not_yet_committed_is_looked_for_again_later(stripe_sim, sim_client):
    """Stripe reported the authorisation while "Place order" was still waiting for its reply."""
    intent = held(sim_client, {"order_number": "1001", "attempt": "not-committed-yet"})
    authorised_webhook(stripe_sim, intent.id)

    (later,) = DBTaskResult.objects.filter(task_path=COMPLETE)
    assert later.run_after > timezone.now() + timedelta(seconds=60)
    assert completions() == []  # nothing due now
    assert unattended.complete(intent.id) == unattended.Completion.NOT_OURS
    assert stripe_sim.payment_intents[intent.id]["status"] == "requires_capture"  # reconcile's


def test_the_same_webhook_twice_queues_one_completion(pin, stripe_sim, sim_client):
    attempt = at_3d_secure(Client(), pin, sim_client)
    stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)

    authorised_webhook(stripe_sim, attempt.payment_intent_id)
    authorised_webhook(stripe_sim, attempt.payment_intent_id)

    assert len(completions()) == 1
    run_queued_tasks()
    assert unattended.complete(attempt.payment_intent_id) == unattended.Completion.PLACED
    assert Order.objects.count() == 1


def test_stripe_unreachable_during_completion_waits_and_tries_again(pin, stripe_sim, sim_client):
    attempt = at_3d_secure(Client(), pin, sim_client, email="patient@example.com")
    stripe_sim.authenticate(attempt.payment_intent_id, succeed=True)
    stripe_sim.fail_next(3, kind="connection")

    assert unattended.complete(attempt.payment_intent_id) == unattended.Completion.WAITING

    stripe_sim.heal()
    assert not Order.objects.exists()
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "requires_capture"
    assert unattended.complete(attempt.payment_intent_id) == unattended.Completion.PLACED
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "succeeded"
    assert not sent("not completed")


def test_reconciliation_forgets_the_stored_checkout_once_the_attempt_is_done(
    pin, stripe_sim, sim_client
):
    placed = Client()
    to_payment_step(placed, pin, email="done@example.com")
    place_order(placed, card(sim_client))
    waiting = Client()
    to_payment_step(waiting, pin, email="waiting@example.com")
    place_order(waiting, card(sim_client, "pm_card_authenticationRequired"))
    assert all(a.checkout for a in PaymentAttempt.objects.all())

    call_command("reconcile_payments", stdout=StringIO())

    stored = {a.status: a.checkout for a in PaymentAttempt.objects.all()}
    assert stored[PaymentAttempt.Status.CAPTURED] == {}
    assert stored[PaymentAttempt.Status.REQUIRES_ACTION]["guest"]["email"] == "waiting@example.com"
