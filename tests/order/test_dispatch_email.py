""" "Your order is on its way": one e-mail for each parcel, through the task worker, with the
tracking link, what is in the parcel and what is still to come; editable as a communication type."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from shop.order.fulfilment import dispatch
from tests.factories import merch
from tests.orders import dispatch_form, order_page, paid_order
from tests.tasks import run_queued_tasks

CommunicationEventType = get_model("communication", "CommunicationEventType")
dispatch_event_types = importlib.import_module("shop.order.migrations.0024_dispatch_event_types")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pins():
    return merch("Sleepy Fox Spirit Enamel Pin", stock=10), merch("Moon Rabbit Keychain", stock=5)


def html_of(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def test_a_guest_gets_the_tracking_link_and_the_parcel_by_e_mail(staff_client, pins):
    order = paid_order((pins[0], 2), guest_email="mika@example.com", first_name="Mika")

    staff_client.post(
        order_page(order), dispatch_form(order, carrier="ups", tracking="1z999aa10123456784")
    )
    assert not mail.outbox  # queued, not sent from the request
    run_queued_tasks()

    (message,) = mail.outbox
    assert message.to == ["mika@example.com"]
    assert message.subject == f"Your Pin Senpai order #{order.number} is on its way"
    link = "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert link in message.body and f'href="{link}"' in html_of(message)
    assert "Hi Mika," in message.body
    assert "Sleepy Fox Spirit Enamel Pin\n  Qty 2" in message.body
    assert "STILL TO COME" not in message.body
    assert "Track your parcel" in html_of(message)


def test_a_partial_dispatch_says_what_is_still_to_come(staff_client, pins):
    fox, rabbit = pins
    order = paid_order((fox, 3), (rabbit, 1))
    fox_line = order.lines.get(product=fox)
    rabbit_line = order.lines.get(product=rabbit)

    staff_client.post(
        order_page(order),
        dispatch_form(order, **{f"quantity_{fox_line.pk}": 1, f"quantity_{rabbit_line.pk}": 0}),
    )
    run_queued_tasks()

    (message,) = mail.outbox
    assert message.subject == f"Part of your Pin Senpai order #{order.number} is on its way"
    parcel, still_to_come = message.body.split("STILL TO COME")
    assert "Sleepy Fox Spirit Enamel Pin\n  Qty 1" in parcel and "Moon Rabbit" not in parcel
    assert "Sleepy Fox Spirit Enamel Pin\n  Qty 2" in still_to_come
    assert "Moon Rabbit Keychain\n  Qty 1" in still_to_come
    assert "Still to come" in html_of(message)


def test_a_customer_with_an_account_is_mailed_at_their_address(staff_client, pins):
    customer = UserFactory(email="rei@example.com")
    order = paid_order((pins[0], 1), user=customer)

    staff_client.post(order_page(order), dispatch_form(order))
    run_queued_tasks()

    assert [message.to for message in mail.outbox] == [["rei@example.com"]]
    assert order.communication_events.get().event_type.code == "ORDER_DISPATCHED"


def test_one_e_mail_per_shipment_even_when_the_form_is_posted_twice(staff_client, pins):
    order = paid_order((pins[0], 3))
    line = order.lines.get()
    form = dispatch_form(order, **{f"quantity_{line.pk}": 1})

    staff_client.post(order_page(order), form)
    staff_client.post(order_page(order), form)
    staff_client.post(order_page(order), dispatch_form(order, tracking="SECONDPARCEL1"))
    run_queued_tasks()

    assert len(mail.outbox) == 2
    assert "SECONDPARCEL1" in mail.outbox[1].body


def test_other_carriers_are_mailed_the_number_without_a_link(pins):
    order = paid_order((pins[0], 1))
    dispatch(order, carrier="other", tracking_number="local courier 77")
    run_queued_tasks()

    (message,) = mail.outbox
    assert "LOCALCOURIER77" in message.body
    assert "Track it:" not in message.body and "Track your parcel" not in html_of(message)


def test_staff_edit_the_e_mail_as_a_communication_type(staff_client, pins):
    # As the data migration left it (run again: a PostgreSQL run's transactional tests flush it).
    dispatch_event_types.create(django_apps, None)
    emails = staff_client.get(reverse("dashboard:comms-list")).content.decode()
    assert "Order dispatched" in emails
    saved = staff_client.post(
        reverse("dashboard:comms-update", kwargs={"slug": "ORDER_DISPATCHED"}),
        {
            "name": "Order dispatched",
            "email_subject_template": "Parcel for {{ order.number }}",
            "email_body_template": "On its way: {{ shipment.tracking_url }}",
            "email_body_html_template": "<p>On its way: {{ shipment.tracking_url }}</p>",
        },
    )
    assert saved.status_code == 302, saved.context["form"].errors
    order = paid_order((pins[0], 1))

    dispatch(order, carrier="dhl", tracking_number="JD014600006281230701")
    run_queued_tasks()

    assert mail.outbox[0].subject == f"Parcel for {order.number}"
    assert "dhl.com" in mail.outbox[0].body
