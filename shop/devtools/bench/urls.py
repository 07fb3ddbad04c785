"""The benchmark's URLconf: the shop's URLs plus the floor page. The in-process run and the
gunicorn of `--load` (through shop.devtools.bench.settings) route with it; shop.urls never does."""

from shop import urls as shop_urls

from . import floor

urlpatterns = [*shop_urls.urlpatterns, floor.route()]
