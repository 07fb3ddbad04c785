"""Product views with a shared Redis: each view is one increment in Redis, from whichever app
server counted it, and the task workers' periodic job adds them to ProductRecord.num_views once,
whatever kills it on the way. Redis down: the page still answers and the view is counted in the
process, as without Redis (catalogue.view_counts)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalogue import view_counts
from shop import redis_cache
from shop.worker import jobs, periodic
from tests.catalogue.viewing import REDIS_DB, shared_cache, view, views_of
from tests.factories import merch
from tests.redis_standin import RedisStandIn, refused_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The worker's process ending where it stands (SIGKILL): no handler runs, the database's
    transaction is rolled back."""


def killed(*args, **kwargs):
    raise Killed


@pytest.fixture
def redis_down(settings):
    def at(port: int):
        shared_cache(settings, port)
        cache.breaker.run_probe = lambda probe: probe()  # in the test's thread: its waits count
        return cache.breaker

    yield at
    redis_cache.forget_breakers()


def count_in_another_process(product_id: int, *, prefix: str) -> None:
    """An app server of its own, configured by the environment as in production, counts a view."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "CACHE_KEY_PREFIX": prefix,
        "DEBUG": "1",
    }
    script = (
        "import django; django.setup(); "
        "from catalogue import view_counts; "
        f"view_counts.count_view({product_id}); "
        "assert not view_counts.product_views.counter.pending(), 'counted in memory'"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=120)


def test_views_counted_by_two_processes_reach_num_views_after_one_write(client, redis):
    pin = merch("Shared Pin")
    view(client, pin)
    view(client, pin)
    count_in_another_process(pin.pk, prefix=redis)

    assert views_of(pin) == 0  # no app server writes them
    jobs.write_product_views.call()

    assert views_of(pin) == 3
    assert view_counts.product_views.counter.pending() == {}
    jobs.write_product_views.call()  # nothing new: nothing added
    assert views_of(pin) == 3


@pytest.mark.page_cache
def test_views_served_from_the_page_cache_are_counted_in_redis(client, redis):
    pin = merch("Cached Pin")

    pages = [view(client, pin) for _ in range(3)]
    view_counts.flush(force=True)  # what an app server would write itself: nothing

    assert [page.get("X-Page-Cache") for page in pages] == [None, "hit", "hit"]
    assert views_of(pin) == 0
    jobs.write_product_views.call()
    assert views_of(pin) == 3


def test_a_write_killed_after_taking_the_views_loses_none_of_them(client, redis, monkeypatch):
    pin, badge = merch("Taken Pin"), merch("Taken Badge")
    view(client, pin)
    view(client, badge)
    with monkeypatch.context() as patched:
        patched.setattr(view_counts, "write_views", killed)
        with pytest.raises(Killed):
            view_counts.write_shared_views()
    assert (views_of(pin), views_of(badge)) == (0, 0)

    view(client, pin)  # counted while the taken views wait
    view_counts.write_shared_views()

    assert (views_of(pin), views_of(badge)) == (2, 1)


def test_a_write_killed_after_its_commit_is_not_added_again(client, redis, monkeypatch):
    pin = merch("Committed Pin")
    view(client, pin)
    view(client, pin)
    with monkeypatch.context() as patched:
        patched.setattr(view_counts, "_release", killed)
        with pytest.raises(Killed):
            view_counts.write_shared_views()
    assert views_of(pin) == 2

    view(client, pin)
    view_counts.write_shared_views()
    view_counts.write_shared_views()

    assert views_of(pin) == 3


def test_a_run_of_the_job_queues_the_next_after_the_interval(redis, settings):
    settings.SHOP_PRODUCT_VIEWS_FLUSH_SECONDS = 30

    jobs.write_product_views.call()

    (next_run,) = periodic.waiting_runs(jobs.write_product_views)
    assert 29 < (next_run.run_after - timezone.now()).total_seconds() <= 30


def test_with_redis_refusing_the_page_answers_and_the_view_is_counted_in_the_process(
    client, redis_down
):
    breaker = redis_down(refused_port())
    pin = merch("Refused Pin")

    view(client, pin)

    assert breaker.is_open
    assert view_counts.product_views.counter.pending() == {pin.pk: 1}
    view_counts.flush(force=True)  # as every app server does without Redis
    assert views_of(pin) == 1


def test_a_silent_redis_holds_one_view_for_its_timeout_and_no_other(redis_down):
    with RedisStandIn() as silent:
        breaker = redis_down(silent.port)

        for _ in range(3):
            view_counts.count_view(7)

    assert silent.waited == 1 and breaker.is_open
    assert view_counts.product_views.counter.pending() == {7: 3}


def test_without_redis_the_worker_job_writes_nothing_and_the_app_server_does():
    pin = merch("Local Pin")
    view_counts.count_view(pin.pk)

    jobs.write_product_views.call()
    assert views_of(pin) == 0

    view_counts.flush(force=True)
    assert views_of(pin) == 1


def test_article_figures_go_the_same_way_and_are_written_once(client, redis, monkeypatch):
    from blog import attribution
    from blog.models import ArticleDay, ArticleProductDay
    from tests.blog.conftest import write_post

    pin = merch("Article Pin", upc="PIN-ARTICLE")
    post = write_post("Pin care", body="[[product:PIN-ARTICLE]]")
    client.get(post.get_absolute_url())
    client.get(f"/blog/{post.slug}/to/{pin.pk}/")
    with monkeypatch.context() as patched:
        patched.setattr(view_counts, "_release", killed)
        with pytest.raises(Killed):
            jobs.write_article_figures.call()
    client.get(post.get_absolute_url())

    assert attribution.figures.counter.pending() == {}  # counted in Redis, not in the process
    jobs.write_article_figures.call()
    jobs.write_article_figures.call()

    assert ArticleDay.objects.get(post=post).views == 2
    assert ArticleProductDay.objects.get(post=post, product=pin).clicks == 1
