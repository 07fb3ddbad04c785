"""Catalogue, category and search listings on database queries (replaces Oscar's Haystack views)."""

from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.core.loading import get_class, get_model

from . import selectors

SearchForm = get_class("search.forms", "SearchForm")
Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")
Franchise = get_model("catalogue", "Franchise")


class ProductListView(ListView):
    """A paginated, sortable product listing; subclasses narrow the products."""

    context_object_name = "products"

    def get_paginate_by(self, queryset):
        return settings.OSCAR_PRODUCTS_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.params = SearchForm(request.GET).cleaned_or_default()
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

    def get_queryset(self):
        products = self.narrow(selectors.listed_products())
        return selectors.sorted_by(products, self.params["sort_by"])

    def narrow(self, products):
        return products

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["query"] = self.params["q"]
        ctx["sort_by"] = self.params["sort_by"]
        ctx["sort_choices"] = SearchForm.SORT_BY_CHOICES
        ctx["querystring"] = self.querystring_without_page()
        return ctx


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
        # Categories are looked up by pk so a renamed slug redirects to the current URL.
        expected_path = self.category.get_absolute_url()
        if unquote(expected_path) != unquote(request.path):
            return HttpResponsePermanentRedirect(expected_path)
        return super().get(request, *args, **kwargs)

    def narrow(self, products):
        in_category = ProductCategory.objects.filter(
            category__in=Category.objects.get_tree(self.category)
        )
        return products.filter(pk__in=in_category.values("product_id"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["category"] = self.category
        ctx["ancestors"] = Category.objects.get_ancestors(self.category)
        ctx["summary"] = self.category.name
        return ctx


class FacetedSearchView(ProductListView):
    template_name = "oscar/search/results.html"

    def narrow(self, products):
        return selectors.matching(products, self.params["q"])


class FranchiseView(ProductListView):
    template_name = "oscar/catalogue/browse.html"

    def get(self, request, *args, **kwargs):
        self.franchise = get_object_or_404(Franchise, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def narrow(self, products):
        return products.filter(franchise=self.franchise)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["franchise"] = self.franchise
        ctx["summary"] = self.franchise.name
        return ctx
