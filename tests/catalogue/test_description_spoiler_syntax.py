"""Spoiler syntax typed into a description in the dashboard's editor (HTML, not Markdown) is
written out on save as the very spoilers a post's Markdown makes: `||…||` inside one element, and
a run of paragraphs from `:::spoiler Label` to `:::`."""

import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from blog.markup import render
from catalogue.spoilers import without_spoilers
from catalogue.staff_html import clean
from tests.factories import FranchiseFactory, merch
from tests.staff_forms import product_form_post

ProductCategory = get_model("catalogue", "ProductCategory")

INLINE_OPEN = (
    '<label class="spoiler-inline"><input aria-label="Show spoiler" '
    'class="spoiler-inline__toggle" type="checkbox"><span class="spoiler-inline__text">'
)


def written(html: str) -> str:
    return clean(html, with_spoilers=True)


def same_markup(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def test_inline_and_block_syntax_become_the_markup_a_post_gets():
    description = written(
        "<p>The fox ||was the teacher|| all along.</p>"
        "<p>:::spoiler Episode 12</p><p>She <strong>wins</strong> the duel.</p><p>:::</p>"
        "<p>After.</p>"
    )
    post = render(
        "The fox ||was the teacher|| all along.\n\n"
        ":::spoiler Episode 12\nShe **wins** the duel.\n:::\n\nAfter."
    ).html

    assert same_markup(description) == same_markup(post)
    assert "||" not in description and ":::" not in description


def test_an_inline_spoiler_may_hold_whole_inline_elements():
    html = written("<p>||a <em>twist</em> here|| and on.</p>")

    assert html == f"<p>{INLINE_OPEN}a <em>twist</em> here</span></label> and on.</p>"


@pytest.mark.parametrize(
    "crossing",
    [
        "<p>||the fox</p><p>was the teacher||</p>",  # a block boundary
        "<p><em>||the fox</em> was the teacher||</p>",  # an element's edge
        "<p>the fox || was the teacher</p>",  # unpaired
        "<p>Use <code>||x||</code> or <kbd>||y||</kbd>.</p><pre>||z||</pre>",  # code
    ],
)
def test_markers_that_cross_an_element_boundary_or_sit_in_code_stay_as_typed(crossing):
    assert written(crossing) == crossing


def test_a_spoiler_in_a_links_text_is_outside_the_link_and_its_words_still_linked():
    html = written('<p><a href="/catalogue/pin_1/">the ||golden|| pin</a></p>')

    assert html == (
        f'<p><a href="/catalogue/pin_1/">the </a>{INLINE_OPEN}'
        '<a href="/catalogue/pin_1/">golden</a></span></label>'
        '<a href="/catalogue/pin_1/"> pin</a></p>'
    )
    assert "golden" not in without_spoilers(html)


def test_blocks_nest_carry_a_label_with_entities_and_an_unclosed_block_runs_to_the_end():
    html = written(
        "<p>Seen.</p><p>:::spoiler&nbsp;Arc 2 &amp; 3</p><p>Outer.</p>"
        "<p>:::spoiler</p><p>Inner.</p><p>:::</p><p>Still outer.</p>"
    )

    assert html.count('<details class="spoiler">') == 2
    assert "<summary>Spoiler: Arc 2 &amp; 3 <span" in html
    assert "<summary>Spoiler <span" in html
    assert without_spoilers(html) == "<p>Seen.</p>"


def test_writing_out_twice_changes_nothing():
    once = written(
        "<p>||a|| b</p><p>:::spoiler X</p><p>||c||</p><p>:::</p><p>a || b</p><p>x||y</p>"
    )

    assert written(once) == once


LABEL_IN_LINK = re.compile(r'<a [^>]*>(?:(?!</a>).)*<label class="spoiler-inline"', re.DOTALL)
PIECES = [
    "||", "|", ":::", ":::spoiler", " ", "a", "b", "<p>", "</p>", "<em>", "</em>", "<code>",
    "</code>", '<a href="/x/">', "</a>", "<br>", "&amp;", "&nbsp;", "\n",
]  # fmt: skip


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_typed_html_is_written_out_without_error_and_once_for_all(typed):
    once = written(typed)

    assert written(once) == once
    assert "spoiler-inline__text" not in without_spoilers(once)
    assert not LABEL_IN_LINK.search(once)


def test_plain_sanitising_leaves_the_syntax_alone():
    # Offers, shipping methods and flat pages: Oscar shows some of them escaped.
    assert clean("<p>||a||</p>") == "<p>||a||</p>"


@pytest.mark.django_db
def test_a_description_saved_in_the_dashboard_is_stored_with_its_spoilers_written_out(
    staff_client,
):
    pin = merch("Finale Pin")
    ProductCategory.objects.create(product=pin, category=create_from_breadcrumbs("Pins"))
    url = reverse("dashboard:catalogue-product", kwargs={"pk": pin.pk})
    data = product_form_post(
        staff_client,
        pin,
        description="<p>The ||traitor|| pin.</p><p>:::spoiler Finale</p><p>She wins.</p><p>:::</p>",
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["form"].errors
    pin.refresh_from_db()
    assert '<details class="spoiler">' in pin.description and INLINE_OPEN in pin.description
    page = staff_client.get(pin.get_absolute_url()).content.decode()
    assert "||" not in page and "<summary>Spoiler: Finale " in page


@pytest.mark.django_db
def test_category_and_franchise_descriptions_get_spoilers_too():
    category = create_from_breadcrumbs("Pins")
    category.description = "<p>Pins of the ||final arc||.</p>"
    category.save()
    franchise = FranchiseFactory(description="<p>:::spoiler</p><p>Everyone dies.</p><p>:::</p>")

    category.refresh_from_db()
    franchise.refresh_from_db()
    assert INLINE_OPEN in category.description
    assert without_spoilers(franchise.description) == ""
