"""While one request builds a cached part or page, others for it wait for that build or take the
previous version, if it was known current a moment ago: it is never built twice at once
(shop.pagecache.builds)."""

import threading
import time as real_time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue import generations
from shop.order.utils import allocate
from shop.pagecache import builds, listings, middleware
from shop.stock import save_stock_edit
from tests.commits import commits
from tests.factories import merch

StockRecord = get_model("partner", "StockRecord")

TAGS = {generations.ALL_LISTINGS}

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]  # the cache starts empty


class SlowBuild:
    """A compute() that holds until released, counting how often it runs."""

    def __init__(self, value):
        self.value = value
        self.calls = 0
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self):
        self.calls += 1
        self.started.set()
        assert self.release.wait(30)
        return self.value


@pytest.fixture
def waiting(monkeypatch):
    """Set once a request is waiting for another's build; the wait is long enough for any load."""
    waiting = threading.Event()
    real_sleep = builds.time.sleep

    def sleep(seconds):
        waiting.set()
        real_sleep(seconds)

    monkeypatch.setattr(builds.time, "sleep", sleep)
    monkeypatch.setattr(builds, "WAIT", 30)
    return waiting


def in_thread(target, results, name):
    thread = threading.Thread(target=lambda: results.__setitem__(name, target()))
    thread.start()
    return thread


def second_waits_for_first(name: str, build: SlowBuild, waiting) -> dict:
    """Two requests for the part: the first builds it, the second waits for that build. What
    each got."""
    results = {}
    first = in_thread(lambda: listings.remember(name, TAGS, build), results, "first")
    assert build.started.wait(30)
    second = in_thread(lambda: listings.remember(name, TAGS, build), results, "second")
    assert waiting.wait(30)

    build.release.set()
    first.join(30)
    second.join(30)
    return results


def test_a_second_request_waits_for_the_first_build(waiting):
    build = SlowBuild(["built once"])

    results = second_waits_for_first("test:one", build, waiting)

    assert build.calls == 1
    assert results == {"first": ["built once"], "second": ["built once"]}


@commits
def test_during_a_rebuild_others_get_the_previous_version(waiting):
    listings.remember("test:two", TAGS, lambda: ["old"])
    generations.bump(TAGS)  # the part is stale now
    build = SlowBuild(["new"])
    results = {}
    first = in_thread(lambda: listings.remember("test:two", TAGS, build), results, "first")
    assert build.started.wait(30)

    during = listings.remember("test:two", TAGS, build)  # no wait: the previous version
    build.release.set()
    first.join(30)

    assert during == ["old"] and not waiting.is_set()
    assert build.calls == 1
    assert listings.remember("test:two", TAGS, build) == ["new"]


def test_a_build_that_stores_nothing_lets_the_waiter_build(waiting, monkeypatch):
    """A page that may not be kept (it set a cookie): the waiter builds once the lock is gone."""
    results = {}
    gate = SlowBuild("rendered")
    first = in_thread(lambda: builds.build_once("test:three", gate), results, "first")
    assert gate.started.wait(30)
    second = in_thread(lambda: builds.build_once("test:three", gate), results, "second")
    assert waiting.wait(30)

    gate.release.set()
    first.join(30)
    second.join(30)

    assert gate.calls == 2 and results == {"first": "rendered", "second": "rendered"}


def age(name: str, seconds: float) -> None:
    """As if the part under `name` had been built `seconds` earlier."""
    key = f"shop:part:{name}"
    stamp, built_at, value = cache.get(key)
    cache.set(key, (stamp, built_at - seconds, value), None)


@commits
def test_a_rebuild_of_a_part_nobody_saw_lately_is_waited_for(waiting):
    """Built a minute ago and not found current since: it may be a minute behind, so not served."""
    listings.remember("test:cold", TAGS, lambda: ["old"])
    age("test:cold", 60)
    generations.bump(TAGS)
    build = SlowBuild(["new"])

    results = second_waits_for_first("test:cold", build, waiting)

    assert results == {"first": ["new"], "second": ["new"]} and build.calls == 1


@commits
def test_a_part_found_current_just_before_a_change_is_served_during_its_rebuild(waiting):
    """However long ago it was built: a hit a moment ago says it was current then."""
    listings.remember("test:hot", TAGS, lambda: ["old"])
    age("test:hot", 60)
    assert listings.remember("test:hot", TAGS, SlowBuild(["unused"])) == ["old"]  # a hit
    generations.bump(TAGS)
    build = SlowBuild(["new"])
    results = {}
    first = in_thread(lambda: listings.remember("test:hot", TAGS, build), results, "first")
    assert build.started.wait(30)

    during = listings.remember("test:hot", TAGS, build)
    build.release.set()
    first.join(30)

    assert during == ["old"] and not waiting.is_set()
    assert build.calls == 1 and results == {"first": ["new"]}


class Clock:
    """The middleware's `time`, a minute behind: the pages it builds are dated a minute ago."""

    def __init__(self, behind: float):
        self.behind = behind

    def time(self) -> float:
        return real_time.time() - self.behind

    def time_ns(self) -> int:
        return real_time.time_ns()


@pytest.fixture
def rebuilding_elsewhere(monkeypatch):
    """Another process holds every page's build lock: a stale page is served from its previous
    version, or waited for (briefly here) and then rendered."""
    add = builds.cache.add

    def add_unless_a_page_lock(key, *args, **kwargs):
        return False if key.startswith("build:shop:page:") else add(key, *args, **kwargs)

    monkeypatch.setattr(builds.cache, "add", add_unless_a_page_lock)
    monkeypatch.setattr(builds, "WAIT", 0.2)


@pytest.mark.parametrize("seen_since", [True, False], ids=["hit-since", "not-seen-since"])
@commits
def test_a_page_served_just_before_a_price_change_is_served_while_it_is_rebuilt(
    client, monkeypatch, seen_since, request
):
    pin = merch("Glow Pin", price="12.00")
    url = pin.get_absolute_url()
    monkeypatch.setattr(middleware, "time", Clock(behind=60))
    assert b"$12.00" in client.get(url).content  # built "a minute ago"
    monkeypatch.setattr(middleware, "time", real_time)
    if seen_since:
        assert client.get(url)["X-Page-Cache"] == "hit"

    record = StockRecord.objects.get(product=pin)
    record.price = Decimal("9.50")
    save_stock_edit(record, changed={"price"})
    request.getfixturevalue("rebuilding_elsewhere")
    during = client.get(url).content

    if seen_since:  # current a moment ago: behind the change by the rebuild's time at most
        assert b"$12.00" in during and b"$9.50" not in during
    else:  # not known current for a minute: never served as if it were
        assert b"$9.50" in during and b"$12.00" not in during


@commits
def test_a_page_rendered_with_a_previous_listing_part_is_not_kept(client, monkeypatch):
    last = merch("Last One Pin", stock=1)
    merch("Plenty Pin", stock=20)
    in_stock_only = reverse("catalogue:index") + "?in_stock=1"
    assert b"Last One Pin" in client.get(in_stock_only).content  # the page and its parts built

    allocate(StockRecord.objects.get(product=last), 1)  # its last unit: the listings change
    add = builds.cache.add
    elsewhere = {"rebuilding": True}  # another process is rebuilding every listing part

    def add_unless_a_part_lock(key, *args, **kwargs):
        if elsewhere["rebuilding"] and key.startswith("build:shop:part:"):
            return False
        return add(key, *args, **kwargs)

    monkeypatch.setattr(builds.cache, "add", add_unless_a_part_lock)
    during = client.get(in_stock_only).content
    elsewhere["rebuilding"] = False
    after = client.get(in_stock_only).content

    # During the rebuild the parts' previous versions (current a moment ago) fill the page; the
    # page made from them is not kept as if it were current.
    assert b"Last One Pin" in during
    assert b"Last One Pin" not in after and b"Plenty Pin" in after


@commits
def test_a_part_made_from_another_parts_previous_version_is_not_kept(monkeypatch):
    rows = {"inner": "before"}
    listings.remember("inner", TAGS, lambda: rows["inner"])
    generations.bump(TAGS)
    rows["inner"] = "after"
    add = builds.cache.add
    elsewhere = {"rebuilding": True}  # another process is rebuilding the inner part

    def add_unless_the_inner_lock(key, *args, **kwargs):
        if elsewhere["rebuilding"] and key == "build:shop:part:inner":
            return False
        return add(key, *args, **kwargs)

    def outer():
        return "made of " + listings.remember("inner", TAGS, lambda: rows["inner"])

    monkeypatch.setattr(builds.cache, "add", add_unless_the_inner_lock)
    with builds.noting_previous() as page_behind:  # as a page made from the outer part notes
        during = listings.remember("outer", TAGS, outer)
    elsewhere["rebuilding"] = False

    assert during == "made of before"
    assert page_behind == ["shop:part:inner"]  # the page made from it is not kept either
    assert listings.remember("outer", TAGS, outer) == "made of after"
