"""The one sanitising policy for HTML that staff write, and the fields it guards on every save.

What survives is text markup, tables, images, http(s)/mailto links, spoilers
(catalogue.spoilers) and glossary term links (catalogue.term_markup); scripts, styles, frames,
SVG, event handlers, `style=` and `javascript:`/`data:` URLs go, and links to other hosts get
rel="noopener noreferrer". The blog's Markdown passes the same policy (blog.markup), with the
few attributes its own renderer writes.

`STAFF_HTML_FIELDS` names every field whose HTML a page shows unescaped, by model label so that
the catalogue imports no other app (as catalogue.generations does). `connect()` (catalogue.apps)
cleans them before every save: the dashboard, the admin, commands and the demo seed alike.
Templates may then show them with `|safe`: ours say so beside the filter, and Oscar's own offer,
range, shipping-method and flat-page templates render these same fields. Bulk writes send no
signal: code that writes these fields in bulk passes them through `clean()` itself.

In the fields of `WITH_SPOILERS`, whose pages show spoilers hidden, spoiler syntax typed in the
editor is written out as spoilers on save (catalogue.spoiler_syntax); elsewhere (offers, shipping
methods, flat pages) Oscar's templates show some of these fields escaped, and it stays as typed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from django.apps import apps
from django.conf import settings
from django.db.models.signals import pre_save

from . import spoiler_syntax, spoilers, term_markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre",
    "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
} | spoilers.TAGS  # fmt: skip
ALLOWED_ATTRIBUTES = term_markup.merged(
    {
        "a": {"href", "title"},
        "abbr": {"title"},
        "img": {"src", "alt", "title", "width", "height"},
        "td": {"colspan", "rowspan"},
        "th": {"colspan", "rowspan", "scope"},
    },
    spoilers.ATTRIBUTES,
    term_markup.ATTRIBUTES,
)
ALLOWED_CLASSES = term_markup.merged(spoilers.CLASSES, term_markup.CLASSES)
URL_SCHEMES = {"http", "https", "mailto"}
EXTERNAL_REL = "noopener noreferrer"

STAFF_HTML_FIELDS = {
    "catalogue.Product": ("description",),
    "catalogue.Category": ("description", "long_description"),
    "catalogue.Franchise": ("description",),
    "offer.ConditionalOffer": ("description",),
    "offer.Range": ("description",),
    "shipping.OrderAndItemCharges": ("description",),
    "shipping.WeightBased": ("description",),
    "flatpages.FlatPage": ("content",),
}

# The models whose descriptions the catalogue's own pages show, spoilers hidden.
WITH_SPOILERS = {"catalogue.Product", "catalogue.Category", "catalogue.Franchise"}

ANCHOR = re.compile(r"<a\b[^>]*>")
HREF = re.compile(r'\shref="([^"]*)"')


def sanitise(
    html: str, *, own_hosts: frozenset[str] | None = None, attributes: dict | None = None
) -> str:
    """`html` as the policy lets it through. Links to hosts outside `own_hosts` (default: the
    site's ALLOWED_HOSTS) are marked as external; `attributes` adds to the allowed attributes
    for markup the caller writes itself. Cleaning clean HTML changes nothing."""
    allowed = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    for tag, names in (attributes or {}).items():
        allowed.setdefault(tag, set()).update(names)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=allowed,
        url_schemes=URL_SCHEMES,
        link_rel=None,  # rel is ours to set, on external links only
        allowed_classes=ALLOWED_CLASSES,
        tag_attribute_values=term_markup.ATTRIBUTE_VALUES,
        set_tag_attribute_values=spoilers.FORCED_ATTRIBUTES,
        attribute_filter=term_markup.keep_attribute,
        strip_comments=True,
    )
    # A class the policy does not allow leaves `class=""` behind.
    clean = spoilers.without_stray_inputs(clean.replace(' class=""', ""))
    return _mark_external_links(clean, own_hosts=site_hosts() if own_hosts is None else own_hosts)


def clean(html: str, *, with_spoilers: bool = False) -> str:
    """What a staff HTML field stores: `html` as the policy lets it through and, `with_spoilers`,
    its spoiler syntax written out as spoilers. Cleaning clean HTML changes nothing."""
    cleaned = sanitise(html)
    if with_spoilers:
        # Sanitised again: the spoilers' markup in the policy's own order of attributes.
        cleaned = sanitise(spoiler_syntax.written_out(cleaned))
    return cleaned


def site_hosts() -> frozenset[str]:
    """The hosts whose links are not external: the ones the site answers on."""
    return frozenset(host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*")


def sanitise_fields(instance, *, fields, with_spoilers: bool | None = None) -> bool:
    """Clean `fields` of a model instance in place; True if any changed. Spoiler syntax is written
    out in the models of `WITH_SPOILERS` unless `with_spoilers` says otherwise."""
    if with_spoilers is None:
        with_spoilers = instance._meta.label in WITH_SPOILERS
    changed = False
    for name in fields:
        value = getattr(instance, name)
        if value:
            cleaned = clean(value, with_spoilers=with_spoilers)
            if cleaned != value:
                setattr(instance, name, cleaned)
                changed = True
    return changed


def sanitise_stored(apps_registry, fields_by_label: dict[str, tuple[str, ...]]) -> int:
    """Clean what is already stored (a data migration's body); returns the rows changed. The
    rows are written without signals, so every cache generation is then started afresh."""
    changed = 0
    for label, fields in fields_by_label.items():
        model = apps_registry.get_model(label)
        for row in model._base_manager.only("pk", *fields).iterator(chunk_size=500):
            if sanitise_fields(row, fields=fields):
                model._base_manager.filter(pk=row.pk).update(
                    **{name: getattr(row, name) for name in fields}
                )
                changed += 1
    if changed:
        from .generations import bump_all

        bump_all()
    return changed


def connect() -> None:
    for label, fields in STAFF_HTML_FIELDS.items():
        pre_save.connect(
            _sanitise_before_save(fields),
            sender=apps.get_model(label),
            dispatch_uid=f"staff-html-{label}",
            weak=False,
        )


def _sanitise_before_save(fields):
    def receiver(instance, raw=False, **kwargs):
        if not raw:  # fixtures load as dumped
            sanitise_fields(instance, fields=fields)

    return receiver


def _mark_external_links(html: str, *, own_hosts: frozenset[str]) -> str:
    def mark(match):
        tag = match.group(0)
        href = HREF.search(tag)
        if href is None:
            return tag
        url = urlsplit(href.group(1).replace("&amp;", "&"))
        if url.scheme in ("http", "https", "") and url.hostname and url.hostname not in own_hosts:
            return f'<a rel="{EXTERNAL_REL}"{tag[2:]}'
        return tag

    return ANCHOR.sub(mark, html)
