"""While one request builds a cached part, others for it wait for that build or take the previous
version: the part is never built twice at once (shop.pagecache.builds)."""

import threading

import pytest

from catalogue import generations
from shop.pagecache import builds, listings

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


def test_a_second_request_waits_for_the_first_build(waiting):
    build = SlowBuild(["built once"])
    results = {}
    first = in_thread(lambda: listings.remember("test:one", TAGS, build), results, "first")
    assert build.started.wait(30)
    second = in_thread(lambda: listings.remember("test:one", TAGS, build), results, "second")
    assert waiting.wait(30)

    build.release.set()
    first.join(30)
    second.join(30)

    assert build.calls == 1
    assert results == {"first": ["built once"], "second": ["built once"]}


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
