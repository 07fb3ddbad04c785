"""Glossary term links in staff text: the HTML they are stored as, what the sanitising policy lets
through for them, `without_definitions()`, the text summaries and search are made from, and
`unlinked()`, the text as it was before linking (to link it afresh when terms change).

blog.term_links writes them into sanitised HTML (post bodies, product and franchise
descriptions); the catalogue owns the markup because its own fields hold it and its policy
cleans them again on every save. A term with a definition:

    <span class="term" tabindex="-1"><a class="term__link" href="/glossary/ntr/"
    aria-describedby="term-ntr-product-7">NTR</a><span class="term__tip" role="tooltip"
    id="term-ntr-product-7">A story in which…</span></span>

The id names the term and the text's owner, so two texts on one page never share one.

A withheld (mature or adult) term is the link alone: `<a class="term__link" href="…">NTR</a>`.
"""

from __future__ import annotations

import re

WRAPPER_CLASS = "term"
LINK_CLASS = "term__link"
TIP_CLASS = "term__tip"
ID_PREFIX = "term-"

# Added to catalogue.staff_html's policy: the only classes each tag may carry for a term,
# the attributes, and the one value each of `role` and `tabindex` may take.
CLASSES = {"span": {WRAPPER_CLASS, TIP_CLASS}, "a": {LINK_CLASS}}
ATTRIBUTES = {"a": {"aria-describedby"}, "span": {"id"}}
ATTRIBUTE_VALUES = {"span": {"role": {"tooltip"}, "tabindex": {"-1"}}}
# Ids (and the links that point at them) start with ID_PREFIX: staff text cannot name the
# page's own elements.
PREFIXED = {("span", "id"), ("a", "aria-describedby")}

# The tags as written here, or as an editor (TinyMCE) writes them back: the class anywhere.
_TIP_TAG = rf'<span\b[^>]*\bclass="{TIP_CLASS}"[^>]*>[^<]*</span>'
_LINK_TAG = rf'<a\b[^>]*\bclass="{LINK_CLASS}"[^>]*>([^<]*)</a>'
_TIP = re.compile(_TIP_TAG)
_LINKED = re.compile(
    rf'<span\b[^>]*\bclass="{WRAPPER_CLASS}"[^>]*>{_LINK_TAG}(?:{_TIP_TAG})?</span>|{_LINK_TAG}'
)


def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """The policy's filter for the attributes above (nh3's `attribute_filter`)."""
    if (tag, attribute) in PREFIXED and not value.startswith(ID_PREFIX):
        return None
    return value


def without_definitions(html: str) -> str:
    """Linked HTML without the tooltips' text: what a summary, meta description or search
    document is made from, so a definition never reads as the text's own words."""
    return _TIP.sub("", html)


def unlinked(html: str) -> str:
    """Linked HTML with every term link back to the plain text it was made from."""
    return _LINKED.sub(lambda match: match.group(1) or match.group(2) or "", html)


def merged(*policies: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per-tag sets of the policies, united (for classes and attributes)."""
    merged_policy: dict[str, set[str]] = {}
    for policy in policies:
        for tag, names in policy.items():
            merged_policy.setdefault(tag, set()).update(names)
    return merged_policy
