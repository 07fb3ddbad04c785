"""Post bodies are rendered and sanitised on save: nothing executable survives, headings get
anchors, embeds become placeholders, links to products are recorded and attributed."""

import pytest

from blog.markup import render, split_embeds

XSS = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<svg onload="alert(1)"><circle r="4"/></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">styled</p>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example/"><input name="q"></form>',
]


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_are_absent_from_the_stored_html(payload):
    html = render(f"Intro\n\n{payload}\n\nOutro").html.lower()
    for needle in [
        "<script", "onerror", "onload", "onclick", "javascript:", "data:", "<iframe", "<svg",
        "style=", "<object", "<embed", "<form", "<input", "alert(1)</script",
    ]:  # fmt: skip
        assert needle not in html, (payload, html)
    assert "intro" in html and "outro" in html


def test_headings_get_anchors_and_a_table_of_contents_starting_at_h2():
    rendered = render("# What NTR is\n\ntext\n\n## Its relatives\n\nmore\n\n# Why it is tagged\n")
    assert '<h2 id="what-ntr-is">What NTR is</h2>' in rendered.html
    assert '<h3 id="its-relatives">' in rendered.html
    assert [(t["id"], t["level"]) for t in rendered.toc] == [
        ("what-ntr-is", 2),
        ("its-relatives", 3),
        ("why-it-is-tagged", 2),
    ]


def test_reading_time_is_words_over_200_rounded_up():
    assert render("word " * 199).reading_minutes == 1
    assert render("word " * 401).reading_minutes == 3


def test_embeds_become_placeholders_in_body_order():
    rendered = render("Before\n\n[[product:PIN-CHEEKY-PINK]]\n\nMiddle\n\n[[products:A-1, B-2]]\n")
    assert '<div data-product-embed="PIN-CHEEKY-PINK"></div>' in rendered.html
    assert [ref.key for ref in rendered.products] == ["PIN-CHEEKY-PINK", "A-1", "B-2"]
    assert all(ref.is_embedded for ref in rendered.products)
    parts = split_embeds(rendered.html)
    assert [keys for _, keys in parts] == [["PIN-CHEEKY-PINK"], ["A-1", "B-2"], []]
    assert "Middle" in parts[1][0]


def test_an_embed_key_cannot_inject_markup():
    html = render('[[product:"><script>alert(1)</script>]]').html
    assert "<script" not in html


def test_external_links_get_noopener_and_product_links_go_through_the_article():
    rendered = render(
        "[shop](/catalogue/cheeky-pink_7/) [wiki](https://en.wikipedia.org/wiki/Anime) "
        "[home](http://127.0.0.1:8000/blog/)",
        link_through=lambda pk: f"/blog/what-does-ntr-mean/to/{pk}/",
        own_hosts=frozenset({"127.0.0.1"}),
    )
    assert '<a href="/blog/what-does-ntr-mean/to/7/">' in rendered.html
    assert (
        '<a rel="noopener noreferrer" href="https://en.wikipedia.org/wiki/Anime">' in rendered.html
    )
    assert '<a href="http://127.0.0.1:8000/blog/">' in rendered.html
    assert [ref.pk for ref in rendered.products] == [7]
    assert not rendered.products[0].is_embedded


def test_without_a_link_through_product_links_are_left_as_written():
    rendered = render("[shop](/catalogue/pin_7/)")
    assert '<a href="/catalogue/pin_7/">' in rendered.html
