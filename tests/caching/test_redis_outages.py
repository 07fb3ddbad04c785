"""Redis refusing or silent: every page still answers, a page waits for Redis at most once per
interval (shop.redis_cache's breaker), the outage is logged once per interval with a count and no
traceback, signing in and checking out work from the database, and caching resumes by itself."""

import logging
import re
import threading
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from oscar.core.loading import get_model

from shop import redis_cache
from shop.pagecache import builds
from tests.factories import merch
from tests.redis_standin import RedisStandIn, redis_is_reachable, refused_port
from tests.shopping import add_to_basket, card, place_order, to_payment_step

from .conftest import get, is_hit

Order = get_model("order", "Order")

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]

BYPASS_SECONDS = 5
PASSWORD = "moonlit-ronin-fan-club"


class Clock:
    """The breaker's clock, moved by the test instead of waiting."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def redis_at(settings, clock):
    """Point the shared cache at a Redis port, as production configures it (sessions cached_db);
    returns the breaker for that server."""
    redis_cache.forget_breakers()
    settings.SESSION_ENGINE = "shop.sessions.cached_db"

    def use(port: int) -> redis_cache.Breaker:
        settings.CACHES = {
            "default": {
                "BACKEND": "shop.redis_cache.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/4",
                "KEY_PREFIX": f"outage-test-{uuid.uuid4().hex}",
                "OPTIONS": {
                    "IGNORE_EXCEPTIONS": True,
                    "SOCKET_CONNECT_TIMEOUT": 0.2,
                    "SOCKET_TIMEOUT": 0.2,
                    "BYPASS_SECONDS": BYPASS_SECONDS,
                },
            }
        }
        cache.breaker.clock = clock
        cache.breaker.run_probe = lambda probe: probe()  # in the request: its waits are counted
        return cache.breaker

    yield use
    if not cache.breaker.is_open:
        cache.delete_pattern("*")  # this test's keys in the real Redis (db 4)
    redis_cache.forget_breakers()


@pytest.fixture
def silent_redis():
    with RedisStandIn() as standin:
        yield standin


@pytest.fixture
def waits_for_builds(monkeypatch):
    """Each time a page waited for another request's build (shop.pagecache.builds)."""
    waits = []
    monkeypatch.setattr(builds.time, "sleep", waits.append)
    return waits


@pytest.fixture
def pages(db):
    pin = merch("Cheeky Pink-Haired Anime Girl Enamel Pin", price="12.50", stock=5)
    return pin, [reverse("home"), reverse("catalogue:index"), pin.get_absolute_url(), "/basket/"]


def outage_records(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == redis_cache.__name__]


def assert_no_tracebacks(caplog):
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []


def browse(client, urls):
    for url in urls:
        get(client, url)  # asserts 200


def test_a_silent_redis_is_waited_for_once_per_interval_and_logged_once_with_counts(
    client, redis_at, silent_redis, pages, clock, caplog, waits_for_builds
):
    pin, urls = pages
    breaker = redis_at(silent_redis.port)
    caplog.set_level(logging.WARNING)
    add_to_basket(client, pin)

    browse(client, urls)
    browse(client, urls)

    # The first call waited for its timeout; every other call skipped Redis, and no page waited
    # for a build that nobody could share.
    assert silent_redis.waited == 1
    assert breaker.is_open and breaker.bypassed > 20
    assert waits_for_builds == []
    [began] = outage_records(caplog)
    assert began.startswith("Redis cache not answering (TimeoutError")

    clock.advance(BYPASS_SECONDS)
    browse(client, urls)

    assert silent_redis.waited == 2  # one try for the new interval
    records = outage_records(caplog)
    assert len(records) == 2
    skipped = int(re.search(r"1 calls failed and (\d+) bypassed", records[1]).group(1))
    assert skipped > 20
    assert_no_tracebacks(caplog)


def test_a_refusing_redis_is_bypassed_and_logged_once(client, redis_at, pages, caplog):
    pin, urls = pages
    breaker = redis_at(refused_port())
    caplog.set_level(logging.WARNING)
    add_to_basket(client, pin)

    browse(client, urls)

    assert breaker.is_open and breaker.bypassed > 20
    [began] = outage_records(caplog)
    assert began.startswith("Redis cache not answering (ConnectionError")
    assert_no_tracebacks(caplog)


def test_shoppers_sign_in_while_redis_is_silent(
    client, redis_at, silent_redis, django_user_model, caplog
):
    django_user_model.objects.create_user("yuki", "yuki@example.com", PASSWORD)
    redis_at(silent_redis.port)

    response = client.post(
        reverse("customer:login"),
        {"login-username": "yuki@example.com", "login-password": PASSWORD, "login_submit": "1"},
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session  # kept in the database (cached_db)
    profile = client.get(reverse("customer:profile-view"))
    assert profile.status_code == 200 and b"yuki@example.com" in profile.content
    assert silent_redis.waited == 1
    assert_no_tracebacks(caplog)


def test_a_guest_checks_out_while_redis_is_silent(
    client, redis_at, silent_redis, pages, stripe_sim, sim_client, caplog
):
    pin, _urls = pages
    redis_at(silent_redis.port)

    to_payment_step(client, pin)  # the checkout's steps kept in the session, in the database
    response = place_order(client, card(sim_client))

    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.guest_email == "fan@example.com" and order.status == "Paid"
    assert silent_redis.waited == 1
    assert_no_tracebacks(caplog)


@pytest.mark.skipif(not redis_is_reachable(), reason="Redis is not reachable at 127.0.0.1:6379")
def test_caching_resumes_by_itself_when_redis_answers_again(
    client, redis_at, silent_redis, pages, clock, caplog
):
    _pin, urls = pages
    breaker = redis_at(silent_redis.port)
    caplog.set_level(logging.WARNING)
    page = urls[1]
    assert not is_hit(get(client, page)[0])
    assert breaker.is_open

    silent_redis.silent = False  # the real Redis behind the same address
    clock.advance(BYPASS_SECONDS)
    get(client, page)

    assert not breaker.is_open
    assert outage_records(caplog)[-1].startswith("Redis cache answering again after 5 s")
    assert is_hit(get(client, page)[0])
    assert silent_redis.waited == 1


def test_calls_failing_together_make_one_record_and_one_call_tries_again(caplog):
    clock = Clock()
    breaker = redis_cache.Breaker(bypass_seconds=BYPASS_SECONDS, clock=clock)
    caplog.set_level(logging.WARNING)

    breaker.failed_with(TimeoutError("no reply"))  # two threads' calls in flight as Redis went
    breaker.failed_with(TimeoutError("no reply"))
    assert not breaker.allows_call()
    clock.advance(BYPASS_SECONDS)
    tries = [breaker.allows_call(), breaker.allows_call()]  # the second while the first tries
    breaker.failed_with(TimeoutError("no reply"))

    assert tries == [True, False]
    assert outage_records(caplog)[1:] == [
        "Redis cache still not answering (TimeoutError: no reply) after 5 s: "
        "2 calls failed and 2 bypassed since the last report"
    ]
    assert len(outage_records(caplog)) == 2


def test_after_an_interval_redis_is_asked_again_from_a_thread_of_its_own_not_by_a_request():
    clock = Clock()
    breaker = redis_cache.Breaker(bypass_seconds=BYPASS_SECONDS, clock=clock)
    answered = threading.Event()
    asked_from = []

    def ping():
        asked_from.append(threading.current_thread())
        if not answered.wait(5):
            raise TimeoutError("no reply")

    breaker.probe = ping
    breaker.failed_with(TimeoutError("no reply"))
    clock.advance(BYPASS_SECONDS)

    # The call that ends the interval, and those while Redis is being asked, skip it at once.
    assert [breaker.allows_call(), breaker.allows_call()] == [False, False]
    assert breaker.is_open
    answered.set()
    [prober] = asked_from
    prober.join(5)

    assert prober is not threading.current_thread()
    assert not breaker.is_open and breaker.allows_call()
