"""The order confirmation e-mail: subject, recipient, lines, totals, address and a link to the order,
written by the task worker from the order, once."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core import mail
from django.urls import reverse
from oscar.apps.partner.strategy import Default
from oscar.core.loading import get_model
from oscar.test.factories import (
    CountryFactory,
    ShippingAddressFactory,
    create_order,
)

from shop.checkout.emails import queue_order_confirmation
from shop.shipping.methods import Express, Standard
from tests.factories import merch
from tests.tasks import queued_tasks, run_queued_tasks

Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db

GUEST_EMAIL = "sakura@example.com"


def place_order(*, items, shipping=Standard, user=None):
    """An order for `items` ((title, price, quantity), ...) shipped to Portland, as checkout makes it."""
    basket = Basket.objects.create()
    basket.strategy = Default()
    for title, price, quantity in items:
        basket.add_product(merch(title, price=price, stock=quantity + 5), quantity=quantity)
    address = ShippingAddressFactory(
        first_name="Sakura",
        last_name="Haruno",
        line1="12 Cherry Lane",
        line2="",
        line4="Portland",
        state="OR",
        postcode="97201",
        phone_number="",
        country=CountryFactory(iso_3166_1_a2="US", printable_name="United States"),
    )
    return create_order(
        basket=basket,
        user=user,
        shipping_address=address,
        shipping_method=shipping(basket) if shipping is Standard else shipping(),
        guest_email="" if user else GUEST_EMAIL,
    )


def send_confirmation(order, *, site_root="http://testserver"):
    """Queue the confirmation as "Place order" does on `site_root`, and run the worker."""
    queue_order_confirmation(order.number, site_root=site_root)
    assert mail.outbox == []
    assert run_queued_tasks() == 2  # it writes the text and HTML, then sends them
    (message,) = mail.outbox
    return message


def html_body(message):
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def test_guest_gets_the_confirmation_with_lines_totals_and_address():
    order = place_order(
        items=[
            ("Cheeky Pink-Haired Anime Girl Enamel Pin", "12.00", 2),
            ("Ramen Sticker", "4.00", 1),
        ]
    )

    message = send_confirmation(order)

    assert message.subject == f"Your Pin Senpai order #{order.number} is confirmed"
    assert message.to == [GUEST_EMAIL]
    for body in (message.body, html_body(message)):
        assert "Hi Sakura," in body
        assert "Cheeky Pink-Haired Anime Girl Enamel Pin" in body
        assert "Qty 2" in body
        assert "$24.00" in body
        assert "Ramen Sticker" in body
        assert "$4.00" in body
        assert "$28.00" in body  # items
        assert "Standard shipping (3–5 working days)" in body
        assert "$4.50" in body
        assert "$32.50" in body  # total
        assert "12 Cherry Lane" in body
        assert "Portland" in body
        assert "97201" in body
        assert "The Pin Senpai team" in body


def test_guest_link_opens_the_order_status_page_after_the_email_check(client):
    order = place_order(items=[("Enamel Pin", "12.00", 1)])

    message = send_confirmation(order)

    path = reverse(
        "customer:anon-order",
        kwargs={"order_number": order.number, "hash": order.verification_hash()},
    )
    assert f"http://testserver{path}" in message.body
    assert f'href="http://testserver{path}"' in html_body(message)
    # Oscar asks for the order's e-mail address before it shows a guest's order.
    assert client.get(path, follow=True).status_code == 200
    form = reverse(
        "customer:anon-order-form",
        kwargs={"order_number": order.number, "hash": order.verification_hash()},
    )
    status_page = client.post(form, {"email": GUEST_EMAIL}, follow=True)
    assert status_page.redirect_chain[-1][0] == path
    assert str(order.number) in status_page.content.decode()


def test_customer_gets_it_at_their_account_address_with_a_link_to_the_account_order():
    user = get_user_model().objects.create_user(
        username="hinata", email="member@example.com", first_name="Hinata"
    )
    order = place_order(items=[("Enamel Pin", "12.00", 1)], user=user)

    message = send_confirmation(order)

    assert message.to == ["member@example.com"]
    path = reverse("customer:order", kwargs={"order_number": order.number})
    assert f"http://testserver{path}" in message.body
    assert f'href="http://testserver{path}"' in html_body(message)


def test_free_standard_shipping_reads_free():
    order = place_order(items=[("Enamel Pin", "25.00", 2)])

    message = send_confirmation(order)

    assert order.shipping_incl_tax == Decimal("0.00")
    assert "Free" in message.body
    assert "$0.00" not in message.body
    assert "Free" in html_body(message)
    assert "$50.00" in message.body


def test_express_shipping_is_named_with_its_charge():
    order = place_order(items=[("Enamel Pin", "60.00", 1)], shipping=Express)

    message = send_confirmation(order)

    assert "Express shipping (1–2 working days), $12.00" in message.body
    assert "$72.00" in message.body


def test_titles_are_plain_in_the_text_and_escaped_in_the_html():
    order = place_order(items=[("Pins & Needles <Limited>", "12.00", 1)])

    message = send_confirmation(order)

    assert "Pins & Needles <Limited>" in message.body
    assert "Pins &amp; Needles &lt;Limited&gt;" in html_body(message)


def test_placed_without_the_browser_the_link_is_on_the_sites_domain():
    """An order the webhook or reconciliation placed has no shopper's host: the Sites framework's."""
    order = place_order(items=[("Enamel Pin", "12.00", 1)])

    message = send_confirmation(order, site_root="")

    path = reverse(
        "customer:anon-order",
        kwargs={"order_number": order.number, "hash": order.verification_hash()},
    )
    link = f"https://{Site.objects.get_current().domain}{path}"  # DEBUG is off in tests
    assert link in message.body
    assert f'href="{link}"' in html_body(message)


def test_the_confirmation_is_written_once_and_recorded_on_the_order():
    """A worker killed after writing it, or a twin worker, runs the task again: no second copy."""
    order = place_order(items=[("Enamel Pin", "12.00", 1)])
    send_confirmation(order)

    queue_order_confirmation(order.number, site_root="http://testserver")
    assert run_queued_tasks() == 1
    assert queued_tasks() == []
    assert len(mail.outbox) == 1
    (event,) = order.communication_events.all()
    assert event.event_type.code == "ORDER_PLACED"


def test_writing_the_confirmation_reads_its_communication_type_once(django_assert_num_queries):
    """The order (locked), its e-mail type with whether the order has had it, the lines, the
    items total and discounts (once for the text, once for the HTML), the message queued and the
    event recorded, inside its transaction (a savepoint here): as many for three lines as for one.
    13 when the type was read three times."""
    from shop.checkout.emails import send_order_confirmation

    order = place_order(items=[(f"Pin {n}", "12.00", 1) for n in range(3)])

    with django_assert_num_queries(11):
        assert send_order_confirmation.call(order.number, "http://testserver") is True

    (event,) = order.communication_events.all()
    assert event.event_type.code == "ORDER_PLACED"
    ((_path, (message, _attempt)),) = queued_tasks()
    assert message["to"] == [GUEST_EMAIL]
