"""The reader's journey in a real browser: from the blog to a product the article features."""

import re

from playwright.sync_api import expect

from tests.browser.checks import BROWSER_TESTS

JOURNEY = "reader"
pytestmark = BROWSER_TESTS

ARTICLE = "What does NTR mean?"
PIN = "Cheeky Pink-Haired Anime Girl Enamel Pin"


def test_reader_passes_the_content_warning_buys_from_a_card_and_finds_the_article_on_the_product(
    shop, journey
):
    page = journey.page
    journey.visit("/blog/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Explainers")
    journey.check("blog-index")

    page.get_by_role("link", name=ARTICLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ARTICLE)
    warning = page.get_by_role("region", name="Content warning")
    expect(warning).to_contain_text("NTR")
    expect(page.get_by_text("taken from you")).to_have_count(0)  # the body waits behind it
    journey.check("content-warning")

    warning.get_by_role("button", name="Continue to the article").click()
    expect(page.get_by_role("heading", name="What NTR is")).to_be_visible()
    card = page.locator(".article-card").filter(has=page.get_by_role("link", name=PIN))
    expect(card).to_contain_text("$12.00")
    expect(card).to_contain_text("In stock")
    journey.check("article")

    card.get_by_role("button", name=re.compile(r"^Add to basket")).click()
    expect(page).to_have_url(re.compile(r"/blog/what-does-ntr-mean/"))  # the reader stays
    expect(page.get_by_role("navigation", name="Main").get_by_label("1 item")).to_be_visible()
    journey.check("article-added")

    card.get_by_role("link", name=PIN).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PIN)
    featured_in = page.get_by_role("region", name="Featured in")
    expect(featured_in.get_by_role("link", name=ARTICLE)).to_have_attribute(
        "href", "/blog/what-does-ntr-mean/"
    )
    journey.check("product")
