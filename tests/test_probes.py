"""The load balancer's probes (shop.probes): /healthz says the process answers, whatever else is
down; /readyz says 200 only when the database, the cache and the storage each answer in time, and
otherwise 503 naming the part that did not. Neither is cached nor sets a cookie."""

import threading

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from shop import probes, redis_cache
from tests.redis_standin import refused_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refused(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refused)


def assert_plain_probe(response):
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


def test_healthz_answers_while_the_database_is_down(client, database_down):
    response = client.get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert_plain_probe(response)


def test_readyz_is_200_when_every_part_answers(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
    }
    assert_plain_probe(response)


def test_readyz_names_the_database_when_it_does_not_answer(client, database_down):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["database"] == "failed (OperationalError)"
    assert body["cache"] == body["storage"] == "ok"
    assert_plain_probe(response)


def test_a_part_that_stays_down_is_logged_once_not_once_per_probe(client, database_down, caplog):
    probes._last_failing = ()

    answers = [client.get("/readyz").status_code for _probe in range(3)]

    assert answers == [503, 503, 503]
    logged = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert logged == [("shop.probes", "WARNING", "Not ready: database failed (OperationalError)")]
    probes._last_failing = ()


def test_readyz_names_the_cache_when_redis_refuses(client, settings):
    redis_cache.forget_breakers()
    settings.CACHES = {
        "default": {
            "BACKEND": "shop.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{refused_port()}/4",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["cache"] == "not answering"
    redis_cache.forget_breakers()


def test_readyz_names_the_storage_when_it_fails(client, monkeypatch):
    def unreachable(name):
        raise ConnectionError("the storage server refused")

    monkeypatch.setattr(default_storage, "exists", unreachable)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]
    assert response.json()["storage"] == "failed (ConnectionError)"


def test_readyz_gives_up_on_a_storage_that_hangs_and_starts_no_second_check(
    client, monkeypatch, settings
):
    settings.READYZ_TIMEOUT = 0.2
    release = threading.Event()
    calls = []

    def hangs(name):
        calls.append(name)
        release.wait(30)
        return False

    monkeypatch.setattr(default_storage, "exists", hangs)
    try:
        first = client.get("/readyz")
        second = client.get("/readyz")  # the first check still hangs
    finally:
        release.set()
        if "storage" in probes._running:
            probes._running["storage"].result(timeout=30)  # the thread ends within the test

    assert first.status_code == second.status_code == 503
    assert first.json()["storage"] == second.json()["storage"] == "timeout"
    assert calls == [probes.STORAGE_PROBE]
