"""Writing posts: render and sanitise on save, link glossary terms, record the featured products,
the terms used and a revision, and publish (or restore onto a published post) only what passes
the publish-time checks."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue import generations, spoilers
from catalogue.images import make_thumbnails_after_commit
from catalogue.staff_html import site_hosts

from . import glossary_links, markup, product_keys
from .models import FAQEntry, Post, PostProduct, PostRevision

Product = get_model("catalogue", "Product")
HERO_SIZES = ("hero", "og")


class PublishError(Exception):
    """Refused: the post would be published with these problems (`publication_problems`)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class RestoreError(PublishError):
    """Refused: the post is published and the revision's text has these problems."""


@dataclass(frozen=True)
class Resolved:
    products: list  # in body order, each once
    embedded_ids: set[int]
    missing_keys: list[str]  # embeds that point to no product


def render(post: Post) -> tuple[markup.Rendered, frozenset[str]]:
    """Fill the stored HTML, search text, table of contents and reading time from the Markdown
    body, with links to products going through the article (which records the click) and the first
    mention of each live glossary term linked; and the slugs of the terms it uses."""
    rendered = markup.render(
        post.body,
        link_through=lambda pk: reverse("blog:to-product", kwargs={"slug": post.slug, "pk": pk}),
        own_hosts=site_hosts(),
    )
    html, terms_used = glossary_links.link(rendered.html, owner=post)
    post.body_html, post.body_text, post.toc, post.reading_minutes = (
        html,
        rendered.text,
        rendered.toc,
        rendered.reading_minutes,
    )
    return rendered, terms_used


def resolve_products(refs: list[markup.ProductRef]) -> Resolved:
    """Embeds name a product by key (blog.product_keys); links name a pk. One query for all."""
    keys = [r.key for r in refs if r.key]
    pks = [r.pk for r in refs if r.pk]
    found = list(Product.objects.filter(product_keys.named_by(keys) | Q(pk__in=pks)))
    named = product_keys.by_key(keys, found)
    by_pk = {p.pk: p for p in found}
    products, embedded, missing, seen = [], set(), [], set()
    for ref in refs:
        product = by_pk.get(ref.pk) if ref.pk else named.get(ref.key)
        if product is None:
            if ref.is_embedded:
                missing.append(ref.key)
            continue
        if ref.is_embedded:
            embedded.add(product.pk)
        if product.pk not in seen:
            seen.add(product.pk)
            products.append(product)
    return Resolved(products, embedded, missing)


@transaction.atomic
def save_post(post: Post, *, by=None) -> Resolved:
    """Render, save, record which products the post features, and keep a revision.
    A post published without a time is published now."""
    if post.status == Post.Status.PUBLISHED and post.published_at is None:
        post.published_at = timezone.now()
    if post.pk is None:
        post.save()  # the ids of the body's glossary tooltips name the post (blog.glossary_links)
    rendered, terms_used = render(post)
    post.save()
    glossary_links.record_mentions(post, terms_used)
    if post.hero_image:
        make_thumbnails_after_commit(post.hero_image.name, HERO_SIZES)
    resolved = resolve_products(rendered.products)
    PostProduct.objects.filter(post=post).delete()
    PostProduct.objects.bulk_create(
        PostProduct(
            post=post, product=product, is_embedded=product.pk in resolved.embedded_ids, position=n
        )
        for n, product in enumerate(resolved.products)
    )
    # bulk_create sends no signals: the pages of the products now featured show the post.
    generations.bump(
        {generations.BLOG} | generations.product_tags(*(p.pk for p in resolved.products))
    )
    PostRevision.objects.create(
        post=post,
        saved_by=by if by is not None and by.is_authenticated else None,
        **{name: getattr(post, name) for name in PostRevision.TEXT_FIELDS},
    )
    return resolved


def publication_problems(post: Post) -> list[str]:
    """Why this post cannot be published yet (empty when it can)."""
    problems = []
    if not post.summary.strip():
        problems.append(_("Write a summary: listings, feeds and search engines show it."))
    rendered = markup.render(post.body)
    # An image's alt text in the body is read out and shown in its place: nothing hides it either.
    shown_plain = [
        post.title,
        post.summary,
        post.seo_title,
        post.seo_description,
        post.hero_alt,
        *markup.alt_texts(rendered.html),
    ]
    if any(spoilers.has_markers(text) for text in shown_plain):
        problems.append(
            _(
                "Spoilers belong in the body: the title, summary, SEO fields and alt text are "
                "shown where nothing can hide them (listings, feeds, search engines)."
            )
        )
    # New entries typed in the admin are refused by FAQEntry.clean; these are the stored ones.
    if post.pk and any(entry.has_spoiler_syntax for entry in post.faq_entries.all()):
        problems.append(str(FAQEntry.SPOILERS_REFUSED))
    if post.hero_image and not post.hero_alt.strip():
        problems.append(_("Describe the hero image in its alt text."))
    return problems + embed_problems(rendered)


def embed_problems(rendered: markup.Rendered) -> list[str]:
    """The publish-time check of any Markdown that may embed products (post bodies, glossary
    definitions), once rendered: every embed must point to a product."""
    missing = resolve_products(rendered.products).missing_keys
    if missing:
        return [
            _("These product embeds point to no product: %s.") % ", ".join(sorted(set(missing)))
        ]
    return []


def publish(post: Post, *, by=None, at=None) -> None:
    """Publish now (or at `at`, which schedules it); refused with the reasons while problems remain."""
    problems = publication_problems(post)
    if problems:
        raise PublishError(problems)
    post.status = Post.Status.PUBLISHED
    if at is not None:
        post.published_at = at
    save_post(post, by=by)


def unpublish(post: Post, *, by=None) -> None:
    post.status = Post.Status.DRAFT
    save_post(post, by=by)


def restore(revision: PostRevision, *, by=None) -> Post:
    """Put a revision's text back; the restore is itself a new revision. A published post
    (live or scheduled) never gets back a text that would fail the publish-time checks: that
    is refused with the reasons, and the post is left as it was."""
    post = revision.post
    restored = copy.copy(post)
    for name in PostRevision.TEXT_FIELDS:
        setattr(restored, name, getattr(revision, name))
    if post.status == Post.Status.PUBLISHED:
        problems = publication_problems(restored)
        if problems:
            raise RestoreError(problems)
    save_post(restored, by=by)
    return restored
