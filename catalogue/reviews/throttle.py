"""How many reviews one shopper may send: SHOP_REVIEWS_PER_HOUR per account and per address.

Counted in the cache, per clock hour, for every review saved. The address is the one the login
throttle counts (settings.AXES_CLIENT_IP_CALLABLE reads it through TRUSTED_PROXY_COUNT proxies),
so a forged X-Forwarded-For starts no fresh count.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

WINDOW_SECONDS = 60 * 60
KEY_PREFIX = "reviews:sent"


def _keys(request) -> list[str]:
    window = int(time.time() // WINDOW_SECONDS)
    keys = []
    address = import_string(settings.AXES_CLIENT_IP_CALLABLE)(request)
    if address:
        keys.append(f"{KEY_PREFIX}:ip:{address}:{window}")
    if request.user.is_authenticated:
        keys.append(f"{KEY_PREFIX}:user:{request.user.pk}:{window}")
    return keys


def is_over_limit(request) -> bool:
    """Whether this shopper has already sent as many reviews as an hour allows."""
    sent = cache.get_many(_keys(request))
    return any(count >= settings.SHOP_REVIEWS_PER_HOUR for count in sent.values())


def count_review(request) -> None:
    for key in _keys(request):
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, WINDOW_SECONDS)
