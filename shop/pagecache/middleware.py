"""Whole pages cached for shoppers who are not signed in, and thrown away as soon as anything shown
on them changes.

Storefront and blog pages look the same for every anonymous shopper with the same basket count
and the same content choice, apart from the CSRF token in their forms. So the finished HTML is
kept per page, basket count and choice (catalogue.consent's `vary_key`), with the token cut out;
a hit puts the visitor's own token back and costs no query beyond the session. Entries are keyed
on the whole-page generation (catalogue.generations.WHOLE_PAGES): any change to the catalogue, a
stock record or a post starts a new one, so a price change is visible on the next request. So
does the moment a scheduled post goes live.

The pages: `CACHED_VIEWS`, by URL name, so the apps serving them need not know about this.
A hit runs no view, so a product page's entry keeps the product's id and the hit counts the view
Oscar's analytics would have (catalogue.view_counts). A page whose inline script carries a
Content-Security-Policy nonce is never stored: the nonce is good for one response only.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import timezone

from blog.selectors import next_scheduled_at
from catalogue import view_counts
from catalogue.consent import consent_for
from catalogue.generations import WHOLE_PAGES

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
# (generation, timestamp): when the next scheduled post goes live, 0 if none; read with the
# generation in one cache round trip, and worked out again for each new generation.
SCHEDULE_KEY = "shop:pages:next-scheduled-post"
TIMEOUT = 10 * 60
# Query parameters no cached page is drawn from: `from` names the article a reader followed
# (blog.markup.attributed), `utm_*` a campaign. They must not split one page into many entries.
UNREAD_PARAMS = frozenset({"from"})
UNREAD_PREFIX = "utm_"
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"\x00csrf\x00"


def page_generation() -> int:
    """The whole-page generation, after starting a new one if a scheduled post has gone live."""
    found = cache.get_many([WHOLE_PAGES.key, SCHEDULE_KEY])
    generation = found.get(WHOLE_PAGES.key) or WHOLE_PAGES.current()
    schedule = found.get(SCHEDULE_KEY)
    if schedule is not None and schedule[0] == generation:
        due = schedule[1]
        if not (due and timezone.now().timestamp() >= due):
            return generation
        WHOLE_PAGES.bump()  # a post scheduled for now is live: pages listing posts must show it
        generation = WHOLE_PAGES.current()
    due = next_scheduled_at()
    cache.set(SCHEDULE_KEY, (generation, due.timestamp() if due else 0), None)
    return generation


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
        if self.storable(response) and not _used_a_nonce(request):
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
            _page_address(request),
            str(request.basket_badge.num_items),
            consent_for(request).vary_key,
        ]
        digest = hashlib.sha256("\n".join(state).encode()).hexdigest()
        # "v2": entries carry the product id; a deploy must not read the old pairs (or they the new).
        return f"shop:page:v2:{page_generation()}:{digest}"

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
        if CSRF_PLACEHOLDER in body:
            body = body.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(body, content_type=content_type)
        response["X-Page-Cache"] = "hit"
        return response


def _used_a_nonce(request) -> bool:
    """Whether the page let an inline script run with its Content-Security-Policy nonce: a replay
    is sent with a fresh policy, which would not allow the stored one (shop.browser_policy).
    django-csp's lazy `csp_nonce` is true once something read it."""
    return bool(getattr(request, "csp_nonce", None))


def _product_shown(request) -> int | None:
    """The product a cached page shows: a 200 from catalogue:detail shows the product in its URL
    (Oscar redirects a wrong slug or a variant's URL)."""
    match = request.resolver_match
    if match is not None and match.view_name == "catalogue:detail":
        return int(match.kwargs["pk"])
    return None


def _page_address(request) -> str:
    kept = [
        (name, value)
        for name, values in request.GET.lists()
        if name not in UNREAD_PARAMS and not name.startswith(UNREAD_PREFIX)
        for value in values
    ]
    return f"{request.path}?{urlencode(kept)}" if kept else request.path


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
