"""The shop's URLs plus the floor view: the in-process benchmark's URLconf, whatever the settings say."""

from shop import urls as shop_urls

from . import floor

# When SHOP_BENCH_FLOOR is on, shop.urls has the floor already; the first match wins either way.
urlpatterns = [*shop_urls.urlpatterns, floor.route()]
