"""The order confirmation e-mail: subject, recipient, lines, totals, address and a link to the order."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse
from oscar.apps.partner.strategy import Default
from oscar.core.loading import get_class, get_model
from oscar.test.factories import (
    CountryFactory,
    ShippingAddressFactory,
    create_order,
)

from shop.shipping.methods import Express, Standard
from tests.factories import merch
from tests.tasks import run_queued_tasks

Basket = get_model("basket", "Basket")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")
OrderPlacementMixin = get_class("checkout.mixins", "OrderPlacementMixin")

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


def send_confirmation(order, rf, user=None):
    """Send ORDER_PLACED with the context Oscar's checkout builds for it."""
    request = rf.get(reverse("checkout:preview"))
    request.user = user or AnonymousUser()
    checkout = OrderPlacementMixin()
    checkout.request = request
    OrderDispatcher().send_order_placed_email_for_user(order, checkout.get_message_context(order))
    run_queued_tasks()  # the text and HTML travel through the task queue
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def html_body(message):
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def test_guest_gets_the_confirmation_with_lines_totals_and_address(rf):
    order = place_order(
        items=[
            ("Cheeky Pink-Haired Anime Girl Enamel Pin", "12.00", 2),
            ("Ramen Sticker", "4.00", 1),
        ]
    )

    message = send_confirmation(order, rf)

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


def test_guest_link_opens_the_order_status_page_after_the_email_check(rf, client):
    order = place_order(items=[("Enamel Pin", "12.00", 1)])

    message = send_confirmation(order, rf)

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


def test_customer_gets_it_at_their_account_address_with_a_link_to_the_account_order(rf):
    user = get_user_model().objects.create_user(
        username="hinata", email="member@example.com", first_name="Hinata"
    )
    order = place_order(items=[("Enamel Pin", "12.00", 1)], user=user)

    message = send_confirmation(order, rf, user=user)

    assert message.to == ["member@example.com"]
    path = reverse("customer:order", kwargs={"order_number": order.number})
    assert f"http://testserver{path}" in message.body
    assert f'href="http://testserver{path}"' in html_body(message)


def test_free_standard_shipping_reads_free(rf):
    order = place_order(items=[("Enamel Pin", "25.00", 2)])

    message = send_confirmation(order, rf)

    assert order.shipping_incl_tax == Decimal("0.00")
    assert "Free" in message.body
    assert "$0.00" not in message.body
    assert "Free" in html_body(message)
    assert "$50.00" in message.body


def test_express_shipping_is_named_with_its_charge(rf):
    order = place_order(items=[("Enamel Pin", "60.00", 1)], shipping=Express)

    message = send_confirmation(order, rf)

    assert "Express shipping (1–2 working days), $12.00" in message.body
    assert "$72.00" in message.body


def test_titles_are_plain_in_the_text_and_escaped_in_the_html(rf):
    order = place_order(items=[("Pins & Needles <Limited>", "12.00", 1)])

    message = send_confirmation(order, rf)

    assert "Pins & Needles <Limited>" in message.body
    assert "Pins &amp; Needles &lt;Limited&gt;" in html_body(message)


def test_without_a_request_the_link_is_the_context_status_url():
    """Sent from outside the browser's request: the link falls back to the context's status_url."""
    order = place_order(items=[("Enamel Pin", "12.00", 1)])
    status_url = f"https://shop.example/accounts/order-status/{order.number}/signed/"

    OrderDispatcher().send_order_placed_email_for_user(
        order,
        {
            "user": None,
            "order": order,
            "lines": order.lines.all(),
            "status_path": "/accounts/order-status/",
            "status_url": status_url,
        },
    )

    run_queued_tasks()
    (message,) = mail.outbox
    assert status_url in message.body
    assert f'href="{status_url}"' in html_body(message)
