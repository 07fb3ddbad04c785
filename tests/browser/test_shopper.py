"""The shopper's journey in a real browser: find a pin, buy two as a guest, pay by card.

Payments go through Stripe's simulator on 127.0.0.1: the payment page's Stripe.js stand-in turns
the typed card into a ConfirmationToken there, and 3-D Secure sends the shopper to its challenge.
"""

import re
from decimal import Decimal

from django.core import mail
from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests.browser.checks import BROWSER_TESTS
from tests.browser.steps import (
    DECLINED_CARD,
    SUCCESS_CARD,
    THREE_D_SECURE_CARD,
    add_to_basket,
    checkout_as_guest,
    open_basket,
    pay_with,
    set_basket_quantity,
)
from tests.tasks import run_queued_tasks

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

JOURNEY = "shopper"
pytestmark = BROWSER_TESTS

PIN = "Cheeky Pink-Haired Anime Girl Enamel Pin"
GUEST = "sakura@example.com"
ORDER_CONFIRMED = re.compile(r"Thank you — order #(\d+) is confirmed")


def confirmed_order_number(journey) -> str:
    heading = journey.page.get_by_role("heading", name=ORDER_CONFIRMED)
    expect(heading).to_be_visible()
    return ORDER_CONFIRMED.search(heading.inner_text()).group(1)


def open_pin(journey) -> None:
    journey.visit(Product.objects.get(title=PIN).get_absolute_url())


def test_guest_finds_a_pin_buys_two_by_card_and_gets_the_confirmation_email(
    shop, simulator, journey
):
    page = journey.page
    journey.visit("/")
    journey.check("home")

    page.get_by_role("combobox", name="Search the shop").fill("pin")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “pin”")
    journey.check("search")

    filters = page.get_by_role("form", name="Filter products")
    with page.expect_navigation():  # a filter applies as soon as it is ticked
        filters.get_by_role("group", name="Franchise").get_by_label("Pin Senpai Originals").click()
    with page.expect_navigation():
        filters.get_by_label("In stock only").click()
    expect(page).to_have_url(re.compile(r"franchise=pin-senpai-originals.*in_stock=1"))
    expect(filters.get_by_label("In stock only")).to_be_checked()
    journey.check("search-filtered")

    page.get_by_role("link", name=PIN).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PIN)
    journey.check("product")

    page.locator("#add_to_basket_form").get_by_label("Quantity").fill("2")
    add_to_basket(journey)
    open_basket(journey)
    expect(page.locator("input[name='form-0-quantity']")).to_have_value("2")
    expect(page.locator("#basket_formset")).to_contain_text("$24.00")
    journey.check("basket")

    checkout_as_guest(journey, GUEST, check=True)
    expect(page.get_by_text("Test payments — no card is charged.")).to_be_visible()
    expect(page.get_by_role("button", name="Pay $28.50 and place order")).to_be_visible()
    journey.check("payment")

    pay_with(journey, SUCCESS_CARD)
    number = confirmed_order_number(journey)
    expect(page.get_by_text(f"A confirmation e-mail is on its way to {GUEST}")).to_be_visible()
    journey.check("thank-you")

    simulator.wait_for_deliveries()
    order = Order.objects.get(number=number)
    assert (order.guest_email, order.total_incl_tax) == (GUEST, Decimal("28.50"))
    assert [(line.title, line.quantity) for line in order.lines.all()] == [(PIN, 2)]
    assert run_queued_tasks() == 2  # the task worker writes the confirmation, then sends it
    assert [message.to for message in mail.outbox] == [[GUEST]]
    assert number in mail.outbox[0].subject


def test_product_page_lets_the_shopper_choose_how_many(shop, journey):
    open_pin(journey)
    journey.page.locator("#add_to_basket_form").get_by_label("Quantity").fill("2", timeout=2_000)
    add_to_basket(journey)
    open_basket(journey)
    expect(journey.page.locator("input[name='form-0-quantity']")).to_have_value("2")


def test_basket_quantity_can_be_changed(shop, journey):
    open_pin(journey)
    add_to_basket(journey)
    open_basket(journey)
    set_basket_quantity(journey, 3)
    expect(journey.page.locator("#basket_formset")).to_contain_text("$36.00")
    journey.visit("/basket/")
    expect(journey.page.locator("input[name='form-0-quantity']")).to_have_value("3")


def test_3d_secure_challenge_passed_places_the_order_and_failed_places_none(
    shop, simulator, journey
):
    page = journey.page
    open_pin(journey)
    add_to_basket(journey)
    open_basket(journey)
    checkout_as_guest(journey, GUEST)
    pay_with(journey, THREE_D_SECURE_CARD)
    expect(page.get_by_role("heading", name="Simulated 3-D Secure")).to_be_visible()
    journey.check("3ds-challenge")
    page.get_by_role("button", name="Complete authentication").click()
    number = confirmed_order_number(journey)

    open_pin(journey)
    add_to_basket(journey)
    open_basket(journey)
    checkout_as_guest(journey, GUEST)
    pay_with(journey, THREE_D_SECURE_CARD)
    page.get_by_role("button", name="Fail authentication").click()
    expect(page.get_by_role("alert").filter(has_text="unable to authenticate")).to_be_visible()
    journey.check("3ds-failed")

    journey.visit("/basket/")
    expect(page.locator("#basket_formset").get_by_role("link", name=PIN).first).to_be_visible()
    simulator.wait_for_deliveries()
    assert list(Order.objects.values_list("number", flat=True)) == [number]


def test_declined_card_says_so_keeps_the_basket_and_places_no_order(shop, simulator, journey):
    page = journey.page
    open_pin(journey)
    add_to_basket(journey)
    open_basket(journey)
    checkout_as_guest(journey, GUEST)
    pay_with(journey, DECLINED_CARD)
    expect(page.get_by_role("alert").filter(has_text="Your card was declined.")).to_be_visible()
    expect(page.get_by_role("button", name="Pay $16.50 and place order")).to_be_enabled()
    journey.check("declined")

    journey.visit("/basket/")
    expect(page.locator("#basket_formset").get_by_role("link", name=PIN).first).to_be_visible()
    expect(page.locator("input[name='form-0-quantity']")).to_have_value("1")
    simulator.wait_for_deliveries()
    assert not Order.objects.exists()
