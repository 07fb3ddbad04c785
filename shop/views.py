"""Shop-wide pages: the home page and robots.txt."""

from django.db import transaction
from django.db.models import OuterRef
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe
from oscar.core.loading import get_model

from catalogue import facet_counts, generations
from catalogue import selectors as tiles
from shop.pagecache import listings
from shop.search import selectors

Category = get_model("catalogue", "Category")
Franchise = get_model("catalogue", "Franchise")

NEW_ARRIVALS = 8
FRANCHISES_SHOWN = 12


@transaction.non_atomic_requests  # read-only: no transaction
@require_safe
def home(request):
    found = listings.remember("home", {generations.ALL_LISTINGS, generations.TAXONOMY}, home_picks)
    new_arrivals = tiles.tiles_in_order(found["new_arrivals"])
    tiles.load_tile_extras(new_arrivals)
    return render(
        request,
        "shop/home.html",
        {
            "new_arrivals": new_arrivals,
            "shop_categories": Category.objects.get_root_nodes().filter(is_public=True),
            "franchises": found["franchises"],
        },
    )


def home_picks() -> dict:
    """What the home page picks from the whole catalogue: slow on a big one, so kept a while."""
    newest = selectors.sorted_by(tiles.listed_products(), "newest")
    return {
        "new_arrivals": list(newest.values_list("pk", flat=True)[:NEW_ARRIVALS]),
        # Only series with something to sell, most stocked first.
        "franchises": list(
            Franchise.objects.annotate(n=facet_counts.listed_in_franchise(OuterRef("pk")))
            .filter(n__gt=0)
            .order_by("-n", "name")[:FRANCHISES_SHOWN]
        ),
    }


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that link no icon (the Django admin)."""
    return HttpResponsePermanentRedirect(static("shop/img/favicon.svg"))


@require_safe
def robots_txt(request):
    # Not the admin: its path is kept out of sight (settings.ADMIN_URL), and its pages say noindex.
    private = ["/basket/", "/checkout/", "/accounts/", "/dashboard/", "/search/"]
    # An article's links to products count clicks (blog.attribution): crawlers would inflate them,
    # and they find the products through the sitemap and the catalogue.
    private.append("/blog/*/to/")
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in private)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
