"""Spoiler syntax in a post body: hidden until revealed (no JavaScript), named for screen readers,
nested in other Markdown, and literal inside code."""

from blog.markup import render
from catalogue.spoilers import without_spoilers


def test_inline_spoiler_is_a_checkbox_named_for_screen_readers_around_the_hidden_text():
    html = render("The fox ||was the teacher|| all along.").html

    assert html.startswith('<p>The fox <label class="spoiler-inline">')
    assert 'type="checkbox"' in html and 'aria-label="Show spoiler"' in html
    assert (
        '<span class="spoiler-inline__text">was the teacher</span></label> all along.</p>' in html
    )


def test_spoiler_block_is_a_details_element_whose_summary_says_spoiler_and_its_label():
    html = render(":::spoiler Episode 12\nShe **wins** the duel.\n:::\n\nAfter.").html

    assert '<details class="spoiler">' in html and '<details class="spoiler" open' not in html
    assert "<summary>Spoiler: Episode 12 " in html
    assert '<span class="spoiler__show">(show)</span>' in html
    assert "<p>She <strong>wins</strong> the duel.</p>" in html
    assert html.endswith("</details>\n<p>After.</p>")


def test_spoiler_block_without_a_label_says_spoiler():
    assert "<summary>Spoiler <span" in render(":::spoiler\nHidden.\n:::").html


def test_spoilers_nest_with_lists_links_and_each_other():
    html = render(
        ":::spoiler Finale\n- one ||inner||\n- [two](https://example.com/)\n\n"
        ":::spoiler\nDeeper\n:::\n:::\n\nVisible."
    ).html

    assert html.count('<details class="spoiler">') == 2
    assert '<li>one <label class="spoiler-inline">' in html
    assert 'href="https://example.com/"' in html
    assert without_spoilers(html).strip() == "<p>Visible.</p>"


def test_spoiler_markers_inside_code_and_escaped_stay_literal():
    html = render("Use `||x||` or \\||y||.\n\n```\n:::spoiler\n||z||\n:::\n```").html

    assert "spoiler" not in html.replace(":::spoiler", "")
    assert "<code>||x||</code>" in html and "||y||" in html and "||z||" in html


def test_an_unclosed_block_hides_everything_after_it():
    html = render("Seen.\n\n:::spoiler\nHidden.\n\nAlso hidden.").html

    assert without_spoilers(html).strip() == "<p>Seen.</p>"


def test_headings_inside_a_spoiler_stay_out_of_the_table_of_contents():
    rendered = render("## Setup\n\n:::spoiler\n## Who dies\nText.\n:::\n\n## Aftermath")

    assert [h["name"] for h in rendered.toc] == ["Setup", "Aftermath"]


def test_a_spoiler_in_link_text_stands_outside_the_link_with_its_words_still_linked():
    html = render("See [the ||golden|| pin](https://example.com/pin).").html

    assert "<a" not in html.split('<label class="spoiler-inline">')[0].split("</a>")[-1]
    assert '<span class="spoiler-inline__text"><a rel="noopener noreferrer" ' in html
    assert 'href="https://example.com/pin">golden</a></span></label>' in html
    assert "golden" not in without_spoilers(html)
    assert without_spoilers(html).count('href="https://example.com/pin"') == 2  # "the ", " pin"


def test_a_spoiler_in_emphasised_link_text_keeps_both_inside_the_spoiler():
    html = render("[*a ||b||* c](https://example.com/)").html

    assert '<span class="spoiler-inline__text"><a rel="noopener noreferrer" ' in html
    assert "<em>b</em></a></span></label>" in html
    assert ">b<" not in without_spoilers(html)


def test_markers_in_code_spans_and_indented_or_fenced_code_stay_literal():
    html = render("Type `||` twice.\n\n    ||indented||\n\n~~~\n||fenced||\n~~~\n").html

    assert "spoiler" not in html
    assert "<code>||</code>" in html and "||indented||" in html and "||fenced||" in html


def test_a_code_span_inside_a_spoiler_is_hidden_with_it():
    html = render("||run `rm -rf` now||").html

    assert "<code>rm -rf</code>" in html and "rm -rf" not in without_spoilers(html)


def test_unbalanced_markers_stay_as_typed_and_pairs_are_taken_from_the_left():
    assert render("a || b and x ||y").html == "<p>a || b and x ||y</p>"
    assert render("|| spaced ||").html == "<p>|| spaced ||</p>"
    assert render("||a\n\nb||").html == "<p>||a</p>\n<p>b||</p>"  # not across paragraphs
    assert without_spoilers(render("||a||b||").html) == "<p>b||</p>"


def test_a_spoiler_overlapping_emphasis_wins_and_hides_every_word_it_spans():
    for source, hidden in [("*a ||b* c||", ("b", "c")), ("||a **b|| c**", ("a", "b"))]:
        shown = without_spoilers(render(source).html)

        for word in hidden:
            assert word not in shown.replace("<p>", "").replace("</p>", ""), (source, word)
