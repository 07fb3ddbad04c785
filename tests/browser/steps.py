"""What a shopper does with the mouse and keyboard, shared by the journeys.

Each step may check the pages it passes (`journey.check`); the journey that is about those pages
asks for it, the others pass through quickly.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.checks import Journey

SUCCESS_CARD = "4242 4242 4242 4242"
THREE_D_SECURE_CARD = "4000 0027 6000 3184"
DECLINED_CARD = "4000 0000 0000 0002"

ADDRESS = {
    "First name": "Sakura",
    "Last name": "Haruno",
    "First line of address": "1 Cherry Blossom Lane",
    "City": "Portland",
    "State/County": "OR",
    "Post/Zip-code": "97201",
}


def sign_in_to_dashboard(
    journey: Journey, username: str, password: str, *, check: bool = False
) -> None:
    """Open the dashboard, sign in on its login form and arrive on its home page."""
    page = journey.page
    journey.visit("/dashboard/")
    if check:
        journey.check("dashboard-login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def add_to_basket(journey: Journey) -> None:
    """On a product page: press "Add to basket"."""
    journey.page.locator("#add_to_basket_form").get_by_role("button", name="Add to basket").click()
    expect(journey.page.get_by_text(re.compile("been added to your basket"))).to_be_visible()


def set_basket_quantity(journey: Journey, quantity: int) -> None:
    """On the basket page, with one line: type the quantity and press "Update"."""
    line = journey.page.locator("#basket_formset")
    line.locator("input[name='form-0-quantity']").fill(str(quantity))
    line.get_by_role("button", name="Update").click()


def open_basket(journey: Journey) -> None:
    journey.page.get_by_role("navigation", name="Main").get_by_role("link", name="Basket").click()
    expect(journey.page).to_have_url(re.compile(r"/basket/$"))


def checkout_as_guest(journey: Journey, email: str, *, check: bool = False) -> None:
    """From the basket to the payment step: e-mail, address and standard shipping, one page."""
    journey.page.get_by_role("link", name="Proceed to checkout").click()
    deliver_by_standard_shipping(journey, email=email, check=check)


def checkout_signed_in(journey: Journey) -> None:
    """From a signed-in shopper's basket to the payment step: address, standard shipping."""
    journey.page.get_by_role("link", name="Proceed to checkout").click()
    deliver_by_standard_shipping(journey)


def deliver_by_standard_shipping(
    journey: Journey, *, email: str | None = None, check: bool = False
) -> None:
    """On the checkout's address page: a guest's e-mail, the address, standard shipping."""
    page = journey.page
    expect(page).to_have_url(re.compile(r"/checkout/shipping-address/"))
    if check:
        journey.check("checkout-address")
        if email is not None:  # Oscar's gateway, one link away for those who sign in
            page.get_by_role("link", name="Sign in or create one").click()
            expect(page.get_by_label("I have an account")).to_be_visible()
            journey.check("checkout-gateway")
            page.go_back()
    if email is not None:
        page.get_by_label("Your e-mail address").fill(email)
    for label, value in ADDRESS.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("Country").select_option("US")
    expect(page.get_by_label("Standard shipping")).to_be_checked()  # the default
    page.get_by_label("Standard shipping").check()
    page.get_by_role("button", name="Continue to payment").click()
    expect(page).to_have_url(re.compile(r"/checkout/preview/"))
    if check:  # Oscar's method page, where the steps' "Shipping" leads to change the choice
        steps = page.get_by_role("navigation", name="Checkout steps")
        steps.get_by_role("link", name=re.compile(r"Shipping")).click()
        expect(page).to_have_url(re.compile(r"/checkout/shipping-method/"))
        journey.check("checkout-shipping")
        page.get_by_role("button", name="Continue to payment").click()
        expect(page).to_have_url(re.compile(r"/checkout/preview/"))
    expect(page.get_by_label("Card number")).to_be_visible()  # the Stripe.js stand-in is mounted


def pay_with(journey: Journey, card_number: str) -> None:
    """Type a card into the payment element and press the pay button."""
    page = journey.page
    page.get_by_label("Card number").press_sequentially(card_number.replace(" ", ""))
    page.get_by_label("Expiry date (MM / YY)").press_sequentially("1234")
    page.get_by_label("Security code (CVC)").press_sequentially("123")
    expect(page.get_by_label("Card number")).to_have_value(card_number)
    page.get_by_role("button", name=re.compile(r"^Pay .* and place order$")).click()
