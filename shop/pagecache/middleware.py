"""Whole pages cached for shoppers who are not signed in, and thrown away as soon as anything shown
on them changes.

Storefront and blog pages look the same for every anonymous shopper with the same basket count
and the same content choice, apart from the CSRF token in their forms. So the finished HTML is
kept per page, basket count and choice (catalogue.consent's `vary_key`), with the token cut out;
a hit puts the visitor's own token back and costs no query beyond the session. Each entry keeps
the versions of the cache tags its page read while it rendered (catalogue.generations: the
products shown, the listing, the taxonomy, the blog), and is served only while they stand: a
price change is visible on the next request, while a sale that changes nothing shown keeps it.
Stock words and the purchase controls that follow them are cut out of the stored page and filled
on every response, hit or miss (catalogue.stock_slots): a sale that only changes them keeps it.
A scheduled post going live bumps the blog and the products it features.

Entries live in the shared cache, and the most used also in this process (`local`); either is
checked against the shared tag versions first, in one round trip. A missing or stale page is
rendered by one request at a time (`builds.build_once`).

The pages: `CACHED_VIEWS`, by URL name, so the apps serving them need not know about this.
A hit runs no view, so an entry keeps what its render counted (a product's view, an article's:
catalogue.view_counts `recording`) and each hit counts it again. A page whose inline script carries a
Content-Security-Policy nonce is never stored: the nonce is good for one response only.
"""

from __future__ import annotations

import hashlib
import re
import time
from contextlib import nullcontext
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import timezone
from oscar.core.loading import get_class

from blog.models import PostProduct
from blog.selectors import next_scheduled_at
from catalogue import generations, stock_slots, view_counts
from catalogue.consent import consent_for
from shop import replicas

from . import local
from .builds import build_once, confirmed, noting_previous, store

Selector = get_class("partner.strategy", "Selector")

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
        "glossary:index",
        "glossary:detail",
    }
)
# (blog tag version, timestamp): when the next scheduled post goes live, 0 if none; read with the
# tag versions in one cache round trip, and worked out again for each version of the blog.
SCHEDULE_KEY = "shop:pages:next-scheduled-post"
# What every cached page shows besides what its views read: the taxonomy's names (the menu, the
# facets, the breadcrumbs, the warning names); the blog, on the blog's pages; and the glossary
# with the blog (its entries list the articles that use a term), on the glossary's.
PAGE_TAGS = frozenset({generations.TAXONOMY})
BLOG_TAGS = frozenset({generations.TAXONOMY, generations.BLOG})
GLOSSARY_TAGS = BLOG_TAGS | {generations.GLOSSARY}
TIMEOUT = 10 * 60
# Query parameters no cached page is drawn from: `from` (article links elsewhere may carry it) and
# `utm_*` (a campaign) say where a visitor came from. They must not split one page into many entries.
UNREAD_PARAMS = frozenset({"from"})
UNREAD_PREFIX = "utm_"
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"\x00csrf\x00"


COUNTED = ("hit", "built", "waited", "stale", "stock-read")


def count_key(outcome: str, path: str) -> str:
    return f"shop:pages:count:{outcome}:{path}"


def count(outcome: str, request) -> None:
    """With `SHOP_PAGE_CACHE_COUNTS` (the benchmark's settings), count how the pages at the
    request's path were served (`COUNTED`: a fresh hit, a render, a wait for another's render, a
    previous version during a rebuild, a hit that read stock again) in the shared cache, across
    workers: per path, so that a page's figures are its own, not also those of the product pages
    shoppers open meanwhile."""
    if not settings.SHOP_PAGE_CACHE_COUNTS:
        return
    key = count_key(outcome, request.path)
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 1, None)


def current_versions(tags, *, also=()) -> tuple[dict, dict] | None:
    """The versions of these tags and the values of the keys `also` names, or None when a
    scheduled post went live just now (its bump makes what was read stale). One cache round
    trip, the schedule read with the tags."""
    now, found = generations.versions({*tags, generations.BLOG}, also=[SCHEDULE_KEY, *also])
    schedule = found.get(SCHEDULE_KEY)
    if schedule is not None and schedule[0] == now[generations.BLOG]:
        due = schedule[1]
        if not (due and timezone.now().timestamp() >= due):
            return now, found
        publish_due_posts(since=due)
        now, _ = generations.versions([generations.BLOG])
        remember_schedule(now[generations.BLOG])
        return None
    remember_schedule(now[generations.BLOG])
    return now, found


def publish_due_posts(*, since: float) -> None:
    """Posts scheduled from `since` are live now: the blog and the products they feature change."""
    went_live = PostProduct.objects.filter(
        post__published_at__gte=datetime.fromtimestamp(since, UTC),
        post__published_at__lte=timezone.now(),
    ).values_list("product_id", flat=True)
    generations.bump({generations.BLOG} | generations.product_tags(*went_live))


def remember_schedule(blog_version) -> None:
    due = next_scheduled_at()
    cache.set(SCHEDULE_KEY, (blog_version, due.timestamp() if due else 0), None)


class PageCacheMiddleware:
    """Serves and stores cached pages; sits after the session, auth, CSRF and basket middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self.key_for(request)
        if key is None:
            return self.get_response(request)
        stored, checked = self.lookup(key)
        if checked is not None:
            count("hit", request)
            confirmed(key, stored[1])
            return self.serve(request, stored, checked)
        return build_once(
            key,
            # A page kept before and stale now shows something that just changed: a replica
            # may not have replayed that change yet, so it is rendered on the primary.
            lambda: self.render(request, key, from_replica=stored is None),
            ready=lambda: self.ready(request, key),
            previous=(lambda: self.serve(request, stored)) if stored is not None else None,
            previous_built_at=stored[1] if stored is not None else 0.0,
        )

    def lookup(self, key: str) -> tuple[tuple | None, tuple[dict, dict] | None]:
        """The entry for `key` and, when every tag it read still has the version it saw, those
        versions and its products' kept stock states (`check`): from this process's layer, else
        from the shared cache (then kept here for next time)."""
        stored = local.get(key)
        if stored is not None:
            checked = self.check(stored)
            if checked is not None:
                return stored, checked
            local.drop(key)
        stored = cache.get(key)
        if stored is not None:
            checked = self.check(stored)
            if checked is not None:
                local.put(key, stored, len(stored[3]))
                return stored, checked
        return stored, None

    @staticmethod
    def check(stored) -> tuple[dict, dict] | None:
        """The current tag versions and stock states for an entry, in one round trip, or None
        when the entry is stale."""
        stamp, punched = stored[0], stored[5]
        tags, keys = stock_slots.tags_and_keys(punched[1]) if punched else (set(), [])
        checked = current_versions({*stamp, *tags}, also=keys)
        if checked is None or not generations.is_current(stamp, checked[0]):
            return None
        return checked

    def ready(self, request, key: str):
        stored, checked = self.lookup(key)
        if checked is None:
            return None
        count("waited", request)
        return self.serve(request, stored, checked)

    def render(self, request, key: str, *, from_replica: bool = False):
        count("built", request)
        started = time.time_ns()
        with (
            replicas.reading() if from_replica else nullcontext(replicas.Reading()) as read,
            generations.collecting() as tags,
            stock_slots.punching() as punch,
            view_counts.recording() as counted,
            noting_previous() as behind,
        ):
            response = self.get_response(request)
        if read.failed:  # the replica went away mid-render
            return self.render(request, key)
        rendered = response.content if not response.streaming else b""
        if punch.slots and not response.streaming:
            # This response shows the words its render saw; the entry keeps the slots.
            response.content = _filled(rendered, punch.token, punch.slots, punch.states)
        # A page made from a listing part's previous version (rebuilt elsewhere meanwhile) is
        # as far behind as that part: served, not kept.
        if self.storable(response) and not behind and not _used_a_nonce(request):
            # What a replica returned may be as old as the moment it was last known current.
            read_as_of = started if read.as_of_ns is None else min(started, read.as_of_ns)
            page_tags = tags | _page_tags(request)
            # The page's stamp and its stock states' versions, in one round trip.
            now, _ = generations.versions(page_tags | stock_slots.state_tags(punch.states))
            stamp = generations.stamp_after(page_tags, started_ns=read_as_of, read=now)
            if stamp is not None:
                punched = None
                if punch.slots:
                    punched = (punch.token, tuple(_without_token(slot) for slot in punch.slots))
                    stock_slots.remember(punch.states, started_ns=started, now=now)
                body = _without_csrf(rendered)
                entry = (
                    stamp,
                    time.time(),
                    response["Content-Type"],
                    body,
                    tuple(counted),
                    punched,
                )
                store(key, entry, TIMEOUT)
                local.put(key, entry, len(body))
        return response

    def serve(self, request, stored, checked=None):
        _stamp, _built_at, content_type, body, counted, punched = stored
        view_counts.replay(counted)
        if punched:
            token, slots = punched
            if checked is None:  # a previous version, served while it is rebuilt
                count("stale", request)
                tags, keys = stock_slots.tags_and_keys(slots)
                checked = generations.versions(tags, also=keys)
            now, found = checked
            strategy = getattr(request, "strategy", None) or Selector().strategy(request)
            states = stock_slots.states_for(
                slots, now, found, strategy=strategy, on_read=lambda: count("stock-read", request)
            )
            body = _filled(body, token, slots, states)
        return self.replay(request, content_type, body)

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
        # "v5": entries carry their tag versions, stock slots and what their render counted; a
        # deploy must not read older ones (or they these).
        return f"shop:page:v5:{digest}"

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


def _without_csrf(body: bytes) -> bytes:
    return CSRF_FIELD.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", body)


def _without_token(slot: stock_slots.Slot) -> stock_slots.Slot:
    """The slot as kept: with the CSRF token cut out of its forms, as the page's."""

    def cut(text: str) -> str:
        return _without_csrf(text.encode()).decode()

    return replace(slot, available=cut(slot.available), sold_out=cut(slot.sold_out))


def _filled(body: bytes, token, slots, states) -> bytes:
    return stock_slots.fill(body.decode(), token, tuple(slots), states).encode()


def _used_a_nonce(request) -> bool:
    """Whether the page let an inline script run with its Content-Security-Policy nonce: a replay
    is sent with a fresh policy, which would not allow the stored one (shop.browser_policy).
    django-csp's lazy `csp_nonce` is true once something read it."""
    return bool(getattr(request, "csp_nonce", None))


def _page_tags(request) -> frozenset[str]:
    match = request.resolver_match
    if match is not None and match.view_name.startswith("blog:"):
        return BLOG_TAGS
    if match is not None and match.view_name.startswith("glossary:"):
        return GLOSSARY_TAGS
    return PAGE_TAGS


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
