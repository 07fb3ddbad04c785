"""A shopper on a 390 px phone: the header stays one row with an item in the basket, and every
tap target on the pages they pass (home, listing, product, basket, blog, article) is at least
44 x 44 px (checks.small_tap_targets)."""

import re

from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests.browser.checks import BROWSER_TESTS, PHONE, header_rows, small_tap_targets

JOURNEY = "phone"
pytestmark = BROWSER_TESTS

Product = get_model("catalogue", "Product")

PIN = "Cheeky Pink-Haired Anime Girl Enamel Pin"
ARTICLE = "/blog/what-does-ntr-mean/"


def test_phone_header_is_one_row_and_every_tap_target_is_44_px(shop, journey):
    page = journey.page
    page.set_viewport_size(PHONE)
    small, wrapped = {}, []

    def measure(name: str) -> None:
        found = small_tap_targets(page)
        if found:
            small[name] = found

    def one_header_row(name: str) -> None:
        if header_rows(page) != 1:
            wrapped.append(name)

    journey.visit("/")
    one_header_row("the home page")
    measure("home")

    journey.visit("/catalogue/")
    measure("listing")

    journey.visit(Product.objects.get(title=PIN).get_absolute_url())
    measure("product")
    page.locator("#add_to_basket_form").get_by_role("button", name="Add to basket").click()
    badge = page.get_by_role("navigation", name="Main").get_by_label("1 item")
    expect(badge).to_be_visible()
    one_header_row("the basket has a badge")

    journey.visit("/basket/")
    measure("basket")
    one_header_row("the basket page")

    journey.visit("/blog/")
    measure("blog index")

    journey.visit(ARTICLE)
    page.get_by_role("button", name="Continue to the article").click()
    expect(page.get_by_role("heading", name="What NTR is")).to_be_visible()
    measure("article")
    card = page.locator(".article-card").filter(has=page.get_by_role("link", name=PIN))
    card.get_by_role("button", name=re.compile(r"^Add to basket")).click()
    expect(page).to_have_url(re.compile(r"/blog/what-does-ntr-mean/#product-\d+$"))
    expect(card).to_contain_text("Added to your basket")
    one_header_row("the article with two items")
    measure("article, after adding")

    assert not wrapped, f"the header is more than one row at 390 px: {', '.join(wrapped)}"
    assert not small, "tap targets under 44 x 44 px at 390 px:\n" + "\n".join(
        f"  {name}: {', '.join(found)}" for name, found in small.items()
    )
