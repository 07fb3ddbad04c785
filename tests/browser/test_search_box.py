"""The header's search box suggests as the shopper types, typos forgiven, and is driven by the
keyboard: type "enamle", arrow down, Enter, and the pin's page opens."""

import re

from playwright.sync_api import expect

from tests.browser.checks import BROWSER_TESTS

JOURNEY = "search-box"
pytestmark = BROWSER_TESTS


def test_a_typo_arrow_down_and_enter_open_the_first_suggested_product(shop, journey):
    page = journey.page
    journey.visit("/")
    box = page.get_by_role("combobox", name="Search the shop")
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press_sequentially("enamle", delay=30)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    first = listbox.get_by_role("option").first
    expect(first).to_contain_text("Enamel Pin")
    title = first.locator(".site-suggest__label").inner_text()

    box.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page).to_have_url(re.compile(r"/catalogue/"))


def test_escape_closes_the_suggestions_and_enter_then_searches(shop, journey):
    page = journey.page
    journey.visit("/")
    box = page.get_by_role("combobox", name="Search the shop")
    box.press_sequentially("pinc hair", delay=30)
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_visible()
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=pinc\+hair"))
