"""How an article describes itself to machines: its schema.org JSON-LD (one graph of Article,
mentioning its products, FAQPage and BreadcrumbList; written into the page with
catalogue.structured_data.as_script, which escapes it), and the text that meta tags and feeds quote."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from catalogue.consent import gated_warnings
from catalogue.images import thumbnail_url
from catalogue.structured_data import SCHEMA, plain_text, product_id


def article_graph(post, *, products, absolute_url, faq_shown: bool) -> dict:
    """`absolute_url(path)` makes a URL absolute; `products` are the cards the article shows.
    The FAQ is described only when the page shows it (not behind a content warning)."""
    url = absolute_url(post.get_absolute_url())
    article = {
        "@type": "Article",
        "@id": f"{url}#article",
        "headline": post.title,
        "mainEntityOfPage": url,
        "url": url,
        "dateModified": post.updated_at,
    }
    if post.published_at:
        article["datePublished"] = post.published_at
    if post.summary:
        article["description"] = post.summary
    if post.author:
        article["author"] = {"@type": "Person", "name": author_name(post.author)}
    if post.hero_image:
        # The Open Graph thumbnail, never the original: an original stored before uploads were
        # re-encoded (catalogue.image_policy) may still carry its EXIF.
        article["image"] = [absolute_url(thumbnail_url(post.hero_image.name, "og"))]
    if products:
        # References only: the product pages describe the products (and a warned post's
        # cards stay out of the page until the reader continues).
        article["mentions"] = [
            {"@type": "Product", "@id": product_id(p, absolute_url)} for p in products
        ]
    graph = [article]
    faq = list(post.faq_entries.all())
    if faq and faq_shown:
        graph.append(
            {
                "@type": "FAQPage",
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": entry.question,
                        "acceptedAnswer": {"@type": "Answer", "text": plain_text(entry.answer)},
                    }
                    for entry in faq
                ],
            }
        )
    crumbs = [(_("Home"), absolute_url("/")), (_("Blog"), absolute_url(reverse("blog:index")))]
    if post.category:
        crumbs.append((post.category.name, absolute_url(post.category.get_absolute_url())))
    crumbs.append((post.title, url))
    graph.append(
        {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": n, "name": name, "item": item}
                for n, (name, item) in enumerate(crumbs, start=1)
            ],
        }
    )
    return {"@context": SCHEMA, "@graph": graph}


def author_name(user) -> str:
    """The byline: a username may be an e-mail address, so it is never shown."""
    return user.get_full_name() or _("The %(shop)s team") % {"shop": settings.OSCAR_SHOP_NAME}


def warned_summary(text: str, warnings) -> str:
    """What search results, link previews and feed readers quote: a summary, never body text;
    a post behind a warning adds the warnings' names."""
    gated = gated_warnings(warnings)
    if gated:
        text = _("%(summary)s Content warning: %(names)s.") % {
            "summary": text,
            "names": ", ".join(warning.name for warning in gated),
        }
    return text.strip()


def glossary_graph(terms, *, absolute_url) -> dict:
    """The glossary index as a schema.org DefinedTermSet naming each live term (names and links
    only: a definition behind a content warning is not the index's to give)."""
    return {"@context": SCHEMA, **_term_set(absolute_url), "hasDefinedTerm": [
        {"@type": "DefinedTerm", "name": term.name, "url": absolute_url(term.get_absolute_url())}
        for term in terms
    ]}  # fmt: skip


def term_graph(term, *, absolute_url, withheld: bool) -> dict:
    """A glossary entry as a schema.org DefinedTerm in the glossary's DefinedTermSet; its
    description is the short definition (no spoilers), left out while the page withholds it."""
    url = absolute_url(term.get_absolute_url())
    node = {
        "@context": SCHEMA,
        "@type": "DefinedTerm",
        "@id": f"{url}#term",
        "name": term.name,
        "url": url,
        "inDefinedTermSet": _term_set(absolute_url),
    }
    aliases = list(term.names[1:])
    if aliases:
        node["alternateName"] = aliases
    if term.short_definition and not withheld:
        node["description"] = term.short_definition
    return node


def _term_set(absolute_url) -> dict:
    url = absolute_url(reverse("glossary:index"))
    return {
        "@type": "DefinedTermSet",
        "@id": f"{url}#glossary",
        "name": _("%(shop)s glossary") % {"shop": settings.OSCAR_SHOP_NAME},
        "url": url,
    }
