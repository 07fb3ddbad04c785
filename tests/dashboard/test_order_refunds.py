"""Refunding a card payment from the dashboard's order page: in full, in part, and when it can't."""

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_order

from shop.payments.models import Refund
from shop.payments.services import record_refund
from tests.factories import merch
from tests.shopping import card, place_order, to_payment_step

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db

# One $20.00 pin and $4.50 standard shipping.
PAID = Decimal("24.50")


@pytest.fixture
def pin(db):
    return merch("Sleepy Fox Spirit Enamel Pin", price="20.00", stock=5)


@pytest.fixture
def paid_order(pin, stripe_sim, sim_client, django_capture_on_commit_callbacks):
    """An order a guest paid by card, captured, as checkout leaves it."""
    shopper = Client()
    to_payment_step(shopper, pin)
    with django_capture_on_commit_callbacks(execute=True):
        response = place_order(shopper, card(sim_client))
    assert response.status_code == 302, response.content[:2000]
    order = Order.objects.get()
    assert order.total_incl_tax == PAID
    assert order.sources.get().amount_debited == PAID
    return order


def order_page(order) -> str:
    return reverse("dashboard:order-detail", kwargs={"number": order.number})


def refund(client, order, amount, reason="", *, follow=True, request_key=None):
    """Submit the refund form; by default, follow back to the page the staff member lands on."""
    return client.post(
        order_page(order),
        {
            "order_action": "refund_payment",
            "amount": amount,
            "reason": reason,
            "request_key": request_key or uuid.uuid4().hex,
        },
        follow=follow,
    )


def lands_on_payment_tab(page, order) -> bool:
    return page.redirect_chain == [(order_page(order) + "#payment", 302)]


def messages_of(page) -> list[str]:
    return [str(message) for message in page.context["messages"]]


def charge_refunded(sim_client, order) -> int:
    """What Stripe's own books say was refunded on the order's charge, in cents."""
    intent = sim_client.v1.payment_intents.retrieve(
        order.sources.get().reference, {"expand": ["latest_charge"]}
    )
    return intent.latest_charge.amount_refunded


def event_names(order) -> list[str]:
    return list(order.payment_events.order_by("pk").values_list("event_type__name", flat=True))


def test_full_refund_gives_the_whole_payment_back_through_stripe(
    admin_client, admin_user, paid_order, sim_client
):
    page = refund(admin_client, paid_order, "24.50", reason="Arrived broken")

    assert lands_on_payment_tab(page, paid_order)
    made = Refund.objects.get()
    assert messages_of(page) == [
        f"Refunded $24.50 to the customer's card (Stripe refund {made.refund_id})."
    ]
    assert made.refund_id.startswith("re_")
    assert (made.order, made.amount, made.created_by, made.reason) == (
        paid_order,
        PAID,
        admin_user,
        "Arrived broken",
    )
    source = paid_order.sources.get()
    assert source.amount_refunded == PAID
    assert source.amount_available_for_refund == 0
    assert event_names(paid_order) == ["Authorised", "Captured", "Refunded"]
    assert paid_order.payment_events.get(event_type__name="Refunded").amount == PAID
    assert charge_refunded(sim_client, paid_order) == 2450
    assert b"refunded in full" in page.content
    assert b'name="order_action" value="refund_payment"' not in page.content


def test_two_partial_refunds_add_up_and_leave_the_rest_refundable(
    admin_client, paid_order, sim_client
):
    first = refund(admin_client, paid_order, "5.00")
    second = refund(admin_client, paid_order, "7.25", reason="Late delivery")

    assert messages_of(first)[0].startswith("Refunded $5.00 to the customer's card")
    assert messages_of(second)[0].startswith("Refunded $7.25 to the customer's card")
    assert sorted(Refund.objects.values_list("amount", flat=True)) == [
        Decimal("5.00"),
        Decimal("7.25"),
    ]
    source = paid_order.sources.get()
    assert source.amount_refunded == Decimal("12.25")
    assert source.amount_available_for_refund == Decimal("12.25")
    assert event_names(paid_order) == ["Authorised", "Captured", "Refunded", "Refunded"]
    assert charge_refunded(sim_client, paid_order) == 1225

    page = admin_client.get(order_page(paid_order))
    assert page.context["refundable"] == Decimal("12.25")
    assert page.context["refund_form"]["amount"].value() == Decimal("12.25")


def test_submitting_the_same_refund_form_twice_refunds_once(admin_client, paid_order, sim_client):
    key = uuid.uuid4().hex
    first = refund(admin_client, paid_order, "20.00", request_key=key)
    second = refund(admin_client, paid_order, "20.00", request_key=key)

    assert messages_of(first)[0] == messages_of(second)[0]
    assert Refund.objects.count() == 1
    assert paid_order.sources.get().amount_refunded == Decimal("20.00")
    assert charge_refunded(sim_client, paid_order) == 2000


def test_refund_over_the_refundable_amount_is_refused_and_nothing_recorded(
    admin_client, paid_order, sim_client, stripe_sim
):
    refund(admin_client, paid_order, "20.00")

    page = refund(admin_client, paid_order, "4.51")

    assert lands_on_payment_tab(page, paid_order)
    assert messages_of(page) == ["No refund made. Enter an amount between 0.01 and 4.50."]
    assert Refund.objects.count() == 1
    assert paid_order.sources.get().amount_refunded == Decimal("20.00")
    assert event_names(paid_order).count("Refunded") == 1
    assert charge_refunded(sim_client, paid_order) == 2000


@pytest.mark.parametrize("amount", ["", "abc", "0", "-3.00", "1.001"])
def test_an_amount_that_is_not_money_is_refused_with_a_message(admin_client, paid_order, amount):
    page = refund(admin_client, paid_order, amount)

    assert lands_on_payment_tab(page, paid_order)
    [message] = messages_of(page)
    assert message.startswith("No refund made. Amount to refund:")
    assert not Refund.objects.exists()
    assert paid_order.sources.get().amount_refunded == 0


def test_refund_is_not_recorded_when_stripe_is_unreachable(
    admin_client, paid_order, sim_client, stripe_sim
):
    # The first try and both of the SDK's retries fail.
    stripe_sim.fail_next(3, kind="connection")

    page = refund(admin_client, paid_order, "24.50")

    assert lands_on_payment_tab(page, paid_order)
    [message] = messages_of(page)
    assert message.startswith("No refund made.")
    assert "Stripe" in message
    assert not Refund.objects.exists()
    assert paid_order.sources.get().amount_refunded == 0
    assert "Refunded" not in event_names(paid_order)
    assert charge_refunded(sim_client, paid_order) == 0


def test_order_not_paid_by_card_shows_no_refund_form_and_refuses_a_refund(admin_client):
    order = create_order()

    page = admin_client.get(order_page(order))
    assert page.status_code == 200
    assert "refund_form" not in page.context
    assert b"Card refunds" not in page.content

    page = refund(admin_client, order, "1.00")
    assert lands_on_payment_tab(page, order)
    assert messages_of(page) == [
        "No refund made. This order has no captured card payment to refund."
    ]
    assert not Refund.objects.exists()


def test_a_customer_cannot_reach_the_order_page_or_refund(client, paid_order, sim_client):
    client.force_login(get_user_model().objects.create_user("fan", "fan@example.com", "pw"))

    for response in (
        client.get(order_page(paid_order)),
        refund(client, paid_order, "24.50", follow=False),
    ):
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))
    assert not Refund.objects.exists()
    assert charge_refunded(sim_client, paid_order) == 0


def test_a_partner_user_sees_the_payment_but_cannot_refund(client, pin, paid_order, sim_client):
    partner_user = get_user_model().objects.create_user("maker", "maker@example.com", "pw")
    partner_user.user_permissions.add(Permission.objects.get(codename="dashboard_access"))
    pin.stockrecords.get().partner.users.add(partner_user)
    client.force_login(partner_user)

    page = client.get(order_page(paid_order))
    assert page.status_code == 200
    assert b"Card refunds" in page.content
    assert b'value="refund_payment"' not in page.content

    page = refund(client, paid_order, "24.50")
    assert lands_on_payment_tab(page, paid_order)
    assert messages_of(page) == ["Only staff can refund payments."]
    assert not Refund.objects.exists()
    assert charge_refunded(sim_client, paid_order) == 0


def test_order_page_shows_the_refund_panel_with_its_refunds(admin_client, paid_order):
    page = admin_client.get(order_page(paid_order))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Card refunds" in html
    assert "No refunds yet." in html
    assert 'value="refund_payment"' in html
    assert 'name="amount" value="24.50"' in html

    refund(admin_client, paid_order, "3.00", reason="Wrong colour")
    made = Refund.objects.get()
    # A refund made in Stripe's own dashboard, as its webhook records it: nobody of ours made it.
    record_refund(paid_order, "re_from_stripe_dashboard", 150, "usd")

    page = admin_client.get(order_page(paid_order))
    html = page.content.decode()
    assert page.context["refundable"] == Decimal("20.00")
    assert made.refund_id in html
    assert "Wrong colour" in html
    assert "re_from_stripe_dashboard" in html
    assert "Stripe dashboard" in html
    assert "$1.50" in html
    assert 'name="amount" value="20.00"' in html
