"""Tooltip ids name the text they sit in (blog.term_links, blog.glossary_links): texts linking the
same term can meet on one page (a product's description beside its franchise's; cards or tiles
with their descriptions) and each link's `aria-describedby` still names its own definition. The
ids are written when the text is saved, as the links are: pages run the queries they did."""

from html.parser import HTMLParser

import pytest
from oscar.core.loading import get_model

from blog import glossary
from tests.blog.conftest import html, write_post, write_term
from tests.factories import FranchiseFactory, merch
from tests.tasks import run_queued_tasks

Product = get_model("catalogue", "Product")
Franchise = get_model("catalogue", "Franchise")

pytestmark = pytest.mark.django_db

DEFINITION = "A bag with a window full of one character's pins."


class Tooltips(HTMLParser):
    """Each term link's `aria-describedby`, the text of the element that id names, and every id."""

    def __init__(self, page: str):
        super().__init__()
        self.ids: list[str] = []
        self.described_by: list[str] = []
        self.text_of: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
            self.text_of[attrs["id"]] = ""
        if tag == "a" and "term__link" in (attrs.get("class") or "").split():
            self.described_by.append(attrs.get("aria-describedby"))
        if tag not in {"br", "img", "input", "meta", "link", "hr"}:
            self._open.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id is not None:
                self.text_of[element_id] += data


@pytest.fixture
def ita_bag():
    return write_term("Ita bag", aliases="itabag", definition=DEFINITION)


def stored_texts(ita_bag):
    """A post, a term's definition, a product's and a franchise's description, each linking the
    ita bag, saved as staff save them; their stored HTML."""
    post = write_post("Build a bag", body="My ita bag is full.")
    oshi = write_term("Oshi", definition="The one you fill an ita bag for.")
    franchise = FranchiseFactory(description="<p>Fans fill an ita bag with them.</p>")
    pin = merch("Starter Pin", franchise=franchise, description="<p>Made for an ita bag.</p>")
    franchise.refresh_from_db()
    oshi.refresh_from_db()
    post.refresh_from_db()
    return {
        "post": (post, post.body_html),
        "term": (oshi, oshi.definition_html),
        "product": (pin, Product.objects.get(pk=pin.pk).description),
        "franchise": (franchise, franchise.description),
    }


def test_texts_linking_the_same_term_on_one_page_have_tooltips_of_their_own(ita_bag):
    texts = stored_texts(ita_bag)
    page = Tooltips("".join(stored for _owner, stored in texts.values()))

    assert len(page.described_by) == 4
    assert len(set(page.ids)) == len(page.ids) == 4  # no id twice on the page
    for described_by in page.described_by:
        assert page.text_of[described_by] == DEFINITION  # each names a tooltip, of the term
    assert sorted(page.described_by) == sorted(page.ids)  # and each its own
    for kind, (owner, stored) in texts.items():
        assert f'aria-describedby="term-ita-bag-{kind}-{owner.pk}"' in stored


def test_a_product_page_and_a_franchise_page_show_the_ids_of_their_own_text(client, ita_bag):
    texts = stored_texts(ita_bag)
    for kind in ("product", "franchise"):
        owner, _stored = texts[kind]
        page = Tooltips(html(client, owner.get_absolute_url()))
        expected = f"term-ita-bag-{kind}-{owner.pk}"
        assert page.described_by == [expected]
        assert page.ids.count(expected) == 1 and page.text_of[expected] == DEFINITION


def test_texts_saved_again_or_linked_again_by_a_term_change_keep_their_owners_ids(
    ita_bag, django_capture_on_commit_callbacks
):
    texts = stored_texts(ita_bag)
    pin, _stored = texts["product"]
    pin = Product.objects.get(pk=pin.pk)
    pin.description = "<p>Made for an ita bag, and then some.</p>"
    pin.save()
    assert f'id="term-ita-bag-product-{pin.pk}"' in Product.objects.get(pk=pin.pk).description

    ita_bag.definition = "A bag that shows off a wall of pins."
    with django_capture_on_commit_callbacks(execute=True):
        glossary.save_term(ita_bag)
    run_queued_tasks()
    for kind, (owner, _stored) in texts.items():
        owner.refresh_from_db()
        stored = {
            "post": "body_html",
            "term": "definition_html",
            "product": "description",
            "franchise": "description",
        }[kind]
        stored = getattr(owner, stored)
        assert "A bag that shows off a wall of pins." in stored
        assert f'id="term-ita-bag-{kind}-{owner.pk}"' in stored
