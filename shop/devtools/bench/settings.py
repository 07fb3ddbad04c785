"""The shop's settings, routed through the benchmark's URLconf (the shop's URLs plus the floor):
what `manage.py bench --load` and `--drop` run gunicorn with, next to DEBUG=0 and the other
production values."""

import os

from shop.settings import *  # noqa: F403 -- every setting as production has it

ROOT_URLCONF = "shop.devtools.bench.urls"

# `bench --drop` places real orders with DEBUG off: they pay through the Stripe simulator it
# serves at STRIPE_SIMULATOR_URL (shop/devtools/bench/drop.py), never through Stripe.
if os.environ.get("SHOP_BENCH_STRIPE_SIMULATOR") == "1":
    STRIPE_MODE = "simulator"

# How the page cache served each phase's pages (shop.pagecache.middleware.count), read by
# `bench --drop` from the shared cache.
SHOP_PAGE_CACHE_COUNTS = True
