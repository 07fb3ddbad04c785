"""The shop's settings, routed through the benchmark's URLconf (the shop's URLs plus the floor):
what `manage.py bench --load` runs gunicorn with, next to DEBUG=0 and the other production values."""

from shop.settings import *  # noqa: F403 -- every setting as production has it

ROOT_URLCONF = "shop.devtools.bench.urls"
