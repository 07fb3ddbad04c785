"""Glossary auto-links (blog.term_links): the first mention of each term in sanitised HTML links
to its entry, with the short definition as a tooltip, and nothing else in the HTML changes."""

import re

from blog.term_links import TermRef, link_terms
from catalogue.staff_html import sanitise

NTR = TermRef(
    slug="ntr",
    url="/glossary/ntr/",
    names=("NTR", "netorare", "寝取られ"),
    definition="A story in which a partner is taken by someone else.",
    withheld=False,
)
ITA_BAG = TermRef(
    slug="ita-bag",
    url="/glossary/ita-bag/",
    names=("ita bag", "itabag"),
    definition="A bag with a clear window for showing off pins.",
    withheld=False,
)
HARD_ENAMEL = TermRef(
    slug="hard-enamel",
    url="/glossary/hard-enamel/",
    names=("hard enamel", "hard enamel pin"),
    definition="Enamel polished flat with the metal lines.",
    withheld=False,
)
ENAMEL = TermRef(
    slug="enamel",
    url="/glossary/enamel/",
    names=("enamel",),
    definition="Coloured glass powder fired onto metal.",
    withheld=False,
)
TERMS = (NTR, ITA_BAG, HARD_ENAMEL, ENAMEL)


def linked_texts(html):
    """The text of each term link, in order."""
    return re.findall(r'<a class="term__link" href="[^"]*"[^>]*>([^<]*)</a>', html)


def test_first_mention_of_a_term_links_to_its_entry_and_later_ones_stay_text():
    html, slugs = link_terms("<p>NTR is a genre. Many dislike NTR.</p>", TERMS)

    assert linked_texts(html) == ["NTR"]
    assert 'href="/glossary/ntr/"' in html
    assert html.endswith("</span></span> is a genre. Many dislike NTR.</p>")
    assert slugs == {"ntr"}


def test_an_alias_is_a_mention_of_its_term():
    html, slugs = link_terms("<p>Netorare, or NTR, is a genre.</p>", TERMS)

    assert linked_texts(html) == ["Netorare"]
    assert slugs == {"ntr"}


def test_definition_is_a_tooltip_the_link_is_described_by():
    html, _ = link_terms("<p>About NTR.</p>", TERMS)

    assert (
        '<span class="term" tabindex="-1"><a class="term__link" href="/glossary/ntr/" '
        'aria-describedby="term-ntr">NTR</a><span class="term__tip" role="tooltip" '
        'id="term-ntr">A story in which a partner is taken by someone else.</span></span>'
    ) in html


def test_withheld_term_is_only_a_link_with_no_definition_words_in_the_html():
    withheld = TermRef("ntr", "/glossary/ntr/", ("NTR",), "", withheld=True)
    leaky = TermRef("ntr", "/glossary/ntr/", ("NTR",), "partner taken", withheld=True)

    for term in (withheld, leaky):
        html, slugs = link_terms("<p>About NTR.</p>", [term])

        assert html == '<p>About <a class="term__link" href="/glossary/ntr/">NTR</a>.</p>'
        assert "partner" not in html and "tooltip" not in html
        assert slugs == {"ntr"}


def test_linked_html_passes_the_sanitising_policy_unchanged():
    html, _ = link_terms("<p>NTR, an ita bag &amp; hard enamel.</p>", TERMS)

    assert sanitise(html) == html


def test_no_terms_or_no_text_changes_nothing():
    assert link_terms("<p>NTR</p>", []) == ("<p>NTR</p>", frozenset())
    assert link_terms("", TERMS) == ("", frozenset())
    assert link_terms("<p>Nothing here.</p>", TERMS) == ("<p>Nothing here.</p>", frozenset())
