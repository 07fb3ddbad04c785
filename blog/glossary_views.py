"""The glossary's public pages (namespace "glossary"): the A–Z index with its filter box, a term's
entry, and the staff preview of a draft entry.

Only live terms (published, their time come) reach the public; a draft or scheduled term is 404
except in the staff preview, which renders the same template. A term behind a mature or adult
warning keeps its definition out of the page until the reader chooses to see mature content
(catalogue.consent: the same choice as for posts and products).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from oscar.core.loading import get_model

from catalogue.buying import confirms_adds, just_added
from catalogue.consent import consent_for, gated_warnings
from catalogue.parsing import parse_text
from catalogue.selectors import for_tiles, load_tile_extras
from catalogue.structured_data import as_script

from . import structured_data
from .models import Post, Term
from .selectors import TEASER_FIELDS

Product = get_model("catalogue", "Product")

MAX_QUERY = 100
MENTIONING_POSTS = 10


@transaction.non_atomic_requests
@require_safe
def index(request):
    """Live terms A–Z, grouped by first letter; `?q=` keeps those whose name or an alias
    contains it (a plain GET form: works without JavaScript)."""
    query = " ".join(parse_text(request.GET.get("q"), max_length=MAX_QUERY).split())
    terms = Term.objects.published().prefetch_related("content_warnings").order_by("name")
    if query:
        terms = terms.filter(
            Q(name__icontains=query) | Q(alias_rows__name__icontains=query)
        ).distinct()
    terms = list(terms.only("name", "slug", "short_definition"))
    consent = consent_for(request)
    letters: dict[str, list] = {}
    for term in terms:
        term.withheld = consent.withholds_any(term.content_warnings.all())
        letters.setdefault(term.letter, []).append(term)
    absolute_url = request.build_absolute_uri
    context = {
        "query": query,
        "letters": letters,
        "alphabet": [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "#"],
        "structured_data": as_script(
            structured_data.glossary_graph(terms, absolute_url=absolute_url)
        ),
    }
    return render(request, "blog/glossary/index.html", context)


@confirms_adds
@transaction.non_atomic_requests
@require_safe
def detail(request, slug):
    term = get_object_or_404(entry_terms().published(), slug=slug)
    return render(request, "blog/glossary/detail.html", entry_context(request, term))


@confirms_adds
@transaction.non_atomic_requests
@require_safe
def preview(request, pk):
    """A draft or scheduled term exactly as its entry will show it; staff only."""
    if not request.user.is_staff:
        raise Http404
    term = get_object_or_404(entry_terms(), pk=pk)
    return render(
        request, "blog/glossary/detail.html", entry_context(request, term, is_preview=True)
    )


def entry_terms():
    """Terms with everything their entry shows about them (live see-also terms only)."""
    return (
        Term.objects.select_related("explainer")
        .annotate(related_count=Count("related_products"))
        .prefetch_related(
            "content_warnings",
            Prefetch(
                "see_also",
                queryset=Term.objects.published().only("name", "slug").order_by("name"),
            ),
        )
    )


def entry_context(request, term: Term, *, is_preview: bool = False) -> dict:
    warnings = list(term.content_warnings.all())
    withheld = consent_for(request).withholds_any(warnings)
    products = []
    if term.related_count:
        # Hidden products too: their cache tags are read, so the entry is built again when one
        # is published. A term with none reads no product table at all.
        products = list(for_tiles(Product.objects.filter(glossary_terms=term)))
        load_tile_extras(products)
        products = [p for p in products if p.is_public and p.parent_id is None]
    explainer = term.explainer if term.explainer and term.explainer.is_public else None
    posts = list(
        Post.objects.published()
        .filter(term_mentions__term=term)
        .only(*TEASER_FIELDS)
        .newest_first()[:MENTIONING_POSTS]
    )
    absolute_url = request.build_absolute_uri
    graph = structured_data.term_graph(term, absolute_url=absolute_url, withheld=withheld)
    return {
        "term": term,
        "is_preview": is_preview,
        "withheld": withheld,
        "warnings": warnings,
        "gated_warnings": gated_warnings(warnings),
        "explainer": explainer,
        "products": products,
        "see_also": list(term.see_also.all()),
        "posts": posts,
        "canonical_url": absolute_url(term.get_absolute_url()),
        "structured_data": as_script(graph),
        "just_added": just_added(request),
    }
