"""Spoilers in a real browser: hidden on arrival in a post, a glossary definition and a product
description; revealed by the keyboard or a tap, each control named for screen readers by what it
does; and every page passing the journey checks (axe-core, phone width, console) both ways."""

import re

from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests.blog.conftest import write_post, write_term
from tests.browser.checks import BROWSER_TESTS

Product = get_model("catalogue", "Product")

JOURNEY = "spoilers"
pytestmark = BROWSER_TESTS

PIN_UPC = "PIN-CHEEKY-PINK"


def test_a_reader_reveals_a_posts_spoilers_by_keyboard_and_each_state_passes_the_checks(
    shop, journey
):
    post = write_post(
        "Episode 12, explained",
        summary="What the finale changes for the series.",
        body=(
            "The finale is out. ||Shirogane betrays the council||.\n\n"
            ":::spoiler Episode 12\nKurogane keeps the lighthouse.\n:::\n"
        ),
    )
    page = journey.page
    journey.visit(post.get_absolute_url())
    inline = page.get_by_text("Shirogane betrays the council")
    block = page.get_by_text("Kurogane keeps the lighthouse.")
    toggle = page.get_by_role("checkbox", name="Show spoiler")
    summary = page.locator("details.spoiler > summary")
    expect(inline).to_be_hidden()
    expect(block).to_be_hidden()
    expect(toggle).not_to_be_checked()
    expect(summary).to_have_accessible_name(re.compile(r"^Spoiler: Episode 12 \(show\)$"))
    journey.check("post-hidden")

    toggle.focus()
    page.keyboard.press("Space")
    expect(toggle).to_be_checked()
    expect(inline).to_be_visible()
    summary.focus()
    page.keyboard.press("Enter")
    expect(block).to_be_visible()
    expect(summary).to_have_accessible_name(re.compile(r"^Spoiler: Episode 12 \(hide\)$"))
    journey.check("post-revealed")


def test_a_tap_reveals_the_spoilers_of_a_definition_and_a_description(shop, journey):
    term = write_term(
        "Finale twist",
        definition="A turn the last episode keeps back. ||Kurogane keeps the lighthouse.||",
    )
    product = Product.objects.get(upc=PIN_UPC)
    product.description = (
        "<p>Gold plating. ||Shirogane betrays the council||.</p>"
        "<p>:::spoiler Episode 12</p><p>Kurogane keeps the lighthouse.</p><p>:::</p>"
    )
    product.save()
    page = journey.page

    journey.visit(term.get_absolute_url())
    hidden = page.get_by_text("Kurogane keeps the lighthouse.")
    expect(hidden).to_be_hidden()
    journey.check("definition-hidden")
    page.get_by_role("checkbox", name="Show spoiler").click()
    expect(hidden).to_be_visible()
    journey.check("definition-revealed")

    journey.visit(product.get_absolute_url())
    inline = page.get_by_text("Shirogane betrays the council")
    block = page.get_by_text("Kurogane keeps the lighthouse.")
    expect(inline).to_be_hidden()
    expect(block).to_be_hidden()
    journey.check("description-hidden")
    page.get_by_role("checkbox", name="Show spoiler").click()
    page.get_by_text("Spoiler: Episode 12").click()
    expect(inline).to_be_visible()
    expect(block).to_be_visible()
    journey.check("description-revealed")
