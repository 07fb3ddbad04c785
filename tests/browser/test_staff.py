"""The staff journey in a real browser: a blog editor writes and publishes a post in the admin; a
staff member refunds half an order in Oscar's dashboard.

Every page on the way, the sign-in pages included, gets the same four checks as the storefront's:
the admin and the dashboard are Django's and Oscar's markup with the project's fixes on top
(templates/admin/base_site.html, templates/oscar/dashboard/layout.html).
"""

import importlib
import re
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from oscar.core.loading import get_model
from playwright.sync_api import expect

from catalogue.spoilers import without_spoilers
from catalogue.term_markup import unlinked
from shop.devtools.demo.seed import DEMO_STAFF
from tests.browser.checks import BROWSER_TESTS
from tests.browser.steps import (
    SUCCESS_CARD,
    add_to_basket,
    checkout_as_guest,
    pay_with,
    sign_in_to_dashboard,
)

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

JOURNEY = "staff"
pytestmark = BROWSER_TESTS

PIN_UPC = "PIN-CHEEKY-PINK"
PIN = "Cheeky Pink-Haired Anime Girl Enamel Pin"
EDITOR = {"username": "mika", "password": "write-about-pins-42"}
TITLE = "How to spot a fake enamel pin"
SLUG = "how-to-spot-a-fake-enamel-pin"
FAQ_QUESTION = "Are your pins official merch?"


def blog_editor():
    """A staff user in the "Blog editors" group, made as blog/migrations/0002 makes the group.

    The group is migration data, which the flush after each live-server test removes."""
    migration = importlib.import_module("blog.migrations.0002_blog_editors_group")
    group, _created = Group.objects.get_or_create(name=migration.GROUP_NAME)
    for label, codenames in migration.EDITOR_PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )
    user = get_user_model().objects.create_user(
        EDITOR["username"], "mika@pinsenpai.example", EDITOR["password"], is_staff=True
    )
    user.groups.add(group)
    return user


def write_post(journey, *, title: str, body: str, status: str = "Draft", faq: bool = False):
    """Fill in the admin's "Add post" form and press "Save and continue editing"."""
    page = journey.page
    journey.visit(reverse("admin:blog_post_add"))
    page.get_by_label("Title:", exact=True).fill(title)
    page.get_by_label("Status:").select_option(label=status)
    page.get_by_label("Summary:").fill("Six tells of a counterfeit pin, from the back stamp in.")
    page.get_by_label("Body:").fill(body)
    if faq:
        page.locator("#id_faq_entries-0-question").fill(FAQ_QUESTION)
        page.locator("#id_faq_entries-0-answer").fill("Yes: every design is our own, made by us.")
    page.get_by_role("button", name="Save and continue editing").click()


def test_editor_writes_previews_and_publishes_a_post_with_a_product_embed_and_an_faq(shop, journey):
    blog_editor()
    page = journey.page
    journey.visit(reverse("admin:index"))
    journey.check("admin-login")
    page.get_by_label("Username:").fill(EDITOR["username"])
    page.get_by_label("Password:").fill(EDITOR["password"])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Posts")).to_be_visible()
    journey.check("admin-home")

    body = (
        "# Check the back\n\nA real pin has a crisp back stamp.\n\n"
        f"[[product:{PIN_UPC}]]\n\nOurs always comes on a backing card."
    )
    write_post(journey, title=TITLE, body=body, faq=True)
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.get_by_text(PIN)).to_be_visible()  # the post's featured products
    journey.check("admin-post-draft")

    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Preview").click()
    preview = opened.value
    expect(preview.get_by_role("status")).to_have_text(
        "Preview: this post is a draft. Readers cannot see it yet."
    )
    expect(preview.locator(".article-card")).to_contain_text(PIN)
    expect(preview.get_by_text(FAQ_QUESTION)).to_be_visible()
    journey.check("post-preview", page=preview)
    preview.close()
    assert page.context.request.get(journey.url(f"/blog/{SLUG}/")).status == 404

    journey.visit(reverse("admin:blog_post_changelist"))
    page.get_by_role("row", name=re.compile(TITLE)).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Publish now")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Published 1 post.")
    journey.check("admin-published")

    journey.visit("/blog/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    journey.check("blog-with-post")
    feed = page.context.request.get(journey.url("/blog/feed/")).text()
    assert f"<title>{TITLE}</title>" in feed
    sitemap = page.context.request.get(journey.url("/sitemap-posts.xml")).text()
    assert f"/blog/{SLUG}/</loc>" in sitemap

    journey.visit(Product.objects.get(upc=PIN_UPC).get_absolute_url())
    featured_in = page.get_by_role("region", name="Featured in")
    expect(featured_in.get_by_role("link", name=TITLE)).to_be_visible()
    journey.check("product-featured-in")

    write_post(
        journey,
        title="Pins we have not made yet",
        body="[[product:PIN-NO-SUCH-THING]]",
        status="Published",
    )
    errors = page.locator(".errornote, .errorlist")
    expect(errors.filter(has_text="The post cannot be published yet")).to_be_visible()
    expect(errors.filter(has_text="point to no product: PIN-NO-SUCH-THING")).to_be_visible()
    journey.check("admin-publish-refused")
    assert page.context.request.get(journey.url("/blog/pins-we-have-not-made-yet/")).status == 404


def test_staff_refunds_half_an_order_in_the_dashboard(shop, simulator, journey, settings):
    settings.DEBUG = True  # the printed demo staff login works only with DEBUG, as serve_demo runs
    page = journey.page
    journey.visit(Product.objects.get(upc=PIN_UPC).get_absolute_url())
    add_to_basket(journey)
    journey.visit("/basket/")
    checkout_as_guest(journey, "yuki@example.com")
    pay_with(journey, SUCCESS_CARD)
    expect(page.get_by_role("heading", name=re.compile("is confirmed"))).to_be_visible()
    page.context.clear_cookies()  # the shopper has gone; staff sign in
    simulator.wait_for_deliveries()
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("16.50")  # the $12.00 pin and $4.50 shipping

    sign_in_to_dashboard(journey, DEMO_STAFF["username"], DEMO_STAFF["password"], check=True)
    journey.check("dashboard-home")

    journey.visit("/dashboard/orders/")
    journey.check("dashboard-orders")
    page.get_by_role("link", name=order.number, exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(f"#{order.number}"))).to_be_visible()
    journey.check("dashboard-order")
    page.get_by_role("tab", name="Payment").click()
    expect(page.locator("#lines")).to_be_hidden()  # faded out: axe reads colours mid-fade
    refunds = page.locator("#refund_payment_form")
    expect(refunds.get_by_label("Amount to refund")).to_have_value("16.50")
    journey.check("dashboard-order-payment")

    refunds.get_by_label("Amount to refund").fill("8.25")
    refunds.get_by_label("Reason").fill("One pin arrived scratched")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    refunds.get_by_role("button", name="Refund").click()
    expect(page.get_by_text("Refunded $8.25 to the customer's card")).to_be_visible()
    assert dialogs == [
        "Refund the amount entered to the customer's card? A refund cannot be undone."
    ]
    page.get_by_role("tab", name="Payment").click()
    expect(page.locator("#lines")).to_be_hidden()
    refund_row = page.locator("#refunds ~ table tr").filter(has_text="One pin arrived scratched")
    expect(refund_row).to_contain_text("$8.25")
    expect(page.locator("#refunds ~ table").first).to_contain_text("$8.25")
    journey.check("dashboard-order-refunded")

    simulator.wait_for_deliveries()
    order.refresh_from_db()
    assert [refund.amount for refund in order.refunds.all()] == [Decimal("8.25")]


def test_staff_edit_a_product_description_in_the_dashboard_rich_text_editor(
    shop, journey, settings
):
    """TinyMCE, which Oscar's product form uses for descriptions, runs under the shop's
    Content-Security-Policy: the editor loads, takes typing and saves (any violation or console
    error on the way fails the journey)."""
    settings.DEBUG = True  # the printed demo staff login works only with DEBUG, as serve_demo runs
    page = journey.page
    product = Product.objects.get(upc=PIN_UPC)
    sign_in_to_dashboard(journey, DEMO_STAFF["username"], DEMO_STAFF["password"])

    journey.visit(reverse("dashboard:catalogue-product", kwargs={"pk": product.pk}))
    editor = page.frame_locator("#id_description_ifr").locator("body")
    expect(editor).to_be_editable()
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Back in stock in March.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text(f"Updated product '{product.title}'")).to_be_visible()

    product.refresh_from_db()
    assert "Back in stock in March." in product.description


def test_spoilers_in_a_description_survive_the_dashboard_editor_and_typed_ones_are_hidden(
    shop, journey, settings
):
    """The editor keeps the spoilers' markup it loads (labels, checkboxes, <details>) when staff
    save again, and a `||…||` typed in it is written out on save."""
    settings.DEBUG = True
    page = journey.page
    product = Product.objects.get(upc=PIN_UPC)
    product.description = (
        "<p>Gold plating. ||Shirogane betrays the council||.</p>"
        "<p>:::spoiler Episode 12</p><p>Kurogane keeps the lighthouse.</p><p>:::</p>"
    )
    product.save()
    sign_in_to_dashboard(journey, DEMO_STAFF["username"], DEMO_STAFF["password"])

    journey.visit(reverse("dashboard:catalogue-product", kwargs={"pk": product.pk}))
    editor = page.frame_locator("#id_description_ifr").locator("body")
    expect(editor).to_be_editable()
    editor.locator("p").first.click()
    page.keyboard.press("End")
    page.keyboard.type(" Then ||the fox wins||.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text(f"Updated product '{product.title}'")).to_be_visible()

    product.refresh_from_db()
    assert product.description.count('<label class="spoiler-inline">') == 2
    assert product.description.count('<details class="spoiler">') == 1
    shown = without_spoilers(unlinked(product.description))  # "plating" is a glossary term
    assert "Gold plating." in shown and "Then" in shown
    for hidden in ("Shirogane", "fox wins", "Kurogane", "lighthouse"):
        assert hidden not in shown
