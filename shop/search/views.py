"""Catalogue, category, franchise and search listings on database queries (replaces Oscar's
Haystack views). Every listing filters with the same facets and keeps its state in the URL."""

import hashlib
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import InvalidPage, Paginator
from django.db import transaction
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.core.loading import get_class, get_model

from blog.selectors import matching_articles, popular_articles
from catalogue import facet_counts, generations, parsing
from catalogue import selectors as tiles
from catalogue.categories import category_urls
from catalogue.product_page import Crumb
from shop.pagecache import listings

from . import facets, selectors
from .suggestions import defined_term, did_you_mean, suggest

SearchForm = get_class("search.forms", "SearchForm")
Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")
Franchise = get_model("catalogue", "Franchise")


class CountedPaginator(Paginator):
    """A paginator told its count: the facet query has already counted the filtered products."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = count  # replaces the cached_property, so no COUNT(*) query runs


@method_decorator(transaction.non_atomic_requests, name="dispatch")  # read-only: no transaction
class ProductListView(ListView):
    """A paginated, sortable, faceted product listing; subclasses narrow the products."""

    context_object_name = "products"
    paginator_class = CountedPaginator

    def get_paginate_by(self, queryset):
        return settings.OSCAR_PRODUCTS_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.params = SearchForm(request.GET).cleaned_or_default()
        self.filters = facets.Filters.from_query(request.GET)
        if self.facet_result.known != self.filters:
            # Values no product here has (a renamed franchise, an edited URL): drop them visibly.
            querystring = self.facet_result.known.querystring(request.GET)
            return redirect(f"{request.path}?{querystring}" if querystring else request.path)
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("That page number does not exist; here is the first page."))
            querystring = self.querystring_without_page()
            return redirect(f"{request.path}?{querystring}" if querystring else request.path)

    def querystring_without_page(self) -> str:
        querystring = self.request.GET.copy()
        querystring.pop("page", None)
        return querystring.urlencode()

    @cached_property
    def searched_products(self):
        """The listing before facet filters: narrowed by the page, matched by the query."""
        products = self.narrow(tiles.listed_products())
        if self.params["q"]:
            products = selectors.matching(products, self.params["q"], ranked=False)
        return products

    @cached_property
    def facet_result(self) -> facets.FacetResult:
        query = self.params["q"]
        listing = "" if query else self.facet_listing()

        def count():
            # The whole catalogue searched: kept word counts or the narrow search rows serve,
            # where they can.
            if query and self.facet_listing() == facet_counts.CATALOGUE:
                counted = selectors.searched_counts(query, self.filters)
                if counted is not None:
                    return facets.count_facets(None, self.filters, counted=counted)
            return facets.count_facets(self.searched_products, self.filters, listing=listing)

        return self.cached("facets", count)

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        # Not ListView's int(), which reads any script's digits ("٢" is page 2): ASCII digits only.
        try:
            page = paginator.page(parsing.parse_page(self.request.GET.get("page")))
        except InvalidPage as error:
            raise Http404 from error  # get() shows the first page instead

        # Which products are on the page is kept per listing state while the listing's tags
        # stand (the sorting and ranking are what is slow on a big catalogue); a hit loads them
        # by primary key.
        def page_ids():
            # Ids first, tiles after: sorting narrow rows, then joining what tiles need for 24,
            # beats joining it for every match before the sort (31k rows for "pin" at 100k).
            bottom = page.start_index() - 1 if paginator.count else 0
            if self.sort_by == SearchForm.RELEVANCE:
                return selectors.ranked_ids(
                    queryset,
                    bottom,
                    page.end_index(),
                    count=paginator.count,
                    tiers=self.facet_result.tiers,
                )
            return list(queryset.values_list("pk", flat=True)[bottom : page.end_index()])

        ids = self.cached(f"page:{self.sort_by}:{page.number}", page_ids)
        page.object_list = tiles.tiles_in_order(ids)
        return paginator, page, page.object_list, page.has_other_pages()

    def cached(self, part: str, compute):
        return listings.remember(self.cache_key(part), self.listing_tags(), compute)

    def listing_tags(self) -> set[str]:
        """The cache tags of the products this listing holds (catalogue.generations)."""
        return {generations.ALL_LISTINGS, generations.TAXONOMY}

    def cache_key(self, part: str) -> str:
        """The listing's state: which listing, the query, the filters, and the part."""
        state = repr((type(self).__name__, sorted(self.kwargs.items()), self.params["q"]))
        digest = hashlib.sha256(f"{state}{self.filters!r}{part}".encode()).hexdigest()
        return f"listing:{digest}"

    def get_queryset(self):
        products = self.searched_products
        if self.sort_by == SearchForm.RELEVANCE:  # ranked, as the facet counts need not be
            products = selectors.matching(self.narrow(tiles.listed_products()), self.params["q"])
        products = products.filter(self.filters.q())
        return selectors.sorted_by(products, self.sort_by)  # tiles load by id: paginate_queryset

    @property
    def sort_by(self) -> str:
        sort_by = self.params["sort_by"]
        return (
            SearchForm.NEWEST
            if sort_by == SearchForm.RELEVANCE and not self.params["q"]
            else sort_by
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        return self.paginator_class(queryset, per_page, count=self.facet_result.total, **kwargs)

    def narrow(self, products):
        return products

    def facet_listing(self) -> str:
        """The catalogue.facet_counts listing `narrow()` gives, before any text query."""
        return facet_counts.CATALOGUE

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        tiles.load_tile_extras(ctx["products"])
        ctx["query"] = self.params["q"]
        ctx["sort_by"] = self.sort_by
        ctx["sort_choices"] = SearchForm.sort_choices(has_query=bool(self.params["q"]))
        ctx["querystring"] = self.querystring_without_page()
        ctx["sort_hidden_fields"] = [
            (name, value)
            for name, values in self.request.GET.lists()
            if name not in ("sort_by", "page")
            for value in values
        ]
        ctx["facets"] = self.facet_result.facets
        ctx["filters"] = self.filters
        ctx["active_filters"] = [
            (facet, value, self._querystring_without(facet.param, value.value))
            for facet in self.facet_result.facets
            for value in facet.values
            if value.is_selected
        ]
        ctx["clear_filters_querystring"] = facets.Filters().querystring(self.request.GET)
        return ctx

    def _querystring_without(self, param: str, value: str) -> str:
        querystring = self.request.GET.copy()
        querystring.pop("page", None)
        querystring.setlist(param, [v for v in querystring.getlist(param) if v != value])
        return querystring.urlencode()


class CatalogueView(ProductListView):
    template_name = "oscar/catalogue/browse.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["summary"] = _("All products")
        return ctx


class ProductCategoryView(ProductListView):
    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404()
        # The breadcrumb's categories, whose slugs make this one's URL (one query, none at the top).
        ancestors = list(Category.objects.get_ancestors(self.category))
        urls = category_urls([*ancestors, self.category])
        self.breadcrumbs = [Crumb(a.name, urls[a.pk]) for a in ancestors]
        # Categories are looked up by pk so a renamed slug redirects to the current URL.
        expected_path = urls[self.category.pk]
        if unquote(expected_path) != unquote(request.path):
            return HttpResponsePermanentRedirect(expected_path)
        return super().get(request, *args, **kwargs)

    def narrow(self, products):
        in_category = ProductCategory.objects.filter(
            category__in=Category.objects.get_tree(self.category)
        )
        return products.filter(pk__in=in_category.values("product_id"))

    def listing_tags(self) -> set[str]:
        return {generations.category(self.category.pk), generations.TAXONOMY}

    def facet_listing(self) -> str:
        return facet_counts.category_listing(self.category.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["category"] = self.category
        ctx["ancestors"] = self.breadcrumbs
        ctx["summary"] = self.category.name
        return ctx


class FranchiseView(ProductListView):
    template_name = "oscar/catalogue/franchise.html"

    def get(self, request, *args, **kwargs):
        self.franchise = get_object_or_404(Franchise, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def narrow(self, products):
        return products.filter(franchise=self.franchise)

    def listing_tags(self) -> set[str]:
        return {generations.franchise(self.franchise.pk), generations.TAXONOMY}

    def facet_listing(self) -> str:
        return facet_counts.franchise_listing(self.franchise.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["franchise"] = self.franchise
        ctx["summary"] = self.franchise.name
        # The franchise is fixed here: its facet would only ever list itself.
        ctx["facets"] = [f for f in ctx["facets"] if f.param != "franchise"]
        return ctx


class FacetedSearchView(ProductListView):
    """Products, with the live articles that match the same words above them."""

    template_name = "oscar/search/results.html"
    articles_shown = 5
    popular_shown = 4

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.params["q"]
        generations.read([generations.BLOG])
        ctx["articles"] = matching_articles(query, self.articles_shown) if query else []
        ctx["defined_term"] = defined_term(query) if query else None
        if query and not ctx["articles"] and not self.facet_result.total and self.filters.is_empty:
            ctx.update(self.nothing_found(query))
        return ctx

    def nothing_found(self, query: str) -> dict:
        """What the page offers when nothing matched every word: the closest names (typos
        forgiven: shop.search.suggestions), a corrected query when they suggest one, and the
        best-selling products and the articles that sold most. A fixed number of queries."""
        closest = suggest(query)
        popular = tiles.tiles_in_order(
            list(
                selectors.sorted_by(tiles.listed_products(), SearchForm.BEST_SELLING).values_list(
                    "pk", flat=True
                )[: self.popular_shown]
            )
        )
        tiles.load_tile_extras(popular)
        return {
            "closest": closest,
            "did_you_mean": did_you_mean(query, closest),
            "popular_products": popular,
            "popular_articles": popular_articles(self.articles_shown),
        }


@transaction.non_atomic_requests  # read-only: no transaction
def suggestions(request):
    """What the search box suggests for `q` as a shopper types: an HTML fragment of grouped links
    (shop/partials/suggestions.html), filled into the header's list by static/shop/js/search-suggest.js."""
    query = parsing.parse_text(request.GET.get("q"), max_length=SearchForm.MAX_QUERY_LENGTH)
    return render(
        request,
        "shop/partials/suggestions.html",
        {"answer": suggest(query), "query": query},
    )
