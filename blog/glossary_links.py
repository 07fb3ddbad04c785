"""Glossary links in stored text: the live terms as blog.term_links wants them, linking a text as
it is saved (post bodies, term definitions, and product and franchise descriptions through the
catalogue's hook, catalogue.text_linkers), and the task that links again every text that mentions
a term when the term changes, or when whether its definition is withheld changes outside the term
form (a warning's level edited, warnings added to or taken from a term directly: `connect()`).
Pages only read what was stored: no linking per request."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django_tasks import task
from oscar.core.loading import get_model

from catalogue import generations
from catalogue.consent import consent_for, is_gated
from catalogue.term_markup import unlinked

from .models import Post, PostTerm, Term
from .term_links import TermRef, link_terms

Product = get_model("catalogue", "Product")
Franchise = get_model("catalogue", "Franchise")
ContentWarning = get_model("catalogue", "ContentWarning")


def term_refs() -> list[TermRef]:
    """Every live term, with the short definition unless a mature or adult warning withholds it
    (the one consent rule, asked for a reader who has chosen nothing: stored text is the same
    for every reader). Two queries."""
    nobody = consent_for(None)
    terms = (
        Term.objects.published()
        .only("name", "slug", "aliases", "short_definition")
        .prefetch_related("content_warnings")
    )
    refs = []
    for term in terms:
        withheld = nobody.withholds_any(term.content_warnings.all())
        refs.append(
            TermRef(
                slug=term.slug,
                url=term.get_absolute_url(),
                names=term.names,
                definition="" if withheld else term.short_definition,
                withheld=withheld,
            )
        )
    return refs


def link(html: str, *, owner, terms=None, exclude: str | None = None) -> tuple[str, frozenset[str]]:
    """`html`, the text of `owner` (a post, term, product or franchise), with its first mention of
    each live term linked afresh (links to terms that changed or went away are undone first), and
    the slugs linked. The tooltip ids name the owner (blog.term_links), unique on any page."""
    if not html:
        return html, frozenset()
    terms = term_refs() if terms is None else terms
    return link_terms(unlinked(html), terms, exclude=exclude, scope=scope(owner))


def scope(owner) -> str:
    """The end of the tooltip ids in `owner`'s text: "post-12", "product-7" ("" while unsaved)."""
    return f"{owner._meta.model_name}-{owner.pk}" if owner.pk is not None else ""


def link_description(html: str, *, owner) -> str:
    """The catalogue's hook (registered in blog.apps): a description linked as it is saved."""
    return link(html, owner=owner)[0]


def record_mentions(post: Post, slugs) -> None:
    """Which terms the post's body uses: "articles that use this term" reads these rows."""
    PostTerm.objects.filter(post=post).delete()
    PostTerm.objects.bulk_create(
        PostTerm(post=post, term_id=pk)
        for pk in Term.objects.filter(slug__in=slugs).values_list("pk", flat=True)
    )


_held = ContextVar("glossary_relinks_held", default=False)


@contextmanager
def relinks_held():
    """Inside, no relink is queued: the caller links every text itself once it is done (the demo
    seed, which writes terms and their warnings and then calls relink_everything())."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def relink_after_commit(*, names, urls) -> None:
    """Queue the linking again of every text that mentions these names or links these URLs, for
    once the term's change (and its warnings, saved after it) is committed."""
    if not _held.get():
        transaction.on_commit(partial(relink_task.enqueue, list(names), list(urls)))


@task()
def relink_task(names: list[str], urls: list[str]) -> None:
    relink(names=names, urls=urls)


@transaction.atomic
def relink(*, names, urls) -> int:
    """Link again the posts, term definitions, products and franchises whose stored HTML mentions
    one of `names` or links one of `urls`; returns how many changed. Rows are updated without
    signals, so the cache tags of what changed are bumped here."""
    terms = term_refs()
    changed = 0
    for post in Post.objects.filter(_mentioning("body_html", names, urls)).only("body_html"):
        html, slugs = link(post.body_html, owner=post, terms=terms)
        record_mentions(post, slugs)
        if html != post.body_html:
            Post.objects.filter(pk=post.pk).update(body_html=html)
            changed += 1
    for term in Term.objects.filter(_mentioning("definition_html", names, urls)).only(
        "slug", "definition_html"
    ):
        html, _slugs = link(term.definition_html, owner=term, terms=terms, exclude=term.slug)
        if html != term.definition_html:
            Term.objects.filter(pk=term.pk).update(definition_html=html)
            changed += 1
    product_ids = []
    for product in Product.objects.filter(_mentioning("description", names, urls)).only(
        "description"
    ):
        html = link(product.description, owner=product, terms=terms)[0]
        if html != product.description:
            Product.objects.filter(pk=product.pk).update(description=html)
            product_ids.append(product.pk)
    franchises = 0
    for franchise in Franchise.objects.filter(_mentioning("description", names, urls)).only(
        "description"
    ):
        html = link(franchise.description, owner=franchise, terms=terms)[0]
        if html != franchise.description:
            Franchise.objects.filter(pk=franchise.pk).update(description=html)
            franchises += 1
    tags = {generations.BLOG, generations.GLOSSARY} | generations.product_tags(*product_ids)
    if franchises:
        tags.add(generations.TAXONOMY)
    generations.bump(tags)
    return changed + len(product_ids) + franchises


def relink_everything() -> int:
    """Every stored text against every live term (the demo seed, after adding its glossary)."""
    terms = term_refs()
    return relink(
        names=[name for term in terms for name in term.names], urls=[t.url for t in terms]
    )


def _mentioning(field: str, names, urls) -> Q:
    """Rows whose HTML may mention a name or links a URL (a cheap filter; the linker decides)."""
    query = Q(pk__in=[])
    for name in names:
        query |= Q(**{f"{field}__icontains": name})
    for url in urls:
        query |= Q(**{f"{field}__contains": f'href="{url}"'})
    return query


def relink_terms_after_commit(terms) -> None:
    """Queue the linking again of every text that mentions these terms (nothing when none)."""
    terms = list(terms)
    if terms:
        relink_after_commit(
            names={name for term in terms for name in term.names},
            urls={term.get_absolute_url() for term in terms},
        )


# Whether a term's definition is withheld follows its warnings' levels (the one consent rule): a
# change that can move a term across the gated line, made anywhere, links its mentions again.


def connect() -> None:
    """Called from blog.apps: the receivers below."""
    uid = "glossary-links-{}".format
    m2m_changed.connect(
        _term_warnings_changed, sender=Term.content_warnings.through, dispatch_uid=uid("m2m")
    )
    pre_save.connect(_before_warning_save, sender=ContentWarning, dispatch_uid=uid("pre"))
    post_save.connect(_warning_saved, sender=ContentWarning, dispatch_uid=uid("post"))
    pre_delete.connect(_warning_deleted, sender=ContentWarning, dispatch_uid=uid("delete"))


def _term_warnings_changed(instance, action, reverse, pk_set, **kwargs):
    """Warnings added to or taken from terms: their terms are linked again when a gated warning
    came or went (from the term's side, `pk_set` names warnings; from the warning's, terms)."""
    if action not in {"pre_clear", "post_add", "post_remove"}:
        return
    if reverse:  # instance is the warning
        if not is_gated(instance.level):
            return
        terms = instance.glossary_terms.all()
        if action != "pre_clear":
            terms = terms.model.objects.filter(pk__in=pk_set or ())
        relink_terms_after_commit(terms)
        return
    warnings = instance.content_warnings.all()
    if action != "pre_clear":
        warnings = ContentWarning.objects.filter(pk__in=pk_set or ())
    if any(is_gated(level) for level in warnings.values_list("level", flat=True)):
        relink_terms_after_commit([instance])


def _before_warning_save(instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    before = ContentWarning.objects.filter(pk=instance.pk).values_list("level", flat=True).first()
    instance._gated_before = before is not None and is_gated(before)


def _warning_saved(instance, created, raw=False, **kwargs):
    if raw or created:
        return
    if getattr(instance, "_gated_before", is_gated(instance.level)) != is_gated(instance.level):
        relink_terms_after_commit(instance.glossary_terms.all())


def _warning_deleted(instance, **kwargs):
    if is_gated(instance.level):
        relink_terms_after_commit(instance.glossary_terms.all())
