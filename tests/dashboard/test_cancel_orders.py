"""Staff cancel an order, or some of its items, from the dashboard's order page: stock comes back,
the payment is refunded or released through Stripe, once, and nothing is half-done on failure."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order import pipeline
from shop.payments import services
from shop.payments.models import PaymentAttempt, Refund
from tests.factories import merch
from tests.shopping import add_to_basket, card, place_order, to_payment_step
from tests.tasks import run_queued_tasks

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pin(db):
    return merch("Sleepy Fox Spirit Enamel Pin", price="20.00", stock=5)


@pytest.fixture
def badge(db):
    return merch("Moonlit Shrine Badge", price="6.00", stock=5)


@pytest.fixture
def checkout(stripe_sim, sim_client, django_capture_on_commit_callbacks):
    """A guest buys the products (one of each) by card; the order as checkout leaves it."""

    def buy(*products):
        shopper = Client()
        for product in products[1:]:
            add_to_basket(shopper, product)
        to_payment_step(shopper, products[0])
        with django_capture_on_commit_callbacks(execute=True):
            response = place_order(shopper, card(sim_client))
        assert response.status_code == 302, response.content[:2000]
        run_queued_tasks()  # the confirmation e-mail, out of the way
        mail.outbox.clear()
        return Order.objects.get()

    return buy


@pytest.fixture
def authorised_only(monkeypatch):
    """Orders placed while capturing fails: the card is authorised, the order "Pending payment"."""
    monkeypatch.setattr(services, "capture", lambda attempt: False)


def order_page(order) -> str:
    return reverse("dashboard:order-detail", kwargs={"number": order.number})


@pytest.fixture
def cancel(django_capture_on_commit_callbacks):
    """Submit the cancel form (every item still open, unless `lines` names some), then run the
    task worker; returns the page the staff member lands on."""

    def submit(client, order, lines=None, reason=""):
        if lines is None:
            lines = order.lines.exclude(status=pipeline.CANCELLED)
        data = {"order_action": "cancel_order", "lines": [line.pk for line in lines]}
        data["reason"] = reason
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post(order_page(order), data, follow=True)
        run_queued_tasks()
        return page

    return submit


def messages_of(page) -> list[str]:
    return [str(message) for message in page.context["messages"]]


def held(product) -> tuple[int, int]:
    stock = StockRecord.objects.get(product=product)
    return stock.num_in_stock, stock.num_allocated


def charge_refunded(sim_client, order) -> int:
    intent = sim_client.v1.payment_intents.retrieve(
        order.sources.get().reference, {"expand": ["latest_charge"]}
    )
    return intent.latest_charge.amount_refunded


def statuses(order) -> tuple[str, list[str]]:
    order.refresh_from_db()
    return order.status, [line.status for line in order.lines.order_by("pk")]


def subjects() -> list[str]:
    return sorted(message.subject for message in mail.outbox)


def test_the_order_page_offers_to_cancel_every_open_item(admin_client, checkout, pin, badge):
    order = checkout(pin, badge)

    page = admin_client.get(order_page(order))

    html = page.content.decode()
    assert 'value="cancel_order"' in html
    assert html.count('name="lines"') == 2
    assert html.count("checked") >= 2
    assert "Sleepy Fox Spirit Enamel Pin (qty 1)" in html


def test_cancelling_a_paid_order_refunds_it_all_releases_its_stock_and_tells_the_customer(
    admin_client, admin_user, checkout, cancel, pin, sim_client
):
    order = checkout(pin)
    assert held(pin) == (5, 1)

    page = cancel(admin_client, order, reason="Out of stock at the maker")

    refund = Refund.objects.get()
    assert messages_of(page) == [
        f"Order {order.number} cancelled. Reason: Out of stock at the maker. 1 unit(s) back in "
        f"stock. Refunded $24.50 to the customer's card (Stripe refund {refund.refund_id})."
    ]
    assert statuses(order) == (pipeline.CANCELLED, [pipeline.CANCELLED])
    assert held(pin) == (5, 0)
    assert (refund.amount, refund.created_by) == (Decimal("24.50"), admin_user)
    assert refund.reason == "Cancelled: Out of stock at the maker"
    assert charge_refunded(sim_client, order) == 2450
    assert order.sources.get().amount_available_for_refund == 0
    note = order.notes.get()
    assert (note.user, note.message) == (admin_user, messages_of(page)[0])
    assert subjects() == [
        f"We have refunded $24.50 for your Pin Senpai order #{order.number}",
        f"Your Pin Senpai order #{order.number} has been cancelled",
    ]
    assert {message.to[0] for message in mail.outbox} == {"fan@example.com"}
    assert 'value="cancel_order"' not in page.content.decode()


def test_cancelling_some_items_refunds_just_those_and_keeps_the_order(
    admin_client, checkout, cancel, pin, badge, sim_client
):
    order = checkout(pin, badge)
    badge_line = order.lines.get(product=badge)

    page = cancel(admin_client, order, lines=[badge_line])

    [message] = messages_of(page)
    assert message.startswith("Cancelled: Moonlit Shrine Badge (qty 1). 1 unit(s) back in stock.")
    assert "Refunded $6.00" in message
    order.refresh_from_db()
    assert order.status == pipeline.PAID
    assert {line.product_id: line.status for line in order.lines.all()} == {
        pin.pk: pipeline.PAID,
        badge.pk: pipeline.CANCELLED,
    }
    assert (held(pin), held(badge)) == ((5, 1), (5, 0))
    assert Refund.objects.get().amount == Decimal("6.00")
    assert charge_refunded(sim_client, order) == 600
    assert subjects() == [
        f"Items of your Pin Senpai order #{order.number} have been cancelled",
        f"We have refunded $6.00 for your Pin Senpai order #{order.number}",
    ]

    # Then the rest: the order is cancelled, and what is left (the pin and shipping) refunded.
    mail.outbox.clear()
    page = cancel(admin_client, order)

    assert statuses(order) == (pipeline.CANCELLED, [pipeline.CANCELLED, pipeline.CANCELLED])
    assert held(pin) == (5, 0)
    assert sorted(Refund.objects.values_list("amount", flat=True)) == [
        Decimal("6.00"),
        Decimal("24.50"),
    ]
    assert charge_refunded(sim_client, order) == 3050


def test_clicking_cancel_twice_cancels_and_refunds_once(
    admin_client, checkout, cancel, pin, sim_client
):
    order = checkout(pin)
    StockRecord.objects.filter(product=pin).update(num_allocated=3)  # two other orders hold 2

    the_form = list(order.lines.all())  # the same page, submitted twice

    first = cancel(admin_client, order, lines=the_form)
    second = cancel(admin_client, order, lines=the_form)

    assert messages_of(first)[0].startswith(f"Order {order.number} cancelled.")
    assert messages_of(second) == ["Already cancelled: nothing more was done."]
    assert Refund.objects.count() == 1
    assert charge_refunded(sim_client, order) == 2450
    assert held(pin) == (5, 2)
    assert order.notes.count() == 1
    assert len(mail.outbox) == 2  # one "cancelled", one "refunded"


def test_an_order_only_authorised_is_cancelled_by_releasing_the_hold(
    admin_client, authorised_only, checkout, cancel, pin, stripe_sim
):
    order = checkout(pin)
    attempt = PaymentAttempt.objects.get()
    assert order.status == pipeline.PENDING_PAYMENT

    page = cancel(admin_client, order)

    [message] = messages_of(page)
    assert message.endswith("The card authorisation was released: nothing was taken.")
    assert statuses(order) == (pipeline.CANCELLED, [pipeline.CANCELLED])
    assert held(pin) == (5, 0)
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "canceled"
    attempt.refresh_from_db()
    assert attempt.status == PaymentAttempt.Status.CANCELLED
    assert not Refund.objects.exists()
    [email] = mail.outbox
    assert email.subject == f"Your Pin Senpai order #{order.number} has been cancelled"
    assert "Your card was not charged" in email.body


def test_cancelling_some_items_of_an_order_only_authorised_is_refused(
    admin_client, authorised_only, checkout, cancel, pin, badge, stripe_sim
):
    order = checkout(pin, badge)
    attempt = PaymentAttempt.objects.get()

    page = cancel(admin_client, order, lines=[order.lines.get(product=badge)])

    [message] = messages_of(page)
    assert "only authorised" in message and "cancel the whole order" in message
    assert statuses(order) == (pipeline.PENDING_PAYMENT, [pipeline.PENDING_PAYMENT] * 2)
    assert (held(pin), held(badge)) == ((5, 1), (5, 1))
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "requires_capture"
    assert not mail.outbox


def test_when_stripe_cannot_refund_nothing_is_cancelled_and_staff_see_why(
    admin_client, checkout, cancel, pin, sim_client, stripe_sim
):
    order = checkout(pin)
    stripe_sim.fail_next(3, kind="connection")  # the first try and both of the SDK's retries

    page = cancel(admin_client, order)

    [message] = messages_of(page)
    assert message.startswith("Nothing was cancelled. Stripe could not be reached")
    assert statuses(order) == (pipeline.PAID, [pipeline.PAID])
    assert held(pin) == (5, 1)
    assert not Refund.objects.exists()
    assert charge_refunded(sim_client, order) == 0
    assert not order.notes.exists()
    assert not mail.outbox

    # Once Stripe is back, the same click works.
    page = cancel(admin_client, order)
    assert statuses(order) == (pipeline.CANCELLED, [pipeline.CANCELLED])
    assert charge_refunded(sim_client, order) == 2450


def test_when_stripe_cannot_release_the_hold_nothing_is_cancelled(
    admin_client, authorised_only, checkout, cancel, pin, stripe_sim
):
    order = checkout(pin)
    attempt = PaymentAttempt.objects.get()
    stripe_sim.fail_next(3, kind="connection")

    page = cancel(admin_client, order)

    [message] = messages_of(page)
    assert message.startswith("Stripe could not release the card authorisation")
    assert statuses(order) == (pipeline.PENDING_PAYMENT, [pipeline.PENDING_PAYMENT])
    assert held(pin) == (5, 1)
    attempt.refresh_from_db()
    assert attempt.status == PaymentAttempt.Status.PLACED  # still the order's, to capture
    assert stripe_sim.payment_intents[attempt.payment_intent_id]["status"] == "requires_capture"
    assert not mail.outbox


def test_a_dispatched_order_cannot_be_cancelled(admin_client, checkout, cancel, pin, sim_client):
    order = checkout(pin)
    order.set_status(pipeline.DISPATCHED)

    assert 'value="cancel_order"' not in admin_client.get(order_page(order)).content.decode()
    page = cancel(admin_client, order)

    assert messages_of(page) == ["An order that is “Dispatched” cannot be cancelled."]
    assert statuses(order) == (pipeline.DISPATCHED, [pipeline.DISPATCHED])
    assert held(pin) == (5, 1)
    assert charge_refunded(sim_client, order) == 0


def test_items_of_another_order_are_refused(admin_client, checkout, cancel, pin):
    order = checkout(pin)

    page = cancel(admin_client, order, lines=[])
    assert messages_of(page) == ["Nothing cancelled. Choose the items of this order to cancel."]

    data = {"order_action": "cancel_order", "lines": ["999999"]}
    page = admin_client.post(order_page(order), data, follow=True)
    assert messages_of(page)[0].startswith("Nothing cancelled.")
    assert statuses(order) == (pipeline.PAID, [pipeline.PAID])


def test_choosing_cancelled_as_the_order_status_cancels_for_real(
    admin_client, checkout, pin, sim_client, django_capture_on_commit_callbacks
):
    order = checkout(pin)

    with django_capture_on_commit_callbacks(execute=True):
        page = admin_client.post(
            order_page(order),
            {"order_action": "change_order_status", "new_status": pipeline.CANCELLED},
            follow=True,
        )

    assert messages_of(page)[0].startswith(f"Order {order.number} cancelled.")
    assert statuses(order) == (pipeline.CANCELLED, [pipeline.CANCELLED])
    assert held(pin) == (5, 0)
    assert charge_refunded(sim_client, order) == 2450


def test_a_partner_user_cannot_cancel(client, checkout, cancel, pin, sim_client):
    order = checkout(pin)
    partner_user = get_user_model().objects.create_user("maker", "maker@example.com", "pw")
    partner_user.user_permissions.add(Permission.objects.get(codename="dashboard_access"))
    pin.stockrecords.get().partner.users.add(partner_user)
    client.force_login(partner_user)

    assert 'value="cancel_order"' not in client.get(order_page(order)).content.decode()
    page = cancel(client, order)

    assert messages_of(page) == ["Only staff can cancel orders."]
    assert statuses(order) == (pipeline.PAID, [pipeline.PAID])
    assert charge_refunded(sim_client, order) == 0
