"""WSGI entry point (gunicorn shop.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

application = get_wsgi_application()

# What loading the shop made (Django, Oscar and our modules: some 140,000 objects) lives as long as
# the process. Python's full collections walked it all every time: 100-136 ms during which the
# worker answered nothing, about once a minute in each worker during `bench --drop` (26 ms at most
# once frozen). The collect first keeps the import's garbage out of the frozen set.
gc.collect()
gc.freeze()
