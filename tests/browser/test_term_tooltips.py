"""A glossary term's definition in a real browser: shown on keyboard focus, hover and tap with no
JavaScript, kept on screen at the right edge, and on phones a sheet at the foot of the screen;
with the shop's script, Escape hides it. The page is the shop's stylesheet (and script) around
linked text, served by the test itself (no database)."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from blog.term_links import TermRef, link_terms
from tests.browser.checks import BROWSER_TESTS, DESKTOP, PHONE

pytestmark = BROWSER_TESTS

ARTICLE = "http://127.0.0.1:18200/blog/what-is-ntr/"
NTR = TermRef(
    "ntr", "/glossary/ntr/", ("NTR",), "A story in which a partner is taken by another.", False
)
BODY = (
    "<p>Readers ask what NTR means.</p>"
    '<p style="text-align: right">Words at the end of a long line: NTR</p>'
)


SCRIPT = "http://127.0.0.1:18200/static/shop/js/term-tips.js"
STATIC = Path(settings.BASE_DIR) / "static"


def article_page(body):
    css = (STATIC / "shop/css/shop.css").read_text()
    html, _ = link_terms(body, [NTR])
    return (
        '<!doctype html><html lang="en"><meta name="viewport" content="width=device-width, '
        f'initial-scale=1"><title>NTR</title><style>{css}</style><main>{html}</main>'
        f'<script src="{SCRIPT}" defer></script>'
    )


def respond(route):
    url = route.request.url
    if url == SCRIPT:
        body, content_type = (STATIC / "shop/js/term-tips.js").read_text(), "text/javascript"
    else:
        body, content_type = (article_page(BODY) if url == ARTICLE else "<h1>NTR</h1>"), "text/html"
    route.fulfill(content_type=content_type, body=body)


@pytest.fixture
def open_article(browser):
    contexts = []

    def open_article(body=BODY, *, javascript=False, **options):
        context = browser.new_context(java_script_enabled=javascript, **options)
        contexts.append(context)
        page = context.new_page()
        page.route("**/*", respond)
        page.route(
            ARTICLE, lambda route: route.fulfill(content_type="text/html", body=article_page(body))
        )
        page.goto(ARTICLE)
        return page

    yield open_article
    for context in contexts:
        context.close()


def test_definition_shows_on_keyboard_focus_and_on_hover(open_article):
    page = open_article(BODY.split("<p style")[0], viewport=DESKTOP)
    tip = page.get_by_role("tooltip", include_hidden=True)

    link = page.get_by_role("link", name="NTR")

    expect(tip).to_be_hidden()
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    expect(tip).to_be_visible()
    expect(link).to_have_accessible_description(NTR.definition)

    page.keyboard.press("Shift+Tab")
    expect(tip).to_be_hidden()
    link.hover()
    expect(tip).to_be_visible()


def test_a_tooltip_at_the_right_edge_stays_on_screen(open_article):
    page = open_article(BODY.split("</p>", 1)[1], viewport=DESKTOP)
    widths = "() => [document.documentElement.scrollWidth, innerWidth]"

    scroll_width, width = page.evaluate(widths)
    assert scroll_width <= width  # the hidden tooltip does not widen the page
    page.get_by_role("link", name="NTR").hover()
    box = page.get_by_role("tooltip").bounding_box()

    assert box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"]


def test_on_a_touch_screen_the_first_tap_shows_the_definition_and_the_second_follows_the_link(
    open_article,
):
    page = open_article(viewport=PHONE, has_touch=True, is_mobile=True)
    term = page.locator(".term").first
    tip = term.get_by_role("tooltip", include_hidden=True)

    term.tap()
    expect(tip).to_be_visible()
    assert page.url == ARTICLE
    box = tip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # a sheet, not clipped

    term.get_by_role("link").tap()
    page.wait_for_url("**/glossary/ntr/")


def test_escape_hides_the_definition_and_leaves_the_focus_and_the_pointer_where_they_were(
    open_article,
):
    page = open_article(BODY.split("<p style")[0], javascript=True, viewport=DESKTOP)
    page.wait_for_load_state("load")  # the deferred script has run
    tip = page.get_by_role("tooltip", include_hidden=True)
    link = page.get_by_role("link", name="NTR")

    page.keyboard.press("Tab")
    expect(tip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    expect(link).to_be_focused()

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus comes back: so does the definition
    expect(tip).to_be_visible()

    link.blur()
    page.mouse.move(0, 0)
    link.hover()
    expect(tip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    link.hover(position={"x": 2, "y": 2})  # moving over the term does not bring it back
    expect(tip).to_be_hidden()

    page.mouse.move(0, 0)
    link.hover()  # the pointer comes back to it: so does the definition
    expect(tip).to_be_visible()


def test_two_texts_linking_one_term_on_a_page_each_describe_their_link_with_their_own_tooltip(
    open_article,
):
    product, _ = link_terms("<p>An NTR pin.</p>", [NTR], scope="product-7")
    franchise, _ = link_terms("<p>The NTR arc.</p>", [NTR], scope="franchise-3")
    page = open_article(product + franchise, viewport=DESKTOP)

    links = page.get_by_role("link", name="NTR")
    expect(links).to_have_count(2)
    for n in range(2):
        expect(links.nth(n)).to_have_accessible_description(NTR.definition)
    ids = page.eval_on_selector_all("[id]", "elements => elements.map((e) => e.id)")
    assert len(ids) == len(set(ids)) == 2
    own = page.eval_on_selector_all(
        ".term__link",
        "links => links.map((a) => a.nextElementSibling.id === a.getAttribute('aria-describedby'))",
    )
    assert own == [True, True]  # each link names the tooltip beside it
