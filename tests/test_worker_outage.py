"""The task worker outlives a database outage: it waits and carries on, logging the outage once,
where django_tasks_db's own worker would exit with a traceback (and no job would run until someone
restarted it)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django_tasks_db.management.commands import db_worker

from shop.management.commands import db_worker as shop_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_loop(monkeypatch):
    """The queue loop, replaced: it fails as a refused connection does `failures` times, then
    returns as a stopped worker does."""
    runs = []

    def loop(failures: int):
        def handle(self, *args, **options):
            runs.append(options.get("batch"))
            if len(runs) <= failures:
                raise OperationalError("connection refused")

        monkeypatch.setattr(db_worker.Command, "handle", handle)
        monkeypatch.setattr(shop_worker, "DATABASE_RETRY_SECONDS", 0)
        return runs

    return loop


def start(**options):
    call_command("db_worker", reload=False, startup_delay=False, stdout=StringIO(), **options)


def test_the_worker_waits_out_a_database_outage_and_logs_it_once(worker_loop, monkeypatch, caplog):
    monkeypatch.setattr(shop_worker, "database_is_unreachable", lambda: True)
    runs = worker_loop(failures=3)

    start()

    assert len(runs) == 4  # three refused, then the loop ran until it was stopped
    outage = [r.getMessage() for r in caplog.records if r.name == "shop.tasks"]
    assert outage == ["Database not answering (connection refused): trying again every 0 s"]


def test_an_error_that_is_not_an_outage_still_ends_the_worker(worker_loop, monkeypatch):
    monkeypatch.setattr(shop_worker, "database_is_unreachable", lambda: False)
    runs = worker_loop(failures=1)

    with pytest.raises(OperationalError):
        start()
    assert len(runs) == 1


def test_a_batch_run_ends_on_an_outage(worker_loop, monkeypatch):
    monkeypatch.setattr(shop_worker, "database_is_unreachable", lambda: True)
    runs = worker_loop(failures=1)

    with pytest.raises(OperationalError):
        start(batch=True)
    assert runs == [True]
