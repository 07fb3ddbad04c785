"""After the sale, in a real browser: staff dispatch a signed-in shopper's order with a tracking
number, the shopper gets the tracking link by e-mail and follows the parcel from their order page,
then reviews what they bought; staff approve the review and it shows as a verified purchase.
Staff cancel a guest's order: its stock comes back and the card payment is refunded.

Every customer page on the way (the account's orders, the order page, the review form, the
product with its review, the 404 page) gets the journeys' checks and screenshots.
"""

import re
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model
from playwright.sync_api import expect

from shop.order import pipeline
from tests.browser.checks import BROWSER_TESTS
from tests.browser.steps import (
    SUCCESS_CARD,
    add_to_basket,
    checkout_as_guest,
    checkout_signed_in,
    open_basket,
    pay_with,
    sign_in_to_dashboard,
)
from tests.tasks import run_queued_tasks

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

JOURNEY = "fulfilment"
pytestmark = BROWSER_TESTS

PIN_UPC = "PIN-CHEEKY-PINK"
PIN = "Cheeky Pink-Haired Anime Girl Enamel Pin"
SHOPPER = {"email": "hinata@example.com", "password": "sunflower-pins-2024"}
STAFF = {"username": "kenji", "password": "pack-the-parcels-77"}
TRACKING = "9400 1000 0000 0000 0000 01"  # typed as printed on the label
TRACKING_URL = "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000001"
REVIEW_TITLE = "Even cuter in person"
CONFIRMED = re.compile(r"Thank you — order #(\d+) is confirmed")


def make_accounts() -> None:
    users = get_user_model().objects
    users.create_user("hinata", SHOPPER["email"], SHOPPER["password"], first_name="Hinata")
    # Every permission, as the demo's staff login has; not the demo account itself, which signs
    # in only with DEBUG on, and the 404 page must be the one shown with DEBUG off.
    users.create_superuser(STAFF["username"], "kenji@pinsenpai.example", STAFF["password"])


def sign_in_as_shopper(journey) -> None:
    page = journey.page
    page.context.clear_cookies()
    journey.visit(reverse("customer:login"))
    form = page.get_by_role("region", name="Sign in")
    form.get_by_label("Email address").fill(SHOPPER["email"])
    form.get_by_label("Password").fill(SHOPPER["password"])
    form.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def sign_in_as_staff(journey) -> None:
    page = journey.page
    page.context.clear_cookies()
    sign_in_to_dashboard(journey, STAFF["username"], STAFF["password"])


def buy_the_pin(journey, simulator, *, guest_email: str | None = None) -> Order:
    """Add the pin to the basket and pay for it by card; the order the shop placed."""
    page = journey.page
    journey.visit(Product.objects.get(upc=PIN_UPC).get_absolute_url())
    add_to_basket(journey)
    open_basket(journey)
    if guest_email:
        checkout_as_guest(journey, guest_email)
    else:
        checkout_signed_in(journey)
    pay_with(journey, SUCCESS_CARD)
    heading = page.get_by_role("heading", name=CONFIRMED)
    expect(heading).to_be_visible()
    number = CONFIRMED.search(heading.inner_text()).group(1)
    simulator.wait_for_deliveries()  # the server is done with the order before the test reads it
    return Order.objects.get(number=number)


def open_in_dashboard(journey, order) -> None:
    journey.visit(reverse("dashboard:order-detail", kwargs={"number": order.number}))
    expect(journey.page.get_by_role("heading", name=re.compile(f"#{order.number}"))).to_be_visible()


def staff_told(page):
    """The dashboard's message after an action (the order's notes repeat its words)."""
    return page.locator(".alert-success")


def held(stock) -> tuple[int, int]:
    """Units on the shelf, and how many of them orders hold (Oscar starts a record at None)."""
    stock.refresh_from_db()
    return stock.num_in_stock, stock.num_allocated or 0


def test_shopper_follows_the_dispatched_parcel_and_reviews_the_pin_as_a_verified_purchase(
    shop, simulator, journey
):
    make_accounts()
    page = journey.page
    sign_in_as_shopper(journey)
    order = buy_the_pin(journey, simulator)
    assert order.status == pipeline.PAID
    run_queued_tasks()  # the order confirmation
    mail.outbox.clear()

    journey.visit(reverse("customer:order-list"))
    expect(page.get_by_role("link", name=f"Order {order.number}", exact=True)).to_be_visible()
    journey.check("account-orders")

    # Staff send it with USPS.
    sign_in_as_staff(journey)
    open_in_dashboard(journey, order)
    page.get_by_role("tab", name="Shipping").click()
    dispatch = page.locator("#dispatch_order_form")
    expect(dispatch).to_be_visible()
    journey.check("dashboard-dispatch")
    dispatch.get_by_label("Carrier").select_option(label="USPS")
    dispatch.get_by_label("Tracking number").fill(TRACKING)
    dispatch.get_by_role("button", name="Dispatch").click()
    expect(staff_told(page)).to_contain_text(
        "Dispatched by USPS, tracking number 9400100000000000000001. The customer is e-mailed."
    )
    order.refresh_from_db()
    assert order.status == pipeline.DISPATCHED

    # The shopper's "on its way" e-mail links to the carrier's tracking page.
    assert run_queued_tasks() == 1
    (message,) = mail.outbox
    assert message.to == [SHOPPER["email"]]
    assert "is on its way" in message.subject
    assert TRACKING_URL in message.body
    (html, _mimetype), *_ = message.alternatives
    assert f'href="{TRACKING_URL}"' in html

    # Their order page shows how far it got and where the parcel is.
    sign_in_as_shopper(journey)
    journey.visit(reverse("customer:order", kwargs={"order_number": order.number}))
    progress = page.get_by_role("region", name="Progress")
    expect(progress.locator(".order-status")).to_have_text(pipeline.DISPATCHED)
    expect(progress.locator(".order-timeline__step.is-current")).to_contain_text("Dispatched")
    parcels = page.get_by_role("region", name="On its way")
    expect(parcels).to_contain_text("9400100000000000000001")
    expect(parcels.get_by_role("link", name="Track parcel")).to_have_attribute("href", TRACKING_URL)
    journey.check("order-dispatched")

    # …and from there they review the pin.
    page.locator(".order-line").filter(has_text=PIN).get_by_role(
        "link", name=re.compile(r"^Write a review")
    ).click()
    expect(page.get_by_role("heading", name="Write a review")).to_be_visible()
    expect(page.get_by_role("complementary", name="The product")).to_contain_text(PIN)
    journey.check("write-review")
    page.locator("label.star-rating__star").nth(4).click()  # the fifth star
    expect(page.get_by_label("5 stars")).to_be_checked()
    page.get_by_label("Title").fill(REVIEW_TITLE)
    page.get_by_label("Your review").fill("The pink glitter catches the light. Sturdy clasp.")
    page.get_by_role("button", name="Send review").click()
    expect(page.get_by_text("Your review will appear here once we have checked it")).to_be_visible()
    expect(page.get_by_text(REVIEW_TITLE)).to_have_count(0)  # waiting for a member of staff

    # Staff approve it in the dashboard.
    sign_in_as_staff(journey)
    journey.visit(reverse("dashboard:reviews-list"))
    page.get_by_role("link", name=REVIEW_TITLE).click()
    page.get_by_label("Status").select_option(label="Approved")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/dashboard/reviews/$"))

    # Anyone now sees it on the product page, with its stars, as a verified purchase.
    page.context.clear_cookies()
    journey.visit(Product.objects.get(upc=PIN_UPC).get_absolute_url())
    reviews = page.get_by_role("region", name="Customer reviews")
    expect(reviews).to_contain_text("5.0 out of 5, from 1 review")
    review = reviews.locator(".review-card").filter(has_text=REVIEW_TITLE)
    expect(review.locator(".stars--5")).to_be_visible()
    expect(review.get_by_text("Rated 5 out of 5")).to_be_attached()
    expect(review.get_by_text("Verified purchase")).to_be_visible()
    journey.check("product-reviewed")


def test_staff_cancel_a_paid_order_its_stock_comes_back_and_its_payment_is_refunded(
    shop, simulator, journey
):
    make_accounts()
    page = journey.page
    stock = StockRecord.objects.get(product__upc=PIN_UPC)
    before = held(stock)
    journey.visit(Product.objects.get(upc=PIN_UPC).get_absolute_url())
    add_to_basket(journey)
    open_basket(journey)
    journey.check("basket")
    journey.visit("/")
    order = buy_the_pin(journey, simulator, guest_email="aoi@example.com")
    assert order.status == pipeline.PAID and order.total_incl_tax == Decimal("28.50")
    assert held(stock) == (before[0], before[1] + 2)
    run_queued_tasks()
    (confirmation,) = mail.outbox
    status_page = reverse(
        "customer:anon-order",
        kwargs={"order_number": order.number, "hash": order.verification_hash()},
    )
    assert status_page in confirmation.body  # where the guest follows their order
    mail.outbox.clear()

    sign_in_as_staff(journey)
    open_in_dashboard(journey, order)
    cancel = page.locator("#cancel_order_form")
    cancel.get_by_label("Reason").fill("Sold out at the supplier")
    page.once("dialog", lambda dialog: dialog.accept())
    cancel.get_by_role("button", name="Cancel items").click()
    expect(staff_told(page)).to_contain_text(f"Order {order.number} cancelled.")
    expect(staff_told(page)).to_contain_text("2 unit(s) back in stock.")
    journey.check("dashboard-order-cancelled")

    order.refresh_from_db()
    assert order.status == pipeline.CANCELLED
    assert held(stock) == before  # the allocation is released; nothing left the shelf
    intent = simulator.payment_intents[order.sources.get().reference]
    charge = simulator.charges[intent["latest_charge"]]
    assert (intent["status"], charge["amount_refunded"]) == ("succeeded", 2850)
    simulator.wait_for_deliveries()
    run_queued_tasks()
    assert sorted((message.to, message.subject) for message in mail.outbox) == [
        (["aoi@example.com"], f"We have refunded $28.50 for your Pin Senpai order #{order.number}"),
        (["aoi@example.com"], f"Your Pin Senpai order #{order.number} has been cancelled"),
    ]

    # The guest's order page, from the confirmation e-mail's link, says so too.
    page.context.clear_cookies()
    journey.visit(status_page)
    journey.check("guest-order-email")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order.number}")
    page.get_by_label("Email address").fill("aoi@example.com")  # who they are, before the order
    page.get_by_role("button", name="Show my order").click()
    progress = page.get_by_role("region", name="Progress")
    expect(progress.locator(".order-status")).to_have_text(pipeline.CANCELLED)
    journey.check("guest-order-cancelled")


def test_a_missing_page_is_the_shops_own_404(shop, journey):
    page = journey.page
    journey.visit("/no-such-pin/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("We cannot find that page")
    expect(page.get_by_role("combobox", name="Search the shop")).to_be_visible()
    journey.check("404")
