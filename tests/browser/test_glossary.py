"""The glossary in a real browser: the A–Z with its letter index and filter box, an entry with
its related products as live cards leading to the product, and a mature term whose definition
waits for the reader's choice (the demo's glossary, shop.devtools.demo.glossary)."""

import re

from playwright.sync_api import expect

from tests.browser.checks import BROWSER_TESTS

JOURNEY = "glossary"
pytestmark = BROWSER_TESTS

PIN = "Mika Hoshino Idol Hard Enamel Pin"  # one of the ita bag's products
ITA_BAG = "clear panel that shows off a wall of pins"
NTR = "sting of betrayal"


def test_reader_finds_a_term_by_letter_and_by_filter_and_follows_its_card_to_the_product(
    shop, journey
):
    page = journey.page
    journey.visit("/glossary/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Glossary")
    letters = page.get_by_role("navigation", name="Terms by letter")
    expect(letters.get_by_role("link", name="I", exact=True)).to_be_visible()
    expect(letters.get_by_role("link", name="X", exact=True)).to_have_count(0)  # no X term
    expect(page.get_by_text(ITA_BAG)).to_be_visible()  # short definitions in the list
    expect(page.get_by_text(NTR)).to_have_count(0)  # withheld behind its warning
    journey.check("index")

    letters.get_by_role("link", name="I", exact=True).click()
    expect(page).to_have_url(re.compile(r"/glossary/#letter-I$"))
    group = page.get_by_role("region", name="I", exact=True)
    expect(group.get_by_role("heading", name="I", exact=True)).to_be_in_viewport()
    expect(group.get_by_role("link", name="Ita bag")).to_be_visible()

    search = page.get_by_role("search").filter(has=page.get_by_label("Find a term"))
    search.get_by_label("Find a term").fill("itabag")  # an alias finds the term
    search.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/glossary/\?q=itabag$"))
    expect(page.get_by_role("link", name="Ita bag")).to_be_visible()
    expect(page.get_by_role("link", name="Hard enamel", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Show all terms")).to_be_visible()
    journey.check("filtered")

    page.get_by_role("link", name="Ita bag").click()
    expect(page).to_have_url(re.compile(r"/glossary/ita-bag/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ita bag")
    expect(page.get_by_text(ITA_BAG)).to_be_visible()
    cards = page.get_by_role("region", name="In the shop")
    card = cards.locator(".article-card").filter(has=page.get_by_role("link", name=PIN))
    expect(card).to_contain_text("$")
    journey.check("entry")

    card.get_by_role("link", name=PIN).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PIN)
    journey.check("product")


def test_a_mature_terms_definition_waits_until_the_reader_chooses_to_see_it(shop, journey):
    page = journey.page
    journey.visit("/glossary/")
    page.get_by_label("Find a term").fill("netorare")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="NTR", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("NTR")
    warning = page.get_by_role("region", name="Content warning")
    expect(warning).to_contain_text("NTR")
    expect(page.get_by_text(NTR)).to_have_count(0)  # not in the page at all
    journey.check("withheld")

    warning.get_by_role("button", name="Show the definition").click()
    expect(page).to_have_url(re.compile(r"/glossary/ntr/$"))
    expect(page.get_by_text(NTR)).to_be_visible()
    journey.check("shown")

    journey.visit("/glossary/")  # the choice holds across the shop for the visit
    expect(page.get_by_text(NTR)).to_be_visible()
