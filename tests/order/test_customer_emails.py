"""The customer's e-mails after the sale: "order cancelled" and "refund issued", HTML and text in
the shop's look, one per cancellation or refund, editable in the dashboard like Oscar's others."""

import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_order

from shop.payments.services import record_refund
from tests.factories import merch
from tests.shopping import add_to_basket, card, place_order, to_payment_step
from tests.tasks import run_queued_tasks

CommunicationEventType = get_model("communication", "CommunicationEventType")
Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db

WEBHOOK = "/payments/stripe/webhook/"


@pytest.fixture
def paid_order(stripe_sim, sim_client, django_capture_on_commit_callbacks):
    """A guest's captured order of a $20.00 pin and a $6.00 badge ($4.50 shipping)."""
    shopper = Client()
    add_to_basket(shopper, merch("Moonlit <b>Shrine</b> Badge", price="6.00", stock=5))
    to_payment_step(shopper, merch("Sleepy Fox Spirit Enamel Pin", price="20.00", stock=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert place_order(shopper, card(sim_client)).status_code == 302
    run_queued_tasks()
    mail.outbox.clear()  # the confirmation
    return Order.objects.get()


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run `action` as a request would (its commit callbacks included), then the task worker;
    the e-mails it sent."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            action()
        run_queued_tasks()
        return list(mail.outbox)

    return run


def order_page(order) -> str:
    return reverse("dashboard:order-detail", kwargs={"number": order.number})


def refund_form(client, order, amount, reason="", key=None):
    data = {"order_action": "refund_payment", "amount": amount, "reason": reason}
    return client.post(order_page(order), data | {"request_key": key or uuid.uuid4().hex})


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_both_emails_are_communication_types_listed_in_the_dashboard(staff_client):
    codes = set(CommunicationEventType.objects.values_list("code", flat=True))
    assert {"ORDER_CANCELLED", "REFUND_ISSUED"} <= codes

    page = staff_client.get(reverse("dashboard:comms-list")).content.decode()
    assert "Order cancelled" in page and "Refund issued" in page


def test_a_refund_from_the_dashboard_emails_the_customer_once(admin_client, paid_order, sent):
    key = uuid.uuid4().hex

    def submitted_twice():
        for _ in range(2):
            refund_form(admin_client, paid_order, "7.25", "Late delivery", key)

    [email] = sent(submitted_twice)
    assert email.to == ["fan@example.com"]
    assert email.subject == f"We have refunded $7.25 for your Pin Senpai order #{paid_order.number}"
    assert "Hi Sakura," in email.body
    assert f"We have refunded $7.25 for your order #{paid_order.number}" in email.body
    assert "Why: Late delivery" in email.body
    html = html_of(email)
    assert "<strong>$7.25</strong>" in html and "Late delivery" in html
    assert "Pin Senpai" in html
    assert f"/accounts/order-status/{paid_order.number}/" in email.body  # the guest's status page


def test_a_refund_made_in_stripes_dashboard_is_emailed_once(client, paid_order, sent, stripe_sim):
    stripe_sim.dashboard_refund(paid_order.sources.get().reference, amount=500)

    def webhook_delivers_twice():
        for event_type in ("refund.created", "charge.refunded", "charge.refunded"):
            event = [each for each in stripe_sim.events if each["type"] == event_type][-1]
            body, signature = stripe_sim.webhook_request(event)
            response = client.post(
                WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
            )
            assert response.status_code == 200

    [email] = sent(webhook_delivers_twice)
    assert email.subject == f"We have refunded $5.00 for your Pin Senpai order #{paid_order.number}"


def test_a_registered_customer_gets_it_at_their_account_address(sent):
    user = UserFactory(email="collector@example.com", first_name="Hinata")
    order = create_order(user=user)

    [email] = sent(lambda: record_refund(order, "re_from_stripe", 350, "usd", reason="Goodwill"))

    assert email.to == ["collector@example.com"]
    assert "Hi Hinata," in email.body
    assert "$3.50" in email.subject and "Why: Goodwill" in email.body


def test_the_cancellation_email_says_what_was_cancelled_and_refunded(
    admin_client, paid_order, sent
):
    badge = paid_order.lines.get(title__startswith="Moonlit")

    emails = sent(
        lambda: admin_client.post(
            order_page(paid_order),
            {"order_action": "cancel_order", "lines": [badge.pk], "reason": "Sold out at maker"},
        )
    )

    [cancelled] = [each for each in emails if "cancelled" in each.subject]
    assert cancelled.subject == (
        f"Items of your Pin Senpai order #{paid_order.number} have been cancelled"
    )
    assert "Moonlit <b>Shrine</b> Badge" in cancelled.body  # plain text: as written
    assert "Sleepy Fox" not in cancelled.body
    assert "Why: Sold out at maker" in cancelled.body
    assert "We have refunded $6.00 to the card you paid with." in cancelled.body
    html = html_of(cancelled)
    assert "Moonlit &lt;b&gt;Shrine&lt;/b&gt; Badge" in html  # staff wrote the title: escaped
    assert "<strong>$6.00</strong>" in html
    assert "View your order" in html  # the rest is still coming
    [refunded] = [each for each in emails if "refunded" in each.subject]
    assert "Why: Cancelled: Sold out at maker" in refunded.body


def test_staff_edits_of_the_email_in_the_dashboard_are_what_is_sent(paid_order, sent):
    CommunicationEventType.objects.filter(code="REFUND_ISSUED").update(
        email_subject_template="Money back for {{ order.number }}: {{ refund.amount }}"
    )

    [email] = sent(lambda: record_refund(paid_order, "re_edited", 100, "usd"))

    assert email.subject == f"Money back for {paid_order.number}: {Decimal('1.00')}"


def test_a_whole_cancelled_order_links_to_its_page_too(admin_client, paid_order, sent):
    every_line = list(paid_order.lines.values_list("pk", flat=True))

    emails = sent(
        lambda: admin_client.post(
            order_page(paid_order), {"order_action": "cancel_order", "lines": every_line}
        )
    )

    [cancelled] = [each for each in emails if "cancelled" in each.subject]
    assert f"Your Pin Senpai order #{paid_order.number} has been cancelled" == cancelled.subject
    assert f"/accounts/order-status/{paid_order.number}/" in cancelled.body
    assert "View your order" in html_of(cancelled)
