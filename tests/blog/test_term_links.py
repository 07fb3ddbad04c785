"""Glossary auto-links (blog.term_links): the first mention of each term in sanitised HTML links
to its entry, with the short definition as a tooltip, and nothing else in the HTML changes."""

import re
from html.parser import HTMLParser

import pytest
from django.utils.html import strip_tags
from hypothesis import given
from hypothesis import strategies as st

from blog.term_links import Matcher, TermRef, link_terms, matcher_for
from catalogue.staff_html import sanitise
from catalogue.structured_data import plain_text
from catalogue.term_markup import unlinked, without_definitions

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


@pytest.mark.parametrize(
    "html",
    [
        "<h2>NTR</h2>",
        "<h3>About <em>NTR</em></h3>",
        '<p><a href="/blog/ntr/">NTR</a></p>',
        "<p><code>NTR</code></p>",
        "<pre>NTR</pre>",
        "<pre><code>NTR</code></pre>",
        "<p><kbd>NTR</kbd> <samp>NTR</samp></p>",
        "<p><abbr title='netorare'>NTR</abbr></p>",
        "<script>NTR</script><style>NTR{}</style>",
        "<button>NTR</button>",
        "<p><label>NTR</label></p>",
        "<details><summary>NTR</summary></details>",
    ],
)
def test_headings_links_code_and_controls_are_never_linked(html):
    assert link_terms(html, TERMS) == (html, frozenset())


def test_the_first_mention_outside_a_heading_is_the_one_linked():
    html, _ = link_terms("<h2>What NTR means</h2><p>NTR, short for…</p>", TERMS)

    assert html.startswith('<h2>What NTR means</h2><p><span class="term"')
    assert linked_texts(html) == ["NTR"]


def test_a_mention_inside_a_spoiler_is_neither_linked_nor_reported():
    block = (
        '<details class="spoiler"><summary>Spoiler <span class="spoiler__show">(show)</span>'
        '</summary><div class="spoiler__body"><p>It was NTR all along.</p></div></details>'
    )
    inline = (
        '<p>The twist: <label class="spoiler-inline"><input type="checkbox" '
        'class="spoiler-inline__toggle" aria-label="Show spoiler"><span '
        'class="spoiler-inline__text">an ita bag</span></label>.</p>'
    )

    assert link_terms(block + inline, TERMS) == (block + inline, frozenset())
    html, slugs = link_terms(block + "<p>Then NTR.</p>", TERMS)
    assert html.startswith(block) and linked_texts(html) == ["NTR"] and slugs == {"ntr"}


def test_a_plain_details_block_is_linked_but_not_its_summary():
    html, _ = link_terms("<details><summary>NTR</summary><p>NTR here.</p></details>", TERMS)

    assert html.startswith("<details><summary>NTR</summary><p><span")


def test_the_terms_own_page_never_links_it_and_its_names_hide_shorter_terms():
    html, slugs = link_terms(
        "<p>Hard enamel is enamel polished flat; NTR aside.</p>", TERMS, exclude="hard-enamel"
    )

    assert linked_texts(html) == ["enamel", "NTR"]
    assert html.startswith("<p>Hard enamel is <span")
    assert slugs == {"enamel", "ntr"}


def test_matching_is_whole_word():
    for text in ("entrance", "ENTRY", "CNTR", "NTR2", "NTR_x", "onetorare", "itabags2"):
        assert link_terms(f"<p>{text}</p>", TERMS) == (f"<p>{text}</p>", frozenset()), text


def test_punctuation_and_apostrophes_end_a_word():
    for text in ("(NTR)", "NTR's", "NTR-themed", "«NTR»", "NTR…", "NTR&amp;co"):
        html, _ = link_terms(f"<p>{text}</p>", TERMS)
        assert linked_texts(html) == ["NTR"], text


def test_a_plain_s_plural_is_part_of_the_mention():
    html, _ = link_terms("<p>Two ita bags and some NTRs.</p>", TERMS)

    assert linked_texts(html) == ["ita bags", "NTRs"]


def test_an_all_capital_name_matches_only_in_capitals():
    for text in ("ntr", "Ntr", "nTR"):
        assert link_terms(f"<p>{text}</p>", TERMS)[1] == frozenset(), text
    assert link_terms("<p>NTR</p>", TERMS)[1] == {"ntr"}


def test_other_names_match_in_any_case_and_keep_the_readers_text():
    for text in ("Ita bag", "ITA BAG", "ita Bag", "Netorare", "NETORARE"):
        html, _ = link_terms(f"<p>My {text}.</p>", TERMS)
        assert linked_texts(html) == [text]


def test_multi_word_names_match_across_a_space_a_no_break_space_or_a_line_break():
    for between, written in ((" ", " "), ("&nbsp;", "&nbsp;"), ("\n", "\n"), ("\u00a0", "&nbsp;")):
        html, _ = link_terms(f"<p>An ita{between}bag.</p>", TERMS)
        assert linked_texts(html) == [f"ita{written}bag"], repr(between)
    for between in ("  ", " \n", "-", "<br>", "</em> <em>"):
        assert link_terms(f"<p><em>ita{between}bag</em></p>", TERMS)[1] == frozenset()


def test_the_longest_name_at_a_place_wins():
    html, slugs = link_terms("<p>A hard enamel pin, then enamel.</p>", TERMS)

    assert linked_texts(html) == ["hard enamel pin", "enamel"]
    assert slugs == {"hard-enamel", "enamel"}


def test_a_longer_name_that_is_not_a_whole_word_gives_way_to_a_shorter_one():
    html, _ = link_terms("<p>A hard enamel pinata.</p>", TERMS)

    assert linked_texts(html) == ["hard enamel"]


def test_names_in_scripts_without_spaces_match_inside_words():
    html, slugs = link_terms("<p>「寝取られる」とは</p>", TERMS)

    assert linked_texts(html) == ["寝取られ"]
    assert html.startswith("<p>「<span") and "</span></span>る」とは</p>" in html
    assert slugs == {"ntr"}


def test_a_latin_name_next_to_japanese_text_is_a_word():
    html, _ = link_terms("<p>NTRとは何か</p>", TERMS)

    assert linked_texts(html) == ["NTR"]


def test_each_term_is_linked_once_across_the_whole_document():
    html, slugs = link_terms(
        "<p>NTR and an ita bag.</p><ul><li>netorare</li><li>Ita bag</li></ul><p>enamel</p>", TERMS
    )

    assert linked_texts(html) == ["NTR", "ita bag", "enamel"]
    assert html.count('id="term-ntr"') == 1 and html.count('id="term-ita-bag"') == 1
    assert slugs == {"ntr", "ita-bag", "enamel"}


def test_tooltip_ids_are_the_terms_slugs_whatever_the_order_of_terms():
    first, _ = link_terms("<p>enamel, NTR</p>", TERMS)
    second, _ = link_terms("<p>enamel, NTR</p>", reversed(TERMS))

    assert first == second
    assert re.findall(r'id="([^"]*)"', first) == ["term-enamel", "term-ntr"]


def test_a_name_split_across_two_elements_is_not_a_mention():
    for html in ("<p>N<b>TR</b></p>", "<p><em>ita</em> bag</p>", "<p>ita <!-- x --> bag</p>"):
        assert link_terms(html, TERMS)[1] == frozenset(), html


def test_inline_markup_around_a_whole_name_is_kept():
    html, _ = link_terms("<p><strong>NTR</strong> is <em>an ita bag</em>.</p>", TERMS)

    assert html.startswith('<p><strong><span class="term"')
    assert "</span></span></strong> is <em>an <span" in html


def test_definitions_are_escaped():
    hostile = TermRef(
        "x", '/glossary/x/?a=1&b="2"', ("xss",), '<script>alert("x")</script> & co', False
    )

    html, _ = link_terms("<p>xss</p>", [hostile])

    assert "<script>" not in html
    assert '&lt;script&gt;alert("x")&lt;/script&gt; &amp; co' in html
    assert 'href="/glossary/x/?a=1&amp;b=&quot;2&quot;"' in html
    assert sanitise(html) == html


def test_names_with_regex_characters_match_literally():
    terms = [
        TermRef("cpp", "/glossary/cpp/", ("C++",), "A language.", False),
        TermRef("dots", "/glossary/dots/", ("a.b",), "Dots.", False),
        TermRef("star", "/glossary/star/", ("(*)",), "Star.", False),
        TermRef("bad", "/glossary/bad/", ("[", "\\", "", "   "), "Odd.", False),
    ]

    html, slugs = link_terms("<p>C++ and a.b and axb and (*) and [ \\</p>", terms)

    assert linked_texts(html) == ["C++", "a.b", "(*)", "["]  # "\\" is the same term
    assert slugs == {"cpp", "dots", "star", "bad"}


def test_entities_next_to_names_stay_as_they_were():
    html, _ = link_terms("<p>Tom&amp;NTR &lt;ita bag&gt; &quot;enamel&quot;</p>", TERMS)

    assert html.startswith("<p>Tom&amp;<span")
    assert "&lt;<span" in html and "</span></span>&gt;" in html
    assert linked_texts(html) == ["NTR", "ita bag", "enamel"]


def test_html_that_mentions_no_term_comes_back_byte_for_byte():
    html = "<p>Odd &#39;quoting&#39; &eacute; <br/>and\r\nlines</p>\n<!-- c --><p a=b>x</p>"

    assert link_terms(html, TERMS) == (html, frozenset())


def test_linking_linked_html_changes_nothing():
    once = link_terms("<p>NTR, an ita bag, hard enamel, then NTR and enamel.</p>", TERMS)

    assert link_terms(once[0], TERMS) == once
    withheld = [TermRef("ntr", "/glossary/ntr/", ("NTR",), "", True)]
    once = link_terms("<p>NTR then NTR.</p>", withheld)
    assert link_terms(once[0], withheld) == once


def test_a_term_already_linked_later_in_the_text_is_not_linked_again_earlier():
    linked = link_terms("<p>NTR</p>", TERMS)[0]

    html, slugs = link_terms("<p>netorare first</p>" + linked, TERMS)

    assert html == "<p>netorare first</p>" + linked
    assert slugs == {"ntr"}


def test_a_term_listed_twice_is_linked_once():
    html, slugs = link_terms("<p>NTR NTR</p>", [NTR, NTR])

    assert linked_texts(html) == ["NTR"] and slugs == {"ntr"}


def test_without_definitions_leaves_the_texts_own_words():
    html, _ = link_terms("<p>NTR and an ita bag.</p>", TERMS)

    assert strip_tags(without_definitions(html)) == "NTR and an ita bag."


def test_unlinked_gives_back_the_text_as_it_was_so_terms_can_be_linked_afresh():
    source = "<p>NTR, an ita bag &amp; <em>hard enamel</em>.</p><h2>NTR</h2>"
    html, _ = link_terms(source, TERMS)
    renamed = TermRef("ntr", "/glossary/netorare/", NTR.names, NTR.definition, withheld=True)

    assert unlinked(html) == source
    relinked, _ = link_terms(unlinked(html), [renamed])
    assert 'href="/glossary/ntr/"' not in relinked and linked_texts(relinked) == ["NTR"]


def test_staff_text_cannot_pose_as_a_tooltip_or_take_the_pages_ids():
    html = (
        '<p><span id="main" role="button" tabindex="3" class="term__tip x">a</span>'
        '<a href="/x/" aria-describedby="main" class="term__link evil">b</a></p>'
    )

    assert sanitise(html) == (
        '<p><span class="term__tip">a</span><a href="/x/" class="term__link">b</a></p>'
    )


def glossary_of(size):
    """`size` terms of three names each (a name, a two-word alias, a capitals alias)."""
    return [
        TermRef(
            slug=f"term-{n}",
            url=f"/glossary/term-{n}/",
            names=(f"word{n}", f"twin word{n}", f"ACR{n}"),
            definition=f"Definition {n}.",
            withheld=n % 7 == 0,
        )
        for n in range(size)
    ]


def test_a_big_glossary_over_a_long_article_compiles_once_and_scans_each_text_node_once(
    monkeypatch,
):
    terms = glossary_of(200)
    paragraphs = [
        "<p>" + " ".join(f"filler{n}x{k}" for k in range(49)) + f" twin word{n}.</p>"
        for n in range(100)
    ]  # 5,000 words, a mention of each of the first 100 terms
    article = "\n".join(paragraphs) + "<p>" + " ".join(f"ACR{n}" for n in range(100, 200)) + "</p>"
    compiled, scans = [], []
    real_init, real_scan = Matcher.__init__, Matcher.scan
    monkeypatch.setattr(
        Matcher, "__init__", lambda self, names: compiled.append(1) or real_init(self, names)
    )
    monkeypatch.setattr(
        Matcher, "scan", lambda self, text: scans.append(1) or real_scan(self, text)
    )
    matcher_for.cache_clear()

    html, slugs = link_terms(article, terms)
    again, _ = link_terms(article, terms, exclude="term-3")

    assert slugs == {term.slug for term in terms}
    assert len(linked_texts(html)) == 200 and len(linked_texts(again)) == 199
    assert len(compiled) == 1  # one pattern for the set of names, cached
    assert len(scans) == 2 * 101  # once per text node, not once per term


def test_a_new_definition_or_url_reuses_the_compiled_names():
    matcher_for.cache_clear()
    link_terms("<p>NTR</p>", TERMS)
    link_terms("<p>NTR</p>", [TermRef("ntr", "/g/ntr/", NTR.names, "New words.", False), *TERMS])

    assert matcher_for.cache_info().misses == 1


def test_scanning_stops_once_every_term_is_linked(monkeypatch):
    scans = []
    real_scan = Matcher.scan
    monkeypatch.setattr(
        Matcher, "scan", lambda self, text: scans.append(1) or real_scan(self, text)
    )

    link_terms("<p>NTR</p>" * 50, [NTR])

    assert len(scans) == 1


# Sanitised HTML made of names, near-names, entities and the elements that matter.
WORDS = st.sampled_from(
    ["NTR", "ntr", "netorare", "寝取られ", "ita", "bag", "ita bag", "hard", "enamel", "pin", "s",
     "entr", "&", "<", ">", '"', "'", "\u00a0", " ", "\n", "…", "る", "C++", "[", "&amp;"]
)  # fmt: skip
TAGS = st.sampled_from(
    ["p", "em", "strong", "a", "code", "h2", "li", "pre", "kbd", "span", "label", "summary"]
)


@st.composite
def documents(draw, depth=2):
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth and draw(st.booleans()):
            tag = draw(TAGS)
            inner = draw(documents(depth=depth - 1))
            attribute = ' href="/x/"' if tag == "a" else ""
            parts.append(f"<{tag}{attribute}>{inner}</{tag}>")
        else:
            parts.append("".join(draw(st.lists(WORDS, max_size=6))))
    return "".join(parts)


def text_of(html):
    """The text a reader's browser would hold, entities decoded."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return "".join(parser.texts)


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []

    def handle_data(self, data):
        self.texts.append(data)


@given(documents())
def test_only_tooltips_are_added_to_the_text_and_linking_is_stable(document):
    source = sanitise(document)

    html, slugs = link_terms(source, TERMS)

    assert text_of(without_definitions(html)) == text_of(source)
    assert sanitise(html) == html
    assert link_terms(html, TERMS) == (html, slugs)
    assert unlinked(html) == source
    assert len(linked_texts(html)) == len(slugs)


@given(st.text(), st.lists(st.text(max_size=12), max_size=4), st.text(max_size=20))
def test_any_input_never_raises(html, names, definition):
    terms = [*TERMS, TermRef("any", "/glossary/any/", tuple(names), definition, False)]

    linked, slugs = link_terms(html, terms)

    assert isinstance(linked, str) and slugs <= {"ntr", "ita-bag", "hard-enamel", "enamel", "any"}


def test_meta_text_made_from_a_linked_description_holds_no_definition():
    html, _ = link_terms("<p>A pin for NTR fans.</p><ul><li>hard enamel</li></ul>", TERMS)

    assert plain_text(html) == "A pin for NTR fans. hard enamel"


def test_a_slug_with_spaces_still_makes_one_tooltip_id():
    odd = TermRef("two words", "/glossary/two-words/", ("NTR",), "Defined.", False)

    html, slugs = link_terms("<p>NTR</p>", [odd])

    assert 'aria-describedby="term-two-words"' in html and 'id="term-two-words"' in html
    assert slugs == {"two words"}


def test_names_given_as_a_list_and_terms_as_a_generator_work_too():
    listed = TermRef("ntr", "/glossary/ntr/", ["NTR", "netorare"], "Defined.", False)

    html, slugs = link_terms("<p>netorare</p>", (term for term in [listed]))

    assert linked_texts(html) == ["netorare"] and slugs == {"ntr"}


def test_unlinked_and_without_definitions_read_the_markup_in_any_attribute_order():
    rewritten = (
        '<p><span tabindex="-1" class="term"><a href="/glossary/ntr/" aria-describedby="term-ntr" '
        'class="term__link">NTR</a><span id="term-ntr" class="term__tip" role="tooltip">Def.'
        '</span></span> and <a href="/glossary/ita-bag/" class="term__link">ita bag</a></p>'
    )

    assert unlinked(rewritten) == "<p>NTR and ita bag</p>"
    assert "Def." not in without_definitions(rewritten)
    assert link_terms(rewritten, TERMS) == (rewritten, {"ntr", "ita-bag"})
