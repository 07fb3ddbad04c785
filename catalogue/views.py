"""The shop's fork of Oscar's catalogue views: the product page. Everything else is Oscar's, re-exported.

The page's data comes from catalogue.product_page in a fixed number of queries; this view adds
what depends on the request: the shopper's content consent, the canonical URL, the JSON-LD.
"""

from django.db import transaction
from django.utils.decorators import method_decorator
from oscar.apps.catalogue import views as oscar_views
from oscar.apps.catalogue.views import *  # noqa: F403 -- the rest of Oscar's module, unchanged
from oscar.core.loading import get_model

from . import buying, product_page, structured_data
from .consent import consent_for
from .images import thumbnail_url

WishList = get_model("wishlists", "WishList")

# Oscar's module resolves these from the search app (shop.search.views); keep them the same.
CatalogueView = oscar_views.CatalogueView
ProductCategoryView = oscar_views.ProductCategoryView


# A read-only page needs no transaction; with SQLite's IMMEDIATE mode every atomic request
# would queue for the write lock.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ProductDetailView(oscar_views.ProductDetailView):
    def get_queryset(self):
        return product_page.products_for_page(self.request.user)

    def get_alert_status(self):
        # Oscar asks the database on every page view; only a sold-out product offers the alert.
        if self.page.stock.is_available:
            return False
        return super().get_alert_status()

    def get_context_data(self, **kwargs):
        request = self.request
        self.page = page = product_page.load_page(
            self.object, strategy=request.strategy, user=request.user
        )
        ctx = super().get_context_data(**kwargs)
        product = self.object
        consent = consent_for(request)
        withheld = any(consent.withholds(p) for p in (product, product.parent) if p)
        image = page.primary_image
        image_url = None
        if image and not withheld:
            image_url = request.build_absolute_uri(thumbnail_url(image.original, "og"))
        canonical_url = request.build_absolute_uri(product.get_absolute_url())
        graph = structured_data.product_graph(
            page,
            absolute_url=request.build_absolute_uri,
            image_url=image_url,
            withheld=withheld,
        )
        ctx.update(
            page=page,
            withheld=withheld,
            purchase_action=buying.purchase_action(product, page.info, consent, takes_options=True),
            canonical_url=canonical_url,
            og_image_url=image_url,
            meta_description=graph["@graph"][0].get("description", ""),
            structured_data=structured_data.as_script(graph),
            saved_in_wishlists=self.wishlists_with_product(),
        )
        return ctx

    def wishlists_with_product(self) -> list:
        """The signed-in shopper's wish lists that hold this product (one query; none signed out)."""
        if not self.request.user.is_authenticated:
            return []
        lists = WishList.objects.filter(owner=self.request.user, lines__product=self.object)
        return list(lists.distinct().order_by("date_created"))
