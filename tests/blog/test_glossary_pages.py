"""The glossary's public pages: an A–Z index with a letter index and a filter box that works
without JavaScript, entries with their definition, explainer, live product cards, see-also and
the articles that use the term; drafts 404 for the public and preview for staff."""

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from blog.models import Post, PostTerm, Term
from tests.blog.conftest import html, write_post, write_term
from tests.factories import merch

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def json_ld(page: str) -> list[dict]:
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    ]


def test_index_lists_live_terms_a_to_z_and_links_only_letters_that_have_terms(client):
    write_term("Oshi", definition="The one character you support above all others.")
    write_term("Ita bag", aliases="itabag", definition="A bag covered in one character's pins.")
    write_term("Gacha", status=Term.Status.DRAFT)
    page = html(client, reverse("glossary:index"))
    assert page.index(">Ita bag</a>") < page.index(">Oshi</a>")
    assert "The one character you support above all others." in page
    assert "Gacha" not in page
    assert '<a href="#letter-I">I</a>' in page and '<a href="#letter-O">O</a>' in page
    assert '<a href="#letter-G">' not in page and '<span aria-disabled="true">G</span>' in page
    assert 'id="letter-I"' in page


def test_filter_box_is_a_plain_get_form_matching_names_and_aliases(client):
    write_term("NTR", aliases="netorare\n寝取られ", definition="A story theme of betrayal.")
    write_term("Ecchi", definition="Playful, suggestive comedy.")
    page = html(client, reverse("glossary:index") + "?q=netora")
    assert '<form class="glossary-filter" method="get"' in page
    assert ">NTR</a>" in page and ">Ecchi</a>" not in page
    assert ">NTR</a>" in html(client, reverse("glossary:index") + "?q=寝取")
    assert "No term matches" in html(client, reverse("glossary:index") + "?q=zzz")


def test_entry_shows_definition_explainer_cards_see_also_and_articles_using_it(client):
    pin = merch("Sakura Hard Enamel Pin", upc="PIN-SAKURA")
    explainer = write_post("Hard vs soft enamel", body="All about enamel.")
    soft = write_term("Soft enamel", definition="Enamel below the metal lines.")
    draft = write_term("Cloisonné", status=Term.Status.DRAFT)
    term = write_term(
        "Hard enamel",
        aliases="hard-enamel",
        definition="Enamel filled **level** with the lines. ||Polished flat.||",
        products=[pin],
        explainer=explainer,
        see_also=[soft, draft],
    )
    # Saving a post records the terms its body uses (blog.glossary_links).
    write_post("Pin care", body="Hard enamel lasts.")
    hidden = write_post("Secret", body="Hard enamel draft.", status=Post.Status.DRAFT)
    assert PostTerm.objects.filter(post=hidden, term=term).exists()
    page = html(client, term.get_absolute_url())
    assert '<h1 class="glossary-entry__name">Hard enamel</h1>' in page
    assert "<strong>level</strong>" in page
    assert 'class="spoiler-inline' in page  # the definition's spoiler stays hidden
    assert explainer.get_absolute_url() in page
    assert 'class="product-card article-card' in page and "Sakura Hard Enamel Pin" in page
    assert soft.get_absolute_url() in page and "Cloisonné" not in page
    assert "Articles that use this term" in page
    assert ">Pin care</a>" in page and "Secret" not in page


def test_draft_term_is_404_for_the_public_and_previews_for_staff(client, staff):
    draft = write_term("Gacha", status=Term.Status.DRAFT)
    html(client, draft.get_absolute_url(), status=404)
    html(client, reverse("glossary:preview", kwargs={"pk": draft.pk}), status=404)
    client.force_login(staff)
    page = html(client, reverse("glossary:preview", kwargs={"pk": draft.pk}))
    assert "this term is a draft" in page and 'content="noindex, nofollow"' in page
    html(client, draft.get_absolute_url(), status=404)


def test_index_and_entry_describe_themselves_as_defined_term_set_and_defined_term(client):
    term = write_term("NTR", aliases="netorare", definition="A theme of ||secret|| betrayal.")
    index = json_ld(html(client, reverse("glossary:index")))[0]
    assert index["@type"] == "DefinedTermSet"
    assert index["hasDefinedTerm"][0]["name"] == "NTR"
    entry = json_ld(html(client, term.get_absolute_url()))[0]
    assert entry["@type"] == "DefinedTerm"
    assert entry["inDefinedTermSet"]["@id"] == index["@id"]
    assert entry["alternateName"] == ["netorare"]
    assert entry["description"] == "A theme of betrayal."  # no spoiler words


def test_both_pages_are_in_the_sitemap_and_drafts_are_not(client):
    live = write_term("Oshi")
    draft = write_term("Gacha", status=Term.Status.DRAFT)
    index = ET.fromstring(html(client, reverse("sitemap")))
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    urls = []
    for section in sections:
        tree = ET.fromstring(html(client, urlsplit(section).path))
        urls += [urlsplit(loc.text).path for loc in tree.iter(f"{SITEMAP}loc")]
    assert reverse("glossary:index") in urls
    assert live.get_absolute_url() in urls
    assert draft.get_absolute_url() not in urls


def test_header_and_footer_link_to_the_glossary(client):
    page = html(client, reverse("home"))
    assert page.count(f'href="{reverse("glossary:index")}"') >= 2


@pytest.mark.parametrize("q", ["\x00", "100%", "_", "a" * 5000, "<script>", "寝"])
def test_a_hostile_filter_is_answered_never_a_server_error(client, q):
    write_term("NTR", aliases="netorare")
    client.raise_request_exception = False
    response = client.get(reverse("glossary:index"), {"q": q})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]
