"""Writing glossary terms: render and sanitise the definition on save (blog.markup, as post
bodies), keep every name a term answers to unique across terms, and publish only what passes the
same publish-time checks as posts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from catalogue import generations, spoilers
from catalogue.staff_html import site_hosts
from catalogue.structured_data import plain_text

from . import glossary_links, markup
from .models import Term, TermAlias, normalised
from .services import PublishError, embed_problems

SHORT_DEFINITION_CHARS = 200


def render(term: Term) -> None:
    """Fill the stored HTML (other live terms linked, never the term itself) and the short
    plain-text definition from the Markdown."""
    html = markup.render(term.definition, own_hosts=site_hosts()).html
    term.definition_html = glossary_links.link(html, owner=term, exclude=term.slug)[0]
    term.short_definition = Truncator(plain_text(term.definition_html)).chars(
        SHORT_DEFINITION_CHARS
    )


def names_taken(term: Term, names) -> dict[str, Term]:
    """Which of these names (or aliases) another term already answers to: {name: that term}.
    One query."""
    wanted = {normalised(name): name for name in names if normalised(name)}
    rows = (
        TermAlias.objects.filter(normalised__in=wanted)
        .exclude(term_id=term.pk)
        .select_related("term")
    )
    return {wanted[row.normalised]: row.term for row in rows}


def alias_problems(term: Term) -> list[str]:
    """A name or alias that two terms would share, each with the term that has it; an alias too
    long to keep."""
    longest = TermAlias._meta.get_field("name").max_length
    too_long = [
        _("“%(name)s” is longer than %(n)d characters: shorten it.") % {"name": name, "n": longest}
        for name in term.names
        if len(name) > longest
    ]
    return too_long + [
        _("“%(name)s” is already a name or alias of the term “%(term)s”.")
        % {"name": name, "term": other.name}
        for name, other in names_taken(term, term.names).items()
    ]


@transaction.atomic
def save_term(term: Term, *, by=None, relink: bool = True) -> None:
    """Render, save and record the names the term answers to, then (once committed) link again
    every text that mentions it, by its old names and its new (blog.glossary_links). A term
    published without a time is published now. Refused (AliasTaken) when another term has one
    of its names."""
    problems = alias_problems(term)
    if problems:
        raise AliasTaken(problems)
    before = Term.objects.filter(pk=term.pk).first() if term.pk else None
    if relink:
        mentions = [t for t in (before, term) if t is not None]
        glossary_links.relink_after_commit(
            names={name for t in mentions for name in t.names},
            urls={t.get_absolute_url() for t in mentions},
        )
    if term.status == Term.Status.PUBLISHED and term.published_at is None:
        term.published_at = timezone.now()
    if term.pk is None:
        term.save()  # the ids of the definition's tooltips name the term (blog.glossary_links)
    render(term)
    term.save()
    TermAlias.objects.filter(term=term).delete()
    TermAlias.objects.bulk_create(
        TermAlias(term=term, name=name, normalised=normalised(name)) for name in term.names
    )
    # bulk_create sends no signals.
    generations.bump([generations.GLOSSARY])


def publication_problems(term: Term) -> list[str]:
    """Why this term cannot be published yet (empty when it can): the checks posts pass."""
    problems = []
    if not term.definition.strip():
        problems.append(_("Write the definition: the glossary and every linked mention show it."))
    if any(spoilers.has_markers(text) for text in (term.name, term.aliases)):
        problems.append(
            _(
                "Spoilers belong in the definition: a term's name and aliases are shown where "
                "nothing can hide them (the A–Z list, links in articles, search engines)."
            )
        )
    return problems + alias_problems(term) + embed_problems(markup.render(term.definition))


def publish(term: Term, *, by=None, at=None) -> None:
    """Publish now (or at `at`); refused with the reasons while problems remain."""
    problems = publication_problems(term)
    if problems:
        raise PublishError(problems)
    term.status = Term.Status.PUBLISHED
    if at is not None:
        term.published_at = at
    save_term(term, by=by)


def unpublish(term: Term, *, by=None) -> None:
    term.status = Term.Status.DRAFT
    save_term(term, by=by)


class AliasTaken(PublishError):
    """Refused: another term already answers to one of this term's names."""
