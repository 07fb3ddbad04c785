"""Two real `db_worker` processes on PostgreSQL share one queue: every job runs exactly once, and
each periodic job is queued once however many workers start."""

import time
from collections import Counter

import pytest
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shop.worker.jobs import PERIODIC_JOBS
from tests.races import on_postgresql_with_commits
from tests.worker.conftest import BEAT_SECONDS, wait_for
from tests.worker.jobs import RUNS_TABLE, record_run

pytestmark = on_postgresql_with_commits

JOBS = 60


@pytest.fixture
def runs_table():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {RUNS_TABLE} (n integer NOT NULL, pid integer NOT NULL)")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RUNS_TABLE}")


def runs() -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, pid FROM {RUNS_TABLE}")
        return cursor.fetchall()


def test_two_workers_run_every_job_exactly_once(runs_table, start_worker):
    for n in range(JOBS):
        record_run.enqueue(n)

    first, second = start_worker(), start_worker()
    wait_for(lambda: len(runs()) >= JOBS and not DBTaskResult.objects.ready().exists())

    ran = Counter(n for n, _pid in runs())
    assert ran == Counter(range(JOBS))  # each once, none missing
    assert {pid for _n, pid in runs()} <= {first.pid, second.pid}
    done = DBTaskResult.objects.filter(task_path=record_run.module_path)
    assert set(done.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}


def test_two_workers_starting_together_queue_each_periodic_job_once(start_worker):
    start_worker(), start_worker()

    def runs_of(job) -> Counter:
        return Counter(
            DBTaskResult.objects.filter(task_path=job.module_path).values_list("status", flat=True)
        )

    def finished(job) -> int:
        statuses = runs_of(job)
        return statuses[TaskResultStatus.SUCCESSFUL] + statuses[TaskResultStatus.FAILED]

    wait_for(lambda: all(finished(job) for job in PERIODIC_JOBS))
    time.sleep(5 * BEAT_SECONDS)  # a few more beats, each of which could start a second chain
    for job in PERIODIC_JOBS:
        # The first run finished (reconciliation fails here: no Stripe to talk to) and queued
        # the next: one chain, not two.
        statuses = runs_of(job)
        assert statuses.total() == 2 and statuses[TaskResultStatus.READY] == 1, (job, statuses)
