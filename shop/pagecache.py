"""Whole pages cached for shoppers who are not signed in, and thrown away as soon as anything shown
on them changes.

Storefront and blog pages look the same for every anonymous shopper with the same basket count
and the same content choices, apart from the CSRF token in their forms. So the finished HTML is
kept per page, basket count and choices, with the token cut out; a hit puts the visitor's own
token back and costs no query beyond the session. Prices and stock are on these pages, so any
change to the catalogue, a stock record or a post starts a new generation of every page (signals
connected in shop.apps): a price change is visible on the next request. So does the moment a
scheduled post goes live.

The pages: `CACHED_VIEWS`, by URL name, so the apps serving them need not know about this.
A hit runs no view, so a product page's entry keeps the product's id and the hit counts the view
Oscar's analytics would have (catalogue.view_counts).
"""

from __future__ import annotations

import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import timezone

from catalogue import view_counts
from catalogue.consent import consent_for

CACHED_VIEWS = frozenset(
    {
        "home",
        "catalogue:index",
        "catalogue:category",
        "catalogue:franchise",
        "catalogue:detail",
        "search:search",
        "blog:index",
        "blog:detail",
        "blog:tag",
        "blog:category",
    }
)
GENERATION_KEY = "shop:pages:generation"
SCHEDULE_KEY = "shop:pages:next-scheduled-post"
TIMEOUT = 10 * 60
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"\x00csrf\x00"


def generation(*, with_schedule: bool = True) -> int:
    """The current generation of pages; a new one starts when a scheduled post goes live.

    Caches of catalogue data alone (shop.search) pass `with_schedule=False`: posts going live
    do not change them, and they are spared the query that finds the next one.
    """
    found = cache.get_many([GENERATION_KEY, SCHEDULE_KEY])
    value, due = found.get(GENERATION_KEY), found.get(SCHEDULE_KEY)
    if value is not None and not with_schedule:
        return value
    now = timezone.now().timestamp()
    if value is not None and due is not None and not (due and now >= due):
        return value
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
    elif due:  # a post scheduled for now is live: pages listing posts must show it
        cache.set(GENERATION_KEY, time.time_ns(), None)
    if with_schedule:
        cache.set(SCHEDULE_KEY, _next_scheduled_post(), None)
    return cache.get(GENERATION_KEY, 0)


def remember(name: str, compute):
    """`compute()` for catalogue data, kept until the catalogue changes (this generation)."""
    value = recall(name)
    if value is None:
        value = compute()
        keep(name, value)
    return value


def recall(name: str):
    return cache.get(_part_key(name))


def keep(name: str, value) -> None:
    cache.set(_part_key(name), value, TIMEOUT)


def _part_key(name: str) -> str:
    return f"shop:part:{generation(with_schedule=False)}:{name}"


def forget_all_pages(**kwargs) -> None:
    """A signal receiver: something shown on pages changed, so every cached page is stale."""
    cache.set(GENERATION_KEY, time.time_ns(), None)
    cache.delete(SCHEDULE_KEY)  # the change may have been to a schedule


def _next_scheduled_post() -> float:
    """When the next scheduled post goes live (a timestamp), or 0 if none is scheduled."""
    from blog.models import Post

    due = Post.objects.filter(
        status=Post.Status.PUBLISHED, published_at__gt=timezone.now()
    ).aggregate(first=Min("published_at"))["first"]
    return due.timestamp() if due else 0


class PageCacheMiddleware:
    """Serves and stores cached pages; sits after the session, auth, CSRF and basket middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self.key_for(request)
        if key is None:
            return self.get_response(request)
        stored = cache.get(key)
        if stored is not None:
            content_type, body, product_id = stored
            if product_id is not None:
                view_counts.count_view(product_id)
            return self.replay(request, content_type, body)
        response = self.get_response(request)
        if self.storable(response):
            body = CSRF_FIELD.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
            cache.set(key, (response["Content-Type"], body, _product_shown(request)), TIMEOUT)
        return response

    def key_for(self, request) -> str | None:
        if not settings.SHOP_PAGE_CACHE:
            return None
        if request.method not in ("GET", "HEAD") or not _opted_in(request.path_info):
            return None
        if request.user.is_authenticated or _has_messages(request):
            return None
        state = [
            request.get_host(),
            request.scheme,
            request.get_full_path(),
            str(request.basket_badge.num_items),
            consent_for(request).vary_key,
        ]
        digest = hashlib.sha256("\n".join(state).encode()).hexdigest()
        # "v2": entries carry the product id; a deploy must not read the old pairs (or they the new).
        return f"shop:page:v2:{generation()}:{digest}"

    @staticmethod
    def storable(response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            # Oscar's recently-viewed cookie is not replayed (the shop shows no history);
            # any other cookie a view sets means the page is not the same for everyone.
            and set(response.cookies) <= {settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME}
            and "private" not in response.get("Cache-Control", "")
            and response.get("Content-Type", "").startswith("text/html")
        )

    @staticmethod
    def replay(request, content_type: str, body: bytes):
        from django.http import HttpResponse

        if CSRF_PLACEHOLDER in body:
            body = body.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(body, content_type=content_type)
        response["X-Page-Cache"] = "hit"
        return response


def _product_shown(request) -> int | None:
    """The product a cached page shows: a 200 from catalogue:detail shows the product in its URL
    (Oscar redirects a wrong slug or a variant's URL)."""
    match = request.resolver_match
    if match is not None and match.view_name == "catalogue:detail":
        return int(match.kwargs["pk"])
    return None


def _opted_in(path: str) -> bool:
    try:
        return resolve(path).view_name in CACHED_VIEWS
    except Resolver404:
        return False


def _has_messages(request) -> bool:
    # A pending "Added to your basket" belongs to this visitor's next page only.
    return bool(
        request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
        or request.session.get("_messages")
    )
